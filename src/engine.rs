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
//!
//! The engine knows the probes only through the [`Prober`] trait, and the shutdown signal only as
//! a future (as mini-redis passes it): its tests drive it in-process with probes that panic, hang
//! or park, on paused time.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::check::{self, CheckContext};
use crate::finding::{Code, Finding};
use crate::probe::http::IdleOutcome;
use crate::probe::{Observation, Timings};
use crate::report::{OriginReport, TimingsMs};
use crate::target::Target;

/// Slack added to an origin's deadline beyond the sum of its own timeouts.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(5);

/// What the engine needs of the probes: observe one origin, and run the keep-alive idle probe
/// on a connection the observation handed back.
pub trait Prober: Send + Sync + 'static {
    /// A connection kept open for the idle probe.
    type Parked: Send + 'static;

    /// Observes one origin; returns a parked connection when the idle probe should follow.
    fn observe(
        &self,
        target: Target,
    ) -> impl Future<Output = (Observation, Option<Self::Parked>)> + Send;

    /// The longest [`Prober::idle`] can take on `parked`.
    fn idle_budget(&self, parked: &Self::Parked) -> Duration;

    /// Idles for OriginKeepaliveTimeout on `parked`, then reuses it.
    fn idle(&self, parked: Self::Parked) -> impl Future<Output = IdleOutcome> + Send;
}

/// Probes and judges one origin at a time; shared by every task.
#[derive(Debug)]
pub struct Scanner<P> {
    /// The probes.
    pub prober: P,
    /// What the checks need.
    pub context: CheckContext,
    /// Budget for DNS per origin (all queries, all attempts).
    pub dns_budget: Duration,
}

impl<P: Prober> Scanner<P> {
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
        let addresses = observation
            .resolution
            .addresses()
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        OriginReport::new(&observation.target, findings)
            .observed(addresses, timings_ms(&observation.timings))
    }

    /// Scans one origin within its deadline; a parked connection comes back for the idle probe.
    pub async fn scan(self: Arc<Self>, target: Target) -> Scanned<P::Parked> {
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
                Scanned::Done(Box::new(OriginReport::new(&target, vec![finding])))
            }
        }
    }

    /// Runs the idle probe on a parked connection, then judges the whole observation.
    pub async fn finish_idle(
        self: Arc<Self>,
        mut observation: Observation,
        parked: P::Parked,
    ) -> OriginReport {
        let budget = self.prober.idle_budget(&parked) + DEADLINE_MARGIN;
        if let Ok(idle) = tokio::time::timeout(budget, self.prober.idle(parked)).await {
            observation.idle = Some(idle);
        }
        self.report(&observation)
    }
}

/// What scanning one origin gave.
#[derive(Debug)]
pub enum Scanned<Parked> {
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
/// finishes. When `shutdown` completes, the run stops: nothing new starts, what is in flight is
/// aborted, and parked origins are reported without their idle result.
pub async fn run<P: Prober>(
    scanner: Arc<Scanner<P>>,
    targets: Vec<Target>,
    concurrency: usize,
    shutdown: impl Future<Output = ()>,
    mut on_report: impl FnMut(OriginReport),
) -> RunOutcome {
    let mut shutdown = std::pin::pin!(shutdown);
    let total = targets.len();
    let concurrency = concurrency.max(1);
    let mut pending = targets.into_iter();
    let mut tasks: JoinSet<Scanned<P::Parked>> = JoinSet::new();
    let mut in_flight: HashMap<tokio::task::Id, Target> = HashMap::new();
    let mut idling: JoinSet<OriginReport> = JoinSet::new();
    let mut parked: HashMap<tokio::task::Id, Observation> = HashMap::new();
    let mut outcome = RunOutcome::default();
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
            () = &mut shutdown, if !outcome.interrupted => {
                outcome.interrupted = true;
                tasks.abort_all();
                idling.abort_all();
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
    OriginReport::new(target, vec![finding])
}

/// Phase timings in whole milliseconds, as reports carry them.
fn timings_ms(timings: &Timings) -> TimingsMs {
    let ms = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
    TimingsMs {
        dns: ms(timings.dns),
        connect: ms(timings.connect),
        tls: ms(timings.tls),
        ttfb: ms(timings.ttfb),
    }
}
