//! Integration tests of conary-system: corpus packages imported into a
//! temporary repository, installed, updated, erased and rolled back in
//! temporary roots, and crashed at every step.

mod conflicts;
mod crash;
mod dry_run;
mod fixtures;
mod install;
mod merge;
mod model;
mod plan;
mod queries;
mod scripts;
mod special;
mod tags;
mod together;
mod update;
