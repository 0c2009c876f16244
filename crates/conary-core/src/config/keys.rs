//! The configuration keys: their spelling, how each value is parsed, and
//! whether a later line replaces, appends to or merges into the value.

use super::{Config, UserCredentials};
use crate::flavor::Flavor;
use crate::version::Label;

/// A key this implementation models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Setting {
    InstallLabelPath,
    Flavor,
    FlavorPreferences,
    BuildFlavor,
    BuildLabel,
    SearchPath,
    ExcludeTroves,
    PinTroves,
    UpdateThreshold,
    AutoResolve,
    AutoResolvePackages,
    ResolveLevel,
    KeepRequired,
    DbPath,
    ModelPath,
    LocalRollbacks,
    Root,
    TmpDir,
    RepositoryMap,
    User,
    Entitlement,
    EntitlementDirectory,
    ProxyMap,
    ConaryProxy,
    Proxy,
    SignatureKey,
    SignatureKeyMap,
    TrustThreshold,
    TrustedKeys,
    PubRing,
    BuildPath,
    Lookaside,
    Macros,
    UseDirs,
    ArchDirs,
    ComponentDirs,
    PolicyDirs,
    RecipeTemplate,
    CleanAfterCook,
    FullVersions,
    FullFlavors,
    ShowLabels,
    ShowComponents,
    Context,
    Name,
    Contact,
    IncludeConfigFile,
    /// A key of the original that this implementation keeps as text.
    Other(&'static str),
}

/// Every modelled key with its canonical spelling.
const KEYS: &[(&str, Setting)] = &[
    ("installLabelPath", Setting::InstallLabelPath),
    ("flavor", Setting::Flavor),
    ("flavorPreferences", Setting::FlavorPreferences),
    ("buildFlavor", Setting::BuildFlavor),
    ("buildLabel", Setting::BuildLabel),
    ("searchPath", Setting::SearchPath),
    ("excludeTroves", Setting::ExcludeTroves),
    ("pinTroves", Setting::PinTroves),
    ("updateThreshold", Setting::UpdateThreshold),
    ("autoResolve", Setting::AutoResolve),
    ("autoResolvePackages", Setting::AutoResolvePackages),
    ("resolveLevel", Setting::ResolveLevel),
    ("keepRequired", Setting::KeepRequired),
    ("dbPath", Setting::DbPath),
    ("modelPath", Setting::ModelPath),
    ("localRollbacks", Setting::LocalRollbacks),
    ("root", Setting::Root),
    ("tmpDir", Setting::TmpDir),
    ("repositoryMap", Setting::RepositoryMap),
    ("user", Setting::User),
    ("entitlement", Setting::Entitlement),
    ("entitlementDirectory", Setting::EntitlementDirectory),
    ("proxyMap", Setting::ProxyMap),
    ("conaryProxy", Setting::ConaryProxy),
    ("proxy", Setting::Proxy),
    ("signatureKey", Setting::SignatureKey),
    ("signatureKeyMap", Setting::SignatureKeyMap),
    ("trustThreshold", Setting::TrustThreshold),
    ("trustedKeys", Setting::TrustedKeys),
    ("pubRing", Setting::PubRing),
    ("buildPath", Setting::BuildPath),
    ("lookaside", Setting::Lookaside),
    ("macros", Setting::Macros),
    ("useDirs", Setting::UseDirs),
    ("archDirs", Setting::ArchDirs),
    ("componentDirs", Setting::ComponentDirs),
    ("policyDirs", Setting::PolicyDirs),
    ("recipeTemplate", Setting::RecipeTemplate),
    ("cleanAfterCook", Setting::CleanAfterCook),
    ("fullVersions", Setting::FullVersions),
    ("fullFlavors", Setting::FullFlavors),
    ("showLabels", Setting::ShowLabels),
    ("showComponents", Setting::ShowComponents),
    ("context", Setting::Context),
    ("name", Setting::Name),
    ("contact", Setting::Contact),
    ("includeConfigFile", Setting::IncludeConfigFile),
];

/// Keys of the original's `conaryrc` that this implementation accepts and
/// keeps as written (in [`Config::other`]) without using them, so that a
/// configuration written for the original still reads.
const OTHER_KEYS: &[&str] = &[
    "autoLoadRecipes",
    "baseClassDir",
    "commitRelativeChangeset",
    "configComponent",
    "connectAttempts",
    "debugExceptions",
    "debugRecipeExceptions",
    "defaultMacros",
    "downloadAttempts",
    "downloadFirst",
    "downloadRateLimit",
    "downloadRetryThreshold",
    "downloadRetryTrim",
    "emergeUser",
    "enableRPMVersionDeps",
    "enforceManagedPolicy",
    "environment",
    "factoryTemplate",
    "groupTemplate",
    "ignoreDependencies",
    "interactive",
    "logFile",
    "mirrorDirs",
    "quiet",
    "recipeTemplateDirs",
    "shortenGroupFlavors",
    "siteConfigPath",
    "sourceSearchDir",
    "syncCapsuleDatabase",
    "systemIdScript",
    "threaded",
    "trustedCerts",
    "uploadRateLimit",
    "verifyDirsNoNewFiles",
    "windowsBuildService",
];

