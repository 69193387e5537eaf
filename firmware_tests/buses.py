"""What the testbenches share: element mantissas <-> bus values, the run folder's inputs, and
the comparison with the expected outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


def pack(row, bits: int) -> int:
    """Element mantissas -> one bus value (element 0 in the lowest bits)."""
    mask, value = (1 << bits) - 1, 0
    for k, m in enumerate(row):
        value |= (int(m) & mask) << (k * bits)
    return value


def unpack(value: int, size: int, bits: int, signed: bool, width: int) -> list[int]:
    """One bus value -> element mantissas."""
    mask, out = (1 << bits) - 1, []
    for k in range(size):
        m = (value >> (k * bits)) & mask
        if width == 0:
            m = 0
        elif signed and m >> (bits - 1):
            m -= 1 << bits
        out.append(m)
    return out


def read_run() -> tuple[Path, dict, list]:
    """The run folder (``$HGQ_RUN_DIR``), its manifest and the input mantissas (one row per sample)."""
    run = Path(os.environ["HGQ_RUN_DIR"])
    manifest = json.loads((run / "manifest.json").read_text())
    ins = [np.load(run / f"in{k}.npy", allow_pickle=True) for k in range(len(manifest["inputs"]))]
    return run, manifest, ins


def check_expected(run: Path, manifest: dict, outs: list, n: int) -> None:
    """Every output equals ``expected<k>.npy`` where that file exists (else nothing to check)."""
    for k, got in enumerate(outs):
        expected_file = run / f"expected{k}.npy"
        if expected_file.exists():
            want = np.load(expected_file, allow_pickle=True).reshape(n, -1)
            bad = np.argwhere(np.array(got, dtype=object) != want)
            assert len(bad) == 0, (f"{manifest['outputs'][k]['tensor']}: {len(bad)} values differ; first at "
                                   f"sample {bad[0][0]}, index {bad[0][1]}")
