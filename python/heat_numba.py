"""The heat step with Numba: the Cython version's loops, compiled by `@njit` at the first call.

Same parameters and operation order as heat.py's; the step loop and the swap run inside the
compiled function, as in heat_cython.pyx.
"""
import build_flags

build_flags.numba_policy()

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from heat import A, DT, DX2, DY2  # noqa: E402


@njit
def _evolve(u, new, steps):
    rows, cols = u.shape
    for _ in range(steps):
        for i in range(1, rows - 1):
            for j in range(1, cols - 1):
                new[i, j] = u[i, j] + A * DT * ((u[i + 1, j] - 2 * u[i, j] + u[i - 1, j]) / DX2
                                                + (u[i, j + 1] - 2 * u[i, j] + u[i, j - 1]) / DY2)
        u, new = new, u
    return u


def evolve(u_in, steps):
    u = np.array(u_in, dtype=np.float64)
    return _evolve(u, u.copy(), steps)
