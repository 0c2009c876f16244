//! End-to-end tests of the `conary`, `cvc` and `conary-repos` binaries.

mod repos;
