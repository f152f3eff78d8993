"""Interceptor fly-out paths for the globe: re-fly the baseline kinematic model to an intercept point.

The engagement engine answers *whether* and *when* a site reaches a threat point from its fly-out
table (least time tau_min(ground range, altitude)); it keeps no path. The explorer draws the path,
so this module re-flies it with the same model as :mod:`bmdsim.core.flyout` (its module docstring
states the model): spherical Earth of radius ``R_MEAN_M`` with point-mass gravity; for ``tb_s``
seconds a constant thrust acceleration -- the one that gives burnout speed vbo at that elevation
(:func:`thrust_accel_m_s2`) -- along a fixed inertial direction at elevation ``e``; then free fall. The
launch is from the site's *inertial* position at the engine's launch time, with the site's rotation
velocity when the model carries it (:func:`carries_site_velocity`), so the path is drawn in inertial
space and turned into Earth-fixed coordinates at each time (the globe turns under it).

Method
------
1. A fan of elevations (from the lowest flown elevation, ``kin.lowest_flown_elev_rad``, to 90 deg)
   is integrated once per interceptor kinematics (fixed-step RK4, 1 s steps, burnout on a step
   boundary) and cached.
2. For a target at ground range g and altitude h, every fan member's altitude where it crosses g is
   interpolated; consecutive members whose crossing altitudes bracket h give candidate elevations
   (linear interpolation in elevation). The candidate whose arrival time is nearest the engine's
   fly-out time is kept (the engine's time is the least one; both branches, low and lofted, exist).
3. The drawn path blends the two bracketing members (0.1 deg apart in elevation) and ends exactly at
   the point; no integration per request.

4. The path is then re-flown in three dimensions (:func:`refly`): from the site's inertial position
   at the launch time, with the site's own velocity from the Earth's rotation when the engagement model
   carries it, a fixed inertial thrust direction (azimuth, elevation) for ``tb_s`` with the model's
   thrust acceleration for that elevation, then free fall under point-mass gravity (fixed-step RK4,
   steps of at most 1 s, burnout on a step boundary). Newton's method on (azimuth, elevation, time of
   flight), started from the planar solution, puts the path through the intercept point; if it does not
   converge the planar drawing is kept.

The arrival time of the re-flown path and its miss distance from the intercept point are returned
with it (``arrival_s``, ``miss_km``) so figures and the page can show how well the drawing agrees with
the table; ``tests/test_flyout_path.py`` checks both against the engine and against an independent
DOP853 integration.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from bmdsim.core.earth import (
    A_WGS84_M,
    B_WGS84_M,
    MU_EARTH_M3_PER_S2,
    OMEGA_EARTH_RAD_PER_S,
    R_MEAN_M,
    ecef_to_eci,
    ecef_to_geodetic,
    eci_to_ecef,
    geodetic_to_ecef,
)
from bmdsim.core.flyout import InterceptorKinematics

FAN_MEMBERS = 721  # elevations in the fan (about 0.11 deg apart for a fan from 11 deg to 90 deg)
FAN_STEP_S = 1.0  # RK4 step of the fan (s)
PATH_POINTS = 80  # samples per drawn path
EDGE_TOLERANCE_M = 5000.0  # a point this close (in altitude) to the fan's edge takes the edge member


@dataclass(frozen=True)
class FlyoutPath:
    """A drawn fly-out: samples (k,) of time since the threat's launch (s), geodetic lat/lon (deg) and
    height (km); ``elevation_deg`` of the launch direction; ``arrival_s`` the re-flown fly-out time
    (compare the engine's ``flyout_s``) and ``miss_km`` the distance from the intercept point."""

    t_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray
    elevation_deg: float
    arrival_s: float
    flyout_s: float
    miss_km: float

    def to_json(self) -> dict:
        return {"t_s": [round(float(x), 2) for x in self.t_s], "lat": [round(float(x), 5) for x in self.lat_deg],
                "lon": [round(float(x), 5) for x in self.lon_deg], "alt_km": [round(float(x), 3) for x in self.alt_km],
                "elevation_deg": round(self.elevation_deg, 3), "arrival_s": round(self.arrival_s, 2),
                "flyout_s": round(self.flyout_s, 2), "miss_km": round(self.miss_km, 3)}


def _rk4_planar(x, y, vx, vy, ax, ay, t_burn, t0, dt):
    """One RK4 step for states (m,) in the plane of fire: thrust (ax, ay) (m,) while t < t_burn (m,)."""

    def acc(px, py, on):
        r2 = px * px + py * py
        g = -MU_EARTH_M3_PER_S2 / (r2 * np.sqrt(r2))
        return g * px + on * ax, g * py + on * ay

    on = (t0 < t_burn - 1e-9).astype(float)  # steps are aligned so a step never straddles burnout
    k1x, k1y = vx, vy
    a1x, a1y = acc(x, y, on)
    k2x, k2y = vx + 0.5 * dt * a1x, vy + 0.5 * dt * a1y
    a2x, a2y = acc(x + 0.5 * dt * k1x, y + 0.5 * dt * k1y, on)
    k3x, k3y = vx + 0.5 * dt * a2x, vy + 0.5 * dt * a2y
    a3x, a3y = acc(x + 0.5 * dt * k2x, y + 0.5 * dt * k2y, on)
    k4x, k4y = vx + dt * a3x, vy + dt * a3y
    a4x, a4y = acc(x + dt * k3x, y + dt * k3y, on)
    return (x + dt / 6 * (k1x + 2 * k2x + 2 * k3x + k4x), y + dt / 6 * (k1y + 2 * k2y + 2 * k3y + k4y),
            vx + dt / 6 * (a1x + 2 * a2x + 2 * a3x + a4x), vy + dt / 6 * (a1y + 2 * a2y + 2 * a3y + a4y))


def thrust_accel_m_s2(kin: InterceptorKinematics, elev_rad):
    """The model's thrust acceleration (m/s^2) at launch elevations ``elev_rad`` (array): the one that gives
    burnout speed vbo at that elevation when the fly-out model sets it per elevation, else its constant
    ``accel_m_s2``."""
    e = np.asarray(elev_rad, dtype=float)
    per_elevation = getattr(kin, "thrust_accel_m_s2", None)
    if callable(per_elevation):
        return np.asarray(per_elevation(np.clip(e, 0.0, 0.5 * math.pi)), dtype=float)
    return np.full(e.shape, float(kin.accel_m_s2))


def carries_site_velocity(kin: InterceptorKinematics) -> bool:
    """Whether the engagement model launches the interceptor with its site's rotation velocity (the model
    with vbo as the burnout speed at every elevation does)."""
    return callable(getattr(kin, "thrust_accel_m_s2", None))


def fly_planar(elev_rad, kin: InterceptorKinematics, t_end_s: float, dt_s: float):
    """Integrate fly-outs at elevations ``elev_rad`` (m,) in the plane of fire.

    Returns ``t_s`` (k,), ground range ``g_m`` (m, k) on the sphere of radius ``R_MEAN_M`` (the angle
    from the site times R_MEAN_M) and altitude ``h_m`` (m, k) above it; NaN after a member lands. The
    burn ends on a step boundary (the steps before and after ``tb_s`` are shortened to meet it).
    """
    e = np.atleast_1d(np.asarray(elev_rad, dtype=float))
    a = thrust_accel_m_s2(kin, e)
    ax, ay = a * np.cos(e), a * np.sin(e)
    tb = kin.tb_s
    n_burn = max(1, math.ceil(tb / dt_s - 1e-9))
    steps = [tb / n_burn] * n_burn
    rest = max(0.0, t_end_s - tb)
    n_coast = math.ceil(rest / dt_s - 1e-9)
    steps += [rest / n_coast] * n_coast if n_coast else []
    m = e.size
    x, y = np.zeros(m), np.full(m, R_MEAN_M)
    vx, vy = np.zeros(m), np.zeros(m)
    t = 0.0
    ts, xs, ys = [0.0], [x], [y]
    tb_arr = np.full(m, tb)
    for dt in steps:
        x, y, vx, vy = _rk4_planar(x, y, vx, vy, ax, ay, tb_arr, t, dt)
        t += dt
        ts.append(t)
        xs.append(x)
        ys.append(y)
    X, Y = np.stack(xs, axis=1), np.stack(ys, axis=1)
    g = R_MEAN_M * np.arctan2(X, Y)
    h = np.hypot(X, Y) - R_MEAN_M
    landed = np.maximum.accumulate((h < -1.0) & (np.arange(h.shape[1]) > 0), axis=1)
    g[landed] = np.nan
    h[landed] = np.nan
    return np.array(ts), g, h


@functools.lru_cache(maxsize=64)
def _fan(kin: InterceptorKinematics):
    e_lo = kin.lowest_flown_elev_rad
    if not math.isfinite(e_lo):
        return None
    elev = np.linspace(e_lo, 0.5 * math.pi, FAN_MEMBERS)
    t, g, h = fly_planar(elev, kin, kin.t_max_s + 10.0, FAN_STEP_S)
    return elev, t, g, h


def warm(kin: InterceptorKinematics) -> None:
    """Integrate (and cache) the fan of ``kin``: the first path of an interceptor type costs this."""
    _fan(kin)


def _crossings(t, g, h, g_target):
    """Per fan member: altitude and time where the ground range first reaches ``g_target`` (NaN if never)."""
    reach = np.where(np.isfinite(g), g, -np.inf) >= g_target
    hit = reach.any(axis=1)
    k = np.where(hit, reach.argmax(axis=1), 0)
    k = np.maximum(k, 1)
    rows = np.arange(g.shape[0])
    g0, g1 = g[rows, k - 1], g[rows, k]
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.clip((g_target - g0) / (g1 - g0), 0.0, 1.0)
    hc = h[rows, k - 1] + f * (h[rows, k] - h[rows, k - 1])
    tc = t[k - 1] + f * (t[k] - t[k - 1])
    bad = ~hit | ~np.isfinite(hc)
    return np.where(bad, np.nan, hc), np.where(bad, np.nan, tc)


@dataclass(frozen=True)
class Aim:
    """A solved launch: elevation (rad), arrival time (s), and the fan members it lies between
    (``member``, ``member + 1``, weight ``frac`` of the second)."""

    elevation_rad: float
    arrival_s: float
    member: int
    frac: float


def solve_elevation(kin: InterceptorKinematics, g_m: float, h_m: float, flyout_s: float) -> Aim | None:
    """The launch whose path passes ground range ``g_m``, altitude ``h_m``; of the candidates (low and
    lofted branch) the one arriving nearest ``flyout_s``. A point just outside the fan (within
    ``EDGE_TOLERANCE_M`` in altitude: the table interpolates up to the envelope's edge) takes the
    nearest member; None if nothing comes that close."""
    fan = _fan(kin)
    if fan is None:
        return None
    elev, t, g, h = fan
    if g_m < 1.0:  # straight overhead: the vertical member
        hv = h[-1]
        up = np.isfinite(hv) & (hv >= h_m)
        if not up.any() or up.argmax() == 0:
            return None
        k = int(up.argmax())
        ta = float(np.interp(h_m, hv[k - 1: k + 1], t[k - 1: k + 1]))
        return Aim(0.5 * math.pi, ta, elev.size - 2, 1.0)
    hc, tc = _crossings(t, g, h, g_m)
    d = hc - h_m
    best, best_dt = None, math.inf
    for i in np.nonzero(np.isfinite(d[:-1]) & np.isfinite(d[1:]) & (np.sign(d[:-1]) != np.sign(d[1:])))[0]:
        f = float(d[i] / (d[i] - d[i + 1]))
        ta = float(tc[i] + f * (tc[i + 1] - tc[i]))
        if abs(ta - flyout_s) < best_dt:
            best = Aim(float(elev[i] + f * (elev[i + 1] - elev[i])), ta, int(i), f)
            best_dt = abs(ta - flyout_s)
    if best is None:
        near = np.where(np.isfinite(d), np.abs(d), np.inf)
        i = int(near.argmin())
        if near[i] <= EDGE_TOLERANCE_M:
            i0 = min(i, elev.size - 2)
            best = Aim(float(elev[i]), float(tc[i]), i0, float(i - i0))
    return best


def _surface_radius_m(unit):
    """Geocentric radius of the WGS84 ellipsoid along unit vectors (..., 3)."""
    z2 = unit[..., 2] ** 2
    return A_WGS84_M * B_WGS84_M / np.sqrt(B_WGS84_M**2 * (1.0 - z2) + A_WGS84_M**2 * z2)


def _plane(site_ecef, launch_s, p_eci):
    """Unit vectors u (site at launch, ECI) and w (towards the point, in the plane) and the angle between."""
    s_eci = ecef_to_eci(site_ecef, launch_s)
    u = s_eci / np.linalg.norm(s_eci)
    pu = p_eci / np.linalg.norm(p_eci)
    c = float(np.clip(u @ pu, -1.0, 1.0))
    w = pu - c * u
    nw = np.linalg.norm(w)
    w = w / nw if nw > 1e-12 else np.array([0.0, 0.0, 1.0])
    return u, w, math.acos(c)


def _plan(kin, site_ecef, launch_s, flyout_s, p_ecef, alt_m):
    """Launch time, aim and plane of the drawn path. When the model carries the site's velocity
    (:func:`carries_site_velocity`) the engine's launch time is kept: it already solves the rotating
    problem, and the planar fan (launched at rest) would move it by the site's velocity's effect (~10 s).
    Otherwise the launch time is iterated to the fixed point t_L = t - arrival(t_L) (the site turns with
    the Earth) starting from the engine's launch time; if that fails the engine's launch time is kept.
    None if no elevation reaches the point."""
    site = np.asarray(site_ecef, float)
    t_int = launch_s + flyout_s
    p_eci = ecef_to_eci(np.asarray(p_ecef, float), t_int)
    u, w, ang = _plane(site, launch_s, p_eci)
    aim = solve_elevation(kin, R_MEAN_M * ang, float(alt_m), float(flyout_s))
    if aim is None:
        return None
    first = (launch_s, aim, u, w, ang)
    if carries_site_velocity(kin):
        return first  # the engine's launch time already includes the site's velocity; the planar fan does not
    t_l = launch_s
    for _ in range(6):
        new = t_int - aim.arrival_s
        if abs(new - t_l) < 0.01:
            return (t_l, aim, u, w, ang)
        t_l = new
        u, w, ang = _plane(site, t_l, p_eci)
        aim = solve_elevation(kin, R_MEAN_M * ang, float(alt_m), t_int - t_l)
        if aim is None:
            break
    return first


REFLY_STEP_S = 1.0  # largest RK4 step of the three-dimensional re-fly (s)
REFLY_TOLERANCE_M = 10.0  # the 3-D path must pass this close to the intercept point, else the planar drawing


def _launch_frame(site_ecef, launch_s):
    """The launch on the model's sphere: the site's position (3,) in ECI at the launch time put on the sphere
    of radius ``R_MEAN_M`` (the fly-out model's ground), the site's velocity from the Earth's rotation, and
    the local up, east and north unit vectors there."""
    site = ecef_to_eci(np.asarray(site_ecef, float), launch_s)
    v_site = np.cross([0.0, 0.0, OMEGA_EARTH_RAD_PER_S], site)
    up = site / np.linalg.norm(site)
    east = np.cross([0.0, 0.0, 1.0], up)
    ne = np.linalg.norm(east)
    east = east / ne if ne > 1e-12 else np.array([0.0, 1.0, 0.0])
    north = np.cross(up, east)
    return R_MEAN_M * up, v_site, up, east, north


def _direction(az, el, up, east, north):
    """Unit thrust directions (m, 3) for azimuths (clockwise from north) and elevations (m,) in radians."""
    az, el = np.atleast_1d(az), np.atleast_1d(el)
    ce = np.cos(el)
    return ((ce * np.cos(az))[:, None] * north + (ce * np.sin(az))[:, None] * east
            + np.sin(el)[:, None] * up)


def fly_3d(r0, v0, direction, accel_m_s2, tb_s: float, tau_s: float, step_s: float = REFLY_STEP_S,
           record: bool = False):
    """Integrate fly-outs in ECI: start at ``r0`` (3,) m with velocity ``v0`` (3,) m/s, thrust ``accel_m_s2``
    (m,) along the fixed unit ``direction`` (m, 3) for ``tb_s`` seconds, point-mass gravity ``mu / r^2``
    throughout, up to ``tau_s`` seconds after launch (fixed-step RK4, steps of at most ``step_s``, burnout on
    a step boundary).

    Returns ``(r, v)`` (m, 3) at ``tau_s``; with ``record`` also ``t`` (k,) and ``r`` (m, k, 3) at every step.
    """
    d = np.asarray(direction, float).reshape(-1, 3)
    a = np.asarray(accel_m_s2, float).reshape(-1)[:, None] * d
    m = d.shape[0]
    r = np.repeat(np.asarray(r0, float)[None], m, axis=0)
    v = np.repeat(np.asarray(v0, float)[None], m, axis=0)
    burn = min(tb_s, tau_s)
    n_burn = max(1, math.ceil(burn / step_s - 1e-9))
    steps = [burn / n_burn] * n_burn
    rest = tau_s - burn
    if rest > 1e-12:
        n_c = math.ceil(rest / step_s - 1e-9)
        steps += [rest / n_c] * n_c

    def acc(x, on):
        n = np.linalg.norm(x, axis=1)[:, None]
        return -MU_EARTH_M3_PER_S2 * x / n**3 + on * a

    t = 0.0
    ts, rs = [0.0], [r]
    for h in steps:
        on = 1.0 if t < tb_s - 1e-9 else 0.0
        k1r, k1v = v, acc(r, on)
        k2r, k2v = v + 0.5 * h * k1v, acc(r + 0.5 * h * k1r, on)
        k3r, k3v = v + 0.5 * h * k2v, acc(r + 0.5 * h * k2r, on)
        k4r, k4v = v + h * k3v, acc(r + h * k3r, on)
        r = r + h / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r)
        v = v + h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
        t += h
        if record:
            ts.append(t)
            rs.append(r)
    if record:
        return r, v, np.array(ts), np.stack(rs, axis=1)
    return r, v


