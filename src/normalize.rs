//! Text → normalised words, each mapped back to its bytes in the original text.
//!
//! Input: any `&str`. Output: a sequence of words, each a normalised string plus the byte
//! range of the original word it came from. A word is a maximal run of letters, digits and
//! combining marks; every other character (whitespace, punctuation, symbols, emoji) separates
//! words and is dropped, which folds straight and curly quotes, dashes, and runs of whitespace
//! or line endings (CRLF or LF) alike. Each Han, Hiragana or Katakana character is a word of
//! its own, since those scripts do not separate words with spaces.
//!
//! Each word is put in Unicode NFKC form and lowercased (then NFKC again, since lowercasing
//! can decompose), so `café` in NFC and in NFD, `ﬁle` and `file`, and `Ｎｅｗｓ` and `news`
//! all give the same word. Should normalisation produce a separator inside a word (NFKC turns
//! `½` into `1⁄2`), the word splits, and every piece maps to the whole original word, which
//! keeps [`normalize`] idempotent.
//!
//! Cost: one pass over the text; ASCII text is scanned 64 bytes at a time without touching
//! the Unicode tables ([`scan_tokens`]), and no word allocates.
//!
//! Deliberately skipped: stemming, stop words, case folding beyond lowercase (`ß` stays `ß`),
//! and transliteration. They change what "the same text" means, and the span report must be
//! able to say exactly which bytes matched.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalised text plus, for each of its words, the original bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised words joined by single spaces.
    pub text: String,
    /// `offsets[i]` is the byte range, in the original text, of the `i`-th word of `text`.
    pub offsets: Vec<Range<usize>>,
}

/// Normalises `text` into words separated by single spaces, keeping the offset map.
///
/// # Example
///
/// ```
/// let n = neardupe::normalize::normalize("Hello,  WORLD! Café");
/// assert_eq!(n.text, "hello world café");
/// assert_eq!(n.offsets[1], 8..13);
/// ```
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        offsets: Vec::new(),
    };
    for_each_word(text, |word, range| {
        if !out.text.is_empty() {
            out.text.push(' ');
        }
        out.text.push_str(word);
        out.offsets.push(range);
    });
    out
}

/// Calls `f` with every normalised word of `text` and the original byte range it came from,
/// in order. The `&str` handed to `f` is only valid during the call.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str, Range<usize>)) {
    let mut words = WordBuffers::default();
    split_words(text, |range| words.normalize(text, range, &mut f));
}

/// Reused buffers for normalising words.
#[derive(Default)]
struct WordBuffers {
    buf: String,
    scratch: String,
}

impl WordBuffers {
    /// Normalises the word at `range` of `text` and hands `f` each piece it gives.
    fn normalize(
        &mut self,
        text: &str,
        range: Range<usize>,
        f: &mut impl FnMut(&str, Range<usize>),
    ) {
        let word = &text[range.clone()];
        self.buf.clear();
        if word.is_ascii() {
            self.buf.push_str(word);
            self.buf.make_ascii_lowercase();
            f(&self.buf, range);
        } else {
            self.scratch.clear();
            self.scratch
                .extend(word.nfkc().flat_map(char::to_lowercase));
            self.buf.extend(self.scratch.nfkc());
            // Normalisation may have produced separators or CJK characters: split again.
            let buf = &self.buf;
            split_words(buf, |piece| f(&buf[piece], range.clone()));
        }
    }
}

/// What separates a word from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// Spaces or punctuation on one line (and the gap before the first word).
    Space,
    /// A line break.
    Line,
    /// A blank line: two line breaks with only whitespace between them.
    Paragraph,
}

/// The gap being read between two words.
#[derive(Debug, Clone, Copy)]
struct GapState {
    newlines: u32,
    kind: Gap,
}

impl GapState {
    const START: GapState = GapState {
        newlines: 0,
        kind: Gap::Space,
    };

    fn newline(&mut self) {
        self.newlines += 1;
        self.kind = if self.newlines >= 2 {
            Gap::Paragraph
        } else {
            self.kind.max(Gap::Line)
        };
    }

