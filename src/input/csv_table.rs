//! `.csv` target tables: a header row naming the columns, then one origin a row.
//!
//! Columns (only `origin` is required; an empty cell keeps CloudFront's default):
//! `origin` (a target spec), `port`, `https_port`, `http_port`, `protocol_policy`, `host_header`,
//! `sni`, `connect_timeout`, `connection_attempts`, `read_timeout`, `keepalive_timeout`,
//! `ip_address_type`, `ssl_protocols` (OriginSslProtocols, e.g. `"TLSv1,TLSv1.1,TLSv1.2"`; `;` also
//! separates), `origin_http_version` (OriginHttpVersion: `http1.1` or `http2`), `distribution_id`,
//! `origin_id`. Values are checked against CloudFront's ranges.

use std::time::Duration;

use super::{InputError, Row};
use crate::cloudfront;
use crate::target::{check_port, validate_dns_name, ProtocolPolicy, Target};

/// Every column a CSV input may have.
pub(super) const COLUMNS: &[&str] = &[
    "origin",
    "port",
    "https_port",
    "http_port",
    "protocol_policy",
    "host_header",
    "sni",
    "connect_timeout",
    "connection_attempts",
    "read_timeout",
    "keepalive_timeout",
    "ip_address_type",
    "ssl_protocols",
    "origin_http_version",
    "distribution_id",
    "origin_id",
];

/// Reads a table one row at a time (the `csv` crate's reader over a [`super::stream::Guard`]):
/// memory holds one record, whatever the table's length.
pub(super) struct CsvReader<R> {
    name: String,
    reader: csv::Reader<R>,
    columns: Vec<String>,
    record: csv::ByteRecord,
}

impl<R: std::io::Read> CsvReader<R> {
    /// Reads and checks the header row of the table `name`: a bad header stops at once.
    pub(super) fn new(name: &str, input: R) -> Result<CsvReader<R>, InputError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(input);
        let headers = reader
            .byte_headers()
            .map_err(|e| csv_error(name, e))?
            .clone();
        let mut columns = Vec::with_capacity(headers.len());
        for raw in headers.iter() {
            let column = std::str::from_utf8(raw)
                .map_err(|_| InputError::invalid(name, 1, "header is not valid UTF-8"))?
                .trim()
                .to_ascii_lowercase();
            if !COLUMNS.contains(&column.as_str()) {
                return Err(InputError::invalid(
                    name,
                    headers.position().map_or(1, |p| p.line() as usize),
                    format!(
                        "unknown column `{column}` (columns: {})",
                        COLUMNS.join(", ")
                    ),
                ));
            }
            if columns.contains(&column) {
                return Err(InputError::invalid(
                    name,
                    1,
                    format!("column `{column}` appears twice"),
                ));
            }
            columns.push(column);
        }
        if !columns.iter().any(|c| c == "origin") {
            return Err(InputError::invalid(
                name,
                1,
                "no `origin` column in the header row",
            ));
        }
        Ok(CsvReader {
            name: name.to_string(),
            reader,
            columns,
            record: csv::ByteRecord::new(),
        })
    }

    /// The input, where the `csv` reader stopped.
    pub(super) fn into_inner(self) -> R {
        self.reader.into_inner()
    }

    /// The next target (with its file and 1-based line) or bad row; `None` at the end. An
    /// error is the table's as a whole (binary, unreadable, not CSV).
    pub(super) fn next_row(&mut self) -> Result<Option<Row>, InputError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                // A row of the wrong width is one bad line: the reader goes on with the next.
                Err(e) if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) => {
                    return Ok(Some(Err(csv_problem(&e))));
                }
                Err(e) => return Err(csv_error(&self.name, e)),
            }
            let line = self.record.position().map_or(0, |p| p.line() as usize);
            if self.record.iter().all(|f| f.is_empty()) {
                continue;
            }
            return Ok(Some(
                match row_of(&self.record).and_then(|row| row_to_target(&self.columns, &row)) {
                    Ok(mut target) => {
                        target.provenance.file = Some(self.name.clone());
                        target.provenance.line = Some(line);
                        Ok(target)
                    }
                    Err(message) => Err((line, message)),
                },
            ));
        }
    }
}

