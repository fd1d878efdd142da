//! Exercise 08, the heat stencil at the hardware limit: `ndarray` fields far beyond the caches,
//! measured against the machine's memory bandwidth.
//!
//! At 4096 × 4096 (128 MiB per field) every step streams the whole field from memory and back:
//! at least 16 bytes per cell update (read 8, write 8). [`bandwidth`] measures what the memory
//! system delivers for a plain copy, so every version can be reported as a fraction of it.

pub mod bandwidth;
pub mod checks;

use crate::compare::{self, Tolerance};
use crate::grade::{self, Stage};
use crate::heat::{Baseline, Grid, HeatSolver, Params};
use crate::protocol::{Contender, Prepared, Work};
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
use ndarray::Array2;
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "heat-fast";

/// The graded field: 4096² f64, 128 MiB, far beyond every cache.
pub const GRADE_SIZE: usize = 4096;
/// Steps per graded call.
pub const GRADE_STEPS: usize = 2;

/// What exercise 08 implements. `scratch` has the shape of `u` and is yours to use as the
/// second buffer (the grader allocates and first-touches both outside the timed region); the
/// result must end up in `u`. Boundary rows and columns never change.
pub trait FastHeat {
    fn evolve(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize);
    /// The same with several threads (rayon).
    fn evolve_parallel(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize);
}

/// The frozen baseline: exercise 08's starting code as shipped, NumPy-style indexing in
/// Rust. Keep it identical to `exercises/08-heat-fast/src/lib.rs`.
pub struct Naive;

impl FastHeat for Naive {
    fn evolve(u: &mut Array2<f64>, _scratch: &mut Array2<f64>, p: &Params, steps: usize) {
        for _ in 0..steps {
            let u_old = u.clone();
            let (rows, cols) = u.dim();
            for i in 1..rows.saturating_sub(1) {
                for j in 1..cols.saturating_sub(1) {
                    u[[i, j]] = u_old[[i, j]]
                        + p.a
                            * p.dt
                            * ((u_old[[i + 1, j]] - 2.0 * u_old[[i, j]] + u_old[[i - 1, j]]) / p.dx2
                                + (u_old[[i, j + 1]] - 2.0 * u_old[[i, j]] + u_old[[i, j - 1]]) / p.dy2);
                }
            }
        }
    }

    fn evolve_parallel(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
        Self::evolve(u, scratch, p, steps);
    }
}

pub fn to_array(g: &Grid) -> Array2<f64> {
    Array2::from_shape_vec((g.rows, g.cols), g.data.clone()).expect("a grid's data fills its shape")
}

/// Evolves `initial` with `K` (serial or parallel) and with exercise 01's reference; `Err`
/// says where they differ.
pub fn check_against_reference<K: FastHeat>(initial: &Grid, steps: usize, parallel: bool) -> Result<(), String> {
    let params = Params::course();
    let mut reference = Baseline::from_grid(initial);
    Baseline::evolve(&mut reference, &params, steps);
    let want = Baseline::to_grid(&reference);
    let mut u = to_array(initial);
    let mut scratch = u.clone();
    if parallel {
        K::evolve_parallel(&mut u, &mut scratch, &params, steps);
    } else {
        K::evolve(&mut u, &mut scratch, &params, steps);
    }
    let got: Vec<f64> = u.iter().copied().collect();
    let name = if parallel { "evolve_parallel" } else { "evolve" };
    compare::compare(&want.data, &got, &want.shape(), u.shape(), Tolerance::relative(1e-12))
        .map_err(|m| format!("{name}: after {steps} steps on a {}×{} field:\n{m}", initial.rows, initial.cols))
}

/// `main` of the exercise's `tests/grade.rs`: `serial` and (optional) `parallel` stages, each
/// against the frozen naive version, in one process (`in_process` in `course.toml`: copying a
/// fresh 128 MiB field in and out costs as much as the steps; [`serve`] is the judge's side).
pub fn grade_main<K: FastHeat>() -> ExitCode {
    let initial = to_array(&crate::heat::bottle(GRADE_SIZE, GRADE_SIZE));
    let work = || Some(Work { unit: "cell update".into(), per_call: ((GRADE_SIZE - 2).pow(2) * GRADE_STEPS) as f64 });
    grade::run(
        EXERCISE,
        || {
            let medium = crate::heat::bottle(300, 200);
            check_against_reference::<K>(&medium, 5, false)?;
            check_against_reference::<K>(&medium, 5, true)
        },
        || {
            vec![
                Stage {
                    name: "serial",
                    work: work(),
                    baseline: graded::<Naive>(&initial, false),
                    candidate: graded::<K>(&initial, false),
                },
                Stage {
                    name: "parallel",
                    work: work(),
                    baseline: graded::<Naive>(&initial, false),
                    candidate: graded::<K>(&initial, true),
                },
            ]
        },
    )
}

/// A graded call: `GRADE_STEPS` steps from the initial field, reset before the clock starts.
fn graded<'a, K: FastHeat + 'a>(initial: &Array2<f64>, parallel: bool) -> Box<dyn Contender + 'a> {
    let params = Params::course();
    Box::new(Prepared {
        state: (initial.clone(), initial.clone(), initial.clone()),
        prepare: |(u, _, start): &mut (Array2<f64>, Array2<f64>, Array2<f64>)| u.assign(start),
        run: move |(u, scratch, _): &mut (Array2<f64>, Array2<f64>, Array2<f64>)| {
            if parallel {
                K::evolve_parallel(std::hint::black_box(u), scratch, &params, GRADE_STEPS)
            } else {
                K::evolve(std::hint::black_box(u), scratch, &params, GRADE_STEPS)
            }
        },
    })
}

