//! Judge and worker: how learner code is graded without trusting it.
//!
//! The runner (the *judge*, `xtask/src/judge.rs`) never believes what a process holding learner
//! code says about itself. It starts two workers:
//!
//! - the **reference worker** (`course-reference`, built from the sealed harness only): draws
//!   fresh inputs from seeds the judge picks, runs the frozen baseline, and checks outputs
//!   against the reference;
//! - the **candidate worker** (the exercise's `tests/grade.rs`, learner code linked in): runs
//!   the learner's functions on the inputs it is given, nothing more.
//!
//! The judge copies every input into the candidate's memory while the candidate is stopped
//! (`SIGSTOP`), starts its own clock, resumes it and asks for a batch of calls, stops the clock
//! at the answer, stops the candidate again and copies the outputs out of its memory
//! (`process_vm_readv`) for the reference worker to check. The candidate never runs while the
//! baseline is timed, never sees an input before the clock starts, and its outputs are checked
//! on every sample (every call's, or, past a few dozen calls, calls drawn at random once the
//! sample is over, so checking costs the same however short a call is).
//!
//! The wire protocol, requests on standard input and answers on file descriptor 3 (so that
//! learner `println!`s cannot break it), one line each:
//!
//! | request | answer | who |
//! | --- | --- | --- |
//! | `spec` | `spec {json}`: the exercise's stages, their work | both |
//! | `load STAGE COUNT BYTES` | `at OFFSETS_ADDR DATA_ADDR`: where to write a batch | both |
//! | `run STAGE` | `done COUNT LIST_ADDR`: where each output item is (`COUNT` pairs of u64 address, length) | both |
//! | `generate STAGE SEED COUNT` | `at COUNT OFFSETS_ADDR DATA_ADDR BYTES`: a fresh input batch, also loaded | reference |
//! | `got COUNT BYTES` | `at OFFSETS_ADDR DATA_ADDR`: where to write the candidate's outputs | reference |
//! | `check STAGE [K1,K2,…]` | `ok` or `wrong {json string}`: the outputs written by `got` are those of calls K1, K2, … (all calls when absent) | reference |
//! | `call FUNCTION HEX` | `result HEX`, or `panic HEX` (the panic's message): one call of a learner function on the arguments given ([`crate::remote`]); meanwhile, for a function given a function of the check's, `back ID THREAD HEX` lines (a call of it from a learner thread), each answered `answer ID result HEX` or `answer ID panic HEX` on the requests | candidate |
//! | `task TASK [RANKS]` | (`RANKS`: for an MPI exercise, the size of the job its grading worker runs as) `passed`, `todo {json string}` or `failed {json string}`: the course's check of a `todo!()` task, whose calls of learner functions come out as `call FUNCTION HEX` lines, each answered on the requests by the candidate's answer (`result`/`panic`) or `failed TEXT`; the candidate's `back` lines come in on the requests meanwhile, answered `answer ID …` ([`remote::call_with`]) | reference |
//!
//! Outputs are read where they lie (a vector a learner's function returned, a stage's own
//! field), and a stage may take its inputs in its own buffers ([`StageRunner::inbox`]): no
//! copy of an input or an output happens inside a timed call.
//!
//! An input batch is `COUNT + 1` byte offsets (u64: 0, then the end of each item) and the data they
//! index; every item starts at the previous end rounded up to 8 bytes, so items of `f64` can be
//! read in place. A failure is answered
//! `error {json string}`.

use crate::protocol::Work;
use crate::remote;

use std::io::{BufRead, Write};
use std::os::fd::FromRawFd;
use std::process::ExitCode;

pub use grading::worker::{ANSWER_FD, CHANNEL_ENV, Request, SpecAnswer};

/// The items of one batch, borrowed.
pub struct Batch<'a> {
    offsets: &'a [u64],
    data: &'a [u8],
}

