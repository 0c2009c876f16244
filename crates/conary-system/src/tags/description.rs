//! Tag description files: `<root>/etc/conary/tags/NAME`, one `key value`
//! line each (`file`, `name`, `description`, `datasource`, `implements`,
//! `include`, `exclude`; `#` starts a comment).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::TagError;

/// Where tag descriptions live inside a root.
pub const TAG_DIR: &str = "/etc/conary/tags";

/// How a handler receives the paths.
///
/// ```rust
/// use conary_system::tags::DataSource;
/// assert_eq!("stdin".parse::<DataSource>(), Ok(DataSource::Stdin));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum DataSource {
    /// As arguments after `TYPE ACTION` (the default).
    #[default]
    Args,
    /// On standard input, one path a line.
    Stdin,
    /// On standard input, pairs of lines: the space-separated tags, then the
    /// path (one handler serving several tags).
    Multitag,
}

impl std::str::FromStr for DataSource {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "args" => Ok(DataSource::Args),
            "stdin" => Ok(DataSource::Stdin),
            "multitag" => Ok(DataSource::Multitag),
            _ => Err(()),
        }
    }
}

impl fmt::Display for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataSource::Args => "args",
            DataSource::Stdin => "stdin",
            DataSource::Multitag => "multitag",
        })
    }
}

/// One `implements` value: the phases of a transaction a handler takes
/// part in, in the order they run ([`Phase::ORDER`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// `handler preremove`: the handler itself is about to be removed.
    HandlerPreremove,
    /// `files preupdate`: tagged files are about to be written.
    FilesPreupdate,
    /// `files preremove`: tagged files are about to be removed.
    FilesPreremove,
    /// `handler update`: the handler (or its description) is new or changed.
    HandlerUpdate,
    /// `files update`: tagged files were written.
    FilesUpdate,
    /// `files remove`: tagged files were removed.
    FilesRemove,
}

impl Phase {
    /// The original's `commandOrder`.
    pub const ORDER: [Phase; 6] = [
        Phase::HandlerPreremove,
        Phase::FilesPreupdate,
        Phase::FilesPreremove,
        Phase::HandlerUpdate,
        Phase::FilesUpdate,
        Phase::FilesRemove,
    ];

    /// The two words passed to the handler (`files`, `update`).
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Phase::HandlerPreremove => ("handler", "preremove"),
            Phase::FilesPreupdate => ("files", "preupdate"),
            Phase::FilesPreremove => ("files", "preremove"),
            Phase::HandlerUpdate => ("handler", "update"),
            Phase::FilesUpdate => ("files", "update"),
            Phase::FilesRemove => ("files", "remove"),
        }
    }

    /// True for the phases run before files change.
    pub fn is_pre(self) -> bool {
        matches!(
            self,
            Phase::HandlerPreremove | Phase::FilesPreupdate | Phase::FilesPreremove
        )
    }

    fn from_words(kind: &str, action: &str) -> Option<Phase> {
        Phase::ORDER
            .into_iter()
            .find(|phase| phase.words() == (kind, action))
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, action) = self.words();
        write!(f, "{kind} {action}")
    }
}

/// A parsed tag description.
#[derive(Debug, Clone)]
pub struct TagDescription {
    /// The tag (the file's name, or its `name` line).
    pub tag: String,
    /// Where the description was read from, inside the root
    /// (`/etc/conary/tags/NAME`).
    pub path: String,
    /// The handler program, inside the root (`file` line); none for a
    /// description that only classifies files.
    pub handler: Option<String>,
    /// `description` text.
    pub description: Option<String>,
    /// How the handler receives paths.
    pub datasource: DataSource,
    /// The phases it implements.
    pub implements: BTreeSet<Phase>,
    /// `include`/`exclude` filters in file order; `true` includes. The
    /// first matching filter decides; no filter matching means no tag.
    /// Patterns are anchored "naturally" as the original's build filters:
    /// one starting with `/` at the start, one not ending in `/` or `$` at
    /// the end (write `.*` to avoid either).
    pub filters: Vec<(bool, Regex)>,
}

