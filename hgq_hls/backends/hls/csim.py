"""C-simulation: the project compiled by g++ into a shared library, driven through ctypes.

The library is cached by a hash of every source it is built from (and the compiler, flags
and headers), so an unchanged project is never rebuilt.  One call runs a whole batch; the
batch is split over threads (ctypes releases the GIL during the call).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ...progress import counter, elapsed
from ...toolchain import ToolchainError, ap_types_include, cache_dir, cxx_compiler

#: g++ flags.  -fno-exceptions: without it g++ spends ~4 ms per weight on exception-cleanup
#: code for the constant arrays (measured: 21 s -> 4.7 s for a 4.3k-weight MLP).
#: -fno-gnu-unique lets a rebuilt library load in the same process.
FLAGS = ("-O2", "-std=c++14", "-fno-exceptions", "-fPIC", "-shared", "-fno-gnu-unique", "-w")
#: constants as integer mantissas loaded at start-up instead of typed initializers (one
#: ap_fixed constructor per element to optimize): a 59k-weight TFC MLP compiles in ~3 s, not ~30 s.
#: The synthesized design (and Vitis HLS's own C-simulation) keeps the typed literals.
MANTISSA_CONSTANTS = "-DHGQ_MANTISSA_CONSTANTS"
BRIDGE = "csim/bridge.cpp"
_ENTRY = "hgq_run_batch"


class CompileError(RuntimeError):
    """g++ rejected the generated code; the message holds the compiler's output."""


@functools.lru_cache(maxsize=None)
def _compiler_identity(cxx: str) -> str:
    try:
        return subprocess.run([cxx, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ToolchainError(f"cannot run the C++ compiler {cxx}: {exc}") from exc


#: what only the C-simulation build reads: the bridge, and io_stream's hls::stream stand-in
CSIM_DIR = "csim"


def _sources(project_dir: Path) -> list[Path]:
    return sorted(p for folder in ("firmware", CSIM_DIR) for p in (project_dir / folder).rglob("*") if p.is_file())


def _flags(mantissa_constants: bool) -> tuple[str, ...]:
    return FLAGS + ((MANTISSA_CONSTANTS,) if mantissa_constants else ())


def library_path(project_dir: Path, project: str, mantissa_constants: bool = True) -> Path:
    """Where the shared library of this exact project content is cached."""
    cxx, include = cxx_compiler(), ap_types_include()
    digest = hashlib.sha256()
    for part in (cxx, _compiler_identity(cxx), " ".join(_flags(mantissa_constants)), str(include)):
        digest.update(part.encode() + b"\0")
    for path in _sources(project_dir):
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return cache_dir() / "hls" / f"{project}-{digest.hexdigest()[:24]}.so"


def build_library(project_dir: Path, project: str, progress: bool = False, mantissa_constants: bool = True) -> Path:
    """Compile the project's C-simulation library unless the cache already has it; with
    ``mantissa_constants=False`` the constants are the typed literals synthesis reads."""
    out = library_path(project_dir, project, mantissa_constants)
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.tmp.so")
    bridge = project_dir / BRIDGE
    cmd = [cxx_compiler(), *_flags(mantissa_constants), "-I", str(ap_types_include()), "-I", str(project_dir / "firmware"),
           "-I", str(project_dir / CSIM_DIR),
           str(bridge), "-o", str(tmp)]
    with elapsed(f"g++ {project}", enabled=progress):
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise CompileError(f"g++ could not compile {bridge} (it includes firmware/{project}.cpp):\n"
                           f"{proc.stderr[-8000:]}\ncommand: {' '.join(cmd)}")
    os.replace(tmp, out)
    return out


@functools.lru_cache(maxsize=None)
def _load(path: str):
    lib = ctypes.CDLL(path)
    fn = getattr(lib, _ENTRY)
    fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p), ctypes.c_longlong]
    fn.restype = ctypes.c_int
    return fn


def _pointers(arrays) -> ctypes.Array:
    return (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])


def run_batch(library: Path, inputs: list[np.ndarray], output_sizes: list[int],
              progress: bool = False, chunk: int = 2048) -> list[np.ndarray]:
    """Run ``inputs`` (float64, shape (n, size) each) through the library: int64 mantissas."""
    fn = _load(str(library))
    n = len(inputs[0])
    inputs = [np.ascontiguousarray(x, dtype=np.float64).reshape(n, -1) for x in inputs]
    outputs = [np.zeros((n, size), dtype=np.int64) for size in output_sizes]
    starts = range(0, n, chunk)

    def run(start):
        stop = min(start + chunk, n)
        fn(_pointers([x[start:stop] for x in inputs]), _pointers([y[start:stop] for y in outputs]),
           stop - start)
        return stop - start

    with counter(n, "C-simulation", "sample", enabled=progress) as bar, \
            ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for done in pool.map(run, starts):
            bar.update(done)
    return outputs
