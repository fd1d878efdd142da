//! The course tests of an exercise that runs under MPI: each test binary started by `mpirun`
//! once per rank count of course.toml's `mpi.ranks`, rank 0's libtest lines read from its own
//! output file.
//!
//! A rank that panics ends the whole job (the course's MPI harness calls `MPI_Abort`), so a run
//! stops at the first failing test: the runner reads which rank panicked and why from the
//! ranks' own error files, marks that test failed, and starts the tests not yet reported again
//! in a new job. A run that does not end within [`RUN_LIMIT`] had ranks waiting for each other
//! (a deadlock): everything it started is ended and the test is reported as such. A test
//! passes when it passed with every rank count. Rank 0's lines are held to the course's list
//! as in `libtest`: a test reported twice, or not at all by a run that ended as successful,
//! and none of that run's results are believed.

use super::libtest::{Outcome, result_lines, tail};
use super::model::{CheckReport, Problem, TestOutcome, TestSummary};
use crate::child::{self, Ending, Limits};
use crate::course::Exercise;
use crate::mpi::{self, Installation};
use crate::sandbox::{Confinement, Scratch};
use crate::term::StatusLine;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Limit for one job (the course's MPI tests take a second or two; a job still running after
/// this has ranks waiting for each other).
pub const RUN_LIMIT: Duration = Duration::from_secs(30);

/// What one job said about the tests it was given.
#[derive(Debug, PartialEq)]
enum Run {
    /// The tests rank 0 reported as passed, in order, and how the job ended otherwise.
    Reported { passed: Vec<String>, stopped: Option<Stopped> },
    /// Rank 0's lines did not match the tests it was given: why.
    NotTrusted(String),
}

/// The test that ended a job early, and why.
#[derive(Debug, PartialEq)]
struct Stopped {
    test: String,
    reason: String,
    /// What the ranks printed, for the learner (panic messages, their own lines).
    output: String,
}

/// Runs every course test binary of `ex` under MPI; fills `report` as `libtest::run_tests` does.
/// True when every test passed with every rank count.
pub(super) fn run_tests(
    root: &Path,
    ex: &Exercise,
    mpi: &Installation,
    binaries: &[(String, PathBuf)],
    expected: &[(String, Vec<String>)],
    status: &mut StatusLine,
    report: &mut CheckReport,
) -> Result<bool> {
    let ranks = ex.mpi.as_ref().map(|m| m.ranks.clone()).unwrap_or_default();
    let mut outcomes: Vec<TestOutcome> = Vec::new();
    // The grader's words, and what the ranks printed (learner output).
    let (mut details, mut outputs) = (Vec::new(), Vec::new());
    let scratch = root.join("target").join("mpi-tests");
    for (binary, names) in expected {
        let Some((_, exe)) = binaries.iter().find(|(b, _)| b == binary) else {
            report.problem = Some(Problem::TestsNotTrusted);
            report.details = Some(format!(
                "The course's tests in `{binary}` were not built, so they could not run. Is its `tests/{binary}.rs` \
                 or its Cargo.toml changed?"
            ));
            outcomes.extend(names.iter().map(|n| failed(n, "not built".into())));
            break;
        };
        let start = outcomes.len();
        outcomes.extend(names.iter().map(|n| TestOutcome { name: n.clone(), passed: true, reason: None }));
        for &count in &ranks {
            // A test that failed with fewer ranks is not run again.
            let mut remaining: Vec<String> =
                outcomes[start..].iter().filter(|t| t.passed).map(|t| t.name.clone()).collect();
            while !remaining.is_empty() {
                status.phase(&format!(
                    "testing {}: {binary} on {count} rank{}, {} test{}…",
                    ex.name,
                    plural(count as usize),
                    remaining.len(),
                    plural(remaining.len())
                ));
                let run = run_job(mpi, exe, &remaining, count, (root, &scratch), RUN_LIMIT)?;
                let mark = |name: &str, reason: String, outcomes: &mut Vec<TestOutcome>| {
                    // A task not done yet is that on any number of ranks.
                    let reason = if reason.starts_with("todo!()") {
                        reason
                    } else {
                        format!("with {count} rank{}: {reason}", plural(count as usize))
                    };
                    if let Some(t) = outcomes[start..].iter_mut().find(|t| t.name == name) {
                        *t = failed(name, reason);
                    }
                };
                match run {
                    Run::NotTrusted(why) => {
                        report.problem = Some(Problem::TestsNotTrusted);
                        details.push(format!(
                            "The test output of `{binary}` on {count} ranks does not match the course's tests: {why}. \
                             None of that run's results are believed. Does your code end the process \
                             (`std::process::exit`), or print lines that look like test results?"
                        ));
                        for name in &remaining {
                            mark(
                                name,
                                "result not trusted: the test output did not match the course's tests".into(),
                                &mut outcomes,
                            );
                        }
                        remaining.clear();
                    }
                    Run::Reported { passed, stopped } => {
                        remaining.retain(|n| !passed.contains(n));
                        if let Some(stopped) = stopped {
                            if !stopped.reason.starts_with("todo!()") {
                                // Never an empty section: what ended the job when no rank printed.
                                let said =
                                    if stopped.output.trim().is_empty() { &stopped.reason } else { &stopped.output };
                                outputs.push(format!(
                                    "---- {} ({count} rank{})\n{said}",
                                    stopped.test,
                                    plural(count as usize),
                                ));
                            }
                            mark(&stopped.test, stopped.reason, &mut outcomes);
                            remaining.retain(|n| *n != stopped.test);
                        }
                    }
                }
            }
        }
    }
    let passed = outcomes.iter().filter(|t| t.passed).count();
    let failed_count = outcomes.len() - passed;
    if let Some(first) = details.into_iter().next() {
        report.details = Some(report.details.take().map(|d| d + "\n").unwrap_or_default() + &first);
    }
    if let Some(first) = outputs.into_iter().next() {
        report.add_output(&first);
    }
    report.tests = Some(TestSummary { passed, failed: failed_count, ignored: 0, tests: outcomes });
    Ok(failed_count == 0 && report.problem.is_none())
}

fn failed(name: &str, reason: String) -> TestOutcome {
    TestOutcome { name: name.to_string(), passed: false, reason: Some(reason) }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One `mpirun` job running `tests` of `exe` on `ranks` ranks, for at most `limit`, confined to
/// a folder of its own in `scratch` (where the ranks' outputs are written) and reading `course`.
fn run_job(
    mpi: &Installation,
    exe: &Path,
    tests: &[String],
    ranks: u32,
    (course, scratch): (&Path, &Path),
    limit: Duration,
) -> Result<Run> {
    let outputs = Scratch::new(scratch, "job")?;
    let outputs = &outputs.0;
    let mut cmd = mpi::launcher(mpi, exe, ranks, Some(outputs));
    // Output captured (no `--nocapture`): a line the learner's code prints cannot land inside a
    // result line (`test NAME ... ` is printed before the test runs, `ok` after it).
    cmd.args(["--exact", "--test-threads=1", "--color", "never"]).args(tests).env("RUST_BACKTRACE", "0");
    Limits::for_learner_code(limit).apply(&mut cmd);
    crate::sandbox::confine(&mut cmd, &Confinement::mpi(outputs, course, exe))?;
    let finished = child::run(&mut cmd, limit, |_| false)?;
    let ranks_said = mpi::rank_outputs(outputs, ranks);
    let rank0 = ranks_said.first().map(|r| r.stdout.as_str()).unwrap_or_default();
    Ok(read_job(tests, &finished.ending, rank0, &ranks_said, &finished.stderr))
}

/// What a job's ending and its ranks' output say about `tests` (see [`Run`]).
fn read_job(
    tests: &[String],
    ending: &Ending,
    rank0_stdout: &str,
    ranks: &[mpi::RankOutput],
    launcher_stderr: &str,
) -> Run {
    let reported = result_lines(rank0_stdout);
    let mut passed: Vec<String> = Vec::new();
    for (name, outcome) in &reported {
        if !tests.contains(name) {
            // Learner text: counted, never quoted in the report.
            return Run::NotTrusted("a name reported that is not one of the tests run".into());
        }
        if passed.contains(name) || reported.iter().filter(|(n, _)| n == name).count() > 1 {
            return Run::NotTrusted(format!("`{}` reported more than once", crate::text::inert(name)));
        }
        match outcome {
            Outcome::Ok => passed.push(name.clone()),
            // A course test fails by panicking, which ends the job: a FAILED line is not its.
            Outcome::Failed | Outcome::Ignored => {
                return Run::NotTrusted(format!("`{}` reported as {outcome:?}", crate::text::inert(name)));
            }
        }
    }
    let unreported: Vec<&String> = tests.iter().filter(|t| !passed.contains(t)).collect();
    if ending.success() {
        if let Some(first) = unreported.first() {
            return Run::NotTrusted(format!(
                "`{}` never reported by a run that ended as successful",
                crate::text::inert(first)
            ));
        }
        return Run::Reported { passed, stopped: None };
    }
    // With one test thread libtest names each test as it starts (`test NAME ... `): the last
    // one started is the one that ended the job; else the first not reported, in libtest's
    // order (by name).
    let started = rank0_stdout
        .lines()
        .rev()
        .filter_map(|l| l.strip_prefix("test ").and_then(|r| r.split(" ... ").next()))
        .find(|n| unreported.iter().any(|t| t == n))
        .map(str::to_string);
    let mut sorted = unreported.clone();
    sorted.sort();
    let Some(test) = started.or_else(|| sorted.first().map(|t| t.to_string())) else {
        return Run::NotTrusted(format!("every test reported as passed, yet the run {}", ending.describe()));
    };
    let panics: Vec<String> = ranks.iter().filter_map(|r| mpi::panic_line(&r.stderr)).collect();
    let reason = match ending {
        Ending::TimedOut(after) => format!(
            "the ranks were still waiting after {} s and were stopped: a deadlock? (a blocking send that no rank \
             receives, a receive that nobody sends to, or a collective call that not every rank makes)",
            after.as_secs()
        ),
        _ => match panics.first() {
            Some(line) => line.clone(),
            None => format!("the job {}", ending.describe()),
        },
    };
    let mut output = String::new();
    for (rank, said) in ranks.iter().enumerate() {
        let text = said.stderr.trim();
        if !text.is_empty() {
            output += &format!("rank {rank} printed (standard error):\n{}\n", tail(text, 20));
        }
    }
    if panics.is_empty() && !matches!(ending, Ending::TimedOut(_)) {
        output += &tail(launcher_stderr, 10);
    }
    Run::Reported { passed, stopped: Some(Stopped { test, reason, output }) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpi::RankOutput;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn rank(stderr: &str) -> RankOutput {
        RankOutput { stdout: String::new(), stderr: stderr.into() }
    }

    #[test]
    fn a_ranks_panic_stops_the_job_at_its_test_and_names_the_rank() {
        let tests = names(&["task_01", "task_02", "task_03"]);
        let stdout = "running 3 tests\ntest task_01 ... ok\ntest task_02 ... ";
        let ranks = [rank(""), rank("rank 1 of 2 panicked at src/lib.rs:9:5:\nindex out of bounds\n")];
        let run = read_job(&tests, &Ending::Exited(101), stdout, &ranks, "MPI_ABORT was invoked");
        let Run::Reported { passed, stopped: Some(stopped) } = run else { panic!("{run:?}") };
        assert_eq!(passed, ["task_01"]);
        assert_eq!(stopped.test, "task_02");
        assert_eq!(stopped.reason, "rank 1 of 2 panicked at src/lib.rs:9:5: index out of bounds");
        assert!(stopped.output.contains("rank 1 printed"), "{}", stopped.output);
    }

    #[test]
    fn a_job_past_its_limit_is_reported_as_ranks_still_waiting() {
        let tests = names(&["task_03_deadlock"]);
        let run = read_job(&tests, &Ending::TimedOut(RUN_LIMIT), "test task_03_deadlock ... ", &[], "");
        let Run::Reported { stopped: Some(stopped), .. } = run else { panic!("{run:?}") };
        assert!(stopped.reason.contains("still waiting after 30 s") && stopped.reason.contains("deadlock"));
    }

    #[test]
    fn rank_zeros_lines_are_held_to_the_tests_it_was_given() {
        let tests = names(&["task_01", "task_02"]);
        let ok = |stdout: &str| read_job(&tests, &Ending::Exited(0), stdout, &[], "");
        assert_eq!(
            ok("test task_01 ... ok\ntest task_02 ... ok\n"),
            Run::Reported { passed: names(&["task_01", "task_02"]), stopped: None }
        );
        // A run that ended as successful without reporting every test: `exit(0)` in learner code.
        assert!(matches!(ok("test task_01 ... ok\n"), Run::NotTrusted(w) if w.contains("task_02` never reported")));
        assert!(
            matches!(ok("test task_01 ... ok\ntest task_01 ... ok\ntest task_02 ... ok\n"), Run::NotTrusted(w) if w.contains("more than once"))
        );
        assert!(matches!(ok("test other ... ok\n"), Run::NotTrusted(w) if w.contains("not one of the tests")));
        // Without a started line, the first unreported test by name is the one that stopped.
        let run = read_job(&tests, &Ending::Signalled(9), "", &[], "killed");
        let Run::Reported { stopped: Some(s), .. } = run else { panic!("{run:?}") };
        assert_eq!((s.test.as_str(), s.reason.as_str()), ("task_01", "the job was killed (SIGKILL): out of memory?"));
    }

    /// A script standing in for a test binary under a real `mpirun` (`None` without MPI, said).
    fn job(name: &str, script: &str, limit: Duration) -> Option<(Run, Vec<String>, Duration)> {
        let Ok(mpi) = mpi::detect() else {
            eprintln!("no MPI on this machine: {name} not run (CI installs it)");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("xtask-mpitest-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("tasks");
        std::fs::write(&exe, format!("#!/bin/sh\n# {}\n{script}\n", dir.display())).unwrap();
        std::os::unix::fs::PermissionsExt::set_mode(&mut std::fs::metadata(&exe).unwrap().permissions(), 0o755);
        std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let started = std::time::Instant::now();
        let run = run_job(&mpi, &exe, &names(&["task_01", "task_02"]), 2, (&dir, &dir), limit).unwrap();
        let took = started.elapsed();
        // Whatever the job started must be gone with it (the marker is in every rank's command line).
        std::thread::sleep(Duration::from_millis(300));
        let marker = dir.display().to_string();
        let survivors: Vec<String> = child::processes()
            .into_iter()
            .filter_map(|(pid, _, _)| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                cmdline.contains(&marker).then_some(format!("{pid}: {cmdline}"))
            })
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        Some((run, survivors, took))
    }

    #[test]
    fn a_panicking_rank_ends_the_job_and_is_named_with_the_rank() {
        // Rank 1 "panics" as the course's MPI harness prints it; rank 0 would wait forever.
        let script = r#"if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then
  printf 'rank 1 of 2 panicked at src/lib.rs:7:9:\nattempt to divide by zero\n' >&2; exit 101
fi
echo 'test task_01 ... ok'; printf 'test task_02 ... '; while :; do sleep 1; done"#;
        let Some((run, survivors, took)) = job("panic", script, Duration::from_secs(60)) else { return };
        let Run::Reported { passed, stopped: Some(stopped) } = run else { panic!("{run:?}") };
        assert_eq!((passed, stopped.test.as_str()), (names(&["task_01"]), "task_02"));
        assert_eq!(stopped.reason, "rank 1 of 2 panicked at src/lib.rs:7:9: attempt to divide by zero");
        assert!(took < Duration::from_secs(30), "the job ended when the rank did, not at the limit: {took:?}");
        assert!(survivors.is_empty(), "left running: {survivors:?}");
    }

    #[test]
    fn a_deadlocked_job_is_stopped_whole_and_said_to_be_waiting() {
        // Both ranks wait forever, each in a process group of its own (as Open MPI's ranks are).
        let script = r#"printf 'test task_01 ... '; while :; do sleep 1; done"#;
        let Some((run, survivors, took)) = job("deadlock", script, Duration::from_secs(3)) else { return };
        let Run::Reported { passed, stopped: Some(stopped) } = run else { panic!("{run:?}") };
        assert!(passed.is_empty() && stopped.test == "task_01", "{stopped:?}");
        assert!(stopped.reason.starts_with("the ranks were still waiting after 3 s"), "{}", stopped.reason);
        assert!(took < Duration::from_secs(15), "{took:?}");
        assert!(survivors.is_empty(), "no rank may survive the limit: {survivors:?}");
    }

    #[test]
    fn a_todo_is_read_as_a_task_not_done() {
        let tests = names(&["task_01"]);
        let ranks = [rank("rank 0 of 2 panicked at src/lib.rs:12:5:\nnot yet implemented\n")];
        let run = read_job(&tests, &Ending::Exited(101), "test task_01 ... ", &ranks, "");
        let Run::Reported { stopped: Some(s), .. } = run else { panic!("{run:?}") };
        assert_eq!(s.reason, "todo!() at src/lib.rs:12:5");
    }
}
