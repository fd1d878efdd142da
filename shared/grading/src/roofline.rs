//! How close a stage came to what this machine can do at all: its declared work in hardware
//! terms ([`Roof`]), the machine's limits measured once ([`Limits`], `cargo xtask machine`),
//! and the fraction of the relevant limit a measured time reaches ([`Roofline`]).
//!
//! A speedup says how far a learner came from the starting code; only a limit says how far is
//! left. The limits are simple peaks measured with the course's own build settings: the copy
//! bandwidth at three working-set sizes, the latency of one dependent floating-point operation,
//! and the throughput of independent floating-point operations the compiler vectorises.

use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::Instant;

/// What bounds one unit of a stage's work on any machine (declared by the trusted spec).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Roof {
    /// `bytes` per unit must move between the cores and the memory holding `working_set` bytes
    /// (counted as STREAM counts a copy: every byte read and every byte written).
    Memory { bytes: f64, working_set: f64 },
    /// `ops` floating-point operations per unit each wait for the one before: the latency of
    /// the chain, not the machine's width, is the limit.
    Chain { ops: f64 },
    /// `flops` independent floating-point operations per unit, as vector instructions can run.
    Vector { flops: f64 },
    /// `bytes` per unit must move between a GPU's cores and its own memory (read + written):
    /// bounded by the device's copy bandwidth ([`Limits::device`]), not the CPU's.
    DeviceMemory { bytes: f64 },
    /// No hardware limit measures this work (calls, an algorithm's step count): why.
    Unbounded { why: String },
}

/// The least work one call must do whatever the code, in the machine's terms: the work no
/// algorithm can skip, so a call faster than it was not computed while it was timed (a cache
/// kept between calls, a table filled before the clock started). Unlike a [`Roof`], which says
/// what a stage's *usual* form can reach (a cache can beat a memory roof, independent pixels
/// can beat one pixel's chain), a floor holds for any honest code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Floor {
    /// `ops` floating-point operations per call, each waiting for the one before (a sum whose
    /// order is fixed to the last bit): no core, thread or vector runs them faster than the
    /// latency of one after another.
    Chain { ops: f64, what: String },
    /// `ops` operations per call that no code can skip: even on every core at the vector peak,
    /// they take their time.
    Ops { ops: f64, what: String },
}

/// How many times faster than its [`Floor`] a call may seem before it is refused: the limits
/// are peaks measured once (a busy moment makes them look lower), and a chain of adds alone
/// can run a little faster than the measured multiply-add chain. Honest code stays below 1.4.
pub const FLOOR_SLACK: f64 = 2.0;

impl Floor {
    /// The least time one call takes on a machine with `limits`.
    pub fn seconds(&self, limits: &Limits) -> f64 {
        match self {
            Floor::Chain { ops, .. } => ops * limits.chain_ns * 1e-9,
            Floor::Ops { ops, .. } => ops / (limits.vector_gflops[1].max(limits.vector_gflops[0]) * 1e9),
        }
    }

    /// `Some(why)` when a call that took `seconds_per_call` is faster than this machine can
    /// compute it ([`FLOOR_SLACK`] times its floor or more); the figures are in the message.
    pub fn refuses(&self, seconds_per_call: f64, limits: &Limits) -> Option<String> {
        let least = self.seconds(limits);
        if least <= 0.0 || seconds_per_call * FLOOR_SLACK > least {
            return None;
        }
        let (what, how) = match self {
            Floor::Chain { what, .. } => {
                (what, format!("one after another at this machine's latency limit ({:.2} ns each)", limits.chain_ns))
            }
            Floor::Ops { what, .. } => (
                what,
                format!("on every core at this machine's vector peak ({} Gflop/s)", sig(limits.vector_gflops[1])),
            ),
        };
        Some(format!(
            "{} per call, {:.0}× faster than this machine can compute: {what} take at least {} {how}",
            duration(seconds_per_call),
            least / seconds_per_call.max(f64::MIN_POSITIVE),
            duration(least),
        ))
    }
}

/// "3.20 µs": a duration in the unit that reads best.
fn duration(seconds: f64) -> String {
    let (value, unit) = match seconds {
        s if s >= 1.0 => (s, "s"),
        s if s >= 1e-3 => (s * 1e3, "ms"),
        s if s >= 1e-6 => (s * 1e6, "µs"),
        s => (s * 1e9, "ns"),
    };
    format!("{} {unit}", sig(value))
}

