"""Scenario files: built-ins, ``extends``, threat sets, catalog coordinates, safe YAML, fuzzing, sweeps, CLI.

Independent oracles: place coordinates come from ``shared/reference/facts.yaml``, land and sea from
``global_land_mask`` (1 km GLOBE mask), distances for threat-set completeness from ``geographiclib``.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdsim.analysis.run import run_scenario
from bmdsim.core import geodesy
from bmdsim.errors import BmdsimError
from bmdsim.model.architecture import resolve
from bmdsim.model.catalogs import Catalog
from bmdsim.model.scenario import (
    ScenarioError,
    expand_threats,
    expand_variants,
    load_scenario,
    load_threat_set,
    load_yaml,
    resolve_extends,
)

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "src/bmdsim/model/catalog"
# names from the files themselves, not from the code under test
SCENARIOS = sorted(p.stem for p in (CATALOG / "scenarios").glob("*.yaml"))
THREAT_SETS = sorted(p.stem for p in (CATALOG / "threatsets").glob("*.yaml"))
FACTS_CANDIDATES = [ROOT.parent / "shared/reference/facts.yaml", Path("/work/shared/reference/facts.yaml")]


def cli(*args, cwd=None, timeout=300, preexec_fn=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "bmdsim.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout, preexec_fn=preexec_fn)


def write(tmp: Path, name: str, text: str) -> str:
    p = tmp / name
    p.write_text(textwrap.dedent(text))
    return str(p)


@functools.cache
def _run(name: str):
    return run_scenario(load_scenario(name))


def _col(table, site: str) -> int:
    return table.site_names.index(site)


# ============================================================================ 1. built-in scenarios
def test_builtin_files_found():
    assert len(SCENARIOS) >= 10 and len(THREAT_SETS) >= 5
    assert {"epaa-phase-1", "epaa-phase-2", "epaa-phase-3", "epaa-phase-4", "nrc-options"} <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_builtin_scenario_validates_and_runs(name):
    scn = load_scenario(name)
    assert scn.name == name
    s = _run(name).summary()
    assert s["threats_flown"] > 0
    assert s["threats_flown"] + s["threats_not_flown"] == s["threats_requested"]
    assert len(s["runs"]) == len(expand_variants(scn)) >= 1
    for r in s["runs"]:
        assert r["threats"] == s["threats_flown"]
        assert 0.0 <= r["share_engageable"] <= 1.0
        assert 0.0 <= r["share_two_shots"] <= r["share_engageable"]  # two shots at a site => engageable there
        best_site = 0
        for site in r["sites"].values():
            assert 0.0 <= site["share"] <= 1.0
            assert 0 <= site["engageable"] <= r["threats"]
            best_site = max(best_site, site["engageable"])
        # "by any site" is at least the best single site and at most the sum over sites
        assert best_site <= r["engageable_by_any_site"] <= sum(x["engageable"] for x in r["sites"].values())


def _sites(name: str) -> dict:
    return {s.name: s for s in load_scenario(name).architecture.sites}


def test_epaa_extends_chain_accumulates_sites_and_keeps_inherited_fields():
    p1, p2, p3, p4 = (_sites(f"epaa-phase-{k}") for k in (1, 2, 3, 4))
    assert set(p1) <= set(p2) <= set(p3)
    assert set(p3) == {"ship-east-med", "deveselu", "redzikowo"}
    assert set(p4) == set(p3)
    # a child that only changes the interceptor keeps the rest of the parent's site
    assert p2["ship-east-med"].interceptor == "SM-3-IB"
    assert p2["ship-east-med"].place == p1["ship-east-med"].place == "east_med"
    assert p2["ship-east-med"].inventory == p1["ship-east-med"].inventory == 8
    assert p3["deveselu"].sensors == ["SPY-1"] and p3["deveselu"].inventory == 24
    # phase IV: the land (Aegis Ashore) sites carry SM-3 IIB, the ship keeps phase III's IIA
    places = Catalog.builtin().places
    for s in p4.values():
        if places[s.place].category == "patrol_area":
            assert s.interceptor == "SM-3-IIA", s.name
        else:
            assert s.interceptor == "SM-3-IIB", s.name
    assert {n for n, s in p4.items() if places[s.place].category != "patrol_area"} == {"deveselu", "redzikowo"}
    scn4 = load_scenario("epaa-phase-4")
    assert scn4.threats == "iran-to-europe" and scn4.options.step_s == 5  # inherited from phase I
    data, _, _ = resolve_extends("epaa-phase-4")
    assert "extends" not in data


def test_nrc_options_variants_and_links():
    variants = {v.label["variant"]: v.scenario for v in expand_variants(load_scenario("nrc-options"))}
    assert len(variants) == 5
    assert set(variants) == {"1-independent", "2-exchange-of-warning", "3-exchange-of-tracks", "4-sectoral",
                             "5-fully-integrated"}
    for vname, scn in variants.items():
        names = {s.name for s in scn.architecture.sites}
        assert ("deveselu" in names) == (vname != "4-sectoral"), vname
        assert {"ship-east-med", "redzikowo", "ru-south", "ru-volga"} <= names

    def links(vname, site):
        arch = resolve(variants[vname].architecture)
        s = next(x for x in arch.sites if x.name == site)
        return {r.name: r.fire_control_quality for r in s.linked_radars}

    assert "TPY2-KURECIK" not in links("1-independent", "ru-south")
    assert links("2-exchange-of-warning", "ru-south")["TPY2-KURECIK"] is False  # warning only
    assert links("3-exchange-of-tracks", "ru-south")["TPY2-KURECIK"] is True  # fire-control tracks
    assert links("5-fully-integrated", "ship-east-med")["ARMAVIR"] is True
    assert links("1-independent", "ship-east-med") == {"TPY2-KURECIK": True}


def test_nrc_more_links_never_hurt():
    """Physics: adding fire-control links can only add engagements and advance the earliest launch."""
    run = _run("nrc-options")
    tabs = {lab["variant"]: t for lab, t in zip(run.labels, run.tables, strict=True)}
    ok = run.trajectories.ok
    full = tabs["5-fully-integrated"]
    for vname, t in tabs.items():
        for site in t.site_names:
            a, b = t.engageable[ok, _col(t, site)], full.engageable[ok, _col(full, site)]
            assert np.all(b >= a), (vname, site)
            la, lb = t.launch_earliest_s[ok, _col(t, site)], full.launch_earliest_s[ok, _col(full, site)]
            both = np.isfinite(la) & np.isfinite(lb)
            assert np.all(lb[both] <= la[both] + 1e-9), (vname, site)


def test_epaa_coverage_grows_with_the_phases():
    shares = [_run(f"epaa-phase-{k}").summary()["runs"][0]["share_engageable"] for k in (1, 2, 3)]
    assert shares[0] <= shares[1] <= shares[2]
    assert shares[0] < shares[2]  # two Aegis Ashore sites and SM-3 IIA must add something over one IA ship
    # joint-data-fusion only adds cueing radars to phase III: per threat and site, nothing is lost
    p3, jdf = _run("epaa-phase-3"), _run("joint-data-fusion")
    ok = p3.trajectories.ok
    for site in p3.tables[0].site_names:
        a = p3.tables[0].engageable[ok, _col(p3.tables[0], site)]
        b = jdf.tables[0].engageable[ok, _col(jdf.tables[0], site)]
        assert np.all(b >= a), site


# ----------------------------------------------------------------------------- threat sets
def _geodesic_km(lat1, lon1, lat2, lon2) -> float:
    from geographiclib.geodesic import Geodesic

    return Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1e3


def _points(refs, places):
    out = []
    for ref in refs:
        if isinstance(ref, str) and ref.startswith("category:"):
            out += [(p["id"], p["lat_deg"], p["lon_deg"], p) for p in places if p["category"] == ref[9:]]
        else:
            p = next(p for p in places if p["id"] == ref)
            out.append((p["id"], p["lat_deg"], p["lon_deg"], p))
    return out


def _frange(a, b, step):
    n = int(math.floor((b - a) / step + 1e-9)) + 1
    return [a + i * step for i in range(n)]


@pytest.mark.parametrize("name", THREAT_SETS)
def test_threat_set_expands_to_pairs_within_reach(name):
    """Pairs kept by ``only_in_range`` are those within the missile's reach toward the aimpoint on the
    rotating Earth (bmdsim.model.trajectories.reach_km; checked against the solver and an independent
    integration in test_calibration.py), not within the nominal range (a non-rotating convention)."""
    from bmdsim.model.trajectories import reach_km

    ts = load_threat_set(name)
    tl = expand_threats(ts)
    assert tl.n > 0
    d_m, _, _ = geodesy.inverse(np.array(tl.launch_lat), np.array(tl.launch_lon), np.array(tl.aim_lat),
                                np.array(tl.aim_lon))
    assert ts.only_in_range
    assert np.all(d_m > 0)

    # completeness, from the raw files: every pair comfortably in reach is there, none beyond it
    raw = yaml.safe_load((CATALOG / "threatsets" / f"{name}.yaml").read_text())
    places = yaml.safe_load((CATALOG / "places.yaml").read_text())["places"]
    aims = [(a[1], a[2]) for a in _points(raw.get("aims", []), places)]
    if "aim_grid" in raw:
        g = raw["aim_grid"]
        aims += [(la, lo) for la in _frange(g["lat_from"], g["lat_to"], g["step_deg"])
                 for lo in _frange(g["lon_from"], g["lon_to"], g["step_deg"])]
    catalog = set(Catalog.builtin().missiles)
    got = {(m, lid, round(la, 4), round(lo, 4))
           for m, lid, la, lo in zip(tl.missile, tl.launch_id, tl.aim_lat, tl.aim_lon, strict=True)}
    assert len(got) == tl.n  # no duplicates
    must, must_not = set(), set()
    for lid, la1, lo1, place in _points(raw["launches"], places):
        if raw["missiles"] == "deployed":
            missiles = {s.split()[0] for s in place.get("systems", [])} & catalog
        else:
            missiles = set(raw["missiles"])
        for m in missiles:
            reach = reach_km(m, la1, lo1, [a[0] for a in aims], [a[1] for a in aims])
            for (la2, lo2), r_km in zip(aims, reach, strict=True):
                key = (m, lid, round(la2, 4), round(lo2, 4))
                d = _geodesic_km(la1, lo1, la2, lo2)
                if 1.0 < d < r_km - 1.0:
                    must.add(key)
                elif d > r_km + 1.0:
                    must_not.add(key)
    assert must - got == set()
    assert must_not & got == set()


def test_deployed_missiles_come_from_each_base():
    tl = expand_threats(load_threat_set("russia-icbm-to-us"))
    places = Catalog.builtin().places
    assert tl.n > 0
    for m, lid in zip(tl.missile, tl.launch_id, strict=True):
        p = places[lid]
        assert p.category == "icbm_base"
        assert m in {s.split()[0] for s in p.systems}, (lid, m, p.systems)
    # Teykovo fielded SS-25, SS-27 and RS-24: all three fly from there
    assert {m for m, lid in zip(tl.missile, tl.launch_id, strict=True) if lid == "teykovo"} == {"SS-25", "SS-27",
                                                                                              "RS-24"}


# ============================================================================ 2. catalog coordinates
SECTIONS = ("sites_western", "aegis_patrol_areas", "russia_icbm_divisions", "russia_slbm_areas", "russia_radars",
            "iran_sites", "us_targets")
SEA_SECTIONS = {"aegis_patrol_areas", "russia_slbm_areas"}
# on the shore by nature: a tolerance of 0.1 deg (GLOBE mask cells are ~1 km; harbours are often "sea")
COASTAL_IDS = {"rota", "kings_bay", "bangor"}
SENSOR_FACTS_ID = {
    "TPY2-KURECIK": "kurecik", "FYLINGDALES": "fylingdales", "THULE": "thule_radar", "EMR-BRDY": "brdy_emr_2007",
    "ARMAVIR": "armavir", "PIONERSKY": "pionersky", "LEKHTUSI": "lekhtusi", "GABALA": "gabala", "DON-2N": "don2n",
    "OLENEGORSK": "olenegorsk", "PECHORA": "pechora", "BARANOVICHI": "baranovichi",
    "MISHELEVKA-DNEPR": "mishelevka_dnepr", "MISHELEVKA-VORONEZH": "mishelevka_voronezh",
}
TOL_DEG = 0.2


@pytest.fixture(scope="module")
def facts():
    path = next((p for p in FACTS_CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("shared/reference/facts.yaml not found (needs the shared reference checkout)")
    data = yaml.safe_load(path.read_text())
    return {e["id"]: (sec, e) for sec in SECTIONS for e in data.get(sec, [])}


def _close(lat, lon, lat_ref, lon_ref) -> bool:
    dlon = (lon - lon_ref + 180.0) % 360.0 - 180.0
    return abs(lat - lat_ref) <= TOL_DEG and abs(dlon) <= TOL_DEG


def test_places_match_reference(facts):
    places = Catalog.builtin().places
    bad = []
    for pid, (sec, e) in facts.items():
        p = places.get(pid)
        if p is None:
            bad.append(f"{pid} ({sec}) missing from places.yaml")
            continue
        if not _close(p.lat_deg, p.lon_deg, float(e["lat"]), float(e["lon"])):
            bad.append(f"{pid}: catalog {p.lat_deg},{p.lon_deg} vs reference {e['lat']},{e['lon']}")
        if e.get("status") == "estimate" and not p.notional:
            bad.append(f"{pid}: the reference calls it an estimate but the catalog does not mark it notional")
    assert not bad, bad


def test_fixed_radars_match_reference(facts):
    bad = []
    cat = Catalog.builtin()
    for s in cat.placements.values():
        lat, lon = cat.place_of(s)
        fid = SENSOR_FACTS_ID.get(s.name)
        if fid is None:
            bad.append(f"{s.name}: placed radar not mapped to a reference id (add it to SENSOR_FACTS_ID)")
        elif fid not in facts:
            bad.append(f"{s.name}: reference id {fid} not in facts.yaml")
        elif not _close(lat, lon, float(facts[fid][1]["lat"]), float(facts[fid][1]["lon"])):
            bad.append(f"{s.name}: {lat},{lon} vs reference {facts[fid][1]['lat']},{facts[fid][1]['lon']}")
    assert not bad, bad


def _surface_points(facts):
    """(label, lat, lon, 'land' | 'sea' | 'coast') for every catalog point whose surface is known."""
    places = Catalog.builtin().places
    out = []
    for p in places.values():
        if p.id in facts:
            sec, _ = facts[p.id]
            kind = "sea" if sec in SEA_SECTIONS else "coast" if p.id in COASTAL_IDS else "land"
        elif p.category in ("patrol_area", "slbm_area"):
            kind = "sea"
        elif p.category in ("european_capital", "russian_capital", "icbm_base", "us_target", "russian_radar"):
            kind = "land"
        else:
            continue
        out.append((f"place {p.id} ({p.category})", p.lat_deg, p.lon_deg, kind))
    cat = Catalog.builtin()
    for s in cat.placements.values():
        out.append((f"radar {s.name}", *cat.place_of(s), "land"))
    for name in SCENARIOS:  # sites given by coordinates in built-ins: ships are named ship-*, the rest are land
        for s in load_scenario(name).architecture.sites:
            if s.place is None:
                out.append((f"{name} site {s.name}", s.lat_deg, s.lon_deg,
                            "sea" if s.name.startswith("ship") else "land"))
    return out


def test_catalog_points_on_land_or_sea_as_their_kind_requires(facts):
    from global_land_mask import globe

    pts = _surface_points(facts)
    assert len(pts) > 80
    kinds = {k for *_, k in pts}
    assert kinds == {"land", "sea", "coast"}
    bad = []
    for label, lat, lon, kind in pts:
        if kind == "land" and not globe.is_land(lat, lon):
            bad.append(f"{label} at {lat},{lon} is not on land")
        elif kind == "sea" and globe.is_land(lat, lon):
            bad.append(f"{label} at {lat},{lon} is not at sea")
        elif kind == "coast" and not any(globe.is_land(lat + a, lon + b) for a in (-0.1, 0, 0.1)
                                         for b in (-0.1, 0, 0.1)):
            bad.append(f"{label} at {lat},{lon} has no land within 0.1 deg")
    assert not bad, bad


# ============================================================================ 3. bmdsim validate
BROKEN = """\
name: broken
description: four kinds of mistake
architecture:
  name: broken-arch
  sites:
    - name: s1
      place: deveselu
      interceptr: SM-3-IB
      inventory: many
    - name: s2
      lat_deg: 95.0
      lon_deg: 20.0
      interceptor: SM-3-IIA
  rules: {decision_time_s: -5}
