//! `.txt` target lists: one target spec a line; blank lines and `#` comments are skipped.

use super::{lines, InputError};
use crate::target::Target;

/// Parses a text list.
pub(super) fn parse(name: &str, content: &[u8]) -> Result<Vec<Target>, InputError> {
    let mut targets = Vec::new();
    for line in lines(name, content) {
        let (number, text) = line?;
        let text = text.split('#').next().unwrap_or_default().trim();
        if text.is_empty() {
            continue;
        }
        let mut target =
            Target::parse_spec(text).map_err(|m| InputError::invalid(name, number, m))?;
        target.provenance.file = Some(name.to_string());
        target.provenance.line = Some(number);
        targets.push(target);
    }
    Ok(targets)
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
}
