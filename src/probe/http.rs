//! HTTP/1.1 over the probe's own connection, as CloudFront speaks it to origins.
//!
//! One request (`GET --path` with the Host CloudFront sends and `User-Agent: Amazon CloudFront`),
//! read with httparse under hard caps: the head's size and header count, the body bytes consumed,
//! the gap between packets (OriginReadTimeout), and an overall budget, so that a slowloris or a
//! gigabyte response ends with an observation, never a hang. OriginReadTimeout is an idle
//! timeout (the longest gap between packets), not a total: a body still arriving when the budget
//! runs out is a response whose reading the scanner stopped ([`ReadStop`]), not a stall. Then, optionally, the connection is
//! parked idle for OriginKeepaliveTimeout and reused, as CloudFront's connection pool would.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::target::CustomHeader;

/// Largest response head read (64 KiB): a head still incomplete past it is `Malformed`. Interim
/// (1xx) responses before the final one, and the trailers of a chunked body, count against it
/// too: an endless stream of `103 Early Hints` or of trailers ends there, as endless headers do.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most headers in a response head.
pub const MAX_HEADERS: usize = 100;
/// Body bytes consumed at most; past that the connection is not reused (not an error).
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;
/// The longest a response is read to judge ResponseCompletionTimeout (which has no maximum):
/// past it a body still arriving is not judged.
pub const MAX_COMPLETION_WAIT: Duration = Duration::from_secs(180);
/// How long past ResponseCompletionTimeout reading goes on, so that a body still arriving then
/// is seen to be late.
pub const COMPLETION_MARGIN: Duration = Duration::from_millis(500);
/// Kept bytes of a malformed response, for the evidence.
const KEPT_BYTES: usize = 48;
/// The most one read takes from the connection.
const READ_CHUNK: usize = 8192;

/// Any byte stream the HTTP probe can speak over (TLS or plain TCP).
pub trait HttpIo: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> HttpIo for T {}

/// A final response (after any `100 Continue`) whose head parsed, its body consumed up to
/// [`MAX_BODY_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The final response's status code (a 1xx is never final).
    pub status: u16,
    /// `HTTP/1.x` minor version (1 for an HTTP/2 response: see [`HttpExchange::protocol`]).
    pub minor_version: u8,
    /// Whether the origin closes after this response: `Connection: close`, or HTTP/1.0
    /// without `Connection: keep-alive`.
    pub connection_close: bool,
    /// `Keep-Alive: timeout=N` in seconds, if sent.
    pub keep_alive_timeout: Option<u64>,
    /// Body bytes consumed, at most [`MAX_BODY_BYTES`] (0 for a 204 or 304).
    pub body_bytes: u64,
    /// Whether the connection can carry another request.
    pub reusable: bool,
    /// `100 Continue` responses before the final one.
    pub continues: u8,
    /// Why the scanner stopped reading a body that had not ended, if it did.
    pub read_stop: Option<ReadStop>,
    /// Time from the request to the last byte read: the response's end when it was read whole
    /// (`read_stop` is `None`), else where the scanner stopped reading it.
    pub last_byte_after: Duration,
}

/// Why the scanner stopped reading a healthy body before its end: its own limits, not the
/// origin's fault (every gap was under OriginReadTimeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStop {
    /// [`MAX_BODY_BYTES`] consumed.
    ByteCap,
    /// The overall budget of [`ReadLimits`] ran out while the body was still arriving.
    TimeBudget {
        /// Time since the request when the scanner stopped.
        after: Duration,
    },
}

/// What the request got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpOutcome {
    /// A valid response, its body consumed up to [`MAX_BODY_BYTES`].
    Response(HttpResponse),
    /// The origin closed (or reset) the connection without sending a byte.
    ClosedWithoutResponse {
        /// Whether it was a reset (or a broken pipe while writing the request) rather than an
        /// orderly close.
        reset: bool,
        /// Whether the request could not even be written: the connection was already reset
        /// (right after accept on the plain port, after the handshake on the TLS one).
        before_request: bool,
    },
    /// No byte within the read timeout (CloudFront answers 504).
    NoFirstByte {
        /// Time from sending the request to giving up: the first-byte limit of
        /// [`ReadLimits`], or its budget if that came first.
        waited: Duration,
    },
    /// The response started but stalled (a gap over the read timeout, or the overall budget).
    Stalled {
        /// `head` or `body`.
        stage: &'static str,
        /// Time since the request when we gave up.
        after: Duration,
        /// Bytes received by then, head included.
        received: u64,
    },
    /// Not valid HTTP/1.1.
    Malformed {
        /// What breaks the protocol, in words (e.g. `a second 100 Continue`).
        reason: String,
        /// Up to 48 bytes, ASCII-escaped, of the input not yet consumed when the fault was
        /// found: the response's first bytes for a fault in the head, later bytes in the body.
        first_bytes: String,
    },
    /// A plain-HTTP request got a TLS record back, or the port closed on it and answered a
    /// ClientHello.
    TlsOnPlainPort {
        /// The reply's first bytes (up to 48, ASCII-escaped); after a silent close, what the
        /// ClientHello got, in words.
        first_bytes: String,
    },
    /// The request could not be written.
    WriteFailed {
        /// The OS error, as text (a reset or broken pipe is `ClosedWithoutResponse` instead);
        /// over HTTP/2, the h2 client's refusal of the request.
        error: String,
    },
    /// The origin selected `h2` with ALPN and then did not speak HTTP/2: a connection error,
    /// a GOAWAY or reset stream before the response ended, an HTTP/1.1 answer, or a close
    /// ([`super::http2`]).
    Http2Failed {
        /// `preface`, `head` or `body`: where the exchange was.
        stage: &'static str,
        /// The h2 client's error, in words (printable, at most 200 characters).
        reason: String,
        /// Up to 48 bytes the origin sent first, ASCII-escaped.
        first_bytes: String,
    },
}

