//! Property tests of the maths and the determinism guarantees.

use neardupe::lsh::{CandidateParams, candidates};
use neardupe::minhash::MinHasher;
use neardupe::normalize::normalize;
use neardupe::shingle::shingle_set;
use neardupe::spans::diff_spans;
use neardupe::verify::similarity;
use neardupe::{Config, Document, find_duplicates};
use proptest::prelude::*;

const SEED: u64 = neardupe::config::DEFAULT_SEED;

/// A word from a small vocabulary (so random texts overlap), sometimes with punctuation or
/// capitals.
fn word() -> impl Strategy<Value = String> {
    (0..60usize, 0..8u8).prop_map(|(i, deco)| {
        let w = format!("w{i}");
        match deco {
            0 => format!("{w},"),
            1 => w.to_uppercase(),
            2 => format!("“{w}”"),
            3 => format!("{w}.\n"),
            _ => w,
        }
    })
}

fn text(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..max_words).prop_map(|w| w.join(" "))
}

fn sorted_set() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::btree_set(0..500u64, 0..200).prop_map(|s| s.into_iter().collect())
}

/// One edit to a word list.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, String),
    Insert(usize, String),
    Delete(usize),
    Move(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), word()).prop_map(|(i, w)| Edit::Replace(i, w)),
        (any::<usize>(), word()).prop_map(|(i, w)| Edit::Insert(i, w)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), 1..20usize, any::<usize>()).prop_map(|(i, n, j)| Edit::Move(i, n, j)),
    ]
}

fn apply(words: &[String], edits: &[Edit]) -> Vec<String> {
    let mut w = words.to_vec();
    for e in edits {
        if w.is_empty() {
            break;
        }
        match e {
            Edit::Replace(i, x) => {
                let i = i % w.len();
                w[i] = x.clone();
            }
            Edit::Insert(i, x) => {
                let i = i % (w.len() + 1);
                w.insert(i, x.clone());
            }
            Edit::Delete(i) => {
                let i = i % w.len();
                w.remove(i);
            }
            Edit::Move(i, n, j) => {
                let i = i % w.len();
                let n = (*n).min(w.len() - i);
                let moved: Vec<String> = w.drain(i..i + n).collect();
                let j = j % (w.len() + 1);
                for (k, x) in moved.into_iter().enumerate() {
                    w.insert(j + k, x);
                }
            }
        }
    }
    w
}

