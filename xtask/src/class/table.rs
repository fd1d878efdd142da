//! `class`: one table of a class's results, from the reports `grade-submissions` writes.
//!
//! The folder holds `<name>.json` files (the `grade-report` artifacts of `grade.yml`, or an
//! instructor's `grade-submissions --out`), one per learner and grading; subfolders are read
//! too, as downloaded artifacts come one folder each. The learner is the document's `learner`
//! or `submission` field, else the file's name. Out come an HTML page, a Markdown summary, a
//! CSV and an SVG chart (`target/class/` unless `--out`).
//!
//! Speed is read as the share of the course solution's gain (0%: the starting code, 100%: the
//! solution, measured on the same machine in the same run), not as a speedup: a speedup is as
//! much the machine's as the code's, so a class graded on several machines is ranked fairly
//! only by shares. Speedups are shown beside them.
//!
//! - the class table, learner × exercise: state, points, shares (speedups); totals per learner;
//! - the submissions closest to or past the course's solution in each timed stage (shares
//!   equal as printed, in whole percents, share a rank: the grader's noise is larger than the
//!   digits dropped); a stage the solution gained too little on to grade is not ranked;
//! - the late table: an exercise's report graded after its `deadline` (`course.toml`) is scored
//!   there, not in the class table, as the runner's clock recorded it (`graded_at`);
//! - apart, not counted: exercises reported `tampered` (course files modified, or in a
//!   submission "modified, not graded"), reports graded against another version of the course
//!   (another seal, see [`Trusted`]) or with another report schema (schema 1's targets were
//!   speedups, not shares), and reports with no grading time where a deadline applies;
//! - a file that is no report (not JSON, another kind of JSON, no schema) is named with the
//!   reason and skipped: one bad file never hides a class.
//!
//! A learner graded several times keeps their best counted report per exercise (most points,
//! then done before slow, then the largest shares), on time and late separately.

use super::report::Submission;
use crate::check::{CheckReport, SCHEMA, Status};
use crate::course::Course;
use crate::term;
use crate::text::escape;
use crate::text::{percent, two_digits};
use anyhow::{Context, Result};
use grading::protocol::{StageResult, Verdict};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How many places each stage lists in the table of those closest to the course's solution
/// (more when the last places tie).
const PLACES: usize = 5;

/// What a report must have been graded against to count: this course's committed seal (the
/// SHA-256 of `integrity.toml` at `HEAD`, which covers everything a verdict depends on), or,
/// for a report written before seals were recorded, this very commit.
#[derive(Debug, Clone, Default)]
pub struct Trusted {
    pub seal: Option<String>,
    pub commit: Option<String>,
}

/// One submission's grading, from one file (a file may hold several, as an array).
#[derive(Debug, Clone)]
pub struct Document {
    /// The file, relative to the folder read.
    pub file: String,
    pub learner: String,
    pub commit: Option<String>,
    pub seal: Option<String>,
    /// Seconds since 1970-01-01 UTC.
    pub graded_at: Option<i64>,
    /// The report schema it was written with; its reports are read only when it is this
    /// runner's [`SCHEMA`] (else `reports` is empty and the document is listed apart).
    pub schema: u32,
    pub reports: Vec<CheckReport>,
}

/// One exercise of one learner, counted.
#[derive(Debug, Clone)]
pub struct Entry {
    pub learner: String,
    pub file: String,
    pub graded_at: Option<i64>,
    pub late: bool,
    pub report: CheckReport,
}

/// Not counted, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Apart {
    pub learner: String,
    /// The exercise, or "every exercise" for a whole document.
    pub exercise: String,
    pub file: String,
    pub why: String,
}

/// A file that is no report.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub file: String,
    pub why: String,
}

/// Everything read from the folder, sorted out.
#[derive(Debug, Default)]
pub struct Class {
    pub entries: Vec<Entry>,
    pub apart: Vec<Apart>,
    pub skipped: Vec<Skipped>,
}

/// `cargo xtask class <folder>`: reads the reports, writes the page, the summary, the CSV and
/// the chart, prints the summary. Fails only when no report could be counted.
pub fn class(root: &Path, course: &Course, folder: &Path, out: Option<&Path>) -> Result<ExitCode> {
    let trusted = Trusted {
        seal: crate::class::grade::committed_seal(root).ok(),
        commit: std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["rev-parse", "HEAD"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()),
    };
    let (documents, skipped) = read_folder(folder)?;
    let mut class = sort_out(course, documents, &trusted);
    class.skipped.extend(skipped);
    for s in &class.skipped {
        anstream::eprintln!("{} {}: {}; skipped", term::paint(term::WARN, "not a report:"), s.file, s.why);
    }
    let dir = out.map_or_else(|| root.join("target/class"), Path::to_path_buf);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tables = tables(course, &class);
    let md = format!(
        "# Class results\n\n{}\n\n{}",
        provenance(folder, &trusted, &class),
        tables.iter().map(Table::markdown).collect::<Vec<_>>().join("\n")
    );
    let chart = svg(course, &class);
    let html = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Class results</title>\
         <body style=\"font-family:sans-serif;max-width:72em;margin:2em auto\"><h1>Class results</h1><p>{}</p>\
         <h2>Share of the course solution's gain per stage</h2>{chart}{}</body>",
        escape(&provenance(folder, &trusted, &class)),
        tables.iter().map(Table::html).collect::<String>()
    );
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write("index.html", &html)?;
    write("class.md", &md)?;
    write("class.csv", &csv(course, &class))?;
    write("speedups.svg", &chart)?;
    anstream::println!("{md}");
    anstream::println!(
        "wrote index.html, class.md, class.csv and speedups.svg in {} (counted: {}, apart: {}, files skipped: {})",
        dir.display(),
        class.entries.len(),
        class.apart.len(),
        class.skipped.len()
    );
    if class.entries.is_empty() {
        anstream::eprintln!("{} no report in {} could be counted", term::paint(term::BAD, "class:"), folder.display());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn provenance(folder: &Path, trusted: &Trusted, class: &Class) -> String {
    let learners: BTreeSet<&str> = class.entries.iter().map(|e| e.learner.as_str()).collect();
    let seal = trusted.seal.as_deref().map_or("unknown".into(), |s| s[..s.len().min(12)].to_string());
    format!(
        "From the reports in `{}`: {} learners; exercise reports counted: {}, apart: {}; files skipped: {}. \
         Counted: graded against this course's seal {seal}; exercises no report covers are left out.",
        folder.display(),
        learners.len(),
        class.entries.len(),
        class.apart.len(),
        class.skipped.len()
    )
}

/// Every `*.json` under `folder` read as submission documents; other files are named and
/// skipped, but for the JUnit and Markdown files `grade-submissions` writes beside each report.
pub fn read_folder(folder: &Path) -> Result<(Vec<Document>, Vec<Skipped>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("cannot read {}", dir.display()))?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(folder, &mut files)?;
    let (mut documents, mut skipped) = (Vec::new(), Vec::new());
    for path in files {
        let label = path.strip_prefix(folder).unwrap_or(&path).to_string_lossy().into_owned();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.ends_with(".junit.xml") || name.ends_with(".md") {
            continue;
        }
        if !name.ends_with(".json") {
            skipped.push(Skipped { file: label, why: "not a `.json` report".into() });
            continue;
        }
        let stem = name.trim_end_matches(".json");
        let parsed = std::fs::read(&path)
            .map_err(|e| format!("cannot be read ({e})"))
            .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not text (UTF-8)".to_string()))
            .and_then(|text| parse_documents(&label, stem, &text));
        match parsed {
            Ok(docs) => documents.extend(docs),
            Err(why) => skipped.push(Skipped { file: label, why }),
        }
    }
    Ok((documents, skipped))
}

