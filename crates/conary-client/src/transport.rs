//! [`Transport`] (one HTTP client, shared) and [`RepositoryClient`] (one
//! server): requests with credentials, status mapping, retries, and the
//! JSON and byte-stream helpers every API route is built from.
//!
//! A new route is one small method on [`RepositoryClient`]: a JSON query is
//! `self.get_json("troves/...")` or `self.post_json("troves", &request)`; a
//! binary download is `self.get_stream(..)`, an upload `self.post_stream(..)`.

use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;

use reqwest::Certificate;
use reqwest::Method;
use reqwest::Url;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::credentials::Authorization;
use crate::error::{ClientError, chain};
use crate::options::Options;
use crate::server_map::Server;
use conary_api::wire::{ServerInfo, WhoAmI};

/// The most of an error answer's body read for its message.
const MAX_ERROR_BODY: u64 = 4096;

/// The HTTP client shared by every server: one connection pool, one set of
/// [`Options`]. Cheap to clone. It is blocking: call it from ordinary
/// threads, never from inside an async runtime.
///
/// ```rust
/// let transport = conary_client::Transport::new(conary_client::Options::default())?;
/// assert_eq!(transport.options().retry.attempts, 4);
/// # Ok::<(), conary_client::ClientError>(())
/// ```
#[derive(Clone)]
pub struct Transport {
    http: Client,
    pub(crate) uploads: reqwest::Client,
    options: Arc<Options>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport with `options`. TLS is rustls with the `ring` provider
    /// (installed as the process default when none is), trusting the
    /// platform's certificate roots plus [`Options::extra_root_certificates`].
    /// On a machine without system roots only the extra roots are trusted,
    /// so plain `http` still works and `https` fails per request, naming
    /// the server.
    pub fn new(options: Options) -> Result<Transport, ClientError> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: one is in place.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let setup = |error: reqwest::Error| ClientError::Setup {
            reason: chain(&error),
        };
        let mut extra = Vec::new();
        for pem in &options.extra_root_certificates {
            extra.extend(Certificate::from_pem_bundle(pem).map_err(setup)?);
        }
        let builder = || {
            Client::builder()
                .user_agent(options.user_agent.clone())
                .timeout(options.timeout)
                .connect_timeout(options.connect_timeout)
        };
        // Uploads use the async client (see `upload`), one runtime per
        // upload: no connection may outlive it in a pool.
        let upload_builder = || {
            reqwest::Client::builder()
                .user_agent(options.user_agent.clone())
                .connect_timeout(options.connect_timeout)
                .pool_max_idle_per_host(0)
        };
        let (http, uploads) = match builder().tls_certs_merge(extra.clone()).build() {
            Ok(http) => (
                http,
                upload_builder()
                    .tls_certs_merge(extra)
                    .build()
                    .map_err(setup)?,
            ),
            // No usable system roots: trust only the configured ones.
            Err(_) => (
                builder()
                    .tls_certs_only(extra.clone())
                    .build()
                    .map_err(setup)?,
                upload_builder()
                    .tls_certs_only(extra)
                    .build()
                    .map_err(setup)?,
            ),
        };
        Ok(Transport {
            http,
            uploads,
            options: Arc::new(options),
        })
    }

    /// The options this transport was made with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// A client for `server` over this transport.
    pub fn client(&self, server: Server) -> RepositoryClient {
        RepositoryClient {
            transport: self.clone(),
            server: Arc::new(server),
        }
    }
}

/// How one attempt failed: worth another try, or final.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The server was unreachable, busy or broken off: try again.
    Retry(ClientError),
    /// Trying again cannot help.
    Fatal(ClientError),
}

impl Failure {
    /// The error, whichever kind.
    pub(crate) fn into_error(self) -> ClientError {
        match self {
            Failure::Retry(error) | Failure::Fatal(error) => error,
        }
    }
}

/// A client of one repository server. Cheap to clone, and shareable
/// between threads.
///
/// ```rust
/// let transport = conary_client::Transport::new(Default::default())?;
/// let server = conary_client::Server::new("localhost", "http://127.0.0.1:8000/", Default::default())?;
/// let client = transport.client(server);
/// assert_eq!(client.server().host(), "localhost");
/// # Ok::<(), conary_client::ClientError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RepositoryClient {
    pub(crate) transport: Transport,
    pub(crate) server: Arc<Server>,
}

