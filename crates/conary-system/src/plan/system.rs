//! What the planner needs to know about the machine: [`InstalledSystem`].
//!
//! The local database implements this trait; [`MemorySystem`] is the
//! in-memory version tests use. The planner reads the installed troves once
//! per plan and works on its own copy, so an implementation only has to
//! answer one question.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;

use conary_core::trove::{Trove, TroveTuple};

/// The error an [`InstalledSystem`] reports: whatever its storage fails with.
pub type SystemError = Box<dyn Error + Send + Sync>;

/// One trove installed on the machine.
///
/// Collections (packages, groups) keep every reference of their manifest,
/// the members that are not installed included: a member referenced *by
/// default* that is not installed was erased on purpose and stays erased
/// when the collection is updated; one referenced not by default was never
/// installed.
///
/// ```rust
/// use conary_core::trove::Trove;
/// use conary_core::version::Version;
/// use conary_system::plan::InstalledTrove;
/// let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:1.0-1-1").expect("version");
/// let installed = InstalledTrove::new(Trove::new("foo:runtime".parse().expect("name"), version, Default::default()));
/// assert_eq!(installed.tuple().to_string(), "foo:runtime=/conary.example.com@plat:1/1.0-1-1[]");
/// assert!(!installed.pinned);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledTrove {
    /// The installed manifest: provides, requires, references. Its files
    /// may be left out; the planner uses them only to check that troves
    /// installed side by side do not overlap.
    pub trove: Trove,
    /// Pinned (`conary pin`): never replaced nor erased by an update; its
    /// updates are installed beside it.
    pub pinned: bool,
}

impl InstalledTrove {
    /// An installed trove, not pinned.
    pub fn new(trove: Trove) -> InstalledTrove {
        InstalledTrove {
            trove,
            pinned: false,
        }
    }

    /// The same trove, pinned.
    pub fn pinned(mut self) -> InstalledTrove {
        self.pinned = true;
        self
    }

    /// Name, version and flavor.
    pub fn tuple(&self) -> TroveTuple {
        self.trove.tuple()
    }
}

/// The installed troves no installed collection holds (the top-level
/// troves: those a user installed by name).
pub(crate) fn top_level(installed: &[InstalledTrove]) -> impl Iterator<Item = &InstalledTrove> {
    let held: BTreeSet<TroveTuple> = installed
        .iter()
        .flat_map(|collection| {
            collection
                .trove
                .iter_refs()
                .map(|(tuple, _, _)| tuple.clone())
        })
        .collect();
    installed
        .iter()
        .filter(move |trove| !held.contains(&trove.tuple()))
}

/// The machine as the planner sees it.
pub trait InstalledSystem {
    /// Every installed trove.
    ///
    /// # Errors
    /// Whatever reading the installed state fails with.
    fn installed(&self) -> Result<Vec<InstalledTrove>, SystemError>;
}

/// An [`InstalledSystem`] held in memory.
///
/// ```rust
/// use conary_core::trove::Trove;
/// use conary_core::version::Version;
/// use conary_system::plan::{InstalledSystem, MemorySystem};
/// let version = Version::thaw("/conary.example.com@plat:1/1700000000.000:1.0-1-1").expect("version");
/// let mut system = MemorySystem::new();
/// system.install(Trove::new("foo".parse().expect("name"), version, Default::default()));
/// assert_eq!(system.installed().expect("in memory").len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemorySystem {
    troves: BTreeMap<TroveTuple, InstalledTrove>,
}

impl MemorySystem {
    /// An empty machine.
    pub fn new() -> MemorySystem {
        MemorySystem::default()
    }

    /// Records `trove` as installed (not pinned).
    pub fn install(&mut self, trove: Trove) -> &mut MemorySystem {
        self.add(InstalledTrove::new(trove))
    }

    /// Records an installed trove.
    pub fn add(&mut self, installed: InstalledTrove) -> &mut MemorySystem {
        self.troves.insert(installed.tuple(), installed);
        self
    }

    /// Pins or unpins an installed trove; false if it is not installed.
    pub fn set_pinned(&mut self, tuple: &TroveTuple, pinned: bool) -> bool {
        match self.troves.get_mut(tuple) {
            Some(installed) => {
                installed.pinned = pinned;
                true
            }
            None => false,
        }
    }

    /// Forgets an installed trove (as erasing it would); false if it was
    /// not installed.
    pub fn remove(&mut self, tuple: &TroveTuple) -> bool {
        self.troves.remove(tuple).is_some()
    }
}

impl InstalledSystem for MemorySystem {
    fn installed(&self) -> Result<Vec<InstalledTrove>, SystemError> {
        Ok(self.troves.values().cloned().collect())
    }
}
