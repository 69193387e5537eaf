"""HGQ (or DQ) quantization-aware training of the digits MLP in PyTorch, then firmware, verified.

    python examples/train/digits_mlp.py [--lut 6500 | --beta 6e-6] [--method hgq|dq] [--epochs 60] [--no-firmware]

Starts from the committed float MLP (64-32-16-10, ``examples/digits``), inserts per-element
HGQ quantizers (``ht.quantize``), trains with ``loss + beta * EBOPs`` where a controller steers
beta to the LUT budget (``ht.fit``), keeping the checkpoint most accurate on a validation split
of the training images.  The chosen model is then estimated, written as Vitis HLS and Verilog,
and both are checked bit-exact against ``hh.predict`` on the 360 held-out test images, whose
accuracy is reported last (they play no part in training or in choosing the checkpoint).
With ``--beta`` instead, beta is fixed, all 1,437 training images train, and the last epoch's
model is taken (no checkpoint choice at all).  ``--method dq`` trains Uhlich et al.'s learned
step and range per channel instead of HGQ's per-element widths, to the same budget or beta.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "digits"))

import hgq_hls as hh  # noqa: E402
import hgq_hls.train as ht  # noqa: E402
from make_models import digits  # noqa: E402


def float_mlp() -> torch.nn.Sequential:
    """The committed float digits MLP as a torch module."""
    init = {i.name: numpy_helper.to_array(i) for i in onnx.load(HERE.parent / "digits" / "digits_mlp.onnx").graph.initializer}
    gemms = [n for n in onnx.load(HERE.parent / "digits" / "digits_mlp.onnx").graph.node if n.op_type == "Gemm"]
    m = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16), torch.nn.ReLU(),
                            torch.nn.Linear(16, 10))
    with torch.no_grad():
        for layer, node in zip([m[0], m[2], m[4]], gemms):
            layer.weight.copy_(torch.tensor(init[node.input[1]].T))
            layer.bias.copy_(torch.tensor(init[node.input[2]]))
    return m


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lut", type=int, default=6500, help="LUT budget (hh.estimate, Verilog mode)")
    parser.add_argument("--beta", type=float, default=None, help="a fixed beta instead of the LUT budget")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--method", choices=["hgq", "dq"], default="hgq",
                        help="HGQ's per-element widths or DQ's per-channel step and range (Uhlich et al.)")
    parser.add_argument("--no-firmware", action="store_true", help="skip writing and simulating firmware")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x_train, y_train, x_test, y_test = digits()
    start_widths = dict(f0=5) if args.method == "hgq" else dict(bits=8)
    start = time.perf_counter()
    if args.beta is None:
        x_fit, y_fit, x_val, y_val = x_train[:1150], y_train[:1150], x_train[1150:], y_train[1150:]
        qm = ht.quantize(float_mlp(), torch.tensor(x_fit[:512]), method=args.method, **start_widths)
        history = ht.fit(qm, (x_fit, y_fit), epochs=args.epochs, budget={"lut": args.lut}, val=(x_val, y_val),
                         lr=2e-3)
    else:
        qm = ht.quantize(float_mlp(), torch.tensor(x_train[:512]), method=args.method, **start_widths)
        history = ht.fit(qm, (x_train, y_train), epochs=args.epochs, beta=args.beta, lr=2e-3)
    seconds = time.perf_counter() - start
    print(history.table())
    g = ht.to_graph(qm, f"digits_{args.method}")
    report = hh.estimate(g)
    accuracy = float((hh.predict(g, x_test).argmax(1) == y_test).mean())
    chosen = history.chosen or history.epochs[-1]
    print(f"\ntrained {args.epochs} epochs in {seconds:.1f} s ({seconds / args.epochs:.2f} s/epoch); "
          f"took epoch {chosen['epoch']}"
          + (f" (validation accuracy {chosen['val_accuracy']:.3f})" if args.beta is None else " (the last)"))
    print(f"estimate: {report.lut:,} LUT ({'budget ' + format(args.lut, ',') if args.beta is None else 'beta ' + str(args.beta)}),"
          f" {report.ebops:,} EBOPs; test accuracy {accuracy:.3f}")
    ok = args.beta is not None or report.lut <= args.lut
    if not args.no_firmware:
        with tempfile.TemporaryDirectory() as tmp:
            for name, write in (("HLS C-simulation", hh.write_hls), ("Verilator", hh.write_verilog)):
                check = write(g, Path(tmp) / name.split()[0]).verify(x_test)
                print(f"{name}: {check}")
                ok &= check.ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
