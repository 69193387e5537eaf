"""The package version (also in pyproject.toml), written into every project's manifest."""

__version__ = "0.1.0.dev0"
