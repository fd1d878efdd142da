//! The ranks of an MPI job as a task's check sees them from outside: a learner function called
//! on every rank at once, every rank's result back ([`Ranks`]). The checks of exercises 10
//! and 11 are written against it, without MPI, so that the same check runs in a test binary
//! under `mpirun` (`harness_mpi`'s `Local`: every rank runs it) and, for the verdict, in the
//! reference worker ([`Remote`]: the calls go to the learner's grading worker, an MPI job the
//! judge started, see [`crate::remote`]).

use serde::{Serialize, de::DeserializeOwned};
use std::sync::atomic::{AtomicI32, Ordering};

/// A rank's number, as MPI counts (`mpi::topology::Rank`).
pub type Rank = i32;

/// The job as a check sees it.
pub trait Ranks {
    /// How many ranks the job has.
    fn size(&self) -> Rank;
    /// A seed every rank knows, drawn when the check starts.
    fn seed(&self) -> u64;
    /// Calls the learner function served as `name` on every rank at once, with `args` (the
    /// same bytes for all: each rank makes its own input of them), and returns every rank's
    /// result, in rank order. A learner function that panics ends the call with its message.
    fn call_bytes(&self, name: &str, args: &[u8]) -> Vec<Vec<u8>>;
    /// Ends the check with `message` (in a test binary, reported by rank 0 alone).
    fn fail(&self, message: String) -> !;
}

/// [`Ranks::call_bytes`] with the arguments and results typed.
pub fn call<A: Serialize, R: DeserializeOwned>(ranks: &dyn Ranks, name: &str, args: &A) -> Vec<R> {
    let args = postcard::to_stdvec(args).expect("the arguments encode");
    ranks
        .call_bytes(name, &args)
        .iter()
        .enumerate()
        .map(|(rank, bytes)| {
            postcard::from_bytes(bytes).unwrap_or_else(|e| {
                std::panic::panic_any(crate::remote::Unanswered(format!(
                    "rank {rank}'s result of {name} does not decode: {e}"
                )))
            })
        })
        .collect()
}

/// Every rank's verdict as one: `Ok` when all are right, else the first wrong rank's message,
/// naming the other wrong ranks, whose messages follow.
pub fn combine(verdicts: Vec<Result<(), String>>) -> Result<(), String> {
    let wrong: Vec<(usize, String)> =
        verdicts.into_iter().enumerate().filter_map(|(k, v)| v.err().map(|m| (k, m))).collect();
    let Some((_, first)) = wrong.first() else { return Ok(()) };
    let others: Vec<String> = wrong[1..].iter().map(|(k, _)| k.to_string()).collect();
    let (head, rest) = first.split_once('\n').unwrap_or((first, ""));
    let mut text = head.to_string();
    if !others.is_empty() {
        let ranks = if others.len() == 1 { "rank" } else { "ranks" };
        text += &format!(" (wrong on {ranks} {} too, below)", others.join(", "));
    }
    for line in rest.lines().chain(wrong[1..].iter().flat_map(|(_, m)| m.lines())) {
        text += "\n";
        text += line;
    }
    Err(text)
}

/// Fails the check with `verdicts`' message, if any rank's is wrong.
pub fn require(ranks: &dyn Ranks, verdicts: Vec<Result<(), String>>) {
    if let Err(message) = combine(verdicts) {
        ranks.fail(message);
    }
}

/// The ranks of the grading worker's job, as the reference worker reaches them: each call a
/// proxy's call ([`crate::remote::call`]) whose answer holds every rank's result. The job's
/// size comes with the task's request ([`set_job_size`]).
pub struct Remote;

static JOB_SIZE: AtomicI32 = AtomicI32::new(0);

/// The size of the job the judge started for the tasks that follow.
pub fn set_job_size(size: Rank) {
    JOB_SIZE.store(size, Ordering::SeqCst);
}

impl Ranks for Remote {
    fn size(&self) -> Rank {
        JOB_SIZE.load(Ordering::SeqCst)
    }

    fn seed(&self) -> u64 {
        crate::worker::unknown_seed()
    }

    fn call_bytes(&self, name: &str, args: &[u8]) -> Vec<Vec<u8>> {
        let outcomes: Vec<Result<Vec<u8>, String>> = crate::remote::call(name, &(args,));
        if outcomes.len() != self.size() as usize {
            std::panic::panic_any(crate::remote::Unanswered(format!(
                "the grading worker answered {name} for {} ranks, not {}",
                outcomes.len(),
                self.size()
            )));
        }
        let mut results = Vec::with_capacity(outcomes.len());
        for (rank, outcome) in outcomes.into_iter().enumerate() {
            match outcome {
                Ok(bytes) => results.push(bytes),
                // A `todo!()` stays one (the runner reads it as "to do").
                Err(message) if message.starts_with("not yet implemented") => std::panic::panic_any(message),
                Err(message) => panic!("rank {rank} of {}: {name} panicked: {message}", self.size()),
            }
        }
        results
    }

    fn fail(&self, message: String) -> ! {
        panic!("{message}")
    }
}

#[cfg(test)]
/// A job of `size` ranks played in one process: `serve` answers a call for one rank.
pub(crate) struct Played<F: Fn(&str, &[u8], Rank, Rank) -> Vec<u8>> {
    pub size: Rank,
    pub serve: F,
    pub calls: std::cell::RefCell<Vec<String>>,
}

#[cfg(test)]
impl<F: Fn(&str, &[u8], Rank, Rank) -> Vec<u8>> Ranks for Played<F> {
    fn size(&self) -> Rank {
        self.size
    }
    fn seed(&self) -> u64 {
        42
    }
    fn call_bytes(&self, name: &str, args: &[u8]) -> Vec<Vec<u8>> {
        self.calls.borrow_mut().push(name.into());
        (0..self.size).map(|rank| (self.serve)(name, args, rank, self.size)).collect()
    }
    fn fail(&self, message: String) -> ! {
        panic!("{message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_combine_into_the_first_wrong_rank_s_message_naming_the_others() {
        assert_eq!(combine(vec![Ok(()), Ok(())]), Ok(()));
        let message = combine(vec![Ok(()), Err("rank 1: a\n  detail".into()), Ok(()), Err("rank 3: b".into())]);
        assert_eq!(message.unwrap_err(), "rank 1: a (wrong on rank 3 too, below)\n  detail\nrank 3: b");
    }
}
