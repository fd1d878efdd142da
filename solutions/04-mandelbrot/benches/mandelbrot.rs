//! `cargo bench -p mandelbrot-solution`: dynamic, static, parallel, SIMD-friendly, and C.
fn bench(c: &mut criterion::Criterion) {
    harness::mandelbrot::bench::<mandelbrot_solution::Mandel>(c, "solution");
}
criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
