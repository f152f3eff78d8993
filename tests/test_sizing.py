"""Define a missile from what is published (bmdsim catalog fit, bmdsim.model.sizing).

Oracles:
* brute force: the optimal stage split against a grid search over all splits;
* Tsiolkovsky in closed form for one stage;
* a published trajectory that was NOT fitted: Trident I C-4 sized from its Navy numbers (3 solid stages,
  73,000 lb, 4,000 nmi) must fly the 7,400-km minimum-energy trajectory of Gronlund & Wright (1992,
  Table 1: burnout 6.3 km/s, apogee 1,340 km, 29.2 min) -- the sized missile flown by the independent
  planar DOP853 reference (tests/reference/standard_range.py), with the tolerances of the published
  cases (tests/published/cases.py, gw1992-*);
* a test flight flown by the reference, refitted together with the nominal range: residuals within
  the stated uncertainties.
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from bmdsim.core.earth import G0_M_PER_S2
from bmdsim.errors import BmdsimError
from bmdsim.model.missiles import Missile
from bmdsim.model.names import parse_catalog
from bmdsim.model.sizing import (
    Measured,
    PublishedTest,
    SizingInputs,
    ideal_delta_v_m_s,
    load_templates,
    optimal_staging,
    size_missile,
)
from tests.catalog_entries import parameters
from tests.published import reference as ref
from tests.published.cases import CASES
from tests.reference.standard_range import fly, standard_flight

ROOT = Path(__file__).resolve().parents[1]
LB_KG = 0.45359237  # international pound (1959 agreement)

# Trident I C-4: Naval History and Heritage Command, "Trident 1 (C-4)", National Museum of the U.S. Navy
# (https://www.history.navy.mil/content/history/museums/nmusn/new-nmusn/behind-the-scenes/curator/general/weapons/
# trident-1-c-4.html): three solid stages, "Displacement: 73,000 lbs", "Range: 4000 - nm", diameter 74 in.
C4_LAUNCH_MASS_KG = 73000 * LB_KG
C4_RANGE_KM = 4000 * ref.NAUTICAL_MILE_M / 1e3
C4_DIAMETER_M = 74 * 0.0254
C4_BOOST_S = 180.0  # not published: EST typical of 3-stage solid SLBMs (the catalog's SS-N-32 estimate)


def _case(case_id):
    return next(c for c in CASES if c.id == case_id)


# --------------------------------------------------------------------------- staging
def test_single_stage_delta_v_is_tsiolkovsky():
    st = optimal_staging(20000.0, 1000.0, [250.0], [0.1])
    mp, md = st.propellant_kg[0], st.dry_kg[0]
    assert mp + md + 1000.0 == pytest.approx(20000.0)
    assert md / (mp + md) == pytest.approx(0.1)
    assert st.delta_v_m_s == pytest.approx(250.0 * G0_M_PER_S2 * math.log(20000.0 / (20000.0 - mp)), rel=1e-12)


@pytest.mark.parametrize("isp, eps", [((265.0, 280.0), (0.08, 0.09)), ((290.0, 310.0, 315.0), (0.06, 0.07, 0.09)),
                                      ((250.0, 300.0, 280.0), (0.12, 0.05, 0.2))])
def test_optimal_split_beats_every_split_of_a_grid(isp, eps):
    """Brute force: every split of the stage mass on a 0.5 % grid (the last stage takes the rest) gives at most
    the optimum's delta-v, and the best grid split is within 5 m/s of it."""
    m0, pay = 40000.0, 1000.0
    best = optimal_staging(m0, pay, isp, eps)
    assert sum(best.propellant_kg) + sum(best.dry_kg) + pay == pytest.approx(m0, rel=1e-12)
    total = m0 - pay
    shares = np.arange(0.005, 1.0, 0.005)
    top = 0.0
    for split in itertools.product(shares, repeat=len(isp) - 1):
        if sum(split) >= 1.0:
            continue
        stage = [s * total for s in split] + [total * (1.0 - sum(split))]
        dv = ideal_delta_v_m_s([(1 - e) * s for e, s in zip(eps, stage, strict=True)],
                               [e * s for e, s in zip(eps, stage, strict=True)], isp, pay)
        top = max(top, dv)
    assert top <= best.delta_v_m_s + 1e-6
    assert top == pytest.approx(best.delta_v_m_s, abs=5.0)


