//! The basic routes answered in-process: credentials, info, blobs, each
//! way of being refused.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use conary_server::{Limits, router};
use conary_store::Digest;
use tower::ServiceExt as _;

use crate::support::{basic, call, fixture, get};

#[tokio::test]
async fn credentials_decide_401_200_403() {
    let fixture = fixture();
    let key = format!("Bearer {}", fixture.key);
    let wrong_key = format!("Bearer {}", "0".repeat(64));
    let root = basic("root", "rootpw");
    let reader = basic("reader", "readerpw");
    let nobody = basic("nobody", "nobodypw");
    let wrong = basic("reader", "rootpw");
    let unknown = basic("ghost", "x");
    let cases: &[(&str, Option<&str>, StatusCode)] = &[
        ("/api/v1/whoami", None, StatusCode::UNAUTHORIZED),
        ("/api/v1/whoami", Some(&wrong), StatusCode::UNAUTHORIZED),
        ("/api/v1/whoami", Some(&unknown), StatusCode::UNAUTHORIZED),
        ("/api/v1/whoami", Some(&wrong_key), StatusCode::UNAUTHORIZED),
        (
            "/api/v1/whoami",
            Some("Basic %%%"),
            StatusCode::UNAUTHORIZED,
        ),
        ("/api/v1/whoami", Some(&root), StatusCode::OK),
        ("/api/v1/whoami", Some(&nobody), StatusCode::OK),
        ("/api/v1/whoami", Some(&key), StatusCode::OK),
        ("/api/v1/info", None, StatusCode::UNAUTHORIZED),
        ("/api/v1/info", Some(&reader), StatusCode::OK),
        ("/api/v1/info", Some(&key), StatusCode::OK),
        ("/api/v1/info", Some(&nobody), StatusCode::FORBIDDEN),
        ("/", None, StatusCode::OK),
        ("/api/v1/nothing", None, StatusCode::NOT_FOUND),
    ];
    for (uri, authorization, status) in cases {
        let answer = get(&fixture, uri, *authorization).await;
        assert_eq!(answer.status, *status, "{uri} {authorization:?}");
        if *status == StatusCode::UNAUTHORIZED {
            let challenge = answer
                .headers
                .get(header::WWW_AUTHENTICATE)
                .expect("challenge");
            assert!(challenge.to_str().expect("text").starts_with("Basic "));
        }
        if *status != StatusCode::OK {
            assert!(answer.json()["error"].is_string(), "{uri}");
        }
    }
}

#[tokio::test]
async fn whoami_and_info_bodies() {
    let fixture = fixture();
    let answer = get(
        &fixture,
        "/api/v1/whoami",
        Some(&basic("reader", "readerpw")),
    )
    .await;
    assert_eq!(
        answer.json(),
        serde_json::json!({"kind": "user", "name": "reader", "admin": false, "roles": ["readers"]})
    );
    let key = format!("Bearer {}", fixture.key);
    let answer = get(&fixture, "/api/v1/whoami", Some(&key)).await;
    assert_eq!(
        answer.json(),
        serde_json::json!({"kind": "entitlement", "name": "customers", "admin": false, "roles": ["readers"]})
    );
    let answer = get(&fixture, "/api/v1/info", Some(&key)).await;
    assert_eq!(answer.json()["name"], "conary.example.com");
    assert_eq!(answer.json()["api_version"], 1);
    let page = get(&fixture, "/", None).await;
    assert!(String::from_utf8_lossy(&page.body).contains("<h1>conary.example.com</h1>"));
}

