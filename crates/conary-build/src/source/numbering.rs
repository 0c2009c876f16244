//! The version a source commit gets, from the recipe's upstream version,
//! the checked-out version and what the branch already holds. The
//! arithmetic is conary-core's ([`Version::next_source_version`]); this
//! only picks the revision to ask for.

use conary_core::version::{Branch, Revision, SerialNumber, Version};

use super::error::SourceError;

/// The version of a commit of upstream version `upstream` on `branch`:
///
/// - when the checkout holds a version of the same upstream on the same
///   branch, the next source count after it (on a shadow, a dotted count:
///   `1.2.3-3` becomes `1.2.3-3.1`);
/// - otherwise `upstream-0`, which counts up to `-1` on a trunk and to
///   `-0.1` on a shadow;
/// - after `cvc merge` on a shadow (`merged`, the parent's source
///   version brought in) with the same upstream, the merged revision
///   with a dotted count (`2.6.6-1` merged gives `2.6.6-1.1`);
/// - either way, one past the newest source count of that upstream among
///   `existing` (the source versions on the branch) when that is higher.
///
/// ```rust
/// use conary_build::source::commit_version;
/// let branch = "/conary.example.com@rpl:2".parse().expect("branch");
/// let first = commit_version(&branch, "1.0", None, None, &[]).expect("numbered");
/// assert_eq!(first.to_string(), "/conary.example.com@rpl:2/1.0-1");
/// let second = commit_version(&branch, "1.0", Some(&first), None, &[first.clone()]).expect("numbered");
/// assert_eq!(second.to_string(), "/conary.example.com@rpl:2/1.0-2");
/// ```
pub fn commit_version(
    branch: &Branch,
    upstream: &str,
    checked_out: Option<&Version>,
    merged: Option<&Version>,
    existing: &[Version],
) -> Result<Version, SourceError> {
    let what = || format!("version '{upstream}' on {branch}");
    let merged = merged.filter(|parent| parent.trailing_revision().upstream() == upstream);
    let desired = if let Some(parent) = merged {
        let revision = parent.trailing_revision().clone().with_timestamp(None);
        Version::new(branch.clone(), revision)
            .and_then(|version| version.increment_source_count())
            .map_err(|e| SourceError::version(what(), e))?
            .trailing_revision()
            .clone()
    } else {
        match checked_out {
            Some(version)
                if version.branch() == branch
                    && version.trailing_revision().upstream() == upstream =>
            {
                version
                    .increment_source_count()
                    .map_err(|e| SourceError::version(what(), e))?
                    .trailing_revision()
                    .clone()
            }
            _ => Revision::new(upstream, SerialNumber::single(0), None)
                .map_err(|e| SourceError::version(what(), e))?,
        }
    };
    let existing: Vec<Version> = existing.iter().map(Version::without_timestamps).collect();
    Version::next_source_version(branch, &desired, &existing)
        .map_err(|e| SourceError::version(what(), e))
}

#[cfg(test)]
mod tests {
    use super::commit_version;
    use conary_core::version::{Branch, Version};

    fn v(text: &str) -> Version {
        text.parse().expect("version")
    }

