//! One check per task of exercise 09, each taking the exercise's functions, so the learner's
//! crate and the solution run the same tests. Besides the results, the checks watch the work
//! function: on which threads it runs, and whether those threads run it *at the same time*
//! (a `Watch` holds each call until enough calls are in progress at once, which code that runs
//! one item after another never reaches).

use super::{check_centre, pdb_text};
use crate::property::called;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// Task 1: `values` cut in `parts` chunks, `work` on each in its own thread.
pub type ChunksOnThreads = fn(&[f64], usize, &(dyn Fn(&[f64]) -> f64 + Sync)) -> Vec<f64>;
/// Task 2: `work` on every item, by a pool of threads.
pub type PoolMap = fn(&[u64], &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64>;
/// Task 3: `work` on every item, by `workers` consumers fed through a channel.
pub type QueueMap = fn(&[u64], usize, &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64>;
/// Task 4: how many items pass `test`, counted by `threads` threads into shared state.
pub type Count = fn(&[u64], usize, &(dyn Fn(u64) -> bool + Sync)) -> usize;

/// The course's own work functions, by name. Where the check runs in the reference worker on
/// proxies of the learner's functions, every call of a work function crosses the judge twice
/// (see `harness::remote::call_with`): right for the calls a check watches, too slow for the
/// thousands of items of a property case. So a check names the work of such a call
/// (`with_known`) and the candidate runs that function itself, course code, on the learner's
/// threads; the result is still judged here. In a test binary the name changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Known {
    Sum,
    FirstAndLength,
    CollatzSteps,
    Below3Mod7,
}

impl Known {
    /// The work of a chunk (task 1).
    pub fn chunk(self, chunk: &[f64]) -> f64 {
        match self {
            Known::Sum => sum(chunk),
            Known::FirstAndLength => first_and_length(chunk),
            other => panic!("{other:?} is not a work function of chunks"),
        }
    }

    /// The work of an item (tasks 2 and 3).
    pub fn item(self, n: u64) -> u64 {
        match self {
            Known::CollatzSteps => collatz_steps(n),
            other => panic!("{other:?} is not a work function of items"),
        }
    }

    /// The test an item passes or not (task 4).
    pub fn test(self, n: u64) -> bool {
        match self {
            Known::Below3Mod7 => below_3_mod_7(n),
            other => panic!("{other:?} is not a test of items"),
        }
    }
}

thread_local! {
    static KNOWN: Cell<Option<Known>> = const { Cell::new(None) };
}

/// The work function the call in progress on this thread was given, if the check named it.
pub fn known() -> Option<Known> {
    KNOWN.with(Cell::get)
}

/// Runs `f`, a call of a learner function given `work` (as a function), with `work` named.
fn with_known<T>(work: Known, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<Known>);
    impl Drop for Reset {
        fn drop(&mut self) {
            KNOWN.with(|k| k.set(self.0));
        }
    }
    let _reset = Reset(KNOWN.with(|k| k.replace(Some(work))));
    f()
}

/// How long a watched call waits for the other threads before the check gives up.
const PATIENCE: Duration = Duration::from_secs(5);

/// Which threads called a work function, and whether `together` of them were in it at once.
struct Watch {
    caller: ThreadId,
    threads: Mutex<Vec<ThreadId>>,
    together: usize,
    /// Calls in progress now, and the most there ever were at once.
    inside: AtomicUsize,
    most: AtomicUsize,
    /// Set once `together` calls were in progress at once, or once one waited past the
    /// deadline: from then on no call waits.
    released: AtomicBool,
    gave_up: AtomicBool,
    deadline: Instant,
}

