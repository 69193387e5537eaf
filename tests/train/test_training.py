"""ht.quantize -> ht.fit -> ht.to_graph: the trained module and the compiler agree exactly.

Oracles: hgq_hls's reference (``hh.predict``: integer mantissas) for the float64 torch forward,
``hh.estimate``'s EBOPs for the training EBOPs, and the backend tests run the exported graph
through g++ C-simulation and Verilator (``tests/backends/hls_models.py: torch_hgq_mlp``).
"""

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

import hgq_hls as hh
import hgq_hls.train as ht

torch.set_num_threads(1)


def digits_subset(n=400):
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data[:n] / 16.0, data.target[:n], data.data[-200:] / 16.0, data.target[-200:]


def trained_mlp(granularity="element", epochs=3, **kw):
    torch.manual_seed(0)
    x, y, xv, yv = digits_subset()
    m = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Flatten(),
                            torch.nn.Linear(16, 10))
    qm = ht.quantize(m, torch.tensor(x[:256]), granularity=granularity, f0=4)
    history = ht.fit(qm, (x, y), epochs=epochs, val=(xv, yv), lr=1e-2, progress=False, **kw)
    return qm, history, xv, yv


@pytest.fixture(scope="module")
def trained():
    return trained_mlp(beta=1e-6)


def test_eval_forward_equals_hh_predict_bit_for_bit(trained):
    qm, _, xv, _ = trained
    g = ht.to_graph(qm)
    rng = np.random.default_rng(0)
    x = np.concatenate([xv, rng.uniform(-0.5, 1.5, (300, 64))])          # beyond the data too
    with torch.no_grad():
        want = qm(torch.tensor(x)).numpy()
    assert_array_equal(hh.predict(g, x), want)
    assert any(t.element_types is not None for t in g.tensors.values())


def test_training_ebops_are_the_estimators(trained):
    qm, history, _, _ = trained
    assert int(ht.ebops(qm).detach()) == hh.estimate(ht.to_graph(qm)).ebops
    assert history.epochs[-1]["ebops"] > 0 and "val_accuracy" in history.table()


def test_ebops_gradient_reaches_the_fractional_bits(trained):
    qm, _, _, _ = trained
    qm.zero_grad()
    ht.ebops(qm).backward()
    first = qm.get_submodule("q_act1").f.grad
    assert first is not None and torch.all(first >= 0) and torch.any(first > 0)


@pytest.mark.parametrize("granularity", ["channel", "tensor"])
def test_coarser_granularities_are_exact_too(granularity):
    qm, _, xv, _ = trained_mlp(granularity, epochs=1)
    g = ht.to_graph(qm)
    with torch.no_grad():
        assert_array_equal(hh.predict(g, xv), qm(torch.tensor(xv)).numpy())


def test_export_qonnx_reads_back_to_the_same_graph(trained, tmp_path):
    qm, _, xv, _ = trained
    g = ht.to_graph(qm)
    ht.export_qonnx(qm, tmp_path / "hgq.onnx")
    back = hh.load_onnx(tmp_path / "hgq.onnx")
    assert [(n.name, n.op) for n in back.topological()] == [(n.name, n.op) for n in g.topological()]
    for name, tensor in g.tensors.items():
        assert back.tensors[name].element_types == tensor.element_types, name
    assert_array_equal(hh.predict(back, xv), hh.predict(g, xv))


def test_an_ebops_budget_is_met():
    _, unconstrained, _, _ = trained_mlp(epochs=4)
    limit = int(unconstrained.epochs[-1]["ebops"] * 0.6)
    qm, history, _, _ = trained_mlp(epochs=12, budget={"ebops": limit})
    assert history.chosen is not None and history.chosen["ebops"] <= limit
    assert hh.estimate(ht.to_graph(qm)).ebops <= limit


def test_unsupported_layers_and_arguments_are_named():
    m = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3), torch.nn.BatchNorm1d(2), torch.nn.AvgPool1d(2, ceil_mode=True),
                            torch.nn.Flatten(0), torch.nn.Sigmoid())
    with pytest.raises(hh.UnsupportedModelError, match="BatchNorm1d") as info:
        ht.quantize(m, torch.zeros(4, 1, 8))
    for named in ("Sigmoid", "ceil_mode", "start_dim=0 merges the batch axis"):
        assert named in str(info.value)
    with pytest.raises(hh.ArgumentError, match="granularity"):
        ht.quantize(torch.nn.Linear(2, 2), torch.zeros(1, 2), granularity="row")
    qm = ht.quantize(torch.nn.Linear(2, 2), torch.zeros(3, 2))
    with pytest.raises(hh.ArgumentError, match="budget"):
        ht.fit(qm, (np.zeros((3, 2)), np.zeros(3, dtype=int)), budget={"dsp": 1}, progress=False)