    /// (branch, upstream, checked out, existing, expected revision)
    type Case<'a> = (&'a str, &'a str, Option<&'a str>, &'a [&'a str], &'a str);

    #[test]
    fn table() {
        let trunk = "/a.example.com@rpl:2";
        let shadow = "/a.example.com@rpl:2//b.example.com@rpl:s";
        // (branch, upstream, checked out, existing, expected)
        let cases: [Case; 8] = [
            (trunk, "1.0", None, &[], "1.0-1"),
            (
                trunk,
                "1.0",
                Some("/a.example.com@rpl:2/1.0-1"),
                &["/a.example.com@rpl:2/1.0-1"],
                "1.0-2",
            ),
            (
                trunk,
                "1.0",
                Some("/a.example.com@rpl:2/1.0-2"),
                &["/a.example.com@rpl:2/1.0-1", "/a.example.com@rpl:2/1.0-2"],
                "1.0-3",
            ),
            (
                trunk,
                "2.0",
                Some("/a.example.com@rpl:2/1.0-2"),
                &["/a.example.com@rpl:2/1.0-2"],
                "2.0-1",
            ),
            // Back to an upstream the branch had: past its highest count.
            (
                trunk,
                "1.0",
                Some("/a.example.com@rpl:2/2.0-1"),
                &[
                    "/a.example.com@rpl:2/1.0-1",
                    "/a.example.com@rpl:2/1.0-4",
                    "/a.example.com@rpl:2/2.0-1",
                ],
                "1.0-5",
            ),
            // A shadow of 1.2.3-3: a dotted count.
            (
                shadow,
                "1.2.3",
                Some("/a.example.com@rpl:2//b.example.com@rpl:s/1.2.3-3"),
                &[],
                "1.2.3-3.1",
            ),
            (
                shadow,
                "1.2.3",
                Some("/a.example.com@rpl:2//b.example.com@rpl:s/1.2.3-3.1"),
                &["/a.example.com@rpl:2//b.example.com@rpl:s/1.2.3-3.1"],
                "1.2.3-3.2",
            ),
            // A new upstream on a shadow: 0 stands for the parent's count.
            (
                shadow,
                "1.2.4",
                Some("/a.example.com@rpl:2//b.example.com@rpl:s/1.2.3-3"),
                &[],
                "1.2.4-0.1",
            ),
        ];
        for (branch, upstream, checked_out, existing, expected) in cases {
            let branch: Branch = branch.parse().expect("branch");
            let checked_out = checked_out.map(v);
            let existing: Vec<Version> = existing.iter().map(|text| v(text)).collect();
            let next = commit_version(&branch, upstream, checked_out.as_ref(), None, &existing)
                .expect("numbered");
            assert_eq!(
                next.trailing_revision().to_string(),
                expected,
                "{upstream} on {branch}"
            );
            assert_eq!(next.branch(), &branch);
        }
    }

    #[test]
    fn a_merge_numbers_after_the_parent() {
        let branch: Branch = "/a.example.com@rpl:2//b.example.com@rpl:s"
            .parse()
            .expect("b");
        let checked_out = v("/a.example.com@rpl:2//b.example.com@rpl:s/2.6.5-1.1");
        let merged = Version::thaw("/a.example.com@rpl:2/1700000000.000:2.6.6-1").expect("v");
        let existing = [checked_out.clone()];
        let next = commit_version(
            &branch,
            "2.6.6",
            Some(&checked_out),
            Some(&merged),
            &existing,
        )
        .expect("numbered");
        assert_eq!(
            next.to_string(),
            "/a.example.com@rpl:2//b.example.com@rpl:s/2.6.6-1.1"
        );
        // Committed twice after the same merge: the count goes on.
        let again = commit_version(
            &branch,
            "2.6.6",
            Some(&next),
            Some(&merged),
            std::slice::from_ref(&next),
        )
        .expect("numbered");
        assert_eq!(again.trailing_revision().to_string(), "2.6.6-1.2");
        // The recipe's upstream is not the merged one: a new upstream.
        let other = commit_version(
            &branch,
            "2.6.7",
            Some(&checked_out),
            Some(&merged),
            &existing,
        )
        .expect("numbered");
        assert_eq!(other.trailing_revision().to_string(), "2.6.7-0.1");
        // Shadow of a shadow: the merged parent is itself dotted.
        let deep: Branch = "/a.example.com@rpl:2//b.example.com@rpl:s//c.example.com@rpl:t"
            .parse()
            .expect("deep");
        let parent = v("/a.example.com@rpl:2//b.example.com@rpl:s/2.6.6-1.1");
        let next = commit_version(&deep, "2.6.6", None, Some(&parent), &[]).expect("numbered");
        assert_eq!(next.trailing_revision().to_string(), "2.6.6-1.1.1");
    }

    proptest::proptest! {
        /// A commit after merging a parent version on a shadow of any
        /// depth is a modified shadow of exactly that parent version, and
        /// the next commit on it counts on from it.
        #[test]
        fn a_merge_commit_is_a_child_of_the_merged_parent(
            upstream in "[0-9][0-9a-z.]{0,6}",
            counts in proptest::collection::vec(1u64..50, 1..4),
            extra in 1usize..3,
        ) {
            let hosts = ["a", "b", "c", "d", "e", "f"];
            let depth = counts.len() - 1;
            let mut parent_branch = String::from("/a.example.com@rpl:t");
            for host in &hosts[1..=depth] {
                parent_branch.push_str(&format!("//{host}.example.com@rpl:t"));
            }
            let count: Vec<String> = counts.iter().map(u64::to_string).collect();
            let parent = v(&format!("{parent_branch}/{upstream}-{}", count.join(".")));
            let mut branch = parent_branch.clone();
            for host in &hosts[depth + 1..depth + 1 + extra] {
                branch.push_str(&format!("//{host}.example.com@rpl:t"));
            }
            let branch: Branch = branch.parse().expect("branch");
            let next = commit_version(&branch, &upstream, None, Some(&parent), &[])
                .expect("numbered");
            proptest::prop_assert!(next.is_modified_shadow(), "{}", next);
            let mut up = next.clone();
            for _ in 0..extra {
                up = up.parent_version().expect("a parent");
            }
            proptest::prop_assert_eq!(up.to_string(), parent.to_string());
            let again = commit_version(&branch, &upstream, Some(&next), None, std::slice::from_ref(&next))
                .expect("numbered");
            proptest::prop_assert!(again.trailing_revision().source_count() > next.trailing_revision().source_count());
        }
    }

    #[test]
    fn existing_timestamps_do_not_matter() {
        let branch: Branch = "/a.example.com@rpl:2".parse().expect("branch");
        let stamped = Version::thaw("/a.example.com@rpl:2/1700000000.000:1.0-1").expect("v");
        let next = commit_version(&branch, "1.0", None, None, &[stamped]).expect("numbered");
        assert_eq!(next.to_string(), "/a.example.com@rpl:2/1.0-2");
    }

    #[test]
    fn bad_upstream_is_an_error() {
        let branch: Branch = "/a.example.com@rpl:2".parse().expect("branch");
        let error = commit_version(&branch, "1-0", None, None, &[]).expect_err("hyphen");
        assert!(
            error
                .to_string()
                .starts_with("version '1-0' on /a.example.com@rpl:2: "),
            "{error}"
        );
    }
}
