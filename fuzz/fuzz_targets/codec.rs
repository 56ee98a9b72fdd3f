#![no_main]
//! Compression sniffing and decoding on arbitrary bytes (capped at 1 MiB out).
use std::io::Read;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((_, mut r)) = neardupe::input::codec::wrap(std::io::Cursor::new(data.to_vec()), 1 << 20) {
        let mut out = Vec::new();
        let _ = r.read_to_end(&mut out);
    }
});
