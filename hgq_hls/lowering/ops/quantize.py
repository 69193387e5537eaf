"""Lowering of the quantizers: a Quantize is its output port's cast; a Requantize a division by a
constant (magic multiply, shift, sticky bit) and a cast; a Threshold comparators and a count;
a BipolarQuant a select."""

from __future__ import annotations

import numpy as np

from ...fixed import ElementTypes, FixedType
from ..division import plan_division
from ..netlist import Netlist, Operand
from .base import elementwise, lowering


@lowering("Quantize")
def quantize(net, node, ins, g):
    t = node.attrs["type"]
    if not isinstance(t, ElementTypes):
        return [ins[0]]                     # the output port's cast is the quantizer
    # each element cast to its own type; the port then places it on the container's grid
    x = ins[0]
    out = np.empty(x.shape, dtype=object)
    for e in np.ndindex(*x.shape):
        out[e] = net.cast(x[e], t.element(e))
    return [out]


def divide(net: Netlist, x: Operand, d: int, t: FixedType) -> Operand:
    """``cast(x / d, t)`` exactly: floor quotient by a magic multiply plus a sticky bit."""
    f = x.fmt
    plan = plan_division(f.lo, f.hi, f.frac, d, t)
    qfrac = plan.quotient_frac
    # values beyond one step past the output's range saturate alike: clamp before dividing
    if plan.clamp_lo is not None:
        x = net.extreme(x, net.const(plan.clamp_lo, f.frac), "max")
    if plan.clamp_hi is not None:
        x = net.extreme(x, net.const(plan.clamp_hi, f.frac), "min")
    if plan.odd == 1:                        # a power of two: the cast alone
        return net.cast(Operand(x.wire, x.shift - plan.exp), t)
    dropped = None
    if plan.drop:
        # H = floor(X / 2**drop) (wiring) and whether the dropped bits L are non-zero
        coarse = f.frac - plan.drop
        width = max(f.width - plan.drop + 1, 2)
        high = net.cast(x, FixedType(True, width, width - coarse, "TRN", "WRAP"))
        low = net.cast(x, FixedType(False, plan.drop, plan.drop - f.frac, "TRN", "WRAP"))
        dropped = net.select(net.add(low, net.const(-1, f.frac)), net.const(1, 0), net.const(0, 0))
        x = high
    n = Operand(x.wire, x.shift + x.fmt.frac + plan.guard)      # the integer N = H * 2**guard
    shifted = net.add(n, net.const(-plan.offset, 0)) if plan.offset else n
    product = net.scale(shifted, plan.magic, 0)
    top = Operand(product.wire, product.shift - plan.shift)     # N' * m / 2**s
    floor = net.cast(top, FixedType(False, max((plan.span // plan.odd).bit_length(), 1),
                                    max((plan.span // plan.odd).bit_length(), 1), "TRN", "WRAP"))
    low = net.cast(top, FixedType(False, plan.shift, 0, "TRN", "WRAP"))     # (N' * m) mod 2**s
    sticky = net.select(net.add(low, net.const(-plan.magic, plan.shift)), net.const(1, 0), net.const(0, 0))
    if dropped is not None:
        sticky = net.extreme(sticky, dropped, "max")
    quotient = net.add(floor, net.const(plan.offset // plan.odd, 0)) if plan.offset else floor
    doubled = net.add(Operand(quotient.wire, quotient.shift - qfrac), Operand(sticky.wire, sticky.shift - qfrac - 1))
    return net.cast(doubled, t)


@lowering("Requantize")
def requantize(net, node, ins, g):
    if g.tensors[node.inputs[0]].type is None:
        return [ins[0]]                     # a float graph input: the host divided it
    x, t = ins[0], node.attrs["type"]
    d = np.broadcast_to(np.asarray(node.attrs["divisor"], dtype=object), x.shape)
    out = np.empty(x.shape, dtype=object)
    for e in np.ndindex(*x.shape):
        out[e] = divide(net, x[e], int(d[e]), t)
    return [out]


def count_reached(net: Netlist, x: Operand, thresholds, frac: int) -> Operand | None:
    """``#{k: x >= thresholds[k]}`` (thresholds on the grid ``2**-frac``) as comparators and an
    adder tree; comparisons the value set decides are constants (None: the count is 0)."""
    f = x.fmt
    lo, hi = f.lo << max(frac - f.frac, 0), f.hi << max(frac - f.frac, 0)
    scale = max(f.frac - frac, 0)
    always, bits = 0, []
    for t in thresholds:
        t = int(t) << scale
        if t <= lo:
            always += 1
        elif t <= hi:
            bits.append((1, net.select(net.add(x, net.const(-t, max(frac, f.frac))), net.const(1, 0), net.const(0, 0))))
    if always:
        bits.append((1, net.const(always, 0)))
    return net.sum(bits)


@lowering("Threshold")
def threshold(net, node, ins, g):
    a, x = node.attrs, ins[0]
    frac = a["type"].frac
    th = np.broadcast_to(np.asarray(a["thresholds"], dtype=object), x.shape + (np.shape(a["thresholds"])[-1],))
    base = np.broadcast_to(np.asarray(a["base"], dtype=object), x.shape)
    step = np.broadcast_to(np.asarray(a["step"]), x.shape)
    out = np.empty(x.shape, dtype=object)
    for e in np.ndindex(*x.shape):
        count = count_reached(net, x[e], th[e], a["in_frac"])
        start = net.const(int(base[e]), frac)
        if count is None:
            out[e] = start
        else:
            # the count, an integer, times the step (+-1 from fusion: wiring), on the output's grid
            k = int(step[e])
            scaled = count if abs(k) == 1 else net.scale(count, abs(k), 0)
            out[e] = net.add(start, Operand(scaled.wire, scaled.shift - frac), subtract=k < 0)
    return [out]


@lowering("Bipolar")
def bipolar(net, node, ins, g):
    frac = node.attrs["frac"]
    return [elementwise(lambda v: net.select(v, net.const(1, frac), net.const(-1, frac)), ins[0])]
