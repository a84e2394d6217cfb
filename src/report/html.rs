//! The HTML report (`-f html`): one self-contained page, inline CSS and vanilla JavaScript, no
//! network assets (a Content-Security-Policy forbids loading any, and only the page's own
//! script, by nonce, may run). It shows counts by risk level, an SVG bar chart of findings by
//! code, an SVG timeline of the certificate expiry dates found in the evidence, the ranked table
//! with a text filter (also settable with `#filter=TEXT` in the address), and each origin's
//! findings with their fix and evidence. Every report string is escaped: origins, summaries and
//! evidence come from the network.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use super::escape::{attr, text};
use super::{OriginReport, OriginSettings, Report, ReportError};
use crate::finding::{Code, Risk, Severity};

const STYLE: &str = r#"
:root { --critical: #b91c1c; --high: #c2410c; --medium: #a16207; --low: #0e7490; --ok: #15803d;
  --info: #6b7280; --fg: #111827; --muted: #6b7280; --bg: #f9fafb; --panel: #ffffff; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
h1 { margin: 8px 0 4px; font-size: 22px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 0 0 8px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.meta, .muted { color: var(--muted); }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 14px 0 4px; }
.count { background: var(--panel); border: 1px solid var(--line); border-top: 4px solid var(--info);
  border-radius: 6px; padding: 8px 16px; min-width: 110px; }
.count .n { display: block; font-size: 26px; font-weight: 650; }
.count[data-level=critical] { border-top-color: var(--critical); }
.count[data-level=high] { border-top-color: var(--high); }
.count[data-level=medium] { border-top-color: var(--medium); }
.count[data-level=low] { border-top-color: var(--low); }
.count[data-level=ok] { border-top-color: var(--ok); }
.panel, .origin-detail { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 14px 16px; margin-bottom: 16px; overflow-x: auto; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: var(--fg); }
svg .axis { stroke: #9ca3af; }
svg .now { stroke: var(--fg); stroke-dasharray: 4 3; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px;
  font-weight: 600; background: var(--info); }
.badge[data-level=critical] { background: var(--critical); }
.badge[data-level=high] { background: var(--high); }
.badge[data-level=medium] { background: var(--medium); }
.badge[data-level=low] { background: var(--low); }
.badge[data-level=ok] { background: var(--ok); }
.status { font-size: 11px; border: 1px solid var(--muted); border-radius: 8px; padding: 0 6px; }
.status[data-status=new] { border-color: var(--critical); color: var(--critical); }
.filter { display: flex; gap: 10px; align-items: center; margin-bottom: 10px; }
#filter { flex: 0 1 420px; padding: 6px 10px; font: inherit; border: 1px solid #9ca3af; border-radius: 4px; }
table { width: 100%; border-collapse: collapse; background: var(--panel); }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f4f6; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.codes { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
tr.origin-row[data-level=critical] td:first-child { border-left: 4px solid var(--critical); }
tr.origin-row[data-level=high] td:first-child { border-left: 4px solid var(--high); }
tr.origin-row[data-level=medium] td:first-child { border-left: 4px solid var(--medium); }
tr.origin-row[data-level=low] td:first-child { border-left: 4px solid var(--low); }
tr.origin-row[data-level=ok] td:first-child { border-left: 4px solid var(--ok); }
a { color: #1d4ed8; }
.name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 10px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
ul.findings { list-style: none; padding: 0; margin: 0; }
li.finding { border-top: 1px solid var(--line); padding: 8px 0; }
li.finding code { font-weight: 600; }
.fix { margin: 4px 0; }
pre { background: #f3f4f6; padding: 8px; border-radius: 4px; overflow-x: auto; white-space: pre-wrap;
  word-break: break-all; margin: 4px 0 0; }
.empty { color: var(--muted); font-style: italic; }
"#;

const SCRIPT: &str = r#"
(function () {
  var input = document.getElementById('filter');
  var shown = document.getElementById('shown');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.origin-row'));
  var details = Array.prototype.slice.call(document.querySelectorAll('.origin-detail'));
  function matches(element, terms) {
    var haystack = element.getAttribute('data-filter') || '';
    return terms.every(function (term) { return haystack.indexOf(term) !== -1; });
  }
  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    var count = 0;
    rows.forEach(function (row) {
      var keep = matches(row, terms);
      row.style.display = keep ? '' : 'none';
      if (keep) { count += 1; }
    });
    details.forEach(function (detail) {
      detail.style.display = matches(detail, terms) ? '' : 'none';
    });
    shown.textContent = String(count);
  }
  input.addEventListener('input', apply);
  var hash = window.location.hash;
  if (hash.indexOf('#filter=') === 0) {
    var wanted = hash.slice(8);
    try { wanted = decodeURIComponent(wanted); } catch (e) { /* keep it raw */ }
    input.value = wanted;
    apply();
  }
})();
"#;

/// Colours of the levels (as in the style sheet), for SVG fills.
fn colour(level: &str) -> &'static str {
    match level {
        "critical" => "#b91c1c",
        "high" => "#c2410c",
        "medium" => "#a16207",
        "low" => "#0e7490",
        "ok" => "#15803d",
        _ => "#6b7280",
    }
}

/// A per-page nonce for the script (the CSP lets only it run, not anything injected).
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    (0..2u8)
        .map(|i| {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u8(i);
            hasher.write_u128(clock);
            hasher.write_u32(std::process::id());
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

/// Seconds since the epoch of an RFC 3339 date (`YYYY-MM-DD`, optionally `THH:MM:SS`, any
/// offset ignored: day precision is what the timeline needs). `None` when it is not one.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(range)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = time::Month::try_from(u8::try_from(digits(5..7)?).ok()?).ok()?;
    let day = u8::try_from(digits(8..10)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let mut seconds = (i64::from(date.to_julian_day()) - 2_440_588) * 86_400;
    if b.len() >= 19 && matches!(b[10], b'T' | b't' | b' ') && b[13] == b':' && b[16] == b':' {
        let (h, m, sec) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        if h < 24 && m < 60 && sec < 61 {
            seconds += h * 3600 + m * 60 + sec;
        }
    }
    Some(seconds)
}

/// `YYYY-MM-DD` of a time in seconds since the epoch.
fn day(seconds: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => seconds.to_string(),
    }
}

fn name(origin: &OriginReport) -> String {
    format!("{}:{}", origin.origin, origin.port)
}

/// What the filter matches for an origin: name, risk, codes, distribution and origin ids.
fn filter_text(origin: &OriginReport) -> String {
    let mut parts = vec![name(origin), origin.risk.to_string()];
    parts.extend(origin.codes().iter().map(|c| c.to_string()));
    parts.extend(origin.distribution_id.clone());
    parts.extend(origin.origin_id.clone());
    parts.join(" ").to_lowercase()
}

/// `s` cut to `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A certificate expiry date found in a finding's evidence.
struct Expiry {
    origin: String,
    code: Code,
    severity: Severity,
    not_after: String,
    at: i64,
}

fn expiries(report: &Report) -> Result<Vec<Expiry>, ReportError> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for origin in report.rows() {
        let origin = origin?;
        for finding in &origin.findings {
            let Some(not_after) = finding
                .evidence
                .get("certificate")
                .and_then(|c| c.get("not_after"))
                .and_then(serde_json::Value::as_str)
            else {
                continue;
            };
            let Some(at) = parse_date(not_after) else {
                continue;
            };
            if seen.insert((origin.origin.clone(), origin.port, not_after.to_string())) {
                found.push(Expiry {
                    origin: name(&origin),
                    code: finding.code,
                    severity: finding.severity,
                    not_after: not_after.to_string(),
                    at,
                });
            }
        }
    }
    found.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.origin.cmp(&b.origin)));
    Ok(found)
}

