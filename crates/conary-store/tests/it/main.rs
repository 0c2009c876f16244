//! Integration tests of `conary-store`: one binary, one module per concern.

mod conformance;
mod properties;
mod urls;
