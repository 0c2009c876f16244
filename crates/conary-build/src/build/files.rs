//! The file actions: `addSource`, `Install`, `Create`, `Symlink`,
//! `Remove`, `SetModes`. Every destdir path goes through
//! [`Tree::resolve_installed`](crate::build::paths::Tree) or
//! [`Tree::glob`](crate::build::paths::Tree); a file is written by
//! replacing what is there, never through a symlink.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt, symlink};
use std::path::Path;

use crate::build::Executor;
use crate::build::error::BuildError;
use crate::build::paths::{Resolved, Tree, create_dirs, has_glob};
use crate::build::sources::file_name_of;

/// The mode of a copied file without an explicit one: 0o755 when the
/// source is executable by anyone, else 0o644.
fn default_mode(source_mode: u32) -> u32 {
    if source_mode & 0o111 != 0 {
        0o755
    } else {
        0o644
    }
}

/// Replaces whatever non-directory is at `path` with a new file holding
/// `contents`, with permission bits `mode`.
fn write_file(path: &Path, contents: &mut dyn Read, mode: u32) -> Result<(), BuildError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => {
            return Err(BuildError::Io {
                action: "replace",
                path: path.to_path_buf(),
                source: io::Error::new(io::ErrorKind::IsADirectory, "it is a directory"),
            });
        }
        Ok(_) => fs::remove_file(path).map_err(BuildError::io("replace", path))?,
        Err(_) => {}
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(BuildError::io("create", path))?;
    io::copy(contents, &mut file).map_err(BuildError::io("write", path))?;
    file.set_permissions(fs::Permissions::from_mode(mode))
        .map_err(BuildError::io("set permissions of", path))
}

/// Removes a non-directory at `path`, if any, so a link can be made there.
fn clear_for_link(path: &Path) -> Result<(), BuildError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => Err(BuildError::Io {
            action: "replace",
            path: path.to_path_buf(),
            source: io::Error::new(io::ErrorKind::IsADirectory, "it is a directory"),
        }),
        Ok(_) => fs::remove_file(path).map_err(BuildError::io("replace", path)),
        Err(_) => Ok(()),
    }
}

