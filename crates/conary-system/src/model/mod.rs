//! The system model: `<root>/etc/conary/system-model`, a plain text file
//! that says what a machine should have, one statement a line.
//!
//! | statement | meaning |
//! |---|---|
//! | `search LABEL` | look for troves on this label too; later lines first |
//! | `search SPEC` | a trove (a group) whose members later specs take |
//! | `install SPEC…` | add troves to the wanted set |
//! | `update SPEC…` | replace the troves of the same name, or add |
//! | `erase SPEC…` | take troves out of the set |
//! | `offer SPEC…` | troves dependency resolution may use, not installed |
//! | `patch SPEC…` | update only troves already in the set |
//! | `include SPEC` | the model a trove holds (files under `/usr/share/conary/cml/`), evaluated in place |
//! | `version V` | the model's own version |
//!
//! `NAME=VERSION` may move on `conary updateall`; `NAME==VERSION` is held.
//! `#` comments and blank lines are kept, and so is every line the tools
//! do not change: [`SystemModel::format`] of [`SystemModel::parse`] gives
//! the text back byte for byte.
//!
//! Where to start: [`SystemModel`] (the file), [`SystemModel::evaluate_with`]
//! (the wanted set, [`Evaluation`]; `include` lines read through a
//! [`ModelLoader`]), [`sync_specs`] (the change specs the
//! planner turns into the job that brings a machine to the model), `store`
//! (the file, its `system-model.next` snapshot and the copy kept with each
//! rollback).
//!
//! ```rust
//! use conary_system::model::SystemModel;
//! let text = "# web server\nsearch conary.example.com@deb:12\ninstall nginx-common sudo==1.9-1-1\n";
//! let model = SystemModel::parse(text)?;
//! assert_eq!(model.format(), text);
//! let wanted = model.evaluate()?;
//! assert_eq!(wanted.wanted.len(), 2);
//! # Ok::<(), conary_system::model::ModelError>(())
//! ```

mod error;
mod eval;
mod include;
mod parse;
mod store;

#[cfg(test)]
mod tests;

pub use error::ModelError;
pub use eval::{Evaluation, sync_plan_specs, sync_specs};
pub use include::{CML_DIR, IncludedModel, MAX_INCLUDE_DEPTH, ModelLoader, NoLoader, SourceLoader};
pub use parse::{ModelSpec, SearchItem, Statement, TroveVerb};
pub use store::{
    MODEL_PATH, ModelFiles, NEXT_SUFFIX, newest_rollback, restore_from_rollback,
    save_for_rollbacks, saved_for_rollback,
};

use parse::parse_line;

/// One line of a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    /// A blank or comment line, kept as it is.
    Verbatim(String),
    /// A statement; `raw` is the text it was read from, `None` once the
    /// tools changed it (it is then written afresh).
    Statement {
        statement: Box<Statement>,
        raw: Option<String>,
    },
}

/// A parsed system model that writes back the text it was read from.
///
/// ```rust
/// use conary_system::model::{SystemModel, TroveVerb};
/// let mut model = SystemModel::parse("search conary.example.com@deb:12\n")?;
/// model.append(TroveVerb::Install, vec!["tzdata".parse()?]);
/// assert_eq!(model.format(), "search conary.example.com@deb:12\ninstall tzdata\n");
/// # Ok::<(), conary_system::model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SystemModel {
    lines: Vec<Line>,
    trailing_newline: bool,
}

