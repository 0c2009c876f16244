//! One conary operation on a root, run in a child process of the bench
//! (`system --phase install|update|rollback --repo DIR --root DIR
//! [--spec SPEC]...`) so that its peak memory is its own. The child prints
//! one JSON line: its [`Outcome`].

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{self, BufReader, BufWriter, Seek as _, SeekFrom, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use conary_api::{Job, SourceError, TroveQuery, TroveSource};
use conary_changeset::ChangeSetReader;
use conary_core::config::Config;
use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::spec::parse_change_list;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::version::Label;
use conary_repository::{LocalSource, Repository};
use conary_system::apply::{ApplyOptions, ApplyReport, Progress, Step, apply_changeset};
use conary_system::db::Database;
use conary_system::plan::{PlanOptions, Planner};
use conary_system::rollback::{self, RollbackTarget};
use serde::{Deserialize, Serialize};

use crate::measure::{BenchResult, CpuClock, peak_memory_kb, reset_peak_memory};

/// The operations measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Install the given specs into an empty root.
    Install,
    /// Update every installed package to its newest version.
    Update,
    /// Roll back the newest transaction.
    Rollback,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Install => "install",
            Phase::Update => "update",
            Phase::Rollback => "rollback",
        }
    }
}

impl FromStr for Phase {
    type Err = String;
    fn from_str(text: &str) -> Result<Phase, String> {
        match text {
            "install" => Ok(Phase::Install),
            "update" => Ok(Phase::Update),
            "rollback" => Ok(Phase::Rollback),
            _ => Err(format!("unknown phase '{text}'")),
        }
    }
}

/// What one conary operation measured (times in seconds).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// From opening the database to closing it.
    pub wall: f64,
    /// CPU time of the child over the same stretch: user, system.
    pub user: f64,
    pub system: f64,
    /// `Database::open`.
    pub open: f64,
    /// `Planner::plan`.
    pub plan: f64,
    /// `TroveSource::changeset` into a temporary file (the repository
    /// making the changeset: the server's work).
    pub fetch: f64,
    /// `apply_changeset` or `rollback`, split by its progress steps:
    pub apply: f64,
    /// start → `Step::Planned`: trove operations and the file plan;
    pub apply_planned: f64,
    /// → `Step::Staged`: contents found or fetched, rollback entry,
    /// journal, every file staged, synced;
    pub apply_staged: f64,
    /// → `Step::Committed`: renames, sync, database commit;
    pub apply_committed: f64,
    /// → return: journal finished and removed, cache cleared.
    pub apply_finished: f64,
    /// Time spent in `TroveSource::contents` (included in the above).
    pub contents_time: f64,
    /// Closing the database (checkpointing its write-ahead log).
    pub close: f64,
    /// Bytes of the changeset fetched.
    pub changeset_bytes: u64,
    /// Bytes of contents fetched one by one (`TroveSource::contents`).
    pub contents_bytes: u64,
    /// How many contents were fetched one by one.
    pub contents_calls: u64,
    /// Manifests fetched (`TroveSource::troves`), and queries.
    pub manifests: u64,
    pub queries: u64,
    /// Jobs planned (troves changed).
    pub jobs: usize,
    pub files_written: usize,
    pub files_removed: usize,
    /// The child's peak resident memory (`VmHWM`) from opening the
    /// database on, in KiB: the client and, in the same process, the
    /// repository answering it.
    pub peak_kb: u64,
}

impl Outcome {
    /// Everything fetched from the trove source.
    pub fn fetched(&self) -> u64 {
        self.changeset_bytes.saturating_add(self.contents_bytes)
    }
}

/// A trove source that counts what goes through it.
struct Counting<'a> {
    inner: &'a dyn TroveSource,
    changeset_bytes: Cell<u64>,
    contents_bytes: Cell<u64>,
    contents_calls: Cell<u64>,
    contents_time: Cell<Duration>,
    manifests: Cell<u64>,
    queries: Cell<u64>,
}

