"""Zones on the sphere (bmdsim.analysis.zones): each kind against a brute-force membership test written here.

Brute force, independent of the code under test:
* box: rotate the point about the polar axis so that the box's western meridian becomes 0 deg (3-D rotation
  matrix) and read its longitude with atan2: inside iff 0 <= lon' <= the box's eastward width;
* cap: the meridian arc from the point to the pole (geographiclib) against the arc from the parallel;
* circle: geodesic distance by geographiclib (the code uses pyproj);
* polygon: for a convex ring walked counter-clockwise a point is inside iff it lies on the left of every
  edge's great circle, (v_i x v_i+1) . p >= 0 (vectors on the unit sphere); non-convex rings are unions of
  convex pieces; a ring walked the other way round is the complement.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from pydantic import ValidationError

from bmdsim.analysis.criteria import Criteria, check_limits
from bmdsim.analysis.zones import Zone

RNG = np.random.default_rng(20120)
MARGIN_RAD = 1e-6  # ~6 m: points closer than this to an edge are left out of the comparisons


def unit(lat_deg, lon_deg):
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def uniform_sphere(n):
    """n points uniform on the sphere: (lat_deg, lon_deg)."""
    z = RNG.uniform(-1, 1, n)
    lon = RNG.uniform(-180, 180, n)
    return np.degrees(np.arcsin(z)), lon


def near(lat0, lat1, lon0, width, n):
    """n points in a lat band and an eastward lon window starting at lon0 (wrapped to -180..180)."""
    lat = RNG.uniform(lat0, lat1, n)
    lon = (lon0 + RNG.uniform(0, width, n) + 180.0) % 360.0 - 180.0
    return lat, lon


def convex_left(corners, lat, lon, margin=MARGIN_RAD):
    """(inside, clear): inside the convex ring walked counter-clockwise; clear = not within margin of an edge."""
    v = unit(np.array([c[0] for c in corners]), np.array([c[1] for c in corners]))
    p = unit(lat, lon)
    s = np.stack([p @ np.cross(v[i], v[(i + 1) % len(v)]) / np.linalg.norm(np.cross(v[i], v[(i + 1) % len(v)]))
                  for i in range(len(v))], axis=-1)
    inside = np.all(s >= 0, axis=-1)
    clear = np.all(np.abs(s) > margin, axis=-1) | ~np.all(s >= -margin, axis=-1)
    return inside, clear


# ----------------------------------------------------------------------------- box
def box_brute(s, n, w, e, lat, lon):
    width = (e - w) % 360.0 or 360.0  # -180 .. 180: the whole band
    ang = -math.radians(w)
    rot = np.array([[math.cos(ang), -math.sin(ang), 0], [math.sin(ang), math.cos(ang), 0], [0, 0, 1]])
    p = unit(lat, lon) @ rot.T
    lon_r = np.degrees(np.arctan2(p[..., 1], p[..., 0])) % 360.0
    return (lat >= s) & (lat <= n) & (lon_r <= width)


def test_bering_box_across_the_antimeridian():
    """The issue's case: lon_west 170, lon_east -170 is the Bering box; 55N 179E inside, 55N 3E outside."""
    z = Zone.model_validate({"name": "Bering", "box": {"lat_south": 50, "lat_north": 60, "lon_west": 170,
                                                      "lon_east": -170}})
    assert z.contains(55, 179) is True
    assert z.contains(55, 3) is False
    assert z.contains(55, -175) is True and z.contains(55, 165) is False and z.contains(55, -165) is False
    for lat, lon in (uniform_sphere(20_000), near(45, 65, 160, 40, 20_000)):
        assert np.array_equal(z.contains(lat, lon), box_brute(50, 60, 170, -170, lat, lon))
    # the boundary belongs to the zone (closed set): corners and edges
    assert z.contains([50, 60, 55, 55], [170, -170, 170, -170]).all()


@pytest.mark.parametrize("s, n, w, e", [(34, 72, -12, 45), (-10, 10, 100, -100), (60, 90, -180, 180),
                                        (-90, -60, 0, 90), (0, 1, 179.5, -179.5)])
def test_boxes_against_brute_force(s, n, w, e):
    z = Zone.model_validate({"name": "b", "box": {"lat_south": s, "lat_north": n, "lon_west": w, "lon_east": e}})
    lat, lon = uniform_sphere(20_000)
    lat2, lon2 = near(max(s - 5, -90), min(n + 5, 90), w - 5, ((e - w) % 360 or 360) + 10, 20_000)
    for la, lo in ((lat, lon), (lat2, lon2)):
        assert np.array_equal(z.contains(la, lo), box_brute(s, n, w, e, la, lo) | (
            (np.abs(la) >= 90) & (la >= s) & (la <= n)))


