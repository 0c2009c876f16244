//! [`ServerMap`]: which server holds a label, and what to tell it.
//!
//! A label's host (`conary.example.com` in `conary.example.com@rpl:2`)
//! names a repository; `repositoryMap HOST URL` says where its server
//! answers. A `repositoryMap` host may be a glob (`*.example.com`); an exact
//! host wins over globs, and among globs the longest pattern wins. Host
//! names compare without regard to case, as DNS does.

use std::collections::BTreeMap;
use std::path::Path;

use conary_core::config::{Config, glob_matches};
use conary_core::version::Label;
use reqwest::Url;

use crate::credentials::{Credentials, Entitlement, User, read_entitlement_directory};
use crate::error::ClientError;

/// One repository server: the host it serves, the base URL of its API and
/// the credentials to send it.
///
/// ```rust
/// let server = conary_client::Server::new("localhost", "http://127.0.0.1:8000", Default::default())?;
/// assert_eq!(server.url(), "http://127.0.0.1:8000/");
/// assert_eq!(server.endpoint("info").as_str(), "http://127.0.0.1:8000/api/v1/info");
/// # Ok::<(), conary_client::ClientError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    host: String,
    url: Url,
    credentials: Credentials,
}

impl Server {
    /// A server for `host` at the base URL `url` (`http` or `https`; a
    /// trailing `/` is added when missing, and a user and password in the
    /// URL become the credentials when `credentials` has no user).
    pub fn new(host: &str, url: &str, credentials: Credentials) -> Result<Server, ClientError> {
        let mut parsed = Url::parse(url).map_err(|error| ClientError::BadServerUrl {
            host: host.to_string(),
            url: redact(url),
            reason: error.to_string(),
        })?;
        let bad = |reason: &str| ClientError::BadServerUrl {
            host: host.to_string(),
            url: redact(url),
            reason: reason.to_string(),
        };
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("only http and https are supported"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad("a server URL has no query or fragment"));
        }
        let mut credentials = credentials;
        if !parsed.username().is_empty() && credentials.user.is_none() {
            credentials.user = Some(User {
                name: parsed.username().to_string(),
                password: parsed.password().map(str::to_string),
            });
        }
        // Never keep a password in a URL: URLs end up in error messages.
        parsed
            .set_username("")
            .and_then(|()| parsed.set_password(None))
            .map_err(|()| bad("cannot remove the user from the URL"))?;
        if !parsed.path().ends_with('/') {
            let path = format!("{}/", parsed.path());
            parsed.set_path(&path);
        }
        Ok(Server {
            host: host.to_string(),
            url: parsed,
            credentials,
        })
    }

    /// The repository host this server answers for.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The base URL, ending in `/`.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The credentials sent to this server.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The URL of an API route: `path` is relative to `/api/v1/`, e.g.
    /// `blobs/<digest>`.
    pub fn endpoint(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        let joined = format!("{}api/v1/{}", self.url.path(), path.trim_start_matches('/'));
        url.set_path(&joined);
        url
    }
}

/// Removes a password from a URL written in the configuration, for messages.
fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("<hidden>"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// The servers of every configured repository host, with their credentials.
///
/// ```rust
/// use conary_core::config::Config;
/// use conary_client::ServerMap;
///
/// let mut config = Config::default();
/// config.apply_text(
///     "repositoryMap conary.example.com https://repo.example.com/\n\
///      user *.example.com alice secret\n",
///     "conaryrc",
/// )?;
/// let servers = ServerMap::from_config(&config)?;
/// let label = "conary.example.com@rpl:2".parse()?;
/// let server = servers.server_for_label(&label)?;
/// assert_eq!(server.url(), "https://repo.example.com/");
/// assert_eq!(server.credentials().user.as_ref().map(|user| user.name.as_str()), Some("alice"));
/// assert!(servers.server("other.example.org").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ServerMap {
    /// Lowercased host or host glob → base URL as configured.
    repository_map: BTreeMap<String, String>,
    /// `user` lines: (lowercased host glob, user), in order.
    users: Vec<(String, User)>,
    /// `entitlement` lines then entitlement files: (lowercased host glob, entitlement).
    entitlements: Vec<(String, Entitlement)>,
}

