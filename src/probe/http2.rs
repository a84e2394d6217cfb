//! HTTP/2 over CloudFront's TLS connection, when the origin selected `h2` with ALPN (an origin
//! with OriginHttpVersion `http2`, or behind a gRPC behavior).
//!
//! The same request as over HTTP/1.1 ([`super::http::request`]): `GET`, `:authority` the Host
//! CloudFront sends, `:path` OriginPath followed by `--path`, `User-Agent: Amazon CloudFront`,
//! `Via` and the origin's CustomHeaders; read under the same limits (the head at most
//! [`MAX_HEAD_BYTES`], the body at most [`MAX_BODY_BYTES`], OriginReadTimeout for the first
//! byte and each gap, the overall budget), so that the same checks apply to its
//! [`HttpOutcome`]. The client is the `h2` crate, driven in this task (never spawned): every
//! await is bounded by the limits, and the connection is dropped at the end (the keep-alive
//! idle probe speaks HTTP/1.1 only).
//!
//! An origin that selected `h2` and then does not speak it (a connection error, a GOAWAY, a
//! reset stream, an HTTP/1.1 answer, a close) is [`HttpOutcome::Http2Failed`]: CloudFront
//! answers 502. One that stays silent is [`HttpOutcome::NoFirstByte`], as over HTTP/1.1.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use super::http::{
    HttpIo, HttpOutcome, HttpResponse, ReadLimits, ReadStop, MAX_BODY_BYTES, MAX_HEAD_BYTES,
};
use crate::target::CustomHeader;

/// The first bytes the origin sent, kept to tell an HTTP/1.1 answer from other garbage.
const KEPT_BYTES: usize = 48;
/// The longest reason kept from the h2 crate's error (a GOAWAY's debug data is shown in it).
const MAX_REASON: usize = 200;

/// The request CloudFront sends, as HTTP/2 header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H2Request {
    /// `:authority`: the Host CloudFront sends.
    pub authority: String,
    /// `:path`: OriginPath followed by the viewer's path.
    pub path: String,
    /// The origin's CustomHeaders.
    pub custom: Vec<CustomHeader>,
}

impl H2Request {
    /// The request for `host`, `path` and the CustomHeaders, as [`super::http::request`] builds
    /// it for HTTP/1.1 (without `Connection`, which HTTP/2 forbids).
    pub fn new(host: &str, path: &str, custom: &[CustomHeader]) -> H2Request {
        H2Request {
            authority: host.to_string(),
            path: path.to_string(),
            custom: custom.to_vec(),
        }
    }

    fn to_http(&self) -> Result<http::Request<()>, String> {
        let uri = http::Uri::builder()
            .scheme("https")
            .authority(self.authority.as_str())
            .path_and_query(self.path.as_str())
            .build()
            .map_err(|e| format!("the request URI: {e}"))?;
        let mut builder = http::Request::builder()
            .method(http::Method::GET)
            .version(http::Version::HTTP_2)
            .uri(uri)
            .header("user-agent", "Amazon CloudFront")
            .header("accept", "*/*")
            // As over HTTP/1.1: Via names the viewer's hop, not the origin's protocol.
            .header("via", "1.1 originscan.cloudfront.net (CloudFront)");
        for header in &self.custom {
            builder = builder.header(header.name(), header.value());
        }
        builder.body(()).map_err(|e| format!("CustomHeaders: {e}"))
    }
}

/// What the origin sent, counted under the h2 client.
#[derive(Debug, Default)]
struct Seen {
    bytes: u64,
    first: Vec<u8>,
}

