"""Grid masks as polygons, and polygons/points as GeoJSON and KML text (writing: :mod:`bmdsim.io.files`).

:func:`grid_to_polygons` turns the True cells of a regular lat/lon grid into the exact union of their
squares. The union's boundary is made of the cell edges that separate a True cell from a False (or
outside) cell — the edges that two True cells share cancel. Each boundary edge is directed with the
True cell on its left, so chaining the edges gives outer rings counter-clockwise and holes clockwise
(x = lon, y = lat), which is also RFC 7946's orientation. Where two True cells touch only at a corner
(a pinch), the chain turns so that no ring passes the point twice: if the two cells belong to
different 4-connected components it turns left (each component keeps its own ring), if to the same
component it turns right (the two empty cells are then different faces — a loop through the component
separates them — so the outer ring and the hole ring stay apart). Every ring is thus the boundary
between one component and one empty face, rings meet at most at single points (valid OGC / GeoJSON),
and each component has exactly one counter-clockwise ring, its outer ring. No shapely needed.

Polygons are lists of rings, the outer ring first; a ring is a closed list of ``(lon, lat)`` tuples
(first point repeated at the end).

KML element ids: simplekml numbers every object it creates from one counter global to the process
(``simplekml.base.Kmlable._globalid``), so the same document written twice in one process (a server, a
test) got different ids. Every KML writer here is wrapped in :func:`kml_ids_in_order`: the document's
objects are numbered from 0 in the order they are made, as in a fresh process, whatever was written
before.
"""

from __future__ import annotations

import functools
import json
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bmdsim.errors import BmdsimError

Ring = list[tuple[float, float]]
Polygon = list[Ring]

_KML_LOCK = threading.Lock()


def kml_ids_in_order(build):
    """Decorator for a function that builds a simplekml document and returns its text: while it runs (under a
    lock, so that two threads do not number each other's objects) simplekml's object counter starts at 0, so
    ids follow the order objects are made in this document only (the same as in a fresh process). The counter
    is left no lower than it was, so documents built elsewhere keep unique ids."""

    @functools.wraps(build)
    def wrapped(*args, **kwargs):
        from simplekml.base import Kmlable

        with _KML_LOCK:
            saved = Kmlable._globalid
            Kmlable._globalid = 0
            try:
                return build(*args, **kwargs)
            finally:
                Kmlable._globalid = max(saved, Kmlable._globalid)

    return wrapped


# directions: 0 = east (+x), 1 = north (+y), 2 = west, 3 = south; counter-clockwise order
_DXA = np.array([1, 0, -1, 0])
_DYA = np.array([0, 1, 0, -1])


