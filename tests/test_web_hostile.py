"""Hostile requests to every POST endpoint of the explorer's API (issue 14, with issue 11's input rules):
each answers 4xx with {detail, field} (never a server error), the same bounds and messages as the CLI
(the library's checks: sample step, burnout speed, work limits), and a heavy job is queued only within the
CLI's work limits. The job endpoints run against a recording job manager (no worker process): what matters
here is what reaches the queue."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from bmdsim.cli import main  # noqa: E402
from bmdsim.model import limits  # noqa: E402
from bmdsim.web import service  # noqa: E402
from bmdsim.web.app import Settings, create_app  # noqa: E402
from bmdsim.web.jobs import Job  # noqa: E402

BASE = "http://127.0.0.1:8000"
THREAT = {"missile": "Iran-IRBM", "from": "tabriz", "to": "berlin"}
SMALL_BOX = {"lon_min": 18.0, "lon_max": 30.0, "lat_min": 40.0, "lat_max": 48.0}
# a valid body per POST endpoint (the job ones are only queued here)
VALID = {
    "/api/trajectory": dict(THREAT),
    "/api/engage": {"scenario": "epaa-phase-3", **THREAT},
    "/api/scenarios/validate": {"yaml": "name: x\nextends: epaa-phase-1\n"},
    "/api/footprint": {"scenario": "epaa-phase-3", "launch_area": "tabriz", "grid_deg": 2.0, "bbox": SMALL_BOX,
                       "missiles": ["Iran-IRBM"]},
    "/api/deterrent": {"scenario": "epaa-phase-3"},
    "/api/envelope": {"grid_deg": 10.0},
    "/api/claims": {"only": ["C1"], "envelope_grid_deg": 10.0},
}
JOB_PATHS = ("/api/footprint", "/api/deterrent", "/api/envelope", "/api/claims")


class RecordingJobs:
    """Stands in for :class:`bmdsim.web.jobs.JobManager`: records each queued job and finishes it at once
    (one ``result`` event), so that a job endpoint's answer is its validation and what it would queue."""

    def __init__(self):
        import threading

        self.ready = threading.Event()  # GET /api/health reports it; no worker here
        self.submitted: list[tuple[str, dict]] = []
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)

    def start(self):
        pass

    def stop(self):
        pass

    def submit(self, kind: str, params) -> Job:
        job = Job(next(self._ids), kind, folder=None)
        job.state = "done"
        job.events.append(("result", {"job": job.id, "kind": kind, "files": []}))
        self._jobs[job.id] = job
        self.submitted.append((kind, params))
        return job

    def get(self, job_id: int):
        return self._jobs.get(job_id)

    def subscribe(self, job: Job) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue()
        for ev in job.events:
            q.put_nowait(ev)
        return q

    def unsubscribe(self, job, q):
        pass

    def cancel(self, job_id: int):
        pass


def make_client(tmp_path, **settings) -> tuple[TestClient, RecordingJobs]:
    app = create_app(Settings(warm=False, worker=False, out_dir=tmp_path, **settings))
    jobs = RecordingJobs()
    app.state.jobs = jobs
    return TestClient(app, base_url=BASE, raise_server_exceptions=False), jobs


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    client, jobs = make_client(tmp_path_factory.mktemp("explorer"))
    with client:
        yield client, jobs


def post_raw(client, path: str, raw: bytes):
    return client.post(path, content=raw, headers={"content-type": "application/json"})


def assert_refusal(r, status: int | None = None, field: str | None = None) -> dict:
    """A 4xx answer in the documented shape: one-line detail, a field."""
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:500])
    if status is not None:
        assert r.status_code == status, r.text[:500]
    body = r.json()
    assert isinstance(body.get("detail"), str) and body["detail"] and "\n" not in body["detail"], body
    assert isinstance(body.get("field"), str) and body["field"], body
    if field is not None:
        assert body["field"] == field, body
    return body


def cli_error(capsys, *args) -> str:
    """The CLI's one-line refusal (without `bmdsim: error: `) of ``args``; it must refuse them."""
    capsys.readouterr()
    code = main(list(args))
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and err.startswith("bmdsim: error: "), err
    return err.removeprefix("bmdsim: error: ")


def test_valid_bodies_are_accepted(api):
    client, jobs = api
    for path, body in VALID.items():
        r = client.post(path, json=body)
        assert r.status_code == 200, (path, r.text[:300])
    assert [k for k, _ in jobs.submitted[-4:]] == ["footprint", "deterrent", "envelope", "claims"]


