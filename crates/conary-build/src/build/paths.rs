//! Paths under the destdir and the build directory, resolved without ever
//! leaving them, and globs (`*`, `?`) over the destdir.
//!
//! A [`Tree`] resolves a path one component at a time, reading each
//! symlink on the way itself instead of letting the operating system follow
//! it. In the destdir an absolute symlink target is a path of the installed
//! system (`/usr/lib/libfoo.so.1`), so it is resolved from the destdir's
//! root, as in a chroot; in the build directory an absolute target is a
//! path on this machine and is allowed only when it leads back into the
//! build directory. A `..` that would climb above the root is refused in
//! both. The result names real directories only (no symlink on the way),
//! so writing there cannot escape; the last component is followed or not
//! as the caller asks (a file is replaced, never written through a link).

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Component, Path, PathBuf};

use crate::build::error::BuildError;

/// How many symlinks one resolution may follow (Linux's `MAXSYMLINKS`).
const MAX_SYMLINKS: usize = 40;

/// What kind of tree a [`Tree`] is: how absolute symlink targets read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeKind {
    /// The destdir: absolute targets are paths of the installed system.
    Destdir,
    /// The build directory: absolute targets are paths of this machine.
    BuildDir,
}

/// A directory tree the executor reads and writes in.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    root: PathBuf,
    canonical_root: PathBuf,
    kind: TreeKind,
}

/// A path resolved under a [`Tree`]: its components below the root (no
/// symlinks among the directories) and the joined path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// Components below the root.
    pub components: Vec<OsString>,
    /// The root joined with the components.
    pub path: PathBuf,
}

impl Tree {
    /// A tree rooted at `root`, which must exist.
    pub fn new(root: &Path, kind: TreeKind) -> Result<Tree, BuildError> {
        let canonical_root = fs::canonicalize(root).map_err(BuildError::io("resolve", root))?;
        Ok(Tree {
            root: root.to_path_buf(),
            canonical_root,
            kind,
        })
    }

    fn outside(&self, path: &str) -> BuildError {
        match self.kind {
            TreeKind::Destdir => BuildError::OutsideDestdir {
                path: path.to_owned(),
            },
            TreeKind::BuildDir => BuildError::OutsideBuildDir {
                path: path.to_owned(),
            },
        }
    }

    /// Joins components to the root.
    pub fn join(&self, components: &[OsString]) -> PathBuf {
        let mut path = self.root.clone();
        path.extend(components);
        path
    }

    /// Resolves a destdir path, absolute as installed (`/usr/bin/hello`).
    pub fn resolve_installed(&self, path: &str, follow_last: bool) -> Result<Resolved, BuildError> {
        if !path.starts_with('/') {
            return Err(BuildError::NotAbsolute {
                path: path.to_owned(),
            });
        }
        self.resolve_from(&[], Path::new(path), path, follow_last)
    }

    /// Resolves `path` relative to the directory `base` (components below
    /// the root); an absolute `path` must lie under the root itself.
    pub fn resolve_relative(
        &self,
        base: &[OsString],
        path: &str,
        follow_last: bool,
    ) -> Result<Resolved, BuildError> {
        let absolute = Path::new(path);
        if absolute.is_absolute() {
            let rest = absolute
                .strip_prefix(&self.root)
                .or_else(|_| absolute.strip_prefix(&self.canonical_root))
                .map_err(|_| self.outside(path))?;
            return self.resolve_from(&[], rest, path, follow_last);
        }
        self.resolve_from(base, Path::new(path), path, follow_last)
    }

