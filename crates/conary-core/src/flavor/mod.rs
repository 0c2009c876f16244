//! Flavors: instruction sets and use flags.
