// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The deadlock of task 3, to watch: every pair of ranks exchanges 100 000 values with
//! `exchange_deadlock`, where both partners send first with a synchronous send.
//!
//! ```text
//! cargo build --release -p mpi-basics --example deadlock
//! mpirun -n 2 target/release/examples/deadlock
//! ```
//!
//! Neither rank ever gets past its send. After 10 seconds a watchdog thread gives up, says
//! so and ends the job (a panic on any rank ends every rank, through the course's MPI
//! harness). With `exchange_send_receive` in place of `exchange_deadlock` (once task 3 is
//! done), the same program finishes at once.

use harness_mpi::mpi::traits::*;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(10);

fn main() {
    let world = harness_mpi::world();
    let (rank, size) = (world.rank(), world.size());
    let data = vec![rank as f64; 100_000];

    std::thread::spawn(move || {
        std::thread::sleep(PATIENCE);
        panic!(
            "still waiting after {} s: rank {rank}'s partner is sending too, and a synchronous send returns only \
             once the other side receives. Deadlock.",
            PATIENCE.as_secs()
        );
    });

    println!("rank {rank} of {size}: sending 100000 values to my partner, then receiving theirs");
    let received = mpi_basics::exchange_deadlock(&world, &data);
    println!("rank {rank} of {size}: received {} values from rank {}", received.len(), received[0]);
}
