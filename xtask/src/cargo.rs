//! Building an exercise crate's test targets with cargo, and reading what cargo says.

use crate::child;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The executables of a successful build.
#[derive(Debug, Default)]
pub struct Built {
    /// Correctness test binaries (libtest), by target name.
    pub tests: Vec<(String, PathBuf)>,
    /// The grading child, when the exercise has speed stages.
    pub grade: Option<PathBuf>,
    /// Warnings about the package's own code, rendered as cargo renders them.
    pub warnings: Vec<String>,
}

pub enum Build {
    Built(Built),
    /// The rendered compiler errors (and warnings), or cargo's own complaint.
    Failed(String),
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    profile: Option<Profile>,
    package_id: Option<String>,
    target: Option<Target>,
    executable: Option<PathBuf>,
    message: Option<Diagnostic>,
}

#[derive(Deserialize)]
struct Profile {
    test: bool,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
}

/// A build's limit: generous, a cold build of the workspace takes minutes on 2 cores.
const BUILD_LIMIT: Duration = Duration::from_secs(30 * 60);

/// `cargo test --release --locked --no-run` for `package`'s test targets, then its `grade` target when
/// asked (a separate call: `--tests` overrides an explicit `--test`, and `grade` is marked
/// `test = false` so that plain `cargo test` leaves it alone).
pub fn build_tests(
    root: &Path,
    package: &str,
    with_grade: bool,
    color: bool,
    mut status: impl FnMut(&str),
) -> Result<Build> {
    let mut built = Built::default();
    let selections: &[&[&str]] = if with_grade { &[&["--tests"], &["--test", "grade"]] } else { &[&["--tests"]] };
    for selection in selections {
        if let Some(failure) = cargo_build(root, package, selection, color, &mut built, &mut status)? {
            return Ok(Build::Failed(failure));
        }
    }
    if with_grade && built.grade.is_none() {
        bail!(
            "cargo built {package} but reported no `grade` test target: is `[[test]] name = \"grade\"` in its Cargo.toml?"
        );
    }
    Ok(Build::Built(built))
}

/// One `cargo test --no-run`; adds its executables to `built`, or returns the failure text.
fn cargo_build(
    root: &Path,
    package: &str,
    selection: &[&str],
    color: bool,
    built: &mut Built,
    status: &mut impl FnMut(&str),
) -> Result<Option<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // `--locked`: the sealed Cargo.lock is the one built with; a changed dependency is an error.
    cmd.current_dir(root)
        .args(["test", "--release", "--locked", "--no-run", "--package", package])
        .args(selection)
        .arg(if color { "--message-format=json-diagnostic-rendered-ansi" } else { "--message-format=json" });
    let finished = child::run(&mut cmd, BUILD_LIMIT, |line| {
        if let Some(rest) = line.trim().strip_prefix("Compiling ") {
            status(&format!("compiling {rest}"));
        }
        false
    })?;
    let mut errors = Vec::new();
    for line in finished.stdout.lines().filter(|l| l.starts_with('{')) {
        let m: Message = serde_json::from_str(line).with_context(|| format!("unexpected cargo output: {line}"))?;
        let ours = m.package_id.as_deref().is_some_and(|id| is_package(id, package));
        let test_binary = m.profile.is_some_and(|p| p.test);
        let executable = m.executable.filter(|_| test_binary && ours);
        match (m.reason.as_str(), m.target, executable, m.message) {
            ("compiler-artifact", Some(t), Some(exe), _) if t.kind.iter().any(|k| k == "test") => {
                if t.name == "grade" {
                    built.grade = Some(exe);
                } else {
                    built.tests.push((t.name, exe));
                }
            }
            ("compiler-artifact", Some(t), Some(exe), _) if t.kind.iter().any(|k| k == "lib") => {
                built.tests.push(("unit tests".into(), exe));
            }
            ("compiler-message", _, _, Some(d)) if ours || d.level == "error" => {
                let text = d.rendered.unwrap_or_default();
                if d.level == "warning" {
                    if !built.warnings.contains(&text) {
                        built.warnings.push(text);
                    }
                } else if !errors.contains(&text) {
                    // The library and its unit-test build report the same error twice.
                    errors.push(text);
                }
            }
            _ => {}
        }
    }
    if finished.ending.success() {
        return Ok(None);
    }
    let mut report = errors.join("");
    report.extend(built.warnings.iter().map(String::as_str));
    if report.trim().is_empty() {
        // Not a compiler error: a manifest problem, a missing dependency, … cargo said why.
        report =
            finished.stderr.lines().filter(|l| !l.trim_start().starts_with("Compiling")).collect::<Vec<_>>().join("\n");
    }
    Ok(Some(report))
}

/// Builds the reference worker (`harness`'s `course-reference`, sealed course code only) and
/// returns its executable; `Err` with cargo's words when it does not build.
pub fn build_reference(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root).args([
        "build",
        "--release",
        "--locked",
        "--package",
        "harness",
        "--bin",
        "course-reference",
        "--message-format=json",
    ]);
    let finished = child::run(&mut cmd, BUILD_LIMIT, |_| false)?;
    if !finished.ending.success() {
        bail!("the course's reference worker does not build:\n{}", finished.stderr);
    }
    finished
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Message>(l).ok())
        .filter(|m| m.reason == "compiler-artifact" && m.target.as_ref().is_some_and(|t| t.name == "course-reference"))
        .find_map(|m| m.executable)
        .context("cargo built the reference worker but named no executable")
}

/// Does cargo's `package_id` name `package`? Forms: `path+file:///…/dir#name@0.1.0`,
/// `path+file:///…/name#0.1.0` (folder named like the package), `name 0.1.0 (…)` (old cargo).
fn is_package(id: &str, package: &str) -> bool {
    let name = match id.split_once('#') {
        Some((url, fragment)) => match fragment.split_once('@') {
            Some((name, _)) => name,
            None => url.rsplit('/').next().unwrap_or(url),
        },
        None => id.split_whitespace().next().unwrap_or(id),
    };
    name == package
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_both_package_id_forms() {
        assert!(is_package(
            "path+file:///work/main/exercises/01-profiling-heat#profiling-heat@0.1.0",
            "profiling-heat"
        ));
        assert!(!is_package(
            "path+file:///work/main/solutions/01-profiling-heat#profiling-heat-solution@0.1.0",
            "profiling-heat"
        ));
        assert!(is_package("path+file:///work/main/xtask#0.1.0", "xtask"));
        assert!(!is_package("path+file:///work/main/xtask#0.1.0", "harness"));
        assert!(is_package("profiling-heat 0.1.0 (path+file:///work)", "profiling-heat"));
    }
}
