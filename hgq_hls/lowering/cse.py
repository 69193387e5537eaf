"""Common subexpressions of constant dot products (Hartley's pairwise elimination).

Every dot product is a list of signed, shifted copies of input signals (the CSD digits of its
weights).  A pair of digits that appears in several rows with the same relative shift and
sign, ``x_a + s * (x_b << d)``, is computed once as a new signal and used by every row: the
most frequent pair first, until no pair repeats.  da4ml does this with a cost-aware search;
this greedy form already removes a large share of the adders.

The search runs in a compiled core (``_cse.cpp``, built by ``pip install -e .``), with these
rules, which fix the netlist exactly:

- pairs are counted over every two terms of a row (a term may count in several pairs);
- the most frequent pair is taken first; ties go to the smallest key ``(a, b, d, s)``, where a
  pair is keyed from its term with the smaller ``(signal, shift)``;
- in each row holding the pair (rows in increasing order), the first term that has a partner
  is paired with its earliest partner; both are removed (the later one first) and the new
  signal's term, at the first term's sign and shift, is appended; repeat until none is left.
"""

from __future__ import annotations

import numpy as np

try:
    from . import _cse
except ImportError as exc:            # a source tree used without installing it
    raise ImportError("hgq_hls's compiled core hgq_hls.lowering._cse is not built: run `make setup` "
                      "or `pip install -e .` (needs a C++ compiler, e.g. apt-get install g++)") from exc

#: the most digit pairs one search counts; a layer with more is searched in groups of inputs
#: (each row split by input signal), which bounds generation time at some loss of sharing:
#: measured on a 128x128 8-bit matrix, 18,140 adders in one search (7 s), 19,009 in two
#: groups, 19,846 in four (0.6 s)
GROUP_PAIRS = 2_000_000

Term = tuple[int, int, int]          # (sign, signal, shift)


def eliminate(rows: list[list[Term]], n_signals: int):
    """Rewrite ``rows`` with shared pairs; returns ``(definitions, rows)``.

    Definition ``k`` is ``(a, b, d, s)``: signal ``n_signals + k = x_a + s * (x_b << d)``;
    definitions only use earlier signals.
    """
    rows = [list(r) for r in rows]
    groups = _input_groups(rows, n_signals)
    if len(groups) == 1:
        return _search(rows, n_signals)
    definitions, out = [], [[] for _ in rows]
    for lo, hi in groups:
        part = [[t for t in row if lo <= t[1] < hi] for row in rows]
        found, part = _search(part, n_signals + len(definitions))
        definitions += found
        for row, terms in zip(out, part):
            row += terms
    return definitions, out


def _pairs(rows) -> int:
    return sum(len(r) * (len(r) - 1) for r in rows) // 2


def _input_groups(rows, n_signals: int) -> list[tuple[int, int]]:
    """Contiguous ranges of input signals, each searched on its own: one range when the layer
    has at most GROUP_PAIRS digit pairs, else the fewest ranges of equal digit counts that
    hold at most about GROUP_PAIRS pairs each (a range with 1/k of the digits holds about
    1/k**2 of the pairs).  Pairs of digits from different ranges are not searched."""
    total = _pairs(rows)
    if total <= GROUP_PAIRS:
        return [(0, n_signals)]
    k = 2
    while total / k ** 2 > GROUP_PAIRS:
        k += 1
    digits = np.bincount([t[1] for r in rows for t in r], minlength=n_signals)
    cut = np.searchsorted(np.cumsum(digits), np.arange(1, k) * digits.sum() / k)
    bounds = sorted({0, n_signals, *(int(c) + 1 for c in cut)})
    return list(zip(bounds[:-1], bounds[1:]))


def _search(rows, n_signals: int):
    """One search of the compiled core over ``rows``."""
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    terms = np.array([t for r in rows for t in r], dtype=np.int32).reshape(-1, 3)
    defs, out_terms, out_offsets = _cse.eliminate(terms.tobytes(), offsets.tobytes(), n_signals)
    definitions = [tuple(d) for d in np.frombuffer(defs, dtype=np.int32).reshape(-1, 4).tolist()]
    flat = np.frombuffer(out_terms, dtype=np.int32).reshape(-1, 3).tolist()
    bounds = np.frombuffer(out_offsets, dtype=np.int64).tolist()
    return definitions, [[tuple(t) for t in flat[bounds[r]:bounds[r + 1]]] for r in range(len(rows))]
