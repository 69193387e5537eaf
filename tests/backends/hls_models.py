"""One small model per supported op (and the mixed-precision cases), for backend tests.

Each entry is a function returning a typed ``hh.Graph``.  QONNX models declare their own
types; plain ONNX models get an input type, a default type and per-node overrides, so
neighbouring tensors have different widths, rounding and overflow modes.
"""

from __future__ import annotations

import numpy as np
from onnx import helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import QONNX_DOMAIN, ModelBuilder
from tests.frontend.float_scale_models import brevitas_style_bn, float_quant, float_scaled_mlp, ort_static_qdq
from tests.frontend.qonnx_models import mixed_mlp, qdq_model, random_qonnx_model, trunc_model

T = hh.FixedType
IN = T(True, 8, 3, "RND_CONV", "SAT")
DEFAULT = T(True, 12, 5, "RND", "SAT")
MODELS = {}


def model(fn):
    """Register a model builder under its function name."""
    MODELS[fn.__name__] = fn
    return fn


def typed(m, input_type=IN, default_type=DEFAULT, **kw):
    return hh.load_onnx(m, input_type=input_type, default_type=default_type, **kw)


def weights(rng, shape, scale=0.6):
    return rng.normal(0, scale, shape).astype(np.float32)


@model
def qonnx_mixed_mlp():
    return hh.load_onnx(mixed_mlp(0))


for _seed, _cnn in [(0, False), (1, False), (2, True), (3, True), (4, True)]:
    def _random(seed=_seed, cnn=_cnn):
        return hh.load_onnx(random_qonnx_model(np.random.default_rng(seed), cnn)[0])
    MODELS[f"qonnx_random_{'cnn' if _cnn else 'mlp'}_{_seed}"] = _random


@model
def trunc_v1():
    return hh.load_onnx(trunc_model(1, "ROUND"))


@model
def trunc_v2_unsigned_floor():
    return hh.load_onnx(trunc_model(2, "FLOOR", signed=0))


@model
def bipolar():
    b = ModelBuilder("bipolar")
    x = b.quant("x", 6, 2)
    h = b.node("BipolarQuant", [x, b.const(np.float32(0.5))], domain=QONNX_DOMAIN)
    y = b.node("MatMul", [h, b.quant(b.const(weights(np.random.default_rng(5), (6, 3))), 5, 3)])
    return hh.load_onnx(b.build({"x": ["N", 6]}, b.quant(y, 7, 3)))


@model
def conv1d_strided_dilated():
    rng = np.random.default_rng(6)
    b = ModelBuilder("conv1d")
    h = b.node("Conv", ["x", b.const(weights(rng, (3, 2, 3))), b.const(weights(rng, (3,), 0.2))],
               pads=[1, 2], strides=[2], dilations=[2])
    return typed(b.build({"x": ["N", 2, 12]}, b.node("Relu", [h])),
                 precision={"Relu_4": T(False, 7, 3, "RND_CONV", "SAT")})


@model
def conv2d_depthwise():
    b = ModelBuilder("depthwise")
    w = b.const(weights(np.random.default_rng(7), (4, 1, 3, 3)))
    return typed(b.build({"x": ["N", 4, 5, 5]}, b.node("Conv", ["x", w], pads=[1, 1, 1, 1], group=4)))


@model
def conv2d_grouped_no_bias():
    b = ModelBuilder("grouped")
    w = b.const(weights(np.random.default_rng(8), (4, 2, 2, 3)))
    y = b.node("Conv", ["x", w], strides=[2, 1], dilations=[1, 2], pads=[0, 1, 1, 0], group=2)
    return typed(b.build({"x": ["N", 4, 6, 7]}, y), default_type=T(True, 10, 4, "TRN", "WRAP"))


