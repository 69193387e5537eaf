"""Quantizers: QONNX Quant / BipolarQuant / Trunc / MultiThreshold, ONNX QuantizeLinear /
DequantizeLinear.

A quantizer on a constant becomes a typed constant (exact mantissas, per-channel scales
allowed); on an activation with power-of-two scales it becomes a Quantize node with the
equivalent ap_fixed type, and with float scales or zero points a Requantize (an exact
division by the scale's odd part, :mod:`..float_scales`).
"""

from __future__ import annotations

import math

import numpy as np

from ....fixed import ElementTypes, FixedType, Interval, elements_from_float, from_mantissa, to_mantissa
from ....fixed.convert import float_to_exact
from ....fixed.division import dyadic
from ....fixed.modes import QONNX_ROUNDING, rounding_from_qonnx
from ....fixed.fixed_type import MAX_DECLARED_WIDTH
from ....fixed.storage import as_object
from ..float_scales import (CEIL, activation_quantizer, code_type, constant_values, exact_constant,
                            integer_zero_point, split_scale)
from .base import Unsupported, handles


def _is_power_of_two(scale) -> bool:
    scale = np.asarray(scale, dtype=np.float64)
    return bool(np.all(np.isfinite(scale)) and np.all(scale > 0) and np.all(np.frexp(scale)[0] == 0.5))


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
    signed, narrow = bool(a.get("signed", 1)), bool(a.get("narrow", 0))
    if np.any(zero != 0) or not _is_power_of_two(scale) or (narrow and not signed) \
            or _mode(a) not in QONNX_ROUNDING:
        return _float_scaled_quant(ctx, node, scale, zero, bits, signed, narrow, a)
    if np.size(bits) == 1:
        bits = np.asarray(_scalar_bits(bits, "bitwidth"))
    else:
        _check_broadcast(ctx, node, np.asarray(bits), "the bitwidth")
        bits = _bit_widths(bits, "bitwidth")
    _check_broadcast(ctx, node, np.asarray(scale), "the scale")
    fracs = _power_of_two_frac(scale, "scale")
    mode = a.get("rounding_mode", "ROUND")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    t = _quant_types(ctx, node, bits, fracs, signed, narrow, mode)
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


def _mode(attrs) -> str:
    """The QONNX rounding_mode attribute, upper case."""
    mode = attrs.get("rounding_mode", "ROUND")
    return (mode.decode() if isinstance(mode, bytes) else mode).strip().upper()


def _float_scaled_quant(ctx, node, scale, zero, bits, signed, narrow, attrs):
    """QONNX Quant with float scales, a zero point, unsigned narrow or CEIL rounding: exact values
    on constants, a Requantize on activations (QONNX adds the zero point before rounding)."""
    if np.size(bits) != 1:
        raise Unsupported("per-element bit widths with float scales or zero points are not supported")
    bits = _scalar_bits(bits, "bitwidth")
    if signed and bits == 1:
        raise Unsupported("a signed 1-bit QONNX Quant is bipolar {-1,+1}, not a fixed-point type "
                          "(use BipolarQuant)")
    mode = _mode(attrs)
    if mode != CEIL and mode not in QONNX_ROUNDING:
        raise Unsupported(f"QONNX rounding_mode {mode!r} is not supported (supported: "
                          f"{', '.join(QONNX_ROUNDING)}, {CEIL})")
    rounding = CEIL if mode == CEIL else rounding_from_qonnx(mode)
    _check_broadcast(ctx, node, np.asarray(scale), "the scale")
    _check_broadcast(ctx, node, np.asarray(zero), "the zero point")
    z = integer_zero_point(zero, "the zero point")
    x = ctx.const(node.input[0])
    if x is not None:
        m, frac = constant_values(x, scale, z, bits, signed, narrow, rounding, zero_before_rounding=True)
        exact_constant(ctx, node.output[0], m, frac)
        return
    activation_quantizer(ctx, node, node.input[0], node.output[0], _per_sample(ctx, node, np.asarray(scale)),
                         _per_sample(ctx, node, z), bits, signed, narrow, rounding, zero_before_rounding=True)


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
              np.dtype(np.int16): (True, 16), np.dtype(np.uint16): (False, 16),
              np.dtype(np.int32): (True, 32), np.dtype(np.uint32): (False, 32)}


