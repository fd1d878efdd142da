"""Call the Rust library of exercise 07 (c-interop) from Python with ctypes.

    python3 shared/python/call_rust.py target/release/libc_interop.so

This is how code from the Python course can use a fast Rust kernel: load the shared library,
declare the argument types, pass buffers. Prints "ok" when every answer is right.

    python3 shared/python/call_rust.py LIBRARY --serve FILE

answers the requests in FILE instead, one line each, as shared/c/call_rust.c does (see there),
for the course's check of task 5: the check draws the inputs and judges the answers itself.
"""
import ctypes
import struct
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


def serve(path, requests):
    """Answers each request line of the file `requests` (doubles as the hex of their bits)."""
    lib = load(path)
    double = lambda word: struct.unpack("<d", int(word, 16).to_bytes(8, "little"))[0]
    bits = lambda value: "%016x" % int.from_bytes(struct.pack("<d", value), "little")
    with open(requests) as lines:
        for line in lines:
            words = line.split()
            if words[0] == "heat":
                rows, cols, has_in, has_out = (int(w) for w in words[1:5])
                n = max(rows * cols, 1)
                cells = (ctypes.c_double * n)(*[double(w) for w in words[5:5 + rows * cols]])
                out = (ctypes.c_double * n)(*[float("nan")] * n)
                code = lib.hpc_rust_heat_step(cells if has_in else None, out if has_out else None, rows, cols)
                values = [bits(v) for v in out[:rows * cols]] if has_out and code == 0 else []
                print(" ".join([str(code)] + values))
            elif words[0] == "kernel":
                zr, zi, cr, ci, lim = (double(w) for w in words[1:6])
                print(lib.hpc_rust_kernel(zr, zi, cr, ci, lim, int(words[6])))
            else:
                sys.exit("unknown request " + repr(words[0]))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "--serve":
        serve(sys.argv[1], sys.argv[3])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit("usage: python3 call_rust.py PATH/TO/libc_interop.so [--serve REQUESTS]")
