//! Lambda@Edge result linting, the pure engine behind `originscan lint-lambda`: which event
//! types exist, how a file is unwrapped into the function's result, and the rules that predict
//! CloudFront's validation of that result (a result that fails validation makes CloudFront
//! answer 502).
//!
//! # Input
//!
//! A file holds either a bare result (a request object `{"uri","method","headers",...}` or a
//! response object `{"status","statusDescription","headers","body","bodyEncoding"}`) or a whole
//! event `{"Records":[{"cf":{"config":{"eventType":...},"request":...,"response":...}}]}`
//! holding the result under `cf.request` / `cf.response` ([`LintInput`]). In request events a
//! result with a `status` field is a generated response, anything else a (modified) request; in
//! response events the result is a response ([`ResultKind`]). The optional *original* is the
//! event the function received (or its bare request/response): `cf.request` in request events,
//! `cf.response` in response events.
//!
//! # Rules
//!
//! Sources: AWS CloudFront Developer Guide, `edge-functions-restrictions.html` /
//! `lambda-at-edge-function-restrictions.html` (headers, status, request body, URI),
//! `lambda-generating-http-responses.html` (response object, size, status range) and
//! `lambda-event-structure.html` (shapes), as summarised in `docs/CLOUDFRONT.md`.
//!
//! - `LAMBDA_MALFORMED`: the result is not an object; `headers` is not an object; a header key
//!   is not lower case or not an HTTP token; a header's value is not a list of objects with a
//!   string `value` (without CR, LF or NUL) and an optional string `key` equal to the name
//!   ignoring case; `status` is neither a number nor a string; `statusDescription` or `body` of
//!   a response is not a string; `bodyEncoding` is not `text` or `base64`; a base64 body is not
//!   base64; a request's `uri` is missing or does not start with `/`; `method`, `querystring`
//!   or `clientIp` is not a string; a request `body` is not `{inputTruncated, action, encoding, data}` with
//!   `action` `read-only`/`replace` and `encoding` `text`/`base64`; `origin.*.customHeaders` is
//!   not a header map. Unknown fields are not errors. Since issue 16 also: a query string with
//!   a space, `#` or a control character; an `origin` holding both `custom` and `s3`; a custom
//!   origin's `port`, `readTimeout` (4-60), `keepaliveTimeout` (1-60), `protocol` or
//!   `domainName` (an IP address, a colon) outside `lambda-event-structure.html`; a 204
//!   generated in a viewer-request event with a `body`.
//! - `LAMBDA_DISALLOWED_HEADER`: one finding per disallowed header in `headers` (and in
//!   `origin.custom.customHeaders` / `origin.s3.customHeaders`, which AWS says take the same
//!   restrictions), matched case-insensitively, with `CloudFront-Viewer-Country` added in viewer
//!   events.
//! - `LAMBDA_READ_ONLY_HEADER`: the event type's read-only headers. A *generated response* in a
//!   request event is flagged when it carries one at all (it replaces the request, so there is
//!   nothing it could have kept unchanged; this is inferred, AWS does not say how it treats
//!   them). A modified *request* or a *response* in a response event is flagged only when the
//!   original is given and the header's values differ from it (added, removed or changed):
//!   without the original nothing is reported, because the incoming request or response
//!   normally carries `Host`, `Via` and the like already.
//! - `LAMBDA_RESPONSE_TOO_LARGE`: a generated response over 40 KB (viewer request) or 1 MB
//!   (origin request), counting the status, the status description, every header name and
//!   value, and the body (decoded when base64); a replaced request body (`body.action ==
//!   "replace"`) over 40 KB / 1 MB as text or 53.2 KB / 1.33 MB as base64 (severity high: AWS
//!   says CloudFront truncates it rather than answering 502); a request `uri` plus
//!   `querystring` of 8,192 characters or more.
//! - `LAMBDA_BAD_STATUS`: a response's `status` is missing ("status is required"; in a
//!   request event a result with a response's members and no `uri` is a response), not an
//!   integer or a string of digits, or outside 200-599; in a viewer-response event with the original, a status that
//!   differs from the original's.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::finding::{Code, Finding, Severity};

/// The four Lambda@Edge triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// `viewer-request`: before CloudFront looks in its cache.
    ViewerRequest,
    /// `origin-request`: before CloudFront forwards a cache miss to the origin.
    OriginRequest,
    /// `origin-response`: after the origin answers, before caching.
    OriginResponse,
    /// `viewer-response`: before CloudFront answers the viewer.
    ViewerResponse,
}

impl EventType {
    /// All event types, in the order a request meets them.
    pub const ALL: [EventType; 4] = [
        EventType::ViewerRequest,
        EventType::OriginRequest,
        EventType::OriginResponse,
        EventType::ViewerResponse,
    ];

    /// The name CloudFront uses (`config.eventType`), e.g. `viewer-request`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ViewerRequest => "viewer-request",
            EventType::OriginRequest => "origin-request",
            EventType::OriginResponse => "origin-response",
            EventType::ViewerResponse => "viewer-response",
        }
    }

    /// Whether the function sees a request (and may return a request or a generated response).
    pub fn is_request(self) -> bool {
        matches!(self, EventType::ViewerRequest | EventType::OriginRequest)
    }

    /// Whether the event faces the viewer (viewer request or viewer response).
    pub fn is_viewer(self) -> bool {
        matches!(self, EventType::ViewerRequest | EventType::ViewerResponse)
    }

    /// The event type a full event file names in `Records[0].cf.config.eventType`, if any.
    pub fn detect(value: &Value) -> Option<EventType> {
        LintInput::new(value).event_type()
    }

    /// The headers a function may read but not add, change or remove in this event type
    /// (lower case). Source: the current "Restrictions on all edge functions" page,
    /// <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html>:
    /// "If your function adds or edits a read-only header, the request fails CloudFront
    /// validation and CloudFront returns HTTP status code 502 (Bad Gateway) to the viewer."
    pub fn read_only_headers(self) -> &'static [&'static str] {
        match self {
            // "The following headers are read-only in viewer request events": CDN-Loop,
            // Content-Length, Host, Transfer-Encoding, Via.
            EventType::ViewerRequest => &[
                "cdn-loop",
                "content-length",
                "host",
                "transfer-encoding",
                "via",
            ],
            // "Read-only headers in origin request events (Lambda@Edge only)".
            EventType::OriginRequest => &[
                "accept-encoding",
                "cdn-loop",
                "content-length",
                "if-modified-since",
                "if-none-match",
                "if-range",
                "if-unmodified-since",
                "transfer-encoding",
                "via",
            ],
            // "Read-only headers in origin response events (Lambda@Edge only)".
            EventType::OriginResponse => &["transfer-encoding", "via"],
            // "The following headers are read-only in viewer response events for both CloudFront
            // Functions and Lambda@Edge: Warning, Via. The following headers are read-only in
            // viewer response events for Lambda@Edge: Content-Length, Content-Encoding,
            // Transfer-Encoding."
            EventType::ViewerResponse => &[
                "content-encoding",
                "content-length",
                "transfer-encoding",
                "warning",
                "via",
            ],
        }
    }

    /// The largest generated response (headers and body), in bytes: 40 KB in viewer events,
    /// 1 MB in origin events.
    pub fn generated_response_limit(self) -> usize {
        if self.is_viewer() {
            40 * KIB
        } else {
            MIB
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        EventType::ALL
            .iter()
            .copied()
            .find(|event| event.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "`{s}` is not an event type: use viewer-request, origin-request, origin-response or viewer-response"
                )
            })
    }
}

/// What a lint-lambda file holds, once unwrapped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LintInput<'a> {
    /// A bare result (or anything that is not an event): linted as it is.
    Bare(&'a Value),
    /// A whole event (`{"Records": [...]}`).
    Event {
        /// `Records[0].cf.config.eventType`, when present and known.
        event_type: Option<EventType>,
        /// `Records[0].cf`, when present.
        cf: Option<&'a Value>,
    },
}

