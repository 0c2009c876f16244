//! The handler calls of one phase of a transaction, coalesced: one call
//! per handler and phase with every affected path, run (or written to the
//! tag script) in the original's order.

use std::collections::{BTreeMap, BTreeSet};

use super::description::{DataSource, Phase, TagDescription};
use crate::apply::{Note, Progress};
use crate::scripts::runner::{Invocation, Mode, Runner, shell_quote};

/// The tags and paths gathered for one handler in one phase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct HandlerCall {
    /// For each tag the handler serves here: its datasource and paths.
    tags: BTreeMap<String, (DataSource, BTreeSet<String>)>,
}

/// Handler calls to make, by phase and handler.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagCommands {
    calls: BTreeMap<Phase, BTreeMap<String, HandlerCall>>,
}

impl TagCommands {
    /// Adds `paths` carrying `description`'s tag to its handler's call in
    /// `phase` (nothing when it has no handler).
    pub fn add<'a>(
        &mut self,
        description: &TagDescription,
        phase: Phase,
        paths: impl IntoIterator<Item = &'a String>,
    ) {
        let Some(handler) = &description.handler else {
            return;
        };
        let call = self
            .calls
            .entry(phase)
            .or_default()
            .entry(handler.clone())
            .or_default();
        call.tags
            .entry(description.tag.clone())
            .or_insert_with(|| (description.datasource, BTreeSet::new()))
            .1
            .extend(paths.into_iter().cloned());
    }

    /// True when there is nothing to call.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The calls in order, as `(phase, invocation)`; a handler serving
    /// several tags without the multitag protocol is left out with a note.
    pub fn invocations(&self, notes: &mut Vec<Note>) -> Vec<(Phase, Invocation)> {
        let mut out = Vec::new();
        for phase in Phase::ORDER {
            let Some(handlers) = self.calls.get(&phase) else {
                continue;
            };
            let (kind, action) = phase.words();
            for (handler, call) in handlers {
                let mut invocation = Invocation {
                    program: handler.clone(),
                    args: vec![kind.to_owned(), action.to_owned()],
                    ..Invocation::default()
                };
                let datasource = if call.tags.len() > 1 {
                    if call
                        .tags
                        .values()
                        .any(|(source, _)| *source != DataSource::Multitag)
                    {
                        notes.push(Note::new(
                            Some(handler),
                            "tag handler used by several tags without the multitag protocol: not run"
                                .to_owned(),
                        ));
                        continue;
                    }
                    DataSource::Multitag
                } else {
                    call.tags
                        .values()
                        .next()
                        .map_or(DataSource::Args, |(source, _)| *source)
                };
                let mut by_path: BTreeMap<&String, BTreeSet<&String>> = BTreeMap::new();
                for (tag, (_, paths)) in &call.tags {
                    for path in paths {
                        by_path.entry(path).or_default().insert(tag);
                    }
                }
                match datasource {
                    DataSource::Args => {
                        invocation
                            .args
                            .extend(by_path.keys().map(|path| (*path).clone()));
                    }
                    DataSource::Stdin => {
                        for path in by_path.keys() {
                            invocation.stdin.extend_from_slice(path.as_bytes());
                            invocation.stdin.push(b'\n');
                        }
                    }
                    DataSource::Multitag => {
                        for (path, tags) in &by_path {
                            let tags: Vec<&str> = tags.iter().map(|tag| tag.as_str()).collect();
                            invocation.stdin.extend_from_slice(
                                format!("{}\n{path}\n", tags.join(" ")).as_bytes(),
                            );
                        }
                    }
                }
                out.push((phase, invocation));
            }
        }
        out
    }

    /// Runs every call in order with `runner` (or writes them to its tag
    /// script, pre-phase lines commented out as in the original). A failing
    /// handler is a note, never an error.
    pub fn run(&self, runner: &Runner, progress: &dyn Progress) -> Vec<Note> {
        self.run_steps(runner, progress, &mut |_| true, &mut |_| {})
    }

    /// [`run`](Self::run), call by call: `due(N)` says whether the Nth
    /// call (in order) still has to run, `done(N)` is told after it ran.
    pub fn run_steps(
        &self,
        runner: &Runner,
        progress: &dyn Progress,
        due: &mut dyn FnMut(usize) -> bool,
        done: &mut dyn FnMut(usize),
    ) -> Vec<Note> {
        let mut notes = Vec::new();
        for (index, (phase, invocation)) in self.invocations(&mut notes).into_iter().enumerate() {
            if !due(index) {
                continue;
            }
            if let Mode::Script(_) = runner.mode() {
                if let Err(message) = runner.write_lines(&script_lines(phase, &invocation)) {
                    notes.push(Note::new(None, message));
                }
            } else if let Err(message) = runner.run(&invocation, progress) {
                notes.push(Note::new(None, format!("tag handler ({phase}): {message}")));
            }
            done(index);
        }
        notes
    }
}

/// The shell lines of one call: `HANDLER TYPE ACTION [PATHS…]`, or with a
/// here-document for what goes to standard input.
pub fn script_lines(phase: Phase, invocation: &Invocation) -> String {
    let prefix = if phase.is_pre() { "# " } else { "" };
    let mut words = vec![shell_quote(&invocation.program)];
    words.extend(invocation.args.iter().map(|arg| shell_quote(arg)));
    let mut out = format!("{prefix}{}", words.join(" "));
    if invocation.stdin.is_empty() {
        out.push('\n');
        return out;
    }
    out.push_str(" <<'EOF'\n");
    for line in String::from_utf8_lossy(&invocation.stdin).lines() {
        out.push_str(&format!("{prefix}{line}\n"));
    }
    out.push_str(&format!("{prefix}EOF\n"));
    out
}