impl<'a> Counting<'a> {
    fn new(inner: &'a dyn TroveSource) -> Counting<'a> {
        Counting {
            inner,
            changeset_bytes: Cell::new(0),
            contents_bytes: Cell::new(0),
            contents_calls: Cell::new(0),
            contents_time: Cell::new(Duration::ZERO),
            manifests: Cell::new(0),
            queries: Cell::new(0),
        }
    }
}

fn add(cell: &Cell<u64>, amount: u64) {
    cell.set(cell.get().saturating_add(amount));
}

impl TroveSource for Counting<'_> {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        add(&self.queries, 1);
        self.inner.trove_versions(query)
    }

    fn troves(&self, tuples: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> {
        add(&self.manifests, tuples.len() as u64);
        self.inner.troves(tuples)
    }

    fn changeset(
        &self,
        jobs: &[Job],
        recurse: bool,
        out: &mut dyn Write,
    ) -> Result<u64, SourceError> {
        let bytes = self.inner.changeset(jobs, recurse, out)?;
        add(&self.changeset_bytes, bytes);
        Ok(bytes)
    }

    fn contents(&self, digest: &Digest, out: &mut dyn Write) -> Result<u64, SourceError> {
        let start = Instant::now();
        let bytes = self.inner.contents(digest, out)?;
        self.contents_time
            .set(self.contents_time.get() + start.elapsed());
        add(&self.contents_bytes, bytes);
        add(&self.contents_calls, 1);
        Ok(bytes)
    }

    fn dep_suggestions(
        &self,
        labels: &[Label],
        requires: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        add(&self.queries, 1);
        self.inner.dep_suggestions(labels, requires)
    }
}

/// Notes when each step of a transaction is reached.
#[derive(Default)]
struct StepClock {
    steps: RefCell<Vec<(Step, Instant)>>,
}

impl Progress for StepClock {
    fn step(&self, step: Step) {
        self.steps.borrow_mut().push((step, Instant::now()));
    }
}

impl StepClock {
    /// Splits `start..end` at the last Planned, Staged and Committed steps
    /// into `outcome`'s apply fields (several transactions add up).
    fn split(&self, start: Instant, end: Instant, outcome: &mut Outcome) {
        let mut last = start;
        for (step, at) in self.steps.borrow().iter() {
            let span = at.saturating_duration_since(last).as_secs_f64();
            match step {
                Step::Planned { .. } => outcome.apply_planned += span,
                Step::Staged => outcome.apply_staged += span,
                Step::Committed => outcome.apply_committed += span,
            }
            last = *at;
        }
        outcome.apply_finished += end.saturating_duration_since(last).as_secs_f64();
    }
}

/// The arguments of a child.
pub struct Request {
    pub phase: Phase,
    pub repository: PathBuf,
    pub root: PathBuf,
    pub specs: Vec<String>,
}

impl Request {
    /// The child's command-line arguments.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = vec![
            "--phase".to_owned(),
            self.phase.name().to_owned(),
            "--repo".to_owned(),
            self.repository.display().to_string(),
            "--root".to_owned(),
            self.root.display().to_string(),
        ];
        for spec in &self.specs {
            args.push("--spec".to_owned());
            args.push(spec.clone());
        }
        args
    }

    /// Reads the child's arguments (after `--phase`'s value is known to be
    /// there).
    pub fn from_args(args: &[String]) -> BenchResult<Request> {
        let mut phase = None;
        let mut repository = None;
        let mut root = None;
        let mut specs = Vec::new();
        let mut rest = args.iter();
        while let Some(argument) = rest.next() {
            let mut value = || {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{argument} needs a value"))
            };
            match argument.as_str() {
                "--phase" => phase = Some(value()?.parse::<Phase>()?),
                "--repo" => repository = Some(PathBuf::from(value()?)),
                "--root" => root = Some(PathBuf::from(value()?)),
                "--spec" => specs.push(value()?),
                _ => {}
            }
        }
        Ok(Request {
            phase: phase.ok_or("--phase is missing")?,
            repository: repository.ok_or("--repo is missing")?,
            root: root.ok_or("--root is missing")?,
            specs,
        })
    }
}

/// The configuration of the measured machine.
fn config() -> BenchResult<Config> {
    let mut config = Config::default();
    config.apply_text(
        &format!("installLabelPath {}\nflavor is: x86_64\n", crate::LABEL),
        "bench",
    )?;
    Ok(config)
}