# ----------------------------------------------------------------------------- what a new user found
def test_huge_vbo_is_the_clis_refusal_on_field_vbo_kms(api, capsys):
    client, _ = api
    msg = cli_error(capsys, "engage", "--architecture", "epaa-phase-3", "--missile", "Iran-IRBM", "--from", "tabriz",
                    "--to", "berlin", "--vbo-kms", "1e308")
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT, "vbo_kms": 1e308})
    assert assert_refusal(r, 422, "vbo_kms")["detail"] == msg
    for path in ("/api/footprint", "/api/deterrent"):
        r = client.post(path, json={**VALID[path], "vbo_kms": 1e308})
        assert assert_refusal(r, 422, "vbo_kms")["detail"] == msg


def test_vbo_bound_is_the_librarys_at_every_entry(api, capsys):
    """The request override, an inline architecture's site and the CLI share one bound: the library's
    (the top is accepted, just above it refused, with the CLI's message for the override)."""
    from bmdsim.model.interceptors import VBO_MAX_KMS

    client, _ = api
    above = VBO_MAX_KMS + 0.01
    msg = cli_error(capsys, "engage", "--architecture", "epaa-phase-3", "--missile", "Iran-IRBM", "--from", "tabriz",
                    "--to", "berlin", "--vbo-kms", str(above))
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT, "vbo_kms": above})
    assert assert_refusal(r, 422, "vbo_kms")["detail"] == msg
    assert client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT, "vbo_kms": VBO_MAX_KMS}
                       ).status_code == 200
    site = {"name": "s", "place": "deveselu", "interceptor": "SM-3-IB"}
    ok = client.post("/api/engage", json={"architecture": {"name": "a", "sites": [{**site, "vbo_kms": VBO_MAX_KMS}]},
                                          **THREAT})
    assert ok.status_code == 200, ok.text
    bad = client.post("/api/engage", json={"architecture": {"name": "a", "sites": [{**site, "vbo_kms": above}]},
                                           **THREAT})
    assert "sites.0.vbo_kms" in assert_refusal(bad, 422, "architecture")["detail"]


@pytest.mark.parametrize("path", ["/api/trajectory", "/api/engage"])
@pytest.mark.parametrize("step", ["1e-9", "0.01", "0.0999", "60.5", "-0.0"])
def test_step_is_the_clis_range_and_message(api, capsys, path, step):
    client, _ = api
    msg = cli_error(capsys, "trajectory", "--missile", "Iran-IRBM", "--from", "tabriz", "--to", "berlin",
                    "--step-s", step)
    r = client.post(path, json={**VALID[path], "step_s": float(step)})
    assert assert_refusal(r, 422, "step_s")["detail"] == msg.replace("--step-s", "step_s")


def test_samples_per_trajectory_limit_is_the_clis(api, capsys):
    """A long flight at the finest step: the CLI's size estimate and limit, stated before any work."""
    client, _ = api
    args = ["--missile", "SS-27", "--from", "teykovo", "--to", "washington", "--flight-time-s", "9000",
            "--step-s", "0.1"]
    msg = cli_error(capsys, "trajectory", *args)
    head = msg.split(":")[0]  # 'trajectory would need N samples per trajectory (limit L)'
    assert f"(limit {limits.LIMITS['samples_per_trajectory'].value:,.0f})" in head
    body = {"missile": "SS-27", "from": "teykovo", "to": "washington", "flight_time_s": 9000, "step_s": 0.1}
    got = assert_refusal(client.post("/api/trajectory", json=body), 422, "step_s")["detail"]
    assert got.split(":")[0] == head and "raise step_s (now 0.1 s)" in got and "--force" in got
    eng = assert_refusal(client.post("/api/engage", json={"scenario": "epaa-phase-3", **body}), 422, "step_s")
    assert eng["detail"].split(":")[0] == head.replace("trajectory would", "engage would")


def test_output_bytes_limit_is_the_clis(api, capsys, monkeypatch):
    """The output-size limit per format: with the library's limit lowered, the CLI and the API refuse the same
    JSON trajectory (the API reads bmdsim.model.limits, it does not copy it)."""
    monkeypatch.setitem(limits.LIMITS, "output_bytes", limits.Limit(1000, "bytes in one output file"))
    msg = cli_error(capsys, "trajectory", "--missile", "Iran-IRBM", "--from", "tabriz", "--to", "berlin")
    client, _ = api
    got = assert_refusal(client.post("/api/trajectory", json=dict(THREAT)), 422, "step_s")["detail"]
    assert got.split(":")[0] == msg.split(":")[0] and "bytes in one output file" in got


