"""WGS84 frames and gravity (bmdsim.core.earth) and geodesics (bmdsim.core.geodesy).

Oracles: PROJ (EPSG:4979 -> EPSG:4978, independent of bmdsim), finite differences of
positions and of the potential, the WGS84 normal-gravity values of NIMA TR8350.2, and
geographiclib (Karney's reference implementation, a separate package from pyproj).
"""

import numpy as np
import pytest
from pyproj import Transformer

from bmdsim.core import earth, geodesy

TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)  # (lon, lat, h) -> XYZ
TO_GEO = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)

# latitudes incl. both poles, longitudes incl. the +-180 seam, heights from just below the
# ellipsoid to 10,000 km (far beyond any trajectory)
LATS = np.array([-90.0, -89.9999, -63.2, -30.0, 0.0, 0.0001, 17.5, 45.0, 71.3, 89.9999, 90.0])
LONS = np.array([-180.0, -179.9, -97.3, -45.0, 0.0, 12.25, 90.0, 135.5, 179.999])
HS = np.array([-1.0, 0.0, 1.0, 100e3, 1000e3, 10000e3])
LA, LO, H = (a.ravel() for a in np.meshgrid(LATS, LONS, HS, indexing="ij"))


def proj_ecef(lat, lon, h):
    lat, lon, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat, lon, h)))
    return np.stack(TO_ECEF.transform(lon, lat, h), axis=-1)


# --------------------------------------------------------------------------- geodetic <-> ECEF
def test_geodetic_to_ecef_matches_proj():
    r = earth.geodetic_to_ecef(np.radians(LA), np.radians(LO), H)
    # 0.1 mm: both are the same closed form in double precision; a wrong constant (a, f) or a
    # wrong z-term would show as metres to kilometres
    np.testing.assert_allclose(r, proj_ecef(LA, LO, H), rtol=0, atol=1e-4)


def test_ecef_to_geodetic_inverts_proj_positions():
    r = proj_ecef(LA, LO, H)
    lat, lon, h = earth.ecef_to_geodetic(r)
    # height to 1 mm and latitude to 1e-10 rad (0.6 mm on the ground), as claimed in the docstring
    np.testing.assert_allclose(h, H, rtol=0, atol=1e-3)
    np.testing.assert_allclose(np.degrees(lat), LA, rtol=0, atol=np.degrees(1e-10))
    # longitude is undefined at the poles; elsewhere compare on the circle (+-180 are the same)
    off_pole = np.abs(LA) < 90.0
    dlon = (np.degrees(lon) - LO + 180.0) % 360.0 - 180.0
    assert np.max(np.abs(dlon[off_pole] * np.cos(np.radians(LA[off_pole])))) < np.degrees(1e-10)


def test_ecef_to_geodetic_on_random_points_round_trips_through_proj_forward():
    """Random points from 50 km below the surface to 40,000 km out.

    PROJ's own inverse (one Bowring step) drifts by decimetres at 10^4 km heights, so the oracle
    is PROJ's closed-form forward map: bmdsim's (lat, lon, h) must map back onto the point.
    """
    rng = np.random.default_rng(1)
    d = rng.normal(size=(500, 3))
    d /= np.linalg.norm(d, axis=-1, keepdims=True)
    r = d * rng.uniform(6.33e6, 4.6e7, size=(500, 1))
    lat, lon, h = earth.ecef_to_geodetic(r)
    back = proj_ecef(np.degrees(lat), np.degrees(lon), h)
    # 1 mm: the accuracy the docstring claims out to lunar distance
    np.testing.assert_allclose(back, r, rtol=0, atol=1e-3)
    # below 1000 km PROJ's inverse is good to a few mm (2 mm seen at 500 km): compare to 1 cm
    near = h < 1e6
    plon, plat, ph = TO_GEO.transform(r[near, 0], r[near, 1], r[near, 2])
    np.testing.assert_allclose(h[near], ph, rtol=0, atol=1e-2)
    np.testing.assert_allclose(np.degrees(lat[near]), plat, rtol=0, atol=np.degrees(1e-9))