#[tokio::test]
async fn anonymous_reads_when_on() {
    let fixture = fixture();
    fixture.repository.set_anonymous(true).expect("on");
    let answer = get(&fixture, "/api/v1/whoami", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["kind"], "anonymous");
    assert_eq!(
        get(&fixture, "/api/v1/info", None).await.status,
        StatusCode::OK
    );
    let upload = call(
        &fixture,
        Limits::default(),
        Method::POST,
        "/api/v1/blobs",
        None,
        b"x".to_vec(),
    )
    .await;
    assert_eq!(upload.status, StatusCode::FORBIDDEN);
    // Wrong credentials are still wrong, even with anonymous access on.
    let wrong = get(&fixture, "/api/v1/whoami", Some(&basic("reader", "nope"))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn blobs_round_trip() {
    let fixture = fixture();
    let root = basic("root", "rootpw");
    // Larger than the JSON body limit: uploads have their own.
    let contents = vec![7u8; 3_000_000];
    let digest = Digest::of(&contents);
    let uri = format!("/api/v1/blobs/{digest}");

    let absent = get(&fixture, &uri, Some(&root)).await;
    assert_eq!(absent.status, StatusCode::NOT_FOUND);
    let stored = call(
        &fixture,
        Limits::default(),
        Method::POST,
        &format!("/api/v1/blobs?digest={digest}"),
        Some(&root),
        contents.clone(),
    )
    .await;
    assert_eq!(stored.status, StatusCode::CREATED, "{:?}", stored.json());
    assert_eq!(
        stored.json(),
        serde_json::json!({"digest": digest.to_string(), "size": 3_000_000})
    );
    assert_eq!(stored.headers[header::LOCATION], uri.as_str());

    let fetched = get(&fixture, &uri, Some(&basic("reader", "readerpw"))).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.headers[header::CONTENT_LENGTH], "3000000");
    assert!(fetched.body == contents, "same bytes back");

    let key = format!("Bearer {}", fixture.key);
    let head = call(
        &fixture,
        Limits::default(),
        Method::HEAD,
        &uri,
        Some(&key),
        Vec::new(),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.headers[header::CONTENT_LENGTH], "3000000");
    assert!(head.body.is_empty());

    let bad = get(&fixture, "/api/v1/blobs/xyz", Some(&root)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// `GET` with `Range` as a resuming client sends it.
async fn get_range(
    fixture: &crate::support::Fixture,
    uri: &str,
    range: &str,
) -> crate::support::Answer {
    let request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header(header::AUTHORIZATION, basic("reader", "readerpw"))
        .header(header::RANGE, range)
        .body(Body::empty())
        .expect("request");
    crate::support::send(fixture, Limits::default(), request).await
}

#[tokio::test]
async fn blob_ranges_answer_partial_content() {
    let fixture = fixture();
    let contents: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
    let (digest, _) = fixture
        .repository
        .store()
        .put_bytes(&contents)
        .expect("stored");
    let uri = format!("/api/v1/blobs/{digest}");
    // (range, status, Content-Range, first byte of the body)
    let cases: &[(&str, StatusCode, Option<&str>, usize)] = &[
        (
            "bytes=0-",
            StatusCode::PARTIAL_CONTENT,
            Some("bytes 0-199999/200000"),
            0,
        ),
        (
            "bytes=65537-",
            StatusCode::PARTIAL_CONTENT,
            Some("bytes 65537-199999/200000"),
            65_537,
        ),
        (
            "bytes=199999-",
            StatusCode::PARTIAL_CONTENT,
            Some("bytes 199999-199999/200000"),
            199_999,
        ),
        (
            "bytes=-10",
            StatusCode::PARTIAL_CONTENT,
            Some("bytes 199990-199999/200000"),
            199_990,
        ),
        (
            "bytes=200000-",
            StatusCode::RANGE_NOT_SATISFIABLE,
            Some("bytes */200000"),
            0,
        ),
        // Ranges with an end, several ranges and nonsense get everything.
        ("bytes=10-20", StatusCode::OK, None, 0),
        ("bytes=0-1,5-", StatusCode::OK, None, 0),
        ("lines=3-", StatusCode::OK, None, 0),
    ];
    for &(range, status, content_range, start) in cases {
        let answer = get_range(&fixture, &uri, range).await;
        assert_eq!(answer.status, status, "{range}");
        assert_eq!(
            answer
                .headers
                .get(header::CONTENT_RANGE)
                .and_then(|value| value.to_str().ok()),
            content_range,
            "{range}"
        );
        if status == StatusCode::RANGE_NOT_SATISFIABLE {
            assert!(answer.json()["error"].as_str().is_some(), "{range}");
            continue;
        }
        let expected = &contents[start..];
        assert_eq!(
            answer.headers[header::CONTENT_LENGTH],
            expected.len().to_string().as_str(),
            "{range}"
        );
        assert_eq!(answer.headers[header::ACCEPT_RANGES], "bytes");
        assert!(answer.body == expected, "{range}: the bytes from {start}");
    }
}

#[tokio::test]
async fn blob_refusals_store_nothing() {
    let fixture = fixture();
    let store = fixture.repository.store();
    let count = || store.iter().count();
    let small = Limits {
        max_body: 1024,
        ..Limits::default()
    };
    let cases: &[(String, Option<String>, usize, StatusCode)] = &[
        // Entitlement keys only read.
        (
            "/api/v1/blobs".into(),
            Some(format!("Bearer {}", fixture.key)),
            10,
            StatusCode::FORBIDDEN,
        ),
        // Write access on one label is not write access everywhere.
        (
            "/api/v1/blobs".into(),
            Some(basic("narrow", "narrowpw")),
            10,
            StatusCode::FORBIDDEN,
        ),
        (
            "/api/v1/blobs".into(),
            Some(basic("reader", "readerpw")),
            10,
            StatusCode::FORBIDDEN,
        ),
        ("/api/v1/blobs".into(), None, 10, StatusCode::UNAUTHORIZED),
        (
            "/api/v1/blobs".into(),
            Some(basic("root", "rootpw")),
            2048,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            format!("/api/v1/blobs?digest={}", Digest::of(b"other")),
            Some(basic("root", "rootpw")),
            10,
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (uri, authorization, size, status) in cases {
        let before = count();
        let answer = call(
            &fixture,
            small,
            Method::POST,
            uri,
            authorization.as_deref(),
            vec![1u8; *size],
        )
        .await;
        assert_eq!(answer.status, *status, "{uri} {authorization:?}");
        if *status != StatusCode::BAD_REQUEST {
            assert_eq!(
                count(),
                before,
                "nothing stored for {uri} {authorization:?}"
            );
        }
    }
    let narrow = get(
        &fixture,
        &format!("/api/v1/blobs/{}", Digest::of(b"x")),
        Some(&basic("narrow", "narrowpw")),
    )
    .await;
    assert_eq!(narrow.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn streamed_bodies_over_the_limit_are_refused() {
    let fixture = fixture();
    let small = Limits {
        max_body: 1024,
        ..Limits::default()
    };
    // No Content-Length: the limit is enforced while streaming.
    let body = Body::new(Chunks(vec![vec![1u8; 600], vec![2u8; 600]]));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/blobs")
        .header(header::AUTHORIZATION, basic("root", "rootpw"))
        .body(body)
        .expect("request");
    let response = router(Arc::clone(&fixture.repository), small)
        .oneshot(request)
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(fixture.repository.store().iter().count(), 0);
}

/// A body of chunks of unknown total size (as with chunked encoding).
struct Chunks(Vec<Vec<u8>>);

impl http_body::Body for Chunks {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let next = if self.0.is_empty() {
            None
        } else {
            Some(Ok(http_body::Frame::data(self.0.remove(0).into())))
        };
        std::task::Poll::Ready(next)
    }
}