/// The submission documents in one file's `text`: one object, or an array of them (what
/// `grade-submissions` prints without `--out`). `Err` says, for a person, why it is no report.
pub fn parse_documents(file: &str, stem: &str, text: &str) -> Result<Vec<Document>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    let mut documents = Vec::new();
    for (k, item) in items.into_iter().enumerate() {
        let at = if k > 0 { format!(" (item {})", k + 1) } else { String::new() };
        let Some(object) = item.as_object() else {
            return Err(format!("not a submission report{at}: a JSON object with `reports` was expected"));
        };
        if !object.contains_key("reports") {
            return Err(format!("not a submission report{at}: it has no `reports` list"));
        }
        let Some(schema) = object.get("schema").and_then(|s| s.as_u64()) else {
            return Err(format!("not a submission report{at}: it has no `schema` number"));
        };
        let schema = u32::try_from(schema).unwrap_or(u32::MAX);
        // The reports are read as `CheckReport`s only in this runner's schema: another
        // schema's may not parse, and are listed apart anyway.
        let incoming: Submission<serde_json::Value> =
            serde_json::from_value(item).map_err(|e| format!("not a submission report{at}: {e}"))?;
        let reports = if schema == SCHEMA {
            let reports: Result<Vec<CheckReport>, _> =
                incoming.reports.into_iter().map(serde_json::from_value).collect();
            reports.map_err(|e| format!("not a submission report{at}: {e}"))?
        } else {
            Vec::new()
        };
        let graded_at = match incoming.graded_at.as_deref() {
            Some(text) => Some(
                crate::clock::parse_time(text)
                    .ok_or_else(|| format!("`graded_at` is {text:?}{at}, not a time such as 2026-03-15T14:03:09Z"))?,
            ),
            None => None,
        };
        let learner = incoming.learner.or(incoming.submission).unwrap_or_else(|| stem.to_string());
        documents.push(Document {
            file: file.to_string(),
            learner,
            commit: incoming.course_commit,
            seal: incoming.course_seal,
            graded_at,
            schema,
            reports,
        });
    }
    Ok(documents)
}

/// Sorts every document's reports into counted (on time or late) and apart.
pub fn sort_out(course: &Course, documents: Vec<Document>, trusted: &Trusted) -> Class {
    let mut class = Class::default();
    for doc in documents {
        if let Some(why) = other_schema(doc.schema).or_else(|| foreign(&doc, trusted)) {
            class.apart.push(Apart {
                learner: doc.learner.clone(),
                exercise: "every exercise".into(),
                file: doc.file.clone(),
                why,
            });
            continue;
        }
        for report in doc.reports {
            let apart = |why: String| Apart {
                learner: doc.learner.clone(),
                exercise: report.exercise.clone(),
                file: doc.file.clone(),
                why,
            };
            if let Some(why) = other_schema(report.schema) {
                class.apart.push(apart(why));
                continue;
            }
            let Some(ex) = course.exercises.iter().find(|e| e.name == report.exercise) else {
                class.apart.push(apart("no such exercise in this course".into()));
                continue;
            };
            if report.status == Status::Tampered {
                let files: Vec<&str> = report.tampered.iter().map(String::as_str).take(3).collect();
                let more = report.tampered.len().saturating_sub(files.len());
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                class.apart.push(apart(format!("course files modified: {}{more}", files.join(", "))));
                continue;
            }
            let late = match (ex.late_from(), doc.graded_at) {
                (None, _) => false,
                (Some(from), Some(at)) => at >= from,
                (Some(_), None) => {
                    class.apart.push(apart("no grading time in the report, and the exercise has a deadline".into()));
                    continue;
                }
            };
            class.entries.push(Entry {
                learner: doc.learner.clone(),
                file: doc.file.clone(),
                graded_at: doc.graded_at,
                late,
                report,
            });
        }
    }
    class
}

/// Why a report of `schema` cannot be counted with this runner's, if it cannot: schema 1's
/// targets and tiers were speedups, which mean another thing on every machine.
fn other_schema(schema: u32) -> Option<String> {
    match schema {
        SCHEMA => None,
        1 => Some("graded with report schema 1 (speedup targets); regrade with this course".into()),
        newer if newer > SCHEMA => Some(format!(
            "graded with report schema {newer}, newer than this runner's {SCHEMA}; update the course to read it"
        )),
        older => Some(format!("graded with report schema {older}; regrade with this course")),
    }
}

/// Why a document was not graded against this course, if it was not.
fn foreign(doc: &Document, trusted: &Trusted) -> Option<String> {
    let short = |s: &str| s[..s.len().min(12)].to_string();
    match (&doc.seal, &trusted.seal) {
        (Some(theirs), Some(ours)) if theirs == ours => None,
        (Some(theirs), Some(ours)) => Some(format!(
            "graded against another version of the course (commit {}, seal {}; this course's seal is {})",
            doc.commit.as_deref().map_or("unknown".into(), short),
            short(theirs),
            short(ours)
        )),
        _ => match (&doc.commit, &trusted.commit) {
            (Some(theirs), Some(ours)) if theirs == ours => None,
            (Some(theirs), _) => Some(format!(
                "graded against course commit {} with no seal recorded; this course is {}",
                short(theirs),
                trusted.commit.as_deref().map_or("unknown".into(), short)
            )),
            (None, _) => Some("no course version recorded (not written by `grade-submissions`)".into()),
        },
    }
}

/// How good a report is, for keeping a learner's best: points, then state, then the sum of its
/// shares of the course solution's gain (each stage alike, and alike on every machine, where a
/// speedup is not). A stage not gradable here adds nothing: its share is noise.
fn merit(r: &CheckReport) -> (u32, Status, f64) {
    let shares: f64 = r.stages.iter().filter_map(|s| gradable(s.result.as_ref())).map(|x| x.share).sum();
    (r.points(), r.status, shares)
}

/// A measurement whose share means something: measured, and the solution gained enough to grade.
fn gradable(result: Option<&StageResult>) -> Option<&StageResult> {
    result.filter(|r| r.verdict != Verdict::Ungradable)
}

