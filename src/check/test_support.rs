//! Observations for the checks' unit tests, built from what the wire would have said.
//!
//! [`ObservationBuilder::for_origin`] starts from an origin resolved to [`ORIGIN_ADDRESS`] with
//! nothing else observed; each method adds one thing a probe would have seen. Every address is
//! from a documentation range (RFC 5737, RFC 3849) and nothing connects: these are plain values.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rustls::pki_types::CertificateDer;

use crate::cloudfront::tls_profile::{Profile, TlsVersion, DEFAULT_ALLOWED};
use crate::finding::{Code, Finding};
use crate::probe::diagnostic_hellos::{HelloAttempt, HelloPurpose, HelloReply, Negotiation};
use crate::probe::dialer::ConnectOutcome;
use crate::probe::dns::{DnsFailure, Resolution};
use crate::probe::http::{HttpExchange, HttpOutcome, HttpResponse, IdleOutcome, ReadStop};
use crate::probe::tls::{TlsFailure, TlsObservation, TlsOutcome};
use crate::probe::{
    AliasCertificate, AliasHandshake, Observation, PortObservation, SniAlternative,
};
use crate::target::{Host, HostForwarding, ProtocolPolicy, Target};

/// The address an origin resolves to unless told otherwise (TEST-NET-1).
pub(crate) const ORIGIN_ADDRESS: &str = "192.0.2.1";

/// Builds an [`Observation`] step by step.
pub(crate) struct ObservationBuilder {
    observation: Observation,
    /// CloudFront's hellos and their replies, made into a [`Negotiation`] by [`Self::build`].
    hellos: Option<Vec<(HelloPurpose, HelloReply)>>,
    profile: Profile,
    /// OriginSslProtocols; `None`: the default is assumed, as for a target without it.
    allowed: Option<Vec<TlsVersion>>,
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an IP address")
}

impl ObservationBuilder {
    /// `origin` (a name or an IP literal) with CloudFront's defaults and the https-only policy; a
    /// name resolves to [`ORIGIN_ADDRESS`].
    pub(crate) fn for_origin(origin: &str) -> ObservationBuilder {
        let host = Host::parse(origin).expect("a host name or IP literal");
        let resolution = match &host {
            Host::Ip(literal) => Resolution::Literal(*literal),
            Host::Name(_) => Resolution::Resolved {
                addresses: vec![ip(ORIGIN_ADDRESS)],
                cname_chain: Vec::new(),
            },
        };
        ObservationBuilder {
            observation: Observation::new(Target::new(host), resolution),
            hellos: None,
            profile: Profile::default(),
            allowed: None,
        }
    }

    /// DNS answered these addresses (keeping any CNAME chain).
    pub(crate) fn resolved(mut self, addresses: &[&str]) -> Self {
        let addresses = addresses.iter().map(|a| ip(a)).collect();
        let cname_chain = self.cname_chain().to_vec();
        self.observation.resolution = Resolution::Resolved {
            addresses,
            cname_chain,
        };
        self
    }