/// A call in progress; it ends when dropped.
struct Inside<'a>(&'a Watch);

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.inside.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Watch {
    fn new(together: usize) -> Self {
        Watch {
            caller: thread::current().id(),
            threads: Mutex::new(Vec::new()),
            together,
            inside: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            released: AtomicBool::new(false),
            gave_up: AtomicBool::new(false),
            deadline: Instant::now() + PATIENCE,
        }
    }

    /// Called at the start of every work call (the call lasts as long as the guard): notes the
    /// thread, then waits until `together` calls are in progress at once. Threads that run the
    /// calls one after another never get there: the first waits until the deadline, then
    /// nothing waits any more and the check reports it.
    fn enter(&self) -> Inside<'_> {
        let id = thread::current().id();
        {
            let mut threads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
            if !threads.contains(&id) {
                threads.push(id);
            }
        }
        let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let guard = Inside(self);
        loop {
            if self.released.load(Ordering::SeqCst) || self.gave_up.load(Ordering::SeqCst) {
                break;
            }
            if self.inside.load(Ordering::SeqCst) >= self.together {
                self.released.store(true, Ordering::SeqCst);
            } else if Instant::now() > self.deadline {
                self.gave_up.store(true, Ordering::SeqCst);
            } else {
                thread::sleep(Duration::from_millis(1));
            }
        }
        guard
    }

    fn distinct(&self) -> usize {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    fn on_caller(&self) -> bool {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner).contains(&self.caller)
    }

    /// Whether `together` calls were in progress at once; else, for `call`, how many were,
    /// what should have run at once (`what`), and the `advice`.
    fn concurrent(&self, call: &str, what: &str, advice: &str) -> Result<(), String> {
        if !self.gave_up.load(Ordering::SeqCst) {
            return Ok(());
        }
        Err(format!(
            "{call}: {what} did not run at the same time (at most {} thread(s) working at once, {} expected)\n  \
             one call waited {} s for the others in vain. {advice}",
            self.most.load(Ordering::SeqCst),
            self.together,
            PATIENCE.as_secs(),
        ))
    }

    /// A message for `call` when the work ran on the caller's thread or on more than `most`
    /// threads (`most` of them for `exactly`).
    fn threads_used(&self, call: &str, most: usize, exactly: bool, advice: &str) -> Result<(), String> {
        let (n, caller) = (self.distinct(), self.on_caller());
        if !caller && (n == most || (!exactly && n < most)) {
            return Ok(());
        }
        let caller = if caller { ", one of them the caller's" } else { "" };
        Err(format!("{call}: the work ran on {n} thread(s){caller}\n  {advice}"))
    }
}

fn expect<T: PartialEq + std::fmt::Debug>(call: &str, got: &T, want: &T) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{call}\n  expected {want:?}\n  got      {got:?}")) }
}

/// Panics with `result`'s message, if any.
fn require(result: Result<(), String>) {
    if let Err(message) = result {
        panic!("{message}");
    }
}

fn cores() -> usize {
    thread::available_parallelism().map_or(1, usize::from)
}

// ---- Task 1 -----------------------------------------------------------------------------------

/// The chunks task 1 asks for: `values.len().div_ceil(parts)` values each (the last may be
/// shorter), none for no values.
fn reference_chunks(values: &[f64], parts: usize, work: &dyn Fn(&[f64]) -> f64) -> Vec<f64> {
    values.chunks(values.len().div_ceil(parts.max(1)).max(1)).map(work).collect()
}

fn sum(chunk: &[f64]) -> f64 {
    chunk.iter().sum()
}

/// A work function whose result depends on the chunk's place in `values`, not only its sum.
fn first_and_length(chunk: &[f64]) -> f64 {
    chunk[0] * 1e3 + chunk.len() as f64
}

