//! Normalised words → hashed word shingles.
//!
//! Input: a text. Output: one 64-bit hash per window of `k` consecutive normalised words (a
//! word `k`-shingle). Words are hashed (seeded) with one wyhash-style multiplication over
//! their bytes, xxh3 past 16 bytes; a shingle's hash is a polynomial over its `k` word hashes
//! ([`shingle_hash`]), so shingles are order-sensitive inside the window. A text with fewer
//! than `k` words has no shingles: it is never matched (the run counts it as too short).
//!
//! Cost: one pass over the text; ASCII words are hashed straight from the text (lowercased in
//! registers), windows roll, and no word allocates. The shingle *set* (sorted, deduplicated)
//! is only built where exact figures are needed.

use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::config::ConfigBuilder;
use crate::normalize::{Gap, Word, scan_tokens};

/// A normalised word's hash and the original bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// xxh3 of the normalised word.
    pub hash: u64,
    /// Byte range of the word in the original text.
    pub range: Range<usize>,
}

/// The hash of one normalised word.
pub fn word_hash(word: &str, seed: u64) -> u64 {
    word_hash_bytes(word.as_bytes(), seed)
}

/// A word's hash. Words of up to 16 bytes (almost all) are read as two 64-bit halves,
/// zero-padded, and mixed with the seed by one 128-bit multiplication (wyhash's "mum");
/// longer words go to xxh3. No branch depends on the length below 17, so words of varied
/// lengths cost no mispredictions. The length needs no mixing in: a word never holds a zero
/// byte (it is a separator), so its padded halves already say where it ends.
fn word_hash_bytes(w: &[u8], seed: u64) -> u64 {
    if w.len() > 16 {
        return xxh3_64_with_seed(w, seed);
    }
    let (lo, hi) = halves(&padded(w));
    mix16(lo, hi, seed)
}

/// Up to 16 bytes, zero-padded to 16.
fn padded(w: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..w.len()].copy_from_slice(w);
    out
}

/// The two little-endian 64-bit halves of the first 16 bytes of `b`.
fn halves(b: &[u8]) -> (u64, u64) {
    let half = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
    (half(0), half(8))
}

/// Masks of the two halves of a word of `n` bytes (0 to 16) read as 16: its first
/// `n.min(8)` bytes, and its next `n - 8` (if any).
const MASKS: [(u64, u64); 17] = {
    let mut masks = [(0u64, 0u64); 17];
    let mut n = 0;
    while n <= 16 {
        masks[n] = (
            low_bytes(if n < 8 { n } else { 8 }),
            low_bytes(n.saturating_sub(8)),
        );
        n += 1;
    }
    masks
};

/// A mask of the low `bytes` bytes of a machine word (0 to 8).
const fn low_bytes(bytes: usize) -> u64 {
    ((1u128 << (8 * bytes)) - 1) as u64
}

/// [`word_hash_bytes`] of the lowercase form of the ASCII word `text[start..end]` (each byte
/// `| 0x20`), lowercased as it is read: its bytes are loaded as two machine words (with the
/// bytes after it, when the text has them) and masked to its length.
///
/// Inlined into the word loop (a call per word cost a sixth of the hash in register saves);
/// the rare cases, long words and words near the text's end, are calls.
#[inline(always)]
fn word_hash_lowered(text: &[u8], start: usize, end: usize, seed: u64) -> u64 {
    let n = end - start;
    if n > 16 {
        return long_word_hash_lowered(&text[start..end], seed);
    }
    let (lo, hi) = match text.get(start..start + 16) {
        Some(b) => halves(b),
        None => halves_at_end(&text[start..end]),
    };
    // From a table: computed, the masks were a sixth of the word loop's instructions (a
    // 128-bit shift each).
    let (lo_mask, hi_mask) = MASKS[n];
    const LOWER: u64 = 0x2020_2020_2020_2020;
    mix16((lo | LOWER) & lo_mask, (hi | LOWER) & hi_mask, seed)
}

/// [`word_hash_lowered`] of a word of more than 16 bytes.
#[cold]
#[inline(never)]
fn long_word_hash_lowered(word: &[u8], seed: u64) -> u64 {
    let lowered: Vec<u8> = word.iter().map(|&b| b | 0x20).collect();
    xxh3_64_with_seed(&lowered, seed)
}