def _qdq_params(ctx, node, int_dtype, rank: int, per_sample: bool):
    """(scale, zero point, signed, bits) of a QuantizeLinear/DequantizeLinear, the per-axis
    parameters reshaped to broadcast over a tensor of ``rank`` axes (per sample: no batch axis)."""
    a = ctx.attrs(node)
    if a.get("block_size", 0):
        raise Unsupported("blocked quantization (block_size) is not supported")
    scale = np.asarray(ctx.require_const(node, 1, "the scale"), dtype=np.float64)
    if len(node.input) > 2 and node.input[2]:
        zero = ctx.require_const(node, 2, "the zero point")
        int_dtype = zero.dtype
    else:
        zero = np.zeros(scale.shape, dtype=np.int64)
        int_dtype = np.dtype(a["output_dtype"]) if "output_dtype" in a and a["output_dtype"] else int_dtype
    if np.dtype(int_dtype) not in _QDQ_TYPES:
        raise Unsupported(f"quantized type {np.dtype(int_dtype)} is not supported "
                          f"(only {', '.join(str(t) for t in _QDQ_TYPES)})")
    signed, bits = _QDQ_TYPES[np.dtype(int_dtype)]
    if scale.ndim > 1 or np.shape(zero) != scale.shape:
        raise Unsupported(f"the scale {scale.shape} and zero point {np.shape(zero)} must be scalars "
                          "or 1-D of the same length")
    if scale.ndim == 1:
        axis = int(a.get("axis", 1))
        full_rank = rank + int(per_sample)
        axis = axis + full_rank if axis < 0 else axis
        if per_sample:
            if axis == 0:
                raise Unsupported("per-axis quantization along the batch axis is not supported")
            axis -= 1
        if not 0 <= axis < rank:
            raise Unsupported(f"axis {a.get('axis', 1)} is outside the tensor's {full_rank} axes")
        shape = [1] * rank
        shape[axis] = scale.size
        scale, zero = scale.reshape(shape), np.asarray(zero).reshape(shape)
    return scale, np.asarray(zero).astype(np.int64), signed, bits


def _qdq_frac(scale, zero) -> int | None:
    """``f`` when the parameters are one power-of-two scale ``2**-f`` with zero point 0, else None."""
    if np.size(scale) != 1 or np.any(zero != 0) or not _is_power_of_two(scale):
        return None
    return int(_power_of_two_frac(scale, "the scale").reshape(-1)[0])


@handles("QuantizeLinear")
def quantize_linear(ctx, node):
    x = node.input[0]
    if ctx.const(x) is not None:
        raise Unsupported("QuantizeLinear of a constant: store the integer weights with a DequantizeLinear")
    scale, zero, signed, bits = _qdq_params(ctx, node, np.uint8, len(ctx.shape(x)), per_sample=True)
    ctx.qdq_types[node.output[0]] = (scale, zero)
    frac = _qdq_frac(scale, zero)
    if frac is not None:
        # QuantizeLinear rounds half to even and saturates; its DequantizeLinear is then no-op
        ctx.add("Quantize", [x], [node.output[0]], node.name, type=FixedType(signed, bits, bits - frac, "RND_CONV", "SAT"))
        return
    # the code minus the zero point on the scale's grid; DequantizeLinear multiplies by D.
    # ONNX rounds x / s and then adds the zero point.
    activation_quantizer(ctx, node, x, node.output[0], scale, zero, bits, signed, False, "RND_CONV",
                         zero_before_rounding=False, dequantize=False)


