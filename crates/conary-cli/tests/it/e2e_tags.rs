//! Tag handlers and trove scripts through the real `conary` binary:
//! hand-made changesets (a tag description with its handler, files
//! carrying the tag, a package with scripts) installed with
//! `conary update FILE.ccs --root`, then erased with `--tag-script`; a
//! failing preInstall script leaves the root as it was.
//!
//! As root the programs run chrooted, so the root gets a shell (the
//! host's `/bin/sh` and the libraries `ldd` names); as a normal user they
//! run from the root with `CONARY_ROOT` set. The handler and the scripts
//! log to `$CONARY_ROOT/…`, which is `/…` inside a chroot.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use conary_changeset::{ChangeSetBuilder, MemContents, NoContents};
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::Trove;
use conary_core::troveinfo::{ScriptSlot, TroveScript};

use crate::cli::{CONARY, ok, run};

const HANDLER: &[u8] = b"#!/bin/sh\n\
echo \"one $*\" >> \"$CONARY_ROOT/handler.log\"\n\
while read -r line; do echo \"one < $line\" >> \"$CONARY_ROOT/handler.log\"; done\n";

const DESCRIPTION: &[u8] = b"file /usr/libexec/conary/tags/one\n\
implements files preupdate\nimplements files update\n\
implements files preremove\nimplements files remove\n";