@model
def maxpool_padded():
    b = ModelBuilder("maxpool")
    y = b.node("MaxPool", ["x"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    return typed(b.build({"x": ["N", 2, 7, 7]}, y), input_type=T(True, 6, 2, "TRN", "SAT"))


@model
def avgpool_padded_exclusive():
    b = ModelBuilder("avgpool")
    y = b.node("AveragePool", ["x"], kernel_shape=[2, 3], strides=[1, 2], pads=[0, 1, 1, 1])
    return typed(b.build({"x": ["N", 2, 5, 6]}, y))


@model
def global_pools():
    b = ModelBuilder("global")
    a = b.node("GlobalAveragePool", ["x"])
    m = b.node("GlobalMaxPool", ["x"])
    return typed(b.build({"x": ["N", 3, 4, 5]}, [a, m]))


@model
def reductions():
    # torch's mean(dim=(-2, -1)) (AdaptiveAvgPool2d(1) in the default exporter), a sum over
    # the last axis and a max of every value of a sample
    b = ModelBuilder("reduce")
    a = b.node("ReduceMean", ["x"], axes=[2, 3], keepdims=1)
    s = b.node("ReduceSum", ["x", b.const(np.array([-1], dtype=np.int64))], keepdims=0)
    m = b.node("ReduceMax", ["x"], axes=[1, 2, 3], keepdims=0)
    return typed(b.build({"x": ["N", 3, 4, 5]}, [a, s, m]))


@model
def depth_space_round_trip():
    # an upsampling head (DepthToSpace, CRD as torch's PixelShuffle) and its inverse
    b = ModelBuilder("d2s")
    up = b.node("DepthToSpace", ["x"], blocksize=2, mode="CRD")
    down = b.node("SpaceToDepth", [b.node("Relu", [up])], blocksize=2)
    return typed(b.build({"x": ["N", 8, 2, 3]}, [up, down]))


@model
def abs_of_dense():
    rng = np.random.default_rng(4)
    b = ModelBuilder("abs")
    h = b.node("Gemm", ["x", b.const(weights(rng, (6, 4)))])
    return typed(b.build({"x": ["N", 6]}, b.node("Abs", [h])))


@model
def gemm_activation_bias():
    # torch's addmm(h, x, W): Gemm whose C is an activation
    rng = np.random.default_rng(5)
    b = ModelBuilder("addmm")
    h = b.node("Relu", [b.node("Gemm", ["x", b.const(weights(rng, (6, 4)))])])
    return typed(b.build({"x": ["N", 6]}, b.node("Gemm", ["x", b.const(weights(rng, (6, 4))), h])))


@model
def slices_and_split():
    # torch's x[:, 1:3], a reversed strided slice and chunk(2, dim=1)
    b = ModelBuilder("slice")
    i64 = lambda v: b.const(np.array(v, dtype=np.int64))      # noqa: E731
    a = b.node("Slice", ["x", i64([1]), i64([3]), i64([1])])
    r = b.node("Slice", ["x", i64([-1, 4]), i64([-2 ** 63, 0]), i64([2, 3]), i64([-2, -1])])
    b.nodes.append(helper.make_node("Split", ["x"], ["p0", "p1"], axis=1))
    return typed(b.build({"x": ["N", 4, 5, 6]}, [a, r, b.node("Relu", ["p0"]), "p1"]))


@model
def concat_constant():
    # a constant channel before the activations (ONNX's Concat needs a batch of 1 here)
    rng = np.random.default_rng(6)
    b = ModelBuilder("cat")
    h = b.node("Relu", [b.node("Gemm", ["x", b.const(weights(rng, (5, 3)))])])
    return typed(b.build({"x": [1, 5]}, b.node("Concat", [b.const(np.array([[0.75, -2.0]], dtype=np.float32)), h],
                                                 axis=1)))


@model
def resize_nearest():
    # torch's nn.Upsample(scale_factor=(2, 3)) export: each element repeated 2 x 3 times
    b = ModelBuilder("resize")
    node = helper.make_node("Resize", ["x", "", b.const(np.array([1, 1, 2, 3], dtype=np.float32))], ["up"],
                            mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    b.nodes.append(node)
    return typed(b.build({"x": ["N", 2, 3, 2]}, b.node("Relu", ["up"])))


@model
def self_sum():
    # one tensor read twice by a node: x + x (the HLS function takes it once)
    b = ModelBuilder("self_sum")
    h = b.node("Relu", ["x"])
    return typed(b.build({"x": ["N", 5]}, b.node("Add", [h, h])))


@model
def gather_features():
    # x[:, [3, 0, 1, 1]] and x[:, -1] (a feature picked by a constant index)
    b = ModelBuilder("gather")
    picked = b.node("Gather", ["x", b.const(np.array([3, 0, 1, 1], dtype=np.int64))], axis=1)
    last = b.node("Gather", ["x", b.const(np.array(-1, dtype=np.int64))], axis=1)
    return typed(b.build({"x": ["N", 5, 2]}, [b.node("Relu", [picked]), last]))


@model
def pools_1d():
    b = ModelBuilder("pool1d")
    m = b.node("MaxPool", ["x"], kernel_shape=[2], strides=[2])
    a = b.node("AveragePool", [m], kernel_shape=[3], strides=[2], pads=[1, 1], count_include_pad=1)
    return typed(b.build({"x": ["N", 2, 9]}, a))


@model
def elementwise_broadcast():
    rng = np.random.default_rng(9)
    b = ModelBuilder("elementwise")
    scaled = b.node("Mul", ["x", b.const(weights(rng, (3, 1, 1)))])
    h = b.node("Add", ["x", scaled])
    h = b.node("Sub", [h, b.const(np.float32(0.75))])
    h = b.node("Mul", [h, "x"])                        # activation x activation
    h = b.node("Div", [h, b.const(np.float32(3.0))])
    h = b.node("Add", [b.const(weights(rng, (4,))), h])  # constant first, broadcast over rows
    return typed(b.build({"x": ["N", 3, 2, 4]}, h),
                 precision={"Mul_2": T(True, 10, 3, "RND_CONV", "SAT"), "Mul_6": T(True, 14, 7, "RND", "WRAP")})


@model
def activations_two_outputs():
    b = ModelBuilder("activations")
    h = b.node("LeakyRelu", ["x"], alpha=0.125)
    h = b.node("Clip", [h, b.const(np.float32(-1.0)), b.const(np.float32(2.5))])
    s = b.node("Sigmoid", [h])
    t = b.node("Tanh", ["x"])
    return typed(b.build({"x": ["N", 10]}, [s, t]))


@model
def prelu_per_channel_and_clip_min():
    b = ModelBuilder("prelu")
    h = b.node("PRelu", ["x", b.const(np.array([[[0.25]], [[-0.5]], [[0.125]]], np.float32))])
    h = b.node("Clip", [h, b.const(np.float32(-0.5))])
    return typed(b.build({"x": ["N", 3, 2, 2]}, h))


@model
def neg_unsigned_and_saturating():
    """Neg of an unsigned input (signed, one bit wider), once into a narrow saturating type
    and once exact (a second Neg)."""
    b = ModelBuilder("neg")
    h = b.node("Neg", [b.quant("x", 6, 3, signed=0)])
    return hh.load_onnx(b.build({"x": ["N", 5]}, [b.quant(h, 4, 1, mode="FLOOR"), b.node("Neg", [h])]))


@model
def clamps_per_element():
    """Min/Max by constant tensors that are no fixed-point type (they stay clamps)."""
    b = ModelBuilder("clamps")
    h = b.node("Min", [b.quant("x", 8, 2), b.const(np.array([[1.5, 0.25, -3.0], [7.0, 0.0, 2.75]], np.float32))])
    return hh.load_onnx(b.build({"x": ["N", 2, 3]}, b.node("Max", [h, b.const(np.array([-1.25, -9.0, -0.5], np.float32))])))


@model
def min_max_of_activations():
    """Max of two activations of different types, then Min by an activation that broadcasts
    (a row maximum) and by a constant: Clips whose bounds are other activations."""
    b = ModelBuilder("minmax")
    a = b.quant("x", 8, 3)
    c = b.quant(b.node("Mul", [a, b.const(np.array([[0.5, -2.0, 0.75], [-1.5, 1.0, 0.25]], np.float32))]), 6, 2)
    row = b.node("ReduceMax", [b.node("Neg", [a])], axes=[2], keepdims=1)
    h = b.node("Max", [a, c])
    return hh.load_onnx(b.build({"x": ["N", 2, 3]}, b.node("Min", [row, h, b.const(np.float32(2.5))])))


@model
def matmul_of_activations():
    """Attention-style products of two activations: (x @ W) @ x^T per head, then the scores
    times a narrower activation; one operand read twice (x @ x^T)."""
    b = ModelBuilder("attention")
    a = b.quant("x", 6, 3)
    q = b.node("MatMul", [a, b.quant(b.const(weights(np.random.default_rng(8), (3, 3))), 4, 2)])
    s = b.quant(b.node("MatMul", [q, b.node("Transpose", [a], perm=[0, 1, 3, 2])]), 10, 6, mode="FLOOR")
    narrow = b.quant(a, 3, 2, signed=0)
    both = b.node("MatMul", [a, b.node("Transpose", [a], perm=[0, 1, 3, 2])])
    return hh.load_onnx(b.build({"x": ["N", 2, 4, 3]}, [b.node("MatMul", [s, narrow]), both]))


@model
def layer_norm():
    """LayerNormalization over a row of 4: exact means and square, 1/sqrt(var + eps) from a
    256-entry table of declared types, per-channel scale and bias."""
    b = ModelBuilder("ln")
    b.nodes.append(helper.make_node(
        "LayerNormalization", [b.quant("x", 6, 3), b.const(np.array([1.0, -0.5, 2.0, 0.25], np.float32)),
                               b.const(np.array([0.5, 0.0, -1.0, 0.25], np.float32))], ["ln"], axis=-1, epsilon=1e-3))
    model = b.build({"x": ["N", 3, 4]}, b.quant("ln", 12, 5, mode="FLOOR"))
    table = next(n.name for n in hh.load_onnx(model).nodes.values() if n.op == "Lookup")
    return hh.load_onnx(model, precision={table: {"table_in": T(False, 8, 3, "RND", "SAT"),
                                                  "table_out": T(False, 12, 5, "RND_CONV", "SAT")}})


@model
def elu_selu():
    """Elu (alpha 0.5) and Selu: an exact positive branch beside a table of exp(-t) - 1."""
    b = ModelBuilder("elu")
    x = b.quant("x", 8, 4)
    return hh.load_onnx(b.build({"x": ["N", 6]}, [b.quant(b.node("Elu", [x], alpha=0.5), 10, 6),
                                                  b.quant(b.node("Selu", [x]), 12, 7)]))


@model
def lstm_then_gru():
    """torch's sequence-first pattern: Transpose -> LSTM (layout 0) -> Squeeze -> GRU reading the
    batch on axis 1 -> its final state moved batch-first: unrolled Dense, gate tables, products."""
    rng = np.random.default_rng(31)
    b = ModelBuilder("lstm_gru")
    seq_first = b.node("Transpose", ["x"], perm=[1, 0, 2])
    lstm = [seq_first, b.const(weights(rng, (1, 12, 2))), b.const(weights(rng, (1, 12, 3))),
            b.const(weights(rng, (1, 24), 0.2))]
    b.nodes.append(helper.make_node("LSTM", lstm, ["lstm_y"], name="LSTM_a", hidden_size=3))
    squeezed = b.node("Squeeze", ["lstm_y", b.const(np.array([1], dtype=np.int64))])
    gru = [squeezed, b.const(weights(rng, (1, 6, 3))), b.const(weights(rng, (1, 6, 2))),
           b.const(weights(rng, (1, 12), 0.2))]
    b.nodes.append(helper.make_node("GRU", gru, ["", "gru_h"], name="GRU_b", hidden_size=2, linear_before_reset=1))
    y = b.node("Flatten", [b.node("Transpose", ["gru_h"], perm=[1, 0, 2])], axis=1)
    return typed(b.build({"x": ["N", 3, 2]}, y))


@model
def resize_bilinear():
    """torch's nn.Upsample(scale_factor=2, mode="bilinear") export: a Dense per spatial axis by
    the interpolation matrix (weights 1/4, 3/4 and 1 at the edges), a Transpose around the
    one that is not last; then a 3x upsampling of the width to 7 columns (sizes, weights k/6)."""
    b = ModelBuilder("bilinear")
    up = helper.make_node("Resize", [b.quant("x", 6, 2), "", b.const(np.array([1, 1, 2, 2], np.float32))], ["up"],
                          mode="linear", coordinate_transformation_mode="pytorch_half_pixel")
    b.nodes.append(up)
    b.nodes.append(helper.make_node("Resize", [b.quant("up", 8, 3), "", "", b.const(np.array([1, 2, 6, 7], np.int64))],
                                    ["wide"], mode="linear", coordinate_transformation_mode="half_pixel"))
    return hh.load_onnx(b.build({"x": ["N", 2, 3, 2]}, b.quant("wide", 10, 4)))


@model
def clip_inverted_bounds():
    b = ModelBuilder("clip_inverted")
    h = b.node("Clip", ["x", b.const(np.float32(1.0)), b.const(np.float32(-1.0))])
    return typed(b.build({"x": ["N", 5]}, h))


@model
def softmax_last_axis():
    b = ModelBuilder("softmax")
    return typed(b.build({"x": ["N", 2, 5]}, b.node("Softmax", ["x"], axis=-1)))


@model
def softmax_middle_axis():
    b = ModelBuilder("softmax_mid")
    h = b.node("Softmax", ["x"], axis=1)
    return typed(b.build({"x": ["N", 3, 4]}, h), default_type=T(True, 16, 2, "RND", "SAT"))


@model
def movement():
    b = ModelBuilder("movement")
    t = b.node("Transpose", ["x"], perm=[0, 2, 3, 1])
    f = b.node("Flatten", [t])
    r = b.node("Relu", [b.node("Flatten", ["x"])])
    c = b.node("Concat", [f, r], axis=1)
    p = b.node("Pad", [c, b.const(np.array([0, 1, 0, 2], np.int64)), b.const(np.float32(0.5))])
    u = b.node("Unsqueeze", [p, b.const(np.array([1], np.int64))])
    s = b.node("Squeeze", [u, b.const(np.array([1], np.int64))])
    d = b.node("Dropout", [b.node("Identity", [s])])
    return typed(b.build({"x": ["N", 2, 3, 4]}, d))


@model
def two_inputs_output_read_inside():
    b = ModelBuilder("two_inputs")
    c = b.node("Concat", ["a", "b"], axis=1)
    r = b.node("Relu", [c])
    model = b.build({"a": ["N", 2, 3], "b": ["N", 1, 3]}, [c, r])
    return typed(model, precision={"Relu_2": T(False, 5, 2, "RND_CONV", "SAT")})


@model
def batchnorm_folded_and_affine():
    rng = np.random.default_rng(10)
    b = ModelBuilder("batchnorm")

    def bn(x, n):
        stats = [rng.uniform(0.5, 1.5, n), rng.normal(0, .2, n), rng.normal(0, .2, n), rng.uniform(0.5, 2.0, n)]
        return b.node("BatchNormalization", [x] + [b.const(v.astype(np.float32)) for v in stats])

    h = bn("x", 2)                                               # on an input: Mul + Add
    h = b.node("Conv", [h, b.const(weights(rng, (3, 2, 3, 3)))])
    return typed(b.build({"x": ["N", 2, 5, 5]}, bn(h, 3)))


@model
def qdq_int8():
    return hh.load_onnx(qdq_model())


@model
def float_scales_mlp():
    """QONNX float32 scales (per channel, zero points, narrow, HALF_UP): Requantize by odd divisors."""
    return hh.load_onnx(float_scaled_mlp(0))


@model
def float_scales_zero_point_before_rounding():
    """Per-channel scales with small odd parts and a zero point added before half-even rounding
    (an Add before the Requantize), on a fixed-point input; a CNN channel axis."""
    b = ModelBuilder("float_zero")
    x = b.quant("x", 10, 5)
    scale = np.array([0.375, 1.25, np.float32(0.3)], np.float32).reshape(1, 3, 1, 1)
    y = float_quant(b, x, scale, 4, zero=1.0, mode="ROUND")
    return hh.load_onnx(b.build({"x": ["N", 3, 2, 2]}, y))


@model
def float_scales_fine_input():
    """A 16-bit input on a 2^-8 grid divided by 48, 80 (3 and 5 times 2^4) and 0.3f to 3 bits:
    the input's fine bits only feed the sticky bit."""
    b = ModelBuilder("float_fine")
    x = b.quant("x", 16, 8)
    y = float_quant(b, x, np.array([48.0, 80.0, np.float32(0.3)], np.float32), 3)
    return hh.load_onnx(b.build({"x": ["N", 3]}, y))


@model
def thresholds_batchnorm_mlp():
    """Brevitas-style float scales with a BatchNorm (negative gammas) between the quantizers: the
    BatchNorm, ReLU and 4-bit requantizer fused into thresholds (some decreasing)."""
    return hh.load_onnx(brevitas_style_bn(1, negative_gamma=True))


@model
def thresholds_batchnorm_cnn():
    """The same with Conv layers: per-channel thresholds over a (C, 1, 1) parameter shape, integer
    weights once the per-channel float scales are moved after the Conv."""
    return hh.load_onnx(brevitas_style_bn(2, cnn=True))


@model
def ort_quantize_static_per_channel():
    """onnxruntime quantize_static: uint8 activations with zero points, int8 per-channel weights."""
    return hh.load_onnx(ort_static_qdq(0))


def _dense(w, name="fc"):
    b = ModelBuilder("dense")
    b.nodes.append(helper.make_node("MatMul", ["x", b.const(w.astype(np.float32), "w")], ["y"], name=name))
    return b.build({"x": ["N", w.shape[0]]}, "y")


@model
def narrow_accumulator_wrap():
    w = np.random.default_rng(0).integers(-8, 8, (10, 4))
    return hh.load_onnx(_dense(w), input_type=T(True, 8, 8), default_type=T(True, 8, 8),
                        precision={"fc": T(True, 9, 9, "TRN", "WRAP")})


@model
def narrow_accumulator_saturate():
    w = np.random.default_rng(0).integers(-8, 8, (10, 4))
    return hh.load_onnx(_dense(w), input_type=T(True, 8, 8), default_type=T(True, 8, 8),
                        precision={"fc": T(True, 9, 9, "TRN", "SAT")})


@model
def per_weight_precision():
    w = np.array([[0.5, -0.0078125], [3.0, 0.25], [-1.5, 0.0]])
    return hh.load_onnx(_dense(w), input_type=T(True, 6, 3))


@model
def wide_accumulator():
    rng = np.random.default_rng(11)
    w = np.round(rng.normal(0, 2**18, (5, 3))) / 2**10
    return hh.load_onnx(_dense(w), input_type=T(True, 30, 12, "RND", "SAT"),
                        precision={"fc": T(True, 24, 14, "RND_CONV", "SAT_SYM")})


@model
def zero_width_tensor():
    b = ModelBuilder("zero")
    z = b.node("Mul", ["x", b.const(np.zeros(4, np.float32))])     # provably zero: width 0
    return hh.load_onnx(b.build({"x": ["N", 4]}, b.node("Add", [z, "x"])), input_type=T(True, 5, 2))


@model
def float_mlp_default_precision():
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parents[2] / "examples" / "tiny_mlp"))
    from make_model import make_model
    return typed(make_model(), default_type=T(True, 12, 4, "RND_CONV", "SAT"))


def _per_element_quant(b, x, rng, shape, signed=1, pruned=0.2, max_bits=8):
    """A QONNX Quant with a bit width and a power-of-two scale per element (some pruned)."""
    bits = rng.integers(2 if signed else 1, max_bits + 1, shape)
    bits[rng.random(shape) < pruned] = 0
    scale = 2.0 ** -rng.integers(-1, 5, shape).astype(np.float64)
    return b.node("Quant", [x, b.const(scale.astype(np.float32)), b.const(np.float32(0)),
                            b.const(bits.astype(np.float32))],
                  domain=QONNX_DOMAIN, signed=signed, narrow=0, rounding_mode="ROUND")


@model
def per_element_mlp():
    """HGQ granularity: every input, weight and activation element its own width; pruned ones."""
    rng = np.random.default_rng(21)
    b = ModelBuilder("per_element_mlp")
    x = _per_element_quant(b, "x", rng, (1, 8))
    w1 = _per_element_quant(b, b.const(weights(rng, (8, 6))), rng, (8, 6), pruned=0.3, max_bits=6)
    h = _per_element_quant(b, b.node("Relu", [b.node("MatMul", [x, w1])]), rng, (1, 6), signed=0)
    w2 = _per_element_quant(b, b.const(weights(rng, (6, 3))), rng, (6, 3), pruned=0.3, max_bits=6)
    return hh.load_onnx(b.build({"x": ["N", 8]}, _per_element_quant(b, b.node("MatMul", [h, w2]), rng, (1, 3),
                                                                    pruned=0.0)))


@model
def per_element_cnn():
    rng = np.random.default_rng(22)
    b = ModelBuilder("per_element_cnn")
    x = _per_element_quant(b, "x", rng, (1, 2, 5, 5))
    wc = _per_element_quant(b, b.const(weights(rng, (3, 2, 3, 3))), rng, (3, 2, 3, 3), pruned=0.3, max_bits=5)
    h = b.node("Relu", [b.node("Conv", [x, wc], pads=[1, 1, 1, 1], kernel_shape=[3, 3])])
    h = _per_element_quant(b, h, rng, (1, 3, 5, 5), signed=0, max_bits=6)
    h = b.node("Flatten", [b.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])])
    w = _per_element_quant(b, b.const(weights(rng, (12, 4))), rng, (12, 4), pruned=0.3, max_bits=6)
    return hh.load_onnx(b.build({"x": ["N", 2, 5, 5]},
                                _per_element_quant(b, b.node("MatMul", [h, w]), rng, (1, 4), pruned=0.0)))


