//! `check`: build an exercise crate, run its correctness tests, then grade its speed, each step
//! in a child process with a time limit; the outcome is one [`CheckReport`].
//!
//! - [`model`]: the report, as `--json` prints it (`docs/report-schema.md`);
//! - `libtest`: the course's test binaries run and their output read, trusting only what
//!   matches the course's list of tests;
//! - [`render`](mod@render): the report as the learner reads it;
//! - here, the pipeline: seal, build, tests, then the judge.

mod libtest;
pub mod model;
mod mpitest;
pub mod render;

pub mod export;
pub use libtest::strip_ansi;
pub use model::*;
pub use render::render;

use crate::cargo::{self, Build};
use crate::child;
use crate::course::{Exercise, Side, Start};
use crate::integrity::Pinned;
use crate::judge;
use crate::term::StatusLine;
use anyhow::{Result, bail};
use grading::machine::Machine;
use grading::protocol::{Protocol, Verdict};
use grading::roofline::Roofline;
use libtest::{Expected, list_course_tests, run_tests};
use std::path::Path;

/// Checks one side of an exercise. `color` asks cargo for coloured diagnostics.
pub fn check(root: &Path, ex: &Exercise, side: Side, color: bool) -> Result<CheckReport> {
    // The solution's folder counts for an exercise with timed stages: its code is timed beside
    // the learner's and sets the scale of the verdict.
    let mut folders = vec![ex.folder(side)];
    if side == Side::Exercise && !ex.stages.is_empty() {
        folders.push(ex.folder(Side::Solution));
    }
    let seal = crate::integrity::check_seal(root, &folders)?;
    let tampered = seal.changes.unwrap_or_default();
    // A tampered course is not built (a build script could run) nor timed: the verdict would
    // not count, and the learner's message says which files to restore.
    let mut report = if tampered.is_empty() { grade(root, ex, side, color)? } else { CheckReport::new(ex, side) };
    // Whatever learner code started and left behind (a grandchild holding the test pipes)
    // ends with the check.
    child::reap_orphans();
    if let Some(note) = seal.note {
        report.details =
            Some(report.details.take().map(|d| d.trim_end().to_string() + "\n\n").unwrap_or_default() + &note);
    }
    if !tampered.is_empty() {
        report.status = Status::Tampered;
        report.tampered = tampered;
    }
    Ok(report)
}

