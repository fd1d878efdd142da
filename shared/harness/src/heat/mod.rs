//! Exercise 01, profiling the heat equation: shared pieces.
//!
//! The 2-D heat equation ∂u/∂t = a·(∂²u/∂x² + ∂²u/∂y²) solved with the explicit five-point
//! stencil, fixed boundaries, and the Python course's parameters ([`Params::course`]).
//!
//! - [`HeatSolver`]: what an exercise implements, so that the grader, the tests, the benches
//!   and the program work on any field representation the learner picks.
//! - [`Baseline`]: the frozen starting code, also the correctness reference.
//! - [`bottle`]: the input generator (the shipped `data/heat/bottle.dat` is `bottle(200, 200)`).

mod baseline;
#[cfg(feature = "bench")]
pub mod bench;
pub mod checks;
mod grid;
pub mod image;
pub mod program;

pub use baseline::{Baseline, evolve_step as baseline_evolve_step, parse_field as baseline_parse_field};
pub use grid::{Grid, ParseError, ParseErrorKind, parse_grid, parse_header};

use crate::diff::{self, Tolerance};
use crate::protocol::Work;
use crate::roofline::{Floor, Roof};
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "profiling-heat";

/// How close a candidate's field must be to the reference's after evolving.
pub const TOLERANCE: Tolerance = Tolerance { relative: 1e-12 };

/// The default input shipped with the course: a hot bottle in a cool room, 200 × 200.
pub const SHIPPED_INPUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/heat/bottle.dat");

/// The graded workload: a `GRADE_ROWS × GRADE_COLS` bottle evolved `GRADE_STEPS` steps.
/// 1000² f64 is 8 MB per field: beyond the per-core caches, where memory layout matters.
pub const GRADE_ROWS: usize = 1000;
pub const GRADE_COLS: usize = 1000;
pub const GRADE_STEPS: usize = 10;

/// Physical constants of the simulation.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    /// Diffusion constant.
    pub a: f64,
    /// Squared grid spacings.
    pub dx2: f64,
    pub dy2: f64,
    /// Time step.
    pub dt: f64,
}

impl Params {
    /// The Python course's values: a = 0.5, dx = dy = 0.01, and the largest stable time step
    /// dt = dx²·dy² / (2a·(dx² + dy²)).
    pub fn course() -> Self {
        let (a, dx, dy) = (0.5, 0.01, 0.01);
        let (dx2, dy2) = (dx * dx, dy * dy);
        Params { a, dx2, dy2, dt: dx2 * dy2 / (2.0 * a * (dx2 + dy2)) }
    }
}

/// What an exercise provides. `Field` is the learner's own representation; conversions to and
/// from [`Grid`] are never timed.
pub trait HeatSolver {
    /// `Clone` lets the grader reset a field with `clone_from`, reusing its memory.
    type Field: Clone;

    /// Reads the text format of [`grid`](crate::heat::Grid) (header `# rows cols`).
    fn parse(text: &str) -> Result<Self::Field, ParseError>;

    /// Advances `field` by `steps` explicit time steps; the outermost rows and columns are
    /// fixed boundary values and never change.
    fn evolve(field: &mut Self::Field, params: &Params, steps: usize);

    fn from_grid(grid: &Grid) -> Self::Field;

    fn to_grid(field: &Self::Field) -> Grid;
}

/// The C kernel (`shared/c/heat.c`, compiled with `-O3`) through FFI, as a solver: the third
/// line of every heat comparison (baseline, solution, C).
pub struct CKernel;

impl HeatSolver for CKernel {
    type Field = Grid;

    fn parse(text: &str) -> Result<Grid, ParseError> {
        parse_grid(text)
    }

    fn evolve(field: &mut Grid, p: &Params, steps: usize) {
        let mut scratch = field.data.clone();
        for _ in 0..steps {
            // SAFETY: both buffers hold rows × cols values and are distinct allocations.
            let code = unsafe {
                c_kernels::hpc_heat_step(
                    field.data.as_ptr(),
                    scratch.as_mut_ptr(),
                    field.rows,
                    field.cols,
                    p.a,
                    p.dt,
                    p.dx2,
                    p.dy2,
                )
            };
            assert_eq!(code, c_kernels::HPC_OK, "the C kernel refused a {}×{} field", field.rows, field.cols);
            std::mem::swap(&mut field.data, &mut scratch);
        }
    }

    fn from_grid(grid: &Grid) -> Grid {
        grid.clone()
    }

    fn to_grid(field: &Grid) -> Grid {
        field.clone()
    }
}

