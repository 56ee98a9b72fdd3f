#![no_main]
//! The normaliser is idempotent and its offsets point into the input, for any text; the
//! pipeline's scanner gives the same words; the span report partitions both texts.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = neardupe::normalize::normalize(text);
    let twice = neardupe::normalize::normalize(&once.text);
    assert_eq!(once.text, twice.text);
    for r in &once.offsets {
        assert!(r.start < r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
    }
    // The pipeline's scanner (SSE2/SWAR fast path, Unicode stretches) gives the same words.
    let mut scanned: Vec<Vec<u8>> = Vec::new();
    neardupe::normalize::scan_words(text, |w, _| scanned.push(w.to_vec()));
    let mut words: Vec<Vec<u8>> = Vec::new();
    neardupe::normalize::for_each_word(text, |w, _| words.push(w.as_bytes().to_vec()));
    assert_eq!(scanned, words);
    // Words hashed by the pipeline (straight from the text, lowercased in registers) hash as
    // the normaliser's words do.
    let mut piped = Vec::new();
    neardupe::shingle::for_each_shingle(text, 1, 7, |h| piped.push(h));
    let hashed: Vec<u64> = words
        .iter()
        .map(|w| neardupe::shingle::shingle_hash(&[neardupe::shingle::word_hash(std::str::from_utf8(w).unwrap(), 7)]))
        .collect();
    assert_eq!(piped, hashed);
    // The span report's tokens (fast scanner, with original bytes) are the normaliser's words.
    let mut want = Vec::new();
    neardupe::normalize::for_each_word(text, |w, range| want.push((neardupe::shingle::word_hash(w, 7), range)));
    let got: Vec<_> = neardupe::shingle::tokens(text, 7).into_iter().map(|t| (t.hash, t.range)).collect();
    assert_eq!(got, want);
    let mut sketch_set = Vec::new();
    let sketch = neardupe::minhash::MinHasher::from_config(&neardupe::Config::default()).sketch_text(
        text,
        &mut neardupe::minhash::Scratch::default(),
        &mut sketch_set,
    );
    assert_eq!(sketch.shingles as usize, sketch_set.len());
    let (a, b) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    let _ = neardupe::spans::diff_spans(a, b, 3, 0);
});
