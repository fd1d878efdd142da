"""The course's one instruction-set policy (`.cargo/config.toml`), for the Python side's
compiled versions, so that `cargo xtask compare` sets like beside like:

- Rust: `-C target-cpu=x86-64-v3` (AVX2 and FMA), and Rust never fuses a multiply and an add
  unless told to;
- C (`shared/c-kernels`) and Cython: `-O3 -march=x86-64-v3 -ffp-contract=off` (gcc's default,
  `-ffp-contract=fast`, would fuse them into FMAs: other arithmetic, other roundings);
- Numba: LLVM's `x86-64-v3` CPU with its own features only (not the host's AVX-512); Numba fuses
  nothing without `fastmath`.

Off x86_64 the instruction set is left to the compiler and only the rest applies.
"""
import os
import platform

X86_64 = platform.machine().lower() in ("x86_64", "amd64")

CYTHON_COMPILE_ARGS = ["-O3", "-ffp-contract=off"] + (["-march=x86-64-v3"] if X86_64 else [])


def cython_extension(modname, pyxfilename):
    """pyximport's hook (`make_ext` in `<module>.pyxbld`): the module built with the flags above."""
    try:
        from setuptools import Extension
    except ImportError:  # an older Python without setuptools still has distutils
        from distutils.extension import Extension
    return Extension(name=modname, sources=[pyxfilename], extra_compile_args=CYTHON_COMPILE_ARGS)


def numba_policy():
    """Sets Numba's target before numba is first imported (it reads these once, at import)."""
    if X86_64:
        os.environ["NUMBA_CPU_NAME"] = "x86-64-v3"
        os.environ["NUMBA_CPU_FEATURES"] = ""  # the CPU name's own features, nothing of the host's