def test_ellipsoid_radius_at_equator_and_pole():
    # published WGS84 semi-axes (TR8350.2): a = 6378137 m, b = 6356752.3142 m; 0.1 mm
    assert earth.ellipsoid_radius_m(0.0) == pytest.approx(6378137.0, abs=1e-4)
    assert earth.ellipsoid_radius_m(np.pi / 2) == pytest.approx(6356752.3142, abs=1e-4)


# --------------------------------------------------------------------------- ECEF <-> ECI
def test_eci_axes_coincide_at_t0_and_earth_turns_east():
    r = np.array([earth.A_WGS84_M, 0.0, 0.0])
    np.testing.assert_allclose(earth.ecef_to_eci(r, 0.0), r, atol=1e-9)
    # after 1 h the Greenwich point has moved east (+y in ECI) by 15.04 deg (sidereal rate)
    ang = earth.OMEGA_EARTH_RAD_PER_S * 3600.0
    assert np.degrees(ang) == pytest.approx(15.041, abs=1e-3)
    r1 = earth.ecef_to_eci(r, 3600.0)
    np.testing.assert_allclose(r1, earth.A_WGS84_M * np.array([np.cos(ang), np.sin(ang), 0.0]), atol=1e-6)
    # one sidereal day (86164.0905 s) brings it back. 10 m: WGS84 truncates omega to
    # 7.292115e-5 (IERS 7.2921158553e-5), which leaves 4.7 m at the equator after a day
    np.testing.assert_allclose(earth.ecef_to_eci(r, 86164.0905), r, atol=10.0)


def test_ground_point_eci_velocity_is_omega_cross_r_by_finite_differences():
    rng = np.random.default_rng(2)
    lat = rng.uniform(-np.pi / 2, np.pi / 2, 20)
    lon = rng.uniform(-np.pi, np.pi, 20)
    r_ecef = earth.geodetic_to_ecef(lat, lon, rng.uniform(0, 3e5, 20))
    t = rng.uniform(0, 5000.0, 20)
    dt = 0.5
    _, v_eci = earth.ecef_to_eci(r_ecef, t, np.zeros_like(r_ecef))
    fd = (earth.ecef_to_eci(r_ecef, t + dt) - earth.ecef_to_eci(r_ecef, t - dt)) / (2 * dt)
    # central difference error ~ omega^3 r dt^2 / 6 ~ 1e-7 m/s; ground speed is up to 465 m/s
    np.testing.assert_allclose(v_eci, fd, rtol=0, atol=1e-5)
    r_eci = earth.ecef_to_eci(r_ecef, t)
    np.testing.assert_allclose(v_eci, earth.earth_rotation_velocity(r_eci), atol=1e-9)
    # and |v| = omega * distance from the axis
    np.testing.assert_allclose(np.linalg.norm(v_eci, axis=-1),
                               earth.OMEGA_EARTH_RAD_PER_S * np.hypot(r_ecef[:, 0], r_ecef[:, 1]), rtol=1e-12)


def test_moving_point_velocity_transform_by_finite_differences():
    """A point moving in ECEF: d/dt of its ECI position equals the returned ECI velocity."""
    rng = np.random.default_rng(3)
    r0 = rng.normal(size=(10, 3)) * 7e6
    v_ecef = rng.normal(size=(10, 3)) * 3e3
    t = rng.uniform(0, 3000.0, 10)
    dt = 0.01

    def r_at(tt):
        return earth.ecef_to_eci(r0 + v_ecef * (tt - t)[:, None], tt)

    fd = (r_at(t + dt) - r_at(t - dt)) / (2 * dt)
    _, v_eci = earth.ecef_to_eci(r0, t, v_ecef)
    # truncation ~ omega^2 |v| dt^2 ~ 1e-9 m/s; round-off ~ 1e-16 * 1e7 / 0.01 ~ 1e-7 m/s
    np.testing.assert_allclose(v_eci, fd, rtol=0, atol=1e-5)
    # the inverse recovers both
    r_back, v_back = earth.eci_to_ecef(earth.ecef_to_eci(r0, t), t, v_eci)
    np.testing.assert_allclose(r_back, r0, atol=1e-6)
    np.testing.assert_allclose(v_back, v_ecef, atol=1e-9)


