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
use crate::check::Status;
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

impl<'a> Submit<'a> {
    /// `script` running `program` with its default arguments.
    fn program(script: &'a str, program: &'a Path) -> Self {
        Submit { script, program: Some(program), args: &[], options: &[] }
    }
}

/// How a job ended.
struct Ended {
    id: String,
    state: String,
    output: String,
    nodes: String,
}

/// What every step needs: where the course is, the cluster's files, and the report so far.
struct Session<'a> {
    root: &'a Path,
    layout: &'a Layout,
    /// Where the jobs run and write their output.
    outputs: PathBuf,
    report: String,
}

/// Runs the test: builds what the jobs run, brings the cluster up, submits, checks, and always
/// takes the cluster down.
pub fn test(root: &Path, course: &Course) -> Result<ExitCode> {
    super::available().map_err(|why| anyhow::anyhow!("the cluster test cannot run here: {why}"))?;
    let started = Instant::now();
    let programs = build(root)?;
    let layout = Layout::new(root);
    super::start(&layout)?;
    let mut session = Session {
        root,
        layout: &layout,
        outputs: layout.dir.join("jobs"),
        report: String::from("# The virtual cluster's test\n\n"),
    };
    let outcome = session.run(course, &programs);
    let stopped = super::stop(&layout);
    outcome?;
    let stopped = stopped?;
    let leftover: Vec<String> = NODES.iter().filter(|n| n.namespace_file().exists()).map(|n| n.namespace()).collect();
    if !leftover.is_empty() {
        bail!("namespaces left after `down`: {}", leftover.join(", "));
    }
    writeln!(session.report, "\n`down` stopped {}; no namespace left.", stopped.join(", "))?;
    let path = layout.dir.join("report.md");
    std::fs::write(&path, &session.report)?;
    println!("cluster test passed in {:.0} s; the jobs' outputs: {}", started.elapsed().as_secs_f64(), path.display());
    Ok(ExitCode::SUCCESS)
}

/// The programs the jobs run, built in release.
struct Programs {
    runner: PathBuf,
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
    // The runner the jobs grade with: this checkout's, built now. Not this process's own file,
    // which `ci`'s earlier steps may have rebuilt under it (`/proc/self/exe` then says "(deleted)").
    let status = crate::cargo::command().current_dir(root).args(["build", "-p", "xtask"]).status()?;
    if !status.success() {
        bail!("the runner did not build");
    }
    let release = root.join("target").join("release");
    Ok(Programs {
        runner: root.join("target").join("debug").join("xtask"),
        heat: release.join("examples").join("heat_mpi_solution"),
        hello: release.join("examples").join("hello_solution"),
        deadlock: release.join("examples").join("deadlock"),
        halo_cost: release.join("course-halo-cost"),
    })
}

