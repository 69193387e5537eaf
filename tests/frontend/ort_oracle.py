"""onnxruntime as an oracle: a float model run one sample at a time (exports often fix the
batch at 1), the outputs joined along the batch."""

from __future__ import annotations

import numpy as np
import pytest


def onnxruntime_per_sample(model, x: np.ndarray, output: str | None = None) -> np.ndarray:
    """``model``'s output (the first, or ``output``) on input ``x`` (float32), sample by sample."""
    try:
        import onnxruntime as ort
    except ImportError as exc:      # a missing oracle is a failure with an install hint, not a skip
        pytest.fail(f"onnxruntime is needed for this test: pip install -e '.[test]' ({exc})")
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = None if output is None else [output]
    return np.concatenate([session.run(names, {"x": x[k:k + 1]})[0] for k in range(len(x))])
