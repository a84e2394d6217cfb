//! Probes observe an origin; they never judge it.
//!
//! [`OriginProber::observe`] runs, for one target: DNS (or the `--resolve` override), a TCP
//! connection to every port the protocol policy uses on every address (up to a bound), a TLS
//! handshake on the first HTTPS connection, and one HTTP request over each port's first
//! connection. A reusable connection is handed back parked, for the keep-alive idle probe, which
//! the engine runs outside the concurrency limit. The result is an [`Observation`] that the
//! checks turn into findings. Alongside all of that (not before it), the health of the zone
//! holding its name is looked up in the scan's [`authority::ZoneHealthCache`] (computed once
//! per zone, shared by every origin in it). CloudFront's own hello runs beside rustls's
//! handshake, and the handshakes with other SNIs (for a certificate that misses the name)
//! beside the HTTP exchange.

pub mod authority;
pub mod client_certificate;
pub mod cloudfront_tls;
pub mod diagnostic_hellos;
pub mod dialer;
pub mod dns;
pub(crate) mod dns_exchange;
pub(crate) mod dns_politeness;
pub(crate) mod dns_transport;
pub mod http;
pub mod http2;
pub mod scope;
pub mod tls;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::probe::dialer::{ConnectOutcome, Connection, Dialer};
use crate::target::{Host, Target};
use authority::{ZoneError, ZoneHealth, ZoneHealthCache};
use cloudfront_tls::{Alpn, CloudFrontHandshake, CloudFrontTls};
use dns::{DnsProbe, Resolution};
use http::{HttpExchange, HttpIo, IdleOutcome};
use tls::{TlsObservation, TlsProbe};

/// At most this many of an origin's addresses are connected to.
pub const MAX_ADDRESSES_PER_ORIGIN: usize = 8;

/// One connection attempt sequence to one address and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortObservation {
    /// One of the origin's addresses, with its HTTPSPort or HTTPPort.
    pub address: SocketAddr,
    /// Whether the port is the target's HTTPSPort (else its HTTPPort).
    pub https: bool,
    /// Connected (on which attempt), refused, timed out or failed, after up to
    /// ConnectionAttempts tries.
    pub outcome: ConnectOutcome,
}

/// Everything observed about one origin.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The target as scanned: the input's settings over CloudFront's defaults.
    pub target: Target,
    /// The addresses to connect to (resolved, an IP literal, or `--resolve`'s), or how DNS
    /// failed.
    pub resolution: Resolution,
    /// The health of the zone holding the origin name, shared with every origin in the zone
    /// (`None` when not asked: an IP literal, a `--resolve` override, or no zone checks).
    pub authority: Option<Result<Arc<ZoneHealth>, ZoneError>>,
    /// Addresses left out because the scope forbids them (never connected to).
    pub out_of_scope: Vec<IpAddr>,
    /// Addresses beyond [`MAX_ADDRESSES_PER_ORIGIN`], not probed.
    pub not_probed: Vec<IpAddr>,
    /// Connections made, per address and port.
    pub ports: Vec<PortObservation>,
    /// rustls's handshake to the first HTTPS address: the chain as sent, for the diagnosis.
    pub tls: Option<TlsObservation>,
    /// CloudFront's own handshake (s2n-tls) on the first HTTPS connection: the verdict (`None`
    /// for an origin given as an IP address, which CloudFront cannot have). Under the
    /// `2025-pq` profile, when the post-quantum handshake failed and the 2025 one completed,
    /// the 2025 one (the failed one is [`Observation::post_quantum_refused`]).
    pub cloudfront: Option<CloudFrontHandshake>,
    /// Under the `2025-pq` profile: the post-quantum handshake that failed or stalled, when
    /// the 2025 handshake then completed on a fresh connection.
    pub post_quantum_refused: Option<CloudFrontHandshake>,
    /// CloudFront's own hellos to the same address.
    pub negotiation: Option<diagnostic_hellos::Negotiation>,
    /// With Host forwarded: the certificate served for each alias sent as SNI.
    pub alias_certificates: Vec<AliasCertificate>,
    /// When the certificate CloudFront gets does not cover the name: what other SNIs (the origin
    /// domain, none) get.
    pub sni_alternatives: Vec<SniAlternative>,
    /// One HTTP request per port (over TLS on the HTTPS port), if the connection got that far.
    pub http: Vec<HttpExchange>,
    /// Reuse after idling for OriginKeepaliveTimeout, if probed.
    pub idle: Option<IdleOutcome>,
    /// How long DNS, the connection, the handshake, the first byte and the whole origin took.
    pub timings: Timings,
}

