//! The `todo!()` tasks, judged by the judge: each course check runs in the reference worker on
//! proxies whose calls are relayed to the learner's grading worker, so what a test binary
//! prints decides nothing.

use super::ask_spec;
use super::failure::Failure;
use super::worker::*;
use crate::child::Limits;
use crate::course::Exercise;
use crate::sandbox::Confinement;
use anyhow::{Result, anyhow, bail};
use grading::worker::{Request, hex, unhex};
use std::path::Path;
use std::time::{Duration, Instant};

/// The judge's verdict on one `todo!()` task.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskVerdict {
    Passed,
    /// A learner function it calls is still a `todo!()`: the check's message.
    Todo(String),
    /// The check failed: its message (a wrong result, a panic, or a call that got no answer).
    Failed(String),
    /// Not checked: the test binaries did not report it passed, and a failure learner code
    /// reports can only cost that learner (checking it again would wait out a hang twice).
    Unchecked,
}

/// What the judge found of an exercise's tasks: each task's verdict, in the reference
/// worker's order, and the end of what the candidate printed when a call of it crashed or hung.
pub struct JudgedTasks {
    pub tasks: Vec<(String, TaskVerdict)>,
    pub output: String,
}

/// A call of a learner function may take this long (a check's calls are small).
const TASK_CALL_LIMIT: Duration = Duration::from_secs(30);

/// How a call relayed to the learner's grading worker ended.
enum Relayed {
    /// Its answer: `result HEX` or `panic HEX`.
    Answer(String),
    /// A line that is no answer: the worker is in an unknown state, started afresh.
    Wrong(String),
    /// The worker crashed or hung: started afresh.
    Broke(Failure),
    /// The reference worker went on without the answer (its proxy gave up on the calls back):
    /// its next line. The worker may still be in the call: started afresh.
    MovedOn(String),
}

/// Relays the reference worker's `call` to the learner's worker and, until its answer, the
/// learner's calls back (`back …`) to the reference worker and their answers (`answer …`)
/// back, both ways at once (see `harness::remote::call_with`).
fn relay_call(learner: &mut Worker, reference: &mut Worker, call: &str) -> Result<Relayed> {
    let deadline = Instant::now() + TASK_CALL_LIMIT;
    if let Err(failure) = learner.send(call) {
        return Ok(Relayed::Broke(failure));
    }
    let reference_failed = |failure: Failure| anyhow!("the course's reference worker failed: {}", failure.describe());
    loop {
        // Waiting on the learner's side: its answer ends the call; an answer to a call back
        // from the reference worker is at most this late.
        match learner.poll(Duration::from_micros(100)) {
            Ok(Some(line)) if line.starts_with("back ") => reference.send(&line).map_err(reference_failed)?,
            Ok(Some(line)) if line.starts_with("result ") || line.starts_with("panic ") => {
                return Ok(Relayed::Answer(line));
            }
            Ok(Some(line)) => return Ok(Relayed::Wrong(line)),
            Ok(None) => {}
            Err(failure) => return Ok(Relayed::Broke(failure)),
        }
        while let Some(line) = reference.poll(Duration::ZERO).map_err(reference_failed)? {
            if !line.starts_with("answer ") {
                return Ok(Relayed::MovedOn(line));
            }
            if let Err(failure) = learner.send(&line) {
                return Ok(Relayed::Broke(failure));
            }
        }
        if Instant::now() > deadline {
            return Ok(Relayed::Broke(learner.timed_out(TASK_CALL_LIMIT)));
        }
    }
}

/// The executables the judge checks an exercise's tasks with.
pub struct TaskWorkers<'a> {
    /// The learner's grading worker (its library built beside it, for the course's programs
    /// in other languages).
    pub candidate: &'a Path,
    pub reference: &'a Path,
    /// The learner's package (its library crate's name, `-` as `_`).
    pub package: &'a str,
    /// For an MPI exercise: the installation its grading worker runs under, once for each of
    /// the exercise's rank counts.
    pub mpi: Option<&'a crate::mpi::Installation>,
}

