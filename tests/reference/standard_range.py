"""Reference standard ranges of a missile on a non-rotating spherical Earth (tests only).

Written independently of :mod:`bmdsim.core.calibration` and :mod:`bmdsim.core.flight`, and
deliberately differently:

* the flight is planar: polar coordinates (r, theta) in the plane of fire, so that the range is
  simply ``R * theta`` at impact; state (r, theta, v_r, v_t) with v_t = r theta';
* scipy ``solve_ivp`` (DOP853, rtol 1e-10) per flight segment, events for apogee and impact;
* above ``KEPLER_ABOVE_M`` the coast is not integrated: the conic is propagated in closed form to
  the symmetric descending crossing of the same radius (true anomaly, Kepler's equation);
* the boost segments (staging, vertical rise, pitch-over, gravity turn) are rebuilt here from the
  stage list; only the USSA-1976 density function is imported from bmdsim.

Physics (the convention of published "standard trajectory" ranges, as documented in
bmdsim.core.calibration): sphere of radius R = 6,371.0088 km (IUGG mean radius), point-mass
gravity mu = 3.986004418e14 m^3/s^2 (WGS84), no rotation, non-rotating atmosphere; thrust
``Isp g0 mdot`` per stage, mass falling linearly; drag ``0.5 rho v^2 Cd A`` on the stack in boost and
``0.5 rho v^2 / beta`` (per unit mass) on the re-entry body after burnout. Guidance: thrust along the
radial for ``vertical_rise_s``; then at the loft angle ``kick`` from the vertical toward downrange
for ``pitchover_s`` (in the plane the horizontal launch heading is the local downrange direction);
then along the velocity. Full burn.

Shapes: ``min_energy`` -- the burnout flight-path angle equals that of the least-speed conic from
the burnout radius r_b to R across the angle phi the burnout conic travels down to R:
tan 2 gamma = sin phi / (r_b / R - cos phi) (the textbook result; brute-force checked in
tests/test_kepler.py); ``apogee`` -- the integrated apogee's height above the sphere.

A few hundred milliseconds per flight: obviously right rather than fast.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from bmdsim.core.atmosphere import density_exact_kg_m3

MU = 3.986004418e14
R = 6371008.8
G0 = 9.80665
RTOL = 1e-10
KEPLER_ABOVE_M = 200e3  # drag above this height changes a range by well under 1 m
KICK_GRID_DEG = np.arange(1.0, 85.01, 3.0)


def _rho(h):
    return float(density_exact_kg_m3(max(h, 0.0)))


def _segments(spec):
    burn = np.array(spec.burn_time_s, dtype=float)
    ends = np.cumsum(burn)
    starts = ends - burn
    tv, tp = spec.vertical_rise_s, spec.vertical_rise_s + spec.pitchover_s
    cuts = sorted({0.0, tv, tp, *ends.tolist()})
    out = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        k = int(np.nonzero(ends > a)[0][0])
        mdot = spec.propellant_mass_kg[k] / spec.burn_time_s[k]
        m_a = (spec.payload_mass_kg + sum(spec.propellant_mass_kg[k:]) + sum(spec.dry_mass_kg[k:])
               - mdot * (a - starts[k]))
        mode = "vertical" if a < tv else ("pitch" if a < tp else "turn")
        cda = spec.drag_cd * math.pi * spec.diameter_m[k] ** 2 / 4.0
        out.append((a, b, mode, spec.isp_s[k] * G0 * mdot, m_a, mdot, cda))
    return out


def _boost_rhs(seg, kick):
    a, _b, mode, thrust, m_a, mdot, cda = seg

    def f(t, y):
        r, _th, vr, vt = y
        m = m_a - mdot * (t - a)
        v = math.hypot(vr, vt)
        if mode == "vertical":
            ur, ut = 1.0, 0.0
        elif mode == "pitch":
            ur, ut = math.cos(kick), math.sin(kick)
        else:
            ur, ut = vr / v, vt / v
        drag = 0.5 * _rho(r - R) * v * cda / m  # times (vr, vt)
        return [vr, vt / r,
                vt * vt / r - MU / (r * r) + thrust / m * ur - drag * vr,
                -vr * vt / r + thrust / m * ut - drag * vt]

    return f


def _coast_rhs(beta):
    def f(_t, y):
        r, _th, vr, vt = y
        k = 0.5 * _rho(r - R) * math.hypot(vr, vt) / beta
        return [vr, vt / r, vt * vt / r - MU / (r * r) - k * vr, -vr * vt / r - k * vt]

    return f


def _event(fun, direction):
    fun.terminal = True
    fun.direction = direction
    return fun


def _conic(r, vr, vt):
    """Semi-latus rectum, eccentricity, true anomaly, semi-major axis of the conic through (r, vr, vt)."""
    h = r * vt
    p = h * h / MU
    e_cos = p / r - 1.0
    e_sin = vr * h / MU
    e = math.hypot(e_cos, e_sin)
    return p, e, math.atan2(e_sin, e_cos), p / (1.0 - e * e)


def _min_energy_gamma(r_b, vr, vt):
    """Flight-path angle of the least-speed conic from r_b to R across the burnout conic's angle phi."""
    p, e, nu1, _ = _conic(r_b, vr, vt)
    c = (p / R - 1.0) / e
    if not -1.0 <= c <= 1.0:
        return math.nan
    nu2 = 2.0 * math.pi - math.acos(c)  # descending crossing of R
    phi = (nu2 - nu1) % (2.0 * math.pi)
    return 0.5 * math.atan2(math.sin(phi), r_b / R - math.cos(phi))


