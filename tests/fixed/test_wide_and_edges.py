"""Width 0, wide mantissas, and the errors that protect against silent wrong values."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from hgq_hls import FixedType, quantize
from hgq_hls.fixed import cast, from_mantissa, storage_dtype, to_mantissa


@pytest.mark.parametrize("t", [FixedType(True, 0, 0), FixedType(False, 0, 5, "RND", "SAT")])
def test_width_zero_is_constant_zero(t):
    x = np.array([-1e9, -1.0, -0.0, 0.3, 7.5, 1e300])
    assert_array_equal(quantize(x, t), np.zeros(6))
    assert_array_equal(cast(np.arange(-5, 5), 2, t), np.zeros(10, dtype=np.int64))


def test_storage_switches_to_exact_python_ints_beyond_62_bits():
    assert storage_dtype(62) == np.int64
    assert storage_dtype(63) == object
    t = FixedType(True, 100, 90)
    m = to_mantissa(np.array([2.0**80 + 2.0**28, -3.0]), t)
    assert m.dtype == object
    # hand-derived: 10 fractional bits
    assert list(m) == [2**90 + 2**38, -3 * 2**10]


def test_int64_input_is_widened_when_a_shift_would_overflow():
    t = FixedType(True, 62, 10)          # 52 fractional bits
    m = cast(np.array([2**59 + 1, -(2**59)], dtype=np.int64), 0, t.replace(overflow="WRAP"))
    # (2**59 + 1) << 52 wraps to its low 62 bits: 2**52, then sign-extended (bit 61 clear)
    assert list(m) == [2**52, 0]


def test_overflow_error_names_the_tensor():
    with pytest.raises(OverflowError, match=r"'dense_1_acc'.*70-bit"):
        storage_dtype(70, name="dense_1_acc", allow_object=False)


def test_inexact_float_results_raise_instead_of_rounding():
    t = FixedType(False, 60, 60, "TRN", "SAT")  # max = 2**60 - 1 needs 60 significant bits
    m = to_mantissa(np.array([1e30]), t)
    assert int(m[0]) == 2**60 - 1
    with pytest.raises(OverflowError, match="not exactly representable"):
        from_mantissa(m, t.frac)


def test_nan_is_rejected():
    with pytest.raises(ValueError, match="NaN"):
        quantize(np.array([1.0, np.nan]), FixedType(True, 8, 3))


def test_cast_rejects_float_mantissas():
    with pytest.raises(TypeError, match="integer mantissas"):
        cast(np.array([1.5]), 0, FixedType(True, 8, 3))


def test_per_element_source_frac():
    # 3 * 2^-1 and 3 * 2^-3 into a 1-fractional-bit type, floor rounding
    out = cast(np.array([3, 3]), np.array([1, 3]), FixedType(True, 8, 7))
    assert_array_equal(out, [3, 0])
