//! `cvc redirect NAME=FROM TARGET=TO…`: commits redirect troves (see
//! [`conary_build::redirect`]) so that `conary update NAME` moves to
//! TARGET on TO (a rename, or a move to another branch or repository).

use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use clap::Args;
use conary_build::redirect;
use conary_changeset::{NoContents, write_changeset};
use conary_client::NetworkSource;
use conary_core::name::TroveName;
use conary_core::version::{Branch, Label};

/// Arguments of `cvc redirect`.
#[derive(Debug, Clone, Args)]
pub struct RedirectArgs {
    /// The trove redirected and the branch (or label, for its trunk) it is
    /// on: NAME=/host@ns:tag or NAME=host@ns:tag
    #[arg(value_name = "NAME=BRANCH")]
    pub from: String,
    /// Where updates go instead: TARGET-NAME=TARGET-BRANCH; several when a
    /// package is split
    #[arg(value_name = "TARGET=BRANCH", required = true)]
    pub to: Vec<String>,
    /// Show the redirects and commit nothing
    #[arg(long, short = 'i')]
    pub info: bool,
}

/// `NAME=BRANCH` (a label stands for its trunk).
fn name_and_branch(text: &str) -> anyhow::Result<(TroveName, Branch)> {
    let Some((name, branch)) = text.split_once('=') else {
        bail!("invalid '{text}': expected NAME=BRANCH");
    };
    let name: TroveName = name
        .parse()
        .with_context(|| format!("invalid trove name in '{text}'"))?;
    let branch = if branch.starts_with('/') {
        branch
            .parse()
            .with_context(|| format!("invalid branch in '{text}'"))?
    } else {
        let label: Label = branch
            .parse()
            .with_context(|| format!("invalid label in '{text}'"))?;
        Branch::new(label)
    };
    Ok((name, branch))
}

/// Runs `cvc redirect`; the lines to print.
pub fn run(args: &RedirectArgs, source: &NetworkSource) -> anyhow::Result<String> {
    let (name, branch) = name_and_branch(&args.from)?;
    let targets = args
        .to
        .iter()
        .map(|text| name_and_branch(text))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let troves = redirect::build(source, &name, &branch, &targets)?;
    let mut out = String::new();
    if args.info {
        let named: Vec<String> = targets
            .iter()
            .map(|(target, target_branch)| format!("{target} on {target_branch}"))
            .collect();
        for trove in &troves {
            let _ = writeln!(
                out,
                "would redirect {} to {}",
                trove.tuple(),
                named.join(", ")
            );
        }
        return Ok(out);
    }
    let changeset = redirect::changeset(&troves)?;
    let dir = tempfile::Builder::new()
        .prefix("cvc-redirect-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let path = dir.path().join("redirect.ccs");
    let bytes = write_changeset(Vec::new(), &changeset, &NoContents)?;
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let result = source
        .commit_file(&path)
        .context("cannot commit the redirect")?;
    out.push_str(&super::commit::lines(&result));
    Ok(out)
}