@dataclass(frozen=True)
class Refly:
    """A three-dimensional re-fly: azimuth and elevation of the thrust (rad), time of flight (s), launch frame
    and how far the path ends from the point (m)."""

    az_rad: float
    el_rad: float
    tau_s: float
    r0: np.ndarray
    v0: np.ndarray
    up: np.ndarray
    east: np.ndarray
    north: np.ndarray
    miss_m: float


def model_point(p_eci, alt_m: float) -> np.ndarray:
    """A point as the fly-out model reads it: its direction from the Earth's centre at its height above the
    ground (``alt_m``, geodetic) over the model's sphere of radius ``R_MEAN_M`` (3,) m."""
    p = np.asarray(p_eci, float)
    return (R_MEAN_M + float(alt_m)) * p / np.linalg.norm(p)


def refly(kin: InterceptorKinematics, site_ecef, launch_s: float, p_model, az0: float, el0: float, tau0: float,
          carry_site_velocity: bool | None = None, max_iter: int = 12) -> Refly | None:
    """Aim a three-dimensional fly-out from the site (launched at ``launch_s``, s since the threat's launch)
    through the point ``p_model`` (3,) m, ECI on the model's sphere (:func:`model_point`; the site stands on
    that sphere too): Newton's method on (azimuth, elevation, time of flight) from
    ``(az0, el0, tau0)``, the position's derivative in time being the velocity and those in the angles finite
    differences. The thrust acceleration is the model's for the elevation (:func:`thrust_accel_m_s2`); the
    launch velocity is the site's rotation velocity when ``carry_site_velocity`` (default: when the model
    carries it, :func:`carries_site_velocity`). None if it does not converge within
    :data:`REFLY_TOLERANCE_M`."""
    carry = carries_site_velocity(kin) if carry_site_velocity is None else carry_site_velocity
    r0, v_site, up, east, north = _launch_frame(site_ecef, launch_s)
    v0 = v_site if carry else np.zeros(3)
    p = np.asarray(p_model, float)
    e_lo = float(kin.lowest_flown_elev_rad)
    x = np.array([az0, el0, tau0], float)
    delta = 1e-6
    best = None
    for _ in range(max_iter):
        az = np.array([x[0], x[0] + delta, x[0]])
        el = np.array([x[1], x[1], x[1] + delta])
        r, v = fly_3d(r0, v0, _direction(az, el, up, east, north), thrust_accel_m_s2(kin, el), kin.tb_s, x[2])
        f = r[0] - p
        miss = float(np.linalg.norm(f))
        if best is None or miss < best[1]:
            best = (x.copy(), miss)
        if miss < 0.5:
            break
        jac = np.column_stack([(r[1] - r[0]) / delta, (r[2] - r[0]) / delta, v[0]])
        dx = np.linalg.lstsq(jac, -f, rcond=None)[0]
        dx[:2] = np.clip(dx[:2], -0.1, 0.1)
        dx[2] = float(np.clip(dx[2], -50.0, 50.0))
        x = x + dx
        x[1] = min(max(x[1], e_lo), 0.5 * math.pi - 1e-9)
        x[2] = max(x[2], 1.0)
    if best is None or best[1] > REFLY_TOLERANCE_M:
        return None
    x, miss = best
    return Refly(float(x[0]), float(x[1]), float(x[2]), r0, v0, up, east, north, miss)


