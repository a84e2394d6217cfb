//! `.txt` target lists: one target spec a line; blank lines and `#` comments are skipped. Every
//! bad line is reported (up to [`super::MAX_LINES_REPORTED`]), not only the first; a first line
//! that is a CSV header is named as such.

use std::io::BufRead;

use super::{stream, InputError, Row};
use crate::target::Target;

/// Reads a list one target at a time, from a reader whose bytes a [`stream::Guard`] checked
/// (line length, NUL bytes): memory holds one line, whatever the list's length.
pub(super) struct TextReader<R> {
    name: String,
    reader: R,
    line: Vec<u8>,
    number: usize,
    first: bool,
}

impl<R: BufRead> TextReader<R> {
    /// A reader of the list `name`.
    pub(super) fn new(name: &str, reader: R) -> TextReader<R> {
        TextReader {
            name: name.to_string(),
            reader,
            line: Vec::new(),
            number: 0,
            first: true,
        }
    }

    /// The reader, where this one stopped.
    pub(super) fn into_inner(self) -> R {
        self.reader
    }

    /// The next target (with its file and 1-based line) or bad line; `None` at the end. An
    /// error is the input's as a whole (binary, unreadable, a line too long).
    pub(super) fn next_row(&mut self) -> Result<Option<Row>, InputError> {
        loop {
            self.line.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.line)
                .map_err(|e| stream::input_error(&self.name, e))?;
            if read == 0 {
                return Ok(None);
            }
            self.number += 1;
            let mut raw = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
            if self.number == 1 {
                // A UTF-8 byte-order mark (an editor's, or PowerShell's) is no part of the
                // first target.
                raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
            }
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let Ok(text) = std::str::from_utf8(raw) else {
                return Ok(Some(Err((self.number, "not valid UTF-8".into()))));
            };
            let text = text.split('#').next().unwrap_or_default().trim();
            if text.is_empty() {
                continue;
            }
            if std::mem::take(&mut self.first) && is_csv_header(text) {
                return Ok(Some(Err((
                    self.number,
                    format!(
                        "`{}` is a CSV header, not a target: name the file .csv to read it as a \
                         table (its `origin` column, with ports), or remove the header",
                        text.escape_default()
                    ),
                ))));
            }
            return Ok(Some(match Target::parse_spec(text) {
                Ok(mut target) => {
                    target.provenance.file = Some(self.name.clone());
                    target.provenance.line = Some(self.number);
                    Ok(target)
                }
                Err(message) => Err((self.number, message)),
            }));
        }
    }
}

/// The list's targets, each with its file and 1-based line; or its bad lines, all at once.
#[cfg(test)]
pub(super) fn parse(name: &str, content: &[u8]) -> Result<Vec<Target>, InputError> {
    let guard = stream::Guard::new(content, name, false);
    let mut reader = TextReader::new(name, std::io::BufReader::new(guard));
    super::collect(name, || reader.next_row())
}

/// Whether a list's first line is the header of a CSV table (`origin`, or `origin,port,...`).
fn is_csv_header(text: &str) -> bool {
    let first = text.split(',').next().unwrap_or_default().trim();
    first.eq_ignore_ascii_case("origin")
        || (text.contains(',')
            && text
                .split(',')
                .any(|cell| super::csv_table::COLUMNS.contains(&cell.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_blanks_and_names_bad_lines() {
        let got = parse(
            "t.txt",
            b"# fleet\n\na.example.com # main\r\nb.example.com:8443\n",
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].https_port, 8443);
        assert_eq!(got[1].provenance.line, Some(4));

        let err = parse("t.txt", b"a.example.com\nnot a host\n").unwrap_err();
        assert!(err.to_string().starts_with("t.txt:2: "), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let got = parse("t.txt", b"\xEF\xBB\xBFa.example.com\nb.example.com\n").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].origin.to_string(), "a.example.com");
    }

    #[test]
    fn a_csv_header_is_named_as_such() {
        for header in ["origin", "origin,port", "Origin"] {
            let text = format!("{header}\na.example.com\n");
            let err = parse("list.txt", text.as_bytes()).unwrap_err().to_string();
            assert!(err.starts_with("list.txt:1: "), "{err}");
            assert!(err.contains("CSV header"), "{err}");
        }
        // A host that merely starts a list is no header.
        assert_eq!(parse("l.txt", b"origin.example.com\n").unwrap().len(), 1);
    }

    #[test]
    fn every_bad_line_is_reported_up_to_twenty() {
        let mut text = String::from("a.example.com\n");
        for _ in 0..25 {
            text.push_str("not a host\n");
        }
        let err = parse("t.txt", text.as_bytes()).unwrap_err().to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 21, "{err}");
        assert!(lines[0].starts_with("t.txt:2: "), "{err}");
        assert!(lines[19].starts_with("t.txt:21: "), "{err}");
        assert_eq!(lines[20], "t.txt: and 5 more bad lines");
    }
}