impl<'a> LintInput<'a> {
    /// Unwraps a file: an object with a `Records` field is an event, anything else a bare result.
    pub fn new(value: &'a Value) -> LintInput<'a> {
        let Some(records) = value.get("Records") else {
            return LintInput::Bare(value);
        };
        let cf = records.get(0).and_then(|record| record.get("cf"));
        let event_type = cf
            .and_then(|cf| cf.get("config"))
            .and_then(|config| config.get("eventType"))
            .and_then(Value::as_str)
            .and_then(|name| name.parse().ok());
        LintInput::Event { event_type, cf }
    }

    /// The event type the file names, if it is an event that names a known one.
    pub fn event_type(&self) -> Option<EventType> {
        match self {
            LintInput::Bare(_) => None,
            LintInput::Event { event_type, .. } => *event_type,
        }
    }

    /// The function result and its JSON-pointer path in the file: the bare value, or for an
    /// event `cf.response` when present (a generated response in request events) else
    /// `cf.request` in request events, and `cf.response` in response events. `None` for an
    /// event without that object.
    pub fn result(&self, event: EventType) -> Option<(&'a Value, &'static str)> {
        match self {
            LintInput::Bare(value) => Some((value, "")),
            LintInput::Event { cf, .. } => {
                let cf = (*cf)?;
                match cf.get("response") {
                    Some(response) => Some((response, "/Records/0/cf/response")),
                    None if event.is_request() => cf
                        .get("request")
                        .map(|request| (request, "/Records/0/cf/request")),
                    None => None,
                }
            }
        }
    }

    /// What the function received, for comparison: the bare value, or for an event
    /// `cf.request` in request events and `cf.response` in response events.
    pub fn incoming(&self, event: EventType) -> Option<&'a Value> {
        match self {
            LintInput::Bare(value) => Some(value),
            LintInput::Event { cf, .. } => {
                let cf = (*cf)?;
                cf.get(if event.is_request() {
                    "request"
                } else {
                    "response"
                })
            }
        }
    }
}

/// What a function returned, which decides the rules that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// A (possibly modified) request, in a request event.
    Request,
    /// A response generated in a request event (the result has a `status` field).
    GeneratedResponse,
    /// A (possibly modified) response, in a response event.
    Response,
}

impl ResultKind {
    /// The kind of `result` in `event`: in request events a result with `status` is a
    /// generated response, anything else a request; in response events it is a response.
    ///
    /// A result without `status` and without `uri` that has a response's own members
    /// (`statusDescription`, `bodyEncoding`, or a string `body`: a request's body is an
    /// object) is a generated response that forgot its status, not a request: AWS, "note that
    /// only the status field is required"
    /// (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-generating-http-responses.html>).
    pub fn of(result: &Value, event: EventType) -> ResultKind {
        let looks_like_response = result.get("uri").is_none()
            && (result.get("statusDescription").is_some()
                || result.get("bodyEncoding").is_some()
                || result.get("body").is_some_and(Value::is_string));
        if !event.is_request() {
            ResultKind::Response
        } else if result.get("status").is_some() || looks_like_response {
            ResultKind::GeneratedResponse
        } else {
            ResultKind::Request
        }
    }
}

/// Lints a function result (bare, or inside a whole event) for `event`; `original` is what the
/// function received (a whole event or the bare request/response), which the read-only header
/// and viewer-response status rules compare against. See the module documentation for the rules.
pub fn lint(value: &Value, event: EventType, original: Option<&Value>) -> Vec<Finding> {
    let mut linter = Linter {
        event,
        base: "",
        findings: Vec::new(),
    };
    let Some((result, base)) = LintInput::new(value).result(event) else {
        let wanted = if event.is_request() {
            "a request or response object"
        } else {
            "a response object"
        };
        linter.malformed(
            "/Records/0/cf".to_string(),
            &format!("an event record holding {wanted}"),
            "none",
        );
        return linter.findings;
    };
    linter.base = base;
    let Some(object) = result.as_object() else {
        linter.malformed(String::new(), "a JSON object", kind_of(result));
        return linter.findings;
    };
    let kind = ResultKind::of(result, event);
    // The original only means something when it is the same kind of object as the result: a
    // generated response replaces the request, it does not modify it.
    let original = original
        .and_then(|original| LintInput::new(original).incoming(event))
        .and_then(Value::as_object)
        .filter(|_| kind != ResultKind::GeneratedResponse);
    match kind {
        ResultKind::Request => linter.request(object, original),
        ResultKind::GeneratedResponse | ResultKind::Response => {
            linter.response(object, kind, original)
        }
    }
    linter.findings
}

/// AWS writes "KB" and "MB" without defining them; originscan reads them as binary units
/// (1 KB = 1,024 bytes, 1 MB = 1,048,576 bytes), the larger reading, so that it does not flag a
/// size CloudFront accepts. Inferred.
const KIB: usize = 1024;
/// 1 MB, read as 1,048,576 bytes (see [`KIB`]).
const MIB: usize = 1024 * 1024;
/// A replaced request body returned as text: 40 KB (viewer request), 1 MB (origin request).
const TEXT_BODY_LIMIT_VIEWER: usize = 40 * KIB;
const TEXT_BODY_LIMIT_ORIGIN: usize = MIB;
/// 53.2 KB and 1.33 MB (AWS's figures for a base64 body, about 4/3 of the text limits).
const BASE64_BODY_LIMIT_VIEWER: usize = 532 * KIB / 10;
const BASE64_BODY_LIMIT_ORIGIN: usize = 133 * MIB / 100;
/// The URI plus the query string must be shorter than this many characters.
const URI_LIMIT_CHARS: usize = 8192;
/// AWS: "If the status value isn't between 200 and 599, CloudFront returns an error to the
/// viewer" (`lambda-generating-http-responses.html`, and "between 200 and 599 (inclusive)" in
/// `lambda-updating-http-responses.html`).
const STATUS_RANGE: std::ops::RangeInclusive<u64> = 200..=599;

/// Headers CloudFront neither exposes nor accepts from a function (exact names, lower case).
const DISALLOWED: &[&str] = &[
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "trailer",
    "upgrade",
    "x-accel-buffering",
    "x-accel-charset",
    "x-accel-limit-rate",
    "x-accel-redirect",
    "x-cache",
    "x-forwarded-proto",
    "x-real-ip",
];
/// Disallowed prefixes. `x-amzn-` is docs/CLOUDFRONT.md's (and AWS's older page's) `X-Amzn-*`; the
/// current AWS page lists eleven `X-Amzn-` names instead, all of which the prefix covers.
const DISALLOWED_PREFIXES: &[&str] = &["x-amz-cf-", "x-amzn-", "x-edge-"];
/// Disallowed in viewer events only.
const DISALLOWED_IN_VIEWER_EVENTS: &str = "cloudfront-viewer-country";

fn is_disallowed(lower: &str, event: EventType) -> bool {
    DISALLOWED.contains(&lower)
        || DISALLOWED_PREFIXES
            .iter()
            .any(|prefix| lower.starts_with(prefix))
        || (event.is_viewer() && lower == DISALLOWED_IN_VIEWER_EVENTS)
}

/// One header of a header map, as far as it could be read.
struct Header {
    /// The key as written.
    name: String,
    /// The key in lower case.
    lower: String,
    /// The string `value`s of the well-formed entries.
    values: Vec<String>,
}

/// Collects findings for one result.
struct Linter {
    event: EventType,
    /// The JSON pointer of the result in the file.
    base: &'static str,
    findings: Vec<Finding>,
}

impl Linter {
    fn push(&mut self, finding: Finding) {
        self.findings
            .push(finding.evidence("event_type", self.event.as_str()));
    }

    fn malformed(&mut self, path: String, expected: &str, found: &str) {
        let path = format!("{}{path}", self.base);
        let at = if path.is_empty() { "the result" } else { &path };
        let summary = format!(
            "{} result: {at} is not {expected} (found {found})",
            self.event
        );
        self.push(
            Finding::new(Code::LAMBDA_MALFORMED, summary)
                .evidence("path", path.as_str())
                .evidence("expected", expected)
                .evidence("found", found),
        );
    }

