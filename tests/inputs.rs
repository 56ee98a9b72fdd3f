//! Real-world inputs and bad input, through the real binary (issue 5).

mod util;

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use util::{root, run, scratch};

fn pairs(lines: &[Value]) -> Vec<Value> {
    lines
        .iter()
        .filter(|l| l["type"] == "pair")
        .cloned()
        .collect()
}

fn summary(lines: &[Value]) -> Value {
    let last = lines.last().unwrap().clone();
    assert_eq!(last["type"], "summary");
    last
}

/// Writes the corpus's text fixtures as JSON Lines records with `id` = their path.
fn corpus_as_jsonl(folders: &[&str]) -> String {
    let mut out = String::new();
    for folder in folders {
        let mut files: Vec<_> = std::fs::read_dir(root().join("corpus").join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let id = format!(
                "corpus/{folder}/{}",
                f.file_name().unwrap().to_string_lossy()
            );
            out.push_str(&json!({"id": id, "text": text, "meta": {"lang": "en"}}).to_string());
            out.push('\n');
        }
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn jsonl_plain_gz_and_zst_give_the_same_findings_as_text() {
    let folders = ["seed", "edited", "same_site", "blurb", "unicode"];
    let dir = scratch("formats");
    let jsonl = corpus_as_jsonl(&folders);
    std::fs::write(dir.join("a.jsonl"), &jsonl).unwrap();
    // Two gzip members and two zstd frames, split mid-file.
    let half = jsonl.len() / 2;
    let cut = jsonl[..half].rfind('\n').unwrap() + 1;
    let mut gz = gzip(&jsonl.as_bytes()[..cut]);
    gz.extend(gzip(&jsonl.as_bytes()[cut..]));
    std::fs::write(dir.join("b.jsonl.gz"), gz).unwrap();
    let mut zst = zstd::encode_all(&jsonl.as_bytes()[..cut], 3).unwrap();
    zst.extend(zstd::encode_all(&jsonl.as_bytes()[cut..], 3).unwrap());
    std::fs::write(dir.join("c.jsonl.zst"), zst).unwrap();

    let mut text_args = vec!["scan".to_string(), "--format".into(), "json".into()];
    text_args.extend(folders.iter().map(|f| format!("corpus/{f}")));
    let text_args: Vec<&str> = text_args.iter().map(String::as_str).collect();
    let expected = run(&text_args).json_lines();
    assert_eq!(pairs(&expected).len(), 3, "seed, edited, unicode");
    for name in ["a.jsonl", "b.jsonl.gz", "c.jsonl.zst"] {
        let r = run(&["scan", "--format", "json", dir.join(name).to_str().unwrap()]);
        assert_eq!(r.code(), 0, "{name}: {}", r.stderr());
        let got = r.json_lines();
        assert_eq!(
            pairs(&got),
            pairs(&expected),
            "{name}: same pairs, figures and spans"
        );
        assert_eq!(summary(&got)["documents"], summary(&expected)["documents"]);
    }
}

#[test]
fn a_gz_that_is_plain_text_is_read_as_text() {
    let dir = scratch("fake_gz");
    std::fs::write(dir.join("plain.jsonl.gz"), corpus_as_jsonl(&["seed"])).unwrap();
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(pairs(&r.json_lines()).len(), 1);
}

#[test]
fn malformed_lines_are_errors_and_the_rest_is_read() {
    let dir = scratch("malformed");
    let good = corpus_as_jsonl(&["seed"]);
    let mut lines: Vec<&str> = good.lines().collect();
    lines.insert(1, "{\"id\": \"broken\", \"text\": ");
    lines.insert(2, "[\"an\", \"array\"]");
    lines.insert(3, "{\"id\": \"x\", \"text\": null}");
    std::fs::write(dir.join("shard.jsonl"), lines.join("\r\n")).unwrap();
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    let out = r.json_lines();
    let errors: Vec<&Value> = out.iter().filter(|l| l["type"] == "error").collect();
    let shard = dir.join("shard.jsonl").to_string_lossy().into_owned();
    assert_eq!(errors.len(), 3);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("reading {shard} line 2: invalid JSON: "))
    );
    assert_eq!(
        errors[1]["message"],
        format!("reading {shard} line 3: not a JSON object (found an array)")
    );
    assert_eq!(
        errors[2]["message"],
        format!("reading {shard} line 4: \"text\" is null, not a string")
    );
    assert_eq!(errors[2]["path"], shard.as_str());
    assert_eq!(
        pairs(&out).len(),
        1,
        "the records around the bad lines are read"
    );
    assert_eq!(summary(&out)["errors"], 3);
    assert!(r.stderr().contains(&format!(
        "neardupe: reading {shard} line 3: not a JSON object"
    )));
}

