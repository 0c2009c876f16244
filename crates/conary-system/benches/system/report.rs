//! The tables: medians over the runs.

use crate::Run;
use crate::measure::median;
use crate::phase::Outcome;
use crate::setup::Imported;

/// Bytes as megabytes (10^6), two decimals.
pub fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

/// Bytes with thousands separators.
fn bytes(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    format!("{out} B")
}

/// Which operation of a run.
#[derive(Clone, Copy)]
enum Operation {
    Install,
    Update,
    Rollback,
}

impl Operation {
    const ALL: [Operation; 3] = [Operation::Install, Operation::Update, Operation::Rollback];

    fn outcome(self, run: &Run) -> &Outcome {
        match self {
            Operation::Install => &run.install,
            Operation::Update => &run.update,
            Operation::Rollback => &run.rollback,
        }
    }

    fn dpkg(self, run: &Run) -> Option<crate::dpkg::Unpack> {
        let index = match self {
            Operation::Install => 0,
            Operation::Update => 1,
            Operation::Rollback => 2,
        };
        run.dpkg.and_then(|unpacks| unpacks.get(index).copied())
    }

    fn label(self) -> &'static str {
        match self {
            Operation::Install => "install the oldest set into an empty root",
            Operation::Update => "update to the newest set",
            Operation::Rollback => "rollback of the update (dpkg: oldest set unpacked again)",
        }
    }

    fn time_goal(self) -> &'static str {
        match self {
            Operation::Install => "≤ 0.5×",
            Operation::Update => "≤ 0.3×",
            Operation::Rollback => "",
        }
    }

    /// The `.deb` files dpkg reads for the same step.
    fn debs(self, imported: &Imported) -> u64 {
        match self {
            Operation::Update => imported.newest_bytes(),
            Operation::Install | Operation::Rollback => imported.oldest_bytes(),
        }
    }

    fn bytes_goal(self) -> &'static str {
        match self {
            Operation::Update => "≤ 0.30×",
            Operation::Install | Operation::Rollback => "",
        }
    }
}

fn of(runs: &[Run], value: impl Fn(&Run) -> f64) -> f64 {
    median(runs.iter().map(value))
}

/// The main table: conary against dpkg, bytes fetched, peak memory.
pub fn table(imported: &Imported, runs: &[Run]) {
    println!("\nmedians of {} runs:\n", runs.len());
    println!(
        "| operation | conary | dpkg | conary ÷ dpkg | goal | conary without making the changeset | ÷ dpkg | fetched | ÷ the .debs dpkg reads | goal | conary peak memory | dpkg peak memory |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|");
    for operation in Operation::ALL {
        let conary = of(runs, |run| operation.outcome(run).wall);
        let dpkg = runs
            .iter()
            .all(|run| operation.dpkg(run).is_some())
            .then(|| {
                of(runs, |run| {
                    operation.dpkg(run).map_or(0.0, |unpack| unpack.wall)
                })
            });
        let client = of(runs, |run| {
            let outcome = operation.outcome(run);
            outcome.wall - outcome.fetch
        });
        let fetched = of(runs, |run| operation.outcome(run).fetched() as f64);
        let debs = operation.debs(imported);
        let peak = of(runs, |run| operation.outcome(run).peak_kb as f64);
        let dpkg_peak = of(runs, |run| {
            operation
                .dpkg(run)
                .map_or(0.0, |unpack| unpack.peak_kb as f64)
        });
        println!(
            "| {} | {:.3} s | {} | {} | {} | {:.3} s | {} | {} | {:.3}× of {} | {} | {:.1} MiB | {} |",
            operation.label(),
            conary,
            dpkg.map_or("—".to_owned(), |dpkg| format!("{dpkg:.3} s")),
            dpkg.map_or("—".to_owned(), |dpkg| format!("{:.2}×", conary / dpkg)),
            operation.time_goal(),
            client,
            dpkg.map_or("—".to_owned(), |dpkg| format!("{:.2}×", client / dpkg)),
            mb(fetched as u64),
            fetched / debs as f64,
            mb(debs),
            operation.bytes_goal(),
            peak / 1024.0,
            if dpkg_peak > 0.0 {
                format!("{:.1} MiB", dpkg_peak / 1024.0)
            } else {
                "—".to_owned()
            },
        );
    }
}

/// Where conary's time goes, and the CPU times of both.
pub fn phases(runs: &[Run]) {
    println!("\nconary, by phase (medians, seconds):\n");
    println!(
        "| operation | open db | plan | make + fetch changeset | apply: troves, file plan | contents, rollback entry, staging, sync | renames, sync, db commit | finish | close db | of which fetching contents | CPU user + system | dpkg CPU user + system |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for operation in Operation::ALL {
        let get = |value: fn(&Outcome) -> f64| of(runs, |run| value(operation.outcome(run)));
        let dpkg = runs
            .iter()
            .all(|run| operation.dpkg(run).is_some())
            .then(|| {
                (
                    of(runs, |run| operation.dpkg(run).map_or(0.0, |u| u.user)),
                    of(runs, |run| operation.dpkg(run).map_or(0.0, |u| u.system)),
                )
            });
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2} + {:.2} | {} |",
            match operation {
                Operation::Install => "install",
                Operation::Update => "update",
                Operation::Rollback => "rollback",
            },
            get(|o| o.open),
            get(|o| o.plan),
            get(|o| o.fetch),
            get(|o| o.apply_planned),
            get(|o| o.apply_staged),
            get(|o| o.apply_committed),
            get(|o| o.apply_finished),
            get(|o| o.close),
            get(|o| o.contents_time),
            get(|o| o.user),
            get(|o| o.system),
            dpkg.map_or("—".to_owned(), |(user, system)| format!(
                "{user:.2} + {system:.2}"
            )),
        );
    }
    println!("\nconary, what moved (first run):\n");
    println!(
        "| operation | jobs | files written | files removed | changeset | contents fetched one by one | manifests fetched | queries |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    if let Some(run) = runs.first() {
        for operation in Operation::ALL {
            let outcome = operation.outcome(run);
            println!(
                "| {} | {} | {} | {} | {} | {} in {} calls | {} | {} |",
                match operation {
                    Operation::Install => "install",
                    Operation::Update => "update",
                    Operation::Rollback => "rollback",
                },
                outcome.jobs,
                outcome.files_written,
                outcome.files_removed,
                bytes(outcome.changeset_bytes),
                bytes(outcome.contents_bytes),
                outcome.contents_calls,
                outcome.manifests,
                outcome.queries,
            );
        }
    }
}
