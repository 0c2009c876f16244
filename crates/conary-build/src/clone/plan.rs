//! The clone map: which troves are copied where, and the rewritten
//! copies.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Seek as _, SeekFrom};

use conary_api::{Job, TroveQuery, TroveSource};
use conary_changeset::{ChangeSet, ChangeSetBuilder, ChangeSetReader, NoContents};
use conary_core::files::FileStream;
use conary_core::trove::{Trove, TroveTuple};
use conary_core::troveinfo::ChangeLog;
use conary_core::version::{Branch, Version};

use super::labels::target_for_label;
use super::versions::{Existing, assign, same_version};
use super::{CloneError, CloneOptions, Destination};

/// One trove of a clone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CloneEntry {
    /// The trove copied.
    pub from: TroveTuple,
    /// Its copy on the target (without timestamps when new).
    pub to: TroveTuple,
    /// The copy was already there (cloned from the same version).
    pub already: bool,
}

/// What a clone does: every trove of the clone map, and the new copies.
#[derive(Debug, Clone)]
pub struct ClonePlan {
    /// Every trove of the clone map, in name order.
    pub entries: Vec<CloneEntry>,
    /// The copies to commit (those not already cloned).
    pub troves: Vec<Trove>,
    /// The copies of the troves asked for.
    pub primary: Vec<TroveTuple>,
}

impl ClonePlan {
    /// Whether there is nothing new to commit (everything already cloned).
    pub fn is_noop(&self) -> bool {
        self.troves.is_empty()
    }

    /// One changeset holding every new copy: the original file streams
    /// (read from a changeset of the originals), their contents as
    /// references (the repository or the file versions' host holds them).
    ///
    /// # Errors
    /// [`CloneError::Source`] when the originals' changeset cannot be had,
    /// [`CloneError::ChangeSet`] when a stream is missing.
    pub fn changeset(&self, source: &dyn TroveSource) -> Result<ChangeSet, CloneError> {
        let originals: Vec<Job> = self
            .entries
            .iter()
            .filter(|entry| !entry.already)
            .filter(|entry| {
                self.troves
                    .iter()
                    .any(|trove| trove.tuple() == entry.to && !trove.files.is_empty())
            })
            .map(|entry| {
                Job::install(
                    entry.from.name.clone(),
                    entry.from.version.clone(),
                    entry.from.flavor.clone(),
                )
            })
            .collect();
        let streams = streams_of(source, &originals)?;
        let mut builder = ChangeSetBuilder::new();
        for stream in streams.values() {
            if let Some(digest) = stream.content_digest() {
                builder.assume_available(digest);
            }
        }
        for trove in &self.troves {
            builder.add_absolute(trove.clone(), &streams)?;
        }
        for tuple in &self.primary {
            if self.troves.iter().any(|trove| &trove.tuple() == tuple) {
                builder.add_primary(tuple.clone());
            }
        }
        Ok(builder.build(&NoContents, &NoContents)?)
    }
}

/// The file streams of the troves of `jobs`, from a changeset of them
/// spooled to a temporary file.
fn streams_of(
    source: &dyn TroveSource,
    jobs: &[Job],
) -> Result<BTreeMap<conary_core::digest::FileId, FileStream>, CloneError> {
    if jobs.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut spool = tempfile::tempfile()?;
    source.streams_changeset(jobs, false, &mut spool)?;
    spool.seek(SeekFrom::Start(0))?;
    let reader = ChangeSetReader::new(std::io::BufReader::new(spool))?;
    Ok(reader.changeset().files.clone())
}

/// Whether `name` is a component (`foo:runtime`, `foo:source`).
fn is_component(tuple: &TroveTuple) -> bool {
    tuple.name.as_str().contains(':')
}

/// Whether `tuple` is a source trove.
pub(super) fn is_source(tuple: &TroveTuple) -> bool {
    tuple.name.as_str().ends_with(":source")
}

/// Whether `tuple` is a group.
fn is_group(tuple: &TroveTuple) -> bool {
    tuple.name.as_str().starts_with("group-")
}

/// Works out where troves go.
struct Router<'a> {
    destination: &'a Destination,
    /// For a clone to a branch: the branch cloned from.
    from_branch: Option<Branch>,
}

