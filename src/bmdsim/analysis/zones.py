"""Zones on the Earth for written limits (criteria files): what is "inside" is a legal question, so each
kind of zone says exactly what it means.

Coordinates are WGS84 geodetic degrees; latitudes in [-90, 90], longitudes in [-180, 180]. Every zone
is a *closed* set: a point on its boundary is inside (a site on the line is in the zone).

``box``: ``{lat_south, lat_north, lon_west, lon_east}`` — bounded by two parallels and two meridians.
    Longitudes run *eastward* from ``lon_west`` to ``lon_east``: ``lon_west: 170, lon_east: -170`` is
    a 20-degree box across the antimeridian (the Bering Sea), not a 340-degree one. ``lat_north: 90``
    includes the pole. Exact (no library needed).
``cap``: ``{north_of_deg: L}`` (latitude >= L) or ``{south_of_deg: L}`` (latitude <= L): everything
    beyond a parallel, the pole included ("north of Russian territory").
``circle``: ``{lat_deg, lon_deg, radius_km}`` — the points whose geodesic distance on the WGS84
    ellipsoid from the centre is at most ``radius_km`` (Karney's algorithm via pyproj.Geod).
``polygon``: ``{corners: [[lat, lon], ...], orientation, parallels}`` — a region of the sphere bounded
    by *great-circle* arcs: each edge is the shorter great-circle arc between consecutive corners (in
    geodetic coordinates on a sphere; the last corner joins the first). A straight line on a lat/lon
    map is *not* an edge: an edge between two corners on the same parallel bows poleward of it (about
    11 km at 55 N over 10 degrees of longitude). ``parallels: true`` makes every edge whose two
    corners share a latitude follow that parallel instead (densified every 0.25 degree of longitude:
    within 8 m of the parallel everywhere, the worst case at 45 degrees).
    ``orientation: smaller`` (the default) takes the smaller of the two regions the ring bounds, so a
    corner order does not matter and no zone exceeds a hemisphere; ``orientation: counterclockwise``
    takes the region on the left of the edges walked in the order given (counter-clockwise seen from
    above), which may be larger than a hemisphere (e.g. "everywhere but Europe"). Corners may not
    repeat, edges may not cross, consecutive corners may not be antipodal. Containment is computed
    with spherely (S2 geometry); points within 1 m of an edge count as inside.

The flat form of earlier versions (``polygon: [[lat, lon], ...]`` tested on a lat/lon map, and
``min_lat_deg``/``max_lat_deg``) is refused with a message giving the new form: its edges were map
lines, which inverted verdicts across the antimeridian and could not enclose a pole.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bmdsim.errors import BmdsimError

PARALLEL_STEP_DEG = 0.25  # densification of edges along parallels
EDGE_TOLERANCE_M = 1.0  # points this close to a polygon edge are inside (S2 boundaries are semi-open)


def _lat(**kw):
    return Field(ge=-90, le=90, allow_inf_nan=False, **kw)


def _lon(**kw):
    return Field(ge=-180, le=180, allow_inf_nan=False, **kw)



class Box(BaseModel):
    """Parallels and meridians; longitudes eastward from ``lon_west`` to ``lon_east`` (degrees)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    lat_south: float = _lat()
    lat_north: float = _lat()
    lon_west: float = _lon()
    lon_east: float = _lon()

    @model_validator(mode="after")
    def _check(self):
        if not self.lat_south < self.lat_north:
            raise ValueError(f"box: lat_south ({self.lat_south}) must be below lat_north ({self.lat_north})")
        if self.width_deg == 0:
            raise ValueError("box: lon_west and lon_east are the same meridian; for a band around the Earth "
                             "use lon_west: -180, lon_east: 180")
        return self

    @property
    def width_deg(self) -> float:
        """Eastward extent (degrees, 0 < width <= 360)."""
        if self.lon_west == -180 and self.lon_east == 180:
            return 360.0
        return (self.lon_east - self.lon_west) % 360.0

    def contains(self, lat_deg, lon_deg) -> np.ndarray:
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        east = np.mod(lon - self.lon_west, 360.0)
        east = np.where(east > 360.0 - 1e-9, 0.0, east)  # lon_west itself, written as lon_west +- 360
        in_lon = (east <= self.width_deg + 1e-9) | (np.abs(lat) >= 90.0)  # at a pole every meridian meets
        return (lat >= self.lat_south) & (lat <= self.lat_north) & in_lon


class Cap(BaseModel):
    """Everything north (or south) of a parallel, the pole included."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    north_of_deg: float | None = _lat(default=None)
    south_of_deg: float | None = _lat(default=None)

    @model_validator(mode="after")
    def _one(self):
        if (self.north_of_deg is None) == (self.south_of_deg is None):
            raise ValueError("cap: give exactly one of north_of_deg or south_of_deg")
        return self

    def contains(self, lat_deg, lon_deg) -> np.ndarray:
        lat = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))[0]
        return lat >= self.north_of_deg if self.north_of_deg is not None else lat <= self.south_of_deg


class Circle(BaseModel):
    """Geodesic distance on WGS84 from a centre at most ``radius_km``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    lat_deg: float = _lat()
    lon_deg: float = _lon()
    radius_km: float = Field(gt=0, le=20_000, allow_inf_nan=False)

    def contains(self, lat_deg, lon_deg) -> np.ndarray:
        from pyproj import Geod

        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        _, _, d = Geod(ellps="WGS84").inv(np.full(lat.shape, self.lon_deg), np.full(lat.shape, self.lat_deg),
                                          lon, lat)
        return np.asarray(d) <= self.radius_km * 1e3 + 1e-6