def test_enu_basis_is_right_handed_and_up_is_ellipsoid_normal():
    lat, lon = np.radians(LA[H == 0]), np.radians(LO[H == 0])
    e, n, u = earth.enu_basis(lat, lon)
    np.testing.assert_allclose(np.cross(e, n), u, atol=1e-12)
    # up is the ellipsoid normal: a 1 m step up changes the PROJ geodetic height by 1 m
    r = proj_ecef(LA[H == 0], LO[H == 0], 0.0)
    _, _, h = TO_GEO.transform(*(r + u).T)
    np.testing.assert_allclose(h, 1.0, atol=1e-6)


# --------------------------------------------------------------------------- gravity
def test_gravity_is_minus_gradient_of_potential():
    rng = np.random.default_rng(4)
    d = rng.normal(size=(50, 3))
    d /= np.linalg.norm(d, axis=-1, keepdims=True)
    r = d * rng.uniform(6.36e6, 1.6e7, size=(50, 1))
    g = earth.gravity_j2(r)
    h = 20.0
    grad = np.empty_like(r)
    for k in range(3):
        dk = np.zeros(3)
        dk[k] = h
        grad[:, k] = (earth.gravity_potential_j2(r + dk) - earth.gravity_potential_j2(r - dk)) / (2 * h)
    # round-off of U (6e7 J/kg) / 40 m ~ 1e-9 m/s^2; the J2 term itself is ~1.6e-2 m/s^2
    np.testing.assert_allclose(g, -grad, rtol=0, atol=1e-7)


def test_gravity_closed_forms_on_axis_and_equator():
    mu, j2, a = earth.MU_EARTH_M3_PER_S2, earth.J2_EARTH, earth.A_WGS84_M
    for rn in (a, 7.0e6, 2.0e7):
        gz = earth.gravity_j2(np.array([0.0, 0.0, rn]))
        gx = earth.gravity_j2(np.array([rn, 0.0, 0.0]))
        # g_r = -mu/r^2 (1 - 3 J2 (a/r)^2 P2(sin phi)) with P2 = 1 (pole), -1/2 (equator)
        assert gz[2] == pytest.approx(-mu / rn**2 * (1 - 3 * j2 * (a / rn) ** 2), rel=1e-13)
        assert gx[0] == pytest.approx(-mu / rn**2 * (1 + 1.5 * j2 * (a / rn) ** 2), rel=1e-13)
        np.testing.assert_allclose(gz[:2], 0.0, atol=1e-15)
        np.testing.assert_allclose(gx[1:], 0.0, atol=1e-15)
    # off the axes J2 adds a tangential pull towards the equator,
    # g_phi = -3 mu/r^2 J2 (a/r)^2 sin(phi) cos(phi): at 45 deg it adds along (+x, -z)
    rn = 7e6 * np.sqrt(2.0)
    g45 = earth.gravity_j2(np.array([7e6, 0.0, 7e6]))
    g_phi = -3.0 * mu / rn**2 * j2 * (a / rn) ** 2 * 0.5
    g_r = -mu / rn**2 * (1.0 - 3.0 * j2 * (a / rn) ** 2 * 0.25)  # P2(sin 45) = 1/4
    e_r, e_phi = np.array([1.0, 0.0, 1.0]) / np.sqrt(2), np.array([-1.0, 0.0, 1.0]) / np.sqrt(2)
    np.testing.assert_allclose(g45, g_r * e_r + g_phi * e_phi, rtol=0, atol=1e-12)


