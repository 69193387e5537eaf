"""Quantizers: QONNX Quant / BipolarQuant, ONNX QuantizeLinear / DequantizeLinear, BatchNorm.

A quantizer on a constant becomes a typed constant (exact mantissas, per-channel scales
allowed); on an activation it becomes a Quantize node with the equivalent ap_fixed type.
"""

from __future__ import annotations

import math

import numpy as np

from ....fixed import ElementTypes, FixedType, Interval, elements_from_float, from_mantissa, to_mantissa
from ....fixed.modes import rounding_from_qonnx
from ....fixed.fixed_type import MAX_DECLARED_WIDTH
from .base import Unsupported, handles


def _power_of_two_frac(scale: np.ndarray, where: str) -> np.ndarray:
    """Fractional bits ``f`` with ``scale == 2**-f`` per element, or Unsupported."""
    scale = np.asarray(scale, dtype=np.float64)
    if not np.all(np.isfinite(scale)):
        raise Unsupported(f"{where} holds NaN or infinity")
    mant, exp = np.frexp(scale)
    if np.any(scale <= 0) or np.any(mant != 0.5):
        bad = scale[(scale <= 0) | (mant != 0.5)].reshape(-1)[:3]
        raise Unsupported(f"{where} {bad.tolist()} is not a power of two; only power-of-two "
                          "scales are fixed-point")
    return (1 - exp).astype(np.int64)


def _scalar_frac(scale, where: str) -> int:
    """``f`` with the scalar ``scale == 2**-f``, or Unsupported (per-channel is not allowed here)."""
    if np.size(scale) != 1:
        raise Unsupported(f"{where} must be a scalar here, got shape {np.shape(scale)}")
    return int(_power_of_two_frac(scale, where).reshape(-1)[0])


def _typed_const(ctx, name: str, values: np.ndarray, t: FixedType | None) -> str:
    """Add constant ``name`` holding exactly ``values`` (float64) in type ``t`` (or the tightest)."""
    if t is None:
        t = Interval.from_floats(values).fixed_type()
    ctx.add_const(name, to_mantissa(values, t))
    ctx.graph.tensors[name].type, ctx.graph.tensors[name].declared = t, True
    return name


def _scalar_bits(value, what: str) -> int:
    """A bit-width input as an int in [1, MAX_DECLARED_WIDTH], or Unsupported."""
    flat = np.ravel(np.asarray(value, dtype=np.float64))
    if flat.size != 1 or not np.isfinite(flat[0]) or float(flat[0]) != int(flat[0]):
        raise Unsupported(f"{what} must be a scalar integer, got {flat[:4].tolist()}")
    bits = int(flat[0])
    if not 1 <= bits <= MAX_DECLARED_WIDTH:
        raise Unsupported(f"{what} {bits} is outside 1..{MAX_DECLARED_WIDTH} (the widest declared "
                          "type hgq_hls supports)")
    return bits


def _check_broadcast(ctx, node, param: np.ndarray, what: str) -> None:
    """Unsupported unless ``param`` broadcasts to input 0 without enlarging it."""
    x = ctx.const(node.input[0])
    shape = tuple(x.shape if x is not None else ctx.shape(node.input[0]))
    per_sample = param.shape
    while x is None and len(per_sample) > len(shape) and per_sample[0] == 1:
        per_sample = per_sample[1:]                   # an activation's leading batch axis of 1
    try:
        fits = np.broadcast_shapes(per_sample, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise Unsupported(f"{what} of shape {param.shape} does not broadcast to the input {shape}")


def _bit_widths(value, what: str) -> np.ndarray:
    """A per-element bit-width tensor: integers in 0..MAX_DECLARED_WIDTH (0: a pruned element)."""
    bits = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(bits)) or np.any(bits != np.round(bits)):
        raise Unsupported(f"{what} must hold integers, got {bits.reshape(-1)[:4].tolist()}")
    if np.any(bits < 0) or np.any(bits > MAX_DECLARED_WIDTH):
        raise Unsupported(f"{what} holds {bits.min():g}..{bits.max():g}: each must lie in 0..{MAX_DECLARED_WIDTH} "
                          "(0 is a pruned element)")
    return bits.astype(np.int64)


def _per_sample(ctx, node, param: np.ndarray) -> np.ndarray:
    """``param`` without the leading batch axes of 1 an activation quantizer's parameters carry."""
    if ctx.const(node.input[0]) is not None:
        return param
    rank = len(ctx.shape(node.input[0]))
    while param.ndim > rank and param.shape[0] == 1:
        param = param.reshape(param.shape[1:])
    return param


