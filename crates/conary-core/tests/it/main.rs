//! Integration tests of `conary-core`: one binary, one module per area.

mod config;
mod deps;
mod flavors;
mod formats;
mod names;
mod specs;
mod troves;
mod versions;
