//! A STREAM-like copy benchmark: what the memory system delivers, to compare kernels with.
//!
//! `b[i] = a[i]` over arrays far beyond the caches, split across threads, best of several runs.
//! STREAM counts 16 bytes per element for a copy (8 read, 8 written), as the heat stencil's
//! minimum of 16 bytes per cell update does, so the two figures compare directly. (The copy is
//! `copy_from_slice`, i.e. glibc's `memcpy`, whose stores to large arrays skip the cache: it
//! moves exactly those 16 bytes, with no read of the destination first.)

use std::time::Instant;

/// Elements per array: 2 × 256 MiB, far beyond any cache here.
pub const ELEMENTS: usize = 1 << 25;

/// Two arrays of [`ELEMENTS`], allocated and touched once, to copy again and again.
pub struct Copier {
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Default for Copier {
    fn default() -> Self {
        Self::new()
    }
}

impl Copier {
    pub fn new() -> Self {
        // Both touched here, so the timed copies do not page-fault.
        Copier { a: vec![1.0f64; ELEMENTS], b: vec![0.0f64; ELEMENTS] }
    }

    /// The bandwidth of one copy of `a` into `b` with `threads` threads, in GB/s.
    pub fn gbs(&mut self, threads: usize) -> f64 {
        let chunk = ELEMENTS.div_ceil(threads.max(1));
        let start = Instant::now();
        std::thread::scope(|s| {
            for (src, dst) in self.a.chunks(chunk).zip(self.b.chunks_mut(chunk)) {
                s.spawn(move || dst.copy_from_slice(src));
            }
        });
        let seconds = start.elapsed().as_secs_f64();
        std::hint::black_box(&self.b);
        16.0 * ELEMENTS as f64 / seconds / 1e9
    }
}

/// Copy bandwidth in GB/s with `threads` threads (best of `repeat`).
pub fn copy_gbs(threads: usize, repeat: usize) -> f64 {
    let mut copier = Copier::new();
    (0..repeat.max(1)).map(|_| copier.gbs(threads)).fold(0.0, f64::max)
}
