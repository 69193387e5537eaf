"""The CSE core: the rewritten rows still compute every dot product, and no pair repeats.

Oracle: numpy's integer matrix product (the rows are evaluated on random integer inputs
from their definitions alone), and a pair count written here from the definition of a pair.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hgq_hls.lowering.csd import csd_digits
from hgq_hls.lowering.cse import eliminate


def _digit_rows(w: np.ndarray, repeat: int = 0):
    """Row j = the CSD digits of column j; with ``repeat``, input i is signal i % repeat read
    at shift i // repeat (a convolution's shifted operands look like this)."""
    def signal(i):
        return (i % repeat, i // repeat) if repeat else (i, 0)

    return [[(s, signal(i)[0], sh + signal(i)[1]) for i in range(w.shape[0])
             for s, sh in csd_digits(int(w[i, j]))] for j in range(w.shape[1])]


def _evaluate(definitions, rows, x: np.ndarray) -> np.ndarray:
    """Every row's value for inputs ``x`` (signals, batch), from the definitions only."""
    signals = [v for v in x.astype(object)]
    for a, b, d, s in definitions:
        signals.append(signals[a] + s * (signals[b] * 2 ** d))
    return np.array([sum((sign * signals[k] * 2 ** shift for sign, k, shift in row),
                         start=np.zeros(x.shape[1], dtype=object)) for row in rows])


def _pair_counts(rows) -> Counter:
    counts = Counter()
    for row in rows:
        for i, t in enumerate(row):
            for u in row[i + 1:]:
                lo, hi = sorted([t, u], key=lambda v: (v[1], v[2]))
                counts[(lo[1], hi[1], hi[2] - lo[2], lo[0] * hi[0])] += 1
    return counts


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 14), st.integers(1, 14), st.integers(2, 9), st.integers(0, 3), st.integers(0, 2**32 - 1),
       st.sampled_from([0, 1, 2, 3, 4]))
