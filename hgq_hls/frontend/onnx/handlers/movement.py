"""Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Slice, Split, Gather (constant indices), DepthToSpace, SpaceToDepth, Resize/Upsample
(nearest, integer factors), Concat, Pad, Identity, Dropout, Shape.

Activation shapes in the IR are per sample: axis 0 of an ONNX activation is the batch,
so axes given by the model are shifted by one and must not touch the batch axis.
"""

from __future__ import annotations

import numpy as np

from .base import Unsupported, handles, sample_axis


def _reshape(ctx, node, sample_shape):
    size = int(np.prod(ctx.shape(node.input[0])))
    shape = list(sample_shape)
    if shape.count(-1) > 1:
        raise Unsupported(f"target shape {sample_shape} has more than one -1")
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1]))
        shape[shape.index(-1)] = size // known if known else 0
    if int(np.prod(shape)) != size:
        raise Unsupported(f"cannot reshape {ctx.shape(node.input[0])} (per sample) to {tuple(shape)}")
    ctx.add("Reshape", [node.input[0]], [node.output[0]], node.name, shape=tuple(shape))


@handles("Flatten")
def flatten(ctx, node):
    axis = ctx.attrs(node).get("axis", 1)
    rank = len(ctx.shape(node.input[0])) + 1
    axis = axis + rank if axis < 0 else axis
    if axis != 1:
        raise Unsupported(f"Flatten with axis={axis} mixes samples; only axis=1 is supported")
    _reshape(ctx, node, (-1,))


@handles("Reshape")
def reshape(ctx, node):
    target = [int(d) for d in ctx.require_const(node, 1, "the target shape")]
    in_shape = ctx.shape(node.input[0])
    # 0 copies the input dimension (allowzero=0); entry 0 is the batch, whatever it says
    resolved = [in_shape[k - 1] if d == 0 and k > 0 else d for k, d in enumerate(target)]
    _reshape(ctx, node, resolved[1:])


@handles("Squeeze", "Unsqueeze")
def squeeze(ctx, node):
    a = ctx.attrs(node)
    axes = a.get("axes")
    if axes is None and len(node.input) > 1:
        axes = [int(v) for v in ctx.require_const(node, 1, "axes")]
    in_shape = list(ctx.shape(node.input[0]))
    if node.op_type == "Squeeze":
        if axes is None:
            shape = [d for d in in_shape if d != 1]
        else:
            drop = {sample_axis(ax, len(in_shape) + 1) for ax in axes}
            shape = [d for k, d in enumerate(in_shape) if k not in drop]
    else:
        out_rank = len(in_shape) + 1 + len(axes)
        add = sorted(sample_axis(ax, out_rank) for ax in axes)
        shape = in_shape
        for ax in add:
            shape.insert(ax, 1)
    _reshape(ctx, node, shape)


@handles("Transpose")
def transpose(ctx, node):
    rank = len(ctx.shape(node.input[0])) + 1
    perm = ctx.attrs(node).get("perm", list(range(rank))[::-1])
    if perm[0] != 0:
        raise Unsupported(f"perm={perm} moves the batch axis")
    ctx.add("Transpose", [node.input[0]], [node.output[0]], node.name,
            perm=tuple(p - 1 for p in perm[1:]))


def _rearrange(ctx, node, view: tuple, perm: tuple, out: tuple) -> None:
    """``reshape(transpose(reshape(x, view), perm), out)`` (per sample): how ONNX defines
    DepthToSpace and SpaceToDepth, with IR ops that already run everywhere."""
    first, moved = ctx.temp(f"{node.name}_view"), ctx.temp(f"{node.name}_moved")
    ctx.add("Reshape", [node.input[0]], [first], f"{node.name}_view", shape=view)
    ctx.add("Transpose", [first], [moved], node.name, perm=perm)
    ctx.add("Reshape", [moved], [node.output[0]], f"{node.name}_out", shape=out)


