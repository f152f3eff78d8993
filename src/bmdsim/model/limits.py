"""Bounded work: the largest job a command starts without ``--force``, per unit of work.

Every command estimates its size *before* it starts (from its options and the catalog: no trajectory is
flown to find out) and, beyond a limit, stops with one line saying the size, the limit and how to reduce
it; ``--force`` runs it anyway. The limits are set so that every documented workflow runs without
``--force`` (largest documented case in brackets), while a mistyped option cannot start hours of work or
fill the disk; a job within all limits stays well under 2 GiB of memory.

=============================  ===========  =======================================================
unit                           limit        largest documented workflow
=============================  ===========  =======================================================
``--step-s``                   0.1 .. 60 s  (an option range, not a limit: 5 s scenarios, 10 s ``trajectory``)
samples per trajectory         50,000       an ICBM at ``--step-s 0.1``: about 36,000 (bound, see below)
trajectories flown             1,000,000    ``footprint`` 0.25 deg over Europe: 138,624 (34,656 cells x 4)
samples held at once           5,000,000    ``run`` with ``iran-to-europe-grid`` at 5 s: 176,242
grid cells                     250,000      ``criteria --derive --grid 0.25``: 68,000
cells x threats x vbo rungs    1.5e9        ``criteria --derive --grid 0.25``: 68,000 x 169 x 41 = 4.7e8
engagement pairs (all runs)    2,000,000    ``run nrc-options``: 4,464 (5 variants x 186 threats x 4-5 sites)
output bytes per file          200 MB       ``trajectory --step-s 0.1`` JSON of an ICBM: about 5 MB
=============================  ===========  =======================================================

Samples per trajectory are bounded from above without flying: ``ceil(T / step) + 2`` with ``T`` the
missile's boost time plus the time of flight of a vertical shot at the minimum-energy burnout speed of
its nominal range (two-body, spherical Earth: the longest ballistic flight that energy allows; 1.5-1.6x
the minimum-energy flight time), or the requested flight time for a ``flight_time`` shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bmdsim.errors import BmdsimError

STEP_MIN_S = 0.1
STEP_MAX_S = 60.0


@dataclass(frozen=True)
class Limit:
    value: float
    what: str  # how the unit reads in a message


LIMITS: dict[str, Limit] = {
    "samples_per_trajectory": Limit(50_000, "samples per trajectory"),
    "trajectories": Limit(1_000_000, "trajectories"),
    "samples": Limit(5_000_000, "threat samples held at once"),
    "grid_cells": Limit(250_000, "grid cells"),
    "cell_threat_rungs": Limit(1.5e9, "cell x threat x vbo-rung evaluations"),
    "engagement_pairs": Limit(2_000_000, "threat x site engagement pairs (all runs)"),
    "output_bytes": Limit(200e6, "bytes in one output file"),
}

# bytes per trajectory sample in each output format (measured on an SS-27 trajectory, rounded up)
BYTES_PER_SAMPLE = {"json": 300, "csv": 150, "kml": 140, "geojson": 40, "czml": 80, "e": 110}  # measured upper bounds
BYTES_PER_ENGAGEMENT_ROW = 200  # engagements.csv


class WorkLimitError(BmdsimError):
    """A job beyond a limit of :data:`LIMITS` (pass ``--force`` to run it)."""


def check_step(step_s, option: str = "--step-s") -> float:
    """``step_s`` if it lies in [STEP_MIN_S, STEP_MAX_S] seconds; else a one-line error."""
    try:
        x = float(step_s)
    except (TypeError, ValueError):
        raise BmdsimError(f"{option} {step_s!r}: expected a number of seconds") from None
    if not (math.isfinite(x) and STEP_MIN_S <= x <= STEP_MAX_S):
        raise BmdsimError(f"{option} must be in [{STEP_MIN_S:g}, {STEP_MAX_S:g}] seconds, got {step_s}")
    return x


def flight_time_bound_s(missile: str, shape=None, *, catalog=None) -> float:
    """An upper bound (s) on the flight time of ``missile`` (a name in ``catalog``, a
    :class:`bmdsim.model.catalogs.Catalog`; None: the built-ins) on any trajectory (module docstring)."""
    import numpy as np

    from bmdsim.core import kepler
    from bmdsim.core.earth import R_MEAN_M
    from bmdsim.model.catalogs import resolve_catalog

    m = resolve_catalog(catalog).missile(missile)
    if shape is not None and getattr(shape, "kind", None) == "flight_time":
        return float(shape.value) + 60.0
    phi = min(m.nominal_range_km.value * 1e3 / R_MEAN_M, math.pi * 0.999)
    v = kepler.min_energy_speed_m_s(R_MEAN_M, phi)
    t = float(kepler.ballistic_time_of_flight_s(R_MEAN_M, v, np.radians(89.999)))
    return m.boost_time_s + (t if math.isfinite(t) else 10_000.0) + 60.0


def samples_per_trajectory(missile: str, step_s: float, shape=None, *, catalog=None) -> int:
    """Upper bound on the samples of one trajectory at ``step_s`` seconds."""
    return int(math.ceil(flight_time_bound_s(missile, shape, catalog=catalog) / step_s)) + 2


def check_work(command: str, sizes: list[tuple[str, float, str]], force: bool = False) -> None:
    """Raise :class:`WorkLimitError` for the first ``(unit, size, how_to_reduce)`` beyond its limit, unless
    ``force``. The message gives the size, the limit and how to reduce it."""
    if force:
        return
    for unit, size, how in sizes:
        lim = LIMITS[unit]
        if size > lim.value:
            raise WorkLimitError(f"{command} would need {_fmt(size)} {lim.what} (limit {_fmt(lim.value)}): {how}; "
                                 "or pass --force to run it anyway")


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x < 1e7 else f"{x:.2g}"
