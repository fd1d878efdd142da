//! Compiles the course's C kernels (`shared/c/`) into a static library, under the course's one
//! instruction-set policy (`.cargo/config.toml`), applied to C as to Rust:
//!
//! - `-O3`;
//! - `-march=<cpu>` where the Rust build has `-C target-cpu=<cpu>` on x86-64 (`x86-64-v3`: AVX2
//!   and FMA, as the course's config sets it; `RUSTFLAGS=` empty gives generic x86-64 to both);
//!   other architectures keep gcc's default;
//! - `-ffp-contract=off`, always: gcc's default (`fast`) would fuse a multiply and an add into
//!   one FMA where Rust never does (other roundings: the Mandelbrot counts would change);
//! - `-fopenmp` and libgomp, with a GNU-like compiler, for `hpc_heat_step_omp` (without them its
//!   pragma is ignored and it runs on one thread). It is alone in `heat_omp.c`, so a C program
//!   linking a Rust static library built on this one needs libgomp only if it calls it.
fn main() {
    let dir = std::path::Path::new("../c");
    for file in ["heat.c", "heat_omp.c", "heat_row.h", "mandelbrot.c", "hpc_kernels.h", "hpc_codes.h"] {
        println!("cargo::rerun-if-changed=../c/{file}");
    }
    let mut build = cc::Build::new();
    build
        .file(dir.join("heat.c"))
        .file(dir.join("heat_omp.c"))
        .file(dir.join("mandelbrot.c"))
        .include(dir)
        .opt_level(3)
        .flag_if_supported("-std=c99")
        .flag_if_supported("-ffp-contract=off")
        .warnings(true);
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64")
        && let Some(cpu) = rust_target_cpu()
    {
        build.flag(format!("-march={cpu}"));
    }
    if build.get_compiler().is_like_gnu() {
        build.flag("-fopenmp");
        println!("cargo::rustc-link-lib=gomp");
    }
    build.compile("hpc_kernels");
}

/// The `-C target-cpu=…` of the Rust build, if any (the last one wins, as in rustc).
fn rust_target_cpu() -> Option<String> {
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let flags: Vec<&str> = flags.split('\x1f').collect();
    let mut cpu = None;
    for (k, flag) in flags.iter().enumerate() {
        let value = match flag.strip_prefix("-C").map(str::trim_start) {
            Some("") => flags.get(k + 1).copied().unwrap_or(""),
            Some(rest) => rest,
            None => flag.strip_prefix("--codegen=").unwrap_or(""),
        };
        if let Some(name) = value.strip_prefix("target-cpu=") {
            cpu = Some(name.to_string());
        }
    }
    cpu
}