def test_body_that_is_not_json_names_the_body(api):
    client, _ = api
    for raw in (b"not json", b"\xff\xfe", b'{"missile": "SS-27",}', b"[" * 10_000, b""):
        body = assert_refusal(post_raw(client, "/api/engage", raw), 422, "body")
        assert "JSON" in body["detail"] or "required" in body["detail"], body


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_name_their_field(api, value):
    client, _ = api
    raw = json.dumps({"scenario": "epaa-phase-3", **THREAT})[:-1] + f', "decision_time_s": {value}}}'
    body = assert_refusal(post_raw(client, "/api/engage", raw.encode()), 422, "decision_time_s")
    assert "finite" in body["detail"]
    arch = {"name": "a", "sites": [{"name": "s", "place": "deveselu", "interceptor": "SM-3-IB"}]}
    raw = json.dumps({"architecture": arch, **THREAT}).replace('"SM-3-IB"}', f'"SM-3-IB", "vbo_kms": {value}}}')
    assert_refusal(post_raw(client, "/api/engage", raw.encode()), 422, "architecture.sites.0.vbo_kms")


@pytest.mark.parametrize("value", [-1.0, -0.001, 3600.5, 1e308])
def test_decision_time_range_is_the_scenario_options(api, value):
    """A decision-time override takes what a scenario's options.decision_time_s takes (the library's model)."""
    from pydantic import ValidationError

    from bmdsim.model.scenario import Options

    with pytest.raises(ValidationError):
        Options(decision_time_s=value)
    client, _ = api
    for path in ("/api/engage", "/api/footprint", "/api/deterrent", "/api/envelope"):
        assert_refusal(client.post(path, json={**VALID[path], "decision_time_s": value}), 422, "decision_time_s")


# ----------------------------------------------------------------------------- every POST endpoint
ALWAYS_BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "true", '"5"', "[1]", '{"a": 1}',
                      "1e308", "-1e308"]
ODD_NUMBERS = ["-0.0", "0", "null", "1e-300", "123456789012345678901234567890"]
STRINGS = ['""', '"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"\\udfff x"', '"\\u202e\\u200f\\ufeff"', '"\\uffff"',
           '"\\ud83d\\ude80"', '"../../etc/passwd"', '"/dev/zero"', json.dumps("x" * 200_000), "1", "true", "null",
           "[]", "{}", "[" * 60 + "]" * 60]
LONE_SURROGATES = ('"\\ud800"', '"\\udfff x"')
NUMBER_FIELDS = {
    "/api/trajectory": ["apogee_km", "flight_time_s", "gamma_deg", "step_s"],
    "/api/engage": ["apogee_km", "flight_time_s", "gamma_deg", "step_s", "vbo_kms", "decision_time_s"],
    "/api/footprint": ["grid_deg", "k", "step_s", "vbo_kms", "decision_time_s"],
    "/api/deterrent": ["vbo_kms", "decision_time_s"],
    "/api/envelope": ["grid_deg", "decision_time_s"],
    "/api/claims": ["envelope_grid_deg"],
}
STRING_FIELDS = {
    "/api/trajectory": ["missile", "from", "to", "format", "epoch"],
    "/api/engage": ["missile", "from", "to", "scenario", "scenario_yaml", "format"],
    "/api/scenarios/validate": ["yaml"],
    "/api/footprint": ["launch_area", "scenario", "scenario_yaml"],
    "/api/deterrent": ["scenario", "scenario_yaml"],
    "/api/envelope": ["template"],
}


def with_field(path: str, name: str, raw_value: str) -> bytes:
    """The valid body of ``path`` with ``name`` set to the JSON text ``raw_value`` (written as is, so that
    NaN, Infinity and out-of-range literals reach the server)."""
    body = {k: v for k, v in VALID[path].items() if k != name}
    if name in ("scenario_yaml", "architecture"):
        body.pop("scenario", None)
    text = json.dumps(body)
    return (text[:-1] + (", " if body else "") + f"{json.dumps(name)}: {raw_value}}}").encode()


