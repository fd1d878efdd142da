//! The things of `harness::worker`'s wire protocol the runner needs (the rest, serving
//! requests, lives in the harness with the code it serves): the requests, typed, the answer
//! channel, the spec, and the hex that bytes travel as. The judge writes a [`Request`] and the
//! worker reads one: both ends use this one type, so they cannot disagree on a word.

use crate::protocol::Work;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The file descriptor a worker answers on; its stdout and stderr are the learner code's.
pub const ANSWER_FD: i32 = 3;

/// Names the folder of an MPI job's two named pipes, `requests` and `answers`: rank 0 of the
/// learner's grading worker reads and writes there (its standard streams are `mpirun`'s).
pub const CHANNEL_ENV: &str = "COURSE_WORKER_FIFOS";

/// A request to a worker, one line of words: what the judge (or, for `call`, a course check in
/// the reference worker, through the judge) asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `spec`: the exercise's stages and tasks ([`SpecAnswer`]).
    Spec,
    /// `generate STAGE SEED COUNT` (the reference worker): a fresh batch of `count` inputs from
    /// `seed`; answers where it lies.
    Generate { stage: String, seed: u64, count: usize },
    /// `load STAGE COUNT BYTES`: room for a batch of `count` inputs, `bytes` in all; answers
    /// where to write it.
    Load { stage: String, count: usize, bytes: usize },
    /// `run STAGE`: every call of the loaded batch (the judge times it); answers `done`.
    Run { stage: String },
    /// `got COUNT BYTES` (the reference worker): room for `count` outputs to check.
    Got { count: usize, bytes: usize },
    /// `check STAGE [K,K,…]` (the reference worker): the outputs written against the batch, for
    /// the calls named (every call when `None`).
    Check { stage: String, picks: Option<Vec<usize>> },
    /// `task NAME [RANKS]` (the reference worker): a `todo!()` task's check, for an MPI job of
    /// `ranks` ranks.
    Task { name: String, ranks: Option<u32> },
    /// `call NAME HEX`: a learner function on the arguments' bytes, in hex.
    Call { name: String, args: String },
    /// `exit`: the worker ends.
    Exit,
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::Spec => write!(f, "spec"),
            Request::Generate { stage, seed, count } => write!(f, "generate {stage} {seed} {count}"),
            Request::Load { stage, count, bytes } => write!(f, "load {stage} {count} {bytes}"),
            Request::Run { stage } => write!(f, "run {stage}"),
            Request::Got { count, bytes } => write!(f, "got {count} {bytes}"),
            Request::Check { stage, picks: None } => write!(f, "check {stage}"),
            Request::Check { stage, picks: Some(picks) } => {
                let picks: Vec<String> = picks.iter().map(usize::to_string).collect();
                write!(f, "check {stage} {}", picks.join(","))
            }
            Request::Task { name, ranks: None } => write!(f, "task {name}"),
            Request::Task { name, ranks: Some(ranks) } => write!(f, "task {name} {ranks}"),
            Request::Call { name, args } => write!(f, "call {name} {args}"),
            Request::Exit => write!(f, "exit"),
        }
    }
}

impl FromStr for Request {
    type Err = String;

    /// Reads a request's line; `Err` says what was wrong with it.
    fn from_str(line: &str) -> Result<Request, String> {
        fn number<T: FromStr>(word: &str) -> Result<T, String> {
            word.parse().map_err(|_| format!("'{word}' is not a number"))
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let name = |w: &str| w.to_string();
        Ok(match words.as_slice() {
            ["spec"] => Request::Spec,
            ["generate", stage, seed, count] => {
                Request::Generate { stage: name(stage), seed: number(seed)?, count: number(count)? }
            }
            ["load", stage, count, bytes] => {
                Request::Load { stage: name(stage), count: number(count)?, bytes: number(bytes)? }
            }
            ["run", stage] => Request::Run { stage: name(stage) },
            ["got", count, bytes] => Request::Got { count: number(count)?, bytes: number(bytes)? },
            ["check", stage] => Request::Check { stage: name(stage), picks: None },
            ["check", stage, picks] => Request::Check {
                stage: name(stage),
                picks: Some(picks.split(',').map(number).collect::<Result<_, _>>()?),
            },
            ["task", task] => Request::Task { name: name(task), ranks: None },
            ["task", task, ranks] => Request::Task { name: name(task), ranks: Some(number(ranks)?) },
            ["call", function, args] => Request::Call { name: name(function), args: name(args) },
            // A function of no arguments: its encoding is empty.
            ["call", function] => Request::Call { name: name(function), args: String::new() },
            ["exit"] => Request::Exit,
            _ => return Err(format!("unknown request {words:?}")),
        })
    }
}

/// What `spec` answers: the stages and their work, as the judge needs them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpecAnswer {
    pub exercise: String,
    pub stages: Vec<(String, Work)>,
    /// The `todo!()` tasks the reference worker checks itself (the course tests' names).
    #[serde(default)]
    pub tasks: Vec<String>,
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// The bytes of hex text, or why not.
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8).ok_or(format!("'{}' is not a hex digit", c as char));
    if !text.len().is_multiple_of(2) {
        return Err("hex of odd length".into());
    }
    text.as_bytes().chunks(2).map(|p| Ok(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_reads_back_as_it_was_written() {
        let stage = || "evolve".to_string();
        for request in [
            Request::Spec,
            Request::Generate { stage: stage(), seed: u64::MAX, count: 3 },
            Request::Load { stage: stage(), count: 0, bytes: 0 },
            Request::Run { stage: stage() },
            Request::Got { count: 64, bytes: 1 << 20 },
            Request::Check { stage: stage(), picks: None },
            Request::Check { stage: stage(), picks: Some(vec![0, 7, 63]) },
            Request::Task { name: "task_01_hello".into(), ranks: None },
            Request::Task { name: "task_01_hello".into(), ranks: Some(4) },
            Request::Call { name: "scatter".into(), args: hex(b"\x00\xff") },
            Request::Call { name: "describe".into(), args: hex(b"") },
            Request::Exit,
        ] {
            let line = request.to_string();
            assert_eq!(line.parse::<Request>(), Ok(request), "{line}");
        }
    }

    #[test]
    fn a_malformed_request_is_refused_saying_why() {
        assert_eq!("load evolve x 8".parse::<Request>(), Err("'x' is not a number".into()));
        assert!("check evolve 1,,2".parse::<Request>().unwrap_err().contains("is not a number"));
        assert!("fly away".parse::<Request>().unwrap_err().starts_with("unknown request"));
        assert!("run".parse::<Request>().is_err() && "".parse::<Request>().is_err());
    }
}
