"""``ht.to_graph`` and ``ht.export_qonnx``: a quantized module as a typed ``hh.Graph``.

Each activation quantizer becomes a ``Quantize`` with its per-element types (and a DQ
quantizer whose ``q_max`` is inside its type a ``Clip`` after it), each QConv a
``Conv``, each MaxPool a ``MaxPool``, each QLinear a ``Dense`` whose weight and bias are the quantized values as exact mantissas (their per-element
types kept beside them), ReLU a ``Relu``, Flatten a ``Reshape``.  The graph then goes through
the compiler's own passes, so ``hh.predict`` of it equals the module's float64 eval forward.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.fx import GraphModule

from ..errors import Problem, UnsupportedModelError
from ..fixed import ElementTypes, Interval, to_mantissa
from ..frontend.onnx import save_qonnx
from ..ir import Graph, Node, Tensor
from ..passes import compile_graph
from .layers import QUANTIZERS, QConv, QLinear
from .convert import ADD_FUNCTIONS
from .pooling import ExactAvgPool


def _types(q, shape: tuple):
    """The quantizer's types over a tensor of ``shape`` (one FixedType when all agree)."""
    t = q.element_types()
    full = ElementTypes(t.signed, t.width, t.integer, t.rounding, t.overflow, tuple(shape))
    return full.uniform() or full


def _exact_constant(g: Graph, name: str, values, declared: bool = True,
                    types: ElementTypes | None = None) -> str:
    """A typed constant holding exactly ``values`` (on a power-of-two grid: quantized weights,
    clamp bounds, pooling scales), with the per-element ``types`` of quantized weights beside
    them; ``declared=False`` marks one whose values are what ONNX implies (an exact 1/n)."""
    v = (values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)).astype(np.float64)
    t = Interval.from_floats(v).fixed_type()
    elements = None if types is None else \
        ElementTypes(types.signed, types.width, types.integer, types.rounding, types.overflow, tuple(v.shape))
    g.add_tensor(Tensor(name, tuple(v.shape), type=t, value=to_mantissa(v, t), declared=declared,
                        element_types=elements))
    return name


