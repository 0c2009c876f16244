//! What the client tells a server about who it is: a user name and password
//! (`user HOST NAME PASSWORD`) or an entitlement key (`entitlement HOST
//! CLASS KEY`, or a file in `entitlementDirectory`).
//!
//! The server reads one `Authorization` header: `Basic` for a user,
//! `Bearer` for an entitlement key. When both are configured for a host the
//! user wins, since it names a person; a user without a password sends
//! nothing (libraries never prompt) and the `401` says what to add.

use std::fmt;
use std::io::Read as _;
use std::path::Path;

use crate::error::{ClientError, chain};

/// The largest entitlement file read; keys are short.
const MAX_ENTITLEMENT_FILE: u64 = 64 * 1024;

/// A user of a repository, from the first `user` line whose host glob
/// matches. The password never appears in `Debug` output.
///
/// ```rust
/// let user = conary_client::User { name: "alice".into(), password: Some("secret".into()) };
/// assert_eq!(format!("{user:?}"), r#"User { name: "alice", password: Some("<hidden>") }"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// The user name.
    pub name: String,
    /// The password, when the configuration gives one.
    pub password: Option<String>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// An entitlement: a secret key granting the access of its class. The key
/// never appears in `Debug` output.
///
/// ```rust
/// let entitlement = conary_client::Entitlement { class: Some("customer".into()), key: "ab12".into() };
/// assert_eq!(
///     format!("{entitlement:?}"),
///     r#"Entitlement { class: Some("customer"), key: "<hidden>" }"#
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Entitlement {
    /// The entitlement class, when known (the server finds it from the key).
    pub class: Option<String>,
    /// The key.
    pub key: String,
}

impl fmt::Debug for Entitlement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entitlement")
            .field("class", &self.class)
            .field("key", &"<hidden>")
            .finish()
    }
}

/// Everything configured for one host.
///
/// ```rust
/// use conary_client::{Authorization, Credentials, User};
/// let credentials = Credentials { user: Some(User { name: "alice".into(), password: None }), entitlement: None };
/// assert_eq!(credentials.authorization(), Authorization::None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// The user, from the first matching `user` line.
    pub user: Option<User>,
    /// The entitlement, from the first matching `entitlement` line or file.
    pub entitlement: Option<Entitlement>,
}

/// What one request carries in its `Authorization` header.
///
/// ```rust
/// use conary_client::{Authorization, Credentials, Entitlement};
/// let credentials = Credentials { user: None, entitlement: Some(Entitlement { class: None, key: "k".into() }) };
/// assert_eq!(credentials.authorization(), Authorization::Bearer("k"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Authorization<'a> {
    /// No header: anonymous access.
    None,
    /// `Basic`: user name and password.
    Basic {
        /// The user name.
        user: &'a str,
        /// The password.
        password: &'a str,
    },
    /// `Bearer`: an entitlement key.
    Bearer(&'a str),
}

impl fmt::Debug for Authorization<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authorization::None => f.write_str("None"),
            Authorization::Basic { user, .. } => write!(f, "Basic({user:?}, <hidden>)"),
            Authorization::Bearer(_) => f.write_str("Bearer(<hidden>)"),
        }
    }
}

impl Credentials {
    /// The header to send: the user when it has a password, else the
    /// entitlement key, else nothing.
    pub fn authorization(&self) -> Authorization<'_> {
        if let Some(User {
            name,
            password: Some(password),
        }) = &self.user
        {
            Authorization::Basic {
                user: name,
                password,
            }
        } else if let Some(entitlement) = &self.entitlement {
            Authorization::Bearer(&entitlement.key)
        } else {
            Authorization::None
        }
    }

    /// What to tell the user when `host` refuses these credentials (`401`).
    pub(crate) fn failure_hint(&self, host: &str) -> Result<String, String> {
        match (self.authorization(), &self.user) {
            (Authorization::Basic { user, .. }, _) => Ok(format!(
                "user '{user}': check the 'user {host} {user} PASSWORD' line"
            )),
            (Authorization::Bearer(_), _) => Ok(format!(
                "entitlement key: check the 'entitlement {host} CLASS KEY' line or the entitlement file for {host}"
            )),
            (Authorization::None, Some(user)) => Err(format!(
                "user '{}' has no password: add it to the 'user' line ('user {host} {} PASSWORD')",
                user.name, user.name
            )),
            (Authorization::None, None) => Err(format!(
                "add 'user {host} NAME PASSWORD' or an entitlement for {host} to your config"
            )),
        }
    }
}

