//! Reading targets: positional specs, `.txt` lists, `.csv` tables, CloudFront JSON exports
//! (`list-distributions` / `get-distribution-config` output), stdin.
//!
//! Every input is read and validated in full before any traffic is sent: a bad line stops the
//! run with `FILE:LINE: what is wrong` (exit 2). Duplicates are merged, first occurrence wins.

pub mod cloudfront;
mod csv_table;
mod text_list;

use std::collections::HashSet;
use std::path::Path;

use crate::target::Target;

pub use crate::target::SkippedOrigin;
pub use cloudfront::{CloudFrontImport, OriginRequestPolicies};

/// Longest line accepted in any input file.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Largest input file accepted (512 MiB), checked before reading it; stdin is not limited.
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Why the input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The path as given (`-` for stdin).
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A line (or record) is wrong.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file (`argv` for positional targets, `-` for stdin).
        file: String,
        /// 1-based line (for `argv`, the argument's position).
        line: usize,
        /// What is wrong with that line or argument.
        message: String,
    },
    /// The file is wrong as a whole (empty, too large, binary).
    #[error("{file}: {message}")]
    File {
        /// The path as given (`-` for stdin).
        file: String,
        /// What is wrong with the whole file, e.g. `is empty: no targets in it`.
        message: String,
    },
    /// Several lines are wrong: the first [`MAX_LINES_REPORTED`], one a line, then how many
    /// more.
    #[error("{}", lines_message(.file, .errors, *.more))]
    Lines {
        /// The file (`-` for stdin).
        file: String,
        /// (1-based line, what is wrong), in file order.
        errors: Vec<(usize, String)>,
        /// Bad lines beyond those listed.
        more: usize,
    },
    /// The arguments and inputs gave no target (for [`gather_all`], no skipped origin either).
    #[error("no targets: give TARGET arguments or --input FILE (see --help)")]
    NoTargets,
}

/// Bad lines of one file reported at once; the rest are counted.
pub(crate) const MAX_LINES_REPORTED: usize = 20;

