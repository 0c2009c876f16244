//! The patterns an ACL matches labels and trove names with.
//!
//! As in the original Conary, both sides of an ACL are either `ALL` or one
//! pattern. A trove-name pattern is a regular expression that must match the
//! whole name (`group-.*`, `foo(:.*)?`). A label pattern is a glob over the
//! label string (`*` any run of characters, `?` one character, everything
//! else literal), so an ordinary label such as `conary.example.com@rpl:2`
//! matches exactly itself and `conary.example.com@rpl:*` every tag of one
//! namespace; labels never contain `*` or `?`.

use std::fmt;
use std::str::FromStr;

use regex::Regex;

use crate::error::RepositoryError;

/// The word that matches every label or every trove name.
pub const ALL: &str = "ALL";

/// Longest pattern accepted, in bytes.
const MAX_PATTERN_LEN: usize = 1024;

/// Compiled size limit for pattern regexes, so an ACL cannot make every
/// request slow.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Which labels an ACL covers: `ALL` or a glob.
///
/// ```rust
/// use conary_repository::LabelPattern;
/// let pattern: LabelPattern = "conary.example.com@rpl:*".parse()?;
/// assert!(pattern.matches("conary.example.com@rpl:2"));
/// assert!(!pattern.matches("conary.example.com@other:2"));
/// assert_eq!(pattern.to_string(), "conary.example.com@rpl:*");
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, Debug)]
pub enum LabelPattern {
    /// Every label.
    All,
    /// Labels the glob matches.
    Glob {
        /// The glob as written.
        text: String,
        /// The glob compiled to an anchored regex.
        regex: Regex,
    },
}

impl LabelPattern {
    /// Whether `label` is covered.
    pub fn matches(&self, label: &str) -> bool {
        match self {
            Self::All => true,
            Self::Glob { regex, .. } => regex.is_match(label),
        }
    }

    /// Whether this is `ALL`.
    pub fn is_all(&self) -> bool {
        matches!(self, Self::All)
    }
}

impl FromStr for LabelPattern {
    type Err = RepositoryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == ALL {
            return Ok(Self::All);
        }
        check_text("label", text)?;
        let mut translated = String::with_capacity(text.len() + 8);
        translated.push_str("^(?:");
        let mut literal = [0u8; 4];
        for character in text.chars() {
            match character {
                '*' => translated.push_str(".*"),
                '?' => translated.push('.'),
                other => translated.push_str(&regex::escape(other.encode_utf8(&mut literal))),
            }
        }
        translated.push_str(")$");
        let regex = compile("label", text, &translated)?;
        Ok(Self::Glob {
            text: text.to_owned(),
            regex,
        })
    }
}

impl fmt::Display for LabelPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str(ALL),
            Self::Glob { text, .. } => f.write_str(text),
        }
    }
}

impl PartialEq for LabelPattern {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for LabelPattern {}

/// Which trove names an ACL covers: `ALL` or a regular expression that must
/// match the whole name.
///
/// ```rust
/// use conary_repository::TrovePattern;
/// let pattern: TrovePattern = "group-.*".parse()?;
/// assert!(pattern.matches("group-dist"));
/// assert!(!pattern.matches("my-group-dist"));
/// assert_eq!(pattern.to_string(), "group-.*");
/// # Ok::<(), conary_repository::RepositoryError>(())
/// ```
#[derive(Clone, Debug)]
pub enum TrovePattern {
    /// Every trove name.
    All,
    /// Names the regex matches from start to end.
    Regex {
        /// The regex as written.
        text: String,
        /// The regex anchored at both ends.
        regex: Regex,
    },
}

impl TrovePattern {
    /// Whether trove name `name` is covered.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Regex { regex, .. } => regex.is_match(name),
        }
    }

    /// Whether this is `ALL`.
    pub fn is_all(&self) -> bool {
        matches!(self, Self::All)
    }
}

impl FromStr for TrovePattern {
    type Err = RepositoryError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == ALL {
            return Ok(Self::All);
        }
        check_text("trove", text)?;
        let regex = compile("trove", text, &format!("^(?:{text})$"))?;
        Ok(Self::Regex {
            text: text.to_owned(),
            regex,
        })
    }
}

impl fmt::Display for TrovePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str(ALL),
            Self::Regex { text, .. } => f.write_str(text),
        }
    }
}

