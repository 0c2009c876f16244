//! Conary's configuration (`conaryrc`): `key value` lines, parsed into types.
//!
//! The same grammar is read from `<root>/etc/conaryrc`, `~/.conaryrc`,
//! `--config-file PATH` and each `--config 'KEY VALUE'` option, in that
//! order. Reading files (and following `includeConfigFile`) is the caller's
//! job: this module only parses text, so it stays free of I/O like the rest
//! of `conary-core`.
//!
//! # Lines
//!
//! A line is a key (matched without regard to case), white space, then the
//! value. `#` starts a comment unless escaped as `\#` (`\\` is a
//! backslash); a line ending in `\` (with no comment) continues on the next.
//! `[name]` starts a *context*: the lines after it, up to the end of the
//! text, are kept under that name and applied over the main values by
//! [`Config::set_context`] (`conary --context NAME`, or the `context` key).
//!
//! # How a later line combines with an earlier one
//!
//! As in the original's `cfgtypes`:
//!
//! | kind | keys | a later line |
//! |---|---|---|
//! | single value | `buildLabel`, `buildFlavor`, `dbPath`, `autoResolve`, … | replaces |
//! | line list | `installLabelPath`, `searchPath` (white space), `pubRing`, `useDirs`, `archDirs`, `componentDirs`, `policyDirs` (`:`) | replaces the whole list |
//! | list | `flavor`, `flavorPreferences`, `user`, `entitlement`, `trustedKeys`, `signatureKeyMap`, `proxyMap` (one item per line); `excludeTroves`, `pinTroves` (white-space separated items) | appends |
//! | map | `repositoryMap` (host), `macros` (name), `conaryProxy`, `proxy` (scheme) | adds or replaces one entry |
//!
//! The value `[]` empties any list or map. A context replaces the lists and
//! single values it sets and merges the maps, credentials, entitlements and
//! proxy maps into the main ones.
//!
//! ```rust
//! use conary_core::config::Config;
//!
//! let mut config = Config::default();
//! config.apply_text("installLabelPath conary.example.com@plat:1\nflavor is: x86_64\n", "conaryrc")?;
//! config.apply_line("repositoryMap conary.example.com http://127.0.0.1:8000/", "--config")?;
//! assert_eq!(config.install_label_path[0].to_string(), "conary.example.com@plat:1");
//! assert_eq!(config.repository_url("conary.example.com"), Some("http://127.0.0.1:8000/"));
//! # Ok::<(), conary_core::config::ConfigError>(())
//! ```

mod glob;
mod keys;

use std::collections::BTreeMap;
use std::fmt;

use crate::flavor::Flavor;
use crate::version::Label;

pub use glob::{glob_matches, select_host_glob};
use keys::Setting;

/// An error in a configuration line.
///
/// ```rust
/// use conary_core::config::{Config, ConfigError};
/// let error = Config::default().apply_line("autoResolve maybe", "conaryrc:3").expect_err("not a boolean");
/// assert!(matches!(error, ConfigError::BadValue { key: "autoResolve", .. }));
/// assert_eq!(error.to_string(), "conaryrc:3: invalid value 'maybe' for 'autoResolve': expected True or False");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The key is not one Conary knows.
    #[error("{origin}: unknown configuration key '{key}'")]
    UnknownKey {
        /// Where the line came from (file name and line, or `--config`).
        origin: String,
        /// The key as written.
        key: String,
    },
    /// The value of a known key could not be parsed.
    #[error("{origin}: invalid value '{value}' for '{key}': {reason}")]
    BadValue {
        /// Where the line came from (file name and line, or `--config`).
        origin: String,
        /// The key, in its canonical spelling.
        key: &'static str,
        /// The value as written.
        value: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// A `[context]` line names no context.
    #[error("{origin}: invalid context line '{line}': empty context name")]
    BadContext {
        /// Where the line came from.
        origin: String,
        /// The line as written.
        line: String,
    },
    /// [`Config::set_context`] was asked for a context no `[name]` section
    /// defines.
    #[error("unknown context '{name}'")]
    UnknownContext {
        /// The context asked for.
        name: String,
    },
}

