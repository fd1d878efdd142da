//! One check per task of exercise 10, each seeing every rank's result at once (see the module
//! above). The learner functions are reached by the names the grading worker and the test
//! binaries serve them under (`harness_mpi::mpi_basics_functions!`); each rank makes its own
//! input from the arguments a check sends (the seed, a length), as the serving code says.

use super::{LEN, Rank, Ranks, call, describe, expect_data, partner, rank_data, rank_tag, require, small_len};
use crate::diff::{self, Tolerance};

/// Relative tolerance for sums: MPI may add the ranks' values in any order.
const SUM_TOLERANCE: f64 = 1e-12;

/// The numbers written in `text` (runs of digits).
fn numbers_in(text: &str) -> Vec<i64> {
    text.split(|c: char| !c.is_ascii_digit()).filter_map(|w| w.parse().ok()).collect()
}

/// Task 1: `comm.Get_rank()`, `comm.Get_size()` and a greeting (`hello`, no arguments).
pub fn task_01_hello(ranks: &dyn Ranks) {
    let size = ranks.size();
    let got: Vec<(Rank, Rank, String)> = call(ranks, "hello", &());
    let mut verdicts: Vec<Result<(), String>> = got
        .iter()
        .zip(0..)
        .map(|((_, _, greeting), rank)| {
            let numbers = numbers_in(greeting);
            if numbers.contains(&i64::from(rank)) && numbers.contains(&i64::from(size)) {
                return Ok(());
            }
            Err(format!(
                "rank {rank} of {size}: the greeting {greeting:?} does not name the rank ({rank}) and the number of \
                 ranks ({size}), as in \"Hello from rank {rank} of {size}\""
            ))
        })
        .collect();
    // What every process returned, seen together: each rank must appear once.
    let returned: Vec<Rank> = got.iter().map(|g| g.0).collect();
    let sizes: Vec<Rank> = got.iter().map(|g| g.1).collect();
    if let Some(k) = (0..size).find(|&k| returned[k as usize] != k || sizes[k as usize] != size) {
        verdicts[k as usize] = Err(format!(
            "rank {k} of {size}: hello returned rank {} and size {}; the {size} processes returned ranks {returned:?} \
             and sizes {sizes:?}, where each must return its own rank (0 to {}, each once) and the size {size}",
            returned[k as usize],
            sizes[k as usize],
            size - 1
        ));
    }
    require(ranks, verdicts);
}

/// Tasks 2 and 3: the pairwise exchange, of [`LEN`] values, then of a few (`(seed, len)`).
fn check_exchange(ranks: &dyn Ranks, task: &str) {
    let (size, seed) = (ranks.size(), ranks.seed());
    for len in [LEN, small_len(seed)] {
        let got: Vec<Vec<f64>> = call(ranks, task, &(seed, len));
        let verdicts = (0..size)
            .map(|rank| {
                let from = partner(rank, size);
                expect_data(&got[rank as usize], from, seed, len, size).map_err(|(what, details)| {
                    let whose = if from == rank {
                        format!("its own data back (rank {rank} is the odd last one: it has no partner)")
                    } else {
                        format!("rank {from}'s data (its partner's)")
                    };
                    format!("rank {rank} of {size}: {task} of {len} values returned {what}; expected {whose}{details}")
                })
            })
            .collect();
        require(ranks, verdicts);
    }
}

/// Task 2: the exchange with blocking `send` and `receive_into`.
pub fn task_02_exchange(ranks: &dyn Ranks) {
    check_exchange(ranks, "exchange");
}

/// Task 3: the exchange with `send_receive_into`.
pub fn task_03_send_receive(ranks: &dyn Ranks) {
    check_exchange(ranks, "exchange_send_receive");
}

