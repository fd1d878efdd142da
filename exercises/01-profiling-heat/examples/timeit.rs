// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! Time one step of your solver the way Python's `timeit` would:
//!
//! ```text
//! cargo run --release -p profiling-heat --example timeit
//! ```
//!
//! Change the code in `src/lib.rs`, run this again, compare the numbers. It only uses the
//! `HeatSolver` API, so it keeps working whatever you change inside.

use harness::heat::{HeatSolver, Params, bottle};
use harness::timeit::timeit;
use profiling_heat::Heat;

fn main() {
    let params = Params::course();
    for size in [200, 1000] {
        let mut field = Heat::from_grid(&bottle(size, size));
        println!("one step on {size}×{size}: {}", timeit(|| Heat::evolve(&mut field, &params, 1)));
    }
}
