//! Exercise 11, the heat equation over MPI ranks: its tests and its grader's worker.
//!
//! The decomposition itself (which rows a rank owns, scatter, halo exchange, gather) is the
//! learner's work; here is only what checks it and grades it, and the [`Block`] the exercise
//! gives (re-exported by the exercise and the solution):
//!
//! - [`mpi_heat_functions!`](crate::mpi_heat_functions) and
//!   [`mpi_heat_tests!`](crate::mpi_heat_tests): the learner's functions served by name on
//!   every rank, and one test per task, shared by the exercise and the solution, run by the
//!   course's runner under `mpirun` with every rank count of `course.toml`. The checks
//!   themselves are `harness::mpi_heat::checks`, written without MPI so the judge runs them too.
//! - [`grade_main`]: the candidate worker (the exercise's `tests/grade.rs`). Rank 0 receives
//!   each graded field from the judge; every rank calls the learner's function together;
//!   rank 0's gathered field is what the judge reads and checks. The trusted side (input,
//!   serial baseline, check) is `harness::mpi_heat`, which needs no MPI.

use harness::heat::{Grid, Params};
use harness::mpi_heat::{EXERCISE, FieldInbox, GRADE_STEPS, read_item};
use harness::worker::{Batch, BatchWriter, StageRunner};
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, Root};
use std::ops::Range;
use std::process::ExitCode;

/// One rank's part of the field: whole rows, with a ghost row above and below.
///
/// ```text
/// data, (owned.len() + 2) × cols values, row-major:
///   local row 0            ghost: a copy of the last row of the rank above (unused on rank 0)
///   local rows 1..=n       the rows `owned` of the whole field, n = owned.len()
///   local row n + 1        ghost: a copy of the first row of the rank below (unused on the last rank)
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The whole field's shape.
    pub rows: usize,
    pub cols: usize,
    /// The rows of the whole field this rank owns: `block_rows(rows, size, rank)`.
    pub owned: Range<usize>,
    /// `(owned.len() + 2) × cols` values: ghost row, owned rows, ghost row.
    pub data: Vec<f64>,
}

impl Block {
    /// A block of zeros owning the rows `owned` of a `rows × cols` field.
    pub fn new(rows: usize, cols: usize, owned: Range<usize>) -> Block {
        let data = vec![0.0; (owned.len() + 2) * cols];
        Block { rows, cols, owned, data }
    }

    /// Local row `k`: 0 is the top ghost row, 1..=n the owned rows, n + 1 the bottom ghost row.
    pub fn row(&self, k: usize) -> &[f64] {
        &self.data[k * self.cols..(k + 1) * self.cols]
    }

    /// The top ghost row, the owned rows and the bottom ghost row, borrowed separately, so
    /// that one can be sent while another is received into.
    pub fn parts_mut(&mut self) -> (&mut [f64], &mut [f64], &mut [f64]) {
        let n = self.owned.len();
        let (top, rest) = self.data.split_at_mut(self.cols);
        let (owned, bottom) = rest.split_at_mut(n * self.cols);
        (top, owned, bottom)
    }

    /// The local rows a time step updates: every owned row but the whole field's first and
    /// last, which are fixed boundary values (a rank may own one of them, or both).
    pub fn updated_rows(&self) -> Range<usize> {
        let first = self.owned.start.max(1);
        let end = self.owned.end.min(self.rows.saturating_sub(1));
        if first >= end {
            return 1..1;
        }
        first - self.owned.start + 1..end - self.owned.start + 1
    }
}

/// What both graded functions look like: every rank calls it with the same `params` and
/// `steps`; rank 0 passes the whole field and gets the evolved field back, the other ranks
/// pass and get `None`.
pub type Evolve = fn(&SimpleCommunicator, Option<&Grid>, &Params, usize) -> Option<Grid>;

/// `main` of the exercise's `tests/grade.rs`, run by the judge under `mpirun`: serves the
/// stages `halo` and `overlap` (see `harness::worker` and [`crate::serve_candidate`]), and
/// `functions` ([`mpi_heat_functions!`](crate::mpi_heat_functions)) to the task checks the
/// judge runs in the reference worker.
pub fn grade_main(halo: Evolve, overlap: Evolve, functions: Vec<harness::remote::Function<'static>>) -> ExitCode {
    crate::serve_candidate(
        EXERCISE,
        vec![("halo", Box::new(MpiRunner::new(halo))), ("overlap", Box::new(MpiRunner::new(overlap)))],
        functions,
    )
}

/// One stage on every rank. The judge writes a graded field straight into rank 0's inbox
/// ([`FieldInbox`]); rank 0 tells the others how many calls a request holds, then every
/// rank makes them together. Rank 0 answers with the vector the learner's function returned.
struct MpiRunner {
    world: SimpleCommunicator,
    evolve: Evolve,
    inbox: FieldInbox,
    params: Params,
}

impl MpiRunner {
    fn new(evolve: Evolve) -> Self {
        MpiRunner { world: crate::world(), evolve, inbox: FieldInbox::default(), params: Params::course() }
    }

    /// Rank 0's number of calls, on every rank (the others were given an empty batch).
    fn calls(&self, count: usize) -> usize {
        let mut count = count as u64;
        self.world.process_at_rank(0).broadcast_into(&mut count);
        count as usize
    }