threats: iran-to-europe
options: {step_s: fast}
"""


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def _errors(stderr: str) -> dict:
    """path -> (line, message) from `bmdsim: error: FILE: line N: PATH: MESSAGE` lines."""
    out = {}
    for ln in stderr.splitlines():
        m = re.search(r"line (\d+): ([\w.\-]+): (.*)$", ln)
        if m:
            out[m.group(2)] = (int(m.group(1)), m.group(3))
    return out


def test_validate_valid_file_exits_0(tmp_path):
    path = write(tmp_path, "ok.yaml", """\
        name: my-phase-3
        extends: epaa-phase-3
        architecture:
          sites:
            - {name: redzikowo, interceptor: SM-3-IIB}
        options: {step_s: 10}
        """)
    r = cli("validate", path)
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout and r.stderr == ""


def test_validate_reports_every_error_with_path_and_line(tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    r = cli("validate", path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    errs = _errors(r.stderr)
    expected = {
        "architecture.sites.0.interceptr": (_line_of(BROKEN, "interceptr:"), "Extra inputs"),
        "architecture.sites.0.inventory": (_line_of(BROKEN, "inventory: many"), "integer"),
        "architecture.sites.1.lat_deg": (_line_of(BROKEN, "lat_deg: 95"), "90"),
        "architecture.rules.decision_time_s": (_line_of(BROKEN, "decision_time_s"), "greater than or equal to 0"),
        "options.step_s": (_line_of(BROKEN, "step_s: fast"), "number"),
    }
    for path_, (line, fragment) in expected.items():
        assert path_ in errs, (path_, r.stderr)
        assert errs[path_][0] == line, (path_, errs[path_], line)
        assert fragment in errs[path_][1], (path_, errs[path_])
    # the missing key: the interceptor of site s1, reported within that site's lines
    miss = errs.get("architecture.sites.0.interceptor")
    assert miss is not None, r.stderr
    assert _line_of(BROKEN, "- name: s1") <= miss[0] < _line_of(BROKEN, "- name: s2")
    assert "required" in miss[1].lower() or "missing" in miss[1].lower()
    for ln in r.stderr.splitlines():
        assert ln.startswith("bmdsim: error: ") and path in ln, ln


def test_validate_line_of_an_error_in_an_extending_file(tmp_path):
    """The error is on the line of the mistake, even when the child adds sites before the one it changes."""
    text = """\
        name: ext-lines
        extends: epaa-phase-3
        architecture:
          sites:
            - {name: extra-1, place: rota, interceptor: SM-3-IIA}
            - {name: extra-2, place: ramstein, interceptor: SM-3-IIA}
            - {name: extra-3, place: fylingdales, interceptor: SM-3-IIA}
            - {name: redzikowo, interceptr: SM-3-IIB}
        """
    path = write(tmp_path, "ext.yaml", text)
    r = cli("validate", path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "Extra inputs" in r.stderr
    lines = [int(m) for m in re.findall(r"line (\d+)", r.stderr)]
    assert lines == [_line_of(textwrap.dedent(text), "interceptr")], r.stderr


def test_validate_error_inherited_from_a_parent_file_names_the_parent(tmp_path):
    write(tmp_path, "parent.yaml", """\
        name: parent
        extends: epaa-phase-1
        options: {step_s: 0}
        """)
    child = write(tmp_path, "child.yaml", f"""\
        name: child
        extends: {tmp_path / 'parent.yaml'}
        description: nothing wrong here
        """)
    r = cli("validate", child)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "options.step_s" in r.stderr
    assert "parent.yaml" in r.stderr and "line 3" in r.stderr, r.stderr


def test_validate_yaml_syntax_error_and_missing_file(tmp_path):
    path = write(tmp_path, "syntax.yaml", "name: x\narchitecture: [\n  a: b\n")
    r = cli("validate", path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "line" in r.stderr and r.stderr.count("\n") == 1
    r = cli("validate", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "Traceback" not in r.stderr


# ============================================================================ 4. safe, bounded YAML
def test_object_tags_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    docs = [
        f"name: !!python/object/apply:os.mkdir ['{marker}']\n",
        f"name: x\nsources: [!!python/object/apply:os.mkdir ['{marker}']]\n",
        "name: !!python/name:os.system\n",
        "name: !!python/object:builtins.object {}\n",
        "name: !!python/module:os\n",
        "name: !!python/object/new:builtins.dict {}\n",
    ]
    for i, doc in enumerate(docs):
        with pytest.raises(BmdsimError, match="not allowed"):
            load_yaml(doc, "x.yaml")
        with pytest.raises(BmdsimError, match="not allowed"):
            load_scenario(write(tmp_path, f"tag{i}.yaml", doc))
    assert not marker.exists()


def _laughs(levels: int, fan: int) -> str:
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * fan) + "]"]
    for prev, cur in zip(names, names[1:], strict=False):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * fan) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("doc", [_laughs(9, 9),  # 72 aliases, 9**9 values: refused by expansion size
                                 _laughs(4, 40)],  # 120 aliases: refused by count
                         ids=["billion-laughs", "many-aliases"])
def test_alias_bomb_is_refused_with_bounded_memory(doc, tmp_path):
    tracemalloc.start()
    try:
        with pytest.raises(BmdsimError, match="(?i)alias"):
            load_yaml(doc, "bomb.yaml")
        with pytest.raises(BmdsimError, match="(?i)alias"):
            load_scenario(write(tmp_path, "bomb.yaml", doc))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200e6


def test_a_few_aliases_are_fine(tmp_path):
    doc = """\
        name: aliased
        extends: epaa-phase-3
        architecture:
          sites:
            - {name: ship-east-med, interceptor: &icp SM-3-IIB}
            - {name: deveselu, interceptor: *icp}
          links:
            - {sensor: TPY2-KURECIK, sites: &west [ship-east-med, deveselu]}
            - {sensor: SBIRS, sites: *west}
        """
    scn = load_scenario(write(tmp_path, "ok.yaml", doc))
    icp = {s.name: s.interceptor for s in scn.architecture.sites}
    assert icp == {"ship-east-med": "SM-3-IIB", "deveselu": "SM-3-IIB", "redzikowo": "SM-3-IIA"}
    assert {ln.sensor: ln.sites for ln in scn.architecture.links} == {"TPY2-KURECIK": ["ship-east-med", "deveselu"],
                                                                     "SBIRS": ["ship-east-med", "deveselu"]}


@pytest.mark.parametrize("doc", ["[" * 1000 + "]" * 1000,
                                 "name: x\nsources: " + "[" * 1000 + "]" * 1000 + "\n",
                                 "{a: " * 1000 + "1" + "}" * 1000,
                                 "".join("  " * i + "a:\n" for i in range(1000)) + "  " * 1000 + "1\n"],
                         ids=["flow-list", "in-a-key", "flow-map", "block-map"])
def test_deep_nesting_gives_a_clear_error(doc, tmp_path):
    with pytest.raises(BmdsimError, match="(?i)nest|deep"):
        load_scenario(write(tmp_path, "deep.yaml", doc))


def test_file_over_1mb_gives_a_clear_error(tmp_path):
    big = "name: big\nextends: epaa-phase-1\ndescription: '" + "x" * 1_100_000 + "'\n"
    with pytest.raises(BmdsimError, match="(?i)larg|size|byte|kB|MB"):
        load_scenario(write(tmp_path, "big.yaml", big))
    small = "name: big\nextends: epaa-phase-1\ndescription: '" + "x" * 300_000 + "'\n"
    assert len(load_scenario(write(tmp_path, "ok.yaml", small)).description) == 300_000


@pytest.mark.skipif(not Path("/dev/zero").exists() or sys.platform != "linux", reason="needs Linux /dev/zero")
def test_extends_of_an_endless_file_is_refused(tmp_path):
    """`extends: /dev/zero` must stop at the size limit, not read until memory runs out."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    path = write(tmp_path, "zero.yaml", "name: z\nextends: /dev/zero\n")
    r = cli("validate", path, timeout=120, preexec_fn=limit)
    assert r.returncode == 2, r.stderr[-500:]
    assert "Traceback" not in r.stderr


