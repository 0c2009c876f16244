//! The build executor against real tarballs, `make`, `patch` and `sh`: a
//! tiny Makefile project is unpacked, built and installed into a destdir,
//! then the file actions shape the result. Refusals of hostile paths and
//! archives are in [`safety`].

mod safety;

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use conary_build::build::{BuildDirs, BuildError, DirSources, Macros, run_actions};
use conary_build::recipe::model::{Action, Located, Location};

const MAKEFILE: &str = "\
all: hello

hello: hello.in
\tsed -e 's/@GREETING@/$(GREETING)/' hello.in > hello
\tchmod 755 hello

install: hello
\tmkdir -p $(DESTDIR)/usr/bin $(DESTDIR)/usr/share/hello
\tcp hello $(DESTDIR)/usr/bin/hello
\tcp README $(DESTDIR)/usr/share/hello/README

env:
\tenv | sort > env.txt

fail:
\techo building
\techo oops >&2
\texit 2
";

const HELLO_IN: &str = "#!/bin/sh\necho '@GREETING@, world'\n";

const CONFIGURE: &str = "#!/bin/sh\necho \"$@\" > configure.args\n";

/// The project's files, under `hello-1.0/`, with their modes.
fn project() -> Vec<(&'static str, &'static str, u32)> {
    vec![
        ("hello-1.0/Makefile", MAKEFILE, 0o644),
        ("hello-1.0/hello.in", HELLO_IN, 0o644),
        ("hello-1.0/README", "Say hello.\n", 0o644),
        ("hello-1.0/configure", CONFIGURE, 0o755),
        ("hello-1.0/docs/a.txt", "a\n", 0o644),
        ("hello-1.0/docs/sub/b.sh", "#!/bin/sh\n", 0o755),
    ]
}

/// A tar archive of `files`, compressed as `name`'s extension says.
fn tarball(name: &str, files: &[(&str, &str, u32)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, contents, mode) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(*mode);
        header.set_mtime(1_700_000_000);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, contents.as_bytes())
            .expect("append");
    }
    compress(name, builder.into_inner().expect("finish tar"))
}

fn compress(name: &str, tar: Vec<u8>) -> Vec<u8> {
    if name.ends_with(".tar") {
        tar
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&tar).expect("gzip");
        encoder.finish().expect("gzip")
    } else if name.ends_with(".tar.bz2") {
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(&tar).expect("bzip2");
        encoder.finish().expect("bzip2")
    } else if name.ends_with(".tar.xz") {
        let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 1);
        encoder.write_all(&tar).expect("xz");
        encoder.finish().expect("xz")
    } else if name.ends_with(".tar.zst") {
        zstd::encode_all(&tar[..], 1).expect("zstd")
    } else {
        panic!("no compression for {name}")
    }
}

/// Temporary directories of one build, and the actions' helpers.
struct Fixture {
    build: tempfile::TempDir,
    dest: tempfile::TempDir,
    sources: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            build: tempfile::tempdir().expect("tempdir"),
            dest: tempfile::tempdir().expect("tempdir"),
            sources: tempfile::tempdir().expect("tempdir"),
            cache: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn source(&self, name: &str, bytes: &[u8]) {
        fs::write(self.sources.path().join(name), bytes).expect("write source");
    }

    fn dest(&self, path: &str) -> PathBuf {
        self.dest.path().join(path)
    }

    fn macros(&self) -> Macros {
        let mut macros = Macros::defaults(
            "hello",
            "1.0",
            self.dest.path(),
            self.build.path(),
            "x86_64",
        );
        macros.set("greeting", "Hello");
        macros
    }

    fn run_with(&self, macros: &Macros, actions: &[Action]) -> (Result<(), BuildError>, String) {
        let located: Vec<Located<Action>> = actions
            .iter()
            .enumerate()
            .map(|(index, action)| Located {
                at: at(index as u32 + 1),
                item: action.clone(),
            })
            .collect();
        let sources = DirSources {
            dir: self.sources.path().into(),
            cache: Some(self.cache.path().into()),
        };
        let dirs = BuildDirs {
            builddir: self.build.path().into(),
            destdir: self.dest.path().into(),
        };
        let mut log = Vec::new();
        let result = run_actions(&located, macros, &sources, &dirs, &mut log);
        (result, String::from_utf8_lossy(&log).into_owned())
    }

