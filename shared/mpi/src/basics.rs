//! Exercise 10, MPI basics (the mpi4py lesson in rsmpi), on the MPI side: the learner's
//! functions served by name on every rank ([`mpi_basics_functions!`](crate::mpi_basics_functions)),
//! for the test binaries ([`Local`], through [`mpi_basics_tests!`](crate::mpi_basics_tests)) and
//! for the grader's worker ([`grade_main`]). The checks themselves, written without MPI so the
//! judge can run them where learner code cannot reach, are `harness::mpi_basics::checks`.

use harness::mpi_basics::{Rank, Ranks};
use harness::remote::Function;
use mpi::datatype::PartitionMut;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use harness::mpi_basics::{EXERCISE, checks};

/// How long one call of a learner function may run in the tests before the job is stopped: a
/// call the course makes takes well under a second, even in a debug build on four ranks, so
/// one still running after this is waiting for a partner that never comes. The test that
/// waited is then named within seconds, not after the runner's limit for the whole job.
pub const CALL_LIMIT: Duration = Duration::from_secs(5);

/// The call this rank is in, watched by [`watchdog`].
struct Watched {
    call: String,
    test: String,
    rank: Rank,
    size: Rank,
    since: Instant,
}

static WATCHED: Mutex<Option<Watched>> = Mutex::new(None);

/// Watches `call` on this rank until the guard is dropped (see [`CALL_LIMIT`]).
fn watch(call: &str, rank: Rank, size: Rank) -> impl Drop {
    static WATCHDOG: OnceLock<()> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        std::thread::spawn(watchdog);
    });
    // libtest runs each test on a thread named after it.
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let watched = Watched { call: call.to_string(), test, rank, size, since: Instant::now() };
    *WATCHED.lock().unwrap_or_else(|e| e.into_inner()) = Some(watched);
    struct Guard;
    impl Drop for Guard {
        fn drop(&mut self) {
            *WATCHED.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
    Guard
}

/// Why a call of the learner function `call` most likely never returned, in one sentence.
fn likely_causes(call: &str) -> &'static str {
    const COLLECTIVES: [&str; 6] = ["broadcast", "scatter", "gather", "sum", "split_sum", "collect"];
    if COLLECTIVES.contains(&call) {
        "it waits in a collective call (a deadlock?). A collective returns only once every rank of the \
         communicator has made the same call with the same root and matching sizes: a rank that skips it, names \
         another root, or passes a count only it knew (a size that only the root has must be broadcast first) \
         keeps the others waiting"
    } else if call.contains("halo") || call.starts_with("evolve") {
        "it waits for a message that never comes (a deadlock?). If every rank sends both its edge rows before \
         receiving, rows longer than the eager limit (about 4 kB) wait for a receive nobody has posted: pair \
         each send with its receive (`send_receive_into`), or post the receives first"
    } else {
        "it waits for a message that never comes (a deadlock?): a send no rank receives, a receive nobody sends \
         to, or two partners that both send first a message too large to be sent before it is received"
    }
}

/// Ends the job when a watched call has run past [`CALL_LIMIT`], saying on standard error
/// which rank, test and call (the runner reads the line as it reads a panic's).
fn watchdog() {
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let guard = WATCHED.lock().unwrap_or_else(|e| e.into_inner());
        let Some(w) = guard.as_ref().filter(|w| w.since.elapsed() > CALL_LIMIT) else { continue };
        // Straight to standard error: `eprintln!` would go to the test's capture, which this
        // thread inherited from the test that started it, and which is never printed.
        let _ = writeln!(
            std::io::stderr().lock(),
            "rank {} of {} stopped the job in {}:\n`{}` had not returned after {} s: {}",
            w.rank,
            w.size,
            w.test,
            w.call,
            CALL_LIMIT.as_secs(),
            likely_causes(&w.call)
        );
        // Not MPI_Abort: this thread is not the one MPI was started on, and the rank's own
        // thread is inside an MPI call, so MPI may not answer. A rank that exits without
        // finalising makes `mpirun` end the whole job.
        // SAFETY: _exit ends the process at once, running nothing of it.
        unsafe { libc::_exit(102) };
    }
}

/// The job as a check sees it from inside a test binary under `mpirun`: every rank runs the
/// check; a call runs the learner function on each rank, and every rank gets every rank's
/// result, so all reach the same verdict; rank 0 reports a failure (the course's panic hook
/// then ends the job) while the others wait for that end.
pub struct Local {
    world: SimpleCommunicator,
    functions: Vec<Function<'static>>,
}

impl Local {
    /// The ranks of this job, calling `functions` (`mpi_basics_functions!`).
    pub fn new(functions: Vec<Function<'static>>) -> Local {
        Local { world: crate::world(), functions }
    }
}

impl Ranks for Local {
    fn size(&self) -> Rank {
        self.world.size()
    }

    fn seed(&self) -> u64 {
        crate::shared_seed(&self.world)
    }

    fn call_bytes(&self, name: &str, args: &[u8]) -> Vec<Vec<u8>> {
        let (_, f) = self.functions.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no function '{name}'"));
        let _watched = watch(name, self.world.rank(), self.world.size());
        let mine = f(args).unwrap_or_else(|e| panic!("{e}"));
        all_gather(&self.world, &mine)
    }

    fn fail(&self, message: String) -> ! {
        if self.world.rank() == 0 {
            panic!("{message}");
        }
        // Rank 0 never arrives: its panic ends the job while this rank waits here.
        self.world.barrier();
        unreachable!("rank 0 reported a wrong result and ended the job");
    }
}