@pytest.mark.parametrize("path,name", [(p, n) for p, ns in NUMBER_FIELDS.items() for n in ns])
def test_number_fields_refuse_what_is_not_a_finite_number_in_range(api, path, name):
    client, jobs = api
    before = len(jobs.submitted)
    for raw in ALWAYS_BAD_NUMBERS:
        assert_refusal(post_raw(client, path, with_field(path, name, raw)), 422, name)
    assert len(jobs.submitted) == before  # nothing refused reached the queue
    for raw in ODD_NUMBERS:
        r = post_raw(client, path, with_field(path, name, raw))
        assert r.status_code < 500, (raw, r.text[:300])
        if r.status_code >= 400:
            assert_refusal(r)


@pytest.mark.parametrize("path,name", [(p, n) for p, ns in STRING_FIELDS.items() for n in ns])
def test_string_fields_never_fail_the_server(api, path, name):
    client, _ = api
    for raw in STRINGS:
        r = post_raw(client, path, with_field(path, name, raw))
        assert r.status_code < 500, (raw[:80], r.text[:300])
        if r.status_code >= 400:
            assert_refusal(r)
        if raw in LONE_SURROGATES:  # not Unicode text
            assert_refusal(r, 422, name)


@pytest.mark.parametrize("path", list(VALID))
def test_bodies_of_the_wrong_shape(api, path):
    client, _ = api
    deep = '{"a": ' * 45 + "1" + "}" * 45
    bodies = [b"null", b"[]", b"1", b'"x"', b"true", deep.encode(), json.dumps({"x": [0] * 100_000}).encode(),
              with_field(path, "unknown_field", "1"), with_field(path, "\u00e9\u0000", "1"),
              with_field(path, "architecture", deep), with_field(path, "architecture", "[]"),
              with_field(path, "architecture", '{"name": "a", "sites": "all"}'),
              with_field(path, "from", "[1, 2, 3]"), with_field(path, "from", "[95, 0]"),
              with_field(path, "from", "[" + ",".join(["1"] * 100_000) + "]"),
              with_field(path, "missiles", json.dumps(["SS-27"] * 1000)), with_field(path, "bbox", "[1, 2, 3, 4]"),
              with_field(path, "bbox", '{"lon_min": 10, "lon_max": 10}'), with_field(path, "only", '["\\u0000"]')]
    for raw in bodies:
        r = post_raw(client, path, raw)
        assert_refusal(r)


def test_nesting_is_bounded_as_files_are(api):
    from bmdsim.model.yamlsafe import MAX_DEPTH

    assert service.MAX_JSON_DEPTH == MAX_DEPTH
    client, _ = api
    deep = '{"a": ' * (MAX_DEPTH + 5) + "1" + "}" * (MAX_DEPTH + 5)
    body = assert_refusal(post_raw(client, "/api/engage", with_field("/api/engage", "architecture", deep)), 422)
    assert f"deeper than {MAX_DEPTH}" in body["detail"] and body["field"].startswith("architecture.a.a")


def test_long_echoes_are_cut(api):
    client, _ = api
    r = post_raw(client, "/api/trajectory", with_field("/api/trajectory", "from", json.dumps("9" * 300_000)))
    assert len(assert_refusal(r, 422, "from")["detail"]) <= service.MAX_DETAIL_CHARS
    r = post_raw(client, "/api/trajectory", with_field("/api/trajectory", "k" * 100_000, "1"))
    assert len(assert_refusal(r, 422)["field"]) <= 200


# ----------------------------------------------------------------------------- heavy jobs: the CLI's limits
def test_footprint_trajectories_limit_is_the_clis(tmp_path, capsys):
    """Where `bmdsim footprint` refuses for its trajectory count, the API refuses too (it counts the coarse
    passes on top, so never less), naming the same unit and limit."""
    from bmdsim.model.catalogs import Catalog

    client, jobs = make_client(tmp_path, max_footprint_cells=10**6)
    missiles = sorted(m.name for m in Catalog.builtin().missiles.values())
    cli = cli_error(capsys, "footprint", "epaa-phase-3", "--launch-area", "tabriz", "--grid", "0.15",
                    "--lat", "34:72", "--lon", "-12:45", *[x for m in missiles for x in ("--missile", m)])
    unit = f"trajectories (limit {limits.LIMITS['trajectories'].value:,.0f})"
    assert unit in cli
    with client:
        r = client.post("/api/footprint", json={"scenario": "epaa-phase-3", "launch_area": "tabriz", "grid_deg": 0.15,
                                                "bbox": {"lon_min": -12, "lon_max": 45, "lat_min": 34, "lat_max": 72},
                                                "missiles": missiles})
    assert unit in assert_refusal(r, 422, "grid_deg")["detail"]
    assert not jobs.submitted


