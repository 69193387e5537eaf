"""A per-node stacked bar chart of an estimate (matplotlib, an optional extra)."""

from __future__ import annotations

from pathlib import Path


def plot_report(report, path) -> None:
    """LUT, FF and DSP per node (DSPs on their own axis: they count far fewer), saved to ``path``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plotting needs matplotlib: pip install 'hgq_hls[plot]'") from e
    rows = [n for n in report.nodes if n.lut or n.ff or n.dsp]
    labels = [f"{n.node}\n({n.op})" for n in rows]
    x = range(len(rows))
    fig, (ax, ax_dsp) = plt.subplots(2, 1, figsize=(max(6.0, 0.7 * len(rows) + 2), 6), sharex=True,
                                     gridspec_kw=dict(height_ratios=[3, 1]))
    luts = [n.lut for n in rows]
    ax.bar(x, luts, label="LUT", color="#4c72b0")
    ax.bar(x, [n.ff for n in rows], bottom=luts, label="FF", color="#dd8452")
    ax.set_ylabel("LUT + FF")
    ax.set_title(f"hgq_hls estimate ({report.backend}, {report.target})\n{report.lut} LUT, {report.ff} FF, "
                 f"{report.dsp} DSP, {report.latency_cycles} cycles", fontsize=10)
    ax.legend()
    ax_dsp.bar(x, [n.dsp for n in rows], color="#55a868", label="DSP")
    ax_dsp.set_ylabel("DSP")
    ax_dsp.set_xticks(list(x))
    ax_dsp.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    fig.text(0.01, 0.01, report.describes, fontsize=7, color="gray")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
