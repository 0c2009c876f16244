//! [`DebMetadata`]: the files of `control.tar` — the `control` stanza,
//! `conffiles`, `md5sums`, maintainer scripts and any other member — read
//! into memory (bounded by [`DebLimits::max_control_size`]).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::rc::Rc;
use std::str::FromStr;

use super::ar::ArReader;
use super::compression::Compression;
use super::control::DebControl;
use super::entry::normalize_path;
use super::error::{DebError, escape};
use super::reader::{DebLimits, with_tar_member};
use super::stream::ExactEntry;

/// The control members that dpkg runs as maintainer scripts, in the order of
/// a fresh install followed by a removal.
pub const MAINTAINER_SCRIPTS: [&str; 5] = ["config", "preinst", "postinst", "prerm", "postrm"];

/// One line of `conffiles`: an absolute path and dpkg's optional flag.
///
/// ```rust
/// let conffile: conary_build::deb::Conffile = "remove-on-upgrade /etc/x.conf".parse().unwrap();
/// assert_eq!((conffile.path.as_str(), conffile.remove_on_upgrade), ("/etc/x.conf", true));
/// assert_eq!(conffile.to_string(), "remove-on-upgrade /etc/x.conf");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Conffile {
    /// The normalized absolute path.
    pub path: String,
    /// dpkg's `remove-on-upgrade` flag: drop the file on the next upgrade.
    pub remove_on_upgrade: bool,
}

impl FromStr for Conffile {
    type Err = DebError;

    /// Parses `PATH` or `remove-on-upgrade PATH` (surrounding blanks ignored);
    /// an error names line 1.
    fn from_str(line: &str) -> Result<Self, Self::Err> {
        parse_conffile_line(line).map_err(|reason| list_error("conffiles", 1, reason))
    }
}

fn parse_conffile_line(line: &str) -> Result<Conffile, String> {
    let line = line.trim();
    let (remove_on_upgrade, path) = if line.starts_with('/') {
        (false, line)
    } else {
        match line.split_once(char::is_whitespace) {
            Some(("remove-on-upgrade", path)) => (true, path.trim_start()),
            _ => {
                return Err(format!(
                    "'{}' is not an absolute path",
                    escape(line.as_bytes())
                ));
            }
        }
    };
    let normalized = path
        .strip_prefix('/')
        .ok_or_else(|| format!("'{}' is not an absolute path", escape(path.as_bytes())))
        .and_then(|relative| {
            normalize_path(relative.as_bytes(), 4096)
                .map_err(|reason| format!("'{}': {reason}", escape(path.as_bytes())))
        })?;
    Ok(Conffile {
        path: normalized,
        remove_on_upgrade,
    })
}

impl fmt::Display for Conffile {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.remove_on_upgrade {
            formatter.write_str("remove-on-upgrade ")?;
        }
        formatter.write_str(&self.path)
    }
}

/// Everything `control.tar` holds.
///
/// ```rust
/// let metadata = conary_build::deb::DebMetadata::default();
/// assert!(!metadata.is_conffile("/etc/x") && metadata.maintainer_scripts().next().is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebMetadata {
    control: DebControl,
    conffiles: BTreeMap<String, Conffile>,
    md5sums: BTreeMap<String, String>,
    members: BTreeMap<String, Vec<u8>>,
}

impl DebMetadata {
    /// The parsed `control` stanza (it has a valid `Package` and `Version`).
    pub fn control(&self) -> &DebControl {
        &self.control
    }

    /// The conffiles, by path.
    pub fn conffiles(&self) -> &BTreeMap<String, Conffile> {
        &self.conffiles
    }

    /// Whether `path` (normalized, absolute) is listed in `conffiles`.
    pub fn is_conffile(&self, path: &str) -> bool {
        self.conffiles.contains_key(path)
    }

    /// The MD5 digests of `md5sums` (lowercase hex), by normalized path.
    pub fn md5sums(&self) -> &BTreeMap<String, String> {
        &self.md5sums
    }

