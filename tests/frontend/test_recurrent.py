"""LSTM, GRU and RNN, and tensors whose batch axis a Transpose moved.

Oracles: torch's own forward pass (nn.LSTM/GRU/RNN with batch_first=True, exported by
TorchScript at opsets 13 and 17 and by dynamo, whose graphs move the batch to axis 1 around the
recurrent op), and onnxruntime on hand-built ONNX models for what torch never writes (initial
states, reverse direction, GRU's linear_before_reset=0, 4-D batch transposes).
"""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder
from tests.frontend.ort_oracle import onnxruntime_per_sample

try:
    import torch
except ImportError as exc:  # a missing oracle is a failure with an install hint, never a skip
    raise ImportError(f"torch is needed for these tests: pip install -e '.[test]' ({exc})") from exc

EXPORTERS = {"torchscript13": dict(dynamo=False, opset=13), "torchscript17": dict(dynamo=False, opset=17),
             "dynamo": dict(dynamo=True)}


class Recurrent(torch.nn.Module):
    """A recurrent layer read at its last step (``"y"``) or through its final state (``"h"``)."""

    def __init__(self, kind: str, bidirectional: bool = False, read: str = "y"):
        super().__init__()
        self.rnn = getattr(torch.nn, kind)(4, 6, batch_first=True, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(12 if bidirectional else 6, 3)
        self.read = read

    def forward(self, x):
        y, h = self.rnn(x)
        if self.read == "h":
            h = h[0] if isinstance(h, tuple) else h
            return self.fc(h[-1])
        return self.fc(y[:, -1])


CASES = [("LSTM", False, "y"), ("LSTM", True, "y"), ("LSTM", False, "h"), ("GRU", False, "y"),
         ("GRU", True, "y"), ("GRU", False, "h")]


@pytest.mark.parametrize("exporter", list(EXPORTERS))
@pytest.mark.parametrize("kind, bidirectional, read", CASES)
def test_torch_recurrent_layers_match_torch(kind, bidirectional, read, exporter):
    torch.manual_seed(0)
    net = Recurrent(kind, bidirectional, read).eval()
    x = torch.randn(64, 5, 4)
    with torch.no_grad():
        want = net(x).numpy()
    g = hh.load_torch(net, x[:1], **EXPORTERS[exporter])
    np.testing.assert_allclose(hh.predict(g, x.numpy().astype(np.float64)), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("exporter", ["torchscript13", "torchscript17"])
def test_torch_rnn_matches_torch(exporter):
    torch.manual_seed(1)
    net = Recurrent("RNN", True).eval()
    x = torch.randn(64, 5, 4)
    with torch.no_grad():
        want = net(x).numpy()
    g = hh.load_torch(net, x[:1], **EXPORTERS[exporter])
    np.testing.assert_allclose(hh.predict(g, x.numpy().astype(np.float64)), want, rtol=1e-5, atol=1e-6)


def _recurrent_model(op: str, direction: str = "forward", initial: bool = False, **attrs):
    """x (N, 5, 3) -> Transpose to sequence-first -> ``op`` (layout 0, hidden 4, biases, optional
    constant initial states) -> Y and Y_h moved batch-first by Transposes, flattened, joined."""
    rng = np.random.default_rng(7)
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    dirs = 2 if direction == "bidirectional" else 1
    b = ModelBuilder(op.lower())
    w = b.const(rng.normal(0, 0.5, (dirs, gates * 4, 3)).astype(np.float32))
    r = b.const(rng.normal(0, 0.5, (dirs, gates * 4, 4)).astype(np.float32))
    bias = b.const(rng.normal(0, 0.3, (dirs, 2 * gates * 4)).astype(np.float32))
    inputs = [b.node("Transpose", ["x"], perm=[1, 0, 2]), w, r, bias]
    if initial:                       # one state for the batch (onnxruntime runs batches of 1)
        states = [b.const(rng.normal(0, 0.5, (dirs, 1, 4)).astype(np.float32))]
        if op == "LSTM":
            states.append(b.const(rng.normal(0, 0.5, (dirs, 1, 4)).astype(np.float32)))
        inputs += [""] + states
    b.nodes.append(helper.make_node(op, inputs, ["y", "y_h"], name=op, hidden_size=4, direction=direction,
                                    **attrs))
    flat_y = b.node("Flatten", [b.node("Transpose", ["y"], perm=[2, 0, 1, 3])], axis=1)
    flat_h = b.node("Flatten", [b.node("Transpose", ["y_h"], perm=[1, 0, 2])], axis=1)
    return b.build({"x": ["N", 5, 3]}, b.node("Concat", [flat_y, flat_h], axis=1))


@pytest.mark.parametrize("op, direction, initial, attrs", [
    ("LSTM", "forward", True, {}),
    ("LSTM", "reverse", False, {}),
    ("LSTM", "bidirectional", True, {}),
    ("GRU", "forward", False, {"linear_before_reset": 0}),
    ("GRU", "bidirectional", False, {"linear_before_reset": 1}),
    ("RNN", "reverse", True, {}),
])
def test_sequence_first_models_match_onnxruntime(op, direction, initial, attrs):
    model = _recurrent_model(op, direction, initial, **attrs)
    x = np.random.default_rng(8).normal(0, 1, (40, 5, 3)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    np.testing.assert_allclose(hh.predict(hh.load_onnx(model), x.astype(np.float64)), want, rtol=1e-5, atol=1e-5)


def test_typed_lstm_is_within_its_types_error():
    """Fixed point: 16 fractional bits per layer; the gates' tables keep their default types
    (inputs truncated to ap_fixed<10,4>, steps of 2^-6: a few 1e-3 per gate, compounded over 5
    steps)."""
    model = _recurrent_model("LSTM", "forward", True)
    x = np.random.default_rng(9).normal(0, 1, (100, 5, 3)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    g = hh.load_onnx(model, input_type=hh.FixedType(True, 20, 4, "RND", "SAT"),
                     default_type=hh.FixedType(True, 24, 8, "RND", "SAT"))
    assert np.abs(hh.predict(g, x) - want).max() < 5e-2


@pytest.mark.parametrize("attrs, inputs, reason", [
    ({"clip": 3.0}, None, "clip is not supported"),
    ({"activations": ["Relu", "Tanh", "Tanh"]}, None, "only ONNX's defaults"),
    ({"layout": 1}, None, "LSTM is imported only batch-first"),
])
def test_unsupported_recurrent_settings_are_named(attrs, inputs, reason):
    model = _recurrent_model("LSTM")
    node = next(n for n in model.graph.node if n.op_type == "LSTM")
    for name, value in attrs.items():
        for a in list(node.attribute):
            if a.name == name:
                node.attribute.remove(a)
        node.attribute.append(helper.make_attribute(name, value))
    with pytest.raises(hh.UnsupportedModelError) as info:
        hh.load_onnx(model)
    assert "'LSTM' (LSTM)" in str(info.value) and reason in str(info.value)


def test_a_sequence_first_graph_input_is_refused():
    model = _recurrent_model("GRU")
    lstm = next(n for n in model.graph.node if n.op_type == "GRU")
    lstm.input[0] = "x"                  # (N, 5, 3) read as (seq, batch, input)
    with pytest.raises(hh.UnsupportedModelError, match="layout=0 .sequence first. on an input whose batch is on axis 0"):
        hh.load_onnx(model)


def test_batch_axis_transposes_cancel():
    """Keras-style: the batch moved to the end, an elementwise op and a per-axis bias there, a
    squeeze of a unit axis, and the batch moved back (onnxruntime as the oracle)."""
    b = ModelBuilder("moved")
    t = b.node("Transpose", ["x"], perm=[1, 2, 0])                  # (3, 4, N)
    r = b.node("Relu", [t])
    u = b.node("Unsqueeze", [r, b.const(np.array([1], dtype=np.int64))])   # (3, 1, 4, N)
    s = b.node("Squeeze", [u, b.const(np.array([1], dtype=np.int64))])     # (3, 4, N)
    y = b.node("Transpose", [s], perm=[2, 0, 1])                    # (N, 3, 4)
    model = b.build({"x": ["N", 3, 4]}, y)
    x = np.random.default_rng(10).normal(0, 1, (20, 3, 4)).astype(np.float32)
    np.testing.assert_array_equal(hh.predict(hh.load_onnx(model), x.astype(np.float64)),
                                  onnxruntime_per_sample(model, x))


def test_an_output_with_a_moved_batch_is_refused():
    b = ModelBuilder("moved")
    model = b.build({"x": ["N", 3]}, b.node("Transpose", ["x"], perm=[1, 0]))
    with pytest.raises(hh.UnsupportedModelError, match="its batch is on axis 1"):
        hh.load_onnx(model)


def test_mixing_the_batch_is_refused_by_name():
    b = ModelBuilder("mix")
    t = b.node("Transpose", ["x"], perm=[1, 0, 2])
    y = b.node("Reshape", [t, b.const(np.array([-1, 4], dtype=np.int64))])
    model = b.build({"x": ["N", 3, 4]}, y)
    with pytest.raises(hh.UnsupportedModelError, match="mixes the batch"):
        hh.load_onnx(model)


def test_the_user_model_is_left_unchanged():
    """The rewrite never changes the user's model."""
    model = _recurrent_model("GRU")
    before = model.SerializeToString()
    hh.load_onnx(model)
    assert model.SerializeToString() == before


def test_channels_last_transpose_pairs_cancel():
    """A Keras-style channels-last CNN wraps each layer in NHWC -> NCHW and back: between two
    layers the pair composes to nothing, so only the model's first and last Transposes remain."""
    rng = np.random.default_rng(11)
    b = ModelBuilder("nhwc")
    h = "x"                                                          # (N, 6, 6, 2): channels last
    for k in range(3):
        w = b.const(rng.normal(0, 0.5, (2, 2, 3, 3)).astype(np.float32))
        nchw = b.node("Transpose", [h], perm=[0, 3, 1, 2])
        h = b.node("Transpose", [b.node("Relu", [b.node("Conv", [nchw, w], pads=[1, 1, 1, 1])])], perm=[0, 2, 3, 1])
    model = b.build({"x": ["N", 6, 6, 2]}, h)
    g = hh.load_onnx(model)
    assert sum(n.op == "Transpose" for n in g.nodes.values()) == 2
    x = rng.normal(0, 1, (16, 6, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(hh.predict(g, x.astype(np.float64)), onnxruntime_per_sample(model, x),
                               rtol=1e-5, atol=1e-5)
