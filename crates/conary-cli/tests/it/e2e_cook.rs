//! Cooking with the real binaries against a real server: sources made in
//! the test (a C program from a tarball with a plain Makefile, a shared
//! library and a program linked to it, the machine's own C library as a
//! package), committed with `cvc newpkg`/`cvc commit`, cooked into the
//! repository with `cvc cook NAME=LABEL`, queried with `conary rq`,
//! installed with `conary update`; two flavors of one source; groups
//! that bind exact versions or refuse missing dependencies; a factory;
//! and bad recipes that fail with their line and commit nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use conary_changeset::ChangeSetReader;
use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, RunningServer, TestRepository};

use crate::cli::{self, CONARY, CVC, REPOS};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@rpl:devel";

/// A served repository and a `conaryrc` whose build label is [`LABEL`].
struct World {
    repository: TestRepository,
    _server: RunningServer,
    rc: String,
}

impl World {
    fn new() -> World {
        let repository = TestRepository::new(REPOS, HOST);
        let server = repository.serve();
        let rc = ConaryRc::new()
            .repository_map(HOST, &server.url())
            .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
            .install_label(LABEL)
            .line(&format!("buildLabel {LABEL}"))
            .line("flavor is: x86_64")
            .line("name Test Builder")
            .line("contact builder@example.com")
            .write_in(repository.scratch())
            .display()
            .to_string();
        World {
            repository,
            _server: server,
            rc,
        }
    }

    fn home(&self) -> &Path {
        self.repository.scratch()
    }

    /// Runs `BIN ARGS --config-file RC` in `dir`.
    fn run_in(&self, bin: &str, dir: &Path, args: &[&str]) -> Output {
        cli::run_in(bin, dir, self.home(), &self.rc, args)
    }

    /// `BIN ARGS` in `dir`, which must succeed; standard output.
    fn ok_in(&self, bin: &str, dir: &Path, args: &[&str]) -> String {
        cli::ok_in(bin, dir, self.home(), &self.rc, args)
    }

    /// `BIN ARGS` in `dir`, which must fail with one line on standard
    /// error; that line.
    fn fails_in(&self, bin: &str, dir: &Path, args: &[&str]) -> String {
        let output = self.run_in(bin, dir, args);
        let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
        assert!(
            !output.status.success(),
            "{bin} {args:?} succeeded: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "one line on stderr: {stderr:?}"
        );
        stderr.trim_end().to_owned()
    }

    fn cvc(&self, args: &[&str]) -> String {
        self.ok_in(CVC, self.home(), args)
    }

    fn conary(&self, args: &[&str]) -> String {
        self.ok_in(CONARY, self.home(), args)
    }

    /// Commits a new source: `cvc newpkg NAME`, the recipe and `files`
    /// written into the checkout, `cvc add`, `cvc commit`.
    fn commit_source(&self, name: &str, recipe: &str, files: &[(&str, Vec<u8>)]) -> PathBuf {
        self.cvc(&["newpkg", name]);
        let checkout = self.home().join(name);
        fs::write(checkout.join(format!("{name}.recipe")), recipe).expect("write the recipe");
        let mut names = Vec::new();
        for (file, bytes) in files {
            fs::write(checkout.join(file), bytes).expect("write a source file");
            names.push(*file);
        }
        if !names.is_empty() {
            let mut args = vec!["add"];
            args.extend(names);
            self.ok_in(CVC, &checkout, &args);
        }
        self.ok_in(CVC, &checkout, &["commit", "-m", &format!("{name} source")]);
        checkout
    }
}

/// A `.tar.gz` of `files` under the top directory `top`, made with the
/// system `tar`.
fn tarball(top: &str, files: &[(&str, &str, u32)]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().join(top);
    for (name, text, mode) in files {
        let path = base.join(name);
        fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        fs::write(&path, text).expect("write");
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).expect("chmod");
    }
    let archive = dir.path().join("out.tar.gz");
    let status = Command::new("tar")
        .args([
            "--sort=name",
            "--mtime=@0",
            "--owner=0",
            "--group=0",
            "-czf",
        ])
        .arg(&archive)
        .arg("-C")
        .arg(dir.path())
        .arg(top)
        .status()
        .expect("run tar");
    assert!(status.success(), "tar failed");
    fs::read(&archive).expect("read the tarball")
}

