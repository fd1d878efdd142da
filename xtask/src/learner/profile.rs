//! `profile`: run an exercise's program under callgrind and print the top functions by self
//! cost (the Python course's `pstats` table), and under perf to draw a flame graph (SVG).
//!
//! The program is learner code, so it is built and run in the sandbox as `check` runs it
//! (`perf` may sample it, nothing else changes); the tools that read what it wrote are
//! confined too, since the files are the program's work.

use crate::course::{Exercise, Side};
use crate::sandbox::Confinement;
use crate::{child, term};
use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

/// One function's self cost, summed over the source files its code came from (inlined std
/// code is reported under its own file by callgrind, but belongs to the caller's time).
#[derive(Debug, PartialEq)]
pub struct FunctionCost {
    pub function: String,
    pub instructions: u64,
    pub share: f64,
}

/// Reads `callgrind_annotate`'s `  141,139,800 (32.44%)  file.rs:function [binary]` lines.
pub fn parse_annotate(text: &str) -> Vec<FunctionCost> {
    let mut total = 0u64;
    let mut by_function: HashMap<String, u64> = HashMap::new();
    let mut in_table = false;
    for line in text.lines() {
        let line = line.trim();
        if line.contains("PROGRAM TOTALS") {
            if let Some(count) = line.split_whitespace().next().and_then(|c| c.replace(',', "").parse().ok()) {
                total = count;
            }
            continue;
        }
        if line.ends_with("file:function") {
            in_table = true; // the function table starts after this header
            continue;
        }
        if !in_table || line.starts_with("--") {
            continue;
        }
        if line.is_empty() {
            break; // the table ends; annotated source may follow
        }
        let Some((count, rest)) = line.split_once(" (") else { continue };
        let Ok(count) = count.replace(',', "").trim().parse::<u64>() else { continue };
        let Some((_, location)) = rest.split_once(")  ") else { continue };
        let location = location.split(" [").next().unwrap_or(location);
        let function = location.split_once(':').map_or(location, |(_, f)| f).trim().to_string();
        *by_function.entry(function).or_default() += count;
    }
    let total = total.max(1) as f64;
    let mut entries: Vec<FunctionCost> = by_function
        .into_iter()
        .map(|(function, n)| FunctionCost { share: n as f64 / total, function, instructions: n })
        .collect();
    entries.sort_by(|a, b| b.instructions.cmp(&a.instructions).then(a.function.cmp(&b.function)));
    entries
}

/// Whether `tool` is an executable on PATH (some, like callgrind_annotate, exit non-zero even
/// for `--version`, so running them is no test).
fn available(tool: &str) -> bool {
    child::on_path(tool).is_some()
}

/// Builds the exercise's program (or its `example`) in release mode, confined; its path.
fn build_program(root: &Path, package: &str, example: Option<&str>) -> Result<PathBuf> {
    let (mut cmd, _scratch) = crate::cargo::confined_cargo(root, "build")?;
    cmd.args(["--release", "--locked", "--message-format=json", "--package", package]);
    let kind = match example {
        Some(name) => {
            cmd.args(["--example", name]);
            cargo_metadata::TargetKind::Example
        }
        None => {
            cmd.arg("--bins");
            cargo_metadata::TargetKind::Bin
        }
    };
    let out = cmd.output().context("cannot run cargo")?;
    let exe = crate::cargo::executable(&String::from_utf8_lossy(&out.stdout), kind, example);
    match exe {
        Some(exe) if out.status.success() => Ok(exe),
        _ if !out.status.success() => bail!("{package} does not build; `cargo xtask check` shows why"),
        _ => bail!(
            "{package} has no program (src/main.rs) to profile; profile its benches instead: cargo bench -p {package}"
        ),
    }
}

/// What a confined command of `profile` is.
#[derive(Clone, Copy)]
enum Tool {
    /// valgrind or perf running the program (perf samples it).
    Profiler,
    /// A tool reading the profiler's files.
    Reader,
}

/// How the program is started: as it is, or under `mpirun` for an MPI exercise, with `tool`
/// (valgrind, perf) in front of every rank. A rank's files are told apart by the rank number,
/// which `{rank}` in `tool`'s arguments becomes (through a shell, as perf expands no variables).
struct Launch {
    mpi: Option<(crate::mpi::Installation, u32)>,
}

