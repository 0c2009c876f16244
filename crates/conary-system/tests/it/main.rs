//! Integration tests of conary-system.
