//! `cargo bench -p threads-solution`: the parallel `centre` against the serial starting code.
fn bench(c: &mut criterion::Criterion) {
    harness::threads::bench(c, "solution", threads_solution::centre);
}
criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