def _kepler_time(e, a, nu):
    ecc = 2.0 * math.atan(math.sqrt((1.0 - e) / (1.0 + e)) * math.tan(nu / 2.0))
    return (ecc - e * math.sin(ecc)) * math.sqrt(a ** 3 / MU)


def fly(spec, kick_rad):
    """Full-burn flight; dict with range_m, burnout (r, vr, vt), gamma_b, apogee_alt_m, flight_time_s
    (NaN where the flight does not come down)."""
    y = [R, 0.0, 0.0, 0.0]
    t = 0.0
    for seg in _segments(spec):
        sol = solve_ivp(_boost_rhs(seg, kick_rad), (seg[0], seg[1]), y, method="DOP853", rtol=RTOL, atol=1e-6)
        y = list(sol.y[:, -1])
        t = seg[1]
    r_b, _, vr_b, vt_b = y
    out = {"burnout": (r_b, vr_b, vt_b), "gamma_b": math.atan2(vr_b, vt_b), "burnout_t_s": t}
    if r_b < R or 0.5 * (vr_b ** 2 + vt_b ** 2) - MU / r_b >= 0.0:
        return dict(out, range_m=math.nan, apogee_alt_m=math.nan, flight_time_s=math.nan)
    beta = spec.rv_beta_kg_m2
    ground = _event(lambda _t, s: s[0] - R, -1)
    apogee = _event(lambda _t, s: s[2], -1)
    high = _event(lambda _t, s: s[0] - R - KEPLER_ABOVE_M, 1)
    apo_r = r_b
    # coast: to the apogee, or up through KEPLER_ABOVE_M, or to the ground, whichever comes first
    sol = solve_ivp(_coast_rhs(beta), (t, t + 2e4), y, method="DOP853", rtol=RTOL, atol=1e-6,
                    events=[ground, apogee, high])
    y, t = list(sol.y[:, -1]), sol.t[-1]
    if sol.t_events[2].size:  # above the atmosphere: the conic to the descending crossing, in closed form
        r, th, vr, vt = y
        p, e, nu, a = _conic(r, vr, vt)
        if e >= 1.0:
            return dict(out, range_m=math.nan, apogee_alt_m=math.nan, flight_time_s=math.nan)
        apo_r = a * (1.0 + e)
        t += 2.0 * (math.pi * math.sqrt(a ** 3 / MU) - _kepler_time(e, a, nu))
        y = [r, th + 2.0 * (math.pi - nu), -vr, vt]
    elif sol.t_events[1].size:  # apogee inside the atmosphere
        apo_r = y[0]
    if not sol.t_events[0].size:  # not yet on the ground: descend
        sol = solve_ivp(_coast_rhs(beta), (t, t + 2e4), y, method="DOP853", rtol=RTOL, atol=1e-6, events=[ground])
        if not sol.t_events[0].size:
            return dict(out, range_m=math.nan, apogee_alt_m=math.nan, flight_time_s=math.nan)
        y, t = list(sol.y_events[0][0]), sol.t_events[0][0]
        if not sol.t_events or apo_r == r_b:
            apo_r = max(apo_r, float(np.max(sol.y[0])))
    else:
        y, t = list(sol.y_events[0][0]), sol.t_events[0][0]
    return dict(out, range_m=R * y[1], apogee_alt_m=apo_r - R, flight_time_s=t)


def _residual(spec, kick, shape, value):
    f = fly(spec, kick)
    if not math.isfinite(f["range_m"]):
        return math.nan, f
    if shape == "min_energy":
        return f["gamma_b"] - _min_energy_gamma(*f["burnout"]), f
    if shape == "apogee":
        return f["apogee_alt_m"] - value, f
    raise ValueError(shape)


def standard_flight(spec, shape="min_energy", value=0.0):
    """The full-burn flight whose burnout meets the shape: scan the loft angle (3 deg steps from 1 deg),
    then Brent's method inside the first sign change from lofted to flat. Returns the dict of :func:`fly`
    plus ``kick_rad``."""
    prev = None
    for kd in KICK_GRID_DEG:
        q, _ = _residual(spec, math.radians(kd), shape, value)
        if prev is not None and math.isfinite(q) and math.isfinite(prev[1]) and prev[1] > 0.0 >= q:
            k = brentq(lambda x: _residual(spec, x, shape, value)[0], prev[0], math.radians(kd), xtol=1e-8)
            return dict(fly(spec, k), kick_rad=k)
        prev = (math.radians(kd), q)
    raise ValueError(f"{spec.name}: no full-burn {shape} flight found")
