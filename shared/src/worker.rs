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
//! on every sample.
//!
//! The wire protocol, requests on standard input and answers on file descriptor 3 (so that
//! learner `println!`s cannot break it), one line each:
//!
//! | request | answer | who |
//! | --- | --- | --- |
//! | `spec` | `spec {json}`: the exercise's stages, their work | both |
//! | `load COUNT BYTES` | `at OFFSETS_ADDR DATA_ADDR`: where to write a batch | both |
//! | `run STAGE` | `done COUNT OFFSETS_ADDR DATA_ADDR BYTES`: the output batch | both |
//! | `generate STAGE SEED COUNT` | `at COUNT OFFSETS_ADDR DATA_ADDR BYTES`: a fresh input batch, also loaded | reference |
//! | `got COUNT BYTES` | `at OFFSETS_ADDR DATA_ADDR`: where to write the candidate's outputs | reference |
//! | `check STAGE` | `ok` or `wrong {json string}` | reference |
//!
//! A batch is `COUNT + 1` byte offsets (u64: 0, then the end of each item) and the data they
//! index; every item starts at the previous end rounded up to 8 bytes, so items of `f64` can be
//! read in place. A failure is answered
//! `error {json string}`.

use crate::protocol::Work;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::os::fd::FromRawFd;
use std::process::ExitCode;

/// The file descriptor the worker answers on; the judge opens it.
pub const ANSWER_FD: i32 = 3;

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

    pub fn items(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.item(i))
    }
}

/// Builds a batch: offsets and 8-byte-aligned data, kept between batches (no page faults).
#[derive(Default)]
pub struct BatchWriter {
    offsets: Vec<u64>,
    data: Vec<u64>,
    bytes: usize,
}

impl BatchWriter {
    pub fn clear(&mut self) {
        self.offsets.clear();
        self.offsets.push(0);
        self.bytes = 0;
    }

    /// Appends one item.
    pub fn push(&mut self, item: &[u8]) {
        let start = self.bytes;
        let words = start / 8 + item.len().div_ceil(8);
        if self.data.len() < words {
            self.data.resize(words, 0);
        }
        bytemuck::cast_slice_mut::<u64, u8>(&mut self.data)[start..start + item.len()].copy_from_slice(item);
        self.bytes = words * 8;
        self.offsets.push((start + item.len()) as u64);
    }

    pub fn push_f64s(&mut self, values: &[f64]) {
        self.push(bytemuck::cast_slice(values));
    }

    pub fn push_u32s(&mut self, values: &[u32]) {
        self.push(bytemuck::cast_slice(values));
    }

    pub fn batch(&self) -> Batch<'_> {
        Batch { offsets: &self.offsets, data: &bytemuck::cast_slice(&self.data)[..self.bytes] }
    }

    fn addresses(&self) -> (usize, usize) {
        (self.offsets.as_ptr() as usize, self.data.as_ptr() as usize)
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

/// Every graded stage of an exercise.
pub struct ExerciseSpec {
    pub exercise: &'static str,
    pub stages: Vec<StageSpec>,
}

/// What `spec` answers: the stages and their work, as the judge needs them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpecAnswer {
    pub exercise: String,
    pub stages: Vec<(String, Work)>,
}

impl ExerciseSpec {
    fn answer(&self) -> SpecAnswer {
        SpecAnswer {
            exercise: self.exercise.into(),
            stages: self.stages.iter().map(|s| (s.name.to_string(), s.work.clone())).collect(),
        }
    }

    fn stage(&self, name: &str) -> Result<&StageSpec, String> {
        self.stages.iter().find(|s| s.name == name).ok_or_else(|| format!("no stage '{name}'"))
    }
}

/// The candidate side: `main` of an exercise's `tests/grade.rs` serves the learner's stages.
pub fn serve_candidate(exercise: &str, stages: Vec<(&'static str, Box<dyn StageRunner + '_>)>) -> ExitCode {
    let spec = SpecAnswer { exercise: exercise.into(), stages: Vec::new() };
    let mut stages = stages;
    serve(exercise, |words, inbox, out| match words {
        ["spec"] => Ok(format!("spec {}", serde_json::to_string(&spec).expect("serialises"))),
        ["run", stage] => {
            let (_, runner) =
                stages.iter_mut().find(|(n, _)| n == stage).ok_or_else(|| format!("no stage '{stage}'"))?;
            run(runner.as_mut(), inbox, out)
        }
        _ => Err(format!("unknown request {words:?}")),
    })
}