    /// Reads separating ASCII bytes.
    fn ascii(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match ASCII_CLASS[b as usize] {
                Class::Newline => self.newline(),
                Class::Space => {}
                _ => self.newlines = 0,
            }
        }
    }

    fn char(&mut self, c: char) {
        if c == '\n' {
            self.newline();
        } else if !c.is_whitespace() {
            self.newlines = 0;
        }
    }
}

/// A word as [`scan_tokens`] hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word<'a> {
    /// ASCII letters and digits as they are in the text, `text[start..end]`: the normalised
    /// word is these bytes lowercased (each `b | 0x20`). The whole text comes along so that
    /// a reader may load whole machine words around the word's bytes.
    Ascii {
        /// The text scanned.
        text: &'a [u8],
        /// Where the word starts in it.
        start: usize,
        /// Where it ends (exclusive).
        end: usize,
    },
    /// A normalised word (or one piece of a word normalisation split) and the bytes of the
    /// original word it came from, `start..end` of the text (the pieces of one word share
    /// them).
    Normalized {
        /// The normalised word.
        word: &'a [u8],
        /// Where the original word starts in the text.
        start: usize,
        /// Where it ends (exclusive).
        end: usize,
    },
}

impl Word<'_> {
    /// The bytes of the text the word came from.
    pub fn range(&self) -> Range<usize> {
        match *self {
            Word::Ascii { start, end, .. } | Word::Normalized { start, end, .. } => start..end,
        }
    }
}

/// Hands words to a callback with the gap before each.
struct Emitter<F> {
    f: F,
    gap: GapState,
    first: bool,
}

impl<F: FnMut(Word<'_>, Gap)> Emitter<F> {
    #[inline(always)]
    fn emit(&mut self, word: Word<'_>) {
        let gap = std::mem::replace(&mut self.gap, GapState::START).kind;
        (self.f)(word, if self.first { Gap::Space } else { gap });
        self.first = false;
    }
}

/// Calls `f` with every normalised word of `text` (as [`for_each_word`] gives them) and what
/// separates it from the word before: [`Gap::Space`] for the first word and for the later
/// pieces of a word that normalisation split, otherwise a blank line if the separating
/// characters hold two line breaks with only whitespace between them, a line break if they
/// hold one, and a space if none.
///
/// The hot path of the pipeline: ASCII runs are scanned eight bytes at a time and lowercased
/// into a small buffer; only a stretch holding non-ASCII characters (up to the next ASCII
/// separator) takes the Unicode path. [`scan_tokens`] skips the lowercasing copy.
pub fn scan_words(text: &str, mut f: impl FnMut(&[u8], Gap)) {
    let mut buf: Vec<u8> = Vec::with_capacity(64);
    scan_tokens(text, |word, gap| match word {
        Word::Ascii { text, start, end } => {
            buf.clear();
            buf.extend(text[start..end].iter().map(|&b| b | 0x20));
            f(&buf, gap);
        }
        Word::Normalized { word, .. } => f(word, gap),
    });
}

