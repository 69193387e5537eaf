"""Interval sizing: accumulators sized by Interval never overflow and are the smallest that fit.

The check is independent of the code under test: exact sums are formed with Python ints at
the inputs that reach each output's extremes (and at random inputs), and the chosen type's
bounds and grid are tested directly.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hgq_hls import FixedType
from hgq_hls.fixed import Interval


def _holds(t: FixedType, value_num: int, value_frac: int) -> bool:
    """Does ``t`` hold ``value_num * 2**-value_frac`` exactly?  (pure Python ints)"""
    shift = t.frac - value_frac
    if shift >= 0:
        m = value_num << shift
    else:
        if value_num % (1 << -shift):
            return False
        m = value_num >> -shift
    return t.min_mantissa <= m <= t.max_mantissa


def test_hand_derived_sums_and_products():
    a = Interval.from_type(FixedType(True, 4, 2))       # [-2, 1.75] step 0.25
    b = Interval.from_type(FixedType(False, 3, 0))      # [0, 0.875] step 0.125
    s = a + b
    assert (float(s.min), float(s.max), float(s.step)) == (-2.0, 2.625, 0.125)
    assert s.fixed_type() == FixedType(True, 6, 3)
    p = a * b
    assert (float(p.min), float(p.max), float(p.step)) == (-1.75, 1.53125, 0.03125)
    d = a - a
    assert (float(d.min), float(d.max)) == (-3.75, 3.75)
    r = a.relu()
    assert r.fixed_type() == FixedType(False, 3, 1)


def test_constants_use_their_own_lowest_bit():
    c = Interval.from_floats(np.array([0.75, -4.0, 0.0]))
    assert list(c.step[:2]) == [0.25, 4.0]
    assert c.fixed_type() == FixedType(True, 5, 3)           # -4 .. 0.75 on a 0.25 grid
    assert Interval.from_floats(np.zeros(3)).fixed_type().width == 0


def test_maximum_minimum_and_hull():
    a = Interval.from_floats(np.array([-1.0, 3.0]))
    b = Interval.from_floats(np.array([0.5, 2.0]))
    assert list(a.maximum(b).max) == [0.5, 3.0]
    assert list(a.minimum(b).min) == [-1.0, 2.0]
    h = Interval.from_type(FixedType(True, 4, 2), (3,)).hull()
    assert (float(h.min), float(h.max)) == (-2.0, 1.75)


def test_contains():
    a = Interval.from_type(FixedType(True, 4, 2))
    assert list(a.contains([-8, 7, 8, 1], [2, 2, 2, 3])) == [True, True, False, False]


types = st.builds(FixedType, st.booleans(), st.integers(1, 12), st.integers(-4, 14))


@settings(max_examples=150)
@given(tx=types, data=st.data())
def test_matmul_accumulator_never_overflows_and_is_minimal(tx, data):
    n = data.draw(st.integers(1, 12), label="n_in")
    k = data.draw(st.integers(1, 6), label="n_out")
    w_frac = data.draw(st.integers(-2, 8), label="w_frac")
    w = np.array(data.draw(st.lists(st.integers(-40, 40), min_size=n * k, max_size=n * k)),
                 dtype=np.int64).reshape(n, k)
    acc = Interval.from_type(tx, (n,)) @ Interval.exact(w, w_frac)
    t = acc.fixed_type()

    lo, hi = tx.min_mantissa, tx.max_mantissa
    frac = tx.frac + w_frac
    seed = data.draw(st.integers(0, 2**31), label="seed")
    rng = np.random.default_rng(seed)
    samples = [rng.integers(lo, hi + 1, n) for _ in range(20)]
    samples += [np.full(n, lo), np.full(n, hi)]
    attained_lo, attained_hi = [], []
    for j in range(k):
        col = [int(v) for v in w[:, j]]
        x_max = [hi if c > 0 else lo for c in col]      # reaches the column's maximum
        x_min = [lo if c > 0 else hi for c in col]      # ... and its minimum
        for x in samples + [x_max, x_min]:
            value = sum(int(xi) * c for xi, c in zip(x, col))
            assert _holds(t, value, frac), (t, value, frac)
        attained_hi.append(sum(xi * c for xi, c in zip(x_max, col)))
        attained_lo.append(sum(xi * c for xi, c in zip(x_min, col)))

    if t.width == 0:
        assert not any(attained_lo) and not any(attained_hi)
        return
    # minimal range: the extremes are reached, so one integer bit less cannot hold them
    narrower = t.replace(width=t.width - 1, integer=t.integer - 1)
    extremes = [(v, frac) for v in attained_lo + attained_hi]
    assert not all(_holds(narrower, v, f) for v, f in extremes)
    # minimal grid: a single input at its lsb times the finest weight reaches the step
    coarser = t.replace(width=t.width - 1)
    if hi >= 1 or lo <= -1:
        unit = 1 if hi >= 1 else -1
        reached = [unit * int(c) for c in w.ravel() if c]
        assert not all(_holds(coarser, v, frac) for v in reached)


def test_wide_accumulators_stay_exact():
    x = Interval.from_type(FixedType(True, 40, 20), (64,))
    w = Interval.exact(np.full((64, 2), (1 << 40) - 1, dtype=np.int64), 0)
    t = (x @ w).fixed_type()
    # 64 * 2^39 * (2^40 - 1): 1 + 39 + 40 + 6 bits
    assert t.width == 86 and t.signed


@pytest.mark.parametrize("shape", [(3,), (2, 3)])
def test_sum_over_axis(shape):
    x = Interval.from_type(FixedType(False, 4, 4), shape)
    s = x.sum(axis=-1)
    assert s.shape == shape[:-1]
    assert float(s.hull().max) == 15.0 * shape[-1]