# fixed inputs that must end in a BmdsimError (or load), never in another exception
NASTY = {
    "recursive-alias-list": "name: r\nextends: epaa-phase-1\nsources: &a [*a]\n",
    "recursive-alias-map": "name: r\nextends: epaa-phase-1\noptions: &a {step_s: 5, x: *a}\n",
    "huge-integer": "name: h\nextends: epaa-phase-1\noptions: {step_s: " + "9" * 5000 + "}\n",
    "sweep-to-infinity": "name: s\nextends: epaa-phase-1\nsweep: {options.vbo_kms: {from: 1, to: .inf, step: 1}}\n",
    "sweep-from-nan": "name: s\nextends: epaa-phase-1\nsweep: {options.vbo_kms: {from: .nan, to: 3, step: 1}}\n",
    "aim-grid-reversed": "name: g\nextends: epaa-phase-1\nthreats: {missiles: [Shahab-3], launches: [tabriz], "
                         "aim_grid: {lat_from: 60, lat_to: 50, lon_from: 0, lon_to: 10, step_deg: 1}}\n",
    "aim-grid-too-fine": "name: g\nextends: epaa-phase-1\nthreats: {missiles: [Shahab-3], launches: [tabriz], "
                         "aim_grid: {lat_from: -90, lat_to: 90, lon_from: -180, lon_to: 180, step_deg: 0.011}}\n",
    "set-and-binary": "name: !!binary aGVsbG8=\nextends: epaa-phase-1\nsources: !!set {a, b}\n",
    "unquoted-date": "name: d\nextends: epaa-phase-1\ndate: 2011-03-01\n",
    "nan-everywhere": "name: n\nextends: epaa-phase-1\noptions: {step_s: .nan, vbo_kms: .nan}\n",
    "non-string-keys": "1: 2\n~: 3\ntrue: 4\nname: k\nextends: epaa-phase-1\n",
    "unhashable-key": "? [1, 2]\n: 3\nname: k\n",
    "sites-not-mappings": "name: x\nextends: epaa-phase-1\narchitecture: {sites: [1, [2], null]}\n",
    "extends-a-directory": "name: x\nextends: /\n",
    "extends-itself": "name: x\nextends: SELF\n",
    "top-level-list": "- 1\n- 2\n",
    "empty": "",
    "nul-byte": "name: \x00\n",
    "two-documents": "name: a\n---\nname: b\n",
    "impossible-date": "name: d\nextends: epaa-phase-1\ndate: 2011-13-45\n",  # no tag: the resolver makes it a date
    "float-tag-on-text": "name: d\nextends: epaa-phase-1\ndescription: !!float nan and more\n",
    "int-tag-on-text": "name: d\nextends: epaa-phase-1\noptions: {step_s: !!int abc}\n",
    "bool-tag-on-text": "name: d\nextends: epaa-phase-1\narchitecture: {rules: {engage_on_remote: !!bool foo}}\n",
    "empty-float-tag": "name: d\nextends: epaa-phase-1\noptions: {step_s: !!float }\n",
    "timestamp-tag-on-text": "name: d\nextends: epaa-phase-1\ndate: !!timestamp 2001-12-14 and more\n",
    "10k-sensors": "name: s\nextends: epaa-phase-1\narchitecture:\n  sensors:\n" + "    - SBIRS\n" * 10_000,
}


