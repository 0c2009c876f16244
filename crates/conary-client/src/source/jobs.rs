//! Which server answers which job.
//!
//! A job goes to the repository of its new trove (an erasure to that of its
//! old one). A repository makes relative changesets only from troves it
//! holds, so an update whose old trove lives on another host is asked for
//! as an install of the new trove, and the answer is turned back into a
//! relative change (carrying every file) once it arrives.
//!
//! A repository recursing into a package or group follows only the troves
//! it holds; the ones it includes from other repositories are asked of
//! those, in further rounds, by [`follow_ups`].

use std::collections::BTreeMap;

use conary_api::Job;
use conary_changeset::ChangeSet;
use conary_core::trove::{Trove, TroveTuple};

use crate::error::ClientError;
use crate::transport::RepositoryClient;

/// The key of a host: hosts compare without regard to case.
pub(crate) fn host_key(host: &str) -> String {
    host.to_ascii_lowercase()
}

/// The host of the repository holding `tuple`.
pub(crate) fn host_of(tuple: &TroveTuple) -> String {
    host_key(tuple.version.host())
}

/// A job as sent to one repository.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Routed {
    /// The host asked.
    pub(crate) host: String,
    /// The job sent.
    pub(crate) job: Job,
    /// The old trove of an update sent as an install (it lives elsewhere).
    pub(crate) replaces: Option<TroveTuple>,
}

/// Routes `job` to the repository that can answer it.
pub(crate) fn route(job: &Job) -> Result<Routed, ClientError> {
    match (job.old_tuple(), job.new_tuple()) {
        (None, None) => Err(ClientError::Invalid {
            reason: format!("job for {} has neither an old nor a new trove", job.name),
        }),
        (Some(old), None) => Ok(Routed {
            host: host_of(&old),
            job: job.clone(),
            replaces: None,
        }),
        (None, Some(new)) => Ok(Routed {
            host: host_of(&new),
            job: job.clone(),
            replaces: None,
        }),
        (Some(old), Some(new)) if host_of(&old) == host_of(&new) => Ok(Routed {
            host: host_of(&new),
            job: job.clone(),
            replaces: None,
        }),
        (Some(old), Some(new)) => Ok(Routed {
            host: host_of(&new),
            job: Job::install(new.name, new.version, new.flavor),
            replaces: Some(old),
        }),
    }
}

/// Groups routed jobs by host, hosts in the order they first appear, jobs
/// in order.
pub(crate) fn group(routed: Vec<Routed>) -> Vec<(String, Vec<Routed>)> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<Routed>> = BTreeMap::new();
    for job in routed {
        if !groups.contains_key(&job.host) {
            order.push(job.host.clone());
        }
        groups.entry(job.host.clone()).or_default().push(job);
    }
    order
        .into_iter()
        .filter_map(|host| groups.remove(&host).map(|jobs| (host, jobs)))
        .collect()
}

/// Pairs the references of an old and a new collection into jobs, as the
/// repository does: same name and flavor first, then same name; the rest
/// are installs and erasures. Unchanged references make no job.
pub(crate) fn pair_refs(old: &Trove, new: &Trove) -> Vec<Job> {
    let mut olds: Vec<TroveTuple> = old.iter_refs().map(|(t, _, _)| t.clone()).collect();
    olds.dedup();
    let mut news: Vec<TroveTuple> = new.iter_refs().map(|(t, _, _)| t.clone()).collect();
    news.dedup();
    let mut jobs = Vec::new();
    let mut unmatched = Vec::new();
    let update = |old: TroveTuple, new: TroveTuple| {
        Job::update(
            new.name,
            (old.version, old.flavor),
            (new.version, new.flavor),
        )
    };
    for target in news {
        if let Some(index) = olds.iter().position(|old| *old == target) {
            olds.remove(index);
        } else if let Some(index) = olds
            .iter()
            .position(|old| old.name == target.name && old.flavor == target.flavor)
        {
            jobs.push(update(olds.remove(index), target));
        } else {
            unmatched.push(target);
        }
    }
    for target in unmatched {
        match olds.iter().position(|old| old.name == target.name) {
            Some(index) => jobs.push(update(olds.remove(index), target)),
            None => jobs.push(Job::install(target.name, target.version, target.flavor)),
        }
    }
    for old in olds {
        jobs.push(Job::erase(old.name, old.version, old.flavor));
    }
    jobs
}

