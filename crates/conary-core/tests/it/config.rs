//! Tests for `conaryrc` parsing: key coverage, how later lines combine with
//! earlier ones, contexts, host globs and errors. Cases marked "original"
//! come from `conary_test/conarycfgtest.py` (`testConaryCfgOptions`,
//! `testSignatureKeyOptions`, `testUserInfo`, `testProxy`,
//! `testRepositoryMap`, `testProxyMap`, `testServerGlob`).

use conary_core::config::{Config, ConfigError};
use proptest::prelude::*;

fn config(text: &str) -> Config {
    let mut config = Config::default();
    config
        .apply_text(text, "rc")
        .unwrap_or_else(|error| panic!("'{text}' must be a valid config: {error}"));
    config
}

fn or_dash<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |value| value.to_string())
}

fn joined<T: ToString>(items: &[T], separator: &str) -> String {
    let items: Vec<String> = items.iter().map(ToString::to_string).collect();
    items.join(separator)
}

/// One field of the configuration as text, for table tests.
fn field(config: &Config, name: &str) -> String {
    let pairs = |map: &std::collections::BTreeMap<String, String>| {
        let items: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
        items.join(" ")
    };
    match name {
        "installLabelPath" => joined(&config.install_label_path, " "),
        "flavor" => joined(&config.flavor, " | "),
        "flavorPreferences" => joined(&config.flavor_preferences, " | "),
        "buildFlavor" => or_dash(config.build_flavor.as_ref()),
        "buildLabel" => or_dash(config.build_label.as_ref()),
        "searchPath" => config.search_path.join(" "),
        "excludeTroves" => config.exclude_troves.join(" "),
        "pinTroves" => config.pin_troves.join(" "),
        "updateThreshold" => or_dash(config.update_threshold),
        "autoResolve" => config.auto_resolve.to_string(),
        "autoResolvePackages" => config.auto_resolve_packages.to_string(),
        "resolveLevel" => or_dash(config.resolve_level),
        "keepRequired" => config.keep_required.to_string(),
        "dbPath" => or_dash(config.db_path.as_ref()),
        "modelPath" => or_dash(config.model_path.as_ref()),
        "localRollbacks" => config.local_rollbacks.to_string(),
        "root" => or_dash(config.root.as_ref()),
        "tmpDir" => or_dash(config.tmp_dir.as_ref()),
        "repositoryMap" => pairs(&config.repository_map),
        "user" => {
            let users: Vec<String> = config
                .users
                .iter()
                .map(|u| {
                    format!(
                        "{}:{}:{}",
                        u.host_glob,
                        u.user,
                        or_dash(u.password.as_ref())
                    )
                })
                .collect();
            users.join(" ")
        }
        "entitlement" => {
            let items: Vec<String> = config
                .entitlements
                .iter()
                .map(|(host, class, key)| format!("{host}:{class}:{key}"))
                .collect();
            items.join(" ")
        }
        "entitlementDirectory" => or_dash(config.entitlement_directory.as_ref()),
        "proxyMap" => {
            let items: Vec<String> = config
                .proxy_map
                .iter()
                .map(|(pattern, targets)| format!("{pattern}>{}", targets.join(",")))
                .collect();
            items.join(" ")
        }
        "conaryProxy" => pairs(&config.conary_proxy),
        "proxy" => pairs(&config.proxy),
        "signatureKey" => or_dash(config.signature_key.as_ref()),
        "signatureKeyMap" => {
            let items: Vec<String> = config
                .signature_key_map
                .iter()
                .map(|(label, key)| format!("{label}={}", or_dash(key.as_ref())))
                .collect();
            items.join(" ")
        }
        "trustThreshold" => or_dash(config.trust_threshold),
        "trustedKeys" => config.trusted_keys.join("|"),
        "pubRing" => config.pub_ring.join(" "),
        "buildPath" => or_dash(config.build_path.as_ref()),
        "lookaside" => or_dash(config.lookaside.as_ref()),
        "macros" => pairs(&config.macros),
        "useDirs" => config.use_dirs.join(" "),
        "archDirs" => config.arch_dirs.join(" "),
        "componentDirs" => config.component_dirs.join(" "),
        "policyDirs" => config.policy_dirs.join(" "),
        "recipeTemplate" => or_dash(config.recipe_template.as_ref()),
        "cleanAfterCook" => config.clean_after_cook.to_string(),
        "fullVersions" => config.full_versions.to_string(),
        "fullFlavors" => config.full_flavors.to_string(),
        "showLabels" => config.show_labels.to_string(),
        "showComponents" => config.show_components.to_string(),
        "context" => or_dash(config.context.as_ref()),
        "name" => or_dash(config.name.as_ref()),
        "contact" => or_dash(config.contact.as_ref()),
        "includeConfigFile" => config.include_config_files.join(" "),
        "contexts" => {
            let items: Vec<String> = config
                .contexts
                .iter()
                .map(|(name, lines)| format!("{name}:{}", lines.len()))
                .collect();
            items.join(" ")
        }
        "other" => {
            let items: Vec<String> = config
                .other
                .iter()
                .map(|(key, values)| format!("{key}={}", values.join(",")))
                .collect();
            items.join(" ")
        }
        other => panic!("no field '{other}' in the test helper"),
    }
}

