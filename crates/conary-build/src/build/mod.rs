//! The build executor: runs a recipe's [`Action`]s in a fresh build
//! directory, installing into a separate destdir.
//!
//! Start with [`run_actions`]. Strings of an action are expanded with
//! [`Macros`] first; source files come from a [`SourceFiles`] (never from
//! the network); commands run in a clean environment (see
//! [`BUILD_PATH`] and [`run_actions`]) and their output goes to the build
//! log; every path in the destdir is resolved without leaving it (a `..`
//! that climbs out, or a symlink that leads out, is refused; an absolute
//! symlink target in the destdir is read as a path of the installed
//! system). An error names the recipe location and
//! the action: `hello.recipe:9:5: Make failed (exit status 2); see the
//! build log`.
//!
//! ```rust
//! use conary_build::build::{BuildDirs, DirSources, Macros, run_actions};
//! use conary_build::recipe::model::{Action, Located, Location};
//! let (build, dest, src) = (tempfile::tempdir()?, tempfile::tempdir()?, tempfile::tempdir()?);
//! let at = Location { file: "hello.recipe".into(), line: 3, column: 5 };
//! let actions = vec![Located {
//!     at,
//!     item: Action::Create { path: "%(bindir)s/hello".into(), contents: "#!/bin/sh\n".into(), mode: 0o755 },
//! }];
//! let macros = Macros::defaults("hello", "1.0", dest.path(), build.path(), "");
//! let sources = DirSources { dir: src.path().into(), cache: None };
//! let dirs = BuildDirs { builddir: build.path().into(), destdir: dest.path().into() };
//! let mut log = Vec::new();
//! run_actions(&actions, &macros, &sources, &dirs, &mut log)?;
//! assert!(dest.path().join("usr/bin/hello").is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod archive;
mod command;
mod error;
mod files;
mod macros;
mod paths;
mod sources;

#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

pub use command::BUILD_PATH;
pub use error::BuildError;
pub use macros::{MAX_MACRO_DEPTH, MacroError, Macros};
pub use sources::{DirSources, SourceFiles, file_name_of, is_url};

use crate::build::archive::Compression;
use crate::build::command::{BuildEnv, describe_status, shell_quote};
use crate::build::paths::{Tree, TreeKind};
use crate::recipe::model::{Action, Located};

/// The two directories of a build. Both must exist and be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildDirs {
    /// Where sources are unpacked and commands run.
    pub builddir: PathBuf,
    /// Where files are installed, as if it were `/`.
    pub destdir: PathBuf,
}

/// The name a recipe uses for an action (`addArchive`, `Make`), for messages.
pub fn action_name(action: &Action) -> &'static str {
    match action {
        Action::AddArchive { .. } => "addArchive",
        Action::AddSource { .. } => "addSource",
        Action::AddPatch { .. } => "addPatch",
        Action::Configure { .. } => "Configure",
        Action::Make { .. } => "Make",
        Action::MakeInstall { .. } => "MakeInstall",
        Action::Run { .. } => "Run",
        Action::Install { .. } => "Install",
        Action::Create { .. } => "Create",
        Action::Symlink { .. } => "Symlink",
        Action::Remove { .. } => "Remove",
        Action::SetModes { .. } => "SetModes",
        Action::Environment { .. } => "Environment",
    }
}

/// Runs `actions` in order, in `dirs.builddir`, installing into
/// `dirs.destdir`.
///
/// Commands (`Configure`, `Make`, `MakeInstall`, `Run`, and `patch` for
/// `addPatch`) run with `sh -c` in the working directory with a clean
/// environment: `PATH=/usr/local/bin:/usr/bin:/bin`, `HOME` = the build
/// directory, `LANG=C`, `LC_ALL=C`, `TZ=UTC`, `SOURCE_DATE_EPOCH=0`,
/// `DESTDIR`, `CC`/`CXX`/`CFLAGS`/`CXXFLAGS`/`LDFLAGS` from the macros,
/// plus the variables set by `Environment` so far; stdin is `/dev/null`.
/// Their output (stdout and stderr, interleaved) is copied to `log`, after
/// a `+ COMMAND` line.
///
/// The working directory starts as the build directory; the first
/// `addArchive` (without `dir`) whose archive holds a single top-level
/// directory makes that directory the working directory.
pub fn run_actions(
    actions: &[Located<Action>],
    macros: &Macros,
    sources: &dyn SourceFiles,
    dirs: &BuildDirs,
    log: &mut dyn Write,
) -> Result<(), BuildError> {
    check_empty("destdir", &dirs.destdir)?;
    run_actions_over(actions, macros, sources, dirs, log)
}

