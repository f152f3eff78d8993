"""Answers an analyst can publish (issue 12, part 2): variants run and labelled, named places rated, the city
list de-duplicated by its stated rule, the default map box, why-not and track sensors, engagement figures and
CZML, KML ids per document, figure options on every folder command, byte-identical folders.

Independent checks: variant folders against direct library footprints of each merged architecture, place
statuses against direct engagement runs, the city rule against a brute-force search with pyproj's own
geodesic, the default box against each missile's reach sampled by direction, track sensors against the
sensor timelines recomputed here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bmdsim.errors import BmdsimError

ROOT = Path(__file__).resolve().parents[1]

TWO = """name: two-blocks
extends: epaa-phase-3
description: Phase III with its sites on SM-3 Block IIA (base) or Block IB (variant ib)
architecture:
  sites:
    - {name: deveselu, interceptor: SM-3-IIA}
    - {name: redzikowo, interceptor: SM-3-IIA}
    - {name: ship-east-med, interceptor: SM-3-IIA}
variants:
  ib:
    architecture:
      sites:
        - {name: deveselu, interceptor: SM-3-IB}
        - {name: redzikowo, interceptor: SM-3-IB}
        - {name: ship-east-med, interceptor: SM-3-IB}
"""


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "bmdsim.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}, timeout=900)


def _tree(d: Path) -> dict:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------- variants
def test_base_case_runs_first_unless_the_file_says_it_has_none(tmp_path):
    from bmdsim.model.scenario import ScenarioError, analysis_cases, expand_variants, load_scenario

    f = tmp_path / "two.yaml"
    f.write_text(TWO)
    scn = load_scenario(str(f))
    assert [v.label for v in expand_variants(scn)] == [{"variant": "base"}, {"variant": "ib"}]
    cases = dict(analysis_cases(scn))
    assert {s.interceptor for s in cases["base"].architecture.sites} == {"SM-3-IIA"}
    assert {s.interceptor for s in cases["ib"].architecture.sites} == {"SM-3-IB"}
    assert [n for n, _ in analysis_cases(scn, "ib")] == ["ib"]
    with pytest.raises(BmdsimError, match="base, ib"):
        analysis_cases(scn, "iia")
    f.write_text(TWO + "base: false\n")
    assert [v.label for v in expand_variants(load_scenario(str(f)))] == [{"variant": "ib"}]
    f.write_text(TWO.replace("  ib:", "  base:"))
    with pytest.raises(ScenarioError, match="may not be named 'base'"):
        load_scenario(str(f))
    # a scenario without variants is one case, unnamed
    assert [n for n, _ in analysis_cases(load_scenario("epaa-phase-1"))] == [""]
    # nrc-options says its option 1 is the file itself
    assert "base" not in [v.label["variant"] for v in expand_variants(load_scenario("nrc-options"))]


@pytest.fixture(scope="module")
def two_variant_footprints(tmp_path_factory):
    d = tmp_path_factory.mktemp("twofp")
    (d / "two.yaml").write_text(TWO)
    args = ["footprint", "two.yaml", "--launch-area", "tabriz", "--missile", "Sejjil-2", "--grid", "2",
            "--lat=36:48", "--lon=22:48", "--places", "ankara,bucharest,warsaw", "--quiet"]
    ra = run(*args, "--out", "a", cwd=d, env={"SOURCE_DATE_EPOCH": "1336000000"})
    rb = run(*args, "--out", "b", cwd=d)
    assert ra.returncode == 0 and rb.returncode == 0, ra.stderr + rb.stderr
    return d


def test_two_variants_give_labelled_outputs_for_both(two_variant_footprints):
    """No --variant: a folder per variant plus an index, every output labelled with its variant, and each
    folder's numbers are the library footprint of that variant's architecture."""
    from bmdsim.analysis.footprint import footprint
    from bmdsim.model.architecture import resolve
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import analysis_cases, load_scenario

    out = two_variant_footprints / "a"
    index = json.loads((out / "index.json").read_text())
    assert [v["variant"] for v in index["variants"]] == ["base", "ib"]
    assert {"index.html", "index.md", "provenance.json"} <= {p.name for p in out.iterdir()}
    cases = dict(analysis_cases(load_scenario(str(two_variant_footprints / "two.yaml"))))
    t = Catalog.builtin().place("tabriz")
    for name in ("base", "ib"):
        sub = out / name
        summ = json.loads((sub / "summary.json").read_text())
        assert summ["variant"] == name and summ["provenance"]["inputs"]["variant"] == name
        assert f"variant {name}" in (sub / "report.md").read_text().splitlines()[0]
        assert f"variant {name}" in (sub / "footprint.kml").read_text()
        assert f"variant {name}" in json.loads((sub / "footprint.geojson").read_text())["properties"]["name"]
        assert (sub / "footprint.png").read_bytes()[:4] == b"\x89PNG"
        assert f"{name}/report.html" in (out / "index.html").read_text()
        # the folder's scenario.yaml has the variant merged in
        assert "SM-3-IB" in (sub / "scenario.yaml").read_text() if name == "ib" else "SM-3-IB" not in (
            sub / "scenario.yaml").read_text()
        direct = footprint(resolve(cases[name].architecture), ["Sejjil-2"], (t.lat_deg, t.lon_deg, "tabriz"),
                           grid_deg=2.0, bbox=(22.0, 48.0, 36.0, 48.0))
        assert summ["cells_defended"] == direct.summary()["cells_defended"]
        assert summ["cells_threatened"] == direct.summary()["cells_threatened"]
    # Block IIA and Block IB differ here (the point of running both)
    a, b = (json.loads((out / n / "summary.json").read_text()) for n in ("base", "ib"))
    assert a["cells_defended"] != b["cells_defended"]


def test_variant_folders_are_byte_identical_but_provenance(two_variant_footprints):
    a, b = _tree(two_variant_footprints / "a"), _tree(two_variant_footprints / "b")
    assert set(a) == set(b) and "ib/places.csv" in a and "index.json" in a
    for name in a:
        if not name.endswith("provenance.json"):
            assert a[name] == b[name], name


def test_one_variant_on_request(tmp_path):
    (tmp_path / "two.yaml").write_text(TWO)
    r = run("stability", "two.yaml", "--variant", "ib", "--out", "s", "--figure-format", "svg", "--quiet",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    names = {p.name for p in (tmp_path / "s").iterdir()}
    assert {"scenario.yaml", "provenance.json", "stability.json", "exchange.svg", "report.md"} <= names
    assert "index.json" not in names
    doc = json.loads((tmp_path / "s" / "stability.json").read_text())
    assert doc["variant"] == "ib" and doc["provenance"]["architecture"]["sites"]
    r = run("stability", "two.yaml", "--variant", "iia", "--out", "t", cwd=tmp_path)
    assert r.returncode == 2 and "base, ib" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "t").exists()


# --------------------------------------------------------------------------------------------- cities
def test_city_rule_against_brute_force():
    """Every counted city has no larger city of its country and province within the radius (checked with
    pyproj's geodesic here), unless the reviewed list says so; the named duplicates are dropped."""
    from pyproj import Geod

    from bmdsim.model.cities import DISTRICT_RADIUS_KM, REVIEWED, candidate_cities, country_code

    geod = Geod(ellps="WGS84")
    cs = candidate_cities((-15.0, 70.0, 20.0, 75.0), attackers=[country_code("Iran")])
    by = {c["city"]: c for c in cs}
    for name in ("Pest", "Buda", "Çankaya", "Esenyurt", "Bağcılar", "Üsküdar", "Umraniye", "Küçükçekmece"):
        assert not by[name]["counted"], name
    for name in ("Istanbul", "Budapest", "Ankara", "Duisburg", "Essen", "Giza", "Cairo", "Salé", "Rabat"):
        assert by[name]["counted"], (name, by[name]["note"])
    for c in cs:
        if c["country"] == "IR":
            assert not c["counted"]
            continue
        if c["geonameid"] in REVIEWED or "reviewed" in c["note"]:
            continue
        larger = [o for o in cs if o["population"] > c["population"] and o["country"] == c["country"]
                  and o["admin1"] == c["admin1"]]
        near = [o for o in larger if geod.inv(c["lon"], c["lat"], o["lon"], o["lat"])[2] <= DISTRICT_RADIUS_KM * 1e3]
        assert bool(near) == (not c["counted"]), (c["city"], c["note"])
    with_iran = candidate_cities((44.0, 60.0, 30.0, 40.0), attackers=["IR"], include_attacker=True)
    assert any(c["country"] == "IR" and c["counted"] for c in with_iran)
    assert country_code("USA") == "US" and country_code("Russia") == "RU"


# ----------------------------------------------------------------------------------- places, default box
def test_named_places_match_direct_engagements():
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.analysis.footprint import footprint, resolve_places
    from bmdsim.model.architecture import resolve
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import load_scenario
    from bmdsim.model.trajectories import in_reach, solve_one

    arch = resolve(load_scenario("epaa-phase-3").architecture)
    t = Catalog.builtin().place("tabriz")
    places = resolve_places("ankara,bucharest,warsaw,nicosia")
    fp = footprint(arch, ["Sejjil-2"], (t.lat_deg, t.lon_deg, "tabriz"), grid_deg=4.0, bbox=(24.0, 48.0, 32.0, 48.0),
                   places=places)
    assert [p["id"] for p in fp.places] == ["ankara", "bucharest", "warsaw", "nicosia"]
    for p in fp.places:
        q = Catalog.builtin().place(p["id"])
        if not in_reach("Sejjil-2", t.lat_deg, t.lon_deg, q.lat_deg, q.lon_deg)[0]:
            assert p["status"] == "out of range" and p["shots"]["Sejjil-2"] is None
            continue
        ts = solve_one("Sejjil-2", (t.lat_deg, t.lon_deg), (q.lat_deg, q.lon_deg), step_s=5.0)
        best = int(run_engagements(arch, ts).shots[0].max())
        assert p["shots"]["Sejjil-2"] == best
        assert p["status"] == ("defended" if best >= 1 else "threatened")
    assert {p["status"] for p in fp.places} >= {"defended", "out of range"}
    with pytest.raises(BmdsimError, match="european_capital"):
        resolve_places("atlantis")
    caps = resolve_places("capitals")
    assert len(caps) >= 30 and all(p.category.endswith("capital") for p in caps)


@pytest.mark.parametrize("missiles", [["Shahab-3"], ["Shahab-3", "Iran-IRBM"]])
def test_default_box_holds_the_launch_area_and_the_threatened_region(missiles):
    from bmdsim.analysis.footprint import BOX_MARGIN_DEG, REGION_BOX, default_box
    from bmdsim.core import geodesy
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.trajectories import reach_km

    t = Catalog.builtin().place("tabriz")
    (lo0, lo1, la0, la1), rule = default_box(missiles, t.lat_deg, t.lon_deg)
    assert lo0 <= t.lon_deg - BOX_MARGIN_DEG and t.lon_deg + BOX_MARGIN_DEG <= lo1
    assert la0 <= t.lat_deg - BOX_MARGIN_DEG and t.lat_deg + BOX_MARGIN_DEG <= la1
    assert all(float(x).is_integer() for x in (lo0, lo1, la0, la1)) and "threatened region" in rule
    az = np.arange(2.5, 360.0, 10.0)  # directions between those the box was made from
    for m in missiles:
        far_la, far_lo = geodesy.direct(np.full(az.size, t.lat_deg), np.full(az.size, t.lon_deg), az,
                                        np.full(az.size, 5000e3))
        r = reach_km(m, t.lat_deg, t.lon_deg, far_la, far_lo)
        la, lo = geodesy.direct(np.full(az.size, t.lat_deg), np.full(az.size, t.lon_deg), az, 0.97 * r * 1e3)
        inside = (lo0 <= lo) & (lo <= lo1) & (la0 <= la) & (la <= la1)
        in_region = (REGION_BOX[0] <= lo) & (lo <= REGION_BOX[1]) & (REGION_BOX[2] <= la) & (la <= REGION_BOX[3])
        assert np.all(inside | ~in_region), m
    if missiles == ["Shahab-3"]:  # a 1,300 km missile does not need Europe's whole box
        assert lo0 > -12.0 and la1 < 72.0


# --------------------------------------------------------------------------- why not, track sensors
def test_deterrent_says_why_not_for_every_no():
    from bmdsim.analysis.deterrent import deterrent_matrix
    from bmdsim.core.engagement import REASONS
    from bmdsim.model.architecture import parse_architecture
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import ThreatList
    from bmdsim.model.trajectories import solve_trajectories

    place = Catalog.builtin().place
    la, lo = place("barents").lat_deg, place("barents").lon_deg
    aims = ["washington", "seattle", "kings_bay"]
    tl = ThreatList(("SS-N-23",) * 3, ("barents",) * 3, tuple(aims), (la,) * 3, (lo,) * 3,
                    tuple(place(a).lat_deg for a in aims), tuple(place(a).lon_deg for a in aims))
    ts = solve_trajectories(list(tl.missile), tl.launch_lat, tl.launch_lon, tl.aim_lat, tl.aim_lon, step_s=5.0)
    spec = parse_architecture({"name": "two", "sites": [
        {"name": "ship", "place": "barents_sea", "kind": "ship", "interceptor": "SM-3-IA", "sensors": ["SPY-1"]},
        {"name": "deveselu", "place": "deveselu", "interceptor": "SM-3-IB"}]})
    dm = deterrent_matrix(spec, threats=(tl, ts), vbo_step_kms=1.0)
    rows = dm.rows()
    assert any(not r["engageable"] for r in rows)
    for i, r in enumerate(rows):
        if r["engageable"]:
            assert r["why_not"] == ""
            continue
        parts = dict(p.split(": ") for p in r["why_not"].split("; "))
        assert list(parts) == ["ship", "deveselu"]
        for j, site in enumerate(("ship", "deveselu")):
            assert parts[site] == REASONS[int(dm.table.reason[i, j])] and parts[site]
    assert "why_not" in dm.to_csv().splitlines()[0]
    counts = dm.summary()["why_not"]
    assert sum(counts["deveselu"].values()) == sum(not r["engageable"] for r in rows)


def test_track_sensor_is_the_earliest_fire_control_track():
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.model.architecture import resolve
    from bmdsim.model.archref import load_architecture_ref
    from bmdsim.model.trajectories import solve_one

    arch = resolve(load_architecture_ref(str(ROOT / "tests/data/arch_test.yaml")).architecture)
    for a, b in (((38.08, 46.292), (44.08, 24.4)), ((38.08, 46.292), (52.52, 13.4))):
        ts = solve_one("Iran-IRBM", a, b, step_s=5.0)
        tab = run_engagements(arch, ts)
        det = tab.sensor_detection_s
        for j, site in enumerate(arch.sites):
            cue = min([det[r.name][0] for r in site.linked_radars] + [det[i.name][0] for i in site.linked_ir]
                      + [np.inf])
            cands = {}
            for r in site.own_radars:
                if r.fire_control_quality and np.isfinite(det[r.name][0]):
                    f = arch.cue_track_factor if cue <= det[r.name][0] else 1.0
                    cands[r.name] = det[r.name][0] + r.track_formation_s * f
            if arch.engage_on_remote:
                for r in site.linked_radars:
                    if r.fire_control_quality and np.isfinite(det[r.name][0]):
                        cands[r.name] = det[r.name][0] + r.track_formation_s
            name = tab.track_sensor_name(0, j)
            if not cands:
                assert name is None and not np.isfinite(tab.track_s[0, j])
                continue
            assert cands[name] == pytest.approx(min(cands.values())) == pytest.approx(tab.track_s[0, j])
            rec = [x for x in tab.records() if x["site"] == site.name][0]
            assert rec["track_sensor"] == name
            assert tab.launch_earliest_s[0, j] == pytest.approx(cands[name] + arch.decision_time_s)
        assert "track_sensor" in tab.to_csv().splitlines()[0]


# ------------------------------------------------------------------------------------- KML in-process
def test_kml_is_byte_identical_within_one_process(tmp_path):
    import simplekml

    from bmdsim.io import trajectory_formats as tf
    from bmdsim.io.geo_formats import Pin, layers_to_kml
    from bmdsim.model.trajectories import solve_one

    ts = solve_one("Shahab-3", (38.08, 46.292), (39.92, 32.85), step_s=10.0)
    a = tf.to_kml(ts)
    simplekml.Kml(name="someone else's document").newpoint(name="x")  # moves simplekml's global counter
    assert tf.to_kml(ts) == a
    pins = [Pin("ankara", 39.92, 32.85, "place")]
    assert layers_to_kml("doc", pins=pins) == layers_to_kml("doc", pins=pins)
    r = run("trajectory", "--missile", "Shahab-3", "--from", "38.08,46.292", "--to", "39.92,32.85", "--step-s", "10",
            "--format", "kml")
    assert r.returncode == 0 and r.stdout == a  # as a fresh process writes it


# ------------------------------------------------------------------------------ engagement figure, CZML
def test_engage_figure_and_czml(tmp_path):
    from bmdsim.core.earth import geodetic_to_ecef

    fig, czml = tmp_path / "e.svg", tmp_path / "e.czml"
    args = ["engage", "--architecture", "epaa-phase-3", "--missile", "Iran-IRBM", "--from", "tabriz", "--to", "berlin"]
    r = run(*args, "--figure", str(fig), "--dpi", "200", "--format", "czml", "--out", str(czml),
            "--epoch", "2012-05-20T12:00:00Z")
    assert r.returncode == 0, r.stderr
    assert fig.read_bytes().lstrip().startswith(b"<?xml")
    doc = json.loads(czml.read_text())
    assert isinstance(doc, list) and doc[0]["id"] == "document"
    table = json.loads(run(*args).stdout)
    eng = [e for e in table["engagements"] if e["engageable"]]
    assert eng
    for e in eng:
        for which in ("first", "last"):
            pkt = next(p for p in doc if p["id"] == f"interceptor-{e['site']}-{which}")
            pos = pkt["position"]
            assert "cartographicDegrees" in pos and "INERTIAL" not in json.dumps(pkt)
            t, lon, lat, alt = pos["cartographicDegrees"][-4:]
            point = e[f"{which}_intercept"]
            assert t == pytest.approx(point["t_s"], abs=2.0)  # the path arrives when the engine says (2 s)
            miss = np.linalg.norm(geodetic_to_ecef(np.radians(lat), np.radians(lon), alt)
                                  - geodetic_to_ecef(np.radians(point["lat"]), np.radians(point["lon"]),
                                                     point["alt_km"] * 1e3))
            assert miss < 2e3
            t0 = pos["cartographicDegrees"][0]
            assert t0 == pytest.approx(point["launch_s"], abs=2.0)  # launched from the site when the engine says
        assert e["track_sensor"]
    r = run(*args, "--figure", str(tmp_path / "e.gif"))
    assert r.returncode == 2 and ".png, .svg or .pdf" in r.stderr


# -------------------------------------------------------------------------- figure options everywhere
def _folder_figures(out: Path, suffix: str) -> list[Path]:
    return [p for p in out.rglob(f"*.{suffix}")]


FAST_FOLDER_COMMANDS = {
    "footprint": ["footprint", "epaa-phase-1", "--launch-area", "tabriz", "--missile", "Shahab-3", "--grid", "2"],
    "run": ["run", "epaa-phase-1"],
    "claims": ["claims", "--only", "C13"],
    "criteria-derive": ["criteria", "--derive", "--grid", "10", "--lat=40:60", "--lon=0:20"],
}
SLOW_FOLDER_COMMANDS = {
    "deterrent": ["deterrent", "epaa-phase-1"],
    "stability": ["stability", "epaa-phase-1"],
    "criteria": ["criteria", "epaa-phase-1", "--criteria", "limits.yaml"],
}


def _check_folder_command(tmp_path, name, args):
    (tmp_path / "limits.yaml").write_text("name: example\nmax_vbo_kms: 5.5\n")
    r = run(*args, "--figure-format", "svg", "--dpi", "200", "--out", name, "--quiet", cwd=tmp_path)
    assert r.returncode == 0, (name, r.stderr)
    out = tmp_path / name
    assert (out / "provenance.json").is_file()
    if name != "criteria":  # a criteria check draws no figure; it takes the options all the same
        svgs = _folder_figures(out, "svg")
        assert svgs and all(p.read_bytes().lstrip().startswith(b"<?xml") for p in svgs), name
        assert not _folder_figures(out, "png"), name


@pytest.mark.parametrize("name", sorted(FAST_FOLDER_COMMANDS))
def test_figure_format_and_dpi_on_folder_commands(tmp_path, name):
    _check_folder_command(tmp_path, name, FAST_FOLDER_COMMANDS[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_FOLDER_COMMANDS))
def test_figure_format_and_dpi_on_slow_folder_commands(tmp_path, name):
    _check_folder_command(tmp_path, name, SLOW_FOLDER_COMMANDS[name])


def test_readme_scenario_example_loads_and_expands(tmp_path):
    """The README's `extends` / `variants` / `sweep` example is a valid scenario with the cases it describes."""
    from bmdsim.model.scenario import analysis_cases, expand_variants, load_scenario

    text = (ROOT / "README.md").read_text()
    i = text.index("name: phase-3-blocks")
    f = tmp_path / "example.yaml"
    f.write_text(text[i:text.index("```", i)])
    scn = load_scenario(str(f))
    assert len(expand_variants(scn)) == 2 * 3 * 2
    cases = dict(analysis_cases(scn))
    base_sites = {s.name: s for s in cases["base"].architecture.sites}
    assert base_sites["deveselu"].interceptor == "SM-3-IIA" and "ship-baltic" in base_sites
    assert base_sites["redzikowo"].interceptor == "SM-3-IIA"  # inherited unchanged
    assert "ship-baltic" not in {s.name for s in cases["ib"].architecture.sites}
    assert "SBIRS" not in cases["base"].architecture.sensors
