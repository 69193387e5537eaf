"""An ONNX executor in exact rational arithmetic (``fractions``): the oracle for float scales.

It reads the model's initializers and runs the definitions of QONNX ``Quant`` (x / s + z,
clamp, round by the mode, minus z, times s), ONNX ``QuantizeLinear`` (round half to even of
x / s, plus z, saturate) and ``DequantizeLinear``, ``MatMul``, ``Gemm``, ``Conv`` (stride 1), ``Flatten``, ``Add``, ``Relu``
and ``BatchNormalization`` (as hgq_hls defines it: the affine with float64 constants) -- each
written from the specs, with no hgq_hls code.  Slow; meant for a few hundred samples.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from onnx import helper, numpy_helper

_HALF = Fraction(1, 2)


def _half_even(v: Fraction) -> int:
    fl = math.floor(v)
    r = v - fl
    return fl + (1 if r > _HALF or (r == _HALF and fl % 2) else 0)


#: QONNX rounding modes (qonnx.custom_op.general.intquant.resolve_rounding_mode)
ROUNDING = {
    "ROUND": _half_even, "HALF_EVEN": _half_even, "FLOOR": math.floor, "CEIL": math.ceil,
    "DOWN": lambda v: math.trunc(v),
    "UP": lambda v: int(math.copysign(math.ceil(abs(v)), v)) if v else 0,
    "HALF_UP": lambda v: (1 if v >= 0 else -1) * math.floor(abs(v) + _HALF),
    "HALF_DOWN": lambda v: (1 if v >= 0 else -1) * math.ceil(abs(v) - _HALF),
}

_QDQ_RANGE = {np.dtype(np.int8): (-128, 127), np.dtype(np.uint8): (0, 255), np.dtype(np.int16): (-32768, 32767),
              np.dtype(np.uint16): (0, 65535), np.dtype(np.int32): (-2**31, 2**31 - 1)}


def _rational(a) -> np.ndarray:
    a = np.asarray(a)
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(*a.shape):
        v = a[idx]
        out[idx] = Fraction(int(v)) if a.dtype.kind in "iu" else Fraction(float(v))
    return out


def _per_axis(p: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    if p.ndim == 0:
        return p
    shape = [1] * x.ndim
    shape[axis % x.ndim] = p.size
    return p.reshape(shape)


def _quant(x, s, z, bits, signed, narrow, mode):
    lo = -(2 ** (bits - 1)) + narrow if signed else 0
    hi = 2 ** (bits - 1) - 1 if signed else 2 ** bits - 1 - narrow
    rnd = ROUNDING[mode]
    s, z = np.broadcast_arrays(s, z)
    v = x / s + z
    f = np.frompyfunc(lambda a: rnd(min(max(a, lo), hi)), 1, 1)
    return (f(v) - z) * s


def _conv2d(x, w, b, a):
    """A 2-D convolution, stride 1, zero pads (enough for the test models)."""
    assert all(s == 1 for s in a.get("strides", [1, 1])) and a.get("group", 1) == 1
    top, left, bottom, right = a.get("pads", [0, 0, 0, 0])
    n, c, h, wd = x.shape
    padded = np.full((n, c, h + top + bottom, wd + left + right), Fraction(0), dtype=object)
    padded[:, :, top:top + h, left:left + wd] = x
    k, _, kh, kw = w.shape
    oh, ow = padded.shape[2] - kh + 1, padded.shape[3] - kw + 1
    out = np.empty((n, k, oh, ow), dtype=object)
    for i in range(oh):
        for j in range(ow):
            patch = padded[:, :, i:i + kh, j:j + kw].reshape(n, -1)
            out[:, :, i, j] = patch.dot(w.reshape(k, -1).T) + (b if b is not None else 0)
    return out


def run(model, x: np.ndarray) -> np.ndarray:
    """The model's first output for inputs ``x`` (float array), as Fractions."""
    env = {init.name: _rational(numpy_helper.to_array(init)) for init in model.graph.initializer}
    dtypes = {init.name: numpy_helper.to_array(init).dtype for init in model.graph.initializer}
    env[model.graph.input[0].name] = _rational(x)
    for node in model.graph.node:
        a = {at.name: helper.get_attribute_value(at) for at in node.attribute}
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Quant":
            mode = a.get("rounding_mode", b"ROUND")
            out = _quant(ins[0], ins[1], ins[2], int(ins[3].reshape(-1)[0]), a.get("signed", 1), a.get("narrow", 0),
                         mode.decode() if isinstance(mode, bytes) else mode)
        elif op == "QuantizeLinear":
            zp = node.input[2] if len(node.input) > 2 else ""
            lo, hi = _QDQ_RANGE[dtypes[zp] if zp else np.dtype(np.uint8)]
            s = _per_axis(ins[1], ins[0], a.get("axis", 1))
            z = _per_axis(ins[2], ins[0], a.get("axis", 1)) if zp else 0
            out = np.frompyfunc(lambda v, zz: min(max(_half_even(v) + zz, lo), hi), 2, 1)(ins[0] / s, z)
        elif op == "DequantizeLinear":
            s = _per_axis(ins[1], ins[0], a.get("axis", 1))
            z = _per_axis(ins[2], ins[0], a.get("axis", 1)) if len(ins) > 2 and ins[2] is not None else 0
            out = (ins[0] - z) * s
        elif op == "MatMul":
            out = ins[0].dot(ins[1])
        elif op == "Gemm":
            assert not a.get("transA", 0)
            w = ins[1].T if a.get("transB", 0) else ins[1]
            out = ins[0].dot(w) + (ins[2] if len(ins) > 2 and ins[2] is not None else 0)
        elif op == "BatchNormalization":
            # hgq_hls's definition: the per-channel affine with float64 constants (see
            # docs/importer.md), then exact arithmetic
            gamma, beta, mean, var = (np.asarray([float(v) for v in t.reshape(-1)]) for t in ins[1:5])
            mul = gamma / np.sqrt(var + a.get("epsilon", 1e-5))
            add = beta - mean * mul
            shape = (-1,) + (1,) * (ins[0].ndim - 2)
            out = ins[0] * _rational(mul).reshape(shape) + _rational(add).reshape(shape)
        elif op == "Conv":
            out = _conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "Flatten":
            out = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op == "Relu":
            out = np.frompyfunc(lambda v: max(v, 0), 1, 1)(ins[0])
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = np.asarray(out, dtype=object)
    return env[model.graph.output[0].name]