    fn run(&self, actions: &[Action]) -> (Result<(), BuildError>, String) {
        self.run_with(&self.macros(), actions)
    }

    /// Runs and expects success.
    fn build(&self, actions: &[Action]) -> String {
        let (result, log) = self.run(actions);
        if let Err(error) = result {
            panic!("build failed: {error}\n--- log ---\n{log}");
        }
        log
    }

    /// Runs and returns the error's message.
    fn fail(&self, actions: &[Action]) -> (String, String) {
        let (result, log) = self.run(actions);
        (result.expect_err("the build should fail").to_string(), log)
    }
}

/// Action N of a test's list is at `hello.recipe:N:5`.
fn at(line: u32) -> Location {
    Location {
        file: "hello.recipe".into(),
        line,
        column: 5,
    }
}

fn archive(name: &str) -> Action {
    Action::AddArchive {
        name: name.into(),
        dir: None,
    }
}

fn make(args: &str) -> Action {
    Action::Make { args: args.into() }
}

fn make_install() -> Action {
    Action::MakeInstall {
        args: String::new(),
    }
}

fn run(command: &str) -> Action {
    Action::Run {
        command: command.into(),
        dir: None,
    }
}

fn install(from: &str, to: &str, mode: Option<u32>) -> Action {
    Action::Install {
        from: from.into(),
        to: to.into(),
        mode,
    }
}

fn create(path: &str, contents: &str, mode: u32) -> Action {
    Action::Create {
        path: path.into(),
        contents: contents.into(),
        mode,
    }
}

fn mode_of(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .expect("stat")
        .permissions()
        .mode()
        & 0o7777
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
}

#[test]
fn every_compression_unpacks_builds_and_installs() {
    for name in [
        "hello-1.0.tar",
        "hello-1.0.tar.gz",
        "hello-1.0.tgz",
        "hello-1.0.tar.bz2",
        "hello-1.0.tar.xz",
        "hello-1.0.tar.zst",
    ] {
        let fixture = Fixture::new();
        fixture.source(name, &tarball(name, &project()));
        let log = fixture.build(&[archive(name), make("GREETING=%(greeting)s"), make_install()]);
        let hello = fixture.dest("usr/bin/hello");
        assert_eq!(read(&hello), "#!/bin/sh\necho 'Hello, world'\n", "{name}");
        assert_eq!(mode_of(&hello), 0o755, "{name}");
        assert_eq!(
            read(&fixture.dest("usr/share/hello/README")),
            "Say hello.\n"
        );
        // The commands are in the log, with their output.
        assert!(log.contains("+ make GREETING=Hello"), "{log}");
        assert!(log.contains("cp hello"), "{log}");
        // Built in the archive's top-level directory, not in the destdir.
        assert!(fixture.build.path().join("hello-1.0/hello").is_file());
        assert!(!fixture.dest("hello").exists());
    }
}

#[test]
fn commands_run_in_a_clean_environment() {
    let fixture = Fixture::new();
    fixture.source("hello-1.0.tar.gz", &tarball("hello-1.0.tar.gz", &project()));
    fixture.build(&[
        archive("hello-1.0.tar.gz"),
        Action::Environment {
            name: "GREETING".into(),
            value: "%(greeting)s from %(name)s".into(),
        },
        make("env"),
        run("cat > stdin.txt; echo \"$GREETING\" > greeting.txt"),
    ]);
    let work = fixture.build.path().join("hello-1.0");
    let env = read(&work.join("env.txt"));
    let build = fixture.build.path().to_string_lossy().into_owned();
    let dest = fixture.dest.path().to_string_lossy().into_owned();
    for line in [
        "PATH=/usr/local/bin:/usr/bin:/bin".to_owned(),
        format!("HOME={build}"),
        "LANG=C".to_owned(),
        "LC_ALL=C".to_owned(),
        "TZ=UTC".to_owned(),
        "SOURCE_DATE_EPOCH=0".to_owned(),
        format!("DESTDIR={dest}"),
        "CC=cc".to_owned(),
        "CXX=c++".to_owned(),
        "CFLAGS=-O2 -g".to_owned(),
        "CXXFLAGS=-O2 -g".to_owned(),
        "LDFLAGS=".to_owned(),
        "GREETING=Hello from hello".to_owned(),
    ] {
        assert!(env.lines().any(|l| l == line), "{line} missing in\n{env}");
    }
    // Nothing of the test's own environment leaks in.
    assert!(!env.contains("CARGO"), "{env}");
    // stdin is /dev/null: `cat` read nothing and did not wait.
    assert_eq!(read(&work.join("stdin.txt")), "");
    assert_eq!(read(&work.join("greeting.txt")), "Hello from hello\n");
}

