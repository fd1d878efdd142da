//! Exercise 04's checks, shared by exercise and solution via [`mandelbrot_tests!`](crate::mandelbrot_tests).

use super::{ImageSpec, Mandelbrot, check_image};
use proptest::prelude::*;

/// Which of the four pictures to check.
#[derive(Clone, Copy, Debug)]
pub enum Version {
    Static,
    Parallel,
    Simd,
    SimdParallel,
}

fn render<M: Mandelbrot>(v: Version, spec: &ImageSpec) -> Vec<u32> {
    match v {
        Version::Static => M::image_static(spec),
        Version::Parallel => M::image_parallel(spec),
        Version::Simd => M::image_simd(spec),
        Version::SimdParallel => M::image_simd_parallel(spec),
    }
}

/// A 96 × 64 picture of the whole set.
pub fn whole_set<M: Mandelbrot>(v: Version) {
    let spec = ImageSpec::sized(96, 64);
    if let Err(e) = check_image(&format!("{v:?}"), &spec, &render::<M>(v, &spec)) {
        panic!("{e}");
    }
}

/// Random small pictures anywhere, any size (SIMD lanes must handle leftover pixels), any cutoff.
pub fn random_pictures<M: Mandelbrot>(v: Version) {
    let spec = (1usize..20, 1usize..12, -2.0..1.0f64, -1.5..1.5f64, 0.0..0.5f64, 1u32..400).prop_map(
        |(w, h, x, y, size, cutoff)| ImageSpec {
            width: w,
            height: h,
            x: (x, x + size),
            y: (y, y + size),
            lim: 2.0,
            cutoff,
        },
    );
    crate::property::check(spec, |spec| check_image(&format!("{v:?}"), &spec, &render::<M>(v, &spec)));
}

/// A 300² picture with cutoff 1000, and the eight of its pixels whose counts change when the
/// kernel's operations are reordered (measured; see the module docs).
pub const SENSITIVE_SPEC: ImageSpec = ImageSpec { cutoff: 1000, ..ImageSpec::sized(300, 300) };
pub const SENSITIVE_PIXELS: [(usize, usize); 8] =
    [(87, 162), (114, 131), (129, 116), (137, 125), (162, 125), (170, 116), (185, 131), (212, 162)];

fn single(x: f64, y: f64, cutoff: u32) -> ImageSpec {
    ImageSpec { width: 1, height: 1, x: (x, x), y: (y, y), lim: 2.0, cutoff }
}

/// Points whose orbits linger before escaping: the eight order-sensitive pixels, and random
/// points just outside the main cardioid. Only the required evaluation order counts them right.
pub fn lingering_points<M: Mandelbrot>(v: Version) {
    for (i, j) in SENSITIVE_PIXELS {
        let (x, y) = SENSITIVE_SPEC.point(i, j);
        if let Err(e) = check_image(&format!("{v:?}"), &single(x, y, 1000), &render::<M>(v, &single(x, y, 1000))) {
            panic!("{e}");
        }
    }
    let points = (0.0..std::f64::consts::TAU, 1e-4..1e-2f64).prop_map(|(t, outward)| {
        let (x, y) = (t.cos() / 2.0 - (2.0 * t).cos() / 4.0, t.sin() / 2.0 - (2.0 * t).sin() / 4.0);
        single(0.25 + (x - 0.25) * (1.0 + outward), y * (1.0 + outward), 1000)
    });
    crate::property::check(points, |spec| check_image(&format!("{v:?}"), &spec, &render::<M>(v, &spec)));
}

/// Expands to exercise 04's tests for a [`Mandelbrot`] type.
#[macro_export]
macro_rules! mandelbrot_tests {
    ($m:ty) => {
        use $crate::mandelbrot::checks::{self, Version};
        #[test]
        fn static_whole_set() {
            checks::whole_set::<$m>(Version::Static);
        }
        #[test]
        fn static_random_pictures() {
            checks::random_pictures::<$m>(Version::Static);
        }
        #[test]
        fn static_lingering_points() {
            checks::lingering_points::<$m>(Version::Static);
        }
        #[test]
        fn parallel_whole_set() {
            checks::whole_set::<$m>(Version::Parallel);
        }
        #[test]
        fn parallel_random_pictures() {
            checks::random_pictures::<$m>(Version::Parallel);
        }
        #[test]
        fn simd_whole_set() {
            checks::whole_set::<$m>(Version::Simd);
        }
        #[test]
        fn simd_random_pictures() {
            checks::random_pictures::<$m>(Version::Simd);
        }
        #[test]
        fn simd_lingering_points() {
            checks::lingering_points::<$m>(Version::Simd);
        }
        #[test]
        fn simd_parallel_whole_set() {
            checks::whole_set::<$m>(Version::SimdParallel);
        }
        #[test]
        fn simd_parallel_random_pictures() {
            checks::random_pictures::<$m>(Version::SimdParallel);
        }
        #[test]
        fn simd_parallel_lingering_points() {
            checks::lingering_points::<$m>(Version::SimdParallel);
        }
    };
}
