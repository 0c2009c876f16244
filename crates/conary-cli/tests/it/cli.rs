//! Running the real binaries for the end-to-end tests: `conary`, `cvc`
//! and `conary-repos` (through `conary_test`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CONARY: &str = env!("CARGO_BIN_EXE_conary");
pub const CVC: &str = env!("CARGO_BIN_EXE_cvc");
pub const REPOS: &str = env!("CARGO_BIN_EXE_conary-repos");

/// Runs `BIN ARGS` with `home` as `$HOME` (so no `~/.conaryrc` of the
/// machine is read).
pub fn run(bin: &str, args: &[&str], home: &Path) -> Output {
    Command::new(bin)
        .args(args)
        .env("HOME", home)
        .env_remove("CONARY_LOG")
        .output()
        .unwrap_or_else(|error| panic!("cannot run {bin}: {error}"))
}

/// Runs `BIN ARGS`, which must succeed; returns standard output.
pub fn ok(bin: &str, args: &[&str], home: &Path) -> String {
    let output = run(bin, args, home);
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}",
        name(bin),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Runs `BIN ARGS`, which must fail with exactly one line on standard
/// error; returns that line.
pub fn fails(bin: &str, args: &[&str], home: &Path) -> String {
    let output = run(bin, args, home);
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert!(
        !output.status.success(),
        "{} {args:?} succeeded: {}",
        name(bin),
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(stderr.lines().count(), 1, "one line on stderr: {stderr:?}");
    stderr.trim_end().to_owned()
}

/// Runs `BIN ARGS --config-file RC` in `dir` with `home` as `$HOME`.
pub fn run_in(bin: &str, dir: &Path, home: &Path, rc: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .args(["--config-file", rc])
        .current_dir(dir)
        .env("HOME", home)
        .env_remove("CONARY_LOG")
        .output()
        .unwrap_or_else(|error| panic!("cannot run {bin}: {error}"))
}

/// [`run_in`], which must succeed; returns standard output.
pub fn ok_in(bin: &str, dir: &Path, home: &Path, rc: &str, args: &[&str]) -> String {
    let output = run_in(bin, dir, home, rc, args);
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}{}",
        name(bin),
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn name(bin: &str) -> &str {
    Path::new(bin)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(bin)
}

/// Paths as arguments.
pub fn paths(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|path| path.display().to_string())
        .collect()
}
