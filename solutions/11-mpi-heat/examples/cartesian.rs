//! A Cartesian communicator (`MPI_Cart_create`, `MPI_Cart_shift`): MPI's own map of which rank
//! neighbours which, in place of task 3's rank arithmetic (`rank − 1`, `rank + 1`, `None` past
//! an edge). Each rank prints its neighbours in the row blocks of exercise 11, and in a 2-D grid
//! of blocks, the next step of the decomposition.
//!
//! ```text
//! cargo build --release -p mpi-heat-solution --example cartesian
//! mpirun -n 4 --oversubscribe target/release/examples/cartesian
//! ```

use harness_mpi::mpi;
use mpi::topology::Rank;
use mpi::traits::*;

fn main() {
    let world = harness_mpi::world();
    let (rank, size) = (world.rank(), world.size());

    // One dimension of `size` ranks: not periodic (the field's top and bottom rows are walls,
    // not neighbours of each other), and no reordering, so each rank keeps its world rank and
    // the block of rows it owns.
    let rows = world.create_cartesian_communicator(&[size], &[false], false).expect("every rank is in the line");
    // One step along dimension 0: the rank that sends to this one, and the one this one sends
    // to; `None` past an edge, where C gets MPI_PROC_NULL.
    let (up, down) = rows.shift(0, 1);
    // Exactly the neighbours the solution computes by hand (`neighbours` in src/lib.rs).
    assert_eq!((up, down), ((rank > 0).then(|| rank - 1), (rank + 1 < size).then(|| rank + 1)));

    // Two dimensions: blocks of rows and of columns, so each rank exchanges four shorter edges
    // instead of two whole rows. The grid as square as the rank count allows.
    let tall = (1..=size).rev().find(|d| size % d == 0 && d * d <= size).unwrap_or(1);
    let (grid_rows, grid_cols) = (size / tall, tall);
    let grid = world
        .create_cartesian_communicator(&[grid_rows, grid_cols], &[false, false], false)
        .expect("every rank is in the grid");
    let at = grid.rank_to_coordinates(grid.rank());
    let (north, south) = grid.shift(0, 1);
    let (west, east) = grid.shift(1, 1);
    let name = |n: Option<Rank>| n.map_or("none".to_string(), |r| r.to_string());
    println!(
        "rank {rank} of {size}: rows above/below {}/{}; in a {grid_rows}×{grid_cols} grid at {at:?}: north {}, south {}, \
         west {}, east {}",
        name(up),
        name(down),
        name(north),
        name(south),
        name(west),
        name(east)
    );
}
