//! Cooking group recipes (`conary_build::group`) against a local
//! repository: binding, references, removes, nested groups, replaces,
//! conflicts and dependency closure.

use std::collections::BTreeMap;

use conary_api::TroveSource;
use conary_build::group::{CookedGroups, GroupContext, GroupError, cook_group};
use conary_build::recipe::model::{GroupOp, Located, Location, Recipe, RecipeKind};
use conary_changeset::{ChangeSetBuilder, MemContents, NoContents};
use conary_core::deps::Dependency;
use conary_core::digest::{Digest, FileId, PathId};
use conary_core::files::{FileKind, FileStream, Mode};
use conary_core::flavor::Flavor;
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::{TroveInfo, path_hash};
use conary_core::version::{Label, Version};
use conary_repository::{Credentials, Identity, LocalSource, Repository};

const LABEL: &str = "conary.example.com@rpl:devel";
const OTHER_LABEL: &str = "conary.example.com@rpl:extra";
const FLAVOR: &str = "is: x86_64";

/// A component to commit: suffix, by default in its package, provides,
/// requires, contents of its one file.
struct Comp {
    suffix: &'static str,
    by_default: bool,
    provides: &'static [&'static str],
    requires: &'static [&'static str],
    contents: &'static str,
    /// The file's path; empty: `/usr/share/NAME:SUFFIX`.
    path: &'static str,
}

fn comp(suffix: &'static str, contents: &'static str) -> Comp {
    Comp {
        suffix,
        by_default: true,
        provides: &[],
        requires: &[],
        contents,
        path: "",
    }
}

/// A repository in a temporary directory with an admin committer.
struct Repo {
    _dir: tempfile::TempDir,
    repository: Repository,
    identity: Identity,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repository =
            Repository::init(dir.path().join("repo"), "conary.example.com").expect("init");
        repository.add_user("root", "pw", true).expect("user");
        let identity = repository
            .authenticate(&Credentials::Basic {
                user: "root".into(),
                password: "pw".into(),
            })
            .expect("authenticate");
        Repo {
            _dir: dir,
            repository,
            identity,
        }
    }

    fn source(&self) -> LocalSource<'_> {
        LocalSource::new(&self.repository, self.identity.clone())
    }

    /// Commits `troves` (with the streams and contents of their files).
    fn commit(
        &self,
        troves: Vec<Trove>,
        streams: &BTreeMap<FileId, FileStream>,
        contents: &MemContents,
    ) {
        let mut builder = ChangeSetBuilder::new();
        for trove in troves {
            builder.add_primary(trove.tuple());
            builder.add_absolute(trove, streams).expect("absolute");
        }
        let changeset = builder.build(&NoContents, contents).expect("build");
        self.repository
            .commit_changeset(&changeset, contents, &self.identity)
            .expect("commit");
    }

    /// Commits package `name` at `version` (`LABEL`-relative revision
    /// unless it starts with `/`) and `flavor` with `comps`; returns the
    /// package's tuple.
    fn package(&self, name: &str, version: &str, flavor: &str, comps: &[Comp]) -> TroveTuple {
        let version = full_version(version);
        let flavor: Flavor = flavor.parse().expect("flavor");
        let package_name: TroveName = name.parse().expect("name");
        let mut package = Trove::new(package_name.clone(), version.clone(), flavor.clone());
        package
            .info
            .flags
            .set(conary_core::troveinfo::TroveFlags::COLLECTION, true);
        let mut troves = Vec::new();
        let mut streams = BTreeMap::new();
        let mut contents = MemContents::new();
        for comp in comps {
            let comp_name = package_name.with_component(comp.suffix).expect("name");
            let mut trove = Trove::new(comp_name.clone(), version.clone(), flavor.clone());
            let path = if comp.path.is_empty() {
                format!("/usr/share/{comp_name}")
            } else {
                comp.path.to_owned()
            };
            trove.info.path_hashes.insert(path_hash(&path));
            let stream = regular(comp.contents.as_bytes());
            trove.add_file(
                PathId::derive(path.as_bytes()),
                &path,
                stream.file_id(),
                version.clone(),
            );
            trove.info.size = Some(comp.contents.len() as u64);
            trove.provides.insert(Dependency::trove(&comp_name));
            for dep in comp.provides {
                trove.provides.insert(dep.parse().expect("dependency"));
            }
            for dep in comp.requires {
                trove.requires.insert(dep.parse().expect("dependency"));
            }
            contents.insert(comp.contents.as_bytes().to_vec());
            streams.insert(stream.file_id(), stream);
            package.add_strong_ref(trove.tuple(), comp.by_default);
            troves.push(trove);
        }
        let tuple = package.tuple();
        troves.insert(0, package);
        self.commit(troves, &streams, &contents);
        tuple
    }

    /// Commits a group `name` at `version` including `members` strongly
    /// (by default) and their components weakly.
    fn group(&self, name: &str, version: &str, members: &[TroveTuple]) -> TroveTuple {
        self.group_with(name, version, members, &[])
    }

    /// As [`Repo::group`], with the weak references named in
    /// `not_by_default` not by default.
    fn group_with(
        &self,
        name: &str,
        version: &str,
        members: &[TroveTuple],
        not_by_default: &[&str],
    ) -> TroveTuple {
        let source = self.source();
        let mut group = Trove::new(
            name.parse().expect("name"),
            full_version(version),
            Flavor::default(),
        );
        group
            .info
            .flags
            .set(conary_core::troveinfo::TroveFlags::COLLECTION, true);
        for member in members {
            group.add_strong_ref(member.clone(), true);
            let manifest = source
                .troves(std::slice::from_ref(member))
                .expect("manifest")
                .pop()
                .expect("one manifest");
            for (child, by_default) in manifest.iter_strong_refs() {
                let off = not_by_default.contains(&child.name.as_str());
                group.add_weak_ref(child.clone(), by_default && !off);
            }
        }
        let tuple = group.tuple();
        self.commit(vec![group], &BTreeMap::new(), &MemContents::new());
        tuple
    }
}

