//! Redirects (`cvc redirect`): a trove that sends `conary update` from
//! one name or branch to another (a rename, a move to another
//! repository).
//!
//! [`build`] makes, for every flavor of the newest trove of a name on a
//! branch, a redirect trove ([`TroveType::Redirect`]) with the next build
//! count, pointing to the target name on the target branch; committed, it
//! is the newest version on the old branch, so an update of an installed
//! trove there finds it and follows it (`conary-system`'s plan erases the
//! old trove and installs the target). A redirect to a branch that has no
//! trove of the target name, or to itself, is refused here.

use conary_api::{SourceError, TroveQuery, TroveSource};
use conary_changeset::{ChangeSet, ChangeSetBuilder, ChangeSetError, NoContents};
use conary_core::name::TroveName;
use conary_core::trove::{Trove, TroveTuple, TroveType};
use conary_core::version::{Branch, Version};

/// Why a redirect cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum RedirectError {
    /// Nothing of that name is on the branch redirected from.
    #[error("nothing named {name} is on {branch} to redirect")]
    NothingToRedirect {
        /// The name.
        name: String,
        /// The branch.
        branch: String,
    },
    /// The target has no trove of the target name.
    #[error("redirect to nothing: no {name} on {branch}")]
    NoTarget {
        /// The target name.
        name: String,
        /// The target branch.
        branch: String,
    },
    /// The redirect points to itself.
    #[error("a redirect from {name} on {branch} to itself would loop")]
    Loop {
        /// The name.
        name: String,
        /// The branch.
        branch: String,
    },
    /// The next version cannot be made.
    #[error("no next version after {0}")]
    Version(String),
    /// The repository could not answer.
    #[error("repository: {0}")]
    Source(#[from] SourceError),
    /// The changeset could not be made.
    #[error("changeset: {0}")]
    ChangeSet(#[from] ChangeSetError),
}

/// The redirect troves from `name` on `branch` to each of `targets` (a
/// name on a branch; several when a package is split): one per flavor of
/// the newest version there.
///
/// # Errors
/// [`RedirectError`]: nothing to redirect, no target, a loop, or the
/// repository failing.
pub fn build(
    source: &dyn TroveSource,
    name: &TroveName,
    branch: &Branch,
    targets: &[(TroveName, Branch)],
) -> Result<Vec<Trove>, RedirectError> {
    if targets
        .iter()
        .any(|(target, target_branch)| target == name && target_branch == branch)
    {
        return Err(RedirectError::Loop {
            name: name.to_string(),
            branch: branch.to_string(),
        });
    }
    let newest = newest(source, name, branch)?;
    let Some(latest) = newest.first() else {
        return Err(RedirectError::NothingToRedirect {
            name: name.to_string(),
            branch: branch.to_string(),
        });
    };
    if targets.is_empty() {
        return Err(RedirectError::NoTarget {
            name: "any trove".to_owned(),
            branch: "any branch".to_owned(),
        });
    }
    for (target, target_branch) in targets {
        if newest_of(source, target, target_branch)?.is_none() {
            return Err(RedirectError::NoTarget {
                name: target.to_string(),
                branch: target_branch.to_string(),
            });
        }
    }
    let version = latest
        .version
        .without_timestamps()
        .increment_build_count()
        .map_err(|_| RedirectError::Version(latest.version.to_string()))?;
    Ok(newest
        .iter()
        .filter(|tuple| same(&tuple.version, &latest.version))
        .map(|tuple| {
            let mut trove = Trove::new(name.clone(), version.clone(), tuple.flavor.clone());
            trove.trove_type = TroveType::Redirect;
            for (target, target_branch) in targets {
                trove.add_redirect(target.clone(), target_branch.clone(), None);
            }
            trove
        })
        .collect())
}

/// One changeset of `redirects`.
///
/// # Errors
/// [`RedirectError::ChangeSet`] when it cannot be made.
pub fn changeset(redirects: &[Trove]) -> Result<ChangeSet, RedirectError> {
    let mut builder = ChangeSetBuilder::new();
    for trove in redirects {
        builder.add_primary(trove.tuple());
        builder.add_absolute(trove.clone(), &Default::default())?;
    }
    Ok(builder.build(&NoContents, &NoContents)?)
}

fn same(a: &Version, b: &Version) -> bool {
    a.without_timestamps() == b.without_timestamps()
}

/// The latest troves of `name` on `branch` (one per flavor), newest first.
fn newest(
    source: &dyn TroveSource,
    name: &TroveName,
    branch: &Branch,
) -> Result<Vec<TroveTuple>, RedirectError> {
    let query = TroveQuery::on_branch(branch.clone()).named([name.clone()]);
    let mut found: Vec<TroveTuple> = source
        .trove_versions(&query)?
        .into_iter()
        .filter(|tuple| &tuple.name == name)
        .collect();
    found.sort_by_key(|tuple| std::cmp::Reverse(tuple.version.timestamp()));
    Ok(found)
}

/// The newest trove of `name` on `branch`, if any.
fn newest_of(
    source: &dyn TroveSource,
    name: &TroveName,
    branch: &Branch,
) -> Result<Option<TroveTuple>, RedirectError> {
    Ok(newest(source, name, branch)?.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use conary_repository::{LocalSource, Repository};

    #[test]
    fn redirects_are_refused_to_nothing_and_to_themselves() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repository =
            Repository::init(dir.path().join("repo"), "conary.example.com").expect("init");
        repository.add_user("root", "secret", true).expect("user");
        let identity = repository
            .authenticate(&conary_repository::Credentials::Basic {
                user: "root".into(),
                password: "secret".into(),
            })
            .expect("login");
        let source = LocalSource::new(&repository, identity);
        let name: TroveName = "foo".parse().expect("name");
        let branch: Branch = "/conary.example.com@rpl:1".parse().expect("branch");
        let itself = [(name.clone(), branch.clone())];
        let error = build(&source, &name, &branch, &itself).expect_err("loop");
        assert!(matches!(error, RedirectError::Loop { .. }), "{error}");
        let bar: TroveName = "bar".parse().expect("name");
        let error = build(&source, &name, &branch, &[(bar, branch.clone())]).expect_err("nothing");
        assert_eq!(
            error.to_string(),
            "nothing named foo is on /conary.example.com@rpl:1 to redirect"
        );
    }
}
