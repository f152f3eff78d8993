"""Publishable outputs: figures (legends inside the canvas, deterministic bytes in PNG/SVG/PDF), trajectory
exports checked as formats (CZML, KML gx:Track, STK .e, CSV, GeoJSON) and against independent geometry
(pyproj's WGS84 transform, finite differences), CF NetCDF read by GDAL, provenance and determinism of a
whole output folder."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from bmdsim.errors import BmdsimError
from bmdsim.io import figures, palette
from bmdsim.io import trajectory_formats as tf
from bmdsim.io.geo_formats import layers_to_geojson, split_polygon_antimeridian
from bmdsim.io.timefmt import parse_epoch
from bmdsim.model.catalogs import Catalog
from bmdsim.model.trajectories import solve_one

OMEGA = 7.292115e-5  # rad/s, WGS84
EPOCH = parse_epoch("2012-05-20T12:00:00Z")


@pytest.fixture(scope="module")
def ss27():
    a, b = Catalog.builtin().place("teykovo"), Catalog.builtin().place("washington")
    return solve_one("SS-27", (a.lat_deg, a.lon_deg), (b.lat_deg, b.lon_deg), step_s=2.0)


@pytest.fixture(scope="module")
def eng():
    """An engagement with intercepts (Phase III against an IRBM from Tabriz to Berlin) and its re-flown paths."""
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.analysis.flyouts import engagement_flyouts
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import load_scenario

    a, b = Catalog.builtin().place("tabriz"), Catalog.builtin().place("berlin")
    ts = solve_one("Iran-IRBM", (a.lat_deg, a.lon_deg), (b.lat_deg, b.lon_deg), step_s=5.0)
    table = run_engagements(resolve(load_scenario("epaa-phase-3").architecture), ts)
    paths = engagement_flyouts(table)
    assert paths
    return table, paths


def _inside(box, w, h, tol=1.0):
    left, top, right, bottom = box
    return left >= -tol and top >= -tol and right <= w + tol and bottom <= h + tol


def _all_kinds(tmp_path, ss27, fmt="png", view=None, eng=None):
    lat = np.arange(34.5, 72.0, 1.0)
    lon = np.arange(-11.5, 45.0, 1.0)
    cls = np.where(lon[None, :] < 10, 2.0, 1.0) * np.ones((lat.size, 1))
    cls[:5] = 0.0
    C, L = palette.CLASS_COLORS, palette.CLASS_LABELS
    grid = figures.ClassGrid(lat, lon, cls, {2.0: (L["defended"], C["defended"]),
                                             1.0: (L["threatened_not_defended"], C["threatened_not_defended"]),
                                             0.0: (L["out_of_range"], C["out_of_range"])})
    layers = dict(markers=[figures.Marker(38.08, 46.29, "tabriz", "launch"), figures.Marker(44.08, 24.4, "deveselu",
                                                                                            "site"),
                           figures.Marker(38.35, 37.79, "TPY-2", "sensor"), figures.Marker(52.52, 13.4, "Berlin")],
                  fans=[figures.Fan(38.35, 37.79, 270.0, 60.0, 1000.0, "TPY-2")],
                  rings=[figures.Ring(38.08, 46.29, 2000.0, "Sejjil-2 2,000 km")])
    out = {
        "class map": figures.plot_map(tmp_path / f"a.{fmt}", grid=grid, view=view, title="classes", **layers),
        "field map": figures.plot_map(tmp_path / f"b.{fmt}", grid=figures.FieldGrid(
            lat, lon, np.where(cls > 0, lat[:, None] / 10 + 0 * lon, np.nan), "km/s", nan_label="engages"),
            view=view, title="field", **layers),
        "heat map": figures.plot_heatmap(["a", "bb", "ccc"], ["x", "y"], np.array([[1, 2], [3, np.nan], [5, 6.0]]),
                                         tmp_path / f"c.{fmt}", title="matrix", cbar_label="%"),
        "trajectory": tf.plot(ss27, tmp_path / f"d.{fmt}", launch_label="teykovo", aim_label="washington"),
    }
    if eng is not None:
        from bmdsim.io import engagement_formats as ef

        out["engagement"] = ef.plot(eng[0], eng[1], tmp_path / f"e.{fmt}", launch_label="tabriz", aim_label="berlin")
    return out


def test_every_figure_kind_has_its_legend_inside_the_canvas(tmp_path, ss27, eng):
    for view in (None, (-40.0, 60.0, 25.0, 75.0), (20.0, 30.0, 40.0, 50.0)):  # default, wide, tight boxes
        kinds = _all_kinds(tmp_path, ss27, view=view, eng=eng if view is None else None)
        assert view is not None or "engagement" in kinds
        for kind, info in kinds.items():
            assert info.legends_px, kind
            for box in info.legends_px:
                assert _inside(box, info.width_px, info.height_px), (kind, view, box, info.width_px)
            assert _inside(info.axes_px, info.width_px, info.height_px), kind
            # the PNG on disk has the size the geometry refers to
            from matplotlib.image import imread

            assert imread(str(info.path)).shape[:2] == (info.height_px, info.width_px)


def test_projection_follows_the_area():
    assert figures.choose_projection(-12, 45, 34, 72)[0] == "lambert"  # Europe
    assert figures.choose_projection(-80, 45, 35, 75)[0] == "polar"  # Russia -> US
    assert figures.choose_projection(0, 360, -90, 90)[0] == "platecarree"  # the world
    assert figures.choose_projection(20, 60, -10, 20)[0] == "azimuthal"  # across the equator
    assert figures.choose_projection(-12, 45, 34, 72, "polar")[0] == "polar"
    with pytest.raises(BmdsimError):
        figures.choose_projection(0, 1, 0, 1, "mercator")


@pytest.mark.parametrize("fmt, volatile", [("png", b"Software"),  # svg and pdf: the same code path, `make slow`
                                           pytest.param("svg", b"<dc:date>", marks=pytest.mark.slow),
                                           pytest.param("pdf", b"CreationDate", marks=pytest.mark.slow)])
def test_figures_are_byte_identical_and_carry_no_date(tmp_path, ss27, eng, fmt, volatile):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _all_kinds(tmp_path / "a", ss27, fmt, eng=eng)
    b = _all_kinds(tmp_path / "b", ss27, fmt, eng=eng)
    for kind in a:
        da, db = a[kind].path.read_bytes(), b[kind].path.read_bytes()
        assert da == db, kind
        assert volatile not in da, kind
    assert a["class map"].path.read_bytes()[:4] in (b"\x89PNG", b"<?xm", b"%PDF")


def test_dpi_and_format_checks(tmp_path, ss27):
    i100 = tf.plot(ss27, tmp_path / "t100.png", dpi=100)
    i200 = tf.plot(ss27, tmp_path / "t200.png", dpi=200)
    assert i200.width_px == 2 * i100.width_px
    with pytest.raises(BmdsimError, match="format"):
        tf.plot(ss27, tmp_path / "t.gif")
    with pytest.raises(BmdsimError, match="dpi"):
        tf.plot(ss27, tmp_path / "t.png", dpi=5)


# ------------------------------------------------------------------------------------- trajectory exports
def test_czml_is_a_list_with_the_document_packet_first(ss27):
    doc = json.loads(tf.to_czml(ss27, EPOCH))
    assert isinstance(doc, list) and doc[0]["id"] == "document" and doc[0]["version"] == "1.0"
    trk = next(p for p in doc if p["id"] == "trajectory-0")
    pos = trk["position"]
    assert "referenceFrame" not in pos or pos["referenceFrame"] == "FIXED"  # never INERTIAL
    c = np.array(pos["cartographicDegrees"]).reshape(-1, 4)
    t, lat, lon, alt, _, _ = ss27.samples_geodetic(0)
    np.testing.assert_allclose(c[:, 0], t, atol=1e-6)
    np.testing.assert_allclose(c[:, 1], lon, atol=1e-6)
    np.testing.assert_allclose(c[:, 3], alt, atol=1e-3)
    assert pos["epoch"].startswith("2012-05-20T12:00:00")


def test_kml_gx_track_pairs_when_and_coord(ss27):
    root = ET.fromstring(tf.to_kml(ss27, epoch=EPOCH).encode())
    ns = {"k": "http://www.opengis.net/kml/2.2", "gx": "http://www.google.com/kml/ext/2.2"}
    tracks = root.findall(".//gx:Track", ns)
    assert len(tracks) == 1
    whens = tracks[0].findall("k:when", ns)
    coords = tracks[0].findall("gx:coord", ns)
    assert len(whens) == len(coords) > 100
    assert tracks[0].find("k:altitudeMode", ns).text == "absolute"
    alt = np.array([float(c.text.split()[2]) for c in coords])
    assert alt.max() > 1.3e6  # metres (SS-27 apogee ~1,360 km)
    assert whens[0].text == "2012-05-20T12:00:00.000Z"
    stamps = root.findall(".//k:Placemark/k:TimeStamp/k:when", ns)
    assert len(stamps) == 2  # launch and impact pins are time-stamped


def _parse_e(text):
    lines = text.splitlines()
    assert lines[0].startswith("stk.v.")
    kv = {}
    rows, bounds, mode = [], [], None
    for ln in lines[1:]:
        s = ln.strip()
        if not s or s.startswith("#"):
            continue
        if s == "BEGIN SegmentBoundaryTimes":
            mode = "b"
        elif s == "END SegmentBoundaryTimes":
            mode = None
        elif s == "EphemerisTimePosVel":
            mode = "d"
        elif s == "END Ephemeris":
            mode = None
        elif mode == "b":
            bounds.append(float(s))
        elif mode == "d":
            rows.append([float(x) for x in s.split()])
        else:
            k, _, v = s.partition(" ")
            kv[k] = v.strip()
    return kv, np.array(rows), bounds


def test_stk_ephemeris_parses_and_its_velocities_are_earth_fixed(ss27):
    kv, rows, bounds = _parse_e(tf.to_stk_e(ss27, EPOCH))
    assert kv["CoordinateSystem"] == "Fixed" and kv["CentralBody"] == "Earth" and kv["DistanceUnit"] == "Meters"
    assert kv["ScenarioEpoch"] == "20 May 2012 12:00:00.000000000"
    assert int(kv["NumberOfEphemerisPoints"]) == rows.shape[0] and rows.shape[1] == 7
    t = rows[:, 0]
    assert np.all(np.diff(t) >= 0)
    dup = np.flatnonzero(np.diff(t) == 0)
    np.testing.assert_allclose(t[dup], bounds)  # only the segment boundaries repeat
    assert len(bounds) >= 1 and abs(bounds[-1] - ss27.events_t_s[0, 0]) < 1e-6  # last boundary: burnout
    # finite differences of the Earth-fixed positions, in free flight (burnout + 10 s .. re-entry - 10 s)
    keep = np.concatenate([[True], np.diff(t) > 0])
    t, r, v = t[keep], rows[keep, 1:4], rows[keep, 4:7]
    k = np.flatnonzero((t > ss27.events_t_s[0, 0] + 10) & (t < ss27.events_t_s[0, 2] - 10))
    k = k[(k > 0) & (k < t.size - 1)]
    fd = (r[k + 1] - r[k - 1]) / (t[k + 1] - t[k - 1])[:, None]
    err = np.linalg.norm(fd - v[k], axis=1)
    assert err.max() < 0.5  # m/s: central difference over 2 s steps in free fall (jerk ~0.01 m/s^3)
    # ... and they are not the inertial velocities: those differ by |omega x r| ~ 250-300 m/s here
    wxr = np.linalg.norm(np.cross([0, 0, OMEGA], r[k]), axis=1)
    assert wxr.min() > 100.0 and err.max() < 0.01 * wxr.min()


def test_csv_positions_are_wgs84_ecef(ss27):
    from pyproj import Transformer

    text = tf.to_csv(ss27, EPOCH)
    head, *body = text.strip().splitlines()
    cols = head.split(",")
    assert cols[:4] == ["trajectory", "missile", "t_s", "time_utc"] and "x_ecef_m" in cols and "vz_ecef_mps" in cols
    rows = [r.split(",") for r in body]
    ix = cols.index
    lat = np.array([float(r[ix("lat_deg")]) for r in rows])
    lon = np.array([float(r[ix("lon_deg")]) for r in rows])
    alt = np.array([float(r[ix("alt_m")]) for r in rows])
    xyz = np.array([[float(r[ix(c)]) for c in ("x_ecef_m", "y_ecef_m", "z_ecef_m")] for r in rows])
    # independent: PROJ's geodetic (EPSG:4979) -> geocentric (EPSG:4978) on WGS84
    x, y, z = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True).transform(lon, lat, alt)
    assert np.max(np.abs(np.column_stack([x, y, z]) - xyz)) < 1.0  # m (rounding of lat/lon to 1e-6 deg)
    assert rows[0][ix("time_utc")] == "2012-05-20T12:00:00.000Z"


def test_geojson_track_split_at_the_antimeridian():
    # a track from Kamchatka eastward to Alaska crosses +180 between lon 179.5 and -179.0
    lat = np.array([55.0, 57.0, 59.0, 61.0])
    lon = np.array([178.0, 179.5, -179.0, -177.0])
    parts = tf.split_antimeridian(lat, lon)
    assert len(parts) == 2
    a, b = np.array(parts[0]), np.array(parts[1])
    assert a[-1, 0] == 180.0 and b[0, 0] == -180.0 and a[-1, 1] == b[0, 1]
    # the crossing latitude lies on the straight lon/lat segment: 1/3 of the way from lon 179.5 to 181
    assert a[-1, 1] == pytest.approx(57.0 + (0.5 / 1.5) * 2.0, abs=1e-6)
    for p in parts:
        q = np.array(p)
        assert np.all(np.abs(q[:, 0]) <= 180.0) and np.all(np.abs(np.diff(q[:, 0])) < 180.0)
    # westward across -180 too
    parts = tf.split_antimeridian([10.0, 12.0], [-179.0, 179.0])
    assert [p[-1][0] for p in parts][:1] == [-180.0] and parts[1][0][0] == 180.0
    # polygons: a box across the date line becomes two, counter-clockwise, same total area
    poly = [[(178.0, 10.0), (182.0, 10.0), (182.0, 12.0), (178.0, 12.0), (178.0, 10.0)]]
    pieces = split_polygon_antimeridian(poly)
    assert len(pieces) == 2
    from bmdsim.io.geo_formats import _signed_area

    assert sum(_signed_area(p[0]) for p in pieces) == pytest.approx(8.0)
    assert all(_signed_area(p[0]) > 0 for p in pieces)
    assert all(-180.0 <= x <= 180.0 for p in pieces for x, _ in p[0])
    from bmdsim.io.geo_formats import Area

    doc = json.loads(layers_to_geojson([Area("a", [poly], "#0072B2", 0.5)]))
    f = doc["features"][0]
    assert f["properties"]["fill"] == "#0072B2" and f["properties"]["fill-opacity"] == 0.5
    assert len(f["geometry"]["coordinates"]) == 2


def test_trajectory_geojson_has_simplestyle(ss27):
    doc = json.loads(tf.to_geojson(ss27))
    track = doc["features"][0]
    assert track["properties"]["stroke"] == palette.LAYER_COLORS["track"]
    assert track["geometry"]["type"] in ("LineString", "MultiLineString")
    assert {f["properties"].get("marker-color") for f in doc["features"][1:]} == {
        palette.LAYER_COLORS["launch"], palette.LAYER_COLORS["aim"]}


# ------------------------------------------------------------------------------------------- NetCDF, KML
def _synthetic_footprint():
    from bmdsim.analysis.footprint import Footprint

    lat = 40.25 + 0.5 * np.arange(8)
    lon = 20.25 + 0.5 * np.arange(10)
    d = np.full((8, 10), np.nan)
    d[2:6, 2:5] = 1.0
    d[2:6, 5:8] = 0.0
    shots = np.where(np.isfinite(d), d, np.nan)[None]
    return Footprint(lat, lon, d, shots[0], np.isfinite(d).astype(int), ["Sejjil-2"], shots, (38.08, 46.29, "tabriz"),
                     1, 0.5, "test-arch")


def test_netcdf_is_cf_and_gdal_reads_the_grid(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    import xarray as xr

    fp = _synthetic_footprint()
    path = tmp_path / "fp.nc"
    fp.to_netcdf(path)
    ds = xr.open_dataset(path, engine="scipy", decode_cf=False)
    assert ds.attrs["Conventions"].startswith("CF-")
    assert ds["lat"].attrs["units"] == "degrees_north" and ds["lon"].attrs["units"] == "degrees_east"
    assert ds["lat"].attrs["standard_name"] == "latitude" and ds["lat"].attrs["axis"] == "Y"
    assert ds["crs"].attrs["grid_mapping_name"] == "latitude_longitude"
    assert ds["area_class"].dtype == np.int8 and list(ds["area_class"].attrs["flag_values"]) == [0, 1, 2]
    assert ds["area_class"].attrs["flag_meanings"] == "out_of_range threatened_not_defended defended"
    np.testing.assert_allclose(ds["lat_bnds"].values[0], [40.0, 40.5])
    with rasterio.open(f"NETCDF:{path}:defended") as r:
        assert r.crs.to_epsg() == 4326
        t = r.transform
        assert (t.a, t.b, t.c, t.d, t.e, t.f) == pytest.approx((0.5, 0.0, 20.0, 0.0, -0.5, 44.0))
        assert (r.width, r.height) == (10, 8)
        band = r.read(1)
        np.testing.assert_array_equal(np.nan_to_num(band[::-1], nan=-1), np.nan_to_num(fp.defended, nan=-1))


def test_footprint_kml_colours_are_the_figure_colours():
    fp = _synthetic_footprint()
    kml = fp.to_kml()
    for cls in (palette.DEFENDED, palette.THREATENED):
        assert f"<color>{palette.kml_color(palette.CLASS_COLORS[cls], 0.55)}</color>" in kml
    doc = json.loads(fp.to_geojson())
    fills = {f["properties"].get("class"): f["properties"].get("fill") for f in doc["features"]}
    assert fills[palette.DEFENDED] == palette.CLASS_COLORS[palette.DEFENDED]
    kinds = {f["properties"].get("kind") for f in doc["features"]}
    assert {"launch", "place"} <= kinds


# ------------------------------------------------------------------------------------------------- CLI
def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "bmdsim.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def test_version_places_and_help_flags():
    from bmdsim.io.provenance import version

    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"bmdsim {version()}"
    r = run("places", "--category", "iran_launch_area")
    assert r.returncode == 0 and "tabriz" in r.stdout
    r = run("places", "--category", "nowhere")
    assert r.returncode == 2 and "iran_launch_area" in r.stderr
    r = subprocess.run([sys.executable, "-m", "bmdsim.cli", "footprint", "--help"], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "150"})
    assert "--exact" in r.stdout and "<bool>" not in r.stdout  # flags shown as flags


def _folder_bytes(d):
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def test_same_command_twice_gives_identical_folders(tmp_path):
    args = ["footprint", "epaa-phase-1", "--launch-area", "tabriz", "--grid", "2.0", "--lat=36:56", "--lon=10:40",
            "--quiet"]
    a, b = tmp_path / "a", tmp_path / "b"
    ra = run(*args, "--out", str(a), env={"SOURCE_DATE_EPOCH": "1336000000"})
    rb = run(*args, "--out", str(b))
    assert ra.returncode == 0 and rb.returncode == 0, ra.stderr + rb.stderr
    fa, fb = _folder_bytes(a), _folder_bytes(b)
    assert set(fa) == set(fb) and {"scenario.yaml", "provenance.json", "footprint.png", "footprint.nc"} <= set(fa)
    for name in fa:
        if name != "provenance.json":
            assert fa[name] == fb[name], name
    prov = json.loads(fa["provenance.json"])
    assert prov["date_utc"] == "2012-05-02T23:06:40Z"  # SOURCE_DATE_EPOCH honoured
    assert "footprint" in prov["command_line"] and {f["file"] for f in prov["files"]} >= {"summary.json"}
    # the Reproduce line points at a file in the folder, and summary.json lists the architecture
    md = fa["report.md"].decode()
    m = re.search(r"Reproduce: `bmdsim footprint (\S+)", md)
    assert m and (a / m.group(1)).is_file()
    summ = json.loads(fa["summary.json"])
    pv = summ["provenance"]
    assert pv["bmdsim_version"] and pv["architecture"]["sites"] and pv["catalogs"]
    assert any(p["parameter"].endswith(".vbo_kms") for p in pv["parameters"])
    assert all(p["notional"] or p["source"] for p in pv["parameters"])
    # the copied scenario reproduces the run (from inside the folder, as the report says)
    rc = subprocess.run([sys.executable, "-m", "bmdsim.cli", "footprint", "scenario.yaml", *args[2:], "--out",
                         str(tmp_path / "c")], capture_output=True, text=True, cwd=a)
    assert rc.returncode == 0, rc.stderr
    assert _folder_bytes(tmp_path / "c")["footprint.nc"] == fa["footprint.nc"]


def test_trajectory_exports_twice_identical(tmp_path):
    for fmt in ("csv", "kml", "czml", "e", "geojson"):
        outs = []
        for k in range(2):
            p = tmp_path / f"{k}.{fmt}"
            r = run("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "kurecik", "--format", fmt,
                    "--epoch", "2012-05-20T12:00:00Z", "--out", str(p))
            assert r.returncode == 0, r.stderr
            outs.append(p.read_bytes())
        assert outs[0] == outs[1], fmt
    p = tmp_path / "t.svg"
    r = run("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "kurecik", "--figure", str(p),
            "--dpi", "200", "--out", str(tmp_path / "t.json"))
    assert r.returncode == 0 and p.read_bytes().lstrip().startswith(b"<?xml")
    r = run("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "kurecik", "--epoch", "soon")
    assert r.returncode == 2 and "ISO-8601" in r.stderr and len(r.stderr.strip().splitlines()) == 1
