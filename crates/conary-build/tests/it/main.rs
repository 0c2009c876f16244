//! Integration tests of `conary-build`, one module per area.

mod corpus;
mod deb_changeset;
mod deb_components;
mod deb_import;
mod deb_read;
mod deb_versions;
mod policy;
