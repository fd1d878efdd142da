//! Scope timers: the Rust form of Python's "timing with a context manager".
//!
//! A [`ScopeTimer`] measures from its creation to the end of its scope and adds the time to a
//! per-label tally; [`summary`] prints the tally, and [`print_summary_at_exit`] returns a guard
//! that prints it when `main` returns.
//!
//! ```
//! use harness::scope_timer::{ScopeTimer, summary};
//! for _ in 0..3 {
//!     let _t = ScopeTimer::new("doc example");
//!     std::hint::black_box((0..1000).sum::<u64>());
//! }
//! assert!(summary().contains("doc example"));
//! ```

use crate::timeit::format_seconds;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Clone, Debug)]
struct Tally {
    label: &'static str,
    calls: u64,
    total: f64,
    max: f64,
}

/// Labels in the order they were first seen, so the summary reads like the program.
static TALLIES: Mutex<Vec<Tally>> = Mutex::new(Vec::new());

/// Times its own lifetime and records it under `label` when dropped.
#[must_use = "a scope timer measures until it is dropped; bind it with `let _t = …`"]
pub struct ScopeTimer {
    label: &'static str,
    start: Instant,
}

impl ScopeTimer {
    pub fn new(label: &'static str) -> Self {
        ScopeTimer { label, start: Instant::now() }
    }
}

impl Drop for ScopeTimer {
    fn drop(&mut self) {
        record(self.label, self.start.elapsed().as_secs_f64());
    }
}

/// Adds one measurement of `seconds` under `label`.
pub fn record(label: &'static str, seconds: f64) {
    let mut tallies = TALLIES.lock().unwrap_or_else(|e| e.into_inner());
    match tallies.iter_mut().find(|t| t.label == label) {
        Some(t) => {
            t.calls += 1;
            t.total += seconds;
            t.max = t.max.max(seconds);
        }
        None => tallies.push(Tally { label, calls: 1, total: seconds, max: seconds }),
    }
}

/// A table of every label: calls, total, mean and maximum time, and share of the grand total.
pub fn summary() -> String {
    let tallies = TALLIES.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let grand: f64 = tallies.iter().map(|t| t.total).sum();
    let width = tallies.iter().map(|t| t.label.len()).max().unwrap_or(5).max(5);
    let mut out =
        format!("{:<width$} {:>6} {:>10} {:>10} {:>10} {:>6}\n", "scope", "calls", "total", "mean", "max", "share");
    for t in &tallies {
        out += &format!(
            "{:<width$} {:>6} {:>10} {:>10} {:>10} {:>5.1}%\n",
            t.label,
            t.calls,
            format_seconds(t.total),
            format_seconds(t.total / t.calls as f64),
            format_seconds(t.max),
            if grand > 0.0 { 100.0 * t.total / grand } else { 0.0 },
        );
    }
    out
}

/// Prints [`summary`] to standard error when dropped: keep it alive for the whole of `main`.
#[must_use = "the summary is printed when this guard is dropped"]
pub struct SummaryAtExit;

impl Drop for SummaryAtExit {
    fn drop(&mut self) {
        eprint!("\n{}", summary());
    }
}

/// `let _summary = print_summary_at_exit();` at the top of `main`.
pub fn print_summary_at_exit() -> SummaryAtExit {
    SummaryAtExit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_calls_per_label_in_first_seen_order() {
        record("unit-test b", 0.5);
        record("unit-test a", 0.25);
        record("unit-test b", 1.5);
        {
            let _t = ScopeTimer::new("unit-test a");
        }
        let table = summary();
        let b = table.lines().find(|l| l.starts_with("unit-test b")).unwrap();
        assert!(b.contains(" 2 ") && b.contains("2.00 s") && b.contains("1.00 s") && b.contains("1.50 s"), "{b}");
        let a = table.lines().find(|l| l.starts_with("unit-test a")).unwrap();
        assert!(a.contains(" 2 "), "{a}");
        assert!(table.find("unit-test b").unwrap() < table.find("unit-test a").unwrap());
    }
}