/// The copy bandwidth with the arrays in one level of the memory hierarchy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyLevel {
    /// "L2", "L3" or "memory".
    pub level: String,
    /// Bytes of both arrays together.
    pub bytes: f64,
    /// GB/s (bytes read + written per second / 1e9) on one thread and on every core.
    pub one_thread: f64,
    pub all_cores: f64,
}

/// This machine's limits, as the course's build settings reach them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub cpu: String,
    pub cores: usize,
    /// The vector instructions the course's build enables (`.cargo/config.toml`).
    pub instruction_set: String,
    /// Smallest level first.
    pub copy: Vec<CopyLevel>,
    /// Nanoseconds per dependent floating-point operation (an add or multiply that needs the
    /// previous result).
    pub chain_ns: f64,
    /// Gflop/s of independent multiplies and adds on one core and on every core.
    pub vector_gflops: [f64; 2],
    /// The GPU's own copy bandwidth, where a GPU exercise has measured it (absent elsewhere,
    /// and from caches written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceLimit>,
}

/// A GPU's copy bandwidth between its cores and its own memory, as a copy kernel reaches it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceLimit {
    /// The adapter, as wgpu names it: `llvmpipe (LLVM 15.0.6, 256 bits) (Cpu, Vulkan)`.
    pub adapter: String,
    /// Whether it is software on the CPU (then its "device memory" is this machine's RAM).
    pub cpu: bool,
    /// GB/s, bytes read + written per second / 1e9, on arrays far larger than its caches.
    pub copy_gbs: f64,
}

/// A stage's measured rate against the relevant limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Roofline {
    /// "memory", "chain" or "vector".
    pub kind: String,
    /// What was achieved and the limit, in `unit`.
    pub rate: f64,
    pub limit: f64,
    pub unit: String,
    /// `rate / limit`: 1 is the machine's limit (a cache can make a memory figure exceed it).
    pub fraction: f64,
    /// The limit in a few words: "copy bandwidth", "latency limit", "vector peak".
    pub limit_name: String,
    /// Where it was measured: "arrays in memory, 1 thread".
    pub conditions: String,
}

impl Roofline {
    /// The roofline of `roof` for a stage that took `seconds_per_unit`, on `threads` threads
    /// (1, or every core for a multi-threaded stage). `None` for [`Roof::Unbounded`].
    pub fn of(roof: &Roof, seconds_per_unit: f64, threads: usize, limits: &Limits) -> Option<Roofline> {
        let all = threads > 1;
        let on = if all { format!("{} cores", limits.cores) } else { "1 thread".to_string() };
        let (kind, rate, limit, unit, limit_name, conditions) = match roof {
            Roof::Memory { bytes, working_set } => {
                let rate = bytes / seconds_per_unit / 1e9;
                // Each thread (or rank) streams its own share: the level that holds the share.
                let share = if all { working_set / limits.cores.max(1) as f64 } else { *working_set };
                let (level, limit, stayed) = limits.copy_limit(share, all, rate)?;
                let place =
                    |l: &CopyLevel| if l.level == "memory" { "in memory".into() } else { format!("in {}", l.level) };
                let conditions = match stayed {
                    None => format!("arrays {}, {on}", place(level)),
                    Some(faster) => format!(
                        "arrays {}, {on}: faster than arrays {} allow, so the data stayed there",
                        place(faster),
                        place(level)
                    ),
                };
                let limit = stayed.map_or(limit, |l| if all { l.all_cores } else { l.one_thread });
                ("memory", rate, limit, "GB/s", "copy bandwidth", conditions)
            }
            Roof::Chain { ops } => {
                let cores = if all { limits.cores as f64 } else { 1.0 };
                let conditions = format!("one every {:.2} ns, {on}", limits.chain_ns);
                let rate = ops / seconds_per_unit / 1e9;
                ("chain", rate, cores / limits.chain_ns, "G dependent ops/s", "latency limit", conditions)
            }
            Roof::Vector { flops } => {
                let limit = if all { limits.vector_gflops[1] } else { limits.vector_gflops[0] };
                let conditions = format!("{}, {on}", limits.instruction_set);
                ("vector", flops / seconds_per_unit / 1e9, limit, "Gflop/s", "vector peak", conditions)
            }
            Roof::DeviceMemory { bytes } => {
                let device = limits.device.as_ref()?;
                let conditions = format!("a copy kernel on {}", device.adapter);
                (
                    "device memory",
                    bytes / seconds_per_unit / 1e9,
                    device.copy_gbs,
                    "GB/s",
                    "GPU copy bandwidth",
                    conditions,
                )
            }
            Roof::Unbounded { .. } => return None,
        };
        Some(Roofline {
            kind: kind.into(),
            rate,
            limit,
            unit: unit.into(),
            fraction: rate / limit,
            limit_name: limit_name.into(),
            conditions,
        })
    }