const HELLO_C: &str = "#include <stdio.h>\nint main(void) { puts(\"hello, world\"); return 0; }\n";

const HELLO_MAKEFILE: &str = "\
all: hello
hello: hello.c
\t$(CC) $(CFLAGS) -o hello hello.c
install: hello
\tinstall -D -m 0755 hello $(DESTDIR)/usr/bin/hello
\tinstall -D -m 0755 hello-wrapper.sh $(DESTDIR)/usr/bin/hello-wrapper
";

const HELLO_RECIPE: &str = r#"
name = "hello"
version = "1.0"

def setup(r):
    r.addArchive("hello-1.0.tar.gz")
    r.Make()
    r.MakeInstall()
    r.Create("/etc/hello.conf", contents = "greeting = hello\n")
"#;

fn hello_sources() -> Vec<(&'static str, Vec<u8>)> {
    vec![(
        "hello-1.0.tar.gz",
        tarball(
            "hello-1.0",
            &[
                ("Makefile", HELLO_MAKEFILE, 0o644),
                ("hello.c", HELLO_C, 0o644),
                ("hello-wrapper.sh", "#!/bin/sh\nexec hello \"$@\"\n", 0o755),
            ],
        ),
    )]
}

/// The machine's C library, dynamic loader and `/bin/sh`, packaged as
/// `libc-host` so that dependency checks of cooked C programs and scripts
/// can be closed.
const LIBC_RECIPE: &str = r#"
name = "libc-host"
version = "1"

def setup(r):
    r.Run("for f in /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2 /bin/sh; do install -D -m 0755 $(readlink -f $f) %(destdir)s$f; done")
"#;

#[test]
fn a_c_program_from_a_tarball_is_cooked_with_its_dependencies_and_installs() {
    let world = World::new();
    world.commit_source("hello", HELLO_RECIPE, &hello_sources());
    let cooked = world.cvc(&["cook", &format!("hello={LABEL}")]);
    assert!(
        cooked.contains(&format!(
            "committed hello={}/1.0-1-1[is: x86_64]",
            "/conary.example.com@rpl:devel"
        )),
        "{cooked}"
    );
    assert!(cooked.contains("committed hello:runtime="), "{cooked}");
    assert!(cooked.contains("committed hello:config="), "{cooked}");

    // Dependencies found in the ELF file and the script.
    let deps = world.conary(&["rq", "hello:runtime", "--deps"]);
    assert!(deps.contains("soname: ELF64/libc.so.6("), "{deps}");
    assert!(deps.contains("file: /bin/sh"), "{deps}");
    let info = world.conary(&["rq", "hello:runtime", "--info"]);
    for expected in [
        "Source       : hello:source",
        "Source ver.  : /conary.example.com@rpl:devel/1.0-1",
        "Builder      : Test Builder <builder@example.com>",
        "Build flavor : is: x86_64",
        "Build time   :",
    ] {
        assert!(info.contains(expected), "{expected:?} in {info}");
    }
    let files = world.conary(&["rq", "hello:config", "--lsl"]);
    assert!(files.contains("/etc/hello.conf"), "{files}");

    // Installed into a root, it runs.
    let root = world.home().join("root");
    world.conary(&[
        "update",
        "hello",
        "--root",
        root.to_str().expect("utf-8"),
        "--no-deps",
    ]);
    let output = Command::new(root.join("usr/bin/hello"))
        .output()
        .expect("run hello");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hello, world\n");
}

