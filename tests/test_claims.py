"""The claims ledger: quotes are verbatim from the article, and a sample of verdict numbers is
re-derived here with direct engine calls (not read back from the ledger's own code paths)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from bmdsim.analysis.claims import CLAIMS, run_claims, write_claims
from bmdsim.analysis.engage import run_engagements
from bmdsim.core import geodesy
from bmdsim.model.architecture import resolve
from bmdsim.model.catalogs import Catalog
from bmdsim.model.scenario import expand_threats, load_scenario, load_threat_set
from bmdsim.model.trajectories import solve_trajectories

ROOT = Path(__file__).resolve().parents[1]
SEED = [ROOT.parent / "shared/seed/000_eed3257f8ff61164.txt", Path("/work/shared/seed/000_eed3257f8ff61164.txt")]


def _article():
    for p in SEED:
        if p.exists():
            return p.read_text()
    pytest.skip("the seed article (../shared/seed) is not available")


def _normalise(text: str) -> str:
    """Join the article's hyphenated line breaks and collapse white space."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    out = ""
    for ln in lines:
        if out.endswith("-") and ln[:1].islower():
            out = out[:-1] + ln
        else:
            out += " " + ln
    return re.sub(r"\s+", " ", out)


def test_every_quote_is_verbatim_and_placed():
    raw = _article()
    text = _normalise(raw)
    lines = raw.splitlines()
    assert len(CLAIMS) == 15 and [c.id for c in CLAIMS] == [f"C{i}" for i in range(1, 16)]
    for c in CLAIMS:
        assert c.quote in text, c.id
        # the stated line holds a piece of the quote (within a few lines: the article wraps lines)
        words = [w for w in re.findall(r"[A-Za-z]{5,}", c.quote)]
        window = " ".join(lines[max(0, c.line - 12): c.line + 12])
        assert any(w in window for w in words), (c.id, c.line)


def test_every_passage_is_verbatim_and_holds_its_quote():
    text = _normalise(_article())
    for c in CLAIMS:
        assert c.context and c.asserts, c.id
        for piece in c.context.split(" […] "):
            assert piece in text, (c.id, piece[:60])
        assert c.quote.split(" […] ")[0] in c.context.replace(" […] ", " ") or c.quote in c.context, c.id
        assert c.asserts.endswith(".") and len(c.asserts) < 300


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    out = tmp_path_factory.mktemp("claims")
    recs = run_claims(out, ["C3", "C7", "C13"])
    write_claims(recs, out)
    return out, {r["id"]: r for r in recs}


def test_ledger_files_and_fields(ledger):
    import json

    out, recs = ledger
    data = json.loads((out / "claims.json").read_text())
    assert [r["id"] for r in data] == ["C3", "C7", "C13"]
    for r in data:
        for k in ("id", "quote", "context", "asserts", "scenario", "verdict", "fact", "threshold", "tables", "numbers",
                  "assumptions", "figures"):
            assert k in r
        assert r["verdict"] in ("supported", "not supported", "depends")
        for t in r["tables"]:
            assert t["rows"] and t["reproduce"].startswith("bmdsim ")
            for row in t["rows"]:  # numbers as table cells, never nested data
                assert all(not isinstance(v, dict | list) for v in row.values()), (r["id"], t["title"])
        for f in r["figures"]:
            assert (out / f).is_file()
    html = (out / "report.html").read_text()
    md = (out / "report.md").read_text()
    assert "open-literature" in html and "bmdsim claims" in html
    # the article is described, not cited by its hashed file name; no JSON blobs or dict reprs in the report
    assert "000_eed3257f8ff61164" not in md and "second part of a two-part" in md and "1991-2012" in md
    assert "{'" not in md and '{"' not in md
    assert md.count("Reproduce: `bmdsim ") >= sum(len(r["tables"]) for r in data)
    # every threshold that names a speed names it as a burnout speed
    for r in data:
        if "km/s" in r["threshold"]:
            assert "burnout speed" in r["threshold"], r["id"]
    assert "Earth's rotation" in md