impl Observation {
    /// What is known of `target` once DNS has answered `resolution`: nothing else observed yet.
    pub fn new(target: Target, resolution: Resolution) -> Observation {
        Observation {
            target,
            resolution,
            authority: None,
            out_of_scope: Vec::new(),
            not_probed: Vec::new(),
            ports: Vec::new(),
            tls: None,
            cloudfront: None,
            post_quantum_refused: None,
            negotiation: None,
            alias_certificates: Vec::new(),
            sni_alternatives: Vec::new(),
            http: Vec::new(),
            idle: None,
            timings: Timings::default(),
        }
    }
}

/// How long each phase took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// DNS resolution, retries and CNAME following included; zero for an IP literal or a
    /// `--resolve` override.
    pub dns: Option<Duration>,
    /// The successful attempt of the first connected port and address, in order (HTTPS port
    /// first); `None` if nothing connected.
    pub connect: Option<Duration>,
    /// CloudFront's handshake (s2n), else rustls's for an IP origin, whatever its outcome;
    /// `None` when no HTTPS port connected.
    pub tls: Option<Duration>,
    /// From the request to the response's first byte: the HTTPS port's exchange, else the
    /// HTTP port's; `None` when no byte came.
    pub ttfb: Option<Duration>,
    /// The whole origin, from its task's start to its report (the idle probe included).
    pub total: Option<Duration>,
}

/// At most this many aliases of a Host-forwarding origin get their own handshake.
pub const MAX_ALIASES_PROBED: usize = 8;

/// CloudFront's hellos per origin, at most (see [`negotiate`]).
pub const MAX_HELLOS: usize = 2;

/// The most TCP connections one origin is sent in a scan: one per port and address (the HTTPS
/// one carries CloudFront's handshake, the HTTP request and the idle reuse), CloudFront's
/// hand-built hellos, a rustls handshake for the chain when no hello read it, one handshake per
/// probed alias, the other-SNI handshakes, a ClientHello to a plain-HTTP port that closed
/// silently, and (`2025-pq`) the 2025 handshake after a failed post-quantum one. Each
/// connection makes up to ConnectionAttempts tries.
pub const MAX_CONNECTIONS_PER_ORIGIN: usize =
    MAX_ADDRESSES_PER_ORIGIN * 2 + MAX_HELLOS + 1 + MAX_ALIASES_PROBED + MAX_SNI_ALTERNATIVES + 2;

/// Extra handshakes with other SNIs, only when the certificate does not cover the name.
pub const MAX_SNI_ALTERNATIVES: usize = 2;

/// CloudFront's handshake (s2n, the scan's policy) with one of the distribution's aliases as
/// SNI and server name: what CloudFront does when it forwards a viewer's Host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasCertificate {
    /// The alias sent as SNI and verified.
    pub alias: String,
    /// s2n's word on the alias.
    pub handshake: AliasHandshake,
    /// The chain served: the one s2n validated, else the one sent in the clear (TLS 1.2 and
    /// older), else `None`.
    pub chain: Option<Vec<rustls::pki_types::CertificateDer<'static>>>,
}

/// How CloudFront's handshake with an alias ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasHandshake {
    /// s2n completed it: the certificate covers the alias.
    Established,
    /// s2n refused the certificate for the alias (or the origin refused the SNI).
    NameRefused,
    /// The handshake failed otherwise, or did not connect: s2n's error name, or what happened.
    Failed(String),
}

/// The certificate an origin serves for an SNI other than the one CloudFront sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SniAlternative {
    /// The SNI sent (`None`: no SNI).
    pub sni: Option<String>,
    /// The chain served, or `None` when the handshake failed.
    pub chain: Option<Vec<rustls::pki_types::CertificateDer<'static>>>,
}

/// A connection kept open after its response, waiting for the idle probe.
pub struct Parked {
    stream: Box<dyn HttpIo>,
    /// Its place in the `--per-ip` cap, held while it stays open.
    _slot: crate::probe::dialer::Slot,
    request: Vec<u8>,
    idle: Duration,
    read_timeout: Duration,
}

impl std::fmt::Debug for Parked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parked")
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

