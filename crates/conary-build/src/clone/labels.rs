//! Where a clone goes: the `FROM--TO` label mappings of `cvc promote`,
//! the target branch of a trove, and its revision reshaped onto it.
//!
//! A clone goes to a *related* branch (see [`target_for_label`] and
//! [`check_related`]): a sibling (the same parent, the last label
//! replaced: `/a//dev` → `/a//qa`, or the trunks `/h@ns:dev` →
//! `/h@ns:prod` of one repository and namespace), or the parent branch
//! ("uphill"). The revision stays the same when it fits the target's
//! shadow depth ([`reshape`]); see `versions` for the uphill numbering of
//! a revision changed on a shadow.

use conary_core::version::{Branch, BranchStep, Label, LabelSpec, Version};

use super::CloneError;

/// One `FROM--TO` pair of `cvc promote`: troves on label `from` go to
/// label `to`.
///
/// `FROM` may be abbreviated against the default label (the build label:
/// `:qa`, `@rpl:qa`, `host@`), `TO` against `FROM` (`:qa--:prod`).
///
/// ```rust
/// use conary_build::clone::LabelMapping;
/// let default = "a.example.com@rpl:devel".parse().expect("label");
/// let mapping = LabelMapping::parse(":qa--:prod", Some(&default)).expect("mapping");
/// assert_eq!(mapping.from.to_string(), "a.example.com@rpl:qa");
/// assert_eq!(mapping.to.to_string(), "a.example.com@rpl:prod");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LabelMapping {
    /// The label troves are promoted from.
    pub from: Label,
    /// The label they are promoted to.
    pub to: Label,
}

impl LabelMapping {
    /// Parses `FROM--TO`; `default` completes an abbreviated `FROM`.
    ///
    /// # Errors
    /// [`CloneError::LabelMapping`] naming the text when it is not two
    /// labels joined by `--`, a part is not a label spec, `FROM` is
    /// abbreviated with no default, or both sides are the same label.
    pub fn parse(text: &str, default: Option<&Label>) -> Result<LabelMapping, CloneError> {
        let error = |reason: String| CloneError::LabelMapping {
            text: text.to_owned(),
            reason,
        };
        let (from, to) = text
            .split_once("--")
            .ok_or_else(|| error("expected FROM--TO".to_owned()))?;
        let from_spec: LabelSpec = from
            .parse()
            .map_err(|e| error(format!("FROM '{from}': {e}")))?;
        let from = match (&from_spec, default) {
            (LabelSpec::Label(label), _) => label.clone(),
            (_, Some(default)) => {
                only_label(&from_spec, default).map_err(|e| error(format!("FROM '{from}': {e}")))?
            }
            (_, None) => {
                return Err(error(format!(
                    "FROM '{from}' is abbreviated and there is no buildLabel to complete it"
                )));
            }
        };
        let to_spec: LabelSpec = to.parse().map_err(|e| error(format!("TO '{to}': {e}")))?;
        let to = only_label(&to_spec, &from).map_err(|e| error(format!("TO '{to}': {e}")))?;
        if from == to {
            return Err(error(format!("FROM and TO are the same label {from}")));
        }
        Ok(LabelMapping { from, to })
    }
}

/// `spec` completed against `template`.
fn only_label(spec: &LabelSpec, template: &Label) -> Result<Label, String> {
    let labels = spec
        .apply(std::slice::from_ref(template))
        .map_err(|error| error.to_string())?;
    labels
        .into_iter()
        .next()
        .ok_or_else(|| "names no label".to_owned())
}

/// The sibling of `branch` whose last label is `label`: the parent's
/// shadow (or branch) onto `label`, or the trunk `/label`; the parent
/// branch itself when it ends in `label` ("uphill").
///
/// # Errors
/// [`CloneError::Unrelated`] when the sibling cannot be made (the label
/// is already one of the branch's own labels).
pub fn target_for_label(branch: &Branch, label: &Label) -> Result<Branch, CloneError> {
    let unrelated = |reason: String| CloneError::Unrelated {
        from: branch.to_string(),
        to: label.to_string(),
        reason,
    };
    let Some(parent) = branch.parent_branch() else {
        return Ok(Branch::new(label.clone()));
    };
    if parent.label() == label {
        return Ok(parent);
    }
    match branch.steps().last() {
        Some(BranchStep::Branch { revision, .. }) => parent
            .create_version(revision.clone())
            .and_then(|point| point.create_branch(label.clone()))
            .map_err(|error| unrelated(error.to_string())),
        _ => parent
            .create_shadow(label.clone())
            .map_err(|error| unrelated(error.to_string())),
    }
}

/// Refuses a clone from `from` to an unrelated branch `to`. Related: the
/// parent of `from` (or any ancestor), or a sibling (the same parent;
/// for trunks, the same namespace, on any host: a promotion to another
/// repository).
///
/// # Errors
/// [`CloneError::Unrelated`] naming both branches.
pub fn check_related(from: &Branch, to: &Branch) -> Result<(), CloneError> {
    if from == to {
        return Err(CloneError::Unrelated {
            from: from.to_string(),
            to: to.to_string(),
            reason: "it is the same branch".to_owned(),
        });
    }
    let mut ancestor = from.parent_branch();
    while let Some(branch) = ancestor {
        if &branch == to {
            return Ok(());
        }
        ancestor = branch.parent_branch();
    }
    let related = match (from.parent_branch(), to.parent_branch()) {
        (Some(a), Some(b)) => a == b,
        (None, None) => from.label().namespace() == to.label().namespace(),
        _ => false,
    };
    if related {
        return Ok(());
    }
    Err(CloneError::Unrelated {
        from: from.to_string(),
        to: to.to_string(),
        reason: "it is neither a parent nor a sibling (same parent branch, or a trunk of the same namespace)".to_owned(),
    })
}

/// `version` reshaped onto `target`: the same revision (without its
/// timestamp: the repository stamps it on commit).
///
/// # Errors
/// [`CloneError::Reshape`] when the revision's dotted counts do not fit
/// the target's shadow depth (a revision changed on a shadow cloned to
/// its parent).
pub fn reshape(version: &Version, target: &Branch) -> Result<Version, CloneError> {
    let revision = version.trailing_revision().clone().with_timestamp(None);
    target
        .create_version(revision)
        .map_err(|error| CloneError::Reshape {
            version: version.to_string(),
            branch: target.to_string(),
            reason: error.to_string(),
        })
}