impl Router<'_> {
    /// The branch `version`'s trove goes to, or `None` when it stays.
    fn target(&self, version: &Version) -> Result<Option<Branch>, CloneError> {
        let branch = version.branch();
        match self.destination {
            Destination::Branch(target) => {
                Ok((Some(branch) == self.from_branch.as_ref()).then(|| target.clone()))
            }
            Destination::Labels(mappings) => {
                match mappings.iter().find(|m| &m.from == branch.label()) {
                    Some(mapping) => target_for_label(branch, &mapping.to).map(Some),
                    None => Ok(None),
                }
            }
        }
    }
}

/// Plans cloning `roots` (with every version resolved and timestamped)
/// to `destination`.
///
/// # Errors
/// [`CloneError`]: nothing to clone, an unrelated target, a revision
/// that does not fit, a conflicting trove on the target, broken lineage,
/// or the repository failing.
pub fn plan(
    source: &dyn TroveSource,
    roots: &[TroveTuple],
    destination: &Destination,
    options: &CloneOptions,
) -> Result<ClonePlan, CloneError> {
    let router = Router {
        destination,
        from_branch: roots.first().map(|t| t.version.branch().clone()),
    };
    if let (Destination::Branch(target), Some(from)) = (destination, &router.from_branch) {
        super::labels::check_related(from, target)?;
        if let Some(other) = roots.iter().find(|root| root.version.branch() != from) {
            return Err(CloneError::Unrelated {
                from: other.version.branch().to_string(),
                to: target.to_string(),
                reason: format!(
                    "{other} is not on {from}, the branch of the first trove named; clone each branch on its own"
                ),
            });
        }
    }
    let mut existing = Existing::new(source);

    // The clone map: every trove reachable from the roots that goes to
    // the target, with its manifest.
    let mut originals: BTreeMap<TroveTuple, (Trove, Branch)> = BTreeMap::new();
    let mut skipped_refs: BTreeSet<TroveTuple> = BTreeSet::new();
    let mut queue: VecDeque<TroveTuple> = roots.iter().cloned().collect();
    let mut seen: BTreeSet<TroveTuple> = BTreeSet::new();
    while let Some(tuple) = queue.pop_front() {
        if !seen.insert(tuple.clone()) {
            continue;
        }
        let Some(target) = router.target(&tuple.version)? else {
            continue;
        };
        let trove = source
            .troves(std::slice::from_ref(&tuple))?
            .pop()
            .ok_or_else(|| CloneError::Nothing(format!("{tuple} not found")))?;
        if options.all_flavors && !is_component(&tuple) {
            let query = TroveQuery::on_branch(tuple.version.branch().clone())
                .named([tuple.name.clone()])
                .all_versions();
            for other in source.trove_versions(&query)? {
                if same_version(&other.version, &tuple.version) {
                    queue.push_back(other);
                }
            }
        }
        for (child, by_default, strong) in trove.iter_refs() {
            if options.default_only && !by_default {
                skipped_refs.insert(child.clone());
            } else if strong {
                queue.push_back(child.clone());
            }
        }
        if options.with_sources
            && !is_source(&tuple)
            && let (Some(name), Some(version)) =
                (&trove.info.source_name, &trove.info.source_version)
        {
            queue.push_back(TroveTuple::new(
                name.clone(),
                version.clone(),
                Default::default(),
            ));
        }
        if options.exclude_groups && is_group(&tuple) {
            continue;
        }
        originals.insert(tuple, (trove, target));
    }
    if originals.is_empty() {
        let names: Vec<String> = roots.iter().map(ToString::to_string).collect();
        return Err(CloneError::Nothing(format!(
            "none of {} is on a label or branch cloned from",
            names.join(", ")
        )));
    }

    // Each copy's version (sources first: an uphill clone numbers its
    // binaries after their new source), reusing troves already cloned.
    let mut map: BTreeMap<TroveTuple, CloneEntry> = BTreeMap::new();
    let mut numbered: BTreeMap<Version, Version> = BTreeMap::new();
    let order = originals
        .keys()
        .filter(|tuple| is_source(tuple))
        .chain(originals.keys().filter(|tuple| !is_source(tuple)));
    for tuple in order {
        let (trove, target) = &originals[tuple];
        let entry = assign(&mut existing, &map, &mut numbered, trove, target)?;
        map.insert(tuple.clone(), entry);
    }

    // The copies.
    let mut troves = Vec::new();
    for (tuple, (original, _)) in &originals {
        let entry = &map[tuple];
        if entry.already {
            continue;
        }
        let mut copy = relabel(original, &entry.to.version, &map, &skipped_refs);
        copy.info.cloned_from_list = original.info.cloned_from_list.clone();
        copy.info.cloned_from_list.push(tuple.version.clone());
        copy.info.cloned_from = Some(tuple.version.clone());
        if let Some(source_version) = &original.info.source_version
            && let Some(name) = &original.info.source_name
        {
            let wanted = TroveTuple::new(name.clone(), source_version.clone(), Default::default());
            copy.info.source_version = Some(
                needed(
                    &router,
                    &mut existing,
                    &map,
                    &wanted,
                    "source",
                    tuple,
                    "clone it too (promote without --without-sources, clone with --with-sources)",
                )?
                .unwrap_or_else(|| source_version.clone()),
            );
        }
        if !options.skip_build_info {
            for (what, set) in [
                ("build requirement", &mut copy.info.build_requirements),
                ("loaded trove", &mut copy.info.loaded_troves),
            ] {
                let mut mapped = BTreeSet::new();
                for need in set.iter() {
                    let version = needed(
                        &router,
                        &mut existing,
                        &map,
                        need,
                        what,
                        tuple,
                        "promote it first, or use --skip-build-info",
                    )?;
                    let mut need = need.clone();
                    if let Some(version) = version {
                        need.version = version;
                    }
                    mapped.insert(need);
                }
                *set = mapped;
            }
        }
        if is_source(tuple)
            && let Some(message) = &options.message
        {
            let (name, contact) = original
                .info
                .changelog
                .as_ref()
                .map(|log| (log.name.clone(), log.contact.clone()))
                .unwrap_or_default();
            copy.info.changelog = Some(ChangeLog::new(&name, &contact, message));
        }
        troves.push(copy);
    }
    let primary = roots
        .iter()
        .filter_map(|root| map.get(root).map(|entry| entry.to.clone()))
        .collect();
    Ok(ClonePlan {
        entries: map.into_values().collect(),
        troves,
        primary,
    })
}

