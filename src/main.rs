//! The `originscan` binary: parses the command line, runs the command, maps the result to an
//! exit code (0 clean, 1 gate tripped, 2 usage/input/runtime error, 130 interrupted).

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use originscan::cli::{Cli, Command};
use originscan::commands::{self, AppError, ScanExit};

fn exit_for(result: Result<ScanExit, AppError>) -> ExitCode {
    match result {
        Ok(ScanExit::Clean) => ExitCode::SUCCESS,
        Ok(ScanExit::GateTripped) => ExitCode::from(1),
        Ok(ScanExit::Interrupted) => ExitCode::from(130),
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            let error = anyhow::Error::from(error);
            eprintln!("originscan: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let sub = |name: &str| matches.subcommand_matches(name);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("originscan: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Scan(args) => exit_for(
            runtime
                .block_on(commands::scan(args, sub("scan")))
                .map(|r| r.exit),
        ),
        Command::Demo(args) => exit_for(
            runtime
                .block_on(commands::demo(args, sub("demo")))
                .map(|r| r.exit),
        ),
        Command::Merge(args) => exit_for(commands::merge(&args)),
        Command::Diff { old, new } => exit_for(commands::diff(&old, &new)),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "originscan",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Man => {
            let page = clap_mangen::Man::new(Cli::command());
            match page.render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("originscan: {error}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Lab(args) => exit_for(
            runtime
                .block_on(commands::lab(&args))
                .map(|()| ScanExit::Clean),
        ),
        Command::LintLambda(args) => exit_for(commands::lint_lambda(&args)),
        Command::Explain { code } => exit_for(
            commands::explain(&code, &mut std::io::stdout().lock()).map(|()| ScanExit::Clean),
        ),
    }
}
