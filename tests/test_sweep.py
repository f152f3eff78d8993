"""Sweeps on dask.distributed: a 2-worker LocalCluster gives exactly the single-process results."""

from __future__ import annotations

import numpy as np
import pytest

from bmdsim.analysis import envelope as envmod
from bmdsim.analysis.run import run_scenario
from bmdsim.analysis.sweep import map_chunks
from bmdsim.model.scenario import Scenario, load_scenario, merge


def _square(x):
    return x * x


def test_map_chunks_keeps_order_on_a_local_cluster():
    assert map_chunks(_square, list(range(12)), scheduler="local", jobs=2) == [x * x for x in range(12)]


def test_envelope_and_scenario_sweep_identical_on_local_cluster():
    th = envmod.envelope_threats(step_s=10.0, decision_time_s=30.0)
    kw = dict(grid_deg=10.0, bbox=(-10.0, 50.0, 50.0, 80.0), threats=th)
    a = envmod.safe_envelope(**kw)
    b = envmod.safe_envelope(scheduler="local", jobs=2, **kw)
    np.testing.assert_array_equal(np.nan_to_num(a.safe_vbo_kms, nan=-1), np.nan_to_num(b.safe_vbo_kms, nan=-1))
    base = load_scenario("epaa-phase-2")
    scn = Scenario.model_validate(merge(base.model_dump(by_alias=True),
                                        {"sweep": {"options.vbo_kms": [2.5, 3.5]}}))
    r1 = run_scenario(scn)
    r2 = run_scenario(scn, scheduler="local", jobs=2)
    assert r1.labels == r2.labels
    for t1, t2 in zip(r1.tables, r2.tables, strict=True):
        np.testing.assert_array_equal(t1.engageable, t2.engageable)
        np.testing.assert_array_equal(t1.shots, t2.shots)
    assert r1.summary() == r2.summary()


@pytest.fixture(scope="module")
def client():
    from bmdsim.analysis.sweep import local_client

    c = local_client(2)
    yield c
    c.__dict__.pop("_bmdsim_shared", None)
    c.close()
    c.cluster.close()


def test_a_reused_client_sends_new_shared_data_and_keeps_results_identical(client):
    """A warm client reuses the scattered threats of the last call only while they are the same object."""
    kw = dict(grid_deg=10.0, bbox=(-10.0, 50.0, 50.0, 80.0))
    th_a = envmod.envelope_threats(step_s=10.0, decision_time_s=30.0)
    th_b = envmod.envelope_threats(step_s=10.0, decision_time_s=400.0)  # later launch: a larger safe vbo
    want_a = envmod.safe_envelope(threats=th_a, **kw).safe_vbo_kms
    want_b = envmod.safe_envelope(threats=th_b, **kw).safe_vbo_kms
    assert not np.array_equal(np.nan_to_num(want_a, nan=-1), np.nan_to_num(want_b, nan=-1))
    for th, want in ((th_a, want_a), (th_a, want_a), (th_b, want_b), (th_a, want_a)):
        got = envmod.safe_envelope(threats=th, client=client, **kw).safe_vbo_kms
        np.testing.assert_array_equal(np.nan_to_num(got, nan=-1), np.nan_to_num(want, nan=-1))


def test_footprint_identical_on_a_cluster(client, monkeypatch):
    from bmdsim.analysis import footprint as fpmod
    from bmdsim.model.architecture import load_architecture, resolve
    from bmdsim.model.catalogs import Catalog

    monkeypatch.setattr(fpmod, "POINTS_PER_CHUNK", 64)  # several batches even on this small grid
    arch = resolve(load_architecture("tests/data/arch_test.yaml"))
    p = Catalog.builtin().place("tabriz")
    kw = dict(grid_deg=1.0, bbox=(15.0, 35.0, 36.0, 48.0), min_city_population=2_000_000)
    a = fpmod.footprint(arch, ["Sejjil-2", "Shahab-3"], (p.lat_deg, p.lon_deg, "tabriz"), **kw)
    seen = []
    b = fpmod.footprint(arch, ["Sejjil-2", "Shahab-3"], (p.lat_deg, p.lon_deg, "tabriz"), client=client,
                        progress=lambda done, total: seen.append((done, total)), **kw)
    np.testing.assert_array_equal(a.shots_by_missile, b.shots_by_missile)
    np.testing.assert_array_equal(a.defended, b.defended)
    assert a.cities == b.cities and a.summary() == b.summary()
    assert seen and all(d <= t for d, t in seen) and max(t for _, t in seen) > 1
    assert np.nansum(a.defended) > 0 and np.nansum(a.defended == 0) > 0  # a non-trivial map


