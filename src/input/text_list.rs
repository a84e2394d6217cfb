//! `.txt` target lists: one target spec a line; blank lines and `#` comments are skipped. Every
//! bad line is reported (up to [`super::MAX_LINES_REPORTED`]), not only the first; a first line
//! that is a CSV header is named as such.

use super::{lines, InputError, LineErrors};
use crate::target::Target;

/// The list's targets, each with its file and 1-based line; or its bad lines, all at once.
pub(super) fn parse(name: &str, content: &[u8]) -> Result<Vec<Target>, InputError> {
    // A UTF-8 byte-order mark (an editor's, or PowerShell's) is no part of the first target.
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let mut targets = Vec::new();
    let mut errors = LineErrors::new(name);
    let mut first = true;
    for line in lines(name, content) {
        let (number, text) = line?;
        let text = text.split('#').next().unwrap_or_default().trim();
        if text.is_empty() {
            continue;
        }
        if std::mem::take(&mut first) && is_csv_header(text) {
            errors.push(
                number,
                format!(
                    "`{}` is a CSV header, not a target: name the file .csv to read it as a \
                     table (its `origin` column, with ports), or remove the header",
                    text.escape_default()
                ),
            );
            continue;
        }
        match Target::parse_spec(text) {
            Ok(mut target) => {
                target.provenance.file = Some(name.to_string());
                target.provenance.line = Some(number);
                targets.push(target);
            }
            Err(message) => errors.push(number, message),
        }
    }
    errors.finish(targets)
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
