//! The runner's command line, in two rooms: the learner's commands at the top level, the
//! instructor's under `dev` and `class`. The instructor's old top-level names (`verify`, `ci`,
//! `seal`, `compare`, `figures`, `grade-submissions`, `class <REPORTS_DIR>`) still work, hidden
//! from `--help`, so CI, the workflows and older notes keep working.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Run and grade the course's exercises.",
    after_help = "Instructors: `cargo xtask dev --help` (verify, ci, figures, compare, seal) and \
                  `cargo xtask class --help` (grading a class).",
    version
)]
pub struct Cli {
    /// The course checkout to work on (default: the one this runner was built from). Used to
    /// grade a copy of the course, e.g. by the runner's own attack tests and class grading.
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Every exercise in order, with its state and best speedup.
    List,
    /// Build an exercise, run its tests, grade its speed. Exits 0 only when its target is met.
    Check(CheckArgs),
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
    /// Write a page (HTML with a chart, and Markdown) of each exercise's speedup against its
    /// target, from your progress or from a `check --all --json` report.
    Report {
        /// A `cargo xtask check --all --json` report (e.g. a CI artifact) instead of your progress.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
    },
    /// Print this machine's limits (copy bandwidth, latency, vector throughput) that every
    /// verdict's roofline line compares with; measured once and cached per machine.
    Machine {
        /// Measure again (on an idle machine) instead of printing the cached figures.
        #[arg(long)]
        remeasure: bool,
    },
    /// For instructors and course developers: verify, ci, figures, compare, seal.
    #[command(subcommand)]
    Dev(DevCmd),
    /// For instructors: grade a class's submissions, and gather their reports in one table.
    Class(ClassArgs),
    /// `dev verify`.
    #[command(hide = true)]
    Verify(VerifyArgs),
    /// `dev ci`.
    #[command(hide = true)]
    Ci,
    /// `dev seal`.
    #[command(hide = true)]
    Seal,
    /// `dev compare`.
    #[command(hide = true)]
    Compare,
    /// `dev figures`.
    #[command(hide = true)]
    Figures(FiguresArgs),
    /// `class grade`.
    #[command(hide = true)]
    GradeSubmissions(GradeArgs),
}

/// The instructor's and course developer's commands.
#[derive(Subcommand)]
pub enum DevCmd {
    /// Grade every solution (each must meet its targets) and every untouched exercise (each must
    /// be correct and miss them, or fail its `todo!()` tasks): shows the grader discriminates.
    Verify(VerifyArgs),
    /// Everything CI runs: formatting, clippy, the workspace's tests, every target, the docs,
    /// the seal, `verify`, the cluster test (as root, where Slurm is installed), then the attack
    /// suite.
    Ci,
    /// Record the hashes of every file a verdict depends on in integrity.toml (run after
    /// changing the harness, the runner, the registry or an exercise's tests, then commit
    /// integrity.toml).
    Seal,
    /// Time the course's kernels in Python, NumPy, Cython, Numba, Rust (start and solution) and
    /// C, serial and on two threads (rayon, OpenMP), on the same input; print a table and draw a
    /// bar chart (target/compare/).
    Compare,
    /// A two-node Slurm cluster on this machine (network namespaces joined by a veth pair), to
    /// run the MPI chapters' job scripts: up, down, status, run, test. Needs root.
    #[command(subcommand)]
    Cluster(ClusterCmd),
    /// Regenerate every measured figure in the lessons and docs/comparison.md: grades each
    /// solution, untouched exercise and ladder rung several times with the grader, checks every
    /// target against the rule (the solution at the top tier, the starting code below the
    /// target), writes the lessons' figure blocks, docs/comparison.md's table and
    /// docs/figures.json. Takes about 5 min a run.
    Figures(FiguresArgs),
}

/// `dev cluster`'s commands.
#[derive(Subcommand)]
pub enum ClusterCmd {
    /// Start munge, slurmctld and two slurmd nodes (ending what an earlier cluster left).
    Up,
    /// Stop every process the cluster runs and remove its namespaces.
    Down,
    /// Each daemon and namespace, then `sinfo` and `squeue`.
    Status,
    /// Run a command (sbatch, srun, squeue, …) on the first node, with the cluster's slurm.conf.
    Run {
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// Bring the cluster up, submit the MPI chapters' job scripts and a class's grading as a
    /// job array, check what they give, and take it down (what CI runs after `verify`).
    Test,
}

/// `class`: a subcommand, or (the older form) a folder of reports for the table.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ClassArgs {
    #[command(subcommand)]
    pub command: Option<ClassCmd>,
    #[command(flatten)]
    pub table: TableArgs,
}