impl Parked {
    /// Idles for OriginKeepaliveTimeout, then reuses the connection.
    pub async fn run(mut self) -> IdleOutcome {
        http::idle_reuse(
            &mut self.stream,
            &self.request,
            self.idle,
            self.read_timeout,
        )
        .await
    }

    /// The longest [`Parked::run`] can take.
    pub fn budget(&self) -> Duration {
        self.idle + self.read_timeout * 2
    }
}

/// The probes the scan shares across origins.
#[derive(Debug, Clone)]
pub struct OriginProber {
    /// The resolvers, with the `--resolve` overrides and the DNS politeness limits.
    pub dns: Arc<DnsProbe>,
    /// Zone health, once per zone (`None`: the zone checks are off).
    pub zones: Option<Arc<ZoneHealthCache>>,
    /// Opens every TCP connection, within the scope, `--rate` and `--per-ip`.
    pub dialer: Arc<Dialer>,
    /// TLS, with rustls (the chain as sent; HTTP for an origin given as an IP address).
    pub tls: TlsProbe,
    /// CloudFront's own TLS (s2n-tls): the verdict, and HTTP over it.
    pub cloudfront: Arc<CloudFrontTls>,
    /// TLS, with CloudFront's own hellos.
    pub negotiator: diagnostic_hellos::Negotiator,
    /// Whether to hand back a connection for the keep-alive idle probe.
    pub idle_probe: bool,
    /// Whether CloudFront's handshake uses the post-quantum (`-PQ`) policies (`2025-pq`).
    pub post_quantum: bool,
}

impl OriginProber {
    /// Observes one origin; returns a parked connection when the idle probe should follow.
    pub async fn observe_origin(&self, target: Target) -> (Observation, Option<Parked>) {
        let zone_name = match (&target.origin, &self.zones) {
            (Host::Name(name), Some(_)) if !self.dns.is_overridden(name) => Some(name.clone()),
            _ => None,
        };
        // Each phase's state is boxed when it starts: an origin holds the state of the phase it
        // is in, not the largest of all (the future of a whole origin was 14 KiB; a scan keeps
        // `--concurrency` of them).
        let zone = async {
            match (zone_name, &self.zones) {
                (Some(name), Some(zones)) => Some(Box::pin(zones.health(&name)).await),
                _ => None,
            }
        };
        // The zone's name servers are checked beside everything else: their findings do not
        // change how the origin is reached, and waiting for their round trips (SOA, NS set,
        // the servers' addresses, each server) would delay every connection check.
        let ((mut observation, parked), authority) =
            tokio::join!(self.observe_connections(target), zone);
        observation.authority = authority;
        (observation, parked)
    }