/// The most lanes the timeline draws; the rest are counted below it.
const TIMELINE_LANES: usize = 200;

fn write_timeline(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    let found = expiries(report)?;
    if found.is_empty() {
        writeln!(
            out,
            "<p class=\"empty\" id=\"no-expiry\">No certificate expiry dates in the findings.</p>"
        )?;
        return Ok(());
    }
    let now = parse_date(&report.generated_at);
    let shown = &found[..found.len().min(TIMELINE_LANES)];
    let (mut t0, mut t1) = (shown[0].at, shown[shown.len() - 1].at);
    if let Some(now) = now {
        t0 = t0.min(now);
        t1 = t1.max(now);
    }
    let span = (t1 - t0).max(86_400);
    let pad = span / 20;
    let (t0, span) = (t0 - pad, span + 2 * pad);
    let (label_w, plot_w, top, lane) = (300i64, 520i64, 34i64, 18i64);
    let left = label_w + 10;
    let x = |t: i64| left + ((t - t0) as f64 / span as f64 * plot_w as f64).round() as i64;
    let height = top + lane * shown.len() as i64 + 8;
    let width = left + plot_w + 110;
    writeln!(
        out,
        "<svg id=\"expiry-timeline\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Certificate expiry dates\">"
    )?;
    writeln!(
        out,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        top - 8,
        left + plot_w,
        top - 8
    )?;
    for i in 0..=4 {
        let t = t0 + span * i / 4;
        let tx = x(t);
        writeln!(
            out,
            "<line class=\"axis\" x1=\"{tx}\" y1=\"{}\" x2=\"{tx}\" y2=\"{}\"/><text x=\"{tx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            top - 12,
            top - 4,
            top - 16,
            day(t)
        )?;
    }
    if let Some(now) = now {
        let nx = x(now);
        writeln!(
            out,
            "<line class=\"now\" x1=\"{nx}\" y1=\"{}\" x2=\"{nx}\" y2=\"{}\"><title>now ({})</title></line>",
            top - 8,
            height - 4,
            text(&report.generated_at)
        )?;
    }
    for (i, expiry) in shown.iter().enumerate() {
        let y = top + lane * i as i64 + lane / 2;
        let level = match now {
            // Its expiry may be years away, but it is not valid yet: as severe as its finding.
            _ if expiry.code == Code::CERT_NOT_YET_VALID => expiry.severity.as_str(),
            Some(now) if expiry.at <= now => "critical",
            Some(now) if expiry.at - now <= 7 * 86_400 => "high",
            Some(now) if expiry.at - now <= 30 * 86_400 => "medium",
            Some(_) => "ok",
            None => "info",
        };
        let cx = x(expiry.at);
        writeln!(
            out,
            "<g class=\"expiry\"><title>{}: {} ({})</title><text x=\"{label_w}\" y=\"{}\" text-anchor=\"end\">{}</text><circle cx=\"{cx}\" cy=\"{y}\" r=\"5\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
            text(&expiry.origin),
            text(&expiry.not_after),
            expiry.code,
            y + 4,
            text(&shorten(&expiry.origin, 40)),
            colour(level),
            cx + 9,
            y + 4,
            day(expiry.at)
        )?;
    }
    writeln!(out, "</svg>")?;
    if found.len() > shown.len() {
        writeln!(
            out,
            "<p class=\"muted\">and {} more certificates, not drawn.</p>",
            found.len() - shown.len()
        )?;
    }
    Ok(())
}

