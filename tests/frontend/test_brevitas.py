"""A model exported by Brevitas (QONNX) imports and matches Brevitas's own outputs exactly.

The data in tests/data/brevitas/ was written by make_brevitas_model.py (torch + Brevitas;
``pip install -e '.[train]'``): the exported model, inputs, and Brevitas's outputs.
"""

from pathlib import Path

import numpy as np
from numpy.testing import assert_array_equal

import hgq_hls as hh

DATA = Path(__file__).resolve().parents[1] / "data" / "brevitas"


def test_brevitas_export_matches_brevitas_outputs():
    g = hh.load_onnx(DATA / "mlp_qonnx.onnx")
    x = np.load(DATA / "x.npy").astype(np.float64)
    expected = np.load(DATA / "y_brevitas.npy").astype(np.float64)
    assert_array_equal(hh.predict(g, x), expected)
    # Brevitas's fixed-point quantizers arrive as declared ap_fixed types
    declared = [t.type for t in g.tensors.values() if t.declared]
    assert hh.FixedType(False, 6, 0, "RND_CONV", "SAT") in declared
