"""``ht.quantize``: a float ``torch.nn.Module`` with quantizers inserted (torch.fx).

Every ``Linear``/``Conv1d``/``Conv2d`` becomes a :class:`~hgq_hls.train.layers.QLinear` or
``QConv`` (its weight and bias quantized), an activation quantizer sits on each such layer's
input (the model's input included: HGQ's "datalane" quantizers), on both operands of each
addition of two tensors (residual connections) and on the model's output.  AvgPool becomes
:class:`~hgq_hls.train.pooling.ExactAvgPool` (window sum times a fixed-point reciprocal, as the
firmware computes it); ReLU, MaxPool, Flatten, Identity and Dropout pass through; any other
operation is refused by name.
"""

from __future__ import annotations

import copy
import operator

import torch
from torch.fx import GraphModule, symbolic_trace
from torch.fx.passes.shape_prop import ShapeProp

from ..errors import ArgumentError, Problem, UnsupportedModelError
from ..inputs import positive_int
from .layers import GRANULARITIES, METHODS, QConv, QLinear, quantizer_factory, quantizer_shape
from .pooling import ExactAvgPool

#: modules and functions that move or gate values without arithmetic to quantize
PASS_MODULES = (torch.nn.ReLU, torch.nn.Flatten, torch.nn.Identity, torch.nn.Dropout, torch.nn.MaxPool1d,
                torch.nn.MaxPool2d)
#: layers whose weights and biases are quantized
WEIGHTED = {torch.nn.Linear: QLinear, torch.nn.Conv1d: QConv, torch.nn.Conv2d: QConv}
PASS_FUNCTIONS = (torch.relu, torch.nn.functional.relu, torch.flatten)
#: additions of two tensors (``a + b``, ``torch.add(a, b)``)
ADD_FUNCTIONS = (operator.add, torch.add)
AVG_POOLS = (torch.nn.AvgPool1d, torch.nn.AvgPool2d)


def _per_sample_shape(node) -> tuple:
    return tuple(node.meta["tensor_meta"].shape[1:])


def quantize(module: torch.nn.Module, example_input: torch.Tensor, method: str = "hgq",
             granularity: str | None = None, f0: float = 6.0, bits: int = 8, rounding: str = "RND_CONV",
             activation_overflow: str = "SAT") -> GraphModule:
    """``module`` with quantizers on inputs, weights, biases and outputs, calibrated on
    ``example_input`` (a batch); returns a ``torch.nn.Module`` (float64).

    ``method="hgq"`` (HGQ, Sun et al.): per-element types by default (``granularity``
    ``"element"``, ``"channel"`` or ``"tensor"``), ``f0`` fractional bits to start;
    ``rounding`` defaults to RND_CONV (QONNX's ROUND) so the result exports as QONNX; HGQ2's
    default RND (ties up) has no QONNX spelling (``training_side.md`` §6.3).
    ``method="dq"`` (Uhlich et al., U3): a learned step and range per channel (default) or
    tensor for weights and biases, per tensor for activations, ``bits`` to start.
    """
    if method not in METHODS:
        raise ArgumentError("method", f"{method!r}: choose one of {METHODS}")
    granularity = granularity or ("channel" if method == "dq" else "element")
    if granularity not in GRANULARITIES:
        raise ArgumentError("granularity", f"{granularity!r}: choose one of {GRANULARITIES}")
    if method == "dq" and granularity == "element":
        raise ArgumentError("granularity", "DQ learns one step and range per channel or tensor "
                            "(Uhlich et al.); for per-element types use method='hgq'")
    make = quantizer_factory(method, f0=f0, bits=positive_int(bits, "bits"), rounding=rounding,
                             activation_overflow=activation_overflow)
    # DQ's activation range is per tensor: a clamp inside a per-channel type would leave the
    # compiler a container wider than the channels (see docs/train.md)
    act_granularity = "tensor" if method == "dq" else granularity
    module = copy.deepcopy(module).to(torch.float64)
    if not any(True for _ in module.children()):       # a bare layer traces as its function
        module = torch.nn.Sequential(module)
    gm = symbolic_trace(module)
    example = torch.as_tensor(example_input, dtype=torch.float64)
    ShapeProp(gm).propagate(example)
    problems, count = [], 0

    def datalane(arg, shape):
        nonlocal count
        count += 1
        name = f"q_act{count}"
        gm.add_submodule(name, make(quantizer_shape(shape, act_granularity, -1 if len(shape) == 1 else 0),
                                    "activation"))
        return gm.graph.call_module(name, (arg,))

    for node in list(gm.graph.nodes):
        if node.op == "call_module":
            sub = gm.get_submodule(node.target)
            if type(sub) in WEIGHTED:
                try:
                    gm.add_submodule(node.target, WEIGHTED[type(sub)](sub, granularity, make))
                except ValueError as exc:
                    problems.append(Problem(node.name, type(sub).__name__, str(exc)))
                    continue
                with gm.graph.inserting_before(node):
                    node.args = (datalane(node.args[0], _per_sample_shape(node.args[0])),) + tuple(node.args[1:])
            elif isinstance(sub, torch.nn.Flatten) and sub.start_dim == 0:
                problems.append(Problem(node.name, "Flatten", "start_dim=0 merges the batch axis (use start_dim=1)"))
            elif isinstance(sub, AVG_POOLS):
                try:
                    gm.add_submodule(node.target, ExactAvgPool(sub, _per_sample_shape(node.args[0])))
                except ValueError as exc:
                    problems.append(Problem(node.name, type(sub).__name__, str(exc)))
            elif isinstance(sub, (torch.nn.MaxPool1d, torch.nn.MaxPool2d)) and (sub.ceil_mode or sub.return_indices):
                problems.append(Problem(node.name, type(sub).__name__, "ceil_mode and return_indices are not supported"))
            elif not isinstance(sub, PASS_MODULES):
                problems.append(Problem(node.name, type(sub).__name__, "hgq_hls.train cannot quantize it yet"))
        elif node.op == "call_function" and node.target in ADD_FUNCTIONS:
            if len(node.args) != 2 or node.kwargs or not all(isinstance(a, torch.fx.Node) for a in node.args):
                problems.append(Problem(node.name, "add", "only the sum of two tensors is supported (no constant, no alpha)"))
            elif _per_sample_shape(node.args[0]) != _per_sample_shape(node.args[1]):
                problems.append(Problem(node.name, "add", "operands of different shapes (broadcasting) are not supported"))
            else:
                with gm.graph.inserting_before(node):
                    node.args = tuple(datalane(a, _per_sample_shape(a)) for a in node.args)
        elif node.op == "call_function" and node.target is torch.flatten and \
                (node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)) == 0:
            problems.append(Problem(node.name, "flatten", "start_dim=0 merges the batch axis (use start_dim=1)"))
        elif node.op == "call_function" and node.target not in PASS_FUNCTIONS:
            problems.append(Problem(node.name, getattr(node.target, "__name__", str(node.target)),
                                    "hgq_hls.train cannot quantize it yet"))
        elif node.op == "call_method":
            problems.append(Problem(node.name, str(node.target), "hgq_hls.train cannot quantize it yet"))
        elif node.op == "output":
            (result,) = node.args
            if not isinstance(result, torch.fx.Node):
                problems.append(Problem(node.name, "output", "one tensor output is supported"))
                continue
            with gm.graph.inserting_before(node):
                node.args = (datalane(result, _per_sample_shape(result)),)
    if problems:
        raise UnsupportedModelError(problems)
    gm.recompile()
    ShapeProp(gm).propagate(example)
    from .calibrate import calibrate

    calibrate(gm, example, initialize=True)
    return gm