/// A stream that counts what it reads and keeps the first bytes.
struct Counting<S> {
    inner: S,
    seen: Arc<Mutex<Seen>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counting<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let new = &buf.filled()[before..];
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.bytes += new.len() as u64;
            let room = KEPT_BYTES.saturating_sub(seen.first.len());
            seen.first.extend_from_slice(&new[..new.len().min(room)]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counting<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The h2 connection, polled beside whatever the exchange waits for.
struct Driver<T: AsyncRead + AsyncWrite + Unpin> {
    connection: h2::client::Connection<T, Bytes>,
    ended: Option<Result<(), h2::Error>>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Driver<T> {
    /// Waits for `future` until `until`, driving the connection meanwhile; `None` on time out.
    async fn run<F: Future + Unpin>(&mut self, mut future: F, until: Instant) -> Option<F::Output> {
        let sleep = tokio::time::sleep_until(until);
        tokio::pin!(sleep);
        loop {
            if self.ended.is_some() {
                return tokio::select! {
                    out = &mut future => Some(out),
                    _ = &mut sleep => None,
                };
            }
            tokio::select! {
                out = &mut future => return Some(out),
                end = &mut self.connection => self.ended = Some(end),
                _ = &mut sleep => return None,
            }
        }
    }
}

/// Why the exchange failed, in words, with what the origin sent when it was not HTTP/2.
fn failure(error: &h2::Error, seen: &Seen, stage: &'static str) -> HttpOutcome {
    let first = &seen.first;
    let reason = if first.starts_with(b"HTTP/1.") {
        "answered HTTP/1.1 after selecting h2".to_string()
    } else if seen.bytes == 0 && (error.is_io() || error.reason().is_none()) {
        format!("closed the connection without an HTTP/2 frame ({error})")
    } else {
        match error.reason() {
            // The code's name beside its description: `... (INTERNAL_ERROR)`.
            Some(code) => format!("{error} ({code:?})"),
            None => error.to_string(),
        }
    };
    let mut reason = crate::report::escape::printable(&reason);
    if reason.len() > MAX_REASON {
        let mut cut = MAX_REASON;
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
        reason.push('…');
    }
    HttpOutcome::Http2Failed {
        stage,
        reason,
        first_bytes: first.escape_ascii().to_string(),
    }
}

/// Sends `request` over HTTP/2 on `stream` and reads one response within `limits`; the time to
/// the response's head is the first byte's.
pub async fn exchange<S: HttpIo + ?Sized>(
    stream: &mut S,
    request: &H2Request,
    limits: ReadLimits,
) -> (HttpOutcome, Option<Duration>) {
    let sent = Instant::now();
    let deadline = sent + limits.budget;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let request = match request.to_http() {
        Ok(request) => request,
        Err(error) => return (HttpOutcome::WriteFailed { error }, None),
    };
    let io = Counting {
        inner: stream,
        seen: seen.clone(),
    };
    let mut builder = h2::client::Builder::new();
    builder
        .enable_push(false)
        .max_header_list_size(MAX_HEAD_BYTES as u32);
    let seen_now = || {
        let s = seen.lock().unwrap_or_else(|e| e.into_inner());
        Seen {
            bytes: s.bytes,
            first: s.first.clone(),
        }
    };
    // The client's preface and SETTINGS go out at once; the origin's come with its answer.
    let handshake = tokio::time::timeout_at(deadline, builder.handshake::<_, Bytes>(io)).await;
    let (client, connection) = match handshake {
        Ok(Ok(pair)) => pair,
        Ok(Err(error)) => return (failure(&error, &seen_now(), "preface"), None),
        Err(_) => {
            return (
                HttpOutcome::NoFirstByte {
                    waited: sent.elapsed(),
                },
                None,
            )
        }
    };
    let mut driver = Driver {
        connection,
        ended: None,
    };
    let first_byte = (sent + limits.first_byte).min(deadline);
    let ready = driver.run(Box::pin(client.ready()), first_byte).await;
    let mut client = match ready {
        Some(Ok(client)) => client,
        Some(Err(error)) => return (failure(&error, &seen_now(), "head"), None),
        None => return (silent(sent), None),
    };
    let response = match client.send_request(request, true) {
        Ok((response, _)) => response,
        // A user error (no reason, no I/O): the request itself, e.g. a CustomHeader HTTP/2
        // forbids; nothing was sent.
        Err(error) if error.reason().is_none() && !error.is_io() => {
            return (
                HttpOutcome::WriteFailed {
                    error: error.to_string(),
                },
                None,
            )
        }
        Err(error) => return (failure(&error, &seen_now(), "head"), None),
    };
    let response = match driver.run(response, first_byte).await {
        Some(Ok(response)) => response,
        Some(Err(error)) => return (failure(&error, &seen_now(), "head"), None),
        None => return (silent(sent), None),
    };
    let ttfb = sent.elapsed();
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut body_bytes: u64 = 0;
    let mut last_byte_after = ttfb;
    let mut read_stop = None;
    while !body.is_end_stream() {
        if body_bytes >= MAX_BODY_BYTES {
            read_stop = Some(ReadStop::ByteCap);
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            read_stop = Some(ReadStop::TimeBudget {
                after: sent.elapsed(),
            });
            break;
        }
        let gap_end = now + limits.gap;
        match driver
            .run(Box::pin(body.data()), gap_end.min(deadline))
            .await
        {
            Some(Some(Ok(data))) => {
                body_bytes += data.len() as u64;
                last_byte_after = sent.elapsed();
                // Flow control: the origin may send on only as the data is released.
                let _ = body.flow_control().release_capacity(data.len());
            }
            Some(None) => break,
            Some(Some(Err(error))) => return (failure(&error, &seen_now(), "body"), Some(ttfb)),
            // The budget ran out before the gap did: the scanner stops reading, as over
            // HTTP/1.1 (not the origin's fault).
            None if deadline < gap_end => {
                read_stop = Some(ReadStop::TimeBudget {
                    after: sent.elapsed(),
                });
                break;
            }
            None => {
                return (
                    HttpOutcome::Stalled {
                        stage: "body",
                        after: sent.elapsed(),
                        received: seen_now().bytes,
                    },
                    Some(ttfb),
                )
            }
        }
    }
    (
        HttpOutcome::Response(HttpResponse {
            status,
            minor_version: 1,
            connection_close: false,
            keep_alive_timeout: None,
            body_bytes: body_bytes.min(MAX_BODY_BYTES),
            reusable: false,
            continues: 0,
            read_stop,
            last_byte_after,
        }),
        Some(ttfb),
    )
}

/// No response head in time: CloudFront answers 504, as over HTTP/1.1 (the origin's SETTINGS
/// are not an answer).
fn silent(sent: Instant) -> HttpOutcome {
    HttpOutcome::NoFirstByte {
        waited: sent.elapsed(),
    }
}
