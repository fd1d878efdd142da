// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! Compiles the C rung (`shared/c/hpc_fib.c`) with `-O3` into a static library linked into this
//! crate; `src/lib.rs` declares what it needs from it in an `extern "C"` block.
fn main() {
    let dir = std::path::Path::new("../../shared/c");
    for file in ["hpc_fib.c", "hpc_fib.h"] {
        println!("cargo::rerun-if-changed=../../shared/c/{file}");
    }
    cc::Build::new().file(dir.join("hpc_fib.c")).include(dir).opt_level(3).warnings(true).compile("hpc_fib");
}