/// The table's targets, each with its file and 1-based line; a bad header stops at once, bad
/// rows are reported together.
#[cfg(test)]
pub(super) fn parse(name: &str, content: &[u8]) -> Result<Vec<Target>, InputError> {
    let mut reader = CsvReader::new(name, super::stream::Guard::new(content, name, false))?;
    super::collect(name, || reader.next_row())
}

/// A record's cells as text: each valid UTF-8 of bounded length.
fn row_of(record: &csv::ByteRecord) -> Result<Vec<&str>, String> {
    record
        .iter()
        .map(|field| {
            if field.len() > super::MAX_LINE_BYTES {
                return Err("field is too long".to_string());
            }
            std::str::from_utf8(field).map_err(|_| "not valid UTF-8".to_string())
        })
        .collect()
}

fn csv_error(name: &str, error: csv::Error) -> InputError {
    if let csv::ErrorKind::Io(_) = error.kind() {
        if let csv::ErrorKind::Io(io) = error.into_kind() {
            return super::stream::input_error(name, io);
        }
        return InputError::invalid(name, 1, "not valid CSV");
    }
    let (line, message) = csv_problem(&error);
    InputError::invalid(name, line, message)
}

/// The line a CSV error is on, and what is wrong, in words.
fn csv_problem(error: &csv::Error) -> (usize, String) {
    let line = error.position().map_or(1, |p| p.line() as usize);
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
        _ => format!("not valid CSV ({error})"),
    };
    (line, message)
}

fn row_to_target(columns: &[String], row: &[&str]) -> Result<Target, String> {
    let cell = |column: &str| {
        columns
            .iter()
            .position(|c| c == column)
            .map(|i| row[i])
            .filter(|v| !v.is_empty())
    };
    let origin = cell("origin").ok_or("the `origin` cell is empty")?;
    let mut target = Target::parse_spec(origin)?;
    if let Some(policy) = cell("protocol_policy") {
        target.policy = policy.parse()?;
    }
    if let Some(port) = cell("port") {
        let port = check_port(parse_number(port, "port")?)?;
        if target.policy == ProtocolPolicy::HttpOnly {
            target.http_port = port;
        } else {
            target.https_port = port;
        }
    }
    if let Some(port) = cell("https_port") {
        target.https_port = check_port(parse_number(port, "https_port")?)?;
    }
    if let Some(port) = cell("http_port") {
        target.http_port = check_port(parse_number(port, "http_port")?)?;
    }
    if let Some(host) = cell("host_header") {
        target.host_header = Some(validate_dns_name(host)?);
    }
    if let Some(sni) = cell("sni") {
        target.sni = Some(validate_dns_name(sni)?);
    }
    if let Some(v) = cell("connect_timeout") {
        target.connect_timeout = seconds(v, "connect_timeout", cloudfront::CONNECT_TIMEOUT_RANGE)?;
    }
    if let Some(v) = cell("connection_attempts") {
        let attempts: u8 = parse_number(v, "connection_attempts")?;
        if !cloudfront::CONNECTION_ATTEMPTS_RANGE.contains(&attempts) {
            return Err(format!(
                "connection_attempts {attempts} is outside CloudFront's 1-3"
            ));
        }
        target.connection_attempts = attempts;
    }
    if let Some(v) = cell("read_timeout") {
        target.read_timeout = seconds(v, "read_timeout", cloudfront::READ_TIMEOUT_RANGE)?;
    }
    if let Some(v) = cell("keepalive_timeout") {
        target.keepalive_timeout =
            seconds(v, "keepalive_timeout", cloudfront::KEEPALIVE_TIMEOUT_RANGE)?;
    }
    if let Some(v) = cell("ssl_protocols") {
        target.ssl_protocols = Some(crate::cloudfront::tls_profile::parse_ssl_protocols(
            &v.replace([';', ' '], ","),
        )?);
    }
    if let Some(v) = cell("ip_address_type") {
        target.ip_address_type = v.parse()?;
    }
    if let Some(v) = cell("origin_http_version") {
        target.http_version = v.parse()?;
    }
    target.provenance.distribution_id = cell("distribution_id").map(str::to_string);
    target.provenance.origin_id = cell("origin_id").map(str::to_string);
    Ok(target)
}

