//! Observations for the checks' unit tests, built from what the wire would have said.
//!
//! [`ObservationBuilder::for_origin`] starts from an origin resolved to [`ORIGIN_ADDRESS`] with
//! nothing else observed; each method adds one thing a probe would have seen. Every address is
//! from a documentation range (RFC 5737, RFC 3849) and nothing connects: these are plain values.

use crate::cloudfront::tls_profile::{Profile, TlsVersion, DEFAULT_ALLOWED};
use crate::finding::{Code, Finding};
use crate::probe::diagnostic_hellos::{HelloAttempt, HelloPurpose, HelloReply, Negotiation};
use crate::probe::dialer::ConnectOutcome;
use crate::probe::dns::{DnsFailure, Resolution};
use crate::probe::{Observation, PortObservation};
use crate::target::{Host, Target};
use std::net::{IpAddr, SocketAddr};

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

    /// The observation.
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
