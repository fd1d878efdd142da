//! The grader under attack: every folder under `tests/attacks/` is one way a dishonest learner
//! tried to get "target met" without doing the work (issue 11), and this test asserts that
//! `cargo xtask check <exercise> --json` refuses each one, in plain words, with a non-zero exit.
//!
//! A fixture folder mirrors the course: its files are laid over a scratch copy of the course
//! (`x.rs` replaces the file, `x.rs.append` is appended to it), then `expect.toml` says
//!
//! - `attack`: what is tried, in one line;
//! - `exercise`: the exercise checked;
//! - `status`: the report's status (or a list of acceptable ones);
//! - `reason`: substrings of which one must appear in the report's `details`, `output` or
//!   `tampered`;
//! - `copy`: `{ from, to }` course files copied over others first (the solution's code as the
//!   learner's, to attack the grading of a finished exercise without repeating that code here);
//! - `needs_mpi`: the exercise runs under MPI; without MPI on the machine the fixture is skipped,
//!   and said to be;
//! - `needs_gpu`: the exercise runs kernels through wgpu; without a Vulkan driver (lavapipe
//!   will do) the fixture is skipped, and said to be;
//! - `edit`: `{ file, find, replace }` edits of course files (how a cheat on the starting code is
//!   written: only the cheat is in the fixture, and it stops fitting, loudly, when that code changes);
//! - `steps`: commands run in the copy before the check (`["xtask", "seal"]` runs the runner,
//!   `["cargo", …]` cargo);
//! - `max_seconds`, `no_survivor`: the check ends within this time, and no process whose command
//!   line holds this string is left once it has;
//! - `env`: variables the runner is given (a secret learner code must not see);
//! - `plant`: `{ path, text }` files written outside the course copy first, removed after (a secret in a home
//!   folder), `path` relative to `target/attacks/`;
//! - `absent`: strings the report must not hold (what was planted).
//!
//! The copy (`target/attacks/course/`, a git repository whose one commit is the working tree,
//! so `HEAD:integrity.toml` is the course's seal) is refreshed at the start and after every
//! fixture; its builds share `target/attacks/target/`, so only the exercise's crate rebuilds
//! between fixtures. A cold run builds the course in release once (minutes on 2 cores).
//!
//! Run: `cargo test -p xtask --test attacks -- --ignored --nocapture`; `ATTACKS=first-call-only,re-seal`
//! runs only those. The outcome of every fixture is also written to `target/attacks/report.md`.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One check may build the whole course in release when the scratch target is cold.
const CHECK_LIMIT: Duration = Duration::from_secs(20 * 60);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    attack: String,
    exercise: String,
    status: OneOrMany,
    #[serde(default)]
    reason: Vec<String>,
    #[serde(default)]
    copy: Vec<CopyFile>,
    #[serde(default)]
    needs_mpi: bool,
    #[serde(default)]
    needs_gpu: bool,
    #[serde(default)]
    edit: Vec<Edit>,
    #[serde(default)]
    steps: Vec<Vec<String>>,
    max_seconds: Option<u64>,
    no_survivor: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    plant: Vec<Plant>,
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Plant {
    path: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn all(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopyFile {
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    find: String,
    replace: String,
}

/// The workspace root (xtask is one level below it).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

/// The course's files as they are in the working tree (tracked, and new ones git does not
/// ignore), by path relative to the root.
fn snapshot(repo: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git ls-files failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut files = BTreeMap::new();
    for name in out.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let path = repo.join(&name);
        // Deleted in the working tree but not yet in the index: not part of the course now.
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            files.insert(name, bytes);
        }
    }
    files
}

/// Makes `copy` hold exactly `files` (outside its `target/` and `.git/`), writing only the
/// files that differ so that cargo's freshness (by modification time) keeps the rest built.
fn sync(copy: &Path, files: &BTreeMap<String, Vec<u8>>) {
    for (name, bytes) in files {
        let path = copy.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
    }
    remove_extra(copy, copy, files);
}

fn remove_extra(copy: &Path, dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.strip_prefix(copy).unwrap().to_string_lossy().replace('\\', "/");
        if name == "target" || name == ".git" {
            continue;
        }
        if path.is_dir() && !path.is_symlink() {
            remove_extra(copy, &path, files);
            if std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none()) {
                let _ = std::fs::remove_dir(&path);
            }
        } else if !files.contains_key(&name) {
            std::fs::remove_file(&path).unwrap_or_else(|e| panic!("cannot remove {}: {e}", path.display()));
        }
    }
}