impl RepositoryClient {
    /// The server this client talks to.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The transport's options.
    pub fn options(&self) -> &Options {
        &self.transport.options
    }

    /// `GET /api/v1/info`: the server's name and API version.
    pub fn info(&self) -> Result<ServerInfo, ClientError> {
        self.get_json("info")
    }

    /// `GET /api/v1/whoami`: who the server takes this client for.
    pub fn whoami(&self) -> Result<WhoAmI, ClientError> {
        self.get_json("whoami")
    }

    /// `GET /api/v1/{path}` with a JSON answer. Retried as [`RetryPolicy`]
    /// says.
    ///
    /// [`RetryPolicy`]: crate::RetryPolicy
    pub fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let url = self.server.endpoint(path);
        self.retrying(
            |attempt| {
                let response = self.send(self.request(Method::GET, &url), &url, path, attempt)?;
                self.read_json(&url, attempt, response)
            },
            |_, _| {},
        )
    }

    /// `POST /api/v1/{path}` with a JSON body and a JSON answer. Retried only
    /// when no connection could be made, since the server may act on a
    /// request it saw.
    pub fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let url = self.server.endpoint(path);
        let bytes = encode_json(&url, body)?;
        self.retrying(
            |attempt| {
                let response = self.post_attempt(&url, path, &bytes, attempt, false)?;
                self.read_json(&url, attempt, response)
                    .map_err(|failure| Failure::Fatal(failure.into_error()))
            },
            |_, _| {},
        )
    }

    /// `POST /api/v1/{path}` of a question that changes nothing (a query
    /// with a JSON body too large or too structured for a URL), with a JSON
    /// answer. Retried as a `GET` is.
    pub fn query_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let url = self.server.endpoint(path);
        let bytes = encode_json(&url, body)?;
        self.retrying(
            |attempt| {
                let response = self.post_attempt(&url, path, &bytes, attempt, true)?;
                self.read_json(&url, attempt, response)
            },
            |_, _| {},
        )
    }

    /// [`query_json`](RepositoryClient::query_json) with a binary answer,
    /// read as it arrives. Retried until the answer starts; the caller
    /// verifies what it reads (and may ask again when it breaks off).
    pub fn query_stream<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<ResponseBody, ClientError> {
        let url = self.server.endpoint(path);
        let bytes = encode_json(&url, body)?;
        self.retrying(
            |attempt| self.post_attempt(&url, path, &bytes, attempt, true),
            |_, _| {},
        )
        .map(|response| ResponseBody {
            inner: Answer::Streaming(response),
            url,
        })
    }

    /// One `POST` of a JSON body; a success answer is returned. With
    /// `idempotent`, failures a `GET` would retry are retried; otherwise only
    /// a failure to connect is.
    fn post_attempt(
        &self,
        url: &Url,
        path: &str,
        bytes: &[u8],
        attempt: u32,
        idempotent: bool,
    ) -> Result<Response, Failure> {
        let request = self
            .request(Method::POST, url)
            .header(CONTENT_TYPE, "application/json")
            .body(bytes.to_vec());
        let response = request.send().map_err(|error| {
            let retry = idempotent || error.is_connect();
            let error = transfer_error(url, attempt, error);
            if retry {
                Failure::Retry(error)
            } else {
                Failure::Fatal(error)
            }
        })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let failure = self.status_failure(url, path, attempt, response);
        if idempotent {
            Err(failure)
        } else {
            Err(Failure::Fatal(failure.into_error()))
        }
    }

    /// `GET /api/v1/{path}` with a binary answer, read as it arrives.
    /// Retried until the answer starts; the caller verifies what it reads.
    pub fn get_stream(&self, path: &str) -> Result<ResponseBody, ClientError> {
        let url = self.server.endpoint(path);
        self.retrying(
            |attempt| self.send(self.request(Method::GET, &url), &url, path, attempt),
            |_, _| {},
        )
        .map(|response| ResponseBody {
            inner: Answer::Streaming(response),
            url,
        })
    }

    /// `POST /api/v1/{path}` with a binary body streamed from `reader`
    /// (`size` bytes, when known), and a short answer (read whole, at most
    /// `max_json_size` bytes). Never retried: the body cannot be read
    /// twice. A server that answers before reading the whole body (a
    /// refusal) is heard when its answer arrives: the answer is the error,
    /// not the cut-off upload.
    pub fn post_stream<R: Read + Send + 'static>(
        &self,
        path: &str,
        reader: R,
        size: Option<u64>,
    ) -> Result<ResponseBody, ClientError> {
        let url = self.server.endpoint(path);
        let answer = crate::upload::upload(self, &url, "application/octet-stream", reader, size)?;
        if !answer.status.is_success() {
            let message = message_of(answer.status, &answer.body);
            return Err(self
                .failure_for(&url, path, 1, answer.status.as_u16(), message)
                .into_error());
        }
        Ok(ResponseBody {
            inner: Answer::Whole(io::Cursor::new(answer.body)),
            url,
        })
    }

    /// A request to `url` carrying this server's credentials.
    pub(crate) fn request(&self, method: Method, url: &Url) -> RequestBuilder {
        let builder = self.transport.http.request(method, url.clone());
        match self.server.credentials().authorization() {
            Authorization::None => builder,
            Authorization::Basic { user, password } => builder.basic_auth(user, Some(password)),
            Authorization::Bearer(key) => builder.bearer_auth(key),
        }
    }

    /// Runs `attempt` (given its 1-based number) until it succeeds, fails
    /// for good, or the retries run out; `on_retry` hears of each failure
    /// that is tried again.
    pub(crate) fn retrying<T>(
        &self,
        mut attempt: impl FnMut(u32) -> Result<T, Failure>,
        mut on_retry: impl FnMut(u32, &ClientError),
    ) -> Result<T, ClientError> {
        let policy = &self.transport.options.retry;
        let mut number = 1;
        loop {
            match attempt(number) {
                Ok(value) => return Ok(value),
                Err(Failure::Fatal(error)) => return Err(error),
                Err(Failure::Retry(error)) if number >= policy.max_attempts() => return Err(error),
                Err(Failure::Retry(error)) => {
                    on_retry(number, &error);
                    std::thread::sleep(policy.backoff(number));
                    number += 1;
                }
            }
        }
    }

    /// Sends a request; a success answer is returned, anything else becomes
    /// the matching error (`what` names the thing asked for in a `404`).
    pub(crate) fn send(
        &self,
        request: RequestBuilder,
        url: &Url,
        what: &str,
        attempt: u32,
    ) -> Result<Response, Failure> {
        let response = self.send_raw(request, url, attempt)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.status_failure(url, what, attempt, response))
        }
    }

    /// Sends a request; only a failure to get an answer is an error.
    pub(crate) fn send_raw(
        &self,
        request: RequestBuilder,
        url: &Url,
        attempt: u32,
    ) -> Result<Response, Failure> {
        request
            .send()
            .map_err(|error| Failure::Retry(transfer_error(url, attempt, error)))
    }

    /// The error for a non-success answer.
    pub(crate) fn status_failure(
        &self,
        url: &Url,
        what: &str,
        attempt: u32,
        response: Response,
    ) -> Failure {
        let status = response.status().as_u16();
        let message = error_message(response);
        self.failure_for(url, what, attempt, status, message)
    }

    /// The error for an answer of `status` explained by `message`.
    pub(crate) fn failure_for(
        &self,
        url: &Url,
        what: &str,
        attempt: u32,
        status: u16,
        message: String,
    ) -> Failure {
        let host = self.server.host().to_string();
        let url = url.to_string();
        match status {
            401 => Failure::Fatal(match self.server.credentials().failure_hint(&host) {
                Ok(hint) => ClientError::AuthenticationFailed {
                    host,
                    url,
                    hint,
                    message,
                },
                Err(hint) => ClientError::CredentialsRequired { host, url, hint },
            }),
            403 => Failure::Fatal(ClientError::PermissionDenied { host, url, message }),
            404 => Failure::Fatal(ClientError::NotFound {
                what: what.to_string(),
                url,
            }),
            408 | 429 | 500..=599 => Failure::Retry(ClientError::Status {
                url,
                status,
                attempts: attempt,
                message,
            }),
            _ => Failure::Fatal(ClientError::Status {
                url,
                status,
                attempts: attempt,
                message,
            }),
        }
    }

    /// Reads a JSON answer of at most `max_json_size` bytes.
    pub(crate) fn read_json<T: DeserializeOwned>(
        &self,
        url: &Url,
        attempt: u32,
        response: impl Read,
    ) -> Result<T, Failure> {
        let limit = self.transport.options.max_json_size;
        let mut bytes = Vec::new();
        response
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|error| {
                Failure::Retry(ClientError::Transfer {
                    url: url.to_string(),
                    attempts: attempt,
                    reason: chain(&error),
                })
            })?;
        if bytes.len() as u64 > limit {
            return Err(Failure::Fatal(ClientError::TooLarge {
                url: url.to_string(),
                limit,
            }));
        }
        serde_json::from_slice(&bytes).map_err(|error| {
            Failure::Fatal(ClientError::BadResponse {
                url: url.to_string(),
                reason: format!("invalid JSON: {error}"),
            })
        })
    }
}

