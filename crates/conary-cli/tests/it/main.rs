//! End-to-end tests of the `conary`, `cvc` and `conary-repos` binaries,
//! and the commands' operations in process.

mod cli;
mod commands;
mod e2e_affinity;
mod e2e_auth;
mod e2e_by_reference;
mod e2e_cook;
mod e2e_corpus;
mod e2e_errors;
mod e2e_merge;
mod e2e_model;
mod e2e_model_include;
mod e2e_promote;
mod e2e_redirect;
mod e2e_rollback_class;
mod e2e_shadow;
mod e2e_source;
mod e2e_system;
mod e2e_tags;
mod repos;
mod system_commands;
