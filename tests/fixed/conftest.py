"""Fixtures for the fixed-point core: the g++ ap_fixed oracle over a table of types."""

import itertools
import random

import pytest

from hgq_hls.fixed import OVERFLOW_MODES, ROUNDING_MODES, FixedType
from hgq_hls.toolchain import cache_dir

from .apfixed_oracle import ApFixedOracle

# hand-picked shapes that exercise the edges: 1 bit, negative and over-wide integer parts,
# and the widths around the int64 storage limit
_EDGE_SHAPES = [(1, 1), (1, 0), (1, -3), (1, 5), (2, 2), (3, -2), (5, 9), (8, 3), (8, 0),
                (8, 8), (12, -4), (16, 6), (24, 12), (32, 40), (53, 10), (62, 20), (63, 1),
                (64, 64), (70, 35), (100, 50), (120, 7)]


def oracle_types() -> list[FixedType]:
    """Every (signed, rounding, overflow) combination, each with edge and random shapes."""
    rng = random.Random(20261123)
    types = []
    for signed, rounding, overflow in itertools.product((True, False), ROUNDING_MODES,
                                                        OVERFLOW_MODES):
        shapes = rng.sample(_EDGE_SHAPES, 3)
        for _ in range(3):
            width = rng.choice([rng.randint(1, 12), rng.randint(1, 24), rng.randint(25, 70)])
            shapes.append((width, rng.randint(-6, width + 6)))
        types += [FixedType(signed, w, i, rounding, overflow) for w, i in shapes]
    return list(dict.fromkeys(types))


@pytest.fixture(scope="session")
def apfixed():
    """The running ap_fixed oracle (compiled once, cached across sessions)."""
    oracle = ApFixedOracle(oracle_types(), cache_dir())
    yield oracle
    oracle.close()
