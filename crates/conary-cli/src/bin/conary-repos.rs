//! The `conary-repos` command: create, manage and serve repositories.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;
use conary_cli::commands::repos::{ReposCli, run};

/// Logs go to standard error; `CONARY_LOG` picks the level (`info` unless
/// set: error, warn, info, debug, trace).
fn init_tracing() {
    let level = std::env::var("CONARY_LOG")
        .ok()
        .and_then(|level| level.parse().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::INFO);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .init();
}

fn main() -> ExitCode {
    let cli = match ReposCli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            let rendered = error.render().to_string();
            let first = rendered
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("error: invalid arguments");
            let _ = writeln!(std::io::stderr(), "conary-repos: {first} (see --help)");
            return ExitCode::from(2);
        }
    };
    init_tracing();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "conary-repos: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
