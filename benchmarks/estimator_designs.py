"""The estimator's calibration and accuracy designs: small, varied, reproducible QONNX graphs.

Every design is rebuilt from its name alone (``build(name)``), so the committed table of yosys
counts (``benchmarks/data/estimator_yosys.json``) stays meaningful: a design whose Verilog
changed no longer matches the netlist hash stored next to its counts.  Designs alternate
between the *fit* set (used to fit ``targets/*.toml``) and the *report* set (used only to
measure the estimator's error), so the figures are not measured on the data they were fitted to.

Families: dense layers (2-16 bit inputs and weights, per-weight sparsity, with or without bias,
ReLU, narrow or saturating output casts), 1-D and 2-D convolutions with pruned channels, small
MLPs and CNNs, activation tables (Sigmoid/Tanh of 4-9 bit inputs), Softmax, average pooling,
and elementwise sums and products of two signals.
"""

from __future__ import annotations

import numpy as np

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

FAMILIES = ("dense", "dense", "conv2d", "conv1d", "mlp", "cnn", "table", "mix")
N_DESIGNS = 64
MODES = ("ROUND", "FLOOR")


def names() -> list[str]:
    """Every design name, ``<family>_<index>``."""
    return [f"{FAMILIES[k % len(FAMILIES)]}_{k}" for k in range(N_DESIGNS)]


