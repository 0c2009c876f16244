//! Integration tests of `conary-system`, one module per area.

mod plan;
