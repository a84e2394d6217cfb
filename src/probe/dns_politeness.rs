//! Politeness towards DNS servers: every query originscan sends, to the recursive resolver or to
//! an authoritative server, first passes [`DnsPoliteness::admit`] for that server's address.
//!
//! Two limits per server: `--resolver-rate` queries per second (a governor keyed limiter with a
//! burst of one, so that queries are spaced evenly and no one-second window holds more than the
//! rate; spaced 2% wider than 1/rate, against jitter on the way), and at most `--dns-in-flight`
//! (default [`MAX_DNS_IN_FLIGHT_PER_SERVER`]) queries awaiting an answer at once (a semaphore
//! per address). Retries pass the gate again: each datagram sent is counted.
//!
//! A lookup's first query waits its turn behind the server's other first queries (one at a time
//! at the limiter, in order); a query the resolver library sends on its own within a lookup (a
//! truncated answer retried over TCP, a CNAME target asked again) passes
//! [`DnsPoliteness::admit_follow_up`], which waits for the rate only, ahead of that queue, so that it
//! is counted without outliving the lookup's timeout.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Queries in flight to any one DNS server, at most.
pub(crate) const MAX_DNS_IN_FLIGHT_PER_SERVER: usize = 32;

/// The default of `--resolver-rate`: queries per second to any one DNS server.
pub(crate) const DEFAULT_RESOLVER_RATE: u32 = 200;

/// The per-server rate and in-flight cap shared by every DNS query of a scan.
pub struct DnsPoliteness {
    rate: NonZeroU32,
    limiter: DefaultKeyedRateLimiter<SocketAddr>,
    cap: usize,
    lanes: Mutex<HashMap<SocketAddr, Lanes>>,
}

/// One server's queues: queries awaiting an answer, and the first query's turn at the limiter.
#[derive(Clone)]
struct Lanes {
    in_flight: Arc<Semaphore>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for DnsPoliteness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsPoliteness")
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

impl DnsPoliteness {
    /// A gate allowing `rate` queries per second and `in_flight` outstanding queries per server.
    pub fn new(rate: NonZeroU32, in_flight: usize) -> DnsPoliteness {
        // One cell every 1/rate s, burst of one: evenly spaced queries; 2% slower than the rate,
        // so that jitter on the way cannot put rate + 1 queries into one second at the server.
        let period = Duration::from_nanos((1_020_000_000 / u64::from(rate.get())).max(1));
        let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(rate));
        DnsPoliteness {
            rate,
            limiter: RateLimiter::keyed(quota),
            cap: in_flight.max(1),
            lanes: Mutex::new(HashMap::new()),
        }
    }

    /// Queries per second allowed to one server.
    pub fn rate(&self) -> NonZeroU32 {
        self.rate
    }

    /// Waits for a free in-flight slot at `server`, then for its rate; hold the pass until the
    /// answer (or the timeout) arrives. The wait is bounded by the caller's deadline.
    pub async fn admit(&self, server: SocketAddr) -> DnsPass {
        let lanes = self.lanes(server);
        // The semaphore is never closed; should it be, the query goes ahead uncapped.
        let slot = lanes.in_flight.acquire_owned().await.ok();
        let _turn = lanes.turn.lock().await;
        self.limiter.until_key_ready(&server).await;
        DnsPass { _slot: slot }
    }

    /// Waits for `server`'s rate only, ahead of the first queries waiting their turn: for a
    /// query sent within a lookup that already holds a pass.
    pub async fn admit_follow_up(&self, server: SocketAddr) {
        self.limiter.until_key_ready(&server).await;
    }

    fn lanes(&self, server: SocketAddr) -> Lanes {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        lanes
            .entry(server)
            .or_insert_with(|| Lanes {
                in_flight: Arc::new(Semaphore::new(self.cap)),
                turn: Arc::new(tokio::sync::Mutex::new(())),
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn queries_to_one_server_are_spaced_by_the_rate() {
        let politeness = DnsPoliteness::new(NonZeroU32::new(50).unwrap(), 4);
        let a: SocketAddr = "127.0.0.1:53".parse().unwrap();
        let b: SocketAddr = "127.0.0.2:53".parse().unwrap();
        let started = Instant::now();
        for _ in 0..6 {
            drop(politeness.admit(a).await);
        }
        // 6 queries at 50/s: the first at once, then one every 20 ms.
        assert!(started.elapsed() >= Duration::from_millis(95));
        // Another server has its own budget.
        let before = Instant::now();
        drop(politeness.admit(b).await);
        assert!(before.elapsed() < Duration::from_millis(15));
    }

    #[tokio::test]
    async fn a_follow_up_overtakes_the_queue_of_first_queries() {
        let politeness = Arc::new(DnsPoliteness::new(NonZeroU32::new(50).unwrap(), 64));
        let a: SocketAddr = "127.0.0.1:53".parse().unwrap();
        drop(politeness.admit(a).await);
        // Twenty first queries queue up (0.4 s at 50/s)...
        let queued: Vec<_> = (0..20)
            .map(|_| {
                let politeness = politeness.clone();
                tokio::spawn(async move { drop(politeness.admit(a).await) })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(5)).await;
        // ...and a follow-up waits about two periods, not the whole queue.
        let started = Instant::now();
        politeness.admit_follow_up(a).await;
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "{:?}",
            started.elapsed()
        );
        for task in queued {
            task.await.unwrap();
        }
    }

    #[tokio::test]
    async fn in_flight_queries_per_server_are_capped() {
        let politeness = Arc::new(DnsPoliteness::new(NonZeroU32::new(100_000).unwrap(), 2));
        let a: SocketAddr = "127.0.0.1:53".parse().unwrap();
        let first = politeness.admit(a).await;
        let _second = politeness.admit(a).await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), politeness.admit(a)).await;
        assert!(waiting.is_err(), "a third query waits for a slot");
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(500), politeness.admit(a)).await;
        assert!(third.is_ok());
    }
}
