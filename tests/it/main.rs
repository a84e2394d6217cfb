//! The integration tests, in one binary (as ripgrep keeps them): each module runs the real
//! binary or the library against real sockets on loopback: the lab, and real peers nobody here
//! wrote (openssl s_server, nginx, NSD, chromium, xmllint, promtool, botocore, prometheus-client) where they are installed.

#[cfg(feature = "aws")]
mod aws_api;
mod cli;
mod cloudfront_import;
mod common;
mod container;
mod dns_walk;
mod hostile;
mod http2;
mod interrupt;
mod lab_distributions;
mod lab_scan;
mod latency;
mod limits;
mod memory;
mod nginx;
mod nightly;
mod nsd;
mod openmetrics;
mod openssl_peers;
mod origin_mtls;
mod origin_request;
mod output_safety;
mod peers;
mod readme;
mod report_formats;
mod s2n_peers;
mod scope;
mod workflows;
mod zone_sharing;