def test_footprint_grid_cells_limit_is_the_librarys(api, monkeypatch):
    client, jobs = api
    before = len(jobs.submitted)
    monkeypatch.setitem(limits.LIMITS, "grid_cells", limits.Limit(20, "grid cells"))
    r = client.post("/api/footprint", json=VALID["/api/footprint"])  # 6 x 4 cells at 2 deg, and coarser passes
    assert "grid cells (limit 20)" in assert_refusal(r, 422, "grid_deg")["detail"]
    assert len(jobs.submitted) == before


def test_footprint_explorer_cell_limit(api):
    client, _ = api
    r = client.post("/api/footprint", json={**VALID["/api/footprint"], "grid_deg": 0.1,
                                            "bbox": {"lon_min": -12, "lon_max": 45, "lat_min": 34, "lat_max": 72}})
    assert "the explorer computes at most" in assert_refusal(r, 422, "grid_deg")["detail"]


@pytest.mark.parametrize("path,field,cli_args", [
    ("/api/envelope", "grid_deg", ["criteria", "--derive", "--grid", "5", "--lat", "30:80", "--lon", "-25:60"]),
    ("/api/claims", "envelope_grid_deg", ["claims", "--envelope-grid", "5"]),
])
def test_envelope_and_claims_limits_are_the_clis(api, capsys, monkeypatch, tmp_path, path, field, cli_args):
    """With the library's cell limit lowered, the CLI command and the API job refuse alike, before any work."""
    from bmdsim.analysis.envelope import ENVELOPE_BBOX

    assert ENVELOPE_BBOX == (-25.0, 60.0, 30.0, 80.0)  # the box of cli_args
    monkeypatch.setitem(limits.LIMITS, "grid_cells", limits.Limit(50, "grid cells"))
    monkeypatch.chdir(tmp_path)
    cli = cli_error(capsys, *cli_args)
    client, jobs = api
    before = len(jobs.submitted)
    r = client.post(path, json={field: 5.0})
    got = assert_refusal(r, 422, field)["detail"]
    assert got.split(":")[0].split(" would need ")[1] == cli.split(":")[0].split(" would need ")[1]
    assert len(jobs.submitted) == before


def test_queued_footprint_is_within_every_limit(api):
    """What reaches the queue: a box the library's grid accepts, a step in the CLI's range, the passes'
    cells and trajectories within the limits (small boxes skip coarse passes that do not fit)."""
    from bmdsim.analysis.grids import make_grid
    from bmdsim.web.heavy import grid_passes

    client, jobs = api
    tiny = {"lon_min": 20.0, "lon_max": 22.5, "lat_min": 40.0, "lat_max": 42.5}
    r = client.post("/api/footprint", json={**VALID["/api/footprint"], "grid_deg": 1.0, "bbox": tiny, "step_s": 0.1})
    assert r.status_code == 200, r.text
    kind, p = jobs.submitted[-1]
    assert kind == "footprint" and p["bbox"] == (20.0, 22.5, 40.0, 42.5) and p["step_s"] == 0.1
    passes = grid_passes(p["grid_deg"], p["bbox"])
    assert passes == [2.0, 1.0]  # a 4-deg cell does not fit in 2.5 deg
    cells = sum(make_grid(p["bbox"], g).cells for g in passes)
    assert cells <= limits.LIMITS["grid_cells"].value
    assert cells * len(p["missiles"]) <= limits.LIMITS["trajectories"].value


# ----------------------------------------------------------------------------- uploads and architectures
def upload(doc: dict) -> str:
    import yaml

    return yaml.safe_dump(doc, sort_keys=False)


def test_upload_cases_are_bounded_before_they_are_expanded(api):
    client, _ = api
    doc = {"name": "s", "extends": "epaa-phase-1", "sweep": {"options.vbo_kms": {"from": 1.0, "to": 11.0,
                                                                                 "step": 0.01}}}
    r = client.post("/api/scenarios/validate", json={"yaml": upload(doc)})
    body = assert_refusal(r, 422, "scenario_yaml.sweep")
    assert "1,001 cases" in body["detail"] and f"at most {service.MAX_UPLOAD_CASES}" in body["detail"]
    variants = {f"v{i}": {"options": {"vbo_kms": 3.0}} for i in range(service.MAX_UPLOAD_CASES)}
    r = client.post("/api/engage", json={"scenario_yaml": upload({"name": "v", "extends": "epaa-phase-1",
                                                                  "variants": variants}), **THREAT})
    assert_refusal(r, 422, "scenario_yaml.variants")  # base + 100 variants


