//! The `CONARY` state file of a checkout: which source trove and version
//! the directory holds, on which branch, and the files it tracks.
//!
//! ```text
//! stateversion 1
//! name hello:source
//! version /conary.example.com@rpl:2/1700000000.000:1.0-1
//! branch /conary.example.com@rpl:2
//! file 0123…cdef hello.recipe 89ab…4567 /conary.example.com@rpl:2/1700000000.000:1.0-1
//! file fedc…3210 hello.patch - -
//! ```
//!
//! `version` is absent before the first commit. A file added since the
//! last commit has `-` for its fileId and version. The format is in
//! `docs/FORMATS.md`, "Checkout state (CONARY file)".

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use conary_core::digest::{FileId, PathId};
use conary_core::name::TroveName;
use conary_core::version::{Branch, Version};

use super::error::SourceError;

/// The name of the state file in a checkout.
pub const STATE_FILE: &str = "CONARY";

/// The state version this code writes and reads.
const STATE_VERSION: &str = "1";

/// One tracked file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackedFile {
    /// Its pathId, kept across versions.
    pub path_id: PathId,
    /// The fileId and version it had in the checked-out version; `None`
    /// when added since.
    pub committed: Option<(FileId, Version)>,
}

/// What a `CONARY` file says.
///
/// ```rust
/// use conary_build::source::CheckoutState;
/// let text = "stateversion 1\nname hello:source\nbranch /conary.example.com@rpl:2\n";
/// let state = CheckoutState::parse(text, "CONARY".as_ref()).expect("valid");
/// assert!(state.version.is_none() && state.files.is_empty());
/// assert_eq!(state.format(), text);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutState {
    /// The source trove, `NAME:source`.
    pub name: TroveName,
    /// The checked-out (or last committed) version; `None` before the
    /// first commit.
    pub version: Option<Version>,
    /// The branch commits go to.
    pub branch: Branch,
    /// On a shadow, the parent's source version `cvc merge` last brought
    /// in (until the next commit, which is numbered after it).
    pub last_merged: Option<Version>,
    /// The tracked files, by name.
    pub files: BTreeMap<String, TrackedFile>,
}

impl CheckoutState {
    /// The package name (`hello` for `hello:source`).
    pub fn package(&self) -> &str {
        self.name.package_str()
    }

