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
            # _key inlined: this loop runs once per digit pair
            if (t[1], t[2]) > (u[1], u[2]):
                key = (u[1], t[1], t[2] - u[2], t[0] * u[0])
            else:
                key = (t[1], u[1], u[2] - t[2], t[0] * u[0])
            counts[key] += delta
            if delta > 0:
                where[key].add(r)
                if counts[key] >= 2 and heap is not None:
                    heapq.heappush(heap, (-counts[key], key))

    heap = None                      # filled once the initial counts are known
    for r, row in enumerate(rows):
        for i in range(len(row)):
            account(r, row[i], row[i + 1:], 1)
    heap = [(-c, key) for key, c in counts.items() if c >= 2]
    heapq.heapify(heap)
    definitions = []
    while heap:
        negative, key = heapq.heappop(heap)
        if counts[key] != -negative:
            # the count fell since this entry was pushed: re-queue it at its current count
            # (every key counted twice or more keeps an entry at least as high as its count)
            if counts[key] >= 2:
                heapq.heappush(heap, (-counts[key], key))
            continue
        signal = n_signals + len(definitions)
        definitions.append(key)
        for r in sorted(where.pop(key)):
            _substitute(rows, r, key, signal, account)
    return definitions, rows


def _partners(t: Term, key) -> list[Term]:
    """The terms that form pair ``key`` with ``t`` (``t`` first or second in key order)."""
    a, b, d, s = key
    found = []
    if t[1] == a:
        found.append((s * t[0], b, t[2] + d))
    if t[1] == b:
        found.append((s * t[0], a, t[2] - d))
    return [u for u in found if _key(t, u)[0] == key]


def _substitute(rows, r, key, signal, account):
    """Replace every non-overlapping occurrence of pair ``key`` in row ``r`` by ``signal``.

    Scans for the first term that has a partner and pairs it with the earliest partner,
    then starts again; partners are looked up by value, so a scan is linear in the row.
    """
    row = rows[r]
    while True:
        position: dict = {}
        for k, term in enumerate(row):
            position.setdefault(term, []).append(k)
        match = None
        for i, t in enumerate(row):
            js = [j for u in _partners(t, key) for j in position.get(u, ()) if j != i]
            if js:
                match = (i, min(js))
                break
        if match is None:
            return
        i, j = match
        _, (sign, shift) = _key(row[i], row[j])
        for k in sorted((i, j), reverse=True):
            removed = row.pop(k)
            account(r, removed, row, -1)
        new = (sign, signal, shift)
        account(r, new, row, 1)
        row.append(new)
