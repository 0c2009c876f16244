//! `conary repquery` / `conary rq`: what the repositories hold.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Context as _;
use clap::Args;
use conary_api::find::{FindOptions, Finder};
use conary_api::{Job, TroveSource};
use conary_core::config::Config;
use conary_core::digest::FileId;
use conary_core::files::FileStream;
use conary_core::flavor::FlavorPreferences;
use conary_core::spec::TroveSpec;
use conary_core::trove::{Trove, TroveTuple};

use crate::display::{self, DisplayOptions};

/// Arguments of `conary rq`.
#[derive(Debug, Clone, Default, Args)]
pub struct RqArgs {
    /// Troves to show, NAME[=VERSION-OR-LABEL][[FLAVOR]]; none lists every
    /// trove on the install label path
    #[arg(value_name = "SPEC")]
    pub specs: Vec<String>,
    /// Every version, not only the latest
    #[arg(long)]
    pub all_versions: bool,
    /// Print whole versions (/host@ns:tag/1.0-1-1)
    #[arg(long)]
    pub full_versions: bool,
    /// Print the flavor of every trove
    #[arg(long)]
    pub flavors: bool,
    /// Every flavor that fits the flavor path, not only the best one
    #[arg(long)]
    pub all_flavors: bool,
    /// List components (NAME:SUFFIX) too when listing a label
    #[arg(long)]
    pub components: bool,
    /// List the files (of a package: of its components)
    #[arg(long, visible_alias = "ls")]
    pub files: bool,
    /// List the files as `ls -l` does
    #[arg(long)]
    pub lsl: bool,
    /// Show what is known about each trove
    #[arg(long)]
    pub info: bool,
    /// Show what each trove provides and requires
    #[arg(long)]
    pub deps: bool,
    /// List the troves a package or group includes: strong references,
    /// then (indented) weak ones, with `(not by default)` where so
    #[arg(long)]
    pub troves: bool,
}

impl RqArgs {
    fn details(&self) -> bool {
        self.files || self.lsl || self.info || self.deps || self.troves
    }
}

/// A finder for `config`: its install label path, flavor path and flavor
/// preferences.
pub fn finder<'s>(config: &Config, source: &'s dyn TroveSource) -> Finder<'s> {
    Finder::new(
        source,
        config.install_label_path.clone(),
        config.flavor.clone(),
        FlavorPreferences::new(config.flavor_preferences.clone()),
    )
}

/// Parses a trove spec given on the command line.
pub fn parse_spec(text: &str) -> anyhow::Result<TroveSpec> {
    text.parse()
        .with_context(|| format!("invalid trove spec '{text}'"))
}

/// Runs the query and returns what to print.
pub fn run(args: &RqArgs, config: &Config, source: &dyn TroveSource) -> anyhow::Result<String> {
    let finder = finder(config, source);
    let options = FindOptions {
        all_versions: args.all_versions,
        all_flavors: args.all_flavors,
        components: args.components || config.show_components,
    };
    let tuples = if args.specs.is_empty() {
        finder.list_all(options)?
    } else {
        let mut tuples = Vec::new();
        for text in &args.specs {
            tuples.extend(finder.find(&parse_spec(text)?, options)?);
        }
        tuples
    };
    let display = DisplayOptions {
        label_path: config.install_label_path.clone(),
        full_versions: args.full_versions || config.full_versions,
        flavors: args.flavors || config.full_flavors,
    };
    if !args.details() {
        return Ok(display.tuple_lines(&tuples));
    }
    details(args, &display, source, &tuples)
}

/// Info, dependencies and files of each trove.
fn details(
    args: &RqArgs,
    display: &DisplayOptions,
    source: &dyn TroveSource,
    tuples: &[TroveTuple],
) -> anyhow::Result<String> {
    let troves = source.troves(tuples)?;
    let mut out = String::new();
    for trove in &troves {
        if args.info {
            out.push_str(&display::info(trove, display));
        }
        if args.deps {
            out.push_str(&display.tuple_lines(std::slice::from_ref(&trove.tuple())));
            out.push_str(&display::deps(trove));
        }
        if args.troves {
            out.push_str(&display::references(trove, display));
        }
        if args.files || args.lsl {
            let members = with_components(source, trove)?;
            if args.lsl {
                let streams = file_streams(source, &members)?;
                out.push_str(&display::ls_lines(&members, &streams));
            } else {
                out.push_str(&display::paths(&members));
            }
        }
        if args.info && troves.len() > 1 {
            let _ = writeln!(out);
        }
    }
    Ok(out)
}

/// The trove and the troves it includes (a package's components).
fn with_components(source: &dyn TroveSource, trove: &Trove) -> anyhow::Result<Vec<Trove>> {
    let included: Vec<TroveTuple> = trove
        .strong_refs
        .keys()
        .filter(|tuple| **tuple != trove.tuple())
        .cloned()
        .collect();
    let mut members = vec![trove.clone()];
    if !included.is_empty() {
        members.extend(source.troves(&included)?);
    }
    Ok(members)
}

/// The file streams of troves' files, read from the index of their
/// absolute changeset (the trove source has no call for streams alone).
fn file_streams(
    source: &dyn TroveSource,
    troves: &[Trove],
) -> anyhow::Result<BTreeMap<FileId, FileStream>> {
    let jobs: Vec<Job> = troves
        .iter()
        .filter(|trove| !trove.files.is_empty())
        .map(|trove| {
            Job::install(
                trove.name.clone(),
                trove.version.clone(),
                trove.flavor.clone(),
            )
        })
        .collect();
    if jobs.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut spool = tempfile::tempfile().context("cannot create a temporary file")?;
    source.changeset(&jobs, false, &mut spool)?;
    use std::io::Seek as _;
    spool.rewind().context("cannot read the temporary file")?;
    let reader = conary_changeset::ChangeSetReader::new(std::io::BufReader::new(spool))?;
    Ok(reader.changeset().files.clone())
}
