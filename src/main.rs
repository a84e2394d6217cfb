//! The `originscan` binary: parses the command line, runs the command, maps the result to an
//! exit code (0 clean, 1 gate tripped, 2 usage/input/runtime error, 130 interrupted).

use std::process::ExitCode;

use originscan::commands::{self, CommandError, ScanExit};

fn main() -> ExitCode {
    let result = originscan::cli::parse()
        .map_err(CommandError::from)
        .and_then(|command| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(CommandError::Runtime)?;
            commands::run(command, &runtime)
        });
    match result {
        Ok(ScanExit::Clean) => ExitCode::SUCCESS,
        Ok(ScanExit::GateTripped) => ExitCode::from(1),
        Ok(ScanExit::Interrupted) => ExitCode::from(130),
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            // Input files and origins choose parts of a message: their control bytes are shown,
            // never sent to the terminal.
            // Every error's message already names its cause (an OS error included): printing
            // the chain as well would say it twice.
            let error = error.to_string();
            eprintln!(
                "originscan: {}",
                originscan::report::escape::terminal_lines(&error)
            );
            ExitCode::from(2)
        }
    }
}
