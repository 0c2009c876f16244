//! One trove at a time: manifests, details, file lists, and which troves
//! hold a path.
//!
//! A trove marked removed keeps its row and history, but is served as a
//! stub: a manifest of type `removed` with nothing in it, and no files.
//!
//! Where contents live: a file's contents are held by the repository of
//! its *file version*'s host ([`contents_host`]). A shadow or branch
//! committed by reference to server B keeps the file versions of the
//! unchanged files it took from server A, so their contents are fetched
//! from A; B holds the contents of the files that changed on B.

use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::FileStream;
use conary_core::trove::{FileRef, Trove, TroveTuple, TroveType};
use conary_core::version::{Timestamp, Version};
use rusqlite::{Connection, OptionalExtension as _, params};

use crate::access::{Action, Identity};
use crate::error::RepositoryError;
use crate::query::{INSTANCE_JOINS, tuple_from_row};
use crate::record::decode_stored;
use crate::repo::Repository;
use crate::stamp::thaw;

/// The host of the repository that holds the contents of `file`: the host
/// of its file version.
///
/// ```rust
/// use conary_core::digest::FileId;
/// use conary_core::trove::FileRef;
/// use conary_core::version::Version;
/// let version = Version::thaw("/a.example.com@rpl:2/1700000000.000:1.0-1-1").expect("version");
/// let file = FileRef::new("/etc/motd", FileId::from_bytes([0; 32]), version);
/// assert_eq!(conary_repository::contents_host(&file), "a.example.com");
/// ```
pub fn contents_host(file: &FileRef) -> &str {
    file.file_version.host()
}

/// A stored trove as [`Repository::trove_details`] describes it.
///
/// ```rust
/// use conary_core::trove::{Trove, TroveType};
/// use conary_core::version::{Timestamp, Version};
/// let version = Version::thaw("/a.example.com@rpl:2/1700000000.000:1.0-1-1").expect("version");
/// let trove = Trove::new("foo".parse().expect("name"), version, Default::default());
/// let details = conary_repository::TroveDetails {
///     tuple: trove.tuple(), trove_type: TroveType::Normal, removed: false, digest: trove.digest(),
///     committed_at: Timestamp::from_millis(1_700_000_000_000), committed_by: "user alice".into(), trove,
/// };
/// assert_eq!(details.committed_at.to_string(), "1700000000.000");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TroveDetails {
    /// Name, version (with timestamps) and flavor.
    pub tuple: TroveTuple,
    /// The type it was committed with.
    pub trove_type: TroveType,
    /// Whether an admin marked it removed.
    pub removed: bool,
    /// The digest of its canonical encoding as committed.
    pub digest: Digest,
    /// When the commit that brought it happened (wall clock).
    pub committed_at: Timestamp,
    /// Who committed it (`user alice`).
    pub committed_by: String,
    /// The manifest as served: a `removed` stub once marked removed.
    pub trove: Trove,
}

/// One file of a trove, as [`Repository::files`] lists it.
///
/// ```rust
/// use conary_core::digest::{Digest, PathId};
/// use conary_core::files::{FileKind, FileStream, Mode};
/// use conary_core::version::Version;
/// let kind = FileKind::Regular { size: 3, digest: Digest::of(b"hi\n"), link_group: None };
/// let stream = FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root");
/// let file_version = Version::thaw("/a.example.com@rpl:2/1700000000.000:1.0-1-1").expect("version");
/// let entry = conary_repository::FileEntry {
///     path_id: PathId::derive(b"/etc/motd"), path: "/etc/motd".into(), file_id: stream.file_id(),
///     contents_host: file_version.host().to_owned(), file_version, stream,
/// };
/// assert_eq!(entry.contents_host, "a.example.com");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// The file's slot.
    pub path_id: PathId,
    /// Where it is installed.
    pub path: String,
    /// The identity of its stream.
    pub file_id: FileId,
    /// The version its fileId first appeared in, with timestamps.
    pub file_version: Version,
    /// Its metadata.
    pub stream: FileStream,
    /// The host of the repository that holds its contents (the host of
    /// the file version).
    pub contents_host: String,
}

