"""User catalogs and the catalog context (issue 13): a renamed copy of a built-in gives the built-in's
numbers exactly, a TPY-2 placed at two places sees what a topocentric hand computation (pyproj) says it
sees, overrides warn, origins and hashes are reported, and a user's entries reach every command."""

from __future__ import annotations

import hashlib
import io
import json
import math
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
import yaml

from bmdsim.analysis.engage import run_engagements
from bmdsim.cli import main
from bmdsim.errors import BmdsimError, UnknownNameError
from bmdsim.model.architecture import parse_architecture, resolve
from bmdsim.model.catalogs import Catalog, CatalogBlock
from bmdsim.model.trajectories import solve_trajectories
from bmdsim.model.validation import ValidationErrors

CAT = Catalog.builtin()
OMEGA_WGS84_RAD_PER_S = 7.292115e-5  # WGS 84 Earth rotation rate (NIMA TR8350.2)


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def entry(kind: str, builtin: str, **changes) -> dict:
    """A built-in entry as plain data (the catalog files' schema), with changes."""
    table = {"missiles": CAT.missile, "interceptors": CAT.interceptor, "sensors": CAT.sensor_type,
             "placements": CAT.placement}[kind]
    d = table(builtin).model_dump(mode="json", by_alias=True, exclude_none=True)
    d.update(changes)
    return d


def write_catalog(path: Path, **blocks) -> Path:
    path.write_text(yaml.safe_dump(blocks, sort_keys=False))
    return path


# ======================================================================================== renamed copies
RENAMED = {
    "missiles": [entry("missiles", "Sejjil-2", name="MY-SEJJIL", aliases=[])],
    "interceptors": [entry("interceptors", "SM-3-IB", name="MY-IB", aliases=[])],
    "sensors": [entry("sensors", "AN/TPY-2", name="MY-TPY2", aliases=[]),
                entry("sensors", "SPY-1", name="MY-SPY", aliases=[])],
    "placements": [entry("placements", "TPY2-KURECIK", name="MY-KURECIK", aliases=[], type="MY-TPY2")],
}


def _arch(icp: str, placement: str, site_radar: str):
    return parse_architecture({
        "name": "a", "rules": {"decision_time_s": 30},
        "sites": [{"name": "deveselu", "place": "deveselu", "interceptor": icp, "sensors": [site_radar]},
                  {"name": "ship", "kind": "ship", "place": "east_med", "interceptor": icp,
                   "sensors": [site_radar]}],
        "sensors": [placement, "SBIRS"], "links": [{"sensor": placement, "sites": "all"},
                                                   {"sensor": "SBIRS", "sites": "all"}]})


