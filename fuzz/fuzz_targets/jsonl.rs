#![no_main]
//! The JSON Lines reader on arbitrary bytes: it may report errors, never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut r = data;
    let options = neardupe::input::JsonlOptions {
        max_doc_bytes: 4096,
        ..Default::default()
    };
    let _ = neardupe::input::jsonl::read_records(&mut r, std::path::Path::new("fuzz.jsonl"), &options, |_| {});
});
