//! Criterion benches, one group per pipeline stage plus end to end, on a seeded synthetic
//! corpus. See benches/README.md for what each measures and the figures of a real run.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use neardupe::lsh::{CandidateParams, candidates};
use neardupe::minhash::MinHasher;
use neardupe::{Config, Document};

const SEED: u64 = neardupe::config::DEFAULT_SEED;

/// xorshift64*: a tiny seeded generator, so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A Zipf-like rank in `0..n`: small ranks much more often.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
    }
}

fn vocabulary(n: usize, rng: &mut Rng) -> Vec<String> {
    (0..n)
        .map(|_| {
            let len = 2 + (rng.next() % 9) as usize;
            (0..len)
                .map(|_| (b'a' + (rng.next() % 26) as u8) as char)
                .collect()
        })
        .collect()
}

fn paragraph(words: usize, vocab: &[String], rng: &mut Rng) -> String {
    let mut s = String::new();
    for i in 0..words {
        s.push_str(&vocab[rng.zipf(vocab.len())]);
        s.push(if i % 17 == 16 { '.' } else { ' ' });
        if i % 17 == 16 {
            s.push(' ');
        }
    }
    s
}

/// `n` news-sized documents (about 350 words); every tenth is a full page holding the one
/// before it (headline + article + comments), and the one after each tenth is the one before
/// it with a sentence added.
fn corpus(n: usize) -> Vec<Document> {
    let mut rng = Rng(SEED);
    let vocab = vocabulary(20_000, &mut rng);
    let mut docs: Vec<Document> = Vec::with_capacity(n);
    for i in 0..n {
        let text = match i % 10 {
            9 => format!(
                "{}\n\n{}\n\n{}",
                paragraph(10, &vocab, &mut rng),
                docs[i - 1].text,
                paragraph(1000, &vocab, &mut rng)
            ),
            1 if i > 10 => {
                let mut t = docs[i - 1].text.clone();
                t.push_str(&paragraph(10, &vocab, &mut rng));
                t
            }
            _ => paragraph(350, &vocab, &mut rng),
        };
        docs.push(Document::new(format!("doc{i:06}"), text));
    }
    docs
}

fn bytes(docs: &[Document]) -> u64 {
    docs.iter().map(|d| d.text.len() as u64).sum()
}

