"""HGQ's quantizer in PyTorch against hgq_hls's fixed-point core and the HGQ surrogate gradients.

The oracle for the forward is hgq_hls.fixed (checked against ap_fixed compiled with g++ and
against qonnx): each element converted to its own type by ``elements_from_float``.  The
gradients are compared with their analytic forms (HGQ, Sun et al. 2024, and
``../shared/reference/training_side.md`` section 1.3).
"""

import math

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from hgq_hls.fixed import ROUNDING_MODES, elements_from_float, from_mantissa
from hgq_hls.train import FixedQuantizer

torch.set_num_threads(1)


def random_quantizer(rng, shape, rounding, overflow):
    q = FixedQuantizer(shape, rounding=rounding, overflow=overflow)
    with torch.no_grad():
        q.k.copy_(torch.from_numpy(rng.integers(0, 2, shape).astype(np.float64)))
        q.i.copy_(torch.from_numpy(rng.integers(-2, 4, shape).astype(np.float64)))
        # fractional bits as trained values (not integers): the forward rounds them
        q.f.copy_(torch.from_numpy(rng.integers(-1, 5, shape) + rng.uniform(-0.45, 0.45, shape)))
    return q


def samples(rng, q, n=300):
    """Values across (and beyond) each element's range, a third of them exact ties of its grid."""
    shape = tuple(q.f.shape)
    f = torch.round(q.f).detach().numpy()
    span = 2.0 ** (q.i.numpy() + 1)
    x = rng.uniform(-1.5, 1.5, (n, *shape)) * span
    ties = rng.random(x.shape) < 0.35
    grid = (np.floor(x * 2.0 ** f) + 0.5) * 2.0 ** -f
    return np.where(ties, grid, x)


@pytest.mark.parametrize("overflow", ["SAT", "SAT_SYM", "WRAP"])
@pytest.mark.parametrize("rounding", ROUNDING_MODES)
def test_eval_forward_equals_hgq_hls_per_element(rounding, overflow):
    rng = np.random.default_rng(ROUNDING_MODES.index(rounding) * 3 + len(overflow))
    q = random_quantizer(rng, (4, 5), rounding, overflow).eval()
    x = samples(rng, q)
    types = q.element_types()
    assert types.pruned.any() and (~types.pruned).any()
    want = from_mantissa(*elements_from_float(x, types))
    got = q(torch.from_numpy(x)).detach().numpy()
    assert_array_equal(got, want)


def test_training_forward_saturates_and_has_hgq_gradients():
    rng = np.random.default_rng(1)
    q = random_quantizer(rng, (3, 4), "RND", "SAT").train()
    x = torch.from_numpy(samples(rng, q, n=50)).requires_grad_(True)
    y = q(x)
    upstream = torch.from_numpy(rng.normal(0, 1, y.shape))
    (y * upstream).sum().backward()
    k, i = q.k.numpy(), q.i.numpy()
    f = np.round(q.f.detach().numpy())
    lo, hi = -k * 2.0 ** i, 2.0 ** i - 2.0 ** -f
    xv, yv = x.detach().numpy(), y.detach().numpy()
    pruned = (k + i + f) <= 0
    inside = (xv >= lo) & (xv <= hi) & ~pruned
    # d y / d x: 1 inside the range, 0 where it saturates or the element is pruned
    assert_array_equal(x.grad.numpy(), np.where(inside, upstream.numpy(), 0.0))
    # d y / d f = -ln2 (y - clip(x)), summed over the batch (pruned elements: 0)
    clipped = np.clip(xv, lo, hi)
    want = (np.where(pruned, 0.0, -math.log(2.0) * (yv - clipped)) * upstream.numpy()).sum(axis=0)
    np.testing.assert_allclose(q.f.grad.numpy(), want, rtol=1e-12, atol=1e-12)


def test_wrap_is_not_applied_while_training():
    q = FixedQuantizer((1,), f0=2, i0=1, k0=1, rounding="RND", overflow="WRAP")
    x = torch.tensor([[3.3]], dtype=torch.float64)
    assert float(q.train()(x).detach()) == 3.25                 # rounded, not wrapped (HGQ2's behaviour)
    assert float(q.eval()(x).detach()) == 3.25 - 4.0            # signed 2 integer bits: wraps to -0.75


def test_element_types_are_the_kif_types():
    q = FixedQuantizer((3,), f0=2, i0=1, k0=1, rounding="RND")
    with torch.no_grad():
        q.k.copy_(torch.tensor([1.0, 0.0, 1.0]))
        q.i.copy_(torch.tensor([1.0, 2.0, -3.0]))
        q.f.copy_(torch.tensor([2.4, 0.6, 1.0]))
    t = q.element_types()
    assert str(t.element(0)) == "ap_fixed<4,2,AP_RND,AP_SAT>"          # k + i + f = 4 bits, k + i = 2
    assert str(t.element(1)) == "ap_ufixed<3,2,AP_RND,AP_SAT>"
    assert t.pruned.tolist() == [False, False, True]                   # 1 - 3 + 1 <= 0
