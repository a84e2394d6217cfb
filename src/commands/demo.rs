//! `originscan demo`: start the lab in this process, scan it through the same entry point as
//! `scan`, and compare the findings with the lab's ground truth.

use super::scan::{self, ScanResult};
use super::{raise_fd_limit, CommandError};
use crate::cli::settings::UsageError;
use crate::cli::{DemoArgs, DEFAULT_DNS_TIMEOUT_SECS};
use crate::lab::{truth_mismatches, Lab};
use crate::probe::dns_politeness::DEFAULT_RESOLVER_RATE;

/// Descriptors kept for the scan's own needs beside the lab's.
const SCAN_FD_RESERVE: u64 = 128;

/// Starts the lab, scans it, prints how many origins equal the ground truth.
pub(crate) async fn run(args: DemoArgs) -> Result<ScanResult, CommandError> {
    #[cfg(feature = "aws")]
    let aws = args.scan.aws.aws;
    #[cfg(not(feature = "aws"))]
    let aws = false;
    if !args.scan.targets.is_empty() || !args.scan.inputs.is_empty() || aws {
        return Err(UsageError {
            flag: "demo",
            message: "the demo scans its own lab; give no targets, --input or --aws".into(),
        }
        .into());
    }
    let fd_limit = raise_fd_limit();
    let lab_fds = args.count as u64 * 2 + 64;
    if lab_fds + SCAN_FD_RESERVE > fd_limit {
        return Err(UsageError {
            flag: "--count",
            message: format!(
                "a lab of {} origins needs about {lab_fds} open files; the limit is {fd_limit}",
                args.count
            ),
        }
        .into());
    }
    let lab = Lab::start(super::lab::lab_config(
        args.count,
        1,
        args.hostile,
        args.network,
    ))
    .await?;
    let dir = std::env::temp_dir().join(format!("originscan-demo-{}", std::process::id()));
    lab.write_files(&dir)?;
    eprintln!(
        "originscan demo: lab of {} origins on 127.1.0.0/16, DNS at {}, files in {}",
        args.count,
        lab.resolver,
        dir.display()
    );
    let mut scan_args = args.scan;
    scan_args.inputs = vec![dir.join("targets.csv").display().to_string()];
    scan_args.resolvers = vec![lab.resolver.to_string()];
    scan_args.dns_port = lab.resolver.port();
    scan_args.ca_files.push(dir.join("ca.pem"));
    scan_args.allow_private = Some(vec!["127.0.0.0/8".into()]);
    if scan_args.resolver_rate == DEFAULT_RESOLVER_RATE {
        // The lab's resolver is in this process: politeness towards it would only slow the demo.
        scan_args.resolver_rate = 10_000;
    }
    if scan_args.dns_timeout == DEFAULT_DNS_TIMEOUT_SECS {
        // The lab answers at once or never: waiting the default for a silent name is waste.
        scan_args.dns_timeout = 1.0;
        scan_args.dns_attempts = 1;
    }
    let result = scan::run(scan_args, lab_fds, true).await;
    let mismatches = result
        .as_ref()
        .map(|r| truth_mismatches(&r.report, &lab.truth))
        .unwrap_or_default();
    if result.is_ok() {
        eprintln!(
            "originscan demo: {} of {} origins match the lab's ground truth exactly",
            lab.truth.len() - mismatches.len(),
            lab.truth.len()
        );
    }
    for (origin, expected, reported) in mismatches {
        eprintln!("  {origin}: expected {expected:?}, reported {reported:?}");
    }
    lab.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
