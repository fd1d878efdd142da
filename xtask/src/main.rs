//! The course runner. `cargo xtask --help` lists the commands.

mod cargo;
mod check;
mod child;
mod class;
mod compare;
mod course;
mod drivers;
mod export;
mod figures;
mod integrity;
mod judge;
mod machine;
mod mpi;
mod profile;
mod progress;
mod report;
mod reset;
mod sandbox;
mod stateless;
mod submission;
mod term;
#[cfg(test)]
mod tidy;
mod verify;
mod watch;

use anyhow::{Context, Result};
use check::Status;
use clap::{Parser, Subcommand};
use course::{Course, Side};
use progress::Progress;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Run, grade and verify the course's exercises.", version)]
struct Cli {
    /// The course checkout to work on (default: the one this runner was built from). Used to
    /// grade a copy of the course, e.g. by the runner's own attack tests and class grading.
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Every exercise in order, with its state and best speedup.
    List,
    /// Build an exercise, run its tests, grade its speed. Exits 0 only when its target is met.
    Check {
        /// Exercise name (as in `list`), folder or number.
        #[arg(required_unless_present = "all")]
        exercise: Option<String>,
        /// Check every exercise in course order (for grading a class in CI).
        #[arg(long, conflicts_with = "exercise")]
        all: bool,
        /// Check the solution crate instead of yours.
        #[arg(long)]
        solution: bool,
        /// Print the machine-readable report (JSON, see docs/report-schema.md) instead of text.
        #[arg(long)]
        json: bool,
        /// Also write a JUnit XML report to this file.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Also write a Markdown summary table to this file (e.g. $GITHUB_STEP_SUMMARY).
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
    },
    /// Show the next hint for an exercise (and the ones already seen); without a name, for the
    /// exercise checked last.
    Hint {
        exercise: Option<String>,
        /// Also show the hints that give a task's whole code (the task that failed last).
        #[arg(long)]
        full: bool,
    },
    /// Check an exercise again every time you save one of its files.
    Watch {
        /// Exercise to watch (default: the first one not done yet).
        exercise: Option<String>,
    },
    /// Run an exercise's program under callgrind (top functions by self cost) and perf (flame
    /// graph SVG in target/profile/).
    Profile {
        exercise: String,
        /// Arguments for the program (default: the exercise's `profile_args`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Restore an exercise's starting code, after saving yours in .course/backups/.
    Reset { exercise: String },
    /// Show how the solution differs from your version.
    Solution { exercise: String },
    /// Grade every solution (each must meet its targets) and every untouched exercise (each must
    /// be correct and miss them, or fail its `todo!()` tasks): shows the grader discriminates.
    Verify {
        /// Repeat the whole verification this many times and report the spread of speedups and shares.
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// Only these exercises.
        #[arg(long = "only", value_name = "EXERCISE")]
        only: Vec<String>,
        /// Keep a core busy meanwhile (a spinning thread, or a memory-streaming one), to
        /// measure how often verdicts flip on a loaded machine.
        #[arg(long, value_enum)]
        busy: Option<verify::Load>,
    },
    /// Everything CI runs: formatting, the workspace's tests, then `verify`.
    Ci,
    /// Write a page (HTML with a chart, and Markdown) of each exercise's speedup against its
    /// target, from your progress or from a `check --all --json` report.
    Report {
        /// A `cargo xtask check --all --json` report (e.g. a CI artifact) instead of your progress.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
    },
    /// Record the hashes of every file a verdict depends on in integrity.toml (course developers
    /// only: run after changing the harness, the runner, the registry or an exercise's tests,
    /// then commit integrity.toml).
    Seal,
    /// Grade learners' submissions (checkouts of their forks) with this course's own files:
    /// only each submission's `exercises/*/src/` is taken; any other file that differs is
    /// reported as modified and its exercises are not graded. This checkout must be clean.
    GradeSubmissions {
        /// Submission folders.
        #[arg(required = true, value_name = "SUBMISSION_DIR")]
        submissions: Vec<PathBuf>,
        /// Write `<name>.json` (as `check --all --json`), `<name>.junit.xml` and `<name>.md` per
        /// submission to this folder (default: a JSON array of every submission on stdout).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also append the Markdown summaries to this file (e.g. $GITHUB_STEP_SUMMARY).
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
        /// Grade only these exercises (default: every one).
        #[arg(long = "only", value_name = "EXERCISE")]
        only: Vec<String>,
        /// Grade even where this machine lacks a layer of the sandbox (one submission's code
        /// could then change another's verdict).
        #[arg(long)]
        allow_weaker_sandbox: bool,
    },
    /// One table of a class's results from the reports `grade-submissions` wrote (a folder of
    /// `<name>.json`, e.g. the `grade-report` artifacts): learner × exercise with points and
    /// shares of the solution's gain, totals, the closest to the solution per stage, late work,
    /// and reports that do not count. Writes
    /// an HTML page, a Markdown summary, a CSV and an SVG chart.
    Class {
        /// The folder of reports (read with its subfolders).
        #[arg(value_name = "REPORTS_DIR")]
        folder: PathBuf,
        /// Where to write index.html, class.md, class.csv and speedups.svg (default: target/class/).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print this machine's limits (copy bandwidth, latency, vector throughput) that every
    /// verdict's roofline line compares with; measured once and cached per machine.
    Machine {
        /// Measure again (on an idle machine) instead of printing the cached figures.
        #[arg(long)]
        remeasure: bool,
    },
    /// Time the course's kernels in Python, NumPy, Cython, Numba, Rust (start and solution) and
    /// C, serial and on two threads (rayon, OpenMP), on the same input; print a table and draw a
    /// bar chart (target/compare/).
    Compare,
    /// Regenerate every measured figure in the lessons and the README: grades each solution,
    /// untouched exercise and ladder rung several times with the grader, checks every target
    /// against the rule (the solution at the top tier, the starting code below the target), writes the lessons'
    /// figure blocks, the README's comparison and docs/figures.json. Takes about 5 min a run.
    Figures {
        /// Grade everything this many times (the lessons quote the spread).
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Only these exercises (the README's comparison is then left alone).
        only: Vec<String>,
        /// Rewrite the blocks from this figures file (e.g. docs/figures.json) without measuring.
        #[arg(long)]
        from: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    child::adopt_orphans();
    let cli = Cli::parse();
    let root = match cli.root {
        Some(dir) => dir.canonicalize().unwrap_or(dir),
        None => root(),
    };
    match run(&root, cli.command) {
        Ok(code) => code,
        Err(e) => {
            anstream::eprintln!("{} {e:#}", term::paint(term::BAD, "error:"));
            ExitCode::from(2)
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

fn run(root: &Path, cmd: Cmd) -> Result<ExitCode> {
    let root = root.to_path_buf();
    let course = Course::load(&root)?;
    match cmd {
        Cmd::List => list(&root, &course),
        Cmd::Check { exercise, all, solution, json, junit, summary } => {
            let names: Vec<String> = match exercise {
                Some(name) if !all => vec![name],
                _ => course.exercises.iter().map(|e| e.name.clone()).collect(),
            };
            check_many(&root, &course, &names, solution, json, all, junit.as_deref(), summary.as_deref())
        }
        Cmd::Hint { exercise, full } => hint(&root, &course, exercise.as_deref(), full),
        Cmd::Watch { exercise } => watch::watch(&root, &course, exercise.as_deref()),
        Cmd::Profile { exercise, args } => profile::profile(&root, course.find(&exercise)?, &args),
        Cmd::Reset { exercise } => reset::reset(&root, course.find(&exercise)?),
        Cmd::Solution { exercise } => reset::solution(&root, course.find(&exercise)?),
        Cmd::Verify { runs, only, busy } => {
            let _load = busy.map(verify::Load::start);
            verify::verify(&root, &course, runs.max(1), &only)
        }
        Cmd::Ci => verify::ci(&root, &course),
        Cmd::Compare => compare::compare(&root),
        Cmd::Machine { remeasure } => machine::machine(&root, remeasure),
        Cmd::Figures { runs, only, from } => figures::figures(&root, &course, runs.max(1), &only, from.as_deref()),
        Cmd::Report { from } => report::report(&root, &course, from.as_deref()),
        Cmd::GradeSubmissions { submissions, out, summary, only, allow_weaker_sandbox } => {
            sandbox::require_for_class(allow_weaker_sandbox)?;
            submission::grade_submissions(&root, &course, &submissions, out.as_deref(), summary.as_deref(), &only)
        }
        Cmd::Class { folder, out } => class::class(&root, &course, &folder, out.as_deref()),
        Cmd::Seal => {
            anstream::eprintln!(
                "{} `seal` is for course developers: a learner's re-sealed course is still reported (check compares with the seal committed in git).",
                term::paint(term::WARN, "note:")
            );
            let starting: Vec<PathBuf> =
                course.exercises.iter().map(|e| e.folder(Side::Exercise).join("src")).collect();
            let count = integrity::seal(&root, &course.all_folders(), &starting)?;
            anstream::println!("sealed {count} files in {}", integrity::FILE);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(root: &Path, course: &Course) -> Result<ExitCode> {
    let progress = Progress::load(root);
    let width = course.exercises.iter().map(|e| e.name.len()).max().unwrap_or(8);
    anstream::println!(
        "{}",
        term::paint(
            term::BOLD,
            format!(
                "  #  {:<width$}  {:<21} best share of the solution's gain (speedup) / target",
                "exercise", "state"
            )
        )
    );
    let mut done = 0;
    let mpi_missing = course.exercises.iter().any(|e| e.mpi.is_some()) && mpi::detect().is_err();
    for ex in &course.exercises {
        let entry = progress.exercises.get(&ex.name).cloned().unwrap_or_default();
        let state = match entry.status {
            Some(Status::Wrong) if entry.to_do => "to do",
            Some(s) => s.describe(),
            None if ex.mpi.is_some() && mpi_missing => "needs MPI (not found)",
            None => "not checked yet",
        };
        let style = match entry.status {
            Some(Status::Done) => term::GOOD,
            Some(Status::Slow) => term::WARN,
            Some(Status::Wrong) if entry.to_do => term::WARN,
            Some(_) => term::BAD,
            None => term::DIM,
        };
        done += usize::from(entry.status == Some(Status::Done));
        let tasks = match (ex.start, entry.tests) {
            (course::Start::Todo, Some([done, total])) => vec![format!("{done}/{total} tasks")],
            _ => vec![],
        };
        let figures: Vec<String> = tasks
            .into_iter()
            .chain(ex.stages.iter().map(|s| {
                let best = entry.best_share.get(&s.name).copied();
                let figure = best.map_or("–".to_string(), |b| {
                    format!("{} ({}×)", check::render::percent(b.share), check::render::two_digits(b.speedup))
                });
                let target = check::render::percent(s.target);
                format!("{} {figure} / {target}{}", s.name, tier_reached(s, best.map(|b| b.share)))
            }))
            .collect();
        let number = ex.dir.split('-').next().unwrap_or("").trim_start_matches('0');
        anstream::println!(
            "{number:>3}  {:<width$}  {}  {}",
            ex.name,
            term::paint(style, format!("{state:<21}")),
            figures.join(", ")
        );
    }
    let next = match next_exercise(course, &progress, None) {
        Some(name) => format!("Next: cargo xtask check {name}"),
        None => "Every exercise is done.".into(),
    };
    anstream::println!("\n{done}/{} exercises done. {next}", course.exercises.len());
    if mpi_missing {
        anstream::println!("The MPI exercises need Open MPI and libclang, which this machine lacks:\n{}", mpi::INSTALL);
    }
    Ok(ExitCode::SUCCESS)
}

/// ` (tier 2/3, next 90%)` for a stage with tiers, from the best share (a best at or above
/// the target was met when measured); nothing for a stage with the target alone.
fn tier_reached(stage: &course::Stage, best: Option<f64>) -> String {
    let tiers = stage.tiers();
    if tiers.len() < 2 {
        return String::new();
    }
    let earned = best.map_or(0, |b| check::points(&tiers, b >= stage.target, b));
    match tiers.get(earned as usize) {
        Some(next) => format!(" (tier {earned}/{}, next {})", tiers.len(), check::render::percent(*next)),
        None => format!(" (tier {earned}/{}, the top)", tiers.len()),
    }
}

/// Checks each named exercise; one JSON report (or an `all` document), optional JUnit and
/// Markdown files. Exits 0 only when every one is done.
#[allow(clippy::too_many_arguments)]
fn check_many(
    root: &Path,
    course: &Course,
    names: &[String],
    solution: bool,
    json: bool,
    all: bool,
    junit: Option<&Path>,
    summary: Option<&Path>,
) -> Result<ExitCode> {
    let exercises: Vec<_> = names.iter().map(|n| course.find(n)).collect::<Result<_>>()?;
    let mut reports = Vec::new();
    for ex in exercises {
        let report = check_one(root, course, ex, solution, json, !all)?;
        reports.push(report);
    }
    if json {
        let text = if all {
            serde_json::to_string_pretty(&export::AllReport { schema: check::SCHEMA, reports: reports.clone() })?
        } else {
            serde_json::to_string_pretty(&reports[0])?
        };
        println!("{text}");
    } else if all {
        anstream::println!("{}", export::summary(&reports));
    }
    if let Some(path) = junit {
        std::fs::write(path, export::junit(&reports)).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = summary {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(export::summary(&reports).as_bytes())?;
    }
    Ok(if reports.iter().all(|r| r.status == Status::Done) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn check_one(
    root: &Path,
    course: &Course,
    ex: &course::Exercise,
    solution: bool,
    json: bool,
    hints: bool,
) -> Result<check::CheckReport> {
    let side = if solution { Side::Solution } else { Side::Exercise };
    let report = check::check(root, ex, side, !json && term::color_enabled())?;
    if !json {
        anstream::print!("{}", check::render(&report, ex));
    }
    if side == Side::Exercise {
        let mut progress = Progress::load(root);
        progress.record(&report);
        if report.status != Status::Done && !json && hints {
            let failed = report.failed_names();
            let entry = progress.entry(&ex.name);
            if let Some(k) = ex.hint_for(&failed, &entry.seen_hints()) {
                anstream::println!(
                    "\n{} {}\n(lesson: {}; every hint so far: cargo xtask hint {})",
                    term::paint(term::BOLD, format!("Hint {}/{}:", k + 1, ex.hints.len())),
                    ex.hints[k],
                    ex.lesson_path().display(),
                    ex.name
                );
                entry.saw_hint(k);
            }
            if let (Some(first), false) = (failed.first(), ex.full_hints_for(&failed[..1.min(failed.len())]).is_empty())
            {
                anstream::println!(
                    "{}",
                    term::paint(
                        term::DIM,
                        format!("Stuck on {first}? `cargo xtask hint {} --full` shows the code it needs.", ex.name)
                    )
                );
            }
        } else if report.status == Status::Done && !json && hints {
            let next = next_exercise(course, &progress, Some(&ex.name));
            anstream::println!("\n{} {}", term::paint(term::GOOD, "Well done!"), on_to(next));
        }
        progress.save(root);
    }
    Ok(report)
}

/// The first exercise not done yet, in course order, after `after` (wrapping round), if any.
fn next_exercise<'a>(course: &'a Course, progress: &Progress, after: Option<&str>) -> Option<&'a str> {
    let exercises = &course.exercises;
    let start = after.and_then(|name| exercises.iter().position(|e| e.name == name)).map_or(0, |k| k + 1);
    let done = |e: &&course::Exercise| {
        progress.exercises.get(&e.name).is_some_and(|p| p.status == Some(Status::Done))
            || Some(e.name.as_str()) == after
    };
    exercises.iter().cycle().skip(start).take(exercises.len()).find(|e| !done(e)).map(|e| e.name.as_str())
}

/// "On to the next: cargo xtask check NAME", or that every exercise is done.
fn on_to(next: Option<&str>) -> String {
    match next {
        Some(name) => format!("On to the next: cargo xtask check {name}"),
        None => "Every exercise of the course is done.".into(),
    }
}

fn hint(root: &Path, course: &Course, name: Option<&str>, full: bool) -> Result<ExitCode> {
    let last = Progress::load(root).last;
    let Some(name) = name.or(last.as_deref()) else {
        anstream::println!(
            "Which exercise? No exercise has been checked yet: `cargo xtask hint <exercise>` (names: cargo xtask list)"
        );
        return Ok(ExitCode::FAILURE);
    };
    let ex = course.find(name)?;
    if ex.hints.is_empty() {
        anstream::println!("No hints for {}: the lesson is {}", ex.name, ex.lesson_path().display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut progress = Progress::load(root);
    let entry = progress.entry(&ex.name);
    // Those seen, the next one (about what failed last, else in turn), and, asked for, the code.
    let mut shown = entry.seen_hints();
    let next = ex.hint_for(&entry.failed, &shown);
    shown.extend(next);
    let failed_first = entry.failed.first().cloned().into_iter().collect::<Vec<_>>();
    if full {
        shown.extend(ex.full_hints_for(&failed_first));
    }
    for &k in &shown {
        let new = if Some(k) == next { " (new)" } else { "" };
        anstream::println!(
            "{} {}\n",
            term::paint(term::BOLD, format!("Hint {}/{}{new}:", k + 1, ex.hints.len())),
            ex.hints[k]
        );
        entry.saw_hint(k);
    }
    if next.is_none() {
        let more = if !full && !ex.full_hints_for(&failed_first).is_empty() {
            format!(" `cargo xtask hint {} --full` shows the code the task needs.", ex.name)
        } else {
            String::new()
        };
        anstream::println!("No new hint.{more} The lesson: {}", ex.lesson_path().display());
    }
    progress.save(root);
    Ok(ExitCode::SUCCESS)
}
