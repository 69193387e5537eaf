"""The CSE's input: dot products as rows of signed, shifted input signals (CSD digits)."""

from __future__ import annotations

import numpy as np

from .csd import csd_digits

#: weights at least this large in magnitude take the generic path (int64 arithmetic is exact below)
VECTOR_LIMIT = 2 ** 40


def digit_terms(rows):
    """The CSE's input for rows of ``(operand, weight mantissa)`` pairs: ``(signals, terms,
    offsets)``, the distinct operands (by wire and shift, in order of first use) and each
    row's CSD digits as int32 ``(sign, signal, shift)`` (row ``r``: ``offsets[r]:offsets[r+1]``)."""
    signals, index, digits_of = [], {}, {}
    signs, sids, shifts, lengths = [], [], [], []
    for pairs in rows:
        n = 0
        for x, w in pairs:
            sid = index.setdefault((x.wire, x.shift), len(signals))
            if sid == len(signals):
                signals.append(x)
            digits = digits_of.get(w)
            if digits is None:
                digits = digits_of[w] = csd_digits(int(w))
            for sign, shift in digits:
                signs.append(sign)
                sids.append(sid)
                shifts.append(shift)
            n += len(digits)
        lengths.append(n)
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return signals, np.array([signs, sids, shifts], dtype=np.int32).T.reshape(-1, 3), offsets


def dense_rows(xs: list, matrix: list, n: int) -> list:
    """The ``n`` dot products of ``x @ matrix`` for each input row of ``xs`` (input rows one
    after another), as (input, weight) pairs without zero weights."""
    columns = [[(i, row[j]) for i, row in enumerate(matrix) if row[j]] for j in range(n)]
    return [[(xrow[i], v) for i, v in column] for xrow in xs for column in columns]


def dense_digit_terms(xs: list, matrix: list, n: int):
    """``digit_terms(dense_rows(xs, matrix, n))``, with the digits of one input row laid out once
    and repeated for the others (array operations instead of a loop over every digit)."""
    m = np.array(matrix, dtype=object)
    if m.size == 0 or not xs or np.abs(m).max() >= VECTOR_LIMIT:
        return digit_terms(dense_rows(xs, matrix, n))
    m = m.astype(np.int64)
    # one input row's digits: column by column, inputs in increasing order, each weight's
    # digits from the lowest up (the order of digit_terms)
    cols, ins = np.nonzero(m.T)
    values, value_of = np.unique(m[ins, cols], return_inverse=True)
    digits = [csd_digits(int(v)) for v in values.tolist()]
    counts = np.array([len(d) for d in digits], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    flat = np.array([t for d in digits for t in d], dtype=np.int64).reshape(-1, 2)
    per_weight = counts[value_of]
    weight_of_digit = np.repeat(np.arange(len(ins)), per_weight)
    rank = np.arange(len(weight_of_digit)) - np.repeat(np.cumsum(per_weight) - per_weight, per_weight)
    digit = flat[starts[value_of[weight_of_digit]] + rank]
    local = ins[weight_of_digit]
    column_lengths = np.bincount(cols[weight_of_digit], minlength=m.shape[1])
    # signals in order of first use: each input row's inputs in the order its digits use them
    first = np.unique(local, return_index=True)
    used = first[0][np.argsort(first[1], kind="stable")].tolist()
    signals, index = [], {}
    sid = np.zeros((len(xs), m.shape[0]), dtype=np.int64)
    for r, xrow in enumerate(xs):
        for i in used:
            x = xrow[i]
            s = index.setdefault((x.wire, x.shift), len(signals))
            if s == len(signals):
                signals.append(x)
            sid[r, i] = s
    copies = len(xs)
    terms = np.empty((copies * len(local), 3), dtype=np.int32)
    terms[:, 0] = np.tile(digit[:, 0], copies)
    terms[:, 1] = sid[:, local].ravel()
    terms[:, 2] = np.tile(digit[:, 1], copies)
    offsets = np.zeros(copies * m.shape[1] + 1, dtype=np.int64)
    np.cumsum(np.tile(column_lengths, copies), out=offsets[1:])
    return signals, terms, offsets
