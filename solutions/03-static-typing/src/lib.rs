//! Solution to exercise 03: the same three functions with static types.
//!
//! - `add` works for ints and floats, as the Python one did: one generic function, compiled
//!   once per type it is used with (Cython calls this a fused type). No tags are checked at
//!   run time: the compiler picked the `+` when it compiled `add::<i32>` and `add::<f64>`.
//! - `subtract` takes and returns `f64`, Python's float. `f32` (Cython's `float`) would turn
//!   `10.2 − 8.5` into 1.6999998092651367.
//! - `series` is a typed loop over `u32` and `f64`, summing in the same order as the original,
//!   so the result is the same to the last bit.

use std::ops::Add;

/// `a + b` for any type with `+`: `add(2, 3)` is an `i32` addition, `add(0.1, 0.2)` an `f64` one.
pub fn add<T: Add<Output = T>>(a: T, b: T) -> T {
    a + b
}

/// `a − b` in 64-bit floating point.
pub fn subtract(a: f64, b: f64) -> f64 {
    a - b
}

/// Σ 1/k² for k = 1..=n, in order.
pub fn series(n: u32) -> f64 {
    let mut total = 0.0;
    for k in 1..=n {
        let k = f64::from(k);
        total += 1.0 / (k * k);
    }
    total
}
