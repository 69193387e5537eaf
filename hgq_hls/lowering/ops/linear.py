"""Lowering of Dense and Conv: constant multiplications as shift-and-add trees."""

from __future__ import annotations

import numpy as np

from ..csd import csd_digits
from ..cse import eliminate_flat
from ..geometry import window_geometry, window_taps
from ..netlist import Operand
from .base import lowering


def dot_products(net, rows, weight_frac, biases=None, bias_frac=0):
    """``sum(x * w) (+ bias)`` for every row of ``(operand, weight mantissa)`` pairs.

    Weights become CSD digits (shifted copies of their input); digit pairs shared by several
    rows are computed once (:mod:`.cse`); each row is then a tree of adders.
    """
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
    terms = np.array([signs, sids, shifts], dtype=np.int32).T.reshape(-1, 3)
    definitions, terms, offsets = eliminate_flat(terms, offsets, len(signals))
    for a, b, d, s in definitions.tolist():
        x, y = signals[a], signals[b]
        signals.append(net.add(x, Operand(y.wire, y.shift + d), subtract=s < 0))
    # operand k of a row reads signal sid at shift + signal shift - weight_frac
    bases = [(x.wire, x.shift - weight_frac) for x in signals]
    flat, bounds = terms.tolist(), offsets.tolist()
    out = []
    for k in range(len(rows)):
        terms_k = []
        for sign, sid, shift in flat[bounds[k]:bounds[k + 1]]:
            wire, base = bases[sid]
            terms_k.append((sign, Operand(wire, base + shift)))
        if biases is not None and biases[k]:
            terms_k.append((1, net.const(int(biases[k]), bias_frac)))
        out.append(net.sum(terms_k) or net.const(0, weight_frac))
    return out


@lowering("Dense")
def dense(net, node, ins, g):
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    k, n = w.shape
    rows = x.reshape(-1, k)
    m, xs = w.m.tolist(), rows.tolist()          # lists: numpy's element indexing is slow
    columns = [[(i, m[i][j]) for i in range(k) if m[i][j]] for j in range(n)]
    pairs = [[(x[i], v) for i, v in column] for x in xs for column in columns]
    biases = [bias.m[j] for _ in range(len(rows)) for j in range(n)] if bias is not None else None
    out = dot_products(net, pairs, w.frac, biases, bias.frac if bias is not None else 0)
    return [np.array(out, dtype=object).reshape(x.shape[:-1] + (n,))]


@lowering("Conv")
def conv(net, node, ins, g):
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    geo = window_geometry(x.shape, node.attrs, w.shape[2:])
    x2 = x.reshape(geo["c"], geo["h"], geo["w"])
    w2 = w.m.reshape(w.shape[0], w.shape[1], geo["kh"], geo["kw"])
    out_ch, per_group = w.shape[0], w.shape[1]
    per_out = out_ch // node.attrs["group"]
    rows, biases = [], []
    for o in range(out_ch):
        first = o // per_out * per_group
        for oh in range(geo["oh"]):
            for ow in range(geo["ow"]):
                rows.append([(x2[first + c, ih, iw], w2[o, c, kh, kw])
                             for c in range(per_group) for kh, kw, ih, iw in window_taps(geo, oh, ow)
                             if w2[o, c, kh, kw]])
                biases.append(bias.m[o] if bias is not None else 0)
    out = dot_products(net, rows, w.frac, biases if bias is not None else None,
                       bias.frac if bias is not None else 0)
    return [np.array(out, dtype=object).reshape(g.tensors[node.outputs[0]].shape)]
