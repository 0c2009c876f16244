//! Progress of long operations on standard error: a bar on a terminal,
//! plain lines otherwise.

#![allow(clippy::print_stderr)]

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicU64, Ordering};

use conary_build::import::ImportCandidate;
use conary_build::import::batch::{ImportOutcome, ImportProgress};
use conary_core::digest::Digest;
use indicatif::{ProgressBar, ProgressStyle};

/// Reports an import batch: a bar when standard error is a terminal;
/// otherwise one line per package when asked for, else nothing (so that a
/// failure stays one line on standard error).
#[derive(Debug)]
pub struct ImportReporter {
    bar: Option<ProgressBar>,
    lines: bool,
}

impl ImportReporter {
    /// A reporter for standard error; `lines` asks for plain lines when it
    /// is not a terminal.
    pub fn stderr(lines: bool) -> ImportReporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
                bar.set_style(style);
            }
            bar
        });
        ImportReporter { bar, lines }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ImportProgress for ImportReporter {
    fn on_plan(&self, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
        }
    }

    fn on_start(&self, candidate: &ImportCandidate) {
        match &self.bar {
            Some(bar) => bar.set_message(format!("{}={}", candidate.package, candidate.version)),
            None if self.lines => eprintln!("importing {}", candidate.path.display()),
            None => {}
        }
    }

    fn on_done(&self, _outcome: &ImportOutcome) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}

/// Reports content downloads (the contents a changeset needs from the
/// hosts that hold them): a spinner with the bytes and files received when
/// standard error is a terminal, else nothing. Cleared when dropped.
#[derive(Debug)]
pub struct DownloadReporter {
    bar: Option<ProgressBar>,
    files: AtomicU64,
}

impl DownloadReporter {
    /// A reporter for standard error.
    pub fn stderr() -> DownloadReporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} fetching contents: {bytes} ({bytes_per_sec}) {wide_msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        DownloadReporter {
            bar,
            files: AtomicU64::new(0),
        }
    }
}

impl conary_client::Progress for DownloadReporter {
    fn on_blob_bytes(&self, _digest: &Digest, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn on_blob_done(&self, _digest: &Digest, _size: u64) {
        let files = self.files.fetch_add(1, Ordering::Relaxed).saturating_add(1);
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{files} files"));
        }
    }
}

impl Drop for DownloadReporter {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Reports a transaction on standard error: the changeset's bytes as they
/// arrive, then a bar of the files written, on a terminal; otherwise one
/// plain line per step. Notes are always printed, one line each.
#[derive(Debug)]
pub struct ApplyReporter {
    bar: Option<ProgressBar>,
    written: AtomicU64,
    test: bool,
}

/// Bytes for people: `512 B`, `1.50 KiB`, `12.00 MiB`.
///
/// ```rust
/// assert_eq!(conary_cli::progress::human_bytes(1536), "1.50 KiB");
/// ```
pub fn human_bytes(bytes: u64) -> String {
    indicatif::BinaryBytes(bytes).to_string()
}

impl ApplyReporter {
    /// A reporter for standard error.
    pub fn stderr() -> ApplyReporter {
        let bar = std::io::stderr()
            .is_terminal()
            .then(ProgressBar::new_spinner);
        ApplyReporter {
            bar,
            written: AtomicU64::new(0),
            test: false,
        }
    }

    /// The same reporter for a `--test` run, which checks and writes
    /// nothing.
    pub fn testing(mut self, test: bool) -> ApplyReporter {
        self.test = test;
        self
    }

    /// A changeset is about to be fetched from `from`.
    pub fn fetching(&self, from: &str) {
        match &self.bar {
            Some(bar) => {
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner} fetching from {prefix}: {bytes} ({bytes_per_sec})",
                ) {
                    bar.set_style(style);
                }
                bar.set_prefix(from.to_owned());
                bar.set_position(0);
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
            }
            None => eprintln!("fetching the changeset from {from}"),
        }
    }

    /// `bytes` more of the changeset arrived.
    pub fn downloaded(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    /// The changeset is whole: `bytes` long.
    pub fn fetched(&self, bytes: u64) {
        match &self.bar {
            Some(bar) => bar.disable_steady_tick(),
            None => eprintln!("fetched {}", human_bytes(bytes)),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl conary_system::apply::Progress for ApplyReporter {
    fn step(&self, step: conary_system::apply::Step) {
        use conary_system::apply::Step;
        match (&self.bar, step) {
            (Some(bar), Step::Planned { write, .. }) => {
                bar.set_position(0);
                bar.set_length(write as u64);
                bar.set_message(human_bytes(0));
                if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} files, {msg}")
                {
                    bar.set_style(style);
                }
            }
            (Some(bar), Step::Staged) => bar.set_message("renaming into place"),
            (Some(_), Step::Committed) => {}
            (None, Step::Planned { write, remove }) if self.test => {
                eprintln!("checked: {write} files to write, {remove} to remove");
            }
            (None, Step::Planned { write, remove }) => {
                eprintln!("applying: {write} files to write, {remove} to remove");
            }
            (None, Step::Staged) => {}
            (None, Step::Committed) => eprintln!("committed"),
        }
    }

    fn note(&self, note: &conary_system::apply::Note) {
        match &self.bar {
            Some(bar) => bar.println(format!("note: {note}")),
            None => eprintln!("note: {note}"),
        }
    }

    fn file_staged(&self, _path: &str, bytes: u64) {
        let total = self
            .written
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes);
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(human_bytes(total));
        }
    }
}

/// One line on standard error for the user: `note: MESSAGE`.
pub fn note(message: impl std::fmt::Display) {
    eprintln!("note: {message}");
}

/// Reports the steps of a cook (`building hello[is: x86_64]`,
/// `committing`): a spinner with the step when standard error is a
/// terminal; otherwise one line per step when asked for (`cvc -v`), else
/// nothing, so that a failure stays one line on standard error.
#[derive(Debug)]
pub struct StepReporter {
    bar: Option<ProgressBar>,
    lines: bool,
}

impl StepReporter {
    /// A reporter for standard error; `lines` asks for plain lines when it
    /// is not a terminal.
    pub fn stderr(lines: bool) -> StepReporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        StepReporter { bar, lines }
    }

    /// Shows the step now under way.
    pub fn step(&self, what: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(what.to_owned()),
            None if self.lines => eprintln!("{what}"),
            None => {}
        }
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
