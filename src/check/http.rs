//! HTTP and connection-behaviour findings: early close, malformed or slow responses, the
//! origin's own 5xx, keep-alive shorter than CloudFront's, no keep-alive, and TLS spoken on the
//! plain-HTTP port.

use std::time::Duration;

use crate::finding::{Code, Finding};
use crate::probe::http::{HttpExchange, HttpOutcome, IdleOutcome};
use crate::probe::Observation;

/// HTTP findings.
pub fn check(observation: &Observation) -> Vec<Finding> {
    let mut findings: Vec<Finding> = observation
        .http
        .iter()
        .flat_map(|exchange| exchange_findings(observation, exchange))
        .collect();
    findings.extend(keep_alive(observation));
    findings
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

fn exchange_findings(observation: &Observation, exchange: &HttpExchange) -> Vec<Finding> {
    let target = &observation.target;
    let at = format!(
        "{} ({})",
        exchange.address,
        if exchange.https { "HTTPS" } else { "HTTP" }
    );
    let read_timeout = target.read_timeout;
    let with_address = |f: Finding| {
        f.evidence("address", exchange.address.to_string())
            .evidence("https", exchange.https)
    };
    match &exchange.outcome {
        HttpOutcome::ClosedWithoutResponse { reset } => vec![with_address(
            Finding::new(
                Code::HTTP_EARLY_CLOSE,
                format!(
                    "{at} {} the connection after the request without a response",
                    if *reset { "reset" } else { "closed" }
                ),
            )
            .evidence("stage", "after request")
            .evidence("reset", *reset),
        )],
        HttpOutcome::WriteFailed { error } => vec![with_address(
            Finding::new(Code::HTTP_EARLY_CLOSE, format!("{at} would not take the request: {error}"))
                .evidence("stage", "after handshake")
                .evidence("error", error.as_str()),
        )],
        HttpOutcome::NoFirstByte { waited } => vec![with_address(
            Finding::new(
                Code::HTTP_SLOW_RESPONSE,
                format!(
                    "{at} sent no byte within the {} s OriginReadTimeout: CloudFront answers 504",
                    read_timeout.as_secs()
                ),
            )
            .evidence("read_timeout_s", read_timeout.as_secs())
            .evidence("waited_ms", ms(*waited))
            .evidence("cloudfront_answers", 504),
        )],
        HttpOutcome::Stalled { stage, after, received } => vec![with_address(
            Finding::new(
                Code::HTTP_SLOW_RESPONSE,
                format!(
                    "{at} started answering but the response {stage} stalled ({received} bytes in {} ms): CloudFront answers 504",
                    ms(*after)
                ),
            )
            .evidence("stage", *stage)
            .evidence("received_bytes", *received)
            .evidence("after_ms", ms(*after))
            .evidence("read_timeout_s", read_timeout.as_secs())
            .evidence("cloudfront_answers", 504),
        )],
        HttpOutcome::Malformed { reason, first_bytes } => vec![with_address(
            Finding::new(
                Code::HTTP_MALFORMED_RESPONSE,
                format!("{at} answered invalid HTTP/1.1: {reason}"),
            )
            .evidence("reason", reason.as_str())
            .evidence("first_bytes", first_bytes.as_str()),
        )],
        HttpOutcome::TlsOnPlainPort { first_bytes } => vec![with_address(
            Finding::new(
                Code::HTTP_PLAINTEXT_POLICY_MISMATCH,
                format!(
                    "the policy is {} but {at} answers plain HTTP with TLS",
                    target.policy.as_str()
                ),
            )
            .evidence("policy", target.policy.as_str())
            .evidence("first_bytes", first_bytes.as_str()),
        )],
        HttpOutcome::Response(response) => {
            let mut findings = Vec::new();
            if matches!(response.status, 502..=504) {
                findings.push(with_address(
                    Finding::new(
                        Code::HTTP_ORIGIN_5XX,
                        format!("{at} itself answers {}; CloudFront passes it on", response.status),
                    )
                    .evidence("status", response.status),
                ));
            }
            if let Some(ttfb) = exchange.ttfb.filter(|t| *t > read_timeout) {
                // Only waited for on origins from a distribution export: the origin answers,
                // but later than this distribution lets CloudFront wait.
                findings.push(with_address(
                    Finding::new(
                        Code::CF_READ_TIMEOUT_TOO_LOW,
                        format!(
                            "{at} answered after {} ms, but the distribution's OriginReadTimeout is {} s: CloudFront answers 504 first",
                            ms(ttfb),
                            read_timeout.as_secs()
                        ),
                    )
                    .evidence("ttfb_ms", ms(ttfb))
                    .evidence("read_timeout_s", read_timeout.as_secs())
                    .evidence("distribution_id", target.provenance.distribution_id.clone().unwrap_or_default()),
                ));
            } else if let Some(ttfb) = exchange.ttfb.filter(|t| *t > read_timeout / 2) {
                findings.push(with_address(
                    Finding::new(
                        Code::HTTP_SLOW_RESPONSE_NEAR,
                        format!(
                            "{at} took {} ms to the first byte, over half of the {} s OriginReadTimeout",
                            ms(ttfb),
                            read_timeout.as_secs()
                        ),
                    )
                    .evidence("ttfb_ms", ms(ttfb))
                    .evidence("read_timeout_s", read_timeout.as_secs()),
                ));
            }
            if response.connection_close {
                findings.push(with_address(
                    Finding::new(
                        Code::HTTP_NO_KEEPALIVE,
                        format!("{at} closes the connection after the response (Connection: close)"),
                    )
                    .evidence("connection", "close"),
                ));
            }
            findings
        }
    }
}

/// HTTP_KEEPALIVE_SHORTER, from the advertised `Keep-Alive: timeout=` and the idle probe.
fn keep_alive(observation: &Observation) -> Option<Finding> {
    let keepalive = observation.target.keepalive_timeout;
    let advertised = observation
        .http
        .iter()
        .find_map(|exchange| match &exchange.outcome {
            HttpOutcome::Response(r) if !r.connection_close => r.keep_alive_timeout,
            _ => None,
        });
    let advertised_short = advertised.filter(|secs| Duration::from_secs(*secs) < keepalive);
    let observed = match &observation.idle {
        Some(IdleOutcome::ClosedWhileIdle { after }) if *after < keepalive => {
            Some(("closed while idle", *after))
        }
        Some(IdleOutcome::ClosedOnReuse { idle }) => Some(("closed when reused", *idle)),
        _ => None,
    };
    if advertised_short.is_none() && observed.is_none() {
        return None;
    }
    let summary = match (advertised_short, observed) {
        (_, Some((what, after))) => format!(
            "the origin {what} after {} ms, before CloudFront's {} s OriginKeepaliveTimeout",
            ms(after),
            keepalive.as_secs()
        ),
        (Some(secs), None) => format!(
            "the origin advertises Keep-Alive timeout={secs}, shorter than CloudFront's {} s OriginKeepaliveTimeout",
            keepalive.as_secs()
        ),
        (None, None) => return None,
    };
    let mut finding = Finding::new(Code::HTTP_KEEPALIVE_SHORTER, summary)
        .evidence("origin_keepalive_timeout_s", keepalive.as_secs());
    if let Some(secs) = advertised {
        finding = finding.evidence("advertised_timeout_s", secs);
    }
    if let Some((what, after)) = observed {
        finding = finding
            .evidence("observed", what)
            .evidence("observed_after_ms", ms(after));
    }
    Some(finding)
}