#[test]
fn a_program_requirement_is_satisfied_by_the_library_cooked_beside_it() {
    let world = World::new();
    let lib_makefile = "\
all: libgreet.so.1
libgreet.so.1: greet.c
\t$(CC) $(CFLAGS) -fPIC -shared -Wl,-soname,libgreet.so.1 -o libgreet.so.1 greet.c
install: all
\tinstall -D -m 0755 libgreet.so.1 $(DESTDIR)/usr/lib/libgreet.so.1
\tln -s libgreet.so.1 $(DESTDIR)/usr/lib/libgreet.so
\tinstall -D -m 0644 greet.h $(DESTDIR)/usr/include/greet.h
";
    let greet_c =
        "#include <stdio.h>\nvoid greet(const char *who) { printf(\"hello, %s\\n\", who); }\n";
    let lib_recipe = "name = 'libgreet'\nversion = '1.0'\n\ndef setup(r):\n    r.addArchive('libgreet-1.0.tar.gz')\n    r.Make()\n    r.MakeInstall()\n";
    world.commit_source(
        "libgreet",
        lib_recipe,
        &[(
            "libgreet-1.0.tar.gz",
            tarball(
                "libgreet-1.0",
                &[
                    ("Makefile", lib_makefile, 0o644),
                    ("greet.c", greet_c, 0o644),
                    ("greet.h", "void greet(const char *who);\n", 0o644),
                ],
            ),
        )],
    );
    // The program carries a copy of the library source to link against,
    // and installs only itself.
    let prog_makefile = "\
all: greet
libgreet.so: greet-lib.c
\t$(CC) -fPIC -shared -Wl,-soname,libgreet.so.1 -o libgreet.so greet-lib.c
greet: main.c libgreet.so
\t$(CC) $(CFLAGS) -o greet main.c -L. -lgreet
install: greet
\tinstall -D -m 0755 greet $(DESTDIR)/usr/bin/greet
";
    let prog_recipe = "name = 'greet'\nversion = '2.0'\n\ndef setup(r):\n    r.addArchive('greet-2.0.tar.gz')\n    r.Make()\n    r.MakeInstall()\n";
    world.commit_source(
        "greet",
        prog_recipe,
        &[(
            "greet-2.0.tar.gz",
            tarball(
                "greet-2.0",
                &[
                    ("Makefile", prog_makefile, 0o644),
                    ("greet-lib.c", greet_c, 0o644),
                    ("main.c", "void greet(const char *);\nint main(void) { greet(\"world\"); return 0; }\n", 0o644),
                ],
            ),
        )],
    );
    world.commit_source("libc-host", LIBC_RECIPE, &[]);
    for name in ["libgreet", "greet", "libc-host"] {
        world.cvc(&["cook", &format!("{name}={LABEL}")]);
    }
    let provides = world.conary(&["rq", "libgreet:lib", "--deps"]);
    assert!(
        provides.contains("soname: ELF64/libgreet.so.1(SysV x86_64)"),
        "{provides}"
    );
    let requires = world.conary(&["rq", "greet:runtime", "--deps"]);
    assert!(
        requires.contains("soname: ELF64/libgreet.so.1(SysV x86_64)"),
        "{requires}"
    );

    // Without the library the install is refused, naming the requirement;
    // with --resolve the library (and the C library) come along.
    let root = world.home().join("root");
    let root_arg = root.to_str().expect("utf-8");
    let refused = world.fails_in(
        CONARY,
        world.home(),
        &["update", "greet", "--root", root_arg],
    );
    assert!(refused.contains("libgreet.so.1"), "{refused}");
    world.conary(&["update", "greet", "--root", root_arg, "--resolve"]);
    let installed = world.conary(&["q", "--root", root_arg]);
    assert!(installed.contains("libgreet"), "{installed}");
    assert!(installed.contains("libc-host"), "{installed}");
    let output = Command::new(root.join("usr/bin/greet"))
        .env("LD_LIBRARY_PATH", root.join("usr/lib"))
        .output()
        .expect("run greet");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hello, world\n");
}

const FLAVORED_RECIPE: &str = r#"
name = "tunable"
version = "3.1"

def setup(r):
    if use.ssl:
        r.Create("/etc/tunable.conf", contents = "tls = on\n")
    else:
        r.Create("/etc/tunable.conf", contents = "tls = off\n")
    r.Create("/usr/share/tunable/README", contents = "one source, two flavors\n")
"#;

