//! Reading a whole changeset and checking every payload it can: what
//! `conary showcs` does before it describes a file.

use std::io::{self, Read};

use crate::error::ChangeSetError;
use crate::model::{ContentKind, PayloadId};
use crate::read::ChangeSetReader;
use crate::source::ContentSource;
use crate::validate::Limits;

/// What [`verify`] checked.
///
/// ```rust
/// let report = conary_changeset::Verification::default();
/// assert_eq!(report.verified + report.framing_only, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verification {
    /// Payloads decoded whole and checked against their size and digest.
    pub verified: u64,
    /// Deltas whose base was not available: only their framing was checked.
    pub framing_only: u64,
}

/// Reads a whole changeset: the index is checked as
/// [`ChangeSetReader::new`] checks it, then every payload is decoded and
/// checked against its size and digest — deltas too when `bases` has the
/// contents they are made against, otherwise only their framing — and
/// nothing may follow the last payload.
///
/// ```rust
/// use conary_changeset::{ChangeSet, Limits, MemContents, NoContents, verify, write_changeset};
/// let bytes = write_changeset(Vec::new(), &ChangeSet::default(), &MemContents::new())?;
/// assert_eq!(verify(&bytes[..], Limits::default(), &NoContents)?.verified, 0);
/// assert!(verify(&bytes[..3], Limits::default(), &NoContents).is_err());
/// # Ok::<(), conary_changeset::ChangeSetError>(())
/// ```
pub fn verify<R: Read>(
    input: R,
    limits: Limits,
    bases: &dyn ContentSource,
) -> Result<Verification, ChangeSetError> {
    let mut reader = ChangeSetReader::with_limits(input, limits)?;
    let mut report = Verification::default();
    while let Some(id) = reader.peek_payload() {
        let base = match id {
            PayloadId::Contents(digest) => match reader.changeset().contents.get(&digest) {
                Some(contents) => match contents.kind {
                    ContentKind::Delta { base } => Some(base),
                    _ => None,
                },
                None => None,
            },
            PayloadId::TextDiff(_) => None,
        };
        let base_missing = match base {
            Some(base) => bases
                .open(&base)
                .map_err(|error| {
                    ChangeSetError::io(format!("open the base {base} of a delta"), error)
                })?
                .is_none(),
            None => false,
        };
        if base_missing {
            reader.skip_payload()?;
            report.framing_only = report.framing_only.saturating_add(1);
            continue;
        }
        let Some(mut payload) = reader.next_payload(bases)? else {
            break;
        };
        payload.copy_to(&mut io::sink())?;
        report.verified = report.verified.saturating_add(1);
    }
    reader.finish()?;
    Ok(report)
}
