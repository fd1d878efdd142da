//! `figures`: the course's measured figures, regenerated so they can be kept true.
//!
//! Every solution, every untouched exercise and every ladder rung (`course.toml`'s `ladder`,
//! graded as the exercise's `src/lib.rs` in a copy of the committed course) is graded `runs`
//! times by the grader itself, interleaved. Each target (a share of the solution's gain, see
//! `grading::protocol`) is then held to the course's rule: the solution reaches the top tier in
//! every run, and the untouched exercise's *highest* share stays [`MARGIN`] below the target
//! ([`NARROW_MARGIN`] for a stage with a stated `narrow_margin`). The speedups themselves are
//! this machine's example figures: another machine gives other speedups, and the same shares.
//! The results go where the lessons show them: between `<!-- figures:begin -->` and `<!-- figures:end -->` in each lesson, the
//! `compare` table between `<!-- figures:begin compare -->` and the end marker in [`COMPARISON_PAGE`],
//! and every number in `docs/figures.json` (from which `--from` rewrites the blocks).

use crate::check::{self, CheckReport};
use crate::course::{Course, Exercise, Side, Stage};
use crate::dev::{compare, verify};
use crate::term;
use anyhow::{Context, Result, bail};
use grading::timeit::{format_seconds, median, spread};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

const BEGIN: &str = "<!-- figures:begin";
const END: &str = "<!-- figures:end -->";
/// Where ladder rungs are graded: a copy of the course at `HEAD`.
const SCRATCH: &str = "target/figures/course";
/// Every measured number, committed beside the lessons that quote them.
pub const DATA: &str = "docs/figures.json";
/// The course's rule: the untouched code's highest share at least this far below the target.
const MARGIN: f64 = 0.2;
/// The margin for a stage whose ceiling the hardware sets (`narrow_margin` in `course.toml`).
const NARROW_MARGIN: f64 = 0.1;

/// How far below its target the untouched code's highest share must stay.
fn margin(stage: &Stage) -> f64 {
    if stage.narrow_margin.is_some() { NARROW_MARGIN } else { MARGIN }
}

/// Every stage of every version measured, and where and when each exercise was.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Figures {
    /// By exercise name: a run with `only` re-measures some exercises and keeps the others'.
    pub measured: BTreeMap<String, Provenance>,
    pub rows: Vec<Row>,
}

/// Where and when an exercise's rows were measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub machine: String,
    pub rustc: String,
    pub date: String,
    pub commit: String,
    pub runs: usize,
}

impl Provenance {
    /// "Intel … (2 cores, linux), rustc 1.95.0 (…), 2026-11-27, 10 runs of the grader".
    fn describe(&self) -> String {
        format!("{}, {}, {}, {} runs of the grader", self.machine, self.rustc, self.date, self.runs)
    }
}

/// One stage of one version of one exercise, over every run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub exercise: String,
    /// "starting code", a ladder rung's name, or "solution".
    pub version: String,
    pub stage: String,
    /// The unit of work the times are per ("cell update"), when the stage names one.
    pub unit: Option<String>,
    pub speedups: Vec<f64>,
    /// The course solution's speedup measured in the same gradings, and this version's share of
    /// it (empty in figures measured before shares).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub solution_speedups: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<f64>,
    /// Seconds per unit of work (per call without a unit): the baseline's and this version's.
    pub baseline_seconds: Vec<f64>,
    pub seconds: Vec<f64>,
    /// This version's fraction of the machine's matching limit, per run, and that limit's
    /// name ("copy bandwidth"); empty for a stage no hardware limit applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roofline: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

const START: &str = "starting code";
const SOLUTION: &str = "solution";