    /// The state as text, as [`CheckoutState::parse`] reads it.
    pub fn format(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "stateversion {STATE_VERSION}");
        let _ = writeln!(out, "name {}", self.name);
        if let Some(version) = &self.version {
            let _ = writeln!(out, "version {}", version.freeze());
        }
        let _ = writeln!(out, "branch {}", self.branch.freeze());
        if let Some(merged) = &self.last_merged {
            let _ = writeln!(out, "lastmerged {}", merged.freeze());
        }
        for (name, file) in &self.files {
            let _ = match &file.committed {
                Some((file_id, version)) => writeln!(
                    out,
                    "file {} {name} {file_id} {}",
                    file.path_id,
                    version.freeze()
                ),
                None => writeln!(out, "file {} {name} - -", file.path_id),
            };
        }
        out
    }

    /// Parses a state file's text; `path` names it in errors, which give
    /// the 1-based line at fault.
    pub fn parse(text: &str, path: &Path) -> Result<CheckoutState, SourceError> {
        let error = |line: usize, reason: String| SourceError::State {
            path: path.to_path_buf(),
            line,
            reason,
        };
        let mut name = None;
        let mut version = None;
        let mut branch = None;
        let mut last_merged = None;
        let mut files = BTreeMap::new();
        let mut seen_version_line = false;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
            if number == 1 {
                if key != "stateversion" {
                    return Err(error(number, "expected 'stateversion 1' first".to_owned()));
                }
                if rest != STATE_VERSION {
                    return Err(error(number, format!("unsupported state version '{rest}'")));
                }
                seen_version_line = true;
                continue;
            }
            match key {
                "name" => {
                    let parsed: TroveName = rest
                        .parse()
                        .map_err(|e| error(number, format!("invalid name '{rest}': {e}")))?;
                    if !parsed.is_source() {
                        return Err(error(number, format!("'{rest}' is not a :source trove")));
                    }
                    set_once(&mut name, parsed, number, "name", &error)?;
                }
                "version" => {
                    let parsed = Version::thaw(rest)
                        .map_err(|e| error(number, format!("invalid version '{rest}': {e}")))?;
                    set_once(&mut version, parsed, number, "version", &error)?;
                }
                "branch" => {
                    let parsed = Branch::thaw(rest)
                        .map_err(|e| error(number, format!("invalid branch '{rest}': {e}")))?;
                    set_once(&mut branch, parsed, number, "branch", &error)?;
                }
                "lastmerged" => {
                    let parsed = Version::thaw(rest)
                        .map_err(|e| error(number, format!("invalid version '{rest}': {e}")))?;
                    set_once(&mut last_merged, parsed, number, "lastmerged", &error)?;
                }
                "file" => {
                    let (file_name, file) = parse_file(rest).map_err(|e| error(number, e))?;
                    if files.insert(file_name.clone(), file).is_some() {
                        return Err(error(number, format!("file '{file_name}' listed twice")));
                    }
                }
                _ => return Err(error(number, format!("unknown line '{key}'"))),
            }
        }
        if !seen_version_line {
            return Err(error(1, "expected 'stateversion 1' first".to_owned()));
        }
        let last = text.lines().count();
        let name = name.ok_or_else(|| error(last, "no 'name' line".to_owned()))?;
        let branch = branch.ok_or_else(|| error(last, "no 'branch' line".to_owned()))?;
        Ok(CheckoutState {
            name,
            version,
            branch,
            last_merged,
            files,
        })
    }

    /// Reads `DIR/CONARY`.
    pub fn read(dir: &Path) -> Result<CheckoutState, SourceError> {
        let path = dir.join(STATE_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SourceError::NotACheckout {
                dir: dir.to_path_buf(),
            },
            _ => SourceError::io(&path, e),
        })?;
        CheckoutState::parse(&text, &path)
    }

    /// Writes `DIR/CONARY` (through a temporary file, then a rename).
    pub fn write(&self, dir: &Path) -> Result<(), SourceError> {
        let path = dir.join(STATE_FILE);
        let temporary: PathBuf = dir.join(".CONARY.new");
        std::fs::write(&temporary, self.format()).map_err(|e| SourceError::io(&temporary, e))?;
        std::fs::rename(&temporary, &path).map_err(|e| SourceError::io(&path, e))
    }
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    line: usize,
    key: &str,
    error: &impl Fn(usize, String) -> SourceError,
) -> Result<(), SourceError> {
    if slot.replace(value).is_some() {
        return Err(error(line, format!("'{key}' given twice")));
    }
    Ok(())
}

/// `PATHID NAME FILEID VERSION` (the last two `-` for an added file).
fn parse_file(rest: &str) -> Result<(String, TrackedFile), String> {
    let fields: Vec<&str> = rest.split(' ').collect();
    let [path_id, name, file_id, version] = fields[..] else {
        return Err(format!(
            "expected 'file PATHID NAME FILEID VERSION', found {} fields",
            fields.len()
        ));
    };
    let path_id: PathId = path_id
        .parse()
        .map_err(|e| format!("invalid pathId '{path_id}': {e}"))?;
    check_file_name(name).map_err(|e| e.to_string())?;
    let committed = match (file_id, version) {
        ("-", "-") => None,
        ("-", _) | (_, "-") => {
            return Err("fileId and version are both '-' or neither".to_owned());
        }
        (file_id, version) => {
            let file_id: FileId = file_id
                .parse()
                .map_err(|e| format!("invalid fileId '{file_id}': {e}"))?;
            let version =
                Version::thaw(version).map_err(|e| format!("invalid version '{version}': {e}"))?;
            Some((file_id, version))
        }
    };
    Ok((name.to_owned(), TrackedFile { path_id, committed }))
}

