//! `conary query` / `conary q`: what is installed on the root.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context as _;
use clap::Args;
use conary_core::config::Config;
use conary_core::deps::Dependency;
use conary_core::trove::TroveTuple;
use conary_system::db::{Database, InstalledFile};

use crate::display::{self, DisplayOptions};
use crate::system;

/// Arguments of `conary q`.
#[derive(Debug, Clone, Default, Args)]
pub struct QueryArgs {
    /// Installed troves to show, NAME[=VERSION][[FLAVOR]]; none lists every
    /// installed trove
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Print whole versions (/host@ns:tag/1.0-1-1)
    #[arg(long)]
    pub full_versions: bool,
    /// Print the flavor of every trove
    #[arg(long)]
    pub flavors: bool,
    /// List components (NAME:SUFFIX) too
    #[arg(long)]
    pub components: bool,
    /// The troves that own this path (repeatable)
    #[arg(long, value_name = "PATH")]
    pub path: Vec<String>,
    /// The troves that provide this dependency, e.g. 'deb: libssl3'
    #[arg(long, value_name = "DEP")]
    pub what_provides: Vec<String>,
    /// The troves that require this dependency
    #[arg(long, value_name = "DEP")]
    pub what_requires: Vec<String>,
    /// Show what is known about each trove, lineage included
    #[arg(long)]
    pub info: bool,
    /// List the files (of a package: of its installed components)
    #[arg(long, visible_alias = "ls")]
    pub files: bool,
    /// List the files as `ls -l` does
    #[arg(long)]
    pub lsl: bool,
    /// Show what each trove provides and requires
    #[arg(long)]
    pub deps: bool,
    /// List the files with their tags
    #[arg(long)]
    pub tags: bool,
}

impl QueryArgs {
    fn details(&self) -> bool {
        self.info || self.files || self.lsl || self.deps || self.tags
    }
}

/// Runs the query against `db` and returns what to print.
pub fn run(args: &QueryArgs, config: &Config, db: &Database) -> anyhow::Result<String> {
    let tuples = select(args, config, db)?;
    let display = DisplayOptions {
        label_path: config.install_label_path.clone(),
        full_versions: args.full_versions || config.full_versions,
        flavors: args.flavors || config.full_flavors,
    };
    if !args.details() {
        return Ok(display.tuple_lines(&tuples));
    }
    let mut out = String::new();
    for tuple in &tuples {
        details(args, &display, db, tuple, &mut out)?;
        if args.info && tuples.len() > 1 {
            out.push('\n');
        }
    }
    Ok(out)
}

/// The troves asked for, sorted, without repeats.
fn select(args: &QueryArgs, config: &Config, db: &Database) -> anyhow::Result<Vec<TroveTuple>> {
    let mut tuples: Vec<TroveTuple> = Vec::new();
    let selecting = !args.names.is_empty()
        || !args.path.is_empty()
        || !args.what_provides.is_empty()
        || !args.what_requires.is_empty();
    tuples.extend(system::installed_for_specs(db, &args.names)?);
    for path in &args.path {
        let owners: Vec<TroveTuple> = db
            .owners(path)
            .map_err(system::error)?
            .into_iter()
            .filter(|file| file.is_present)
            .map(|file| file.trove)
            .collect();
        if owners.is_empty() {
            anyhow::bail!("no installed trove owns {path}");
        }
        tuples.extend(owners);
    }
    for text in &args.what_provides {
        tuples.extend(
            db.what_provides(&dependency(text)?)
                .map_err(system::error)?,
        );
    }
    for text in &args.what_requires {
        tuples.extend(
            db.what_requires(&dependency(text)?)
                .map_err(system::error)?,
        );
    }
    if !selecting {
        let components = args.components || config.show_components;
        tuples = db
            .installed()
            .map_err(system::error)?
            .into_iter()
            .filter(|tuple| components || !tuple.name.is_component())
            .collect();
    }
    tuples.sort();
    tuples.dedup();
    Ok(tuples)
}

fn dependency(text: &str) -> anyhow::Result<Dependency> {
    text.parse()
        .with_context(|| format!("invalid dependency '{text}'"))
}

/// The details of one trove asked for.
fn details(
    args: &QueryArgs,
    display: &DisplayOptions,
    db: &Database,
    tuple: &TroveTuple,
    out: &mut String,
) -> anyhow::Result<()> {
    let trove = db
        .trove(tuple)
        .map_err(system::error)?
        .with_context(|| format!("{tuple} is not installed"))?;
    if args.info {
        out.push_str(&display::info(&trove, display));
        if let Some(installed) = db
            .installed_troves()
            .map_err(system::error)?
            .into_iter()
            .find(|installed| installed.tuple == *tuple)
        {
            let when = UNIX_EPOCH
                .checked_add(Duration::from_secs(installed.install_time))
                .map(httpdate::fmt_http_date)
                .unwrap_or_else(|| installed.install_time.to_string());
            let _ = writeln!(out, "{:<13}: {when}", "Installed");
            if installed.pinned {
                let _ = writeln!(out, "{:<13}: yes", "Pinned");
            }
        }
    }
    if args.deps {
        out.push_str(&display.tuple_lines(std::slice::from_ref(tuple)));
        out.push_str(&display::deps(&trove));
    }
    if args.files || args.lsl || args.tags {
        let mut files: BTreeMap<String, InstalledFile> = BTreeMap::new();
        for member in system::with_members(db, tuple)? {
            for file in db.files(&member).map_err(system::error)? {
                if file.is_present {
                    files.insert(file.path.clone(), file);
                }
            }
        }
        for (path, file) in &files {
            let line = if args.lsl {
                file.stream.ls_line(path)
            } else {
                path.clone()
            };
            out.push_str(&line);
            if args.tags && !file.stream.tags.is_empty() {
                let tags: Vec<&str> = file.stream.tags.iter().map(String::as_str).collect();
                let _ = write!(out, " {{{}}}", tags.join(" "));
            }
            out.push('\n');
        }
    }
    Ok(())
}
