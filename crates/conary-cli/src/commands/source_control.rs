//! `cvc newpkg`, `checkout`, `add`, `remove`, `commit`, `diff`, `log` and
//! `rdiff`: source control of `NAME:source` troves. The work is
//! `conary_build::source`'s; this reads the arguments and the
//! configuration (`buildLabel`, `name`, `contact`) and prints.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use clap::Args;
use conary_api::TroveSource;
use conary_build::import::batch::TargetError;
use conary_build::source::{
    Checkout, CommitRequest, check_file_name, checkout, commit_checkout, diff_checkout,
    diff_versions, new_package, resolve_source, source_log, source_name,
};
use conary_core::config::Config;
use conary_core::version::{Branch, Label};

/// Arguments of `cvc newpkg`.
#[derive(Debug, Clone, Args)]
pub struct NewpkgArgs {
    /// The package name (its source trove is NAME:source)
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The directory to create (default: ./NAME)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `cvc checkout`.
#[derive(Debug, Clone, Args)]
pub struct CheckoutArgs {
    /// NAME, NAME=VERSION (1.0, 1.0-2, a full version) or NAME=LABEL
    #[arg(value_name = "NAME[=VERSION]")]
    pub trove: String,
    /// The directory to create (default: ./NAME)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `cvc add` and `cvc remove`.
#[derive(Debug, Clone, Args)]
pub struct FilesArgs {
    /// File names in the checkout directory
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
}

/// Arguments of `cvc commit`.
#[derive(Debug, Clone, Args)]
pub struct CommitArgs {
    /// The change log message
    #[arg(long, short = 'm', value_name = "MSG")]
    pub message: String,
}

/// Arguments of `cvc log`.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// The package (default: the checkout in the current directory)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

/// Arguments of `cvc rdiff`.
#[derive(Debug, Clone, Args)]
pub struct RdiffArgs {
    /// The package
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The old version: 1.0-1, 1.0 (the newest 1.0) or a full version
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new version, in the same forms
    #[arg(value_name = "NEW")]
    pub new: String,
}

/// The build label, or an error saying how to set it.
fn build_label(config: &Config) -> anyhow::Result<&Label> {
    config
        .build_label
        .as_ref()
        .context("no buildLabel: set it in the configuration (--config 'buildLabel HOST@NS:TAG')")
}

/// A file argument as a checkout file name (`./x` is `x`).
fn file_name(argument: &str) -> &str {
    argument.strip_prefix("./").unwrap_or(argument)
}

/// `cvc newpkg NAME`: a checkout of a new package with a recipe skeleton,
/// committing to the build label.
pub fn newpkg(args: &NewpkgArgs, config: &Config, cwd: &Path) -> anyhow::Result<String> {
    let branch = Branch::new(build_label(config)?.clone());
    let name = source_name(&args.name)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| cwd.join(name.package_str()));
    let created = new_package(&dir, &args.name, &branch)?;
    Ok(format!(
        "created {} in {} (edit {}, then cvc commit)\n",
        created.state.name,
        dir.display(),
        created.recipe_file()
    ))
}

/// `cvc checkout NAME[=VERSION]`: a source version into a new directory.
pub fn checkout_command(
    args: &CheckoutArgs,
    config: &Config,
    source: &dyn TroveSource,
    cwd: &Path,
) -> anyhow::Result<String> {
    let (name, spec) = match args.trove.split_once('=') {
        Some((name, spec)) => (name, Some(spec)),
        None => (args.trove.as_str(), None),
    };
    let trove = source_name(name)?;
    let label = config.build_label.as_ref();
    let tuple = resolve_source(source, &trove, spec, label)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| cwd.join(trove.package_str()));
    checkout(source, &tuple, &dir)?;
    Ok(format!(
        "checked out {}={} into {}\n",
        tuple.name,
        tuple.version,
        dir.display()
    ))
}

