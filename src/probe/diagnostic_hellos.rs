//! CloudFront's own handshake: the hand-built ClientHello of [`crate::cloudfront::hello`], sent on a fresh
//! connection, and the origin's reply read record by record up to ServerHelloDone (or the TLS 1.3
//! ServerHello, after which everything is encrypted).
//!
//! The sequence is short and decided by the replies, so an origin costs one hello when it
//! negotiates TLS 1.2, and at most two otherwise ([`crate::probe::MAX_HELLOS`]):
//! 1. CloudFront's offer up to the highest version the distribution lets CloudFront send
//!    (TLS 1.2 at most here: TLS 1.3 acceptance is asked separately);
//! 2. on `protocol_version`: TLS 1.3 (profile `2025`) or TLS 1.2 (to tell "too narrow" from
//!    "no common protocol"); on a handshake-failure alert: a diagnostic offer with more suites,
//!    groups and schemes, to tell a missing common suite from an unsupported key or signature;
//!    on a 3DES/RC4 choice: the same offer without them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::cloudfront::alerts;
use crate::cloudfront::hello::{client_hello_for, HelloOffer, RecordReader, ServerMessage};
use crate::cloudfront::tls_profile::{Profile, TlsVersion, WEAK_SUITES};
use crate::probe::dialer::{ConnectOutcome, Dialer};

/// Why a hello was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelloPurpose {
    /// CloudFront's offer, up to the highest version it may send (at most TLS 1.2).
    CloudFront,
    /// CloudFront's TLS 1.3 offer (profile `2025`), after a `protocol_version` refusal.
    Tls13,
    /// CloudFront's TLS 1.2 offer, when the distribution keeps CloudFront below TLS 1.2.
    Tls12,
    /// CloudFront's offer plus what CloudFront does not offer.
    Diagnostic,
    /// CloudFront's offer without 3DES and RC4.
    WithoutWeakSuites,
}

impl HelloPurpose {
    /// A short name for the evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            HelloPurpose::CloudFront => "cloudfront",
            HelloPurpose::Tls13 => "cloudfront-tls1.3",
            HelloPurpose::Tls12 => "cloudfront-tls1.2",
            HelloPurpose::Diagnostic => "diagnostic",
            HelloPurpose::WithoutWeakSuites => "cloudfront-without-3des-rc4",
        }
    }
}

/// What the origin answered to one hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelloReply {
    /// A ServerHello (or a HelloRetryRequest): the origin took the offer.
    Accepted {
        /// Negotiated version (wire code).
        version: u16,
        /// The chosen cipher suite's IANA code (e.g. `0xC02F`).
        suite: u16,
        /// The Certificate message's chain (TLS 1.2 and older; empty for TLS 1.3).
        chain: Vec<Vec<u8>>,
        /// Whether the origin sent a CertificateRequest.
        client_cert_requested: bool,
    },
    /// A fatal alert before any ServerHello.
    Alert {
        /// The alert's description code (e.g. 70 for `protocol_version`; 0 for a
        /// close_notify).
        code: u8,
    },
    /// Closed (or reset) before sending a byte.
    ClosedBeforeReply {
        /// Whether it was a reset (or a broken pipe while sending the hello) rather than an
        /// orderly close.
        reset: bool,
    },
    /// Closed after sending some bytes, before a complete ServerHello.
    ClosedDuringHandshake,
    /// Reset after sending some bytes, before a complete ServerHello.
    Reset,
    /// The reply does not start with a TLS record (e.g. an HTTP response).
    NotTls {
        /// The reply's first bytes, raw, at most 24.
        first_bytes: Vec<u8>,
    },
    /// No complete reply in time.
    Timeout,
    /// A reply that breaks the protocol.
    Malformed(String),
    /// The hello's connection could not be made.
    NotConnected,
}

/// One hello and its reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloAttempt {
    /// Why it was sent: CloudFront's offer first, then at most one follow-up.
    pub purpose: HelloPurpose,
    /// The highest version it offered.
    pub offered: TlsVersion,
    /// What came back, read up to ServerHelloDone (TLS 1.2 and older) or the ServerHello
    /// (TLS 1.3).
    pub reply: HelloReply,
}

