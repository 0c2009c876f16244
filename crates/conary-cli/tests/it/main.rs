//! End-to-end tests of the `conary`, `cvc` and `conary-repos` binaries,
//! and the commands' operations in process.

mod commands;
mod repos;
