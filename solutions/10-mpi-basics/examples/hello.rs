//! Task 1 as a program, the solution's: every rank prints its greeting. The cluster test runs it
//! through `exercises/10-mpi-basics/jobs/hello.sbatch` (`PROGRAM=…/hello_solution`).

fn main() {
    let world = harness_mpi::world();
    let (_, _, greeting) = mpi_basics_solution::hello(&world);
    println!("{greeting}");
}
