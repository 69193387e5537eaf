"""Backends: code generators that turn a typed Graph into firmware projects."""
