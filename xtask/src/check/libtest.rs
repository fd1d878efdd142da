//! The course's test binaries: run with limits, never coloured, and their libtest output read.
//! A learner's test binary links the learner's code, so its output is held to the list of tests
//! the course expects (read from the solution's twin binaries) before any of it is believed.

use super::model::{CheckReport, Problem, STILL_RUNNING, TestOutcome, TestSummary};
use crate::child::{self, Ending, Limits};
use crate::course::{Exercise, Start};
use crate::sandbox::{Confinement, Scratch};
use crate::term::StatusLine;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The course's test binaries (an exercise's sealed `tests/*.rs`, not its library's unit tests)
/// by target name, each with the names of the tests it must report.
pub(super) type Expected = Vec<(String, Vec<String>)>;

/// Limit for one correctness test binary (release build; the course's suites take seconds).
/// Longer than libtest's own 60 s, after which it names each test still running.
const TEST_LIMIT: Duration = Duration::from_secs(70);

/// When libtest says a test has been running long (`test NAME has been running for over 60
/// seconds`).
const LIBTEST_WARNS_AFTER: u64 = 60;

/// What keeps a test of the course running for ever, in its likely order.
const WHY_A_TEST_HANGS: &str = "A test that never ends is nearly always waiting: on a channel some of whose \
     `Sender`s are still alive (`for x in rx` and `recv()` end only when every sender, your own copy \
     included, is dropped: `drop(tx)`), on the `join` of a thread that itself waits for you, on a lock \
     held across that wait, or in a loop whose condition never changes.";

/// `--list --format terse` of each of the course's test binaries among `binaries` (course code).
pub(super) fn list_course_tests(binaries: &[(String, PathBuf)]) -> Result<Expected> {
    let mut expected = Vec::new();
    for (name, exe) in binaries.iter().filter(|(name, _)| name != UNIT_TESTS) {
        let mut cmd = Command::new(exe);
        cmd.args(["--list", "--format", "terse"]);
        let finished = child::run(&mut cmd, TEST_LIMIT, |_| false)?;
        if !finished.ending.success() {
            bail!(
                "listing the course's tests in `{name}` ({}) failed: it {}\n{}",
                exe.display(),
                finished.ending.describe(),
                tail(&finished.stderr, 20)
            );
        }
        expected.push((name.clone(), listed_tests(&finished.stdout)));
    }
    Ok(expected)
}

/// The name cargo's JSON gives a library's unit-test binary (see `cargo::build_tests`): the
/// learner's own tests, if any, not the course's.
const UNIT_TESTS: &str = "unit tests";

/// Test names in libtest's `--list --format terse` output (`name: test`, one a line).
fn listed_tests(stdout: &str) -> Vec<String> {
    stdout.lines().filter_map(|l| l.strip_suffix(": test")).map(str::to_string).collect()
}