/// The HTTP version of an exchange.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HttpProtocol {
    /// HTTP/1.1 (the plain port, and the TLS port unless the origin selected `h2`).
    #[default]
    Http11,
    /// HTTP/2: the origin selected `h2` with ALPN over TLS 1.2 or later.
    H2,
}

impl HttpProtocol {
    /// Its ALPN name (`http/1.1`, `h2`).
    pub fn alpn_name(self) -> &'static str {
        match self {
            HttpProtocol::Http11 => "http/1.1",
            HttpProtocol::H2 => "h2",
        }
    }
}

/// One request on one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpExchange {
    /// The origin address and port the request went to.
    pub address: SocketAddr,
    /// Over TLS (the HTTPS port) or plain.
    pub https: bool,
    /// The response, or how the exchange failed.
    pub outcome: HttpOutcome,
    /// Time from sending the request to the first response byte (over HTTP/2, to the
    /// response's head).
    pub ttfb: Option<Duration>,
    /// HTTP/1.1, or HTTP/2 when the origin selected `h2`.
    pub protocol: HttpProtocol,
}

/// What reusing an idle connection gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The origin closed the connection while it was idle.
    ClosedWhileIdle {
        /// Time from parking to the read that ended the wait (a close, a reset or stray
        /// bytes): less than the idle time.
        after: Duration,
    },
    /// The connection was still open, but the reused request got no response.
    ClosedOnReuse {
        /// The time idled before reuse: the target's OriginKeepaliveTimeout.
        idle: Duration,
    },
    /// The reused request got a response.
    Reused {
        /// The time idled before reuse: the target's OriginKeepaliveTimeout.
        idle: Duration,
    },
    /// The reused connection stayed open but the answer was slow or invalid: not a keep-alive
    /// problem (the first request's findings say what is wrong).
    Inconclusive {
        /// The time idled before reuse: the target's OriginKeepaliveTimeout.
        idle: Duration,
    },
}

