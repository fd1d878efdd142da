//! Solution to exercise 11: exercise 01's heat equation on several MPI ranks.
//!
//! The field is cut into blocks of whole rows, one per rank (task 1). Rank 0 holds the field
//! and scatters the blocks (task 2). A step of the stencil needs the row above and the row
//! below every row, so each block keeps one *ghost row* on each side, a copy of the
//! neighbour's edge row, refreshed before every step by a *halo exchange* (task 3). After the
//! steps, rank 0 gathers the blocks back into a field (task 4). Task 5 hides the exchange
//! behind the work: the messages travel while the rows that need no ghost are computed.
//!
//! The stencil itself is the harness's [`step_rows`], the serial baseline's kernel, so the
//! speedup the grader measures is the decomposition's alone.

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
pub fn block_rows(rows: usize, size: usize, rank: usize) -> Range<usize> {
    let (base, extra) = (rows / size, rows % size);
    // Every rank before this one owns `base` rows, and `min(rank, extra)` of them one more.
    let start = rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}

/// How many values each rank owns, and where its rows start in the whole field: the counts
/// and displacements of `MPI_Scatterv` and `MPI_Gatherv`.
fn counts_and_displacements(rows: usize, cols: usize, size: usize) -> (Vec<Count>, Vec<Count>) {
    let count = |n: usize| Count::try_from(n * cols).expect("a field of fewer than 2³¹ values");
    (0..size).map(|r| block_rows(rows, size, r)).map(|b| (count(b.len()), count(b.start))).unzip()
}

// ---- Task 2: scatter -------------------------------------------------------------------------

/// Every rank's block of the field rank 0 holds (`field` is `Some` on rank 0, `None`
/// elsewhere). The ghost rows are left at zero: the first halo exchange fills them.
///
/// # Panics
/// On every rank, if a rank would own no row (fewer rows than ranks).
pub fn scatter(world: &SimpleCommunicator, field: Option<&Grid>) -> Block {
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let root = world.process_at_rank(0);
    // Only rank 0 knows the shape: broadcast it first, so every rank can size its block.
    let mut shape = field.map_or([0u64; 2], |f| [f.rows as u64, f.cols as u64]);
    root.broadcast_into(&mut shape[..]);
    let (rows, cols) = (shape[0] as usize, shape[1] as usize);
    assert!(rows >= size, "a field of {rows} rows on {size} ranks: every rank needs at least one row");

    let mut block = Block::new(rows, cols, block_rows(rows, size, rank));
    let (_, owned, _) = block.parts_mut();
    if rank == 0 {
        let field = field.expect("rank 0 holds the field");
        // One call sends every rank its rows, straight from the field into each block.
        let (counts, displacements) = counts_and_displacements(rows, cols, size);
        let partition = Partition::new(&field.data[..], counts, &displacements[..]);
        root.scatter_varcount_into_root(&partition, owned);
    } else {
        root.scatter_varcount_into(owned);
    }
    block
}

// ---- Task 3: halo exchange -------------------------------------------------------------------

/// The ranks above and below this one; `None` past the edge of the field.
fn neighbours(world: &SimpleCommunicator) -> (Option<Process<'_>>, Option<Process<'_>>) {
    let (rank, size) = (world.rank(), world.size());
    let up = (rank > 0).then(|| world.process_at_rank(rank - 1));
    let down = (rank + 1 < size).then(|| world.process_at_rank(rank + 1));
    (up, down)
}

/// Sends `row` to `to` while receiving `ghost` from `from`. A missing neighbour is skipped,
/// which is what `MPI_PROC_NULL` does in C: rsmpi has no safe null process, so the `Option`s
/// play its part, and the callers need no case for the top or bottom rank.
fn shift(row: &[f64], to: Option<Process<'_>>, ghost: &mut [f64], from: Option<Process<'_>>) {
    match (to, from) {
        // Both at once (MPI_Sendrecv): two ranks sending to each other cannot deadlock.
        (Some(to), Some(from)) => {
            send_receive_into(row, &to, ghost, &from);
        }
        (Some(to), None) => to.send(row),
        (None, Some(from)) => {
            from.receive_into(ghost);
        }
        (None, None) => {}
    }
}