/// Runs every test binary and fills `report.tests` (and `details` and `problem` when something
/// is off). True when every test passed and every course binary's output matched its list.
///
/// The course's binaries are held to their lists: each expected test reported exactly once, as
/// `ok`, `FAILED` or `ignored`, and nothing else. Anything else (a test missing because the run
/// ended early, one reported twice, a name that is not a course test) and the binary's output
/// is not trusted: all its tests count as failed and the status is `wrong`. The learner's own
/// unit tests run too; their failures count, their passes prove nothing and are not needed.
pub(super) fn run_tests(
    root: &Path,
    ex: &Exercise,
    package: &str,
    binaries: &[(String, PathBuf)],
    expected: &Expected,
    status: &mut StatusLine,
    report: &mut CheckReport,
) -> Result<bool> {
    let mut tests = TestSummary::default();
    if let Some((name, _)) = expected.iter().find(|(n, _)| !binaries.iter().any(|(b, _)| b == n)) {
        report.problem = Some(Problem::TestsNotTrusted);
        report.details = Some(format!(
            "The course's tests in `{name}` were not built for {package}, so they could not run. Is its \
             `tests/{name}.rs` or its Cargo.toml changed?"
        ));
        report.tests = Some(tests);
        return Ok(false);
    }
    let scratch = Scratch::new(&root.join("target"), "tests")?;
    for (name, exe) in binaries {
        status.phase(&format!("testing {package}: {name}…"));
        let mut cmd = test_command(exe, &Confinement::program(&scratch.0, root, exe).with_gpu(ex.gpu))?;
        let finished = child::run(&mut cmd, TEST_LIMIT, |_| false)?;
        let reported = result_lines(&finished.stdout);
        let counts = count_tests(&finished.stdout);
        if !finished.ending.success() && !matches!(finished.ending, Ending::Exited(101) if counts.failed > 0) {
            // Not a test failure: the test binary itself crashed or hung. The tests that did
            // not report stay on the list, each with what became of it.
            let listed = expected.iter().find(|(n, _)| n == name).map_or(&[][..], |(_, names)| &names[..]);
            let stopped = stopped_tests(listed, &reported, &finished.stdout, &finished.ending);
            let running: Vec<String> =
                stopped.iter().filter(|t| t.still_running()).map(|t| format!("`{}`", t.name)).collect();
            report.problem = Some(Problem::TestsCrashed);
            report.details = Some(if running.is_empty() {
                format!("the tests in `{name}` {}", finished.ending.describe())
            } else {
                format!(
                    "the tests in `{name}` did not finish within {} s and were stopped: {} {} still running after {LIBTEST_WARNS_AFTER} s.\n{WHY_A_TEST_HANGS}",
                    TEST_LIMIT.as_secs(),
                    names(&running),
                    if running.len() == 1 { "was" } else { "were" },
                )
            });
            report.add_output(&tail(&finished.stderr, 20));
            add(&mut tests, counts);
            add(&mut tests, TestSummary { failed: stopped.len(), tests: stopped, ..TestSummary::default() });
            report.tests = Some(tests);
            return Ok(false);
        }
        if let Some((_, names)) = expected.iter().find(|(n, _)| n == name) {
            let mut mismatch = mismatches(names, &reported);
            if finished.ending.success() && counts.failed > 0 {
                mismatch.push("failed tests reported by a run that ended as successful".into());
            }
            if !mismatch.is_empty() {
                report.problem = Some(Problem::TestsNotTrusted);
                report.details = Some(format!(
                    "The test output of `{name}` does not match the course's tests: {}. The test run {}, so none \
                     of its results are believed and its {} tests count as failed. Does your code end the process \
                     (`std::process::exit`), or print lines that look like test results?",
                    mismatch.join("; "),
                    finished.ending.describe(),
                    names.len()
                ));
                let unknown = unknown_names(names, &reported);
                if !unknown.is_empty() {
                    report.add_output(&format!("reported, not the course's tests: {}", unknown.join(", ")));
                }
                add(
                    &mut tests,
                    TestSummary {
                        failed: names.len(),
                        tests: names
                            .iter()
                            .map(|n| TestOutcome {
                                name: n.clone(),
                                passed: false,
                                reason: Some(
                                    "result not trusted: the test output did not match the course's tests".into(),
                                ),
                            })
                            .collect(),
                        ..TestSummary::default()
                    },
                );
                report.tests = Some(tests);
                return Ok(false);
            }
        }
        let failed = counts.failed;
        add(&mut tests, counts);
        if failed > 0
            && let Some(text) = failure_details(&finished.stdout, ex.start, &tests.tests)
        {
            report.add_output(&text);
        }
    }
    let passed = tests.failed == 0;
    report.tests = Some(tests);
    Ok(passed)
}

/// A course test binary as the runner starts it, limited and confined. Never coloured: the
/// runner reads its output and paints its own lines; colour codes (and the `\x0f` that tmux's
/// and screen's terminal settings add after them) could only be stripped, and once were not.
fn test_command(exe: &Path, confinement: &Confinement) -> Result<Command> {
    let mut cmd = Command::new(exe);
    cmd.env("RUST_BACKTRACE", "0").args(["--color", "never"]);
    Limits::for_learner_code(TEST_LIMIT).apply(&mut cmd);
    crate::sandbox::confine(&mut cmd, confinement)?;
    Ok(cmd)
}

fn add(total: &mut TestSummary, more: TestSummary) {
    total.passed += more.passed;
    total.failed += more.failed;
    total.ignored += more.ignored;
    total.tests.extend(more.tests);
}

