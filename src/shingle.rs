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
/// `k` must be in `1..=ConfigBuilder::MAX_SHINGLE_SIZE` (a [`crate::Config`] guarantees it).
pub fn for_each_shingle(text: &str, k: usize, seed: u64, mut f: impl FnMut(u64)) -> usize {
    let k = k.clamp(1, ConfigBuilder::MAX_SHINGLE_SIZE);
    let mut window = [0u64; ConfigBuilder::MAX_SHINGLE_SIZE];
    let mut words = 0usize;
    for_each_word(text, |w, _| {
        let h = word_hash(w, seed);
        if words < k {
            window[words] = h;
        } else {
            window.copy_within(1..k, 0);
            window[k - 1] = h;
        }
        words += 1;
        if words >= k {
            f(shingle_hash(&window[..k]));
        }
    });
    words
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
        let b = shingle_set("the army\r\nCHIEF said no", 3, 9);
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
    fn streaming_matches_token_windows() {
        let text = "one two three, four five six seven eight nine ten";
        let mut streamed = Vec::new();
        for_each_shingle(text, 4, 3, |h| streamed.push(h));
        assert_eq!(streamed, shingles_of_tokens(&tokens(text, 3), 4));
    }
}
