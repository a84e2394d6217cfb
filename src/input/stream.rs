//! Inputs read as streams: [`Guard`] checks bytes as they arrive (UTF-16, NUL bytes, line
//! length, and for stdin and pipes a bound on bytes and lines), so that `/dev/zero` or an
//! endless `yes` on stdin fails at once or at the bound instead of filling memory, and
//! [`sniff`] tells the format from the first bytes without reading the rest.

use std::io::{self, Read, Write};

use super::{InputError, InputFormat, MAX_INPUT_BYTES, MAX_LINE_BYTES, MAX_STREAM_LINES};

/// Bytes read to tell the format of an input without an extension before deciding on what was
/// read.
const SNIFF_BYTES: usize = 1 << 20;
/// Bytes asked of the underlying reader at once.
const CHUNK: usize = 64 * 1024;

/// Checks an input's bytes as they are read; the first violation is returned as an
/// [`io::Error`] wrapping the [`InputError`] ([`input_error`] unwraps it).
pub(crate) struct Guard<R> {
    inner: R,
    name: String,
    /// Stdin or another non-regular file: at most [`MAX_STREAM_LINES`] lines.
    stream: bool,
    /// Whether lines are limited to [`MAX_LINE_BYTES`] (not in a JSON export).
    pub(crate) check_lines: bool,
    /// 1-based number of the line being read.
    line: usize,
    /// Bytes of that line so far (the `\n` excluded).
    line_len: usize,
    bytes: u64,
    head: Vec<u8>,
    blank: bool,
    /// Every byte read is also written there (stdin and pipes are read twice).
    spool: Option<io::BufWriter<std::fs::File>>,
}

impl<R: Read> Guard<R> {
    /// Guards `inner`, read as `name`; `stream` for stdin and pipes (bounded in lines).
    pub(crate) fn new(inner: R, name: &str, stream: bool) -> Guard<R> {
        Guard {
            inner,
            name: name.to_string(),
            stream,
            check_lines: true,
            line: 1,
            line_len: 0,
            bytes: 0,
            head: Vec::with_capacity(2),
            blank: true,
            spool: None,
        }
    }

    /// Copies every byte read into `file` as well.
    pub(crate) fn spool_to(&mut self, file: std::fs::File) {
        self.spool = Some(io::BufWriter::new(file));
    }

    /// The spool file, flushed and rewound, if there is one.
    pub(crate) fn take_spool(&mut self) -> io::Result<Option<std::fs::File>> {
        let Some(spool) = self.spool.take() else {
            return Ok(None);
        };
        let mut file = spool.into_inner().map_err(io::IntoInnerError::into_error)?;
        io::Seek::rewind(&mut file)?;
        Ok(Some(file))
    }

