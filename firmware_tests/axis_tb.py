"""One generic cocotb testbench for any streamed top (AXI4-Stream ports, Vitis HLS naming).

It reads ``manifest.json`` and ``in<k>.npy`` (integer mantissas, one flattened sample per row)
from ``$HGQ_RUN_DIR``, sends every sample as beats (channel ``c`` of beat ``p`` is element
``c * beats + p``, the raster order of a ``(C, H, W)`` tensor) and collects every output
stream, while random gaps on the inputs (TVALID low) and random backpressure on the outputs
(TREADY low) exercise the handshakes.  Each input stream is driven on its own.  A design that
stops moving beats fails with the count it reached.  ``out<k>.npy`` are written in the same
flattened order; if ``expected<k>.npy`` exist, every value must be equal.
"""

from __future__ import annotations

import os
import random

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from .buses import check_expected, pack, read_run, unpack

#: probability that an input withholds a beat, or an output refuses one, in a cycle
STALL = float(os.environ.get("HGQ_STALL", "0.2"))
#: cycles without any beat moving before the design is declared stuck
PATIENCE = int(os.environ.get("HGQ_PATIENCE", "100000"))


def beats_of(sample, port: dict) -> list[int]:
    """One flattened sample -> its beats as bus values."""
    grid = np.asarray(sample, dtype=object).reshape(port["channels"], port["beats"])
    return [pack(grid[:, p], port["bits"]) for p in range(port["beats"])]


def sample_of(beats: list[int], port: dict) -> list[int]:
    """A sample's beats -> its flattened element mantissas."""
    grid = [unpack(b, port["channels"], port["bits"], port["signed"], port["width"]) for b in beats]
    return [grid[p][c] for c in range(port["channels"]) for p in range(port["beats"])]


@cocotb.test()
async def stream(dut):
    """Send every sample through the AXI4-Stream ports and collect the outputs in order."""
    run, manifest, ins = read_run()
    n = len(ins[0])
    sends = [[b for row in x for b in beats_of(row, p)] for x, p in zip(ins, manifest["inputs"])]
    wanted = [n * p["beats"] for p in manifest["outputs"]]
    got = [[] for _ in manifest["outputs"]]
    sent = [0] * len(sends)
    rng = random.Random(int(os.environ.get("HGQ_STALL_SEED", "1")))

    def port(p, field):
        return getattr(dut, f"{p['name']}_{field}")

    cocotb.start_soon(Clock(dut.ap_clk, 10, unit="ns").start())
    dut.ap_rst.value = 1
    for p in manifest["inputs"]:
        port(p, "TVALID").value = 0
        port(p, "TDATA").value = 0
    for p in manifest["outputs"]:
        port(p, "TREADY").value = 0
    for _ in range(2):
        await RisingEdge(dut.ap_clk)
    await FallingEdge(dut.ap_clk)
    dut.ap_rst.value = 0
    idle = 0
    while any(len(g) < w for g, w in zip(got, wanted)) and idle < PATIENCE:
        # drive this cycle's beats, then read the handshakes the next rising edge will see
        offering = []
        for k, p in enumerate(manifest["inputs"]):
            offer = sent[k] < len(sends[k]) and rng.random() >= STALL
            if offer:
                port(p, "TDATA").value = sends[k][sent[k]]
            port(p, "TVALID").value = int(offer)
            offering.append(offer)
        accepting = [rng.random() >= STALL for _ in manifest["outputs"]]
        for p, accept in zip(manifest["outputs"], accepting):
            port(p, "TREADY").value = int(accept)
        await ReadOnly()
        moved = False
        for k, p in enumerate(manifest["inputs"]):
            if offering[k] and int(port(p, "TREADY").value):
                sent[k] += 1
                moved = True
        for k, p in enumerate(manifest["outputs"]):
            if accepting[k] and int(port(p, "TVALID").value):
                got[k].append(port(p, "TDATA").value.to_unsigned())
                moved = True
        idle = 0 if moved else idle + 1
        await FallingEdge(dut.ap_clk)

    outs = []
    for k, (beats, p) in enumerate(zip(got, manifest["outputs"])):
        rows = [sample_of(beats[s * p["beats"]:(s + 1) * p["beats"]], p) for s in range(len(beats) // p["beats"])]
        outs.append(rows)
        np.save(run / f"out{k}.npy", np.array(rows, dtype=object).reshape(len(rows), p["size"]))
    assert all(len(g) == w for g, w in zip(got, wanted)), \
        (f"the design stopped moving beats: inputs sent {sent} of {[len(s) for s in sends]}, outputs "
         f"received {[len(g) for g in got]} of {wanted}")
    check_expected(run, manifest, outs, n)