impl ServerMap {
    /// The servers of `config`: its `repositoryMap`, `user` and
    /// `entitlement` lines, and the entitlement files of its
    /// `entitlementDirectory` (read as written: the caller makes it relative
    /// to `--root`; a directory that does not exist adds nothing).
    ///
    /// Entitlement files: one file per host, named after the host, whose
    /// first line that is neither blank nor a `#` comment holds `KEY` or
    /// `CLASS KEY`. Keys from `entitlement` lines come first.
    pub fn from_config(config: &Config) -> Result<ServerMap, ClientError> {
        let mut map = ServerMap::default();
        for (host, url) in &config.repository_map {
            // Checked now, so a bad line is reported even if unused.
            Server::new(host, url, Credentials::default())?;
            map.repository_map
                .insert(host.to_ascii_lowercase(), url.clone());
        }
        for user in &config.users {
            map.users.push((
                user.host_glob.to_ascii_lowercase(),
                User {
                    name: user.user.clone(),
                    password: user.password.clone(),
                },
            ));
        }
        for (host_glob, class, key) in &config.entitlements {
            map.add_entitlement(
                host_glob,
                Entitlement {
                    class: (!class.is_empty()).then(|| class.clone()),
                    key: key.clone(),
                },
            );
        }
        if let Some(directory) = &config.entitlement_directory {
            map.load_entitlement_directory(Path::new(directory))?;
        }
        Ok(map)
    }

    /// Adds the entitlement files of `directory` (see [`ServerMap::from_config`]).
    pub fn load_entitlement_directory(&mut self, directory: &Path) -> Result<(), ClientError> {
        for (host, entitlement) in read_entitlement_directory(directory)? {
            self.add_entitlement(&host, entitlement);
        }
        Ok(())
    }

    /// Adds an entitlement for the hosts matching `host_glob`, after those
    /// already known.
    pub fn add_entitlement(&mut self, host_glob: &str, entitlement: Entitlement) {
        self.entitlements
            .push((host_glob.to_ascii_lowercase(), entitlement));
    }

    /// The configured hosts and host globs, in order.
    pub fn hosts(&self) -> impl Iterator<Item = &str> {
        self.repository_map.keys().map(String::as_str)
    }

    /// The server for the host of `label`.
    pub fn server_for_label(&self, label: &Label) -> Result<Server, ClientError> {
        self.server(label.host())
    }

    /// The server for `host`, with the credentials of the first matching
    /// `user` line and the first matching entitlement.
    pub fn server(&self, host: &str) -> Result<Server, ClientError> {
        let lower = host.to_ascii_lowercase();
        let url = self
            .repository_map
            .get(&lower)
            .or_else(|| {
                self.repository_map
                    .iter()
                    .filter(|(glob, _)| glob_matches(glob, &lower))
                    .max_by_key(|(glob, _)| glob.len())
                    .map(|(_, url)| url)
            })
            .ok_or_else(|| ClientError::NoServer {
                host: host.to_string(),
            })?;
        Server::new(host, url, self.credentials(host))
    }