/// A stored instance, as the lookups here read it.
pub(crate) struct Instance {
    pub(crate) id: i64,
    pub(crate) tuple: TroveTuple,
    pub(crate) label: String,
    pub(crate) removed: bool,
    pub(crate) trove_type: i64,
    pub(crate) encoding: Vec<u8>,
    pub(crate) digest: Vec<u8>,
    pub(crate) committed_at: i64,
    pub(crate) committed_by: String,
}

impl Instance {
    /// The manifest as served: the stored one, or a stub once removed.
    pub(crate) fn served(&self) -> Result<Trove, RepositoryError> {
        if self.removed {
            let mut stub = Trove::new(
                self.tuple.name.clone(),
                self.tuple.version.clone(),
                self.tuple.flavor.clone(),
            );
            stub.trove_type = TroveType::Removed;
            return Ok(stub);
        }
        decode_stored(&self.encoding)
    }
}

/// Finds trove `tuple` (by name, plain version and flavor).
pub(crate) fn find_instance(
    connection: &Connection,
    tuple: &TroveTuple,
) -> Result<Option<Instance>, RepositoryError> {
    let sql = format!(
        "SELECT i.id, t.name, i.frozen, f.flavor, l.label, i.removed, i.trove_type, i.trove,
                i.digest, c.committed_at, c.subject
         {INSTANCE_JOINS} JOIN commits c ON c.id = i.commit_id
         WHERE t.name = ?1 AND i.version = ?2 AND f.flavor = ?3"
    );
    let row = connection
        .prepare_cached(&sql)
        .and_then(|mut statement| {
            statement
                .query_row(
                    params![
                        tuple.name.as_str(),
                        tuple.version.to_string(),
                        tuple.flavor.to_string()
                    ],
                    |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, String>(4)?,
                            row.get::<_, bool>(5)?,
                            row.get::<_, i64>(6)?,
                            row.get::<_, Vec<u8>>(7)?,
                            row.get::<_, Vec<u8>>(8)?,
                            row.get::<_, i64>(9)?,
                            row.get::<_, String>(10)?,
                        ))
                    },
                )
                .optional()
        })
        .map_err(RepositoryError::database("looking up a trove"))?;
    let Some((id, name, frozen, flavor, label, removed, trove_type, encoding, digest, at, by)) =
        row
    else {
        return Ok(None);
    };
    Ok(Some(Instance {
        id,
        tuple: tuple_from_row(&name, &frozen, &flavor)?,
        label,
        removed,
        trove_type,
        encoding,
        digest,
        committed_at: at,
        committed_by: by,
    }))
}

impl Repository {
    /// Trove `tuple` when it is stored and `identity` may read it; else
    /// [`RepositoryError::TroveNotFound`] (the two are not told apart).
    pub(crate) fn readable_instance(
        &self,
        connection: &Connection,
        tuple: &TroveTuple,
        identity: &Identity,
    ) -> Result<Instance, RepositoryError> {
        match find_instance(connection, tuple)? {
            Some(instance)
                if identity.can(Action::Read, &instance.label, instance.tuple.name.as_str()) =>
            {
                Ok(instance)
            }
            _ => Err(RepositoryError::TroveNotFound {
                trove: tuple.to_string(),
            }),
        }
    }

    /// The manifests of `tuples`, in order, with timestamps; a trove marked
    /// removed comes as a `removed` stub. A trove that is missing or that
    /// `identity` may not read is [`RepositoryError::TroveNotFound`].
    pub fn manifests(
        &self,
        tuples: &[TroveTuple],
        identity: &Identity,
    ) -> Result<Vec<Trove>, RepositoryError> {
        let connection = self.connection();
        tuples
            .iter()
            .map(|tuple| {
                self.readable_instance(&connection, tuple, identity)?
                    .served()
            })
            .collect()
    }