# ----------------------------------------------------------------------------- cap
def cap_brute(north_of, lat, lon):
    """Meridian arc from each point to the north pole (geographiclib) <= the arc from the parallel."""
    g = Geodesic.WGS84
    limit = g.Inverse(north_of, 0.0, 90.0, 0.0)["s12"]
    return np.array([g.Inverse(a, b, 90.0, 0.0)["s12"] <= limit + 1e-6 for a, b in zip(lat, lon, strict=True)])


def test_polar_cap_contains_the_pole():
    z = Zone.model_validate({"name": "north of Russian territory", "cap": {"north_of_deg": 82.0}})
    lat, lon = near(75, 90, -180, 360, 3000)
    lat = np.concatenate([lat, [90.0, 90.0, 82.0, 81.9999]])
    lon = np.concatenate([lon, [0.0, 123.0, -45.0, 10.0]])
    got = z.contains(lat, lon)
    assert np.array_equal(got, cap_brute(82.0, lat, lon))
    assert got[-4] and got[-3] and got[-2] and not got[-1]
    south = Zone.model_validate({"name": "s", "cap": {"south_of_deg": -60}})
    assert south.contains(-90, 0) and not south.contains(-59.9, 0)


# ----------------------------------------------------------------------------- circle
def test_circle_is_a_geodesic_disc_on_wgs84():
    z = Zone.model_validate({"name": "Kaliningrad", "circle": {"lat_deg": 54.71, "lon_deg": 20.51,
                                                              "radius_km": 500}})
    lat, lon = near(48, 61, 8, 25, 3000)
    g = Geodesic.WGS84
    d = np.array([g.Inverse(54.71, 20.51, a, b)["s12"] for a, b in zip(lat, lon, strict=True)])
    clear = np.abs(d - 500e3) > 0.01  # 1 cm: the two geodesic codes agree far better than that
    assert np.array_equal(z.contains(lat, lon)[clear], (d <= 500e3)[clear])
    # a circle around the pole crosses every meridian
    polar = Zone.model_validate({"name": "p", "circle": {"lat_deg": 90, "lon_deg": 0, "radius_km": 1000}})
    assert polar.contains(85, 179.9) and polar.contains(85, -100) and not polar.contains(80, 0)


# ----------------------------------------------------------------------------- polygons
POLE_RING = [[70.0, float(lo)] for lo in range(-180, 180, 40)]  # west -> east: counter-clockwise from above


@pytest.mark.parametrize("orientation", ["smaller", "counterclockwise"])
def test_polygon_containing_the_pole(orientation):
    z = Zone.model_validate({"name": "arctic", "polygon": {"corners": POLE_RING, "orientation": orientation}})
    assert z.contains(90, 0) and z.contains(89, -120)
    lat, lon = near(55, 90, -180, 360, 20_000)
    inside, clear = convex_left(POLE_RING, lat, lon)
    assert np.array_equal(z.contains(lat, lon)[clear], inside[clear])
    # between corners the great-circle edge runs north of 70N: a point at 70.5N midway is outside
    assert not z.contains(70.5, -160.0) and z.contains(70.0, -180.0)


def test_polygon_larger_than_a_hemisphere_by_orientation():
    """The same ring walked east -> west with orientation counterclockwise is everything but the Arctic."""
    ring = POLE_RING[::-1]
    big = Zone.model_validate({"name": "not arctic", "polygon": {"corners": ring, "orientation": "counterclockwise"}})
    small = Zone.model_validate({"name": "arctic", "polygon": {"corners": ring}})  # smaller: the Arctic again
    lat, lon = uniform_sphere(20_000)
    inside, clear = convex_left(POLE_RING, lat, lon)
    assert np.array_equal(big.contains(lat, lon)[clear], ~inside[clear])
    assert np.array_equal(small.contains(lat, lon)[clear], inside[clear])
    assert big.contains(0, 0) and big.contains(-90, 0) and not big.contains(90, 0)


@pytest.mark.parametrize("corners", [
    [[40, -10], [40, 10], [52, 12], [50, -8]],  # across the prime meridian
    [[-20, 170], [-20, -170], [-5, -165], [-5, 175]],  # across the antimeridian, southern hemisphere
    [[50, 170], [50, -170], [60, -170], [60, 170]],  # the issue's Bering corners as a polygon
    [[-30, -20], [-35, 40], [10, 60], [25, 0]],  # a large convex quadrilateral across 0
], ids=["prime-meridian", "antimeridian-south", "bering-polygon", "large"])
def test_convex_polygons_against_brute_force(corners):
    for ring in (corners, corners[::-1]):  # "smaller" does not depend on the corner order
        z = Zone.model_validate({"name": "p", "polygon": {"corners": ring}})
        lats = [c[0] for c in corners]
        lon0 = corners[0][1] - 20
        for lat, lon in (uniform_sphere(20_000), near(min(lats) - 8, max(lats) + 8, lon0, 80, 20_000)):
            inside, clear = convex_left(corners, lat, lon)
            assert np.array_equal(z.contains(lat, lon)[clear], inside[clear])


