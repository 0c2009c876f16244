//! `cvc clone` and `cvc promote`: troves copied to a related branch, or
//! from one label to another, over [`conary_build::clone`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;
use conary_api::find::{FindOptions, Finder};
use conary_build::clone::{self, CloneOptions, ClonePlan, Destination, LabelMapping};
use conary_changeset::{NoContents, write_changeset};
use conary_client::NetworkSource;
use conary_core::config::Config;
use conary_core::flavor::FlavorPreferences;
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;
use conary_core::version::{Branch, Label};

/// Arguments of `cvc clone`.
#[derive(Debug, Clone, Args)]
pub struct CloneArgs {
    /// The branch to clone to: a sibling shadow, the parent branch, or a
    /// trunk of the same namespace
    #[arg(value_name = "TARGET-BRANCH")]
    pub target: String,
    /// The troves to clone
    #[arg(value_name = "NAME[=VERSION][[FLAVOR]]", required = true)]
    pub troves: Vec<String>,
    /// Clone the sources of the binaries too (otherwise they must already
    /// have been cloned)
    #[arg(long)]
    pub with_sources: bool,
    /// Show what would be cloned and change nothing
    #[arg(long, short = 'i')]
    pub info: bool,
    /// Do everything but commit
    #[arg(long)]
    pub test: bool,
    /// The changelog message of cloned sources
    #[arg(long, short = 'm', value_name = "MESSAGE")]
    pub message: Option<String>,
    /// Keep build requirements and loaded troves unmapped
    #[arg(long)]
    pub skip_build_info: bool,
    /// Write the changeset here instead of committing it
    #[arg(long, value_name = "FILE.ccs")]
    pub to_file: Option<PathBuf>,
}

/// Arguments of `cvc promote`.
#[derive(Debug, Clone, Args)]
pub struct PromoteArgs {
    /// Troves (groups, usually) and FROM--TO label mappings; labels may be
    /// abbreviated (`:qa--:prod`, `@rpl:qa--@rpl:prod`): FROM against the
    /// buildLabel, TO against FROM
    #[arg(value_name = "GROUP|NAME… FROM--TO…", required = true, num_args = 2..)]
    pub args: Vec<String>,
    /// Show what would be promoted and change nothing
    #[arg(long, short = 'i')]
    pub info: bool,
    /// Do everything but commit
    #[arg(long)]
    pub test: bool,
    /// Do not clone the sources (they must already be on the target)
    #[arg(long)]
    pub without_sources: bool,
    /// Only the troves included by default
    #[arg(long)]
    pub default_only: bool,
    /// Every flavor built from the same cook (the default)
    #[arg(long, conflicts_with = "exact_flavors")]
    pub all_flavors: bool,
    /// Only the flavors named (or the best for this machine)
    #[arg(long)]
    pub exact_flavors: bool,
    /// Promote the contents of groups, not the groups
    #[arg(long)]
    pub exclude_groups: bool,
    /// Keep build requirements and loaded troves unmapped
    #[arg(long)]
    pub skip_build_info: bool,
    /// Write the changeset here instead of committing it
    #[arg(long, value_name = "FILE.ccs")]
    pub to_file: Option<PathBuf>,
    /// The changelog message of promoted sources
    #[arg(long, short = 'm', value_name = "MESSAGE")]
    pub message: Option<String>,
}

/// What to do with a plan.
struct Finish<'a> {
    info: bool,
    test: bool,
    to_file: Option<&'a Path>,
    word: &'a str,
}

/// Runs `cvc clone`.
pub fn clone_command(
    args: &CloneArgs,
    config: &Config,
    source: &NetworkSource,
) -> anyhow::Result<String> {
    let target: Branch = args
        .target
        .parse()
        .with_context(|| format!("invalid target branch '{}'", args.target))?;
    let labels = super::search_labels(config, &[]);
    let roots = find_roots(source, config, &args.troves, &labels, false)?;
    let options = CloneOptions {
        with_sources: args.with_sources,
        all_flavors: false,
        skip_build_info: args.skip_build_info,
        message: args.message.clone(),
        ..CloneOptions::default()
    };
    let plan = clone::plan(source, &roots, &Destination::Branch(target), &options)?;
    finish(
        source,
        &plan,
        &Finish {
            info: args.info,
            test: args.test,
            to_file: args.to_file.as_deref(),
            word: "clone",
        },
    )
}

