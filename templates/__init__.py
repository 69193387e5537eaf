"""Jinja2 templates for the HLS and Verilog backends (package data of hgq_hls)."""
