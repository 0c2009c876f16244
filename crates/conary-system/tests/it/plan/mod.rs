//! The update planner, against troves held in memory and against a
//! repository of imported Debian packages.

mod affinity;
mod corpus;
mod deps;
mod fixture;
mod recursion;
mod redirect;
mod specs;
