"""Map layers shared by figures and GIS exports: interceptor sites, radar fields of regard, range rings,
named places. Built from a resolved architecture (duck-typed: ``.sites`` with ``name``, ``lat_deg``,
``lon_deg``, ``interceptor``, ``kin.vbo_m_s``; ``.radars`` with :class:`bmdsim.model.sensors.RadarSpec`
fields) so that every output draws the same things in the same places.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bmdsim.core import earth, geodesy

CAPITAL_CATEGORIES = ("european_capital", "russian_capital")


@dataclass(frozen=True)
class RadarField:
    """A radar's field of regard on the ground: azimuth sector (deg from north) out to ``range_km``
    (the detection range against the catalog's reference RCS)."""

    name: str
    lat_deg: float
    lon_deg: float
    boresight_deg: float
    half_width_deg: float
    range_km: float

    def outline(self, n: int = 91) -> tuple[np.ndarray, np.ndarray]:
        """Closed outline (lat_deg, lon_deg): the sector's arc and its two radii (a circle if 360 deg)."""
        if self.half_width_deg >= 180.0:
            return geodesic_circle(self.lat_deg, self.lon_deg, self.range_km, n=2 * n - 1)
        la, lo = geodesic_circle(self.lat_deg, self.lon_deg, self.range_km, self.boresight_deg - self.half_width_deg,
                                 self.boresight_deg + self.half_width_deg, n)
        return (np.concatenate([[self.lat_deg], la, [self.lat_deg]]),
                np.concatenate([[self.lon_deg], lo, [self.lon_deg]]))


def geodesic_circle(lat_deg: float, lon_deg: float, radius_km: float, az0_deg: float = 0.0,
                    az1_deg: float = 360.0, n: int = 181) -> tuple[np.ndarray, np.ndarray]:
    """Points (lat_deg (n,), lon_deg (n,)) at geodesic distance ``radius_km`` on WGS84 (Karney's
    algorithm through pyproj) for azimuths from ``az0_deg`` to ``az1_deg``; longitudes unwrapped
    (continuous, may leave [-180, 180])."""
    az = np.linspace(az0_deg, az1_deg, n)
    la, lo = geodesy.direct(np.full(n, lat_deg), np.full(n, lon_deg), az, np.full(n, radius_km * 1e3))
    return la, np.degrees(np.unwrap(np.radians(lo)))


def sites(arch) -> list[tuple[str, float, float, dict]]:
    """(name, lat_deg, lon_deg, properties) of every interceptor site."""
    return [(s.name, float(s.lat_deg), float(s.lon_deg),
             {"interceptor": s.interceptor, "vbo_kms": round(s.kin.vbo_m_s / 1e3, 3), "inventory": s.inventory})
            for s in arch.sites]


def radar_fields(arch) -> list[RadarField]:
    """Field of regard of every radar of the architecture (fixed ones and those carried by sites): one
    field per sector of the union of its faces (:func:`bmdsim.core.visibility.merge_sectors`; faces
    that touch draw as one sector, faces covering every azimuth as one circle)."""
    from bmdsim.core.visibility import merge_sectors

    out = []
    for r in arch.radars:
        lat, lon, _ = earth.ecef_to_geodetic(np.asarray(r.site_ecef, float))
        rng = float(min(r.range_ref_m, r.instrumented_range_m)) / 1e3
        for bore, half in merge_sectors(r.boresight_rad, r.half_width_rad):
            out.append(RadarField(r.name, float(np.degrees(lat)), float(np.degrees(lon)), math.degrees(bore),
                                  math.degrees(half), rng))
    return out


def places_in(view: Sequence[float], categories: Sequence[str] = CAPITAL_CATEGORIES, catalog=None):
    """Places of the given categories inside ``view`` = (lon_min, lon_max, lat_min, lat_max), from
    ``catalog`` (a :class:`bmdsim.model.catalogs.Catalog`; None: the built-ins)."""
    from bmdsim.model.catalogs import resolve_catalog

    lon0, lon1, lat0, lat1 = view
    out = []
    for p in resolve_catalog(catalog).places.values():
        if p.category not in categories:
            continue
        lon = p.lon_deg if lon0 <= p.lon_deg <= lon1 else p.lon_deg + 360.0
        if lat0 <= p.lat_deg <= lat1 and lon0 <= lon <= lon1:
            out.append(p)
    return sorted(out, key=lambda p: p.id)
