//! `dev cluster test`: the MPI chapters' job scripts and a class's grading, submitted to the
//! virtual cluster as a learner and an instructor would, each checked on what it gives.
//!
//! - exercise 10's `hello` places two ranks on each node; its `deadlock` is ended by its time
//!   limit, and its output says so;
//! - exercise 11's heat program on one node × 2 ranks and on 2 nodes × 1 rank equals the serial
//!   reference, and the veth's byte counters show the halo rows crossing between the nodes in
//!   the second case only;
//! - the halo-cost and scaling jobs write the lesson's tables;
//! - `check mpi-heat --solution` inside an allocation still grades (the job ends 0 only on
//!   `done`);
//! - three submissions graded as a job array over both nodes get the verdicts `class grade`
//!   gives them on one machine.
//!
//! What the jobs printed, and `sinfo`/`squeue`, go to `target/cluster/report.md`.

use super::{Layout, NODES, on_node};
use crate::course::{Course, Side};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The heat jobs' field: the halo rows it sends are what the veth must carry.
const HEAT_COLUMNS: u64 = 1000;
const HEAT_STEPS: u64 = 200;

/// The exercise a class is graded on (its grading is short), and the submissions made for it.
const CLASS_EXERCISE: &str = "static-typing";

/// A job the test submits: its script (from the checkout), the program it runs, its arguments.
struct Submit<'a> {
    script: &'a str,
    program: Option<&'a Path>,
    args: &'a [&'a str],
    /// sbatch's own options (before the script).
    options: &'a [String],
}

/// How a job ended.
struct Ended {
    id: String,
    state: String,
    output: String,
    nodes: String,
}

/// Runs the test: builds what the jobs run, brings the cluster up, submits, checks, and always
/// takes the cluster down.
pub fn test(root: &Path, course: &Course) -> Result<ExitCode> {
    super::available().map_err(|why| anyhow::anyhow!("the cluster test cannot run here: {why}"))?;
    let started = Instant::now();
    let programs = build(root)?;
    let layout = Layout::new(root);
    super::start(&layout)?;
    let outcome = run_jobs(root, course, &layout, &programs);
    let stopped = super::stop(&layout);
    let mut report = outcome?;
    let stopped = stopped?;
    let leftover: Vec<String> = NODES.iter().filter(|n| n.namespace_file().exists()).map(|n| n.namespace()).collect();
    if !leftover.is_empty() {
        bail!("namespaces left after `down`: {}", leftover.join(", "));
    }
    writeln!(report, "\n`down` stopped {}; no namespace left.", stopped.join(", "))?;
    let path = layout.dir.join("report.md");
    std::fs::write(&path, &report)?;
    println!("cluster test passed in {:.0} s; the jobs' outputs: {}", started.elapsed().as_secs_f64(), path.display());
    Ok(ExitCode::SUCCESS)
}

/// The programs the jobs run, built in release.
struct Programs {
    heat: PathBuf,
    hello: PathBuf,
    deadlock: PathBuf,
    halo_cost: PathBuf,
}

fn build(root: &Path) -> Result<Programs> {
    let args = [
        "build",
        "--release",
        "-p",
        "mpi-heat-solution",
        "--example",
        "heat_mpi_solution",
        "-p",
        "mpi-basics-solution",
        "--example",
        "hello_solution",
        "-p",
        "mpi-basics",
        "--example",
        "deadlock",
        "-p",
        "harness-mpi",
        "--bin",
        "course-halo-cost",
    ];
    println!("== building the jobs' programs: cargo {}", args.join(" "));
    let status = crate::cargo::command().current_dir(root).args(args).status().context("cannot run cargo")?;
    if !status.success() {
        bail!("the jobs' programs did not build");
    }
    let release = root.join("target").join("release");
    Ok(Programs {
        heat: release.join("examples").join("heat_mpi_solution"),
        hello: release.join("examples").join("hello_solution"),
        deadlock: release.join("examples").join("deadlock"),
        halo_cost: release.join("course-halo-cost"),
    })
}

