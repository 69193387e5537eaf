"""Canonical signed digits: a constant as the fewest signed powers of two."""

from __future__ import annotations


def csd_digits(k: int) -> list[tuple[int, int]]:
    """``k`` as ``sum(sign * 2**shift)`` with no two adjacent non-zero digits.

    Returns ``[(sign, shift), ...]`` from the lowest digit up; ``[]`` for zero.
    """
    digits, shift = [], 0
    while k:
        if k & 1:
            d = 2 - (k & 3)            # +1 if k = 1 (mod 4), -1 if k = 3 (mod 4)
            digits.append((d, shift))
            k -= d
        k >>= 1
        shift += 1
    return digits
