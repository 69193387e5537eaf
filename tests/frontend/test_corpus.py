"""The corpus: models written by nobody here, as their users write them (tests/data/corpus/families.py).

Brevitas networks go through Brevitas's QONNX export and must equal Brevitas's own forward pass
bit for bit; float PyTorch modules go through torch.onnx (TorchScript at opsets 13 and 17, and
the dynamo exporter) and must match torch's forward pass to float32 accuracy untyped, and
within the declared types' error when typed (inputs sized by data, 24-bit layers).  Every
fixed-point model is C-simulated: g++ on the ap_fixed headers equals hh.predict on stimulus,
with io_parallel and io_stream, and the streamed Brevitas networks equal Brevitas itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh
from tests.backends.outputs import assert_firmware_equals_reference
from tests.data.corpus.families import BREVITAS, TORCH

try:
    import torch
except ImportError as exc:  # a missing oracle is a failure with an install hint, never a skip
    raise ImportError(f"torch and brevitas are needed for the corpus: pip install -e '.[test]' ({exc})") from exc

EXPORTERS = {"torchscript13": dict(dynamo=False, opset=13), "torchscript17": dict(dynamo=False, opset=17),
             "dynamo": dict(dynamo=True)}
#: layer outputs and weights of typed float imports: 24 bits, 10 of them integer
WIDE = hh.FixedType(True, 24, 10, "RND", "SAT")


def _inputs(example, n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn((n,) + tuple(example.shape[1:]), generator=g) * 2


@pytest.fixture(scope="module")
def brevitas_graphs():
    torch.set_num_threads(1)
    out = {}
    for name, build in BREVITAS.items():
        net, example = build()
        out[name] = (net, example, hh.load_torch(net, example))
    return out


@pytest.mark.parametrize("name", list(BREVITAS))
def test_brevitas_family_equals_brevitas(brevitas_graphs, name):
    net, example, g = brevitas_graphs[name]
    assert g.is_typed
    x = _inputs(example, 500, seed=1)
    with torch.no_grad():
        want = net(x).numpy()
    got = hh.predict(g, x.numpy().astype(np.float64))
    # Brevitas's float32 outputs are the exact values rounded to float32
    assert_array_equal(got.astype(np.float32).reshape(want.shape), want)


@pytest.mark.parametrize("exporter", list(EXPORTERS))
@pytest.mark.parametrize("name", list(TORCH))
def test_torch_family_matches_torch(name, exporter):
    net, example = TORCH[name]()
    x = _inputs(example, 64, seed=2)
    with torch.no_grad():
        want = net(x).numpy()
    g = hh.load_torch(net, example, **EXPORTERS[exporter])
    np.testing.assert_allclose(hh.predict(g, x.numpy().astype(np.float64)), want, rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module")
def typed_torch_graphs():
    out = {}
    for name, build in TORCH.items():
        net, example = build()
        calib = _inputs(example, 256, seed=3)
        out[name] = (net, hh.load_torch(net, calib, input_type="auto", default_type=WIDE, dynamo=False, opset=17))
    return out


@pytest.mark.parametrize("name", list(TORCH))
def test_typed_torch_family_is_within_its_types_error(typed_torch_graphs, name):
    net, g = typed_torch_graphs[name]
    x = _inputs(torch.zeros((1,) + tuple(g.tensors[g.inputs[0]].shape)), 200, seed=4)
    with torch.no_grad():
        want = net(x).numpy()
    got = hh.predict(g, x.numpy())
    # 16-bit inputs sized by data and 14 fractional bits per layer: errors of a few 1e-3 at most
    # (the attention block's softmax and LayerNorm tables: 18-bit entries)
    assert np.abs(got - want).max() < 3e-2, np.abs(got - want).max()


#: every family in io_parallel; in io_stream the torch ones (the Brevitas ones stream against
#: Brevitas itself below, which their hh.predict equals)
C_SIMULATIONS = [(name, "parallel") for name in list(BREVITAS) + list(TORCH)] + [(name, "stream") for name in TORCH]


@pytest.mark.slow
@pytest.mark.parametrize("name, io", C_SIMULATIONS)
def test_corpus_c_simulation_equals_reference(brevitas_graphs, typed_torch_graphs, name, io, tmp_path):
    g = brevitas_graphs[name][2] if name in BREVITAS else typed_torch_graphs[name][1]
    project = hh.write_hls(g, tmp_path / name, io=io)
    assert_firmware_equals_reference(g, project.predict, 1000, seed=5)


#: every Brevitas family as streamed HLS; the convolutional ones also as streamed RTL (line
#: buffers, one kernel per layer, in Verilator with random stalls on every stream); ESPCN's
#: streamed RTL is bit-exact too, but takes 100 s here, so it is run by hand
STREAMED = [(name, "hls") for name in BREVITAS] + [(name, "verilog") for name in (
    "brevitas_cnv", "brevitas_residual", "brevitas_conv1d_per_channel", "brevitas_kws_dscnn")]


@pytest.mark.slow
@pytest.mark.parametrize("name, backend", STREAMED)
def test_brevitas_family_streamed_equals_brevitas(brevitas_graphs, name, backend, tmp_path):
    """The io_stream firmware (line-buffer convolutions) against Brevitas itself."""
    net, example, g = brevitas_graphs[name]
    x = _inputs(example, 300, seed=6)
    with torch.no_grad():
        want = net(x).numpy()
    if backend == "hls":
        got = hh.write_hls(g, tmp_path / name, io="stream").predict(x.numpy().astype(np.float64))
    else:
        got = hh.write_verilog(g, tmp_path / name, io="stream").simulate(x.numpy().astype(np.float64))
    assert_array_equal(got.astype(np.float32).reshape(want.shape), want)