/// (config text, field, expected text of the field).
#[rustfmt::skip]
const VALUES: &[(&str, &str, &str)] = &[
    // defaults
    ("", "installLabelPath", ""),
    ("", "autoResolvePackages", "true"),
    ("", "cleanAfterCook", "true"),
    ("", "autoResolve", "false"),
    ("", "buildLabel", "-"),
    // original: testConaryCfgOptions
    ("installLabelPath conary.rpath.com@rpl:1 contrib.rpath.org@rpl:1", "installLabelPath", "conary.rpath.com@rpl:1 contrib.rpath.org@rpl:1"),
    ("macros a  a\nmacros b  b b\nmacros c", "macros", "a=a b=b b c="),
    ("repositoryMap host.somewhere.com http://someotherhost.com:port/loc", "repositoryMap", "host.somewhere.com=http://someotherhost.com:port/loc"),
    ("proxyMap host.somewhere.com http://someotherhost.com:123/loc", "proxyMap", "host.somewhere.com>http://someotherhost.com:123/loc"),
    ("flavor use:ssl,krb,readline,\\\n       bootstrap is: x86(i486,i586,i686,mmx) ", "flavor", "bootstrap,krb,readline,ssl is: x86(i486,i586,i686,mmx)"),
    // original: testSignatureKeyOptions
    ("signatureKey", "signatureKey", "-"),
    ("signatureKey A_FINGERPRINT #item", "signatureKey", "A_FINGERPRINT"),
    ("signatureKey A_FINGERPRINT\nsignatureKey None", "signatureKey", "-"),
    ("signatureKeyMap label_1\nsignatureKeyMap label_2 None", "signatureKeyMap", "label_1=- label_2=-"),
    ("signatureKeyMap local@rpl:devel 00000", "signatureKeyMap", "local@rpl:devel=00000"),
    ("signatureKeyMap label_2 A_FINGERPRINT\nsignatureKey", "signatureKeyMap", ""),
    ("signatureKey 0123 4567 89AB", "signatureKey", "0123456789AB"),
    // original: testProxy
    ("proxy http://foo.com/", "proxy", "http=http://foo.com/ https=https://foo.com/"),
    ("proxy https http://foo.com/\nproxy http://bar.com/", "proxy", "http=http://bar.com/ https=https://bar.com/"),
    ("proxy http http://foo.com/\nproxy https https://foo.com/", "proxy", "http=http://foo.com/ https=https://foo.com/"),
    ("proxy http://a/\nproxy None", "proxy", ""),
    ("proxy http://a/\nproxy http None", "proxy", "https=https://a/"),
    ("conaryProxy http http://localhost:123\nconaryproxy https http://localhost:123", "conaryProxy", "http=http://localhost:123 https=http://localhost:123"),
    // original: testProxyMap
    ("proxyMap repo1.example.com rus1.example.com rus2.example.com\nproxyMap repo3.example.com rus1.example.com rus4.example.com", "proxyMap", "repo1.example.com>rus1.example.com,rus2.example.com repo3.example.com>rus1.example.com,rus4.example.com"),
    ("proxyMap repo1.example.com rus1.example.com\nproxyMap []", "proxyMap", ""),
    ("proxyMap []\nproxyMap 1.1.1.1 direct", "proxyMap", "1.1.1.1>direct"),
    // original: testRepositoryMap (keys are matched without regard to case)
    ("repositorymap a.b.c http://a.b.c:8000/conary/\nrepositorymap * http://other/conary/", "repositoryMap", "*=http://other/conary/ a.b.c=http://a.b.c:8000/conary/"),
    // line lists replace
    ("installLabelPath a@b:c\ninstallLabelPath d@e:f g@h:i", "installLabelPath", "d@e:f g@h:i"),
    ("installLabelPath a@b:c\ninstallLabelPath []", "installLabelPath", ""),
    ("searchPath group-os=a@b:c a@b:d\nsearchPath e@f:g", "searchPath", "e@f:g"),
    ("pubRing /a/pubring.gpg:/etc/conary/pubring.gpg", "pubRing", "/a/pubring.gpg /etc/conary/pubring.gpg"),
    ("useDirs /etc/conary/use:~/.conary/use\nuseDirs /x", "useDirs", "/x"),
    ("archDirs /a:/b", "archDirs", "/a /b"),
    ("componentDirs /a::/b", "componentDirs", "/a /b"),
    ("policyDirs /p", "policyDirs", "/p"),
    // lists append, one item per line; [] empties
    ("flavor is: x86_64\nflavor is: x86", "flavor", "is: x86_64 | is: x86"),
    ("flavor is: x86_64\nflavor []\nflavor ssl", "flavor", "ssl"),
    ("flavorPreferences is: x86_64\nflavorPreferences is: x86(i686,sse2)", "flavorPreferences", "is: x86_64 | is: x86(i686,sse2)"),
    ("trustedKeys 0123 4567\ntrustedKeys 89AB", "trustedKeys", "0123 4567|89AB"),
    ("user a.com alice\nuser b.com bob s3cret", "user", "a.com:alice:- b.com:bob:s3cret"),
    ("user a.com alice\nuser []", "user", ""),
    ("entitlement a.com KEY\nentitlement *.b.com customer KEY2", "entitlement", "a.com::KEY *.b.com:customer:KEY2"),
    // regular expression lists: several per line, appended
    ("pinTroves kernel.* glibc\npinTroves conary", "pinTroves", "kernel.* glibc conary"),
    ("excludeTroves .*:debuginfo\nexcludeTroves []", "excludeTroves", ""),
    // single values: the last line wins
    ("buildLabel a@b:c\nbuildLabel a@b:d", "buildLabel", "a@b:d"),
    ("buildFlavor !bootstrap is: x86_64", "buildFlavor", "!bootstrap is: x86_64"),
    ("updateThreshold 15", "updateThreshold", "15"),
    ("resolveLevel 1", "resolveLevel", "1"),
    ("trustThreshold 0", "trustThreshold", "0"),
    ("autoResolve True", "autoResolve", "true"),
    ("autoResolve 1\nautoResolve false", "autoResolve", "false"),
    ("autoResolvePackages False", "autoResolvePackages", "false"),
    ("keepRequired TRUE", "keepRequired", "true"),
    ("localRollbacks yes", "localRollbacks", "true"),
    ("cleanAfterCook 0", "cleanAfterCook", "false"),
    ("fullVersions True\nfullFlavors True\nshowLabels True", "fullFlavors", "true"),
    ("showComponents 1", "showComponents", "true"),
    ("dbPath /var/lib/conarydb", "dbPath", "/var/lib/conarydb"),
    ("modelPath /etc/conary/system-model", "modelPath", "/etc/conary/system-model"),
    ("root /mnt/sysroot", "root", "/mnt/sysroot"),
    ("tmpDir /var/tmp", "tmpDir", "/var/tmp"),
    ("entitlementDirectory /etc/conary/entitlements", "entitlementDirectory", "/etc/conary/entitlements"),
    ("buildPath ~/conary/builds", "buildPath", "~/conary/builds"),
    ("lookaside ~/conary/cache", "lookaside", "~/conary/cache"),
    ("recipeTemplate rpath", "recipeTemplate", "rpath"),
    ("name Jane Doe\ncontact http://example.com/jane", "name", "Jane Doe"),
    ("contact http://example.com/jane", "contact", "http://example.com/jane"),
    ("context devel", "context", "devel"),
    ("includeConfigFile /etc/conary/config.d/*\nincludeConfigFile http://example.com/rc", "includeConfigFile", "/etc/conary/config.d/* http://example.com/rc"),
    // comments, escapes, case, white space
    ("  # a comment\n\n\tname   Jane   # trailing comment", "name", "Jane"),
    ("name a\\#b", "name", "a#b"),
    ("name a\\\\", "name", "a\\"),
    ("NAME shouting", "name", "shouting"),
    ("name a\\\n  b", "name", "a  b"),
    ("name a # no continuation in a comment \\\nname b", "name", "b"),
    ("name a\\", "name", "a"),
    // keys of the original that are kept as written
    ("threaded False\ninteractive True\nlogFile /var/log/conary", "other", "interactive=True logFile=/var/log/conary threaded=False"),
    ("quiet True\nQUIET False", "other", "quiet=True,False"),
    // contexts are kept, not applied
    ("buildLabel a@b:c\n[devel]\nbuildLabel a@b:devel\n# comment\n\nname x", "buildLabel", "a@b:c"),
    ("[devel]\nbuildLabel a@b:devel\nname x\n[ other ]\n", "contexts", "devel:2 other:0"),
];

