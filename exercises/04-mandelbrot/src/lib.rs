//! Exercise 04: the Mandelbrot kernel, static types against dynamic ones. Read README.md first.
//!
//! `kernel` is the Python course's kernel written over dynamic values (`harness::dynamic`):
//! every number is a heap box whose type is checked at each operation, as in Python. It is
//! correct and slow. Give it static types; then (optional stages) spread the rows over the
//! cores, let the compiler vectorise, and do both at once. `cargo xtask check mandelbrot`
//! grades each stage.

use harness::dynamic::{DynError, Object};
use harness::mandelbrot::{ImageSpec, Mandelbrot};

/// The course's kernel, every value a box whose type is checked at each operation.
pub fn kernel(zr: Object, zi: Object, cr: Object, ci: Object, lim: Object, cutoff: Object) -> Result<Object, DynError> {
    let (mut zr, mut zi) = (zr, zi);
    let mut count = Object::int(0);
    while zr.mul(&zr)?.add(&zi.mul(&zi)?)?.lt(&lim.mul(&lim)?)? && count.lt(&cutoff)? {
        let new_zr = zr.mul(&zr)?.sub(&zi.mul(&zi)?)?.add(&cr)?;
        let new_zi = Object::int(2).mul(&zr)?.mul(&zi)?.add(&ci)?;
        zr = new_zr;
        zi = new_zi;
        count = count.add(&Object::int(1))?;
    }
    Ok(count)
}

pub struct Mandel;

impl Mandelbrot for Mandel {
    fn image_static(spec: &ImageSpec) -> Vec<u32> {
        let mut counts = Vec::new();
        for i in 0..spec.height {
            for j in 0..spec.width {
                let (x, y) = spec.point(i, j);
                let count = kernel(
                    Object::float(0.0),
                    Object::float(0.0),
                    Object::float(x),
                    Object::float(y),
                    Object::float(spec.lim),
                    Object::int(spec.cutoff as i64),
                )
                .and_then(|c| c.as_int())
                .expect("numbers in, an int out");
                counts.push(count as u32);
            }
        }
        counts
    }

    fn image_parallel(spec: &ImageSpec) -> Vec<u32> {
        Self::image_static(spec)
    }

    fn image_simd(spec: &ImageSpec) -> Vec<u32> {
        Self::image_static(spec)
    }

    fn image_simd_parallel(spec: &ImageSpec) -> Vec<u32> {
        Self::image_static(spec)
    }
}
