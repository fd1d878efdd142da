//! Exercise 12, GPU basics (wgpu and WGSL): the types its tasks share, the CPU references its
//! checks compare with, and the judge's entry point. Nothing here touches a GPU: the checks
//! see the learner's GPU functions as plain functions of data (`harness_gpu` runs them on the
//! machine's adapter), so the judge can check them from the reference worker, which has no
//! GPU and no learner code.
//!
//! The checks live in [`checks`]; [`remote`] makes them the judge's.

pub mod checks;
pub mod remote;

use crate::worker::ExerciseSpec;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "gpu-basics";

/// The WebGPU limits every adapter wgpu hands out meets (its `Limits::default()`): an
/// adapter that reports less was misread.
pub mod webgpu_minimum {
    /// Invocations along x in one workgroup.
    pub const WORKGROUP_SIZE_X: u32 = 256;
    /// Workgroups along one dimension of a dispatch.
    pub const WORKGROUPS_PER_DIMENSION: u32 = 65_535;
    /// Bytes one storage buffer binding may span (128 MiB).
    pub const STORAGE_BINDING_BYTES: u64 = 128 << 20;
}

/// Task 1: what a program should know about the adapter it runs on before it trusts a timing.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdapterReport {
    /// The adapter's name, as the driver gives it (`"llvmpipe (LLVM 15.0.6, 256 bits)"`).
    pub name: String,
    /// The graphics API wgpu drives it through, in lower case: `"vulkan"`, `"metal"`, `"dx12"`.
    pub backend: String,
    /// `"cpu"`, `"integrated gpu"`, `"discrete gpu"`, `"virtual gpu"` or `"other"`.
    pub device_type: String,
    /// Whether the "GPU" is software on the CPU (llvmpipe, lavapipe, SwiftShader, WARP).
    pub is_cpu: bool,
    /// `max_compute_workgroup_size_x`: the most invocations along x in one workgroup.
    pub max_workgroup_size_x: u32,
    /// `max_compute_workgroups_per_dimension`: the most workgroups along one dimension.
    pub max_workgroups_per_dimension: u32,
    /// `max_storage_buffer_binding_size`, in bytes.
    pub max_storage_buffer_binding_size: u64,
}

/// The device types [`AdapterReport::device_type`] may name.
pub const DEVICE_TYPES: [&str; 5] = ["cpu", "integrated gpu", "discrete gpu", "virtual gpu", "other"];

/// Task 4: where the time of one GPU computation went, measured by the learner's code.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TransferCost {
    /// Bytes moved each way (the input up, the result down).
    pub bytes: u64,
    /// Seconds to copy the input to the device (until the copy has finished).
    pub upload_s: f64,
    /// Seconds the kernel took on the device (dispatch until it has finished).
    pub kernel_s: f64,
    /// Seconds to copy the result back and read it on the host.
    pub download_s: f64,
}

impl TransferCost {
    /// The share of the whole spent moving data: (upload + download) / (all three).
    pub fn transfer_fraction(&self) -> f64 {
        let moving = self.upload_s + self.download_s;
        moving / (moving + self.kernel_s)
    }
}

/// SAXPY, `a·x + y`, as the course's reference computes it: in f64, rounded once to f32, so a
/// GPU that fuses the multiply and add (one rounding) and one that does not (two) are both
/// within a rounding of it.
pub fn reference_saxpy(a: f32, x: &[f32], y: &[f32]) -> Vec<f32> {
    x.iter().zip(y).map(|(&x, &y)| (f64::from(a) * f64::from(x) + f64::from(y)) as f32).collect()
}

/// The exact sum of `x` (in f64, whose 29 more bits of mantissa hold any f32 sum the checks
/// make exactly enough), and the sum of the magnitudes the error of an f32 sum scales with.
pub fn reference_sum(x: &[f32]) -> (f64, f64) {
    x.iter().fold((0.0, 0.0), |(s, m), &v| (s + f64::from(v), m + f64::from(v).abs()))
}

/// The transpose of the `rows`×`cols` row-major matrix `m`: `cols`×`rows`, row-major.
pub fn reference_transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = m[i * cols + j];
        }
    }
    t
}

/// The trusted side of grading: no timed stage (GPU timings are exercise 13's), every task
/// checked by the judge.
pub fn spec() -> ExerciseSpec {
    ExerciseSpec { exercise: EXERCISE, stages: Vec::new(), tasks: remote::tasks() }
}
