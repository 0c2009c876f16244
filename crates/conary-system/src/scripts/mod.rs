//! Trove scripts (the eight [`ScriptSlot`]s of a trove's info) and the
//! runner shared with tag handlers.
//!
//! Where to start reading: [`ScriptRun`] (one script to run, with its
//! `CONARY_*` environment), [`scripts_for`] (which scripts a transaction
//! runs), [`runner`] (chroot, `CONARY_ROOT` or `--tag-script`), `pending`
//! (the post-phase hooks recorded before a transaction and replayed by
//! recovery after a crash that followed its commit).
//!
//! A script starting with `#!` runs as an executable file written to the
//! root's `/tmp`; any other as `/bin/sh -c SCRIPT`; inside the root either
//! way, standard input empty. A failing pre-script (`preInstall`, `preUpdate`, `preErase`)
//! aborts the transaction before anything changed; post-scripts and
//! `preRollback` only warn.

pub(crate) mod hooks;
pub(crate) mod pending;
pub mod runner;

pub use pending::PENDING_FILE as PENDING_HOOKS_FILE;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;

use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::ScriptSlot;

use crate::apply::Progress;
use runner::{Invocation, Mode, Runner, shell_quote};

/// One trove script to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRun {
    /// Its slot.
    pub slot: ScriptSlot,
    /// The trove whose script it is.
    pub owner: TroveTuple,
    /// The trove installed by the job, if any (`CONARY_NEW_*`).
    pub new: Option<TroveTuple>,
    /// The trove replaced or erased, if any (`CONARY_OLD_*`).
    pub old: Option<TroveTuple>,
    /// The new side's compatibility class.
    pub new_class: Option<u16>,
    /// The old side's compatibility class.
    pub old_class: Option<u16>,
    /// The script text.
    pub script: String,
}

impl ScriptRun {
    /// True when its failure aborts the transaction.
    pub fn aborts(&self) -> bool {
        matches!(
            self.slot,
            ScriptSlot::PreInstall | ScriptSlot::PreUpdate | ScriptSlot::PreErase
        )
    }

    /// The environment, as the original's `runTroveScript` sets it:
    /// `CONARY_NEW_NAME`, `CONARY_NEW_VERSION`, `CONARY_NEW_FLAVOR`,
    /// `CONARY_NEW_COMPATIBILITY_CLASS`, `CONARY_OLD_VERSION`,
    /// `CONARY_OLD_FLAVOR`, `CONARY_OLD_COMPATIBILITY_CLASS`. The name is
    /// always given (`CONARY_NEW_NAME`), even for an erase.
    pub fn environment(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        env.insert(
            "CONARY_NEW_NAME".to_owned(),
            self.owner.name.as_str().to_owned(),
        );
        if let Some(new) = &self.new {
            env.insert("CONARY_NEW_VERSION".to_owned(), new.version.to_string());
            env.insert("CONARY_NEW_FLAVOR".to_owned(), new.flavor.to_string());
        }
        if let Some(class) = self.new_class {
            env.insert(
                "CONARY_NEW_COMPATIBILITY_CLASS".to_owned(),
                class.to_string(),
            );
        }
        if let Some(old) = &self.old {
            env.insert("CONARY_OLD_VERSION".to_owned(), old.version.to_string());
            env.insert("CONARY_OLD_FLAVOR".to_owned(), old.flavor.to_string());
        }
        if let Some(class) = self.old_class {
            env.insert(
                "CONARY_OLD_COMPATIBILITY_CLASS".to_owned(),
                class.to_string(),
            );
        }
        env
    }

