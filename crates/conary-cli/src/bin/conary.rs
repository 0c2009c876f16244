//! The `conary` command: manage the software on one machine.

#![allow(clippy::print_stdout, clippy::print_stderr)]

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
  conary config --config 'installLabelPath conary.example.com@plat:1'
  conary explain version /conary.rpath.com@rpl:devel//shadow/1.2.3-3.1-1.1"
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<String> {
    match &cli.command {
        Command::Config { show_passwords } => {
            let config = cli.global.load_config()?;
            Ok(commands::config::render(&config, *show_passwords))
        }
        Command::Explain(args) => commands::explain::run(args),
    }
}
