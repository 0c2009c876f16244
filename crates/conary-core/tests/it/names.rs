//! Tests for names.
