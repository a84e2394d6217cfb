//! Probes observe an origin; they never judge it.
//!
//! [`OriginProber::observe`] runs, for one target: DNS (or the `--resolve` override), a TCP
//! connection to every port the protocol policy uses on every address (up to a bound), and a TLS
//! handshake on the first HTTPS connection. The result is an [`Observation`] that the checks turn
//! into findings.

pub mod dns;
pub mod tls;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::dialer::{ConnectOutcome, Dialer};
use crate::target::Target;
use dns::{DnsProbe, Resolution};
use tls::{TlsObservation, TlsProbe};

/// At most this many of an origin's addresses are connected to.
pub const MAX_ADDRESSES_PER_ORIGIN: usize = 8;

/// One connection attempt sequence to one address and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortObservation {
    /// Address and port.
    pub address: SocketAddr,
    /// Whether this is the HTTPS port.
    pub https: bool,
    /// What happened.
    pub outcome: ConnectOutcome,
}

/// Everything observed about one origin.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The target as scanned.
    pub target: Target,
    /// What DNS said.
    pub resolution: Resolution,
    /// Addresses left out because the scope forbids them (never connected to).
    pub out_of_scope: Vec<IpAddr>,
    /// Addresses beyond [`MAX_ADDRESSES_PER_ORIGIN`], not probed.
    pub not_probed: Vec<IpAddr>,
    /// Connections made, per address and port.
    pub ports: Vec<PortObservation>,
    /// The handshake on the first HTTPS connection, if any connected.
    pub tls: Option<TlsObservation>,
    /// Phase timings.
    pub timings: Timings,
}

/// How long each phase took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Resolution.
    pub dns: Option<Duration>,
    /// The first successful connection.
    pub connect: Option<Duration>,
    /// The handshake.
    pub tls: Option<Duration>,
    /// Time to the response's first byte.
    pub ttfb: Option<Duration>,
}

/// The probes the scan shares across origins.
#[derive(Debug, Clone)]
pub struct OriginProber {
    /// DNS.
    pub dns: Arc<DnsProbe>,
    /// TCP.
    pub dialer: Arc<Dialer>,
    /// TLS.
    pub tls: TlsProbe,
}

impl OriginProber {
    /// Observes one origin.
    pub async fn observe(&self, target: Target) -> Observation {
        let (resolution, dns_time) = self.dns.resolve(&target.origin).await;
        let mut observation = Observation {
            resolution,
            out_of_scope: Vec::new(),
            not_probed: Vec::new(),
            ports: Vec::new(),
            tls: None,
            timings: Timings {
                dns: Some(dns_time),
                ..Timings::default()
            },
            target,
        };
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
        let mut handshake_stream = None;
        for (port, https) in target.ports() {
            for ip in &addresses {
                let address = SocketAddr::new(*ip, port);
                let (outcome, connection) = self
                    .dialer
                    .connect(address, target.connect_timeout, target.connection_attempts)
                    .await;
                if let ConnectOutcome::Connected { elapsed, .. } = outcome {
                    observation.timings.connect.get_or_insert(elapsed);
                }
                if https && handshake_stream.is_none() {
                    handshake_stream = connection;
                }
                observation.ports.push(PortObservation {
                    address,
                    https,
                    outcome,
                });
            }
        }

        if let Some(connection) = handshake_stream {
            let (tls, _stream) = self
                .tls
                .handshake(connection.stream, target.sni_name(), target.connect_timeout)
                .await;
            observation.timings.tls = Some(tls.elapsed);
            observation.tls = Some(tls);
        }
        observation
    }
}
