"""Re-flown interceptor paths (what the explorer draws) against an independent high-precision integration of
the same model, against the engagement engine's fly-out times, and against their own reported misses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from bmdsim.analysis.engage import run_engagements
from bmdsim.core.earth import MU_EARTH_M3_PER_S2, R_MEAN_M, geodetic_to_ecef
from bmdsim.core.flyout_path import fly_planar, flyout_paths, point_ecef, solve_elevation
from bmdsim.model.architecture import resolve
from bmdsim.model.catalogs import Catalog
from bmdsim.model.scenario import expand_variants, load_scenario
from bmdsim.model.trajectories import solve_one


def reference_flight(kin, elev_rad, t_eval):
    """The baseline model integrated independently: DOP853, rtol 1e-11, the burn switched off exactly at tb
    (two integrations), with the model's thrust acceleration for the elevation. Returns ground range (m) and
    altitude (m) above the sphere of radius R_MEAN_M."""
    from bmdsim.core.flyout_path import thrust_accel_m_s2

    a = float(thrust_accel_m_s2(kin, np.array([elev_rad]))[0])
    thrust = np.array([a * math.cos(elev_rad), a * math.sin(elev_rad)])

    def rhs(on):
        def f(_, s):
            r = s[:2]
            g = -MU_EARTH_M3_PER_S2 * r / np.linalg.norm(r) ** 3
            return np.concatenate([s[2:], g + (thrust if on else 0.0)])
        return f

    s0 = np.array([0.0, R_MEAN_M, 0.0, 0.0])
    burn = solve_ivp(rhs(True), (0.0, kin.tb_s), s0, method="DOP853", rtol=1e-11, atol=1e-6, dense_output=True)
    coast = solve_ivp(rhs(False), (kin.tb_s, max(t_eval[-1], kin.tb_s + 1.0)), burn.y[:, -1], method="DOP853",
                      rtol=1e-11, atol=1e-6, dense_output=True)
    xy = np.array([burn.sol(t)[:2] if t <= kin.tb_s else coast.sol(t)[:2] for t in t_eval])
    return R_MEAN_M * np.arctan2(xy[:, 0], xy[:, 1]), np.hypot(xy[:, 0], xy[:, 1]) - R_MEAN_M


@pytest.mark.parametrize("name,elev_deg", [("SM-3-IIA", 30.0), ("SM-3-IIA", 75.0), ("GBI-2", 45.0), ("THAAD", 60.0)])
def test_planar_integrator_matches_dop853(name, elev_deg):
    kin = Catalog.builtin().interceptor(name).kinematics()
    t, g, h = fly_planar(np.radians([elev_deg]), kin, min(kin.t_max_s, 600.0), 1.0)
    live = np.isfinite(g[0])
    tt = t[live][:: max(1, live.sum() // 40)]
    g_ref, h_ref = reference_flight(kin, math.radians(elev_deg), tt)
    gi = np.interp(tt, t[live], g[0][live])
    hi = np.interp(tt, t[live], h[0][live])
    # 5 m: fixed-step RK4 with 1 s steps (burn end on a step boundary) over <= 600 s of flight
    assert np.max(np.abs(gi - g_ref)) < 5.0
    assert np.max(np.abs(hi - h_ref)) < 5.0


def test_coast_conserves_energy():
    kin = Catalog.builtin().interceptor("SM-3-IIB").kinematics()
    t, g, h = fly_planar(np.radians([50.0]), kin, 500.0, 0.25)
    # speed from finite differences of the polar position after burnout; energy v^2/2 - mu/r constant
    th, r = g[0] / R_MEAN_M, h[0] + R_MEAN_M
    x, y = r * np.sin(th), r * np.cos(th)
    k = (t > kin.tb_s + 2) & np.isfinite(x)
    vx, vy = np.gradient(x[k], t[k]), np.gradient(y[k], t[k])
    e = 0.5 * (vx**2 + vy**2) - MU_EARTH_M3_PER_S2 / r[k]
    assert np.ptp(e[2:-2]) / abs(np.mean(e)) < 1e-5


@pytest.fixture(scope="module")
def engagements():
    arch = resolve(expand_variants(load_scenario("epaa-phase-4"))[0].scenario.architecture)
    # Tabriz -> Lyon and Istanbul (Tehran -> Paris and -> Istanbul are beyond the recalibrated missiles' reach)
    cases = [("Iran-IRBM", (38.08, 46.29), (45.76, 4.84)), ("Iran-IRBM", (38.08, 46.29), (52.52, 13.40)),
             ("Sejjil-2", (38.08, 46.29), (41.0, 28.98))]
    out = []
    for missile, a, b in cases:
        ts = solve_one(missile, a, b, step_s=5.0)
        out.append(run_engagements(arch, ts))
    return out


def _requests(tab, which):
    reqs = []
    d = tab.first if which == "first" else tab.last
    for j, site in enumerate(tab.architecture.sites):
        if np.isfinite(d["t_s"][0, j]):
            alt = float(d["alt_km"][0, j]) * 1e3
            reqs.append((site.kin, site.site_ecef, float(d["launch_s"][0, j]), float(d["flyout_s"][0, j]),
                         point_ecef(float(d["lat"][0, j]), float(d["lon"][0, j]), alt), alt))
    return reqs


def test_first_intercept_paths_agree_with_the_engine(engagements):
    """First intercepts launch at the earliest launch and arrive after tau_min: the re-flown path must start
    at the site at that time and reach the intercept point when the engine says."""
    n = 0
    for tab in engagements:
        reqs = _requests(tab, "first")
        for req, path in zip(reqs, flyout_paths(reqs), strict=True):
            kin, site_ecef, launch_s, flyout_s, p_ecef, _ = req
            assert path is not None
            n += 1
            # 2 s: the engine's tau_min is bilinear in its table; the path crosses the point between fan members
            assert path.arrival_s == pytest.approx(flyout_s, abs=2.0)
            assert path.t_s[0] == pytest.approx(launch_s, abs=2.0)
            assert path.miss_km < 1.0
            start = geodetic_to_ecef(math.radians(path.lat_deg[0]), math.radians(path.lon_deg[0]), 0.0)
            assert np.linalg.norm(start - site_ecef) < 2e3  # starts at the site (the ground under it)
            assert path.alt_km[0] == pytest.approx(0.0, abs=0.01)
            assert np.all(np.diff(path.t_s) > 0)
    assert n >= 3


def test_reported_miss_is_the_distance_drawn(engagements):
    """Every path (first and last) reports how far its end lies from the intercept point; check that figure."""
    for tab in engagements:
        for which in ("first", "last"):
            reqs = _requests(tab, which)
            for req, path in zip(reqs, flyout_paths(reqs), strict=True):
                if path is None:
                    continue
                end = geodetic_to_ecef(math.radians(path.lat_deg[-1]), math.radians(path.lon_deg[-1]),
                                       path.alt_km[-1] * 1e3)
                assert np.linalg.norm(end - req[4]) / 1e3 == pytest.approx(path.miss_km, abs=0.01)


def test_solved_elevation_reaches_the_point_in_the_reference_model():
    kin = Catalog.builtin().interceptor("SM-3-IIA").kinematics()
    for g_km, h_km in ((300.0, 150.0), (800.0, 250.0), (100.0, 400.0)):
        aim = solve_elevation(kin, g_km * 1e3, h_km * 1e3, 0.0)
        assert aim is not None
        g_ref, h_ref = reference_flight(kin, aim.elevation_rad, np.linspace(0.0, aim.arrival_s, 400))
        # where the independent integration reaches the ground range, it is at the altitude asked for
        h_at = np.interp(g_km * 1e3, g_ref, h_ref)
        assert h_at == pytest.approx(h_km * 1e3, abs=300.0)  # 300 m: linear blend of members 0.11 deg apart
        assert g_ref[-1] == pytest.approx(g_km * 1e3, abs=2e3)


def test_unreachable_point_has_no_path():
    kin = Catalog.builtin().interceptor("THAAD").kinematics()
    assert solve_elevation(kin, 3000e3, 800e3, 100.0) is None


def reference_flight_3d(r0, v0, thrust, tb_s, t_eval):
    """The three-dimensional model integrated independently: DOP853, rtol 1e-11, thrust ``thrust`` (3,) m/s^2
    switched off exactly at tb (two integrations). Returns positions (k, 3) at ``t_eval``."""

    def rhs(on):
        def f(_, s):
            r = s[:3]
            return np.concatenate([s[3:], -MU_EARTH_M3_PER_S2 * r / np.linalg.norm(r) ** 3 + (thrust if on else 0.0)])
        return f

    s0 = np.concatenate([r0, v0])
    burn = solve_ivp(rhs(True), (0.0, tb_s), s0, method="DOP853", rtol=1e-11, atol=1e-6, dense_output=True)
    coast = solve_ivp(rhs(False), (tb_s, max(t_eval[-1], tb_s + 1.0)), burn.y[:, -1], method="DOP853", rtol=1e-11,
                      atol=1e-6, dense_output=True)
    return np.array([burn.sol(t)[:3] if t <= tb_s else coast.sol(t)[:3] for t in t_eval])


@pytest.mark.parametrize("carry", [False, True])
def test_three_dimensional_refly_passes_through_the_point_as_dop853_flies_it(carry):
    """A re-fly aimed at a point (with or without the site's rotation velocity): the aimed direction, flown by
    an independent DOP853 integration, passes within metres of the point at the re-fly's time of flight, and
    the re-fly's own samples follow that integration."""
    from bmdsim.core.earth import ecef_to_eci
    from bmdsim.core.flyout_path import (
        _direction,
        _launch_frame,
        fly_3d,
        model_point,
        refly,
        thrust_accel_m_s2,
    )

    kin = Catalog.builtin().interceptor("SM-3-IIA").kinematics()
    site = geodetic_to_ecef(math.radians(54.48), math.radians(17.1), 0.0)  # Redzikowo
    target = geodetic_to_ecef(math.radians(52.0), math.radians(24.0), 200e3)  # 520 km to the south-east, 200 km up
    t_l = 300.0
    p = model_point(ecef_to_eci(target, t_l + 300.0), 200e3)
    r0, v_site, up, east, north = _launch_frame(site, t_l)
    d_guess = p / np.linalg.norm(p) - up * float(up @ (p / np.linalg.norm(p)))
    az0 = math.atan2(float(d_guess @ east), float(d_guess @ north))
    rf = refly(kin, site, t_l, p, az0, math.radians(45.0), 250.0, carry_site_velocity=carry)
    assert rf is not None and rf.miss_m < 1.0
    assert np.allclose(rf.v0, v_site if carry else 0.0)
    d = _direction(rf.az_rad, rf.el_rad, up, east, north)[0]
    a = float(thrust_accel_m_s2(kin, np.array([rf.el_rad]))[0])
    t_eval = np.linspace(0.0, rf.tau_s, 30)
    ref = reference_flight_3d(r0, rf.v0, a * d, kin.tb_s, t_eval)
    # 10 m: fixed-step RK4 (1 s steps, burnout on a step boundary) against DOP853 over ~300 s of flight
    assert np.linalg.norm(ref[-1] - p) < 10.0
    _, _, t, r = fly_3d(r0, rf.v0, d[None], np.array([a]), kin.tb_s, rf.tau_s, record=True)
    mine = np.column_stack([np.interp(t_eval, t, r[0, :, k]) for k in range(3)])
    # linear interpolation between 1 s steps: chord error below |a| dt^2 / 8 ~ 10 m during the burn
    assert np.max(np.linalg.norm(mine - ref, axis=1)) < 20.0
    # the site's rotation changes the aim: the two solutions differ
    other = refly(kin, site, t_l, p, az0, math.radians(45.0), 250.0, carry_site_velocity=not carry)
    assert other is not None and abs(other.az_rad - rf.az_rad) + abs(other.el_rad - rf.el_rad) > 1e-4