/// Credentials for one repository host (`user HOST NAME [PASSWORD]`). The
/// password is never shown by `Debug`.
///
/// ```rust
/// use conary_core::config::Config;
/// let mut config = Config::default();
/// config.apply_line("user *.example.com alice s3cret", "--config")?;
/// let credentials = config.user_for("repo.example.com").expect("glob matches");
/// assert_eq!(credentials.user, "alice");
/// assert!(!format!("{credentials:?}").contains("s3cret"));
/// # Ok::<(), conary_core::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UserCredentials {
    /// Host name, or a glob such as `*.example.com`.
    pub host_glob: String,
    /// The user name.
    pub user: String,
    /// The password, when given in the configuration.
    pub password: Option<String>,
}

impl fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserCredentials")
            .field("host_glob", &self.host_glob)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// The effective configuration of one `conary` or `cvc` run.
///
/// Single values the original gives a default for are `None` (or `false`)
/// until set, except `autoResolvePackages` and `cleanAfterCook`, which are
/// on by default as in the original.
///
/// ```rust
/// use conary_core::config::Config;
/// let mut config = Config::default();
/// config.apply_text("flavor ssl is: x86_64\nflavor is: x86\npinTroves kernel.* glibc\n", "conaryrc")?;
/// assert_eq!(config.flavor.len(), 2);
/// assert_eq!(config.pin_troves, ["kernel.*", "glibc"]);
/// assert!(config.auto_resolve_packages);
/// # Ok::<(), conary_core::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `installLabelPath`: labels searched, in order, for troves named
    /// without a label.
    pub install_label_path: Vec<Label>,
    /// `flavor`: the system flavor path; the first entry that yields a
    /// result wins.
    pub flavor: Vec<Flavor>,
    /// `flavorPreferences`: ordered flavor preferences (`is: x86_64` before
    /// `is: x86`), one per line.
    pub flavor_preferences: Vec<Flavor>,
    /// `buildFlavor`: the flavor `cvc cook` builds for when none is given.
    pub build_flavor: Option<Flavor>,
    /// `buildLabel`: the label `cvc` commits new sources and builds to.
    pub build_label: Option<Label>,
    /// `searchPath`: labels and trove specs searched by the system model.
    pub search_path: Vec<String>,
    /// `excludeTroves`: regular expressions of trove names never installed.
    pub exclude_troves: Vec<String>,
    /// `pinTroves`: regular expressions of trove names that are pinned.
    pub pin_troves: Vec<String>,
    /// `updateThreshold`: how many troves one update job may hold (the
    /// original's default is 15).
    pub update_threshold: Option<u32>,
    /// `autoResolve`: resolve missing dependencies from the label path on
    /// update.
    pub auto_resolve: bool,
    /// `autoResolvePackages`: resolve with whole packages rather than single
    /// components (on by default).
    pub auto_resolve_packages: bool,
    /// `resolveLevel`: how hard dependency resolution tries (the original's
    /// default is 2).
    pub resolve_level: Option<u32>,
    /// `keepRequired`: do not erase troves other troves still require.
    pub keep_required: bool,
    /// `dbPath`: local database directory under the root
    /// (`/var/lib/conarydb` when unset).
    pub db_path: Option<String>,
    /// `modelPath`: system model path under the root
    /// (`/etc/conary/system-model` when unset).
    pub model_path: Option<String>,
    /// `localRollbacks`: keep full inverse contents in rollbacks instead of
    /// repository references.
    pub local_rollbacks: bool,
    /// `root`: the root directory operated on (`/` when unset).
    pub root: Option<String>,
    /// `tmpDir`: temporary directory.
    pub tmp_dir: Option<String>,
    /// `repositoryMap`: repository host (or host glob) → base URL of its
    /// server; see [`Config::repository_url`].
    pub repository_map: BTreeMap<String, String>,
    /// `user`: credentials, in order of appearance; see [`Config::user_for`].
    pub users: Vec<UserCredentials>,
    /// `entitlement`: entitlement keys as (host glob, class, key); the class
    /// is empty when not given.
    pub entitlements: Vec<(String, String, String)>,
    /// `entitlementDirectory`: directory holding one entitlement file per
    /// host.
    pub entitlement_directory: Option<String>,
    /// `proxyMap`: (host pattern, targets) pairs, in order; a target is a
    /// proxy URL or `DIRECT`.
    pub proxy_map: Vec<(String, Vec<String>)>,
    /// `conaryProxy`: scheme (`http`, `https`) → URL of an upstream Conary
    /// proxy.
    pub conary_proxy: BTreeMap<String, String>,
    /// `proxy`: scheme (`http`, `https`) → URL of an HTTP proxy.
    pub proxy: BTreeMap<String, String>,
    /// `signatureKey`: fingerprint of the key that signs commits (spaces
    /// removed; `None` for none). Setting it empties `signatureKeyMap`.
    pub signature_key: Option<String>,
    /// `signatureKeyMap`: (label regular expression, fingerprint or none)
    /// pairs, in order.
    pub signature_key_map: Vec<(String, Option<String>)>,
    /// `trustThreshold`: the trust level a signature needs (the original's
    /// default is 0).
    pub trust_threshold: Option<u32>,
    /// `trustedKeys`: fingerprints of trusted signing keys, one per line.
    pub trusted_keys: Vec<String>,
    /// `pubRing`: public keyrings, the first one writable.
    pub pub_ring: Vec<String>,
    /// `buildPath`: where `cvc cook` builds.
    pub build_path: Option<String>,
    /// `lookaside`: the cache of fetched sources.
    pub lookaside: Option<String>,
    /// `macros`: build macros set by name.
    pub macros: BTreeMap<String, String>,
    /// `useDirs`: directories of use flag definitions.
    pub use_dirs: Vec<String>,
    /// `archDirs`: directories of instruction set definitions.
    pub arch_dirs: Vec<String>,
    /// `componentDirs`: directories of component filters.
    pub component_dirs: Vec<String>,
    /// `policyDirs`: directories of build policy.
    pub policy_dirs: Vec<String>,
    /// `recipeTemplate`: the template `cvc newpkg` starts recipes from.
    pub recipe_template: Option<String>,
    /// `cleanAfterCook`: remove the build directory after a successful cook
    /// (on by default).
    pub clean_after_cook: bool,
    /// `fullVersions`: show full versions in output.
    pub full_versions: bool,
    /// `fullFlavors`: show full flavors in output.
    pub full_flavors: bool,
    /// `showLabels`: show labels in output.
    pub show_labels: bool,
    /// `showComponents`: show components in output.
    pub show_components: bool,
    /// `context`: the context to apply (see [`Config::set_context`]).
    pub context: Option<String>,
    /// `name`: the builder's name (recorded as lineage).
    pub name: Option<String>,
    /// `contact`: the builder's contact (recorded as lineage).
    pub contact: Option<String>,
    /// `includeConfigFile`: further configuration files to read (paths,
    /// globs or URLs), in order.
    pub include_config_files: Vec<String>,
    /// The `[name]` contexts: each one's lines as (origin, line), in order.
    pub contexts: BTreeMap<String, Vec<(String, String)>>,
    /// Keys of the original that this implementation does not use
    /// (`threaded`, `interactive`, `logFile`, …): every value, in order,
    /// under the key's canonical spelling.
    pub other: BTreeMap<String, Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            install_label_path: Vec::new(),
            flavor: Vec::new(),
            flavor_preferences: Vec::new(),
            build_flavor: None,
            build_label: None,
            search_path: Vec::new(),
            exclude_troves: Vec::new(),
            pin_troves: Vec::new(),
            update_threshold: None,
            auto_resolve: false,
            auto_resolve_packages: true,
            resolve_level: None,
            keep_required: false,
            db_path: None,
            model_path: None,
            local_rollbacks: false,
            root: None,
            tmp_dir: None,
            repository_map: BTreeMap::new(),
            users: Vec::new(),
            entitlements: Vec::new(),
            entitlement_directory: None,
            proxy_map: Vec::new(),
            conary_proxy: BTreeMap::new(),
            proxy: BTreeMap::new(),
            signature_key: None,
            signature_key_map: Vec::new(),
            trust_threshold: None,
            trusted_keys: Vec::new(),
            pub_ring: Vec::new(),
            build_path: None,
            lookaside: None,
            macros: BTreeMap::new(),
            use_dirs: Vec::new(),
            arch_dirs: Vec::new(),
            component_dirs: Vec::new(),
            policy_dirs: Vec::new(),
            recipe_template: None,
            clean_after_cook: true,
            full_versions: false,
            full_flavors: false,
            show_labels: false,
            show_components: false,
            context: None,
            name: None,
            contact: None,
            include_config_files: Vec::new(),
            contexts: BTreeMap::new(),
            other: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Applies every line of a configuration text; `origin` names the file
    /// in errors (with the line number). A `[name]` line sends the lines
    /// after it, to the end of the text, to that context.
    pub fn apply_text(&mut self, text: &str, origin: &str) -> Result<(), ConfigError> {
        let mut context: Option<String> = None;
        let mut lines = text.lines().enumerate();
        while let Some((index, first)) = lines.next() {
            let line_origin = format!("{origin}:{}", index.saturating_add(1));
            let mut line = first.to_owned();
            let mut has_comment = first.contains('#');
            // A trailing `\` (outside a comment) joins the next line.
            while !has_comment && line.ends_with('\\') {
                line.pop();
                match lines.next() {
                    Some((_, next)) => {
                        has_comment = next.contains('#');
                        line.push_str(next);
                    }
                    None => break,
                }
            }
            let trimmed = line.trim();
            if let Some(name) = trimmed
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
            {
                let name = name.trim();
                if name.is_empty() {
                    return Err(ConfigError::BadContext {
                        origin: line_origin,
                        line: trimmed.to_owned(),
                    });
                }
                self.contexts.entry(name.to_owned()).or_default();
                context = Some(name.to_owned());
                continue;
            }
            match &context {
                Some(name) => self.add_context_line(name, &line, &line_origin)?,
                None => self.apply_line(&line, &line_origin)?,
            }
        }
        Ok(())
    }

    /// Checks a line of a context against a scratch configuration (so that
    /// errors are reported where the line is) and keeps it.
    fn add_context_line(
        &mut self,
        name: &str,
        line: &str,
        origin: &str,
    ) -> Result<(), ConfigError> {
        if split_line(line).is_none() {
            return Ok(());
        }
        Config::default().apply_line(line, origin)?;
        self.contexts
            .entry(name.to_owned())
            .or_default()
            .push((origin.to_owned(), line.to_owned()));
        Ok(())
    }

    /// Applies one `key value` line; blank lines and `#` comments are
    /// ignored.
    pub fn apply_line(&mut self, line: &str, origin: &str) -> Result<(), ConfigError> {
        let Some((key_text, value)) = split_line(line) else {
            return Ok(());
        };
        let key = Setting::find(&key_text).ok_or_else(|| ConfigError::UnknownKey {
            origin: origin.to_owned(),
            key: key_text.clone(),
        })?;
        keys::apply(self, key, &value).map_err(|reason| ConfigError::BadValue {
            origin: origin.to_owned(),
            key: key.name(),
            value: redact_url_passwords(&value),
            reason,
        })
    }

    /// Applies the context `name` over the main values: lists and single
    /// values it sets replace the main ones; repository maps, credentials,
    /// entitlements, macros and proxies merge into them. Records `name` as
    /// [`Config::context`].
    ///
    /// ```rust
    /// use conary_core::config::Config;
    /// let mut config = Config::default();
    /// config.apply_text(
    ///     "buildLabel a@b:main\nflavor is: x86_64\n[devel]\nbuildLabel a@b:devel\n",
    ///     "conaryrc",
    /// )?;
    /// config.set_context("devel")?;
    /// assert_eq!(config.build_label.map(|l| l.to_string()).as_deref(), Some("a@b:devel"));
    /// assert_eq!(config.flavor.len(), 1);
    /// # Ok::<(), conary_core::config::ConfigError>(())
    /// ```
    pub fn set_context(&mut self, name: &str) -> Result<(), ConfigError> {
        let lines =
            self.contexts
                .get(name)
                .cloned()
                .ok_or_else(|| ConfigError::UnknownContext {
                    name: name.to_owned(),
                })?;
        let mut replaced: Vec<Setting> = Vec::new();
        for (origin, line) in &lines {
            let Some((key_text, _)) = split_line(line) else {
                continue;
            };
            if let Some(key) = Setting::find(&key_text)
                && !key.merges_from_context()
                && !replaced.contains(&key)
            {
                keys::reset(self, key);
                replaced.push(key);
            }
            self.apply_line(line, origin)?;
        }
        self.context = Some(name.to_owned());
        Ok(())
    }

    /// The credentials configured for `host`: an exact host name first,
    /// then the most specific glob (see [`select_host_glob`]).
    pub fn user_for(&self, host: &str) -> Option<&UserCredentials> {
        let globs = self.users.iter().map(|user| user.host_glob.as_str());
        self.users.get(select_host_glob(globs, host)?)
    }

    /// The repository URL for `host` from `repositoryMap`: an exact host
    /// name first, then the most specific glob.
    ///
    /// ```rust
    /// use conary_core::config::Config;
    /// let mut config = Config::default();
    /// config.apply_line("repositoryMap *.example.com https://mirror.example.com/conary/", "rc")?;
    /// config.apply_line("repositoryMap repo.example.com https://repo.example.com/conary/", "rc")?;
    /// assert_eq!(config.repository_url("repo.example.com"), Some("https://repo.example.com/conary/"));
    /// assert_eq!(config.repository_url("other.example.com"), Some("https://mirror.example.com/conary/"));
    /// assert_eq!(config.repository_url("example.org"), None);
    /// # Ok::<(), conary_core::config::ConfigError>(())
    /// ```
    pub fn repository_url(&self, host: &str) -> Option<&str> {
        let globs = self.repository_map.keys().map(String::as_str);
        let index = select_host_glob(globs, host)?;
        self.repository_map.values().nth(index).map(String::as_str)
    }
}

/// Splits a line into its key and value, without its comment; `None` for a
/// blank or comment line.
fn split_line(line: &str) -> Option<(String, String)> {
    let line = strip_comment(line);
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (key, value) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(key, value)| (key, value.trim()));
    Some((key.to_owned(), value.to_owned()))
}

/// Removes a `#` comment; `\#` is a literal `#` and `\\` a backslash, as
/// in the original.
fn strip_comment(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => break,
            '\\' => match chars.next() {
                Some(escaped @ ('#' | '\\')) => out.push(escaped),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    out
}

/// Hides the password of any `scheme://user:password@host` URL in `text`, so
/// an error about a configuration line never repeats a secret.
fn redact_url_passwords(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let Some((scheme, rest)) = word.split_once("://") else {
                return word.to_owned();
            };
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((credentials, host)) if credentials.contains(':') => {
                    let user = credentials.split(':').next().unwrap_or("");
                    format!("{scheme}://{user}:<password>@{host}{path}")
                }
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
