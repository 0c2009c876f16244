//! A small, real HTTP server for the tests (axum on its own tokio runtime),
//! serving the blob and info routes of API version 1, with faults to inject:
//! dropped connections, corrupt bytes, failing statuses, slow answers and
//! required credentials. It records every request it sees.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use conary_client::{Options, Repositories, RepositoryClient, RetryPolicy};
use conary_core::config::Config;
use conary_core::digest::Digest;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub range: Option<String>,
    pub authorization: Option<String>,
}

/// What the server holds and how it misbehaves.
#[derive(Default)]
pub struct Behaviour {
    /// Blobs by hex digest.
    pub blobs: BTreeMap<String, Vec<u8>>,
    /// Answer `Range: bytes=N-` with `206`; otherwise ignore it (`200`).
    pub honour_range: bool,
    /// Send only this many bytes of the blob, then break the connection (once).
    pub drop_after: BTreeMap<String, usize>,
    /// Flip one byte of these blobs on every download.
    pub corrupt: BTreeSet<String>,
    /// Statuses to answer, one per request, before behaving.
    pub fail_next: VecDeque<u16>,
    /// Required basic credentials.
    pub basic: Option<(String, String)>,
    /// Required bearer key (either this or `basic` is enough).
    pub bearer: Option<String>,
    /// Authenticated callers are still refused (`403`).
    pub forbid: bool,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Every request seen.
    pub requests: Vec<Logged>,
}

pub struct TestServer {
    pub url: String,
    behaviour: Arc<Mutex<Behaviour>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestServer {
    /// Starts a server on `127.0.0.1:0`.
    pub fn start(behaviour: Behaviour) -> TestServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}/", listener.local_addr().expect("address"));
        let behaviour = Arc::new(Mutex::new(behaviour));
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&behaviour));
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            axum::serve(listener, router).await.expect("serve");
        });
        TestServer {
            url,
            behaviour,
            runtime: Some(runtime),
        }
    }

    /// The server's state, to change or inspect.
    pub fn behaviour(&self) -> MutexGuard<'_, Behaviour> {
        self.behaviour.lock().expect("behaviour lock")
    }

    /// The requests seen so far for `path`.
    pub fn requests_for(&self, path: &str) -> Vec<Logged> {
        self.behaviour()
            .requests
            .iter()
            .filter(|logged| logged.path == path)
            .cloned()
            .collect()
    }

    /// A client of this server for host `localhost`, with `config` lines
    /// added after the `repositoryMap` line.
    pub fn client(&self, config: &str) -> RepositoryClient {
        self.client_with(config, fast_options())
    }

    /// [`TestServer::client`] with `options`.
    pub fn client_with(&self, config: &str, options: Options) -> RepositoryClient {
        let mut parsed = Config::default();
        parsed
            .apply_text(
                &format!("repositoryMap localhost {}\n{config}", self.url),
                "test",
            )
            .expect("valid config");
        Repositories::from_config(&parsed, options)
            .expect("repositories")
            .for_host("localhost")
            .expect("localhost is mapped")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Options for tests: short pauses, three attempts.
pub fn fast_options() -> Options {
    Options {
        timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        },
        ..Options::default()
    }
}

/// Deterministic pseudo-random bytes.
pub fn bytes(seed: u64, size: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// Adds `data` as a blob; returns its digest.
pub fn add_blob(behaviour: &mut Behaviour, data: Vec<u8>) -> Digest {
    let digest = Digest::of(&data);
    behaviour.blobs.insert(digest.to_string(), data);
    digest
}

fn json_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        format!(r#"{{"error":"{message}"}}"#),
    )
        .into_response()
}

/// Who the caller is, or the refusal.
fn authenticate(
    behaviour: &Behaviour,
    authorization: Option<&str>,
) -> Result<String, (StatusCode, String)> {
    if behaviour.basic.is_none() && behaviour.bearer.is_none() {
        return Ok("anonymous".into());
    }
    let basic = behaviour.basic.as_ref().map(|(user, password)| {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        (user.clone(), format!("Basic {encoded}"))
    });
    let subject = match authorization {
        Some(value)
            if basic
                .as_ref()
                .is_some_and(|(_, expected)| expected == value) =>
        {
            basic.map(|(user, _)| user).unwrap_or_default()
        }
        Some(value)
            if behaviour
                .bearer
                .as_ref()
                .is_some_and(|key| value == format!("Bearer {key}")) =>
        {
            "entitlement".into()
        }
        _ => return Err((StatusCode::UNAUTHORIZED, "bad credentials".into())),
    };
    if behaviour.forbid {
        return Err((
            StatusCode::FORBIDDEN,
            format!("{subject} may not read blobs"),
        ));
    }
    Ok(subject)
}

