//! Bad input through the real binaries: one clear line on standard error
//! and a non-zero exit status.

use conary_test::{ADMIN_PASSWORD, ADMIN_USER, ConaryRc, TestRepository, corpus};

use crate::cli::{CONARY, CVC, REPOS, fails, ok};

const HOST: &str = "conary.example.com";
const LABEL: &str = "conary.example.com@deb:12";

#[test]
fn bad_input_is_one_clear_line() {
    let repository = TestRepository::new(REPOS, HOST);
    let server = repository.serve();
    let home = repository.scratch();
    let rc = ConaryRc::new()
        .repository_map(HOST, &server.url())
        .user(HOST, ADMIN_USER, ADMIN_PASSWORD)
        .install_label(LABEL)
        .write_in(home)
        .display()
        .to_string();
    let tzdata = corpus::oldest()
        .into_iter()
        .find(|candidate| candidate.package == "tzdata")
        .expect("tzdata in the corpus");
    let deb = tzdata.path.display().to_string();
    ok(
        CVC,
        &["import-deb", "--label", LABEL, "--config-file", &rc, &deb],
        home,
    );
    let out = home.join("out.ccs").display().to_string();

    // An unknown trove.
    let line = fails(CONARY, &["rq", "bash", "--config-file", &rc], home);
    assert_eq!(
        line,
        format!("conary: error: bash was not found on {LABEL}")
    );
    let line = fails(
        CONARY,
        &["changeset", "bash", &out, "--config-file", &rc],
        home,
    );
    assert_eq!(
        line,
        format!("conary: error: bash was not found on {LABEL}")
    );

    // A bad spec.
    let line = fails(
        CONARY,
        &["changeset", "tzdata=", &out, "--config-file", &rc],
        home,
    );
    assert!(
        line.starts_with("conary: error: invalid change spec"),
        "{line}"
    );
    let line = fails(CONARY, &["rq", "tzdata[is: ", "--config-file", &rc], home);
    assert!(
        line.starts_with("conary: error: invalid trove spec"),
        "{line}"
    );
    let line = fails(
        CVC,
        &[
            "import-deb",
            "--label",
            "no-label",
            &deb,
            "--config-file",
            &rc,
        ],
        home,
    );
    assert!(
        line.starts_with("cvc: error: invalid --label 'no-label'"),
        "{line}"
    );
    assert!(!std::path::Path::new(&out).exists());

    // A corrupt changeset, and a missing one.
    let corrupt = home.join("corrupt.ccs");
    std::fs::write(&corrupt, b"CNYC\x00\x01not a changeset").expect("write");
    let line = fails(CONARY, &["showcs", corrupt.to_str().expect("UTF-8")], home);
    assert!(line.contains("is not a valid changeset"), "{line}");
    let line = fails(CONARY, &["showcs", "/nonexistent/x.ccs"], home);
    assert!(line.contains("cannot open /nonexistent/x.ccs"), "{line}");

    // An unreachable server (nothing listens on port 1).
    let unreachable = ConaryRc::new()
        .repository_map(HOST, "http://127.0.0.1:1/")
        .install_label(LABEL)
        .line("user conary.example.com admin x")
        .write_in(&home.join("unreachable").tap_mkdir())
        .display()
        .to_string();
    let line = fails(CONARY, &["rq", "--config-file", &unreachable], home);
    assert!(line.contains("127.0.0.1:1"), "{line}");

    // A usage error.
    let line = fails(CONARY, &["rq", "--no-such-flag"], home);
    assert!(line.starts_with("conary: error: "), "{line}");
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).expect("mkdir");
        self
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    let home = tempfile::tempdir().expect("temp dir");
    for (bin, command) in [
        (CONARY, "rq"),
        (CONARY, "repquery"),
        (CONARY, "changeset"),
        (CONARY, "showcs"),
        (CONARY, "commit"),
        (CVC, "import-deb"),
    ] {
        let help = ok(bin, &[command, "--help"], home.path());
        assert!(help.contains("Example"), "{command} --help:\n{help}");
    }
}
