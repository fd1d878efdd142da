//! One check per task of exercise 12, each taking the exercise's functions as plain functions
//! of data (the GPU context is bound by `harness_gpu`), so the learner's crate, the solution
//! and the judge run the same checks. Inputs are random, from a seed drawn per run and named
//! in every failure, with the sizes GPU code gets wrong: not a multiple of the workgroup size,
//! one element, more elements than one workgroup row of a dispatch.

use super::*;
use crate::diff::{self, Tolerance};
use crate::property::called;
use rand::Rng;

/// `n` values in [−1, 1) from `rng`.
fn values(rng: &mut impl Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// The lengths every 1-D check tries: the edge cases, then random ones up to 300 000 (more
/// than 65 535 workgroups of 4 would need, fewer than of 64).
fn lengths(rng: &mut impl Rng) -> Vec<usize> {
    let mut n = vec![1, 63, 64, 65, 1000, 65_537];
    n.extend((0..4).map(|_| rng.random_range(2..300_000)));
    n
}

fn as_f64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

/// A seed for this run's inputs, and the words that name it in a failure.
fn seeded() -> (rand::rngs::StdRng, String) {
    let seed = crate::worker::unknown_seed();
    (crate::worker::rng(seed), format!("(inputs from seed {seed:#x})"))
}

/// Task 1: the adapter, described. The check cannot see the adapter the learner's code ran on
/// (the judge has no GPU): it holds the report to what every adapter wgpu offers must be.
pub fn task_01_adapter(describe: fn() -> AdapterReport) {
    let r = called("describe(gpu)", describe);
    assert!(
        !r.name.trim().is_empty(),
        "describe(gpu).name is empty: the adapter's name is in `gpu.adapter.get_info()`"
    );
    assert!(
        ["vulkan", "metal", "dx12", "gl", "webgpu", "noop"].contains(&r.backend.as_str()),
        "describe(gpu).backend is {:?}: expected the backend's name in lower case, such as \"vulkan\" or \"metal\"",
        r.backend
    );
    assert!(
        DEVICE_TYPES.contains(&r.device_type.as_str()),
        "describe(gpu).device_type is {:?}: expected one of {DEVICE_TYPES:?} (from `wgpu::DeviceType`)",
        r.device_type
    );
    assert_eq!(
        r.is_cpu,
        r.device_type == "cpu",
        "describe(gpu): is_cpu is {} but device_type is {:?}: a CPU adapter is the one whose `device_type` is \
         `DeviceType::Cpu`",
        r.is_cpu,
        r.device_type
    );
    let limits = [
        ("max_workgroup_size_x", u64::from(r.max_workgroup_size_x), u64::from(webgpu_minimum::WORKGROUP_SIZE_X)),
        (
            "max_workgroups_per_dimension",
            u64::from(r.max_workgroups_per_dimension),
            u64::from(webgpu_minimum::WORKGROUPS_PER_DIMENSION),
        ),
        ("max_storage_buffer_binding_size", r.max_storage_buffer_binding_size, webgpu_minimum::STORAGE_BINDING_BYTES),
    ];
    for (field, got, least) in limits {
        assert!(
            got >= least,
            "describe(gpu).{field} is {got}, below WebGPU's minimum {least}: read it from `gpu.adapter.limits()`"
        );
    }
}

/// Task 2: a buffer to the device and back, every bit kept.
pub fn task_02_round_trip(round_trip: fn(&[f32]) -> Vec<f32>) {
    let (mut rng, seed) = seeded();
    for n in lengths(&mut rng) {
        let mut data = values(&mut rng, n);
        // Values a conversion would change: subnormals, signed zero, the extremes.
        data[0] = f32::MIN_POSITIVE / 2.0;
        data[n / 2] = if n > 2 { -0.0 } else { data[n / 2] };
        data[n - 1] = f32::MAX;
        let got = called(&format!("round_trip of {n} values"), || round_trip(&data));
        let same = got.len() == data.len() && got.iter().zip(&data).all(|(g, d)| g.to_bits() == d.to_bits());
        if !same {
            let m = diff::compare(&as_f64(&data), &as_f64(&got), &[n], &[got.len()], Tolerance::EXACT).map_or_else(
                |e| e.to_string(),
                |()| "the same values, not the same bits (a -0.0 lost its sign?)".into(),
            );
            panic!("round_trip of {n} values did not give them back {seed}:\n{m}");
        }
    }
}

/// Task 3: SAXPY, the first kernel: every element, none twice, none past the end.
pub fn task_03_saxpy(saxpy: fn(f32, &[f32], &[f32]) -> Vec<f32>) {
    let (mut rng, seed) = seeded();
    for n in lengths(&mut rng) {
        let a = rng.random_range(-4.0f32..4.0);
        let (x, y) = (values(&mut rng, n), values(&mut rng, n));
        let got = called(&format!("saxpy({a}, x, y) on {n} values"), || saxpy(a, &x, &y));
        let want = reference_saxpy(a, &x, &y);
        // One rounding each way (fused or not) of values up to 5.
        if let Err(m) = diff::compare(&as_f64(&want), &as_f64(&got), &[n], &[got.len()], Tolerance::relative(4e-7)) {
            let hint = match got.len().cmp(&n) {
                std::cmp::Ordering::Less => " (elements missing: are there enough workgroups for every element?)",
                std::cmp::Ordering::Greater => " (too many elements: read back only n values)",
                _ if got[n - 1] == 0.0 && want[n - 1] != 0.0 => {
                    " (the last elements are 0: round the workgroup count up)"
                }
                _ => "",
            };
            panic!("saxpy({a}, x, y) on {n} values differs from a·x + y{hint} {seed}:\n{m}");
        }
    }
}

/// Task 4: where the time goes. The check cannot time the device itself; it holds the
/// learner's figures to what a measurement must be: every part measured, none longer than
/// the whole call took as timed here.
pub fn task_04_transfer_cost(transfer_cost: fn(usize) -> TransferCost) {
    for n in [1 << 16, 1 << 20] {
        let start = std::time::Instant::now();
        let cost = called(&format!("transfer_cost({n})"), || transfer_cost(n));
        let whole = start.elapsed().as_secs_f64();
        assert_eq!(cost.bytes, 4 * n as u64, "transfer_cost({n}).bytes: {n} f32 values are {} bytes", 4 * n);
        for (part, s) in [("upload_s", cost.upload_s), ("kernel_s", cost.kernel_s), ("download_s", cost.download_s)] {
            assert!(
                s.is_finite() && s > 0.0,
                "transfer_cost({n}).{part} is {s}: every part takes some time (wait for the device with \
                 `device.poll` before reading the clock)"
            );
        }
        let sum = cost.upload_s + cost.kernel_s + cost.download_s;
        assert!(
            sum <= whole * 1.05,
            "transfer_cost({n}): its parts add up to {sum:.6} s, more than the whole call took ({whole:.6} s)"
        );
    }
}

/// Task 5: a sum by reduction in workgroup memory, as accurate as a tree of f32 additions.
pub fn task_05_sum(sum: fn(&[f32]) -> f32) {
    let (mut rng, seed) = seeded();
    let mut cases = lengths(&mut rng);
    cases.push(1 << 20);
    for n in cases {
        let x = values(&mut rng, n);
        let got = called(&format!("sum of {n} values"), || sum(&x));
        let (exact, magnitude) = reference_sum(&x);
        // A tree of f32 additions errs by about log2(n) roundings of the magnitudes' sum.
        let allowed = 1e-5 * magnitude;
        let error = (f64::from(got) - exact).abs();
        assert!(
            error <= allowed,
            "sum of {n} values in [-1, 1): expected {exact:.6}, got {got} (error {error:.3e}, allowed {allowed:.3e}); \
             {} {seed}",
            if got == 0.0 { "0: is the result read back after the last pass?" } else { "each value counted once?" }
        );
    }
}

/// Task 6: a matrix transpose, naive and tiled; both exact on every shape.
pub fn task_06_transpose(naive: fn(&[f32], usize, usize) -> Vec<f32>, tiled: fn(&[f32], usize, usize) -> Vec<f32>) {
    let (mut rng, seed) = seeded();
    let mut shapes = vec![(1, 1), (1, 100), (100, 1), (16, 16), (17, 33), (64, 256)];
    shapes.extend((0..3).map(|_| (rng.random_range(2..700), rng.random_range(2..700))));
    for (rows, cols) in shapes {
        let m = values(&mut rng, rows * cols);
        let want = reference_transpose(&m, rows, cols);
        for (name, f) in [("transpose_naive", naive), ("transpose_tiled", tiled)] {
            let got = called(&format!("{name} of a {rows}×{cols} matrix"), || f(&m, rows, cols));
            if let Err(e) = diff::compare(
                &as_f64(&want),
                &as_f64(&got),
                &[cols, rows],
                &[got.len() / rows.max(1), rows],
                Tolerance::EXACT,
            ) {
                panic!("{name} of a {rows}×{cols} matrix: the {cols}×{rows} result differs from mᵀ {seed}:\n{e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::panic_message;

    fn report() -> AdapterReport {
        AdapterReport {
            name: "llvmpipe (LLVM 15.0.6, 256 bits)".into(),
            backend: "vulkan".into(),
            device_type: "cpu".into(),
            is_cpu: true,
            max_workgroup_size_x: 1024,
            max_workgroups_per_dimension: 65_535,
            max_storage_buffer_binding_size: 1 << 30,
        }
    }

    #[test]
    fn the_references_pass_their_own_checks() {
        task_01_adapter(report);
        task_02_round_trip(|x| x.to_vec());
        task_03_saxpy(reference_saxpy);
        task_05_sum(|x| reference_sum(x).0 as f32);
        task_06_transpose(reference_transpose, reference_transpose);
    }

    #[test]
    fn a_cpu_adapter_called_a_gpu_fails() {
        fn lying() -> AdapterReport {
            AdapterReport { device_type: "discrete gpu".into(), ..report() }
        }
        let m = panic_message(|| task_01_adapter(lying));
        assert!(m.contains("is_cpu is true but device_type is \"discrete gpu\""), "{m}");
    }

    #[test]
    fn a_saxpy_that_skips_the_last_partial_workgroup_is_told_to_round_up() {
        fn short(a: f32, x: &[f32], y: &[f32]) -> Vec<f32> {
            let mut z = reference_saxpy(a, x, y);
            let whole = z.len() / 64 * 64;
            z[whole..].iter_mut().for_each(|v| *v = 0.0);
            z
        }
        let m = panic_message(|| task_03_saxpy(short));
        assert!(m.contains("round the workgroup count up"), "{m}");
        assert!(m.contains("seed 0x"), "{m}");
    }

    #[test]
    fn a_sum_that_drops_a_workgroup_fails_and_an_f32_tree_passes() {
        fn tree(x: &[f32]) -> f32 {
            let mut v = x.to_vec();
            while v.len() > 1 {
                v = v.chunks(2).map(|c| c.iter().sum()).collect();
            }
            v[0]
        }
        task_05_sum(tree);
        // Every workgroup but the second one's 256 values.
        fn dropped(x: &[f32]) -> f32 {
            x.iter().enumerate().filter(|(i, _)| !(256..512).contains(i)).map(|(_, v)| v).sum()
        }
        let m = panic_message(|| task_05_sum(dropped));
        assert!(m.contains("each value counted once"), "{m}");
    }

    #[test]
    fn a_transpose_that_returns_the_input_fails_with_where() {
        fn copy(m: &[f32], _: usize, _: usize) -> Vec<f32> {
            m.to_vec()
        }
        let m = panic_message(|| task_06_transpose(reference_transpose, copy));
        // A 1×n matrix and its transpose have the same values in memory: the first square one fails.
        assert!(m.contains("transpose_tiled of a 16×16 matrix"), "{m}");
    }

    #[test]
    fn parts_longer_than_the_call_fail() {
        fn invented(n: usize) -> TransferCost {
            TransferCost { bytes: 4 * n as u64, upload_s: 1.0, kernel_s: 1.0, download_s: 1.0 }
        }
        let m = panic_message(|| task_04_transfer_cost(invented));
        assert!(m.contains("more than the whole call took"), "{m}");
        let cost = TransferCost { bytes: 4, upload_s: 1.0, kernel_s: 2.0, download_s: 1.0 };
        assert_eq!(cost.transfer_fraction(), 0.5);
    }
}