    /// Every member of `control.tar` by name (`control`, `postinst`,
    /// `triggers`, `templates`, `shlibs`, ...), exactly as stored.
    pub fn members(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.members
    }

    /// The contents of one control member.
    pub fn member(&self, name: &str) -> Option<&[u8]> {
        self.members.get(name).map(Vec::as_slice)
    }

    /// The maintainer scripts present, in [`MAINTAINER_SCRIPTS`] order.
    pub fn maintainer_scripts(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        MAINTAINER_SCRIPTS
            .iter()
            .filter_map(|name| self.member(name).map(|contents| (*name, contents)))
    }

    /// Builds the metadata from the raw control members, parsing `control`,
    /// `conffiles` and `md5sums`.
    pub fn from_members(members: BTreeMap<String, Vec<u8>>) -> Result<Self, DebError> {
        let control_bytes = members
            .get("control")
            .ok_or(DebError::MissingMember { name: "control" })?;
        let control: DebControl = utf8("control", control_bytes)?.parse()?;
        control.package()?;
        control.version()?;
        let conffiles = match members.get("conffiles") {
            Some(bytes) => parse_conffiles(utf8("conffiles", bytes)?)?,
            None => BTreeMap::new(),
        };
        let md5sums = match members.get("md5sums") {
            Some(bytes) => parse_md5sums(utf8("md5sums", bytes)?)?,
            None => BTreeMap::new(),
        };
        Ok(DebMetadata {
            control,
            conffiles,
            md5sums,
            members,
        })
    }
}

fn utf8<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, DebError> {
    std::str::from_utf8(bytes).map_err(|err| DebError::BadControlMember {
        name: name.to_owned(),
        reason: format!("not valid UTF-8 ({err})"),
    })
}

fn list_error(member: &'static str, line: usize, reason: String) -> DebError {
    DebError::BadListLine {
        member,
        line,
        reason,
    }
}

fn parse_conffiles(text: &str) -> Result<BTreeMap<String, Conffile>, DebError> {
    let mut conffiles = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        if line.trim().is_empty() {
            continue;
        }
        let conffile =
            parse_conffile_line(line).map_err(|reason| list_error("conffiles", number, reason))?;
        if conffiles.contains_key(&conffile.path) {
            return Err(list_error(
                "conffiles",
                number,
                format!("duplicate path '{}'", conffile.path),
            ));
        }
        conffiles.insert(conffile.path.clone(), conffile);
    }
    Ok(conffiles)
}

fn parse_md5sums(text: &str) -> Result<BTreeMap<String, String>, DebError> {
    let mut sums = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        if line.trim().is_empty() {
            continue;
        }
        let Some((digest, path)) = line.split_once(char::is_whitespace) else {
            return Err(list_error("md5sums", number, "missing path".to_owned()));
        };
        if digest.len() != 32
            || !digest
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
        {
            return Err(list_error(
                "md5sums",
                number,
                format!("'{}' is not an md5 digest", escape(digest.as_bytes())),
            ));
        }
        let raw_path = path.trim_start();
        let path = normalize_path(raw_path.as_bytes(), 4096).map_err(|reason| {
            list_error(
                "md5sums",
                number,
                format!("'{}': {reason}", escape(raw_path.as_bytes())),
            )
        })?;
        if sums.insert(path.clone(), digest.to_owned()).is_some() {
            return Err(list_error(
                "md5sums",
                number,
                format!("duplicate path '{path}'"),
            ));
        }
    }
    Ok(sums)
}