/// Tasks 4 to 6: the chain, rank by rank, of [`LEN`] values, then of a few (`(seed, len)`).
fn check_chain(ranks: &dyn Ranks, task: &str) {
    let (size, seed) = (ranks.size(), ranks.seed());
    for len in [LEN, small_len(seed)] {
        let got: Vec<Option<Vec<f64>>> = call(ranks, task, &(seed, len));
        let verdicts = got
            .into_iter()
            .zip(0..)
            .map(|(got, rank)| match (got, rank) {
                (None, 0) => Ok(()),
                (Some(got), 0) => Err(format!(
                    "rank 0 of {size}: {task} of {len} values returned Some({}); expected None: no rank comes before \
                     rank 0, so it receives nothing",
                    describe(&got, seed, len, size)
                )),
                (None, _) => Err(format!(
                    "rank {rank} of {size}: {task} of {len} values returned None; expected Some(rank {}'s data), sent \
                     by the rank before it",
                    rank - 1
                )),
                (Some(got), _) => expect_data(&got, rank - 1, seed, len, size).map_err(|(what, details)| {
                    format!(
                        "rank {rank} of {size}: {task} of {len} values returned Some({what}); expected rank {}'s data, \
                         sent by the rank before it{details}",
                        rank - 1
                    )
                }),
            })
            .collect();
        require(ranks, verdicts);
    }
}

/// Task 4: the chain with blocking `send` and `receive`.
pub fn task_04_chain(ranks: &dyn Ranks) {
    check_chain(ranks, "chain");
}

/// Task 5: the chain with `send_receive_into` where a rank has both neighbours.
pub fn task_05_chain_send_receive(ranks: &dyn Ranks) {
    check_chain(ranks, "chain_send_receive");
}

/// Task 6: the chain with `immediate_send` and `immediate_receive_into`.
pub fn task_06_chain_immediate(ranks: &dyn Ranks) {
    check_chain(ranks, "chain_immediate");
}

/// Task 7: `comm.Bcast` (`broadcast`, `(seed, len)`: rank 0's buffer holds its data, the
/// others' zeros) and `comm.Scatter` (`scatter`, `(seed, chunk)`: rank 0 holds `chunk` values
/// for each rank, the others nothing) from rank 0.
pub fn task_07_broadcast_scatter(ranks: &dyn Ranks) {
    let (size, seed) = (ranks.size(), ranks.seed());
    let len = small_len(seed) + 100;
    let got: Vec<Vec<f64>> = call(ranks, "broadcast", &(seed, len));
    let verdicts = (0..size)
        .map(|rank| {
            expect_data(&got[rank as usize], 0, seed, len, size).map_err(|(what, details)| {
                let before = if rank == 0 { "rank 0's data" } else { "zeros" };
                format!(
                    "rank {rank} of {size}: after broadcast, its buffer of {len} values ({before} before the call) \
                     holds {what}; expected rank 0's data, on every rank{details}"
                )
            })
        })
        .collect();
    require(ranks, verdicts);

    let chunk = small_len(seed.rotate_left(17)) + 10;
    let all = rank_data(seed, 0, chunk * size as usize);
    let got: Vec<Vec<f64>> = call(ranks, "scatter", &(seed, chunk));
    let verdicts = (0..size)
        .map(|rank| {
            let got = &got[rank as usize];
            let start = rank as usize * chunk;
            if *got == all[start..start + chunk] {
                return Ok(());
            }
            let what = match all.chunks(chunk).position(|c| c == got) {
                Some(k) => format!("chunk {k} (values {}..{} of rank 0's data)", k * chunk, (k + 1) * chunk),
                None if got.len() != chunk => format!("{} values", got.len()),
                None => format!("{chunk} values that are no chunk of rank 0's data"),
            };
            Err(format!(
                "rank {rank} of {size}: scatter of rank 0's {} values ({size} chunks of {chunk}) returned {what}; \
                 expected chunk {rank} (values {start}..{})",
                all.len(),
                start + chunk
            ))
        })
        .collect();
    require(ranks, verdicts);
}

