use super::*;

fn parse(text: &str) -> Result<TagDescription, TagError> {
    TagDescription::parse("t", "/etc/conary/tags/t", text)
}

#[test]
fn parses_every_key() {
    let description = parse(
        "# comment\n\
         file /usr/libexec/conary/tags/t\n\
         description A test tag\n\
         datasource multitag\n\
         implements files update\n\
         implements files preupdate\n\
         implements files remove\n\
         implements files preremove\n\
         implements handler update\n\
         implements handler preremove\n\
         implements description update\n\
         exclude ^/usr/lib/debug/\n\
         include \\.so(\\..*)?\n",
    )
    .expect("valid");
    assert_eq!(
        description.handler.as_deref(),
        Some("/usr/libexec/conary/tags/t")
    );
    assert_eq!(description.description.as_deref(), Some("A test tag"));
    assert_eq!(description.datasource, DataSource::Multitag);
    assert_eq!(description.implements.len(), 6);
    assert!(description.matches("/usr/lib/libfoo.so.1"));
    assert!(!description.matches("/usr/lib/debug/libfoo.so.1"));
    assert!(!description.matches("/usr/bin/foo"));
    assert!(
        !description.matches("/usr/lib/libfoo.sox"),
        "anchored at the end"
    );
}

#[test]
fn filters_are_anchored_like_the_originals() {
    let description = parse("include /usr/share/info/\ninclude /etc/foo\n").expect("valid");
    assert!(description.matches("/usr/share/info/dir"));
    assert!(
        !description.matches("/opt/usr/share/info/dir"),
        "anchored at the start"
    );
    assert!(description.matches("/etc/foo"));
    assert!(!description.matches("/etc/foobar"), "anchored at the end");
}

#[test]
fn defaults() {
    let description = parse("").expect("empty is valid");
    assert_eq!(description.datasource, DataSource::Args);
    assert!(description.handler.is_none() && description.implements.is_empty());
    assert!(!description.matches("/anything"));
}

#[test]
fn errors_name_file_and_line() {
    let cases = [
        (
            "datasource pipe\n",
            "/etc/conary/tags/t:1: unknown datasource 'pipe' (expected args, stdin or multitag)",
        ),
        (
            "\nimplements files frob\n",
            "/etc/conary/tags/t:2: unknown implements 'files frob'",
        ),
        (
            "implements files\n",
            "/etc/conary/tags/t:1: unknown implements 'files'",
        ),
        ("file\n", "/etc/conary/tags/t:1: 'file' needs a value"),
        (
            "file relative/handler\n",
            "/etc/conary/tags/t:1: handler 'relative/handler' is not an absolute path",
        ),
        (
            "# c\n\nfrobnicate yes\n",
            "/etc/conary/tags/t:3: unknown key 'frobnicate'",
        ),
        (
            "name bad name!\n",
            "/etc/conary/tags/t:0: invalid tag name 'bad name!' (letters, digits, '-' and '_')",
        ),
    ];
    for (text, expected) in cases {
        let error = parse(text).expect_err(text);
        assert_eq!(error.to_string(), expected, "{text:?}");
    }
    let error = parse("include (\n").expect_err("bad regex");
    assert!(
        error
            .to_string()
            .starts_with("/etc/conary/tags/t:1: invalid regular expression")
    );
}

#[test]
fn phases_run_in_the_original_order() {
    let words: Vec<String> = Phase::ORDER.iter().map(ToString::to_string).collect();
    assert_eq!(
        words,
        [
            "handler preremove",
            "files preupdate",
            "files preremove",
            "handler update",
            "files update",
            "files remove"
        ]
    );
    assert!(Phase::ORDER[..3].iter().all(|phase| phase.is_pre()));
    assert!(Phase::ORDER[3..].iter().all(|phase| !phase.is_pre()));
}

#[test]
fn commands_coalesce_per_handler_and_phase() {
    let mut a = parse("file /h/a\nimplements files update\n").expect("a");
    a.tag = "a".into();
    let mut b = parse("file /h/a\ndatasource multitag\nimplements files update\n").expect("b");
    b.tag = "b".into();
    let mut c = parse("file /h/c\ndatasource stdin\nimplements files remove\n").expect("c");
    c.tag = "c".into();
    let mut commands = TagCommands::default();
    commands.add(
        &c,
        Phase::FilesRemove,
        &["/x/2".to_owned(), "/x/1".to_owned()],
    );
    commands.add(&a, Phase::FilesUpdate, &["/y/2".to_owned()]);
    commands.add(&a, Phase::FilesUpdate, &["/y/1".to_owned()]);
    let mut notes = Vec::new();
    let calls = commands.invocations(&mut notes);
    assert!(notes.is_empty());
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].0, Phase::FilesUpdate);
    assert_eq!(calls[0].1.args, ["files", "update", "/y/1", "/y/2"]);
    assert_eq!(calls[1].1.args, ["files", "remove"]);
    assert_eq!(calls[1].1.stdin, b"/x/1\n/x/2\n");
    assert_eq!(
        commands::script_lines(Phase::FilesRemove, &calls[1].1),
        "/h/c files remove <<'EOF'\n/x/1\n/x/2\nEOF\n"
    );
    assert_eq!(
        commands::script_lines(Phase::FilesPreupdate, &calls[0].1),
        "# /h/a files update /y/1 /y/2\n",
        "pre-phase lines are commented out"
    );
    // A second tag on the same handler without multitag: refused.
    commands.add(&b, Phase::FilesUpdate, &["/y/1".to_owned()]);
    let mut notes = Vec::new();
    let calls = commands.invocations(&mut notes);
    assert_eq!(calls.len(), 1);
    assert_eq!(notes.len(), 1);
}

#[test]
fn multitag_gives_tags_then_path() {
    let mut a = parse("file /h/m\ndatasource multitag\nimplements files update\n").expect("a");
    a.tag = "a".into();
    let mut b = a.clone();
    b.tag = "b".into();
    let mut commands = TagCommands::default();
    commands.add(
        &a,
        Phase::FilesUpdate,
        &["/p/1".to_owned(), "/p/2".to_owned()],
    );
    commands.add(&b, Phase::FilesUpdate, &["/p/2".to_owned()]);
    let calls = commands.invocations(&mut Vec::new());
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].1.args, ["files", "update"]);
    assert_eq!(calls[0].1.stdin, b"a\n/p/1\na b\n/p/2\n");
}
