"""FixedType: spellings, ranges and QONNX mapping, against hand-derived values."""

import pytest

from hgq_hls import FixedType

from .conftest import oracle_types


@pytest.mark.parametrize("t, spelling", [
    (FixedType(True, 8, 3), "ap_fixed<8,3>"),
    (FixedType(False, 6, 2, "RND"), "ap_ufixed<6,2,AP_RND>"),
    (FixedType(True, 8, 3, "RND_CONV", "SAT"), "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"),
    (FixedType(True, 4, -2, "TRN", "SAT_SYM"), "ap_fixed<4,-2,AP_TRN,AP_SAT_SYM>"),
    (FixedType(False, 3, 9), "ap_ufixed<3,9>"),
])
def test_ctype_spelling(t, spelling):
    assert t.ctype() == spelling
    assert str(t) == spelling
    assert FixedType.from_ctype(spelling) == t


def test_every_oracle_type_round_trips_through_its_spelling():
    for t in oracle_types():
        assert FixedType.from_ctype(t.ctype()) == t


def test_parse_variants():
    assert FixedType.from_ctype("ap_int<5>") == FixedType(True, 5, 5)
    assert FixedType.from_ctype("ap_uint<7>") == FixedType(False, 7, 7)
    assert FixedType.from_ctype(" ap_fixed< 8, 3, AP_RND, AP_SAT, 0 > ") == FixedType(
        True, 8, 3, "RND", "SAT")


@pytest.mark.parametrize("bad", ["ap_fixed<8>", "float", "ap_fixed<8,3,AP_FOO>",
                                 "ap_fixed<8,3,AP_RND,AP_SAT,2>", "ap_fixed<-1,0>"])
def test_parse_errors_name_the_text(bad):
    with pytest.raises(ValueError, match="cannot parse|not an ap_fixed"):
        FixedType.from_ctype(bad)


def test_ranges_hand_derived():
    t = FixedType(True, 4, -2)          # lsb 2^-6, mantissas -8..7
    assert (t.frac, t.lsb, t.min, t.max) == (6, 2**-6, -8 * 2**-6, 7 * 2**-6)
    u = FixedType(False, 3, 5)          # lsb 4, mantissas 0..7
    assert (u.frac, u.lsb, u.min, u.max) == (-2, 4.0, 0.0, 28.0)
    z = FixedType(True, 0, 0)
    assert (z.min, z.max) == (0.0, 0.0)
    assert FixedType(True, 70, 10).max_mantissa == 2**69 - 1


def test_immutable_and_hashable():
    t = FixedType(True, 8, 3)
    with pytest.raises(AttributeError):
        t.width = 4
    assert len({t, FixedType(True, 8, 3, "AP_TRN", "ap_wrap"), t.replace(width=9)}) == 2


@pytest.mark.parametrize("kwargs, error", [
    (dict(signed=True, width=-1, integer=0), "width"),
    (dict(signed=True, width=8.0, integer=0), "int"),
    (dict(signed=True, width=8, integer=0, rounding="ROUND"), "rounding"),
    (dict(signed=True, width=8, integer=0, overflow="CLAMP"), "overflow"),
])
def test_invalid_types_are_rejected(kwargs, error):
    with pytest.raises((ValueError, TypeError), match=error):
        FixedType(**kwargs)


def test_from_qonnx():
    assert FixedType.from_qonnx(8, 2**-4, True, True) == FixedType(True, 8, 4, "RND_CONV", "SAT_SYM")
    assert FixedType.from_qonnx(4, 0.5, False, False, "FLOOR") == FixedType(False, 4, 3, "TRN", "SAT")
    assert FixedType.from_qonnx(3, 4.0, True, False, "DOWN") == FixedType(True, 3, 5, "TRN_ZERO", "SAT")
    with pytest.raises(ValueError, match="power of two"):
        FixedType.from_qonnx(8, 0.3, True)
    with pytest.raises(ValueError, match="narrow"):
        FixedType.from_qonnx(8, 1.0, False, True)
    with pytest.raises(ValueError, match="bipolar"):
        FixedType.from_qonnx(1, 1.0, True)
    with pytest.raises(ValueError, match="CEIL"):
        FixedType.from_qonnx(8, 1.0, True, False, "CEIL")
