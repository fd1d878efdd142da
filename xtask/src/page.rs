//! `report`: a page with each exercise's speedup against its target, as a chart: from the
//! learner's progress file, or from a `check --all --json` report (a CI artifact).

use crate::check::{CheckReport, Status};
use crate::course::Course;
use crate::progress::Progress;
use crate::report::AllReport;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// One bar of the chart.
#[derive(Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub speedup: Option<f64>,
    pub target: f64,
    pub state: String,
}

fn bars_from_reports(reports: &[CheckReport]) -> Vec<Bar> {
    reports
        .iter()
        .flat_map(|r| {
            r.stages.iter().map(move |s| Bar {
                label: format!("{} · {}", r.exercise, s.name),
                speedup: s.result.as_ref().map(|x| x.speedup),
                target: s.target,
                state: r.status.describe().into(),
            })
        })
        .collect()
}

fn bars_from_progress(course: &Course, progress: &Progress) -> Vec<Bar> {
    course
        .exercises
        .iter()
        .flat_map(|e| {
            let entry = progress.exercises.get(&e.name);
            e.stages.iter().map(move |s| Bar {
                label: format!("{} · {}", e.name, s.name),
                speedup: entry.and_then(|p| p.best.get(&s.name).copied()),
                target: s.target,
                state: entry.and_then(|p| p.status).map_or("not checked yet", Status::describe).into(),
            })
        })
        .collect()
}

/// An SVG bar chart, log scale: each bar the measured speedup, a tick at the target.
pub fn svg(bars: &[Bar]) -> String {
    let (left, width, row) = (260.0, 460.0, 26.0);
    let top = bars.iter().flat_map(|b| [b.speedup.unwrap_or(1.0), b.target]).fold(10.0f64, f64::max) * 2.0;
    let x = |v: f64| left + width * (v.max(1.0).log10() / top.log10());
    let height = row * bars.len() as f64 + 40.0;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" font-family="sans-serif" font-size="12">"#,
        w = left + width + 90.0
    );
    for (k, b) in bars.iter().enumerate() {
        let y = 10.0 + row * k as f64;
        let _ =
            write!(out, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 8.0, y + 14.0, escape(&b.label));
        if let Some(s) = b.speedup {
            let colour = if s >= b.target { "#2a9d4b" } else { "#d1495b" };
            let _ = write!(
                out,
                r##"<rect x="{left}" y="{y}" width="{:.1}" height="18" fill="{colour}"/>"##,
                (x(s) - left).max(1.0)
            );
            let _ = write!(out, r#"<text x="{:.1}" y="{}">{s:.1}×</text>"#, x(s) + 4.0, y + 14.0);
        } else {
            let _ = write!(out, r##"<text x="{left}" y="{}" fill="#888">not measured</text>"##, y + 14.0);
        }
        let _ = write!(
            out,
            r##"<line x1="{t:.1}" x2="{t:.1}" y1="{}" y2="{}" stroke="#222" stroke-width="2"/>"##,
            y - 2.0,
            y + 20.0,
            t = x(b.target)
        );
    }
    let axis = 10.0 + row * bars.len() as f64 + 14.0;
    let _ = write!(
        out,
        r##"<text x="{left}" y="{axis}" fill="#555">speedup over the starting code, log scale; black tick = target</text></svg>"##
    );
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn markdown(bars: &[Bar]) -> String {
    let mut out = String::from("| exercise · stage | state | speedup | target |\n| --- | --- | --- | --- |\n");
    for b in bars {
        let speedup = b.speedup.map_or("–".into(), |s| format!("{s:.2}×"));
        let _ = writeln!(out, "| {} | {} | {speedup} | {}× |", b.label, b.state, b.target);
    }
    out
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
         <body style=\"font-family:sans-serif;max-width:60em;margin:2em auto\"><h1>Speedups against targets</h1>{}\
         <pre>{}</pre></body>",
        svg(&bars),
        escape(&md)
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
        let bars = [
            Bar { label: "heat · evolve".into(), speedup: Some(12.0), target: 5.0, state: "target met".into() },
            Bar { label: "a<b · x".into(), speedup: Some(1.0), target: 2.0, state: "correct but slow".into() },
            Bar { label: "c · y".into(), speedup: None, target: 3.0, state: "wrong results".into() },
        ];
        let svg = svg(&bars);
        assert!(svg.contains("#2a9d4b") && svg.contains("#d1495b") && svg.contains("not measured"), "{svg}");
        assert!(svg.contains("a&lt;b · x"), "labels are escaped");
        assert_eq!(svg.matches("<line").count(), 3, "a target tick per bar");
        assert!(markdown(&bars).contains("| heat · evolve | target met | 12.00× | 5× |"));
    }
}