/// Task 8: `comm.Gather` (`gather`) and `comm.Reduce(op=MPI.SUM)` (`sum`) to rank 0, each rank
/// giving its `n` values (`(seed, n)`).
pub fn task_08_gather_sum(ranks: &dyn Ranks) {
    let (size, seed) = (ranks.size(), ranks.seed());
    let n = small_len(seed) + 10;
    let got: Vec<Option<Vec<f64>>> = call(ranks, "gather", &(seed, n));
    let verdicts = got
        .into_iter()
        .zip(0..)
        .map(|(got, rank)| match (got, rank) {
            (None, 0) => Err(format!(
                "rank 0 of {size}: gather of {n} values from each rank returned None; expected Some of the {} values, \
                 every rank's in rank order",
                n * size as usize
            )),
            (Some(got), 0) if got.len() != n * size as usize => Err(format!(
                "rank 0 of {size}: gather of {n} values from each rank returned {} values; expected {} ({n} from each \
                 of {size} ranks)",
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
                "rank {rank} of {size}: gather returned Some({} values); expected None: only rank 0, the root, \
                 receives the gathered data",
                got.len()
            )),
        })
        .collect();
    require(ranks, verdicts);

    let got: Vec<Option<Vec<f64>>> = call(ranks, "sum", &(seed, n));
    let mine = rank_data(seed, 0, n);
    let want: Vec<f64> = (0..size).map(|k| rank_data(seed, k, n)).fold(vec![0.0; n], |mut total, data| {
        total.iter_mut().zip(&data).for_each(|(t, v)| *t += v);
        total
    });
    let verdicts = got
        .into_iter()
        .zip(0..)
        .map(|(got, rank)| match (got, rank) {
            (None, 0) => {
                Err(format!("rank 0 of {size}: sum returned None; expected Some of the {n} sums, on the root"))
            }
            (Some(got), 0) => diff::compare(&want, &got, &[n], &[got.len()], Tolerance::relative(SUM_TOLERANCE))
                .map_err(|m| {
                    let what =
                        if got.len() == n && got == mine { "its own values, not the sums" } else { "wrong sums" };
                    format!(
                        "rank 0 of {size}: sum of {n} values on each rank returned {what}; expected every rank's \
                         values added, element by element:\n{m}"
                    )
                }),
            (None, _) => Ok(()),
            (Some(got), _) => Err(format!(
                "rank {rank} of {size}: sum returned Some({} values); expected None: only rank 0, the root, receives \
                 the sums",
                got.len()
            )),
        })
        .collect();
    require(ranks, verdicts);
}

/// Task 9: `comm.Split(color=rank % 2)`, then a sum within each part (`split_sum`, `seed`: each
/// rank gives the first value of its data).
pub fn task_09_split(ranks: &dyn Ranks) {
    let (size, seed) = (ranks.size(), ranks.seed());
    let value = |k: Rank| rank_data(seed, k, 1)[0];
    let got: Vec<(Rank, Rank, f64)> = call(ranks, "split_sum", &seed);
    let scale: f64 = (0..size).map(|k| value(k).abs()).sum();
    let verdicts = got
        .into_iter()
        .zip(0..)
        .map(|((part_rank, part_size, total), rank)| {
            let parity = if rank % 2 == 0 { "even" } else { "odd" };
            let members: Vec<Rank> = (0..size).filter(|k| k % 2 == rank % 2).collect();
            let want_total: f64 = members.iter().map(|&k| value(k)).sum();
            let close = |x: f64| (x - want_total).abs() <= SUM_TOLERANCE * scale;
            if (part_rank, part_size) != (rank / 2, members.len() as Rank) {
                Err(format!(
                    "rank {rank} of {size}: split_sum returned rank {part_rank} of {part_size} in its part; the \
                     {parity} ranks {members:?} make a part of {}, where world rank {rank} is rank {}",
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
                    "rank {rank} of {size}: split_sum returned the sum {total}{what}; expected {want_total}, the sum \
                     over the {parity} ranks {members:?} (each part reduces within its own communicator)"
                ))
            } else {
                Ok(())
            }
        })
        .collect();
    require(ranks, verdicts);
}

/// What `collect` returns on one rank: the root's messages (source, tag, value), and the sum.
type Collected = (Option<Vec<(Rank, i32, f64)>>, f64);

