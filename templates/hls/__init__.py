"""Vitis HLS C++ templates."""