impl<'a> Batch<'a> {
    pub fn new(offsets: &'a [u64], data: &'a [u8]) -> Result<Self, String> {
        let Some(&last) = offsets.last() else { return Err("a batch without offsets".into()) };
        let sorted = offsets.windows(2).all(|w| w[0].next_multiple_of(8) <= w[1]);
        if !sorted || last as usize > data.len() {
            return Err("a batch whose offsets do not fit its data".into());
        }
        Ok(Batch { offsets, data })
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn item(&self, i: usize) -> &'a [u8] {
        &self.data[self.offsets[i].next_multiple_of(8) as usize..self.offsets[i + 1] as usize]
    }

    /// Item `i`, or `None` past the end.
    pub fn item_checked(&self, i: usize) -> Option<&'a [u8]> {
        (i < self.len()).then(|| self.item(i))
    }

    pub fn items(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.item(i))
    }
}

/// Collects a stage's outputs, one item per call. An item is either copied into the writer
/// ([`push`](Self::push)), kept as the vector the learner's function returned
/// ([`keep`](Self::keep)), or left where it is in the stage's own memory
/// ([`refer`](Self::refer)): the judge reads every item where it lies, so no output is copied
/// inside a timed call. Kept items live until the next request that loads inputs.
#[derive(Default)]
pub struct BatchWriter {
    data: Vec<u64>,
    bytes: usize,
    items: Vec<Item>,
    kept: Vec<Box<dyn std::any::Any>>,
    /// (address, length) of every item, for the judge; built by [`Self::locations`].
    list: Vec<u64>,
}

#[derive(Clone, Copy)]
enum Item {
    /// In `data`, from byte `start`.
    Copied { start: usize, len: usize },
    /// Elsewhere in this process's memory.
    At { address: usize, len: usize },
}

impl BatchWriter {
    /// Forgets every item and drops the kept ones.
    pub fn clear(&mut self) {
        self.items.clear();
        self.kept.clear();
        self.bytes = 0;
    }

    /// Appends one item, copied.
    pub fn push(&mut self, item: &[u8]) {
        let start = self.bytes;
        let words = start / 8 + item.len().div_ceil(8);
        if self.data.len() < words {
            self.data.resize(words, 0);
        }
        bytemuck::cast_slice_mut::<u64, u8>(&mut self.data)[start..start + item.len()].copy_from_slice(item);
        self.bytes = words * 8;
        self.items.push(Item::Copied { start, len: item.len() });
    }

    pub fn push_f64s(&mut self, values: &[f64]) {
        self.push(bytemuck::cast_slice(values));
    }

    pub fn push_u32s(&mut self, values: &[u32]) {
        self.push(bytemuck::cast_slice(values));
    }

    /// Appends one item without copying it: the vector is kept until the next load.
    pub fn keep<T: bytemuck::Pod>(&mut self, values: Vec<T>) {
        let bytes: &[u8] = bytemuck::cast_slice(&values);
        self.items.push(Item::At { address: bytes.as_ptr() as usize, len: bytes.len() });
        self.kept.push(Box::new(values));
    }

    /// Appends one item that stays where it is: the caller keeps `item` unchanged until the
    /// next request (a stage's own buffers, kept between calls).
    pub fn refer(&mut self, item: &[u8]) {
        self.items.push(Item::At { address: item.as_ptr() as usize, len: item.len() });
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items, as one contiguous batch (a copy, for tests).
    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        let data: &[u8] = bytemuck::cast_slice(&self.data);
        self.items
            .iter()
            .map(|item| match *item {
                Item::Copied { start, len } => data[start..start + len].to_vec(),
                // SAFETY: `At` items point at memory their owner keeps unchanged (see `refer`)
                // or at a kept vector; both outlive this call.
                Item::At { address, len } => unsafe { std::slice::from_raw_parts(address as *const u8, len) }.to_vec(),
            })
            .collect()
    }