@handles("DepthToSpace", "SpaceToDepth")
def depth_to_space(ctx, node):
    shape = tuple(ctx.shape(node.input[0]))
    a = ctx.attrs(node)
    b = int(a["blocksize"])
    if len(shape) != 3:
        raise Unsupported(f"needs an (N, C, H, W) input, got {len(shape) + 1}-D")
    c, h, w = shape
    if node.op_type == "DepthToSpace":
        if c % (b * b):
            raise Unsupported(f"{c} channels are not a multiple of blocksize**2 = {b * b}")
        mode = _text(a.get("mode"), "DCR")
        if mode == "DCR":
            view, perm = (b, b, c // (b * b), h, w), (2, 3, 0, 4, 1)
        elif mode == "CRD":
            view, perm = (c // (b * b), b, b, h, w), (0, 3, 1, 4, 2)
        else:
            raise Unsupported(f"mode {mode!r} (DCR and CRD are defined)")
        _rearrange(ctx, node, view, perm, (c // (b * b), h * b, w * b))
    else:
        if h % b or w % b:
            raise Unsupported(f"spatial size {h}x{w} is not a multiple of blocksize {b}")
        _rearrange(ctx, node, (c, h // b, b, w // b, b), (2, 4, 0, 1, 3), (c * b * b, h // b, w // b))


def _slice_axis(start: int, end: int, step: int, dim: int) -> tuple[int, int]:
    """(first position, count) of ONNX Slice's ``start:end:step`` on an axis of ``dim`` (its
    clamping rules: negative values count from the end; a negative step walks down to -1)."""
    start = start + dim if start < 0 else start
    end = end + dim if end < 0 else end
    if step > 0:
        start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        return start, max(0, -(-(end - start) // step))
    start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
    return start, max(0, -(-(start - end) // -step))


def _add_slice(ctx, name, x, output, ranges) -> None:
    """A Slice node keeping, per sample axis, ``(first, count, step)``."""
    if any(count == 0 for _, count, _ in ranges):
        raise Unsupported(f"the slice of {tuple(ctx.shape(x))} (per sample) is empty")
    ctx.add("Slice", [x], [output], name, starts=tuple(r[0] for r in ranges), steps=tuple(r[2] for r in ranges),
            shape=tuple(r[1] for r in ranges))


@handles("Slice")
def slice_(ctx, node):
    shape = tuple(ctx.shape(node.input[0]))
    a = ctx.attrs(node)
    if "starts" in a:                             # opset 1: attributes
        starts, ends, axes, steps = a["starts"], a["ends"], a.get("axes"), None
    else:
        def given(k, what):
            return [int(v) for v in ctx.require_const(node, k, what)] if len(node.input) > k and node.input[k] else None
        starts, ends, axes, steps = given(1, "starts"), given(2, "ends"), given(3, "axes"), given(4, "steps")
    axes = list(range(len(starts))) if axes is None else [int(d) for d in axes]
    steps = [1] * len(starts) if steps is None else steps
    ranges = [(0, d, 1) for d in shape]
    for axis, start, end, step in zip(axes, starts, ends, steps):
        if step == 0:
            raise Unsupported("a step of 0")
        axis = axis + len(shape) + 1 if axis < 0 else axis
        if axis == 0:
            if (start, step) != (0, 1) or end < 2 ** 31 - 1:
                raise Unsupported("slicing the batch axis (0) is not supported")
            continue
        first, count = _slice_axis(int(start), int(end), int(step), shape[axis - 1])
        ranges[axis - 1] = (first, count, int(step))
    _add_slice(ctx, node.name, node.input[0], node.output[0], ranges)


@handles("Split")
def split(ctx, node):
    shape = tuple(ctx.shape(node.input[0]))
    a = ctx.attrs(node)
    axis = sample_axis(a.get("axis", 0), len(shape) + 1)
    sizes = a.get("split")
    if sizes is None and len(node.input) > 1 and node.input[1]:
        sizes = [int(v) for v in ctx.require_const(node, 1, "split")]
    outputs = [o for o in node.output]
    if sizes is None:                             # equal parts (the last one smaller: opset 18)
        part = -(-shape[axis] // len(outputs))
        sizes = [min(part, shape[axis] - k * part) for k in range(len(outputs))]
    if sum(sizes) != shape[axis] or len(sizes) != len(outputs):
        raise Unsupported(f"split sizes {list(sizes)} do not cover axis {axis + 1} of size {shape[axis]} "
                          f"in {len(outputs)} outputs")
    first = 0
    for k, (size, out) in enumerate(zip(sizes, outputs)):
        ranges = [(0, d, 1) for d in shape]
        ranges[axis] = (first, int(size), 1)
        if out:
            _add_slice(ctx, f"{node.name}_{k}" if k else node.name, node.input[0], out, ranges)
        first += int(size)


@handles("Gather")
def gather(ctx, node):
    """Gather with constant indices along a sample axis: each run of consecutive indices a
    Slice, the runs concatenated, then the axis reshaped to the indices' shape."""
    shape = tuple(ctx.shape(node.input[0]))
    axis = sample_axis(ctx.attrs(node).get("axis", 0), len(shape) + 1)
    indices = np.asarray(ctx.require_const(node, 1, "the indices")).astype(np.int64)
    dim = shape[axis]
    if np.any((indices < -dim) | (indices >= dim)):
        raise Unsupported(f"indices {indices.reshape(-1).tolist()} out of range for an axis of {dim}")
    flat = np.where(indices < 0, indices + dim, indices).reshape(-1)
    if flat.size == 0:
        raise Unsupported("no indices: the result is empty")
    runs, start = [], 0
    for k in range(1, len(flat) + 1):
        if k == len(flat) or flat[k] != flat[k - 1] + 1:
            runs.append((int(flat[start]), k - start))
            start = k
    parts = []
    for k, (first, count) in enumerate(runs):
        ranges = [(0, d, 1) for d in shape]
        ranges[axis] = (first, count, 1)
        part = ctx.temp(f"{node.name}_part{k}")
        _add_slice(ctx, f"{node.name}_part{k}", node.input[0], part, ranges)
        parts.append(part)
    joined = parts[0]
    if len(parts) > 1:
        joined = ctx.temp(f"{node.name}_joined")
        ctx.add("Concat", parts, [joined], node.name, axis=axis)
    ctx.add("Reshape", [joined], [node.output[0]], f"{node.name}_shape",
            shape=shape[:axis] + indices.shape + shape[axis + 1:])


def _text(value, default: str) -> str:
    value = default if value is None else value
    return value.decode() if isinstance(value, bytes) else value


def _resize_scales(ctx, node, shape) -> tuple[list[float], list[int]]:
    """(scale per axis, output size per axis) of a Resize/Upsample, batch axis first."""
    a = ctx.attrs(node)
    scales, sizes = a.get("scales"), None                    # Upsample-7 keeps them as an attribute
    if scales is None and node.op_type == "Upsample":
        scales = ctx.require_const(node, 1, "scales")
    elif scales is None:
        index = 1 if len(node.input) == 2 else 2            # Resize-10: (X, scales); 11+: (X, roi, scales, sizes)
        given = ctx.const(node.input[index]) if len(node.input) > index and node.input[index] else None
        if given is not None and np.size(given):
            scales = given
        elif len(node.input) > 3 and node.input[3]:
            sizes = [int(v) for v in np.asarray(ctx.require_const(node, 3, "sizes")).reshape(-1)]
            scales = np.asarray(sizes, dtype=np.float64) / np.asarray((1,) + shape, dtype=np.float64)
        else:
            raise Unsupported("neither scales nor sizes are constants")
    factors = [float(f) for f in np.asarray(scales).reshape(-1)]
    if len(factors) != len(shape) + 1 or factors[0] != 1 or (len(shape) > 1 and factors[1] != 1):
        raise Unsupported(f"scales {factors}: the batch and channel axes must keep their size")
    if sizes is None:
        sizes = [int(np.floor(n * f)) for n, f in zip((1,) + shape, factors)]
    return factors, sizes


@handles("Resize", "Upsample")
def resize(ctx, node):
    """Nearest-neighbour upsampling by integer factors (:func:`_repeat`), or linear
    interpolation (:func:`_interpolate`), from IR ops that already run everywhere."""
    shape = tuple(ctx.shape(node.input[0]))
    a = ctx.attrs(node)
    mode = _text(a.get("mode"), "nearest")
    factors, sizes = _resize_scales(ctx, node, shape)
    coordinates = _text(a.get("coordinate_transformation_mode"), "half_pixel" if node.op_type == "Resize"
                        else "asymmetric")
    if mode in ("linear", "bilinear"):                      # Upsample-7 spells it "bilinear"
        _interpolate(ctx, node, shape, factors, sizes, coordinates)
        return
    if mode != "nearest":
        raise Unsupported(f"mode {mode!r}: nearest (integer factors) and linear are supported")
    if any(f < 1 or f != int(f) for f in factors):
        raise Unsupported(f"scales {factors}: nearest mode supports integer upsampling factors only")
    rounding = _text(a.get("nearest_mode"), "round_prefer_floor")
    # asymmetric reads input floor(i / f) only with floor rounding; the half-pixel modes read
    # round((i + 0.5) / f - 0.5) = floor(i / f) whatever the rounding (never exactly .5 off)
    if node.op_type == "Resize" and not (coordinates in ("half_pixel", "pytorch_half_pixel")
                                         or (coordinates == "asymmetric" and rounding == "floor")):
        raise Unsupported(f"coordinate_transformation_mode={coordinates!r} with nearest_mode={rounding!r} "
                          "does not repeat elements")
    _repeat(ctx, node, shape, factors)


def _repeat(ctx, node, shape, factors) -> None:
    """Per axis: a new axis of 1, the tensor concatenated with itself ``factor`` times along
    it, then merged back: every input element repeated."""
    current, cur_shape = node.input[0], list(shape)
    steps = [(d, int(f)) for d, f in enumerate(factors[1:]) if f > 1]
    if not steps:
        ctx.add("Reshape", [current], [node.output[0]], node.name, shape=shape)
        return
    for k, (d, f) in enumerate(steps):
        opened = ctx.temp(f"{node.name}_axis{d}")
        ctx.add("Reshape", [current], [opened], f"{node.name}_axis{d}",
                shape=tuple(cur_shape[:d + 1] + [1] + cur_shape[d + 1:]))
        repeated = ctx.temp(f"{node.name}_repeat{d}")
        ctx.add("Concat", [opened] * f, [repeated], node.name if k == len(steps) - 1 else f"{node.name}_repeat{d}",
                axis=d + 1)
        cur_shape[d] *= f
        last = k == len(steps) - 1
        merged = node.output[0] if last else ctx.temp(f"{node.name}_merged{d}")
        ctx.add("Reshape", [repeated], [merged], f"{node.name}_merged{d}", shape=tuple(cur_shape))
        current = merged


def linear_weights(n_in: int, n_out: int, scale: float, coordinates: str) -> np.ndarray:
    """The (n_out, n_in) matrix of ONNX's 1-D linear Resize: output ``o`` reads the input
    position its coordinate mode gives, split between the two neighbours (indices clamped to
    the edge).  For integer factors with the half-pixel modes every weight is a multiple of
    ``1 / (2 * factor)``: exact in fixed point."""
    out = np.arange(n_out, dtype=np.float64)
    if coordinates == "half_pixel":
        x = (out + 0.5) / scale - 0.5
    elif coordinates == "pytorch_half_pixel":
        x = (out + 0.5) / scale - 0.5 if n_out > 1 else np.zeros(n_out)
    elif coordinates == "align_corners":
        x = out * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros(n_out)
    elif coordinates == "asymmetric":
        x = out / scale
    else:
        raise Unsupported(f"coordinate_transformation_mode={coordinates!r} is not supported for linear mode")
    x = np.clip(x, 0, n_in - 1)
    low = np.floor(x).astype(np.int64)
    high = np.minimum(low + 1, n_in - 1)
    ratio = x - low
    weights = np.zeros((n_out, n_in))
    np.add.at(weights, (np.arange(n_out), low), 1 - ratio)
    np.add.at(weights, (np.arange(n_out), high), ratio)
    return weights


def _interpolate(ctx, node, shape, factors, sizes, coordinates) -> None:
    """Linear interpolation, one spatial axis at a time: a Dense by the axis's interpolation
    matrix (the axis moved last by Transposes when it is not), exact where the weights are."""
    # per-sample axis 0 is the channel (kept); a spatial axis with scale 1 and its size kept is untouched
    steps = [(d, n_out) for d, (n_out, n_in) in enumerate(zip(sizes[1:], shape))
             if d >= 1 and (n_out != n_in or factors[d + 1] != 1)]
    if not steps:
        ctx.add("Reshape", [node.input[0]], [node.output[0]], node.name, shape=shape)
        return
    current, cur_shape, rank = node.input[0], list(shape), len(shape)
    for k, (d, n_out) in enumerate(steps):
        last = k == len(steps) - 1
        out = node.output[0] if last else ctx.temp(f"{node.name}_axis{d}")
        weights = linear_weights(cur_shape[d], n_out, factors[d + 1], coordinates).T
        w = ctx.new_const(f"{node.name}_weights{d}", weights)
        perm = tuple(i for i in range(rank) if i != d) + (d,)
        inverse = tuple(int(i) for i in np.argsort(perm))
        moved = current
        if d != rank - 1:
            moved = ctx.temp(f"{node.name}_last{d}")
            ctx.add("Transpose", [current], [moved], f"{node.name}_last{d}", perm=perm)
        dense_out = out if d == rank - 1 else ctx.temp(f"{node.name}_mixed{d}")
        ctx.add("Dense", [moved, w], [dense_out], node.name if last and d == rank - 1 else f"{node.name}_mix{d}")
        if d != rank - 1:
            ctx.add("Transpose", [dense_out], [out], node.name if last else f"{node.name}_back{d}", perm=inverse)
        cur_shape[d] = n_out
        current = out


@handles("Concat")
def concat(ctx, node):
    activations = [name for name in node.input if ctx.const(name) is None]
    if not activations:
        raise Unsupported("concatenating constants only (constant folding should have done it)")
    rank = len(ctx.shape(activations[0])) + 1
    inputs = []
    for name in node.input:
        value = ctx.const(name)
        if value is not None:                  # the same values for every sample: drop the batch axis
            if value.ndim != rank or value.shape[0] != 1:
                raise Unsupported(f"the constant {name!r} of shape {value.shape} must have a batch axis of 1 "
                                  f"and rank {rank} like the activations")
            name = ctx.new_const(name, value[0], like=name)
        inputs.append(name)
    ctx.add("Concat", inputs, [node.output[0]], node.name, axis=sample_axis(ctx.attrs(node)["axis"], rank))


@handles("Pad")
def pad(ctx, node):
    a = ctx.attrs(node)
    mode = a.get("mode", b"constant")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode != "constant":
        raise Unsupported(f"mode={mode!r} is not supported (only constant padding)")
    pads = a["pads"] if "pads" in a else [int(p) for p in ctx.require_const(node, 1, "pads")]
    value = a.get("value", 0.0)
    if len(node.input) > 2 and node.input[2]:
        value = float(np.asarray(ctx.require_const(node, 2, "constant_value")).reshape(-1)[0])
    if len(node.input) > 3 and node.input[3]:
        raise Unsupported("the axes input of Pad is not supported")
    rank = len(pads) // 2
    if pads[0] or pads[rank]:
        raise Unsupported("padding the batch axis is not supported")
    sample = tuple(pads[1:rank]) + tuple(pads[rank + 1:])
    fill = ctx.new_const(f"{node.name}_value", np.array(value, dtype=np.float64))
    ctx.add("Pad", [node.input[0], fill], [node.output[0]], node.name, pads=sample)


@handles("Identity", "Dropout")
def identity(ctx, node):
    if node.op_type == "Dropout" and len(node.output) > 1 and node.output[1]:
        raise Unsupported("the mask output of Dropout is not supported")
    ctx.add("Identity", [node.input[0]], [node.output[0]], node.name)


@handles("Shape")
def shape(ctx, node):
    # the batch size is not known at import; 1 stands for it (Reshape ignores entry 0)
    full = np.array((1,) + tuple(ctx.shape(node.input[0])), dtype=np.int64)
    a = ctx.attrs(node)
    ctx.add_const(node.output[0], full[a.get("start", 0):a.get("end", len(full))])
