//! `cargo bench -p profiling-heat-solution`: your solver against the frozen baseline.
fn bench(c: &mut criterion::Criterion) {
    harness::heat::bench::compare::<profiling_heat_solution::Heat>(c, "solution");
}
criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
