//! The HTTP API answered in-process.

mod api;
mod deltas;
mod support;
mod troves;