fn git(copy: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(copy)
        .args(["-c", "user.name=attacks", "-c", "user.email=attacks@localhost", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?} in the copy failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The copy's own history: one commit of the working tree, so that `HEAD:integrity.toml` is the
/// course's seal (and git does not find the repository the copy lies in).
fn commit(copy: &Path) {
    if !copy.join(".git").is_dir() {
        git(copy, &["init", "-q", "-b", "main"]);
    }
    git(copy, &["add", "-A"]);
    if !git(copy, &["status", "--porcelain"]).trim().is_empty() {
        git(copy, &["commit", "-q", "--no-verify", "-m", "the course as in the working tree"]);
    }
}

/// How a run of the runner ended.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: f64,
}

/// Runs the runner on the copy, its output in files (a process left holding a pipe cannot make
/// this wait), for at most `limit`.
fn xtask(dirs: &Dirs, args: &[&str], log: &str, limit: Duration, env: &BTreeMap<String, String>) -> Ran {
    let mut full = vec!["--root", dirs.course.to_str().expect("a UTF-8 path")];
    full.extend_from_slice(args);
    run(dirs, Path::new(env!("CARGO_BIN_EXE_xtask")), &full, log, limit, env)
}

/// Runs `program` in the copy, with the copy's target folder and `env`, its output in files.
fn run(dirs: &Dirs, program: &Path, args: &[&str], log: &str, limit: Duration, env: &BTreeMap<String, String>) -> Ran {
    std::fs::create_dir_all(&dirs.logs).unwrap();
    let (out_path, err_path) = (dirs.logs.join(format!("{log}.stdout")), dirs.logs.join(format!("{log}.stderr")));
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(&dirs.course)
        .env("CARGO_TARGET_DIR", &dirs.target)
        .env_remove("COURSE_TRUSTED_SEAL")
        .env("NO_COLOR", "1")
        .envs(env)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Ran {
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

struct Dirs {
    course: PathBuf,
    target: PathBuf,
    logs: PathBuf,
}

/// Lays the fixture's files over the copy and applies its edits; `Err` when the fixture no
/// longer fits the course (a file to edit is gone, a text to replace has changed).
fn apply(fixture: &Path, copy: &Path, expect: &Expect) -> Result<(), String> {
    let mut files = Vec::new();
    walk(fixture, &mut files);
    for file in files {
        let name = file.strip_prefix(fixture).unwrap().to_string_lossy().replace('\\', "/");
        if name == "expect.toml" {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        match name.strip_suffix(".append") {
            Some(target) => {
                let mut text =
                    std::fs::read(copy.join(target)).map_err(|e| format!("cannot append to {target}: {e}"))?;
                text.extend_from_slice(&bytes);
                std::fs::write(copy.join(target), text).unwrap();
            }
            None => {
                std::fs::create_dir_all(copy.join(&name).parent().unwrap()).unwrap();
                std::fs::write(copy.join(&name), bytes).unwrap();
            }
        }
    }
    for step in &expect.copy {
        std::fs::copy(copy.join(&step.from), copy.join(&step.to))
            .map_err(|e| format!("cannot copy {} to {}: {e}", step.from, step.to))?;
    }
    for edit in &expect.edit {
        let path = copy.join(&edit.file);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot edit {}: {e}", edit.file))?;
        if !text.contains(&edit.find) {
            return Err(format!("{} no longer contains {:?}: update the fixture", edit.file, edit.find));
        }
        std::fs::write(&path, text.replacen(&edit.find, &edit.replace, 1)).unwrap();
    }
    Ok(())
}

/// Whether MPI's launcher and compiler wrapper are on PATH (the runner's own test is fuller).
fn mpi_installed() -> bool {
    let on_path = |tool: &str| {
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
    };
    on_path("mpirun") && on_path("mpicc")
}

/// Whether the Vulkan loader and a driver's ICD file are installed (the runner's `gpu.rs` is fuller).
fn vulkan_installed() -> bool {
    let loader = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"]
        .iter()
        .any(|d| Path::new(d).join("libvulkan.so.1").exists());
    let driver = ["/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", "/usr/share/vulkan/icd.d"]
        .iter()
        .any(|d| std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some()));
    loader && driver
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Processes whose command line contains `mark`: (pid, command line).
fn processes_with(mark: &str) -> Vec<(i32, String)> {
    let mut found = Vec::new();
    let me = std::process::id() as i32;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if pid != me && cmdline.contains(mark) {
            found.push((pid, cmdline.trim().to_string()));
        }
    }
    found
}

/// Ends the processes an earlier fixture left (they run a command line only fixtures use).
fn end_leftovers(mark: &str) -> Vec<(i32, String)> {
    let found = processes_with(mark);
    for &(pid, _) in &found {
        // SAFETY: sends a signal to a process this test's fixture started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    found
}

/// One fixture's outcome, for the table and the failure message.
struct Outcome {
    name: String,
    attack: String,
    expected: String,
    got: String,
    seconds: f64,
    /// How the outcome differs from the expected one, or `None` when the attack was refused as expected.
    failure: Option<String>,
}

fn shorten(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > max {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    } else {
        one_line
    }
}

/// What the report said, in a few words.
fn summary(report: &serde_json::Value) -> String {
    let status = report["status"].as_str().unwrap_or("?");
    let tampered: Vec<&str> = report["tampered"].as_array().into_iter().flatten().filter_map(|t| t.as_str()).collect();
    let speedups: Vec<String> = report["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| Some(format!("{} {:.2}×", s["name"].as_str()?, s["result"]["speedup"].as_f64()?)))
        .collect();
    let mut parts = vec![status.to_string()];
    if !tampered.is_empty() {
        parts.push(format!("tampered: {}", tampered.join(", ")));
    }
    if !speedups.is_empty() {
        parts.push(speedups.join(", "));
    }
    if let Some(details) = report["details"].as_str() {
        parts.push(shorten(details, 160));
    }
    parts.join(" · ")
}

fn run_fixture(name: &str, fixture: &Path, dirs: &Dirs, files: &BTreeMap<String, Vec<u8>>) -> Outcome {
    let text = std::fs::read_to_string(fixture.join("expect.toml")).expect("every fixture has an expect.toml");
    let expect: Expect = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
    let statuses = expect.status.all();
    let mut outcome = Outcome {
        name: name.to_string(),
        attack: expect.attack.clone(),
        expected: statuses.join(" or "),
        got: String::new(),
        seconds: 0.0,
        failure: None,
    };
    if expect.needs_mpi && !mpi_installed() {
        outcome.got = "skipped: no MPI on this machine (mpirun, mpicc)".into();
        eprintln!("{name}: skipped, the exercise runs under MPI and this machine has none (.ci/run installs it)");
        return outcome;
    }
    if expect.needs_gpu && !vulkan_installed() {
        outcome.got = "skipped: no Vulkan driver on this machine".into();
        eprintln!(
            "{name}: skipped, the exercise runs on a GPU and this machine has no Vulkan driver (.ci/run installs lavapipe)"
        );
        return outcome;
    }
    if let Some(mark) = &expect.no_survivor {
        end_leftovers(mark);
    }
    if let Err(e) = apply(fixture, &dirs.course, &expect) {
        outcome.got = "fixture does not apply".into();
        outcome.failure = Some(e);
        sync(&dirs.course, files);
        return outcome;
    }
    let mut problems = Vec::new();
    for (i, step) in expect.steps.iter().enumerate() {
        let ran = match step.split_first() {
            Some((program, args)) if program == "xtask" || program == "cargo" => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let log = format!("{name}.step{i}");
                if program == "xtask" {
                    xtask(dirs, &args, &log, Duration::from_secs(600), &expect.env)
                } else {
                    run(
                        dirs,
                        Path::new(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())),
                        &args,
                        &log,
                        Duration::from_secs(600),
                        &expect.env,
                    )
                }
            }
            _ => panic!("{name}: a step runs the runner (`[\"xtask\", …]`) or cargo (`[\"cargo\", …]`), not {step:?}"),
        };
        if ran.code != Some(0) {
            if step[0] == "cargo" {
                outcome.got = "fixture does not apply".into();
                outcome.failure = Some(format!("step {step:?} failed: {}", shorten(&ran.stderr, 600)));
                sync(&dirs.course, files);
                return outcome;
            }
            // The runner refusing a step (`seal`) is part of the defence, not a broken fixture.
            eprintln!("{name}: step {step:?} exited with {:?}: {}", ran.code, shorten(&ran.stderr, 200));
        }
    }

    for plant in &expect.plant {
        let path = dirs.course.parent().expect("the copy lies in target/attacks").join(&plant.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &plant.text).unwrap_or_else(|e| panic!("cannot plant {}: {e}", path.display()));
    }
    let ran = xtask(dirs, &["check", &expect.exercise, "--json"], name, CHECK_LIMIT, &expect.env);
    // What was planted outside the copy is not part of the next fixture's world.
    for plant in &expect.plant {
        let _ = std::fs::remove_file(dirs.course.parent().expect("the copy lies in target/attacks").join(&plant.path));
    }
    if let Some(found) = expect.absent.iter().find(|a| ran.stdout.contains(a.as_str())) {
        problems.push(format!("the report holds {found:?}, which learner code must not have seen"));
    }
    outcome.seconds = ran.seconds;
    // One report channel: the runner's standard output is exactly one JSON report, whatever
    // learner code printed.
    let report: Option<serde_json::Value> = serde_json::from_str(&ran.stdout).ok();
    match &report {
        None => {
            outcome.got = format!("no report (exit code {:?})", ran.code);
            problems.push(format!(
                "the runner's standard output is not one JSON report (exit code {:?}).\nstdout: {}\nstderr: {}",
                ran.code,
                shorten(&ran.stdout, 600),
                shorten(&ran.stderr, 600)
            ));
        }
        Some(report) => {
            outcome.got = summary(report);
            let status = report["status"].as_str().unwrap_or_default();
            if !statuses.iter().any(|s| s == status) {
                problems.push(format!("status `{status}`, expected {}", outcome.expected));
            }
            if report["exercise"].as_str() != Some(expect.exercise.as_str()) {
                problems.push(format!("the report is about {}, not {}", report["exercise"], expect.exercise));
            }
            if !expect.reason.is_empty() {
                // The grader's words, or the excerpt of output it shows beside them (where a
                // rank's panic, naming the rank, is quoted).
                let mut said = report["details"].as_str().unwrap_or_default().to_string();
                said += "\n";
                said += report["output"].as_str().unwrap_or_default();
                for entry in report["tampered"].as_array().into_iter().flatten() {
                    said += "\n";
                    said += entry.as_str().unwrap_or_default();
                }
                if !expect.reason.iter().any(|r| said.contains(r.as_str())) {
                    problems.push(format!("no reason given containing any of {:?}", expect.reason));
                }
            }
            // Only a fixture whose honest verdict is `done` (it tests what is left behind, not
            // the verdict) may end with exit code 0.
            if ran.code == Some(0) && !statuses.iter().any(|s| s == "done") {
                problems.push("exit code 0".into());
            }
        }
    }
    if ran.code.is_none() {
        problems.push(format!("the check did not end within {} s and was killed", CHECK_LIMIT.as_secs()));
    }
    if let Some(max) = expect.max_seconds
        && ran.seconds > max as f64
    {
        problems.push(format!("the check took {:.0} s, more than {max} s", ran.seconds));
    }
    if let Some(mark) = &expect.no_survivor {
        // Give a dying process a moment to be reaped.
        let deadline = Instant::now() + Duration::from_secs(3);
        while !processes_with(mark).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let left = end_leftovers(mark);
        if !left.is_empty() {
            let list: Vec<String> = left.iter().map(|(pid, cmd)| format!("{pid} `{cmd}`")).collect();
            problems.push(format!("processes left running after the check (now ended): {}", list.join(", ")));
        }
    }
    if !problems.is_empty() {
        outcome.failure = Some(format!(
            "{}.\n  the report said: {}\n  logs: {}",
            problems.join("; "),
            outcome.got,
            dirs.logs.join(format!("{name}.stdout")).display()
        ));
    }
    // Undo everything the fixture and the check changed (build scripts, Cargo.lock, the seal).
    sync(&dirs.course, files);
    outcome
}

#[test]
#[ignore = "slow (builds a copy of the course in release, then one check per attack): \
            cargo test -p xtask --test attacks -- --ignored"]
fn every_attack_is_refused_in_plain_words() {
    let repo = repo();
    let fixtures_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/attacks");
    let only: Option<Vec<String>> =
        std::env::var("ATTACKS").ok().map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let mut names: Vec<String> = std::fs::read_dir(&fixtures_dir)
        .expect("tests/attacks exists")
        .flatten()
        .filter(|e| e.path().join("expect.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| only.as_ref().is_none_or(|o| o.contains(n)))
        .collect();
    names.sort();
    if let Some(only) = &only {
        let unknown: Vec<&String> = only.iter().filter(|n| !names.contains(n)).collect();
        assert!(unknown.is_empty(), "ATTACKS names unknown fixtures: {unknown:?}");
    }

    let base = repo.join("target/attacks");
    let dirs = Dirs { course: base.join("course"), target: base.join("target"), logs: base.join("logs") };
    std::fs::create_dir_all(&base).unwrap();
    // One run at a time on the scratch copy (another `cargo test` of this suite waits here);
    // the lock goes with this process.
    let lock = std::fs::File::create(base.join("lock")).unwrap();
    // SAFETY: flock on a descriptor this function owns for its whole run.
    let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
    assert_eq!(locked, 0, "cannot lock {}", base.display());
    let started = Instant::now();
    let files = snapshot(&repo);
    sync(&dirs.course, &files);
    commit(&dirs.course);

    // The course's own seal must match its files, or every fixture would be "tampered" for
    // reasons of its own: re-seal the untouched copy and compare.
    let sealed = xtask(&dirs, &["seal"], "preflight-seal", Duration::from_secs(120), &BTreeMap::new());
    let resealed = std::fs::read(dirs.course.join("integrity.toml")).unwrap_or_default();
    let original = files.get("integrity.toml").cloned().unwrap_or_default();
    sync(&dirs.course, &files);
    assert_eq!(sealed.code, Some(0), "`xtask seal` failed on the untouched copy: {}", sealed.stderr);
    let files_table = |bytes: &[u8]| -> BTreeMap<String, String> {
        let value: toml::Table = toml::from_str(&String::from_utf8_lossy(bytes)).unwrap_or_default();
        value.get("files").and_then(|f| f.as_table()).map_or_else(BTreeMap::new, |t| {
            t.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()
        })
    };
    let (now, sealed_then) = (files_table(&resealed), files_table(&original));
    if now != sealed_then {
        let mut changed: Vec<&String> = now.keys().filter(|f| now.get(*f) != sealed_then.get(*f)).collect();
        changed.extend(sealed_then.keys().filter(|f| !now.contains_key(*f)));
        let more = changed.len().saturating_sub(8);
        changed.truncate(8);
        panic!(
            "integrity.toml does not match the course's files ({changed:?} and {more} more): run `cargo xtask seal` in {} first \
             (course developers), or every fixture would be refused for that alone",
            repo.display()
        );
    }

    let mut outcomes = Vec::new();
    for name in &names {
        let outcome = run_fixture(name, &fixtures_dir.join(name), &dirs, &files);
        eprintln!(
            "{:<20} {:>5.0} s  expected {:<14} {}  got {}",
            outcome.name,
            outcome.seconds,
            outcome.expected,
            if outcome.failure.is_none() { "ok  " } else { "FAIL" },
            outcome.got
        );
        outcomes.push(outcome);
    }
    let total = started.elapsed().as_secs_f64();

    let mut table =
        String::from("| attack | what it tries | expected | the report said | time |\n|---|---|---|---|---|\n");
    for o in &outcomes {
        table += &format!(
            "| {}{} | {} | {} | {} | {:.0} s |\n",
            o.name,
            if o.failure.is_some() { " ✘" } else { "" },
            o.attack,
            o.expected,
            o.got.replace('|', "/"),
            o.seconds
        );
    }
    table += &format!("\n{} fixtures in {total:.0} s\n", outcomes.len());
    let _ = std::fs::write(base.join("report.md"), &table);
    eprintln!("\n{table}");

    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|o| {
            o.failure.as_ref().map(|f| format!("attack `{}` ({}) was not refused as expected: {f}", o.name, o.attack))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} attacks were not refused:\n\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n\n")
    );
}