impl Setting {
    /// The key spelled `text`, ignoring case as the original does.
    pub(super) fn find(text: &str) -> Option<Setting> {
        KEYS.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, key)| *key)
            .or_else(|| {
                OTHER_KEYS
                    .iter()
                    .find(|name| name.eq_ignore_ascii_case(text))
                    .map(|name| Setting::Other(name))
            })
    }

    /// The canonical spelling.
    pub(super) fn name(self) -> &'static str {
        match self {
            Setting::Other(name) => name,
            key => KEYS
                .iter()
                .find(|(_, known)| *known == key)
                .map_or("?", |(name, _)| name),
        }
    }

    /// Whether a context merges this key into the main value (host maps,
    /// credentials, macros, proxies) instead of replacing it.
    pub(super) fn merges_from_context(self) -> bool {
        matches!(
            self,
            Setting::RepositoryMap
                | Setting::User
                | Setting::Entitlement
                | Setting::Macros
                | Setting::ConaryProxy
                | Setting::Proxy
                | Setting::ProxyMap
                | Setting::IncludeConfigFile
        )
    }
}

/// What is wrong with a value; the caller adds the key and the origin.
type Reason = String;

/// `[]` empties a list, as in the original.
const EMPTY_LIST: &str = "[]";

fn parse_bool(value: &str) -> Result<bool, Reason> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err("expected True or False".to_owned()),
    }
}

fn parse_count(value: &str) -> Result<u32, Reason> {
    value
        .parse()
        .map_err(|_| "expected a whole number".to_owned())
}

fn parse_flavor(value: &str) -> Result<Flavor, Reason> {
    value
        .parse()
        .map_err(|error: crate::flavor::FlavorError| error.to_string())
}

fn parse_label(value: &str) -> Result<Label, Reason> {
    value
        .parse()
        .map_err(|error: crate::version::VersionError| error.to_string())
}