/// CloudFront's handshake with one origin address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiation {
    /// The origin address and HTTPS port the hellos went to, each on its own connection.
    pub address: SocketAddr,
    /// The TLS profile (`--cloudfront-profile`) whose offers were sent.
    pub profile: Profile,
    /// Versions the distribution allows (OriginSslProtocols).
    pub allowed: Vec<TlsVersion>,
    /// Whether `allowed` is docs/FINDINGS.md's default, assumed for want of a setting.
    pub allowed_assumed: bool,
    /// The hellos sent, in order.
    pub attempts: Vec<HelloAttempt>,
}

impl Negotiation {
    /// The reply to the first (CloudFront) hello.
    pub fn first(&self) -> Option<&HelloReply> {
        self.attempts.first().map(|a| &a.reply)
    }

    /// The reply to the hello sent for `purpose`, if sent.
    pub fn reply_to(&self, purpose: HelloPurpose) -> Option<&HelloReply> {
        self.attempts
            .iter()
            .find(|a| a.purpose == purpose)
            .map(|a| &a.reply)
    }

    /// Whether an origin took CloudFront's offer at TLS 1.2 or older, where the chain comes in
    /// the clear, and yet no chain came (it stalled after its ServerHello): another handshake
    /// would not read one either.
    pub fn clear_chain_withheld(&self) -> bool {
        self.chain().is_none()
            && self.attempts.iter().any(|a| {
                matches!(
                    &a.reply,
                    HelloReply::Accepted { version, chain, .. }
                        if *version <= 0x0303 && chain.is_empty()
                ) && a.purpose != HelloPurpose::Diagnostic
            })
    }

    /// The certificate chain from CloudFront's own handshake, if it carried one in the clear.
    pub fn chain(&self) -> Option<&[Vec<u8>]> {
        self.attempts.iter().find_map(|a| match &a.reply {
            HelloReply::Accepted { chain, .. }
                if !chain.is_empty() && a.purpose != HelloPurpose::Diagnostic =>
            {
                Some(chain.as_slice())
            }
            _ => None,
        })
    }
}

/// Sends CloudFront's hand-built hellos: one, or two when the first reply calls for a
/// follow-up.
#[derive(Debug, Clone)]
pub struct Negotiator {
    provider: Arc<CryptoProvider>,
    /// The profile CloudFront is taken to use.
    pub profile: Profile,
}

impl Negotiator {
    /// A negotiator for `profile`; `provider` supplies the hello randoms.
    pub fn new(provider: Arc<CryptoProvider>, profile: Profile) -> Negotiator {
        Negotiator { provider, profile }
    }

