"""``ht.fit``: train a quantized module with the task loss plus a cost.

The cost is HGQ's ``beta * EBOPs`` (``beta`` a number or a function of the epoch), or a
budget: ``{"ebops": N}`` and ``{"lut": N}`` steer beta by a controller (multiplied up while the
epoch's cost is above the budget, down while below; a LUT budget trains on the estimator's
differentiable :class:`~hgq_hls.train.costs.LutSurrogate`), and Uhlich et al.'s memory budgets
``{"weight_bits" | "activation_bits" | "peak_activation_bits": N}`` add their penalty
``lambda * relu(S / N - 1)**2`` (``lambda`` starts at ``penalty`` and doubles each epoch that
ends over the budget, since a fixed quadratic penalty settles above it).  Integer bits and
signs follow the data: every epoch ends with :func:`calibrate` on the calibration samples, and
so does training.  Each epoch's record (loss,
accuracy, EBOPs, estimated LUTs, the budget's measure, beta) is returned; every checkpoint that
no other beats on both score and EBOPs is kept (the Pareto front), and with a budget the model
ends at the best-scoring epoch within it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import ArgumentError
from ..inputs import positive_float, positive_int
from ..estimate import estimate
from ..progress import counter
from .calibrate import calibrate, calibrated_output
from .costs import MEMORY_KINDS, LutSurrogate, ebops, memory
from .export import to_graph

#: budgets a controller on beta meets, and budgets met by Uhlich's penalty
CONTROLLED = ("ebops", "lut")
BUDGETS = CONTROLLED + MEMORY_KINDS


@dataclass
class History:
    """What :func:`fit` measured, epoch by epoch, and the Pareto front of its checkpoints."""

    epochs: list[dict] = field(default_factory=list)
    front: list[tuple[dict, dict]] = field(default_factory=list)     # (record, state_dict)
    chosen: dict | None = None

    def table(self) -> str:
        """One line per epoch."""
        keys = [k for k in ("epoch", "loss", "accuracy", "val_accuracy", "ebops", "lut", *MEMORY_KINDS, "beta")
                if any(k in r for r in self.epochs)]
        lines = [" ".join(f"{k:>12}" for k in keys)]
        for r in self.epochs:
            lines.append(" ".join(f"{r[k]:>12.5g}" if isinstance(r.get(k), float) else f"{r.get(k, ''):>12}"
                                  for k in keys))
        return "\n".join(lines)


def _as_tensors(data):
    x, y = data
    x = torch.as_tensor(np.asarray(x), dtype=torch.float64)
    y = np.asarray(y)
    classify = np.issubdtype(y.dtype, np.integer)
    return x, torch.as_tensor(y, dtype=torch.int64 if classify else torch.float64), classify


def _accuracy(qm, x, y) -> float:
    with torch.no_grad():
        return float((qm(x).argmax(dim=1) == y).to(torch.float64).mean())


def _dominated(a: dict, b: dict) -> bool:
    return b["score"] >= a["score"] and b["ebops"] <= a["ebops"] and (b["score"], -b["ebops"]) != (a["score"], -a["ebops"])


def _check_budget(budget):
    if budget is None:
        return None, None
    if not isinstance(budget, dict) or len(budget) != 1 or next(iter(budget)) not in BUDGETS:
        raise ArgumentError("budget", f"{budget!r}: give one of {{'<measure>': N}} with the measure in {BUDGETS}")
    key, limit = next(iter(budget.items()))
    return key, positive_float(limit, f"budget[{key!r}]")


def fit(qm: torch.nn.Module, data, epochs: int = 10, beta=0.0, budget: dict | None = None,
        lr: float = 3e-3, batch_size: int = 64, loss=None, val=None, calib_samples: int | None = None,
        bits_lr: float = 3.0, penalty: float = 10.0, estimate_backend: str = "verilog",
        seed: int = 0, progress: bool = True) -> History:
    """Train ``qm`` (from :func:`hgq_hls.train.quantize`) on ``data = (x, y)``; returns a
    :class:`History`.  Integer labels train with cross-entropy, float targets with MSE, or
    pass ``loss(output, target)``.  ``val = (x, y)`` scores checkpoints (else the training data).
    Integer bits and signs are calibrated on the first ``calib_samples`` samples (all by
    default: a range seen on fewer saturates the rest).  The bit parameters (HGQ's fractional
    bits, DQ's step and range) learn at ``bits_lr`` times ``lr``.  Each epoch's LUTs are
    ``hh.estimate(..., backend=estimate_backend)``: ``"verilog"`` (the accurate one; seconds per
    epoch for CNNs), ``"hls"`` (milliseconds), or None to skip them (not with a LUT budget)."""
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    lr, penalty = positive_float(lr, "lr"), positive_float(penalty, "penalty")
    key, limit = _check_budget(budget)
    x, y, classify = _as_tensors(data)
    vx, vy, _ = _as_tensors(val) if val is not None else (x, y, classify)
    if loss is None:
        loss = torch.nn.functional.cross_entropy if classify else torch.nn.functional.mse_loss
    schedule = beta if callable(beta) else (lambda epoch, b=float(beta): b)
    if estimate_backend is None and key == "lut":
        raise ArgumentError("estimate_backend", "a LUT budget needs the estimate: give 'verilog' or 'hls'")
    # the differentiable surrogate only for a LUT budget (it estimates once before training);
    # otherwise each epoch's record is the plain estimate
    lut = LutSurrogate(qm, estimate_backend) if key == "lut" else None

    def cost(model, exact=True):
        return lut(model, exact) if key == "lut" else ebops(model, exact)

    # the controller starts where beta * cost is a tenth of a typical loss, then scales beta
    # by cost / budget each epoch: up while over (unless the cost is still falling), down while under
    controlled = 0.1 / max(float(cost(qm).detach()), 1.0) if key in CONTROLLED else None
    generator = torch.Generator().manual_seed(seed)
    # bit parameters move faster than weights: a width only changes once one crosses a half
    bit_names = (".f", ".log2_d", ".log2_qmax")
    bits = [p for name, p in qm.named_parameters() if name.endswith(bit_names)]
    others = [p for name, p in qm.named_parameters() if not name.endswith(bit_names)]
    optimizer = torch.optim.Adam([dict(params=others, lr=lr), dict(params=bits, lr=lr * bits_lr)])
    history, best, weight, previous = History(), None, penalty, None
    with counter(epochs, "train", "epoch", enabled=progress) as bar:
        for epoch in range(epochs):
            b = controlled if controlled is not None else float(schedule(epoch))
            qm.train()
            order = torch.randperm(len(x), generator=generator)
            total, correct = 0.0, 0
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                optimizer.zero_grad()
                output = qm(x[idx])
                objective = loss(output, y[idx])
                if classify:
                    correct += int((output.detach().argmax(dim=1) == y[idx]).sum())
                if b:
                    objective = objective + b * cost(qm, exact=False)      # the gradient is what counts
                if key in MEMORY_KINDS:
                    objective = objective + weight * torch.relu(memory(qm, key) / limit - 1) ** 2
                objective.backward()
                optimizer.step()
                total += float(objective.detach()) * len(idx)   # (with the surrogate's cost)
            calibrated = calibrated_output(qm, x[:calib_samples])
            qm.eval()
            record = dict(epoch=epoch, loss=total / len(x), beta=b, ebops=int(ebops(qm).detach()))
            if lut is not None:
                record["lut"] = lut.refresh(qm)
            elif estimate_backend is not None:
                record["lut"] = estimate(to_graph(qm), backend=estimate_backend).lut
            if key in MEMORY_KINDS:
                record[key] = int(memory(qm, key).detach())
            if classify:
                # "accuracy" is the running one of the epoch's training steps (as Keras reports
                # it, for free); "val_accuracy" is the eval-mode model's on val (else the data)
                record["accuracy"] = correct / len(x)
                if val is None and len(calibrated) == len(x):       # scored by the calibrating pass
                    record["val_accuracy"] = float((calibrated.argmax(dim=1) == y).to(torch.float64).mean())
                else:
                    record["val_accuracy"] = _accuracy(qm, vx, vy)
                record["score"] = record["val_accuracy"]
            else:
                with torch.no_grad():
                    record["score"] = -float(loss(qm(vx), vy))
            history.epochs.append(record)
            if not any(_dominated(record, other) for other, _ in history.front):
                history.front = [(o, s) for o, s in history.front if not _dominated(o, record)]
                history.front.append((record, copy.deepcopy(qm.state_dict())))
            if key is not None and record[key] <= limit and (best is None or record["score"] >= best[0]["score"]):
                best = (record, copy.deepcopy(qm.state_dict()))
            if controlled is not None:
                # proportional to the miss, at most 2x either way; held while an over-budget cost
                # is still falling: widths move in steps epochs behind beta, and raising it then
                # overshoots far below the budget
                falling = previous is not None and record[key] < 0.98 * previous
                if record[key] <= limit or not falling:
                    controlled *= min(2.0, max(0.5, max(record[key], 1) / limit))
                previous = record[key]
            if key in MEMORY_KINDS:
                # a fixed quadratic penalty settles above its budget: double it while over
                weight = weight * 2.0 if record[key] > limit else max(penalty, weight * 0.8)
            bar.update(1)
    if best is not None:
        qm.load_state_dict(best[1])
        history.chosen = best[0]
    calibrate(qm, x[:calib_samples])
    qm.eval()
    return history
