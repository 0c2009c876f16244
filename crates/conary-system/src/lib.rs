//! One machine: local database, update planning, applying jobs, rollbacks, tags, system model.
//!
//! - [`plan`]: update planning. Change specs (`foo`, `-bar`, `baz=1.0--2.0`)
//!   become a [`plan::Plan`] of jobs (install, update, erase) before
//!   anything is touched, with branch and flavor affinity, recursion into
//!   packages and groups, and dependency checking and resolution. Start at
//!   [`plan::Planner`].

pub mod plan;
