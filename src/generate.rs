//! A seeded generator of news-like corpora with known near-duplicates, for measuring
//! detection quality (`neardupe eval`) and speed.
//!
//! Words follow a Zipf law (exponent 1) over a 40,000-word invented vocabulary, sentences are
//! 6 to 26 words, paragraphs 2 to 6 sentences, articles 60 to 1,400 words. Documents are
//! news pages of a number of sites (each with its own header, navigation, related-links pool
//! and footer), article-only captures, and templated pages. The same seed and options give
//! the same bytes on every machine: the generator has its own random number generator
//! (SplitMix64) and no floating-point formatting.
//!
//! # Kinds of near-duplicate pairs (the truth)
//!
//! - `full_page`: an article alone, and its full page (headline, site header and navigation,
//!   the article, related links, reader comments from 0.5x to 15x the article, footer).
//! - `syndicated`: the same article on two sites: different headline, byline and chrome.
//! - `light_edit`: an article and a copy with 1-5% of its words (exactly, at least one)
//!   replaced by other words.
//! - `truncation`: an article of 120 words or more and its first 50-90% (cut mid-sentence).
//! - `reorder`: an article and a copy with its paragraphs in another order.
//!
//! # Hard negatives (must not be reported)
//!
//! - unrelated pages of one site, sharing its header, navigation and footer (some with short
//!   articles, where the chrome is most of the page);
//! - standard blurbs (newsletter sign-up, cookie notice, "Advertisement"), as documents of
//!   their own and inside many pages;
//! - templated pages (weather, stock tables, sports results) that differ only in numbers and
//!   names.
//!
//! # Output
//!
//! [`generate`] returns documents and the truth; the CLI writes them as JSON Lines: the
//! corpus `{"id":ID,"text":TEXT}` per line, and the truth file with one line per true pair,
//! `{"a":ID,"b":ID,"kind":KIND}` (`a < b`), followed by one line per document,
//! `{"id":ID,"role":ROLE}`, which `eval` uses to say what kind of document a false pair
//! involved.

use std::collections::BTreeMap;

use serde::Serialize;

/// The generator's options. Shares are fractions of the documents; the rest are unrelated
/// pages and the hard negatives.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    /// Documents to write.
    pub documents: usize,
    /// The seed: the same seed gives the same bytes.
    pub seed: u64,
    /// Share of documents in `full_page` pairs.
    pub full_page: f64,
    /// Share in `syndicated` pairs.
    pub syndicated: f64,
    /// Share in `light_edit` pairs.
    pub light_edit: f64,
    /// Share in `truncation` pairs.
    pub truncation: f64,
    /// Share in `reorder` pairs.
    pub reorder: f64,
    /// Share of templated pages.
    pub template: f64,
    /// Share of standalone standard blurbs.
    pub blurb: f64,
    /// Documents per site (sets the number of sites).
    pub pages_per_site: usize,
}

impl Default for GenerateOptions {
    fn default() -> GenerateOptions {
        GenerateOptions {
            documents: 10_000,
            seed: 1,
            full_page: 0.10,
            syndicated: 0.06,
            light_edit: 0.06,
            truncation: 0.05,
            reorder: 0.05,
            template: 0.06,
            blurb: 0.002,
            pages_per_site: 2_000,
        }
    }
}

/// The kinds of true pairs, in report order.
pub const KINDS: [&str; 5] = [
    "full_page",
    "syndicated",
    "light_edit",
    "truncation",
    "reorder",
];

/// One generated document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeneratedDoc {
    /// Its id (`doc-0000042`).
    pub id: String,
    /// Its text.
    pub text: String,
    /// What it is: `page`, `article`, `short_page`, `template`, `blurb`.
    pub role: &'static str,
}

/// A true near-duplicate pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TruthPair {
    /// First id in id order.
    pub a: String,
    /// Second id.
    pub b: String,
    /// One of [`KINDS`].
    pub kind: &'static str,
}

/// A generated corpus and its truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Documents in output order (shuffled, so pairs are not neighbours).
    pub documents: Vec<GeneratedDoc>,
    /// True pairs, sorted.
    pub truth: Vec<TruthPair>,
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.range(0, i);
            items.swap(i, j);
        }
    }
}

const SYLLABLES: [&str; 48] = [
    "ka", "to", "ri", "mo", "sa", "ne", "lu", "pi", "da", "ve", "no", "shi", "ra", "te", "mi",
    "ko", "ba", "le", "su", "fa", "go", "ni", "re", "ta", "po", "li", "ma", "de", "ru", "se", "ho",
    "ki", "an", "el", "or", "is", "um", "et", "al", "in", "ber", "ton", "gar", "mel", "dor", "sin",
    "wal", "pet",
];

