"""Analyses: footprint, deterrent matrix, criteria, safe envelope, stability arithmetic.

Each aggregate is checked against direct engagement calls (or a hand-worked example), never against
its own earlier output.
"""

from __future__ import annotations

import numpy as np
import pytest

from bmdsim.analysis import envelope as envmod
from bmdsim.analysis.criteria import Criteria, check_limits, verdict
from bmdsim.analysis.deterrent import deterrent_matrix
from bmdsim.analysis.engage import run_engagements
from bmdsim.analysis.footprint import footprint
from bmdsim.analysis.stability import Forces, exchange
from bmdsim.core.earth import geodetic_to_ecef
from bmdsim.core.engagement import engage_site
from bmdsim.core.flyout import build_flyout_table
from bmdsim.model.architecture import parse_architecture, resolve
from bmdsim.model.catalogs import Catalog
from bmdsim.model.trajectories import solve_trajectories

ONE_SITE = {
    "name": "one-site",
    "sites": [{"name": "site", "lat_deg": 44.08, "lon_deg": 24.4, "interceptor": "SM-3-IB", "inventory": 24,
               "sensors": ["SPY-1"]}],
    "sensors": ["TPY2-KURECIK"],
    "links": [{"sensor": "TPY2-KURECIK", "sites": "all"}],
    "rules": {"decision_time_s": 30},
}
LAUNCH = (Catalog.builtin().place("tabriz").lat_deg, Catalog.builtin().place("tabriz").lon_deg, "tabriz")
BBOX = (20.0, 36.0, 38.0, 50.0)  # lon_min, lon_max, lat_min, lat_max: 32 x 24 cells at 0.5 deg


def arch(**over):
    return resolve(parse_architecture(ONE_SITE), **over)


@pytest.fixture(scope="module")
def fp_base():
    return footprint(arch(), ["Sejjil-2"], LAUNCH, grid_deg=0.5, bbox=BBOX, min_city_population=10**9)


def test_footprint_matches_direct_engagements_on_every_cell(fp_base):
    """>= 500 cells: the (refined) footprint equals direct trajectory + engagement calls per cell."""
    glat, glon = np.meshgrid(fp_base.lat_deg, fp_base.lon_deg, indexing="ij")
    assert glat.size >= 500
    ts = solve_trajectories("Sejjil-2", LAUNCH[0], LAUNCH[1], glat.ravel(), glon.ravel(), step_s=5.0)
    tab = run_engagements(arch(), ts)
    from bmdsim.core.geodesy import inverse

    d, _, _ = inverse(LAUNCH[0], LAUNCH[1], glat.ravel(), glon.ravel())
    threatened = ts.ok & (d <= 2000e3) & (d > 50e3)
    direct = np.where(threatened, tab.engageable.any(axis=1).astype(float), np.nan).reshape(glat.shape)
    got = fp_base.defended
    same = (np.isnan(direct) & np.isnan(got)) | (direct == got)
    assert same.all(), f"{(~same).sum()} cells differ"
    assert np.nansum(got) > 20 and np.nansum(got == 0) > 20  # a non-trivial boundary was tested


def test_footprint_grows_with_vbo_and_shrinks_with_delay(fp_base):
    faster = footprint(arch(vbo_kms=4.5), ["Sejjil-2"], LAUNCH, grid_deg=0.5, bbox=BBOX, min_city_population=10**9)
    slower = footprint(arch(decision_time_s=400.0), ["Sejjil-2"], LAUNCH, grid_deg=0.5, bbox=BBOX,
                       min_city_population=10**9)
    base = fp_base.defended == 1
    assert np.all(base <= (faster.defended == 1)) and (faster.defended == 1).sum() > base.sum()
    assert np.all((slower.defended == 1) <= base) and (slower.defended == 1).sum() < base.sum()


def test_footprint_outputs(fp_base, tmp_path):
    import json

    from bmdsim.analysis.footprint import write_footprint

    paths = write_footprint(fp_base, tmp_path, arch().sites)
    names = {p.name for p in paths}
    assert {"summary.json", "footprint.nc", "footprint.geojson", "footprint.kml", "footprint.png"} <= names
    gj = json.loads((tmp_path / "footprint.geojson").read_text())
    assert gj["type"] == "FeatureCollection"
    import xarray as xr

    ds = xr.open_dataset(tmp_path / "footprint.nc", engine="scipy")
    np.testing.assert_array_equal(np.nan_to_num(ds["defended"].values, nan=-1), np.nan_to_num(fp_base.defended, nan=-1))


