"""The state of one export: ONNX nodes and initializers collected while walking the graph."""

from __future__ import annotations

import math

import numpy as np
from onnx import helper, numpy_helper

from ....errors import Problem
from ....fixed import ElementTypes, FixedType, from_mantissa
from ....fixed.modes import QONNX_SPELLING
from ....ir import Graph
from ..builder import QONNX_DOMAIN


class QonnxWriter:
    """Collects ONNX nodes and initializers while walking the graph."""

    def __init__(self, g: Graph, per_element: str = "portable"):
        self.g, self.nodes, self.inits, self.problems = g, [], [], []
        self.per_element = per_element
        self.names = set(g.tensors) | {n.name for n in g.nodes.values()}
        self.consts: dict[str, str] = {}

    def fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        return name

    def init(self, base: str, value) -> str:
        name = self.fresh(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op, inputs, output, name=None, domain="", **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=name or self.fresh(f"{op}_{output}"),
                                           domain=domain, **attrs))
        return output

    def quant_attrs(self, t: FixedType, where: str, constant: bool = False):
        """(scale, bits, attributes) of the QONNX Quant meaning type ``t``, or None (a problem)."""
        if constant:
            # a constant's rounding and overflow never act (its values are on its grid and in
            # its range), so any mode QONNX can spell describes it
            t = t.replace(rounding=t.rounding if t.rounding in QONNX_SPELLING else "RND_CONV",
                          overflow=t.overflow if t.overflow in ("SAT", "SAT_SYM") and t.signed else "SAT")
        reasons = []
        if t.width < 1:
            reasons.append("a width-0 (pruned) type has no QONNX Quant")
        if t.overflow not in ("SAT", "SAT_SYM"):
            reasons.append(f"QONNX Quant saturates; {t.overflow} cannot be written")
        if t.overflow == "SAT_SYM" and not t.signed:
            reasons.append("an unsigned SAT_SYM type has no QONNX Quant")
        if t.signed and t.width == 1:
            reasons.append("a signed 1-bit QONNX Quant means bipolar")
        if t.rounding not in QONNX_SPELLING:
            reasons.append(f"QONNX has no rounding mode for {t.rounding} "
                           f"(it has {', '.join(sorted(QONNX_SPELLING))})")
        if reasons:
            self.problems.append(Problem(where, str(t), "; ".join(reasons)))
            return None
        attrs = dict(signed=int(t.signed), narrow=int(t.overflow == "SAT_SYM"),
                     rounding_mode=QONNX_SPELLING[t.rounding])
        return np.float32(math.ldexp(1.0, -t.frac)), np.float32(t.width), attrs

    def _rounding(self, t, where: str) -> str | None:
        if t.rounding not in QONNX_SPELLING:
            self.problems.append(Problem(where, t.rounding, f"QONNX has no rounding mode for {t.rounding}"))
            return None
        return QONNX_SPELLING[t.rounding]

    def quant_elements(self, x: str, t: ElementTypes, out: str, where: str, name=None) -> str:
        """``out`` = per-element types ``t`` of ``x``, in the writer's form.

        ``"compact"``: one Quant with a scale and a bit width per element (bit width 0:
        pruned); only hgq_hls runs it (qonnx needs a scalar bit width); an activation with both
        signed and unsigned elements is written in the portable form instead.  ``"portable"``
        (training_side.md §6.2 B): a Quant with per-element scales and one bit width wide
        enough for every element, then Min/Max by each element's range: standard ops only,
        so qonnx's executor and onnxruntime run it; hh.load_onnx fuses it back.
        """
        mode = self._rounding(t, where)
        if t.overflow not in ("SAT", "SAT_SYM"):
            self.problems.append(Problem(where, t.overflow, f"QONNX Quant saturates; {t.overflow} cannot be written"))
        live = ~t.pruned
        if mode is None or t.overflow not in ("SAT", "SAT_SYM"):
            return self.node("Identity", [x], out)
        batch = (1,) if not self.g.tensors[out].is_const else ()
        scale = np.where(live, np.ldexp(1.0, -t.frac), 1.0).astype(np.float32).reshape(batch + t.shape)
        zero = self.init(f"{out}_zeropt", np.float32(0))
        signs = np.unique(t.signed[live])
        constant = self.g.tensors[out].is_const
        one_bit_signed = bool(np.any(t.signed & (t.width == 1)))
        if self.per_element == "compact" and ((signs.size <= 1 and not one_bit_signed) or constant):
            # (an activation with signed and unsigned elements, or a signed 1-bit one, takes the
            # portable form: the compact one has a single signed attribute and no 1-bit signed)
            if signs.size > 1:
                self.problems.append(Problem(where, "per-element", "signed and unsigned elements: the compact "
                                             "form has one signed attribute (write per_element='portable')"))
                return self.node("Identity", [x], out)
            signed = bool(signs[0]) if signs.size else True
            return self.node("Quant", [x, self.init(f"{out}_scale", scale), zero,
                                       self.init(f"{out}_bits", t.width.astype(np.float32).reshape(batch + t.shape))],
                             out, name=name, domain=QONNX_DOMAIN, signed=int(signed),
                             narrow=int(t.overflow == "SAT_SYM" and signed), rounding_mode=mode)
        wide = max(2, int((t.width + ~t.signed).max()))
        lo, hi = t.saturation_bounds
        bounds = [np.where(live, np.ldexp(np.array(b, dtype=np.float64), -t.frac), 0.0) for b in (hi, lo)]
        if any(not np.array_equal(b.astype(np.float32).astype(np.float64), b) for b in bounds):
            self.problems.append(Problem(where, "per-element", "element ranges need more than float32"))
        quantized = self.node("Quant", [x, self.init(f"{out}_scale", scale), zero,
                                        self.init(f"{out}_bits", np.float32(wide))],
                              self.fresh(f"{out}_wide"), name=name, domain=QONNX_DOMAIN, signed=1, narrow=0,
                              rounding_mode=mode)
        high, low = (self.init(f"{out}_{k}", b.astype(np.float32).reshape(batch + t.shape))
                     for k, b in zip(("hi", "lo"), bounds))
        below = self.node("Min", [quantized, high], self.fresh(f"{out}_below"))
        return self.node("Max", [below, low], out)

    def quant(self, x: str, t, out: str, where: str, name=None, constant: bool = False) -> str:
        """``out = Quant(x)`` meaning type ``t`` (one type, or :class:`ElementTypes`)."""
        if isinstance(t, ElementTypes):
            return self.quant_elements(x, t, out, where, name)
        q = self.quant_attrs(t, where, constant)
        if q is None:
            return self.node("Identity", [x], out)
        scale, bits, attrs = q
        zero = self.init(f"{out}_zeropt", np.float32(0))
        return self.node("Quant", [x, self.init(f"{out}_scale", scale), zero, self.init(f"{out}_bits", bits)],
                         out, name=name, domain=QONNX_DOMAIN, **attrs)

    def const(self, name: str) -> str:
        """A constant input: a float initializer, quantized when the tensor is typed."""
        if name in self.consts:
            return self.consts[name]
        tensor = self.g.tensors[name]
        values = (np.asarray(tensor.value, dtype=np.float64) if tensor.type is None
                  else from_mantissa(tensor.value, tensor.type.frac))
        if not np.array_equal(values.astype(np.float32).astype(np.float64), values):
            self.problems.append(Problem(name, str(tensor.type), "its values need more than float32"))
        if not tensor.declared:
            # the importer types an undeclared constant from its values: the same type again
            self.consts[name] = self.init(name, values.astype(np.float32))
            return self.consts[name]
        raw = self.init(f"{name}_float", values.astype(np.float32))
        # per-element weight types travel in the compact form; the portable form keeps the
        # values exactly in one type (qonnx cannot run a per-element bit width)
        t = tensor.element_types if tensor.element_types is not None and self.per_element == "compact" \
            else tensor.type
        self.consts[name] = self.quant(raw, t, name, name, name=self.fresh(f"Quant_{name}"), constant=True)
        return self.consts[name]

    def arg(self, name: str) -> str:
        """An input of a node: constants are materialized, activations passed by name."""
        return self.const(name) if self.g.tensors[name].is_const else name

    def result(self, node, emit) -> None:
        """Emit the node's op into a raw output, then its declared output type as a Quant."""
        out = node.outputs[0]
        tensor = self.g.tensors[out]
        if self.g.casts_output(out):
            raw = self.fresh(f"{out}_raw")
            emit(raw)
            self.quant(raw, tensor.type, out, out, name=self.fresh(f"{node.name}_out"))
        else:
            emit(out)
