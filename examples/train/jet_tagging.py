"""The jet-tagging-shaped MLP (16-64-32-32-5) trained with HGQ and with DQ, then firmware.

    python examples/train/jet_tagging.py [--epochs 40] [--lut 20000] [--no-firmware]

The published 16-64-32-32-5 topology of the hls4ml/HGQ jet tagger, on data from
``sklearn.datasets.make_classification`` with a fixed seed (16 features, 5 classes; the real
jet data cannot be downloaded here).  HGQ trains with ``loss + beta * EBOPs``; DQ (Uhlich et
al.) trains to a LUT budget (``hh.estimate``, Verilog mode) by the beta controller on the
estimator's differentiable LUT surrogate.  Each trained model is estimated, written as Vitis
HLS and Verilog, and checked bit-exact (C-simulation, Verilator) on 1,000 test samples.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import jet_like, run_methods  # noqa: E402


def mlp() -> torch.nn.Sequential:
    """The float 16-64-32-32-5 MLP (random initial weights)."""
    torch.manual_seed(0)
    sizes, layers = (16, 64, 32, 32, 5), []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lut", type=int, default=30000, help="DQ's LUT budget (hh.estimate, Verilog mode)")
    parser.add_argument("--no-firmware", action="store_true", help="skip writing and simulating firmware")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    x_train, y_train, x_test, y_test = jet_like()
    n_val = len(x_train) // 10
    data = (x_train[n_val:], y_train[n_val:], x_test, y_test)
    runs = {"hgq": dict(beta=2e-6, estimate_backend=None),
            "dq": dict(budget={"lut": args.lut}, val=(x_train[:n_val], y_train[:n_val]))}
    ok = run_methods(mlp, data, args.epochs, "jet", {m: dict(kw, lr=3e-3, batch_size=1024, progress=False)
                                                     for m, kw in runs.items()},
                     firmware_x=None if args.no_firmware else x_test[:1000])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
