//! `conary commit FILE.ccs`: a changeset file into the repository of its
//! troves' label.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use conary_client::{CommitResult, NetworkSource};

/// Arguments of `conary commit`.
#[derive(Debug, Clone, Args)]
pub struct CommitArgs {
    /// The changeset file; its troves must all belong to one repository
    #[arg(value_name = "FILE.ccs")]
    pub file: PathBuf,
}

/// Commits the file to the repository of its troves (a changeset whose
/// troves span repositories is refused before anything is sent); returns
/// one line per trove, `committed NAME=VERSION[FLAVOR]` or `already
/// present NAME=VERSION[FLAVOR]`.
pub fn run(args: &CommitArgs, source: &NetworkSource) -> anyhow::Result<String> {
    let result = source
        .commit_file(&args.file)
        .with_context(|| format!("cannot commit {}", args.file.display()))?;
    Ok(lines(&result))
}

/// The lines of a commit's result, committed troves first, each group in
/// order.
///
/// ```rust
/// let mut result = conary_client::CommitResult::default();
/// result.committed.push("foo:runtime=/a.example.com@rpl:2/1.0-1-1[]".parse()?);
/// assert_eq!(
///     conary_cli::commands::commit::lines(&result),
///     "committed foo:runtime=/a.example.com@rpl:2/1.0-1-1[]\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lines(result: &CommitResult) -> String {
    let mut out = String::new();
    for (word, tuples) in [
        ("committed", &result.committed),
        ("already present", &result.already_present),
    ] {
        for tuple in tuples.iter().collect::<BTreeSet<_>>() {
            let _ = writeln!(out, "{word} {tuple}");
        }
    }
    out
}
