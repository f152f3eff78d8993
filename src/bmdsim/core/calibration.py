"""A missile's standard range, and the Isp factor that makes it equal a published nominal range.

Convention (the published "standard trajectory" ranges, e.g. Wright and Forden): the range of the
full-burn trajectory of the missile's standard shape on a **non-rotating spherical Earth**
(``SPHERE``: radius ``R_MEAN_M`` = 6,371 km, point-mass gravity, no J2), with boost drag and
re-entry drag in a non-rotating atmosphere (USSA-1976) and the nominal payload; the range is the
great-circle arc from the launch point to the impact point (height 0 on the sphere).

Shapes (as in :mod:`bmdsim.core.trajectory`):

* ``min_energy``: the full-burn trajectory whose burnout flight-path angle equals the
  minimum-energy angle of its burnout conic, ``gamma_b = min_energy_gamma_rad(r_b, R, phi)``
  (:func:`bmdsim.core.kepler.min_energy_gamma_rad`; ``phi`` is the angle the drag-free conic from
  the burnout state travels down to the radius R). Among full-burn trajectories this is the one
  that needs the least burnout speed for its range: the textbook "minimum-energy" trajectory.
* ``apogee`` (m): the full-burn trajectory whose (integrated, drag included) apogee is at that height
  above the sphere: depressed or lofted standard shapes.
* ``gamma`` (rad): burnout flight-path angle; ``flight_time`` (s): launch to impact.

Flown with the compiled integrator (:mod:`bmdsim.core.flight`) on ``SPHERE``; the loft angle that
meets the shape is found by a scan and Brent's method. Checked against an independent scipy DOP853
integration in ``tests/reference/standard_range.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from bmdsim.core import flight, kepler
from bmdsim.core import trajectory as traj
from bmdsim.core.boost import RocketSpec
from bmdsim.core.earth import MU_EARTH_M3_PER_S2, R_MEAN_M

SPHERE = np.array([MU_EARTH_M3_PER_S2, 0.0, R_MEAN_M, 0.0, 0.0])  # [mu, J2, a, e2, omega]
KICK_SCAN_RAD = np.radians(np.arange(0.5, 85.01, 0.5))  # loft angles scanned before root-finding


@dataclass(frozen=True)
class StandardTrajectory:
    """The standard-shape full-burn trajectory on ``SPHERE`` (SI units; NaN fields if none exists)."""

    range_m: float  # great-circle arc launch -> impact on the sphere
    kick_rad: float  # loft angle that meets the shape
    burnout_speed_m_s: float
    burnout_gamma_rad: float
    burnout_alt_m: float
    apogee_alt_m: float
    flight_time_s: float


_NONE = StandardTrajectory(*(float("nan"),) * 7)


def _fly(spec: RocketSpec, kick):
    """Full-burn flights from (0 N, 0 E) heading east on the sphere; (events, states, status)."""
    kick = np.atleast_1d(np.asarray(kick, dtype=float))
    n = kick.size
    st0 = traj.launch_state(np.zeros(n), np.zeros(n), SPHERE)
    ev, evs, status, _ = traj.integrate(spec, st0, kick, np.full(n, np.pi / 2), np.full(n, spec.boost_time_s),
                                        planet=SPHERE)
    return ev, evs, status


def _residual(ev, evs, status, shape, value):
    """Shape residual (n,) of full-burn flights; NaN where the flight failed."""
    rb, vb = evs[:, flight.EV_BURNOUT_T, :3], evs[:, flight.EV_BURNOUT_T, 3:]
    rbn = np.linalg.norm(rb, axis=-1)
    gamma = np.arcsin((rb * vb).sum(-1) / (rbn * np.linalg.norm(vb, axis=-1)))
    if shape == "min_energy":
        _, _, phi, _ = kepler.descend_to_radius(rb, vb, np.full(rbn.shape, R_MEAN_M))
        q = gamma - kepler.min_energy_gamma_rad(rbn, R_MEAN_M, phi)
    elif shape == "apogee":
        q = np.linalg.norm(evs[:, flight.EV_APOGEE_T, :3], axis=-1) - R_MEAN_M - value
    elif shape == "gamma":
        q = gamma - value
    elif shape == "flight_time":
        q = ev[:, flight.EV_IMPACT_T] - value
    else:
        raise ValueError(f"unknown shape {shape!r}; valid: {', '.join(traj.SHAPES)}")
    return np.where(status == 0, q, np.nan)


def standard_trajectory(spec: RocketSpec, shape: str = "min_energy", shape_value: float = 0.0) -> StandardTrajectory:
    """The full-burn trajectory of ``shape`` on the non-rotating sphere (see the module docstring).

    The loft angle is scanned from near-vertical (0.5 deg) to flat (85 deg) in 0.5 deg steps; the
    first sign change of the shape residual (lofted -> flat) between two flights that land is refined
    with Brent's method to 1e-9 rad. Returns NaN fields if no full-burn trajectory of that shape exists
    (the rocket cannot fly, goes into orbit first, or cannot meet the shape at any loft angle).
    """
    return _standard(spec, shape, shape_value)[0]


def _standard(spec, shape, shape_value):
    """(StandardTrajectory, orbital): orbital is True if some scanned full-burn flight did not come down."""
    ev, evs, status = _fly(spec, KICK_SCAN_RAD)
    orbital = bool(np.any(status == traj.STATUS_NO_IMPACT))
    q = _residual(ev, evs, status, shape, shape_value)
    idx = np.nonzero(np.isfinite(q[:-1]) & np.isfinite(q[1:]) & (np.sign(q[:-1]) != np.sign(q[1:])))[0]
    if idx.size == 0:
        return _NONE, orbital
    i = idx[0]

    def f(k):
        e, s, st = _fly(spec, k)
        return float(_residual(e, s, st, shape, shape_value)[0])

    kick = brentq(f, KICK_SCAN_RAD[i], KICK_SCAN_RAD[i + 1], xtol=1e-9, rtol=1e-12)
    ev, evs, status = _fly(spec, kick)
    if status[0] != 0:
        return _NONE, orbital
    rb, vb = evs[0, flight.EV_BURNOUT_T, :3], evs[0, flight.EV_BURNOUT_T, 3:]
    ri = evs[0, flight.EV_IMPACT_T, :3]
    u0 = traj.launch_state(np.zeros(1), np.zeros(1), SPHERE)[0, :3]
    arc = float(np.arctan2(np.linalg.norm(np.cross(u0, ri)), u0 @ ri))
    return StandardTrajectory(
        range_m=R_MEAN_M * arc, kick_rad=float(kick), burnout_speed_m_s=float(np.linalg.norm(vb)),
        burnout_gamma_rad=float(np.arcsin(rb @ vb / (np.linalg.norm(rb) * np.linalg.norm(vb)))),
        burnout_alt_m=float(np.linalg.norm(rb) - R_MEAN_M),
        apogee_alt_m=float(np.linalg.norm(evs[0, flight.EV_APOGEE_T, :3]) - R_MEAN_M),
        flight_time_s=float(ev[0, flight.EV_IMPACT_T]),
    ), orbital


def standard_range_m(spec: RocketSpec, shape: str = "min_energy", shape_value: float = 0.0) -> float:
    """Range (m) of :func:`standard_trajectory`; NaN if none exists."""
    return standard_trajectory(spec, shape, shape_value).range_m


def scaled(spec: RocketSpec, isp_scale: float) -> RocketSpec:
    """``spec`` with every stage Isp multiplied by ``isp_scale``."""
    return dataclasses.replace(spec, isp_s=tuple(i * isp_scale for i in spec.isp_s))


def fit_isp_scale(spec: RocketSpec, range_m: float, shape: str = "min_energy", shape_value: float = 0.0, *,
                  bracket: tuple[float, float] = (0.5, 3.0), step: float = 0.02, rtol: float = 1e-7) -> float:
    """The factor k on every stage Isp of ``spec`` for which :func:`standard_range_m` equals ``range_m``.

    The standard range grows with k. k is scanned upward from ``bracket[0]`` in steps of ``step``
    until the range passes ``range_m`` (a k for which no standard trajectory exists counts as too
    short below the first k that has one and as too long above it, or when a flight went into
    orbit), then refined by Brent's method to ``rtol`` in k (the range then agrees to ~1e-6).
    Raises ValueError if ``range_m`` is not reached inside ``bracket``.
    """
    if not range_m > 0:
        raise ValueError(f"range_m must be > 0, got {range_m}")
    first_finite = [None]

    def f(k):
        st, orbital = _standard(scaled(spec, k), shape, shape_value)
        if np.isfinite(st.range_m):
            if first_finite[0] is None or k < first_finite[0]:
                first_finite[0] = k
            return st.range_m / range_m - 1.0
        too_long = orbital or (first_finite[0] is not None and k > first_finite[0])
        return 1.0 if too_long else -1.0

    lo, hi = bracket
    grid = np.arange(lo, hi + 0.5 * step, step)
    f_prev = f(grid[0])
    for a, b in zip(grid[:-1], grid[1:], strict=True):
        f_b = f(b)
        if f_prev < 0.0 <= f_b:
            k = float(brentq(f, a, b, xtol=rtol * a, rtol=1e-12))
            if abs(f(k)) > 1e-4:  # a jump of f (the shape appears or goes orbital), not a root
                break
            return k
        f_prev = f_b
    raise ValueError(f"{spec.name}: a standard range of {range_m / 1e3:,.0f} km needs an Isp factor outside "
                     f"{lo:g}..{hi:g}")