/// The failures to show, escape sequences inert (the captured output is the learner's). With a
/// task list, the first unfinished task that is more than a `todo!()` is the one being worked
/// on: shown in full, the others are one line each in the list.
fn failure_details(stdout: &str, start: Start, outcomes: &[TestOutcome]) -> Option<String> {
    let sections = failure_sections(stdout);
    let focus = if start == Start::Todo {
        sections.iter().find(|(n, _)| !outcomes.iter().any(|t| &t.name == n && is_todo(t))).into_iter().collect()
    } else {
        sections.iter().collect::<Vec<_>>()
    };
    let text: String =
        focus.iter().map(|(n, body)| format!("---- {}\n{}", crate::text::inert(n), crate::text::inert(body))).collect();
    (!text.is_empty()).then_some(text)
}

/// The tests of `expected` that did not report when their binary ended as `ending`: still
/// running (libtest said so), or not run.
fn stopped_tests(
    expected: &[String],
    reported: &[(String, Outcome)],
    stdout: &str,
    ending: &Ending,
) -> Vec<TestOutcome> {
    let running_long = |name: &str| {
        stdout.lines().map(strip_ansi).any(|l| {
            l.strip_prefix("test ").and_then(|rest| {
                rest.strip_suffix(&format!(" has been running for over {LIBTEST_WARNS_AFTER} seconds"))
            }) == Some(name)
        })
    };
    expected
        .iter()
        .filter(|name| !reported.iter().any(|(n, _)| n == *name))
        .map(|name| {
            let reason = if running_long(name) {
                format!("{STILL_RUNNING} {LIBTEST_WARNS_AFTER} s, and stopped")
            } else {
                format!("did not report: the tests {} before it ended", ending.describe())
            };
            TestOutcome { name: name.clone(), passed: false, reason: Some(reason) }
        })
        .collect()
}

/// How `reported` differs from the `expected` names, in plain words (empty when it matches).
///
/// A name that is not the course's is learner text: it is counted here, never quoted (see
/// [`unknown_names`]).
fn mismatches(expected: &[String], reported: &[(String, Outcome)]) -> Vec<String> {
    let times = |name: &str| reported.iter().filter(|(n, _)| n == name).count();
    let mut twice = Vec::new();
    let mut unknown = 0;
    for (k, (name, _)) in reported.iter().enumerate() {
        if reported[..k].iter().any(|(n, _)| n == name) {
            continue;
        }
        if !expected.contains(name) {
            unknown += 1;
        } else if times(name) > 1 {
            twice.push(format!("`{}` ({} times)", crate::text::inert(name), times(name)));
        }
    }
    let missing: Vec<String> =
        expected.iter().filter(|n| times(n) == 0).map(|n| format!("`{}`", crate::text::inert(n))).collect();
    let mut out = Vec::new();
    if !twice.is_empty() {
        out.push(format!("{} reported more than once", names(&twice)));
    }
    if !missing.is_empty() {
        out.push(format!("{} never reported", names(&missing)));
    }
    match unknown {
        0 => {}
        1 => out.push("1 name reported that is not the course's tests".into()),
        n => out.push(format!("{n} names reported that are not the course's tests")),
    }
    out
}

/// The names reported that are not the course's tests, quoted inert: learner output.
fn unknown_names(expected: &[String], reported: &[(String, Outcome)]) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    for (name, _) in reported {
        let quoted = format!("`{}`", crate::text::inert(name));
        if !expected.contains(name) && !unknown.contains(&quoted) {
            unknown.push(quoted);
        }
    }
    unknown
}

/// `a`, `b`, `c` and 4 more.
pub(super) fn names(list: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown = list[..list.len().min(SHOWN)].join(", ");
    if list.len() > SHOWN { format!("{shown} and {} more", list.len() - SHOWN) } else { shown }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Ok,
    Failed,
    Ignored,
}

/// libtest's result lines, `test NAME ... ok|FAILED|ignored`, in order (ANSI colours and control
/// characters removed), up to its `failures:` section, which holds the tests' own output.
pub(super) fn result_lines(stdout: &str) -> Vec<(String, Outcome)> {
    let mut out = Vec::new();
    for line in stdout.lines().map(strip_ansi) {
        if line.trim_end() == "failures:" {
            break;
        }
        let Some(rest) = line.strip_prefix("test ") else { continue };
        let Some((name, outcome)) = rest.rsplit_once(" ... ") else { continue };
        let outcome = match outcome.trim() {
            "ok" => Outcome::Ok,
            "FAILED" => Outcome::Failed,
            o if o.starts_with("ignored") => Outcome::Ignored,
            _ => continue,
        };
        out.push((name.to_string(), outcome));
    }
    out
}

