//! A pair of texts → where they differ: shared spans and spans only in one of them, in byte
//! offsets of the original texts.
//!
//! # Algorithm
//!
//! 1. Both texts become word tokens ([`crate::shingle::tokens`]), each with its original byte
//!    range.
//! 2. Anchors: every `k`-word window of A whose hash occurs in B (at most
//!    [`MAX_OCCURRENCES`] places per window, so a line repeated a thousand times cannot make
//!    the work quadratic) seeds a match, which is extended word by word along its diagonal to a
//!    maximal common block. Each diagonal remembers where its last block ended, so a block is
//!    extended once, not once per seed inside it.
//! 3. Greedy string tiling (Wise, 1993): blocks are taken longest first; a block that overlaps
//!    words already taken is cut to its free parts, which go back in the queue while at least
//!    `k` words long. Matches are one-to-one, so a sentence that appears twice in B and once in
//!    A is shared once and "only in B" once, and moved paragraphs come out as shared spans in
//!    another order rather than as a deletion plus an insertion.
//! 4. Between two consecutive tiles that are in the same order in both texts, the words left
//!    over on each side are compared with a word-level Myers diff (the `similar` crate), which
//!    finds the short common runs that no `k`-word anchor covers (two edits three words apart).
//! 5. Words become byte spans. Punctuation and other non-space bytes between words belong to a
//!    neighbouring word: those right after a word (`said.`, `”`) to it, those right before the
//!    next word (`“`, `(`) to that one, so that shared plus only-in spans cover every
//!    non-whitespace byte of each text and no two spans of one text overlap. Adjacent tiles
//!    that continue each other in both texts merge into one span.
//!
//! # Cost and bounds
//!
//! Steps 1, 2 and 5 are linear in the two texts' lengths (plus a hash map of B's windows);
//! step 3 is `O(m log m)` in the number of blocks. The diagonal extensions stop after
//! [`WORK_PER_WORD`] word comparisons per word of input (plus a constant): past that, the
//! remaining seeds are dropped and their words reported as not shared. Step 4 runs only on
//! gaps of at most [`MAX_GAP_CELLS`] word pairs. The bounds are counts, not deadlines, so the
//! result is the same on every machine: only inputs far from any real document (megabytes of
//! one repeated word) hit them.

use std::collections::BinaryHeap;
use std::ops::Range;

use serde::ser::{Serialize, SerializeSeq, Serializer};
use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::shingle::{Token, shingle_hash, tokens, window_hashes};

/// Places in B one window of A is matched against.
pub const MAX_OCCURRENCES: usize = 16;
/// Word comparisons allowed per input word when extending anchors.
pub const WORK_PER_WORD: usize = 64;
/// Largest gap (words in A times words in B) handed to the word diff.
pub const MAX_GAP_CELLS: usize = 1 << 22;

/// A stretch of A matched to a stretch of B; both are byte ranges of the original texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedSpan {
    /// Bytes of A.
    pub a: Range<usize>,
    /// The matching bytes of B.
    pub b: Range<usize>,
}

/// Where two texts agree and differ. All ranges are half-open byte ranges into the original
/// texts; `a_only` and `b_only` are sorted by start, `shared` by its A start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    /// Bytes of A with no counterpart in B.
    pub a_only: Vec<Range<usize>>,
    /// Bytes of B with no counterpart in A.
    pub b_only: Vec<Range<usize>>,
    /// Stretches present in both.
    pub shared: Vec<SharedSpan>,
}

impl Spans {
    /// Bytes covered by `a_only`.
    pub fn a_only_bytes(&self) -> usize {
        self.a_only.iter().map(|r| r.len()).sum()
    }
    /// Bytes covered by `b_only`.
    pub fn b_only_bytes(&self) -> usize {
        self.b_only.iter().map(|r| r.len()).sum()
    }
}