/// `cargo xtask figures`: measures (or, with `from`, reads `docs/figures.json`) and rewrites the
/// lessons' figure blocks. Exits non-zero when a verdict was unexpected or a target breaks the rule.
pub fn figures(root: &Path, course: &Course, runs: usize, only: &[String], from: Option<&Path>) -> Result<ExitCode> {
    let exercises: Vec<&Exercise> = if only.is_empty() {
        course.exercises.iter().filter(|e| !e.stages.is_empty()).collect()
    } else {
        only.iter().map(|n| course.find(n)).collect::<Result<_>>()?
    };
    let (figures, unexpected) = match from {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            let figures: Figures =
                serde_json::from_str(&text).with_context(|| format!("{} is not a figures file", file.display()))?;
            (figures, 0)
        }
        None => {
            let (measured, unexpected) = measure(root, &exercises, runs)?;
            let mut figures = match std::fs::read_to_string(root.join(DATA)) {
                Ok(text) if !only.is_empty() => serde_json::from_str(&text)
                    .with_context(|| format!("{DATA} is not a figures file: measure every exercise to rewrite it"))?,
                _ => Figures::default(),
            };
            figures.merge(measured);
            let mut data = serde_json::to_string_pretty(&figures)?;
            data.push('\n');
            std::fs::write(root.join(DATA), data).with_context(|| format!("cannot write {DATA}"))?;
            (figures, unexpected)
        }
    };

    let (mut broken, mut unjudged) = (0, Vec::new());
    anstream::println!(
        "\n{}",
        term::paint(term::BOLD, "targets against the solution's lowest share and the starting code's highest")
    );
    for ex in &exercises {
        for stage in &ex.stages {
            let Some(rule) = Rule::judge(stage, &figures.rows_of(&ex.name, &stage.name)) else {
                unjudged.push(format!("{} · {}", ex.name, stage.name));
                continue;
            };
            broken += usize::from(!rule.ok);
            anstream::println!("  {} {:<16} {}", term::mark(rule.ok), ex.name, rule.describe(stage));
        }
        write_block(root, &ex.folder(Side::Exercise).join(&ex.lesson), None, &lesson_block(ex, &figures))?;
    }
    if from.is_none() && only.is_empty() {
        match compare::measure(root) {
            Ok(done) if done.python => {
                if let Some(chart) = &done.chart {
                    std::fs::copy(chart, root.join("docs/compare.png")).context("cannot copy the chart to docs/")?;
                }
                write_block(root, &root.join(COMPARISON_PAGE), Some("compare"), &compare_block(&done.table))?;
            }
            Ok(_) => anstream::eprintln!(
                "{} {COMPARISON_PAGE} was left as it was: the Python side did not run (see above)",
                term::paint(term::WARN, "warning:")
            ),
            Err(e) => anstream::eprintln!(
                "{} compare failed, {COMPARISON_PAGE} left as it was: {e:#}",
                term::paint(term::WARN, "warning:")
            ),
        }
    }
    if !unjudged.is_empty() {
        anstream::println!(
            "{} {} stages have no shares measured yet (figures from before the share measure), so their targets \
             were not held to the rule: {}. Run `cargo xtask figures` to measure them.",
            term::paint(term::WARN, "not judged:"),
            unjudged.len(),
            unjudged.join(", ")
        );
    }
    if unexpected + broken == 0 && unjudged.is_empty() {
        anstream::println!(
            "\n{} every verdict as expected, every target within the rule",
            term::paint(term::GOOD, "figures:")
        );
        Ok(ExitCode::SUCCESS)
    } else {
        anstream::println!(
            "\n{} {unexpected} unexpected verdicts, {broken} targets outside the rule",
            term::paint(term::BAD, "figures:")
        );
        Ok(ExitCode::FAILURE)
    }
}