impl Launch {
    fn command(&self, tool: &str, tool_args: &[String], program: &Path, args: &[String]) -> Command {
        match &self.mpi {
            None => {
                let mut cmd = Command::new(tool);
                cmd.args(tool_args.iter().map(|a| a.replace("{rank}", "0"))).arg(program).args(args);
                cmd
            }
            Some((mpi, ranks)) => {
                let script = format!(
                    "exec {tool} {} \"$@\"",
                    tool_args
                        .iter()
                        .map(|a| format!("'{}'", a.replace('\'', "'\\''"))
                            .replace("{rank}", "'\"$OMPI_COMM_WORLD_RANK\"'"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let mut cmd = crate::mpi::launcher(mpi, Path::new("sh"), *ranks, None);
                cmd.args(["-c", &script, "sh"]).arg(program).args(args);
                cmd
            }
        }
    }

    /// Confines `cmd`, which runs `tool` on `program` or reads what it wrote, to `dir` (its
    /// working folder and the only one it may write), the course and `program`'s folder.
    fn confine(&self, cmd: &mut Command, root: &Path, dir: &Path, program: &Path, tool: Tool) -> Result<()> {
        let confinement = match (tool, &self.mpi) {
            (Tool::Profiler, Some(_)) => Confinement::mpi(dir, root, program).profiled(),
            (Tool::Profiler, None) => Confinement::program(dir, root, program).profiled(),
            (Tool::Reader, _) => Confinement::program(dir, root, program),
        };
        crate::sandbox::confine(cmd, &confinement)
    }

    /// "rank 0's", or nothing when there are no ranks.
    fn whose(&self) -> String {
        match &self.mpi {
            Some((_, ranks)) => format!(" (rank 0 of {ranks}; the other ranks' files are beside it)"),
            None => String::new(),
        }
    }
}

pub fn profile(root: &Path, ex: &Exercise, extra_args: &[String]) -> Result<ExitCode> {
    let package = ex.package(Side::Exercise);
    let args: Vec<String> = if extra_args.is_empty() { ex.profile_args.clone() } else { extra_args.to_vec() };
    let launch = Launch {
        mpi: match &ex.mpi {
            Some(course) => Some((crate::mpi::require(&ex.name)?, course.timed_ranks)),
            None => None,
        },
    };
    let mut status = term::StatusLine::new();
    status.phase(&format!("building {package} (release, with line tables)…"));
    let program = build_program(root, &package, ex.profile_example.as_deref())?;
    let dir = root.join("target/profile").join(&ex.name);
    std::fs::create_dir_all(&dir)?;
    let limit = Duration::from_secs(15 * 60);
    let ranks = launch.mpi.as_ref().map(|(_, r)| format!(" on {r} MPI ranks")).unwrap_or_default();

    if available("valgrind") && available("callgrind_annotate") {
        status.phase(&format!(
            "running {} {}{ranks} under callgrind (about 50× slower than normal)…",
            package,
            args.join(" ")
        ));
        let out_file = dir.join("callgrind.out");
        let tool_args = ["--tool=callgrind".to_string(), format!("--callgrind-out-file={}", out_file.display())];
        let tool_args =
            if launch.mpi.is_some() { [tool_args[0].clone(), format!("{}.{{rank}}", tool_args[1])] } else { tool_args };
        let mut cmd = launch.command("valgrind", &tool_args, &program, &args);
        launch.confine(&mut cmd, root, &dir, &program, Tool::Profiler)?;
        let out_file = if launch.mpi.is_some() { dir.join("callgrind.out.0") } else { out_file };
        let run = child::run(&mut cmd, limit, |_| false)?;
        if !run.ending.success() {
            bail!("the program {} under callgrind:\n{}", run.ending.describe(), run.stderr);
        }
        let mut annotate = Command::new("callgrind_annotate");
        annotate.arg("--auto=no").arg(&out_file);
        launch.confine(&mut annotate, root, &dir, &program, Tool::Reader)?;
        let annotated = annotate.output().context("callgrind_annotate")?;
        status.clear();
        let entries = parse_annotate(&String::from_utf8_lossy(&annotated.stdout));
        anstream::println!(
            "{}",
            term::paint(
                term::BOLD,
                format!(
                    "Top 10 functions by self cost{} (instructions executed; callgrind counts the same on every run)",
                    launch.whose()
                )
            )
        );
        anstream::println!("  {:>6}  {:>15}  function", "share", "instructions");
        for e in entries.iter().take(10) {
            anstream::println!("  {:>5.1}%  {:>15}  {}", 100.0 * e.share, e.instructions, e.function);
        }
        anstream::println!(
            "{}",
            term::paint(
                term::DIM,
                format!(
                    "full table: callgrind_annotate {}   (add --inclusive=yes for cumulative cost)",
                    out_file.display()
                )
            )
        );
    } else {
        anstream::println!("callgrind skipped: valgrind is not installed (apt-get install valgrind)");
    }

    if available("perf") {
        status.phase("sampling with perf for the flame graph…");
        let data = dir.join("perf.data");
        let data_arg =
            if launch.mpi.is_some() { format!("{}.{{rank}}", data.display()) } else { data.display().to_string() };
        // DWARF unwinding: release builds keep no frame pointers, so `-g` alone gives flat
        // stacks (every frame straight under the program); the line tables make it work.
        let tool_args: Vec<String> = ["record", "-e", "cpu-clock", "-F", "1999", "--call-graph", "dwarf,16384", "-o"]
            .iter()
            .map(|a| a.to_string())
            .chain([data_arg])
            .collect();
        let mut record = launch.command("perf", &tool_args, &program, &args);
        launch.confine(&mut record, root, &dir, &program, Tool::Profiler)?;
        let data = if launch.mpi.is_some() { dir.join("perf.data.0") } else { data };
        let run = child::run(&mut record, limit, |_| false)?;
        let mut script = Command::new("perf");
        script.arg("script").arg("-i").arg(&data);
        launch.confine(&mut script, root, &dir, &program, Tool::Reader)?;
        let script = run.ending.success().then(|| script.output().ok()).flatten();
        status.clear();
        match script {
            Some(out) if out.status.success() && !out.stdout.is_empty() => {
                let svg = dir.join("flamegraph.svg");
                write_flamegraph(&out.stdout, &svg)?;
                anstream::println!(
                    "\nflame graph: {} (open it in a browser; wide boxes are where the time goes)",
                    svg.display()
                );
            }
            _ => anstream::println!(
                "\nno flame graph: perf could not sample here ({})",
                run.stderr.lines().last().unwrap_or("no output")
            ),
        }
    } else {
        anstream::println!("\nno flame graph: perf is not installed (apt-get install linux-perf)");
    }
    Ok(ExitCode::SUCCESS)
}

/// perf script output → folded stacks → SVG, with inferno.
fn write_flamegraph(perf_script: &[u8], svg: &Path) -> Result<()> {
    use inferno::collapse::Collapse;
    let mut folded = Vec::new();
    inferno::collapse::perf::Folder::default()
        .collapse(perf_script, &mut folded)
        .context("cannot read perf's samples")?;
    let text = String::from_utf8_lossy(&folded);
    let mut options = inferno::flamegraph::Options::default();
    options.title = "where the time goes".into();
    // perf's cpu-clock samples carry their period in nanoseconds, which is what gets summed.
    options.count_name = "ns of CPU time".into();
    let file = std::fs::File::create(svg).with_context(|| format!("cannot write {}", svg.display()))?;
    inferno::flamegraph::from_lines(&mut options, text.lines(), std::io::BufWriter::new(file))
        .context("cannot draw the flame graph")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_mpi_each_rank_runs_the_tool_with_files_named_by_its_rank() {
        let mpi = crate::mpi::Installation { mpirun: "/usr/bin/mpirun".into(), version: "Open MPI".into() };
        let launch = Launch { mpi: Some((mpi, 2)) };
        let tool_args =
            ["--tool=callgrind".to_string(), "--callgrind-out-file=/p/it's/callgrind.out.{rank}".to_string()];
        let cmd = launch.command("valgrind", &tool_args, Path::new("/x/heat_mpi"), &["--steps".into(), "5".into()]);
        let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(&args[..5], ["-n", "2", "--oversubscribe", "--bind-to", "none"]);
        assert_eq!(&args[5..8], ["sh", "-c", &args[7]]);
        assert_eq!(&args[8..], ["sh", "/x/heat_mpi", "--steps", "5"]);
        // The shell is given the rank's number, and a quote in a path stays a quote.
        let out = Command::new("sh")
            .env("OMPI_COMM_WORLD_RANK", "1")
            .args(["-c", &args[7].replacen("exec valgrind", "exec printf '%s\\n'", 1), "sh", "prog"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "--tool=callgrind\n--callgrind-out-file=/p/it's/callgrind.out.1\nprog\n"
        );
        let plain = Launch { mpi: None }.command("perf", &["record".into()], Path::new("/x/p"), &[]);
        assert_eq!(plain.get_program(), "perf");
    }

    #[test]
    fn inlined_code_counts_for_the_function_it_was_inlined_into() {
        let text = "\
--------------------------------------------------------------------------------
435,065,263 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                    file:function
--------------------------------------------------------------------------------
141,139,800 (32.44%)  /work/x/src/lib.rs:profiling_heat::evolve_step [/work/x/prog]
109,771,600 (25.23%)  /rustc/abc/library/core/src/slice/index.rs:profiling_heat::evolve_step
 14,008,985 ( 3.22%)  ./malloc/./malloc/malloc.c:_int_malloc [/usr/lib/x86_64-linux-gnu/libc.so.6]

-- Auto-annotated source: /work/x/src/lib.rs
 15,681,600 ( 3.60%)  u_new[i][j] = u[i][j]
";
        let entries = parse_annotate(text);
        assert_eq!(entries[0].function, "profiling_heat::evolve_step");
        assert_eq!(entries[0].instructions, 250_911_400);
        assert!((entries[0].share - 0.5767).abs() < 1e-3, "{}", entries[0].share);
        assert_eq!(entries[1].function, "_int_malloc");
        assert_eq!(entries.len(), 2);
    }
}