/// Task 1: one scoped thread per chunk, all running at once, results in chunk order.
pub fn task_01_scoped_threads(chunks_on_threads: ChunksOnThreads) {
    let values: Vec<f64> = (1..=10).map(f64::from).collect();
    let call = "chunks_on_threads(&[1.0, 2.0, …, 10.0], 4, &sum)";
    let watch = Watch::new(4);
    let got = called(call, || {
        chunks_on_threads(&values, 4, &|chunk| {
            let _inside = watch.enter();
            sum(chunk)
        })
    });
    require(expect(
        &format!("{call}  # chunks [1, 2, 3], [4, 5, 6], [7, 8, 9], [10]"),
        &got,
        &vec![6.0, 15.0, 24.0, 10.0],
    ));
    require(watch.concurrent(
        call,
        "the 4 chunks",
        "Spawn every thread first, then join them: a `join()` right after each `spawn` waits for that \
         thread before the next one starts.",
    ));
    require(watch.threads_used(
        call,
        4,
        true,
        "Give each of the 4 chunks a thread of its own (`s.spawn` inside `std::thread::scope`).",
    ));
    let call = "chunks_on_threads(&[1.0, 2.0], 5, &sum)  # fewer values than parts: one chunk each";
    require(expect(call, &called(call, || chunks_on_threads(&[1.0, 2.0], 5, &sum)), &vec![1.0, 2.0]));
    let call = "chunks_on_threads(&[], 3, &sum)  # no values, no chunks";
    require(expect(call, &called(call, || chunks_on_threads(&[], 3, &sum)), &Vec::new()));
    let values = proptest::collection::vec(-1000.0..1000.0f64, 0..300);
    crate::property::check((values, 1usize..10), |(values, parts)| {
        for (name, work) in [("sum", Known::Sum), ("first_and_length", Known::FirstAndLength)] {
            let call = format!("chunks_on_threads({values:?}, {parts}, &{name})");
            let f = |chunk: &[f64]| work.chunk(chunk);
            expect(
                &call,
                &with_known(work, || chunks_on_threads(&values, parts, &f)),
                &reference_chunks(&values, parts, &f),
            )?;
        }
        Ok(())
    });
}

// ---- Task 2 -----------------------------------------------------------------------------------

/// A small CPU-bound function for the pool and the queue: the number of Collatz steps from
/// `n` to 1 (0 for 0), the kind of per-item work `Pool.map` is for.
pub fn collatz_steps(mut n: u64) -> u64 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

/// Task 2: a pool, a few threads for many items, results in item order.
pub fn task_02_pool(pool_map: PoolMap) {
    let items: Vec<u64> = (0..2000).collect();
    let want: Vec<u64> = items.iter().map(|&n| collatz_steps(n)).collect();
    let call = "pool_map(&[0, 1, …, 1999], &collatz_steps)";
    let together = cores().min(2);
    let watch = Watch::new(together);
    let got = called(call, || {
        pool_map(&items, &|n| {
            let _inside = watch.enter();
            collatz_steps(n)
        })
    });
    require(expect(call, &got, &want));
    require(watch.concurrent(
        call,
        "the 2000 items",
        "A pool runs items on all its threads at once: `items.par_iter()` in rayon.",
    ));
    let most = (2 * cores()).max(8);
    if watch.distinct() > most {
        require(watch.threads_used(
            call,
            most,
            false,
            &format!(
                "A pool keeps a few threads (about one per core; here at most {most}) and hands each of \
                 them many items: a thread per item costs more than the work."
            ),
        ));
    }
    let call = "pool_map(&[], &collatz_steps)";
    require(expect(call, &called(call, || pool_map(&[], &collatz_steps)), &Vec::new()));
    crate::property::check(proptest::collection::vec(0..1_000_000u64, 0..500), |items| {
        let want: Vec<u64> = items.iter().map(|&n| collatz_steps(n)).collect();
        let got = with_known(Known::CollatzSteps, || pool_map(&items, &collatz_steps));
        expect(&format!("pool_map({items:?}, &collatz_steps)"), &got, &want)
    });
}

// ---- Task 3 -----------------------------------------------------------------------------------

