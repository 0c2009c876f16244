//! Versions: labels, branches, shadows and revisions.