/// Reads the current `ar` member as `control.tar` into a [`DebMetadata`].
pub(crate) fn read_control_tar<R: Read>(
    ar: &mut ArReader<R>,
    member: &str,
    compression: Compression,
    limits: &DebLimits,
) -> Result<DebMetadata, DebError> {
    let members = with_tar_member(ar, member, compression, limits, |archive, state| {
        state.set_budget("decompressed control archive", limits.max_control_size);
        let mut members = BTreeMap::new();
        let entries = archive
            .entries()
            .map_err(|err| state.classify(member, err))?;
        for entry in entries {
            let mut entry = entry.map_err(|err| state.classify(member, err))?;
            let raw_path = entry.path_bytes().into_owned();
            let bad = |reason: &str| DebError::BadControlMember {
                name: escape(&raw_path),
                reason: reason.to_owned(),
            };
            let path = normalize_path(&raw_path, limits.max_path_len).map_err(&bad)?;
            let entry_type = entry.header().entry_type();
            if path == "/" && entry_type.is_dir() {
                continue;
            }
            let name = path.trim_start_matches('/');
            if name.contains('/') {
                return Err(bad("control archive members must not be in a subdirectory"));
            }
            if !(entry_type.is_file() || entry_type.is_contiguous()) {
                return Err(bad("not a regular file"));
            }
            let size = entry.size();
            let mut contents = Vec::new();
            ExactEntry::new(&mut entry, size, Rc::clone(state))
                .read_to_end(&mut contents)
                .map_err(|err| state.classify(member, err))?;
            if members.insert(name.to_owned(), contents).is_some() {
                return Err(bad("appears twice"));
            }
        }
        Ok::<_, DebError>(members)
    })?;
    DebMetadata::from_members(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conffiles() {
        let parsed = parse_conffiles(
            "/etc/nginx/nginx.conf\n\nremove-on-upgrade /etc/old.conf\n/etc/with space\n",
        )
        .expect("valid conffiles");
        let lines: Vec<String> = parsed.values().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "/etc/nginx/nginx.conf",
                "remove-on-upgrade /etc/old.conf",
                "/etc/with space"
            ]
        );
        let cases: &[(&str, &str)] = &[
            (
                "etc/x\n",
                "invalid conffiles line 1: 'etc/x' is not an absolute path",
            ),
            (
                "/etc/x\n/etc/x\n",
                "invalid conffiles line 2: duplicate path '/etc/x'",
            ),
            (
                "/etc/../x\n",
                "invalid conffiles line 1: '/etc/../x': path contains '..'",
            ),
            (
                "frob /etc/x\n",
                "invalid conffiles line 1: 'frob /etc/x' is not an absolute path",
            ),
            (
                "remove-on-upgrade etc/x\n",
                "invalid conffiles line 1: 'etc/x' is not an absolute path",
            ),
        ];
        for (text, message) in cases {
            let err = parse_conffiles(text).expect_err("must be refused");
            assert_eq!(err.to_string(), *message);
        }
    }

    #[test]
    fn md5sums() {
        let parsed = parse_md5sums(
            "0123456789abcdef0123456789abcdef  usr/bin/sudo\nfedcba9876543210fedcba9876543210  ./usr/share/doc/a b\n",
        )
        .expect("valid md5sums");
        assert_eq!(
            parsed.get("/usr/bin/sudo").map(String::as_str),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert!(parsed.contains_key("/usr/share/doc/a b"));
        let cases: &[(&str, &str)] = &[
            (
                "abc usr/x\n",
                "invalid md5sums line 1: 'abc' is not an md5 digest",
            ),
            (
                "0123456789abcdef0123456789abcdef\n",
                "invalid md5sums line 1: missing path",
            ),
            (
                "0123456789abcdef0123456789abcdef  ../x\n",
                "invalid md5sums line 1: '../x': path contains '..'",
            ),
            (
                "0123456789abcdef0123456789abcdef  x\n0123456789abcdef0123456789abcdef  ./x\n",
                "invalid md5sums line 2: duplicate path '/x'",
            ),
        ];
        for (text, message) in cases {
            let err = parse_md5sums(text).expect_err("must be refused");
            assert_eq!(err.to_string(), *message);
        }
    }

    #[test]
    fn from_members_requires_control() {
        let err = DebMetadata::from_members(BTreeMap::new()).expect_err("no control");
        assert_eq!(err.to_string(), "missing member control");
        let mut members = BTreeMap::new();
        members.insert("control".to_owned(), b"Package: a\n".to_vec());
        let err = DebMetadata::from_members(members).expect_err("no version");
        assert_eq!(err.to_string(), "control file has no Version field");
    }
}
