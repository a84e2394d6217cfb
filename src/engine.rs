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
use crate::probe::{Observation, OriginProber, Parked, Timings};
use crate::report::{OriginReport, TimingsMs};
use crate::target::Target;

/// Slack added to an origin's deadline beyond the sum of its own timeouts.
pub(crate) const DEADLINE_MARGIN: Duration = Duration::from_secs(5);

/// What the engine needs of the probes: observe one origin, and run the keep-alive idle probe
/// on a connection the observation handed back.
pub(crate) trait Prober: Send + Sync + 'static {
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

/// The real probes, as the engine drives them.
impl Prober for OriginProber {
    type Parked = Parked;

    fn observe(
        &self,
        target: Target,
    ) -> impl Future<Output = (Observation, Option<Parked>)> + Send {
        self.observe_origin(target)
    }

    fn idle_budget(&self, parked: &Parked) -> Duration {
        parked.budget()
    }

    fn idle(&self, parked: Parked) -> impl Future<Output = IdleOutcome> + Send {
        parked.run()
    }
}

/// Probes and judges one origin at a time; shared by every task.
#[derive(Debug)]
pub(crate) struct Scanner<P> {
    /// The probes: [`OriginProber`] in a scan, misbehaving fakes in the tests.
    pub prober: P,
    /// What the checks need beside the observation: the scan's "now", the expiry horizons, the
    /// trusted roots.
    pub context: CheckContext,
    /// Budget for DNS per origin (all queries, all attempts).
    pub dns_budget: Duration,
}

impl<P: Prober> Scanner<P> {
    /// The longest one origin may take before the idle probe: DNS, every connection attempt
    /// (ports and addresses are tried at once), the handshake, two responses' read budgets (HTTPS
    /// and HTTP ports), and a margin.
    pub(crate) fn deadline(&self, target: &Target) -> Duration {
        let connect = target.connect_timeout * u32::from(target.connection_attempts.max(1));
        // Reading on to ResponseCompletionTimeout, on both ports at most.
        let completion = target
            .response_completion_timeout
            .map_or(Duration::ZERO, |limit| {
                limit.min(crate::probe::http::MAX_COMPLETION_WAIT)
                    + crate::probe::http::COMPLETION_MARGIN
            });
        self.dns_budget
            + connect
            + target.connect_timeout
            + target.read_timeout * 4
            + completion * 2
            + DEADLINE_MARGIN
    }

    /// Runs every check on an observation and builds its row, with the addresses and the
    /// timings in whole milliseconds.
    pub(crate) fn report(&self, observation: &Observation) -> OriginReport {
        let findings = check::run(observation, &self.context);
        let addresses = observation
            .resolution
            .addresses()
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        let alpn_selected = match &observation.cloudfront {
            Some(crate::probe::cloudfront_tls::CloudFrontHandshake::Established {
                alpn: Some(alpn),
                ..
            }) => Some(crate::report::escape::printable(&String::from_utf8_lossy(
                alpn,
            ))),
            _ => None,
        };
        let http_protocol = observation
            .http
            .iter()
            .find(|e| e.https)
            .map(|e| e.protocol.alpn_name());
        OriginReport::new(&observation.target, findings)
            .with_client_certificate(
                check::verdict::client_certificate(observation).map(|c| c.as_str()),
            )
            .observed(addresses, timings_ms(&observation.timings))
            .with_cert_expiry(check::cert::earliest_expiry(observation))
            .negotiated(alpn_selected, http_protocol)
    }

    /// Scans one origin within its deadline; a parked connection comes back for the idle probe.
    pub(crate) async fn scan(self: Arc<Self>, target: Target) -> Scanned<P::Parked> {
        let deadline = self.deadline(&target);
        let started = Instant::now();
        // The probes' state is kilobytes (handshakes, readers): boxed here, once, it is not
        // part of the task's future, which tokio moves several times while spawning it.
        let observing = Box::pin(self.prober.observe(target.clone()));
        match tokio::time::timeout(deadline, observing).await {
            Ok((mut observation, parked)) => {
                observation.timings.total = Some(started.elapsed());
                match parked {
                    Some(parked) => Scanned::Parked(Box::new(observation), parked),
                    None => Scanned::Done(Box::new(self.report(&observation))),
                }
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
                Scanned::Done(Box::new(OriginReport::new(&target, vec![finding])))
            }
        }
    }

    /// Runs the idle probe on a parked connection, then judges the whole observation.
    pub(crate) async fn finish_idle(
        self: Arc<Self>,
        mut observation: Observation,
        parked: P::Parked,
    ) -> OriginReport {
        let budget = self.prober.idle_budget(&parked) + DEADLINE_MARGIN;
        let idling = Instant::now();
        if let Ok(idle) = tokio::time::timeout(budget, self.prober.idle(parked)).await {
            observation.idle = Some(idle);
        }
        if let Some(total) = observation.timings.total.as_mut() {
            *total += idling.elapsed();
        }
        self.report(&observation)
    }
}

