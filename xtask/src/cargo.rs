//! Building an exercise crate's test targets with cargo, and reading what cargo says.

use crate::child;
pub use crate::sandbox::PinnedCargo;
use crate::sandbox::{Confinement, Scratch};
use anyhow::{Context, Result, bail};
use cargo_metadata::{Message, TargetKind, diagnostic::DiagnosticLevel};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `cargo`: the one that runs this runner (`CARGO`), else the first on the PATH.
pub fn command() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The [`PinnedCargo`] folders, under the temporary folder (`course-cargo-<uid>`), made or
/// checked (owned by this user, nobody else may write them) and cleared of any configuration.
pub fn pinned_cargo() -> Result<PinnedCargo> {
    let real_home = crate::sandbox::tool_home("CARGO_HOME", ".cargo");
    pinned_cargo_for(&real_home, &std::env::temp_dir())
}

/// [`pinned_cargo`] for the user's cargo home `real_home`, under `temp`.
fn pinned_cargo_for(real_home: &Path, temp: &Path) -> Result<PinnedCargo> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let base = temp.join(format!("course-cargo-{uid}"));
    let (cwd, home) = (base.join("cwd"), base.join("home"));
    for dir in [&base, &cwd, &home] {
        if !dir.exists() {
            std::fs::create_dir(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let meta = std::fs::symlink_metadata(dir)?;
        if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o022 != 0 {
            bail!(
                "{} is not a folder of this user's alone, so the course's builds cannot use it: remove it",
                dir.display()
            );
        }
    }
    let configured = ["config", "config.toml"].iter().any(|name| real_home.join(name).exists());
    if !configured {
        return Ok(PinnedCargo { cwd, home: real_home.to_path_buf(), real_home: real_home.to_path_buf() });
    }
    for name in ["registry", "git"] {
        let (link, target) = (home.join(name), real_home.join(name));
        if std::fs::read_link(&link).ok().as_deref() != Some(target.as_path()) {
            let _ = std::fs::remove_file(&link);
            std::fs::create_dir_all(&target)?;
            symlink(&target, &link).with_context(|| format!("cannot link {}", link.display()))?;
        }
    }
    for name in ["config", "config.toml", "credentials", "credentials.toml"] {
        let _ = std::fs::remove_file(home.join(name));
    }
    Ok(PinnedCargo { cwd, home, real_home: real_home.to_path_buf() })
}

/// `cargo SUBCOMMAND` for a build grading rests on (the reference worker, the course's
/// solutions, the learner's crates, and the fetch before them), configured by the course alone:
/// run from [`pinned_cargo`]'s folder with its cargo home, so no `.cargo/config.toml` of a
/// folder above the course (or in it: a learner's `exercises/…/.cargo`) and nothing of the
/// user's cargo home but the downloaded crates takes part; the course's manifest and its
/// `.cargo/config.toml` are named explicitly. Variables (`RUSTFLAGS`) still apply, to every
/// side alike.
pub fn course_cargo(root: &Path, pinned: &PinnedCargo, subcommand: &str) -> Command {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut cmd = command();
    cmd.current_dir(&pinned.cwd).env("CARGO_HOME", &pinned.home).arg(subcommand);
    cmd.arg("--manifest-path").arg(root.join("Cargo.toml"));
    let config = root.join(".cargo").join("config.toml");
    if config.is_file() {
        cmd.arg("--config").arg(config);
    }
    cmd
}

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

/// cargo's JSON messages in `stdout` (`--message-format=json…`); other lines are skipped.
pub fn messages(stdout: &str) -> impl Iterator<Item = Message> + '_ {
    Message::parse_stream(stdout.as_bytes()).filter_map(Result::ok)
}

/// The executable of the first artifact built for a target of `kind` named `name` (any, without).
pub fn executable(stdout: &str, kind: TargetKind, name: Option<&str>) -> Option<PathBuf> {
    messages(stdout).find_map(|m| match m {
        Message::CompilerArtifact(a) if a.target.kind.contains(&kind) && name.is_none_or(|n| a.target.name == n) => {
            a.executable.map(|e| e.into_std_path_buf())
        }
        _ => None,
    })
}