def test_issue_bering_polygon_verdict_is_not_inverted():
    z = Zone.model_validate({"name": "Bering", "polygon": {"corners": [[50, 170], [50, -170], [60, -170], [60, 170]]}})
    assert z.contains(55, 179) is True and z.contains(55, 3) is False


def test_non_convex_polygon_across_the_antimeridian():
    """An L shape = the union of two convex pieces sharing the great-circle arc (0N 170E) - (10N 178E)."""
    ring = [[0, 170], [0, -170], [10, -170], [10, 178], [30, 178], [30, 170]]
    piece_a = [[0, 170], [0, -170], [10, -170], [10, 178]]
    piece_b = [[0, 170], [10, 178], [30, 178], [30, 170]]
    z = Zone.model_validate({"name": "L", "polygon": {"corners": ring}})
    lat, lon = near(-5, 35, 165, 30, 30_000)
    ia, ca = convex_left(piece_a, lat, lon)
    ib, cb = convex_left(piece_b, lat, lon)
    clear = ca & cb
    assert np.array_equal(z.contains(lat, lon)[clear], (ia | ib)[clear])


def test_parallels_option_follows_the_parallel():
    """Great-circle edge between two corners at 55N bows north (~11 km over 10 deg); with parallels: true the
    edge is the parallel (within 8 m)."""
    corners = [[55, 10], [55, 20], [65, 20], [65, 10]]
    gc = Zone.model_validate({"name": "gc", "polygon": {"corners": corners}})
    par = Zone.model_validate({"name": "par", "polygon": {"corners": corners, "parallels": True}})
    # 0.05 deg (5.6 km) north of the southern parallel, midway: outside the great-circle zone, inside the other
    assert not gc.contains(55.05, 15.0) and par.contains(55.05, 15.0)
    assert par.contains(55.0002, 15.0) and not par.contains(54.9998, 15.0)
    # the bow of the great circle from the closed form: tan(lat_mid) = tan(55) / cos(5 deg)
    bow_deg = math.degrees(math.atan(math.tan(math.radians(55)) / math.cos(math.radians(5)))) - 55
    assert gc.contains(55 + bow_deg + 0.001, 15.0) and not gc.contains(55 + bow_deg - 0.001, 15.0)


# ----------------------------------------------------------------------------- the criteria check
def test_bering_verdict_in_check_limits():
    """A forbidden Bering box: the ship at 55N 179E breaks the limit; the one at 55N 3E does not."""
    from bmdsim.model.architecture import Architecture, resolve

    arch = resolve(Architecture.model_validate({"name": "t", "sites": [
        {"name": "bering-ship", "kind": "ship", "lat_deg": 55, "lon_deg": 179, "interceptor": "SM-3-IIA"},
        {"name": "north-sea-ship", "kind": "ship", "lat_deg": 55, "lon_deg": 3, "interceptor": "SM-3-IIA"}]}))
    crit = Criteria.model_validate({"forbidden_zones": [
        {"name": "Bering box", "box": {"lat_south": 50, "lat_north": 60, "lon_west": 170, "lon_east": -170}},
        {"name": "Bering polygon", "polygon": {"corners": [[50, 170], [50, -170], [60, -170], [60, 170]]}}]})
    res = check_limits(arch, crit)
    assert [r["detail"] for r in res] == [["bering-ship"], ["bering-ship"]]


@pytest.mark.parametrize("zone, needle", [
    ({"name": "old", "polygon": [[50, 170], [50, -170], [60, -170], [60, 170]]}, "polygon: {corners"),
    ({"name": "old", "min_lat_deg": 55}, "cap: {north_of_deg"),
    ({"name": "both", "cap": {"north_of_deg": 50}, "box": {"lat_south": 1, "lat_north": 2, "lon_west": 0,
                                                            "lon_east": 1}}, "exactly one"),
    ({"name": "crossed", "polygon": {"corners": [[0, 0], [10, 10], [10, 0], [0, 10]]}}, "cross"),
    ({"name": "bad box", "box": {"lat_south": 60, "lat_north": 50, "lon_west": 0, "lon_east": 1}}, "below"),
])
def test_invalid_zones_say_what_is_wrong(zone, needle):
    with pytest.raises(ValidationError, match=re_escape(needle)):
        Zone.model_validate(zone)


def re_escape(s):
    import re

    return re.escape(s)