/// What scanning one origin gave.
#[derive(Debug)]
pub(crate) enum Scanned<Parked> {
    /// The origin's row, judged (a SCAN_DEADLINE_EXCEEDED row for one past its deadline).
    Done(Box<OriginReport>),
    /// Everything but the idle probe, which is to run on the parked connection.
    Parked(Box<Observation>, Parked),
}

/// How a run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RunOutcome {
    /// Rows handed to `on_report`: finished origins, panicked ones (SCAN_INTERNAL_ERROR), and
    /// parked ones whose idle probe was cut short.
    pub reported: usize,
    /// Targets never reported because the run was interrupted.
    pub not_scanned: usize,
    /// Whether a shutdown signal stopped the run.
    pub interrupted: bool,
}

/// Scans every target with at most `concurrency` in flight, calling `on_report` as each
/// finishes. Targets are taken from `targets` only as slots free up (a list is read as the scan
/// goes, not held); `total` is how many it gives, for the count not scanned. When `shutdown`
/// completes, the run stops: nothing new starts, what is in flight is aborted, and parked
/// origins are reported without their idle result.
pub(crate) async fn run<P: Prober>(
    scanner: Arc<Scanner<P>>,
    targets: impl IntoIterator<Item = Target>,
    total: usize,
    concurrency: usize,
    shutdown: impl Future<Output = ()>,
    mut on_report: impl FnMut(OriginReport),
) -> RunOutcome {
    let mut shutdown = std::pin::pin!(shutdown);
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
    outcome.not_scanned = total.saturating_sub(outcome.reported);
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
        total: ms(timings.total),
    }
}

#[cfg(test)]
mod tests {
    //! The engine's promise, on paused time with probes that misbehave on purpose: every target
    //! gets a row or is counted as not scanned, and parked connections do not hold a slot.

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use super::*;
    use crate::check::cert::trust::TrustStore;
    use crate::probe::dns::Resolution;
    use crate::target::Host;

    /// What the fake probe does for a target, chosen by the target's first label.
    #[derive(Debug, Clone, Copy)]
    enum Act {
        /// Answers after this long.
        Answer(Duration),
        /// Answers after this long, handing back a connection that idles for the second.
        Park(Duration, Duration),
        Panic,
        Hang,
    }

    #[derive(Debug, Default)]
    struct Counters {
        observing: AtomicUsize,
        most_observing: AtomicUsize,
        idle_runs: AtomicUsize,
    }

    #[derive(Debug)]
    struct FakeProber {
        acts: Mutex<HashMap<String, Act>>,
        counters: Arc<Counters>,
    }

    struct FakeParked(Duration);

    impl Prober for FakeProber {
        type Parked = FakeParked;

        fn observe(
            &self,
            target: Target,
        ) -> impl Future<Output = (Observation, Option<FakeParked>)> + Send {
            let act = self.acts.lock().expect("not poisoned")[&target.origin.to_string()];
            let counters = self.counters.clone();
            async move {
                let now = counters.observing.fetch_add(1, Ordering::SeqCst) + 1;
                counters.most_observing.fetch_max(now, Ordering::SeqCst);
                let observation =
                    Observation::new(target, Resolution::Literal([127, 0, 0, 1].into()));
                let parked = match act {
                    Act::Answer(after) => {
                        tokio::time::sleep(after).await;
                        None
                    }
                    Act::Park(after, idle) => {
                        tokio::time::sleep(after).await;
                        Some(FakeParked(idle))
                    }
                    Act::Panic => panic!("a probe fails"),
                    Act::Hang => std::future::pending().await,
                };
                counters.observing.fetch_sub(1, Ordering::SeqCst);
                (observation, parked)
            }
        }

        fn idle_budget(&self, parked: &FakeParked) -> Duration {
            parked.0 * 2
        }

        fn idle(&self, parked: FakeParked) -> impl Future<Output = IdleOutcome> + Send {
            let counters = self.counters.clone();
            async move {
                tokio::time::sleep(parked.0).await;
                counters.idle_runs.fetch_add(1, Ordering::SeqCst);
                IdleOutcome::ClosedWhileIdle { after: parked.0 }
            }
        }
    }

    fn scanner(acts: &[(&str, Act)]) -> (Arc<Scanner<FakeProber>>, Vec<Target>, Arc<Counters>) {
        let counters = Arc::new(Counters::default());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let scanner = Scanner {
            prober: FakeProber {
                acts: Mutex::new(acts.iter().map(|(n, a)| (n.to_string(), *a)).collect()),
                counters: counters.clone(),
            },
            context: CheckContext {
                now: 0,
                expiry_warn_days: vec![30],
                trust: TrustStore::new(provider, Vec::new()).expect("Mozilla's roots load"),
            },
            dns_budget: Duration::from_secs(10),
        };
        let targets = acts
            .iter()
            .map(|(name, _)| Target::new(Host::Name(name.to_string())))
            .collect();
        (Arc::new(scanner), targets, counters)
    }

