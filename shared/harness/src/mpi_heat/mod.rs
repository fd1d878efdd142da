//! Exercise 11, the heat equation over MPI ranks: the trusted side, with no MPI in it.
//!
//! Exercise 01's heat equation, the field cut into blocks of rows, one block per MPI rank. This
//! module is what the grader's reference worker (`course-reference`, which is not an MPI
//! program) needs: the graded input, the **serial baseline** the MPI versions are timed against,
//! and the check of their results. The MPI side (the tests, the candidate worker under
//! `mpirun`) is `harness_mpi::heat`, in `shared/mpi`.
//!
//! - [`step_rows`]: one time step of the five-point stencil over some rows, the kernel both the
//!   baseline and the exercise use, so a speedup measures the decomposition, not the loop.
//! - [`evolve_serial`]: the baseline, a good single-threaded solver (exercise 01's solution:
//!   flat storage, two buffers swapped, row slices).
//! - [`check_output`]: a field against the reference (exercise 01's C kernel, within 1e-15 of
//!   its baseline), within [`TOLERANCE`](crate::heat::TOLERANCE), saying where it differs.
//! - [`spec`]: the stages `halo` and `overlap`, same input, same baseline.

pub mod checks;

use crate::heat::{Grid, Params};
use crate::protocol::Work;
use crate::roofline::Roof;
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
use std::ops::Range;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "mpi-heat";

/// The graded field is `GRADE_SIZE × GRADE_SIZE` f64: 32 MB, far beyond the caches, and big
/// enough that scattering and gathering it (a copy each) stay small beside the steps.
pub const GRADE_SIZE: usize = 2000;
/// Steps per graded call: about 0.7 s of the baseline on the course machine. Scattering the
/// field, the second buffers and gathering it cost two ranks a few hundredths of a second per
/// call, whatever the steps: at 100 steps that is under a tenth of their time.
pub const GRADE_STEPS: usize = 100;

/// One explicit time step over the rows `rows` of the row-major field `u` (`cols` columns):
/// writes `out[i][1..cols - 1]` for every `i` in `rows`, from rows `i - 1`, `i` and `i + 1` of
/// `u`. Nothing else of `out` is written: columns `0` and `cols - 1` are fixed boundary values,
/// and so are the rows outside `rows`.
///
/// The arithmetic is exercise 01's solution's: the reference's stencil in the same order
/// (`u + cx·(s − 2u + n) + cy·(e − 2u + w)`), its two divisions per cell replaced by
/// multiplications with coefficients computed once (20% faster here), which agrees with the
/// reference to about 1e-15 relative. The inner loop walks zipped row slices, without bounds
/// checks, and vectorises.
///
/// # Panics
/// If a row of `rows` is the first or the last of `u` (it has no neighbour there), or if
/// `out` is shorter than `u`.
pub fn step_rows(u: &[f64], out: &mut [f64], cols: usize, rows: Range<usize>, p: &Params) {
    if cols < 3 || rows.is_empty() {
        return;
    }
    let (cx, cy) = (p.a * p.dt / p.dx2, p.a * p.dt / p.dy2);
    for i in rows {
        let north = &u[(i - 1) * cols..i * cols];
        let row = &u[i * cols..(i + 1) * cols];
        let south = &u[(i + 1) * cols..(i + 2) * cols];
        let out = &mut out[i * cols + 1..(i + 1) * cols - 1];
        // Output cell j + 1 from its neighbours: windows of three give west, centre, east.
        let neighbours = north[1..].iter().zip(&south[1..]).zip(row.windows(3));
        for (o, ((&n, &s), w)) in out.iter_mut().zip(neighbours) {
            let (west, centre, east) = (w[0], w[1], w[2]);
            *o = centre + cx * (s - 2.0 * centre + n) + cy * (east - 2.0 * centre + west);
        }
    }
}

/// The serial baseline: `steps` time steps of the `rows × cols` field `u`, using `scratch` (the
/// same length) as the second buffer; the result ends up in `u`. Only the boundary is copied
/// into `scratch` before the first step: every step writes all of its interior.
pub fn evolve_serial(u: &mut Vec<f64>, scratch: &mut Vec<f64>, rows: usize, cols: usize, p: &Params, steps: usize) {
    assert_eq!(u.len(), rows * cols, "a {rows}×{cols} field needs {} values", rows * cols);
    if rows < 3 || cols < 3 || steps == 0 {
        return;
    }
    scratch.resize(u.len(), 0.0);
    scratch[..cols].copy_from_slice(&u[..cols]);
    scratch[(rows - 1) * cols..].copy_from_slice(&u[(rows - 1) * cols..]);
    for i in 1..rows - 1 {
        scratch[i * cols] = u[i * cols];
        scratch[(i + 1) * cols - 1] = u[(i + 1) * cols - 1];
    }
    for _ in 0..steps {
        step_rows(u, scratch, cols, 1..rows - 1, p);
        std::mem::swap(u, scratch);
    }
}

