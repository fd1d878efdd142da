//! Exercise 11, the heat equation over MPI ranks: its tests and its grader's worker.
//!
//! The decomposition itself (which rows a rank owns, scatter, halo exchange, gather) is the
//! learner's work; here is only what checks it and grades it, and the [`Block`] the exercise
//! gives (re-exported by the exercise and the solution):
//!
//! - [`checks`] and [`mpi_heat_tests!`](crate::mpi_heat_tests): one test per task, shared by
//!   the exercise and the solution, run by the course's runner under `mpirun` with every rank
//!   count of `course.toml`. Every rank runs the same test; random fields come from a seed
//!   rank 0 draws and broadcasts, so every rank can build the expected values itself.
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
/// stages `halo` and `overlap` (see `harness::worker` and [`crate::serve_candidate`]).
pub fn grade_main(halo: Evolve, overlap: Evolve) -> ExitCode {
    crate::serve_candidate(
        EXERCISE,
        vec![("halo", Box::new(MpiRunner::new(halo))), ("overlap", Box::new(MpiRunner::new(overlap)))],
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

/// The checks of the tasks, one function per task, taking the learner's functions.
pub mod checks {
    use super::Evolve;
    use crate::shared_seed;
    use harness::diff::{self, Tolerance};
    use harness::heat::{Grid, Params, SHIPPED_INPUT, parse_grid};
    use harness::mpi_heat::check_output;
    use mpi::topology::SimpleCommunicator;
    use mpi::traits::Communicator;
    use std::ops::Range;

    /// A rank's block as the tests see it (the learner's `Block`, field by field): the whole
    /// field's shape, the rows this rank owns, and `(owned.len() + 2) × cols` values with a
    /// ghost row above and below.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Parts {
        pub rows: usize,
        pub cols: usize,
        pub owned: Range<usize>,
        pub data: Vec<f64>,
    }

    /// The rows rank `rank` of `size` owns: `rows / size` each, one more for the first
    /// `rows % size` ranks.
    pub fn expected_rows(rows: usize, size: usize, rank: usize) -> Range<usize> {
        let (base, extra) = (rows / size, rows % size);
        let start = rank * base + rank.min(extra);
        start..start + base + usize::from(rank < extra)
    }

    /// This rank and the number of ranks, as `usize`.
    fn place(world: &SimpleCommunicator) -> (usize, usize) {
        (world.rank() as usize, world.size() as usize)
    }

    /// A random `rows × cols` field of values in [-100, 100) from `seed`.
    pub fn random_field(seed: u64, rows: usize, cols: usize) -> Grid {
        let mut next = harness::worker::uniform(seed);
        Grid::new(rows, cols, (0..rows * cols).map(|_| 200.0 * next() - 100.0).collect())
    }

    /// The shapes every task is tried on with `size` ranks: as few rows as ranks, rows that
    /// do not divide evenly, one and two columns (nothing to update), then random ones; each
    /// with a number of steps and a seed for its field.
    pub fn cases(seed: u64, size: usize) -> Vec<(usize, usize, usize, u64)> {
        let mut fixed = vec![
            (size, 5, 3),
            (size + 1, 3, 2),
            (2 * size + 1, 7, 4),
            (size, 1, 2),
            (size + 2, 2, 1),
            (3 * size + 2, 17, 5),
            (4 * size + 3, 9, 0),
        ];
        let mut next = harness::worker::uniform(seed);
        let mut draw = |lo: usize, hi: usize| lo + ((hi - lo) as f64 * next()) as usize;
        for _ in 0..8 {
            fixed.push((draw(size, size + 40), draw(1, 40), draw(0, 8)));
        }
        fixed.into_iter().enumerate().map(|(k, (r, c, s))| (r, c, s, seed.wrapping_add(k as u64 + 1))).collect()
    }

    fn describe(size: usize, rows: usize, cols: usize, seed: u64) -> String {
        format!(
            "on {size} rank{} with a {rows}×{cols} field (random values, COURSE_SEED={seed} replays it)",
            if size == 1 { "" } else { "s" }
        )
    }

    /// The rows of `field` a rank owning `owned` holds, as [`Parts`] with NaN ghost rows (a
    /// ghost row not filled stays NaN and spreads into everything it touches).
    pub fn parts_of(field: &Grid, owned: Range<usize>) -> Parts {
        let cols = field.cols;
        let mut data = vec![f64::NAN; (owned.len() + 2) * cols];
        data[cols..(owned.len() + 1) * cols].copy_from_slice(&field.data[owned.start * cols..owned.end * cols]);
        Parts { rows: field.rows, cols, owned, data }
    }

    /// Values equal, NaN equal to NaN (the ghost rows the tests leave unfilled).
    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    }

    /// Task 1: `block_rows(rows, size, rank)`.
    pub fn task_01_block_rows(block_rows: impl Fn(usize, usize, usize) -> Range<usize>) {
        // Started like every other test, so that a panic names its rank and ends the job.
        crate::world();
        assert_eq!(block_rows(10, 4, 0), 0..3, "block_rows(10, 4, 0): 10 rows on 4 ranks are 3 + 3 + 2 + 2");
        for size in 1..=9 {
            for rows in 0..50 {
                for rank in 0..size {
                    let (got, want) = (block_rows(rows, size, rank), expected_rows(rows, size, rank));
                    assert!(
                        got == want,
                        "block_rows({rows}, {size}, {rank}) = {got:?}, expected {want:?}: {rows} rows on {size} \
                         ranks are {} each, and the first {} rank{} one more ({rows} = {size} × {} + {})",
                        rows / size,
                        rows % size,
                        if rows % size == 1 { " gets" } else { "s get" },
                        rows / size,
                        rows % size,
                    );
                }
            }
        }
    }

    /// Task 2: `scatter(world, field)`, the field given on rank 0 only.
    pub fn task_02_scatter(scatter: impl Fn(&SimpleCommunicator, Option<&Grid>) -> Parts) {
        let world = crate::world();
        let (rank, size) = place(&world);
        for (rows, cols, _, seed) in cases(shared_seed(&world), size) {
            let field = random_field(seed, rows, cols);
            let got = scatter(&world, (rank == 0).then_some(&field));
            let case = describe(size, rows, cols, seed);
            let want = expected_rows(rows, size, rank);
            assert_eq!(
                (got.rows, got.cols),
                (rows, cols),
                "scatter {case}: rank {rank}'s block says the field is {}×{}",
                got.rows,
                got.cols
            );
            assert_eq!(got.owned, want, "scatter {case}: rank {rank} should own rows {want:?}");
            assert_eq!(
                got.data.len(),
                (want.len() + 2) * cols,
                "scatter {case}: rank {rank}'s block should hold {} rows of {cols} (its {} rows and two ghost rows)",
                want.len() + 2,
                want.len()
            );
            for (k, i) in want.clone().enumerate() {
                let row = &got.data[(k + 1) * cols..(k + 2) * cols];
                assert!(
                    row == field.row(i),
                    "scatter {case}: rank {rank}'s row {} (local row {}) should be row {i} of the field: expected \
                     {:?}, got {row:?}",
                    i,
                    k + 1,
                    field.row(i)
                );
            }
        }
    }

    /// Task 3: `exchange_halos(world, block)` fills each ghost row with the neighbour's edge
    /// row, twice in a row (a second exchange must not pick up the first one's messages).
    pub fn task_03_exchange_halos(exchange: impl Fn(&SimpleCommunicator, Parts) -> Parts) {
        let world = crate::world();
        let (rank, size) = place(&world);
        for (rows, cols, _, seed) in cases(shared_seed(&world), size) {
            for round in 0..2 {
                let field = random_field(seed.wrapping_add(round), rows, cols);
                let owned = expected_rows(rows, size, rank);
                let before = parts_of(&field, owned.clone());
                let got = exchange(&world, before.clone());
                let case =
                    format!("exchange {} {}", ["once", "twice"][round as usize], describe(size, rows, cols, seed));
                assert!(
                    got.owned == owned && got.data.len() == before.data.len(),
                    "{case}: rank {rank}'s block changed shape (owned rows {:?}, {} values; expected {owned:?}, {})",
                    got.owned,
                    got.data.len(),
                    before.data.len()
                );
                let n = owned.len();
                let row = |k: usize| &got.data[k * cols..(k + 1) * cols];
                assert!(
                    same(&got.data[cols..(n + 1) * cols], &before.data[cols..(n + 1) * cols]),
                    "{case}: rank {rank}'s own rows changed; only the ghost rows should"
                );
                if owned.start > 0 {
                    let want = field.row(owned.start - 1);
                    assert!(
                        row(0) == want,
                        "{case}: rank {rank}'s top ghost row should be row {} of the field (rank {}'s last row): \
                         expected {want:?}, got {:?}",
                        owned.start - 1,
                        rank - 1,
                        row(0)
                    );
                }
                if owned.end < rows {
                    let want = field.row(owned.end);
                    assert!(
                        row(n + 1) == want,
                        "{case}: rank {rank}'s bottom ghost row should be row {} of the field (rank {}'s first row): \
                         expected {want:?}, got {:?}",
                        owned.end,
                        rank + 1,
                        row(n + 1)
                    );
                }
            }
        }
    }

    /// Task 4: `gather(world, block)` puts the field back together on rank 0, then
    /// `evolve_halo` gives the serial answer on every shape and on the course's input.
    pub fn task_04_evolve_halo(gather: impl Fn(&SimpleCommunicator, Parts) -> Option<Grid>, evolve_halo: Evolve) {
        let world = crate::world();
        let (rank, size) = place(&world);
        let seed = shared_seed(&world);
        for (rows, cols, _, seed) in cases(seed, size) {
            let field = random_field(seed, rows, cols);
            let got = gather(&world, parts_of(&field, expected_rows(rows, size, rank)));
            let case = format!("gather {}", describe(size, rows, cols, seed));
            match (rank, got) {
                (0, Some(got)) => {
                    if let Err(e) =
                        diff::compare(&field.data, &got.data, &field.shape(), &got.shape(), Tolerance::EXACT)
                    {
                        panic!("{case}: rank 0 should get the whole field back, as it was scattered.\n{e}");
                    }
                }
                (0, None) => panic!("{case}: rank 0 got None; it should get the whole field"),
                (_, None) => {}
                (_, Some(_)) => panic!("{case}: rank {rank} got a field; only rank 0 should (the others return None)"),
            }
        }
        evolves_like_the_reference(&world, "evolve_halo", evolve_halo, seed);
    }

    /// Task 5: `evolve_overlap` gives the serial answer on every shape and on the course's input.
    pub fn task_05_evolve_overlap(evolve_overlap: Evolve) {
        let world = crate::world();
        let seed = shared_seed(&world);
        evolves_like_the_reference(&world, "evolve_overlap", evolve_overlap, seed);
    }

    /// `evolve` on the course's input (read by rank 0 only) and on every case, each result
    /// checked on rank 0 against the serial reference.
    fn evolves_like_the_reference(world: &SimpleCommunicator, name: &str, evolve: Evolve, seed: u64) {
        let (rank, size) = place(world);
        let p = Params::course();
        let shipped = (rank == 0).then(|| {
            let text = std::fs::read_to_string(SHIPPED_INPUT).unwrap_or_else(|e| panic!("{SHIPPED_INPUT}: {e}"));
            parse_grid(&text).unwrap_or_else(|e| panic!("{SHIPPED_INPUT}: {e}"))
        });
        let plural = if size == 1 { "" } else { "s" };
        let mut runs =
            vec![(shipped, 100, format!("on {size} rank{plural} with the course's bottle ({SHIPPED_INPUT})"))];
        for (rows, cols, steps, seed) in cases(seed, size) {
            let field = random_field(seed, rows, cols);
            runs.push(((rank == 0).then_some(field), steps, describe(size, rows, cols, seed)));
        }
        for (field, steps, case) in runs {
            let got = evolve(world, field.as_ref(), &p, steps);
            let s = if steps == 1 { "" } else { "s" };
            match (field, got) {
                (Some(field), Some(got)) => {
                    assert!(
                        got.shape() == field.shape(),
                        "{name} {case}: rank 0's field is {}×{}, expected {}×{}",
                        got.rows,
                        got.cols,
                        field.rows,
                        field.cols
                    );
                    if let Err(e) = check_output(&field, steps, &got.data) {
                        panic!("{name} {case}, {steps} step{s}: rank 0's field differs from the serial answer.\n{e}");
                    }
                }
                (Some(_), None) => panic!("{name} {case}: rank 0 got None; it should get the evolved field"),
                (None, Some(_)) => {
                    panic!("{name} {case}: rank {rank} got a field; only rank 0 should (the others return None)")
                }
                (None, None) => {}
            }
        }
    }
}