fn grade(root: &Path, ex: &Exercise, side: Side, color: bool) -> Result<CheckReport> {
    let mut report = CheckReport::new(ex, side);
    let mut status = StatusLine::new();
    let package = ex.package(side);
    // Before anything is built: without MPI the build would fail in the `mpi` crate's build script.
    let mpi = ex.mpi.as_ref().map(|_| crate::mpi::require(&ex.name)).transpose()?;
    // A GPU exercise builds without a driver but cannot run: said before the long build.
    if ex.gpu {
        let drivers = crate::gpu::require(&ex.name)?;
        // A GPU stage timed on a CPU's software driver would grade the CPU: not timed there.
        let untimed = if drivers.cpu_only() && !crate::gpu::time_on_cpu() {
            ex.stages.iter().map(|s| s.name.clone()).collect()
        } else {
            Vec::new()
        };
        report.gpu = Some(GpuUsed { drivers: drivers.summary(), cpu_only: drivers.cpu_only(), untimed });
    }

    // Before the learner's build: nothing of it (a build script) has run yet.
    let course_solution = match side {
        Side::Solution => None,
        Side::Exercise => Some(build_solution(root, ex, &mut status)?),
    };
    const SOLUTION_WORKER: &str = "the course solution's grading worker";
    let solution_pin = match course_solution.as_ref().and_then(|s| s.grade.as_deref()) {
        Some(grade) => Some(Pinned::new(grade, SOLUTION_WORKER)?),
        None => None,
    };
    // The reference worker too: trusted, it is built before any learner code is.
    status.phase("building the course's reference worker…");
    let reference = cargo::build_reference(root)?;
    let reference_pin = Pinned::new(&reference, "the course's reference worker")?;
    status.phase(&format!("building {package} (release)…"));
    let built = match cargo::build_tests(root, &package, has_grade_worker(root, ex, side), color, |s| {
        status.set(&format!("building {package}: {s}"))
    })? {
        Build::Failed(diagnostics) => {
            report.add_output(&diagnostics);
            return Ok(report);
        }
        Build::Built(b) => b,
    };
    // The solution's own tests are listed from its own binaries (it is course code).
    let (expected, solution_grade) = match course_solution {
        Some(solution) => (solution.expected, solution.grade),
        None => (list_course_tests(&built.tests)?, built.grade.clone()),
    };

    report.status = Status::Wrong;
    // Every process of learner code from here on is confined (see `sandbox`); a weaker box
    // than the whole is said, in the report and to the learner.
    report.sandbox = Some(crate::sandbox::layers().clone());
    let mut tests_passed = match &mpi {
        Some(mpi) => mpitest::run_tests(root, ex, mpi, &built.tests, &expected, &mut status, &mut report)?,
        None => run_tests(root, ex, &package, &built.tests, &expected, &mut status, &mut report)?,
    };
    // The tasks the reference worker checks itself: their verdicts replace the test binary's.
    // When the binaries report no task passed there is nothing to confirm: a failure told by
    // learner code can only cost that learner, never pass a task (and a fresh start, every task
    // `todo!()`, is checked a second faster).
    let any_passed = report.tests.iter().flat_map(|t| &t.tests).any(|t| t.passed);
    if let (Some(grade), Start::Todo, true) = (&built.grade, ex.start, any_passed) {
        status.phase(&format!("checking {package}'s tasks in the course's reference worker…"));
        reference_pin.verify()?;
        let reported_passed = |task: &str| report.task_passed(task);
        if let Some(judged) = judge::check_tasks(
            &judge::TaskWorkers { candidate: grade, reference: &reference, package: &package, mpi: mpi.as_ref() },
            ex,
            root,
            &reported_passed,
        )? {
            tests_passed = apply_judged_tasks(&mut report, judged) && report.problem.is_none();
        }
    }
    // With tasks still open, a stage whose own task passed is timed already (trusted output only).
    let task_passed = |task: &str| report.task_passed(task);
    let gradable: Vec<(String, f64)> = ex
        .stages
        .iter()
        .filter(|s| tests_passed || (report.problem.is_none() && s.task.as_deref().is_some_and(task_passed)))
        .filter(|s| !report.gpu.as_ref().is_some_and(|g| g.untimed.contains(&s.name)))
        .map(|s| (s.name.clone(), s.target))
        .collect();
    if !tests_passed && gradable.is_empty() {
        return Ok(report);
    }
    // No stage to time: none at all, or only GPU stages on a machine without a GPU (which are
    // optional, see `course.rs`).
    if ex.stages.is_empty() || (tests_passed && gradable.is_empty()) {
        report.status = Status::Done;
        return Ok(report);
    }

    let Some(grade) = built.grade else {
        report.status = Status::Done;
        return Ok(report);
    };
    let Some(solution_grade) = solution_grade else {
        bail!("the course's solution {} has no grading worker (tests/grade.rs)", ex.package(Side::Solution));
    };
    if ex.stateless {
        let found = crate::stateless::kept_state(&root.join(ex.folder(side)))?;
        if !found.is_empty() {
            report.problem = Some(Problem::KeepsState);
            report.details = Some(crate::stateless::explain(&found));
            return Ok(report);
        }
    }
    let protocol = ex.protocol(&Protocol::default());
    let mut machine = Machine::detect();
    if let (Some(mpi), Some(course)) = (&mpi, &ex.mpi) {
        machine.mpi = Some(format!("{}, {} ranks", mpi.version, course.timed_ranks));
    }
    // Measured once per machine, before the timing: the roofline line beside a verdict, and
    // each stage's floor (a cache that cannot be written is measured again next time).
    let (limits, _) = if ex.gpu {
        crate::machine::limits_with_device(root, &mut status)
    } else {
        crate::machine::limits(root, &mut status, false)
    };
    status.phase(&format!("grading {package}: checking results, then timing against the baseline…"));
    let stages = gradable;
    let solution_pin = match solution_pin {
        Some(pin) => pin,
        None => Pinned::new(&solution_grade, SOLUTION_WORKER)?,
    };
    let pins = [reference_pin, solution_pin];
    pins.iter().try_for_each(Pinned::verify)?;
    let exes = judge::Executables { candidate: &grade, solution: &solution_grade, reference: &reference };
    let judged = judge::grade(exes, ex, mpi.as_ref(), &stages, &protocol, root, &mut |p| {
        status.set(&format!(
            "grading {package}: {} · round {} · speedup {}× [{}–{}] · the solution's {}× · {} of its gain",
            p.stage,
            p.pairs,
            crate::text::two_digits(p.speedup),
            crate::text::two_digits(p.interval[0]),
            crate::text::two_digits(p.interval[1]),
            crate::text::two_digits(p.solution_speedup),
            crate::text::percent(p.share)
        ))
    })?;
    // What timed and checked the code is still what the course built.
    pins.iter().try_for_each(Pinned::verify)?;
    report.protocol = Some(protocol);
    // The machine's figure: the lowest a multi-threaded stage's probes found.
    machine.two_thread_scaling =
        judged.stages.iter().filter_map(|(_, cores)| cores.as_ref()?.two_thread_scaling).min_by(f64::total_cmp);
    report.machine = Some(machine);
    if let Some(failure) = judged.failure {
        report.problem = Some(Problem::of(&failure));
        report.details = Some(failure.summary());
        if !failure.output().is_empty() {
            report.add_output(failure.output());
        }
        return Ok(report);
    }
    // A call faster than the least work it must do was not computed while it was timed: the
    // stage's measurement means nothing, whatever the share.
    let refused: Vec<String> = judged
        .stages
        .iter()
        .filter_map(|(r, _)| {
            let floor = r.work.as_ref()?.floor.as_ref()?;
            Some(format!("{}: {}", r.name, floor.refuses(r.candidate_seconds, &limits)?))
        })
        .collect();
    if !refused.is_empty() {
        report.problem = Some(Problem::Implausible);
        report.details = Some(format!(
            "{}\nA result ready before it was asked for (kept from an earlier call, or computed before the \
             clock started) is not what this stage times.",
            refused.join("\n")
        ));
        return Ok(report);
    }
    for (result, cores) in judged.stages {
        if let Some(s) = report.stages.iter_mut().find(|s| s.name == result.name) {
            s.result = Some(result);
            s.cores = cores;
            s.score();
        }
    }
    for s in &mut report.stages {
        let threads = if ex.stages.iter().any(|x| x.name == s.name && x.multi_threaded) { limits.cores } else { 1 };
        s.roofline = s.result.as_ref().and_then(|r| {
            let work = r.work.as_ref()?;
            Roofline::of(work.roof.as_ref()?, r.candidate_seconds / work.per_call, threads, &limits)
        });
    }
    report.limits = Some(limits);
    let verdict =
        |name: &str| report.stages.iter().find(|s| s.name == name).and_then(|s| s.result.as_ref()).map(|r| r.verdict);
    let required: Vec<Option<Verdict>> = ex.required_stages().map(|s| verdict(&s.name)).collect();
    report.status = if !tests_passed {
        Status::Wrong
    } else if required.iter().all(|v| *v == Some(Verdict::Met)) {
        Status::Done
    } else if required.iter().all(|v| matches!(v, Some(Verdict::Met | Verdict::Ungradable))) {
        Status::Ungradable
    } else {
        Status::Slow
    };
    // A stage timed while tasks are open shows how far it is, but earns nothing yet.
    if !report.earns() {
        for s in &mut report.stages {
            s.points = 0;
        }
    }
    Ok(report)
}