fn write_chart(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    let mut by_code: BTreeMap<Code, (usize, Severity)> = BTreeMap::new();
    for origin in report.rows() {
        for finding in &origin?.findings {
            let entry = by_code.entry(finding.code).or_insert((0, finding.severity));
            entry.0 += 1;
            entry.1 = entry.1.max(finding.severity);
        }
    }
    if by_code.is_empty() {
        writeln!(
            out,
            "<p class=\"empty\" id=\"no-findings\">No findings.</p>"
        )?;
        return Ok(());
    }
    let mut bars: Vec<(Code, usize, Severity)> =
        by_code.into_iter().map(|(c, (n, s))| (c, n, s)).collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row) = (260usize, 420usize, 22usize);
    let width = label_w + 10 + bar_w + 60;
    let height = row * bars.len() + 4;
    writeln!(
        out,
        "<svg id=\"findings-chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Findings by code\">"
    )?;
    for (i, (code, count, severity)) in bars.iter().enumerate() {
        let y = i * row;
        let w = (count * bar_w / max).max(2);
        writeln!(
            out,
            "<g class=\"bar\" data-code=\"{code}\"><title>{code}: {count} ({severity})</title><text x=\"{label_w}\" y=\"{}\" text-anchor=\"end\">{code}</text><rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"16\" rx=\"2\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{count}</text></g>",
            y + 15,
            label_w + 10,
            y + 3,
            colour(severity.as_str()),
            label_w + 16 + w,
            y + 15
        )?;
    }
    writeln!(out, "</svg>")?;
    Ok(())
}

