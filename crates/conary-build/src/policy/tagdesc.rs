//! Tag descriptions shipped in the destdir (`/etc/conary/tags/NAME`): a
//! packaged file matching a description's `include`/`exclude` filters
//! gets its tag, as the original's `TagSpec` policy does. Only `name`,
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

/// Reads the descriptions in `destdir`'s `/etc/conary/tags` (none when the
/// directory is missing).
pub(crate) fn read(destdir: &Path) -> Result<Vec<TagFilters>, PolicyError> {
    let dir = destdir.join(TAG_DIR);
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
        let installed = format!("/{TAG_DIR}/{name}");
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
        out.push(description);
    }
    Ok(out)
}