def _axis(c: np.ndarray, cell: float, name: str) -> tuple[np.ndarray, bool]:
    """Validate a grid axis (regular, spacing = cell); return it ascending and whether it was flipped."""
    if c.ndim != 1 or c.size == 0 or not np.all(np.isfinite(c)):
        raise BmdsimError(f"{name} must be a non-empty 1-D array of finite values")
    flipped = c.size > 1 and c[1] < c[0]
    a = c[::-1] if flipped else c
    if a.size > 1:
        d = np.diff(a)
        if np.any(np.abs(d - cell) > 1e-6 * max(cell, 1.0) + 1e-3 * cell):
            raise BmdsimError(
                f"{name} must be a regular grid with spacing cell_deg={cell:g} (got steps "
                f"{d.min():g}..{d.max():g})"
            )
    return a, flipped


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Shoelace area (positive = counter-clockwise); the ring may or may not repeat its first point."""
    p = np.asarray(ring, dtype=float)
    if p.shape[0] < 3:
        return 0.0
    x, y = p[:, 0], p[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def polygon_area(polygon: Sequence[Sequence[Sequence[float]]]) -> float:
    """Area of a polygon (outer ring minus holes), in the squared units of its coordinates."""
    if not polygon:
        return 0.0
    return abs(_signed_area(polygon[0])) - sum(abs(_signed_area(h)) for h in polygon[1:])


def grid_to_polygons(lat_deg, lon_deg, mask, cell_deg: float) -> list[Polygon]:
    """Merge the True cells of ``mask[i, j]`` (cell centred at ``lat_deg[i]``, ``lon_deg[j]``, side
    ``cell_deg``) into polygons: the exact union of the cell squares.

    The axes must be regular with spacing ``cell_deg`` (ascending or descending). Returns a list of
    polygons, each ``[outer, hole, ...]`` with closed rings of ``(lon, lat)``; outer rings run
    counter-clockwise, holes clockwise; collinear vertices are dropped. Order is deterministic (polygons
    by their lowest-then-leftmost vertex).
    """
    cell = float(cell_deg)
    if not (math.isfinite(cell) and cell > 0):
        raise BmdsimError(f"cell_deg must be positive, got {cell_deg!r}")
    lat, lat_flip = _axis(np.asarray(lat_deg, dtype=float).ravel(), cell, "lat_deg")
    lon, lon_flip = _axis(np.asarray(lon_deg, dtype=float).ravel(), cell, "lon_deg")
    m = np.asarray(mask)
    if m.shape != (lat.size, lon.size):
        raise BmdsimError(f"mask has shape {m.shape}; expected (len(lat), len(lon)) = {(lat.size, lon.size)}")
    m = m.astype(bool)
    if lat_flip:
        m = m[::-1, :]
    if lon_flip:
        m = m[:, ::-1]
    if not m.any():
        return []

    # padded lattice: cell (x, y) = column x, row y spans vertices x..x+1, y..y+1; P[y + 1, x + 1]
    ny, nx = m.shape
    P = np.zeros((ny + 2, nx + 2), dtype=bool)
    P[1:-1, 1:-1] = m
    c = P[1:-1, 1:-1]
    # directed boundary edges, True cell on the left: (start x, start y, direction)
    starts: list[np.ndarray] = []
    for d, nb, (ox, oy) in (
        (0, P[:-2, 1:-1], (0, 0)),  # bottom edge: (x, y) -> (x+1, y)
        (1, P[1:-1, 2:], (1, 0)),  # right edge: (x+1, y) -> (x+1, y+1)
        (2, P[2:, 1:-1], (1, 1)),  # top edge: (x+1, y+1) -> (x, y+1)
        (3, P[1:-1, :-2], (0, 1)),  # left edge: (x, y+1) -> (x, y)
    ):
        yy, xx = np.nonzero(c & ~nb)
        starts.append(np.column_stack([xx + ox, yy + oy, np.full(xx.size, d)]))
    edges = np.concatenate(starts)
    order = np.lexsort((edges[:, 2], edges[:, 0], edges[:, 1]))  # by y, then x, then direction
    edges = edges[order]

    from scipy import ndimage

    labels, _ = ndimage.label(P)  # 4-connected components of True cells (padded indexing)
    ex, ey, ed = edges[:, 0], edges[:, 1], edges[:, 2]
    w = nx + 1
    vid = ey * w + ex  # start vertex id; edges from one vertex are consecutive (sorted)
    uniq, first, count = np.unique(vid, return_index=True, return_counts=True)
    end = (ey + _DYA[ed]) * w + (ex + _DXA[ed])
    pos = np.searchsorted(uniq, end)
    succ = first[pos].copy()
    pinch = count[pos] == 2
    if pinch.any():
        # at a vertex where two True cells touch only at a corner: if they belong to one component the
        # two empty cells are different faces (outside / hole), so turn right to keep outer ring and hole
        # apart; otherwise turn left to keep the two components' rings apart
        k = np.flatnonzero(pinch)
        vx, vy = end[k] % w, end[k] // w
        ll = P[vy, vx]
        lab_a = np.where(ll, labels[vy, vx], labels[vy, vx + 1])  # LL or LR cell
        lab_b = np.where(ll, labels[vy + 1, vx + 1], labels[vy + 1, vx])  # UR or UL cell
        want = np.where(lab_a == lab_b, (ed[k] + 3) % 4, (ed[k] + 1) % 4)
        f = first[pos[k]]
        succ[k] = np.where(ed[f] == want, f, f + 1)
        if not np.all(ed[succ[k]] == want):  # pragma: no cover - impossible for a union of squares
            raise RuntimeError("broken boundary at a pinch vertex")
    pred = np.empty_like(succ)
    pred[succ] = np.arange(succ.size)
    corner = ed != ed[pred]  # an edge whose start vertex is a real corner

    succ_l = succ.tolist()
    corner_l = corner.tolist()
    seen = bytearray(succ.size)
    rings: list[list[int]] = []  # edge indices of corner vertices, in ring order
    first_edges: list[int] = []
    for e0 in range(succ.size):
        if seen[e0]:
            continue
        ring: list[int] = []
        e = e0
        while not seen[e]:
            seen[e] = 1
            if corner_l[e]:
                ring.append(e)
            e = succ_l[e]
        rings.append(ring)
        first_edges.append(e0)

    def lattice(ring: list[int]) -> np.ndarray:
        return np.column_stack([ex[ring], ey[ring]])

    # group rings by the component of the True cell on the left of their first edge; each component
    # has exactly one counter-clockwise (outer) ring, the rest of its rings are its holes
    left_dx = np.array([0, -1, -1, 0])
    left_dy = np.array([0, 0, -1, -1])
    fe = np.asarray(first_edges)
    comp = labels[ey[fe] + left_dy[ed[fe]] + 1, ex[fe] + left_dx[ed[fe]] + 1]
    outer_of: dict[int, int] = {}
    holes_of: dict[int, list[int]] = {}
    for k, ring in enumerate(rings):
        lab = int(comp[k])
        if _signed_area(lattice(ring)) > 0:
            if lab in outer_of:  # pragma: no cover - see the proof sketch in the module docstring
                raise RuntimeError("two outer rings for one component")
            outer_of[lab] = k
        else:
            holes_of.setdefault(lab, []).append(k)
    if set(holes_of) - set(outer_of):  # pragma: no cover
        raise RuntimeError("hole without an outer ring")

    lon0 = float(lon[0]) - 0.5 * cell
    lat0 = float(lat[0]) - 0.5 * cell

    def coords(ring: list[int]) -> Ring:
        xy = lattice(ring)
        pts = list(zip(np.round(lon0 + xy[:, 0] * cell, 9).tolist(), np.round(lat0 + xy[:, 1] * cell, 9).tolist(),
                       strict=True))
        return pts + [pts[0]]

    # rings were found in edge order (lowest, then leftmost start first), so sorting by ring index is stable
    return [[coords(rings[k])] + [coords(rings[h]) for h in holes_of.get(lab, [])]
            for lab, k in sorted(outer_of.items(), key=lambda t: t[1])]


# ------------------------------------------------------------------------------------------------ GeoJSON
def _json_default(o):
    if isinstance(o, np.ndarray):
        return _clean(o.tolist())
    if isinstance(o, np.generic):
        return _clean(o.item())
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def _clean(v):
    """Properties as strict JSON: NaN / infinity become null (numpy values are converted on output)."""
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, Mapping):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


def _oriented(ring: Sequence[Sequence[float]], ccw: bool) -> list[list[float]]:
    pts = [[round(float(p[0]), 6), round(float(p[1]), 6)] for p in ring]
    if len(pts) < 3:
        raise BmdsimError("a polygon ring needs at least 3 points")
    if pts[0] != pts[-1]:
        pts.append(list(pts[0]))
    if (_signed_area(pts) > 0) != ccw:
        pts.reverse()
    return pts


def to_geojson(polygons: Iterable[Polygon], properties: Mapping | None = None) -> str:
    """A FeatureCollection with one MultiPolygon feature holding ``polygons``; rings closed and oriented
    per RFC 7946 (outer counter-clockwise, holes clockwise); coordinates rounded to 1e-6 degree.
    ``properties`` go on the feature (numpy values converted; NaN / infinity written as null)."""
    coords = [
        [_oriented(poly[0], True)] + [_oriented(h, False) for h in poly[1:]] for poly in polygons if poly
    ]
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": _clean(dict(properties or {})),
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        ],
    }
    return json.dumps(fc, default=_json_default, allow_nan=False) + "\n"


def points_to_geojson(points: Iterable[Sequence], properties: Mapping | None = None) -> str:
    """A FeatureCollection of Point features. Each point is ``(lat, lon)``, ``(lat, lon, name)`` or
    ``(lat, lon, name, props)`` (bmdsim's lat-first order; GeoJSON gets ``[lon, lat]``). ``properties``
    are added to every feature (a point's own ``props`` win)."""
    feats = []
    for pt in points:
        if len(pt) < 2:
            raise BmdsimError("a point needs (lat, lon)")
        lat, lon = float(pt[0]), float(pt[1])
        if not (-90.0 <= lat <= 90.0 and math.isfinite(lon)):
            raise BmdsimError(f"bad point coordinates lat={lat}, lon={lon}")
        props = dict(properties or {})
        if len(pt) > 2 and pt[2] is not None:
            props["name"] = str(pt[2])
        if len(pt) > 3 and pt[3]:
            props.update(dict(pt[3]))
        feats.append(
            {
                "type": "Feature",
                "properties": _clean(props),
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": feats}, default=_json_default, allow_nan=False) + "\n"


# ------------------------------------------------------------------------------------------------ KML
@kml_ids_in_order
def to_kml(polygons: Iterable[Polygon], name: str, color_abgr: str = "7f00ff00") -> str:
    """KML document with one Placemark (Polygon with outer and inner boundaries) per polygon.
    ``color_abgr`` is KML's aabbggrr fill colour (default half-transparent green); outlines use the
    same colour, opaque."""
    import simplekml

    if not re.fullmatch(r"[0-9a-fA-F]{8}", color_abgr or ""):
        raise BmdsimError(f"color_abgr must be 8 hex digits (aabbggrr), got {color_abgr!r}")
    kml = simplekml.Kml(name=name)
    style = simplekml.Style()
    style.polystyle.color = color_abgr.lower()
    style.polystyle.outline = 1
    style.linestyle.color = "ff" + color_abgr[2:].lower()
    style.linestyle.width = 1
    for i, poly in enumerate(p for p in polygons if p):
        outer = [(round(float(x), 6), round(float(y), 6)) for x, y in _oriented(poly[0], True)]
        inner = [[(round(float(x), 6), round(float(y), 6)) for x, y in _oriented(h, False)] for h in poly[1:]]
        pol = kml.newpolygon(name=f"{name} {i + 1}", outerboundaryis=outer, innerboundaryis=inner)
        pol.style = style
    return kml.kml()


# ------------------------------------------------------------------------------- map layers (several kinds)
@dataclass(frozen=True)
class Area:
    """Polygons of one class (e.g. defended), one colour (#RRGGBB) and fill opacity."""

    name: str
    polygons: list
    color: str
    alpha: float = 0.5
    properties: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pin:
    """A labelled point; ``kind`` is site, sensor, launch, aim, place, ... (colour from the palette)."""

    name: str
    lat_deg: float
    lon_deg: float
    kind: str
    properties: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """A polyline (e.g. a sensor's field-of-regard outline, a range ring), lat/lon arrays in degrees."""

    name: str
    lat_deg: Sequence[float]
    lon_deg: Sequence[float]
    color: str
    properties: dict = field(default_factory=dict)


def split_polygon_antimeridian(poly: Polygon) -> list[Polygon]:
    """A polygon ``[outer, hole, ...]`` whose longitudes leave [-180, 180] cut at the date line into parts
    inside it (RFC 7946 section 3.1.9), outer rings counter-clockwise; others are returned as they are."""
    lons = [x for ring in poly for x, _ in ring]
    if min(lons) >= -180.0 and max(lons) <= 180.0:
        return [poly]
    from shapely.geometry import Polygon as SPolygon
    from shapely.geometry import box
    from shapely.geometry.polygon import orient

    shp = SPolygon(poly[0], poly[1:])
    out = []
    for shift in (-360.0, 0.0, 360.0):
        part = shp.intersection(box(-180.0 - shift, -90.0, 180.0 - shift, 90.0))
        geoms = getattr(part, "geoms", [part])
        for g in geoms:
            if g.is_empty or g.geom_type != "Polygon" or g.area == 0:
                continue
            g = orient(g, 1.0)
            rings = [list(g.exterior.coords)] + [list(r.coords) for r in g.interiors]
            out.append([[(x + shift, y) for x, y in r] for r in rings])
    return out


def layers_to_geojson(areas: Sequence[Area] = (), pins: Sequence[Pin] = (), lines: Sequence[Line] = (),
                      properties: Mapping | None = None) -> str:
    """One FeatureCollection: a MultiPolygon feature per area (rings split at +-180 and oriented per RFC
    7946: outer counter-clockwise), a Point per pin, a (Multi)LineString per line (split at +-180), each
    with simplestyle-spec colours (``fill``/``fill-opacity``/``stroke``, ``marker-color``) from the palette.
    ``properties`` go on the FeatureCollection's ``properties`` member (a foreign member, RFC 7946 6.1)."""
    from bmdsim.io import palette
    from bmdsim.io.trajectory_formats import split_antimeridian

    feats = []
    for a in areas:
        polys = [q for p in a.polygons if p for q in split_polygon_antimeridian(p)]
        coords = [[_oriented(poly[0], True)] + [_oriented(h, False) for h in poly[1:]] for poly in polys]
        feats.append({"type": "Feature", "properties": _clean({"name": a.name, **a.properties, "fill": a.color,
                                                                "fill-opacity": a.alpha, "stroke": a.color,
                                                                "stroke-width": 1}),
                      "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    for p in pins:
        lon = ((float(p.lon_deg) + 180.0) % 360.0) - 180.0
        feats.append({"type": "Feature", "properties": _clean({
            "name": p.name, "kind": p.kind, **p.properties,
            "marker-color": palette.LAYER_COLORS.get(p.kind, palette.LAYER_COLORS["place"])}),
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(float(p.lat_deg), 6)]}})
    for ln in lines:
        parts = split_antimeridian(ln.lat_deg, ln.lon_deg)
        geom = ({"type": "LineString", "coordinates": parts[0]} if len(parts) == 1 else
                {"type": "MultiLineString", "coordinates": parts})
        feats.append({"type": "Feature", "properties": _clean({"name": ln.name, **ln.properties, "stroke": ln.color,
                                                                "stroke-width": 1.5}), "geometry": geom})
    fc = {"type": "FeatureCollection", "properties": _clean(dict(properties or {})), "features": feats}
    return json.dumps(fc, default=_json_default, allow_nan=False) + "\n"


@kml_ids_in_order
def layers_to_kml(name: str, areas: Sequence[Area] = (), pins: Sequence[Pin] = (), lines: Sequence[Line] = (),
                  description: str = "") -> str:
    """A KML document with one folder per area (polygons), one for pins (labelled points, grouped by
    kind) and one for lines; colours are the figures' palette converted once by
    :func:`bmdsim.io.palette.kml_color` (aabbggrr)."""
    import simplekml

    from bmdsim.io import palette

    kml = simplekml.Kml(name=name)
    if description:
        kml.document.description = description
    for a in areas:
        fol = kml.newfolder(name=a.name)
        style = simplekml.Style()
        style.polystyle.color = palette.kml_color(a.color, a.alpha)
        style.polystyle.outline = 1
        style.linestyle.color = palette.kml_color(a.color, 1.0)
        style.linestyle.width = 1
        for i, poly in enumerate(q for p in a.polygons if p for q in split_polygon_antimeridian(p)):
            outer = [(round(float(x), 6), round(float(y), 6)) for x, y in _oriented(poly[0], True)]
            inner = [[(round(float(x), 6), round(float(y), 6)) for x, y in _oriented(h, False)] for h in poly[1:]]
            pol = fol.newpolygon(name=f"{a.name} {i + 1}", outerboundaryis=outer, innerboundaryis=inner)
            pol.style = style
    if pins:
        fol = kml.newfolder(name="points")
        for p in pins:
            pt = fol.newpoint(name=p.name, coords=[(round(float(p.lon_deg), 6), round(float(p.lat_deg), 6))])
            col = palette.LAYER_COLORS.get(p.kind, palette.LAYER_COLORS["place"])
            pt.style.iconstyle.color = palette.kml_color(col)
            pt.style.labelstyle.scale = 0.8
            desc = "; ".join(f"{k}: {v}" for k, v in {"kind": p.kind, **p.properties}.items())
            pt.description = desc
    if lines:
        fol = kml.newfolder(name="lines")
        for ln in lines:
            ls = fol.newlinestring(name=ln.name, coords=[(round(float(x), 6), round(float(y), 6))
                                                         for x, y in zip(ln.lon_deg, ln.lat_deg, strict=True)])
            ls.style.linestyle.color = palette.kml_color(ln.color)
            ls.style.linestyle.width = 2
            ls.tessellate = 1
    return kml.kml()
