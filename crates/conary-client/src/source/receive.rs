//! Receiving one repository's changeset: spooled to the work area while
//! its index is checked and every whole payload decoded and verified.
//!
//! A payload carried whole, and every text diff, is verified here, byte for
//! byte, against its digest. A delta can only be decoded against its base
//! (old contents the receiver holds): when the changeset goes out as it
//! came, its framing is checked here and its digest by whoever applies it;
//! when it is merged, the base is fetched and the delta decoded and
//! verified ([`decode_deltas`]).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufReader, Seek, Write};

use conary_api::Job;
use conary_changeset::{
    ChangeSet, ChangeSetError, ChangeSetReader, ContentKind, NoContents, PayloadId,
};
use conary_core::trove::TroveTuple;

use crate::error::ClientError;
use crate::source::jobs::Routed;
use crate::source::work::{ContentsDir, Side, Tee, WorkArea, local};
use crate::transport::{Failure, RepositoryClient};

/// One repository's answer for a group of jobs.
pub(crate) struct Part {
    /// The host asked.
    pub(crate) host: String,
    /// Its client.
    pub(crate) client: RepositoryClient,
    /// The jobs asked.
    pub(crate) jobs: Vec<Routed>,
    /// Whether the jobs are the caller's (the first round), not ones
    /// followed into another repository.
    pub(crate) primary: bool,
    /// The changeset as received.
    pub(crate) spool: tempfile::NamedTempFile,
    /// Its index.
    pub(crate) index: ChangeSet,
    /// Whether its whole payloads were kept in the work area (else only
    /// verified).
    pub(crate) kept: bool,
}

impl Part {
    /// The old troves of updates asked for as installs.
    pub(crate) fn replaced(&self) -> impl Iterator<Item = (TroveTuple, &TroveTuple)> {
        self.jobs
            .iter()
            .filter_map(|routed| Some((routed.job.new_tuple()?, routed.replaces.as_ref()?)))
    }

    /// Whether the changeset has payloads that are deltas.
    pub(crate) fn has_deltas(&self) -> bool {
        self.index
            .contents
            .values()
            .any(|contents| matches!(contents.kind, ContentKind::Delta { .. }))
    }
}

/// An error for a changeset the reader refuses, from `client`.
fn refused(client: &RepositoryClient, error: &ChangeSetError) -> ClientError {
    ClientError::BadResponse {
        url: client.server().endpoint("changeset").to_string(),
        reason: format!("invalid changeset: {}", crate::error::chain(error)),
    }
}

/// Asks `client` for the changeset of `jobs` and receives it (see the
/// module). `keep` says whether whole payloads are kept in `work` or only
/// verified; it is asked once the index is known. A connection that breaks
/// is asked again, as the transport's retry policy allows.
pub(crate) fn receive(
    client: &RepositoryClient,
    host: &str,
    jobs: Vec<Routed>,
    recurse: bool,
    primary: bool,
    work: &WorkArea,
    keep: &(dyn Fn(&ChangeSet) -> bool + Sync),
) -> Result<Part, ClientError> {
    let sent: Vec<Job> = jobs.iter().map(|routed| routed.job.clone()).collect();
    let (spool, index, kept) = client.retrying(
        |attempt| {
            let body = client
                .changeset_stream(&sent, recurse)
                .map_err(Failure::Fatal)?;
            let url = body.url().to_string();
            let mut spool = work.spool().map_err(Failure::Fatal)?;
            let mut tee = Tee::new(body, spool.as_file_mut());
            let result = read_through(&mut tee, work.contents(), keep);
            let failure = tee.failure.take();
            drop(tee);
            match (result, failure) {
                (Ok((index, kept)), None) => Ok((spool, index, kept)),
                (_, Some((Side::Network, reason))) => Err(Failure::Retry(ClientError::Transfer {
                    url,
                    attempts: attempt,
                    reason,
                })),
                (_, Some((Side::Spool, reason))) => Err(Failure::Fatal(ClientError::Local {
                    action: format!("write {}", spool.path().display()),
                    reason,
                })),
                (Err(Received::Refused(error)), None) => {
                    Err(Failure::Fatal(refused(client, &error)))
                }
                (Err(Received::Local(error)), None) => Err(Failure::Fatal(error)),
            }
        },
        |_, _| {},
    )?;
    let mut spool = spool;
    spool
        .as_file_mut()
        .flush()
        .map_err(|error| local(format!("write {}", spool.path().display()), &error))?;
    Ok(Part {
        host: host.to_string(),
        client: client.clone(),
        jobs,
        primary,
        spool,
        index,
        kept,
    })
}

