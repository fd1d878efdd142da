//! `machine`: this machine's limits (copy bandwidth, dependent-operation latency, vector
//! throughput), measured once and cached per machine, so every verdict can say how close a
//! stage came to them.
//!
//! The cache lives in `target/machine/<host>.json`. It only feeds the roofline line beside a
//! verdict, never the verdict itself, so a learner's build script that rewrote it could change
//! a percentage, not a tick.

use crate::term;
use anyhow::{Context, Result};
use grading::machine::Machine;
use grading::roofline::Limits;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn cache_path(root: &Path) -> PathBuf {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or_else(|| "this-machine".into());
    root.join("target/machine").join(format!("{host}.json"))
}

/// The cached limits if they were measured on this CPU with this build's instruction set.
fn cached(path: &Path, machine: &Machine, fresh: &Limits) -> Option<Limits> {
    let limits: Limits = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    (limits.cpu == machine.cpu && limits.cores == machine.cores && limits.instruction_set == fresh.instruction_set)
        .then_some(limits)
}

/// This machine's limits: from the cache, or measured now (about 3 s) and cached. The limits
/// are returned even when the cache cannot be written (`Err` beside them says why): a stage's
/// floor is checked against them (`check`), so they are never left out for a full disk.
pub fn limits(root: &Path, status: &mut term::StatusLine, remeasure: bool) -> (Limits, Result<()>) {
    let machine = Machine::detect();
    let path = cache_path(root);
    if !remeasure && let Some(limits) = cached(&path, &machine, &Limits::unmeasured(&machine)) {
        return (limits, Ok(()));
    }
    status.phase("measuring this machine's limits once (memory bandwidth, latency, vector throughput; 5 s)…");
    let limits = Limits::measure(machine.cpu.clone(), machine.cores);
    let written = std::fs::create_dir_all(path.parent().expect("a folder"))
        .and_then(|()| std::fs::write(&path, serde_json::to_string_pretty(&limits).expect("serialises")))
        .with_context(|| format!("writing {}", path.display()));
    (limits, written)
}

/// The limits with the GPU's copy bandwidth (see [`device_limit`]), measured once and cached
/// beside the rest: for a GPU stage's roofline line, and `cargo xtask machine`.
pub fn limits_with_device(root: &Path, status: &mut term::StatusLine) -> (Limits, Result<()>) {
    let (mut limits, written) = limits(root, status, false);
    if limits.device.is_some() {
        return (limits, written);
    }
    status.phase("measuring the GPU's copy bandwidth once (building the course's copy kernel first)…");
    match device_limit(root) {
        Ok(device) => limits.device = Some(device),
        Err(why) => return (limits, Err(why)),
    }
    let path = cache_path(root);
    let written = written.and_then(|()| {
        std::fs::write(&path, serde_json::to_string_pretty(&limits).expect("serialises"))
            .with_context(|| format!("writing {}", path.display()))
    });
    (limits, written)
}

/// The GPU's copy bandwidth, as the course's copy kernel (`harness_gpu::bandwidth`, course code)
/// measures it on this machine's adapter.
fn device_limit(root: &Path) -> Result<grading::roofline::DeviceLimit> {
    let exe = crate::cargo::build_gpu_bandwidth(root)?;
    let mut cmd = std::process::Command::new(&exe);
    let finished = crate::child::run(&mut cmd, std::time::Duration::from_secs(120), |_| false)?;
    if !finished.ending.success() {
        anyhow::bail!("the GPU bandwidth program {}:\n{}", finished.ending.describe(), finished.stderr.trim_end());
    }
    let line = finished.stdout.lines().find(|l| l.starts_with('{')).unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("the GPU bandwidth program printed {:?}", finished.stdout))
}