    /// Where the items are: `(address, length)` pairs as u64, and the address of that list.
    fn locations(&mut self) -> usize {
        let base = self.data.as_ptr() as usize;
        self.list.clear();
        for item in &self.items {
            let (address, len) = match *item {
                Item::Copied { start, len } => (base + start, len),
                Item::At { address, len } => (address, len),
            };
            self.list.extend([address as u64, len as u64]);
        }
        self.list.as_ptr() as usize
    }
}

/// Memory the judge writes a batch into.
#[derive(Default)]
struct Inbox {
    offsets: Vec<u64>,
    data: Vec<u64>,
    count: usize,
    bytes: usize,
}

impl Inbox {
    /// Makes room for `count` items in `bytes`, touching the memory now so no page fault is
    /// left for a timed call.
    fn reserve(&mut self, count: usize, bytes: usize) -> (usize, usize) {
        self.offsets.resize(count + 1, 0);
        self.data.resize(bytes.div_ceil(8).max(1), 0);
        (self.count, self.bytes) = (count, bytes);
        (self.offsets.as_ptr() as usize, self.data.as_ptr() as usize)
    }

    fn batch(&self) -> Result<Batch<'_>, String> {
        Batch::new(&self.offsets[..=self.count], &bytemuck::cast_slice(&self.data)[..self.bytes])
    }
}

/// Reads an item as values of `T`, copying when it is not aligned for `T`.
pub fn values<T: bytemuck::Pod>(item: &[u8]) -> std::borrow::Cow<'_, [T]> {
    match bytemuck::try_cast_slice(item) {
        Ok(v) => std::borrow::Cow::Borrowed(v),
        Err(_) => std::borrow::Cow::Owned(bytemuck::allocation::pod_collect_to_vec(item)),
    }
}

/// Runs one stage's calls: every item of `input`, one output each, in order.
pub trait StageRunner {
    fn run(&mut self, input: &Batch<'_>, output: &mut BatchWriter);

    /// For a stage that keeps its input in its own buffers (a 128 MiB field): where the judge
    /// writes `count` items of `bytes` in all (offsets, data), so that no input is copied
    /// inside a timed call; [`run_loaded`](Self::run_loaded) then runs on them. `None` (the
    /// default): the inputs go to the worker's shared inbox and [`run`](Self::run) gets them.
    fn inbox(&mut self, _count: usize, _bytes: usize) -> Option<(&mut [u64], &mut [u8])> {
        None
    }

    /// Runs the items written where [`inbox`](Self::inbox) said.
    fn run_loaded(&mut self, _output: &mut BatchWriter) {}
}

impl<F: FnMut(&Batch<'_>, &mut BatchWriter)> StageRunner for F {
    fn run(&mut self, input: &Batch<'_>, output: &mut BatchWriter) {
        self(input, output)
    }
}

/// One graded stage as the trusted side knows it.
pub struct StageSpec {
    pub name: &'static str,
    pub work: Work,
    /// One fresh input of the graded size and work, drawn from `seed`.
    pub input: fn(seed: u64) -> Vec<u8>,
    /// Checks one output against the reference for its input; `Err` says where it differs.
    pub check: fn(input: &[u8], got: &[u8]) -> Result<(), String>,
    /// The frozen baseline the stage is timed against.
    pub baseline: fn() -> Box<dyn StageRunner>,
}

/// One `todo!()` task as the trusted side checks it: the course's check, run in the reference
/// worker on proxies of the learner's functions ([`crate::remote`]); it panics when a result
/// is wrong.
pub struct TaskSpec {
    /// The course test's name (`task_03_checkerboard`).
    pub name: &'static str,
    pub check: fn(),
}

/// Every graded stage and checked task of an exercise.
pub struct ExerciseSpec {
    pub exercise: &'static str,
    pub stages: Vec<StageSpec>,
    /// The tasks the judge checks itself (empty where the tests binary's lines still decide).
    pub tasks: Vec<TaskSpec>,
}

impl ExerciseSpec {
    fn answer(&self) -> SpecAnswer {
        SpecAnswer {
            exercise: self.exercise.into(),
            stages: self.stages.iter().map(|s| (s.name.to_string(), s.work.clone())).collect(),
            tasks: self.tasks.iter().map(|t| t.name.to_string()).collect(),
        }
    }