/// Each learner's best entry per exercise, among those on time (`late` false) or late.
pub fn best(class: &Class, late: bool) -> BTreeMap<(String, String), &Entry> {
    let mut out: BTreeMap<(String, String), &Entry> = BTreeMap::new();
    for e in class.entries.iter().filter(|e| e.late == late) {
        let key = (e.learner.clone(), e.report.exercise.clone());
        match out.get(&key) {
            Some(old) if merit(&old.report).partial_cmp(&merit(&e.report)) != Some(std::cmp::Ordering::Less) => {}
            _ => {
                out.insert(key, e);
            }
        }
    }
    out
}

/// A share as it is printed, in whole percents: equal ones tie.
fn as_shown(share: f64) -> f64 {
    percent(share).trim_end_matches('%').parse().unwrap_or(share * 100.0)
}

/// One row of the table of those closest to the course's solution.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub rank: usize,
    pub learner: String,
    /// The share of the course solution's gain, and the speedups it comes from.
    pub share: f64,
    pub speedup: f64,
    pub solution_speedup: f64,
    pub points: u32,
    pub roof: Option<String>,
    pub late: bool,
}

/// The learners closest to (or past) the course's solution in one stage: each learner's best
/// share of its gain over every counted report (late ones marked), ranked as printed (ties
/// share a rank, 1, 1, 3, named in alphabetical order), the first `PLACES` places and any tied
/// with the last. Shares rank fairly across machines, speedups do not; a measurement not
/// gradable where it was made is not ranked.
pub fn closest(class: &Class, exercise: &str, stage: &str) -> Vec<Place> {
    let mut best: BTreeMap<&str, Place> = BTreeMap::new();
    for e in class.entries.iter().filter(|e| e.report.exercise == exercise) {
        let Some(s) = e.report.stages.iter().find(|s| s.name == stage) else { continue };
        let Some(result) = gradable(s.result.as_ref()) else { continue };
        let place = Place {
            rank: 0,
            learner: e.learner.clone(),
            share: result.share,
            speedup: result.speedup,
            solution_speedup: result.solution_speedup,
            points: e.report.stage_points(s),
            roof: s.roofline.as_ref().map(|r| r.short()),
            late: e.late,
        };
        match best.get(e.learner.as_str()) {
            Some(old) if old.share >= place.share => {}
            _ => {
                best.insert(&e.learner, place);
            }
        }
    }
    let mut rows: Vec<Place> = best.into_values().collect();
    rows.sort_by(|a, b| as_shown(b.share).total_cmp(&as_shown(a.share)).then_with(|| a.learner.cmp(&b.learner)));
    let shown: Vec<f64> = rows.iter().map(|r| as_shown(r.share)).collect();
    for (k, row) in rows.iter_mut().enumerate() {
        row.rank = 1 + shown[..k].iter().filter(|&&x| x > shown[k]).count();
    }
    let cut = rows.get(PLACES.saturating_sub(1)).map(|r| r.rank);
    rows.into_iter().enumerate().take_while(|(k, r)| *k < PLACES || Some(r.rank) == cut).map(|(_, r)| r).collect()
}

/// A table as Markdown and as HTML, from the same rows.
pub struct Table {
    pub title: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n", self.title);
        if !self.note.is_empty() {
            out += &format!("{}\n\n", self.note);
        }
        if self.rows.is_empty() {
            return out + "None.\n";
        }
        let line = |cells: &[String]| {
            format!("| {} |\n", cells.iter().map(|c| c.replace('|', "\\|")).collect::<Vec<_>>().join(" | "))
        };
        out += &line(&self.header);
        out += &format!("|{}\n", " --- |".repeat(self.header.len()));
        for row in &self.rows {
            out += &line(row);
        }
        out
    }

    fn html(&self) -> String {
        let mut out = format!("<h2>{}</h2>", escape(&self.title));
        if !self.note.is_empty() {
            out += &format!("<p>{}</p>", escape(&self.note));
        }
        if self.rows.is_empty() {
            return out + "<p>None.</p>";
        }
        out += "<table style=\"border-collapse:collapse\" cellpadding=\"4\"><thead><tr>";
        for h in &self.header {
            let _ = write!(out, "<th align=\"left\">{}</th>", escape(h));
        }
        out += "</tr></thead><tbody>";
        for row in &self.rows {
            out += "<tr style=\"border-top:1px solid #ddd\">";
            for c in row {
                let _ = write!(out, "<td>{}</td>", escape(c));
            }
            out += "</tr>";
        }
        out + "</tbody></table>"
    }
}

/// A cell of the class table: `✅ 3/3 · 98% (13×)`, `❌ 0/1 · 30% (2.1×) (correct but slow)`,
/// `❔ 0/3 · not gradable here (1.1×)`: a stage the solution gained too little on is no miss.
fn cell(r: &CheckReport) -> String {
    let mark = match r.status {
        Status::Done => "✅",
        Status::Ungradable => "❔",
        _ => "❌",
    };
    let stages: Vec<String> = r.stages.iter().filter_map(|s| s.result.as_ref()).map(stage_text).collect();
    let stages = if stages.is_empty() { String::new() } else { format!(" · {}", stages.join(", ")) };
    // Not gradable is already said by the stage.
    let state = match r.status {
        Status::Done | Status::Ungradable => String::new(),
        _ => format!(" ({})", r.state()),
    };
    format!("{mark} {}/{}{stages}{state}", r.points(), r.max_points())
}

/// One measured stage in a cell: `98% (13×)`, or `not gradable here (1.1×)`.
fn stage_text(r: &StageResult) -> String {
    match r.verdict {
        Verdict::Ungradable => format!("{} ({}×)", Status::Ungradable.describe(), two_digits(r.speedup)),
        _ => format!("{} ({}×)", percent(r.share), two_digits(r.speedup)),
    }
}

/// `2026-03-15 14:03 UTC`.
fn when(at: Option<i64>) -> String {
    at.map_or("unknown".into(), |t| crate::clock::timestamp(t)[..16].replace('T', " ") + " UTC")
}

/// The exercises any report covers, in course order: a class graded with `--only` gets columns
/// for those alone, and points out of what was graded.
fn covered<'c>(course: &'c Course, class: &Class) -> Vec<&'c crate::course::Exercise> {
    let names: BTreeSet<&str> = class
        .entries
        .iter()
        .map(|e| e.report.exercise.as_str())
        .chain(class.apart.iter().map(|a| a.exercise.as_str()))
        .collect();
    course.exercises.iter().filter(|e| names.contains(e.name.as_str())).collect()
}

