//! The heat program: `cargo run --release -p profiling-heat -- --help`.
fn main() -> std::process::ExitCode {
    harness::heat::program::main::<profiling_heat::Heat>("profiling-heat")
}