fn run_jobs(root: &Path, course: &Course, layout: &Layout, programs: &Programs) -> Result<String> {
    let outputs = layout.dir.join("jobs");
    std::fs::create_dir_all(&outputs)?;
    let mut report = String::from("# The virtual cluster's test\n\n");
    let sinfo = client(layout, "sinfo", &[])?;
    println!("$ sinfo\n{sinfo}");
    writeln!(report, "```text\n$ sinfo\n{sinfo}```\n")?;

    // The deadlock takes its whole minute: submitted first, it runs while the next jobs do.
    let deadlock = submit(
        root,
        layout,
        &outputs,
        &Submit {
            script: "exercises/10-mpi-basics/jobs/deadlock.sbatch",
            program: Some(&programs.deadlock),
            args: &[],
            options: &[],
        },
    )?;
    let hello = submit(
        root,
        layout,
        &outputs,
        &Submit {
            script: "exercises/10-mpi-basics/jobs/hello.sbatch",
            program: Some(&programs.hello),
            args: &[],
            options: &[],
        },
    )?;
    // The queue while the deadlock runs (on one node) and hello waits or runs (on both).
    let started = Instant::now();
    while records(layout, &deadlock)?.first().and_then(|r| r.get("JobState")).is_none_or(|s| s == "PENDING")
        && started.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    let squeue = client(layout, "squeue", &[])?;
    println!("$ squeue\n{squeue}");
    writeln!(report, "```text\n$ squeue\n{squeue}```\n")?;

    let hello = wait(layout, &hello, Duration::from_secs(120))?;
    expect_completed(&hello, "hello")?;
    for node in NODES {
        let lines = hello.output.lines().filter(|l| l.trim() == node.name).count();
        if lines != 2 {
            bail!("hello: `srun hostname` printed {lines} lines of {}, expected 2:\n{}", node.name, hello.output);
        }
    }
    let greetings = hello.output.lines().filter(|l| l.starts_with("Hello from rank")).count();
    if greetings != 4 {
        bail!("hello: {greetings} greetings, expected 4:\n{}", hello.output);
    }
    section(&mut report, "exercise 10, hello.sbatch: 2 nodes × 2 ranks", &hello)?;

    // The heat program: the veth carries the halo rows only when the ranks are on two nodes.
    let heat = |script: &str, args: &[&str]| -> Result<(Ended, u64)> {
        let before = veth_bytes()?;
        let id = submit(root, layout, &outputs, &Submit { script, program: Some(&programs.heat), args, options: &[] })?;
        let ended = wait(layout, &id, Duration::from_secs(180))?;
        expect_completed(&ended, script)?;
        if !ended.output.contains("field equals the serial reference") {
            bail!("{script}: the field was not checked against the serial reference:\n{}", ended.output);
        }
        Ok((ended, veth_bytes()?.saturating_sub(before)))
    };
    let size = HEAT_COLUMNS.to_string();
    let steps = HEAT_STEPS.to_string();
    let (one_node, one_node_bytes) =
        heat("exercises/11-mpi-heat/jobs/heat-one-node.sbatch", &["--size", &size, "--steps", &steps])?;
    expect_ranks(&one_node, &["node1: 0, 1"])?;
    let (_, no_steps_bytes) =
        heat("exercises/11-mpi-heat/jobs/heat-two-nodes.sbatch", &["--size", &size, "--steps", "0"])?;
    let (two_nodes, two_nodes_bytes) =
        heat("exercises/11-mpi-heat/jobs/heat-two-nodes.sbatch", &["--size", &size, "--steps", &steps])?;
    expect_ranks(&two_nodes, &["node1: 0", "node2: 1"])?;
    // Each step, each rank sends the other one row of f64: both directions count on one link end.
    let halo_expected = 2 * HEAT_STEPS * HEAT_COLUMNS * 8;
    let halo_measured = two_nodes_bytes.saturating_sub(no_steps_bytes);
    let crossing = format!(
        "Bytes through the veth (sent and received by node1's end), {HEAT_COLUMNS}² field: one node × 2 ranks, \
         {HEAT_STEPS} steps: {one_node_bytes}; two nodes, 0 steps (scatter and gather): {no_steps_bytes}; two nodes, \
         {HEAT_STEPS} steps: {two_nodes_bytes}. The steps added {halo_measured} bytes; their halo rows are {halo_expected} \
         (2 ranks × {HEAT_STEPS} steps × {HEAT_COLUMNS} values × 8 B), give or take TCP's headers and acknowledgements."
    );
    println!("{crossing}");
    if halo_measured < halo_expected * 9 / 10 || halo_measured > 2 * halo_expected {
        bail!("the halo rows did not cross the veth as expected: {crossing}");
    }
    if one_node_bytes > halo_expected / 10 {
        bail!("ranks on one node sent {one_node_bytes} bytes through the veth: not shared memory? {crossing}");
    }
    section(&mut report, "exercise 11, heat-one-node.sbatch: 1 node × 2 ranks", &one_node)?;
    section(&mut report, "exercise 11, heat-two-nodes.sbatch: 2 nodes × 1 rank", &two_nodes)?;
    writeln!(report, "{crossing}\n")?;

    let deadlock = wait(layout, &deadlock, Duration::from_secs(240))?;
    if deadlock.state != "TIMEOUT" || !deadlock.output.contains("DUE TO TIME LIMIT") {
        bail!("deadlock: expected its time limit to end it (TIMEOUT), got {}:\n{}", deadlock.state, deadlock.output);
    }
    section(&mut report, "exercise 10, deadlock.sbatch: ended by its time limit", &deadlock)?;

    // Timed jobs, each alone on the cluster.
    for (script, program, title) in [
        ("exercises/11-mpi-heat/jobs/halo-cost.sbatch", &programs.halo_cost, "halo cost, one node vs two"),
        ("exercises/11-mpi-heat/jobs/scaling.sbatch", &programs.heat, "strong scaling over nodes"),
    ] {
        let id = submit(root, layout, &outputs, &Submit { script, program: Some(program), args: &[], options: &[] })?;
        let ended = wait(layout, &id, Duration::from_secs(300))?;
        expect_completed(&ended, script)?;
        let rows = ended.output.lines().filter(|l| l.starts_with("| ") && l.ends_with(" |")).count();
        if rows < 4 {
            bail!("{script} wrote no table:\n{}", ended.output);
        }
        section(&mut report, &format!("exercise 11, {title}"), &ended)?;
    }
    if !report.contains("different nodes") || !report.contains("same node") {
        bail!("the halo-cost job did not run once on one node and once on two");
    }

    // The grader inside an allocation: the job ends 0 only when every target is met.
    let runner = std::env::current_exe()?;
    let id = submit(
        root,
        layout,
        &outputs,
        &Submit {
            script: "exercises/11-mpi-heat/jobs/check.sbatch",
            program: None,
            args: &["--solution"],
            options: &[format!("--export=ALL,RUNNER={}", runner.display())],
        },
    )?;
    let check = wait(layout, &id, Duration::from_secs(900))?;
    expect_completed(&check, "check.sbatch --solution")?;
    if !check.output.contains("inside Slurm job") {
        bail!("check.sbatch: the runner did not say it grades inside a job:\n{}", check.output);
    }
    section(&mut report, "exercise 11, check.sbatch --solution: the grader in an allocation", &check)?;

    report.push_str(&class(root, course, layout, &runner)?);
    Ok(report)
}

