//! The `cvc` command.

use clap::Parser;

/// cvc: see `cvc --help`.
#[derive(Parser)]
#[command(name = "cvc", version)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
