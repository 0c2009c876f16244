//! Changeset files given to `conary update` (`--from-file`, or a path
//! among the specs): their troves for the planner, and their contents for
//! the executor.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use conary_changeset::{ChangeSet, ChangeSetReader};
use conary_core::trove::{Trove, TroveTuple};

/// A changeset file whose index was read and checked.
#[derive(Debug, Clone)]
pub struct FileChangeset {
    path: PathBuf,
    changeset: ChangeSet,
}

impl FileChangeset {
    /// Reads the index of the changeset at `path`; its payloads are checked
    /// as they are applied.
    pub fn read(path: &Path) -> anyhow::Result<FileChangeset> {
        let reader = open(path)?;
        Ok(FileChangeset {
            path: path.to_path_buf(),
            changeset: reader.changeset().clone(),
        })
    }

    /// Every trove it holds, whole.
    pub fn troves(&self) -> impl Iterator<Item = Trove> + '_ {
        self.changeset
            .troves
            .values()
            .map(|change| change.new.clone())
    }

    /// The troves it was made for (all of them when it names none).
    pub fn primary(&self) -> Vec<TroveTuple> {
        if self.changeset.primary.is_empty() {
            self.changeset.troves.keys().cloned().collect()
        } else {
            self.changeset.primary.iter().cloned().collect()
        }
    }

    /// True when it holds `tuple`.
    pub fn holds(&self, tuple: &TroveTuple) -> bool {
        self.changeset.troves.contains_key(tuple)
    }

    /// A reader at its start.
    pub fn reader(&self) -> anyhow::Result<ChangeSetReader<BufReader<File>>> {
        open(&self.path)
    }
}

fn open(path: &Path) -> anyhow::Result<ChangeSetReader<BufReader<File>>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    ChangeSetReader::new(BufReader::new(file))
        .with_context(|| format!("{} is not a valid changeset", path.display()))
}
