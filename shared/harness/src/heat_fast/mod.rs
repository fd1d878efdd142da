//! Exercise 08, the heat stencil at the hardware limit: `ndarray` fields far beyond the caches,
//! measured against the machine's memory bandwidth.
//!
//! At 4096 × 4096 (128 MiB per field) every step streams the whole field from memory and back:
//! at least 16 bytes per cell update (read 8, write 8). [`bandwidth`] measures what the memory
//! system delivers for a plain copy, so every version can be reported as a fraction of it.

pub mod bandwidth;
pub mod checks;

use crate::diff::{self, Tolerance};
use crate::heat::{Baseline, Grid, HeatSolver, Params};
use crate::protocol::Work;
use crate::roofline::Roof;
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
    diff::compare(&want.data, &got, &want.shape(), u.shape(), Tolerance::relative(1e-12))
        .map_err(|m| format!("{name}: after {steps} steps on a {}×{} field:\n{m}", initial.rows, initial.cols))
}

/// `main` of the exercise's `tests/grade.rs`: serves `serial` and `parallel` to the judge.
pub fn grade_main<K: FastHeat>() -> ExitCode {
    serve::<K>()
}

/// Serves `serial` and `parallel` to the judge (see [`crate::worker`]).
pub fn serve<K: FastHeat>() -> ExitCode {
    worker::serve_candidate(
        EXERCISE,
        vec![("serial", Box::new(FieldRunner::<K>::new(false))), ("parallel", Box::new(FieldRunner::<K>::new(true)))],
    )
}

/// [`GRADE_STEPS`] steps per item; an item is a square field's values, row after row. The two
/// fields are kept between calls (allocated and touched once), and the judge writes a call's
/// field straight into `u` and reads the result from it: no 128 MiB copy inside a timed call.
struct FieldRunner<K> {
    parallel: bool,
    params: Params,
    u: Array2<f64>,
    scratch: Array2<f64>,
    offsets: [u64; 2],
    kernel: std::marker::PhantomData<K>,
}

impl<K: FastHeat> FieldRunner<K> {
    fn new(parallel: bool) -> Self {
        let empty = Array2::<f64>::zeros((0, 0));
        FieldRunner {
            parallel,
            params: Params::course(),
            u: empty.clone(),
            scratch: empty,
            offsets: [0; 2],
            kernel: std::marker::PhantomData,
        }
    }

    /// Makes `u` and `scratch` standard-layout `n × n` fields.
    fn shape(&mut self, n: usize) {
        if self.u.dim() != (n, n) || !self.u.is_standard_layout() {
            self.u = Array2::zeros((n, n));
        }
        if self.scratch.dim() != (n, n) {
            self.scratch = Array2::zeros((n, n));
        }
    }

    fn evolve(&mut self) {
        if self.parallel {
            K::evolve_parallel(&mut self.u, &mut self.scratch, &self.params, GRADE_STEPS);
        } else {
            K::evolve(&mut self.u, &mut self.scratch, &self.params, GRADE_STEPS);
        }
    }

    fn answer(&mut self, out: &mut BatchWriter) {
        match self.u.as_slice() {
            Some(data) => out.refer(bytemuck::cast_slice(data)),
            None => out.push_f64s(&self.u.iter().copied().collect::<Vec<_>>()),
        }
    }
}

impl<K: FastHeat> StageRunner for FieldRunner<K> {
    /// One field of `n²` values goes straight into `u`; anything else to the shared inbox.
    fn inbox(&mut self, count: usize, bytes: usize) -> Option<(&mut [u64], &mut [u8])> {
        let n = side(bytes / 8)?;
        if count != 1 || !bytes.is_multiple_of(8) {
            return None;
        }
        self.shape(n);
        self.offsets = [0, bytes as u64];
        Some((&mut self.offsets, bytemuck::cast_slice_mut(self.u.as_slice_mut()?)))
    }

    fn run_loaded(&mut self, out: &mut BatchWriter) {
        self.evolve();
        self.answer(out);
    }

    fn run(&mut self, input: &Batch<'_>, out: &mut BatchWriter) {
        for k in 0..input.len() {
            let values = worker::values::<f64>(input.item(k));
            let n = side(values.len()).unwrap_or(0);
            self.shape(n);
            if let Some(u) = self.u.as_slice_mut() {
                u.copy_from_slice(&values[..n * n]);
            }
            self.evolve();
            if k + 1 == input.len() {
                self.answer(out);
            } else {
                out.push_f64s(&self.u.iter().copied().collect::<Vec<_>>());
            }
        }
    }
}

/// `n` when `values` is `n²`.
fn side(values: usize) -> Option<usize> {
    let n = (values as f64).sqrt().round() as usize;
    (n * n == values).then_some(n)
}