    fn stage(&self, name: &str) -> Result<&StageSpec, String> {
        self.stages.iter().find(|s| s.name == name).ok_or_else(|| format!("no stage '{name}'"))
    }
}

/// A worker's stages and where the last input batch was loaded.
struct Stages<'a> {
    runners: Vec<(&'static str, Box<dyn StageRunner + 'a>)>,
    inbox: Inbox,
    out: BatchWriter,
    /// The stage whose own buffers hold the loaded batch, if it keeps its inputs itself.
    loaded_in_place: Option<usize>,
}

impl<'a> Stages<'a> {
    fn new(runners: Vec<(&'static str, Box<dyn StageRunner + 'a>)>) -> Self {
        Stages { runners, inbox: Inbox::default(), out: BatchWriter::default(), loaded_in_place: None }
    }

    fn index(&self, stage: &str) -> Result<usize, String> {
        self.runners.iter().position(|(n, _)| *n == stage).ok_or_else(|| format!("no stage '{stage}'"))
    }

    /// Makes room for a batch for `stage` (the previous outputs are dropped first, untimed);
    /// answers where to write it.
    fn load(&mut self, stage: &str, count: usize, bytes: usize) -> Result<String, String> {
        let k = self.index(stage)?;
        self.out.clear();
        if let Some((offsets, data)) = self.runners[k].1.inbox(count, bytes) {
            self.loaded_in_place = Some(k);
            return Ok(format!("at {} {}", offsets.as_ptr() as usize, data.as_ptr() as usize));
        }
        self.loaded_in_place = None;
        let (offsets, data) = self.inbox.reserve(count, bytes);
        Ok(format!("at {offsets} {data}"))
    }

    /// Runs `stage` on the loaded batch; answers `done COUNT LIST` (see [`BatchWriter`]).
    fn run(&mut self, stage: &str) -> Result<String, String> {
        let k = self.index(stage)?;
        let runner = &mut self.runners[k].1;
        if self.loaded_in_place == Some(k) {
            runner.run_loaded(&mut self.out);
        } else {
            runner.run(&self.inbox.batch()?, &mut self.out);
        }
        let list = self.out.locations();
        Ok(format!("done {} {list}", self.out.len()))
    }
}

/// The candidate side: `main` of an exercise's `tests/grade.rs` serves the learner's stages.
pub fn serve_candidate(exercise: &str, stages: Vec<(&'static str, Box<dyn StageRunner + '_>)>) -> ExitCode {
    serve_candidate_with(exercise, stages, Vec::new())
}

/// [`serve_candidate`], and the learner's functions the course's task checks call
/// ([`crate::remote`]).
pub fn serve_candidate_with<'a>(
    exercise: &str,
    stages: Vec<(&'static str, Box<dyn StageRunner + 'a>)>,
    functions: Vec<remote::Function<'a>>,
) -> ExitCode {
    let Some(answers) = answer_channel(exercise) else { return ExitCode::from(64) };
    let spec = SpecAnswer { exercise: exercise.into(), stages: Vec::new(), tasks: Vec::new() };
    let mut stages = Stages::new(stages);
    // Shared with the learner threads that call back during a call (`remote::back`).
    if !remote::install_candidate(Box::new(std::io::LineWriter::new(answers))) {
        eprintln!("error: the grading worker's channel was opened twice");
        return ExitCode::from(64);
    }
    serve(remote::read_request, remote::send_candidate, |request| match request {
        Request::Spec => Ok(format!("spec {}", serde_json::to_string(&spec).expect("serialises"))),
        Request::Load { stage, count, bytes } => stages.load(&stage, count, bytes),
        Request::Run { stage } => stages.run(&stage),
        Request::Call { name, args } => call_function(&functions, &name, &args),
        other => Err(format!("a grading worker does not answer '{other}'")),
    })
}

