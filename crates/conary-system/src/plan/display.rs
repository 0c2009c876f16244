//! The plan as plain data, and the text `--info` and `--test` print.

use std::collections::BTreeMap;
use std::fmt;

use conary_api::Job;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::TroveTuple;
use conary_core::version::{Label, Version};

use super::deps::{Kept, Resolution};
use super::error::{BrokenDep, DepProblem};

/// What an update, install or erase will do, computed before anything is
/// touched: the executor applies it, `--info` and `--test` print it.
///
/// Its text form lists one job per line — `Install NAME=VERSION`,
/// `Update NAME (OLD -> NEW)`, `Erase NAME=VERSION` — with versions
/// abbreviated against the install label path (the revision alone on the
/// first label, `label/revision` elsewhere) and flavors shown only where
/// they tell two jobs apart or change; then the dependencies resolved,
/// the troves kept because others need them, what was left unresolved
/// (`--no-deps`), and the size to download.
///
/// ```rust
/// use conary_api::Job;
/// use conary_system::plan::Plan;
/// let mut plan = Plan::new(vec!["conary.example.com@rpl:1".parse().expect("label")]);
/// plan.jobs.push(Job::install("foo".parse().expect("name"),
///     "/conary.example.com@rpl:1/1.0-1-1".parse().expect("version"), Default::default()));
/// plan.jobs.push(Job::update("bar".parse().expect("name"),
///     ("/conary.example.com@rpl:1/1.0-1-1".parse().expect("version"), Default::default()),
///     ("/conary.example.com@rpl:1/1.0-2-1".parse().expect("version"), Default::default())));
/// assert_eq!(plan.to_string(), "Install foo=1.0-1-1\nUpdate bar (1.0-1-1 -> 1.0-2-1)\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every job, in order (by name, then old, then new).
    pub jobs: Vec<Job>,
    /// The jobs the specs asked for directly (a subset of `jobs`); the
    /// others come from recursion into collections and from dependency
    /// resolution.
    pub primary: Vec<Job>,
    /// Troves added because something required them (`--resolve`).
    pub resolved_deps: Vec<Resolution>,
    /// Installed troves kept because others require them
    /// (`--keep-required`).
    pub kept: Vec<Kept>,
    /// Requirements left unsatisfied (only with `--no-deps`).
    pub unresolved: Vec<DepProblem>,
    /// Requirements of installed troves the plan breaks (only with
    /// `--no-deps`).
    pub broken: Vec<BrokenDep>,
    /// The sum of the sizes of the new troves' files, in bytes: at most
    /// what the changesets to download hold.
    pub download_size: u64,
    /// The install label path versions are abbreviated against.
    pub install_label_path: Vec<Label>,
}

impl Plan {
    /// An empty plan that prints versions against `install_label_path`.
    pub fn new(install_label_path: Vec<Label>) -> Plan {
        Plan {
            install_label_path,
            ..Plan::default()
        }
    }

    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// The troves the plan installs or updates to.
    pub fn new_troves(&self) -> Vec<TroveTuple> {
        self.jobs.iter().filter_map(Job::new_tuple).collect()
    }

    /// The installed troves the plan replaces or erases.
    pub fn old_troves(&self) -> Vec<TroveTuple> {
        self.jobs.iter().filter_map(Job::old_tuple).collect()
    }

    /// The version as `--info` prints it.
    fn version(&self, version: &Version) -> String {
        version.as_string_against_label_path(&self.install_label_path)
    }

    /// `NAME=VERSION`, without the flavor.
    fn brief(&self, tuple: &TroveTuple) -> String {
        format!("{}={}", tuple.name, self.version(&tuple.version))
    }
}

/// A version with its flavor when asked for.
fn with_flavor(version: String, flavor: &Flavor, show: bool) -> String {
    if show && !flavor.is_empty() {
        format!("{version}[{flavor}]")
    } else {
        version
    }
}

/// Writes a byte count for people: `512 B`, `1.5 KiB`, `12.0 MiB`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Display only: precision does not matter.
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("TiB"))
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut per_name: BTreeMap<&TroveName, usize> = BTreeMap::new();
        for job in &self.jobs {
            let count = per_name.entry(&job.name).or_default();
            *count = count.saturating_add(1);
        }
        for job in &self.jobs {
            let shared = per_name.get(&job.name).copied().unwrap_or(0) > 1;
            match (&job.old, &job.new) {
                (None, Some((version, flavor))) => writeln!(
                    f,
                    "Install {}={}",
                    job.name,
                    with_flavor(self.version(version), flavor, shared)
                )?,
                (Some((old_version, old_flavor)), Some((new_version, new_flavor))) => {
                    let show = shared || old_flavor != new_flavor;
                    writeln!(
                        f,
                        "Update {} ({} -> {})",
                        job.name,
                        with_flavor(self.version(old_version), old_flavor, show),
                        with_flavor(self.version(new_version), new_flavor, show)
                    )?;
                }
                (Some((version, flavor)), None) => writeln!(
                    f,
                    "Erase {}={}",
                    job.name,
                    with_flavor(self.version(version), flavor, shared)
                )?,
                (None, None) => {}
            }
        }
        if !self.resolved_deps.is_empty() {
            writeln!(f, "Resolved dependencies:")?;
            for resolution in &self.resolved_deps {
                writeln!(
                    f,
                    "    {} requires {}: {}",
                    self.brief(&resolution.requirer),
                    resolution.dependency,
                    self.brief(&resolution.provider)
                )?;
            }
        }
        if !self.kept.is_empty() {
            writeln!(f, "Kept because required:")?;
            for kept in &self.kept {
                writeln!(
                    f,
                    "    {} ({} requires {})",
                    self.brief(&kept.trove),
                    self.brief(&kept.needed_by),
                    kept.dependency
                )?;
            }
        }
        if !self.unresolved.is_empty() || !self.broken.is_empty() {
            writeln!(f, "Dependencies left unsatisfied (--no-deps):")?;
            for problem in &self.unresolved {
                writeln!(
                    f,
                    "    {} requires {}",
                    self.brief(&problem.requirer),
                    problem.dependency
                )?;
            }
            for problem in &self.broken {
                let removed: Vec<String> = problem
                    .removed
                    .iter()
                    .map(|tuple| self.brief(tuple))
                    .collect();
                writeln!(
                    f,
                    "    {} requires {}, provided by {}",
                    self.brief(&problem.requirer),
                    problem.dependency,
                    removed.join(", ")
                )?;
            }
        }
        if self.download_size > 0 {
            writeln!(f, "Download size: {}", human_size(self.download_size))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_as_people_write_them() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (12 * 1024 * 1024, "12.0 MiB"),
            (u64::MAX, "16777216.0 TiB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(human_size(bytes), text, "{bytes}");
        }
    }
}
