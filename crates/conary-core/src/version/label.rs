//! Labels: `host@namespace:tag`.

use std::fmt;
use std::str::FromStr;

use super::VersionError;

/// Characters that may never appear in a label: they separate labels from
/// other things in version strings, trove specs and config files.
const FORBIDDEN: &[char] = &['/', '\'', '"', '\\', '(', ')', '[', ']', '='];

/// A label, `host@namespace:tag`: the repository host, then a branch name
/// made of a namespace and a tag.
///
/// The host may be empty (`@rpl:devel`); namespace and tag may not. A label
/// holds exactly one `:` and one `@`, the `@` first, and none of
/// `/ ' " \ ( ) [ ] =`, white space or control characters.
///
/// ```rust
/// use conary_core::version::Label;
/// let label: Label = "conary.rpath.com@rpl:devel".parse().expect("valid label");
/// assert_eq!(label.host(), "conary.rpath.com");
/// assert_eq!(label.to_string(), "conary.rpath.com@rpl:devel");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    host: String,
    namespace: String,
    tag: String,
}

/// Checks one part of a label: no structural or forbidden characters.
fn check_part(text: &str, part: &str) -> Result<(), VersionError> {
    for c in part.chars() {
        if FORBIDDEN.contains(&c) || c.is_whitespace() || c.is_control() {
            return Err(VersionError::label(
                text,
                format!("{} is not allowed", describe_char(c)),
            ));
        }
    }
    Ok(())
}

/// Shows a character in an error message, escaping the invisible ones.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("character {:?}", c)
    } else {
        format!("'{c}'")
    }
}

impl Label {
    /// Builds a label from its three parts, checking each.
    ///
    /// ```rust
    /// use conary_core::version::Label;
    /// let label = Label::new("localhost", "rpl", "linux").expect("valid parts");
    /// assert_eq!(label.to_string(), "localhost@rpl:linux");
    /// ```
    pub fn new(host: &str, namespace: &str, tag: &str) -> Result<Self, VersionError> {
        let text = format!("{host}@{namespace}:{tag}");
        for part in [host, namespace, tag] {
            check_part(&text, part)?;
            if part.contains(['@', ':']) {
                return Err(VersionError::label(
                    &text,
                    "'@' and ':' are only allowed as separators",
                ));
            }
        }
        if namespace.is_empty() {
            return Err(VersionError::label(&text, "empty namespace"));
        }
        if tag.is_empty() {
            return Err(VersionError::label(&text, "empty tag"));
        }
        Ok(Self {
            host: host.to_owned(),
            namespace: namespace.to_owned(),
            tag: tag.to_owned(),
        })
    }

    /// Parses a label that may be abbreviated against `template`, as inside
    /// a version string: `tag` takes host and namespace from the template,
    /// `namespace:tag` takes the host.
    ///
    /// ```rust
    /// use conary_core::version::Label;
    /// let base: Label = "a@b:c".parse().expect("valid label");
    /// let short = Label::parse_relative("d", &base).expect("valid label");
    /// assert_eq!(short.to_string(), "a@b:d");
    /// ```
    pub fn parse_relative(text: &str, template: &Label) -> Result<Self, VersionError> {
        parse(text, Some(template))
    }

    /// The repository host (may be empty).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The namespace, the first half of the branch name.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The tag, the second half of the branch name.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Prints this label as short as possible after `versus`: only the tag
    /// when host and namespace are the same, `namespace:tag` when only the
    /// host is, the full label otherwise.
    ///
    /// ```rust
    /// use conary_core::version::Label;
    /// let a: Label = "foo@spc:linux".parse().expect("valid label");
    /// let b: Label = "foo@spc:shadow".parse().expect("valid label");
    /// assert_eq!(b.as_string_against(&a), "shadow");
    /// ```
    pub fn as_string_against(&self, versus: &Label) -> String {
        if self.host == versus.host {
            if self.namespace == versus.namespace {
                return self.tag.clone();
            }
            return format!("{}:{}", self.namespace, self.tag);
        }
        self.to_string()
    }

