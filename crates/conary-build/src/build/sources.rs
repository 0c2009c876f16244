//! Where the executor finds the files a recipe names (`addArchive`,
//! `addSource`, `addPatch`): [`SourceFiles`], and [`DirSources`] over a
//! directory plus a cache of downloaded URLs. Builds never download.

use std::path::{Path, PathBuf};

use crate::build::error::BuildError;

/// The local files of a build's sources.
pub trait SourceFiles {
    /// Local path of a source file named in the recipe: a file of the
    /// `:source` trove, or for a URL the file in the local source cache.
    /// An error when it is absent (a URL: `source 'http://x/y.tar.gz' is
    /// not in the source cache 'DIR' (builds never download)`).
    fn path_of(&self, name: &str) -> Result<PathBuf, BuildError>;
}

/// [`SourceFiles`] over a directory of source files (a checkout, or an
/// extracted `:source` trove) and a cache of URL sources, where a URL maps
/// to `cache/<last path segment>`.
///
/// ```rust
/// use conary_build::build::{DirSources, SourceFiles};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("hello.c"), "int main;")?;
/// let sources = DirSources { dir: dir.path().into(), cache: None };
/// assert_eq!(sources.path_of("hello.c")?, dir.path().join("hello.c"));
/// assert!(sources.path_of("http://example.com/hello-1.0.tar.gz").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirSources {
    /// The directory holding the source trove's files.
    pub dir: PathBuf,
    /// The local cache of URL sources, if any.
    pub cache: Option<PathBuf>,
}

/// Whether a source name is a URL (`scheme://…`) rather than a file name.
pub fn is_url(name: &str) -> bool {
    name.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The file name a source is stored under: a URL's last path segment
/// (without query or fragment), or the name itself.
pub fn file_name_of(name: &str) -> &str {
    if is_url(name) {
        let path = name.split(['?', '#']).next().unwrap_or(name);
        path.rsplit('/').next().unwrap_or(path)
    } else {
        name.rsplit('/').next().unwrap_or(name)
    }
}

/// Checks that `relative` stays inside the directory it is joined to.
fn plain_relative(relative: &str) -> bool {
    !relative.is_empty()
        && !relative.starts_with('/')
        && !relative.contains('\0')
        && relative
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

impl SourceFiles for DirSources {
    fn path_of(&self, name: &str) -> Result<PathBuf, BuildError> {
        if is_url(name) {
            let file = file_name_of(name);
            let not_cached = || BuildError::NotInCache {
                url: name.to_owned(),
                cache: self.cache.clone(),
            };
            if !plain_relative(file) {
                return Err(BuildError::BadSourceName {
                    name: name.to_owned(),
                });
            }
            let cache = self.cache.as_deref().ok_or_else(not_cached)?;
            return existing_file(&cache.join(file)).ok_or_else(not_cached);
        }
        if !plain_relative(name) {
            return Err(BuildError::BadSourceName {
                name: name.to_owned(),
            });
        }
        existing_file(&self.dir.join(name)).ok_or_else(|| BuildError::SourceNotFound {
            name: name.to_owned(),
        })
    }
}

/// The path when it is a regular file (symlinks followed: a checkout may
/// link to shared sources).
fn existing_file(path: &Path) -> Option<PathBuf> {
    path.is_file().then(|| path.to_path_buf())
}