/// Three submissions of [`CLASS_EXERCISE`] graded as a job array over both nodes, then on one
/// machine: the same verdicts are required.
fn class(root: &Path, course: &Course, layout: &Layout, runner: &Path) -> Result<String> {
    let exercise = course.find(CLASS_EXERCISE)?;
    let base = layout.dir.join("class");
    let submissions = base.join("submissions");
    let _ = std::fs::remove_dir_all(&base);
    // alice: the solution's code; bob: the starting code; dave: the starting code and an edited test.
    let folder = exercise.folder(Side::Exercise);
    for name in ["alice", "bob", "dave"] {
        let dir = submissions.join(name);
        std::fs::create_dir_all(&dir)?;
        let archive = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("git -C '{}' archive HEAD | tar -x -C '{}'", root.display(), dir.display()))
            .status()?;
        if !archive.success() {
            bail!("cannot copy the course at HEAD into {}", dir.display());
        }
    }
    let solution_lib = root.join(exercise.folder(Side::Solution)).join("src").join("lib.rs");
    std::fs::copy(&solution_lib, submissions.join("alice").join(&folder).join("src").join("lib.rs"))?;
    let test = submissions.join("dave").join(&folder).join("tests").join("grade.rs");
    let mut text = std::fs::read_to_string(&test).with_context(|| format!("{}", test.display()))?;
    text.push_str("\n// made easier\n");
    std::fs::write(&test, text)?;

    let reports = base.join("reports");
    let id = submit(
        root,
        layout,
        &layout.dir.join("jobs"),
        &Submit {
            script: "tools/grade-class.sbatch",
            program: None,
            args: &[&submissions.display().to_string(), &reports.display().to_string(), "--only", CLASS_EXERCISE],
            // TMPDIR: node-local scratch, as clusters give a job, so each node builds apart.
            options: &[
                "--array=0-2".into(),
                format!("--export=ALL,RUNNER={},TMPDIR={}", runner.display(), layout.node_local().display()),
            ],
        },
    )?;
    let array = wait_array(layout, &id, 3, Duration::from_secs(1500))?;
    let on_cluster = verdicts(&reports)?;
    // The same submissions on one machine, in the first node's scratch folder (built already).
    let one_machine = base.join("one-machine");
    let status = std::process::Command::new(runner)
        .current_dir(root)
        .args(["class", "grade"])
        .args(["alice", "bob", "dave"].map(|n| submissions.join(n)))
        .arg("--out")
        .arg(&one_machine)
        .arg("--work-dir")
        .arg(layout.node_tmp(&NODES[0]).join("course-grading"))
        .args(["--only", CLASS_EXERCISE])
        .status()?;
    // Its exit code says whether all are done (bob's is not): the reports say the rest.
    let _ = status;
    let alone = verdicts(&one_machine)?;
    let expected = [("alice", "done"), ("bob", "slow"), ("dave", "tampered")];
    let mut text = format!(
        "## A class graded as a job array: tools/grade-class.sbatch, --only {CLASS_EXERCISE}\n\n\
         | submission | array task: node | verdict on the cluster | verdict on one machine |\n| --- | --- | --- | --- |\n"
    );
    for (name, _) in expected {
        let node = array.iter().find(|e| e.output.contains(&format!("/{name}"))).map_or("?", |e| e.nodes.as_str());
        let cluster = on_cluster.get(name).map_or("missing", String::as_str);
        let machine = alone.get(name).map_or("missing", String::as_str);
        writeln!(text, "| {name} | {node} | {cluster} | {machine} |")?;
    }
    println!("{text}");
    for (name, state) in expected {
        let (cluster, machine) = (on_cluster.get(name), alone.get(name));
        if cluster != machine {
            bail!("{name}: {cluster:?} on the cluster but {machine:?} on one machine:\n{text}");
        }
        // A machine too busy to tell is the one verdict that may stand for another.
        if cluster.is_none_or(|c| c != state && c != "ungradable") {
            bail!("{name}: expected {state}, got {cluster:?}:\n{text}");
        }
    }
    let nodes: std::collections::BTreeSet<&str> = array.iter().map(|e| e.nodes.as_str()).collect();
    writeln!(text, "\nThe array's tasks ran on {}.", nodes.into_iter().collect::<Vec<_>>().join(" and "))?;
    Ok(text)
}

