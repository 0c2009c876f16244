//! Which server, user, role and entitlement class names are accepted.
//!
//! Names end up in labels, HTTP headers, log lines and command output, so
//! they are kept to a plain, printable alphabet.

use crate::error::RepositoryError;

/// Longest server name (a DNS name).
const MAX_SERVER_NAME: usize = 253;

/// Longest user, role or class name.
const MAX_NAME: usize = 128;

/// The name of the role (and subject) used for callers without credentials.
pub const ANONYMOUS: &str = "anonymous";

/// Checks a server name: what labels of the repository start with.
pub(crate) fn check_server_name(name: &str) -> Result<(), RepositoryError> {
    let invalid = |reason| RepositoryError::InvalidName {
        kind: "server",
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() {
        return Err(invalid("empty"));
    }
    if name.len() > MAX_SERVER_NAME {
        return Err(invalid("longer than 253 bytes"));
    }
    if !name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_'))
    {
        return Err(invalid(
            "only letters, digits, '.', '-' and '_' are allowed",
        ));
    }
    if name.starts_with(['.', '-']) {
        return Err(invalid("must start with a letter, digit or '_'"));
    }
    Ok(())
}

/// Checks a user, role or entitlement class name (`kind` says which).
pub(crate) fn check_name(kind: &'static str, name: &str) -> Result<(), RepositoryError> {
    let invalid = |reason| RepositoryError::InvalidName {
        kind,
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() {
        return Err(invalid("empty"));
    }
    if name.len() > MAX_NAME {
        return Err(invalid("longer than 128 bytes"));
    }
    if !name.bytes().all(|byte| {
        byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'@' | b'+')
    }) {
        return Err(invalid(
            "only letters, digits, '.', '-', '_', '@' and '+' are allowed",
        ));
    }
    if name.starts_with(['.', '-']) {
        return Err(invalid("must start with a letter, digit, '_', '@' or '+'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names() {
        for good in ["conary.example.com", "localhost", "a", "repo_1", "x-y.z"] {
            check_server_name(good).expect(good);
        }
        for bad in [
            "",
            "a@b",
            "a:b",
            "a b",
            "a/b",
            ".a",
            "-a",
            &"a".repeat(254),
            "é",
        ] {
            check_server_name(bad).expect_err(bad);
        }
    }

    #[test]
    fn user_names() {
        for good in ["alice", "bob.smith", "ci+bot", "me@example.com", "_svc"] {
            check_name("user", good).expect(good);
        }
        for bad in ["", "a:b", "a b", "tab\t", "-opt", &"a".repeat(129), "ü"] {
            check_name("user", bad).expect_err(bad);
        }
        assert_eq!(
            check_name("role", "a:b").expect_err("colon").to_string(),
            "invalid role name 'a:b': only letters, digits, '.', '-', '_', '@' and '+' are allowed"
        );
    }
}