/// The results, with a word on order when they are all there but shuffled.
fn expect_in_order(call: &str, got: &[u64], want: &[u64]) -> Result<(), String> {
    expect(call, &got, &want).map_err(|message| {
        let (mut a, mut b) = (got.to_vec(), want.to_vec());
        a.sort_unstable();
        b.sort_unstable();
        if a == b {
            format!(
                "{message}\n  every result is there, in the order the consumers finished: send each item with \
                 its index and put each result back in its place, so the answer does not depend on scheduling"
            )
        } else {
            message
        }
    })
}

/// Task 3: a producer, `workers` consumers and two channels; results in item order whatever
/// order they arrive in.
pub fn task_03_queue(queue_map: QueueMap) {
    // Item n sleeps n ms: the first items finish last.
    let items = [6u64, 1, 5, 2, 4, 3, 0, 2, 1];
    let slow = |n: u64| {
        thread::sleep(Duration::from_millis(n));
        collatz_steps(n + 7)
    };
    let want: Vec<u64> = items.iter().map(|&n| slow(n)).collect();
    let call = "queue_map(&[6, 1, 5, 2, 4, 3, 0, 2, 1], 3, &work)  # item n takes n ms";
    let watch = Watch::new(3);
    let got = called(call, || {
        queue_map(&items, 3, &|n| {
            let _inside = watch.enter();
            slow(n)
        })
    });
    require(expect_in_order(call, &got, &want));
    require(watch.concurrent(
        call,
        "the 3 consumers",
        "A consumer that takes its items with `while let Ok(x) = rx.lock().unwrap().recv() { … }` \
         holds the lock for the whole loop body: take each item in a statement of its own \
         (`let next = rx.lock().unwrap().recv();`), so the lock is released before the work starts.",
    ));
    require(watch.threads_used(call, 3, false, "The consumers, and only they, call `work`."));
    for (items, workers) in [(vec![], 2), (vec![9, 8], 5), (vec![3, 1, 2], 1)] {
        let call = format!("queue_map(&{items:?}, {workers}, &collatz_steps)");
        let want: Vec<u64> = items.iter().map(|&n| collatz_steps(n)).collect();
        require(expect_in_order(&call, &called(&call, || queue_map(&items, workers, &collatz_steps)), &want));
    }
    let items = proptest::collection::vec(0..1_000_000u64, 0..200);
    crate::property::check((items, 1usize..6), |(items, workers)| {
        let want: Vec<u64> = items.iter().map(|&n| collatz_steps(n)).collect();
        let call = format!("queue_map({items:?}, {workers}, &collatz_steps)");
        expect_in_order(&call, &with_known(Known::CollatzSteps, || queue_map(&items, workers, &collatz_steps)), &want)
    });
}

// ---- Task 4 -----------------------------------------------------------------------------------

fn multiple_of_3(n: u64) -> bool {
    n.is_multiple_of(3)
}

fn below_3_mod_7(n: u64) -> bool {
    n % 7 < 3
}

/// Task 4: the same count three ways (a `Mutex`, an atomic, messages), each on `threads`
/// threads working at once, each the serial answer.
pub fn task_04_shared_state(count_mutex: Count, count_atomic: Count, count_messages: Count) {
    let items: Vec<u64> = (0..1000).collect();
    for (name, count) in
        [("count_mutex", count_mutex), ("count_atomic", count_atomic), ("count_messages", count_messages)]
    {
        let call = format!("{name}(&[0, 1, …, 999], 4, &|n| n % 3 == 0)");
        let watch = Watch::new(2);
        let got = called(&call, || {
            count(&items, 4, &|n| {
                let _inside = watch.enter();
                multiple_of_3(n)
            })
        });
        require(expect(&call, &got, &334));
        require(watch.concurrent(
            &call,
            "the 4 threads",
            "Spawn the threads first and let each count its own part; join them (or leave the scope) \
             only once all are running.",
        ));
        require(watch.threads_used(&call, 4, false, "The 4 spawned threads, and only they, call `test`."));
        for (items, threads) in [(vec![], 3), (vec![3, 6], 8), (vec![1, 3, 5, 6], 1)] {
            let call = format!("{name}(&{items:?}, {threads}, &|n| n % 3 == 0)");
            let want = items.iter().filter(|&&n| multiple_of_3(n)).count();
            require(expect(&call, &called(&call, || count(&items, threads, &multiple_of_3)), &want));
        }
        let items = proptest::collection::vec(0..1_000_000u64, 0..2000);
        crate::property::check((items, 1usize..9), |(items, threads)| {
            let want = items.iter().filter(|&&n| below_3_mod_7(n)).count();
            let got = with_known(Known::Below3Mod7, || count(&items, threads, &below_3_mod_7));
            expect(&format!("{name}({items:?}, {threads}, &|n| n % 7 < 3)"), &got, &want)
        });
    }
}