/// Each submission's verdict on [`CLASS_EXERCISE`] in a folder of `class grade` reports.
fn verdicts(dir: &Path) -> Result<std::collections::BTreeMap<String, String>> {
    let mut found = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("no reports in {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        let name = value["submission"].as_str().unwrap_or_default().to_string();
        for report in value["reports"].as_array().into_iter().flatten() {
            if report["exercise"] == CLASS_EXERCISE {
                found.insert(name.clone(), report["status"].as_str().unwrap_or("?").to_string());
            }
        }
    }
    Ok(found)
}

/// `sbatch` from the checkout on the first node; the job's output goes to `outputs`.
fn submit(root: &Path, layout: &Layout, outputs: &Path, job: &Submit) -> Result<String> {
    let mut cmd = on_node(layout, &NODES[0], "sbatch");
    // A job array's tasks each get a file of their own (`%A` the array, `%a` the task).
    let name = if job.options.iter().any(|o| o.starts_with("--array")) { "%x-%A_%a.out" } else { "%x-%j.out" };
    // The jobs work in the outputs folder, so what they write (pictures) stays out of the checkout.
    cmd.current_dir(root)
        .arg("--parsable")
        .arg(format!("--chdir={}", outputs.display()))
        .arg(format!("--output={}/{name}", outputs.display()));
    if let Some(program) = job.program {
        cmd.arg(format!("--export=ALL,PROGRAM={}", program.display()));
    }
    cmd.args(job.options).arg(job.script).args(job.args);
    let out = cmd.output().context("cannot run sbatch")?;
    if !out.status.success() {
        bail!("sbatch {} failed: {}", job.script, String::from_utf8_lossy(&out.stderr).trim());
    }
    let id = String::from_utf8_lossy(&out.stdout).trim().split(';').next().unwrap_or_default().to_string();
    println!("submitted {} {}: job {id}", job.script, job.args.join(" "));
    Ok(id)
}

