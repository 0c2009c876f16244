//! Conary's configuration (`conaryrc`): `key value` lines, parsed into types.
//!
//! The same grammar is read from `<root>/etc/conaryrc`, `~/.conaryrc`,
//! `--config-file PATH` and each `--config 'KEY VALUE'` option, in that order;
//! later lines win for single-valued keys and append for list keys (`flavor`,
//! `repositoryMap`, `user`, `entitlement`). Reading files (and following
//! `includeConfigFile`) is the caller's job: this module only parses text, so it
//! stays free of I/O like the rest of `conary-core`.
//!
//! ```rust
//! use conary_core::config::Config;
//!
//! let mut config = Config::default();
//! config.apply_text("installLabelPath conary.example.com@plat:1\nflavor is: x86_64\n", "conaryrc")?;
//! config.apply_line("repositoryMap conary.example.com http://127.0.0.1:8000/", "--config")?;
//! assert_eq!(config.install_label_path[0].to_string(), "conary.example.com@plat:1");
//! assert_eq!(config.repository_map["conary.example.com"], "http://127.0.0.1:8000/");
//! # Ok::<(), conary_core::config::ConfigError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::flavor::Flavor;
use crate::version::Label;

/// An error in a configuration line.
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
    #[error("{origin}: bad value for '{key}': {reason}")]
    BadValue {
        /// Where the line came from (file name and line, or `--config`).
        origin: String,
        /// The key, in its canonical spelling.
        key: &'static str,
        /// What is wrong with the value.
        reason: String,
    },
}

/// Credentials for one repository host (`user HOST NAME [PASSWORD]`).
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Labels searched, in order, for troves named without a label.
    pub install_label_path: Vec<Label>,
    /// The system flavor path: the first entry that yields a result wins.
    pub flavor: Vec<Flavor>,
    /// Ordered flavor preferences (`is: x86_64` before `is: x86`).
    pub flavor_preferences: Vec<Flavor>,
    /// The flavor `cvc cook` builds for when none is given.
    pub build_flavor: Option<Flavor>,
    /// The label `cvc` commits new sources and builds to.
    pub build_label: Option<Label>,
    /// Repository host → base URL of its server.
    pub repository_map: BTreeMap<String, String>,
    /// Credentials, tried in order of appearance.
    pub users: Vec<UserCredentials>,
    /// Entitlement keys: (host glob, class, key).
    pub entitlements: Vec<(String, String, String)>,
    /// Directory holding one entitlement file per host.
    pub entitlement_directory: Option<String>,
    /// Resolve missing dependencies from the label path on update.
    pub auto_resolve: bool,
    /// Do not erase troves other troves still require.
    pub keep_required: bool,
    /// Keep full inverse contents in rollbacks instead of repository references.
    pub local_rollbacks: bool,
    /// The builder's name (recorded as lineage).
    pub name: Option<String>,
    /// The builder's contact (recorded as lineage).
    pub contact: Option<String>,
    /// Fingerprints of trusted signing keys.
    pub trusted_keys: Vec<String>,
    /// Further configuration files to read (globs), in order.
    pub include_config_files: Vec<String>,
    /// Show full versions in output.
    pub full_versions: bool,
    /// Show full flavors in output.
    pub full_flavors: bool,
    /// Show labels in output.
    pub show_labels: bool,
    /// Regular expressions of trove names that are pinned.
    pub pin_troves: Vec<String>,
    /// Regular expressions of trove names never installed.
    pub exclude_troves: Vec<String>,
    /// Local database directory under the root.
    pub db_path: Option<String>,
    /// System model path under the root.
    pub model_path: Option<String>,
    /// Temporary directory.
    pub tmp_dir: Option<String>,
}

impl Config {
    /// Applies every line of a configuration text; `origin` names the file in errors.
    pub fn apply_text(&mut self, text: &str, origin: &str) -> Result<(), ConfigError> {
        for (number, line) in text.lines().enumerate() {
            self.apply_line(line, &format!("{origin}:{}", number + 1))?;
        }
        Ok(())
    }

