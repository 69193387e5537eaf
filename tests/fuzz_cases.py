"""Seeded mutations of the bundled models and misuse of the public API, for tests/test_fuzz.py.

A mutation changes one thing an exporter or a user could get wrong: an attribute value, an
initializer's shape or values, a quantizer's scale or width, a node's inputs, outputs, op
or domain, the graph's inputs, the file's bytes.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from tests.frontend.qonnx_models import mixed_mlp, qdq_model, random_qonnx_model, trunc_model

ROOT = Path(__file__).resolve().parents[1]
ODD_INTS = [-3, -1, 0, 1, 2, 3, 7, 64, 10**6]
OPS = ["Relu", "Elu", "Conv", "Gemm", "MatMul", "Add", "Transpose", "Quant", "Softmax", "MaxPool",
       "Flatten", "Reshape", "Concat", "LSTM", "NoSuchOp"]
DOMAINS = ["", "qonnx.custom_op.general", "qonnx.custom_op.channels_last", "com.example", "ai.onnx"]


def base_models() -> list[tuple[str, onnx.ModelProto, bool]]:
    """(name, model, needs input/default types) for every model the mutations start from."""
    rng = np.random.default_rng(7)
    models = [("mixed_mlp", mixed_mlp(), False), ("qdq", qdq_model(), False),
              ("trunc_v1", trunc_model(1, "FLOOR"), False), ("trunc_v2", trunc_model(2, "ROUND"), False)]
    for k in range(3):
        models.append((f"random_mlp{k}", random_qonnx_model(rng, cnn=False)[0], False))
        models.append((f"random_cnn{k}", random_qonnx_model(rng, cnn=True)[0], False))
    for name in ("digits_mlp", "digits_cnn"):
        models.append((name, onnx.load(str(ROOT / "examples" / "digits" / f"{name}.onnx")), True))
    return models


def _mutate_attribute(model, rng):
    nodes = [n for n in model.graph.node if n.attribute]
    if not nodes:
        return "no attribute"
    node = nodes[rng.integers(len(nodes))]
    attr = node.attribute[rng.integers(len(node.attribute))]
    choice = rng.integers(4)
    if choice == 0:
        node.attribute.remove(attr)
        return f"{node.name}: drop {attr.name}"
    if attr.type == onnx.AttributeProto.INT:
        attr.i = int(rng.choice(ODD_INTS))
    elif attr.type == onnx.AttributeProto.INTS and len(attr.ints):
        attr.ints[rng.integers(len(attr.ints))] = int(rng.choice(ODD_INTS))
        if choice == 3:
            attr.ints.append(int(rng.choice(ODD_INTS)))
    elif attr.type == onnx.AttributeProto.FLOAT:
        attr.f = float(rng.choice([0.0, -1.0, 1e30, float("nan"), 0.3]))
    elif attr.type == onnx.AttributeProto.STRING:
        attr.s = rng.choice([b"", b"NOPE", b"SAME_UPPER", b"ROUND", b"FLOOR"])
    return f"{node.name}: {attr.name} changed"


def _mutate_initializer(model, rng):
    inits = list(model.graph.initializer)
    init = inits[rng.integers(len(inits))]
    value = numpy_helper.to_array(init).copy()
    choice = rng.integers(7)
    if choice == 0 and value.size > 1:
        value = value.reshape(-1)[: max(1, value.size - 1)]
    elif choice == 1:
        value = np.concatenate([value.reshape(-1), value.reshape(-1)[:1]]).reshape(-1)
    elif choice == 2 and value.dtype.kind == "f":
        value = value * np.float32(rng.choice([0.3, 2.0, 0.5, 1e-30, 1e30]))
    elif choice == 3 and value.dtype.kind == "f":
        value = value.copy()
        value.reshape(-1)[0] = rng.choice([np.nan, np.inf, -np.inf])
    elif choice == 4:
        with warnings.catch_warnings():          # 1e10 into an int8 zero point is the point
            warnings.simplefilter("ignore")
            value = np.asarray(rng.choice([0, 1, 2.5, -3, 1e10, 65, 2**40])).astype(
                value.dtype if value.dtype.kind in "iuf" else np.float32)
    elif choice == 5:
        value = value[None]
    else:
        value = np.zeros_like(value)
    init.CopyFrom(numpy_helper.from_array(np.asarray(value), init.name))
    return f"initializer {init.name} -> shape {np.shape(value)}"


def _mutate_node(model, rng):
    nodes = model.graph.node
    k = int(rng.integers(len(nodes)))
    node = nodes[k]
    choice = rng.integers(7)
    if choice == 0:
        del nodes[k]
        return f"delete {node.name}"
    if choice == 1:
        node.op_type = str(rng.choice(OPS))
        return f"{node.name}: op -> {node.op_type}"
    if choice == 2:
        node.domain = str(rng.choice(DOMAINS))
        return f"{node.name}: domain -> {node.domain!r}"
    if choice == 3 and len(node.input):
        node.input[rng.integers(len(node.input))] = str(rng.choice(["", "nowhere", model.graph.input[0].name]))
        return f"{node.name}: an input rewired"
    if choice == 4 and len(node.input) > 1:
        del node.input[-1]
        return f"{node.name}: last input dropped"
    if choice == 5 and len(node.output):
        other = nodes[int(rng.integers(len(nodes)))]
        if not len(other.output):
            return "no change"
        node.output[0] = other.output[0]
        return f"{node.name}: writes {other.output[0]}"
    node.ClearField("output")
    return f"{node.name}: no outputs"


def _mutate_graph_io(model, rng):
    choice = rng.integers(3)
    if choice == 0:
        dims = model.graph.input[0].type.tensor_type.shape.dim
        d = dims[rng.integers(len(dims))]
        d.Clear()
        if rng.integers(2):
            d.dim_value = int(rng.choice([1, 2, 5, 7]))
        else:
            d.dim_param = "F"
        return "input shape changed"
    if choice == 1:
        del model.graph.output[:]
        return "no outputs"
    model.graph.output.append(helper.make_tensor_value_info("ghost", onnx.TensorProto.FLOAT, None))
    return "output nobody writes"


MUTATIONS = [_mutate_attribute, _mutate_initializer, _mutate_node, _mutate_graph_io]


def mutated(model: onnx.ModelProto, rng) -> tuple[onnx.ModelProto, str]:
    """A copy of ``model`` with one or two random mutations, and what they were."""
    out = copy.deepcopy(model)
    what = []
    for _ in range(int(rng.integers(1, 3))):
        what.append(MUTATIONS[rng.integers(len(MUTATIONS))](out, rng))
    return out, "; ".join(what)


def corrupted_bytes(model: onnx.ModelProto, rng) -> tuple[bytes, str]:
    """The serialized model truncated, with flipped bytes, or replaced by text."""
    data = bytearray(model.SerializeToString())
    choice = rng.integers(3)
    if choice == 0:
        return bytes(data[: int(rng.integers(0, len(data)))]), "truncated"
    if choice == 1:
        for _ in range(int(rng.integers(1, 8))):
            data[rng.integers(len(data))] = int(rng.integers(256))
        return bytes(data), "bytes flipped"
    return rng.choice([b"", b"hello\n", b"\x00" * 40, b"{\"onnx\": 1}"]), "not protobuf"
