"""Reading and checking the window attributes of Conv and pooling nodes.

Every rule the IR's window ops rely on is checked here, before any shape is computed:
strides and dilations >= 1, pads >= 0 with two per spatial axis, a kernel of positive
sizes that agrees with the weight, and an output of at least one position.  ``auto_pad``
(VALID, SAME_UPPER, SAME_LOWER) becomes explicit pads.
"""

from __future__ import annotations

from ...ir.ops.linear import conv_output_shape
from .handlers.base import Unsupported


def int_list(attrs: dict, key: str, length: int, default: int, minimum: int) -> tuple[int, ...]:
    """Attribute ``key`` as ``length`` ints >= ``minimum`` (``default`` each when absent)."""
    value = attrs.get(key)
    if value is None:
        return (default,) * length
    try:
        value = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise Unsupported(f"{key}={value!r} is not a list of integers") from None
    if len(value) != length:
        raise Unsupported(f"{key}={list(value)} needs {length} entries")
    if any(v < minimum for v in value):
        raise Unsupported(f"{key}={list(value)}: every entry must be >= {minimum}")
    return value


def window(attrs: dict, spatial: tuple, kernel: tuple | None) -> dict:
    """Checked ``kernel_shape``, ``strides``, ``pads``, ``dilations`` for a window op.

    ``kernel`` is the weight's kernel (Conv) or None (pooling: ``kernel_shape`` is required).
    """
    n = len(spatial)
    auto_pad = attrs.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad not in ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"):
        raise Unsupported(f"auto_pad={auto_pad!r} is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
    if kernel is None:
        if "kernel_shape" not in attrs:
            raise Unsupported("the kernel_shape attribute is required")
        kernel = int_list(attrs, "kernel_shape", n, 1, 1)
    elif "kernel_shape" in attrs and tuple(int(k) for k in attrs["kernel_shape"]) != tuple(kernel):
        raise Unsupported(f"kernel_shape={list(attrs['kernel_shape'])} disagrees with the weight's "
                          f"kernel {list(kernel)}")
    strides, dilations = int_list(attrs, "strides", n, 1, 1), int_list(attrs, "dilations", n, 1, 1)
    if auto_pad.startswith("SAME"):
        pads = same_pads(spatial, tuple(kernel), strides, dilations, upper=auto_pad == "SAME_UPPER")
    else:
        pads = int_list(attrs, "pads", 2 * n, 0, 0) if auto_pad == "NOTSET" else (0,) * 2 * n
    geometry = dict(kernel_shape=tuple(kernel), strides=strides, pads=pads, dilations=dilations)
    out = conv_output_shape(spatial, geometry["kernel_shape"], geometry["strides"], geometry["pads"],
                            geometry["dilations"])
    if any(d < 1 for d in out):
        raise Unsupported(f"the window (kernel {list(kernel)}, dilations {list(geometry['dilations'])}, "
                          f"pads {list(geometry['pads'])}) does not fit the input {tuple(spatial)}")
    return geometry


def same_pads(spatial: tuple, kernel: tuple, strides: tuple, dilations: tuple, upper: bool) -> tuple[int, ...]:
    """ONNX ``auto_pad=SAME_UPPER/SAME_LOWER``: pads giving ``ceil(in / stride)`` outputs, the odd
    one at the end (UPPER) or the beginning (LOWER); as (begins..., ends...)."""
    begins, ends = [], []
    for size, k, s, d in zip(spatial, kernel, strides, dilations):
        out = -(-size // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        small = total // 2
        begins.append(small if upper else total - small)
        ends.append(total - small if upper else small)
    return tuple(begins + ends)
