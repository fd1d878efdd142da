//! The report as the learner reads it: one line per step, the verdict line, the busy-machine note.

use super::model::{CheckReport, Problem, StageReport, Status, TestOutcome};
use crate::course::{Exercise, Start};
use crate::term;
use crate::text::{faster_or_slower, percent, two_digits};
use grading::protocol::{StageResult, Verdict};
use grading::roofline::Roof;
use grading::timeit::format_seconds;

/// The one-line verdict: `correct ✔ · evolve 42% of the solution's gain (3.1×), target 50% ✘`.
pub fn verdict_line(r: &CheckReport) -> String {
    let mut parts = vec![match (r.status, &r.tests, r.problem) {
        (Status::Tampered, _, _) => format!("course files modified {}", term::mark(false)),
        (Status::NotCompiled, _, _) => format!("compiles {}", term::mark(false)),
        (Status::Wrong, _, Some(p)) if p != Problem::WrongResults => format!("{} {}", p.describe(), term::mark(false)),
        (Status::Wrong, Some(t), _) if t.failed > 0 => {
            format!("tests {}/{} {}", t.passed, t.passed + t.failed, term::mark(false))
        }
        (Status::Wrong, _, Some(p)) => format!("{} {}", p.describe(), term::mark(false)),
        (Status::Wrong, _, None) => format!("correct {}", term::mark(false)),
        _ => format!("correct {}", term::mark(true)),
    }];
    for s in &r.stages {
        let optional = if s.optional { " (optional)" } else { "" };
        let tier = if s.max_points() > 1 { format!(" tier {}/{}", s.earned(), s.max_points()) } else { String::new() };
        parts.push(match &s.result {
            Some(res) if res.verdict == Verdict::Ungradable => format!("{} not gradable here{optional} –", s.name),
            Some(res) => format!(
                "{} {} of the solution's gain ({}×), target {}{optional} {}{tier}",
                s.name,
                percent(res.share),
                two_digits(res.speedup),
                percent(s.target),
                term::mark(res.verdict == Verdict::Met)
            ),
            None => format!("{} not measured{optional}", s.name),
        });
    }
    parts.join(" · ")
}

