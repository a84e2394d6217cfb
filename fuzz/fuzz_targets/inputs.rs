//! Fuzzes every input format: the same bytes read as a .txt list, a .csv table and a CloudFront
//! JSON export.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in ["f.txt", "f.csv", "f.json"] {
        let _ = originscan::input::parse_bytes(name, data);
    }
});
