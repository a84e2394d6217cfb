//! The lab: a simulated fleet of origins on loopback, each with a known pathology, the DNS that
//! serves their names, and the ground truth of what a scan must find.
//!
//! Origins live on distinct addresses of `127.B.0.0/16` (B = `--block`, default 1), each on a
//! free port (so labs never collide and no privilege is needed). DNS ([`dns`]) listens on one
//! port, 53 when the process may bind it, else one chosen at start: a resolver-like server on
//! `127.53.B.1` (the scan's `--resolver`) and the authoritative servers of each lab zone on
//! `127.53.B.x` and `127.54.B.x` (the scan's `--dns-port` names the port when it is not 53).
//! `--rtt` delays every reply flight ([`delay`]); `--zones` spreads the ordinary origins over
//! that many extra four-server zones. [`Lab::start`] runs everything in the current tokio
//! runtime until the returned [`Lab`] is dropped.

pub mod ca;
pub mod delay;
pub mod dns;
pub mod export;
pub mod fleet;
pub mod servers;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use ca::LabCa;
use fleet::{FleetMix, Pathology, ServerKind, DNS_NETWORKS, MAX_SHARED_ZONES};

/// Why the lab could not start.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// An address could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The loopback address and port (port 0: any free one).
        addr: SocketAddr,
        /// The operating system's error (e.g. the address is in use).
        #[source]
        source: std::io::Error,
    },
    /// Certificate generation failed.
    #[error("cannot generate lab certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    /// TLS configuration failed.
    #[error("cannot configure a lab TLS server: {0}")]
    Tls(#[from] rustls::Error),
    /// Other I/O.
    #[error("lab I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Writing the lab's files failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file written, or the directory when it could not be created.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Any other setup failure, in words (e.g. a block taken by the lab's DNS).
    #[error("lab setup: {0}")]
    Setup(String),
}

/// How big a lab, and where.
#[derive(Debug, Clone, Copy, Default)]
pub struct LabConfig {
    /// Number of origins: fleet members 0 to count - 1, each with the mix's next pathology.
    pub count: usize,
    /// Second octet of the origin block 127.B.0.0/16.
    pub block: u8,
    /// Which pathologies the fleet cycles through.
    pub mix: FleetMix,
    /// Simulated round-trip time: every reply flight of every origin and DNS server waits this
    /// long ([`delay::Delayed`]).
    pub rtt: std::time::Duration,
    /// Extra healthy zones, four name servers each, that the fleet's ordinary origins are
    /// spread over (0: they all sit in `lab.test`).
    pub shared_zones: usize,
    /// The DNS port: `None` tries 53 and falls back to a free port.
    pub dns_port: Option<u16>,
    /// Record every accept's time and each origin's open connections ([`servers::Accepts`]).
    pub audit: bool,
}

/// One origin of the lab and what a scan must report for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthEntry {
    /// The origin's lab DNS name, e.g. `o4-expired.lab.test`.
    pub origin: String,
    /// The port a report shows for it ([`LabTarget::primary_port`]).
    pub port: u16,
    /// The pathology's slug.
    pub pathology: String,
    /// Expected finding codes, sorted.
    pub expected: Vec<String>,
    /// The addresses the lab's DNS gives for it (empty when DNS fails on purpose).
    #[serde(default)]
    pub addresses: Vec<IpAddr>,
}

/// One row of targets.csv.
#[derive(Debug, Clone)]
pub struct LabTarget {
    /// The origin's lab DNS name, e.g. `o4-expired.lab.test`.
    pub origin: String,
    /// The `https_port` column: the free port the origin's listener got (an http-only
    /// origin's only listener, so also its `http_port`).
    pub port: u16,
    /// HTTP port, when the policy uses it.
    pub http_port: Option<u16>,
    /// Protocol policy, when not https-only.
    pub policy: Option<&'static str>,
    /// The Host header forwarded to it (`wwwN.customer.test`), for the Host pathologies.
    pub host_header: Option<String>,
    /// (connect_timeout, connection_attempts) overrides.
    pub connection: Option<(u64, u8)>,
    /// OriginReadTimeout override, in seconds (2 for the slow-response pathologies).
    pub read_timeout: Option<u64>,
    /// OriginHttpVersion override (`http2` for `h2-broken`).
    pub http_version: Option<&'static str>,
    /// Connections the origin's listeners accepted.
    pub accepts: servers::Accepts,
}

