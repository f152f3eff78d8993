"""Exceptions for caller mistakes. The CLI prints ``str(err)`` on one line and exits 2."""

from __future__ import annotations

import difflib


class BmdsimError(ValueError):
    """Base class: a user-facing problem with the input (one-line message)."""


class UnknownNameError(BmdsimError):
    """A name that is not in the catalog; the message lists the valid ones."""

    MAX_LISTED = 25  # longer catalogs: the names closest to the one given, and how many there are

    def __init__(self, kind: str, name: str, known):
        known = sorted(known)
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        if len(known) <= self.MAX_LISTED:
            listed = f"Known: {', '.join(known)}"
        else:
            near = difflib.get_close_matches(str(name), known, n=8, cutoff=0.0)
            listed = f"Closest of {len(known)} known: {', '.join(near)}"
        super().__init__(f"unknown {kind} {str(name)[:80]!r}.{hint} {listed}")
        self.name = name
        self.known = known


class GeometryError(BmdsimError):
    """Impossible geometry: launch = aim, target beyond reach, coordinates out of range."""


class OutOfReachError(GeometryError):
    """The aimpoint is beyond the missile's reach for the requested trajectory shape."""

    def __init__(self, message: str, max_range_km: float):
        super().__init__(message)
        self.max_range_km = max_range_km
