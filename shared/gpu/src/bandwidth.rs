//! The device's own copy bandwidth: what a copy kernel moves between a GPU's cores and its
//! memory, the limit a GPU stencil's roofline line is measured against (`cargo xtask
//! machine` runs `course-gpu-bandwidth`, which prints it).

use crate::Gpu;
use std::time::Instant;

/// Bytes of each array: 64 MiB, far beyond any GPU's caches (and a CPU's, for lavapipe).
pub const BYTES: u64 = 64 << 20;

const COPY: &str = "
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(256)
fn copy(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.x + id.y * groups.x * 256u;
    if i < arrayLength(&src) {
        dst[i] = src[i];
    }
}
";

/// GB/s (bytes read + written per second / 1e9) of a copy of [`BYTES`] on the device: the best
/// of `runs` timed copies of ten dispatches each, after a warm-up.
pub fn copy_gbs(gpu: &Gpu, runs: usize) -> f64 {
    let src = gpu.storage(BYTES);
    let dst = gpu.storage(BYTES);
    let kernel = gpu.kernel(COPY, "copy");
    let groups = (BYTES / 16).div_ceil(256) as u32;
    let grid = if groups <= 65_535 { (groups, 1, 1) } else { (65_535, groups.div_ceil(65_535), 1) };
    const DISPATCHES: usize = 10;
    let mut best = 0.0f64;
    for run in 0..=runs {
        gpu.wait();
        let start = Instant::now();
        for _ in 0..DISPATCHES {
            gpu.run(&kernel, &[&src, &dst], grid);
        }
        gpu.wait();
        let seconds = start.elapsed().as_secs_f64();
        if run > 0 {
            best = best.max((2 * BYTES) as f64 * DISPATCHES as f64 / seconds / 1e9);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_copy_kernel_runs_and_measures_a_bandwidth() {
        let gbs = super::copy_gbs(crate::shared(), 1);
        assert!(gbs.is_finite() && gbs > 0.1, "{gbs} GB/s");
    }
}
