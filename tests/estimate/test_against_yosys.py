"""The estimator against the committed yosys counts of benchmarks/estimator_designs.py.

yosys is the independent oracle here: its counts were measured by
``python -m benchmarks.estimator_measure`` and committed, so this test needs no synthesis.
Flip-flops and DSPs must match exactly; LUTs of the *report* designs (never used for fitting)
within the tolerances docs/estimator.md states: mean error <= 10%, 90% of designs within 25%,
every design within 50%.
"""

import json
from pathlib import Path

import pytest

import hgq_hls as hh
from benchmarks.estimator_designs import build, names, role, rtl_hash

TABLE = json.loads((Path(__file__).parents[2] / "benchmarks" / "data" / "estimator_yosys.json").read_text())
#: LUT errors the docs promise on report designs of 20 LUTs or more
MAPE, SHARE_WITHIN_25, WORST = 0.10, 0.90, 0.50


@pytest.fixture(scope="module")
def estimates():
    out = {}
    for name in names():
        g = build(name)
        out[name] = (rtl_hash(g), hh.estimate(g))
    return out


def test_every_design_was_measured():
    assert set(TABLE["designs"]) == set(names())
    assert {role(n) for n in names()} == {"fit", "report"}


@pytest.mark.parametrize("name", names())
def test_against_yosys(name, estimates):
    entry = TABLE["designs"][name]
    digest, r = estimates[name]
    assert digest == entry["rtl_hash"], (
        f"{name}: the emitted Verilog changed since yosys measured it; re-run "
        f"`python -m benchmarks.estimator_measure {name}` (and --fit if the change is systematic)")
    assert r.ff == entry["total"]["ff"]
    assert r.dsp == entry["total"]["dsp"]
    per_node = {n.node: n for n in r.nodes}
    for node, counts in entry["nodes"].items():
        assert per_node[node].dsp == counts["dsp"], node
    for node in per_node:
        assert node == "(top)" or node in entry["nodes"]
    if entry["role"] == "report" and entry["total"]["lut"] >= 20:
        assert abs(r.lut - entry["total"]["lut"]) <= WORST * entry["total"]["lut"], (r.lut, entry["total"])


def test_lut_error_over_the_report_designs(estimates):
    errors = [abs(estimates[n][1].lut - e["total"]["lut"]) / e["total"]["lut"]
              for n, e in TABLE["designs"].items() if e["role"] == "report" and e["total"]["lut"] >= 20]
    assert len(errors) >= 30
    assert sum(errors) / len(errors) <= MAPE
    assert sum(e <= 0.25 for e in errors) >= SHARE_WITHIN_25 * len(errors)