/// The JSON encoding of a request body.
fn encode_json<B: Serialize + ?Sized>(url: &Url, body: &B) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(body).map_err(|error| ClientError::BadResponse {
        url: url.to_string(),
        reason: format!("cannot encode the request: {error}"),
    })
}

/// The error for a request that got no answer, or whose answer broke off.
pub(crate) fn transfer_error(url: &Url, attempt: u32, error: reqwest::Error) -> ClientError {
    let kind = if error.is_connect() {
        "cannot connect: ".to_string()
    } else if error.is_timeout() {
        "timed out: ".to_string()
    } else {
        String::new()
    };
    // The URL is named once, by the error itself.
    let cause = chain(&error.without_url());
    ClientError::Transfer {
        url: url.to_string(),
        attempts: attempt,
        reason: format!("{kind}{cause}"),
    }
}

/// The message of an error answer: the `error` field of the API's JSON
/// body, else the start of the body, else the status text.
fn error_message(response: Response) -> String {
    let status = response.status();
    let mut body = Vec::new();
    let _ = response.take(MAX_ERROR_BODY).read_to_end(&mut body);
    message_of(status, &body)
}

/// The message of an error answer of `status` whose body (or its start)
/// is `body`.
fn message_of(status: reqwest::StatusCode, body: &[u8]) -> String {
    let body = body.get(..MAX_ERROR_BODY as usize).unwrap_or(body);
    if let Ok(parsed) = serde_json::from_slice::<conary_api::wire::ErrorBody>(body) {
        return parsed.error;
    }
    let text = String::from_utf8_lossy(body);
    let line = text.lines().next().unwrap_or_default().trim();
    if line.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("no explanation")
            .to_ascii_lowercase()
    } else {
        line.chars().take(200).collect()
    }
}