/// The request CloudFront sends, as bytes: `path` is OriginPath followed by the viewer's path
/// ([`crate::target::Target::request_path`]), `custom` the origin's CustomHeaders, added as
/// configured.
pub fn request(host: &str, path: &str, custom: &[CustomHeader]) -> Vec<u8> {
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Amazon CloudFront\r\nAccept: */*\r\n\
         Via: 1.1 originscan.cloudfront.net (CloudFront)\r\n"
    );
    for header in custom {
        request.push_str(header.name());
        request.push_str(": ");
        request.push_str(header.value());
        request.push_str("\r\n");
    }
    request.push_str("Connection: keep-alive\r\n\r\n");
    request.into_bytes()
}

/// How long to wait for a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// For the first byte: OriginReadTimeout, or up to twice that (at most 120 s) with
    /// [`ReadLimits::patient`].
    pub first_byte: Duration,
    /// For each later gap between packets (OriginReadTimeout).
    pub gap: Duration,
    /// For the whole response, from the request: past it the read ends as `Stalled` (or
    /// `NoFirstByte`).
    pub budget: Duration,
}

impl ReadLimits {
    /// CloudFront's: OriginReadTimeout for the first byte and each gap, twice that overall.
    pub fn cloudfront(read_timeout: Duration) -> ReadLimits {
        ReadLimits {
            first_byte: read_timeout,
            gap: read_timeout,
            budget: read_timeout * 2,
        }
    }

    /// Reads on until just past ResponseCompletionTimeout (`completion`, at most
    /// [`MAX_COMPLETION_WAIT`]) when the budget ends before it, to tell whether the complete
    /// response arrives in time.
    pub fn until_completion(self, completion: Option<Duration>) -> ReadLimits {
        match completion {
            Some(limit) => ReadLimits {
                budget: self
                    .budget
                    .max(limit.min(MAX_COMPLETION_WAIT) + COMPLETION_MARGIN),
                ..self
            },
            None => self,
        }
    }

    /// Waits longer for the first byte (up to CloudFront's 120 s ceiling), to tell a
    /// distribution whose OriginReadTimeout is too low from an origin that never answers.
    pub fn patient(read_timeout: Duration) -> ReadLimits {
        let first_byte = (read_timeout * 2)
            .min(Duration::from_secs(120))
            .max(read_timeout);
        ReadLimits {
            first_byte,
            gap: read_timeout,
            budget: first_byte + read_timeout,
        }
    }
}

/// Sends `request` and reads one response within `limits`.
pub async fn exchange<S: HttpIo + ?Sized>(
    stream: &mut S,
    request: &[u8],
    limits: ReadLimits,
    plain: bool,
) -> (HttpOutcome, Option<Duration>) {
    let sent = Instant::now();
    if let Err(error) = async {
        stream.write_all(request).await?;
        stream.flush().await
    }
    .await
    {
        let outcome = if is_reset(&error) || error.kind() == std::io::ErrorKind::BrokenPipe {
            HttpOutcome::ClosedWithoutResponse {
                reset: true,
                before_request: true,
            }
        } else {
            HttpOutcome::WriteFailed {
                error: error.to_string(),
            }
        };
        return (outcome, None);
    }
    let mut reader = Reader {
        stream,
        buf: Vec::with_capacity(4096),
        chunk: vec![0u8; READ_CHUNK],
        sent,
        ttfb: None,
        last_byte: Duration::ZERO,
        received: 0,
        read_timeout: limits.gap,
        first_byte: limits.first_byte,
        deadline: sent + limits.budget,
        body_bytes: 0,
        budget_stop: None,
        head_bytes: 0,
    };
    let outcome = reader.read_response(plain).await;
    (outcome, reader.ttfb)
}

/// Keeps the connection idle for `idle`, then sends `request` again.
pub async fn idle_reuse<S: HttpIo + ?Sized>(
    stream: &mut S,
    request: &[u8],
    idle: Duration,
    read_timeout: Duration,
) -> IdleOutcome {
    let parked = Instant::now();
    let mut probe = [0u8; 1];
    tokio::select! {
        // Any read completing while idle means the origin closed (or misbehaved): either way the
        // pooled connection would not carry CloudFront's next request.
        _ = stream.read(&mut probe) => {
            return IdleOutcome::ClosedWhileIdle { after: parked.elapsed() };
        }
        _ = tokio::time::sleep(idle) => {}
    }
    let (outcome, _) = exchange(stream, request, ReadLimits::cloudfront(read_timeout), false).await;
    match outcome {
        HttpOutcome::Response(_) => IdleOutcome::Reused { idle },
        HttpOutcome::ClosedWithoutResponse { .. } | HttpOutcome::WriteFailed { .. } => {
            IdleOutcome::ClosedOnReuse { idle }
        }
        _ => IdleOutcome::Inconclusive { idle },
    }
}

fn is_reset(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
    )
}

fn escaped(bytes: &[u8]) -> String {
    bytes[..bytes.len().min(KEPT_BYTES)]
        .escape_ascii()
        .to_string()
}

enum Fill {
    Data,
    Eof,
    Reset,
    GapTimeout,
    Deadline,
}

struct Reader<'a, S: ?Sized> {
    stream: &'a mut S,
    buf: Vec<u8>,
    /// Where each read lands ([`READ_CHUNK`] bytes, on the heap: an array here would sit in
    /// every origin's task, copied when it is spawned).
    chunk: Vec<u8>,
    sent: Instant,
    ttfb: Option<Duration>,
    /// Time from the request to the last read that brought bytes.
    last_byte: Duration,
    received: u64,
    read_timeout: Duration,
    first_byte: Duration,
    deadline: Instant,
    /// Body bytes consumed so far.
    body_bytes: u64,
    /// Head bytes consumed so far: interim (1xx) heads, the final head, trailers. Held to
    /// [`MAX_HEAD_BYTES`] with what is buffered of the next.
    head_bytes: usize,
    /// Set when the overall budget ran out while a body was still arriving.
    budget_stop: Option<Duration>,
}

impl<S: HttpIo + ?Sized> Reader<'_, S> {
    /// Reads more bytes into `buf`, bounded by the gap timeout and the deadline.
    async fn fill(&mut self) -> Fill {
        let now = Instant::now();
        if now >= self.deadline {
            return Fill::Deadline;
        }
        let gap = if self.received == 0 {
            self.first_byte
        } else {
            self.read_timeout
        };
        let wait = gap.min(self.deadline - now);
        match tokio::time::timeout(wait, self.stream.read(&mut self.chunk)).await {
            Err(_) if wait < gap => Fill::Deadline,
            Err(_) => Fill::GapTimeout,
            Ok(Ok(0)) => Fill::Eof,
            Ok(Ok(n)) => {
                self.last_byte = self.sent.elapsed();
                self.ttfb.get_or_insert(self.last_byte);
                self.received += n as u64;
                self.buf.extend_from_slice(&self.chunk[..n]);
                Fill::Data
            }
            Ok(Err(error)) if is_reset(&error) => Fill::Reset,
            Ok(Err(_)) => Fill::Eof,
        }
    }

    fn stalled(&self, stage: &'static str) -> HttpOutcome {
        HttpOutcome::Stalled {
            stage,
            after: self.sent.elapsed(),
            received: self.received,
        }
    }

    fn malformed(&self, reason: impl Into<String>) -> HttpOutcome {
        HttpOutcome::Malformed {
            reason: reason.into(),
            first_bytes: escaped(&self.buf),
        }
    }

    /// What a failed fill means before any response byte, or while reading `stage`.
    fn interrupted(&self, fill: Fill, stage: &'static str) -> HttpOutcome {
        match (fill, self.received) {
            (Fill::Eof, 0) => HttpOutcome::ClosedWithoutResponse {
                reset: false,
                before_request: false,
            },
            (Fill::Reset, 0) => HttpOutcome::ClosedWithoutResponse {
                reset: true,
                before_request: false,
            },
            (Fill::GapTimeout | Fill::Deadline, 0) => HttpOutcome::NoFirstByte {
                waited: self.sent.elapsed(),
            },
            (Fill::Eof | Fill::Reset, _) => self.malformed(format!(
                "connection closed in the middle of the response {stage}"
            )),
            (_, _) => self.stalled(stage),
        }
    }

    /// A head over [`MAX_HEAD_BYTES`], interim responses and trailers included.
    fn head_over_cap(&self, interim: u32) -> HttpOutcome {
        let with = match interim {
            0 => String::new(),
            n => format!(" ({n} interim 1xx responses included)"),
        };
        self.malformed(format!("response head over {MAX_HEAD_BYTES} bytes{with}"))
    }

    async fn read_response(&mut self, plain: bool) -> HttpOutcome {
        let mut continues = 0u8;
        let mut interim = 0u32;
        loop {
            // The head.
            let (head_len, status, minor_version, framing, connection_close, keep_alive_timeout) = loop {
                if plain
                    && self.buf.len() >= 2
                    && (20..=24).contains(&self.buf[0])
                    && self.buf[1] == 3
                {
                    return HttpOutcome::TlsOnPlainPort {
                        first_bytes: escaped(&self.buf),
                    };
                }
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut response = httparse::Response::new(&mut headers);
                match response.parse(&self.buf) {
                    Ok(httparse::Status::Complete(len)) => {
                        let head = match Head::read(&response) {
                            Ok(head) => head,
                            Err(reason) => return self.malformed(reason),
                        };
                        break (
                            len,
                            response.code.unwrap_or(0),
                            response.version.unwrap_or(1),
                            head.framing,
                            head.connection_close,
                            head.keep_alive_timeout,
                        );
                    }
                    Ok(httparse::Status::Partial) => {
                        if self.head_bytes + self.buf.len() > MAX_HEAD_BYTES {
                            return self.head_over_cap(interim);
                        }
                    }
                    Err(httparse::Error::TooManyHeaders) => {
                        return self.malformed(format!("more than {MAX_HEADERS} headers"))
                    }
                    Err(error) => return self.malformed(format!("invalid response head: {error}")),
                }
                match self.fill().await {
                    Fill::Data => {}
                    other => return self.interrupted(other, "head"),
                }
            };
            self.buf.drain(..head_len);
            self.head_bytes += head_len;
            if self.head_bytes > MAX_HEAD_BYTES {
                return self.head_over_cap(interim);
            }
            if (100..200).contains(&status) {
                interim += 1;
                if status == 100 {
                    continues += 1;
                    if continues > 1 {
                        return self.malformed("a second 100 Continue");
                    }
                }
                continue;
            }
            let no_body = status == 204 || status == 304;
            let body = if no_body {
                Ok(true)
            } else {
                match framing {
                    Framing::Length(len) => self.read_length(len).await,
                    Framing::Chunked => self.read_chunked().await,
                    Framing::UntilClose => self.read_until_close().await,
                }
            };
            return match body {
                Ok(complete) => HttpOutcome::Response(HttpResponse {
                    status,
                    minor_version,
                    connection_close,
                    keep_alive_timeout,
                    body_bytes: self.body_bytes,
                    reusable: complete
                        && !connection_close
                        && framing != Framing::UntilClose
                        && self.buf.is_empty(),
                    continues,
                    read_stop: match (self.budget_stop, complete) {
                        (Some(after), _) => Some(ReadStop::TimeBudget { after }),
                        (None, false) => Some(ReadStop::ByteCap),
                        (None, true) => None,
                    },
                    last_byte_after: self.budget_stop.unwrap_or(self.last_byte),
                }),
                Err(outcome) => outcome,
            };
        }
    }

    /// What a fill that brought no data means inside a body: `Ok(false)` when the overall
    /// budget ran out while every gap was under the read timeout (the scanner stops reading a
    /// body that is still arriving: not the origin's fault), else the failure.
    fn body_interrupted(
        &mut self,
        fill: Fill,
        closed: impl FnOnce() -> String,
    ) -> Result<bool, HttpOutcome> {
        match fill {
            Fill::Data => Ok(true),
            Fill::Deadline => {
                self.budget_stop = Some(self.sent.elapsed());
                Ok(false)
            }
            Fill::Eof | Fill::Reset => Err(self.malformed(closed())),
            other => Err(self.interrupted(other, "body")),
        }
    }

    /// Consumes `len` body bytes without keeping them (memory stays at one read buffer).
    /// `Ok(false)`: the budget ran out first.
    async fn skip_exact(&mut self, len: u64, stage: &str) -> Result<bool, HttpOutcome> {
        let mut left = len;
        loop {
            let take = left.min(self.buf.len() as u64) as usize;
            self.buf.drain(..take);
            left -= take as u64;
            self.body_bytes += take as u64;
            if left == 0 {
                return Ok(true);
            }
            match self.fill().await {
                Fill::Data => {}
                other => {
                    return self.body_interrupted(other, || {
                        format!("{stage} the connection closed {left} bytes short")
                    })
                }
            }
        }
    }

    async fn read_length(&mut self, len: u64) -> Result<bool, HttpOutcome> {
        let wanted = len.min(MAX_BODY_BYTES);
        let stage = format!("Content-Length is {len} but");
        let complete = self.skip_exact(wanted, &stage).await?;
        Ok(complete && len <= MAX_BODY_BYTES)
    }

    async fn read_until_close(&mut self) -> Result<bool, HttpOutcome> {
        loop {
            self.body_bytes += self.buf.len() as u64;
            self.buf.clear();
            if self.body_bytes >= MAX_BODY_BYTES {
                return Ok(false);
            }
            match self.fill().await {
                Fill::Data => {}
                Fill::Eof | Fill::Reset => return Ok(true),
                other => return self.body_interrupted(other, String::new),
            }
        }
    }

    /// Waits for more of a chunked body; `Ok(false)`: the budget ran out first.
    async fn fill_chunked(&mut self, closed: &'static str) -> Result<bool, HttpOutcome> {
        match self.fill().await {
            Fill::Data => Ok(true),
            other => self.body_interrupted(other, || closed.to_string()),
        }
    }

    async fn read_chunked(&mut self) -> Result<bool, HttpOutcome> {
        loop {
            // Chunk size line.
            let line_end = loop {
                if let Some(pos) = self.buf.windows(2).position(|w| w == b"\r\n") {
                    break pos;
                }
                if self.buf.len() > 1024 {
                    return Err(self.malformed("chunk size line over 1024 bytes"));
                }
                if !self
                    .fill_chunked("connection closed inside chunked body")
                    .await?
                {
                    return Ok(false);
                }
            };
            let line = String::from_utf8_lossy(&self.buf[..line_end]).into_owned();
            let size_text = line.split(';').next().unwrap_or_default().trim();
            let size = match u64::from_str_radix(size_text, 16) {
                Ok(size) if !size_text.is_empty() && size_text.len() <= 16 => size,
                _ => {
                    return Err(self.malformed(format!(
                        "bad chunk size line {:?}",
                        escaped(line.as_bytes())
                    )))
                }
            };
            self.buf.drain(..line_end + 2);
            if size == 0 {
                // Trailers until an empty line.
                loop {
                    if let Some(pos) = self.buf.windows(2).position(|w| w == b"\r\n") {
                        self.buf.drain(..pos + 2);
                        self.head_bytes += pos + 2;
                        if pos == 0 {
                            return Ok(true);
                        }
                        if self.head_bytes > MAX_HEAD_BYTES {
                            return Err(self.malformed(format!(
                                "response head over {MAX_HEAD_BYTES} bytes (trailers included)"
                            )));
                        }
                        continue;
                    }
                    if self.head_bytes + self.buf.len() > MAX_HEAD_BYTES {
                        return Err(self.malformed(format!(
                            "response head over {MAX_HEAD_BYTES} bytes (trailers included)"
                        )));
                    }
                    if !self
                        .fill_chunked("connection closed before the end of chunked body")
                        .await?
                    {
                        return Ok(false);
                    }
                }
            }
            if self.body_bytes + size > MAX_BODY_BYTES {
                return Ok(false);
            }
            if !self.skip_exact(size, "in a chunk").await? {
                return Ok(false);
            }
            while self.buf.len() < 2 {
                if !self
                    .fill_chunked("connection closed inside a chunk")
                    .await?
                {
                    return Ok(false);
                }
            }
            if &self.buf[..2] != b"\r\n" {
                return Err(self.malformed("chunk data not followed by CRLF"));
            }
            self.buf.drain(..2);
        }
    }
}

/// How the body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

struct Head {
    framing: Framing,
    connection_close: bool,
    keep_alive_timeout: Option<u64>,
}

impl Head {
    fn read(response: &httparse::Response<'_, '_>) -> Result<Head, String> {
        let mut length: Option<u64> = None;
        let mut chunked = false;
        let mut connection_close = response.version == Some(0);
        let mut keep_alive_timeout = None;
        for header in response.headers.iter() {
            let value = std::str::from_utf8(header.value)
                .map_err(|_| format!("header {} is not text", header.name))?
                .trim();
            let name = header.name.to_ascii_lowercase();
            match name.as_str() {
                "content-length" => {
                    let parsed: u64 = value
                        .parse()
                        .map_err(|_| format!("Content-Length {value:?} is not a number"))?;
                    if length.is_some_and(|l| l != parsed) {
                        return Err("two different Content-Length headers".into());
                    }
                    length = Some(parsed);
                }
                "transfer-encoding" => {
                    let last = value.rsplit(',').next().unwrap_or_default().trim();
                    if last.eq_ignore_ascii_case("chunked") {
                        chunked = true;
                    } else {
                        return Err(format!("unsupported Transfer-Encoding {value:?}"));
                    }
                }
                "connection" => {
                    for token in value.split(',') {
                        let token = token.trim();
                        if token.eq_ignore_ascii_case("close") {
                            connection_close = true;
                        } else if token.eq_ignore_ascii_case("keep-alive") {
                            connection_close = false;
                        }
                    }
                }
                "keep-alive" => {
                    keep_alive_timeout = value.split(',').find_map(|part| {
                        let (key, v) = part.split_once('=')?;
                        key.trim()
                            .eq_ignore_ascii_case("timeout")
                            .then(|| v.trim().parse().ok())
                            .flatten()
                    });
                }
                _ => {}
            }
        }
        if chunked && length.is_some() {
            return Err("both Content-Length and Transfer-Encoding: chunked".into());
        }
        let framing = match (chunked, length) {
            (true, _) => Framing::Chunked,
            (false, Some(len)) => Framing::Length(len),
            (false, None) => Framing::UntilClose,
        };
        Ok(Head {
            framing,
            connection_close,
            keep_alive_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    async fn respond(bytes: &'static [u8], close: bool) -> HttpOutcome {
        let (mut client, mut server) = duplex(1 << 20);
        let server_task = tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let _ = server.read(&mut buf).await;
            let _ = server.write_all(bytes).await;
            if !close {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
        });
        let (outcome, _) = exchange(
            &mut client,
            &request("a.test", "/", &[]),
            ReadLimits {
                first_byte: Duration::from_secs(2),
                gap: Duration::from_secs(2),
                budget: Duration::from_secs(4),
            },
            false,
        )
        .await;
        server_task.abort();
        outcome
    }

    #[tokio::test]
    async fn valid_responses() {
        let HttpOutcome::Response(r) = respond(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=4\r\n\r\nok",
            false,
        )
        .await
        else {
            panic!("not a response");
        };
        assert_eq!(
            (r.status, r.body_bytes, r.reusable, r.keep_alive_timeout),
            (200, 2, true, Some(4))
        );

        let HttpOutcome::Response(r) = respond(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 No\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nok\r\n0\r\n\r\n", true).await else {
            panic!("not a response");
        };
        assert_eq!(
            (
                r.status,
                r.body_bytes,
                r.reusable,
                r.connection_close,
                r.continues
            ),
            (503, 2, false, true, 1)
        );
    }

    #[tokio::test]
    async fn malformed_responses() {
        let cases: &[&'static [u8]] = &[
            b"HTTP/1.1 2000 OK\r\n\r\n",
            b"HTTX/1.1 200 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok",
        ];
        for case in cases {
            let outcome = respond(case, true).await;
            assert!(
                matches!(outcome, HttpOutcome::Malformed { .. }),
                "{:?}: {outcome:?}",
                String::from_utf8_lossy(case)
            );
        }
    }

    #[tokio::test]
    async fn close_without_response_and_tls_on_plain_port() {
        assert_eq!(
            respond(b"", true).await,
            HttpOutcome::ClosedWithoutResponse {
                reset: false,
                before_request: false
            }
        );
        let (mut client, mut server) = duplex(4096);
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let _ = server.read(&mut buf).await;
            let _ = server
                .write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])
                .await;
        });
        let (outcome, _) = exchange(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\n",
            ReadLimits {
                first_byte: Duration::from_secs(2),
                gap: Duration::from_secs(2),
                budget: Duration::from_secs(4),
            },
            true,
        )
        .await;
        assert!(
            matches!(outcome, HttpOutcome::TlsOnPlainPort { .. }),
            "{outcome:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn silence_and_slowloris_are_bounded() {
        // Nothing at all: no first byte within the read timeout.
        let (mut client, _server) = duplex(4096);
        let (outcome, _) = exchange(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\n",
            ReadLimits {
                first_byte: Duration::from_secs(30),
                gap: Duration::from_secs(30),
                budget: Duration::from_secs(60),
            },
            false,
        )
        .await;
        assert!(
            matches!(outcome, HttpOutcome::NoFirstByte { .. }),
            "{outcome:?}"
        );

        // One header byte a second: stalls at the overall budget, not forever.
        let (mut client, mut server) = duplex(4096);
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let _ = server.read(&mut buf).await;
            let _ = server.write_all(b"HTTP/1.1 200 OK\r\n").await;
            loop {
                if server.write_all(b"X").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let (outcome, _) = exchange(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\n",
            ReadLimits {
                first_byte: Duration::from_secs(30),
                gap: Duration::from_secs(30),
                budget: Duration::from_secs(60),
            },
            false,
        )
        .await;
        assert!(
            matches!(outcome, HttpOutcome::Stalled { stage: "head", .. }),
            "{outcome:?}"
        );
    }

    /// A chunk every `every`, for `count` chunks, after a chunked 200 head.
    async fn drip(every: Duration, count: u32) -> HttpOutcome {
        let (mut client, mut server) = duplex(4096);
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let _ = server.read(&mut buf).await;
            let _ = server
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await;
            for _ in 0..count {
                tokio::time::sleep(every).await;
                if server.write_all(b"1\r\nx\r\n").await.is_err() {
                    return;
                }
            }
            let _ = server.write_all(b"0\r\n\r\n").await;
            tokio::time::sleep(Duration::from_secs(600)).await;
        });
        let (outcome, _) = exchange(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\n",
            ReadLimits::cloudfront(Duration::from_secs(2)),
            false,
        )
        .await;
        outcome
    }

    /// Issue 17, item 5b: OriginReadTimeout bounds each gap, not the whole body. A chunk every
    /// 0.5 s past the budget is a response whose reading stopped; a gap over the read timeout
    /// is still a stall.
    #[tokio::test(start_paused = true)]
    async fn a_steady_body_past_the_budget_is_a_response_not_a_stall() {
        let outcome = drip(Duration::from_millis(500), 1_000).await;
        let HttpOutcome::Response(r) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(r.status, 200);
        assert!(!r.reusable);
        assert!(r.body_bytes >= 7, "{r:?}");
        let Some(ReadStop::TimeBudget { after }) = r.read_stop else {
            panic!("{r:?}")
        };
        assert_eq!(after, Duration::from_secs(4));

        // Within the budget: the whole body, reusable.
        let HttpOutcome::Response(r) = drip(Duration::from_millis(500), 4).await else {
            panic!("not a response")
        };
        assert_eq!((r.body_bytes, r.reusable, r.read_stop), (4, true, None));
        // Issue 16, item 3: the time to the last byte is the end of the body (paused time:
        // four chunks 0.5 s apart, the terminating chunk with the last).
        assert_eq!(r.last_byte_after, Duration::from_secs(2));

        // One gap over the read timeout: stalled.
        let outcome = drip(Duration::from_millis(2_500), 3).await;
        assert!(
            matches!(outcome, HttpOutcome::Stalled { stage: "body", .. }),
            "{outcome:?}"
        );
    }

    /// Issue 16, item 3: when ResponseCompletionTimeout ends after the budget, reading goes on
    /// until just past it (at most MAX_COMPLETION_WAIT), never shorter than the budget.
    #[test]
    fn the_budget_reaches_past_the_completion_timeout() {
        let base = ReadLimits::cloudfront(Duration::from_secs(2));
        assert_eq!(base.until_completion(None), base);
        assert_eq!(base.until_completion(Some(Duration::from_secs(2))), base);
        let longer = base.until_completion(Some(Duration::from_secs(10)));
        assert_eq!(longer.budget, Duration::from_secs(10) + COMPLETION_MARGIN);
        assert_eq!((longer.first_byte, longer.gap), (base.first_byte, base.gap));
        let capped = base.until_completion(Some(Duration::from_secs(100_000)));
        assert_eq!(capped.budget, MAX_COMPLETION_WAIT + COMPLETION_MARGIN);
    }

    /// Issue 16, item 1: the origin's CustomHeaders are added as configured, after CloudFront's
    /// own headers, and the path is the one given (OriginPath and the viewer's path).
    #[test]
    fn custom_headers_are_added_to_the_request() {
        let headers = [
            CustomHeader::new("X-Origin-Verify", "s3cret").unwrap(),
            CustomHeader::new("X-Env", "prod a").unwrap(),
        ];
        let bytes = request("o.test", "/prod/v2/", &headers);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "GET /prod/v2/ HTTP/1.1\r\nHost: o.test\r\nUser-Agent: Amazon CloudFront\r\n\
             Accept: */*\r\nVia: 1.1 originscan.cloudfront.net (CloudFront)\r\n\
             X-Origin-Verify: s3cret\r\nX-Env: prod a\r\nConnection: keep-alive\r\n\r\n"
        );
        // A value that would end the header early, or a name that is no token, is refused,
        // and the error does not show the value.
        let error = CustomHeader::new("X-Secret", "a\r\nInjected: 1").unwrap_err();
        assert!(!error.contains("Injected"), "{error}");
        assert!(CustomHeader::new("X Bad", "v").is_err());
        assert!(CustomHeader::new("", "v").is_err());
        assert!(!format!("{:?}", headers[0]).contains("s3cret"));
    }

    async fn endless(head: &'static [u8], filler: &'static [u8]) -> HttpOutcome {
        let (mut client, mut server) = duplex(64 * 1024);
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let _ = server.read(&mut buf).await;
            let _ = server.write_all(head).await;
            while server.write_all(filler).await.is_ok() {}
        });
        let (outcome, _) = exchange(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\n",
            ReadLimits {
                first_byte: Duration::from_secs(5),
                gap: Duration::from_secs(5),
                budget: Duration::from_secs(10),
            },
            false,
        )
        .await;
        outcome
    }

    #[tokio::test]
    async fn a_gigabyte_body_or_endless_headers_stop_at_the_caps() {
        let outcome = endless(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n",
            &[b'x'; 4096],
        )
        .await;
        let HttpOutcome::Response(r) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!((r.body_bytes, r.reusable), (MAX_BODY_BYTES, false));

        let outcome = endless(
            b"HTTP/1.1 200 OK\r\n",
            b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
        )
        .await;
        let HttpOutcome::Malformed { reason, .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            reason.contains("headers") || reason.contains("head over"),
            "{reason}"
        );
    }

    /// Issue 17, item 5c: endless `103 Early Hints` and endless trailers count against the
    /// head cap, and end there as endless headers do (not after half a gigabyte).
    #[tokio::test]
    async fn endless_interim_responses_or_trailers_stop_at_the_head_cap() {
        for (head, filler, what) in [
            (
                &b""[..],
                &b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"[..],
                "interim 1xx",
            ),
            (
                &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"[..],
                &b"X-Trailer: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"[..],
                "trailers",
            ),
        ] {
            let (mut client, mut server) = duplex(64 * 1024);
            let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let counter = sent.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = server.read(&mut buf).await;
                let _ = server.write_all(head).await;
                while server.write_all(filler).await.is_ok() {
                    counter.fetch_add(filler.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
            });
            let (outcome, _) = exchange(
                &mut client,
                b"GET / HTTP/1.1\r\n\r\n",
                ReadLimits::cloudfront(Duration::from_secs(5)),
                false,
            )
            .await;
            let HttpOutcome::Malformed { reason, .. } = outcome else {
                panic!("{what}: {outcome:?}")
            };
            assert!(
                reason.starts_with(&format!("response head over {MAX_HEAD_BYTES} bytes")),
                "{what}: {reason}"
            );
            assert!(reason.contains(what), "{reason}");
            // Read up to the cap, plus what the pipe holds: nowhere near the old 0.5 GB.
            let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
            assert!(
                sent < 4 * MAX_HEAD_BYTES as u64,
                "{what}: {sent} bytes sent"
            );
        }
        // A few interim responses before the final one are fine.
        let HttpOutcome::Response(r) = respond(
            b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            false,
        )
        .await
        else {
            panic!("not a response")
        };
        assert_eq!((r.status, r.body_bytes, r.reusable), (200, 2, true));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_close_is_observed() {
        let (mut client, server) = duplex(4096);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            drop(server);
        });
        let outcome = idle_reuse(
            &mut client,
            b"GET / HTTP/1.1\r\n\r\n",
            Duration::from_secs(5),
            Duration::from_secs(30),
        )
        .await;
        let IdleOutcome::ClosedWhileIdle { after } = outcome else {
            panic!("{outcome:?}")
        };
        assert!(after >= Duration::from_secs(2) && after < Duration::from_secs(3));
    }
}
