//! Integration tests of conary-changeset.
