//! The checks of exercise 11's tasks, one function per task, seeing every rank's result at once
//! ([`Ranks`], as exercise 10's): the same check runs in the test binaries under `mpirun` and,
//! for the verdict, in the reference worker. The learner's functions are reached by the names
//! the grading worker and the test binaries serve them under (`harness_mpi::mpi_heat_functions!`);
//! each rank makes its own input of what a check sends (a seed and a shape: [`random_field`],
//! [`parts_of`]), as the serving code says.

use super::check_output;
use crate::diff::{self, Tolerance};
use crate::heat::{Grid, SHIPPED_INPUT, parse_grid};
use crate::ranks::{Ranks, call, require};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A rank's block as the checks see it (the learner's `Block`, field by field): the whole
/// field's shape, the rows this rank owns, and `(owned.len() + 2) × cols` values with a ghost
/// row above and below.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parts {
    pub rows: usize,
    pub cols: usize,
    pub owned: Range<usize>,
    pub data: Vec<f64>,
}

/// A field as it travels: `(rows, cols, data)`.
pub type Field = (usize, usize, Vec<f64>);

/// The field a call of an `evolve` function starts from on rank 0: a random one, or the
/// course's bottle (`SHIPPED_INPUT`), which rank 0 reads itself.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Start {
    Random { seed: u64, rows: usize, cols: usize },
    Shipped,
}

impl Start {
    /// The field.
    pub fn field(self) -> Grid {
        match self {
            Start::Random { seed, rows, cols } => random_field(seed, rows, cols),
            Start::Shipped => {
                let text = std::fs::read_to_string(SHIPPED_INPUT).unwrap_or_else(|e| panic!("{SHIPPED_INPUT}: {e}"));
                parse_grid(&text).unwrap_or_else(|e| panic!("{SHIPPED_INPUT}: {e}"))
            }
        }
    }
}

/// The rows rank `rank` of `size` owns: `rows / size` each, one more for the first
/// `rows % size` ranks.
pub fn expected_rows(rows: usize, size: usize, rank: usize) -> Range<usize> {
    let (base, extra) = (rows / size, rows % size);
    let start = rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}

/// A random `rows × cols` field of values in [-100, 100) from `seed`.
pub fn random_field(seed: u64, rows: usize, cols: usize) -> Grid {
    let mut next = crate::worker::uniform(seed);
    Grid::new(rows, cols, (0..rows * cols).map(|_| 200.0 * next() - 100.0).collect())
}

/// Columns of the wide case: a row of 16 KiB, past Open MPI's eager limit on one machine
/// (4 KiB), so an exchange whose sends all wait for receives that come later deadlocks here, in
/// its task, not first in the timed stage.
pub const WIDE_COLUMNS: usize = 2048;

/// The shapes every task is tried on with `size` ranks: as few rows as ranks, rows that do not
/// divide evenly, one and two columns (nothing to update), rows wider than the eager limit,
/// then random ones; each with a number of steps and a seed for its field.
pub fn cases(seed: u64, size: usize) -> Vec<(usize, usize, usize, u64)> {
    let mut fixed = vec![
        (2 * size + 1, WIDE_COLUMNS, 2),
        (size, 5, 3),
        (size + 1, 3, 2),
        (2 * size + 1, 7, 4),
        (size, 1, 2),
        (size + 2, 2, 1),
        (3 * size + 2, 17, 5),
        (4 * size + 3, 9, 0),
    ];
    let mut next = crate::worker::uniform(seed);
    let mut draw = |lo: usize, hi: usize| lo + ((hi - lo) as f64 * next()) as usize;
    for _ in 0..8 {
        fixed.push((draw(size, size + 40), draw(1, 40), draw(0, 8)));
    }
    fixed.into_iter().enumerate().map(|(k, (r, c, s))| (r, c, s, seed.wrapping_add(k as u64 + 1))).collect()
}

/// A row as a message shows it: whole when short, else its first values and its length.
fn shown(row: &[f64]) -> String {
    const SHOWN: usize = 6;
    if row.len() <= SHOWN {
        return format!("{row:?}");
    }
    let head: Vec<String> = row[..SHOWN].iter().map(|v| format!("{v:?}")).collect();
    format!("[{}, … ({} values)]", head.join(", "), row.len())
}