/// One call of a learner function: `result HEX`, or `panic HEX` with the panic's message.
fn call_function(functions: &[remote::Function<'_>], name: &str, args: &str) -> Result<String, String> {
    let (_, f) = functions.iter().find(|(n, _)| *n == name).ok_or_else(|| format!("no function '{name}'"))?;
    let args = remote::unhex(args)?;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&args))) {
        Ok(result) => Ok(format!("result {}", remote::hex(&result?))),
        Err(payload) => Ok(format!("panic {}", remote::hex(crate::property::panic_text(&*payload).as_bytes()))),
    }
}

/// [`serve_candidate`] on other channels (an MPI job's rank 0 reads its requests from a named
/// pipe): `relay` sees every request before it is handled, so that the other ranks can be told;
/// `call` answers `call NAME HEX` (a learner function run on every rank).
pub fn serve_candidate_on(
    exercise: &str,
    stages: Vec<(&'static str, Box<dyn StageRunner + '_>)>,
    requests: impl BufRead,
    answers: impl Write,
    mut relay: impl FnMut(&Request),
    mut call: impl FnMut(&str, &str) -> String,
) -> ExitCode {
    let spec = SpecAnswer { exercise: exercise.into(), stages: Vec::new(), tasks: Vec::new() };
    let mut stages = Stages::new(stages);
    let mut lines = requests.lines();
    let mut answers = std::io::LineWriter::new(answers);
    serve(
        || lines.next()?.ok(),
        |answer| writeln!(answers, "{answer}").is_ok(),
        |request| {
            relay(&request);
            match request {
                Request::Spec => Ok(format!("spec {}", serde_json::to_string(&spec).expect("serialises"))),
                Request::Load { stage, count, bytes } => stages.load(&stage, count, bytes),
                Request::Run { stage } => stages.run(&stage),
                Request::Call { name, args } => Ok(call(&name, &args)),
                other => Err(format!("a grading worker does not answer '{other}'")),
            }
        },
    )
}

