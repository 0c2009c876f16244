//! `cvc markremoved NAME=VERSION[FLAVOR]…` (admin): the repository keeps
//! a removed stub of each trove (its history stays, its contents go);
//! queries and updates step around it. A package takes its components
//! along.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use clap::Args;
use conary_api::TroveSource;
use conary_api::find::{FindOptions, Finder};
use conary_client::NetworkSource;
use conary_core::config::Config;
use conary_core::flavor::FlavorPreferences;
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;

/// Arguments of `cvc markremoved`.
#[derive(Debug, Clone, Args)]
pub struct MarkRemovedArgs {
    /// The troves: NAME=VERSION (every flavor) or NAME=VERSION[FLAVOR]
    #[arg(value_name = "NAME=VERSION[[FLAVOR]]", required = true)]
    pub troves: Vec<String>,
}

/// Runs `cvc markremoved`; one `removed NAME=VERSION[FLAVOR]` line per
/// trove newly marked.
pub fn run(
    args: &MarkRemovedArgs,
    config: &Config,
    source: &NetworkSource,
) -> anyhow::Result<String> {
    let mut labels = config.install_label_path.clone();
    labels.extend(config.build_label.iter().cloned());
    let finder = Finder::new(source, labels, Vec::new(), FlavorPreferences::default());
    let mut tuples: BTreeSet<TroveTuple> = BTreeSet::new();
    for text in &args.troves {
        let spec: TroveSpec = text
            .parse()
            .with_context(|| format!("invalid trove spec '{text}'"))?;
        if spec.version().is_none() {
            bail!("{text}: name the version to remove (NAME=VERSION)");
        }
        let options = FindOptions {
            all_flavors: true,
            ..FindOptions::default()
        };
        let found = finder
            .find(&spec, options)
            .with_context(|| format!("cannot find {text}"))?;
        let manifests = source.troves(&found)?;
        for trove in manifests {
            for (member, _, strong) in trove.iter_refs() {
                if strong
                    && member.version == trove.version
                    && member
                        .name
                        .as_str()
                        .starts_with(&format!("{}:", trove.name))
                {
                    tuples.insert(member.clone());
                }
            }
            tuples.insert(trove.tuple());
        }
    }
    let tuples: Vec<TroveTuple> = tuples.into_iter().collect();
    let marked = source
        .mark_removed(&tuples)
        .context("cannot mark the troves removed")?;
    let mut out = String::new();
    for tuple in marked {
        let _ = writeln!(out, "removed {tuple}");
    }
    Ok(out)
}
