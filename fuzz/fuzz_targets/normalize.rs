#![no_main]
//! The normaliser is idempotent and its offsets point into the input, for any text; the
//! span report partitions both texts.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = neardupe::normalize::normalize(text);
    let twice = neardupe::normalize::normalize(&once.text);
    assert_eq!(once.text, twice.text);
    for r in &once.offsets {
        assert!(r.start < r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
    }
    let (a, b) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    let _ = neardupe::spans::diff_spans(a, b, 3, 0);
});
