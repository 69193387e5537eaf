"""A digits CNN trained with HGQ and with DQ in PyTorch, then firmware, verified bit-exact.

    python examples/train/digits_cnn.py [--epochs 30] [--no-firmware]

Conv2d(1->4, 3x3) -> ReLU -> MaxPool 2x2 -> Flatten -> Linear(36->10) on scikit-learn's
bundled 8x8 digits, from random initial weights.  HGQ (per-element bit widths) trains with
``loss + beta * EBOPs``; DQ (Uhlich et al.: a learned step and range per channel) trains to a
weight-memory budget with Uhlich's penalty.  Each trained model is estimated, written as Vitis
HLS and Verilog, and checked bit-exact (C-simulation, Verilator) on the 360 test images.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "digits"))
sys.path.insert(0, str(HERE))

from common import run_methods  # noqa: E402
from make_models import digits  # noqa: E402


def cnn() -> torch.nn.Sequential:
    """The float CNN (random initial weights)."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(36, 10))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--memory", type=int, default=1200, help="DQ's weight-memory budget in bits")
    parser.add_argument("--no-firmware", action="store_true", help="skip writing and simulating firmware")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    x_train, y_train, x_test, y_test = digits()
    data = (x_train.reshape(-1, 1, 8, 8), y_train, x_test.reshape(-1, 1, 8, 8), y_test)
    runs = {"hgq": dict(beta=3e-6), "dq": dict(budget={"weight_bits": args.memory})}
    ok = run_methods(cnn, data, args.epochs, "digits_cnn", {m: dict(kw, lr=1e-2, estimate_backend=None, progress=False)
                                                             for m, kw in runs.items()},
                     firmware_x=None if args.no_firmware else data[2])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
