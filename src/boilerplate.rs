//! How many documents hold each shingle, approximately, so that boilerplate counts for little.
//!
//! Site chrome (header, navigation, footer), related-link lists, standard blurbs and the fixed
//! words of templated pages are shared by many documents that are otherwise unrelated. Left
//! as they are, they make short pages of one site look like near-duplicates (their Jaccard
//! can pass 0.8 on chrome alone). So every shingle gets a weight from its document frequency
//! `df`: `min(1, T / df)` for a threshold `T` (default 10). A shingle in at most `T` documents
//! counts fully; chrome in 2,000 pages of a site counts 1/200. The "content" figures of a pair
//! ([`crate::verify`]) are weighted Jaccard and containment with these weights: the same
//! formulas with sums of weights instead of counts. Because all shingles of a cluster of copies
//! have about the same `df`, weighting leaves identical and near-identical documents alone
//! unless a cluster has many more than `T` members and differs inside; raise `T` for corpora
//! with big clusters of edited copies.
//!
//! Document frequencies come from a count–min sketch (Cormode and Muthukrishnan, 2005) of two
//! rows of saturating 8-bit counters, sized from the number of shingles (about one byte per
//! two shingles in all): every distinct shingle of every document is added once. Estimates
//! are never low, and high only by collisions, which at that load add about 1 to 3 to a rare
//! shingle's count: a rare shingle reaches `T = 10` with probability about 1 in 10,000. Counts stop at 255. Increments commute, so the
//! counts (and every figure) are the same whatever the thread count.

use std::sync::atomic::{AtomicU8, Ordering};

/// Approximate document frequencies of shingle hashes.
#[derive(Debug)]
pub struct DocFrequency {
    rows: [Vec<AtomicU8>; 2],
    mask: usize,
}

impl DocFrequency {
    /// A sketch sized for about `shingles` (document, distinct shingle) additions.
    pub fn with_capacity(shingles: usize) -> DocFrequency {
        let width = (shingles / 4).next_power_of_two().max(1 << 16);
        let row = || (0..width).map(|_| AtomicU8::new(0)).collect::<Vec<_>>();
        DocFrequency {
            rows: [row(), row()],
            mask: width - 1,
        }
    }

    /// A sketch sized for a corpus of `bytes` of text in `documents` documents.
    pub fn for_corpus(bytes: usize, documents: usize) -> DocFrequency {
        DocFrequency::with_capacity(bytes / 6 + documents)
    }

    fn slots(&self, h: u64) -> [usize; 2] {
        let second =
            (h.rotate_left(32) ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        [
            (h as usize) & self.mask,
            (second >> 20) as usize & self.mask,
        ]
    }

    /// Counts one document's distinct shingles (`shingles` must be sorted and deduplicated).
    pub fn add_document(&self, shingles: &[u64]) {
        for &h in shingles {
            for (row, slot) in self.rows.iter().zip(self.slots(h)) {
                let _ = row[slot]
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_add(1));
            }
        }
    }

    /// The estimated number of documents holding `h` (at most 255, never below the truth).
    pub fn df(&self, h: u64) -> u32 {
        let [a, b] = self.slots(h);
        u32::from(
            self.rows[0][a]
                .load(Ordering::Relaxed)
                .min(self.rows[1][b].load(Ordering::Relaxed)),
        )
    }

    /// The counters, row after row (for saving).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.rows
            .iter()
            .flat_map(|r| r.iter().map(|c| c.load(Ordering::Relaxed)))
            .collect()
    }

    /// A sketch from [`DocFrequency::to_bytes`], or `None` when the length is not two rows of
    /// a power-of-two width.
    pub fn from_bytes(bytes: &[u8]) -> Option<DocFrequency> {
        let width = bytes.len() / 2;
        if bytes.len() % 2 != 0 || !width.is_power_of_two() {
            return None;
        }
        let row = |r: &[u8]| r.iter().map(|&c| AtomicU8::new(c)).collect::<Vec<_>>();
        Some(DocFrequency {
            rows: [row(&bytes[..width]), row(&bytes[width..])],
            mask: width - 1,
        })
    }

    /// The weight of `h` for threshold `t`: `min(1, t / df)`.
    pub fn weight(&self, h: u64, t: f64) -> f64 {
        weight(self.df(h), t)
    }
}

impl Clone for DocFrequency {
    fn clone(&self) -> DocFrequency {
        DocFrequency::from_bytes(&self.to_bytes()).expect("a sketch's own bytes are well formed")
    }
}

/// `min(1, t / df)`, and 1 for a shingle counted nowhere.
pub fn weight(df: u32, t: f64) -> f64 {
    if f64::from(df) <= t {
        1.0
    } else {
        t / f64::from(df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_documents_not_occurrences() {
        let df = DocFrequency::with_capacity(1000);
        df.add_document(&[1, 2, 3]);
        df.add_document(&[2, 3]);
        df.add_document(&[3]);
        assert_eq!((df.df(1), df.df(2), df.df(3), df.df(4)), (1, 2, 3, 0));
    }

    #[test]
    fn round_trips_through_bytes() {
        let df = DocFrequency::with_capacity(1000);
        df.add_document(&[5, 9]);
        df.add_document(&[9]);
        let back = DocFrequency::from_bytes(&df.to_bytes()).unwrap();
        assert_eq!((back.df(5), back.df(9), back.df(1)), (1, 2, 0));
        assert_eq!(df.clone().to_bytes(), df.to_bytes());
        assert!(DocFrequency::from_bytes(&[0; 6]).is_none());
    }

    #[test]
    fn saturates_and_weights() {
        let df = DocFrequency::with_capacity(10);
        for _ in 0..300 {
            df.add_document(&[42]);
        }
        assert_eq!(df.df(42), 255);
        assert!((df.weight(42, 10.0) - 10.0 / 255.0).abs() < 1e-12);
        assert_eq!(weight(3, 10.0), 1.0);
        assert_eq!(weight(20, 10.0), 0.5);
    }

    #[test]
    fn rare_shingles_stay_rare_at_full_load() {
        // 4 additions per counter on average, as sized: a shingle seen once almost never
        // reaches the default threshold of 10, where its weight would start to drop.
        let n = 1 << 18;
        let df = DocFrequency::with_capacity(n);
        let hashes: Vec<u64> = (0..n as u64)
            .map(|i| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()))
            .collect();
        for chunk in hashes.chunks(100) {
            let mut c = chunk.to_vec();
            c.sort_unstable();
            df.add_document(&c);
        }
        let over: usize = hashes.iter().filter(|&&h| df.weight(h, 10.0) < 1.0).count();
        assert!(over * 10_000 < n, "{over} of {n} rare shingles look common");
    }
}
