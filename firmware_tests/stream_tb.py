"""One generic cocotb testbench for any top that follows the ap_ctrl_hs io_parallel convention.

It reads ``manifest.json`` and ``in<k>.npy`` (integer mantissas, one row per sample) from
``$HGQ_RUN_DIR``, streams one sample per clock cycle with ``ap_start`` high, collects every
output bus while its ``*_ap_vld`` strobe is high, and writes ``out<k>.npy``.  If
``expected<k>.npy`` exist, every value must be equal.  Because the ports follow Vitis HLS
conventions, the same testbench drives RTL that Vitis HLS produced from the HLS backend (give
it a manifest describing that top's ports).
"""

from __future__ import annotations


import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from .buses import check_expected, pack, read_run, unpack


@cocotb.test()
async def stream(dut):
    """Stream every sample at II = 1 and collect the outputs in order."""
    run, manifest, ins = read_run()
    n = len(ins[0])
    buses = [[pack(row, p["bits"]) for row in x] for x, p in zip(ins, manifest["inputs"])]
    outs = [[] for _ in manifest["outputs"]]

    cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
    dut.ap_start.value = 0
    dut.ap_rst.value = 1
    for p in manifest["inputs"]:
        getattr(dut, p["name"]).value = 0
    for _ in range(2):
        await RisingEdge(dut.ap_clk)
    await FallingEdge(dut.ap_clk)
    dut.ap_rst.value = 0
    valid = getattr(dut, manifest["outputs"][0]["valid"])
    for step in range(n + manifest["latency"] + 1):
        if step < n:
            for p, bus in zip(manifest["inputs"], buses):
                getattr(dut, p["name"]).value = bus[step]
        dut.ap_start.value = int(step < n)
        await RisingEdge(dut.ap_clk)
        await ReadOnly()
        if int(valid.value):
            for p, got in zip(manifest["outputs"], outs):
                value = getattr(dut, p["name"]).value.to_unsigned()
                got.append(unpack(value, p["size"], p["bits"], p["signed"], p["width"]))
        await FallingEdge(dut.ap_clk)

    for k, got in enumerate(outs):
        np.save(run / f"out{k}.npy", np.array(got, dtype=object).reshape(len(got), -1))
    assert all(len(got) == n for got in outs), f"expected {n} outputs, got {[len(g) for g in outs]}"
    check_expected(run, manifest, outs, n)