    /// The credentials for `host` (also for hosts without a server).
    pub fn credentials(&self, host: &str) -> Credentials {
        let lower = host.to_ascii_lowercase();
        Credentials {
            user: self
                .users
                .iter()
                .find(|(glob, _)| glob_matches(glob, &lower))
                .map(|(_, user)| user.clone()),
            entitlement: self
                .entitlements
                .iter()
                .find(|(glob, _)| glob_matches(glob, &lower))
                .map(|(_, entitlement)| entitlement.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> ServerMap {
        let mut config = Config::default();
        config.apply_text(text, "rc").expect("valid config");
        ServerMap::from_config(&config).expect("valid map")
    }

    #[test]
    fn routes_labels_by_host() {
        let servers = map("repositoryMap a.example.com http://a:1/conary\n\
             repositoryMap *.example.com https://wild/\n\
             repositoryMap *.com https://widest/\n\
             repositoryMap localhost http://127.0.0.1:8000/\n");
        let cases = [
            ("a.example.com@rpl:2", "http://a:1/conary/"),
            ("A.Example.COM@rpl:2", "http://a:1/conary/"),
            ("b.example.com@rpl:2", "https://wild/"),
            ("other.com@rpl:2", "https://widest/"),
            ("localhost@local:1", "http://127.0.0.1:8000/"),
        ];
        for (label, url) in cases {
            let label: Label = label.parse().expect("valid label");
            let server = servers.server_for_label(&label).expect("routed");
            assert_eq!(server.url(), url, "{label}");
            assert_eq!(server.host(), label.host());
        }
        assert_eq!(
            servers.hosts().collect::<Vec<_>>(),
            ["*.com", "*.example.com", "a.example.com", "localhost"]
        );
    }

    #[test]
    fn unknown_host_says_what_to_add() {
        let error = map("repositoryMap a http://a/\n")
            .server("b.example.org")
            .expect_err("unknown host");
        assert_eq!(
            error.to_string(),
            "no repositoryMap entry for host 'b.example.org'; \
             add 'repositoryMap b.example.org URL' to your config"
        );
    }

    #[test]
    fn bad_urls_are_refused_when_read() {
        let cases = [
            ("ftp://a/", "only http and https are supported"),
            ("not-a-url", "relative URL without a base"),
            ("http://a/?x=1", "a server URL has no query or fragment"),
        ];
        for (url, reason) in cases {
            let mut config = Config::default();
            config
                .apply_line(&format!("repositoryMap h {url}"), "rc")
                .expect("config line");
            let error = ServerMap::from_config(&config).expect_err(url);
            assert_eq!(
                error.to_string(),
                format!("bad repositoryMap URL '{url}' for host 'h': {reason}")
            );
        }
    }

    #[test]
    fn endpoints_keep_the_base_path() {
        let server = Server::new("h", "http://a:1/conary", Credentials::default()).expect("url");
        assert_eq!(
            server.endpoint("blobs/00").as_str(),
            "http://a:1/conary/api/v1/blobs/00"
        );
        assert_eq!(
            server.endpoint("/info").as_str(),
            "http://a:1/conary/api/v1/info"
        );
    }

    #[test]
    fn first_matching_user_and_entitlement() {
        let servers = map("repositoryMap *.example.com http://x/\n\
             user a.example.com alice pa\n\
             user *.example.com bob pb\n\
             user * carol\n\
             entitlement *.example.com gold k1\n\
             entitlement b.example.com k2\n");
        let names = |host: &str| {
            let credentials = servers.server(host).expect("server").credentials().clone();
            (
                credentials.user.map(|user| user.name),
                credentials.entitlement.map(|entitlement| entitlement.key),
            )
        };
        assert_eq!(
            names("a.example.com"),
            (Some("alice".into()), Some("k1".into()))
        );
        assert_eq!(
            names("B.example.com"),
            (Some("bob".into()), Some("k1".into()))
        );
        let other = servers.credentials("elsewhere");
        assert_eq!(other.user.map(|user| user.name), Some("carol".into()));
        assert_eq!(other.entitlement, None);
    }

    #[test]
    fn entitlement_directory_adds_keys_after_lines() {
        let directory = tempfile::tempdir().expect("temp dir");
        std::fs::write(directory.path().join("a.example.com"), "file-key\n").expect("write");
        std::fs::write(directory.path().join("b.example.com"), "cls b-key\n").expect("write");
        let mut config = Config::default();
        config
            .apply_text(
                &format!(
                    "repositoryMap *.example.com http://x/\n\
                     entitlement a.example.com line-key\n\
                     entitlementDirectory {}\n",
                    directory.path().display()
                ),
                "rc",
            )
            .expect("valid config");
        let servers = ServerMap::from_config(&config).expect("valid map");
        let key = |host: &str| {
            servers
                .credentials(host)
                .entitlement
                .map(|e| (e.class, e.key))
        };
        assert_eq!(key("a.example.com"), Some((None, "line-key".into())));
        assert_eq!(
            key("b.example.com"),
            Some((Some("cls".into()), "b-key".into()))
        );
        assert_eq!(key("c.example.com"), None);
    }

    #[test]
    fn user_in_url_becomes_credentials_and_leaves_the_url() {
        let server = Server::new(
            "h",
            "https://dave:pw@repo.example.com/",
            Credentials::default(),
        )
        .expect("url");
        assert_eq!(server.url(), "https://repo.example.com/");
        let user = server.credentials().user.clone().expect("user from url");
        assert_eq!(
            (user.name.as_str(), user.password.as_deref()),
            ("dave", Some("pw"))
        );
        let error =
            Server::new("h", "ftp://dave:pw@x/", Credentials::default()).expect_err("bad scheme");
        assert!(!error.to_string().contains("pw@"), "{error}");
    }
}
