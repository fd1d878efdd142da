//! Exercise 08's correctness checks, shared by exercise and solution via
//! [`heat_fast_tests!`](crate::heat_fast_tests).

use super::{FastHeat, check_against_reference};
use crate::heat::{Grid, bottle};
use proptest::prelude::*;

fn arb_grid() -> impl Strategy<Value = Grid> {
    (1usize..40, 1usize..40).prop_flat_map(|(rows, cols)| {
        proptest::collection::vec(-100.0..100.0f64, rows * cols).prop_map(move |data| Grid::new(rows, cols, data))
    })
}

pub fn bottle_evolves_like_the_reference<K: FastHeat>(parallel: bool) {
    if let Err(e) = check_against_reference::<K>(&bottle(150, 120), 25, parallel) {
        panic!("{e}");
    }
}

pub fn random_fields_evolve_like_the_reference<K: FastHeat>(parallel: bool) {
    crate::property::check((arb_grid(), 0usize..6), |(g, steps)| check_against_reference::<K>(&g, steps, parallel));
}

/// Expands to exercise 08's tests for a [`FastHeat`] type.
#[macro_export]
macro_rules! heat_fast_tests {
    ($k:ty) => {
        use $crate::heat_fast::checks;
        #[test]
        fn serial_bottle_evolves_like_the_reference() {
            checks::bottle_evolves_like_the_reference::<$k>(false);
        }
        #[test]
        fn serial_random_fields_evolve_like_the_reference() {
            checks::random_fields_evolve_like_the_reference::<$k>(false);
        }
        #[test]
        fn parallel_bottle_evolves_like_the_reference() {
            checks::bottle_evolves_like_the_reference::<$k>(true);
        }
        #[test]
        fn parallel_random_fields_evolve_like_the_reference() {
            checks::random_fields_evolve_like_the_reference::<$k>(true);
        }
    };
}