impl Session<'_> {
    fn run(&mut self, course: &Course, programs: &Programs) -> Result<()> {
        std::fs::create_dir_all(&self.outputs)?;
        let sinfo = self.client("sinfo", &[])?;
        println!("$ sinfo\n{sinfo}");
        writeln!(self.report, "```text\n$ sinfo\n{sinfo}```\n")?;
        // The deadlock takes its whole minute: submitted first, it runs while the heat jobs do.
        let deadlock =
            self.submit(&Submit::program("exercises/10-mpi-basics/jobs/deadlock.sbatch", &programs.deadlock))?;
        self.hello(&programs.hello, &deadlock)?;
        self.heat(&programs.heat)?;
        let deadlock = self.wait(&deadlock, Duration::from_secs(240))?;
        if deadlock.state != "TIMEOUT" || !deadlock.output.contains("DUE TO TIME LIMIT") {
            bail!(
                "deadlock: expected its time limit to end it (TIMEOUT), got {}:\n{}",
                deadlock.state,
                deadlock.output
            );
        }
        self.section("exercise 10, deadlock.sbatch: ended by its time limit", &deadlock)?;
        self.tables(programs)?;
        self.grader_in_allocation(&programs.runner)?;
        let class = self.class(course, &programs.runner)?;
        self.report.push_str(&class);
        Ok(())
    }

    /// Exercise 10's hello on 2 nodes × 2 ranks: `srun hostname` names each node twice. The
    /// queue is shown while the deadlock runs.
    fn hello(&mut self, program: &Path, deadlock: &str) -> Result<()> {
        let hello = self.submit(&Submit::program("exercises/10-mpi-basics/jobs/hello.sbatch", program))?;
        let started = Instant::now();
        while self.records(deadlock)?.first().and_then(|r| r.get("JobState")).is_none_or(|s| s == "PENDING")
            && started.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(100));
        }
        let squeue = self.client("squeue", &[])?;
        println!("$ squeue\n{squeue}");
        writeln!(self.report, "```text\n$ squeue\n{squeue}```\n")?;

        let hello = self.wait(&hello, Duration::from_secs(120))?;
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
        self.section("exercise 10, hello.sbatch: 2 nodes × 2 ranks", &hello)
    }

    /// Exercise 11's heat program on one node and on two, each field checked against the serial
    /// reference: the veth carries the halo rows only when the ranks are on two nodes.
    fn heat(&mut self, program: &Path) -> Result<()> {
        let run = |session: &Session, script: &str, steps: &str| -> Result<(Ended, u64)> {
            let before = veth_bytes()?;
            let size = HEAT_COLUMNS.to_string();
            let args = ["--size", &size, "--steps", steps];
            let id = session.submit(&Submit { script, program: Some(program), args: &args, options: &[] })?;
            let ended = session.wait(&id, Duration::from_secs(180))?;
            expect_completed(&ended, script)?;
            if !ended.output.contains("field equals the serial reference") {
                bail!("{script}: the field was not checked against the serial reference:\n{}", ended.output);
            }
            Ok((ended, veth_bytes()?.saturating_sub(before)))
        };
        let steps = HEAT_STEPS.to_string();
        let (one_node, one_node_bytes) = run(self, "exercises/11-mpi-heat/jobs/heat-one-node.sbatch", &steps)?;
        expect_ranks(&one_node, &["node1: 0, 1"])?;
        let (_, no_steps_bytes) = run(self, "exercises/11-mpi-heat/jobs/heat-two-nodes.sbatch", "0")?;
        let (two_nodes, two_nodes_bytes) = run(self, "exercises/11-mpi-heat/jobs/heat-two-nodes.sbatch", &steps)?;
        expect_ranks(&two_nodes, &["node1: 0", "node2: 1"])?;
        // Each step, each rank sends the other one row of f64: both directions count on one link end.
        let halo_expected = 2 * HEAT_STEPS * HEAT_COLUMNS * 8;
        let halo_measured = two_nodes_bytes.saturating_sub(no_steps_bytes);
        let crossing = format!(
            "Bytes through the veth (sent and received by node1's end), {HEAT_COLUMNS}² field: one node × 2 ranks, \
             {HEAT_STEPS} steps: {one_node_bytes}; two nodes, 0 steps (scatter and gather): {no_steps_bytes}; two \
             nodes, {HEAT_STEPS} steps: {two_nodes_bytes}. The steps added {halo_measured} bytes; their halo rows are \
             {halo_expected} (2 ranks × {HEAT_STEPS} steps × {HEAT_COLUMNS} values × 8 B), give or take TCP's headers \
             and acknowledgements."
        );
        println!("{crossing}");
        if halo_measured < halo_expected * 9 / 10 || halo_measured > 2 * halo_expected {
            bail!("the halo rows did not cross the veth as expected: {crossing}");
        }
        if one_node_bytes > halo_expected / 10 {
            bail!("ranks on one node sent {one_node_bytes} bytes through the veth: not shared memory? {crossing}");
        }
        self.section("exercise 11, heat-one-node.sbatch: 1 node × 2 ranks", &one_node)?;
        self.section("exercise 11, heat-two-nodes.sbatch: 2 nodes × 1 rank", &two_nodes)?;
        writeln!(self.report, "{crossing}\n")?;
        Ok(())
    }

    /// The lesson's tables, each job alone on the cluster since they time.
    fn tables(&mut self, programs: &Programs) -> Result<()> {
        for (script, program, title) in [
            ("exercises/11-mpi-heat/jobs/halo-cost.sbatch", &programs.halo_cost, "halo cost, one node vs two"),
            ("exercises/11-mpi-heat/jobs/scaling.sbatch", &programs.heat, "strong scaling over nodes"),
        ] {
            let id = self.submit(&Submit::program(script, program))?;
            let ended = self.wait(&id, Duration::from_secs(300))?;
            expect_completed(&ended, script)?;
            let rows = ended.output.lines().filter(|l| l.starts_with("| ") && l.ends_with(" |")).count();
            if rows < 4 {
                bail!("{script} wrote no table:\n{}", ended.output);
            }
            if script.ends_with("halo-cost.sbatch")
                && !(ended.output.contains("different nodes") && ended.output.contains("same node"))
            {
                bail!("the halo-cost job did not run once on one node and once on two:\n{}", ended.output);
            }
            self.section(&format!("exercise 11, {title}"), &ended)?;
        }
        Ok(())
    }

    /// `check mpi-heat --solution` inside an allocation: the job ends 0 only when every target
    /// is met, and the runner says it grades inside a job.
    fn grader_in_allocation(&mut self, runner: &Path) -> Result<()> {
        let id = self.submit(&Submit {
            script: "exercises/11-mpi-heat/jobs/check.sbatch",
            program: None,
            args: &["--solution"],
            options: &[format!("--export=ALL,RUNNER={}", runner.display())],
        })?;
        let check = self.wait(&id, Duration::from_secs(900))?;
        expect_completed(&check, "check.sbatch --solution")?;
        if !check.output.contains("inside Slurm job") {
            bail!("check.sbatch: the runner did not say it grades inside a job:\n{}", check.output);
        }
        self.section("exercise 11, check.sbatch --solution: the grader in an allocation", &check)
    }

    /// Three submissions of [`CLASS_EXERCISE`] graded as a job array over both nodes, then on
    /// one machine: the same verdicts are required.
    fn class(&self, course: &Course, runner: &Path) -> Result<String> {
        let exercise = course.find(CLASS_EXERCISE)?;
        let base = self.layout.dir.join("class");
        let submissions = base.join("submissions");
        let _ = std::fs::remove_dir_all(&base);
        // alice: the solution's code; bob: the starting code; dave: the starting code and an edited test.
        let folder = exercise.folder(Side::Exercise);
        for name in ["alice", "bob", "dave"] {
            copy_course(self.root, &submissions.join(name))?;
        }
        let solution_lib = self.root.join(exercise.folder(Side::Solution)).join("src").join("lib.rs");
        std::fs::copy(&solution_lib, submissions.join("alice").join(&folder).join("src").join("lib.rs"))?;
        let test = submissions.join("dave").join(&folder).join("tests").join("grade.rs");
        let mut text = std::fs::read_to_string(&test).with_context(|| format!("{}", test.display()))?;
        text.push_str("\n// made easier\n");
        std::fs::write(&test, text)?;

        let reports = base.join("reports");
        let (listed, written) = (submissions.display().to_string(), reports.display().to_string());
        let id = self.submit(&Submit {
            script: "tools/grade-class.sbatch",
            program: None,
            args: &[&listed, &written, "--only", CLASS_EXERCISE],
            // TMPDIR: node-local scratch, as clusters give a job, so each node builds apart.
            options: &[
                "--array=0-2".into(),
                format!("--export=ALL,RUNNER={},TMPDIR={}", runner.display(), self.layout.node_local().display()),
            ],
        })?;
        let array = self.wait_array(&id, 3, Duration::from_secs(1500))?;
        let on_cluster = verdicts(&reports)?;
        // The same submissions on one machine, in the first node's scratch folder (built already).
        let one_machine = base.join("one-machine");
        // Its exit code says whether all are done (bob's is not): the reports say the rest.
        let _ = std::process::Command::new(runner)
            .current_dir(self.root)
            .args(["class", "grade"])
            .args(["alice", "bob", "dave"].map(|n| submissions.join(n)))
            .arg("--out")
            .arg(&one_machine)
            .arg("--work-dir")
            .arg(self.layout.node_tmp(&NODES[0]).join("course-grading"))
            .args(["--only", CLASS_EXERCISE])
            .status()?;
        let alone = verdicts(&one_machine)?;
        let expected = [("alice", Status::Done), ("bob", Status::Slow), ("dave", Status::Tampered)];
        let mut text = format!(
            "## A class graded as a job array: tools/grade-class.sbatch, --only {CLASS_EXERCISE}\n\n\
             | submission | array task: node | verdict on the cluster | verdict on one machine |\n| --- | --- | --- | --- |\n"
        );
        for (name, _) in expected {
            let node = array.iter().find(|e| e.output.contains(&format!("/{name}"))).map_or("?", |e| e.nodes.as_str());
            let cluster = on_cluster.get(name).map_or("missing", |s| s.describe());
            let machine = alone.get(name).map_or("missing", |s| s.describe());
            writeln!(text, "| {name} | {node} | {cluster} | {machine} |")?;
        }
        println!("{text}");
        for (name, state) in expected {
            let (cluster, machine) = (on_cluster.get(name), alone.get(name));
            if cluster != machine {
                bail!("{name}: {cluster:?} on the cluster but {machine:?} on one machine:\n{text}");
            }
            // A machine too busy to tell is the one verdict that may stand for another.
            if cluster.is_none_or(|&c| c != state && c != Status::Ungradable) {
                bail!("{name}: expected {state:?}, got {cluster:?}:\n{text}");
            }
        }
        let nodes: std::collections::BTreeSet<&str> = array.iter().map(|e| e.nodes.as_str()).collect();
        writeln!(text, "\nThe array's tasks ran on {}.", nodes.into_iter().collect::<Vec<_>>().join(" and "))?;
        Ok(text)
    }
}