/// Checks `exercise`'s `todo!()` tasks the course's reference worker checks itself: each
/// check runs there, on proxies whose calls the judge relays to the learner's grading worker
/// (`workers.candidate`), so what a test binary prints decides nothing (see
/// `harness::remote`). An MPI exercise's tasks are checked with a job of each of its rank
/// counts; a task's verdict is its first failure. Only the tasks `reported_passed` says the
/// test binaries passed are checked; the others are [`TaskVerdict::Unchecked`]. `None` when the
/// reference worker checks no task of this exercise.
pub fn check_tasks(
    workers: &TaskWorkers<'_>,
    exercise: &Exercise,
    course: &Path,
    reported_passed: &dyn Fn(&str) -> bool,
) -> Result<Option<JudgedTasks>> {
    let scratch = crate::sandbox::Scratch::new(&course.join("target"), "tasks")?;
    let folder = |name: &str| scratch.folder(name);
    let limits = Limits::for_learner_code(Duration::from_secs(600));
    let (candidate, reference) = (workers.candidate, workers.reference);
    let confined = Confinement::program(&folder("reference")?, course, reference);
    let mut judge = Worker::spawn(reference, &[exercise.name.as_str()], &confined, limits, Role::Reference)?;
    let spec = ask_spec(&mut judge)?;
    if spec.tasks.is_empty() {
        judge.kill();
        return Ok(None);
    }
    // The course's programs in other languages, run on the library built beside the worker.
    let drivers = crate::drivers::Drivers {
        course,
        libraries: candidate.parent().map(Path::to_path_buf).unwrap_or_default(),
        crate_name: workers.package.replace('-', "_"),
        scratch: folder("programs")?,
    };
    let sizes: Vec<Option<u32>> = match (workers.mpi, &exercise.mpi) {
        (Some(_), Some(job)) => job.ranks.iter().map(|&r| Some(r)).collect(),
        _ => vec![None],
    };
    // Every worker in an empty folder of its own (an MPI job's channel is made there).
    let spawned = std::cell::Cell::new(0);
    let spawn = |size: Option<u32>| -> Result<Worker> {
        spawned.set(spawned.get() + 1);
        let dir = folder(&format!("candidate-{}", spawned.get()))?;
        match (size, workers.mpi) {
            (Some(ranks), Some(mpi)) => {
                let confined = Confinement::mpi(&dir, course, candidate);
                Worker::spawn_mpi(mpi, candidate, ranks, &confined, limits, Role::Candidate)
            }
            _ => Worker::spawn(
                candidate,
                &[],
                &Confinement::program(&dir, course, candidate).with_gpu(exercise.gpu),
                limits,
                Role::Candidate,
            ),
        }
    };
    let mut judged = JudgedTasks {
        tasks: spec
            .tasks
            .iter()
            .map(|t| (t.clone(), if reported_passed(t) { TaskVerdict::Passed } else { TaskVerdict::Unchecked }))
            .collect(),
        output: String::new(),
    };
    for size in sizes {
        let mut learner = spawn(size)?;
        for (task, verdict) in judged.tasks.iter_mut().filter(|(_, v)| *v == TaskVerdict::Passed) {
            let request = Request::Task { name: task.clone(), ranks: size }.to_string();
            let mut session =
                TaskSession { learner: &mut learner, respawn: &|| spawn(size), judge: &mut judge, drivers: &drivers };
            *verdict = session.check(task, &request, &mut judged.output)?;
        }
        learner.kill();
    }
    judge.kill();
    crate::child::reap_orphans();
    Ok(Some(judged))
}

/// The workers one task's check runs with.
struct TaskSession<'s, 'a> {
    learner: &'s mut Worker,
    respawn: &'s dyn Fn() -> Result<Worker>,
    judge: &'s mut Worker,
    drivers: &'s crate::drivers::Drivers<'a>,
}

impl TaskSession<'_, '_> {
    /// Runs the check of `task` (asked for with `request`), relaying its calls; a call that
    /// crashed or hung the learner's worker leaves its output in `output`.
    fn check(&mut self, task: &str, request: &str, output: &mut String) -> Result<TaskVerdict> {
        let limit = Duration::from_secs(300);
        let reference_failed =
            |failure: Failure| anyhow!("the course's reference worker failed on {task}: {}", failure.describe());
        let mut answer = self.judge.ask(request, limit, false).map_err(reference_failed)?;
        loop {
            let (word, rest) = answer.split_once(' ').unwrap_or((answer.as_str(), ""));
            let message = || serde_json::from_str::<String>(rest).unwrap_or_else(|_| rest.to_string());
            match word {
                "passed" => return Ok(TaskVerdict::Passed),
                "todo" => return Ok(TaskVerdict::Todo(crate::text::inert(&message()))),
                "failed" => return Ok(TaskVerdict::Failed(crate::text::inert(&message()))),
                "call" => {}
                // An answer to a call back of a call that is over: nobody waits for it.
                "answer" => {
                    answer = self.judge.wait_answer(limit, false).map_err(reference_failed)?;
                    continue;
                }
                _ => bail!("the course's reference worker answered '{}' on {task}", shorten(&answer)),
            }
            // A course program run on the learner's library: run here, not by the worker.
            if let Some(call) = answer.strip_prefix("call program:") {
                let (name, input) = call.split_once(' ').unwrap_or((call, ""));
                let reply = match unhex(input).and_then(|input| self.drivers.run(name, &input)) {
                    Ok(printed) => format!("result {}", hex(&printed)),
                    Err(why) => format!("panic {}", hex(why.as_bytes())),
                };
                answer = self.judge.ask(&reply, limit, false).map_err(reference_failed)?;
                continue;
            }
            // A call that gets no answer ends the candidate, started afresh for what follows,
            // and is told to the check as a failure of its own.
            let reply = match relay_call(self.learner, self.judge, &answer)? {
                Relayed::Answer(reply) => reply,
                Relayed::Wrong(reply) => {
                    self.restart()?;
                    format!("failed your grading worker answered '{}'", shorten(&reply))
                }
                Relayed::Broke(failure) => {
                    *output = failure.output().to_string();
                    self.restart()?;
                    format!("failed {}", failure.summary().replace('\n', " "))
                }
                Relayed::MovedOn(line) => {
                    self.restart()?;
                    answer = line;
                    continue;
                }
            };
            answer = self.judge.ask(&reply, limit, false).map_err(reference_failed)?;
        }
    }

    /// Ends the learner's worker and starts another.
    fn restart(&mut self) -> Result<()> {
        self.learner.kill();
        *self.learner = (self.respawn)()?;
        Ok(())
    }
}