/// A line list (`installLabelPath`, `searchPath`, `useDirs`, …): the items
/// of one line, split at `separator` (white space when `None`), replace the
/// whole list.
fn line_list(value: &str, separator: Option<char>) -> Vec<String> {
    if value == EMPTY_LIST {
        return Vec::new();
    }
    let items: Vec<&str> = match separator {
        Some(separator) => value.split(separator).collect(),
        None => value.split_whitespace().collect(),
    };
    items
        .into_iter()
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An appending list (`flavor`, `user`, `pinTroves`, …): each line adds,
/// `[]` empties.
fn append<T>(
    list: &mut Vec<T>,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, Reason>,
) -> Result<(), Reason> {
    if value == EMPTY_LIST {
        list.clear();
    } else {
        list.push(parse(value)?);
    }
    Ok(())
}

/// `signatureKey` and the fingerprints of `signatureKeyMap`: spaces are
/// removed, and `None` (or nothing) means no key.
fn fingerprint(value: &str) -> Option<String> {
    let compact: String = value.split_whitespace().collect();
    (!compact.is_empty() && !compact.eq_ignore_ascii_case("none")).then_some(compact)
}

/// A proxy line: `SCHEME URL`, `SCHEME None`, `URL` (for both http and
/// https) or `None` (no proxy at all).
fn proxy_line(
    proxies: &mut std::collections::BTreeMap<String, String>,
    value: &str,
) -> Result<(), Reason> {
    const SCHEMES: [&str; 2] = ["http", "https"];
    let words: Vec<&str> = value.split_whitespace().collect();
    let check_url = |url: &str| {
        if url.starts_with("http://") || url.starts_with("https://") {
            Ok(())
        } else {
            Err(format!("'{url}' is not an http:// or https:// URL"))
        }
    };
    match words.as_slice() {
        ["None"] => proxies.clear(),
        [scheme, target] => {
            if !SCHEMES.contains(scheme) {
                return Err(format!("unknown proxy scheme '{scheme}' (http or https)"));
            }
            if *target == "None" {
                proxies.remove(*scheme);
            } else {
                check_url(target)?;
                proxies.insert((*scheme).to_owned(), (*target).to_owned());
            }
        }
        [url] => {
            check_url(url)?;
            let rest = url.split_once(':').map_or("", |(_, rest)| rest);
            for scheme in SCHEMES {
                proxies.insert(scheme.to_owned(), format!("{scheme}:{rest}"));
            }
        }
        _ => return Err("expected '[SCHEME] URL' or 'None'".to_owned()),
    }
    Ok(())
}

/// Applies `value` to the field of `key`.
pub(super) fn apply(config: &mut Config, key: Setting, value: &str) -> Result<(), Reason> {
    match key {
        Setting::InstallLabelPath => {
            config.install_label_path = line_list(value, None)
                .iter()
                .map(|label| parse_label(label))
                .collect::<Result<_, _>>()?;
        }
        Setting::Flavor => append(&mut config.flavor, value, parse_flavor)?,
        Setting::FlavorPreferences => append(&mut config.flavor_preferences, value, parse_flavor)?,
        Setting::BuildFlavor => config.build_flavor = Some(parse_flavor(value)?),
        Setting::BuildLabel => config.build_label = Some(parse_label(value)?),
        Setting::SearchPath => config.search_path = line_list(value, None),
        Setting::ExcludeTroves => regexp_list(&mut config.exclude_troves, value),
        Setting::PinTroves => regexp_list(&mut config.pin_troves, value),
        Setting::UpdateThreshold => config.update_threshold = Some(parse_count(value)?),
        Setting::AutoResolve => config.auto_resolve = parse_bool(value)?,
        Setting::AutoResolvePackages => config.auto_resolve_packages = parse_bool(value)?,
        Setting::ResolveLevel => config.resolve_level = Some(parse_count(value)?),
        Setting::KeepRequired => config.keep_required = parse_bool(value)?,
        Setting::DbPath => config.db_path = Some(value.to_owned()),
        Setting::ModelPath => config.model_path = Some(value.to_owned()),
        Setting::LocalRollbacks => config.local_rollbacks = parse_bool(value)?,
        Setting::Root => config.root = Some(value.to_owned()),
        Setting::TmpDir => config.tmp_dir = Some(value.to_owned()),
        Setting::RepositoryMap => repository_map_line(config, value)?,
        Setting::User => append(&mut config.users, value, user_line)?,
        Setting::Entitlement => append(&mut config.entitlements, value, entitlement_line)?,
        Setting::EntitlementDirectory => config.entitlement_directory = Some(value.to_owned()),
        Setting::ProxyMap => {
            append(&mut config.proxy_map, value, |value| {
                let mut words = value.split_whitespace().map(str::to_owned);
                match (words.next(), words.collect::<Vec<_>>()) {
                    (Some(pattern), targets) if !targets.is_empty() => Ok((pattern, targets)),
                    _ => Err("expected 'PATTERN TARGET [TARGET...]'".to_owned()),
                }
            })?;
        }
        Setting::ConaryProxy => proxy_line(&mut config.conary_proxy, value)?,
        Setting::Proxy => proxy_line(&mut config.proxy, value)?,
        Setting::SignatureKey => {
            // As in the original, a new default key drops the per-label keys.
            config.signature_key = fingerprint(value);
            config.signature_key_map.clear();
        }
        Setting::SignatureKeyMap => {
            append(&mut config.signature_key_map, value, |value| {
                let (label, key) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
                Ok((label.to_owned(), fingerprint(key)))
            })?;
        }
        Setting::TrustThreshold => config.trust_threshold = Some(parse_count(value)?),
        Setting::TrustedKeys => {
            append(
                &mut config.trusted_keys,
                value,
                |value| Ok(value.to_owned()),
            )?
        }
        Setting::PubRing => config.pub_ring = line_list(value, Some(':')),
        Setting::BuildPath => config.build_path = Some(value.to_owned()),
        Setting::Lookaside => config.lookaside = Some(value.to_owned()),
        Setting::Macros => {
            let (name, text) = value.split_once(char::is_whitespace).unwrap_or((value, ""));
            if name.is_empty() {
                return Err("expected 'NAME VALUE'".to_owned());
            }
            config
                .macros
                .insert(name.to_owned(), text.trim().to_owned());
        }
        Setting::UseDirs => config.use_dirs = line_list(value, Some(':')),
        Setting::ArchDirs => config.arch_dirs = line_list(value, Some(':')),
        Setting::ComponentDirs => config.component_dirs = line_list(value, Some(':')),
        Setting::PolicyDirs => config.policy_dirs = line_list(value, Some(':')),
        Setting::RecipeTemplate => config.recipe_template = Some(value.to_owned()),
        Setting::CleanAfterCook => config.clean_after_cook = parse_bool(value)?,
        Setting::FullVersions => config.full_versions = parse_bool(value)?,
        Setting::FullFlavors => config.full_flavors = parse_bool(value)?,
        Setting::ShowLabels => config.show_labels = parse_bool(value)?,
        Setting::ShowComponents => config.show_components = parse_bool(value)?,
        Setting::Context => config.context = Some(value.to_owned()),
        Setting::Name => config.name = Some(value.to_owned()),
        Setting::Contact => config.contact = Some(value.to_owned()),
        Setting::IncludeConfigFile => {
            if value.is_empty() {
                return Err("expected a path, glob or URL".to_owned());
            }
            config.include_config_files.push(value.to_owned());
        }
        Setting::Other(name) => config
            .other
            .entry(name.to_owned())
            .or_default()
            .push(value.to_owned()),
    }
    Ok(())
}

/// Resets the field of `key` to its default, before a context replaces it.
pub(super) fn reset(config: &mut Config, key: Setting) {
    let defaults = Config::default();
    match key {
        Setting::InstallLabelPath => config.install_label_path = defaults.install_label_path,
        Setting::Flavor => config.flavor = defaults.flavor,
        Setting::FlavorPreferences => config.flavor_preferences = defaults.flavor_preferences,
        Setting::SearchPath => config.search_path = defaults.search_path,
        Setting::ExcludeTroves => config.exclude_troves = defaults.exclude_troves,
        Setting::PinTroves => config.pin_troves = defaults.pin_troves,
        Setting::SignatureKeyMap => config.signature_key_map = defaults.signature_key_map,
        Setting::TrustedKeys => config.trusted_keys = defaults.trusted_keys,
        Setting::Other(name) => {
            config.other.remove(name);
        }
        // Single values are replaced by the next line anyway; merged keys
        // are not reset.
        _ => {}
    }
}

/// `excludeTroves` and `pinTroves`: each line adds its white-space
/// separated regular expressions; `[]` empties.
fn regexp_list(list: &mut Vec<String>, value: &str) {
    if value == EMPTY_LIST {
        list.clear();
    } else {
        list.extend(value.split_whitespace().map(str::to_owned));
    }
}

fn repository_map_line(config: &mut Config, value: &str) -> Result<(), Reason> {
    if value == EMPTY_LIST {
        config.repository_map.clear();
        return Ok(());
    }
    let words: Vec<&str> = value.split_whitespace().collect();
    let [host, url] = words.as_slice() else {
        return Err("expected 'HOST URL'".to_owned());
    };
    // `scheme://user:password@host/...`: credentials belong in `user`.
    let authority = url.split_once("://").map_or("", |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or("");
    if let Some((credentials, _server)) = authority.split_once('@')
        && let Some((user, _)) = credentials.split_once(':')
    {
        return Err(format!(
            "a repository URL must not hold a user name and password; write 'user {host} {user} PASSWORD' instead"
        ));
    }
    config
        .repository_map
        .insert((*host).to_owned(), (*url).to_owned());
    Ok(())
}

fn user_line(value: &str) -> Result<UserCredentials, Reason> {
    match value.split_whitespace().collect::<Vec<_>>().as_slice() {
        [host, user] => Ok(UserCredentials {
            host_glob: (*host).to_owned(),
            user: (*user).to_owned(),
            password: None,
        }),
        [host, user, password] => Ok(UserCredentials {
            host_glob: (*host).to_owned(),
            user: (*user).to_owned(),
            password: Some((*password).to_owned()),
        }),
        _ => Err("expected 'HOST USER [PASSWORD]'".to_owned()),
    }
}

fn entitlement_line(value: &str) -> Result<(String, String, String), Reason> {
    match value.split_whitespace().collect::<Vec<_>>().as_slice() {
        [host, class, key] => Ok(((*host).to_owned(), (*class).to_owned(), (*key).to_owned())),
        [host, key] => Ok(((*host).to_owned(), String::new(), (*key).to_owned())),
        _ => Err("expected 'HOST [CLASS] KEY'".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_found_by_its_name_in_any_case() {
        let names = KEYS
            .iter()
            .map(|(name, _)| *name)
            .chain(OTHER_KEYS.iter().copied());
        let mut seen = std::collections::BTreeSet::new();
        for name in names {
            assert!(
                seen.insert(name.to_ascii_lowercase()),
                "'{name}' listed twice"
            );
            let setting = Setting::find(name).expect("listed keys are found");
            assert_eq!(setting.name(), name);
            assert_eq!(Setting::find(&name.to_ascii_uppercase()), Some(setting));
        }
        assert_eq!(Setting::find("noSuchKey"), None);
    }
}
