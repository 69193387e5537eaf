"""Rounding and overflow modes of ap_fixed, and how other spellings map onto them."""

from __future__ import annotations

#: Quantization (rounding) modes, exactly those of Vitis HLS ap_fixed.
ROUNDING_MODES = ("TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV")
#: Overflow modes of ap_fixed that hgq_hls models (AP_WRAP_SM and saturation bits N>0 are not).
OVERFLOW_MODES = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")

#: QONNX ``rounding_mode`` names and their ap_fixed equivalents.  CEIL and UP have none.
QONNX_ROUNDING = {
    "ROUND": "RND_CONV",
    "HALF_EVEN": "RND_CONV",
    "FLOOR": "TRN",
    "DOWN": "TRN_ZERO",
    "HALF_UP": "RND_INF",
    "HALF_DOWN": "RND_ZERO",
}


#: the inverse: the QONNX ``rounding_mode`` spelling each ap_fixed mode has (first one wins)
QONNX_SPELLING = {}
for _name, _mode in QONNX_ROUNDING.items():
    QONNX_SPELLING.setdefault(_mode, _name)


def _normalize(mode: str, allowed: tuple[str, ...], kind: str) -> str:
    if not isinstance(mode, str):
        raise TypeError(f"{kind} mode must be a string, got {mode!r}")
    name = mode.strip().upper()
    if name.startswith("AP_"):
        name = name[3:]
    if name not in allowed:
        raise ValueError(f"unknown {kind} mode {mode!r}; expected one of {', '.join(allowed)}")
    return name


def normalize_rounding(mode: str) -> str:
    """Return the canonical rounding-mode name ('RND_CONV') for 'AP_RND_CONV', 'rnd_conv', ..."""
    return _normalize(mode, ROUNDING_MODES, "rounding")


def normalize_overflow(mode: str) -> str:
    """Return the canonical overflow-mode name ('SAT') for 'AP_SAT', 'sat', ..."""
    return _normalize(mode, OVERFLOW_MODES, "overflow")


def rounding_from_qonnx(mode: str) -> str:
    """Map a QONNX ``rounding_mode`` attribute onto an ap_fixed rounding mode."""
    name = mode.strip().upper()
    if name not in QONNX_ROUNDING:
        raise ValueError(
            f"QONNX rounding_mode {mode!r} has no ap_fixed equivalent; supported: "
            f"{', '.join(QONNX_ROUNDING)}"
        )
    return QONNX_ROUNDING[name]
