//! One module per command.

pub mod config;
pub mod explain;
pub mod repos;
pub mod repos_serve;