def to_graph(qm: GraphModule, name: str = "model") -> Graph:
    """The typed graph of a module from :func:`hgq_hls.train.quantize` (eval-mode semantics)."""
    g, where, problems = Graph(name), {}, []
    for node in qm.graph.nodes:
        if node.op == "placeholder":
            shape = tuple(node.meta["tensor_meta"].shape[1:])
            g.add_tensor(Tensor(node.name, shape))
            g.inputs.append(node.name)
            where[node.name] = node.name
            continue
        if node.op == "output":
            g.outputs.append(where[node.args[0].name])
            continue
        shape = tuple(node.meta["tensor_meta"].shape[1:])
        src = where[node.args[0].name]
        sub = qm.get_submodule(node.target) if node.op == "call_module" else None
        out = g.add_tensor(Tensor(node.name, shape)).name
        if isinstance(sub, QUANTIZERS):
            bounds = sub.clip_bounds()
            typed = out if bounds is None else g.add_tensor(Tensor(f"{node.name}_typed", shape)).name
            g.add_node(Node(f"{node.name}_type" if bounds else node.name, "Quantize", [src], [typed],
                            {"type": _types(sub, shape)}))
            if bounds is not None:      # DQ's q_max inside its type's range: the clamp Uhlich's Q has
                lo, hi = bounds
                has_lo = bool(np.any(lo != 0))      # an unsigned type stops at 0 by itself
                names = ([_exact_constant(g, f"{node.name}_lo", lo)] if has_lo else []) + [_exact_constant(g, f"{node.name}_hi", hi)]
                g.add_node(Node(node.name, "Clip", [typed, *names], [out], {"bounds": (has_lo, True)}))
        elif isinstance(sub, QLinear):
            w = sub.weight_quantizer
            weight = _exact_constant(g, f"{node.name}_w", sub.quantized_weight().T,
                                     types=_transposed(w.element_types(), tuple(sub.weight.shape)))
            inputs = [src, weight]
            if sub.bias is not None:
                inputs.append(_exact_constant(g, f"{node.name}_b", sub.quantized_bias(),
                                              types=_broadcast(sub.bias_quantizer.element_types(), tuple(sub.bias.shape))))
            g.add_node(Node(node.name, "Dense", inputs, [out]))
        elif isinstance(sub, QConv):
            inputs = [src, _exact_constant(g, f"{node.name}_w", sub.quantized_weight(),
                                           types=_broadcast(sub.weight_quantizer.element_types(), tuple(sub.weight.shape)))]
            if sub.bias is not None:
                inputs.append(_exact_constant(g, f"{node.name}_b", sub.quantized_bias(),
                                              types=_broadcast(sub.bias_quantizer.element_types(), tuple(sub.bias.shape))))
            g.add_node(Node(node.name, "Conv", inputs, [out], dict(
                strides=sub.stride, pads=sub.padding + sub.padding, dilations=sub.dilation, group=sub.groups)))
        elif isinstance(sub, (torch.nn.MaxPool1d, torch.nn.MaxPool2d)):
            n = len(shape) - 1
            as_tuple = (lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,) * n)  # noqa: E731
            stride = as_tuple(sub.stride if sub.stride is not None else sub.kernel_size)
            g.add_node(Node(node.name, "MaxPool", [src], [out], dict(
                kernel_shape=as_tuple(sub.kernel_size), strides=stride, pads=as_tuple(sub.padding) * 2,
                dilations=as_tuple(sub.dilation))))
        elif isinstance(sub, ExactAvgPool):
            # a power-of-two window's 1/n is exact: plain ONNX AveragePool; others are rounded
            exact = bool(torch.all(torch.frexp(sub.scale).mantissa == 0.5))
            scale = _exact_constant(g, f"{node.name}_scale", sub.scale.numpy(), declared=not exact)
            n = sub.spatial
            g.add_node(Node(node.name, "AveragePool", [src, scale], [out], dict(
                kernel_shape=sub.kernel_size, strides=sub.stride, pads=sub.padding * 2, dilations=(1,) * n)))
        elif node.op == "call_function" and node.target in ADD_FUNCTIONS:
            g.add_node(Node(node.name, "Add", [src, where[node.args[1].name]], [out]))
        elif isinstance(sub, torch.nn.ReLU) or node.target in (torch.relu, torch.nn.functional.relu):
            g.add_node(Node(node.name, "Relu", [src], [out]))
        elif isinstance(sub, torch.nn.Flatten) or node.target is torch.flatten:
            g.add_node(Node(node.name, "Reshape", [src], [out], {"shape": shape}))
        elif isinstance(sub, (torch.nn.Identity, torch.nn.Dropout)):
            where[node.name] = src
            g.tensors.pop(out)
            continue
        else:
            problems.append(Problem(node.name, str(node.target), "no hgq_hls op for it"))
        where[node.name] = out
    if problems:
        raise UnsupportedModelError(problems)
    return compile_graph(g)


def _broadcast(t: ElementTypes, shape: tuple) -> ElementTypes:
    return ElementTypes(t.signed, t.width, t.integer, t.rounding, t.overflow, shape)


def _transposed(t: ElementTypes, shape: tuple) -> ElementTypes:
    full = _broadcast(t, shape)
    return ElementTypes(full.signed.T, full.width.T, full.integer.T, t.rounding, t.overflow)


def export_qonnx(qm: GraphModule, path, per_element: str = "compact", overwrite: bool = False):
    """Write the quantized module as QONNX (``hh.load_onnx`` reads it back to the same graph)."""
    return save_qonnx(to_graph(qm), path, overwrite=overwrite, per_element=per_element)


__all__ = ["export_qonnx", "to_graph"]
