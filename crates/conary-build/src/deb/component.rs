//! Which component of the package trove an imported file belongs to.
//!
//! The rules follow the original Conary's default component filters
//! (`config/components/base/*.py` with their `precedes`/`follows` order),
//! rewritten as one ordered list; the first rule that matches wins:
//!
//! | # | component | matches |
//! |---|---|---|
//! | 1 | `:debuginfo` | under `/usr/lib/debug/` or `/usr/src/debug/` |
//! | 2 | `:runtime` | tag handlers and descriptions: `/usr/libexec/conary/tags/`, `/etc/conary/tags/` |
//! | 3 | `:config` | a conffile, or anything under `/etc/`, that is not a directory and has no execute bit |
//! | 4 | `:python` | `/usr/lib*/python*/{site,dist}-packages/`, `/usr/lib/python3/dist-packages/` |
//! | 5 | `:perl` | `/usr/lib*/perl*/{vendor,site}_perl/`, `/usr/share/perl5/`, `/usr/lib/<triplet>/perl5/` and `/perl/` |
//! | 6 | `:devel` | man pages of sections 2 and 3 (`/usr/share/man/man2/`, `man3/`) |
//! | 7 | `:doc` | `/usr/share/{man,info,gtk-doc,ri,javadoc,doc}/` |
//! | 8 | `:locale` | `/usr/share/locale/`, `/usr/share/gnome/help/*/` |
//! | 9 | `:devel` | a symlink named `*.so`, a static library `*.a` or libtool `*.la`, `*/pkgconfig/` under a lib dir or `/usr/share/pkgconfig/` |
//! | 10 | `:devel` | `*/include/*.h`, `/usr/include/`, `/usr/share/aclocal/`, `/usr/bin/*-config` |
//! | 11 | `:data` | anything else under `/usr/share/` |
//! | 12 | `:lib` | anything but a directory under a `lib`, `lib64`, `lib32` or `libx32` directory (multiarch `/usr/lib/x86_64-linux-gnu/` included), outside `/var/` |
//! | 13 | `:runtime` | everything else |
//!
//! Differences from the original, on purpose:
//! * `/usr/share/doc/` goes to `:doc`, not `:supdoc`, and the original's
//!   `:devellib` (rule 9) is folded into `:devel`: the import knows only the
//!   components of the design (`:runtime :lib :devel :doc :config :data
//!   :locale :python :perl :debuginfo`).
//! * Rule 3 counts Debian's conffiles as well as `/etc/`, because Debian
//!   says which files are configuration. As in the original (CNY-1260), an
//!   executable file under `/etc/` (an init script) or a symlink (mode
//!   `0777`) is not `:config`; such a conffile still carries the `config`
//!   flag, which depends only on the conffiles list, in `:runtime`.
//! * Python and Perl rules know Debian's `dist-packages` and `perl5` trees.
//! * `/var/lib/` is state, not a library directory: the original's
//!   `.*/lib/` pattern would have put `/var/lib/*` files in `:lib`.

use std::fmt;
use std::str::FromStr;

use super::entry::{DebEntry, DebEntryKind};
use super::error::{DebError, escape};

/// A component suffix of an imported package.
///
/// ```rust
/// use conary_build::deb::ComponentSuffix;
/// assert_eq!(":lib".parse::<ComponentSuffix>().unwrap(), ComponentSuffix::Lib);
/// assert_eq!(ComponentSuffix::Runtime.to_string(), ":runtime");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentSuffix {
    /// `:runtime`, the catchall.
    Runtime,
    /// `:lib`, architecture-specific files in lib directories.
    Lib,
    /// `:devel`, what is needed to build against the package.
    Devel,
    /// `:doc`, documentation.
    Doc,
    /// `:config`, configuration files.
    Config,
    /// `:data`, architecture-independent data under `/usr/share`.
    Data,
    /// `:locale`, translations.
    Locale,
    /// `:python`, Python modules.
    Python,
    /// `:perl`, Perl modules.
    Perl,
    /// `:debuginfo`, detached debugging symbols.
    Debuginfo,
}

