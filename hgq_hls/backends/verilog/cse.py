"""Common subexpressions of constant dot products (Hartley's pairwise elimination).

Every dot product is a list of signed, shifted copies of input signals (the CSD digits of its
weights).  A pair of digits that appears in several rows with the same relative shift and
sign, ``x_a + s * (x_b << d)``, is computed once as a new signal and used by every row: the
most frequent pair first, until no pair repeats.  da4ml does this with a cost-aware search;
this greedy form already removes a large share of the adders.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

#: skip the search above this many digit pairs (keeps generation time bounded)
MAX_PAIRS = 4_000_000

Term = tuple[int, int, int]          # (sign, signal, shift)


def _key(t: Term, u: Term):
    """Pair key and the (sign, shift) at which the new signal replaces the pair."""
    if (t[1], t[2]) > (u[1], u[2]):
        t, u = u, t
    return (t[1], u[1], u[2] - t[2], t[0] * u[0]), (t[0], t[2])


def eliminate(rows: list[list[Term]], n_signals: int):
    """Rewrite ``rows`` with shared pairs; returns ``(definitions, rows)``.

    Definition ``k`` is ``(a, b, d, s)``: signal ``n_signals + k = x_a + s * (x_b << d)``;
    definitions only use earlier signals.
    """
    rows = [list(r) for r in rows]
    if sum(len(r) ** 2 for r in rows) // 2 > MAX_PAIRS:
        return [], rows
    counts: dict = defaultdict(int)
    where: dict = defaultdict(set)

    def account(r, t, others, delta):
        for u in others:
            key, _ = _key(t, u)
            counts[key] += delta
            if delta > 0:
                where[key].add(r)
            if counts[key] >= 2:
                heapq.heappush(heap, (-counts[key], key))

    heap: list = []
    for r, row in enumerate(rows):
        for i in range(len(row)):
            account(r, row[i], row[i + 1:], 1)
    definitions = []
    while heap:
        negative, key = heapq.heappop(heap)
        if counts[key] != -negative:
            continue                                   # stale entry
        if counts[key] < 2:
            break
        signal = n_signals + len(definitions)
        definitions.append(key)
        for r in sorted(where.pop(key)):
            _substitute(rows, r, key, signal, account)
    return definitions, rows


def _substitute(rows, r, key, signal, account):
    """Replace every non-overlapping occurrence of pair ``key`` in row ``r`` by ``signal``."""
    row = rows[r]
    i = 0
    while i < len(row):
        match = None
        for j in range(len(row)):
            if j != i and _key(row[i], row[j])[0] == key:
                match = j
                break
        if match is None:
            i += 1
            continue
        t, u = row[i], row[match]
        _, (sign, shift) = _key(t, u)
        for k in sorted((i, match), reverse=True):
            removed = row.pop(k)
            account(r, removed, row, -1)
        new = (sign, signal, shift)
        account(r, new, row, 1)
        row.append(new)
        i = 0