fn full_version(text: &str) -> Version {
    if text.starts_with('/') {
        text.parse().expect("version")
    } else {
        format!("/{LABEL}/{text}").parse().expect("version")
    }
}

fn regular(contents: &[u8]) -> FileStream {
    let kind = FileKind::Regular {
        size: contents.len() as u64,
        digest: Digest::of(contents),
        link_group: None,
    };
    FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root")
}

fn tuple(name: &str, version: &str, flavor: &str) -> TroveTuple {
    TroveTuple::new(
        name.parse().expect("name"),
        full_version(version),
        flavor.parse().expect("flavor"),
    )
}

/// A group recipe `group-foo` whose operations stand on lines 1, 2, ...
fn recipe(ops: Vec<GroupOp>) -> Recipe {
    let group_ops = ops
        .into_iter()
        .enumerate()
        .map(|(index, item)| Located {
            at: Location {
                file: "group-foo.recipe".into(),
                line: u32::try_from(index).expect("few ops") + 1,
                column: 5,
            },
            item,
        })
        .collect();
    Recipe {
        file: "group-foo.recipe".into(),
        name: "group-foo".into(),
        version: "1.0".into(),
        kind: RecipeKind::Group,
        build_requires: Vec::new(),
        factory: None,
        use_flags: BTreeMap::new(),
        reads_arch: false,
        macros: BTreeMap::new(),
        actions: Vec::new(),
        policy: Vec::new(),
        group_ops,
    }
}

fn add(spec: &str) -> GroupOp {
    GroupOp::Add {
        spec: spec.into(),
        group: None,
        by_default: true,
    }
}

fn add_to(spec: &str, group: &str) -> GroupOp {
    GroupOp::Add {
        spec: spec.into(),
        group: Some(group.into()),
        by_default: true,
    }
}

fn info() -> TroveInfo {
    TroveInfo {
        source_name: Some("group-foo:source".parse().expect("name")),
        build_time: Some(1_700_000_000),
        ..TroveInfo::default()
    }
}

fn cook_with(
    repo: &Repo,
    ops: Vec<GroupOp>,
    flavor: &str,
    auto_resolve: bool,
) -> Result<CookedGroups, GroupError> {
    let source = repo.source();
    let ctx = GroupContext {
        source: &source,
        label_path: vec![LABEL.parse::<Label>().expect("label")],
        flavor: flavor.parse().expect("flavor"),
        version: full_version("1.0-1-1"),
        info: info(),
        auto_resolve,
    };
    cook_group(&recipe(ops), &ctx)
}