/// The reference side: the sealed baselines and references of every exercise, chosen by the
/// first argument (`course-reference EXERCISE`).
pub fn serve_reference(specs: Vec<ExerciseSpec>) -> ExitCode {
    let wanted = std::env::args().nth(1).unwrap_or_default();
    let Some(spec) = specs.into_iter().find(|s| s.exercise == wanted) else {
        eprintln!("error: no exercise named '{wanted}' has graded stages");
        return ExitCode::from(64);
    };
    let mut baselines: Vec<(&'static str, Box<dyn StageRunner>)> =
        spec.stages.iter().map(|s| (s.name, (s.baseline)())).collect();
    let mut got = Inbox::default();
    let exercise = spec.exercise;
    serve(exercise, |words, inbox, out| match words {
        ["spec"] => Ok(format!("spec {}", serde_json::to_string(&spec.answer()).expect("serialises"))),
        ["generate", stage, seed, count] => {
            let stage = spec.stage(stage)?;
            let (seed, count): (u64, usize) = (number(seed)?, number(count)?);
            let items: Vec<Vec<u8>> = (0..count as u64).map(|k| (stage.input)(seed.wrapping_add(k))).collect();
            let bytes: usize = items.iter().map(|i| i.len().div_ceil(8) * 8).sum();
            inbox.reserve(count, bytes);
            let (mut offset, data) = (0usize, bytemuck::cast_slice_mut::<u64, u8>(&mut inbox.data));
            inbox.offsets[0] = 0;
            for (k, item) in items.iter().enumerate() {
                data[offset..offset + item.len()].copy_from_slice(item);
                inbox.offsets[k + 1] = (offset + item.len()) as u64;
                offset += item.len().div_ceil(8) * 8;
            }
            Ok(format!("at {count} {} {} {bytes}", inbox.offsets.as_ptr() as usize, inbox.data.as_ptr() as usize))
        }
        ["run", stage] => {
            let (_, runner) =
                baselines.iter_mut().find(|(n, _)| n == stage).ok_or_else(|| format!("no stage '{stage}'"))?;
            run(runner.as_mut(), inbox, out)
        }
        ["got", count, bytes] => {
            let (offsets, data) = got.reserve(number(count)?, number(bytes)?);
            Ok(format!("at {offsets} {data}"))
        }
        ["check", stage] => {
            let stage = spec.stage(stage)?;
            let (input, output) = (inbox.batch()?, got.batch()?);
            if input.len() != output.len() {
                return Ok(wrong(&format!("{} outputs for {} inputs", output.len(), input.len())));
            }
            for k in 0..input.len() {
                if let Err(message) = (stage.check)(input.item(k), output.item(k)) {
                    let which =
                        if input.len() > 1 { format!("call {} of {}: ", k + 1, input.len()) } else { String::new() };
                    return Ok(wrong(&format!("{which}{message}")));
                }
            }
            Ok("ok".into())
        }
        _ => Err(format!("unknown request {words:?}")),
    })
}

fn wrong(message: &str) -> String {
    format!("wrong {}", serde_json::to_string(message).expect("serialises"))
}

fn number<T: std::str::FromStr>(word: &str) -> Result<T, String> {
    word.parse().map_err(|_| format!("'{word}' is not a number"))
}

fn run(runner: &mut dyn StageRunner, inbox: &Inbox, out: &mut BatchWriter) -> Result<String, String> {
    out.clear();
    runner.run(&inbox.batch()?, out);
    let (offsets, data) = out.addresses();
    Ok(format!("done {} {offsets} {data} {}", out.batch().len(), out.bytes))
}

/// The request loop both workers share; `load` is answered here.
fn serve(
    exercise: &str,
    mut handle: impl FnMut(&[&str], &mut Inbox, &mut BatchWriter) -> Result<String, String>,
) -> ExitCode {
    keep_freed_memory();
    // SAFETY: fd 3 is the judge's answer pipe; fstat tells whether it is open before it is owned.
    let open = unsafe {
        let mut stat = std::mem::zeroed::<libc::stat>();
        libc::fstat(ANSWER_FD, &mut stat) == 0 && (stat.st_mode & libc::S_IFMT) == libc::S_IFIFO
    };
    if !open {
        eprintln!(
            "This is the grader's worker, run by the course runner.\nTo grade this exercise, run: cargo xtask check {exercise}"
        );
        return ExitCode::from(64);
    }
    // SAFETY: the descriptor is open (checked above) and nothing else in this process owns it.
    let answers = unsafe { std::fs::File::from_raw_fd(ANSWER_FD) };
    let mut answers = std::io::LineWriter::new(answers);
    let (mut inbox, mut out) = (Inbox::default(), BatchWriter::default());
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        let answer = match words.as_slice() {
            ["load", count, bytes] => match (number(count), number(bytes)) {
                (Ok(c), Ok(b)) => {
                    let (offsets, data) = inbox.reserve(c, b);
                    Ok(format!("at {offsets} {data}"))
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            ["exit"] => break,
            words => handle(words, &mut inbox, &mut out),
        };
        let answer = answer.unwrap_or_else(|e| format!("error {}", serde_json::to_string(&e).expect("serialises")));
        if writeln!(answers, "{answer}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// Tells glibc's allocator to keep freed memory for reuse instead of returning it to the
/// system: a graded call that allocates its result (a `from_grid`, a `clone`) then reuses
/// memory already touched, so page faults (5 ms per 8 MB here) are not what is timed. Both
/// workers do this; a learner's own global allocator is the learner's business.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning parameters.
    unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// A seeded generator for inputs (the judge draws the seeds).
pub fn rng(seed: u64) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(seed)
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
        w.push(&[]);
        let b = w.batch();
        assert_eq!(b.len(), 3);
        assert_eq!(b.item(0), &[1, 2, 3]);
        assert_eq!(&*values::<f64>(b.item(1)), &[1.5, -2.0]);
        assert!(b.item(2).is_empty());
        assert!(Batch::new(&[0, 16], &[0; 8]).is_err(), "offsets beyond the data");
        assert!(Batch::new(&[0, 8, 3], &[0; 8]).is_err(), "offsets out of order");
        assert_eq!(Batch::new(&[0, 3, 8], &[0; 8]).unwrap().item(1).len(), 0, "items start 8-aligned");
    }
}
