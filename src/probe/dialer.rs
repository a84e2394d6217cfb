//! Opening TCP connections the way CloudFront does, within the scan's limits.
//!
//! Every connection originscan opens goes through [`Dialer::connect`]: it enforces the address
//! scope, the global `--rate` of new connections, and CloudFront's ConnectionTimeout and
//! ConnectionAttempts. Running out of file descriptors is waited out, not reported against the
//! origin.
//!
//! The `--per-ip` cap on connections open to one address is taken per origin, all at once,
//! with [`Dialer::reserve`]: an origin that needs several connections to an address (its ports,
//! CloudFront's hellos) reserves them together, in address order, before opening any. Taking
//! them one by one would let origins sharing an address each hold one slot while waiting for
//! another: a deadlock. A connection kept open after its origin is done (parked for the
//! keep-alive probe) keeps one of those slots ([`Reservation::keep_one`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::probe::scope::AddressScope;

/// What one connection attempt sequence to one address and port gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectOutcome {
    /// Connected on the given attempt.
    Connected {
        /// How long the successful attempt took.
        elapsed: Duration,
        /// Which attempt succeeded (1-based).
        attempt: u8,
    },
    /// The last attempt was refused (RST); earlier ones may have failed otherwise.
    Refused {
        /// Attempts made: all that were allowed (ConnectionAttempts, or 1 for an extra
        /// connection).
        attempts: u8,
    },
    /// The last attempt was accepted and then reset before it could be used (`Connection reset
    /// by peer` while connecting): the origin answers, and closes at once. Earlier attempts may
    /// have failed otherwise.
    Reset {
        /// Attempts made: all that were allowed (ConnectionAttempts, or 1 for an extra
        /// connection).
        attempts: u8,
    },
    /// The last attempt was not answered within the timeout (filtered); earlier ones may have
    /// failed otherwise.
    TimedOut {
        /// Attempts made: all that were allowed (ConnectionAttempts, or 1 for an extra
        /// connection).
        attempts: u8,
        /// The limit on each attempt: the target's ConnectionTimeout.
        timeout: Duration,
    },
    /// The last attempt failed otherwise (unreachable network, ...).
    Failed {
        /// Attempts made: all that were allowed (ConnectionAttempts, or 1 for an extra
        /// connection).
        attempts: u8,
        /// The OS error, as text for the evidence.
        error: String,
    },
    /// The address is outside the scope: nothing was sent.
    OutOfScope,
}

impl ConnectOutcome {
    /// Whether an attempt connected ([`ConnectOutcome::Connected`]).
    pub fn is_connected(&self) -> bool {
        matches!(self, ConnectOutcome::Connected { .. })
    }
}

/// A TCP connection [`Dialer::connect`] opened; dropping it closes the socket.
#[derive(Debug)]
pub struct Connection {
    /// The connected socket, with `TCP_NODELAY` set.
    pub stream: TcpStream,
}

/// Slots in the per-address cap, held by one origin until dropped.
#[derive(Debug, Default)]
pub struct Reservation {
    slots: Vec<(IpAddr, OwnedSemaphorePermit)>,
}