def test_a_renamed_copy_of_built_ins_gives_identical_trajectories_and_engagements(tmp_path):
    """Missile, interceptor, radar types and placement copied from the built-ins under new names (a user
    catalog file): every number of the trajectories and of the engagement table is the built-ins'."""
    mine = CAT.extend(write_catalog(tmp_path / "renamed.yaml", **RENAMED))
    pts = [CAT.place(p) for p in ("tabriz", "deveselu", "bucharest", "sofia", "athens", "ankara")]
    lat2, lon2 = [p.lat_deg for p in pts[1:]], [p.lon_deg for p in pts[1:]]
    a = solve_trajectories("Sejjil-2", pts[0].lat_deg, pts[0].lon_deg, lat2, lon2, step_s=5.0)
    b = solve_trajectories("MY-SEJJIL", pts[0].lat_deg, pts[0].lon_deg, lat2, lon2, step_s=5.0, catalog=mine)
    assert a.ok.sum() >= 3 and set(b.missile) == {"MY-SEJJIL"}
    for f in ("impact_lat_deg", "impact_lon_deg", "miss_m", "status", "events_t_s", "events_state", "samples",
              "controls"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    ta = run_engagements(resolve(_arch("SM-3-IB", "TPY2-KURECIK", "SPY-1")), a)
    tb = run_engagements(resolve(_arch("MY-IB", "MY-KURECIK", "MY-SPY"), catalog=mine), b)
    assert ta.engageable.any() and not ta.engageable.all()  # a table with both answers
    for f in ("engageable", "reason", "shots", "first_detection_s", "track_s", "launch_earliest_s"):
        np.testing.assert_array_equal(getattr(ta, f), getattr(tb, f), err_msg=f)
    for k in ta.first:
        np.testing.assert_array_equal(ta.first[k], tb.first[k], err_msg=k)
        np.testing.assert_array_equal(ta.last[k], tb.last[k], err_msg=k)
    rename = {"TPY2-KURECIK": "MY-KURECIK", "SPY-1@deveselu": "MY-SPY@deveselu", "SPY-1@ship": "MY-SPY@ship",
              "SBIRS": "SBIRS"}
    assert {rename[k] for k in ta.sensor_detection_s} == set(tb.sensor_detection_s)
    for k, v in ta.sensor_detection_s.items():
        np.testing.assert_array_equal(v, tb.sensor_detection_s[rename[k]], err_msg=k)


def test_renamed_copy_through_the_command_line_prints_the_same_numbers(tmp_path):
    f = write_catalog(tmp_path / "renamed.yaml", **RENAMED)
    rc, want, err = cli("engage", "--architecture", "tests/data/arch_test.yaml", "--missile", "Sejjil-2",
                        "--from", "tabriz", "--to", "deveselu", "--format", "csv")
    assert rc == 0, err
    rc, got, err = cli("engage", "--architecture", "tests/data/arch_test.yaml", "--missile", "MY-SEJJIL",
                       "--from", "tabriz", "--to", "deveselu", "--format", "csv", "--catalog", f)
    assert rc == 0 and all(ln.startswith("bmdsim: warning: ") for ln in err.splitlines()), err
    assert got == want.replace("Sejjil-2", "MY-SEJJIL")


# =================================================================== a TPY-2 placed at two places, by hand
def _topocentric(site_lat, site_lon, site_h, r_ecef):
    """Elevation (deg), azimuth (deg, [0, 360)) and slant range (m) of ECEF points from a site, with PROJ's
    topocentric conversion (pyproj; independent of bmdsim's frames)."""
    import pyproj

    t = pyproj.Transformer.from_pipeline(f"+proj=topocentric +ellps=WGS84 +lat_0={site_lat!r} "
                                         f"+lon_0={site_lon!r} +h_0={site_h!r}")
    e, n, u = t.transform(r_ecef[..., 0], r_ecef[..., 1], r_ecef[..., 2])
    return (np.degrees(np.arctan2(u, np.hypot(e, n))), np.degrees(np.arctan2(e, n)) % 360.0,
            np.sqrt(e * e + n * n + u * u))


def test_tpy2_placed_at_two_places_matches_a_topocentric_hand_computation():
    """The catalog's Kurecik TPY-2 and a second TPY-2 the architecture places on a ship in the Black Sea
    (another position, altitude and boresight): the first sample each one sees of each threat is the first
    sample a hand computation sees — PROJ topocentric elevation >= 0, slant range <= R_ref (sigma /
    sigma_ref)^1/4 (booster RCS up to burnout, RV after), azimuth within boresight +- the type's 60 deg."""
    ship = {"name": "tpy2-ship", "type": "AN/TPY-2", "lat_deg": 43.2, "lon_deg": 34.1, "alt_m": 25.0,
            "boresight_az_deg": 125.0}
    arch = resolve(parse_architecture({
        "name": "two-tpy2", "sites": [{"name": "deveselu", "place": "deveselu", "interceptor": "SM-3-IB"}],
        "sensors": ["TPY2-KURECIK", ship]}))
    launches = [CAT.place(p) for p in ("tabriz", "semnan_ls", "shiraz", "isfahan")]
    aims = [CAT.place(p) for p in ("ankara", "bucharest", "sofia", "athens", "warsaw", "vilnius", "rome")]
    rows = [(m, la, ai) for m in ("Shahab-3", "Sejjil-2", "Iran-IRBM") for la in launches for ai in aims]
    rows += [("Iskander", CAT.place("pionersky"), CAT.place(a)) for a in ("redzikowo", "vilnius", "riga")]  # far
    ts = solve_trajectories([r[0] for r in rows], [r[1].lat_deg for r in rows], [r[1].lon_deg for r in rows],
                            [r[2].lat_deg for r in rows], [r[2].lon_deg for r in rows], step_s=5.0)
    tab = run_engagements(arch, ts)
    tpy = CAT.sensor_type("AN/TPY-2")
    kurecik = CAT.placement("TPY2-KURECIK")
    radars = {"TPY2-KURECIK": (kurecik.place.lat_deg, kurecik.place.lon_deg, kurecik.alt_m.value,
                               kurecik.faces[0].boresight_az_deg.value),
              "tpy2-ship": (ship["lat_deg"], ship["lon_deg"], ship["alt_m"], ship["boresight_az_deg"])}
    seen_by = {name: 0 for name in radars}
    for i in np.nonzero(ts.ok)[0]:
        s = ts.samples[i]
        s = s[np.isfinite(s[:, 0])]
        t, r_eci = s[:, 0], s[:, 1:4]
        wt = OMEGA_WGS84_RAD_PER_S * t  # ECEF = R3(omega t) ECI: the axes coincide at launch
        r_ecef = np.stack([np.cos(wt) * r_eci[:, 0] + np.sin(wt) * r_eci[:, 1],
                           -np.sin(wt) * r_eci[:, 0] + np.cos(wt) * r_eci[:, 1], r_eci[:, 2]], axis=-1)
        m = ts.entry(i)
        rcs = np.where(t <= ts.events_t_s[i, 0], m.booster_rcs_m2.value, m.rv.rcs_m2.value)
        r_max = np.minimum(tpy.range_ref_km.value * 1e3 * (rcs / tpy.rcs_ref_m2.value) ** 0.25,
                           tpy.instrumented_range_km.value * 1e3)
        for name, (lat, lon, h, bore) in radars.items():
            el, az, rng = _topocentric(lat, lon, h, r_ecef)
            off = np.abs((az - bore + 180.0) % 360.0 - 180.0)
            sees = (el >= tpy.min_elev_deg.value) & (rng <= r_max) & (off <= tpy.half_width_deg.value)
            want = t[np.argmax(sees)] if sees.any() else np.nan
            got = tab.sensor_detection_s[name][i]
            assert (np.isnan(want) and np.isnan(got)) or want == got, (name, rows[i][0], rows[i][1].id,
                                                                       rows[i][2].id, want, got)
            seen_by[name] += sees.any()
    n = int(ts.ok.sum())
    # both radars see some threats and miss others (the test covers both answers, and they differ)
    assert all(0 < k < n for k in seen_by.values()), seen_by
    assert not np.array_equal(tab.sensor_detection_s["TPY2-KURECIK"], tab.sensor_detection_s["tpy2-ship"],
                              equal_nan=True)


def test_a_tpy2_on_a_site_takes_the_site_and_its_boresight_and_can_be_linked():
    """Was: a TPY-2 listed under a site kept Kurecik's boresight (100 deg) and altitude (2 km) and could not be
    linked to another site. Now the site's position, the placement's altitude and boresight, linkable."""
    from bmdsim.core.earth import geodetic_to_ecef

    data = {"name": "a", "sites": [
        {"name": "ship", "kind": "ship", "lat_deg": 43.2, "lon_deg": 34.1, "interceptor": "SM-3-IB",
         "sensors": [{"type": "TPY-2", "alt_m": 30, "boresight_az_deg": 140}]},
        {"name": "deveselu", "place": "deveselu", "interceptor": "SM-3-IB", "sensors": ["SPY-1"]}],
        "links": [{"sensor": "AN/TPY-2@ship", "sites": ["deveselu"]}]}
    arch = resolve(parse_architecture(data))
    (own,) = arch.sites[0].own_radars
    assert own.name == "AN/TPY-2@ship" and own.type == "AN/TPY-2"
    np.testing.assert_allclose(own.site_ecef, geodetic_to_ecef(math.radians(43.2), math.radians(34.1), 30.0),
                               atol=1e-6)  # 1 um
    assert own.boresight_rad == (math.radians(140.0),)
    assert [r.name for r in arch.sites[1].linked_radars] == ["AN/TPY-2@ship"]
    assert arch.sites[0].linked_radars == ()  # its own radar is not linked to itself
    # the short form still works where the faces cover every azimuth, and fails with the remedy otherwise
    data["sites"][0]["sensors"] = ["TPY-2"]
    with pytest.raises(BmdsimError, match=r"site 'ship': .*covers 120 deg.*boresight_az_deg"):
        resolve(parse_architecture(data))
    data["sites"][0]["sensors"] = ["TPY2-KURECIK"]
    with pytest.raises(BmdsimError, match=r"already placed .*list it in the architecture's `sensors` and link it"):
        resolve(parse_architecture(data))


def test_short_form_of_builtin_placements_gives_the_hand_written_placement():
    """Every built-in placement named by its short form (``sensors: [ARMAVIR]``) detects exactly as its type
    placed by hand at the same point, altitude and face boresights (the placements whose faces narrow the
    type's half-width, Lekhtusi and Mishelevka-Dnepr, excepted: an architecture places a type's faces as
    they are); and the two-face Armavir as one 240-deg sector, the catalog's coverage before faces."""
    hand, names = [], []
    for name, pl in CAT.placements.items():
        if any(f.half_width_deg is not None for f in pl.faces or []):
            continue
        lat, lon = CAT.place_of(pl)
        names.append(name)
        hand.append({"name": f"{name}-by-hand", "type": pl.type, "lat_deg": lat, "lon_deg": lon,
                     "alt_m": pl.alt_m.value if pl.alt_m else 0.0, "boresight_az_deg": (
                         list(pl.boresights_deg()) if pl.faces else None)})
    assert {"TPY2-KURECIK", "ARMAVIR", "GABALA", "FYLINGDALES", "THULE", "EMR-BRDY", "DON-2N"} <= set(names)
    arm = CAT.placement("ARMAVIR")
    sector = {**CAT.sensor_type("VORONEZH-DM").model_dump(mode="json", exclude_none=True), "name": "ONE-SECTOR",
              "aliases": [], "faces": 1, "half_width_deg": {"value": 120, "source": "keeptrack (ARMV) 55-295"}}
    mine = CAT.extend(CatalogBlock("test", {"sensors": [sector]}))
    one = {"name": "armavir-one-sector", "type": "ONE-SECTOR", "lat_deg": arm.place.lat_deg,
           "lon_deg": arm.place.lon_deg, "boresight_az_deg": 175.0}
    arch = resolve(parse_architecture({"name": "a", "sites": [{"name": "s", "place": "deveselu",
                                                               "interceptor": "SM-3-IB"}],
                                       "sensors": [*names, *hand, one]}), catalog=mine)
    rows = [("Iran-IRBM", la, ai) for la in ("tabriz", "semnan_ls", "shiraz")
            for ai in ("ankara", "bucharest", "moscow", "riga", "warsaw", "athens", "rome", "london")]
    rows += [(m, la, ai) for m, la in (("SS-27", "teykovo"), ("SS-18", "dombarovsky"), ("SS-N-23", "barents"))
             for ai in ("washington", "seattle", "chicago")]
    rows += [("Minuteman-III", "minot", ai) for ai in ("moscow", "don2n")]
    pts = [(m, CAT.place(a), CAT.place(b)) for m, a, b in rows]
    ts = solve_trajectories([m for m, _, _ in pts], [a.lat_deg for _, a, _ in pts], [a.lon_deg for _, a, _ in pts],
                            [b.lat_deg for _, _, b in pts], [b.lon_deg for _, _, b in pts], step_s=5.0)
    det = run_engagements(arch, ts).sensor_detection_s
    seen = 0
    for name in names:
        np.testing.assert_array_equal(det[name], det[f"{name}-by-hand"], err_msg=name)
        seen += bool(np.isfinite(det[name]).any())
    assert seen >= len(names) - 2  # nearly every radar sees some of these threats (the test is not vacuous)
    assert np.isfinite(det["ARMAVIR"]).sum() >= 3
    np.testing.assert_array_equal(det["ARMAVIR"], det["armavir-one-sector"])


def test_space_ir_coverage_band():
    """A constellation covering only southern latitudes never warns of a launch at 38 N; a global one does."""
    band = {**entry("sensors", "SBIRS"), "name": "SOUTH-IR", "aliases": [],
            "coverage": {"lat_south_deg": {"value": -60, "notional": True, "note": "test"},
                         "lat_north_deg": {"value": 20, "notional": True, "note": "test"}}}
    mine = CAT.extend(CatalogBlock("test", {"sensors": [band]}))
    arch = resolve(parse_architecture({"name": "a", "sites": [{"name": "s", "place": "deveselu",
                                                               "interceptor": "SM-3-IB"}],
                                       "sensors": ["SBIRS", "SOUTH-IR"]}), catalog=mine)
    t, d = CAT.place("tabriz"), CAT.place("deveselu")
    ts = solve_trajectories("Sejjil-2", t.lat_deg, t.lon_deg, d.lat_deg, d.lon_deg, step_s=5.0)
    det = run_engagements(arch, ts).sensor_detection_s
    assert np.isfinite(det["SBIRS"][0]) and np.isnan(det["SOUTH-IR"][0])


# ============================================================================ overrides, origins, errors
def test_a_builtin_name_needs_override_and_then_warns(tmp_path):
    iib = entry("interceptors", "SM-3-IIB", vbo_kms={"value": 6.5, "notional": True, "note": "what if"})
    f = write_catalog(tmp_path / "iib.yaml", interceptors=[iib])
    with pytest.raises(ValidationErrors, match=r"iib.yaml: line 2: interceptors.0.name: interceptor 'SM-3-IIB' "
                                               r"clashes with the built-in interceptor 'SM-3-IIB' .*override: true"):
        CAT.extend(f)
    rc, _, err = cli("interceptors", "--catalog", f)
    assert rc == 2 and err.count("\n") == 1 and "override: true" in err
    write_catalog(f, interceptors=[{**iib, "override": True}])
    mine = CAT.extend(f)
    assert mine.interceptor("SM-3-IIB").vbo_kms.value == 6.5 and CAT.interceptor("SM-3-IIB").vbo_kms.value == 5.5
    assert mine.interceptor("sm3 iib").name == "SM-3-IIB"  # the aliases are the new entry's
    rc, out, err = cli("interceptors", "--catalog", f)
    lines = err.strip().splitlines()
    assert rc == 0 and len(lines) == 1 and lines[0].startswith("bmdsim: warning: ") and "replaces" in lines[0]
    assert "6.5" in out
    # an alias counts as a name: a user missile called RS-24's alias clashes too
    alias = entry("missiles", "SS-27", name="RS24", aliases=[])
    with pytest.raises(ValidationErrors, match="clashes with the built-in missile 'RS-24'"):
        CAT.extend(CatalogBlock("b", {"missiles": [alias]}))


def test_origin_column_and_origins(tmp_path):
    f = write_catalog(tmp_path / "u.yaml", **RENAMED)
    mine = CAT.extend(f)
    assert str(mine.origin("missiles", "MY-SEJJIL")) == f"{f}: line 2"
    assert mine.origin("missiles", "Sejjil-2").builtin
    assert mine.origin("placements", "MY-KURECIK").line > mine.origin("sensors", "MY-SPY").line
    for command, name in (("missiles", "MY-SEJJIL"), ("interceptors", "MY-IB"), ("sensors", "MY-KURECIK")):
        rc, out, err = cli(command, "--catalog", f)
        assert rc == 0, err
        row = next(ln for ln in out.splitlines() if name in ln)
        assert "u.yaml" in out and "built-in" in out, command
        assert "built-in" not in row, command
    rc, out, _ = cli("places", "--catalog", write_catalog(tmp_path / "p.yaml", places=[
        {"id": "my_point", "name": "My point", "category": "test", "lat_deg": 10.0, "lon_deg": 20.0,
         "notional": True, "note": "test"}]), "--category", "test")
    assert rc == 0 and "my_point" in out and "p.yaml" in out


def test_lookups_and_errors():
    with pytest.raises(UnknownNameError, match="Did you mean 'Sejjil-2'"):
        CAT.missile("Sejil-2")
    assert CAT.missile("sejjil 2").name == "Sejjil-2" and CAT.place("Deveselu").id == "deveselu"
    assert CAT.template("generic-2-stage").name == "generic-2-stage" and CAT.template("ss27").name == "SS-27"
    with pytest.raises(UnknownNameError, match="generic template or catalog missile"):
        CAT.template("nope")
    assert Catalog.builtin() is CAT and CAT.is_builtin and CAT.key == "built-in"
    with pytest.warns(DeprecationWarning, match="get_missile"):
        from bmdsim.model.missiles import get_missile

        assert get_missile("SS-27") is CAT.missile("SS-27")


def test_context_is_immutable_and_pickles(tmp_path):
    import pickle

    mine = CAT.extend(write_catalog(tmp_path / "u.yaml", **RENAMED))
    assert "MY-SEJJIL" not in CAT.missiles and "MY-SEJJIL" in mine.missiles
    with pytest.raises(TypeError):
        mine.missiles["X"] = None  # a read-only view
    back = pickle.loads(pickle.dumps(mine))
    assert back == mine and back.key == mine.key and back.missile("MY-SEJJIL") == mine.missile("MY-SEJJIL")
    assert back.origin("missiles", "MY-SEJJIL") == mine.origin("missiles", "MY-SEJJIL")


def test_placement_checks_name_the_line(tmp_path):
    bad = [{"name": "P1", "type": "AN/TPY-2", "place": "kurecik"},  # no boresight for a one-face type
           {"name": "P2", "type": "NO-SUCH-RADAR", "place": "kurecik"},
           {"name": "P3", "type": "SBIRS", "place": "kurecik"},
           {"name": "P4", "type": "AN/TPY-2", "place": "nowhere",
            "faces": [{"boresight_az_deg": {"value": 90, "notional": True, "note": "t"}}]},
           {"name": "P5", "type": "AN/TPY-2", "place": "kurecik",
            "faces": [{"boresight_az_deg": {"value": b, "notional": True, "note": "t"}} for b in (0, 90)]}]
    f = write_catalog(tmp_path / "pl.yaml", placements=bad)
    with pytest.raises(ValidationErrors) as err:
        CAT.extend(f)
    msgs = err.value.messages
    assert len(msgs) == 5 and all(m.startswith(f"{f}: line ") for m in msgs), msgs
    text = "\n".join(msgs)
    for needle in ("covers 120 deg", "unknown radar type 'NO-SUCH-RADAR'", "space_ir: a constellation",
                   "unknown place 'nowhere'", "2 face boresights given; type AN/TPY-2 has one face"):
        assert needle in text, (needle, text)


# =========================================================================== scenarios, provenance
SCENARIO = """\
name: my-iran
description: a user missile, a TPY-2 on a ship and a patrol point of the scenario's own
catalogs: [cats/renamed.yaml]
places:
  - {id: black_sea_west, name: Black Sea west, category: patrol_area, lat_deg: 43.2, lon_deg: 34.1,
     notional: true, note: a patrol point of this test}
architecture:
  name: my-arch
  sites:
    - {name: deveselu, place: deveselu, interceptor: MY-IB, inventory: 24, sensors: [SPY-1]}
    - name: ship
      kind: ship
      place: black_sea_west
      interceptor: SM-3-IB
      sensors: [SPY-1, {name: tpy2-ship, type: AN/TPY-2, alt_m: 25, boresight_az_deg: 125}]
  sensors: [SBIRS]
  links:
    - {sensor: tpy2-ship, sites: all}
    - {sensor: SBIRS, sites: all}
threats:
  missiles: [MY-SEJJIL]
  launches: [tabriz]
  aims: [deveselu, bucharest, sofia]
options: {step_s: 5}
"""


def test_scenario_catalogs_and_inline_blocks_run_and_reproduce(tmp_path):
    """A scenario's `catalogs:` file (relative to it) and inline `places:` block; provenance lists the file
    with its SHA-256; the folder's scenario.yaml inlines the user's entries and reproduces the run."""
    (tmp_path / "cats").mkdir()
    cat_file = write_catalog(tmp_path / "cats" / "renamed.yaml", **RENAMED)
    f = tmp_path / "my.yaml"
    f.write_text(SCENARIO)
    rc, _, err = cli("validate", f)
    assert rc == 0, err
    out = tmp_path / "o"
    rc, _, err = cli("run", f, "--out", out, "--quiet")
    assert rc == 0, err
    prov = json.loads((out / "summary.json").read_text())["provenance"]
    rows = {c["name"]: c for c in prov["catalogs"]}
    assert rows["renamed.yaml"] == {"name": "renamed.yaml", "kind": "file",
                                    "sha256": hashlib.sha256(cat_file.read_bytes()).hexdigest()}
    assert rows["scenario my-iran (inline)"]["kind"] == "inline"
    assert {"missiles.yaml", "interceptors.yaml", "sensors.yaml", "places.yaml"} <= set(rows)
    assert any(p["parameter"].startswith("MY-SEJJIL.") for p in prov["parameters"])
    copied = yaml.safe_load((out / "scenario.yaml").read_text())
    assert "catalogs" not in copied and [m["name"] for m in copied["missiles"]] == ["MY-SEJJIL"]
    assert [p["id"] for p in copied["places"]] == ["black_sea_west"]
    again = tmp_path / "again"
    again.mkdir()
    (again / "scenario.yaml").write_text((out / "scenario.yaml").read_text())  # alone: no catalog file beside it
    rc, _, err = cli("run", again / "scenario.yaml", "--out", again / "o", "--quiet")
    assert rc == 0, err
    assert (again / "o" / "engagements.csv").read_text() == (out / "engagements.csv").read_text()
    text = (out / "engagements.csv").read_text()
    assert "MY-SEJJIL" in text and "MY-IB" in text


def test_command_line_catalog_reaches_scenarios_and_analyses(tmp_path):
    f = write_catalog(tmp_path / "renamed.yaml", **RENAMED)
    scn = tmp_path / "s.yaml"
    scn.write_text(SCENARIO.replace("catalogs: [cats/renamed.yaml]\n", ""))
    rc, _, err = cli("validate", scn)
    assert rc == 2 and "unknown missile 'MY-SEJJIL'" in err
    rc, _, err = cli("validate", scn, "--catalog", f)
    assert rc == 0, err
    rc, out, err = cli("footprint", scn, "--catalog", f, "--launch-area", "tabriz", "--grid", "5", "--lat", "40:50",
                       "--lon", "20:30", "--out", tmp_path / "fp", "--quiet")
    assert rc == 0, err
    summary = json.loads((tmp_path / "fp" / "summary.json").read_text())
    assert summary["missiles"] == ["MY-SEJJIL"]
    assert any(c["name"] == "renamed.yaml" for c in summary["provenance"]["catalogs"])


def test_validate_checks_catalog_files(tmp_path):
    f = write_catalog(tmp_path / "renamed.yaml", **RENAMED)
    rc, out, err = cli("validate", f)
    assert rc == 0 and "catalog: 1 missiles, 1 interceptors, 2 sensors, 1 placements" in out, err
    g = tmp_path / "bad.yaml"
    g.write_text("missiles:\n  - name: X\ninterceptr: []\n")
    rc, _, err = cli("validate", g, "--kind", "catalog")
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) >= 3 and all(ln.startswith(f"bmdsim: error: {g}: line ") for ln in lines), err
    assert "did you mean 'interceptors'?" in err