fn lines_message(file: &str, errors: &[(usize, String)], more: usize) -> String {
    let mut text: Vec<String> = errors
        .iter()
        .map(|(line, message)| format!("{file}:{line}: {message}"))
        .collect();
    if more > 0 {
        text.push(format!(
            "{file}: and {more} more bad line{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    text.join("\n")
}

/// Collects a file's bad lines so that one run reports up to [`MAX_LINES_REPORTED`] of them.
pub(crate) struct LineErrors {
    file: String,
    errors: Vec<(usize, String)>,
    more: usize,
}

impl LineErrors {
    pub(crate) fn new(file: &str) -> LineErrors {
        LineErrors {
            file: file.to_string(),
            errors: Vec::new(),
            more: 0,
        }
    }

    /// Notes that `line` is wrong; past [`MAX_LINES_REPORTED`] lines, only the count grows.
    pub(crate) fn push(&mut self, line: usize, message: impl Into<String>) {
        if self.errors.len() < MAX_LINES_REPORTED {
            self.errors.push((line, message.into()));
        } else {
            self.more += 1;
        }
    }

    /// `value` if no line was wrong; else one [`InputError::Invalid`], or
    /// [`InputError::Lines`] for several.
    pub(crate) fn finish<T>(mut self, value: T) -> Result<T, InputError> {
        match (self.errors.len(), self.more) {
            (0, _) => Ok(value),
            (1, 0) => {
                let (line, message) = self.errors.remove(0);
                Err(InputError::invalid(&self.file, line, message))
            }
            _ => Err(InputError::Lines {
                file: self.file,
                errors: self.errors,
                more: self.more,
            }),
        }
    }
}

impl InputError {
    pub(crate) fn invalid(file: &str, line: usize, message: impl Into<String>) -> InputError {
        InputError::Invalid {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// The input formats originscan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One target spec a line, `#` comments.
    Text,
    /// A header row, then one origin a row.
    Csv,
    /// `aws cloudfront list-distributions` or `get-distribution-config` JSON output.
    CloudFront,
}

impl InputFormat {
    /// Chooses by file extension; for stdin (or no extension), by content.
    fn detect(name: &str, content: &[u8]) -> InputFormat {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            return InputFormat::Csv;
        }
        if lower.ends_with(".txt") || lower.ends_with(".list") {
            return InputFormat::Text;
        }
        if lower.ends_with(".json") || cloudfront::looks_like_json(content) {
            return InputFormat::CloudFront;
        }
        let first_line = content
            .split(|b| *b == b'\n')
            .find(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
            .unwrap_or_default();
        let first = String::from_utf8_lossy(first_line).to_ascii_lowercase();
        if first.contains(',') && first.split(',').any(|c| c.trim() == "origin") {
            InputFormat::Csv
        } else {
            InputFormat::Text
        }
    }
}

/// Everything the inputs gave: targets to scan, CloudFront origins that cannot be scanned, and
/// warnings for the user (e.g. an incomplete CloudFront export).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gathered {
    /// The targets, duplicates merged (first one wins).
    pub targets: Vec<Target>,
    /// CloudFront origins that are not scanned (S3 REST, VPC), with the reason.
    pub skipped: Vec<SkippedOrigin>,
    /// Warnings, each naming its file.
    pub warnings: Vec<String>,
    /// Notes, each naming its file: facts that are not problems (a CloudFront export of an
    /// account without distributions).
    pub notes: Vec<String>,
}

/// Parses one input's bytes (already read) into targets. For a CloudFront export, origins
/// that are skipped and warnings are dropped, and no origin request policy is known: use
/// [`gather_all`] to get them.
pub fn parse_bytes(name: &str, content: &[u8]) -> Result<Vec<Target>, InputError> {
    parse_input(name, content, &OriginRequestPolicies::default()).map(|g| g.targets)
}

/// Parses one input's bytes into everything it gives.
fn parse_input(
    name: &str,
    content: &[u8],
    policies: &OriginRequestPolicies,
) -> Result<Gathered, InputError> {
    if content.starts_with(b"\xFF\xFE") || content.starts_with(b"\xFE\xFF") {
        return Err(InputError::File {
            file: name.into(),
            message: "is UTF-16 text (as Windows PowerShell's `>` writes); save it as UTF-8, \
                      e.g. `... | Out-File -Encoding utf8 FILE`"
                .into(),
        });
    }
    if content.contains(&0) {
        return Err(InputError::File {
            file: name.into(),
            message: "is a binary file (it contains NUL bytes), not a list of targets".into(),
        });
    }
    let targets = match InputFormat::detect(name, content) {
        InputFormat::Text => text_list::parse(name, content)?,
        InputFormat::Csv => csv_table::parse(name, content)?,
        InputFormat::CloudFront => {
            let import = cloudfront::parse(name, content, policies)?;
            let notes = if import.distributions == 0 {
                vec![format!(
                    "{name}: the export holds no distribution (the account has none, or this \
                     page is empty): nothing to scan in it"
                )]
            } else {
                Vec::new()
            };
            return Ok(Gathered {
                targets: import.targets,
                skipped: import.skipped,
                warnings: import.warnings,
                notes,
            });
        }
    };
    Ok(Gathered {
        targets,
        ..Gathered::default()
    })
}

/// Reads `-i FILE` (`-` is stdin). As [`parse_bytes`], a CloudFront export gives its targets
/// only: use [`gather_all`] for skipped origins, warnings and origin request policies.
pub fn read_file(path: &str) -> Result<Vec<Target>, InputError> {
    read_input(path, &OriginRequestPolicies::default()).map(|g| g.targets)
}

/// Reads one input file (`-` is stdin) into everything it gives.
fn read_input(path: &str, policies: &OriginRequestPolicies) -> Result<Gathered, InputError> {
    let io_err = |source| InputError::Io {
        file: path.to_string(),
        source,
    };
    let content = if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf).map_err(io_err)?;
        buf
    } else {
        let meta = std::fs::metadata(Path::new(path)).map_err(io_err)?;
        if meta.len() > MAX_INPUT_BYTES {
            return Err(InputError::File {
                file: path.into(),
                message: format!(
                    "is {} bytes; at most {MAX_INPUT_BYTES} are read",
                    meta.len()
                ),
            });
        }
        std::fs::read(path).map_err(io_err)?
    };
    let gathered = parse_input(path, &content, policies)?;
    if gathered.targets.is_empty() && gathered.skipped.is_empty() && gathered.notes.is_empty() {
        let message = if content.iter().all(u8::is_ascii_whitespace) {
            "is empty: no targets in it"
        } else {
            "has no targets in it (only comments or headers)"
        };
        return Err(InputError::File {
            file: path.into(),
            message: message.into(),
        });
    }
    Ok(gathered)
}

/// Parses positional TARGET arguments; each one's provenance is `argv` and its 1-based position.
pub fn parse_args(specs: &[String]) -> Result<Vec<Target>, InputError> {
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let mut target =
                Target::parse_spec(spec).map_err(|m| InputError::invalid("argv", i + 1, m))?;
            target.provenance.file = Some("argv".into());
            target.provenance.line = Some(i + 1);
            Ok(target)
        })
        .collect()
}

