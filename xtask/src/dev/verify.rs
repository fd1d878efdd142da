//! `verify` (the grader discriminates: solutions pass, untouched exercises do not) and `ci`.

use crate::check::{self, CheckReport, Status};
use crate::course::{Course, Exercise, Side, Start};
use crate::term;
use anyhow::{Context, Result, bail};
use grading::timeit::{median, spread};
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Background load for `verify --busy`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Load {
    /// One thread spinning on arithmetic.
    Cpu,
    /// One thread copying 256 MiB back and forth (a memory-hungry neighbour, the worst case
    /// measured in the course's notes).
    Memory,
}

/// Stops the load thread when dropped.
pub struct Running {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Load {
    pub fn start(self) -> Running {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        anstream::eprintln!("{} a {self:?} load runs beside the grader", term::paint(term::WARN, "busy:"));
        let thread = std::thread::spawn(move || match self {
            Load::Cpu => {
                let mut x = 0u64;
                while !flag.load(Ordering::Relaxed) {
                    for _ in 0..1_000_000 {
                        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                    }
                }
            }
            Load::Memory => {
                let (mut a, mut b) = (vec![1u8; 128 << 20], vec![0u8; 128 << 20]);
                while !flag.load(Ordering::Relaxed) {
                    b.copy_from_slice(&a);
                    std::mem::swap(&mut a, &mut b);
                }
            }
        });
        Running { stop, thread: Some(thread) }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn expected(ex: &Exercise, side: Side) -> Status {
    match (side, ex.start) {
        (Side::Solution, _) => Status::Done,
        (Side::Exercise, Start::Slow) => Status::Slow,
        (Side::Exercise, Start::Todo) => Status::Wrong,
    }
}

/// Whether `got` is what `verify` wants of a side expected to end `want`. A stage the machine
/// cannot grade now (the course's solution gains too little here: a parallel stage with one
/// free core) is neither a failure of the solution nor a pass of the untouched code: only a
/// solution that misses a required target, or untouched code that meets one, is wrong.
pub(crate) fn as_expected(want: Status, got: Status) -> bool {
    got == want || (got == Status::Ungradable && matches!(want, Status::Done | Status::Slow))
}

/// Runs the verification `runs` times; exits non-zero if any verdict was not the expected one.
pub fn verify(root: &Path, course: &Course, runs: usize, only: &[String]) -> Result<ExitCode> {
    let exercises: Vec<&Exercise> = if only.is_empty() {
        course.exercises.iter().collect()
    } else {
        only.iter().map(|n| course.find(n)).collect::<Result<_>>()?
    };
    warn_if_modified(root, &exercises);
    let color = term::color_enabled();
    // (exercise, side) -> every report, run after run
    let mut history: Vec<(&Exercise, Side, Vec<CheckReport>)> =
        exercises.iter().flat_map(|&ex| [(ex, Side::Solution, vec![]), (ex, Side::Exercise, vec![])]).collect();
    let mut unexpected = 0;
    let mut ungradable = 0;
    let started = Instant::now();
    for run in 1..=runs {
        if runs > 1 {
            anstream::println!("{}", term::paint(term::BOLD, format!("run {run}/{runs}")));
        }
        for (ex, side, reports) in history.iter_mut() {
            let mut report = check::check(root, ex, *side, color)?;
            let want = expected(ex, *side);
            // The solution timed against itself misses only by noise (another program took a
            // core for a while): checked once more, and said so; a second miss counts.
            if *side == Side::Solution && report.status == Status::Slow && want == Status::Done {
                anstream::println!(
                    "  {} {} solution: {}; checking it once more (measured against itself, a miss is noise)",
                    term::paint(term::WARN, "again:"),
                    ex.name,
                    report.status.describe()
                );
                report = check::check(root, ex, *side, color)?;
            }
            let short_of_top = if *side == Side::Solution { below_top_tier(ex, &report) } else { vec![] };
            let ok = as_expected(want, report.status);
            unexpected += usize::from(!ok);
            ungradable += usize::from(report.status == Status::Ungradable);
            let figures: Vec<String> = report
                .shares()
                .map(|(s, share, solution)| {
                    let speedup = report.speedups().find(|(n, _)| *n == s).map_or(0.0, |(_, x)| x);
                    format!("{s} {speedup:.2}× ({} of {solution:.2}×)", crate::text::percent(share))
                })
                .collect();
            anstream::println!(
                "  {} {:<24} {:<9} {:<17} {}{}",
                term::mark(ok),
                ex.name,
                if *side == Side::Solution { "solution" } else { "exercise" },
                report.status.describe(),
                figures.join("  "),
                if ok { String::new() } else { format!("   (expected: {})", want.describe()) }
            );
            for line in &short_of_top {
                anstream::println!("      {} {line}", term::paint(term::DIM, "tiers:"));
            }
            if !ok {
                for text in report.details.iter().chain(&report.output) {
                    anstream::println!("{}", indent(text));
                }
            }
            reports.push(report);
        }
    }
    if runs > 1 {
        anstream::println!(
            "\n{}",
            term::paint(
                term::BOLD,
                format!("over {runs} runs, median [min – max]: speedup, the solution's speedup, share of its gain")
            )
        );
        for (ex, side, reports) in &history {
            for stage in &ex.stages {
                let measured: Vec<&grading::protocol::StageResult> = reports
                    .iter()
                    .flat_map(|r| r.stages.iter().filter(|s| s.name == stage.name).filter_map(|s| s.result.as_ref()))
                    .collect();
                if measured.is_empty() {
                    continue;
                }
                let summary = |xs: Vec<f64>, unit: &dyn Fn(f64) -> String| {
                    let (lo, hi) = spread(&xs);
                    format!("{} [{} – {}]", unit(median(&xs)), unit(lo), unit(hi))
                };
                let times = |x: f64| format!("{x:.2}×");
                let side = if *side == Side::Solution { "solution" } else { "exercise" };
                anstream::println!(
                    "  {:<16} {side:<9} {:<14} {:<26} {:<26} {:<22} target {}",
                    ex.name,
                    stage.name,
                    summary(measured.iter().map(|r| r.speedup).collect(), &times),
                    summary(measured.iter().map(|r| r.solution_speedup).collect(), &times),
                    summary(measured.iter().map(|r| r.share).collect(), &crate::text::percent),
                    crate::text::percent(stage.target)
                );
            }
        }
    }
    let total = history.len() * runs;
    let elapsed = started.elapsed().as_secs();
    let not_gradable = if ungradable > 0 {
        format!(", {ungradable} of them not gradable here (the solution gained too little: a busy core?)")
    } else {
        String::new()
    };
    if unexpected == 0 {
        anstream::println!(
            "\n{} all {total} verdicts as expected{not_gradable} ({elapsed} s)",
            term::paint(term::GOOD, "verify:")
        );
        Ok(ExitCode::SUCCESS)
    } else {
        anstream::println!(
            "\n{} {unexpected} of {total} verdicts not as expected ({elapsed} s)",
            term::paint(term::BAD, "verify:")
        );
        Ok(ExitCode::FAILURE)
    }
}

/// For each stage with tiers: a line, for information, when the solution's share of its own
/// gain (measured against itself: 100% give or take the noise) falls short of the top tier.
/// Never a failure: on a noisy machine the solution may reach tier 2 of 3 in one run; `figures`
/// holds the tiers to the rule over many runs.
fn below_top_tier(ex: &Exercise, report: &CheckReport) -> Vec<String> {
    let percent = crate::text::percent;
    ex.stages
        .iter()
        .filter(|s| s.tiers().len() > 1)
        .filter_map(|stage| {
            let measured = report.stages.iter().find(|r| r.name == stage.name)?;
            let result = measured.result.as_ref()?;
            (result.verdict == grading::protocol::Verdict::Met && result.share < stage.top_tier()).then(|| {
                format!(
                    "{}: the solution's {} of its own gain reaches tier {} of {} this run (the top tier is {})",
                    stage.name,
                    percent(result.share),
                    measured.earned(),
                    measured.max_points(),
                    percent(stage.top_tier())
                )
            })
        })
        .collect()
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("      {l}")).collect::<Vec<_>>().join("\n")
}

/// `verify` judges exercises as committed; say so when they carry local edits.
pub(crate) fn warn_if_modified(root: &Path, exercises: &[&Exercise]) {
    for ex in exercises {
        let folder = ex.folder(Side::Exercise);
        let changed = Command::new("git")
            .current_dir(root)
            .args(["status", "--porcelain", "--"])
            .arg(&folder)
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
        if changed {
            anstream::eprintln!(
                "{} {} has local changes: verify grades it as it is, not as shipped",
                term::paint(term::WARN, "warning:"),
                folder.display()
            );
        }
    }
}

/// Formatting, lints, the workspace's tests (debug), every target compiling, the docs (warnings
/// are errors: a broken link is a defect; the runner's private items too), then `verify`. Without
/// MPI (or a GPU driver) on the machine, the MPI (GPU) exercises and the harness's MPI (GPU)
/// crate are left out of every step, with a note saying what to install to include them.
pub fn ci(root: &Path, course: &Course) -> Result<ExitCode> {
    let steps: [(&str, &[&str]); 6] = [
        ("formatting", &["fmt", "--all", "--", "--check"]),
        ("lints", &["clippy", "--workspace", "--all-targets", "--exclude-left-out", "--", "-D", "warnings"]),
        ("tests", &["test", "--workspace", "--exclude-if-todo", "--exclude-left-out"]),
        ("every target compiles", &["build", "--workspace", "--all-targets", "--exclude-left-out"]),
        ("docs build", &["doc", "--workspace", "--no-deps", "--exclude-left-out"]),
        ("the runner's own docs build", &["doc", "--package", "xtask", "--no-deps", "--document-private-items"]),
    ];
    // Exercises whose system software is missing: left out of every step, said once each.
    let mut left_out: Vec<&Exercise> = Vec::new();
    let mut without: Vec<String> = Vec::new();
    type Need = (&'static str, fn(&Exercise) -> bool, Result<(), String>, &'static str);
    let needs: [Need; 2] = [
        ("no MPI:", |e| e.mpi.is_some(), crate::mpi::detect().map(|_| ()), "harness-mpi"),
        ("no GPU driver:", |e| e.gpu, crate::gpu::detect().map(|_| ()), "harness-gpu"),
    ];
    for (label, needed, found, harness) in needs {
        let Err(why) = found else { continue };
        let these: Vec<&Exercise> = course.exercises.iter().filter(|e| needed(e)).collect();
        let names: Vec<&str> = these.iter().map(|e| e.name.as_str()).collect();
        anstream::eprintln!("{} {} are left out: {why}", term::paint(term::WARN, label), names.join(", "));
        without.extend(these.iter().flat_map(|e| [e.package(Side::Exercise), e.package(Side::Solution)]));
        without.push(harness.to_string());
        left_out.extend(these);
    }
    let left_out_packages = without;
    // Unsolved `todo!()` exercises fail their tests by design, and MPI exercises' tests need
    // `mpirun`: verify covers both.
    let untested: Vec<String> = course
        .exercises
        .iter()
        .filter(|e| e.start == Start::Todo || e.mpi.is_some())
        .flat_map(|e| {
            let solution = (e.mpi.is_some()).then(|| e.package(Side::Solution));
            std::iter::once(e.package(Side::Exercise)).chain(solution)
        })
        .filter(|p| !left_out_packages.contains(p))
        .collect();
    for (title, args) in steps {
        let shown = args.iter().filter(|a| !a.starts_with("--exclude-")).copied().collect::<Vec<_>>().join(" ");
        anstream::println!("{}", term::paint(term::BOLD, format!("== {title}: cargo {shown}")));
        let mut cmd = crate::cargo::command();
        cmd.current_dir(root);
        if args[0] == "doc" {
            cmd.env("RUSTDOCFLAGS", "-D warnings");
        }
        for &arg in args {
            let excluded = match arg {
                "--exclude-if-todo" => &untested,
                "--exclude-left-out" => &left_out_packages,
                _ => {
                    cmd.arg(arg);
                    continue;
                }
            };
            for p in excluded {
                cmd.args(["--exclude", p]);
            }
        }
        let status = cmd.status().context("cannot run cargo")?;
        if !status.success() {
            bail!("ci step '{title}' failed");
        }
    }
    anstream::println!("{}", term::paint(term::BOLD, "== integrity.toml matches the course"));
    match crate::integrity::differences(root, &course.all_folders())? {
        Some(changes) if changes.is_empty() => anstream::println!("sealed files unchanged"),
        Some(changes) => {
            bail!("integrity.toml is stale ({}): run `cargo xtask seal` and commit it", changes.join(", "))
        }
        None => bail!("integrity.toml is missing: run `cargo xtask seal` and commit it"),
    }
    anstream::println!("{}", term::paint(term::BOLD, "== verify"));
    let verified = if left_out.is_empty() {
        verify(root, course, 1, &[])?
    } else {
        let names: Vec<String> = course
            .exercises
            .iter()
            .filter(|e| !left_out.iter().any(|l| l.name == e.name))
            .map(|e| e.name.clone())
            .collect();
        verify(root, course, 1, &names)?
    };
    if verified != ExitCode::SUCCESS {
        return Ok(verified);
    }
    // The MPI chapters' job scripts on a two-node virtual cluster (needs root, Slurm, munge).
    let mpi_left_out = left_out.iter().any(|e| e.mpi.is_some());
    match crate::dev::cluster::available() {
        Ok(()) if !mpi_left_out => {
            anstream::println!("{}", term::paint(term::BOLD, "== cluster: cargo xtask dev cluster test"));
            let tested = crate::dev::cluster::jobs::test(root, course)?;
            if tested != ExitCode::SUCCESS {
                return Ok(tested);
            }
        }
        Ok(()) => anstream::eprintln!(
            "{} the cluster test is left out: it runs the MPI exercises",
            term::paint(term::WARN, "no MPI:")
        ),
        Err(why) => {
            anstream::eprintln!("{} the cluster test is left out: {why}", term::paint(term::WARN, "no cluster:"))
        }
    }
    // Every known way to fool the grader, tried on a copy of the course (xtask/tests/attacks/).
    let args = ["test", "-p", "xtask", "--test", "attacks", "--", "--ignored", "--nocapture"];
    anstream::println!("{}", term::paint(term::BOLD, format!("== attacks: cargo {}", args.join(" "))));
    let status = crate::cargo::command().current_dir(root).args(args).status().context("cannot run cargo")?;
    if !status.success() {
        bail!("ci step 'attacks' failed: an attack got through (table in target/attacks/report.md)");
    }
    Ok(ExitCode::SUCCESS)
}
