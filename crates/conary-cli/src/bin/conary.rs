//! The `conary` command: manage the software on one machine and query
//! repositories.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use conary_cli::commands;
use conary_cli::global::GlobalArgs;

/// conary: keep a machine in the state its system model describes.
#[derive(Parser)]
#[command(
    name = "conary",
    version,
    after_help = "Examples:
  conary rq --config 'installLabelPath conary.example.com@deb:12' --config-file ./conaryrc
  conary changeset sudo=1.9.13p3_1+deb12u2-1-1--1.9.13p3_1+deb12u4-1-1 sudo.ccs
  conary showcs sudo.ccs
  conary commit sudo-shadow.ccs --config-file ./conaryrc"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the effective configuration
    #[command(after_help = "Example:\n  conary config --config-file ./conaryrc --show-passwords")]
    Config {
        /// Show passwords instead of hiding them
        #[arg(long)]
        show_passwords: bool,
    },
    /// Explain how Conary reads versions, shadows and flavors
    Explain(commands::explain::ExplainArgs),
    /// Query the repositories: one NAME=VERSION per line, or details
    #[command(
        visible_alias = "rq",
        after_help = "Examples:
  conary rq                                   every trove on the install label path
  conary rq sudo --all-versions --flavors
  conary rq sudo=conary.example.com@deb:12 --info
  conary rq sudo --files          (or --ls; --lsl for ls -l lines)
  conary rq sudo --deps"
    )]
    Repquery(commands::rq::RqArgs),
    /// Fetch a changeset (relative NAME=OLD--NEW, absolute NAME=VERSION) into a file
    #[command(
        visible_alias = "cs",
        after_help = "Examples:
  conary changeset sudo=1.9.13p3_1+deb12u2-1-1--1.9.13p3_1+deb12u4-1-1 sudo.ccs
  conary changeset curl=7.88.1_10+deb12u15-1-1 curl.ccs"
    )]
    Changeset(commands::changeset::ChangesetArgs),
    /// Show a changeset file: troves, files, sizes, deltas (checked first)
    #[command(
        visible_alias = "scs",
        after_help = "Example:\n  conary showcs sudo.ccs"
    )]
    Showcs(commands::showcs::ShowcsArgs),
    /// Commit a changeset file to the repository of its troves' label
    #[command(after_help = "Example:
  conary commit sudo-shadow.ccs --config-file ./conaryrc
prints one line per trove: 'committed NAME=VERSION[FLAVOR]' or 'already present NAME=VERSION[FLAVOR]';
a changeset whose troves belong to several repositories is refused (commit each repository's troves separately)")]
    Commit(commands::commit::CommitArgs),
}

fn main() -> ExitCode {
    let cli = match conary_cli::exit::parse::<Cli>("conary") {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    conary_cli::exit::finish("conary", run(&cli))
}

fn run(cli: &Cli) -> anyhow::Result<String> {
    match &cli.command {
        Command::Config { show_passwords } => {
            let config = cli.global.load_config()?;
            Ok(commands::config::render(&config, *show_passwords))
        }
        Command::Explain(args) => commands::explain::run(args),
        Command::Repquery(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::rq::run(args, &config, &source)
        }
        Command::Changeset(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            let written = commands::changeset::run(args, &config, &source)?;
            Ok(format!(
                "wrote {} ({} jobs, {} bytes)\n",
                written.path.display(),
                written.jobs.len(),
                written.bytes
            ))
        }
        Command::Showcs(args) => commands::showcs::run(args),
        Command::Commit(args) => {
            let config = cli.global.load_config()?;
            let source = conary_cli::source::open(&config)?;
            commands::commit::run(args, &source)
        }
    }
}
