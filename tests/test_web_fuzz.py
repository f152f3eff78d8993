"""Fuzzing the explorer's JSON API with hypothesis: every POST endpoint (the heavy jobs too, against the
recording job manager of test_web_hostile: what matters is what would be queued) gets bodies drawn as a
careless or hostile client would send them. A third are valid bodies with other valid values (so that the
success paths are fuzzed too), a third a valid body with one to three faults (a field set to a hostile
value, removed, or an unknown one added), a third free-form JSON (any nesting, NaN and Infinity, huge and
negative-zero numbers, control characters, lone surrogates, odd Unicode), written with Python's JSON
encoder, which lets NaN and Infinity through. Passing, for every example:

* no server error (status < 500);
* a refusal (4xx) is {detail, field}: a one-line message and the field, as documented;
* an accepted request stays within the CLI's limits: a trajectory or engagement at a step in [0.1, 60] s
  and within the samples per trajectory; a queued job at such a step and (footprint) with the grid cells
  and trajectories of all its passes within bmdsim.model.limits.

About 10 s in `make test` (``BMDSIM_WEB_FUZZ_EXAMPLES``, default 300, sets the number of examples);
derandomized, so a run is reproducible.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

fastapi = pytest.importorskip("fastapi")

from bmdsim.model import limits  # noqa: E402
from tests.test_web_hostile import VALID, assert_refusal, make_client  # noqa: E402

EXAMPLES = int(os.environ.get("BMDSIM_WEB_FUZZ_EXAMPLES", "300"))
PATHS = sorted(VALID)
FIELDS = ["missile", "from", "to", "step_s", "format", "epoch", "apogee_km", "flight_time_s", "gamma_deg",
          "scenario", "scenario_yaml", "architecture", "vbo_kms", "decision_time_s", "yaml", "launch_area",
          "missiles", "grid_deg", "k", "bbox", "template", "only", "envelope_grid_deg"]
GOOD = {  # cheap valid values (a drawn body stays quick when it is valid)
    "missile": ["Iran-IRBM", "Shahab-3", "Iskander"], "from": ["tabriz", "35.7,51.4", [35.7, 51.4]],
    "to": ["berlin", "deveselu", "44.4,26.1"], "step_s": [5, 10.0, 30], "format": ["json", "csv", "geojson"],
    "scenario": ["epaa-phase-1", "epaa-phase-3"], "vbo_kms": [3.0, 4.5], "decision_time_s": [0, 60],
    "grid_deg": [2.0, 10.0], "k": [1, 2], "missiles": [["Iran-IRBM"]], "template": ["SM-3-IB"],
    "only": [["C1"]], "envelope_grid_deg": [10.0], "launch_area": ["tabriz"], "epoch": ["2012-05-20"],
}
OPTIONAL = {(p, n) for p in ("/api/trajectory", "/api/engage") for n in ("step_s", "format")} | {
    ("/api/trajectory", "epoch"), ("/api/engage", "vbo_kms"), ("/api/engage", "decision_time_s"),
    ("/api/footprint", "k"), ("/api/footprint", "vbo_kms"), ("/api/deterrent", "vbo_kms"),
    ("/api/envelope", "template"), ("/api/envelope", "decision_time_s")}
NASTY_TEXT = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "\u202e\u200f\ufeff", "\uffff", "\U0001f680", "é" * 40,
              "../../etc/passwd", "/dev/zero", "%s%n", "{}", "[]", "NaN", "1e999", "\u22125", "45.5°S,30.5°W",
              "name: x\nextends: epaa-phase-1\n", "a: [" * 50, "&a [*a, *a]", "!!python/object:os.system x",
              "9" * 5000]
NASTY_NUMBERS = [float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 5e-324, -0.0, 0, -1, 10**30, -(10**30),
                 0.1, 0.0999999, 60.0000001, 3600.5, 15.0, 15.01]

leaves = st.one_of(
    st.none(), st.booleans(), st.sampled_from(NASTY_NUMBERS), st.sampled_from(NASTY_TEXT),
    st.integers(-(10**40), 10**40), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from([v for vs in GOOD.values() for v in vs]),
)
keys = st.one_of(st.sampled_from(FIELDS), st.sampled_from(NASTY_TEXT[:12]), st.text(max_size=12))
values = st.recursive(leaves, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(keys, kids, max_size=4),
                      max_leaves=12)
faults = st.one_of(st.sampled_from(NASTY_NUMBERS), st.sampled_from(NASTY_TEXT), st.floats(), values)  # a field's


@st.composite
def bodies(draw):
    path = draw(st.sampled_from(PATHS))
    kind = draw(st.sampled_from(["valid", "faults", "free"]))
    if kind == "valid":  # other valid values for the fields the endpoint has
        body = dict(VALID[path])
        for name in draw(st.lists(st.sampled_from(sorted(GOOD)), max_size=3)):
            if name in body or (path, name) in OPTIONAL:
                body[name] = draw(st.sampled_from(GOOD[name]))
    elif kind == "faults":  # a valid body with one to three faults
        body = dict(VALID[path])
        own = sorted(set(body) | {n for q, n in OPTIONAL if q == path})
        for _ in range(draw(st.integers(1, 3))):
            how = draw(st.sampled_from(["set", "set", "good", "drop", "add"]))
            name = draw(st.sampled_from(own if draw(st.integers(0, 9)) < 7 else FIELDS))
            if how == "set":
                body[name] = draw(faults)
            elif how == "good" and name in GOOD:
                body[name] = draw(st.sampled_from(GOOD[name]))
            elif how == "drop" and body:
                body.pop(draw(st.sampled_from(sorted(body))))
            elif how == "add":
                body[draw(keys)] = draw(values)
    else:
        body = draw(values)
    return path, json.dumps(body, allow_nan=True).encode()


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    client, jobs = make_client(tmp_path_factory.mktemp("explorer"))
    with client:
        yield client, jobs


def check_answered(path: str, raw: bytes) -> None:
    """A trajectory or engagement that was answered is within the CLI's step range and samples limit."""
    from bmdsim.model.trajectories import Shape

    if path not in ("/api/trajectory", "/api/engage"):
        return
    body = json.loads(raw)
    step = limits.check_step(body.get("step_s", 10.0 if path == "/api/trajectory" else 5.0))
    shape = Shape.from_options(body.get("apogee_km"), body.get("flight_time_s"), body.get("gamma_deg"))
    n = limits.samples_per_trajectory(body["missile"], step, shape)
    assert n <= limits.LIMITS["samples_per_trajectory"].value


def check_queued(kind: str, p: dict) -> None:
    """A job that reached the queue is within the CLI's limits."""
    from bmdsim.analysis.grids import make_grid
    from bmdsim.web.heavy import grid_passes

    if kind != "footprint":
        return
    limits.check_step(p["step_s"])  # a scenario's step, or the request's
    cells = sum(make_grid(p["bbox"], g).cells for g in grid_passes(p["grid_deg"], p["bbox"]))
    assert cells <= limits.LIMITS["grid_cells"].value
    assert cells * len(p["missiles"]) <= limits.LIMITS["trajectories"].value


@given(case=bodies())
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_no_server_error_and_documented_refusals(api, case):
    client, jobs = api
    path, raw = case
    before = len(jobs.submitted)
    r = client.post(path, content=raw, headers={"content-type": "application/json"})
    assert r.status_code < 500, (path, raw[:300], r.text[:500])
    if r.status_code >= 400:
        assert_refusal(r)
        assert len(jobs.submitted) == before
    else:
        check_answered(path, raw)
    for kind, params in jobs.submitted[before:]:
        check_queued(kind, params)
