"""An independent oracle for the fixed-point core: the real ap_fixed headers compiled by g++.

One C++ program is generated for a table of types and kept running; Python sends it values
over a pipe and reads back the raw bits ap_fixed stores.  The binary is cached by the hash
of its source, so the (slow) compile happens once per type table.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import numpy as np

from hgq_hls.fixed import FixedType
from hgq_hls.toolchain import ap_types_include, cxx_compiler

#: The source type of casts: ap_fixed<160,80> holds m * 2**-f exactly for every int64 m and
#: every f in CAST_FRAC_RANGE, so a cast result depends only on the value, as it should.
SOURCE_WIDTH, SOURCE_INT = 160, 80
CAST_FRAC_RANGE = (-15, 80)

_MAIN = r"""
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <ap_fixed.h>

typedef ap_fixed<%(sw)d, %(si)d> source_t;

template <class T, int W> static void emit(const T &v) {
    ap_uint<W> bits = v.range(W - 1, 0);
    std::printf("%%s\n", bits.to_string(16, false).c_str());
}

template <class T, int W> static void from_double(long n) {
    char buf[128];
    for (long k = 0; k < n; ++k) {
        if (std::scanf("%%127s", buf) != 1) std::exit(2);
        T v = std::strtod(buf, nullptr);
        emit<T, W>(v);
    }
}

template <class T, int W> static void from_mantissa(long n) {
    for (long k = 0; k < n; ++k) {
        long long m; int frac;
        if (std::scanf("%%lld %%d", &m, &frac) != 2) std::exit(2);
        source_t s;
        ap_int<%(sw)d> raw = m;
        s.range(%(sw)d - 1, 0) = raw << (%(sf)d - frac);
        T v = s;
        emit<T, W>(v);
    }
}

%(typedefs)s

int main() {
    char kind; int index; long n;
    while (std::scanf(" %%c %%d %%ld", &kind, &index, &n) == 3) {
        switch (index) {
%(cases)s
        default: std::exit(3);
        }
        std::fflush(stdout);
    }
    return 0;
}
"""


def _source(types: list[FixedType]) -> str:
    typedefs = "\n".join(f"typedef {t.ctype()} t{i}_t;" for i, t in enumerate(types))
    cases = "\n".join(
        f"        case {i}: if (kind == 'd') from_double<t{i}_t, {t.width}>(n); "
        f"else from_mantissa<t{i}_t, {t.width}>(n); break;"
        for i, t in enumerate(types)
    )
    return _MAIN % dict(sw=SOURCE_WIDTH, si=SOURCE_INT, sf=SOURCE_WIDTH - SOURCE_INT,
                        typedefs=typedefs, cases=cases)


class ApFixedOracle:
    """A running ap_fixed program answering conversions for a fixed table of types."""

    def __init__(self, types: list[FixedType], cache_dir: Path):
        if any(t.width == 0 for t in types):
            raise ValueError("ap_fixed has no defined width-0 type; test width 0 by hand")
        self.types = list(types)
        self.index = {t: i for i, t in enumerate(self.types)}
        source = _source(self.types)
        include = ap_types_include()
        key = hashlib.sha256((source + str(include)).encode()).hexdigest()[:16]
        cache_dir.mkdir(parents=True, exist_ok=True)
        binary = cache_dir / f"apfixed_oracle_{key}"
        if not binary.exists():
            # per-process names: parallel test workers may compile the same oracle at once
            cpp = cache_dir / f"apfixed_oracle_{key}.{os.getpid()}.cpp"
            cpp.write_text(source)
            tmp = binary.with_suffix(f".{os.getpid()}.tmp")
            cmd = [cxx_compiler(), "-O1", "-std=c++14", "-w", "-isystem", str(include),
                   str(cpp), "-o", str(tmp)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"compiling the ap_fixed oracle failed:\n{done.stderr[-4000:]}")
            os.replace(tmp, binary)
            cpp.unlink(missing_ok=True)
        self._proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True, bufsize=1 << 16)

    def _ask(self, kind: str, t: FixedType, lines: list[str]) -> np.ndarray:
        self._proc.stdin.write(f"{kind} {self.index[t]} {len(lines)}\n" + "\n".join(lines) + "\n")
        self._proc.stdin.flush()
        out = []
        for _ in lines:
            raw = int(self._proc.stdout.readline(), 16)
            if t.signed and raw >> (t.width - 1):
                raw -= 1 << t.width
            out.append(raw)
        return np.array(out, dtype=object)

    def from_double(self, x, t: FixedType) -> np.ndarray:
        """Mantissas (exact Python ints) of ``t v = (double)x`` for each x."""
        return self._ask("d", t, [float(v).hex() for v in np.ravel(x)])

    def cast(self, m, frac: int, t: FixedType) -> np.ndarray:
        """Mantissas of ``t v = source_t(m * 2**-frac)``, with ``frac`` in CAST_FRAC_RANGE."""
        assert CAST_FRAC_RANGE[0] <= frac <= CAST_FRAC_RANGE[1]
        return self._ask("m", t, [f"{int(v)} {frac}" for v in np.ravel(m)])

    def close(self):
        """Stop the oracle process."""
        self._proc.stdin.close()
        self._proc.wait(timeout=10)