fn cook(repo: &Repo, ops: Vec<GroupOp>) -> Result<CookedGroups, GroupError> {
    cook_with(repo, ops, FLAVOR, false)
}

/// References as `name=revision[flavor] by_default` lines, strong or weak.
fn refs(trove: &Trove, strong: bool) -> Vec<String> {
    let refs = if strong {
        &trove.strong_refs
    } else {
        &trove.weak_refs
    };
    refs.iter()
        .map(|(tuple, reference)| {
            format!(
                "{}={}[{}] {}",
                tuple.name,
                tuple.version.trailing_revision(),
                tuple.flavor,
                reference.by_default
            )
        })
        .collect()
}

/// foo 1.0 and 1.1 (runtime, doc, debuginfo not by default), bar 1.0
/// (runtime), all `is: x86_64`.
fn two_packages(repo: &Repo) {
    let foo_comps = || {
        vec![
            comp("runtime", "foo runtime"),
            comp("doc", "foo doc"),
            Comp {
                by_default: false,
                ..comp("debuginfo", "foo debuginfo")
            },
        ]
    };
    repo.package("foo", "1.0-1-1", FLAVOR, &foo_comps());
    repo.package("foo", "1.1-1-1", FLAVOR, &foo_comps());
    repo.package("bar", "1.0-1-1", FLAVOR, &[comp("runtime", "bar")]);
}

#[test]
fn add_two_packages_binds_the_newest_with_exact_references() {
    let repo = Repo::new();
    two_packages(&repo);
    let cooked = cook(&repo, vec![add("foo"), add("bar")]).expect("cook");
    assert_eq!(cooked.groups.len(), 1);
    assert!(cooked.resolved.is_empty());
    let group = cooked.main().expect("main group");
    assert_eq!(group.name.as_str(), "group-foo");
    assert_eq!(group.version, full_version("1.0-1-1"));
    assert_eq!(group.flavor.to_string(), FLAVOR);
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.1-1-1[is: x86_64] true"
        ]
    );
    assert_eq!(
        refs(group, false),
        [
            "bar:runtime=1.0-1-1[is: x86_64] true",
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] true",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
    // The bound versions carry their commit timestamps.
    assert!(
        group
            .strong_refs
            .keys()
            .all(|t| t.version.timestamp().is_some())
    );
    assert!(group.info.flags.is_collection());
    assert!(
        group
            .provides
            .contains(&Dependency::trove(&"group-foo".parse().expect("name")))
    );
    assert_eq!(group.provides.len(), 1);
    assert!(group.requires.is_empty());
    // By-default components only: "bar" + "foo runtime" + "foo doc".
    assert_eq!(group.info.size, Some(3 + 11 + 7));
    assert_eq!(group.info.source_name, info().source_name);
    assert_eq!(group.info.build_time, Some(1_700_000_000));
    assert_eq!(group.info.search_path, [LABEL]);
}

#[test]
fn a_spec_with_a_version_binds_that_version() {
    let repo = Repo::new();
    two_packages(&repo);
    let cooked = cook(&repo, vec![add("foo=1.0"), add("bar=1.0-1-1")]).expect("cook");
    let group = cooked.main().expect("main group");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.0-1-1[is: x86_64] true"
        ]
    );
    assert!(
        refs(group, false).contains(&"foo:runtime=1.0-1-1[is: x86_64] true".to_owned()),
        "{:?}",
        refs(group, false)
    );
}

#[test]
fn newest_means_last_committed() {
    let repo = Repo::new();
    repo.package("foo", "2.0-1-1", FLAVOR, &[comp("runtime", "two")]);
    repo.package(
        "foo",
        "1.5-1-1",
        FLAVOR,
        &[comp("runtime", "one and a half")],
    );
    let cooked = cook(&repo, vec![add("foo")]).expect("cook");
    assert_eq!(
        refs(cooked.main().expect("main"), true),
        ["foo=1.5-1-1[is: x86_64] true"]
    );
}