    /// What is known about trove `tuple`.
    pub fn trove_details(
        &self,
        tuple: &TroveTuple,
        identity: &Identity,
    ) -> Result<TroveDetails, RepositoryError> {
        let instance = self.readable_instance(&self.connection(), tuple, identity)?;
        let digest: [u8; 32] = instance.digest.as_slice().try_into().map_err(|_| {
            RepositoryError::corrupt(format!("trove {tuple} has a digest of the wrong length"))
        })?;
        let trove_type = u64::try_from(instance.trove_type)
            .ok()
            .and_then(TroveType::from_number)
            .ok_or_else(|| {
                RepositoryError::corrupt(format!("trove {tuple} has an unknown type"))
            })?;
        Ok(TroveDetails {
            trove: instance.served()?,
            tuple: instance.tuple,
            trove_type,
            removed: instance.removed,
            digest: Digest::from_bytes(digest),
            committed_at: Timestamp::from_millis(u64::try_from(instance.committed_at).unwrap_or(0)),
            committed_by: instance.committed_by,
        })
    }

    /// The files of trove `tuple` in path order, with their streams and
    /// where their contents live; none once it is marked removed.
    pub fn files(
        &self,
        tuple: &TroveTuple,
        identity: &Identity,
    ) -> Result<Vec<FileEntry>, RepositoryError> {
        let action = "listing files";
        let connection = self.connection();
        let instance = self.readable_instance(&connection, tuple, identity)?;
        if instance.removed {
            return Ok(Vec::new());
        }
        let mut statement = connection
            .prepare_cached(
                "SELECT tf.path_id, tf.path, s.file_id, tf.file_version, s.stream
                 FROM trove_files tf JOIN file_streams s ON s.id = tf.stream_id
                 WHERE tf.instance_id = ?1 ORDER BY tf.path",
            )
            .map_err(RepositoryError::database(action))?;
        let rows = statement
            .query_map([instance.id], |row| {
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Vec<u8>>(4)?,
                ))
            })
            .map_err(RepositoryError::database(action))?;
        let mut files = Vec::new();
        for row in rows {
            let (path_id, path, file_id, file_version, stream) =
                row.map_err(RepositoryError::database(action))?;
            let corrupt = |what: &str| RepositoryError::corrupt(format!("{what} of '{path}'"));
            let path_id: [u8; 16] = path_id
                .as_slice()
                .try_into()
                .map_err(|_| corrupt("pathId"))?;
            let file_id: [u8; 32] = file_id
                .as_slice()
                .try_into()
                .map_err(|_| corrupt("fileId"))?;
            let stream = FileStream::decode(&stream).map_err(|_| corrupt("file stream"))?;
            let file_version = thaw(&file_version)?;
            files.push(FileEntry {
                path_id: PathId::from_bytes(path_id),
                contents_host: file_version.host().to_owned(),
                path,
                file_id: FileId::from_bytes(file_id),
                file_version,
                stream,
            });
        }
        Ok(files)
    }

    /// The troves that hold a file at `path` (marked-removed ones aside)
    /// that `identity` may read, ordered by name and commit time.
    pub fn troves_with_path(
        &self,
        path: &str,
        identity: &Identity,
    ) -> Result<Vec<TroveTuple>, RepositoryError> {
        let sql = format!(
            "SELECT t.name, i.frozen, f.flavor, l.label {INSTANCE_JOINS}
             JOIN trove_files tf ON tf.instance_id = i.id
             WHERE tf.path = ?1 AND i.removed = 0
             ORDER BY t.name, i.timestamp, f.flavor"
        );
        self.readable_tuples(
            &sql,
            vec![rusqlite::types::Value::Text(path.to_owned())],
            identity,
        )
    }
}
