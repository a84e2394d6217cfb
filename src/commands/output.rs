//! Where a command's report goes: the `-o` file or stdout, and in which format.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::CommandError;
use crate::cli::settings::UsageError;
use crate::report::Format;

/// The report's destination: the `-o` file, else stdout, buffered.
pub(crate) fn open_output(path: Option<&Path>) -> Result<Box<dyn Write>, CommandError> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|source| {
            CommandError::Output {
                path: path.display().to_string(),
                source,
            }
        })?)),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

/// The format asked for (`-f`, else the `-o` extension, else by terminal) and the destination.
pub(crate) fn output_and_format(
    format: Option<&str>,
    output: Option<&PathBuf>,
) -> Result<(Format, Box<dyn Write>), CommandError> {
    let format = Format::choose(
        format,
        output.map(PathBuf::as_path),
        std::io::stdout().is_terminal(),
    )
    .map_err(|message| UsageError {
        flag: "--format",
        message,
    })?;
    let out = open_output(output.map(PathBuf::as_path))?;
    Ok((format, out))
}
