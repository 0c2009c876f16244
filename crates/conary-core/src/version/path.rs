//! The text form shared by branches and versions: parsing with templates,
//! printing with abbreviations, and the closeness measure.

use std::collections::BTreeSet;

use super::{Branch, BranchStep, Label, Revision, VersionError, label, revision};

/// One element of a branch or version path, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Elem<'a> {
    Label(&'a Label),
    Revision(&'a Revision),
}

/// The elements of `branch` followed by `trailing`, if any.
pub(crate) fn elems<'a>(branch: &'a Branch, trailing: Option<&'a Revision>) -> Vec<Elem<'a>> {
    let mut out = vec![Elem::Label(branch.root())];
    for step in branch.steps() {
        match step {
            BranchStep::Shadow(label) => out.push(Elem::Label(label)),
            BranchStep::Branch { revision, label } => {
                out.push(Elem::Revision(revision));
                out.push(Elem::Label(label));
            }
        }
    }
    if let Some(revision) = trailing {
        out.push(Elem::Revision(revision));
    }
    out
}

/// Prints elements, each label and revision abbreviated against the
/// previous one. A label right after a label is a shadow (`//`).
pub(crate) fn render(elems: &[Elem<'_>], leading_slash: bool, frozen: bool) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(elems.len() + 2);
    if leading_slash {
        parts.push(String::new());
    }
    let mut last_label: Option<&Label> = None;
    let mut last_revision: Option<&Revision> = None;
    let mut expect_label = matches!(elems.first(), Some(Elem::Label(_)));
    for elem in elems {
        match *elem {
            Elem::Label(label) => {
                if !expect_label {
                    parts.push(String::new());
                }
                parts.push(match last_label {
                    Some(previous) => label.as_string_against(previous),
                    None => label.to_string(),
                });
                last_label = Some(label);
                expect_label = false;
            }
            Elem::Revision(revision) => {
                parts.push(revision.render(last_revision, frozen));
                last_revision = Some(revision);
                expect_label = true;
            }
        }
    }
    parts.join("/")
}

/// Prints `elems` against a default branch: when the default branch is a
/// proper prefix, it is left out (which can hide a shadow marker).
pub(crate) fn render_against(elems: &[Elem<'_>], default: &Branch) -> String {
    let prefix = self::elems(default, None);
    if prefix.len() < elems.len() && elems.get(..prefix.len()) == Some(prefix.as_slice()) {
        render(elems.get(prefix.len()..).unwrap_or_default(), false, false)
    } else {
        render(elems, true, false)
    }
}

/// The closeness of two paths: elements and label transitions they share,
/// over those they don't. Identical paths are infinitely close.
pub(crate) fn closeness(ours: &[Elem<'_>], theirs: &[Elem<'_>]) -> f64 {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Key<'a> {
        Elem(Elem<'a>),
        Transition(&'a Label, &'a Label),
    }
    fn keys<'a>(elems: &[Elem<'a>]) -> BTreeSet<Key<'a>> {
        let mut set: BTreeSet<Key<'a>> = elems.iter().map(|e| Key::Elem(*e)).collect();
        let labels: Vec<&Label> = elems
            .iter()
            .filter_map(|e| match e {
                Elem::Label(label) => Some(*label),
                Elem::Revision(_) => None,
            })
            .collect();
        for pair in labels.windows(2) {
            if let [from, to] = pair {
                set.insert(Key::Transition(from, to));
            }
        }
        set
    }
    let ours = keys(ours);
    let theirs = keys(theirs);
    let common = ours.intersection(&theirs).count();
    let differing = ours.len() + theirs.len() - 2 * common;
    if differing == 0 {
        return f64::INFINITY;
    }
    common as f64 / differing as f64
}

/// A parsed path: a branch and, for a version, the trailing revision.
pub(crate) struct Parsed {
    pub(crate) branch: Branch,
    pub(crate) trailing: Option<Revision>,
}

/// Parses an absolute branch or version string (`/label/...`), expanding
/// abbreviated labels and revisions against the previous ones. With
/// `frozen`, every revision carries a `TIMESTAMP:` prefix.
pub(crate) fn parse(text: &str, frozen: bool) -> Result<Parsed, VersionError> {
    let Some(body) = text.strip_prefix('/') else {
        return Err(VersionError::version(
            text,
            "a full version must start with '/'",
        ));
    };
    let mut root: Option<Label> = None;
    let mut steps: Vec<BranchStep> = Vec::new();
    let mut pending_revision: Option<Revision> = None;
    let mut shadow_marker = false;
    let mut expect_label = true;
    let mut depth: usize = 0;
    let mut last_label: Option<Label> = None;
    let mut last_revision: Option<Revision> = None;

    for part in body.split('/') {
        if expect_label {
            let label = label::parse(part, last_label.as_ref())
                .map_err(|error| VersionError::in_version(text, error))?;
            if root.is_none() {
                root = Some(label.clone());
            } else if shadow_marker {
                steps.push(BranchStep::Shadow(label.clone()));
                depth += 1;
            } else if let Some(revision) = pending_revision.take() {
                steps.push(BranchStep::Branch {
                    revision,
                    label: label.clone(),
                });
                depth = 0;
            }
            last_label = Some(label);
            shadow_marker = false;
            expect_label = false;
        } else if part.is_empty() {
            shadow_marker = true;
            expect_label = true;
        } else {
            let parsed = if frozen {
                revision::thaw(part, last_revision.as_ref())
            } else {
                revision::parse(part, last_revision.as_ref())
            };
            let parsed = parsed.map_err(|error| VersionError::in_version(text, error))?;
            if parsed.shadow_count() > depth {
                return Err(VersionError::version(
                    text,
                    format!("too many shadow serial numbers in '{part}' (shadow depth {depth})"),
                ));
            }
            last_revision = Some(parsed.clone());
            pending_revision = Some(parsed);
            expect_label = true;
        }
    }
    if shadow_marker {
        return Err(VersionError::version(text, "ends with '/'"));
    }
    let Some(root) = root else {
        return Err(VersionError::version(text, "missing label"));
    };
    let branch = Branch::from_parts(root, steps);
    Ok(Parsed {
        branch,
        trailing: pending_revision,
    })
}
