//! `conary verify`: what on disk differs from what the database says was
//! installed (contents, type, mode, owner, group, symlink target, missing).

use std::fmt;

use conary_core::files::{FileKind, FileStream};
use conary_core::trove::TroveTuple;
use conary_util::safe_join;

use crate::apply::attrs::Ids;
use crate::apply::disk::disk_stream;
use crate::db::Database;
use crate::error::SystemError;

/// One way a file differs from its pristine stream.
///
/// ```rust
/// use conary_system::verify::Problem;
/// assert_eq!(Problem::Mode { expected: 0o755, found: 0o700 }.to_string(), "mode 0700, expected 0755");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing is there.
    Missing,
    /// Something of another type is there.
    Type {
        /// The installed type (`regular`, `symlink`, …).
        expected: String,
        /// What is there.
        found: String,
    },
    /// The contents differ.
    Contents,
    /// The permission bits differ.
    Mode {
        /// The installed mode.
        expected: u32,
        /// The mode on disk.
        found: u32,
    },
    /// The owner differs.
    Owner {
        /// The installed owner.
        expected: String,
        /// The owner on disk.
        found: String,
    },
    /// The group differs.
    Group {
        /// The installed group.
        expected: String,
        /// The group on disk.
        found: String,
    },
    /// A symlink points elsewhere.
    Target {
        /// The installed target.
        expected: String,
        /// The target on disk.
        found: String,
    },
    /// A device has other numbers.
    Device,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("missing"),
            Problem::Type { expected, found } => write!(f, "type {found}, expected {expected}"),
            Problem::Contents => f.write_str("contents changed"),
            Problem::Mode { expected, found } => {
                write!(f, "mode {found:04o}, expected {expected:04o}")
            }
            Problem::Owner { expected, found } => write!(f, "owner {found}, expected {expected}"),
            Problem::Group { expected, found } => write!(f, "group {found}, expected {expected}"),
            Problem::Target { expected, found } => write!(f, "target {found}, expected {expected}"),
            Problem::Device => f.write_str("device numbers changed"),
        }
    }
}

/// A file that differs, with every difference.
///
/// ```rust
/// use conary_system::verify::{Problem, VerifyEntry};
/// let entry = VerifyEntry {
///     trove: "foo:runtime=/conary.example.com@rpl:2/1.0-1-1[]".parse().expect("tuple"),
///     path: "/usr/bin/foo".into(),
///     problems: vec![Problem::Contents],
/// };
/// assert_eq!(entry.to_string(), "/usr/bin/foo: contents changed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyEntry {
    /// The trove that owns the file.
    pub trove: TroveTuple,
    /// The path.
    pub path: String,
    /// What differs.
    pub problems: Vec<Problem>,
}

impl fmt::Display for VerifyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path)?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Knobs of [`verify`].
///
/// ```rust
/// assert!(!conary_system::verify::VerifyOptions::default().owners);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Compare owners and groups (meaningful when installed as root).
    pub owners: bool,
}

/// The differences between `installed` and `on_disk` (`None`: missing).
pub fn compare(
    installed: &FileStream,
    on_disk: Option<&FileStream>,
    options: VerifyOptions,
) -> Vec<Problem> {
    let Some(on_disk) = on_disk else {
        return vec![Problem::Missing];
    };
    if installed.file_type() != on_disk.file_type() {
        return vec![Problem::Type {
            expected: installed.file_type().to_string(),
            found: on_disk.file_type().to_string(),
        }];
    }
    let mut problems = Vec::new();
    match (&installed.kind, &on_disk.kind) {
        (FileKind::Regular { digest, .. }, FileKind::Regular { digest: found, .. })
            if digest != found =>
        {
            problems.push(Problem::Contents);
        }
        (FileKind::Symlink { target }, FileKind::Symlink { target: found }) if target != found => {
            problems.push(Problem::Target {
                expected: target.clone(),
                found: found.clone(),
            });
        }
        _ if installed.device() != on_disk.device() => problems.push(Problem::Device),
        _ => {}
    }
    if installed.symlink_target().is_none() && installed.mode != on_disk.mode {
        problems.push(Problem::Mode {
            expected: u32::from(installed.mode.bits()),
            found: u32::from(on_disk.mode.bits()),
        });
    }
    if options.owners {
        if installed.owner != on_disk.owner {
            problems.push(Problem::Owner {
                expected: installed.owner.clone(),
                found: on_disk.owner.clone(),
            });
        }
        if installed.group != on_disk.group {
            problems.push(Problem::Group {
                expected: installed.group.clone(),
                found: on_disk.group.clone(),
            });
        }
    }
    problems
}

/// Compares every present file of `troves` (all installed troves when
/// `None`) with the disk; returns the files that differ, by path.
pub fn verify(
    db: &Database,
    troves: Option<&[TroveTuple]>,
    options: VerifyOptions,
) -> Result<Vec<VerifyEntry>, SystemError> {
    let files = match troves {
        Some(troves) => {
            let mut files = Vec::new();
            for trove in troves {
                files.extend(db.files(trove)?);
            }
            files
        }
        None => db.all_files()?,
    };
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let ids = Ids::load(db.root())?;
    let mut entries = Vec::new();
    for file in files.into_iter().filter(|file| file.is_present) {
        let relative = file.path.strip_prefix('/').unwrap_or(&file.path);
        let full = safe_join(db.root(), relative)?;
        let on_disk = disk_stream(&full, &ids)?;
        let problems = compare(&file.stream, on_disk.as_ref(), options);
        if !problems.is_empty() {
            entries.push(VerifyEntry {
                trove: file.trove,
                path: file.path,
                problems,
            });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.trove.cmp(&b.trove)));
    Ok(entries)
}