    fn request(&mut self, request: &Map<String, Value>, original: Option<&Map<String, Value>>) {
        let uri = match request.get("uri") {
            None => {
                self.malformed("/uri".into(), "a string starting with /", "none");
                None
            }
            Some(Value::String(uri)) if uri.starts_with('/') => Some(uri.as_str()),
            Some(Value::String(uri)) => {
                self.malformed(
                    "/uri".into(),
                    "a string starting with /",
                    &format!("{:?}", preview(uri)),
                );
                None
            }
            Some(other) => {
                self.malformed("/uri".into(), "a string starting with /", kind_of(other));
                None
            }
        };
        for field in ["method", "querystring", "clientIp"] {
            if let Some(value) = request.get(field).filter(|v| !v.is_string()) {
                self.malformed(format!("/{field}"), "a string", kind_of(value));
            }
        }
        let querystring = request
            .get("querystring")
            .and_then(Value::as_str)
            .unwrap_or("");
        // edge-functions-restrictions.html: "If a function creates or updates a query string,
        // the following restrictions apply: The query string can't include spaces, control
        // characters, or the fragment identifier (#)." A query string CloudFront passes in
        // never holds them, so one that does was written by the function.
        if let Some(bad) = querystring
            .chars()
            .find(|c| *c == ' ' || *c == '#' || c.is_control())
        {
            let what = match bad {
                ' ' => "a space".to_string(),
                '#' => "the fragment identifier #".to_string(),
                other => format!("the control character U+{:04X}", u32::from(other)),
            };
            self.malformed(
                "/querystring".into(),
                "a query string without spaces, control characters or # (AWS: the query string \
                 can't include spaces, control characters, or the fragment identifier)",
                &what,
            );
        }
        if let Some(uri) = uri {
            let length = uri.chars().count() + querystring.chars().count();
            if length >= URI_LIMIT_CHARS {
                let summary = format!(
                    "{} result: the URI and query string are {length} characters, CloudFront's limit is under {URI_LIMIT_CHARS}",
                    self.event
                );
                self.push(
                    Finding::new(Code::LAMBDA_RESPONSE_TOO_LARGE, summary)
                        .evidence("path", format!("{}/uri", self.base))
                        .evidence("size_chars", length)
                        .evidence("limit_chars", URI_LIMIT_CHARS),
                );
            }
        }

        let headers = self.headers(request.get("headers"), "/headers");
        self.disallowed(&headers, "/headers");
        if let Some(original) = original {
            let before = read_headers(original.get("headers"));
            self.changed_read_only(&before, &headers);
        }
        if let Some(body) = request.get("body") {
            self.request_body(body);
        }
        if let Some(origin) = request.get("origin") {
            self.origin(origin);
        }
    }

    fn request_body(&mut self, body: &Value) {
        let Some(body) = body.as_object() else {
            self.malformed(
                "/body".into(),
                "an object {inputTruncated, action, encoding, data}",
                kind_of(body),
            );
            return;
        };
        let action = self.enumerated(body, "/body", "action", &["read-only", "replace"]);
        let encoding = self.enumerated(body, "/body", "encoding", &["base64", "text"]);
        if let Some(value) = body.get("inputTruncated").filter(|v| !v.is_boolean()) {
            self.malformed("/body/inputTruncated".into(), "a boolean", kind_of(value));
        }
        let data = match body.get("data") {
            None => None,
            Some(Value::String(data)) => Some(data.as_str()),
            Some(other) => {
                self.malformed("/body/data".into(), "a string", kind_of(other));
                None
            }
        };
        // CloudFront ignores the body unless the function replaces it.
        if action != Some("replace") {
            return;
        }
        let Some(data) = data else {
            return;
        };
        let base64 = encoding == Some("base64");
        if base64 && base64_decoded_len(data).is_none() {
            self.malformed(
                "/body/data".into(),
                "valid base64 (encoding is base64)",
                "other text",
            );
            return;
        }
        let viewer = self.event == EventType::ViewerRequest;
        let limit = match (base64, viewer) {
            (true, true) => BASE64_BODY_LIMIT_VIEWER,
            (true, false) => BASE64_BODY_LIMIT_ORIGIN,
            (false, true) => TEXT_BODY_LIMIT_VIEWER,
            (false, false) => TEXT_BODY_LIMIT_ORIGIN,
        };
        if data.len() > limit {
            let summary = format!(
                "{} result: the replaced request body is {} bytes as {}, over the {limit}-byte limit: CloudFront truncates it",
                self.event,
                data.len(),
                if base64 { "base64" } else { "text" }
            );
            self.push(
                Finding::new(Code::LAMBDA_RESPONSE_TOO_LARGE, summary)
                    .severity(Severity::High)
                    .evidence("path", format!("{}/body/data", self.base))
                    .evidence("size_bytes", data.len())
                    .evidence("limit_bytes", limit)
                    .evidence("encoding", if base64 { "base64" } else { "text" }),
            );
        }
    }

    /// Checks the `origin` object: exactly one of `custom` and `s3`, a custom origin's fields
    /// in the event-structure page's ranges, and `origin.custom.customHeaders` /
    /// `origin.s3.customHeaders`.
    fn origin(&mut self, origin: &Value) {
        let Some(origin) = origin.as_object() else {
            self.malformed("/origin".into(), "an object", kind_of(origin));
            return;
        };
        // lambda-event-structure.html: "The origin structure must contain exactly one origin,
        // which can be a custom origin or an Amazon S3 origin."
        if origin.contains_key("custom") && origin.contains_key("s3") {
            self.malformed(
                "/origin".into(),
                "exactly one origin, custom or s3 (AWS: the origin structure must contain \
                 exactly one origin)",
                "both custom and s3",
            );
        }
        if let Some(custom) = origin.get("custom").and_then(Value::as_object) {
            self.custom_origin(custom);
        }
        for kind in ["custom", "s3"] {
            let Some(custom_headers) = origin.get(kind).and_then(|o| o.get("customHeaders")) else {
                continue;
            };
            let path = format!("/origin/{kind}/customHeaders");
            let headers = self.headers(Some(custom_headers), &path);
            self.disallowed(&headers, &path);
        }
    }

    /// A custom origin's fields, each against the sentence of
    /// <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html>
    /// ("Fields in the request object", `origin`) that it quotes. Fields that are absent are
    /// not checked: CloudFront keeps what the event held.
    fn custom_origin(&mut self, custom: &Map<String, Value>) {
        // "The domain name can't include a colon (:), and can't be an IP address. The domain
        // name can be up to 253 characters."
        if let Some(domain) = custom.get("domainName") {
            let problem = match domain.as_str() {
                None => Some(kind_of(domain).to_string()),
                Some("") => Some("an empty string".to_string()),
                Some(d) if d.parse::<std::net::IpAddr>().is_ok() => {
                    Some(format!("the IP address {:?}", preview(d)))
                }
                Some(d) if d.contains(':') => Some(format!("{:?}, with a colon", preview(d))),
                Some(d) if d.chars().count() > 253 => {
                    Some(format!("{} characters", d.chars().count()))
                }
                Some(_) => None,
            };
            if let Some(found) = problem {
                self.malformed(
                    "/origin/custom/domainName".into(),
                    "a DNS domain name of at most 253 characters, without a colon, not an IP \
                     address (AWS: the domain name can't include a colon (:), and can't be an IP \
                     address)",
                    &found,
                );
            }
        }
        // "The port must be 80, 443, or a number in the range of 1024–65535, inclusive."
        self.custom_number(
            custom,
            "port",
            |n| n == 80 || n == 443 || (1024..=65535).contains(&n),
            "80, 443, or a number in 1024-65535 (AWS: the port must be 80, 443, or a number in \
             the range of 1024–65535, inclusive)",
        );
        // "The value must be a number from 4–60, inclusive."
        self.custom_number(
            custom,
            "readTimeout",
            |n| (4..=60).contains(&n),
            "a number of seconds from 4 to 60 (AWS: the value must be a number from 4–60, \
             inclusive)",
        );
        // "The value must be a number from 1–60, inclusive."
        self.custom_number(
            custom,
            "keepaliveTimeout",
            |n| (1..=60).contains(&n),
            "a number of seconds from 1 to 60 (AWS: the value must be a number from 1–60, \
             inclusive)",
        );
        // "The value can be http or https."
        if let Some(protocol) = custom.get("protocol") {
            if !matches!(protocol.as_str(), Some("http" | "https")) {
                let found = match protocol.as_str() {
                    Some(p) => format!("{:?}", preview(p)),
                    None => kind_of(protocol).to_string(),
                };
                self.malformed(
                    "/origin/custom/protocol".into(),
                    "http or https (AWS: the value can be http or https)",
                    &found,
                );
            }
        }
    }

    /// Checks that `custom[field]`, when present, is a whole number that `valid` accepts.
    fn custom_number(
        &mut self,
        custom: &Map<String, Value>,
        field: &str,
        valid: impl Fn(u64) -> bool,
        expected: &str,
    ) {
        let Some(value) = custom.get(field) else {
            return;
        };
        if value.as_u64().is_some_and(valid) {
            return;
        }
        let found = match value {
            Value::Number(n) => n.to_string(),
            other => kind_of(other).to_string(),
        };
        self.malformed(format!("/origin/custom/{field}"), expected, &found);
    }

