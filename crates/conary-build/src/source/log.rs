//! `cvc log`: the versions of a source trove with their change logs.

use conary_api::TroveSource;
use conary_core::name::TroveName;
use conary_core::trove::TroveTuple;
use conary_core::troveinfo::ChangeLog;
use conary_core::version::Label;

use super::error::SourceError;
use super::repo::source_versions;

/// One commit of a source trove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// The source version.
    pub tuple: TroveTuple,
    /// Who committed it and why, when recorded.
    pub changelog: Option<ChangeLog>,
    /// When it was committed (seconds since the epoch), when recorded.
    pub time: Option<u64>,
}

/// Every version of source trove `name` on `label`, newest first, with
/// its change log.
pub fn source_log(
    source: &dyn TroveSource,
    name: &TroveName,
    label: &Label,
) -> Result<Vec<LogEntry>, SourceError> {
    let tuples = source_versions(source, name, label)?;
    if tuples.is_empty() {
        return Err(SourceError::NotFound {
            what: format!("{name} on {label}"),
        });
    }
    let troves = source
        .troves(&tuples)
        .map_err(|e| SourceError::repository(format!("cannot read {name} on {label}"), e))?;
    Ok(tuples
        .into_iter()
        .zip(troves)
        .map(|(tuple, trove)| LogEntry {
            tuple,
            changelog: trove.info.changelog,
            time: trove.info.build_time,
        })
        .collect())
}