/// [`scan_words`], handing ASCII words over as they are in the text (to be lowercased by the
/// callback, as a hash can do while it reads them).
///
/// ASCII text is taken 64 bytes at a time: masks of its word bytes and line breaks give
/// every word that ends in the block without a branch per byte; gaps without a line break
/// (almost all) need no look at their bytes. A word running past the block starts the next
/// one; a block holding a non-ASCII byte is scanned word by word up to and past it.
pub fn scan_tokens(text: &str, f: impl FnMut(Word<'_>, Gap)) {
    let bytes = text.as_bytes();
    let mut out = Emitter {
        f,
        gap: GapState::START,
        first: true,
    };
    let mut words = WordBuffers::default();
    let mut i = 0;
    while i < bytes.len() {
        let block = swar::Block::at(bytes, i);
        let next = ascii_block(bytes, i, &block, &mut out);
        i = if next > i {
            next
        } else {
            // A word not ending in the block, or a non-ASCII byte at hand: one word the slow
            // way.
            word_step(text, i, &mut words, &mut out)
        };
    }
}

/// Emits the words of the block at `base` that end inside it (and before its first non-ASCII
/// byte), feeding the gaps to the gap state; returns where it stopped: at the start of a word
/// that does not end in the block, or at the block's end, or at `base` when it could not
/// move.
fn ascii_block<F: FnMut(Word<'_>, Gap)>(
    bytes: &[u8],
    base: usize,
    block: &swar::Block,
    out: &mut Emitter<F>,
) -> usize {
    // Bytes usable: up to the text's end, and before the first non-ASCII byte.
    let lim = block.len.min(block.high.trailing_zeros() as usize);
    let valid = swar::below(lim);
    let word = block.word & valid;
    // `base` is a word boundary (the text's start or the end of a word or gap): a word byte
    // there starts a word.
    let mut starts = word & !(word << 1);
    // Word ends (exclusive) inside the usable bytes; a word reaching the text's end ends
    // there too.
    let mut ends = !word & (word << 1) & valid;
    let at_text_end = base + lim == bytes.len();
    // No line break in the block and none pending: every gap in it leaves the gap state as
    // it is, so none needs feeding (most blocks of prose).
    let quiet = block.newline & valid == 0 && out.gap.newlines == 0;
    let mut fed = base;
    while starts != 0 {
        let s = starts.trailing_zeros() as usize;
        if !quiet {
            feed_gap(bytes, fed, base + s, block, base, out);
        }
        let e = if ends != 0 {
            ends.trailing_zeros() as usize
        } else if at_text_end && lim > 0 && (word >> (lim - 1)) & 1 == 1 {
            lim
        } else {
            // The word runs on past the usable bytes: it starts the next block.
            return base + s;
        };
        out.emit(Word::Ascii {
            text: bytes,
            start: base + s,
            end: base + e,
        });
        fed = base + e;
        starts &= starts - 1;
        ends &= ends.wrapping_sub(1);
    }
    if !quiet {
        feed_gap(bytes, fed, base + lim, block, base, out);
    }
    base + lim
}

/// Feeds the separator bytes `from..to` (ASCII, inside the block at `base`) to the gap
/// state: only a line break, or a gap already holding one, needs them looked at.
fn feed_gap<F>(
    bytes: &[u8],
    from: usize,
    to: usize,
    block: &swar::Block,
    base: usize,
    out: &mut Emitter<F>,
) {
    if from >= to {
        return;
    }
    let range = swar::below(to - base) & !swar::below(from - base);
    if block.newline & range == 0 && out.gap.newlines == 0 {
        // Spaces and punctuation: they leave a gap with no line break as it is.
        return;
    }
    out.gap.ascii(&bytes[from..to]);
}

/// One step of the word-by-word scan from `i` (a word boundary): the separators up to the
/// next word, then that word (or the stretch of non-ASCII characters it starts). Returns
/// where it stopped.
fn word_step<F: FnMut(Word<'_>, Gap)>(
    text: &str,
    i: usize,
    words: &mut WordBuffers,
    out: &mut Emitter<F>,
) -> usize {
    let bytes = text.as_bytes();
    // Separators up to the next word (or non-ASCII byte).
    let j = swar::next_word_or_high(bytes, i);
    out.gap.ascii(&bytes[i..j]);
    if j >= bytes.len() {
        return bytes.len();
    }
    if bytes[j] >= 0x80 {
        return unicode_stretch(text, j, words, out);
    }
    let k = swar::next_non_word(bytes, j);
    if k < bytes.len() && bytes[k] >= 0x80 {
        return unicode_stretch(text, j, words, out);
    }
    out.emit(Word::Ascii {
        text: bytes,
        start: j,
        end: k,
    });
    k
}

/// Finding word boundaries eight bytes at a time (SIMD within a register): each byte's high
/// bit in a mask says whether it is an ASCII letter or digit.
mod swar {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn rep(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }

    /// Eight bytes from `i` (zeros past the end, which count as separators).
    #[inline]
    fn load(bytes: &[u8], i: usize) -> u64 {
        match bytes.get(i..i + 8) {
            Some(b) => u64::from_le_bytes(b.try_into().expect("eight bytes")),
            None => {
                let mut b = [0u8; 8];
                let tail = &bytes[i.min(bytes.len())..];
                b[..tail.len()].copy_from_slice(tail);
                u64::from_le_bytes(b)
            }
        }
    }

    /// High bit set in each byte of `x` that is an ASCII letter or digit. Bytes are taken
    /// without their high bit so that no addition carries into the next byte.
    #[inline]
    fn alnum(x: u64) -> u64 {
        let v = x & LOW7;
        let l = v | rep(0x20);
        let letter = (l + rep(0x80 - b'a')) & !(l + rep(0x7f - b'z'));
        let digit = (v + rep(0x80 - b'0')) & !(v + rep(0x7f - b'9'));
        (letter | digit) & !x & HIGH
    }

    /// Bit `i` set for each `i < n` (all 64 for `n >= 64`).
    #[inline]
    pub(super) fn below(n: usize) -> u64 {
        if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
    }

    /// The high bit of each byte of `m` (others clear) as one bit per byte: bit `k` for
    /// byte `k`.
    #[inline]
    fn gather(m: u64) -> u64 {
        (((m >> 7) & rep(0x01)).wrapping_mul(0x0102_0408_1020_4080)) >> 56
    }

    /// High bit set in each byte of `x` that is `b` (`b` ASCII).
    #[inline]
    fn equal(x: u64, b: u8) -> u64 {
        let t = x ^ rep(b);
        // A byte is zero when adding 0x7f to its low 7 bits does not reach the high bit and
        // its own high bit is clear.
        !(((t & LOW7) + LOW7) | t) & HIGH
    }

    /// Sixteen bytes per instruction with SSE2.
    #[cfg(target_arch = "x86_64")]
    mod sse2 {
        use std::arch::x86_64::{
            __m128i, _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };

        /// Bytes of `v` in `from..from + n` (ASCII bounds): moved so that the range starts
        /// at -128, one signed compare finds them.
        #[target_feature(enable = "sse2")]
        fn in_range(v: __m128i, from: u8, n: u8) -> __m128i {
            let moved = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(from) as i8));
            _mm_cmplt_epi8(moved, _mm_set1_epi8((0x80u8 + n) as i8))
        }

        /// Masks of 16 bytes, one bit per byte: ASCII letters and digits, `\n`, non-ASCII.
        #[target_feature(enable = "sse2")]
        pub(super) fn masks(bytes: &[u8; 16]) -> (u16, u16, u16) {
            // SAFETY: the 16 bytes read are `bytes`; the load has no alignment requirement.
            let v = unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) };
            let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 26);
            let digit = in_range(v, b'0', 10);
            let high = _mm_movemask_epi8(v) as u16;
            // A non-ASCII byte can land in either range: it is never a word byte here.
            let word = _mm_movemask_epi8(_mm_or_si128(letter, digit)) as u16 & !high;
            let newline = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))) as u16;
            (word, newline, high)
        }
    }

    /// Masks of 64 bytes of text from some position (bit `k` for the `k`-th byte).
    pub(super) struct Block {
        /// ASCII letters and digits.
        pub(super) word: u64,
        /// `\n`.
        pub(super) newline: u64,
        /// Non-ASCII bytes.
        pub(super) high: u64,
        /// Bytes of text in the block (at most 64).
        pub(super) len: usize,
    }

    impl Block {
        /// The masks of the 64 bytes from `i` (fewer at the text's end; bytes past it count
        /// as separators): with SSE2 on x86-64 (16 bytes per compare), elsewhere eight bytes
        /// at a time in a register.
        #[inline]
        pub(super) fn at(bytes: &[u8], i: usize) -> Block {
            #[cfg(target_arch = "x86_64")]
            {
                Block::at_sse2(bytes, i)
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                Block::at_swar(bytes, i)
            }
        }

        /// [`Block::at`] with SSE2, which every x86-64 processor has.
        #[cfg(target_arch = "x86_64")]
        #[inline]
        pub(super) fn at_sse2(bytes: &[u8], i: usize) -> Block {
            let len = (bytes.len() - i).min(64);
            let mut padded = [0u8; 64];
            let block: &[u8; 64] = match bytes.get(i..i + 64) {
                Some(b) => b.try_into().expect("64 bytes"),
                None => {
                    padded[..len].copy_from_slice(&bytes[i..i + len]);
                    &padded
                }
            };
            let (mut word, mut newline, mut high) = (0u64, 0u64, 0u64);
            for (c, chunk) in block.chunks_exact(16).enumerate() {
                // SAFETY: SSE2 is in the x86-64 baseline, so every x86-64 processor has it.
                let m = unsafe { sse2::masks(chunk.try_into().expect("16 bytes")) };
                word |= u64::from(m.0) << (16 * c);
                newline |= u64::from(m.1) << (16 * c);
                high |= u64::from(m.2) << (16 * c);
            }
            Block {
                word,
                newline,
                high,
                len,
            }
        }

        /// [`Block::at`] eight bytes at a time in a register.
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline]
        pub(super) fn at_swar(bytes: &[u8], i: usize) -> Block {
            let (mut word, mut newline, mut high) = (0u64, 0u64, 0u64);
            for c in 0..8 {
                let x = load(bytes, i + 8 * c);
                word |= gather(alnum(x)) << (8 * c);
                newline |= gather(equal(x, b'\n')) << (8 * c);
                high |= gather(x & HIGH) << (8 * c);
            }
            let len = (bytes.len() - i).min(64);
            Block {
                word,
                newline,
                high,
                len,
            }
        }
    }

    /// The first index from `i` holding a letter, a digit or a non-ASCII byte, or the length.
    #[inline]
    pub(super) fn next_word_or_high(bytes: &[u8], mut i: usize) -> usize {
        while i < bytes.len() {
            let x = load(bytes, i);
            let m = alnum(x) | (x & HIGH);
            if m != 0 {
                return (i + (m.trailing_zeros() / 8) as usize).min(bytes.len());
            }
            i += 8;
        }
        bytes.len()
    }

    /// The first index from `i` not holding an ASCII letter or digit, or the length.
    #[inline]
    pub(super) fn next_non_word(bytes: &[u8], mut i: usize) -> usize {
        while i < bytes.len() {
            let m = !alnum(load(bytes, i)) & HIGH;
            if m != 0 {
                return (i + (m.trailing_zeros() / 8) as usize).min(bytes.len());
            }
            i += 8;
        }
        bytes.len()
    }

    #[cfg(test)]
    mod tests {
        #[cfg(target_arch = "x86_64")]
        proptest::proptest! {
            #[test]
            fn sse2_masks_match_swar_masks(
                bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..200),
                at in 0usize..200,
            ) {
                let i = at % bytes.len();
                let (a, b) = (super::Block::at_sse2(&bytes, i), super::Block::at_swar(&bytes, i));
                proptest::prop_assert_eq!(
                    (a.word, a.newline, a.high, a.len),
                    (b.word, b.newline, b.high, b.len)
                );
            }
        }

        #[test]
        fn masks_match_the_byte_table() {
            for b in 0..=255u8 {
                let x = u64::from(b) << 24 | 0x41;
                let want = b.is_ascii_alphanumeric();
                assert_eq!(super::alnum(x) & (0x80 << 24) != 0, want, "byte {b:#x}");
                assert_ne!(super::alnum(x) & 0x80, 0);
            }
            let text = b"  ab,C9\xc3\xa9 z";
            assert_eq!(super::next_word_or_high(text, 0), 2);
            assert_eq!(super::next_non_word(text, 2), 4);
            assert_eq!(super::next_word_or_high(text, 4), 5);
            assert_eq!(super::next_non_word(text, 5), 7);
            assert_eq!(super::next_word_or_high(text, 7), 7);
            assert_eq!(super::next_word_or_high(text, 9), 10);
            assert_eq!(super::next_non_word(text, 10), 11);
            assert_eq!(super::next_word_or_high(b"   ", 0), 3);
        }
    }
}

