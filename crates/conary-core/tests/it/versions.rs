//! Tests for versions: labels, revisions, branches, versions, shadow and
//! branch arithmetic, abbreviations and version specs. Cases follow the
//! original's `conary_test/versionstest.py` and
//! `conary_test/repositorytest/findtrovetest.py`.

mod arithmetic;
mod display;
mod lineage;
mod parse;
mod props;
mod specs;

use conary_core::version::{Branch, Label, Revision, Version};

/// Parses a version that the test knows is valid.
fn version(text: &str) -> Version {
    text.parse()
        .unwrap_or_else(|e| panic!("test version {text:?} should parse: {e}"))
}

/// Parses a branch that the test knows is valid.
fn branch(text: &str) -> Branch {
    text.parse()
        .unwrap_or_else(|e| panic!("test branch {text:?} should parse: {e}"))
}

/// Parses a label that the test knows is valid.
fn label(text: &str) -> Label {
    text.parse()
        .unwrap_or_else(|e| panic!("test label {text:?} should parse: {e}"))
}

/// Parses a revision that the test knows is valid.
fn revision(text: &str) -> Revision {
    text.parse()
        .unwrap_or_else(|e| panic!("test revision {text:?} should parse: {e}"))
}

/// Asserts that `result` is an error whose message contains `fragment`.
fn assert_error<T: std::fmt::Debug>(
    input: &str,
    result: Result<T, conary_core::version::VersionError>,
    fragment: &str,
) {
    match result {
        Ok(value) => panic!("{input:?} should fail with {fragment:?}, got {value:?}"),
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.contains(fragment),
                "{input:?}: error {message:?} should contain {fragment:?}"
            );
        }
    }
}
