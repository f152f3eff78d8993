"""Reference computations for threat assessment from lofted tests (tests only; no bmdsim numerics).

* :func:`kepler_same_speed` -- the naive "same burnout speed" conversion of a lofted test to a range,
  done numerically instead of in closed form: a drag-free point mass is flown (scipy DOP853, planar
  polar coordinates, point-mass gravity on a sphere of radius R) from the surface; the launch speed and
  angle that give the observed apogee and range are found with ``scipy.optimize.fsolve``, and the
  range of that speed is then maximised over the launch angle by a bounded scalar search (the
  minimum-energy trajectory is the longest one of a given speed).
* :func:`observe` -- what a government would publish about a test flown by the independent 3-D
  DOP853 integration of ``tests/reference/missile_flight.py`` on the rotating WGS84 Earth: apogee
  (geodetic height, maximised on the dense output), ground range (pyproj geodesic, Karney) and flight
  time, and the splash point.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod
from scipy.integrate import solve_ivp
from scipy.optimize import fsolve, minimize_scalar

from tests.reference import missile_flight as mf

MU = 3.986004418e14
R = 6371008.8
GEOD = Geod(ellps="WGS84")


def _fly_conic(v, gamma):
    """Drag-free planar flight from radius R at speed v, flight-path angle gamma: (apogee alt m, range m)."""
    def rhs(_t, y):
        r, _th, vr, vt = y
        return [vr, vt / r, vt * vt / r - MU / (r * r), -vr * vt / r]

    def ground(_t, y):
        return y[0] - R
    ground.terminal, ground.direction = True, -1

    def apex(_t, y):
        return y[2]
    apex.direction = -1
    sol = solve_ivp(rhs, (0.0, 3e4), [R, 0.0, v * math.sin(gamma), v * math.cos(gamma)], method="DOP853",
                    rtol=1e-11, atol=1e-6, events=[ground, apex])
    apo = sol.y_events[1][0][0] - R if sol.t_events[1].size else math.nan
    return apo, R * sol.y_events[0][0][1]


def kepler_same_speed(apogee_m: float, range_m: float) -> tuple[float, float]:
    """(speed m/s, minimum-energy range m) of the same-burnout-speed conversion, numerically."""
    def f(x):
        apo, rng = _fly_conic(x[0], x[1])
        return [apo / apogee_m - 1.0, rng / range_m - 1.0]

    v0 = math.sqrt(2 * MU * (1 / R - 1 / (R + apogee_m)))
    v, g = fsolve(f, [v0, math.radians(85.0)], xtol=1e-12)
    best = minimize_scalar(lambda gam: -_fly_conic(v, gam)[1], bounds=(math.radians(20), math.radians(60)),
                           method="bounded", options={"xatol": 1e-10})
    return float(v), float(-best.fun)


def observe(spec, lat_deg: float, lon_deg: float, kick_rad: float, psi_rad: float) -> dict:
    """A full-burn flight of ``spec`` by the reference integrator: apogee_m, range_m, flight_time_s, splash."""
    _y_bo, t_imp, y_imp, sols = mf.fly_dop853(spec, lat_deg, lon_deg, kick_rad, spec.boost_time_s, psi_rad,
                                              spec.rv_beta_kg_m2, rtol=1e-9)

    def alt(t):
        y = mf.dense(sols, np.atleast_1d(t))[0]
        _, _, h = mf.TO_GEO.transform(*mf.eci_to_ecef(y[:3], float(np.atleast_1d(t)[0])))
        return h

    tt = np.linspace(0.0, t_imp, 400)
    hs = np.array([alt(t) for t in tt])
    k = int(np.argmax(hs))
    top = minimize_scalar(lambda t: -alt(t), bounds=(tt[max(k - 1, 0)], tt[min(k + 1, tt.size - 1)]),
                          method="bounded", options={"xatol": 1e-3})
    la, lo = mf.impact_geodetic(t_imp, y_imp)
    _, _, dist = GEOD.inv(lon_deg, lat_deg, lo, la)
    return {"apogee_m": float(-top.fun), "range_m": float(dist), "flight_time_s": float(t_imp),
            "splash_lat_deg": float(la), "splash_lon_deg": float(lo)}