fn stages(c: &mut Criterion) {
    let docs = corpus(2_000);
    let total = bytes(&docs);
    let config = Config::builder().threads(Some(1)).build().unwrap();
    let hasher = MinHasher::from_config(&config);

    let mut g = c.benchmark_group("normalize");
    g.throughput(Throughput::Bytes(total));
    g.bench_function("2k docs", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for d in &docs {
                neardupe::normalize::for_each_word(&d.text, |w, _| n += w.len());
            }
            black_box(n)
        })
    });
    // The pipeline's scanner: the same words, with the gaps between them, no offsets (ASCII
    // words as they are in the text: the hash lowercases them).
    g.bench_function("scan_tokens 2k docs", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for d in &docs {
                neardupe::normalize::scan_tokens(&d.text, |w, _| {
                    n += match w {
                        neardupe::normalize::Word::Ascii { start, end, .. } => end - start,
                        neardupe::normalize::Word::Normalized { word, .. } => word.len(),
                    }
                });
            }
            black_box(n)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("shingle");
    g.throughput(Throughput::Bytes(total));
    g.bench_function("2k docs", |b| {
        b.iter(|| {
            let mut x = 0u64;
            for d in &docs {
                neardupe::shingle::for_each_shingle(&d.text, 5, SEED, |h| x ^= h);
            }
            black_box(x)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("minhash");
    g.throughput(Throughput::Bytes(total));
    g.bench_function("sketch 2k docs", |b| {
        let mut scratch = neardupe::minhash::Scratch::default();
        let mut set = Vec::new();
        b.iter(|| {
            docs.iter()
                .map(|d| {
                    set.clear();
                    hasher.sketch_text(&d.text, &mut scratch, &mut set)
                })
                .collect::<Vec<_>>()
        })
    });
    g.finish();

    let sketches: Vec<_> = docs.iter().map(|d| hasher.sketch(&d.text)).collect();
    let params = CandidateParams::from_config(&config);
    let mut g = c.benchmark_group("lsh");
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("candidates 2k docs", |b| {
        b.iter(|| candidates(&sketches, &params, None).pairs)
    });
    g.finish();

    let cands = candidates(&sketches, &params, None).pairs;
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let lengths: Vec<usize> = texts.iter().map(|t| t.len()).collect();
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(cands.len() as u64));
    g.bench_function(BenchmarkId::new("candidates", cands.len()), |b| {
        b.iter(|| {
            neardupe::verify::verify(
                &lengths,
                |i| Some(std::borrow::Cow::Borrowed(texts[i])),
                &cands,
                &config,
                None,
            )
        })
    });
    g.finish();

    // The streaming sketch stage alone (signatures, samples, document-frequency counting),
    // as `Scanner::add` runs it on batches already read: its scaling from 1 to 2 threads is
    // the figure, which `--stats` cannot isolate now that reading overlaps it.
    let mut g = c.benchmark_group("sketch_stage");
    g.throughput(Throughput::Bytes(total));
    g.sample_size(10);
    for threads in [1, 2] {
        let config = Config::builder().threads(Some(threads)).build().unwrap();
        g.bench_function(BenchmarkId::new("2k docs, threads", threads), |b| {
            b.iter_batched(
                || {
                    docs.chunks(250)
                        .map(<[Document]>::to_vec)
                        .collect::<Vec<_>>()
                },
                |batches| {
                    let mut scanner = neardupe::Scanner::new(&config, total);
                    for batch in batches {
                        scanner.add(batch);
                    }
                    scanner.len()
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    g.finish();

    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Bytes(total));
    g.sample_size(10);
    for threads in [1, 2] {
        let config = Config::builder().threads(Some(threads)).build().unwrap();
        g.bench_function(BenchmarkId::new("2k docs, threads", threads), |b| {
            b.iter(|| neardupe::find_duplicates(docs.clone(), &config))
        });
    }
    g.finish();
}

fn spans(c: &mut Criterion) {
    let mut rng = Rng(SEED ^ 1);
    let vocab = vocabulary(20_000, &mut rng);
    // A 1 MB document and a copy with an edit every ~200 words and a moved block.
    let mut big = String::new();
    while big.len() < 1_000_000 {
        big.push_str(&paragraph(200, &vocab, &mut rng));
        big.push_str("\n\n");
    }
    let mut edited: Vec<&str> = big.split(' ').collect();
    for i in (100..edited.len()).step_by(200) {
        edited[i] = "CHANGED";
    }
    let edited = edited.join(" ");
    let mut g = c.benchmark_group("spans");
    g.throughput(Throughput::Bytes((big.len() + edited.len()) as u64));
    g.sample_size(10);
    g.bench_function("1 MB pair", |b| {
        b.iter(|| neardupe::spans::diff_spans(&big, &edited, 5, SEED))
    });
    // 1,000 news-sized pairs: article vs its full page.
    let docs = corpus(10_000);
    let pairs: Vec<(&str, &str)> = (0..1000)
        .map(|k| {
            (
                docs[10 * k + 8].text.as_str(),
                docs[10 * k + 9].text.as_str(),
            )
        })
        .collect();
    let pair_bytes: usize = pairs.iter().map(|(a, b)| a.len() + b.len()).sum();
    g.throughput(Throughput::Bytes(pair_bytes as u64));
    g.bench_function("1000 article/page pairs", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(a, p)| neardupe::spans::diff_spans(a, p, 5, SEED).shared.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, stages, spans);
criterion_main!(benches);
