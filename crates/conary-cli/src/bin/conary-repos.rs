//! The `conary-repos` command.

use clap::Parser;

/// conary-repos: see `conary-repos --help`.
#[derive(Parser)]
#[command(name = "conary-repos", version)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