/// What the course's solution crate gives the check of an exercise: the tests the learner's
/// binaries must report, and its grading worker, timed beside the learner's.
struct CourseSolution {
    expected: Expected,
    grade: Option<std::path::PathBuf>,
}

/// The tests the learner's test binaries must report, read from the solution's twin binaries,
/// and the solution's grading worker, built in the same cargo call.
///
/// A test binary of the learner's crate has the learner's code linked in, so nothing it prints
/// is evidence by itself: a test can print `test x ... ok` lines, or end the whole run with
/// `std::process::exit(0)` before the other tests ran. So the runner must know which tests
/// have to report. Their list comes from the solution crate, built from the same sealed test
/// files (the exercise's and the solution's `tests/*.rs` expand the same harness macros and
/// differ only in the crate they test), listed with libtest's `--list --format terse`, which
/// runs no test. Not from the learner's binary (its code can run before `main`), nor from a
/// cached file (`target/` is writable by a build script): cargo's own build cache makes a
/// second listing cost a second.
fn build_solution(root: &Path, ex: &Exercise, status: &mut StatusLine) -> Result<CourseSolution> {
    let solution = ex.package(Side::Solution);
    status.phase(&format!("building the course's solution {solution}…"));
    let graded = has_grade_worker(root, ex, Side::Solution);
    match cargo::build_tests(root, &solution, graded, false, |s| status.set(&format!("building {solution}: {s}")))? {
        Build::Built(built) => Ok(CourseSolution { expected: list_course_tests(&built.tests)?, grade: built.grade }),
        Build::Failed(why) => {
            bail!("the course's solution {solution} does not build, so the list of tests to expect is unknown:\n{why}")
        }
    }
}

