"""LSTM, GRU and RNN (ONNX semantics), unrolled over the sequence into IR ops that already run in
every layer: per time step a Slice of the input, Dense layers for the input and recurrent
products, Lookup tables for the gates' sigmoid and tanh, exact Add/Sub/Mul of activations.

Per sample the input is ``(seq, input)`` (``layout=1``; exports with ``layout=0`` arrive here
rewritten by :mod:`..batch_layout`), and the outputs are the canonical (batch-first) forms:
``Y`` ``(seq, directions, hidden)``, ``Y_h`` and ``Y_c`` ``(directions, hidden)``.
Directions forward, reverse and bidirectional; initial states constant (zeros when absent);
default activations only; no clip, peepholes, input_forget or sequence_lens.
"""

from __future__ import annotations

import numpy as np

from .base import Unsupported, add_lookup, handles

#: the gates (in ONNX's weight order) and how many each op has
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
DEFAULT_ACTIVATIONS = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _check(ctx, node, a: dict) -> None:
    op = node.op_type
    if a.get("layout", 0) != 1:
        raise Unsupported("layout=0 reads a sequence-first input: export batch-first (batch_first=True)")
    acts = [_text(v) for v in a.get("activations", [])]
    dirs = 2 if _text(a.get("direction", "forward")) == "bidirectional" else 1
    if acts and [s.lower() for s in acts] != [s.lower() for s in DEFAULT_ACTIVATIONS[op] * dirs]:
        raise Unsupported(f"activations {acts}: only ONNX's defaults {DEFAULT_ACTIVATIONS[op]} are supported")
    if a.get("clip") is not None:
        raise Unsupported("clip is not supported")
    if a.get("input_forget", 0):
        raise Unsupported("input_forget=1 is not supported")
    if len(node.input) > 4 and node.input[4]:
        raise Unsupported("sequence_lens is not supported (every sequence has the full length)")
    if op == "LSTM" and len(node.input) > 7 and node.input[7]:
        raise Unsupported("peephole weights P are not supported")
    if len(ctx.shape(node.input[0])) != 2:
        raise Unsupported(f"needs an (N, seq, input) input, got {ctx.shape(node.input[0])} per sample")


def _initial(ctx, node, index: int, dirs: int, hidden: int) -> np.ndarray:
    """An initial state as (dirs, hidden) constants (zeros when absent); one state for the batch."""
    if len(node.input) <= index or not node.input[index]:
        return np.zeros((dirs, hidden))
    value = ctx.const(node.input[index])
    if value is None:
        raise Unsupported(f"input {index} (an initial state) must be a constant")
    if value.size != dirs * hidden:
        raise Unsupported(f"initial state of shape {value.shape} differs per sample; only one state "
                          "for the whole batch is supported")
    return np.asarray(value, dtype=np.float64).reshape(dirs, hidden)


class _Unroller:
    """Adds the IR nodes of one recurrent node, named after it."""

    def __init__(self, ctx, name: str):
        self.ctx, self.name = ctx, name

    def tensor(self, what: str) -> str:
        return self.ctx.temp(f"{self.name}_{what}")

    def node(self, op, inputs, what, **attrs) -> str:
        out = self.tensor(what)
        self.ctx.add(op, inputs, [out], f"{self.name}_{what}", **attrs)
        return out

    def dense(self, x, w: np.ndarray, b: np.ndarray | None, what) -> str:
        """``x @ w.T + b`` (w as ONNX stores it: (out, in))."""
        inputs = [x, self.ctx.new_const(f"{self.name}_{what}_W", w.T)]
        if b is not None and np.any(b):
            inputs.append(self.ctx.new_const(f"{self.name}_{what}_b", b))
        return self.node("Dense", inputs, what)

    def part(self, x, start: int, size: int, what) -> str:
        return self.node("Slice", [x], what, starts=(start,), steps=(1,), shape=(size,))

    def table(self, func, x, what) -> str:
        out = self.tensor(what)
        add_lookup(self.ctx, func, x, out, f"{self.name}_{what}")
        return out

    def add(self, a, b, what, op="Add") -> str:
        return self.node(op, [a, b], what)

    def const(self, value, what) -> str:
        return self.ctx.new_const(f"{self.name}_{what}", np.asarray(value, dtype=np.float64))


