//! `originscan lab`: run the simulated fleet until interrupted, for scans from another process.

use std::io::Write;
use std::time::Duration;

use super::{raise_fd_limit, wait_for_signal, CommandError};
use crate::cli::{LabArgs, LabNetworkArgs};
use crate::lab::fleet::FleetMix;
use crate::lab::{Lab, LabConfig};

/// Starts the lab, writes its files and the scan command, waits for Ctrl-C or SIGTERM, then
/// writes the DNS traffic it saw.
pub(crate) async fn run(args: &LabArgs) -> Result<(), CommandError> {
    raise_fd_limit();
    let lab = Lab::start(LabConfig {
        dns_port: args.dns_port,
        ..lab_config(args.count, args.block, args.hostile, args.network)
    })
    .await?;
    lab.write_files(&args.dir)?;
    println!("lab: {} origins; DNS at {}", args.count, lab.resolver);
    if lab.resolver.port() != 53 {
        println!(
            "lab: DNS on port {} (port 53 is taken or needs root); scan-args.txt passes --dns-port {}",
            lab.resolver.port(),
            lab.resolver.port()
        );
    }
    println!("files: {}", args.dir.display());
    println!(
        "scan it: originscan scan -i {} {}",
        args.dir.join("targets.csv").display(),
        lab.scan_args(&args.dir.join("ca.pem")).join(" ")
    );
    let _ = std::io::stdout().flush();
    wait_for_signal().await;
    lab.write_dns_traffic(&args.dir)?;
    lab.shutdown();
    Ok(())
}

/// The lab `demo` and `lab` start: `count` origins in block `block`, with the network flags.
pub(crate) fn lab_config(
    count: usize,
    block: u8,
    hostile: bool,
    network: LabNetworkArgs,
) -> LabConfig {
    LabConfig {
        count,
        block,
        mix: if hostile {
            FleetMix::Hostile
        } else {
            FleetMix::Standard
        },
        rtt: Duration::from_millis(network.rtt),
        shared_zones: network.zones as usize,
        ..LabConfig::default()
    }
}
