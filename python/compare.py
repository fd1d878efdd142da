"""Times the Python course's kernels in Python, NumPy and Cython; one JSON line each.

    python3 python/compare.py shared/data/heat/bottle.dat

Each figure is the best of several runs, in seconds per unit of work (a cell update), so it
compares directly with the Rust side's. An implementation whose module is missing is reported
as skipped, with the reason.
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

STEPS = {"Python (lists)": 5, "NumPy": 200, "Cython": 200}


def best_of(run, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


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
    try:
        import numpy  # noqa: F401
        if int(mandelbrot.image_numpy(MANDEL_N).sum()) != iterations:
            emit("NumPy", skipped="its counts differ from the kernel's", **m)
        else:
            emit("NumPy", best_of(lambda: mandelbrot.image_numpy(MANDEL_N), 3), iterations, **m)
    except ImportError:
        emit("NumPy", skipped="numpy is not installed (pip install numpy)", **m)
    try:
        import pyximport
        pyximport.install(language_level=3, inplace=False)
        import mandelbrot_cython
        args = (MANDEL_N, *mandelbrot.X, *mandelbrot.Y, mandelbrot.LIM, mandelbrot.CUTOFF)
        emit("Cython", best_of(lambda: mandelbrot_cython.image(*args), 5), iterations, **m)
    except Exception as e:  # Cython missing, or no C compiler / Python headers
        emit("Cython", skipped=f"{type(e).__name__}: {e} (pip install cython)", **m)


def main(path):
    field = heat.read_field(path)
    interior = (len(field) - 2) * (len(field[0]) - 2)
    emit("Python (lists)", best_of(lambda: heat.evolve_lists(field, STEPS["Python (lists)"]), 3),
         interior * STEPS["Python (lists)"])
    try:
        import numpy  # noqa: F401
        emit("NumPy", best_of(lambda: heat.evolve_numpy(field, STEPS["NumPy"]), 5), interior * STEPS["NumPy"])
    except ImportError:
        emit("NumPy", skipped="numpy is not installed (pip install numpy)")
        emit("Cython", skipped="needs numpy")
        return
    try:
        import pyximport
        pyximport.install(language_level=3, inplace=False)
        import heat_cython
        emit("Cython", best_of(lambda: heat_cython.evolve(field, STEPS["Cython"]), 5), interior * STEPS["Cython"])
    except Exception as e:  # Cython missing, or no C compiler / Python headers
        emit("Cython", skipped=f"{type(e).__name__}: {e} (pip install cython)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 compare.py FIELD_FILE")
    main(sys.argv[1])
    main_mandelbrot()