/// `cvc add FILE…`: start tracking files of the checkout in `cwd`.
pub fn add(args: &FilesArgs, cwd: &Path) -> anyhow::Result<String> {
    let mut opened = Checkout::open(cwd)?;
    let names: Vec<String> = args.files.iter().map(|f| file_name(f).to_owned()).collect();
    opened.add(&names)?;
    opened.save()?;
    Ok(names.iter().map(|name| format!("added {name}\n")).collect())
}

/// `cvc remove FILE…`: stop tracking files and delete them.
pub fn remove(args: &FilesArgs, cwd: &Path) -> anyhow::Result<String> {
    let mut opened = Checkout::open(cwd)?;
    let names: Vec<String> = args.files.iter().map(|f| file_name(f).to_owned()).collect();
    for name in &names {
        check_file_name(name)?;
    }
    opened.remove(&names)?;
    opened.save()?;
    Ok(names
        .iter()
        .map(|name| format!("removed {name}\n"))
        .collect())
}

/// `cvc commit -m MSG`: the checkout in `cwd` as a new source version.
pub fn commit(
    args: &CommitArgs,
    config: &Config,
    source: &dyn TroveSource,
    commit: &dyn Fn(&Path) -> Result<(), TargetError>,
    cwd: &Path,
) -> anyhow::Result<String> {
    let mut opened = Checkout::open(cwd)?;
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let request = CommitRequest {
        message: &args.message,
        committer: config.name.as_deref().unwrap_or(""),
        contact: config.contact.as_deref().unwrap_or(""),
        time,
    };
    let spool = tempfile::Builder::new()
        .prefix("cvc-commit-")
        .tempdir()
        .context("cannot create a spool directory")?;
    let tuple = commit_checkout(&mut opened, source, &request, commit, spool.path())?;
    Ok(format!("committed {}={}\n", tuple.name, tuple.version))
}

/// `cvc diff`: the checkout in `cwd` against the version it holds.
pub fn diff(source: &dyn TroveSource, cwd: &Path) -> anyhow::Result<String> {
    let opened = Checkout::open(cwd)?;
    Ok(diff_checkout(&opened, source)?)
}

/// `cvc log [NAME]`: each source version, newest first, with who
/// committed it, when, and the message.
pub fn log(
    args: &LogArgs,
    config: &Config,
    source: &dyn TroveSource,
    cwd: &Path,
) -> anyhow::Result<String> {
    let (name, label) = match &args.name {
        Some(name) => (source_name(name)?, build_label(config)?.clone()),
        None => {
            let opened = Checkout::open(cwd)
                .context("not in a checkout: give NAME or run in a checkout directory")?;
            let label = opened.state.branch.label().clone();
            (opened.state.name, label)
        }
    };
    let mut out = String::new();
    for entry in source_log(source, &name, &label)? {
        let _ = writeln!(out, "{}={}", entry.tuple.name, entry.tuple.version);
        if let Some(changelog) = &entry.changelog {
            let who = match (changelog.name.as_str(), changelog.contact.as_str()) {
                ("", "") => "(unknown)".to_owned(),
                (name, "") => name.to_owned(),
                ("", contact) => format!("<{contact}>"),
                (name, contact) => format!("{name} <{contact}>"),
            };
            let _ = writeln!(out, "  {who}");
        }
        if let Some(time) = entry.time {
            let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(time));
            let _ = writeln!(out, "  {date}");
        }
        if let Some(changelog) = &entry.changelog {
            for line in changelog.message.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// `cvc rdiff NAME OLD NEW`: the differences between two source versions.
pub fn rdiff(
    args: &RdiffArgs,
    config: &Config,
    source: &dyn TroveSource,
) -> anyhow::Result<String> {
    let name = source_name(&args.name)?;
    let label = config.build_label.as_ref();
    let old = resolve_source(source, &name, Some(&args.old), label)?;
    let new = resolve_source(source, &name, Some(&args.new), label)?;
    Ok(diff_versions(source, &old, &new)?)
}
