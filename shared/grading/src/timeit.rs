//! Python's `timeit`, in Rust: run a closure in loops, auto-range the loop count, repeat, and
//! report the best and the median time per loop. Exercises reach it as `harness::timeit`.
//!
//! ```
//! let t = grading::timeit::timeit(|| (0..1000u64).sum::<u64>());
//! println!("{t}"); // e.g. "500000 loops, best of 5: 412 ns per loop"
//! assert!(t.best() <= t.median());
//! ```
//!
//! Like Python's, the best is the figure to quote for a small deterministic snippet: noise only
//! ever adds time. The median is printed too because for larger workloads it is the honest one.

use std::fmt;
use std::hint::black_box;
use std::time::Instant;

/// How long one repeat must take at least when the loop count is chosen automatically (as in
/// Python's `Timer.autorange`).
pub const AUTORANGE_SECONDS: f64 = 0.2;

/// The result of [`timeit`]: `repeat` measurements of `loops` calls each.
#[derive(Clone, Debug)]
pub struct Timeit {
    pub loops: u64,
    /// Seconds per loop, one entry per repeat, in the order measured.
    pub per_loop: Vec<f64>,
}

impl Timeit {
    /// Fastest seconds per loop.
    pub fn best(&self) -> f64 {
        self.per_loop.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Median seconds per loop.
    pub fn median(&self) -> f64 {
        median(&self.per_loop)
    }
}

impl fmt::Display for Timeit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} loop{}, best of {}: {} per loop (median {})",
            self.loops,
            if self.loops == 1 { "" } else { "s" },
            self.per_loop.len(),
            format_seconds(self.best()),
            format_seconds(self.median()),
        )
    }
}

/// Times `f` like `python -m timeit`: 5 repeats, loop count auto-ranged to ≥ 0.2 s per repeat.
pub fn timeit<R>(f: impl FnMut() -> R) -> Timeit {
    timeit_with(5, None, f)
}

/// Times `f` with `repeat` repeats of `loops` calls (auto-ranged when `None`).
pub fn timeit_with<R>(repeat: usize, loops: Option<u64>, mut f: impl FnMut() -> R) -> Timeit {
    assert!(repeat > 0, "timeit needs at least one repeat");
    let loops = loops.unwrap_or_else(|| autorange(&mut f));
    let per_loop = (0..repeat).map(|_| time_loops(&mut f, loops) / loops as f64).collect();
    Timeit { loops, per_loop }
}

/// Loop counts 1, 2, 5, 10, 20, 50, … until one run takes at least [`AUTORANGE_SECONDS`].
fn autorange<R>(f: &mut impl FnMut() -> R) -> u64 {
    let mut decade = 1u64;
    loop {
        for step in [1, 2, 5] {
            let loops = decade * step;
            if time_loops(f, loops) >= AUTORANGE_SECONDS {
                return loops;
            }
        }
        decade *= 10;
    }
}

/// Seconds taken by `loops` calls of `f`; results go through `black_box` so they are not elided.
pub fn time_loops<R>(f: &mut impl FnMut() -> R, loops: u64) -> f64 {
    let start = Instant::now();
    for _ in 0..loops {
        black_box(f());
    }
    start.elapsed().as_secs_f64()
}

/// Median of a non-empty slice (the mean of the two middle values for even lengths).
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "median of no values");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]) / 2.0 }
}

/// The lowest and the highest of `values` (`(inf, 0)` for none: speedups and times are positive).
pub fn spread(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

/// Formats seconds with three significant digits in the unit that suits: `52.3 ns`, `1.20 ms`.
pub fn format_seconds(seconds: f64) -> String {
    let (value, unit) = match seconds.abs() {
        s if s < 1e-6 => (seconds * 1e9, "ns"),
        s if s < 1e-3 => (seconds * 1e6, "µs"),
        s if s < 1.0 => (seconds * 1e3, "ms"),
        _ => (seconds, "s"),
    };
    let decimals = match value.abs() {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{value:.decimals$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python_timeit() {
        let t = Timeit { loops: 10_000_000, per_loop: vec![60e-9, 52.3e-9, 55e-9, 53e-9, 70e-9] };
        assert_eq!(t.to_string(), "10000000 loops, best of 5: 52.3 ns per loop (median 55.0 ns)");
        let one = Timeit { loops: 1, per_loop: vec![1.5] };
        assert_eq!(one.to_string(), "1 loop, best of 1: 1.50 s per loop (median 1.50 s)");
    }

    #[test]
    fn picks_the_unit_and_three_digits() {
        assert_eq!(format_seconds(52.34e-9), "52.3 ns");
        assert_eq!(format_seconds(1.2e-6), "1.20 µs");
        assert_eq!(format_seconds(0.1234), "123 ms");
        assert_eq!(format_seconds(12.0), "12.0 s");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn explicit_loop_count_is_kept_and_every_repeat_is_recorded() {
        let mut calls = 0u64;
        let t = timeit_with(3, Some(7), || calls += 1);
        assert_eq!(t.loops, 7);
        assert_eq!(t.per_loop.len(), 3);
        assert_eq!(calls, 21);
        assert!(t.best() <= t.median());
    }
}
