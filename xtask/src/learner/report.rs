//! `report`: a page with each exercise's share of the course solution's gain against its target,
//! as a chart (the speedups beside it): from the learner's progress file, or from a
//! `check --all --json` report (a CI artifact).

use crate::check::export::AllReport;
use crate::check::{CheckReport, Status};
use crate::course::Course;
use crate::learner::progress::Progress;
use crate::text::escape;
use crate::text::{percent, two_digits};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// One bar of the chart.
#[derive(Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    /// The share of the course solution's gain (the bar's length) and the speedup it was.
    pub share: Option<f64>,
    pub speedup: Option<f64>,
    /// `None` for an exercise with no timed stage (graded on its tests alone).
    pub target: Option<f64>,
    /// The exercise's current state, in words.
    pub state: String,
    /// Whether the exercise is done now: a share above its target is green only then (a best
    /// share beside code that is wrong now is amber).
    pub done: bool,
    /// The speedup's rate against this machine's limit, in a few words ("54% of copy bandwidth").
    pub roof: Option<String>,
    /// The shares that earn points, the target first (empty without a timed stage).
    pub tiers: Vec<f64>,
    /// Points earned of the tiers.
    pub points: u32,
}

/// One bar per stage, or one for an exercise without stages, so every exercise is listed.
/// A stage as the chart needs it: name, tiers (the target first), (share, speedup), roofline,
/// points.
type StageBar = (String, Vec<f64>, Option<(f64, f64)>, Option<String>, u32);

fn bars_of(exercise: &str, stages: &[StageBar], state: &str, done: bool) -> Vec<Bar> {
    if stages.is_empty() {
        return vec![Bar {
            label: exercise.into(),
            share: None,
            speedup: None,
            target: None,
            state: state.into(),
            done,
            roof: None,
            tiers: vec![],
            points: 0,
        }];
    }
    stages
        .iter()
        .map(|(name, tiers, measured, roof, points)| Bar {
            label: format!("{exercise} · {name}"),
            share: measured.map(|m| m.0),
            speedup: measured.map(|m| m.1),
            target: tiers.first().copied(),
            state: state.into(),
            done,
            roof: roof.clone(),
            tiers: tiers.clone(),
            points: *points,
        })
        .collect()
}

fn bars_from_reports(reports: &[CheckReport]) -> Vec<Bar> {
    reports
        .iter()
        .flat_map(|r| {
            let stages: Vec<_> = r
                .stages
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.ladder(),
                        // A stage the machine could not grade shows no share.
                        s.result.as_ref().filter(|_| !s.ungradable()).map(|x| (x.share, x.speedup)),
                        s.roofline.as_ref().map(|x| x.short()),
                        s.earned(),
                    )
                })
                .collect();
            bars_of(&r.exercise, &stages, r.status.describe(), r.status == Status::Done)
        })
        .collect()
}

fn bars_from_progress(course: &Course, progress: &Progress) -> Vec<Bar> {
    course
        .exercises
        .iter()
        .flat_map(|e| {
            let entry = progress.exercises.get(&e.name);
            let stages: Vec<_> = e
                .stages
                .iter()
                .map(|s| {
                    let best = entry.and_then(|p| p.best_share.get(&s.name).copied());
                    let roof = entry.and_then(|p| p.roofline.get(&s.name)).map(|r| r.short());
                    // A best share at or above the target was met when it was measured.
                    let points = best.map_or(0, |b| crate::check::points(&s.tiers(), b.share >= s.target, b.share));
                    (s.name.clone(), s.tiers(), best.map(|b| (b.share, b.speedup)), roof, points)
                })
                .collect();
            let status = entry.and_then(|p| p.status);
            let state = status.map_or("not checked yet", Status::describe);
            bars_of(&e.name, &stages, state, status == Some(Status::Done))
        })
        .collect()
}