fn write_table(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    let total = report.row_count();
    writeln!(
        out,
        "<div class=\"filter\"><label for=\"filter\">Filter</label><input id=\"filter\" type=\"search\" placeholder=\"origin, code or risk\" autocomplete=\"off\" spellcheck=\"false\"><span class=\"muted\"><span id=\"shown\">{total}</span> of {total} shown</span></div>"
    )?;
    if total == 0 {
        writeln!(out, "<p class=\"empty\">No origins.</p>")?;
        return Ok(());
    }
    writeln!(
        out,
        "<table id=\"origins\"><thead><tr><th>#</th><th>Risk</th><th>Score</th><th>Origin</th><th>Distribution</th><th>Findings</th><th>Top fix</th></tr></thead><tbody>"
    )?;
    for (i, origin) in report.rows().enumerate() {
        let origin = origin?;
        let distribution = match (&origin.distribution_id, &origin.origin_id) {
            (Some(d), Some(o)) => format!("{d} / {o}"),
            (Some(d), None) => d.clone(),
            (None, Some(o)) => o.clone(),
            (None, None) => String::new(),
        };
        let risk = origin.risk.as_str();
        writeln!(
            out,
            "<tr class=\"origin-row\" data-level=\"{risk}\" data-filter=\"{}\"><td class=\"num\">{}</td><td><span class=\"badge\" data-level=\"{risk}\">{risk}</span></td><td class=\"num\">{}</td><td><a class=\"name\" href=\"#origin-{}\">{}</a></td><td>{}</td><td class=\"codes\">{}</td><td>{}</td></tr>",
            attr(&filter_text(&origin)),
            origin.rank.map(|r| r.to_string()).unwrap_or_default(),
            origin.score,
            i + 1,
            text(&name(&origin)),
            text(&distribution),
            text(&origin.codes().join(" ")),
            text(origin.findings.first().map(|f| f.fix.as_ref()).unwrap_or(""))
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    Ok(())
}

fn write_origin(
    index: usize,
    origin: &OriginReport,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let risk = origin.risk.as_str();
    writeln!(
        out,
        "<article class=\"origin-detail\" id=\"origin-{}\" data-filter=\"{}\">",
        index + 1,
        attr(&filter_text(origin))
    )?;
    writeln!(
        out,
        "<h3><span class=\"badge\" data-level=\"{risk}\">{risk}</span><span class=\"name\">{}</span><span class=\"muted\">rank {}, score {}</span></h3>",
        text(&name(origin)),
        origin.rank.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
        origin.score
    )?;
    let t = &origin.timings_ms;
    let timings: Vec<String> = [
        ("dns", t.dns),
        ("connect", t.connect),
        ("tls", t.tls),
        ("ttfb", t.ttfb),
    ]
    .iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k} {v} ms")))
    .collect();
    let facts: Vec<(&str, String)> = vec![
        (
            "Distribution",
            origin.distribution_id.clone().unwrap_or_default(),
        ),
        ("Origin id", origin.origin_id.clone().unwrap_or_default()),
        ("Protocol policy", origin.protocol_policy.clone()),
        ("SNI", origin.sni.clone().unwrap_or_default()),
        (
            "Host header",
            origin.host_header.clone().unwrap_or_default(),
        ),
        (
            "Host forwarding",
            origin.host_forwarding.clone().unwrap_or_default(),
        ),
        ("Aliases", origin.aliases.join(", ")),
        ("Origin groups", origin.origin_groups.join(", ")),
        ("Addresses", origin.addresses.join(", ")),
        ("Input", origin.input.clone().unwrap_or_default()),
        (
            "Settings",
            origin
                .settings
                .as_ref()
                .map(settings_line)
                .unwrap_or_default(),
        ),
        ("Timings", timings.join(", ")),
    ];
    writeln!(out, "<dl class=\"facts\">")?;
    for (label, value) in facts.iter().filter(|(_, v)| !v.is_empty()) {
        writeln!(out, "<dt>{label}</dt><dd>{}</dd>", text(value))?;
    }
    writeln!(out, "</dl>")?;
    if origin.findings.is_empty() {
        writeln!(out, "<p class=\"empty\">No findings.</p>")?;
    } else {
        writeln!(out, "<ul class=\"findings\">")?;
        for finding in &origin.findings {
            let severity = finding.severity.as_str();
            let status = finding
                .status
                .map(|s| format!(" <span class=\"status\" data-status=\"{s}\">{s}</span>"))
                .unwrap_or_default();
            writeln!(
                out,
                "<li class=\"finding\" data-code=\"{}\"><div><span class=\"badge\" data-level=\"{severity}\">{severity}</span> <code>{}</code>{status} {}</div><p class=\"fix\"><strong>Fix:</strong> {}</p><details><summary>Evidence</summary><pre>{}</pre></details></li>",
                finding.code,
                finding.code,
                text(&finding.summary),
                text(&finding.fix),
                text(&serde_json::to_string_pretty(&finding.evidence)?)
            )?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</article>")?;
    Ok(())
}

/// The settings an origin was scanned with, on one line (custom headers by name only).
fn settings_line(settings: &OriginSettings) -> String {
    let mut parts = vec![
        format!("ports {}/{}", settings.https_port, settings.http_port),
        settings.protocol_policy.clone(),
    ];
    if let Some(protocols) = &settings.ssl_protocols {
        parts.push(protocols.join(" "));
    }
    parts.push(format!(
        "read {} s, keep-alive {} s, connect {} s × {}",
        settings.read_timeout_s,
        settings.keepalive_timeout_s,
        settings.connect_timeout_s,
        settings.connection_attempts
    ));
    if let Some(limit) = settings.response_completion_timeout_s {
        parts.push(format!("response completion {limit} s"));
    }
    parts.push(settings.ip_address_type.clone());
    parts.push(format!("GET {}", settings.path));
    if !settings.custom_headers.is_empty() {
        parts.push(format!(
            "custom headers {} (values not shown)",
            settings.custom_headers.join(", ")
        ));
    }
    if let Some(mtls) = settings.origin_mtls {
        parts.push(format!("origin mTLS {}", if mtls { "yes" } else { "no" }));
    }
    if let Some(outcome) = &settings.client_certificate {
        let words = match outcome.as_str() {
            "accepted" => "presented and accepted",
            "refused" => "presented and refused",
            "not_asked" => "offered, not asked for",
            "withheld" => "not presented (no OriginMtlsConfig)",
            _ => "offered, not verified",
        };
        parts.push(format!("client certificate {words}"));
    }
    let mut http = format!("OriginHttpVersion {}", settings.http_version);
    if settings.grpc {
        http.push_str(", gRPC");
    }
    if !settings.alpn_offered.is_empty() {
        http.push_str(&format!(
            ", ALPN offered {}",
            settings.alpn_offered.join(",")
        ));
    }
    if let Some(selected) = &settings.alpn_selected {
        http.push_str(&format!(", selected {selected}"));
    }
    if let Some(used) = &settings.http_protocol {
        http.push_str(&format!(", request over {used}"));
    }
    parts.push(http);
    parts.join("; ")
}

fn write_extras(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    if !report.resolved.is_empty() {
        writeln!(
            out,
            "<section class=\"panel\" id=\"resolved\"><h2>Resolved since the baseline</h2><ul>"
        )?;
        for r in &report.resolved {
            writeln!(
                out,
                "<li><span class=\"name\">{}</span> <code>{}</code> {}</li>",
                text(&format!("{}:{}", r.origin, r.port)),
                r.code,
                text(&r.summary)
            )?;
        }
        writeln!(out, "</ul></section>")?;
    }
    if !report.skipped.is_empty() {
        writeln!(
            out,
            "<section class=\"panel\" id=\"skipped\"><h2>Not scanned</h2><ul>"
        )?;
        for s in &report.skipped {
            writeln!(
                out,
                "<li><span class=\"name\">{}</span> ({}): {}</li>",
                text(&s.domain),
                text(&format!("{}/{}", s.distribution_id, s.origin_id)),
                text(&s.reason)
            )?;
        }
        writeln!(out, "</ul></section>")?;
    }
    if !report.warnings.is_empty() {
        writeln!(
            out,
            "<section class=\"panel\" id=\"warnings\"><h2>Warnings</h2><ul>"
        )?;
        for w in &report.warnings {
            writeln!(out, "<li>{}</li>", text(w))?;
        }
        writeln!(out, "</ul></section>")?;
    }
    Ok(())
}

/// Writes the whole page, self-contained, with every report string escaped.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> Result<(), ReportError> {
    let nonce = nonce();
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>originscan report</title>\n<style>{STYLE}</style>\n</head>\n<body>"
    )?;
    let summary = &report.summary;
    writeln!(out, "<header>\n<h1>originscan report</h1>")?;
    writeln!(
        out,
        "<p class=\"meta\">Generated {} · <span id=\"count-origins\">{}</span> origins · {:.1} s</p>",
        text(&report.generated_at),
        summary.origins,
        summary.duration_ms as f64 / 1000.0
    )?;
    writeln!(out, "<div class=\"counts\">")?;
    for risk in Risk::ALL {
        writeln!(
            out,
            "<div class=\"count\" data-level=\"{risk}\"><span class=\"n\" id=\"count-{risk}\">{}</span><span class=\"label\">{risk}</span></div>",
            summary.by_risk.get(&risk).copied().unwrap_or(0)
        )?;
    }
    writeln!(out, "</div>")?;
    if summary.interrupted {
        writeln!(
            out,
            "<p class=\"meta\" id=\"interrupted\">Interrupted: {} targets were not scanned.</p>",
            summary.not_scanned
        )?;
    }
    if let Some(b) = summary.baseline {
        writeln!(
            out,
            "<p class=\"meta\" id=\"baseline\">Against the baseline: {} new, {} known, {} resolved findings.</p>",
            b.new, b.known, b.resolved
        )?;
    }
    writeln!(out, "</header>\n<main>")?;
    writeln!(out, "<section class=\"panel\"><h2>Findings by code</h2>")?;
    write_chart(report, out)?;
    writeln!(
        out,
        "</section>\n<section class=\"panel\"><h2>Certificate expiry</h2>"
    )?;
    write_timeline(report, out)?;
    writeln!(out, "</section>")?;
    writeln!(
        out,
        "<section class=\"panel\" id=\"ranking\"><h2>Origins, riskiest first</h2>"
    )?;
    write_table(report, out)?;
    writeln!(out, "</section>")?;
    if report.row_count() > 0 {
        writeln!(out, "<section id=\"details\"><h2>Findings per origin</h2>")?;
        for (i, origin) in report.rows().enumerate() {
            write_origin(i, &*origin?, out)?;
        }
        writeln!(out, "</section>")?;
    }
    write_extras(report, out)?;
    writeln!(
        out,
        "<section class=\"panel\" id=\"options\"><details><summary>Scan options ({})</summary><pre>{}</pre></details></section>",
        text(&report.schema),
        text(&serde_json::to_string_pretty(&report.options)?)
    )?;
    writeln!(
        out,
        "</main>\n<script nonce=\"{nonce}\">{SCRIPT}</script>\n</body>\n</html>"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use crate::report::test_support::{origin, report};

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn sample() -> Report {
        let mut r = report(vec![
            origin(
                "a.example.com",
                vec![
                    Finding::new(Code::CERT_EXPIRES_SOON, "expires soon").evidence(
                        "certificate",
                        serde_json::json!({"index": 0, "not_after": "2025-03-10T00:00:00Z"}),
                    ),
                    Finding::new(Code::HTTP_NO_KEEPALIVE, "closes"),
                ],
            ),
            origin(
                "b.example.com",
                vec![Finding::new(Code::CERT_EXPIRED, "expired").evidence(
                    "certificate",
                    serde_json::json!({"index": 1, "not_after": "2025-02-01T00:00:00Z"}),
                )],
            ),
            origin("c.example.com", vec![]),
        ]);
        r.generated_at = "2025-03-01T12:00:00Z".into();
        r
    }

    fn assert_self_contained(html: &str) {
        for banned in [
            "http://",
            "https://",
            "<script src",
            "<link",
            "@import",
            "url(",
        ] {
            assert!(!html.contains(banned), "the page contains {banned}");
        }
    }

    #[test]
    fn counts_rows_chart_and_timeline() {
        let html = render(&sample());
        assert_self_contained(&html);
        assert!(html.contains("id=\"count-critical\">1<"));
        assert!(html.contains("id=\"count-high\">1<"));
        assert!(html.contains("id=\"count-medium\">0<"));
        assert!(html.contains("id=\"count-low\">0<"));
        assert!(html.contains("id=\"count-ok\">1<"));
        assert_eq!(html.matches("<tr class=\"origin-row\"").count(), 3);
        assert_eq!(html.matches("<article class=\"origin-detail\"").count(), 3);
        assert_eq!(html.matches("<g class=\"bar\"").count(), 3);
        assert_eq!(html.matches("<g class=\"expiry\"").count(), 2);
        assert!(html.contains(">2025-02-01</text>"));
        assert!(html.contains("class=\"now\""));
        assert!(!html.contains("id=\"no-expiry\""));
        assert!(html.contains("<input id=\"filter\""));
        assert!(html.contains(
            "data-filter=\"a.example.com:443 high cert_expires_soon http_no_keepalive\""
        ));
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn a_certificate_not_yet_valid_is_drawn_at_its_findings_severity() {
        let mut r = report(vec![origin(
            "future.example.com",
            vec![
                Finding::new(Code::CERT_NOT_YET_VALID, "not yet valid").evidence(
                    "certificate",
                    serde_json::json!({"index": 0, "not_after": "2027-03-01T00:00:00Z"}),
                ),
            ],
        )]);
        r.generated_at = "2025-03-01T12:00:00Z".into();
        let html = render(&r);
        let expiry = &html[html.find("<g class=\"expiry\"").expect("a lane")..];
        let lane = &expiry[..expiry.find("</g>").expect("closed")];
        assert!(lane.contains(colour("critical")), "{lane}");
        assert!(!lane.contains(colour("ok")), "{lane}");
    }

    #[test]
    fn without_certificates_the_timeline_says_so() {
        let html = render(&report(vec![origin("x.example.com", vec![])]));
        assert!(html.contains("id=\"no-expiry\""));
        assert!(html.contains("id=\"no-findings\""));
        let empty = render(&report(vec![]));
        assert_eq!(empty.matches("<tr class=\"origin-row\"").count(), 0);
        assert!(empty.contains("No origins."));
    }

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>\"&'%0A\u{0}\u{1b}\u{b}</textarea>";
        let mut o = origin(
            hostile,
            vec![Finding::new(Code::CERT_NAME_MISMATCH, hostile)
                .evidence(hostile, hostile)
                .evidence(
                    "certificate",
                    serde_json::json!({"not_after": hostile, "subject": hostile}),
                )],
        );
        o.distribution_id = Some(hostile.into());
        o.addresses = vec![hostile.into()];
        o.host_header = Some("https://evil.example/x.js".into());
        let mut r = report(vec![o]);
        r.generated_at = hostile.into();
        r.warnings.push(hostile.into());
        r.skipped.push(
            serde_json::from_value(serde_json::json!({"domain": hostile, "reason": hostile}))
                .expect("typed"),
        );
        r.options = serde_json::from_value(serde_json::json!({ "path": hostile })).expect("typed");
        let html = render(&r);
        for raw in [
            "<script>alert",
            "<img",
            "</textarea>",
            "\u{0}",
            "\u{1b}",
            "\u{b}",
        ] {
            assert!(!html.contains(raw), "raw {raw:?} in the page");
        }
        assert!(html.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;\"&amp;'%0A&lt;/textarea&gt;"
        ));
        assert!(html.contains("data-filter=\"&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&amp;&#39;%0a"));
        // The one URL is report text, escaped into a text node.
        assert_eq!(html.matches("https://").count(), 1);
        assert!(html.contains("<dd>https://evil.example/x.js</dd>"));
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn parses_rfc3339_dates_to_the_second() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date("1970-01-02"), Some(86_400));
        assert_eq!(parse_date("2025-03-01T12:00:30+02:00"), Some(1_740_830_430));
        for bad in [
            "",
            "2025",
            "2025-13-01",
            "2025-02-30",
            "abcd-ef-gh",
            "２０２５-01-01",
            "-1-01-01xx",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(day(1_740_830_430), "2025-03-01");
    }
}
