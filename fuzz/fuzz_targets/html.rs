#![no_main]
//! Decoding and HTML-to-text on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = neardupe::input::decode::decode_html(data.to_vec());
    let _ = neardupe::input::decode::decode_text(data.to_vec());
});
