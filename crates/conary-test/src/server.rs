//! [`TestRepository`] and [`RunningServer`]: the real `conary-repos`
//! binary, run in a temporary directory and on a free loopback port.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The admin user every [`TestRepository`] has.
pub const ADMIN_USER: &str = "admin";
/// The password of [`ADMIN_USER`].
pub const ADMIN_PASSWORD: &str = "admin-password";

/// How long a server may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A repository made by `conary-repos init` in its own temporary
/// directory (removed when dropped), with the admin user [`ADMIN_USER`].
///
/// ```rust,no_run
/// let repository = conary_test::TestRepository::new("target/debug/conary-repos", "conary.example.com");
/// repository.add_user("alice", "secret");
/// let server = repository.serve();
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// ```
#[derive(Debug)]
pub struct TestRepository {
    temp: tempfile::TempDir,
    dir: PathBuf,
    name: String,
    bin: PathBuf,
}

impl TestRepository {
    /// Creates a repository named `name` with `bin` (the path of the
    /// `conary-repos` binary). Panics with the tool's message on failure.
    pub fn new(bin: impl Into<PathBuf>, name: &str) -> TestRepository {
        let temp = tempfile::tempdir().expect("a temporary directory");
        let dir = temp.path().join("repository");
        let repository = TestRepository {
            temp,
            dir,
            name: name.to_owned(),
            bin: bin.into(),
        };
        repository.repos_ok(&["init", repository.path(), "--name", name], "");
        repository.add_user_with(ADMIN_USER, ADMIN_PASSWORD, true);
        repository
    }

    /// The repository directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The repository directory as text.
    pub fn path(&self) -> &str {
        self.dir.to_str().expect("temporary paths are UTF-8")
    }

    /// The server name (the host part of the repository's labels).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A scratch directory beside the repository, removed with it.
    pub fn scratch(&self) -> &Path {
        self.temp.path()
    }

    /// Runs `conary-repos ARGS` with `stdin` as its standard input.
    pub fn repos(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(&self.bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", self.bin.display()));
        let mut input = child.stdin.take().expect("piped stdin");
        input
            .write_all(stdin.as_bytes())
            .expect("write to conary-repos");
        drop(input);
        child.wait_with_output().expect("wait for conary-repos")
    }

    /// Runs `conary-repos ARGS`, which must succeed; returns its standard
    /// output.
    pub fn repos_ok(&self, args: &[&str], stdin: &str) -> String {
        let output = self.repos(args, stdin);
        assert!(
            output.status.success(),
            "conary-repos {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// Adds a user who is not an admin.
    pub fn add_user(&self, user: &str, password: &str) {
        self.add_user_with(user, password, false);
    }

    fn add_user_with(&self, user: &str, password: &str, admin: bool) {
        let mut args = vec!["user", "add", self.path(), user];
        if admin {
            args.push("--admin");
        }
        self.repos_ok(&args, &format!("{password}\n"));
    }

    /// Adds a role and makes each of `members` a member.
    pub fn add_role(&self, role: &str, members: &[&str]) {
        self.repos_ok(&["role", "add", self.path(), role], "");
        for member in members {
            self.repos_ok(&["role", "grant", self.path(), role, member], "");
        }
    }

    /// Gives `role` read access (and write access with `write`) to the
    /// troves matching `troves` (a regex or `ALL`) on labels matching
    /// `label` (a glob or `ALL`).
    pub fn add_acl(&self, role: &str, label: &str, troves: &str, write: bool) {
        let mut args = vec![
            "acl",
            "add",
            self.path(),
            role,
            "--label",
            label,
            "--troves",
            troves,
        ];
        if write {
            args.push("--write");
        }
        self.repos_ok(&args, "");
    }

    /// Issues a key of a new entitlement class granting `role`'s read
    /// access; returns the key.
    pub fn add_entitlement(&self, class: &str, role: &str) -> String {
        self.repos_ok(
            &["entitlement", "add", self.path(), class, "--role", role],
            "",
        )
        .trim()
        .to_owned()
    }

    /// Lets callers without credentials read, or not.
    pub fn set_anonymous(&self, on: bool) {
        let state = if on { "on" } else { "off" };
        self.repos_ok(&["anonymous", self.path(), state], "");
    }

    /// The number of blobs in the contents store (files under `contents/`
    /// outside its `tmp/`).
    pub fn blob_count(&self) -> usize {
        fn walk(dir: &Path) -> usize {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return 0;
            };
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.file_name().is_some_and(|name| name != "tmp"))
                .map(|path| if path.is_dir() { walk(&path) } else { 1 })
                .sum()
        }
        walk(&self.dir.join("contents"))
    }

    /// Starts `conary-repos serve` on a free loopback port.
    pub fn serve(&self) -> RunningServer {
        RunningServer::start(&self.bin, self.path(), &self.temp.path().join("serve.log"))
    }
}

/// A running `conary-repos serve`, killed when dropped.
#[derive(Debug)]
pub struct RunningServer {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl RunningServer {
    /// Starts `BIN serve DIR --listen 127.0.0.1:0`, its standard error
    /// going to `log`, and waits for its `listening on ADDR` line.
    pub fn start(bin: &Path, dir: &str, log: &Path) -> RunningServer {
        let log_file = std::fs::File::create(log).expect("create the server log");
        let mut child = Command::new(bin)
            .args(["serve", dir, "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(START_TIMEOUT).unwrap_or_default();
        let mut server = RunningServer {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log: log.to_path_buf(),
        };
        match line
            .trim_end()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
        {
            Some(addr) => server.addr = addr,
            None => panic!(
                "conary-repos serve printed {line:?}, not 'listening on ADDR'; log: {}",
                server.log()
            ),
        }
        server
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