#[test]
fn two_flavors_of_one_source_cook_into_one_version() {
    let world = World::new();
    world.commit_source("tunable", FLAVORED_RECIPE, &[]);
    let cooked = world.cvc(&[
        "cook",
        &format!("tunable={LABEL}[ssl]"),
        &format!("tunable={LABEL}[!ssl]"),
    ]);
    assert!(
        cooked.contains("committed tunable=/conary.example.com@rpl:devel/3.1-1-1[ssl]"),
        "{cooked}"
    );
    assert!(
        cooked.contains("committed tunable=/conary.example.com@rpl:devel/3.1-1-1[!ssl]"),
        "{cooked}"
    );
    // The system flavor has no ssl, so only [!ssl] fits it; asked for by
    // flavor, each is there, with its own file.
    let fitting = world.conary(&["rq", "tunable", "--flavors", "--all-flavors"]);
    assert_eq!(fitting.trim(), "tunable=3.1-1-1[!ssl]", "{fitting}");
    for (flavor, config) in [("ssl", "tls = on"), ("!ssl", "tls = off")] {
        let spec = format!("tunable:config[{flavor}]");
        let listed = world.conary(&["rq", &spec, "--flavors"]);
        assert_eq!(listed.lines().count(), 1, "{listed}");
        let spec = format!("tunable[{flavor}]");
        let root = world.home().join(format!("root-{flavor}"));
        world.conary(&["update", &spec, "--root", root.to_str().expect("utf-8")]);
        let text = fs::read_to_string(root.join("etc/tunable.conf")).expect("installed");
        assert_eq!(text.trim(), config);
    }

    // Cooking again counts the build up.
    let again = world.cvc(&["cook", &format!("tunable={LABEL}[ssl]")]);
    assert!(again.contains("3.1-1-2[ssl]"), "{again}");
}

#[test]
fn a_cook_of_the_same_source_gives_the_same_file_digests() {
    let world = World::new();
    world.commit_source("hello", HELLO_RECIPE, &hello_sources());
    let first = world.home().join("first.ccs");
    let second = world.home().join("second.ccs");
    for file in [&first, &second] {
        world.cvc(&[
            "cook",
            &format!("hello={LABEL}"),
            "--to-file",
            file.to_str().expect("utf-8"),
        ]);
    }
    let digests = |path: &Path| {
        let reader =
            ChangeSetReader::new(fs::File::open(path).expect("open")).expect("a changeset");
        reader
            .changeset()
            .files
            .values()
            .map(|stream| (stream.file_type(), stream.content_digest(), stream.mode))
            .collect::<Vec<_>>()
    };
    let (a, b) = (digests(&first), digests(&second));
    assert!(!a.is_empty());
    assert_eq!(a, b, "the same source and tools build the same bytes");
}

#[test]
fn a_group_binds_exact_versions_and_refuses_missing_dependencies() {
    let world = World::new();
    world.commit_source("hello", HELLO_RECIPE, &hello_sources());
    world.commit_source("libc-host", LIBC_RECIPE, &[]);
    world.cvc(&["cook", &format!("hello={LABEL}")]);
    world.cvc(&["cook", &format!("hello={LABEL}")]);

    // hello needs the C library, which the first group leaves out.
    let open = "name = 'group-dist'\nversion = '1.0'\n\ndef setup(r):\n    r.add('hello')\n";
    world.commit_source("group-dist", open, &[]);
    let refused = world.fails_in(CVC, world.home(), &["cook", &format!("group-dist={LABEL}")]);
    assert!(refused.contains("unresolved dependencies"), "{refused}");
    assert!(refused.contains("libc.so.6"), "{refused}");
    let none = world.run_in(CONARY, world.home(), &["rq", "group-dist"]);
    assert!(!none.status.success(), "nothing was committed");

    world.cvc(&["cook", &format!("libc-host={LABEL}")]);
    let closed = "name = 'group-dist'\nversion = '1.0'\n\ndef setup(r):\n    r.add('hello', versionStr = '1.0-1-1')\n    r.add('libc-host')\n";
    fs::write(world.home().join("group-dist/group-dist.recipe"), closed).expect("write");
    world.ok_in(
        CVC,
        &world.home().join("group-dist"),
        &["commit", "-m", "close the group"],
    );
    let cooked = world.cvc(&["cook", &format!("group-dist={LABEL}")]);
    assert!(
        cooked.contains("committed group-dist=/conary.example.com@rpl:devel/1.0-2-1"),
        "{cooked}"
    );

    let members = world.conary(&["rq", "group-dist", "--troves", "--full-versions"]);
    assert!(
        members.contains("hello=/conary.example.com@rpl:devel/1.0-1-1"),
        "{members}"
    );
    assert!(
        members.contains("libc-host=/conary.example.com@rpl:devel/1-1-1"),
        "{members}"
    );
    assert!(
        members.contains("  hello:runtime=/conary.example.com@rpl:devel/1.0-1-1"),
        "{members}"
    );

    // Installing the group installs exactly the bound versions.
    let root = world.home().join("root");
    let root_arg = root.to_str().expect("utf-8");
    world.conary(&["update", "group-dist", "--root", root_arg]);
    let installed = world.conary(&["q", "--root", root_arg, "--full-versions"]);
    assert!(
        installed.contains("hello=/conary.example.com@rpl:devel/1.0-1-1"),
        "{installed}"
    );
    assert!(!installed.contains("1.0-1-2"), "{installed}");
}

