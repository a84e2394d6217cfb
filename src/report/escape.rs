//! Escaping of report text for the places it is written. Origins, summaries and evidence come
//! from the network (a hostile origin chooses its certificate names, its banner, its headers),
//! so every string a markup or terminal format writes goes through here: XML and HTML text and
//! attribute escaping, removal of the characters XML 1.0 forbids, and a printable form for
//! terminals.

/// Whether XML 1.0 allows `c` in a document (its `Char` production). Rust `char`s are never
/// surrogates, so this rules out the C0 controls but tab, newline and carriage return, and
/// U+FFFE and U+FFFF.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\r'
            | '\u{20}'..='\u{D7FF}'
            | '\u{E000}'..='\u{FFFD}'
            | '\u{10000}'..='\u{10FFFF}'
    )
}

/// Text content for XML or HTML: `&`, `<` and `>` escaped, characters XML 1.0 forbids dropped.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| is_xml_char(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// An attribute value for XML or HTML, safe inside double or single quotes: as [`text`], plus
/// both quotes, and tab, newline and carriage return as character references (so attribute
/// value normalisation does not turn them into spaces).
pub(crate) fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| is_xml_char(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

/// One line for a terminal: control characters (escape sequences, newlines, NUL, the C1 set)
/// are shown as `\u{..}` instead of being acted on.
pub(crate) fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Lines for a terminal (an error message, a warning): as [`printable`], but a newline stays a
/// newline.
pub fn terminal_lines(s: &str) -> String {
    s.split('\n').map(printable).collect::<Vec<_>>().join("\n")
}

/// A CSV cell safe to open in a spreadsheet: one that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (which spreadsheets read as a formula) gets a leading `'`, as OWASP's CSV
/// injection page advises. Cells from an origin, a certificate or an input file go through it.
pub(crate) fn spreadsheet_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            text("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"q\""
        );
        assert_eq!(
            text("a\u{0}b\u{1b}[31mc\u{b}\u{c}\u{fffe}\u{ffff}d"),
            "ab[31mcd"
        );
        assert_eq!(text("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
        assert_eq!(text("]]>"), "]]&gt;");
        assert_eq!(text("é \u{1F600} \u{85}"), "é \u{1F600} \u{85}");
    }

    #[test]
    fn attr_escapes_quotes_and_whitespace_controls() {
        assert_eq!(
            attr("\"&'<>\t\n\r\u{7}"),
            "&quot;&amp;&#39;&lt;&gt;&#9;&#10;&#13;"
        );
        assert_eq!(attr("%0A"), "%0A");
    }

    #[test]
    fn printable_shows_controls() {
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\u{a}c");
        assert_eq!(printable("\u{9b}x"), "\\u{9b}x");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(1)", "'@SUM(1)"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("origin.example.com", "origin.example.com"),
            ("E2QWRUHAPOMQZL", "E2QWRUHAPOMQZL"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_cell(cell), safe, "{cell:?}");
        }
    }
}
