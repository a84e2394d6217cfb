//! How the scan's resolver queries reach a DNS server: hickory's connection provider, rebuilt so
//! that every query passes the politeness gate, one datagram goes out per attempt, a truncated
//! answer gets a TCP connection of its own, and a lookup's timeout is kept outside hickory
//! ([`with_deadline`]).

use std::cell::Cell;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use hickory_net::runtime::TokioRuntimeProvider;
use hickory_net::tcp::TcpClientStream;
use hickory_net::udp::UdpClientStream;
use hickory_net::xfer::{DnsExchange, DnsHandle};
use hickory_net::NetError;
use hickory_proto::op::{DnsRequest, DnsResponse};
use hickory_resolver::config::{ConnectionConfig, ProtocolConfig};
use hickory_resolver::{ConnectionProvider, PoolContext};
use tokio::time::Instant;

use super::dns_politeness::DnsPoliteness;

tokio::task_local! {
    /// Set while a lookup runs ([`with_deadline`]).
    static LOOKUP: LookupScope;
}

/// What a running lookup shares with the queries hickory sends for it.
struct LookupScope {
    /// Whether its first query is still to be sent (its pass is taken before the lookup, so
    /// that waiting for it does not count against the timeout).
    first_query_paid: Cell<bool>,
    deadline: LookupDeadline,
}

/// A lookup's deadline, kept outside hickory: `--dns-timeout` after its last progress (the
/// first query, a follow-up query sent, an answer received), and never more than
/// [`LOOKUP_TIMEOUTS_AT_MOST`] timeouts after it began.
///
/// hickory marks a name server's shared UDP "connection" failed when one query on it times out,
/// and then prefers any other open connection to that server: the TCP one a truncated answer
/// opened. One silent name thus moved every later query of a scan to TCP, where a server that
/// answers a connection's queries one at a time (hickory-server does) made them queue and time
/// out in bursts. A lookup dropped at this deadline never reports a timeout to hickory, so its
/// UDP connection stays in use; hickory's own timeouts are only a backstop behind it.
#[derive(Clone)]
struct LookupDeadline {
    last_progress: Arc<Mutex<Instant>>,
    timeout: Duration,
    latest: Instant,
}

/// A lookup takes this many `--dns-timeout`s at most, however many queries it sends.
const LOOKUP_TIMEOUTS_AT_MOST: u32 = 4;

impl LookupDeadline {
    fn start(timeout: Duration) -> LookupDeadline {
        let now = Instant::now();
        LookupDeadline {
            last_progress: Arc::new(Mutex::new(now)),
            timeout,
            latest: now + timeout * LOOKUP_TIMEOUTS_AT_MOST,
        }
    }

    /// Something was sent or received: the lookup has another timeout from now.
    fn progress(&self) {
        let mut last = self.last_progress.lock().unwrap_or_else(|e| e.into_inner());
        *last = (*last).max(Instant::now());
    }

    fn deadline(&self) -> Instant {
        let last = *self.last_progress.lock().unwrap_or_else(|e| e.into_inner());
        (last + self.timeout).min(self.latest)
    }

    /// Runs `lookup` until it finishes or its deadline passes (it is then dropped, and the
    /// answer is [`NetError::Timeout`]).
    async fn run<T>(
        &self,
        lookup: impl Future<Output = Result<T, NetError>>,
    ) -> Result<T, NetError> {
        tokio::pin!(lookup);
        loop {
            let deadline = self.deadline();
            tokio::select! {
                result = &mut lookup => return result,
                () = tokio::time::sleep_until(deadline) => {
                    if self.deadline() <= deadline {
                        return Err(NetError::Timeout);
                    }
                }
            }
        }
    }
}

/// Runs one lookup through a [`SingleSendProvider`] whose first query's pass at the gate is
/// already taken, within its [`LookupDeadline`] for `timeout` (`--dns-timeout`).
pub(crate) async fn with_deadline<T>(
    timeout: Duration,
    lookup: impl Future<Output = Result<T, NetError>>,
) -> Result<T, NetError> {
    let deadline = LookupDeadline::start(timeout);
    let scope = LookupScope {
        first_query_paid: Cell::new(true),
        deadline: deadline.clone(),
    };
    deadline.run(LOOKUP.scope(scope, lookup)).await
}

/// A lookup's deadline moves with every answer a query's stream yields.
fn note_answers(
    answers: impl futures::Stream<Item = Result<DnsResponse, NetError>> + Send + 'static,
    deadline: Option<LookupDeadline>,
) -> Answers {
    match deadline {
        Some(deadline) => answers.inspect(move |_| deadline.progress()).boxed(),
        None => answers.boxed(),
    }
}

/// hickory's resolver resends an unanswered UDP query every 333 ms until its timeout (up to
/// three datagrams per attempt). This provider sends one datagram per attempt, and counts every
/// other query a lookup sends (a truncated answer retried over TCP, a CNAME target asked
/// again) at [`DnsPoliteness`] too ([`GatedExchange`]), so that what the gate counts is what the
/// resolver receives.
#[derive(Clone)]
pub(crate) struct SingleSendProvider {
    runtime: TokioRuntimeProvider,
    politeness: Arc<DnsPoliteness>,
    server_key: SocketAddr,
}

