//! The `conary` command.

use clap::Parser;

/// conary: see `conary --help`.
#[derive(Parser)]
#[command(name = "conary", version)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