#[test]
fn the_flavor_that_fits_the_cooked_flavor_is_bound() {
    let repo = Repo::new();
    repo.package("foo", "1.0-1-1", "is: x86", &[comp("runtime", "32")]);
    repo.package("foo", "1.0-1-1", "is: x86_64", &[comp("runtime", "64")]);
    let cooked = cook_with(&repo, vec![add("foo")], "is: x86_64", false).expect("cook");
    assert_eq!(
        refs(cooked.main().expect("main"), true),
        ["foo=1.0-1-1[is: x86_64] true"]
    );
    let cooked = cook_with(&repo, vec![add("foo")], "is: x86", false).expect("cook");
    assert_eq!(
        refs(cooked.main().expect("main"), true),
        ["foo=1.0-1-1[is: x86] true"]
    );
    // A flavor in the spec narrows the cooked one.
    let cooked = cook_with(&repo, vec![add("foo[is: x86]")], "is: x86_64", false).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(refs(group, true), ["foo=1.0-1-1[is: x86] true"]);
    assert_eq!(refs(group, false), ["foo:runtime=1.0-1-1[is: x86] true"]);
    assert_eq!(group.flavor.to_string(), "is: x86");
}

#[test]
fn removing_a_component_makes_it_not_by_default() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Remove {
            name: "foo:doc".into(),
            group: None,
        },
        GroupOp::Remove {
            name: "bar".into(),
            group: None,
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(refs(group, true), ["foo=1.1-1-1[is: x86_64] true"]);
    assert_eq!(
        refs(group, false),
        [
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] false",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
    assert_eq!(group.info.size, Some(11));
}

#[test]
fn removing_what_the_group_lacks_is_an_error() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        GroupOp::Remove {
            name: "bar:runtime".into(),
            group: None,
        },
    ];
    let error = cook(&repo, ops).expect_err("nothing to remove");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:2:5: cannot remove 'bar:runtime': group-foo does not include it"
    );
}

#[test]
fn a_nested_group_is_cooked_and_included() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        GroupOp::CreateGroup {
            name: "group-extra".into(),
            by_default: false,
        },
        add("foo"),
        add_to("bar", "group-extra"),
        GroupOp::Requires {
            name: "baz".into(),
            group: Some("group-extra".into()),
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let names: Vec<&str> = cooked.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["group-foo", "group-extra"]);
    let extra = cooked.group("group-extra").expect("nested");
    assert_eq!(extra.version, full_version("1.0-1-1"));
    assert_eq!(refs(extra, true), ["bar=1.0-1-1[is: x86_64] true"]);
    assert_eq!(refs(extra, false), ["bar:runtime=1.0-1-1[is: x86_64] true"]);
    assert!(extra.info.flags.is_collection());
    assert_eq!(extra.info.source_name, info().source_name);
    assert_eq!(
        extra
            .requires
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["trove: baz"]
    );
    let main = cooked.main().expect("main");
    assert_eq!(
        refs(main, true),
        [
            "foo=1.1-1-1[is: x86_64] true",
            "group-extra=1.0-1-1[is: x86_64] false"
        ]
    );
    // The nested group's contents come weakly, not by default with it.
    assert_eq!(
        refs(main, false),
        [
            "bar=1.0-1-1[is: x86_64] false",
            "bar:runtime=1.0-1-1[is: x86_64] false",
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] true",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
}

#[test]
fn groups_may_include_each_other_but_not_in_a_cycle() {
    let repo = Repo::new();
    two_packages(&repo);
    let create = |name: &str| GroupOp::CreateGroup {
        name: name.into(),
        by_default: true,
    };
    let link = |name: &str, group: &str| GroupOp::AddNewGroup {
        name: name.into(),
        group: Some(group.into()),
        by_default: true,
    };
    let ops = vec![
        create("group-a"),
        create("group-b"),
        add_to("bar", "group-b"),
        link("group-b", "group-a"),
    ];
    let cooked = cook(&repo, ops.clone()).expect("cook");
    let a = cooked.group("group-a").expect("group-a");
    assert_eq!(refs(a, true), ["group-b=1.0-1-1[is: x86_64] true"]);
    assert_eq!(
        refs(a, false),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "bar:runtime=1.0-1-1[is: x86_64] true"
        ]
    );
    let mut cyclic = ops;
    cyclic.push(link("group-a", "group-b"));
    let error = cook(&repo, cyclic).expect_err("cycle");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:5:5: groups include each other: group-a -> group-b -> group-a"
    );
    let error = cook(&repo, vec![add_to("bar", "group-none")]).expect_err("unknown group");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:1:5: group 'group-none' has not been created"
    );
}

