//! Tests for versions.
