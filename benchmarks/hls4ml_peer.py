"""hls4ml 1.3 as a peer: the same QONNX model converted, compiled and run by hls4ml."""

from __future__ import annotations

import numpy as np


def convert(model, work, io: str = "parallel"):
    """hls4ml's ModelGraph for a QONNX model (qonnx clean-up as its docs require), not yet written,
    with ``io_type="io_<io>"``.

    Raises ImportError when hls4ml/qonnx are missing.
    """
    import hls4ml
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
    from qonnx.transformation.gemm_to_matmul import GemmToMatMul
    from qonnx.util.cleanup import cleanup_model

    qm = cleanup_model(ModelWrapper(model))
    qm = cleanup_model(qm.transform(ConvertToChannelsLastAndClean()).transform(GemmToMatMul()))
    config = hls4ml.utils.config.config_from_onnx_model(qm, granularity="name", backend="Vitis",
                                                        default_precision="fixed<32,16>")
    return hls4ml.converters.convert_from_onnx_model(qm, output_dir=str(work), io_type=f"io_{io}",
                                                     backend="Vitis", hls_config=config)


def inputs(x: np.ndarray) -> np.ndarray:
    """``x`` as hls4ml's predict takes it: float32, channels-last for images."""
    xin = x.astype(np.float32)
    if xin.ndim == 4:
        xin = np.ascontiguousarray(np.transpose(xin, (0, 2, 3, 1)))
    return xin
