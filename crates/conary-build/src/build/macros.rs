//! Build macros: named strings such as `%(prefix)s` that recipe strings
//! refer to, expanded by the executor just before an action runs.
//!
//! Values are stored unexpanded, so `libdir` (`%(exec_prefix)s/%(lib)s`)
//! follows a recipe that sets `prefix` to `/opt/foo`.

use std::collections::BTreeMap;
use std::path::Path;

use thiserror::Error;

/// How deep macros may refer to macros before expansion gives up (a macro
/// that refers to itself, directly or not, would never end).
pub const MAX_MACRO_DEPTH: usize = 32;

/// Why a string could not be expanded.
///
/// ```rust
/// use conary_build::build::Macros;
/// let macros = Macros::defaults("hello", "1.0", "/d".as_ref(), "/b".as_ref(), "");
/// let err = macros.expand("%(nosuch)s/bin").expect_err("unknown");
/// assert_eq!(err.to_string(), "unknown macro 'nosuch' in '%(nosuch)s/bin'");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MacroError {
    /// `%(NAME)s` names no macro.
    #[error("unknown macro '{name}' in '{text}'")]
    Unknown {
        /// The macro's name.
        name: String,
        /// The text that refers to it.
        text: String,
    },
    /// `%(` without a closing `)s`.
    #[error("unterminated macro reference in '{text}': expected '%(NAME)s'")]
    Unterminated {
        /// The text at fault.
        text: String,
    },
    /// Macros refer to each other deeper than [`MAX_MACRO_DEPTH`].
    #[error("macro '{name}' refers to itself (expansion deeper than {MAX_MACRO_DEPTH} levels)")]
    TooDeep {
        /// The macro being expanded when the limit was reached.
        name: String,
    },
}

/// Named macro values, expandable in recipe strings.
///
/// ```rust
/// use conary_build::build::Macros;
/// let mut macros = Macros::defaults("hello", "1.0", "/d".as_ref(), "/b".as_ref(), "x86_64");
/// assert_eq!(macros.expand("%(libdir)s/%(name)s")?, "/usr/lib/hello");
/// macros.set("prefix", "/opt");
/// assert_eq!(macros.expand("%(bindir)s 100%%")?, "/opt/bin 100%");
/// # Ok::<(), conary_build::build::MacroError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Macros {
    values: BTreeMap<String, String>,
}

impl Macros {
    /// The default macros of a build: `name`, `version`, `destdir`,
    /// `builddir`, the install directories (`prefix=/usr`, `exec_prefix`,
    /// `bindir=/usr/bin`, `sbindir`, `libdir=/usr/lib`, `libexecdir`,
    /// `includedir`, `datadir=/usr/share`, `mandir`, `infodir`,
    /// `docdir=/usr/share/doc`, `sysconfdir=/etc`, `localstatedir=/var`,
    /// `servicedir=/srv`), the tools (`cc=cc`, `cxx=c++`, `cflags="-O2 -g"`,
    /// `cxxflags`, `ldflags=""`), `lib="lib"` and `arch` (the flavor's
    /// instruction set, or empty).
    pub fn defaults(
        name: &str,
        version: &str,
        destdir: &Path,
        builddir: &Path,
        arch: &str,
    ) -> Macros {
        let mut macros = Macros::default();
        let destdir = destdir.to_string_lossy();
        let builddir = builddir.to_string_lossy();
        let table: [(&str, &str); 29] = [
            ("name", name),
            ("version", version),
            ("destdir", &destdir),
            ("builddir", &builddir),
            ("arch", arch),
            ("lib", "lib"),
            ("prefix", "/usr"),
            ("exec_prefix", "%(prefix)s"),
            ("bindir", "%(exec_prefix)s/bin"),
            ("sbindir", "%(exec_prefix)s/sbin"),
            ("libdir", "%(exec_prefix)s/%(lib)s"),
            ("libexecdir", "%(exec_prefix)s/libexec"),
            ("includedir", "%(prefix)s/include"),
            ("datadir", "%(prefix)s/share"),
            ("mandir", "%(datadir)s/man"),
            ("infodir", "%(datadir)s/info"),
            ("docdir", "%(datadir)s/doc"),
            ("sysconfdir", "/etc"),
            ("localstatedir", "/var"),
            ("servicedir", "/srv"),
            ("cc", "cc"),
            ("cxx", "c++"),
            ("cflags", "-O2 -g"),
            ("cxxflags", "%(cflags)s"),
            ("ldflags", ""),
            ("os", "linux"),
            ("bootdir", "/boot"),
            ("initdir", "%(sysconfdir)s/init.d"),
            ("thisdocdir", "%(docdir)s/%(name)s-%(version)s"),
        ];
        for (key, value) in table {
            macros.set(key, value);
        }
        macros
    }

    /// Sets (or replaces) a macro; `value` may refer to other macros.
    pub fn set(&mut self, key: &str, value: &str) {
        self.values.insert(key.to_owned(), value.to_owned());
    }

    /// The unexpanded value of a macro.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Every macro with its unexpanded value, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Expands `%(key)s` references (values may refer to further macros, up
    /// to [`MAX_MACRO_DEPTH`] levels); `%%` is a literal `%`, and a `%`
    /// followed by anything else is kept as it is (so `date +%s` in a
    /// command needs no escaping).
    pub fn expand(&self, text: &str) -> Result<String, MacroError> {
        self.expand_at(text, 0, None)
    }

    fn expand_at(
        &self,
        text: &str,
        depth: usize,
        current: Option<&str>,
    ) -> Result<String, MacroError> {
        if depth > MAX_MACRO_DEPTH {
            return Err(MacroError::TooDeep {
                name: current.unwrap_or_default().to_owned(),
            });
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('%') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(tail) = after.strip_prefix('%') {
                out.push('%');
                rest = tail;
            } else if let Some(tail) = after.strip_prefix('(') {
                let close = tail.find(")s").filter(|&close| {
                    tail[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
                let Some(close) = close else {
                    return Err(MacroError::Unterminated {
                        text: text.to_owned(),
                    });
                };
                let name = &tail[..close];
                let Some(value) = self.values.get(name) else {
                    return Err(MacroError::Unknown {
                        name: name.to_owned(),
                        text: text.to_owned(),
                    });
                };
                out.push_str(&self.expand_at(value, depth + 1, Some(name))?);
                rest = &tail[close + 2..];
            } else {
                out.push('%');
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}