/// Appends a file name to a path text, with one `/` between.
fn join_text(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

fn is_real_dir(resolved: &Resolved) -> bool {
    fs::symlink_metadata(&resolved.path).is_ok_and(|m| m.is_dir())
}

/// Whether a path names a directory, following a symlink at its end
/// (inside the tree).
fn names_dir(
    tree: &Tree,
    text: &str,
    installed: bool,
    base: &[OsString],
) -> Result<bool, BuildError> {
    let resolved = if installed {
        tree.resolve_installed(text, true)?
    } else {
        tree.resolve_relative(base, text, true)?
    };
    Ok(is_real_dir(&resolved))
}

impl Executor<'_> {
    /// `addSource`: copies a source file into the working directory (or
    /// `dest` relative to it), or into the destdir when `dest` is absolute.
    pub(crate) fn add_source(
        &mut self,
        name: &str,
        dest: Option<&str>,
        mode: Option<u32>,
        expand: bool,
    ) -> Result<(), BuildError> {
        let name = self.macros.expand(name)?;
        let local = self.sources.path_of(&name)?;
        let file_name = file_name_of(&name).to_owned();
        let dest = dest.map(|d| self.macros.expand(d)).transpose()?;
        let (tree, resolved) = match dest.as_deref() {
            Some(dest) if dest.starts_with('/') => {
                let text = if dest.ends_with('/') {
                    join_text(dest, &file_name)
                } else {
                    dest.to_owned()
                };
                let text = if names_dir(&self.destdir, &text, true, &[])? {
                    join_text(&text, &file_name)
                } else {
                    text
                };
                (&self.destdir, self.destdir.resolve_installed(&text, false)?)
            }
            Some(dest) => {
                let text = if dest.ends_with('/')
                    || names_dir(&self.builddir, dest, false, &self.workdir)?
                {
                    join_text(dest, &file_name)
                } else {
                    dest.to_owned()
                };
                (
                    &self.builddir,
                    self.builddir
                        .resolve_relative(&self.workdir, &text, false)?,
                )
            }
            None => {
                let resolved = self
                    .builddir
                    .resolve_relative(&self.workdir, &file_name, false)?;
                (&self.builddir, resolved)
            }
        };
        let metadata = fs::metadata(&local).map_err(BuildError::io("inspect", &local))?;
        let mode = mode.unwrap_or_else(|| default_mode(metadata.permissions().mode()));
        tree.create_parents(&resolved)?;
        if expand {
            let bytes = fs::read(&local).map_err(BuildError::io("read", &local))?;
            let text =
                String::from_utf8(bytes).map_err(|_| BuildError::NotText { name: name.clone() })?;
            let text = self.macros.expand(&text)?;
            write_file(&resolved.path, &mut text.as_bytes(), mode)
        } else {
            let mut file = File::open(&local).map_err(BuildError::io("open", &local))?;
            write_file(&resolved.path, &mut file, mode)
        }
    }

    /// `Install`: copies a file (or, with a trailing `/`, a directory tree)
    /// from the working directory into the destdir. FROM may be a glob;
    /// then TO is a directory.
    pub(crate) fn install(
        &mut self,
        from: &str,
        to: &str,
        mode: Option<u32>,
    ) -> Result<(), BuildError> {
        let from = self.macros.expand(from)?;
        let to = self.macros.expand(to)?;
        if !has_glob(&from) {
            return self.install_one(&from, &to, mode);
        }
        let found = self.builddir.glob_relative(&self.workdir, &from)?;
        if found.is_empty() {
            return Err(BuildError::NoMatch { pattern: from });
        }
        let to = if to.ends_with('/') {
            to
        } else {
            format!("{to}/")
        };
        for (text, _) in found {
            self.install_one(&text, &to, mode)?;
        }
        Ok(())
    }

    fn install_one(&mut self, from: &str, to: &str, mode: Option<u32>) -> Result<(), BuildError> {
        let source = self.builddir.resolve_relative(&self.workdir, from, true)?;
        let metadata = fs::metadata(&source.path).map_err(|_| BuildError::NotFound {
            path: from.to_owned(),
        })?;
        // The name as the recipe wrote it (a symlink is installed under its
        // own name, with its target's contents).
        let name = from
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        if from.ends_with('/') || metadata.is_dir() {
            if !metadata.is_dir() {
                return Err(BuildError::NotFound {
                    path: from.to_owned(),
                });
            }
            let to = if !from.ends_with('/') && to.ends_with('/') {
                join_text(to, &name)
            } else {
                to.to_owned()
            };
            let target = self.destdir.resolve_installed(&to, true)?;
            create_dirs(&target.path)?;
            return copy_tree(&self.builddir, &source.components, &self.destdir, &to, mode);
        }
        if !metadata.is_file() {
            return Err(BuildError::SpecialFile {
                path: from.to_owned(),
            });
        }
        let mut text = if to.ends_with('/') {
            join_text(to, &name)
        } else {
            to.to_owned()
        };
        if names_dir(&self.destdir, &text, true, &[])? {
            text = join_text(&text, &name);
        }
        let target = self.destdir.resolve_installed(&text, false)?;
        if target.components.is_empty() || name.is_empty() || name == ".." || name == "." {
            return Err(BuildError::NotFound {
                path: from.to_owned(),
            });
        }
        self.destdir.create_parents(&target)?;
        let mode = mode.unwrap_or_else(|| default_mode(metadata.permissions().mode()));
        let mut file = File::open(&source.path).map_err(BuildError::io("open", &source.path))?;
        write_file(&target.path, &mut file, mode)
    }

    /// `Create`: writes a file in the destdir.
    pub(crate) fn create(
        &mut self,
        path: &str,
        contents: &str,
        mode: u32,
    ) -> Result<(), BuildError> {
        let path = self.macros.expand(path)?;
        let contents = self.macros.expand(contents)?;
        let target = self.destdir.resolve_installed(&path, false)?;
        if target.components.is_empty() {
            return Err(BuildError::NotFound { path });
        }
        self.destdir.create_parents(&target)?;
        write_file(&target.path, &mut contents.as_bytes(), mode)
    }

    /// `Symlink`: makes a symlink in the destdir; a link path ending in `/`
    /// or naming a directory gets the target's file name inside it.
    pub(crate) fn symlink(&mut self, target: &str, link: &str) -> Result<(), BuildError> {
        let target = self.macros.expand(target)?;
        let link = self.macros.expand(link)?;
        let base = target
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut text = if link.ends_with('/') {
            join_text(&link, &base)
        } else {
            link.clone()
        };
        if names_dir(&self.destdir, &text, true, &[])? {
            text = join_text(&text, &base);
        }
        let resolved = self.destdir.resolve_installed(&text, false)?;
        if resolved.components.is_empty() || base.is_empty() && link.ends_with('/') {
            return Err(BuildError::NotFound { path: link });
        }
        self.destdir.create_parents(&resolved)?;
        clear_for_link(&resolved.path)?;
        symlink(&target, &resolved.path).map_err(BuildError::io("create symlink", &resolved.path))
    }

    /// `Remove`: deletes paths (globs allowed) from the destdir; a pattern
    /// that matches nothing is noted in the build log.
    pub(crate) fn remove(&mut self, paths: &[String], recursive: bool) -> Result<(), BuildError> {
        for pattern in paths {
            let pattern = self.macros.expand(pattern)?;
            let found = self.destdir.glob(&pattern)?;
            if found.is_empty() {
                self.log_line(&format!("Remove: '{pattern}' matches nothing"))?;
            }
            for (text, resolved) in found {
                let metadata = fs::symlink_metadata(&resolved.path)
                    .map_err(BuildError::io("inspect", &resolved.path))?;
                if !metadata.is_dir() {
                    fs::remove_file(&resolved.path)
                        .map_err(BuildError::io("remove", &resolved.path))?;
                } else if recursive {
                    fs::remove_dir_all(&resolved.path)
                        .map_err(BuildError::io("remove", &resolved.path))?;
                } else {
                    fs::remove_dir(&resolved.path).map_err(|error| {
                        if error.kind() == io::ErrorKind::DirectoryNotEmpty {
                            BuildError::DirectoryNotEmpty { path: text.clone() }
                        } else {
                            BuildError::io("remove", &resolved.path)(error)
                        }
                    })?;
                }
            }
        }
        Ok(())
    }

    /// `SetModes`: sets permission bits of destdir paths (globs allowed);
    /// symlinks are left alone (their mode means nothing).
    pub(crate) fn set_modes(&mut self, paths: &[String], mode: u32) -> Result<(), BuildError> {
        for pattern in paths {
            let pattern = self.macros.expand(pattern)?;
            let found = self.destdir.glob(&pattern)?;
            if found.is_empty() {
                return Err(BuildError::NoMatch { pattern });
            }
            for (_, resolved) in found {
                let metadata = fs::symlink_metadata(&resolved.path)
                    .map_err(BuildError::io("inspect", &resolved.path))?;
                if metadata.file_type().is_symlink() {
                    continue;
                }
                fs::set_permissions(&resolved.path, fs::Permissions::from_mode(mode))
                    .map_err(BuildError::io("set permissions of", &resolved.path))?;
            }
        }
        Ok(())
    }
}