@pytest.mark.parametrize("key", sorted(NASTY))
def test_nasty_inputs_give_bmdsim_errors_only(key, tmp_path):
    path = tmp_path / f"{key}.yaml"
    path.write_text(NASTY[key].replace("SELF", str(path)))
    try:
        load_scenario(str(path))
    except BmdsimError as err:
        assert str(err).strip()
        if isinstance(err, ScenarioError):
            assert err.messages


# ============================================================================ 5. fuzzing
BASE_TEXTS = {n: (CATALOG / "scenarios" / f"{n}.yaml").read_text() for n in SCENARIOS}

ODD_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "all", "deployed", "category:icbm_base", "category:nope", "1,2", "nan,nan", "95,0",
                     "SM-3-IIB", "SPY-1", "SBIRS", "deveselu", "-SBIRS", "epaa-phase-1", "/", "../x.yaml",
                     10**4000, -1e308, 1e-320]),
)
ODD_VALUES = st.recursive(ODD_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                st.dictionaries(st.text(max_size=8), inner,
                                                                                max_size=4)), max_leaves=8)
TAGS = ["!!python/object/apply:os.getcwd []", "!!python/name:os.system", "!!python/object:builtins.object {}",
        "!!set {a, b}", "!!binary aGVsbG8=", "!!timestamp 2001-12-14", "!!float nan", "!!int 0x1F", "!custom x",
        "!!str 5", "!!omap [a: 1]", "!!pairs [a: 1]", "!!null ''", "!!bool yes", "!!map {a: 1}"]