def test_deterrent_ladder_identical_on_a_cluster(client):
    from bmdsim.analysis.deterrent import deterrent_matrix
    from bmdsim.model.architecture import parse_architecture
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import ThreatList
    from bmdsim.model.trajectories import solve_trajectories

    la, lo = Catalog.builtin().place("barents").lat_deg, Catalog.builtin().place("barents").lon_deg
    aims = ["washington", "seattle"]
    tl = ThreatList(("SS-N-23",) * 2, ("barents",) * 2, tuple(aims), (la,) * 2, (lo,) * 2,
                    tuple(Catalog.builtin().place(a).lat_deg for a in aims),
                    tuple(Catalog.builtin().place(a).lon_deg for a in aims))
    ts = solve_trajectories(list(tl.missile), tl.launch_lat, tl.launch_lon, tl.aim_lat, tl.aim_lon, step_s=5.0)
    spec = parse_architecture({"name": "ship", "sites": [{"name": "ship", "place": "barents_sea",
                                                          "interceptor": "SM-3-IIA", "sensors": ["SPY-1"]}]})
    a = deterrent_matrix(spec, threats=(tl, ts), vbo_step_kms=1.0)
    b = deterrent_matrix(spec, threats=(tl, ts), vbo_step_kms=1.0, client=client)
    np.testing.assert_array_equal(a.vbo_needed_kms, b.vbo_needed_kms)
    assert np.isfinite(a.vbo_needed_kms).any()
    assert a.rows() == b.rows()


def test_a_user_missile_footprint_is_identical_on_a_cluster(client, tmp_path):
    """A missile only a user catalog knows (a lighter-payload Sejjil-2: it reaches farther): the workers get
    the catalog context with the work, and the map equals the in-process one (and differs from the
    built-in missile's)."""
    import yaml

    from bmdsim.analysis import footprint as fpmod
    from bmdsim.model.architecture import load_architecture, resolve
    from bmdsim.model.catalogs import Catalog

    cat = Catalog.builtin()
    m = cat.missile("Sejjil-2").model_dump(mode="json", by_alias=True, exclude_none=True)
    m.update(name="MY-SEJJIL-LIGHT", aliases=[],
             payload_mass_kg={"value": 0.6 * m["payload_mass_kg"]["value"], "notional": True, "note": "test"})
    f = tmp_path / "light.yaml"
    f.write_text(yaml.safe_dump({"missiles": [m]}))
    mine = cat.extend(f)
    arch = resolve(load_architecture("tests/data/arch_test.yaml"), catalog=mine)
    p = cat.place("tabriz")
    kw = dict(grid_deg=2.0, bbox=(10.0, 40.0, 34.0, 56.0), min_city_population=5_000_000, refine=False)
    a = fpmod.footprint(arch, ["MY-SEJJIL-LIGHT"], (p.lat_deg, p.lon_deg, "tabriz"), catalog=mine, **kw)
    b = fpmod.footprint(arch, ["MY-SEJJIL-LIGHT"], (p.lat_deg, p.lon_deg, "tabriz"), catalog=mine, client=client,
                        **kw)
    np.testing.assert_array_equal(a.shots_by_missile, b.shots_by_missile)
    assert a.summary() == b.summary()
    ref = fpmod.footprint(arch, ["Sejjil-2"], (p.lat_deg, p.lon_deg, "tabriz"), **kw)
    assert np.isfinite(a.shots_by_missile).sum() > np.isfinite(ref.shots_by_missile).sum()  # it reaches farther
