//! Exercise 13, the heat equation on a GPU: its tasks' functions bound to this process's
//! [`Gpu`](crate::Gpu), as the course's checks (`harness::gpu_heat::checks`) and the judge's
//! proxies take them, and its grading worker, which serves the timed stage too.

use harness::gpu_heat::{EXERCISE, runner};
use harness::heat::{Grid, Params};
use harness::remote::Function;
use std::process::ExitCode;

/// Expands to the exercise-13 crate `$k`'s functions without their first argument, the GPU
/// context (this process's [`shared`](crate::shared) one): plain functions of data.
#[macro_export]
macro_rules! gpu_heat_bound {
    ($k:ident) => {
        use $crate::harness::heat::{Grid, Params};
        pub fn step(field: &Grid, params: &Params) -> Grid {
            $k::step($crate::shared(), field, params)
        }
        pub fn evolve(field: &Grid, params: &Params, steps: usize) -> Grid {
            $k::evolve($crate::shared(), field, params, steps)
        }
        pub fn mandelbrot(spec: &$crate::harness::mandelbrot::ImageSpec) -> Vec<u32> {
            $k::mandelbrot($crate::shared(), spec)
        }
    };
}

/// Expands to one test per task for an exercise-13 crate: `harness_gpu::gpu_heat_tests!(gpu_heat);`
#[macro_export]
macro_rules! gpu_heat_tests {
    ($k:ident) => {
        mod on_gpu {
            $crate::gpu_heat_bound!($k);
        }
        use $crate::harness::gpu_heat::checks as tasks;
        #[test]
        fn task_01_step() {
            tasks::task_01_step(on_gpu::step);
        }
        #[test]
        fn task_02_evolve() {
            tasks::task_02_evolve(on_gpu::evolve);
        }
        #[test]
        fn task_03_mandelbrot() {
            tasks::task_03_mandelbrot(on_gpu::mandelbrot);
        }
    };
}

/// Expands to `main` of an exercise-13 crate's `tests/grade.rs`: its functions served to the
/// judge's checks, and `evolve` to the timed stage: `harness_gpu::gpu_heat_grade_main!(gpu_heat)`.
#[macro_export]
macro_rules! gpu_heat_grade_main {
    ($k:ident) => {{
        mod on_gpu {
            $crate::gpu_heat_bound!($k);
        }
        use $crate::harness::gpu_heat::remote::{WireGrid, WireSpec, unwire, unwire_spec, wire};
        use $crate::harness::heat::Params;
        use $crate::harness::remote::function;
        let functions = vec![
            function("step", |(g, p): (WireGrid, Params)| wire(&on_gpu::step(&unwire(g), &p))),
            function("evolve", |(g, p, n): (WireGrid, Params, usize)| wire(&on_gpu::evolve(&unwire(g), &p, n))),
            function("mandelbrot", |(s,): (WireSpec,)| on_gpu::mandelbrot(&unwire_spec(s))),
        ];
        $crate::heat::grade_main(on_gpu::evolve, functions)
    }};
}

/// `main` of the exercise's `tests/grade.rs`: serves `evolve` to the timed stage and
/// `functions` to the task checks (see [`gpu_heat_grade_main!`](crate::gpu_heat_grade_main)).
pub fn grade_main(evolve: fn(&Grid, &Params, usize) -> Grid, functions: Vec<Function<'_>>) -> ExitCode {
    harness::worker::serve_candidate_with(EXERCISE, vec![("evolve", Box::new(runner(evolve)))], functions)
}