// ---- Task 5 -----------------------------------------------------------------------------------

/// A small file by hand: records to skip (with numbers where coordinates would be), three atoms.
const HAND_MADE: &str = "\
HEADER    TEST FILE                                         01-JAN-26   1TST
REMARK   2 RESOLUTION.    1.80 ANGSTROMS.
ATOM      1  N   ALA A   1      10.000  -2.000   3.500  1.00 10.00           N
ANISOU    1  N   ALA A   1     2406   1892   1614    198    424    -41       N
TER       2      ALA A   1
HETATM    3  O   HOH W   1      -4.000   4.000  -0.500  1.00 20.00           O
ATOM      4  CA  GLY B   2       0.250   1.000   0.000  1.00 15.00           C
END
";

/// Task 5: the centre of the atoms' coordinates, records other than `ATOM`/`HETATM` skipped,
/// on hand-made and random files of any size.
pub fn task_05_centre(centre: fn(&str) -> [f64; 3]) {
    let call = "centre(a hand-made file: 3 atoms, REMARK, ANISOU and TER records between them)";
    let got = called(call, || centre(HAND_MADE));
    require(check_centre(HAND_MADE, got).map_err(|m| format!("{call}: {m}")));
    let last = HAND_MADE.trim_end().trim_end_matches("END").trim_end();
    let call = "centre(the same file without its END record and last newline)";
    require(check_centre(last, called(call, || centre(last))).map_err(|m| format!("{call}: {m}")));
    let call = "centre(\"REMARK   1 NO ATOMS\\nEND\\n\")  # the centre of nothing is NaN";
    let empty = "REMARK   1 NO ATOMS\nEND\n";
    require(check_centre(empty, called(call, || centre(empty))).map_err(|m| format!("{call}: {m}")));
    let big = pdb_text(2026, 40_000);
    let call = "centre(a generated file of 40 000 atoms)";
    require(check_centre(&big, called(call, || centre(&big))).map_err(|m| format!("{call}: {m}")));
    crate::property::check((any::<u64>(), 0usize..400, any::<bool>()), |(seed, atoms, cut)| {
        let mut text = pdb_text(seed, atoms);
        if cut {
            text.pop(); // no newline after the last record
        }
        let name = if cut { ", without its last newline" } else { "" };
        check_centre(&text, centre(&text)).map_err(|m| format!("centre(pdb_text({seed}, {atoms}){name}): {m}"))
    });
}