/// Grades every version of every exercise `runs` times, one version after the other within a
/// run, so slow periods of the machine fall on all of them.
fn measure(root: &Path, exercises: &[&Exercise], runs: usize) -> Result<(Figures, usize)> {
    verify::warn_if_modified(root, exercises);
    let scratch = if exercises.iter().any(|e| !e.ladder.is_empty()) {
        Some(crate::integrity::sealed_scratch(root, Path::new(SCRATCH))?)
    } else {
        None
    };
    let color = term::color_enabled();
    let per_run: usize = exercises.iter().map(|e| 2 + e.ladder.len()).sum();
    let (mut rows, mut unexpected, mut done) = (Vec::<Row>::new(), 0, 0);
    let started = Instant::now();
    for run in 1..=runs {
        for &ex in exercises {
            let mut versions: Vec<(String, CheckReport, bool)> = Vec::new();
            for side in [Side::Exercise, Side::Solution] {
                let report = check::check(root, ex, side, color)?;
                let ok = verify::as_expected(verify::expected(ex, side), report.status);
                let name = if side == Side::Solution { SOLUTION } else { START };
                versions.push((name.to_string(), report, ok));
            }
            for rung in &ex.ladder {
                let scratch = scratch.as_deref().context("no scratch course")?;
                let lib = std::fs::read(root.join(ex.folder(Side::Solution)).join(&rung.lib))
                    .with_context(|| format!("cannot read ladder rung {}", rung.lib))?;
                std::fs::write(scratch.join(ex.folder(Side::Exercise)).join("src/lib.rs"), lib)?;
                let report = check::check(scratch, ex, Side::Exercise, color)?;
                let ok = report.status != check::Status::Wrong;
                // A rung is graded against the course's solution like any learner's code.
                versions.push((rung.name.clone(), report, ok));
            }
            if let Some((version, report, _)) = versions.iter().find(|(_, r, _)| r.status == check::Status::Tampered) {
                bail!(
                    "the {version} of {} was not graded: course files differ from the seal ({}). Figures are measured \
                     on the sealed course: `cargo xtask seal` (course developers), then run again",
                    ex.name,
                    report.tampered.join(", ")
                );
            }
            for (version, report, ok) in versions {
                done += 1;
                unexpected += usize::from(!ok);
                let figures: Vec<String> = report.speedups().map(|(s, x)| format!("{s} {x:.2}×")).collect();
                let eta = started.elapsed().as_secs_f64() / done as f64 * (runs * per_run - done) as f64;
                anstream::println!(
                    "  {} run {run}/{runs} {:<16} {:<16} {:<17} {}   (about {:.0} min left)",
                    term::mark(ok),
                    ex.name,
                    version,
                    report.status.describe(),
                    figures.join("  "),
                    eta / 60.0
                );
                if !ok && let Some(details) = &report.details {
                    anstream::println!("{details}");
                }
                record(&mut rows, ex, &version, &report);
            }
        }
    }
    let provenance = Provenance {
        machine: machine(),
        rustc: command_line("rustc", &["--version"]).unwrap_or_else(|| "rustc (version unknown)".into()),
        date: crate::clock::today(),
        commit: command_line("git", &["-C", &root.to_string_lossy(), "rev-parse", "--short=12", "HEAD"])
            .unwrap_or_default(),
        runs,
    };
    let measured = exercises.iter().map(|e| (e.name.clone(), provenance.clone())).collect();
    Ok((Figures { measured, rows }, unexpected))
}

