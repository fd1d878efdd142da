//! `class`: one table of a class's results, from the reports `grade-submissions` writes.
//!
//! The folder holds `<name>.json` files (the `grade-report` artifacts of `grade.yml`, or an
//! instructor's `grade-submissions --out`), one per learner and grading; subfolders are read
//! too, as downloaded artifacts come one folder each. The learner is the document's `learner`
//! or `submission` field, else the file's name. Out come an HTML page, a Markdown summary, a
//! CSV and an SVG chart (`target/class/` unless `--out`):
//!
//! - the class table, learner × exercise: state, points, speedups; totals per learner;
//! - the fastest submissions of each timed stage (speedups equal as printed share a rank:
//!   the grader's noise is larger than the digits dropped);
//! - the late table: an exercise's report graded after its `deadline` (`course.toml`) is scored
//!   there, not in the class table, as the runner's clock recorded it (`graded_at`);
//! - apart, not counted: exercises reported `tampered` (course files modified, or in a
//!   submission "modified, not graded"), and reports graded against another version of the
//!   course (another seal, see [`Trusted`]) or with no grading time where a deadline applies;
//! - a file that is no report (not JSON, another kind of JSON, another schema) is named with
//!   the reason and skipped: one bad file never hides a class.
//!
//! A learner graded several times keeps their best counted report per exercise (most points,
//! then done before slow, then the fastest), on time and late separately.

use crate::check::render::two_digits;
use crate::check::{CheckReport, SCHEMA, Status};
use crate::course::Course;
use crate::report::escape;
use crate::term;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How many submissions each stage's fastest table lists (more when the last places tie).
const FASTEST: usize = 5;

/// What a report must have been graded against to count: this course's committed seal (the
/// SHA-256 of `integrity.toml` at `HEAD`, which covers everything a verdict depends on), or,
/// for a report written before seals were recorded, this very commit.
#[derive(Debug, Clone, Default)]
pub struct Trusted {
    pub seal: Option<String>,
    pub commit: Option<String>,
}

/// A submission document as read: the fields `grade-submissions` writes, all optional but the
/// `check --all --json` part, so that what is missing can be named.
#[derive(Deserialize)]
struct Incoming {
    #[serde(default)]
    learner: Option<String>,
    #[serde(default)]
    submission: Option<String>,
    #[serde(default)]
    course_commit: Option<String>,
    #[serde(default)]
    course_seal: Option<String>,
    #[serde(default)]
    graded_at: Option<String>,
    reports: Vec<CheckReport>,
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
        seal: crate::submission::committed_seal(root).ok(),
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
         <h2>Speedups per stage</h2>{chart}{}</body>",
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
        match object.get("schema").and_then(|s| s.as_u64()) {
            Some(schema) if schema == u64::from(SCHEMA) => {}
            Some(schema) => return Err(format!("report schema {schema}{at}: this runner reads schema {SCHEMA}")),
            None => return Err(format!("not a submission report{at}: it has no `schema` number")),
        }
        let incoming: Incoming =
            serde_json::from_value(item).map_err(|e| format!("not a submission report{at}: {e}"))?;
        let graded_at = match incoming.graded_at.as_deref() {
            Some(text) => Some(
                parse_time(text)
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
            reports: incoming.reports,
        });
    }
    Ok(documents)
}

/// `2026-03-15T14:03:09Z` (what `grade-submissions` writes) to seconds since 1970-01-01 UTC.
pub fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let shape = b.len() == 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    if !shape || b[19] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| text.get(from..to)?.parse::<u32>().ok();
    let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, min, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || min > 59 || s > 60 {
        return None;
    }
    let days = crate::course::days_from_civil(i64::from(y), m, d);
    Some(days * 86_400 + i64::from(h * 3600 + min * 60 + s))
}