/// The course's input: a hot bottle (85 °C) standing in a cool room (15 °C), any size.
/// Deterministic, so the shipped file can be checked against it.
pub fn bottle(rows: usize, cols: usize) -> Grid {
    let (room, hot) = (15.0, 85.0);
    let mut grid = Grid::filled(rows, cols, room);
    let (r, c) = (rows as f64, cols as f64);
    for i in 0..rows {
        // Fraction down the picture, and the bottle's half-width there.
        let y = (i as f64 + 0.5) / r;
        let half_width = match y {
            y if y < 0.12 => 0.0,                                      // air above the cork
            y if y < 0.30 => 0.06,                                     // neck
            y if y < 0.42 => 0.06 + (y - 0.30) / 0.12 * (0.22 - 0.06), // shoulders
            y if y < 0.90 => 0.22,                                     // body
            _ => 0.0,                                                  // table
        };
        for j in 0..cols {
            let x = (j as f64 + 0.5) / c - 0.5;
            if x.abs() < half_width {
                grid.data[i * cols + j] = hot;
            }
        }
    }
    grid
}

/// Evolves `initial` with `H` and with the baseline; `Err` says where they differ.
pub fn check_against_baseline<H: HeatSolver>(initial: &Grid, steps: usize) -> Result<(), String> {
    let params = Params::course();
    let mut expected = Baseline::from_grid(initial);
    Baseline::evolve(&mut expected, &params, steps);
    let expected = Baseline::to_grid(&expected);
    let mut field = H::from_grid(initial);
    H::evolve(&mut field, &params, steps);
    let got = H::to_grid(&field);
    diff::compare(&expected.data, &got.data, &expected.shape(), &got.shape(), TOLERANCE).map_err(|m| {
        format!(
            "after {steps} step{} on a {}×{} field, your field differs from the reference:\n{m}",
            if steps == 1 { "" } else { "s" },
            initial.rows,
            initial.cols
        )
    })
}

/// The input every grade and bench uses.
pub fn grading_input() -> Grid {
    bottle(GRADE_ROWS, GRADE_COLS)
}

/// Cell updates in one graded call (interior cells × steps).
pub fn grading_work() -> Work {
    // At least 8 B read and 8 B written per cell update; the two 8 MB fields fit in a large L3.
    let cells = ((GRADE_ROWS - 2) * (GRADE_COLS - 2) * GRADE_STEPS) as f64;
    Work {
        unit: "cell update".into(),
        per_call: cells,
        roof: Some(Roof::Memory { bytes: 16.0, working_set: (2 * GRADE_ROWS * GRADE_COLS * 8) as f64 }),
        floor: Some(cell_updates_floor(cells)),
    }
}

/// The least work of `cells` cell updates: each adds its four neighbours to its own value, four
/// additions no stencil can skip (a memory roof is no floor: a field held in cache beats it).
pub fn cell_updates_floor(cells: f64) -> Floor {
    Floor::Ops { ops: 4.0 * cells, what: format!("the {cells} cell updates (4 additions each)") }
}

/// `main` of an exercise's `tests/grade.rs`: serve `H` to the judge (see [`crate::worker`]).
pub fn grade_main<H: HeatSolver>() -> ExitCode {
    worker::serve_candidate(EXERCISE, vec![("evolve", Box::new(runner::<H>()))])
}

/// One graded call per input item: read the field, convert it to the solver's representation,
/// evolve [`GRADE_STEPS`] steps, convert back. Conversions are timed with the evolution, so no
/// work can hide in them; the item's memory is reused, so no page fault is timed.
fn runner<H: HeatSolver>() -> impl StageRunner {
    let params = Params::course();
    let mut grid = Grid::filled(0, 0, 0.0);
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            read_item(item, &mut grid);
            let mut field = H::from_grid(&grid);
            H::evolve(&mut field, &params, GRADE_STEPS);
            out.keep(H::to_grid(&field).data);
        }
    }
}

/// An input item: `rows`, `cols` (as f64), then the values row after row.
pub fn item_of(grid: &Grid) -> Vec<u8> {
    let mut words = Vec::with_capacity(grid.data.len() + 2);
    words.extend([grid.rows as f64, grid.cols as f64]);
    words.extend_from_slice(&grid.data);
    bytemuck::cast_slice(&words).to_vec()
}

/// Reads an input item into `grid`, reusing its memory.
pub fn read_item(item: &[u8], grid: &mut Grid) {
    let words = worker::values::<f64>(item);
    let (rows, cols) = (words[0] as usize, words[1] as usize);
    grid.rows = rows;
    grid.cols = cols;
    grid.data.clear();
    grid.data.extend_from_slice(&words[2..2 + rows * cols]);
}

/// A fresh graded input: the bottle with seeded room and bottle temperatures and noise in every
/// cell, so no two calls see the same field and every value matters.
pub fn fresh_input(seed: u64, rows: usize, cols: usize) -> Grid {
    use rand::Rng;
    let mut rng = worker::rng(seed);
    let (room, hot) = (rng.random_range(10.0..20.0), rng.random_range(70.0..90.0));
    // A fast generator for the noise: 08 draws a 4096² field for every timed call.
    let mut noise = worker::uniform(rng.random());
    let mut grid = bottle(rows, cols);
    for v in &mut grid.data {
        let base = if *v > 50.0 { hot } else { room };
        *v = base + (noise() - 0.5);
    }
    grid
}

