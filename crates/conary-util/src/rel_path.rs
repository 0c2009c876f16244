//! Paths that stay under a root: [`RelPath`] and [`safe_join`].
//!
//! Everything Conary writes on a machine (files of a trove, the local
//! database, rollbacks) lives under a root directory given with `--root`.
//! Paths come from changesets, i.e. from the network, so they are untrusted:
//! `../../etc/shadow`, `/etc/shadow` or `etc\0shadow` must never reach the
//! file system. A [`RelPath`] is validated once when parsed; [`RelPath::under`]
//! then joins it to a root, checking that no directory on the way is a symlink
//! the operating system would follow out of the root.
//!
//! Limits of the check, by design:
//! - The last component is not looked at: it may itself be a symlink (packages
//!   ship absolute symlinks such as `libfoo.so -> /usr/lib/libfoo.so.1`).
//!   Callers replace it with a rename ([`crate::AtomicFile`]), inspect it with
//!   [`std::fs::symlink_metadata`], and never open it for writing by path.
//! - The check looks at the file system when called. A process that can write
//!   under the root could swap a directory for a symlink afterwards; closing
//!   that window needs `openat2(RESOLVE_BENEATH)` and is left for later.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{PathProblem, UtilError};

/// The longest relative path accepted, in bytes (Linux's `PATH_MAX`).
pub const MAX_PATH_LEN: usize = 4096;

/// The longest component accepted, in bytes (Linux's `NAME_MAX`).
pub const MAX_COMPONENT_LEN: usize = 255;

/// A relative path that cannot climb out of the directory it is joined to.
///
/// It is non-empty, does not start with `/`, and has no `..`, `.` or empty
/// components and no NUL byte, so each path has exactly one spelling. It is
/// UTF-8, as paths in Conary's changesets are.
///
/// ```rust
/// use conary_util::RelPath;
/// let path: RelPath = "usr/bin/conary".parse()?;
/// assert_eq!(path.to_string(), "usr/bin/conary");
/// assert!("usr/../etc/shadow".parse::<RelPath>().is_err());
/// # Ok::<(), conary_util::UtilError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(String);

impl RelPath {
    /// Parses a path as it appears in a trove, rooted at `/` (e.g.
    /// `/usr/bin/conary`), into the path relative to the root.
    ///
    /// ```rust
    /// use conary_util::RelPath;
    /// assert_eq!(RelPath::from_rooted("/etc/conaryrc")?.as_str(), "etc/conaryrc");
    /// assert!(RelPath::from_rooted("etc/conaryrc").is_err());
    /// # Ok::<(), conary_util::UtilError>(())
    /// ```
    pub fn from_rooted(path: &str) -> Result<Self, UtilError> {
        match path.strip_prefix('/') {
            Some(rest) => validate(rest)
                .map(Self)
                .map_err(|problem| UtilError::UnsafePath {
                    path: path.to_owned(),
                    problem,
                }),
            None => Err(UtilError::UnsafePath {
                path: path.to_owned(),
                problem: PathProblem::NotRooted,
            }),
        }
    }

    /// Validates a relative path given as a [`Path`] (which may not be UTF-8).
    pub fn from_path(path: &Path) -> Result<Self, UtilError> {
        match path.to_str() {
            Some(text) => text.parse(),
            None => Err(UtilError::UnsafePath {
                path: path.to_string_lossy().into_owned(),
                problem: PathProblem::NotUtf8,
            }),
        }
    }

    /// The path as text, without a leading `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path as a [`Path`], for joining.
    pub fn as_path(&self) -> &Path {
        Path::new(&self.0)
    }

    /// The components, in order.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// Joins this path to `root`, refusing when a directory on the way is a
    /// symlink that leads out of `root`, see [`safe_join`].
    pub fn under(&self, root: &Path) -> Result<PathBuf, UtilError> {
        SafeRoot::new(root)?.join_rel(self)
    }

    /// [`RelPath::under`] with the root already resolved.
    fn under_resolved(&self, root: &Path, canonical_root: &Path) -> Result<PathBuf, UtilError> {
        let mut current = root.to_path_buf();
        let mut components = self.components().peekable();
        while let Some(component) = components.next() {
            current.push(component);
            if components.peek().is_none() {
                break;
            }
            if !check_parent(&current, canonical_root)? {
                // Nothing exists from here on, so there are no more symlinks.
                current.extend(components);
                break;
            }
        }
        Ok(current)
    }
}

/// A root resolved once, to join many untrusted paths under it with the
/// checks of [`safe_join`] without resolving the root again for each path
/// (a transaction joins thousands).
///
/// ```rust
/// let dir = tempfile::tempdir()?;
/// let root = conary_util::SafeRoot::new(dir.path())?;
/// assert_eq!(root.join("usr/bin/conary")?, dir.path().join("usr/bin/conary"));
/// assert!(root.join("../etc/passwd").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeRoot {
    root: PathBuf,
    canonical: PathBuf,
}

impl SafeRoot {
    /// Resolves `root`, which must exist.
    pub fn new(root: &Path) -> Result<SafeRoot, UtilError> {
        let canonical = fs::canonicalize(root).map_err(UtilError::io_with("resolve root", root))?;
        Ok(SafeRoot {
            root: root.to_path_buf(),
            canonical,
        })
    }

    /// The root as given.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Joins an untrusted relative path, as [`safe_join`] does.
    pub fn join(&self, relative: &str) -> Result<PathBuf, UtilError> {
        self.join_rel(&relative.parse::<RelPath>()?)
    }

    /// Joins a [`RelPath`], as [`RelPath::under`] does.
    pub fn join_rel(&self, path: &RelPath) -> Result<PathBuf, UtilError> {
        path.under_resolved(&self.root, &self.canonical)
    }
}

