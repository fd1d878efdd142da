//! The timed protocol of one grading: the three workers sampled in interleaved rounds on fresh
//! inputs, every sample's outputs checked by the reference worker, the verdict drawn by
//! `grading::protocol`; and how a multi-threaded stage's cores were used.

use super::failure::Failure;
use super::worker::*;
use super::{ask_spec, match_stages};
use crate::child::Limits;
use crate::course::Exercise;
use crate::sandbox::Confinement;
use anyhow::{Result, bail};
use grading::protocol::{self, Contender, Contenders, PairProgress, Protocol, StageResult};
use grading::worker::Request;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Outputs checked per sample at most: every call's up to this many, else this many calls drawn
/// at random after the sample. A wrong answer in a fraction `p` of calls escapes one sample with
/// probability `(1 - p)^64` (under 2% for `p` = 6%), and a verdict takes dozens of samples.
const CHECKED_PER_SAMPLE: usize = 64;

/// A batch copied out of a worker: offsets and data.
struct Copied {
    offsets: Vec<u8>,
    data: Vec<u8>,
}

/// Starts a worker afresh for the candidate or the solution (`fresh_process_per_call`).
type Respawn<'a> = Box<dyn FnMut(Role) -> Result<Worker> + 'a>;

/// The three workers of one grading and what the judge knows of the run so far.
struct Session<'a> {
    reference: Worker,
    candidate: Worker,
    solution: Worker,
    stage: String,
    seeds: std::collections::hash_map::RandomState,
    samples: u64,
    /// Limit for one timed request.
    call_limit: Duration,
    failure: Option<Failure>,
    /// Whether the untimed correctness calls are done: failures after it happened while timing.
    checked_first: bool,
    /// The last input batch copied for the candidate or the solution (its buffers are reused).
    input: Copied,
    /// Who drew `input` and for how many calls, while the reference worker still holds it (no
    /// batch generated since): the other of the two then runs on the same inputs.
    shared: Option<(Role, u64)>,
    /// Calls the candidate and the solution asked for last, so the batch the first of a round
    /// draws holds enough for both.
    last_calls: [u64; 2],
    /// Whether the stage's rounds have begun: during warm-up and calibration each contender
    /// samples alone, many times, and a batch sized for the other would be wasted.
    in_rounds: bool,
    /// The buffer of the last outputs read, reused.
    outputs: Vec<u8>,
    /// For an exercise graded one call per process: starts the candidate or the solution
    /// again, with a new scratch folder, before each of its samples.
    respawn: Option<Respawn<'a>>,
    /// For such an exercise: what an empty request (no call) to a just-started solution took,
    /// every time; their median is taken off each timed call (see [`Session::fresh_sample`]).
    empty_requests: Vec<f64>,
    /// The candidate's CPU and wall seconds in this stage's timed runs (CPU `None` once unreadable).
    candidate_cpu: Option<f64>,
    candidate_wall: f64,
}