/// One slot in the per-address cap, held by a connection that outlives its origin's
/// [`Reservation`] (a parked keep-alive connection): it still counts against `--per-ip`.
#[derive(Debug)]
pub struct Slot {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Reservation {
    /// Keeps one slot on `ip` for a connection that stays open, and releases the rest.
    pub fn keep_one(mut self, ip: IpAddr) -> Slot {
        let permit = self
            .slots
            .iter()
            .position(|(address, _)| *address == ip)
            .and_then(|index| self.slots.swap_remove(index).1.split(1));
        Slot { _permit: permit }
    }
}

/// The fewest slots per address an origin may need at once: two ports and a hello.
pub const MIN_PER_IP: u32 = 3;

/// Connection limits shared by the whole scan.
#[derive(Debug, Clone, Copy)]
pub struct DialerLimits {
    /// New connections per second, overall (`--rate`; `None`: unlimited).
    pub rate: Option<NonZeroU32>,
    /// Connections open to any one address (`--per-ip`, raised to [`MIN_PER_IP`]; `None`: no
    /// cap).
    pub per_ip: Option<NonZeroU32>,
}

/// One semaphore per address: the `--per-ip` cap on connections in flight.
#[derive(Debug)]
struct PerAddressCap {
    limit: u32,
    slots: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
}

/// Opens connections within the scan's scope and limits.
#[derive(Debug)]
pub struct Dialer {
    scope: AddressScope,
    rate: Option<DefaultDirectRateLimiter>,
    per_ip: Option<PerAddressCap>,
}

/// Pause before retrying when the process is out of file descriptors.
const FD_EXHAUSTED_BACKOFF: Duration = Duration::from_millis(50);

impl Dialer {
    /// A dialer for this scope and these limits.
    pub fn new(scope: AddressScope, limits: DialerLimits) -> Dialer {
        Dialer {
            scope,
            rate: limits
                .rate
                .map(|r| RateLimiter::direct(Quota::per_second(r))),
            per_ip: limits.per_ip.map(|n| PerAddressCap {
                limit: n.get().max(MIN_PER_IP),
                slots: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The addresses it may connect to: public ones plus `--allow-private` ranges.
    pub fn scope(&self) -> &AddressScope {
        &self.scope
    }

    /// Reserves `need` slots (at most the cap) on each address, in address order.
    pub async fn reserve(&self, addresses: &[IpAddr], need: u32) -> Reservation {
        let Some(cap) = self.per_ip.as_ref() else {
            return Reservation::default();
        };
        let mut ordered: Vec<IpAddr> = addresses.to_vec();
        ordered.sort();
        ordered.dedup();
        let mut slots = Vec::with_capacity(ordered.len());
        for ip in ordered {
            let semaphore = {
                let mut map = cap
                    .slots
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                map.entry(ip)
                    .or_insert_with(|| Arc::new(Semaphore::new(cap.limit as usize)))
                    .clone()
            };
            if let Ok(permit) = semaphore.acquire_many_owned(need.clamp(1, cap.limit)).await {
                slots.push((ip, permit));
            }
        }
        Reservation { slots }
    }

    /// Connects to `addr` with CloudFront's timeout per attempt and number of attempts.
    pub async fn connect(
        &self,
        addr: SocketAddr,
        timeout: Duration,
        attempts: u8,
    ) -> (ConnectOutcome, Option<Connection>) {
        if !self.scope.permits(addr.ip()) {
            return (ConnectOutcome::OutOfScope, None);
        }
        let attempts = attempts.max(1);
        let mut last = ConnectOutcome::Failed {
            attempts: 0,
            error: "no attempt made".into(),
        };
        let mut attempt = 0u8;
        while attempt < attempts {
            if let Some(rate) = &self.rate {
                rate.until_ready().await;
            }
            let started = Instant::now();
            match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    let outcome = ConnectOutcome::Connected {
                        elapsed: started.elapsed(),
                        attempt: attempt + 1,
                    };
                    return (outcome, Some(Connection { stream }));
                }
                Ok(Err(error)) if is_fd_exhaustion(&error) => {
                    // Our limit, not the origin's fault: wait and try again without counting.
                    tokio::time::sleep(FD_EXHAUSTED_BACKOFF).await;
                    continue;
                }
                Ok(Err(error)) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                    last = ConnectOutcome::Refused {
                        attempts: attempt + 1,
                    };
                }
                Ok(Err(error)) if is_reset(&error) => {
                    // The handshake completed (the kernel answered) and the origin reset the
                    // connection before the socket was polled: an answer, not silence.
                    last = ConnectOutcome::Reset {
                        attempts: attempt + 1,
                    };
                }
                Ok(Err(error)) => {
                    last = ConnectOutcome::Failed {
                        attempts: attempt + 1,
                        error: error.to_string(),
                    };
                }
                Err(_elapsed) => {
                    last = ConnectOutcome::TimedOut {
                        attempts: attempt + 1,
                        timeout,
                    };
                }
            }
            attempt += 1;
        }
        (last, None)
    }
}

/// A connection reset or aborted by the peer.
fn is_reset(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
    )
}

/// EMFILE or ENFILE: the scanner, not the origin, is out of descriptors.
fn is_fd_exhaustion(error: &std::io::Error) -> bool {
    matches!(error.raw_os_error(), Some(23) | Some(24))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab_dialer() -> Dialer {
        Dialer::new(
            AddressScope::allowing(vec!["127.0.0.0/8".parse().unwrap()]),
            DialerLimits {
                rate: None,
                per_ip: None,
            },
        )
    }

    #[tokio::test]
    async fn connects_and_reports_refusal() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap();
        let (outcome, conn) = lab_dialer().connect(open, Duration::from_secs(2), 3).await;
        assert!(matches!(
            outcome,
            ConnectOutcome::Connected { attempt: 1, .. }
        ));
        assert!(conn.is_some());

        drop(listener);
        let (outcome, conn) = lab_dialer().connect(open, Duration::from_secs(2), 2).await;
        assert_eq!(outcome, ConnectOutcome::Refused { attempts: 2 });
        assert!(conn.is_none());
    }

