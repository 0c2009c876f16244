//! A `:source` trove from a repository, written out as a directory of
//! files to cook from.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use conary_api::TroveSource;
use conary_core::trove::TroveTuple;

use super::CookError;
use crate::source::{check_file_name, fetch_source};

/// Writes the files of the source trove `tuple` into `dir` (which must
/// exist) and returns their names, sorted. Every name must be a plain
/// file name ([`check_file_name`]): a source trove holding `../x` or
/// `a/b` is refused before anything is written.
pub fn extract_source(
    source: &dyn TroveSource,
    tuple: &TroveTuple,
    dir: &Path,
) -> Result<Vec<String>, CookError> {
    let version = fetch_source(source, tuple)
        .map_err(|error| CookError::Source(format!("cannot read {tuple}: {error}")))?;
    for name in version.files.keys() {
        check_file_name(name).map_err(|error| CookError::Source(format!("{tuple}: {error}")))?;
    }
    for (name, file) in &version.files {
        let path = dir.join(name);
        fs::write(&path, &file.contents).map_err(|error| CookError::io(&path, error))?;
        let mode = u32::from(file.stream.mode.bits()) & 0o777;
        fs::set_permissions(&path, fs::Permissions::from_mode(mode))
            .map_err(|error| CookError::io(&path, error))?;
    }
    Ok(version.files.into_keys().collect())
}