@pytest.fixture(scope="module")
def deterrent_small():
    from bmdsim.model.scenario import ThreatList

    # a handful of SLBM threats from the Barents Sea, and a forward ship near the launch area
    la, lo = Catalog.builtin().place("barents").lat_deg, Catalog.builtin().place("barents").lon_deg
    aims = ["washington", "new_york", "seattle", "minot"]
    tl = ThreatList(("SS-N-23",) * 4, ("barents",) * 4, tuple(aims), (la,) * 4, (lo,) * 4,
                    tuple(Catalog.builtin().place(a).lat_deg for a in aims),
                    tuple(Catalog.builtin().place(a).lon_deg for a in aims))
    ts = solve_trajectories(list(tl.missile), tl.launch_lat, tl.launch_lon, tl.aim_lat, tl.aim_lon, step_s=5.0)
    spec = parse_architecture({"name": "ship", "sites": [{"name": "ship", "place": "barents_sea",
                                                           "interceptor": "SM-3-IIA", "sensors": ["SPY-1"]}]})
    return spec, tl, ts


def test_deterrent_vbo_needed_is_the_engagement_threshold(deterrent_small):
    spec, tl, ts = deterrent_small
    dm = deterrent_matrix(spec, threats=(tl, ts), vbo_step_kms=0.5)
    checked = 0
    for i in range(tl.n):
        v = dm.vbo_needed_kms[i]
        if not np.isfinite(v):
            continue
        at = run_engagements(resolve(spec, vbo_kms=float(v)), ts).engageable[i].any()
        below = run_engagements(resolve(spec, vbo_kms=float(v) - 0.5), ts).engageable[i].any() if v > 0.5 else False
        assert at and not below, (i, v)
        checked += 1
    assert checked >= 1


def test_criteria_limits_and_physics_verdict():
    a = arch()
    crit = Criteria.model_validate({
        "max_vbo_kms": 5.0,
        "forbidden_zones": [{"name": "north of 60N", "cap": {"north_of_deg": 60}},
                            {"name": "box around the site", "polygon": {"corners": [[43, 23], [43, 25], [45, 25],
                                                                                    [45, 23]]}}],
        "max_interceptors_per_zone": [{"zone": {"name": "Balkans", "box": {"lat_south": 40, "lat_north": 47,
                                                                           "lon_west": 20, "lon_east": 30}},
                                       "max": 10}],
        "radar_sectors": [{"sensor": "TPY2-KURECIK", "az_from_deg": 60, "az_to_deg": 150}],
    })
    res = {x["limit"]: x["met"] for x in check_limits(a, crit)}
    assert res["vbo <= 5.0 km/s"] is True  # SM-3-IB 3.0
    assert res["no site in north of 60N"] is True
    assert res["no site in box around the site"] is False  # the site is at 44.08N 24.4E
    assert res["<= 10 interceptors in Balkans"] is False  # 24 there
    assert "meets every written limit yet engages 3" in verdict([{"met": True}], 3, 100)
    assert "engages none" in verdict([{"met": True}], 0, 100)


def test_safe_envelope_at_random_cells():
    """At >= 50 cells: at the derived vbo nothing is engaged; at +0.25 km/s something is (below the ceiling)."""
    th = envmod.envelope_threats(step_s=10.0, decision_time_s=30.0)
    rng = np.random.default_rng(7)
    lats = rng.uniform(50.0, 75.0, 50)
    lons = rng.uniform(-10.0, 55.0, 50)
    kin0 = Catalog.builtin().interceptor("SM-3-IIA").kinematics()
    ladder = np.round(np.arange(1.0, 11.0 + 1e-9, 0.25), 6)
    import dataclasses

    below_ceiling = 0
    for la, lo in zip(lats, lons, strict=True):
        v = envmod.safe_vbo_cell((th, la, lo, kin0, ladder))
        site = geodetic_to_ecef(np.radians(la), np.radians(lo), 0.0)

        def engages(vbo, site=site):
            kin = dataclasses.replace(kin0, vbo_m_s=vbo * 1e3)
            r = engage_site(th.t_s, th.r_eci, th.v_eci, th.alt_m, site, th.t_launch_earliest_s,
                            build_flyout_table(kin), kin, 0.0, max_shots=1)
            return bool(r.engageable.any())

        if np.isnan(v):
            assert engages(1.0)
            continue
        assert not engages(v), (la, lo, v)
        if v < ladder[-1]:
            below_ceiling += 1
            assert engages(v + 0.25), (la, lo, v)
    assert below_ceiling >= 10


