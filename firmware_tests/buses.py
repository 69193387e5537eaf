"""Element mantissas <-> bus values, shared by the testbenches."""

from __future__ import annotations


def pack(row, bits: int) -> int:
    """Element mantissas -> one bus value (element 0 in the lowest bits)."""
    mask, value = (1 << bits) - 1, 0
    for k, m in enumerate(row):
        value |= (int(m) & mask) << (k * bits)
    return value


def unpack(value: int, size: int, bits: int, signed: bool, width: int) -> list[int]:
    """One bus value -> element mantissas."""
    mask, out = (1 << bits) - 1, []
    for k in range(size):
        m = (value >> (k * bits)) & mask
        if width == 0:
            m = 0
        elif signed and m >> (bits - 1):
            m -= 1 << bits
        out.append(m)
    return out