#[test]
fn configure_gets_the_install_directories() {
    let fixture = Fixture::new();
    fixture.source("hello-1.0.tar.xz", &tarball("hello-1.0.tar.xz", &project()));
    let mut macros = fixture.macros();
    macros.set("prefix", "/opt/hello");
    let (result, log) = fixture.run_with(
        &macros,
        &[
            archive("hello-1.0.tar.xz"),
            Action::Configure {
                args: "--enable-shouting".into(),
            },
        ],
    );
    result.unwrap_or_else(|error| panic!("{error}\n{log}"));
    let args = read(&fixture.build.path().join("hello-1.0/configure.args"));
    assert_eq!(
        args,
        "--prefix=/opt/hello --sysconfdir=/etc --libdir=/opt/hello/lib --enable-shouting\n"
    );
}

#[test]
fn archive_without_one_top_directory_leaves_the_working_directory() {
    let fixture = Fixture::new();
    let files = [("Makefile", MAKEFILE, 0o644), ("hello.in", HELLO_IN, 0o644)];
    fixture.source("flat.tar", &tarball("flat.tar", &files));
    fixture.source("extra.tar.gz", &tarball("extra.tar.gz", &project()));
    fixture.build(&[
        archive("flat.tar"),
        // An archive unpacked into a `dir` does not move the build, even
        // with one top-level directory.
        Action::AddArchive {
            name: "extra.tar.gz".into(),
            dir: Some("sub".into()),
        },
        make("GREETING=Hi"),
        install("hello", "%(bindir)s/", None),
    ]);
    assert!(
        fixture
            .build
            .path()
            .join("sub/hello-1.0/Makefile")
            .is_file()
    );
    assert_eq!(
        read(&fixture.dest("usr/bin/hello")),
        "#!/bin/sh\necho 'Hi, world'\n"
    );
}