/// Gathers positional targets and input files, merging duplicates (first one wins).
/// [`InputError::NoTargets`] when there is nothing to scan. CloudFront exports are read without
/// origin request policies, and their skipped origins and warnings are dropped: see
/// [`gather_all`].
pub fn gather(specs: &[String], files: &[String]) -> Result<Vec<Target>, InputError> {
    let gathered = gather_all(specs, files, &OriginRequestPolicies::default())?;
    if gathered.targets.is_empty() {
        return Err(InputError::NoTargets);
    }
    Ok(gathered.targets)
}

/// Gathers positional targets and input files, CloudFront exports read with `policies`:
/// targets (duplicates merged, first one wins), skipped origins and warnings.
/// [`InputError::NoTargets`] only when the inputs give neither targets nor skipped origins nor
/// notes: an export whose origins are all skipped is returned, so that the caller can report
/// them, and so is an export of an account without distributions (a note says so).
pub fn gather_all(
    specs: &[String],
    files: &[String],
    policies: &OriginRequestPolicies,
) -> Result<Gathered, InputError> {
    let mut gathered = Gathered {
        targets: parse_args(specs)?,
        ..Gathered::default()
    };
    for file in files {
        let one = read_input(file, policies)?;
        gathered.targets.extend(one.targets);
        for skipped in one.skipped {
            if !gathered.skipped.contains(&skipped) {
                gathered.skipped.push(skipped);
            }
        }
        gathered.warnings.extend(one.warnings);
        gathered.notes.extend(one.notes);
    }
    if gathered.targets.is_empty() && gathered.skipped.is_empty() && gathered.notes.is_empty() {
        return Err(InputError::NoTargets);
    }
    gathered.targets = dedupe(gathered.targets);
    Ok(gathered)
}

/// Drops later duplicates of a target (same origin, ports, policy, Host, SNI, and CloudFront
/// distribution and origin id).
pub fn dedupe(targets: Vec<Target>) -> Vec<Target> {
    let mut seen = HashSet::with_capacity(targets.len());
    targets
        .into_iter()
        .filter(|t| seen.insert(t.key()))
        .collect()
}

