//! The real binary on the real corpus: exact pairs, relations, exit codes, determinism.

mod util;

use std::io::Read;
use std::process::Stdio;

use serde_json::Value;
use util::{golden, neardupe, run, scratch};

/// Every pair `scan corpus/` must report, with its relation; see corpus/README.md.
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "corpus/edited/library.txt",
        "corpus/edited/library_edited.txt",
        "similar",
    ),
    (
        "corpus/exact/harbour.txt",
        "corpus/exact/harbour_copy.txt",
        "similar",
    ),
    (
        "corpus/reordered/bridge.txt",
        "corpus/reordered/bridge_reordered.txt",
        "similar",
    ),
    (
        "corpus/seed/article_only.txt",
        "corpus/seed/full_page.txt",
        "a_in_b",
    ),
    (
        "corpus/truncated/festival.txt",
        "corpus/truncated/festival_truncated.txt",
        "b_in_a",
    ),
    (
        "corpus/unicode/cafe_nfc.txt",
        "corpus/unicode/cafe_nfd.txt",
        "similar",
    ),
];

fn pairs(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|l| l["type"] == "pair").collect()
}

#[test]
fn scan_corpus_reports_exactly_the_expected_pairs() {
    let r = run(&["scan", "corpus/", "--format", "json"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let lines = r.json_lines();
    let got: Vec<(String, String, String)> = pairs(&lines)
        .iter()
        .map(|p| {
            (
                p["a"].as_str().unwrap().to_string(),
                p["b"].as_str().unwrap().to_string(),
                p["relation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = EXPECTED
        .iter()
        .map(|(a, b, r)| (a.to_string(), b.to_string(), r.to_string()))
        .collect();
    assert_eq!(got, expected);

    let seed = pairs(&lines)
        .into_iter()
        .find(|p| p["a"] == "corpus/seed/article_only.txt")
        .unwrap();
    assert!(seed["containment_a_in_b"].as_f64().unwrap() >= 0.95);
    assert!(seed["jaccard"].as_f64().unwrap() < 0.3);

    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["version"], 1);
    assert_eq!(summary["documents"], 17); // 16 fixtures + corpus/README.md
    assert_eq!(summary["skipped"], 0);
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["pairs"], 6);
    assert_eq!(summary["clusters"], 6);
    let clusters: Vec<&Value> = lines.iter().filter(|l| l["type"] == "cluster").collect();
    assert_eq!(clusters[3]["keep"], "corpus/seed/full_page.txt");
}

#[test]
fn json_output_matches_golden_file() {
    let r = run(&["scan", "corpus/", "--format", "json"]);
    golden("scan_corpus.jsonl", &r.stdout());
}

#[test]
fn readable_output_matches_golden_file() {
    let r = run(&["scan", "corpus/"]);
    assert!(
        !r.stdout().contains('\x1b'),
        "no colour when not a terminal"
    );
    golden("scan_corpus.txt", &r.stdout());
    let err = r.stderr();
    assert!(
        err.starts_with("neardupe: 17 documents read, 0 skipped, 0 errors, 0 too short;"),
        "{err}"
    );
    assert!(err.contains(" 6 pairs, 6 clusters; "), "{err}");
}

#[test]
fn full_spans_show_line_and_column() {
    let r = run(&["scan", "corpus/seed", "--spans", "full"]);
    let out = r.stdout();
    assert!(out.contains("    only in B: 0..33 (1:1-1:33)\n"), "{out}");
    assert!(
        out.contains("    shared:    A 0..2312 (1:1-4:1293) = B 36..2348 (4:1-7:1293)\n"),
        "{out}"
    );
}

#[test]
fn output_is_identical_for_any_thread_count_and_input_order() {
    let base = run(&["scan", "corpus/", "--format", "json", "-j", "1"]).stdout();
    for threads in ["2", "3", "8"] {
        assert_eq!(
            base,
            run(&["scan", "corpus/", "--format", "json", "-j", threads]).stdout()
        );
    }
    let forward = run(&["scan", "corpus/seed", "corpus/unicode", "--format", "json"]).stdout();
    let backward = run(&["scan", "corpus/unicode", "corpus/seed", "--format", "json"]).stdout();
    assert_eq!(forward, backward);
}

#[test]
fn spans_none_leaves_spans_out_of_json() {
    let r = run(&["scan", "corpus/seed", "--format", "json", "--spans", "none"]);
    let lines = r.json_lines();
    assert_eq!(pairs(&lines).len(), 1);
    assert!(pairs(&lines)[0].get("spans").is_none());
    let r = run(&["scan", "corpus/seed", "--format", "json"]);
    assert!(pairs(&r.json_lines())[0].get("spans").is_some());
}

#[test]
fn jaccard_only_mode_misses_the_seed_pair_by_design() {
    let r = run(&["scan", "corpus/seed", "--jaccard-only", "--format", "json"]);
    assert_eq!(r.code(), 0);
    assert!(pairs(&r.json_lines()).is_empty());
}

#[test]
fn thresholds_are_flags() {
    // Lower the containment threshold below the truncated copy's share, raise it above one.
    let r = run(&[
        "scan",
        "corpus/truncated",
        "--format",
        "json",
        "--containment",
        "1.0",
        "--jaccard",
        "0.9",
    ]);
    assert_eq!(
        pairs(&r.json_lines()).len(),
        1,
        "containment 1.0 is still met"
    );
    let r = run(&[
        "scan",
        "corpus/edited",
        "--format",
        "json",
        "--jaccard",
        "0.9",
        "--containment",
        "0.95",
    ]);
    assert!(
        pairs(&r.json_lines()).is_empty(),
        "Jaccard 0.865 and containment 0.927 are below"
    );
    let r = run(&[
        "scan",
        "corpus/blurb",
        "--format",
        "json",
        "--min-contained",
        "10",
    ]);
    let lines = r.json_lines();
    let p = pairs(&lines);
    assert_eq!(p.len(), 1, "a smaller minimum reports the blurb");
    assert_eq!(p[0]["relation"], "b_in_a");
}

#[cfg(unix)]
#[test]
fn unreadable_input_exits_2_and_reports_the_rest() {
    use std::os::unix::fs::PermissionsExt;
    let work = util::open_scratch("unreadable");
    std::fs::create_dir(work.join("seed")).unwrap();
    for name in ["article_only.txt", "full_page.txt"] {
        std::fs::copy(
            util::root().join("corpus/seed").join(name),
            work.join("seed").join(name),
        )
        .unwrap();
    }
    let dir = work.join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("secret.txt"), "words nobody may read").unwrap();
    std::fs::create_dir(dir.join("locked")).unwrap();
    std::fs::write(dir.join("locked/inside.txt"), "also unreadable").unwrap();
    std::fs::write(dir.join("open.txt"), "a readable file").unwrap();
    for d in [&dir, &work.join("seed")] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    util::forbid(&dir.join("secret.txt"));
    util::forbid(&dir.join("locked"));
    let r = util::run_unprivileged(
        &work,
        &["scan", "seed", "no/such/folder", "data", "--format", "json"],
    );
    assert_eq!(r.code(), 2, "{}", r.stderr());
    let lines = r.json_lines();
    let errors: Vec<&Value> = lines.iter().filter(|l| l["type"] == "error").collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0]["path"], "no/such/folder");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("reading no/such/folder: ")
    );
    let locked = errors
        .iter()
        .find(|e| e["path"] == "data/locked")
        .expect("the folder is named");
    assert!(
        locked["message"]
            .as_str()
            .unwrap()
            .contains("ermission denied"),
        "{locked}"
    );
    let secret = errors
        .iter()
        .find(|e| e["path"] == "data/secret.txt")
        .expect("the file is named");
    assert!(
        secret["message"]
            .as_str()
            .unwrap()
            .contains("ermission denied"),
        "{secret}"
    );
    assert_eq!(pairs(&lines).len(), 1, "the seed pair is still reported");
    let summary = lines.last().unwrap();
    assert_eq!(
        (summary["errors"].as_u64(), summary["documents"].as_u64()),
        (Some(3), Some(3))
    );
    assert!(r.stderr().contains("neardupe: reading no/such/folder: "));
    // The run finished: the readable file was read too.
    assert!(
        r.stderr().contains("3 documents read, 0 skipped, 3 errors"),
        "{}",
        r.stderr()
    );
    let _ = std::process::Command::new("chmod")
        .args(["-R", "u+rwx"])
        .arg(&work)
        .output();
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn binary_files_are_skipped_and_counted_without_failing() {
    let dir = scratch("binary");
    std::fs::write(dir.join("blob.txt"), b"\x00\x01\x02 binary").unwrap();
    std::fs::write(dir.join("ok.txt"), "a few words of text here").unwrap();
    let r = run(&["scan", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.code(), 0);
    let lines = r.json_lines();
    assert_eq!(lines[0]["type"], "skipped");
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("blob.txt: binary file (NUL byte at offset 0), skipped")
    );
    let summary = lines.last().unwrap();
    assert_eq!(
        (summary["skipped"].as_u64(), summary["documents"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["scan"][..],
        &["scan", "corpus", "--jaccard", "1.5"],
        &["scan", "corpus", "--bands", "40", "--rows", "4"],
        &["scan", "corpus", "--bands", "4"],
        &["frobnicate"],
        &["compare", "corpus/seed/full_page.txt"],
    ] {
        let r = run(args);
        assert_eq!(r.code(), 2, "{args:?}: {}", r.stderr());
        assert!(!r.stderr().is_empty());
    }
    let r = run(&["scan", "corpus", "--jaccard", "1.5"]);
    assert_eq!(
        r.stderr().trim_end(),
        "neardupe: invalid options: jaccard threshold 1.5 is out of range (above 0, at most 1)"
    );
}

#[test]
fn compare_gives_the_figures_and_spans_of_two_files() {
    let r = run(&[
        "compare",
        "corpus/seed/article_only.txt",
        "corpus/seed/full_page.txt",
        "--format",
        "json",
    ]);
    assert_eq!(r.code(), 0);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 1);
    let p = &lines[0];
    assert_eq!(p["relation"], "a_in_b");
    assert_eq!(p["reported"], true);
    assert_eq!(p["containment_a_in_b"], 1.0);
    assert_eq!(
        p["spans"]["shared"],
        serde_json::json!([[0, 2312, 36, 2348]])
    );

    let r = run(&[
        "compare",
        "corpus/same_site/ferry.txt",
        "corpus/same_site/school.txt",
        "--format",
        "json",
    ]);
    let p = &r.json_lines()[0];
    assert_eq!(p["relation"], Value::Null);
    assert_eq!(p["reported"], false);
    assert!(
        p["containment_a_in_b"].as_f64().unwrap() > 0.5,
        "shared chrome shows in the figures"
    );
}

#[test]
fn compare_readable_output_and_colour() {
    let args = [
        "compare",
        "corpus/edited/library.txt",
        "corpus/edited/library_edited.txt",
    ];
    let plain = run(&args);
    golden("compare_edited.txt", &plain.stdout());
    let mut always = args.to_vec();
    always.extend(["--color", "always"]);
    let coloured = run(&always).stdout();
    assert!(coloured.contains("\x1b[31m"), "{coloured}");
    // NO_COLOR does not override an explicit --color always, but turns off auto.
    let out = neardupe().args(args).env("NO_COLOR", "1").output().unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains('\x1b'));
    let mut never = args.to_vec();
    never.extend(["--color", "never"]);
    assert_eq!(run(&never).stdout(), plain.stdout());
}

#[test]
fn compare_missing_file_exits_2_naming_it() {
    let r = run(&["compare", "corpus/seed/full_page.txt", "corpus/nope.txt"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .starts_with("neardupe: reading corpus/nope.txt: "),
        "{}",
        r.stderr()
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    let mut child = neardupe()
        .args(["scan", "corpus/", "--spans", "full"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some_and(|c| c == 0), "{status:?} {err}");
}

#[test]
fn empty_folder_reports_nothing_and_says_so() {
    let dir = scratch("empty");
    let r = run(&["scan", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 0);
    assert_eq!(r.stdout(), "no near-duplicates found\n");
    assert!(
        r.stderr()
            .contains("no documents found under the given paths")
    );
}

#[test]
fn stats_print_stage_times_and_peak_memory() {
    let r = run(&["scan", "--stats", "--format", "json", "corpus/seed"]);
    assert_eq!(r.code(), 0);
    let err = r.stderr();
    let line = err
        .lines()
        .find(|l| l.starts_with("neardupe: stages: "))
        .unwrap_or_else(|| panic!("no stage line in {err:?}"));
    for stage in [
        "read ",
        "sketch ",
        "(counting ",
        "candidates ",
        "verify ",
        "report ",
    ] {
        assert!(line.contains(stage), "{line}");
    }
    if cfg!(target_os = "linux") {
        let mb: f64 = line
            .rsplit("peak memory ")
            .next()
            .and_then(|t| t.strip_suffix(" MB"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no peak memory in {line}"));
        assert!(mb > 0.0 && mb < 1024.0, "{line}");
    }
}
