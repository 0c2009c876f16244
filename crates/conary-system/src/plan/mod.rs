//! Update planning: from change specs to a [`Plan`], before anything on
//! the machine is touched.
//!
//! [`Planner::plan`] works in four steps, each in its own module:
//!
//! 1. **Specs** (`specs`): each change spec becomes primary jobs. A trove
//!    named without a label is looked for on the branch of each installed
//!    trove of that name (*branch affinity*: a trove installed from a shadow
//!    stays there) and, when none is installed, on the install label path;
//!    a label or branch in the spec moves it there. The latest version by
//!    commit time wins, with the best flavor for the system flavor path and
//!    the flavor preferences, staying close to the installed flavor
//!    (*flavor affinity*: an installed x86 trove stays x86 on x86_64). A new
//!    trove replaces the installed one it matches best, or goes beside it
//!    with `--keep-existing`, or when the installed one is pinned.
//! 2. **Recursion** (`recurse`): the members of the packages and groups
//!    the job changes follow them, by-default members only unless named,
//!    and members erased on purpose stay erased.
//! 3. **Dependencies** (`deps`): every requirement of a new trove must be
//!    provided in the resulting system, and no installed trove may lose a
//!    provider; `--resolve` pulls providers from the label path,
//!    `--keep-required` keeps what others need, `--no-deps` goes on.
//! 4. **The plan** (`display`): plain data the executor applies and
//!    `--info` prints.
//!
//! The planner reads the machine through [`InstalledSystem`] and troves
//! through a [`TroveSource`]; [`MemorySystem`] and [`MemorySource`] are
//! in-memory versions of both.
//!
//! ```rust
//! use conary_core::config::Config;
//! use conary_core::spec::parse_change_list;
//! use conary_core::trove::Trove;
//! use conary_core::version::Version;
//! use conary_system::plan::{MemorySource, MemorySystem, PlanOptions, Planner};
//!
//! let mut source = MemorySource::new();
//! let version = Version::thaw("/conary.example.com@rpl:1/1700000000.000:1.0-1-1")?;
//! source.add(Trove::new("tzdata:data".parse()?, version, Default::default()));
//! let mut config = Config::default();
//! config.apply_text("installLabelPath conary.example.com@rpl:1", "conaryrc")?;
//!
//! let system = MemorySystem::new();
//! let planner = Planner::new(&source, &system, &config, PlanOptions::default());
//! let plan = planner.plan(&parse_change_list(&["tzdata:data"])?)?;
//! assert_eq!(plan.to_string(), "Install tzdata:data=1.0-1-1\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod deps;
mod display;
mod error;
mod find;
mod recurse;
mod redirect;
mod source;
mod specs;
mod system;
mod work;

use std::collections::BTreeSet;

use conary_api::TroveSource;
use conary_core::config::Config;
use conary_core::flavor::{Flavor, FlavorPreferences};
use conary_core::name::TroveName;
use conary_core::spec::{ChangeSpec, TroveSpec};
use conary_core::trove::{Trove, TroveTuple};
use regex::Regex;

pub use deps::{Kept, Resolution};
pub use display::Plan;
pub use error::{BrokenDep, DepProblem, PlanError, ShortTuple};
pub use source::{LayeredSource, MemorySource};
pub(crate) use system::top_level;
pub use system::{InstalledSystem, InstalledTrove, MemorySystem, SystemError};

use work::{Installed, Work};

