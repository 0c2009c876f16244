//! Integration tests of `conary-client` against a real HTTP server on a
//! free loopback port: one binary, one module per concern.

mod auth;
mod blobs;
mod json;
mod parallel;
mod server;