/// Checks that `name` may be tracked: a plain file name in the checkout
/// directory (no `/`, not `.` or `..`, no whitespace or control
/// characters, not the state file).
///
/// ```rust
/// use conary_build::source::check_file_name;
/// assert!(check_file_name("hello.recipe").is_ok());
/// assert!(check_file_name("../etc/passwd").is_err());
/// ```
pub fn check_file_name(name: &str) -> Result<(), SourceError> {
    let bad = |reason| SourceError::BadFileName {
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() {
        return Err(bad("empty"));
    }
    if name == "." || name == ".." {
        return Err(bad("not a file name"));
    }
    if name.contains('/') {
        return Err(bad("files live directly in the checkout (no '/')"));
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("whitespace and control characters are not allowed"));
    }
    if name == STATE_FILE || name.starts_with(".CONARY") {
        return Err(bad("reserved for the checkout state"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> CheckoutState {
        let version = Version::thaw("/conary.example.com@rpl:2/1700000000.000:1.0-1").expect("v");
        let mut files = BTreeMap::new();
        files.insert(
            "hello.recipe".to_owned(),
            TrackedFile {
                path_id: PathId::derive(b"a"),
                committed: Some((FileId::from_bytes([7; 32]), version.clone())),
            },
        );
        files.insert(
            "hello.patch".to_owned(),
            TrackedFile {
                path_id: PathId::derive(b"b"),
                committed: None,
            },
        );
        CheckoutState {
            name: "hello:source".parse().expect("name"),
            branch: version.branch().clone(),
            version: Some(version),
            last_merged: None,
            files,
        }
    }

    #[test]
    fn last_merged_round_trips() {
        let mut state = sample();
        state.last_merged =
            Some(Version::thaw("/conary.example.com@rpl:2/1700000100.000:1.1-1").expect("v"));
        let text = state.format();
        assert!(text.contains("\nlastmerged /conary.example.com@rpl:2/1700000100.000:1.1-1\n"));
        let parsed = CheckoutState::parse(&text, "CONARY".as_ref()).expect("parses");
        assert_eq!(parsed, state);
    }

    #[test]
    fn round_trips() {
        let state = sample();
        let text = state.format();
        assert!(text.starts_with("stateversion 1\nname hello:source\nversion /conary"));
        assert!(text.contains(" hello.patch - -\n"));
        let parsed = CheckoutState::parse(&text, Path::new("CONARY")).expect("parses");
        assert_eq!(parsed, state);
        assert_eq!(
            parsed.version.map(|v| v.timestamp()),
            Some(
                Version::thaw("/a@b:c/1700000000.000:1.0-1")
                    .expect("v")
                    .timestamp()
            )
        );
    }

    #[test]
    fn bad_lines_name_their_line() {
        let good = sample().format();
        let cases = [
            (
                good.replace("stateversion 1", "stateversion 2"),
                1,
                "unsupported",
            ),
            (
                good.replace("name hello:source", "name hello"),
                2,
                "not a :source",
            ),
            (format!("{good}bogus line\n"), 7, "unknown line 'bogus'"),
            (
                good.replace(" hello.patch - -", " hello.patch -"),
                5,
                "fields",
            ),
            (
                good.replace(" hello.patch - -", " ../x - -"),
                5,
                "invalid file name",
            ),
            (
                good.replace(" hello.patch - -", " hello.recipe - -"),
                6,
                "twice",
            ),
            (
                good.replace(" hello.patch - -", " hello.patch 00 -"),
                5,
                "both",
            ),
            (
                good.replace("branch /", "branch nowhere/"),
                4,
                "invalid branch",
            ),
        ];
        for (text, line, needle) in cases {
            let error = CheckoutState::parse(&text, Path::new("w/CONARY")).expect_err(&text);
            let shown = error.to_string();
            assert!(
                shown.starts_with(&format!("w/CONARY:{line}: ")) && shown.contains(needle),
                "{shown} for {text:?}"
            );
        }
    }

    #[test]
    fn name_and_branch_are_required() {
        let error = CheckoutState::parse("stateversion 1\nname a:source\n", Path::new("C"))
            .expect_err("no branch");
        assert_eq!(error.to_string(), "C:2: no 'branch' line");
        assert!(CheckoutState::parse("", Path::new("C")).is_err());
    }

    #[test]
    fn file_names_are_checked() {
        for bad in ["", ".", "..", "a/b", "a b", "CONARY", "x\ny"] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
        for good in ["hello.recipe", "fix-build.patch", "README"] {
            assert!(check_file_name(good).is_ok(), "{good:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = CheckoutState::parse(&text, Path::new("CONARY"));
        }

        #[test]
        fn never_panics_on_near_misses(lines in proptest::collection::vec(
            prop_oneof![
                Just("stateversion 1".to_owned()),
                Just("name a:source".to_owned()),
                Just("branch /a@b:c".to_owned()),
                "file [0-9a-f ]{0,40}[a-z.-]{0,8}",
                "(version|branch|name) [ -~]{0,30}",
            ], 0..8)) {
            let _ = CheckoutState::parse(&lines.join("\n"), Path::new("CONARY"));
        }
    }
}
