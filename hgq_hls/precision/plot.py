"""Cost against score for a precision search: the mixed-precision curve and uniform points."""

from __future__ import annotations

from pathlib import Path


def plot_curve(report, path) -> None:
    """Save the Pareto plot of a :class:`PrecisionReport` to ``path`` (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plotting needs matplotlib: pip install 'hgq_hls[plot]'") from e
    key = next(iter(report.budget)) if report.budget else "lut"
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    curve = sorted(report.curve, key=lambda p: p.cost[key])
    ax.plot([p.cost[key] for p in curve], [p.score for p in curve], "o-", ms=3, label=f"mixed ({report.method})")
    uniform = sorted(report.uniform.items())
    ax.plot([p.cost[key] for _, p in uniform], [p.score for _, p in uniform], "s--", color="gray",
            label="uniform")
    for b, p in uniform:
        ax.annotate(f"{b}b", (p.cost[key], p.score), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.plot([report.cost[key]], [report.score], "*", ms=14, color="crimson", label="chosen")
    if report.budget:
        ax.axvline(report.budget[key], color="crimson", lw=0.8, ls=":", label="budget")
    ax.set_xlabel(f"{key} (hh.estimate, backend={report.backend})")
    ax.set_ylabel(report.score_name)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
