//! A STREAM-like copy benchmark: what the memory system delivers, to compare kernels with.
//!
//! `b[i] = a[i]` over arrays far beyond the caches, split across threads, best of several runs.
//! STREAM counts 16 bytes per element for a copy (8 read, 8 written), as the heat stencil's
//! minimum of 16 bytes per cell update does, so the two figures compare directly.

use std::time::Instant;

/// Elements per array: 2 × 256 MiB, far beyond any cache here.
pub const ELEMENTS: usize = 1 << 25;

/// Copy bandwidth in GB/s with `threads` threads (best of `repeat`).
pub fn copy_gbs(threads: usize, repeat: usize) -> f64 {
    let threads = threads.max(1);
    let a = vec![1.0f64; ELEMENTS];
    let mut b = vec![0.0f64; ELEMENTS]; // touched here, so the timed copies do not page-fault
    let chunk = ELEMENTS.div_ceil(threads);
    let mut best = f64::INFINITY;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        std::thread::scope(|s| {
            for (src, dst) in a.chunks(chunk).zip(b.chunks_mut(chunk)) {
                s.spawn(move || dst.copy_from_slice(src));
            }
        });
        best = best.min(start.elapsed().as_secs_f64());
    }
    std::hint::black_box(&b);
    16.0 * ELEMENTS as f64 / best / 1e9
}
