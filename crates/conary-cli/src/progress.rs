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