#[derive(Subcommand)]
pub enum ClassCmd {
    /// Grade learners' submissions (checkouts of their forks) with this course's own files:
    /// only each submission's `exercises/*/src/` is taken; any other file that differs is
    /// reported as modified and its exercises are not graded. This checkout must be clean.
    Grade(GradeArgs),
    /// One table of a class's results from the reports `class grade` wrote (a folder of
    /// `<name>.json`, e.g. the `grade-report` artifacts): learner × exercise with points and
    /// shares of the solution's gain, totals, the closest to the solution per stage, late work,
    /// and reports that do not count. Writes an HTML page, a Markdown summary, a CSV and an SVG
    /// chart.
    Table(TableArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// Exercise name (as in `list`), folder or number.
    #[arg(required_unless_present = "all")]
    pub exercise: Option<String>,
    /// Check every exercise in course order (for grading a class in CI).
    #[arg(long, conflicts_with = "exercise")]
    pub all: bool,
    /// Check the solution crate instead of yours.
    #[arg(long)]
    pub solution: bool,
    /// Print the machine-readable report (JSON, see docs/report-schema.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write a Markdown summary table to this file (e.g. $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Repeat the whole verification this many times and report the spread of speedups and shares.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// Only these exercises.
    #[arg(long = "only", value_name = "EXERCISE")]
    pub only: Vec<String>,
    /// Keep a core busy meanwhile (a spinning thread, or a memory-streaming one), to measure how
    /// often verdicts flip on a loaded machine.
    #[arg(long, value_enum)]
    pub busy: Option<crate::dev::verify::Load>,
}

#[derive(Args)]
pub struct FiguresArgs {
    /// Grade everything this many times (the lessons quote the spread).
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// Only these exercises (docs/comparison.md is then left alone).
    pub only: Vec<String>,
    /// Rewrite the blocks from this figures file (e.g. docs/figures.json) without measuring.
    #[arg(long)]
    pub from: Option<PathBuf>,
}

#[derive(Args)]
pub struct GradeArgs {
    /// Submission folders.
    #[arg(required = true, value_name = "SUBMISSION_DIR")]
    pub submissions: Vec<PathBuf>,
    /// Write `<name>.json` (as `check --all --json`), `<name>.junit.xml` and `<name>.md` per
    /// submission to this folder (default: a JSON array of every submission on stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also append the Markdown summaries to this file (e.g. $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Grade only these exercises (default: every one).
    #[arg(long = "only", value_name = "EXERCISE")]
    pub only: Vec<String>,
    /// Where the scratch copy of the course is made and built (default: `target/submissions/`).
    /// On a cluster, a node-local folder, so that tasks grading at once never share one.
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Grade even where this machine lacks a layer of the sandbox (one submission's code could
    /// then change another's verdict).
    #[arg(long)]
    pub allow_weaker_sandbox: bool,
}

#[derive(Args)]
pub struct TableArgs {
    /// The folder of reports (read with its subfolders).
    #[arg(value_name = "REPORTS_DIR", required = true)]
    pub folder: Option<PathBuf>,
    /// Where to write index.html, class.md, class.csv and speedups.svg (default: target/class/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_lists_the_learners_commands_and_the_two_instructor_rooms_only() {
        let shown: Vec<String> =
            Cli::command().get_subcommands().filter(|c| !c.is_hide_set()).map(|c| c.get_name().to_string()).collect();
        assert_eq!(
            shown,
            ["list", "check", "hint", "watch", "profile", "reset", "solution", "report", "machine", "dev", "class"]
        );
    }

    #[test]
    fn old_instructor_names_still_parse() {
        for args in [
            &["cargo xtask", "verify", "--only", "mandelbrot"][..],
            &["cargo xtask", "ci"],
            &["cargo xtask", "seal"],
            &["cargo xtask", "figures", "--runs", "2"],
            &["cargo xtask", "grade-submissions", "a", "b"],
            &["cargo xtask", "class", "reports"],
            &["cargo xtask", "class", "table", "reports"],
            &["cargo xtask", "class", "grade", "a"],
            &["cargo xtask", "dev", "verify"],
        ] {
            assert!(Cli::try_parse_from(args).is_ok(), "{args:?}");
        }
        assert!(Cli::try_parse_from(["cargo xtask", "class"]).is_err(), "a folder or a subcommand");
    }
}