/// Reads libtest's result lines, and each failure's first line.
fn count_tests(stdout: &str) -> TestSummary {
    let sections = failure_sections(stdout);
    let mut summary = TestSummary::default();
    for (name, outcome) in result_lines(stdout) {
        let (passed, reason) = match outcome {
            Outcome::Ok => (true, None),
            Outcome::Failed => {
                let body = sections.iter().find(|(n, _)| *n == name).map_or("", |(_, b)| b.as_str());
                (false, Some(first_reason(body)))
            }
            Outcome::Ignored => {
                summary.ignored += 1;
                continue;
            }
        };
        if passed {
            summary.passed += 1
        } else {
            summary.failed += 1
        }
        summary.tests.push(TestOutcome { name, passed, reason });
    }
    summary
}

fn is_todo(t: &TestOutcome) -> bool {
    t.reason.as_deref().is_some_and(|r| r.starts_with("todo!()"))
}

/// The panic's location and message, in one line: `todo!() at src/lib.rs:48:5` for a `todo!()`.
/// The last panic of the section is the one that ended the test: after a panic caught inside
/// the course's checks, their own (which names the call) follows the library's.
fn first_reason(body: &str) -> String {
    let all: Vec<String> = body.lines().map(strip_ansi).collect();
    let last = all.iter().rposition(|l| l.contains(" panicked at ")).unwrap_or(all.len());
    let mut lines = all.into_iter().skip(last);
    let location =
        lines.next().and_then(|l| l.split(" panicked at ").nth(1).map(|r| r.trim_end_matches(':').to_string()));
    let message = lines.next().unwrap_or_default();
    match (location, message.trim()) {
        (Some(at), m) if m.starts_with("not yet implemented") => format!("todo!() at {at}"),
        (Some(at), "") => format!("panicked at {at}"),
        (_, m) => shorten(m, 160),
    }
}

/// libtest's `---- name stdout ----` sections: (test name, body cut to a readable length).
fn failure_sections(stdout: &str) -> Vec<(String, String)> {
    const LINES_PER_FAILURE: usize = 40;
    let mut out = Vec::new();
    for section in stdout.split("\n---- ").skip(1) {
        let section = section.split("\n\nfailures:").next().unwrap_or(section);
        let mut lines = section.lines();
        let title = lines.next().unwrap_or_default().trim_end_matches(" ----").trim_end_matches(" stdout").to_string();
        let body: Vec<&str> = lines.filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE")).collect();
        let mut text: String = body.iter().take(LINES_PER_FAILURE).map(|l| format!("{}\n", shorten(l, 300))).collect();
        if body.len() > LINES_PER_FAILURE {
            text += &format!("… {} more lines\n", body.len() - LINES_PER_FAILURE);
        }
        out.push((title, text));
    }
    out
}

fn shorten(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        line.to_string()
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

/// The last `n` lines of what a process printed, escape sequences shown inert (it may be
/// learner code's output).
pub(super) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    crate::text::inert(&lines[lines.len().saturating_sub(n)..].join("\n"))
}