impl SystemModel {
    /// Reads a model's text.
    ///
    /// # Errors
    /// [`ModelError::Syntax`] naming the first bad line: an unknown
    /// statement, a missing or extra argument, an invalid trove spec or
    /// label, an unterminated quote, a second `version` line.
    pub fn parse(text: &str) -> Result<SystemModel, ModelError> {
        let mut pieces: Vec<&str> = text.split('\n').collect();
        let trailing_newline = pieces.last() == Some(&"");
        if trailing_newline {
            pieces.pop();
        }
        let mut lines = Vec::with_capacity(pieces.len());
        let mut version_line: Option<usize> = None;
        for (index, piece) in pieces.into_iter().enumerate() {
            let number = index.saturating_add(1);
            match parse_line(number, piece)? {
                None => lines.push(Line::Verbatim(piece.to_owned())),
                Some(statement) => {
                    if matches!(statement, Statement::Version(_)) {
                        if let Some(first) = version_line {
                            return Err(ModelError::Syntax {
                                line: number,
                                message: format!(
                                    "a second 'version' line (the first is line {first})"
                                ),
                            });
                        }
                        version_line = Some(number);
                    }
                    lines.push(Line::Statement {
                        statement: Box::new(statement),
                        raw: Some(piece.to_owned()),
                    });
                }
            }
        }
        Ok(SystemModel {
            lines,
            trailing_newline,
        })
    }

    /// The model's text: unchanged lines as they were read, changed and
    /// new statements written afresh.
    pub fn format(&self) -> String {
        let mut out = String::new();
        for (index, line) in self.lines.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            match line {
                Line::Verbatim(text)
                | Line::Statement {
                    raw: Some(text), ..
                } => out.push_str(text),
                Line::Statement {
                    statement,
                    raw: None,
                } => out.push_str(&statement.to_string()),
            }
        }
        if self.trailing_newline && !self.lines.is_empty() {
            out.push('\n');
        }
        out
    }

    /// The statements, in order.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.lines.iter().filter_map(|line| match line {
            Line::Statement { statement, .. } => Some(&**statement),
            Line::Verbatim(_) => None,
        })
    }

    /// The statements with their line numbers (from 1).
    pub(crate) fn numbered(&self) -> impl Iterator<Item = (usize, &Statement)> {
        self.lines
            .iter()
            .enumerate()
            .filter_map(|(index, line)| match line {
                Line::Statement { statement, .. } => Some((index.saturating_add(1), &**statement)),
                Line::Verbatim(_) => None,
            })
    }

    /// Appends a statement line (`conary install foo` appends
    /// `install foo`). Nothing is appended for no specs.
    pub fn append(&mut self, verb: TroveVerb, specs: Vec<ModelSpec>) {
        if specs.is_empty() {
            return;
        }
        self.push(Statement::Troves { verb, specs });
    }

    /// Appends any statement line.
    pub fn push(&mut self, statement: Statement) {
        if self.lines.is_empty() {
            self.trailing_newline = true;
        }
        self.lines.push(Line::Statement {
            statement: Box::new(statement),
            raw: None,
        });
    }

    /// Rewrites the trove specs of `install`, `update`, `offer` and
    /// `patch` lines that name a version and are not held (`==`):
    /// `newer` gets each and returns its new version text, or `None` to
    /// leave it. Only the lines that change are written afresh. Returns
    /// how many specs changed.
    ///
    /// # Errors
    /// Whatever `newer` fails with, or [`ModelError::Spec`] for a version
    /// text that does not make a valid spec.
    pub fn move_versions(
        &mut self,
        mut newer: impl FnMut(&ModelSpec) -> Result<Option<String>, ModelError>,
    ) -> Result<usize, ModelError> {
        let mut moved = 0usize;
        for line in &mut self.lines {
            let Line::Statement { statement, raw } = line else {
                continue;
            };
            let Statement::Troves { verb, specs } = &mut **statement else {
                continue;
            };
            if *verb == TroveVerb::Erase {
                continue;
            }
            for spec in specs.iter_mut() {
                if spec.held() || spec.spec().version().is_none() {
                    continue;
                }
                let Some(version) = newer(spec)? else {
                    continue;
                };
                let mut text = format!("{}={version}", spec.spec().name());
                if let Some(flavor) = spec.spec().flavor() {
                    text.push_str(&format!("[{flavor}]"));
                }
                if text != spec.as_str() {
                    *spec = text.parse()?;
                    *raw = None;
                    moved = moved.saturating_add(1);
                }
            }
        }
        Ok(moved)
    }
}
