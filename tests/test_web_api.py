"""The explorer's JSON API answers what the CLI answers: same JSON, same files, same one-line messages."""

from __future__ import annotations

import json

import pytest
import yaml

from bmdsim.cli import main
from bmdsim.model.scenario import expand_variants, load_scenario

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from bmdsim.web.app import Settings, create_app  # noqa: E402

BASE = "http://127.0.0.1:8000"
THREAT = {"missile": "Iran-IRBM", "from": "tabriz", "to": "berlin"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(Settings(warm=False, worker=False, out_dir=tmp_path_factory.mktemp("explorer")))
    with TestClient(app, base_url=BASE) as c:
        yield c


def cli(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def arch_of(name: str) -> dict:
    """The first variant's architecture of a built-in scenario, as plain data (what the page edits)."""
    return expand_variants(load_scenario(name))[0].scenario.architecture.model_dump(mode="json", exclude_none=True)


# ------------------------------------------------------------------------------------------ catalogs
@pytest.mark.parametrize("kind,name", [("missiles", "SS-27"), ("interceptors", "SM-3-IIA"), ("sensors", "SPY-1"),
                                       ("places", "deveselu")])
def test_catalog_tables_carry_sources(client, kind, name):
    r = client.get(f"/api/catalog/{kind}")
    assert r.status_code == 200
    rows = r.json()
    key = "id" if kind == "places" else "name"
    row = next(x for x in rows if x[key] == name)
    text = json.dumps(row)
    assert "source" in text or "notional" in text  # every catalog number has its provenance


def test_unknown_catalog_kind_is_422_with_field(client):
    r = client.get("/api/catalog/rockets")
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "kind" and "missiles" in body["detail"] and "\n" not in body["detail"]


def test_scenarios_list_matches_builtins(client):
    from bmdsim.model.scenario import builtin_names

    r = client.get("/api/scenarios")
    assert r.status_code == 200
    assert [s["name"] for s in r.json()["scenarios"]] == builtin_names()
    assert {t["name"] for t in r.json()["threat_sets"]} == set(builtin_names("threatsets"))


def test_scenario_document_is_the_resolved_scenario(client):
    r = client.get("/api/scenarios/epaa-phase-3")
    assert r.status_code == 200
    doc = r.json()
    assert doc["architecture"] == arch_of("epaa-phase-3")
    names = {s["name"] for s in doc["sites"]}
    assert {"deveselu", "redzikowo"} <= names
    assert "Iran-IRBM" in doc["threats"]["missiles"]


def test_scenario_name_is_never_a_path(client):
    r = client.get("/api/scenarios/..%2F..%2Fetc%2Fpasswd")
    assert r.status_code in (404, 422)
    r = client.get("/api/scenarios/no-such-scenario")
    assert r.status_code == 404 and r.json()["field"] == "name" and "Known:" in r.json()["detail"]


# ------------------------------------------------------------------------------------------ one threat
def test_trajectory_json_is_the_clis(client, capsys):
    code, out, _ = cli(capsys, "trajectory", "--missile", "Iran-IRBM", "--from", "tabriz", "--to", "berlin")
    assert code == 0
    r = client.post("/api/trajectory", json=THREAT)
    assert r.status_code == 200
    assert r.json() == json.loads(out)


@pytest.mark.parametrize("fmt", ["csv", "kml", "geojson", "czml", "e"])
def test_trajectory_files_are_the_clis(client, capsys, fmt):
    code, out, _ = cli(capsys, "trajectory", "--missile", "Iran-IRBM", "--from", "35.7,51.4", "--to", "38.0,23.7",
                       "--format", fmt)
    assert code == 0
    r = client.post("/api/trajectory", json={"missile": "Iran-IRBM", "from": [35.7, 51.4], "to": "38.0,23.7",
                                             "format": fmt})
    assert r.status_code == 200
    if fmt == "kml":  # ids numbered per document (io.geo_formats.kml_ids_in_order), as a fresh process numbers them
        assert 'Document id="1"' in r.text
    assert r.text == out
    assert "attachment" in r.headers["content-disposition"]


def test_engage_json_is_the_clis(client, capsys, tmp_path):
    arch = arch_of("epaa-phase-3")
    f = tmp_path / "arch.yaml"
    f.write_text(yaml.safe_dump(arch))
    code, out, _ = cli(capsys, "engage", "--architecture", str(f), "--missile", "Iran-IRBM", "--from", "tabriz",
                       "--to", "berlin")
    assert code == 0
    r = client.post("/api/engage", json={"architecture": arch, **THREAT})
    assert r.status_code == 200
    assert r.json() == json.loads(out)
    # a built-in scenario's name gives the same table (its options set no overrides)
    r2 = client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT})
    assert r2.json() == r.json()
    code, out_csv, _ = cli(capsys, "engage", "--architecture", str(f), "--missile", "Iran-IRBM", "--from", "tabriz",
                           "--to", "berlin", "--format", "csv")
    r3 = client.post("/api/engage", json={"architecture": arch, **THREAT, "format": "csv"})
    assert r3.text == out_csv


