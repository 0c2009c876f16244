//! `cvc shadow` and `cvc branch`: troves onto a shadow or a branch of
//! their label, on the same or another server. The work is
//! `conary_build::shadow`'s; this resolves the arguments and commits.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::Args;
use conary_build::shadow::{ShadowOptions, Target, plan};
use conary_client::NetworkSource;
use conary_core::config::Config;
use conary_core::spec::TroveSpec;
use conary_core::version::Label;

/// Arguments of `cvc shadow`.
#[derive(Debug, Clone, Args)]
pub struct ShadowArgs {
    /// The label of the shadow (any server in the repositoryMap)
    #[arg(value_name = "TARGET-LABEL")]
    pub target: String,
    /// What to shadow: NAME[=VERSION][[FLAVOR]] (the package with its
    /// components and its source) or NAME:source
    #[arg(value_name = "NAME[=VERSION][[FLAVOR]]", required = true)]
    pub troves: Vec<String>,
    /// Shadow the :source troves only
    #[arg(long, conflicts_with = "binary_only")]
    pub source_only: bool,
    /// Shadow the binary packages and components only
    #[arg(long)]
    pub binary_only: bool,
    /// Print what would be shadowed; change nothing
    #[arg(long, short = 'i')]
    pub info: bool,
    /// Write the changeset here instead of committing it
    #[arg(long, value_name = "FILE.ccs")]
    pub to_file: Option<PathBuf>,
}

/// Arguments of `cvc branch`.
#[derive(Debug, Clone, Args)]
pub struct BranchArgs {
    /// The label of the new branch (its tag names it: /LABEL/1.2-3/TAG)
    #[arg(value_name = "TARGET-LABEL")]
    pub target: String,
    /// The source versions to branch from: NAME=VERSION (NAME or
    /// NAME:source; only the source is branched)
    #[arg(value_name = "NAME=VERSION", required = true)]
    pub troves: Vec<String>,
    /// Print what would be branched; change nothing
    #[arg(long, short = 'i')]
    pub info: bool,
    /// Write the changeset here instead of committing it
    #[arg(long, value_name = "FILE.ccs")]
    pub to_file: Option<PathBuf>,
}

/// `cvc shadow TARGET-LABEL NAME…`; returns the lines to print.
pub fn shadow(
    args: &ShadowArgs,
    config: &Config,
    source: &NetworkSource,
) -> anyhow::Result<String> {
    let options = ShadowOptions {
        source_only: args.source_only,
        binary_only: args.binary_only,
    };
    let label = parse_label(&args.target, config)?;
    run(
        &Target::Shadow(label),
        &args.troves,
        options,
        args.info,
        args.to_file.as_ref(),
        config,
        source,
    )
}

/// `cvc branch TARGET-LABEL NAME=VERSION…`; returns the lines to print.
pub fn branch(
    args: &BranchArgs,
    config: &Config,
    source: &NetworkSource,
) -> anyhow::Result<String> {
    let label = parse_label(&args.target, config)?;
    let specs: Vec<String> = args
        .troves
        .iter()
        .map(|text| match text.split_once('=') {
            Some((name, version)) if !name.ends_with(":source") => {
                format!("{name}:source={version}")
            }
            None if !text.ends_with(":source") => format!("{text}:source"),
            _ => text.clone(),
        })
        .collect();
    run(
        &Target::Branch(label),
        &specs,
        ShadowOptions::default(),
        args.info,
        args.to_file.as_ref(),
        config,
        source,
    )
}

/// A target label: whole (`host@ns:tag`), or `:tag` / `ns:tag` relative to
/// the buildLabel.
fn parse_label(text: &str, config: &Config) -> anyhow::Result<Label> {
    if text.contains('@') {
        return text
            .parse()
            .with_context(|| format!("invalid target label '{text}'"));
    }
    let Some(build) = &config.build_label else {
        bail!("'{text}' is not a whole label (host@ns:tag) and no buildLabel is set");
    };
    Label::parse_relative(text.trim_start_matches(':'), build)
        .with_context(|| format!("invalid target label '{text}'"))
}

fn run(
    target: &Target,
    troves: &[String],
    options: ShadowOptions,
    info: bool,
    to_file: Option<&PathBuf>,
    config: &Config,
    source: &NetworkSource,
) -> anyhow::Result<String> {
    let specs: Vec<TroveSpec> = troves
        .iter()
        .map(|text| {
            text.parse()
                .with_context(|| format!("invalid trove spec '{text}'"))
        })
        .collect::<anyhow::Result<_>>()?;
    let label_path = super::search_labels(config, &[]);
    let planned = plan(source, target, &specs, &label_path, options)?;
    if info {
        return Ok(planned.describe());
    }
    let mut out = String::new();
    for item in planned.items.iter().filter(|item| item.already) {
        let _ = writeln!(out, "already {}ed {}", verb(target), item.new);
    }
    if planned.is_noop() {
        return Ok(out);
    }
    let spool = tempfile::Builder::new()
        .prefix("cvc-shadow-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let file = match to_file {
        Some(file) => file.clone(),
        None => spool.path().join("shadow.ccs"),
    };
    let written = planned.write_changeset(source, &file)?;
    if to_file.is_some() {
        for tuple in &written {
            let _ = writeln!(out, "{}ed {tuple}", verb(target));
        }
        let _ = writeln!(out, "wrote {}", file.display());
        return Ok(out);
    }
    let result = source
        .commit_file(&file)
        .with_context(|| format!("cannot commit the {}", verb(target)))?;
    out.push_str(&super::commit::lines(&result));
    Ok(out)
}

fn verb(target: &Target) -> &'static str {
    match target {
        Target::Shadow(_) => "shadow",
        Target::Branch(_) => "branch",
    }
}
