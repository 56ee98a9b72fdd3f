//! The readable report: pairs with their figures and differing spans, then clusters.
//!
//! Colour is the caller's choice ([`Style`]); the CLI turns it on for terminals only and
//! honours `NO_COLOR` and `--color`.

use std::io::{self, Write};
use std::ops::Range;

use super::{LineIndex, SpansMode, escape_controls, human_bytes, thousands};
use crate::report::Report;
use crate::spans::Spans;
use crate::{Comparison, Relation};

/// Terminal styling.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
}

fn relation_words(r: Relation) -> &'static str {
    match r {
        Relation::AInB => "A is inside B",
        Relation::BInA => "B is inside A",
        Relation::Similar => "near-duplicates",
    }
}

/// Writes the readable report. `text_of` returns a document's text by id; it is needed for
/// line:column positions in [`SpansMode::Full`] and may return `None` otherwise.
///
/// # Errors
///
/// Whatever the writer returns.
pub fn write_report<'t>(
    w: &mut (impl Write + ?Sized),
    report: &Report,
    spans: SpansMode,
    style: Style,
    text_of: impl Fn(&str) -> Option<&'t str>,
) -> io::Result<()> {
    if report.pairs.is_empty() {
        writeln!(w, "no near-duplicates found")?;
    }
    for pair in &report.pairs {
        let s = &pair.similarity;
        writeln!(
            w,
            "{}  {}",
            style.bold(&escape_controls(&pair.a, false)),
            style.bold(&escape_controls(&pair.b, false))
        )?;
        writeln!(
            w,
            "    {} ({})  jaccard {:.3}  A in B {:.3}  B in A {:.3}",
            pair.relation.as_str(),
            relation_words(pair.relation),
            s.jaccard,
            s.containment_a_in_b,
            s.containment_b_in_a
        )?;
        let differs = |x: f64, y: f64| (x - y).abs() >= 0.0005;
        if differs(s.jaccard, s.content_jaccard)
            || differs(s.containment_a_in_b, s.content_containment_a_in_b)
            || differs(s.containment_b_in_a, s.content_containment_b_in_a)
        {
            writeln!(
                w,
                "    content (boilerplate discounted): jaccard {:.3}  A in B {:.3}  B in A {:.3}",
                s.content_jaccard, s.content_containment_a_in_b, s.content_containment_b_in_a
            )?;
        }
        if let Some(sp) = &pair.spans {
            match spans {
                SpansMode::None => {}
                SpansMode::Summary => writeln!(w, "    {}", pair_summary(sp))?,
                SpansMode::Full => write_full_spans(w, sp, text_of(&pair.a), text_of(&pair.b))?,
            }
        }
    }
    if !report.clusters.is_empty() {
        writeln!(w)?;
    }
    for (n, c) in report.clusters.iter().enumerate() {
        writeln!(
            w,
            "cluster {} ({} documents), keep {}",
            n + 1,
            c.members.len(),
            escape_controls(&c.keep, false)
        )?;
        for m in &c.members {
            writeln!(w, "    {}", escape_controls(m, false))?;
        }
    }
    Ok(())
}

/// One line for a pair's spans: what each side has that the other lacks.
pub fn pair_summary(sp: &Spans) -> String {
    match (sp.a_only.is_empty(), sp.b_only.is_empty()) {
        (true, true) => "no text only on one side".to_string(),
        (false, true) => side_summary("A", &sp.a_only),
        (true, false) => side_summary("B", &sp.b_only),
        (false, false) => format!(
            "{}; {}",
            side_summary("A", &sp.a_only),
            side_summary("B", &sp.b_only)
        ),
    }
}

