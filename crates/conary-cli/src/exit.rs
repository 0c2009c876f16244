//! How the binaries end: exit status 0 on success; otherwise non-zero with
//! one line on standard error.

use std::io::Write as _;
use std::process::ExitCode;

/// Parses the command line; on `--help` or `--version` prints and exits 0,
/// on a usage error prints one line and exits 2.
pub fn parse<P: clap::Parser>(program: &str) -> Result<P, ExitCode> {
    match P::try_parse() {
        Ok(parsed) => Ok(parsed),
        Err(error) if !error.use_stderr() => {
            let _ = error.print();
            Err(ExitCode::SUCCESS)
        }
        Err(error) => {
            let rendered = error.render().to_string();
            let first = rendered
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("error: invalid arguments");
            let _ = writeln!(std::io::stderr(), "{program}: {first} (see --help)");
            Err(ExitCode::from(2))
        }
    }
}

/// The error and its causes on one line.
///
/// ```rust
/// let error = anyhow::anyhow!("line one\nline two").context("cannot do it");
/// assert_eq!(conary_cli::exit::error_line(&error), "cannot do it: line one; line two");
/// ```
pub fn error_line(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        // A cause often repeats the message it wraps.
        if parts.last().is_some_and(|last| last.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts
        .join(": ")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Prints `output` on standard output and `PROGRAM: error: …` on standard
/// error for a failure; the exit status to end with.
pub fn finish(program: &str, result: anyhow::Result<String>) -> ExitCode {
    match result {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(output.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            let _ = writeln!(
                std::io::stderr(),
                "{program}: error: {}",
                error_line(&error)
            );
            ExitCode::FAILURE
        }
    }
}
