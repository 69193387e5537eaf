"""The adder trees of a layer's dot products, ordered in the compiled planner, built here.

:meth:`Netlist.sum` pairs a sum's operands by (depth, magnitude); a large layer has tens of
thousands of such sums, and the heap work in Python was a quarter of its lowering.  The
planner (``_sums.cpp``) runs the same rule on the exact integer ranges of every row at once
and returns which operands each adder takes; :func:`build_rows` then creates the cells with
:meth:`Netlist.add`, so the netlist is the one :meth:`Netlist.sum` would build, cell for cell.
When a value exceeds 53 bits the planner declines and the rows are built with
:meth:`Netlist.sum` (the same netlist, more slowly).
"""

from __future__ import annotations

import numpy as np

from .netlist import Operand

try:
    from . import _sums
except ImportError as exc:            # a source tree used without installing it
    raise ImportError("hgq_hls's compiled core hgq_hls.lowering._sums is not built: run `make setup` "
                      "or `pip install -e .` (needs a C++ compiler, e.g. apt-get install g++)") from exc

#: 53-bit limit of the planner's ranges
_LIMIT = 1 << 53


def build_rows(net, signals, terms, offsets, weight_frac, order, parents, parent_signs, biases, bias_frac,
               use_planner: bool = True):
    """The sums of every row: row ``k`` is ``sum(sign * signals[sid] << (shift - weight_frac))``
    over its terms ``terms[offsets[k]:offsets[k + 1]]`` (int32 ``(sign, sid, shift)``), plus
    ``parent_signs[k]`` times row ``parents[k]`` (-1: none), plus the constant
    ``biases[k] * 2**-bias_frac`` (0: none); rows are built in ``order``.  Returns the rows'
    operands (an empty row is the constant 0 on the weights' grid)."""
    n = len(offsets) - 1
    bases = [(x.wire, x.shift - weight_frac) for x in signals]
    plan = _plan(signals, terms, offsets, weight_frac, order, parents, parent_signs, biases, bias_frac) \
        if use_planner else None
    adds, add_bounds, negate = plan or (None, None, None)
    flat, bounds = terms.tolist(), offsets.tolist()
    out = [None] * n
    for step, k in enumerate(order):
        ops = []
        for sign, sid, shift in flat[bounds[k]:bounds[k + 1]]:
            wire, base = bases[sid]
            ops.append((sign, Operand(wire, base + shift)))
        if parents[k] >= 0:
            ops.append((parent_signs[k], out[parents[k]]))
        if biases[k]:
            ops.append((1, net.const(biases[k], bias_frac)))
        if plan is None:
            out[k] = net.sum(ops) or net.const(0, weight_frac)
            continue
        if not ops:
            out[k] = net.const(0, weight_frac)
            continue
        values = [op for _, op in ops]
        net.add_all(values, adds[add_bounds[step]:add_bounds[step + 1]])
        root = values[-1]
        out[k] = net.negate(root) if negate[k] else root
    return out


def _plan(signals, terms, offsets, weight_frac, order, parents, parent_signs, biases, bias_frac):
    """The planner's (adds, add bounds, negate flags) as lists, or None when it declines."""
    lo, hi, frac = [], [], []
    for x in signals:
        f = x.fmt
        lo.append(f.lo)
        hi.append(f.hi)
        frac.append(f.frac + weight_frac)        # a term at shift s reads the grid 2**-(this - s)
    if any(abs(v) >= _LIMIT for v in (*lo, *hi)) or any(abs(int(b)) >= _LIMIT for b in biases):
        return None
    result = _sums.plan(np.ascontiguousarray(terms, dtype=np.int32).tobytes(),
                        np.ascontiguousarray(offsets, dtype=np.int64).tobytes(),
                        np.asarray(lo, dtype=np.int64).tobytes(), np.asarray(hi, dtype=np.int64).tobytes(),
                        np.asarray(frac, dtype=np.int64).tobytes(), np.asarray(order, dtype=np.int64).tobytes(),
                        np.asarray(parents, dtype=np.int64).tobytes(),
                        np.asarray(parent_signs, dtype=np.int32).tobytes(),
                        np.asarray([int(b) for b in biases], dtype=np.int64).tobytes(), bias_frac, weight_frac)
    if result is None:
        return None
    adds, add_bounds, negate = result
    # steps of Netlist.add_all: (first, second, shift 0, subtract)
    steps = np.zeros((len(adds) // 12, 4), dtype=np.int32)
    steps[:, [0, 1, 3]] = np.frombuffer(adds, dtype=np.int32).reshape(-1, 3)
    return (steps.tolist(),
            np.frombuffer(add_bounds, dtype=np.int64).tolist(), list(negate))