/// [`halves`] of a word of at most 16 bytes with fewer than 16 bytes of text from its start.
#[cold]
#[inline(never)]
fn halves_at_end(word: &[u8]) -> (u64, u64) {
    halves(&padded(word))
}

/// The hash of a word of at most 16 bytes given as two zero-padded little-endian halves: the
/// two 64-bit halves of their product (each offset by a constant, the seed in the first),
/// folded by exclusive or. (A second multiplication mixing in the length, as wyhash does,
/// was a sixth of the shingling's instructions, and the length is implied by the padding.)
#[inline(always)]
fn mix16(lo: u64, hi: u64, seed: u64) -> u64 {
    let r = u128::from(lo ^ seed ^ 0xa076_1d64_78bd_642f) * u128::from(hi ^ 0xe703_7ed1_a0b4_28db);
    (r as u64) ^ ((r >> 64) as u64)
}

/// The base of the polynomial over word hashes (an odd 64-bit constant).
const BASE: u64 = 0x9fb2_1c65_1e98_df25;
/// Added once per word, so windows of different lengths differ.
const PER_WORD: u64 = 0xd6e8_feb8_6659_fd93;

/// The hash of a shingle, from its words' hashes in order: the polynomial
/// `w0·B^(n-1) + w1·B^(n-2) + ... + w(n-1)` (mod 2^64) plus `n` times a constant.
/// Order-sensitive, and a window sliding one word costs two multiplications however long it
/// is ([`for_each_shingle`] rolls it). No finaliser: the word hashes are uniform, so the
/// polynomial is, and its top bits (which pick MinHash bins, counters and fingerprints)
/// depend on every bit of every word hash; two distinct shingles share their top 32 bits
/// with probability 2^-32. (MurmurHash3's finaliser here cost two more multiplications a
/// shingle.)
pub fn shingle_hash(words: &[u64]) -> u64 {
    let acc = words
        .iter()
        .fold(0u64, |acc, &w| acc.wrapping_mul(BASE).wrapping_add(w));
    acc.wrapping_add((words.len() as u64).wrapping_mul(PER_WORD))
}

/// All words of `text` as hashed tokens with their original byte ranges.
pub fn tokens(text: &str, seed: u64) -> Vec<Token> {
    let mut out = Vec::new();
    scan_tokens(text, |w, _| {
        out.push(Token {
            hash: word_hash_of(w, seed),
            range: w.range(),
        })
    });
    out
}

/// [`word_hash`] of a word as [`scan_tokens`] hands it over.
#[inline(always)]
fn word_hash_of(w: Word<'_>, seed: u64) -> u64 {
    match w {
        Word::Ascii { text, start, end } => word_hash_lowered(text, start, end, seed),
        Word::Normalized { word, .. } => word_hash_bytes(word, seed),
    }
}

/// Calls `f` with the hash of every `k`-word shingle of `text`, in text order (repeats
/// included). Returns the number of words.
///
/// Shingles stay inside *segments*: a blank line ends one, and so does a line break next to a
/// short line (fewer than `2k` words: a headline, a navigation entry, a related link, a
/// byline). A segment of fewer than `k` words is one shorter shingle. Page parts are segments
/// of their own in scraped text, and shingles straddling two of them would be unique to the
/// page, diluting the figures of the article it shares with another; line breaks inside
/// prose (wrapped lines of ordinary length) do not split. A text of fewer than `k` words in
/// all has no shingles.
///
/// `k` must be in `1..=ConfigBuilder::MAX_SHINGLE_SIZE` (a [`crate::Config`] guarantees it).
pub fn for_each_shingle(text: &str, k: usize, seed: u64, f: impl FnMut(u64)) -> usize {
    for_each_shingle_with(text, k, seed, &mut ShingleBuffers::default(), f)
}

/// Buffers [`for_each_shingle_with`] reuses from one text to the next.
#[derive(Debug, Default)]
pub struct ShingleBuffers {
    hashes: Vec<u64>,
    lines: Vec<(usize, bool)>,
}

