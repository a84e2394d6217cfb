//! Politeness towards DNS servers: every query originscan sends, to the recursive resolver or to
//! an authoritative server, first passes [`DnsGate::admit`] for that server's address.
//!
//! Two limits per server: `--resolver-rate` queries per second (a governor keyed limiter with a
//! burst of one, so that queries are spaced evenly and no one-second window holds more than the
//! rate; spaced 2% wider than 1/rate, against jitter on the way), and at most [`MAX_DNS_IN_FLIGHT_PER_SERVER`] queries awaiting an answer at once (a
//! semaphore per address). Retries pass the gate again: each datagram sent is counted.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Queries in flight to any one DNS server, at most.
pub const MAX_DNS_IN_FLIGHT_PER_SERVER: usize = 32;

/// The default of `--resolver-rate`: queries per second to any one DNS server.
pub const DEFAULT_RESOLVER_RATE: u32 = 200;

/// The per-server rate and in-flight cap shared by every DNS query of a scan.
pub struct DnsGate {
    rate: NonZeroU32,
    limiter: DefaultKeyedRateLimiter<SocketAddr>,
    cap: usize,
    slots: Mutex<HashMap<SocketAddr, Arc<Semaphore>>>,
}

impl std::fmt::Debug for DnsGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsGate")
            .field("rate", &self.rate)
            .field("cap", &self.cap)
            .finish_non_exhaustive()
    }
}

/// Held while one query is in flight; dropping it frees the server's slot.
#[derive(Debug)]
pub struct DnsPass {
    _slot: Option<OwnedSemaphorePermit>,
}

impl DnsGate {
    /// A gate allowing `rate` queries per second and `in_flight` outstanding queries per server.
    pub fn new(rate: NonZeroU32, in_flight: usize) -> DnsGate {
        // One cell every 1/rate s, burst of one: evenly spaced queries; 2% slower than the rate,
        // so that jitter on the way cannot put rate + 1 queries into one second at the server.
        let period = Duration::from_nanos((1_020_000_000 / u64::from(rate.get())).max(1));
        let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(rate));
        DnsGate {
            rate,
            limiter: RateLimiter::keyed(quota),
            cap: in_flight.max(1),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Queries per second allowed to one server.
    pub fn rate(&self) -> NonZeroU32 {
        self.rate
    }

    /// Waits for a free in-flight slot at `server`, then for its rate; hold the pass until the
    /// answer (or the timeout) arrives. The wait is bounded by the caller's deadline.
    pub async fn admit(&self, server: SocketAddr) -> DnsPass {
        let semaphore = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .entry(server)
                .or_insert_with(|| Arc::new(Semaphore::new(self.cap)))
                .clone()
        };
        // The semaphore is never closed; should it be, the query goes ahead uncapped.
        let slot = semaphore.acquire_owned().await.ok();
        self.limiter.until_key_ready(&server).await;
        DnsPass { _slot: slot }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn queries_to_one_server_are_spaced_by_the_rate() {
        let gate = DnsGate::new(NonZeroU32::new(50).unwrap(), 4);
        let a: SocketAddr = "127.0.0.1:53".parse().unwrap();
        let b: SocketAddr = "127.0.0.2:53".parse().unwrap();
        let started = Instant::now();
        for _ in 0..6 {
            drop(gate.admit(a).await);
        }
        // 6 queries at 50/s: the first at once, then one every 20 ms.
        assert!(started.elapsed() >= Duration::from_millis(95));
        // Another server has its own budget.
        let before = Instant::now();
        drop(gate.admit(b).await);
        assert!(before.elapsed() < Duration::from_millis(15));
    }

    #[tokio::test]
    async fn in_flight_queries_per_server_are_capped() {
        let gate = Arc::new(DnsGate::new(NonZeroU32::new(100_000).unwrap(), 2));
        let a: SocketAddr = "127.0.0.1:53".parse().unwrap();
        let first = gate.admit(a).await;
        let _second = gate.admit(a).await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), gate.admit(a)).await;
        assert!(waiting.is_err(), "a third query waits for a slot");
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(500), gate.admit(a)).await;
        assert!(third.is_ok());
    }
}