impl Serialize for Spans {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Pairs<'a>(&'a [Range<usize>]);
        impl Serialize for Pairs<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for r in self.0 {
                    seq.serialize_element(&[r.start, r.end])?;
                }
                seq.end()
            }
        }
        struct Quads<'a>(&'a [SharedSpan]);
        impl Serialize for Quads<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for r in self.0 {
                    seq.serialize_element(&[r.a.start, r.a.end, r.b.start, r.b.end])?;
                }
                seq.end()
            }
        }
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Spans", 3)?;
        st.serialize_field("a_only", &Pairs(&self.a_only))?;
        st.serialize_field("b_only", &Pairs(&self.b_only))?;
        st.serialize_field("shared", &Quads(&self.shared))?;
        st.end()
    }
}

/// A maximal common run: `len` words from word `i` of A and word `j` of B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Block {
    i: usize,
    j: usize,
    len: usize,
}

/// Aligns `a` and `b` on `shingle_size`-word anchors (hashed with `seed`) and returns the spans.
///
/// # Example
///
/// ```
/// let page = "Big headline\n\nThe article text is here and it goes on for a while.\n\nA comment.";
/// let article = "The article text is here and it goes on for a while.";
/// let spans = neardupe::spans::diff_spans(article, page, 5, 0);
/// assert!(spans.a_only.is_empty());
/// assert_eq!(spans.b_only, [0..12, 68..78]);
/// assert_eq!(spans.shared[0].b, 14..66);
/// ```
pub fn diff_spans(a: &str, b: &str, shingle_size: usize, seed: u64) -> Spans {
    let ta = units(tokens(a, seed));
    let tb = units(tokens(b, seed));
    let ha: Vec<u64> = ta.iter().map(|t| t.hash).collect();
    let hb: Vec<u64> = tb.iter().map(|t| t.hash).collect();
    let k = shingle_size.min(ha.len()).min(hb.len()).max(1);

    let mut tiles = tile(&ha, &hb, find_blocks(&ha, &hb, k), k);
    fill_gaps(&ha, &hb, &mut tiles);
    tiles.sort_unstable();

    let ra = regions(a, &ta);
    let rb = regions(b, &tb);
    let mut in_a = vec![false; ha.len()];
    let mut in_b = vec![false; hb.len()];
    let mut shared: Vec<SharedSpan> = Vec::new();
    for t in merge_adjacent(&tiles) {
        in_a[t.i..t.i + t.len].iter_mut().for_each(|x| *x = true);
        in_b[t.j..t.j + t.len].iter_mut().for_each(|x| *x = true);
        shared.push(SharedSpan {
            a: ra[t.i].start..ra[t.i + t.len - 1].end,
            b: rb[t.j].start..rb[t.j + t.len - 1].end,
        });
    }
    Spans {
        a_only: only_spans(a, &ra, &in_a),
        b_only: only_spans(b, &rb, &in_b),
        shared,
    }
}

/// Merges tokens that came from the same original word (normalisation split it) into one
/// unit, so every unit has its own bytes.
fn units(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens {
        match out.last_mut() {
            Some(prev) if prev.range == t.range => prev.hash = shingle_hash(&[prev.hash, t.hash]),
            _ => out.push(t),
        }
    }
    out
}

/// Step 2: maximal common blocks of at least `k` words, seeded by equal `k`-word windows.
fn find_blocks(ha: &[u64], hb: &[u64], k: usize) -> Vec<Block> {
    if ha.len() < k || hb.len() < k {
        return Vec::new();
    }
    let windows_of_b = window_hashes(hb, k);
    let windows_b = Windows::of(&windows_of_b);
    let budget = WORK_PER_WORD * (ha.len() + hb.len()) + 1_000_000;
    let mut work = 0usize;
    // Where the last block found on each diagonal `j - i` ends in A (0: none yet), indexed by
    // `j - i + ha.len()`.
    let mut diagonal_end = vec![0usize; ha.len() + hb.len()];
    let mut blocks = Vec::new();
    'seeds: for (i, w) in window_hashes(ha, k).into_iter().enumerate() {
        for j in windows_b.places(w) {
            let diagonal = j + ha.len() - i;
            if diagonal_end[diagonal] > i {
                continue; // inside a block found already
            }
            let (mut start_i, mut start_j) = (i, j);
            while start_i > 0 && start_j > 0 && ha[start_i - 1] == hb[start_j - 1] {
                start_i -= 1;
                start_j -= 1;
                work += 1;
            }
            let mut len = i - start_i;
            while start_i + len < ha.len()
                && start_j + len < hb.len()
                && ha[start_i + len] == hb[start_j + len]
            {
                len += 1;
                work += 1;
            }
            diagonal_end[diagonal] = start_i + len;
            if len >= k {
                blocks.push(Block {
                    i: start_i,
                    j: start_j,
                    len,
                });
            }
            if work > budget {
                break 'seeds;
            }
        }
    }
    blocks
}