    /// Applies one `key value` line; blank lines and `#` comments are ignored.
    pub fn apply_line(&mut self, line: &str, origin: &str) -> Result<(), ConfigError> {
        let line = strip_comment(line).trim();
        if line.is_empty() {
            return Ok(());
        }
        let (key, value) = match line.split_once(char::is_whitespace) {
            Some((key, value)) => (key, value.trim()),
            None => (line, ""),
        };
        let bad = |key: &'static str, reason: String| ConfigError::BadValue {
            origin: origin.to_string(),
            key,
            reason,
        };
        match key.to_ascii_lowercase().as_str() {
            "installlabelpath" => {
                self.install_label_path = value
                    .split_whitespace()
                    .map(|label| label.parse::<Label>())
                    .collect::<Result<_, _>>()
                    .map_err(|error| bad("installLabelPath", error.to_string()))?;
            }
            "flavor" => {
                self.flavor
                    .push(value.parse().map_err(|error: crate::flavor::FlavorError| {
                        bad("flavor", error.to_string())
                    })?)
            }
            "flavorpreferences" => {
                self.flavor_preferences = value
                    .split(',')
                    .filter(|part| !part.trim().is_empty())
                    .map(|part| part.trim().parse::<Flavor>())
                    .collect::<Result<_, _>>()
                    .map_err(|error| bad("flavorPreferences", error.to_string()))?;
            }
            "buildflavor" => {
                self.build_flavor =
                    Some(value.parse().map_err(|error: crate::flavor::FlavorError| {
                        bad("buildFlavor", error.to_string())
                    })?);
            }
            "buildlabel" => {
                self.build_label = Some(value.parse().map_err(
                    |error: crate::version::VersionError| bad("buildLabel", error.to_string()),
                )?);
            }
            "repositorymap" => {
                let mut words = value.split_whitespace();
                match (words.next(), words.next(), words.next()) {
                    (Some(host), Some(url), None) => {
                        self.repository_map
                            .insert(host.to_string(), url.to_string());
                    }
                    _ => return Err(bad("repositoryMap", "expected 'HOST URL'".into())),
                }
            }
            "user" => {
                let words: Vec<&str> = value.split_whitespace().collect();
                match words.as_slice() {
                    [host, user] | [host, user, _] => self.users.push(UserCredentials {
                        host_glob: (*host).to_string(),
                        user: (*user).to_string(),
                        password: words.get(2).map(|password| (*password).to_string()),
                    }),
                    _ => return Err(bad("user", "expected 'HOST NAME [PASSWORD]'".into())),
                }
            }
            "entitlement" => {
                let words: Vec<&str> = value.split_whitespace().collect();
                match words.as_slice() {
                    [host, class, key] => self.entitlements.push((
                        (*host).to_string(),
                        (*class).to_string(),
                        (*key).to_string(),
                    )),
                    [host, key] => self.entitlements.push((
                        (*host).to_string(),
                        String::new(),
                        (*key).to_string(),
                    )),
                    _ => {
                        return Err(bad("entitlement", "expected 'HOST [CLASS] KEY'".into()));
                    }
                }
            }
            "entitlementdirectory" => self.entitlement_directory = Some(value.to_string()),
            "autoresolve" => {
                self.auto_resolve = parse_bool(value).map_err(|e| bad("autoResolve", e))?
            }
            "keeprequired" => {
                self.keep_required = parse_bool(value).map_err(|e| bad("keepRequired", e))?
            }
            "localrollbacks" => {
                self.local_rollbacks = parse_bool(value).map_err(|e| bad("localRollbacks", e))?;
            }
            "fullversions" => {
                self.full_versions = parse_bool(value).map_err(|e| bad("fullVersions", e))?
            }
            "fullflavors" => {
                self.full_flavors = parse_bool(value).map_err(|e| bad("fullFlavors", e))?
            }
            "showlabels" => {
                self.show_labels = parse_bool(value).map_err(|e| bad("showLabels", e))?
            }
            "name" => self.name = Some(value.to_string()),
            "contact" => self.contact = Some(value.to_string()),
            "trustedkeys" => self
                .trusted_keys
                .extend(value.split_whitespace().map(str::to_string)),
            "includeconfigfile" => self.include_config_files.push(value.to_string()),
            "pintroves" => self.pin_troves.push(value.to_string()),
            "excludetroves" => self.exclude_troves.push(value.to_string()),
            "dbpath" => self.db_path = Some(value.to_string()),
            "modelpath" => self.model_path = Some(value.to_string()),
            "tmpdir" => self.tmp_dir = Some(value.to_string()),
            _ => {
                return Err(ConfigError::UnknownKey {
                    origin: origin.to_string(),
                    key: key.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The credentials configured for `host`, first match wins.
    pub fn user_for(&self, host: &str) -> Option<&UserCredentials> {
        self.users
            .iter()
            .find(|credentials| glob_matches(&credentials.host_glob, host))
    }
}

/// Removes a `#` comment (Conary config has no quoting, so any `#` starts one).
fn strip_comment(line: &str) -> &str {
    match line.find('#') {
        Some(position) => &line[..position],
        None => line,
    }
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        other => Err(format!("'{other}' is not a boolean (use True or False)")),
    }
}

/// Matches a host against a glob with `*` and `?` (as `user` lines use).
pub fn glob_matches(glob: &str, text: &str) -> bool {
    fn matches(glob: &[u8], text: &[u8]) -> bool {
        match glob.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|skip| matches(rest, &text[skip..])),
            Some((b'?', rest)) => !text.is_empty() && matches(rest, &text[1..]),
            Some((byte, rest)) => text.first() == Some(byte) && matches(rest, &text[1..]),
        }
    }
    matches(glob.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_append_and_scalars_replace() {
        let mut config = Config::default();
        config
            .apply_text(
                "# comment\nflavor is: x86_64\nflavor is: x86\nbuildLabel a@b:c\nbuildLabel a@b:d\n",
                "rc",
            )
            .expect("valid config");
        assert_eq!(config.flavor.len(), 2);
        assert_eq!(
            config.build_label.expect("set").to_string(),
            "a@b:d".to_string()
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let error = Config::default()
            .apply_line("instalLabelPath a@b:c", "--config")
            .expect_err("unknown key");
        assert_eq!(
            error.to_string(),
            "--config: unknown configuration key 'instalLabelPath'"
        );
    }

    #[test]
    fn bad_label_is_reported_with_origin() {
        let error = Config::default()
            .apply_line("installLabelPath nolabel", "rc:3")
            .expect_err("bad label");
        assert!(
            error
                .to_string()
                .starts_with("rc:3: bad value for 'installLabelPath'")
        );
    }

    #[test]
    fn user_lookup_by_glob() {
        let mut config = Config::default();
        config
            .apply_text("user *.example.com alice secret\nuser other bob\n", "rc")
            .expect("valid");
        assert_eq!(
            config.user_for("repo.example.com").expect("match").user,
            "alice"
        );
        assert_eq!(config.user_for("other").expect("match").password, None);
        assert!(config.user_for("nowhere").is_none());
        assert!(!format!("{:?}", config.users[0]).contains("secret"));
    }
}