# --------------------------------------------------------------------------- published, not fitted
@pytest.fixture(scope="module")
def trident_c4():
    return size_missile(SizingInputs(name="Trident-I-C4", stages=3, range_m=C4_RANGE_KM * 1e3,
                                     burn_times_s=(C4_BOOST_S,), propellant="solid", launch_mass_kg=C4_LAUNCH_MASS_KG,
                                     diameter_m=C4_DIAMETER_M, missile_class="SLBM"))


def test_trident_c4_sized_from_navy_numbers_flies_the_published_minimum_energy_trajectory(trident_c4):
    """Fitted: the 7,408-km standard range. Not fitted: burnout speed, apogee and flight time of the 7,400-km
    minimum-energy trajectory (Gronlund & Wright 1992, Table 1), flown by the independent reference."""
    m = trident_c4.missile
    assert m.rocket_spec().launch_mass_kg == pytest.approx(C4_LAUNCH_MASS_KG, abs=0.5)
    f = standard_flight(m.rocket_spec())
    assert f["range_m"] / 1e3 == pytest.approx(C4_RANGE_KM, rel=0.01)  # what was fitted, flown independently
    r_b, vr, vt = f["burnout"]
    for case_id, value in (("gw1992-met7400-burnout", math.hypot(vr, vt) / 1e3),
                           ("gw1992-met7400-apogee", f["apogee_alt_m"] / 1e3),
                           ("gw1992-met7400-time", f["flight_time_s"] / 60.0)):
        c = _case(case_id)
        assert abs(value - c.published) <= c.tolerance, (case_id, value, c.published, c.tolerance_why)


def test_entry_is_the_catalog_schema_every_number_notional_and_the_fit_recorded(trident_c4):
    text = trident_c4.to_yaml()
    m = parse_catalog(text, Missile, "missiles", "missile")["Trident-I-C4"]
    assert m.missile_class == "SLBM" and len(m.stages) == 3
    data = yaml.safe_load(text)
    ps = list(parameters(data))
    assert len(ps) == 3 * 5 + 10  # 5 per stage + range, payload, rv x3, booster RCS, Cd, rise, pitch-over, isp_scale
    assert all(p["notional"] is True and p["note"] for p in ps)
    assert all(p.get("low") is not None and p.get("high") is not None for p in ps)
    comment = "\n".join(line[2:] for line in text.splitlines() if line.startswith("# "))
    rec = yaml.safe_load(comment.split("\n", 1)[1])
    assert rec["inputs"]["launch_mass_kg"] == pytest.approx(C4_LAUNCH_MASS_KG, rel=1e-5)  # 6 digits in the record
    assert set(rec) >= {"inputs", "method", "sizing", "fit", "entry"}
    assert abs(rec["entry"]["standard_range_km"] - C4_RANGE_KM) < 2.0  # the entry as written, rounded isp_scale
    assert "date" not in comment.lower().replace("no date", "")
    assert "bmdsim catalog fit" in m.tuning and "residuals" in m.tuning


def test_sizing_is_deterministic(trident_c4):
    again = size_missile(SizingInputs(name="Trident-I-C4", stages=3, range_m=C4_RANGE_KM * 1e3,
                                      burn_times_s=(C4_BOOST_S,), propellant="solid",
                                      launch_mass_kg=C4_LAUNCH_MASS_KG, diameter_m=C4_DIAMETER_M,
                                      missile_class="SLBM"))
    assert again.to_yaml() == trident_c4.to_yaml()


def test_payload_or_launch_mass_alone_is_sized_with_typical_dry_fractions():
    """Only the payload (or only the launch mass) given: the other is solved with the typical fractions; the
    two sizings agree with each other (one the inverse of the other)."""
    a = size_missile(SizingInputs(name="A", stages=2, range_m=3000e3, burn_times_s=(60.0, 50.0), propellant="solid",
                                  launch_mass_kg=20000.0))
    pay = a.missile.payload_mass_kg.value
    b = size_missile(SizingInputs(name="B", stages=2, range_m=3000e3, burn_times_s=(60.0, 50.0), propellant="solid",
                                  payload_kg=pay))
    assert b.missile.rocket_spec().launch_mass_kg == pytest.approx(20000.0, rel=0.01)