#[test]
fn replace_swaps_a_reference() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Replace {
            name: "foo".into(),
            spec: "foo=1.0".into(),
            group: None,
        },
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.0-1-1[is: x86_64] true"
        ]
    );
    assert!(
        refs(group, false)
            .iter()
            .all(|line| !line.contains("1.1-1-1")),
        "{:?}",
        refs(group, false)
    );
    let error = cook(
        &repo,
        vec![GroupOp::Replace {
            name: "nosuch".into(),
            spec: "foo".into(),
            group: None,
        }],
    )
    .expect_err("nothing to replace");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:1:5: cannot replace 'nosuch': no group of the recipe includes it"
    );
}

#[test]
fn a_missing_trove_names_the_operation() {
    let repo = Repo::new();
    two_packages(&repo);
    let mut ops = vec![add("foo")];
    ops.extend((0..3).map(|_| add("bar")));
    ops.push(add("nosuch"));
    let error = cook(&repo, ops).expect_err("missing");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:5:5: trove 'nosuch' not found on conary.example.com@rpl:devel"
    );
    assert!(matches!(error, GroupError::NotFound { .. }));
}

const LIBBAR: &str = "soname: ELF64/libbar.so.1(SysV x86_64)";

/// foo:runtime needs libbar.so.1, which bar:lib (on `OTHER_LABEL` when
/// `elsewhere`) provides.
fn needs_libbar(repo: &Repo, elsewhere: bool) -> TroveTuple {
    repo.package(
        "foo",
        "1.0-1-1",
        FLAVOR,
        &[Comp {
            requires: &[LIBBAR, "trove: bar:lib"],
            ..comp("runtime", "foo")
        }],
    );
    let version = if elsewhere {
        format!("/{OTHER_LABEL}/2.0-1-1")
    } else {
        "2.0-1-1".to_owned()
    };
    repo.package(
        "bar",
        &version,
        FLAVOR,
        &[
            Comp {
                provides: &[LIBBAR],
                ..comp("lib", "libbar")
            },
            comp("doc", "bar doc"),
        ],
    )
}

#[test]
fn unresolved_dependencies_list_who_needs_what() {
    let repo = Repo::new();
    needs_libbar(&repo, false);
    let error = cook(&repo, vec![add("foo")]).expect_err("unresolved");
    assert_eq!(
        error.to_string(),
        "group-foo has unresolved dependencies:\n  \
         foo:runtime requires soname: ELF64/libbar.so.1(SysV x86_64)\n  \
         foo:runtime requires trove: bar:lib"
    );
    // A provider that is included but not by default does not count.
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Remove {
            name: "bar:lib".into(),
            group: None,
        },
    ];
    let error = cook(&repo, ops).expect_err("not by default");
    assert!(matches!(error, GroupError::Unresolved { ref lines, .. } if lines.len() == 2));
    // Included, it closes.
    cook(&repo, vec![add("foo"), add("bar")]).expect("closed");
}

#[test]
fn auto_resolve_pulls_the_package_in() {
    let repo = Repo::new();
    let bar = needs_libbar(&repo, false);
    let cooked = cook_with(&repo, vec![add("foo")], FLAVOR, true).expect("resolved");
    assert_eq!(cooked.resolved, std::slice::from_ref(&bar));
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=2.0-1-1[is: x86_64] true",
            "foo=1.0-1-1[is: x86_64] true"
        ]
    );
    assert!(refs(group, false).contains(&"bar:lib=2.0-1-1[is: x86_64] true".to_owned()));
    // The recipe turns it on, or off, over the configuration.
    let on = vec![GroupOp::SetAutoResolve { auto_resolve: true }, add("foo")];
    assert_eq!(cook(&repo, on).expect("resolved").resolved, [bar]);
    let off = vec![
        add("foo"),
        GroupOp::SetAutoResolve {
            auto_resolve: false,
        },
    ];
    assert!(matches!(
        cook_with(&repo, off, FLAVOR, true),
        Err(GroupError::Unresolved { .. })
    ));
}

