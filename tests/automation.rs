//! `check` and `dedup` through the real binary (issue 6).

mod util;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use util::{neardupe, root, run, scratch};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// A checksum of every file under `dir` (path and bytes), to prove inputs are untouched.
fn tree_sum(dir: &Path) -> u64 {
    let mut files: Vec<PathBuf> = walk(dir);
    files.sort();
    let mut acc = Vec::new();
    for f in files {
        acc.extend(f.to_string_lossy().as_bytes());
        acc.extend(std::fs::read(&f).unwrap());
    }
    xxhash_rust::xxh3::xxh3_64(&acc)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn check_exit_codes() {
    assert_eq!(run(&["check", "corpus/same_site"]).code(), 0);
    let r = run(&["check", "corpus/seed"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stdout()
            .ends_with("check failed: 1 near-duplicate pair outside the baseline (allowed: 0)\n"),
        "{}",
        r.stdout()
    );
    assert_eq!(
        run(&["check", "corpus/seed", "--max-duplicates", "1"]).code(),
        0
    );
    let dir = scratch("check_unreadable");
    copy_dir(&root().join("corpus/same_site"), &dir);
    std::fs::write(dir.join("broken.jsonl"), "{\"text\": oops}\n").unwrap();
    let r = run(&["check", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 2, "a partial scan never passes");
    assert!(
        r.stdout().contains("1 input could not be read"),
        "{}",
        r.stdout()
    );
}

#[test]
fn baseline_silences_exactly_the_recorded_clusters() {
    let dir = scratch("baseline");
    copy_dir(&root().join("corpus/seed"), &dir.join("data"));
    copy_dir(&root().join("corpus/same_site"), &dir.join("data"));
    let data = dir.join("data");
    let base = dir.join("baseline.json");
    let r = run(&[
        "check",
        data.to_str().unwrap(),
        "--write-baseline",
        base.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let b: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(b["version"], 1);
    assert_eq!(b["clusters"].as_array().unwrap().len(), 1);
    // The recorded cluster passes.
    let r = run(&[
        "check",
        data.to_str().unwrap(),
        "--baseline",
        base.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 0);
    let lines = r.json_lines();
    let summary = lines.last().unwrap();
    assert_eq!(
        (
            summary["findings"].as_u64(),
            summary["baselined"].as_u64(),
            summary["passed"].as_bool()
        ),
        (Some(0), Some(1), Some(true))
    );
    // A new copy of the article is a finding: its pairs, and only those.
    std::fs::copy(data.join("article_only.txt"), data.join("article_copy.txt")).unwrap();
    let r = run(&[
        "check",
        data.to_str().unwrap(),
        "--baseline",
        base.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 1);
    let lines = r.json_lines();
    let pairs: Vec<(String, String)> = lines
        .iter()
        .filter(|l| l["type"] == "pair")
        .map(|l| {
            (
                l["a"].as_str().unwrap().to_string(),
                l["b"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let d = data.to_str().unwrap();
    assert_eq!(
        pairs,
        [
            (
                format!("{d}/article_copy.txt"),
                format!("{d}/article_only.txt")
            ),
            (
                format!("{d}/article_copy.txt"),
                format!("{d}/full_page.txt")
            ),
        ]
    );
    assert_eq!(lines.last().unwrap()["baselined"], 1);
    // A baseline that is not one is an error, not a pass.
    std::fs::write(dir.join("bad.json"), "{}").unwrap();
    let r = run(&[
        "check",
        d,
        "--baseline",
        dir.join("bad.json").to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("not a neardupe baseline"),
        "{}",
        r.stderr()
    );
}

#[test]
fn github_annotations_and_step_summary() {
    let dir = scratch("github");
    copy_dir(&root().join("corpus/seed"), &dir.join("data"));
    std::fs::write(dir.join("data/bad, name.jsonl"), "not json\n").unwrap();
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    // GITHUB_ACTIONS=true makes github the default format.
    let out = neardupe()
        .args(["check", dir.join("data").to_str().unwrap()])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let syntax = |l: &str| {
        let Some(rest) = l
            .strip_prefix("::warning ")
            .or_else(|| l.strip_prefix("::error "))
        else {
            return false;
        };
        let Some((props, message)) = rest.split_once("::") else {
            return false;
        };
        !message.is_empty()
            && !message.contains('\n')
            && props.split(',').all(|kv| {
                kv.split_once('=').is_some_and(|(k, v)| {
                    matches!(k, "file" | "line" | "title") && !v.is_empty() && !v.contains(':')
                })
            })
    };
    for l in &lines {
        assert!(syntax(l), "not a GitHub annotation: {l}");
    }
    assert!(
        lines[0].starts_with("::error file=") && lines[0].contains("bad%2C name.jsonl"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("::warning file=")
            && lines[1].contains("title=near-duplicate (a_in_b)::"),
        "{}",
        lines[1]
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("previous step\n## neardupe check\n"), "{md}");
    assert!(
        md.contains("| A | B | relation | Jaccard | A in B | B in A |"),
        "{md}"
    );
    assert!(md.contains("| a_in_b | 0.272 | 1.000 | 0.272 |"), "{md}");
}

#[test]
fn csv_output() {
    let r = run(&["scan", "corpus/seed", "--format", "csv"]);
    assert_eq!(
        r.stdout(),
        "a,b,relation,jaccard,containment_a_in_b,containment_b_in_a\n\
         corpus/seed/article_only.txt,corpus/seed/full_page.txt,a_in_b,0.27239884393063585,1,0.27239884393063585\n"
    );
}

/// A JSONL fixture: a cluster of three (article, its page, an exact copy of the article) and
/// an unrelated record, with a malformed-free, CRLF-free layout; ids say which is which.
fn jsonl_fixture(dir: &Path) -> PathBuf {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).unwrap();
    let article = read("corpus/seed/article_only.txt");
    let page = read("corpus/seed/full_page.txt");
    let other = read("corpus/exact/harbour.txt");
    let lines = [
        json!({"id": "c-copy", "text": article, "n": 1}),
        json!({"id": "a-article", "text": article}),
        json!({"id": "z-other", "text": other}),
        json!({"id": "b-page", "text": page}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let path = dir.join("shard.jsonl");
    std::fs::write(&path, body).unwrap();
    path
}

fn ids_in(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn dedup_jsonl_keeps_the_right_document_under_each_policy() {
    let dir = scratch("dedup_jsonl");
    let shard = jsonl_fixture(&dir);
    let before = std::fs::read(&shard).unwrap();
    for (keep, expected) in [
        ("longest", vec!["z-other", "b-page"]),
        ("shortest", vec!["a-article", "z-other"]),
        ("first", vec!["c-copy", "z-other"]),
    ] {
        let out = dir.join(format!("out-{keep}.jsonl"));
        let removed = dir.join(format!("removed-{keep}.jsonl"));
        let r = run(&[
            "dedup",
            shard.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--keep",
            keep,
            "--removed",
            removed.to_str().unwrap(),
        ]);
        assert_eq!(r.code(), 0, "{keep}: {}", r.stderr());
        assert_eq!(ids_in(&out), expected, "--keep {keep}");
        // Kept lines are the original lines, byte for byte.
        let original: Vec<&str> = std::str::from_utf8(&before).unwrap().lines().collect();
        for line in std::fs::read_to_string(&out).unwrap().lines() {
            assert!(original.contains(&line));
        }
        let removed: Vec<Value> = std::fs::read_to_string(&removed)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(removed.len(), 2);
        let kept = if keep == "longest" {
            expected[1]
        } else {
            expected[0]
        };
        assert!(
            removed.iter().all(|r| r["duplicate_of"] == kept),
            "{removed:?}"
        );
    }
    assert_eq!(
        std::fs::read(&shard).unwrap(),
        before,
        "the input is unchanged"
    );
}

#[test]
fn dedup_folders_mirror_and_compressed_shards_keep_their_codec() {
    let dir = scratch("dedup_folder");
    let input = dir.join("in");
    copy_dir(&root().join("corpus/seed"), &input.join("pages"));
    copy_dir(&root().join("corpus/same_site"), &input.join("site"));
    let shard = jsonl_fixture(&dir);
    let gz = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&std::fs::read(&shard).unwrap()).unwrap();
        e.finish().unwrap()
    };
    std::fs::create_dir_all(input.join("shards")).unwrap();
    std::fs::write(input.join("shards/s.jsonl.gz"), &gz).unwrap();
    let before = tree_sum(&input);
    let out = dir.join("out");
    let r = run(&[
        "dedup",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(tree_sum(&input), before, "inputs untouched");
    assert_eq!(
        names(&out),
        [
            "pages/full_page.txt",
            "shards/s.jsonl.gz",
            "site/ferry.txt",
            "site/school.txt"
        ]
    );
    assert_eq!(
        std::fs::read(out.join("pages/full_page.txt")).unwrap(),
        std::fs::read(input.join("pages/full_page.txt")).unwrap()
    );
    // The shard's article and copy are inside the text page, so only z-other stays; gzip kept.
    let bytes = std::fs::read(out.join("shards/s.jsonl.gz")).unwrap();
    assert_eq!(&bytes[..2], b"\x1f\x8b");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
        &mut text,
    )
    .unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["z-other"]);
    assert!(
        r.stderr()
            .contains("kept 4 of 8 documents, removed 4 in 1 clusters"),
        "{}",
        r.stderr()
    );
}

#[test]
fn dedup_emits_id_lists() {
    let r = run(&[
        "dedup",
        "corpus/seed",
        "corpus/exact",
        "-o",
        "-",
        "--emit",
        "remove",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        r.stdout(),
        "corpus/exact/harbour_copy.txt\ncorpus/seed/article_only.txt\n"
    );
    let r = run(&["dedup", "corpus/seed", "-o", "-", "--emit", "keep"]);
    assert_eq!(r.stdout(), "corpus/seed/full_page.txt\n");
}

#[test]
fn refused_outputs_leave_no_partial_file() {
    let dir = scratch("refused");
    let shard = jsonl_fixture(&dir);
    let before = tree_sum(&dir);
    // Existing output without --force.
    let existing = dir.join("exists.jsonl");
    std::fs::write(&existing, "keep me\n").unwrap();
    let r = run(&[
        "dedup",
        shard.to_str().unwrap(),
        "-o",
        existing.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .contains("already exists (use --force to replace it)"),
        "{}",
        r.stderr()
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me\n");
    // Output equal to the input, or inside an input folder.
    let r = run(&[
        "dedup",
        shard.to_str().unwrap(),
        "-o",
        shard.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("it is an input"), "{}", r.stderr());
    let r = run(&["dedup", "corpus/seed", "-o", "corpus/seed/out"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("inside the input folder"),
        "{}",
        r.stderr()
    );
    assert!(!root().join("corpus/seed/out").exists());
    // An unreadable input: nothing is written.
    std::fs::write(dir.join("broken.jsonl"), "{\"text\": oops}\n").unwrap();
    let out = dir.join("never");
    let r = run(&[
        "dedup",
        shard.to_str().unwrap(),
        dir.join("broken.jsonl").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("not writing"), "{}", r.stderr());
    assert!(!out.exists());
    // No temporary files anywhere, and the inputs are as they were.
    std::fs::remove_file(dir.join("broken.jsonl")).unwrap();
    std::fs::remove_file(&existing).unwrap();
    assert_eq!(tree_sum(&dir), before);
    assert_eq!(names(&dir), ["shard.jsonl"]);
}
