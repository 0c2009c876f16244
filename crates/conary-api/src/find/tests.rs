//! Table-driven cases of the finder over an in-memory trove source.

use std::collections::BTreeMap;
use std::io::Write;

use conary_core::deps::{Dependency, DependencySet};
use conary_core::digest::Digest;
use conary_core::trove::Trove;

use super::*;
use crate::Job;

const A: &str = "a.example.com@rpl:2";
const B: &str = "b.example.com@rpl:2";

/// Troves with commit timestamps, answering queries as a repository does:
/// latest per name, branch and flavor unless every version is asked for.
struct Memory(Vec<TroveTuple>);

impl Memory {
    /// `entries` are `name=/label/revision[flavor]`, committed in order.
    fn new(entries: &[&str]) -> Memory {
        Memory(
            entries
                .iter()
                .enumerate()
                .map(|(index, text)| {
                    let tuple: TroveTuple = text.parse().expect("test tuple");
                    let stamp = format!("{}.000:", 1_700_000_000 + index);
                    let frozen = tuple.version.to_string();
                    let (branch, revision) = frozen.rsplit_once('/').expect("a revision");
                    let version =
                        Version::thaw(&format!("{branch}/{stamp}{revision}")).expect("frozen");
                    TroveTuple::new(tuple.name, version, tuple.flavor)
                })
                .collect(),
        )
    }
}

impl TroveSource for Memory {
    fn trove_versions(&self, query: &TroveQuery) -> Result<Vec<TroveTuple>, SourceError> {
        let mut found: Vec<TroveTuple> = self
            .0
            .iter()
            .filter(|tuple| match &query.location {
                Location::Label(label) => tuple.version.trailing_label() == label,
                Location::Branch(branch) => tuple.version.branch() == branch,
            })
            .filter(|tuple| {
                query
                    .names
                    .as_ref()
                    .is_none_or(|names| names.contains(&tuple.name))
            })
            .cloned()
            .collect();
        if !query.all_versions {
            let mut latest: BTreeMap<(TroveName, String, Flavor), TroveTuple> = BTreeMap::new();
            for tuple in found {
                let key = (
                    tuple.name.clone(),
                    tuple.version.branch().to_string(),
                    tuple.flavor.clone(),
                );
                let newer = latest
                    .get(&key)
                    .is_none_or(|old| tuple.version.timestamp() > old.version.timestamp());
                if newer {
                    latest.insert(key, tuple);
                }
            }
            found = latest.into_values().collect();
        }
        Ok(found)
    }

    fn troves(&self, _: &[TroveTuple]) -> Result<Vec<Trove>, SourceError> {
        Ok(Vec::new())
    }

    fn changeset(&self, _: &[Job], _: bool, _: &mut dyn Write) -> Result<u64, SourceError> {
        Ok(0)
    }

    fn contents(&self, _: &Digest, _: &mut dyn Write) -> Result<u64, SourceError> {
        Ok(0)
    }

    fn dep_suggestions(
        &self,
        _: &[Label],
        _: &DependencySet,
    ) -> Result<BTreeMap<Dependency, Vec<TroveTuple>>, SourceError> {
        Ok(BTreeMap::new())
    }
}

fn labels(path: &[&str]) -> Vec<Label> {
    path.iter().map(|l| l.parse().expect("label")).collect()
}

fn flavors(path: &[&str]) -> Vec<Flavor> {
    path.iter().map(|f| f.parse().expect("flavor")).collect()
}

/// Shows tuples without timestamps: `name=/label/revision[flavor]`.
fn shown(tuples: &[TroveTuple]) -> Vec<String> {
    tuples.iter().map(ToString::to_string).collect()
}

const REPOSITORY: &[&str] = &[
    "sudo=/a.example.com@rpl:2/2.0-1-1[is: x86_64]",
    "sudo=/a.example.com@rpl:2/1.5-1-1[is: x86_64]",
    "sudo:runtime=/a.example.com@rpl:2/1.5-1-1[is: x86_64]",
    "sudo=/b.example.com@rpl:2/3.0-1-1[is: x86_64]",
    "curl=/b.example.com@rpl:2/7.0-1-1[is: x86_64]",
    "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86]",
    "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]",
    "tzdata=/a.example.com@rpl:2/2025b-1-1[]",
];