def test_rows_compute_the_matrix_product(n_in, n_out, bits, repeat, seed, tie_break):
    rng = np.random.default_rng(seed)
    w = rng.integers(-(2 ** (bits - 1)), 2 ** (bits - 1), (n_in, n_out))
    w[rng.random(w.shape) < 0.3] = 0
    rows = _digit_rows(w, repeat)
    n_signals = repeat or n_in
    definitions, out = eliminate(rows, n_signals, tie_break)
    for k, (a, b, _, s) in enumerate(definitions):
        assert a < n_signals + k and b < n_signals + k and s in (-1, 1)
    x = rng.integers(-128, 128, (n_signals, 5))
    xin = np.array([x[i % repeat] * 2 ** (i // repeat) for i in range(n_in)]) if repeat else x
    np.testing.assert_array_equal(_evaluate(definitions, out, x), (w.T.astype(object) @ xin.astype(object)))
    # greedy to the end: no pair of terms occurs twice in the rewritten rows
    assert max(_pair_counts(out).values(), default=0) < 2


def test_shared_pairs_are_found():
    # x0 + x1 appears in three rows: computed once, each row then reads one signal
    rows = [[(1, 0, 0), (1, 1, 0)], [(1, 0, 0), (1, 1, 0), (1, 2, 0)], [(1, 0, 1), (1, 1, 1)]]
    definitions, out = eliminate(rows, 3)
    assert definitions == [(0, 1, 0, 1)]
    assert out == [[(1, 3, 0)], [(1, 2, 0), (1, 3, 0)], [(1, 3, 1)]]


def test_tie_rules_order_equally_frequent_pairs():
    # x3 + x4 (three rows) becomes s6; then x0 + x1 and x5 + s6 occur twice each at shift 0:
    # rules 0 and 1 take the smaller key (0, 1) first, rule 2 the pair extending the sub-sum s6
    rows = [[(1, 3, 0), (1, 4, 0), (1, 5, 0)], [(1, 3, 0), (1, 4, 0), (1, 5, 0)], [(1, 3, 0), (1, 4, 0)],
            [(1, 0, 0), (1, 1, 0)], [(1, 0, 0), (1, 1, 0)]]
    for rule in (0, 1):
        assert eliminate(rows, 6, rule)[0] == [(3, 4, 0, 1), (0, 1, 0, 1), (5, 6, 0, 1)]
    assert eliminate(rows, 6, 2)[0] == [(3, 4, 0, 1), (5, 6, 0, 1), (0, 1, 0, 1)]
    # a smaller shift still goes first under rule 2: x0 + (x1 << 1) before x5 + (s6 << 2)
    shifted = [[(1, 0, 0), (1, 1, 1)] if k > 2 else [(1, 3, 0), (1, 4, 0)] + ([(1, 5, 2)] if k < 2 else [])
               for k in range(5)]
    assert eliminate(shifted, 6, 2)[0][1] == (0, 1, 1, 1)
    # rule 3 takes the largest key: x5 + s6 before x0 + x1, and x5 + (s6 << -2), keyed from
    # x5's term, before x0 + (x1 << 1); rule 4 takes the smaller shift first, then the largest key
    assert eliminate(rows, 6, 3)[0] == [(3, 4, 0, 1), (5, 6, 0, 1), (0, 1, 0, 1)]
    assert eliminate(shifted, 6, 3)[0] == [(3, 4, 0, 1), (5, 6, -2, 1), (0, 1, 1, 1)]
    assert eliminate(shifted, 6, 4)[0] == [(3, 4, 0, 1), (0, 1, 1, 1), (5, 6, -2, 1)]
    # among equal counts and shifts, rule 4 takes the largest key, rule 1 the smallest
    rows4 = [[(1, 0, 0), (1, 1, 0)], [(1, 0, 0), (1, 1, 0)], [(1, 2, 0), (1, 3, 0)], [(1, 2, 0), (1, 3, 0)]]
    assert eliminate(rows4, 4, 4)[0] == [(2, 3, 0, 1), (0, 1, 0, 1)]
    assert eliminate(rows4, 4, 1)[0] == [(0, 1, 0, 1), (2, 3, 0, 1)]
    with pytest.raises(ValueError, match="tie_break"):
        eliminate(rows4, 4, 5)


def test_out_of_range_terms_are_refused():
    with pytest.raises(ValueError, match="out of range"):
        eliminate([[(1, 0, 5000), (1, 1, 0)], [(1, 0, 5000), (1, 1, 0)]], 2)


def test_large_layers_are_searched_in_groups_of_inputs(monkeypatch):
    # above WHOLE_PAIRS the rows are split by input signal: still exact, and pairs are
    # shared inside each group (before: no sharing at all above the limit), then across
    # groups by a join over the rewritten rows
    import hgq_hls.lowering.cse as cse

    rng = np.random.default_rng(3)
    w = rng.integers(-128, 128, (40, 30))
    rows = _digit_rows(w)
    offsets = np.cumsum([0] + [len(r) for r in rows])
    terms = np.array([t for r in rows for t in r])
    monkeypatch.setattr(cse, "GROUP_PAIRS", cse._pairs(offsets) // 5)
    # a layer up to WHOLE_PAIRS is searched whole, however small the groups would be
    monkeypatch.setattr(cse, "WHOLE_PAIRS", cse._pairs(offsets))
    assert cse._input_groups(terms, offsets, 40) == [(0, 40)]
    monkeypatch.setattr(cse, "WHOLE_PAIRS", cse._pairs(offsets) - 1)
    groups = cse._input_groups(terms, offsets, 40)
    assert len(groups) == 3 and groups[0][0] == 0 and groups[-1][1] == 40
    definitions, out = eliminate(rows, 40)
    assert definitions
    x = rng.integers(-128, 128, (40, 4))
    np.testing.assert_array_equal(_evaluate(definitions, out, x), w.T.astype(object) @ x.astype(object))
    for (a, b, _, _), k in zip(definitions, range(40, 40 + len(definitions))):
        assert a < k and b < k
    # the join searched the rewritten rows to the end: no pair repeats across groups either
    assert max(_pair_counts(out).values(), default=0) < 2
    monkeypatch.setattr(cse, "JOIN_PAIRS", 0)
    unjoined, out = eliminate(rows, 40)
    assert len(unjoined) < len(definitions) and max(_pair_counts(out).values()) >= 2
