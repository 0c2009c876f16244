//! Integration tests of conary-changeset: round trips, hostile input,
//! truncation, properties, inversion, summaries and real Debian packages.

mod corpus;
mod deltas;
mod fixtures;
mod frames;
mod hostile;
mod invert;
mod props;
mod real_data;
mod round_trip;
mod summary;
mod tree;
mod truncation;
mod verify;