/// [`run_actions`] over a destdir that already holds files (a derived
/// package's: its parent's files, which the actions modify); the build
/// directory must still be empty.
pub fn run_actions_over(
    actions: &[Located<Action>],
    macros: &Macros,
    sources: &dyn SourceFiles,
    dirs: &BuildDirs,
    log: &mut dyn Write,
) -> Result<(), BuildError> {
    check_empty("build directory", &dirs.builddir)?;
    let mut executor = Executor {
        macros,
        sources,
        builddir: Tree::new(&dirs.builddir, TreeKind::BuildDir)?,
        destdir: Tree::new(&dirs.destdir, TreeKind::Destdir)?,
        workdir: Vec::new(),
        workdir_from_archive: false,
        env: BuildEnv::new(macros, &dirs.builddir, &dirs.destdir)?,
        log,
    };
    for located in actions {
        let action = action_name(&located.item);
        match executor.run(&located.item) {
            Ok(None) => {}
            Ok(Some(status)) => {
                return Err(BuildError::CommandFailed {
                    at: located.at.clone(),
                    action,
                    status: describe_status(status),
                });
            }
            Err(problem) => {
                return Err(BuildError::Action {
                    at: located.at.clone(),
                    action,
                    problem: Box::new(problem),
                });
            }
        }
    }
    Ok(())
}

fn check_empty(what: &'static str, path: &Path) -> Result<(), BuildError> {
    let mut entries = fs::read_dir(path).map_err(|_| BuildError::Dirs {
        what,
        path: path.to_path_buf(),
        problem: "does not exist or is not a directory",
    })?;
    if entries.next().is_some() {
        return Err(BuildError::Dirs {
            what,
            path: path.to_path_buf(),
            problem: "is not empty",
        });
    }
    Ok(())
}

/// The state of a build between actions.
pub(crate) struct Executor<'a> {
    pub(crate) macros: &'a Macros,
    pub(crate) sources: &'a dyn SourceFiles,
    pub(crate) builddir: Tree,
    pub(crate) destdir: Tree,
    /// The working directory, as components below the build directory.
    pub(crate) workdir: Vec<OsString>,
    workdir_from_archive: bool,
    env: BuildEnv,
    pub(crate) log: &'a mut dyn Write,
}