#[test]
fn a_factory_cooks_a_source_that_holds_only_an_archive() {
    let world = World::new();
    let factory = "name = 'factory-make'\nversion = '1'\n\ndef setup(r):\n    r.addArchive(r.sources[0])\n    r.Make()\n    r.MakeInstall()\n";
    world.commit_source("factory-make", factory, &[]);
    let package = "name = 'hello'\nversion = '1.0'\nfactory = 'factory-make'\n";
    world.commit_source("hello", package, &hello_sources());
    let cooked = world.cvc(&["cook", &format!("hello={LABEL}")]);
    assert!(cooked.contains("committed hello:runtime="), "{cooked}");
    let info = world.conary(&["rq", "hello:runtime", "--info"]);
    assert!(info.contains("Factory      : factory-make"), "{info}");
}

#[test]
fn bad_recipes_fail_with_their_line_and_commit_nothing() {
    let world = World::new();

    // A syntax error is caught as soon as the source is committed.
    world.cvc(&["newpkg", "syntax"]);
    let checkout = world.home().join("syntax");
    let broken = "name = 'syntax'\nversion = '1'\ndef setup(r)\n    r.Make()\n";
    fs::write(checkout.join("syntax.recipe"), broken).expect("write");
    let error = world.fails_in(CVC, &checkout, &["commit", "-m", "broken"]);
    assert!(error.contains("syntax.recipe:3:"), "{error}");
    let local = world.fails_in(CVC, &checkout, &["cook", "."]);
    assert!(local.contains("syntax.recipe:3:"), "{local}");
    let listed = world.run_in(CVC, world.home(), &["log", "syntax"]);
    assert!(!listed.status.success() || String::from_utf8_lossy(&listed.stdout).is_empty());

    // Errors of the build itself show when cooking.
    for (name, recipe, expected) in [
        (
            "unknown",
            "name = 'unknown'\nversion = '1'\n\ndef setup(r):\n    r.Mkae()\n",
            "unknown.recipe:5:",
        ),
        (
            "escape",
            "name = 'escape'\nversion = '1'\n\ndef setup(r):\n    r.Create('/../../outside', contents = 'x')\n",
            "escape.recipe:5:",
        ),
        (
            "failing",
            "name = 'failing'\nversion = '1'\n\ndef setup(r):\n    r.Create('/usr/share/x', contents = 'x')\n    r.Run('echo compiling; exit 3')\n",
            "failing.recipe:6:",
        ),
    ] {
        world.commit_source(name, recipe, &[]);
        let error = world.fails_in(CVC, world.home(), &["cook", &format!("{name}={LABEL}")]);
        assert!(error.contains(expected), "{name}: {error}");
        let listed = world.run_in(CONARY, world.home(), &["rq", name]);
        assert!(!listed.status.success(), "{name}: nothing committed");
        // A local cook of the checkout fails the same way and writes no file.
        let checkout = world.home().join(name);
        let local = world.fails_in(CVC, &checkout, &["cook", "."]);
        assert!(local.contains(expected), "{name}: {local}");
        assert!(!checkout.join(format!("{name}-1.ccs")).exists());
    }
    assert!(!world.home().join("outside").exists());
}

