//! JSON routes: info, whoami, and the generic helpers new routes use.

use std::collections::BTreeMap;

use conary_client::ClientError;

use crate::server::{Behaviour, TestServer};

#[test]
fn info_and_whoami() {
    let server = TestServer::start(Behaviour::default());
    let client = server.client("");
    let info = client.info().expect("info");
    assert_eq!(
        (info.name.as_str(), info.api_version, info.server.as_str()),
        ("localhost", 1, "test-server")
    );
    let whoami = client.whoami().expect("whoami");
    assert_eq!(whoami.kind, "anonymous");
    assert!(server.behaviour().requests[0].authorization.is_none());
}

#[test]
fn post_json_round_trips() {
    let server = TestServer::start(Behaviour::default());
    let request: BTreeMap<String, Vec<u32>> = [("troves".to_string(), vec![1, 2, 3])].into();
    let answer: BTreeMap<String, Vec<u32>> =
        server.client("").post_json("echo", &request).expect("echo");
    assert_eq!(answer, request);
}

#[test]
fn post_json_is_not_retried_after_the_server_saw_it() {
    let mut behaviour = Behaviour::default();
    behaviour.fail_next.push_back(500);
    let server = TestServer::start(behaviour);
    let error = server
        .client("")
        .post_json::<_, serde_json::Value>("echo", &1)
        .expect_err("server error");
    assert!(
        matches!(
            error,
            ClientError::Status {
                status: 500,
                attempts: 1,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(server.requests_for("/api/v1/echo").len(), 1);
}

#[test]
fn get_json_is_retried() {
    let mut behaviour = Behaviour::default();
    behaviour.fail_next.extend([502, 429]);
    let server = TestServer::start(behaviour);
    server.client("").info().expect("third time");
    assert_eq!(server.requests_for("/api/v1/info").len(), 3);
}

#[test]
fn bad_json_and_unknown_routes() {
    let server = TestServer::start(Behaviour::default());
    let client = server.client("");
    let error = client
        .get_json::<serde_json::Value>("garbage")
        .expect_err("not json");
    assert!(
        error.to_string().starts_with(&format!(
            "bad response from {}api/v1/garbage: invalid JSON",
            server.url
        )),
        "{error}"
    );
    let error = client
        .get_json::<serde_json::Value>("troves/none")
        .expect_err("no route");
    assert_eq!(
        error.to_string(),
        format!("troves/none not found at {}api/v1/troves/none", server.url)
    );
}

#[test]
fn json_answers_over_the_limit_are_refused() {
    let server = TestServer::start(Behaviour::default());
    let options = conary_client::Options {
        max_json_size: 10,
        ..crate::server::fast_options()
    };
    let error = server
        .client_with("", options)
        .info()
        .expect_err("too large");
    assert_eq!(
        error.to_string(),
        format!(
            "response from {}api/v1/info is larger than the limit of 10 bytes",
            server.url
        )
    );
}

#[test]
fn streams_read_as_they_arrive() {
    use std::io::Read as _;
    let mut behaviour = Behaviour::default();
    let data = crate::server::bytes(30, 70_000);
    let digest = crate::server::add_blob(&mut behaviour, data.clone());
    let server = TestServer::start(behaviour);
    let mut body = server
        .client("")
        .get_stream(&format!("blobs/{digest}"))
        .expect("stream");
    assert_eq!(body.size(), Some(70_000));
    let mut out = Vec::new();
    body.read_to_end(&mut out).expect("read");
    assert!(out == data);
}

#[test]
fn https_to_a_plain_server_fails_at_the_handshake() {
    let server = TestServer::start(Behaviour::default());
    let url = server.url.replace("http://", "https://");
    let mut config = conary_core::config::Config::default();
    config
        .apply_line(&format!("repositoryMap localhost {url}"), "test")
        .expect("config");
    let error = conary_client::Repositories::from_config(&config, crate::server::fast_options())
        .expect("repositories")
        .for_host("localhost")
        .expect("mapped")
        .info()
        .expect_err("no TLS there");
    assert!(
        error.to_string().starts_with(&format!(
            "transfer from {url}api/v1/info failed after 3 attempt(s): cannot connect"
        )),
        "{error}"
    );
}

#[test]
fn post_json_is_retried_when_no_connection_was_made() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let mut config = conary_core::config::Config::default();
    config
        .apply_line(
            &format!("repositoryMap localhost http://127.0.0.1:{port}/"),
            "test",
        )
        .expect("config");
    let error = conary_client::Repositories::from_config(&config, crate::server::fast_options())
        .expect("repositories")
        .for_host("localhost")
        .expect("mapped")
        .post_json::<_, serde_json::Value>("echo", &1)
        .expect_err("nothing listens");
    assert!(
        matches!(error, ClientError::Transfer { attempts: 3, .. }),
        "{error}"
    );
}
