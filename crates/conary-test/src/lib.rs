//! Test support for end-to-end tests: real servers on free ports, a
//! `conaryrc` per test, and the shared corpus of real Debian packages.
//!
//! - [`TestRepository`]: a repository directory made by the real
//!   `conary-repos` binary in a temporary directory, with an admin user;
//!   [`TestRepository::serve`] starts `conary-repos serve` on
//!   `127.0.0.1:0` and gives a [`RunningServer`], killed when dropped
//!   (even when the test fails).
//! - [`ConaryRc`]: the configuration file a test hands to `conary` and
//!   `cvc` with `--config-file`.
//! - [`corpus`]: where the Debian corpus is, and its oldest and newest
//!   `.deb` of each package.
//!
//! This crate knows no binary path by itself: Cargo gives those only to the
//! tests of the package that builds the binaries, so tests pass
//! `env!("CARGO_BIN_EXE_conary-repos")` in.
//!
//! ```rust
//! let rc = conary_test::ConaryRc::new()
//!     .repository_map("conary.example.com", "http://127.0.0.1:8000/")
//!     .user("conary.example.com", "admin", "secret")
//!     .install_label("conary.example.com@rpl:2");
//! assert!(rc.text().contains("repositoryMap conary.example.com http://127.0.0.1:8000/\n"));
//! ```

pub mod corpus;
mod rc;
mod server;

pub use rc::ConaryRc;
pub use server::{ADMIN_PASSWORD, ADMIN_USER, RunningServer, TestRepository};