/// Every table of the page and the summary, in order.
pub fn tables(course: &Course, class: &Class) -> Vec<Table> {
    let exercises = covered(course, class);
    let on_time = best(class, false);
    let late = best(class, true);
    let learners: BTreeSet<&str> = class.entries.iter().map(|e| e.learner.as_str()).collect();
    let max_total: u32 = exercises
        .iter()
        .map(|ex| if ex.stages.is_empty() { 1 } else { ex.stages.iter().map(|s| s.tiers().len() as u32).sum() })
        .sum();

    let mut header = vec!["learner".to_string()];
    header.extend(exercises.iter().map(|e| e.name.clone()));
    header.push("points".into());
    let total = |learner: &str, table: &BTreeMap<(String, String), &Entry>| -> u32 {
        table.iter().filter(|((l, _), _)| l == learner).map(|(_, e)| e.report.points()).sum()
    };
    let rows = learners
        .iter()
        .map(|&learner| {
            let mut row = vec![learner.to_string()];
            for ex in &exercises {
                let key = (learner.to_string(), ex.name.clone());
                row.push(on_time.get(&key).map_or("–".into(), |e| cell(&e.report)));
            }
            row.push(format!("{}/{max_total}", total(learner, &on_time)));
            row
        })
        .collect();
    let deadlines: Vec<String> =
        exercises.iter().filter_map(|e| e.deadline.as_ref().map(|d| format!("{} {d}", e.name))).collect();
    let class_table = Table {
        title: "Class table".into(),
        note: format!(
            "Each learner's best report per exercise graded on time: points (one per tier reached, a stage without \
             tiers is worth 1, an exercise without a timed stage 1 when done) and, per timed stage, the median \
             share of the course solution's gain (0%: the starting code, 100%: the solution, on the same machine in \
             the same run), the speedup over the starting code in brackets. ❔: not gradable on the grading \
             machine (the solution itself gained too little there), neither met nor missed. Deadlines (end of the \
             day, UTC): {}.",
            if deadlines.is_empty() { "none".into() } else { deadlines.join(", ") }
        ),
        header,
        rows,
    };

    let mut totals: Vec<(&str, u32, usize, u32)> = learners
        .iter()
        .map(|&l| {
            let done = on_time.iter().filter(|((x, _), e)| x == l && e.report.status == Status::Done).count();
            (l, total(l, &on_time), done, total(l, &late))
        })
        .collect();
    totals.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
    let totals = Table {
        title: "Totals".into(),
        note: String::new(),
        header: ["learner", "points on time", "exercises done", "points on the late table"].map(String::from).to_vec(),
        rows: totals
            .into_iter()
            .map(|(l, p, d, late)| {
                vec![l.into(), format!("{p} of {max_total}"), format!("{d} of {}", exercises.len()), late.to_string()]
            })
            .collect(),
    };

    let mut place_rows = Vec::new();
    for ex in &exercises {
        for stage in &ex.stages {
            let label = format!("{} · {}", ex.name, stage.name);
            place_rows.extend(
                closest(class, &ex.name, &stage.name).into_iter().map(|p| place_row(&label, &stage.tiers(), p)),
            );
        }
    }
    let closest_table = Table {
        title: "Closest to or past the course's solution".into(),
        note: format!(
            "Each learner's best median share of the course solution's gain per stage over every counted report, \
             the first {PLACES} places: shares compare across machines, speedups do not. Shares equal as printed \
             (whole percents) share a rank; a stage not gradable on the grading machine is not ranked."
        ),
        header: [
            "exercise · stage",
            "rank",
            "learner",
            "share of the solution's gain",
            "speedup (the solution's)",
            "points (tiers)",
            "of the machine's limit",
        ]
        .map(String::from)
        .to_vec(),
        rows: place_rows,
    };

    let late_table = Table {
        title: "Late table".into(),
        note: "Reports graded after the exercise's deadline, by the grading runner's clock: each learner's best."
            .into(),
        header: ["learner", "exercise", "graded", "deadline", "result"].map(String::from).to_vec(),
        rows: late
            .iter()
            .map(|((l, x), e)| {
                let deadline =
                    course.find(x).ok().and_then(|ex| ex.deadline.as_ref()).map_or("–".into(), |d| d.to_string());
                vec![l.clone(), x.clone(), when(e.graded_at), deadline, cell(&e.report)]
            })
            .collect(),
    };

    let apart = Table {
        title: "Not counted".into(),
        note: "Reports whose verdict does not count: course files modified, graded against another version of the \
               course, or with another report schema (schema 1's targets were speedups, not shares)."
            .into(),
        header: ["learner", "exercise", "file", "why"].map(String::from).to_vec(),
        rows: class
            .apart
            .iter()
            .map(|a| vec![a.learner.clone(), a.exercise.clone(), a.file.clone(), a.why.clone()])
            .collect(),
    };
    let skipped = Table {
        title: "Files skipped".into(),
        note: String::new(),
        header: ["file", "why"].map(String::from).to_vec(),
        rows: class.skipped.iter().map(|s| vec![s.file.clone(), s.why.clone()]).collect(),
    };
    vec![class_table, totals, closest_table, late_table, apart, skipped]
}

/// A row of the table of those closest to the solution: `98%`, `13× (13×)`,
/// `3 of 3 (50% / 75% / 90%)`.
fn place_row(stage: &str, tiers: &[f64], p: Place) -> Vec<String> {
    let ladder = tiers.iter().map(|&t| percent(t)).collect::<Vec<_>>().join(" / ");
    vec![
        stage.to_string(),
        p.rank.to_string(),
        p.learner + if p.late { " (late)" } else { "" },
        percent(p.share),
        format!("{}× ({}×)", two_digits(p.speedup), two_digits(p.solution_speedup)),
        format!("{} of {} ({ladder})", p.points, tiers.len()),
        p.roof.unwrap_or_else(|| "–".into()),
    ]
}

/// One CSV field: quoted when it holds a comma, quote or line break (quotes doubled); text a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// One row per learner, exercise and stage (an exercise without stages: one row, no stage),
/// for the best report on time and the best late one, then the reports not counted. `share`,
/// `target` and `tiers` are shares of the course solution's gain; `share` is left empty where
/// the stage was not gradable (the solution gained too little there for it to mean anything).
pub fn csv(course: &Course, class: &Class) -> String {
    let mut out = String::from(
        "learner,exercise,stage,table,state,points,max_points,speedup,share,solution_speedup,target,tiers,\
         roofline_fraction,graded_at,file\n",
    );
    let mut row = |cells: Vec<String>| {
        out += &cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
        out.push('\n');
    };
    for (late, table) in [(false, "on time"), (true, "late")] {
        let best = best(class, late);
        for ex in &course.exercises {
            for ((learner, x), e) in best.iter().filter(|((_, x), _)| *x == ex.name) {
                let r = &e.report;
                let graded = e.graded_at.map(crate::clock::timestamp).unwrap_or_default();
                let common = |stage: &str, points: u32, max: u32| {
                    vec![
                        learner.clone(),
                        x.clone(),
                        stage.to_string(),
                        table.to_string(),
                        r.state().to_string(),
                        points.to_string(),
                        max.to_string(),
                    ]
                };
                if r.stages.is_empty() {
                    let mut cells = common("", r.points(), r.max_points());
                    cells.extend(["", "", "", "", "", ""].map(String::from));
                    cells.extend([graded.clone(), e.file.clone()]);
                    row(cells);
                }
                for s in &r.stages {
                    let mut cells = common(&s.name, r.stage_points(s), s.max_points());
                    let tiers: Vec<String> = s.ladder().iter().map(|t| t.to_string()).collect();
                    cells.extend([
                        s.result.as_ref().map_or(String::new(), |x| format!("{:.4}", x.speedup)),
                        gradable(s.result.as_ref()).map_or(String::new(), |x| format!("{:.4}", x.share)),
                        s.result.as_ref().map_or(String::new(), |x| format!("{:.4}", x.solution_speedup)),
                        s.target.to_string(),
                        tiers.join(" "),
                        s.roofline.as_ref().map_or(String::new(), |x| format!("{:.3}", x.fraction)),
                        graded.clone(),
                        e.file.clone(),
                    ]);
                    row(cells);
                }
            }
        }
    }
    for a in &class.apart {
        let state = format!("not counted: {}", a.why);
        row(vec![
            a.learner.clone(),
            a.exercise.clone(),
            String::new(),
            "not counted".into(),
            state,
            "0".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            a.file.clone(),
        ]);
    }
    out
}

