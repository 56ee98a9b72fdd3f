//! The span report on the corpus fixtures (issue 3): offsets asserted against the texts.

use std::ops::Range;

use neardupe::spans::{Spans, diff_spans};

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn spans(a: &str, b: &str) -> Spans {
    diff_spans(a, b, 5, neardupe::config::DEFAULT_SEED)
}

/// The byte range of the `nth` occurrence of `needle` in `hay`.
fn find(hay: &str, needle: &str) -> Range<usize> {
    let start = hay
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    start..start + needle.len()
}

#[test]
fn seed_page_only_spans_are_headline_and_comments() {
    let article = read("corpus/seed/article_only.txt");
    let page = read("corpus/seed/full_page.txt");
    let s = spans(&article, &page);
    assert!(s.a_only.is_empty(), "{:?}", s.a_only);
    // The article sits at page bytes 36..2348, byte for byte.
    assert_eq!(&page[36..2348], article);
    assert_eq!(s.shared.len(), 1);
    assert_eq!(
        (s.shared[0].a.clone(), s.shared[0].b.clone()),
        (0..article.len(), 36..2348)
    );
    // The headline, then everything after the article: the comment section.
    assert_eq!(s.b_only.len(), 2);
    assert_eq!(
        &page[s.b_only[0].clone()],
        "Kayani turns his back on US envoy"
    );
    let comments = s.b_only[1].clone();
    assert_eq!(comments.start, page.find("1. Well").unwrap());
    assert_eq!(comments.end, page.trim_end().len());
}

#[test]
fn edited_copy_spans_are_exactly_the_changed_words() {
    let a = read("corpus/edited/library.txt");
    let b = read("corpus/edited/library_edited.txt");
    let s = spans(&a, &b);
    let only_a: Vec<&str> = s.a_only.iter().map(|r| &a[r.clone()]).collect();
    let only_b: Vec<&str> = s.b_only.iter().map(|r| &b[r.clone()]).collect();
    assert_eq!(only_a, ["eighteen", "nine.", "eight", "Wednesday"]);
    assert_eq!(only_b, ["twenty", "ten.", "nine", "Thursday"]);
    assert_eq!(s.a_only[0], find(&a, "eighteen"));
    assert_eq!(s.b_only[3], find(&b, "Thursday"));
}

#[test]
fn truncated_copy_locates_the_cut() {
    let full = read("corpus/truncated/festival.txt");
    let cut = read("corpus/truncated/festival_truncated.txt");
    assert!(full.starts_with(&cut));
    let s = spans(&full, &cut);
    assert!(s.b_only.is_empty());
    let tail_start = cut.len() + (full[cut.len()..].len() - full[cut.len()..].trim_start().len());
    assert_eq!(s.a_only, vec![tail_start..full.trim_end().len()]);
}

#[test]
fn reordered_paragraphs_are_shared_in_another_order() {
    let a = read("corpus/reordered/bridge.txt");
    let b = read("corpus/reordered/bridge_reordered.txt");
    let s = spans(&a, &b);
    assert!(s.a_only.is_empty() && s.b_only.is_empty(), "{s:?}");
    // Every paragraph of A is found, whole, at its new place in B.
    for para in a.trim_end().split("\n\n") {
        let ra = find(&a, para);
        let rb = find(&b, para);
        assert!(
            s.shared.iter().any(|x| x.a.start <= ra.start
                && ra.end <= x.a.end
                && x.b.start <= rb.start
                && rb.end <= x.b.end
                && (x.a.start as isize - x.b.start as isize)
                    == (ra.start as isize - rb.start as isize)),
            "paragraph {para:?} not matched in place: {:?}",
            s.shared
        );
    }
    // Moved means out of order in B.
    let b_starts: Vec<usize> = s.shared.iter().map(|x| x.b.start).collect();
    assert!(b_starts.windows(2).any(|w| w[0] > w[1]), "{b_starts:?}");
}

#[test]
fn repeated_sentence_in_the_page_does_not_confuse_the_alignment() {
    let article = read("corpus/seed/article_only.txt");
    let page = read("corpus/seed/full_page.txt");
    // A comment that quotes a whole sentence of the article.
    let quote = "“Saturday and Sunday are off in the army also,” he added.";
    assert!(article.contains(quote));
    let page = format!("{page}\n\nA reader wrote: {quote}\n");
    let s = spans(&article, &page);
    assert!(s.a_only.is_empty());
    assert_eq!(s.shared.len(), 1, "the article still maps to its own place");
    assert_eq!(s.shared[0].b, 36..2348);
}
