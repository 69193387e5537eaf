"""Threshold fusion: a monotone chain from an accumulator to a low-bit quantizer becomes
comparisons (FINN's streamlining, computed exactly).

``acc -> Mul/Add by constants (BatchNorm, a float scale) -> Relu/Clip/Sigmoid/Tanh tables ->
Requantize`` is a
monotone function of ``acc`` per element taking at most a few values; it equals
``base + step * #{k: acc >= t_k}`` for thresholds ``t_k`` = the smallest accumulator value
reaching each output level.  The thresholds are found by bisection on the chain's own exact
semantics (the ops' interval rules on single values, which are exact), so the fused node
computes exactly what the chain did.

Fused when the chain holds an expensive step (a Requantize by a scale that is not a power of
two, a Mul by a constant that is not one, or a table), its output reaches at most
``MAX_LEVELS`` values per element, and the comparators cost less than the chain by the same
per-bit adder count the estimator uses (:func:`chain_cost`, :func:`threshold_cost`): ``levels - 1`` comparators on the accumulator then cost less than the exact
constant multiply-and-shift (docs/float_scales.md has the measured comparison).
"""

from __future__ import annotations

import numpy as np

from ..fixed import ElementTypes, Interval
from ..fixed.division import odd_part
from ..fixed.interval import ZERO_FRAC
from ..fixed.storage import as_object
from ..ir import Graph, Node
from ..ir.ops import OPS
from ..ir.ops.quantize import quantize_interval
from ..ir.ops.tables import FUNCTIONS
from .extract_scales import divides_by_odd

#: the most output values a fused chain may take per element (8-bit outputs)
MAX_LEVELS = 256
_SATURATING = ("SAT", "SAT_SYM")


def _activation_input(g: Graph, node: Node) -> str | None:
    """The one non-constant input of ``node`` (None when there are several)."""
    live = [t for t in node.inputs if not g.tensors[t].is_const]
    return live[0] if len(live) == 1 else None


def _monotone(g: Graph, node: Node) -> bool:
    """True when ``node`` is a monotone function of its one activation input, per element."""
    x = _activation_input(g, node)
    if x is None:
        return False
    if node.op in ("Add", "Sub", "Mul", "Relu", "Neg", "Clip"):
        ok = True
    elif node.op == "PRelu":
        ok = bool(np.all(np.asarray(g.tensors[node.inputs[1]].value, dtype=object) >= 0))
    elif node.op in ("Quantize", "Requantize"):
        t = node.attrs["type"]
        ok = not isinstance(t, ElementTypes) and t.overflow in _SATURATING
    elif node.op == "Lookup" and _exact_function(node):
        ok = True                                    # Sigmoid and Tanh increase
    elif node.op == "Lookup":
        # a table of a monotone function (Sigmoid, Tanh) read through a saturating input type
        steps = np.diff(np.asarray(node.attrs["table"], dtype=object))
        ok = node.attrs["in_type"].overflow in _SATURATING and (np.all(steps >= 0) or np.all(steps <= 0))
    else:
        return False
    out = g.tensors[node.outputs[0]]
    # a declared cast after the op must saturate (wrapping is not monotone)
    return ok and (not g.casts_output(out.name) or out.type.overflow in _SATURATING)


def _expensive(g: Graph, node: Node) -> bool:
    """A step the comparators save: division by an odd scale, or a non-power-of-two multiply."""
    if node.op == "Lookup" or divides_by_odd(node):
        return True
    if node.op == "Mul":
        c = next(g.tensors[t] for t in node.inputs if g.tensors[t].is_const)
        return any(odd_part(v)[0] > 1 for v in np.asarray(c.value, dtype=object).reshape(-1))
    return False


def _naf_digits(v: int) -> int:
    """Non-zero digits of ``v`` in canonical signed-digit form (shift-and-add terms)."""
    v = abs(int(v))
    return bin(v ^ (3 * v)).count("1")      # the NAF weight: bits where v and 3v differ


def _width(g: Graph, name: str) -> int:
    t = g.tensors[name].type
    return max(t.width, 1) if t is not None else 1