def _refly_path(kin, rf: Refly, launch_s: float, flyout_s: float, p_ecef) -> FlyoutPath:
    d = _direction(rf.az_rad, rf.el_rad, rf.up, rf.east, rf.north)
    _, _, t, r = fly_3d(rf.r0, rf.v0, d, thrust_accel_m_s2(kin, np.array([rf.el_rad])), kin.tb_s, rf.tau_s,
                        record=True)
    tq = np.linspace(0.0, rf.tau_s, PATH_POINTS)
    r_m = np.column_stack([np.interp(tq, t, r[0, :, k]) for k in range(3)])
    rad = np.linalg.norm(r_m, axis=1)
    d = r_m / rad[:, None]
    r_eci = (_surface_radius_m(d) + rad - R_MEAN_M)[:, None] * d  # heights over the sphere drawn over the ellipsoid
    t_abs = launch_s + tq
    r_ecef = eci_to_ecef(r_eci, t_abs)
    lat, lon, alt = ecef_to_geodetic(r_ecef)
    miss = float(np.linalg.norm(r_ecef[-1] - np.asarray(p_ecef, float)))
    return FlyoutPath(t_abs, np.degrees(lat), np.degrees(lon), alt / 1e3, math.degrees(rf.el_rad), rf.tau_s,
                      float(flyout_s), miss / 1e3)


