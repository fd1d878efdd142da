//! Times the solution's exchanges and chains: rank 0 prints, for each, the median and the best
//! wall time of one call over the repetitions (each call timed on every rank between two
//! barriers, the slowest rank's time kept).
//!
//! ```text
//! cargo build --release -p mpi-basics-solution --example timing
//! mpirun -n 2 target/release/examples/timing [VALUES [REPETITIONS]]
//! mpirun -n 4 --oversubscribe target/release/examples/timing
//! ```
//!
//! VALUES is the length of each rank's array of f64 (100000 by default: 800 kB a message),
//! REPETITIONS the number of timed calls of each function (50 by default).

use harness_mpi::mpi;
use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi_basics_solution as solution;
use std::hint::black_box;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap_or_else(|_| panic!("expected numbers (VALUES REPETITIONS), found {a:?}")))
        .collect();
    let len = args.first().copied().unwrap_or(100_000);
    let repetitions = args.get(1).copied().unwrap_or(50).max(1);

    let world = harness_mpi::world();
    let (rank, size) = (world.rank(), world.size());
    let data: Vec<f64> = (0..len).map(|i| (rank as usize * len + i) as f64).collect();

    type Exchange = fn(&SimpleCommunicator, &[f64]) -> Vec<f64>;
    type Chain = fn(&SimpleCommunicator, &[f64]) -> Option<Vec<f64>>;
    let exchanges: [(&str, Exchange); 2] =
        [("exchange (send, receive)", solution::exchange), ("exchange_send_receive", solution::exchange_send_receive)];
    let chains: [(&str, Chain); 3] = [
        ("chain (send, receive)", solution::chain),
        ("chain_send_receive", solution::chain_send_receive),
        ("chain_immediate", solution::chain_immediate),
    ];

    if rank == 0 {
        println!(
            "{size} ranks, {len} f64 per message ({} kB), {repetitions} calls each; wall time of one call:",
            len * 8 / 1000
        );
    }
    let report = |name: &str, call: &dyn Fn()| {
        let mut times = Vec::with_capacity(repetitions);
        for _ in 0..repetitions {
            world.barrier();
            let start = mpi::time();
            call();
            let mine = mpi::time() - start;
            let mut slowest = 0.0;
            world.all_reduce_into(&mine, &mut slowest, SystemOperation::max());
            times.push(slowest);
        }
        times.sort_by(f64::total_cmp);
        if rank == 0 {
            let (median, best) = (times[times.len() / 2], times[0]);
            println!("  {name:<26} median {:8.3} ms   best {:8.3} ms", median * 1e3, best * 1e3);
        }
    };
    for (name, exchange) in exchanges {
        report(name, &|| {
            black_box(exchange(&world, black_box(&data)));
        });
    }
    for (name, chain) in chains {
        report(name, &|| {
            black_box(chain(&world, black_box(&data)));
        });
    }
}
