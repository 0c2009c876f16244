//! Dependencies of real ELF files: the system's libc and `/bin/true`, and
//! a library and a program compiled with `cc` when there is one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Destdir, provides, requires};

const LIBC: &str = "/usr/lib/x86_64-linux-gnu/libc.so.6";

#[test]
fn system_libc_provides_its_soname_with_symbol_versions() {
    if !Path::new(LIBC).exists() {
        return; // not an x86_64 Debian-style system
    }
    let destdir = Destdir::new();
    destdir.copy(Path::new(LIBC), LIBC);
    let packaged = destdir.packaged(&[]);
    let file = &packaged.files[LIBC];
    assert_eq!(file.component, "lib");
    assert_eq!(packaged.flavor.to_string(), "is: x86_64");
    assert_eq!(file.stream.flavor.to_string(), "is: x86_64");
    let provide = file
        .stream
        .provides
        .iter()
        .find(|dep| dep.name() == "ELF64/libc.so.6")
        .expect("libc provides its soname");
    for flag in ["GLIBC_2.2.5", "GLIBC_2.17", "SysV", "x86_64"] {
        assert!(provide.has_flag(flag), "{provide} lacks {flag}");
    }
    let text = provide.to_string();
    assert!(
        text.starts_with("soname: ELF64/libc.so.6(GLIBC_2."),
        "{text}"
    );
    assert!(text.contains(" GLIBC_2.2.5 "), "{text}");
    assert!(text.ends_with(" SysV x86_64)"), "{text}");
    // libc needs the dynamic linker, which the package does not hold.
    assert!(
        requires(&packaged, LIBC).contains("soname: ELF64/ld-linux-x86-64.so.2("),
        "{}",
        requires(&packaged, LIBC)
    );

    // A program alone requires libc; with libc in the package it does not.
    let program = Destdir::new();
    program.copy(Path::new("/bin/true"), "/usr/bin/true");
    let alone = program.packaged(&[]);
    let need = alone.files["/usr/bin/true"]
        .stream
        .requires
        .iter()
        .find(|dep| dep.name() == "ELF64/libc.so.6")
        .cloned()
        .expect("true needs libc");
    assert!(need.has_flag("SysV") && need.has_flag("x86_64"), "{need}");
    assert!(need.flags().iter().any(|flag| flag.starts_with("GLIBC_2.")));
    assert_eq!(provides(&alone, "/usr/bin/true"), "");
    assert_eq!(
        alone.path_provides.iter().collect::<Vec<_>>(),
        ["/usr/bin/true"]
    );
    program.copy(Path::new(LIBC), LIBC);
    let together = program.packaged(&[]);
    assert!(
        !requires(&together, "/usr/bin/true").contains("libc.so.6"),
        "{}",
        requires(&together, "/usr/bin/true")
    );
}

/// Builds `libgreet.so.1` (versions GREET_1.0 and GREET_2.0) and a
/// program using `greet@GREET_2.0`; `None` without a C compiler.
fn build_greet(work: &Path) -> Option<(PathBuf, PathBuf)> {
    let cc = Command::new("cc").arg("--version").output().ok()?;
    if !cc.status.success() {
        return None;
    }
    fs::write(
        work.join("greet.c"),
        "int greet_old(void) { return 1; }\nint greet(void) { return 2; }\n",
    )
    .expect("write greet.c");
    fs::write(
        work.join("greet.map"),
        "GREET_1.0 { global: greet_old; local: *; };\nGREET_2.0 { global: greet; } GREET_1.0;\n",
    )
    .expect("write greet.map");
    fs::write(
        work.join("main.c"),
        "int greet(void);\nint main(void) { return greet() - 2; }\n",
    )
    .expect("write main.c");
    let run = |args: &[&str]| {
        let status = Command::new("cc")
            .args(args)
            .current_dir(work)
            .status()
            .expect("run cc");
        assert!(status.success(), "cc {args:?}");
    };
    run(&[
        "-shared",
        "-fPIC",
        "-o",
        "libgreet.so.1",
        "-Wl,-soname,libgreet.so.1",
        "-Wl,--version-script,greet.map",
        "greet.c",
    ]);
    fs::copy(work.join("libgreet.so.1"), work.join("libgreet.so")).expect("copy for linking");
    run(&["-o", "hello", "main.c", "-L.", "-lgreet"]);
    Some((work.join("libgreet.so.1"), work.join("hello")))
}

#[test]
fn compiled_library_and_program_have_exact_soname_dependencies() {
    let work = tempfile::tempdir().expect("work directory");
    let Some((library, program)) = build_greet(work.path()) else {
        return;
    };
    let lib = Destdir::new();
    lib.copy(&library, "/usr/lib64/libgreet.so.1")
        .link("/usr/lib64/libgreet.so", "libgreet.so.1");
    let packaged = lib.packaged(&[]);
    assert_eq!(
        provides(&packaged, "/usr/lib64/libgreet.so.1"),
        "soname: ELF64/libgreet.so.1(GREET_1.0 GREET_2.0 SysV x86_64)"
    );
    assert_eq!(packaged.files["/usr/lib64/libgreet.so.1"].component, "lib");
    let tags = &packaged.files["/usr/lib64/libgreet.so.1"].stream.tags;
    assert_eq!(tags.iter().collect::<Vec<_>>(), ["shlib"]);
    assert_eq!(packaged.files["/usr/lib64/libgreet.so"].component, "devel");

    let app = Destdir::new();
    app.copy(&program, "/usr/bin/hello");
    let packaged = app.packaged(&[]);
    let required = requires(&packaged, "/usr/bin/hello");
    assert!(
        required
            .lines()
            .any(|line| line == "soname: ELF64/libgreet.so.1(GREET_2.0 SysV x86_64)"),
        "{required}"
    );
    assert!(required.contains("soname: ELF64/libc.so.6("), "{required}");

    // Both in one package: the program's need for libgreet is met inside.
    app.copy(&library, "/usr/lib64/libgreet.so.1");
    let packaged = app.packaged(&[]);
    assert!(!requires(&packaged, "/usr/bin/hello").contains("libgreet"));

    // A private directory: the soname carries it, and RUNPATH finds it.
    let private = Destdir::new();
    private.copy(&library, "/usr/lib/greet/libgreet.so.1");
    let packaged = private.packaged(&[]);
    assert_eq!(
        provides(&packaged, "/usr/lib/greet/libgreet.so.1"),
        "soname: ELF64/usr/lib/greet/libgreet.so.1(GREET_1.0 GREET_2.0 SysV x86_64)"
    );
    assert!(
        packaged.files["/usr/lib/greet/libgreet.so.1"]
            .stream
            .tags
            .is_empty()
    );
}