impl LabTarget {
    /// The port a report shows for this target.
    pub fn primary_port(&self) -> u16 {
        match self.policy {
            Some("http-only") => self.http_port.unwrap_or(self.port),
            _ => self.port,
        }
    }
}

/// A running lab. Dropping it stops every server.
pub struct Lab {
    /// The resolver's address (for `--resolver`).
    pub resolver: SocketAddr,
    /// The port of every lab DNS server (for `--dns-port`).
    pub dns_port: u16,
    /// The lab root CA, PEM (for `--ca-file`).
    pub ca_pem: String,
    /// One per origin, in fleet order: the rows of targets.csv.
    pub targets: Vec<LabTarget>,
    /// What a scan must report for each origin, in the same order as `targets`.
    pub truth: Vec<TruthEntry>,
    tasks: JoinSet<()>,
    dns: dns::LabDns,
    audit: Option<servers::ConnectionAudit>,
    _keep: Vec<TcpStream>,
    _parked: Vec<TcpListener>,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("resolver", &self.resolver)
            .field("origins", &self.targets.len())
            .finish()
    }
}

/// Hands out 127.B.x.y addresses, skipping .0 and .255.
struct AddressPool {
    block: u8,
    next: u32,
}

impl AddressPool {
    fn next(&mut self) -> Result<IpAddr, LabError> {
        loop {
            let n = self.next;
            self.next += 1;
            let (hi, lo) = (n / 256, n % 256);
            if hi > 255 {
                return Err(LabError::Setup("the lab's /16 block is full".into()));
            }
            if lo == 0 || lo == 255 {
                continue;
            }
            return Ok(IpAddr::V4(Ipv4Addr::new(
                127, self.block, hi as u8, lo as u8,
            )));
        }
    }
}

