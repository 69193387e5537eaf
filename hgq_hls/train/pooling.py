"""Average pooling whose result the firmware computes exactly: a window sum times a constant.

``torch.nn.AvgPool1d``/``AvgPool2d`` divide by the window size in floating point; hgq_hls's
``AveragePool`` multiplies the exact window sum by a fixed-point constant.  :class:`ExactAvgPool`
does the same in the module, so the float64 forward equals ``hh.predict``: the reciprocal is
exact for a power-of-two window and rounded to ``SCALE_BITS`` significant bits otherwise (the
constant the firmware multiplies by), per output position when padding is not counted.
"""

from __future__ import annotations

import math

import torch

#: significant bits of 1/count for a window whose size is not a power of two
SCALE_BITS = 12


def _pair(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (int(v),) * n


def reciprocal(count: torch.Tensor) -> torch.Tensor:
    """``1 / count`` on a grid of ``SCALE_BITS`` significant bits (exact for powers of two)."""
    frac = SCALE_BITS - 1 + torch.ceil(torch.log2(count))
    return torch.round(torch.exp2(frac) / count) * torch.exp2(-frac)


class ExactAvgPool(torch.nn.Module):
    """An ``AvgPool1d``/``AvgPool2d`` (``ceil_mode=False``) as window sum times a fixed-point
    reciprocal of each window's count (``count_include_pad`` as torch's)."""

    def __init__(self, pool, input_shape: tuple):
        super().__init__()
        if pool.ceil_mode:
            raise ValueError("ceil_mode is not supported")
        if getattr(pool, "divisor_override", None):
            raise ValueError("divisor_override is not supported")
        self.spatial = len(input_shape) - 1
        n = self.spatial
        self.kernel_size = _pair(pool.kernel_size, n)
        self.stride = _pair(pool.stride if pool.stride is not None else pool.kernel_size, n)
        self.padding = _pair(pool.padding, n)
        self.count_include_pad = bool(pool.count_include_pad)
        ones = torch.ones((1, 1, *input_shape[1:]), dtype=torch.float64)
        count = self.window_sum(ones)[0, 0] if not self.count_include_pad else \
            torch.tensor(float(math.prod(self.kernel_size)), dtype=torch.float64)
        scale = reciprocal(count)
        self.register_buffer("scale", scale if scale.unique().numel() > 1 else scale.flatten()[0])

    def window_sum(self, x: torch.Tensor) -> torch.Tensor:
        """Each window's exact sum (zero padding)."""
        if self.spatial == 2:
            return torch.nn.functional.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                                                  count_include_pad=True, divisor_override=1)
        y = torch.nn.functional.avg_pool2d(x[:, :, None], (1, *self.kernel_size), (1, *self.stride),
                                           (0, *self.padding), count_include_pad=True, divisor_override=1)
        return y[:, :, 0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.window_sum(x.to(torch.float64)) * self.scale

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