fn describe(size: usize, rows: usize, cols: usize, seed: u64) -> String {
    format!(
        "on {size} rank{} with a {rows}×{cols} field (random values from seed {seed})",
        if size == 1 { "" } else { "s" }
    )
}

/// The rows of `field` a rank owning `owned` holds, as [`Parts`] with NaN ghost rows (a ghost
/// row not filled stays NaN and spreads into everything it touches).
pub fn parts_of(field: &Grid, owned: Range<usize>) -> Parts {
    let cols = field.cols;
    let mut data = vec![f64::NAN; (owned.len() + 2) * cols];
    data[cols..(owned.len() + 1) * cols].copy_from_slice(&field.data[owned.start * cols..owned.end * cols]);
    Parts { rows: field.rows, cols, owned, data }
}

/// Values equal, NaN equal to NaN (the ghost rows the checks leave unfilled).
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

/// Task 1: `block_rows(rows, size, rank)` (`block_rows`: the list of `(rows, size, rank)`
/// asked, answered with a range each).
pub fn task_01_block_rows(ranks: &dyn Ranks) {
    let mut asked = vec![(10, 4, 0)];
    for size in 1..=9 {
        for rows in 0..50 {
            asked.extend((0..size).map(|rank| (rows, size, rank)));
        }
    }
    // Every rank answers the same questions: rank 0's answers are read.
    let answers: Vec<Vec<Range<usize>>> = call(ranks, "block_rows", &asked);
    let got = &answers[0];
    if got.len() != asked.len() {
        ranks.fail(format!("block_rows answered {} of {} questions", got.len(), asked.len()));
    }
    if got[0] != (0..3) {
        ranks.fail(format!("block_rows(10, 4, 0) = {:?}, expected 0..3: 10 rows on 4 ranks are 3 + 3 + 2 + 2", got[0]));
    }
    for (&(rows, size, rank), got) in asked.iter().zip(got) {
        let want = expected_rows(rows, size, rank);
        if *got != want {
            ranks.fail(format!(
                "block_rows({rows}, {size}, {rank}) = {got:?}, expected {want:?}: {rows} rows on {size} ranks are {} \
                 each, and the first {} rank{} one more ({rows} = {size} × {} + {})",
                rows / size,
                rows % size,
                if rows % size == 1 { " gets" } else { "s get" },
                rows / size,
                rows % size,
            ));
        }
    }
}

/// Task 2: `scatter(world, field)`, the field given on rank 0 only (`scatter`: `(seed, rows,
/// cols)`, rank 0's field [`random_field`]).
pub fn task_02_scatter(ranks: &dyn Ranks) {
    let size = ranks.size() as usize;
    for (rows, cols, _, seed) in cases(ranks.seed(), size) {
        let field = random_field(seed, rows, cols);
        let got: Vec<Parts> = call(ranks, "scatter", &(seed, rows, cols));
        let case = describe(size, rows, cols, seed);
        let verdicts = got
            .iter()
            .enumerate()
            .map(|(rank, got)| {
                let want = expected_rows(rows, size, rank);
                if (got.rows, got.cols) != (rows, cols) {
                    return Err(format!(
                        "scatter {case}: rank {rank}'s block says the field is {}×{}",
                        got.rows, got.cols
                    ));
                }
                if got.owned != want {
                    return Err(format!(
                        "scatter {case}: rank {rank} should own rows {want:?}, its block says {:?}",
                        got.owned
                    ));
                }
                if got.data.len() != (want.len() + 2) * cols {
                    return Err(format!(
                        "scatter {case}: rank {rank}'s block should hold {} rows of {cols} (its {} rows and two ghost \
                         rows), not {} values",
                        want.len() + 2,
                        want.len(),
                        got.data.len()
                    ));
                }
                for (k, i) in want.clone().enumerate() {
                    let row = &got.data[(k + 1) * cols..(k + 2) * cols];
                    if row != field.row(i) {
                        return Err(format!(
                            "scatter {case}: rank {rank}'s row {i} (local row {}) should be row {i} of the field: \
                             expected {}, got {}",
                            k + 1,
                            shown(field.row(i)),
                            shown(row)
                        ));
                    }
                }
                Ok(())
            })
            .collect();
        require(ranks, verdicts);
    }
}

