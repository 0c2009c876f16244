//! Integration tests of `conary-build`, one module per area.

mod build;
mod corpus;
mod deb_changeset;
mod deb_components;
mod deb_import;
mod deb_read;
mod deb_versions;
mod group;
mod policy;
mod recipe;