impl PartialEq for TrovePattern {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for TrovePattern {}

fn invalid(kind: &'static str, text: &str, reason: impl Into<String>) -> RepositoryError {
    RepositoryError::InvalidPattern {
        kind,
        pattern: text.to_owned(),
        reason: reason.into(),
    }
}

fn check_text(kind: &'static str, text: &str) -> Result<(), RepositoryError> {
    if text.is_empty() {
        return Err(invalid(kind, text, "empty (use ALL for everything)"));
    }
    if text.len() > MAX_PATTERN_LEN {
        return Err(invalid(
            kind,
            text,
            format!("longer than {MAX_PATTERN_LEN} bytes"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(kind, text, "contains a control character"));
    }
    Ok(())
}

fn compile(kind: &'static str, text: &str, regex: &str) -> Result<Regex, RepositoryError> {
    regex::RegexBuilder::new(regex)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|error| {
            // The regex crate's messages span several lines; keep the last,
            // which says what is wrong.
            let message = error.to_string();
            let reason = message
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("not a valid regular expression")
                .trim()
                .trim_start_matches("error: ")
                .to_owned();
            invalid(kind, text, reason)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_patterns() {
        let cases: &[(&str, &str, bool)] = &[
            ("ALL", "conary.example.com@rpl:2", true),
            ("ALL", "", true),
            ("conary.example.com@rpl:2", "conary.example.com@rpl:2", true),
            (
                "conary.example.com@rpl:2",
                "conary.example.com@rpl:22",
                false,
            ),
            (
                "conary.example.com@rpl:2",
                "conaryXexample.com@rpl:2",
                false,
            ),
            (
                "conary.example.com@rpl:*",
                "conary.example.com@rpl:2-devel",
                true,
            ),
            ("conary.example.com@rpl:*", "other.example.com@rpl:2", false),
            ("*@rpl:2", "a.b@rpl:2", true),
            ("*@rpl:?", "a.b@rpl:2", true),
            ("*@rpl:?", "a.b@rpl:22", false),
            ("*", "anything at all", true),
            ("a+b@ns:(1)", "a+b@ns:(1)", true),
            ("a+b@ns:(1)", "aab@ns:1", false),
        ];
        for (pattern, label, expected) in cases {
            let parsed: LabelPattern = pattern.parse().expect(pattern);
            assert_eq!(parsed.matches(label), *expected, "{pattern} vs {label}");
            assert_eq!(parsed.to_string(), *pattern);
        }
    }

    #[test]
    fn trove_patterns() {
        let cases: &[(&str, &str, bool)] = &[
            ("ALL", "foo:runtime", true),
            ("foo", "foo", true),
            ("foo", "foo:runtime", false),
            ("foo", "libfoo", false),
            ("foo(:.*)?", "foo:runtime", true),
            ("foo(:.*)?", "foo", true),
            ("foo(:.*)?", "foobar", false),
            ("group-.*", "group-dist", true),
            ("group-.*", "my-group-dist", false),
            ("a|b", "a", true),
            ("a|b", "b", true),
            ("a|b", "ab", false),
            (".*:source", "bash:source", true),
            (".*:source", "bash:runtime", false),
        ];
        for (pattern, name, expected) in cases {
            let parsed: TrovePattern = pattern.parse().expect(pattern);
            assert_eq!(parsed.matches(name), *expected, "{pattern} vs {name}");
            assert_eq!(parsed.to_string(), *pattern);
        }
    }

    #[test]
    fn bad_patterns() {
        let error = "foo(".parse::<TrovePattern>().expect_err("unclosed");
        assert!(
            error
                .to_string()
                .starts_with("invalid trove pattern 'foo(': "),
            "{error}"
        );
        assert!(!error.to_string().contains('\n'), "{error}");
        assert_eq!(
            "".parse::<LabelPattern>().expect_err("empty").to_string(),
            "invalid label pattern '': empty (use ALL for everything)"
        );
        "a\nb"
            .parse::<TrovePattern>()
            .expect_err("control character");
        "x".repeat(MAX_PATTERN_LEN + 1)
            .parse::<LabelPattern>()
            .expect_err("too long");
        "(a{1000}){1000}"
            .parse::<TrovePattern>()
            .expect_err("too big");
    }

    #[test]
    fn equality_is_by_text() {
        let a: TrovePattern = "foo.*".parse().expect("parse");
        let b: TrovePattern = "foo.*".parse().expect("parse");
        let c: TrovePattern = "foo.+".parse().expect("parse");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            "ALL".parse::<LabelPattern>().expect("all"),
            LabelPattern::All
        );
    }
}