    /// Runs the hello sequence against `address`.
    pub async fn negotiate(
        &self,
        dialer: &Dialer,
        address: SocketAddr,
        sni: Option<&str>,
        allowed: Option<&[TlsVersion]>,
        timeout: Duration,
    ) -> Negotiation {
        let allowed_assumed = allowed.is_none();
        let allowed: Vec<TlsVersion> = allowed
            .map(<[TlsVersion]>::to_vec)
            .unwrap_or_else(|| crate::cloudfront::tls_profile::DEFAULT_ALLOWED.to_vec());
        let highest = allowed
            .iter()
            .copied()
            .filter(|v| *v <= TlsVersion::Tls12)
            .max()
            .unwrap_or(TlsVersion::Tls12);
        let first_max = match self.profile {
            // Under 2025 the allowed list is a minimum: CloudFront offers up to TLS 1.3.
            Profile::Y2025 => TlsVersion::Tls12,
            Profile::Legacy => highest,
        };
        let mut negotiation = Negotiation {
            address,
            profile: self.profile,
            allowed,
            allowed_assumed,
            attempts: Vec::new(),
        };
        let first_offer = HelloOffer::cloudfront(self.profile, first_max);
        let first = self
            .attempt(
                dialer,
                address,
                sni,
                timeout,
                HelloPurpose::CloudFront,
                &first_offer,
            )
            .await;
        let first_reply = first.reply.clone();
        negotiation.attempts.push(first);

        let next = match &first_reply {
            HelloReply::Alert {
                code: alerts::PROTOCOL_VERSION,
            } => match self.profile {
                Profile::Y2025 => Some((
                    HelloPurpose::Tls13,
                    HelloOffer::cloudfront(self.profile, TlsVersion::Tls13),
                )),
                Profile::Legacy if first_max < TlsVersion::Tls12 => Some((
                    HelloPurpose::Tls12,
                    HelloOffer::cloudfront(self.profile, TlsVersion::Tls12),
                )),
                Profile::Legacy => None,
            },
            // Some stacks refuse an offer by closing without an alert: the diagnostic hello tells
            // that from an origin that closes every connection.
            HelloReply::Alert { code } if alerts::is_refusal(*code) => Some((
                HelloPurpose::Diagnostic,
                HelloOffer::diagnostic(self.profile, first_max),
            )),
            HelloReply::ClosedBeforeReply { .. } => Some((
                HelloPurpose::Diagnostic,
                HelloOffer::diagnostic(self.profile, first_max),
            )),
            HelloReply::Accepted { suite, .. } if WEAK_SUITES.contains(suite) => Some((
                HelloPurpose::WithoutWeakSuites,
                first_offer.clone().without_suites(WEAK_SUITES),
            )),
            _ => None,
        };
        if let Some((purpose, offer)) = next {
            let attempt = self
                .attempt(dialer, address, sni, timeout, purpose, &offer)
                .await;
            negotiation.attempts.push(attempt);
        }
        negotiation
    }

    async fn attempt(
        &self,
        dialer: &Dialer,
        address: SocketAddr,
        sni: Option<&str>,
        timeout: Duration,
        purpose: HelloPurpose,
        offer: &HelloOffer,
    ) -> HelloAttempt {
        let mut random = [0u8; 32];
        // A failing random source only makes the hello predictable, not wrong.
        let _ = self.provider.secure_random.fill(&mut random);
        let hello = client_hello_for(offer, sni, random);
        let (outcome, connection) = dialer.connect(address, timeout, 1).await;
        let reply = match (connection, outcome) {
            (Some(connection), _) => exchange(connection.stream, &hello, timeout).await,
            // Accepted and reset before the socket was polled: the origin answered, with a
            // reset, as if it had reset once the hello was sent.
            (None, ConnectOutcome::Reset { .. }) => HelloReply::ClosedBeforeReply { reset: true },
            (None, _) => HelloReply::NotConnected,
        };
        HelloAttempt {
            purpose,
            offered: offer.version,
            reply,
        }
    }
}

/// A connection reset or aborted by the peer.
fn is_reset(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
    )
}

