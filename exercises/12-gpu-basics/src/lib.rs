//! Exercise 12: first steps on a GPU, with wgpu and WGSL. Read README.md first.
//!
//! Each task is one or two functions with `todo!()` bodies, and, from task 3 on, a kernel in
//! `src/kernels/`. Every function takes the GPU context, [`Gpu`]: its `adapter`, `device` and
//! `queue` are wgpu's own, and its helpers (`upload`, `storage`, `uniform`, `kernel`, `run`,
//! `wait`) do the set-up the lesson explains once. `cargo xtask check gpu-basics` runs each
//! task's test on this machine's adapter (a GPU, or lavapipe on the CPU) and tells you which
//! pass. Keep the signatures: the tests call them.

// The `todo!()` bodies leave parameters and imports unused; delete this line when you are done.
#![allow(unused_variables, unused_imports, dead_code)]

use harness_gpu::{Gpu, wgpu};
use std::time::Instant;

pub use harness_gpu::harness::gpu_basics::{AdapterReport, TransferCost};

/// Invocations per workgroup of the 1-D kernels (`@workgroup_size(64)` in the WGSL).
const WORKGROUP: u32 = 64;

// ---- Task 1: the adapter ---------------------------------------------------------------------

/// What runs your kernels: fill an [`AdapterReport`] from `gpu.adapter.get_info()` (name,
/// backend, device type) and `gpu.adapter.limits()`. `backend` is the backend's name in lower
/// case (`wgpu::Backend::to_str`); `device_type` one of "cpu", "integrated gpu", "discrete
/// gpu", "virtual gpu", "other".
pub fn describe(gpu: &Gpu) -> AdapterReport {
    todo!()
}

// ---- Task 2: a round trip --------------------------------------------------------------------

/// The first `n` values of the storage buffer `buffer`, read back to the host. A storage buffer
/// cannot be mapped (read by the host) directly: create a staging buffer with
/// `MAP_READ | COPY_DST`, copy into it with a command encoder (`copy_buffer_to_buffer`), submit,
/// ask for the mapping (`map_async`), wait for the device (`gpu.wait()`), then read the mapped
/// range (`bytemuck::cast_slice`) and unmap. Tasks 3 to 6 use it.
pub fn download<T: bytemuck::Pod>(gpu: &Gpu, buffer: &wgpu::Buffer, n: usize) -> Vec<T> {
    todo!()
}

/// `data` up to the device (`gpu.upload`) and back (`download`): the same bits.
pub fn round_trip(gpu: &Gpu, data: &[f32]) -> Vec<f32> {
    todo!()
}

// ---- Task 3: SAXPY, the first kernel ---------------------------------------------------------

/// The parameters of the 1-D kernels, as the WGSL `Params` lays them out: a uniform buffer is
/// read in 16-byte units, so it is padded to 16 bytes.
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    a: f32,
    n: u32,
    _pad: [u32; 2],
}

/// `a·x + y`, computed on the device by `src/kernels/saxpy.wgsl` (write its body): compile it
/// (`gpu.kernel(include_str!("kernels/saxpy.wgsl"), "saxpy")`), upload the parameters and the
/// arrays, run it on enough workgroups of 64 for every element (`x.len()` need not be a
/// multiple of 64), and download the result.
pub fn saxpy(gpu: &Gpu, a: f32, x: &[f32], y: &[f32]) -> Vec<f32> {
    todo!()
}

// ---- Task 4: the cost of moving data ---------------------------------------------------------

/// One SAXPY on `n` values of your choice, timed in three parts: the upload, the kernel, the
/// download. `gpu.run` returns before the device has finished (it only submits): end each part
/// with `gpu.wait()` before reading the clock. The lesson asks what the transfer fraction tells
/// you.
pub fn transfer_cost(gpu: &Gpu, n: usize) -> TransferCost {
    todo!()
}

// ---- Task 5: a reduction in workgroup memory -------------------------------------------------

/// The sum of `x`, computed on the device: each pass of `src/kernels/sum.wgsl` (write its body)
/// turns every 512 values into one partial sum (a workgroup of 256 invocations, each loading
/// two); run passes, the partial sums staying on the device, until one value is left. Its
/// parameter is `n` alone: upload it as `[n as u32, 0, 0, 0]` (16 bytes).
pub fn sum(gpu: &Gpu, x: &[f32]) -> f32 {
    todo!()
}

// ---- Task 6: a matrix transpose, naive and tiled ---------------------------------------------

/// `m`ᵀ for the `rows`×`cols` row-major `m`, by `transpose_naive` in
/// `src/kernels/transpose.wgsl`: one invocation per element, on a grid of 16×16 workgroups
/// covering the matrix (x along its columns, y along its rows). Its parameters: `[rows as u32,
/// cols as u32, 0, 0]`.
pub fn transpose_naive(gpu: &Gpu, m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    todo!()
}

/// The same, by `transpose_tiled`: each workgroup moves one 16×16 tile through workgroup
/// memory so that both its reads and its writes are to neighbouring addresses.
pub fn transpose_tiled(gpu: &Gpu, m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    todo!()
}
