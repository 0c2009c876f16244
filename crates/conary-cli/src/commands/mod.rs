//! One module per command.

pub mod changeset;
pub mod commit;
pub mod config;
pub mod explain;
pub mod import_deb;
pub mod repos;
pub mod repos_serve;
pub mod rq;
pub mod showcs;