const ALL: [(ComponentSuffix, &str); 10] = [
    (ComponentSuffix::Runtime, "runtime"),
    (ComponentSuffix::Lib, "lib"),
    (ComponentSuffix::Devel, "devel"),
    (ComponentSuffix::Doc, "doc"),
    (ComponentSuffix::Config, "config"),
    (ComponentSuffix::Data, "data"),
    (ComponentSuffix::Locale, "locale"),
    (ComponentSuffix::Python, "python"),
    (ComponentSuffix::Perl, "perl"),
    (ComponentSuffix::Debuginfo, "debuginfo"),
];

impl ComponentSuffix {
    /// The name without the colon (`runtime`).
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(suffix, _)| *suffix == self)
            .map_or("runtime", |(_, name)| name)
    }
}

impl fmt::Display for ComponentSuffix {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, ":{}", self.name())
    }
}

impl FromStr for ComponentSuffix {
    type Err = DebError;

    /// Parses `:name` or `name`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.strip_prefix(':').unwrap_or(text);
        ALL.iter()
            .find(|(_, known)| *known == name)
            .map(|(suffix, _)| *suffix)
            .ok_or_else(|| DebError::BadField {
                field: "component".to_owned(),
                value: escape(text.as_bytes()),
                reason: "not a component of an imported package".to_owned(),
            })
    }
}

/// The component of `entry`; `conffile` says whether the package lists its
/// path in `conffiles`. A pure function of its arguments (see the module docs).
///
/// ```rust
/// use conary_build::deb::{ComponentSuffix, DebEntry, DebEntryKind, DebOwner, component_for};
/// let root = DebOwner { name: Some("root".into()), id: 0 };
/// let entry = DebEntry { path: "/usr/lib/x86_64-linux-gnu/libssl.so.3".into(), kind: DebEntryKind::Regular,
///     mode: 0o644, owner: root.clone(), group: root, mtime: 0, size: 1 };
/// assert_eq!(component_for(&entry, false), ComponentSuffix::Lib);
/// ```
pub fn component_for(entry: &DebEntry, conffile: bool) -> ComponentSuffix {
    use ComponentSuffix::{
        Config, Data, Debuginfo, Devel, Doc, Lib, Locale, Perl, Python, Runtime,
    };

    let path = entry.path.as_str();
    let is_directory = entry.kind == DebEntryKind::Directory;
    let is_symlink = matches!(entry.kind, DebEntryKind::Symlink { .. });
    let file_name = path.rsplit('/').next().unwrap_or("");
    let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
    let directories: Vec<&str> = parent.split('/').filter(|part| !part.is_empty()).collect();
    let in_lib_dir = !under(path, "/var")
        && directories
            .iter()
            .any(|directory| matches!(*directory, "lib" | "lib64" | "lib32" | "libx32"));

    if under(path, "/usr/lib/debug") || under(path, "/usr/src/debug") {
        return Debuginfo;
    }
    if under(path, "/usr/libexec/conary/tags") || under(path, "/etc/conary/tags") {
        return Runtime;
    }
    if (conffile || under(path, "/etc")) && !is_directory && entry.mode & 0o111 == 0 {
        return Config;
    }
    if is_python(path) {
        return Python;
    }
    if is_perl(path) {
        return Perl;
    }
    if under(path, "/usr/share/man/man2") || under(path, "/usr/share/man/man3") {
        return Devel;
    }
    if ["man", "info", "gtk-doc", "ri", "javadoc", "doc"]
        .iter()
        .any(|tree| under(path, &format!("/usr/share/{tree}")))
    {
        return Doc;
    }
    if under(path, "/usr/share/locale") || is_gnome_help(path) {
        return Locale;
    }
    let in_pkgconfig_dir = directories.last() == Some(&"pkgconfig")
        && (in_lib_dir || path.starts_with("/usr/share/pkgconfig/"));
    if (is_symlink && file_name.ends_with(".so"))
        || (!is_directory && (file_name.ends_with(".a") || file_name.ends_with(".la")))
        || in_pkgconfig_dir
    {
        return Devel;
    }
    let is_header = file_name.ends_with(".h") && directories.contains(&"include");
    let is_config_script = path
        .strip_prefix("/usr/bin/")
        .is_some_and(|name| name.len() > "-config".len() && name.ends_with("-config"));
    if is_header
        || under(path, "/usr/include")
        || under(path, "/usr/share/aclocal")
        || is_config_script
    {
        return Devel;
    }
    if under(path, "/usr/share") {
        return Data;
    }
    if in_lib_dir && !is_directory {
        return Lib;
    }
    Runtime
}

