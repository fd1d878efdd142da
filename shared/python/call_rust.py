"""Call the Rust library of exercise 07 (c-interop) from Python with ctypes.

    python3 shared/python/call_rust.py target/release/libc_interop.so

This is how code from the Python course can use a fast Rust kernel: load the shared library,
declare the argument types, pass buffers. Prints "ok" when every answer is right.
"""
import ctypes
import sys


def load(path):
    lib = ctypes.CDLL(path)
    double_p = ctypes.POINTER(ctypes.c_double)
    lib.hpc_rust_heat_step.argtypes = [double_p, double_p, ctypes.c_size_t, ctypes.c_size_t]
    lib.hpc_rust_heat_step.restype = ctypes.c_int
    lib.hpc_rust_kernel.argtypes = [ctypes.c_double] * 5 + [ctypes.c_int]
    lib.hpc_rust_kernel.restype = ctypes.c_int
    return lib


def main(path):
    lib = load(path)
    cells = (ctypes.c_double * 9)(0, 0, 0, 0, 100, 0, 0, 0, 0)
    out = (ctypes.c_double * 9)()
    assert lib.hpc_rust_heat_step(cells, out, 3, 3) == 0
    assert abs(out[4]) < 1e-12 and out[0] == 0.0, list(out)
    assert lib.hpc_rust_heat_step(None, out, 3, 3) == -1, "a null pointer must give -1"
    assert lib.hpc_rust_heat_step(cells, out, 0, 3) == -2, "zero rows must give -2"
    # The Python course's kernel, in Python, against the Rust one.
    def kernel(zr, zi, cr, ci, lim, cutoff):
        count = 0
        while (zr * zr + zi * zi) < (lim * lim) and count < cutoff:
            zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci
            count += 1
        return count
    for k in range(200):
        zr, zi = -2.0 + 3.0 * k / 199, 0.37
        assert lib.hpc_rust_kernel(zr, zi, -0.4, 0.6, 2.0, 100) == kernel(zr, zi, -0.4, 0.6, 2.0, 100), (zr, zi)
    print("ok")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 call_rust.py PATH/TO/libc_interop.so")
    main(sys.argv[1])