impl Session<'_> {
    fn seed(&mut self) -> u64 {
        use std::hash::BuildHasher;
        self.samples += 1;
        self.seeds.hash_one(self.samples)
    }

    fn worker(&mut self, who: Role) -> &mut Worker {
        match who {
            Role::Reference => &mut self.reference,
            Role::Candidate => &mut self.candidate,
            Role::Solution => &mut self.solution,
        }
    }

    /// The reference worker makes a fresh batch, also loaded for its own run; returns where it is.
    fn generate(&mut self, calls: u64) -> Result<Located, Failure> {
        let seed = self.seed();
        let stage = self.stage.clone();
        self.shared = None;
        let answer = self.reference.ask(
            &Request::Generate { stage, seed, count: calls as usize }.to_string(),
            Duration::from_secs(120),
            false,
        )?;
        parse_located(&answer, "at", || self.reference.output())
    }

    /// A fresh batch copied out of the reference worker into `self.input`.
    /// The buffers are the last batch's, reused: a fresh one of 128 MiB a sample costs the
    /// judge tens of milliseconds of page faults.
    fn generate_copy(&mut self, calls: u64) -> Result<(), Failure> {
        let at = self.generate(calls)?;
        let input = &mut self.input;
        input.offsets.resize((at.count + 1) * 8, 0);
        input.data.resize(at.bytes, 0);
        self.reference.read_into(at.offsets, &mut input.offsets)?;
        self.reference.read_into(at.data, &mut input.data)?;
        Ok(())
    }

    /// Inputs for `calls` calls of `who` (the candidate or the solution) in `self.input`: the
    /// batch the other one drew this round when it holds enough, else a fresh one, sized for
    /// both. Returns the bytes of the first `calls` items' offsets and data.
    fn input_for(&mut self, who: Role, calls: u64) -> Result<(usize, usize), Failure> {
        let (mine, other) = if who == Role::Candidate { (0, 1) } else { (1, 0) };
        self.last_calls[mine] = calls;
        let reuse = matches!(self.shared, Some((drawer, held)) if drawer != who && held >= calls);
        if reuse {
            self.shared = None;
        } else {
            let batch = if self.in_rounds { calls.max(self.last_calls[other]) } else { calls };
            self.generate_copy(batch)?;
            self.shared = Some((who, batch));
        }
        let offsets = (calls as usize + 1) * 8;
        let end = u64::from_ne_bytes(self.input.offsets[offsets - 8..offsets].try_into().expect("8 bytes"));
        Ok((offsets, end as usize))
    }

    /// Times one run on `who` (already loaded) with the judge's clock; returns seconds and how
    /// many outputs there are and where their list is.
    fn timed_run(&mut self, who: Role, while_timing: bool) -> Result<(f64, [usize; 2]), Failure> {
        let limit = self.call_limit;
        let request = Request::Run { stage: self.stage.clone() }.to_string();
        let worker = self.worker(who);
        // Every worker is timed from stopped to answered (the candidate is stopped already).
        worker.stop();
        let cpu_before = worker.cpu_seconds();
        let start = Instant::now();
        worker.cont();
        let answer = worker.ask(&request, limit, while_timing);
        let seconds = start.elapsed().as_secs_f64();
        worker.pause();
        if who == Role::Candidate {
            let used = cpu_before.zip(self.candidate.cpu_seconds()).map(|(a, b)| b - a);
            self.candidate_cpu = self.candidate_cpu.zip(used).map(|(sum, x)| sum + x);
            self.candidate_wall += seconds;
        }
        let worker = self.worker(who);
        let done = parse_answer(&answer?, "done", || worker.output())?;
        Ok((seconds, done))
    }

    fn baseline_sample(&mut self, calls: u64) -> Result<f64, Failure> {
        self.generate(calls)?;
        let (seconds, [count, _]) = self.timed_run(Role::Reference, true)?;
        if count as u64 != calls {
            return Err(Failure::Protocol {
                message: "the baseline skipped calls".into(),
                output: self.reference.output(),
            });
        }
        Ok(seconds)
    }

    /// The calls whose outputs are checked after this sample of `count` calls ([`checked_calls`]).
    fn picks(&self, count: usize) -> Vec<usize> {
        checked_calls(&self.seeds, self.samples, count)
    }

    /// The outputs of calls `picks` of `who`, read where they lie (the worker's list at `list`
    /// holds a pair of address and length per call), as one batch for the reference worker.
    fn read_outputs(&mut self, who: Role, picks: &[usize], list: usize) -> Result<Copied, Failure> {
        const MAX_ITEM: u64 = 1 << 32;
        let mut data = std::mem::take(&mut self.outputs);
        let worker = self.worker(who);
        // Where each item lies and where it goes, then one zeroed buffer for them all.
        let (mut items, mut offsets, mut end) = (Vec::new(), vec![0u64], 0usize);
        for &k in picks {
            let pair = worker.read(list + 16 * k, 16)?;
            let [address, len] = [0, 8].map(|at| u64::from_ne_bytes(pair[at..at + 8].try_into().expect("8 bytes")));
            if len > MAX_ITEM {
                return Err(Failure::Protocol {
                    message: format!("an output of {len} bytes"),
                    output: worker.output(),
                });
            }
            let start = end.next_multiple_of(8);
            end = start + len as usize;
            items.push((address as usize, start));
            offsets.push(end as u64);
        }
        data.clear();
        data.resize(end, 0);
        for (&(address, start), &end) in items.iter().zip(&offsets[1..]) {
            worker.read_into(address, &mut data[start..end as usize])?;
        }
        Ok(Copied { offsets: offsets.iter().flat_map(|o| o.to_ne_bytes()).collect(), data })
    }

    /// Replaces `who` (the candidate or the solution) by a worker just started, when the
    /// exercise is graded one call per process; the others are told its new process ID.
    fn refresh(&mut self, who: Role) -> Result<(), Failure> {
        let Some(respawn) = self.respawn.as_mut() else { return Ok(()) };
        let old = match who {
            Role::Candidate => &mut self.candidate,
            Role::Solution => &mut self.solution,
            Role::Reference => return Ok(()),
        };
        old.kill();
        let fresh = respawn(who).map_err(|e| Failure::Protocol {
            message: format!("the judge could not start a worker: {e:#}"),
            output: String::new(),
        })?;
        *old = fresh;
        let known = vec![self.reference.pid(), self.candidate.pid(), self.solution.pid()];
        self.candidate.known = known.clone();
        self.solution.known = known;
        Ok(())
    }

    /// Times a request to run no call on `who`: what a sample costs besides its calls.
    fn empty_request(&mut self, who: Role) -> Result<f64, Failure> {
        let request = Request::Load { stage: self.stage.clone(), count: 0, bytes: 0 }.to_string();
        let worker = self.worker(who);
        let load = worker.ask_running(&request, Duration::from_secs(60), false)?;
        let (at_offsets, _) = parse_at(&load, || worker.output())?;
        worker.write(at_offsets, &0u64.to_ne_bytes())?;
        let (seconds, [count, _]) = self.timed_run(who, false)?;
        if count != 0 {
            let worker = self.worker(who);
            return Err(worker
                .own(Failure::Protocol { message: format!("{count} outputs for no call"), output: worker.output() }));
        }
        Ok(seconds)
    }

    /// One call of `who` in a worker just started for it (`fresh_process_per_call`).
    ///
    /// A request to a new process costs far more than to a warm one (its first replies run
    /// code never run before), often more than the call: 0.07 to 0.5 ms here, against about
    /// 0.15 ms for series' solution. Two empty requests come first, the same for every worker, and
    /// the call's time is its request's less the median of what the solution's second empty
    /// request took, a trusted figure (the candidate's own could be made slow on purpose).
    /// What is left is the call, so an answer looked up still meets the stage's floor.
    fn fresh_sample(&mut self, who: Role) -> Result<f64, Failure> {
        self.refresh(who)?;
        self.empty_request(who)?;
        let empty = self.empty_request(who)?;
        if who == Role::Solution {
            self.empty_requests.push(empty);
        }
        let seconds = self.loaded_sample(who, 1)?;
        let overhead = match self.empty_requests.is_empty() {
            true => 0.0,
            false => grading::timeit::median(&self.empty_requests),
        };
        Ok((seconds - overhead).max(1e-9))
    }

    /// One sample of the candidate (every sample's outputs checked) or of the solution (trusted
    /// course code: checked on its first, untimed call only).
    fn sample(&mut self, who: Role, calls: u64) -> Result<f64, Failure> {
        if self.respawn.is_some() && who != Role::Reference {
            return self.fresh_sample(who);
        }
        self.loaded_sample(who, calls)
    }

    /// [`sample`](Self::sample) in the worker as it is.
    fn loaded_sample(&mut self, who: Role, calls: u64) -> Result<f64, Failure> {
        let first = !self.checked_first;
        let (offsets, bytes) = self.input_for(who, calls)?;
        let request = Request::Load { stage: self.stage.clone(), count: calls as usize, bytes }.to_string();
        let load = self.worker(who).ask_running(&request, Duration::from_secs(60), !first)?;
        let worker = self.worker(who);
        let (at_offsets, at_data) = parse_at(&load, || worker.output())?;
        let input = std::mem::replace(&mut self.input, Copied { offsets: Vec::new(), data: Vec::new() });
        let worker = self.worker(who);
        let written = worker
            .write(at_offsets, &input.offsets[..offsets])
            .and_then(|()| worker.write(at_data, &input.data[..bytes]));
        self.input = input;
        written?;
        let (seconds, [count, list]) = self.timed_run(who, !first)?;
        if count as u64 != calls {
            let worker = self.worker(who);
            return Err(worker.own(Failure::Protocol {
                message: format!("{count} outputs for {calls} calls"),
                output: worker.output(),
            }));
        }
        if who == Role::Candidate || first {
            self.check(who, count, list, first)?;
        }
        Ok(seconds)
    }

    /// Has the reference worker check the outputs of `who`'s last sample (some or all of its
    /// `count` calls) against the batch it still holds.
    fn check(&mut self, who: Role, count: usize, list: usize, first: bool) -> Result<(), Failure> {
        let picks = self.picks(count);
        let got = self.read_outputs(who, &picks, list)?;
        let at = self.reference.ask(
            &Request::Got { count: picks.len(), bytes: got.data.len() }.to_string(),
            Duration::from_secs(60),
            false,
        )?;
        let (offsets, data) = parse_at(&at, || self.reference.output())?;
        self.reference.write(offsets, &got.offsets)?;
        self.reference.write(data, &got.data)?;
        self.outputs = got.data;
        let request = Request::Check { stage: self.stage.clone(), picks: Some(picks) }.to_string();
        let verdict = self.reference.ask(&request, Duration::from_secs(600), false)?;
        match verdict.strip_prefix("wrong ") {
            None if verdict == "ok" => Ok(()),
            None => {
                Err(Failure::Protocol { message: format!("the reference answered '{verdict}'"), output: String::new() })
            }
            Some(json) => {
                let message: String = serde_json::from_str(json).unwrap_or_else(|_| json.to_string());
                let message = if first { message } else { format!("sample {}: {message}", self.samples) };
                Err(self.worker(who).own(Failure::Wrong { message, while_timing: !first }))
            }
        }
    }
}