/// Splits raw bytes into numbered lines, rejecting invalid UTF-8 and overlong lines.
pub(crate) fn lines<'a>(
    name: &'a str,
    content: &'a [u8],
) -> impl Iterator<Item = Result<(usize, &'a str), InputError>> + 'a {
    content
        .split(|b| *b == b'\n')
        .enumerate()
        .map(move |(i, raw)| {
            let number = i + 1;
            if raw.len() > MAX_LINE_BYTES {
                return Err(InputError::invalid(
                    name,
                    number,
                    format!(
                        "line is {} bytes long (at most {MAX_LINE_BYTES})",
                        raw.len()
                    ),
                ));
            }
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            std::str::from_utf8(raw)
                .map(|text| (number, text))
                .map_err(|_| InputError::invalid(name, number, "not valid UTF-8"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_format_by_extension_then_content() {
        assert_eq!(InputFormat::detect("a.csv", b"x"), InputFormat::Csv);
        assert_eq!(
            InputFormat::detect("a.txt", b"origin,port"),
            InputFormat::Text
        );
        assert_eq!(
            InputFormat::detect("-", b"# c\norigin,port\n"),
            InputFormat::Csv
        );
        assert_eq!(
            InputFormat::detect("-", b"example.com\n"),
            InputFormat::Text
        );
    }

    #[test]
    fn binary_and_invalid_utf8_are_named() {
        let err = parse_bytes("f.txt", b"a.com\n\0\x01").unwrap_err();
        assert!(err.to_string().contains("binary"), "{err}");
        let err = parse_bytes("f.txt", b"a.com\nb\xff.com\n").unwrap_err();
        assert_eq!(err.to_string(), "f.txt:2: not valid UTF-8");
    }

    #[test]
    fn duplicates_are_merged() {
        let targets = gather(
            &[
                "a.example.com".into(),
                "A.example.com.".into(),
                "a.example.com:8443".into(),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(targets.len(), 2);
    }

    #[test]
    fn cloudfront_json_is_detected_by_extension_or_content() {
        assert_eq!(InputFormat::detect("a.json", b"x"), InputFormat::CloudFront);
        assert_eq!(InputFormat::detect("A.JSON", b""), InputFormat::CloudFront);
        assert_eq!(
            InputFormat::detect("-", b" \n\t{\"DistributionList\": {}}"),
            InputFormat::CloudFront
        );
        assert_eq!(
            InputFormat::detect("-", b"\xEF\xBB\xBF{}"),
            InputFormat::CloudFront
        );
        assert_eq!(InputFormat::detect("a.txt", b"{"), InputFormat::Text);
        assert_eq!(InputFormat::detect("a.csv", b"{"), InputFormat::Csv);

        let list = std::fs::read(FIXTURES.to_string() + "/list-distributions.json").unwrap();
        let targets = parse_bytes("-", &list).unwrap();
        assert_eq!(targets.len(), 7);
        let err = parse_bytes("x.json", b"{\"a\": 1}").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.json: is not a CloudFront export"),
            "{err}"
        );
        let err = parse_bytes("x.json", b"\xFF\xFE{\0").unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
    }

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cloudfront");

    #[test]
    fn gather_all_returns_targets_skipped_origins_and_warnings() {
        let list = format!("{FIXTURES}/list-distributions.json");
        let truncated = format!("{FIXTURES}/list-distributions-truncated.json");
        let policies =
            OriginRequestPolicies::read(&[format!("{FIXTURES}/origin-request-policy.json").into()])
                .unwrap();
        // The same export twice, and a page of it: merged, first one wins.
        let got = gather_all(
            &["web-a.origin.example.com:8443".into()],
            &[list.clone(), list.clone(), truncated.clone()],
            &policies,
        )
        .unwrap();
        assert_eq!(got.targets.len(), 8, "{:#?}", got.targets);
        assert_eq!(got.targets[0].provenance.file.as_deref(), Some("argv"));
        assert_eq!(
            got.targets[1].provenance.file.as_deref(),
            Some(list.as_str())
        );
        assert_eq!(got.skipped.len(), 2);
        assert_eq!(got.warnings.len(), 1);
        assert!(got.warnings[0].starts_with(&truncated));
        let legacy = got
            .targets
            .iter()
            .find(|t| t.provenance.origin_id.as_deref() == Some("api-legacy"))
            .unwrap();
        assert_eq!(
            legacy.host_forwarding,
            crate::target::HostForwarding::Forwarded
        );

        // `gather` keeps its old contract: targets only, policies unknown.
        let targets = gather(&[], &[list]).unwrap();
        assert_eq!(targets.len(), 7);
    }

    #[test]
    fn one_origin_in_two_distributions_is_two_targets() {
        let one = |id: &str, read_timeout: u32| {
            format!(
                r#"{{"Id": "{id}", "Origins": {{"Quantity": 1, "Items": [{{"Id": "o",
                "DomainName": "shared.example.com", "CustomOriginConfig": {{"HTTPPort": 80,
                "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                "OriginReadTimeout": {read_timeout}}}}}]}},
                "DefaultCacheBehavior": {{"TargetOriginId": "o"}}}}"#
            )
        };
        let doc = format!(
            r#"{{"DistributionList": {{"Items": [{}, {}, {}]}}}}"#,
            one("E1", 30),
            one("E2", 60),
            one("E1", 90)
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, doc).unwrap();
        let got = gather_all(
            &[],
            &[path.display().to_string()],
            &OriginRequestPolicies::default(),
        )
        .unwrap();
        let timeouts: Vec<u64> = got
            .targets
            .iter()
            .map(|t| t.read_timeout.as_secs())
            .collect();
        assert_eq!(
            timeouts,
            vec![30, 60],
            "same distribution and origin: first one wins"
        );
    }

    #[test]
    fn an_export_with_only_skipped_origins_is_not_an_error_for_gather_all() {
        let doc = r#"{"DistributionList": {"Items": [{"Id": "E1", "Origins": {"Items": [
            {"Id": "s3", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {}}]}}]}}"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, doc).unwrap();
        let files = [path.display().to_string()];
        let got = gather_all(&[], &files, &OriginRequestPolicies::default()).unwrap();
        assert!(got.targets.is_empty());
        assert_eq!(got.skipped.len(), 1);
        assert!(matches!(gather(&[], &files), Err(InputError::NoTargets)));
    }

    #[test]
    fn nothing_to_scan_is_an_error() {
        assert!(matches!(gather(&[], &[]), Err(InputError::NoTargets)));
    }
}