/// Where each window of a text starts, by window hash: the first [`MAX_OCCURRENCES`] places
/// of each, in text order. An open-addressing table of each window's first place, with the
/// later places chained through one array, so building it allocates twice, not once per
/// distinct window.
struct Windows<'a> {
    /// The window hashes, by place.
    hashes: &'a [u64],
    /// Per slot: the first place of a window (`NONE`: an empty slot).
    heads: Vec<u32>,
    /// The next place of the same window, after each place (`NONE` at the last).
    next: Vec<u32>,
    shift: u32,
}

impl<'a> Windows<'a> {
    const NONE: u32 = u32::MAX;

    fn of(hashes: &'a [u64]) -> Windows<'a> {
        let size = (2 * hashes.len()).next_power_of_two().max(16);
        let mut t = Windows {
            hashes,
            heads: vec![Windows::NONE; size],
            next: vec![Windows::NONE; hashes.len()],
            shift: 64 - size.trailing_zeros(),
        };
        // Back to front, each place put before the others of its window: chains in text order.
        for (j, &h) in hashes.iter().enumerate().rev() {
            let s = t.slot(h);
            t.next[j] = t.heads[s];
            t.heads[s] = j as u32;
        }
        t
    }

    /// The slot holding `hash`'s window, or the empty slot where it would go.
    fn slot(&self, hash: u64) -> usize {
        let mask = self.heads.len() - 1;
        // Window hashes are mixed: their top bits are uniform.
        let mut s = (hash >> self.shift) as usize;
        while self.heads[s] != Windows::NONE && self.hashes[self.heads[s] as usize] != hash {
            s = (s + 1) & mask;
        }
        s
    }

    /// The first [`MAX_OCCURRENCES`] places of the window with this hash, in text order.
    fn places(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        let mut at = self.heads[self.slot(hash)];
        std::iter::from_fn(move || {
            let j = (at != Windows::NONE).then_some(at as usize)?;
            at = self.next[j];
            Some(j)
        })
        .take(MAX_OCCURRENCES)
    }
}

/// Step 3: greedy string tiling, longest blocks first, one-to-one.
fn tile(ha: &[u64], hb: &[u64], blocks: Vec<Block>, k: usize) -> Vec<Block> {
    // Max-heap on length; ties go to the earliest block in A, then in B.
    let key = |b: Block| (b.len, std::cmp::Reverse(b.i), std::cmp::Reverse(b.j));
    let mut heap: BinaryHeap<_> = blocks.into_iter().map(|b| (key(b), b)).collect();
    let mut taken_a = vec![false; ha.len()];
    let mut taken_b = vec![false; hb.len()];
    let mut tiles = Vec::new();
    while let Some((_, block)) = heap.pop() {
        let free = |t: usize| !taken_a[block.i + t] && !taken_b[block.j + t];
        if (0..block.len).all(free) {
            taken_a[block.i..block.i + block.len]
                .iter_mut()
                .for_each(|x| *x = true);
            taken_b[block.j..block.j + block.len]
                .iter_mut()
                .for_each(|x| *x = true);
            tiles.push(block);
            continue;
        }
        // Cut into free runs; long enough ones go back in the queue.
        let mut t = 0;
        while t < block.len {
            if !free(t) {
                t += 1;
                continue;
            }
            let start = t;
            while t < block.len && free(t) {
                t += 1;
            }
            if t - start >= k {
                let part = Block {
                    i: block.i + start,
                    j: block.j + start,
                    len: t - start,
                };
                heap.push((key(part), part));
            }
        }
    }
    tiles
}

/// Step 4: word diff between consecutive tiles that keep their order in both texts.
fn fill_gaps(ha: &[u64], hb: &[u64], tiles: &mut Vec<Block>) {
    let mut taken_b = vec![false; hb.len()];
    for t in tiles.iter() {
        taken_b[t.j..t.j + t.len].iter_mut().for_each(|x| *x = true);
    }
    let mut ordered = tiles.clone();
    ordered.sort_unstable();
    let start = Block { i: 0, j: 0, len: 0 };
    let end = Block {
        i: ha.len(),
        j: hb.len(),
        len: 0,
    };
    let bounds: Vec<Block> = std::iter::once(start)
        .chain(ordered)
        .chain(std::iter::once(end))
        .collect();
    for w in bounds.windows(2) {
        let (prev, next) = (w[0], w[1]);
        let (ga, gb) = (prev.i + prev.len..next.i, prev.j + prev.len..next.j);
        if next.j < prev.j + prev.len || ga.is_empty() || gb.is_empty() {
            continue;
        }
        if ga.len().saturating_mul(gb.len()) > MAX_GAP_CELLS || gb.clone().any(|j| taken_b[j]) {
            continue;
        }
        for op in capture_diff_slices(Algorithm::Myers, &ha[ga.clone()], &hb[gb.clone()]) {
            if let DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = op
            {
                tiles.push(Block {
                    i: ga.start + old_index,
                    j: gb.start + new_index,
                    len,
                });
            }
        }
    }
}

/// Joins tiles (sorted by A position) that continue each other in both texts.
fn merge_adjacent(tiles: &[Block]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(tiles.len());
    for &t in tiles {
        match out.last_mut() {
            Some(p) if p.i + p.len == t.i && p.j + p.len == t.j => p.len += t.len,
            _ => out.push(t),
        }
    }
    out
}

/// Step 5: the bytes each word owns: the word, the non-space bytes right after it up to the
/// next whitespace (and any lone punctuation before the last whitespace of the gap), and, for
/// the first word, everything non-space before it; the non-space bytes right before a word
/// belong to it.
fn regions(text: &str, words: &[Token]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = words.iter().map(|t| t.range.clone()).collect();
    let Some(first) = words.first() else {
        return out;
    };
    out[0].start = trim_start(text, 0..first.range.start)
        .start
        .min(first.range.start);
    for t in 1..words.len() {
        let gap = words[t - 1].range.end..words[t].range.start;
        let g = &text[gap.clone()];
        match g.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
            None => out[t - 1].end = gap.end,
            Some((pos, c)) => {
                let after_ws = gap.start + pos + c.len_utf8();
                out[t].start = after_ws;
                let before = trim_end(text, gap.start..after_ws);
                out[t - 1].end = before.end.max(gap.start);
            }
        }
    }
    let last = words.len() - 1;
    let tail = trim_end(text, words[last].range.end..text.len());
    out[last].end = tail.end.max(words[last].range.end);
    out
}