def chain_cost(g: Graph, chain: list[Node]) -> float:
    """Adder bits per element of the chain as ops (the estimator's unit: one LUT per adder bit).

    A constant multiply is one adder per extra signed digit, on average half as wide as its
    result (a shifted term's low bits pass through: measured on the estimator's netlists); a
    Requantize by an odd ``A`` multiplies a value of ``w_out + bits(A) + 2`` bits by a magic
    constant one bit longer (a third of its bits non-zero, as for random constants); a table
    costs its ROM bits over six; an offset, ReLU or clamp its width.
    """
    cost = 0.0
    for node in chain:
        w_in, w_out = _width(g, _activation_input(g, node)), _width(g, node.outputs[0])
        if node.op == "Mul":
            c = next(g.tensors[t] for t in node.inputs if g.tensors[t].is_const)
            cost += max((max(_naf_digits(odd_part(v)[0]) for v in np.asarray(c.value, dtype=object).reshape(-1)) - 1)
                        * w_out / 2, 0)
        elif node.op == "Requantize":
            odd = max(odd_part(v)[0] for v in np.asarray(node.attrs["divisor"], dtype=object).reshape(-1))
            if odd > 1:
                span = w_out + odd.bit_length() + 2
                cost += (span + 1) / 3 * (2 * span + 1) / 2 + w_in
            else:
                cost += w_out
        elif node.op == "Lookup":
            cost += len(node.attrs["table"]) * node.attrs["out_type"].width / 6
        else:
            cost += w_out
    return cost


def threshold_cost(levels: int, width: int) -> float:
    """LUTs per element of ``levels - 1`` comparisons with constants and their count.

    A comparison with a constant is a carry chain (one carry cell per 8 bits) and the select
    of its sign (one LUT): the estimator's fit to yosys prices constant-operand adder bits at
    zero, and yosys built a 255-threshold layer at ~1.5 LUT per comparison.  The count of a
    thermometer code is an adder tree of about two bits per input.
    """
    return (levels - 1) * (1 + width / 8) + 2 * levels


def _chain_ending_at(g: Graph, end: Node) -> list[Node]:
    """The longest run of monotone single-consumer nodes ending at ``end`` (in order)."""
    chain = [end]
    while True:
        x = _activation_input(g, chain[0])
        producer = g.producer(x)
        if (producer is None or not _monotone(g, producer) or len(g.consumers(x)) != 1
                or x in g.outputs):
            return chain
        chain.insert(0, producer)


def _levels(iv: Interval) -> int:
    """Most values per element an interval holds on its grid."""
    return int(np.max(iv.hi - iv.lo)) + 1 if iv.lo.size else 1


def _evaluate(g: Graph, chain: list[Node], x_values: np.ndarray, x_frac: int) -> tuple[np.ndarray, int]:
    """The chain's exact output mantissas (on the last tensor's grid) for the inputs ``x_values``."""
    iv = Interval.exact(x_values, x_frac)
    for node in chain:
        x = _activation_input(g, node)
        ivs = [iv if t == x else g.tensors[t].interval for t in node.inputs]
        iv = _table_value(node, iv) if node.op == "Lookup" else OPS[node.op].interval(node, ivs)[0]
        out = node.outputs[0]
        if g.casts_output(out):
            iv = quantize_interval(iv, g.tensors[out].type)
    frac = g.tensors[chain[-1].outputs[0]].type.frac
    shift = frac - np.where(iv.frac == ZERO_FRAC, frac, iv.frac)
    return np.asarray(iv.lo << as_object(shift), dtype=object), frac


def _exact_function(node: Node) -> bool:
    """A Sigmoid/Tanh whose table types the importer chose (not the model or the user): fused
    into thresholds, the function itself is evaluated (float64 at each exact input value), so
    ``Quant(Sigmoid(x))`` is ONNX's, not the table's approximation of it."""
    return bool(node.attrs.get("exact_function")) and node.attrs["func"] in ("sigmoid", "tanh")


def _table_value(node: Node, iv: Interval) -> Interval:
    """A Lookup on single values: the table entry of each (its interval rule is the hull), or
    the function's float64 value, held exactly, for an importer-typed Sigmoid/Tanh."""
    a = node.attrs
    if _exact_function(node):
        # an exact zero's frac is ZERO_FRAC: clamped, as Interval's own float views do (0, not 0 * inf)
        x = np.ldexp(np.asarray(iv.lo, dtype=np.float64), -np.maximum(np.asarray(iv.frac, dtype=np.int64), -1000))
        return Interval.from_floats(FUNCTIONS[a["func"]](x))
    code = quantize_interval(iv, a["in_type"])
    index = (code.lo << as_object(a["in_type"].frac - np.where(code.frac == ZERO_FRAC, a["in_type"].frac, code.frac))) \
        - a["in_type"].min_mantissa
    table = np.asarray(a["table"], dtype=object)
    return Interval.exact(table[np.asarray(index, dtype=np.int64)], a["out_type"].frac)


def _parameter_shape(g: Graph, chain: list[Node], shape: tuple) -> tuple:
    """The shape over which the chain's function differs (its constants' and divisors' axes)."""
    shapes = [(1,) * len(shape)]
    for node in chain:
        shapes += [g.tensors[t].shape for t in node.inputs if g.tensors[t].is_const]
        if node.op == "Requantize":
            shapes.append(np.shape(node.attrs["divisor"]))
    out = np.broadcast_shapes(*shapes)
    return tuple(out[len(out) - len(shape):]) if len(out) > len(shape) else (1,) * (len(shape) - len(out)) + out


