"""Division by a constant followed by a cast (a float scale's quantizer), against ``fractions``.

The oracle rounds the exact rational ``x / d`` by each ap_fixed rule written out by hand
(floor, half up, half even, ...) and applies each overflow mode; nothing of hgq_hls's
rounding code is used to compute it.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from hgq_hls.fixed import FixedType
from hgq_hls.fixed.division import divide_cast, divide_cast_float, dyadic
from hgq_hls.fixed.modes import OVERFLOW_MODES, ROUNDING_MODES


def _round(v: Fraction, mode: str) -> int:
    fl = math.floor(v)
    r, neg = v - fl, v < 0
    if mode == "TRN":
        return fl
    if mode == "TRN_ZERO":
        return fl + (1 if neg and r else 0)
    if r != Fraction(1, 2):
        return fl + (1 if r > Fraction(1, 2) else 0)
    return {"RND": fl + 1, "RND_ZERO": fl + int(neg), "RND_MIN_INF": fl,
            "RND_INF": fl + int(not neg), "RND_CONV": fl + fl % 2}[mode]


def oracle(v: Fraction, t: FixedType) -> int:
    """The mantissa ap_fixed stores for the exact value ``v``."""
    q = _round(v * Fraction(2) ** t.frac, t.rounding)
    top = (1 << (t.width - 1)) - 1 if t.signed else (1 << t.width) - 1
    bottom = -(1 << (t.width - 1)) if t.signed else 0
    if t.overflow == "SAT":
        return min(max(q, bottom), top)
    if t.overflow == "SAT_SYM":
        return min(max(q, -top if t.signed else 0), top)
    if t.overflow == "SAT_ZERO":
        return q if bottom <= q <= top else 0
    u = q % (1 << t.width)
    return u - (1 << t.width) if t.signed and u > top else u


@pytest.mark.parametrize("rounding", ROUNDING_MODES)
@pytest.mark.parametrize("overflow", OVERFLOW_MODES)
def test_divide_cast_equals_exact_rational_rounding(rounding, overflow):
    rng = np.random.default_rng(sum(map(ord, rounding + overflow)))
    for _ in range(12):
        t = FixedType(bool(rng.integers(2)), int(rng.integers(2, 10)), int(rng.integers(-3, 8)), rounding, overflow)
        frac, d = int(rng.integers(-3, 8)), int(rng.integers(1, 50)) << int(rng.integers(0, 3))
        # every mantissa in a range, so exact ties (x a multiple of d/2 on the target grid) occur
        m = np.arange(-400, 400)
        want = [oracle(Fraction(int(v)) * Fraction(2) ** -frac / d, t) for v in m]
        assert_array_equal(np.asarray(divide_cast(m, frac, d, t), dtype=object), np.asarray(want, dtype=object))


def test_wide_values_stay_exact():
    """Python-int mantissas of 200 bits divided by a 24-bit odd constant (a float32 scale)."""
    rng = np.random.default_rng(5)
    m = np.array([int(v) << 170 for v in rng.integers(-2**30, 2**30, 50)], dtype=object)
    d, t = 12582917, FixedType(True, 120, 100, "RND_CONV", "SAT")
    want = [oracle(Fraction(int(v), 2**40) / d, t) for v in m]
    assert_array_equal(divide_cast(m, 40, d, t), np.asarray(want, dtype=object))


def test_float_inputs_are_their_exact_rationals():
    x = np.array([0.1, -2.5, 1e-30, 7.0, -0.0, 123456.789])
    d, t = 3, FixedType(True, 16, 6, "RND", "SAT")
    want = [oracle(Fraction(float(v)) / d, t) for v in x]
    assert_array_equal(divide_cast_float(x, d, t), np.asarray(want))


def test_per_channel_divisors_broadcast():
    m = np.arange(24).reshape(2, 3, 4) - 12
    d = np.array([3, 5, 7]).reshape(3, 1)
    t = FixedType(True, 8, 8, "RND_CONV", "SAT")
    got = divide_cast(m, 0, d, t)
    want = np.array([[[oracle(Fraction(int(m[b, c, k]), int(d[c, 0])), t) for k in range(4)]
                      for c in range(3)] for b in range(2)])
    assert_array_equal(got, want)


def test_dyadic_splits_floats_into_odd_times_power_of_two():
    v = np.array([0.75, 3.0, 0.1, 0.0, -6.0, 2.0**-149], dtype=np.float32)
    a, k = dyadic(v)
    for value, odd, exp in zip(v, a, k):
        assert Fraction(float(value)) == Fraction(int(odd)) * Fraction(2) ** int(exp)
        assert odd % 2 == 1 or odd == 0