/// "B has 2 extra spans: 0..33, 2351..9011 (6.7 KB)".
pub fn side_summary(side: &str, only: &[Range<usize>]) -> String {
    if only.is_empty() {
        return format!("{side} has no extra text");
    }
    const SHOWN: usize = 6;
    let mut list: Vec<String> = only
        .iter()
        .take(SHOWN)
        .map(|r| format!("{}..{}", r.start, r.end))
        .collect();
    if only.len() > SHOWN {
        list.push(format!("and {} more", only.len() - SHOWN));
    }
    let bytes: usize = only.iter().map(|r| r.len()).sum();
    let noun = if only.len() == 1 { "span" } else { "spans" };
    format!(
        "{side} has {} extra {noun}: {} ({})",
        only.len(),
        list.join(", "),
        human_bytes(bytes)
    )
}

fn write_full_spans(
    w: &mut (impl Write + ?Sized),
    sp: &Spans,
    a: Option<&str>,
    b: Option<&str>,
) -> io::Result<()> {
    let (ia, ib) = (a.map(LineIndex::new), b.map(LineIndex::new));
    let at = |idx: &Option<LineIndex<'_>>, r: &Range<usize>| match idx {
        Some(i) => format!("{}..{} ({})", r.start, r.end, i.range(r)),
        None => format!("{}..{}", r.start, r.end),
    };
    for r in &sp.a_only {
        writeln!(w, "    only in A: {}", at(&ia, r))?;
    }
    for r in &sp.b_only {
        writeln!(w, "    only in B: {}", at(&ib, r))?;
    }
    for s in &sp.shared {
        writeln!(
            w,
            "    shared:    A {} = B {}",
            at(&ia, &s.a),
            at(&ib, &s.b)
        )?;
    }
    Ok(())
}

/// Bytes of context shown around a difference.
const CONTEXT: usize = 60;
/// Longest only-in region shown whole; longer ones show their start and end.
const MAX_SHOWN: usize = 1200;

/// Writes a comparison readably: figures, then each document's differing regions with a
/// little context, long shared stretches collapsed.
///
/// # Errors
///
/// Whatever the writer returns.
pub fn write_comparison(
    w: &mut (impl Write + ?Sized),
    cmp: &Comparison,
    a: &str,
    b: &str,
    style: Style,
) -> io::Result<()> {
    let s = &cmp.similarity;
    writeln!(
        w,
        "A: {} ({} bytes, {} shingles)",
        escape_controls(&cmp.a, false),
        thousands(a.len()),
        thousands(s.shingles_a)
    )?;
    writeln!(
        w,
        "B: {} ({} bytes, {} shingles)",
        escape_controls(&cmp.b, false),
        thousands(b.len()),
        thousands(s.shingles_b)
    )?;
    writeln!(
        w,
        "jaccard {:.4}   A in B {:.4}   B in A {:.4}   {}",
        s.jaccard,
        s.containment_a_in_b,
        s.containment_b_in_a,
        match cmp.relation {
            Some(r) => format!("reported: {} ({})", r.as_str(), relation_words(r)),
            None => "not a near-duplicate at these thresholds".to_string(),
        }
    )?;
    let shared_a: Vec<Range<usize>> = cmp.spans.shared.iter().map(|x| x.a.clone()).collect();
    let shared_b: Vec<Range<usize>> = cmp.spans.shared.iter().map(|x| x.b.clone()).collect();
    write_side(w, "A", a, &cmp.spans.a_only, &shared_a, '-', style)?;
    write_side(w, "B", b, &cmp.spans.b_only, &shared_b, '+', style)
}