fn trim_start(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    r.start + lead..r.end
}

fn trim_end(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    r.start..r.start + s.trim_end().len()
}

/// Maximal runs of unmatched words as byte spans (or the non-space bytes of a text without
/// words).
fn only_spans(text: &str, regions: &[Range<usize>], matched: &[bool]) -> Vec<Range<usize>> {
    if regions.is_empty() {
        let r = trim_end(text, trim_start(text, 0..text.len()));
        return if r.is_empty() { Vec::new() } else { vec![r] };
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut open: Option<Range<usize>> = None;
    for (r, &m) in regions.iter().zip(matched) {
        if m {
            out.extend(open.take());
        } else {
            match open.as_mut() {
                Some(o) => o.end = r.end,
                None => open = Some(r.clone()),
            }
        }
    }
    out.extend(open);
    out
}

#[cfg(test)]
#[allow(
    clippy::single_range_in_vec_init,
    reason = "spans are compared as lists of ranges"
)]
mod tests {
    use super::*;

    fn check_partition(text: &str, own: &[Range<usize>], shared: &[Range<usize>]) {
        let mut all: Vec<Range<usize>> = own.iter().chain(shared).cloned().collect();
        all.sort_by_key(|r| r.start);
        for w in all.windows(2) {
            assert!(w[0].end <= w[1].start, "overlap {:?} {:?}", w[0], w[1]);
        }
        for (i, c) in text.char_indices() {
            if !c.is_whitespace() {
                assert!(
                    all.iter().any(|r| r.contains(&i)),
                    "byte {i} ({c:?}) uncovered"
                );
            }
        }
    }