/// Adds one report's stages to their rows (a stage not measured, e.g. a missed task, adds nothing).
fn record(rows: &mut Vec<Row>, ex: &Exercise, version: &str, report: &CheckReport) {
    for stage in &report.stages {
        let Some(result) = &stage.result else { continue };
        let per_unit = result.work.as_ref().map_or(1.0, |w| w.per_call);
        let at = match rows.iter().position(|r| r.exercise == ex.name && r.version == version && r.stage == stage.name)
        {
            Some(at) => at,
            None => {
                rows.push(Row {
                    exercise: ex.name.clone(),
                    version: version.to_string(),
                    stage: stage.name.clone(),
                    unit: result.work.as_ref().map(|w| w.unit.clone()),
                    speedups: vec![],
                    solution_speedups: vec![],
                    shares: vec![],
                    baseline_seconds: vec![],
                    seconds: vec![],
                    roofline: vec![],
                    limit: None,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        row.speedups.push(result.speedup);
        row.solution_speedups.push(result.solution_speedup);
        row.shares.push(result.share);
        row.baseline_seconds.push(result.baseline_seconds / per_unit);
        row.seconds.push(result.candidate_seconds / per_unit);
        if let Some(roof) = &stage.roofline {
            row.roofline.push(roof.fraction);
            row.limit = Some(roof.limit_name.clone());
        }
    }
}

impl Figures {
    fn rows_of(&self, exercise: &str, stage: &str) -> Vec<&Row> {
        self.rows.iter().filter(|r| r.exercise == exercise && r.stage == stage).collect()
    }

    /// `new`'s exercises replace this one's (their rows and provenance); the others stay.
    fn merge(&mut self, new: Figures) {
        self.rows.retain(|r| !new.measured.contains_key(&r.exercise));
        self.rows.extend(new.rows);
        self.measured.extend(new.measured);
    }

    fn provenance(&self, exercise: &str) -> String {
        self.measured.get(exercise).map_or_else(|| "(not measured yet)".into(), Provenance::describe)
    }
}

/// A stage's target held to the course's rule, in shares of the solution's gain.
#[derive(Debug, PartialEq)]
struct Rule {
    ok: bool,
    /// The solution's lowest share (of its own gain, measured against itself: about 1).
    solution_low: f64,
    start_high: Option<f64>,
    margin: f64,
}

impl Rule {
    /// `None` when the solution has no measurement of the stage in shares.
    fn judge(stage: &Stage, rows: &[&Row]) -> Option<Rule> {
        let shares = |version: &str| {
            rows.iter().find(|r| r.version == version && !r.shares.is_empty()).map(|r| spread(&r.shares))
        };
        let solution_low = shares(SOLUTION)?.0;
        let start_high = shares(START).map(|s| s.1);
        let margin = margin(stage);
        // The top tier (the target without tiers) must be a sure reach for the solution; the
        // untouched code must stay the margin below the target in every run.
        let ok = solution_low >= stage.top_tier() && start_high.is_none_or(|h| h <= stage.target - margin);
        Some(Rule { ok, solution_low, start_high, margin })
    }

    fn describe(&self, stage: &Stage) -> String {
        let percent = crate::text::percent;
        let mut text = format!(
            "{:<11} target {}: the solution's lowest {}{}",
            stage.name,
            percent(stage.target),
            percent(self.solution_low),
            if stage.tiers().len() > 1 { format!(" (top tier {})", percent(stage.top_tier())) } else { String::new() }
        );
        if let Some(h) = self.start_high {
            text += &format!(
                "; the starting code's highest {} (at most {})",
                percent(h),
                percent(stage.target - self.margin)
            );
        }
        if let Some(why) = &stage.narrow_margin {
            text += &format!("\n{:<22}narrow margin: {why}", "");
        }
        text
    }
}

/// The Markdown between a lesson's markers.
fn lesson_block(ex: &Exercise, figures: &Figures) -> String {
    let percent = crate::text::percent;
    let mut out = format!(
        "<!-- generated by `cargo xtask figures`: edits between these markers are overwritten -->\n\
         Example figures from the course machine, {}. Your machine will give other speedups; the share of \
         the solution's gain, which the grader judges, carries over.\n\n\
         | stage | version | speedup: median [lowest – highest] | the solution's, same runs | share of its gain | target | time per unit: baseline → version | of this machine's limit |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        figures.provenance(&ex.name)
    );
    for stage in &ex.stages {
        let mut rows = figures.rows_of(&ex.name, &stage.name);
        let order = |v: &str| match v {
            START => 0,
            SOLUTION => ex.ladder.len() + 1,
            rung => 1 + ex.ladder.iter().position(|r| r.name == rung).unwrap_or(ex.ladder.len()),
        };
        rows.sort_by_key(|r| order(&r.version));
        for r in rows {
            let (lo, hi) = spread(&r.speedups);
            let unit = r.unit.as_deref().map_or(String::from("call"), str::to_string);
            let roof = match &r.limit {
                Some(limit) if !r.roofline.is_empty() => format!("{:.0}% of {limit}", 100.0 * median(&r.roofline)),
                _ => "–".into(),
            };
            let solution = if r.solution_speedups.is_empty() {
                "–".into()
            } else {
                format!("{:.2}×", median(&r.solution_speedups))
            };
            let share = if r.shares.is_empty() {
                "–".into()
            } else {
                let (lo, hi) = spread(&r.shares);
                format!("{} [{} – {}]", percent(median(&r.shares)), percent(lo), percent(hi))
            };
            out += &format!(
                "| {} | {} | {:.2}× [{lo:.2} – {hi:.2}] | {solution} | {share} | {} | {} → {} per {unit} | {roof} |\n",
                stage.name,
                r.version,
                median(&r.speedups),
                percent(stage.target),
                format_seconds(median(&r.baseline_seconds)),
                format_seconds(median(&r.seconds)),
            );
        }
    }
    let rules: Vec<String> = ex
        .stages
        .iter()
        .filter_map(|s| {
            let rule = Rule::judge(s, &figures.rows_of(&ex.name, &s.name))?;
            let verdict = if rule.ok { "holds" } else { "does NOT hold" };
            let tiers =
                if s.tiers().len() > 1 { format!(", top tier {}", percent(s.top_tier())) } else { String::new() };
            let start =
                rule.start_high.map(|h| format!(", the starting code's highest {}", percent(h))).unwrap_or_default();
            Some(format!(
                "{}: target {}{tiers}, the solution's lowest {}{start} ({verdict}{})",
                s.name,
                percent(s.target),
                percent(rule.solution_low),
                if s.narrow_margin.is_some() { ", narrow margin" } else { "" }
            ))
        })
        .collect();
    if rules.is_empty() && !ex.stages.is_empty() {
        out += "\nThe shares of these runs were not measured (figures from before the grader judged shares): \
                `cargo xtask figures` measures them and holds the targets to the rule.\n";
    }
    if !rules.is_empty() {
        out += &format!(
            "\nThe rule for targets, the solution at the top tier in every run and the starting code {} below the \
             target ({} with a narrow margin): {}.\n",
            percent(MARGIN),
            percent(NARROW_MARGIN),
            rules.join("; ")
        );
    }
    out
}

/// The page whose `compare` markers hold the comparison table.
const COMPARISON_PAGE: &str = "docs/comparison.md";

/// The Markdown between the comparison page's `compare` markers.
fn compare_block(table: &str) -> String {
    let rustc = command_line("rustc", &["--version"]).unwrap_or_else(|| "rustc (version unknown)".into());
    format!(
        "<!-- generated by `cargo xtask figures` (with `cargo xtask compare`): edits between these markers are overwritten -->\n\
         Measured on {}, {rustc}, {}.\n\n{}\n",
        machine(),
        crate::clock::today(),
        table.trim_end()
    )
}

/// Rewrites the block named `name` in `file`; a file without the markers is left alone, with a warning.
fn write_block(root: &Path, file: &Path, name: Option<&str>, body: &str) -> Result<()> {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    match replace_block(&text, name, body)? {
        Some(new) if new != text => {
            std::fs::write(&path, new).with_context(|| format!("cannot write {}", path.display()))?;
            anstream::println!("  wrote the figures in {}", file.display());
        }
        Some(_) => {}
        None => anstream::eprintln!(
            "{} {} has no `{BEGIN}{} -->` … `{END}` block: its figures were not written",
            term::paint(term::WARN, "warning:"),
            file.display(),
            name.map(|n| format!(" {n}")).unwrap_or_default()
        ),
    }
    Ok(())
}

/// `text` with the lines between the begin marker named `name` and the next end marker
/// replaced by `body`; `None` when there is no such begin marker.
fn replace_block(text: &str, name: Option<&str>, body: &str) -> Result<Option<String>> {
    let wanted = format!("{BEGIN}{} -->", name.map(|n| format!(" {n}")).unwrap_or_default());
    let Some(start) = text.lines().position(|l| l.trim() == wanted) else { return Ok(None) };
    let lines: Vec<&str> = text.lines().collect();
    let Some(end) = lines[start..].iter().position(|l| l.trim() == END).map(|k| start + k) else {
        bail!("`{wanted}` has no `{END}` after it");
    };
    let mut out: Vec<&str> = lines[..=start].to_vec();
    out.extend(body.trim_end().lines());
    out.extend(&lines[end..]);
    Ok(Some(out.join("\n") + "\n"))
}

fn machine() -> String {
    let m = grading::machine::Machine::detect();
    format!("{} ({} cores, {})", m.cpu, m.cores, m.os)
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(target: f64, narrow: bool) -> Stage {
        toml::from_str(&format!(
            "name = \"s\"\ntarget = {target}\n{}",
            if narrow { "narrow_margin = \"two cores\"" } else { "" }
        ))
        .unwrap()
    }

    fn row(version: &str, speedups: &[f64]) -> Row {
        shares_row(version, speedups, &[])
    }

    /// A row whose shares are `shares` (the solution's speedup 10× in every run).
    fn shares_row(version: &str, speedups: &[f64], shares: &[f64]) -> Row {
        Row {
            exercise: "e".into(),
            version: version.into(),
            stage: "s".into(),
            unit: None,
            speedups: speedups.to_vec(),
            solution_speedups: vec![10.0; shares.len()],
            shares: shares.to_vec(),
            baseline_seconds: vec![1.0; speedups.len()],
            seconds: vec![0.1; speedups.len()],
            roofline: vec![],
            limit: None,
        }
    }

    #[test]
    fn the_rule_is_held_at_the_solutions_lowest_run_and_the_starts_highest() {
        let start = shares_row(START, &[0.9, 1.1], &[-0.05, 0.04]);
        let solution = |shares: &[f64]| shares_row(SOLUTION, &[10.0; 3][..shares.len()], shares);
        let judge =
            |target, narrow, sol: &[f64]| Rule::judge(&stage(target, narrow), &[&start, &solution(sol)]).unwrap();
        assert!(judge(0.5, false, &[1.02, 0.97, 1.0]).ok);
        // One run of the solution below a lone target breaks it, however good the median.
        assert!(!judge(0.5, false, &[1.02, 0.45, 1.0]).ok);
        // The starting code must stay the margin below: 0.2, or 0.1 with a stated narrow margin.
        assert!(!judge(0.2, false, &[1.0]).ok);
        assert!(judge(0.25, false, &[1.0]).ok);
        assert!(judge(0.15, true, &[1.0]).ok);
        assert!(!judge(0.1, true, &[1.0]).ok);
        assert!(Rule::judge(&stage(0.5, false), &[&start]).is_none(), "no solution measured, no rule");
        assert!(
            Rule::judge(&stage(0.5, false), &[&start, &row(SOLUTION, &[10.0])]).is_none(),
            "figures from before shares: no rule"
        );
        // With tiers, the solution must reach the top tier in every run.
        let mut tiered = stage(0.5, false);
        tiered.tiers = vec![0.5, 0.9];
        assert!(Rule::judge(&tiered, &[&start, &solution(&[0.95, 1.1])]).unwrap().ok);
        assert!(!Rule::judge(&tiered, &[&start, &solution(&[0.85, 1.1])]).unwrap().ok);
    }

    #[test]
    fn blocks_are_replaced_between_their_markers_only() {
        let text = "# Lesson\nbefore\n<!-- figures:begin -->\nold\nold\n<!-- figures:end -->\nafter\n";
        let new = replace_block(text, None, "new 1\nnew 2\n").unwrap().unwrap();
        assert_eq!(new, "# Lesson\nbefore\n<!-- figures:begin -->\nnew 1\nnew 2\n<!-- figures:end -->\nafter\n");
        assert_eq!(replace_block(&new, None, "new 1\nnew 2").unwrap().unwrap(), new, "idempotent");
        assert_eq!(replace_block(text, Some("compare"), "x").unwrap(), None, "another block's name");
        assert!(replace_block("<!-- figures:begin -->\nno end\n", None, "x").is_err());
        let named = "<!-- figures:begin compare -->\n<!-- figures:end -->\n";
        assert_eq!(
            replace_block(named, Some("compare"), "t").unwrap().unwrap(),
            "<!-- figures:begin compare -->\nt\n<!-- figures:end -->\n"
        );
    }

    #[test]
    fn measuring_some_exercises_again_keeps_the_others() {
        let at = |date: &str| Provenance {
            machine: "m".into(),
            rustc: "r".into(),
            date: date.into(),
            commit: "c".into(),
            runs: 1,
        };
        let mut a = row(SOLUTION, &[1.0]);
        a.exercise = "a".into();
        let mut b = row(SOLUTION, &[2.0]);
        b.exercise = "b".into();
        let mut old = Figures {
            measured: BTreeMap::from([("a".into(), at("old")), ("b".into(), at("old"))]),
            rows: vec![a.clone(), b],
        };
        let mut b_again = row(SOLUTION, &[3.0]);
        b_again.exercise = "b".into();
        old.merge(Figures { measured: BTreeMap::from([("b".into(), at("new"))]), rows: vec![b_again.clone()] });
        assert_eq!(old.measured["a"].date, "old");
        assert_eq!(old.measured["b"].date, "new");
        assert_eq!(old.rows.len(), 2);
        assert_eq!(old.rows_of("a", "s")[0].speedups, a.speedups);
        assert_eq!(old.rows_of("b", "s")[0].speedups, b_again.speedups);
    }

    #[test]
    fn a_reports_roofline_reaches_its_row() {
        let course = Course::load(&crate::root()).unwrap();
        let ex = course.find("profiling-heat").unwrap();
        let mut report = CheckReport::new(ex, Side::Solution);
        report.stages[0].result = Some(grading::protocol::StageResult::steady("evolve", 0.5, 8.0, 8.0));
        let roof = grading::roofline::Roof::Chain { ops: 1.0 };
        let limits = grading::roofline::Limits {
            chain_ns: 1.0,
            ..grading::roofline::Limits::unmeasured(&grading::machine::Machine::detect())
        };
        report.stages[0].roofline = grading::roofline::Roofline::of(&roof, 2e-9, 1, &limits);
        let mut rows = vec![];
        record(&mut rows, ex, SOLUTION, &report);
        assert_eq!(rows[0].limit.as_deref(), Some("latency limit"));
        assert!(rows[0].roofline.len() == 1 && (rows[0].roofline[0] - 0.5).abs() < 1e-12, "{:?}", rows[0].roofline);
    }

    #[test]
    fn every_measured_row_of_a_lesson_is_in_its_block() {
        let course = Course::load(&crate::root()).unwrap();
        let ex = course.find("profiling-heat").unwrap();
        let mut r = shares_row(SOLUTION, &[9.0, 10.0, 11.0], &[0.98, 1.0, 1.03]);
        r.exercise = ex.name.clone();
        r.stage = ex.stages[0].name.clone();
        r.unit = Some("cell update".into());
        (r.roofline, r.limit) = (vec![0.5, 0.61, 0.7], Some("copy bandwidth".into()));
        let provenance = Provenance {
            machine: "test machine (2 cores, linux)".into(),
            rustc: "rustc 1.95.0".into(),
            date: "2026-11-27".into(),
            commit: "abc".into(),
            runs: 3,
        };
        let figures = Figures { measured: BTreeMap::from([(ex.name.clone(), provenance)]), rows: vec![r] };
        let block = lesson_block(ex, &figures);
        assert!(block.contains("test machine (2 cores, linux), rustc 1.95.0, 2026-11-27, 3 runs"), "{block}");
        assert!(block.contains("| solution | 10.00× [9.00 – 11.00] | 10.00× | 100% [98% – 103%] | 50% |"), "{block}");
        assert!(block.contains("Example figures from the course machine"), "{block}");
        assert!(block.contains("1.00 s → 100 ms per cell update | 61% of copy bandwidth |"), "{block}");
    }
}