/// Scans `text` from `start` (a word boundary) to the next ASCII separator with the Unicode
/// rules; returns where it stopped.
fn unicode_stretch<F: FnMut(Word<'_>, Gap)>(
    text: &str,
    start: usize,
    words: &mut WordBuffers,
    out: &mut Emitter<F>,
) -> usize {
    let bytes = text.as_bytes();
    let end = bytes[start..]
        .iter()
        .position(|&b| b < 0x80 && !ASCII_WORD[b as usize])
        .map_or(bytes.len(), |p| start + p);
    let stretch = &text[start..end];
    let mut prev = 0;
    split_words(stretch, |range| {
        stretch[prev..range.start]
            .chars()
            .for_each(|c| out.gap.char(c));
        prev = range.end;
        words.normalize(stretch, range, &mut |w, range| {
            out.emit(Word::Normalized {
                word: w.as_bytes(),
                start: start + range.start,
                end: start + range.end,
            })
        });
    });
    stretch[prev..].chars().for_each(|c| out.gap.char(c));
    end
}

/// How [`scan_words`] treats each byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ASCII letter or digit.
    Word,
    /// `\n`.
    Newline,
    /// Other ASCII whitespace.
    Space,
    /// Other ASCII characters.
    Punct,
    /// A byte of a non-ASCII character.
    High,
}

