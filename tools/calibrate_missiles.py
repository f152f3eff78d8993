"""Calibrate each catalog missile so that its maximum range equals ``nominal_range_km``.

The stage Isps of a missile are public guesses (see the catalog notes); one factor per missile,
``isp_scale``, multiplies all of them. The maximum range is that of the full-burn minimum-energy
trajectory, measured with the full model (boost with drag, J2, re-entry drag, Earth
rotation) for a launch due west from the equator: the least favourable direction, so that the
nominal range is reachable from anywhere in any direction (eastward launches reach further).
Bisection on isp_scale to 0.01 %.

Run: ``python tools/calibrate_missiles.py [--write]``; --write updates missiles.yaml in place.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import numpy as np

from bmdsim.core import earth, flight, geodesy, kepler
from bmdsim.core import trajectory as T
from bmdsim.model.missiles import load_missiles

CATALOG = Path(__file__).resolve().parents[1] / "src/bmdsim/model/catalog/missiles.yaml"
PLANET = flight.PLANET_WGS84  # rotating Earth
LAT0 = 0.0  # launched due west from the equator: the least favourable direction
AZ0 = 1.5 * np.pi


def max_range_km(spec) -> float:
    """Full-model range (km) of the full-burn minimum-energy trajectory, due west from the equator.

    Minimum energy as the solver defines it: burnout flight-path angle equal to the
    minimum-energy angle of the burnout conic (bmdsim.core.kepler.min_energy_gamma_rad).
    """
    kicks = np.radians(np.linspace(0.5, 85.0, 340))
    n = kicks.size
    st0 = T._launch_states(np.full(n, np.radians(LAT0)), np.zeros(n), PLANET)
    ev, evs, status, _ = T.integrate(spec, st0, kicks, np.full(n, AZ0), np.full(n, spec.boost_time_s),
                                     planet=PLANET)
    r = evs[:, flight.EV_IMPACT_T, :3]
    la, lo, _ = earth.ecef_to_geodetic(r)
    d, _, _ = geodesy.inverse(LAT0, 0.0, np.degrees(la), np.degrees(lo))
    rb = evs[:, flight.EV_BURNOUT_T, :3]
    vb = evs[:, flight.EV_BURNOUT_T, 3:]
    rbn, rin = np.linalg.norm(rb, axis=-1), np.linalg.norm(r, axis=-1)
    gamma = np.arcsin((rb * vb).sum(-1) / (rbn * np.linalg.norm(vb, axis=-1)))
    phi = np.arccos(np.clip((rb * r).sum(-1) / (rbn * rin), -1, 1))
    q = np.where(status == 0, gamma - kepler.min_energy_gamma_rad(rbn, rin, phi), np.nan)
    i = np.nonzero((q[:-1] > 0) & (q[1:] <= 0))[0]
    if i.size == 0:
        return float("nan")
    i = i[0]
    f = q[i] / (q[i] - q[i + 1])
    return float((d[i] + f * (d[i + 1] - d[i])) / 1e3)


def scaled(spec, k):
    return dataclasses.replace(spec, isp_s=tuple(i * k for i in spec.isp_s))


def calibrate(m) -> tuple[float, float]:
    base = dataclasses.replace(m.rocket_spec(), isp_s=tuple(s.isp_s.value for s in m.stages))
    target = m.nominal_range_km.value
    # the geodesic range folds back past half the globe: bracket by scanning upward first
    lo = 0.6
    while not max_range_km(scaled(base, lo + 0.02)) >= target:  # NaN (too weak to fly) counts as short
        lo += 0.02
        if lo > 1.6:
            sys.exit(f"{m.name}: cannot reach nominal range even with isp_scale 1.6")
    hi = lo + 0.02
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        if not max_range_km(scaled(base, mid)) >= target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-4:
            break
    k = 0.5 * (lo + hi)
    return k, max_range_km(scaled(base, k))


def main(write: bool) -> None:
    text = CATALOG.read_text()
    for name, m in load_missiles().items():
        k, rng = calibrate(m)
        print(f"{name:14s} nominal {m.nominal_range_km.value:7.0f} km  isp_scale {k:.4f}  model max {rng:7.0f} km")
        line = (f'    isp_scale: {{value: {k:.4f}, notional: true, note: "calibration factor on all stage Isps so '
                f'that the full-burn minimum-energy range due west from the equator (least favourable) '
                f'equals nominal_range_km; '
                f'tools/calibrate_missiles.py"}}\n')
        head = rf'(  - name: "{re.escape(name)}"\n(?:(?!  - name:).*\n)*?)'
        block = re.compile(head + r'(    isp_scale:.*\n)?(    tuning:)')
        text, nsub = block.subn(lambda mt, line=line: mt.group(1) + line + mt.group(3), text, count=1)
        if nsub != 1:
            sys.exit(f"could not place isp_scale for {name}")
    if write:
        CATALOG.write_text(text)
        print(f"wrote {CATALOG}")


if __name__ == "__main__":
    main("--write" in sys.argv)