    /// "54% of copy bandwidth": the fraction in a few words, for charts and tables.
    pub fn short(&self) -> String {
        format!("{:.0}% of {}", 100.0 * self.fraction, self.limit_name)
    }

    /// "12.3 GB/s, 54% of this machine's copy bandwidth (22.8 GB/s, arrays in memory, 1 thread)".
    pub fn describe(&self) -> String {
        format!(
            "{} {}, {:.0}% of this machine's {} ({} {}, {})",
            sig(self.rate),
            self.unit,
            100.0 * self.fraction,
            self.limit_name,
            sig(self.limit),
            self.unit,
            self.conditions
        )
    }
}

/// Three significant digits at most, no trailing zeros: 12.3, 0.612, 145.
fn sig(x: f64) -> String {
    let digits = if x >= 100.0 {
        0
    } else if x >= 10.0 {
        1
    } else if x >= 1.0 {
        2
    } else {
        3
    };
    format!("{x:.digits$}")
}

impl Limits {
    /// This machine's facts with nothing measured yet: what a cache must match.
    pub fn unmeasured(machine: &crate::machine::Machine) -> Limits {
        Limits {
            cpu: machine.cpu.clone(),
            cores: machine.cores,
            instruction_set: instruction_set(),
            copy: vec![],
            chain_ns: 0.0,
            vector_gflops: [0.0; 2],
            device: None,
        }
    }

    /// The smallest measured level that holds `working_set` bytes (the last one otherwise).
    pub fn level_for(&self, working_set: f64) -> Option<&CopyLevel> {
        self.copy.iter().find(|l| working_set <= l.bytes).or(self.copy.last())
    }

    /// The copy bandwidth that bounds streaming `share` bytes (one thread's, or each core's
    /// with `all`) at `rate` GB/s: the level that holds the share, at least as fast as every
    /// larger level (a measurement of a shared cache may come out below memory's, and data a
    /// cache holds never moves slower than from memory). When `rate` is above even that, the
    /// data lived in a smaller level than its size says (rows reused, a cache larger than
    /// named): that level, the smallest of those still faster than `rate`, comes third.
    pub fn copy_limit(&self, share: f64, all: bool, rate: f64) -> Option<(&CopyLevel, f64, Option<&CopyLevel>)> {
        let of = |l: &CopyLevel| if all { l.all_cores } else { l.one_thread };
        let at = self.copy.iter().position(|l| share <= l.bytes).unwrap_or(self.copy.len().checked_sub(1)?);
        let limit = self.copy[at..].iter().map(of).fold(0.0, f64::max);
        if rate <= limit {
            return Some((&self.copy[at], limit, None));
        }
        let stayed = self.copy[..at].iter().rev().find(|l| of(l) >= rate);
        Some((&self.copy[at], limit, stayed))
    }

    /// Measures every limit (about 3 s): best of several runs, as peaks are.
    pub fn measure(cpu: String, cores: usize) -> Limits {
        let (l2, l3) = cache_sizes();
        let mut copy = Vec::new();
        // Each level measured with both arrays filling half of it, so they stay there.
        for (level, bytes) in [("L2", l2 / 2), ("L3", l3 / 2), ("memory", 1 << 29)] {
            let one_thread = copy_gbs(bytes, 1);
            let all_cores = copy_gbs(bytes * cores.max(1), cores);
            // The arrays of the all-core run are `cores` times larger (each core's share the
            // same size): a level is named by what one core's share fits in.
            copy.push(CopyLevel { level: level.into(), bytes: bytes as f64, one_thread, all_cores });
        }
        let chain_ns = chain_ns();
        let one = vector_gflops();
        let all = std::thread::scope(|s| {
            let others: Vec<_> = (1..cores).map(|_| s.spawn(vector_gflops)).collect();
            let mine = vector_gflops();
            mine + others.into_iter().map(|h| h.join().unwrap_or(0.0)).sum::<f64>()
        });
        Limits {
            cpu,
            cores,
            instruction_set: instruction_set(),
            copy,
            chain_ns,
            vector_gflops: [one, all],
            device: None,
        }
    }
}

