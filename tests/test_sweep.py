"""Sweeps on dask.distributed: a 2-worker LocalCluster gives exactly the single-process results."""

from __future__ import annotations

import numpy as np

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
