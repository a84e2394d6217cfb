//! Fuzzes the Lambda@Edge lint with arbitrary JSON, for every event type.
#![no_main]
use libfuzzer_sys::fuzz_target;
use originscan::lambda::{lint, EventType};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for event in EventType::ALL {
        let _ = lint(&value, event, Some(&value));
    }
});