#[test]
fn the_search_path_decides_where_resolving_looks() {
    let repo = Repo::new();
    needs_libbar(&repo, true);
    let error = cook_with(&repo, vec![add("foo")], FLAVOR, true).expect_err("not on path");
    assert!(matches!(error, GroupError::Unresolved { .. }), "{error}");
    let ops = vec![
        GroupOp::SetSearchPath {
            path: vec![LABEL.into(), OTHER_LABEL.into(), "group-os=:1".into()],
        },
        add("foo"),
    ];
    let cooked = cook_with(&repo, ops, FLAVOR, true).expect("resolved");
    assert_eq!(
        cooked.resolved,
        [tuple("bar", &format!("/{OTHER_LABEL}/2.0-1-1"), FLAVOR)]
    );
    assert_eq!(
        cooked.main().expect("main").info.search_path,
        [LABEL, OTHER_LABEL]
    );
}

#[test]
fn two_versions_of_one_trove_conflict() {
    let repo = Repo::new();
    two_packages(&repo);
    let old_foo = tuple("foo", "1.0-1-1", FLAVOR);
    let stamped = repo
        .source()
        .trove_versions(
            &conary_api::TroveQuery::on_label(LABEL.parse().expect("label"))
                .named(["foo".parse().expect("name")])
                .all_versions(),
        )
        .expect("versions")
        .into_iter()
        .find(|t| *t == old_foo)
        .expect("foo 1.0");
    repo.group("group-base", "1-1-1", &[stamped]);
    let error = cook(&repo, vec![add("foo"), add("group-base")]).expect_err("conflict");
    let text = error.to_string();
    assert!(
        text.starts_with("group-foo includes two versions of foo: foo=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64] and foo=/conary.example.com@rpl:devel/1.1-1-1[is: x86_64]"),
        "{text}"
    );
}

#[test]
fn add_all_takes_a_groups_strong_references() {
    let repo = Repo::new();
    two_packages(&repo);
    let source = repo.source();
    let latest = |name: &str| {
        source
            .trove_versions(
                &conary_api::TroveQuery::on_label(LABEL.parse().expect("label"))
                    .named([name.parse().expect("name")]),
            )
            .expect("versions")
            .pop()
            .expect("one")
    };
    let foo = latest("foo");
    let bar = latest("bar");
    repo.group("group-base", "1-1-1", &[foo, bar]);
    let ops = vec![GroupOp::AddAll {
        spec: "group-base".into(),
        group: None,
    }];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] true",
            "foo=1.1-1-1[is: x86_64] true"
        ]
    );
    assert_eq!(refs(group, false).len(), 4);
}

#[test]
fn set_by_default_applies_to_later_adds() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        add("foo"),
        GroupOp::SetByDefault {
            by_default: false,
            group: None,
        },
        add("bar"),
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(
        refs(group, true),
        [
            "bar=1.0-1-1[is: x86_64] false",
            "foo=1.1-1-1[is: x86_64] true"
        ]
    );
    assert!(refs(group, false).contains(&"bar:runtime=1.0-1-1[is: x86_64] false".to_owned()));
}

#[test]
fn cooking_is_deterministic() {
    let repo = Repo::new();
    two_packages(&repo);
    let ops = vec![
        GroupOp::CreateGroup {
            name: "group-extra".into(),
            by_default: true,
        },
        add("bar"),
        add_to("foo", "group-extra"),
        add("foo"),
    ];
    let first = cook(&repo, ops.clone()).expect("cook");
    let second = cook(&repo, ops).expect("cook");
    assert_eq!(first, second);
    let encoded: Vec<Vec<u8>> = first.groups.iter().map(Trove::encode).collect();
    let again: Vec<Vec<u8>> = second.groups.iter().map(Trove::encode).collect();
    assert_eq!(encoded, again);
}

