//! Integration tests of the repository engine: commits, queries,
//! changeset generation, access control, concurrency and repositories that
//! refer to each other.

mod by_reference;
mod changesets;
mod commits;
mod compressed;
mod concurrency;
mod fixtures;
mod queries;
mod references;
