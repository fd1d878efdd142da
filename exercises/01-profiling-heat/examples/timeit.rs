//! Time one step of your solver the way Python's `timeit` would:
//!
//! ```text
//! cargo run --release -p profiling-heat --example timeit
//! ```
//!
//! Change the code in `src/lib.rs`, run this again, compare the numbers.

use harness::heat::{HeatSolver, Params, bottle};
use harness::timeit::timeit;
use profiling_heat::{Heat, evolve_step};

fn main() {
    let params = Params::course();
    let field = Heat::from_grid(&bottle(200, 200));
    println!("evolve_step on 200×200: {}", timeit(|| evolve_step(&field, &params)));

    let big = Heat::from_grid(&bottle(1000, 1000));
    println!("evolve_step on 1000×1000: {}", timeit(|| evolve_step(&big, &params)));
}
