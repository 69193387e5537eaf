"""Window geometry of convolutions and pooling, shared by the backends and the estimator
(the output size by the IR's own rule, :func:`~hgq_hls.ir.ops.linear.conv_output_shape`)."""

from __future__ import annotations

from ..ir.ops.linear import conv_output_shape


def window_geometry(in_shape, attrs, kernel_shape) -> dict:
    """2-D window geometry (1-D windows become 1 x L) for conv and pooling templates."""
    n = len(kernel_shape)
    spatial = tuple(in_shape[1:])
    strides, pads, dil = attrs["strides"], attrs["pads"], attrs["dilations"]
    if n == 1:
        spatial, kernel_shape = (1,) + spatial, (1,) + tuple(kernel_shape)
        strides, dil = (1,) + tuple(strides), (1,) + tuple(dil)
        begin = (0, pads[0])
        ends = (0, pads[1])
    elif n == 2:
        begin, ends = tuple(pads[:2]), tuple(pads[2:])
    else:
        raise NotImplementedError(f"{n}-d windows")
    out = conv_output_shape(spatial, kernel_shape, strides, begin + ends, dil)
    return dict(c=in_shape[0], h=spatial[0], w=spatial[1], kh=kernel_shape[0], kw=kernel_shape[1],
                sh=strides[0], sw=strides[1], pt=begin[0], pl=begin[1], dh=dil[0], dw=dil[1],
                oh=out[0], ow=out[1])


def window_taps(geo: dict, oh: int, ow: int):
    """The ``(kh, kw, ih, iw)`` of every window element of output ``(oh, ow)`` inside the input."""
    for kh in range(geo["kh"]):
        ih = oh * geo["sh"] - geo["pt"] + kh * geo["dh"]
        if not 0 <= ih < geo["h"]:
            continue
        for kw in range(geo["kw"]):
            iw = ow * geo["sw"] - geo["pl"] + kw * geo["dw"]
            if 0 <= iw < geo["w"]:
                yield kh, kw, ih, iw


def tap_positions(geo: dict) -> list[list[tuple[int, int]]]:
    """For each output position (row-major), the ``(kh, kw)`` taps that fall inside the input."""
    return [[(kh, kw) for kh, kw, _, _ in window_taps(geo, oh, ow)]
            for oh in range(geo["oh"]) for ow in range(geo["ow"])]


def tap_uses(geo: dict):
    """How many output positions read each ``(kh, kw)`` tap (padded taps read nothing)."""
    import numpy as np

    uses = np.zeros((geo["kh"], geo["kw"]), dtype=np.int64)
    for taps in tap_positions(geo):
        for kh, kw in taps:
            uses[kh, kw] += 1
    return uses
