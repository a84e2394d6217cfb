//! The scheduler: one task per origin, at most `--concurrency` in flight, each with a deadline,
//! results handed to the caller as they finish.
//!
//! The keep-alive idle probe parks a connection for OriginKeepaliveTimeout: parked connections
//! wait in a second task set that does not count against `--concurrency` (a parked socket costs
//! a descriptor and a few KB, not a slot), so the idle wait does not multiply scan time.
//!
//! A panicking probe or an origin that outlives its deadline still yields a row (with
//! SCAN_INTERNAL_ERROR or SCAN_DEADLINE_EXCEEDED): no target is ever lost. A shutdown signal
//! stops new work, aborts what is in flight, and the caller reports what finished (a parked
//! origin is reported without its idle result).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::check::{self, CheckContext};
use crate::finding::{Code, Finding};
use crate::probe::{Observation, OriginProber, Parked};
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
    /// The longest one origin may take before the idle probe: DNS, every connection attempt
    /// (ports and addresses are tried at once), the handshake, two responses' read budgets (HTTPS
    /// and HTTP ports), and a margin.
    pub fn deadline(&self, target: &Target) -> Duration {
        let connect = target.connect_timeout * u32::from(target.connection_attempts.max(1));
        self.dns_budget
            + connect
            + target.connect_timeout
            + target.read_timeout * 4
            + DEADLINE_MARGIN
    }

    /// Judges an observation.
    pub fn report(&self, observation: &Observation) -> OriginReport {
        let findings = check::run(observation, &self.context);
        OriginReport::new(&observation.target, findings, Some(observation))
    }

    /// Scans one origin within its deadline; a parked connection comes back for the idle probe.
    pub async fn scan(self: Arc<Self>, target: Target) -> Scanned {
        let deadline = self.deadline(&target);
        let started = Instant::now();
        // The probes' state is kilobytes (handshakes, readers): boxed here, once, it is not
        // part of the task's future, which tokio moves several times while spawning it.
        let observing = Box::pin(self.prober.observe(target.clone()));
        match tokio::time::timeout(deadline, observing).await {
            Ok((observation, Some(parked))) => Scanned::Parked(Box::new(observation), parked),
            Ok((observation, None)) => Scanned::Done(Box::new(self.report(&observation))),
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
                Scanned::Done(Box::new(OriginReport::new(&target, vec![finding], None)))
            }
        }
    }

    /// Runs the idle probe on a parked connection, then judges the whole observation.
    pub async fn finish_idle(
        self: Arc<Self>,
        mut observation: Observation,
        parked: Parked,
    ) -> OriginReport {
        let budget = parked.budget() + DEADLINE_MARGIN;
        if let Ok(idle) = tokio::time::timeout(budget, parked.run()).await {
            observation.idle = Some(idle);
        }
        self.report(&observation)
    }
}

/// What scanning one origin gave.
#[derive(Debug)]
pub enum Scanned {
    /// The report.
    Done(Box<OriginReport>),
    /// Everything but the idle probe, which is to run on the parked connection.
    Parked(Box<Observation>, Parked),
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
    let mut tasks: JoinSet<Scanned> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, Target> = HashMap::new();
    let mut idling: JoinSet<OriginReport> = JoinSet::new();
    let mut parked: HashMap<tokio::task::Id, Observation> = HashMap::new();
    let mut outcome = RunOutcome::default();
    let mut listening = true;
    let mut deliver = |report: OriginReport, outcome: &mut RunOutcome| {
        outcome.reported += 1;
        on_report(report);
    };
    loop {
        while !outcome.interrupted && tasks.len() < concurrency {
            let Some(target) = pending.next() else { break };
            let handle = tasks.spawn(scanner.clone().scan(target.clone()));
            in_flight.insert(handle.id(), target);
        }
        if tasks.is_empty() && idling.is_empty() {
            break;
        }
        tokio::select! {
            changed = shutdown.changed(), if listening && !outcome.interrupted => {
                if changed.is_err() {
                    listening = false; // nobody can signal any more
                } else if *shutdown.borrow() {
                    outcome.interrupted = true;
                    tasks.abort_all();
                    idling.abort_all();
                }
            }
            Some(joined) = tasks.join_next_with_id() => match joined {
                Ok((id, Scanned::Done(report))) => {
                    in_flight.remove(&id);
                    deliver(*report, &mut outcome);
                }
                Ok((id, Scanned::Parked(observation, connection))) => {
                    in_flight.remove(&id);
                    let handle = idling.spawn(scanner.clone().finish_idle((*observation).clone(), connection));
                    parked.insert(handle.id(), *observation);
                }
                Err(error) => {
                    if let Some(target) = in_flight.remove(&error.id()) {
                        if error.is_panic() {
                            deliver(internal_error(&target), &mut outcome);
                        }
                    }
                }
            },
            Some(joined) = idling.join_next_with_id() => match joined {
                Ok((id, report)) => {
                    parked.remove(&id);
                    deliver(report, &mut outcome);
                }
                Err(error) => {
                    // Interrupted or panicked while idle: report what was observed before.
                    if let Some(observation) = parked.remove(&error.id()) {
                        deliver(scanner.report(&observation), &mut outcome);
                    }
                }
            },
        }
    }
    outcome.not_scanned = total - outcome.reported;
    outcome
}

fn internal_error(target: &Target) -> OriginReport {
    let finding = Finding::new(
        Code::SCAN_INTERNAL_ERROR,
        "originscan failed internally while probing this origin",
    )
    .evidence("error", "task panicked");
    OriginReport::new(target, vec![finding], None)
}
