//! Integration tests of `conary-core`: one binary, one module per area.

mod deps;
mod flavors;
mod names;
mod specs;
mod troves;
mod versions;
