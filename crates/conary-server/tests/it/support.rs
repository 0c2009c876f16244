//! A repository with users, and requests answered in-process.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine as _;
use conary_changeset::{ChangeSetBuilder, MemContents, NoContents, write_changeset};
use conary_core::digest::PathId;
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::trove::Trove;
use conary_core::version::Version;
use conary_repository::{Acl, Repository};
use conary_server::{Limits, router};
use tower::ServiceExt as _;

/// The label the `narrow` user may write.
pub const LABEL: &str = "conary.example.com@rpl:2";

/// A repository with users `root` (admin), `reader` (reads everything),
/// `narrow` (reads and writes [`LABEL`]), `fooreader` (reads `foo*` troves
/// on [`LABEL`]) and `nobody` (no roles), all with password `<name>pw`,
/// and an entitlement key of the readers.
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// The repository served.
    pub repository: Arc<Repository>,
    /// The entitlement key.
    pub key: String,
}

/// A new repository with its users.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let repository = Repository::init(dir.path(), "conary.example.com").expect("init");
    repository.add_user("root", "rootpw", true).expect("root");
    repository
        .add_user("reader", "readerpw", false)
        .expect("reader");
    repository
        .add_user("narrow", "narrowpw", false)
        .expect("narrow");
    repository
        .add_user("nobody", "nobodypw", false)
        .expect("nobody");
    repository
        .add_user("fooreader", "fooreaderpw", false)
        .expect("fooreader");
    repository.add_role("fooreaders").expect("role");
    repository
        .grant_role("fooreaders", "fooreader")
        .expect("grant");
    let foo_acl = Acl::new(LABEL.parse().expect("label"), "foo.*".parse().expect("foo"));
    repository.add_acl("fooreaders", &foo_acl).expect("acl");
    repository.add_role("readers").expect("role");
    repository.add_role("narrow").expect("role");
    repository.grant_role("readers", "reader").expect("grant");
    repository.grant_role("narrow", "narrow").expect("grant");
    let all = Acl::new("ALL".parse().expect("all"), "ALL".parse().expect("all"));
    repository.add_acl("readers", &all).expect("acl");
    let narrow = Acl::new(LABEL.parse().expect("label"), "ALL".parse().expect("all")).with_write();
    repository.add_acl("narrow", &narrow).expect("acl");
    let key = repository
        .add_entitlement("customers", "readers")
        .expect("key")
        .to_string();
    Fixture {
        _dir: dir,
        repository: Arc::new(repository),
        key,
    }
}

/// The `Authorization` header of `user`.
pub fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// A response, read whole.
pub struct Answer {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: axum::http::HeaderMap,
    /// Its body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// Sends one request to a fresh router over the fixture's repository.
pub async fn call(
    fixture: &Fixture,
    limits: Limits,
    method: Method,
    uri: &str,
    authorization: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(authorization) = authorization {
        request = request.header(header::AUTHORIZATION, authorization);
    }
    request = request.header(header::CONTENT_LENGTH, body.len());
    let request = request.body(Body::from(body)).expect("request");
    send(fixture, limits, request).await
}

/// Sends `request` to a fresh router over the fixture's repository.
pub async fn send(fixture: &Fixture, limits: Limits, request: Request<Body>) -> Answer {
    let response = router(Arc::clone(&fixture.repository), limits)
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// A `GET` request.
pub async fn get(fixture: &Fixture, uri: &str, authorization: Option<&str>) -> Answer {
    call(
        fixture,
        Limits::default(),
        Method::GET,
        uri,
        authorization,
        Vec::new(),
    )
    .await
}

/// The `Authorization` header of test user `user` (password `<user>pw`).
pub fn auth(user: &str) -> String {
    basic(user, &format!("{user}pw"))
}

/// A `POST` of `body` with default limits.
pub async fn post(fixture: &Fixture, uri: &str, user: Option<&str>, body: Vec<u8>) -> Answer {
    let authorization = user.map(auth);
    call(
        fixture,
        Limits::default(),
        Method::POST,
        uri,
        authorization.as_deref(),
        body,
    )
    .await
}

/// A `POST` of `value` as JSON.
pub async fn post_json(
    fixture: &Fixture,
    uri: &str,
    user: Option<&str>,
    value: &impl serde::Serialize,
) -> Answer {
    let body = serde_json::to_vec(value).expect("JSON");
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(user) = user {
        request = request.header(header::AUTHORIZATION, auth(user));
    }
    let request = request.body(Body::from(body)).expect("request");
    send(fixture, Limits::default(), request).await
}

/// A `.ccs` holding component `name` at `/LABEL/revision` with one file.
pub fn component_changeset(
    name: &str,
    revision: &str,
    path: &str,
    contents: impl AsRef<[u8]>,
) -> Vec<u8> {
    let contents = contents.as_ref();
    let version: Version = format!("/{LABEL}/{revision}").parse().expect("version");
    let mut store = MemContents::new();
    let digest = store.insert(contents.to_vec());
    let kind = FileKind::Regular {
        size: contents.len() as u64,
        digest,
        link_group: None,
    };
    let stream = FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root");
    let mut trove = Trove::new(
        name.parse().expect("name"),
        version.clone(),
        Default::default(),
    );
    trove.add_file(
        PathId::derive(path.as_bytes()),
        path,
        stream.file_id(),
        version,
    );
    trove.provides = format!("trove: {name}").parse().expect("provides");
    let mut builder = ChangeSetBuilder::new();
    builder.add_primary(trove.tuple());
    builder
        .add_absolute(trove, &[(stream.file_id(), stream)].into_iter().collect())
        .expect("absolute");
    let changeset = builder.build(&NoContents, &store).expect("build");
    write_changeset(Vec::new(), &changeset, &store).expect("write")
}