/// The knobs of one planning run (the update flags of `conary update`,
/// `install` and `erase`).
///
/// ```rust
/// use conary_system::plan::PlanOptions;
/// let install = PlanOptions { keep_existing: true, ..PlanOptions::default() };
/// assert!(install.update_by_default && install.recurse);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// `--keep-existing` (and `conary install`): new troves go beside the
    /// installed ones instead of replacing them.
    pub keep_existing: bool,
    /// `--update-only`: update installed troves, never install new ones
    /// (dependency resolution still may).
    pub update_only: bool,
    /// Whether an unmarked spec installs (`conary update`, `install`) or
    /// erases (`conary erase`).
    pub update_by_default: bool,
    /// Recurse into packages and groups (`--no-recurse` turns it off).
    pub recurse: bool,
    /// `--resolve` / `--no-resolve`; `None` follows `autoResolve`.
    pub resolve: Option<bool>,
    /// `--no-deps`: report dependency problems in the plan instead of
    /// refusing.
    pub no_deps: bool,
    /// `--keep-required`; `None` follows `keepRequired`.
    pub keep_required: Option<bool>,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            keep_existing: false,
            update_only: false,
            update_by_default: true,
            recurse: true,
            resolve: None,
            no_deps: false,
            keep_required: None,
        }
    }
}

/// Everything a planning run reads, gathered once.
pub(crate) struct Context<'a> {
    pub source: &'a dyn TroveSource,
    pub config: &'a Config,
    pub options: &'a PlanOptions,
    /// The system flavor path (`flavor`), never empty.
    pub flavor_path: Vec<Flavor>,
    pub preferences: FlavorPreferences,
    pub installed: Installed,
    pub resolve: bool,
    pub keep_required: bool,
    exclude: Vec<Regex>,
}

impl Context<'_> {
    /// Fetches the manifests of these new troves that are not known yet.
    pub fn fetch(&self, work: &mut Work, tuples: &[TroveTuple]) -> Result<(), PlanError> {
        let mut missing: Vec<TroveTuple> = tuples
            .iter()
            .filter(|tuple| !work.manifests.contains_key(*tuple))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let troves = self
            .source
            .troves(&missing)
            .map_err(|source| PlanError::Source {
                doing: format!(
                    "fetch the manifests of {}",
                    missing
                        .iter()
                        .map(|tuple| ShortTuple(tuple).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                source,
            })?;
        if troves.len() != missing.len() {
            return Err(PlanError::ManifestCount {
                asked: missing.len(),
                got: troves.len(),
            });
        }
        for (tuple, trove) in missing.into_iter().zip(troves) {
            work.manifests.insert(tuple, trove);
        }
        Ok(())
    }

    /// Whether `excludeTroves` keeps `name` from being installed by
    /// recursion.
    pub fn is_excluded(&self, name: &TroveName) -> bool {
        self.exclude
            .iter()
            .any(|pattern| pattern.is_match(name.as_str()))
    }
}

/// Compiles configured name patterns, anchored at both ends as the
/// original matches them.
fn patterns(setting: &'static str, texts: &[String]) -> Result<Vec<Regex>, PlanError> {
    texts
        .iter()
        .map(|text| {
            Regex::new(&format!("^(?:{text})$")).map_err(|error| PlanError::InvalidPattern {
                setting,
                pattern: text.clone(),
                reason: error.to_string(),
            })
        })
        .collect()
}

/// Plans updates, installs and erasures of one machine.
///
/// It takes where troves come from, what the machine has, the
/// configuration (`installLabelPath`, `flavor`, `flavorPreferences`,
/// `autoResolve`, `autoResolvePackages`, `keepRequired`, `pinTroves`,
/// `excludeTroves`) and the [`PlanOptions`].
///
/// ```rust
/// use conary_core::config::Config;
/// use conary_system::plan::{MemorySource, MemorySystem, PlanError, PlanOptions, Planner};
/// let (source, system, config) = (MemorySource::new(), MemorySystem::new(), Config::default());
/// let planner = Planner::new(&source, &system, &config, PlanOptions::default());
/// let specs = conary_core::spec::parse_change_list(&["foo"]).expect("spec");
/// assert!(matches!(planner.plan(&specs), Err(PlanError::NoLabelPath { .. })));
/// ```
pub struct Planner<'a> {
    source: &'a dyn TroveSource,
    system: &'a dyn InstalledSystem,
    config: &'a Config,
    options: PlanOptions,
    from_file: Vec<TroveTuple>,
}

