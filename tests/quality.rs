//! Detection quality on generated corpora, and `eval` itself (issue 4).

mod util;

use serde_json::Value;
use util::{run, scratch};

fn generate(dir: &std::path::Path, docs: usize, seed: u64) {
    let r = run(&[
        "generate",
        "-o",
        dir.to_str().unwrap(),
        "--docs",
        &docs.to_string(),
        "--seed",
        &seed.to_string(),
        "--pages-per-site",
        "1000",
        "--force",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
}

#[test]
fn generator_is_deterministic() {
    let (a, b, c) = (scratch("gen_a"), scratch("gen_b"), scratch("gen_c"));
    generate(&a, 300, 5);
    generate(&b, 300, 5);
    generate(&c, 300, 6);
    for f in ["corpus.jsonl", "truth.jsonl"] {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(!x.is_empty());
        assert_eq!(
            x,
            std::fs::read(b.join(f)).unwrap(),
            "{f}: same seed, same bytes"
        );
        assert_ne!(
            x,
            std::fs::read(c.join(f)).unwrap(),
            "{f}: another seed, another corpus"
        );
    }
}

#[test]
fn eval_arithmetic_on_a_hand_made_truth_file() {
    let dir = scratch("eval_truth");
    // Five of the six pairs `scan corpus/` reports, one pair it does not report, and roles.
    let truth = [
        r#"{"a":"corpus/seed/article_only.txt","b":"corpus/seed/full_page.txt","kind":"full_page"}"#,
        r#"{"a":"corpus/edited/library_edited.txt","b":"corpus/edited/library.txt","kind":"light_edit"}"#,
        r#"{"a":"corpus/exact/harbour.txt","b":"corpus/exact/harbour_copy.txt","kind":"exact"}"#,
        r#"{"a":"corpus/reordered/bridge.txt","b":"corpus/reordered/bridge_reordered.txt","kind":"reorder"}"#,
        r#"{"a":"corpus/truncated/festival.txt","b":"corpus/truncated/festival_truncated.txt","kind":"truncation"}"#,
        r#"{"a":"corpus/same_site/ferry.txt","b":"corpus/same_site/school.txt","kind":"full_page"}"#,
        r#"{"id":"corpus/unicode/cafe_nfc.txt","role":"article"}"#,
        r#"{"id":"corpus/unicode/cafe_nfd.txt","role":"copy"}"#,
    ];
    let path = dir.join("truth.jsonl");
    std::fs::write(&path, truth.join("\n")).unwrap();
    let r = run(&[
        "eval",
        "--truth",
        path.to_str().unwrap(),
        "corpus/",
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let lines = r.json_lines();
    let s = &lines[0];
    assert_eq!(s["type"], "eval");
    assert_eq!(
        (s["truth_pairs"].as_u64(), s["reported"].as_u64()),
        (Some(6), Some(6))
    );
    assert_eq!(
        (
            s["true_positives"].as_u64(),
            s["false_positives"].as_u64(),
            s["false_negatives"].as_u64()
        ),
        (Some(5), Some(1), Some(1))
    );
    assert_eq!(s["precision"].as_f64(), Some(5.0 / 6.0));
    assert_eq!(s["recall"].as_f64(), Some(5.0 / 6.0));
    assert!((s["f1"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-12);
    assert_eq!(
        s["per_kind"]["full_page"],
        serde_json::json!({"truth": 2, "found": 1, "recall": 0.5})
    );
    assert_eq!(s["per_kind"]["exact"]["recall"], 1.0);
    assert_eq!(s["false_by_roles"], serde_json::json!({"article+copy": 1}));
    let missed: Vec<&Value> = lines.iter().filter(|l| l["type"] == "missed").collect();
    assert_eq!(missed.len(), 1);
    assert_eq!(missed[0]["a"], "corpus/same_site/ferry.txt");
    let false_pairs: Vec<&Value> = lines.iter().filter(|l| l["type"] == "false").collect();
    assert_eq!(false_pairs[0]["a"], "corpus/unicode/cafe_nfc.txt");
    // A truth file that is not one is an error naming the line.
    std::fs::write(&path, "{\"a\":\"x\"}\n").unwrap();
    let r = run(&["eval", "--truth", path.to_str().unwrap(), "corpus/"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("line 1"), "{}", r.stderr());
}

#[test]
fn defaults_meet_the_floors_on_a_generated_corpus() {
    let dir = scratch("floors");
    generate(&dir, 3000, 3);
    let truth = dir.join("truth.jsonl");
    let corpus = dir.join("corpus.jsonl");
    let r = run(&[
        "eval",
        "--truth",
        truth.to_str().unwrap(),
        corpus.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let s = &r.json_lines()[0];
    let report = serde_json::to_string_pretty(s).unwrap();
    assert!(s["precision"].as_f64().unwrap() >= 0.995, "{report}");
    for kind in [
        "full_page",
        "syndicated",
        "light_edit",
        "truncation",
        "reorder",
    ] {
        let k = &s["per_kind"][kind];
        assert!(
            k["truth"].as_u64().unwrap() >= 50,
            "{kind}: too few pairs to measure\n{report}"
        );
        assert!(k["recall"].as_f64().unwrap() >= 0.99, "{kind}\n{report}");
    }
    // Candidate verification is bounded per document.
    assert!(
        s["max_candidates_per_document"].as_u64().unwrap() <= 50,
        "{report}"
    );
    assert!(
        s["candidates_per_document"].as_f64().unwrap() < 20.0,
        "{report}"
    );
}
