"""The lowered hardware structure, read alike by the backends and the estimator.

Imports run one way: ``ir`` -> ``lowering`` -> ``backends`` and ``estimate``, so what the
estimator costs is what the writers emit.

- :mod:`.fmt`, :mod:`.netlist`: the explicit-width netlist (every wire's exact range and grid);
- :mod:`.cast`: a cast to a fixed-point type as logic (rounding add, slice, overflow);
- :mod:`.csd`, :mod:`.cse`: constant multiplications as signed digits with shared sub-sums;
- :mod:`.ops`: one lowering per IR op (IR node -> netlist), by op family;
- :mod:`.pipeline`: which signal carries each tensor at each pipeline stage of the top module;
- :mod:`.ports`, :mod:`.naming`: the types graph inputs enter with; identifiers for graph names;
- :mod:`.geometry`, :mod:`.macs`, :mod:`.multipliers`: conv/pool windows, the multiply-accumulate
  structure of Dense/Conv and the multiplications that exist, and how they are built under a
  reuse factor (read by the HLS writer and the HLS estimate).
"""
