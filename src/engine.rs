//! The scheduler: one task per origin, at most `--concurrency` in flight, each with a deadline,
//! results handed to the caller as they finish.
//!
//! A panicking probe or an origin that outlives its deadline still yields a row (with
//! SCAN_INTERNAL_ERROR or SCAN_DEADLINE_EXCEEDED): no target is ever lost. A shutdown signal
//! stops new work, aborts what is in flight, and the caller reports what finished.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::check::{self, CheckContext};
use crate::finding::{Code, Finding};
use crate::probe::OriginProber;
use crate::report::OriginReport;
use crate::target::Target;

/// Slack added to an origin's deadline beyond the sum of its own timeouts.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(5);

/// Probes and judges one origin at a time; shared by every task.
#[derive(Debug)]
pub struct Scanner {
    /// The probes.
    pub prober: OriginProber,
    /// What the checks need.
    pub context: CheckContext,
    /// Budget for DNS per origin (all queries, all attempts).
    pub dns_budget: Duration,
}

impl Scanner {
    /// The longest one origin may take: DNS, every connection attempt, the handshake, the read
    /// timeout, and a margin.
    pub fn deadline(&self, target: &Target) -> Duration {
        let connect = target.connect_timeout * u32::from(target.connection_attempts.max(1));
        self.dns_budget + connect + target.connect_timeout + target.read_timeout + DEADLINE_MARGIN
    }

    /// Scans one origin within its deadline.
    pub async fn scan(self: Arc<Self>, target: Target) -> OriginReport {
        let deadline = self.deadline(&target);
        let started = Instant::now();
        match tokio::time::timeout(deadline, self.prober.observe(target.clone())).await {
            Ok(observation) => {
                let findings = check::run(&observation, &self.context);
                OriginReport::new(&observation.target, findings, Some(&observation))
            }
            Err(_) => {
                let finding = Finding::new(
                    Code::SCAN_DEADLINE_EXCEEDED,
                    format!(
                        "probing did not finish within the origin's {} s deadline",
                        deadline.as_secs()
                    ),
                )
                .evidence("deadline_s", deadline.as_secs())
                .evidence("elapsed_ms", started.elapsed().as_millis() as u64);
                OriginReport::new(&target, vec![finding], None)
            }
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    /// Origins reported.
    pub reported: usize,
    /// Targets never reported because the run was interrupted.
    pub not_scanned: usize,
    /// Whether a shutdown signal stopped the run.
    pub interrupted: bool,
}

/// Scans every target with at most `concurrency` in flight, calling `on_report` as each
/// finishes. A `true` on `shutdown` stops the run.
pub async fn run(
    scanner: Arc<Scanner>,
    targets: Vec<Target>,
    concurrency: usize,
    mut shutdown: watch::Receiver<bool>,
    mut on_report: impl FnMut(OriginReport),
) -> RunOutcome {
    let total = targets.len();
    let concurrency = concurrency.max(1);
    let mut pending = targets.into_iter();
    let mut tasks: JoinSet<OriginReport> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, Target> = HashMap::new();
    let mut outcome = RunOutcome::default();
    let mut listening = true;
    loop {
        while !outcome.interrupted && tasks.len() < concurrency {
            let Some(target) = pending.next() else { break };
            let handle = tasks.spawn(scanner.clone().scan(target.clone()));
            in_flight.insert(handle.id(), target);
        }
        if tasks.is_empty() {
            break;
        }
        tokio::select! {
            changed = shutdown.changed(), if listening && !outcome.interrupted => {
                if changed.is_err() {
                    listening = false; // nobody can signal any more
                } else if *shutdown.borrow() {
                    outcome.interrupted = true;
                    tasks.abort_all();
                }
            }
            Some(joined) = tasks.join_next_with_id() => match joined {
                Ok((id, report)) => {
                    in_flight.remove(&id);
                    outcome.reported += 1;
                    on_report(report);
                }
                Err(error) if error.is_panic() => {
                    if let Some(target) = in_flight.remove(&error.id()) {
                        let finding = Finding::new(
                            Code::SCAN_INTERNAL_ERROR,
                            "originscan failed internally while probing this origin",
                        )
                        .evidence("error", "task panicked");
                        outcome.reported += 1;
                        on_report(OriginReport::new(&target, vec![finding], None));
                    }
                }
                Err(error) => {
                    in_flight.remove(&error.id());
                }
            },
        }
    }
    outcome.not_scanned = total - outcome.reported;
    outcome
}