@model
def torch_hgq_mlp():
    """A PyTorch MLP quantized and trained by hgq_hls.train (2 epochs on 300 digits)."""
    import torch

    import hgq_hls.train as ht
    from sklearn.datasets import load_digits

    torch.set_num_threads(1)
    torch.manual_seed(1)
    data = load_digits()
    x, y = data.data[:300] / 16.0, data.target[:300]
    m = torch.nn.Sequential(torch.nn.Linear(64, 12), torch.nn.ReLU(), torch.nn.Linear(12, 10))
    qm = ht.quantize(m, torch.tensor(x), f0=3)
    ht.fit(qm, (x, y), epochs=2, beta=1e-5, lr=1e-2, progress=False, estimate_backend=None)
    return ht.to_graph(qm)


@model
def torch_hgq_residual():
    """A PyTorch residual block (Conv + skip Add) with a 3x3 uncounted-padding AvgPool (a
    per-position reciprocal that is not a power of two), from hgq_hls.train."""
    import torch

    import hgq_hls.train as ht
    from sklearn.datasets import load_digits

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2 = torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.Conv2d(2, 2, 3, padding=1)
            self.pool = torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False)
            self.fc = torch.nn.Linear(32, 10)

        def forward(self, x):
            a = torch.relu(self.c1(x))
            return self.fc(torch.flatten(self.pool(torch.relu(self.c2(a) + a)), 1))

    torch.set_num_threads(1)
    torch.manual_seed(4)
    data = load_digits()
    x, y = (data.data[:200] / 16.0).reshape(-1, 1, 8, 8), data.target[:200]
    qm = ht.quantize(Block(), torch.tensor(x), f0=3)
    ht.fit(qm, (x, y), epochs=2, beta=1e-5, lr=1e-2, progress=False, estimate_backend=None)
    return ht.to_graph(qm)


