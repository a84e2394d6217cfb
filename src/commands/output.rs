//! Where a command's report goes: stdout, or the `-o` file written atomically. A report file is
//! written to a temporary file in the same directory and renamed over the target only when the
//! command commits it: a run that fails leaves an existing report untouched, byte for byte, and
//! leaves no empty file behind. The file gets the mode `>` would give it: an existing report's,
//! else what the umask leaves of 0666.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::CommandError;
use crate::cli::settings::UsageError;
use crate::report::{Format, ReportError};

/// An open report destination. Dropped without [`Destination::commit`], a file destination
/// removes its temporary file and leaves the target as it was.
pub(crate) struct Destination {
    writer: BufWriter<Box<dyn Write>>,
    file: Option<(NamedTempFile, PathBuf)>,
}

impl Destination {
    /// Stdout, or a temporary file beside `path` (so that the rename stays on one file
    /// system). Fails if the directory cannot take a file.
    pub(crate) fn open(path: Option<&Path>) -> Result<Destination, CommandError> {
        let Some(path) = path else {
            return Ok(Destination {
                writer: BufWriter::new(Box::new(std::io::stdout().lock())),
                file: None,
            });
        };
        let shown = || path.display().to_string();
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if path.is_dir() {
            return Err(CommandError::Output {
                path: shown(),
                source: std::io::Error::new(std::io::ErrorKind::IsADirectory, "a directory"),
            });
        }
        // The report gets the mode a file written with `>` would: an existing report's, else
        // what the umask leaves of 0666 (a temporary file alone would be 0600, unreadable by a
        // reader such as node_exporter's textfile collector).
        let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
        let mut builder = tempfile::Builder::new();
        builder.prefix(".originscan-").suffix(".tmp");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temporary = builder
            .tempfile_in(directory)
            .map_err(|source| CommandError::Output {
                path: shown(),
                source,
            })?;
        if let Some(permissions) = existing {
            temporary
                .as_file()
                .set_permissions(permissions)
                .map_err(|source| CommandError::Output {
                    path: shown(),
                    source,
                })?;
        }
        let handle = temporary.reopen().map_err(|source| CommandError::Output {
            path: shown(),
            source,
        })?;
        Ok(Destination {
            writer: BufWriter::new(Box::new(handle)),
            file: Some((temporary, path.to_path_buf())),
        })
    }

    /// Where the report goes, for the closing summary.
    pub(crate) fn describe(&self) -> String {
        match &self.file {
            Some((_, path)) => path.display().to_string(),
            None => "stdout".into(),
        }
    }

    /// Flushes and, for a file, renames it into place.
    pub(crate) fn commit(mut self) -> Result<(), CommandError> {
        self.writer.flush().map_err(ReportError::from)?;
        if let Some((temporary, path)) = self.file.take() {
            temporary.as_file().sync_all().map_err(ReportError::from)?;
            temporary
                .persist(&path)
                .map_err(|error| CommandError::Output {
                    path: path.display().to_string(),
                    source: error.error,
                })?;
        }
        Ok(())
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// The format asked for (`-f`, else the `-o` extension, else by terminal).
pub(crate) fn choose_format(
    format: Option<&str>,
    output: Option<&Path>,
) -> Result<Format, CommandError> {
    Format::choose(format, output, std::io::stdout().is_terminal()).map_err(|message| {
        UsageError {
            flag: if format.is_some() {
                "--format"
            } else {
                "--output"
            },
            message,
        }
        .into()
    })
}

/// The format asked for and the destination, opened.
pub(crate) fn output_and_format(
    format: Option<&str>,
    output: Option<&PathBuf>,
) -> Result<(Format, Destination), CommandError> {
    let output = output.map(PathBuf::as_path);
    let format = choose_format(format, output)?;
    Ok((format, Destination::open(output)?))
}