def role(name: str) -> str:
    """``"fit"`` or ``"report"``: alternate designs of each family go to each set."""
    return "fit" if (int(name.rsplit("_", 1)[1]) // len(FAMILIES)) % 2 == 0 else "report"


def _weights(rng, shape, bits, sparsity):
    """Integer weights of ``bits`` signed bits, a share ``sparsity`` of them zero."""
    w = rng.integers(-(2 ** (bits - 1)), 2 ** (bits - 1), shape)
    w[rng.random(shape) < sparsity] = 0
    return w


class _Model:
    """A ModelBuilder with random quantizers drawn from one generator."""

    def __init__(self, name, rng):
        self.b, self.rng = ModelBuilder(name), rng

    def act(self, x, bits=None, signed=None):
        """Quantize an activation to a random (or given) width."""
        bits = bits or int(self.rng.integers(2, 17))
        signed = int(self.rng.random() < 0.6) if signed is None else signed
        frac = int(self.rng.integers(0, bits))
        return self.b.quant(x, bits, frac, signed=signed, mode=str(self.rng.choice(MODES)))

    def const(self, w, bits, frac):
        """A quantized constant: integer mantissas ``w`` on the grid ``2**-frac``."""
        return self.b.quant(self.b.const((w * 2.0 ** -frac).astype(np.float32)), bits, frac)

    def dense(self, x, n_in, n_out, w_bits, sparsity, bias=True):
        w = _weights(self.rng, (n_in, n_out), w_bits, sparsity)
        h = self.b.node("MatMul", [x, self.const(w, w_bits, int(self.rng.integers(0, w_bits)))])
        if bias:
            h = self.b.node("Add", [h, self.const(_weights(self.rng, (n_out,), 8, 0.2), 8, 6)])
        return h

    def conv(self, x, c_in, c_out, kernel, w_bits, sparsity, pads):
        w = _weights(self.rng, (c_out, c_in) + kernel, w_bits, sparsity)
        w[self.rng.random(c_out) < 0.25] = 0                    # pruned output channels
        w[:, self.rng.random(c_in) < 0.2] = 0                   # pruned input channels
        return self.b.node("Conv", [x, self.const(w, w_bits, int(self.rng.integers(0, w_bits)))],
                           kernel_shape=list(kernel), pads=pads, strides=[1] * len(kernel))


def build(name: str) -> hh.Graph:
    """The typed graph of design ``name``."""
    family, index = name.rsplit("_", 1)
    rng = np.random.default_rng(1000 + int(index))
    m = _Model(name, rng)
    b = m.b
    if family == "dense":
        n_in, n_out = int(rng.integers(3, 20)), int(rng.integers(2, 14))
        in_bits, w_bits = int(rng.integers(2, 13)), int(rng.integers(2, 11))
        h = m.dense(m.act("x", in_bits), n_in, n_out, w_bits, float(rng.choice([0, .3, .6, .85])),
                    bias=rng.random() < 0.5)
        if rng.random() < 0.5:
            h = b.node("Relu", [m.act(h, int(rng.integers(6, 17)), 1)])
        y, shape = m.act(h), [1, n_in]
    elif family in ("conv2d", "conv1d"):
        c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(2, 6))
        k = int(rng.integers(2, 4))
        size = int(rng.integers(k + 2, 8))
        kernel, shape = ((k, k), [1, c_in, size, size]) if family == "conv2d" else ((k,), [1, c_in, 2 * size])
        pads = [int(rng.integers(0, 2))] * (2 * len(kernel))
        h = m.conv(m.act("x", int(rng.integers(2, 9))), c_in, c_out, kernel, int(rng.integers(2, 9)),
                   float(rng.choice([0, .3, .6])), pads)
        y = m.act(b.node("Relu", [m.act(h, int(rng.integers(4, 13)), 1)]), int(rng.integers(3, 9)), 0)
    elif family == "mlp":
        sizes = [int(s) for s in rng.integers(3, 13, int(rng.integers(3, 5)))]
        h, shape = m.act("x", int(rng.integers(4, 11))), [1, sizes[0]]
        for k in range(len(sizes) - 1):
            h = m.dense(h, sizes[k], sizes[k + 1], int(rng.integers(2, 8)), float(rng.choice([0, .4, .7])))
            h = m.act(b.node("Relu", [h]), int(rng.integers(3, 10)), 0) if k < len(sizes) - 2 else m.act(h)
        y = h
    elif family == "cnn":
        c_out, size = int(rng.integers(2, 5)), int(rng.integers(6, 9))
        shape = [1, 1, size, size]
        h = m.conv(m.act("x", int(rng.integers(3, 9))), 1, c_out, (3, 3), int(rng.integers(2, 7)),
                   float(rng.choice([0, .4])), [0] * 4)
        h = m.act(b.node("Relu", [h]), int(rng.integers(4, 9)), 0)
        h = b.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2], pads=[0] * 4)
        n_flat = c_out * ((size - 2) // 2) ** 2
        y = m.act(m.dense(b.node("Flatten", [h]), n_flat, int(rng.integers(2, 6)), int(rng.integers(2, 7)), 0.5))
    elif family == "table":
        n = int(rng.integers(2, 9))
        shape = [1, n]
        h = m.dense(m.act("x", int(rng.integers(3, 8))), n, n, int(rng.integers(2, 6)), 0.4)
        h = b.node(str(rng.choice(["Sigmoid", "Tanh"])), [m.act(h, int(rng.integers(4, 10)), 1)])
        y = m.act(h, int(rng.integers(4, 13)), 1)
    elif family == "mix":
        n = int(rng.integers(3, 9))
        shape = [1, n]
        x = m.act("x", int(rng.integers(4, 11)))
        a = m.act(m.dense(x, n, n, int(rng.integers(2, 6)), 0.5), int(rng.integers(4, 11)))
        c = m.act(m.dense(x, n, n, int(rng.integers(2, 6)), 0.5), int(rng.integers(4, 11)))
        pick = int(index) // len(FAMILIES) % 3
        if pick == 0:
            y = m.act(b.node("Mul", [a, c]))
        elif pick == 1:
            y = m.act(b.node("Softmax", [b.node("Add", [a, c])], axis=-1), int(rng.integers(6, 11)), 0)
        else:
            y = m.act(b.node("Sub", [b.node("Relu", [a]), c]))
    else:
        raise ValueError(f"unknown design family {family!r}")
    # the designs measure each component as written: a table stays a table (threshold
    # fusion would turn a low-bit Sigmoid head into comparators)
    return hh.load_onnx(b.build({"x": shape}, y), thresholds=False)


def rtl_hash(g: hh.Graph) -> str:
    """A hash of the Verilog ``hh.write_verilog(g)`` writes (its sources, in manifest order)."""
    import hashlib

    from hgq_hls.backends.verilog.writer import plan_rtl

    files, manifest = plan_rtl(g, "myproject", "layer")
    h = hashlib.sha256()
    for source in manifest["sources"]:
        h.update(files[source].encode())
    return h.hexdigest()[:16]