def test_stability_hand_worked_example():
    f = Forces.model_validate({
        "force": [{"system": "silo", "missile": "A", "basing": "silo", "launchers": 100, "warheads_per_launcher": 1},
                  {"system": "mobile", "missile": "B", "basing": "mobile", "launchers": 50,
                   "warheads_per_launcher": 3}],
        "first_strike": {"warheads_per_silo": 2, "sspk": 0.5, "mobile_survival": 0.6},
        "defense": {"inventory": 40, "single_shot_pk": 0.5, "shots_per_object": 2, "decoys_per_warhead": 1,
                    "engageable_share": {"A": 0.4, "B": 0.2}},
    })
    t = exchange(f).totals
    # by hand: silos survive (1-0.5)^2 = 0.25 -> 25 warheads; mobiles 150 x 0.6 = 90; total 115
    assert t["surviving"] == pytest.approx(115.0)
    # engageable: 25 x 0.4 + 90 x 0.2 = 10 + 18 = 28
    assert t["engageable"] == pytest.approx(28.0)
    # each warhead + 1 decoy x 2 shots = 4 interceptors; 40 interceptors engage 10 warheads
    assert t["engaged"] == pytest.approx(10.0)
    # kill probability 1 - 0.5^2 = 0.75 -> 7.5 killed; 107.5 penetrate
    assert t["killed"] == pytest.approx(7.5)
    assert t["penetrating"] == pytest.approx(107.5)


def test_safe_envelope_grid_equals_cellwise_bisection():
    """The grid run (galloping from a neighbour's value) gives the same values as plain bisection."""
    th = envmod.envelope_threats(step_s=10.0, decision_time_s=30.0)
    env = envmod.safe_envelope(grid_deg=8.0, bbox=(-10.0, 50.0, 50.0, 80.0), threats=th)
    kin0 = Catalog.builtin().interceptor("SM-3-IIA").kinematics()
    for i, la in enumerate(env.lat_deg):
        for j, lo in enumerate(env.lon_deg):
            v = envmod.safe_vbo_cell((th, float(la), float(lo), kin0, env.ladder_kms))
            assert (np.isnan(v) and np.isnan(env.safe_vbo_kms[i, j])) or v == env.safe_vbo_kms[i, j]


def test_default_force_respects_the_new_start_aggregate():
    """The per-system default force (estimates) stays within Russia's declared New START totals of
    5 Feb 2011 (1,537 warheads on 521 deployed launchers, bombers included), and says where that came from."""
    from bmdsim.analysis.stability import DEFAULT_FORCES, NEW_START_2011, load_forces

    f = load_forces(None)
    warheads = sum(x.launchers * x.warheads_per_launcher for x in f.force)
    launchers = sum(x.launchers for x in f.force)
    assert 0.8 * NEW_START_2011["deployed_warheads"] <= warheads <= NEW_START_2011["deployed_warheads"]
    assert launchers <= NEW_START_2011["deployed_launchers"]
    assert any("New START" in s and "http" in s for s in DEFAULT_FORCES["sources"])


def test_safe_envelope_bisection_agrees_with_a_scan_of_every_lower_rung():
    """The envelope bisects the vbo ladder, assuming that a site which engages some deterrent trajectory at a
    burnout speed engages some at every higher one. A single point is not engaged monotonically in vbo
    (bmdsim.core.flyout), so check the assumption where it matters: at sampled cells every rung below the
    bisected answer engages nothing (the answer is the first engaging rung from below, minus one)."""
    import dataclasses

    th = envmod.envelope_threats(step_s=10.0, decision_time_s=30.0)
    rng = np.random.default_rng(11)
    kin0 = Catalog.builtin().interceptor("SM-3-IIA").kinematics()
    ladder = np.round(np.arange(1.0, 11.0 + 1e-9, 0.25), 6)
    checked = 0
    for la, lo in zip(rng.uniform(52.0, 72.0, 8), rng.uniform(0.0, 50.0, 8), strict=True):
        v = envmod.safe_vbo_cell((th, la, lo, kin0, ladder))
        if np.isnan(v):
            continue
        site = geodetic_to_ecef(np.radians(la), np.radians(lo), 0.0)
        for rung in ladder[ladder <= v]:
            kin = dataclasses.replace(kin0, vbo_m_s=float(rung) * 1e3)
            r = engage_site(th.t_s, th.r_eci, th.v_eci, th.alt_m, site, th.t_launch_earliest_s,
                            build_flyout_table(kin), kin, 0.0, max_shots=1)
            assert not r.engageable.any(), (la, lo, v, rung)
        checked += 1
    assert checked >= 5
