//! Exercise 13: exercise 01's heat equation on a GPU. Read README.md first.
//!
//! Three tasks: one step on the device (`step`, and the kernel in `src/kernels/heat.wgsl`), then
//! many steps with the field staying on the device (`evolve`), then exercise 04's Mandelbrot
//! picture on the device (`mandelbrot`, and `src/kernels/mandelbrot.wgsl`). `cargo xtask check gpu-heat`
//! runs each task's test on this machine's adapter and, where that adapter is a GPU, times
//! `evolve` against exercise 01's fast CPU code. Keep the signatures: the tests call them.

// The `todo!()` bodies leave parameters and imports unused; delete this line when you are done.
#![allow(unused_variables, unused_imports, dead_code)]

use harness_gpu::{Gpu, wgpu};

pub use harness_gpu::harness::heat::{Grid, Params};

/// The kernel's parameters, as its WGSL `Params` lays them out (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct StepParams {
    rows: u32,
    cols: u32,
    cx: f32,
    cy: f32,
}

/// Invocations per workgroup side (`@workgroup_size(16, 16)` in the kernel).
const TILE: u32 = 16;

// ---- Task 1: one step on the device ----------------------------------------------------------

/// `field` after one step, computed on the device in f32: convert the field to `f32`, upload it
/// into two buffers (the step reads one and writes the other; both start with the boundary,
/// which no step changes), upload the parameters (`cx = a·dt/dx²`, `cy = a·dt/dy²`), run the
/// kernel on a 2-D grid of 16×16 workgroups covering the field (x along a row), download the
/// output (exercise 12's `download`) and convert back to `f64`.
pub fn step(gpu: &Gpu, field: &Grid, params: &Params) -> Grid {
    todo!()
}

// ---- Task 2: the field resident on the device ------------------------------------------------

/// `field` after `steps` steps. The simple way, `step` called `steps` times, copies the whole
/// field up and down at every step; here it goes up once and comes back once. The two buffers
/// take turns (ping-pong): step k reads buffer k % 2 and writes the other, through two bind
/// groups made once. Record every step's dispatch in one command encoder and submit once. After
/// `steps` steps, which buffer holds the result? (`steps` may be 0.)
pub fn evolve(gpu: &Gpu, field: &Grid, params: &Params, steps: usize) -> Grid {
    todo!()
}

// ---- Task 3: Mandelbrot on the device --------------------------------------------------------

pub use harness_gpu::harness::mandelbrot::ImageSpec;

/// The Mandelbrot kernel's parameters, as its WGSL `Spec` lays them out (32 bytes).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct MandelbrotSpec {
    width: u32,
    height: u32,
    cutoff: u32,
    lim2: f32,
    x0: f32,
    y0: f32,
    dx: f32,
    dy: f32,
}

/// Exercise 04's picture on the device, by `src/kernels/mandelbrot.wgsl` (write its body): the
/// parameters (`lim2 = lim²`; `x0`, `y0` the first pixel's point; `dx`, `dy` the step between
/// pixels, `(x.1 − x.0) / (width − 1)`, or 0 for a single pixel), an output buffer of
/// `width × height` counts (`gpu.storage`), one invocation per pixel on 16×16 workgroups, and
/// the counts downloaded (`download::<u32>`), row after row.
pub fn mandelbrot(gpu: &Gpu, spec: &ImageSpec) -> Vec<u32> {
    todo!()
}
