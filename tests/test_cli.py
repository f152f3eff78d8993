"""The command line: one subprocess test per subcommand, and every user mistake -> one line, exit 2."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bmdsim.core import geodesy

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "bmdsim.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_missiles_table_lists_catalog_with_sources():
    r = run("missiles")
    assert r.returncode == 0, r.stderr
    for name in ("SS-27", "Shahab-3", "Minuteman-III", "SS-N-23"):
        assert name in r.stdout
    assert "http" in r.stdout  # sources are shown


def test_interceptors_and_sensors_tables():
    r = run("interceptors")
    assert r.returncode == 0, r.stderr
    assert "SM-3-IIA" in r.stdout
    r = run("sensors")
    assert r.returncode == 0, r.stderr
    assert "ARMAVIR" in r.stdout.upper()


def test_trajectory_json_fields_and_physics():
    r = run("trajectory", "--missile", "SS-27", "--from", "53.98,35.77", "--to", "38.90,-77.04", "--step-s", "10")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for key in ("missile", "launch", "aim", "impact", "range_km", "flight_time_s", "burnout", "apogee", "reentry",
                "samples"):
        assert key in d
    # independent check of the miss: geodesic from the reported impact to the aimpoint
    miss_m, _, _ = geodesy.inverse(d["impact"]["lat"], d["impact"]["lon"], 38.90, -77.04)
    assert miss_m < 1000.0
    s = d["samples"]
    assert s[0]["t_s"] == 0.0 and abs(s[-1]["t_s"] - d["flight_time_s"]) < 1e-6
    assert abs(s[-1]["alt_km"]) < 0.01  # last sample is the impact on the ellipsoid
    # at t = 0 ECI = ECEF and the inertial velocity is the Earth's rotation at the launch point
    v0 = math.hypot(*s[0]["v_eci_mps"][:2])
    assert abs(v0 - 7.292115e-5 * math.hypot(*s[0]["r_eci_m"][:2])) < 0.01
    # samples every 10 s
    assert all(abs((b["t_s"] - a["t_s"]) - 10.0) < 1e-6 for a, b in zip(s[:-2], s[1:-1], strict=True))
    # burnout fields are consistent with the ECI state
    b = d["burnout"]
    assert abs(math.sqrt(sum(v * v for v in b["v_eci_mps"])) / 1e3 - b["speed_kms"]) < 1e-4


def test_trajectory_csv_and_kml_to_file(tmp_path):
    out = tmp_path / "t.csv"
    r = run("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "kurecik", "--format", "csv",
            "--out", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("trajectory,missile,t_s") and len(lines) > 10
    out = tmp_path / "t.kml"
    r = run("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "kurecik", "--format", "kml",
            "--out", str(out))
    assert r.returncode == 0 and "<gx:Track" in out.read_text()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--missile", "SS-99", "--from", "53,35", "--to", "38,-77"], "Known:"),
        (["--missile", "SS-27", "--from", "95,35", "--to", "38,-77"], "latitude"),
        (["--missile", "SS-27", "--from", "53,195", "--to", "38,-77"], "longitude"),
        (["--missile", "SS-27", "--from", "north,east", "--to", "38,-77"], "numbers"),
        (["--missile", "SS-27", "--from", "53,35", "--to", "53,35"], "coincide"),
        (["--missile", "Shahab-3", "--from", "tabriz", "--to", "washington"], "in this direction"),
        (["--missile", "SS-27", "--from", "53,35", "--to", "38,-77", "--apogee-km", "900", "--gamma-deg", "30"],
         "contradictory"),
        (["--missile", "SS-27", "--from", "53,35", "--to", "38,-77", "--step-s", "-5"], "step"),
        (["--missile", "SS-27", "--from", "53,35", "--to", "38,-77", "--out", "/nonexistent/dir/x.json"], "folder"),
        (["--missile", "SS-27", "--from", "53,35"], "Missing option"),
        (["--missile", "SS-27", "--frm", "53,35"], "No such option"),
    ],
)
def test_bad_input_one_line_exit_2(args, needle):
    r = run("trajectory", *args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_out_of_reach_leaves_no_file(tmp_path):
    out = tmp_path / "never.json"
    r = run("trajectory", "--missile", "Shahab-3", "--from", "tabriz", "--to", "washington", "--out", str(out))
    assert r.returncode == 2 and not out.exists() and list(tmp_path.iterdir()) == []


def _check_demo_trajectories(folder):
    rows = json.loads((folder / "trajectories.json").read_text())
    assert len(rows) >= 10
    for row in rows:
        miss, _, _ = geodesy.inverse(row["impact"]["lat"], row["impact"]["lon"], row["aim"]["lat"], row["aim"]["lon"])
        assert miss < 1000.0
    assert "<kml" in (folder / "trajectories.kml").read_text()


def test_demo_trajectories_hit_their_aimpoints(tmp_path):
    """The demo's first part in-process (the ledger it runs next is tested in tests/test_claims.py)."""
    from rich.console import Console

    from bmdsim.analysis.demo import run_demo

    run_demo(tmp_path, Console(file=io.StringIO()))
    _check_demo_trajectories(tmp_path)


@pytest.mark.slow
def test_demo_writes_json_and_kml(tmp_path):
    """The whole `bmdsim demo` as `make demo` runs it (about two minutes: the claims ledger)."""
    r = run("demo", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    _check_demo_trajectories(tmp_path / "o")
    assert (tmp_path / "o" / "claims" / "claims.json").exists()


def test_same_input_same_bytes(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for p in (a, b):
        assert run("trajectory", "--missile", "SS-25", "--from", "yoshkar_ola", "--to", "chicago", "--out",
                   str(p)).returncode == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize(
    "args, needle",
    [
        (["deterrent", "epaa-phase-1", "--scheduler", "nonsense"], "scheduler address"),
        (["footprint", "epaa-phase-3", "--launch-area", "tabriz", "--scheduler", "host:port"], "scheduler address"),
        (["run", "epaa-phase-1", "--jobs", "0"], "--jobs"),
        (["criteria", "--derive", "--jobs", "-3"], "--jobs"),
    ],
)
def test_bad_dask_options_one_line_exit_2(args, needle, tmp_path):
    r = run(*args, "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())  # nothing written