fn write_side(
    w: &mut (impl Write + ?Sized),
    name: &str,
    text: &str,
    only: &[Range<usize>],
    shared: &[Range<usize>],
    marker: char,
    style: Style,
) -> io::Result<()> {
    writeln!(w)?;
    if only.is_empty() {
        return writeln!(
            w,
            "{}",
            style.bold(&format!("{name}: no text only in {name}"))
        );
    }
    let bytes: usize = only.iter().map(|r| r.len()).sum();
    writeln!(
        w,
        "{}",
        style.bold(&format!(
            "Only in {name}: {} region{}, {}",
            only.len(),
            if only.len() == 1 { "" } else { "s" },
            human_bytes(bytes)
        ))
    )?;
    let idx = LineIndex::new(text);
    let paint = |s: &str| {
        if marker == '-' {
            style.red(s)
        } else {
            style.green(s)
        }
    };
    let mut pieces: Vec<(Range<usize>, bool)> = only
        .iter()
        .map(|r| (r.clone(), true))
        .chain(shared.iter().map(|r| (r.clone(), false)))
        .collect();
    pieces.sort_by_key(|(r, _)| r.start);
    for (n, (r, is_only)) in pieces.iter().enumerate() {
        if !*is_only {
            let before_diff = pieces.get(n + 1).is_some_and(|p| p.1);
            let after_diff = n > 0 && pieces[n - 1].1;
            write_shared(w, text, r, after_diff, before_diff, style)?;
            continue;
        }
        writeln!(
            w,
            "{}",
            style.dim(&format!(
                "@@ {name} {} ({}..{}, {} bytes) @@",
                idx.range(r),
                r.start,
                r.end,
                thousands(r.len())
            ))
        )?;
        let body = &text[r.clone()];
        if body.len() <= MAX_SHOWN {
            write_marked(w, body, marker, &paint)?;
        } else {
            let head = &body[..floor_char(body, MAX_SHOWN / 2)];
            let tail = &body[ceil_char(body, body.len() - MAX_SHOWN / 4)..];
            write_marked(w, head, marker, &paint)?;
            writeln!(
                w,
                "{}",
                style.dim(&format!(
                    "  ··· {} more bytes ···",
                    thousands(body.len() - head.len() - tail.len())
                ))
            )?;
            write_marked(w, tail, marker, &paint)?;
        }
    }
    Ok(())
}

fn write_shared(
    w: &mut (impl Write + ?Sized),
    text: &str,
    r: &Range<usize>,
    after_diff: bool,
    before_diff: bool,
    style: Style,
) -> io::Result<()> {
    let body = &text[r.clone()];
    if body.len() <= 2 * CONTEXT + 20 {
        return write_marked(w, body, ' ', &|s| style.dim(s));
    }
    let head = if after_diff {
        &body[..floor_char(body, CONTEXT)]
    } else {
        ""
    };
    let tail = if before_diff {
        &body[ceil_char(body, body.len() - CONTEXT)..]
    } else {
        ""
    };
    if !head.is_empty() {
        write_marked(w, &format!("{head}…"), ' ', &|s| style.dim(s))?;
    }
    writeln!(
        w,
        "{}",
        style.dim(&format!("  ··· {} bytes shared ···", thousands(body.len())))
    )?;
    if !tail.is_empty() {
        write_marked(w, &format!("…{tail}"), ' ', &|s| style.dim(s))?;
    }
    Ok(())
}

fn write_marked(
    w: &mut (impl Write + ?Sized),
    s: &str,
    marker: char,
    paint: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    for line in s.lines() {
        writeln!(w, "{marker} {}", paint(&escape_controls(line, false)))?;
    }
    Ok(())
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        assert_eq!(side_summary("A", &[]), "A has no extra text");
        assert_eq!(
            side_summary("B", &[0..36, 2348..9011]),
            "B has 2 extra spans: 0..36, 2348..9011 (6.7 KB)"
        );
        let many: Vec<Range<usize>> = (0..8).map(|i| i * 10..i * 10 + 5).collect();
        assert!(side_summary("A", &many).contains("and 2 more (40 B)"));
    }

    #[test]
    fn comparison_shows_regions_without_colour() {
        let a = "the quick brown fox jumps over the lazy dog near the river bank today";
        let b = "the quick brown fox leaps over the lazy dog near the river bank today";
        let cmp = crate::compare(
            &crate::Document::new("a", a),
            &crate::Document::new("b", b),
            &crate::Config::default(),
        );
        let mut out = Vec::new();
        write_comparison(&mut out, &cmp, a, b, Style::default()).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("@@ A 1:21-1:25 (20..25, 5 bytes) @@\n- jumps\n"),
            "{out}"
        );
        assert!(out.contains("+ leaps"), "{out}");
        assert!(!out.contains('\x1b'));
    }
}
