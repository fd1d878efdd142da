//! `cargo bench -p call-overhead-solution`: every rung against the `def` baseline, and the C
//! recursion crossing the boundary on every call.
fn bench(c: &mut criterion::Criterion) {
    let extras: [harness::call_overhead::Rung; 1] = [("c, crossing every call", call_overhead_solution::crossing)];
    harness::call_overhead::bench::ladder::<call_overhead_solution::Ladder>(c, &extras);
}
criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
