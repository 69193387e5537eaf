"""Comparing firmware outputs with hh.predict: same number of outputs, same shapes, equal values."""

from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.verification import stimulus


def assert_firmware_equals_reference(g, run, n: int, seed: int) -> None:
    """``run(x)`` (a firmware simulation) equals ``hh.predict(g, x)`` on ``n`` stimulus samples."""
    xs = stimulus(g, n, seed=seed)
    x = xs if len(xs) > 1 else xs[0]
    got, want = run(x), hh.predict(g, x)
    got, want = (got, want) if isinstance(want, list) else ([got], [want])
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert a.shape == b.shape
        assert_array_equal(a, b)
