//! Trove scripts around install, update, erase and rollback: a failing
//! pre-script changes nothing, post-scripts see the `CONARY_*` variables,
//! `--no-scripts` and `--tag-script`.

use std::fs;
use std::path::{Path, PathBuf};

use conary_core::troveinfo::{ScriptSlot, TroveScript};
use conary_system::apply::{ApplyOptions, NoProgress};
use conary_system::db::Database;
use conary_system::rollback::{self, RollbackTarget};

use crate::fixtures::snapshot;
use crate::tags::{Made, file, install, make, options, remove, update};

/// A script appending `SLOT` and its sorted `CONARY_*` variables to
/// `$CONARY_ROOT/scripts.log`.
fn recorder(slot: &str) -> TroveScript {
    TroveScript::new(&format!(
        "#!/bin/sh\n{{ echo {slot}; env | grep ^CONARY_ | grep -v ^CONARY_ROOT= | sort; }} >> \"$CONARY_ROOT/scripts.log\"\n"
    ))
}

fn with_scripts(mut made: Made, slots: &[ScriptSlot]) -> Made {
    for slot in slots {
        made.trove
            .info
            .scripts
            .set(*slot, recorder(&slot.to_string()));
    }
    made
}

fn log(root: &Path) -> Vec<String> {
    let path = root.join("scripts.log");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let _ = fs::remove_file(path);
    text.lines().map(str::to_owned).collect()
}

const V1: &str = "/tags.example.com@test:1/1-1-1";
const V2: &str = "/tags.example.com@test:1/2-1-1";

fn foo(revision: &str, data: &[u8]) -> Made {
    with_scripts(
        make("foo", revision, &[file("/usr/share/foo", data, &[])]),
        &ScriptSlot::ALL,
    )
}

#[test]
fn scripts_see_the_job_in_their_environment() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let v1 = foo("1-1-1", b"1");
    install(&mut db, &v1, &options()).expect("install");
    let new_v1 = [
        "CONARY_NEW_FLAVOR=".to_owned(),
        "CONARY_NEW_NAME=foo".to_owned(),
        format!("CONARY_NEW_VERSION={V1}"),
    ];
    let mut expected = vec!["preInstall".to_owned()];
    expected.extend(new_v1.clone());
    expected.push("postInstall".to_owned());
    expected.extend(new_v1.clone());
    assert_eq!(log(root.path()), expected);

    let v2 = foo("2-1-1", b"2");
    let local = ApplyOptions {
        local_rollbacks: true,
        ..options()
    };
    update(&mut db, &v1, &v2, &local).expect("update");
    let update_env = [
        "CONARY_NEW_FLAVOR=".to_owned(),
        "CONARY_NEW_NAME=foo".to_owned(),
        format!("CONARY_NEW_VERSION={V2}"),
        "CONARY_OLD_FLAVOR=".to_owned(),
        format!("CONARY_OLD_VERSION={V1}"),
    ];
    let mut expected = vec!["preUpdate".to_owned()];
    expected.extend(update_env.clone());
    expected.push("postUpdate".to_owned());
    expected.extend(update_env.clone());
    assert_eq!(log(root.path()), expected);

    // Rolling the update back runs v2's rollback scripts: v2 goes, v1
    // comes back.
    rollback::rollback(
        &mut db,
        RollbackTarget::Count(1),
        None,
        &options(),
        &NoProgress,
    )
    .expect("rollback");
    let rollback_env = [
        "CONARY_NEW_FLAVOR=".to_owned(),
        "CONARY_NEW_NAME=foo".to_owned(),
        format!("CONARY_NEW_VERSION={V1}"),
        "CONARY_OLD_FLAVOR=".to_owned(),
        format!("CONARY_OLD_VERSION={V2}"),
    ];
    let mut expected = vec!["preRollback".to_owned()];
    expected.extend(rollback_env.clone());
    expected.push("postRollback".to_owned());
    expected.extend(rollback_env.clone());
    assert_eq!(log(root.path()), expected);

    remove(&mut db, &v1.trove.tuple(), &options());
    let erase_env = [
        "CONARY_NEW_NAME=foo".to_owned(),
        "CONARY_OLD_FLAVOR=".to_owned(),
        format!("CONARY_OLD_VERSION={V1}"),
    ];
    let mut expected = vec!["preErase".to_owned()];
    expected.extend(erase_env.clone());
    expected.push("postErase".to_owned());
    expected.extend(erase_env.clone());
    assert_eq!(log(root.path()), expected);
}

