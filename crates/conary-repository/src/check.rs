//! What a commit must satisfy before anything of it is stored: the
//! committer may write every trove, every trove is on a label this
//! repository serves, every file has a stream and a safe path, and every
//! file's contents are carried, already stored, or held by another
//! repository (see [`crate::contents_host`]).

use std::collections::BTreeMap;

use conary_core::digest::{Digest, FileId};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveType};
use rusqlite::{Connection, OptionalExtension as _};

use crate::access::{Action, Identity};
use crate::error::RepositoryError;
use crate::record::check_not_conflicting;
use crate::repo::Repository;

/// The stream stored under `file_id`, if any.
pub(crate) fn stored_stream(
    connection: &Connection,
    file_id: &FileId,
) -> Result<Option<FileStream>, RepositoryError> {
    let bytes: Option<Vec<u8>> = connection
        .prepare_cached("SELECT stream FROM file_streams WHERE file_id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([file_id.as_bytes().as_slice()], |row| row.get(0))
                .optional()
        })
        .map_err(RepositoryError::database("looking up a file stream"))?;
    bytes
        .map(|bytes| {
            FileStream::decode(&bytes).map_err(|error| {
                RepositoryError::corrupt(format!("stored file stream {file_id}: {error}"))
            })
        })
        .transpose()
}

impl Repository {
    /// Refuses the commit unless `identity` may write every trove (checked
    /// first, so a refusal says nothing about the rest) and every trove is
    /// one this repository can take.
    pub(crate) fn check_troves(
        &self,
        troves: &[&Trove],
        identity: &Identity,
    ) -> Result<(), RepositoryError> {
        for trove in troves {
            let label = trove.version.trailing_label().to_string();
            if !identity.can(Action::Write, &label, trove.name.as_str()) {
                return Err(RepositoryError::Denied {
                    subject: identity.subject().to_string(),
                    action: "commit",
                    trove: trove.tuple().to_string(),
                });
            }
        }
        for trove in troves {
            let tuple = trove.tuple();
            if trove.version.host() != self.name() {
                return Err(RepositoryError::invalid_commit(format!(
                    "trove {tuple} is on label {}, which repository {} does not serve",
                    trove.version.trailing_label(),
                    self.name()
                )));
            }
            if trove.trove_type == TroveType::Removed {
                return Err(RepositoryError::invalid_commit(format!(
                    "trove {tuple} is a removed stub: troves are marked removed, not committed removed"
                )));
            }
        }
        let connection = self.connection();
        for trove in troves {
            check_not_conflicting(&connection, trove)?;
        }
        Ok(())
    }

    /// Refuses the commit unless every file of `troves` has a safe path, a
    /// stream (in `streams`, checked against its fileId, or stored), and
    /// contents that are `carried`, stored, or held by the host of the
    /// file's version.
    pub(crate) fn check_files(
        &self,
        troves: &[&Trove],
        streams: &BTreeMap<FileId, FileStream>,
        carried: &dyn Fn(&Digest) -> bool,
    ) -> Result<(), RepositoryError> {
        for (file_id, stream) in streams {
            if stream.file_id() != *file_id {
                return Err(RepositoryError::invalid_commit(format!(
                    "file stream filed under {file_id} has fileId {}",
                    stream.file_id()
                )));
            }
        }
        for trove in troves {
            let tuple = trove.tuple();
            for file in trove.files.values() {
                if let Err(error) = conary_util::RelPath::from_rooted(&file.path) {
                    return Err(RepositoryError::invalid_commit(format!(
                        "unsafe path '{}' in trove {tuple}: {error}",
                        file.path.escape_debug()
                    )));
                }
                let stream = match streams.get(&file.file_id) {
                    Some(stream) => Some(stream.clone()),
                    None => stored_stream(&self.connection(), &file.file_id)?,
                };
                let Some(stream) = stream else {
                    return Err(RepositoryError::invalid_commit(format!(
                        "file '{}' of trove {tuple} has no file stream {} in the changeset or the repository",
                        file.path, file.file_id
                    )));
                };
                let Some(digest) = stream.content_digest() else {
                    continue;
                };
                let elsewhere = file.file_version.host() != self.name();
                if !carried(&digest) && !elsewhere && !self.store().contains(&digest)? {
                    return Err(RepositoryError::invalid_commit(format!(
                        "contents {digest} of file '{}' of trove {tuple} are neither in the changeset nor in the repository",
                        file.path
                    )));
                }
            }
        }
        Ok(())
    }
}