impl Lab {
    /// Binds every origin's listeners and the lab's DNS servers on loopback, and starts
    /// serving; fails on a block the DNS uses or too many shared zones.
    pub async fn start(config: LabConfig) -> Result<Lab, LabError> {
        if config.block == 0 || DNS_NETWORKS.contains(&config.block) {
            return Err(LabError::Setup(format!(
                "block {} is taken by the lab's DNS (127.53.x.x, 127.54.x.x) or 127.0.x.x",
                config.block
            )));
        }
        if config.shared_zones > MAX_SHARED_ZONES {
            return Err(LabError::Setup(format!(
                "at most {MAX_SHARED_ZONES} shared zones, not {}",
                config.shared_zones
            )));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let ca = LabCa::generate()?;
        let zone_plans = fleet::zone_plans(config.shared_zones);
        let mut zone = dns::lab_zones(&zone_plans, config.block)?;
        let audit = config.audit.then(servers::ConnectionAudit::new);
        let mut pool = AddressPool {
            block: config.block,
            next: 1,
        };
        let mut tasks = JoinSet::new();
        let mut keep = Vec::new();
        let mut parked = Vec::new();
        let mut targets = Vec::with_capacity(config.count);
        let mut truth = Vec::with_capacity(config.count);

        // Addresses first, so that the slow part (filling the accept queues of filtered
        // origins) runs for all of them at once.
        let mut plan = Vec::with_capacity(config.count);
        for index in 0..config.count {
            let pathology = Pathology::for_index(index, config.mix);
            let mut addresses = vec![pool.next()?];
            if pathology == Pathology::SomeAddressesDown {
                addresses.push(pool.next()?); // a second address, with nothing on the port
            }
            plan.push((pathology, addresses));
        }
        let filtered_at: Vec<(usize, IpAddr)> = plan
            .iter()
            .enumerate()
            .filter(|(_, (p, _))| *p == Pathology::Filtered)
            .map(|(i, (_, addresses))| (i, addresses[0]))
            .collect();
        let filled =
            futures::future::join_all(filtered_at.iter().map(|(_, ip)| servers::filtered(*ip)))
                .await;
        let mut filtered = std::collections::HashMap::new();
        for ((index, _), result) in filtered_at.iter().zip(filled) {
            filtered.insert(*index, result?);
        }

        let mut movable = 0usize;
        for (index, (pathology, addresses)) in plan.into_iter().enumerate() {
            // Movable origins go round the shared zones in turn.
            let shared_zone = (config.shared_zones > 0 && pathology.is_movable()).then(|| {
                movable += 1;
                (movable - 1) % config.shared_zones
            });
            let origin = pathology.origin_name(index, shared_zone);
            let ip = addresses[0];
            let mut http_port = None;
            let accepts = servers::Accepts::new(audit.clone());
            let serving = servers::Serving {
                accepts: accepts.clone(),
                rtt: config.rtt,
            };
            let port = match pathology.server(index, &origin) {
                ServerKind::None => servers::closed_port(ip).await?,
                ServerKind::Closed => servers::closed_port(ip).await?,
                ServerKind::Filtered => {
                    let (port, listener, fillers) = filtered
                        .remove(&index)
                        .ok_or_else(|| LabError::Setup("filtered origin not prepared".into()))?;
                    parked.push(listener);
                    keep.extend(fillers);
                    port
                }
                ServerKind::Tls13(spec) => {
                    let served = ca.leaf(&spec)?;
                    let config = ServerConfig::builder_with_provider(provider.clone())
                        .with_protocol_versions(&[&rustls::version::TLS13])?
                        .with_no_client_auth()
                        .with_single_cert(served.chain, served.key)?;
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_tls(
                        &mut tasks,
                        listener,
                        serving.clone(),
                        Arc::new(config),
                        fleet::HttpBehaviour::Healthy,
                    );
                    port
                }
                ServerKind::S2n {
                    spec,
                    policy,
                    behaviour,
                } => {
                    let config = s2n_config(&ca, &spec, policy)?;
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_s2n(&mut tasks, listener, serving.clone(), config, behaviour);
                    port
                }
                ServerKind::SmallHellosOnly(spec) => {
                    let config = tls_config(&ca, &spec, &provider)?;
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_tls_to_small_hellos(
                        &mut tasks,
                        listener,
                        serving.clone(),
                        config,
                    );
                    port
                }
                ServerKind::H2Advertised(spec) => {
                    let mut config = (*tls_config(&ca, &spec, &provider)?).clone();
                    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_tls(
                        &mut tasks,
                        listener,
                        serving.clone(),
                        Arc::new(config),
                        fleet::HttpBehaviour::Healthy,
                    );
                    port
                }
                ServerKind::Tls(spec, behaviour) => {
                    let config = tls_config(&ca, &spec, &provider)?;
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_tls(&mut tasks, listener, serving.clone(), config, behaviour);
                    port
                }
                ServerKind::Plain(behaviour) => {
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_plain(&mut tasks, listener, serving.clone(), behaviour);
                    http_port = Some(port);
                    port
                }
                ServerKind::MatchViewer(spec) => {
                    let config = tls_config(&ca, &spec, &provider)?;
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_tls(
                        &mut tasks,
                        listener,
                        serving.clone(),
                        config,
                        fleet::HttpBehaviour::Healthy,
                    );
                    let plain = servers::bind(ip, 0).await?;
                    http_port = Some(plain.local_addr()?.port());
                    servers::serve_plain(
                        &mut tasks,
                        plain,
                        serving.clone(),
                        fleet::HttpBehaviour::Healthy,
                    );
                    port
                }
                ServerKind::PlainHttp => {
                    start_with(&mut tasks, ip, &serving, servers::serve_plain_http).await?
                }
                ServerKind::Banner(banner) => {
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_banner(&mut tasks, listener, serving.clone(), banner);
                    port
                }
                ServerKind::Alert => {
                    let port = start_with(&mut tasks, ip, &serving, servers::serve_alert).await?;
                    if pathology.policy() == Some("http-only") {
                        http_port = Some(port);
                    }
                    port
                }
                ServerKind::Raw(behaviour) => {
                    let listener = servers::bind(ip, 0).await?;
                    let port = listener.local_addr()?.port();
                    servers::serve_raw(&mut tasks, listener, serving.clone(), behaviour);
                    if pathology.policy() == Some("http-only") {
                        http_port = Some(port);
                    }
                    port
                }
                ServerKind::CloseAfterAccept => {
                    start_with(&mut tasks, ip, &serving, servers::serve_close).await?
                }
            };
            zone.add_origin(&origin, pathology.dns(), &addresses)?;
            let target = LabTarget {
                origin: origin.clone(),
                port,
                http_port,
                policy: pathology.policy(),
                host_header: pathology.host_header(index),
                connection: pathology.connection_settings(),
                read_timeout: pathology.read_timeout(),
                http_version: pathology.http_version(),
                accepts,
            };
            truth.push(TruthEntry {
                origin,
                port: target.primary_port(),
                pathology: pathology.slug().to_string(),
                addresses: match pathology.dns() {
                    fleet::DnsBehaviour::Address
                    | fleet::DnsBehaviour::CnameChain {
                        dangling: false, ..
                    } => addresses.clone(),
                    _ => Vec::new(),
                },
                expected: {
                    let mut codes: Vec<String> = pathology
                        .expected()
                        .iter()
                        .map(|c| c.as_str().to_string())
                        .collect();
                    codes.sort();
                    codes
                },
            });
            targets.push(target);
        }

        let dns_options = dns::DnsOptions {
            port: config.dns_port,
            rtt: config.rtt,
        };
        let dns = dns::start(config.block, zone, &zone_plans, dns_options).await?;
        Ok(Lab {
            resolver: dns.resolver,
            dns_port: dns.port,
            dns,
            ca_pem: ca.root_pem(),
            targets,
            truth,
            tasks,
            audit,
            _keep: keep,
            _parked: parked,
        })
    }

    /// targets.csv content: a header row, then one row per target in fleet order, each with
    /// the lab's OriginKeepaliveTimeout ([`fleet::LAB_KEEPALIVE_TIMEOUT`]).
    pub fn targets_csv(&self) -> String {
        let mut out = String::from(
            "origin,protocol_policy,https_port,http_port,host_header,connect_timeout,connection_attempts,read_timeout,keepalive_timeout,origin_http_version\n",
        );
        let text = |v: Option<String>| v.unwrap_or_default();
        for t in &self.targets {
            let (timeout, attempts) = t
                .connection
                .map(|(t, a)| (t.to_string(), a.to_string()))
                .unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                t.origin,
                t.policy.unwrap_or("https-only"),
                t.port,
                text(t.http_port.map(|p| p.to_string())),
                text(t.host_header.clone()),
                timeout,
                attempts,
                text(t.read_timeout.map(|r| r.to_string())),
                fleet::LAB_KEEPALIVE_TIMEOUT,
                t.http_version.unwrap_or_default(),
            ));
        }
        out
    }

    /// The scan options that point a scan at this lab (besides `-i targets.csv`).
    pub fn scan_args(&self, ca_path: &Path) -> Vec<String> {
        let mut args: Vec<String> = vec![
            "--resolver".into(),
            self.resolver.to_string(),
            "--ca-file".into(),
            ca_path.display().to_string(),
            "--allow-private".into(),
            "127.0.0.0/8".into(),
            "--dns-timeout".into(),
            "1".into(),
            "--dns-attempts".into(),
            "1".into(),
        ];
        if self.dns_port != 53 {
            args.extend(["--dns-port".into(), self.dns_port.to_string()]);
        }
        args
    }

    /// The time of every connection the lab's origins accepted, since the lab started, in
    /// order (empty unless [`LabConfig::audit`]).
    pub fn accept_times(&self) -> Vec<std::time::Duration> {
        self.audit
            .as_ref()
            .map(servers::ConnectionAudit::accept_times)
            .unwrap_or_default()
    }

    /// What each lab DNS server received so far (queries, peak per second).
    pub fn dns_traffic(&self) -> Vec<dns::ServerTraffic> {
        self.dns.log.traffic()
    }

    /// Writes targets.csv, truth.json, ca.pem, resolver.txt and scan-args.txt into `dir`.
    pub fn write_files(&self, dir: &Path) -> Result<(), LabError> {
        let write = |name: &str, content: String| {
            let path = dir.join(name);
            std::fs::write(&path, content).map_err(|source| LabError::Write { path, source })
        };
        std::fs::create_dir_all(dir).map_err(|source| LabError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        write("targets.csv", self.targets_csv())?;
        write(
            "truth.json",
            serde_json::to_string_pretty(&self.truth)
                .map_err(|e| LabError::Setup(e.to_string()))?
                + "\n",
        )?;
        let (export, export_truth) = export::list_distributions(&self.targets, &self.truth);
        write(
            "distributions.json",
            serde_json::to_string_pretty(&export).map_err(|e| LabError::Setup(e.to_string()))?
                + "\n",
        )?;
        write(
            "distributions-truth.json",
            serde_json::to_string_pretty(&export_truth)
                .map_err(|e| LabError::Setup(e.to_string()))?
                + "\n",
        )?;
        write("ca.pem", self.ca_pem.clone())?;
        write("resolver.txt", format!("{}\n", self.resolver))?;
        write(
            "scan-args.txt",
            self.scan_args(&dir.join("ca.pem")).join(" ") + "\n",
        )?;
        Ok(())
    }

    /// Writes `dns-traffic.json` into `dir`: the queries each lab DNS server received and its
    /// busiest second, with the totals (for the fleet benchmark's queries per origin).
    pub fn write_dns_traffic(&self, dir: &Path) -> Result<(), LabError> {
        let servers = self.dns_traffic();
        let queries: usize = servers.iter().map(|s| s.queries).sum();
        let summary = serde_json::json!({
            "origins": self.targets.len(),
            "queries": queries,
            "queries_per_origin": queries as f64 / self.targets.len().max(1) as f64,
            "peak_per_second": servers.iter().map(|s| s.peak_per_second).max().unwrap_or(0),
            "servers": servers,
        });
        let path = dir.join("dns-traffic.json");
        let text =
            serde_json::to_string_pretty(&summary).map_err(|e| LabError::Setup(e.to_string()))?;
        std::fs::write(&path, text + "\n").map_err(|source| LabError::Write { path, source })
    }

    /// Aborts every origin server's task (the DNS servers stop when the lab is dropped, here).
    pub fn shutdown(mut self) {
        self.tasks.abort_all();
    }
}

