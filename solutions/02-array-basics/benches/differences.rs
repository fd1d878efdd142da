//! `cargo bench -p array-basics-solution`: `differences` against the loop.
fn bench(c: &mut criterion::Criterion) {
    harness::arrays::bench(c, "solution", array_basics_solution::differences);
}
criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
