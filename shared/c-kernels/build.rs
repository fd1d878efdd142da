//! Compiles the course's C kernels (`shared/c/`) with `-O3` into a static library.
fn main() {
    let dir = std::path::Path::new("../c");
    for file in ["heat.c", "mandelbrot.c", "hpc_kernels.h", "hpc_codes.h"] {
        println!("cargo::rerun-if-changed=../c/{file}");
    }
    cc::Build::new()
        .file(dir.join("heat.c"))
        .file(dir.join("mandelbrot.c"))
        .include(dir)
        .opt_level(3)
        .flag_if_supported("-std=c99")
        .warnings(true)
        .compile("hpc_kernels");
}