/// One contender, for the protocol: samples `who` through the session (`course::Side`, the
/// exercise or the solution crate, is another thing).
struct Sampler<'a> {
    session: Rc<RefCell<Session<'a>>>,
    who: Role,
}

impl Contender for Sampler<'_> {
    fn rounds_begin(&mut self) {
        self.session.borrow_mut().in_rounds = true;
    }

    fn sample(&mut self, calls: u64) -> Result<f64, String> {
        let mut session = self.session.borrow_mut();
        let result = match self.who {
            Role::Reference => session.baseline_sample(calls),
            who => session.sample(who, calls),
        };
        result.map_err(|failure| {
            let text = failure.describe();
            session.failure = Some(failure);
            text
        })
    }
}

/// What grading found: the stages measured (with how their cores were used), or why it stopped.
pub struct Judged {
    pub stages: Vec<(StageResult, Option<CoreUse>)>,
    pub failure: Option<Failure>,
}

/// The two executables of one grading: the learner's and the course solution's grading workers
/// (`tests/grade.rs` of the exercise and of the solution crate), with the reference worker.
pub struct Executables<'a> {
    pub candidate: &'a Path,
    pub solution: &'a Path,
    pub reference: &'a Path,
}

/// The stages to grade: (name, target), some or all of `exercise`'s; `mpi` for an exercise that
/// runs under MPI (the candidate and the solution are then `mpirun` jobs of `timed_ranks` ranks).
/// The workers read `course` (the checkout graded) and write only folders of their own in its
/// `target/`.
pub fn grade(
    exes: Executables<'_>,
    exercise: &Exercise,
    mpi: Option<&crate::mpi::Installation>,
    stages: &[(String, f64)],
    protocol: &Protocol,
    course: &Path,
    progress: &mut dyn FnMut(&PairProgress),
) -> Result<Judged> {
    // Removed (with the workers' folders) when grading ends.
    let scratch = crate::sandbox::Scratch::new(&course.join("target"), "judge")?;
    // Each worker gets a folder of its own (an MPI job's named pipes live there).
    let folder = |name: &str| scratch.folder(name);
    // Three contenders now share the sampling budget of each stage.
    let limit = Duration::from_secs_f64((1.5 * protocol.max_seconds + 10.0) * stages.len() as f64 + 60.0);
    let limits = Limits::for_learner_code(limit);
    let confined = Confinement::program(&folder("reference")?, course, exes.reference);
    let reference = Worker::spawn(exes.reference, &[exercise.name.as_str()], &confined, limits, Role::Reference)?;
    let spawn = |exe: &Path, role: Role, dir: &Path| match (mpi, &exercise.mpi) {
        (Some(mpi), Some(job)) => {
            Worker::spawn_mpi(mpi, exe, job.timed_ranks, &Confinement::mpi(dir, course, exe), limits, role)
        }
        _ => Worker::spawn(exe, &[], &Confinement::program(dir, course, exe).with_gpu(exercise.gpu), limits, role),
    };
    let mut candidate = spawn(exes.candidate, Role::Candidate, &folder("candidate")?)?;
    let mut solution = spawn(exes.solution, Role::Solution, &folder("solution")?)?;
    // One call per process: each new worker gets an empty folder, and its predecessor's
    // (killed by then) goes, so not even a file outlives a call.
    let respawn: Option<Respawn<'_>> = exercise.fresh_process_per_call.then(|| {
        let mut started = 0u64;
        let mut folders: [Option<PathBuf>; 2] = [None, None];
        Box::new(move |role: Role| {
            let (exe, slot, name) = match role {
                Role::Solution => (exes.solution, 1, "solution"),
                _ => (exes.candidate, 0, "candidate"),
            };
            if let Some(old) = folders[slot].take() {
                let _ = std::fs::remove_dir_all(old);
            }
            started += 1;
            let dir = folder(&format!("{name}-{started}"))?;
            folders[slot] = Some(dir.clone());
            spawn(exe, role, &dir)
        }) as Respawn<'_>
    });
    let known = vec![reference.pid(), candidate.pid(), solution.pid()];
    candidate.known = known.clone();
    solution.known = known;
    let session = Rc::new(RefCell::new(Session {
        reference,
        candidate,
        solution,
        stage: String::new(),
        seeds: Default::default(),
        samples: 0,
        call_limit: Duration::from_secs(60),
        failure: None,
        checked_first: false,
        input: Copied { offsets: Vec::new(), data: Vec::new() },
        shared: None,
        last_calls: [0, 0],
        in_rounds: false,
        outputs: Vec::new(),
        respawn,
        empty_requests: Vec::new(),
        candidate_cpu: None,
        candidate_wall: 0.0,
    }));
    let result = judge(&session, exercise, stages, protocol, progress);
    {
        let mut s = session.borrow_mut();
        s.candidate.kill();
        s.solution.kill();
        s.reference.kill();
    }
    crate::child::reap_orphans();
    result
}