    /// Resolves the origin and makes every connection check: ports, TLS (rustls and
    /// CloudFront's hello), HTTP, other SNIs and aliases.
    async fn observe_connections(&self, target: Target) -> (Observation, Option<Parked>) {
        let (resolution, dns_time) =
            Box::pin(self.dns.resolve(&target.origin, target.ip_address_type)).await;
        let mut observation = Observation::new(target, resolution);
        observation.timings.dns = Some(dns_time);
        let (permitted, forbidden): (Vec<IpAddr>, Vec<IpAddr>) = observation
            .resolution
            .addresses()
            .into_iter()
            .partition(|ip| self.dialer.scope().permits(*ip));
        observation.out_of_scope = forbidden;
        let mut addresses = permitted;
        if addresses.len() > MAX_ADDRESSES_PER_ORIGIN {
            observation.not_probed = addresses.split_off(MAX_ADDRESSES_PER_ORIGIN);
        }

        let target = &observation.target;
        // Every connection this origin opens at once: its ports, and one of CloudFront's hellos.
        let need = target.ports().len() as u32 + 1;
        let reservation = self.dialer.reserve(&addresses, need).await;
        // The first connection of each kind, with the address dialed (an origin that resets at once
        // leaves a socket whose peer address can no longer be read).
        let mut first: [Option<(Connection, SocketAddr)>; 2] = [None, None]; // [https, http]
        let attempts = target.ports().into_iter().flat_map(|(port, https)| {
            addresses
                .iter()
                .map(move |ip| (SocketAddr::new(*ip, port), https))
        });
        let results = futures::future::join_all(attempts.map(|(address, https)| async move {
            let (outcome, connection) = self
                .dialer
                .connect(address, target.connect_timeout, target.connection_attempts)
                .await;
            (address, https, outcome, connection)
        }))
        .await;
        for (address, https, outcome, connection) in results {
            if let ConnectOutcome::Connected { elapsed, .. } = outcome {
                observation.timings.connect.get_or_insert(elapsed);
            }
            let slot = &mut first[usize::from(!https)];
            if slot.is_none() {
                *slot = connection.map(|connection| (connection, address));
            }
            observation.ports.push(PortObservation {
                address,
                https,
                outcome,
            });
        }
        let [https_connection, http_connection] = first;

        let request = http::request(
            &target.http_host(),
            &target.request_path(),
            &target.custom_headers,
        );
        let read_timeout = target.read_timeout;
        // An origin from a distribution export is waited for longer, to tell a too-low
        // OriginReadTimeout (CF_READ_TIMEOUT_TOO_LOW) from an origin that never answers.
        let limits = if target.provenance.distribution_id.is_some() {
            http::ReadLimits::patient(read_timeout)
        } else {
            http::ReadLimits::cloudfront(read_timeout)
        }
        .until_completion(target.response_completion_timeout);
        let mut parked: Option<(Box<dyn HttpIo>, IpAddr)> = None;
        if let Some((connection, address)) = https_connection {
            let https =
                match (target.cloudfront_server_name(), target.origin.name()) {
                    (Some(sni), Some(_)) => {
                        Box::pin(self.observe_https_as_cloudfront(
                            target, connection, sni, address, &request, limits,
                        ))
                        .await
                    }
                    _ => {
                        Box::pin(self.observe_https_with_rustls(
                            target, connection, address, &request, limits,
                        ))
                        .await
                    }
                };
            observation.timings.tls = https
                .cloudfront
                .as_ref()
                .map(CloudFrontHandshake::elapsed)
                .or(https.tls.as_ref().map(|tls| tls.elapsed));
            observation.tls = https.tls;
            observation.cloudfront = https.cloudfront;
            observation.post_quantum_refused = https.post_quantum_refused;
            observation.negotiation = https.negotiation;
            observation.sni_alternatives = https.alternatives;
            if let Some(exchange) = https.exchange {
                observation.timings.ttfb = exchange.ttfb;
                observation.http.push(exchange);
            }
            if let Some(stream) = https.reusable {
                parked = Some((stream, address.ip()));
            }
            if target.host_forwarding == crate::target::HostForwarding::Forwarded {
                // A wildcard alias (`*.example.com`) names no single SNI to send: not probed.
                let aliases = target.aliases.iter().filter(|a| !a.starts_with('*'));
                for alias in aliases.take(MAX_ALIASES_PROBED) {
                    let probed = Box::pin(self.alias_handshake(target, address, alias)).await;
                    observation.alias_certificates.push(probed);
                }
            }
        }
        if let Some((mut connection, address)) = http_connection {
            let (mut outcome, ttfb) = Box::pin(http::exchange(
                &mut connection.stream,
                &request,
                limits,
                true,
            ))
            .await;
            if matches!(
                outcome,
                http::HttpOutcome::ClosedWithoutResponse { reset: false, .. }
            ) {
                // Some TLS stacks (OpenSSL) close on a plain request without a word: a
                // ClientHello on the same port tells a TLS port from one that closes.
                if let Some(reply) = self.tls_on_plain_port(target, address).await {
                    outcome = http::HttpOutcome::TlsOnPlainPort { first_bytes: reply };
                }
            }
            if parked.is_none() && is_reusable(&outcome) {
                parked = Some((Box::new(connection.stream), address.ip()));
            }
            observation.timings.ttfb = observation.timings.ttfb.or(ttfb);
            observation.http.push(HttpExchange {
                address,
                https: false,
                outcome,
                ttfb,
                protocol: http::HttpProtocol::Http11,
            });
        }
        // Without the idle probe the connection closes here, before its slots are released; a
        // parked one keeps one slot, so that `--per-ip` counts every open connection.
        let parked = parked.filter(|_| self.idle_probe);
        let parked = parked.map(|(stream, ip)| Parked {
            stream,
            _slot: reservation.keep_one(ip),
            request,
            idle: target.keepalive_timeout,
            read_timeout,
        });
        (observation, parked)
    }
}

