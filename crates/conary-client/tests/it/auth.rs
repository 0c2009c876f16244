//! Credentials: basic for users, bearer for entitlement keys, and what the
//! errors tell the user to fix.

use conary_client::ClientError;
use conary_core::digest::Digest;

use crate::server::{Behaviour, TestServer, add_blob, bytes};

fn server_requiring_alice() -> (TestServer, Digest) {
    let mut behaviour = Behaviour {
        basic: Some(("alice".into(), "s3cret".into())),
        bearer: Some("0123abcd".into()),
        ..Behaviour::default()
    };
    let digest = add_blob(&mut behaviour, bytes(20, 100));
    (TestServer::start(behaviour), digest)
}

#[test]
fn user_lines_send_basic_credentials() {
    let (server, digest) = server_requiring_alice();
    let client = server.client("user localhost alice s3cret\n");
    client
        .fetch_blob(&digest, &mut Vec::new())
        .expect("authenticated");
    assert_eq!(
        client.whoami().expect("whoami").name.as_deref(),
        Some("alice")
    );
    let sent = server.behaviour().requests[0].authorization.clone();
    assert_eq!(sent.as_deref(), Some("Basic YWxpY2U6czNjcmV0"));
}

#[test]
fn user_globs_match_the_host() {
    let (server, digest) = server_requiring_alice();
    server
        .client("user other.example.com bob nope\nuser local* alice s3cret\n")
        .fetch_blob(&digest, &mut Vec::new())
        .expect("glob matched");
}

#[test]
fn entitlement_lines_send_bearer_keys() {
    let (server, digest) = server_requiring_alice();
    server
        .client("entitlement localhost customer 0123abcd\n")
        .fetch_blob(&digest, &mut Vec::new())
        .expect("entitled");
    let sent = server.behaviour().requests[0].authorization.clone();
    assert_eq!(sent.as_deref(), Some("Bearer 0123abcd"));
}

#[test]
fn entitlement_files_send_bearer_keys() {
    let (server, digest) = server_requiring_alice();
    let directory = tempfile::tempdir().expect("temp dir");
    std::fs::write(directory.path().join("localhost"), "# key\n0123abcd\n").expect("write");
    server
        .client(&format!(
            "entitlementDirectory {}\n",
            directory.path().display()
        ))
        .fetch_blob(&digest, &mut Vec::new())
        .expect("entitled by file");
}

#[test]
fn wrong_password_names_the_user_line() {
    let (server, digest) = server_requiring_alice();
    let error = server
        .client("user localhost alice wrong\n")
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("refused");
    assert_eq!(
        error.to_string(),
        format!(
            "authentication failed for localhost at {}api/v1/blobs/{digest} \
             (user 'alice': check the 'user localhost alice PASSWORD' line): bad credentials",
            server.url
        )
    );
    // A refusal is not retried.
    assert_eq!(server.behaviour().requests.len(), 1);
}

#[test]
fn wrong_entitlement_names_the_entitlement() {
    let (server, digest) = server_requiring_alice();
    let error = server
        .client("entitlement localhost ffff\n")
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("(entitlement key: check the 'entitlement localhost CLASS KEY' line"),
        "{error}"
    );
}

#[test]
fn missing_credentials_say_what_to_add() {
    let (server, digest) = server_requiring_alice();
    let error = server
        .client("")
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("anonymous refused");
    assert_eq!(
        error.to_string(),
        format!(
            "{}api/v1/blobs/{digest} requires authentication and no credentials are \
             configured for localhost; add 'user localhost NAME PASSWORD' or an \
             entitlement for localhost to your config",
            server.url
        )
    );
    let error = server
        .client("user localhost alice\n")
        .info()
        .expect_err("no password");
    assert!(
        error
            .to_string()
            .ends_with("user 'alice' has no password: add it to the 'user' line ('user localhost alice PASSWORD')"),
        "{error}"
    );
}

#[test]
fn forbidden_names_the_server() {
    let mut behaviour = Behaviour {
        basic: Some(("alice".into(), "pw".into())),
        forbid: true,
        ..Behaviour::default()
    };
    let digest = add_blob(&mut behaviour, bytes(21, 10));
    let server = TestServer::start(behaviour);
    let error = server
        .client("user localhost alice pw\n")
        .fetch_blob(&digest, &mut Vec::new())
        .expect_err("forbidden");
    assert!(matches!(error, ClientError::PermissionDenied { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "permission denied by localhost at {}api/v1/blobs/{digest}: alice may not read blobs",
            server.url
        )
    );
}

#[test]
fn passwords_in_repository_urls_are_refused_without_echoing_them() {
    // As in the original Conary, credentials belong on `user` lines: a
    // repositoryMap URL holding a password is refused, and the refusal
    // never repeats the password.
    let (server, _digest) = server_requiring_alice();
    let url = server.url.replace("http://", "http://alice:s3cret@");
    let error = conary_core::config::Config::default()
        .apply_line(&format!("repositoryMap localhost {url}"), "test")
        .expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("user localhost"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}
