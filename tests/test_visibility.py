"""Radar and IR visibility geometry (bmdsim.core.visibility).

Oracles: closed forms (zenith, osculating-sphere horizon), PROJ's ``topocentric`` conversion
(ECEF -> ENU, independent of bmdsim.core.earth) and pyproj ``Geod`` (Karney) azimuths.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from bmdsim.core.earth import A_WGS84_M, E2_WGS84
from bmdsim.core.visibility import (
    first_true_time,
    in_field_of_regard,
    ir_first_detection_s,
    ir_sees,
    look_angles,
    max_range_m,
    radar_sees,
)

GEOD = Geod(ellps="WGS84")
TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)  # (lon, lat, h) -> XYZ
ARCSEC = np.radians(1.0 / 3600.0)


def ecef(lat_deg, lon_deg, h_m):
    """Independent geodetic -> ECEF (PROJ); inputs broadcast, shape (..., 3)."""
    lat, lon, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat_deg, lon_deg, h_m)))
    return np.stack(TO_ECEF.transform(lon, lat, h), axis=-1)


def topocentric(lat_deg, lon_deg, h_m, target):
    """PROJ ENU of ECEF targets (..., 3) at a site: (e, n, u) m."""
    t = Transformer.from_pipeline(
        f"+proj=topocentric +ellps=WGS84 +lat_0={lat_deg} +lon_0={lon_deg} +h_0={h_m}"
    )
    return np.stack(t.transform(target[..., 0], target[..., 1], target[..., 2]), axis=-1)


SITES = [
    (0.0, 0.0, 0.0),
    (38.3494, 37.7936, 2000.0),
    (54.3618, -0.6701, 260.0),
    (76.5703, -68.2992, 392.0),
    (-33.9, 151.2, 50.0),
    (89.9, 10.0, 0.0),
]


@pytest.mark.parametrize("lat, lon, h", SITES)
def test_zenith_target_is_straight_up(lat, lon, h):
    site = ecef(lat, lon, h)
    tgt = ecef(lat, lon, h + 500e3)
    el, az, rng = look_angles(site, tgt)
    assert abs(el - np.pi / 2) < 1e-7  # 1e-7 rad: the mm-level PROJ/Bowring round trip over 500 km
    assert abs(rng - 500e3) < 1e-3  # 1 mm
    assert 0.0 <= az < 2 * np.pi


@pytest.mark.parametrize("lat, lon, h", SITES)
def test_look_angles_match_proj_topocentric(lat, lon, h):
    rng = np.random.default_rng(1)
    n = 200
    tgt = ecef(rng.uniform(-90, 90, n), rng.uniform(-180, 180, n), rng.uniform(0, 3e6, n))
    e, nn, u = np.moveaxis(topocentric(lat, lon, h, tgt), -1, 0)
    el, az, r = look_angles(ecef(lat, lon, h), tgt)
    horiz = np.hypot(e, nn)
    r_proj = np.sqrt(horiz**2 + u**2)
    # angle errors expressed as the cross-track displacement they cause: below 1 cm
    assert np.all(np.abs(el - np.arctan2(u, horiz)) * r_proj < 0.01)
    d_az = np.angle(np.exp(1j * (az - np.arctan2(e, nn))))
    assert np.all(np.abs(d_az) * horiz < 0.01)
    assert np.allclose(r, r_proj, rtol=0, atol=1e-3)  # 1 mm
    assert np.all((az >= 0) & (az < 2 * np.pi))


@pytest.mark.parametrize("lat", [0.0, 38.0, 60.0, 76.0])
@pytest.mark.parametrize("az_deg", [0.0, 45.0, 90.0, 200.0])
@pytest.mark.parametrize("h_m, tol_deg", [(100e3, 0.005), (1000e3, 0.05)])
def test_target_at_geometric_horizon_has_zero_elevation(lat, az_deg, h_m, tol_deg):
    # Osculating sphere of the normal section at azimuth az: Euler's radius
    # 1/R = cos^2(az)/M + sin^2(az)/N. A target at height h on the horizon of that sphere lies
    # at central angle arccos(R/(R+h)). The sphere matches the ellipsoid to second order only:
    # tol 0.005 deg at 100 km (horizon ~1,100 km), 0.05 deg at 1,000 km (~3,700 km).
    phi, alpha = np.radians(lat), np.radians(az_deg)
    w2 = 1.0 - E2_WGS84 * np.sin(phi) ** 2
    n_rad, m_rad = A_WGS84_M / np.sqrt(w2), A_WGS84_M * (1 - E2_WGS84) / w2**1.5
    r = 1.0 / (np.cos(alpha) ** 2 / m_rad + np.sin(alpha) ** 2 / n_rad)
    theta = np.arccos(r / (r + h_m))
    lon2, lat2, _ = GEOD.fwd(20.0, lat, az_deg, r * theta)
    el, az, rng = look_angles(ecef(lat, 20.0, 0.0), ecef(lat2, lon2, h_m))
    assert abs(np.degrees(el)) < tol_deg
    assert abs(rng / np.sqrt((r + h_m) ** 2 - r**2) - 1.0) < 2e-4
    assert abs(np.angle(np.exp(1j * (az - alpha)))) < np.radians(0.02)


@pytest.mark.parametrize("lat, lon, h", SITES[:5])
@pytest.mark.parametrize("az_deg", [0.0, 30.0, 135.0, 260.0, 359.0])
def test_azimuth_of_low_nearby_target_matches_geodesic(lat, lon, h, az_deg):
    lon2, lat2, _ = GEOD.fwd(lon, lat, az_deg, 20e3)
    el, az, _ = look_angles(ecef(lat, lon, h), ecef(lat2, lon2, h))
    # normal section vs geodesic over 20 km: ~e^2 (s/R)^2 rad, far below 1 arcsecond
    assert abs(np.angle(np.exp(1j * (az - np.radians(az_deg))))) < ARCSEC
    assert abs(el + 20e3 / (2 * 6.371e6)) < np.radians(0.01)  # chord dips s/(2R) below horizon


def test_broadcast_sites_against_batch():
    sites = ecef(np.array([38.0, 54.0, 60.0]), np.array([37.0, 0.0, 30.0]), 0.0)  # (3, 3)
    tgt = ecef(*np.meshgrid(np.linspace(30, 60, 4), np.linspace(20, 50, 5), indexing="ij"), 300e3)  # (4,5,3)
    el, az, rng = look_angles(sites[:, None, None, :], tgt)
    assert el.shape == az.shape == rng.shape == (3, 4, 5)
    for i in range(3):
        ei, ai, ri = look_angles(sites[i], tgt)
        assert np.array_equal(ei, el[i]) and np.array_equal(ai, az[i]) and np.array_equal(ri, rng[i])


def test_range_law_quarter_power():
    assert max_range_m(1000e3, 16 * 0.01, 0.01) == pytest.approx(2000e3)
    assert max_range_m(300e3, 0.01, 0.1) == pytest.approx(300e3 * 0.1**0.25)
    r = max_range_m(900e3, np.array([1e-4, 1e-2, 1.0]), 1e-2)
    assert np.allclose(r, [900e3 / np.sqrt(10), 900e3, 900e3 * np.sqrt(10)])


def test_field_of_regard_wraps():
    bore, half = np.radians(350.0), np.radians(30.0)
    az = np.radians([10.0, 330.0, 320.0, 350.0, 0.0, 30.0, 319.0, 21.0])
    assert in_field_of_regard(az, bore, half).tolist() == [True, True, True, True, True, False, False, False]
    # Kurecik sector 40-160: edges included
    assert in_field_of_regard(
        np.radians([40.0, 160.0, 39.0, 161.0]), np.radians(100.0), np.radians(60.0)
    ).tolist() == [True, True, False, False]
    assert np.all(in_field_of_regard(np.linspace(0, 2 * np.pi, 37), 1.0, np.pi))  # 360 deg


def test_radar_sees_combines_elevation_range_sector_and_altitude():
    site = ecef(45.0, 40.0, 0.0)
    # targets 1,000 km away at 300 km altitude to the N, E and S
    pts = [GEOD.fwd(40.0, 45.0, a, 1000e3)[:2] for a in (0.0, 90.0, 180.0)]
    tgt = ecef(np.array([p[1] for p in pts]), np.array([p[0] for p in pts]), 300e3)
    kw = dict(min_elev_rad=0.0, max_range_m=2000e3)
    assert radar_sees(site, tgt, **kw).tolist() == [True, True, True]
    sector = radar_sees(site, tgt, boresight_rad=np.radians(90.0), half_width_rad=np.radians(60.0), **kw)
    assert sector.tolist() == [False, True, False]
    assert not radar_sees(site, tgt, min_elev_rad=0.0, max_range_m=900e3).any()
    assert not radar_sees(site, tgt, max_alt_m=200e3, **kw).any()
    far = ecef(45.0, 100.0, 300e3)  # ~4,500 km away: below the horizon
    assert not radar_sees(site, far, min_elev_rad=0.0, max_range_m=1e8)


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(-80, 80),
    lon=st.floats(-180, 180),
    dlat=st.floats(-30, 30),
    dlon=st.floats(-30, 30),
    h=st.floats(0, 2e6),
    r1=st.floats(1e3, 1e7),
    shrink=st.floats(0, 1),
    bore=st.floats(0, 2 * np.pi),
    half=st.floats(0.01, 4.0),
    elev=st.floats(-0.05, 0.5),
)
def test_shrinking_max_range_never_adds_visibility(lat, lon, dlat, dlon, h, r1, shrink, bore, half, elev):
    site = ecef(lat, lon, 0.0)
    tgt = ecef(np.clip(lat + dlat, -90, 90), lon + dlon, h)
    kw = dict(min_elev_rad=elev, boresight_rad=bore, half_width_rad=half)
    big = radar_sees(site, tgt, max_range_m=r1, **kw)
    small = radar_sees(site, tgt, max_range_m=r1 * shrink, **kw)
    assert not (small and not big)
    narrower = radar_sees(
        site, tgt, max_range_m=r1, min_elev_rad=elev, boresight_rad=bore, half_width_rad=half * shrink
    )
    assert not (narrower and not big)


def test_first_true_time_and_nan_rows():
    t = np.array([0.0, 10.0, 20.0, 30.0])
    mask = np.array([[False, False, True, True], [False, False, False, False], [True, False, True, False]])
    out = first_true_time(t, mask)
    assert out[0] == 20.0 and np.isnan(out[1]) and out[2] == 0.0
    out2 = first_true_time(np.broadcast_to(t, mask.shape) + np.array([[0.0], [5.0], [7.0]]), mask)
    assert out2[0] == 20.0 and np.isnan(out2[1]) and out2[2] == 7.0


def test_ir_sees_only_above_h_ir_during_boost():
    t = np.arange(0.0, 200.0, 10.0)
    alt = np.vstack([t * 200.0, t * 50.0])  # 200 m/s and 50 m/s climb
    tb = np.array([100.0, 150.0])
    mask = ir_sees(alt, t, tb, 12e3)
    assert mask[0].tolist() == [(a > 12e3) and (x <= 100.0) for a, x in zip(alt[0], t, strict=True)]
    assert not mask[1].any()  # 50 m/s * 150 s = 7.5 km < h_IR at burnout
    first = ir_first_detection_s(t, alt, tb, 12e3, 45.0, refine=False)
    assert first[0] == 70.0 + 45.0 and np.isnan(first[1])
    fine = ir_first_detection_s(t, alt, tb, 12e3, 45.0)
    assert fine[0] == pytest.approx(60.0 + 45.0)  # exact crossing 12 km / 200 m/s = 60 s
    assert np.isnan(fine[1])
