//! An imported package as an absolute changeset, and the sinks as content
//! sources to write it with.

use std::io::{self, Read};

use conary_changeset::{ChangeSet, ChangeSetBuilder, ChangeSetError, ContentSource, NoContents};
use conary_core::digest::Digest;

use super::package::ImportedPackage;
use super::sink::{MemorySink, StoreSink};

impl ImportedPackage {
    /// The absolute changeset that installs this package: the package
    /// trove (the primary trove) and every component, the stream of every
    /// file and the whole contents of every regular file. `contents` is
    /// where the builder may read contents from (the sink the import used);
    /// write the changeset with the same source, e.g.
    /// `conary_changeset::write_changeset(out, &changeset, &sink)`.
    ///
    /// ```rust,no_run
    /// use conary_build::import::{ImportOptions, MemorySink, import_deb};
    /// let file = std::io::BufReader::new(std::fs::File::open("curl_7.88.1-10+deb12u15_amd64.deb")?);
    /// let mut sink = MemorySink::new();
    /// let imported = import_deb(file, &"deb.example.com@debian:12".parse()?, &ImportOptions::default(), &mut sink)?;
    /// let changeset = imported.to_changeset(&sink)?;
    /// let bytes = conary_changeset::write_changeset(Vec::new(), &changeset, &sink)?;
    /// assert!(changeset.is_absolute() && !bytes.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_changeset(&self, contents: &dyn ContentSource) -> Result<ChangeSet, ChangeSetError> {
        let streams = self.streams();
        let mut builder = ChangeSetBuilder::new();
        for trove in self.troves() {
            builder.add_absolute(trove.clone(), &streams)?;
        }
        builder.add_primary(self.tuple());
        builder.build(&NoContents, contents)
    }
}

impl ContentSource for MemorySink {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        Ok(self
            .get(digest)
            .map(|bytes| Box::new(bytes) as Box<dyn Read + '_>))
    }
}

impl ContentSource for StoreSink<'_> {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        let name = conary_store::Digest::from_bytes(*digest.as_bytes());
        if !self.store().contains(&name).map_err(io::Error::other)? {
            return Ok(None);
        }
        let reader = self.store().get(&name).map_err(io::Error::other)?;
        Ok(Some(Box::new(reader)))
    }
}