/// The course at `HEAD` (`git archive`, piped into `tar`) in `dir`: a learner's fresh fork.
fn copy_course(root: &Path, dir: &Path) -> Result<()> {
    use std::process::{Command, Stdio};
    std::fs::create_dir_all(dir)?;
    let mut archive =
        Command::new("git").arg("-C").arg(root).args(["archive", "HEAD"]).stdout(Stdio::piped()).spawn()?;
    let stream = archive.stdout.take().context("git archive's output")?;
    let unpacked = Command::new("tar").arg("-x").arg("-C").arg(dir).stdin(stream).status()?;
    if !archive.wait()?.success() || !unpacked.success() {
        bail!("cannot copy the course at HEAD into {}", dir.display());
    }
    Ok(())
}

/// Each submission's verdict on [`CLASS_EXERCISE`] in a folder of `class grade` reports, read
/// as `class table` reads them.
fn verdicts(dir: &Path) -> Result<std::collections::BTreeMap<String, Status>> {
    let (documents, _) = crate::class::table::read_folder(dir)?;
    Ok(documents
        .into_iter()
        .flat_map(|d| {
            let learner = d.learner;
            d.reports.into_iter().filter(|r| r.exercise == CLASS_EXERCISE).map(move |r| (learner.clone(), r.status))
        })
        .collect())
}

