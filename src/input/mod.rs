//! Reading targets: positional specs, `.txt` lists, `.csv` tables, stdin.
//!
//! Every input is read and validated in full before any traffic is sent: a bad line stops the
//! run with `FILE:LINE: what is wrong` (exit 2). Duplicates are merged, first occurrence wins.

mod csv_table;
mod text_list;

use std::collections::HashSet;
use std::path::Path;

use crate::target::Target;

/// Longest line accepted in any input file.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Largest input file accepted.
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Why the input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line (or record) is wrong.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file (`argv` for positional targets, `-` for stdin).
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is wrong as a whole (empty, too large, binary).
    #[error("{file}: {message}")]
    File {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Nothing to scan.
    #[error("no targets: give TARGET arguments or --input FILE (see --help)")]
    NoTargets,
}

impl InputError {
    /// Whether this is an error in the input's content (as opposed to reading it).
    pub fn is_invalid(&self) -> bool {
        matches!(self, InputError::Invalid { .. } | InputError::File { .. })
    }

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

/// Parses one input's bytes (already read) into targets.
pub fn parse_bytes(name: &str, content: &[u8]) -> Result<Vec<Target>, InputError> {
    if content.contains(&0) {
        return Err(InputError::File {
            file: name.into(),
            message: "is a binary file (it contains NUL bytes), not a list of targets".into(),
        });
    }
    match InputFormat::detect(name, content) {
        InputFormat::Text => text_list::parse(name, content),
        InputFormat::Csv => csv_table::parse(name, content),
    }
}

/// Reads `-i FILE` (`-` is stdin).
pub fn read_file(path: &str) -> Result<Vec<Target>, InputError> {
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
    parse_bytes(path, &content)
}

/// Parses positional TARGET arguments.
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
pub fn gather(specs: &[String], files: &[String]) -> Result<Vec<Target>, InputError> {
    let mut all = parse_args(specs)?;
    for file in files {
        all.extend(read_file(file)?);
    }
    if all.is_empty() {
        return Err(InputError::NoTargets);
    }
    Ok(dedupe(all))
}

/// Drops later duplicates of a target (same origin, ports, policy, Host and SNI).
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
    fn nothing_to_scan_is_an_error() {
        assert!(matches!(gather(&[], &[]), Err(InputError::NoTargets)));
    }
}
