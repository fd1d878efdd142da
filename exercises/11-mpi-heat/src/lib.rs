//! Exercise 11: exercise 01's heat equation on several MPI ranks. Read README.md first.
//!
//! The field is cut into blocks of whole rows, one block per rank. Rank 0 holds the field,
//! scatters the blocks, every rank evolves its own block (exchanging its edge rows with its
//! neighbours before every step), and rank 0 gathers the result. Five tasks, each a
//! `todo!()`: replace them in order, `cargo xtask check mpi-heat` runs each task's test under
//! `mpirun` with 1, 2, 3 and 4 ranks, then times tasks 4 and 5 on two ranks against the
//! serial solver. Keep the signatures and `Block`'s fields: the tests use them.

// The `todo!()` bodies leave parameters and imports unused; delete this line when you are done.
#![allow(unused_variables, unused_imports)]

use harness::heat::{Grid, Params};
use harness::mpi_heat::step_rows;
use harness_mpi::mpi::Count;
use harness_mpi::mpi::datatype::{Partition, PartitionMut};
use harness_mpi::mpi::point_to_point::send_receive_into;
use harness_mpi::mpi::request;
use harness_mpi::mpi::topology::{Process, SimpleCommunicator};
use harness_mpi::mpi::traits::{Communicator, Destination, Root, Source};
use std::ops::Range;

/// One rank's part of the field, given: whole rows, with a ghost row above and below, its rows
/// in `data` (see its documentation: `Block::new`, `row`, `parts_mut`, `updated_rows`).
pub use harness_mpi::heat::Block;

// ---- Task 1: who owns which rows -------------------------------------------------------------

/// The rows of a `rows`-row field that rank `rank` of `size` owns: `rows / size` each, and one
/// more for each of the first `rows % size` ranks, so blocks differ by at most one row.
/// `block_rows(10, 4, r)` for r = 0, 1, 2, 3 is `0..3`, `3..6`, `6..8`, `8..10`.
pub fn block_rows(rows: usize, size: usize, rank: usize) -> Range<usize> {
    todo!()
}

// ---- Task 2: scatter -------------------------------------------------------------------------

/// Every rank's block of the field rank 0 holds (`field` is `Some` on rank 0, `None`
/// elsewhere), its ghost rows left at zero. Only rank 0 knows the shape: broadcast it first.
/// Then one `scatter_varcount_into_root` (rank 0) / `scatter_varcount_into` (the others)
/// sends every rank its rows, straight into the owned part of its block.
pub fn scatter(world: &SimpleCommunicator, field: Option<&Grid>) -> Block {
    todo!()
}

// ---- Task 3: halo exchange -------------------------------------------------------------------

/// Fills the block's top ghost row with the last row of the rank above, and its bottom ghost
/// row with the first row of the rank below (`send_receive_into`), leaving the owned rows as
/// they are. The first rank has no rank above, the last none below.
pub fn exchange_halos(world: &SimpleCommunicator, block: &mut Block) {
    todo!()
}

// ---- Task 4: gather, and the whole evolution (timed: stage `halo`) ---------------------------

/// The whole field on rank 0 (`None` elsewhere), from every rank's owned rows (not the
/// ghosts): `gather_varcount_into_root` / `gather_varcount_into`.
pub fn gather(world: &SimpleCommunicator, block: &Block) -> Option<Grid> {
    todo!()
}

/// `steps` time steps of the field rank 0 holds (`Some` there, `None` elsewhere), every rank
/// working on its block; the evolved field on rank 0, `None` elsewhere. Scatter, then every
/// step: exchange the halos and update the block's rows with
/// `step_rows(&block.data, &mut next, cols, block.updated_rows(), params)` into a second
/// buffer, then swap the two; gather at the end.
pub fn evolve_halo(world: &SimpleCommunicator, field: Option<&Grid>, params: &Params, steps: usize) -> Option<Grid> {
    todo!()
}

// ---- Task 5: overlap communication with computation (timed: stage `overlap`) -----------------

/// [`evolve_halo`], with the halo exchange in flight (`immediate_send` and
/// `immediate_receive_into` inside `request::scope`) while the rows that need no ghost row
/// are computed; then, once the messages have arrived, the two edge rows.
pub fn evolve_overlap(world: &SimpleCommunicator, field: Option<&Grid>, params: &Params, steps: usize) -> Option<Grid> {
    todo!()
}
