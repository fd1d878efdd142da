//! What a halo exchange costs between two ranks: both send each other a buffer of f64 at once
//! with `send_receive_into`, as exercise 11's halo exchange does, for message sizes from one
//! value to 8 MB (2000 values is one row of the course's 2000-column field). Rank 0 prints
//! where the two ranks run, then the time of one exchange (the median of several batches, after
//! a warm-up) and the bandwidth it makes, one way.
//!
//! Why: small messages cost the latency, a fixed price per message whatever its size, large
//! ones the bandwidth; the size where one gives way to the other says how big a halo must be
//! before splitting a field over more ranks stops paying for its messages. Within a node the
//! ranks exchange through shared memory, across nodes over the network: run it both ways.
//!
//! ```text
//! cargo build --release -p harness-mpi --bin course-halo-cost
//! mpirun -n 2 target/release/course-halo-cost [--quick] [--json]
//! ```
//!
//! `--quick`: fewer repetitions (the whole run in well under 3 s, for CI). `--json`: instead of
//! the text, one line a size, `{"values": N, "bytes": B, "seconds": S}` (S one exchange's time).

use harness_mpi::mpi::point_to_point::send_receive_into;
use harness_mpi::mpi::traits::{Communicator, CommunicatorCollectives, Root};
use std::process::ExitCode;
use std::time::Instant;

/// Message sizes, in f64 values: 2000 is one row of the course's 2000-column field.
const SIZES: [usize; 8] = [1, 8, 64, 512, 2000, 16_384, 131_072, 1_048_576];

/// How long to measure each size: `batches` batches of about `batch_seconds` each, each batch
/// at least `min_repeats` exchanges.
struct Effort {
    batches: usize,
    batch_seconds: f64,
    min_repeats: usize,
}

const FULL: Effort = Effort { batches: 5, batch_seconds: 0.04, min_repeats: 10 };
const QUICK: Effort = Effort { batches: 3, batch_seconds: 0.01, min_repeats: 2 };

fn main() -> ExitCode {
    let world = harness_mpi::world();
    let (rank, size) = (world.rank(), world.size());
    let (mut effort, mut json) = (&FULL, false);
    let mut error =
        (size != 2).then(|| format!("exactly 2 ranks needed (it measures an exchange between two), found {size}"));
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => effort = &QUICK,
            "--json" => json = true,
            other => error = Some(format!("unknown option '{other}'")),
        }
    }
    // Every rank sees the same arguments and size, so every rank stops here together.
    if let Some(e) = error {
        if rank == 0 {
            eprintln!("error: {e}\nusage: mpirun -n 2 course-halo-cost [--quick] [--json]");
        }
        return ExitCode::from(2);
    }

    // Collective: both ranks call it, rank 0 prints.
    if let Some(names) = harness_mpi::processor_names(&world)
        && !json
    {
        let same = if names[0] == names[1] { "the same node" } else { "different nodes" };
        println!("rank 0 on {}, rank 1 on {}: {same}", names[0], names[1]);
        println!("\n| values | bytes | time per exchange | bandwidth |\n| ---: | ---: | ---: | ---: |");
    }

    let partner = world.process_at_rank(1 - rank);
    let root = world.process_at_rank(0);
    for values in SIZES {
        let send = vec![rank as f64; values];
        let mut receive = vec![0.0; values];
        let mut exchange = |times: usize| {
            let start = Instant::now();
            for _ in 0..times {
                send_receive_into(&send[..], &partner, &mut receive[..], &partner);
            }
            start.elapsed().as_secs_f64()
        };
        // Warm-up: the first large messages also pay for page faults and buffer set-up.
        exchange(3);
        // Rank 0 sizes the batches and tells rank 1: both must make the same number of calls.
        let probe = exchange(3) / 3.0;
        let mut repeats = ((effort.batch_seconds / probe) as u64).max(effort.min_repeats as u64);
        root.broadcast_into(&mut repeats);
        let mut batches: Vec<f64> = (0..effort.batches)
            .map(|_| {
                world.barrier();
                exchange(repeats as usize) / repeats as f64
            })
            .collect();
        batches.sort_by(f64::total_cmp);
        let seconds = batches[batches.len() / 2];
        assert!(receive.iter().all(|&v| v == (1 - rank) as f64), "rank {rank} received the wrong values");

        if rank == 0 {
            let bytes = values * size_of::<f64>();
            if json {
                println!("{{\"values\": {values}, \"bytes\": {bytes}, \"seconds\": {seconds:e}}}");
            } else {
                println!("| {values} | {bytes} | {:.2} µs | {:.3} GB/s |", seconds * 1e6, bytes as f64 / seconds / 1e9);
            }
        }
    }
    ExitCode::SUCCESS
}