/// A Slurm client's output, or why it failed.
fn client(layout: &Layout, program: &str, args: &[&str]) -> Result<String> {
    let out = on_node(layout, &NODES[0], program).args(args).output()?;
    if !out.status.success() {
        bail!("{program} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One `scontrol show job -o` record per job (an array gives one per task): its fields.
fn records(layout: &Layout, id: &str) -> Result<Vec<std::collections::HashMap<String, String>>> {
    Ok(parse_records(&client(layout, "scontrol", &["show", "job", "-o", id])?))
}

/// `scontrol show job -o`'s lines: `Key=Value` fields separated by spaces, one job per line.
fn parse_records(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            line.split_whitespace()
                .filter_map(|field| field.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

const ENDED: &[&str] = &[
    "COMPLETED",
    "FAILED",
    "TIMEOUT",
    "CANCELLED",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
];

/// Pending reasons that never clear by waiting.
const NEVER: &[&str] =
    &["PartitionTimeLimit", "PartitionNodeLimit", "ReqNodeNotAvail", "BadConstraints", "AssocMaxJobsLimit"];

fn wait(layout: &Layout, id: &str, limit: Duration) -> Result<Ended> {
    let mut ended = wait_array(layout, id, 1, limit)?;
    Ok(ended.remove(0))
}

/// Waits until `count` records of job `id` have ended (a job array's tasks), then reads each
/// one's output.
fn wait_array(layout: &Layout, id: &str, count: usize, limit: Duration) -> Result<Vec<Ended>> {
    let started = Instant::now();
    loop {
        let all = records(layout, id)?;
        let state = |r: &std::collections::HashMap<String, String>| r.get("JobState").cloned().unwrap_or_default();
        if all.len() >= count && all.iter().all(|r| ENDED.contains(&state(r).as_str())) {
            return Ok(all
                .iter()
                .map(|r| {
                    let path = r.get("StdOut").cloned().unwrap_or_default();
                    Ended {
                        id: r.get("JobId").cloned().unwrap_or_default(),
                        state: state(r),
                        output: std::fs::read_to_string(&path).unwrap_or_else(|e| format!("(no output: {path}: {e})")),
                        nodes: r.get("NodeList").cloned().unwrap_or_default(),
                    }
                })
                .collect());
        }
        // A reason the queue never gets past: waiting longer cannot help.
        for r in &all {
            let reason = r.get("Reason").map_or("", String::as_str);
            if state(r) == "PENDING" && NEVER.iter().any(|n| reason.starts_with(n)) {
                bail!("job {id} cannot start on this cluster: {reason}");
            }
        }
        if started.elapsed() > limit {
            let states: Vec<String> = all.iter().map(state).collect();
            bail!("job {id} had not ended after {} s ({})", limit.as_secs(), states.join(", "));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn expect_completed(job: &Ended, what: &str) -> Result<()> {
    if job.state != "COMPLETED" {
        bail!("{what} (job {}) ended {}:\n{}", job.id, job.state, job.output);
    }
    Ok(())
}

/// The heat program's `ranks by node:` line must list these placements.
fn expect_ranks(job: &Ended, placements: &[&str]) -> Result<()> {
    let line = job.output.lines().find(|l| l.starts_with("ranks by node:")).unwrap_or_default();
    if !placements.iter().all(|p| line.contains(p)) {
        bail!("job {}: expected ranks placed as {placements:?}, got {line:?}:\n{}", job.id, job.output);
    }
    Ok(())
}

/// Bytes sent and received by the first node's end of the veth pair.
fn veth_bytes() -> Result<u64> {
    let node = NODES[0];
    let read = |what: &str| -> Result<u64> {
        let out = std::process::Command::new("ip")
            .args(["netns", "exec", &node.namespace(), "cat"])
            .arg(format!("/sys/class/net/{}/statistics/{what}", node.link))
            .output()?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .with_context(|| format!("no {what} counter for {}", node.link))
    };
    Ok(read("tx_bytes")? + read("rx_bytes")?)
}

fn section(report: &mut String, title: &str, job: &Ended) -> Result<()> {
    writeln!(report, "## {title} (job {}, {}, on {})\n\n```text\n{}```\n", job.id, job.state, job.nodes, job.output)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scontrols_one_line_records_are_read_per_task() {
        let text = "JobId=10 ArrayJobId=9 ArrayTaskId=1 JobName=grade-class JobState=COMPLETED Reason=None \
                    NodeList=node2 StdOut=/c/jobs/grade-class-9_1.out\n\
                    JobId=9 ArrayJobId=9 ArrayTaskId=0 JobState=PENDING Reason=PartitionTimeLimit NodeList=(null)\n";
        let records = parse_records(text);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["JobState"], "COMPLETED");
        assert_eq!(records[0]["NodeList"], "node2");
        assert_eq!(records[0]["StdOut"], "/c/jobs/grade-class-9_1.out");
        assert_eq!(records[1]["Reason"], "PartitionTimeLimit");
        assert!(NEVER.iter().any(|n| records[1]["Reason"].starts_with(n)), "a reason that never clears");
    }

    #[test]
    fn ranks_are_placed_as_the_heat_program_says() {
        let job = |line: &str| Ended {
            id: "5".into(),
            state: "COMPLETED".into(),
            output: format!("2 ranks, …\n{line}\n"),
            nodes: "node[1-2]".into(),
        };
        assert!(expect_ranks(&job("ranks by node: node1: 0; node2: 1"), &["node1: 0", "node2: 1"]).is_ok());
        let one_node = job("ranks by node: node1: 0, 1");
        assert!(expect_ranks(&one_node, &["node1: 0", "node2: 1"]).is_err(), "both on one node");
        assert!(expect_ranks(&job(""), &["node1: 0"]).is_err(), "no line at all");
    }
}
