"""Differential tests: quantize / to_mantissa / cast equal ap_fixed (g++ + real headers) bit for bit.

hypothesis draws the type from the oracle's table (every rounding x overflow x sign, edge
and random shapes) and the values: exact ties, values at and beyond the range limits,
values spanning many binades, infinities, and raw mantissas for casts.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from hgq_hls import FixedType, quantize
from hgq_hls.fixed import cast, to_mantissa

from .apfixed_oracle import CAST_FRAC_RANGE
from .conftest import oracle_types

pytestmark = pytest.mark.slow
TYPES = oracle_types()
N_EXAMPLES = 1500


def interesting_floats(t):
    """Floats around type ``t``: ties, limits, overflow, and a wide spread of magnitudes."""
    lsb_exp = -t.frac
    span = max(t.width, 1) + 4

    def on_grid(k, offset):
        return math.ldexp(k + offset, lsb_exp)

    grid_int = st.integers(-(1 << min(span, 60)), 1 << min(span, 60))
    ties = st.builds(on_grid, grid_int, st.sampled_from([0.5, -0.5]))
    near = st.builds(on_grid, grid_int, st.sampled_from([0.0, 0.25, 0.75, 0.4999, 0.5001]))
    limits = st.sampled_from(
        [t.min, t.max, t.min - t.lsb / 2, t.max + t.lsb / 2, t.max + t.lsb, t.min - t.lsb,
         -t.max, -t.max - t.lsb / 2, t.lsb / 2, -t.lsb / 2, 0.0, -0.0]
    )
    spread = st.builds(lambda m, e: math.ldexp(m, e), st.floats(-1, 1),
                       st.integers(lsb_exp - 70, lsb_exp + span + 70))
    wild = st.floats(allow_nan=False, allow_infinity=True, width=64)
    return st.lists(st.one_of(ties, near, limits, spread, wild), min_size=1, max_size=64)


@settings(max_examples=N_EXAMPLES)
@given(data=st.data())
def test_float_to_fixed_equals_apfixed(apfixed, data):
    t = data.draw(st.sampled_from(TYPES), label="type")
    x = np.array(data.draw(interesting_floats(t), label="x"), dtype=np.float64)
    expected = apfixed.from_double(x, t)
    assert_array_equal(to_mantissa(x, t).astype(object), expected, err_msg=str(t))


@settings(max_examples=N_EXAMPLES)
@given(data=st.data())
def test_fixed_to_fixed_cast_equals_apfixed(apfixed, data):
    t = data.draw(st.sampled_from(TYPES), label="type")
    frac = data.draw(st.integers(*CAST_FRAC_RANGE), label="from_frac")
    bits = data.draw(st.integers(1, 63), label="source bits")
    half = 1 << (bits - 1)
    # mantissas of the source, biased towards exact ties and near-ties of the target grid
    shift = frac - t.frac
    tie = st.builds(lambda k, s: (k << shift) + s * (1 << (shift - 1)) if shift > 0 else k,
                    st.integers(-half >> max(shift, 0), (half - 1) >> max(shift, 0)),
                    st.sampled_from([1, -1]))
    plain = st.integers(-half, half - 1)
    m = data.draw(st.lists(st.one_of(plain, tie), min_size=1, max_size=64), label="m")
    m = [v for v in m if -(1 << 63) <= v < (1 << 63)]
    expected = apfixed.cast(m, frac, t)
    got = cast(np.array(m, dtype=np.int64), frac, t)
    assert_array_equal(got.astype(object), expected, err_msg=f"{t} from frac {frac}")


@settings(max_examples=100)
@given(data=st.data())
def test_quantize_returns_the_exact_value_of_the_mantissa(apfixed, data):
    t = data.draw(st.sampled_from([t for t in TYPES if t.width <= 53]), label="type")
    x = np.array(data.draw(interesting_floats(t), label="x"), dtype=np.float64)
    expected = np.array([math.ldexp(int(m), -t.frac) for m in apfixed.from_double(x, t)])
    assert_array_equal(quantize(x, t), expected)


def test_every_mode_combination_is_in_the_oracle_table():
    combos = {(t.signed, t.rounding, t.overflow) for t in TYPES}
    assert len(combos) == 2 * 7 * 4


def test_vectorized_batch_equals_apfixed(apfixed):
    """One large batch per type (the int64 fast path at scale), against the oracle."""
    rng = np.random.default_rng(7)
    for t in TYPES[::7]:
        x = np.concatenate([
            rng.normal(0, max(abs(t.max), t.lsb) * 1.5, 500),
            (rng.integers(-(1 << 20), 1 << 20, 200) + 0.5) * t.lsb,
        ])
        assert_array_equal(to_mantissa(x, t).astype(object), apfixed.from_double(x, t),
                           err_msg=str(t))
        if t.width <= 53:       # the oracle's mantissas as doubles (exact up to 53 bits)
            want = np.array([math.ldexp(float(m), -t.frac) for m in apfixed.from_double(x, t)])
            assert_array_equal(quantize(x, t), want, err_msg=str(t))


def test_values_just_inside_half_an_lsb_equal_apfixed(apfixed):
    """x - floor(x) is not exact for negative x just above -k - 1/2: the remainder rounded to
    1/2 and looked like a tie (found by the hypothesis test above: ap_fixed<2,8,AP_RND_INF,
    AP_SAT> stored -31.999999999999996 as -1 instead of 0)."""
    for t in TYPES:
        if t.width == 0 or abs(t.frac) > 60:
            continue
        halves = np.array([0.5, 1.5, 2.5, 7.5]) * t.lsb
        x = np.concatenate([np.nextafter(v, 0.0) for v in (halves, -halves)]
                           + [np.nextafter(v, np.inf) for v in (halves, -halves)])
        assert_array_equal(to_mantissa(x, t).astype(object), apfixed.from_double(x, t), err_msg=str(t))
    # hand-derived: |x| < 1/2 is no tie, so every round-to-nearest mode gives 0
    x = np.array([np.nextafter(-0.5, 0.0)])
    for mode in ("RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV"):
        assert_array_equal(to_mantissa(x, FixedType(True, 8, 8, mode, "SAT")), [0])