/// The reference side: the sealed baselines and references of every exercise, chosen by the
/// first argument (`course-reference EXERCISE`).
pub fn serve_reference(specs: Vec<ExerciseSpec>) -> ExitCode {
    let wanted = std::env::args().nth(1).unwrap_or_default();
    let Some(spec) = specs.into_iter().find(|s| s.exercise == wanted) else {
        eprintln!("error: no exercise named '{wanted}' has graded stages");
        return ExitCode::from(64);
    };
    let mut stages = Stages::new(spec.stages.iter().map(|s| (s.name, (s.baseline)())).collect());
    let mut got = Inbox::default();
    let Some(answers) = answer_channel(spec.exercise) else { return ExitCode::from(64) };
    // The proxies of a task's check read and write these channels too (see `remote`).
    remote::install(Box::new(std::io::BufReader::new(std::io::stdin())), Box::new(std::io::LineWriter::new(answers)));
    serve(remote::read_line, remote::write_line, |request| match request {
        Request::Spec => Ok(format!("spec {}", serde_json::to_string(&spec.answer()).expect("serialises"))),
        Request::Generate { stage, seed, count } => {
            let stage = stage.as_str();
            let input = spec.stage(stage)?.input;
            let items: Vec<Vec<u8>> = (0..count as u64).map(|k| input(seed.wrapping_add(k))).collect();
            let bytes: usize = items.iter().map(|i| i.len().div_ceil(8) * 8).sum();
            // The shared inbox keeps the input for `check`; a stage that keeps its inputs
            // itself gets a copy too, for the baseline's run.
            stages.load(stage, count, bytes)?;
            let inbox = &mut stages.inbox;
            inbox.reserve(count, bytes);
            let (mut offset, data) = (0usize, bytemuck::cast_slice_mut::<u64, u8>(&mut inbox.data));
            inbox.offsets[0] = 0;
            for (k, item) in items.iter().enumerate() {
                data[offset..offset + item.len()].copy_from_slice(item);
                inbox.offsets[k + 1] = (offset + item.len()) as u64;
                offset += item.len().div_ceil(8) * 8;
            }
            if let Some(k) = stages.loaded_in_place {
                let (offsets, data) = stages.runners[k].1.inbox(count, bytes).ok_or("the stage's inbox went away")?;
                offsets.copy_from_slice(&stages.inbox.offsets[..=count]);
                data.copy_from_slice(&bytemuck::cast_slice(&stages.inbox.data)[..bytes]);
            }
            let inbox = &stages.inbox;
            Ok(format!("at {count} {} {} {bytes}", inbox.offsets.as_ptr() as usize, inbox.data.as_ptr() as usize))
        }
        Request::Run { stage } => stages.run(&stage),
        Request::Got { count, bytes } => {
            let (offsets, data) = got.reserve(count, bytes);
            Ok(format!("at {offsets} {data}"))
        }
        Request::Check { stage, picks } => {
            let stage = spec.stage(&stage)?;
            let (input, output) = (stages.inbox.batch()?, got.batch()?);
            // The outputs written are those of the calls named (all of them when none is).
            let picks: Vec<usize> = picks.unwrap_or_else(|| (0..input.len()).collect());
            if picks.len() != output.len() {
                return Ok(wrong(&format!("{} outputs for {} calls", output.len(), picks.len())));
            }
            for (j, &k) in picks.iter().enumerate() {
                let input = input.item_checked(k).ok_or_else(|| format!("no call {k} in this batch"))?;
                if let Err(message) = (stage.check)(input, output.item(j)) {
                    let calls = stages.inbox.count;
                    let which = if calls > 1 { format!("call {} of {calls}: ", k + 1) } else { String::new() };
                    return Ok(wrong(&format!("{which}{message}")));
                }
            }
            Ok("ok".into())
        }
        Request::Task { name, ranks } => {
            let task = spec.tasks.iter().find(|t| t.name == name).ok_or_else(|| format!("no task '{name}'"))?;
            // An MPI exercise's task: the size of the job the judge started for it.
            if let Some(ranks) = ranks {
                crate::ranks::set_job_size(ranks as crate::ranks::Rank);
            }
            Ok(run_task(task))
        }
        other => Err(format!("the reference worker does not answer '{other}'")),
    })
}

/// Runs a task's check (its proxies' calls go out as `call` lines meanwhile): `passed`, `todo
/// {json}` when a learner function is still a `todo!()`, `failed {json}` with the check's
/// message (or, for a call that got no answer, the judge's account of it).
fn run_task(task: &TaskSpec) -> String {
    // The checks report by panicking: their messages are the answer, not noise on stderr.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    remote::take_pending();
    let outcome = std::panic::catch_unwind(task.check);
    std::panic::set_hook(hook);
    // A panic a C-ABI proxy had to keep is the cause of whatever the check said after it.
    let outcome = match remote::take_pending() {
        Some(kept) => Err(kept),
        None => outcome,
    };
    let Err(payload) = outcome else { return "passed".into() };
    let message = match payload.downcast_ref::<remote::Unanswered>() {
        Some(remote::Unanswered(why)) => why.clone(),
        None => crate::property::panic_text(&*payload),
    };
    let json = serde_json::to_string(&message).expect("serialises");
    if message.starts_with("not yet implemented") { format!("todo {json}") } else { format!("failed {json}") }
}

/// The candidate's answer to `spec`: the exercise's name (its stages and tasks are the
/// reference worker's to say).
pub fn spec_line(exercise: &str) -> String {
    let spec = SpecAnswer { exercise: exercise.into(), stages: Vec::new(), tasks: Vec::new() };
    format!("spec {}", serde_json::to_string(&spec).expect("serialises"))
}

/// The answer to a request that could not be served.
pub fn error_line(message: &str) -> String {
    format!("error {}", serde_json::to_string(message).expect("serialises"))
}

fn wrong(message: &str) -> String {
    format!("wrong {}", serde_json::to_string(message).expect("serialises"))
}