#[test]
fn custom_fields_and_fallback_ids() {
    let dir = scratch("fields");
    let text = std::fs::read_to_string(root().join("corpus/exact/harbour.txt")).unwrap();
    let body = format!(
        "{}\n{}\n",
        json!({"url": "u1", "content": text}),
        json!({"content": text})
    );
    std::fs::write(dir.join("s.jsonl"), body).unwrap();
    let r = run(&[
        "scan",
        "--format",
        "json",
        "--text-field",
        "content",
        "--id-field",
        "url",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let p = &pairs(&r.json_lines())[0];
    let fallback = format!("{}:2", dir.join("s.jsonl").display());
    let mut ids = [p["a"].as_str().unwrap(), p["b"].as_str().unwrap()];
    ids.sort();
    let mut want = [fallback.as_str(), "u1"];
    want.sort();
    assert_eq!(ids, want);
    // Without the right field name, every line is an error naming the field.
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr().contains("line 1: no \"text\" field"),
        "{}",
        r.stderr()
    );
}

#[test]
fn duplicate_ids_are_renamed_with_a_warning() {
    let dir = scratch("dup_ids");
    let t = std::fs::read_to_string(root().join("corpus/exact/harbour.txt")).unwrap();
    let body = format!(
        "{}\n{}\n",
        json!({"id": "same", "text": t}),
        json!({"id": "same", "text": t})
    );
    std::fs::write(dir.join("s.jsonl"), body).unwrap();
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 0);
    let out = r.json_lines();
    let shard = dir.join("s.jsonl").display().to_string();
    let w: Vec<&Value> = out.iter().filter(|l| l["type"] == "warning").collect();
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0]["message"],
        format!("{shard}:2: id \"same\" already used by {shard}:1, renamed to \"same@{shard}:2\"")
    );
    let p = &pairs(&out)[0];
    assert_eq!(
        (p["a"].as_str().unwrap(), p["relation"].as_str().unwrap()),
        ("same", "similar")
    );
    assert_eq!(p["b"], format!("same@{shard}:2"));
}