def _paths(node, path=(), _stack=()):
    """Every key path in a (possibly shared or self-containing) tree of dicts and lists."""
    yield path
    if id(node) in _stack:
        return
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield from _paths(v, (*path, k), (*_stack, id(node)))


def _get(node, path):
    for k in path:
        node = node[k]
    return node


def _nest(depth, leaf, as_map):
    for _ in range(depth):
        leaf = {"a": leaf} if as_map else [leaf]
    return leaf


@st.composite
def mutated_documents(draw):
    name = draw(st.sampled_from(SCENARIOS))
    data = yaml.safe_load(BASE_TEXTS[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["delete", "retype", "unknown-key", "huge-list", "deep", "alias", "recursive"]))
        parent = _get(data, path[:-1]) if path else None
        if op == "delete" and path:
            del parent[path[-1]]
        elif op == "retype":
            value = draw(ODD_VALUES)
            if path:
                parent[path[-1]] = value
            else:
                data = value
        elif op == "unknown-key":
            target = _get(data, path)
            if isinstance(target, dict):
                target[draw(st.sampled_from(["interceptr", "extends", "remove", "sweep", "x"]) | st.text(max_size=6))
                       ] = draw(ODD_VALUES)
        elif op == "huge-list" and path:
            n = draw(st.sampled_from([0, 1, 2, 50, 1000, 10_000]))
            items = [1, "x", None, 2.5, "SBIRS", "deveselu", "category:us_target"]
            if n <= 1000:  # mappings parse slowly (pure-Python YAML): keep those lists shorter
                items += [{}, [], {"name": "ship-east-med"}, {"name": "s", "place": "deveselu",
                                                            "interceptor": "SM-3-IB"}]
            item = draw(st.sampled_from(items))
            parent[path[-1]] = [copy.deepcopy(item) for _ in range(n)]
        elif op == "deep" and path:
            parent[path[-1]] = _nest(draw(st.integers(1, 120)), draw(ODD_SCALARS), draw(st.booleans()))
        elif op == "alias" and path:
            other = draw(st.sampled_from(paths))
            if other and not path[: len(other)] == other and not other[: len(path)] == path:
                parent[path[-1]] = _get(data, other)  # shared object: the dumper writes an anchor and an alias
        elif op == "recursive":
            target = _get(data, path)
            if isinstance(target, list):
                target.append(target)
            elif isinstance(target, dict):
                target["self"] = target
            break  # the tree now contains itself
    try:
        text = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                         allow_unicode=True)
    except (RecursionError, ValueError, yaml.YAMLError):
        text = BASE_TEXTS[name]
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(0, 2))):
        tweak = draw(st.sampled_from(["dup-line", "chars", "tag", "bomb", "bignum"]))
        i = draw(st.integers(0, len(lines) - 1))
        if tweak == "dup-line":
            lines.insert(i, lines[i])
        elif tweak == "chars":
            j = draw(st.integers(0, len(lines[i])))
            junk = draw(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(":-[]{}&*!%|>'\"#\t\n,?")),
                                min_size=1, max_size=8))
            lines[i] = lines[i][:j] + junk + lines[i][j:]
        elif tweak == "tag":
            m = re.match(r"(\s*-?\s*[\w.\-]+:\s)", lines[i])
            if m:
                lines[i] = m.group(1) + draw(st.sampled_from(TAGS)) + "\n"
        elif tweak == "bignum":  # more digits than Python's int() accepts from text
            m = re.match(r"(\s*-?\s*[\w.\-]+:\s)", lines[i])
            if m:
                lines[i] = m.group(1) + "9" * draw(st.integers(4000, 6000)) + "\n"
        else:
            lines.insert(0, _laughs(draw(st.integers(2, 9)), draw(st.integers(2, 9))))
    raw = "".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter of the files get random bytes too
        k = draw(st.integers(0, len(raw)))
        raw = raw[:k] + draw(st.binary(min_size=1, max_size=6)) + raw[k:]
    return raw


