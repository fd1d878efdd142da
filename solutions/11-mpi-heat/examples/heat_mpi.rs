//! The heat program on MPI ranks: rank 0 reads the field, every rank evolves its block, rank 0
//! gathers the result, writes a picture of it and prints the time.
//!
//! ```text
//! cargo build --release -p mpi-heat-solution --example heat_mpi_solution
//! mpirun -n 2 target/release/examples/heat_mpi_solution   # the course's bottle, 1000 steps
//! mpirun -n 4 --oversubscribe target/release/examples/heat_mpi_solution --size 2000 --steps 100 --serial
//! ```
//!
//! Options: `INPUT` (a field file, default the course's 200 × 200 bottle), `--size N` or
//! `--rows R --cols C` (a generated bottle instead of a file), `--steps N` (default 1000),
//! `--overlap` (task 5's version instead of task 4's), `--runs N` (time N runs, print the
//! fastest), `--serial` (also time the serial baseline on rank 0 alone, and print the
//! speedup), `--out DIR` (where `heat_mpi.png` goes, default `heat-output`), `--check` (check
//! the result against the serial reference with the tests' check; exit code 1 if it differs).
//! Rank 0 also prints which node each rank ran on.

fn main() -> std::process::ExitCode {
    harness_mpi::heat_program::main(mpi_heat_solution::evolve_halo, mpi_heat_solution::evolve_overlap)
}