#[test]
fn file_actions_shape_the_destdir() {
    let fixture = Fixture::new();
    fixture.source(
        "hello-1.0.tar.bz2",
        &tarball("hello-1.0.tar.bz2", &project()),
    );
    fixture.build(&[
        archive("hello-1.0.tar.bz2"),
        make("GREETING=Hello"),
        install("hello", "%(bindir)s/", None),
        install("README", "%(docdir)s/hello/README", None),
        install("hello.in", "/usr/share/hello/", Some(0o600)),
        install("docs/", "%(thisdocdir)s", None),
        create("%(sysconfdir)s/hello.conf", "prefix=%(prefix)s\n", 0o640),
        create("/usr/lib/libhello.la", "", 0o644),
        create("/usr/lib/sub/libhello2.la", "", 0o644),
        create("/usr/lib/keep.so", "", 0o644),
        create("/usr/share/empty/x", "", 0o644),
        Action::Symlink {
            target: "hello".into(),
            link: "%(bindir)s/hi".into(),
        },
        Action::Symlink {
            target: "/usr/bin/hello".into(),
            link: "/usr/sbin/".into(),
        },
        Action::Remove {
            paths: vec!["/usr/lib/*.la".into(), "/usr/lib/*/*.la".into()],
            recursive: false,
        },
        Action::Remove {
            paths: vec!["/usr/share/empty".into(), "/usr/nothing/*".into()],
            recursive: true,
        },
        Action::SetModes {
            paths: vec!["/usr/bin/h*".into()],
            mode: 0o4711,
        },
    ]);
    let dest = |path: &str| fixture.dest(path);
    assert_eq!(mode_of(&dest("usr/bin/hello")), 0o4711);
    assert_eq!(read(&dest("usr/share/doc/hello/README")), "Say hello.\n");
    assert_eq!(mode_of(&dest("usr/share/doc/hello/README")), 0o644);
    assert_eq!(mode_of(&dest("usr/share/hello/hello.in")), 0o600);
    assert_eq!(read(&dest("usr/share/doc/hello-1.0/a.txt")), "a\n");
    assert_eq!(mode_of(&dest("usr/share/doc/hello-1.0/sub/b.sh")), 0o755);
    assert_eq!(mode_of(&dest("usr/share/doc/hello-1.0/sub")), 0o755);
    assert_eq!(read(&dest("etc/hello.conf")), "prefix=/usr\n");
    assert_eq!(mode_of(&dest("etc/hello.conf")), 0o640);
    assert_eq!(
        fs::read_link(dest("usr/bin/hi")).expect("link"),
        Path::new("hello")
    );
    // SetModes left the symlink alone.
    assert!(
        fs::symlink_metadata(dest("usr/bin/hi"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_link(dest("usr/sbin/hello")).expect("link"),
        Path::new("/usr/bin/hello")
    );
    assert!(!dest("usr/lib/libhello.la").exists());
    assert!(!dest("usr/lib/sub/libhello2.la").exists());
    assert!(dest("usr/lib/sub").is_dir());
    assert!(dest("usr/lib/keep.so").is_file());
    assert!(!dest("usr/share/empty").exists());
}

#[test]
fn remove_refuses_a_full_directory_without_recursive() {
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[
        create("/usr/share/x/y", "", 0o644),
        Action::Remove {
            paths: vec!["/usr/share/x".into()],
            recursive: false,
        },
    ]);
    assert_eq!(
        message,
        "hello.recipe:2:5: Remove: '/usr/share/x' is a directory that is not empty (use recursive=True)"
    );
}

#[test]
fn set_modes_on_nothing_is_an_error() {
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[Action::SetModes {
        paths: vec!["/usr/bin/*".into()],
        mode: 0o755,
    }]);
    assert_eq!(
        message,
        "hello.recipe:1:5: SetModes: '/usr/bin/*' matches nothing"
    );
}

#[test]
fn add_patch_applies_a_real_patch() {
    let fixture = Fixture::new();
    fixture.source("hello-1.0.tar.gz", &tarball("hello-1.0.tar.gz", &project()));
    let patch = "\
--- a/hello.in
+++ b/hello.in
@@ -1,2 +1,2 @@
 #!/bin/sh
-echo '@GREETING@, world'
+echo '@GREETING@, patched world'
";
    fixture.source("shout.patch", patch.as_bytes());
    let log = fixture.build(&[
        archive("hello-1.0.tar.gz"),
        Action::AddPatch {
            name: "shout.patch".into(),
            level: 1,
        },
        make("GREETING=Hello"),
        make_install(),
    ]);
    assert_eq!(
        read(&fixture.dest("usr/bin/hello")),
        "#!/bin/sh\necho 'Hello, patched world'\n"
    );
    assert!(log.contains("patching file hello.in"), "{log}");
}

#[test]
fn a_patch_that_does_not_apply_fails_with_its_location() {
    let fixture = Fixture::new();
    fixture.source("hello-1.0.tar.gz", &tarball("hello-1.0.tar.gz", &project()));
    let patch = "--- a/hello.in\n+++ b/hello.in\n@@ -1 +1 @@\n-nothing like this\n+x\n";
    fixture.source("bad.patch", patch.as_bytes());
    let (message, log) = fixture.fail(&[
        archive("hello-1.0.tar.gz"),
        Action::AddPatch {
            name: "bad.patch".into(),
            level: 1,
        },
    ]);
    assert_eq!(
        message,
        "hello.recipe:2:5: addPatch failed (exit status 1); see the build log"
    );
    assert!(log.contains("FAILED"), "{log}");
}

