//! The repository, recipes and contexts the group tests share.

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

pub(super) const LABEL: &str = "conary.example.com@rpl:devel";
pub(super) const OTHER_LABEL: &str = "conary.example.com@rpl:extra";
pub(super) const FLAVOR: &str = "is: x86_64";

/// A component to commit: suffix, by default in its package, provides,
/// requires, contents of its one file.
pub(super) struct Comp {
    pub(super) suffix: &'static str,
    pub(super) by_default: bool,
    pub(super) provides: &'static [&'static str],
    pub(super) requires: &'static [&'static str],
    pub(super) contents: &'static str,
    /// The file's path; empty: `/usr/share/NAME:SUFFIX`.
    pub(super) path: &'static str,
}

pub(super) fn comp(suffix: &'static str, contents: &'static str) -> Comp {
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
pub(super) struct Repo {
    _dir: tempfile::TempDir,
    repository: Repository,
    identity: Identity,
}

impl Repo {
    pub(super) fn new() -> Repo {
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

    pub(super) fn source(&self) -> LocalSource<'_> {
        LocalSource::new(&self.repository, self.identity.clone())
    }

    /// Commits `troves` (with the streams and contents of their files).
    pub(super) fn commit(
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
    pub(super) fn package(
        &self,
        name: &str,
        version: &str,
        flavor: &str,
        comps: &[Comp],
    ) -> TroveTuple {
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
    pub(super) fn group(&self, name: &str, version: &str, members: &[TroveTuple]) -> TroveTuple {
        self.group_with(name, version, members, &[])
    }

    /// As [`Repo::group`], with the weak references named in
    /// `not_by_default` not by default.
    pub(super) fn group_with(
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

pub(super) fn full_version(text: &str) -> Version {
    if text.starts_with('/') {
        text.parse().expect("version")
    } else {
        format!("/{LABEL}/{text}").parse().expect("version")
    }
}

pub(super) fn regular(contents: &[u8]) -> FileStream {
    let kind = FileKind::Regular {
        size: contents.len() as u64,
        digest: Digest::of(contents),
        link_group: None,
    };
    FileStream::new(kind, Mode::new(0o644).expect("mode"), "root", "root")
}

pub(super) fn tuple(name: &str, version: &str, flavor: &str) -> TroveTuple {
    TroveTuple::new(
        name.parse().expect("name"),
        full_version(version),
        flavor.parse().expect("flavor"),
    )
}

/// A group recipe `group-foo` whose operations stand on lines 1, 2, ...
pub(super) fn recipe(ops: Vec<GroupOp>) -> Recipe {
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

pub(super) fn add(spec: &str) -> GroupOp {
    GroupOp::Add {
        spec: spec.into(),
        group: None,
        by_default: None,
    }
}

pub(super) fn add_to(spec: &str, group: &str) -> GroupOp {
    GroupOp::Add {
        spec: spec.into(),
        group: Some(group.into()),
        by_default: None,
    }
}

pub(super) fn info() -> TroveInfo {
    TroveInfo {
        source_name: Some("group-foo:source".parse().expect("name")),
        build_time: Some(1_700_000_000),
        ..TroveInfo::default()
    }
}

pub(super) fn cook_with(
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

pub(super) fn cook(repo: &Repo, ops: Vec<GroupOp>) -> Result<CookedGroups, GroupError> {
    cook_with(repo, ops, FLAVOR, false)
}

/// References as `name=revision[flavor] by_default` lines, strong or weak.
pub(super) fn refs(trove: &Trove, strong: bool) -> Vec<String> {
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
pub(super) fn two_packages(repo: &Repo) {
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