impl Executor<'_> {
    /// Runs one action: `Some(status)` when its command failed.
    fn run(&mut self, action: &Action) -> Result<Option<ExitStatus>, BuildError> {
        match action {
            Action::AddArchive { name, dir } => {
                self.add_archive(name, dir.as_deref()).map(|()| None)
            }
            Action::AddSource {
                name,
                dest,
                mode,
                macros,
            } => self
                .add_source(name, dest.as_deref(), *mode, *macros)
                .map(|()| None),
            Action::AddPatch { name, level } => self.add_patch(name, *level),
            Action::Configure { args } => {
                let line = format!(
                    "./configure --prefix={} --sysconfdir={} --libdir={} {}",
                    self.quoted("%(prefix)s")?,
                    self.quoted("%(sysconfdir)s")?,
                    self.quoted("%(libdir)s")?,
                    self.macros.expand(args)?
                );
                self.shell(line.trim_end(), None)
            }
            Action::Make { args } => {
                let line = format!("make {}", self.macros.expand(args)?);
                self.shell(line.trim_end(), None)
            }
            Action::MakeInstall { args } => {
                let line = format!(
                    "make install DESTDIR={} {}",
                    self.quoted("%(destdir)s")?,
                    self.macros.expand(args)?
                );
                self.shell(line.trim_end(), None)
            }
            Action::Run { command, dir } => {
                let command = self.macros.expand(command)?;
                let dir = dir.as_deref().map(|d| self.macros.expand(d)).transpose()?;
                self.shell(&command, dir.as_deref())
            }
            Action::Install { from, to, mode } => self.install(from, to, *mode).map(|()| None),
            Action::Create {
                path,
                contents,
                mode,
            } => self.create(path, contents, *mode).map(|()| None),
            Action::Symlink { target, link } => self.symlink(target, link).map(|()| None),
            Action::Remove { paths, recursive } => self.remove(paths, *recursive).map(|()| None),
            Action::SetModes { paths, mode } => self.set_modes(paths, *mode).map(|()| None),
            Action::Environment { name, value } => {
                let value = self.macros.expand(value)?;
                self.env.set(name, &value).map(|()| None)
            }
        }
    }

    fn quoted(&self, text: &str) -> Result<String, BuildError> {
        Ok(shell_quote(&self.macros.expand(text)?))
    }

    /// The working directory as a path.
    pub(crate) fn workdir_path(&self) -> PathBuf {
        self.builddir.join(&self.workdir)
    }

    /// Writes a line to the build log.
    pub(crate) fn log_line(&mut self, line: &str) -> Result<(), BuildError> {
        writeln!(self.log, "{line}").map_err(|source| BuildError::Log { source })
    }

    /// Runs `sh -c LINE` in the working directory (or `dir` below it).
    fn shell(&mut self, line: &str, dir: Option<&str>) -> Result<Option<ExitStatus>, BuildError> {
        let directory = match dir {
            Some(dir) => {
                let resolved = self.builddir.resolve_relative(&self.workdir, dir, true)?;
                if !resolved.path.is_dir() {
                    return Err(BuildError::NotFound {
                        path: dir.to_owned(),
                    });
                }
                resolved.path
            }
            None => self.workdir_path(),
        };
        self.log_line(&format!("+ {line}"))?;
        let status = self
            .env
            .run("sh", &["-c", line], &directory, None, &mut *self.log)?;
        Ok((!status.success()).then_some(status))
    }

    fn add_archive(&mut self, name: &str, dir: Option<&str>) -> Result<(), BuildError> {
        let name = self.macros.expand(name)?;
        let local = self.sources.path_of(&name)?;
        let file = file_name_of(&name);
        if !archive::is_archive(file) {
            return Err(BuildError::ArchiveKind { name: name.clone() });
        }
        let into = match dir {
            Some(dir) => {
                let dir = self.macros.expand(dir)?;
                self.builddir.resolve_relative(&[], &dir, true)?.components
            }
            None => Vec::new(),
        };
        self.log_line(&format!("+ unpack {name}"))?;
        let unpacked = archive::unpack(file, &local, &self.builddir, &into)?;
        if dir.is_none() && !self.workdir_from_archive && unpacked.top_level.len() == 1 {
            let mut main = into;
            main.extend(unpacked.top_level);
            if fs::symlink_metadata(self.builddir.join(&main)).is_ok_and(|m| m.is_dir()) {
                self.workdir = main;
                self.workdir_from_archive = true;
            }
        }
        Ok(())
    }

    fn add_patch(&mut self, name: &str, level: u32) -> Result<Option<ExitStatus>, BuildError> {
        let name = self.macros.expand(name)?;
        let local = self.sources.path_of(&name)?;
        let level = format!("-p{level}");
        let input_path = local.to_string_lossy().into_owned();
        let compression = Compression::of(file_name_of(&name)).0;
        // A compressed patch is fed to patch's stdin, decompressed.
        let input = match compression {
            Compression::None => None,
            _ => {
                let mut bytes = Vec::new();
                compression
                    .open(&name, &local)?
                    .read_to_end(&mut bytes)
                    .map_err(|source| BuildError::Archive {
                        archive: name.clone(),
                        source,
                    })?;
                Some(bytes)
            }
        };
        let mut args = vec![level.as_str()];
        if input.is_none() {
            args.extend(["-i", input_path.as_str()]);
        }
        args.extend(["--batch", "--forward"]);
        self.log_line(&format!("+ patch {} ({name})", args.join(" ")))?;
        let workdir = self.workdir_path();
        let status = self
            .env
            .run("patch", &args, &workdir, input.as_deref(), &mut *self.log)?;
        Ok((!status.success()).then_some(status))
    }
}