/// Runs `cvc promote`.
pub fn promote_command(
    args: &PromoteArgs,
    config: &Config,
    source: &NetworkSource,
) -> anyhow::Result<String> {
    let default = config
        .build_label
        .clone()
        .or_else(|| config.install_label_path.first().cloned());
    let (maps, specs): (Vec<&String>, Vec<&String>) =
        args.args.iter().partition(|arg| arg.contains("--"));
    if maps.is_empty() {
        bail!("no FROM--TO label mapping given (e.g. :qa--:prod)");
    }
    if specs.is_empty() {
        bail!("no trove to promote given");
    }
    let mappings: Vec<LabelMapping> = maps
        .iter()
        .map(|text| LabelMapping::parse(text, default.as_ref()))
        .collect::<Result<_, _>>()?;
    let from: Vec<Label> = mappings.iter().map(|m| m.from.clone()).collect();
    let specs: Vec<String> = specs.into_iter().cloned().collect();
    let roots = find_roots(source, config, &specs, &from, args.exact_flavors)?;
    let options = CloneOptions {
        with_sources: !args.without_sources,
        all_flavors: !args.exact_flavors,
        default_only: args.default_only,
        exclude_groups: args.exclude_groups,
        skip_build_info: args.skip_build_info,
        message: args.message.clone(),
    };
    let plan = clone::plan(source, &roots, &Destination::Labels(mappings), &options)?;
    finish(
        source,
        &plan,
        &Finish {
            info: args.info,
            test: args.test,
            to_file: args.to_file.as_deref(),
            word: "promote",
        },
    )
}

/// The troves `specs` name on `labels`: every flavor of the latest
/// version, or, with `exact`, the flavor named or the best for this
/// machine.
fn find_roots(
    source: &NetworkSource,
    config: &Config,
    specs: &[String],
    labels: &[Label],
    exact: bool,
) -> anyhow::Result<Vec<TroveTuple>> {
    let flavor_path = if exact {
        config.flavor.clone()
    } else {
        Vec::new()
    };
    let finder = Finder::new(
        source,
        labels.to_vec(),
        flavor_path,
        FlavorPreferences::default(),
    );
    let mut roots = Vec::new();
    for text in specs {
        let spec: TroveSpec = text
            .parse()
            .with_context(|| format!("invalid trove spec '{text}'"))?;
        let options = FindOptions {
            all_flavors: !exact,
            ..FindOptions::default()
        };
        let found = finder
            .find(&spec, options)
            .with_context(|| format!("cannot find {text}"))?;
        roots.extend(found);
    }
    Ok(roots)
}

/// Shows, writes or commits `plan`; the lines to print.
fn finish(source: &NetworkSource, plan: &ClonePlan, how: &Finish<'_>) -> anyhow::Result<String> {
    let mut out = String::new();
    for entry in &plan.entries {
        if entry.already {
            let _ = writeln!(out, "already cloned {} as {}", entry.from, entry.to.version);
        } else if how.info {
            let _ = writeln!(
                out,
                "would {} {} to {}",
                how.word, entry.from, entry.to.version
            );
        }
    }
    if how.info {
        return Ok(out);
    }
    if plan.is_noop() {
        let _ = writeln!(
            out,
            "nothing to {}: every trove is already cloned",
            how.word
        );
        return Ok(out);
    }
    let changeset = plan.changeset(source)?;
    let spool_dir;
    let path = match how.to_file {
        Some(path) => path.to_path_buf(),
        None => {
            spool_dir = tempfile::Builder::new()
                .prefix("cvc-clone-")
                .tempdir()
                .context("cannot create a temporary directory")?;
            spool_dir.path().join("clone.ccs")
        }
    };
    let file =
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    let out_file = write_changeset(std::io::BufWriter::new(file), &changeset, &NoContents)
        .with_context(|| format!("cannot write {}", path.display()))?;
    out_file
        .into_inner()
        .map_err(|error| error.into_error())
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    if how.to_file.is_some() {
        for trove in &plan.troves {
            let _ = writeln!(out, "built {}", trove.tuple());
        }
        let _ = writeln!(out, "wrote {}", path.display());
        return Ok(out);
    }
    if how.test {
        for trove in &plan.troves {
            let _ = writeln!(out, "would commit {}", trove.tuple());
        }
        return Ok(out);
    }
    let result = source
        .commit_file(&path)
        .context("cannot commit the clone")?;
    out.push_str(&super::commit::lines(&result));
    Ok(out)
}
