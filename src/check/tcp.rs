//! TCP findings: ports the policy uses that refuse, drop, reset at once, or answer slowly, and
//! origins whose addresses disagree.

use std::collections::BTreeMap;

use serde_json::json;

use crate::finding::{Code, Finding};
use crate::probe::dialer::ConnectOutcome;
use crate::probe::{Observation, PortObservation};

/// Findings per port across the origin's addresses: every address failing, some failing, or
/// all connecting but slowly.
pub(crate) fn check(observation: &Observation) -> Vec<Finding> {
    let mut by_port: BTreeMap<u16, Vec<&PortObservation>> = BTreeMap::new();
    for port in &observation.ports {
        by_port.entry(port.address.port()).or_default().push(port);
    }
    let target = &observation.target;
    let mut findings = Vec::new();
    for (port, tries) in by_port {
        let failed: Vec<&&PortObservation> =
            tries.iter().filter(|p| !p.outcome.is_connected()).collect();
        let kind = if tries.iter().any(|p| p.https) {
            "HTTPS"
        } else {
            "HTTP"
        };
        if failed.is_empty() {
            findings.extend(slow_connects(observation, &tries));
            continue;
        }
        if failed.len() < tries.len() {
            let down: Vec<String> = failed.iter().map(|p| p.address.to_string()).collect();
            findings.push(
                Finding::new(
                    Code::TCP_SOME_ADDRESSES_DOWN,
                    format!(
                        "{} of {} addresses of {} fail on {kind} port {port}: {}",
                        failed.len(),
                        tries.len(),
                        target.origin,
                        down.join(", ")
                    ),
                )
                .evidence("port", port)
                .evidence("failing", json!(down))
                .evidence("outcomes", outcomes(&tries)),
            );
            continue;
        }
        let any_refused = tries
            .iter()
            .any(|p| matches!(p.outcome, ConnectOutcome::Refused { .. }));
        let any_reset = tries
            .iter()
            .any(|p| matches!(p.outcome, ConnectOutcome::Reset { .. }));
        if !any_refused && any_reset {
            // The origin answered the SYN and reset the connection at once: it is there, and
            // closes on CloudFront (502), which is no firewall's silence.
            findings.push(
                Finding::new(
                    Code::HTTP_EARLY_CLOSE,
                    format!(
                        "{kind} port {port} of {} accepts connections and resets them at once, before any reply",
                        target.origin
                    ),
                )
                .evidence("stage", "after accept")
                .evidence("reset", true)
                .evidence("port", port)
                .evidence("connection_attempts", target.connection_attempts)
                .evidence("outcomes", outcomes(&tries)),
            );
            continue;
        }
        let (code, what) = if any_refused {
            (Code::TCP_REFUSED, "refuses connections")
        } else {
            (Code::TCP_TIMEOUT, "does not answer")
        };
        findings.push(
            Finding::new(
                code,
                format!("{kind} port {port} of {} {what}", target.origin),
            )
            .evidence("port", port)
            .evidence("connect_timeout_s", target.connect_timeout.as_secs())
            .evidence("connection_attempts", target.connection_attempts)
            .evidence("outcomes", outcomes(&tries)),
        );
    }
    findings
}

fn slow_connects(observation: &Observation, tries: &[&PortObservation]) -> Vec<Finding> {
    let half = observation.target.connect_timeout / 2;
    tries
        .iter()
        .filter_map(|p| match p.outcome {
            ConnectOutcome::Connected { elapsed, .. } if elapsed > half => Some(
                Finding::new(
                    Code::TCP_SLOW_CONNECT,
                    format!(
                        "connecting to {} took {} ms (over half of the {} s ConnectionTimeout)",
                        p.address,
                        elapsed.as_millis(),
                        observation.target.connect_timeout.as_secs()
                    ),
                )
                .evidence("address", p.address.to_string())
                .evidence("connect_ms", elapsed.as_millis() as u64),
            ),
            _ => None,
        })
        .take(1)
        .collect()
}

