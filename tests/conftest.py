"""Shared test fixtures and hypothesis profiles."""

import os

from hypothesis import settings

# deterministic example generation in CI, so a red build is reproducible from its log
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# the suite builds ~90 Verilator simulators of small designs: unoptimized model code builds in
# 0.6x the time, and cocotb's per-cycle Python bounds their simulation speed anyway
os.environ.setdefault("HGQ_VERILATOR_OPT", "-O0")