def test_variants_may_not_change_catalog_entries(tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text("name: v\nextends: epaa-phase-1\nvariants:\n  a:\n    missiles: []\n")
    rc, _, err = cli("validate", f)
    assert rc == 2 and "catalog entries are the scenario's" in err


def test_assess_and_catalog_fit_write_entries_that_catalog_reads(tmp_path):
    """`assess --save-missile` and `catalog fit` write `missiles: [entry]` files: --catalog loads them (origin:
    the file), the missile flies, and a name already taken is said at writing time."""
    saved = tmp_path / "hs14.yaml"
    rc, _, err = cli("assess", "--apogee-km", "3700", "--range-km", "1000", "--flight-time-min", "47", "--template",
                     "generic-2-stage", "--save-missile", "HS-14-FIT", "--missile-file", saved, "--no-sensitivity",
                     "--out", tmp_path / "a.json")
    assert rc == 0, err
    fitted = tmp_path / "fit.yaml"
    rc, _, err = cli("catalog", "fit", "--name", "MY-FIT", "--stages", "2", "--range-km", "3000", "--burn-times-s",
                     "60,60", "--launch-mass-kg", "20000", "--out", fitted)
    assert rc == 0, err
    mine = CAT.extend(saved, fitted)
    assert mine.origin("missiles", "HS-14-FIT").source == str(saved)
    assert mine.missile("MY-FIT").nominal_range_km.value == 3000
    rc, out, err = cli("trajectory", "--catalog", saved, "--catalog", fitted, "--missile", "HS-14-FIT", "--from",
                       "40.0,127.0", "--to", "47.6,-122.3", "--step-s", "60")
    assert rc == 0 and json.loads(out)["missile"] == "HS-14-FIT", err
    rc, _, err = cli("catalog", "fit", "--name", "SS-27", "--stages", "1", "--range-km", "3000", "--burn-times-s",
                     "60", "--launch-mass-kg", "20000", "--out", tmp_path / "taken.yaml")
    assert rc == 0 and "already taken" in err and "override: true" in err
    rc, _, err = cli("missiles", "--catalog", tmp_path / "taken.yaml")
    assert rc == 2 and "clashes with the built-in missile 'SS-27'" in err