def _quant_types(ctx, node, bits, fracs, signed, narrow, mode):
    """One FixedType when every element has the same bits and scale, else ElementTypes."""
    try:
        rounding = rounding_from_qonnx(mode)
    except ValueError as exc:
        raise Unsupported(str(exc)) from None
    if narrow and not signed:
        raise Unsupported("unsigned narrow QONNX Quant (max 2^b-2) has no ap_ufixed equivalent")
    if signed and np.any(bits == 1):
        raise Unsupported("a signed 1-bit QONNX Quant is bipolar {-1,+1}, not a fixed-point type "
                          "(use BipolarQuant)")
    overflow = "SAT_SYM" if narrow else "SAT"
    if bits.size == 1 and np.unique(fracs).size == 1:
        b = int(bits.reshape(-1)[0])
        if b < 1:
            raise Unsupported("bitwidth 0 quantizes the whole tensor to zero: remove the tensor instead")
        return FixedType(bool(signed), b, b - int(fracs.reshape(-1)[0]), rounding, overflow)
    x = ctx.const(node.input[0])
    shape = tuple(x.shape if x is not None else ctx.shape(node.input[0]))
    b, f = _per_sample(ctx, node, bits), _per_sample(ctx, node, fracs)
    types = ElementTypes(bool(signed), b, b - f, rounding, overflow, shape)
    problem = types.declaration_problem()
    if problem:
        raise Unsupported(problem)
    return types


@handles("Quant", "IntQuant")
def quant(ctx, node):
    a = ctx.attrs(node)
    scale = ctx.require_const(node, 1, "the scale")
    zero = ctx.require_const(node, 2, "the zero point")
    bits = ctx.require_const(node, 3, "the bit width")
    if np.any(zero != 0):
        raise Unsupported("a non-zero zero point is not fixed-point (zeropt must be 0)")
    if np.size(bits) == 1:
        bits = np.asarray(_scalar_bits(bits, "bitwidth"))
    else:
        _check_broadcast(ctx, node, np.asarray(bits), "the bitwidth")
        bits = _bit_widths(bits, "bitwidth")
    _check_broadcast(ctx, node, np.asarray(scale), "the scale")
    fracs = _power_of_two_frac(scale, "scale")
    mode = a.get("rounding_mode", "ROUND")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    t = _quant_types(ctx, node, bits, fracs, bool(a.get("signed", 1)), bool(a.get("narrow", 0)), mode)
    if isinstance(t, FixedType):
        problem = t.declaration_problem()
        if problem:
            raise Unsupported(problem)
    x = ctx.const(node.input[0])
    if x is not None:
        if isinstance(t, FixedType):
            _typed_const(ctx, node.output[0], to_mantissa(x, t) * math.ldexp(1.0, -t.frac), t)
        else:
            # the values exactly, in the tightest type that holds them; each element's own
            # type is kept beside them (save_qonnx writes it back)
            m, frac = elements_from_float(x, t)
            _typed_const(ctx, node.output[0], from_mantissa(m, frac), None)
            ctx.graph.tensors[node.output[0]].element_types = t
        return
    ctx.add("Quantize", [node.input[0]], [node.output[0]], node.name, type=t)


@handles("BipolarQuant")
def bipolar_quant(ctx, node):
    scale = ctx.require_const(node, 1, "the scale")
    frac = _scalar_frac(scale, "the BipolarQuant scale")
    x = ctx.const(node.input[0])
    if x is not None:
        values = np.where(x >= 0, 1.0, -1.0) * math.ldexp(1.0, -frac)
        _typed_const(ctx, node.output[0], values, FixedType(True, 2, 2 - frac))
        return
    ctx.add("Bipolar", [node.input[0]], [node.output[0]], node.name, frac=frac)


_QDQ_TYPES = {np.dtype(np.int8): (True, 8), np.dtype(np.uint8): (False, 8),
              np.dtype(np.int16): (True, 16), np.dtype(np.uint16): (False, 16)}


