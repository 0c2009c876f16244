//! invert