def _step_lstm(u: _Unroller, x_gates, h, c, r, hidden, tag):
    """One LSTM step: gates i, o, f, c from ``x_gates`` (+ ``h @ R^T``); returns (h, c)."""
    g = x_gates if h is None else u.add(x_gates, u.dense(h, r, None, f"{tag}_rec"), f"{tag}_gates")
    i, o, f = (u.table("sigmoid", u.part(g, k * hidden, hidden, f"{tag}_{n}_pre"), f"{tag}_{n}")
               for k, n in enumerate("iof"))
    cand = u.table("tanh", u.part(g, 3 * hidden, hidden, f"{tag}_c_pre"), f"{tag}_cand")
    new = u.add(i, cand, f"{tag}_in", op="Mul")
    if c is not None:
        new = u.add(u.add(f, c, f"{tag}_keep", op="Mul"), new, f"{tag}_c")
    h = u.add(o, u.table("tanh", new, f"{tag}_c_tanh"), f"{tag}_h", op="Mul")
    return h, new


def _step_gru(u: _Unroller, x_gates, h, r, rb, hidden, linear_before_reset, tag):
    """One GRU step (gates z, r, h): ``h' = hh + z * (h - hh)``; returns (h, None).

    From the zero state the recurrent products are their biases, which the caller folded into
    ``x_gates``' bias (all but the candidate's under ``linear_before_reset``: it is ``r * Rb_h``).
    """
    xz, xr, xh = (u.part(x_gates, k * hidden, hidden, f"{tag}_x{n}") for k, n in enumerate("zrh"))
    rh_w, rh_b = r[2 * hidden:], rb[2 * hidden:]
    if h is None:
        z, reset = u.table("sigmoid", xz, f"{tag}_z"), u.table("sigmoid", xr, f"{tag}_r")
        rec = u.add(reset, u.const(rh_b, f"{tag}_rb_h"), f"{tag}_reset", op="Mul") \
            if linear_before_reset and np.any(rh_b) else None
    else:
        h_rec = u.dense(h, r[: 2 * hidden], rb[: 2 * hidden], f"{tag}_rec_zr")
        z = u.table("sigmoid", u.add(xz, u.part(h_rec, 0, hidden, f"{tag}_hz"), f"{tag}_z_pre"), f"{tag}_z")
        reset = u.table("sigmoid", u.add(xr, u.part(h_rec, hidden, hidden, f"{tag}_hr"), f"{tag}_r_pre"),
                        f"{tag}_r")
        if linear_before_reset:
            rec = u.add(reset, u.dense(h, rh_w, rh_b, f"{tag}_rec_h"), f"{tag}_reset", op="Mul")
        else:
            rec = u.dense(u.add(reset, h, f"{tag}_rh", op="Mul"), rh_w, rh_b, f"{tag}_rec_h")
    hh = u.table("tanh", xh if rec is None else u.add(xh, rec, f"{tag}_h_pre"), f"{tag}_cand")
    if h is None:                      # h' = (1 - z) * hh
        return u.add(hh, u.add(z, hh, f"{tag}_zh", op="Mul"), f"{tag}_h", op="Sub"), None
    diff = u.add(h, hh, f"{tag}_diff", op="Sub")
    return u.add(hh, u.add(z, diff, f"{tag}_zd", op="Mul"), f"{tag}_h"), None


def _step_rnn(u: _Unroller, x_gates, h, r, hidden, tag):
    pre = x_gates if h is None else u.add(x_gates, u.dense(h, r, None, f"{tag}_rec"), f"{tag}_pre")
    return u.table("tanh", pre, f"{tag}_h"), None