/// Whether the changeset `host` answered names troves of other
/// repositories that a recursive request must follow.
pub(crate) fn reaches_elsewhere(host: &str, changeset: &ChangeSet) -> bool {
    let foreign = |tuple: &TroveTuple| host_of(tuple) != host;
    changeset.erased.iter().any(foreign)
        || changeset
            .troves
            .values()
            .any(|change| change.new.iter_refs().any(|(tuple, _, _)| foreign(tuple)))
}

/// The jobs a recursive request still needs after `host` answered
/// `changeset`: for the troves its collections include (or included) from
/// other repositories. The old manifests of updated collections are read
/// from `client` (the old trove of a relative change is on `host`).
pub(crate) fn follow_ups(
    host: &str,
    client: &RepositoryClient,
    changeset: &ChangeSet,
) -> Result<Vec<Job>, ClientError> {
    let foreign = |tuple: &TroveTuple| host_of(tuple) != host;
    let mut jobs = Vec::new();
    let mut relative = Vec::new();
    for change in changeset.troves.values() {
        match &change.old {
            None => {
                for (target, _, _) in change.new.iter_refs() {
                    if foreign(target) {
                        jobs.push(Job::install(
                            target.name.clone(),
                            target.version.clone(),
                            target.flavor.clone(),
                        ));
                    }
                }
            }
            Some(old) if change.new.is_collection() => relative.push((old.clone(), &change.new)),
            Some(_) => {}
        }
    }
    if !relative.is_empty() {
        let olds: Vec<TroveTuple> = relative.iter().map(|(old, _)| old.clone()).collect();
        let manifests = client.manifests(&olds)?;
        for (old, (_, new)) in manifests.iter().zip(&relative) {
            for job in pair_refs(old, new) {
                let reached = job.new_tuple().or_else(|| job.old_tuple());
                if reached.is_some_and(|tuple| foreign(&tuple)) {
                    jobs.push(job);
                }
            }
        }
    }
    for erased in &changeset.erased {
        if foreign(erased) {
            jobs.push(Job::erase(
                erased.name.clone(),
                erased.version.clone(),
                erased.flavor.clone(),
            ));
        }
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(text: &str) -> TroveTuple {
        text.parse().expect("tuple")
    }

    fn collection(name: &str, version: &str, members: &[&str]) -> Trove {
        let mut trove = Trove::new(
            name.parse().expect("name"),
            version.parse().expect("version"),
            Default::default(),
        );
        for member in members {
            trove.add_strong_ref(tuple(member), true);
        }
        trove
    }

    #[test]
    fn jobs_go_to_the_host_of_their_new_trove() {
        let a_old = tuple("foo=/A.example.com@rpl:2/1.0-1-1[]");
        let a_new = tuple("foo=/a.example.com@rpl:2/1.0-2-1[]");
        let b_new = tuple("foo=/a.example.com@rpl:2//b.example.com@rpl:2/1.0-1.1-1[]");
        let job = |old: Option<&TroveTuple>, new: Option<&TroveTuple>| Job {
            name: "foo".parse().expect("name"),
            old: old.map(|t| (t.version.clone(), t.flavor.clone())),
            new: new.map(|t| (t.version.clone(), t.flavor.clone())),
        };
        let cases = [
            (job(None, Some(&a_new)), "a.example.com", false),
            (job(Some(&a_old), None), "a.example.com", false),
            (job(Some(&a_old), Some(&a_new)), "a.example.com", false),
            (job(Some(&a_old), Some(&b_new)), "b.example.com", true),
        ];
        for (job, host, replaced) in cases {
            let routed = route(&job).expect("routed");
            assert_eq!(routed.host, host, "{job:?}");
            assert_eq!(routed.replaces.is_some(), replaced, "{job:?}");
            if replaced {
                assert!(routed.job.old.is_none());
                assert_eq!(routed.job.new, job.new);
            } else {
                assert_eq!(routed.job, job);
            }
        }
        let nothing = job(None, None);
        assert!(route(&nothing).is_err());
    }

    #[test]
    fn groups_keep_first_appearance_order() {
        let routed = |host: &str, name: &str| Routed {
            host: host.into(),
            job: Job::install(
                name.parse().expect("name"),
                format!("/{host}@rpl:2/1-1-1").parse().expect("version"),
                Default::default(),
            ),
            replaces: None,
        };
        let groups = group(vec![
            routed("b.example.com", "x"),
            routed("a.example.com", "y"),
            routed("b.example.com", "z"),
        ]);
        let shape: Vec<(&str, Vec<&str>)> = groups
            .iter()
            .map(|(host, jobs)| {
                (
                    host.as_str(),
                    jobs.iter().map(|job| job.job.name.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("b.example.com", vec!["x", "z"]),
                ("a.example.com", vec!["y"])
            ]
        );
    }

    #[test]
    fn references_pair_by_name_and_flavor() {
        let old = collection(
            "group-os",
            "/b.example.com@rpl:2/1-1-1",
            &[
                "foo=/a.example.com@rpl:2/1.0-1-1[]",
                "bar=/a.example.com@rpl:2/1.0-1-1[]",
                "same=/a.example.com@rpl:2/1.0-1-1[]",
            ],
        );
        let new = collection(
            "group-os",
            "/b.example.com@rpl:2/1-2-1",
            &[
                "foo=/a.example.com@rpl:2/1.1-1-1[]",
                "baz=/a.example.com@rpl:2/1.0-1-1[]",
                "same=/a.example.com@rpl:2/1.0-1-1[]",
            ],
        );
        let jobs: Vec<String> = pair_refs(&old, &new)
            .iter()
            .map(|job| {
                format!(
                    "{} {:?} {:?}",
                    job.name,
                    job.old_tuple().map(|t| t.version.to_string()),
                    job.new_tuple().map(|t| t.version.to_string())
                )
            })
            .collect();
        assert_eq!(
            jobs,
            [
                "foo Some(\"/a.example.com@rpl:2/1.0-1-1\") Some(\"/a.example.com@rpl:2/1.1-1-1\")",
                "baz None Some(\"/a.example.com@rpl:2/1.0-1-1\")",
                "bar Some(\"/a.example.com@rpl:2/1.0-1-1\") None",
            ]
        );
    }

    #[test]
    fn only_troves_of_other_hosts_are_followed() {
        let mut changeset = ChangeSet::default();
        let group = collection(
            "group-os",
            "/b.example.com@rpl:2/1-1-1",
            &[
                "foo=/a.example.com@rpl:2/1.0-1-1[]",
                "bar=/b.example.com@rpl:2/1.0-1-1[]",
            ],
        );
        changeset.add_trove(conary_changeset::TroveChange::absolute(group));
        changeset
            .erased
            .insert(tuple("old=/a.example.com@rpl:2/0.9-1-1[]"));
        changeset
            .erased
            .insert(tuple("local=/b.example.com@rpl:2/0.9-1-1[]"));
        assert!(reaches_elsewhere("b.example.com", &changeset));
        let transport = crate::Transport::new(Default::default()).expect("transport");
        let server = crate::Server::new("b.example.com", "http://127.0.0.1:9/", Default::default())
            .expect("server");
        let jobs = follow_ups("b.example.com", &transport.client(server), &changeset)
            .expect("no old manifests needed");
        let names: Vec<(&str, bool)> = jobs
            .iter()
            .map(|job| (job.name.as_str(), job.new.is_some()))
            .collect();
        assert_eq!(names, [("foo", true), ("old", false)]);
        let mut local = ChangeSet::default();
        local
            .erased
            .insert(tuple("local=/b.example.com@rpl:2/0.9-1-1[]"));
        assert!(!reaches_elsewhere("b.example.com", &local));
    }
}
