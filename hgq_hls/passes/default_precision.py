"""Typing a float model: input type, default weight/output type, per-node overrides."""

from __future__ import annotations

from ..errors import Problem, UnsupportedModelError
from ..fixed import FixedType, to_mantissa
from ..ir import Graph
from ..ir.ops import OPS

_KEYS = ("output", "weight", "bias", "table_in", "table_out", "exp_in", "exp_out", "inv_in",
         "inv_out")


def _overrides(g: Graph, precision) -> dict[str, dict]:
    """Normalize ``precision`` to {node: {key: FixedType}}, naming unknown nodes or keys."""
    problems, out = [], {}
    for name, spec in (precision or {}).items():
        if name not in g.nodes:
            problems.append(Problem(name, "?", f"no such node; nodes are {sorted(g.nodes)}"))
            continue
        if not isinstance(spec, (FixedType, str, dict)):
            problems.append(Problem(name, g.nodes[name].op, f"precision override {spec!r} is neither a "
                                    "FixedType nor a dict of them"))
            continue
        spec = {"output": spec} if isinstance(spec, (FixedType, str)) else dict(spec)
        for key, t in spec.items():
            if key not in _KEYS:
                problems.append(Problem(name, g.nodes[name].op, f"unknown precision key {key!r}; "
                                        f"use one of {_KEYS}"))
            spec[key] = FixedType.coerce(t, f"precision[{name!r}][{key!r}]")
        out[name] = spec
    if problems:
        raise UnsupportedModelError(problems)
    return out


#: the widest table index ``default_type`` alone makes (4,096 entries, in every element's ROM);
#: a per-node ``table_in`` may go up to the table builder's limit
MAX_DEFAULT_TABLE_IN_BITS = 12


def table_types_following(in_t: FixedType, out_t: FixedType, default_type: FixedType) -> tuple:
    """An importer-chosen table's (index, entry) types at ``default_type``'s resolution, never
    coarser than they are: the index keeps its integer bits (its range) and takes up to the
    default's fractional bits (at most :data:`MAX_DEFAULT_TABLE_IN_BITS` wide, rounding to
    nearest); the entries keep their integer bits and take the default's width."""
    frac_in = min(default_type.frac, MAX_DEFAULT_TABLE_IN_BITS - in_t.integer)
    if frac_in > in_t.frac:
        in_t = FixedType(in_t.signed, in_t.integer + frac_in, in_t.integer, "RND", in_t.overflow)
    if default_type.width > out_t.width:
        out_t = FixedType(out_t.signed, default_type.width, out_t.integer, out_t.rounding, out_t.overflow)
    return in_t, out_t


def _type_const(g: Graph, name: str, t: FixedType) -> None:
    tensor = g.tensors[name]
    if tensor.is_const and tensor.type is None:
        tensor.value = to_mantissa(tensor.value, t, name=name)
        tensor.type, tensor.declared = t, True


def apply_precision(g: Graph, input_type=None, default_type=None, precision=None) -> tuple[Graph, bool]:
    """Declare types: graph inputs (``input_type``: one FixedType, or {input: FixedType}), float
    constants, and every computing node's output."""
    overrides = _overrides(g, precision)
    if input_type is None and default_type is None and not overrides:
        return g, False
    if input_type is not None:
        types = input_type if isinstance(input_type, dict) else dict.fromkeys(g.inputs, input_type)
        for name in g.inputs:
            g.tensors[name].type, g.tensors[name].declared = types[name], True
    for node in g.topological():
        spec = overrides.get(node.name, {})
        for k, name in enumerate(node.inputs[1:], start=1):
            key = "bias" if (OPS[node.op].multiply_accumulate and k == 2) else "weight"
            t = spec.get(key, default_type)
            if t is not None:
                _type_const(g, name, t)
        if node.op == "Softmax":
            if default_type is not None and node.attrs.get("tables") is None:
                for table in ("exp", "inv"):
                    node.attrs[f"{table}_in"], node.attrs[f"{table}_out"] = table_types_following(
                        node.attrs[f"{table}_in"], node.attrs[f"{table}_out"], default_type)
            for key in ("exp_in", "exp_out", "inv_in", "inv_out"):
                node.attrs[key] = spec.get(key, node.attrs[key])
        if node.op == "Lookup":
            if default_type is not None and node.attrs.get("table") is None:
                # an importer-chosen table follows the asked precision (its error shrinks with it)
                node.attrs["in_type"], node.attrs["out_type"] = table_types_following(
                    node.attrs["in_type"], node.attrs["out_type"], default_type)
            node.attrs["in_type"] = spec.get("table_in", node.attrs["in_type"])
            node.attrs["out_type"] = spec.get("table_out", node.attrs["out_type"])
            if "table_in" in spec or "table_out" in spec:
                node.attrs["exact_function"] = False         # the user's table is the semantics
        out_type = spec.get("output", None if OPS[node.op].data_movement or OPS[node.op].typed_by_attr
                            else default_type)
        if out_type is not None:
            for name in node.outputs:
                g.tensors[name].type, g.tensors[name].declared = out_type, True
    return g, True