/// The version on the target of `need` (a source, build requirement or
/// loaded trove of `trove`): `None` when it stays where it is (not on a
/// label cloned from), the copy's version when it is cloned now or was
/// cloned before; an error when it should be on the target and is not.
fn needed(
    router: &Router<'_>,
    existing: &mut Existing<'_>,
    map: &BTreeMap<TroveTuple, CloneEntry>,
    need: &TroveTuple,
    what: &'static str,
    trove: &TroveTuple,
    hint: &'static str,
) -> Result<Option<Version>, CloneError> {
    let Some(target) = router.target(&need.version)? else {
        return Ok(None);
    };
    if let Some(entry) = map.get(need) {
        return Ok(Some(entry.to.version.clone()));
    }
    if let Some((_, entry)) = map.iter().find(|(from, _)| {
        from.name == need.name
            && from.flavor == need.flavor
            && same_version(&from.version, &need.version)
    }) {
        return Ok(Some(entry.to.version.clone()));
    }
    match existing.present(need, &target)? {
        Some(found) => Ok(Some(found.version)),
        None => Err(CloneError::Lineage {
            what,
            needed: need.to_string(),
            trove: trove.to_string(),
            target: target.to_string(),
            hint,
        }),
    }
}

/// `trove` moved to `version`, its references to troves of the clone map
/// rewritten to their copies and those in `dropped` left out; files,
/// flavor, dependencies and the rest of its information unchanged.
pub fn relabel(
    trove: &Trove,
    version: &Version,
    map: &BTreeMap<TroveTuple, CloneEntry>,
    dropped: &BTreeSet<TroveTuple>,
) -> Trove {
    let mut copy = trove.clone();
    copy.version = version.clone();
    let rewrite = |refs: &mut BTreeMap<TroveTuple, conary_core::trove::TroveRef>| {
        *refs = std::mem::take(refs)
            .into_iter()
            .filter(|(tuple, _)| !dropped.contains(tuple))
            .map(|(tuple, reference)| match map.get(&tuple) {
                Some(entry) => (entry.to.clone(), reference),
                None => (tuple, reference),
            })
            .collect();
    };
    rewrite(&mut copy.strong_refs);
    rewrite(&mut copy.weak_refs);
    copy
}
