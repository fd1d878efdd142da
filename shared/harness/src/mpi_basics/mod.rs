//! Exercise 10, MPI basics (the mpi4py lesson in rsmpi): the checks of its tasks, written
//! without MPI so that they run in two places. A check sees the job from outside, through
//! [`Ranks`]: it calls a learner function on every rank at once and gets every rank's result.
//!
//! - In a test binary under `mpirun` (`harness_mpi::basics`), every rank runs the check; a call
//!   runs the learner function on each rank and shares every rank's result with all of them,
//!   so every rank reaches the same verdict, and rank 0 reports it.
//! - For the verdict the judge runs it in the reference worker, which has no MPI and no learner
//!   code: a call goes, as a proxy's ([`crate::remote`]), to the learner's grading worker, an
//!   MPI job of its own whose ranks each run the learner function and send back what it
//!   returned. The inputs are the check's: a seed drawn here, from which every rank computes its
//!   own data (course code, [`rank_data`]).
//!
//! Messages say which rank got what, and what it should have got: "rank 1 of 2: exchange of
//! 100000 values returned rank 1's data; expected rank 0's data (its partner's)".

pub mod checks;

use crate::diff::{self, Tolerance};
use crate::worker::{ExerciseSpec, TaskSpec};

pub use crate::ranks::{Rank, Ranks, Remote, call, combine, require};

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "mpi-basics";

/// Values in the exchanges and chains: 800 kB of f64, far more than an MPI sends without
/// waiting for the receiver (4 kB with Open MPI on one machine), so a send that nobody
/// receives blocks, and a deadlock shows.
pub const LEN: usize = 100_000;

/// The data rank `rank` works with: `len` values in [−1000, 1000) from `seed`, different for
/// every rank, and the same wherever it is computed.
pub fn rank_data(seed: u64, rank: Rank, len: usize) -> Vec<f64> {
    let stream = (rank as u64).wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut uniform = crate::worker::uniform(seed ^ stream);
    (0..len).map(|_| 2000.0 * uniform() - 1000.0).collect()
}

/// A second, small length from the seed (1 to 1000 values): small messages travel another
/// way than large ones in every MPI (sent at once and buffered, not after a handshake).
pub fn small_len(seed: u64) -> usize {
    1 + (seed >> 20) as usize % 1000
}

/// The tag rank `rank` sends its message with in task 10: 1 to 999, from the seed, different
/// from rank to rank (mostly), the same wherever it is computed.
pub fn rank_tag(seed: u64, rank: Rank) -> i32 {
    let mixed = (seed ^ (rank as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xD1B5_4A32_D192_ED03);
    1 + ((mixed >> 33) % 999) as i32
}

/// The partner of `rank` in the pairwise exchange: 0 ↔ 1, 2 ↔ 3, …; an odd number of ranks
/// leaves the last one with itself.
pub fn partner(rank: Rank, size: Rank) -> Rank {
    let other = rank ^ 1;
    if other < size { other } else { rank }
}

/// What `got` is, in words: some rank's data, or how it is not.
fn describe(got: &[f64], seed: u64, len: usize, size: Rank) -> String {
    if let Some(k) = (0..size).find(|&k| got == rank_data(seed, k, len)) {
        return format!("rank {k}'s data");
    }
    if got.len() != len {
        return format!("{} values (every rank sent {len})", got.len());
    }
    if got.iter().all(|&v| v == 0.0) {
        return format!("{len} zeros");
    }
    format!("{len} values that are no rank's data")
}

/// `Ok` when `got` is rank `from`'s data; else what it is in a few words, and where it
/// differs (empty, or lines that start with a line break) to put after the sentence.
fn expect_data(got: &[f64], from: Rank, seed: u64, len: usize, size: Rank) -> Result<(), (String, String)> {
    let want = rank_data(seed, from, len);
    if got == want {
        return Ok(());
    }
    let what = describe(got, seed, len, size);
    let details = match diff::compare(&want, got, &[len], &[got.len()], Tolerance::EXACT) {
        Err(mismatch @ diff::Mismatch::Values { .. }) if !what.ends_with("'s data") => {
            format!("\n  compared with rank {from}'s data: {mismatch}")
        }
        _ => String::new(),
    };
    Err((what, details))
}

/// The trusted side of exercise 10: no timed stage, the checks of its ten tasks.
pub fn spec() -> ExerciseSpec {
    use checks::*;
    ExerciseSpec {
        exercise: EXERCISE,
        stages: Vec::new(),
        tasks: vec![
            TaskSpec { name: "task_01_hello", check: || task_01_hello(&Remote) },
            TaskSpec { name: "task_02_exchange", check: || task_02_exchange(&Remote) },
            TaskSpec { name: "task_03_send_receive", check: || task_03_send_receive(&Remote) },
            TaskSpec { name: "task_04_chain", check: || task_04_chain(&Remote) },
            TaskSpec { name: "task_05_chain_send_receive", check: || task_05_chain_send_receive(&Remote) },
            TaskSpec { name: "task_06_chain_immediate", check: || task_06_chain_immediate(&Remote) },
            TaskSpec { name: "task_07_broadcast_scatter", check: || task_07_broadcast_scatter(&Remote) },
            TaskSpec { name: "task_08_gather_sum", check: || task_08_gather_sum(&Remote) },
            TaskSpec { name: "task_09_split", check: || task_09_split(&Remote) },
            TaskSpec { name: "task_10_any_source", check: || task_10_any_source(&Remote) },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_pair_neighbours_and_leave_an_odd_last_rank_alone() {
        let pairs: Vec<Rank> = (0..5).map(|r| partner(r, 5)).collect();
        assert_eq!(pairs, [1, 0, 3, 2, 4]);
        assert_eq!(partner(0, 1), 0);
    }

    #[test]
    fn rank_data_differs_by_rank_and_repeats_by_seed() {
        assert_eq!(rank_data(7, 1, 100), rank_data(7, 1, 100));
        assert_ne!(rank_data(7, 1, 100), rank_data(7, 2, 100));
        assert_ne!(rank_data(7, 1, 100), rank_data(8, 1, 100));
        assert!(rank_data(7, 3, 1000).iter().all(|v| (-1000.0..1000.0).contains(v)));
        assert!((1..=1000).contains(&small_len(u64::MAX)));
    }

    #[test]
    fn a_wrong_result_is_described_as_whose_data_it_is() {
        let seed = 3;
        let len = 50;
        assert_eq!(expect_data(&rank_data(seed, 1, len), 1, seed, len, 4), Ok(()));
        assert_eq!(
            expect_data(&rank_data(seed, 0, len), 1, seed, len, 4),
            Err(("rank 0's data".into(), String::new()))
        );
        let (what, details) = expect_data(&[0.0; 50], 1, seed, len, 4).unwrap_err();
        assert_eq!(what, "50 zeros");
        assert!(details.starts_with("\n  compared with rank 1's data: 50 of 50 values differ"), "{details}");
        assert_eq!(
            expect_data(&[1.0; 3], 1, seed, len, 4),
            Err(("3 values (every rank sent 50)".into(), String::new()))
        );
    }
}
