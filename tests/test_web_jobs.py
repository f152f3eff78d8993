"""Heavy jobs in the worker process, streamed as server-sent events: the documented event schema, partial
footprints at coarser grids, a final answer identical to the library's, the files the CLI writes, and
quick requests answered while a job runs."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from bmdsim.web.app import Settings, create_app  # noqa: E402

BASE = "http://127.0.0.1:8000"
BOX = {"lon_min": 18.0, "lon_max": 30.0, "lat_min": 40.0, "lat_max": 48.0}
FP = {"scenario": "epaa-phase-3", "launch_area": "tabriz", "grid_deg": 1.0, "bbox": BOX, "missiles": ["Iran-IRBM"]}
KEYS = {"queued": {"job", "kind", "ahead"}, "started": {"job", "kind"},
        "progress": {"job", "stage", "done", "total", "elapsed_s"},
        "partial": {"job", "pass", "passes", "grid_deg", "bbox", "lat_deg", "lon_deg", "classes", "summary"},
        "result": {"job", "kind", "files", "elapsed_s"}}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(Settings(warm=False, worker=True, out_dir=tmp_path_factory.mktemp("explorer")))
    with TestClient(app, base_url=BASE) as c:
        yield c


def events(client, url, body):
    out = []
    with client.stream("POST", url, json=body) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in r.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                out.append((kind, json.loads(line[5:])))
    return out


def test_footprint_stream_schema_partials_and_result(client):
    from bmdsim.analysis.footprint import footprint
    from bmdsim.model.architecture import resolve
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import expand_variants, load_scenario

    evs = events(client, "/api/footprint", FP)
    kinds = [k for k, _ in evs]
    assert kinds[0] == "queued" and "started" in kinds and kinds[-1] == "result"
    for k, d in evs:
        assert KEYS[k] <= set(d), (k, d)
    partials = [d for k, d in evs if k == "partial"]
    assert [p["grid_deg"] for p in partials] == [4.0, 2.0, 1.0]  # coarse to fine
    res = evs[-1][1]
    # the final answer is the library's footprint for the same inputs, cell for cell
    arch = resolve(expand_variants(load_scenario("epaa-phase-3"))[0].scenario.architecture)
    p = Catalog.builtin().place("tabriz")
    fp = footprint(arch, ["Iran-IRBM"], (p.lat_deg, p.lon_deg, "tabriz"), grid_deg=1.0, k=1,
                   bbox=(BOX["lon_min"], BOX["lon_max"], BOX["lat_min"], BOX["lat_max"]), step_s=5.0)
    assert np.array_equal(np.array(res["classes"]), fp.classes())
    assert res["classes"] == partials[-1]["classes"]
    assert res["summary"] == json.loads(json.dumps(fp.summary()))
    # every coarser partial is itself the library's footprint at its grid
    fp4 = footprint(arch, ["Iran-IRBM"], (p.lat_deg, p.lon_deg, "tabriz"), grid_deg=4.0, k=1,
                    bbox=(BOX["lon_min"], BOX["lon_max"], BOX["lat_min"], BOX["lat_max"]), step_s=5.0,
                    min_city_population=10**12)
    assert np.array_equal(np.array(partials[0]["classes"]), fp4.classes())
    names = {f["name"] for f in res["files"]}
    assert {"footprint.nc", "footprint.geojson", "footprint.kml", "footprint.png", "report.html", "summary.json",
            "cities.csv", "scenario.yaml"} <= names
    f = next(f for f in res["files"] if f["name"] == "summary.json")
    got = client.get(f["url"])
    assert got.status_code == 200 and got.json()["cells_threatened"] == fp.summary()["cells_threatened"]


def test_quick_requests_answer_while_a_job_runs(client):
    """The footprint runs in the worker process: an engagement is answered before the job finishes."""
    done = {}

    def run_job():
        done["events"] = events(client, "/api/footprint", {**FP, "grid_deg": 0.5})
        done["t"] = time.monotonic()

    th = threading.Thread(target=run_job)
    th.start()
    time.sleep(1.0)
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", "missile": "Iran-IRBM", "from": "tabriz",
                                         "to": "berlin"})
    t_quick = time.monotonic()
    th.join(timeout=600)
    assert r.status_code == 200
    assert done["events"][-1][0] == "result"
    assert t_quick < done["t"]


def test_bad_job_input_is_422_before_any_stream(client):
    r = client.post("/api/footprint", json={**FP, "launch_area": "atlantis"})
    assert r.status_code == 422 and r.json()["field"] == "launch_area"
    r = client.post("/api/footprint", json={**FP, "grid_deg": 0.01})
    assert r.status_code == 422 and r.json()["field"] == "grid_deg"
    r = client.post("/api/footprint", json={**FP, "bbox": {**BOX, "lon_min": 40.0}})
    assert r.status_code == 422 and r.json()["field"] == "bbox"
    r = client.post("/api/footprint", json={"architecture": {"name": "x", "sites": [
        {"name": "a", "place": "deveselu", "interceptor": "SM-3-IB"}]}, "launch_area": "tabriz"})
    assert r.status_code == 422 and r.json()["field"] == "missiles"
    r = client.post("/api/claims", json={"only": ["C99"]})
    assert r.status_code == 422 and "C99" in r.json()["detail"]
    r = client.post("/api/envelope", json={"grid_deg": 0.2})
    assert r.status_code == 422 and r.json()["field"] == "grid_deg"


def test_closing_the_stream_cancels_the_job(tmp_path):
    """A page that goes away (its stream closed) stops its job: a real server over a real socket."""
    import socket

    import httpx
    import uvicorn

    app = create_app(Settings(warm=False, worker=True, out_dir=tmp_path))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health").json()["worker_ready"]:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        big = {k: v for k, v in FP.items() if k != "bbox"}  # all of Europe at 0.25 deg: many seconds of work
        with httpx.stream("POST", f"{base}/api/footprint", json={**big, "grid_deg": 0.25}, timeout=120) as r:
            job_id = int(r.headers["x-job"])
            for line in r.iter_lines():
                if line.startswith("event: partial"):
                    break
        mgr = app.state.jobs
        deadline = time.monotonic() + 120
        while mgr.get(job_id).state not in ("cancelled", "done") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert mgr.get(job_id).state == "cancelled"
        assert not any(e[0] == "result" for e in mgr.get(job_id).events)
    finally:
        server.should_exit = True
        th.join(timeout=20)


def test_footprint_files_are_the_clis(client, tmp_path):
    """The files a footprint job offers for download are the ones `bmdsim footprint` writes, byte for byte."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "cli"
    r = subprocess.run([sys.executable, "-m", "bmdsim.cli", "footprint", "epaa-phase-3", "--launch-area", "tabriz",
                        "--grid", "1", f"--lat={BOX['lat_min']}:{BOX['lat_max']}",
                        f"--lon={BOX['lon_min']}:{BOX['lon_max']}", "--out", str(out), "--quiet"],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(root / "src")), timeout=600)
    assert r.returncode == 0, r.stderr
    res = events(client, "/api/footprint", {**FP, "missiles": None})[-1][1]
    urls = {f["name"]: f["url"] for f in res["files"]}
    for name in ("footprint.geojson", "footprint.kml", "footprint.nc", "cities.csv", "scenario.yaml"):
        assert client.get(urls[name]).content == (out / name).read_bytes(), name


