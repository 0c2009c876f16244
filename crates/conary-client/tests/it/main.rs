//! Integration tests of `conary-client` against real HTTP servers on free
//! loopback ports: a small fault-injecting server for the transport
//! (`server`), and real repositories served by `conary-server` (`repos`)
//! for `NetworkSource`. One binary, one module per concern.

mod auth;
mod blobs;
mod by_reference;
mod json;
mod network;
mod parallel;
mod repos;
mod server;