#[test]
fn add_source_copies_expands_and_installs() {
    let fixture = Fixture::new();
    fixture.source("hello.conf.in", b"prefix=%(prefix)s\nrate=100%%\n");
    fixture.source("tool.sh", b"#!/bin/sh\n");
    fs::write(
        fixture.cache.path().join("extra-2.0.txt"),
        "from the cache\n",
    )
    .expect("cache");
    fixture.build(&[
        Action::AddSource {
            name: "hello.conf.in".into(),
            dest: Some("/etc/hello.conf".into()),
            mode: None,
            macros: true,
        },
        Action::AddSource {
            name: "tool.sh".into(),
            dest: None,
            mode: Some(0o755),
            macros: false,
        },
        Action::AddSource {
            name: "https://example.com/dl/extra-2.0.txt".into(),
            dest: Some("%(datadir)s/hello/".into()),
            mode: None,
            macros: false,
        },
        install("tool.sh", "/usr/libexec/", None),
    ]);
    assert_eq!(
        read(&fixture.dest("etc/hello.conf")),
        "prefix=/usr\nrate=100%\n"
    );
    assert_eq!(mode_of(&fixture.dest("etc/hello.conf")), 0o644);
    assert_eq!(mode_of(&fixture.build.path().join("tool.sh")), 0o755);
    assert_eq!(mode_of(&fixture.dest("usr/libexec/tool.sh")), 0o755);
    assert_eq!(
        read(&fixture.dest("usr/share/hello/extra-2.0.txt")),
        "from the cache\n"
    );
}

#[test]
fn unknown_macro_names_the_action_and_the_macro() {
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[make("%(nosuch)s")]);
    assert_eq!(
        message,
        "hello.recipe:1:5: Make: unknown macro 'nosuch' in '%(nosuch)s'"
    );
}

#[test]
fn failing_make_names_the_location_and_keeps_the_log() {
    let fixture = Fixture::new();
    fixture.source("hello-1.0.tar.gz", &tarball("hello-1.0.tar.gz", &project()));
    let (message, log) = fixture.fail(&[archive("hello-1.0.tar.gz"), make("fail"), make_install()]);
    assert_eq!(
        message,
        "hello.recipe:2:5: Make failed (exit status 2); see the build log"
    );
    assert!(log.contains("building\n"), "{log}");
    assert!(log.contains("oops\n"), "{log}");
    // Nothing after the failure ran.
    assert!(!fixture.dest("usr/bin/hello").exists());
}

#[test]
fn run_in_a_directory_and_killed_commands() {
    let fixture = Fixture::new();
    fixture.build(&[
        run("mkdir -p sub/dir"),
        Action::Run {
            command: "pwd > here".into(),
            dir: Some("sub/dir".into()),
        },
    ]);
    let here = read(&fixture.build.path().join("sub/dir/here"));
    assert!(here.trim_end().ends_with("sub/dir"), "{here}");
    let other = Fixture::new();
    let (message, _) = other.fail(&[run("kill -9 $$")]);
    assert_eq!(
        message,
        "hello.recipe:1:5: Run failed (killed by signal 9); see the build log"
    );
    let (message, _) = Fixture::new().fail(&[Action::Run {
        command: "true".into(),
        dir: Some("../..".into()),
    }]);
    assert_eq!(
        message,
        "hello.recipe:1:5: Run: '../..' is outside the build directory"
    );
}

#[test]
fn missing_sources_are_named() {
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[run("true"), archive("hello-1.0.tar.gz")]);
    assert_eq!(
        message,
        "hello.recipe:2:5: addArchive: 'hello-1.0.tar.gz' not found in the source trove"
    );
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[archive("http://x/y.tar.gz")]);
    assert_eq!(
        message,
        format!(
            "hello.recipe:1:5: addArchive: source 'http://x/y.tar.gz' is not in the source cache '{}' (builds never download)",
            fixture.cache.path().display()
        )
    );
    // A URL in the cache is used.
    let fixture = Fixture::new();
    fs::write(
        fixture.cache.path().join("y.tar.gz"),
        tarball("y.tar.gz", &project()),
    )
    .expect("cache");
    fixture.build(&[archive("http://x/y.tar.gz"), make("GREETING=Yo")]);
    // And something that is no archive says so.
    let fixture = Fixture::new();
    fixture.source("notes.txt", b"x");
    let (message, _) = fixture.fail(&[archive("notes.txt")]);
    assert!(
        message.starts_with("hello.recipe:1:5: addArchive: unsupported archive 'notes.txt'"),
        "{message}"
    );
}

