//! `compare`: the course's kernels in Python, NumPy, Cython, Numba, the Rust starting code, the
//! Rust solution and C (serial, and on two threads rayon beside OpenMP), on the same inputs and
//! machine, compiled for the same instruction set; a Markdown table and a PNG bar chart.

use crate::child;
use crate::term;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub kernel: String,
    pub implementation: String,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_per_unit: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// The order rows are shown in: slowest family first, as the course tells the story.
/// Each compiled peer follows the Rust row it is measured against.
const ORDER: [&str; 12] = [
    "Python (lists)",
    "NumPy",
    "mpi4py + NumPy",
    "Cython",
    "Numba",
    "Rust starting code",
    "Rust solution",
    "C -O3 (FFI)",
    "Rust solution (8 lanes, 2 cores)",
    "Rust solution (rayon, 2 threads)",
    "C OpenMP (2 threads)",
    "Rust + wgpu (GPU)",
];

/// By kernel, then in [`ORDER`]; names not in it last.
fn sort(rows: &mut [Row]) {
    rows.sort_by_key(|r| (r.kernel.clone(), ORDER.iter().position(|o| *o == r.implementation).unwrap_or(ORDER.len())));
}

fn parse_rows(stdout: &str) -> Result<Vec<Row>> {
    stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .map(|l| serde_json::from_str(l).with_context(|| format!("unexpected output line: {l}")))
        .collect()
}

fn run_json(cmd: &mut Command, what: &str, status: &mut term::StatusLine) -> Result<Vec<Row>> {
    status.phase(&format!("running {what}…"));
    let finished = child::run(cmd, Duration::from_secs(20 * 60), |_| false)?;
    if !finished.ending.success() {
        bail!("{what} {}:\n{}", finished.ending.describe(), finished.stderr);
    }
    parse_rows(&finished.stdout)
}

/// Markdown table: time per unit, and speedup over the first (pure Python) row per kernel.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| kernel | implementation | time per unit | speedup over pure Python |\n| --- | --- | --- | --- |\n",
    );
    for row in rows {
        let python = rows
            .iter()
            .find(|r| r.kernel == row.kernel && r.implementation == ORDER[0])
            .and_then(|r| r.seconds_per_unit);
        let (time, speedup) = match (row.seconds_per_unit, python) {
            (Some(s), Some(p)) => (
                format!("{} per {}", grading::timeit::format_seconds(s), row.unit),
                format!("{}×", crate::text::two_digits(p / s)),
            ),
            (Some(s), None) => (format!("{} per {}", grading::timeit::format_seconds(s), row.unit), "–".into()),
            (None, _) => (format!("skipped: {}", row.skipped.as_deref().unwrap_or("?")), "–".into()),
        };
        out += &format!("| {} | {} | {time} | {speedup} |\n", row.kernel, row.implementation);
    }
    out
}

/// What `compare` measured: the Markdown table, whether the Python side ran, and the chart if
/// matplotlib drew one.
pub struct Comparison {
    pub table: String,
    pub python: bool,
    pub chart: Option<PathBuf>,
}