@handles("DequantizeLinear")
def dequantize_linear(ctx, node):
    q = ctx.const(node.input[0])
    if q is not None:                    # integer weights stored in the model
        scale, zero, signed, bits = _qdq_params(ctx, node, q.dtype, q.ndim, per_sample=False)
        if q.dtype.kind not in "iu":
            raise Unsupported(f"the quantized constant holds {q.dtype}, not integers")
        frac = _qdq_frac(scale, zero)
        if frac is not None:             # the stored integer type on the scale's grid
            t = FixedType(signed, bits, bits - frac, "RND_CONV", "SAT")
            _typed_const(ctx, node.output[0], q.astype(np.float64) * t.lsb, t)
            return
        m, frac = _dequantized(q, scale, zero)
        exact_constant(ctx, node.output[0], m, frac)
        return
    params = ctx.qdq_types.get(node.input[0])
    if params is None:
        raise Unsupported("DequantizeLinear must follow a QuantizeLinear (or read an integer constant)")
    scale, zero, _, _ = _qdq_params(ctx, node, np.uint8, len(ctx.shape(node.input[0])), per_sample=True)
    if not (np.array_equal(scale, params[0]) and np.array_equal(zero, params[1])):
        raise Unsupported("DequantizeLinear must use its QuantizeLinear's scale and zero point")
    if _qdq_frac(scale, zero) is not None:
        ctx.add("Identity", [node.input[0]], [node.output[0]], node.name)
        return
    divisor, _ = split_scale(scale, "the scale")
    d = exact_constant(ctx, ctx.graph.unique_name(f"{node.name}_scale"), divisor, 0)
    ctx.add("Mul", [node.input[0], d], [node.output[0]], node.name)


def _dequantized(q: np.ndarray, scale, zero) -> tuple[np.ndarray, int]:
    """Exact mantissas and frac of ``(q - z) * s`` (s = D * 2**kmin)."""
    divisor, kmin = split_scale(scale, "the scale")
    return np.asarray((as_object(q) - as_object(zero)) * divisor, dtype=object), -kmin


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


#: qonnx's MultiThreshold layouts by activation rank when ``data_layout`` is absent
_THRESHOLD_LAYOUTS = {2: "NC", 3: "NWC", 4: "NCHW"}


@handles("MultiThreshold")
def multi_threshold(ctx, node):
    """FINN/qonnx MultiThreshold: ``out_scale * #{k: x >= T[c, k]} + out_bias``, exactly."""
    a = ctx.attrs(node)
    x = node.input[0]
    if ctx.const(x) is not None:
        raise Unsupported("MultiThreshold of a constant is not supported")
    thresholds = np.asarray(ctx.require_const(node, 1, "the thresholds"), dtype=np.float64)
    if thresholds.ndim != 2 or not np.all(np.isfinite(thresholds)):
        raise Unsupported(f"the thresholds must be finite, of shape (channels, steps), got {thresholds.shape}")
    shape = tuple(ctx.shape(x))
    layout = a.get("data_layout", b"")
    layout = (layout.decode() if isinstance(layout, bytes) else layout) or _THRESHOLD_LAYOUTS.get(len(shape) + 1, "")
    if len(layout) != len(shape) + 1 or "C" not in layout or layout[0] != "N":
        raise Unsupported(f"data_layout {layout!r} does not describe the input's {len(shape) + 1} axes")
    axis = layout.index("C") - 1
    channels = thresholds.shape[0]
    if channels not in (1, shape[axis]):
        raise Unsupported(f"{channels} threshold rows for {shape[axis]} channels")
    per_channel = [1] * len(shape)
    per_channel[axis] = channels
    m, f = float_to_exact(thresholds)
    frac = int(f.max()) if f.size else 0
    mantissas = (as_object(m) << as_object(frac - f)).reshape(tuple(per_channel) + (thresholds.shape[1],))
    # out_scale and out_bias exactly: odd * 2**k each, on the finer of their grids
    odd, exp = dyadic(np.array([a.get("out_scale", 1.0), a.get("out_bias", 0.0)], dtype=np.float64))
    out_frac = max(0, *(-int(k) for k in exp))
    step, base = (int(o) << (out_frac + int(k)) for o, k in zip(odd, exp))
    ends = [base, base + step * thresholds.shape[1]]
    t = code_type(min(ends), max(ends), -out_frac, "TRN")      # holds every output exactly
    ctx.add("Threshold", [x], [node.output[0]], node.name, thresholds=np.asarray(mantissas, dtype=object),
            in_frac=frac, base=np.asarray(base, dtype=object), step=np.asarray(step), type=t)
