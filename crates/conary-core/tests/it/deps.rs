//! Tests for deps.
