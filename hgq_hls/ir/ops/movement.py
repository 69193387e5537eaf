"""Data-movement ops: Reshape, Transpose, Slice, Concat, Pad, Identity.  No arithmetic, exact types."""

from __future__ import annotations

import numpy as np

from ...fixed import Interval
from .base import OpDef, register


class _Movement(OpDef):
    data_movement = True
    light = True


@register
class Identity(_Movement):
    """``y = x`` (removed by the canonicalization passes)."""

    name = "Identity"

    def interval(self, node, ivs):
        return [ivs[0]]


@register
class Reshape(_Movement):
    """Reshape to ``attrs["shape"]`` (per sample, fully resolved)."""

    name = "Reshape"

    def shape(self, node, in_shapes):
        return [tuple(node.attrs["shape"])]

    def interval(self, node, ivs):
        return [ivs[0].reshape(tuple(node.attrs["shape"]))]


@register
class Transpose(_Movement):
    """Permute axes by ``attrs["perm"]`` (per sample)."""

    name = "Transpose"

    def shape(self, node, in_shapes):
        return [tuple(in_shapes[0][p] for p in node.attrs["perm"])]

    def interval(self, node, ivs):
        return [ivs[0].map(lambda a: np.transpose(a, node.attrs["perm"]))]


def slice_indices(attrs) -> list[np.ndarray]:
    """Per axis (per sample), the input positions a Slice keeps: ``starts[d] + k * steps[d]``."""
    return [start + step * np.arange(size) for start, step, size in zip(attrs["starts"], attrs["steps"], attrs["shape"])]


def take_slice(a, attrs, first_axis: int = 0):
    """The Slice of ``a`` whose per-sample axes start at ``first_axis`` (a batch axis before
    them is kept); a 0-d array (one value for every element) is returned as is."""
    if np.ndim(a) == 0:
        return a
    for d, index in enumerate(slice_indices(attrs)):
        a = np.take(a, index, axis=first_axis + d)
    return a


@register
class Slice(_Movement):
    """The elements ``starts[d] + k * steps[d]`` (``k < shape[d]``) of every axis (per sample;
    steps may be negative), as ONNX Slice and Split select them."""

    name = "Slice"

    def shape(self, node, in_shapes):
        return [tuple(node.attrs["shape"])]

    def interval(self, node, ivs):
        return [ivs[0].map(lambda a: take_slice(a, node.attrs))]


@register
class Concat(_Movement):
    """Join inputs along ``attrs["axis"]`` (per sample)."""

    name = "Concat"

    def shape(self, node, in_shapes):
        axis = node.attrs["axis"]
        out = list(in_shapes[0])
        out[axis] = sum(s[axis] for s in in_shapes)
        return [tuple(out)]

    def interval(self, node, ivs):
        return [Interval.concatenate(ivs, node.attrs["axis"])]


@register
class Pad(_Movement):
    """Constant padding: ``attrs["pads"]`` as ONNX (begins..., ends...) per sample; input 1 is the value."""

    name = "Pad"

    def shape(self, node, in_shapes):
        pads, n = node.attrs["pads"], len(in_shapes[0])
        return [tuple(d + pads[k] + pads[k + n] for k, d in enumerate(in_shapes[0]))]

    def interval(self, node, ivs):
        x, value = ivs
        n = x.lo.ndim
        width = [(node.attrs["pads"][k], node.attrs["pads"][k + n]) for k in range(n)]
        v_lo, v_hi, v_frac = int(value.lo), int(value.hi), int(value.frac)
        return [Interval(np.pad(x.lo, width, constant_values=v_lo),
                         np.pad(x.hi, width, constant_values=v_hi),
                         np.pad(x.frac, width, constant_values=v_frac))]
