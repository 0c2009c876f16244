//! How `conary update`, `install` and `erase` show their plan: one line
//! per package with the components that change with it, as the original
//! does (`Install sudo(:doc :runtime)=1.9-1-1`), then the plan's own lines
//! for dependencies and the size to download.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use conary_api::Job;
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::version::Version;
use conary_system::plan::Plan;

/// The plan as the update commands print it.
///
/// ```rust
/// use conary_api::Job;
/// use conary_system::plan::Plan;
/// let mut plan = Plan::new(vec!["conary.example.com@rpl:1".parse().expect("label")]);
/// let version: conary_core::version::Version = "/conary.example.com@rpl:1/1.0-1-1".parse().expect("version");
/// for name in ["foo", "foo:doc", "foo:runtime", "bar:lib"] {
///     plan.jobs.push(Job::install(name.parse().expect("name"), version.clone(), Default::default()));
/// }
/// assert_eq!(
///     conary_cli::jobs::plan_text(&plan),
///     "Install foo(:doc :runtime)=1.0-1-1\nInstall bar:lib=1.0-1-1\n"
/// );
/// ```
pub fn plan_text(plan: &Plan) -> String {
    let label_path = &plan.install_label_path;
    let version = |version: &Version| version.as_string_against_label_path(label_path);
    let mut per_name: BTreeMap<&TroveName, usize> = BTreeMap::new();
    for job in &plan.jobs {
        let count = per_name.entry(&job.name).or_default();
        *count = count.saturating_add(1);
    }
    let mut shown = vec![false; plan.jobs.len()];
    let mut out = String::new();
    for (index, job) in plan.jobs.iter().enumerate() {
        if shown.get(index).copied().unwrap_or(true) {
            continue;
        }
        let suffixes = components_with(job, &plan.jobs, &mut shown);
        let name = if suffixes.is_empty() {
            job.name.to_string()
        } else {
            format!("{}({})", job.name, suffixes.join(" "))
        };
        let several = per_name.get(&job.name).copied().unwrap_or(0) > 1;
        let _ = match (&job.old, &job.new) {
            (None, Some((new, flavor))) => writeln!(
                out,
                "Install {name}={}",
                with_flavor(version(new), flavor, several)
            ),
            (Some((old, old_flavor)), Some((new, new_flavor))) => {
                let show = several || old_flavor != new_flavor;
                writeln!(
                    out,
                    "Update {name} ({} -> {})",
                    with_flavor(version(old), old_flavor, show),
                    with_flavor(version(new), new_flavor, show)
                )
            }
            (Some((old, flavor)), None) => writeln!(
                out,
                "Erase {name}={}",
                with_flavor(version(old), flavor, several)
            ),
            (None, None) => Ok(()),
        };
    }
    let rest = Plan {
        jobs: Vec::new(),
        ..plan.clone()
    };
    out.push_str(&rest.to_string());
    out
}

/// Marks `job` shown, and the jobs of its package's components that do
/// exactly what it does (same old and new versions and flavors); returns
/// their suffixes (`:runtime`).
fn components_with(job: &Job, jobs: &[Job], shown: &mut [bool]) -> Vec<String> {
    let mut suffixes = Vec::new();
    for (index, other) in jobs.iter().enumerate() {
        let Some(done) = shown.get_mut(index) else {
            continue;
        };
        if other == job {
            *done = true;
        } else if !*done
            && !job.name.is_component()
            && other.name.is_component()
            && other.name.package() == job.name
            && other.old == job.old
            && other.new == job.new
            && let Some(suffix) = other.name.component_suffix()
        {
            *done = true;
            suffixes.push(format!(":{suffix}"));
        }
    }
    suffixes
}

/// A version with its flavor when asked for.
fn with_flavor(version: String, flavor: &Flavor, show: bool) -> String {
    if show && !flavor.is_empty() {
        format!("{version}[{flavor}]")
    } else {
        version
    }
}
