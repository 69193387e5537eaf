"""Mixed precision on the committed digits models (scikit-learn's bundled data, no download).

At a LUT budget between the uniform 5- and 6-bit designs, both methods must reach a higher
SQNR than the best uniform design whose estimate fits the budget, with test accuracy no worse.
"""

import sys
from pathlib import Path

import pytest

import hgq_hls as hh
from hgq_hls.precision.groups import calibrate, typed_graph

EXAMPLE = Path(__file__).parents[2] / "examples" / "digits"
sys.path.insert(0, str(EXAMPLE))
from make_models import digits  # noqa: E402
from run import BUDGETS  # noqa: E402

DATA = digits()


def accuracy(g, x, y):
    return float((hh.predict(g, x).argmax(axis=1) == y).mean())


@pytest.fixture(scope="module", params=[(kind, method) for kind in ("mlp", "cnn")
                                        for method in ("pareto", "first-order")])
def search(request):
    kind, method = request.param
    g = hh.load_onnx(EXAMPLE / f"digits_{kind}.onnx")
    calib = DATA[0][:256]
    typed, report = hh.auto_precision(g, calib, bits=range(3, 8), budget={"lut": BUDGETS[kind]}, method=method)
    return kind, g, calib, typed, report


def test_float_models_are_trained():
    x_test, y_test = DATA[2], DATA[3]
    for kind in ("mlp", "cnn"):
        assert accuracy(hh.load_onnx(EXAMPLE / f"digits_{kind}.onnx"), x_test, y_test) > 0.95


def test_mixed_beats_uniform_at_the_same_budget(search):
    kind, g, calib, typed, report = search
    x_test, y_test = DATA[2], DATA[3]
    assert hh.estimate(typed).lut <= BUDGETS[kind]
    best = report.best_uniform()
    assert best is not None and best.cost["lut"] <= BUDGETS[kind]
    assert report.score > best.score
    uniform = typed_graph(g, best.config, calibrate(g, calib))
    assert accuracy(typed, x_test, y_test) >= accuracy(uniform, x_test, y_test)
