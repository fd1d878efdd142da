// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! `cargo bench -p heat-fast`: naive, yours (serial and parallel), and C -O3 through FFI.
fn bench(c: &mut criterion::Criterion) {
    harness::heat_fast::bench::<heat_fast::Heat>(c, "exercise");
}
criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
