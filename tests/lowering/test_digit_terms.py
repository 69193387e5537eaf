"""The Dense layer's vectorized digit layout is the generic one, term for term.

Oracle: ``digit_terms`` over explicit (input, weight) rows, and the CSD digits of each weight
summed back to the weight (``csd_digits`` is checked against its definition in test_csd).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from hgq_hls.lowering.digit_terms import dense_digit_terms, dense_rows, digit_terms


class _Operand:
    def __init__(self, wire: int, shift: int = 0):
        self.wire, self.shift = wire, shift


def _inputs(copies: int, k: int, rng, shared: bool):
    """Input rows; with ``shared``, some elements repeat across rows (a broadcast input)."""
    wires = rng.integers(0, 3 * k if shared else 10**6, size=(copies, k))
    if not shared:
        wires = np.arange(copies * k).reshape(copies, k)
    return [[_Operand(int(wires[r, i]), int(rng.integers(0, 2)) if shared else 0) for i in range(k)]
            for r in range(copies)]


@pytest.mark.parametrize("copies,k,n,bits,shared,seed", [
    (1, 8, 8, 4, False, 0), (3, 5, 7, 8, False, 1), (2, 6, 4, 6, True, 2), (4, 3, 9, 3, True, 3),
    (1, 1, 1, 2, False, 4), (2, 0, 3, 4, False, 5), (1, 4, 3, 1, False, 6)])
def test_dense_layout_equals_the_generic_rows(copies, k, n, bits, shared, seed):
    rng = np.random.default_rng(seed)
    m = rng.integers(-2 ** (bits - 1), 2 ** (bits - 1), size=(k, n))
    m[rng.random(m.shape) < 0.3] = 0                      # zero weights are skipped
    matrix = m.tolist()
    xs = _inputs(copies, k, rng, shared)
    want = digit_terms(dense_rows(xs, matrix, n))
    got = dense_digit_terms(xs, matrix, n)
    assert [(x.wire, x.shift) for x in got[0]] == [(x.wire, x.shift) for x in want[0]]
    assert_array_equal(got[1], want[1])
    assert_array_equal(got[2], want[2])
    # each row's digits add back to its column's weights (inputs are distinct signals)
    if not shared:
        signals, terms, offsets = got
        sid_of = {(x.wire, x.shift): s for s, x in enumerate(signals)}
        for r in range(copies):
            for j in range(n):
                total = {}
                for sign, sid, shift in terms[offsets[r * n + j]:offsets[r * n + j + 1]].tolist():
                    total[sid] = total.get(sid, 0) + sign * 2 ** shift
                weights = [total.get(sid_of.get((x.wire, x.shift)), 0) for x in xs[r]]
                assert weights == [row[j] for row in matrix]


def test_weights_too_wide_for_int64_take_the_generic_path():
    matrix = [[2 ** 70 + 3, -5], [7, 2 ** 45]]
    xs = [[_Operand(0), _Operand(1)]]
    want = digit_terms(dense_rows(xs, matrix, 2))
    got = dense_digit_terms(xs, matrix, 2)
    assert_array_equal(got[1], want[1])
    assert_array_equal(got[2], want[2])
