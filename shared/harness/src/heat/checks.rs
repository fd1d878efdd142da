//! The correctness suite every exercise-01 crate runs, through [`heat_tests!`](crate::heat_tests):
//! the same checks for the learner's code and the solution, written once.
//!
//! Random inputs come from proptest, so an answer hard-coded for the shipped file cannot pass.

use super::{Grid, HeatSolver, ParseError, SHIPPED_INPUT, check_against_baseline, parse_grid};
use proptest::prelude::*;
use std::path::Path;

/// Random fields: 1–24 rows and columns, values in ±100 (and the occasional exact integer).
pub fn arb_grid() -> impl Strategy<Value = Grid> {
    (1usize..24, 1usize..24).prop_flat_map(|(rows, cols)| {
        let value = prop_oneof![-100.0..100.0f64, (-100i32..100).prop_map(f64::from)];
        proptest::collection::vec(value, rows * cols).prop_map(move |data| Grid::new(rows, cols, data))
    })
}

/// The shipped bottle, 200 steps (the course's run): same field as the reference.
pub fn shipped_input_evolves_like_the_reference<H: HeatSolver>() {
    let text = std::fs::read_to_string(SHIPPED_INPUT).expect("the shipped input is part of the course");
    let grid = parse_grid(&text).expect("the shipped input parses");
    if let Err(e) = check_against_baseline::<H>(&grid, 200) {
        panic!("{e}");
    }
}

/// Random fields and step counts: same field as the reference.
pub fn random_fields_evolve_like_the_reference<H: HeatSolver>() {
    crate::property::check((arb_grid(), 0usize..12), |(grid, steps)| check_against_baseline::<H>(&grid, steps));
}

/// Converting to the learner's representation and back loses nothing.
pub fn grid_conversion_round_trips<H: HeatSolver>() {
    crate::property::check(arb_grid(), |grid| {
        let back = H::to_grid(&H::from_grid(&grid));
        if back == grid { Ok(()) } else { Err(format!("from_grid then to_grid gave {back:?}")) }
    });
}

/// Whatever the reference writes, the learner's parser reads back exactly.
pub fn parser_reads_written_fields<H: HeatSolver>() {
    crate::property::check(arb_grid(), |grid| match H::parse(&grid.to_text()) {
        Ok(field) if H::to_grid(&field) == grid => Ok(()),
        Ok(field) => Err(format!("parsed {:?}", H::to_grid(&field))),
        Err(e) => Err(format!("could not parse a valid file: {}", e.in_file(Path::new("generated.dat")))),
    });
}

/// Malformed files: the learner's parser reports the same line and problem as the reference.
pub fn malformed_files_are_reported_by_line<H: HeatSolver>() {
    let cases = [
        "# 2 3\n1 2 3\n4 5\n",
        "# 2 3\n1 2 3\n4 5 6 7\n",
        "# 2 3\n\n1 2 3\n# comment\n4 five 6\n",
        "# 3 3\n1 2 3\n4 5 6\n",
        "# 1 2\n1 2\n3 4\n",
        "1 2 3\n4 5 6\n",
        "",
        "# 2\n1 2\n",
    ];
    for text in cases {
        let expected: ParseError = parse_grid(text).expect_err("every case is malformed");
        match H::parse(text) {
            Err(got) if got == expected => {}
            Err(got) => panic!(
                "for the file\n{text:?}\nexpected the error\n  {}\nbut got\n  {}",
                expected.in_file(Path::new("field.dat")),
                got.in_file(Path::new("field.dat"))
            ),
            Ok(f) => panic!("for the malformed file\n{text:?}\nexpected an error, but parsed {:?}", H::to_grid(&f)),
        }
    }
}

/// Expands to the exercise-01 test suite for a [`HeatSolver`] type:
/// `harness::heat_tests!(profiling_heat::Heat);` in `tests/correctness.rs`.
#[macro_export]
macro_rules! heat_tests {
    ($solver:ty) => {
        #[test]
        fn shipped_input_evolves_like_the_reference() {
            $crate::heat::checks::shipped_input_evolves_like_the_reference::<$solver>();
        }
        #[test]
        fn random_fields_evolve_like_the_reference() {
            $crate::heat::checks::random_fields_evolve_like_the_reference::<$solver>();
        }
        #[test]
        fn grid_conversion_round_trips() {
            $crate::heat::checks::grid_conversion_round_trips::<$solver>();
        }
        #[test]
        fn parser_reads_written_fields() {
            $crate::heat::checks::parser_reads_written_fields::<$solver>();
        }
        #[test]
        fn malformed_files_are_reported_by_line() {
            $crate::heat::checks::malformed_files_are_reported_by_line::<$solver>();
        }
    };
}

/// The baseline itself passes every check (the suite is not vacuous: see the harness tests
/// with deliberately broken solvers).
#[cfg(test)]
mod tests {
    use super::super::{Baseline, Params, bottle};
    use super::*;
    use crate::property::panic_message;

    mod baseline_passes_the_suite {
        crate::heat_tests!(super::Baseline);
    }

    /// Parses fine but drops the last row's error check: the malformed-file test must catch it.
    struct Lenient;
    impl HeatSolver for Lenient {
        type Field = Grid;
        fn parse(text: &str) -> Result<Grid, ParseError> {
            parse_grid(text).or_else(|_| Ok(Grid::filled(1, 1, 0.0)))
        }
        fn evolve(f: &mut Grid, p: &Params, steps: usize) {
            let mut b = Baseline::from_grid(f);
            Baseline::evolve(&mut b, p, steps);
            *f = Baseline::to_grid(&b);
        }
        fn from_grid(g: &Grid) -> Grid {
            g.clone()
        }
        fn to_grid(f: &Grid) -> Grid {
            f.clone()
        }
    }

    /// Hard-codes the shipped answer: the random-field test must catch it.
    struct HardCoded;
    impl HeatSolver for HardCoded {
        type Field = Grid;
        fn parse(text: &str) -> Result<Grid, ParseError> {
            parse_grid(text)
        }
        fn evolve(f: &mut Grid, p: &Params, steps: usize) {
            if f.rows == 200 {
                Lenient::evolve(f, p, steps)
            }
        }
        fn from_grid(g: &Grid) -> Grid {
            g.clone()
        }
        fn to_grid(f: &Grid) -> Grid {
            f.clone()
        }
    }

    #[test]
    fn a_lenient_parser_is_caught() {
        let msg = panic_message(malformed_files_are_reported_by_line::<Lenient>);
        assert!(msg.contains("expected an error"), "{msg}");
    }

    #[test]
    fn a_hard_coded_answer_is_caught() {
        assert!(check_against_baseline::<HardCoded>(&bottle(200, 200), 3).is_ok());
        let msg = panic_message(random_fields_evolve_like_the_reference::<HardCoded>);
        assert!(msg.contains("differs from the reference"), "{msg}");
    }
}