def test_c7_numbers_rederived(ledger):
    """C7: the deterrent engagement counts per phase, re-derived with a direct engagement run."""
    _, recs = ledger
    tls = [expand_threats(load_threat_set(n)) for n in ("russia-icbm-to-us", "russia-slbm-to-us")]
    miss = sum((t.missile for t in tls), ())
    la1 = sum((t.launch_lat for t in tls), ())
    lo1 = sum((t.launch_lon for t in tls), ())
    la2 = sum((t.aim_lat for t in tls), ())
    lo2 = sum((t.aim_lon for t in tls), ())
    ts = solve_trajectories(list(miss), la1, lo1, la2, lo2, step_s=5.0)
    for phase in ("epaa-phase-1", "epaa-phase-4"):
        tab = run_engagements(resolve(load_scenario(phase).architecture), ts)
        direct = int((tab.engageable.any(axis=1) & ts.ok).sum())
        assert recs["C7"]["numbers"][phase]["engageable"] == direct
        assert recs["C7"]["numbers"][phase]["deterrent_trajectories"] == int(ts.ok.sum())


def test_c13_distances_and_reach_rederived(ledger):
    _, recs = ledger
    for row in recs["C13"]["numbers"]:
        src = Catalog.builtin().place("pionersky" if "Kaliningrad" in row["from"] else "armavir")
        dst = Catalog.builtin().place(row["target"])
        d, _, _ = geodesy.inverse(src.lat_deg, src.lon_deg, dst.lat_deg, dst.lon_deg)
        assert row["distance_km"] == pytest.approx(float(d) / 1e3, abs=1.0)
        if row["in_reach"]:
            ts = solve_trajectories("Iskander", src.lat_deg, src.lon_deg, dst.lat_deg, dst.lon_deg, step_s=None)
            assert ts.ok[0] and abs(ts.events_t_s[0, 3] - row["flight_time_s"]) <= 1.0
        else:
            assert d > 400e3  # short shots are always in reach of a 500 km missile
    assert np.any([r["in_reach"] for r in recs["C13"]["numbers"]])


def test_c3_deciding_fact_is_computed(ledger):
    """C3: the engageable ship-trajectory pairs, their launch-to-ship distances re-derived from the places."""
    _, recs = ledger
    r = recs["C3"]
    pairs = r["numbers"]["engaged"]
    assert pairs, "some forward ship engages some trajectory"
    for e in pairs:
        ship = {"ship-barents-sea": "barents_sea", "ship-norwegian-sea": "norwegian_sea", "ship-baltic": "baltic",
                "ship-north-sea": "north_sea"}[e["ship"]]
        a, b = Catalog.builtin().place(e["launch"]), Catalog.builtin().place(ship)
        d, _, _ = geodesy.inverse(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
        assert e["launch to ship (km)"] == pytest.approx(float(d) / 1e3, abs=1.0)
        assert e["launch"] in r["fact"] and e["ship"] in r["fact"]
    d = sorted({e["launch to ship (km)"] for e in pairs})
    assert f"{d[0]:,}" in r["fact"]


def test_changed_verdicts_are_said_plainly(ledger, tmp_path, monkeypatch):
    import bmdsim.analysis.claims as cl

    _, recs = ledger
    rec = dict(recs["C13"], verdict_before_issue_10="supported")  # as if it had flipped
    write_claims([rec], tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "C13 (Iskander vs EPAA sites) was supported, is now depends" in md
    assert "Changed: this verdict was “supported”" in md
    assert set(cl.VERDICTS_BEFORE_ISSUE_10) == {c.id for c in CLAIMS}


def test_c13_table_is_what_its_reproduce_commands_print(ledger):
    import json
    import subprocess
    import sys

    _, recs = ledger
    rows = recs["C13"]["tables"][0]["rows"]
    cmds = recs["C13"]["tables"][0]["reproduce"].split(" (")[0].split("; ")
    assert len(cmds) == len(rows)
    for cmd, row in list(zip(cmds, rows, strict=True))[:3]:
        r = subprocess.run([sys.executable, "-m", "bmdsim.cli", *cmd.split()[1:]], capture_output=True, text=True)
        if row["in reach"] == "yes":
            assert r.returncode == 0 and f"{json.loads(r.stdout)['flight_time_s']:.0f}" == row["flight time (s)"]
        else:
            assert r.returncode == 2 and "beyond the reach" in r.stderr
