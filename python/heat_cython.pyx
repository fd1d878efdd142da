# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""The heat step in Cython with static types: the Python course's "NumPy with Cython" version."""
import numpy as np

cdef double A = 0.5
cdef double DX2 = 0.01 ** 2
cdef double DY2 = 0.01 ** 2
cdef double DT = DX2 * DY2 / (2 * A * (DX2 + DY2))


def evolve(u_in, int steps):
    cdef double[:, ::1] u = np.array(u_in, dtype=np.float64)
    cdef double[:, ::1] new = np.array(u_in, dtype=np.float64)
    cdef double[:, ::1] tmp
    cdef Py_ssize_t i, j, rows = u.shape[0], cols = u.shape[1]
    cdef int step
    for step in range(steps):
        for i in range(1, rows - 1):
            for j in range(1, cols - 1):
                new[i, j] = u[i, j] + A * DT * ((u[i + 1, j] - 2 * u[i, j] + u[i - 1, j]) / DX2
                                                + (u[i, j + 1] - 2 * u[i, j] + u[i, j - 1]) / DY2)
        tmp = u
        u = new
        new = tmp
    return np.asarray(u)