pub fn compare(root: &Path) -> Result<ExitCode> {
    let done = measure(root)?;
    anstream::println!("{}", done.table);
    let md = root.join("target/compare/compare.md");
    match &done.chart {
        Some(png) => anstream::println!("wrote {} and {}", md.display(), png.display()),
        None => anstream::println!(
            "wrote {} (no chart: python/plot.py needs matplotlib: pip install matplotlib)",
            md.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Times every version, writes `target/compare/` (JSON, Markdown, chart) and returns the table.
pub fn measure(root: &Path) -> Result<Comparison> {
    let mut status = term::StatusLine::new();
    // OpenMP reads its team size when the program starts; the two-thread rows say "2 threads".
    let mut rows = run_json(
        crate::cargo::command().current_dir(root).env("OMP_NUM_THREADS", "2").args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "course-compare",
        ]),
        "the Rust and C versions (release build)",
        &mut status,
    )?;
    let input = root.join("shared/data/heat/bottle.dat");
    let python = match run_json(
        Command::new("python3").current_dir(root).arg("python/compare.py").arg(&input),
        "the Python, NumPy, Cython and Numba versions (pure Python takes a while)",
        &mut status,
    ) {
        Ok(python) => {
            rows.extend(python);
            true
        }
        Err(e) => {
            anstream::eprintln!("{} Python side skipped: {e:#}", term::paint(term::WARN, "warning:"));
            false
        }
    };
    rows.extend(mpi_rows(root, &mut status));
    status.clear();
    sort(&mut rows);

    let out_dir = root.join("target/compare");
    std::fs::create_dir_all(&out_dir)?;
    let table = table(&rows);
    std::fs::write(out_dir.join("compare.json"), serde_json::to_string_pretty(&rows)?)?;
    std::fs::write(out_dir.join("compare.md"), &table)?;
    let png = out_dir.join("compare.png");
    let plotted = Command::new("python3")
        .current_dir(root)
        .arg("python/plot.py")
        .arg(out_dir.join("compare.json"))
        .arg(&png)
        .output()
        .is_ok_and(|o| o.status.success());
    Ok(Comparison { table, python, chart: plotted.then_some(png) })
}

/// Exercise 11's heat equation on two MPI ranks: the Rust solution's program beside the Python
/// course's mpi4py version (`python/heat_mpi.py`), on the same field size, both timed from the
/// scatter to the gather. Without MPI, or without mpi4py, the rows say why they are missing.
fn mpi_rows(root: &Path, status: &mut term::StatusLine) -> Vec<Row> {
    const RANKS: u32 = 2;
    const SIZE_STEPS_RUNS: [&str; 3] = ["1000", "50", "3"];
    let kernel = format!("heat, {RANKS} MPI ranks");
    let skipped = |implementation: &str, why: String| Row {
        kernel: kernel.clone(),
        implementation: implementation.into(),
        unit: "cell update".into(),
        seconds_per_unit: None,
        skipped: Some(why),
    };
    let mpi = match crate::mpi::detect() {
        Ok(mpi) => mpi,
        Err(_) => {
            let why = "no MPI on this machine (see the README's set-up)".to_string();
            return vec![skipped("Rust solution", why.clone()), skipped("mpi4py + NumPy", why)];
        }
    };
    let [size, steps, runs] = SIZE_STEPS_RUNS;
    let mut rows = Vec::new();
    status.phase("building the MPI heat program (release)…");
    let example = "heat_mpi_solution";
    let built = crate::cargo::command()
        .current_dir(root)
        .args(["build", "--release", "--message-format=json", "--package", "mpi-heat-solution", "--example", example])
        .output();
    let exe = built.ok().and_then(|out| {
        let exe = crate::cargo::executable(
            &String::from_utf8_lossy(&out.stdout),
            cargo_metadata::TargetKind::Example,
            Some(example),
        );
        exe.filter(|_| out.status.success())
    });
    match exe {
        Some(exe) => {
            let mut cmd = crate::mpi::launcher(&mpi, &exe, RANKS, None);
            cmd.args(["--size", size, "--steps", steps, "--runs", runs, "--json", "Rust solution"]);
            match run_json(&mut cmd, "the Rust ranks", status) {
                Ok(found) => rows.extend(found),
                Err(e) => rows.push(skipped("Rust solution", format!("{e:#}"))),
            }
        }
        None => rows.push(skipped("Rust solution", "mpi-heat-solution's example does not build".into())),
    }
    // The interpreter `python3` is here, by its full path: Open MPI may put its own folder (with
    // the system's python3, perhaps without NumPy) first on the ranks' PATH.
    let python = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| "python3".into());
    let mut cmd = crate::mpi::launcher(&mpi, &python, RANKS, None);
    cmd.current_dir(root).arg("python/heat_mpi.py").args(SIZE_STEPS_RUNS);
    match run_json(&mut cmd, "the mpi4py ranks", status) {
        Ok(found) => rows.extend(found),
        Err(e) => rows.push(skipped("mpi4py + NumPy", format!("{e:#}"))),
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabulates_speedups_over_pure_python_and_keeps_skips() {
        let rows = parse_rows(concat!(
            r#"{"kernel":"heat","implementation":"Python (lists)","unit":"cell update","seconds_per_unit":5e-7}"#,
            "\nnoise\n",
            r#"{"kernel":"heat","implementation":"Rust solution","unit":"cell update","seconds_per_unit":1e-9}"#,
            "\n",
            r#"{"kernel":"heat","implementation":"Cython","unit":"cell update","skipped":"no cython"}"#,
        ))
        .unwrap();
        let t = table(&rows);
        assert!(t.contains("| heat | Rust solution | 1.00 ns per cell update | 500× |"), "{t}");
        assert!(t.contains("| heat | Cython | skipped: no cython | – |"), "{t}");
        // Below 10×, two significant digits: a starting code at 0.42× is not "0×".
        let slow = parse_rows(concat!(
            r#"{"kernel":"m","implementation":"Python (lists)","unit":"iteration","seconds_per_unit":1.5e-7}"#,
            "\n",
            r#"{"kernel":"m","implementation":"Rust starting code","unit":"iteration","seconds_per_unit":3.6e-7}"#,
        ))
        .unwrap();
        assert!(table(&slow).contains("| m | Rust starting code | 360 ns per iteration | 0.42× |"), "{}", table(&slow));
    }

    #[test]
    fn sorts_each_peer_beside_its_rust_row() {
        let row = |implementation: &str| Row {
            kernel: "heat".into(),
            implementation: implementation.into(),
            unit: "cell update".into(),
            seconds_per_unit: Some(1e-9),
            skipped: None,
        };
        let shuffled = ["something new", "C OpenMP (2 threads)", "Numba", "Rust solution (rayon, 2 threads)"];
        let mut rows: Vec<Row> =
            shuffled.into_iter().chain(["C -O3 (FFI)", "Rust solution", "Cython"]).map(row).collect();
        sort(&mut rows);
        let names: Vec<&str> = rows.iter().map(|r| r.implementation.as_str()).collect();
        assert_eq!(
            names,
            [
                "Cython",
                "Numba",
                "Rust solution",
                "C -O3 (FFI)",
                "Rust solution (rayon, 2 threads)",
                "C OpenMP (2 threads)",
                "something new"
            ]
        );
    }
}
