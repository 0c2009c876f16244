//! File attributes on disk: owner and group ids (by name, through the
//! root's own `/etc/passwd` and `/etc/group`), permission bits, mtime.

use std::collections::BTreeMap;
use std::fs::{self, File, FileTimes};
use std::os::unix::fs::{PermissionsExt as _, fchown, lchown};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use conary_util::safe_join;
use rustix::fs::{AtFlags, CWD, Timespec, Timestamps, utimensat};
use serde::{Deserialize, Serialize};

use crate::error::SystemError;

/// True when this process may change owners and create device nodes.
pub(crate) fn is_privileged() -> bool {
    rustix::process::geteuid().is_root()
}

/// What to set on a file once it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Attrs {
    /// Permission bits with setuid, setgid and sticky (not for symlinks).
    pub mode: Option<u32>,
    /// The owner's id.
    pub uid: Option<u32>,
    /// The group's id.
    pub gid: Option<u32>,
    /// The mtime, in seconds since the epoch.
    pub mtime: Option<i64>,
}

/// Sets `attrs` on `path` without following a symlink there: owner first
/// (when `privileged`; changing it clears setuid bits), then mode, then
/// mtime.
pub(crate) fn set_attrs(path: &Path, attrs: &Attrs, privileged: bool) -> Result<(), SystemError> {
    if privileged && (attrs.uid.is_some() || attrs.gid.is_some()) {
        lchown(path, attrs.uid, attrs.gid)
            .map_err(SystemError::io_with("change owner of", path))?;
    }
    if let Some(mode) = attrs.mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(SystemError::io_with("change mode of", path))?;
    }
    if let Some(mtime) = attrs.mtime {
        let time = Timespec {
            tv_sec: mtime,
            tv_nsec: 0,
        };
        let times = Timestamps {
            last_access: time,
            last_modification: time,
        };
        utimensat(CWD, path, &times, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|errno| SystemError::io("set mtime of", path, errno.into()))?;
    }
    Ok(())
}

/// [`set_attrs`] through an open file (no path lookups): owner first,
/// then mode, then mtime.
pub(crate) fn set_file_attrs(file: &File, attrs: &Attrs, privileged: bool) -> std::io::Result<()> {
    if privileged && (attrs.uid.is_some() || attrs.gid.is_some()) {
        fchown(file, attrs.uid, attrs.gid)?;
    }
    if let Some(mode) = attrs.mode {
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    if let Some(mtime) = attrs.mtime {
        let time = match u64::try_from(mtime) {
            Ok(seconds) => UNIX_EPOCH + Duration::from_secs(seconds),
            Err(_) => UNIX_EPOCH - Duration::from_secs(mtime.unsigned_abs()),
        };
        file.set_times(FileTimes::new().set_accessed(time).set_modified(time))?;
    }
    Ok(())
}

/// User and group names of a root, from its `/etc/passwd` and `/etc/group`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    users: BTreeMap<String, u32>,
    groups: BTreeMap<String, u32>,
    user_names: BTreeMap<u32, String>,
    group_names: BTreeMap<u32, String>,
}

/// How a name was turned into an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Found in the root's database (or `root`, which is always 0).
    Found(u32),
    /// The name is a number: used as the id.
    Numeric(u32),
    /// Unknown: root (0) is used, as the original Conary does.
    Missing,
}

impl Lookup {
    pub(crate) fn id(&self) -> u32 {
        match self {
            Lookup::Found(id) | Lookup::Numeric(id) => *id,
            Lookup::Missing => 0,
        }
    }
}

fn parse_db(text: &str) -> BTreeMap<String, u32> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let id = fields.nth(1)?.parse().ok()?;
            Some((name.to_owned(), id))
        })
        .collect()
}

impl Ids {
    /// Reads the root's user and group databases (missing files are empty).
    pub(crate) fn load(root: &Path) -> Result<Ids, SystemError> {
        let read = |relative: &str| -> Result<BTreeMap<String, u32>, SystemError> {
            let path = safe_join(root, relative)?;
            match fs::read(&path) {
                Ok(bytes) => Ok(parse_db(&String::from_utf8_lossy(&bytes))),
                Err(_) => Ok(BTreeMap::new()),
            }
        };
        let users = read("etc/passwd")?;
        let groups = read("etc/group")?;
        let invert = |map: &BTreeMap<String, u32>| {
            let mut names = BTreeMap::new();
            for (name, id) in map {
                names.entry(*id).or_insert_with(|| name.clone());
            }
            names
        };
        Ok(Ids {
            user_names: invert(&users),
            group_names: invert(&groups),
            users,
            groups,
        })
    }

    fn lookup(map: &BTreeMap<String, u32>, name: &str) -> Lookup {
        if let Some(id) = map.get(name) {
            Lookup::Found(*id)
        } else if name == "root" {
            Lookup::Found(0)
        } else if let Ok(id) = name.parse() {
            Lookup::Numeric(id)
        } else {
            Lookup::Missing
        }
    }

    /// The id of user `name`.
    pub(crate) fn user(&self, name: &str) -> Lookup {
        Ids::lookup(&self.users, name)
    }

    /// The id of group `name`.
    pub(crate) fn group(&self, name: &str) -> Lookup {
        Ids::lookup(&self.groups, name)
    }

    /// The name of user id `id` (`root` for 0, else the number).
    pub(crate) fn user_name(&self, id: u32) -> String {
        Ids::name(&self.user_names, id)
    }

    /// The name of group id `id` (`root` for 0, else the number).
    pub(crate) fn group_name(&self, id: u32) -> String {
        Ids::name(&self.group_names, id)
    }

    fn name(names: &BTreeMap<u32, String>, id: u32) -> String {
        match names.get(&id) {
            Some(name) => name.clone(),
            None if id == 0 => "root".to_owned(),
            None => id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_through_the_root_then_by_number_then_to_root() {
        let root = tempfile::tempdir().expect("temp dir");
        fs::create_dir(root.path().join("etc")).expect("etc");
        fs::write(
            root.path().join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\n# comment\nredis:x:105:109::/var/lib/redis:/usr/sbin/nologin\nbroken\n",
        )
        .expect("passwd");
        fs::write(root.path().join("etc/group"), "root:x:0:\nredis:x:109:\n").expect("group");
        let ids = Ids::load(root.path()).expect("load");
        assert_eq!(ids.user("redis"), Lookup::Found(105));
        assert_eq!(ids.group("redis"), Lookup::Found(109));
        assert_eq!(ids.user("root"), Lookup::Found(0));
        assert_eq!(ids.user("1234"), Lookup::Numeric(1234));
        assert_eq!(ids.user("nobody-here"), Lookup::Missing);
        assert_eq!(ids.user("nobody-here").id(), 0);
        assert_eq!(ids.user_name(105), "redis");
        assert_eq!(ids.group_name(0), "root");
        assert_eq!(ids.user_name(77), "77");
    }

    #[test]
    fn a_root_without_databases_knows_only_root() {
        let root = tempfile::tempdir().expect("temp dir");
        let ids = Ids::load(root.path()).expect("load");
        assert_eq!(ids.user("root"), Lookup::Found(0));
        assert_eq!(ids.group("daemon"), Lookup::Missing);
    }
}
