//! Running the build's commands (`Configure`, `Make`, `MakeInstall`,
//! `Run`, `patch`) in a clean, deterministic environment, with their
//! output copied to the build log.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::build::error::BuildError;
use crate::build::macros::Macros;

/// `PATH` of every build command.
pub const BUILD_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// How often a command that gives no output is checked for having exited.
const POLL: Duration = Duration::from_millis(50);

/// How long output is still read after a command exited (from background
/// processes it left, which may hold the pipe open forever).
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// The environment of the build's commands: nothing is inherited from the
/// cook's own environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct BuildEnv {
    vars: BTreeMap<String, String>,
}

impl BuildEnv {
    /// The base environment: `PATH`, `HOME` (the build directory), `LANG`,
    /// `LC_ALL`, `TZ`, `SOURCE_DATE_EPOCH=0`, `DESTDIR` and the compiler
    /// variables from the macros.
    pub fn new(macros: &Macros, builddir: &Path, destdir: &Path) -> Result<BuildEnv, BuildError> {
        let mut vars = BTreeMap::new();
        let mut put = |key: &str, value: String| {
            vars.insert(key.to_owned(), value);
        };
        put("PATH", BUILD_PATH.to_owned());
        put("HOME", builddir.to_string_lossy().into_owned());
        put("LANG", "C".to_owned());
        put("LC_ALL", "C".to_owned());
        put("TZ", "UTC".to_owned());
        put("SOURCE_DATE_EPOCH", "0".to_owned());
        put("DESTDIR", destdir.to_string_lossy().into_owned());
        for (var, key) in [
            ("CC", "cc"),
            ("CXX", "cxx"),
            ("CFLAGS", "cflags"),
            ("CXXFLAGS", "cxxflags"),
            ("LDFLAGS", "ldflags"),
        ] {
            let value = match macros.get(key) {
                Some(value) => macros.expand(value)?,
                None => String::new(),
            };
            put(var, value);
        }
        Ok(BuildEnv { vars })
    }

    /// Sets a variable for the commands that follow.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), BuildError> {
        let valid = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid || value.contains('\0') {
            return Err(BuildError::EnvironmentName {
                name: name.to_owned(),
            });
        }
        self.vars.insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    /// Runs `program args` in `dir`: stdin is `/dev/null` (or `input`,
    /// when given), stdout and stderr go (interleaved, in order) to `log`.
    /// Returns how it ended.
    pub fn run(
        &self,
        program: &str,
        args: &[&str],
        dir: &Path,
        input: Option<&[u8]>,
        log: &mut dyn Write,
    ) -> Result<ExitStatus, BuildError> {
        let spawn_error = |source| BuildError::Spawn {
            program: program.to_owned(),
            source,
        };
        let (mut reader, writer) = io::pipe().map_err(spawn_error)?;
        let writer_for_stderr = writer.try_clone().map_err(spawn_error)?;
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(dir)
            .env_clear()
            .envs(&self.vars)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(writer)
            .stderr(writer_for_stderr);
        let mut child = command.spawn().map_err(spawn_error)?;
        // The command holds the only write ends now; dropping ours lets the
        // read below end when the child (and anything it started) exits.
        drop(command);
        if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
            let input = input.to_vec();
            // A command that stops reading early (EPIPE) is judged by its
            // exit status, not by this write.
            std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            });
        }
        // The output is read on a thread and copied here, so that a command
        // that leaves a background process holding the pipe open cannot
        // hang the build: reading stops OUTPUT_GRACE after it exits.
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) => return,
                    Ok(read) => {
                        if sender.send(Ok(buffer[..read].to_vec())).is_err() {
                            return;
                        }
                    }
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(error) => {
                        let _ = sender.send(Err(error));
                        return;
                    }
                }
            }
        });
        let mut exited: Option<(ExitStatus, Instant)> = None;
        let mut log_error = None;
        loop {
            match exited {
                Some((_, at)) if at.elapsed() >= OUTPUT_GRACE => break,
                Some(_) => {}
                None => {
                    if let Some(status) = child.try_wait().map_err(spawn_error)? {
                        exited = Some((status, Instant::now()));
                    }
                }
            }
            match receiver.recv_timeout(POLL) {
                Ok(Ok(chunk)) => {
                    if log_error.is_none()
                        && let Err(source) = log.write_all(&chunk)
                    {
                        log_error = Some(BuildError::Log { source });
                    }
                }
                Ok(Err(source)) => {
                    log_error.get_or_insert(BuildError::Log { source });
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
        let status = match exited {
            Some((status, _)) => status,
            None => child.wait().map_err(spawn_error)?,
        };
        match log_error {
            Some(error) => Err(error),
            None => Ok(status),
        }
    }
}

/// How a command ended, for messages: `exit status 2`, `killed by signal 9`.
pub(crate) fn describe_status(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => "unknown status".to_owned(),
    }
}

/// Quotes a word for `sh` (single quotes, `'` written as `'\''`).
pub(crate) fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        return word.to_owned();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}
