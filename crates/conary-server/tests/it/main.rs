//! The HTTP API answered in-process.

mod api;
mod support;
mod troves;
