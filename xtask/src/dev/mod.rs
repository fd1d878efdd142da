//! The instructor's and course developer's commands, `cargo xtask dev …`: `verify` (the grader
//! discriminates), `ci` (everything CI runs), `figures` (every measured figure regenerated),
//! `compare` (the course's kernels in every language), `seal` (the integrity seal), `cluster` (a two-node Slurm cluster for the MPI chapters' job
//! scripts); and the
//! tidy tests, invariants of the course checked by `cargo test -p xtask`.

pub mod cluster;
pub mod compare;
pub mod figures;
pub mod seal;
#[cfg(test)]
mod tidy;
pub mod verify;