/// A build's limit: generous, a cold build of the workspace takes minutes on 2 cores.
const BUILD_LIMIT: Duration = Duration::from_secs(30 * 60);

/// `cargo test --release --locked --no-run` for `package`'s library and test targets, with its
/// `grade` target when asked. `grade` is marked `test = false` so that plain `cargo test` leaves
/// it alone, which `--tests` honours and the glob `--test '*'` does not: one cargo call, not two.
pub fn build_tests(
    root: &Path,
    package: &str,
    with_grade: bool,
    color: bool,
    mut status: impl FnMut(&str),
) -> Result<Build> {
    let mut built = Built::default();
    let selection: &[&str] = if with_grade { &["--lib", "--test", "*"] } else { &["--tests"] };
    if let Some(failure) = cargo_build(root, package, selection, color, &mut built, &mut status)? {
        return Ok(Build::Failed(failure));
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
    let (mut cmd, _scratch) = confined_cargo(root, "test")?;
    // `--locked`: the sealed Cargo.lock is the one built with; a changed dependency is an error.
    cmd.args(["--release", "--locked", "--no-run", "--package", package]).args(selection).arg(if color {
        "--message-format=json-diagnostic-rendered-ansi"
    } else {
        "--message-format=json"
    });
    let finished = child::run(&mut cmd, BUILD_LIMIT, |line| {
        if let Some(rest) = line.trim().strip_prefix("Compiling ") {
            status(&format!("compiling {rest}"));
        }
        false
    })?;
    let mut errors = Vec::new();
    for m in messages(&finished.stdout) {
        match m {
            Message::CompilerArtifact(a) => {
                let ours = is_package(&a.package_id.repr, package);
                let Some(exe) = a.executable.filter(|_| a.profile.test && ours) else { continue };
                let exe = exe.into_std_path_buf();
                if a.target.kind.contains(&TargetKind::Test) {
                    if a.target.name == "grade" {
                        built.grade = Some(exe);
                    } else {
                        built.tests.push((a.target.name, exe));
                    }
                } else if a.target.kind.contains(&TargetKind::Lib) {
                    built.tests.push(("unit tests".into(), exe));
                }
            }
            Message::CompilerMessage(c) => {
                let level = c.message.level;
                if !is_package(&c.package_id.repr, package) && level != DiagnosticLevel::Error {
                    continue;
                }
                let text = c.message.rendered.unwrap_or_default();
                if level == DiagnosticLevel::Warning {
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

/// `cargo <subcommand>` building learner code: the course's configuration pinned
/// ([`course_cargo`]), every crate fetched first, and confined, since the compiler reads what
/// the code names (`include_str!`) and build scripts run. The scratch folder lives as long as
/// the build must.
pub fn confined_cargo(root: &Path, subcommand: &str) -> Result<(Command, Scratch)> {
    fetch_once(root)?;
    let pinned = pinned_cargo()?;
    let mut cmd = course_cargo(root, &pinned, subcommand);
    let target = target_dir(root);
    let scratch = Scratch::new(&target, "build")?;
    crate::sandbox::confine(&mut cmd, &Confinement::cargo(&scratch.0, root, &target, &pinned))?;
    Ok((cmd, scratch))
}

/// The target folder cargo builds `root`'s crates into (`CARGO_TARGET_DIR` or `target/`).
pub fn target_dir(root: &Path) -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR").or_else(|| std::env::var_os("CARGO_BUILD_TARGET_DIR"));
    root.join(dir.map_or_else(|| PathBuf::from("target"), PathBuf::from))
}

/// `cargo fetch --locked`, once per runner: a confined build has no network, so every crate
/// the course locks is downloaded first, by the runner itself (a second time costs a moment).
fn fetch_once(root: &Path) -> Result<()> {
    static FETCHED: std::sync::OnceLock<std::result::Result<(), String>> = std::sync::OnceLock::new();
    let fetched = FETCHED.get_or_init(|| {
        let pinned = pinned_cargo().map_err(|e| format!("{e:#}"))?;
        let mut cmd = course_cargo(root, &pinned, "fetch");
        cmd.arg("--locked");
        match child::run(&mut cmd, BUILD_LIMIT, |_| false) {
            Ok(finished) if finished.ending.success() => Ok(()),
            Ok(finished) => Err(format!("`cargo fetch --locked` failed:\n{}", finished.stderr)),
            Err(e) => Err(format!("{e:#}")),
        }
    });
    fetched.clone().map_err(anyhow::Error::msg)
}

/// Builds the reference worker (`harness`'s `course-reference`, sealed course code only) and
/// returns its executable; `Err` with cargo's words when it does not build.
pub fn build_reference(root: &Path) -> Result<PathBuf> {
    let mut cmd = course_cargo(root, &pinned_cargo()?, "build");
    cmd.args(["--release", "--locked", "--package", "harness", "--bin", "course-reference", "--message-format=json"]);
    let finished = child::run(&mut cmd, BUILD_LIMIT, |_| false)?;
    if !finished.ending.success() {
        bail!("the course's reference worker does not build:\n{}", finished.stderr);
    }
    executable(&finished.stdout, TargetKind::Bin, Some("course-reference"))
        .context("cargo built the reference worker but named no executable")
}

/// Builds `harness-gpu`'s `course-gpu-bandwidth` (sealed course code only: it measures the
/// GPU's copy bandwidth) and returns its executable.
pub fn build_gpu_bandwidth(root: &Path) -> Result<PathBuf> {
    let mut cmd = course_cargo(root, &pinned_cargo()?, "build");
    cmd.args(["--release", "--locked", "--package", "harness-gpu", "--bin", "course-gpu-bandwidth"]);
    cmd.arg("--message-format=json");
    let finished = child::run(&mut cmd, BUILD_LIMIT, |_| false)?;
    if !finished.ending.success() {
        bail!("the course's GPU bandwidth program does not build:\n{}", finished.stderr);
    }
    executable(&finished.stdout, TargetKind::Bin, Some("course-gpu-bandwidth"))
        .context("cargo built the GPU bandwidth program but named no executable")
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
    fn a_cargo_home_with_configuration_is_replaced_by_one_without() {
        let scratch = Scratch::new(&std::env::temp_dir(), "pinned-cargo").unwrap();
        let real = scratch.0.join("real-home");
        std::fs::create_dir_all(real.join("registry")).unwrap();
        let plain = pinned_cargo_for(&real, &scratch.0).unwrap();
        assert_eq!(plain.home, real, "no configuration: the user's own home, its builds reused");
        assert!(plain.cwd.is_dir() && !plain.cwd.starts_with(&real));
        std::fs::write(real.join("config.toml"), "[profile.release]\nopt-level = 0\n").unwrap();
        let pinned = pinned_cargo_for(&real, &scratch.0).unwrap();
        assert_ne!(pinned.home, real);
        assert!(!pinned.home.join("config.toml").exists(), "no configuration in the pinned home");
        assert_eq!(std::fs::read_link(pinned.home.join("registry")).unwrap(), real.join("registry"));
        // Configuration dropped into the pinned home is removed before the next build.
        std::fs::write(pinned.home.join("config.toml"), "").unwrap();
        assert!(!pinned_cargo_for(&real, &scratch.0).unwrap().home.join("config.toml").exists());
    }

    #[test]
    fn the_course_cargo_runs_outside_the_course_and_names_its_manifest_and_configuration() {
        let pinned = PinnedCargo { cwd: "/tmp/x/cwd".into(), home: "/tmp/x/home".into(), real_home: "/h".into() };
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let cmd = course_cargo(root, &pinned, "build");
        assert_eq!(cmd.get_current_dir(), Some(Path::new("/tmp/x/cwd")));
        let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args[..2], ["build".to_string(), "--manifest-path".into()]);
        assert_eq!(args[2], root.join("Cargo.toml").to_string_lossy());
        assert_eq!(args[3..], ["--config".to_string(), root.join(".cargo/config.toml").to_string_lossy().into()]);
        let home = cmd.get_envs().find(|(k, _)| *k == "CARGO_HOME").and_then(|(_, v)| v);
        assert_eq!(home, Some(std::ffi::OsStr::new("/tmp/x/home")));
    }

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
