"""Fit every catalog missile's ``isp_scale`` to its nominal range; ``--write`` puts the values in missiles.yaml.

A thin wrapper: the fit is :func:`bmdsim.model.calibration.fit_missile` (nominal range = range on the
missile's standard shape on a non-rotating spherical Earth, full burn, nominal payload; see
:mod:`bmdsim.core.calibration`). The factor is fitted with the stage Isps as written (``isp_scale``
1), so the result does not depend on the value already in the file. Values are written with four
decimals; low is rounded down and high up so that they still bracket the value.

Run: ``python tools/calibrate_missiles.py [--write] [NAME ...]``
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from bmdsim.model.calibration import fit_missile
from bmdsim.model.catalogs import Catalog

CATALOG = Path(__file__).resolve().parents[1] / "src/bmdsim/model/catalog/missiles.yaml"


def yaml_line(fit) -> str:
    lo = math.floor(min(fit.isp_scale_low, fit.isp_scale) * 1e4) / 1e4
    hi = math.ceil(max(fit.isp_scale_high, fit.isp_scale) * 1e4) / 1e4
    note = (f"calibration factor on every stage Isp: the model's range on the {fit.shape} shape on a "
            f"non-rotating spherical Earth, full burn, nominal payload, equals nominal_range_km; low/high give "
            f"{fit.range_low_km:,.0f}-{fit.range_high_km:,.0f} km ({fit.range_basis}); "
            f"bmdsim.model.calibration via tools/calibrate_missiles.py")
    return (f'    isp_scale: {{value: {fit.isp_scale:.4f}, notional: true, note: "{note}", '
            f'low: {lo:.4f}, high: {hi:.4f}}}\n')


def main(argv: list[str]) -> int:
    write = "--write" in argv
    names = [a for a in argv if not a.startswith("--")]
    text = CATALOG.read_text()
    for name, m in Catalog.builtin().missiles.items():
        if names and name not in names:
            continue
        fit = fit_missile(m)
        st = fit.standard
        print(f"{name:14s} nominal {fit.nominal_range_km:7,.0f} km ({fit.shape}): isp_scale {m.isp_scale.value:.4f}"
              f" -> {fit.isp_scale:.4f} [{fit.isp_scale_low:.4f}, {fit.isp_scale_high:.4f}]; burnout "
              f"{st.burnout_speed_m_s / 1e3:.2f} km/s, apogee {st.apogee_alt_m / 1e3:,.0f} km, "
              f"flight {st.flight_time_s / 60:.1f} min", flush=True)
        head = rf'(  - name: "{re.escape(name)}"\n(?:(?!  - name:).*\n)*?)'
        block = re.compile(head + r'(    isp_scale:.*\n)?(    tuning:)')
        text, nsub = block.subn(lambda mt, line=yaml_line(fit): mt.group(1) + line + mt.group(3), text, count=1)
        if nsub != 1:
            print(f"could not place isp_scale for {name}", file=sys.stderr)
            return 1
    if write:
        CATALOG.write_text(text)
        print(f"wrote {CATALOG}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