impl SingleSendProvider {
    /// A provider whose queries pass `gate` under `server_key`.
    pub(crate) fn new(
        runtime: TokioRuntimeProvider,
        politeness: Arc<DnsPoliteness>,
        server_key: SocketAddr,
    ) -> SingleSendProvider {
        SingleSendProvider {
            runtime,
            politeness,
            server_key,
        }
    }
}

impl std::fmt::Debug for SingleSendProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SingleSendProvider")
    }
}

/// A connection to a resolver: a lookup's first query goes straight out (its pass was taken
/// before the lookup, [`with_deadline`]); every other query waits for the gate's rate
/// ([`DnsPoliteness::admit_follow_up`]).
#[derive(Clone)]
pub(crate) struct GatedExchange {
    inner: Transport,
    politeness: Arc<DnsPoliteness>,
    server_key: SocketAddr,
}

/// How a [`GatedExchange`] reaches its server.
#[derive(Clone)]
enum Transport {
    /// A datagram socket per query (hickory's UDP exchange).
    Udp(DnsExchange<TokioRuntimeProvider>),
    /// A TCP connection per query, as a stub resolver retries a truncated answer. On one shared
    /// connection, a server that answers a connection's queries in turn (hickory-server does)
    /// made every truncated answer of a scan wait behind the others: at the lab's 50 ms round
    /// trip and 1,000 lookups in flight, 62 of 182 long CNAME chains timed out.
    Tcp(TcpPerQuery),
}

/// Where and how to open a query's TCP connection.
#[derive(Clone)]
struct TcpPerQuery {
    remote: SocketAddr,
    bind_addr: Option<SocketAddr>,
    /// hickory's connect and answer timeouts, behind the lookup's deadline.
    timeout: Duration,
    provider: TokioRuntimeProvider,
}

type Answers = futures::stream::BoxStream<'static, Result<DnsResponse, NetError>>;

impl Transport {
    fn send(&self, request: DnsRequest) -> Answers {
        match self {
            Transport::Udp(exchange) => exchange.send(request).boxed(),
            Transport::Tcp(tcp) => {
                let tcp = tcp.clone();
                futures::stream::once(async move {
                    let connected = TcpClientStream::exchange(
                        tcp.remote,
                        tcp.bind_addr,
                        tcp.timeout,
                        Some(1),
                        tcp.provider,
                    )
                    .await;
                    match connected {
                        // The connection closes once the answer is in and the exchange dropped.
                        Ok(exchange) => exchange.send(request).boxed(),
                        Err(error) => futures::stream::iter([Err(error)]).boxed(),
                    }
                })
                .flatten()
                .boxed()
            }
        }
    }
}

impl DnsHandle for GatedExchange {
    type Response = Answers;
    type Runtime = TokioRuntimeProvider;

    fn send(&self, request: DnsRequest) -> Self::Response {
        let (paid, deadline) = LOOKUP
            .try_with(|lookup| {
                (
                    lookup.first_query_paid.replace(false),
                    Some(lookup.deadline.clone()),
                )
            })
            .unwrap_or((false, None));
        if paid {
            return note_answers(self.inner.send(request), deadline);
        }
        let inner = self.inner.clone();
        let politeness = self.politeness.clone();
        let key = self.server_key;
        let sent = deadline.clone();
        let answers = futures::stream::once(async move {
            politeness.admit_follow_up(key).await;
            if let Some(deadline) = &sent {
                deadline.progress();
            }
            inner.send(request)
        })
        .flatten();
        note_answers(answers, deadline)
    }
}

type ConnectionFuture = Pin<Box<dyn Future<Output = Result<GatedExchange, NetError>> + Send>>;

impl ConnectionProvider for SingleSendProvider {
    type Conn = GatedExchange;
    type FutureConn = ConnectionFuture;
    type RuntimeProvider = TokioRuntimeProvider;

    fn new_connection(
        &self,
        ip: IpAddr,
        config: &ConnectionConfig,
        cx: &PoolContext,
    ) -> Result<Self::FutureConn, NetError> {
        let remote = SocketAddr::new(ip, config.port);
        let provider = self.runtime.clone();
        // The lookup's deadline ends a query first ([`LookupDeadline`]).
        let backstop = cx.options.timeout * (LOOKUP_TIMEOUTS_AT_MOST + 1);
        let bind_addr = config.bind_addr;
        let gated = |inner| GatedExchange {
            inner,
            politeness: self.politeness.clone(),
            server_key: self.server_key,
        };
        match &config.protocol {
            ProtocolConfig::Udp => {
                let exchange = UdpClientStream::builder(remote, provider)
                    .with_timeout(Some(backstop))
                    .with_max_retries(1)
                    .with_bind_addr(bind_addr)
                    .exchange();
                let connection = gated(Transport::Udp(exchange));
                Ok(Box::pin(async move { Ok(connection) }))
            }
            ProtocolConfig::Tcp => {
                let connection = gated(Transport::Tcp(TcpPerQuery {
                    remote,
                    bind_addr,
                    timeout: backstop,
                    provider,
                }));
                Ok(Box::pin(async move { Ok(connection) }))
            }
            #[allow(unreachable_patterns)]
            _ => Err(NetError::from(
                "originscan asks resolvers over UDP and TCP only",
            )),
        }
    }

    fn runtime_provider(&self) -> &TokioRuntimeProvider {
        &self.runtime
    }
}
