//! Benchmark: building a relative changeset (filled in later).

fn main() {}
