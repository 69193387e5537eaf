"""Golden-text comparison: generated files are pinned so template changes show in review.

Run with ``HGQ_HLS_UPDATE_GOLDEN=1`` to rewrite the pinned files after an intended change.
"""

import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent / "golden"


def assert_matches_golden(name: str, text: str) -> None:
    """Assert ``text`` equals ``tests/golden/<name>`` (or rewrite it when asked to)."""
    path = GOLDEN_DIR / name
    if os.environ.get("HGQ_HLS_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"no golden file {path}; run with HGQ_HLS_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(), f"{name} differs from {path} (HGQ_HLS_UPDATE_GOLDEN=1 to accept)"
