//! HTTP and connection-behaviour findings: early close, malformed or slow responses, the
//! origin's own 5xx, keep-alive shorter than CloudFront's, no keep-alive, TLS spoken on the
//! plain-HTTP port, and HTTP/2: an origin that selected `h2` and then failed it, and a gRPC
//! origin that does not select `h2`.

use std::time::Duration;

use crate::finding::{Code, Finding};
use crate::probe::http::{HttpExchange, HttpOutcome, HttpProtocol, IdleOutcome, ReadStop};
use crate::probe::Observation;

/// Findings from each port's HTTP exchange, then from the keep-alive idle probe.
pub(crate) fn check(observation: &Observation) -> Vec<Finding> {
    let mut findings: Vec<Finding> = observation
        .http
        .iter()
        .flat_map(|exchange| exchange_findings(observation, exchange))
        .collect();
    findings.extend(grpc_without_h2(observation));
    findings.extend(keep_alive(observation));
    findings
}

/// HTTP_GRPC_NO_H2: a gRPC behavior routes to the origin, CloudFront's handshake completed
/// with `h2` offered, and the request went over HTTP/1.1 (the origin selected `http/1.1`, no
/// protocol, or `h2` over TLS older than 1.2).
fn grpc_without_h2(observation: &Observation) -> Option<Finding> {
    if !observation.target.grpc {
        return None;
    }
    let handshake = observation.cloudfront.as_ref()?;
    let crate::probe::cloudfront_tls::CloudFrontHandshake::Established { alpn, version, .. } =
        handshake
    else {
        return None;
    };
    let exchange = observation.http.iter().find(|e| e.https)?;
    if exchange.protocol == HttpProtocol::H2 {
        return None;
    }
    let selected = alpn
        .as_deref()
        .map(|p| crate::report::escape::printable(&String::from_utf8_lossy(p)));
    let summary = match &selected {
        Some(p) if p == "h2" => format!(
            "a gRPC behavior routes here, but the origin selected h2 over {}: CloudFront uses HTTP/2 only over TLS 1.2 or later",
            version.api_name()
        ),
        Some(p) => format!(
            "a gRPC behavior routes here, but the origin selected {p:?} instead of h2: gRPC requests need HTTP/2"
        ),
        None => "a gRPC behavior routes here, but the origin selected no ALPN protocol (h2 was offered): gRPC requests need HTTP/2".to_string(),
    };
    Some(
        Finding::new(Code::HTTP_GRPC_NO_H2, summary)
            .evidence("alpn_offered", "h2,http/1.1")
            .evidence("alpn_selected", selected.unwrap_or_default())
            .evidence("tls_version", version.api_name())
            .evidence("address", exchange.address.to_string()),
    )
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
        let f = f
            .evidence("address", exchange.address.to_string())
            .evidence("https", exchange.https);
        match exchange.protocol {
            HttpProtocol::H2 => f.evidence("http_protocol", "h2"),
            HttpProtocol::Http11 => f,
        }
    };
    match &exchange.outcome {
        HttpOutcome::ClosedWithoutResponse {
            reset,
            before_request,
        } => {
            let verb = if *reset { "reset" } else { "closed" };
            let (stage, summary) = match (before_request, exchange.https) {
                (false, _) => (
                    "after request",
                    format!("{at} {verb} the connection after the request without a response"),
                ),
                (true, true) => (
                    "after handshake",
                    format!("{at} {verb} the connection after the handshake, before the request"),
                ),
                (true, false) => (
                    "after accept",
                    format!("{at} {verb} the connection right after accepting it, before the request"),
                ),
            };
            vec![with_address(
                Finding::new(Code::HTTP_EARLY_CLOSE, summary)
                    .evidence("stage", stage)
                    .evidence("reset", *reset),
            )]
        }
        HttpOutcome::WriteFailed { error } => vec![with_address(
            Finding::new(Code::HTTP_EARLY_CLOSE, format!("{at} would not take the request: {error}"))
                .evidence(
                    "stage",
                    if exchange.https {
                        "after handshake"
                    } else {
                        "after connect"
                    },
                )
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
        HttpOutcome::Http2Failed {
            stage,
            reason,
            first_bytes,
        } => vec![with_address(
            Finding::new(
                Code::HTTP_H2_FAILED,
                format!(
                    "{at} selected h2 with ALPN, then failed the HTTP/2 exchange ({stage}): {reason}: CloudFront answers 502"
                ),
            )
            .evidence("stage", *stage)
            .evidence("reason", reason.as_str())
            .evidence("first_bytes", first_bytes.as_str())
            .evidence("http_version", target.http_version.as_str())
            .evidence("grpc", target.grpc)
            .evidence("cloudfront_answers", 502),
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
            if let Some(limit) = target.response_completion_timeout {
                // An origin whose first byte is already past OriginReadTimeout gets a 504
                // before ResponseCompletionTimeout matters (CF_READ_TIMEOUT_TOO_LOW).
                let first_byte_in_time = exchange.ttfb.is_some_and(|t| t <= read_timeout);
                if first_byte_in_time && response.last_byte_after > limit {
                    findings.push(with_address(completion_late(response, limit, &at)));
                }
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
            match response.read_stop {
                // Said with the exchange's findings; never a finding of its own: the origin
                // kept sending (no gap over OriginReadTimeout), the scanner stopped.
                Some(stop) => findings
                    .into_iter()
                    .map(|f| f.evidence("body_read", body_read(stop, response.body_bytes)))
                    .collect(),
                None => findings,
            }
        }
    }
}

/// HTTP_RESPONSE_COMPLETION_TIMEOUT: the response ended (or was still arriving) after
/// `limit`, the origin's ResponseCompletionTimeout.
fn completion_late(
    response: &crate::probe::http::HttpResponse,
    limit: Duration,
    at: &str,
) -> Finding {
    let complete = response.read_stop.is_none();
    let when = ms(response.last_byte_after);
    let summary = if complete {
        format!(
            "{at} finished its response after {when} ms, but the distribution's \
             ResponseCompletionTimeout is {} s: CloudFront ends the connection first",
            limit.as_secs()
        )
    } else {
        format!(
            "{at} was still sending its response after {when} ms, past the distribution's \
             ResponseCompletionTimeout of {} s: CloudFront ends the connection first",
            limit.as_secs()
        )
    };
    Finding::new(Code::HTTP_RESPONSE_COMPLETION_TIMEOUT, summary)
        .evidence("response_completion_timeout_s", limit.as_secs())
        .evidence(
            if complete {
                "completed_after_ms"
            } else {
                "still_arriving_after_ms"
            },
            when,
        )
        .evidence("body_bytes", response.body_bytes)
}

/// How the scanner stopped reading a body that had not ended, for the evidence.
fn body_read(stop: ReadStop, bytes: u64) -> serde_json::Value {
    match stop {
        ReadStop::ByteCap => serde_json::json!({
            "stopped": "byte cap",
            "body_bytes": bytes,
            "note": "the scanner stops reading a body at this many bytes; the origin was still sending",
        }),
        ReadStop::TimeBudget { after } => serde_json::json!({
            "stopped": "time budget",
            "body_bytes": bytes,
            "after_ms": ms(after),
            "note": "the body was still arriving, no gap over OriginReadTimeout: the scanner stopped reading (not a 504)",
        }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{codes, single, ObservationBuilder};
    use crate::cloudfront::tls_profile::TlsVersion;
    use crate::finding::Severity;
    use crate::target::ProtocolPolicy;

    /// CloudFront's defaults: OriginReadTimeout 30 s, OriginKeepaliveTimeout 5 s.
    fn origin() -> ObservationBuilder {
        ObservationBuilder::for_origin("origin.example.com").https_port_connected()
    }

    fn failed(outcome: HttpOutcome) -> Finding {
        single(check(&origin().http_failed(outcome).build()))
    }

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    /// The codes for a 200 whose first byte came after `ttfb` (read timeout 30 s).
    fn codes_after(ttfb: Duration) -> Vec<Code> {
        codes(&check(
            &origin().http_response(200).first_byte_after(ttfb).build(),
        ))
    }

    #[test]
    fn a_prompt_kept_alive_response_has_no_finding() {
        let observation = origin()
            .http_response(200)
            .advertising_keep_alive(60)
            .idle(IdleOutcome::Reused { idle: ms(5_000) })
            .build();
        assert!(check(&observation).is_empty(), "{:?}", check(&observation));
        let no_idle_probe = origin().http_response(404).build();
        assert!(check(&no_idle_probe).is_empty());
    }

    #[test]
    fn closing_after_the_request_is_an_early_close() {
        let finding = failed(HttpOutcome::ClosedWithoutResponse {
            reset: true,
            before_request: false,
        });
        assert_eq!(finding.code, Code::HTTP_EARLY_CLOSE);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["stage"], "after request");
        assert_eq!(finding.evidence["reset"], true);
        assert_eq!(finding.evidence["address"], "192.0.2.1:443");
        assert_eq!(finding.evidence["https"], true);
    }

    /// Issue 17, item 5a: a plain port reset before the request could be written was reset
    /// right after accept.
    #[test]
    fn a_reset_before_the_request_on_the_plain_port_is_after_accept() {
        let mut observation = origin()
            .http_failed(HttpOutcome::ClosedWithoutResponse {
                reset: true,
                before_request: true,
            })
            .build();
        observation.http[0].https = false;
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::HTTP_EARLY_CLOSE);
        assert_eq!(finding.evidence["stage"], "after accept");
        assert_eq!(finding.evidence["reset"], true);
    }

    #[test]
    fn refusing_the_request_on_the_plain_port_is_after_connect() {
        let mut observation = origin()
            .http_failed(HttpOutcome::WriteFailed {
                error: "broken pipe".into(),
            })
            .build();
        observation.http[0].https = false;
        let finding = single(check(&observation));
        assert_eq!(finding.evidence["stage"], "after connect");
    }

    #[test]
    fn refusing_the_request_is_an_early_close() {
        let finding = failed(HttpOutcome::WriteFailed {
            error: "broken pipe".into(),
        });
        assert_eq!(finding.code, Code::HTTP_EARLY_CLOSE);
        assert_eq!(finding.evidence["stage"], "after handshake");
        assert_eq!(finding.evidence["error"], "broken pipe");
    }

    /// Issue 17, item 5b: OriginReadTimeout is a per-read idle timeout. A body still arriving
    /// (every gap under it) when the scanner's budget runs out is no 504, and the exchange's
    /// findings say the scanner stopped reading.
    #[test]
    fn a_long_body_whose_gaps_stay_under_the_read_timeout_is_not_slow() {
        let stopped = ReadStop::TimeBudget { after: ms(60_000) };
        let healthy = origin()
            .http_response(200)
            .body_read_stopped(stopped, 120)
            .build();
        assert!(check(&healthy).is_empty(), "{:?}", check(&healthy));
        let failing = origin()
            .http_response(503)
            .body_read_stopped(stopped, 120)
            .build();
        let finding = single(check(&failing));
        assert_eq!(finding.code, Code::HTTP_ORIGIN_5XX);
        assert_eq!(finding.evidence["body_read"]["stopped"], "time budget");
        assert_eq!(finding.evidence["body_read"]["body_bytes"], 120);
        assert_eq!(finding.evidence["body_read"]["after_ms"], 60_000);
    }

    #[test]
    fn no_first_byte_within_the_read_timeout_is_a_slow_response() {
        let finding = failed(HttpOutcome::NoFirstByte { waited: ms(30_000) });
        assert_eq!(finding.code, Code::HTTP_SLOW_RESPONSE);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["waited_ms"], 30_000);
        assert_eq!(finding.evidence["read_timeout_s"], 30);
        assert_eq!(finding.evidence["cloudfront_answers"], 504);
    }

    #[test]
    fn a_stalled_response_is_a_slow_response() {
        let finding = failed(HttpOutcome::Stalled {
            stage: "body",
            after: ms(31_500),
            received: 1_200,
        });
        assert_eq!(finding.code, Code::HTTP_SLOW_RESPONSE);
        assert_eq!(finding.evidence["stage"], "body");
        assert_eq!(finding.evidence["received_bytes"], 1_200);
        assert_eq!(finding.evidence["after_ms"], 31_500);
    }

    #[test]
    fn invalid_http_is_malformed() {
        let finding = failed(HttpOutcome::Malformed {
            reason: "invalid status line".into(),
            first_bytes: "HTTP/9 OK".into(),
        });
        assert_eq!(finding.code, Code::HTTP_MALFORMED_RESPONSE);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["reason"], "invalid status line");
        assert_eq!(finding.evidence["first_bytes"], "HTTP/9 OK");
    }

    #[test]
    fn tls_on_the_plain_http_port_is_a_policy_mismatch() {
        let observation = origin()
            .policy(ProtocolPolicy::HttpOnly)
            .http_failed(HttpOutcome::TlsOnPlainPort {
                first_bytes: "\\x15\\x03\\x01\\x00\\x02".into(),
            })
            .build();
        let finding = single(check(&observation));
        assert_eq!(finding.code, Code::HTTP_PLAINTEXT_POLICY_MISMATCH);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["policy"], "http-only");
        assert_eq!(finding.evidence["address"], "192.0.2.1:80");
        assert_eq!(finding.evidence["https"], false);
    }

    #[test]
    fn the_origins_own_502_503_and_504_are_passed_on() {
        for status in [502, 503, 504] {
            let finding = single(check(&origin().http_response(status).build()));
            assert_eq!(finding.code, Code::HTTP_ORIGIN_5XX, "{status}");
            assert_eq!(finding.severity, Severity::High);
            assert_eq!(finding.evidence["status"], status);
        }
        for status in [500, 501, 505] {
            let findings = check(&origin().http_response(status).build());
            assert!(findings.is_empty(), "{status}: {findings:?}");
        }
    }

    #[test]
    fn a_first_byte_after_half_the_read_timeout_is_near_it() {
        assert_eq!(codes_after(ms(15_000)), vec![]);
        assert_eq!(codes_after(ms(15_001)), vec![Code::HTTP_SLOW_RESPONSE_NEAR]);
        assert_eq!(codes_after(ms(30_000)), vec![Code::HTTP_SLOW_RESPONSE_NEAR]);
        let finding = single(check(
            &origin()
                .http_response(200)
                .first_byte_after(ms(20_000))
                .build(),
        ));
        assert_eq!(finding.severity, Severity::Medium);
        assert_eq!(finding.evidence["ttfb_ms"], 20_000);
        assert_eq!(finding.evidence["read_timeout_s"], 30);
    }

    #[test]
    fn a_first_byte_after_the_read_timeout_is_a_timeout_too_low() {
        assert_eq!(codes_after(ms(30_001)), vec![Code::CF_READ_TIMEOUT_TOO_LOW]);
        let finding = single(check(
            &origin()
                .read_timeout(Duration::from_secs(10))
                .imported_from_distribution("E2EXAMPLE")
                .http_response(200)
                .first_byte_after(ms(12_500))
                .build(),
        ));
        assert_eq!(finding.code, Code::CF_READ_TIMEOUT_TOO_LOW);
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.evidence["ttfb_ms"], 12_500);
        assert_eq!(finding.evidence["read_timeout_s"], 10);
        assert_eq!(finding.evidence["distribution_id"], "E2EXAMPLE");
    }

    /// Issue 16, item 3: a response that ends (or is still arriving) after the origin's
    /// ResponseCompletionTimeout is cut by CloudFront; one that ends in time is not, nor one
    /// whose first byte is already past OriginReadTimeout (a 504 comes first).
    #[test]
    fn a_response_ending_after_the_completion_timeout_is_cut() {
        let slow = |after: Duration| {
            origin()
                .read_timeout(Duration::from_secs(1))
                .response_completion_timeout(Duration::from_secs(1))
                .http_response(200)
                .first_byte_after(ms(20))
                .last_byte_after(after)
        };
        let finding = single(check(&slow(ms(3_000)).build()));
        assert_eq!(finding.code, Code::HTTP_RESPONSE_COMPLETION_TIMEOUT);
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.evidence["response_completion_timeout_s"], 1);
        assert_eq!(finding.evidence["completed_after_ms"], 3_000);
        assert!(finding
            .summary
            .contains("finished its response after 3000 ms"));

        // Still arriving when the scanner stopped reading, past the limit.
        let finding = single(check(
            &slow(ms(1_500))
                .body_read_stopped(ReadStop::TimeBudget { after: ms(1_500) }, 700)
                .build(),
        ));
        assert_eq!(finding.code, Code::HTTP_RESPONSE_COMPLETION_TIMEOUT);
        assert_eq!(finding.evidence["still_arriving_after_ms"], 1_500);
        assert_eq!(finding.evidence["body_bytes"], 700);

        // In time, or no limit configured: nothing.
        assert!(check(&slow(ms(1_000)).build()).is_empty());
        assert!(check(
            &origin()
                .http_response(200)
                .last_byte_after(ms(90_000))
                .build()
        )
        .is_empty());
        // The first byte is past OriginReadTimeout: CF_READ_TIMEOUT_TOO_LOW alone.
        let codes: Vec<Code> = check(&slow(ms(3_000)).first_byte_after(ms(1_200)).build())
            .iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(codes, vec![Code::CF_READ_TIMEOUT_TOO_LOW]);
    }

    #[test]
    fn connection_close_is_no_keep_alive() {
        let finding = single(check(
            &origin()
                .http_response(200)
                .closing_connection()
                // Closing anyway: what it advertises is no keep-alive to compare.
                .advertising_keep_alive(1)
                .build(),
        ));
        assert_eq!(finding.code, Code::HTTP_NO_KEEPALIVE);
        assert_eq!(finding.severity, Severity::Low);
        assert_eq!(finding.evidence["connection"], "close");
    }

    #[test]
    fn advertising_less_than_the_keepalive_timeout_is_shorter() {
        // OriginKeepaliveTimeout 5 s.
        let finding = single(check(
            &origin()
                .http_response(200)
                .advertising_keep_alive(4)
                .build(),
        ));
        assert_eq!(finding.code, Code::HTTP_KEEPALIVE_SHORTER);
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.evidence["advertised_timeout_s"], 4);
        assert_eq!(finding.evidence["origin_keepalive_timeout_s"], 5);
        assert!(!finding.evidence.contains_key("observed"));

        // Equal is not "shorter" (though the fix asks for a keep-alive above the setting).
        let equal = check(
            &origin()
                .http_response(200)
                .advertising_keep_alive(5)
                .build(),
        );
        assert!(equal.is_empty(), "{equal:?}");
        let longer_setting = check(
            &origin()
                .keepalive_timeout(Duration::from_secs(60))
                .http_response(200)
                .advertising_keep_alive(30)
                .build(),
        );
        assert_eq!(codes(&longer_setting), vec![Code::HTTP_KEEPALIVE_SHORTER]);
    }

    #[test]
    fn closing_while_idle_before_the_keepalive_timeout_is_shorter() {
        let idle_for = |after: Duration| {
            check(
                &origin()
                    .http_response(200)
                    .idle(IdleOutcome::ClosedWhileIdle { after })
                    .build(),
            )
        };
        let finding = single(idle_for(ms(4_999)));
        assert_eq!(finding.code, Code::HTTP_KEEPALIVE_SHORTER);
        assert_eq!(finding.evidence["observed"], "closed while idle");
        assert_eq!(finding.evidence["observed_after_ms"], 4_999);
        assert!(!finding.evidence.contains_key("advertised_timeout_s"));
        assert!(idle_for(ms(5_000)).is_empty());
    }

    #[test]
    fn closing_on_reuse_is_shorter_whatever_was_advertised() {
        let finding = single(check(
            &origin()
                .http_response(200)
                .advertising_keep_alive(60)
                .idle(IdleOutcome::ClosedOnReuse { idle: ms(5_000) })
                .build(),
        ));
        assert_eq!(finding.code, Code::HTTP_KEEPALIVE_SHORTER);
        assert_eq!(finding.evidence["observed"], "closed when reused");
        assert_eq!(finding.evidence["advertised_timeout_s"], 60);
        assert!(finding.summary.contains("closed when reused after 5000 ms"));
    }

    #[test]
    fn an_inconclusive_reuse_says_nothing_of_keep_alive() {
        let observation = origin()
            .http_response(200)
            .idle(IdleOutcome::Inconclusive { idle: ms(5_000) })
            .build();
        assert!(check(&observation).is_empty(), "{:?}", check(&observation));
    }

    /// HTTP_H2_FAILED (issue 16): the origin selected h2 and then broke HTTP/2; critical, 502.
    #[test]
    fn an_origin_that_selects_h2_and_then_fails_it_is_critical() {
        let finding = single(check(
            &origin()
                .http2_origin()
                .cloudfront_established(TlsVersion::Tls12, Some("h2"))
                .http_failed(HttpOutcome::Http2Failed {
                    stage: "preface",
                    reason: "answered HTTP/1.1 after selecting h2".into(),
                    first_bytes: "HTTP/1.1 400 Bad Request".into(),
                })
                .over_h2()
                .build(),
        ));
        assert_eq!(finding.code, Code::HTTP_H2_FAILED);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.evidence["cloudfront_answers"], 502);
        assert_eq!(finding.evidence["http_protocol"], "h2");
        assert_eq!(finding.evidence["http_version"], "http2");
    }

    /// A healthy HTTP/2 answer: no finding; a 503 over h2 is the origin's 5xx, as over HTTP/1.1.
    #[test]
    fn a_healthy_h2_origin_has_no_finding_and_its_5xx_is_its_own() {
        let healthy = |status| {
            check(
                &origin()
                    .http2_origin()
                    .grpc()
                    .cloudfront_established(TlsVersion::Tls13, Some("h2"))
                    .http_response(status)
                    .over_h2()
                    .build(),
            )
        };
        assert_eq!(codes(&healthy(200)), Vec::<Code>::new());
        let finding = single(healthy(503));
        assert_eq!(finding.code, Code::HTTP_ORIGIN_5XX);
        assert_eq!(finding.evidence["http_protocol"], "h2");
    }

    /// HTTP_GRPC_NO_H2: a gRPC origin that answers over HTTP/1.1 (no ALPN, `http/1.1`, or h2
    /// over TLS 1.1); an http2 origin without gRPC that selects http/1.1 is fine (CloudFront
    /// falls back).
    #[test]
    fn a_grpc_origin_without_h2_is_high_and_an_http2_fallback_is_fine() {
        for (version, alpn) in [
            (TlsVersion::Tls12, None),
            (TlsVersion::Tls13, Some("http/1.1")),
            (TlsVersion::Tls11, Some("h2")),
        ] {
            let finding = single(check(
                &origin()
                    .grpc()
                    .cloudfront_established(version, alpn)
                    .http_response(200)
                    .build(),
            ));
            assert_eq!(finding.code, Code::HTTP_GRPC_NO_H2, "{alpn:?}");
            assert_eq!(finding.severity, Severity::High);
            assert_eq!(finding.evidence["alpn_selected"], alpn.unwrap_or(""));
        }
        let fallback = origin()
            .http2_origin()
            .cloudfront_established(TlsVersion::Tls13, Some("http/1.1"))
            .http_response(200)
            .build();
        assert_eq!(codes(&check(&fallback)), Vec::<Code>::new());
    }
}