/// Serves `serial` and `parallel` to the judge (see [`crate::worker`]).
pub fn serve<K: FastHeat>() -> ExitCode {
    worker::serve_candidate(
        EXERCISE,
        vec![("serial", Box::new(runner::<K>(false))), ("parallel", Box::new(runner::<K>(true)))],
    )
}

/// [`GRADE_STEPS`] steps per item. The two fields are kept between calls (allocated and touched
/// once); copying the input in and the result out is timed with the steps, for every version.
fn runner<K: FastHeat>(parallel: bool) -> impl StageRunner {
    let params = Params::course();
    let (mut u, mut scratch) = (Array2::<f64>::zeros((0, 0)), Array2::<f64>::zeros((0, 0)));
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            let words = worker::values::<f64>(item);
            let (rows, cols) = (words[0] as usize, words[1] as usize);
            let values = &words[2..2 + rows * cols];
            if u.dim() != (rows, cols) {
                u = Array2::zeros((rows, cols));
                scratch = Array2::zeros((rows, cols));
            }
            match u.as_slice_mut() {
                Some(data) => data.copy_from_slice(values),
                None => u.assign(&ndarray::ArrayView2::from_shape((rows, cols), values).expect("the item's shape")),
            }
            if parallel {
                K::evolve_parallel(&mut u, &mut scratch, &params, GRADE_STEPS);
            } else {
                K::evolve(&mut u, &mut scratch, &params, GRADE_STEPS);
            }
            match u.as_slice() {
                Some(data) => out.push_f64s(data),
                None => out.push_f64s(&u.iter().copied().collect::<Vec<_>>()),
            }
        }
    }
}

/// The trusted side of grading: fresh 4096² fields, the naive version as baseline, the C kernel
/// (bit-identical to exercise 01's baseline) as reference.
pub fn spec() -> ExerciseSpec {
    let stage = |name| StageSpec {
        name,
        work: Work { unit: "cell update".into(), per_call: ((GRADE_SIZE - 2).pow(2) * GRADE_STEPS) as f64 },
        input: |seed| crate::heat::item_of(&crate::heat::fresh_input(seed, GRADE_SIZE, GRADE_SIZE)),
        check: |input, got| {
            let mut grid = Grid::filled(0, 0, 0.0);
            crate::heat::read_item(input, &mut grid);
            crate::heat::check_output(&grid, GRADE_STEPS, &worker::values::<f64>(got))
        },
        baseline: || Box::new(runner::<Naive>(false)),
    };
    ExerciseSpec { exercise: EXERCISE, stages: vec![stage("serial"), stage("parallel")] }
}

/// Criterion: the naive version, `K` serial and parallel, and the C kernel through FFI.
#[cfg(feature = "bench")]
pub fn bench<K: FastHeat>(c: &mut criterion::Criterion, name: &str) {
    let initial = to_array(&crate::heat::bottle(GRADE_SIZE, GRADE_SIZE));
    let cells = ((GRADE_SIZE - 2).pow(2) * GRADE_STEPS) as u64;
    let p = Params::course();
    let mut group = c.benchmark_group("heat-fast-4096");
    group.throughput(criterion::Throughput::Elements(cells));
    group.sample_size(10);
    let (mut u, mut scratch) = (initial.clone(), initial.clone());
    let mut run = |id: &str, f: &dyn Fn(&mut Array2<f64>, &mut Array2<f64>)| {
        group.bench_function(id, |b| {
            b.iter(|| {
                u.assign(&initial);
                f(&mut u, &mut scratch)
            })
        });
    };
    run("naive (baseline)", &|u, s| Naive::evolve(u, s, &p, GRADE_STEPS));
    run(&format!("{name} serial"), &|u, s| K::evolve(u, s, &p, GRADE_STEPS));
    run(&format!("{name} parallel"), &|u, s| K::evolve_parallel(u, s, &p, GRADE_STEPS));
    run("C -O3 through FFI", &|u, s| c_evolve(u, s, &p, GRADE_STEPS));
    group.finish();
}

/// The C kernel (`shared/c/heat.c`, `-O3`) stepping `u` through `scratch`.
pub fn c_evolve(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    let (rows, cols) = u.dim();
    for _ in 0..steps {
        let (src, dst) = (u.as_slice().expect("standard layout"), scratch.as_slice_mut().expect("standard layout"));
        // SAFETY: both slices hold rows × cols values and are distinct arrays.
        let code =
            unsafe { c_kernels::hpc_heat_step(src.as_ptr(), dst.as_mut_ptr(), rows, cols, p.a, p.dt, p.dx2, p.dy2) };
        assert_eq!(code, c_kernels::HPC_OK, "the C kernel refused a valid field");
        std::mem::swap(u, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heat::bottle;

    #[test]
    fn the_naive_version_and_the_c_kernel_agree_with_the_reference() {
        assert_eq!(check_against_reference::<Naive>(&bottle(40, 30), 7, false), Ok(()));
        let g = bottle(30, 40);
        let mut u = to_array(&g);
        let mut s = u.clone();
        c_evolve(&mut u, &mut s, &Params::course(), 3);
        let mut want = Baseline::from_grid(&g);
        Baseline::evolve(&mut want, &Params::course(), 3);
        assert_eq!(u.iter().copied().collect::<Vec<_>>(), Baseline::to_grid(&want).data, "C is bit-identical");
    }
}