#[test]
fn build_directories_must_be_empty() {
    let fixture = Fixture::new();
    fs::write(fixture.dest("leftover"), "").expect("write");
    let (message, _) = fixture.fail(&[]);
    assert_eq!(
        message,
        format!("destdir '{}' is not empty", fixture.dest.path().display())
    );
}

#[test]
fn install_takes_globs_into_a_directory() {
    let fixture = Fixture::new();
    fixture.source("hello-1.0.tar.gz", &tarball("hello-1.0.tar.gz", &project()));
    fixture.build(&[
        archive("hello-1.0.tar.gz"),
        run("mkdir inc && touch inc/a.h inc/b.h inc/c.c && ln -s a.h inc/link.h"),
        install("inc/*.h", "%(includedir)s/hello", None),
        install("doc?", "/usr/share/", None),
    ]);
    let include = fixture.dest("usr/include/hello");
    let mut names: Vec<String> = fs::read_dir(&include)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["a.h", "b.h", "link.h"]);
    // A symlink is installed under its own name, with its target's contents.
    assert!(
        fs::symlink_metadata(include.join("link.h"))
            .expect("stat")
            .is_file()
    );
    // A directory matched by a glob keeps its name under the directory.
    assert_eq!(read(&fixture.dest("usr/share/docs/a.txt")), "a\n");
    let (message, _) = Fixture::new().fail(&[install("*.nothing", "/usr/", None)]);
    assert_eq!(
        message,
        "hello.recipe:1:5: Install: '*.nothing' matches nothing"
    );
}

#[test]
fn compressed_patches_are_applied() {
    let fixture = Fixture::new();
    fixture.source("hello-1.0.tar.gz", &tarball("hello-1.0.tar.gz", &project()));
    let patch = "--- hello-1.0/README\n+++ hello-1.0/README\n@@ -1 +1 @@\n-Say hello.\n+Say hi.\n";
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(patch.as_bytes()).expect("gzip");
    fixture.source("hi.patch.gz", &encoder.finish().expect("gzip"));
    fixture.source(
        "hi2.patch.zst",
        &zstd::encode_all(
            patch.replace("hello.\n+Say hi", "hi.\n+Say yo").as_bytes(),
            1,
        )
        .expect("zstd"),
    );
    fixture.build(&[
        archive("hello-1.0.tar.gz"),
        Action::AddPatch {
            name: "hi.patch.gz".into(),
            level: 1,
        },
        Action::AddPatch {
            name: "hi2.patch.zst".into(),
            level: 1,
        },
    ]);
    assert_eq!(
        read(&fixture.build.path().join("hello-1.0/README")),
        "Say yo.\n"
    );
}

#[test]
fn bad_environment_names_and_binary_macro_sources_are_refused() {
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[Action::Environment {
        name: "A=B".into(),
        value: "x".into(),
    }]);
    assert_eq!(
        message,
        "hello.recipe:1:5: Environment: invalid environment variable name 'A=B'"
    );
    let fixture = Fixture::new();
    fixture.source("blob", b"\xff\xfe");
    let (message, _) = fixture.fail(&[Action::AddSource {
        name: "blob".into(),
        dest: None,
        mode: None,
        macros: true,
    }]);
    assert_eq!(
        message,
        "hello.recipe:1:5: addSource: cannot expand macros in 'blob': it is not UTF-8 text"
    );
}

#[test]
fn special_files_are_not_installed() {
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[run("mkfifo pipe"), install("pipe", "/usr/share/", None)]);
    assert_eq!(
        message,
        "hello.recipe:2:5: Install: 'pipe' is not a regular file, directory or symlink"
    );
    let fixture = Fixture::new();
    let (message, _) = fixture.fail(&[
        run("mkdir d && mkfifo d/pipe"),
        install("d/", "/usr/share/d", None),
    ]);
    let expected = format!(
        "hello.recipe:2:5: Install: '{}' is not a regular file, directory or symlink",
        fixture.build.path().join("d/pipe").display()
    );
    assert_eq!(message, expected);
}

#[test]
fn a_background_process_does_not_hang_the_build() {
    let fixture = Fixture::new();
    let started = std::time::Instant::now();
    let log = fixture.build(&[run("echo before; sleep 8 & echo after")]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(log.contains("before\nafter\n"), "{log}");
}
