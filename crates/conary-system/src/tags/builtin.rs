//! The tags Conary handles itself: `shlib` (the root's `ld.so.conf` and
//! `ldconfig`), `user-info` and `group-info` (the root's `passwd` and
//! `group`, when no description for those tags is installed).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::apply::Note;
use crate::scripts::runner::{Mode, Runner};

/// Adds the directories of `paths` (shlib-tagged files) that
/// `ROOT/etc/ld.so.conf` lacks, then runs `ldconfig -r ROOT` (or writes
/// `/sbin/ldconfig` to the tag script). Returns what the user should know.
pub fn shlib(runner: &Runner, privileged: bool, paths: &BTreeSet<String>) -> Vec<Note> {
    let mut notes = Vec::new();
    let root = runner.root();
    let conf = root.join("etc/ld.so.conf");
    let text = fs::read_to_string(&conf).unwrap_or_default();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut added = false;
    for path in paths {
        let dir = match path.rsplit_once('/') {
            Some(("", _)) => "/".to_owned(),
            Some((dir, _)) => dir.to_owned(),
            None => continue,
        };
        if !lines.contains(&dir) {
            lines.push(dir);
            added = true;
        }
    }
    if added {
        let mut text = lines.join("\n");
        text.push('\n');
        let temp = root.join("etc/.ld.so.conf.conary");
        let written = fs::create_dir_all(root.join("etc"))
            .and_then(|()| fs::write(&temp, text))
            .and_then(|()| fs::rename(&temp, &conf));
        if let Err(error) = written {
            notes.push(Note::new(
                Some("/etc/ld.so.conf"),
                format!("cannot update: {error}"),
            ));
        }
    }
    match runner.mode() {
        Mode::Script(_) => {
            if let Err(message) = runner.write_lines("/sbin/ldconfig\n") {
                notes.push(Note::new(None, message));
            }
        }
        _ if !privileged => notes.push(Note::new(
            None,
            "ldconfig skipped: not running as root".to_owned(),
        )),
        _ => {
            let Some(ldconfig) = ["/sbin/ldconfig", "/usr/sbin/ldconfig"]
                .into_iter()
                .find(|path| Path::new(path).exists())
            else {
                notes.push(Note::new(None, "ldconfig skipped: not found".to_owned()));
                return notes;
            };
            let mut command = Command::new(ldconfig);
            if root != Path::new("/") {
                command.arg("-r").arg(root);
            }
            match command.output() {
                Ok(output) if output.status.success() => {}
                Ok(output) => notes.push(Note::new(
                    None,
                    format!(
                        "ldconfig failed ({}): {}",
                        output.status,
                        String::from_utf8_lossy(&output.stderr).trim()
                    ),
                )),
                Err(error) => notes.push(Note::new(None, format!("cannot run ldconfig: {error}"))),
            }
        }
    }
    notes
}

/// A colon-separated account file of the root (`/etc/passwd`,
/// `/etc/group`), edited by adding lines only.
struct InfoFile {
    rel: &'static str,
    lines: Vec<Vec<String>>,
    modified: bool,
}

impl InfoFile {
    fn load(root: &Path, rel: &'static str) -> InfoFile {
        let text = fs::read_to_string(root.join(rel)).unwrap_or_default();
        InfoFile {
            rel,
            lines: text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(|line| line.split(':').map(str::to_owned).collect())
                .collect(),
            modified: false,
        }
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.lines
            .iter()
            .position(|line| line.first().is_some_and(|first| first == name))
    }

    fn has_id(&self, id: &str) -> bool {
        self.lines
            .iter()
            .any(|line| line.get(2).is_some_and(|field| field == id))
    }

    /// `preferred` when free, else the lowest free id from 1.
    fn free_id(&self, preferred: Option<&str>) -> String {
        if let Some(id) = preferred
            && id.parse::<u32>().is_ok()
            && !self.has_id(id)
        {
            return id.to_owned();
        }
        let mut id = 1u32;
        while self.has_id(&id.to_string()) {
            id += 1;
        }
        id.to_string()
    }

    fn add(&mut self, line: Vec<String>) {
        self.lines.push(line);
        self.modified = true;
    }

    /// Adds `user` to the member list of `group`.
    fn add_member(&mut self, group: &str, user: &str) -> bool {
        let Some(index) = self.find(group) else {
            return false;
        };
        let line = &mut self.lines[index];
        while line.len() < 4 {
            line.push(String::new());
        }
        let mut members: Vec<String> = line[3]
            .split(',')
            .filter(|member| !member.is_empty())
            .map(str::to_owned)
            .collect();
        if !members.iter().any(|member| member == user) {
            members.push(user.to_owned());
            line[3] = members.join(",");
            self.modified = true;
        }
        true
    }