/// The Slurm client side of a [`Session`]: submitting, asking, waiting.
impl Session<'_> {
    /// `sbatch` from the checkout on the first node; the job's output goes to `outputs`.
    fn submit(&self, job: &Submit) -> Result<String> {
        let (root, outputs) = (self.root, &self.outputs);
        let mut cmd = on_node(self.layout, &NODES[0], "sbatch");
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
    fn client(&self, program: &str, args: &[&str]) -> Result<String> {
        let out = on_node(self.layout, &NODES[0], program).args(args).output()?;
        if !out.status.success() {
            bail!("{program} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// One `scontrol show job -o` record per job (an array gives one per task): its fields.
    fn records(&self, id: &str) -> Result<Vec<std::collections::HashMap<String, String>>> {
        Ok(parse_records(&self.client("scontrol", &["show", "job", "-o", id])?))
    }

    fn wait(&self, id: &str, limit: Duration) -> Result<Ended> {
        let mut ended = self.wait_array(id, 1, limit)?;
        Ok(ended.remove(0))
    }

    /// Waits until `count` records of job `id` have ended (a job array's tasks), then reads each
    /// one's output.
    fn wait_array(&self, id: &str, count: usize, limit: Duration) -> Result<Vec<Ended>> {
        let started = Instant::now();
        loop {
            let all = self.records(id)?;
            let state = |r: &std::collections::HashMap<String, String>| r.get("JobState").cloned().unwrap_or_default();
            if all.len() >= count && all.iter().all(|r| ENDED.contains(&state(r).as_str())) {
                return Ok(all
                    .iter()
                    .map(|r| {
                        let path = r.get("StdOut").cloned().unwrap_or_default();
                        Ended {
                            id: r.get("JobId").cloned().unwrap_or_default(),
                            state: state(r),
                            output: std::fs::read_to_string(&path)
                                .unwrap_or_else(|e| format!("(no output: {path}: {e})")),
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

    /// A job's output under `title` in the report.
    fn section(&mut self, title: &str, job: &Ended) -> Result<()> {
        writeln!(
            self.report,
            "## {title} (job {}, {}, on {})\n\n```text\n{}```\n",
            job.id, job.state, job.nodes, job.output
        )?;
        Ok(())
    }
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
