"""The escape-time kernel with Numba: mandelbrot.py's loop under `@njit`, compiled at the first
call. Same operation order as the scalar kernel, so the counts are the same, pixel for pixel.
"""
import build_flags

build_flags.numba_policy()

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

import mandelbrot  # noqa: E402

# The pure-Python kernel itself, compiled: one source for both rows of the comparison.
kernel = njit(mandelbrot.kernel)


@njit
def image(n, x0, x1, y0, y1, lim, cutoff):
    counts = np.empty((n, n), dtype=np.int64)
    for i in range(n):
        y = y0 + (y1 - y0) * i / (n - 1)
        for j in range(n):
            counts[i, j] = kernel(0.0, 0.0, x0 + (x1 - x0) * j / (n - 1), y, lim, cutoff)
    return counts