/// L2 and L3 sizes in bytes from Linux's sysfs; 1 MiB and 32 MiB when unknown.
fn cache_sizes() -> (usize, usize) {
    let size = |level: &str| -> Option<usize> {
        (0..8).find_map(|i| {
            let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{i}");
            let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).ok();
            (read("level")?.trim() == level && read("type")?.trim() != "Instruction").then_some(())?;
            let text = read("size")?;
            let text = text.trim();
            let (digits, scale) = match text.strip_suffix('K') {
                Some(d) => (d, 1 << 10),
                None => text.strip_suffix('M').map_or((text, 1), |d| (d, 1 << 20)),
            };
            digits.parse::<usize>().ok().map(|n| n * scale)
        })
    };
    (size("2").unwrap_or(1 << 20), size("3").unwrap_or(32 << 20))
}

/// The vector extensions this build uses: what `.cargo/config.toml` chose.
fn instruction_set() -> String {
    let found: Vec<&str> = [
        (cfg!(target_feature = "sse2"), "SSE2"),
        (cfg!(target_feature = "avx"), "AVX"),
        (cfg!(target_feature = "avx2"), "AVX2"),
        (cfg!(target_feature = "fma"), "FMA"),
        (cfg!(target_feature = "avx512f"), "AVX-512"),
        (cfg!(target_feature = "neon"), "NEON"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    // The widest names the set; FMA is worth saying beside it.
    let widest = found.iter().rev().find(|f| **f != "FMA").copied().unwrap_or(std::env::consts::ARCH);
    if found.contains(&"FMA") { format!("{widest}+FMA") } else { widest.to_string() }
}

/// Copy bandwidth in GB/s over `bytes` (both arrays) split across `threads`, best of 5 runs;
/// each run copies about 1 GB in all (the same arrays again and again), so a small level's
/// figure is not the cost of starting threads.
fn copy_gbs(bytes: usize, threads: usize) -> f64 {
    let n = (bytes / 16).max(1024);
    let a = vec![1.0f64; n];
    let mut b = vec![0.0f64; n]; // touched here, so no timed copy page-faults
    let chunk = n.div_ceil(threads.max(1));
    let repeat = (1e9 / (16 * n) as f64).ceil() as usize;
    let copy = |src: &[f64], dst: &mut [f64]| {
        for _ in 0..repeat {
            dst.copy_from_slice(black_box(src));
            black_box(&mut *dst);
        }
    };
    let mut best = f64::INFINITY;
    for _ in 0..6 {
        let start = Instant::now();
        if threads <= 1 {
            copy(&a, &mut b);
        } else {
            std::thread::scope(|s| {
                for (src, dst) in a.chunks(chunk).zip(b.chunks_mut(chunk)) {
                    s.spawn(move || copy(src, dst));
                }
            });
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    16.0 * (n * repeat) as f64 / best / 1e9
}

/// Nanoseconds per dependent multiply or add: `x = x·m + a` as two operations (Rust never
/// fuses them), each waiting for the last; the best of 15 runs, since a stage's floor rests on
/// it (a run slowed by another program would make honest code look impossibly fast).
fn chain_ns() -> f64 {
    const STEPS: usize = 5_000_000;
    let (m, a) = (black_box(0.999_999_9), black_box(1e-7));
    (0..15)
        .map(|_| {
            let mut x = black_box(1.0f64);
            let start = Instant::now();
            for _ in 0..STEPS {
                x = x * m + a;
            }
            black_box(x);
            start.elapsed().as_secs_f64() / (2 * STEPS) as f64 * 1e9
        })
        .fold(f64::INFINITY, f64::min)
}

/// Gflop/s of one core on 40 independent `x = x·m + a` chains: enough chains in flight to hide
/// every latency, few enough to stay in AVX2's 16 vector registers.
fn vector_gflops() -> f64 {
    const LANES: usize = 40;
    const STEPS: usize = 200_000;
    let (m, a) = (black_box(0.999_999_9), black_box(1e-7));
    (0..5)
        .map(|_| {
            let mut x = black_box([1.0f64; LANES]);
            let start = Instant::now();
            for _ in 0..STEPS {
                for v in &mut x {
                    *v = *v * m + a;
                }
            }
            black_box(x);
            (2 * LANES * STEPS) as f64 / start.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            cpu: "test".into(),
            cores: 2,
            instruction_set: "AVX2+FMA".into(),
            copy: vec![
                CopyLevel { level: "L2".into(), bytes: 5e5, one_thread: 80.0, all_cores: 160.0 },
                CopyLevel { level: "L3".into(), bytes: 1.8e7, one_thread: 40.0, all_cores: 60.0 },
                CopyLevel { level: "memory".into(), bytes: 5.4e8, one_thread: 20.0, all_cores: 25.0 },
            ],
            chain_ns: 1.25,
            vector_gflops: [30.0, 60.0],
            device: None,
        }
    }

    #[test]
    fn a_gpu_stage_is_measured_against_the_device_not_the_cpu() {
        let roof = Roof::DeviceMemory { bytes: 8.0 };
        assert_eq!(Roofline::of(&roof, 1e-11, 1, &limits()), None, "no device measured: no line");
        let device = DeviceLimit { adapter: "Test GPU (DiscreteGpu, Vulkan)".into(), cpu: false, copy_gbs: 400.0 };
        let l = Limits { device: Some(device), ..limits() };
        // 8 B per 0.04 ns is 200 GB/s: half the device's 400, far above any CPU level.
        let r = Roofline::of(&roof, 4e-11, 1, &l).unwrap();
        assert!((r.fraction - 0.5).abs() < 1e-12, "{r:?}");
        assert_eq!(
            r.describe(),
            "200 GB/s, 50% of this machine's GPU copy bandwidth (400 GB/s, a copy kernel on Test GPU (DiscreteGpu, Vulkan))"
        );
    }

    #[test]
    fn each_roof_picks_its_limit() {
        let l = limits();
        // 16 B per 1.6 ns is 10 GB/s: half of memory's 20 GB/s on one thread.
        let memory = Roofline::of(&Roof::Memory { bytes: 16.0, working_set: 2.7e8 }, 1.6e-9, 1, &l).unwrap();
        assert_eq!((memory.rate, memory.limit, memory.fraction), (10.0, 20.0, 0.5));
        assert_eq!(memory.short(), "50% of copy bandwidth");
        assert_eq!(
            memory.describe(),
            "10.0 GB/s, 50% of this machine's copy bandwidth (20.0 GB/s, arrays in memory, 1 thread)"
        );
        let in_l3 = Roofline::of(&Roof::Memory { bytes: 16.0, working_set: 1.6e7 }, 1.6e-9, 2, &l).unwrap();
        assert_eq!(in_l3.limit, 60.0, "16 MB is held by the L3 level, on every core");
        // 3 dependent operations at 1.25 ns each: 3.75 ns is the limit.
        let chain = Roofline::of(&Roof::Chain { ops: 3.0 }, 7.5e-9, 1, &l).unwrap();
        assert!((chain.fraction - 0.5).abs() < 1e-12, "{chain:?}");
        let two = Roofline::of(&Roof::Chain { ops: 3.0 }, 3.75e-9, 2, &l).unwrap();
        assert!((two.fraction - 0.5).abs() < 1e-12, "two cores double the limit: {two:?}");
        let vector = Roofline::of(&Roof::Vector { flops: 10.0 }, 1e-9, 1, &l).unwrap();
        assert!((vector.fraction - 1.0 / 3.0).abs() < 1e-12, "{vector:?}");
        assert!(
            vector.describe().ends_with("33% of this machine's vector peak (30.0 Gflop/s, AVX2+FMA, 1 thread)"),
            "{}",
            vector.describe()
        );
        assert!(
            chain.describe().ends_with("latency limit (0.800 G dependent ops/s, one every 1.25 ns, 1 thread)"),
            "{}",
            chain.describe()
        );
        assert_eq!(Roofline::of(&Roof::Unbounded { why: "calls".into() }, 1e-9, 1, &l), None);
    }

    #[test]
    fn a_call_faster_than_its_floor_is_refused_with_the_figures() {
        let l = limits();
        let chain = Floor::Chain { ops: 1000.0, what: "1000 additions in order".into() };
        // 1000 dependent operations at 1.25 ns: 1.25 µs at least.
        assert!((chain.seconds(&l) - 1.25e-6).abs() < 1e-15);
        assert_eq!(chain.refuses(1.25e-6, &l), None, "at the limit");
        assert_eq!(chain.refuses(0.7e-6, &l), None, "within the slack");
        let why = chain.refuses(1e-9, &l).expect("a thousand times faster");
        assert_eq!(
            why,
            "1.00 ns per call, 1250× faster than this machine can compute: 1000 additions in order take at least \
             1.25 µs one after another at this machine's latency limit (1.25 ns each)"
        );
        // Every core at the vector peak: 60 Gflop/s, so 6000 operations take 100 ns.
        let ops = Floor::Ops { ops: 6000.0, what: "6000 operations".into() };
        assert!((ops.seconds(&l) - 1e-7).abs() < 1e-18);
        assert_eq!(ops.refuses(6e-8, &l), None);
        assert!(ops.refuses(4e-8, &l).unwrap().contains("vector peak (60.0 Gflop/s)"));
        let unmeasured = Limits { chain_ns: 0.0, ..l };
        assert_eq!(chain.refuses(1e-12, &unmeasured), None, "no limit measured, nothing refused");
    }

    #[test]
    fn honest_streaming_never_reads_above_the_limit_of_the_level_its_data_lives_in() {
        // This VM's figures: its "L3" (a host's shared cache, half of 480 MiB) measured slower
        // than memory. mpi-heat's 64 MB field on 2 ranks streamed at 40.8 GB/s read 130%.
        let vm = Limits {
            copy: vec![
                CopyLevel { level: "L2".into(), bytes: 1.0e6, one_thread: 88.2, all_cores: 178.9 },
                CopyLevel { level: "L3".into(), bytes: 2.5e8, one_thread: 19.6, all_cores: 31.4 },
                CopyLevel { level: "memory".into(), bytes: 5.4e8, one_thread: 26.2, all_cores: 48.0 },
            ],
            ..limits()
        };
        let heat = Roof::Memory { bytes: 16.0, working_set: 6.4e7 };
        let r = Roofline::of(&heat, 16.0 / 40.8e9, 2, &vm).unwrap();
        assert_eq!(r.limit, 48.0, "the L3 level is at least as fast as memory: {r:?}");
        assert!(r.fraction < 1.0 && r.fraction > 0.8, "{r:?}");
        // Each core's share decides the level: 0.8 MB per core sits in L2, though 1.6 MB would not.
        let small = Roof::Memory { bytes: 16.0, working_set: 1.6e6 };
        let r = Roofline::of(&small, 16.0 / 100e9, 2, &vm).unwrap();
        assert_eq!((r.limit, r.conditions.as_str()), (178.9, "arrays in L2, 2 cores"));
        // Faster than the level its size names: the data stayed in a smaller one, and is
        // compared with that one.
        let r = Roofline::of(&heat, 16.0 / 60e9, 2, &vm).unwrap();
        assert_eq!(r.limit, 178.9, "{r:?}");
        assert!(r.conditions.contains("arrays in L2, 2 cores: faster than arrays in L3 allow"), "{}", r.conditions);
        assert!(r.fraction <= 1.0);
    }

    #[test]
    fn a_working_set_beyond_every_level_uses_the_last() {
        assert_eq!(limits().level_for(1e12).unwrap().level, "memory");
        assert_eq!(limits().level_for(1e3).unwrap().level, "L2");
    }

    #[test]
    fn the_measured_limits_are_ordered_as_hardware_is() {
        // Ranges only: the values depend on the machine and its load.
        let l = Limits::measure("test".into(), 2);
        assert_eq!(l.copy.len(), 3);
        assert!(l.copy.iter().all(|c| c.one_thread > 0.1 && c.all_cores > 0.1), "{l:?}");
        assert!(l.chain_ns > 0.01 && l.chain_ns < 100.0, "{l:?}");
        assert!(l.vector_gflops[0] > 1.0 / l.chain_ns, "independent operations run faster than a chain: {l:?}");
    }
}
