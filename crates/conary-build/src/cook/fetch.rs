//! A `:source` trove from a repository, written out as a directory of
//! files to cook from.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use conary_api::{Job, TroveSource};
use conary_changeset::{ChangeSetReader, NoContents, PayloadId};
use conary_core::digest::Digest;
use conary_core::trove::TroveTuple;

use super::CookError;

/// Writes the files of the source trove `tuple` into `dir` (which must
/// exist) and returns their names, sorted. Every name must be a plain
/// file name: a source trove holding `../x` or `a/b` is refused.
pub fn extract_source(
    source: &dyn TroveSource,
    tuple: &TroveTuple,
    dir: &Path,
) -> Result<Vec<String>, CookError> {
    let mut bytes = Vec::new();
    let job = Job::install(tuple.name.clone(), tuple.version.clone(), tuple.flavor.clone());
    source
        .changeset(&[job], false, &mut bytes)
        .map_err(|error| CookError::Source(format!("cannot fetch {tuple}: {error}")))?;
    let mut reader = ChangeSetReader::new(bytes.as_slice())
        .map_err(|error| CookError::Source(format!("changeset of {tuple}: {error}")))?;
    let changeset = reader.changeset().clone();
    let trove = changeset
        .troves
        .values()
        .map(|change| &change.new)
        .find(|trove| trove.name == tuple.name)
        .ok_or_else(|| CookError::Source(format!("{tuple}: not in its own changeset")))?;

    let mut by_digest: BTreeMap<Digest, Vec<String>> = BTreeMap::new();
    let mut names = Vec::new();
    for (_, file) in trove.iter_files() {
        let name = plain_name(&file.path)
            .ok_or_else(|| CookError::Source(format!("{tuple}: unsafe file name '{}'", file.path)))?;
        let stream = changeset.files.get(&file.file_id).ok_or_else(|| {
            CookError::Source(format!("{tuple}: no file stream for '{}'", file.path))
        })?;
        match stream.content_digest() {
            Some(digest) => by_digest.entry(digest).or_default().push(name.to_owned()),
            None => continue,
        }
        names.push(name.to_owned());
    }
    while let Some(mut payload) = reader
        .next_payload(&NoContents)
        .map_err(|error| CookError::Source(format!("changeset of {tuple}: {error}")))?
    {
        let PayloadId::Contents(digest) = payload.id() else {
            continue;
        };
        let data = payload
            .read_to_vec()
            .map_err(|error| CookError::Source(format!("changeset of {tuple}: {error}")))?;
        for name in by_digest.remove(&digest).unwrap_or_default() {
            let path = dir.join(&name);
            let mut out = fs::File::create(&path).map_err(|error| CookError::io(&path, error))?;
            out.write_all(&data).map_err(|error| CookError::io(&path, error))?;
        }
    }
    // Empty files travel without a payload.
    for name in by_digest.into_values().flatten() {
        let path = dir.join(&name);
        fs::write(&path, b"").map_err(|error| CookError::io(&path, error))?;
    }
    names.sort();
    Ok(names)
}

/// `name` without a leading `/`, if what is left is a plain file name.
fn plain_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix('/').unwrap_or(path);
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\0');
    plain.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::plain_name;

    #[test]
    fn plain_names_only() {
        for (path, expected) in [
            ("hello.recipe", Some("hello.recipe")),
            ("/hello.recipe", Some("hello.recipe")),
            ("../etc/passwd", None),
            ("a/b", None),
            ("/", None),
            ("..", None),
            ("", None),
        ] {
            assert_eq!(plain_name(path), expected, "{path}");
        }
    }
}
