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
//! Cost: one pass over the text; ASCII words are lowercased into a reused buffer without
//! touching the Unicode tables, and no word allocates.
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
    let mut buf = String::new();
    let mut scratch = String::new();
    split_words(text, |range| {
        let word = &text[range.clone()];
        buf.clear();
        if word.is_ascii() {
            buf.push_str(word);
            buf.make_ascii_lowercase();
            f(&buf, range);
        } else {
            scratch.clear();
            scratch.extend(word.nfkc().flat_map(char::to_lowercase));
            buf.extend(scratch.nfkc());
            // Normalisation may have produced separators or CJK characters: split again.
            split_words(&buf, |piece| f(&buf[piece], range.clone()));
        }
    });
}

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
}
