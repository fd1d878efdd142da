//! Exercise 12, GPU basics: its tasks' functions bound to this process's [`Gpu`](crate::Gpu),
//! as the course's checks (`harness::gpu_basics::checks`) and the judge's proxies take them.

use harness::gpu_basics::EXERCISE;
use harness::remote::Function;
use std::process::ExitCode;

/// Expands to the exercise-12 crate `$k`'s functions without their first argument, the GPU
/// context (this process's [`shared`](crate::shared) one): plain functions of data.
#[macro_export]
macro_rules! gpu_basics_bound {
    ($k:ident) => {
        use $crate::harness::gpu_basics::{AdapterReport, TransferCost};
        pub fn describe() -> AdapterReport {
            $k::describe($crate::shared())
        }
        pub fn round_trip(data: &[f32]) -> Vec<f32> {
            $k::round_trip($crate::shared(), data)
        }
        pub fn saxpy(a: f32, x: &[f32], y: &[f32]) -> Vec<f32> {
            $k::saxpy($crate::shared(), a, x, y)
        }
        pub fn transfer_cost(n: usize) -> TransferCost {
            $k::transfer_cost($crate::shared(), n)
        }
        pub fn sum(x: &[f32]) -> f32 {
            $k::sum($crate::shared(), x)
        }
        pub fn transpose_naive(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
            $k::transpose_naive($crate::shared(), m, rows, cols)
        }
        pub fn transpose_tiled(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
            $k::transpose_tiled($crate::shared(), m, rows, cols)
        }
    };
}

/// Expands to one test per task for an exercise-12 crate: `harness_gpu::gpu_basics_tests!(gpu_basics);`
#[macro_export]
macro_rules! gpu_basics_tests {
    ($k:ident) => {
        mod on_gpu {
            $crate::gpu_basics_bound!($k);
        }
        use $crate::harness::gpu_basics::checks as tasks;
        #[test]
        fn task_01_adapter() {
            tasks::task_01_adapter(on_gpu::describe);
        }
        #[test]
        fn task_02_round_trip() {
            tasks::task_02_round_trip(on_gpu::round_trip);
        }
        #[test]
        fn task_03_saxpy() {
            tasks::task_03_saxpy(on_gpu::saxpy);
        }
        #[test]
        fn task_04_transfer_cost() {
            tasks::task_04_transfer_cost(on_gpu::transfer_cost);
        }
        #[test]
        fn task_05_sum() {
            tasks::task_05_sum(on_gpu::sum);
        }
        #[test]
        fn task_06_transpose() {
            tasks::task_06_transpose(on_gpu::transpose_naive, on_gpu::transpose_tiled);
        }
    };
}

/// Expands to the grading worker's table of an exercise-12 crate's functions, each served as
/// its proxy in `harness::gpu_basics::remote` calls it: `harness_gpu::gpu_basics_functions!(gpu_basics)`.
#[macro_export]
macro_rules! gpu_basics_functions {
    ($k:ident) => {{
        mod on_gpu {
            $crate::gpu_basics_bound!($k);
        }
        use $crate::harness::remote::function;
        vec![
            function("describe", |(): ()| on_gpu::describe()),
            function("round_trip", |(d,): (Vec<f32>,)| on_gpu::round_trip(&d)),
            function("saxpy", |(a, x, y): (f32, Vec<f32>, Vec<f32>)| on_gpu::saxpy(a, &x, &y)),
            function("transfer_cost", |(n,): (usize,)| on_gpu::transfer_cost(n)),
            function("sum", |(x,): (Vec<f32>,)| on_gpu::sum(&x)),
            function("transpose_naive", |(m, r, c): (Vec<f32>, usize, usize)| on_gpu::transpose_naive(&m, r, c)),
            function("transpose_tiled", |(m, r, c): (Vec<f32>, usize, usize)| on_gpu::transpose_tiled(&m, r, c)),
        ]
    }};
}

/// `main` of the exercise's `tests/grade.rs`: serves every task function to the judge's
/// checks (`functions`: [`gpu_basics_functions!`](crate::gpu_basics_functions)).
pub fn grade_main(functions: Vec<Function<'_>>) -> ExitCode {
    harness::worker::serve_candidate_with(EXERCISE, Vec::new(), functions)
}
