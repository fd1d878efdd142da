//! Exercise 13, the heat equation on a GPU: exercise 01's stencil as a WGSL kernel, the field
//! resident on the device for all its steps. This side has no GPU: the references, the checks
//! of the tasks (run by the judge from the reference worker, the learner's functions called in
//! its grading worker, see [`remote`]) and the timed stage's trusted half.
//!
//! The device computes in f32 (every GPU does; f64 is an optional feature many lack), the
//! reference in f64: a result passes within [`TOLERANCE`] of the field's largest value.

pub mod checks;
pub mod remote;

use crate::diff::{self, Tolerance};
use crate::heat::{CKernel, Grid, HeatSolver, Params};
use crate::protocol::Work;
use crate::roofline::Roof;
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "gpu-heat";

/// How close an f32 field must come to the f64 reference: 1e-5 of the field's largest value
/// (85 °C: 0.00085 °C). A step rounds each cell a few times at f32's 6e-8; the diffusion damps
/// those errors instead of adding them up, so after hundreds of steps they stay near 1e-6.
pub const TOLERANCE: Tolerance = Tolerance { relative: 1e-5 };

/// The graded workload: a 2048² field (16 MiB in f32) evolved [`GRADE_STEPS`] steps, the field
/// going up once and coming back once, as in a simulation that writes an output now and then.
pub const GRADE_SIZE: usize = 2048;
pub const GRADE_STEPS: usize = 50;

/// The share of pixels whose escape count may differ from the f64 reference: f32's coarser
/// points and roundings change counts near the set's boundary, where a pixel's orbit hangs on
/// the last bits (measured: under 1% over the course's region and sizes). A wrong kernel (an
/// off-by-one count, swapped axes, the wrong point for a pixel) changes far more.
pub const MANDELBROT_DIFFERING: f64 = 0.02;

/// Task 3's check: `got`, an f32 device's escape counts for `spec`, against the f64 reference.
pub fn check_mandelbrot(spec: &crate::mandelbrot::ImageSpec, got: &[u32]) -> Result<(), String> {
    let want = crate::mandelbrot::reference_image(spec);
    if got.len() != want.len() {
        return Err(format!(
            "mandelbrot: {} counts for a {}×{} image, expected {}",
            got.len(),
            spec.width,
            spec.height,
            want.len()
        ));
    }
    let differing: Vec<usize> = (0..want.len()).filter(|&k| got[k] != want[k]).collect();
    if differing.len() as f64 <= MANDELBROT_DIFFERING * want.len() as f64 {
        return Ok(());
    }
    let shown: Vec<String> = differing
        .iter()
        .take(5)
        .map(|&k| {
            let (i, j) = (k / spec.width, k % spec.width);
            let (x, y) = spec.point(i, j);
            format!("  pixel [{i}, {j}] (c = {x:.4} + {y:.4}i): expected {} iterations, got {}", want[k], got[k])
        })
        .collect();
    Err(format!(
        "mandelbrot: {} of {} pixels differ from the f64 reference on a {}×{} image (cutoff {}); f32 may change \
         at most {:.0}%, near the set's boundary:\n{}",
        differing.len(),
        want.len(),
        spec.width,
        spec.height,
        spec.cutoff,
        100.0 * MANDELBROT_DIFFERING,
        shown.join("\n")
    ))
}

/// `initial` after `steps` steps, by the course's C kernel in f64 (exercise 01's reference).
pub fn reference_evolve(initial: &Grid, params: &Params, steps: usize) -> Grid {
    let mut field = initial.clone();
    CKernel::evolve(&mut field, params, steps);
    field
}

/// `got` against the reference for `initial` after `steps` steps; `Err` says where it differs.
pub fn check_field(initial: &Grid, params: &Params, steps: usize, got: &Grid) -> Result<(), String> {
    let expected = reference_evolve(initial, params, steps);
    diff::compare(&expected.data, &got.data, &expected.shape(), &got.shape(), TOLERANCE).map_err(|m| {
        format!(
            "after {steps} step{} on a {}×{} field, the field differs from the f64 reference by more than f32's \
             rounding:\n{m}",
            if steps == 1 { "" } else { "s" },
            initial.rows,
            initial.cols
        )
    })
}

/// The timed stage's unit of work and its bounds. A step streams the field through the GPU's
/// own memory: 4 bytes read and 4 written per cell update in f32 (the neighbours come from its
/// caches), against the device's copy bandwidth. No floor: one from the CPU's peak would refuse
/// a GPU's honest speed. (The copies up and down are timed too: at small sizes they, not the
/// steps, are most of a call, and the line reads low.)
fn grading_work() -> Work {
    let cells = ((GRADE_SIZE - 2) * (GRADE_SIZE - 2) * GRADE_STEPS) as f64;
    Work { unit: "cell update".into(), per_call: cells, roof: Some(Roof::DeviceMemory { bytes: 8.0 }), floor: None }
}

/// A graded call of any evolution `evolve` (the baseline's, or a grading worker's GPU code):
/// read the field, evolve [`GRADE_STEPS`] steps, keep the result. Conversions and copies are
/// timed with the steps, so no work hides in them.
pub fn runner(evolve: impl Fn(&Grid, &Params, usize) -> Grid + 'static) -> impl StageRunner {
    let params = Params::course();
    let mut grid = Grid::filled(0, 0, 0.0);
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            crate::heat::read_item(item, &mut grid);
            out.keep(evolve(&grid, &params, GRADE_STEPS).data);
        }
    }
}

/// The trusted side of grading: fresh fields, exercise 01's fast CPU code (the course's C
/// kernel, -O3, one core) as the baseline, every output checked against it in f64.
pub fn spec() -> ExerciseSpec {
    ExerciseSpec {
        exercise: EXERCISE,
        tasks: remote::tasks(),
        stages: vec![StageSpec {
            name: "evolve",
            work: grading_work(),
            input: |seed| crate::heat::item_of(&crate::heat::fresh_input(seed, GRADE_SIZE, GRADE_SIZE)),
            check: |input, got| {
                let mut grid = Grid::filled(0, 0, 0.0);
                crate::heat::read_item(input, &mut grid);
                let got = remote::unwire((grid.rows, grid.cols, worker::values::<f64>(got).to_vec()));
                check_field(&grid, &Params::course(), GRADE_STEPS, &got)
            },
            baseline: || Box::new(runner(reference_evolve)),
        }],
    }
}
