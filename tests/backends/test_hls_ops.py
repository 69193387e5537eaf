"""Every supported op, through write_hls -> g++ C-simulation, equals hh.predict bit for bit.

The oracle is independent of the reference: the generated C++ computes with the Xilinx
ap_fixed headers (their rounding, overflow and product/sum widths), compiled by g++.
Inputs include out-of-range values and exact rounding ties (hgq_hls.verification.stimulus).
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.verification import stimulus
from tests.backends.hls_models import MODELS

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", list(MODELS))
def test_csim_equals_reference(hls_builds, name):
    g, project, error = hls_builds[name]
    if error is not None:
        raise error
    xs = stimulus(g, 3000, seed=1)
    x = xs if len(xs) > 1 else xs[0]
    got, want = project.predict(x), hh.predict(g, x)
    got, want = (got, want) if isinstance(want, list) else ([got], [want])
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert a.shape == b.shape
        assert_array_equal(a, b)
    assert np.isfinite(want[0]).all()
