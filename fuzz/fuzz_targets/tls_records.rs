//! Fuzzes the TLS record reader (ServerHello, Certificate, alerts...) with arbitrary bytes,
//! pushed in two pieces.
#![no_main]
use libfuzzer_sys::fuzz_target;
use originscan::cloudfront::hello::RecordReader;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| *b as usize).min(data.len());
    let mut reader = RecordReader::new();
    for piece in [&data[..split], &data[split..]] {
        if reader.push(piece).is_err() {
            return;
        }
        for _ in 0..1000 {
            match reader.next_message() {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
});
