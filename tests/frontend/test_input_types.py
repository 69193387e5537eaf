"""``input_type="auto"``: input types sized by calibration data.

Oracle: types derived by hand from the calibration values (the smallest exact type when it
fits, else the width's integer bits covering the range), and the float reference on data the
exact type holds losslessly.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.cli import main
from hgq_hls.frontend.onnx.builder import ModelBuilder


def _dense(n_in=4):
    b = ModelBuilder("dense")
    w = np.random.default_rng(0).normal(size=(n_in, 3)).astype(np.float32)
    return b.build({"x": ["N", n_in]}, b.node("Relu", [b.node("MatMul", ["x", b.const(w)])]))


def _two_inputs():
    b = ModelBuilder("two")
    return b.build({"a": ["N", 2], "b": ["N", 2]}, b.node("Add", ["a", "b"]))


def test_integer_data_gets_the_exact_unsigned_type_and_loses_nothing():
    x = np.random.default_rng(1).integers(0, 17, (200, 4)).astype(float)
    x[0, 0] = 16                                   # 16 needs 5 integer bits
    g = hh.load_onnx(_dense(), input_type="auto", calib=x)
    assert g.tensors["x"].type == hh.FixedType(False, 5, 5, "RND", "SAT")
    assert_array_equal(hh.predict(hh.load_onnx(_dense(), input_type="auto", calib=x), x),
                       hh.predict(hh.load_onnx(_dense()), x))


def test_signed_grid_data_gets_its_grid():
    # -2.5 = -20/8 and 1.125 = 9/8: 3 fractional bits, 1 + max(bits(9), bits(19)) = 6 bits
    x = np.array([[-2.5, 1.125, 0.0, 0.5]])
    assert hh.load_onnx(_dense(), input_type="auto", calib=x).tensors["x"].type == \
        hh.FixedType(True, 6, 3, "RND", "SAT")


def test_off_grid_data_get_the_width_and_integer_bits_of_their_range():
    x = np.random.default_rng(2).uniform(-3.2, 5.7, (100, 4))
    x[0, :2] = -3.2, 5.7                          # |values| < 8: 4 integer bits with the sign
    assert hh.load_onnx(_dense(), input_type="auto", calib=x).tensors["x"].type == \
        hh.FixedType(True, 16, 4, "RND", "SAT")
    g = hh.load_onnx(_dense(), input_type="auto", calib=x, default_type="ap_fixed<10,5>")
    assert g.tensors["x"].type == hh.FixedType(True, 10, 4, "RND", "SAT")
    # beyond the calibration range the input saturates instead of wrapping
    big = np.full((1, 4), 100.0)
    assert_array_equal(hh.predict(g, big, trace=True)["x"], np.full((1, 4), 8 - 2.0 ** -6))


def test_each_input_is_sized_by_its_own_samples():
    a, b = np.array([[0.0, 3.0]]), np.array([[-1.0, 0.25]])
    g = hh.load_onnx(_two_inputs(), input_type="auto", calib=[a, b])
    assert g.tensors["a"].type == hh.FixedType(False, 2, 2, "RND", "SAT")
    assert g.tensors["b"].type == hh.FixedType(True, 3, 1, "RND", "SAT")
    g = hh.load_onnx(_two_inputs(), input_type={"a": "ap_ufixed<4,2>", "b": "ap_fixed<6,2>"})
    assert str(g.tensors["b"].type) == "ap_fixed<6,2>"


@pytest.mark.parametrize("kwargs, keyword, words", [
    (dict(input_type="auto"), "input_type", "pass calib="),
    (dict(input_type="auto", calib=np.zeros((3, 5))), "calib", "expects shape (batch, *(4,))"),
    (dict(input_type="auto", calib=np.full((2, 4), np.inf)), "calib", "infinity"),
    (dict(input_type="auto", calib=np.zeros((2, 4))), "calib", "all zero"),
    (dict(input_type="auto", calib=np.zeros((0, 4))), "calib", "no sample"),
    (dict(calib=np.ones((2, 4))), "calib", "input_type='auto' only"),
    (dict(input_type={"y": "ap_fixed<8,3>"}), "input_type", "no graph input named ['y']"),
    (dict(input_type="ap_fixd<8,3>"), "input_type", "ap_fixd"),
])
def test_bad_arguments_name_the_keyword(kwargs, keyword, words):
    with pytest.raises(hh.ArgumentError) as info:
        hh.load_onnx(_dense(), **kwargs)
    assert info.value.keyword == keyword and words in str(info.value), str(info.value)


def test_cli_sizes_the_input_by_a_calibration_file(tmp_path, capsys):
    model = tmp_path / "m.onnx"
    import onnx
    onnx.save(_dense(), model)
    np.save(tmp_path / "x.npy", np.random.default_rng(1).integers(0, 16, (20, 4)).astype(float))
    assert main(["show", str(model), "--input-type", "auto", "--calib", str(tmp_path / "x.npy")]) == 0
    assert "ap_ufixed<4,4,AP_RND,AP_SAT>" in capsys.readouterr().out
    assert main(["show", str(model), "--input-type", "auto"]) == 2
    assert "pass --calib" in capsys.readouterr().err
