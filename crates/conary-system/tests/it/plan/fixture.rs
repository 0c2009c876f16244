//! A small world for planner tests: a repository held in memory, an
//! installed system, a configuration.

use std::collections::BTreeMap;

use conary_core::config::Config;
use conary_core::digest::{FileId, PathId};
use conary_core::spec::parse_change_list;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::{Timestamp, Version};
use conary_system::plan::{
    InstalledTrove, MemorySource, MemorySystem, Plan, PlanError, PlanOptions, Planner,
};

pub struct World {
    pub troves: BTreeMap<TroveTuple, Trove>,
    pub system: MemorySystem,
    pub config: Config,
    clock: u64,
}

/// A version committed at `secs`.
fn version_at(text: &str, secs: u64) -> Version {
    let version: Version = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
    version.with_timestamp(Timestamp::from_secs(secs))
}

pub fn tuple(name: &str, version: &str, flavor: &str) -> TroveTuple {
    TroveTuple::new(
        name.parse().expect("name"),
        version.parse().expect("version"),
        flavor.parse().expect("flavor"),
    )
}

impl World {
    /// A world configured with `config` (conaryrc lines).
    pub fn new(config: &str) -> World {
        let mut parsed = Config::default();
        parsed.apply_text(config, "test").expect("configuration");
        World {
            troves: BTreeMap::new(),
            system: MemorySystem::new(),
            config: parsed,
            clock: 1_000,
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 10;
        self.clock
    }

    fn put(&mut self, name: &str, version: &Version, flavor: &str) -> TroveTuple {
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version.clone(),
            flavor.parse().expect("flavor"),
        );
        if trove.name.is_component() {
            trove.provides = format!("trove: {name}").parse().expect("provides");
        }
        let tuple = trove.tuple();
        self.troves.insert(tuple.clone(), trove);
        tuple
    }

    /// Commits one trove (component, package or group without members).
    pub fn trove(&mut self, name: &str, version: &str, flavor: &str) -> TroveTuple {
        let secs = self.tick();
        self.put(name, &version_at(version, secs), flavor)
    }

    /// Commits a package and its components (`:runtime` by default, the
    /// others as given), all with one version.
    pub fn package(
        &mut self,
        name: &str,
        version: &str,
        flavor: &str,
        components: &[(&str, bool)],
    ) -> TroveTuple {
        let secs = self.tick();
        let version = version_at(version, secs);
        let package = self.put(name, &version, flavor);
        for (suffix, by_default) in components {
            let component = self.put(&format!("{name}{suffix}"), &version, flavor);
            self.edit(&package).add_strong_ref(component, *by_default);
        }
        package
    }

    /// Commits a group holding `members` by default (and, weakly, what
    /// they hold).
    pub fn group(
        &mut self,
        name: &str,
        version: &str,
        members: &[(&TroveTuple, bool)],
    ) -> TroveTuple {
        let secs = self.tick();
        let group = self.put(name, &version_at(version, secs), "");
        for (member, by_default) in members {
            let weak: Vec<(TroveTuple, bool)> = self.troves[*member]
                .iter_refs()
                .map(|(tuple, member_default, _)| (tuple.clone(), member_default && *by_default))
                .collect();
            let trove = self.edit(&group);
            trove.add_strong_ref((*member).clone(), *by_default);
            for (tuple, by_default) in weak {
                trove.add_weak_ref(tuple, by_default);
            }
        }
        group
    }

    /// The repository's manifest of `tuple`, to change.
    pub fn edit(&mut self, tuple: &TroveTuple) -> &mut Trove {
        self.troves
            .get_mut(tuple)
            .unwrap_or_else(|| panic!("{tuple} is in the repository"))
    }

    pub fn provides(&mut self, tuple: &TroveTuple, deps: &str) {
        let extra = deps.parse().expect("provides");
        self.edit(tuple).provides.merge(&extra);
    }

    pub fn requires(&mut self, tuple: &TroveTuple, deps: &str) {
        let extra = deps.parse().expect("requires");
        self.edit(tuple).requires.merge(&extra);
    }

    /// Gives a component a file at `path` whose contents are `seed`.
    pub fn file(&mut self, tuple: &TroveTuple, path: &str, seed: u8) {
        let version = tuple.version.clone();
        self.edit(tuple).add_file(
            PathId::derive(format!("{}{path}", tuple.name.package()).as_bytes()),
            path,
            FileId::from_bytes([seed; 32]),
            version,
        );
    }

    /// Records `tuple` as installed, with the repository's manifest.
    pub fn install(&mut self, tuple: &TroveTuple) {
        let trove = self.troves[tuple].clone();
        self.system.install(trove);
    }

    /// Records `tuple` and its by-default members as installed.
    pub fn install_all(&mut self, tuple: &TroveTuple) {
        self.install(tuple);
        let members: Vec<TroveTuple> = self.troves[tuple]
            .iter_refs()
            .filter(|(_, by_default, _)| *by_default)
            .map(|(tuple, _, _)| tuple.clone())
            .collect();
        for member in members {
            self.install(&member);
        }
    }

    pub fn pin(&mut self, tuple: &TroveTuple) {
        let trove = self.troves[tuple].clone();
        self.system.add(InstalledTrove::new(trove).pinned());
    }

    pub fn source(&self) -> MemorySource {
        MemorySource::from_troves(self.troves.values().cloned())
    }

    pub fn plan_with(&self, specs: &[&str], options: PlanOptions) -> Result<Plan, PlanError> {
        let source = self.source();
        let specs = parse_change_list(specs).expect("specs parse");
        Planner::new(&source, &self.system, &self.config, options).plan(&specs)
    }

    pub fn plan(&self, specs: &[&str]) -> Result<Plan, PlanError> {
        self.plan_with(specs, PlanOptions::default())
    }

    /// The plan's text, or the error's.
    pub fn show_with(&self, specs: &[&str], options: PlanOptions) -> String {
        match self.plan_with(specs, options) {
            Ok(plan) => plan.to_string(),
            Err(error) => format!("error: {error}"),
        }
    }

    pub fn show(&self, specs: &[&str]) -> String {
        self.show_with(specs, PlanOptions::default())
    }
}