    async fn run_all(
        scanner: Arc<Scanner<FakeProber>>,
        targets: Vec<Target>,
        concurrency: usize,
        shutdown: impl Future<Output = ()>,
    ) -> (RunOutcome, Vec<OriginReport>) {
        let mut reports = Vec::new();
        let total = targets.len();
        let outcome = run(scanner, targets, total, concurrency, shutdown, |r| {
            reports.push(r)
        })
        .await;
        (outcome, reports)
    }

    fn codes_of<'a>(reports: &'a [OriginReport], origin: &str) -> Vec<&'a str> {
        reports
            .iter()
            .find(|r| r.origin == origin)
            .map(|r| r.codes())
            .unwrap_or_else(|| panic!("{origin} has no row"))
    }

    const SECOND: Duration = Duration::from_secs(1);

    #[tokio::test(start_paused = true)]
    async fn a_panicking_probe_gives_one_internal_error_row() {
        let (scanner, targets, _) = scanner(&[
            ("a.example", Act::Answer(SECOND)),
            ("panics.example", Act::Panic),
            ("b.example", Act::Answer(SECOND)),
        ]);
        let (outcome, reports) = run_all(scanner, targets, 2, std::future::pending()).await;
        assert_eq!((outcome.reported, outcome.not_scanned), (3, 0));
        assert_eq!(reports.len(), 3);
        assert_eq!(
            codes_of(&reports, "panics.example"),
            vec!["SCAN_INTERNAL_ERROR"]
        );
        assert!(!codes_of(&reports, "a.example").contains(&"SCAN_INTERNAL_ERROR"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hanging_probe_gives_a_deadline_row_at_its_deadline() {
        let (scanner, targets, _) = scanner(&[
            ("hangs.example", Act::Hang),
            ("a.example", Act::Answer(SECOND)),
        ]);
        let deadline = scanner.deadline(&targets[0]);
        let started = tokio::time::Instant::now();
        let (outcome, reports) = run_all(scanner, targets, 2, std::future::pending()).await;
        assert_eq!((outcome.reported, outcome.not_scanned), (2, 0));
        assert_eq!(
            codes_of(&reports, "hangs.example"),
            vec!["SCAN_DEADLINE_EXCEEDED"]
        );
        let elapsed = started.elapsed();
        assert!(
            elapsed >= deadline && elapsed < deadline + SECOND,
            "the hanging origin is cut at its deadline ({deadline:?}), not before or much later: {elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_shutdown_mid_run_counts_every_target() {
        let acts: Vec<(String, Act)> = (0..10)
            .map(|i| (format!("o{i}.example"), Act::Answer(SECOND * 2)))
            .chain([("parked.example".to_string(), Act::Park(SECOND, SECOND * 60))])
            .collect();
        let named: Vec<(&str, Act)> = acts.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let (scanner, mut targets, counters) = scanner(&named);
        targets.rotate_right(1); // the parked origin goes first
        let total = targets.len();
        let (outcome, reports) = run_all(
            scanner,
            targets,
            2,
            tokio::time::sleep(Duration::from_millis(5_500)),
        )
        .await;
        assert!(outcome.interrupted);
        assert_eq!(outcome.reported + outcome.not_scanned, total);
        assert_eq!(reports.len(), outcome.reported);
        // 5.5 s at two in flight: o0..o3 finish at 2, 3, 4 and 5 s (the parked origin frees
        // its slot at 1 s), and the parked origin is reported at the shutdown, its idle probe
        // unfinished.
        assert_eq!(
            outcome.reported,
            5,
            "{:?}",
            reports.iter().map(|r| &r.origin).collect::<Vec<_>>()
        );
        assert!(reports.iter().any(|r| r.origin == "parked.example"));
        assert_eq!(counters.idle_runs.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn parked_connections_do_not_use_concurrency() {
        let acts: Vec<(String, Act)> = (0..6)
            .map(|i| (format!("p{i}.example"), Act::Park(SECOND, SECOND * 5)))
            .collect();
        let named: Vec<(&str, Act)> = acts.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let (scanner, targets, counters) = scanner(&named);
        let started = tokio::time::Instant::now();
        let (outcome, reports) = run_all(scanner, targets, 1, std::future::pending()).await;
        let elapsed = started.elapsed();
        assert_eq!((outcome.reported, reports.len()), (6, 6));
        assert_eq!(counters.idle_runs.load(Ordering::SeqCst), 6);
        assert_eq!(counters.most_observing.load(Ordering::SeqCst), 1);
        // One at a time, each observed in 1 s, each idle 5 s beside the others: 6 s + 5 s. Had
        // a parked connection kept its slot, it would be 6 × 6 s.
        assert!(
            elapsed < SECOND * 12,
            "parked origins held the only slot: {elapsed:?}"
        );
    }
}
