//! Relabelling a trove onto another branch: the one rewrite shadows,
//! branches and clones share.

use conary_core::trove::Trove;
use conary_core::version::{Version, VersionError};

/// Rewrites `trove` with `map` applied to its own version, to the versions
/// of the troves it includes (strong and weak references) and to its
/// source version (trove info `source_version`). File references are left
/// alone: the relabelled trove keeps its files' versions, so it references
/// the parent's file streams and contents (nothing is copied). The trove
/// info otherwise stays as it was; callers set `cloned_from` or
/// `derived_from` themselves when they mean it.
///
/// `map` is typically [`Version::create_shadow`] onto one label
/// (`cvc shadow`) or a revision reshaped onto a target branch
/// (`cvc clone`/`promote`).
///
/// ```rust
/// use conary_build::shadow::relabel;
/// use conary_core::trove::Trove;
/// use conary_core::version::{Label, Version};
/// let version: Version = "/a.example.com@rpl:1/1.0-1-1".parse().expect("version");
/// let trove = Trove::new("foo".parse().expect("name"), version, Default::default());
/// let label: Label = "b.example.com@rpl:s".parse().expect("label");
/// let shadow = relabel(&trove, &|v: &Version| v.create_shadow(label.clone())).expect("relabelled");
/// assert_eq!(shadow.version.to_string(), "/a.example.com@rpl:1//b.example.com@rpl:s/1.0-1-1");
/// ```
pub fn relabel(
    trove: &Trove,
    map: &dyn Fn(&Version) -> Result<Version, VersionError>,
) -> Result<Trove, VersionError> {
    let mut new = trove.clone();
    new.version = map(&trove.version)?;
    new.strong_refs = trove
        .strong_refs
        .iter()
        .map(|(tuple, reference)| {
            let mut tuple = tuple.clone();
            tuple.version = map(&tuple.version)?;
            Ok((tuple, reference.clone()))
        })
        .collect::<Result<_, VersionError>>()?;
    new.weak_refs = trove
        .weak_refs
        .iter()
        .map(|(tuple, reference)| {
            let mut tuple = tuple.clone();
            tuple.version = map(&tuple.version)?;
            Ok((tuple, reference.clone()))
        })
        .collect::<Result<_, VersionError>>()?;
    if let Some(source) = &trove.info.source_version {
        new.info.source_version = Some(map(source)?);
    }
    Ok(new)
}
