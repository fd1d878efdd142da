// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! Task 1 as a program: every rank prints its greeting (once `hello` is done).
//!
//! ```text
//! cargo build --release -p mpi-basics --example hello
//! mpirun -n 4 --oversubscribe target/release/examples/hello
//! ```
//!
//! Run it a few times: the lines come in a different order each time, as four processes print
//! at once and nothing orders them.

fn main() {
    let world = harness_mpi::world();
    let (_, _, greeting) = mpi_basics::hello(&world);
    println!("{greeting}");
}