    fn response(
        &mut self,
        response: &Map<String, Value>,
        kind: ResultKind,
        original: Option<&Map<String, Value>>,
    ) {
        let status = self.status(response);
        if let Some(value) = response.get("statusDescription").filter(|v| !v.is_string()) {
            self.malformed("/statusDescription".into(), "a string", kind_of(value));
        }
        let encoding = self.enumerated(response, "", "bodyEncoding", &["text", "base64"]);
        let body = match response.get("body") {
            None => None,
            Some(Value::String(body)) => Some(body.as_str()),
            Some(other) => {
                self.malformed("/body".into(), "a string", kind_of(other));
                None
            }
        };
        let mut body_bytes = body.map_or(0, str::len);
        if let (Some(body), Some("base64")) = (body, encoding) {
            match base64_decoded_len(body) {
                Some(decoded) => body_bytes = decoded,
                None => self.malformed(
                    "/body".into(),
                    "valid base64 (bodyEncoding is base64)",
                    "other text",
                ),
            }
        }

        let headers = self.headers(response.get("headers"), "/headers");
        self.disallowed(&headers, "/headers");

        if kind == ResultKind::GeneratedResponse {
            self.read_only_in_generated(&headers);
            // lambda-generating-http-responses.html, "HTTP No Content Response Contains Body
            // Field": "HTTP 204 status codes (No Content) responses that are generated from
            // CloudFront viewer requests should not include a message body. If the message body
            // is included in the response, CloudFront returns an HTTP 502 status code (Bad
            // Gateway) to the viewer." The heading names the field: its presence counts.
            if self.event == EventType::ViewerRequest
                && status == Some(204)
                && response.contains_key("body")
            {
                self.malformed(
                    "/body".into(),
                    "no body in a 204 (No Content) response generated in a viewer-request \
                     event (AWS: CloudFront returns an HTTP 502 status code)",
                    &format!("a body of {body_bytes} bytes"),
                );
            }
            // Inferred: what CloudFront counts is not documented; this counts the status line's
            // parts, each header name and value, and the body as the viewer receives it.
            let status_bytes = response.get("status").map_or(0, |s| {
                s.as_str().map_or_else(|| s.to_string().len(), str::len)
            });
            let description_bytes = response
                .get("statusDescription")
                .and_then(Value::as_str)
                .map_or(0, str::len);
            let header_bytes: usize = headers
                .iter()
                .map(|h| {
                    h.values
                        .iter()
                        .map(|v| h.name.len() + v.len())
                        .sum::<usize>()
                })
                .sum();
            let size = status_bytes + description_bytes + header_bytes + body_bytes;
            let limit = self.event.generated_response_limit();
            if size > limit {
                let summary = format!(
                    "{} result: the generated response is {size} bytes (headers and body), over the {limit}-byte limit",
                    self.event
                );
                self.push(
                    Finding::new(Code::LAMBDA_RESPONSE_TOO_LARGE, summary)
                        .evidence("path", self.base)
                        .evidence("size_bytes", size)
                        .evidence("limit_bytes", limit)
                        .evidence("header_bytes", header_bytes)
                        .evidence("body_bytes", body_bytes),
                );
            }
        } else if let Some(original) = original {
            let before = read_headers(original.get("headers"));
            self.changed_read_only(&before, &headers);
            if self.event == EventType::ViewerResponse {
                let before = original.get("status").and_then(parse_status);
                if let (Some(before), Some(after)) = (before, status) {
                    if before != after {
                        let summary = format!(
                            "viewer-response result changes the status from {before} to {after}: viewer-response functions cannot change it"
                        );
                        self.push(
                            Finding::new(Code::LAMBDA_BAD_STATUS, summary)
                                .evidence("path", format!("{}/status", self.base))
                                .evidence("status", after)
                                .evidence("original_status", before),
                        );
                    }
                }
            }
        }
    }

    /// Checks `status`; returns it when it is a valid code.
    fn status(&mut self, response: &Map<String, Value>) -> Option<u64> {
        let expected = "an HTTP status code in 200-599 (integer or string of digits)";
        let path = format!("{}/status", self.base);
        let found = match response.get("status") {
            None => "none".to_string(),
            Some(value @ (Value::Number(_) | Value::String(_))) => match parse_status(value) {
                Some(status) => return Some(status),
                None => match value {
                    Value::String(s) => format!("{:?}", preview(s)),
                    other => other.to_string(),
                },
            },
            Some(other) => {
                self.malformed("/status".into(), expected, kind_of(other));
                return None;
            }
        };
        let summary = if found == "none" {
            // AWS: "note that only the status field is required".
            format!(
                "{} result: status is required: a response must have an HTTP status code in 200-599",
                self.event
            )
        } else {
            format!("{} result: status {found} is not {expected}", self.event)
        };
        self.push(
            Finding::new(Code::LAMBDA_BAD_STATUS, summary)
                .evidence("path", path)
                .evidence("expected", expected)
                .evidence("found", found),
        );
        None
    }

    /// Checks that `object[field]`, when present, is one of `allowed`; returns it when it is.
    fn enumerated(
        &mut self,
        object: &Map<String, Value>,
        parent: &str,
        field: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let value = object.get(field)?;
        let found = value
            .as_str()
            .and_then(|s| allowed.iter().copied().find(|a| *a == s));
        if found.is_none() {
            let shown = match value {
                Value::String(s) => format!("{:?}", preview(s)),
                other => kind_of(other).to_string(),
            };
            self.malformed(
                format!("{parent}/{field}"),
                &format!("one of {}", allowed.join(", ")),
                &shown,
            );
        }
        found
    }

    /// Validates a header map (reporting what is malformed) and returns what could be read.
    fn headers(&mut self, headers: Option<&Value>, path: &str) -> Vec<Header> {
        let Some(headers) = headers else {
            return Vec::new();
        };
        let Some(map) = headers.as_object() else {
            self.malformed(
                path.to_string(),
                "an object of lower-case header names",
                kind_of(headers),
            );
            return Vec::new();
        };
        let mut read = Vec::with_capacity(map.len());
        for (name, entries) in map {
            let at = format!("{path}/{}", pointer_token(name));
            let lower = name.to_ascii_lowercase();
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                self.malformed(
                    at.clone(),
                    "a header name of HTTP token characters",
                    &format!("{:?}", preview(name)),
                );
            } else if *name != lower {
                self.malformed(
                    at.clone(),
                    &format!("a lower-case header name ({lower:?})"),
                    &format!("{:?}", preview(name)),
                );
            }
            let Some(entries) = entries.as_array() else {
                self.malformed(at, "a list of {key, value} objects", kind_of(entries));
                read.push(Header {
                    name: name.clone(),
                    lower,
                    values: Vec::new(),
                });
                continue;
            };
            let mut values = Vec::with_capacity(entries.len());
            for (index, entry) in entries.iter().enumerate() {
                let at = format!("{at}/{index}");
                let Some(entry) = entry.as_object() else {
                    self.malformed(at, "a {key, value} object", kind_of(entry));
                    continue;
                };
                match entry.get("key") {
                    None => {}
                    Some(Value::String(key)) if key.eq_ignore_ascii_case(name) => {}
                    Some(Value::String(key)) => self.malformed(
                        format!("{at}/key"),
                        &format!("the header name {name:?} in any case"),
                        &format!("{:?}", preview(key)),
                    ),
                    Some(other) => self.malformed(format!("{at}/key"), "a string", kind_of(other)),
                }
                match entry.get("value") {
                    Some(Value::String(value)) if value.contains(['\r', '\n', '\0']) => self
                        .malformed(
                            format!("{at}/value"),
                            "a string without CR, LF or NUL",
                            "a control character",
                        ),
                    Some(Value::String(value)) => values.push(value.clone()),
                    Some(other) => {
                        self.malformed(format!("{at}/value"), "a string", kind_of(other))
                    }
                    None => self.malformed(format!("{at}/value"), "a string", "none"),
                }
            }
            read.push(Header {
                name: name.clone(),
                lower,
                values,
            });
        }
        read
    }

    fn disallowed(&mut self, headers: &[Header], path: &str) {
        for header in headers {
            if !is_disallowed(&header.lower, self.event) {
                continue;
            }
            let summary = format!(
                "{} result sets the disallowed header {}",
                self.event, header.name
            );
            self.push(
                Finding::new(Code::LAMBDA_DISALLOWED_HEADER, summary)
                    .evidence(
                        "path",
                        format!("{}{path}/{}", self.base, pointer_token(&header.name)),
                    )
                    .evidence("header", header.lower.as_str()),
            );
        }
    }

    fn read_only_in_generated(&mut self, headers: &[Header]) {
        for header in headers {
            if !self
                .event
                .read_only_headers()
                .contains(&header.lower.as_str())
            {
                continue;
            }
            let summary = format!(
                "{} result: the generated response sets {}, read-only in {} events",
                self.event, header.name, self.event
            );
            self.push(
                Finding::new(Code::LAMBDA_READ_ONLY_HEADER, summary)
                    .evidence(
                        "path",
                        format!("{}/headers/{}", self.base, pointer_token(&header.name)),
                    )
                    .evidence("header", header.lower.as_str())
                    .evidence(
                        "note",
                        "inferred: AWS lists read-only headers per event type without saying how generated responses are treated",
                    ),
            );
        }
    }

    fn changed_read_only(&mut self, before: &[Header], after: &[Header]) {
        for &name in self.event.read_only_headers() {
            let was = values_of(before, name);
            let is = values_of(after, name);
            if was == is {
                continue;
            }
            let change = match (was.is_empty(), is.is_empty()) {
                (true, _) => "adds",
                (_, true) => "removes",
                _ => "changes",
            };
            let summary = format!("{} result {change} the read-only header {name}", self.event);
            self.push(
                Finding::new(Code::LAMBDA_READ_ONLY_HEADER, summary)
                    .evidence(
                        "path",
                        format!("{}/headers/{}", self.base, pointer_token(name)),
                    )
                    .evidence("header", name)
                    .evidence("before", was)
                    .evidence("after", is),
            );
        }
    }
}