/// Writes trove `name` with regular files `(path, contents, mode, tags)`
/// and `scripts` to `out` as an absolute changeset.
fn ccs(
    out: &Path,
    name: &str,
    files: &[(&str, &[u8], u32, &[&str])],
    scripts: &[(ScriptSlot, &str)],
) -> String {
    let version: conary_core::version::Version =
        "/tags.example.com@test:1/1-1-1".parse().expect("version");
    let mut trove = Trove::new(
        name.parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    let mut contents = MemContents::new();
    let mut streams: BTreeMap<FileId, FileStream> = BTreeMap::new();
    for (path, data, mode, tags) in files {
        let kind = FileKind::Regular {
            size: data.len() as u64,
            digest: contents.insert(data.to_vec()),
            link_group: None,
        };
        let mut stream = FileStream::new(kind, Mode::new(*mode).expect("mode"), "root", "root");
        stream.tags = tags.iter().map(|tag| (*tag).to_owned()).collect();
        trove.add_file(
            PathId::derive(path.as_bytes()),
            path,
            stream.file_id(),
            version.clone(),
        );
        streams.insert(stream.file_id(), stream);
    }
    for (slot, text) in scripts {
        trove.info.scripts.set(*slot, TroveScript::new(text));
    }
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(trove.tuple());
    builder.add_absolute(trove, &streams).expect("absolute");
    let changeset = builder.build(&NoContents, &contents).expect("build");
    let bytes =
        conary_changeset::write_changeset(Vec::new(), &changeset, &contents).expect("write");
    fs::write(out, bytes).expect("write ccs");
    out.display().to_string()
}

/// Gives `root` the host's `/bin/sh` and the libraries it needs, so that
/// chrooted programs can run.
pub(crate) fn give_shell(root: &Path) {
    let shell = fs::canonicalize("/bin/sh").expect("/bin/sh");
    let mut needed: Vec<PathBuf> = vec![shell.clone()];
    let ldd = Command::new("ldd").arg(&shell).output().expect("ldd");
    for word in String::from_utf8_lossy(&ldd.stdout).split_whitespace() {
        if word.starts_with('/') {
            needed.push(PathBuf::from(word));
        }
    }
    for path in needed {
        let target = root.join(path.strip_prefix("/").expect("absolute"));
        fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        fs::copy(&path, &target).expect("copy");
    }
    fs::create_dir_all(root.join("bin")).expect("bin");
    if !root.join("bin/sh").exists() {
        fs::copy(&shell, root.join("bin/sh")).expect("copy sh");
    }
}

fn take(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let _ = fs::remove_file(path);
    text.lines().map(str::to_owned).collect()
}

/// Every path under `root` but the database, with a digest of its
/// contents.
fn tree(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("under")
                .display()
                .to_string();
            if rel == "var/lib/conarydb" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                out.push((rel, String::new()));
            } else {
                let data = fs::read(&path).unwrap_or_default();
                out.push((rel, Digest::of(&data).to_string()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn handlers_and_scripts_run_in_the_root() {
    let work = tempfile::tempdir().expect("work");
    let home = work.path();
    let root = work.path().join("root");
    fs::create_dir_all(&root).expect("root");
    give_shell(&root);
    let root_arg = root.display().to_string();
    let log = root.join("handler.log");
    let script_log = root.join("scripts.log");

    let tagger = ccs(
        &home.join("tagger.ccs"),
        "tagger:runtime",
        &[
            ("/etc/conary/tags/one", DESCRIPTION, 0o644, &[]),
            ("/usr/libexec/conary/tags/one", HANDLER, 0o755, &[]),
        ],
        &[],
    );
    ok(
        CONARY,
        &["update", &tagger, "--root", &root_arg, "--no-deps"],
        home,
    );
    assert!(take(&log).is_empty(), "no files carry the tag yet");

    let foo = ccs(
        &home.join("foo.ccs"),
        "foo",
        &[
            ("/usr/share/foo/b", b"b", 0o644, &["one"]),
            ("/usr/share/foo/a", b"a", 0o644, &["one"]),
            ("/usr/share/foo/plain", b"p", 0o644, &[]),
        ],
        &[(
            ScriptSlot::PostInstall,
            "echo \"$CONARY_NEW_NAME $CONARY_NEW_VERSION\" >> \"$CONARY_ROOT/scripts.log\"",
        )],
    );
    ok(
        CONARY,
        &["update", &foo, "--root", &root_arg, "--no-deps"],
        home,
    );
    assert_eq!(
        take(&log),
        [
            "one files preupdate /usr/share/foo/a /usr/share/foo/b",
            "one files update /usr/share/foo/a /usr/share/foo/b",
        ]
    );
    assert_eq!(take(&script_log), ["foo /tags.example.com@test:1/1-1-1"]);

    // --tag-script: the calls are written, not run.
    let tag_script = home.join("tags.sh");
    let tag_script_arg = tag_script.display().to_string();
    ok(
        CONARY,
        &[
            "erase",
            "foo",
            "--root",
            &root_arg,
            "--tag-script",
            &tag_script_arg,
        ],
        home,
    );
    assert!(take(&log).is_empty());
    assert_eq!(
        fs::read_to_string(&tag_script).expect("tag script"),
        "# /usr/libexec/conary/tags/one files preremove /usr/share/foo/a /usr/share/foo/b\n\
         /usr/libexec/conary/tags/one files remove /usr/share/foo/a /usr/share/foo/b\n"
    );

    // A failing preInstall script: refused, nothing changed.
    let bar = ccs(
        &home.join("bar.ccs"),
        "bar",
        &[("/usr/share/bar", b"bar", 0o644, &["one"])],
        &[(ScriptSlot::PreInstall, "exit 4")],
    );
    let before = tree(&root);
    let output = run(
        CONARY,
        &["update", &bar, "--root", &root_arg, "--no-deps"],
        home,
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().last().unwrap_or_default();
    assert!(
        line.starts_with(
            "conary: error: cannot apply the changeset: preInstall script of trove bar=/tags.example.com@test:1/1-1-1[] failed"
        ),
        "{line}"
    );
    assert_eq!(tree(&root), before);
    let query = ok(CONARY, &["query", "--root", &root_arg], home);
    assert!(!query.contains("bar"), "{query}");

    // --no-scripts installs it.
    let output = run(
        CONARY,
        &[
            "update",
            &bar,
            "--root",
            &root_arg,
            "--no-deps",
            "--no-scripts",
        ],
        home,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(root.join("usr/share/bar").is_file());
    assert_eq!(
        take(&log),
        [
            "one files preupdate /usr/share/bar",
            "one files update /usr/share/bar"
        ]
    );

    // shlib: the root's ld.so.conf gets the library's directory; ldconfig
    // runs on the root when privileged, else the user is told.
    let libs = ccs(
        &home.join("libs.ccs"),
        "libs:lib",
        &[(
            "/opt/foo/lib/libfoo.so.1",
            b"not really ELF",
            0o644,
            &["shlib"],
        )],
        &[],
    );
    let output = run(
        CONARY,
        &["update", &libs, "--root", &root_arg, "--no-deps"],
        home,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        fs::read_to_string(root.join("etc/ld.so.conf")).expect("ld.so.conf"),
        "/opt/foo/lib\n"
    );
    if conary_system::apply::is_privileged() {
        assert!(root.join("etc/ld.so.cache").is_file(), "{stderr}");
    } else {
        assert!(
            stderr.contains("note: ldconfig skipped: not running as root"),
            "{stderr}"
        );
    }
}

/// A handler that logs its call and, the first time it is called for
/// `files update`, kills the `conary` that ran it (after the commit,
/// before the post-scripts).
const KILLER: &[u8] = b"#!/bin/sh\n\
echo \"killer $*\" >> \"$CONARY_ROOT/handler.log\"\n\
if [ \"$2\" = update ] && [ ! -e \"$CONARY_ROOT/killed\" ]; then\n\
  : > \"$CONARY_ROOT/killed\"\n\
  kill -9 $PPID\n\
fi\n";

const KILLER_DESCRIPTION: &[u8] = b"file /usr/libexec/conary/tags/killer\n\
implements files preupdate\nimplements files update\n";

#[test]
fn post_phase_hooks_a_kill_after_the_commit_skipped_run_on_the_next_command() {
    let work = tempfile::tempdir().expect("work");
    let home = work.path();
    let root = work.path().join("root");
    fs::create_dir_all(&root).expect("root");
    give_shell(&root);
    let root_arg = root.display().to_string();
    let log = root.join("handler.log");
    let script_log = root.join("scripts.log");
    let tagger = ccs(
        &home.join("killer.ccs"),
        "killer:runtime",
        &[
            ("/etc/conary/tags/killer", KILLER_DESCRIPTION, 0o644, &[]),
            ("/usr/libexec/conary/tags/killer", KILLER, 0o755, &[]),
        ],
        &[],
    );
    ok(
        CONARY,
        &["update", &tagger, "--root", &root_arg, "--no-deps"],
        home,
    );
    let foo = ccs(
        &home.join("foo.ccs"),
        "foo",
        &[("/usr/share/foo", b"foo", 0o644, &["killer"])],
        &[(
            ScriptSlot::PostInstall,
            "echo \"postInstall $CONARY_NEW_NAME\" >> \"$CONARY_ROOT/scripts.log\"",
        )],
    );
    let killed = run(
        CONARY,
        &["update", &foo, "--root", &root_arg, "--no-deps"],
        home,
    );
    assert!(!killed.status.success(), "the handler killed conary");
    assert!(root.join("killed").exists());
    // Committed: foo is installed; its postInstall script has not run.
    assert!(root.join("usr/share/foo").is_file());
    assert!(!script_log.exists());
    assert!(root.join("var/lib/conarydb/hooks-pending").exists());

    // The next command runs what the kill skipped: the handler step it
    // interrupted again, then the script, once.
    let query = ok(CONARY, &["query", "--root", &root_arg], home);
    assert!(query.contains("foo="), "{query}");
    assert_eq!(take(&script_log), ["postInstall foo"]);
    assert_eq!(
        take(&log),
        [
            "killer files preupdate /usr/share/foo",
            "killer files update /usr/share/foo",
            "killer files update /usr/share/foo",
        ]
    );
    assert!(!root.join("var/lib/conarydb/hooks-pending").exists());
    ok(CONARY, &["query", "--root", &root_arg], home);
    assert!(take(&script_log).is_empty(), "nothing runs twice");
    assert_eq!(
        ok(CONARY, &["revert", "--root", &root_arg], home),
        "no interrupted transaction to revert\n"
    );
}

const NOTE_DESCRIPTION: &[u8] = b"file /usr/libexec/conary/tags/note\n\
implements files update\ninclude /usr/share/notes/.*\n";

const NOTE_HANDLER: &[u8] = b"#!/bin/sh\n\
echo \"note $*\" >> \"$CONARY_ROOT/handler.log\"\n";

#[test]
fn a_package_cooked_on_a_root_with_a_tag_handler_gets_its_files_tagged() {
    let work = tempfile::tempdir().expect("work");
    let home = work.path();
    let root = work.path().join("root");
    fs::create_dir_all(&root).expect("root");
    give_shell(&root);
    let root_arg = root.display().to_string();
    let tagger = ccs(
        &home.join("note.ccs"),
        "note:runtime",
        &[
            ("/etc/conary/tags/note", NOTE_DESCRIPTION, 0o644, &[]),
            ("/usr/libexec/conary/tags/note", NOTE_HANDLER, 0o755, &[]),
        ],
        &[],
    );
    ok(
        CONARY,
        &["update", &tagger, "--root", &root_arg, "--no-deps"],
        home,
    );
    let recipe = home.join("notes.recipe");
    fs::write(
        &recipe,
        "name = 'notes'\nversion = '1.0'\n\ndef setup(r):\n    r.Create('/usr/share/notes/a', contents='a\\n')\n    r.Create('/usr/share/other', contents='b\\n')\n",
    )
    .expect("recipe");
    let recipe_arg = recipe.display().to_string();

    // Cooked without the root: no tag; with it: the root's description
    // tags the file.
    let plain = home.join("plain.ccs");
    let plain_arg = plain.display().to_string();
    ok(
        crate::cli::CVC,
        &["cook", &recipe_arg, "--to-file", &plain_arg],
        home,
    );
    let tagged = home.join("tagged.ccs");
    let tagged_arg = tagged.display().to_string();
    ok(
        crate::cli::CVC,
        &[
            "cook",
            &recipe_arg,
            "--root",
            &root_arg,
            "--to-file",
            &tagged_arg,
        ],
        home,
    );
    let tags_of = |ccs: &Path| -> BTreeMap<String, Vec<String>> {
        let bytes = fs::read(ccs).expect("read ccs");
        let reader = conary_changeset::ChangeSetReader::new(&bytes[..]).expect("changeset");
        let changeset = reader.changeset();
        let mut out = BTreeMap::new();
        for change in changeset.troves.values() {
            for file in change.new.files.values() {
                if let Some(stream) = changeset.files.get(&file.file_id) {
                    out.insert(file.path.clone(), stream.tags.iter().cloned().collect());
                }
            }
        }
        out
    };
    let plain_tags = tags_of(&plain);
    assert_eq!(plain_tags["/usr/share/notes/a"], Vec::<String>::new());
    let tagged_tags = tags_of(&tagged);
    assert_eq!(tagged_tags["/usr/share/notes/a"], ["note"]);
    assert_eq!(tagged_tags["/usr/share/other"], Vec::<String>::new());

    // Installed on that root, the handler runs over the tagged file.
    ok(
        CONARY,
        &["update", &tagged_arg, "--root", &root_arg, "--no-deps"],
        home,
    );
    assert_eq!(
        take(&root.join("handler.log")),
        ["note files update /usr/share/notes/a"]
    );
}