/// [`for_each_shingle`] with reused buffers.
pub fn for_each_shingle_with(
    text: &str,
    k: usize,
    seed: u64,
    bufs: &mut ShingleBuffers,
    mut f: impl FnMut(u64),
) -> usize {
    let k = k.clamp(1, ConfigBuilder::MAX_SHINGLE_SIZE);
    let ShingleBuffers { hashes, lines } = bufs;
    hashes.clear();
    // Lines: (index of their first word, whether a blank line comes before).
    lines.clear();
    // Inlined into the scanner's loop: a call per word (saving and restoring registers) cost
    // more than the hash.
    scan_tokens(
        text,
        #[inline(always)]
        |w, gap| {
            if hashes.is_empty() || gap != Gap::Space {
                lines.push((hashes.len(), gap == Gap::Paragraph));
            }
            hashes.push(word_hash_of(w, seed));
        },
    );
    let words = hashes.len();
    if words < k {
        return words;
    }
    let line_end = |n: usize| lines.get(n + 1).map_or(words, |l| l.0);
    let short = |n: usize| line_end(n) - lines[n].0 < 2 * k;
    let mut segment_start = 0usize;
    for n in 0..lines.len() {
        let ends = n + 1 == lines.len() || lines[n + 1].1 || short(n) || short(n + 1);
        if !ends {
            continue;
        }
        let end = line_end(n);
        let segment = &hashes[segment_start..end];
        if segment.len() < k {
            f(shingle_hash(segment));
        } else {
            roll_windows(segment, k, &mut f);
        }
        segment_start = end;
    }
    words
}

/// Shingle hashes of a token sequence, one per window start (`tokens.len() - k + 1` of them,
/// or none when there are fewer than `k` tokens).
pub fn shingles_of_tokens(tokens: &[Token], k: usize) -> Vec<u64> {
    let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
    window_hashes(&hashes, k)
}

/// [`shingle_hash`] of every window of `k` (at least 1) consecutive word hashes, in order:
/// `words.len() - k + 1` of them, or none when there are fewer than `k` words. The window
/// rolls, so each costs two multiplications whatever `k` is.
pub fn window_hashes(words: &[u64], k: usize) -> Vec<u64> {
    let k = k.max(1);
    let mut out = Vec::with_capacity((words.len() + 1).saturating_sub(k));
    roll_windows(words, k, |h| out.push(h));
    out
}