fn judge(
    session: &Rc<RefCell<Session<'_>>>,
    exercise: &Exercise,
    stages: &[(String, f64)],
    protocol: &Protocol,
    progress: &mut dyn FnMut(&PairProgress),
) -> Result<Judged> {
    let spec = {
        let mut s = session.borrow_mut();
        let spec = ask_spec(&mut s.reference);
        s.candidate.pause();
        s.solution.pause();
        spec?
    };
    // The grader's stages are course.toml's, all of them, before anything runs (not only the
    // ones graded now): a stage one side lacks would otherwise be skipped without a word.
    let course_stages: Vec<&str> = exercise.stages.iter().map(|s| s.name.as_str()).collect();
    let grader_stages: Vec<&str> = spec.stages.iter().map(|(n, _)| n.as_str()).collect();
    match_stages(&exercise.name, &course_stages, &spec.exercise, &grader_stages)?;
    // Correctness first: one checked call of every stage on a fresh graded input, untimed; the
    // solution's too, on the same input (a solution that fails is the course's fault, said so).
    for (name, _) in stages {
        if !spec.stages.iter().any(|(n, _)| n == name) {
            bail!("asked to grade a stage '{name}' that '{}' does not have", exercise.name);
        }
        let mut s = session.borrow_mut();
        s.stage = name.clone();
        if let Err(failure) = s.sample(Role::Candidate, 1).and_then(|_| s.sample(Role::Solution, 1)) {
            return Ok(Judged { stages: Vec::new(), failure: Some(failure) });
        }
    }
    session.borrow_mut().checked_first = true;
    let mut results = Vec::new();
    for (name, target) in stages {
        let Some((_, work)) = spec.stages.iter().find(|(n, _)| n == name) else { unreachable!("checked above") };
        {
            let mut s = session.borrow_mut();
            s.stage = name.clone();
            s.shared = None;
            s.last_calls = [0, 0];
            s.in_rounds = false;
            s.candidate_cpu = Some(0.0);
            s.candidate_wall = 0.0;
        }
        // A multi-threaded stage: is a second core free? Probed with every worker stopped (the
        // reference worker waits on its channel), just before and just after the timing.
        let threaded = exercise.stages.iter().any(|s| &s.name == name && s.multi_threaded);
        let probe = || (threaded && num_cores() >= 2).then(grading::machine::two_thread_scaling);
        let before = probe();
        // A stage may ask more (or less) of the solution's gain before it is graded.
        let mut protocol = exercise.protocol(protocol);
        if let Some(stage) = exercise.stages.iter().find(|s| &s.name == name) {
            protocol.min_solution_speedup = stage.least_solution_speedup(&protocol);
            protocol.unsure_meets = stage.narrow_margin.is_none();
        }
        let side = |who| Sampler { session: session.clone(), who };
        let (mut baseline, mut candidate, mut solution) =
            (side(Role::Reference), side(Role::Candidate), side(Role::Solution));
        let contenders = Contenders { baseline: &mut baseline, candidate: &mut candidate, solution: &mut solution };
        match protocol::measure(name, *target, Some(work.clone()), contenders, &protocol, progress) {
            Ok(result) => {
                let s = session.borrow();
                let cores = threaded.then(|| CoreUse::of(s.candidate_cpu, s.candidate_wall, [before, probe()]));
                results.push((result, cores));
            }
            Err(text) => {
                let failure = session.borrow_mut().failure.take();
                let failure = failure.unwrap_or(Failure::Protocol { message: text, output: String::new() });
                return Ok(Judged { stages: results, failure: Some(failure) });
            }
        }
    }
    Ok(Judged { stages: results, failure: None })
}