    /// DNS followed these CNAMEs, in order (on the way to an answer or a failure).
    pub(crate) fn through_cnames<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        let names = names.iter().map(|n| n.as_ref().to_string()).collect();
        match &mut self.observation.resolution {
            Resolution::Resolved { cname_chain, .. } | Resolution::Failed { cname_chain, .. } => {
                *cname_chain = names
            }
            other => panic!("no CNAME chain for {other:?}"),
        }
        self
    }

    /// Resolution failed (keeping any CNAME chain).
    pub(crate) fn dns_failed(mut self, failure: DnsFailure) -> Self {
        let cname_chain = self.cname_chain().to_vec();
        self.observation.resolution = Resolution::Failed {
            failure,
            cname_chain,
        };
        self
    }

    /// `--resolve` gave these addresses.
    pub(crate) fn overridden(mut self, addresses: &[&str]) -> Self {
        self.observation.resolution =
            Resolution::Overridden(addresses.iter().map(|a| ip(a)).collect());
        self
    }

    /// These addresses were left out because the scope forbids them.
    pub(crate) fn out_of_scope(mut self, addresses: &[&str]) -> Self {
        self.observation.out_of_scope = addresses.iter().map(|a| ip(a)).collect();
        self
    }

    /// The target's OriginProtocolPolicy (otherwise `https-only`).
    pub(crate) fn policy(mut self, policy: ProtocolPolicy) -> Self {
        self.observation.target.policy = policy;
        self
    }

    /// The target's OriginReadTimeout (otherwise CloudFront's default, 30 s).
    pub(crate) fn read_timeout(mut self, timeout: Duration) -> Self {
        self.observation.target.read_timeout = timeout;
        self
    }

    /// The target's OriginKeepaliveTimeout (otherwise CloudFront's default, 5 s).
    pub(crate) fn keepalive_timeout(mut self, timeout: Duration) -> Self {
        self.observation.target.keepalive_timeout = timeout;
        self
    }

    /// The target's ResponseCompletionTimeout (otherwise none).
    pub(crate) fn response_completion_timeout(mut self, timeout: Duration) -> Self {
        self.observation.target.response_completion_timeout = Some(timeout);
        self
    }

    /// The origin came from this distribution's export.
    pub(crate) fn imported_from_distribution(mut self, id: &str) -> Self {
        self.observation.target.provenance.distribution_id = Some(id.to_string());
        self
    }

    /// An explicit SNI for CloudFront to send.
    pub(crate) fn sni(mut self, sni: &str) -> Self {
        self.observation.target.sni = Some(sni.to_string());
        self
    }

    /// The behaviors routing these aliases to the origin forward the viewer's Host.
    pub(crate) fn host_forwarded_for(mut self, aliases: &[&str]) -> Self {
        let target = &mut self.observation.target;
        target.host_forwarding = HostForwarding::Forwarded;
        target.aliases = aliases.iter().map(|a| a.to_string()).collect();
        self
    }

    /// The distribution has origin mTLS (`OriginMtlsConfig`): CloudFront presents a client
    /// certificate.
    pub(crate) fn origin_mtls(mut self) -> Self {
        self.observation.target.origin_mtls = Some(true);
        self
    }

    /// `--origin-client-cert` was given: presented to this origin when `offered`, withheld when
    /// not (an export's origin without OriginMtlsConfig).
    pub(crate) fn client_certificate(mut self, offered: bool) -> Self {
        self.observation.target.client_certificate = Some(offered);
        self
    }

    /// Host forwarding could not be told.
    pub(crate) fn host_forwarding_unknown(mut self, aliases: &[&str]) -> Self {
        let target = &mut self.observation.target;
        target.host_forwarding = HostForwarding::Unknown("a custom policy".into());
        target.aliases = aliases.iter().map(|a| a.to_string()).collect();
        self
    }

    /// Connecting to `address` (`ip:port`) gave `outcome`.
    pub(crate) fn connect_outcome(mut self, address: &str, outcome: ConnectOutcome) -> Self {
        let address: SocketAddr = address.parse().expect("ip:port");
        let https = address.port() == self.observation.target.https_port;
        self.observation.ports.push(PortObservation {
            address,
            https,
            outcome,
        });
        self
    }

    /// The HTTPS port of the first address connected in 5 ms.
    pub(crate) fn https_port_connected(self) -> Self {
        let address = self.https_address().to_string();
        let connected = ConnectOutcome::Connected {
            elapsed: Duration::from_millis(5),
            attempt: 1,
        };
        self.connect_outcome(&address, connected)
    }

    /// rustls's handshake on the HTTPS port completed, with `chain` served.
    pub(crate) fn tls_established(self, chain: Vec<CertificateDer<'static>>) -> Self {
        self.tls(TlsOutcome::Established {
            version: "TLSv1_3".into(),
            cipher_suite: "TLS13_AES_128_GCM_SHA256".into(),
            chain,
        })
    }

    /// rustls's handshake on the HTTPS port failed.
    pub(crate) fn tls_failed(self, failure: TlsFailure) -> Self {
        self.tls(TlsOutcome::Failed(failure))
    }

    fn tls(mut self, outcome: TlsOutcome) -> Self {
        self.observation.tls = Some(TlsObservation {
            address: self.https_address(),
            sni: self.observation.target.sni_name().map(str::to_string),
            outcome,
            elapsed: Duration::from_millis(20),
        });
        self
    }

    /// CloudFront's hellos were sent, in this order, and got these replies.
    pub(crate) fn cloudfront_hellos(mut self, hellos: &[(HelloPurpose, HelloReply)]) -> Self {
        self.hellos = Some(hellos.to_vec());
        self
    }

    /// The profile of CloudFront's hellos (default `2025`).
    pub(crate) fn cloudfront_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The distribution's OriginSslProtocols (otherwise the default is assumed).
    pub(crate) fn allowed_protocols(mut self, versions: &[TlsVersion]) -> Self {
        self.allowed = Some(versions.to_vec());
        self
    }

    /// Asked with another SNI (`None`: none), the origin served `chain` (`None`: the handshake
    /// failed).
    /// CloudFront's own handshake (s2n) gave `handshake`.
    pub(crate) fn cloudfront_handshake(
        mut self,
        handshake: crate::probe::cloudfront_tls::CloudFrontHandshake,
    ) -> Self {
        self.observation.cloudfront = Some(handshake);
        self
    }

    /// Under `2025-pq`: the post-quantum handshake that failed before the 2025 one completed.
    pub(crate) fn post_quantum_refused(
        mut self,
        handshake: crate::probe::cloudfront_tls::CloudFrontHandshake,
    ) -> Self {
        self.observation.post_quantum_refused = Some(handshake);
        self
    }

    pub(crate) fn sni_alternative(
        mut self,
        sni: Option<&str>,
        chain: Option<Vec<CertificateDer<'static>>>,
    ) -> Self {
        self.observation.sni_alternatives.push(SniAlternative {
            sni: sni.map(str::to_string),
            chain,
        });
        self
    }

    /// Asked with `alias` as SNI, the origin served `chain`: s2n completes the handshake when
    /// the leaf covers the alias, refuses the name when it does not, and fails otherwise (`None`
    /// or an empty chain, said as an untrusted chain).
    pub(crate) fn alias_certificate(
        self,
        alias: &str,
        chain: Option<Vec<CertificateDer<'static>>>,
    ) -> Self {
        let leaf = chain
            .as_ref()
            .and_then(|chain| chain.first())
            .and_then(|leaf| crate::certificate::CertFacts::parse(leaf));
        let handshake = match leaf {
            Some(leaf) if leaf.covers(alias) => AliasHandshake::Established,
            Some(_) => AliasHandshake::NameRefused,
            None => AliasHandshake::Failed("S2N_ERR_CERT_UNTRUSTED".into()),
        };
        self.alias_handshake(alias, handshake, chain)
    }

    /// CloudFront's handshake with `alias` ended as `handshake`, `chain` served.
    pub(crate) fn alias_handshake(
        mut self,
        alias: &str,
        handshake: AliasHandshake,
        chain: Option<Vec<CertificateDer<'static>>>,
    ) -> Self {
        self.observation.alias_certificates.push(AliasCertificate {
            alias: alias.to_string(),
            handshake,
            chain,
        });
        self
    }

    /// A `status` response on the policy's port, keep-alive, first byte after 50 ms.
    pub(crate) fn http_response(self, status: u16) -> Self {
        self.http(
            HttpOutcome::Response(HttpResponse {
                status,
                minor_version: 1,
                connection_close: false,
                keep_alive_timeout: None,
                body_bytes: 0,
                reusable: true,
                continues: 0,
                read_stop: None,
                last_byte_after: Duration::from_millis(50),
            }),
            Some(Duration::from_millis(50)),
        )
    }

    /// The last response's first byte came after `ttfb`.
    pub(crate) fn first_byte_after(mut self, ttfb: Duration) -> Self {
        self.last_exchange().ttfb = Some(ttfb);
        self
    }

    /// The scanner stopped reading the last response's body (`stop`), which had not ended.
    pub(crate) fn body_read_stopped(mut self, stop: ReadStop, body_bytes: u64) -> Self {
        let response = self.last_response();
        response.read_stop = Some(stop);
        response.body_bytes = body_bytes;
        response.reusable = false;
        self
    }

    /// The last response's last byte was read `after` the request (its end, or where the
    /// scanner stopped reading it).
    pub(crate) fn last_byte_after(mut self, after: Duration) -> Self {
        self.last_response().last_byte_after = after;
        self
    }

    /// The last response said `Connection: close`.
    pub(crate) fn closing_connection(mut self) -> Self {
        let response = self.last_response();
        response.connection_close = true;
        response.reusable = false;
        self
    }

    /// The last response said `Keep-Alive: timeout=<seconds>`.
    pub(crate) fn advertising_keep_alive(mut self, seconds: u64) -> Self {
        self.last_response().keep_alive_timeout = Some(seconds);
        self
    }

    /// The request on the policy's port got no response but `outcome`.
    pub(crate) fn http_failed(self, outcome: HttpOutcome) -> Self {
        assert!(
            !matches!(outcome, HttpOutcome::Response(_)),
            "use http_response"
        );
        self.http(outcome, None)
    }

    fn http(mut self, outcome: HttpOutcome, ttfb: Option<Duration>) -> Self {
        let target = &self.observation.target;
        let https = target.policy.uses_https();
        let address = SocketAddr::new(self.first_address(), target.primary_port());
        self.observation.http.push(HttpExchange {
            address,
            https,
            outcome,
            ttfb,
            protocol: crate::probe::http::HttpProtocol::Http11,
        });
        self
    }

    /// OriginHttpVersion `http2`: CloudFront offers `h2`, `http/1.1` with ALPN.
    pub(crate) fn http2_origin(mut self) -> Self {
        self.observation.target.http_version = crate::target::OriginHttpVersion::Http2;
        self
    }

    /// A gRPC behavior routes to the origin.
    pub(crate) fn grpc(mut self) -> Self {
        self.observation.target.grpc = true;
        self
    }

    /// CloudFront's handshake completed over `version`, the origin selecting `alpn`.
    pub(crate) fn cloudfront_established(
        mut self,
        version: TlsVersion,
        alpn: Option<&str>,
    ) -> Self {
        self.observation.cloudfront = Some(
            crate::probe::cloudfront_tls::CloudFrontHandshake::Established {
                policy: "CloudFront-Upstream-TLS-1-0-2025",
                version,
                cipher: "ECDHE-RSA-AES128-GCM-SHA256".into(),
                validated_chain: Vec::new(),
                sent_chain: None,
                elapsed: Duration::from_millis(5),
                client_cert_sent: false,
                alert_after: None,
                alpn: alpn.map(|p| p.as_bytes().to_vec()),
            },
        );
        self
    }

    /// The last exchange went over HTTP/2 (the origin selected `h2`).
    pub(crate) fn over_h2(mut self) -> Self {
        self.last_exchange().protocol = crate::probe::http::HttpProtocol::H2;
        self
    }

    /// The keep-alive idle probe gave `outcome`.
    pub(crate) fn idle(mut self, outcome: IdleOutcome) -> Self {
        self.observation.idle = Some(outcome);
        self
    }

    /// The observation, with the hellos given made into its [`Negotiation`] (each offering
    /// TLS 1.2, or TLS 1.3 for [`HelloPurpose::Tls13`]).
    pub(crate) fn build(mut self) -> Observation {
        if let Some(hellos) = self.hellos.take() {
            self.observation.negotiation = Some(Negotiation {
                address: self.https_address(),
                profile: self.profile,
                allowed_assumed: self.allowed.is_none(),
                allowed: self.allowed.take().unwrap_or(DEFAULT_ALLOWED.to_vec()),
                attempts: hellos
                    .into_iter()
                    .map(|(purpose, reply)| HelloAttempt {
                        purpose,
                        offered: match purpose {
                            HelloPurpose::Tls13 => TlsVersion::Tls13,
                            _ => TlsVersion::Tls12,
                        },
                        reply,
                    })
                    .collect(),
            });
        }
        self.observation
    }

    fn cname_chain(&self) -> &[String] {
        match &self.observation.resolution {
            Resolution::Resolved { cname_chain, .. } | Resolution::Failed { cname_chain, .. } => {
                cname_chain
            }
            _ => &[],
        }
    }

    /// The address the probes connect to: the first resolved, else [`ORIGIN_ADDRESS`].
    fn first_address(&self) -> IpAddr {
        let addresses = self.observation.resolution.addresses();
        addresses
            .first()
            .copied()
            .unwrap_or_else(|| ip(ORIGIN_ADDRESS))
    }

    fn https_address(&self) -> SocketAddr {
        SocketAddr::new(self.first_address(), self.observation.target.https_port)
    }

    fn last_exchange(&mut self) -> &mut HttpExchange {
        self.observation
            .http
            .last_mut()
            .expect("an HTTP exchange first")
    }

    fn last_response(&mut self) -> &mut HttpResponse {
        match &mut self.last_exchange().outcome {
            HttpOutcome::Response(response) => response,
            other => panic!("{other:?} is not a response"),
        }
    }
}

/// A chain of one self-signed certificate whose SAN lists `names` (the first is also its CN).
pub(crate) fn certificate_for(names: &[&str]) -> Vec<CertificateDer<'static>> {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names.clone()).expect("valid names");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, names[0].as_str());
    let key = rcgen::KeyPair::generate().expect("a key");
    let certificate = params.self_signed(&key).expect("a certificate");
    vec![certificate.der().clone()]
}

/// The codes of `findings`, in order.
pub(crate) fn codes(findings: &[Finding]) -> Vec<Code> {
    findings.iter().map(|f| f.code).collect()
}

/// The one finding in `findings` (fails the test if there are more or none).
pub(crate) fn single(findings: Vec<Finding>) -> Finding {
    assert_eq!(findings.len(), 1, "expected one finding: {findings:#?}");
    findings.into_iter().next().expect("one finding")
}