impl<'a> Planner<'a> {
    /// A planner over these parts.
    pub fn new(
        source: &'a dyn TroveSource,
        system: &'a dyn InstalledSystem,
        config: &'a Config,
        options: PlanOptions,
    ) -> Planner<'a> {
        Planner {
            source,
            system,
            config,
            options,
            from_file: Vec::new(),
        }
    }

    /// Also installs these troves exactly, as the primary troves of a
    /// changeset file given on the command line. The trove source must
    /// know them: put the file's troves in a [`MemorySource`] layered
    /// before the repository ([`LayeredSource`]).
    pub fn with_troves(mut self, tuples: Vec<TroveTuple>) -> Planner<'a> {
        self.from_file = tuples;
        self
    }

    /// The options in use.
    pub fn options(&self) -> &PlanOptions {
        &self.options
    }

    /// The specs `conary updateall` plans: one per installed trove that no
    /// installed collection holds (the top-level troves), by name alone,
    /// so each updates on its own branch.
    ///
    /// # Errors
    /// The installed system cannot be read.
    pub fn update_all_specs(&self) -> Result<Vec<ChangeSpec>, PlanError> {
        let installed = self
            .system
            .installed()
            .map_err(|source| PlanError::System { source })?;
        let names: BTreeSet<TroveName> = top_level(&installed)
            .map(|trove| trove.tuple().name)
            .collect();
        Ok(names
            .into_iter()
            .map(|name| ChangeSpec::Unmarked(TroveSpec::from_name(name)))
            .collect())
    }

    fn context(&self) -> Result<Context<'_>, PlanError> {
        let installed = self
            .system
            .installed()
            .map_err(|source| PlanError::System { source })?;
        let pins = patterns("pinTroves", &self.config.pin_troves)?;
        let mut flavor_path = self.config.flavor.clone();
        if flavor_path.is_empty() {
            flavor_path.push(Flavor::default());
        }
        Ok(Context {
            source: self.source,
            config: self.config,
            options: &self.options,
            flavor_path,
            preferences: FlavorPreferences::new(self.config.flavor_preferences.clone()),
            installed: Installed::new(installed, pins),
            resolve: self.options.resolve.unwrap_or(self.config.auto_resolve),
            keep_required: self
                .options
                .keep_required
                .unwrap_or(self.config.keep_required),
            exclude: patterns("excludeTroves", &self.config.exclude_troves)?,
        })
    }

    /// Plans the changes `specs` ask for.
    ///
    /// # Errors
    /// A spec that finds nothing, or no fitting flavor; an erasure of
    /// something not installed or pinned; a trove beside another with the
    /// same paths; dependencies left unresolved or broken (unless
    /// `--no-deps`); a failing trove source or installed system.
    pub fn plan(&self, specs: &[ChangeSpec]) -> Result<Plan, PlanError> {
        let context = self.context()?;
        let mut work = Work::default();
        let (deferred, named) = deferred_components(specs, &self.options);
        for tuple in &self.from_file {
            install_exactly(&context, &mut work, tuple);
        }
        for spec in specs {
            if deferred.contains(spec) {
                continue;
            }
            specs::apply_spec(&context, &mut work, spec)?;
        }
        redirect::follow(&context, &mut work)?;
        recurse::recurse(&context, &mut work, &named)?;
        for spec in &deferred {
            let Some(trove) = install_spec(spec, &self.options) else {
                continue;
            };
            let present = work.added.keys().any(|tuple| &tuple.name == trove.name())
                || !work.remaining(&context.installed, trove.name()).is_empty();
            if !present {
                specs::apply_spec(&context, &mut work, spec)?;
            }
        }
        recurse::recurse(&context, &mut work, &named)?;
        check_overlaps(&context, &mut work)?;
        let outcome = deps::settle(&context, &mut work)?;
        check_overlaps(&context, &mut work)?;
        let report = outcome.report;
        if !self.options.no_deps {
            if !report.unresolved.is_empty() {
                return Err(PlanError::Unresolved {
                    problems: report.unresolved,
                });
            }
            if !report.broken.is_empty() {
                return Err(PlanError::BreaksDependents {
                    problems: report.broken,
                });
            }
        }
        let jobs = work.jobs();
        let primary = jobs
            .iter()
            .filter(|job| work.is_primary(job))
            .cloned()
            .collect();
        let download_size = work
            .added
            .keys()
            .filter(|tuple| !tuple.name.is_collection())
            .filter_map(|tuple| work.manifests.get(tuple))
            .filter_map(|trove| trove.info.size)
            .fold(0u64, u64::saturating_add);
        Ok(Plan {
            jobs,
            primary,
            resolved_deps: outcome.resolved,
            kept: outcome.kept,
            unresolved: report.unresolved,
            broken: report.broken,
            download_size,
            install_label_path: self.config.install_label_path.clone(),
        })
    }
}