/// `initial` after `steps` steps of the serial baseline: the serial answer, for tests.
pub fn evolve(initial: &Grid, p: &Params, steps: usize) -> Grid {
    let (mut u, mut scratch) = (initial.data.clone(), Vec::new());
    evolve_serial(&mut u, &mut scratch, initial.rows, initial.cols, p, steps);
    Grid::new(initial.rows, initial.cols, u)
}

/// `got` against the reference's result for `initial` after `steps` steps (exercise 01's C
/// kernel, within 1e-15 of its baseline), within [`crate::heat::TOLERANCE`]; `Err` says where
/// they differ.
pub fn check_output(initial: &Grid, steps: usize, got: &[f64]) -> Result<(), String> {
    crate::heat::check_output(initial, steps, got)
}

/// A fresh graded input from `seed`: exercise 01's bottle, `size × size`, with seeded room and
/// bottle temperatures and noise in every cell.
pub fn fresh_input(seed: u64, size: usize) -> Grid {
    crate::heat::fresh_input(seed, size, size)
}

/// Cell updates in one graded call.
pub fn grading_work() -> Work {
    // Each rank streams its rows: at least 8 B read and 8 B written per cell update.
    Work {
        unit: "cell update".into(),
        per_call: ((GRADE_SIZE - 2).pow(2) * GRADE_STEPS) as f64,
        roof: Some(Roof::Memory { bytes: 16.0, working_set: (2 * GRADE_SIZE * GRADE_SIZE * 8) as f64 }),
        floor: Some(crate::heat::cell_updates_floor(((GRADE_SIZE - 2).pow(2) * GRADE_STEPS) as f64)),
    }
}

/// An input item: a square field's values, row after row (its side is the square root).
pub fn item_of(grid: &Grid) -> Vec<u8> {
    assert_eq!(grid.rows, grid.cols, "graded fields are square");
    bytemuck::cast_slice(&grid.data).to_vec()
}

/// `n` when `values` is `n²`.
fn side(values: usize) -> Option<usize> {
    let n = (values as f64).sqrt().round() as usize;
    (n * n == values).then_some(n)
}

/// Reads an input item into `grid`, reusing its memory; `Err` if it is not a square field.
pub fn read_item(item: &[u8], grid: &mut Grid) -> Result<(), String> {
    let values = worker::values::<f64>(item);
    let n = side(values.len()).ok_or_else(|| format!("an input of {} values is not a square field", values.len()))?;
    grid.rows = n;
    grid.cols = n;
    grid.data.clear();
    grid.data.extend_from_slice(&values);
    Ok(())
}

/// Where the judge writes a graded field: straight into a [`Grid`] kept between calls, so no
/// 32 MB copy of the input happens inside a timed call. The serial baseline and the MPI
/// candidate worker (on rank 0) both take their input this way.
pub struct FieldInbox {
    pub grid: Grid,
    offsets: [u64; 2],
}

impl Default for FieldInbox {
    fn default() -> Self {
        FieldInbox { grid: Grid::filled(0, 0, 0.0), offsets: [0; 2] }
    }
}

impl FieldInbox {
    /// For [`StageRunner::inbox`]: one square field of `bytes` goes into [`Self::grid`];
    /// anything else (`None`) goes to the worker's shared inbox and [`StageRunner::run`].
    pub fn slot(&mut self, count: usize, bytes: usize) -> Option<(&mut [u64], &mut [u8])> {
        let n = side(bytes / 8)?;
        if count != 1 || !bytes.is_multiple_of(8) {
            return None;
        }
        if self.grid.data.len() != n * n {
            self.grid = Grid::filled(n, n, 0.0);
        }
        (self.grid.rows, self.grid.cols) = (n, n);
        self.offsets = [0, bytes as u64];
        Some((&mut self.offsets, bytemuck::cast_slice_mut(&mut self.grid.data)))
    }
}

/// The baseline's stage: [`GRADE_STEPS`] steps of [`evolve_serial`] per item, both buffers
/// kept between calls; the result is read where it lies.
#[derive(Default)]
struct SerialRunner {
    inbox: FieldInbox,
    scratch: Vec<f64>,
}

impl SerialRunner {
    fn evolve(&mut self) {
        let grid = &mut self.inbox.grid;
        evolve_serial(&mut grid.data, &mut self.scratch, grid.rows, grid.cols, &Params::course(), GRADE_STEPS);
    }
}

impl StageRunner for SerialRunner {
    fn inbox(&mut self, count: usize, bytes: usize) -> Option<(&mut [u64], &mut [u8])> {
        self.inbox.slot(count, bytes)
    }

    fn run_loaded(&mut self, out: &mut BatchWriter) {
        self.evolve();
        out.refer(bytemuck::cast_slice(&self.inbox.grid.data));
    }

