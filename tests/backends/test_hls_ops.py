"""Every supported op, through write_hls -> g++ C-simulation, equals hh.predict bit for bit.

The oracle is independent of the reference: the generated C++ computes with the Xilinx
ap_fixed headers (their rounding, overflow and product/sum widths), compiled by g++.
Inputs include out-of-range values and exact rounding ties (hgq_hls.verification.stimulus).
"""

import pytest

from tests.backends.hls_models import MODELS
from tests.backends.outputs import assert_firmware_equals_reference

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", list(MODELS))
def test_csim_equals_reference(hls_builds, name):
    g, project, error = hls_builds[name]
    if error is not None:
        raise error
    assert_firmware_equals_reference(g, project.predict, 3000, seed=1)