/// Checks one directory on the way: returns `false` when it does not exist.
fn check_parent(path: &Path, canonical_root: &Path) -> Result<bool, UtilError> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(UtilError::io("inspect", path, error)),
    };
    if metadata.is_dir() {
        return Ok(true);
    }
    if !metadata.file_type().is_symlink() {
        return Err(UtilError::NotADirectory {
            path: path.to_path_buf(),
        });
    }
    let target = fs::read_link(path).map_err(UtilError::io_with("read symlink", path))?;
    let escape = |dangling| UtilError::SymlinkEscape {
        link: path.to_path_buf(),
        target: target.clone(),
        dangling,
    };
    let resolved = match fs::canonicalize(path) {
        Ok(resolved) => resolved,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(escape(true)),
        Err(error) => return Err(UtilError::io("resolve symlink", path, error)),
    };
    if !resolved.starts_with(canonical_root) {
        return Err(escape(false));
    }
    if !resolved.is_dir() {
        return Err(UtilError::NotADirectory {
            path: path.to_path_buf(),
        });
    }
    Ok(true)
}

/// Joins an untrusted relative path to `root`, or says why it is unsafe.
///
/// Rejects `..`, `.` and empty components, a leading `/`, NUL bytes and
/// over-long paths; then checks each existing directory on the way with
/// [`fs::symlink_metadata`] and refuses a symlink that resolves outside
/// `root` (or does not resolve). Symlinks that stay inside (`lib -> usr/lib`)
/// are allowed. `root` must exist. See the module docs for what is not checked.
///
/// ```rust
/// let root = tempfile::tempdir()?;
/// let path = conary_util::safe_join(root.path(), "usr/bin/conary")?;
/// assert_eq!(path, root.path().join("usr/bin/conary"));
/// assert!(conary_util::safe_join(root.path(), "../etc/passwd").is_err());
/// assert!(conary_util::safe_join(root.path(), "/etc/passwd").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn safe_join(root: &Path, relative: &str) -> Result<PathBuf, UtilError> {
    relative.parse::<RelPath>()?.under(root)
}

fn validate(path: &str) -> Result<String, PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.contains('\0') {
        return Err(PathProblem::NulByte);
    }
    if path.len() > MAX_PATH_LEN {
        return Err(PathProblem::TooLong);
    }
    if path.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    for component in path.split('/') {
        match component {
            "" => return Err(PathProblem::EmptyComponent),
            "." => return Err(PathProblem::CurrentComponent),
            ".." => return Err(PathProblem::ParentComponent),
            _ if component.len() > MAX_COMPONENT_LEN => return Err(PathProblem::ComponentTooLong),
            _ => {}
        }
    }
    Ok(path.to_owned())
}

impl FromStr for RelPath {
    type Err = UtilError;

    fn from_str(path: &str) -> Result<Self, Self::Err> {
        validate(path)
            .map(Self)
            .map_err(|problem| UtilError::UnsafePath {
                path: path.to_owned(),
                problem,
            })
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<Path> for RelPath {
    fn as_ref(&self) -> &Path {
        self.as_path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let long_component = "x".repeat(256);
        let long_path = ["abc"; 1100].join("/");
        let cases: &[(&str, Result<&str, PathProblem>)] = &[
            ("a", Ok("a")),
            ("usr/bin/conary", Ok("usr/bin/conary")),
            ("..a/b..", Ok("..a/b..")),
            ("...", Ok("...")),
            (".hidden", Ok(".hidden")),
            ("back\\slash", Ok("back\\slash")),
            ("", Err(PathProblem::Empty)),
            ("/etc/passwd", Err(PathProblem::Absolute)),
            ("/", Err(PathProblem::Absolute)),
            ("..", Err(PathProblem::ParentComponent)),
            ("a/../b", Err(PathProblem::ParentComponent)),
            ("a/..", Err(PathProblem::ParentComponent)),
            (".", Err(PathProblem::CurrentComponent)),
            ("./a", Err(PathProblem::CurrentComponent)),
            ("a//b", Err(PathProblem::EmptyComponent)),
            ("a/", Err(PathProblem::EmptyComponent)),
            ("a\0b", Err(PathProblem::NulByte)),
            ("/\0", Err(PathProblem::NulByte)),
            (&long_component, Err(PathProblem::ComponentTooLong)),
            (&long_path, Err(PathProblem::TooLong)),
        ];
        for (input, expected) in cases {
            let parsed = input.parse::<RelPath>();
            match (expected, parsed) {
                (Ok(text), Ok(path)) => assert_eq!(path.as_str(), *text, "{input:?}"),
                (Err(problem), Err(UtilError::UnsafePath { path, problem: got })) => {
                    assert_eq!(&got, problem, "{input:?}");
                    assert_eq!(path, *input);
                }
                (expected, got) => panic!("{input:?}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn rooted_paths() {
        let path = RelPath::from_rooted("/usr/lib/libc.so.6").expect("valid rooted path");
        assert_eq!(path.as_str(), "usr/lib/libc.so.6");
        for bad in ["usr/lib", "/", "//etc", "/a/../b", ""] {
            assert!(RelPath::from_rooted(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_round_trips() {
        let path: RelPath = "a/b c/d".parse().expect("valid path");
        assert_eq!(path.to_string().parse::<RelPath>().expect("reparse"), path);
        assert_eq!(path.components().collect::<Vec<_>>(), ["a", "b c", "d"]);
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_path_is_rejected() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(OsStr::from_bytes(b"a/\xff"));
        assert!(matches!(
            RelPath::from_path(path),
            Err(UtilError::UnsafePath {
                problem: PathProblem::NotUtf8,
                ..
            })
        ));
    }
}
