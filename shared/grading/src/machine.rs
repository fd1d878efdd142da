//! Facts about the machine a measurement ran on, recorded in every grade report.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    /// One-minute load average when grading started (Linux only): above ~0.5 on a 2-core
    /// machine, something else is running and verdicts may need more pairs.
    pub load_average: Option<f64>,
    pub os: String,
    /// How much faster two threads finished the same CPU-bound work than one, measured just
    /// before timing (see [`two_thread_scaling`]): ≈ 2 on an idle 2-core machine, ≈ 1.3 when
    /// another program keeps a core busy, in which case no multi-threaded stage can reach its
    /// target. `None` when not measured (one core, or an older report).
    #[serde(default)]
    pub two_thread_scaling: Option<f64>,
    /// For an exercise that runs under MPI: the MPI used (`mpirun --version`'s first line) and
    /// the rank count of the timed stages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mpi: Option<String>,
}

/// Two threads' speedup over one on a fixed CPU-bound task: the median of 5 interleaved pairs
/// (one thread doing it, then two threads each doing it at once), about 0.1 s in all.
///
/// Load average cannot tell this: it still counts the build that ran a second ago. A direct
/// measurement says whether a second core is free *now*.
pub fn two_thread_scaling() -> f64 {
    fn spin() {
        // ~10 ms of dependent floating-point work the optimiser cannot remove.
        let mut x = std::hint::black_box(1.0f64);
        for _ in 0..4_000_000 {
            x = x * 1.000_000_1 + 1e-9;
        }
        std::hint::black_box(x);
    }
    spin(); // warm-up: page in the code, wake the core
    let mut ratios: Vec<f64> = (0..5)
        .map(|_| {
            let start = std::time::Instant::now();
            spin();
            let one = start.elapsed().as_secs_f64();
            let start = std::time::Instant::now();
            std::thread::scope(|s| {
                s.spawn(spin);
                spin();
            });
            2.0 * one / start.elapsed().as_secs_f64()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[2]
}

impl Machine {
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let load_average = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()));
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            load_average,
            os: std::env::consts::OS.to_string(),
            two_thread_scaling: None,
            mpi: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_threads_are_at_most_about_twice_as_fast_as_one() {
        // Its value depends on the load (that is its point); only its range is a fact.
        let x = super::two_thread_scaling();
        assert!(x > 0.3 && x < 2.6, "{x}");
    }
}
