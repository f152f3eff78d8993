"""Write ``src/bmdsim/model/catalog/templates.yaml``: the generic templates of ``bmdsim assess``.

    .venv/bin/python tools/make_templates.py            # print the file
    .venv/bin/python tools/make_templates.py --write    # write it

Each template is sized by ``bmdsim catalog fit`` (:func:`bmdsim.model.sizing.size_missile`) from round,
notional numbers of its class (below); only its burn times' plausible range is widened to +-30 %, since a
generic template stands for missiles whose boost time is not known (``bmdsim assess`` turns that range
into the prior of its burn factor). Deterministic: the same code gives the same file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "bmdsim" / "model" / "catalog" / "templates.yaml"
BURN_SHARE = 0.30

# name, full name, stages, propellant, launch mass kg, payload kg, burn times s, range km, why
GENERIC = (
    ("generic-1-stage", "Generic single-stage storable-liquid missile (template)", 1, "liquid", 16000.0, 1000.0,
     (110.0,), 1300.0, "Scud-derived MRBM class (Nodong / Shahab-3: ~16 t, 1,000 kg, ~1,300 km, ~110 s burn)"),
    ("generic-2-stage", "Generic two-stage storable-liquid missile (template)", 2, "liquid", 40000.0, 1000.0,
     (130.0, 130.0), 10000.0, "two-stage storable-liquid ICBM class (40 t, 1,000 kg, 10,000 km, ~260 s boost)"),
    ("generic-3-stage", "Generic three-stage solid missile (template)", 3, "solid", 45000.0, 1000.0,
     (60.0, 60.0, 60.0), 10000.0, "three-stage solid ICBM class (Topol / Minuteman: ~45 t, 1,000 kg, 10,000 km, "
                                  "~180 s boost)"),
)

HEADER = """\
# bmdsim generic templates for `bmdsim assess --template generic-N-stage` (catalog schema of missiles.yaml).
# Written by tools/make_templates.py: each entry is sized by `bmdsim catalog fit` (bmdsim.model.sizing) from
# round notional numbers of its class, named in its full_name and tuning line. Every number is notional.
# A template's shape matters to an assessment (burn time, stage count, mass ratios), its scale does not:
# `bmdsim assess` fits a performance factor on the Isp, the loft, and a burn-time factor whose prior is the
# burn times' low/high (+-30 % here) read as a 90 % range.
"""


def build() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    import yaml

    from bmdsim.model.params import Param
    from bmdsim.model.sizing import SizingInputs, missile_yaml, size_missile

    parts = [HEADER, "missiles:\n"]
    for name, full, n, prop, m0, mpl, burns, rng, why in GENERIC:
        res = size_missile(SizingInputs(name=name, stages=n, range_m=rng * 1e3, burn_times_s=burns, propellant=prop,
                                        launch_mass_kg=m0, payload_kg=mpl, full_name=full, country="generic"))
        m = res.missile
        stages = [s.model_copy(update={"burn_time_s": Param(
            value=s.burn_time_s.value, notional=True,
            note=f"generic template: {why}; +-30 % plausible range (unknown boost time)",
            low=round(s.burn_time_s.value * (1 - BURN_SHARE), 1),
            high=round(s.burn_time_s.value * (1 + BURN_SHARE), 1))}) for s in m.stages]
        m = m.model_copy(update={"stages": stages, "tuning": f"generic template ({why}); " + m.tuning})
        text = missile_yaml(m)
        entry = yaml.safe_load(text)["missiles"][0]
        body = text.split("missiles:\n", 1)[1]
        parts.append(f"  # {name}: {why}\n")
        parts.append("".join("  " + line + "\n" for line in body.rstrip("\n").split("\n")))
        assert entry["name"] == name
    return "".join(parts)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = p.parse_args(argv)
    text = build()
    if args.write:
        tmp = OUT.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(OUT)
        print(f"wrote {OUT.relative_to(ROOT)}")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