fn tls_config(
    ca: &LabCa,
    spec: &ca::LeafSpec,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<ServerConfig>, LabError> {
    let served = ca.leaf(spec)?;
    let config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(served.chain, served.key)?;
    Ok(Arc::new(config))
}

/// An s2n-tls server config for `spec`'s chain under the s2n security `policy`.
fn s2n_config(
    ca: &LabCa,
    spec: &ca::LeafSpec,
    policy: &str,
) -> Result<s2n_tls::config::Config, LabError> {
    use crate::probe::cloudfront_tls::pem_block;
    let served = ca.leaf(spec)?;
    let chain: String = served
        .chain
        .iter()
        .map(|der| pem_block("CERTIFICATE", der))
        .collect();
    let key = pem_block("PRIVATE KEY", served.key.secret_der());
    let setup = |e: s2n_tls::error::Error| LabError::Setup(format!("s2n server ({policy}): {e}"));
    let mut builder = s2n_tls::config::Builder::new();
    builder
        .set_security_policy(&s2n_tls::security::Policy::from_version(policy).map_err(setup)?)
        .map_err(setup)?;
    builder
        .load_pem(chain.as_bytes(), key.as_bytes())
        .map_err(setup)?;
    builder.set_max_blinding_delay(0).map_err(setup)?;
    builder.build().map_err(setup)
}

async fn start_with(
    tasks: &mut JoinSet<()>,
    ip: IpAddr,
    serving: &servers::Serving,
    serve: fn(&mut JoinSet<()>, TcpListener, servers::Serving),
) -> Result<u16, LabError> {
    let listener = servers::bind(ip, 0).await?;
    let port = listener.local_addr()?.port();
    serve(tasks, listener, serving.clone());
    Ok(port)
}

/// The origins whose reported codes differ from the truth: (origin, expected, reported).
pub fn truth_mismatches(
    report: &crate::report::Report,
    truth: &[TruthEntry],
) -> Vec<(String, Vec<String>, Option<Vec<String>>)> {
    truth
        .iter()
        .filter_map(|entry| {
            let reported = report
                .origins
                .iter()
                .find(|o| o.origin == entry.origin && o.port == entry.port)
                .map(|o| {
                    let mut codes: Vec<String> = o.codes().iter().map(|c| c.to_string()).collect();
                    codes.sort();
                    codes
                });
            (reported.as_ref() != Some(&entry.expected))
                .then(|| (entry.origin.clone(), entry.expected.clone(), reported))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dns_listens_on_port_53_when_the_process_may_bind_it() {
        let privileged = std::net::UdpSocket::bind("127.53.7.1:53").is_ok();
        let lab = Lab::start(LabConfig {
            count: 2,
            block: 7,
            ..LabConfig::default()
        })
        .await
        .expect("lab starts");
        let args = lab.scan_args(Path::new("ca.pem"));
        let names_port = args.iter().any(|a| a == "--dns-port");
        if privileged {
            assert_eq!(lab.dns_port, 53);
            assert!(!names_port, "port 53 needs no --dns-port: {args:?}");
        } else {
            assert_ne!(lab.dns_port, 53);
            assert!(names_port, "the scan must be told the port: {args:?}");
        }
        assert_eq!(lab.resolver.port(), lab.dns_port);
    }

    #[tokio::test]
    async fn dns_port_can_be_chosen() {
        let free = std::net::UdpSocket::bind("127.53.8.1:0")
            .and_then(|s| s.local_addr())
            .expect("a free port")
            .port();
        let lab = Lab::start(LabConfig {
            count: 2,
            block: 8,
            dns_port: Some(free),
            ..LabConfig::default()
        })
        .await
        .expect("lab starts");
        assert_eq!(lab.dns_port, free);
        let args = lab.scan_args(Path::new("ca.pem"));
        assert!(args
            .windows(2)
            .any(|w| w[0] == "--dns-port" && w[1] == free.to_string()));
    }

    #[tokio::test]
    async fn shared_zones_hold_the_ordinary_origins_and_are_capped() {
        let lab = Lab::start(LabConfig {
            count: 20,
            block: 9,
            shared_zones: 4,
            ..LabConfig::default()
        })
        .await
        .expect("lab starts");
        let in_shared = lab
            .truth
            .iter()
            .filter(|t| (0..4).any(|k| t.origin.ends_with(&format!(".z{k}.lab.test"))))
            .count();
        assert!(
            in_shared >= 8,
            "{in_shared} of 20 origins in the shared zones"
        );
        let too_many = Lab::start(LabConfig {
            count: 1,
            block: 10,
            shared_zones: fleet::MAX_SHARED_ZONES + 1,
            ..LabConfig::default()
        })
        .await;
        assert!(matches!(too_many, Err(LabError::Setup(_))));
    }
}