/// A trove of a changeset file: installed as it is, replacing the
/// installed trove of its name on its branch unless `--keep-existing`.
fn install_exactly(context: &Context<'_>, work: &mut Work, tuple: &TroveTuple) {
    let same_branch = work
        .remaining(&context.installed, &tuple.name)
        .into_iter()
        .find(|old| old.version.branch() == tuple.version.branch())
        .cloned();
    match same_branch {
        Some(old) if !context.options.keep_existing => {
            work.update(&context.installed, old, tuple.clone(), true);
        }
        _ => work.install(&context.installed, tuple.clone(), true),
    }
}

/// The trove spec of a spec that installs or updates, if it is one.
fn install_spec<'s>(spec: &'s ChangeSpec, options: &PlanOptions) -> Option<&'s TroveSpec> {
    match spec {
        ChangeSpec::Unmarked(trove) if options.update_by_default => Some(trove),
        ChangeSpec::Install(trove) => Some(trove),
        _ => None,
    }
}

/// The specs of components whose package is named too (`foo foo:debuginfo`):
/// they are taken from the package rather than looked for on their own,
/// and their names count as named for recursion.
fn deferred_components(
    specs: &[ChangeSpec],
    options: &PlanOptions,
) -> (Vec<ChangeSpec>, BTreeSet<TroveName>) {
    let packages: BTreeSet<&TroveName> = specs
        .iter()
        .filter_map(|spec| install_spec(spec, options))
        .map(TroveSpec::name)
        .collect();
    let mut deferred = Vec::new();
    let mut named = BTreeSet::new();
    for spec in specs {
        let Some(trove) = install_spec(spec, options) else {
            continue;
        };
        if trove.name().is_component()
            && trove.is_name_only()
            && packages.contains(&trove.name().package())
        {
            deferred.push(spec.clone());
            named.insert(trove.name().clone());
        }
    }
    (deferred, named)
}

/// Refuses a new trove installed beside an installed trove of the same
/// name when both own a path with different contents.
fn check_overlaps(context: &Context<'_>, work: &mut Work) -> Result<(), PlanError> {
    let beside: Vec<TroveTuple> = work
        .added
        .iter()
        .filter(|(new, old)| old.is_none() && !new.name.is_collection())
        .map(|(new, _)| new.clone())
        .collect();
    context.fetch(work, &beside)?;
    for new in &beside {
        let Some(new_trove) = work.manifests.get(new) else {
            continue;
        };
        for kept in work.remaining(&context.installed, &new.name) {
            let Some(kept_trove) = context.installed.get(kept) else {
                continue;
            };
            if let Some(path) = shared_path(new_trove, &kept_trove.trove) {
                return Err(PlanError::Overlap {
                    new: Box::new(new.clone()),
                    kept: Box::new(kept.clone()),
                    path,
                });
            }
        }
    }
    Ok(())
}

/// A path both troves own with different file streams.
fn shared_path(new: &Trove, kept: &Trove) -> Option<String> {
    let kept_files: std::collections::BTreeMap<&str, _> = kept
        .files
        .values()
        .map(|file| (file.path.as_str(), &file.file_id))
        .collect();
    new.files
        .values()
        .find(|file| {
            kept_files
                .get(file.path.as_str())
                .is_some_and(|file_id| **file_id != file.file_id)
        })
        .map(|file| file.path.clone())
}
