"""Common subexpressions of constant dot products (Hartley's pairwise elimination).

Every dot product is a list of signed, shifted copies of input signals (the CSD digits of its
weights).  A pair of digits that appears in several rows with the same relative shift and
sign, ``x_a + s * (x_b << d)``, is computed once as a new signal and used by every row: the
most frequent pair first, until no pair repeats.  da4ml does this with a cost-aware search;
this greedy form already removes a large share of the adders.

The search runs in a compiled core (``_cse.cpp``, built by ``pip install -e .``), with these
rules, which fix the netlist exactly:

- pairs are counted over every two terms of a row (a term may count in several pairs);
- the most frequent pair is taken first; ties go to the smallest key ``(a, b, d, s)`` (or by
  the rules of ``tie_break``), where a pair is keyed from its term with the smaller
  ``(signal, shift)``;
- in each row holding the pair (rows in increasing order), the first term that has a partner
  is paired with its earliest partner; both are removed (the later one first) and the new
  signal's term, at the first term's sign and shift, is appended; repeat until none is left.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

try:
    from . import _cse
except ImportError as exc:            # a source tree used without installing it
    raise ImportError("hgq_hls's compiled core hgq_hls.lowering._cse is not built: run `make setup` "
                      "or `pip install -e .` (needs a C++ compiler, e.g. apt-get install g++)") from exc

#: a layer with at most this many digit pairs is searched whole: a whole search finds 3-5%
#: fewer adders than input groups (below), and up to this size it takes at most ~1.4 s here
#: (the search time grows a little faster than the pairs: 1.4M pairs 0.2 s, 5.5M 0.9 s,
#: 8.0M 1.4 s).  Measured, estimated LUTs: a 128x128 8-bit matrix (8.0M pairs) 218,915 in two
#: groups and a join -> 213,151 whole (da4ml 0.6 in yosys: 215,420); a 128-256-256-10 MLP
#: (its 5.5M-pair first layer whole) 796,802 -> 791,636, 1.1 -> 1.5 s cold
WHOLE_PAIRS = 8_500_000
#: a larger layer is searched in groups of inputs (each row split by input signal) of at most
#: about this many pairs each, side by side on parallel threads, which bounds its time at some
#: loss of sharing: 22M pairs in four groups of 1.4M take 0.4 s here on 2 cores, in two
#: groups of 5.5M 1.0 s; measured on a 128x128 8-bit matrix, 18,140 adders in one search,
#: 19,009 in two groups, 19,846 in four
GROUP_PAIRS = 2_200_000
#: after a grouped search, the rewritten rows (far fewer terms) are searched once more when
#: they hold at most this many pairs: measured on a 128x128 8-bit matrix in two groups (893k
#: pairs left of 8.0M), 3.6% fewer estimated LUTs than the groups alone
JOIN_PAIRS = 2_000_000

Term = tuple[int, int, int]          # (sign, signal, shift)


def eliminate(rows: list[list[Term]], n_signals: int, tie_break: int = 0):
    """Rewrite ``rows`` with shared pairs (ties by ``tie_break``, see :func:`eliminate_flat`);
    returns ``(definitions, rows)``.

    Definition ``k`` is ``(a, b, d, s)``: signal ``n_signals + k = x_a + s * (x_b << d)``;
    definitions only use earlier signals.
    """
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    terms = np.array([t for r in rows for t in r], dtype=np.int32).reshape(-1, 3)
    definitions, terms, offsets = eliminate_flat(terms, offsets, n_signals, tie_break)
    flat, bounds = terms.tolist(), offsets.tolist()
    return ([tuple(d) for d in definitions.tolist()],
            [[tuple(t) for t in flat[bounds[r]:bounds[r + 1]]] for r in range(len(rows))])


#: searches started ahead of the lowering that needs them (:func:`search_ahead`), by digest
_AHEAD: dict[bytes, Future] = {}
_AHEAD_POOL: list[ThreadPoolExecutor] = []


def _digest(terms: np.ndarray, offsets: np.ndarray, n_signals: int, tie_break: int) -> bytes:
    h = hashlib.blake2b(terms.tobytes(), digest_size=20)
    h.update(offsets.tobytes())
    h.update(f"{n_signals} {tie_break}".encode())
    return h.digest()


def _arrays(terms, offsets):
    return (np.ascontiguousarray(terms, dtype=np.int32).reshape(-1, 3),
            np.ascontiguousarray(offsets, dtype=np.int64))


def search_ahead(terms: np.ndarray, offsets: np.ndarray, n_signals: int, tie_break: int = 0) -> None:
    """Start :func:`eliminate_flat` of these rows on a background thread; the call that asks
    for the same rows later takes its result.  The core runs without the GIL, so the search
    of a later layer proceeds while Python builds the cells of an earlier one (layers'
    searches do not depend on each other), and on a machine with several cores the next
    layer's search while the first one's runs.  :func:`forget_ahead` drops unclaimed results."""
    terms, offsets = _arrays(terms, offsets)
    key = _digest(terms, offsets, n_signals, tie_break)
    if key not in _AHEAD:
        if not _AHEAD_POOL:
            _AHEAD_POOL.append(ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="hgq_cse"))
        _AHEAD[key] = _AHEAD_POOL[0].submit(_eliminate, terms, offsets, n_signals, tie_break)


def forget_ahead() -> None:
    """Drop the searches started ahead and not claimed (waiting for running ones)."""
    for future in _AHEAD.values():
        future.cancel() or future.exception()
    _AHEAD.clear()


def eliminate_flat(terms: np.ndarray, offsets: np.ndarray, n_signals: int, tie_break: int = 0):
    """:func:`eliminate` on arrays: ``terms`` (n, 3) int32 rows of (sign, signal, shift), row
    ``r`` being ``terms[offsets[r]:offsets[r + 1]]``; returns ``(definitions (k, 4), terms,
    offsets)`` in the same form.  ``tie_break`` orders pairs of equal count: 0 by key, 1 by
    the smaller shift ``|d|`` first (then by key), 2 as 1 but among equal shifts a pair whose
    second signal is a found sub-sum (``b >= n_signals``) first, 3 by the largest key first
    (the pairs of the newest signals, as da4ml's search takes them), 4 by the smaller shift
    first, then the largest key."""
    terms, offsets = _arrays(terms, offsets)
    if _AHEAD:
        ahead = _AHEAD.pop(_digest(terms, offsets, n_signals, tie_break), None)
        if ahead is not None:
            return ahead.result()
    return _eliminate(terms, offsets, n_signals, tie_break)


def _eliminate(terms: np.ndarray, offsets: np.ndarray, n_signals: int, tie_break: int):
    """The search itself: one core call, or one per input group on parallel threads and a
    join over their results."""
    groups = _input_groups(terms, offsets, n_signals)
    if len(groups) == 1:
        return _search(terms, offsets, n_signals, tie_break)
    n_rows = len(offsets) - 1
    row_of = np.repeat(np.arange(n_rows), np.diff(offsets))

    def search_group(bounds):
        keep = (terms[:, 1] >= bounds[0]) & (terms[:, 1] < bounds[1])
        part_offsets = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of[keep], minlength=n_rows), out=part_offsets[1:])
        return _search(terms[keep], part_offsets, n_signals, tie_break)

    # the groups are independent searches (the core releases the GIL): run them side by side,
    # each numbering its new signals from n_signals, then renumber them one group after another
    with ThreadPoolExecutor(max_workers=min(len(groups), os.cpu_count() or 1)) as pool:
        results = list(pool.map(search_group, groups))
    found, parts, part_rows, offset = [], [], [], 0
    for defs, part, part_offsets in results:
        defs, part = defs.copy(), part.copy()
        for column in (defs[:, 0], defs[:, 1], part[:, 1]):
            column[column >= n_signals] += offset
        offset += len(defs)
        found.append(defs)
        parts.append(part)
        part_rows.append(np.repeat(np.arange(n_rows), np.diff(part_offsets)))
    # each row: its terms from the first group, then the second, ... (a stable sort by row)
    order = np.argsort(np.concatenate(part_rows), kind="stable")
    out_offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(np.concatenate(part_rows), minlength=n_rows), out=out_offsets[1:])
    found, out_terms = np.concatenate(found), np.concatenate(parts)[order]
    if _pairs(out_offsets) > JOIN_PAIRS:
        return found, out_terms, out_offsets
    # the join: one more search over the rewritten rows finds the pairs across groups (and
    # between the groups' sub-sums), numbering its signals after the groups' ones
    joined, out_terms, out_offsets = _search(out_terms, out_offsets, n_signals + len(found), tie_break)
    return np.concatenate([found, joined]), out_terms, out_offsets


def _pairs(offsets: np.ndarray) -> int:
    lengths = np.diff(offsets)
    return int((lengths * (lengths - 1)).sum() // 2)


def _input_groups(terms: np.ndarray, offsets: np.ndarray, n_signals: int) -> list[tuple[int, int]]:
    """Contiguous ranges of input signals, each searched on its own: one range when the layer
    has at most WHOLE_PAIRS digit pairs, else the fewest ranges of equal digit counts that
    hold at most about GROUP_PAIRS pairs each (a range with 1/k of the digits holds about
    1/k**2 of the pairs).  Pairs of digits from different ranges are not searched."""
    total = _pairs(offsets)
    if total <= WHOLE_PAIRS:
        return [(0, n_signals)]
    k = 2
    while total / k ** 2 > GROUP_PAIRS:
        k += 1
    digits = np.bincount(terms[:, 1], minlength=n_signals)
    cut = np.searchsorted(np.cumsum(digits), np.arange(1, k) * digits.sum() / k)
    bounds = sorted({0, n_signals, *(int(c) + 1 for c in cut)})
    return list(zip(bounds[:-1], bounds[1:]))


def _search(terms: np.ndarray, offsets: np.ndarray, n_signals: int, tie_break: int = 0):
    """One search of the compiled core."""
    defs, out_terms, out_offsets = _cse.eliminate(np.ascontiguousarray(terms, dtype=np.int32).tobytes(),
                                                  np.ascontiguousarray(offsets, dtype=np.int64).tobytes(),
                                                  n_signals, tie_break)
    return (np.frombuffer(defs, dtype=np.int32).reshape(-1, 4), np.frombuffer(out_terms, dtype=np.int32).reshape(-1, 3),
            np.frombuffer(out_offsets, dtype=np.int64))