#[test]
fn values() {
    for (text, name, expected) in VALUES {
        assert_eq!(
            field(&config(text), name),
            *expected,
            "{name} after '{text}'"
        );
    }
}

/// (config text, line, expected error message).
#[rustfmt::skip]
const ERRORS: &[(&str, &str)] = &[
    ("instalLabelPath a@b:c", "rc:1: unknown configuration key 'instalLabelPath'"),
    ("\n\nbogus", "rc:3: unknown configuration key 'bogus'"),
    ("installLabelPath nolabel", "rc:1: invalid value 'nolabel' for 'installLabelPath': invalid label 'nolabel': missing 'host@namespace:' before tag"),
    ("buildLabel a@b", "rc:1: invalid value 'a@b' for 'buildLabel': invalid label 'a@b': missing ':' after namespace"),
    ("flavor is: x86(", "rc:1: invalid value 'is: x86(' for 'flavor': invalid flavor 'is: x86(': missing ')'"),
    ("autoResolve maybe", "rc:1: invalid value 'maybe' for 'autoResolve': expected True or False"),
    ("updateThreshold -1", "rc:1: invalid value '-1' for 'updateThreshold': expected a whole number"),
    ("repositoryMap a.com", "rc:1: invalid value 'a.com' for 'repositoryMap': expected 'HOST URL'"),
    // original: testRepositoryMap
    ("repositorymap a.b.c http://u:p@a.b.c:8000/conary/", "rc:1: invalid value 'a.b.c http://u:<password>@a.b.c:8000/conary/' for 'repositoryMap': a repository URL must not hold a user name and password; write 'user a.b.c u PASSWORD' instead"),
    ("repositorymap a.b.c http://u:p@a.b.c/conary/", "rc:1: invalid value 'a.b.c http://u:p@a.b.c/conary/' for 'repositoryMap': a repository URL must not hold a user name and password; write 'user a.b.c u PASSWORD' instead"),
    // original: testUserInfo (CNY-1267)
    ("user conary.rpath.com \"Michael Jordon\" a", "rc:1: invalid value 'conary.rpath.com \"Michael Jordon\" a' for 'user': expected 'HOST USER [PASSWORD]'"),
    ("user a.com", "rc:1: invalid value 'a.com' for 'user': expected 'HOST USER [PASSWORD]'"),
    ("entitlement a b c d", "rc:1: invalid value 'a b c d' for 'entitlement': expected 'HOST [CLASS] KEY'"),
    ("proxy ftp http://a/", "rc:1: invalid value 'ftp http://a/' for 'proxy': unknown proxy scheme 'ftp' (http or https)"),
    ("proxy foo.com:3128", "rc:1: invalid value 'foo.com:3128' for 'proxy': 'foo.com:3128' is not an http:// or https:// URL"),
    ("proxy", "rc:1: invalid value '' for 'proxy': expected '[SCHEME] URL' or 'None'"),
    ("proxyMap host.only", "rc:1: invalid value 'host.only' for 'proxyMap': expected 'PATTERN TARGET [TARGET...]'"),
    ("macros", "rc:1: invalid value '' for 'macros': expected 'NAME VALUE'"),
    ("includeConfigFile", "rc:1: invalid value '' for 'includeConfigFile': expected a path, glob or URL"),
    ("[]", "rc:1: invalid context line '[]': empty context name"),
    // a bad line in a context is reported where it is
    ("[devel]\nbuildLabel nolabel", "rc:2: invalid value 'nolabel' for 'buildLabel': invalid label 'nolabel': missing 'host@namespace:' before tag"),
];