/// The full human report: steps, figures, details.
pub fn render(r: &CheckReport, ex: &Exercise) -> String {
    let side = if r.solution { "solutions" } else { "exercises" };
    let mut out = format!(
        "{} · {} {}\n",
        term::paint(term::BOLD, &r.exercise),
        ex.title,
        term::paint(term::DIM, format!("({side}/{})", ex.dir))
    );
    if r.status == Status::NotCompiled {
        out += &format!("  {} compiles\n", term::mark(false));
    }
    if let Some(t) = &r.tests {
        // No test ran: nothing was shown to work, so no tick.
        let ok = t.failed == 0 && t.passed > 0;
        let ignored = if t.ignored > 0 { format!(", {} ignored", t.ignored) } else { String::new() };
        out += &format!("  {} compiles\n", term::mark(true));
        if ex.start == Start::Todo {
            let mut tasks: Vec<&TestOutcome> = t.tests.iter().collect();
            tasks.sort_by(|a, b| a.name.cmp(&b.name)); // libtest reports in completion order
            let width = tasks.iter().map(|t| t.name.len()).max().unwrap_or(0);
            for test in tasks {
                let reason = test.reason.as_deref().map(|r| term::paint(term::DIM, r)).unwrap_or_default();
                out += &format!("  {} {:<width$}  {reason}\n", term::mark(test.passed), test.name);
            }
            out += &format!("  {} tasks: {}/{} done{ignored}\n", term::mark(ok), t.passed, t.passed + t.failed);
        } else {
            out += &format!("  {} tests: {} passed, {} failed{ignored}\n", term::mark(ok), t.passed, t.failed);
        }
    }
    for s in &r.stages {
        let Some(res) = &s.result else { continue };
        let optional = if s.optional { " (optional)" } else { "" };
        let per = |seconds: f64| match &res.work {
            Some(w) => format!("{} per {}", format_seconds(seconds / w.per_call), w.unit),
            None => format!("{} per call", format_seconds(seconds)),
        };
        if res.verdict == Verdict::Ungradable {
            out += &format!(
                "  – {}{optional}: not gradable on this machine now: the course's solution ran only {}× faster than \
                 {} here (a share of its gain means something from {}× on). {}\n",
                s.name,
                two_digits(res.solution_speedup),
                if ex.gpu { "the CPU baseline" } else { "the starting code" },
                two_digits(ex.stages.iter().find(|x| x.name == s.name).map_or(res.solution_speedup, |x| {
                    x.least_solution_speedup(r.protocol.as_ref().unwrap_or(&grading::protocol::Protocol::default()))
                })),
                if ex.stages.iter().any(|x| x.name == s.name && x.multi_threaded) {
                    "This stage runs on several threads: another program is using a core. Check again when the \
                     machine is idle."
                } else if ex.gpu {
                    "This GPU is not faster than one CPU core on this work: the stage cannot tell good GPU code \
                     from bad here."
                } else {
                    "Another program may be slowing the machine: check again when it is idle."
                }
            );
            out += &format!(
                "      yours {} the baseline · baseline {} · yours {} · the solution's {}\n",
                faster_or_slower(res.speedup),
                per(res.baseline_seconds),
                per(res.candidate_seconds),
                per(res.solution_seconds)
            );
            continue;
        }
        let tier = s.tier_text().map(|t| format!(" · {t}")).unwrap_or_default();
        out += &format!(
            "  {} {}{optional}: {} of the course solution's gain, target {}{tier}  {}\n",
            term::mark(res.verdict == Verdict::Met),
            s.name,
            percent(res.share),
            percent(s.target),
            term::paint(
                term::DIM,
                format!(
                    "(95% interval {} to {}, {} rounds)",
                    percent(res.share_interval[0]),
                    percent(res.share_interval[1]),
                    res.pairs
                )
            ),
        );
        out += &format!(
            "      {} the starting code; the course's solution reaches {}× here (the target stands for \
             {}× on this machine)\n",
            faster_or_slower(res.speedup),
            two_digits(res.solution_speedup),
            two_digits(res.target_speedup())
        );
        out += &format!(
            "      baseline {} · yours {} · the solution's {}\n",
            per(res.baseline_seconds),
            per(res.candidate_seconds),
            per(res.solution_seconds)
        );
        if let Some(line) = roofline_line(s, res) {
            out += &line;
        }
        if let Some(note) = cores_note(s) {
            out += &note;
        }
        let narrow = ex.stages.iter().any(|x| x.name == s.name && x.narrow_margin.is_some());
        if !res.conclusive && narrow && res.share >= res.target {
            out += &format!(
                "      {} the median is on the target's side, but after {} rounds the interval still reaches below \
                 it. This stage's starting code sits close to its target, so only a sure verdict meets it: go \
                 clearly past the target (or close other programs and check again).\n",
                term::paint(term::WARN, "not sure:"),
                res.pairs
            );
        } else if !res.conclusive {
            out += &format!(
                "      {} the machine was too noisy to be sure at the time limit; the verdict uses the median. Close other programs and check again.\n",
                term::paint(term::WARN, "noisy machine:")
            );
        }
    }
    if !r.tampered.is_empty() {
        out += &format!(
            "\n{} files the grader trusts differ from the sealed course (integrity.toml), so this verdict does not count:\n",
            term::paint(term::BAD, "integrity:")
        );
        for file in &r.tampered {
            out += &format!("  {file}\n");
        }
        out += "Restore them with `git checkout <trusted ref> -- <files>` (the course commit you started from, e.g. `upstream/main`) and check again.\n";
    }
    if let Some(details) = &r.details {
        out += "\n";
        out += details.trim_end();
        out += "\n";
    }
    if let Some(output) = &r.output {
        out += "\n";
        out += output.trim_end();
        out += "\n";
    }
    if let Some(missing) = r.sandbox.as_ref().map(|l| l.missing()).filter(|m| !m.is_empty()) {
        out += &format!(
            "\n{} your code ran in a weaker sandbox than the course's; missing here: {}.\n",
            term::paint(term::WARN, "sandbox:"),
            missing.join("; ")
        );
    }
    if let Some(gpu) = &r.gpu {
        let what = if gpu.cpu_only {
            "software on the CPU: results are checked as on any GPU, timings are a CPU's"
        } else {
            "a GPU's driver, or several"
        };
        out += &format!("\n{} {}; {what}\n", term::paint(term::BOLD, "GPU drivers:"), gpu.drivers);
        if !gpu.untimed.is_empty() {
            out += &format!(
                "{} {} not timed: on a CPU's driver there is no GPU verdict (it is timed where a GPU is: \
                 `cargo xtask check` on a machine with one)\n",
                term::paint(term::WARN, "no GPU:"),
                gpu.untimed.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
            );
        }
    }
    out += &format!("\n{}\n", verdict_line(r));
    out
}

