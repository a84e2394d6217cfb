//! Simulated round-trip time for the lab (`lab --rtt MS`): a stream wrapper that hands each
//! client flight to the lab server one RTT late.
//!
//! Loopback answers in microseconds, which hides what concurrency buys on the internet. A
//! [`Delayed`] stream holds back the bytes a client sends for the RTT (bytes that arrive while
//! it waits join the same flight), so that every exchange (ClientHello to ServerHello, request
//! to response) costs one RTT, as across a network. Holding back what the server reads, rather
//! than what it writes, keeps every reply whole: a server that answers and closes at once
//! (an alert, then EOF) loses nothing. The TCP handshake itself is the kernel's and is not
//! delayed, nor is a client's close.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// The most a [`Delayed`] stream holds back at once (a lab server reads with caps of its own).
const MAX_HELD: usize = 64 * 1024;

/// A stream whose incoming flights each arrive `rtt` late.
#[derive(Debug)]
pub struct Delayed<S> {
    inner: S,
    rtt: Duration,
    /// Bytes read from the client and not yet handed on.
    held: Vec<u8>,
    /// Running while the held bytes wait out the RTT.
    waiting: Option<Pin<Box<Sleep>>>,
    /// The client closed (after the held bytes).
    closed: bool,
}

impl<S> Delayed<S> {
    /// Wraps `inner`; a zero `rtt` delays nothing.
    pub fn new(inner: S, rtt: Duration) -> Delayed<S> {
        Delayed {
            inner,
            rtt,
            held: Vec::new(),
            waiting: None,
            closed: false,
        }
    }

    /// The wrapped stream, for its socket options (reading it directly would skip the delay).
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> Delayed<S> {
    /// Reads what the client has sent into `held`. Ready(true) when bytes came.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        let mut got = false;
        while !self.closed && self.held.len() < MAX_HELD {
            let mut chunk = [0u8; 4096];
            let mut buf = ReadBuf::new(&mut chunk);
            match Pin::new(&mut self.inner).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => self.closed = true,
                Poll::Ready(Ok(())) => {
                    self.held.extend_from_slice(buf.filled());
                    got = true;
                }
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending if got => break,
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(got))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Delayed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.rtt.is_zero() {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        loop {
            if this.waiting.is_some() {
                // Bytes arriving meanwhile join this flight.
                if let Poll::Ready(Err(error)) = this.poll_fill(cx) {
                    return Poll::Ready(Err(error));
                }
                let waiting = this.waiting.as_mut().map(|w| w.as_mut().poll(cx));
                match waiting {
                    Some(Poll::Pending) => return Poll::Pending,
                    _ => this.waiting = None,
                }
            }
            if !this.held.is_empty() {
                let n = this.held.len().min(buf.remaining());
                buf.put_slice(&this.held[..n]);
                this.held.drain(..n);
                return Poll::Ready(Ok(()));
            }
            if this.closed {
                return Poll::Ready(Ok(()));
            }
            match this.poll_fill(cx) {
                Poll::Ready(Ok(true)) => {
                    this.waiting = Some(Box::pin(tokio::time::sleep(this.rtt)));
                }
                Poll::Ready(Ok(false)) => return Poll::Ready(Ok(())),
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Delayed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(start_paused = true)]
    async fn each_client_flight_reaches_the_server_one_rtt_late() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut server = Delayed::new(server, Duration::from_millis(50));
        let start = tokio::time::Instant::now();
        client.write_all(b"hel").await.unwrap();
        client.write_all(b"lo").await.unwrap();
        let mut buf = [0u8; 5];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(50),
            "one flight, one RTT"
        );
        server.write_all(b"reply").await.unwrap();
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(50),
            "replies are not held"
        );
        client.write_all(b"again").await.unwrap();
        drop(client);
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"again");
        assert_eq!(start.elapsed(), Duration::from_millis(100));
        assert_eq!(server.read(&mut buf).await.unwrap(), 0, "then the close");
    }

    #[tokio::test(start_paused = true)]
    async fn zero_rtt_delays_nothing() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut server = Delayed::new(server, Duration::ZERO);
        let start = tokio::time::Instant::now();
        client.write_all(b"ping").await.unwrap();
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
