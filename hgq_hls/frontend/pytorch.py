"""``hh.load_torch``: a PyTorch module imported through its ONNX export.

Three kinds of module, one call:

- a float ``torch.nn.Module``: exported by ``torch.onnx.export`` (the dynamo exporter, torch's
  default, or TorchScript with ``dynamo=False``) and imported by :func:`load_onnx` with the
  types the user gives (``input_type="auto", calib=x`` sizes the inputs by data);
- a Brevitas network: exported by Brevitas's own QONNX writer, whose quantizers declare the
  types (the export Brevitas documents for FINN and hls4ml);
- a module quantized by :func:`hgq_hls.train.quantize`: converted by
  :func:`hgq_hls.train.to_graph`, which keeps every per-element type exactly.

The module is exported in eval mode and handed back in the mode it came in.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ..errors import ArgumentError
from ..ir import Graph
from .onnx import load_onnx

#: opset of the float export (ONNX 1.16+ reads it; the dynamo exporter's own default)
OPSET = 18


def _torch():
    try:
        import torch
    except ImportError as exc:  # a missing extra is a clear error, not a silent fallback
        raise ImportError("load_torch needs PyTorch: pip install -e '.[train]' "
                          "(torch==2.13.0, the CPU build)") from exc
    return torch


def _example_args(torch, example_input) -> tuple:
    """The example input(s) as a tuple of float32 tensors, batch first."""
    items = example_input if isinstance(example_input, (tuple, list)) else (example_input,)
    if not items:
        raise ArgumentError("example_input", "give at least one example tensor (batch first)")
    args = []
    for k, item in enumerate(items):
        if isinstance(item, np.ndarray):
            item = torch.from_numpy(np.ascontiguousarray(item, dtype=np.float32))
        if not isinstance(item, torch.Tensor):
            raise ArgumentError("example_input", f"item {k} is a {type(item).__name__}; pass tensors or arrays")
        if item.ndim < 1 or item.shape[0] < 1:
            raise ArgumentError("example_input", f"item {k} of shape {tuple(item.shape)} has no batch axis")
        args.append(item.float())
    return tuple(args)


@contextlib.contextmanager
def _quiet_exporter():
    """The dynamo exporter logs a warning per optional torchvision op and deprecation notes of
    torch internals: none concern the user's model, so they are held back while it runs."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _eval_mode(module):
    training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(training)


def _kind(module) -> str:
    """"hgq_hls" (quantized by hgq_hls.train), "brevitas" or "float"."""
    classes = [type(m).__module__ for m in module.modules()]
    if any(c.startswith("hgq_hls.train") for c in classes):
        return "hgq_hls"
    if any(c.startswith("brevitas") for c in classes):
        return "brevitas"
    return "float"


def _export(torch, module, args, path: Path, kind: str, dynamo: bool, opset: int) -> None:
    if kind == "brevitas":
        from brevitas.export import export_qonnx
        export_qonnx(module, args if len(args) > 1 else args[0], export_path=str(path))
        return
    names = [f"x{k}" for k in range(len(args))] if len(args) > 1 else ["x"]
    kwargs = {"dynamo": dynamo, "opset_version": opset, "input_names": names}
    if dynamo:
        kwargs["verbose"] = False          # the dynamo exporter prints progress lines otherwise
    else:
        # the batch axis stays symbolic, so shape arithmetic on it is not baked in
        kwargs["dynamic_axes"] = {n: {0: "batch"} for n in names}
    torch.onnx.export(module, args, str(path), **kwargs)


def load_torch(module, example_input, input_type=None, default_type=None, precision=None,
               thresholds: bool = True, calib=None, dynamo: bool = True, opset: int = OPSET) -> Graph:
    """Import a PyTorch module as a typed :class:`~hgq_hls.Graph` (see :func:`load_onnx`).

    ``example_input`` is one tensor or array (or a tuple, one per input), batch first; a float
    module is traced on it by ``torch.onnx.export`` (``dynamo=False`` uses the TorchScript
    exporter), a Brevitas module by Brevitas's QONNX export, and a module from
    :func:`hgq_hls.train.quantize` is converted exactly by :func:`hgq_hls.train.to_graph`.
    ``input_type``, ``default_type``, ``precision``, ``calib`` and ``thresholds`` mean what
    they mean for :func:`load_onnx`; with ``input_type="auto"`` and no ``calib`` the example
    input sizes the input types.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise ArgumentError("module", f"expected a torch.nn.Module, got {type(module).__name__}")
    args = _example_args(torch, example_input)
    kind = _kind(module)
    if kind == "hgq_hls":
        given = [k for k, v in [("input_type", input_type), ("default_type", default_type),
                                ("precision", precision), ("calib", calib)] if v is not None]
        if given:
            raise ArgumentError(given[0], "a module quantized by hgq_hls.train declares its own types")
        from ..train import to_graph
        with _eval_mode(module):
            return to_graph(module, name=type(module).__name__)
    if isinstance(input_type, str) and input_type == "auto" and calib is None:
        calib = [a.numpy().astype(np.float64) for a in args]
    with tempfile.TemporaryDirectory(prefix="hgq_hls_torch_") as tmp, _eval_mode(module), torch.no_grad(), \
            _quiet_exporter():
        path = Path(tmp) / "model.onnx"
        try:
            _export(torch, module, args, path, kind, dynamo, opset)
        except Exception as exc:  # noqa: BLE001  (exporters raise many kinds; name the step)
            exporter = "brevitas.export.export_qonnx" if kind == "brevitas" else "torch.onnx.export"
            retry = "try dynamo=False (the TorchScript exporter), or " if kind == "float" and dynamo else ""
            raise ArgumentError("module", f"{exporter} failed ({type(exc).__name__}: {exc}); "
                                f"{retry}export the model yourself and use load_onnx") from exc
        import onnx
        model = onnx.load(str(path))       # loaded into memory: the folder goes away below
    return load_onnx(model, input_type=input_type, default_type=default_type, precision=precision,
                     thresholds=thresholds, calib=calib)