#[test]
fn a_failing_pre_install_script_changes_nothing() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let base = foo("1-1-1", b"1");
    install(&mut db, &base, &options()).expect("install");
    let _ = log(root.path());
    let before = snapshot(root.path());
    let rollbacks = rollback::list(&db).expect("list").len();

    let mut bar = make("bar", "1-1-1", &[file("/usr/share/bar", b"bar", &[])]);
    bar.trove.info.scripts.set(
        ScriptSlot::PreInstall,
        TroveScript::new("#!/bin/sh\necho no >&2\nexit 7\n"),
    );
    let error = install(&mut db, &bar, &options()).expect_err("refused");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot apply the changeset: preInstall script of trove bar={V1}[] failed: "
        )) && message.ends_with("(exit status: 7)"),
        "{message}"
    );
    assert_eq!(snapshot(root.path()), before);
    assert_eq!(db.installed().expect("installed"), [base.trove.tuple()]);
    assert_eq!(rollback::list(&db).expect("list").len(), rollbacks);

    // A failing post-script is only a warning.
    let mut baz = make("baz", "1-1-1", &[file("/usr/share/baz", b"baz", &[])]);
    baz.trove
        .info
        .scripts
        .set(ScriptSlot::PostInstall, TroveScript::new("exit 1"));
    let report = install(&mut db, &baz, &options()).expect("installed");
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.message.starts_with("postInstall script of trove baz=")),
        "{:?}",
        report.notes
    );
    assert!(root.path().join("usr/share/baz").exists());
}

#[test]
fn no_scripts_skips_them_and_tag_script_writes_them() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let mut failing = make("bar", "1-1-1", &[file("/usr/share/bar", b"bar", &[])]);
    failing
        .trove
        .info
        .scripts
        .set(ScriptSlot::PreInstall, TroveScript::new("exit 7"));
    let skip = ApplyOptions {
        no_scripts: true,
        ..options()
    };
    install(&mut db, &failing, &skip).expect("scripts skipped");

    let script = tempfile::NamedTempFile::new().expect("script");
    let written = ApplyOptions {
        tag_script: Some(PathBuf::from(script.path())),
        ..options()
    };
    let v1 = foo("1-1-1", b"1");
    install(&mut db, &v1, &written).expect("install");
    assert!(log(root.path()).is_empty(), "nothing ran");
    let text = fs::read_to_string(script.path()).expect("script");
    assert!(
        text.starts_with(&format!(
            "# preInstall script of foo={V1}[]\n\
             CONARY_NEW_FLAVOR='' CONARY_NEW_NAME=foo CONARY_NEW_VERSION={V1} PATH=/usr/bin:/usr/sbin:/bin:/sbin /bin/sh <<'CONARY_SCRIPT_EOF'\n\
             #!/bin/sh\n"
        )),
        "{text}"
    );
    assert!(text.contains("# postInstall script of foo="), "{text}");
}

#[test]
fn a_compatibility_class_change_without_conversion_invalidates_rollbacks() {
    let root = tempfile::tempdir().expect("root");
    let mut db = Database::open(root.path()).expect("db");
    let class = |revision: &str, class: u16, conversion: Option<(u16, u16)>| {
        let mut made = make(
            "foo",
            revision,
            &[file("/usr/share/foo", revision.as_bytes(), &[])],
        );
        made.trove.info.compatibility_class = Some(class);
        if let Some(conversion) = conversion {
            let mut script = TroveScript::new("true");
            script.conversions.insert(conversion);
            made.trove
                .info
                .scripts
                .set(ScriptSlot::PostRollback, script);
        }
        made
    };
    let v1 = class("1-1-1", 1, None);
    let v2 = class("2-1-1", 2, Some((2, 1)));
    let v3 = class("3-1-1", 3, None);
    install(&mut db, &v1, &options()).expect("install");
    let report = update(&mut db, &v1, &v2, &options()).expect("1 -> 2 with a conversion");
    assert!(
        report
            .notes
            .iter()
            .all(|note| !note.message.contains("invalidated")),
        "{:?}",
        report.notes
    );
    assert_eq!(rollback::list(&db).expect("list").len(), 2);
    let report = update(&mut db, &v2, &v3, &options()).expect("2 -> 3 without");
    assert!(
        report.notes.iter().any(|note| note.message
            == "rollback stack invalidated: foo=/tags.example.com@test:1/3-1-1[] changes compatibility class 2 -> 3 without a postRollback conversion"),
        "{:?}",
        report.notes
    );
    assert!(rollback::list(&db).expect("list").is_empty());
}