/// Task 10: messages received from `ANY_SOURCE`, placed by their `Status`, on a root other than
/// 0, then a broadcast from that root (`collect`, `(seed, root)`: each rank sends the first value
/// of its data, tagged [`rank_tag`]). The root is the last rank.
pub fn task_10_any_source(ranks: &dyn Ranks) {
    let (size, seed) = (ranks.size(), ranks.seed());
    let root = size - 1;
    let value = |k: Rank| rank_data(seed, k, 1)[0];
    let want: Vec<(Rank, i32, f64)> =
        (0..size).filter(|&k| k != root).map(|k| (k, rank_tag(seed, k), value(k))).collect();
    let want_total: f64 = want.iter().map(|m| m.2).sum();
    let scale: f64 = want.iter().map(|m| m.2.abs()).sum::<f64>().max(1.0);
    let got: Vec<Collected> = call(ranks, "collect", &(seed, root));
    let verdicts = got
        .into_iter()
        .zip(0..)
        .map(|((collected, total), rank)| {
            let who = format!("rank {rank} of {size}: collect with root {root}");
            match (collected, rank == root) {
                (Some(got), false) => {
                    return Err(format!(
                        "{who} returned Some({} messages); expected None: only the root, rank {root}, receives",
                        got.len()
                    ));
                }
                (None, true) => {
                    return Err(format!(
                        "{who} returned None; expected Some of the {} messages (source, tag, value), one from every \
                         other rank, sorted by source",
                        want.len()
                    ));
                }
                (Some(got), true) => collected_wrong(&got, &want).map_or(Ok(()), |why| Err(format!("{who}: {why}")))?,
                (None, false) => {}
            }
            if (total - want_total).abs() > SUM_TOLERANCE * scale {
                let what = if total == 0.0 && want_total != 0.0 {
                    ", as if the root's broadcast never reached it (a broadcast from rank 0, not from the root?)"
                } else {
                    ""
                };
                return Err(format!(
                    "{who} returned the total {total}{what}; expected {want_total}, the sum of the values the root \
                     received, broadcast from the root to every rank"
                ));
            }
            Ok(())
        })
        .collect();
    require(ranks, verdicts);
}

