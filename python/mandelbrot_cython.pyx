# cython: boundscheck=False, wraparound=False, language_level=3
"""The escape-time kernel with static types: the Python course's Cython version."""

cdef int kernel(double zr, double zi, double cr, double ci, double lim, int cutoff) nogil:
    cdef int count = 0
    cdef double nzr
    while (zr * zr + zi * zi) < (lim * lim) and count < cutoff:
        nzr = zr * zr - zi * zi + cr
        zi = 2 * zr * zi + ci
        zr = nzr
        count += 1
    return count


def image(int n, double x0, double x1, double y0, double y1, double lim, int cutoff):
    cdef int i, j
    cdef list rows = []
    for i in range(n):
        rows.append([kernel(0.0, 0.0, x0 + (x1 - x0) * j / (n - 1), y0 + (y1 - y0) * i / (n - 1), lim, cutoff)
                     for j in range(n)])
    return rows
