"""Seeded, bounded fuzz of the public API (issue 13): mutated models, corrupt files, misuse.

Every case must end in a result or in one of the documented clear errors (``CLEAR``); a
mutated QONNX model that still imports must compute what qonnx's executor computes (the
independent oracle) wherever float32 holds its values exactly; and no user file may be
lost or changed.  Failures are collected and reported together, each with its seed.
"""

from __future__ import annotations

import math

import numpy as np
import onnx
import pytest

import hgq_hls as hh
from hgq_hls.precision import InfeasibleError
from hgq_hls.toolchain import ToolchainError

from .frontend.test_qonnx_executor_oracle import qonnx_execute
from .fuzz_cases import base_models, corrupted_bytes, mutated

SEED = 20261201
MODEL_CASES = 3000
FILE_CASES = 150
CLEAR = (hh.UnsupportedModelError, hh.InvalidGraphError, hh.ArgumentError, hh.ProjectExistsError,
         hh.ExactnessError, FileNotFoundError, ToolchainError, InfeasibleError)
FLOAT_TYPES = dict(input_type=hh.FixedType(True, 8, 3, "RND", "SAT"),
                   default_type=hh.FixedType(True, 10, 4, "RND", "SAT"))


class Findings:
    """Raw exceptions and wrong results, with the case that produced each."""

    def __init__(self):
        self.raw, self.wrong, self.cases = [], [], 0

    def call(self, case: str, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``; a clear error gives None, any other exception is recorded."""
        try:
            return fn(*args, **kwargs)
        except CLEAR:
            return None
        except Exception as exc:  # noqa: BLE001  (collecting exactly these is the point)
            self.raw.append(f"{case}: {type(exc).__name__}: {str(exc)[:300]}")
            return None

    def check(self):
        assert not self.raw and not self.wrong, "\n".join(
            [f"{len(self.raw)} raw exception(s), {len(self.wrong)} wrong result(s) in {self.cases} cases"]
            + self.raw[:25] + self.wrong[:25])


def _exact_in_float32(g) -> bool:
    return all(t.type is None or (t.type.width <= 24 and abs(t.type.frac) < 100) for t in g.tensors.values())


def _inputs(g, rng, n=16):
    return [rng.normal(0, 4, (n, *g.tensors[name].shape)).astype(np.float32).astype(np.float64)
            for name in g.inputs]


@pytest.fixture(scope="module")
def findings():
    return Findings()


def test_mutated_models(findings, tmp_path):
    rng = np.random.default_rng(SEED)
    bases = base_models()
    compared = 0
    for k in range(MODEL_CASES):
        name, base, needs_types = bases[k % len(bases)]
        model, what = mutated(base, rng)
        case = f"model #{k} ({name}: {what})"
        findings.cases += 1
        g = findings.call(case, hh.load_onnx, model, **(FLOAT_TYPES if needs_types else {}))
        if g is None:
            continue
        xs = _inputs(g, rng)
        y = findings.call(case + " predict", hh.predict, g, xs if len(xs) > 1 else xs[0])
        if y is not None and k % 3 == 0:
            findings.call(case + " estimate", hh.estimate, g, backend="hls")
        if y is not None and k % 60 == 0:               # the writers too, on a sample of mutants
            out = tmp_path / f"mutant{k}"
            writer = hh.write_hls if k % 120 == 0 else hh.write_verilog
            findings.call(case + f" {writer.__name__}", writer, g, out)
        if y is None or needs_types or len(g.inputs) != 1 or g.inputs[0] != "x" or len(g.outputs) != 1:
            continue
        if not _exact_in_float32(g):
            continue
        try:
            want = qonnx_execute(model, xs[0])
        except Exception:  # noqa: BLE001  (the oracle cannot run this mutant: nothing to compare)
            continue
        compared += 1
        if want.shape != y.shape or not np.array_equal(want, y):
            findings.wrong.append(f"{case}: differs from qonnx's executor")
    assert compared > 150, f"only {compared} mutants were compared with the oracle"


def test_corrupt_files(findings, tmp_path):
    rng = np.random.default_rng(SEED + 1)
    bases = base_models()
    for k in range(FILE_CASES):
        name, base, needs_types = bases[k % len(bases)]
        data, what = corrupted_bytes(base, rng)
        path = tmp_path / f"m{k}.onnx"
        path.write_bytes(data)
        findings.cases += 1
        findings.call(f"file #{k} ({name}: {what})", hh.load_onnx, path,
                      **(FLOAT_TYPES if needs_types else {}))


ODD_VALUES = [0, -1, 1, 2.5, float("nan"), float("inf"), -0.0, 1e10, "8", "ap_fixed<8,3>", None, True,
              [1, 2], 1j, "class", "my-project", "", "x" * 300, "../escape", 10**30]


def test_misuse_of_the_api(findings, tmp_path):
    rng = np.random.default_rng(SEED + 2)
    g = hh.load_onnx(base_models()[0][1])
    pick = lambda: ODD_VALUES[rng.integers(len(ODD_VALUES))]  # noqa: E731
    for k in range(120):
        findings.cases += 1
        findings.call(f"FixedType #{k}", hh.FixedType, pick(), pick(), pick(),
                      *(["TRN", "WRAP"] if k % 2 else [pick(), pick()]))
        findings.cases += 1
        findings.call(f"quantize #{k}", hh.quantize, [pick(), 0.5] if k % 3 else pick(),
                      hh.FixedType(True, 8, 3) if k % 2 else pick())
        findings.cases += 1
        x = [np.zeros((2, 6)), np.zeros((2, 7)), np.full((2, 6), np.nan), np.zeros((2, 6)) + 1j,
             "abc", [[1, 2]], np.zeros(6), np.zeros((0, 6)), [np.zeros((2, 6))] * 2, None][k % 10]
        findings.call(f"predict #{k}", hh.predict, g, x)
        findings.cases += 1
        findings.call(f"estimate #{k}", hh.estimate, g, backend=["hls", "verilog", pick()][k % 3],
                      target=["xcvu9p", pick()][k % 2], reuse_factor=[1, pick()][k % 2],
                      clock_ns=[None, pick()][k % 2])
        findings.cases += 1
        findings.call(f"load_onnx #{k}", hh.load_onnx, [pick(), tmp_path, base_models()[0][1]][k % 3],
                      input_type=pick() if k % 2 else None)
    for k in range(40):
        out = tmp_path / f"prj{k}"
        out.mkdir()
        (out / "notes.txt").write_text("precious")
        findings.cases += 1
        kwargs = {key: pick() for key in rng.choice(["clock_ns", "project_name", "tb_samples",
                                                     "reuse_factor", "part"], 2, replace=False)}
        writer = hh.write_hls if k % 2 else hh.write_verilog
        if writer is hh.write_verilog:
            kwargs = {k2: v for k2, v in kwargs.items() if k2 == "project_name"} | {"pipeline": pick()}
        findings.call(f"{writer.__name__} #{k} {kwargs}", writer, g, out, force=bool(k % 4 == 1), **kwargs)
        if (out / "notes.txt").read_text() != "precious":
            findings.wrong.append(f"{writer.__name__} #{k}: a user file was changed or lost")
    digits = base_models()[-2][1]
    for k in range(30):                       # wide and odd declared types on a float model
        findings.cases += 1
        width = int(rng.integers(1, 80))
        t = hh.FixedType(bool(k % 2), width, int(rng.integers(-20, width + 20)),
                         str(rng.choice(["TRN", "RND_CONV"])), str(rng.choice(["WRAP", "SAT", "SAT_SYM"])))
        typed = findings.call(f"load digits with {t}", hh.load_onnx, digits, input_type=t, default_type=t)
        if typed is not None:
            x = rng.normal(0, 4, (8, 64))
            findings.call(f"predict digits {t}", hh.predict, typed, x)
            if k < 6:
                findings.call(f"write_hls digits {t}", hh.write_hls, typed, tmp_path / f"w{k}", tb_samples=4)
    p = hh.write_hls(g, tmp_path / "ok")
    for n in (0, -5, 2.5, "10", None, True):
        findings.cases += 1
        findings.call(f"verify n={n!r}", p.verify, n=n)
    target = tmp_path / "existing.onnx"
    target.write_bytes(b"mine")
    findings.cases += 1
    findings.call("save_qonnx over a file", hh.save_qonnx, g, target)
    if target.read_bytes() != b"mine":
        findings.wrong.append("save_qonnx replaced an existing file without overwrite=True")


def test_no_raw_exceptions_no_wrong_results(findings):
    """Runs last in this module: everything the cases above found, at once."""
    assert findings.cases >= 1000
    findings.check()


def test_findings_catch_raw_errors():
    """The harness itself can fail: a raw exception is recorded, a clear one is not."""
    f = Findings()
    f.call("clear", hh.FixedType.from_ctype, "nonsense")
    f.call("raw", math.sqrt, -1)
    assert len(f.raw) == 1 and f.raw[0].startswith("raw: ValueError")
    with pytest.raises(AssertionError):
        f.check()
    assert onnx.__version__
