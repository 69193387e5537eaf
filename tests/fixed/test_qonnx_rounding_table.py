"""quantize() reproduces QONNX's published rounding table (docs of qonnx IntQuant)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from hgq_hls import FixedType, quantize
from hgq_hls.fixed import QONNX_ROUNDING

INPUTS = [5.5, 2.5, 1.6, 1.1, -1.1, -1.6, -2.5, -5.5]
# the table from QONNX's documentation, reproduced in shared/reference/mixed_precision.md §7.1
TABLE = {
    "ROUND": [6, 2, 2, 1, -1, -2, -2, -6],
    "FLOOR": [5, 2, 1, 1, -2, -2, -3, -6],
    "DOWN": [5, 2, 1, 1, -1, -1, -2, -5],
    "HALF_UP": [6, 3, 2, 1, -1, -2, -3, -6],
    "HALF_DOWN": [5, 2, 2, 1, -1, -2, -2, -5],
}


@pytest.mark.parametrize("mode", sorted(TABLE))
def test_qonnx_rounding_modes(mode):
    t = FixedType.from_qonnx(8, 1.0, True, False, mode)
    assert t.rounding == QONNX_ROUNDING[mode]
    assert_array_equal(quantize(np.array(INPUTS), t), np.array(TABLE[mode], dtype=float))


def test_ap_rnd_ties_go_up_and_min_inf_ties_go_down():
    # UG1399: AP_RND rounds ties towards +inf, AP_RND_MIN_INF towards -inf
    x = np.array([1.25, -1.25, 0.75, -0.75])
    assert_array_equal(quantize(x, FixedType(True, 8, 7, "RND")), [1.5, -1.0, 1.0, -0.5])
    assert_array_equal(quantize(x, FixedType(True, 8, 7, "RND_MIN_INF")), [1.0, -1.5, 0.5, -1.0])
