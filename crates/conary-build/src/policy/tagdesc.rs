//! Tag descriptions shipped in the destdir (`/etc/conary/tags/NAME`) and,
//! for a cook with a build root (`cvc cook --root R`), those installed in
//! `R/etc/conary/tags` (a description in the destdir replaces the root's
//! of the same file name): a packaged file matching a description's
//! `include`/`exclude` filters gets its tag, as the original's `TagSpec`
//! policy does. Only `name`,
//! `include` and `exclude` matter here; the other keys are checked when
//! the description is installed.

use std::fs;
use std::path::Path;

use regex::Regex;

use super::PolicyError;

/// Where descriptions live, as installed.
const TAG_DIR: &str = "etc/conary/tags";

/// One description's tag and filters, in file order (`true` includes).
#[derive(Debug)]
pub(crate) struct TagFilters {
    pub(crate) tag: String,
    filters: Vec<(bool, Regex)>,
}

impl TagFilters {
    /// The first filter matching `path` decides; none means no tag.
    pub(crate) fn matches(&self, path: &str) -> bool {
        self.filters
            .iter()
            .find(|(_, regex)| regex.is_match(path))
            .is_some_and(|(include, _)| *include)
    }
}

/// `pattern` anchored "naturally" as the original's build filters: `^`
/// before a leading `/`, `$` after a last character other than `/`, `$`.
fn anchor(pattern: &str) -> String {
    let start = if pattern.starts_with('/') { "^" } else { "" };
    let end = if pattern.ends_with('/') || pattern.ends_with('$') {
        ""
    } else {
        "$"
    };
    format!("{start}{pattern}{end}")
}

/// Reads the descriptions in `destdir`'s `/etc/conary/tags`, after those
/// of `root` (the build root) when given; a destdir description replaces
/// the root's of the same file name. None when the directories are
/// missing.
pub(crate) fn read_all(
    destdir: &Path,
    root: Option<&Path>,
) -> Result<Vec<TagFilters>, PolicyError> {
    let mut by_file: Vec<(String, TagFilters)> = match root {
        Some(root) => read(root, true)?,
        None => Vec::new(),
    };
    for (file, description) in read(destdir, false)? {
        by_file.retain(|(known, _)| *known != file);
        by_file.push((file, description));
    }
    by_file.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(by_file
        .into_iter()
        .map(|(_, description)| description)
        .collect())
}

/// Reads the descriptions in `dir`'s `/etc/conary/tags` (none when the
/// directory is missing), with their file names. Errors name the file as
/// installed, or (`on_disk`, for the build root's) where it is.
fn read(dir: &Path, on_disk: bool) -> Result<Vec<(String, TagFilters)>, PolicyError> {
    let base = dir;
    let dir = dir.join(TAG_DIR);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && !path.is_symlink())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Some(name) = file.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        let installed = if on_disk {
            base.join(TAG_DIR).join(name).display().to_string()
        } else {
            format!("/{TAG_DIR}/{name}")
        };
        let text = fs::read_to_string(&file).map_err(|source| PolicyError::TagDescription {
            path: installed.clone(),
            line: 0,
            reason: source.to_string(),
        })?;
        let mut description = TagFilters {
            tag: name.to_owned(),
            filters: Vec::new(),
        };
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            let Some((key, value)) = line.split_once(char::is_whitespace) else {
                continue;
            };
            let value = value.trim();
            match key {
                "name" => description.tag = value.to_owned(),
                "include" | "exclude" => {
                    let regex = Regex::new(&anchor(value)).map_err(|error| {
                        PolicyError::TagDescription {
                            path: installed.clone(),
                            line: index + 1,
                            reason: format!(
                                "invalid regular expression '{value}': {}",
                                error.to_string().lines().last().unwrap_or_default().trim()
                            ),
                        }
                    })?;
                    description.filters.push((key == "include", regex));
                }
                _ => {}
            }
        }
        out.push((name.to_owned(), description));
    }
    Ok(out)
}