    fn run(&mut self, input: &Batch<'_>, out: &mut BatchWriter) {
        for item in input.items() {
            if read_item(item, &mut self.inbox.grid).is_ok() {
                self.evolve();
            }
            out.push_f64s(&self.inbox.grid.data);
        }
    }
}

/// The trusted side of grading: fresh `GRADE_SIZE²` bottles, the serial solver as baseline for
/// both stages, the C kernel as reference.
pub fn spec() -> ExerciseSpec {
    let stage = |name| StageSpec {
        name,
        work: grading_work(),
        input: |seed| item_of(&fresh_input(seed, GRADE_SIZE)),
        check: |input, got| {
            let mut grid = Grid::filled(0, 0, 0.0);
            read_item(input, &mut grid)?;
            check_output(&grid, GRADE_STEPS, &worker::values::<f64>(got))
        },
        baseline: || Box::new(SerialRunner::default()),
    };
    use crate::ranks::Remote;
    use crate::worker::TaskSpec;
    let tasks = vec![
        TaskSpec { name: "task_01_block_rows", check: || checks::task_01_block_rows(&Remote) },
        TaskSpec { name: "task_02_scatter", check: || checks::task_02_scatter(&Remote) },
        TaskSpec { name: "task_03_exchange_halos", check: || checks::task_03_exchange_halos(&Remote) },
        TaskSpec { name: "task_04_evolve_halo", check: || checks::task_04_evolve_halo(&Remote) },
        TaskSpec { name: "task_05_evolve_overlap", check: || checks::task_05_evolve_overlap(&Remote) },
    ];
    ExerciseSpec { exercise: EXERCISE, stages: vec![stage("halo"), stage("overlap")], tasks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heat::{Baseline, HeatSolver};

    #[test]
    fn the_serial_baseline_agrees_with_exercise_01s_reference() {
        for (rows, cols, steps) in [(23, 31, 9), (3, 3, 2), (2, 7, 3), (7, 2, 3), (1, 1, 1), (40, 40, 0), (60, 50, 200)]
        {
            let g = crate::heat::fresh_input(7, rows, cols);
            let got = evolve(&g, &Params::course(), steps);
            assert_eq!(check_output(&g, steps, &got.data), Ok(()), "{rows}×{cols}, {steps} steps");
            let mut want = Baseline::from_grid(&g);
            Baseline::evolve(&mut want, &Params::course(), steps);
            let want = Baseline::to_grid(&want);
            if rows < 3 || cols < 3 || steps == 0 {
                assert_eq!(got, want, "nothing to update: the field stays as it is");
            }
            let worst = got.data.iter().zip(&want.data).map(|(a, b)| ((a - b) / b).abs()).fold(0.0, f64::max);
            assert!(worst < 1e-14, "{rows}×{cols}, {steps} steps: {worst:e} relative");
        }
    }

    #[test]
    fn a_wrong_field_is_reported_with_where() {
        let g = fresh_input(1, 30);
        let mut got = evolve(&g, &Params::course(), 4);
        got.data[5 * 30 + 7] += 1e-6;
        let err = check_output(&g, 4, &got.data).unwrap_err();
        assert!(err.contains("after 4 steps on a 30×30 field") && err.contains("at [5, 7]"), "{err}");
        let err = check_output(&g, 4, &got.data[..10]).unwrap_err();
        assert!(err.contains("wrong shape"), "{err}");
    }

    #[test]
    fn the_baseline_stage_evolves_inputs_written_in_place_or_in_a_batch() {
        let spec = spec();
        assert_eq!(spec.stages.iter().map(|s| s.name).collect::<Vec<_>>(), ["halo", "overlap"]);
        let stage = &spec.stages[0];
        // A small square field: the graded one takes seconds in a debug build.
        let (initial, mut grid) = (fresh_input(11, 24), Grid::filled(0, 0, 0.0));
        let input = item_of(&initial);
        let mut runner = (stage.baseline)();
        let (offsets, data) = runner.inbox(1, input.len()).expect("one square field goes in place");
        assert_eq!(offsets, [0, input.len() as u64]);
        data.copy_from_slice(&input);
        let mut out = BatchWriter::default();
        runner.run_loaded(&mut out);
        assert_eq!((stage.check)(&input, &out.to_vec()[0]), Ok(()));
        assert_eq!(out.to_vec()[0], item_of(&evolve(&initial, &Params::course(), GRADE_STEPS)), "read where it lies");

        let other = item_of(&fresh_input(4, 20));
        let offsets = [0, other.len() as u64];
        let mut out = BatchWriter::default();
        runner.run(&Batch::new(&offsets, &other).unwrap(), &mut out);
        read_item(&other, &mut grid).unwrap();
        assert_eq!(check_output(&grid, GRADE_STEPS, &worker::values::<f64>(&out.to_vec()[0])), Ok(()));
        assert!(read_item(&[0; 24], &mut grid).is_err(), "three values are not a square field");
    }
}