/// An SVG bar chart: each bar the measured share of the solution's gain (0 at the left, the
/// solution at the thin grey line), a tick at the target, the speedup written beside it.
pub fn svg(bars: &[Bar]) -> String {
    let (left, width, row) = (260.0, 460.0, 26.0);
    let top = bars
        .iter()
        .flat_map(|b| [b.share.unwrap_or(0.0), b.tiers.last().copied().unwrap_or(0.0)])
        .fold(1.0f64, f64::max)
        * 1.15;
    let x = |v: f64| left + width * (v.clamp(0.0, top) / top);
    let height = row * bars.len() as f64 + 56.0;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" font-family="sans-serif" font-size="12">"#,
        w = left + width + 250.0
    );
    for (k, b) in bars.iter().enumerate() {
        let y = 10.0 + row * k as f64;
        let _ =
            write!(out, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 8.0, y + 14.0, escape(&b.label));
        let _ = write!(
            out,
            r##"<line x1="{t:.1}" x2="{t:.1}" y1="{}" y2="{}" stroke="#bbb" stroke-width="1"/>"##,
            y - 4.0,
            y + 22.0,
            t = x(1.0)
        );
        if let (Some(s), Some(target)) = (b.share, b.target) {
            let colour = match (s >= target, b.done) {
                (true, true) => "#2a9d4b",
                (true, false) => "#e0a526",
                (false, _) => "#d1495b",
            };
            let _ = write!(
                out,
                r##"<rect x="{left}" y="{y}" width="{:.1}" height="18" fill="{colour}"/>"##,
                (x(s) - left).max(1.0)
            );
            // Right of the bar and of the target's tick, so the figure never sits under the tick.
            let roof =
                b.roof.as_ref().map_or(String::new(), |r| format!(r##"<tspan fill="#666"> · {}</tspan>"##, escape(r)));
            let speedup = b.speedup.map_or(String::new(), |x| format!(" ({}×)", two_digits(x)));
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{}">{}{speedup}{roof}</text>"#,
                x(s).max(x(target)).max(x(1.0)) + 5.0,
                y + 14.0,
                percent(s)
            );
        } else {
            let text = if b.target.is_none() { format!("no timed stage: {}", b.state) } else { "not measured".into() };
            let _ = write!(out, r##"<text x="{left}" y="{}" fill="#888">{}</text>"##, y + 14.0, escape(&text));
        }
        for tier in b.tiers.iter().skip(1) {
            let _ = write!(
                out,
                r##"<line x1="{t:.1}" x2="{t:.1}" y1="{}" y2="{}" stroke="#888" stroke-width="1.5" stroke-dasharray="3 2"/>"##,
                y - 2.0,
                y + 20.0,
                t = x(*tier)
            );
        }
        if let Some(target) = b.target {
            let _ = write!(
                out,
                r##"<line x1="{t:.1}" x2="{t:.1}" y1="{}" y2="{}" stroke="#222" stroke-width="2"/>"##,
                y - 2.0,
                y + 20.0,
                t = x(target)
            );
        }
    }
    let axis = 10.0 + row * bars.len() as f64 + 14.0;
    let _ = write!(
        out,
        r##"<text x="10" y="{axis}" fill="#555">share of the course solution's gain, measured in the same run (left: the starting code; grey line: the solution); black tick: the target; dashed: higher tiers; in brackets: the speedup; grey text: the rate against this machine's limit</text><text x="10" y="{}" fill="#555">green: target met, done now · amber: target reached once, not done now · red: below target</text></svg>"##,
        axis + 16.0
    );
    out
}

/// `2 of 3 (next 90%)`, `1 of 1`; `–` without a timed stage.
fn points(b: &Bar) -> String {
    if b.tiers.is_empty() {
        return "–".into();
    }
    match b.tiers.get(b.points as usize) {
        Some(next) if b.tiers.len() > 1 => format!("{} of {} (next {})", b.points, b.tiers.len(), percent(*next)),
        _ => format!("{} of {}", b.points, b.tiers.len()),
    }
}

/// A bar's share and speedup as table cells, `–` when not measured.
fn cells(b: &Bar) -> (String, String) {
    (b.share.map_or("–".into(), percent), b.speedup.map_or("–".into(), |s| format!("{s:.2}×")))
}

fn markdown(bars: &[Bar]) -> String {
    let mut out = String::from(
        "| exercise · stage | state now | best share of the solution's gain | speedup | target | points | of this machine's limit |\n| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for b in bars {
        let (share, speedup) = cells(b);
        let target = b.target.map_or("tests only".into(), percent);
        let roof = b.roof.as_deref().unwrap_or("–");
        let _ =
            writeln!(out, "| {} | {} | {share} | {speedup} | {target} | {} | {roof} |", b.label, b.state, points(b));
    }
    out
}

/// The same rows as [`markdown`], as an HTML table.
fn html_table(bars: &[Bar]) -> String {
    let mut out = String::from(
        "<table style=\"border-collapse:collapse\" cellpadding=\"4\"><thead><tr><th align=\"left\">exercise · stage</th>\
         <th align=\"left\">state now</th><th align=\"right\">best share of the solution's gain</th><th align=\"right\">speedup</th><th align=\"right\">target</th><th align=\"left\">points</th><th align=\"left\">of this machine's limit</th></tr></thead><tbody>",
    );
    for b in bars {
        let (share, speedup) = cells(b);
        let target = b.target.map_or("tests only".into(), percent);
        let _ = write!(
            out,
            "<tr style=\"border-top:1px solid #ddd\"><td>{}</td><td>{}</td><td align=\"right\">{share}</td><td align=\"right\">{speedup}</td>\
             <td align=\"right\">{target}</td><td>{}</td><td>{}</td></tr>",
            escape(&b.label),
            escape(&b.state),
            escape(&points(b)),
            escape(b.roof.as_deref().unwrap_or("–"))
        );
    }
    out + "</tbody></table>"
}

pub fn report(root: &Path, course: &Course, from: Option<&Path>) -> Result<ExitCode> {
    let bars = match from {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let all: AllReport = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a `cargo xtask check --all --json` report", path.display()))?;
            bars_from_reports(&all.reports)
        }
        None => bars_from_progress(course, &Progress::load(root)),
    };
    let dir = root.join("target/report");
    std::fs::create_dir_all(&dir)?;
    let md = markdown(&bars);
    let html = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Course progress</title>\
         <body style=\"font-family:sans-serif;max-width:60em;margin:2em auto\"><h1>Shares of the course solution's gain, against targets</h1>{}\
         {}</body>",
        svg(&bars),
        html_table(&bars)
    );
    std::fs::write(dir.join("index.html"), html)?;
    std::fs::write(dir.join("report.md"), &md)?;
    anstream::println!("{md}\nwrote {} and {}", dir.join("index.html").display(), dir.join("report.md").display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_marks_met_and_missed_targets() {
        let bar = |label: &str, share: Option<f64>, target, state: &str, done| Bar {
            label: label.into(),
            share,
            speedup: share.map(|s| 8f64.powf(s)),
            target,
            state: state.into(),
            done,
            roof: (label == "heat · evolve").then(|| "54% of copy bandwidth".to_string()),
            tiers: match (label, target) {
                ("heat · evolve", _) => vec![0.5, 0.75, 0.9],
                (_, Some(t)) => vec![t],
                _ => vec![],
            },
            points: u32::from(label == "heat · evolve") * 2,
        };
        let bars = [
            bar("heat · evolve", Some(0.8), Some(0.5), "target met", true),
            bar("a<b · x", Some(0.0), Some(0.5), "correct but slow", false),
            bar("c · y", None, Some(0.6), "wrong results", false),
            bar("d · z", Some(0.9), Some(0.6), "wrong results", false),
            bar("c-interop", None, None, "target met", true),
        ];
        let svg = svg(&bars);
        assert!(svg.contains("#2a9d4b") && svg.contains("#d1495b") && svg.contains("not measured"), "{svg}");
        assert_eq!(svg.matches("#2a9d4b").count(), 1, "green only for an exercise done now");
        assert!(svg.contains("#e0a526"), "a best share beside wrong code is amber");
        assert!(svg.contains("no timed stage: target met"), "{svg}");
        assert!(svg.contains("a&lt;b · x"), "labels are escaped");
        // Per bar the solution's line; per timed stage a target tick; a dashed one per higher tier.
        assert_eq!(svg.matches("<line").count(), 5 + 4 + 2, "{svg}");
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "{svg}");
        let md = markdown(&bars);
        assert!(
            md.contains(
                "| heat · evolve | target met | 80% | 5.28× | 50% | 2 of 3 (next 90%) | 54% of copy bandwidth |"
            ),
            "{md}"
        );
        assert!(md.contains("| a<b · x | correct but slow | 0% | 1.00× | 50% | 0 of 1 | – |"), "{md}");
        assert!(md.contains("| c-interop | target met | – | – | tests only | – | – |"), "{md}");
        assert!(svg.contains("80% (5.28×)<tspan fill=\"#666\"> · 54% of copy bandwidth</tspan>"), "{svg}");
        let table = html_table(&bars);
        assert!(table.starts_with("<table") && table.matches("<tr").count() == 6 && !table.contains('|'), "{table}");
    }

    #[test]
    fn every_exercise_is_on_the_page() {
        let course = Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let bars = bars_from_progress(&course, &Progress::default());
        for e in &course.exercises {
            assert!(bars.iter().any(|b| b.label.split(" · ").next() == Some(e.name.as_str())), "{} missing", e.name);
        }
    }
}
