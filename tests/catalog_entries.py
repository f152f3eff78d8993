"""Helpers for tests that read catalog entries as YAML data."""

from __future__ import annotations


def parameters(obj):
    """Every parameter mapping (a dict with a ``value``) inside a catalog entry read as plain YAML data, depth first."""
    if isinstance(obj, dict):
        if "value" in obj:
            yield obj
        else:
            for v in obj.values():
                yield from parameters(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from parameters(v)