/// `s` without terminal escape sequences (anstream's parser) and control characters (tabs and
/// newlines kept), such as the `SI` (`\x0f`) some terminals' colour resets are followed by in
/// libtest's output, or a carriage return that would overwrite a line.
pub fn strip_ansi(s: &str) -> String {
    let printable = anstream::adapter::strip_str(s).to_string();
    printable.chars().filter(|&c| !c.is_control() || c == '\n' || c == '\t').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_libtest_outcomes() {
        let out = "running 3 tests\ntest a ... ok\ntest b::c ... FAILED\ntest d ... ignored, slow\ntest e ... \x1b[32mok\x1b[0m\n";
        let t = count_tests(out);
        assert_eq!((t.passed, t.failed, t.ignored), (2, 1, 1));
        let failed: Vec<&str> = t.tests.iter().filter(|t| !t.passed).map(|t| t.name.as_str()).collect();
        assert_eq!(failed, vec!["b::c"]);
    }

    #[test]
    fn strips_colours_and_control_characters() {
        // tmux: libtest ends a colour with `ESC[m` followed by SI.
        assert_eq!(strip_ansi("\x1b[32mok\x1b[m\x0f"), "ok");
        assert_eq!(strip_ansi("\x1b[1;31mFAILED\x1b[0m\r"), "FAILED");
        assert_eq!(strip_ansi("a\x1b]0;title\x07b\x1b]8;;x\x1b\\c\x1b(Bd\x07\x08e\tf"), "abcde\tf");
        assert_eq!(strip_ansi("\x1b[2J\x1b[Hx"), "x");
        let out = "running 2 tests\ntest a ... \x1b[32mok\x1b[m\x0f\ntest b ... \x1b[31mFAILED\x1b[m\x0f\n";
        assert_eq!(result_lines(out), vec![("a".to_string(), Outcome::Ok), ("b".to_string(), Outcome::Failed)]);
    }

    fn names_of(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lists_the_tests_of_a_binary() {
        let out = "tasks::t01_zeros: test\ntasks::t02_range: test\nbenches::b: bench\n";
        assert_eq!(listed_tests(out), names_of(&["tasks::t01_zeros", "tasks::t02_range"]));
    }

    #[test]
    fn test_output_must_match_the_course_list_exactly() {
        let expected = names_of(&["a", "b", "c"]);
        let honest = "running 3 tests\ntest c ... ignored\ntest a ... ok\ntest b ... FAILED\n\nfailures:\n\n\
                      ---- b stdout ----\ntest a ... ok\ntest zz ... ok\n\nfailures:\n    b\n";
        assert_eq!(mismatches(&expected, &result_lines(honest)), Vec::<String>::new(), "captured output is no result");

        // `std::process::exit(0)` inside the first test: the others never report.
        let exited = "running 3 tests\n";
        assert_eq!(mismatches(&expected, &result_lines(exited)), vec!["`a`, `b`, `c` never reported"]);

        // Forged lines printed by a test: a second `a`, and a test the course does not have.
        let forged = "running 3 tests\ntest a ... ok\ntest a ... FAILED\ntest b ... ok\ntest c ... ok\ntest x ... ok\n";
        assert_eq!(
            mismatches(&expected, &result_lines(forged)),
            vec!["`a` (2 times) reported more than once", "1 name reported that is not the course's tests"]
        );
        // The name itself is learner text: only in the output (its escapes already stripped).
        let forged = format!("{forged}test \x1b]0;x\x07secret ... ok\n");
        assert_eq!(unknown_names(&expected, &result_lines(&forged)), ["`x`", "`secret`"]);

        let many = names_of(&["a", "b", "c", "d", "e"]);
        assert_eq!(mismatches(&many, &[]), vec!["`a`, `b`, `c` and 2 more never reported"]);
    }

    #[test]
    fn learner_output_in_details_is_inert() {
        let out = "test x ... FAILED\n\nfailures:\n\n---- x stdout ----\n\x1b[2J\x1b]0;pwned\x07hello\n\
                   thread 'x' panicked at src/lib.rs:1:1:\n\x1b[31mboom\x1b[0m\n\nfailures:\n    x\n";
        let outcomes = count_tests(out).tests;
        assert_eq!(outcomes[0].reason.as_deref(), Some("boom"));
        let details = failure_details(out, Start::Slow, &outcomes).unwrap();
        assert!(!details.contains('\x1b') && !details.contains('\x07'), "{details:?}");
        assert!(details.contains("\\u{1b}[2J") && details.contains("hello"), "{details}");
        assert!(!tail("ok\n\x1b[31mred", 5).contains('\x1b'));
    }

    /// Not a test: the failing "course test" that the next test runs in a real libtest run of
    /// this binary.
    #[test]
    #[ignore = "run by test_results_read_the_same_under_tmux_terminal_settings"]
    fn a_course_test_that_fails() {
        assert_eq!(std::hint::black_box(1.0_f64 / 3.0), 0.3333, "after 5 steps, value (3, 41) differs");
    }

    #[test]
    fn test_results_read_the_same_under_tmux_terminal_settings() {
        let exe = std::env::current_exe().unwrap();
        let mut read = Vec::new();
        for term in ["tmux-256color", "screen", "xterm-256color", "dumb"] {
            let scratch = Scratch::new(&std::env::temp_dir(), "libtest-tmux").unwrap();
            let mut cmd = test_command(&exe, &Confinement::program(&scratch.0, &scratch.0, &exe)).unwrap();
            cmd.env("TERM", term).env("CLICOLOR_FORCE", "1").args(["--ignored", "--exact"]);
            cmd.arg("check::libtest::tests::a_course_test_that_fails");
            let finished = child::run(&mut cmd, Duration::from_secs(60), |_| false).unwrap();
            assert_eq!(finished.ending, Ending::Exited(101), "{term}: {}", finished.stderr);
            assert!(!finished.stdout.contains('\x1b') && !finished.stdout.contains('\x0f'), "{term}");
            let counts = count_tests(&finished.stdout);
            assert_eq!((counts.passed, counts.failed), (0, 1), "{term}: {}", finished.stdout);
            let details = failure_details(&finished.stdout, Start::Slow, &counts.tests).unwrap();
            assert!(details.contains("after 5 steps, value (3, 41) differs"), "{term}: {details}");
            // The same but for the thread's id.
            let details: String = details.chars().filter(|c| !c.is_ascii_digit()).collect();
            read.push((counts.tests[0].reason.clone(), details));
        }
        assert!(read.windows(2).all(|w| w[0] == w[1]), "{read:#?}");
    }

    #[test]
    fn a_test_that_hung_is_named_and_no_test_disappears() {
        let stdout = "running 3 tests\ntest tests::task_01_scoped_threads ... ok\n\
                      test tests::task_03_queue has been running for over 60 seconds\n";
        let reported = result_lines(stdout);
        let expected =
            names_of(&["tests::task_01_scoped_threads", "tests::task_03_queue", "tests::task_04_shared_state"]);
        let stopped = stopped_tests(&expected, &reported, stdout, &Ending::TimedOut(TEST_LIMIT));
        let names: Vec<&str> = stopped.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["tests::task_03_queue", "tests::task_04_shared_state"]);
        assert!(stopped[0].still_running(), "{:?}", stopped[0]);
        assert!(!stopped[1].still_running() && stopped[1].reason.as_deref().unwrap().contains("did not report"));
        // The hung one comes first among what went wrong: its hint is the one shown.
        let course = crate::course::Course::load(&crate::root()).unwrap();
        let mut report = CheckReport::new(course.find("threads").unwrap(), crate::course::Side::Exercise);
        let mut tests = TestSummary::default();
        tests.tests.push(TestOutcome {
            name: "tests::task_02_pool".into(),
            passed: false,
            reason: Some("todo!()".into()),
        });
        tests.tests.extend(stopped);
        report.tests = Some(tests);
        assert_eq!(report.failed_names()[0], "task_03_queue");
    }

    #[test]
    fn extracts_failure_sections() {
        let out = "test x ... FAILED\n\nfailures:\n\n---- x stdout ----\n\nthread 'x' panicked at src/lib.rs:1:1:\nafter 5 steps …\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\nfailures:\n    x\n\ntest result: FAILED.";
        let sections = failure_sections(out);
        assert_eq!(sections.len(), 1);
        let (name, text) = &sections[0];
        assert_eq!(name, "x");
        assert!(text.contains("after 5 steps"), "{text}");
        assert!(!text.contains("RUST_BACKTRACE") && !text.contains("test result"), "{text}");
        assert_eq!(count_tests(out).tests[0].reason.as_deref(), Some("after 5 steps …"));
    }

    #[test]
    fn the_reason_is_the_panic_that_ended_the_test() {
        let body = "\nthread 't' panicked at ndarray/src/linspace.rs:111:5:\nassertion failed: start <= axis_len\n\
                    thread 't' panicked at shared/harness/src/arrays/checks.rs:40:13:\nlinspace(0.0, 1.0, 0) panicked: \
                    assertion failed: start <= axis_len\n";
        assert_eq!(first_reason(body), "linspace(0.0, 1.0, 0) panicked: assertion failed: start <= axis_len");
    }

    #[test]
    fn todo_panics_read_as_todo() {
        let body = "\nthread 't' (12) panicked at exercises/02-array-basics/src/lib.rs:48:5:\nnot yet implemented\n";
        assert_eq!(first_reason(body), "todo!() at exercises/02-array-basics/src/lib.rs:48:5");
    }
}