fn outcomes(tries: &[&PortObservation]) -> serde_json::Value {
    json!(tries
        .iter()
        .map(|p| {
            let outcome = match &p.outcome {
                ConnectOutcome::Connected { elapsed, attempt } => {
                    json!({"result": "connected", "ms": elapsed.as_millis() as u64, "attempt": attempt})
                }
                ConnectOutcome::Refused { attempts } => json!({"result": "refused", "attempts": attempts}),
                ConnectOutcome::Reset { attempts } => json!({"result": "reset", "attempts": attempts}),
                ConnectOutcome::TimedOut { attempts, timeout } => {
                    json!({"result": "timeout", "attempts": attempts, "timeout_s": timeout.as_secs_f64()})
                }
                ConnectOutcome::Failed { attempts, error } => {
                    json!({"result": "error", "attempts": attempts, "error": error})
                }
                ConnectOutcome::OutOfScope => json!({"result": "out of scope"}),
            };
            json!({"address": p.address.to_string(), "outcome": outcome})
        })
        .collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::check::test_support::ObservationBuilder;

    fn observe(outcomes: Vec<ConnectOutcome>) -> Observation {
        outcomes
            .into_iter()
            .enumerate()
            .fold(
                ObservationBuilder::for_origin("origin.example.com"),
                |origin, (i, outcome)| {
                    origin.connect_outcome(&format!("192.0.2.{}:443", i + 1), outcome)
                },
            )
            .build()
    }

    fn codes(outcomes: Vec<ConnectOutcome>) -> Vec<Code> {
        check(&observe(outcomes)).iter().map(|f| f.code).collect()
    }

    const FAST: ConnectOutcome = ConnectOutcome::Connected {
        elapsed: Duration::from_millis(5),
        attempt: 1,
    };

    #[test]
    fn refused_timed_out_partial_and_slow() {
        assert_eq!(codes(vec![FAST]), vec![]);
        assert_eq!(
            codes(vec![ConnectOutcome::Refused { attempts: 3 }]),
            vec![Code::TCP_REFUSED]
        );
        let timeout = ConnectOutcome::TimedOut {
            attempts: 3,
            timeout: Duration::from_secs(10),
        };
        assert_eq!(codes(vec![timeout.clone()]), vec![Code::TCP_TIMEOUT]);
        assert_eq!(
            codes(vec![FAST, timeout]),
            vec![Code::TCP_SOME_ADDRESSES_DOWN]
        );
        let slow = ConnectOutcome::Connected {
            elapsed: Duration::from_secs(6),
            attempt: 1,
        };
        assert_eq!(codes(vec![slow]), vec![Code::TCP_SLOW_CONNECT]);
    }

    /// Issue 17, item 5a: `Connection reset by peer` while connecting is an origin that
    /// accepts and resets, never TCP_TIMEOUT's silence.
    #[test]
    fn a_reset_while_connecting_is_an_early_close_after_accept() {
        let reset = ConnectOutcome::Reset { attempts: 3 };
        let findings = check(&observe(vec![reset.clone(), reset.clone()]));
        assert_eq!(findings.len(), 1, "{findings:?}");
        let finding = &findings[0];
        assert_eq!(finding.code, Code::HTTP_EARLY_CLOSE);
        assert_eq!(finding.evidence["stage"], "after accept");
        assert_eq!(finding.evidence["reset"], true);
        assert_eq!(
            finding.evidence["outcomes"][0]["outcome"]["result"],
            "reset"
        );
        // A refusal elsewhere still says refused; one address resetting is one address down.
        assert_eq!(
            codes(vec![reset.clone(), ConnectOutcome::Refused { attempts: 3 }]),
            vec![Code::TCP_REFUSED]
        );
        assert_eq!(
            codes(vec![FAST, reset]),
            vec![Code::TCP_SOME_ADDRESSES_DOWN]
        );
    }
}
