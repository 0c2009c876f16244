//! The repository's config file (`DIR/config`): settings an administrator
//! reads and edits, one `key value` per line as in the original's server
//! configuration, `#` starting a comment.
//!
//! Known keys: `serverName HOST`, the name labels of this repository use
//! (`HOST@namespace:tag`). Unknown keys are errors, so a typo is not
//! silently ignored.

use std::path::Path;

use crate::error::RepositoryError;

/// The settings of `DIR/config`.
///
/// ```rust
/// use conary_repository::RepositoryConfig;
/// let config = RepositoryConfig::parse("# mine\nserverName conary.example.com\n", "config".as_ref())?;
/// assert_eq!(config.server_name, "conary.example.com");
/// assert!(config.to_text().contains("serverName conary.example.com\n"));
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepositoryConfig {
    /// The name of the server, which labels of this repository start with.
    pub server_name: String,
}

impl RepositoryConfig {
    /// Parses the text of a config file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, RepositoryError> {
        let mut server_name = None;
        for (index, line) in text.lines().enumerate() {
            let line_number = index.saturating_add(1);
            let invalid = |reason: String| RepositoryError::InvalidConfig {
                path: path.to_path_buf(),
                line: line_number,
                reason,
            };
            let line = line
                .split_once('#')
                .map_or(line, |(before, _)| before)
                .trim();
            if line.is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once(char::is_whitespace)
                .map_or((line, ""), |(key, value)| (key, value.trim()));
            match key {
                "serverName" => {
                    if value.is_empty() || value.contains(char::is_whitespace) {
                        return Err(invalid("serverName takes one host name".to_owned()));
                    }
                    crate::names::check_server_name(value)?;
                    server_name = Some(value.to_owned());
                }
                _ => return Err(invalid(format!("unknown setting '{key}'"))),
            }
        }
        let server_name = server_name.ok_or_else(|| RepositoryError::InvalidConfig {
            path: path.to_path_buf(),
            line: text.lines().count(),
            reason: "no serverName setting".to_owned(),
        })?;
        Ok(Self { server_name })
    }

    /// The text of a config file with these settings.
    pub fn to_text(&self) -> String {
        format!(
            "# Conary repository settings (see conary-repos --help).\n\
             # The name labels of this repository start with.\n\
             serverName {}\n",
            self.server_name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let config = RepositoryConfig {
            server_name: "conary.example.com".to_owned(),
        };
        let parsed = RepositoryConfig::parse(&config.to_text(), Path::new("c")).expect("parse");
        assert_eq!(parsed, config);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("serverName a.b\nbogus 1\n", "c:2: unknown setting 'bogus'"),
            ("serverName\n", "c:1: serverName takes one host name"),
            ("serverName a b\n", "c:1: serverName takes one host name"),
            ("# nothing\n", "c:1: no serverName setting"),
            (
                "serverName a@b\n",
                "invalid server name 'a@b': only letters, digits, '.', '-' and '_' are allowed",
            ),
        ];
        for (text, message) in cases {
            let error = RepositoryConfig::parse(text, Path::new("c")).expect_err(text);
            assert_eq!(error.to_string(), message, "{text}");
        }
    }

    #[test]
    fn comments_and_blank_lines() {
        let text = "\n  # comment\nserverName  x.example.com  # trailing\n\n";
        let config = RepositoryConfig::parse(text, Path::new("c")).expect("parse");
        assert_eq!(config.server_name, "x.example.com");
    }
}