    /// Runs it with `runner` (or writes it to the tag script). `Err` says
    /// why it failed.
    pub fn run(&self, runner: &Runner, progress: &dyn Progress) -> Result<(), String> {
        let env = self.environment();
        if let Mode::Script(_) = runner.mode() {
            let mut lines = format!("# {} script of {}\n", self.slot, self.owner);
            let assignments: Vec<String> = env
                .iter()
                .map(|(key, value)| format!("{key}={}", shell_quote(value)))
                .collect();
            lines.push_str(&format!(
                "{} PATH={} /bin/sh <<'CONARY_SCRIPT_EOF'\n{}\nCONARY_SCRIPT_EOF\n",
                assignments.join(" "),
                runner::PATH,
                self.script.trim_end()
            ));
            return runner.write_lines(&lines);
        }
        if !self.script.starts_with("#!") {
            return runner.run(
                &Invocation {
                    program: "/bin/sh".to_owned(),
                    args: vec!["-c".to_owned(), self.script.clone()],
                    stdin: Vec::new(),
                    env,
                },
                progress,
            );
        }
        // A script naming its interpreter runs as an executable file in
        // the root's /tmp, as in the original; the file (and /tmp when
        // made for it) is removed afterwards.
        let tmp = runner.root().join("tmp");
        let made_tmp = !tmp.exists();
        let name = format!("conary-script-{}-{}", std::process::id(), self.slot);
        let file = tmp.join(&name);
        let written = (|| -> std::io::Result<()> {
            if made_tmp {
                fs::create_dir_all(&tmp)?;
                fs::set_permissions(&tmp, fs::Permissions::from_mode(0o1777))?;
            }
            fs::write(&file, &self.script)?;
            fs::set_permissions(&file, fs::Permissions::from_mode(0o700))
        })();
        let outcome = match written {
            Ok(()) => runner.run(
                &Invocation {
                    program: format!("/tmp/{name}"),
                    args: Vec::new(),
                    stdin: Vec::new(),
                    env,
                },
                progress,
            ),
            Err(error) => Err(format!(
                "cannot write the script to {}: {error}",
                file.display()
            )),
        };
        let _ = fs::remove_file(&file);
        if made_tmp {
            let _ = fs::remove_dir(&tmp);
        }
        outcome
    }
}

/// True when updating from a trove of compatibility class `old_class` to
/// `new` is a rollback fence (the original's `isRollbackFence`): both have
/// a class, they differ, and `new`'s postRollback script does not declare
/// the conversion `(new class, old class)`. A fence invalidates the
/// rollback stack.
///
/// ```rust
/// use conary_core::troveinfo::{ScriptSlot, TroveScript};
/// let mut group = conary_core::trove::Trove::new("group-os".parse()?, "/a@b:c/1-1-1".parse()?, Default::default());
/// group.info.compatibility_class = Some(2);
/// assert!(conary_system::scripts::is_rollback_fence(Some(1), &group));
/// let mut script = TroveScript::new("#!/bin/sh\n");
/// script.conversions.insert((2, 1));
/// group.info.scripts.set(ScriptSlot::PostRollback, script);
/// assert!(!conary_system::scripts::is_rollback_fence(Some(1), &group));
/// assert!(!conary_system::scripts::is_rollback_fence(Some(2), &group));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn is_rollback_fence(old_class: Option<u16>, new: &Trove) -> bool {
    let (Some(old), Some(new_class)) = (old_class, new.info.compatibility_class) else {
        return false;
    };
    if old == new_class {
        return false;
    }
    !new.info
        .scripts
        .get(ScriptSlot::PostRollback)
        .is_some_and(|script| script.conversions.contains(&(new_class, old)))
}

/// A trove of the job and the trove it replaces.
#[derive(Debug, Clone, Copy)]
pub struct JobTrove<'a> {
    /// The trove installed, if any.
    pub new: Option<&'a Trove>,
    /// The trove replaced or erased, if any.
    pub old: Option<&'a Trove>,
}

/// The scripts a transaction runs, `(pre, post)` in job order. A normal
/// job runs the new trove's `preInstall`/`postInstall` (fresh) or
/// `preUpdate`/`postUpdate` (replacing), and an erased trove's
/// `preErase`/`postErase`. A rollback runs the `preRollback` and
/// `postRollback` of the trove it takes away (installed by the update it
/// undoes).
pub fn scripts_for(jobs: &[JobTrove<'_>], rollback: bool) -> (Vec<ScriptRun>, Vec<ScriptRun>) {
    let mut pre = Vec::new();
    let mut post = Vec::new();
    for job in jobs {
        let (owner, slots) = match (job.new, job.old, rollback) {
            (_, Some(old), true) => (old, [ScriptSlot::PreRollback, ScriptSlot::PostRollback]),
            (_, None, true) => continue,
            (Some(new), None, false) => (new, [ScriptSlot::PreInstall, ScriptSlot::PostInstall]),
            (Some(new), Some(_), false) => (new, [ScriptSlot::PreUpdate, ScriptSlot::PostUpdate]),
            (None, Some(old), false) => (old, [ScriptSlot::PreErase, ScriptSlot::PostErase]),
            (None, None, false) => continue,
        };
        for (slot, out) in slots.into_iter().zip([&mut pre, &mut post]) {
            let Some(script) = owner.info.scripts.get(slot) else {
                continue;
            };
            out.push(ScriptRun {
                slot,
                owner: owner.tuple(),
                new: job.new.map(Trove::tuple),
                old: job.old.map(Trove::tuple),
                new_class: job.new.and_then(|trove| trove.info.compatibility_class),
                old_class: job.old.and_then(|trove| trove.info.compatibility_class),
                script: script.script.clone(),
            });
        }
    }
    (pre, post)
}