/// Why reading a changeset failed.
enum Received {
    /// The changeset is not valid (or its stream broke: the tee knows).
    Refused(ChangeSetError),
    /// The work area failed.
    Local(ClientError),
}

/// Reads a whole changeset from `input`: its index, then each payload,
/// decoding whole ones (into `contents` when `keep` says so) and checking
/// the framing of the rest.
fn read_through(
    input: &mut dyn io::Read,
    contents: &ContentsDir,
    keep: &(dyn Fn(&ChangeSet) -> bool + Sync),
) -> Result<(ChangeSet, bool), Received> {
    let mut reader = ChangeSetReader::new(input).map_err(Received::Refused)?;
    let index = reader.changeset().clone();
    let kept = keep(&index);
    while let Some(id) = reader.peek_payload() {
        let whole = match id {
            PayloadId::Contents(digest) => index
                .contents
                .get(&digest)
                .is_some_and(|entry| entry.kind == ContentKind::Full)
                .then_some(Some(digest)),
            // A diff text needs no base: verified, then dropped (a merge
            // makes it again from the contents).
            PayloadId::TextDiff(_) => Some(None),
        };
        let Some(digest) = whole else {
            reader.skip_payload().map_err(Received::Refused)?;
            continue;
        };
        let Some(mut payload) = reader
            .next_payload(&NoContents)
            .map_err(Received::Refused)?
        else {
            break;
        };
        if let Some(digest) = digest.filter(|digest| kept && !contents.contains(digest)) {
            contents
                .keep(&digest, |writer| payload.copy_to(writer).map(|_| ()))
                .map_err(Received::Local)?
                .map_err(Received::Refused)?;
        } else {
            payload
                .copy_to(&mut io::sink())
                .map_err(Received::Refused)?;
        }
    }
    reader.finish().map_err(Received::Refused)?;
    Ok((index, kept))
}

/// Decodes the deltas of `part` into `contents`, reading their bases from
/// there (fetched beforehand), and verifies them.
pub(crate) fn decode_deltas(part: &mut Part, contents: &ContentsDir) -> Result<(), ClientError> {
    let path = part.spool.path().to_path_buf();
    let read_error =
        |error: &dyn std::error::Error| local(format!("read {}", path.display()), error);
    let file: &mut File = part.spool.as_file_mut();
    file.rewind().map_err(|error| read_error(&error))?;
    let mut reader =
        ChangeSetReader::new(BufReader::new(&*file)).map_err(|error| read_error(&error))?;
    let deltas: BTreeSet<_> = part
        .index
        .contents
        .iter()
        .filter(|(_, entry)| matches!(entry.kind, ContentKind::Delta { .. }))
        .map(|(digest, _)| *digest)
        .collect();
    while let Some(id) = reader.peek_payload() {
        let delta = match id {
            PayloadId::Contents(digest)
                if deltas.contains(&digest) && !contents.contains(&digest) =>
            {
                digest
            }
            _ => {
                reader
                    .skip_payload()
                    .map_err(|error| refused(&part.client, &error))?;
                continue;
            }
        };
        let Some(mut payload) = reader
            .next_payload(contents)
            .map_err(|error| refused(&part.client, &error))?
        else {
            break;
        };
        contents
            .keep(&delta, |writer| payload.copy_to(writer).map(|_| ()))?
            .map_err(|error| refused(&part.client, &error))?;
    }
    reader
        .finish()
        .map_err(|error| refused(&part.client, &error))?;
    Ok(())
}