def test_architecture_size_is_bounded(api):
    client, _ = api
    n = service.MAX_SITES + 1
    sites = [{"name": f"s{i}", "lat_deg": 40 + i * 0.01, "lon_deg": 20.0, "interceptor": "SM-3-IIA"} for i in range(n)]
    r = client.post("/api/engage", json={"architecture": {"name": "a", "sites": sites}, **THREAT})
    assert f"at most {service.MAX_SITES}" in assert_refusal(r, 422, "architecture.sites")["detail"]
    r = client.post("/api/footprint", json={"architecture": {"name": "a", "sites": sites}, "launch_area": "tabriz",
                                            "missiles": ["Iran-IRBM"]})
    assert_refusal(r, 422, "architecture.sites")
    r = client.post("/api/scenarios/validate", json={"yaml": upload({"name": "u", "extends": "epaa-phase-1",
                                                                     "architecture": {"sites": sites}})})
    assert_refusal(r, 422, "scenario_yaml.architecture.sites")
    sensors = [{"name": f"r{i}", "type": "AN/TPY-2", "lat_deg": 40.0, "lon_deg": 20 + i * 0.01} for i in range(n)]
    r = client.post("/api/engage", json={"architecture": {"name": "a", "sites": sites[:1], "sensors": sensors},
                                         **THREAT})
    assert_refusal(r, 422, "architecture.sensors")


def test_first_variant_is_the_librarys_first_case():
    """The explorer builds only a scenario's first case; it is the first of the library's full expansion."""
    from bmdsim.model.scenario import builtin_names, expand_variants, load_scenario, validate_scenario_data

    scenarios = [load_scenario(n) for n in builtin_names()]
    data = {"name": "x", "architecture": {"name": "a", "sites": [{"name": "s", "place": "deveselu",
                                                                  "interceptor": "SM-3-IB"}]},
            "threats": "iran-to-europe", "base": False,
            "variants": {"b": {"options": {"vbo_kms": 4.0}}, "a": {"options": {"decision_time_s": 60}}},
            "sweep": {"options.step_s": [7.0, 9.0], "options.vbo_kms": {"from": 2.0, "to": 3.0, "step": 0.5}}}
    scenarios.append(validate_scenario_data(data, {}, "test"))
    for scn in scenarios:
        assert service.first_variant(scn) == expand_variants(scn)[0].scenario, scn.name


def test_a_burnout_speed_the_flyout_model_cannot_fly_is_refused_before_any_work(api):
    """The fly-out model does not converge at 1e-5 km/s (below the library's 0.05 km/s floor): the API refuses
    it on the field that set it (the request's override, or the architecture), and queues nothing."""
    from bmdsim.core.flyout import build_flyout_table
    from bmdsim.model.catalogs import Catalog

    with pytest.raises(ArithmeticError):
        build_flyout_table(Catalog.builtin().interceptor("SM-3-IB").kinematics(1e-5))
    client, jobs = api
    before = len(jobs.submitted)
    for path in ("/api/engage", "/api/footprint", "/api/deterrent"):
        assert_refusal(client.post(path, json={**VALID[path], "vbo_kms": 1e-5}), 422, "vbo_kms")
    site = {"name": "s", "place": "deveselu", "interceptor": "SM-3-IB", "vbo_kms": 1e-5}
    r = client.post("/api/engage", json={"architecture": {"name": "a", "sites": [site]}, **THREAT})
    assert "vbo_kms" in assert_refusal(r, 422, "architecture")["detail"]
    assert len(jobs.submitted) == before


def test_a_server_bug_still_answers_the_documented_shape(tmp_path, monkeypatch):
    """Not a refusal (500, logged), but the same {detail, field} body, on one line."""
    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(service, "engage", broken)
    client, _ = make_client(tmp_path)
    with client:
        r = client.post("/api/engage", json=VALID["/api/engage"])
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error: RuntimeError: a bug over two lines", "field": "server"}


def test_footprint_missiles_counted_once(api):
    """A missile named twice is flown once (as `bmdsim footprint --missile` takes it), so a repeated name
    cannot multiply the work."""
    client, jobs = api
    r = client.post("/api/footprint", json={**VALID["/api/footprint"], "missiles": ["Iran-IRBM"] * 19 + ["Shahab-3"]})
    assert r.status_code == 200, r.text
    assert jobs.submitted[-1][1]["missiles"] == ["Iran-IRBM", "Shahab-3"]
