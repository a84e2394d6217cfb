//! The lab's origin servers: one listener per origin address, each with its pathology.
//!
//! Every server reads with a cap and a timeout, so a misbehaving scanner cannot exhaust the lab.
//! Every accepted stream is a [`Delayed`] one (the lab's `--rtt`), and every accept is counted
//! ([`Accepts`]), with its time and the origin's open connections when the lab audits them.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::delay::Delayed;
use super::fleet::{HttpBehaviour, RawBehaviour};
use super::LabError;

/// A connection as a lab server sees it: delayed by the lab's RTT.
pub type LabStream = Delayed<TcpStream>;

/// What every listener of one origin shares: its connection tally and the lab's RTT.
#[derive(Debug, Clone, Default)]
pub struct Serving {
    /// Counts what the origin's listeners accept.
    pub accepts: Accepts,
    /// The simulated round-trip time added to each reply flight.
    pub rtt: Duration,
}

/// How long a lab server waits for a client's bytes.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head a lab server reads.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// Binds `ip:port` (0 for any free port).
pub async fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, LabError> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr)
        .await
        .map_err(|source| LabError::Bind { addr, source })
}

/// Finds a free port on `ip` and leaves it closed.
pub async fn closed_port(ip: IpAddr) -> Result<u16, LabError> {
    let listener = bind(ip, 0).await?;
    let port = listener.local_addr().map_err(LabError::Io)?.port();
    drop(listener);
    Ok(port)
}

/// A listener on `ip` whose accept queue is full, so further SYNs are dropped. Returns the port
/// and the connections that fill the queue (they must be kept alive).
pub async fn filtered(ip: IpAddr) -> Result<(u16, TcpListener, Vec<TcpStream>), LabError> {
    let socket = TcpSocket::new_v4().map_err(LabError::Io)?;
    let addr = SocketAddr::new(ip, 0);
    socket
        .bind(addr)
        .map_err(|source| LabError::Bind { addr, source })?;
    let listener = socket.listen(0).map_err(LabError::Io)?;
    let local = listener.local_addr().map_err(LabError::Io)?;
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(local)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => return Ok((local.port(), listener, fillers)),
        }
    }
    Err(LabError::Setup(format!(
        "could not fill the accept queue of {local}: SYNs are not being dropped"
    )))
}

/// Serves TLS with `config`, then HTTP/1.1 as `behaviour` says, on every accepted connection.
pub fn serve_tls(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    serving: Serving,
    config: Arc<ServerConfig>,
    behaviour: HttpBehaviour,
) {
    let acceptor = TlsAcceptor::from(config);
    tasks.spawn(accept_loop(listener, serving, move |stream| {
        let acceptor = acceptor.clone();
        async move {
            let accepted = tokio::time::timeout(CLIENT_TIMEOUT, acceptor.accept(stream)).await;
            if let Ok(Ok(tls)) = accepted {
                serve_http(tls, behaviour).await;
            }
        }
    }));
}

/// The largest ClientHello record [`serve_tls_to_small_hellos`] answers: above what a
/// classic hello takes (a few hundred bytes), below a post-quantum one (over 1,200 bytes of
/// ML-KEM key share alone).
pub const LARGEST_HELLO: usize = 1024;

/// Serves healthy TLS and HTTP to a client whose first record is at most [`LARGEST_HELLO`]
/// bytes; a larger one is read and never answered, as a middlebox that drops a ClientHello
/// spanning two packets does.
pub fn serve_tls_to_small_hellos(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    serving: Serving,
    config: Arc<ServerConfig>,
) {
    let acceptor = TlsAcceptor::from(config);
    tasks.spawn(accept_loop(listener, serving, move |mut stream| {
        let acceptor = acceptor.clone();
        async move {
            let mut record = vec![0u8; 5];
            let read = tokio::time::timeout(CLIENT_TIMEOUT, stream.read_exact(&mut record)).await;
            if !matches!(read, Ok(Ok(_))) {
                return;
            }
            let length = usize::from(u16::from_be_bytes([record[3], record[4]]));
            if length > LARGEST_HELLO {
                // Silence until the client gives up.
                let mut sink = [0u8; 4096];
                let _ = tokio::time::timeout(CLIENT_TIMEOUT, async {
                    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                })
                .await;
                return;
            }
            record.resize(5 + length, 0);
            let read =
                tokio::time::timeout(CLIENT_TIMEOUT, stream.read_exact(&mut record[5..])).await;
            if !matches!(read, Ok(Ok(_))) {
                return;
            }
            let replayed = Replayed {
                first: record,
                at: 0,
                stream,
            };
            let accepted = tokio::time::timeout(CLIENT_TIMEOUT, acceptor.accept(replayed)).await;
            if let Ok(Ok(tls)) = accepted {
                serve_http(tls, HttpBehaviour::Healthy).await;
            }
        }
    }));
}

