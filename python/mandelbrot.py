"""The Python course's escape-time kernel, in pure Python and with NumPy.

Pixels of a width × height picture over x ∈ [−2, 1], y ∈ [−1.5, 1.5], from z = 0, with
lim = 2 and cutoff = 255, as in the Rust exercise 04.
"""

X = (-2.0, 1.0)
Y = (-1.5, 1.5)
LIM = 2.0
CUTOFF = 255


def kernel(zr, zi, cr, ci, lim, cutoff):
    count = 0
    while ((zr * zr + zi * zi) < (lim * lim)) and count < cutoff:
        zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci
        count += 1
    return count


def linspace(a, b, n):
    return [a + (b - a) * k / (n - 1) for k in range(n)]


def points(n):
    return linspace(*X, n), linspace(*Y, n)


def image_python(n):
    xs, ys = points(n)
    return [[kernel(0.0, 0.0, x, y, LIM, CUTOFF) for x in xs] for y in ys]


def image_numpy(n):
    """All pixels at once: each step updates the still-running ones, selected by a mask."""
    import numpy as np
    xs, ys = points(n)
    c = np.array(xs)[None, :] + 1j * np.array(ys)[:, None]
    z = np.zeros_like(c)
    counts = np.zeros(c.shape, dtype=np.int64)
    running = np.ones(c.shape, dtype=bool)
    for _ in range(CUTOFF):
        running &= (z.real * z.real + z.imag * z.imag) < LIM * LIM
        if not running.any():
            break
        z[running] = z[running] * z[running] + c[running]
        counts += running
    return counts