/// Runs one phase in this process and returns what it measured.
pub fn run(request: &Request) -> BenchResult<Outcome> {
    let repository = Repository::open(&request.repository)?;
    let identity = crate::setup::login(&repository)?;
    let local = LocalSource::new(&repository, identity);
    let source = Counting::new(&local);
    let config = config()?;
    let options = PlanOptions {
        // libc6 and the rest of a base system are not in the corpus.
        no_deps: true,
        resolve: Some(false),
        ..PlanOptions::default()
    };
    let specs = parse_change_list(&request.specs)?;
    let scratch = request
        .root
        .parent()
        .ok_or("the root has no parent directory")?;
    let progress = StepClock::default();
    let mut outcome = Outcome::default();

    // Logging in (argon2, 19 MiB) is the repository's business, not timed:
    // the peak starts here.
    reset_peak_memory()?;
    let cpu = CpuClock::start();
    let start = Instant::now();
    let mut db = Database::open(&request.root)?;
    let opened = Instant::now();
    outcome.open = (opened - start).as_secs_f64();
    let (reports, applying) = match request.phase {
        Phase::Install | Phase::Update => {
            let plan = Planner::new(&source, &db, &config, options).plan(&specs)?;
            let planned = Instant::now();
            outcome.plan = (planned - opened).as_secs_f64();
            outcome.jobs = plan.jobs.len();
            // The jobs already hold every member: no recursion.
            let mut file = tempfile::tempfile_in(scratch)?;
            let mut out = BufWriter::new(&mut file);
            source.changeset(&plan.jobs, false, &mut out)?;
            out.flush()?;
            drop(out);
            file.seek(SeekFrom::Start(0))?;
            let fetched = Instant::now();
            outcome.fetch = (fetched - planned).as_secs_f64();
            let reader = ChangeSetReader::new(BufReader::new(file))?;
            let report = apply_changeset(
                &mut db,
                &plan.jobs,
                reader,
                Some(&source),
                &ApplyOptions::default(),
                &progress,
            )?;
            (vec![report], fetched)
        }
        Phase::Rollback => {
            let reports = rollback::rollback(
                &mut db,
                RollbackTarget::Count(1),
                Some(&source),
                &ApplyOptions::default(),
                &progress,
            )?;
            (reports, opened)
        }
    };
    let applied = Instant::now();
    outcome.apply = (applied - applying).as_secs_f64();
    progress.split(applying, applied, &mut outcome);
    drop(db);
    let end = Instant::now();
    outcome.close = (end - applied).as_secs_f64();
    outcome.wall = (end - start).as_secs_f64();
    let times = cpu.stop();
    outcome.user = times.0.as_secs_f64();
    outcome.system = times.1.as_secs_f64();

    if request.phase == Phase::Rollback {
        outcome.jobs = reports
            .iter()
            .map(|report: &ApplyReport| {
                report.installed.len() + report.updated.len() + report.erased.len()
            })
            .sum();
    }
    outcome.files_written = reports.iter().map(|report| report.files_written).sum();
    outcome.files_removed = reports.iter().map(|report| report.files_removed).sum();
    outcome.changeset_bytes = source.changeset_bytes.get();
    outcome.contents_bytes = source.contents_bytes.get();
    outcome.contents_calls = source.contents_calls.get();
    outcome.contents_time = source.contents_time.get().as_secs_f64();
    outcome.manifests = source.manifests.get();
    outcome.queries = source.queries.get();
    outcome.peak_kb = peak_memory_kb()?;
    Ok(outcome)
}

/// The child's entry point: runs the phase and prints its outcome.
pub fn child(args: &[String]) -> BenchResult<()> {
    let request = Request::from_args(args)?;
    let outcome = run(&request)?;
    let line = serde_json::to_string(&outcome)?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    Ok(())
}

/// The variable naming a command the children run under, for profiling
/// (`perf record -g -o perf-{phase}.data`, `strace -c -w -o
/// strace-{phase}.txt`); `{phase}` becomes the phase and the run number.
pub const WRAP_VARIABLE: &str = "CONARY_BENCH_WRAP";

/// Runs `request` in a child process (this same program), the `run`th
/// time, and reads its outcome.
pub fn spawn(request: &Request, run: usize) -> BenchResult<Outcome> {
    let program = std::env::current_exe()?;
    let wrapper = std::env::var(WRAP_VARIABLE).unwrap_or_default();
    let tag = format!("{}-{run}", request.phase.name());
    let mut words = wrapper
        .split_whitespace()
        .map(|word| word.replace("{phase}", &tag));
    let mut command = match words.next() {
        Some(first) => {
            let mut command = std::process::Command::new(first);
            command.args(words).arg(&program);
            command
        }
        None => std::process::Command::new(&program),
    };
    let output = command
        .args(request.to_args())
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "conary {} failed ({}): {}",
            request.phase.name(),
            output.status,
            String::from_utf8_lossy(&output.stdout)
        )
        .into());
    }
    let text = String::from_utf8(output.stdout)?;
    let line = text
        .lines()
        .last()
        .ok_or_else(|| format!("conary {} printed nothing", request.phase.name()))?;
    Ok(serde_json::from_str(line)?)
}