/// Sends `hello` and reads the reply, within `timeout` overall.
pub async fn exchange(mut stream: TcpStream, hello: &[u8], timeout: Duration) -> HelloReply {
    let deadline = Instant::now() + timeout;
    if let Err(error) = stream.write_all(hello).await {
        return HelloReply::ClosedBeforeReply {
            reset: is_reset(&error) || error.kind() == std::io::ErrorKind::BrokenPipe,
        };
    }
    let mut reader = RecordReader::new();
    let mut received = 0usize;
    let mut accepted: Option<(u16, u16)> = None;
    let mut chain = Vec::new();
    let mut client_cert_requested = false;
    let finish = |accepted: Option<(u16, u16)>, chain: Vec<Vec<u8>>, requested: bool| {
        accepted.map(|(version, suite)| HelloReply::Accepted {
            version,
            suite,
            chain,
            client_cert_requested: requested,
        })
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        loop {
            match reader.next_message() {
                Ok(Some(message)) => match message {
                    ServerMessage::ServerHello {
                        version,
                        cipher_suite,
                        hello_retry,
                    } => {
                        accepted = Some((version, cipher_suite));
                        if version >= TlsVersion::Tls13.wire() || hello_retry {
                            return finish(accepted, chain, client_cert_requested)
                                .unwrap_or(HelloReply::Timeout);
                        }
                    }
                    ServerMessage::Certificate { chain: sent } => chain = sent,
                    ServerMessage::CertificateRequest => client_cert_requested = true,
                    ServerMessage::ServerHelloDone
                    | ServerMessage::ChangeCipherSpec
                    | ServerMessage::Encrypted => {
                        if let Some(reply) = finish(accepted, chain.clone(), client_cert_requested)
                        {
                            return reply;
                        }
                    }
                    // A warning (e.g. unrecognized_name from a server with no certificate for the
                    // SNI) does not end the handshake; close_notify and fatal alerts do.
                    ServerMessage::Alert {
                        level: 1,
                        description,
                    } if description != 0 => {}
                    ServerMessage::Alert { description, .. } => {
                        return finish(accepted, chain, client_cert_requested)
                            .unwrap_or(HelloReply::Alert { code: description });
                    }
                    ServerMessage::ServerKeyExchange | ServerMessage::Other { .. } => {}
                },
                Ok(None) => break,
                Err(error) if error.is_not_tls() => {
                    let first_bytes = match error {
                        crate::cloudfront::hello::HelloError::NotTls { first_bytes } => first_bytes,
                        _ => Vec::new(),
                    };
                    return HelloReply::NotTls { first_bytes };
                }
                Err(error) => return HelloReply::Malformed(error.to_string()),
            }
        }
        let now = Instant::now();
        if now >= deadline {
            return finish(accepted, chain, client_cert_requested).unwrap_or(HelloReply::Timeout);
        }
        match tokio::time::timeout(deadline - now, stream.read(&mut buf)).await {
            Err(_) => {
                return finish(accepted, chain, client_cert_requested)
                    .unwrap_or(HelloReply::Timeout)
            }
            Ok(Ok(0)) => {
                return finish(accepted, chain, client_cert_requested).unwrap_or(if received == 0 {
                    HelloReply::ClosedBeforeReply { reset: false }
                } else {
                    HelloReply::ClosedDuringHandshake
                })
            }
            Ok(Ok(n)) => {
                received += n;
                if let Err(error) = reader.push(&buf[..n]) {
                    if error.is_not_tls() {
                        let first_bytes = match error {
                            crate::cloudfront::hello::HelloError::NotTls { first_bytes } => {
                                first_bytes
                            }
                            _ => Vec::new(),
                        };
                        return HelloReply::NotTls { first_bytes };
                    }
                    return HelloReply::Malformed(error.to_string());
                }
            }
            Ok(Err(error)) => {
                let reset = is_reset(&error);
                return finish(accepted, chain, client_cert_requested).unwrap_or(
                    match (reset, received) {
                        (_, 0) => HelloReply::ClosedBeforeReply { reset },
                        (true, _) => HelloReply::Reset,
                        (false, _) => HelloReply::ClosedDuringHandshake,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::dialer::{reset_after_accept, DialerLimits};
    use crate::probe::scope::AddressScope;

    /// Issue 17, item 5a: a hello whose connection is accepted and reset before it is polled
    /// got a reset before any reply, not "could not connect" (which read as a failed handshake).
    #[tokio::test(flavor = "current_thread")]
    async fn a_hello_reset_while_connecting_is_a_reset_before_any_reply() {
        let dialer = Dialer::new(
            AddressScope::allowing(vec!["127.0.0.0/8".parse().expect("cidr")]),
            DialerLimits {
                rate: None,
                per_ip: None,
            },
        );
        let negotiator = Negotiator::new(
            Arc::new(rustls::crypto::ring::default_provider()),
            Profile::Y2025,
        );
        let (addr, reset) = reset_after_accept::listener();
        let offer = HelloOffer::cloudfront(Profile::Y2025, TlsVersion::Tls12);
        let attempt = reset_after_accept::complete(
            negotiator.attempt(
                &dialer,
                addr,
                Some("origin.test"),
                Duration::from_secs(2),
                HelloPurpose::CloudFront,
                &offer,
            ),
            reset,
        )
        .await;
        assert_eq!(attempt.reply, HelloReply::ClosedBeforeReply { reset: true });
    }
}
