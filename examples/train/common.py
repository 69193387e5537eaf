"""What the training examples share: the jet-tagging-shaped data, training one model with HGQ
or DQ, and the firmware check (estimate, Vitis HLS C-simulation and Verilator, bit-exact)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import hgq_hls as hh
import hgq_hls.train as ht


def jet_like(n: int = 30000, seed: int = 0):
    """(x_train, y_train, x_test, y_test): 16 standardized features, 5 classes, from
    ``sklearn.datasets.make_classification`` with a fixed seed (the real jet data cannot be
    downloaded here; training_side.md §4.3)."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    x, y = make_classification(n_samples=n, n_features=16, n_informative=12, n_redundant=2, n_classes=5,
                               n_clusters_per_class=2, class_sep=1.0, random_state=seed)
    x = (x - x.mean(0)) / x.std(0)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=seed)
    return x_train, y_train, x_test, y_test


def train(model: torch.nn.Module, method: str, data, epochs: int, label: str, **fit_kw):
    """Quantize ``model`` by ``method``, train it, and report; returns (graph, history)."""
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(0)
    quantize_kw = {"bits": 8} if method == "dq" else {}
    qm = ht.quantize(model, torch.tensor(x_train[:1024]), method=method, **quantize_kw)
    start = time.perf_counter()
    history = ht.fit(qm, (x_train, y_train), epochs=epochs, **fit_kw)
    seconds = time.perf_counter() - start
    g = ht.to_graph(qm, label)
    report = hh.estimate(g)
    with torch.no_grad():
        torch_out = qm(torch.tensor(x_test)).numpy()
    reference = hh.predict(g, x_test)
    accuracy = float((reference.argmax(1) == y_test).mean())
    chosen = history.chosen or history.epochs[-1]
    print(f"\n[{label}] {method.upper()}: {epochs} epochs in {seconds:.1f} s ({seconds / epochs:.2f} s/epoch), "
          f"took epoch {chosen['epoch']}")
    print(f"[{label}] estimate {report.lut:,} LUT, {report.dsp} DSP, {report.ebops:,} EBOPs, "
          f"latency {report.latency_cycles} cycles; weight memory {int(ht.memory(qm).detach()):,} bits; "
          f"test accuracy {accuracy:.3f}; torch float64 vs hh.predict: "
          f"{int(np.sum(torch_out != reference))} of {reference.size} outputs differ")
    return g, history, bool(np.array_equal(torch_out, reference))


def firmware_check(g: hh.Graph, x: np.ndarray) -> bool:
    """Write Vitis HLS and Verilog for ``g``; C-simulation and Verilator equal ``hh.predict``."""
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in (("HLS C-simulation", hh.write_hls), ("Verilator", hh.write_verilog)):
            check = write(g, Path(tmp) / name.split()[0]).verify(x)
            print(f"[{g.name}] {name}: {check}")
            ok &= check.ok
    return ok


def run_methods(make_model, data, epochs: int, label: str, runs: dict, firmware_x=None) -> bool:
    """Train ``make_model()`` once per ``runs[method] = fit keywords``; a run with a budget
    must end within it; with ``firmware_x`` each model also goes through firmware.  True if
    every model is exact (and within budget, and bit-exact in firmware)."""
    ok = True
    for method, fit_kw in runs.items():
        g, history, exact = train(make_model(), method, data, epochs, f"{label}_{method}", **fit_kw)
        ok &= exact
        if "budget" in fit_kw:
            (key, limit), = fit_kw["budget"].items()
            print(f"[{label}_{method}] {key} budget {limit:,}: {'met' if history.chosen else 'NOT met'}")
            ok &= history.chosen is not None
        if firmware_x is not None:
            ok &= firmware_check(g, firmware_x)
    return ok