/// Reads the entitlement file of one host: the first line that is neither
/// blank nor a `#` comment, holding `KEY` or `CLASS KEY`.
///
/// ```rust
/// let entitlement = conary_client::credentials::parse_entitlement_file("# for customers\ncustomer 0123abcd\n")
///     .expect("one key");
/// assert_eq!(entitlement.class.as_deref(), Some("customer"));
/// assert_eq!(entitlement.key, "0123abcd");
/// ```
pub fn parse_entitlement_file(text: &str) -> Result<Entitlement, String> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .ok_or_else(|| "holds no key".to_string())?;
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [key] => Ok(Entitlement {
            class: None,
            key: (*key).to_string(),
        }),
        [class, key] => Ok(Entitlement {
            class: Some((*class).to_string()),
            key: (*key).to_string(),
        }),
        _ => Err("expected 'KEY' or 'CLASS KEY' on its first line".to_string()),
    }
}

/// Reads every entitlement file of `directory`: one file per host, named
/// after the host. Hidden files and anything that is not a regular file are
/// skipped; a directory that does not exist holds no entitlements.
pub(crate) fn read_entitlement_directory(
    directory: &Path,
) -> Result<Vec<(String, Entitlement)>, ClientError> {
    let fail = |path: &Path, reason: String| ClientError::EntitlementFile {
        path: path.to_path_buf(),
        reason,
    };
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(fail(directory, chain(&error))),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| fail(directory, chain(&error)))?;
        let path = entry.path();
        let Some(host) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if host.starts_with('.') || !path.is_file() {
            continue;
        }
        let mut text = String::new();
        std::fs::File::open(&path)
            .and_then(|file| file.take(MAX_ENTITLEMENT_FILE).read_to_string(&mut text))
            .map_err(|error| fail(&path, chain(&error)))?;
        let entitlement = parse_entitlement_file(&text).map_err(|reason| fail(&path, reason))?;
        found.push((host, entitlement));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_with_password_wins_over_entitlement() {
        let entitlement = Entitlement {
            class: None,
            key: "key".into(),
        };
        let mut credentials = Credentials {
            user: Some(User {
                name: "alice".into(),
                password: Some("pw".into()),
            }),
            entitlement: Some(entitlement.clone()),
        };
        assert_eq!(
            credentials.authorization(),
            Authorization::Basic {
                user: "alice",
                password: "pw"
            }
        );
        credentials.user = Some(User {
            name: "alice".into(),
            password: None,
        });
        assert_eq!(credentials.authorization(), Authorization::Bearer("key"));
        assert_eq!(Credentials::default().authorization(), Authorization::None);
    }

    #[test]
    fn hints_name_the_line_to_fix() {
        let no_password = Credentials {
            user: Some(User {
                name: "bob".into(),
                password: None,
            }),
            entitlement: None,
        };
        assert_eq!(
            no_password.failure_hint("h"),
            Err(
                "user 'bob' has no password: add it to the 'user' line ('user h bob PASSWORD')"
                    .into()
            )
        );
        assert_eq!(
            Credentials::default().failure_hint("h"),
            Err("add 'user h NAME PASSWORD' or an entitlement for h to your config".into())
        );
    }

    #[test]
    fn entitlement_files() {
        type Expected = Result<(Option<&'static str>, &'static str), &'static str>;
        let cases: &[(&str, Expected)] = &[
            ("k1\n", Ok((None, "k1"))),
            ("  \n# c\nclass k2  \nignored\n", Ok((Some("class"), "k2"))),
            ("", Err("holds no key")),
            ("# only a comment\n", Err("holds no key")),
            (
                "a b c\n",
                Err("expected 'KEY' or 'CLASS KEY' on its first line"),
            ),
        ];
        for (text, expected) in cases {
            let parsed = parse_entitlement_file(text);
            match expected {
                Ok((class, key)) => {
                    let entitlement = parsed.expect("valid file");
                    assert_eq!(entitlement.class.as_deref(), *class, "{text:?}");
                    assert_eq!(entitlement.key, *key, "{text:?}");
                }
                Err(reason) => assert_eq!(parsed, Err((*reason).to_string()), "{text:?}"),
            }
        }
    }

    #[test]
    fn entitlement_directory() {
        let directory = tempfile::tempdir().expect("temp dir");
        std::fs::write(directory.path().join("b.example.com"), "kb\n").expect("write");
        std::fs::write(directory.path().join("a.example.com"), "cls ka\n").expect("write");
        std::fs::write(directory.path().join(".hidden"), "\n").expect("write");
        std::fs::create_dir(directory.path().join("sub")).expect("mkdir");
        let found = read_entitlement_directory(directory.path()).expect("readable");
        let hosts: Vec<&str> = found.iter().map(|(host, _)| host.as_str()).collect();
        assert_eq!(hosts, ["a.example.com", "b.example.com"]);
        assert_eq!(found[0].1.key, "ka");

        let missing = directory.path().join("missing");
        assert!(
            read_entitlement_directory(&missing)
                .expect("absent is empty")
                .is_empty()
        );

        std::fs::write(directory.path().join("c.example.com"), "# nothing\n").expect("write");
        let error = read_entitlement_directory(directory.path()).expect_err("empty file");
        assert!(
            error.to_string().ends_with("c.example.com': holds no key"),
            "{error}"
        );
    }
}
