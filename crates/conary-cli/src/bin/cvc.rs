//! The `cvc` command: build, branch and import software into repositories.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use conary_cli::commands;
use conary_cli::commands::import_deb::SourceTarget;
use conary_cli::global::GlobalArgs;
use conary_cli::progress::ImportReporter;

/// cvc: put software into repositories.
#[derive(Parser)]
#[command(
    name = "cvc",
    version,
    after_help = "Example:
  cvc import-deb ./debs/*.deb --label conary.example.com@deb:12 --config-file ./conaryrc"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    /// Print a line on standard error as each package starts (when not on a terminal)
    #[arg(long, short = 'v', global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import Debian packages onto a label, oldest first; re-importing is a no-op
    #[command(after_help = "Examples:
  cvc import-deb sudo_1.9.13p3-1+deb12u2_amd64.deb sudo_1.9.13p3-1+deb12u4_amd64.deb \\
      --label conary.example.com@deb:12 \\
      --config 'repositoryMap conary.example.com http://127.0.0.1:8080/' \\
      --config 'user conary.example.com admin secret'
prints one line per package: 'imported NAME=VERSION' or 'already present NAME=VERSION'")]
    ImportDeb(commands::import_deb::ImportDebArgs),
}

fn main() -> ExitCode {
    let cli = match conary_cli::exit::parse::<Cli>("cvc") {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    conary_cli::exit::finish("cvc", run(&cli))
}

fn run(cli: &Cli) -> anyhow::Result<String> {
    match &cli.command {
        Command::ImportDeb(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            let commit =
                |path: &std::path::Path| conary_cli::source::commit_for_import(&source, path);
            let target = SourceTarget {
                source: &source,
                commit: &commit,
            };
            let reporter = ImportReporter::stderr(cli.verbose);
            let result = commands::import_deb::run(args, &target, &reporter);
            reporter.finish();
            result
        }
    }
}
