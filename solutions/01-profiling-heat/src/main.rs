//! The heat program: `cargo run --release -p profiling-heat-solution -- --help`.
fn main() -> std::process::ExitCode {
    harness::heat::program::main::<profiling_heat_solution::Heat>("profiling-heat-solution")
}
