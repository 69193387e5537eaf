"""``ht.fit``: train a quantized module with HGQ's loss, ``task loss + beta * EBOPs``.

``beta`` is a number or a function of the epoch; with ``budget={"ebops": N}`` or
``{"lut": N}`` a controller steers beta instead (multiplied up while the epoch's cost is above
the budget, down while below), and the checkpoint kept is the most accurate one within the
budget.  Integer bits and signs follow the data: every epoch ends with :func:`calibrate` on
the calibration samples, and so does training.  Each epoch's record (loss, accuracy, EBOPs,
estimated LUTs when a LUT budget is set, beta) is returned; every epoch's checkpoint that no
other beats on both accuracy and EBOPs is kept (the Pareto front).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch

from ..errors import ArgumentError
from ..inputs import positive_float, positive_int
from ..progress import counter
from .calibrate import calibrate
from ..estimate import estimate
from .costs import ebops
from .export import to_graph


@dataclass
class History:
    """What :func:`fit` measured, epoch by epoch, and the Pareto front of its checkpoints."""

    epochs: list[dict] = field(default_factory=list)
    front: list[tuple[dict, dict]] = field(default_factory=list)     # (record, state_dict)
    chosen: dict | None = None

    def table(self) -> str:
        """One line per epoch."""
        keys = [k for k in ("epoch", "loss", "accuracy", "val_accuracy", "ebops", "lut", "beta")
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


def _lut(qm) -> int:
    return int(estimate(to_graph(qm)).lut)


def _dominated(a: dict, b: dict) -> bool:
    return b["score"] >= a["score"] and b["ebops"] <= a["ebops"] and (b["score"], -b["ebops"]) != (a["score"], -a["ebops"])


def fit(qm: torch.nn.Module, data, epochs: int = 10, beta=0.0, budget: dict | None = None,
        lr: float = 3e-3, batch_size: int = 64, loss=None, val=None, calib_samples: int = 512,
        bits_lr: float = 3.0,
        seed: int = 0, progress: bool = True) -> History:
    """Train ``qm`` (from :func:`hgq_hls.train.quantize`) on ``data = (x, y)``; returns a
    :class:`History`.  Integer labels train with cross-entropy, float targets with MSE, or
    pass ``loss(output, target)``.  ``val = (x, y)`` scores checkpoints (else the training data).
    The fractional bits learn at ``bits_lr`` times ``lr``."""
    epochs, batch_size = positive_int(epochs, "epochs"), positive_int(batch_size, "batch_size")
    lr = positive_float(lr, "lr")
    if budget is not None and (not isinstance(budget, dict) or len(budget) != 1
                               or next(iter(budget)) not in ("ebops", "lut")):
        raise ArgumentError("budget", f"{budget!r}: give {{'ebops': N}} or {{'lut': N}}")
    x, y, classify = _as_tensors(data)
    vx, vy, _ = _as_tensors(val) if val is not None else (x, y, classify)
    if loss is None:
        loss = torch.nn.functional.cross_entropy if classify else torch.nn.functional.mse_loss
    schedule = beta if callable(beta) else (lambda epoch, b=float(beta): b)
    # the controller starts where beta * EBOPs is a tenth of a typical loss, then scales
    # beta by (cost / budget)**2 each epoch (at most 4x either way): up while over, down while under
    controlled = 0.1 / max(float(ebops(qm).detach()), 1.0) if budget is not None else None
    generator = torch.Generator().manual_seed(seed)
    # fractional bits move faster than weights: a bit only changes once f crosses a half
    bits = [p for name, p in qm.named_parameters() if name.endswith(".f")]
    others = [p for name, p in qm.named_parameters() if not name.endswith(".f")]
    optimizer = torch.optim.Adam([dict(params=others, lr=lr), dict(params=bits, lr=lr * bits_lr)])
    history = History()
    with counter(epochs, "train", "epoch", enabled=progress) as bar:
        for epoch in range(epochs):
            b = controlled if controlled is not None else float(schedule(epoch))
            qm.train()
            order = torch.randperm(len(x), generator=generator)
            total = 0.0
            for start in range(0, len(x), batch_size):
                idx = order[start:start + batch_size]
                optimizer.zero_grad()
                objective = loss(qm(x[idx]), y[idx])
                if b:
                    objective = objective + b * ebops(qm)
                objective.backward()
                optimizer.step()
                total += float(objective.detach()) * len(idx)
            calibrate(qm, x[:calib_samples])
            qm.eval()
            record = dict(epoch=epoch, loss=total / len(x), beta=b, ebops=int(ebops(qm).detach()))
            if classify:
                record["accuracy"] = _accuracy(qm, x, y)
                record["val_accuracy"] = _accuracy(qm, vx, vy)
                record["score"] = record["val_accuracy"]
            else:
                with torch.no_grad():
                    record["score"] = -float(loss(qm(vx), vy))
            if budget is not None and "lut" in budget:
                record["lut"] = _lut(qm)
            history.epochs.append(record)
            if not any(_dominated(record, other) for other, _ in history.front):
                history.front = [(o, s) for o, s in history.front if not _dominated(o, record)]
                history.front.append((record, copy.deepcopy(qm.state_dict())))
            if controlled is not None:
                key = next(iter(budget))
                controlled *= min(4.0, max(0.25, (max(record[key], 1) / budget[key]) ** 2))
            bar.update(1)
    if budget is not None:
        key, limit = next(iter(budget.items()))
        within = [(r, s) for r, s in history.front if r.get(key, r["ebops"]) <= limit]
        if within:
            record, state = max(within, key=lambda rs: rs[0]["score"])
            qm.load_state_dict(state)
            history.chosen = record
    calibrate(qm, x[:calib_samples])
    qm.eval()
    return history