const ASCII_CLASS: [Class; 256] = {
    let mut t = [Class::High; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            Class::Word
        } else if c == b'\n' {
            Class::Newline
        } else if matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c) {
            Class::Space
        } else {
            Class::Punct
        };
        b += 1;
    }
    t
};

/// Whether `c` belongs inside a word.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// Whether `c` is a word of its own (scripts written without spaces between words).
fn is_solo_char(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // CJK Extensions B-F, Compatibility Supplement
}

/// Calls `f` with the byte range of every word of `s`, unnormalised.
fn split_words(s: &str, mut f: impl FnMut(Range<usize>)) {
    let bytes = s.as_bytes();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            // ASCII: a table lookup, no UTF-8 decoding.
            if ASCII_WORD[b as usize] {
                start.get_or_insert(i);
            } else if let Some(st) = start.take() {
                f(st..i);
            }
            i += 1;
            continue;
        }
        let c = s[i..].chars().next().expect("i is on a character boundary");
        if is_solo_char(c) {
            if let Some(st) = start.take() {
                f(st..i);
            }
            f(i..i + c.len_utf8());
        } else if is_word_char(c) {
            // A combining mark right after a solo character belongs to it; keep it simple
            // and let it start a word of its own only when no word is open.
            start.get_or_insert(i);
        } else if let Some(st) = start.take() {
            f(st..i);
        }
        i += c.len_utf8();
    }
    if let Some(st) = start {
        f(st..s.len());
    }
}