/// The trusted side of grading: fresh 4096² fields, the naive version as baseline, the C kernel
/// (the solution's arithmetic, within 1e-15 of exercise 01's baseline) as reference, 1e-12 relative.
pub fn spec() -> ExerciseSpec {
    let stage = |name| StageSpec {
        name,
        // At least 8 B read and 8 B written per cell update, both 128 MiB fields far beyond the caches.
        work: Work {
            unit: "cell update".into(),
            per_call: ((GRADE_SIZE - 2).pow(2) * GRADE_STEPS) as f64,
            roof: Some(Roof::Memory { bytes: 16.0, working_set: (2 * GRADE_SIZE * GRADE_SIZE * 8) as f64 }),
            floor: Some(crate::heat::cell_updates_floor(((GRADE_SIZE - 2).pow(2) * GRADE_STEPS) as f64)),
        },
        input: |seed| bytemuck::cast_slice(&crate::heat::fresh_input(seed, GRADE_SIZE, GRADE_SIZE).data).to_vec(),
        check: |input, got| {
            let values = worker::values::<f64>(input);
            let n = side(values.len()).ok_or("the input is not a square field")?;
            let grid = Grid { rows: n, cols: n, data: values.into_owned() };
            crate::heat::check_output(&grid, GRADE_STEPS, &worker::values::<f64>(got))
        },
        baseline: || Box::new(FieldRunner::<Naive>::new(false)),
    };
    ExerciseSpec { exercise: EXERCISE, stages: vec![stage("serial"), stage("parallel")], tasks: Vec::new() }
}

/// Criterion: the naive version, `K` serial and parallel, and the C kernel through FFI (serial and
/// OpenMP).
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
    run("C through FFI", &|u, s| c_evolve(u, s, &p, GRADE_STEPS));
    run("C OpenMP through FFI", &|u, s| c_evolve_omp(u, s, &p, GRADE_STEPS));
    group.finish();
}

/// The C kernel (`shared/c/heat.c`: the solution's arithmetic, `-O3 -march=x86-64-v3`) stepping
/// `u` through `scratch`.
pub fn c_evolve(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    c_steps(c_kernels::hpc_heat_step, u, scratch, p, steps);
}

/// The same with the C kernel's OpenMP version (`hpc_heat_step_omp`: rows split across
/// `OMP_NUM_THREADS` threads, by default one per core), the C peer of rayon.
///
/// `#[inline]`, so that it is compiled only into the crates that call it: only they need
/// libgomp. (Exercise 07's C program links a static library holding the harness, without it.)
#[inline]
pub fn c_evolve_omp(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    c_steps(c_kernels::hpc_heat_step_omp, u, scratch, p, steps);
}

type CStep = unsafe extern "C" fn(*const f64, *mut f64, usize, usize, f64, f64, f64, f64) -> std::ffi::c_int;

fn c_steps(step: CStep, u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    let (rows, cols) = u.dim();
    if scratch.dim() != (rows, cols) || !scratch.is_standard_layout() {
        *scratch = Array2::zeros((rows, cols));
    }
    for _ in 0..steps {
        let (src, dst) = (u.as_slice().expect("standard layout"), scratch.as_slice_mut().expect("standard layout"));
        // SAFETY: both slices hold rows × cols values and are distinct arrays.
        let code = unsafe { step(src.as_ptr(), dst.as_mut_ptr(), rows, cols, p.a, p.dt, p.dx2, p.dy2) };
        assert!(code == c_kernels::HPC_OK || rows * cols == 0, "the C kernel refused a valid field");
        std::mem::swap(u, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heat::bottle;

    /// The C kernels as a [`FastHeat`], to check them as the solutions are checked.
    struct C;
    impl FastHeat for C {
        fn evolve(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
            c_evolve(u, s, p, steps)
        }
        fn evolve_parallel(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
            c_evolve_omp(u, s, p, steps)
        }
    }

    #[test]
    fn the_naive_version_and_the_c_kernels_agree_with_the_reference() {
        assert_eq!(check_against_reference::<Naive>(&bottle(40, 30), 7, false), Ok(()));
        for (rows, cols, steps) in [(30, 40, 3), (1, 5, 2), (2, 2, 1), (3, 3, 4), (57, 33, 9)] {
            let g = bottle(rows, cols);
            assert_eq!(check_against_reference::<C>(&g, steps, false), Ok(()), "C, {rows}×{cols}");
            assert_eq!(check_against_reference::<C>(&g, steps, true), Ok(()), "C OpenMP, {rows}×{cols}");
        }
    }

    #[test]
    fn c_with_coefficients_is_within_a_few_ulps_of_the_dividing_baseline() {
        let g = bottle(30, 40);
        let mut u = to_array(&g);
        let mut s = u.clone();
        c_evolve(&mut u, &mut s, &Params::course(), 3);
        let mut want = Baseline::from_grid(&g);
        Baseline::evolve(&mut want, &Params::course(), 3);
        let got: Vec<f64> = u.iter().copied().collect();
        let want = Baseline::to_grid(&want).data;
        assert_eq!(diff::compare(&want, &got, &[30, 40], &[30, 40], Tolerance::relative(1e-15)), Ok(()));
    }
}