/// Sorts every document's reports into counted (on time or late) and apart.
pub fn sort_out(course: &Course, documents: Vec<Document>, trusted: &Trusted) -> Class {
    let mut class = Class::default();
    for doc in documents {
        if let Some(why) = foreign(&doc, trusted) {
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

/// How good a report is, for keeping a learner's best: points, then state, then the product of
/// its speedups (each stage alike, whatever its scale).
fn merit(r: &CheckReport) -> (u32, Status, f64) {
    let log_sum: f64 = r.stages.iter().filter_map(|s| s.result.as_ref()).map(|x| x.speedup.max(1e-9).ln()).sum();
    (r.points(), r.status, log_sum)
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

/// A speedup rounded as it is printed: equal ones tie.
fn as_shown(x: f64) -> f64 {
    two_digits(x).parse().unwrap_or(x)
}

/// One row of a fastest table.
#[derive(Debug, Clone, PartialEq)]
pub struct Fast {
    pub rank: usize,
    pub learner: String,
    pub speedup: f64,
    pub points: u32,
    pub roof: Option<String>,
    pub late: bool,
}

/// The fastest learners of one stage: each learner's best measured speedup over every counted
/// report (late ones marked), ranked as printed (ties share a rank, 1, 1, 3, named in
/// alphabetical order), the first `FASTEST` places and any tied with the last.
pub fn fastest(class: &Class, exercise: &str, stage: &str) -> Vec<Fast> {
    let mut best: BTreeMap<&str, Fast> = BTreeMap::new();
    for e in class.entries.iter().filter(|e| e.report.exercise == exercise) {
        let Some(s) = e.report.stages.iter().find(|s| s.name == stage) else { continue };
        let Some(result) = &s.result else { continue };
        let fast = Fast {
            rank: 0,
            learner: e.learner.clone(),
            speedup: result.speedup,
            points: s.earned(),
            roof: s.roofline.as_ref().map(|r| r.short()),
            late: e.late,
        };
        match best.get(e.learner.as_str()) {
            Some(old) if old.speedup >= fast.speedup => {}
            _ => {
                best.insert(&e.learner, fast);
            }
        }
    }
    let mut rows: Vec<Fast> = best.into_values().collect();
    rows.sort_by(|a, b| as_shown(b.speedup).total_cmp(&as_shown(a.speedup)).then_with(|| a.learner.cmp(&b.learner)));
    let shown: Vec<f64> = rows.iter().map(|r| as_shown(r.speedup)).collect();
    for (k, row) in rows.iter_mut().enumerate() {
        row.rank = 1 + shown[..k].iter().filter(|&&x| x > shown[k]).count();
    }
    let cut = rows.get(FASTEST.saturating_sub(1)).map(|r| r.rank);
    rows.into_iter().enumerate().take_while(|(k, r)| *k < FASTEST || Some(r.rank) == cut).map(|(_, r)| r).collect()
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

/// A cell of the class table: `✅ 3/3 · 8.4×`, `❌ 0/1 · 1.2× (correct but slow)`.
fn cell(r: &CheckReport) -> String {
    let mark = if r.status == Status::Done { "✅" } else { "❌" };
    let speedups: Vec<String> = r.speedups().map(|(_, x)| format!("{}×", two_digits(x))).collect();
    let speedups = if speedups.is_empty() { String::new() } else { format!(" · {}", speedups.join(", ")) };
    let state = if r.status == Status::Done { String::new() } else { format!(" ({})", r.state()) };
    format!("{mark} {}/{}{speedups}{state}", r.points(), r.max_points())
}

/// `2026-03-15 14:03 UTC`.
fn when(at: Option<i64>) -> String {
    at.map_or("unknown".into(), |t| crate::submission::timestamp(t)[..16].replace('T', " ") + " UTC")
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
             tiers is worth 1, an exercise without a timed stage 1 when done) and the median speedups. Deadlines \
             (end of the day, UTC): {}.",
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

    let mut fast_rows = Vec::new();
    for ex in &exercises {
        for stage in &ex.stages {
            let tiers = stage.tiers().iter().map(|t| format!("{}×", two_digits(*t))).collect::<Vec<_>>().join(" / ");
            for f in fastest(class, &ex.name, &stage.name) {
                fast_rows.push(vec![
                    format!("{} · {}", ex.name, stage.name),
                    f.rank.to_string(),
                    f.learner.clone() + if f.late { " (late)" } else { "" },
                    format!("{}×", two_digits(f.speedup)),
                    format!("{} of {} ({tiers})", f.points, stage.tiers().len()),
                    f.roof.unwrap_or_else(|| "–".into()),
                ]);
            }
        }
    }
    let fastest_table = Table {
        title: "Fastest submissions".into(),
        note: format!(
            "Each learner's best median speedup per stage over every counted report, the first {FASTEST} places; \
             speedups equal as printed share a rank."
        ),
        header: ["exercise · stage", "rank", "learner", "speedup", "points (tiers)", "of the machine's limit"]
            .map(String::from)
            .to_vec(),
        rows: fast_rows,
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
        note: "Reports whose verdict does not count: course files modified, or graded against another version of the \
               course."
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
    vec![class_table, totals, fastest_table, late_table, apart, skipped]
}

/// One CSV field: quoted when it holds a comma, quote or line break (quotes doubled); text a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// One row per learner, exercise and stage (an exercise without stages: one row, no stage),
/// for the best report on time and the best late one, then the reports not counted.
pub fn csv(course: &Course, class: &Class) -> String {
    let mut out = String::from(
        "learner,exercise,stage,table,state,points,max_points,speedup,target,tiers,roofline_fraction,graded_at,file\n",
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
                let graded = e.graded_at.map(crate::submission::timestamp).unwrap_or_default();
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
                    cells.extend(["", "", "", ""].map(String::from));
                    cells.extend([graded.clone(), e.file.clone()]);
                    row(cells);
                }
                for s in &r.stages {
                    let mut cells = common(&s.name, s.earned(), s.max_points());
                    let tiers: Vec<String> = s.ladder().iter().map(|t| t.to_string()).collect();
                    cells.extend([
                        s.result.as_ref().map_or(String::new(), |x| format!("{:.4}", x.speedup)),
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
            a.file.clone(),
        ]);
    }
    out
}

/// A learner's dot on the chart: speedup, target met, late, name.
type Dot = (f64, bool, bool, String);

/// The distribution of speedups per timed stage, log scale: a dot per learner (their best
/// counted report; hollow when late), the target as a black tick, higher tiers dashed, in
/// `report`'s colours (green: target met, red: below it).
pub fn svg(course: &Course, class: &Class) -> String {
    let mut rows: Vec<(String, Vec<f64>, Vec<Dot>)> = Vec::new();
    for ex in covered(course, class) {
        for stage in &ex.stages {
            let mut dots = Vec::new();
            for late in [false, true] {
                for ((learner, x), e) in best(class, late) {
                    if x != ex.name {
                        continue;
                    }
                    let Some(s) = e.report.stages.iter().find(|s| s.name == stage.name) else { continue };
                    if let Some(r) = &s.result {
                        dots.push((r.speedup, s.earned() > 0, late, learner));
                    }
                }
            }
            rows.push((format!("{} · {}", ex.name, stage.name), stage.tiers(), dots));
        }
    }
    let values = rows.iter().flat_map(|(_, tiers, dots)| tiers.iter().copied().chain(dots.iter().map(|d| d.0)));
    let (lo, hi) = values.fold((1.0f64, 10.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = (10f64.powf((lo / 1.5).log10().floor()), 10f64.powf((hi * 1.5).log10().ceil()));
    let (left, width, row) = (240.0, 520.0, 30.0);
    let x = |v: f64| left + width * ((v.max(lo).log10() - lo.log10()) / (hi.log10() - lo.log10()));
    let height = row * rows.len() as f64 + 76.0;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#,
        w = left + width + 150.0
    );
    let bottom = 10.0 + row * rows.len() as f64;
    let mut decade = lo;
    while decade <= hi * 1.001 {
        for m in [1.0, 2.0, 5.0] {
            let v = decade * m;
            if v > hi * 1.001 {
                break;
            }
            let _ = write!(
                out,
                r##"<line x1="{t:.1}" x2="{t:.1}" y1="6" y2="{bottom}" stroke="#eee"/><text x="{t:.1}" y="{}" text-anchor="middle" fill="#555">{}×</text>"##,
                bottom + 14.0,
                two_digits(v),
                t = x(v)
            );
        }
        decade *= 10.0;
    }
    for (k, (label, tiers, dots)) in rows.iter().enumerate() {
        let y = 10.0 + row * k as f64;
        let mid = y + 11.0;
        let _ = write!(out, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 8.0, mid + 4.0, escape(label));
        for (j, tier) in tiers.iter().enumerate() {
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
        for (j, (speedup, met, late, learner)) in dots.iter().enumerate() {
            // Alternate rows inside the band, so equal speedups stay visible.
            let dy = [0.0, -6.0, 6.0][j % 3];
            let colour = if *met { "#2a9d4b" } else { "#d1495b" };
            let fill = if *late { "white" } else { colour };
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{fill}" stroke="{colour}" stroke-width="1.5" fill-opacity="0.8"><title>{}: {}×{}</title></circle>"#,
                x(*speedup),
                mid + dy,
                escape(learner),
                two_digits(*speedup),
                if *late { " (late)" } else { "" }
            );
        }
        let summary = if dots.is_empty() {
            "no measurement".to_string()
        } else {
            let mut xs: Vec<f64> = dots.iter().map(|d| d.0).collect();
            xs.sort_by(f64::total_cmp);
            format!("n = {}, median {}×", xs.len(), two_digits(grading::timeit::median(&xs)))
        };
        let _ = write!(out, r##"<text x="{}" y="{}" fill="#555">{summary}</text>"##, left + width + 10.0, mid + 4.0);
    }
    let _ = write!(
        out,
        r##"<text x="10" y="{}" fill="#555">each learner's best median speedup over the starting code, log scale; black tick: the target; dashed: higher tiers</text><text x="10" y="{}" fill="#555">green: target met · red: below target · hollow: late · tests failed or course files modified: not measured, no dot</text></svg>"##,
        bottom + 36.0,
        bottom + 52.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{StageReport, points};
    use crate::course::Side;
    use grading::protocol::{StageResult, Verdict};

    fn course() -> Course {
        let text = "[[exercise]]\nname = \"heat\"\ndir = \"01-profiling-heat\"\ntitle = \"t\"\nstart = \"slow\"\n\
                    deadline = 2026-03-15\n\
                    stages = [{ name = \"evolve\", target = 2.0, tiers = [2.0, 5.0, 10.0] }]\n\n\
                    [[exercise]]\nname = \"interop\"\ndir = \"07-c-interop\"\ntitle = \"t\"\nstart = \"todo\"\n";
        Course::parse(text, &crate::root()).unwrap()
    }

    fn result(speedup: f64, target: f64) -> StageResult {
        StageResult {
            name: "evolve".into(),
            target,
            verdict: if speedup >= target { Verdict::Met } else { Verdict::Missed },
            conclusive: true,
            speedup,
            interval: [speedup * 0.95, speedup * 1.05],
            confidence: 0.96,
            pairs: 15,
            baseline_seconds: 1e-3,
            candidate_seconds: 1e-3 / speedup,
            calls_per_sample: [10, 10],
            work: None,
            ratios: vec![speedup; 15],
        }
    }

    fn heat(course: &Course, speedup: Option<f64>) -> CheckReport {
        let mut r = CheckReport::new(course.find("heat").unwrap(), Side::Exercise);
        r.status = match speedup {
            Some(x) if x >= 2.0 => Status::Done,
            Some(_) => Status::Slow,
            None => Status::Wrong,
        };
        r.stages[0].result = speedup.map(|x| result(x, 2.0));
        r.stages[0].score();
        r
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
            graded_at: parse_time(at),
            reports,
        }
    }

    fn trusted() -> Trusted {
        Trusted { seal: Some(SEAL.into()), commit: Some("c0ffee".into()) }
    }

    #[test]
    fn tier_boundaries_count_exactly_on_a_threshold() {
        let tiers = [2.0, 5.0, 10.0];
        assert_eq!(points(&tiers, false, 1.99), 0, "missed");
        assert_eq!(points(&tiers, true, 2.0), 1, "exactly on the target");
        assert_eq!(points(&tiers, true, 4.99), 1, "between the first two");
        assert_eq!(points(&tiers, true, 5.0), 2, "exactly on the second");
        assert_eq!(points(&tiers, true, 9.999), 2);
        assert_eq!(points(&tiers, true, 10.0), 3, "exactly on the top");
        assert_eq!(points(&tiers, true, 1000.0), 3, "above the top: no more than the top");
        assert_eq!(points(&tiers, false, 50.0), 0, "a missed verdict earns nothing, whatever the median");
        assert_eq!(points(&[3.0], true, 30.0), 1, "one tier, one point");

        let course = course();
        let mut r = heat(&course, Some(5.0));
        assert_eq!((r.stages[0].points, r.stages[0].next_tier), (2, Some(10.0)));
        assert_eq!(r.stages[0].tier_text().unwrap(), "tier 2 of 3 (5×), next 10×");
        r = heat(&course, Some(12.0));
        assert_eq!((r.stages[0].points, r.stages[0].next_tier), (3, None));
        assert_eq!(r.stages[0].tier_text().unwrap(), "tier 3 of 3 (10×), the top");
        assert_eq!((r.points(), r.max_points()), (3, 3));
        r = heat(&course, Some(1.5));
        assert_eq!((r.points(), r.stages[0].next_tier), (0, Some(2.0)));
        assert_eq!(crate::export::points_text(&r.stages[0]), "points 0 of 3; next tier 2×");
        // An exercise without a timed stage: 1 point when done; a tampered one none.
        assert_eq!((interop(&course, true).points(), interop(&course, false).points()), (1, 0));
        let mut tampered = heat(&course, Some(12.0));
        tampered.status = Status::Tampered;
        assert_eq!(tampered.points(), 0);
        // A report written before tiers reads as the target alone.
        let old = StageReport { tiers: vec![], ..heat(&course, Some(12.0)).stages[0].clone() };
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
        assert!(Course::parse(&registry("{ name = \"a\", target = 2.0, tiers = [2.0, 4.0] }"), &crate::root()).is_ok());
        let text = error("{ name = \"a\", target = 2.0, tiers = [3.0, 4.0] }");
        assert!(
            text.contains("exercise 'heat', stage 'a'") && text.contains("tiers must start with the target"),
            "{text}"
        );
        let text = error("{ name = \"a\", target = 2.0, tiers = [2.0, 5.0, 5.0] }");
        assert!(text.contains("tiers must rise") && text.contains("5 then 5"), "{text}");
        let text = error("{ name = \"a\", target = 2.0, tiers = [2.0, 1e9] }");
        assert!(text.contains("tiers must rise"), "{text}");
        let late = |deadline: &str| {
            format!(
                "[[exercise]]\nname = \"heat\"\ndir = \"01-profiling-heat\"\ntitle = \"t\"\nstart = \"slow\"\ndeadline = {deadline}\n"
            )
        };
        let heat = Course::parse(&late("2026-03-15"), &crate::root()).unwrap();
        assert_eq!(heat.exercises[0].late_from(), parse_time("2026-03-16T00:00:00Z"));
        for bad in ["2026-03-15T12:00:00Z", "12:00:00", "2026-03-15T12:00:00"] {
            let text = format!("{:#}", Course::parse(&late(bad), &crate::root()).unwrap_err());
            assert!(text.contains("deadline must be a date such as `deadline = 2026-03-15`"), "{bad}: {text}");
        }
    }

    #[test]
    fn late_reports_go_to_the_late_table_by_the_runners_clock() {
        let course = course();
        let documents = vec![
            doc("ann", "2026-03-15T23:59:59Z", vec![heat(&course, Some(6.0)), interop(&course, true)]),
            doc("ann", "2026-03-16T00:00:00Z", vec![heat(&course, Some(12.0))]),
            doc("bob", "2026-03-20T10:00:00Z", vec![heat(&course, Some(3.0)), interop(&course, true)]),
        ];
        let class = sort_out(&course, documents, &trusted());
        assert_eq!(class.apart, vec![]);
        let on_time = best(&class, false);
        let late = best(&class, true);
        assert_eq!(on_time[&("ann".into(), "heat".into())].report.points(), 2, "the last second of the day is on time");
        assert_eq!(late[&("ann".into(), "heat".into())].report.points(), 3, "the first second after is late");
        assert!(!on_time.contains_key(&("bob".into(), "heat".into())));
        assert!(on_time.contains_key(&("bob".into(), "interop".into())), "no deadline, never late");
        let tables = tables(&course, &class);
        let md: String = tables.iter().map(Table::markdown).collect();
        assert!(md.contains("| ann | ✅ 2/3 · 6× | ✅ 1/1 | 3/4 |"), "{md}");
        assert!(md.contains("| bob | – | ✅ 1/1 | 1/4 |"), "{md}");
        assert!(md.contains("| ann | heat | 2026-03-16 00:00 UTC | 2026-03-15 | ✅ 3/3 · 12× |"), "{md}");
        assert!(md.contains("| bob | heat | 2026-03-20 10:00 UTC | 2026-03-15 | ✅ 1/3 · 3× |"), "{md}");
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
        let documents = vec![
            doc("dan", "2026-03-01T10:00:00Z", vec![heat(&course, Some(12.2))]),
            doc("amy", "2026-03-01T10:00:00Z", vec![heat(&course, Some(11.8))]),
            doc("eve", "2026-03-01T10:00:00Z", vec![heat(&course, Some(20.0))]),
            doc("bob", "2026-03-01T10:00:00Z", vec![heat(&course, Some(3.333))]),
            doc("cid", "2026-03-01T10:00:00Z", vec![heat(&course, Some(3.331))]),
            doc("fay", "2026-03-01T10:00:00Z", vec![heat(&course, Some(1.2))]),
            doc("gus", "2026-03-01T10:00:00Z", vec![heat(&course, None)]),
            // A second, slower report of eve's: her best counts.
            doc("eve", "2026-03-02T10:00:00Z", vec![heat(&course, Some(2.5))]),
        ];
        let class = sort_out(&course, documents, &trusted());
        let ranks: Vec<(usize, String)> =
            fastest(&class, "heat", "evolve").into_iter().map(|f| (f.rank, f.learner)).collect();
        let want = [(1, "eve"), (2, "amy"), (2, "dan"), (4, "bob"), (4, "cid")];
        assert_eq!(ranks, want.map(|(r, l)| (r, l.to_string())).to_vec(), "12.2 and 11.8 both print 12; fay is 6th");
        // One more tied with the fifth place is listed too; gus, not measured, never is.
        let mut more =
            sort_out(&course, vec![doc("hal", "2026-03-01T10:00:00Z", vec![heat(&course, Some(3.334))])], &trusted());
        more.entries.extend(class.entries.clone());
        let ranks: Vec<usize> = fastest(&more, "heat", "evolve").into_iter().map(|f| f.rank).collect();
        assert_eq!(ranks, [1, 2, 2, 4, 4, 4]);
        let svg = svg(&course, &class);
        assert_eq!(svg.matches("<circle").count(), 6, "{svg}");
        assert_eq!(svg.matches("#d1495b\" stroke-width").count(), 1, "fay's 1.2× is below the target: {svg}");
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "two tiers above the target");
    }

    #[test]
    fn malformed_and_foreign_files_are_named_and_skipped() {
        let dir = std::env::temp_dir().join(format!("xtask-class-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("artifact")).unwrap();
        let course = course();
        let good = serde_json::json!({
            "submission": "ann", "path": "/x", "course_commit": "c0ffee", "course_seal": SEAL,
            "graded_at": "2026-03-01T10:00:00Z", "schema": SCHEMA, "reports": [heat(&course, Some(6.0))],
        });
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        write("artifact/ann.json", &good.to_string());
        write("artifact/ann.junit.xml", "<testsuites/>");
        write("artifact/ann.md", "# table");
        write("broken.json", "{ \"reports\": [");
        write("figures.json", "{ \"rows\": [] }");
        write("future.json", "{ \"schema\": 2, \"reports\": [] }");
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
        let mut tampered = heat(&course, Some(50.0));
        tampered.exercise = "interop".into();
        tampered.status = Status::Tampered;
        tampered.tampered = vec!["exercises/07-c-interop/build.rs (added)".into()];
        no_name["reports"] = serde_json::json!([heat(&course, Some(3.0)), tampered]);
        write("dan.json", &no_name.to_string());
        write("array.json", &serde_json::json!([good.clone(), 3]).to_string());

        let (documents, skipped) = read_folder(&dir).unwrap();
        let why = |file: &str| skipped.iter().find(|s| s.file == file).map(|s| s.why.clone()).unwrap_or_default();
        assert!(why("broken.json").starts_with("not valid JSON"), "{skipped:?}");
        assert_eq!(why("figures.json"), "not a submission report: it has no `reports` list");
        assert_eq!(why("future.json"), "report schema 2: this runner reads schema 1");
        assert_eq!(why("notes.txt"), "not a `.json` report");
        assert!(why("cat.json").contains("`graded_at` is \"yesterday\""), "{skipped:?}");
        assert!(why("array.json").contains("(item 2)"), "{skipped:?}");
        assert_eq!(skipped.len(), 6, "the JUnit and Markdown companions are not reports, silently: {skipped:?}");
        let learners: Vec<&str> = documents.iter().map(|d| d.learner.as_str()).collect();
        assert_eq!(learners, ["ann", "bob", "dan"], "named by the field, else the file");

        let class = sort_out(&course, documents, &trusted());
        assert_eq!(class.entries.iter().map(|e| e.learner.as_str()).collect::<Vec<_>>(), ["ann", "dan"]);
        assert_eq!(class.apart.len(), 2, "{:?}", class.apart);
        assert!(class.apart[0].learner == "bob" && class.apart[0].why.contains("another version of the course"));
        assert!(class.apart[1].why.contains("course files modified: exercises/07-c-interop/build.rs (added)"));
        let csv = csv(&course, &class);
        assert!(
            csv.contains("dan,heat,evolve,on time,target met,1,3,3.0000,2,2 5 10,,2026-03-01T10:00:00Z,dan.json"),
            "{csv}"
        );
        assert!(csv.contains("bob,every exercise,,not counted,\"not counted: graded against"), "{csv}");
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
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_time("2026-03-15T14:03:09Z").map(crate::submission::timestamp).as_deref(),
            Some("2026-03-15T14:03:09Z")
        );
        for bad in ["2026-03-15", "2026-03-15T14:03:09", "2026-13-15T14:03:09Z", "2026-03-15 14:03:09Z", "x"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