#[test]
fn errors_name_the_line_the_key_and_the_value() {
    for (text, expected) in ERRORS {
        let error = Config::default()
            .apply_text(text, "rc")
            .expect_err(&format!("'{text}' must be refused"));
        assert_eq!(error.to_string(), *expected, "'{text}'");
    }
}

#[test]
fn refused_lines_change_nothing() {
    let mut config = Config::default();
    let error = config
        .apply_line("repositoryMap a.b.c http://u:p@a.b.c/conary/", "rc:1")
        .expect_err("credentials in the URL");
    assert!(matches!(
        error,
        ConfigError::BadValue {
            key: "repositoryMap",
            ..
        }
    ));
    assert_eq!(config, Config::default());
}

#[test]
fn lists_append_and_scalars_replace() {
    let config = config(
        "# comment\nflavor is: x86_64\nflavor is: x86\nbuildLabel a@b:c\nbuildLabel a@b:d\n",
    );
    assert_eq!(config.flavor.len(), 2);
    assert_eq!(config.build_label.expect("set").to_string(), "a@b:d");
}

/// (user lines, host, expected user).
#[rustfmt::skip]
const USERS: &[(&str, &str, Option<&str>)] = &[
    ("user *.example.com alice secret\nuser other bob", "repo.example.com", Some("alice")),
    ("user *.example.com alice secret\nuser other bob", "other", Some("bob")),
    ("user *.example.com alice secret\nuser other bob", "nowhere", None),
    ("user *.example.com alice", "REPO.Example.COM", Some("alice")),
    // original: testUserInfo
    ("user name* user passwd\nuser foobar a", "namefoo", Some("user")),
    ("user name* user passwd\nuser foobar a", "foobar", Some("a")),
    ("user name* user passwd\nuser foobar a\nuser nameone user1 passwd1", "nameone", Some("user1")),
    // original: testServerGlob, lines in the order the original appends them
    (SERVER_GLOBS, "conary-commits", Some("conary-commits")),
    (SERVER_GLOBS, "conary-foo", Some("conary-")),
    (SERVER_GLOBS, "cx", Some("c")),
    (SERVER_GLOBS, "x-commits", Some("x")),
    // a later, more specific glob is tried first; an earlier one is not shadowed
    ("user * anyone\nuser *.example.com example", "a.example.com", Some("example")),
    ("user *.example.com example\nuser * anyone", "a.example.com", Some("example")),
    ("user *.example.com first\nuser *.example.com second", "a.example.com", Some("second")),
];

