//! Exercise 13's tasks checked by the judge (see [`crate::remote`]): the course's checks run in
//! the reference worker on proxies whose calls go to the learner's grading worker, where
//! `harness_gpu` runs the learner's function on the machine's adapter. A field travels as
//! `(rows, cols, values)`.

use super::checks;
use crate::heat::{Grid, Params};
use crate::mandelbrot::ImageSpec;
use crate::remote::call;
use crate::worker::TaskSpec;

/// A field on the wire.
pub type WireGrid = (usize, usize, Vec<f64>);

/// `grid` on the wire.
pub fn wire(grid: &Grid) -> WireGrid {
    (grid.rows, grid.cols, grid.data.clone())
}

/// A field back from the wire; a count that does not fit its shape is kept as one row, so the
/// check's shape message names it.
pub fn unwire((rows, cols, data): WireGrid) -> Grid {
    if data.len() == rows * cols { Grid::new(rows, cols, data) } else { Grid::new(1, data.len(), data) }
}

/// A picture's spec on the wire: width, height, x range, y range, escape radius, cutoff.
pub type WireSpec = (usize, usize, (f64, f64), (f64, f64), f64, u32);

/// `spec` on the wire.
pub fn wire_spec(s: &ImageSpec) -> WireSpec {
    (s.width, s.height, s.x, s.y, s.lim, s.cutoff)
}

/// A picture's spec back from the wire.
pub fn unwire_spec((width, height, x, y, lim, cutoff): WireSpec) -> ImageSpec {
    ImageSpec { width, height, x, y, lim, cutoff }
}

/// The course's checks of every task, each on the proxies of the learner's functions.
pub fn tasks() -> Vec<TaskSpec> {
    vec![
        TaskSpec { name: "task_01_step", check: || checks::task_01_step(proxy::step) },
        TaskSpec { name: "task_02_evolve", check: || checks::task_02_evolve(proxy::evolve) },
        TaskSpec { name: "task_03_mandelbrot", check: || checks::task_03_mandelbrot(proxy::mandelbrot) },
    ]
}

/// The learner's functions as the reference worker calls them.
pub mod proxy {
    use super::*;

    pub fn step(field: &Grid, params: &Params) -> Grid {
        unwire(call("step", &(wire(field), params)))
    }
    pub fn evolve(field: &Grid, params: &Params, steps: usize) -> Grid {
        unwire(call("evolve", &(wire(field), params, steps)))
    }
    pub fn mandelbrot(spec: &ImageSpec) -> Vec<u32> {
        call("mandelbrot", &(wire_spec(spec),))
    }
}