/// The trusted side of grading: fresh inputs, the frozen baseline, the reference check (the C
/// kernel, within 1e-15 of the baseline, which divides where C multiplies, and ten times faster).
pub fn spec() -> ExerciseSpec {
    ExerciseSpec {
        exercise: EXERCISE,
        tasks: Vec::new(),
        stages: vec![StageSpec {
            name: "evolve",
            work: grading_work(),
            input: |seed| item_of(&fresh_input(seed, GRADE_ROWS, GRADE_COLS)),
            check: |input, got| {
                let mut grid = Grid::filled(0, 0, 0.0);
                read_item(input, &mut grid);
                check_output(&grid, GRADE_STEPS, &worker::values::<f64>(got))
            },
            baseline: || Box::new(runner::<Baseline>()),
        }],
    }
}

/// `got` against the C kernel's result for `initial` after `steps` steps.
pub(crate) fn check_output(initial: &Grid, steps: usize, got: &[f64]) -> Result<(), String> {
    let mut expected = initial.clone();
    CKernel::evolve(&mut expected, &Params::course(), steps);
    let got_shape = if got.len() == expected.data.len() { expected.shape().to_vec() } else { vec![got.len()] };
    diff::compare(&expected.data, got, &expected.shape(), &got_shape, TOLERANCE).map_err(|m| {
        format!(
            "after {steps} steps on a {}×{} field, your field differs from the reference:\n{m}",
            initial.rows, initial.cols
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_time_step_is_the_stability_limit() {
        let p = Params::course();
        assert!((p.dt - 5e-5).abs() < 1e-18, "{}", p.dt);
        assert!(p.a * p.dt * (1.0 / p.dx2 + 1.0 / p.dy2) <= 0.5);
    }

    #[test]
    fn shipped_input_is_the_generated_bottle() {
        let text = std::fs::read_to_string(SHIPPED_INPUT).unwrap();
        assert_eq!(parse_grid(&text).unwrap(), bottle(200, 200));
    }

    #[test]
    fn bottle_has_a_hot_body_and_cool_boundaries() {
        let g = bottle(200, 200);
        assert_eq!(g.at(150, 100), 85.0);
        assert_eq!(g.at(50, 100), 85.0, "neck");
        assert_eq!(g.at(50, 60), 15.0, "beside the neck");
        assert!((0..200).all(|k| g.at(0, k) == 15.0 && g.at(199, k) == 15.0 && g.at(k, 0) == 15.0));
    }

    #[test]
    fn the_c_kernel_agrees_with_the_baseline() {
        let g = bottle(23, 31);
        let (mut c, mut b) = (CKernel::from_grid(&g), Baseline::from_grid(&g));
        CKernel::evolve(&mut c, &Params::course(), 9);
        Baseline::evolve(&mut b, &Params::course(), 9);
        let b = Baseline::to_grid(&b);
        // C multiplies by precomputed coefficients where the baseline divides: ulps apart.
        assert_eq!(diff::compare(&b.data, &c.data, &b.shape(), &c.shape(), Tolerance::relative(1e-14)), Ok(()));
    }

    #[test]
    fn evolving_keeps_boundaries_and_spreads_heat() {
        let mut f = Baseline::from_grid(&bottle(40, 40));
        Baseline::evolve(&mut f, &Params::course(), 20);
        let g = Baseline::to_grid(&f);
        assert!((0..40).all(|k| g.at(0, k) == 15.0 && g.at(k, 39) == 15.0));
        let (lo, hi) = g.range();
        assert!(lo >= 15.0 && hi <= 85.0, "maximum principle: {lo}..{hi}");
        assert!(g.at(20, 12) > 15.0 && g.at(20, 12) < 85.0, "heat leaked out of the bottle's side");
    }

    #[test]
    fn the_baseline_agrees_with_itself_and_a_broken_solver_is_caught() {
        assert_eq!(check_against_baseline::<Baseline>(&bottle(20, 30), 5), Ok(()));

        struct Sloppy; // right everywhere but one cell, off by 1e-6
        impl HeatSolver for Sloppy {
            type Field = Vec<Vec<f64>>;
            fn parse(t: &str) -> Result<Self::Field, ParseError> {
                Baseline::parse(t)
            }
            fn evolve(f: &mut Self::Field, p: &Params, steps: usize) {
                Baseline::evolve(f, p, steps);
                f[10][15] += 1e-6;
            }
            fn from_grid(g: &Grid) -> Self::Field {
                Baseline::from_grid(g)
            }
            fn to_grid(f: &Self::Field) -> Grid {
                Baseline::to_grid(f)
            }
        }
        let err = check_against_baseline::<Sloppy>(&bottle(20, 30), 5).unwrap_err();
        assert!(err.contains("after 5 steps on a 20×30 field"), "{err}");
        assert!(err.contains("1 of 600 values differ"), "{err}");
        assert!(err.contains("at [10, 15]: expected 85.0, got 85.000001"), "{err}");
    }
}
