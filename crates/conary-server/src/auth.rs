//! Who is calling: credentials from the `Authorization` header, checked by
//! the repository, and the error responses of the API.

use std::sync::{Arc, OnceLock};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use conary_repository::{Credentials, Identity, RepositoryError};

use crate::app::AppState;
use conary_api::wire::ErrorBody;

/// The `WWW-Authenticate` challenge sent with every `401`.
const CHALLENGE: &str = "Basic realm=\"conary\", charset=\"UTF-8\"";

/// An error answer of the API: a status and a one-line message, sent as
/// JSON `{"error": "..."}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// `403`: the caller is known but not allowed.
    pub(crate) fn forbidden(identity: &Identity, what: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!("{} may not {what}", identity.subject()),
        )
    }

    /// `400`: the request is malformed.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// `500`: logs the cause and tells the client only that it happened.
    pub(crate) fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!("{cause}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
    }
}

impl From<RepositoryError> for ApiError {
    fn from(error: RepositoryError) -> Self {
        let status = if error.is_authentication() {
            StatusCode::UNAUTHORIZED
        } else if error.is_denied() {
            StatusCode::FORBIDDEN
        } else if error.is_not_found() {
            StatusCode::NOT_FOUND
        } else if error.is_conflict() {
            StatusCode::CONFLICT
        } else if error.is_invalid_request() {
            StatusCode::BAD_REQUEST
        } else {
            return Self::internal(&DisplayChain(&error));
        };
        Self::new(status, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(CHALLENGE),
            );
        }
        response
    }
}

/// An error and its sources on one line, for logs.
pub(crate) struct DisplayChain<'a>(pub(crate) &'a dyn std::error::Error);

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

/// Reads the credentials of a request: none, `Basic` (user and password)
/// or `Bearer` (an entitlement key). A malformed header is bad credentials.
pub(crate) fn credentials(headers: &HeaderMap) -> Result<Credentials, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Credentials::None);
    };
    let bad = |reason: &str| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            format!("bad credentials: {reason}"),
        )
    };
    let value = value
        .to_str()
        .map_err(|_| bad("authorization header is not text"))?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .map_err(|_| bad("basic credentials are not base64"))?;
        let decoded =
            String::from_utf8(decoded).map_err(|_| bad("basic credentials are not UTF-8"))?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or_else(|| bad("basic credentials have no ':'"))?;
        Ok(Credentials::Basic {
            user: user.to_owned(),
            password: password.to_owned(),
        })
    } else if scheme.eq_ignore_ascii_case("bearer") {
        let key = rest
            .parse()
            .map_err(|_| bad("bearer token is not an entitlement key"))?;
        Ok(Credentials::Entitlement(key))
    } else {
        Err(bad("unsupported authorization scheme"))
    }
}

/// Who made the request, kept in the request's extensions so the request
/// log can name them.
#[derive(Clone, Debug, Default)]
pub(crate) struct LoggedSubject(pub(crate) Arc<OnceLock<String>>);

/// The authenticated caller of a handler (extractor). Rejects with `401`
/// when the credentials are missing (and anonymous access is off) or wrong.
#[derive(Debug)]
pub(crate) struct Caller(pub(crate) Identity);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credentials = credentials(&parts.headers)?;
        let repository = Arc::clone(&state.repository);
        // Password hashing is slow on purpose: keep it off the async workers.
        let identity = tokio::task::spawn_blocking(move || repository.authenticate(&credentials))
            .await
            .map_err(|error| ApiError::internal(&error))??;
        if let Some(logged) = parts.extensions.get::<LoggedSubject>() {
            let _ = logged.0.set(identity.subject().to_string());
        }
        Ok(Self(identity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("header value"),
        );
        headers
    }

    #[test]
    fn parses_credentials() {
        assert_eq!(
            credentials(&HeaderMap::new()).expect("none"),
            Credentials::None
        );
        // "alice:pa:ss" in base64: the password may contain ':'.
        assert_eq!(
            credentials(&headers("Basic YWxpY2U6cGE6c3M=")).expect("basic"),
            Credentials::Basic {
                user: "alice".into(),
                password: "pa:ss".into()
            }
        );
        let key = "ab".repeat(32);
        assert_eq!(
            credentials(&headers(&format!("bearer {key}"))).expect("bearer"),
            Credentials::Entitlement(key.parse().expect("key"))
        );
    }

    #[test]
    fn malformed_credentials_are_401() {
        let cases = [
            (
                "Basic !!!",
                "bad credentials: basic credentials are not base64",
            ),
            (
                "Basic YWxpY2U=",
                "bad credentials: basic credentials have no ':'",
            ),
            (
                "Bearer short",
                "bad credentials: bearer token is not an entitlement key",
            ),
            (
                "Digest x",
                "bad credentials: unsupported authorization scheme",
            ),
        ];
        for (value, message) in cases {
            let error = credentials(&headers(value)).expect_err(value);
            assert_eq!(error.status, StatusCode::UNAUTHORIZED);
            assert_eq!(error.message, message);
        }
    }
}
