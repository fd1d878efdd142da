"""Bar chart of `cargo xtask compare`'s table: time per unit of work, log scale.

    python3 python/plot.py target/compare/compare.json target/compare/compare.png
"""
import json
import sys


def main(table_path, png_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in json.load(open(table_path)) if "seconds_per_unit" in r]
    kernels = sorted({r["kernel"] for r in rows})
    fig, axes = plt.subplots(len(kernels), 1, figsize=(8, 1.2 + 0.45 * len(rows)), squeeze=False)
    for ax, kernel in zip(axes[:, 0], kernels):
        mine = [r for r in rows if r["kernel"] == kernel]
        names = [r["implementation"] for r in mine]
        ns = [r["seconds_per_unit"] * 1e9 for r in mine]
        colours = ["#4c72b0" if "Rust" in n else "#dd8452" if n.startswith("C ") else "#8c8c8c" for n in names]
        bars = ax.barh(names, ns, color=colours)
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_xlabel(f"ns per {mine[0]['unit']} (log scale, lower is faster)")
        ax.set_title(f"{kernel}: same input, same machine")
        for bar, value in zip(bars, ns):
            ax.text(bar.get_width() * 1.05, bar.get_y() + bar.get_height() / 2, f"{value:.3g} ns", va="center", fontsize=8)
        ax.set_xlim(min(ns) / 2, max(ns) * 8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=120)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python3 plot.py TABLE.json CHART.png")
    main(sys.argv[1], sys.argv[2])