/// A stream whose first bytes, already read, are read again.
struct Replayed {
    first: Vec<u8>,
    at: usize,
    stream: LabStream,
}

impl AsyncRead for Replayed {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = &mut *self;
        if this.at < this.first.len() {
            let n = buf.remaining().min(this.first.len() - this.at);
            buf.put_slice(&this.first[this.at..this.at + n]);
            this.at += n;
            return std::task::Poll::Ready(Ok(()));
        }
        std::pin::Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Replayed {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves TLS with s2n-tls and `config`, then HTTP/1.1 as `behaviour` says.
pub fn serve_s2n(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    serving: Serving,
    config: s2n_tls::config::Config,
    behaviour: HttpBehaviour,
) {
    let acceptor = s2n_tls_tokio::TlsAcceptor::new(config);
    tasks.spawn(accept_loop(listener, serving, move |stream| {
        let acceptor = acceptor.clone();
        async move {
            let accepted = tokio::time::timeout(CLIENT_TIMEOUT, acceptor.accept(stream)).await;
            if let Ok(Ok(tls)) = accepted {
                serve_http(tls, behaviour).await;
            }
        }
    }));
}

/// The cipher suites a ClientHello record offers (empty when it does not parse).
fn offered_suites(record: &[u8]) -> Vec<u16> {
    // record header (5), handshake header (4), version (2), random (32), then the session id.
    let Some(&session_len) = record.get(5 + 4 + 2 + 32) else {
        return Vec::new();
    };
    let at = 5 + 4 + 2 + 32 + 1 + usize::from(session_len);
    let Some(length) = record.get(at..at + 2) else {
        return Vec::new();
    };
    let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
    record
        .get(at + 2..at + 2 + length)
        .map(|suites| {
            suites
                .chunks_exact(2)
                .map(|s| u16::from_be_bytes([s[0], s[1]]))
                .collect()
        })
        .unwrap_or_default()
}

/// Serves plain HTTP/1.1 as `behaviour` says.
pub fn serve_plain(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    serving: Serving,
    behaviour: HttpBehaviour,
) {
    tasks.spawn(accept_loop(listener, serving, move |stream| {
        serve_http(stream, behaviour)
    }));
}

/// Answers anything with a plain-HTTP 400, as a web server on the wrong port does.
pub fn serve_plain_http(tasks: &mut JoinSet<()>, listener: TcpListener, serving: Serving) {
    tasks.spawn(accept_loop(listener, serving, |mut stream| async move {
        let mut buf = [0u8; 1024];
        let _ = tokio::time::timeout(CLIENT_TIMEOUT, stream.read(&mut buf)).await;
        let _ = stream
            .write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
    }));
}

/// Writes `banner` on accept, then waits for the client to leave.
pub fn serve_banner(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    serving: Serving,
    banner: &'static [u8],
) {
    tasks.spawn(accept_loop(
        listener,
        serving,
        move |mut stream| async move {
            let _ = stream.write_all(banner).await;
            let mut buf = [0u8; 1024];
            let _ = tokio::time::timeout(CLIENT_TIMEOUT, stream.read(&mut buf)).await;
        },
    ));
}

/// Reads the ClientHello and answers with a fatal handshake_failure alert.
pub fn serve_alert(tasks: &mut JoinSet<()>, listener: TcpListener, serving: Serving) {
    tasks.spawn(accept_loop(listener, serving, |mut stream| async move {
        let mut buf = [0u8; 4096];
        let _ = tokio::time::timeout(CLIENT_TIMEOUT, stream.read(&mut buf)).await;
        // level fatal (2), description handshake_failure (40)
        let _ = stream
            .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
            .await;
    }));
}

/// Accepts and closes at once.
pub fn serve_close(tasks: &mut JoinSet<()>, listener: TcpListener, serving: Serving) {
    tasks.spawn(accept_loop(listener, serving, |stream| async move {
        drop(stream);
    }));
}

/// Serves one hostile raw behaviour.
pub fn serve_raw(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    serving: Serving,
    behaviour: RawBehaviour,
) {
    tasks.spawn(accept_loop(listener, serving, move |stream| {
        hostile(stream, behaviour)
    }));
}

async fn hostile(mut stream: LabStream, behaviour: RawBehaviour) {
    // Every hostile connection ends within a minute, whatever the client does.
    let _ = tokio::time::timeout(Duration::from_secs(60), async {
        let mut hello = [0u8; 4096];
        match behaviour {
            RawBehaviour::Garbage => {
                let garbage: Vec<u8> = (0u8..=255).rev().cycle().take(512).collect();
                let _ = stream.write_all(&garbage).await;
                let _ = stream.read(&mut hello).await;
            }
            RawBehaviour::EndlessRecord => {
                let _ = stream.read(&mut hello).await;
                let _ = stream.write_all(&[0x16, 0x03, 0x03, 0x3f, 0xff]).await;
                loop {
                    if stream.write_all(&[0x0b]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            RawBehaviour::HugeChain => {
                let _ = stream.read(&mut hello).await;
                // A Certificate handshake message announcing (and sending) 1 MiB, in records.
                let total: usize = 1 << 20;
                let mut message = vec![0x0b, (total >> 16) as u8, (total >> 8) as u8, total as u8];
                message.resize(total + 4, 0x30);
                for chunk in message.chunks(16 * 1024) {
                    let mut record = vec![
                        0x16,
                        0x03,
                        0x03,
                        (chunk.len() >> 8) as u8,
                        chunk.len() as u8,
                    ];
                    record.extend_from_slice(chunk);
                    if stream.write_all(&record).await.is_err() {
                        break;
                    }
                }
                let _ = stream.read(&mut hello).await;
            }
            RawBehaviour::SlowHandshake => {
                let _ = stream.read(&mut hello).await;
                for byte in [0x16u8, 0x03, 0x03, 0x00, 0x40]
                    .iter()
                    .chain([0x02u8; 64].iter())
                {
                    if stream.write_all(&[*byte]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            RawBehaviour::ResetMidHandshake => {
                let _ = stream.read(&mut hello).await;
                let _ = stream
                    .write_all(&[
                        0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c, 0x03, 0x03,
                    ])
                    .await;
                // SO_LINGER 0 turns the close into a reset. (tokio deprecates set_linger because
                // a non-zero linger blocks the thread on drop; a zero one never does.)
                #[allow(deprecated)]
                let _ = stream.get_ref().set_linger(Some(Duration::ZERO));
                drop(stream);
            }
            RawBehaviour::ResetAfterAccept => {
                #[allow(deprecated)]
                let _ = stream.get_ref().set_linger(Some(Duration::ZERO));
                drop(stream);
            }
            RawBehaviour::NullSuitesOnly => {
                const NULL_SHA256: u16 = 0x003B;
                let n = stream.read(&mut hello).await.unwrap_or(0);
                if offered_suites(&hello[..n]).contains(&NULL_SHA256) {
                    // ServerHello: TLS 1.2, a random, no session id, NULL-SHA256, no compression.
                    let mut server_hello = vec![
                        0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03,
                    ];
                    server_hello.extend_from_slice(&[0x5a; 32]);
                    server_hello.extend_from_slice(&[0x00, 0x00, 0x3b, 0x00]);
                    // Then it closes: the suite chosen is all the diagnosis needs.
                    let _ = stream.write_all(&server_hello).await;
                    return;
                } else {
                    // level fatal (2), description handshake_failure (40)
                    let _ = stream
                        .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
                        .await;
                }
                let _ = stream.read(&mut hello).await;
            }
            RawBehaviour::StalledAfterHello => {
                let _ = stream.read(&mut hello).await;
                // ServerHello: TLS 1.2, a random, no session id, ECDHE-RSA-AES128-GCM-SHA256, no
                // compression, no extensions.
                let mut server_hello = vec![0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26];
                server_hello.extend_from_slice(&[0x03, 0x03]);
                server_hello.extend_from_slice(&[0x5a; 32]);
                server_hello.extend_from_slice(&[0x00, 0xc0, 0x2f, 0x00]);
                let _ = stream.write_all(&server_hello).await;
                let _ = stream.read(&mut hello).await;
            }
            RawBehaviour::Silent => {
                let _ = stream.read(&mut hello).await;
                let _ = stream.read(&mut hello).await;
            }
        }
    })
    .await;
}

/// Counts the connections an origin's listeners accepted (to check what a scan sends), and,
/// when the lab audits connections, when each came and the most the origin had open at once.
#[derive(Debug, Clone, Default)]
pub struct Accepts {
    count: Arc<AtomicUsize>,
    peak_open: Arc<AtomicUsize>,
    audit: Option<ConnectionAudit>,
}

impl Accepts {
    /// A tally that reports to `audit` (lab-wide accept times) when there is one.
    pub fn new(audit: Option<ConnectionAudit>) -> Accepts {
        Accepts {
            audit,
            ..Accepts::default()
        }
    }

    /// Connections accepted so far.
    pub fn get(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// The most connections clients held open to this origin's address at once, as the kernel's
    /// table showed at each accept (audited labs only; 0 otherwise).
    pub fn peak_open(&self) -> usize {
        self.peak_open.load(Ordering::Relaxed)
    }

    fn accepted(&self, stream: &TcpStream) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if let Some(audit) = &self.audit {
            audit.record();
            if let Ok(local) = stream.local_addr() {
                let open = client_connections_to(local.ip());
                self.peak_open.fetch_max(open, Ordering::Relaxed);
            }
        }
    }
}

/// The lab-wide record of accept times (for `--rate` figures), kept only when asked for.
#[derive(Debug, Clone)]
pub struct ConnectionAudit {
    started: Instant,
    times: Arc<Mutex<Vec<Duration>>>,
}

impl ConnectionAudit {
    /// An empty record, its clock starting now.
    pub fn new() -> ConnectionAudit {
        ConnectionAudit {
            started: Instant::now(),
            times: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn record(&self) {
        let at = self.started.elapsed();
        self.times
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(at);
    }

    /// Every accept so far, as time since the lab started, in order.
    pub fn accept_times(&self) -> Vec<Duration> {
        let mut times = self.times.lock().unwrap_or_else(|e| e.into_inner()).clone();
        times.sort();
        times
    }
}

impl Default for ConnectionAudit {
    fn default() -> Self {
        ConnectionAudit::new()
    }
}

/// How many TCP connections clients hold open to `ip` right now, from the kernel's table: client
/// sockets connecting (SYN_SENT) or established to it. A client's socket leaves those states the
/// moment it closes, whereas the server's side learns of the close a little later, and on
/// another CPU's queue than the client's next SYN; so the client's side is what is counted.
fn client_connections_to(ip: IpAddr) -> usize {
    const ESTABLISHED: &str = "01";
    const SYN_SENT: &str = "02";
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return 0;
    };
    // The kernel walks its table while sockets come and go, so a socket can be listed twice:
    // count each connection (local and remote address) once.
    let open: std::collections::HashSet<(&str, &str)> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let local = fields.nth(1)?;
            let remote = fields.next()?;
            let state = fields.next()?;
            (matches!(state, ESTABLISHED | SYN_SENT) && parse_proc_address(remote) == Some(ip))
                .then_some((local, remote))
        })
        .collect();
    open.len()
}

/// Parses the address part of `/proc/net/tcp`'s `0100007F:1F90` (native byte order).
fn parse_proc_address(field: &str) -> Option<IpAddr> {
    let (hex, _port) = field.split_once(':')?;
    let raw = u32::from_str_radix(hex, 16).ok()?;
    Some(IpAddr::from(raw.to_ne_bytes()))
}

async fn accept_loop<F, Fut>(listener: TcpListener, serving: Serving, handle: F)
where
    F: Fn(LabStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                serving.accepts.accepted(&stream);
                // As web servers do (nginx's tcp_nodelay): without it, a reply written in two
                // pieces (TLS 1.3 session tickets, then the response) waits for the client's
                // delayed ACK, 40 ms on Linux, which `--rtt` runs showed as a second round trip.
                let _ = stream.set_nodelay(true);
                tokio::spawn(handle(Delayed::new(stream, serving.rtt)));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// A minimal HTTP/1.1 origin with one behaviour.
async fn serve_http<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, behaviour: HttpBehaviour) {
    if behaviour == HttpBehaviour::CloseAfterHandshake {
        let _ = stream.shutdown().await;
        return;
    }
    let idle_limit = match behaviour {
        HttpBehaviour::ShortKeepAlive => Duration::from_secs(1),
        _ => Duration::from_secs(60),
    };
    let mut buf = Vec::with_capacity(1024);
    loop {
        let head_end = loop {
            if let Some(end) = find_head_end(&buf) {
                break end;
            }
            if buf.len() > MAX_REQUEST_HEAD {
                return;
            }
            let mut chunk = [0u8; 2048];
            match tokio::time::timeout(idle_limit, stream.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => {
                    let _ = stream.shutdown().await;
                    return;
                }
            }
        };
        buf.drain(..head_end);
        let body = "ok\n";
        let response = match behaviour {
            HttpBehaviour::CloseAfterRequest | HttpBehaviour::CloseAfterHandshake => {
                let _ = stream.shutdown().await;
                return;
            }
            HttpBehaviour::SlowHead => {
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" {
                    if stream.write_all(&[*byte]).await.is_err() || stream.flush().await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                return;
            }
            HttpBehaviour::EndlessHeaders => {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n").await;
                for i in 0..100_000u32 {
                    let line = format!("X-Header-{i}: {}\r\n", "a".repeat(40));
                    if stream.write_all(line.as_bytes()).await.is_err() {
                        break;
                    }
                }
                return;
            }
            HttpBehaviour::EndlessEarlyHints | HttpBehaviour::EndlessTrailers => {
                let (head, filler): (&[u8], &[u8]) =
                    if behaviour == HttpBehaviour::EndlessEarlyHints {
                        (
                            b"",
                            b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
                        )
                    } else {
                        (
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n",
                        b"X-Trailer: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
                    )
                    };
                // Until the client leaves: a scanner that stops at a size cap ends it at once,
                // one that does not reads for its whole time budget.
                let _ = tokio::time::timeout(Duration::from_secs(60), async {
                    if stream.write_all(head).await.is_err() {
                        return;
                    }
                    while stream.write_all(filler).await.is_ok() {}
                })
                .await;
                return;
            }
            HttpBehaviour::DripBody => {
                let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                for _ in 0..16 {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    if stream.write_all(b"4\r\ndrip\r\n").await.is_err()
                        || stream.flush().await.is_err()
                    {
                        return;
                    }
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
                let _ = stream.shutdown().await;
                return;
            }
            HttpBehaviour::Canned(bytes) => {
                let _ = stream.write_all(bytes).await;
                let _ = stream.shutdown().await;
                return;
            }
            HttpBehaviour::Delay(delay) => {
                tokio::time::sleep(delay).await;
                ok_response(200, body, "Keep-Alive: timeout=60\r\n")
            }
            HttpBehaviour::ShortKeepAlive => ok_response(200, body, "Keep-Alive: timeout=1\r\n"),
            HttpBehaviour::ConnectionClose => ok_response(200, body, "Connection: close\r\n"),
            HttpBehaviour::Status(code) => ok_response(code, body, "Keep-Alive: timeout=60\r\n"),
            HttpBehaviour::Healthy => ok_response(200, body, "Keep-Alive: timeout=60\r\n"),
        };
        if stream.write_all(response.as_bytes()).await.is_err() || stream.flush().await.is_err() {
            return;
        }
        if behaviour == HttpBehaviour::ConnectionClose {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

fn ok_response(status: u16, body: &str, extra: &str) -> String {
    let reason = match status {
        200 => "OK",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    )
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_kernel_table_counts_what_clients_hold_open() {
        let ip: IpAddr = "127.77.0.9".parse().unwrap();
        let listener = bind(ip, 0).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let first = TcpStream::connect(addr).await.unwrap();
        let second = TcpStream::connect(addr).await.unwrap();
        assert_eq!(
            client_connections_to(ip),
            2,
            "both wait in the accept queue"
        );
        let (accepted, _) = listener.accept().await.unwrap();
        assert_eq!(
            client_connections_to(ip),
            2,
            "the server's side is not counted"
        );
        drop(first);
        assert_eq!(
            client_connections_to(ip),
            1,
            "a closed client is no longer counted"
        );
        drop((second, accepted));
    }

    #[tokio::test]
    async fn accepted_streams_send_small_writes_at_once() {
        let listener = bind("127.77.0.10".parse().unwrap(), 0).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (sender, received) = tokio::sync::oneshot::channel();
        let sender = std::sync::Mutex::new(Some(sender));
        let serving = Serving {
            accepts: Accepts::default(),
            rtt: Duration::ZERO,
        };
        tokio::spawn(accept_loop(listener, serving, move |stream: LabStream| {
            let nodelay = stream.get_ref().nodelay().ok();
            if let Some(sender) = sender.lock().unwrap().take() {
                let _ = sender.send(nodelay);
            }
            async {}
        }));
        let _client = TcpStream::connect(addr).await.unwrap();
        assert_eq!(received.await.unwrap(), Some(true), "TCP_NODELAY on");
    }

    #[test]
    fn proc_addresses_parse_in_native_order() {
        let raw = u32::from_ne_bytes([127, 0, 0, 5]);
        let field = format!("{raw:08X}:1F90");
        assert_eq!(
            parse_proc_address(&field),
            Some("127.0.0.5".parse().unwrap())
        );
        assert_eq!(parse_proc_address("zz:1"), None);
    }
}
