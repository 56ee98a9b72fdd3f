//! Normalised words → hashed word shingles.
//!
//! Input: a text. Output: one 64-bit hash per window of `k` consecutive normalised words (a
//! word `k`-shingle). Words are hashed with xxh3 (seeded); a shingle's hash is xxh3 of its `k`
//! word hashes, so shingles are order-sensitive inside the window. A text with fewer than `k`
//! words has no shingles: it is never matched (the run counts it as too short).
//!
//! Cost: one pass over the text, a fixed-size window on the stack, no allocation per word.
//! The shingle *set* (sorted, deduplicated) is only built where exact figures are needed.

use std::ops::Range;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::config::ConfigBuilder;
use crate::normalize::for_each_word;

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
    xxh3_64_with_seed(word.as_bytes(), seed)
}

/// The hash of a shingle, from its words' hashes in order.
pub fn shingle_hash(words: &[u64]) -> u64 {
    let mut bytes = [0u8; 8 * ConfigBuilder::MAX_SHINGLE_SIZE];
    for (chunk, h) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    xxh3_64(&bytes[..8 * words.len()])
}

/// All words of `text` as hashed tokens with their original byte ranges.
pub fn tokens(text: &str, seed: u64) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_word(text, |w, range| {
        out.push(Token {
            hash: word_hash(w, seed),
            range,
        })
    });
    out
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
pub fn for_each_shingle(text: &str, k: usize, seed: u64, mut f: impl FnMut(u64)) -> usize {
    let k = k.clamp(1, ConfigBuilder::MAX_SHINGLE_SIZE);
    // Word hashes as little-endian bytes, so a window is hashed in place (the same bytes
    // `shingle_hash` builds), and what separates each word from the one before.
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len() + text.len() / 2);
    let mut gaps: Vec<Gap> = Vec::with_capacity(text.len() / 5);
    let mut prev_end = 0usize;
    for_each_word(text, |w, range| {
        let gap = if gaps.is_empty() || range.start <= prev_end {
            Gap::Space
        } else {
            gap_kind(&text[prev_end..range.start])
        };
        prev_end = prev_end.max(range.end);
        bytes.extend_from_slice(&word_hash(w, seed).to_le_bytes());
        gaps.push(gap);
    });
    let words = gaps.len();
    if words < k {
        return words;
    }
    let hash = |from: usize, to: usize| xxh3_64(&bytes[8 * from..8 * to]);
    // Lines, as ranges of word indexes.
    let mut lines: Vec<(usize, usize, bool)> = Vec::new(); // (start, end, blank line before)
    for (i, &gap) in gaps.iter().enumerate() {
        if i == 0 || gap != Gap::Space {
            lines.push((i, i + 1, gap == Gap::Paragraph));
        } else if let Some(last) = lines.last_mut() {
            last.1 = i + 1;
        }
    }
    let short = |l: &(usize, usize, bool)| l.1 - l.0 < 2 * k;
    let mut segment_start = 0usize;
    for (n, line) in lines.iter().enumerate() {
        let next = lines.get(n + 1);
        let ends = match next {
            None => true,
            Some(next) => next.2 || short(line) || short(next),
        };
        if !ends {
            continue;
        }
        let end = line.1;
        if end - segment_start < k {
            f(hash(segment_start, end));
        } else {
            for start in segment_start..=end - k {
                f(hash(start, start + k));
            }
        }
        segment_start = end;
    }
    words
}

/// What separates two words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// Spaces or punctuation on one line.
    Space,
    /// A line break.
    Line,
    /// A blank line.
    Paragraph,
}

fn gap_kind(gap: &str) -> Gap {
    if gap == " " {
        return Gap::Space;
    }
    let mut newlines = 0;
    let mut kind = Gap::Space;
    for c in gap.chars() {
        match c {
            '\n' => {
                newlines += 1;
                kind = if newlines >= 2 {
                    Gap::Paragraph
                } else {
                    kind.max_line()
                };
            }
            c if c.is_whitespace() => {}
            _ => newlines = 0,
        }
    }
    kind
}

impl Gap {
    fn max_line(self) -> Gap {
        if self == Gap::Paragraph {
            self
        } else {
            Gap::Line
        }
    }
}

/// Shingle hashes of a token sequence, one per window start (`tokens.len() - k + 1` of them,
/// or none when there are fewer than `k` tokens).
pub fn shingles_of_tokens(tokens: &[Token], k: usize) -> Vec<u64> {
    let hashes: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
    hashes.windows(k.max(1)).map(shingle_hash).collect()
}

/// The sorted, deduplicated shingle set of `text`.
pub fn shingle_set(text: &str, k: usize, seed: u64) -> Vec<u64> {
    let mut set = Vec::new();
    for_each_shingle(text, k, seed, |h| set.push(h));
    set.sort_unstable();
    set.dedup();
    set
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