/// What the HTTPS port gave: CloudFront's handshake (s2n) or rustls's, CloudFront's hellos,
/// other SNIs, the HTTP exchange and the connection to park.
struct HttpsObservation {
    tls: Option<TlsObservation>,
    cloudfront: Option<CloudFrontHandshake>,
    post_quantum_refused: Option<CloudFrontHandshake>,
    negotiation: Option<diagnostic_hellos::Negotiation>,
    alternatives: Vec<SniAlternative>,
    exchange: Option<HttpExchange>,
    reusable: Option<Box<dyn HttpIo>>,
}

impl OriginProber {
    /// The HTTPS port as CloudFront reaches it: s2n's handshake with the scan's
    /// CloudFront-Upstream policy on the first connection, then the HTTP exchange over it. Beside
    /// it, on a second connection, CloudFront's hand-built hellos (which versions and suites the
    /// origin takes, and the chain as sent when it comes in the clear), then, only if no chain
    /// came so, a rustls handshake that records it (s2n keeps only the chain it validated). When s2n refuses the certificate's name, the
    /// other SNIs are asked on the first connection's place.
    async fn observe_https_as_cloudfront(
        &self,
        target: &Target,
        connection: Connection,
        sni: &str,
        address: SocketAddr,
        request: &[u8],
        limits: http::ReadLimits,
    ) -> HttpsObservation {
        let policy = self.policy(target);
        let client_cert = target.client_certificate == Some(true);
        let alpn = Alpn::for_target(target);
        let cloudfront_and_http = async {
            let (mut handshake, mut stream) = self
                .cloudfront
                .handshake(
                    policy,
                    connection.stream,
                    sni,
                    target.connect_timeout,
                    client_cert,
                    alpn,
                )
                .await;
            let mut post_quantum_refused = None;
            if self.post_quantum && !handshake.established() {
                // Does the origin fail the post-quantum hello only? The 2025 policy's
                // handshake, on a fresh connection, tells; when it completes, the HTTP checks
                // run over it and the refusal is kept for TLS_PQ_HELLO_INTOLERANT.
                let (_, connection) = self
                    .dialer
                    .connect(address, target.connect_timeout, 1)
                    .await;
                if let Some(connection) = connection {
                    let (classic, classic_stream) = self
                        .cloudfront
                        .handshake(
                            self.classic_policy(target),
                            connection.stream,
                            sni,
                            target.connect_timeout,
                            client_cert,
                            alpn,
                        )
                        .await;
                    if classic.established() {
                        post_quantum_refused = Some(std::mem::replace(&mut handshake, classic));
                        stream = classic_stream;
                    }
                }
            }
            let mut exchange = None;
            let mut reusable: Option<Box<dyn HttpIo>> = None;
            if let Some(mut stream) = stream {
                let (outcome, ttfb, protocol) = if speaks_h2(&handshake) {
                    let request = http2::H2Request::new(
                        &target.http_host(),
                        &target.request_path(),
                        &target.custom_headers,
                    );
                    let (outcome, ttfb) = http2::exchange(&mut stream, &request, limits).await;
                    (outcome, ttfb, http::HttpProtocol::H2)
                } else {
                    let (outcome, ttfb) = http::exchange(&mut stream, request, limits, false).await;
                    (outcome, ttfb, http::HttpProtocol::Http11)
                };
                if let CloudFrontHandshake::Established { alert_after, .. } = &mut handshake {
                    // A TLS 1.3 origin's refusal of the client certificate comes here: an
                    // alert (not close_notify) instead of a response.
                    if !matches!(outcome, http::HttpOutcome::Response(_)) {
                        *alert_after = stream.received_alert().filter(|alert| *alert != 0);
                    }
                }
                if protocol == http::HttpProtocol::Http11 && is_reusable(&outcome) {
                    reusable = Some(Box::new(stream));
                }
                exchange = Some(HttpExchange {
                    address,
                    https: true,
                    outcome,
                    ttfb,
                    protocol,
                });
            }
            // Other SNIs tell whether the origin has a certificate for the name at all. With
            // Host forwarded from viewers the name is an alias: the alias checks say it.
            let alternatives = if handshake.name_refused() && Some(sni) == target.sni_name() {
                self.sni_alternatives(target, address).await
            } else {
                Vec::new()
            };
            (
                handshake,
                post_quantum_refused,
                exchange,
                reusable,
                alternatives,
            )
        };
        let diagnosis = async {
            let negotiation = self
                .negotiator
                .negotiate(
                    &self.dialer,
                    address,
                    Some(sni),
                    target.ssl_protocols.as_deref(),
                    target.connect_timeout,
                )
                .await;
            // The chain as sent: CloudFront's hello reads it in the clear when the origin
            // speaks TLS 1.2; only an origin that does not (TLS 1.3 only, or a failed hello)
            // costs a rustls handshake more. One that took the TLS 1.2 hello and then sent no
            // chain would stall rustls the same way: not asked.
            let tls = if negotiation.chain().is_some() || negotiation.clear_chain_withheld() {
                None
            } else {
                let (_, connection) = self
                    .dialer
                    .connect(address, target.connect_timeout, 1)
                    .await;
                match connection {
                    Some(connection) => Some(
                        self.tls
                            .handshake(connection.stream, Some(sni), target.connect_timeout)
                            .await
                            .0,
                    ),
                    None => None,
                }
            };
            (negotiation, tls)
        };
        let (
            (cloudfront, post_quantum_refused, exchange, reusable, alternatives),
            (negotiation, tls),
        ) = tokio::join!(cloudfront_and_http, diagnosis);
        HttpsObservation {
            tls,
            cloudfront: Some(cloudfront),
            post_quantum_refused,
            negotiation: Some(negotiation),
            alternatives,
            exchange,
            reusable,
        }
    }