    /// An origin that accepts and resets before the connecting socket is polled: the connect
    /// itself fails with `Connection reset by peer` (issue 17, item 5a). That is an answer, not
    /// a dropped SYN.
    #[tokio::test(flavor = "current_thread")]
    async fn a_reset_right_after_accept_is_a_reset_not_a_failure() {
        let (addr, reset) = reset_after_accept::listener();
        let dialer = lab_dialer();
        let (outcome, connection) =
            reset_after_accept::complete(dialer.connect(addr, Duration::from_secs(2), 1), reset)
                .await;
        assert_eq!(outcome, ConnectOutcome::Reset { attempts: 1 });
        assert!(connection.is_none());
    }

    #[tokio::test]
    async fn out_of_scope_sends_nothing() {
        let dialer = Dialer::new(
            AddressScope::public_only(),
            DialerLimits {
                rate: None,
                per_ip: None,
            },
        );
        let (outcome, _) = dialer
            .connect("10.0.0.1:443".parse().unwrap(), Duration::from_secs(1), 1)
            .await;
        assert_eq!(outcome, ConnectOutcome::OutOfScope);
    }
}

/// A real origin that accepts one connection and resets it before the connecting side has
/// polled its socket, for the tests of whatever connects through the [`Dialer`].
#[cfg(test)]
pub(crate) mod reset_after_accept {
    use std::future::Future;
    use std::net::SocketAddr;
    use std::sync::mpsc::Receiver;
    use std::time::Duration;

    use tokio::net::TcpStream;

    /// A listener on 127.0.0.1 that accepts once and resets (SO_LINGER 0): its address, and a
    /// receiver told once the reset is sent.
    pub(crate) fn listener() -> (SocketAddr, Receiver<()>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let (reset_tx, reset_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let (stream, _) = listener.accept().expect("accept");
                stream.set_nonblocking(true).expect("nonblocking");
                let stream = TcpStream::from_std(stream).expect("tokio stream");
                // SO_LINGER 0: the close sends a RST.
                #[allow(deprecated)]
                stream.set_linger(Some(Duration::ZERO)).expect("linger");
                drop(stream);
            });
            let _ = reset_tx.send(());
        });
        (addr, reset_rx)
    }

    /// Polls `future` once (its connect sends the SYN; the reactor has not reported the socket
    /// yet), waits until the origin has reset the connection, then completes it. Run it on a
    /// current-thread runtime, so nothing polls the socket in between.
    pub(crate) async fn complete<F: Future>(future: F, reset: Receiver<()>) -> F::Output {
        let mut future = Box::pin(future);
        let pending = std::future::poll_fn(|cx| {
            std::task::Poll::Ready(future.as_mut().poll(cx).is_pending())
        })
        .await;
        assert!(pending, "the connect finished on its first poll");
        reset
            .recv_timeout(Duration::from_secs(5))
            .expect("the origin accepted and reset");
        std::thread::sleep(Duration::from_millis(50));
        future.await
    }
}
