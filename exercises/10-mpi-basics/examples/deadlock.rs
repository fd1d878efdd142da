// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The deadlock of task 3, to watch: every pair of ranks exchanges 100 000 values with
//! `exchange_deadlock`, where both partners send first with a synchronous send.
//!
//! ```text
//! cargo build --release -p mpi-basics --example deadlock
//! mpirun -n 2 target/release/examples/deadlock
//! ```
//!
//! Neither rank ever gets past its send. After 10 seconds (`--patience SECONDS`) a watchdog
//! thread gives up, says so and ends the job (a panic on any rank ends every rank, through the
//! course's MPI harness). `--patience 0` starts no watchdog: the job then waits for ever, as a
//! real deadlock does, until Ctrl-C or a batch system's time limit ends it. With
//! `exchange_send_receive` in place of `exchange_deadlock` (once task 3 is done), the same
//! program finishes at once.

use harness_mpi::mpi::traits::*;
use std::process::ExitCode;
use std::time::Duration;

/// `--patience SECONDS` (10 by default): how long the watchdog waits; `None` for no watchdog.
fn patience() -> Result<Option<Duration>, String> {
    let mut seconds = 10;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--patience" => {
                let v = args.next().ok_or("--patience needs a number of seconds")?;
                seconds = v.parse().map_err(|_| format!("--patience: '{v}' is not a whole number of seconds"))?;
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok((seconds > 0).then(|| Duration::from_secs(seconds)))
}

fn main() -> ExitCode {
    let world = harness_mpi::world();
    let (rank, size) = (world.rank(), world.size());
    // Every rank reads the same arguments, so every rank stops on the same error.
    let patience = match patience() {
        Ok(patience) => patience,
        Err(e) => {
            if rank == 0 {
                eprintln!("error: {e}\nusage: mpirun -n RANKS deadlock [--patience SECONDS]");
            }
            return ExitCode::from(2);
        }
    };
    let data = vec![rank as f64; 100_000];

    if let Some(patience) = patience {
        std::thread::spawn(move || {
            std::thread::sleep(patience);
            panic!(
                "still waiting after {} s: rank {rank}'s partner is sending too, and a synchronous send returns only \
                 once the other side receives. Deadlock.",
                patience.as_secs()
            );
        });
    }

    println!("rank {rank} of {size}: sending 100000 values to my partner, then receiving theirs");
    let received = mpi_basics::exchange_deadlock(&world, &data);
    println!("rank {rank} of {size}: received {} values from rank {}", received.len(), received[0]);
    ExitCode::SUCCESS
}
