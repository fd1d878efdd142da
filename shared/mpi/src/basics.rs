//! Exercise 10, MPI basics (the mpi4py lesson in rsmpi): one check per task, each taking the
//! exercise's functions, so the learner's crate and the solution run the same tests through
//! [`mpi_basics_tests!`](crate::mpi_basics_tests).
//!
//! Every check runs on every rank of the job, with any number of ranks (one included):
//!
//! - Its data comes from a seed that rank 0 draws at random and broadcasts, so every rank can
//!   compute every other rank's data, and a hard-coded answer cannot pass.
//! - Each rank compares its own result with what the check computes itself, then every rank
//!   takes part in one agreement ([`agree`]): when all are right the test passes on every
//!   rank; otherwise the first wrong rank panics with every wrong rank's message (the course's
//!   panic hook then ends the whole job) while the others wait for that end. So rank 0, whose
//!   output the runner reads, never reports a test passed while another rank found it wrong.
//! - Messages say which rank got what, and what it should have got: "rank 1 of 2: exchange of
//!   100000 values returned rank 1's data; expected rank 0's data (its partner's)".

use crate::shared_seed;
use harness::diff::{self, Tolerance};
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::topology::{Rank, SimpleCommunicator};
use mpi::traits::*;

/// Task 1: this process's rank, the number of ranks, and a greeting naming both.
pub type Hello = fn(&SimpleCommunicator) -> (Rank, Rank, String);
/// Tasks 2 and 3: `data` sent to the partner rank (0 ↔ 1, 2 ↔ 3, …), the partner's returned.
pub type Exchange = fn(&SimpleCommunicator, &[f64]) -> Vec<f64>;
/// Tasks 4 to 6: `data` sent to rank + 1; what rank − 1 sent returned (`None` on rank 0).
pub type Chain = fn(&SimpleCommunicator, &[f64]) -> Option<Vec<f64>>;
/// Task 7: rank 0's `data` copied into every rank's `data`.
pub type Broadcast = fn(&SimpleCommunicator, &mut [f64]);
/// Task 7: rank 0's `data` cut into one equal chunk per rank; each rank's chunk returned.
pub type Scatter = fn(&SimpleCommunicator, &[f64]) -> Vec<f64>;
/// Task 8: every rank's `chunk`, in rank order, returned on rank 0 (`None` elsewhere).
pub type Gather = fn(&SimpleCommunicator, &[f64]) -> Option<Vec<f64>>;
/// Task 8: the element-wise sum of every rank's `values`, on rank 0 (`None` elsewhere).
pub type Sum = fn(&SimpleCommunicator, &[f64]) -> Option<Vec<f64>>;
/// Task 9: (rank in its part, size of its part, sum of `value` over its part), the parts being
/// the even and the odd ranks.
pub type SplitSum = fn(&SimpleCommunicator, f64) -> (Rank, Rank, f64);

/// Values in the exchanges and chains: 800 kB of f64, far more than an MPI sends without
/// waiting for the receiver (4 kB with Open MPI on one machine), so a send that nobody
/// receives blocks, and a deadlock shows.
pub const LEN: usize = 100_000;

/// Relative tolerance for sums: MPI may add the ranks' values in any order.
const SUM_TOLERANCE: f64 = 1e-12;

/// The data rank `rank` works with: `len` values in [−1000, 1000) from `seed`, different for
/// every rank, and the same wherever it is computed.
pub fn rank_data(seed: u64, rank: Rank, len: usize) -> Vec<f64> {
    let stream = (rank as u64).wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut uniform = harness::worker::uniform(seed ^ stream);
    (0..len).map(|_| 2000.0 * uniform() - 1000.0).collect()
}