    /// Whether every byte so far was ASCII whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        self.blank
    }

    fn fail(&self, error: InputError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, error)
    }

    /// Checks `chunk`, the next bytes of the input.
    fn check(&mut self, chunk: &[u8]) -> Result<(), InputError> {
        // The byte-order mark decides before the NUL bytes that UTF-16 text is full of.
        if self.head.len() < 2 {
            let take = (2 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.head == b"\xFF\xFE" || self.head == b"\xFE\xFF" {
                return Err(InputError::File {
                    file: self.name.clone(),
                    message: "is UTF-16 text (as Windows PowerShell's `>` writes); save it as \
                              UTF-8, e.g. `... | Out-File -Encoding utf8 FILE`"
                        .into(),
                });
            }
        }
        if chunk.contains(&0) {
            return Err(InputError::File {
                file: self.name.clone(),
                message: "is a binary file (it contains NUL bytes), not a list of targets".into(),
            });
        }
        self.bytes += chunk.len() as u64;
        if self.bytes > MAX_INPUT_BYTES {
            return Err(InputError::invalid(
                &self.name,
                self.line,
                format!(
                    "{} is longer than {MAX_INPUT_BYTES} bytes, the most read from one input",
                    self.what()
                ),
            ));
        }
        self.blank = self.blank && chunk.iter().all(u8::is_ascii_whitespace);
        for (i, byte) in chunk.iter().enumerate() {
            // Any byte after the last line allowed, even an empty line's newline.
            if self.stream && self.line > MAX_STREAM_LINES {
                return Err(InputError::invalid(
                    &self.name,
                    self.line,
                    format!(
                        "{} has more than {MAX_STREAM_LINES} lines, the most read from stdin or \
                         a pipe: save the list to a file and give it with -i FILE",
                        self.what()
                    ),
                ));
            }
            if *byte == b'\n' {
                self.line += 1;
                self.line_len = 0;
                continue;
            }
            self.line_len += 1;
            if self.check_lines && self.line_len > MAX_LINE_BYTES {
                let rest = &chunk[i + 1..];
                return Err(self.overlong(rest));
            }
        }
        Ok(())
    }

    /// The error for a line past [`MAX_LINE_BYTES`]: the rest of the line is read (and
    /// dropped, nothing kept) to say how long it is, up to [`MAX_INPUT_BYTES`].
    fn overlong(&mut self, rest: &[u8]) -> InputError {
        let mut length = self.line_len as u64;
        let mut ended = match rest.iter().position(|b| *b == b'\n') {
            Some(end) => {
                length += end as u64;
                true
            }
            None => {
                length += rest.len() as u64;
                false
            }
        };
        let mut buf = vec![0; CHUNK];
        while !ended && self.bytes + length < MAX_INPUT_BYTES {
            match self.inner.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => match buf[..n].iter().position(|b| *b == b'\n' || *b == 0) {
                    Some(end) => {
                        length += end as u64;
                        ended = true;
                    }
                    None => length += n as u64,
                },
            }
        }
        InputError::invalid(
            &self.name,
            self.line,
            format!("line is {length} bytes long (at most {MAX_LINE_BYTES})"),
        )
    }

    fn what(&self) -> &'static str {
        if self.name == "-" {
            "stdin"
        } else {
            "the input"
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.check(&buf[..n]).map_err(|e| self.fail(e))?;
        if let Some(spool) = self.spool.as_mut() {
            spool.write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

/// The [`InputError`] a [`Guard`] failed with, or an I/O error on `name`.
pub(crate) fn input_error(name: &str, error: io::Error) -> InputError {
    if !error
        .get_ref()
        .is_some_and(|inner| inner.is::<InputError>())
    {
        return InputError::Io {
            file: name.to_string(),
            source: error,
        };
    }
    match error
        .into_inner()
        .map(|inner| inner.downcast::<InputError>())
    {
        Some(Ok(input)) => *input,
        // Not reached: the inner error was checked to be an InputError.
        _ => InputError::File {
            file: name.to_string(),
            message: "could not be read".into(),
        },
    }
}

/// Reads the first bytes of `guard` to tell its format (by `name`'s extension first): returns
/// them with the format. Reading stops at the first line that is not blank or a comment, at an
/// opening `{`, at the end, or after 1 MiB.
pub(crate) fn sniff<R: Read>(
    guard: &mut Guard<R>,
    name: &str,
) -> Result<(Vec<u8>, InputFormat), InputError> {
    let mut prefix = Vec::new();
    if let Some(format) = InputFormat::from_name(name) {
        return Ok((prefix, format));
    }
    let mut chunk = vec![0; 8 * 1024];
    loop {
        let n = guard.read(&mut chunk).map_err(|e| input_error(name, e))?;
        prefix.extend_from_slice(&chunk[..n]);
        if n == 0 || prefix.len() >= SNIFF_BYTES || decided(&prefix) {
            return Ok((prefix.clone(), InputFormat::detect(name, &prefix)));
        }
    }
}

/// Whether `prefix` already tells the format: it opens with `{`, or holds a whole line that is
/// neither blank nor a comment.
fn decided(prefix: &[u8]) -> bool {
    if super::cloudfront::looks_like_json(prefix) {
        return true;
    }
    let Some(end) = prefix.iter().rposition(|b| *b == b'\n') else {
        return false;
    };
    prefix[..end]
        .split(|b| *b == b'\n')
        .any(|l| !l.iter().all(u8::is_ascii_whitespace) && !l.starts_with(b"#"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(content: &[u8], stream: bool) -> Result<Vec<u8>, InputError> {
        let mut guard = Guard::new(content, "-", stream);
        let mut out = Vec::new();
        guard
            .read_to_end(&mut out)
            .map_err(|e| input_error("-", e))?;
        Ok(out)
    }

    #[test]
    fn nul_bytes_utf16_and_long_lines_are_refused_as_they_arrive() {
        let err = read_all(b"a.example\n\0", true).unwrap_err().to_string();
        assert!(err.contains("binary"), "{err}");
        let err = read_all(b"\xFF\xFEa\0", true).unwrap_err().to_string();
        assert!(err.contains("UTF-16"), "{err}");
        let long = [b"a\n".as_slice(), &vec![b'x'; 100_000], b"\nb\n"].concat();
        let err = read_all(&long, true).unwrap_err().to_string();
        assert_eq!(err, "-:2: line is 100000 bytes long (at most 65536)");
        assert_eq!(read_all(b"a\r\nb\n", true).unwrap(), b"a\r\nb\n");
    }

    #[test]
    fn a_stream_holds_at_most_the_line_limit() {
        // An endless `yes`: the guard stops at the first byte of the line past the limit.
        let yes = std::io::repeat(b'\n');
        let mut guard = Guard::new(yes, "-", true);
        let err = std::io::copy(&mut guard, &mut std::io::sink()).unwrap_err();
        let err = input_error("-", err).to_string();
        assert!(
            err.starts_with(&format!("-:{}: stdin has more than", MAX_STREAM_LINES + 1)),
            "{err}"
        );
        // A file is not bounded in lines.
        let mut guard = Guard::new(std::io::repeat(b'\n').take(11_000_000), "f.txt", false);
        assert_eq!(
            std::io::copy(&mut guard, &mut std::io::sink()).unwrap(),
            11_000_000
        );
    }

    #[test]
    fn sniffing_reads_only_what_decides() {
        let mut content = b"# a comment\norigin,port\n".to_vec();
        content.extend(std::iter::repeat_n(b'x', 4 << 20));
        let mut guard = Guard::new(content.as_slice(), "-", true);
        guard.check_lines = false;
        let (prefix, format) = sniff(&mut guard, "-").unwrap();
        assert_eq!(format, InputFormat::Csv);
        assert!(prefix.len() <= 8 * 1024, "{}", prefix.len());
        let mut guard = Guard::new(b" {\"DistributionList\"".as_slice(), "-", true);
        assert_eq!(sniff(&mut guard, "-").unwrap().1, InputFormat::CloudFront);
    }
}
