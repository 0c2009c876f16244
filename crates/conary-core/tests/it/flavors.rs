//! Tests for flavors.
