//! One module per command.

pub mod repos;
pub mod repos_serve;
