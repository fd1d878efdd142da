"""The Python course's heat equation over MPI ranks, with mpi4py and NumPy: row blocks with one
ghost row above and below, the halos exchanged with Sendrecv (the ends of the chain talk to
MPI.PROC_NULL), the field scattered from rank 0 and gathered back. One JSON line from rank 0,
in the format of compare.py, so `cargo xtask compare` sets it beside the Rust ranks.

    mpirun -n 2 python3 python/heat_mpi.py [SIZE] [STEPS] [RUNS]

Same parameters as the Rust exercises (heat.py's); the field is a SIZE × SIZE bottle (a hot
disc in a cool room), rank 0's alone until it is scattered. Each run is timed from the
scatter to the gather, as the Rust program is; the figure is the best run.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heat  # noqa: E402


def emit(record):
    print(json.dumps(record), flush=True)


def main():
    size, steps, runs = (int(a) for a in (sys.argv[1:] + ["1000", "50", "3"][len(sys.argv) - 1:])[:3])
    try:
        import numpy as np
        from mpi4py import MPI
    except ImportError as e:
        if os.environ.get("OMPI_COMM_WORLD_RANK", "0") != "0":
            return  # one line for the job, from rank 0
        kernel = f"heat, {os.environ.get('OMPI_COMM_WORLD_SIZE', '2')} MPI ranks"
        what = f"{e} (pip install mpi4py numpy)"
        emit({"kernel": kernel, "implementation": "mpi4py + NumPy", "unit": "cell update", "skipped": what})
        return
    comm = MPI.COMM_WORLD
    rank, ranks = comm.Get_rank(), comm.Get_size()

    field = None
    if rank == 0:
        y, x = np.mgrid[0:size, 0:size]
        disc = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 4) ** 2
        field = np.where(disc, 65.0, 5.0)

    # Row blocks, uneven splits allowed: the first `size % ranks` ranks own one row more.
    counts = [size // ranks + (1 if r < size % ranks else 0) for r in range(ranks)]
    starts = [sum(counts[:r]) for r in range(ranks)]
    mine = counts[rank]
    up = rank - 1 if rank > 0 else MPI.PROC_NULL
    down = rank + 1 if rank < ranks - 1 else MPI.PROC_NULL
    # Rows this rank updates, in block coordinates (row 0 and the last row are ghosts): not the
    # field's first and last rows, which stay fixed.
    first = 2 if rank == 0 else 1
    last = mine - 1 if rank == ranks - 1 else mine
    a_dt = heat.A * heat.DT

    best = float("inf")
    for _ in range(runs):
        comm.Barrier()
        start = MPI.Wtime()
        u = np.empty((mine + 2, size))
        sizes = [c * size for c in counts]
        offsets = [s * size for s in starts]
        comm.Scatterv([field, sizes, offsets, MPI.DOUBLE] if rank == 0 else None, u[1:-1], root=0)
        new = u.copy()
        for _ in range(steps):
            comm.Sendrecv(u[1], dest=up, recvbuf=u[-1], source=down)
            comm.Sendrecv(u[-2], dest=down, recvbuf=u[0], source=up)
            c = u[first:last + 1, 1:-1]
            new[first:last + 1, 1:-1] = c + a_dt * (
                (u[first + 1:last + 2, 1:-1] - 2 * c + u[first - 1:last, 1:-1]) / heat.DX2
                + (u[first:last + 1, 2:] - 2 * c + u[first:last + 1, :-2]) / heat.DY2)
            u, new = new, u
        result = np.empty((size, size)) if rank == 0 else None
        comm.Gatherv(u[1:-1], [result, sizes, offsets, MPI.DOUBLE] if rank == 0 else None, root=0)
        best = min(best, MPI.Wtime() - start)

    if rank == 0:
        units = (size - 2) * (size - 2) * steps
        emit({"kernel": f"heat, {ranks} MPI ranks", "implementation": "mpi4py + NumPy", "unit": "cell update",
              "seconds_per_unit": best / units})


if __name__ == "__main__":
    main()