    fn sides(s: &Spans) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
        (
            s.shared.iter().map(|x| x.a.clone()).collect(),
            s.shared.iter().map(|x| x.b.clone()).collect(),
        )
    }

    #[test]
    fn identical_texts_are_one_shared_span() {
        let t = "One two three four five six. Seven, eight!";
        let s = diff_spans(t, t, 5, 0);
        assert_eq!(
            s.shared,
            [SharedSpan {
                a: 0..t.len(),
                b: 0..t.len()
            }]
        );
        assert!(s.a_only.is_empty() && s.b_only.is_empty());
    }

    #[test]
    fn empty_and_wordless_texts() {
        let s = diff_spans("", "", 5, 0);
        assert_eq!(s, Spans::default());
        let s = diff_spans("  --  ", "a b c d e", 5, 0);
        assert_eq!(s.a_only, [2..4]);
        assert_eq!(s.b_only, [0..9]);
    }

    #[test]
    fn one_changed_word_is_located_exactly() {
        let a = "the quick brown fox jumps over the lazy dog near the river bank today";
        let b = "the quick brown fox leaps over the lazy dog near the river bank today";
        let s = diff_spans(a, b, 5, 0);
        assert_eq!(s.a_only, [20..25]);
        assert_eq!(s.b_only, [20..25]);
        assert_eq!(&a[s.a_only[0].clone()], "jumps");
    }

    #[test]
    fn two_close_edits_keep_the_words_between() {
        let a = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron";
        let b = "alpha beta gamma delta epsilon ZZZ eta theta YYY kappa lambda mu nu xi omicron";
        let s = diff_spans(a, b, 5, 0);
        let only: Vec<&str> = s.a_only.iter().map(|r| &a[r.clone()]).collect();
        assert_eq!(only, ["zeta", "iota"]);
    }

    #[test]
    fn moved_paragraph_is_shared_not_deleted() {
        let p1 = "first paragraph has these words in it for sure.";
        let p2 = "second paragraph talks about something else entirely here.";
        let p3 = "third paragraph closes the story with a final line.";
        let a = format!("{p1}\n\n{p2}\n\n{p3}");
        let b = format!("{p3}\n\n{p1}\n\n{p2}");
        let s = diff_spans(&a, &b, 5, 0);
        assert!(s.a_only.is_empty() && s.b_only.is_empty(), "{s:?}");
        assert_eq!(s.shared.len(), 2);
        let (sa, sb) = sides(&s);
        check_partition(&a, &s.a_only, &sa);
        check_partition(&b, &s.b_only, &sb);
    }

    #[test]
    fn repeated_sentence_is_matched_once() {
        let x = "this sentence appears more than once in the page.";
        let a = format!("intro words that are unique here. {x}");
        let b = format!("{x} intro words that are unique here. {x}");
        let s = diff_spans(&a, &b, 5, 0);
        assert!(s.a_only.is_empty());
        assert_eq!(s.b_only.len(), 1);
        assert_eq!(&b[s.b_only[0].clone()], x);
    }

    #[test]
    fn punctuation_attaches_to_neighbouring_words() {
        let a = "He said: “stop (now).” Then – nothing.";
        let b = "completely different text without overlap";
        let s = diff_spans(a, b, 5, 0);
        assert_eq!(s.a_only, [0..a.len()]);
        check_partition(a, &s.a_only, &[]);
    }

    #[test]
    fn split_words_do_not_break_offsets() {
        let a = "one two three four five a½b six seven";
        let b = "one two three four five a½b six seven";
        let s = diff_spans(a, b, 3, 0);
        assert_eq!(s.shared.len(), 1);
    }
}
