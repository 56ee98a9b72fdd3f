//! The public API only, as an ingestion pipeline would use it.

use neardupe::{Config, ConfigError, Document, Relation, find_duplicates};

fn corpus_doc(path: &str) -> Document {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    Document::new(path, std::fs::read_to_string(full).unwrap())
}

#[test]
fn seed_pair_through_the_library() {
    let docs = vec![
        corpus_doc("corpus/seed/full_page.txt"),
        corpus_doc("corpus/seed/article_only.txt"),
    ];
    let report = find_duplicates(docs, &Config::default());
    assert_eq!(report.pairs().len(), 1);
    let p = &report.pairs()[0];
    assert_eq!(p.a, "corpus/seed/article_only.txt");
    assert_eq!(p.relation, Relation::AInB);
    assert!(p.similarity.containment_a_in_b >= 0.95);
    let spans = p.spans.as_ref().unwrap();
    assert!(spans.a_only.is_empty());
    assert_eq!(spans.b_only.len(), 2);
    assert_eq!(report.clusters()[0].keep, "corpus/seed/full_page.txt");
    assert_eq!(report.stats.documents, 2);
}

#[test]
fn report_serialises() {
    let docs = vec![
        corpus_doc("corpus/exact/harbour.txt"),
        corpus_doc("corpus/exact/harbour_copy.txt"),
    ];
    let config = Config::builder().spans(false).build().unwrap();
    let report = find_duplicates(docs, &config);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["pairs"][0]["jaccard"], 1.0);
    assert_eq!(json["pairs"][0]["relation"], "similar");
    assert!(json["pairs"][0].get("spans").is_none());
    assert_eq!(json["clusters"][0]["members"].as_array().unwrap().len(), 2);
}

#[test]
fn config_errors_are_typed() {
    let err = Config::builder().bands(3).rows(50).build().unwrap_err();
    assert_eq!(
        err,
        ConfigError::Bands {
            bands: 3,
            rows: 50,
            num_hashes: 128
        }
    );
    let err: neardupe::Error = err.into();
    assert!(err.to_string().contains("do not fit in 128 hashes"));
}

#[test]
fn no_documents_no_findings() {
    let report = find_duplicates(Vec::new(), &Config::default());
    assert!(report.pairs().is_empty() && report.clusters().is_empty());
    assert_eq!(report.stats.documents, 0);
}

#[test]
fn too_short_documents_are_counted_never_matched() {
    let docs = vec![
        Document::new("a", "Advertisement"),
        Document::new("b", "Advertisement"),
        Document::new("c", ""),
    ];
    let report = find_duplicates(docs, &Config::default());
    assert!(report.pairs().is_empty());
    assert_eq!(report.stats.too_short, 3);
}

#[test]
fn compare_reports_figures_even_when_not_a_pair() {
    let a = corpus_doc("corpus/same_site/ferry.txt");
    let b = corpus_doc("corpus/same_site/school.txt");
    let cmp = neardupe::compare(&a, &b, &Config::default());
    assert_eq!(cmp.relation, None);
    assert!(cmp.similarity.shared > 0);
    assert!(!cmp.spans.shared.is_empty(), "the shared chrome is shown");
}