/// `cargo xtask machine`: prints the limits (measuring them if not cached, or with `--remeasure`).
pub fn machine(root: &Path, remeasure: bool) -> Result<ExitCode> {
    let mut status = term::StatusLine::new();
    let (mut limits, written) = limits(root, &mut status, remeasure);
    written?;
    // With a GPU driver (lavapipe included), the device's bandwidth too: measured again with
    // `--remeasure`, since `limits` has just measured everything else afresh.
    if crate::gpu::detect().is_ok() {
        let (with_device, written) = limits_with_device(root, &mut status);
        limits = with_device;
        if let Err(why) = written {
            anstream::eprintln!("{} {why:#}", term::paint(term::WARN, "no GPU bandwidth:"));
        }
    }
    status.clear();
    anstream::print!("{}", describe(&limits));
    anstream::println!(
        "{}",
        term::paint(
            term::DIM,
            format!(
                "Cached in {}; `cargo xtask machine --remeasure` measures again (do it on an idle machine).",
                cache_path(root).strip_prefix(root).unwrap_or(&cache_path(root)).display()
            )
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// The limits as a small table.
pub fn describe(l: &Limits) -> String {
    let mut out = format!(
        "{}\n{} · {} cores · built for {}\n\n",
        term::paint(term::BOLD, "This machine's limits, as the course builds code"),
        l.cpu,
        l.cores,
        l.instruction_set
    );
    let row = |label: &str, one: String, all: String| {
        format!("  {label:<38} {one:>14} {all:>14}").trim_end().to_string() + "\n"
    };
    out += &row("copy bandwidth (read + write)", "1 thread".into(), format!("{} cores", l.cores));
    for level in &l.copy {
        out += &row(
            &format!("  arrays in {} ({})", level.level, bytes(level.bytes)),
            format!("{:.1} GB/s", level.one_thread),
            format!("{:.1} GB/s", level.all_cores),
        );
    }
    out += &row("one dependent f64 add or multiply", format!("{:.2} ns", l.chain_ns), String::new());
    out += &row(
        "independent f64 adds and multiplies",
        format!("{:.1} Gflop/s", l.vector_gflops[0]),
        format!("{:.1} Gflop/s", l.vector_gflops[1]),
    );
    if let Some(d) = &l.device {
        out += &row("GPU copy bandwidth (its own memory)", format!("{:.1} GB/s", d.copy_gbs), String::new());
        let cpu = if d.cpu { ": software on the CPU, its memory this machine's" } else { "" };
        out += &format!("    on {}{cpu}\n", d.adapter);
    }
    out += "\n";
    out += "Each graded stage declares its work in these terms (bytes moved, a dependent chain, or\n\
            independent operations) and `check` reports the fraction of the matching limit it reached.\n";
    out
}

fn bytes(b: f64) -> String {
    if b >= (1u64 << 30) as f64 {
        format!("{:.0} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1 << 20) as f64 {
        format!("{:.0} MiB", b / (1 << 20) as f64)
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use grading::roofline::CopyLevel;

    #[test]
    fn the_table_names_every_limit() {
        let l = Limits {
            cpu: "Test CPU".into(),
            cores: 2,
            instruction_set: "AVX2+FMA".into(),
            copy: vec![CopyLevel { level: "memory".into(), bytes: 536870912.0, one_thread: 12.34, all_cores: 20.0 }],
            chain_ns: 1.234,
            vector_gflops: [30.0, 59.9],
            device: Some(grading::roofline::DeviceLimit { adapter: "Test GPU".into(), cpu: false, copy_gbs: 456.0 }),
        };
        let text = crate::check::strip_ansi(&describe(&l));
        assert!(text.contains("GPU copy bandwidth (its own memory)") && text.contains("456.0 GB/s"), "{text}");
        assert!(text.contains("    on Test GPU\n"), "{text}");
        assert!(text.contains("Test CPU · 2 cores · built for AVX2+FMA"), "{text}");
        assert!(text.contains("arrays in memory (512 MiB)"), "{text}");
        assert!(text.contains("12.3 GB/s"), "{text}");
        assert!(text.contains("1.23 ns"), "{text}");
        assert!(text.contains("30.0 Gflop/s   59.9 Gflop/s"), "{text}");
    }

    #[test]
    fn a_cache_from_another_cpu_is_measured_again() {
        let dir = std::env::temp_dir().join(format!("course-machine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let machine = Machine::detect();
        let mine = Limits::unmeasured(&machine);
        let path = dir.join("m.json");
        std::fs::write(&path, serde_json::to_string(&mine).unwrap()).unwrap();
        assert_eq!(cached(&path, &machine, &mine), Some(mine.clone()));
        let other = Limits { cpu: "another CPU".into(), ..mine.clone() };
        std::fs::write(&path, serde_json::to_string(&other).unwrap()).unwrap();
        assert_eq!(cached(&path, &machine, &mine), None);
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(cached(&path, &machine, &mine), None, "a damaged cache is measured again");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
