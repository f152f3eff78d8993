"""Catalog parameters: a number with its provenance.

Every number in the catalog is a :class:`Param`: ``value`` plus either ``source`` (citation
text) or ``notional: true`` with a one-line ``note`` saying why. Loading fails otherwise.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator


class Param(BaseModel):
    """A sourced or notional number. Units are in the field name that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    source: str | None = None
    notional: bool = False
    note: str | None = None
    low: float | None = None  # plausible range for sweeps (same unit as value)
    high: float | None = None

    @model_validator(mode="after")
    def _provenance(self):
        if not self.source and not self.notional:
            raise ValueError("needs `source:` (citation) or `notional: true` with a `note:`")
        if self.notional and not (self.note or self.source):
            raise ValueError("a notional value needs a one-line `note:` saying why")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} > high {self.high}")
        if (self.low is not None and self.value < self.low) or (self.high is not None and self.value > self.high):
            raise ValueError(f"value {self.value:g} outside its own plausible range "
                             f"[{_fmt(self.low)}, {_fmt(self.high)}]; give a value inside it or widen low/high")
        return self

    def __float__(self) -> float:
        return float(self.value)

    def with_value(self, value: float, why: str = "user override") -> Param:
        """A copy carrying a user override (marked notional, reason kept).

        The plausible range is kept when the override lies inside it, and dropped otherwise (an
        override may deliberately leave the catalog's range).
        """
        inside = (self.low is None or value >= self.low) and (self.high is None or value <= self.high)
        return Param(value=value, notional=True, note=why, low=self.low if inside else None,
                     high=self.high if inside else None)


def _fmt(x) -> str:
    return "open" if x is None else f"{x:g}"


class Place(BaseModel):
    """A sourced or notional geographic point (degrees, WGS84)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lat_deg: float
    lon_deg: float
    source: str | None = None
    notional: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _check(self):
        if not -90.0 <= self.lat_deg <= 90.0:
            raise ValueError(f"lat_deg {self.lat_deg} outside [-90, 90]")
        if not -180.0 <= self.lon_deg <= 180.0:
            raise ValueError(f"lon_deg {self.lon_deg} outside [-180, 180]")
        if not self.source and not self.notional:
            raise ValueError("a place needs `source:` or `notional: true` with a `note:`")
        return self