    /// The HTTPS port of an origin given as an IP address (no name for CloudFront to send or
    /// verify, so no CloudFront handshake): rustls's handshake and the HTTP exchange over it,
    /// beside CloudFront's hellos.
    async fn observe_https_with_rustls(
        &self,
        target: &Target,
        connection: Connection,
        address: SocketAddr,
        request: &[u8],
        limits: http::ReadLimits,
    ) -> HttpsObservation {
        // CloudFront's hello runs beside rustls's handshake; once both are done, the SNI
        // alternatives (only for a certificate that does not cover the name) run beside the
        // HTTP exchange: the origin's open connections stay within its reservation.
        let (hello_done, hello_finished) = tokio::sync::oneshot::channel::<()>();
        let rustls_and_http = async {
            let (tls, stream) = self
                .tls
                .handshake(connection.stream, target.sni_name(), target.connect_timeout)
                .await;
            let mut exchange = None;
            let mut reusable = None;
            let alternatives = async {
                if needs_sni_alternatives(target, &tls) {
                    // Err: the hello's side was dropped, which is finished too.
                    let _ = hello_finished.await;
                    self.sni_alternatives(target, address).await
                } else {
                    Vec::new()
                }
            };
            let http = async {
                if let Some(mut stream) = stream {
                    let (outcome, ttfb) = http::exchange(&mut stream, request, limits, false).await;
                    if is_reusable(&outcome) {
                        reusable = Some(Box::new(stream) as Box<dyn HttpIo>);
                    }
                    exchange = Some(HttpExchange {
                        address,
                        https: true,
                        outcome,
                        ttfb,
                        protocol: http::HttpProtocol::Http11,
                    });
                }
            };
            let ((), alternatives) = tokio::join!(http, alternatives);
            (tls, exchange, reusable, alternatives)
        };
        let negotiation = async {
            let negotiation = self
                .negotiator
                .negotiate(
                    &self.dialer,
                    address,
                    target.sni_name(),
                    target.ssl_protocols.as_deref(),
                    target.connect_timeout,
                )
                .await;
            let _ = hello_done.send(());
            negotiation
        };
        let ((tls, exchange, reusable, alternatives), negotiation) =
            tokio::join!(rustls_and_http, negotiation);
        HttpsObservation {
            tls: Some(tls),
            cloudfront: None,
            post_quantum_refused: None,
            negotiation: Some(negotiation),
            alternatives,
            exchange,
            reusable,
        }
    }
}