/// What is wrong with the root's messages `got`, against `want` (sorted by source), in words.
fn collected_wrong(got: &[(Rank, i32, f64)], want: &[(Rank, i32, f64)]) -> Option<String> {
    if got == want {
        return None;
    }
    let sources: Vec<Rank> = got.iter().map(|m| m.0).collect();
    let want_sources: Vec<Rank> = want.iter().map(|m| m.0).collect();
    if got.len() != want.len() {
        return Some(format!(
            "returned {} messages; expected {}, one from each of the ranks {want_sources:?}",
            got.len(),
            want.len()
        ));
    }
    let mut sorted = sources.clone();
    sorted.sort_unstable();
    if sorted != want_sources {
        return Some(format!(
            "returned the sources {sources:?}; expected each of {want_sources:?} once: read who sent a message \
             from its Status (`status.source_rank()`), not from the loop's counter"
        ));
    }
    if sources != want_sources {
        return Some(format!(
            "returned the sources in the order {sources:?}, as the messages arrived; expected them sorted by source"
        ));
    }
    got.iter().zip(want).find_map(|(&(source, tag, value), &(_, want_tag, want_value))| {
        if tag != want_tag {
            Some(format!(
                "the message from rank {source} has the tag {tag}; rank {source} sent it with the tag {want_tag}: send \
                 with `send_with_tag`, and read the tag from the Status (`status.tag()`)"
            ))
        } else if value != want_value {
            Some(format!("the message from rank {source} has the value {value}; rank {source} sent {want_value}"))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranks::Played;
    use std::cell::RefCell;

    fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
        postcard::to_stdvec(value).unwrap()
    }

    /// The right answers, as the solution's functions give them.
    fn right(name: &str, args: &[u8], rank: Rank, size: Rank) -> Vec<u8> {
        match name {
            "hello" => encode(&(rank, size, format!("Hello from rank {rank} of {size}"))),
            "exchange" | "exchange_send_receive" => {
                let (seed, len): (u64, usize) = postcard::from_bytes(args).unwrap();
                encode(&rank_data(seed, partner(rank, size), len))
            }
            "chain" | "chain_send_receive" | "chain_immediate" => {
                let (seed, len): (u64, usize) = postcard::from_bytes(args).unwrap();
                encode(&(rank > 0).then(|| rank_data(seed, rank - 1, len)))
            }
            "split_sum" => {
                let seed: u64 = postcard::from_bytes(args).unwrap();
                let members: Vec<Rank> = (0..size).filter(|k| k % 2 == rank % 2).collect();
                let total: f64 = members.iter().map(|&k| rank_data(seed, k, 1)[0]).sum();
                encode(&(rank / 2, members.len() as Rank, total))
            }
            "collect" => {
                let (seed, root): (u64, Rank) = postcard::from_bytes(args).unwrap();
                let messages: Vec<(Rank, i32, f64)> = (0..size)
                    .filter(|&k| k != root)
                    .map(|k| (k, rank_tag(seed, k), rank_data(seed, k, 1)[0]))
                    .collect();
                let total: f64 = messages.iter().map(|m| m.2).sum();
                encode(&((rank == root).then_some(messages), total))
            }
            other => panic!("no {other} here"),
        }
    }

    #[test]
    fn right_answers_from_every_rank_pass() {
        for size in [1, 2, 3, 4] {
            let job = Played { size, serve: right, calls: RefCell::default() };
            task_01_hello(&job);
            task_02_exchange(&job);
            task_04_chain(&job);
            task_09_split(&job);
            task_10_any_source(&job);
            assert_eq!(
                *job.calls.borrow(),
                ["hello", "exchange", "exchange", "chain", "chain", "split_sum", "collect"]
            );
        }
    }

    #[test]
    fn data_kept_instead_of_exchanged_is_named_on_every_rank_that_kept_it() {
        let kept = |name: &str, args: &[u8], rank: Rank, _: Rank| {
            let (seed, len): (u64, usize) = postcard::from_bytes(args).unwrap();
            assert_eq!(name, "exchange");
            encode(&rank_data(seed, rank, len))
        };
        let job = Played { size: 2, serve: kept, calls: RefCell::default() };
        let message = crate::property::panic_message(std::panic::AssertUnwindSafe(|| task_02_exchange(&job)));
        assert!(
            message.starts_with(
                "rank 0 of 2: exchange of 100000 values returned rank 0's data; expected rank 1's data (its partner's) \
                 (wrong on rank 1 too, below)"
            ),
            "{message}"
        );
        assert!(message.contains("\nrank 1 of 2: exchange of 100000 values returned rank 1's data"), "{message}");
    }

    #[test]
    fn a_greeting_without_the_numbers_and_a_repeated_rank_are_told() {
        let wrong = |_: &str, _: &[u8], _: Rank, size: Rank| encode(&(0, size, "hi".to_string()));
        let job = Played { size: 2, serve: wrong, calls: RefCell::default() };
        let message = crate::property::panic_message(std::panic::AssertUnwindSafe(|| task_01_hello(&job)));
        assert!(message.starts_with("rank 0 of 2: the greeting \"hi\" does not name the rank"), "{message}");
        assert!(message.contains("rank 1 of 2: hello returned rank 0 and size 2"), "{message}");
    }

    #[test]
    fn messages_kept_in_arrival_order_untagged_or_summed_from_rank_0_are_told() {
        // The root as a learner may write it: `mistake` picks one slip.
        fn serve(mistake: u8, args: &[u8], rank: Rank, size: Rank) -> Vec<u8> {
            let (seed, root): (u64, Rank) = postcard::from_bytes(args).unwrap();
            let mut messages: Vec<(Rank, i32, f64)> =
                (0..size).filter(|&k| k != root).map(|k| (k, rank_tag(seed, k), rank_data(seed, k, 1)[0])).collect();
            let total: f64 = messages.iter().map(|m| m.2).sum();
            match mistake {
                0 => messages.reverse(),
                1 => messages.iter_mut().for_each(|m| m.1 = 0),
                _ => {}
            }
            // Mistake 2: the total broadcast from rank 0, which has none to give.
            let total = if mistake == 2 && rank != root { 0.0 } else { total };
            encode(&((rank == root).then_some(messages), total))
        }
        let told = |serve: fn(&str, &[u8], Rank, Rank) -> Vec<u8>| {
            let job = Played { size: 4, serve, calls: RefCell::default() };
            crate::property::panic_message(std::panic::AssertUnwindSafe(|| task_10_any_source(&job)))
        };
        let unsorted = told(|_, args, rank, size| serve(0, args, rank, size));
        assert!(
            unsorted.starts_with("rank 3 of 4: collect with root 3: returned the sources in the order [2, 1, 0]"),
            "{unsorted}"
        );
        let untagged = told(|_, args, rank, size| serve(1, args, rank, size));
        assert!(untagged.contains("the message from rank 0 has the tag 0; rank 0 sent it with the tag"), "{untagged}");
        let from_zero = told(|_, args, rank, size| serve(2, args, rank, size));
        assert!(
            from_zero.starts_with("rank 0 of 4: collect with root 3 returned the total 0, as if the root's broadcast"),
            "{from_zero}"
        );
    }
}
