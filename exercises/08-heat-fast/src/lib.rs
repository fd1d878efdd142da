//! Exercise 08: the heat stencil at the hardware limit. Read README.md first.
//!
//! This is the heat equation written the way a NumPy user first writes it in Rust: index by
//! index, copying the field every step. It is correct. Make `evolve` fast on a 4096 × 4096
//! field, then `evolve_parallel` with rayon; `cargo xtask check heat-fast` grades both.
//! `scratch` has the shape of `u` and is yours to use; the result must end up in `u`.

use harness::heat::Params;
use harness::heat_fast::FastHeat;
use ndarray::Array2;

pub struct Heat;

impl FastHeat for Heat {
    fn evolve(u: &mut Array2<f64>, _scratch: &mut Array2<f64>, p: &Params, steps: usize) {
        for _ in 0..steps {
            let u_old = u.clone();
            let (rows, cols) = u.dim();
            for i in 1..rows.saturating_sub(1) {
                for j in 1..cols.saturating_sub(1) {
                    u[[i, j]] = u_old[[i, j]]
                        + p.a
                            * p.dt
                            * ((u_old[[i + 1, j]] - 2.0 * u_old[[i, j]] + u_old[[i - 1, j]]) / p.dx2
                                + (u_old[[i, j + 1]] - 2.0 * u_old[[i, j]] + u_old[[i, j - 1]]) / p.dy2);
                }
            }
        }
    }

    fn evolve_parallel(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
        Self::evolve(u, scratch, p, steps);
    }
}