def test_engage_overrides_match_cli_options(client, capsys, tmp_path):
    arch = arch_of("epaa-phase-3")
    f = tmp_path / "arch.yaml"
    f.write_text(yaml.safe_dump(arch))
    code, out, _ = cli(capsys, "engage", "--architecture", str(f), "--missile", "Iran-IRBM", "--from", "tabriz",
                       "--to", "berlin", "--vbo-kms", "5.5", "--decision-time-s", "60", "--apogee-km", "900")
    assert code == 0
    r = client.post("/api/engage", json={"architecture": arch, **THREAT, "vbo_kms": 5.5, "decision_time_s": 60,
                                         "apogee_km": 900})
    assert r.status_code == 200 and r.json() == json.loads(out)


def test_engage_view_draws_what_the_table_says(client):
    r = client.post("/api/engage?view=true", json={"scenario": "epaa-phase-3", **THREAT})
    body = r.json()
    v = body["view"]
    tr = v["trajectory"]
    assert len(tr["t_s"]) == len(tr["lat"]) == len(tr["alt_km"]) > 10
    assert tr["events"]["burnout_s"] == body["threats"][0]["burnout"]["t_s"]
    engaged = {e["site"] for e in body["engagements"] if e["engageable"]}
    assert engaged, "the test case should have at least one engageable site"
    drawn = {(f["site"], f["which"]) for f in v["flyouts"]}
    for site in engaged:
        assert (site, "first") in drawn
    for f in v["flyouts"]:
        rec = next(e for e in body["engagements"] if e["site"] == f["site"])
        point = rec[f"{f['which']}_intercept"]
        # the drawn path ends at the table's intercept point at the intercept time, or says how far off it is
        assert f["alt_km"][-1] == pytest.approx(point["alt_km"], abs=f["miss_km"] + 1.0)
        assert f["t_s"][0] >= rec["launch_earliest_s"] - 1e-6  # never launched before the site may fire


# ------------------------------------------------------------------------------------------ messages
@pytest.mark.parametrize("body,cli_args,field", [
    ({"missile": "SS-2", "from": "1,2", "to": "3,4"}, ["--missile", "SS-2", "--from", "1,2", "--to", "3,4"],
     "missile"),
    ({"missile": "Shahab-3", "from": "tehran", "to": "berlin"},
     ["--missile", "Shahab-3", "--from", "tehran", "--to", "berlin"], "to"),
    ({"missile": "SS-27", "from": "91,0", "to": "3,4"}, ["--missile", "SS-27", "--from", "91,0", "--to", "3,4"],
     "from"),
    ({"missile": "SS-27", "from": "nowhere-land", "to": "3,4"},
     ["--missile", "SS-27", "--from", "nowhere-land", "--to", "3,4"], "from"),
    ({"missile": "SS-27", "from": "1,2", "to": "30,40", "apogee_km": 3},
     ["--missile", "SS-27", "--from", "1,2", "--to", "30,40", "--apogee-km", "3"], "apogee_km"),
    ({"missile": "SS-27", "from": "1,2", "to": "30,40", "apogee_km": 300, "flight_time_s": 900},
     ["--missile", "SS-27", "--from", "1,2", "--to", "30,40", "--apogee-km", "300", "--flight-time-s", "900"],
     "flight_time_s"),
])
def test_bad_input_422_with_the_clis_message(client, capsys, body, cli_args, field):
    code, _, err = cli(capsys, "trajectory", *cli_args)
    assert code == 2
    cli_msg = err.strip().removeprefix("bmdsim: error: ")
    r = client.post("/api/trajectory", json=body)
    assert r.status_code == 422
    got = r.json()
    assert got["field"] == field
    # the API names its fields as the request does (`from`), the CLI its options (`--from`)
    assert got["detail"] == cli_msg.replace("--from", "from").replace("--to", "to")


def test_architecture_source_must_be_one(client):
    r = client.post("/api/engage", json={**THREAT})
    assert r.status_code == 422 and "exactly one" in r.json()["detail"]
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", "architecture": arch_of("epaa-phase-3"),
                                         **THREAT})
    assert r.status_code == 422 and r.json()["field"] == "architecture"