    /// Resolves `path` relative to the directory `base` (components below
    /// the root); `original` names it in errors.
    pub fn resolve_from(
        &self,
        base: &[OsString],
        path: &Path,
        original: &str,
        follow_last: bool,
    ) -> Result<Resolved, BuildError> {
        let mut stack: Vec<OsString> = base.to_vec();
        let mut queue: VecDeque<OsString> = VecDeque::new();
        push_front(&mut queue, path);
        let mut links = 0;
        while let Some(component) = queue.pop_front() {
            if component == ".." {
                if stack.pop().is_none() {
                    return Err(self.outside(original));
                }
                continue;
            }
            if queue.is_empty() && !follow_last {
                stack.push(component);
                break;
            }
            let candidate = self.join(&stack).join(&component);
            let metadata = match fs::symlink_metadata(&candidate) {
                Ok(metadata) => Some(metadata),
                Err(error) if is_absent(&error) => None,
                Err(error) => return Err(BuildError::io("inspect", candidate)(error)),
            };
            if !metadata.is_some_and(|m| m.file_type().is_symlink()) {
                stack.push(component);
                continue;
            }
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(BuildError::SymlinkLoop {
                    path: original.to_owned(),
                });
            }
            let target =
                fs::read_link(&candidate).map_err(BuildError::io("read symlink", &candidate))?;
            if target.is_absolute() {
                stack.clear();
                match self.kind {
                    TreeKind::Destdir => push_front(&mut queue, &target),
                    TreeKind::BuildDir => {
                        let rest = target
                            .strip_prefix(&self.root)
                            .or_else(|_| target.strip_prefix(&self.canonical_root))
                            .map_err(|_| self.outside(original))?;
                        push_front(&mut queue, rest);
                    }
                }
            } else {
                push_front(&mut queue, &target);
            }
        }
        Ok(Resolved {
            path: self.join(&stack),
            components: stack,
        })
    }

    /// Creates the directories leading to `resolved` (mode 0o755).
    pub fn create_parents(&self, resolved: &Resolved) -> Result<(), BuildError> {
        let parents = &resolved.components[..resolved.components.len().saturating_sub(1)];
        create_dirs(&self.join(parents))
    }

    /// Every existing destdir path matching `pattern` (absolute as
    /// installed; `*` and `?` match within one component and not a leading
    /// `.`), in order, with the path text each match is known by; the last
    /// component is not followed.
    pub fn glob(&self, pattern: &str) -> Result<Vec<(String, Resolved)>, BuildError> {
        if !pattern.starts_with('/') {
            return Err(BuildError::NotAbsolute {
                path: pattern.to_owned(),
            });
        }
        self.glob_from(&[], pattern, pattern)
    }

    /// Like [`Tree::glob`], for a pattern relative to the directory `base`
    /// (an absolute pattern must lie under the root).
    pub fn glob_relative(
        &self,
        base: &[OsString],
        pattern: &str,
    ) -> Result<Vec<(String, Resolved)>, BuildError> {
        let absolute = Path::new(pattern);
        if absolute.is_absolute() {
            let rest = absolute
                .strip_prefix(&self.root)
                .or_else(|_| absolute.strip_prefix(&self.canonical_root))
                .map_err(|_| self.outside(pattern))?;
            return self.glob_from(&[], &rest.to_string_lossy(), pattern);
        }
        self.glob_from(base, pattern, pattern)
    }

    fn glob_from(
        &self,
        base: &[OsString],
        pattern: &str,
        original: &str,
    ) -> Result<Vec<(String, Resolved)>, BuildError> {
        let join = |candidate: &str, name: &str| match candidate {
            "" => name.to_owned(),
            "/" => format!("/{name}"),
            _ => format!("{candidate}/{name}"),
        };
        let start = if pattern.starts_with('/') { "/" } else { "" };
        let mut candidates = vec![start.to_owned()];
        for part in pattern.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if !has_glob(part) {
                candidates = candidates.iter().map(|c| join(c, part)).collect();
                continue;
            }
            let mut next = Vec::new();
            for candidate in &candidates {
                let dir_text = if candidate.is_empty() { "." } else { candidate };
                let dir = self.resolve_from(base, Path::new(dir_text), original, true)?;
                let entries = match fs::read_dir(&dir.path) {
                    Ok(entries) => entries,
                    Err(error) if is_absent(&error) => continue,
                    Err(error) => return Err(BuildError::io("list", dir.path)(error)),
                };
                let mut names = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(BuildError::io("list", &dir.path))?;
                    if let Some(name) = entry.file_name().to_str()
                        && glob_matches(part, name)
                    {
                        names.push(name.to_owned());
                    }
                }
                names.sort();
                next.extend(names.iter().map(|name| join(candidate, name)));
            }
            candidates = next;
        }
        let mut found = Vec::new();
        for candidate in candidates {
            if candidate.is_empty() || candidate == "/" {
                continue;
            }
            let resolved = self.resolve_from(base, Path::new(&candidate), original, false)?;
            if !resolved.components.is_empty() && fs::symlink_metadata(&resolved.path).is_ok() {
                found.push((candidate, resolved));
            }
        }
        Ok(found)
    }
}

/// Puts the normal components of `path` (and `..`) in front of the queue.
fn push_front(queue: &mut VecDeque<OsString>, path: &Path) {
    let parts: Vec<OsString> = path
        .components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect();
    for part in parts.into_iter().rev() {
        queue.push_front(part);
    }
}

/// A missing path, or a path through a file (not a directory).
fn is_absent(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// Creates a directory and its parents with mode 0o755.
pub(crate) fn create_dirs(path: &Path) -> Result<(), BuildError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(path)
        .map_err(BuildError::io("create directory", path))
}

/// Whether a path component has glob characters.
pub(crate) fn has_glob(part: &str) -> bool {
    part.contains(['*', '?'])
}

/// Matches one component against a glob of `*` and `?`; a leading `.` of
/// the name must be matched literally (as the shell does).
pub(crate) fn glob_matches(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((star_p, star_n)) => {
                    p = star_p + 1;
                    n = star_n + 1;
                    star = Some((star_p, star_n + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}
