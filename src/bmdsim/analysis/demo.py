"""The main job on built-in defaults: one trajectory per catalog missile, table + JSON + KML.

Pairs are catalog places (sources in places.yaml) chosen to be within each missile's range.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from rich.table import Table

from bmdsim.io import files, trajectory_formats
from bmdsim.model.catalogs import resolve_catalog
from bmdsim.model.trajectories import solve_trajectories

DEMO_PAIRS = (
    ("SS-18", "dombarovsky", "washington"),
    ("SS-19", "tatishchevo", "new_york"),
    ("SS-25", "yoshkar_ola", "chicago"),
    ("SS-27", "teykovo", "washington"),
    ("RS-24", "novosibirsk", "seattle"),
    ("SS-N-23", "barents", "washington"),
    ("SS-N-32", "white_sea", "new_york"),
    ("Minuteman-III", "minot", "don2n"),
    ("Iran-ICBM", "tabriz", "washington"),
    ("Iran-IRBM", "tabriz", "ramstein"),
    ("Sejjil-2", "tabriz", "deveselu"),
    ("Ghadr-1", "tabriz", "black_sea"),
    ("Shahab-3", "tabriz", "kurecik"),
    ("Iskander", "pionersky", "redzikowo"),
)


def demo_trajectories(step_s: float = 10.0, catalog=None):
    """Solve the demo pairs; returns (TrajectorySet, launch ids, aim ids). ``catalog``: a
    :class:`bmdsim.model.catalogs.Catalog` (None, the default: the built-ins)."""
    cat = resolve_catalog(catalog)
    names = [m for m, _, _ in DEMO_PAIRS]
    launches = [cat.place(a) for _, a, _ in DEMO_PAIRS]
    aims = [cat.place(b) for _, _, b in DEMO_PAIRS]
    ts = solve_trajectories(names, [p.lat_deg for p in launches], [p.lon_deg for p in launches],
                            [p.lat_deg for p in aims], [p.lon_deg for p in aims], step_s=step_s, catalog=cat)
    return ts, [p.id for p in launches], [p.id for p in aims]


def run_demo(out_dir: Path, console, catalog=None) -> None:
    out = files.check_dir_writable(out_dir)
    ts, src, dst = demo_trajectories(catalog=catalog)
    rng = ts.range_km()
    _, _, apo = ts.event_geodetic(1)
    t = Table(title="bmdsim demo: standard-shape trajectories of the catalog missiles (rotating WGS84 Earth)")
    for col in ("missile", "from", "to", "range km", "flight min", "burnout s", "burnout km/s", "apogee km",
                "miss m"):
        t.add_column(col, justify="right" if col not in ("missile", "from", "to") else "left")
    for i in range(ts.n):
        vb = np.linalg.norm(ts.events_state[i, 0, 3:]) / 1e3
        t.add_row(str(ts.missile[i]), src[i], dst[i], f"{rng[i]:,.0f}", f"{ts.events_t_s[i, 3] / 60:.1f}",
                  f"{ts.events_t_s[i, 0]:.0f}", f"{vb:.2f}", f"{apo[i] / 1e3:,.0f}", f"{ts.miss_m[i]:.0f}")
    console.print(t)
    rows = [dict(ts.summary(i), launch_place=src[i], aim_place=dst[i]) for i in range(ts.n) if ts.ok[i]]
    files.write_atomic(out / "trajectories.json", json.dumps(rows, indent=1) + "\n")
    files.write_atomic(out / "trajectories.kml", trajectory_formats.to_kml(ts, "bmdsim demo trajectories"))
    console.print(f"wrote {out / 'trajectories.json'} and {out / 'trajectories.kml'}")