/// Which ASCII bytes belong inside a word (letters and digits).
const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        for_each_word(s, |w, _| v.push(w.to_string()));
        v
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(normalize("").text, "");
        assert_eq!(normalize(" \t\r\n  ").text, "");
        assert!(normalize("...!!").offsets.is_empty());
    }

    #[test]
    fn folds_case_punctuation_and_whitespace() {
        assert_eq!(
            normalize("The  Army’s chief,\r\nsaid: \"No\"").text,
            "the army s chief said no"
        );
        assert_eq!(normalize("Army's").text, normalize("Army’s").text);
    }

    #[test]
    fn nfc_and_nfd_match() {
        let nfc = "Caf\u{e9} na\u{ef}ve \u{c5}ngstr\u{f6}m";
        let nfd = "Cafe\u{301} nai\u{308}ve A\u{30a}ngstro\u{308}m";
        assert_ne!(nfc, nfd);
        assert_eq!(normalize(nfc).text, normalize(nfd).text);
        assert_eq!(
            normalize(nfd).text,
            "caf\u{e9} na\u{ef}ve \u{e5}ngstr\u{f6}m"
        );
    }

    #[test]
    fn compatibility_forms_fold() {
        assert_eq!(
            words("\u{fb01}le \u{ff2e}\u{ff45}\u{ff57}\u{ff53}"),
            ["file", "news"]
        );
    }

    #[test]
    fn offsets_point_at_original_bytes() {
        let text = "“Héllo”, WORLD—ok";
        let n = normalize(text);
        let originals: Vec<&str> = n.offsets.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(originals, ["Héllo", "WORLD", "ok"]);
    }

    #[test]
    fn split_by_normalisation_maps_to_whole_word() {
        let n = normalize("a½b");
        assert_eq!(n.text, "a1 2b");
        assert_eq!(n.offsets, [0..4, 0..4]);
        assert_eq!(normalize(&n.text).text, n.text);
    }

    #[test]
    fn cjk_characters_are_words() {
        assert_eq!(
            words("東京タワーhello"),
            ["東", "京", "タ", "ワ", "ー", "hello"]
        );
    }

    #[test]
    fn digits_are_words() {
        assert_eq!(words("In 2012, 3.5%"), ["in", "2012", "3", "5"]);
    }

    /// The gaps as the pipeline first computed them: from the separating text, by chars.
    fn reference(text: &str) -> Vec<(String, Gap)> {
        reference_with_ranges(text)
            .into_iter()
            .map(|(w, g, _)| (w, g))
            .collect()
    }

    /// [`reference`], with each word's original bytes.
    fn reference_with_ranges(text: &str) -> Vec<(String, Gap, Range<usize>)> {
        let mut out: Vec<(String, Gap, Range<usize>)> = Vec::new();
        let mut prev_end = 0usize;
        for_each_word(text, |w, range| {
            let gap = if out.is_empty() || range.start <= prev_end {
                Gap::Space
            } else {
                let mut g = GapState::START;
                text[prev_end..range.start].chars().for_each(|c| g.char(c));
                g.kind
            };
            prev_end = prev_end.max(range.end);
            out.push((w.to_string(), gap, range));
        });
        out
    }

    /// What [`scan_tokens`] hands over: words lowercased, with gaps and original bytes.
    fn tokens_scanned(text: &str) -> Vec<(String, Gap, Range<usize>)> {
        let mut out = Vec::new();
        scan_tokens(text, |w, gap| {
            let word = match w {
                Word::Ascii { text, start, end } => text[start..end]
                    .iter()
                    .map(|&b| (b | 0x20) as char)
                    .collect(),
                Word::Normalized { word, .. } => String::from_utf8(word.to_vec()).unwrap(),
            };
            out.push((word, gap, w.range()));
        });
        out
    }

    fn scanned(text: &str) -> Vec<(String, Gap)> {
        let mut out = Vec::new();
        scan_words(text, |w, gap| {
            out.push((String::from_utf8(w.to_vec()).unwrap(), gap))
        });
        out
    }

    #[test]
    fn scan_words_gaps() {
        use Gap::*;
        let got = scanned("Head line\n\nFirst para, Café\r\n-- x\n \n½b 東京 ok");
        let want = [
            ("head", Space),
            ("line", Space),
            ("first", Paragraph),
            ("para", Space),
            ("café", Space),
            ("x", Line),
            ("1", Paragraph),
            ("2b", Space),
            ("東", Space),
            ("京", Space),
            ("ok", Space),
        ];
        let want: Vec<(String, Gap)> = want.iter().map(|(w, g)| (w.to_string(), *g)).collect();
        assert_eq!(got, want);
        assert_eq!(
            got,
            reference("Head line\n\nFirst para, Café\r\n-- x\n \n½b 東京 ok")
        );
    }

    /// A gap longer than a block: a line break in one block, punctuation (which ends a blank
    /// line) filling the next, another line break in the third.
    #[test]
    fn gaps_spanning_blocks() {
        use Gap::*;
        for (filler, want) in [(", ", Line), ("  ", Paragraph)] {
            // Every place of the line breaks against the blocks' edges.
            for (lead, fill) in (0..64).flat_map(|l| (32..66).map(move |f| (l, f))) {
                let text = format!("{}a\n{}\nb", "x ".repeat(lead), filler.repeat(fill));
                let got = scanned(&text);
                assert_eq!(got.last(), Some(&("b".to_string(), want)), "{text:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn scan_words_matches_for_each_word(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Bc", "9", " ", "  ", "\n", "\r\n", "\t", ",", "--", "é", "E\u{301}",
                "\u{a0}", "\u{2028}", "“", "東", "ｎ", "½", "ﬁ", "\u{85}", "\u{1c}", "x\u{300}",
                "Seventeen0letters", "quite", " the ", "ordinary. ", "\n\n",
                "A0123456789012345678901234567890123456789012345678901234567890123456789z",
            ]), 0..200)
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(scanned(&text), reference(&text));
            proptest::prop_assert_eq!(tokens_scanned(&text), reference_with_ranges(&text));
        }
    }
}
