//! Exercise 12's tasks checked by the judge (see [`crate::remote`]): the course's checks run in
//! the reference worker on proxies whose calls go to the learner's grading worker, where
//! `harness_gpu` runs the learner's function on the machine's adapter.

use super::checks;
use super::{AdapterReport, TransferCost};
use crate::remote::call;
use crate::worker::TaskSpec;

/// The course's checks of every task, each on the proxies of the learner's functions.
pub fn tasks() -> Vec<TaskSpec> {
    use proxy::*;
    vec![
        TaskSpec { name: "task_01_adapter", check: || checks::task_01_adapter(describe) },
        TaskSpec { name: "task_02_round_trip", check: || checks::task_02_round_trip(round_trip) },
        TaskSpec { name: "task_03_saxpy", check: || checks::task_03_saxpy(saxpy) },
        TaskSpec { name: "task_04_transfer_cost", check: || checks::task_04_transfer_cost(transfer_cost) },
        TaskSpec { name: "task_05_sum", check: || checks::task_05_sum(sum) },
        TaskSpec { name: "task_06_transpose", check: || checks::task_06_transpose(transpose_naive, transpose_tiled) },
    ]
}

/// The learner's functions as the reference worker calls them: each call goes to the
/// candidate worker, which runs it on its own GPU context.
pub mod proxy {
    use super::*;

    pub fn describe() -> AdapterReport {
        call("describe", &())
    }
    pub fn round_trip(data: &[f32]) -> Vec<f32> {
        call("round_trip", &(data,))
    }
    pub fn saxpy(a: f32, x: &[f32], y: &[f32]) -> Vec<f32> {
        call("saxpy", &(a, x, y))
    }
    pub fn transfer_cost(n: usize) -> TransferCost {
        call("transfer_cost", &(n,))
    }
    pub fn sum(x: &[f32]) -> f32 {
        call("sum", &(x,))
    }
    pub fn transpose_naive(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        call("transpose_naive", &(m, rows, cols))
    }
    pub fn transpose_tiled(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        call("transpose_tiled", &(m, rows, cols))
    }
}