/// Task 3: `exchange_halos(world, block)` fills each ghost row with the neighbour's edge row,
/// twice in a row (a second exchange must not pick up the first one's messages)
/// (`exchange_halos`: `(seed, rows, cols)`, each rank's block [`parts_of`] its rows).
pub fn task_03_exchange_halos(ranks: &dyn Ranks) {
    let size = ranks.size() as usize;
    for (rows, cols, _, seed) in cases(ranks.seed(), size) {
        for round in 0..2u64 {
            let field = random_field(seed.wrapping_add(round), rows, cols);
            let got: Vec<Parts> = call(ranks, "exchange_halos", &(seed.wrapping_add(round), rows, cols));
            let case = format!("exchange {} {}", ["once", "twice"][round as usize], describe(size, rows, cols, seed));
            let verdicts = got
                .iter()
                .enumerate()
                .map(|(rank, got)| {
                    let owned = expected_rows(rows, size, rank);
                    let before = parts_of(&field, owned.clone());
                    if got.owned != owned || got.data.len() != before.data.len() {
                        return Err(format!(
                            "{case}: rank {rank}'s block changed shape (owned rows {:?}, {} values; expected \
                             {owned:?}, {})",
                            got.owned,
                            got.data.len(),
                            before.data.len()
                        ));
                    }
                    let n = owned.len();
                    let row = |k: usize| &got.data[k * cols..(k + 1) * cols];
                    if !same(&got.data[cols..(n + 1) * cols], &before.data[cols..(n + 1) * cols]) {
                        return Err(format!("{case}: rank {rank}'s own rows changed; only the ghost rows should"));
                    }
                    if owned.start > 0 && row(0) != field.row(owned.start - 1) {
                        return Err(format!(
                            "{case}: rank {rank}'s top ghost row should be row {} of the field (rank {}'s last row): \
                             expected {}, got {}",
                            owned.start - 1,
                            rank - 1,
                            shown(field.row(owned.start - 1)),
                            shown(row(0))
                        ));
                    }
                    if owned.end < rows && row(n + 1) != field.row(owned.end) {
                        return Err(format!(
                            "{case}: rank {rank}'s bottom ghost row should be row {} of the field (rank {}'s first \
                             row): expected {}, got {}",
                            owned.end,
                            rank + 1,
                            shown(field.row(owned.end)),
                            shown(row(n + 1))
                        ));
                    }
                    Ok(())
                })
                .collect();
            require(ranks, verdicts);
        }
    }
}

/// Task 4: `gather(world, block)` puts the field back together on rank 0 (`gather`: `(seed,
/// rows, cols)`, each rank's block [`parts_of`] its rows), then `evolve_halo` gives the serial
/// answer on every shape and on the course's input.
pub fn task_04_evolve_halo(ranks: &dyn Ranks) {
    let size = ranks.size() as usize;
    let seed = ranks.seed();
    for (rows, cols, _, seed) in cases(seed, size) {
        let field = random_field(seed, rows, cols);
        let got: Vec<Option<Field>> = call(ranks, "gather", &(seed, rows, cols));
        let case = format!("gather {}", describe(size, rows, cols, seed));
        let verdicts = got
            .into_iter()
            .enumerate()
            .map(|(rank, got)| match (rank, got) {
                (0, Some((r, c, data))) => diff::compare(&field.data, &data, &field.shape(), &[r, c], Tolerance::EXACT)
                    .map_err(|e| format!("{case}: rank 0 should get the whole field back, as it was scattered.\n{e}")),
                (0, None) => Err(format!("{case}: rank 0 got None; it should get the whole field")),
                (_, None) => Ok(()),
                (_, Some(_)) => {
                    Err(format!("{case}: rank {rank} got a field; only rank 0 should (the others return None)"))
                }
            })
            .collect();
        require(ranks, verdicts);
    }
    evolves_like_the_reference(ranks, "evolve_halo", seed);
}

/// Task 5: `evolve_overlap` gives the serial answer on every shape and on the course's input.
pub fn task_05_evolve_overlap(ranks: &dyn Ranks) {
    let seed = ranks.seed();
    evolves_like_the_reference(ranks, "evolve_overlap", seed);
}