#[test]
fn truncated_compressed_shards_are_errors() {
    let dir = scratch("truncated");
    let data = corpus_as_jsonl(&["seed", "edited", "reordered"]);
    let gz = gzip(data.as_bytes());
    std::fs::write(dir.join("cut.jsonl.gz"), &gz[..gz.len() * 2 / 3]).unwrap();
    let zs = zstd::encode_all(data.as_bytes(), 3).unwrap();
    std::fs::write(dir.join("cut.jsonl.zst"), &zs[..zs.len() * 2 / 3]).unwrap();
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    let out = r.json_lines();
    let errors: Vec<String> = out
        .iter()
        .filter(|l| l["type"] == "error")
        .map(|l| l["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(errors.len(), 2, "{out:?}");
    assert!(errors[0].ends_with("cut.jsonl.gz") && errors[1].ends_with("cut.jsonl.zst"));
}

#[test]
fn plain_jsonl_streams_past_the_file_size_limit() {
    // A plain JSON Lines file is read in batches, so --max-file-size does not apply to it
    // (its lines are limited instead); a text file of the same size is still skipped.
    let dir = scratch("plain-big");
    let line = json!({"text": "a few words of text ".repeat(100)}).to_string() + "\n";
    std::fs::write(dir.join("big.jsonl"), line.repeat(20)).unwrap();
    std::fs::write(dir.join("big.txt"), "words ".repeat(2000)).unwrap();
    let r = run(&[
        "scan",
        "--format",
        "json",
        "--max-file-size",
        "4K",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0);
    let out = r.json_lines();
    let skipped: Vec<&str> = out
        .iter()
        .filter(|l| l["type"] == "skipped")
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 1, "{out:?}");
    assert!(skipped[0].contains("big.txt: file size exceeds --max-file-size"));
    assert_eq!(summary(&out)["documents"].as_u64(), Some(20));
}

#[test]
fn decompression_bomb_is_skipped_by_the_size_limit() {
    let dir = scratch("bomb");
    let line = json!({"text": "x ".repeat(1_000_000)}).to_string() + "\n";
    std::fs::write(dir.join("bomb.jsonl.gz"), gzip(line.repeat(8).as_bytes())).unwrap();
    std::fs::write(dir.join("ok.txt"), "fine").unwrap();
    let r = run(&[
        "scan",
        "--format",
        "json",
        "--max-file-size",
        "4M",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0, "a policy skip is not a read failure");
    let out = r.json_lines();
    assert_eq!(out[0]["type"], "skipped");
    assert!(out[0]["message"].as_str().unwrap().ends_with(
        "bomb.jsonl.gz: decompressed size exceeds --max-file-size (4194304 bytes), file skipped"
    ));
    let s = summary(&out);
    assert_eq!(
        (s["skipped"].as_u64(), s["documents"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn long_records_are_skipped_by_max_doc_bytes() {
    let dir = scratch("longline");
    let body = format!(
        "{}\n{}\n",
        json!({"text": "y ".repeat(5000)}),
        json!({"text": "short one"})
    );
    std::fs::write(dir.join("s.jsonl"), body).unwrap();
    let r = run(&[
        "scan",
        "--format",
        "json",
        "--max-doc-bytes",
        "1K",
        dir.to_str().unwrap(),
    ]);
    let out = r.json_lines();
    assert_eq!(out[0]["type"], "skipped");
    assert!(
        out[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("s.jsonl line 1: line longer than --max-doc-bytes (1024 bytes), skipped")
    );
    assert_eq!(summary(&out)["documents"], 1);
}

#[test]
fn empty_and_too_short_files_are_counted() {
    let dir = scratch("short");
    std::fs::write(dir.join("empty.txt"), "").unwrap();
    std::fs::write(dir.join("blank.txt"), " \n\t \r\n").unwrap();
    std::fs::write(dir.join("tiny.txt"), "Advertisement").unwrap();
    std::fs::write(dir.join("tiny2.txt"), "Advertisement").unwrap();
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 0);
    let s = summary(&r.json_lines());
    assert_eq!(
        (
            s["documents"].as_u64(),
            s["too_short"].as_u64(),
            s["pairs"].as_u64()
        ),
        (Some(4), Some(4), Some(0))
    );
    assert!(
        r.stderr()
            .contains("4 documents read, 0 skipped, 0 errors, 4 too short"),
        "{}",
        r.stderr()
    );
}

#[cfg(unix)]
#[test]
fn same_file_twice_or_hard_linked_is_one_document() {
    let dir = scratch("hardlink");
    std::fs::copy(root().join("corpus/exact/harbour.txt"), dir.join("a.txt")).unwrap();
    std::fs::hard_link(dir.join("a.txt"), dir.join("b.txt")).unwrap();
    let d = dir.to_str().unwrap();
    let a = dir.join("a.txt");
    let r = run(&["scan", "--format", "json", d, a.to_str().unwrap()]);
    assert_eq!(r.code(), 0);
    let out = r.json_lines();
    assert!(
        pairs(&out).is_empty(),
        "a file is never a duplicate of itself"
    );
    let skipped: Vec<&str> = out
        .iter()
        .filter(|l| l["type"] == "skipped")
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped[0].ends_with(&format!("b.txt: same file as {}, read once", a.display())),
        "{}",
        skipped[0]
    );
    assert_eq!(summary(&out)["documents"], 1);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_unless_asked_and_loops_are_reported() {
    let dir = scratch("symlinks");
    std::fs::create_dir(dir.join("real")).unwrap();
    std::fs::copy(
        root().join("corpus/exact/harbour.txt"),
        dir.join("real/a.txt"),
    )
    .unwrap();
    std::fs::create_dir(dir.join("walk")).unwrap();
    std::os::unix::fs::symlink(dir.join("real/a.txt"), dir.join("walk/link.txt")).unwrap();
    std::os::unix::fs::symlink(dir.join("nowhere.txt"), dir.join("walk/broken.txt")).unwrap();
    std::os::unix::fs::symlink(dir.join("walk"), dir.join("walk/loop")).unwrap();
    let walk = dir.join("walk");
    let r = run(&["scan", "--format", "json", walk.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(summary(&r.json_lines())["documents"], 0);
    let r = run(&["scan", "--format", "json", "-L", walk.to_str().unwrap()]);
    let out = r.json_lines();
    assert_eq!(
        r.code(),
        2,
        "the broken link and the loop are errors when following"
    );
    assert_eq!(summary(&out)["documents"], 1);
    let errors: Vec<&str> = out
        .iter()
        .filter(|l| l["type"] == "error")
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(
        errors.iter().any(|m| m.contains("broken.txt")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|m| m.contains("loop")), "{errors:?}");
}

#[cfg(unix)]
#[test]
fn fifos_are_skipped_without_opening() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe.txt");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // Named explicitly: skipped with a message, never opened (opening would block).
    let r = run(&[
        "scan",
        "--format",
        "json",
        fifo.to_str().unwrap(),
        "corpus/seed",
    ]);
    assert_eq!(r.code(), 0);
    let out = r.json_lines();
    assert_eq!(out[0]["type"], "skipped");
    assert!(
        out[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("pipe.txt: not a regular file, skipped")
    );
    // Met in a walk: passed over.
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(
        (r.code(), summary(&r.json_lines())["documents"].as_u64()),
        (0, Some(0))
    );
}

#[test]
fn paths_mixing_folders_files_and_shards() {
    let dir = scratch("mixed");
    std::fs::write(
        dir.join("page.jsonl"),
        corpus_as_jsonl(&["seed"]).lines().nth(1).unwrap(),
    )
    .unwrap();
    let shard = dir.join("page.jsonl");
    let r = run(&[
        "scan",
        "--format",
        "json",
        "corpus/seed/article_only.txt",
        shard.to_str().unwrap(),
        "corpus/edited",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let p = pairs(&r.json_lines());
    assert_eq!(p.len(), 2);
    assert!(
        Path::new(p[1]["a"].as_str().unwrap()).ends_with("article_only.txt"),
        "{p:?}"
    );
    assert_eq!(p[1]["b"], "corpus/seed/full_page.txt");
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(root().join("corpus/seed").join(name)).unwrap()
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The seed pair as HTML pages: the article's paragraphs in `<p>`, the page with a headline,
/// navigation, a script, a style sheet and the comments.
fn seed_as_html() -> (String, String) {
    let article = seed("article_only.txt");
    let page = seed("full_page.txt");
    let paragraphs: String = article
        .lines()
        .map(|l| format!("<p>{}</p>\n", escape_html(l)))
        .collect();
    let comments: String = page[2348..]
        .split("\n\n")
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            format!(
                "<li class=\"comment\"><p>{}</p></li>\n",
                escape_html(c.trim())
            )
        })
        .collect();
    let article_html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><article>\n{paragraphs}</article></body></html>"
    );
    let page_html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"windows-1252\"><style>body {{ color: red }}</style>\
         <script>var tracking = \"</p><p>not text\";</script></head><body>\
         <h1>{}</h1><div><div><article>\n{paragraphs}</article></div></div><ol>\n{comments}</ol></body></html>",
        escape_html(&page[..33])
    );
    (article_html, page_html)
}

#[test]
fn html_pages_give_the_same_findings_as_their_text() {
    let dir = scratch("html");
    let (article, page) = seed_as_html();
    std::fs::write(dir.join("article_only.html"), &article).unwrap();
    // The page in windows-1252, as its <meta charset> says; the emoji becomes a character reference.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&page);
    std::fs::write(dir.join("full_page.htm"), &bytes).unwrap();
    let html = run(&[
        "scan",
        "--format",
        "json",
        "--documents",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(html.code(), 0, "{}", html.stderr());
    let text = run(&["scan", "--format", "json", "corpus/seed"]);
    let (h, t) = (pairs(&html.json_lines()), pairs(&text.json_lines()));
    assert_eq!(h.len(), 1);
    assert_eq!(
        (h[0]["relation"].clone(), t[0]["relation"].clone()),
        (json!("a_in_b"), json!("a_in_b"))
    );
    assert_eq!(h[0]["containment_a_in_b"], 1.0);
    // <p> paragraphs are blank-line separated where the text file has single line breaks, so
    // the few shingles spanning two paragraphs differ; everything else is the same text.
    let (sh, st) = (
        h[0]["shingles_a"].as_f64().unwrap(),
        t[0]["shingles_a"].as_f64().unwrap(),
    );
    assert!((sh - st).abs() / st < 0.05, "{sh} vs {st}");
    let docs: Vec<Value> = html
        .json_lines()
        .into_iter()
        .filter(|l| l["type"] == "document")
        .collect();
    assert_eq!(docs[0]["encoding"], "UTF-8");
    assert_eq!(docs[1]["encoding"], "windows-1252");
    // The page's extra spans are the headline and the comments, not the script.
    let b_only = h[0]["spans"]["b_only"].as_array().unwrap();
    assert_eq!(b_only.len(), 2, "{b_only:?}");
}

#[test]
fn encodings_are_detected_and_recorded() {
    let dir = scratch("encodings");
    let text = std::fs::read_to_string(root().join("corpus/unicode/cafe_nfc.txt")).unwrap();
    std::fs::write(dir.join("a_utf8.txt"), &text).unwrap();
    let (cp1252, _, bad) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!bad);
    std::fs::write(dir.join("b_cp1252.txt"), &cp1252).unwrap();
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.join("c_utf16.txt"), &utf16).unwrap();
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text.as_bytes());
    std::fs::write(dir.join("d_bom.txt"), &bom).unwrap();
    let r = run(&[
        "scan",
        "--format",
        "json",
        "--documents",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let lines = r.json_lines();
    let encodings: Vec<&str> = lines
        .iter()
        .filter(|l| l["type"] == "document")
        .map(|l| l["encoding"].as_str().unwrap())
        .collect();
    assert_eq!(encodings, ["UTF-8", "windows-1252", "UTF-16LE", "UTF-8"]);
    let p = pairs(&lines);
    assert_eq!(p.len(), 6, "all four decode to the same words");
    assert!(p.iter().all(|x| x["jaccard"] == 1.0));
    // Decoding is deterministic: the same run, the same bytes.
    assert_eq!(
        r.stdout(),
        run(&[
            "scan",
            "--format",
            "json",
            "--documents",
            dir.to_str().unwrap()
        ])
        .stdout()
    );
}

#[test]
fn standard_input_as_text_or_jsonl() {
    use std::io::Write as _;
    use std::process::Stdio;
    let feed = |args: &[&str], input: &[u8]| {
        let mut child = util::neardupe()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        util::Run { out }
    };
    let r = feed(
        &["scan", "-", "corpus/seed/full_page.txt", "--format", "json"],
        seed("article_only.txt").as_bytes(),
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let p = pairs(&r.json_lines());
    assert_eq!(
        (p[0]["a"].as_str(), p[0]["relation"].as_str()),
        (Some("-"), Some("a_in_b"))
    );
    let jsonl = gzip(corpus_as_jsonl(&["seed"]).as_bytes());
    let r = feed(&["scan", "-", "--format", "json"], &jsonl);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(
        pairs(&r.json_lines())[0]["a"],
        "corpus/seed/article_only.txt"
    );
}

#[cfg(unix)]
#[test]
fn odd_paths_are_read_and_named_faithfully() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("odd_paths");
    let text = std::fs::read_to_string(root().join("corpus/exact/harbour.txt")).unwrap();
    let latin = dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
    std::fs::write(&latin, &text).unwrap();
    std::fs::write(dir.join("evil\u{1b}[31m\u{202e}.txt"), &text).unwrap();
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let p = &pairs(&r.json_lines())[0];
    let d = dir.to_str().unwrap();
    assert_eq!(
        p["a"],
        format!("{d}/caf\\xE9.txt"),
        "invalid UTF-8 bytes are written \\xHH"
    );
    assert_eq!(
        p["b"],
        format!("{d}/evil\u{1b}[31m\u{202e}.txt"),
        "JSON keeps the name as it is"
    );
    let human = run(&["scan", dir.to_str().unwrap(), "--color", "always"]).stdout();
    assert!(
        human.contains("evil\\u{1b}[31m\\u{202e}.txt"),
        "escaped on a terminal: {human}"
    );
    assert!(!human.contains("evil\u{1b}"));
}

#[test]
fn deep_trees_and_100k_tiny_files_with_few_file_handles() {
    let dir = scratch("deep");
    let mut deep = dir.clone();
    for i in 0..200 {
        deep.push(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(
        deep.join("bottom.txt"),
        "found at the bottom of a very deep tree",
    )
    .unwrap();
    let many = dir.join("many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..100_000 {
        std::fs::write(
            many.join(format!("f{i:06}.txt")),
            format!("tiny file number {i} with a few words"),
        )
        .unwrap();
    }
    // 100,000 files with at most 64 open file descriptors: files are closed as they are read.
    let bin = env!("CARGO_BIN_EXE_neardupe");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec '{bin}' scan --format json --spans none '{}'",
            dir.display()
        ))
        .output()
        .unwrap();
    let r = util::Run { out };
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let s = summary(&r.json_lines());
    assert_eq!(
        (s["documents"].as_u64(), s["errors"].as_u64()),
        (Some(100_001), Some(0))
    );
}

#[test]
fn a_200_mb_line_without_newline_is_skipped_in_bounded_memory() {
    let dir = scratch("huge_line");
    let path = dir.join("huge.jsonl");
    {
        use std::io::Write as _;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"{\"text\":\"short record\"}\n{\"text\":\"")
            .unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..200 {
            f.write_all(&chunk).unwrap();
        }
    }
    let r = run(&[
        "scan",
        "--format",
        "json",
        "--max-doc-bytes",
        "1M",
        path.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let lines = r.json_lines();
    assert_eq!(lines[0]["type"], "skipped");
    assert!(
        lines[0]["message"].as_str().unwrap().ends_with(
            "huge.jsonl line 2: line longer than --max-doc-bytes (1048576 bytes), skipped"
        )
    );
    assert_eq!(summary(&lines)["documents"], 1);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn control_characters_in_texts_are_escaped_on_a_terminal() {
    let dir = scratch("ctrl_text");
    let a = "The quick brown fox \u{1b}[2J jumps over the lazy dog near the river bank today and tomorrow.";
    let b = "The quick brown fox \u{202e} leaps over the lazy dog near the river bank today and tomorrow.";
    std::fs::write(dir.join("a.txt"), a).unwrap();
    std::fs::write(dir.join("b.txt"), b).unwrap();
    let (pa, pb) = (dir.join("a.txt"), dir.join("b.txt"));
    let r = run(&[
        "compare",
        pa.to_str().unwrap(),
        pb.to_str().unwrap(),
        "--color",
        "always",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    assert!(
        !out.contains("\u{1b}[2J") && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(
        out.contains("\\u{1b}[2J") && out.contains("\\u{202e}"),
        "{out}"
    );
    // JSON keeps the bytes: offsets point into the text as read.
    let r = run(&[
        "compare",
        pa.to_str().unwrap(),
        pb.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(r.json_lines()[0]["spans"]["a_only"].as_array().is_some());
}