def _reduce_to(a: np.ndarray, shape: tuple, fn) -> np.ndarray:
    """``a`` reduced with ``fn`` over the axes where ``shape`` has 1 (keeping them)."""
    axes = tuple(k for k, (n, m) in enumerate(zip(a.shape, shape)) if m == 1 and n != 1)
    return fn(a, axis=axes, keepdims=True) if axes else a


def thresholds_for(g: Graph, chain: list[Node]) -> dict | None:
    """The Threshold attributes equal to ``chain`` on its input's value set, or None."""
    x = g.tensors[_activation_input(g, chain[0])]
    out = g.tensors[chain[-1].outputs[0]]
    if x.type is None or x.interval is None:
        return None
    pshape = _parameter_shape(g, chain, tuple(x.shape))
    frac = int(np.max(x.interval.frac[x.interval.frac != ZERO_FRAC])) if np.any(x.interval.frac != ZERO_FRAC) else 0
    frac = max(frac, x.type.frac)
    lo = _reduce_to(np.asarray(x.interval.lo << as_object(frac - x.interval.frac), dtype=object), pshape, np.min)
    hi = _reduce_to(np.asarray(x.interval.hi << as_object(frac - x.interval.frac), dtype=object), pshape, np.max)
    lo, hi = np.broadcast_to(lo, pshape), np.broadcast_to(hi, pshape)
    f_lo, f_frac = _evaluate(g, chain, lo, frac)
    f_hi, _ = _evaluate(g, chain, hi, frac)
    f_lo, f_hi = np.broadcast_to(f_lo, pshape), np.broadcast_to(f_hi, pshape)
    step = np.where(f_hi >= f_lo, 1, -1).astype(np.int64)
    n = int(np.max(np.abs(f_hi - f_lo))) if f_lo.size else 0
    if n + 1 > MAX_LEVELS:
        return None
    if n == 0:
        thresholds = np.zeros(pshape + (0,), dtype=object)
    else:
        # bisection for every element and level at once: t_k = min{x : step * f(x) >= step * (f_lo + step * k)}
        k = np.arange(1, n + 1, dtype=object)
        target = as_object(f_lo)[..., None] + as_object(step)[..., None] * k
        a = np.broadcast_to(as_object(lo)[..., None], pshape + (n,)).copy()       # step*f(a) < target (or a = lo)
        b = np.broadcast_to(as_object(hi)[..., None] + 1, pshape + (n,)).copy()   # first x known to reach it
        reached_lo = as_object(step)[..., None] * np.broadcast_to(as_object(f_lo)[..., None], a.shape) >= \
            as_object(step)[..., None] * target
        b = np.where(reached_lo, a, b)
        while np.any(b - a > 1):
            mid = (a + b) // 2
            moved = np.moveaxis(mid, -1, 0)                 # levels as the batch axis
            f_mid, _ = _evaluate(g, chain, moved, frac)
            f_mid = np.moveaxis(np.asarray(np.broadcast_to(f_mid, moved.shape), dtype=object), 0, -1)
            reach = as_object(step)[..., None] * f_mid >= as_object(step)[..., None] * target
            open_ = b - a > 1
            b = np.where(open_ & reach, mid, b)
            a = np.where(open_ & ~reach, mid, a)
        thresholds = b
    return dict(thresholds=np.asarray(thresholds, dtype=object), in_frac=frac,
                base=np.asarray(f_lo, dtype=object), step=step, type=out.type, fused=[n.name for n in chain])


def fuse_thresholds(g: Graph) -> tuple[Graph, bool]:
    """Replace each fusable chain (see the module docstring) by one Threshold node."""
    if not g.is_typed:
        return g, False
    changed = False
    for end in list(reversed(g.topological())):
        if end.name not in g.nodes or end.op not in ("Requantize", "Quantize", "Clip") or not _monotone(g, end):
            continue
        out = g.tensors[end.outputs[0]]
        if out.interval is None or _levels(out.interval) > MAX_LEVELS:
            continue
        # extend past a zero point's Clip: the chain ends where the values are final
        chain = _chain_ending_at(g, end)
        if not any(_expensive(g, node) for node in chain):
            continue
        x_width = _width(g, _activation_input(g, chain[0]))
        if threshold_cost(_levels(out.interval), x_width) >= chain_cost(g, chain):
            continue
        attrs = thresholds_for(g, chain)
        if attrs is None:
            continue
        x = _activation_input(g, chain[0])
        for node in chain:
            g.remove_node(node.name)
        g.add_node(Node(end.name, "Threshold", [x], [end.outputs[0]], attrs))
        out.declared = True
        changed = True
    if changed:
        g.prune()
    return g, changed
