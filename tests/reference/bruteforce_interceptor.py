"""Brute-force reference for the interceptor fly-out time tau_min (tests only).

Written independently of :mod:`bmdsim.core.flyout` and deliberately differently:

* polar coordinates (r, theta) in the plane of fire instead of Cartesian ones, so that ground
  range is simply ``R * theta`` and altitude ``r - R``;
* scalar ``scipy.integrate.solve_ivp`` (DOP853, rtol 1e-10) per trajectory, with events, instead
  of a fixed-step vectorized fan;
* for one target point at a time: scan the launch elevation, root-find (``brentq``) the elevation
  whose trajectory crosses the target's ground range at the target's altitude, on both the low
  and the high branch, and keep the earliest crossing within ``t_max``.

Physics (the same idealisation as the table): spherical non-rotating Earth of radius
``R_MEAN_M``, point-mass gravity; thrust of constant magnitude ``a(e)`` for ``tb`` seconds along
a fixed inertial direction of elevation ``e`` above the site's horizontal; then free fall. ``vbo``
is the burnout speed: ``a(e)`` is root-found here, per elevation (:func:`burnout_accel`: secant on
a solve_ivp integration of the burn alone), so that the speed at ``tb`` is ``vbo``. A trajectory
ends when it comes back to the ground (altitude 0, also right at launch if the thrust cannot lift
it: ``a(e) sin e < g``).

In polar coordinates the fixed inertial thrust direction has local elevation ``e + theta``::

    r'' - r theta'^2        = -mu / r^2 + a sin(e + theta)
    r theta'' + 2 r' theta' =             a cos(e + theta)

Slow (a millisecond or two per trajectory, some 25 ms per target point): meant to be obviously
right, not fast.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, minimize_scalar, newton

from bmdsim.core.earth import MU_EARTH_M3_PER_S2 as MU
from bmdsim.core.earth import R_MEAN_M as RE

RTOL = 1.0e-10
ATOL = 1.0e-9  # on scaled state, see _rhs (r in Earth radii, theta in rad, time in s)
N_SCAN = 13  # elevation samples of the coarse scan over [min_elev, 90 deg]
# a brentq "root" farther than this from the target is a jump of f, not a root (f jumps at the
# elevation where the thrust starts to lift the vehicle). Not smaller: near the vertical the
# crossing altitude changes by ~1e11 m per radian of elevation.
ROOT_ALT_TOL_M = 1.0


def _rhs(t, y, accel, elev):
    # y = (rho, theta, rho', theta') with rho = r / RE (dimensionless, keeps atol meaningful)
    rho, th, drho, dth = y
    r = rho * RE
    a_r = -MU / (r * r) + accel * math.sin(elev + th)
    a_t = accel * math.cos(elev + th)
    # r'' = r th'^2 + a_r ;  th'' = (a_t - 2 r' th') / r
    return [drho, dth, rho * dth * dth + a_r / RE, (a_t / RE - 2.0 * drho * dth) / rho]


_ACCEL_CACHE = {}


def burnout_accel(kin, elev):
    """Thrust acceleration (m/s^2) for which the launch at ``elev`` (rad) from rest on the pad reaches
    burnout speed ``kin.vbo_m_s`` at ``kin.tb_s`` (non-rotating sphere; the burn integrated alone, the
    ground ignored). Secant from the flat-Earth closed form ``g sin e + sqrt(A^2 - g^2 cos^2 e)``,
    ``A = vbo / tb``, to 1e-12 relative."""
    key = (kin.vbo_m_s, kin.tb_s, float(elev))
    if key not in _ACCEL_CACHE:
        g = MU / RE**2
        big_a = kin.vbo_m_s / kin.tb_s
        a0 = g * math.sin(elev) + math.sqrt(max(big_a**2 - (g * math.cos(elev)) ** 2, 0.0))

        def miss(a):
            sol = solve_ivp(_rhs, (0.0, kin.tb_s), [1.0, 0.0, 0.0, 0.0], method="DOP853", rtol=RTOL, atol=ATOL,
                            args=(a, elev))
            rho, _, drho, dth = sol.y[:, -1]
            return math.hypot(drho * RE, rho * RE * dth) - kin.vbo_m_s

        _ACCEL_CACHE[key] = float(newton(miss, a0, x1=a0 * (1.0 + 1e-3) + 1e-3, tol=1e-12 * a0, maxiter=50))
    return _ACCEL_CACHE[key]


def _integrate(kin, elev, t_end, events):
    """Burn then coast from launch, stopping at the first terminal event or ``t_end``.

    Returns (status, t, y): status "event" with the event's index, or "end".
    """
    accel = burnout_accel(kin, elev)
    y0 = [1.0, 0.0, 0.0, 0.0]
    phases = [(0.0, min(kin.tb_s, t_end), accel)]
    if t_end > kin.tb_s:
        phases.append((kin.tb_s, t_end, 0.0))
    for t0, t1, a in phases:
        sol = solve_ivp(_rhs, (t0, t1), y0, method="DOP853", rtol=RTOL, atol=ATOL, args=(a, elev), events=events)
        for i, te in enumerate(sol.t_events or ()):
            if len(te):
                return ("event", i), float(te[0]), sol.y_events[i][0]
        y0 = sol.y[:, -1]
    return ("end", None), t_end, y0


def _ground_event(t, y, *args):
    return (y[0] - 1.0) * RE


_ground_event.terminal = True
_ground_event.direction = -1.0


def crossing(kin, elev, ground_range_m, t_cap):
    """Trajectory at elevation ``elev`` vs the vertical line at ``ground_range_m`` (> 0).

    Returns ``("cross", alt_m, t_s)`` where it crosses the line, ``("short", g_impact_m, t_s)`` if
    it comes down short at ground range ``g_impact_m``, or ``("none", nan, nan)`` if neither
    happens before ``t_cap``.
    """

    def reach(t, y, *args):
        return y[1] * RE - ground_range_m

    reach.terminal = True
    reach.direction = 1.0
    (status, idx), t, y = _integrate(kin, elev, t_cap, [reach, _ground_event])
    if status == "event" and idx == 0:
        return "cross", (y[0] - 1.0) * RE, t
    if status == "event" and idx == 1:
        return "short", y[1] * RE, t
    return "none", math.nan, math.nan


def _vertical_time(kin, alt_m):
    """Time for the vertical launch to first reach ``alt_m`` (nan if not within t_max).

    Two passes: find the apex, then look for the altitude only up to it. solve_ivp sees an event
    only as a sign change between its (long) steps, so a single pass could step over an altitude
    just under the apex; before the apex the climb is monotonic and the last step ends there.
    """
    if alt_m <= 0.0:
        return 0.0

    def apex(t, y, *args):
        return y[2]

    def climb(t, y, *args):
        return (y[0] - 1.0) * RE - alt_m

    apex.terminal = climb.terminal = True
    apex.direction = -1.0
    climb.direction = 1.0
    _, t_apex, _ = _integrate(kin, 0.5 * math.pi, kin.t_max_s, [apex])
    (status, idx), t, _ = _integrate(kin, 0.5 * math.pi, t_apex, [climb])
    return t if status == "event" else math.nan


def tau_min_reference(kin, ground_range_m, alt_m, n_scan=N_SCAN, return_elev=False):
    """Least time (s) for the interceptor to pass through (ground_range_m, alt_m); nan if never.

    The earliest of :func:`crossing_roots` within ``t_max`` (with ``return_elev``: ``(time,
    elevation)``).
    """
    G, H = float(ground_range_m), float(alt_m)
    if G < 0.0 or H < 0.0:
        return (math.nan, math.nan) if return_elev else math.nan
    if G == 0.0:
        t = _vertical_time(kin, H)
        return (t, 0.5 * math.pi) if return_elev else t
    best_t, best_e = math.nan, math.nan
    for t, e_r in crossing_roots(kin, G, H, n_scan):
        if t <= kin.t_max_s and not (t >= best_t):  # also true when best_t is nan
            best_t, best_e = t, e_r
    return (best_t, best_e) if return_elev else best_t


def crossing_roots(kin, ground_range_m, alt_m, n_scan=N_SCAN):
    """Every launch elevation whose trajectory passes through (ground_range_m > 0, alt_m >= 0):
    a list of ``(time s, elevation rad)``, any time (not capped at ``t_max``).

    ``f(e) = altitude where trajectory e crosses the target's ground range - target altitude``,
    continued for trajectories that land short by ``-alt - (range - impact range)`` (continuous
    at the reach limit, where the crossing altitude tends to 0). Every sign change of ``f`` on a
    scan of ``n_scan`` elevations, and around every local maximum of the scan (where two close
    roots could hide), is solved with ``brentq``; roots are kept if the trajectory really passes
    within ``ROOT_ALT_TOL_M`` of the target.
    """
    G, H = float(ground_range_m), float(alt_m)
    # fly every trajectory until it crosses the target's ground range or lands, however late
    # (later crossings are rejected by the caller, but f must stay defined for the root-finding);
    # only trajectories that escape or orbit without passing the target hit this cap
    t_cap = max(20.0 * kin.t_max_s, 1.0e5)

    cache = {}

    def f(e):
        if e not in cache:
            kind, x, t = crossing(kin, e, G, t_cap)
            if kind == "cross":
                cache[e] = (x - H, t)
            elif kind == "short":  # at the reach limit this tends to -H, as the crossing altitude to 0
                cache[e] = (-H - (G - x), t)
            else:
                cache[e] = (math.nan, math.nan)
        return cache[e][0]

    e_scan = np.linspace(kin.min_elev_rad, 0.5 * math.pi, n_scan)
    f_scan = [f(e) for e in e_scan]
    brackets = []
    for i in range(n_scan - 1):
        fa, fb = f_scan[i], f_scan[i + 1]
        if np.isfinite(fa) and np.isfinite(fb) and fa * fb <= 0.0:
            brackets.append((e_scan[i], e_scan[i + 1]))
    # two roots may hide between scan points around a maximum of f that the scan saw below 0
    for i in range(1, n_scan - 1):
        fa, fm, fb = f_scan[i - 1], f_scan[i], f_scan[i + 1]
        if np.isfinite([fa, fm, fb]).all() and fm > fa and fm > fb and fm < 0.0:
            res = minimize_scalar(
                lambda e: -f(e) if np.isfinite(f(e)) else math.inf,
                bounds=(e_scan[i - 1], e_scan[i + 1]),
                method="bounded",
                options={"xatol": 1e-9},
            )
            e_pk = float(res.x)
            if np.isfinite(f(e_pk)) and f(e_pk) > 0.0:
                brackets += [(e_scan[i - 1], e_pk), (e_pk, e_scan[i + 1])]

    roots = []
    for a, b in brackets:
        if f(a) == 0.0:
            e_r = a
        elif f(b) == 0.0:
            e_r = b
        else:
            e_r = brentq(f, a, b, xtol=1e-14, rtol=1e-15, maxiter=200)
        f(e_r)
        val, t = cache[e_r]
        # it passes through the target (or lands on it, when the target is on the ground) at t
        if abs(val) <= ROOT_ALT_TOL_M:
            roots.append((t, e_r))
    return roots


def state_at(kin, elev, t_s):
    """(ground range m, altitude m, speed m/s) of the trajectory at elevation ``elev`` at ``t_s``
    (ignores the ground: for checking points found by :func:`tau_min_reference`)."""
    _, _, y = _integrate(kin, elev, t_s, None)
    rho, th, drho, dth = y
    return th * RE, (rho - 1.0) * RE, math.hypot(drho * RE, rho * RE * dth)
