//! Integration tests of `conary-util`: one binary, one module per concern.

mod atomic;
mod lock;
mod safe_join;