/// How a multi-threaded stage's cores were used while it was timed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoreUse {
    /// The candidate's CPU time over its wall time in its timed runs: the cores its code kept
    /// busy on average (about 1 for code on one thread). `None` for an MPI job, whose ranks
    /// are processes of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<f64>,
    /// Two threads' speedup over one ([`grading::machine::two_thread_scaling`]), measured with
    /// every worker stopped just before and just after the stage's timing, the higher of the
    /// two: below about 1.6, another program held a core throughout. `None` on one core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_thread_scaling: Option<f64>,
}

impl CoreUse {
    /// From the candidate's CPU seconds (`None` when unreadable) over `wall` seconds of timed
    /// runs, and the two probes: the higher of them, as a core counts as taken only if both
    /// found it so.
    fn of(cpu: Option<f64>, wall: f64, probes: [Option<f64>; 2]) -> CoreUse {
        CoreUse {
            candidate: cpu.filter(|_| wall > 0.0).map(|cpu| cpu / wall),
            two_thread_scaling: probes[0].zip(probes[1]).map(|(a, b)| a.max(b)),
        }
    }
}

/// The calls whose outputs are checked after sample number `sample` of `count` calls: all of
/// them up to [`CHECKED_PER_SAMPLE`], else that many drawn at random by the judge's `seeds` once
/// the sample is over (the candidate cannot know which), in increasing order.
fn checked_calls(seeds: &std::collections::hash_map::RandomState, sample: u64, count: usize) -> Vec<usize> {
    use std::hash::BuildHasher;
    if count <= CHECKED_PER_SAMPLE {
        return (0..count).collect();
    }
    let mut picks = std::collections::BTreeSet::new();
    let mut draw = 0u64;
    while picks.len() < CHECKED_PER_SAMPLE {
        draw += 1;
        picks.insert((seeds.hash_one((sample, u64::MAX, draw)) % count as u64) as usize);
    }
    picks.into_iter().collect()
}

fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::RandomState;

    #[test]
    fn every_call_is_checked_up_to_the_limit_and_a_fresh_random_choice_beyond() {
        let seeds = RandomState::new();
        assert_eq!(checked_calls(&seeds, 1, 10), (0..10).collect::<Vec<_>>());
        assert_eq!(checked_calls(&seeds, 1, CHECKED_PER_SAMPLE).len(), CHECKED_PER_SAMPLE);
        let picks = checked_calls(&seeds, 1, 100_000);
        assert_eq!(picks.len(), CHECKED_PER_SAMPLE);
        assert!(picks.windows(2).all(|w| w[0] < w[1]) && picks.iter().all(|&k| k < 100_000), "{picks:?}");
        assert_eq!(picks, checked_calls(&seeds, 1, 100_000), "one sample, one choice");
        assert_ne!(picks, checked_calls(&seeds, 2, 100_000), "each sample draws again");
        assert_ne!(picks, checked_calls(&RandomState::new(), 1, 100_000), "each grading has its own seeds");
    }

    #[test]
    fn cores_used_are_cpu_over_wall_and_a_core_is_taken_only_if_both_probes_say_so() {
        let used = CoreUse::of(Some(3.6), 2.0, [Some(1.2), Some(1.9)]);
        assert_eq!(used, CoreUse { candidate: Some(1.8), two_thread_scaling: Some(1.9) });
        let unread = CoreUse::of(None, 2.0, [Some(1.2), Some(1.3)]);
        assert_eq!(unread, CoreUse { candidate: None, two_thread_scaling: Some(1.3) });
        assert_eq!(CoreUse::of(Some(1.0), 0.0, [None, None]), CoreUse { candidate: None, two_thread_scaling: None });
    }
}
