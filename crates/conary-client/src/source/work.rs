//! The work area of one changeset request: a temporary directory holding
//! the changesets received (spooled) and the contents downloaded or
//! decoded, each under its digest and only once verified.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use conary_changeset::ContentSource;
use conary_core::digest::Digest;

use crate::error::{ClientError, chain};
use crate::parallel::{BlobSink, BlobWriter, DirectorySink};

/// An error of the work area.
pub(crate) fn local(action: impl Into<String>, error: &dyn std::error::Error) -> ClientError {
    ClientError::Local {
        action: action.into(),
        reason: chain(error),
    }
}

/// A temporary directory for one request, removed when dropped.
pub(crate) struct WorkArea {
    dir: tempfile::TempDir,
    contents: ContentsDir,
}

impl WorkArea {
    /// A new area under `parent` (the system's temporary directory when
    /// `None`).
    pub(crate) fn new(parent: Option<&Path>) -> Result<WorkArea, ClientError> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("conary-changeset-");
        let dir = match parent {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        }
        .map_err(|error| local("create a temporary directory", &error))?;
        let contents = dir.path().join("contents");
        std::fs::create_dir(&contents)
            .map_err(|error| local(format!("create {}", contents.display()), &error))?;
        Ok(WorkArea {
            contents: ContentsDir::new(contents),
            dir,
        })
    }

    /// The verified contents kept so far.
    pub(crate) fn contents(&self) -> &ContentsDir {
        &self.contents
    }

    /// A new file to spool a changeset into, removed when dropped.
    pub(crate) fn spool(&self) -> Result<tempfile::NamedTempFile, ClientError> {
        tempfile::Builder::new()
            .prefix("part-")
            .suffix(".ccs")
            .tempfile_in(self.dir.path())
            .map_err(|error| {
                local(
                    format!("create a file in {}", self.dir.path().display()),
                    &error,
                )
            })
    }
}

/// Contents by digest in a directory: a [`BlobSink`] for downloads and
/// decoded payloads (each committed only once verified), and a
/// [`ContentSource`] for the changeset writer.
pub(crate) struct ContentsDir {
    sink: DirectorySink,
}

impl ContentsDir {
    fn new(dir: PathBuf) -> ContentsDir {
        ContentsDir {
            sink: DirectorySink::new(dir),
        }
    }

    /// Whether the contents `digest` are here.
    pub(crate) fn contains(&self, digest: &Digest) -> bool {
        self.sink.path_of(digest).is_file()
    }

    /// Keeps the contents `digest` that `fill` writes, once it returns
    /// `Ok` (it verifies them).
    pub(crate) fn keep<E>(
        &self,
        digest: &Digest,
        fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
    ) -> Result<Result<(), E>, ClientError> {
        let action = || format!("keep contents {digest}");
        let mut writer = self
            .sink
            .create(digest)
            .map_err(|error| local(action(), &error))?;
        if let Err(error) = fill(&mut writer) {
            return Ok(Err(error));
        }
        writer.commit().map_err(|error| local(action(), &error))?;
        Ok(Ok(()))
    }
}

impl BlobSink for ContentsDir {
    fn create(&self, digest: &Digest) -> io::Result<Box<dyn BlobWriter + '_>> {
        self.sink.create(digest)
    }
}

impl ContentSource for ContentsDir {
    fn open(&self, digest: &Digest) -> io::Result<Option<Box<dyn Read + '_>>> {
        match File::open(self.sink.path_of(digest)) {
            Ok(file) => Ok(Some(Box::new(BufReader::new(file)))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Copies what is read from an answer into a spool file, and remembers a
/// failure of either, so that a broken connection (worth another try) is
/// told apart from a changeset the reader refuses.
pub(crate) struct Tee<'a, R> {
    inner: R,
    copy: &'a mut dyn Write,
    /// The first failure of the connection or the spool file.
    pub(crate) failure: Option<(Side, String)>,
}

/// Which side of a [`Tee`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// Reading the answer.
    Network,
    /// Writing the spool file.
    Spool,
}

impl<'a, R: Read> Tee<'a, R> {
    pub(crate) fn new(inner: R, copy: &'a mut dyn Write) -> Self {
        Tee {
            inner,
            copy,
            failure: None,
        }
    }
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = match self.inner.read(buf) {
            Ok(count) => count,
            Err(error) => {
                if error.kind() != io::ErrorKind::Interrupted {
                    self.failure.get_or_insert((Side::Network, chain(&error)));
                }
                return Err(error);
            }
        };
        let data = buf.get(..count).unwrap_or_default();
        if let Err(error) = self.copy.write_all(data) {
            self.failure.get_or_insert((Side::Spool, chain(&error)));
            return Err(error);
        }
        Ok(count)
    }
}

/// Remembers what is read through it (the index of a changeset to commit,
/// read to find its repository, then sent again).
pub(crate) struct Recorder<R> {
    pub(crate) inner: R,
    pub(crate) seen: Vec<u8>,
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        self.seen
            .extend_from_slice(buf.get(..count).unwrap_or_default());
        Ok(count)
    }
}

/// Counts the bytes written through it.
pub(crate) struct Counting<'a> {
    pub(crate) inner: &'a mut dyn Write,
    pub(crate) count: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.count = self.count.saturating_add(written as u64);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_are_kept_only_when_filled() {
        let area = WorkArea::new(None).expect("work area");
        let digest = Digest::of(b"kept");
        let kept: Result<(), io::Error> = area
            .contents()
            .keep(&digest, |writer| writer.write_all(b"kept"))
            .expect("local");
        kept.expect("filled");
        assert!(area.contents().contains(&digest));
        let mut text = String::new();
        area.contents()
            .open(&digest)
            .expect("open")
            .expect("present")
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "kept");
        let other = Digest::of(b"dropped");
        let dropped = area
            .contents()
            .keep(&other, |writer| {
                writer.write_all(b"drop")?;
                Err::<(), _>(io::Error::other("corrupt"))
            })
            .expect("local");
        assert!(dropped.is_err());
        assert!(!area.contents().contains(&other));
        assert!(area.contents().open(&other).expect("open").is_none());
    }

    #[test]
    fn tee_copies_and_names_the_failing_side() {
        let mut copy = Vec::new();
        let mut tee = Tee::new(&b"abc"[..], &mut copy);
        let mut read = Vec::new();
        tee.read_to_end(&mut read).expect("read");
        assert!(tee.failure.is_none());
        assert_eq!(
            (read.as_slice(), copy.as_slice()),
            (&b"abc"[..], &b"abc"[..])
        );

        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("connection reset"))
            }
        }
        let mut copy = Vec::new();
        let mut tee = Tee::new(Broken, &mut copy);
        assert!(tee.read(&mut [0u8; 4]).is_err());
        assert_eq!(
            tee.failure,
            Some((Side::Network, "connection reset".to_string()))
        );
    }
}