/// The vocabulary: frequent ranks get short words, and every word is distinct.
fn word(rank: usize) -> String {
    let mut n = rank;
    let mut w = String::new();
    loop {
        w.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
        if n == 0 {
            break;
        }
        n -= 1;
    }
    w
}

struct Words {
    vocab: Vec<String>,
    cdf: Vec<f64>,
    names: Vec<String>,
}

impl Words {
    fn new() -> Words {
        const N: usize = 40_000;
        let vocab: Vec<String> = (0..N).map(word).collect();
        let mut cdf = Vec::with_capacity(N);
        let mut acc = 0.0;
        for r in 0..N {
            acc += 1.0 / (r as f64 + 1.0);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        // Proper names from the rare end of the vocabulary, capitalised.
        let names = (0..3000).map(|i| capitalise(&word(N + 7 * i))).collect();
        Words { vocab, cdf, names }
    }

    fn zipf<'a>(&'a self, rng: &mut Rng) -> &'a str {
        let u = rng.unit();
        let i = self
            .cdf
            .partition_point(|&c| c < u)
            .min(self.vocab.len() - 1);
        &self.vocab[i]
    }

    fn sentence(&self, rng: &mut Rng, lo: usize, hi: usize) -> String {
        let n = rng.range(lo, hi);
        self.sentence_of(rng, n)
    }

    fn sentence_of(&self, rng: &mut Rng, words: usize) -> String {
        let mut s = String::new();
        for i in 0..words {
            let w = if rng.chance(0.06) {
                rng.pick(&self.names).as_str()
            } else {
                self.zipf(rng)
            };
            if i == 0 {
                s.push_str(&capitalise(w));
            } else {
                s.push(' ');
                s.push_str(w);
                if i + 1 < words && rng.chance(0.07) {
                    s.push(',');
                }
            }
        }
        s.push('.');
        s
    }

    /// An article of about `words` words, as paragraphs.
    fn article(&self, rng: &mut Rng, words: usize) -> Vec<String> {
        let mut paragraphs = Vec::new();
        let mut left = words as isize;
        while left > 0 {
            let mut p = Vec::new();
            for _ in 0..rng.range(2, 6) {
                let n = rng.range(6, 26);
                p.push(self.sentence_of(rng, n));
                left -= n as isize;
                if left <= 0 {
                    break;
                }
            }
            paragraphs.push(p.join(" "));
        }
        paragraphs
    }

    fn headline(&self, rng: &mut Rng) -> String {
        let s = self.sentence(rng, 5, 11);
        s.trim_end_matches('.').to_string()
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A site's chrome: the text every page of it carries.
struct Site {
    header: String,
    footer: String,
    related: Vec<String>,
}

impl Site {
    fn new(words: &Words, rng: &mut Rng) -> Site {
        let name = format!(
            "The {} {}",
            rng.pick(&words.names),
            rng.pick(&["Gazette", "Herald", "Courier", "Times", "Post", "Chronicle"])
        );
        let sections: Vec<String> = (0..rng.range(8, 16))
            .map(|_| capitalise(words.zipf(rng)))
            .collect();
        let header = format!(
            "{}\n{}\n{}\n{}",
            name.to_uppercase(),
            sections.join(" | "),
            words.sentence(rng, 14, 30),
            words.sentence(rng, 10, 24)
        );
        let footer = format!(
            "Share this story: Facebook | Twitter | Email | Print\n{}\n{}\n{} is published by {} Media. All rights reserved. Terms | Privacy | Cookies | Contact | Advertise",
            words.sentence(rng, 15, 35),
            words.sentence(rng, 15, 35),
            name,
            rng.pick(&words.names)
        );
        let related = (0..40).map(|_| words.headline(rng)).collect();
        Site {
            header,
            footer,
            related,
        }
    }
}

/// The standard blurbs many pages carry.
fn blurbs(words: &Words, rng: &mut Rng) -> Vec<String> {
    let mut v = vec![
        "Advertisement".to_string(),
        "Sign up for our free newsletter and get the best stories delivered straight to your inbox every morning. You can unsubscribe at any time.".to_string(),
        "We use cookies to improve your experience on our site. By continuing to browse you agree to our use of cookies. Learn more in our privacy policy.".to_string(),
        "Support independent journalism. Subscribe today for unlimited access to every story, our daily puzzles and the digital edition.".to_string(),
    ];
    v.extend((0..6).map(|_| words.sentence(rng, 12, 30)));
    v
}

struct Builder<'a> {
    words: &'a Words,
    sites: Vec<Site>,
    blurbs: Vec<String>,
    docs: Vec<(String, &'static str)>,
    pairs: Vec<(usize, usize, &'static str)>,
}

impl Builder<'_> {
    fn push(&mut self, text: String, role: &'static str) -> usize {
        self.docs.push((text, role));
        self.docs.len() - 1
    }

    fn page(
        &self,
        rng: &mut Rng,
        site: usize,
        headline: &str,
        byline: bool,
        article: &[String],
        comments_ratio: f64,
    ) -> String {
        let site = &self.sites[site];
        let w = self.words;
        let mut parts: Vec<String> = vec![headline.to_string(), site.header.clone()];
        if byline {
            parts.push(format!(
                "By {} {}, {} correspondent",
                rng.pick(&w.names),
                rng.pick(&w.names),
                rng.pick(&["political", "business", "sports", "foreign", "local"])
            ));
        }
        for (i, p) in article.iter().enumerate() {
            parts.push(p.clone());
            if i == 1 && rng.chance(0.4) {
                parts.push(rng.pick(&self.blurbs).clone());
            }
        }
        if rng.chance(0.5) {
            parts.push(rng.pick(&self.blurbs).clone());
        }
        let related: Vec<&str> = (0..rng.range(3, 6))
            .map(|_| rng.pick(&site.related).as_str())
            .collect();
        parts.push(format!("Related stories\n{}", related.join("\n")));
        let article_words: usize = article.iter().map(|p| p.split(' ').count()).sum();
        let comment_words = (article_words as f64 * comments_ratio) as usize;
        if comment_words > 0 {
            let mut c = vec![format!("Comments ({})", rng.range(3, 400))];
            let mut left = comment_words as isize;
            let mut n = 1;
            while left > 0 {
                let len = rng.range(8, 90);
                let sentences: Vec<String> =
                    (0..len / 12 + 1).map(|_| w.sentence(rng, 5, 16)).collect();
                c.push(format!(
                    "  {n}. {} {} says:\n  {}",
                    rng.pick(&w.names),
                    rng.pick(&w.names),
                    sentences.join(" ")
                ));
                left -= len as isize;
                n += 1;
            }
            parts.push(c.join("\n\n"));
        }
        parts.push(site.footer.clone());
        parts.join("\n\n")
    }

    fn template(&self, rng: &mut Rng, kind: usize, city: &str) -> String {
        let w = self.words;
        let n = |rng: &mut Rng, lo: i64, hi: i64| {
            (lo + rng.range(0, (hi - lo) as usize) as i64).to_string()
        };
        match kind {
            0 => {
                let mut lines = vec![
                    format!("Weather forecast for {city}"),
                    "Five-day forecast from the national weather service, updated every hour."
                        .to_string(),
                ];
                for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] {
                    lines.push(format!(
                        "{day}: {}, high {} C, low {} C, wind {} at {} km/h, humidity {} percent, rain {} mm.",
                        rng.pick(&["sunny", "cloudy", "showers", "rain", "fog", "snow"]),
                        n(rng, 5, 35),
                        n(rng, -5, 15),
                        rng.pick(&["north", "south", "east", "west"]),
                        n(rng, 0, 60),
                        n(rng, 20, 100),
                        n(rng, 0, 30)
                    ));
                }
                lines.push("Forecasts are provided for information only. Sunrise and sunset times are local.".to_string());
                lines.join("\n")
            }
            1 => {
                let mut lines = vec![
                    format!("Market close: {city} exchange"),
                    "Ticker | Last | Change | Volume".to_string(),
                ];
                for _ in 0..rng.range(12, 25) {
                    lines.push(format!(
                        "{} | {}.{} | {}{}.{} | {}",
                        w.names[rng.range(0, 200)].to_uppercase(),
                        n(rng, 1, 900),
                        n(rng, 10, 99),
                        rng.pick(&["+", "-"]),
                        n(rng, 0, 20),
                        n(rng, 10, 99),
                        n(rng, 1000, 999_999)
                    ));
                }
                lines.push(
                    "Prices are delayed by at least 15 minutes. Data provided by the exchange."
                        .to_string(),
                );
                lines.join("\n")
            }
            _ => {
                let mut lines = vec![
                    format!("{city} league results"),
                    "Full-time scores from this weekend's fixtures.".to_string(),
                ];
                for _ in 0..rng.range(6, 12) {
                    lines.push(format!(
                        "{} {} - {} {} at {} Park, attendance {}.",
                        rng.pick(&w.names),
                        n(rng, 0, 6),
                        n(rng, 0, 6),
                        rng.pick(&w.names),
                        rng.pick(&w.names),
                        n(rng, 500, 60_000)
                    ));
                }
                lines.join("\n")
            }
        }
    }
}