@model
def torch_dq_cnn():
    """A PyTorch CNN trained by hgq_hls.train's DQ (Uhlich U3: learned step and range, clamps
    inside the types) to a weight-memory budget."""
    import torch

    import hgq_hls.train as ht
    from sklearn.datasets import load_digits

    torch.set_num_threads(1)
    torch.manual_seed(3)
    data = load_digits()
    x, y = (data.data[:200] / 16.0).reshape(-1, 1, 8, 8), data.target[:200]
    m = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                            torch.nn.Flatten(), torch.nn.Linear(36, 10))
    qm = ht.quantize(m, torch.tensor(x), method="dq", bits=5)
    ht.fit(qm, (x, y), epochs=2, lr=1e-2, budget={"weight_bits": 1500}, progress=False, estimate_backend=None)
    return ht.to_graph(qm)


@model
def torch_hgq_cnn():
    """A PyTorch CNN (Conv2d, ReLU, MaxPool, grouped strided Conv2d, Linear) from hgq_hls.train."""
    import torch

    import hgq_hls.train as ht
    from sklearn.datasets import load_digits

    torch.set_num_threads(1)
    torch.manual_seed(2)
    data = load_digits()
    x, y = (data.data[:200] / 16.0).reshape(-1, 1, 8, 8), data.target[:200]
    m = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                            torch.nn.Conv2d(4, 4, 3, groups=2, stride=(1, 2), padding=(1, 0)), torch.nn.ReLU(),
                            torch.nn.Flatten(), torch.nn.Linear(16, 10))
    qm = ht.quantize(m, torch.tensor(x), f0=3)
    ht.fit(qm, (x, y), epochs=2, beta=1e-5, lr=1e-2, progress=False, estimate_backend=None)
    return ht.to_graph(qm)


#: the models the io_stream tests (HLS C-simulation and RTL) run: window stages (padding, stride,
#: dilation, groups, 1-D, pools), pixel stages and joins, forks (residual), per-element types,
#: several inputs and outputs, whole-tensor stages with many beats.  Every model of MODELS
#: passes in both (checked by hand when a stream template changes); these cover every stage
#: kind at a fifth of the build time.
STREAM_MODELS = ["qonnx_random_cnn_2", "conv1d_strided_dilated", "conv2d_depthwise", "maxpool_padded",
                 "avgpool_padded_exclusive", "global_pools", "pools_1d", "elementwise_broadcast",
                 "min_max_of_activations", "two_inputs_output_read_inside", "thresholds_batchnorm_cnn",
                 "per_element_cnn", "torch_hgq_residual", "torch_dq_cnn"]