def test_footprint_of_an_uploaded_missile_runs_in_the_worker_with_the_uploads_catalog(client):
    """An uploaded scenario's inline `missiles:` block: the request's catalog context goes with the job to the
    worker process, whose answer is the library's with that context (a missile no built-in catalog has)."""
    import yaml

    from bmdsim.analysis.footprint import footprint
    from bmdsim.model.architecture import resolve
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import expand_variants, load_scenario, scenario_catalog

    cat = Catalog.builtin()
    m = cat.missile("Sejjil-2").model_dump(mode="json", by_alias=True, exclude_none=True)
    m.update(name="UP-IRBM", aliases=[],
             payload_mass_kg={"value": 0.6 * m["payload_mass_kg"]["value"], "notional": True, "note": "test"})
    text = yaml.safe_dump({"name": "upload", "extends": "epaa-phase-3", "missiles": [m]}, sort_keys=False)
    body = {"scenario_yaml": text, "launch_area": "tabriz", "grid_deg": 2.0, "bbox": BOX, "missiles": ["UP-IRBM"]}
    evs = events(client, "/api/footprint", body)
    assert evs[-1][0] == "result", evs[-1]
    got = evs[-1][1]
    path = client.app.state.settings.out_dir / "upload.yaml"
    path.write_text(text)
    scn = load_scenario(str(path))
    ctx = scenario_catalog(scn)
    v = expand_variants(scn)[0].scenario
    p = cat.place("tabriz")
    want = footprint(resolve(v.architecture, catalog=ctx), ["UP-IRBM"], (p.lat_deg, p.lon_deg, "tabriz"),
                     grid_deg=2.0, bbox=tuple(BOX[k] for k in ("lon_min", "lon_max", "lat_min", "lat_max")),
                     step_s=v.options.step_s, catalog=ctx)
    assert got["classes"] == want.classes().astype(int).tolist()
    assert got["summary"]["missiles"] == ["UP-IRBM"] and got["summary"]["cells_threatened"] > 0
    # the upload may not name files, and the built-in context does not know the missile
    r = client.post("/api/footprint", json={**body, "scenario_yaml": text + "catalogs: [x.yaml]\n"})
    assert r.status_code == 422 and r.json()["field"] == "scenario_yaml.catalogs"
    r = client.post("/api/footprint", json={**body, "scenario_yaml": None, "scenario": "epaa-phase-3"})
    assert r.status_code == 422 and "UP-IRBM" in r.json()["detail"]


def test_footprint_of_a_box_smaller_than_a_coarse_cell(client):
    """A 2.5-degree box at 1 degree: the 4-degree pass would not fit in it (the library refuses a box smaller
    than one cell), so the job runs the 2- and 1-degree passes and ends with the library's footprint."""
    from bmdsim.analysis.footprint import footprint
    from bmdsim.model.architecture import resolve
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import expand_variants, load_scenario

    box = {"lon_min": 20.0, "lon_max": 22.5, "lat_min": 40.0, "lat_max": 42.5}
    evs = events(client, "/api/footprint", {**FP, "bbox": box})
    assert evs[-1][0] == "result", evs[-1]
    assert [d["grid_deg"] for k, d in evs if k == "partial"] == [2.0, 1.0]
    arch = resolve(expand_variants(load_scenario("epaa-phase-3"))[0].scenario.architecture)
    p = Catalog.builtin().place("tabriz")
    fp = footprint(arch, ["Iran-IRBM"], (p.lat_deg, p.lon_deg, "tabriz"), grid_deg=1.0, k=1,
                   bbox=(20.0, 22.5, 40.0, 42.5), step_s=5.0)
    assert np.array_equal(np.array(evs[-1][1]["classes"]), fp.classes())