/// Generates a corpus. The same options give the same corpus.
pub fn generate(options: &GenerateOptions) -> Generated {
    let mut rng = Rng(options.seed ^ 0x6e65_6172_6475_7065);
    let words = Words::new();
    let n_sites = (options.documents / options.pages_per_site.max(1)).max(3);
    let sites: Vec<Site> = (0..n_sites).map(|_| Site::new(&words, &mut rng)).collect();
    let blurb_texts = blurbs(&words, &mut rng);
    let mut b = Builder {
        words: &words,
        sites,
        blurbs: blurb_texts,
        docs: Vec::new(),
        pairs: Vec::new(),
    };
    let count = |share: f64| (options.documents as f64 * share / 2.0).round() as usize;
    let article_len = |rng: &mut Rng| {
        if rng.chance(0.15) {
            rng.range(60, 150)
        } else {
            rng.range(150, 1400)
        }
    };

    for _ in 0..count(options.full_page) {
        let len = article_len(&mut rng);
        let article = words.article(&mut rng, len);
        let site = rng.range(0, n_sites - 1);
        let headline = words.headline(&mut rng);
        let ratio = 0.5 + rng.unit() * 14.5;
        let byline = rng.chance(0.5);
        let page = b.page(&mut rng, site, &headline, byline, &article, ratio);
        let a = b.push(article.join("\n\n"), "article");
        let p = b.push(page, "page");
        b.pairs.push((a, p, "full_page"));
    }
    for _ in 0..count(options.syndicated) {
        let len = article_len(&mut rng);
        let article = words.article(&mut rng, len);
        let s1 = rng.range(0, n_sites - 1);
        let s2 = (s1 + rng.range(1, n_sites - 1)) % n_sites;
        let (h1, h2) = (words.headline(&mut rng), words.headline(&mut rng));
        let p1 = b.page(&mut rng, s1, &h1, true, &article, 0.0);
        let p2 = b.page(&mut rng, s2, &h2, true, &article, 0.0);
        let x = b.push(p1, "page");
        let y = b.push(p2, "page");
        b.pairs.push((x, y, "syndicated"));
    }
    // Light edits, truncations and reorders: article-only captures, or pages of one site.
    let variants: [(&'static str, f64); 3] = [
        ("light_edit", options.light_edit),
        ("truncation", options.truncation),
        ("reorder", options.reorder),
    ];
    for (kind, share) in variants {
        for _ in 0..count(share) {
            // A truncated copy keeps at least 60 words: a shorter fragment is below the
            // minimum size of a containment finding, like a stock blurb.
            let len = if kind == "truncation" {
                rng.range(120, 1400)
            } else {
                article_len(&mut rng)
            };
            let mut article = words.article(&mut rng, len);
            if kind == "reorder" {
                while article.len() < 3 {
                    article.extend(words.article(&mut rng, 120));
                }
            }
            let changed: Vec<String> = match kind {
                "light_edit" => {
                    // Exactly 1-5% of the words (at least one), each replaced by another word.
                    let rate = 0.01 + rng.unit() * 0.04;
                    let mut ws: Vec<Vec<String>> = article
                        .iter()
                        .map(|p| p.split(' ').map(str::to_string).collect())
                        .collect();
                    let total: usize = ws.iter().map(Vec::len).sum();
                    let mut positions: Vec<usize> = (0..total).collect();
                    rng.shuffle(&mut positions);
                    let changes = ((total as f64 * rate).round() as usize).max(1);
                    for &pos in &positions[..changes] {
                        let (mut p, mut i) = (0, pos);
                        while i >= ws[p].len() {
                            i -= ws[p].len();
                            p += 1;
                        }
                        let mut replacement = words.zipf(&mut rng).to_string();
                        while replacement == ws[p][i] {
                            replacement = words.zipf(&mut rng).to_string();
                        }
                        ws[p][i] = replacement;
                    }
                    ws.iter().map(|p| p.join(" ")).collect()
                }
                "truncation" => {
                    let all: Vec<&str> = article.iter().flat_map(|p| p.split(' ')).collect();
                    let keep = (all.len() as f64 * (0.5 + rng.unit() * 0.4)) as usize;
                    let mut left = keep;
                    let mut out = Vec::new();
                    for p in &article {
                        let ws: Vec<&str> = p.split(' ').collect();
                        if ws.len() <= left {
                            out.push(p.clone());
                            left -= ws.len();
                        } else {
                            if left > 0 {
                                out.push(ws[..left].join(" "));
                            }
                            break;
                        }
                    }
                    out
                }
                _ => {
                    let mut order: Vec<usize> = (0..article.len()).collect();
                    while order.iter().enumerate().all(|(i, &o)| i == o) {
                        rng.shuffle(&mut order);
                    }
                    order.iter().map(|&i| article[i].clone()).collect()
                }
            };
            let (x, y) = if rng.chance(0.5) {
                (
                    b.push(article.join("\n\n"), "article"),
                    b.push(changed.join("\n\n"), "article"),
                )
            } else {
                let site = rng.range(0, n_sites - 1);
                let h = words.headline(&mut rng);
                let p1 = b.page(&mut rng, site, &h, false, &article, 0.0);
                let p2 = b.page(&mut rng, site, &h, false, &changed, 0.0);
                (b.push(p1, "page"), b.push(p2, "page"))
            };
            b.pairs.push((x, y, kind));
        }
    }
    let template_docs = (options.documents as f64 * options.template).round() as usize;
    let cities: Vec<String> = (0..template_docs.max(1))
        .map(|i| words.names[i % words.names.len()].clone())
        .collect();
    for i in 0..template_docs {
        let t = b.template(&mut rng, i % 3, &cities[i / 3 % cities.len()]);
        b.push(t, "template");
    }
    // Each standard blurb at most once as a document of its own: two copies of one blurb
    // would be a true exact duplicate, not a hard negative.
    let blurb_docs =
        ((options.documents as f64 * options.blurb).round() as usize).min(b.blurbs.len());
    for i in 0..blurb_docs {
        let t = b.blurbs[i % b.blurbs.len()].clone();
        b.push(t, "blurb");
    }
    // The rest: unrelated pages, some short, so that site chrome dominates them.
    while b.docs.len() < options.documents {
        let short = rng.chance(0.25);
        let len = if short {
            rng.range(20, 80)
        } else {
            article_len(&mut rng)
        };
        let article = words.article(&mut rng, len);
        let site = rng.range(0, n_sites - 1);
        let h = words.headline(&mut rng);
        let ratio = if rng.chance(0.3) {
            rng.unit() * 3.0
        } else {
            0.0
        };
        let byline = rng.chance(0.3);
        let page = b.page(&mut rng, site, &h, byline, &article, ratio);
        b.push(page, if short { "short_page" } else { "page" });
    }

    // Shuffle into output order and name documents by position.
    let mut order: Vec<usize> = (0..b.docs.len()).collect();
    rng.shuffle(&mut order);
    let mut position = vec![0usize; order.len()];
    for (pos, &doc) in order.iter().enumerate() {
        position[doc] = pos;
    }
    let id = |doc: usize| format!("doc-{:07}", position[doc]);
    let mut truth: Vec<TruthPair> = b
        .pairs
        .iter()
        .map(|&(x, y, kind)| {
            let (a, c) = if id(x) < id(y) {
                (id(x), id(y))
            } else {
                (id(y), id(x))
            };
            TruthPair { a, b: c, kind }
        })
        .collect();
    truth.sort();
    let mut docs: BTreeMap<usize, GeneratedDoc> = BTreeMap::new();
    for (doc, (text, role)) in b.docs.into_iter().enumerate() {
        docs.insert(
            position[doc],
            GeneratedDoc {
                id: id(doc),
                text,
                role,
            },
        );
    }
    Generated {
        documents: docs.into_values().collect(),
        truth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(seed: u64) -> Generated {
        generate(&GenerateOptions {
            documents: 400,
            seed,
            pages_per_site: 100,
            ..GenerateOptions::default()
        })
    }

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        assert_eq!(small(7), small(7));
        assert_ne!(small(7).documents, small(8).documents);
    }

    #[test]
    fn sizes_and_kinds() {
        let g = small(3);
        assert_eq!(g.documents.len(), 400);
        let ids: std::collections::BTreeSet<&str> =
            g.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), 400, "ids are unique");
        for kind in KINDS {
            let n = g.truth.iter().filter(|p| p.kind == kind).count();
            assert!(n >= 5, "{kind}: {n}");
        }
        assert!(
            g.truth
                .iter()
                .all(|p| p.a < p.b && ids.contains(p.a.as_str()) && ids.contains(p.b.as_str()))
        );
        assert!(g.documents.iter().any(|d| d.role == "template"));
        assert!(g.documents.iter().any(|d| d.role == "blurb"));
    }

    #[test]
    fn vocabulary_words_are_distinct() {
        let words: std::collections::HashSet<String> = (0..50_000).map(word).collect();
        assert_eq!(words.len(), 50_000);
    }
}