    /// The label of local changes to installed troves, `local@local:LOCAL`.
    pub fn local() -> Self {
        Self::special("LOCAL")
    }

    /// The label of rollback versions, `local@local:ROLLBACK`.
    pub fn rollback() -> Self {
        Self::special("ROLLBACK")
    }

    /// The label of emerged troves, `local@local:EMERGE`.
    pub fn emerge() -> Self {
        Self::special("EMERGE")
    }

    /// The label of local cooks, `local@local:COOK`.
    pub fn cook() -> Self {
        Self::special("COOK")
    }

    /// The label of phantom troves standing for foreign packages,
    /// `local@local:PHANTOM`.
    pub fn phantom() -> Self {
        Self::special("PHANTOM")
    }

    fn special(tag: &str) -> Self {
        Self {
            host: "local".to_owned(),
            namespace: "local".to_owned(),
            tag: tag.to_owned(),
        }
    }

    /// Whether this is one of the special labels of the local machine
    /// (`local@local:LOCAL`, `:ROLLBACK`, `:EMERGE`, `:COOK`, `:PHANTOM`).
    pub fn is_local_host_label(&self) -> bool {
        self.host == "local"
            && self.namespace == "local"
            && matches!(
                self.tag.as_str(),
                "LOCAL" | "ROLLBACK" | "EMERGE" | "COOK" | "PHANTOM"
            )
    }
}

/// Parses a label, expanding an abbreviation against `template` if given.
pub(crate) fn parse(text: &str, template: Option<&Label>) -> Result<Label, VersionError> {
    if text.is_empty() {
        return Err(VersionError::label(text, "empty label"));
    }
    check_part(text, text)?;
    let colons = text.matches(':').count();
    let ats = text.matches('@').count();
    if colons > 1 {
        return Err(VersionError::label(text, "more than one ':'"));
    }
    if ats > 1 {
        return Err(VersionError::label(text, "more than one '@'"));
    }
    let (host, rest) = match text.split_once('@') {
        Some((host, rest)) => {
            if !rest.contains(':') {
                let reason = if host.contains(':') {
                    "'@' must come before ':'"
                } else {
                    "missing ':' after namespace"
                };
                return Err(VersionError::label(text, reason));
            }
            (host.to_owned(), rest)
        }
        None => match template {
            Some(template) => (template.host.clone(), text),
            None if colons == 0 => {
                return Err(VersionError::label(
                    text,
                    "missing 'host@namespace:' before tag",
                ));
            }
            None => return Err(VersionError::label(text, "missing '@' before namespace")),
        },
    };
    let (namespace, tag) = match rest.split_once(':') {
        Some((namespace, tag)) => (namespace.to_owned(), tag),
        // No ':' and no '@': only a tag, the template gives the rest.
        None => match template {
            Some(template) => (template.namespace.clone(), rest),
            None => return Err(VersionError::label(text, "missing ':' before tag")),
        },
    };
    if namespace.is_empty() {
        return Err(VersionError::label(text, "empty namespace"));
    }
    if tag.is_empty() {
        return Err(VersionError::label(text, "empty tag"));
    }
    Ok(Label {
        host,
        namespace,
        tag: tag.to_owned(),
    })
}

impl FromStr for Label {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text, None)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}:{}", self.host, self.namespace, self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fills_missing_parts() {
        let base: Label = "a@b:c".parse().expect("valid");
        let l = Label::parse_relative("x:y", &base).expect("valid");
        assert_eq!(l.to_string(), "a@x:y");
        let l = Label::parse_relative("h@x:y", &base).expect("valid");
        assert_eq!(l.to_string(), "h@x:y");
    }

    #[test]
    fn special_labels_are_local() {
        for label in [
            Label::local(),
            Label::rollback(),
            Label::emerge(),
            Label::cook(),
            Label::phantom(),
        ] {
            assert!(label.is_local_host_label());
            assert_eq!(label.to_string().parse::<Label>().as_ref(), Ok(&label));
        }
        let other: Label = "local@local:OTHER".parse().expect("valid");
        assert!(!other.is_local_host_label());
    }
}