/// Copies the build-directory tree at `from` (components below the build
/// directory) to the destdir directory `to`: directories 0o755, files with
/// `mode` (or the default rule), symlinks as they are.
fn copy_tree(
    builddir: &Tree,
    from: &[OsString],
    destdir: &Tree,
    to: &str,
    mode: Option<u32>,
) -> Result<(), BuildError> {
    let source_dir = builddir.join(from);
    let mut entries: Vec<_> = fs::read_dir(&source_dir)
        .map_err(BuildError::io("list", &source_dir))?
        .collect::<Result<_, _>>()
        .map_err(BuildError::io("list", &source_dir))?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name_text) = name.to_str() else {
            return Err(BuildError::Io {
                action: "install",
                path: entry.path(),
                source: io::Error::new(io::ErrorKind::InvalidData, "the file name is not UTF-8"),
            });
        };
        let target_text = join_text(to, name_text);
        let target = destdir.resolve_installed(&target_text, false)?;
        let metadata =
            fs::symlink_metadata(entry.path()).map_err(BuildError::io("inspect", entry.path()))?;
        let mut inner = from.to_vec();
        inner.push(name.clone());
        if metadata.file_type().is_symlink() {
            let link_target = fs::read_link(entry.path())
                .map_err(BuildError::io("read symlink", entry.path()))?;
            destdir.create_parents(&target)?;
            clear_for_link(&target.path)?;
            symlink(&link_target, &target.path)
                .map_err(BuildError::io("create symlink", &target.path))?;
        } else if metadata.is_dir() {
            let followed = destdir.resolve_installed(&target_text, true)?;
            create_dirs(&followed.path)?;
            copy_tree(builddir, &inner, destdir, &target_text, mode)?;
        } else if !metadata.is_file() {
            return Err(BuildError::SpecialFile {
                path: entry.path().to_string_lossy().into_owned(),
            });
        } else {
            destdir.create_parents(&target)?;
            let file_mode = mode.unwrap_or_else(|| default_mode(metadata.permissions().mode()));
            let mut file =
                File::open(entry.path()).map_err(BuildError::io("open", entry.path()))?;
            write_file(&target.path, &mut file, file_mode)?;
        }
    }
    Ok(())
}
