"""The heat equation step of the Python course, in pure Python and with NumPy.

Same parameters as the Rust exercises: a = 0.5, dx = dy = 0.01, dt = dx²dy² / (2a(dx² + dy²)).
"""

A = 0.5
DX2 = 0.01 ** 2
DY2 = 0.01 ** 2
DT = DX2 * DY2 / (2 * A * (DX2 + DY2))


def read_field(path):
    """The course's text format: a '# rows cols' header, then rows of numbers."""
    with open(path) as f:
        rows, cols = (int(x) for x in f.readline().lstrip("#").split())
        field = [[float(x) for x in line.split()] for line in f if line.strip() and not line.startswith("#")]
    assert len(field) == rows and all(len(r) == cols for r in field), path
    return field


def evolve_lists(u, steps):
    """Nested loops over lists of lists: what the interpreter does one boxed float at a time."""
    rows, cols = len(u), len(u[0])
    for _ in range(steps):
        new = [row[:] for row in u]
        for i in range(1, rows - 1):
            for j in range(1, cols - 1):
                new[i][j] = u[i][j] + A * DT * ((u[i + 1][j] - 2 * u[i][j] + u[i - 1][j]) / DX2
                                                + (u[i][j + 1] - 2 * u[i][j] + u[i][j - 1]) / DY2)
        u = new
    return u


def evolve_numpy(u, steps):
    """NumPy slicing: each operator is one compiled loop over the whole array (and a temporary)."""
    import numpy as np
    u = np.array(u, dtype=np.float64)
    new = u.copy()
    for _ in range(steps):
        new[1:-1, 1:-1] = u[1:-1, 1:-1] + A * DT * (
            (u[2:, 1:-1] - 2 * u[1:-1, 1:-1] + u[:-2, 1:-1]) / DX2
            + (u[1:-1, 2:] - 2 * u[1:-1, 1:-1] + u[1:-1, :-2]) / DY2)
        u, new = new, u
    return u