/// A learner's dot on the chart: their best counted report's measurement of one stage.
struct Dot {
    share: f64,
    speedup: f64,
    solution_speedup: f64,
    met: bool,
    late: bool,
    learner: String,
}

/// One timed stage's line on the chart.
struct ChartRow {
    label: String,
    tiers: Vec<f64>,
    dots: Vec<Dot>,
    /// Learners whose stage was not gradable where it was graded: counted, but no dot.
    ungradable: usize,
}

/// Each covered timed stage with the dots of each learner's best counted reports, on time
/// then late.
fn chart_rows(course: &Course, class: &Class) -> Vec<ChartRow> {
    let mut rows = Vec::new();
    for ex in covered(course, class) {
        for stage in &ex.stages {
            let mut row = ChartRow {
                label: format!("{} · {}", ex.name, stage.name),
                tiers: stage.tiers(),
                dots: Vec::new(),
                ungradable: 0,
            };
            for late in [false, true] {
                for ((learner, x), e) in best(class, late) {
                    if x != ex.name {
                        continue;
                    }
                    let Some(s) = e.report.stages.iter().find(|s| s.name == stage.name) else { continue };
                    match gradable(s.result.as_ref()) {
                        Some(r) => row.dots.push(Dot {
                            share: r.share,
                            speedup: r.speedup,
                            solution_speedup: r.solution_speedup,
                            met: e.report.stage_points(s) > 0,
                            late,
                            learner,
                        }),
                        None => row.ungradable += usize::from(s.ungradable()),
                    }
                }
            }
            rows.push(row);
        }
    }
    rows
}

/// The gap between the chart's grid lines: 25%, doubled until at most eight gaps remain.
fn grid_step(hi: f64) -> f64 {
    let mut step = 0.25;
    while hi / step > 8.0 {
        step *= 2.0;
    }
    step
}

/// The distribution of shares of the course solution's gain per timed stage, on a linear axis
/// from 0 (the starting code; lower shares are drawn at 0) past 1 (the solution, a thin grey
/// line): a dot per learner (their best counted report; hollow when late), the target as a
/// black tick, higher tiers dashed, in `report`'s colours (green: target met, red: below it).
/// Shares, not speedups, so that learners graded on different machines line up. The file is
/// still `speedups.svg`, the name the course's documents use.
pub fn svg(course: &Course, class: &Class) -> String {
    let rows = chart_rows(course, class);
    let values = rows.iter().flat_map(|r| r.tiers.iter().copied().chain(r.dots.iter().map(|d| d.share)));
    let hi = values.fold(1.0f64, f64::max) * 1.15;
    let (left, width, row) = (240.0, 520.0, 30.0);
    let x = |v: f64| left + width * v.max(0.0).min(hi) / hi;
    let bottom = 10.0 + row * rows.len() as f64;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#,
        w = left + width + 230.0,
        h = bottom + 82.0
    );
    let step = grid_step(hi);
    for v in (0..).map(|k| f64::from(k) * step).take_while(|&v| v <= hi * 1.001) {
        let _ = write!(
            out,
            r##"<line x1="{t:.1}" x2="{t:.1}" y1="6" y2="{bottom}" stroke="#eee"/><text x="{t:.1}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
            bottom + 14.0,
            percent(v),
            t = x(v)
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{t:.1}" x2="{t:.1}" y1="6" y2="{bottom}" stroke="#999" stroke-width="1"/>"##,
        t = x(1.0)
    );
    for (k, r) in rows.iter().enumerate() {
        let y = 10.0 + row * k as f64;
        let mid = y + 11.0;
        let _ =
            write!(out, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 8.0, mid + 4.0, escape(&r.label));
        for (j, tier) in r.tiers.iter().enumerate() {
            let style = if j == 0 {
                r##"stroke="#222" stroke-width="2""##
            } else {
                r##"stroke="#888" stroke-width="1.5" stroke-dasharray="3 2""##
            };
            let _ = write!(
                out,
                r#"<line x1="{t:.1}" x2="{t:.1}" y1="{}" y2="{}" {style}/>"#,
                y - 2.0,
                y + 24.0,
                t = x(*tier)
            );
        }
        for (j, dot) in r.dots.iter().enumerate() {
            // Alternate rows inside the band, so equal shares stay visible.
            let dy = [0.0, -6.0, 6.0][j % 3];
            let colour = if dot.met { "#2a9d4b" } else { "#d1495b" };
            let fill = if dot.late { "white" } else { colour };
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{fill}" stroke="{colour}" stroke-width="1.5" fill-opacity="0.8"><title>{}: {} of the solution's gain ({}×, the solution {}×){}</title></circle>"#,
                x(dot.share),
                mid + dy,
                escape(&dot.learner),
                percent(dot.share),
                two_digits(dot.speedup),
                two_digits(dot.solution_speedup),
                if dot.late { " (late)" } else { "" }
            );
        }
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" fill="#555">{}</text>"##,
            left + width + 10.0,
            mid + 4.0,
            row_summary(r)
        );
    }
    let legend = [
        "each learner's best median share of the course solution's gain: 0% the starting code, 100% (grey line) \
         the solution, on the same machine in the same run",
        "black tick: the target; dashed: higher tiers · green: target met · red: below target · hollow: late",
        "not gradable where graded (the solution gained too little), tests failed or course files modified: no dot",
    ];
    for (k, line) in legend.iter().enumerate() {
        let _ = write!(out, r##"<text x="10" y="{}" fill="#555">{line}</text>"##, bottom + 36.0 + 16.0 * k as f64);
    }
    out + "</svg>"
}