impl OriginProber {
    /// The CloudFront-Upstream policy that stands for the scan's CloudFront with `target`'s
    /// OriginSslProtocols.
    fn policy(&self, target: &Target) -> &'static str {
        if self.post_quantum {
            crate::cloudfront::policy::post_quantum_policy(allowed_protocols(target))
        } else {
            self.classic_policy(target)
        }
    }

    /// The policy without post-quantum key exchange (the profile's own).
    fn classic_policy(&self, target: &Target) -> &'static str {
        crate::cloudfront::policy::upstream_policy(
            self.negotiator.profile,
            allowed_protocols(target),
        )
    }

    /// CloudFront's handshake with `alias` as SNI and server name, on a connection of its own.
    async fn alias_handshake(
        &self,
        target: &Target,
        address: SocketAddr,
        alias: &str,
    ) -> AliasCertificate {
        let (outcome, connection) = self
            .dialer
            .connect(address, target.connect_timeout, 1)
            .await;
        let Some(connection) = connection else {
            let why = match outcome {
                ConnectOutcome::Refused { .. } => "connection refused".to_string(),
                ConnectOutcome::TimedOut { timeout, .. } => {
                    format!("no connection within {} s", timeout.as_secs())
                }
                ConnectOutcome::Failed { error, .. } => error,
                _ => "no connection".to_string(),
            };
            return AliasCertificate {
                alias: alias.to_string(),
                handshake: AliasHandshake::Failed(why),
                chain: None,
            };
        };
        let (handshake, _) = self
            .cloudfront
            .handshake(
                self.policy(target),
                connection.stream,
                alias,
                target.connect_timeout,
                target.client_certificate == Some(true),
                Alpn::for_target(target),
            )
            .await;
        let name_refused = handshake.name_refused();
        let (handshake, chain) = match handshake {
            CloudFrontHandshake::Established {
                validated_chain, ..
            } => (AliasHandshake::Established, Some(validated_chain)),
            CloudFrontHandshake::Failed { received, .. } if name_refused => {
                (AliasHandshake::NameRefused, received.chain)
            }
            CloudFrontHandshake::Failed {
                error, received, ..
            } => (AliasHandshake::Failed(error), received.chain),
            CloudFrontHandshake::TimedOut {
                received, waited, ..
            } => (
                AliasHandshake::Failed(format!("timed out after {} s", waited.as_secs())),
                received.chain,
            ),
        };
        AliasCertificate {
            alias: alias.to_string(),
            handshake,
            chain,
        }
    }

    /// Asks again with the origin domain as SNI (if CloudFront sends another) and with no SNI:
    /// at most two more handshakes, one after the other, for an origin whose certificate does
    /// not cover the name ([`needs_sni_alternatives`]).
    async fn sni_alternatives(&self, target: &Target, address: SocketAddr) -> Vec<SniAlternative> {
        let sent = target.sni_name();
        let mut candidates: Vec<Option<String>> = Vec::new();
        if let Some(origin) = target.origin.name() {
            if sent != Some(origin) {
                candidates.push(Some(origin.to_string()));
            }
        }
        if sent.is_some() {
            candidates.push(None);
        }
        let mut alternatives = Vec::new();
        for sni in candidates {
            let chain = match &sni {
                // A name goes through CloudFront's own stack; s2n-tls-tokio always sends the
                // server name it verifies, so the no-SNI question goes to rustls.
                Some(name) => {
                    let (_, connection) = self
                        .dialer
                        .connect(address, target.connect_timeout, 1)
                        .await;
                    match connection {
                        Some(connection) => {
                            self.cloudfront
                                .served_chain(
                                    self.policy(target),
                                    connection.stream,
                                    name,
                                    target.connect_timeout,
                                    target.client_certificate == Some(true),
                                    Alpn::for_target(target),
                                )
                                .await
                        }
                        None => None,
                    }
                }
                None => {
                    self.chain_for_sni(address, None, target.connect_timeout)
                        .await
                }
            };
            alternatives.push(SniAlternative { sni, chain });
        }
        alternatives
    }

    /// Whether the plain-HTTP port at `address` answers CloudFront's ClientHello with TLS: what
    /// it answered, in words, if it did.
    async fn tls_on_plain_port(&self, target: &Target, address: SocketAddr) -> Option<String> {
        let (_, connection) = self
            .dialer
            .connect(address, target.connect_timeout, 1)
            .await;
        let hello = crate::cloudfront::hello::client_hello(
            self.negotiator.profile,
            crate::cloudfront::tls_profile::TlsVersion::Tls12,
            target.sni_name(),
            [0x5a; 32],
        );
        match diagnostic_hellos::exchange(connection?.stream, &hello, target.connect_timeout).await
        {
            diagnostic_hellos::HelloReply::Accepted { version, suite, .. } => Some(format!(
                "(closed on the plain request; a ClientHello got a ServerHello: version 0x{version:04X}, suite 0x{suite:04X})"
            )),
            diagnostic_hellos::HelloReply::Alert { code } => Some(format!(
                "(closed on the plain request; a ClientHello got the TLS alert {})",
                crate::cloudfront::alerts::alert_name(code)
            )),
            _ => None,
        }
    }

    /// One more connection and rustls handshake to `address` with `sni` (none if `None`): the
    /// chain the origin sends for that name, if the handshake completes. Only for the no-SNI
    /// diagnosis, which s2n-tls-tokio cannot make.
    async fn chain_for_sni(
        &self,
        address: SocketAddr,
        sni: Option<&str>,
        timeout: Duration,
    ) -> Option<Vec<rustls::pki_types::CertificateDer<'static>>> {
        let (_, connection) = self.dialer.connect(address, timeout, 1).await;
        let (tls, _) = self.tls.handshake(connection?.stream, sni, timeout).await;
        match tls.outcome {
            tls::TlsOutcome::Established { chain, .. } => Some(chain),
            tls::TlsOutcome::Failed(_) => None,
        }
    }
}

