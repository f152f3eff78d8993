"""The compiled integrator (bmdsim.core.flight) against an independent high-precision integration.

The oracle here is scipy's DOP853 (rtol 1e-10 or tighter) on equations of motion written in
this file from the model described in flight.py's docstring: point-mass + J2 gravity, air
co-rotating with the Earth, USSA-1976 density (only the density function is imported),
staged constant-thrust boost with vertical rise / pitch-over / gravity turn, and RV drag
through the ballistic coefficient. Nothing of bmdsim's gravity, guidance or schedule is used.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from scipy.integrate import solve_ivp

from bmdsim.core import trajectory as T
from bmdsim.core.atmosphere import density_exact_kg_m3
from bmdsim.model.missiles import get_missile

# WGS84 / EGM96 constants, typed in from NIMA TR8350.2 (not imported from bmdsim)
MU = 3.986004418e14
J2 = 1.08262668e-3
A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
B = A * (1 - F)
OMEGA = 7.292115e-5
G0 = 9.80665
NO_DRAG_BETA = 1e30  # kg/m^2: RV drag rho v^2 / (2 beta) becomes ~1e-26 m/s^2

TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
TO_GEO = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
GEOD = Geod(ellps="WGS84")


def grav(r):
    """Point mass + J2: -grad of U = -mu/r (1 - J2 (a/r)^2 P2(z/r))."""
    x, y, z = r
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    c = 1.5 * J2 * A * A / r2
    s2 = z * z / r2
    k = -MU / (r2 * rn)
    return np.array([k * x * (1 + c * (1 - 5 * s2)), k * y * (1 + c * (1 - 5 * s2)), k * z * (1 + c * (3 - 5 * s2))])


def potential(r):
    rn = np.linalg.norm(r, axis=-1)
    s = r[..., 2] / rn
    return -MU / rn * (1 - J2 * (A / rn) ** 2 * 0.5 * (3 * s * s - 1))


def radial_height(r):
    """Height along the geocentric radial above the WGS84 ellipsoid (the model's height)."""
    x, y, z = r
    r2 = x * x + y * y + z * z
    rs = 1.0 / math.sqrt((x * x + y * y) / (r2 * A * A) + z * z / (r2 * B * B))
    return math.sqrt(r2) - rs


def rho(h):
    return float(density_exact_kg_m3(h))


def air_velocity(r, v):
    return v - OMEGA * np.array([-r[1], r[0], 0.0])


def ballistic_rhs(beta):
    def f(_t, y):
        r, v = y[:3], y[3:]
        w = air_velocity(r, v)
        drag = -0.5 * rho(radial_height(r)) * np.linalg.norm(w) * w / beta
        return np.concatenate([v, grav(r) + drag])

    return f


def impact_event(_t, y):
    return radial_height(y[:3])


impact_event.terminal = True
impact_event.direction = -1


def eci_to_ecef(r, t):
    c, s = np.cos(-OMEGA * t), np.sin(-OMEGA * t)
    return np.array([c * r[0] - s * r[1], s * r[0] + c * r[1], r[2]])


# --------------------------------------------------------------------------- free flight
def free_flight_state(alt_m, speed, gam_deg, lat_deg=35.0, lon_deg=40.0, az_deg=60.0):
    """ECI state at t = 0 over a geodetic point, inertial speed and flight-path angle."""
    r = np.array(TO_ECEF.transform(lon_deg, lat_deg, alt_m))
    up = r / np.linalg.norm(r)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    g, a = np.radians(gam_deg), np.radians(az_deg)
    hdir = np.cos(a) * north + np.sin(a) * east
    return np.concatenate([r, speed * (np.sin(g) * up + np.cos(g) * hdir)])


SPEC = get_missile("SS-27").rocket_spec()


def test_free_flight_matches_dop853_with_j2():
    states = np.array([
        free_flight_state(300e3, 7100.0, 38.0),  # long ICBM arc (> 2000 s)
        free_flight_state(300e3, 6900.0, 60.0, lat_deg=70.0, az_deg=0.0),  # lofted, over the pole
        free_flight_state(150e3, 7400.0, 25.0, lat_deg=-10.0, az_deg=250.0),  # flat, southern
    ])
    n = states.shape[0]
    ev, evs, status, smp = T.integrate(SPEC, states, np.zeros(n), np.zeros(n), np.zeros(n), step_s=50.0,
                                       n_samples=200, with_boost=False, beta=np.full(n, NO_DRAG_BETA))
    np.testing.assert_array_equal(status, 0)
    for i in range(n):
        sol = solve_ivp(ballistic_rhs(NO_DRAG_BETA), (0, 2e4), states[i], method="DOP853", rtol=1e-11,
                        atol=1e-6, dense_output=True, events=impact_event)
        t_imp = sol.t_events[0][0]
        assert t_imp > 2000.0, "the case must fly long enough to test 2000 s of propagation"
        rows = smp[i][np.isfinite(smp[i, :, 0])]
        ref = sol.sol(rows[:, 0]).T
        err_r = np.linalg.norm(rows[:, 1:4] - ref[:, :3], axis=-1)
        err_v = np.linalg.norm(rows[:, 4:7] - ref[:, 3:], axis=-1)
        # 100 m over > 2000 s of flight (the spec); the documented budget is tens of metres
        assert err_r.max() < 100.0, (i, err_r.max())
        assert err_v.max() < 0.5, (i, err_v.max())  # 0.5 m/s ~ 100 m / 200 s of drift
        # impact time and point (height 0 on the ellipsoid)
        assert ev[i, 3] == pytest.approx(t_imp, abs=0.05)
        assert np.linalg.norm(evs[i, 3, :3] - sol.y_events[0][0][:3]) < 100.0
        # apogee: max radius, radial speed 0 there
        ra = evs[i, 1, :3]
        va = evs[i, 1, 3:]
        assert abs(ra @ va / np.linalg.norm(ra)) < 0.05  # m/s
        r_dense = np.linalg.norm(sol.sol(np.linspace(0, t_imp, 40001))[:3], axis=0)
        assert np.linalg.norm(ra) == pytest.approx(r_dense.max(), abs=2.0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    alt=st.floats(120e3, 2000e3),
    speed=st.floats(3000.0, 7600.0),
    gam=st.floats(-20.0, 80.0),
    lat=st.floats(-89.0, 89.0),
    lon=st.floats(-180.0, 180.0),
    az=st.floats(0.0, 360.0),
)
def test_energy_is_conserved_without_drag(alt, speed, gam, lat, lon, az):
    """v^2/2 + U_J2 is an integral of motion in ECI (U is axisymmetric, hence time-independent)."""
    s0 = free_flight_state(alt, speed, gam, lat, lon, az)[None]
    ev, evs, status, smp = T.integrate(SPEC, s0, np.zeros(1), np.zeros(1), np.zeros(1), step_s=20.0,
                                       n_samples=1001, with_boost=False, beta=np.full(1, NO_DRAG_BETA))
    rows = smp[0][np.isfinite(smp[0, :, 0])]
    assert rows.shape[0] >= 2
    energy = 0.5 * (rows[:, 4:7] ** 2).sum(-1) + potential(rows[:, 1:4])
    e0 = 0.5 * speed**2 + potential(s0[0, :3])
    # 1e-6 relative = ~30 J/kg: RK4 + Hermite sampling; a missing J2 term in the force or the
    # potential, or a wrong gravity sign, breaks it by > 1e-4
    np.testing.assert_allclose(energy, e0, rtol=1e-6)
    if status[0] == 0:
        e_imp = 0.5 * (evs[0, 3, 3:] ** 2).sum() + potential(evs[0, 3, :3])
        assert e_imp == pytest.approx(e0, rel=1e-6)


# --------------------------------------------------------------------------- boost + re-entry
def boost_segments(spec, t_cut):
    """[(t0, t1, mode, thrust N, mass at t0 kg, mdot kg/s, Cd*A m^2)] from the stage list."""
    burn = np.array(spec.burn_time_s)
    ends = np.cumsum(burn)
    starts = ends - burn
    tv, tp = spec.vertical_rise_s, spec.vertical_rise_s + spec.pitchover_s
    bps = sorted({0.0, tv, tp, *ends.tolist()})
    segs = []
    for a, b in zip(bps[:-1], bps[1:], strict=True):
        b = min(b, t_cut)
        if b <= a:
            continue
        k = int(np.nonzero(ends > a)[0][0])  # stage burning in [a, b)
        mdot = spec.propellant_mass_kg[k] / spec.burn_time_s[k]
        mass = (spec.payload_mass_kg + sum(spec.propellant_mass_kg[k:]) + sum(spec.dry_mass_kg[k:])
                - mdot * (a - starts[k]))
        mode = 0 if a < tv else (1 if a < tp else 2)
        segs.append((a, b, mode, spec.isp_s[k] * G0 * mdot, mass, mdot,
                     spec.drag_cd * math.pi / 4 * spec.diameter_m[k] ** 2))
    return segs


def boost_rhs(seg, kick, psi):
    t0, _t1, mode, thrust, m0, mdot, cda = seg

    def f(t, y):
        r, v = y[:3], y[3:]
        m = m0 - mdot * (t - t0)
        up = r / np.linalg.norm(r)
        w = air_velocity(r, v)
        wn = np.linalg.norm(w)
        if mode == 0:  # vertical rise along the geocentric radial
            d = up
        elif mode == 1:  # pitch-over: tilt kick from vertical towards azimuth psi
            east = np.array([-r[1], r[0], 0.0]) / math.hypot(r[0], r[1])
            north = np.cross(up, east)
            d = math.cos(kick) * up + math.sin(kick) * (math.cos(psi) * north + math.sin(psi) * east)
        else:  # gravity turn: thrust along the air-relative velocity
            d = w / wn
        drag = -0.5 * rho(radial_height(r)) * wn * w * cda / m
        return np.concatenate([v, grav(r) + thrust / m * d + drag])

    return f


def fly_dop853(spec, lat, lon, kick, t_cut, psi, beta, rtol=1e-10):
    """Launch from the ground co-rotating with the Earth; returns burnout state, impact (t, state), sol list."""
    r0 = np.array(TO_ECEF.transform(lon, lat, 0.0))
    y = np.concatenate([r0, OMEGA * np.array([-r0[1], r0[0], 0.0])])
    sols = []
    for seg in boost_segments(spec, t_cut):
        sol = solve_ivp(boost_rhs(seg, kick, psi), (seg[0], seg[1]), y, method="DOP853", rtol=rtol,
                        atol=1e-6, dense_output=True)
        sols.append(sol)
        y = sol.y[:, -1]
    y_bo = y.copy()
    sol = solve_ivp(ballistic_rhs(beta), (t_cut, t_cut + 2e4), y, method="DOP853", rtol=rtol, atol=1e-6,
                    events=impact_event, dense_output=True)
    sols.append(sol)
    return y_bo, sol.t_events[0][0], sol.y_events[0][0], sols


def dense(sols, t):
    out = np.full((t.size, 6), np.nan)
    for s in sols:
        m = (t >= s.t[0]) & (t <= s.t[-1])
        if m.any():
            out[m] = s.sol(t[m]).T
    return out


@pytest.mark.parametrize(("lat", "lon", "az", "dist_km"), [
    (55.0, 45.0, 20.0, 9000.0),  # ICBM range, near-polar
    (40.0, 60.0, 260.0, 4000.0),  # westward, against the rotation
])
def test_boost_and_reentry_match_independent_integration(lat, lon, az, dist_km):
    aim_lon, aim_lat, _ = GEOD.fwd(lon, lat, az, dist_km * 1e3)
    b = T.solve(SPEC, lat, lon, aim_lat, aim_lon, step_s=10.0)
    assert b.status[0] == 0
    kick, t_cut, psi = b.controls[0]
    y_bo, t_imp, y_imp, sols = fly_dop853(SPEC, lat, lon, kick, t_cut, psi, SPEC.rv_beta_kg_m2)
    # burnout: RK4 at 1 s steps over a smooth boost; 50 m and 0.5 m/s (0.5 m/s is ~1 km at impact)
    assert b.events_t_s[0, 0] == pytest.approx(t_cut, abs=1e-9)
    bo = b.events_state[0, 0]
    assert np.linalg.norm(bo[:3] - y_bo[:3]) < 50.0
    assert np.linalg.norm(bo[3:] - y_bo[3:]) < 0.5
    # impact point on the ground: 1 km (the trajectory solver's miss budget is 200 m)
    assert b.events_t_s[0, 3] == pytest.approx(t_imp, abs=1.0)
    imp_ecef = eci_to_ecef(y_imp[:3], t_imp)
    ilon, ilat, _ = TO_GEO.transform(*imp_ecef)
    _, _, miss = GEOD.inv(ilon, ilat, b.impact_lon_deg[0], b.impact_lat_deg[0])
    assert miss < 100.0  # measured: ~10 m (RK4, 2 s / 4 s boost steps, vs DOP853 rtol 1e-11)
    # and the impact speed (drag-dominated last 100 km): 1 % of ~2-7 km/s
    assert np.linalg.norm(b.events_state[0, 3, 3:]) == pytest.approx(np.linalg.norm(y_imp[3:]), rel=1e-2)
    # along the whole path, the sampled states follow the reference within 1 km / 2 m/s
    rows = b.samples[0][np.isfinite(b.samples[0, :, 0])]
    rows = rows[rows[:, 0] < t_imp - 1.0]
    ref = dense(sols, rows[:, 0])
    assert np.nanmax(np.linalg.norm(rows[:, 1:4] - ref[:, :3], axis=-1)) < 1000.0
    # velocity: 2 m/s, except at the instants of staging (the reference is piecewise)
    assert np.nanmax(np.linalg.norm(rows[:, 4:7] - ref[:, 3:], axis=-1)) < 2.0