/// Reads a header map without reporting anything (for the original).
fn read_headers(headers: Option<&Value>) -> Vec<Header> {
    let mut quiet = Linter {
        event: EventType::ViewerRequest,
        base: "",
        findings: Vec::new(),
    };
    quiet.headers(headers, "")
}

/// All values of a header, over every key that lower-cases to `lower`.
fn values_of(headers: &[Header], lower: &str) -> Vec<String> {
    headers
        .iter()
        .filter(|h| h.lower == lower)
        .flat_map(|h| h.values.iter().cloned())
        .collect()
}

/// A status given as an integer or a string of digits, when it is in 200-599.
fn parse_status(value: &Value) -> Option<u64> {
    let status = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    STATUS_RANGE.contains(&status).then_some(status)
}

/// The decoded length of standard base64 text (`A-Z a-z 0-9 + /`, `=` padding only at the end),
/// or `None` when it is not base64. ASCII whitespace is skipped and unpadded text accepted, as
/// Node.js's decoder does; whether CloudFront is as lenient is not documented (inferred).
fn base64_decoded_len(text: &str) -> Option<usize> {
    let mut symbols = 0usize;
    let mut padding = 0usize;
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if padding == 0 => symbols += 1,
            b'=' if padding < 2 => padding += 1,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => return None,
        }
    }
    if padding > 0 && !(symbols + padding).is_multiple_of(4) {
        return None;
    }
    match symbols % 4 {
        1 => None,
        rest => Some(symbols / 4 * 3 + rest.saturating_sub(1)),
    }
}

