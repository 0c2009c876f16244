//! `conary showcs FILE.ccs`: what a changeset file holds, after checking it.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use conary_changeset::{Limits, NoContents, Summary, Verification, verify};

/// Arguments of `conary showcs`.
#[derive(Debug, Clone, Args)]
pub struct ShowcsArgs {
    /// The changeset file
    #[arg(value_name = "FILE.ccs")]
    pub file: std::path::PathBuf,
}

/// Checks the whole file (every payload, deltas as far as their framing
/// since their bases are not at hand), then describes it: troves, files
/// with sizes, how each travels (full, delta, reference), totals.
pub fn run(args: &ShowcsArgs) -> anyhow::Result<String> {
    let path = &args.file;
    let verification = verify(open(path)?, Limits::default(), &NoContents)
        .with_context(|| format!("{} is not a valid changeset", path.display()))?;
    let summary = Summary::read(open(path)?, Limits::default())
        .with_context(|| format!("{} is not a valid changeset", path.display()))?;
    Ok(format!("{summary}{}", checked_line(&verification)))
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::new(file))
}

/// The last line: what was verified.
fn checked_line(verification: &Verification) -> String {
    if verification.framing_only == 0 {
        format!("verified: {} payloads\n", verification.verified)
    } else {
        format!(
            "verified: {} payloads; {} deltas checked as far as their framing (bases not at hand)\n",
            verification.verified, verification.framing_only
        )
    }
}
