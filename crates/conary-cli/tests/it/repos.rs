//! `conary-repos`, run as a real process: creating a repository, managing
//! access, and serving it over real sockets on loopback.
//!
//! The HTTP client here is a few lines over `std::net::TcpStream` (and
//! rustls for HTTPS) rather than a client crate: the server's HTTP stack is
//! hyper, and this keeps the build to that one stack while still speaking
//! plain HTTP/1.1 on the wire, `Expect: 100-continue` included.

use std::io::{BufRead as _, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_conary-repos");
const NAME: &str = "conary.example.com";
const TLS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/tls");

/// Runs `conary-repos ARGS` with `stdin` as standard input.
fn repos(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn conary-repos");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

/// Runs `conary-repos ARGS`, which must succeed; returns standard output.
fn repos_ok(args: &[&str], stdin: &str) -> String {
    let output = repos(args, stdin);
    assert!(
        output.status.success(),
        "conary-repos {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Runs `conary-repos ARGS`, which must fail with one line on stderr;
/// returns that line.
fn repos_fails(args: &[&str], stdin: &str) -> String {
    let output = repos(args, stdin);
    assert!(!output.status.success(), "conary-repos {args:?} succeeded");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    stderr.trim_end().to_owned()
}

/// A repository with users root (admin), reader (reads everything),
/// narrow (writes one label only) and an entitlement key of the readers.
struct Repo {
    _temp: tempfile::TempDir,
    dir: PathBuf,
    key: String,
}

impl Repo {
    fn new() -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().join("repo");
        let d = dir.to_str().expect("UTF-8 path");
        repos_ok(&["init", d, "--name", NAME], "");
        repos_ok(&["user", "add", d, "root", "--admin"], "rootpw\n");
        repos_ok(&["user", "add", d, "reader"], "readerpw\n");
        repos_ok(&["user", "add", d, "narrow"], "narrowpw\n");
        repos_ok(&["role", "add", d, "readers"], "");
        repos_ok(&["role", "add", d, "narrow"], "");
        repos_ok(&["role", "grant", d, "readers", "reader"], "");
        repos_ok(&["role", "grant", d, "narrow", "narrow"], "");
        repos_ok(
            &[
                "acl", "add", d, "readers", "--label", "ALL", "--troves", "ALL",
            ],
            "",
        );
        let label = format!("{NAME}@rpl:2");
        repos_ok(
            &[
                "acl", "add", d, "narrow", "--label", &label, "--troves", "ALL", "--write",
            ],
            "",
        );
        let key = repos_ok(
            &["entitlement", "add", d, "customers", "--role", "readers"],
            "",
        )
        .trim()
        .to_owned();
        Self {
            _temp: temp,
            dir,
            key,
        }
    }

    fn path(&self) -> &str {
        self.dir.to_str().expect("UTF-8 path")
    }

    /// The blobs in the contents store (files under contents/, not tmp/).
    fn blob_count(&self) -> usize {
        fn walk(dir: &Path) -> usize {
            std::fs::read_dir(dir)
                .expect("list")
                .map(|entry| entry.expect("entry").path())
                .filter(|path| path.file_name().is_some_and(|name| name != "tmp"))
                .map(|path| if path.is_dir() { walk(&path) } else { 1 })
                .sum()
        }
        walk(&self.dir.join("contents"))
    }

    fn serve(&self, extra: &[&str]) -> Server {
        Server::start(self, extra)
    }
}

/// A running `conary-repos serve`, killed when dropped (even when a test
/// fails).
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: PathBuf,
}

impl Server {
    fn start(repo: &Repo, extra: &[&str]) -> Self {
        let stderr = repo
            .dir
            .with_extension(format!("serve-{}.log", std::process::id()));
        let log = std::fs::File::create(&stderr).expect("log file");
        let mut child = Command::new(BIN)
            .args(["serve", repo.path(), "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn conary-repos serve");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_default();
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
        };
        let Some(addr) = line.trim_end().strip_prefix("listening on ") else {
            panic!("no 'listening on' line but {line:?}; log: {}", server.log());
        };
        server.addr = addr.parse().expect("address");
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Sends SIGTERM and waits (at most `limit`) for the exit status.
    fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn get(&self, path: &str, auth: Option<&str>) -> Reply {
        http(
            TcpStream::connect(self.addr).expect("connect"),
            "GET",
            path,
            auth,
            None,
        )
    }

    fn post(&self, path: &str, auth: Option<&str>, body: &[u8]) -> Reply {
        http(
            TcpStream::connect(self.addr).expect("connect"),
            "POST",
            path,
            auth,
            Some(body),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

fn basic(user: &str, password: &str) -> String {
    // Base64 of ASCII user:password, enough for these tests.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let mut encoded = String::new();
    for chunk in input.as_bytes().chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let number = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for index in 0..4 {
            if index <= chunk.len() {
                encoded.push(char::from(
                    ALPHABET[((number >> (18 - 6 * index)) & 63) as usize],
                ));
            } else {
                encoded.push('=');
            }
        }
    }
    format!("Basic {encoded}")
}

/// Reads one response head (up to the blank line).
fn read_head(stream: &mut impl Read) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            Ok(_) => break,
            Err(error) => panic!("reading response head: {error}"),
        }
    }
    String::from_utf8(head).expect("UTF-8 head")
}

fn status_of(head: &str) -> u16 {
    head.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"))
}

/// One request over `stream` (`Connection: close`). A body is offered with
/// `Expect: 100-continue` and sent only when the server asks for it, as
/// clients do, so a refusal never leaves unread bytes behind.
fn http<S: Read + Write>(
    mut stream: S,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<&[u8]>,
) -> Reply {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    if let Some(auth) = auth {
        request.push_str(&format!("Authorization: {auth}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "Content-Length: {}\r\nExpect: 100-continue\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send request");
    stream.flush().expect("flush");
    let mut head = read_head(&mut stream);
    if let Some(body) = body
        && status_of(&head) == 100
    {
        stream.write_all(body).expect("send body");
        stream.flush().expect("flush");
        head = read_head(&mut stream);
    }
    let mut rest = Vec::new();
    // A TLS peer may close without close_notify; what arrived is enough.
    let _ = stream.read_to_end(&mut rest);
    let reply = Reply {
        status: status_of(&head),
        body: Vec::new(),
        head,
    };
    let body = if reply
        .header("transfer-encoding")
        .is_some_and(|value| value.contains("chunked"))
    {
        dechunk(&rest)
    } else {
        rest
    };
    Reply { body, ..reply }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|pair| pair == b"\r\n")
            .expect("chunk size line");
        let size_text = std::str::from_utf8(&data[..line_end]).expect("chunk size");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("hex size");
        data = &data[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

#[test]
fn init_prints_the_next_step_and_refuses_to_overwrite() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("repo");
    let d = dir.to_str().expect("UTF-8");
    let out = repos_ok(&["init", d, "--name", NAME], "");
    assert!(
        out.contains(&format!("conary-repos user add {d} admin --admin")),
        "{out}"
    );
    assert!(dir.join("repository.db").is_file());
    assert!(dir.join("contents").is_dir());
    let config = std::fs::read_to_string(dir.join("config")).expect("config");
    assert!(config.contains(&format!("serverName {NAME}\n")), "{config}");
    let error = repos_fails(&["init", d, "--name", "other.example.com"], "");
    assert!(error.contains("refusing to overwrite"), "{error}");
    let error = repos_fails(&["init", &format!("{d}2"), "--name", "bad@name"], "");
    assert!(error.contains("invalid server name 'bad@name'"), "{error}");
}

#[test]
fn users_roles_acls_and_entitlements_are_listed() {
    let repo = Repo::new();
    let d = repo.path();
    assert_eq!(
        repos_ok(&["user", "list", d], ""),
        "narrow roles: narrow\nreader roles: readers\nroot (admin) roles: -\n"
    );
    assert_eq!(
        repos_ok(&["role", "list", d], ""),
        "anonymous\nnarrow\nreaders\n"
    );
    assert_eq!(
        repos_ok(&["acl", "list", d], ""),
        format!(
            "anonymous label ALL troves ALL: read\nnarrow label {NAME}@rpl:2 troves ALL: read write\nreaders label ALL troves ALL: read\n"
        )
    );
    assert_eq!(
        repos_ok(&["entitlement", "list", d], ""),
        "customers roles: readers keys: 1\n"
    );
    assert_eq!(repo.key.len(), 64);
    assert!(repo.key.bytes().all(|byte| byte.is_ascii_hexdigit()));
}

#[test]
fn failures_are_one_line() {
    let repo = Repo::new();
    let d = repo.path();
    let cases: &[(&[&str], &str, &str)] = &[
        (&["user", "add", d, "bob"], "", "no password for user 'bob'"),
        (
            &["user", "add", d, "bob"],
            "\n",
            "no password for user 'bob'",
        ),
        (
            &["user", "add", d, "root"],
            "pw\n",
            "user 'root' already exists",
        ),
        (
            &["role", "grant", d, "nope", "root"],
            "",
            "role 'nope' does not exist",
        ),
        (
            &[
                "acl", "add", d, "readers", "--label", "ALL", "--troves", "foo(",
            ],
            "",
            "invalid trove pattern 'foo('",
        ),
        (
            &["entitlement", "add", d, "c", "--role", "nope"],
            "",
            "role 'nope' does not exist",
        ),
        (
            &["user", "list", "/nonexistent/repo"],
            "",
            "is not a repository",
        ),
        (&["anonymous", d, "maybe"], "", "invalid value 'maybe'"),
        (&["frobnicate"], "", "unrecognized subcommand"),
        (
            &["serve", d, "--listen", "not-an-address"],
            "",
            "invalid value 'not-an-address'",
        ),
    ];
    for (args, stdin, expected) in cases {
        let line = repos_fails(args, stdin);
        assert!(line.starts_with("conary-repos: "), "{line}");
        assert!(line.contains(expected), "{args:?}: {line}");
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    let commands: &[&[&str]] = &[
        &[],
        &["init"],
        &["user"],
        &["user", "add"],
        &["user", "list"],
        &["role"],
        &["role", "add"],
        &["role", "grant"],
        &["role", "list"],
        &["acl"],
        &["acl", "add"],
        &["acl", "list"],
        &["entitlement"],
        &["entitlement", "add"],
        &["entitlement", "list"],
        &["anonymous"],
        &["serve"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let help = repos_ok(&args, "");
        let example = help.split_once("Example:\n").map(|(_, example)| example);
        assert!(
            example.is_some_and(|example| example.contains("conary-repos ")),
            "{command:?}: {help}"
        );
    }
}

#[test]
fn credentials_decide_401_200_and_403() {
    let repo = Repo::new();
    let server = repo.serve(&[]);
    let bearer = format!("Bearer {}", repo.key);

    let missing = server.get("/api/v1/whoami", None);
    assert_eq!(missing.status, 401);
    assert!(
        missing
            .header("www-authenticate")
            .is_some_and(|value| value.starts_with("Basic"))
    );
    assert_eq!(server.get("/api/v1/info", None).status, 401);

    let wrong = server.get("/api/v1/whoami", Some(&basic("reader", "wrong")));
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("www-authenticate").is_some());
    assert_eq!(
        server
            .get(
                "/api/v1/whoami",
                Some(&format!("Bearer {}", "0".repeat(64)))
            )
            .status,
        401
    );

    let right = server.get("/api/v1/whoami", Some(&basic("reader", "readerpw")));
    assert_eq!(right.status, 200);
    assert_eq!(
        right.json(),
        serde_json::json!({"kind": "user", "name": "reader", "admin": false, "roles": ["readers"]})
    );

    let info = server.get("/api/v1/info", Some(&bearer));
    assert_eq!(info.status, 200);
    assert_eq!(info.json()["name"], NAME);
    assert_eq!(info.json()["api_version"], 1);
    let refused = server.post("/api/v1/blobs", Some(&bearer), b"entitled bytes");
    assert_eq!(
        refused.status,
        403,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    assert_eq!(repo.blob_count(), 0);

    let page = server.get("/", None);
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains(NAME));
}

#[test]
fn blobs_stream_both_ways_and_acl_denial_writes_nothing() {
    let repo = Repo::new();
    let server = repo.serve(&[]);
    let contents: Vec<u8> = (0..300_000u32).map(|number| (number % 251) as u8).collect();

    let denied = server.post(
        "/api/v1/blobs",
        Some(&basic("narrow", "narrowpw")),
        &contents,
    );
    assert_eq!(denied.status, 403);
    assert_eq!(repo.blob_count(), 0, "nothing written");
    assert_eq!(
        server
            .post(
                "/api/v1/blobs",
                Some(&basic("reader", "readerpw")),
                &contents
            )
            .status,
        403
    );
    assert_eq!(repo.blob_count(), 0, "nothing written");

    let stored = server.post("/api/v1/blobs", Some(&basic("root", "rootpw")), &contents);
    assert_eq!(
        stored.status,
        201,
        "{}",
        String::from_utf8_lossy(&stored.body)
    );
    let digest = stored.json()["digest"].as_str().expect("digest").to_owned();
    assert_eq!(stored.json()["size"], 300_000);
    assert_eq!(repo.blob_count(), 1);

    let path = format!("/api/v1/blobs/{digest}");
    let fetched = server.get(&path, Some(&format!("Bearer {}", repo.key)));
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.header("content-length"), Some("300000"));
    assert!(fetched.body == contents, "same bytes back");
    assert_eq!(
        server.get(&path, Some(&basic("narrow", "narrowpw"))).status,
        403
    );
    let absent = server.get(
        &format!("/api/v1/blobs/{}", "0".repeat(64)),
        Some(&basic("root", "rootpw")),
    );
    assert_eq!(absent.status, 404);
}

#[test]
fn anonymous_access_can_be_turned_on_while_serving() {
    let repo = Repo::new();
    let server = repo.serve(&[]);
    assert_eq!(server.get("/api/v1/info", None).status, 401);
    repos_ok(&["anonymous", repo.path(), "on"], "");
    let whoami = server.get("/api/v1/whoami", None);
    assert_eq!(whoami.status, 200);
    assert_eq!(whoami.json()["kind"], "anonymous");
    assert_eq!(server.get("/api/v1/info", None).status, 200);
    assert_eq!(
        server
            .post("/api/v1/blobs", None, b"anonymous bytes")
            .status,
        403
    );
    assert_eq!(repo.blob_count(), 0);
    repos_ok(&["anonymous", repo.path(), "off"], "");
    assert_eq!(server.get("/api/v1/info", None).status, 401);
}

#[test]
fn oversize_bodies_get_413() {
    let repo = Repo::new();
    let server = repo.serve(&["--max-body", "1024"]);
    let root = basic("root", "rootpw");
    assert_eq!(
        server
            .post("/api/v1/blobs", Some(&root), &[5u8; 2048])
            .status,
        413
    );
    assert_eq!(repo.blob_count(), 0);
    assert_eq!(
        server
            .post("/api/v1/blobs", Some(&root), &[5u8; 1024])
            .status,
        201
    );
    assert_eq!(repo.blob_count(), 1);
}

#[test]
fn sigterm_stops_cleanly_and_every_request_was_logged() {
    let repo = Repo::new();
    let mut server = repo.serve(&[]);
    assert_eq!(
        server
            .get("/api/v1/whoami", Some(&basic("root", "rootpw")))
            .status,
        200
    );
    assert_eq!(server.get("/api/v1/whoami", None).status, 401);
    let status = server
        .terminate(Duration::from_secs(10))
        .expect("exits within 10 s");
    assert!(status.success(), "{status:?}");
    let log = server.log();
    assert!(log.contains("[user root] GET /api/v1/whoami 200"), "{log}");
    assert!(log.contains("[-] GET /api/v1/whoami 401"), "{log}");
    assert!(
        TcpStream::connect(server.addr).is_err(),
        "no longer listening"
    );
}

#[test]
fn serve_reports_an_address_in_use() {
    let repo = Repo::new();
    let server = repo.serve(&[]);
    let taken = server.addr.to_string();
    let line = repos_fails(&["serve", repo.path(), "--listen", &taken], "");
    assert!(
        line.contains(&format!("cannot listen on {taken}")),
        "{line}"
    );
}

fn tls_client() -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_file(format!("{TLS_DIR}/ca.pem")).expect("CA");
    roots.add(ca).expect("add CA");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

#[test]
fn tls_serves_https() {
    let repo = Repo::new();
    let cert = format!("{TLS_DIR}/server.pem");
    let key = format!("{TLS_DIR}/server.key");
    let server = repo.serve(&["--tls-cert", &cert, "--tls-key", &key]);
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let connection = rustls::ClientConnection::new(tls_client(), name).expect("client");
    let tcp = TcpStream::connect(server.addr).expect("connect");
    let stream = rustls::StreamOwned::new(connection, tcp);
    let reply = http(
        stream,
        "GET",
        "/api/v1/whoami",
        Some(&basic("root", "rootpw")),
        None,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["name"], "root");

    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut plain = TcpStream::connect(server.addr).expect("connect");
    plain
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let _ = plain.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    let error = repos_fails(
        &[
            "serve",
            repo.path(),
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &key,
            "--tls-key",
            &key,
        ],
        "",
    );
    assert!(error.contains("cannot use TLS file"), "{error}");
}
