//! One module per command.

pub mod changeset;
pub mod commit;
pub mod config;
pub mod cook;
pub mod derive;
pub mod explain;
pub mod import_deb;
pub mod local;
pub mod markremoved;
pub mod merge;
pub mod migrate;
pub mod pin;
pub mod promote;
pub mod query;
pub mod redirect;
pub mod repos;
pub mod repos_serve;
pub mod rollback;
pub mod rq;
pub mod shadow;
pub mod showcs;
pub mod source_control;
pub mod sync;
pub mod update;
pub mod verify;