def test_gravity_reproduces_wgs84_normal_gravity():
    """NIMA TR8350.2 (3rd ed., ch. 3): normal gravity 9.7803253359 (equator), 9.8321849378 (poles).

    The normal field also has J4 = -3 * C4,0bar = -2.37091222e-6 (same chapter); J6 adds < 1e-6
    m/s^2. Adding its J4 term (which the model omits: 4e-5 m/s^2 at the equator, 1.2e-4 at the
    pole) and the centrifugal term omega^2 a at the equator, the model must land within 5e-6 m/s^2.
    """
    a, b, om, mu = earth.A_WGS84_M, earth.B_WGS84_M, earth.OMEGA_EARTH_RAD_PER_S, earth.MU_EARTH_M3_PER_S2
    j4 = -2.37091222e-6
    g_eq = -earth.gravity_j2(np.array([a, 0.0, 0.0]))[0]
    g_eq += -1.875 * j4 * mu / a**2  # -(n+1) J4 P4(0) with P4(0) = 3/8
    g_eq -= om * om * a
    g_po = -earth.gravity_j2(np.array([0.0, 0.0, b]))[2]
    g_po += -5.0 * j4 * (a / b) ** 4 * mu / b**2  # P4(1) = 1
    assert g_eq == pytest.approx(9.7803253359, abs=5e-6)
    assert g_po == pytest.approx(9.8321849378, abs=5e-6)


# --------------------------------------------------------------------------- geodesics
PAIRS = np.array([
    # lat1, lon1, lat2, lon2
    [40.0, 45.0, 38.9, -77.0],  # long intercontinental
    [0.0, 0.0, 0.0, 90.0],  # equatorial quarter
    [89.0, 10.0, -89.0, -170.0],  # across both poles
    [0.0, 0.0, 0.5, 179.5],  # nearly antipodal (the hard case)
    [51.5, -0.1, 51.6, -0.2],  # short
    [-33.9, 18.4, 35.7, 139.7],
])


def test_geodesy_inverse_matches_geographiclib():
    gl = pytest.importorskip("geographiclib.geodesic")
    g = gl.Geodesic.WGS84
    d, az1, az2 = geodesy.inverse(PAIRS[:, 0], PAIRS[:, 1], PAIRS[:, 2], PAIRS[:, 3])
    for k, (la1, lo1, la2, lo2) in enumerate(PAIRS):
        ref = g.Inverse(la1, lo1, la2, lo2)
        # Karney's algorithm is accurate to 15 nm; two implementations agree to ~1 um
        assert d[k] == pytest.approx(ref["s12"], abs=1e-5)
        # azimuths: 1e-7 deg = 1 cm at 6000 km; compare on the circle
        assert (az1[k] - ref["azi1"] + 180) % 360 - 180 == pytest.approx(0, abs=1e-7)
        assert (az2[k] - ref["azi2"] + 180) % 360 - 180 == pytest.approx(0, abs=1e-7)


def test_geodesy_direct_inverts_inverse_and_quarter_meridian():
    d, az1, _ = geodesy.inverse(PAIRS[:, 0], PAIRS[:, 1], PAIRS[:, 2], PAIRS[:, 3])
    lat2, lon2 = geodesy.direct(PAIRS[:, 0], PAIRS[:, 1], az1, d)
    back, _, _ = geodesy.inverse(lat2, lon2, PAIRS[:, 2], PAIRS[:, 3])
    assert np.max(back) < 1e-3  # 1 mm round trip
    # published WGS84 quarter meridian 10,001,965.729 m (Karney 2013); 1 mm
    q, _, _ = geodesy.inverse(0.0, 0.0, 90.0, 0.0)
    assert float(q) == pytest.approx(10001965.729, abs=1e-3)