/// (label path, flavor path, spec, all versions, expected).
type FindCase = (
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    bool,
    &'static [&'static str],
);

#[test]
fn find_cases() {
    let source = Memory::new(REPOSITORY);
    let cases: &[FindCase] = &[
        // Latest by commit time, not by upstream version.
        (
            &[A],
            &[],
            "sudo",
            false,
            &["sudo=/a.example.com@rpl:2/1.5-1-1[is: x86_64]"],
        ),
        // The first label of the path that has it wins.
        (
            &[B, A],
            &[],
            "sudo",
            false,
            &["sudo=/b.example.com@rpl:2/3.0-1-1[is: x86_64]"],
        ),
        (
            &[A, B],
            &[],
            "curl",
            false,
            &["curl=/b.example.com@rpl:2/7.0-1-1[is: x86_64]"],
        ),
        // A label in the spec, whole or in part.
        (
            &[A],
            &[],
            "sudo=b.example.com@rpl:2",
            false,
            &["sudo=/b.example.com@rpl:2/3.0-1-1[is: x86_64]"],
        ),
        (
            &[A],
            &[],
            "sudo=b.example.com@",
            false,
            &["sudo=/b.example.com@rpl:2/3.0-1-1[is: x86_64]"],
        ),
        // A revision older than the latest.
        (
            &[A],
            &[],
            "sudo=2.0",
            false,
            &["sudo=/a.example.com@rpl:2/2.0-1-1[is: x86_64]"],
        ),
        (
            &[A],
            &[],
            "sudo=2.0-1-1",
            false,
            &["sudo=/a.example.com@rpl:2/2.0-1-1[is: x86_64]"],
        ),
        (
            &[B],
            &[],
            "sudo=a.example.com@rpl:2/2.0",
            false,
            &["sudo=/a.example.com@rpl:2/2.0-1-1[is: x86_64]"],
        ),
        // A full version, and a branch.
        (
            &[],
            &[],
            "sudo=/a.example.com@rpl:2/2.0-1-1",
            false,
            &["sudo=/a.example.com@rpl:2/2.0-1-1[is: x86_64]"],
        ),
        (
            &[],
            &[],
            "sudo=/a.example.com@rpl:2",
            false,
            &["sudo=/a.example.com@rpl:2/1.5-1-1[is: x86_64]"],
        ),
        // Every version, oldest first.
        (
            &[A],
            &[],
            "sudo",
            true,
            &[
                "sudo=/a.example.com@rpl:2/2.0-1-1[is: x86_64]",
                "sudo=/a.example.com@rpl:2/1.5-1-1[is: x86_64]",
            ],
        ),
        // A component by name.
        (
            &[A],
            &[],
            "sudo:runtime",
            false,
            &["sudo:runtime=/a.example.com@rpl:2/1.5-1-1[is: x86_64]"],
        ),
        // No flavor path: every flavor of the latest version.
        (
            &[A],
            &[],
            "zlib",
            false,
            &[
                "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86]",
                "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]",
            ],
        ),
        // A flavor path: the best flavor, preferences of a multi-arch machine.
        (
            &[A],
            &["is: x86_64"],
            "zlib",
            false,
            &["zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]"],
        ),
        (
            &[A],
            &["is: x86 x86_64"],
            "zlib",
            false,
            &["zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]"],
        ),
        (
            &[A],
            &["is: x86"],
            "zlib",
            false,
            &["zlib=/a.example.com@rpl:2/1.3-1-1[is: x86]"],
        ),
        // A flavor in the spec replaces the path.
        (
            &[A],
            &["is: x86_64"],
            "zlib[is: x86]",
            false,
            &["zlib=/a.example.com@rpl:2/1.3-1-1[is: x86]"],
        ),
        // An empty flavor fits every flavor path.
        (
            &[A],
            &["is: x86_64"],
            "tzdata",
            false,
            &["tzdata=/a.example.com@rpl:2/2025b-1-1[]"],
        ),
    ];
    for (label_path, flavor_path, spec, all_versions, expected) in cases {
        let finder = Finder::new(
            &source,
            labels(label_path),
            flavors(flavor_path),
            Default::default(),
        );
        let options = FindOptions {
            all_versions: *all_versions,
            ..FindOptions::default()
        };
        let found = finder
            .find(&spec.parse().expect("spec"), options)
            .unwrap_or_else(|error| panic!("{spec}: {error}"));
        assert_eq!(
            shown(&found),
            *expected,
            "{spec} on {label_path:?} {flavor_path:?}"
        );
    }
}

