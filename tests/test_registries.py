"""Every IR op is in every registry that consumes it, or listed here as absent with the reason.

Adding an op to ``ir/ops`` without a reference kernel, an HLS layer, a Verilog lowering, a
gradient or a QONNX exporter fails here until it is written or its absence is explained.
"""

import pytest

from hgq_hls.backends.hls.layers import LAYERS
from hgq_hls.lowering.ops import LOWER
from hgq_hls.frontend.onnx.export import EXPORT
from hgq_hls.ir.ops import OPS
from hgq_hls.precision.gradients import VJP
from hgq_hls.reference.kernels import KERNELS

#: registry -> {op: why it is intentionally absent}
ABSENT = {
    "reference kernels": {},
    "HLS layers": {},
    "Verilog lowerings": {},
    "gradients": {
        "Bipolar": "gradients run on float graphs for auto_precision; a float model holds no "
                   "BipolarQuant, and the sign has zero derivative almost everywhere",
        "Requantize": "gradients run on float graphs for auto_precision; a Requantize comes only from "
                      "a model's own float-scaled quantizers, which make the graph typed",
        "Threshold": "made by threshold fusion on typed graphs only (auto_precision's gradients run on "
                     "float graphs)",
    },
    "QONNX exporters": {
        "Lookup": "QONNX has no table op: Sigmoid/Tanh with their explicit table types would lose "
                  "them (save_qonnx names the node instead)",
        "Softmax": "its exp and reciprocal tables' types have no QONNX spelling (save_qonnx names "
                   "the node instead)",
        "Requantize": "not written yet: a float scale's Quant would need its dequantizing Mul and the "
                      "exact float-scaled weights spelled back (save_qonnx names the node instead)",
    },
}
REGISTRIES = {"reference kernels": KERNELS, "HLS layers": LAYERS, "Verilog lowerings": LOWER,
              "gradients": VJP, "QONNX exporters": EXPORT}


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_registry_covers_every_ir_op(name):
    registry, absent = REGISTRIES[name], ABSENT[name]
    missing = sorted(set(OPS) - set(registry) - set(absent))
    assert not missing, f"{name} lack {missing}: implement them or list them in ABSENT with the reason"
    assert not set(registry) - set(OPS), f"{name} hold ops the IR does not define: {set(registry) - set(OPS)}"
    assert not set(absent) & set(registry), f"{name}: listed as absent but present: {set(absent) & set(registry)}"
    assert all(reason.strip() for reason in absent.values())


def _module(fn) -> str:
    return fn.__module__.rsplit(".", 1)[1]


#: the op families: one file name per family, the same in every registry folder
FAMILIES = {_module(type(op)) for op in OPS.values()}


def test_families_are_the_ir_op_modules():
    assert FAMILIES == {"elementwise", "linear", "movement", "pooling", "quantize", "tables"}


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_each_op_lives_in_its_family_file(name):
    """An op's rule sits in the file named like the op's module in ir/ops, in every registry."""
    misplaced = {op: _module(fn) for op, fn in REGISTRIES[name].items() if _module(fn) != _module(type(OPS[op]))}
    assert not misplaced, f"{name}: ops outside their family file: " + ", ".join(
        f"{op} in {module}.py (family {_module(type(OPS[op]))})" for op, module in sorted(misplaced.items()))


def test_importer_handlers_are_grouped_by_family():
    from hgq_hls.frontend.onnx.handlers import HANDLERS

    # the recurrent layers unroll into several families at once: their own module
    assert {_module(fn) for fn in HANDLERS.values()} <= FAMILIES | {"recurrent"}


def test_table_ops_build_their_tables():
    from hgq_hls.ir.ops import OpDef

    lazy = [op.name for op in OPS.values() if op.table and type(op).build_tables is OpDef.build_tables]
    assert not lazy, f"table ops without build_tables: {lazy}"
