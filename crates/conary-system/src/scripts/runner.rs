//! Running a program of the root (a tag handler, a trove script) the way
//! the original does: chrooted when privileged, or — with a root other
//! than `/` as a normal user — from `ROOT/PROGRAM` with `CONARY_ROOT=ROOT`
//! in its environment; with `--tag-script FILE` the shell lines are
//! appended to FILE instead.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::apply::{Note, Progress};

/// The `PATH` programs of the root run with.
pub const PATH: &str = "/usr/bin:/usr/sbin:/bin:/sbin";

/// How programs are started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The root is `/`: run the program as is.
    Direct,
    /// Privileged with another root: `chroot ROOT PROGRAM …`.
    Chroot,
    /// Unprivileged with another root: `ROOT/PROGRAM …` with
    /// `CONARY_ROOT=ROOT`, working directory ROOT.
    Prefixed,
    /// `--tag-script FILE`: append shell lines to FILE.
    Script(PathBuf),
}

/// One call of a program inside the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The program, as a path inside the root.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// What it reads on standard input.
    pub stdin: Vec<u8>,
    /// Its environment besides `PATH` (and `CONARY_ROOT`).
    pub env: BTreeMap<String, String>,
}

/// Starts programs of one root; see [`Mode`].
#[derive(Debug)]
pub struct Runner {
    root: PathBuf,
    mode: Mode,
    announced: Cell<bool>,
}

impl Runner {
    /// A runner for `root`: `tag_script` wins, then `/` runs directly,
    /// then `privileged` chooses chroot over a prefixed run.
    pub fn new(root: &Path, privileged: bool, tag_script: Option<&Path>) -> Runner {
        let mode = if let Some(file) = tag_script {
            Mode::Script(file.to_path_buf())
        } else if root == Path::new("/") {
            Mode::Direct
        } else if privileged {
            Mode::Chroot
        } else {
            Mode::Prefixed
        };
        Runner {
            root: root.to_path_buf(),
            mode,
            announced: Cell::new(false),
        }
    }

    /// How this runner starts programs.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Appends `lines` to the tag script (a no-op in the other modes).
    pub fn write_lines(&self, lines: &str) -> Result<(), String> {
        let Mode::Script(file) = &self.mode else {
            return Ok(());
        };
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .and_then(|mut out| out.write_all(lines.as_bytes()))
            .map_err(|error| format!("cannot write tag script '{}': {error}", file.display()))
    }

    /// Runs `call` and waits for it; its output comes back as notes.
    /// `Err` says why it failed (could not start, or a non-zero exit). In
    /// [`Mode::Script`] nothing runs: use [`Runner::write_lines`].
    pub fn run(&self, call: &Invocation, progress: &dyn Progress) -> Result<(), String> {
        let mut command = match &self.mode {
            Mode::Script(_) => return Ok(()),
            Mode::Direct => Command::new(&call.program),
            Mode::Chroot => {
                let mut command = Command::new(chroot_program());
                command.arg(&self.root).arg(&call.program);
                command
            }
            Mode::Prefixed => {
                if !self.announced.replace(true) {
                    progress.note(&Note::new(
                        None,
                        format!(
                            "not running as root: tag handlers and scripts run from {} with CONARY_ROOT set, not chrooted",
                            self.root.display()
                        ),
                    ));
                }
                // Lexically inside the root: a description naming
                // `/../x` must not reach the host.
                let program =
                    conary_util::safe_join(&self.root, call.program.trim_start_matches('/'))
                        .map_err(|error| format!("cannot run {}: {error}", call.program))?;
                let mut command = if call.program == "/bin/sh" {
                    // The host's shell runs the script; it finds the root
                    // through CONARY_ROOT.
                    Command::new("/bin/sh")
                } else {
                    Command::new(program)
                };
                command.env("CONARY_ROOT", &self.root);
                command
            }
        };
        command
            .args(&call.args)
            .env("PATH", PATH)
            .envs(&call.env)
            .current_dir(if self.mode == Mode::Direct || self.mode == Mode::Chroot {
                Path::new("/")
            } else {
                &self.root
            })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|error| format!("cannot run {}: {error}", call.program))?;
        // Written from a thread so that a program writing much output
        // before reading its input cannot dead-lock us; one that does not
        // read it at all is not an error.
        let writer = child.stdin.take().map(|mut stdin| {
            let data = call.stdin.clone();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&data);
            })
        });
        let output = child
            .wait_with_output()
            .map_err(|error| format!("cannot run {}: {error}", call.program))?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        for line in String::from_utf8_lossy(&output.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&output.stderr).lines())
        {
            progress.note(&Note::new(None, format!("{}: {line}", call.program)));
        }
        if output.status.success() {
            Ok(())
        } else {
            Err(format!("{} failed ({})", call.program, output.status))
        }
    }
}

fn chroot_program() -> &'static str {
    ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"]
        .into_iter()
        .find(|path| Path::new(path).exists())
        .unwrap_or("chroot")
}

/// `text` quoted for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@,".contains(c))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}