impl TagDescription {
    /// Parses description `text` for `tag`; `path` names it in errors.
    ///
    /// ```rust
    /// use conary_system::tags::{Phase, TagDescription};
    /// let text = "file /usr/libexec/conary/tags/info\nimplements files update\ninclude ^/usr/share/info/\n";
    /// let description = TagDescription::parse("info-file", "/etc/conary/tags/info-file", text)?;
    /// assert!(description.implements.contains(&Phase::FilesUpdate));
    /// assert!(description.matches("/usr/share/info/dir.info"));
    /// # Ok::<(), conary_system::tags::TagError>(())
    /// ```
    pub fn parse(tag: &str, path: &str, text: &str) -> Result<TagDescription, TagError> {
        let mut description = TagDescription {
            tag: tag.to_owned(),
            path: path.to_owned(),
            handler: None,
            description: None,
            datasource: DataSource::Args,
            implements: BTreeSet::new(),
            filters: Vec::new(),
        };
        for (index, line) in text.lines().enumerate() {
            let at = |reason: String| TagError::Syntax {
                path: path.to_owned(),
                line: index + 1,
                reason,
            };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = match line.split_once(char::is_whitespace) {
                Some((key, value)) => (key, value.trim()),
                None => (line, ""),
            };
            if value.is_empty() {
                return Err(at(format!("'{key}' needs a value")));
            }
            match key.to_ascii_lowercase().as_str() {
                "file" => {
                    if !value.starts_with('/') {
                        return Err(at(format!("handler '{value}' is not an absolute path")));
                    }
                    description.handler = Some(value.to_owned());
                }
                "name" => description.tag = value.to_owned(),
                "description" => description.description = Some(value.to_owned()),
                "datasource" => {
                    description.datasource = value.parse().map_err(|()| {
                        at(format!(
                            "unknown datasource '{value}' (expected args, stdin or multitag)"
                        ))
                    })?;
                }
                "implements" => {
                    let words: Vec<&str> = value.split_whitespace().collect();
                    match words[..] {
                        [kind, action] => match Phase::from_words(kind, action) {
                            Some(phase) => {
                                description.implements.insert(phase);
                            }
                            // The original's obsolete `description update`
                            // and friends are accepted and ignored.
                            None if kind == "description" => {}
                            None => return Err(at(format!("unknown implements '{value}'"))),
                        },
                        _ => return Err(at(format!("unknown implements '{value}'"))),
                    }
                }
                "include" | "exclude" => {
                    let regex = Regex::new(&anchor(value))
                        .map_err(|error| at(format!("invalid regular expression: {error}")))?;
                    description.filters.push((key == "include", regex));
                }
                _ => return Err(at(format!("unknown key '{key}'"))),
            }
        }
        if !valid_tag_name(&description.tag) {
            return Err(TagError::Syntax {
                path: path.to_owned(),
                line: 0,
                reason: format!(
                    "invalid tag name '{}' (letters, digits, '-' and '_')",
                    description.tag
                ),
            });
        }
        Ok(description)
    }

    /// True when the build should give `path` this tag: the first
    /// `include`/`exclude` filter matching it decides.
    pub fn matches(&self, path: &str) -> bool {
        self.filters
            .iter()
            .find(|(_, regex)| regex.is_match(path))
            .is_some_and(|(include, _)| *include)
    }
}

/// `pattern` anchored as the original's build filters do: `^` before a
/// leading `/`, `$` after a last character other than `/` and `$`.
///
/// ```rust
/// assert_eq!(conary_system::tags::description::anchor("/usr/lib/.*\\.so"), "^/usr/lib/.*\\.so$");
/// assert_eq!(conary_system::tags::description::anchor("info/"), "info/");
/// ```
pub fn anchor(pattern: &str) -> String {
    let mut out = String::new();
    if pattern.starts_with('/') {
        out.push('^');
    }
    out.push_str(pattern);
    if !pattern.ends_with('/') && !pattern.ends_with('$') {
        out.push('$');
    }
    out
}

/// True for a tag name the original accepts.
pub fn valid_tag_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Reads every tag description of `root`, by tag. A missing directory
/// means none; the first bad description is an error.
pub fn load_all(root: &Path) -> Result<BTreeMap<String, TagDescription>, TagError> {
    let (all, mut errors) = load_each(root)?;
    match errors.pop_first() {
        Some((_, error)) => Err(error),
        None => Ok(all),
    }
}

/// The good descriptions by tag, and the bad ones' errors by file name.
pub type Loaded = (BTreeMap<String, TagDescription>, BTreeMap<String, TagError>);

/// Reads every tag description of `root`: the good ones by tag, and the
/// bad ones' errors by file name (a broken description must not stop a
/// transaction that does not involve its tag, such as the one fixing it).
/// Only an unreadable directory is an error.
pub fn load_each(root: &Path) -> Result<Loaded, TagError> {
    let dir = root.join(TAG_DIR.trim_start_matches('/'));
    let mut all = BTreeMap::new();
    let mut errors = BTreeMap::new();
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((all, errors)),
        Err(source) => return Err(TagError::Io { path: dir, source }),
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| TagError::Io {
            path: dir.clone(),
            source,
        })?;
        files.push(entry.path());
    }
    files.sort();
    for file in files {
        let Some(name) = file.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if name.starts_with('.') || !file.is_file() {
            continue;
        }
        let parsed = fs::read_to_string(&file)
            .map_err(|source| TagError::Io {
                path: file.clone(),
                source,
            })
            .and_then(|text| TagDescription::parse(name, &format!("{TAG_DIR}/{name}"), &text));
        match parsed {
            Ok(description) => {
                all.insert(description.tag.clone(), description);
            }
            Err(error) => {
                errors.insert(name.to_owned(), error);
            }
        }
    }
    Ok((all, errors))
}