#[test]
fn a_recipe_that_is_not_a_group_is_refused() {
    let repo = Repo::new();
    let mut not_group = recipe(vec![add("foo")]);
    not_group.name = "foo".into();
    not_group.kind = RecipeKind::Package;
    let source = repo.source();
    let ctx = GroupContext {
        source: &source,
        label_path: vec![LABEL.parse().expect("label")],
        flavor: Flavor::default(),
        version: full_version("1.0-1-1"),
        info: TroveInfo::default(),
        auto_resolve: false,
    };
    let error = cook_group(&not_group, &ctx).expect_err("not a group");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe: 'foo' is not a group recipe: group names start with 'group-'"
    );
    let bad = vec![GroupOp::CreateGroup {
        name: "extra".into(),
        by_default: true,
    }];
    let error = cook(&repo, bad).expect_err("bad name");
    assert_eq!(
        error.to_string(),
        "group-foo.recipe:1:5: cannot create group 'extra': group names start with 'group-'"
    );
}

#[test]
fn the_first_label_of_the_search_path_that_has_the_name_wins() {
    let repo = Repo::new();
    repo.package(
        "foo",
        &format!("/{OTHER_LABEL}/3.0-1-1"),
        FLAVOR,
        &[comp("runtime", "other")],
    );
    repo.package(
        "bar",
        &format!("/{OTHER_LABEL}/3.0-1-1"),
        FLAVOR,
        &[comp("runtime", "other")],
    );
    repo.package("bar", "1.0-1-1", FLAVOR, &[comp("runtime", "devel")]);
    let error = cook(&repo, vec![add("foo")]).expect_err("not on the default path");
    assert!(matches!(error, GroupError::NotFound { .. }), "{error}");
    let ops = vec![
        GroupOp::SetSearchPath {
            path: vec![LABEL.into(), OTHER_LABEL.into()],
        },
        add("foo"),
        add("bar"),
        add("bar:runtime"),
    ];
    let cooked = cook(&repo, ops).expect("cook");
    let group = cooked.main().expect("main");
    let strong: Vec<String> = group.strong_refs.keys().map(ToString::to_string).collect();
    assert_eq!(
        strong,
        [
            "bar=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64]",
            "bar:runtime=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64]",
            "foo=/conary.example.com@rpl:extra/3.0-1-1[is: x86_64]",
        ]
    );
    // A component added directly is strong only.
    assert_eq!(refs(group, false), ["foo:runtime=3.0-1-1[is: x86_64] true"]);
}

#[test]
fn troves_installing_one_path_conflict() {
    let repo = Repo::new();
    let shared = |contents| Comp {
        path: "/usr/bin/tool",
        ..comp("runtime", contents)
    };
    repo.package("foo", "1.0-1-1", FLAVOR, &[shared("foo tool")]);
    repo.package("bar", "1.0-1-1", FLAVOR, &[shared("bar tool")]);
    let error = cook(&repo, vec![add("foo"), add("bar")]).expect_err("path conflict");
    assert_eq!(
        error.to_string(),
        "group-foo has path conflicts:\n  \
         bar:runtime=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64] and \
         foo:runtime=/conary.example.com@rpl:devel/1.0-1-1[is: x86_64]"
    );
    // Not by default, the path is not installed twice.
    let ops = vec![
        add("foo"),
        add("bar"),
        GroupOp::Remove {
            name: "bar:runtime".into(),
            group: None,
        },
    ];
    cook(&repo, ops).expect("no conflict");
}

#[test]
fn an_included_group_keeps_its_own_by_default_choices() {
    let repo = Repo::new();
    two_packages(&repo);
    let source = repo.source();
    let foo = source
        .trove_versions(
            &conary_api::TroveQuery::on_label(LABEL.parse().expect("label"))
                .named(["foo".parse().expect("name")]),
        )
        .expect("versions")
        .pop()
        .expect("foo");
    repo.group_with("group-base", "1-1-1", &[foo], &["foo:doc"]);
    let cooked = cook(&repo, vec![add("group-base")]).expect("cook");
    let group = cooked.main().expect("main");
    assert_eq!(refs(group, true), ["group-base=1-1-1[] true"]);
    assert_eq!(
        refs(group, false),
        [
            "foo=1.1-1-1[is: x86_64] true",
            "foo:debuginfo=1.1-1-1[is: x86_64] false",
            "foo:doc=1.1-1-1[is: x86_64] false",
            "foo:runtime=1.1-1-1[is: x86_64] true",
        ]
    );
}
