//! The text of a system model: lines, words, statements, and the exact
//! text they were read from (so rewriting a model keeps everything the
//! tools did not change byte for byte).

use std::fmt;

use conary_core::spec::TroveSpec;
use conary_core::version::Label;

use super::error::ModelError;

/// What a trove statement does to the wanted set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TroveVerb {
    /// `install`: add troves (beside those of the same name).
    Install,
    /// `update`: replace the troves of the same name, or add.
    Update,
    /// `erase`: take troves out of the set.
    Erase,
    /// `offer`: make troves available to dependency resolution only.
    Offer,
    /// `patch`: update only troves already in the set.
    Patch,
}

impl TroveVerb {
    /// The keyword in a model file.
    pub fn keyword(self) -> &'static str {
        match self {
            TroveVerb::Install => "install",
            TroveVerb::Update => "update",
            TroveVerb::Erase => "erase",
            TroveVerb::Offer => "offer",
            TroveVerb::Patch => "patch",
        }
    }

    fn from_keyword(word: &str) -> Option<TroveVerb> {
        Some(match word {
            "install" => TroveVerb::Install,
            "update" => TroveVerb::Update,
            "erase" => TroveVerb::Erase,
            "offer" => TroveVerb::Offer,
            "patch" => TroveVerb::Patch,
            _ => return None,
        })
    }
}

impl fmt::Display for TroveVerb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A trove spec as a model writes it: `NAME[=VERSION][[FLAVOR]]`, where
/// `NAME==VERSION` holds the version (`updateall` leaves it alone) and
/// `NAME=VERSION` may move to the newest version on its label.
///
/// ```rust
/// use conary_system::model::ModelSpec;
/// let held: ModelSpec = "sudo==1.9-1-1".parse()?;
/// assert!(held.held());
/// assert_eq!(held.spec().to_string(), "sudo=1.9-1-1");
/// assert_eq!(held.to_string(), "sudo==1.9-1-1");
/// # Ok::<(), conary_system::model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ModelSpec {
    raw: String,
    spec: TroveSpec,
    held: bool,
}

impl ModelSpec {
    /// The parsed trove spec (`==` read as `=`).
    pub fn spec(&self) -> &TroveSpec {
        &self.spec
    }

    /// Whether the version is held (`==`).
    pub fn held(&self) -> bool {
        self.held
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl std::str::FromStr for ModelSpec {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (spec_text, held) = match text.split_once("==") {
            Some((name, version)) => (format!("{name}={version}"), true),
            None => (text.to_owned(), false),
        };
        if held && spec_text.contains("==") {
            return Err(ModelError::spec(text, "more than one '=='"));
        }
        let spec: TroveSpec =
            spec_text
                .parse()
                .map_err(|error: conary_core::spec::SpecError| {
                    let message = error.to_string();
                    let prefix = format!("invalid trove spec '{spec_text}': ");
                    ModelError::spec(text, message.strip_prefix(&prefix).unwrap_or(&message))
                })?;
        if held && spec.version().is_none() {
            return Err(ModelError::spec(text, "'==' must be followed by a version"));
        }
        Ok(ModelSpec {
            raw: text.to_owned(),
            spec,
            held,
        })
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Where a `search` line looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchItem {
    /// A label.
    Label(Label),
    /// A trove (a group) whose members are searched.
    Trove(Box<ModelSpec>),
}

impl fmt::Display for SearchItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchItem::Label(label) => write!(f, "{label}"),
            SearchItem::Trove(spec) => write!(f, "{spec}"),
        }
    }
}

/// One statement of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `search LABEL|SPEC`.
    Search(SearchItem),
    /// `install|update|erase|offer|patch SPEC…`.
    Troves {
        /// Which statement.
        verb: TroveVerb,
        /// Its specs, at least one.
        specs: Vec<ModelSpec>,
    },
    /// `include SPEC`: the model held by a trove.
    Include(Box<ModelSpec>),
    /// `version V`: the model's own version.
    Version(String),
}

impl Statement {
    /// The words of the statement, the keyword first.
    fn words(&self) -> Vec<String> {
        match self {
            Statement::Search(item) => vec!["search".to_owned(), item.to_string()],
            Statement::Troves { verb, specs } => std::iter::once(verb.keyword().to_owned())
                .chain(specs.iter().map(ToString::to_string))
                .collect(),
            Statement::Include(spec) => vec!["include".to_owned(), spec.to_string()],
            Statement::Version(version) => vec!["version".to_owned(), version.clone()],
        }
    }
}

impl fmt::Display for Statement {
    /// The statement as a model line, words quoted where needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self.words().iter().map(|word| quote(word)).collect();
        f.write_str(&words.join(" "))
    }
}

/// A word as a model line writes it: quoted when it holds whitespace, a
/// quote, a backslash or `#`, or is empty.
pub(crate) fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && !word
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '\'' | '"' | '\\' | '#'));
    if plain {
        return word.to_owned();
    }
    if !word.contains('\'') {
        return format!("'{word}'");
    }
    let mut out = String::from("\"");
    for c in word.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Splits a line into words, shell style: whitespace separates, `'…'`
/// quotes literally, `"…"` quotes with `\` escaping `"` and `\`, a `\`
/// outside quotes escapes the next character, and `#` at the start of a
/// word begins a comment to the end of the line.
pub(crate) fn split_words(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.peek() {
            None | Some('#') => return Ok(words),
            Some(_) => {}
        }
        let mut word = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            match c {
                '\'' => loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated ' quote"),
                    }
                },
                '"' => loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unterminated \" quote"),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated \" quote"),
                    }
                },
                '\\' => match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("a line may not end with '\\'"),
                },
                c => word.push(c),
            }
        }
        words.push(word);
    }
}

/// The statement on one line, `None` for a blank or comment line.
pub(crate) fn parse_line(number: usize, line: &str) -> Result<Option<Statement>, ModelError> {
    let error = |message: String| ModelError::Syntax {
        line: number,
        message,
    };
    let words = split_words(line).map_err(|message| error(message.to_owned()))?;
    let Some((keyword, args)) = words.split_first() else {
        return Ok(None);
    };
    let spec = |text: &str| -> Result<ModelSpec, ModelError> {
        text.parse::<ModelSpec>()
            .map_err(|problem| error(problem.to_string()))
    };
    let one = |what: &str| -> Result<&String, ModelError> {
        match args {
            [arg] => Ok(arg),
            [] => Err(error(format!("'{keyword}' needs {what}"))),
            _ => Err(error(format!("'{keyword}' takes one argument only"))),
        }
    };
    let statement = match keyword.as_str() {
        "search" => {
            let item = one("a label or trove spec")?;
            match item.parse::<Label>() {
                Ok(label) if !item.contains('=') => Statement::Search(SearchItem::Label(label)),
                _ => Statement::Search(SearchItem::Trove(Box::new(spec(item)?))),
            }
        }
        "include" => Statement::Include(Box::new(spec(one("a trove spec")?)?)),
        "version" => Statement::Version(one("a version")?.clone()),
        word => {
            let Some(verb) = TroveVerb::from_keyword(word) else {
                return Err(error(format!(
                    "unknown statement '{word}' (expected search, install, update, erase, offer, patch, include or version)"
                )));
            };
            if args.is_empty() {
                return Err(error(format!("'{word}' needs at least one trove spec")));
            }
            Statement::Troves {
                verb,
                specs: args.iter().map(|arg| spec(arg)).collect::<Result<_, _>>()?,
            }
        }
    };
    Ok(Some(statement))
}