/// RFC 7230 `tchar`.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// A JSON-pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`).
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The JSON type of a value, for evidence.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// At most 60 characters of `text`, for evidence.
fn preview(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::{Path, PathBuf};

    fn dir(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/lambda")
            .join(name)
    }

    fn read(path: &Path) -> Value {
        let text = std::fs::read_to_string(path).unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every fixture in `valid/` or `invalid/`: (file name, event type from the name prefix,
    /// result, original from `original/<same name>` if there is one).
    fn fixtures(kind: &str) -> Vec<(String, EventType, Value, Option<Value>)> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir(kind)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".json") {
                continue;
            }
            let event = EventType::ALL
                .into_iter()
                .find(|e| name.starts_with(&format!("{}-", e.as_str())))
                .unwrap_or_else(|| panic!("{name}: name does not start with an event type"));
            let original_path = dir("original").join(&name);
            let original = original_path.exists().then(|| read(&original_path));
            found.push((name, event, read(&path), original));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    fn codes(findings: &[Finding]) -> Vec<Code> {
        findings.iter().map(|f| f.code).collect()
    }

    /// The code an invalid fixture's name announces.
    fn expected_code(name: &str) -> Code {
        [
            ("malformed", Code::LAMBDA_MALFORMED),
            ("disallowed-header", Code::LAMBDA_DISALLOWED_HEADER),
            ("read-only-header", Code::LAMBDA_READ_ONLY_HEADER),
            ("too-large", Code::LAMBDA_RESPONSE_TOO_LARGE),
            ("bad-status", Code::LAMBDA_BAD_STATUS),
        ]
        .into_iter()
        .find(|(part, _)| name.contains(part))
        .map(|(_, code)| code)
        .unwrap_or_else(|| panic!("{name}: name does not say which code it expects"))
    }

    #[test]
    fn valid_fixtures_give_no_finding() {
        let valid = fixtures("valid");
        for event in EventType::ALL {
            assert!(
                valid.iter().any(|(_, e, _, _)| *e == event),
                "no valid fixture for {event}"
            );
        }
        for (name, event, value, original) in &valid {
            let findings = lint(value, *event, original.as_ref());
            assert!(findings.is_empty(), "{name}: {findings:#?}");
            if let Some(named) = EventType::detect(value) {
                assert_eq!(named, *event, "{name}: eventType differs from the name");
            }
        }
    }

    #[test]
    fn invalid_fixtures_give_exactly_their_code() {
        let invalid = fixtures("invalid");
        let mut seen = Vec::new();
        for (name, event, value, original) in &invalid {
            let expected = expected_code(name);
            let findings = lint(value, *event, original.as_ref());
            assert!(!findings.is_empty(), "{name}: no finding");
            assert!(
                findings.iter().all(|f| f.code == expected),
                "{name}: expected only {expected}, got {findings:#?}"
            );
            for f in &findings {
                assert_eq!(f.evidence["event_type"], event.as_str(), "{name}");
                assert!(f.evidence.contains_key("path"), "{name}: {f:?}");
            }
            seen.push(expected);
        }
        for code in Code::ALL
            .iter()
            .filter(|c| c.as_str().starts_with("LAMBDA_"))
        {
            assert!(seen.contains(code), "no invalid fixture for {code}");
        }
    }

    #[test]
    fn event_types_parse_print_and_detect() {
        for event in EventType::ALL {
            assert_eq!(event.as_str().parse::<EventType>().unwrap(), event);
            assert_eq!(event.to_string(), event.as_str());
        }
        assert_eq!(
            "Origin-Response".parse::<EventType>().unwrap(),
            EventType::OriginResponse
        );
        assert!("viewer".parse::<EventType>().is_err());
        let event = json!({"Records": [{"cf": {"config": {"eventType": "origin-request"}, "request": {"uri": "/"}}}]});
        assert_eq!(EventType::detect(&event), Some(EventType::OriginRequest));
        assert_eq!(EventType::detect(&json!({"uri": "/"})), None);
        assert_eq!(EventType::detect(&json!({"Records": "x"})), None);
        assert_eq!(EventType::detect(&json!([1])), None);
    }

    #[test]
    fn result_kind_follows_event_and_status() {
        let request = json!({"uri": "/"});
        let response = json!({"status": "200"});
        assert_eq!(
            ResultKind::of(&request, EventType::ViewerRequest),
            ResultKind::Request
        );
        assert_eq!(
            ResultKind::of(&response, EventType::OriginRequest),
            ResultKind::GeneratedResponse
        );
        assert_eq!(
            ResultKind::of(&response, EventType::ViewerResponse),
            ResultKind::Response
        );
        // In a request event, an event file's cf.response is the generated response.
        let event =
            json!({"Records": [{"cf": {"request": {"uri": "/"}, "response": {"status": 301}}}]});
        let (result, path) = LintInput::new(&event)
            .result(EventType::ViewerRequest)
            .unwrap();
        assert_eq!(result, &json!({"status": 301}));
        assert_eq!(path, "/Records/0/cf/response");
    }

    #[test]
    fn non_objects_are_malformed_and_nothing_panics() {
        for value in [
            json!(null),
            json!(true),
            json!(3),
            json!("x"),
            json!([1, 2]),
        ] {
            for event in EventType::ALL {
                let findings = lint(&value, event, Some(&value));
                assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED], "{value}");
                assert_eq!(findings[0].evidence["path"], "");
            }
        }
        let strange = [
            json!({"Records": []}),
            json!({"Records": [{"cf": null}]}),
            json!({"Records": [{"cf": {"request": 5}}]}),
            json!({"uri": 5, "headers": [], "body": "x", "origin": 1, "status": null}),
            json!({"status": {"a": 1}, "headers": {"": [{"value": 1}], "a b": "c"}, "body": 1, "bodyEncoding": 2}),
            json!({"status": "99999999999999999999999", "headers": {"x": [null, [], {"key": 1}]}}),
            json!({"uri": "/", "body": {"action": "replace", "encoding": "base64", "data": "===="}}),
            json!({"uri": "/", "origin": {"custom": {"customHeaders": 7}, "s3": null}}),
        ];
        for value in &strange {
            for event in EventType::ALL {
                for original in [None, Some(value), Some(&json!(null))] {
                    let _ = lint(value, event, original);
                }
            }
        }
        assert_eq!(
            codes(&lint(
                &json!({"Records": []}),
                EventType::ViewerRequest,
                None
            )),
            [Code::LAMBDA_MALFORMED]
        );
    }

    #[test]
    fn upper_case_header_key_is_malformed() {
        let value = json!({"uri": "/", "headers": {"X-Foo": [{"key": "X-Foo", "value": "1"}]}});
        let findings = lint(&value, EventType::ViewerRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED]);
        assert_eq!(findings[0].evidence["path"], "/headers/X-Foo");
    }

    #[test]
    fn header_shapes_are_checked() {
        let cases = [
            (json!({"x-foo": "1"}), "/headers/x-foo"),
            (json!({"x-foo": ["1"]}), "/headers/x-foo/0"),
            (
                json!({"x-foo": [{"key": "X-Foo"}]}),
                "/headers/x-foo/0/value",
            ),
            (json!({"x-foo": [{"value": 1}]}), "/headers/x-foo/0/value"),
            (
                json!({"x-foo": [{"key": "X-Bar", "value": "1"}]}),
                "/headers/x-foo/0/key",
            ),
            (
                json!({"x-foo": [{"value": "a\r\nb"}]}),
                "/headers/x-foo/0/value",
            ),
            (json!({"x foo": [{"value": "1"}]}), "/headers/x foo"),
            (json!({"x/foo": [{"value": "1"}]}), "/headers/x~1foo"),
        ];
        for (headers, path) in cases {
            let value = json!({"uri": "/", "headers": headers});
            let findings = lint(&value, EventType::OriginRequest, None);
            assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED], "{value}");
            assert_eq!(findings[0].evidence["path"], path, "{value}");
        }
        let findings = lint(
            &json!({"uri": "/", "headers": [1]}),
            EventType::ViewerRequest,
            None,
        );
        assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED]);
        // A key matching in another case, no key at all, and an empty list are fine.
        let fine = json!({"uri": "/", "headers": {"x-foo": [{"key": "x-FOO", "value": "1"}, {"value": "2"}], "x-bar": []}});
        assert!(lint(&fine, EventType::ViewerRequest, None).is_empty());
    }

    #[test]
    fn requests_need_a_uri_starting_with_slash() {
        for value in [
            json!({"method": "GET"}),
            json!({"uri": "index.html"}),
            json!({"uri": 3}),
        ] {
            let findings = lint(&value, EventType::ViewerRequest, None);
            assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED], "{value}");
            assert_eq!(findings[0].evidence["path"], "/uri");
        }
        let value = json!({"uri": "/", "method": 1, "querystring": ["a"]});
        assert_eq!(
            codes(&lint(&value, EventType::OriginRequest, None)),
            [Code::LAMBDA_MALFORMED, Code::LAMBDA_MALFORMED]
        );
        // Unknown fields are not errors.
        let value = json!({"uri": "/", "somethingNew": {"x": 1}});
        assert!(lint(&value, EventType::OriginRequest, None).is_empty());
    }

    #[test]
    fn disallowed_headers_one_finding_each_case_insensitive() {
        let value = json!({"uri": "/", "headers": {
            "x-amz-cf-pop": [{"value": "FRA56-P1"}],
            "x-edge-location": [{"value": "x"}],
            "Keep-Alive": [{"value": "timeout=5"}],
            "x-amzn-trace-id": [{"value": "Root=1"}],
            "x-custom": [{"value": "ok"}],
            "cloudfront-viewer-country": [{"value": "DE"}],
        }});
        let findings = lint(&value, EventType::ViewerRequest, None);
        let mut disallowed: Vec<_> = findings
            .iter()
            .filter(|f| f.code == Code::LAMBDA_DISALLOWED_HEADER)
            .map(|f| f.evidence["header"].as_str().unwrap().to_string())
            .collect();
        disallowed.sort();
        assert_eq!(
            disallowed,
            [
                "cloudfront-viewer-country",
                "keep-alive",
                "x-amz-cf-pop",
                "x-amzn-trace-id",
                "x-edge-location"
            ]
        );
        // The upper-case key is also malformed; nothing else.
        assert_eq!(findings.len(), 6);
        // CloudFront-Viewer-Country is allowed in origin events.
        let origin = lint(&value, EventType::OriginRequest, None);
        assert_eq!(
            origin
                .iter()
                .filter(|f| f.code == Code::LAMBDA_DISALLOWED_HEADER)
                .count(),
            4
        );
        // Custom origin headers take the same restriction.
        let value = json!({"uri": "/", "origin": {"custom": {"customHeaders": {"x-real-ip": [{"key": "X-Real-IP", "value": "1.2.3.4"}]}}}});
        let findings = lint(&value, EventType::OriginRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_DISALLOWED_HEADER]);
        assert_eq!(
            findings[0].evidence["path"],
            "/origin/custom/customHeaders/x-real-ip"
        );
    }

    fn with_host(host: &str) -> Value {
        json!({"uri": "/", "method": "GET", "headers": {
            "host": [{"key": "Host", "value": host}],
            "via": [{"key": "Via", "value": "2.0 abc.cloudfront.net (CloudFront)"}],
        }})
    }

    #[test]
    fn read_only_request_headers_need_the_original() {
        let original = with_host("d111111abcdef8.cloudfront.net");
        let changed = with_host("origin.example.com");
        // Without the original, a request result proves nothing.
        assert!(lint(&changed, EventType::ViewerRequest, None).is_empty());
        // Host is read-only in viewer-request ...
        let findings = lint(&changed, EventType::ViewerRequest, Some(&original));
        assert_eq!(codes(&findings), [Code::LAMBDA_READ_ONLY_HEADER]);
        assert_eq!(findings[0].evidence["header"], "host");
        assert_eq!(
            findings[0].evidence["before"],
            json!(["d111111abcdef8.cloudfront.net"])
        );
        // ... but not in origin-request, where AWS's own examples change it with the origin.
        assert!(lint(&changed, EventType::OriginRequest, Some(&original)).is_empty());
        // Removing Via is a change too, in both.
        let mut removed = original.clone();
        removed["headers"].as_object_mut().unwrap().remove("via");
        for event in [EventType::ViewerRequest, EventType::OriginRequest] {
            let findings = lint(&removed, event, Some(&original));
            assert_eq!(codes(&findings), [Code::LAMBDA_READ_ONLY_HEADER], "{event}");
            assert!(findings[0].summary.contains("removes"));
        }
        // An unchanged request with the original as a whole event is fine.
        let event = json!({"Records": [{"cf": {"config": {"eventType": "viewer-request"}, "request": original}}]});
        assert!(lint(&event, EventType::ViewerRequest, Some(&event)).is_empty());
    }

    #[test]
    fn read_only_in_generated_responses_and_response_events() {
        let generated = json!({"status": "200", "headers": {"via": [{"value": "1.1 me"}], "content-type": [{"value": "text/plain"}]}});
        assert_eq!(
            codes(&lint(&generated, EventType::ViewerRequest, None)),
            [Code::LAMBDA_READ_ONLY_HEADER]
        );
        // A request original does not change that (nothing to compare a generated response with).
        assert_eq!(
            codes(&lint(
                &generated,
                EventType::OriginRequest,
                Some(&with_host("x"))
            )),
            [Code::LAMBDA_READ_ONLY_HEADER]
        );
        // In response events, only a change against the original counts.
        assert!(lint(&generated, EventType::OriginResponse, None).is_empty());
        assert!(lint(&generated, EventType::OriginResponse, Some(&generated)).is_empty());
        let original = json!({"status": "200", "headers": {"via": [{"value": "1.1 origin"}]}});
        let findings = lint(&generated, EventType::OriginResponse, Some(&original));
        assert_eq!(codes(&findings), [Code::LAMBDA_READ_ONLY_HEADER]);
        assert!(findings[0].summary.contains("changes"));
        let added = json!({"status": "200", "headers": {"warning": [{"value": "199 - \"note\""}]}});
        let findings = lint(
            &added,
            EventType::ViewerResponse,
            Some(&json!({"status": "200"})),
        );
        assert_eq!(codes(&findings), [Code::LAMBDA_READ_ONLY_HEADER]);
        assert!(findings[0].summary.contains("adds"));
    }

    #[test]
    fn base64_bodies_must_decode() {
        let garbage =
            json!({"status": 200, "body": "%%% not base64 %%%", "bodyEncoding": "base64"});
        let findings = lint(&garbage, EventType::ViewerRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED]);
        assert_eq!(findings[0].evidence["path"], "/body");
        let text = json!({"status": 200, "body": "%%% not base64 %%%", "bodyEncoding": "text"});
        assert!(lint(&text, EventType::ViewerRequest, None).is_empty());
        let bad_encoding = json!({"status": 200, "body": "x", "bodyEncoding": "gzip"});
        assert_eq!(
            codes(&lint(&bad_encoding, EventType::OriginResponse, None)),
            [Code::LAMBDA_MALFORMED]
        );
        let request =
            json!({"uri": "/", "body": {"action": "replace", "encoding": "base64", "data": "a=b"}});
        let findings = lint(&request, EventType::OriginRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED]);
        assert_eq!(findings[0].evidence["path"], "/body/data");
    }

    #[test]
    fn base64_decoded_lengths() {
        assert_eq!(base64_decoded_len(""), Some(0));
        assert_eq!(base64_decoded_len("aGVsbG8="), Some(5));
        assert_eq!(base64_decoded_len("aGVsbG8"), Some(5));
        assert_eq!(base64_decoded_len("aGVs\nbG8h"), Some(6));
        assert_eq!(base64_decoded_len("aGVsbA=="), Some(4));
        assert_eq!(base64_decoded_len("aGVsb"), None);
        assert_eq!(base64_decoded_len("aGVsbG8=x"), None);
        assert_eq!(base64_decoded_len("aGVsbA==="), None);
        assert_eq!(base64_decoded_len("aGV="), Some(2));
        assert_eq!(base64_decoded_len("aGVsb="), None);
        assert_eq!(base64_decoded_len("aGVs-_8="), None);
    }

    #[test]
    fn statuses_must_be_codes_in_range() {
        for status in [
            json!("abc"),
            json!(600),
            json!("600"),
            json!(99),
            json!(-1),
            json!(200.5),
            json!(""),
            json!("99999999999999999999999"),
        ] {
            let value = json!({"status": status, "headers": {}});
            let findings = lint(&value, EventType::ViewerRequest, None);
            assert_eq!(codes(&findings), [Code::LAMBDA_BAD_STATUS], "{status}");
            assert_eq!(findings[0].evidence["path"], "/status");
        }
        for status in [json!(true), json!([200])] {
            let value = json!({"status": status});
            assert_eq!(
                codes(&lint(&value, EventType::OriginRequest, None)),
                [Code::LAMBDA_MALFORMED],
                "{status}"
            );
        }
        for status in [json!(200), json!("599"), json!(301)] {
            let value = json!({"status": status});
            assert!(lint(&value, EventType::OriginRequest, None).is_empty());
        }
        let missing = json!({"headers": {}});
        assert_eq!(
            codes(&lint(&missing, EventType::OriginResponse, None)),
            [Code::LAMBDA_BAD_STATUS]
        );
    }

    /// AWS (lambda-generating-http-responses.html): "note that only the status field is
    /// required". A response without one is named as such, not as a request without a uri.
    #[test]
    fn a_response_without_status_is_told_status_is_required() {
        for event in [EventType::ViewerRequest, EventType::OriginRequest] {
            for value in [
                json!({"statusDescription": "OK", "headers": {}, "body": "<h1>hi</h1>"}),
                json!({"body": "x", "bodyEncoding": "text"}),
                json!({"body": "hello"}),
            ] {
                let findings = lint(&value, event, None);
                assert_eq!(codes(&findings), [Code::LAMBDA_BAD_STATUS], "{value}");
                assert_eq!(
                    findings[0].summary,
                    format!("{event} result: status is required: a response must have an HTTP status code in 200-599")
                );
                assert!(
                    !findings[0].summary.contains("uri"),
                    "{}",
                    findings[0].summary
                );
            }
            // A request (a uri, or a body object) is still a request.
            let request = json!({"body": {"action": "read-only"}});
            assert_eq!(
                lint(&request, event, None)[0].evidence["path"],
                "/uri",
                "{event}"
            );
        }
        let findings = lint(&json!({"headers": {}}), EventType::ViewerResponse, None);
        assert!(findings[0].summary.contains("status is required"));
    }

    /// AWS (lambda-generating-http-responses.html): "HTTP 204 status codes (No Content)
    /// responses that are generated from CloudFront viewer requests should not include a
    /// message body. If the message body is included in the response, CloudFront returns an
    /// HTTP 502 status code (Bad Gateway) to the viewer."
    #[test]
    fn a_viewer_request_204_with_a_body_is_malformed() {
        for body in [json!("x"), json!("")] {
            let value = json!({"status": "204", "statusDescription": "No Content", "body": body});
            let findings = lint(&value, EventType::ViewerRequest, None);
            assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED], "{value}");
            assert_eq!(findings[0].evidence["path"], "/body");
            assert!(
                findings[0].summary.contains("204"),
                "{}",
                findings[0].summary
            );
        }
        // Without a body, or with another status, or in an origin-request event: fine.
        for (value, event) in [
            (json!({"status": 204}), EventType::ViewerRequest),
            (
                json!({"status": 200, "body": "x"}),
                EventType::ViewerRequest,
            ),
            (
                json!({"status": 204, "body": "x"}),
                EventType::OriginRequest,
            ),
        ] {
            assert!(lint(&value, event, None).is_empty(), "{value} {event}");
        }
    }

    /// AWS (edge-functions-restrictions.html): "The query string can't include spaces, control
    /// characters, or the fragment identifier (#)."
    #[test]
    fn a_query_string_with_a_space_hash_or_control_character_is_malformed() {
        for (querystring, found) in [
            ("a=b c", "a space"),
            ("a=b#top", "the fragment identifier #"),
            ("a=\u{7}", "the control character U+0007"),
            ("a=\n", "the control character U+000A"),
        ] {
            for event in [EventType::ViewerRequest, EventType::OriginRequest] {
                let value = json!({"uri": "/", "querystring": querystring});
                let findings = lint(&value, event, None);
                assert_eq!(
                    codes(&findings),
                    [Code::LAMBDA_MALFORMED],
                    "{querystring:?}"
                );
                assert_eq!(findings[0].evidence["path"], "/querystring");
                assert_eq!(findings[0].evidence["found"], found);
            }
        }
        let fine = json!({"uri": "/", "querystring": "a=b%20c&d=%23e"});
        assert!(lint(&fine, EventType::ViewerRequest, None).is_empty());
    }

    /// Each custom-origin field of an origin-request result against the sentence of
    /// lambda-event-structure.html it breaks.
    #[test]
    fn an_origin_change_must_keep_to_the_event_structure() {
        let custom = json!({"customHeaders": {}, "domainName": "origin.example.com",
            "keepaliveTimeout": 5, "path": "", "port": 443, "protocol": "https",
            "readTimeout": 30, "sslProtocols": ["TLSv1.2"]});
        let with = |field: &str, value: Value| {
            let mut custom = custom.clone();
            custom[field] = value;
            json!({"uri": "/", "origin": {"custom": custom}})
        };
        let fine = json!({"uri": "/", "origin": {"custom": custom.clone()}});
        assert!(lint(&fine, EventType::OriginRequest, None).is_empty());
        for (value, path, quoted) in [
            // "The port must be 80, 443, or a number in the range of 1024–65535, inclusive."
            (with("port", json!(22)), "/origin/custom/port", "1024–65535"),
            (
                with("port", json!(1023)),
                "/origin/custom/port",
                "1024–65535",
            ),
            (
                with("port", json!("443")),
                "/origin/custom/port",
                "1024–65535",
            ),
            // readTimeout: "The value must be a number from 4–60, inclusive."
            (
                with("readTimeout", json!(3)),
                "/origin/custom/readTimeout",
                "4–60",
            ),
            (
                with("readTimeout", json!(61)),
                "/origin/custom/readTimeout",
                "4–60",
            ),
            // keepaliveTimeout: "The value must be a number from 1–60, inclusive."
            (
                with("keepaliveTimeout", json!(61)),
                "/origin/custom/keepaliveTimeout",
                "1–60",
            ),
            (
                with("keepaliveTimeout", json!(0)),
                "/origin/custom/keepaliveTimeout",
                "1–60",
            ),
            // "The domain name can't include a colon (:), and can't be an IP address."
            (
                with("domainName", json!("192.0.2.10")),
                "/origin/custom/domainName",
                "IP address",
            ),
            (
                with("domainName", json!("2001:db8::1")),
                "/origin/custom/domainName",
                "IP address",
            ),
            (
                with("domainName", json!("origin.example.com:8443")),
                "/origin/custom/domainName",
                "colon",
            ),
            (
                with("domainName", json!("")),
                "/origin/custom/domainName",
                "colon",
            ),
            // "The value can be http or https."
            (
                with("protocol", json!("ftp")),
                "/origin/custom/protocol",
                "http or https",
            ),
            // "The origin structure must contain exactly one origin, which can be a custom
            // origin or an Amazon S3 origin."
            (
                json!({"uri": "/", "origin": {"custom": custom.clone(), "s3": {"domainName": "b.s3.amazonaws.com", "path": ""}}}),
                "/origin",
                "exactly one origin",
            ),
        ] {
            let findings = lint(&value, EventType::OriginRequest, None);
            assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED], "{value}");
            assert_eq!(findings[0].evidence["path"], path, "{value}");
            let expected = findings[0].evidence["expected"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(expected.contains(quoted), "{expected}");
        }
        for (port, read, keepalive) in [(80, 4, 1), (443, 60, 60), (1024, 30, 5), (65535, 4, 60)] {
            let value = json!({"uri": "/", "origin": {"custom": {"domainName": "a.example.com",
                "port": port, "readTimeout": read, "keepaliveTimeout": keepalive, "protocol": "http"}}});
            assert!(
                lint(&value, EventType::OriginRequest, None).is_empty(),
                "{value}"
            );
        }
    }

    /// The current edge-functions-restrictions.html: "The following headers are read-only in
    /// viewer response events for Lambda@Edge: Content-Length, Content-Encoding,
    /// Transfer-Encoding" (Warning and Via are read-only for CloudFront Functions too).
    #[test]
    fn viewer_response_content_length_is_read_only_for_lambda_at_edge() {
        let response = |length: &str| json!({"status": "200", "headers": {"content-length": [{"key": "Content-Length", "value": length}]}});
        let findings = lint(
            &response("10"),
            EventType::ViewerResponse,
            Some(&response("9593")),
        );
        assert_eq!(codes(&findings), [Code::LAMBDA_READ_ONLY_HEADER]);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].evidence["header"], "content-length");
        assert!(lint(
            &response("9593"),
            EventType::ViewerResponse,
            Some(&response("9593"))
        )
        .is_empty());
        // CDN-Loop, read-only in viewer and origin request events on the same page.
        let request = |v: &str| json!({"uri": "/", "headers": {"cdn-loop": [{"value": v}]}});
        for event in [EventType::ViewerRequest, EventType::OriginRequest] {
            let findings = lint(&request("b"), event, Some(&request("a")));
            assert_eq!(codes(&findings), [Code::LAMBDA_READ_ONLY_HEADER], "{event}");
        }
    }

    #[test]
    fn viewer_response_cannot_change_the_status() {
        let original = json!({"status": "200", "statusDescription": "OK"});
        let changed = json!({"status": 302, "statusDescription": "Found"});
        let findings = lint(&changed, EventType::ViewerResponse, Some(&original));
        assert_eq!(codes(&findings), [Code::LAMBDA_BAD_STATUS]);
        assert_eq!(findings[0].evidence["original_status"], 200);
        assert_eq!(findings[0].evidence["status"], 302);
        // Same code as a number or a string is no change; origin-response may change it.
        let same = json!({"status": 200});
        assert!(lint(&same, EventType::ViewerResponse, Some(&original)).is_empty());
        assert!(lint(&changed, EventType::OriginResponse, Some(&original)).is_empty());
        assert!(lint(&changed, EventType::ViewerResponse, None).is_empty());
    }

    #[test]
    fn generated_response_size_limits() {
        let body = "a".repeat(41 * 1024);
        let value = json!({"status": "200", "headers": {"content-type": [{"key": "Content-Type", "value": "text/html"}]}, "body": body});
        let findings = lint(&value, EventType::ViewerRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_RESPONSE_TOO_LARGE]);
        assert_eq!(findings[0].evidence["limit_bytes"], 40 * 1024);
        assert!(findings[0].evidence["size_bytes"].as_u64().unwrap() > 41 * 1024);
        assert!(lint(&value, EventType::OriginRequest, None).is_empty());
        // Headers count too.
        let value =
            json!({"status": "200", "headers": {"x-big": [{"value": "b".repeat(40 * 1024)}]}});
        assert_eq!(
            codes(&lint(&value, EventType::ViewerRequest, None)),
            [Code::LAMBDA_RESPONSE_TOO_LARGE]
        );
        // A base64 body counts decoded: 39 KiB of data is 52 KiB of base64, under 40 KiB.
        let data = "QUJD".repeat(39 * 1024 / 3);
        let value = json!({"status": 200, "body": data, "bodyEncoding": "base64"});
        assert!(lint(&value, EventType::ViewerRequest, None).is_empty());
        let value = json!({"status": 200, "body": "a".repeat(1024 * 1024 + 1)});
        assert_eq!(
            codes(&lint(&value, EventType::OriginRequest, None)),
            [Code::LAMBDA_RESPONSE_TOO_LARGE]
        );
    }

    #[test]
    fn replaced_request_bodies_and_long_uris() {
        let body = |encoding: &str, len: usize| json!({"uri": "/", "method": "POST", "body": {"inputTruncated": false, "action": "replace", "encoding": encoding, "data": "A".repeat(len)}});
        let findings = lint(&body("text", 40 * 1024 + 1), EventType::ViewerRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_RESPONSE_TOO_LARGE]);
        assert_eq!(findings[0].severity, Severity::High);
        assert!(lint(&body("text", 40 * 1024), EventType::ViewerRequest, None).is_empty());
        assert!(lint(&body("base64", 54_000), EventType::ViewerRequest, None).is_empty());
        assert_eq!(
            codes(&lint(
                &body("base64", 54_480),
                EventType::ViewerRequest,
                None
            )),
            [Code::LAMBDA_RESPONSE_TOO_LARGE]
        );
        assert!(lint(&body("text", 1024 * 1024), EventType::OriginRequest, None).is_empty());
        // A read-only body is not returned, whatever its size.
        let mut read_only = body("text", 50 * 1024);
        read_only["body"]["action"] = json!("read-only");
        assert!(lint(&read_only, EventType::ViewerRequest, None).is_empty());
        let mut bad = body("text", 1);
        bad["body"]["action"] = json!("rewrite");
        assert_eq!(
            codes(&lint(&bad, EventType::ViewerRequest, None)),
            [Code::LAMBDA_MALFORMED]
        );

        let uri =
            |len: usize| json!({"uri": format!("/{}", "u".repeat(len - 1)), "querystring": "a=1"});
        assert!(lint(&uri(8188), EventType::OriginRequest, None).is_empty());
        let findings = lint(&uri(8189), EventType::OriginRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_RESPONSE_TOO_LARGE]);
        assert_eq!(findings[0].evidence["size_chars"], 8192);
    }

    #[test]
    fn event_file_paths_point_into_the_record() {
        let event = json!({"Records": [{"cf": {"config": {"eventType": "viewer-request"}, "request": {"uri": "/", "headers": {"upgrade": [{"value": "h2c"}]}}}}]});
        let findings = lint(&event, EventType::ViewerRequest, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_DISALLOWED_HEADER]);
        assert_eq!(
            findings[0].evidence["path"],
            "/Records/0/cf/request/headers/upgrade"
        );
        let missing = json!({"Records": [{"cf": {"config": {"eventType": "origin-response"}, "request": {"uri": "/"}}}]});
        let findings = lint(&missing, EventType::OriginResponse, None);
        assert_eq!(codes(&findings), [Code::LAMBDA_MALFORMED]);
        assert_eq!(findings[0].evidence["path"], "/Records/0/cf");
    }
}
