"""Regenerate the Brevitas test data: a small quantized MLP exported to QONNX by Brevitas,
with inputs and Brevitas's own outputs for them (the oracle of tests/frontend/test_brevitas.py).

Needs torch and Brevitas: ``pip install -e '.[train]'``, then
``python tests/data/brevitas/make_brevitas_model.py``.  The outputs are committed so the
test suite does not need torch.
"""

from pathlib import Path

import numpy as np
import torch
import brevitas.nn as qnn
from brevitas.export import export_qonnx
from brevitas.quant import (Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint,
                            Uint8ActPerTensorFixedPoint)

HERE = Path(__file__).parent


class Net(torch.nn.Module):
    """6 -> 8 -> 3 with power-of-two (fixed-point) scales: 4- and 5-bit weights, 6-bit ReLU."""

    def __init__(self):
        super().__init__()
        self.inp = qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(6, 8, bias=False, weight_quant=Int8WeightPerTensorFixedPoint,
                                   weight_bit_width=4)
        self.relu = qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=6,
                                  return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(8, 3, bias=False, weight_quant=Int8WeightPerTensorFixedPoint,
                                   weight_bit_width=5, output_quant=Int8ActPerTensorFixedPoint,
                                   return_quant_tensor=False)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(self.inp(x))))


def main():
    torch.manual_seed(0)
    net = Net().eval()
    with torch.no_grad():
        for _ in range(3):                       # let the activation scales settle
            net(torch.randn(64, 6) * 2)
    export_qonnx(net, torch.randn(1, 6), export_path=str(HERE / "mlp_qonnx.onnx"))
    empty = HERE / "mlp_qonnx.onnx.data"           # torch.onnx leaves an empty side file
    if empty.exists() and empty.stat().st_size == 0:
        empty.unlink()
    x = torch.randn(500, 6) * 3
    with torch.no_grad():
        y = net(x)
    np.save(HERE / "x.npy", x.numpy())
    np.save(HERE / "y_brevitas.npy", y.numpy())
    print(f"wrote {HERE}/mlp_qonnx.onnx, x.npy, y_brevitas.npy")


if __name__ == "__main__":
    main()