/// Expands to one test per task for an exercise-11 crate: `harness_mpi::mpi_heat_tests!(mpi_heat);`.
/// The crate's `Block` is read and built field by field (`rows`, `cols`, `owned`, `data`).
#[macro_export]
macro_rules! mpi_heat_tests {
    ($k:ident) => {
        use $crate::heat::checks::{self, Parts};
        use $crate::mpi::topology::SimpleCommunicator;

        fn parts(b: $k::Block) -> Parts {
            Parts { rows: b.rows, cols: b.cols, owned: b.owned, data: b.data }
        }

        fn block(p: Parts) -> $k::Block {
            $k::Block { rows: p.rows, cols: p.cols, owned: p.owned, data: p.data }
        }

        #[test]
        fn task_01_block_rows() {
            checks::task_01_block_rows($k::block_rows);
        }

        #[test]
        fn task_02_scatter() {
            checks::task_02_scatter(|world, field| parts($k::scatter(world, field)));
        }

        #[test]
        fn task_03_exchange_halos() {
            checks::task_03_exchange_halos(|world: &SimpleCommunicator, p| {
                let mut b = block(p);
                $k::exchange_halos(world, &mut b);
                parts(b)
            });
        }

        #[test]
        fn task_04_evolve_halo() {
            checks::task_04_evolve_halo(|world, p| $k::gather(world, &block(p)), $k::evolve_halo);
        }

        #[test]
        fn task_05_evolve_overlap() {
            checks::task_05_evolve_overlap($k::evolve_overlap);
        }
    };
}
