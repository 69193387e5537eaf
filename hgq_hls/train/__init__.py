"""Quantization-aware training in PyTorch: HGQ's per-element bit widths and Uhlich et al.'s
learned step size and dynamic range (DQ).

``import hgq_hls.train as ht`` needs PyTorch (``pip install -e '.[train]'``; the test setup
installs it).  ``qm = ht.quantize(module, x, method="hgq" | "dq")`` inserts quantizers into a
float network (Linear, Conv1d/2d, ReLU, MaxPool, AvgPool, Add, Flatten); ``ht.fit(qm, (x, y),
beta=... | budget=...)`` trains with the task loss plus a cost (EBOPs, the estimator's LUTs, or
Uhlich's memory); ``ht.to_graph(qm)`` is the typed ``hh.Graph`` whose ``hh.predict`` equals the
module's float64 eval forward exactly, and ``ht.export_qonnx`` writes it.
"""

try:
    import torch  # noqa: F401
except ImportError as exc:  # a missing extra is a clear error, not a silent skip
    raise ImportError("hgq_hls.train needs PyTorch: pip install -e '.[train]' "
                      "(torch==2.13.0, the CPU build)") from exc

from .calibrate import calibrate
from .convert import quantize
from . import costs
from .costs import LutSurrogate, ebops, memory
from .dq import StepQuantizer
from .export import export_qonnx, to_graph
from .fit import History, fit
from .layers import QLinear
from .quantizer import FixedQuantizer, round_fixed

__all__ = ["FixedQuantizer", "History", "LutSurrogate", "QLinear", "StepQuantizer", "calibrate", "costs", "ebops",
           "export_qonnx", "fit", "memory", "quantize", "round_fixed", "to_graph"]