/// The judge's answer pipe (fd 3), or `None` (with a word for whoever started this by hand).
fn answer_channel(exercise: &str) -> Option<std::fs::File> {
    // SAFETY: fd 3 is the judge's answer pipe; fstat tells whether it is open before it is owned.
    let open = unsafe {
        let mut stat = std::mem::zeroed::<libc::stat>();
        libc::fstat(ANSWER_FD, &mut stat) == 0 && (stat.st_mode & libc::S_IFMT) == libc::S_IFIFO
    };
    if !open {
        eprintln!(
            "This is the grader's worker, run by the course runner.\nTo grade this exercise, run: cargo xtask check {exercise}"
        );
        return None;
    }
    // SAFETY: the descriptor is open (checked above) and nothing else in this process owns it.
    Some(unsafe { std::fs::File::from_raw_fd(ANSWER_FD) })
}

/// The request loop both workers share: one request a line (`next`), one answer a line
/// (`send`), until `exit` or the end of the requests.
fn serve(
    mut next: impl FnMut() -> Option<String>,
    mut send: impl FnMut(&str) -> bool,
    mut handle: impl FnMut(Request) -> Result<String, String>,
) -> ExitCode {
    keep_freed_memory();
    while let Some(line) = next() {
        let answer = match line.parse::<Request>() {
            Ok(Request::Exit) => break,
            Ok(request) => handle(request),
            Err(why) => Err(why),
        };
        let answer = answer.unwrap_or_else(|e| format!("error {}", serde_json::to_string(&e).expect("serialises")));
        if !send(&answer) {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// Tells glibc's allocator to keep freed memory for reuse instead of returning it to the
/// system: a graded call that allocates its result (a `from_grid`, a `clone`) then reuses
/// memory already touched, so page faults (5 ms per 8 MB here) are not what is timed. Blocks
/// of 32 MiB and more are still mapped and unmapped as in any program (glibc's own ceiling
/// for its adaptive threshold), so cloning a 128 MiB field every step costs what it costs
/// everywhere. Both workers do this; a learner's own global allocator is the learner's business.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning parameters.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// A seed nobody knows before it is drawn (a task check's random inputs): std's hash keys come
/// from the operating system's randomness.
pub fn unknown_seed() -> u64 {
    std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8)
}

/// A seeded generator for inputs (the judge draws the seeds).
pub fn rng(seed: u64) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// Uniform values in [0, 1) from `seed`, by SplitMix64: for filling large graded inputs (a
/// sample can need millions of values), ten times faster than [`rng`]'s generator.
pub fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_round_trip_with_aligned_items() {
        let mut w = BatchWriter::default();
        w.clear();
        w.push(&[1, 2, 3]);
        w.push_f64s(&[1.5, -2.0]);
        w.keep(vec![7u32, 8]);
        let field = [9u8; 5];
        w.refer(&field);
        w.push(&[]);
        let items = w.to_vec();
        assert_eq!(items.len(), 5);
        assert_eq!(items[0], [1, 2, 3]);
        assert_eq!(&*values::<f64>(&items[1]), &[1.5, -2.0]);
        assert_eq!(&*values::<u32>(&items[2]), &[7, 8]);
        assert_eq!(items[3], [9; 5]);
        assert!(items[4].is_empty());
        let list = w.locations();
        // SAFETY: `locations` returns the address of the writer's own list of 2 × 5 u64.
        let list = unsafe { std::slice::from_raw_parts(list as *const u64, 10) };
        assert_eq!((list[6] as usize, list[7]), (field.as_ptr() as usize, 5), "referred items stay in place");
        assert_eq!(list[3], 16, "copied items keep their exact length");
        assert!(Batch::new(&[0, 16], &[0; 8]).is_err(), "offsets beyond the data");
        assert!(Batch::new(&[0, 8, 3], &[0; 8]).is_err(), "offsets out of order");
        assert_eq!(Batch::new(&[0, 3, 8], &[0; 8]).unwrap().item(1).len(), 0, "items start 8-aligned");
    }
}