const SERVER_GLOBS: &str = "user conary-commits conary-commits3 pass
user conary-* conary- pass
user conary-commits conary-commits2 pass
user conary-commits conary-commits pass
user c* c pass
user *-commits x pass";

#[test]
fn credentials_by_host() {
    for (text, host, expected) in USERS {
        let config = config(text);
        let found = config
            .user_for(host)
            .map(|credentials| credentials.user.as_str());
        assert_eq!(found, *expected, "'{host}' with '{text}'");
    }
    let config = config("user *.example.com alice secret");
    assert!(!format!("{:?}", config.users).contains("secret"));
}

#[test]
fn repository_urls_by_host() {
    // original: testRepositoryMap
    let config = config(
        "repositorymap a.b.c http://a.b.c:8000/conary/\nrepositorymap * http://other/conary/",
    );
    assert_eq!(
        config.repository_url("a.b.c"),
        Some("http://a.b.c:8000/conary/")
    );
    assert_eq!(
        config.repository_url("foo.org"),
        Some("http://other/conary/")
    );
    assert_eq!(Config::default().repository_url("foo.org"), None);
}

#[test]
fn contexts_replace_lists_and_merge_maps() {
    let mut config = config(
        "installLabelPath a@b:main\n\
         flavor is: x86_64\n\
         flavor is: x86\n\
         repositoryMap a.com http://a/\n\
         user a.com alice\n\
         buildLabel a@b:main\n\
         [devel]\n\
         installLabelPath a@b:devel a@b:main\n\
         flavor ssl is: x86_64\n\
         repositoryMap b.com http://b/\n\
         user b.com bob\n\
         [empty]\n",
    );
    let before = config.clone();
    config.set_context("empty").expect("defined");
    assert_eq!(config.context.as_deref(), Some("empty"));
    config.context = None;
    assert_eq!(config, before);

    config.set_context("devel").expect("defined");
    assert_eq!(field(&config, "installLabelPath"), "a@b:devel a@b:main");
    assert_eq!(field(&config, "flavor"), "ssl is: x86_64");
    assert_eq!(
        field(&config, "repositoryMap"),
        "a.com=http://a/ b.com=http://b/"
    );
    assert_eq!(field(&config, "user"), "a.com:alice:- b.com:bob:-");
    assert_eq!(field(&config, "buildLabel"), "a@b:main");
    assert_eq!(field(&config, "context"), "devel");

    let error = config.set_context("nowhere").expect_err("undefined");
    assert_eq!(error.to_string(), "unknown context 'nowhere'");
}

proptest! {
    #[test]
    fn parsing_never_panics(text in "\\PC{0,80}") {
        let _ = Config::default().apply_text(&text, "rc");
        let _ = Config::default().apply_line(&text, "rc");
    }

    #[test]
    fn config_like_text_never_panics(
        lines in proptest::collection::vec(
            "(user|repositoryMap|proxy|proxyMap|macros|flavor|installLabelPath|signatureKeyMap|\\[a\\]|#) ?[ a-z*?\\[\\]!:/@.\\\\#-]{0,20}",
            0..6,
        ),
        host in "[a-z.*?\\[\\]!-]{0,12}",
    ) {
        let mut config = Config::default();
        let _ = config.apply_text(&lines.join("\n"), "rc");
        let _ = config.user_for(&host);
        let _ = config.repository_url(&host);
        let _ = config.set_context("a");
    }
}