/// Calls `f` with [`shingle_hash`] of every window of `k >= 1` consecutive word hashes, in
/// order (none when there are fewer than `k`): the polynomial rolls, dropping the window's
/// first word and adding the next.
#[inline(always)]
fn roll_windows(words: &[u64], k: usize, mut f: impl FnMut(u64)) {
    if words.len() < k {
        return;
    }
    // B^(k-1), to drop a window's first word when it slides.
    let top = (1..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
    let length = (k as u64).wrapping_mul(PER_WORD);
    let mut acc = words[..k - 1]
        .iter()
        .fold(0u64, |acc, &w| acc.wrapping_mul(BASE).wrapping_add(w));
    for (i, &w) in words[k - 1..].iter().enumerate() {
        acc = acc.wrapping_mul(BASE).wrapping_add(w);
        f(acc.wrapping_add(length));
        acc = acc.wrapping_sub(words[i].wrapping_mul(top));
    }
}

/// The sorted, deduplicated shingle set of `text`.
pub fn shingle_set(text: &str, k: usize, seed: u64) -> Vec<u64> {
    // About one shingle per five bytes of text: reserve once instead of growing.
    let mut all = Vec::with_capacity(text.len() / 5 + 8);
    for_each_shingle(text, k, seed, |h| all.push(h));
    let mut set = Vec::with_capacity(all.len());
    sorted_distinct_into(&all, &mut DistinctBuffers::default(), &mut set);
    set
}

/// The sorted, distinct fingerprints ([`crate::minhash::fingerprint`]: the top 32 bits of a
/// shingle hash) of `text`'s shingles: the sets verification compares. Half the size of
/// [`shingle_set`]; two shingles share a fingerprint with probability 2^-32, so a pair of
/// documents of a thousand shingles each is off by one shared shingle about once in four
/// thousand pairs.
pub fn fingerprint_set(text: &str, k: usize, seed: u64) -> Vec<u32> {
    let mut all = Vec::with_capacity(text.len() / 5 + 8);
    for_each_shingle(text, k, seed, |h| all.push(crate::minhash::fingerprint(h)));
    let mut set = Vec::with_capacity(all.len());
    sorted_distinct_into(&all, &mut DistinctBuffers::default(), &mut set);
    set
}

/// A value whose top bits are uniform, for [`sorted_distinct_into`].
pub(crate) trait Uniform: Copy + Ord + Default {
    const BITS: u32;
    /// The top `bits` bits.
    fn top(self, bits: u32) -> usize;
}

impl Uniform for u64 {
    const BITS: u32 = 64;
    fn top(self, bits: u32) -> usize {
        (self >> (64 - bits)) as usize
    }
}

impl Uniform for u32 {
    const BITS: u32 = 32;
    fn top(self, bits: u32) -> usize {
        (self >> (32 - bits)) as usize
    }
}

/// Buffers [`sorted_distinct_into`] reuses from call to call.
#[derive(Debug, Default)]
pub(crate) struct DistinctBuffers<T> {
    counts: Vec<u32>,
    /// The first pass's output; it only grows, so a call zeroes none of it (zeroing both
    /// passes' outputs and the counts was a memset of 25 KB per document).
    spare: Vec<T>,
}

/// Appends the distinct values of `hashes` (whose top bits are uniform) to `out`, sorted;
/// `bufs` are reused from call to call.
///
/// A radix sort on the top `2b` bits, `b` bits a pass, where `2^b` is about an eighth of
/// the number of values: two counting passes in one scan, two scatters. Values that share
/// their top `2b` bits (a few dozen pairs in a set of a thousand) are left in the order
/// given, so a last pass puts them in place and drops repeats as it copies; in order, the
/// common case, it takes one predictable branch a value. About 5.2 ns a value against 6.6
/// ns for the bucket sort with an insertion pass it replaced (whose insertion branch was a
/// coin toss where two values shared a bucket), and faster than an open-addressing table
/// of what was seen (which leaves the set unsorted, and verification needs it sorted).
/// Values that are not uniform (the last pass moving more than a few values per value) are
/// sorted by comparison instead.
///
/// About eight values a bucket rather than one: the buckets' counts, their prefix sums and
/// their zeroing cost as much per bucket as the values do per value, and 256 write heads
/// for a set of two thousand stay in the first-level cache. Against a bucket a value, at
/// 100k documents: sketching 1.61 -> 1.53 s, 5% fewer instructions in all.
pub(crate) fn sorted_distinct_into<T: Uniform>(
    hashes: &[T],
    bufs: &mut DistinctBuffers<T>,
    out: &mut Vec<T>,
) {
    let (n, from) = (hashes.len(), out.len());
    if n < 64 {
        return sorted_distinct_by_comparison(hashes, out);
    }
    // log2(n / 8), rounded up.
    let b = (usize::BITS - n.leading_zeros() - 3).clamp(6, 16.min(T::BITS / 2));
    let size = 1usize << b;
    let low = |h: T| h.top(2 * b) & (size - 1);
    let DistinctBuffers { counts, spare } = bufs;
    counts.clear();
    counts.resize(2 * size, 0);
    let (lo, hi) = counts.split_at_mut(size);
    for &h in hashes {
        lo[low(h)] += 1;
        hi[h.top(b)] += 1;
    }
    let (mut x, mut y) = (0, 0);
    for (l, h) in lo.iter_mut().zip(hi.iter_mut()) {
        (*l, x) = (x, x + *l);
        (*h, y) = (y, y + *h);
    }
    // The first pass into `spare`, the second into `out`.
    if spare.len() < n {
        spare.resize(n, T::default());
    }
    let by_low = &mut spare[..n];
    out.resize(from + n, T::default());
    let sorted = &mut out[from..];
    for &h in hashes {
        let at = &mut lo[low(h)];
        by_low[*at as usize] = h;
        *at += 1;
    }
    for &h in by_low.iter() {
        let at = &mut hi[h.top(b)];
        sorted[*at as usize] = h;
        *at += 1;
    }
    // In place: `sorted[..kept]` is sorted and distinct.
    let (mut kept, mut moved) = (1, 0);
    for i in 1..n {
        let h = sorted[i];
        if sorted[kept - 1] < h {
            sorted[kept] = h;
            kept += 1;
            continue;
        }
        let mut j = kept - 1;
        while j > 0 && sorted[j - 1] >= h {
            j -= 1;
        }
        if sorted[j] == h {
            continue;
        }
        moved += kept - j;
        if moved > 8 * n {
            // Not uniform: most values share their top bits.
            out.truncate(from);
            return sorted_distinct_by_comparison(hashes, out);
        }
        sorted.copy_within(j..kept, j + 1);
        sorted[j] = h;
        kept += 1;
    }
    out.truncate(from + kept);
}

/// [`sorted_distinct_into`] by a comparison sort.
fn sorted_distinct_by_comparison<T: Ord + Copy>(hashes: &[T], out: &mut Vec<T>) {
    let from = out.len();
    out.extend_from_slice(hashes);
    out[from..].sort_unstable();
    dedup_from(out, from);
}

/// Drops the repeats in `v[from..]` (sorted).
fn dedup_from<T: PartialEq + Copy>(v: &mut Vec<T>, from: usize) {
    let mut kept = from;
    for i in from..v.len() {
        if kept == from || v[kept - 1] != v[i] {
            v[kept] = v[i];
            kept += 1;
        }
    }
    v.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The bucket sort gives what a comparison sort and a dedup give, for any values and
        /// sizes, hashes and fingerprints (their top halves) alike, appended after what `out`
        /// held.
        #[test]
        fn sorted_distinct_is_sort_and_dedup(
            mut v in proptest::collection::vec(proptest::num::u64::ANY, 0..3000),
            skew in 0u32..64,
            repeats in 0usize..4,
        ) {
            // Skewed values (top bits mostly zero) land in few buckets; repeats make runs.
            v.iter_mut().for_each(|x| *x >>= skew);
            let copies: Vec<u64> = v.iter().step_by(repeats + 1).copied().collect();
            v.extend(copies);
            let fps: Vec<u32> = v.iter().map(|&x| (x >> 32) as u32).collect();
            let mut want = v.clone();
            want.sort_unstable();
            want.dedup();
            let mut out = vec![7u64];
            sorted_distinct_into(&v, &mut DistinctBuffers::default(), &mut out);
            proptest::prop_assert_eq!(&out[..1], &[7u64][..]);
            proptest::prop_assert_eq!(&out[1..], &want[..]);
            let mut want: Vec<u32> = fps.clone();
            want.sort_unstable();
            want.dedup();
            // Buffers left over from other sets do not matter.
            let mut bufs = DistinctBuffers {
                counts: vec![3, 1],
                spare: vec![9; 5000],
            };
            for _ in 0..2 {
                let mut out = Vec::new();
                sorted_distinct_into(&fps, &mut bufs, &mut out);
                proptest::prop_assert_eq!(&out, &want);
            }
        }
    }

    proptest::proptest! {
        /// Hashing an ASCII word while lowercasing it gives the hash of its lowercase copy.
        #[test]
        fn lowered_hash_is_the_hash_of_the_lowercase_word(
            word in "[a-zA-Z0-9]{0,40}",
            seed in proptest::num::u64::ANY,
        ) {
            let lower = word.to_ascii_lowercase();
            let want = word_hash_bytes(lower.as_bytes(), seed);
            // Alone, and inside a longer text (loads then reach past the word).
            proptest::prop_assert_eq!(
                word_hash_lowered(word.as_bytes(), 0, word.len(), seed),
                want
            );
            let text = format!("{word} and some more text after it");
            proptest::prop_assert_eq!(
                word_hash_lowered(text.as_bytes(), 0, word.len(), seed),
                want
            );
        }
    }

    #[test]
    fn fingerprint_set_is_the_shingle_sets_top_bits() {
        let text: String = (0..3000).map(|i| format!("w{} ", i % 1700)).collect();
        let mut want: Vec<u32> = shingle_set(&text, 5, 9)
            .iter()
            .map(|&h| crate::minhash::fingerprint(h))
            .collect();
        want.sort_unstable();
        want.dedup();
        assert!(want.len() > 1000);
        assert_eq!(fingerprint_set(&text, 5, 9), want);
    }

    #[test]
    fn too_short_has_no_shingles() {
        assert!(shingle_set("", 5, 1).is_empty());
        assert!(shingle_set("   \n\t ", 5, 1).is_empty());
        assert!(shingle_set("one two three four", 5, 1).is_empty());
        assert_eq!(shingle_set("one two three four five", 5, 1).len(), 1);
    }

    #[test]
    fn counts_windows_and_words() {
        let mut n = 0;
        let words = for_each_shingle("a b c d e f g", 5, 7, |_| n += 1);
        assert_eq!((words, n), (7, 3));
    }

    #[test]
    fn normalisation_decides_equality() {
        let a = shingle_set("The Army chief said, “no.”", 3, 9);
        let b = shingle_set("the army \t CHIEF said no", 3, 9);
        assert_eq!(a, b);
    }

    #[test]
    fn order_within_a_window_matters() {
        assert_ne!(shingle_set("a b c", 3, 0), shingle_set("c b a", 3, 0));
    }

    #[test]
    fn seed_changes_hashes() {
        assert_ne!(
            shingle_set("a b c d e", 5, 1),
            shingle_set("a b c d e", 5, 2)
        );
    }

    #[test]
    fn shingles_stay_inside_segments() {
        let joined = shingle_set("a b c d e f\ng h i j k l", 3, 1);
        assert_eq!(
            joined.len(),
            10,
            "a line break between long lines does not split"
        );
        let split = shingle_set("a b c d e f\n \r\n g h i j k l", 3, 1);
        assert_eq!(split.len(), 8, "4 windows in each paragraph");
        let short_line = shingle_set("a b c d e f\ng h i", 3, 1);
        assert_eq!(
            short_line.len(),
            5,
            "a line break next to a short line splits"
        );
        // A short paragraph is one shorter shingle, the same wherever it stands.
        let with_short = shingle_set("headline here\n\na b c d e", 3, 1);
        assert_eq!(with_short.len(), 4);
        let elsewhere = shingle_set("x y z w\n\nheadline here", 3, 1);
        assert_eq!(
            with_short.iter().filter(|h| elsewhere.contains(h)).count(),
            1
        );
        // A whole text shorter than k has none, however it is split.
        assert!(shingle_set("a\n\nb", 3, 1).is_empty());
        // A line of punctuation between two lines is not a blank line.
        assert_eq!(shingle_set("a b c d e f\n--\ng h i j k l", 3, 1).len(), 10);
        // CRLF line endings are line breaks like LF.
        assert_eq!(shingle_set("a b c d e f\r\n\r\ng h i j k l", 3, 1), split);
    }

    #[test]
    fn streaming_matches_token_windows_on_one_line() {
        let text = "one two three, four five six seven eight nine ten";
        let mut streamed = Vec::new();
        for_each_shingle(text, 4, 3, |h| streamed.push(h));
        assert_eq!(streamed, shingles_of_tokens(&tokens(text, 3), 4));
    }

    proptest::proptest! {
        #[test]
        fn rolled_windows_hash_as_shingles(
            words in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..40),
            k in 1usize..8,
        ) {
            let want: Vec<u64> = words.windows(k).map(shingle_hash).collect();
            proptest::prop_assert_eq!(window_hashes(&words, k), want);
        }

        /// `tokens` (the fast scanner) gives what normalising word by word gives: the same
        /// hashes, over the same original bytes.
        #[test]
        fn tokens_match_the_normaliser(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Bc", "9", " ", "\n", "\n\n", ",", "é", "E\u{301}", "東", "ｎ", "½", "ﬁ",
                "Seventeen0letters", "quite", " the ", "ordinary. ", "x\u{300}", "\u{a0}",
                "A0123456789012345678901234567890123456789012345678901234567890123456789z",
            ]), 0..200),
            seed in proptest::prelude::any::<u64>(),
        ) {
            let text: String = parts.concat();
            let mut want = Vec::new();
            crate::normalize::for_each_word(&text, |w, range| {
                want.push(Token { hash: word_hash(w, seed), range })
            });
            proptest::prop_assert_eq!(tokens(&text, seed), want);
        }
    }
}
