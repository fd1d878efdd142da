//! Prints this machine's GPU copy bandwidth as one JSON line (`grading::roofline::DeviceLimit`):
//! run by `cargo xtask machine` and by `check` before a GPU stage is timed. Course code: it is
//! built from the sealed harness only.
fn main() -> std::process::ExitCode {
    let gpu = match harness_gpu::Gpu::new() {
        Ok(gpu) => gpu,
        Err(why) => {
            eprintln!("error: {why}");
            return std::process::ExitCode::from(2);
        }
    };
    let limit = harness::roofline::DeviceLimit {
        adapter: gpu.describe(),
        cpu: gpu.is_cpu(),
        copy_gbs: harness_gpu::bandwidth::copy_gbs(&gpu, 5),
    };
    println!("{}", serde_json::to_string(&limit).expect("serialises"));
    std::process::ExitCode::SUCCESS
}