/// Whether `path` is strictly inside `directory`.
fn under(path: &str, directory: &str) -> bool {
    path.strip_prefix(directory)
        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'))
}

fn is_python(path: &str) -> bool {
    let mut parts = path.split('/').skip(1);
    let (Some("usr"), Some(lib), Some(python), Some(packages)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    lib.starts_with("lib")
        && python.starts_with("python")
        && matches!(packages, "site-packages" | "dist-packages")
        && parts.next().is_some()
}

fn is_perl(path: &str) -> bool {
    if under(path, "/usr/share/perl5") {
        return true;
    }
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    match parts.as_slice() {
        ["usr", lib, perl, tree, _, ..]
            if lib.starts_with("lib")
                && perl.starts_with("perl")
                && matches!(*tree, "vendor_perl" | "site_perl") =>
        {
            true
        }
        ["usr", "lib", triplet, "perl5" | "perl", _, ..] => triplet.contains("-linux-"),
        _ => false,
    }
}

fn is_gnome_help(path: &str) -> bool {
    path.strip_prefix("/usr/share/gnome/help/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(application, rest)| !application.is_empty() && !rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deb::DebOwner;

    fn entry(path: &str, kind: DebEntryKind, mode: u32) -> DebEntry {
        let root = DebOwner {
            name: Some("root".to_owned()),
            id: 0,
        };
        DebEntry {
            path: path.to_owned(),
            kind,
            mode,
            owner: root.clone(),
            group: root,
            mtime: 0,
            size: 0,
        }
    }

    #[test]
    fn rules_in_order() {
        use ComponentSuffix::*;
        let file = DebEntryKind::Regular;
        let dir = DebEntryKind::Directory;
        let link = DebEntryKind::Symlink {
            target: "x".to_owned(),
        };
        let cases: &[(&str, &DebEntryKind, u32, bool, ComponentSuffix)] = &[
            (
                "/usr/lib/debug/.build-id/ab/cd.debug",
                &file,
                0o644,
                false,
                Debuginfo,
            ),
            ("/etc/conary/tags/foo", &file, 0o644, false, Runtime),
            ("/etc/nginx/nginx.conf", &file, 0o644, true, Config),
            ("/etc/default/x", &file, 0o644, false, Config),
            ("/etc/init.d/nginx", &file, 0o755, true, Runtime),
            ("/etc/nginx", &dir, 0o755, false, Runtime),
            (
                "/etc/nginx/sites-enabled/default",
                &link,
                0o777,
                false,
                Runtime,
            ),
            ("/usr/lib/foo/conf", &file, 0o644, true, Config),
            (
                "/usr/lib/python3/dist-packages/a/b.py",
                &file,
                0o644,
                false,
                Python,
            ),
            (
                "/usr/lib64/python2.7/site-packages/x.py",
                &file,
                0o644,
                false,
                Python,
            ),
            (
                "/usr/lib/python3/dist-packages",
                &dir,
                0o755,
                false,
                Runtime,
            ),
            ("/usr/share/perl5/Debconf/Log.pm", &file, 0o644, false, Perl),
            (
                "/usr/lib/x86_64-linux-gnu/perl5/5.36/X.pm",
                &file,
                0o644,
                false,
                Perl,
            ),
            (
                "/usr/lib64/perl5/vendor_perl/X.pm",
                &file,
                0o644,
                false,
                Perl,
            ),
            (
                "/usr/share/man/man3/SSL_new.3ssl.gz",
                &file,
                0o644,
                false,
                Devel,
            ),
            ("/usr/share/man/man8/sudo.8.gz", &file, 0o644, false, Doc),
            ("/usr/share/doc/sudo/copyright", &file, 0o644, false, Doc),
            ("/usr/share/info/x.info.gz", &file, 0o644, false, Doc),
            (
                "/usr/share/locale/de/LC_MESSAGES/sudo.mo",
                &file,
                0o644,
                false,
                Locale,
            ),
            (
                "/usr/share/gnome/help/app/C/index.page",
                &file,
                0o644,
                false,
                Locale,
            ),
            (
                "/usr/lib/x86_64-linux-gnu/libssl.so",
                &link,
                0o777,
                false,
                Devel,
            ),
            (
                "/usr/lib/x86_64-linux-gnu/libssl.a",
                &file,
                0o644,
                false,
                Devel,
            ),
            (
                "/usr/lib/x86_64-linux-gnu/pkgconfig/libssl.pc",
                &file,
                0o644,
                false,
                Devel,
            ),
            ("/usr/share/pkgconfig/x.pc", &file, 0o644, false, Devel),
            ("/usr/include/openssl/ssl.h", &file, 0o644, false, Devel),
            (
                "/usr/include/x86_64-linux-gnu/openssl",
                &dir,
                0o755,
                false,
                Devel,
            ),
            ("/usr/share/aclocal/x.m4", &file, 0o644, false, Devel),
            ("/usr/bin/curl-config", &file, 0o755, false, Devel),
            ("/usr/bin/-config", &file, 0o755, false, Runtime),
            (
                "/usr/share/zoneinfo/Europe/Paris",
                &file,
                0o644,
                false,
                Data,
            ),
            ("/usr/share/doc", &dir, 0o755, false, Data),
            ("/usr/share/nginx/lib/x.js", &file, 0o644, false, Data),
            (
                "/usr/lib/x86_64-linux-gnu/libssl.so.3",
                &file,
                0o644,
                false,
                Lib,
            ),
            (
                "/usr/lib/x86_64-linux-gnu/libexpat.so.1",
                &link,
                0o777,
                false,
                Lib,
            ),
            (
                "/usr/lib/x86_64-linux-gnu/engines-3/afalg.so",
                &file,
                0o644,
                false,
                Lib,
            ),
            (
                "/lib/systemd/system/nginx.service",
                &file,
                0o644,
                false,
                Lib,
            ),
            ("/usr/lib/x86_64-linux-gnu", &dir, 0o755, false, Runtime),
            ("/usr/bin/sudo", &file, 0o4755, false, Runtime),
            ("/usr/sbin/nginx", &file, 0o755, false, Runtime),
            ("/var/lib/sudo/lectured", &dir, 0o700, false, Runtime),
            ("/var/lib/dpkg/info/x.list", &file, 0o644, false, Runtime),
            ("/", &dir, 0o755, false, Runtime),
            ("/usr/share", &dir, 0o755, false, Runtime),
        ];
        for (path, kind, mode, conffile, expected) in cases {
            assert_eq!(
                component_for(&entry(path, (*kind).clone(), *mode), *conffile),
                *expected,
                "{path}"
            );
        }
    }

    #[test]
    fn suffix_round_trip() {
        for (suffix, name) in ALL {
            assert_eq!(suffix.name(), name);
            let parsed: ComponentSuffix =
                suffix.to_string().parse().expect("displayed suffix parses");
            assert_eq!(parsed, suffix);
        }
        assert!(":supdoc".parse::<ComponentSuffix>().is_err());
    }
}