class Polygon(BaseModel):
    """Great-circle edges between ``corners`` ([lat, lon] degrees); see the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    corners: list[tuple[float, float]] = Field(min_length=3, max_length=10_000)
    orientation: Literal["smaller", "counterclockwise"] = "smaller"
    parallels: bool = False

    @model_validator(mode="after")
    def _check(self):
        for i, (la, lo) in enumerate(self.corners):
            if not (math.isfinite(la) and -90 <= la <= 90 and math.isfinite(lo) and -180 <= lo <= 180):
                raise ValueError(f"polygon corner {i} [{la}, {lo}]: need [lat, lon] with lat in -90..90 and "
                                 "lon in -180..180")
        v = _unit(self.corners)
        for i in range(len(v)):
            if float(v[i] @ v[(i + 1) % len(v)]) < -1 + 1e-12:
                raise ValueError(f"polygon corners {i} and {(i + 1) % len(v)} are antipodal: the edge between "
                                 "them is undefined; add a corner between them")
        self.geography  # noqa: B018 - builds it: an invalid ring is reported here
        return self

    def ring(self) -> list[tuple[float, float]]:
        """The corners as (lon, lat), with points along parallels inserted when ``parallels``."""
        pts = []
        n = len(self.corners)
        for i, (la, lo) in enumerate(self.corners):
            pts.append((lo, la))
            la2, lo2 = self.corners[(i + 1) % n]
            if self.parallels and la == la2 and abs(la) < 90:
                d = (lo2 - lo + 180.0) % 360.0 - 180.0  # the shorter way round
                k = int(math.ceil(abs(d) / PARALLEL_STEP_DEG))
                for j in range(1, k):
                    x = lo + d * j / k
                    pts.append(((x + 180.0) % 360.0 - 180.0, la))
        return pts

    @cached_property
    def geography(self):
        import spherely

        try:
            return spherely.create_polygon(self.ring(), oriented=self.orientation == "counterclockwise")
        except (ValueError, RuntimeError) as err:
            msg = " ".join(str(err).split())
            raise ValueError(f"polygon is not a simple ring on the sphere ({msg}); corners may not repeat and "
                             "edges may not cross") from None

    def contains(self, lat_deg, lon_deg) -> np.ndarray:
        import spherely

        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        pts = spherely.points(lon.ravel(), lat.ravel())
        inside = np.asarray(spherely.covers(self.geography, pts), dtype=bool)
        if not inside.all():
            edge = spherely.distance(spherely.boundary(self.geography), pts) <= EDGE_TOLERANCE_M
            inside |= np.asarray(edge, dtype=bool)
        return inside.reshape(lat.shape)


_OLD_FORM = ("zone {name!r}: {what} is the flat form of earlier versions (straight lines on a lat/lon map, "
             "wrong across 180 deg and near the poles) and is no longer read; write {new}")


class Zone(BaseModel):
    """A named zone: exactly one of ``box``, ``cap``, ``circle``, ``polygon`` (module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    box: Box | None = None
    cap: Cap | None = None
    circle: Circle | None = None
    polygon: Polygon | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_forms(cls, data):
        if not isinstance(data, dict):
            return data
        name = data.get("name", "?")
        if isinstance(data.get("polygon"), list):
            raise ValueError(_OLD_FORM.format(name=name, what="`polygon: [[lat, lon], ...]`",
                                              new="`polygon: {corners: [[lat, lon], ...]}` (great-circle edges; "
                                                  "add `parallels: true` for edges along parallels) or a `box`"))
        for key in ("min_lat_deg", "max_lat_deg"):
            if key in data:
                raise ValueError(_OLD_FORM.format(name=name, what=f"`{key}`",
                                                  new="`cap: {north_of_deg: L}` / `cap: {south_of_deg: L}`, or a "
                                                      "`box` with lat_south/lat_north"))
        return data

    @model_validator(mode="after")
    def _one(self):
        given = [k for k in ("box", "cap", "circle", "polygon") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"zone {self.name!r}: give exactly one of box, cap, circle, polygon"
                             + (f" (found {', '.join(given)})" if given else ""))
        return self

    @property
    def shape(self):
        return self.box or self.cap or self.circle or self.polygon

    def contains(self, lat_deg, lon_deg):
        """Membership of points (arrays broadcast; a scalar gives a bool). Boundary points are inside."""
        lat = np.asarray(lat_deg, float)
        lon = np.asarray(lon_deg, float)
        if not (np.all(np.isfinite(lat)) and np.all(np.abs(lat) <= 90) and np.all(np.isfinite(lon))):
            raise BmdsimError(f"zone {self.name!r}: points need finite lat in -90..90 and a finite lon")
        lon = (lon + 180.0) % 360.0 - 180.0
        out = self.shape.contains(lat, lon)
        return bool(out) if np.ndim(out) == 0 else out


def _unit(corners) -> np.ndarray:
    """Unit vectors (n, 3) of [lat, lon] degree corners on the sphere."""
    a = np.radians(np.asarray(corners, dtype=float))
    la, lo = a[:, 0], a[:, 1]
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)