    /// One graded call on every rank: the field from the inbox on rank 0, none elsewhere.
    fn call(&mut self, out: &mut BatchWriter) {
        let root = self.world.rank() == 0;
        let field = root.then_some(&self.inbox.grid);
        let got = (self.evolve)(&self.world, field, &self.params, GRADE_STEPS);
        if root {
            // Read where it lies: no copy of the result inside the timed call. A `None` on
            // rank 0 becomes an empty field, which the check reports as the wrong shape.
            out.keep(got.map(|g| g.data).unwrap_or_default());
        }
    }
}

impl StageRunner for MpiRunner {
    fn inbox(&mut self, count: usize, bytes: usize) -> Option<(&mut [u64], &mut [u8])> {
        self.inbox.slot(count, bytes)
    }

    fn run_loaded(&mut self, out: &mut BatchWriter) {
        self.calls(1);
        self.call(out);
    }

    fn run(&mut self, input: &Batch<'_>, out: &mut BatchWriter) {
        let count = self.calls(input.len());
        for k in 0..count {
            if let Some(item) = input.item_checked(k) {
                // A malformed item leaves the last field in place; the check then fails it.
                let _ = read_item(item, &mut self.inbox.grid);
            }
            self.call(out);
        }
    }
}

/// The learner's functions of the crate `$k`, each served on every rank under its name, taking
/// what a check sends and making this rank's input of it (see `harness::mpi_heat::checks`).
/// The crate's `Block` is read and built field by field (`rows`, `cols`, `owned`, `data`).
#[macro_export]
macro_rules! mpi_heat_functions {
    ($k:ident) => {{
        use $crate::harness::heat::{Grid, Params};
        use $crate::harness::mpi_heat::checks::{Parts, Start, expected_rows, parts_of, random_field};
        use $crate::harness::remote::function;
        use $crate::mpi::traits::Communicator;
        fn parts(b: $k::Block) -> Parts {
            Parts { rows: b.rows, cols: b.cols, owned: b.owned, data: b.data }
        }
        /// This rank's block of the random field of `(seed, rows, cols)`, ghost rows NaN.
        fn my_block(seed: u64, rows: usize, cols: usize) -> $k::Block {
            let world = $crate::world();
            let (rank, size) = (world.rank() as usize, world.size() as usize);
            let p = parts_of(&random_field(seed, rows, cols), expected_rows(rows, size, rank));
            $k::Block { rows: p.rows, cols: p.cols, owned: p.owned, data: p.data }
        }
        fn field(g: Grid) -> (usize, usize, Vec<f64>) {
            (g.rows, g.cols, g.data)
        }
        /// Rank 0's field to evolve, none elsewhere.
        fn start(start: Start) -> Option<Grid> {
            ($crate::world().rank() == 0).then(|| start.field())
        }
        let world = $crate::world;
        vec![
            function("block_rows", |asked: Vec<(usize, usize, usize)>| {
                asked.iter().map(|&(rows, size, rank)| $k::block_rows(rows, size, rank)).collect::<Vec<_>>()
            }),
            function("scatter", move |(seed, rows, cols): (u64, usize, usize)| {
                let field = random_field(seed, rows, cols);
                parts($k::scatter(&world(), (world().rank() == 0).then_some(&field)))
            }),
            function("exchange_halos", move |(seed, rows, cols): (u64, usize, usize)| {
                let mut block = my_block(seed, rows, cols);
                $k::exchange_halos(&world(), &mut block);
                parts(block)
            }),
            function("gather", move |(seed, rows, cols): (u64, usize, usize)| {
                $k::gather(&world(), &my_block(seed, rows, cols)).map(field)
            }),
            function("evolve_halo", move |(from, steps): (Start, usize)| {
                $k::evolve_halo(&world(), start(from).as_ref(), &Params::course(), steps).map(field)
            }),
            function("evolve_overlap", move |(from, steps): (Start, usize)| {
                $k::evolve_overlap(&world(), start(from).as_ref(), &Params::course(), steps).map(field)
            }),
        ]
    }};
}

/// Expands to one test per task for an exercise-11 crate: `harness_mpi::mpi_heat_tests!(mpi_heat);`.
/// Each runs the course's check (`harness::mpi_heat::checks`) on this job's ranks.
#[macro_export]
macro_rules! mpi_heat_tests {
    ($k:ident) => {
        use $crate::harness::mpi_heat::checks;

        fn ranks() -> $crate::basics::Local {
            $crate::basics::Local::new($crate::mpi_heat_functions!($k))
        }

        #[test]
        fn task_01_block_rows() {
            checks::task_01_block_rows(&ranks());
        }

        #[test]
        fn task_02_scatter() {
            checks::task_02_scatter(&ranks());
        }

        #[test]
        fn task_03_exchange_halos() {
            checks::task_03_exchange_halos(&ranks());
        }

        #[test]
        fn task_04_evolve_halo() {
            checks::task_04_evolve_halo(&ranks());
        }

        #[test]
        fn task_05_evolve_overlap() {
            checks::task_05_evolve_overlap(&ranks());
        }
    };
}