/// The body of a streamed answer: read it with [`Read`].
///
/// ```rust,no_run
/// use std::io::Read as _;
/// let transport = conary_client::Transport::new(Default::default())?;
/// let server = conary_client::Server::new("localhost", "http://127.0.0.1:8000/", Default::default())?;
/// let mut body = transport.client(server).get_stream("changesets/some-id")?;
/// let mut bytes = Vec::new();
/// body.read_to_end(&mut bytes)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ResponseBody {
    inner: Answer,
    url: Url,
}

/// What a [`ResponseBody`] reads from.
enum Answer {
    /// The answer as it arrives.
    Streaming(Response),
    /// An answer read whole (to an upload).
    Whole(io::Cursor<Vec<u8>>),
}

impl ResponseBody {
    /// The size the server announced (`Content-Length`), if any.
    pub fn size(&self) -> Option<u64> {
        match &self.inner {
            Answer::Streaming(response) => content_length(response),
            Answer::Whole(bytes) => Some(bytes.get_ref().len() as u64),
        }
    }

    /// The URL this body comes from.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody")
            .field("url", &self.url.as_str())
            .field("size", &self.size())
            .finish()
    }
}

impl Read for ResponseBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Answer::Streaming(response) => response.read(buf),
            Answer::Whole(bytes) => bytes.read(buf),
        }
    }
}

/// The `Content-Length` header of an answer (also right for `HEAD`).
pub(crate) fn content_length(response: &Response) -> Option<u64> {
    response
        .headers()
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_extra_roots_are_a_setup_error() {
        let options = Options {
            extra_root_certificates: vec![
                b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n".to_vec(),
            ],
            ..Options::default()
        };
        let error = Transport::new(options).expect_err("not a certificate");
        assert!(
            error
                .to_string()
                .starts_with("cannot set up the HTTP client: "),
            "{error}"
        );
    }
}