def _qdq_type(ctx, node, zero_point_index: int, int_dtype) -> FixedType:
    scale = ctx.require_const(node, 1, "the scale")
    frac = _scalar_frac(scale, "y_scale (per-axis QDQ scales are not supported)")
    if len(node.input) > zero_point_index and node.input[zero_point_index]:
        zp = ctx.require_const(node, zero_point_index, "the zero point")
        if np.any(zp != 0):
            raise Unsupported("a non-zero zero point is not fixed-point")
        int_dtype = zp.dtype
    if np.dtype(int_dtype) not in _QDQ_TYPES:
        raise Unsupported(f"quantized type {np.dtype(int_dtype)} is not supported")
    signed, width = _QDQ_TYPES[np.dtype(int_dtype)]
    # QuantizeLinear rounds half to even and saturates
    return FixedType(signed, width, width - frac, "RND_CONV", "SAT")


@handles("QuantizeLinear")
def quantize_linear(ctx, node):
    t = _qdq_type(ctx, node, 2, np.int8)
    ctx.qdq_types[node.output[0]] = t
    ctx.add("Quantize", [node.input[0]], [node.output[0]], node.name, type=t)


@handles("DequantizeLinear")
def dequantize_linear(ctx, node):
    q = ctx.const(node.input[0])
    if q is not None:                    # integer weights stored in the model
        t = _qdq_type(ctx, node, 2, q.dtype)
        _typed_const(ctx, node.output[0], q.astype(np.float64) * t.lsb, t)
        return
    t = ctx.qdq_types.get(node.input[0])
    if t is None or _qdq_type(ctx, node, 2, np.int8 if t.signed else np.uint8).frac != t.frac:
        raise Unsupported("DequantizeLinear must follow a QuantizeLinear with the same scale")
    ctx.add("Identity", [node.input[0]], [node.output[0]], node.name)


def _qonnx_version(ctx, node) -> int:
    for imp in ctx.opset_imports:
        if imp.domain == node.domain:
            return imp.version
    return 1


@handles("Trunc")
def trunc(ctx, node):
    """QONNX Trunc: re-quantize to fewer bits by a power-of-two shift (v1 and v2 semantics)."""
    if ctx.const(node.input[0]) is not None:
        raise Unsupported("Trunc on a constant is not supported")
    a = ctx.attrs(node)
    mode = a.get("rounding_mode", "FLOOR")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    scale = ctx.require_const(node, 1, "the scale")
    if np.any(ctx.require_const(node, 2, "the zero point") != 0):
        raise Unsupported("a non-zero zero point is not fixed-point (zeropt must be 0)")
    in_bits = _scalar_bits(ctx.require_const(node, 3, "in_bitwidth"), "in_bitwidth")
    in_frac = _scalar_frac(scale, "the Trunc scale")
    # step 1 (both versions): round half to even onto the input grid, no saturation
    on_grid = ctx.temp(f"{node.name}_in")
    ctx.add("Quantize", [node.input[0]], [on_grid], f"{node.name}_in",
            type=FixedType(True, in_bits + 1, in_bits + 1 - in_frac, "RND_CONV", "SAT"))
    try:
        if _qonnx_version(ctx, node) >= 2:
            out_scale = ctx.require_const(node, 4, "out_scale")
            out_frac = _scalar_frac(out_scale, "out_scale")
            out_bits = _scalar_bits(ctx.require_const(node, 5, "out_bitwidth"), "out_bitwidth")
            out_type = FixedType.from_qonnx(out_bits, math.ldexp(1.0, -out_frac), bool(a.get("signed", 1)),
                                            bool(a.get("narrow", 0)), mode)
            ctx.add("Quantize", [on_grid], [node.output[0]], node.name, type=out_type)
            return
        # v1: round q / 2^k with the mode, then multiply by the *input* scale again
        out_bits = _scalar_bits(ctx.require_const(node, 4, "out_bitwidth"), "out_bitwidth")
        shift = in_bits - out_bits
        if shift < 0:
            raise Unsupported(f"out_bitwidth {out_bits} exceeds in_bitwidth {in_bits}: Trunc v1 would "
                              "scale the values up, not truncate them")
        t = FixedType.from_qonnx(in_bits + 1, math.ldexp(1.0, shift - in_frac), True, False, mode)
    except ValueError as exc:
        raise Unsupported(str(exc)) from None
    shifted = ctx.temp(f"{node.name}_shifted")
    ctx.add("Quantize", [on_grid], [shifted], f"{node.name}_round", type=t)
    factor = ctx.new_const(f"{node.name}_rescale", np.array(math.ldexp(1.0, -shift)))
    ctx.add("Mul", [shifted, factor], [node.output[0]], node.name)