/// Whether the certificate CloudFront gets does not cover the name it must, so that the origin
/// is asked again with other SNIs ([`OriginProber::sni_alternatives`]).
fn needs_sni_alternatives(target: &Target, tls: &TlsObservation) -> bool {
    let tls::TlsOutcome::Established { chain, .. } = &tls.outcome else {
        return false;
    };
    let name = target.certificate_name();
    let leaf_covers = chain
        .first()
        .and_then(|leaf| crate::certificate::CertFacts::parse(leaf))
        .is_some_and(|facts| facts.covers(&name));
    !leaf_covers
}

/// The target's OriginSslProtocols, or the default a distribution gets.
fn allowed_protocols(target: &Target) -> &[crate::cloudfront::tls_profile::TlsVersion] {
    target
        .ssl_protocols
        .as_deref()
        .unwrap_or(crate::cloudfront::tls_profile::DEFAULT_ALLOWED)
}

/// Whether CloudFront speaks HTTP/2 over this handshake: the origin selected `h2` with ALPN,
/// over TLS 1.2 or later ("CloudFront uses HTTP/2 only over Transport Layer Security (TLS) 1.2
/// or later. Otherwise, it uses HTTP/1.1", botocore's OriginHttpVersion). Any other selection,
/// offered or not (s2n accepts one that was not), leaves HTTP/1.1.
pub(crate) fn speaks_h2(handshake: &CloudFrontHandshake) -> bool {
    matches!(
        handshake,
        CloudFrontHandshake::Established { alpn: Some(alpn), version, .. }
            if alpn.as_slice() == b"h2" && *version >= crate::cloudfront::tls_profile::TlsVersion::Tls12
    )
}

fn is_reusable(outcome: &http::HttpOutcome) -> bool {
    matches!(outcome, http::HttpOutcome::Response(response) if response.reusable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudfront::tls_profile::TlsVersion;

    fn established(version: TlsVersion, alpn: Option<&[u8]>) -> CloudFrontHandshake {
        CloudFrontHandshake::Established {
            policy: "CloudFront-Upstream-TLS-1-0-2025",
            version,
            cipher: "ECDHE-RSA-AES128-GCM-SHA256".into(),
            validated_chain: Vec::new(),
            sent_chain: None,
            elapsed: Duration::from_millis(5),
            client_cert_sent: false,
            alert_after: None,
            alpn: alpn.map(<[u8]>::to_vec),
        }
    }

    /// HTTP/2 only when the origin selected `h2` over TLS 1.2 or later (botocore's
    /// OriginHttpVersion); `http/1.1`, nothing, an unoffered name, or `h2` over TLS 1.1 leave
    /// HTTP/1.1.
    #[test]
    fn http2_only_for_h2_over_tls12_or_later() {
        assert!(speaks_h2(&established(TlsVersion::Tls12, Some(b"h2"))));
        assert!(speaks_h2(&established(TlsVersion::Tls13, Some(b"h2"))));
        assert!(!speaks_h2(&established(TlsVersion::Tls11, Some(b"h2"))));
        assert!(!speaks_h2(&established(
            TlsVersion::Tls13,
            Some(b"http/1.1")
        )));
        assert!(!speaks_h2(&established(
            TlsVersion::Tls13,
            Some(b"spdy/3.1")
        )));
        assert!(!speaks_h2(&established(TlsVersion::Tls13, None)));
    }
}