#[test]
fn failures_name_the_spec_and_the_labels() {
    let source = Memory::new(REPOSITORY);
    let cases: &[(&[&str], &[&str], &str, &str)] = &[
        (
            &[A],
            &[],
            "bash",
            "bash was not found on a.example.com@rpl:2",
        ),
        (
            &[A, B],
            &[],
            "sudo=9.9",
            "sudo=9.9 was not found on a.example.com@rpl:2 b.example.com@rpl:2",
        ),
        (
            &[A],
            &["is: x86"],
            "sudo",
            "sudo was not found on a.example.com@rpl:2",
        ),
        (
            &[],
            &[],
            "sudo",
            "no label to search for sudo: set installLabelPath, pass --install-label, or give NAME=LABEL",
        ),
        (
            &[],
            &[],
            "sudo=:devel",
            "no label to search for sudo=:devel: set installLabelPath, pass --install-label, or give NAME=LABEL",
        ),
        (
            &[],
            &[],
            "sudo=/a.example.com@rpl:2/9-1-1",
            "sudo=/a.example.com@rpl:2/9-1-1 was not found on /a.example.com@rpl:2",
        ),
    ];
    for (label_path, flavor_path, spec, expected) in cases {
        let finder = Finder::new(
            &source,
            labels(label_path),
            flavors(flavor_path),
            Default::default(),
        );
        let error = finder
            .find(&spec.parse().expect("spec"), FindOptions::default())
            .expect_err(spec);
        assert_eq!(error.to_string(), *expected);
    }
}

#[test]
fn find_one_refuses_several_flavors() {
    let source = Memory::new(REPOSITORY);
    let finder = Finder::new(&source, labels(&[A]), Vec::new(), Default::default());
    let error = finder
        .find_one(&"zlib".parse().expect("spec"))
        .expect_err("two flavors");
    assert_eq!(
        error.to_string(),
        "zlib matches several flavors ([is: x86], [is: x86_64]): give one as NAME=VERSION[FLAVOR]"
    );
    let one = finder
        .find_one(&"zlib[is: x86_64]".parse().expect("spec"))
        .expect("one flavor");
    assert_eq!(
        one.to_string(),
        "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]"
    );
}

#[test]
fn list_all_takes_each_name_from_the_first_label_and_hides_components() {
    let source = Memory::new(REPOSITORY);
    let finder = Finder::new(
        &source,
        labels(&[A, B]),
        flavors(&["is: x86_64"]),
        Default::default(),
    );
    let listed = finder.list_all(FindOptions::default()).expect("listed");
    assert_eq!(
        shown(&listed),
        [
            "curl=/b.example.com@rpl:2/7.0-1-1[is: x86_64]",
            "sudo=/a.example.com@rpl:2/1.5-1-1[is: x86_64]",
            "tzdata=/a.example.com@rpl:2/2025b-1-1[]",
            "zlib=/a.example.com@rpl:2/1.3-1-1[is: x86_64]",
        ]
    );
    let options = FindOptions {
        all_versions: true,
        components: true,
        ..FindOptions::default()
    };
    let listed = finder.list_all(options).expect("listed");
    assert_eq!(listed.len(), 6, "{:?}", shown(&listed));
    assert!(
        shown(&listed)
            .contains(&"sudo:runtime=/a.example.com@rpl:2/1.5-1-1[is: x86_64]".to_owned())
    );
}
