"""Times the Python course's kernels in Python, NumPy, Cython and Numba; one JSON line each.

    python3 python/compare.py shared/data/heat/bottle.dat

Each figure is the best of several runs, in seconds per unit of work (a cell update), so it
compares directly with the Rust side's. An implementation whose module is missing is reported
as skipped, with the reason. Cython and Numba compile for the course's instruction set
(build_flags.py); Numba's compile time, at the first call, is left out of the timing.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heat  # noqa: E402
import mandelbrot  # noqa: E402

# Mandelbrot picture size: n × n pixels (pure Python takes ~1 s at 200).
MANDEL_N = 200

STEPS = {"Python (lists)": 5, "NumPy": 200, "Cython": 200, "Numba": 200}



def best_of(run, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def cython():
    """pyximport, rebuilding the .pyx modules on each run so they always carry the flags of
    build_flags.py (their .pyxbld files), whatever an earlier build used."""
    import pyximport
    pyximport.install(language_level=3, inplace=False, setup_args={"script_args": ["--force"]})


def emit(implementation, seconds=None, units=None, skipped=None, kernel="heat", unit="cell update"):
    record = {"kernel": kernel, "implementation": implementation, "unit": unit}
    if skipped:
        record["skipped"] = skipped
    else:
        record["seconds_per_unit"] = seconds / units
    print(json.dumps(record), flush=True)


def main_mandelbrot():
    iterations = sum(map(sum, mandelbrot.image_python(MANDEL_N)))
    m = dict(kernel="mandelbrot", unit="iteration")
    emit("Python (lists)", best_of(lambda: mandelbrot.image_python(MANDEL_N), 3), iterations, **m)
    try:  # image_numpy imports numpy
        if int(mandelbrot.image_numpy(MANDEL_N).sum()) != iterations:
            emit("NumPy", skipped="its counts differ from the kernel's", **m)
        else:
            emit("NumPy", best_of(lambda: mandelbrot.image_numpy(MANDEL_N), 3), iterations, **m)
    except ImportError:
        emit("NumPy", skipped="numpy is not installed (pip install numpy)", **m)
    args = (MANDEL_N, *mandelbrot.X, *mandelbrot.Y, mandelbrot.LIM, mandelbrot.CUTOFF)
    try:
        cython()
        import mandelbrot_cython
        emit("Cython", best_of(lambda: mandelbrot_cython.image(*args), 5), iterations, **m)
    except Exception as e:  # Cython missing, or no C compiler / Python headers
        emit("Cython", skipped=f"{type(e).__name__}: {e} (pip install cython)", **m)
    try:
        import mandelbrot_numba
    except ImportError as e:
        emit("Numba", skipped=f"{e} (pip install numba)", **m)
        return
    if mandelbrot_numba.image(*args).tolist() != mandelbrot.image_python(MANDEL_N):  # also compiles it
        emit("Numba", skipped="its counts differ from the kernel's", **m)
    else:
        emit("Numba", best_of(lambda: mandelbrot_numba.image(*args), 5), iterations, **m)


def main(path):
    field = heat.read_field(path)
    interior = (len(field) - 2) * (len(field[0]) - 2)
    emit("Python (lists)", best_of(lambda: heat.evolve_lists(field, STEPS["Python (lists)"]), 3),
         interior * STEPS["Python (lists)"])
    try:
        import numpy
        emit("NumPy", best_of(lambda: heat.evolve_numpy(field, STEPS["NumPy"]), 5), interior * STEPS["NumPy"])
    except ImportError:
        emit("NumPy", skipped="numpy is not installed (pip install numpy)")
        emit("Cython", skipped="needs numpy")
        emit("Numba", skipped="needs numpy")
        return
    try:
        cython()
        import heat_cython
        emit("Cython", best_of(lambda: heat_cython.evolve(field, STEPS["Cython"]), 5), interior * STEPS["Cython"])
    except Exception as e:  # Cython missing, or no C compiler / Python headers
        emit("Cython", skipped=f"{type(e).__name__}: {e} (pip install cython)")
    try:
        import heat_numba
    except ImportError as e:
        emit("Numba", skipped=f"{e} (pip install numba)")
        return
    # The first call compiles; its result checks the compiled loops against NumPy's slices.
    if not numpy.allclose(heat_numba.evolve(field, 10), heat.evolve_numpy(field, 10), rtol=1e-12, atol=0):
        emit("Numba", skipped="its field differs from NumPy's")
    else:
        emit("Numba", best_of(lambda: heat_numba.evolve(field, STEPS["Numba"]), 5), interior * STEPS["Numba"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 compare.py FIELD_FILE")
    main(sys.argv[1])
    main_mandelbrot()