/// A second, small length from the seed (1 to 1000 values): small messages travel another
/// way than large ones in every MPI (sent at once and buffered, not after a handshake).
fn small_len(seed: u64) -> usize {
    1 + (seed >> 20) as usize % 1000
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

/// Every rank's verdict, agreed by all (a collective call: every rank must make it). When
/// every rank is right, it returns on every rank. Otherwise the first wrong rank gathers every
/// wrong rank's message and panics with them (the panic hook ends the job), and the others
/// wait for that end, so no rank goes on to report the test passed.
pub fn agree(world: &SimpleCommunicator, verdict: Result<(), String>) {
    let (rank, size) = (world.rank(), world.size());
    let mine = if verdict.is_err() { rank } else { size };
    let mut first = size;
    world.all_reduce_into(&mine, &mut first, SystemOperation::min());
    if first == size {
        return;
    }
    // Never empty: the pointer of an empty `Vec<u8>` is 1, which Open MPI takes for its
    // `MPI_IN_PLACE` (and rejects on a rank that is not the root).
    let mut message = verdict.err().unwrap_or_default().into_bytes();
    message.push(b'\n');
    let reporter = world.process_at_rank(first);
    let len = message.len() as i32;
    if rank == first {
        let mut counts = vec![0i32; size as usize];
        reporter.gather_into_root(&len, &mut counts[..]);
        let displs: Vec<i32> = counts.iter().scan(0, |at, &n| Some(std::mem::replace(at, *at + n))).collect();
        let mut all = vec![0u8; counts.iter().sum::<i32>() as usize];
        {
            let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
            reporter.gather_varcount_into_root(&message[..], &mut partition);
        }
        // (rank, its message) for every wrong rank, this one first.
        let wrong: Vec<(usize, String)> = counts
            .iter()
            .zip(&displs)
            .map(|(&n, &at)| String::from_utf8_lossy(&all[at as usize..(at + n) as usize]).trim_end().to_string())
            .enumerate()
            .filter(|(_, m)| !m.is_empty())
            .collect();
        let others: Vec<String> = wrong[1..].iter().map(|(k, _)| k.to_string()).collect();
        let (head, rest) = wrong[0].1.split_once('\n').unwrap_or((&wrong[0].1, ""));
        let mut text = head.to_string();
        if !others.is_empty() {
            let ranks = if others.len() == 1 { "rank" } else { "ranks" };
            text += &format!(" (wrong on {ranks} {} too, below)", others.join(", "));
        }
        for line in rest.lines().chain(wrong[1..].iter().flat_map(|(_, m)| m.lines())) {
            text += "\n";
            text += line;
        }
        panic!("{text}");
    } else {
        reporter.gather_into(&len);
        reporter.gather_varcount_into(&message[..]);
        // Rank `first` never arrives: its panic ends the job while this rank waits here.
        world.barrier();
        unreachable!("rank {first} reported a wrong result and ended the job");
    }
}

/// The numbers written in `text` (runs of digits).
fn numbers_in(text: &str) -> Vec<i64> {
    text.split(|c: char| !c.is_ascii_digit()).filter_map(|w| w.parse().ok()).collect()
}

/// Task 1: `comm.Get_rank()`, `comm.Get_size()` and a greeting.
pub fn task_01_hello(hello: Hello) {
    let world = crate::world();
    let (rank, size) = (world.rank(), world.size());
    let (got_rank, got_size, greeting) = hello(&world);
    let mut verdict = Ok(());
    let numbers = numbers_in(&greeting);
    if !numbers.contains(&(rank as i64)) || !numbers.contains(&(size as i64)) {
        verdict = Err(format!(
            "rank {rank} of {size}: the greeting {greeting:?} does not name the rank ({rank}) and the number of ranks \
             ({size}), as in \"Hello from rank {rank} of {size}\""
        ));
    }
    // What every process returned, seen together on rank 0: each rank must appear once.
    let root = world.process_at_rank(0);
    let pair = [got_rank, got_size];
    if rank == 0 {
        let mut pairs = vec![0 as Rank; 2 * size as usize];
        root.gather_into_root(&pair[..], &mut pairs[..]);
        let ranks: Vec<Rank> = pairs.iter().step_by(2).copied().collect();
        let sizes: Vec<Rank> = pairs.iter().skip(1).step_by(2).copied().collect();
        let wrong = (0..size).find(|&k| ranks[k as usize] != k || sizes[k as usize] != size);
        if let Some(k) = wrong {
            verdict = Err(format!(
                "rank {k} of {size}: hello returned rank {} and size {}; the {size} processes returned ranks {ranks:?} \
                 and sizes {sizes:?}, where each must return its own rank (0 to {}, each once) and the size {size}",
                ranks[k as usize],
                sizes[k as usize],
                size - 1
            ));
        }
    } else {
        root.gather_into(&pair[..]);
    }
    agree(&world, verdict);
}

/// Tasks 2 and 3: the pairwise exchange, of [`LEN`] values, then of a few.
fn check_exchange(task: &str, exchange: Exchange) {
    let world = crate::world();
    let (rank, size) = (world.rank(), world.size());
    let seed = shared_seed(&world);
    for len in [LEN, small_len(seed)] {
        let data = rank_data(seed, rank, len);
        let got = exchange(&world, &data);
        let from = partner(rank, size);
        let verdict = expect_data(&got, from, seed, len, size).map_err(|(what, details)| {
            let whose = if from == rank {
                format!("its own data back (rank {rank} is the odd last one: it has no partner)")
            } else {
                format!("rank {from}'s data (its partner's)")
            };
            format!("rank {rank} of {size}: {task} of {len} values returned {what}; expected {whose}{details}")
        });
        agree(&world, verdict);
    }
}

/// Task 2: the exchange with blocking `send` and `receive_into`.
pub fn task_02_exchange(exchange: Exchange) {
    check_exchange("exchange", exchange);
}

/// Task 3: the exchange with `send_receive_into`.
pub fn task_03_send_receive(exchange_send_receive: Exchange) {
    check_exchange("exchange_send_receive", exchange_send_receive);
}

/// Tasks 4 to 6: the chain, rank by rank, of [`LEN`] values, then of a few.
fn check_chain(task: &str, chain: Chain) {
    let world = crate::world();
    let (rank, size) = (world.rank(), world.size());
    let seed = shared_seed(&world);
    for len in [LEN, small_len(seed)] {
        let data = rank_data(seed, rank, len);
        let got = chain(&world, &data);
        let verdict = match (got, rank) {
            (None, 0) => Ok(()),
            (Some(got), 0) => Err(format!(
                "rank 0 of {size}: {task} of {len} values returned Some({}); expected None: no rank comes before rank 0, \
                 so it receives nothing",
                describe(&got, seed, len, size)
            )),
            (None, _) => Err(format!(
                "rank {rank} of {size}: {task} of {len} values returned None; expected Some(rank {}'s data), sent by \
                 the rank before it",
                rank - 1
            )),
            (Some(got), _) => expect_data(&got, rank - 1, seed, len, size).map_err(|(what, details)| {
                format!(
                    "rank {rank} of {size}: {task} of {len} values returned Some({what}); expected rank {}'s data, sent \
                     by the rank before it{details}",
                    rank - 1
                )
            }),
        };
        agree(&world, verdict);
    }
}

/// Task 4: the chain with blocking `send` and `receive`.
pub fn task_04_chain(chain: Chain) {
    check_chain("chain", chain);
}

/// Task 5: the chain with `send_receive_into` where a rank has both neighbours.
pub fn task_05_chain_send_receive(chain_send_receive: Chain) {
    check_chain("chain_send_receive", chain_send_receive);
}

/// Task 6: the chain with `immediate_send` and `immediate_receive_into`.
pub fn task_06_chain_immediate(chain_immediate: Chain) {
    check_chain("chain_immediate", chain_immediate);
}

/// Task 7: `comm.Bcast` and `comm.Scatter` from rank 0.
pub fn task_07_broadcast_scatter(broadcast: Broadcast, scatter: Scatter) {
    let world = crate::world();
    let (rank, size) = (world.rank(), world.size());
    let seed = shared_seed(&world);

    let len = small_len(seed) + 100;
    let mut data = if rank == 0 { rank_data(seed, 0, len) } else { vec![0.0; len] };
    broadcast(&world, &mut data);
    let verdict = expect_data(&data, 0, seed, len, size).map_err(|(what, details)| {
        let before = if rank == 0 { "rank 0's data" } else { "zeros" };
        format!(
            "rank {rank} of {size}: after broadcast, its buffer of {len} values ({before} before the call) holds {what}; \
             expected rank 0's data, on every rank{details}"
        )
    });
    agree(&world, verdict);

    let chunk = small_len(seed.rotate_left(17)) + 10;
    let all = rank_data(seed, 0, chunk * size as usize);
    let input: &[f64] = if rank == 0 { &all } else { &[] };
    let got = scatter(&world, input);
    let start = rank as usize * chunk;
    let want = &all[start..start + chunk];
    let verdict = if got == want {
        Ok(())
    } else {
        let what = match all.chunks(chunk).position(|c| c == got) {
            Some(k) => format!("chunk {k} (values {}..{} of rank 0's data)", k * chunk, (k + 1) * chunk),
            None if got.len() != chunk => format!("{} values", got.len()),
            None => format!("{chunk} values that are no chunk of rank 0's data"),
        };
        Err(format!(
            "rank {rank} of {size}: scatter of rank 0's {} values ({size} chunks of {chunk}) returned {what}; expected \
             chunk {rank} (values {start}..{})",
            all.len(),
            start + chunk
        ))
    };
    agree(&world, verdict);
}

/// Task 8: `comm.Gather` and `comm.Reduce(op=MPI.SUM)` to rank 0.
pub fn task_08_gather_sum(gather: Gather, sum: Sum) {
    let world = crate::world();
    let (rank, size) = (world.rank(), world.size());
    let seed = shared_seed(&world);
    let n = small_len(seed) + 10;
    let mine = rank_data(seed, rank, n);

    let got = gather(&world, &mine);
    let verdict = match (got, rank) {
        (None, 0) => Err(format!(
            "rank 0 of {size}: gather of {n} values from each rank returned None; expected Some of the {} values, every \
             rank's in rank order",
            n * size as usize
        )),
        (Some(got), 0) if got.len() != n * size as usize => Err(format!(
            "rank 0 of {size}: gather of {n} values from each rank returned {} values; expected {} ({n} from each of \
             {size} ranks)",
            got.len(),
            n * size as usize
        )),
        (Some(got), 0) => got
            .chunks(n)
            .zip(0..)
            .find_map(|(part, k)| {
                let what = describe(part, seed, n, size);
                (what != format!("rank {k}'s data")).then(|| {
                    format!(
                        "rank 0 of {size}: gather returned {what} at values {}..{}; expected rank {k}'s data there \
                         (every rank's chunk, in rank order)",
                        k as usize * n,
                        (k as usize + 1) * n
                    )
                })
            })
            .map_or(Ok(()), Err),
        (None, _) => Ok(()),
        (Some(got), _) => Err(format!(
            "rank {rank} of {size}: gather returned Some({} values); expected None: only rank 0, the root, receives \
             the gathered data",
            got.len()
        )),
    };
    agree(&world, verdict);

    let got = sum(&world, &mine);
    let want: Vec<f64> = (0..size).map(|k| rank_data(seed, k, n)).fold(vec![0.0; n], |mut total, data| {
        total.iter_mut().zip(&data).for_each(|(t, v)| *t += v);
        total
    });
    let verdict = match (got, rank) {
        (None, 0) => Err(format!("rank 0 of {size}: sum returned None; expected Some of the {n} sums, on the root")),
        (Some(got), 0) => diff::compare(&want, &got, &[n], &[got.len()], Tolerance::relative(SUM_TOLERANCE)).map_err(|m| {
            let what = if got.len() == n && got == mine { "its own values, not the sums" } else { "wrong sums" };
            format!("rank 0 of {size}: sum of {n} values on each rank returned {what}; expected every rank's values added, element by element:\n{m}")
        }),
        (None, _) => Ok(()),
        (Some(got), _) => Err(format!(
            "rank {rank} of {size}: sum returned Some({} values); expected None: only rank 0, the root, receives the \
             sums",
            got.len()
        )),
    };
    agree(&world, verdict);
}

/// Task 9: `comm.Split(color=rank % 2)`, then a sum within each part.
pub fn task_09_split(split_sum: SplitSum) {
    let world = crate::world();
    let (rank, size) = (world.rank(), world.size());
    let seed = shared_seed(&world);
    let value = |k: Rank| rank_data(seed, k, 1)[0];
    let (part_rank, part_size, total) = split_sum(&world, value(rank));

    let parity = if rank % 2 == 0 { "even" } else { "odd" };
    let members: Vec<Rank> = (0..size).filter(|k| k % 2 == rank % 2).collect();
    let want_total: f64 = members.iter().map(|&k| value(k)).sum();
    let scale: f64 = (0..size).map(|k| value(k).abs()).sum();
    let close = |x: f64| (x - want_total).abs() <= SUM_TOLERANCE * scale;
    let verdict = if (part_rank, part_size) != (rank / 2, members.len() as Rank) {
        Err(format!(
            "rank {rank} of {size}: split_sum returned rank {part_rank} of {part_size} in its part; the {parity} ranks \
             {members:?} make a part of {}, where world rank {rank} is rank {}",
            members.len(),
            rank / 2
        ))
    } else if !close(total) {
        let world_total: f64 = (0..size).map(value).sum();
        let what = if (total - world_total).abs() <= SUM_TOLERANCE * scale {
            ", the sum over every rank"
        } else if total == value(rank) {
            ", its own value alone"
        } else {
            ""
        };
        Err(format!(
            "rank {rank} of {size}: split_sum returned the sum {total}{what}; expected {want_total}, the sum over the \
             {parity} ranks {members:?} (each part reduces within its own communicator)"
        ))
    } else {
        Ok(())
    };
    agree(&world, verdict);
}

/// One test per task, each running the shared check with the crate's functions:
/// `harness_mpi::mpi_basics_tests!(mpi_basics);` in the crate's `tests/tasks.rs`.
#[macro_export]
macro_rules! mpi_basics_tests {
    ($k:ident) => {
        use $crate::basics as tasks;
        #[test]
        fn task_01_hello() {
            tasks::task_01_hello($k::hello);
        }
        #[test]
        fn task_02_exchange() {
            tasks::task_02_exchange($k::exchange);
        }
        #[test]
        fn task_03_send_receive() {
            tasks::task_03_send_receive($k::exchange_send_receive);
        }
        #[test]
        fn task_04_chain() {
            tasks::task_04_chain($k::chain);
        }
        #[test]
        fn task_05_chain_send_receive() {
            tasks::task_05_chain_send_receive($k::chain_send_receive);
        }
        #[test]
        fn task_06_chain_immediate() {
            tasks::task_06_chain_immediate($k::chain_immediate);
        }
        #[test]
        fn task_07_broadcast_scatter() {
            tasks::task_07_broadcast_scatter($k::broadcast, $k::scatter);
        }
        #[test]
        fn task_08_gather_sum() {
            tasks::task_08_gather_sum($k::gather, $k::sum);
        }
        #[test]
        fn task_09_split() {
            tasks::task_09_split($k::split_sum);
        }
    };
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

    #[test]
    fn greetings_are_read_for_their_numbers() {
        assert_eq!(numbers_in("Hello from rank 3 of 4!"), [3, 4]);
        assert_eq!(numbers_in("hi"), Vec::<i64>::new());
    }
}
