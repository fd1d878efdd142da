//! Correctness helpers: compare a candidate's numbers with the reference's and say *where*
//! they differ, so a learner sees "at [3, 7]: expected 21.5, got 21.7" instead of `false`.

use std::fmt;

/// How close two values must be: `|expected − got| ≤ relative · max(|expected|, scale)`, where
/// `scale` is the largest magnitude in the whole expected array. Measuring against the array's
/// scale keeps values that pass near zero from demanding an absurd relative accuracy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    pub relative: f64,
}

impl Tolerance {
    pub const EXACT: Tolerance = Tolerance { relative: 0.0 };

    pub fn relative(relative: f64) -> Self {
        Tolerance { relative }
    }
}

/// One differing value.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Row-major index, as `[i]` or `[i, j]`.
    pub index: Vec<usize>,
    pub expected: f64,
    pub got: f64,
}

/// Why two arrays are not equal within the tolerance.
#[derive(Clone, Debug, PartialEq)]
pub enum Mismatch {
    Shape {
        expected: Vec<usize>,
        got: Vec<usize>,
    },
    Values {
        shape: Vec<usize>,
        tolerance: Tolerance,
        /// How many values differ, of how many.
        count: usize,
        total: usize,
        /// The first few differences, in row-major order.
        /// (`max_rel_error` is relative to `max(|expected|, scale)`, as the tolerance is.)
        first: Vec<Difference>,
        max_abs_error: f64,
        max_rel_error: f64,
    },
}

/// How many differences a [`Mismatch`] lists.
pub const SHOWN_DIFFERENCES: usize = 5;

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Shape { expected, got } => {
                write!(f, "wrong shape: expected {expected:?}, got {got:?}")
            }
            Mismatch::Values { tolerance, count, total, first, max_abs_error, max_rel_error, .. } => {
                writeln!(
                    f,
                    "{count} of {total} values differ (allowed: {:e} relative to the array's largest value):",
                    tolerance.relative
                )?;
                for d in first {
                    writeln!(
                        f,
                        "  at {:?}: expected {:?}, got {:?} (error {:.3e})",
                        d.index,
                        d.expected,
                        d.got,
                        (d.expected - d.got).abs()
                    )?;
                }
                if *count > first.len() {
                    writeln!(f, "  … and {} more", count - first.len())?;
                }
                write!(f, "max abs error {max_abs_error:.3e}, max rel error {max_rel_error:.3e}")
            }
        }
    }
}

impl std::error::Error for Mismatch {}

/// Compares row-major arrays of the given shape (`&[n]` or `&[rows, cols]`, any rank).
/// NaN equals NaN here: a reference that produces NaN expects the candidate to as well.
pub fn compare(
    expected: &[f64],
    got: &[f64],
    shape: &[usize],
    got_shape: &[usize],
    tolerance: Tolerance,
) -> Result<(), Mismatch> {
    if shape != got_shape || expected.len() != got.len() {
        return Err(Mismatch::Shape { expected: shape.to_vec(), got: got_shape.to_vec() });
    }
    let scale = expected.iter().filter(|v| v.is_finite()).fold(0.0f64, |m, v| m.max(v.abs()));
    let mut first = Vec::new();
    let (mut count, mut max_abs, mut max_rel) = (0, 0.0f64, 0.0f64);
    for (flat, (&e, &g)) in expected.iter().zip(got).enumerate() {
        let same = (e.is_nan() && g.is_nan()) || e == g;
        let err = (e - g).abs();
        if same || err <= tolerance.relative * e.abs().max(scale) {
            continue;
        }
        count += 1;
        let err = if err.is_nan() { f64::INFINITY } else { err };
        max_abs = max_abs.max(err);
        let denominator = e.abs().max(scale);
        max_rel = max_rel.max(if denominator > 0.0 { err / denominator } else { f64::INFINITY });
        if first.len() < SHOWN_DIFFERENCES {
            first.push(Difference { index: unravel(flat, shape), expected: e, got: g });
        }
    }
    if count == 0 {
        Ok(())
    } else {
        Err(Mismatch::Values {
            shape: shape.to_vec(),
            tolerance,
            count,
            total: expected.len(),
            first,
            max_abs_error: max_abs,
            max_rel_error: max_rel,
        })
    }
}

/// Turns a row-major flat index into a multi-index for `shape`.
fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (slot, &dim) in index.iter_mut().zip(shape).rev() {
        *slot = flat % dim.max(1);
        flat /= dim.max(1);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_arrays_pass() {
        assert_eq!(compare(&[1.0, f64::NAN], &[1.0, f64::NAN], &[2], &[2], Tolerance::EXACT), Ok(()));
    }

    #[test]
    fn differences_are_located_in_two_dimensions() {
        let expected = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let got = [1.0, 2.0, 3.0, 4.0, 5.5, 6.0];
        let err = compare(&expected, &got, &[2, 3], &[2, 3], Tolerance::relative(1e-12)).unwrap_err();
        let Mismatch::Values { count, first, max_abs_error, .. } = &err else { panic!("{err}") };
        assert_eq!(*count, 1);
        assert_eq!(first[0].index, vec![1, 1]);
        assert_eq!(*max_abs_error, 0.5);
        let text = err.to_string();
        assert!(text.starts_with("1 of 6 values differ"), "{text}");
        assert!(text.contains("at [1, 1]: expected 5.0, got 5.5"), "{text}");
    }

    #[test]
    fn tolerance_is_relative_to_the_largest_value() {
        // 1e-13 off on a value near zero is fine when the array's scale is 100.
        assert!(compare(&[100.0, 1e-3], &[100.0, 1e-3 + 1e-13], &[2], &[2], Tolerance::relative(1e-12)).is_ok());
        assert!(compare(&[100.0, 1e-3], &[100.0, 1e-3 + 1e-9], &[2], &[2], Tolerance::relative(1e-12)).is_err());
    }

    #[test]
    fn nan_against_a_number_is_a_difference() {
        let err = compare(&[1.0], &[f64::NAN], &[1], &[1], Tolerance::relative(1.0)).unwrap_err();
        assert!(err.to_string().contains("got NaN"), "{err}");
    }

    #[test]
    fn only_the_first_differences_are_listed() {
        let expected = vec![0.0; 10];
        let got = vec![1.0; 10];
        let text = compare(&expected, &got, &[10], &[10], Tolerance::EXACT).unwrap_err().to_string();
        assert_eq!(text.matches("  at ").count(), SHOWN_DIFFERENCES);
        assert!(text.contains("… and 5 more"), "{text}");
    }

    #[test]
    fn shapes_must_agree() {
        let err = compare(&[1.0; 6], &[1.0; 6], &[2, 3], &[3, 2], Tolerance::EXACT).unwrap_err();
        assert_eq!(err.to_string(), "wrong shape: expected [2, 3], got [3, 2]");
    }
}
