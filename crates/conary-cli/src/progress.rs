//! Progress of long operations on standard error: a bar on a terminal,
//! plain lines otherwise.

#![allow(clippy::print_stderr)]

use std::io::IsTerminal as _;

use conary_build::import::ImportCandidate;
use conary_build::import::batch::{ImportOutcome, ImportProgress};
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