def test_inline_architecture_errors_name_the_path(client):
    arch = arch_of("epaa-phase-3")
    arch["sites"][0]["interceptor"] = "SM-9"
    r = client.post("/api/engage", json={"architecture": arch, **THREAT})
    assert r.status_code == 422 and r.json()["field"] == "architecture"
    assert "unknown interceptor 'SM-9'" in r.json()["detail"]
    arch = arch_of("epaa-phase-3")
    arch["sites"][0]["lat_deg"] = 123.0
    r = client.post("/api/engage", json={"architecture": arch, **THREAT})
    assert r.status_code == 422 and "lat_deg" in r.json()["detail"]


def test_request_schema_errors_are_one_line(client):
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", "missile": "SS-27", "from": "1,2"})
    assert r.status_code == 422
    assert r.json() == {"detail": "to: Field required", "field": "to"}
    r = client.post("/api/engage", json={"scenario": "epaa-phase-3", **THREAT, "colour": "red"})
    assert r.status_code == 422 and r.json()["field"] == "colour"


# ------------------------------------------------------------------------------------------ uploads
UPLOAD = """\
name: my-ships
extends: epaa-phase-3
description: Phase III with a second ship in the Black Sea
architecture:
  sites:
    - {name: ship-black-sea, lat_deg: 43.0, lon_deg: 34.0, interceptor: SM-3-IIA, inventory: 8, sensors: [SPY-1]}
"""


def test_validate_upload_resolves_extends_of_a_builtin(client):
    r = client.post("/api/scenarios/validate", json={"yaml": UPLOAD})
    assert r.status_code == 200, r.json()
    doc = r.json()["document"]
    assert r.json()["name"] == "my-ships"
    assert [s["name"] for s in doc["architecture"]["sites"]][-1] == "ship-black-sea"
    r = client.post("/api/engage", json={"scenario_yaml": UPLOAD, **THREAT})
    assert r.status_code == 200
    assert "ship-black-sea" in {e["site"] for e in r.json()["engagements"]}


def test_validate_upload_reports_every_error_with_its_line(client):
    bad = "name: x\nextends: epaa-phase-3\noptions: {step_s: -1}\narchitecture:\n  rules: {max_shots: 99}\n"
    r = client.post("/api/scenarios/validate", json={"yaml": bad})
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "scenario_yaml"
    assert len(body["messages"]) == 2
    assert any("line 3" in m and "step_s" in m for m in body["messages"])


def test_map_lines_are_geojson(client):
    r = client.get("/api/map/coast?resolution=c")
    assert r.status_code == 200
    doc = r.json()
    lines = doc["features"][0]["geometry"]["coordinates"]
    assert len(lines) > 100
    assert all(-180 <= x <= 180 and -90 <= y <= 90 for ln in lines[:50] for x, y in ln)


def test_claims_name_their_scenarios(client):
    r = client.get("/api/claims")
    claims = {c["id"]: c for c in r.json()["claims"]}
    assert "ships-forward" in claims["C3"]["scenarios"]
    assert claims["C1"]["reproduce"] == "bmdsim claims --only C1"


def test_uploaded_catalog_blocks_engage_as_the_cli(client, capsys, tmp_path):
    """An uploaded scenario with an inline missile and a TPY-2 on a ship: the API's table is the CLI's for the
    same file; the catalog tables say where entries come from."""
    from bmdsim.model.catalogs import Catalog

    m = Catalog.builtin().missile("Sejjil-2").model_dump(mode="json", by_alias=True, exclude_none=True)
    m.update(name="UP-SEJJIL", aliases=[])
    doc = {"name": "upload", "extends": "epaa-phase-1", "missiles": [m],
           "architecture": {"sites": [{"name": "ship-black-sea", "kind": "ship", "lat_deg": 43.2, "lon_deg": 34.1,
                                       "interceptor": "SM-3-IA",
                                       "sensors": [{"name": "tpy2-ship", "type": "AN/TPY-2",
                                                    "boresight_az_deg": 125}]}],
                            "links": [{"sensor": "tpy2-ship", "sites": "all"}]}}
    text = yaml.safe_dump(doc, sort_keys=False)
    f = tmp_path / "upload.yaml"
    f.write_text(text)
    code, out, err = cli(capsys, "engage", "--architecture", str(f), "--missile", "UP-SEJJIL", "--from", "tabriz",
                         "--to", "deveselu")
    assert code == 0, err
    r = client.post("/api/engage", json={"scenario_yaml": text, "missile": "UP-SEJJIL", "from": "tabriz",
                                         "to": "deveselu"})
    assert r.status_code == 200, r.text
    assert r.json() == json.loads(out)
    assert any(e["site"] == "ship-black-sea" for e in r.json()["engagements"])
    rows = client.get("/api/catalog/placements").json()
    assert {x["origin"] for x in rows} == {"built-in"} and "TPY2-KURECIK" in {x["name"] for x in rows}
