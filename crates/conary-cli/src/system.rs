//! The local system as the commands use it: opening the database of a
//! root, finding installed troves by spec, and the CLI's form of the
//! system's errors (with the option that would get past a refusal).

use std::io::{BufReader, Seek as _, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use conary_api::{Job, TroveSource};
use conary_changeset::ChangeSetReader;
use conary_core::spec::TroveSpec;
use conary_core::trove::TroveTuple;
use conary_system::SystemError;
use conary_system::db::{Database, MemberState};
use conary_system::plan::PlanError;

/// A library error of the system side as the CLI reports it: the message,
/// then the option that would get past the refusal, if there is one.
///
/// ```rust
/// let error = conary_system::SystemError::FileConflict {
///     path: "/etc/foo".into(),
///     reason: "it is owned by bar:config=/a@b:c/1-1-1[]".into(),
///     hint: Some("--replace-managed-files"),
/// };
/// assert_eq!(
///     conary_cli::system::error(error).to_string(),
///     "file conflict at '/etc/foo': it is owned by bar:config=/a@b:c/1-1-1[] (use --replace-managed-files)"
/// );
/// ```
pub fn error(error: SystemError) -> anyhow::Error {
    match error.hint() {
        Some(hint) => anyhow::anyhow!("{error} (use {hint})"),
        None => anyhow::Error::new(error),
    }
}

/// A planner error as the CLI reports it, with the options that get past
/// a dependency problem.
///
/// ```rust
/// let error = conary_system::plan::PlanError::Unresolved { problems: Vec::new() };
/// assert!(conary_cli::system::plan_error(error).to_string().ends_with("(use --resolve, or --no-deps to go on)"));
/// ```
pub fn plan_error(error: PlanError) -> anyhow::Error {
    let hint = match &error {
        PlanError::Unresolved { .. } => "--resolve, or --no-deps to go on",
        PlanError::BreaksDependents { .. } => "--keep-required, or --no-deps to go on",
        _ => return anyhow::Error::new(error),
    };
    anyhow::anyhow!("{error} (use {hint})")
}

/// Opens the database of `root` to change it: takes its lock, creating
/// the root and the database when absent, and completes or undoes a transaction a crash
/// interrupted.
pub fn open(root: &Path) -> anyhow::Result<Database> {
    std::fs::create_dir_all(root)
        .with_context(|| format!("cannot create the root {}", root.display()))?;
    Database::open(root)
        .map_err(error)
        .with_context(|| format!("cannot open the conary database of {}", root.display()))
}

/// The database of a root that had none, made for a first transaction:
/// when that fails, [`FreshDatabase::discard`] takes away the database and
/// the directories made for it, leaving the root as it was.
#[derive(Debug)]
pub struct FreshDatabase {
    /// The directories that did not exist, deepest first.
    made: Vec<PathBuf>,
    db_dir: PathBuf,
}

impl FreshDatabase {
    /// Creates the root's database (and the root) as [`open`] does.
    pub fn open(root: &Path) -> anyhow::Result<(Database, FreshDatabase)> {
        let db_dir = root.join(conary_system::db::DB_DIR);
        let made = db_dir
            .ancestors()
            .take_while(|dir| !dir.as_os_str().is_empty() && !dir.exists())
            .map(Path::to_path_buf)
            .collect();
        let db = open(root)?;
        Ok((db, FreshDatabase { made, db_dir }))
    }

    /// Closes `db` and, when nothing was installed nor recorded, removes
    /// it with the directories made for it. Best effort: what cannot be
    /// removed stays.
    pub fn discard(self, db: Database) {
        let untouched = db.installed().is_ok_and(|troves| troves.is_empty())
            && conary_system::rollback::list(&db).is_ok_and(|stack| stack.is_empty());
        drop(db);
        if !untouched {
            return;
        }
        for dir in &self.made {
            let _ = if *dir == self.db_dir {
                std::fs::remove_dir_all(dir)
            } else {
                std::fs::remove_dir(dir)
            };
        }
    }
}

/// Opens the database of `root` for queries; a root without one reads as
/// a root with nothing installed (nothing is created).
pub fn open_readonly(root: &Path) -> anyhow::Result<Database> {
    if !has_database(root) {
        return Database::in_memory(root).map_err(error);
    }
    match Database::open_readonly(root) {
        Ok(db) => Ok(db),
        Err(SystemError::NoDatabase { .. }) => Database::in_memory(root).map_err(error),
        Err(other) => Err(error(other))
            .with_context(|| format!("cannot open the conary database of {}", root.display())),
    }
}

/// True when `root` has a conary database.
pub fn has_database(root: &Path) -> bool {
    root.join(conary_system::db::DB_DIR)
        .join(conary_system::db::DB_FILE)
        .is_file()
}

/// The installed troves `spec` names: the name, and the version and
/// flavor when given (a version matches as in `conary update`: a revision,
/// a label, a branch or a whole version).
pub fn installed_matching(db: &Database, spec: &TroveSpec) -> anyhow::Result<Vec<TroveTuple>> {
    let found: Vec<TroveTuple> = db
        .installed_named(spec.name())
        .map_err(error)?
        .into_iter()
        .filter(|tuple| spec.version().is_none_or(|v| v.matches(&tuple.version)))
        .filter(|tuple| {
            spec.flavor()
                .is_none_or(|flavor| flavor.is_empty() || flavor.satisfies(&tuple.flavor))
        })
        .collect();
    if found.is_empty() {
        anyhow::bail!("{spec} is not installed");
    }
    Ok(found)
}

/// Each spec's installed troves, in order, without repeats.
pub fn installed_for_specs(db: &Database, specs: &[String]) -> anyhow::Result<Vec<TroveTuple>> {
    let mut tuples: Vec<TroveTuple> = Vec::new();
    for text in specs {
        let spec = crate::commands::rq::parse_spec(text)?;
        for tuple in installed_matching(db, &spec)? {
            if !tuples.contains(&tuple) {
                tuples.push(tuple);
            }
        }
    }
    Ok(tuples)
}

/// The trove and its installed members (a package's components), the
/// trove first.
pub fn with_members(db: &Database, tuple: &TroveTuple) -> anyhow::Result<Vec<TroveTuple>> {
    let mut all = vec![tuple.clone()];
    for member in db.members(tuple).map_err(error)? {
        if member.state == MemberState::Installed && !all.contains(&member.tuple) {
            all.push(member.tuple);
        }
    }
    Ok(all)
}

/// Asks `source` for the changeset of `jobs` (not recursing: a plan
/// already lists every member) into a temporary file; `downloaded` hears
/// of the bytes as they arrive. Returns a reader at the file's start.
pub fn fetch_changeset(
    source: &dyn TroveSource,
    jobs: &[Job],
    downloaded: &dyn Fn(u64),
) -> anyhow::Result<ChangeSetReader<BufReader<std::fs::File>>> {
    let mut file = tempfile::tempfile().context("cannot create a temporary file")?;
    let mut counting = Counting {
        inner: std::io::BufWriter::new(&mut file),
        downloaded,
    };
    let jobs_text = jobs
        .iter()
        .filter_map(|job| job.new_tuple().or_else(|| job.old_tuple()))
        .map(|tuple| tuple.name.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    source
        .changeset(jobs, false, &mut counting)
        .with_context(|| format!("cannot fetch the changeset of {jobs_text}"))?;
    counting
        .inner
        .flush()
        .context("cannot write a temporary file")?;
    drop(counting);
    file.rewind().context("cannot read a temporary file")?;
    ChangeSetReader::new(BufReader::new(file))
        .with_context(|| format!("the changeset of {jobs_text} is not valid"))
}

/// A writer that reports the bytes written through it.
struct Counting<'a, W: Write> {
    inner: W,
    downloaded: &'a dyn Fn(u64),
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        (self.downloaded)(written as u64);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