/// Fills the block's ghost rows with the neighbours' edge rows, in two shifts: every rank sends
/// its first row up and receives its bottom ghost from below, then sends its last row down and
/// receives its top ghost from above. The same two calls on every rank.
pub fn exchange_halos(world: &SimpleCommunicator, block: &mut Block) {
    let (up, down) = neighbours(world);
    let cols = block.cols;
    let (top, owned, bottom) = block.parts_mut();
    let last = owned.len() - cols;
    shift(&owned[..cols], up, bottom, down);
    shift(&owned[last..], down, top, up);
}

// ---- Task 4: gather, and the whole evolution -------------------------------------------------

/// The whole field on rank 0 (`None` elsewhere), from every rank's owned rows (not the ghosts).
pub fn gather(world: &SimpleCommunicator, block: &Block) -> Option<Grid> {
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let root = world.process_at_rank(0);
    let owned = &block.data[block.cols..(block.owned.len() + 1) * block.cols];
    if rank == 0 {
        let mut data = vec![0.0; block.rows * block.cols];
        let (counts, displacements) = counts_and_displacements(block.rows, block.cols, size);
        let mut partition = PartitionMut::new(&mut data[..], counts, &displacements[..]);
        root.gather_varcount_into_root(owned, &mut partition);
        Some(Grid::new(block.rows, block.cols, data))
    } else {
        root.gather_varcount_into(owned);
        None
    }
}

/// `steps` time steps of the field rank 0 holds (`Some` there, `None` elsewhere), every rank
/// working on its block; the result on rank 0. Every step: exchange the halos, then update.
pub fn evolve_halo(world: &SimpleCommunicator, field: Option<&Grid>, params: &Params, steps: usize) -> Option<Grid> {
    let mut block = scatter(world, field);
    // The second buffer, swapped with the first after each step. A copy of the block, so
    // that the values no step writes (the boundary columns, the field's first and last
    // rows) are already in place; the ghost rows are refreshed before they are read.
    let mut next = block.data.clone();
    let updated = block.updated_rows();
    for _ in 0..steps {
        exchange_halos(world, &mut block);
        step_rows(&block.data, &mut next, block.cols, updated.clone(), params);
        std::mem::swap(&mut block.data, &mut next);
    }
    gather(world, &block)
}

// ---- Task 5: overlap communication with computation ------------------------------------------

/// The rows of `a` that are also in `b`.
fn intersect(a: &Range<usize>, b: Range<usize>) -> Range<usize> {
    a.start.max(b.start)..a.end.min(b.end)
}

/// [`evolve_halo`], with the halo exchange in flight while the block's inner rows (which need
/// no ghost row) are computed; the two edge rows follow once the ghosts have arrived.
pub fn evolve_overlap(world: &SimpleCommunicator, field: Option<&Grid>, params: &Params, steps: usize) -> Option<Grid> {
    let mut block = scatter(world, field);
    let mut next = block.data.clone();
    let (up, down) = neighbours(world);
    let (cols, n) = (block.cols, block.owned.len());
    let updated = block.updated_rows();
    // Local rows 2..n read only owned rows; rows 1 and n read a ghost row (one row if n = 1).
    let inner = intersect(&updated, 2..n);
    let mut edges = vec![1, n];
    edges.dedup();
    edges.retain(|k| updated.contains(k));
    for _ in 0..steps {
        let (top, owned, bottom) = block.parts_mut();
        let owned: &[f64] = owned;
        // Requests live in a scope, their buffers outside it; a request still pending when
        // the scope ends is a panic, never a message landing in memory that has gone.
        request::scope(|scope| {
            // Post every receive and send at once: none waits for another, so no order of
            // ranks can deadlock.
            let receives = [
                up.map(move |p| p.immediate_receive_into(scope, top)),
                down.map(move |p| p.immediate_receive_into(scope, bottom)),
            ];
            let sends = [
                up.map(|p| p.immediate_send(scope, &owned[..cols])),
                down.map(|p| p.immediate_send(scope, &owned[(n - 1) * cols..])),
            ];
            // While the rows travel: the inner rows, from the owned rows alone (row k of
            // `owned` is local row k + 1, in `next` as in `data`).
            let shifted = inner.start.saturating_sub(1)..inner.end.saturating_sub(1);
            step_rows(owned, &mut next[cols..(n + 1) * cols], cols, shifted, params);
            for request in receives.into_iter().chain(sends).flatten() {
                request.wait();
            }
        });
        // The ghosts are in: the edge rows.
        for &k in &edges {
            step_rows(&block.data, &mut next, cols, k..k + 1, params);
        }
        std::mem::swap(&mut block.data, &mut next);
    }
    gather(world, &block)
}
