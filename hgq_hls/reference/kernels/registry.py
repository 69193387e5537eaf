"""The kernel registry."""

KERNELS = {}


def kernel(op: str):
    """Decorator registering the reference kernel of IR op ``op``."""
    def wrap(fn):
        KERNELS[op] = fn
        return fn
    return wrap