fn parse_number<T: std::str::FromStr>(text: &str, column: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{column} `{text}` is not a whole number in range"))
}

fn seconds(
    text: &str,
    column: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Duration, String> {
    let value: u64 = parse_number(text, column)?;
    if !range.contains(&value) {
        return Err(format!(
            "{column} {value} is outside CloudFront's {}-{} seconds",
            range.start(),
            range.end()
        ));
    }
    Ok(Duration::from_secs(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_and_defaults() {
        let csv = b"origin,port,host_header,connect_timeout,connection_attempts\n\
                    a.example.com,8443,www.example.com,2,1\n\
                    b.example.com,,,,\n";
        let got = parse("t.csv", csv).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].https_port, 8443);
        assert_eq!(got[0].host_header.as_deref(), Some("www.example.com"));
        assert_eq!(got[0].connect_timeout, Duration::from_secs(2));
        assert_eq!(got[0].connection_attempts, 1);
        assert_eq!(got[1].https_port, 443);
        assert_eq!(got[1].provenance.line, Some(3));
    }

    /// Issue 16: `origin_http_version` sets OriginHttpVersion; anything but `http1.1` or
    /// `http2` is an input error.
    #[test]
    fn origin_http_version_column() {
        let got = parse(
            "t.csv",
            b"origin,origin_http_version\na.example.com,http2\nb.example.com,\n",
        )
        .unwrap();
        assert_eq!(got[0].http_version, crate::target::OriginHttpVersion::Http2);
        assert_eq!(
            got[1].http_version,
            crate::target::OriginHttpVersion::Http11
        );
        let error = parse("t.csv", b"origin,origin_http_version\na.example.com,h2\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("t.csv:2: \"h2\" is not an OriginHttpVersion"),
            "{error}"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases: &[(&[u8], &str)] = &[
            (b"origin,port\na.com,1\n", "t.csv:2: port 1 is not one"),
            (
                b"origin,port\na.com,443\nb.com\n",
                "t.csv:3: 1 fields where the header has 2",
            ),
            (
                b"origin,colour\na.com,red\n",
                "t.csv:1: unknown column `colour`",
            ),
            (b"port\n443\n", "t.csv:1: no `origin` column"),
            (
                b"origin,connect_timeout\na.com,11\n",
                "t.csv:2: connect_timeout 11 is outside",
            ),
            (
                b"origin,connection_attempts\na.com,4\n",
                "t.csv:2: connection_attempts 4",
            ),
            (
                b"origin,protocol_policy\na.com,sometimes\n",
                "t.csv:2: `sometimes` is not a protocol",
            ),
            (b"origin\n\xff\n", "t.csv:2: not valid UTF-8"),
        ];
        for (input, want) in cases {
            let err = parse("t.csv", input).unwrap_err().to_string();
            assert!(err.starts_with(want), "got {err:?}, want {want:?}");
        }
    }

    #[test]
    fn every_bad_row_is_reported() {
        let err = parse(
            "t.csv",
            b"origin,port\na.example.com,443\nb.example.com,99999\nc.example.com,1,2\nd.example.com,0\n",
        )
        .unwrap_err()
        .to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 3, "{err}");
        assert!(lines[0].starts_with("t.csv:3: "), "{err}");
        assert!(lines[1].starts_with("t.csv:4: 3 fields"), "{err}");
        assert!(lines[2].starts_with("t.csv:5: "), "{err}");
    }
}
