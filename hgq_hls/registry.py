"""One way to build the op registries (importer handlers, reference kernels, backend lowerings,
exporters, gradient rules): a dict from op name to function, filled by a decorator."""

from __future__ import annotations


def registrar(table: dict, what: str):
    """A decorator factory: ``@register("Add", "Sub")`` stores the function under each name."""
    def register(*ops: str):
        def wrap(fn):
            for op in ops:
                table[op] = fn
            return fn
        return wrap
    register.__doc__ = f"Decorator registering {what} of the named ops."
    return register
