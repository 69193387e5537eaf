"""The kernel registry."""

from ...registry import registrar

KERNELS = {}

kernel = registrar(KERNELS, "the reference kernel")