def test_fit_with_a_test_flight_reproduces_the_test_and_the_range():
    """A lofted test of a sized missile, flown by the independent planar reference with the nominal payload; the
    catalog fit of the same numbers plus that test reproduces the test and the nominal range within their
    uncertainties, and its Isp factor agrees with the range-only fit (the same missile)."""
    base = SizingInputs(name="T", stages=2, range_m=4000e3, burn_times_s=(70.0, 60.0), propellant="liquid",
                        launch_mass_kg=25000.0, payload_kg=800.0)
    plain = size_missile(base)
    test = fly(plain.missile.rocket_spec(), math.radians(6.0))
    t = PublishedTest(Measured(test["apogee_alt_m"], 0.01 * test["apogee_alt_m"]),
                   Measured(test["range_m"], 0.02 * test["range_m"]), Measured(test["flight_time_s"], 30.0))
    with_test = size_missile(SizingInputs(**{**base.__dict__, "test": t}))
    rec = with_test.record["fit"]
    for name, r in rec["residuals"].items():
        assert abs(r["sigmas"]) < 0.5, (name, r)
    assert with_test.missile.isp_scale.value == pytest.approx(plain.missile.isp_scale.value, abs=0.003)


def test_templates_file_is_what_the_tool_writes():
    """catalog/templates.yaml is generated (tools/make_templates.py): regenerating gives the same bytes."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_templates
    finally:
        sys.path.pop(0)
    assert make_templates.build() == make_templates.OUT.read_text(encoding="utf-8")
    assert set(load_templates()) == {"generic-1-stage", "generic-2-stage", "generic-3-stage"}


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kw, needle", [
    ({"stages": 0}, "--stages"),
    ({"burn_times_s": (60.0, 60.0, 60.0)}, "--burn-times-s"),
    ({"launch_mass_kg": None, "payload_kg": None}, "--launch-mass-kg or --payload-kg"),
    ({"launch_mass_kg": 5000.0, "payload_kg": 1000.0}, "cannot carry"),
    ({"payload_kg": 20000.0}, "well below"),
    ({"launch_mass_kg": 35000.0, "payload_kg": 12000.0}, "cannot carry"),
    ({"range_m": 30000e3}, "--range-km"),
    ({"propellant": "hybrid"}, "--propellant"),
])
def test_bad_inputs_are_one_line_errors(kw, needle):
    base = dict(name="X", stages=2, range_m=10000e3, burn_times_s=(120.0, 120.0), propellant="liquid",
                launch_mass_kg=35000.0, payload_kg=1000.0)
    base.update(kw)
    with pytest.raises(BmdsimError, match=needle) as e:
        size_missile(SizingInputs(**base))
    assert "\n" not in str(e.value)


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "bmdsim.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_cli_catalog_fit_writes_a_catalog_file(tmp_path):
    out = tmp_path / "my.yaml"
    r = run("catalog", "fit", "--name", "X-2", "--stages", "2", "--launch-mass-kg", "35000", "--payload-kg", "1000",
            "--burn-times-s", "120,120", "--range-km", "10000", "--propellant", "liquid", "--out", str(out))
    assert r.returncode == 0, r.stderr
    m = parse_catalog(out.read_text(), Missile, "missiles", "missile")["X-2"]
    assert m.nominal_range_km.value == 10000 and m.payload_mass_kg.value == 1000


@pytest.mark.parametrize("args, needle", [
    (["--stages", "2", "--burn-times-s", "60,x", "--range-km", "10000", "--payload-kg", "1000"], "--burn-times-s"),
    (["--stages", "2", "--burn-times-s", "60,60", "--range-km", "10000", "--payload-kg", "1000",
      "--test-apogee-km", "3000"], "all three"),
    (["--stages", "2", "--burn-times-s", "60,60", "--range-km", "10000+-0", "--payload-kg", "1000"], "uncertainty"),
    (["--stages", "2", "--burn-times-s", "60,60", "--range-km", "10000", "--payload-kg", "1000", "--propellant",
      "gel"], "--propellant"),
])
def test_cli_catalog_fit_bad_input(args, needle, tmp_path, capsys):
    from bmdsim.cli import main

    out = tmp_path / "x.yaml"
    code = main(["catalog", "fit", "--name", "X", *args, "--out", str(out)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("bmdsim: error:") and needle in lines[0], lines
    assert not out.exists()