fn header_text(headers: &axum::http::HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

async fn handle(State(shared): State<Arc<Mutex<Behaviour>>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let range = header_text(request.headers(), header::RANGE);
    let authorization = header_text(request.headers(), header::AUTHORIZATION);
    let delay = {
        let mut behaviour = shared.lock().expect("lock");
        behaviour.requests.push(Logged {
            method: method.to_string(),
            path: path.clone(),
            range: range.clone(),
            authorization: authorization.clone(),
        });
        behaviour.delay
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let subject = {
        let mut behaviour = shared.lock().expect("lock");
        if let Some(status) = behaviour.fail_next.pop_front() {
            let status = StatusCode::from_u16(status).expect("status");
            return json_error(status, "injected failure");
        }
        match authenticate(&behaviour, authorization.as_deref()) {
            Ok(subject) => subject,
            Err((status, message)) => return json_error(status, &message),
        }
    };
    match (method.clone(), path.as_str()) {
        (Method::GET, "/api/v1/info") => axum::Json(serde_json::json!({
            "name": "localhost", "api_version": 1, "server": "test-server", "extra": true
        }))
        .into_response(),
        (Method::GET, "/api/v1/whoami") => axum::Json(serde_json::json!({
            "kind": if subject == "anonymous" { "anonymous" } else { "user" },
            "name": subject, "admin": false, "roles": []
        }))
        .into_response(),
        (Method::POST, "/api/v1/echo") => {
            let body = axum::body::to_bytes(request.into_body(), 1 << 20)
                .await
                .expect("body");
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        (Method::GET, "/api/v1/garbage") => "not json".into_response(),
        (Method::POST, "/api/v1/blobs") => {
            let body = axum::body::to_bytes(request.into_body(), 64 << 20)
                .await
                .expect("body");
            let digest = Digest::of(&body);
            let size = body.len();
            shared
                .lock()
                .expect("lock")
                .blobs
                .insert(digest.to_string(), body.to_vec());
            (
                StatusCode::CREATED,
                axum::Json(serde_json::json!({"digest": digest.to_string(), "size": size})),
            )
                .into_response()
        }
        (Method::GET | Method::HEAD, blob) if blob.starts_with("/api/v1/blobs/") => {
            let hex = blob.trim_start_matches("/api/v1/blobs/").to_string();
            serve_blob(&shared, &method, &hex, range.as_deref())
        }
        _ => json_error(StatusCode::NOT_FOUND, "no such route"),
    }
}

fn serve_blob(
    shared: &Mutex<Behaviour>,
    method: &Method,
    hex: &str,
    range: Option<&str>,
) -> Response {
    let mut behaviour = shared.lock().expect("lock");
    let Some(mut data) = behaviour.blobs.get(hex).cloned() else {
        return json_error(StatusCode::NOT_FOUND, &format!("no blob {hex}"));
    };
    if *method == Method::HEAD {
        let mut response = StatusCode::OK.into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(data.len()));
        return response;
    }
    let middle = data.len() / 2;
    if behaviour.corrupt.contains(hex)
        && let Some(byte) = data.get_mut(middle)
    {
        *byte ^= 0x01;
    }
    let total = data.len();
    let start = range
        .filter(|_| behaviour.honour_range)
        .and_then(|range| range.strip_prefix("bytes="))
        .and_then(|range| range.strip_suffix('-'))
        .and_then(|start| start.parse::<usize>().ok());
    let (status, body) = match start {
        Some(start) if start >= total => {
            return json_error(StatusCode::RANGE_NOT_SATISFIABLE, "range");
        }
        Some(start) => (StatusCode::PARTIAL_CONTENT, data.split_off(start)),
        None => (StatusCode::OK, data),
    };
    let length = body.len();
    let body = match behaviour.drop_after.remove(hex) {
        Some(cut) => {
            use futures_util::StreamExt as _;
            let prefix = Bytes::from(body[..cut.min(length)].to_vec());
            // The pause lets the prefix reach the client before the break.
            let prefix = futures_util::stream::once(async move { Ok(prefix) });
            let failure = futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::other("connection dropped on purpose"))
            });
            Body::from_stream(prefix.chain(failure))
        }
        None => Body::from(body),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if status == StatusCode::PARTIAL_CONTENT {
        let range = format!("bytes {}-{}/{total}", total - length, total - 1);
        headers.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&range).expect("header"),
        );
    }
    response
}