/// The text right of a chart row: `n = 12, median 75%, 2 not gradable here`.
fn row_summary(r: &ChartRow) -> String {
    let mut parts = Vec::new();
    if !r.dots.is_empty() {
        let mut shares: Vec<f64> = r.dots.iter().map(|d| d.share).collect();
        shares.sort_by(f64::total_cmp);
        parts.push(format!("n = {}, median {}", shares.len(), percent(grading::timeit::median(&shares))));
    }
    if r.ungradable > 0 {
        parts.push(format!("{} {}", r.ungradable, Status::Ungradable.describe()));
    }
    if parts.is_empty() { "no measurement".into() } else { parts.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{StageReport, points};
    use crate::course::Side;

    /// The course solution's speedup in the tests' results: 2×, 4×, 8×, 16× and 32× are exactly
    /// 25%, 50%, 75%, 100% and 125% of its gain.
    const SOLUTION: f64 = 16.0;

    fn course() -> Course {
        let text = "[[exercise]]\nname = \"heat\"\ndir = \"01-profiling-heat\"\ntitle = \"t\"\nstart = \"slow\"\n\
                    deadline = 2026-03-15\n\
                    stages = [{ name = \"evolve\", target = 0.5, tiers = [0.5, 0.75, 0.9] }]\n\n\
                    [[exercise]]\nname = \"interop\"\ndir = \"07-c-interop\"\ntitle = \"t\"\nstart = \"todo\"\n";
        Course::parse(text, &crate::root()).unwrap()
    }

    /// A heat report: `speedup` over the starting code where the course's solution made
    /// `solution`, or wrong results (nothing measured).
    fn heat_on(course: &Course, speedup: Option<f64>, solution: f64) -> CheckReport {
        let mut r = CheckReport::new(course.find("heat").unwrap(), Side::Exercise);
        r.stages[0].result = speedup.map(|x| StageResult::steady("evolve", 0.5, x, solution));
        r.status = match r.stages[0].result.as_ref().map(|x| x.verdict) {
            Some(Verdict::Met) => Status::Done,
            Some(Verdict::Missed) => Status::Slow,
            Some(Verdict::Ungradable) => Status::Ungradable,
            None => Status::Wrong,
        };
        r.stages[0].score();
        r
    }

    fn heat(course: &Course, speedup: Option<f64>) -> CheckReport {
        heat_on(course, speedup, SOLUTION)
    }

    fn interop(course: &Course, done: bool) -> CheckReport {
        let mut r = CheckReport::new(course.find("interop").unwrap(), Side::Exercise);
        r.status = if done { Status::Done } else { Status::Wrong };
        r
    }

    const SEAL: &str = "5eal";

    fn doc(learner: &str, at: &str, reports: Vec<CheckReport>) -> Document {
        Document {
            file: format!("{learner}.json"),
            learner: learner.into(),
            commit: Some("c0ffee".into()),
            seal: Some(SEAL.into()),
            graded_at: crate::clock::parse_time(at),
            schema: SCHEMA,
            reports,
        }
    }

    fn trusted() -> Trusted {
        Trusted { seal: Some(SEAL.into()), commit: Some("c0ffee".into()) }
    }

    fn markdown(course: &Course, class: &Class) -> String {
        tables(course, class).iter().map(Table::markdown).collect()
    }

    #[test]
    fn tier_boundaries_count_exactly_on_a_threshold() {
        let tiers = [0.5, 0.75, 0.9];
        assert_eq!(points(&tiers, false, 0.49), 0, "missed");
        assert_eq!(points(&tiers, true, 0.5), 1, "exactly on the target");
        assert_eq!(points(&tiers, true, 0.7499), 1, "between the first two");
        assert_eq!(points(&tiers, true, 0.75), 2, "exactly on the second");
        assert_eq!(points(&tiers, true, 0.8999), 2);
        assert_eq!(points(&tiers, true, 0.9), 3, "exactly on the top");
        assert_eq!(points(&tiers, true, 1.8), 3, "past the solution: no more than the top");
        assert_eq!(points(&tiers, false, 1.5), 0, "a missed verdict earns nothing, whatever the median");
        assert_eq!(points(&[0.5], true, 1.9), 1, "one tier, one point");

        let course = course();
        let mut r = heat(&course, Some(4.0));
        assert_eq!((r.stages[0].points, r.stages[0].next_tier), (1, Some(0.75)), "4× of 16× is exactly 50%");
        r = heat(&course, Some(8.0));
        assert_eq!((r.stages[0].points, r.stages[0].next_tier), (2, Some(0.9)), "8× of 16× is exactly 75%");
        assert_eq!(r.stages[0].tier_text().unwrap(), "tier 2 of 3 (75%), next 90%");
        r = heat(&course, Some(32.0));
        assert_eq!((r.stages[0].points, r.stages[0].next_tier), (3, None));
        assert_eq!(r.stages[0].tier_text().unwrap(), "tier 3 of 3 (90%), the top");
        assert_eq!((r.points(), r.max_points()), (3, 3));
        r = heat(&course, Some(3.0));
        assert_eq!((r.points(), r.stages[0].next_tier), (0, Some(0.5)));
        assert_eq!(crate::check::export::points_text(&r, &r.stages[0]), "points 0 of 3; next tier 50%");
        // Met while tasks are open (or results wrong): shown, but no point counts.
        r = heat(&course, Some(8.0));
        r.status = Status::Wrong;
        assert_eq!((r.points(), r.stage_points(&r.stages[0]), r.stages[0].earned()), (0, 0, 2));
        assert_eq!(
            crate::check::export::points_text(&r, &r.stages[0]),
            "points 0 of 3; none count until every task passes"
        );
        // An exercise without a timed stage: 1 point when done; a tampered one none.
        assert_eq!((interop(&course, true).points(), interop(&course, false).points()), (1, 0));
        let mut tampered = heat(&course, Some(32.0));
        tampered.status = Status::Tampered;
        assert_eq!(tampered.points(), 0);
        // A report written before tiers reads as the target alone.
        let old = StageReport { tiers: vec![], ..heat(&course, Some(32.0)).stages[0].clone() };
        assert_eq!((old.earned(), old.max_points(), old.tier_text()), (1, 1, None));
    }

    #[test]
    fn tiers_are_validated_when_the_course_is_loaded() {
        let registry = |stage: &str| {
            format!(
                "[[exercise]]\nname = \"heat\"\ndir = \"01-profiling-heat\"\ntitle = \"t\"\nstart = \"slow\"\nstages = [{stage}]\n"
            )
        };
        let error = |stage: &str| format!("{:#}", Course::parse(&registry(stage), &crate::root()).unwrap_err());
        assert!(Course::parse(&registry("{ name = \"a\", target = 0.5, tiers = [0.5, 0.8] }"), &crate::root()).is_ok());
        let text = error("{ name = \"a\", target = 0.5, tiers = [0.6, 0.8] }");
        assert!(
            text.contains("exercise 'heat', stage 'a'") && text.contains("tiers must start with the target"),
            "{text}"
        );
        let text = error("{ name = \"a\", target = 0.5, tiers = [0.5, 0.8, 0.8] }");
        assert!(text.contains("tiers must rise") && text.contains("0.8 then 0.8"), "{text}");
        let text = error("{ name = \"a\", target = 0.5, tiers = [0.5, 3.0] }");
        assert!(text.contains("tiers must rise") && text.contains("at most 2"), "above the maximum share: {text}");
        let late = |deadline: &str| {
            format!(
                "[[exercise]]\nname = \"heat\"\ndir = \"01-profiling-heat\"\ntitle = \"t\"\nstart = \"slow\"\ndeadline = {deadline}\n"
            )
        };
        let heat = Course::parse(&late("2026-03-15"), &crate::root()).unwrap();
        assert_eq!(heat.exercises[0].late_from(), crate::clock::parse_time("2026-03-16T00:00:00Z"));
        for bad in ["2026-03-15T12:00:00Z", "12:00:00", "2026-03-15T12:00:00"] {
            let text = format!("{:#}", Course::parse(&late(bad), &crate::root()).unwrap_err());
            assert!(text.contains("deadline must be a date such as `deadline = 2026-03-15`"), "{bad}: {text}");
        }
    }

    #[test]
    fn late_reports_go_to_the_late_table_by_the_runners_clock() {
        let course = course();
        let documents = vec![
            doc("ann", "2026-03-15T23:59:59Z", vec![heat(&course, Some(8.0)), interop(&course, true)]),
            doc("ann", "2026-03-16T00:00:00Z", vec![heat(&course, Some(16.0))]),
            doc("bob", "2026-03-20T10:00:00Z", vec![heat(&course, Some(4.0)), interop(&course, true)]),
        ];
        let class = sort_out(&course, documents, &trusted());
        assert_eq!(class.apart, vec![]);
        let on_time = best(&class, false);
        let late = best(&class, true);
        assert_eq!(on_time[&("ann".into(), "heat".into())].report.points(), 2, "the last second of the day is on time");
        assert_eq!(late[&("ann".into(), "heat".into())].report.points(), 3, "the first second after is late");
        assert!(!on_time.contains_key(&("bob".into(), "heat".into())));
        assert!(on_time.contains_key(&("bob".into(), "interop".into())), "no deadline, never late");
        let md = markdown(&course, &class);
        assert!(md.contains("| ann | ✅ 2/3 · 75% (8×) | ✅ 1/1 | 3/4 |"), "the share first, then the speedup: {md}");
        assert!(md.contains("| bob | – | ✅ 1/1 | 1/4 |"), "{md}");
        assert!(md.contains("| ann | heat | 2026-03-16 00:00 UTC | 2026-03-15 | ✅ 3/3 · 100% (16×) |"), "{md}");
        assert!(md.contains("| bob | heat | 2026-03-20 10:00 UTC | 2026-03-15 | ✅ 1/3 · 50% (4×) |"), "{md}");
        assert!(md.contains("| ann | 3 of 4 | 2 of 2 | 3 |"), "{md}");
        // A report with no time, for an exercise with a deadline: apart.
        let mut untimed = doc("cat", "", vec![heat(&course, Some(9.0)), interop(&course, true)]);
        untimed.graded_at = None;
        let class = sort_out(&course, vec![untimed], &trusted());
        assert_eq!(class.entries.len(), 1);
        assert!(class.apart[0].why.contains("no grading time"), "{:?}", class.apart);
    }

    #[test]
    fn ties_share_a_rank_as_printed() {
        let course = course();
        let at = "2026-03-01T10:00:00Z";
        let documents = vec![
            doc("dan", at, vec![heat(&course, Some(8.05))]), // 75.2% of the solution's gain
            doc("amy", at, vec![heat(&course, Some(7.96))]), // 74.8%
            doc("eve", at, vec![heat(&course, Some(32.0))]), // 125%: past the solution
            doc("bob", at, vec![heat(&course, Some(5.35))]), // 60.5%
            doc("cid", at, vec![heat(&course, Some(5.28))]), // 60.0%
            doc("fay", at, vec![heat(&course, Some(1.32))]), // 10%, below the target
            doc("gus", at, vec![heat(&course, None)]),
            // A second, slower report of eve's: her best counts.
            doc("eve", "2026-03-02T10:00:00Z", vec![heat(&course, Some(2.5))]),
        ];
        let class = sort_out(&course, documents, &trusted());
        let ranks: Vec<(usize, String)> =
            closest(&class, "heat", "evolve").into_iter().map(|p| (p.rank, p.learner)).collect();
        let want = [(1, "eve"), (2, "amy"), (2, "dan"), (4, "bob"), (4, "cid")];
        assert_eq!(ranks, want.map(|(r, l)| (r, l.to_string())).to_vec(), "75.2% and 74.8% both print 75%; fay is 6th");
        let md = markdown(&course, &class);
        assert!(md.contains("| heat · evolve | 1 | eve | 125% | 32× (16×) | 3 of 3 (50% / 75% / 90%) | – |"), "{md}");
        // One more tied with the fifth place is listed too; gus, not measured, never is.
        let mut more = sort_out(&course, vec![doc("hal", at, vec![heat(&course, Some(5.34))])], &trusted());
        more.entries.extend(class.entries.clone());
        let ranks: Vec<usize> = closest(&more, "heat", "evolve").into_iter().map(|p| p.rank).collect();
        assert_eq!(ranks, [1, 2, 2, 4, 4, 4]);
        let svg = svg(&course, &class);
        assert_eq!(svg.matches("<circle").count(), 6, "{svg}");
        assert_eq!(svg.matches("#d1495b\" stroke-width").count(), 1, "fay's 10% is below the target: {svg}");
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "two tiers above the target");
        assert_eq!(svg.matches("stroke=\"#999\"").count(), 1, "one grey line, the solution's: {svg}");
        assert!(svg.contains("<title>fay: 10% of the solution's gain (1.32×, the solution 16×)</title>"), "{svg}");
    }

    #[test]
    fn a_stage_not_gradable_here_is_said_so_and_not_ranked() {
        let course = course();
        let at = "2026-03-01T10:00:00Z";
        let documents = vec![
            doc("ann", at, vec![heat(&course, Some(8.0))]),
            // The solution made only 1.1× on ivy's grading machine: her share means nothing.
            doc("ivy", at, vec![heat_on(&course, Some(1.05), 1.1)]),
        ];
        let class = sort_out(&course, documents, &trusted());
        assert_eq!(class.entries.len(), 2, "counted, not apart");
        let md = markdown(&course, &class);
        assert!(md.contains("| ivy | ❔ 0/3 · not gradable here (1.05×) | 0/3 |"), "{md}");
        assert!(!md.contains('❌'), "not gradable is no miss: {md}");
        let ranked: Vec<String> = closest(&class, "heat", "evolve").into_iter().map(|p| p.learner).collect();
        assert_eq!(ranked, ["ann"]);
        let svg = svg(&course, &class);
        assert_eq!(svg.matches("<circle").count(), 1, "{svg}");
        assert!(svg.contains("n = 1, median 75%, 1 not gradable here"), "{svg}");
        let csv = csv(&course, &class);
        assert!(csv.contains("ivy,heat,evolve,on time,not gradable here,0,3,1.0500,,1.1000,0.5,"), "no share: {csv}");
    }

    #[test]
    fn reports_of_schema_1_are_listed_apart() {
        let course = course();
        let mut old = serde_json::json!({
            "submission": "ann", "course_commit": "c0ffee", "course_seal": SEAL,
            "graded_at": "2026-03-01T10:00:00Z", "schema": 1, "reports": [heat(&course, Some(8.0))],
        });
        // As schema 1 wrote it: a speedup target, no share; not readable as this schema's.
        old["reports"][0]["schema"] = 1.into();
        old["reports"][0]["stages"][0]["target"] = 2.0.into();
        old["reports"][0]["stages"][0]["result"] = serde_json::json!({ "speedup": 8.0, "target": 2.0 });
        let documents = parse_documents("ann.json", "ann", &old.to_string()).unwrap();
        assert_eq!((documents[0].schema, documents[0].reports.len()), (1, 0));
        let class = sort_out(&course, documents, &trusted());
        assert!(class.entries.is_empty());
        let why = "graded with report schema 1 (speedup targets); regrade with this course";
        let want = Apart {
            learner: "ann".into(),
            exercise: "every exercise".into(),
            file: "ann.json".into(),
            why: why.into(),
        };
        assert_eq!(class.apart, vec![want]);
        assert!(markdown(&course, &class).contains(&format!("| ann | every exercise | ann.json | {why} |")));
        // A schema 1 report inside a current document: that exercise apart, the others counted.
        let mut stray = heat(&course, Some(8.0));
        stray.schema = 1;
        let class = sort_out(
            &course,
            vec![doc("bob", "2026-03-01T10:00:00Z", vec![stray, interop(&course, true)])],
            &trusted(),
        );
        assert_eq!(class.entries.iter().map(|e| e.report.exercise.as_str()).collect::<Vec<_>>(), ["interop"]);
        assert_eq!((class.apart[0].exercise.as_str(), class.apart[0].why.as_str()), ("heat", why));
    }

    #[test]
    fn malformed_and_foreign_files_are_named_and_skipped() {
        let dir = std::env::temp_dir().join(format!("xtask-class-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("artifact")).unwrap();
        let course = course();
        let good = serde_json::json!({
            "submission": "ann", "path": "/x", "course_commit": "c0ffee", "course_seal": SEAL,
            "graded_at": "2026-03-01T10:00:00Z", "schema": SCHEMA, "reports": [heat(&course, Some(8.0))],
        });
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        write("artifact/ann.json", &good.to_string());
        write("artifact/ann.junit.xml", "<testsuites/>");
        write("artifact/ann.md", "# table");
        write("broken.json", "{ \"reports\": [");
        write("figures.json", "{ \"rows\": [] }");
        write("future.json", "{ \"schema\": 3, \"reports\": [{ \"unknown\": true }] }");
        write("unnumbered.json", "{ \"reports\": [] }");
        write("notes.txt", "hello");
        let mut other = good.clone();
        other["course_seal"] = "another".into();
        other["submission"] = "bob".into();
        write("bob.json", &other.to_string());
        let mut bad_time = good.clone();
        bad_time["graded_at"] = "yesterday".into();
        write("cat.json", &bad_time.to_string());
        let mut no_name = good.clone();
        no_name.as_object_mut().unwrap().remove("submission");
        let mut tampered = heat(&course, Some(32.0));
        tampered.exercise = "interop".into();
        tampered.status = Status::Tampered;
        tampered.tampered = vec!["exercises/07-c-interop/build.rs (added)".into()];
        no_name["reports"] = serde_json::json!([heat(&course, Some(4.0)), tampered]);
        write("dan.json", &no_name.to_string());
        write("array.json", &serde_json::json!([good.clone(), 3]).to_string());

        let (documents, skipped) = read_folder(&dir).unwrap();
        let why = |file: &str| skipped.iter().find(|s| s.file == file).map(|s| s.why.clone()).unwrap_or_default();
        assert!(why("broken.json").starts_with("not valid JSON"), "{skipped:?}");
        assert_eq!(why("figures.json"), "not a submission report: it has no `reports` list");
        assert_eq!(why("unnumbered.json"), "not a submission report: it has no `schema` number");
        assert_eq!(why("notes.txt"), "not a `.json` report");
        assert!(why("cat.json").contains("`graded_at` is \"yesterday\""), "{skipped:?}");
        assert!(why("array.json").contains("(item 2)"), "{skipped:?}");
        assert_eq!(skipped.len(), 6, "the JUnit and Markdown companions are not reports, silently: {skipped:?}");
        let learners: Vec<&str> = documents.iter().map(|d| d.learner.as_str()).collect();
        assert_eq!(learners, ["ann", "bob", "dan", "future"], "named by the field, else the file");

        let class = sort_out(&course, documents, &trusted());
        assert_eq!(class.entries.iter().map(|e| e.learner.as_str()).collect::<Vec<_>>(), ["ann", "dan"]);
        assert_eq!(class.apart.len(), 3, "{:?}", class.apart);
        assert!(class.apart[0].learner == "bob" && class.apart[0].why.contains("another version of the course"));
        assert!(class.apart[1].why.contains("course files modified: exercises/07-c-interop/build.rs (added)"));
        assert!(
            class.apart[2].learner == "future" && class.apart[2].why.contains("schema 3, newer than this runner's 2")
        );
        let csv = csv(&course, &class);
        assert!(csv.starts_with(
            "learner,exercise,stage,table,state,points,max_points,speedup,share,solution_speedup,target,tiers,\
             roofline_fraction,graded_at,file\n"
        ));
        assert!(
            csv.contains(
                "dan,heat,evolve,on time,target met,1,3,4.0000,0.5000,16.0000,0.5,0.5 0.75 0.9,,2026-03-01T10:00:00Z,dan.json"
            ),
            "{csv}"
        );
        assert!(csv.contains("bob,every exercise,,not counted,\"not counted: graded against"), "{csv}");
        assert!(csv.lines().all(|l| l.matches(',').count() >= 14), "every row has every column: {csv}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn grading_times_are_read_strictly() {
        assert_eq!(crate::clock::parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            crate::clock::parse_time("2026-03-15T14:03:09Z").map(crate::clock::timestamp).as_deref(),
            Some("2026-03-15T14:03:09Z")
        );
        for bad in ["2026-03-15", "2026-03-15T14:03:09", "2026-13-15T14:03:09Z", "2026-03-15 14:03:09Z", "x"] {
            assert_eq!(crate::clock::parse_time(bad), None, "{bad}");
        }
    }
}