/// How close the stage came to this machine's limit, or why no limit applies.
fn roofline_line(s: &StageReport, res: &StageResult) -> Option<String> {
    if let Some(roof) = &s.roofline {
        let close = if roof.fraction >= 0.8 { " (at the limit: little is left to gain)" } else { "" };
        return Some(format!("      {} {}{close}\n", term::paint(term::DIM, "roofline:"), roof.describe()));
    }
    match res.work.as_ref()?.roof.as_ref()? {
        Roof::Unbounded { why } => Some(format!(
            "      {} {}\n",
            term::paint(term::DIM, "roofline:"),
            term::paint(term::DIM, format!("none applies: {why}"))
        )),
        _ => None,
    }
}

/// Below this two-thread scaling a second core was not free while grading.
const BUSY_SCALING: f64 = 1.6;

/// Below this many cores kept busy on average, the candidate's code ran on one thread.
const ONE_CORE: f64 = 1.3;

/// Why a multi-threaded stage missed, when the grader saw it happen: the learner's code kept
/// one core busy (it runs on one thread: there is nothing a free core could add), or another
/// program held the second core before and after the timing (the code cannot show what it
/// would do on two now, and the learner should not rewrite correct code). Nothing for a serial
/// stage, a met one, or a miss neither explains.
fn cores_note(s: &StageReport) -> Option<String> {
    let cores = s.cores.as_ref().filter(|_| s.missed())?;
    if let Some(used) = cores.candidate.filter(|&used| used < ONE_CORE) {
        return Some(format!(
            "      {} your code kept {used:.1} cores busy on average while it was timed: it runs on one thread, \
             and this stage is reached by spreading the work over threads.\n",
            term::paint(term::WARN, "one core:"),
        ));
    }
    let scaling = cores.two_thread_scaling.filter(|&x| x < BUSY_SCALING)?;
    Some(format!(
        "      {} two threads ran only {}× faster than one while this stage was graded: another program is \
         using a core, so a multi-threaded stage cannot reach its target now. Check again when the machine is idle.\n",
        term::paint(term::WARN, "busy machine:"),
        two_digits(scaling)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{StageReport, TestSummary, strip_ansi};
    use crate::child::Ending;
    use crate::course::Side;
    use crate::judge;
    use grading::protocol::StageResult;
    use std::path::Path;

    #[test]
    fn a_slowdown_is_said_as_one() {
        assert_eq!(faster_or_slower(2.5), "2.5× faster than");
        assert_eq!(faster_or_slower(1.0), "1× faster than");
        assert_eq!(faster_or_slower(1.0 / 3.0), "3× slower than");
        assert_eq!(faster_or_slower(0.8), "1.25× slower than");
    }

    #[test]
    fn a_crash_while_timed_is_labelled_as_such() {
        let ex = crate::course::Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let ex = ex.find("profiling-heat").unwrap().clone();
        let mut report = CheckReport::new(&ex, Side::Exercise);
        report.status = Status::Wrong;
        report.tests = Some(TestSummary { passed: 3, ..TestSummary::default() });
        let failure =
            judge::Failure::Crashed { ending: Ending::Signalled(11), while_timing: true, output: String::new() };
        report.problem = Some(Problem::of(&failure));
        assert!(verdict_line(&report).starts_with("crashed while being timed"), "{}", verdict_line(&report));
        assert_eq!(report.state(), "crashed while being timed");
        let wrong = judge::Failure::Wrong { message: String::new(), while_timing: true };
        report.problem = Some(Problem::of(&wrong));
        assert!(verdict_line(&report).starts_with("results changed while being timed"));
        report.problem = None;
        assert!(verdict_line(&report).starts_with("correct"));
    }

    #[test]
    fn no_tick_when_no_test_ran() {
        let course = crate::course::Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let ex = course.find("profiling-heat").unwrap();
        let mut report = CheckReport::new(ex, Side::Exercise);
        report.tests = Some(TestSummary::default());
        let text = strip_ansi(&render(&report, ex));
        assert!(text.contains("✘ tests: 0 passed, 0 failed"), "{text}");
        report.tests = Some(TestSummary { passed: 3, ..TestSummary::default() });
        let text = strip_ansi(&render(&report, ex));
        assert!(text.contains("✔ tests: 3 passed, 0 failed"), "{text}");
    }

    #[test]
    fn a_missed_threaded_stage_says_whether_the_code_or_the_machine_held_it_back() {
        use crate::judge::CoreUse;
        // The solution 1.7× here: a parallel stage two cores bound.
        let stage = |speedup: f64, cores: Option<CoreUse>| StageReport {
            name: "parallel".into(),
            target: 0.5,
            optional: true,
            result: Some(StageResult::steady("parallel", 0.5, speedup, 1.7)),
            roofline: None,
            tiers: vec![0.5],
            points: 0,
            next_tier: None,
            cores,
        };
        let used =
            |candidate: Option<f64>, scaling: Option<f64>| Some(CoreUse { candidate, two_thread_scaling: scaling });
        let note = |speedup, cores| cores_note(&stage(speedup, cores)).map(|n| strip_ansi(&n));
        let busy = note(1.05, used(Some(1.9), Some(1.2))).unwrap();
        assert!(busy.contains("busy machine: two threads ran only 1.2× faster than one"), "{busy}");
        let serial = note(1.05, used(Some(1.0), Some(1.2))).unwrap();
        assert!(serial.contains("one core: your code kept 1.0 cores busy"), "serial code: no busy excuse: {serial}");
        assert_eq!(note(1.05, used(Some(1.9), Some(1.95))), None, "an idle core: the code is slow");
        assert_eq!(note(1.9, used(Some(1.0), Some(1.2))), None, "nothing missed, nothing to explain");
        assert_eq!(note(1.05, None), None, "a serial stage: nothing measured, nothing said");
        // An MPI job: its ranks' CPU is not read, the probe alone speaks.
        assert!(note(1.05, used(None, Some(1.1))).is_some_and(|n| n.contains("busy machine")));
        assert_eq!(note(1.05, used(None, Some(1.9))), None);
    }

    #[test]
    fn a_verdict_names_the_share_the_speedups_and_what_the_target_stands_for_here() {
        let course = crate::course::Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let ex = course.find("heat-fast").unwrap();
        let mut report = CheckReport::new(ex, Side::Exercise);
        report.status = Status::Slow;
        report.tests = Some(TestSummary { passed: 3, ..TestSummary::default() });
        // serial: 2× of a 4× solution, half-way; parallel: the solution 1.05× (one free core).
        report.stages[0].result = Some(StageResult::steady("serial", 0.5, 2.0, 4.0));
        report.stages[1].result = Some(StageResult::steady("parallel", 0.5, 1.02, 1.05));
        let text = strip_ansi(&render(&report, ex));
        assert!(text.contains("✔ serial: 50% of the course solution's gain, target 50%"), "{text}");
        assert!(text.contains("2× faster than the starting code; the course's solution reaches 4× here"), "{text}");
        assert!(text.contains("the target stands for 2× on this machine"), "{text}");
        assert!(text.contains("– parallel (optional): not gradable on this machine now"), "{text}");
        assert!(text.contains("ran only 1.05× faster than the starting code"), "{text}");
        assert!(text.contains("another program is using a core"), "a multi-threaded stage: {text}");
        let line = strip_ansi(&verdict_line(&report));
        assert!(line.contains("serial 50% of the solution's gain (2×), target 50% ✔"), "{line}");
        assert!(line.contains("parallel not gradable here (optional)"), "{line}");
        assert!(!line.contains("parallel 2%"), "an ungradable stage shows no share: {line}");
    }

    #[test]
    fn shares_print_as_whole_percents() {
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(1.234), "123%");
        assert_eq!(percent(-0.004), "0%", "no minus zero");
        assert_eq!(percent(-0.25), "-25%");
        assert_eq!(percent(f64::NAN), "–");
    }

    #[test]
    fn speedups_print_with_sensible_digits() {
        assert_eq!(two_digits(12.27), "12");
        assert_eq!(two_digits(1.034), "1.03");
        assert_eq!(two_digits(5.0), "5");
        assert_eq!(two_digits(2.5), "2.5");
    }
}
