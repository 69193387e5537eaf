"""Uhlich et al.'s U3 quantizer (learned step d and range q_max) and DQ training.

Oracles: hand-derived values of the paper's Eq. (1) (ties away from zero, clip at ±q_max);
hgq_hls.fixed casting each element to the type ``StepQuantizer.element_types`` names (RND_INF,
SAT_SYM) followed by the clamp at ±q_max; the paper's Eq. (3) U3 gradients; ``hh.predict`` and
``hh.estimate`` for the trained module (as for HGQ in test_training.py).
"""

import math

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

import hgq_hls as hh
import hgq_hls.train as ht
from hgq_hls.fixed import elements_from_float, from_mantissa
from hgq_hls.train import StepQuantizer

torch.set_num_threads(1)


def set_range(q, log2_d, log2_qmax, k=1.0):
    with torch.no_grad():
        q.log2_d.copy_(torch.as_tensor(log2_d, dtype=torch.float64).reshape(q.log2_d.shape))
        q.log2_qmax.copy_(torch.as_tensor(log2_qmax, dtype=torch.float64).reshape(q.log2_qmax.shape))
        q.k.copy_(torch.as_tensor(k, dtype=torch.float64).expand(q.k.shape))
    return q


def test_hand_derived_values_of_eq1():
    # d = 1/4 (log2 d = -2.3 rounds to -2), q_max = 0.75 (log2 0.75 rounds to 3 steps)
    q = set_range(StepQuantizer((1,)), -2.3, math.log2(0.77)).eval()
    x = torch.tensor([[0.125], [-0.125], [0.374], [0.375], [-0.625], [0.9], [-2.0], [0.0]], dtype=torch.float64)
    assert q(x).flatten().tolist() == [0.25, -0.25, 0.25, 0.5, -0.75, 0.75, -0.75, 0.0]
    t = q.element_types()
    # b = ceil(log2(q_max / d + 1)) + 1 = ceil(log2 4) + 1 = 3: ap_fixed<3,1> on a 2**-2 grid
    assert str(t.element(0)) == "ap_fixed<3,1,AP_RND_INF,AP_SAT_SYM>"
    assert q.clip_bounds() is None                                     # 3 steps: the type's own range
    unsigned = set_range(StepQuantizer((1,)), -2.0, math.log2(1.25), k=0.0).eval()
    assert unsigned(x).flatten().tolist() == [0.25, 0.0, 0.25, 0.5, 0.0, 1.0, 0.0, 0.0]
    assert str(unsigned.element_types().element(0)) == "ap_ufixed<3,1,AP_RND_INF,AP_SAT>"
    assert [b.tolist() for b in unsigned.clip_bounds()] == [[0.0], [1.25]]   # 5 of 7 levels


def test_eval_forward_equals_the_type_then_the_clamp():
    rng = np.random.default_rng(3)
    q = StepQuantizer((4, 1))
    set_range(q, rng.integers(-5, 0, (4, 1)) + rng.uniform(-0.4, 0.4, (4, 1)), rng.uniform(-2, 2, (4, 1)))
    q.eval()
    x = rng.uniform(-6, 6, (500, 4, 3))
    d = 2.0 ** np.round(q.log2_d.detach().numpy())
    x = np.where(rng.random(x.shape) < 0.3, (np.round(x / d) + 0.5) * d, x)        # exact ties
    types = q.element_types()
    full = hh.fixed.ElementTypes(types.signed, types.width, types.integer, types.rounding, types.overflow, (4, 3))
    lo, hi = q.clip_bounds() if q.clip_bounds() is not None else (-np.inf, np.inf)
    want = np.clip(from_mantissa(*elements_from_float(x, full)), lo, hi)
    assert_array_equal(q(torch.from_numpy(x)).detach().numpy(), want)


def test_u3_gradients():
    q = set_range(StepQuantizer((1,)), -3.2, math.log2(0.6)).train()
    x = torch.tensor([[0.07], [-0.3], [0.55], [0.7], [-0.9]], dtype=torch.float64, requires_grad=True)
    y = q(x)
    upstream = torch.tensor([[1.0], [2.0], [-1.0], [0.5], [3.0]], dtype=torch.float64)
    (y * upstream).sum().backward()
    d, qmax = 2.0 ** -3, 0.6                                   # the step rounds; the range's gradient is the raw one
    xv, yv, u = x.detach().numpy(), y.detach().numpy(), upstream.numpy()
    inside = np.abs(xv) <= 0.625                               # q_max rounds to 5 steps of 1/8
    assert_array_equal(x.grad.numpy(), np.where(inside, u, 0.0))
    # dQ/dd = (Q - x)/d inside, 0 outside; log2_d's gradient is that times dd/dlog2_d = d ln 2
    np.testing.assert_allclose(q.log2_d.grad.numpy(), (np.where(inside, (yv - xv) / d, 0.0) * u).sum() * d * math.log(2),
                               rtol=1e-12)
    # dQ/dq_max = sign(x) outside, 0 inside; times dq_max/dlog2_qmax = q_max ln 2
    np.testing.assert_allclose(q.log2_qmax.grad.numpy(), (np.where(inside, 0.0, np.sign(xv)) * u).sum() * qmax * math.log(2),
                               rtol=1e-12)