/// Checks that shared + only spans cover every non-whitespace byte of `text` exactly once.
fn assert_partition(
    text: &str,
    only: &[std::ops::Range<usize>],
    shared: &[std::ops::Range<usize>],
) -> Result<(), TestCaseError> {
    let mut all: Vec<std::ops::Range<usize>> = only.iter().chain(shared).cloned().collect();
    all.sort_by_key(|r| r.start);
    for w in all.windows(2) {
        prop_assert!(w[0].end <= w[1].start, "overlap {:?} {:?}", w[0], w[1]);
    }
    for r in &all {
        prop_assert!(
            r.start < r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        );
    }
    for (i, c) in text.char_indices() {
        if !c.is_whitespace() {
            prop_assert!(
                all.iter().any(|r| r.contains(&i)),
                "byte {} ({:?}) not covered",
                i,
                c
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn jaccard_is_symmetric_and_bounded(a in sorted_set(), b in sorted_set()) {
        let ab = similarity(&a, &b);
        let ba = similarity(&b, &a);
        prop_assert_eq!(ab.jaccard, ba.jaccard);
        prop_assert_eq!(ab.containment_a_in_b, ba.containment_b_in_a);
        prop_assert!((0.0..=1.0).contains(&ab.jaccard));
        prop_assert!(ab.jaccard <= ab.containment_a_in_b.min(ab.containment_b_in_a) + 1e-12 || ab.shared == 0);
    }

    #[test]
    fn containment_of_a_in_a_plus_b_is_one(a in text(80), b in text(80)) {
        let joined = format!("{a}\n{b}");
        let sa = shingle_set(&a, 5, SEED);
        prop_assume!(!sa.is_empty());
        let s = similarity(&sa, &shingle_set(&joined, 5, SEED));
        prop_assert_eq!(s.containment_a_in_b, 1.0);
    }

    #[test]
    fn identical_documents_always_become_candidates(t in text(120), others in prop::collection::vec(text(60), 0..5)) {
        let hasher = MinHasher::from_config(&Config::builder().seed(SEED).build().unwrap());
        prop_assume!(hasher.sketch(&t).shingles > 0);
        let mut texts = others;
        texts.push(t.clone());
        texts.push(t);
        let sketches: Vec<_> = texts.iter().map(|x| hasher.sketch(x)).collect();
        let n = texts.len() as u32;
        let c = candidates(&sketches, &CandidateParams::from_config(&Config::default()), None).pairs;
        prop_assert!(c.iter().any(|p| p.a.0 == n - 2 && p.b.0 == n - 1));
    }

    #[test]
    fn minhash_estimate_stays_near_exact_jaccard(overlap in 0usize..400, extra_a in 0usize..400, extra_b in 0usize..400) {
        // Sets of distinct hashes with a known overlap; hashed so bins are uniform.
        let mix = |x: u64| xxhash_rust::xxh3::xxh3_64(&x.to_le_bytes());
        let common: Vec<u64> = (0..overlap as u64).map(mix).collect();
        let mut a: Vec<u64> = common.iter().copied().chain((0..extra_a as u64).map(|x| mix(x + 1_000_000))).collect();
        let mut b: Vec<u64> = common.iter().copied().chain((0..extra_b as u64).map(|x| mix(x + 2_000_000))).collect();
        prop_assume!(!a.is_empty() && !b.is_empty());
        a.sort_unstable();
        b.sort_unstable();
        let exact = similarity(&a, &b).jaccard;
        let h = MinHasher::new(128, 5, 8, (32, 4), SEED);
        let est = h.sign_set(&a).unwrap().estimate_jaccard(&h.sign_set(&b).unwrap());
        // Standard error is at most 0.044 at 128 slots; 0.2 is more than four of them.
        prop_assert!((est - exact).abs() < 0.2, "estimate {} exact {}", est, exact);
    }

    #[test]
    fn normalisation_is_idempotent(s in any::<String>()) {
        let once = normalize(&s);
        let twice = normalize(&once.text);
        prop_assert_eq!(&once.text, &twice.text);
        prop_assert_eq!(once.offsets.len(), twice.offsets.len());
    }

    #[test]
    fn results_do_not_depend_on_threads_or_order(
        base in prop::collection::vec(text(150), 1..6),
        picks in prop::collection::vec((any::<usize>(), any::<usize>()), 0..6),
        rotate in any::<usize>(),
    ) {
        // Base documents plus derived ones: copies, and base texts inside other text.
        let mut texts = base.clone();
        for (i, j) in picks {
            let x = &base[i % base.len()];
            let y = &base[j % base.len()];
            texts.push(if i % 2 == 0 { x.clone() } else { format!("{y}\n{x}\n{y}") });
        }
        let docs: Vec<Document> = texts.iter().enumerate().map(|(i, t)| Document::new(format!("d{i:02}"), t.clone())).collect();
        let one = Config::builder().threads(Some(1)).build().unwrap();
        let two = Config::builder().threads(Some(2)).build().unwrap();
        let r1 = find_duplicates(docs.clone(), &one);
        let mut shuffled = docs;
        let k = rotate % shuffled.len();
        shuffled.rotate_left(k);
        shuffled.reverse();
        let r2 = find_duplicates(shuffled, &two);
        prop_assert_eq!(serde_json::to_string(&r1).unwrap(), serde_json::to_string(&r2).unwrap());
    }

    #[test]
    fn spans_partition_both_texts_and_shared_sides_match(words in prop::collection::vec(word(), 0..150), edits in prop::collection::vec(edit(), 0..8)) {
        let a = words.join(" ");
        let b = apply(&words, &edits).join(" ");
        let s = diff_spans(&a, &b, 5, SEED);
        let sa: Vec<_> = s.shared.iter().map(|x| x.a.clone()).collect();
        let sb: Vec<_> = s.shared.iter().map(|x| x.b.clone()).collect();
        assert_partition(&a, &s.a_only, &sa)?;
        assert_partition(&b, &s.b_only, &sb)?;
        for x in &s.shared {
            prop_assert_eq!(normalize(&a[x.a.clone()]).text, normalize(&b[x.b.clone()]).text);
        }
        prop_assert!(s.a_only.windows(2).all(|w| w[0].start < w[1].start));
        prop_assert!(s.shared.windows(2).all(|w| w[0].a.start < w[1].a.start));
        if edits.is_empty() {
            prop_assert!(s.a_only.is_empty() && s.b_only.is_empty());
        }
    }

    #[test]
    fn spans_never_panic_on_arbitrary_text(a in any::<String>(), b in any::<String>()) {
        let s = diff_spans(&a, &b, 3, SEED);
        let sa: Vec<_> = s.shared.iter().map(|x| x.a.clone()).collect();
        assert_partition(&a, &s.a_only, &sa)?;
    }
}

/// Arbitrary bytes, sometimes starting like a compressed stream, JSON, HTML or a BOM.
fn messy_bytes() -> impl Strategy<Value = Vec<u8>> {
    let prefixes: Vec<&'static [u8]> = vec![
        b"",
        b"\x1f\x8b\x08\x00",
        b"\x28\xb5\x2f\xfd",
        b"{\"text\":\"",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"<html><meta charset=",
        b"<script>",
    ];
    (
        prop::sample::select(prefixes),
        prop::collection::vec(any::<u8>(), 0..600),
    )
        .prop_map(|(p, rest)| p.iter().copied().chain(rest).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn readers_never_panic_and_are_deterministic(bytes in messy_bytes()) {
        use neardupe::input::{JsonlOptions, codec, decode, jsonl};
        use std::io::Read;
        let read_jsonl = |b: &[u8]| {
            let mut out = Vec::new();
            let mut r = b;
            let _ = jsonl::read_records(&mut r, std::path::Path::new("x.jsonl"), &JsonlOptions::default(), |d| {
                out.push(d.map(|d| (d.id, d.text)).map_err(|e| e.to_string()))
            });
            out
        };
        prop_assert_eq!(read_jsonl(&bytes), read_jsonl(&bytes));

        let unpack = |b: Vec<u8>| -> Result<Vec<u8>, String> {
            let (_, mut r) = codec::wrap(std::io::Cursor::new(b), 1 << 20).map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            r.read_to_end(&mut out).map_err(|e| e.to_string())?;
            Ok(out)
        };
        prop_assert_eq!(unpack(bytes.clone()), unpack(bytes.clone()));

        prop_assert_eq!(decode::decode_text(bytes.clone()), decode::decode_text(bytes.clone()));
        prop_assert_eq!(decode::decode_html(bytes.clone()), decode::decode_html(bytes.clone()));
    }

    #[test]
    fn html_to_text_never_panics(s in "(<[a-z/!]{0,8}[^>]{0,10}>?|[^<]{0,20}|&[a-z#0-9]{0,6};?){0,40}") {
        let t = neardupe::input::decode::html_to_text(&s);
        prop_assert!(!t.starts_with(char::is_whitespace) && !t.ends_with(char::is_whitespace));
    }
}
