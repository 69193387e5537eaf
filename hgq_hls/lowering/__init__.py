"""The lowered hardware structure, read alike by the backends and the estimator.

Imports run one way: ``ir`` -> ``lowering`` -> ``backends`` and ``estimate``, so what the
estimator costs is what the writers emit.  So far: conv/pool window geometry
(:mod:`.geometry`), the multiply-accumulate structure of Dense/Conv layers and the count
of multiplications that exist (:mod:`.macs`), and where each is built and how many are
instantiated under a reuse factor (:mod:`.multipliers`).
"""
