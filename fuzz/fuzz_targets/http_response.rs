//! Fuzzes the HTTP/1.1 response reader: arbitrary bytes as the origin's reply.
#![no_main]
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use originscan::probe::http::{exchange, ReadLimits};
use tokio::io::AsyncWriteExt;

fuzz_target!(|data: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (mut client, mut server) = tokio::io::duplex(1 << 20);
        let reply = data.to_vec();
        tokio::spawn(async move {
            let _ = server.write_all(&reply).await;
            let _ = server.shutdown().await;
        });
        let limits = ReadLimits {
            first_byte: Duration::from_secs(2),
            gap: Duration::from_secs(2),
            budget: Duration::from_secs(4),
        };
        let _ = exchange(&mut client, b"GET / HTTP/1.1\r\n\r\n", limits, true).await;
    });
});