/// `name` (`(Start, steps)`: rank 0's field, the others none) on the course's input and on
/// every case, each result checked against the serial reference.
fn evolves_like_the_reference(ranks: &dyn Ranks, name: &str, seed: u64) {
    let size = ranks.size() as usize;
    let plural = if size == 1 { "" } else { "s" };
    let mut runs =
        vec![(Start::Shipped, 100, format!("on {size} rank{plural} with the course's bottle ({SHIPPED_INPUT})"))];
    for (rows, cols, steps, seed) in cases(seed, size) {
        runs.push((Start::Random { seed, rows, cols }, steps, describe(size, rows, cols, seed)));
    }
    for (start, steps, case) in runs {
        let field = start.field();
        let got: Vec<Option<Field>> = call(ranks, name, &(start, steps));
        let s = if steps == 1 { "" } else { "s" };
        let verdicts = got
            .into_iter()
            .enumerate()
            .map(|(rank, got)| match (rank, got) {
                (0, Some((rows, cols, data))) => {
                    if (rows, cols) != (field.rows, field.cols) {
                        return Err(format!(
                            "{name} {case}: rank 0's field is {rows}×{cols}, expected {}×{}",
                            field.rows, field.cols
                        ));
                    }
                    check_output(&field, steps, &data).map_err(|e| {
                        format!("{name} {case}, {steps} step{s}: rank 0's field differs from the serial answer.\n{e}")
                    })
                }
                (0, None) => Err(format!("{name} {case}: rank 0 got None; it should get the evolved field")),
                (_, Some(_)) => {
                    Err(format!("{name} {case}: rank {rank} got a field; only rank 0 should (the others return None)"))
                }
                (_, None) => Ok(()),
            })
            .collect();
        require(ranks, verdicts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranks::{Played, Rank};
    use std::cell::RefCell;

    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        postcard::to_stdvec(value).unwrap()
    }

    /// The right answers, as the solution's functions give them; `halo_from_self` fills each
    /// ghost row with the rank's own edge row instead of the neighbour's.
    fn answers(halo_from_self: bool) -> impl Fn(&str, &[u8], Rank, Rank) -> Vec<u8> {
        move |name, args, rank, size| {
            let (rank, size) = (rank as usize, size as usize);
            match name {
                "block_rows" => {
                    let asked: Vec<(usize, usize, usize)> = postcard::from_bytes(args).unwrap();
                    encode(&asked.iter().map(|&(r, s, k)| expected_rows(r, s, k)).collect::<Vec<_>>())
                }
                "scatter" | "exchange_halos" => {
                    let (seed, rows, cols): (u64, usize, usize) = postcard::from_bytes(args).unwrap();
                    let field = random_field(seed, rows, cols);
                    let owned = expected_rows(rows, size, rank);
                    let mut parts = parts_of(&field, owned.clone());
                    if name == "exchange_halos" {
                        let n = owned.len();
                        let (above, below) = if halo_from_self {
                            (owned.start, owned.end - 1)
                        } else {
                            (owned.start.saturating_sub(1), owned.end.min(rows - 1))
                        };
                        if owned.start > 0 {
                            parts.data[..cols].copy_from_slice(field.row(above));
                        }
                        if owned.end < rows {
                            parts.data[(n + 1) * cols..].copy_from_slice(field.row(below));
                        }
                    }
                    encode(&parts)
                }
                other => panic!("no {other} here"),
            }
        }
    }

    #[test]
    fn right_answers_from_every_rank_pass() {
        for size in [1, 2, 3, 4] {
            let job = Played { size, serve: answers(false), calls: RefCell::default() };
            task_01_block_rows(&job);
            task_02_scatter(&job);
            task_03_exchange_halos(&job);
        }
    }

    #[test]
    fn a_ghost_row_copied_from_the_rank_itself_is_named_with_the_row_it_should_hold() {
        let job = Played { size: 2, serve: answers(true), calls: RefCell::default() };
        let message = crate::property::panic_message(std::panic::AssertUnwindSafe(|| task_03_exchange_halos(&job)));
        // The first case is the wide one: its rows are shown shortened.
        assert!(message.starts_with(&format!("exchange once on 2 ranks with a 5×{WIDE_COLUMNS} field")), "{message}");
        assert!(
            message.contains("rank 0's bottom ghost row should be row 3 of the field (rank 1's first row)"),
            "{message}"
        );
        assert!(message.contains(&format!("({WIDE_COLUMNS} values)")) && message.len() < 1000, "{message}");
        assert!(message.contains("(wrong on rank 1 too, below)"), "{message}");
    }
}