@pytest.mark.slow
def test_the_digits_training_example_runs():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "examples" / "train" / "digits_mlp.py"
    done = subprocess.run([sys.executable, str(script), "--epochs", "4", "--lut", "60000", "--no-firmware"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "test accuracy" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("script, args", [("digits_cnn.py", ["--epochs", "2", "--memory", "100000"]),
                                          ("jet_tagging.py", ["--epochs", "2", "--lut", "1000000"])])
def test_the_hgq_and_dq_examples_run(script, args):
    import subprocess
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "train" / script
    done = subprocess.run([sys.executable, str(path), *args, "--no-firmware"], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for method in ("HGQ", "DQ"):
        assert f"{method}: 2 epochs" in done.stdout
    assert "0 of" in done.stdout and "budget" in done.stdout


def conv_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(4, 4, 3, groups=2, stride=(1, 2), padding=(1, 0)), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(16, 5))


def test_convolutions_are_exact_and_their_ebops_are_the_estimators():
    x = torch.rand(120, 1, 8, 8, dtype=torch.float64)
    qm = ht.quantize(conv_model(), x, f0=3)
    ht.fit(qm, (x.numpy(), np.random.default_rng(0).integers(0, 5, 120)), epochs=2, beta=1e-5, progress=False)
    g = ht.to_graph(qm)
    assert [n.op for n in g.topological()].count("Conv") == 2
    probe = np.concatenate([x.numpy(), np.random.default_rng(1).uniform(-1, 2, (100, 1, 8, 8))])
    with torch.no_grad():
        assert_array_equal(hh.predict(g, probe), qm(torch.tensor(probe)).numpy())
    assert int(ht.ebops(qm).detach()) == hh.estimate(g).ebops

    torch.manual_seed(1)
    m1 = torch.nn.Sequential(torch.nn.Conv1d(2, 3, 3, dilation=2, padding=2), torch.nn.ReLU(),
                             torch.nn.MaxPool1d(2), torch.nn.Flatten(), torch.nn.Linear(12, 2))
    x1 = torch.randn(60, 2, 8, dtype=torch.float64)
    qm1 = ht.quantize(m1, x1, f0=3, granularity="channel")
    g1 = ht.to_graph(qm1)
    with torch.no_grad():
        assert_array_equal(hh.predict(g1, x1.numpy()), qm1(x1).numpy())
    assert int(ht.ebops(qm1).detach()) == hh.estimate(g1).ebops


class Residual(torch.nn.Module):
    """Conv -> ReLU -> Conv + skip (an Add of two tensors) -> AvgPool (3x3 with uncounted
    padding: a per-position reciprocal that is not a power of two) -> AvgPool1d -> Linear."""

    def __init__(self, window=3):
        super().__init__()
        self.c1, self.c2 = torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.Conv2d(4, 4, 3, padding=1)
        self.pool = torch.nn.AvgPool2d(window, 2, (window - 1) // 2, count_include_pad=False)
        self.pool1d, self.fc = torch.nn.AvgPool1d(2), torch.nn.Linear(32, 5)

    def forward(self, x):
        a = torch.relu(self.c1(x))
        b = self.pool(torch.relu(self.c2(a) + a))
        return self.fc(torch.flatten(self.pool1d(torch.flatten(b, 2)), 1))


@pytest.mark.parametrize("method", ["hgq", "dq"])
def test_residual_adds_and_average_pools_are_exact(method, tmp_path):
    torch.manual_seed(4)
    x = torch.rand(100, 1, 8, 8, dtype=torch.float64)
    labels = np.random.default_rng(0).integers(0, 5, 100)
    probe = np.concatenate([x.numpy(), np.random.default_rng(1).uniform(-1, 2, (100, 1, 8, 8))])
    for window in (3, 2):
        qm = ht.quantize(Residual(window), x, method=method)
        ht.fit(qm, (x.numpy(), labels), epochs=1, beta=1e-6, progress=False, estimate_backend="hls")
        g = ht.to_graph(qm)
        ops = [n.op for n in g.topological()]
        assert ops.count("Add") == 1 and ops.count("AveragePool") == 2
        with torch.no_grad():
            want = qm(torch.tensor(probe)).numpy()
        assert_array_equal(hh.predict(g, probe), want)
        assert int(ht.ebops(qm).detach()) == hh.estimate(g, backend="hls").ebops     # EBOPs: either backend
    # power-of-two windows are plain ONNX AveragePools: the QONNX file reads back exactly
    ht.export_qonnx(qm, tmp_path / "residual.onnx")
    assert_array_equal(hh.predict(hh.load_onnx(tmp_path / "residual.onnx"), probe), want)
