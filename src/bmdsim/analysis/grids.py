"""Regular lat/lon grids over a box, for the analyses that map a quantity (footprint, safe envelope).

A grid *covers the whole box asked for*: ``ceil(span / step)`` cells per axis, starting at the box's
south-west corner, so that when the step does not divide the span the last row or column reaches past
the box (and the covered box is reported). A grid that would pass a pole or the antimeridian is moved
back to end there. A box smaller than one cell is an error: the grid would not describe it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bmdsim.errors import BmdsimError


@dataclass(frozen=True)
class Grid:
    """Cell centres ``lat_deg`` (ny,), ``lon_deg`` (nx,) of ``step_deg`` cells; ``covers`` the box the
    cells span, ``asked`` the box requested (both lon_min, lon_max, lat_min, lat_max in degrees)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    step_deg: float
    asked: tuple[float, float, float, float]
    covers: tuple[float, float, float, float]

    @property
    def cells(self) -> int:
        return int(self.lat_deg.size * self.lon_deg.size)

    def describe(self) -> str:
        """'N x M cells of S deg over LAT..LAT N, LON..LON E' (and how it differs from the box asked)."""
        lo0, lo1, la0, la1 = self.covers
        text = (f"{self.lat_deg.size} x {self.lon_deg.size} cells of {self.step_deg:g} deg over lat {la0:g}..{la1:g}, "
                f"lon {lo0:g}..{lo1:g}")
        if self.covers != self.asked:
            a = self.asked
            text += f" (the box asked, lat {a[2]:g}..{a[3]:g}, lon {a[0]:g}..{a[1]:g}, is not a whole number of cells)"
        return text


def _axis(lo: float, hi: float, step: float, limit_lo: float, limit_hi: float, name: str) -> tuple[float, int]:
    span = hi - lo
    if span < step * (1 - 1e-9):
        raise BmdsimError(f"the box spans {span:g} deg of {name} ({lo:g}..{hi:g}), less than one {step:g}-deg grid "
                          f"cell; widen the box or give a finer grid (at most {span:g} deg)")
    n = max(1, math.ceil(span / step - 1e-9))
    start = lo
    if start + n * step > limit_hi + 1e-9:
        start = limit_hi - n * step
    if start < limit_lo - 1e-9:
        raise BmdsimError(f"{n} cells of {step:g} deg do not fit in {name} {limit_lo:g}..{limit_hi:g}; "
                          f"give a step that divides {span:g} deg")
    return start, n


MIN_STEP_DEG = 0.001  # about 100 m: finer grids would not fit in memory (the work limits refuse far coarser ones)


def make_grid(bbox, step_deg: float) -> Grid:
    """The grid of ``step_deg`` cells covering ``bbox`` = (lon_min, lon_max, lat_min, lat_max), degrees.

    Raises BmdsimError for a non-finite or inverted box, a step <= 0, or a box smaller than one cell.
    """
    try:
        lon0, lon1, lat0, lat1 = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise BmdsimError(f"box {bbox!r}: expected (lon_min, lon_max, lat_min, lat_max) in degrees") from None
    if not all(math.isfinite(v) for v in (lon0, lon1, lat0, lat1, step_deg)) or not step_deg > 0:
        raise BmdsimError("box and grid step must be finite numbers, the step > 0")
    if not MIN_STEP_DEG <= step_deg <= 180.0:
        raise BmdsimError(f"grid step {step_deg:g} deg: valid {MIN_STEP_DEG:g} to 180 degrees")
    if not (-90 <= lat0 < lat1 <= 90):
        raise BmdsimError(f"latitudes {lat0:g}..{lat1:g}: need south < north within -90..90")
    if not (-180 <= lon0 < lon1 <= 180):
        raise BmdsimError(f"longitudes {lon0:g}..{lon1:g}: need west < east within -180..180 (a grid box may not "
                          "cross the antimeridian)")
    la, nla = _axis(lat0, lat1, step_deg, -90.0, 90.0, "latitude")
    lo, nlo = _axis(lon0, lon1, step_deg, -180.0, 180.0, "longitude")
    lats = la + step_deg * (np.arange(nla) + 0.5)
    lons = lo + step_deg * (np.arange(nlo) + 0.5)
    covers = (round(lo, 9), round(lo + nlo * step_deg, 9), round(la, 9), round(la + nla * step_deg, 9))
    return Grid(lats, lons, float(step_deg), (lon0, lon1, lat0, lat1), covers)
