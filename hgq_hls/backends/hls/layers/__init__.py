"""One context builder per IR op: what ``templates/hls/layers/<template>.h.j2`` is rendered with.

A builder returns ``(template, context)``.  Index arithmetic is handed to the templates as
data (strides and sizes); the C++ text lives only in the templates.  Builders sit in modules
named after the op's family, as in ``ir/ops``.
"""

from .base import LAYERS, index_terms, layer
from . import elementwise, linear, movement, pooling, quantize, tables  # noqa: F401  (registration)

__all__ = ["LAYERS", "index_terms", "layer"]