    fn write(&self, root: &Path) -> Result<(), std::io::Error> {
        if !self.modified {
            return Ok(());
        }
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(&line.join(":"));
            text.push('\n');
        }
        fs::create_dir_all(root.join("etc"))?;
        let temp = root.join(format!("{}.conary", self.rel));
        fs::write(&temp, text)?;
        fs::rename(&temp, root.join(self.rel))
    }
}

/// `KEY=value` lines of an info file (`/etc/conary/userinfo/NAME`).
fn key_values(root: &Path, path: &str) -> Result<BTreeMap<String, String>, String> {
    let full = conary_util::safe_join(root, path.trim_start_matches('/'))
        .map_err(|error| format!("cannot read: {error}"))?;
    let text = fs::read_to_string(full).map_err(|error| format!("cannot read: {error}"))?;
    let mut values = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            values.insert(key.trim().to_owned(), value.trim().to_owned());
        }
    }
    Ok(values)
}

fn base_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// Adds the groups described by `paths` (group-info files) that the root's
/// `/etc/group` lacks, and their `USER` as a member.
pub fn group_info(root: &Path, paths: &BTreeSet<String>) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut group = InfoFile::load(root, "etc/group");
    for path in paths {
        let values = match key_values(root, path) {
            Ok(values) => values,
            Err(message) => {
                notes.push(Note::new(Some(path), message));
                continue;
            }
        };
        let name = values
            .get("GROUP")
            .cloned()
            .unwrap_or_else(|| base_name(path));
        if group.find(&name).is_none() {
            let preferred = values.get("PREFERRED_GID").or_else(|| values.get("GID"));
            let id = group.free_id(preferred.map(String::as_str));
            group.add(vec![name.clone(), "*".to_owned(), id, String::new()]);
        }
        if let Some(user) = values.get("USER") {
            group.add_member(&name, user);
        }
    }
    if let Err(error) = group.write(root) {
        notes.push(Note::new(
            Some("/etc/group"),
            format!("cannot write: {error}"),
        ));
    }
    notes
}

/// Adds the users described by `paths` (user-info files) that the root's
/// `/etc/passwd` lacks, with their primary group when `/etc/group` lacks
/// it, and their `SUPPLEMENTAL` groups' memberships.
pub fn user_info(root: &Path, paths: &BTreeSet<String>) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut passwd = InfoFile::load(root, "etc/passwd");
    let mut group = InfoFile::load(root, "etc/group");
    for path in paths {
        let values = match key_values(root, path) {
            Ok(values) => values,
            Err(message) => {
                notes.push(Note::new(Some(path), message));
                continue;
            }
        };
        let get = |key: &str, default: &str| {
            values
                .get(key)
                .cloned()
                .unwrap_or_else(|| default.to_owned())
        };
        let user = values
            .get("USER")
            .cloned()
            .unwrap_or_else(|| base_name(path));
        if passwd.find(&user).is_none() {
            let preferred = values.get("PREFERRED_UID").or_else(|| values.get("UID"));
            let uid = passwd.free_id(preferred.map(String::as_str));
            let group_name = get("GROUP", &user);
            let gid = match group.find(&group_name) {
                Some(index) => group.lines[index].get(2).cloned().unwrap_or_default(),
                None => {
                    let preferred = values.get("GROUPID").or_else(|| values.get("GID"));
                    let gid = group.free_id(Some(preferred.map_or(uid.as_str(), String::as_str)));
                    group.add(vec![group_name, "*".to_owned(), gid.clone(), String::new()]);
                    gid
                }
            };
            passwd.add(vec![
                user.clone(),
                get("PASSWORD", "*"),
                uid,
                gid,
                get("COMMENT", ""),
                get("HOMEDIR", "/"),
                get("SHELL", "/sbin/nologin"),
            ]);
        }
        for name in get("SUPPLEMENTAL", "")
            .split(',')
            .filter(|name| !name.is_empty())
        {
            if !group.add_member(name, &user) {
                notes.push(Note::new(
                    Some(path),
                    format!("/etc/group has no group '{name}' for user '{user}'"),
                ));
            }
        }
    }
    for (file, rel) in [(&passwd, "/etc/passwd"), (&group, "/etc/group")] {
        if let Err(error) = file.write(root) {
            notes.push(Note::new(Some(rel), format!("cannot write: {error}")));
        }
    }
    notes
}
