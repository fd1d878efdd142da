//! The frozen baseline: exercise 04's starting code as shipped, the Python kernel over the
//! dynamic value model ([`crate::dynamic`]). Keep it identical to
//! `exercises/04-mandelbrot/src/lib.rs`.

use super::{ImageSpec, Mandelbrot};
use crate::dynamic::{DynError, Object};

/// The course's kernel, every value a box whose type is checked at each operation.
pub fn dynamic_kernel(
    zr: Object,
    zi: Object,
    cr: Object,
    ci: Object,
    lim: Object,
    cutoff: Object,
) -> Result<Object, DynError> {
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

pub struct DynamicImage;

impl Mandelbrot for DynamicImage {
    fn image_static(spec: &ImageSpec) -> Vec<u32> {
        let mut counts = Vec::new();
        for i in 0..spec.height {
            for j in 0..spec.width {
                let (x, y) = spec.point(i, j);
                let count = dynamic_kernel(
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