def flyout_paths(requests) -> list[FlyoutPath | None]:
    """Re-fly interceptors to intercept points.

    ``requests``: sequence of ``(kin, site_ecef (3,) m, launch_s, flyout_s, point_ecef (3,) m, alt_m)``
    with the engine's launch time (s since the threat's launch) and fly-out time, the intercept point in
    ECEF at the intercept time ``launch_s + flyout_s`` and its geodetic height. Returns one
    :class:`FlyoutPath` per request (None where no elevation reaches the point).

    The launch time is the fixed point t_L = t - arrival(t_L) near the engine's; where none exists (the
    engine lets an interceptor reach a point sooner than needed: tau_min <= t - t_L) the engine's launch
    time is kept, and ``arrival_s`` < ``flyout_s`` says by how much the drawing differs. The path is
    re-flown in three dimensions from the site at t_L (:func:`refly`, started from the planar fan's
    solution) through the point; where that does not converge, it is the blend of the two fan members
    that bracket the point (0.1 deg apart), ending exactly at the point, and ``miss_km`` says how far the
    drawing is from a flown path's end.
    """
    out: list[FlyoutPath | None] = []
    for req in requests:
        kin, site_ecef, launch_s, flyout_s, p_ecef, _ = req
        plan = _plan(*req)
        fan = _fan(kin)
        if plan is None or fan is None:
            out.append(None)
            continue
        t_l, aim, u, w, ang = plan
        t_int = float(launch_s) + float(flyout_s)
        p_model = model_point(ecef_to_eci(np.asarray(p_ecef, float), t_int), float(req[5]))
        _, _, up, east, north = _launch_frame(site_ecef, t_l)
        rf = refly(kin, site_ecef, t_l, p_model, math.atan2(float(w @ east), float(w @ north)), aim.elevation_rad,
                   aim.arrival_s)
        if rf is not None:
            out.append(_refly_path(kin, rf, t_l, flyout_s, p_ecef))
            continue
        _, t, g, h = fan
        tq = np.linspace(0.0, aim.arrival_s, PATH_POINTS)
        rows = [(aim.member, 1.0 - aim.frac), (aim.member + 1, aim.frac)]
        gq = sum(wt * np.interp(tq, t, np.nan_to_num(g[m], nan=np.nanmax(g[m]))) for m, wt in rows)
        hq = sum(wt * np.interp(tq, t, np.nan_to_num(h[m], nan=0.0)) for m, wt in rows)
        gq[-1], hq[-1] = R_MEAN_M * ang, float(req[5])
        th = gq / R_MEAN_M
        d = np.cos(th)[:, None] * u + np.sin(th)[:, None] * w
        r_eci = (_surface_radius_m(d) + hq)[:, None] * d  # heights above the ellipsoid, as the engine reads them
        t_abs = t_l + tq
        r_ecef = eci_to_ecef(r_eci, t_abs)
        lat, lon, alt = ecef_to_geodetic(r_ecef)
        miss = float(np.linalg.norm(r_ecef[-1] - np.asarray(p_ecef, float)))
        out.append(FlyoutPath(t_abs, np.degrees(lat), np.degrees(lon), alt / 1e3, math.degrees(aim.elevation_rad),
                              aim.arrival_s, float(flyout_s), miss / 1e3))
    return out


def point_ecef(lat_deg: float, lon_deg: float, alt_m: float) -> np.ndarray:
    """ECEF (3,) m of a geodetic point (degrees, metres)."""
    return geodetic_to_ecef(math.radians(lat_deg), math.radians(lon_deg), alt_m)
