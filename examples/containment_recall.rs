//! Measures how often an article inside its full page becomes a candidate, by route, for
//! comment sections from 0.5x to 15x the article, and what the containment sample costs.
//!
//! `cargo run --release --example containment_recall [PAIRS_PER_RATIO]`
//!
//! Articles are 60 to 800 words of Zipf-distributed text; each page is a headline, the
//! article, and comments of `ratio` times the article's length. All pages and articles of all
//! ratios go into one corpus, so unrelated documents compete for candidates too.

use std::time::Instant;

use neardupe::lsh::{CandidateParams, candidates};
use neardupe::minhash::MinHasher;
use neardupe::{Config, Document};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
    }
}

fn words(n: usize, vocab: &[String], rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(&vocab[rng.zipf(vocab.len())]);
        s.push(' ');
    }
    s
}

fn main() {
    let per_ratio: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let ratios = [0.5, 1.0, 2.0, 5.0, 10.0, 15.0];
    let mut rng = Rng(0x5eed);
    let vocab: Vec<String> = (0..30_000)
        .map(|_| {
            (0..2 + rng.below(9))
                .map(|_| (b'a' + rng.below(26) as u8) as char)
                .collect()
        })
        .collect();
    let mut docs = Vec::new();
    let mut truth = Vec::new(); // (article index, page index, ratio index, article words)
    for (ri, &ratio) in ratios.iter().enumerate() {
        for _ in 0..per_ratio {
            let n = 60 + rng.below(741) as usize;
            let article = words(n, &vocab, &mut rng);
            let comments = words((n as f64 * ratio) as usize, &vocab, &mut rng);
            let page = format!("{}\n\n{article}\n\n{comments}", words(12, &vocab, &mut rng));
            truth.push((docs.len(), docs.len() + 1, ri, n));
            docs.push(Document::new(format!("a{}", docs.len()), article));
            docs.push(Document::new(format!("p{}", docs.len()), page));
        }
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let config = Config::default();
    let hasher = MinHasher::from_config(&config);
    let t = Instant::now();
    let sketches: Vec<_> = docs.iter().map(|d| hasher.sketch(&d.text)).collect();
    let sketch_s = t.elapsed().as_secs_f64();
    let sample_bytes: usize = sketches
        .iter()
        .map(|s| std::mem::size_of_val(&*s.sample))
        .sum();

    let both = CandidateParams::from_config(&config);
    let banding_only = CandidateParams {
        containment_threshold: None,
        ..both
    };
    let t = Instant::now();
    let with = candidates(&sketches, &both, None).pairs;
    let cand_s = t.elapsed().as_secs_f64();
    let without = candidates(&sketches, &banding_only, None).pairs;
    let has = |c: &[neardupe::lsh::CandidatePair], a: usize, p: usize| {
        c.binary_search_by(|x| (x.a.0 as usize, x.b.0 as usize).cmp(&(a, p)))
            .is_ok()
    };

    println!(
        "{} documents, {:.1} MB, {} pairs per ratio, default config",
        docs.len(),
        bytes as f64 / 1e6,
        per_ratio
    );
    println!();
    println!("| comments / article | banding only | banding + containment sample |");
    println!("|---|---|---|");
    for (ri, ratio) in ratios.iter().enumerate() {
        let rows: Vec<_> = truth.iter().filter(|t| t.2 == ri).collect();
        let r1 = rows.iter().filter(|t| has(&without, t.0, t.1)).count();
        let r2 = rows.iter().filter(|t| has(&with, t.0, t.1)).count();
        println!(
            "| {ratio}x | {:.3} | {:.3} |",
            r1 as f64 / rows.len() as f64,
            r2 as f64 / rows.len() as f64
        );
    }
    println!();
    println!(
        "candidates: {} ({:.2} per document; true pairs {}); containment sample {:.0} bytes per document ({:.3} of corpus bytes)",
        with.len(),
        with.len() as f64 / docs.len() as f64,
        truth.len(),
        sample_bytes as f64 / docs.len() as f64,
        sample_bytes as f64 / bytes as f64
    );
    println!(
        "sketching {:.2} s ({:.0} MB/s, 1 thread); candidates {:.3} s",
        sketch_s,
        bytes as f64 / 1e6 / sketch_s,
        cand_s
    );
}