@handles("LSTM", "GRU", "RNN")
def recurrent(ctx, node):
    op, a = node.op_type, ctx.attrs(node)
    _check(ctx, node, a)
    seq, n_in = ctx.shape(node.input[0])
    w = np.asarray(ctx.require_const(node, 1, "the input weights W"), dtype=np.float64)
    r = np.asarray(ctx.require_const(node, 2, "the recurrence weights R"), dtype=np.float64)
    dirs, hidden = w.shape[0], int(a.get("hidden_size", r.shape[-1]))
    gates = GATES[op] * hidden
    if w.shape != (dirs, gates, n_in) or r.shape != (dirs, gates, hidden):
        raise Unsupported(f"W {w.shape} / R {r.shape} do not match hidden_size {hidden} and input {n_in}")
    b = ctx.const(node.input[3]) if len(node.input) > 3 and node.input[3] else None
    b = np.zeros((dirs, 2 * gates)) if b is None else np.asarray(b, dtype=np.float64).reshape(dirs, 2 * gates)
    h0, c0 = _initial(ctx, node, 5, dirs, hidden), _initial(ctx, node, 6, dirs, hidden)
    direction = _text(a.get("direction", "forward"))
    orders = {"forward": [False], "reverse": [True], "bidirectional": [False, True]}.get(direction)
    if orders is None or len(orders) != dirs:
        raise Unsupported(f"direction {direction!r} with {dirs} weight direction(s)")
    u = _Unroller(ctx, node.name)
    ys, hs, cs = [], [], []
    for d, backwards in enumerate(orders):
        wb, rb = b[d, :gates], b[d, gates:]
        # a constant initial state's recurrent product is a constant: it joins the first bias
        h, c = None, (None if not np.any(c0[d]) else u.const(c0[d], f"d{d}_c0"))
        lbr = a.get("linear_before_reset", 0)
        if op == "GRU":
            if np.any(h0[d]):
                raise Unsupported("a non-zero initial state of a GRU is not supported")
            # from the zero state the recurrent products are their biases (see _step_gru)
            first_bias = wb + np.concatenate([rb[: 2 * hidden], 0 * rb[2 * hidden:] if lbr else rb[2 * hidden:]])
        else:
            # a constant initial state's recurrent product is a constant: it joins the first bias
            first_bias = wb + rb + r[d] @ h0[d]
        steps = [None] * seq
        for k, t in enumerate(range(seq - 1, -1, -1) if backwards else range(seq)):
            tag = f"d{d}_t{t}"
            x_t = u.node("Slice", [node.input[0]], f"{tag}_x", starts=(t, 0), steps=(1, 1), shape=(1, n_in))
            x_t = u.node("Reshape", [x_t], f"{tag}_xv", shape=(n_in,))
            bias = first_bias if k == 0 else wb + (rb if op != "GRU" else 0)
            x_gates = u.dense(x_t, w[d], bias, f"{tag}_xg")
            if op == "LSTM":
                h, c = _step_lstm(u, x_gates, h, c, r[d], hidden, tag)
            elif op == "GRU":
                h, c = _step_gru(u, x_gates, h, r[d], rb, hidden, lbr, tag)
            else:
                h, c = _step_rnn(u, x_gates, h, r[d], hidden, tag)
            steps[t] = h
        ys.append([u.node("Reshape", [s], f"d{d}_y{t}", shape=(1, 1, hidden)) for t, s in enumerate(steps)])
        hs.append(u.node("Reshape", [h], f"d{d}_hlast", shape=(1, hidden)))
        if c is not None:
            cs.append(u.node("Reshape", [c], f"d{d}_clast", shape=(1, hidden)))
    outputs = list(node.output) + [""] * 3
    if outputs[0]:
        per_dir = [parts[0] if seq == 1 else u.node("Concat", parts, f"d{d}_y", axis=0)
                   for d, parts in enumerate(ys)]
        _join(ctx, per_dir, outputs[0], node.name, axis=1)
    if outputs[1]:
        _join(ctx, hs, outputs[1], f"{node.name}_h", axis=0)
    if outputs[2]:
        if op != "LSTM":
            raise Unsupported(f"{op} has no output 2")
        _join(ctx, cs, outputs[2], f"{node.name}_c", axis=0)


def _join(ctx, parts: list, out: str, name: str, axis: int) -> None:
    if len(parts) == 1:
        ctx.add("Identity", parts, [out], name)
    else:
        ctx.add("Concat", parts, [out], name, axis=axis)
