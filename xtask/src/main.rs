//! The course runner, `cargo xtask`: parses the command line (`cli`) and hands each command to
//! the room that does it. The learner's commands live in `learner`, the instructor's in `dev`
//! and `class`; the grading pipeline they share in `check` (build, tests, report) and `judge`
//! (timing and checking learner code), over the ground floor: the course's registry and seal,
//! the sandbox, child processes, cargo and MPI.

mod allocation;
mod cargo;
mod check;
mod child;
mod class;
mod cli;
mod clock;
mod course;
mod dev;
mod drivers;
mod gpu;
mod integrity;
mod judge;
mod learner;
mod lexer;
mod machine;
mod mpi;
mod sandbox;
mod stateless;
mod term;
mod text;

use anyhow::Result;
use clap::Parser;
use cli::{ClassCmd, ClusterCmd, Cmd, DevCmd, FiguresArgs, GradeArgs, TableArgs, VerifyArgs};
use course::Course;
use learner::{checking, hint, list, profile, report, reset, watch};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    child::adopt_orphans();
    let cli = cli::Cli::parse();
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
    let course = Course::load(root)?;
    match cmd {
        Cmd::List => list::list(root, &course),
        Cmd::Check(args) => checking::check_many(root, &course, &args),
        Cmd::Hint { exercise, full } => hint::hint(root, &course, exercise.as_deref(), full),
        Cmd::Watch { exercise } => watch::watch(root, &course, exercise.as_deref()),
        Cmd::Profile { exercise, args } => profile::profile(root, course.find(&exercise)?, &args),
        Cmd::Reset { exercise } => reset::reset(root, course.find(&exercise)?),
        Cmd::Solution { exercise } => reset::solution(root, course.find(&exercise)?),
        Cmd::Report { from } => report::report(root, &course, from.as_deref()),
        Cmd::Machine { remeasure } => machine::machine(root, remeasure),
        Cmd::Dev(dev) => run_dev(root, &course, dev),
        Cmd::Class(class) => match class.command {
            Some(ClassCmd::Grade(args)) => grade(root, &course, args),
            Some(ClassCmd::Table(args)) => table(root, &course, args),
            None => table(root, &course, class.table),
        },
        Cmd::Verify(args) => run_dev(root, &course, DevCmd::Verify(args)),
        Cmd::Ci => run_dev(root, &course, DevCmd::Ci),
        Cmd::Seal => run_dev(root, &course, DevCmd::Seal),
        Cmd::Compare => run_dev(root, &course, DevCmd::Compare),
        Cmd::Figures(args) => run_dev(root, &course, DevCmd::Figures(args)),
        Cmd::GradeSubmissions(args) => grade(root, &course, args),
    }
}

fn run_dev(root: &Path, course: &Course, cmd: DevCmd) -> Result<ExitCode> {
    match cmd {
        DevCmd::Verify(VerifyArgs { runs, only, busy }) => {
            let _load = busy.map(dev::verify::Load::start);
            dev::verify::verify(root, course, runs.max(1), &only)
        }
        DevCmd::Ci => dev::verify::ci(root, course),
        DevCmd::Seal => dev::seal::seal(root, course),
        DevCmd::Compare => dev::compare::compare(root),
        DevCmd::Cluster(cluster) => match cluster {
            ClusterCmd::Up => dev::cluster::up(root),
            ClusterCmd::Down => dev::cluster::down(root),
            ClusterCmd::Status => dev::cluster::status(root),
            ClusterCmd::Run { command } => dev::cluster::run(root, &command),
            ClusterCmd::Test => dev::cluster::jobs::test(root, course),
        },
        DevCmd::Figures(FiguresArgs { runs, only, from }) => {
            dev::figures::figures(root, course, runs.max(1), &only, from.as_deref())
        }
    }
}

fn grade(root: &Path, course: &Course, args: GradeArgs) -> Result<ExitCode> {
    sandbox::require_for_class(args.allow_weaker_sandbox)?;
    class::grade::grade_submissions(root, course, &args)
}

fn table(root: &Path, course: &Course, args: TableArgs) -> Result<ExitCode> {
    let folder = args
        .folder
        .ok_or_else(|| anyhow::anyhow!("which folder of reports? `cargo xtask class table <REPORTS_DIR>`"))?;
    class::table::class(root, course, &folder, args.out.as_deref())
}