/// Every rank's `mine`, on every rank, in rank order.
pub fn all_gather(world: &SimpleCommunicator, mine: &[u8]) -> Vec<Vec<u8>> {
    // One byte more than the value: the pointer of an empty buffer is 1, which Open MPI takes
    // for its `MPI_IN_PLACE`.
    let mut sent = Vec::with_capacity(mine.len() + 1);
    sent.push(1u8);
    sent.extend_from_slice(mine);
    let mut counts = vec![0i32; world.size() as usize];
    world.all_gather_into(&(sent.len() as i32), &mut counts[..]);
    let displs: Vec<i32> = counts.iter().scan(0, |at, &n| Some(std::mem::replace(at, *at + n))).collect();
    let mut all = vec![0u8; counts.iter().sum::<i32>() as usize];
    {
        let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
        world.all_gather_varcount_into(&sent[..], &mut partition);
    }
    counts.iter().zip(&displs).map(|(&n, &at)| all[at as usize + 1..(at + n) as usize].to_vec()).collect()
}

/// `main` of the exercise's `tests/grade.rs`, run by the judge under `mpirun`: serves
/// `functions` on every rank to the task checks the judge runs in the reference worker.
pub fn grade_main(functions: Vec<Function<'static>>) -> std::process::ExitCode {
    crate::serve_candidate(EXERCISE, Vec::new(), functions)
}

/// The learner's functions of the crate `$k`, each served on every rank under its name, taking
/// what a check sends and making this rank's input of it (see `harness::mpi_basics::checks`).
#[macro_export]
macro_rules! mpi_basics_functions {
    ($k:ident) => {{
        use $crate::harness::mpi_basics::rank_data;
        use $crate::harness::remote::function;
        use $crate::mpi::traits::Communicator;
        let world = $crate::world;
        vec![
            function("hello", move |(): ()| $k::hello(&world())),
            function("exchange", move |(seed, len): (u64, usize)| {
                $k::exchange(&world(), &rank_data(seed, world().rank(), len))
            }),
            function("exchange_send_receive", move |(seed, len): (u64, usize)| {
                $k::exchange_send_receive(&world(), &rank_data(seed, world().rank(), len))
            }),
            function("chain", move |(seed, len): (u64, usize)| {
                $k::chain(&world(), &rank_data(seed, world().rank(), len))
            }),
            function("chain_send_receive", move |(seed, len): (u64, usize)| {
                $k::chain_send_receive(&world(), &rank_data(seed, world().rank(), len))
            }),
            function("chain_immediate", move |(seed, len): (u64, usize)| {
                $k::chain_immediate(&world(), &rank_data(seed, world().rank(), len))
            }),
            function("broadcast", move |(seed, len): (u64, usize)| {
                let mut data = if world().rank() == 0 { rank_data(seed, 0, len) } else { vec![0.0; len] };
                $k::broadcast(&world(), &mut data);
                data
            }),
            function("scatter", move |(seed, chunk): (u64, usize)| {
                let all = rank_data(seed, 0, chunk * world().size() as usize);
                let input: &[f64] = if world().rank() == 0 { &all } else { &[] };
                $k::scatter(&world(), input)
            }),
            function("gather", move |(seed, n): (u64, usize)| {
                $k::gather(&world(), &rank_data(seed, world().rank(), n))
            }),
            function("sum", move |(seed, n): (u64, usize)| $k::sum(&world(), &rank_data(seed, world().rank(), n))),
            function("split_sum", move |seed: u64| $k::split_sum(&world(), rank_data(seed, world().rank(), 1)[0])),
            function("collect", move |(seed, root): (u64, i32)| {
                let rank = world().rank();
                $k::collect(
                    &world(),
                    root,
                    $crate::harness::mpi_basics::rank_tag(seed, rank),
                    rank_data(seed, rank, 1)[0],
                )
            }),
        ]
    }};
}

/// One test per task, each running the course's check on this job's ranks:
/// `harness_mpi::mpi_basics_tests!(mpi_basics);` in the crate's `tests/tasks.rs`.
#[macro_export]
macro_rules! mpi_basics_tests {
    ($k:ident) => {
        use $crate::basics::checks as tasks;

        fn ranks() -> $crate::basics::Local {
            $crate::basics::Local::new($crate::mpi_basics_functions!($k))
        }

        #[test]
        fn task_01_hello() {
            tasks::task_01_hello(&ranks());
        }
        #[test]
        fn task_02_exchange() {
            tasks::task_02_exchange(&ranks());
        }
        #[test]
        fn task_03_send_receive() {
            tasks::task_03_send_receive(&ranks());
        }
        #[test]
        fn task_04_chain() {
            tasks::task_04_chain(&ranks());
        }
        #[test]
        fn task_05_chain_send_receive() {
            tasks::task_05_chain_send_receive(&ranks());
        }
        #[test]
        fn task_06_chain_immediate() {
            tasks::task_06_chain_immediate(&ranks());
        }
        #[test]
        fn task_07_broadcast_scatter() {
            tasks::task_07_broadcast_scatter(&ranks());
        }
        #[test]
        fn task_08_gather_sum() {
            tasks::task_08_gather_sum(&ranks());
        }
        #[test]
        fn task_09_split() {
            tasks::task_09_split(&ranks());
        }
        #[test]
        fn task_10_any_source() {
            tasks::task_10_any_source(&ranks());
        }
    };
}

#[cfg(test)]
mod tests {
    use super::likely_causes;

    #[test]
    fn a_stuck_call_is_explained_by_what_kind_of_call_it_is() {
        assert!(likely_causes("scatter").contains("a size that only the root has must be broadcast first"));
        assert!(likely_causes("collect").contains("names another root"));
        assert!(likely_causes("exchange_halos").contains("eager limit"));
        assert!(likely_causes("evolve_overlap").contains("eager limit"));
        assert!(likely_causes("exchange").contains("both send first"));
    }
}