/// Expands to exercise 09's tests, one per task, for the crate `$k`.
#[macro_export]
macro_rules! threads_tests {
    ($k:ident) => {
        use $crate::threads::checks as tasks;
        #[test]
        fn task_01_scoped_threads() {
            tasks::task_01_scoped_threads($k::chunks_on_threads);
        }
        #[test]
        fn task_02_pool() {
            tasks::task_02_pool($k::pool_map);
        }
        #[test]
        fn task_03_queue() {
            tasks::task_03_queue($k::queue_map);
        }
        #[test]
        fn task_04_shared_state() {
            tasks::task_04_shared_state($k::count_mutex, $k::count_atomic, $k::count_messages);
        }
        #[test]
        fn task_05_centre() {
            tasks::task_05_centre($k::centre);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::panic_message;

    fn one_after_another(values: &[f64], parts: usize, work: &(dyn Fn(&[f64]) -> f64 + Sync)) -> Vec<f64> {
        let size = values.len().div_ceil(parts).max(1);
        thread::scope(|s| values.chunks(size).map(|c| s.spawn(move || work(c)).join().unwrap()).collect())
    }

    fn in_arrival_order(items: &[u64], workers: usize, work: &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64> {
        let (tx, rx) = std::sync::mpsc::channel();
        thread::scope(|s| {
            for part in items.chunks(items.len().div_ceil(workers).max(1)) {
                let tx = tx.clone();
                s.spawn(move || part.iter().for_each(|&n| tx.send(work(n)).unwrap()));
            }
        });
        drop(tx);
        rx.iter().collect()
    }

    /// The classic mistake: the `MutexGuard` in a `while let` scrutinee lives for the body.
    fn lock_held_while_working(items: &[u64], workers: usize, work: &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64> {
        let (item_tx, item_rx) = std::sync::mpsc::channel();
        let (result_tx, result_rx) = std::sync::mpsc::channel();
        let item_rx = Mutex::new(item_rx);
        let mut results = vec![0; items.len()];
        thread::scope(|s| {
            s.spawn(move || items.iter().copied().enumerate().for_each(|pair| item_tx.send(pair).unwrap()));
            for _ in 0..workers {
                let (item_rx, result_tx) = (&item_rx, result_tx.clone());
                s.spawn(move || {
                    while let Ok((k, n)) = item_rx.lock().unwrap().recv() {
                        result_tx.send((k, work(n))).unwrap();
                    }
                });
            }
            drop(result_tx);
            result_rx.iter().for_each(|(k, r)| results[k] = r);
        });
        results
    }

    fn on_the_caller(items: &[u64], _: usize, test: &(dyn Fn(u64) -> bool + Sync)) -> usize {
        items.iter().filter(|&&n| test(n)).count()
    }

    #[test]
    fn threads_joined_one_by_one_are_caught() {
        let message = panic_message(|| task_01_scoped_threads(one_after_another));
        assert!(message.contains("the 4 chunks did not run at the same time (at most 1 thread(s)"), "{message}");
        assert!(message.contains("Spawn every thread first"), "{message}");
    }

    #[test]
    fn results_in_arrival_order_are_caught_and_explained() {
        let message = panic_message(|| task_03_queue(in_arrival_order));
        assert!(message.contains("every result is there, in the order the consumers finished"), "{message}");
    }

    #[test]
    fn a_lock_held_for_the_whole_loop_body_is_caught() {
        let message = panic_message(|| task_03_queue(lock_held_while_working));
        assert!(message.contains("the 3 consumers did not run at the same time (at most 1 thread(s)"), "{message}");
        assert!(message.contains("holds the lock for the whole loop body"), "{message}");
    }

    #[test]
    fn a_count_on_the_callers_thread_is_caught() {
        let message = panic_message(|| task_04_shared_state(on_the_caller, on_the_caller, on_the_caller));
        assert!(message.contains("count_mutex(&[0, 1, …, 999], 4"), "{message}");
        assert!(message.contains("the 4 threads did not run at the same time"), "{message}");
    }

    #[test]
    fn a_parser_that_reads_every_line_is_caught() {
        fn every_line(pdb: &str) -> [f64; 3] {
            let mut sum = [0.0; 3];
            let mut n = 0.0;
            for line in pdb.lines().filter(|l| l.len() >= 54) {
                for (axis, s) in sum.iter_mut().enumerate() {
                    *s += line[30 + 8 * axis..38 + 8 * axis].trim().parse::<f64>().unwrap_or(0.0);
                }
                n += 1.0;
            }
            sum.map(|s| s / n)
        }
        let message = panic_message(|| task_05_centre(every_line));
        assert!(message.contains("centre(a hand-made file") && message.contains("  x: expected 2.0833"), "{message}");
    }
}
