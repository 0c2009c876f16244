//! The `conary`, `cvc` and `conary-repos` commands.
//!
//! Each command is a thin wrapper: it parses arguments, calls one operation in
//! a library crate, and prints the result. Logic lives in the libraries.

pub mod commands;
pub mod display;
pub mod exit;
pub mod from_file;
pub mod global;
pub mod jobs;
pub mod progress;
pub mod source;
pub mod system;
