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

#: skip the search above this many digit pairs (keeps generation time bounded)
MAX_PAIRS = 4_000_000

Term = tuple[int, int, int]          # (sign, signal, shift)


def eliminate(rows: list[list[Term]], n_signals: int):
    """Rewrite ``rows`` with shared pairs; returns ``(definitions, rows)``.

    Definition ``k`` is ``(a, b, d, s)``: signal ``n_signals + k = x_a + s * (x_b << d)``;
    definitions only use earlier signals.
    """
    rows = [list(r) for r in rows]
    if sum(len(r) ** 2 for r in rows) // 2 > MAX_PAIRS:
        return [], rows
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    terms = np.array([t for r in rows for t in r], dtype=np.int32).reshape(-1, 3)
    defs, out_terms, out_offsets = _cse.eliminate(terms.tobytes(), offsets.tobytes(), n_signals)
    definitions = [tuple(d) for d in np.frombuffer(defs, dtype=np.int32).reshape(-1, 4).tolist()]
    flat = np.frombuffer(out_terms, dtype=np.int32).reshape(-1, 3).tolist()
    bounds = np.frombuffer(out_offsets, dtype=np.int64).tolist()
    return definitions, [[tuple(t) for t in flat[bounds[r]:bounds[r + 1]]] for r in range(len(rows))]