#[test]
fn a_local_cook_writes_a_changeset_that_installs() {
    let world = World::new();
    let checkout = world.commit_source("hello", HELLO_RECIPE, &hello_sources());
    let out = world.ok_in(CVC, &checkout, &["cook", "hello.recipe"]);
    assert!(out.contains("wrote hello-1.0.ccs"), "{out}");
    let ccs = checkout.join("hello-1.0.ccs");
    let root = world.home().join("root");
    world.conary(&[
        "update",
        "--from-file",
        ccs.to_str().expect("utf-8"),
        "--root",
        root.to_str().expect("utf-8"),
        "--no-deps",
    ]);
    assert!(root.join("usr/bin/hello").exists());
}

#[test]
fn build_requirements_are_bound_to_the_installed_versions() {
    let world = World::new();
    world.commit_source("libc-host", LIBC_RECIPE, &[]);
    world.cvc(&["cook", &format!("libc-host={LABEL}")]);
    let build_root = world.home().join("buildroot");
    let build_root = build_root.to_str().expect("utf-8");
    world.conary(&["update", "libc-host", "--root", build_root]);

    let recipe = HELLO_RECIPE.replace(
        "version = \"1.0\"\n",
        "version = \"1.0\"\nbuild_requires = [\"libc-host:runtime\"]\n",
    );
    world.commit_source("hello", &recipe, &hello_sources());

    // The machine's own root has no such trove installed.
    let empty_root = world.home().join("empty");
    fs::create_dir_all(&empty_root).expect("mkdir");
    let refused = world.fails_in(
        CVC,
        world.home(),
        &[
            "cook",
            &format!("hello={LABEL}"),
            "--root",
            empty_root.to_str().expect("utf-8"),
        ],
    );
    assert!(
        refused.contains("build requirements not installed"),
        "{refused}"
    );
    assert!(refused.contains("libc-host:runtime"), "{refused}");

    world.cvc(&["cook", &format!("hello={LABEL}"), "--root", build_root]);
    let info = world.conary(&["rq", "hello:runtime", "--info"]);
    assert!(
        info.contains(
            "Build req.   : libc-host:runtime=/conary.example.com@rpl:devel/1-1-1[is: x86_64]"
        ),
        "{info}"
    );
}

#[test]
fn a_group_pre_install_script_that_fails_leaves_the_root_untouched() {
    let world = World::new();
    world.commit_source("hello", HELLO_RECIPE, &hello_sources());
    world.commit_source("libc-host", LIBC_RECIPE, &[]);
    world.cvc(&["cook", &format!("hello={LABEL}")]);
    world.cvc(&["cook", &format!("libc-host={LABEL}")]);
    let recipe = "name = 'group-dist'\nversion = '1.0'\n\ndef setup(r):\n    r.add('hello')\n    r.add('libc-host')\n    r.addPreInstallScript(contents = 'echo refusing; exit 7')\n";
    world.commit_source("group-dist", recipe, &[]);
    world.cvc(&["cook", &format!("group-dist={LABEL}")]);
    let info = world.conary(&["rq", "group-dist", "--info"]);
    assert!(info.contains("Name         : group-dist"), "{info}");

    // The root holds a shell (and its C library) for scripts to run in.
    let root = world.home().join("root");
    let root_arg = root.to_str().expect("utf-8");
    world.conary(&["update", "libc-host", "--root", root_arg]);
    let before = world.conary(&["q", "--root", root_arg]);

    let output = world.run_in(
        CONARY,
        world.home(),
        &["update", "group-dist", "--root", root_arg],
    );
    assert!(
        !output.status.success(),
        "the failing script stops the install"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("preInstall script of trove group-dist"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(exit status: 7)"),
        "the script itself ran and failed: {stderr}"
    );
    assert!(!root.join("usr/bin/hello").exists());
    assert_eq!(world.conary(&["q", "--root", root_arg]), before);

    world.conary(&["update", "group-dist", "--root", root_arg, "--no-scripts"]);
    assert!(root.join("usr/bin/hello").exists());
}