def test_width_gradient_and_no_pruning():
    q = set_range(StepQuantizer((2,)), [-3.0, -3.0], [math.log2(0.6), -6.0])
    w = q.widths()
    assert w.detach().tolist() == [4.0, 2.0]                   # 5 levels + sign; a range below the step: {-d, 0, d}
    w.sum().backward()
    assert q.log2_d.grad[0] < 0                                # a finer step costs bits
    assert q.log2_qmax.grad is None or q.log2_qmax.grad[0] == 0   # the range learns from the task only
    assert not q.element_types().pruned.any()
    assert q.eval()(torch.tensor([[0.3, 0.07]], dtype=torch.float64)).tolist() == [[0.25, 0.125]]


def digits(n=400):
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data[:n] / 16.0, data.target[:n], data.data[-200:] / 16.0, data.target[-200:]


def dq_mlp(**fit_kw):
    torch.manual_seed(0)
    x, y, xv, yv = digits()
    m = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    qm = ht.quantize(m, torch.tensor(x[:256]), method="dq", bits=6)
    history = ht.fit(qm, (x, y), val=(xv, yv), lr=1e-2, progress=False, **fit_kw)
    return qm, history, xv


@pytest.fixture(scope="module")
def dq_trained():
    return dq_mlp(epochs=3)


def test_dq_module_equals_the_compiler_bit_for_bit(dq_trained, tmp_path):
    qm, history, xv = dq_trained
    g = ht.to_graph(qm)
    assert "Clip" in [n.op for n in g.topological()]                  # a range inside its type
    probe = np.concatenate([xv, np.random.default_rng(0).uniform(-0.5, 1.5, (300, 64))])
    with torch.no_grad():
        assert_array_equal(hh.predict(g, probe), qm(torch.tensor(probe)).numpy())
    assert int(ht.ebops(qm).detach()) == hh.estimate(g).ebops
    assert history.epochs[-1]["lut"] == hh.estimate(g).lut
    ht.export_qonnx(qm, tmp_path / "dq.onnx")
    assert_array_equal(hh.predict(hh.load_onnx(tmp_path / "dq.onnx"), probe), hh.predict(g, probe))


def test_memory_is_uhlichs_size_in_bits(dq_trained):
    qm, _, _ = dq_trained
    g = ht.to_graph(qm)
    want = 0
    for node in g.topological():
        if node.op == "Dense":
            for name in node.inputs[1:]:
                want += int(np.sum(g.tensors[name].element_types.width))
    assert int(ht.memory(qm, "weight_bits").detach()) == want
    acts = [int(np.sum(np.broadcast_to(q.widths().detach().numpy(), shape)))
            for _, q, shape in ht.costs.activation_quantizers(qm)]
    assert int(ht.memory(qm, "activation_bits").detach()) == sum(acts)
    assert int(ht.memory(qm, "peak_activation_bits").detach()) == max(acts)


def test_dq_meets_a_weight_memory_budget():
    qm, _, _ = dq_mlp(epochs=2)
    limit = int(ht.memory(qm, "weight_bits").detach() * 0.6)
    qm, history, _ = dq_mlp(epochs=8, budget={"weight_bits": limit}, bits_lr=10)
    assert history.chosen is not None and history.chosen["weight_bits"] <= limit
    assert ht.memory(qm, "weight_bits").detach() <= limit


def test_the_lut_surrogate_is_the_estimate_after_a_refresh(dq_trained):
    qm, _, _ = dq_trained
    lut = ht.LutSurrogate(qm)
    value = lut(qm)
    assert round(float(value.detach())) == hh.estimate(ht.to_graph(qm)).lut
    value.backward()
    assert qm.get_submodule("q_act1").log2_d.grad is not None


def test_dq_refuses_per_element_granularity():
    with pytest.raises(hh.ArgumentError, match="per channel or tensor"):
        ht.quantize(torch.nn.Linear(2, 2), torch.zeros(1, 2), method="dq", granularity="element")