@settings(max_examples=100, deadline=None, database=None, report_multiple_bugs=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(raw=mutated_documents())
def test_fuzzed_scenario_files_load_or_raise_bmdsim_error(raw):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.yaml"
        path.write_bytes(raw)
        try:
            load_scenario(str(path))
        except BmdsimError as err:
            msg = str(err)
            assert msg.strip()
            assert "\n" not in msg  # the CLI prints it on one line


def _cli_fuzz_cases() -> dict:
    base = BASE_TEXTS["epaa-phase-3"]
    return {
        "unknown-key.yaml": base.replace("architecture:\n", "architecture:\n  interceptr: SM-3-IIB\n", 1).encode(),
        "wrong-type.yaml": base.replace("options: {step_s: 5}", "options: {step_s: [5]}").encode()
        + b"architecture: {sites: 7}\n",
        "random-bytes.yaml": base.encode()[:40] + b"\xff\xfe\x00\x80garbage" + base.encode()[40:],
        "alias-bomb.yaml": (_laughs(9, 9) + base).encode(),
        "object-tag.yaml": base.replace("name: epaa-phase-3", "name: !!python/object/apply:os.getcwd []").encode(),
        "deep.yaml": (base + "sources: " + "[" * 500 + "]" * 500 + "\n").encode(),
        "recursive-alias.yaml": b"name: r\nextends: epaa-phase-1\nsources: &a [*a]\n",
        "huge-integer.yaml": b"name: h\nextends: epaa-phase-1\noptions: {step_s: " + b"9" * 5000 + b"}\n",
    }


@pytest.mark.parametrize("fname", sorted(_cli_fuzz_cases()))
def test_cli_on_mutated_files_exits_cleanly(fname, tmp_path):
    path = tmp_path / fname
    path.write_bytes(_cli_fuzz_cases()[fname])
    r = cli("validate", str(path), timeout=120)
    assert r.returncode in (0, 2), r.stderr[-800:]
    assert "Traceback" not in r.stderr, r.stderr[-800:]
    if r.returncode == 2:
        assert r.stderr.startswith("bmdsim: error: ")


# ============================================================================ 6. sweeps and variants
SWEEP = """\
name: vbo-sweep
extends: epaa-phase-3
sweep:
  options.vbo_kms: {from: 2, to: 4, step: 1}
  architecture.sites.redzikowo.interceptor: [SM-3-IIA, SM-3-IIB]
"""
VBO, ICP = "options.vbo_kms", "architecture.sites.redzikowo.interceptor"


def test_sweep_expands_to_every_combination(tmp_path):
    scn = load_scenario(write(tmp_path, "sweep.yaml", SWEEP))
    variants = expand_variants(scn)
    assert len(variants) == 6
    labels = {(v.label[VBO], v.label[ICP]) for v in variants}
    assert labels == {(v, i) for v in (2.0, 3.0, 4.0) for i in ("SM-3-IIA", "SM-3-IIB")}
    for v in variants:
        assert set(v.label) == {VBO, ICP}  # no `variant` key without named variants
        assert v.scenario.options.vbo_kms == v.label[VBO]
        icp = {s.name: s.interceptor for s in v.scenario.architecture.sites}
        assert icp == {"ship-east-med": "SM-3-IIA", "deveselu": "SM-3-IB", "redzikowo": v.label[ICP]}
        assert not v.scenario.sweep and not v.scenario.variants


def test_sweep_share_engageable_grows_with_burnout_speed(tmp_path):
    run = run_scenario(load_scenario(write(tmp_path, "sweep.yaml", SWEEP)))
    runs = run.summary()["runs"]
    assert len(runs) == 6
    for icp in ("SM-3-IIA", "SM-3-IIB"):
        rows = sorted((r["label"][VBO], r) for r in runs if r["label"][ICP] == icp)
        assert [v for v, _ in rows] == [2.0, 3.0, 4.0]
        shares = [r["share_engageable"] for _, r in rows]
        assert shares == sorted(shares), (icp, shares)
        assert shares[0] < shares[-1], (icp, shares)  # doubling vbo must matter against IRBMs over Europe
        for site in ("ship-east-med", "deveselu", "redzikowo"):
            per_site = [r["sites"][site]["engageable"] for _, r in rows]
            assert per_site == sorted(per_site), (icp, site, per_site)
    # vbo is an override of every site: the sites' own interceptor speed is replaced
    for lab, tab in zip(run.labels, run.tables, strict=True):
        for s in tab.architecture.sites:
            assert abs(s.kin.vbo_m_s - lab[VBO] * 1e3) < 1e-6


@pytest.mark.parametrize("path, valid", [
    ("architecture.sites.nowhere.interceptor", ["ship-east-med", "deveselu", "redzikowo"]),
    ("architecture.sitez.redzikowo.interceptor", ["sites", "sensors", "links"]),
    ("optionz.vbo_kms", ["architecture", "options"]),
])
def test_bad_sweep_path_names_the_valid_choices(tmp_path, path, valid):
    doc = f"name: bad\nextends: epaa-phase-3\nsweep:\n  {path}: [1, 2]\n"
    with pytest.raises(BmdsimError) as exc:
        load_scenario(write(tmp_path, "bad.yaml", doc))
    msg = str(exc.value)
    assert path in msg and "valid" in msg
    for v in valid:
        assert v in msg


def test_sweep_too_large_is_refused(tmp_path):
    doc = "name: big\nextends: epaa-phase-1\nsweep:\n  options.vbo_kms: {from: 1, to: 10, step: 0.0001}\n"
    with pytest.raises(BmdsimError, match="10000"):
        load_scenario(write(tmp_path, "big.yaml", doc))


# ============================================================================ 7. CLI
def test_schema_is_json_with_the_scenario_keys():
    r = cli("schema")
    assert r.returncode == 0, r.stderr
    sch = json.loads(r.stdout)
    assert {"architecture", "threats", "options", "sweep", "extends", "variants"} <= set(sch["properties"])


def test_schema_does_not_reject_builtin_files():
    """An editor using the schema must not flag the project's own (valid) extending files."""
    r = cli("schema")
    required = set(json.loads(r.stdout).get("required", []))
    bad = [n for n in SCENARIOS if not required <= set(yaml.safe_load(BASE_TEXTS[n]))]
    assert not bad, f"schema requires {sorted(required)}; missing in {bad}"


def test_scenarios_lists_every_builtin():
    r = cli("scenarios")
    assert r.returncode == 0, r.stderr
    for name in SCENARIOS + THREAT_SETS:
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", r.stdout), name


def test_show_prints_resolved_yaml_that_loads_back(tmp_path):
    r = cli("show", "epaa-phase-2")
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load(r.stdout)
    assert "extends" not in data
    assert "deveselu" in {s["name"] for s in data["architecture"]["sites"]}
    # what `show` prints is the resolved scenario itself
    again = load_scenario(write(tmp_path, "shown.yaml", r.stdout))
    assert again.model_dump() == load_scenario("epaa-phase-2").model_dump()


def test_run_writes_outputs_and_is_deterministic(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="200")
    outs = [tmp_path / "a", tmp_path / "b"]
    procs = [subprocess.Popen([sys.executable, "-m", "bmdsim.cli", "run", "epaa-phase-1", "--out", str(o), "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for o in outs]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    names = ("summary.json", "engagements.csv", "threats.csv", "scenario.yaml", "engageable.png")
    for n in names:
        a, b = (outs[0] / n).read_bytes(), (outs[1] / n).read_bytes()
        assert a and a == b, n
    summary = json.loads((outs[0] / "summary.json").read_text())
    assert summary["scenario"] == "epaa-phase-1" and summary["threats_flown"] > 0
    # every file but provenance.json (date, git revision, command line) is identical
    assert sorted(p.name for p in outs[0].iterdir()) == sorted(names + ("provenance.json",))
    # the files agree with each other: one engagement row per flown threat and site, one threat row each
    n_eng = (outs[0] / "engagements.csv").read_text().count("\n") - 1
    n_thr = (outs[0] / "threats.csv").read_text().count("\n") - 1
    assert n_thr == summary["threats_requested"]
    assert n_eng == summary["threats_flown"] * len(summary["runs"][0]["sites"])