/// Whether the crate has a grading worker (`tests/grade.rs`, a sealed course file): every
/// exercise with timed stages, and those whose tasks the judge checks.
fn has_grade_worker(root: &Path, ex: &Exercise, side: Side) -> bool {
    !ex.stages.is_empty() || root.join(ex.folder(side)).join("tests/grade.rs").is_file()
}

/// Puts the judge's verdicts on the tasks in `report.tests` (the test binary's lines are kept
/// only for their messages and locations); returns whether every test now passes.
fn apply_judged_tasks(report: &mut CheckReport, judged: judge::JudgedTasks) -> bool {
    let tests = report.tests.get_or_insert_with(TestSummary::default);
    let (mut told, mut contradicted) = (Vec::new(), Vec::new());
    for (name, verdict) in judged.tasks {
        let index = match tests.tests.iter().position(|t| t.short_name() == name) {
            Some(k) => k,
            None => {
                tests.tests.push(TestOutcome { name: name.clone(), passed: false, reason: None });
                tests.tests.len() - 1
            }
        };
        let test = &mut tests.tests[index];
        if verdict == judge::TaskVerdict::Unchecked {
            // Reported failed (or never reported) by the binaries: their verdict stands.
            test.passed = false;
            test.reason.get_or_insert_with(|| "never reported by the test binaries".into());
            continue;
        }
        // The binary's own reason, where it found the same (it knows the panic's location).
        let own = test.reason.take().filter(|_| !test.passed);
        if test.passed && verdict != judge::TaskVerdict::Passed {
            contradicted.push(format!("`{name}`"));
        }
        test.passed = verdict == judge::TaskVerdict::Passed;
        test.reason = match verdict {
            judge::TaskVerdict::Passed => None,
            judge::TaskVerdict::Todo(_) => {
                Some(own.filter(|r| r.starts_with("todo!()")).unwrap_or_else(|| "todo!()".into()))
            }
            judge::TaskVerdict::Unchecked => unreachable!("handled above"),
            judge::TaskVerdict::Failed(message) => {
                let first = message.lines().next().unwrap_or_default().to_string();
                if own.is_none() {
                    told.push(format!("---- {name} (checked by the grader)\n{message}"));
                }
                Some(own.filter(|r| !r.starts_with("todo!()")).unwrap_or(first))
            }
        };
    }
    tests.passed = tests.tests.iter().filter(|t| t.passed).count();
    tests.failed = tests.tests.len() - tests.passed;
    let passed = tests.failed == 0;
    if !contradicted.is_empty() {
        told.insert(
            0,
            format!(
                "The test binaries reported {} as passed, but the course's own checks of {}, run by the grader \
                 outside your code's process, did not pass: the grader's verdict is the one that counts.",
                libtest::names(&contradicted),
                if contradicted.len() == 1 { "it" } else { "them" }
            ),
        );
    }
    if !told.is_empty() {
        let first = told.into_iter().take(2).collect::<Vec<_>>().join("\n");
        report.details = Some(match report.details.take() {
            Some(before) => format!("{before}\n{first}"),
            None => first,
        });
    }
    if !judged.output.is_empty() {
        report.add_output(&judged.output);
    }
    passed
}
