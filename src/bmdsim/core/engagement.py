"""Engagement feasibility of one interceptor site against n sampled threat trajectories.

A threat point P (ECI) at time t is *interceptable* from the site if

* its altitude lies in the kill vehicle's band [h_min, h_max];
* an interceptor launched at t_L = t - tau from the site -- at the site's *inertial* position at
  t_L (the site turns with the Earth) and moving with the site's velocity ``v_s = omega z x s``
  (0.27 km/s at Redzikowo, 0.465 km/s at the equator) -- is at P at t, with tau <= t_max;
* the launch is allowed: t_L >= t_L,earliest (first usable fire-control track + decision time).

The site's velocity
-------------------
The fly-out table (:mod:`bmdsim.core.flyout`) is the envelope of an interceptor launched at rest on
a non-rotating Earth. An initial velocity v_s displaces an inertial path by ``Phi_rv(tau) v_s`` to
first order (the position-from-velocity block of its state transition matrix). With the gravity
gradient ``G = mu / r^3 (3 r_hat r_hat^T - I)`` held constant, ``Phi_rv`` is ``sinh(sqrt(2) n tau) /
(sqrt(2) n)`` along ``r_hat`` and ``sin(n tau) / n`` across it (``n^2 = mu / r^3``; its Taylor series
begins ``tau I + tau^3 / 6 G``); G is taken in the middle of the path: direction ``s_hat + P_hat``,
radius that of the chord's midpoint raised by the arc's mean height (:func:`_mid_radius`). So the
interceptor launched at t_L reaches P at t_L + tau iff the table's interceptor reaches the *shifted
target* ``P' = P - Phi_rv(tau) v_s(t_L)`` in tau: ground range from ``s(t_L)`` to P', altitude
``h + |P'| - |P|``. In the launch-time solve tau = t - t_L is known for a trial t_L, so feasibility
is ``tau_min(s(t_L), P'(t - t_L)) <= t - t_L``: a fixed-point iteration on t_L from t_L = t, then a
scan of [t - t_max, t] and bisection (:func:`_solve`), keeping only a self-consistent launch
(``t_L + tau_min(P'(t - t_L)) = t`` within :data:`SELF_CONSISTENT_S`: reaching P' *before* tau says
nothing about being at P at t, since the shift depends on tau). P' may lie below the
ground where the real path, lifted by the site's velocity, runs above it (far eastward points near
the ground): the table continues its paths below the ground for that
(:func:`bmdsim.core.flyout.continued_depth_m`). On arrival the interceptor's inertial velocity is
taken as the table's arrival speed along the chord from s(t_L) to P', plus ``Phi_vv(tau) v_s``
(``cosh(sqrt(2) n tau)`` along, ``cos(n tau)`` across the middle-of-path direction): an approximation
(the table keeps speeds, not directions) used for the closing speed and crossing angle.

Error of the method, against the rotating-Earth reference ``tests/reference/rotating_interceptor.py``
(solve_ivp flights from the turning site with its velocity, azimuth, elevation and time root-found;
``test_tau_min_error_statistics_against_the_rotating_reference``: 150 random points, SM-3-IB,
SM-3-IIA, GBI-2, GBI-3, THAAD, site latitudes -70..70 deg, any azimuth, 50 of them with non-rotating
fly-outs >= 85 % of t_max; 147 reached by both, 3 by neither): |tau error| at most 1.97 s, 95th
percentile 1.39 s (relative: at most 0.14 %, 95th percentile 0.12 %). The issue's tolerance is
max(2 s, 1 %). Alternatives tried on the same kind of points: the plain shift ``P - tau v_s`` gave
errors up to 16 s (1.5 %, 1,100 s GBI-2 fly-outs); the ``tau^3 / 6 G`` term with G at the site up
to 44 s, with G at the chord's midpoint up to 6 s; the closed form with G at the chord's midpoint
(without the arc's height) up to 18.5 s (2.2 %, 850 s SM-3 IIA fly-outs at the end of their reach).

Windows and shots are resolved on the trajectory samples (their spacing is the time resolution).
Shoot-look-shoot: shot j+1 launches no earlier than shot j's intercept time + kill assessment.

Reasons for "not engageable" (codes in :data:`REASONS`): ``not_detected`` and
``no_fire_control_track`` are decided upstream (t_L,earliest is NaN); here ``too_late`` (points are
reachable and in the band, but only before the earliest launch allows), ``outside_altitude_band``
(reachable points exist only outside the band), ``out_of_reach`` (nothing reachable).

Pruning (the compiled path): bounds derived from the table skip samples no launch can reach. They
are widened for everything between a sample and its lookup: in ground range by
:func:`lookup_range_bound_m` (the site's turning while the launch time is iterated and the shifted
target's move nearly cancel: bounding them together halves the widening of bounding each), in
altitude by :func:`shift_height_bound_m` (the shift is mostly horizontal), so they never reject a
point the array version (:func:`_engage_site_numpy`, which solves every point within a coarse distance
and ceiling filter) would accept; the tests compare the two paths on points scattered over and beyond
the envelope. The launch-time scan of :func:`_solve` skips launch times too late for the point's lower
bound on any fly-out (an unreachable candidate costs one to three lookups instead of seventeen).
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from bmdsim.core.earth import MU_EARTH_M3_PER_S2, OMEGA_EARTH_RAD_PER_S, R_MEAN_M
from bmdsim.core.flyout import SHIFT_RADIUS_MIN_M, SITE_SPEED_MAX_M_S, FlyoutTable
from bmdsim.core.visibility import _min_angle_to_cap, _row_caps, _threat_frames

REASONS = ("", "not_detected", "no_fire_control_track", "too_late", "outside_altitude_band", "out_of_reach")
R_OK, R_NOT_DETECTED, R_NO_FC_TRACK, R_TOO_LATE, R_OUTSIDE_BAND, R_OUT_OF_REACH = range(6)
_DRIFT_QUANTUM_M = 50e3  # see _kernel_inputs


@dataclass
class SiteEngagement:
    """Per-threat results for one site; every array has shape (n,). Times in s since threat launch."""

    engageable: np.ndarray
    reason: np.ndarray  # int codes, REASONS[code]
    shots: np.ndarray
    first_idx: np.ndarray  # sample index of the first intercept (-1 if none)
    last_idx: np.ndarray
    first_t_s: np.ndarray
    last_t_s: np.ndarray
    first_flyout_s: np.ndarray
    last_flyout_s: np.ndarray
    first_launch_s: np.ndarray
    last_launch_s: np.ndarray
    first_closing_m_s: np.ndarray
    last_closing_m_s: np.ndarray
    first_crossing_rad: np.ndarray
    last_crossing_rad: np.ndarray


def _rotz(vec, angle):
    c, s = np.cos(angle), np.sin(angle)
    out = np.empty(np.broadcast_shapes(np.shape(angle) + (3,), vec.shape))
    out[..., 0] = c * vec[..., 0] - s * vec[..., 1]
    out[..., 1] = s * vec[..., 0] + c * vec[..., 1]
    out[..., 2] = vec[..., 2]
    return out


# ------------------------------------------------------------------------------ the site's velocity
# See the module docstring: the table is looked up at the shifted target P' = P - Phi_rv(tau) v_s.
_MU = MU_EARTH_M3_PER_S2
_SQRT2 = math.sqrt(2.0)


@njit(cache=True, error_model="numpy", inline="always")
def _phi_coefs(tau, rm):
    """(radial, transverse) factors of Phi_rv(tau) and of Phi_vv(tau) with the gravity gradient at radius rm."""
    n = math.sqrt(_MU / (rm * rm * rm))
    x = _SQRT2 * n * tau
    y = n * tau
    return math.sinh(x) / (_SQRT2 * n), math.sin(y) / n, math.cosh(x), math.cos(y)


_SAG = 0.1  # 0.8 / 8, see _mid_radius


@njit(cache=True, error_model="numpy", inline="always")
def _mid_radius(sx, sy, sz, p0, p1, p2, tau):
    """Radius (m) at which the gravity gradient of a path from s to P in tau seconds is taken: where the
    path spends its time, weighted as Phi_rv weights it ((tau - t) t, peaked at mid-flight).

    A free-fall arc between two points rises above the chord's midpoint by ``g tau^2 / 8`` at mid-time
    under uniform gravity ``g`` (a parabola); across a curved Earth the pull toward the chord is ``g -
    v^2 / r`` (``v`` = chord / tau, the mean speed along it); the (tau - t) t weighted mean of a
    parabola's height is 0.8 of its top. So: chord midpoint radius + 0.8 (g - v^2 / r) tau^2 / 8, at
    least ``SHIFT_RADIUS_MIN_M`` (a path above the ground never passes lower; the shift's bounds
    assume it). With the chord midpoint alone the error reached 2.2 % on 850 s SM-3 IIA fly-outs near
    the end of their reach (150-point comparison of the tests); with this, 0.14 %."""
    cx = 0.5 * (sx + p0)
    cy = 0.5 * (sy + p1)
    cz = 0.5 * (sz + p2)
    rc = math.sqrt(cx * cx + cy * cy + cz * cz)
    dx = p0 - sx
    dy = p1 - sy
    dz = p2 - sz
    rm = rc
    if tau > 0.0:
        e = _MU / (rc * rc) - (dx * dx + dy * dy + dz * dz) / (tau * tau * rc)
        if e > 0.0:
            rm = rc + _SAG * e * tau * tau
    if rm < SHIFT_RADIUS_MIN_M:
        rm = SHIFT_RADIUS_MIN_M
    return rm


@njit(cache=True, error_model="numpy", inline="always")
def _shift_terms(sx, sy, sz, sn, p0, p1, p2, pn, omega, tau):
    """Site velocity (vx, vy) and the unit middle-of-path direction (ux, uy, uz), the radius rm of the
    gravity gradient (:func:`_mid_radius`), and the site velocity's component vr along (ux, uy, uz)."""
    vx = -omega * sy
    vy = omega * sx
    mx = sx / sn + p0 / pn
    my = sy / sn + p1 / pn
    mz = sz / sn + p2 / pn
    mn = math.sqrt(mx * mx + my * my + mz * mz)
    if mn < 1e-9:  # antipodal: take the site's vertical
        mx, my, mz, mn = sx / sn, sy / sn, sz / sn, 1.0
    ux = mx / mn
    uy = my / mn
    uz = mz / mn
    return vx, vy, ux, uy, uz, _mid_radius(sx, sy, sz, p0, p1, p2, tau), ux * vx + uy * vy


@njit(cache=True, error_model="numpy", inline="always")
def _tau_from(tl, tj, pt, site, tab):
    """(tau_min, ground range, altitude) of the shifted target P' of point P (ECI at time tj) for a launch
    at tl from the site's inertial position s(tl) with its velocity: the table looked up at P'.

    pt = (p0, p1, p2, |P|, altitude of P); site = (s0, s1, s2, s_hat, omega, radius) (ECEF m);
    tab = :func:`_table_arrays`.
    """
    p0, p1, p2, pn, h = pt
    s0, s1, s2, _, omega, radius = site
    ang = omega * tl
    c = math.cos(ang)
    s = math.sin(ang)
    sx = c * s0 - s * s1
    sy = s * s0 + c * s1
    sz = s2
    sn = math.sqrt(sx * sx + sy * sy + sz * sz)
    tau = tj - tl
    vx, vy, ux, uy, uz, rm, vr = _shift_terms(sx, sy, sz, sn, p0, p1, p2, pn, omega, tau)
    a, b, _, _ = _phi_coefs(tau, rm)
    ab = (a - b) * vr
    q0 = p0 - (b * vx + ab * ux)
    q1 = p1 - (b * vy + ab * uy)
    q2 = p2 - ab * uz
    qn = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2)
    hq = h + (qn - pn)
    cc = (sx * q0 + sy * q1 + sz * q2) / (sn * qn)
    if cc < -1.0:
        cc = -1.0
    elif cc > 1.0:
        cc = 1.0
    g = radius * math.acos(cc)
    return _tau_lookup(g, hq, tab), g, hq


def _mid_radius_numpy(sx, sy, sz, p0, p1, p2, tau):
    """Array version of :func:`_mid_radius`, the same arithmetic."""
    cx = 0.5 * (sx + p0)
    cy = 0.5 * (sy + p1)
    cz = 0.5 * (sz + p2)
    rc = np.sqrt(cx * cx + cy * cy + cz * cz)
    dx = p0 - sx
    dy = p1 - sy
    dz = p2 - sz
    with np.errstate(divide="ignore", invalid="ignore"):
        e = _MU / (rc * rc) - (dx * dx + dy * dy + dz * dz) / (tau * tau * rc)
        rm = np.where((tau > 0.0) & (e > 0.0), rc + _SAG * e * tau * tau, rc)
    return np.maximum(rm, SHIFT_RADIUS_MIN_M)


def _shifted_numpy(tl, tj, p, site, radius):
    """Array version of :func:`_tau_from`'s geometry, the same arithmetic: (ground range, altitude offset
    |P'| - |P|) of the shifted targets; tl, tj (m,), p (m, 3)."""
    ang = OMEGA_EARTH_RAD_PER_S * tl
    c, s = np.cos(ang), np.sin(ang)
    sx = c * site[0] - s * site[1]
    sy = s * site[0] + c * site[1]
    sz = np.full_like(sx, site[2])
    sn = np.sqrt(sx * sx + sy * sy + sz * sz)
    p0, p1, p2 = p[:, 0], p[:, 1], p[:, 2]
    pn = np.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
    omega = OMEGA_EARTH_RAD_PER_S
    vx = -omega * sy
    vy = omega * sx
    mx = sx / sn + p0 / pn
    my = sy / sn + p1 / pn
    mz = sz / sn + p2 / pn
    mn = np.sqrt(mx * mx + my * my + mz * mz)
    anti = mn < 1e-9
    mx = np.where(anti, sx / sn, mx)
    my = np.where(anti, sy / sn, my)
    mz = np.where(anti, sz / sn, mz)
    mn = np.where(anti, 1.0, mn)
    ux, uy, uz = mx / mn, my / mn, mz / mn
    tau = tj - tl
    rm = _mid_radius_numpy(sx, sy, sz, p0, p1, p2, tau)
    vr = ux * vx + uy * vy
    n = np.sqrt(_MU / (rm * rm * rm))
    a = np.sinh(_SQRT2 * n * tau) / (_SQRT2 * n)
    b = np.sin(n * tau) / n
    ab = (a - b) * vr
    q0 = p0 - (b * vx + ab * ux)
    q1 = p1 - (b * vy + ab * uy)
    q2 = p2 - ab * uz
    qn = np.sqrt(q0 * q0 + q1 * q1 + q2 * q2)
    cc = np.clip((sx * q0 + sy * q1 + sz * q2) / (sn * qn), -1.0, 1.0)
    return radius * np.arccos(cc), qn - pn


def shift_bound_m(site_ecef, t_max_s, max_angle_rad=math.pi):
    """Upper bound (m) on |P' - P| = |Phi_rv(tau) v_s| over 0 <= tau <= t_max_s for a site at ``site_ecef``
    (m) and targets within ``max_angle_rad`` of it (geocentric angle).

    |v_s| = omega * (distance from the polar axis); the site's velocity is horizontal, so its component
    along the middle-of-path direction is at most |v_s| sin(angle / 2); sinh(sqrt(2) n t) / (sqrt(2) n)
    grows with n (bounded with the middle-of-path radius >= 6,300 km) and |sin(n t) / n| <= t.
    """
    v_s = OMEGA_EARTH_RAD_PER_S * math.hypot(float(site_ecef[0]), float(site_ecef[1]))
    n = math.sqrt(_MU / SHIFT_RADIUS_MIN_M**3)
    a = math.sinh(_SQRT2 * n * t_max_s) / (_SQRT2 * n)
    sin_half = math.sin(min(max_angle_rad, math.pi) / 2.0)
    return v_s * math.hypot(a * sin_half, t_max_s)


def shift_height_bound_m(site_ecef, t_max_s, max_angle_rad=math.pi):
    """Upper bound (m) on the altitude change of the shifted target, ||P'| - |P||, over 0 <= tau <= t_max_s,
    for targets within ``max_angle_rad`` (geocentric angle) of a site at ``site_ecef`` (m): tighter than
    :func:`shift_bound_m`, since the shift is mostly horizontal.

    With d = P - P' = b v_s + (a - b) (v_s . u) u (b = sin(n tau)/n <= tau, a = sinh(sqrt(2) n tau) /
    (sqrt(2) n), u the middle-of-path direction): |P'|^2 = |P|^2 - 2 d.P + |d|^2, so ||P'| - |P|| <=
    (2 |P| |d.P_hat| + |d|^2) / (2 |P| - |d|). The site's velocity is horizontal, so |v_s . P_hat| <= |v_s|
    sin(angle) and |v_s . u| <= |v_s| sin(angle / 2); a - b grows with tau and with n (n at the smallest
    middle-of-path radius); |P| >= the sphere radius less 100 km; |d| <= :func:`shift_bound_m`.
    """
    v_s = OMEGA_EARTH_RAD_PER_S * math.hypot(float(site_ecef[0]), float(site_ecef[1]))
    n = math.sqrt(_MU / SHIFT_RADIUS_MIN_M**3)
    a = math.sinh(_SQRT2 * n * t_max_s) / (_SQRT2 * n)
    b_minus = a - math.sin(n * t_max_s) / n  # a - b at t_max: its largest value
    ang = min(max_angle_rad, math.pi)
    along = v_s * (t_max_s * math.sin(min(ang, 0.5 * math.pi)) + b_minus * math.sin(ang / 2.0))
    d = shift_bound_m(site_ecef, t_max_s, max_angle_rad)
    p_min = R_MEAN_M - 100e3
    return (2.0 * p_min * along + d * d) / (2.0 * p_min - d)


def lookup_range_bound_m(site_ecef, t_max_s, max_dist_m, max_angle_rad=math.pi, radius=R_MEAN_M):
    """Upper bound (m, ground range on the sphere ``radius``) on how far the ground range of a lookup -- from the
    site at the launch time s(t_L) to the shifted target P' -- lies from the ground range of the point P from
    the site at the sample time s(t), over 0 <= tau = t - t_L <= t_max_s, for points within ``max_dist_m``
    (chord) and ``max_angle_rad`` of the site.

    The site turns back by omega tau while the shift moves the target back by about tau v_s: the two nearly
    cancel. With R = Rz(omega tau) (so R s(t_L) = s(t)), the lookup's angle is the angle between s(t) and
    R P', and R P' - P = (R - I)(P - s(t)) + [(R - I) s(t) - tau omega x s(t)] + (tau - b) omega x s(t)
    - (a - b) (v_s . u) R u (R commutes with omega x; d = b v_s + (a - b)(v_s . u) u, see the module
    docstring), so |R P' - P| <= omega tau |P - s| + (omega tau)^2 (1 + omega tau / 3) |s_perp| / 2 + (tau - b)
    |v_s| + (a - b) |v_s| sin(angle / 2), each term growing with tau (and with n, taken at the smallest
    middle-of-path radius). The angle between P and R P' is at most asin(|R P' - P| / |P|), |P| >= the
    sphere radius less 100 km. About half of the sum of the two separate bounds (:func:`shift_bound_m` and
    the site's turning) for the SM-3 IIA.
    """
    s_perp = math.hypot(float(site_ecef[0]), float(site_ecef[1]))
    v_s = OMEGA_EARTH_RAD_PER_S * s_perp
    phi = OMEGA_EARTH_RAD_PER_S * t_max_s
    n = math.sqrt(_MU / SHIFT_RADIUS_MIN_M**3)
    a = math.sinh(_SQRT2 * n * t_max_s) / (_SQRT2 * n)
    b = math.sin(n * t_max_s) / n
    ang = min(max_angle_rad, math.pi)
    delta = (phi * max_dist_m + 0.5 * phi * phi * (1.0 + phi / 3.0) * s_perp + (t_max_s - b) * v_s
             + (a - b) * v_s * math.sin(ang / 2.0))
    return radius * math.asin(min(1.0, delta / (R_MEAN_M - 100e3)))


def _intercept_details(idx, t, r, v, alt, tau_r, tl_r, g_r, h_r, site, table):
    """Time, fly-out, launch time, closing speed and crossing angle (each (n,)) at sample ``idx`` (n,)
    of each threat (-1: none -> NaN); tau_r, tl_r (n,) are fly-out and launch time there, g_r, h_r the
    ground range and altitude of the shifted target the table was looked up at."""
    n = idx.shape[0]
    out = [np.full(n, np.nan) for _ in range(5)]
    rows = np.nonzero(idx >= 0)[0]
    if rows.size:
        j = idx[rows]
        out[0][rows] = t[rows, j]
        out[1][rows] = tau_r[rows]
        out[2][rows] = tl_r[rows]
        out[3][rows], out[4][rows] = _intercept_geometry(site, r[rows, j], v[rows, j], tl_r[rows], tau_r[rows],
                                                         g_r[rows], h_r[rows], table)
    return tuple(out)


def _intercept_geometry(site, p, vt, launch, tau, g, h, table):
    """Closing speed (m/s) and crossing angle (rad) at intercept points (m,).

    The interceptor's inertial velocity on arrival (an approximation: the table keeps speeds, not
    directions): the table's arrival speed at the shifted target (ground range g, altitude h) along the
    chord from the site's inertial position at launch to the shifted target, plus Phi_vv(tau) v_s, the
    site velocity carried along (cosh(sqrt(2) n tau) along the middle-of-path direction, cos(n tau)
    across it: the same constant-gradient model as the shift)."""
    s_eci = _rotz(site, OMEGA_EARTH_RAD_PER_S * launch)
    v_s = OMEGA_EARTH_RAD_PER_S * np.stack([-s_eci[:, 1], s_eci[:, 0], np.zeros(len(launch))], axis=-1)
    sn = np.linalg.norm(s_eci, axis=-1, keepdims=True)
    pn = np.linalg.norm(p, axis=-1, keepdims=True)
    m = s_eci / sn + p / pn
    mn = np.linalg.norm(m, axis=-1, keepdims=True)
    u = np.where(mn < 1e-9, s_eci / sn, m / np.where(mn < 1e-9, 1.0, mn))
    rm = _mid_radius_numpy(s_eci[:, 0], s_eci[:, 1], s_eci[:, 2], p[:, 0], p[:, 1], p[:, 2], tau)
    n = np.sqrt(_MU / rm**3)
    a, b = np.sinh(_SQRT2 * n * tau) / (_SQRT2 * n), np.sin(n * tau) / n
    ca, cb = np.cosh(_SQRT2 * n * tau), np.cos(n * tau)
    vr = (u * v_s).sum(-1)
    shift = b[:, None] * v_s + ((a - b) * vr)[:, None] * u
    carried = cb[:, None] * v_s + ((ca - cb) * vr)[:, None] * u
    chord = (p - shift) - s_eci
    chord /= np.linalg.norm(chord, axis=-1, keepdims=True)
    vi = table.flyout_speed_m_s(g, h, continued=True)[:, None] * chord + carried
    close = np.linalg.norm(vt - vi, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):  # a threat at rest has no crossing angle (NaN)
        cosx = (vt * vi).sum(-1) / (np.linalg.norm(vt, axis=-1) * np.linalg.norm(vi, axis=-1))
    return close, np.arccos(np.clip(cosx, -1.0, 1.0))


def _ground_range(site_eci, p, radius_m):
    sn = np.linalg.norm(site_eci, axis=-1)
    pn = np.linalg.norm(p, axis=-1)
    c = np.clip((site_eci * p).sum(-1) / (sn * pn), -1.0, 1.0)
    return radius_m * np.arccos(c)


def least_flyout_s(site_ecef, p_ecef, alt_m, table, kin):
    """Least fly-out time (s) from a site on the turning Earth to Earth-fixed points, each reached at the
    intercept time (the latest launch): the launch-time solve of :func:`engage_site`, launch free.

    Parameters
    ----------
    site_ecef : (3,) m.  p_ecef : (n, 3) m, Earth-fixed at the intercept time.  alt_m : (n,) their
    altitudes (m, as the engagement reads them: above the table's sphere).  table, kin : as
    :func:`engage_site` (the altitude band is not applied).

    Returns (n,) s, NaN where no launch reaches the point within ``t_max``.
    """
    p = np.asarray(p_ecef, dtype=float).reshape(-1, 3)
    n = p.shape[0]
    h = np.asarray(alt_m, dtype=float).reshape(n)
    t = 2.0 * float(kin.t_max_s) + 100.0  # any time later than t_max: the launch is free
    free = dataclasses.replace(kin, h_min_m=-1e12, h_max_m=1e12) if dataclasses.is_dataclass(kin) else kin
    res = engage_site(np.full((n, 1), t), _rotz(p, OMEGA_EARTH_RAD_PER_S * t)[:, None], np.zeros((n, 1, 3)),
                      h[:, None], site_ecef, np.zeros(n), table, free, 0.0, max_shots=1)
    return res.first_flyout_s


def engage_site(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin, kill_assessment_s,
                max_shots=4, sphere_radius_m=None, r_ecef=None, caps=None):
    """Feasibility, windows and shots of one site against n threats.

    Parameters
    ----------
    t_s : (n, k) sample times (NaN-padded); r_eci, v_eci : (n, k, 3); alt_m : (n, k) geodetic heights.
    site_ecef : (3,) m.  t_launch_earliest_s : (n,) NaN where no usable track.
    table : fly-out table with ``tau_min_s(ground_range_m, alt_m, continued=True)``,
        ``flyout_speed_m_s(..., continued=True)``, ``range_top_m``, ``ceiling_m``, ``kin``.
    kin : interceptor kinematics (h_min_m, h_max_m, t_max_s).
    r_ecef, caps : optional, the threats' ECEF samples (n, k, 3) and row cones
        (:func:`bmdsim.core.visibility._threat_frames`) when the caller has them for many sites.

    Altitudes are geodetic heights, used as heights above the fly-out table's sphere. The interceptor
    starts with the site's velocity (see the module docstring).

    With a :class:`~bmdsim.core.flyout.FlyoutTable` a compiled scan per threat evaluates a sample's
    fly-out time only where a decision needs it (and skips samples that bounds derived from the
    table rule out); other table objects go through the array version. Both give the same results
    (floating-point values to rounding).
    """
    if not _is_plain_table(table):  # any other object with the documented lookups: the array version
        return _engage_site_numpy(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin,
                                  kill_assessment_s, max_shots, sphere_radius_m)
    t = np.ascontiguousarray(t_s, dtype=float)
    if r_ecef is None:
        r_ecef, _, caps = _threat_frames(t, r_eci)
    return _engage_site_fast(t, r_eci, v_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                             kill_assessment_s, max_shots, sphere_radius_m, caps)


_PLAIN_LOOKUPS = (FlyoutTable.tau_min_s, FlyoutTable.flyout_speed_m_s, FlyoutTable._lookup, FlyoutTable._lookup_chunk)


def _is_plain_table(table):
    """A FlyoutTable whose lookups are the ones the compiled path reproduces."""
    cls = type(table)
    return cls is FlyoutTable and (
        cls.tau_min_s, cls.flyout_speed_m_s, cls._lookup, cls._lookup_chunk) == _PLAIN_LOOKUPS


def _solve_launch_numpy(tc, p, h, site, table, radius):
    """Array version of :func:`_solve`: launch time tl with tl + tau(site(tl), P'(tc - tl)) = tc, else NaN.
    Returns (tau, tl, ground range, altitude) of the shifted target at the solution."""

    def tau_at(tl):
        g, dh = _shifted_numpy(tl, tc, p, site, radius)
        hq = h + dh
        return table.tau_min_s(g, hq, continued=True), g, hq

    tl = tc.copy()
    done = np.zeros(tc.shape, dtype=bool)
    out = [np.full(tc.shape, np.nan) for _ in range(4)]  # tau, tl, g, h
    alive = np.ones(tc.shape, dtype=bool)
    for _ in range(10):
        tau, _, _ = tau_at(tl)
        alive &= np.isfinite(tau)
        tl_new = np.where(alive, tc - tau, tl)
        settled = alive & ~done & (np.abs(tl_new - tl) < 1e-3)
        if settled.any():
            tau2, g2, h2 = tau_at(tl_new)
            good = settled & np.isfinite(tau2) & (np.abs(tl_new + tau2 - tc) < 1e-2)
            for o, v in zip(out, ((tc - tl_new), tl_new, g2, h2), strict=True):
                o[good] = v[good]
            done |= good
            alive &= ~settled
        tl = tl_new
    rest = ~done
    if rest.any():
        t_max = table.kin.t_max_s
        a = np.maximum(tc - t_max, 0.0)
        step = (tc - a) / 16
        best = np.full(tc.shape, -1)
        for k in range(16, -1, -1):
            tk = a + k * step
            tau, _, _ = tau_at(tk)
            ok = rest & (best < 0) & np.isfinite(tau) & (tk + tau <= tc) & (step > 0)
            best[ok] = k
        lo = a + best * step
        hi = np.minimum(lo + step, tc)
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            tau, _, _ = tau_at(mid)
            ok = np.isfinite(tau) & (mid + tau <= tc)
            lo = np.where(ok, mid, lo)
            hi = np.where(ok, hi, mid)
        tau, g, hq = tau_at(lo)
        with np.errstate(invalid="ignore"):
            good = rest & (best >= 0) & np.isfinite(tau) & (lo + tau >= tc - SELF_CONSISTENT_S)
        for o, v in zip(out, ((tc - lo), lo, g, hq), strict=True):
            o[good] = v[good]
    return tuple(out)


def _engage_site_numpy(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin, kill_assessment_s,
                       max_shots=4, sphere_radius_m=None):
    """:func:`engage_site` on whole (n, k) arrays with the table's own lookups (any table object)."""
    radius = R_MEAN_M if sphere_radius_m is None else sphere_radius_m  # the fly-out tables' sphere
    n, k = t_s.shape
    site = np.asarray(site_ecef, dtype=float)
    valid = np.isfinite(t_s)
    tt = np.where(valid, t_s, 0.0)
    # coarse filter: anything farther than the envelope plus the site's drift and the target's shift
    # (the site's velocity carried along), or higher than the ceiling plus the shift, is unreachable
    shift_m = shift_bound_m(site, kin.t_max_s)
    reach_m = table.range_top_m + SITE_SPEED_MAX_M_S * kin.t_max_s + shift_m + 50e3
    g0 = _ground_range(_rotz(site, OMEGA_EARTH_RAD_PER_S * tt), r_eci, radius)
    cand = valid & (g0 <= reach_m) & (alt_m <= table.ceiling_m + shift_m + 1.0)
    ii, jj = np.nonzero(cand)
    tau, tl, gr, hr = (np.full((n, k), np.nan) for _ in range(4))
    if ii.size:
        res = _solve_launch_numpy(tt[ii, jj], r_eci[ii, jj], alt_m[ii, jj], site, table, radius)
        for o, v in zip((tau, tl, gr, hr), res, strict=True):
            o[ii, jj] = v
    band = (alt_m >= kin.h_min_m) & (alt_m <= kin.h_max_m)
    reach = np.isfinite(tau) & (tau <= kin.t_max_s)
    tle = np.asarray(t_launch_earliest_s, dtype=float)
    with np.errstate(invalid="ignore"):
        timely = tl >= tle[:, None]
    feasible = reach & band & timely
    has = feasible.any(axis=1)
    first = np.where(has, np.argmax(feasible, axis=1), -1)
    last = np.where(has, k - 1 - np.argmax(feasible[:, ::-1], axis=1), -1)
    # shoot-look-shoot
    shots = np.zeros(n, dtype=np.int64)
    thr = tle.copy()
    for _ in range(max_shots):
        with np.errstate(invalid="ignore"):
            m = reach & band & (tl >= thr[:, None])
        got = m.any(axis=1)
        if not got.any():
            break
        idx = np.argmax(m, axis=1)
        shots += got
        thr = np.where(got, tt[np.arange(n), idx] + kill_assessment_s, np.inf)
    reason = np.full(n, R_OK, dtype=np.int64)
    no_track = ~np.isfinite(tle)
    reason[no_track] = R_NO_FC_TRACK  # refined upstream into not_detected where nothing saw it
    rest = ~has & ~no_track
    reason[rest & (reach & band).any(axis=1)] = R_TOO_LATE
    reason[rest & ~(reach & band).any(axis=1) & reach.any(axis=1)] = R_OUTSIDE_BAND
    reason[rest & ~reach.any(axis=1)] = R_OUT_OF_REACH

    def details(idx):
        j = np.maximum(idx, 0)
        rows = np.arange(n)
        return _intercept_details(idx, tt, r_eci, v_eci, alt_m, tau[rows, j], tl[rows, j], gr[rows, j],
                                  hr[rows, j], site, table)

    f = details(first)
    la = details(last)
    return SiteEngagement(
        engageable=has, reason=reason, shots=shots, first_idx=first, last_idx=last,
        first_t_s=f[0], last_t_s=la[0], first_flyout_s=f[1], last_flyout_s=la[1], first_launch_s=f[2],
        last_launch_s=la[2], first_closing_m_s=f[3], last_closing_m_s=la[3], first_crossing_rad=f[4],
        last_crossing_rad=la[4],
    )


# ------------------------------------------------------------------------------ compiled path
# The same rules as _engage_site_numpy, evaluated lazily per threat: a point's fly-out time is
# computed only when a decision needs it (first / last feasible sample, the next shot, then the
# reasons), and each point's arithmetic is the array version's, element by element.


@njit(cache=True, error_model="numpy", inline="always")
def _branch(grid, i0, n_a, wg, phi):
    """One branch of FlyoutTable._lookup_chunk: bilinear in (range weight wg, level of phi)."""
    x = 1.0 - 2.0 * phi
    if not (x >= -1.0 and x <= 1.0):
        return np.nan
    fh = math.acos(x) * ((n_a - 1) / math.pi)
    if not (fh >= 0.0 and fh <= n_a - 1):
        return np.nan
    j = int(fh)
    if j > n_a - 2:
        j = n_a - 2
    wh = fh - j
    kk = i0 + j
    a00 = grid[kk]
    a01 = grid[kk + 1]
    a10 = grid[kk + n_a]
    a11 = grid[kk + n_a + 1]
    v0 = a00 + wh * (a01 - a00)
    v1 = a10 + wh * (a11 - a10)
    return v0 + wg * (v1 - v0)


@njit(cache=True, error_model="numpy", inline="always")
def _tau_lookup(g, h, tab):
    """FlyoutTable.tau_min_s for one point (NaN off the table or beyond t_max); tab = :func:`_table_arrays`."""
    top, gi, lo, hi, tlow, thigh, n_a, t_max, depth = tab
    n_g = gi.shape[0]
    if not (g >= 0.0):
        return np.nan
    fg = math.sqrt(g * (1.0 / top)) * (n_g - 1)
    if not (fg <= n_g - 1):
        return np.nan
    i = int(fg)
    if i > n_g - 2:
        i = n_g - 2
    wg = fg - i
    g_i = gi[i]
    w_lin = (g - g_i) / (gi[i + 1] - g_i)
    lo_i = lo[i]
    hi_i = hi[i]
    h_low = lo_i + w_lin * (lo[i + 1] - lo_i)
    h_top = hi_i + w_lin * (hi[i + 1] - hi_i)
    i0 = i * n_a
    tl = _branch(tlow, i0, n_a, wg, (h - h_low) / (h_top - h_low))
    th = _branch(thigh, i0, n_a, wg, (h + depth) / (h_top + depth))
    if tl != tl:
        tau = th
    elif th != th:
        tau = tl
    else:
        tau = min(tl, th)
    if not (tau <= t_max):
        return np.nan
    return tau


_SOLVE_NODES = 16  # launch-time scan when the fixed point fails
# A launch time is a solution only if it is self-consistent: tl + tau_min(s(tl), P'(tj - tl)) = tj within
# this (s). The shift P' depends on the fly-out time; where the shifted target leaves the envelope as the
# launch moves later (a jump of tau_min to "unreachable"), the last launch with tl + tau <= tj can have
# tau far below tj - tl: the table's interceptor would reach P' early, which says nothing about being at P
# at tj. Such a "solution" is refused (tests/test_engagement.py: the IRBM's last intercept, checked
# against the rotating-Earth reference and a brute-force search of launch directions).
SELF_CONSISTENT_S = 1.0


@njit(cache=True, error_model="numpy")
def _solve(tj, pt, site, tab, tau_lo):
    """(tau, launch time, ground range, altitude) of a candidate point (the last two: of the shifted target
    the table was looked up at), or NaNs if no launch reaches it. pt, site, tab: see :func:`_tau_from`;
    ``tau_lo``: a lower bound on any lookup's time for this point (:func:`_bounds`' lb2), so that the scan
    skips launch times too late for any fly-out to arrive (the same answer, fewer lookups).

    Solves tl + tau_min(s(tl), P'(tj - tl)) = tj for the launch time tl in [tj - t_max, tj]: the site turns
    with the Earth and carries the interceptor with its velocity, so the fly-out time depends on when it
    leaves. tl + tau rises with tl (the site and the shift move far slower than an interceptor), so a
    root is unique on each reachable stretch. First a fixed-point iteration from tl = tj; if a lookup
    fails or it does not settle, a scan of the interval keeps the latest node from which the point is
    reached in time, then bisection.
    """
    t_max_tab = tab[7]
    tl = tj
    for _ in range(10):
        tau, g, hq = _tau_from(tl, tj, pt, site, tab)
        if tau != tau:
            break
        tl_new = tj - tau
        if abs(tl_new - tl) < 1e-3:
            tau2, g2, h2 = _tau_from(tl_new, tj, pt, site, tab)
            if tau2 == tau2 and abs(tl_new + tau2 - tj) < 1e-2:
                return tj - tl_new, tl_new, g2, h2  # fly-out = time from launch to intercept
            break
        tl = tl_new
    # scan: f(tl) = tl + tau(tl) - tj; feasible launches have finite f <= 0
    a = tj - t_max_tab
    if a < 0.0:
        a = 0.0
    step = (tj - a) / _SOLVE_NODES
    if step <= 0.0:
        return np.nan, np.nan, np.nan, np.nan
    best = -1
    for k in range(_SOLVE_NODES, -1, -1):  # latest node first
        tk = a + k * step
        if tj - tk < tau_lo:  # no lookup gives less than tau_lo: tk + tau <= tj cannot hold
            continue
        tau, g, hq = _tau_from(tk, tj, pt, site, tab)
        if tau == tau and tk + tau <= tj:
            best = k
            break
    if best < 0:
        return np.nan, np.nan, np.nan, np.nan
    lo_t = a + best * step
    hi_t = min(lo_t + step, tj)
    for _ in range(30):
        mid = 0.5 * (lo_t + hi_t)
        tau, g, hq = _tau_from(mid, tj, pt, site, tab)
        if tau == tau and mid + tau <= tj:
            lo_t = mid
        else:
            hi_t = mid
        if hi_t - lo_t < 1e-3:
            break
    tau, g, hq = _tau_from(lo_t, tj, pt, site, tab)
    if tau != tau or lo_t + tau < tj - SELF_CONSISTENT_S:
        return np.nan, np.nan, np.nan, np.nan
    return tj - lo_t, lo_t, g, hq  # >= tau_min by < 1 ms: the interceptor arrives exactly at tj


_FIRST, _LAST, _SHOTS, _IN_BAND, _OUT_OF_BAND, _DONE = range(6)
_FULL, _ANY, _EACH = range(3)  # kernel modes
_N_ALT_BINS = 2048
_N_BINS_2D = (256, 256)  # range x altitude bins of the 2-D lower bound


@njit(cache=True, error_model="numpy")
def _table_bounds(gi, lo, hi, levels, tlow, thigh, n_a, t_max_tab, depth, dh, nb, g_max, tau_lb, dg2, dh2, lb2):
    """Per altitude bin b ([b dh, (b + 1) dh]): the largest ground range g_max[b] at which a lookup
    can give a time <= t_max_tab, and a lower bound tau_lb[b] on any time a lookup gives there.

    lb2[gb, hb] is a lower bound on the time of any lookup with g in range bin gb (width dg2) and h
    in altitude bin hb (width dh2). Cells below the ground (continued paths) count in bin 0.

    A lookup at (g, h) interpolates the four corners of one cell (range nodes i, i + 1; levels j,
    j + 1 of a branch) whose level altitudes bracket h: it is NaN if a corner is NaN, and at least
    the least corner. The levels' altitudes between nodes i and i + 1 lie between their altitudes
    at the two nodes, so the cell's altitudes lie in [min of level j's, max of level j + 1's].
    """
    n_g = gi.shape[0]
    nbg, nbh = lb2.shape
    for br in range(2):
        grid = tlow if br == 0 else thigh
        for i in range(n_g - 1):
            for j in range(n_a - 1):
                k0 = i * n_a + j
                c00 = grid[k0]
                c01 = grid[k0 + 1]
                c10 = grid[k0 + n_a]
                c11 = grid[k0 + n_a + 1]
                if not (c00 == c00 and c01 == c01 and c10 == c10 and c11 == c11):
                    continue
                cmin = min(min(c00, c01), min(c10, c11))
                if not (cmin <= t_max_tab):
                    continue
                if br == 0:
                    a0 = lo[i] + levels[j] * (hi[i] - lo[i])
                    a1 = lo[i + 1] + levels[j] * (hi[i + 1] - lo[i + 1])
                    b0 = lo[i] + levels[j + 1] * (hi[i] - lo[i])
                    b1 = lo[i + 1] + levels[j + 1] * (hi[i + 1] - lo[i + 1])
                else:
                    a0 = -depth + levels[j] * (hi[i] + depth)
                    a1 = -depth + levels[j] * (hi[i + 1] + depth)
                    b0 = -depth + levels[j + 1] * (hi[i] + depth)
                    b1 = -depth + levels[j + 1] * (hi[i + 1] + depth)
                h0 = min(a0, a1) - 1.0  # a metre of slack for rounding
                h1 = max(b0, b1) + 1.0
                if not (h0 == h0 and h1 == h1):
                    continue
                if h0 / dh >= nb:
                    continue
                m0 = int(h0 / dh) if h0 > 0.0 else 0
                m1 = nb - 1 if h1 / dh >= nb - 1 else (int(h1 / dh) if h1 > 0.0 else 0)
                for m in range(m0, m1 + 1):
                    if gi[i + 1] > g_max[m]:
                        g_max[m] = gi[i + 1]
                    if cmin < tau_lb[m]:
                        tau_lb[m] = cmin
                u0 = min(int(gi[i] / dg2), nbg - 1)
                u1 = min(int(gi[i + 1] / dg2), nbg - 1)
                v0 = int(h0 / dh2) if h0 > 0.0 else 0
                if v0 >= nbh:
                    continue
                v1 = nbh - 1 if h1 / dh2 >= nbh - 1 else (int(h1 / dh2) if h1 > 0.0 else 0)
                for u in range(u0, u1 + 1):
                    for v in range(v0, v1 + 1):
                        if cmin < lb2[u, v]:
                            lb2[u, v] = cmin


_TABLE_BOUNDS = weakref.WeakKeyDictionary()
_BOUNDS = weakref.WeakKeyDictionary()


def table_bounds(table, h_top=None):
    """Per table and ceiling h_top (m; default: the table's ceiling + 1 m, as the scans use) (cached):
    the site-independent bounds of :func:`_table_bounds`, ``(g_max, tau_lb, dh, lb2, dg2, dh2)``.
    Call it ahead of a sweep to keep its cost out of the sweep."""
    h_top = float(table.ceiling_m + 1.0) if h_top is None else h_top
    key = float(h_top)
    per = _TABLE_BOUNDS.setdefault(table, {})
    if key not in per:
        n_g, n_a = table.tau_low_s.shape
        nb = _N_ALT_BINS
        dh = max(h_top, 1.0) / nb
        nbg, nbh = _N_BINS_2D
        dg2 = max(table.range_top_m, 1.0) * (1.0 + 1e-9) / nbg
        dh2 = max(h_top, 1.0) / nbh
        g_max = np.full(nb, -np.inf)
        tau_lb = np.full(nb, np.inf)
        lb2 = np.full((nbg, nbh), np.inf)
        _table_bounds(np.ascontiguousarray(table.range_grid_m, dtype=float),
                      np.ascontiguousarray(table.low_alt_m, dtype=float),
                      np.ascontiguousarray(table.top_alt_m, dtype=float),
                      np.ascontiguousarray(table.levels, dtype=float),
                      np.ascontiguousarray(table.tau_low_s, dtype=float).reshape(-1),
                      np.ascontiguousarray(table.tau_high_s, dtype=float).reshape(-1), n_a,
                      float(table.kin.t_max_s), float(table.depth_m), dh, nb, g_max, tau_lb, dg2, dh2, lb2)
        per[key] = (g_max, tau_lb, dh, lb2, dg2, dh2)
    return per[key]


def _bounds(table, radius, reach_m, h_top, w_m, shift_v):
    """Per table (cached): ``(cos_min, tau_lb, dh, lb2, dg2, dh2)``.

    Per altitude bin of width dh: cos_min, the least cosine of the angle between the site (at the
    sample time) and a point some launch time can reach (capped by reach_m, the coarse test), and
    tau_lb, a lower bound on any fly-out time there. lb2 (range bins dg2 x altitude bins dh2): a
    lower bound on the fly-out time of a point whose ground range from the site at the sample time
    is in the range bin. The bounds of the table are widened for what lies between the point and the
    lookup: the table is looked up at the shifted target P' from the site at the launch time, at most w_m
    in ground range (:func:`lookup_range_bound_m`) and shift_v in altitude (:func:`shift_height_bound_m`)
    from the point seen from the site at the sample time.
    """
    key = (float(radius), float(reach_m), float(h_top), float(w_m), float(shift_v))
    per = _BOUNDS.setdefault(table, {})
    if key not in per:
        g_max, tau_lb, dh, lb2, dg2, dh2 = table_bounds(table, h_top)
        # windows: the extreme over bins b - w .. b + w (clamped at the ends, which mode "nearest" gives)
        wa = int(math.ceil(shift_v / dh)) + 1  # altitude bins a lookup may lie from the point's
        g_max = maximum_filter1d(g_max, 2 * wa + 1, mode="nearest")
        tau_lb = minimum_filter1d(tau_lb, 2 * wa + 1, mode="nearest")
        lb2 = minimum_filter1d(lb2, 2 * (int(math.ceil(w_m / dg2)) + 1) + 1, axis=0, mode="nearest")
        lb2 = minimum_filter1d(lb2, 2 * (int(math.ceil(shift_v / dh2)) + 1) + 1, axis=1, mode="nearest")
        lb2 = np.ascontiguousarray(lb2) - 1e-6  # - 1 us for rounding
        # the lookup's ground range lies within w_m of the point's; + 1 m for rounding
        g = np.minimum(g_max + w_m + 1.0, reach_m)
        with np.errstate(invalid="ignore"):
            cos_min = np.where(g >= 0.0, np.cos(np.minimum(g / radius, math.pi)) - 1e-9, 2.0)
        cos_min[g / radius >= math.pi] = -2.0
        per[key] = (cos_min, tau_lb - 1e-6, dh, lb2, dg2 / radius, dh2)  # range bins as angles
    return per[key]


@njit(cache=True, error_model="numpy", nogil=True)
def _engage_kernel(thr, site, bnd, tab, rules, out, mode):
    """The per-threat scan (see :func:`_engage_site_fast`). ``mode`` _FULL: everything. _ANY: return as
    soon as one threat has a feasible sample (only ``has`` and ``first`` of that threat are set, and
    reasons of the threats scanned before it): the "does this site engage anything?" question. _EACH:
    per threat, stop at its first feasible sample (``has`` and ``first`` only): "which threats?".

    Grouped arguments (see :func:`_kernel_inputs`):

    * thr = (t_s (n, k), r_eci (n, k, 3), alt (n, k), r_ecef (n, k, 3), t_launch_earliest (n,), row cone
      axes (n, 3), row cone cosines (n,));
    * site = (s0, s1, s2, s_hat (3,), omega, radius) -- ECEF position, its unit vector, rotation rate,
      the tables' sphere;
    * bnd = (cos_min, tau_lb, dh, lb2, da2, dh2, h_cand, a_max) -- :func:`_bounds`, the highest
      candidate altitude and the farthest angle any lookup can succeed at;
    * tab = :func:`_table_arrays`;
    * rules = (h_min, h_max, t_max, kill assessment, max shots);
    * out = (has, first, last, shots, reason (n,), at (n, 2, 4): tau, launch, ground range, altitude of
      the first and last intercepts).
    """
    t_s, r_eci, alt, r_ecef, tle, center, cos_rad = thr
    s_hat = site[3]
    cos_min, tau_lb, dh, lb2, da2, dh2, h_cand, a_max = bnd
    h_min, h_max, t_max, ka, max_shots = rules
    has, first, last, shots, reason, at = out
    n, k = t_s.shape
    nb = cos_min.shape[0]
    nbg, nbh = lb2.shape
    m_res = np.empty((k, 4))  # tau, launch, ground range, altitude per sample of the current row
    stamp = np.full(k, -1, dtype=np.int64)
    sh0, sh1, sh2 = s_hat[0], s_hat[1], s_hat[2]
    for i in range(n):
        th = tle[i]
        no_track = not (th > -np.inf and th < np.inf)
        reason[i] = R_NO_FC_TRACK if no_track else R_OK
        if th != th or th == np.inf:  # NaN or +inf: no launch is timely
            continue
        if _min_angle_to_cap(s_hat, center, cos_rad, i) > a_max:  # every sample beyond the envelope
            if not no_track:
                reason[i] = R_OUT_OF_REACH
            continue
        # A sample is feasible if in the band, reachable and launched at or after th. The scans:
        # _FIRST feasible sample; _LAST feasible one (backwards); _SHOTS: shot s + 1 is the first
        # feasible sample launched at or after shot s's sample time + kill assessment (every shot is a
        # feasible sample, so not after the last); without any: _IN_BAND (anything reachable in the
        # band -> too late), _OUT_OF_BAND (reachable outside it) -> the reason.
        phase = _FIRST
        j0, j1, dj = 0, k, 1
        thr_t = th
        f = -1
        lj = -1
        nshot = 0
        while phase != _DONE:
            timed = phase <= _SHOTS
            found = -1
            for j in range(j0, j1, dj):
                tj = t_s[i, j]
                if tj != tj:
                    continue
                h = alt[i, j]
                in_band = h >= h_min and h <= h_max
                if phase == _OUT_OF_BAND:
                    if in_band:
                        continue
                elif not in_band:
                    continue
                x = h / dh
                b = nb - 1 if x >= nb - 1 else (int(x) if x > 0.0 else 0)
                # launch time = sample time - fly-out time <= sample time - a lower bound of it
                if timed and not (tj - tau_lb[b] >= thr_t):
                    continue
                if stamp[j] != i:  # evaluate the point once per row
                    q0 = r_ecef[i, j, 0]
                    q1 = r_ecef[i, j, 1]
                    q2 = r_ecef[i, j, 2]
                    cq = (sh0 * q0 + sh1 * q1 + sh2 * q2) / math.sqrt(q0 * q0 + q1 * q1 + q2 * q2)
                    lb_uv = 0.0
                    if h <= h_cand and cq >= cos_min[b]:
                        # the lower bound with the ground range at the sample time (as an angle) too
                        x = math.acos(min(max(cq, -1.0), 1.0)) / da2
                        u = nbg - 1 if x >= nbg - 1 else (int(x) if x > 0.0 else 0)
                        x = h / dh2
                        v = nbh - 1 if x >= nbh - 1 else (int(x) if x > 0.0 else 0)
                        lb_uv = lb2[u, v]
                        if timed and not (tj - lb_uv >= thr_t):
                            continue
                    stamp[j] = i
                    r0 = np.nan
                    r1 = np.nan
                    r2 = np.nan
                    r3 = np.nan
                    # candidates: not above the ceiling (+ shift), within reach of the site at some launch time
                    if h <= h_cand and cq >= cos_min[b]:
                        p0 = r_eci[i, j, 0]
                        p1 = r_eci[i, j, 1]
                        p2 = r_eci[i, j, 2]
                        pt = (p0, p1, p2, math.sqrt(p0 * p0 + p1 * p1 + p2 * p2), h)
                        r0, r1, r2, r3 = _solve(tj, pt, site, tab, lb_uv)
                    m_res[j, 0] = r0
                    m_res[j, 1] = r1
                    m_res[j, 2] = r2
                    m_res[j, 3] = r3
                if not (m_res[j, 0] <= t_max):
                    continue
                if timed and not (m_res[j, 1] >= thr_t):
                    continue
                found = j
                break
            if phase == _FIRST:
                if found >= 0 and mode != _FULL:
                    has[i] = True
                    first[i] = found
                    if mode == _ANY:
                        return
                    phase = _DONE
                    continue
                if found >= 0:
                    f = found
                    phase = _LAST
                    j0, j1, dj = k - 1, f, -1
                elif no_track or mode != _FULL:
                    phase = _DONE
                else:
                    phase = _IN_BAND
                    j0, j1, dj = 0, k, 1
            elif phase == _LAST:
                lj = found if found >= 0 else f
                nshot = 1 if max_shots >= 1 else 0
                phase = _SHOTS if nshot < max_shots else _DONE
                thr_t = t_s[i, f] + ka
                j0, j1, dj = f + 1, lj + 1, 1
            elif phase == _SHOTS:
                if found < 0:
                    phase = _DONE
                else:
                    nshot += 1
                    thr_t = t_s[i, found] + ka
                    j0 = found + 1
                    if nshot >= max_shots:
                        phase = _DONE
            elif phase == _IN_BAND:
                if found >= 0:
                    reason[i] = R_TOO_LATE
                    phase = _DONE
                else:
                    phase = _OUT_OF_BAND
            else:
                reason[i] = R_OUTSIDE_BAND if found >= 0 else R_OUT_OF_REACH
                phase = _DONE
        if f >= 0:
            has[i] = True
            first[i] = f
            last[i] = lj
            shots[i] = nshot
            for c in range(4):
                at[i, 0, c] = m_res[f, c]
                at[i, 1, c] = m_res[lj, c]


def _reach_terms(site, t_max_tab, t_max, range_top_m, radius, ceiling_m=None):
    """(drift_m, shift_m, reach_m, shift_v_m, w_m) of :func:`_kernel_inputs`: how far the site turns while the
    launch time is iterated, how far the shifted target lies from the point, the farthest ground range (from
    the site at the sample time) at which any lookup of a table reaching ``range_top_m`` can succeed, how far
    the shifted target's altitude lies from the point's (:func:`shift_height_bound_m`), and how far the
    lookup's ground range lies from the point's (:func:`lookup_range_bound_m` for points up to the
    table's ``ceiling_m``; without it, drift_m + shift_m)."""
    t_max_tab = max(t_max_tab, 0.0)
    norm = np.linalg.norm(site)
    # while the launch time is iterated the site turns by at most omega t_max about the z axis; the
    # bound is rounded up to whole 50 km so that sites at nearby latitudes share the cached bounds
    drift_m = radius * OMEGA_EARTH_RAD_PER_S * t_max_tab * (
        math.hypot(site[0], site[1]) / norm if norm > 0.0 else 1.0) + 1e3
    drift_m = _DRIFT_QUANTUM_M * math.ceil(drift_m / _DRIFT_QUANTUM_M)
    # the shifted target lies within shift_m of the point; first bounded for any angle, then for the
    # angles within reach (the shift's radial part grows with the angle between site and point)
    shift_m = shift_bound_m(site, t_max_tab)
    angle = min((range_top_m + drift_m + shift_m + 1e3) / radius, math.pi)
    shift_m = shift_bound_m(site, t_max_tab, angle) + 1e3
    shift_m = _DRIFT_QUANTUM_M * math.ceil(shift_m / _DRIFT_QUANTUM_M)
    # the angle between the site at launch and the point: within reach, plus the site's turning
    angle = min((range_top_m + 2.0 * drift_m + shift_m + 1e3) / radius, math.pi)
    shift_v = shift_height_bound_m(site, t_max_tab, angle) + 1e3
    shift_v = min(_DRIFT_QUANTUM_M * math.ceil(shift_v / _DRIFT_QUANTUM_M), shift_m)
    reach_m = range_top_m + SITE_SPEED_MAX_M_S * t_max + shift_m + 50e3
    # the lookup's ground range vs the point's from the site at the sample time (both moves together)
    g = min(reach_m / radius, math.pi)
    w_m = drift_m + shift_m
    if ceiling_m is not None:
        r_top = radius + float(ceiling_m) + shift_v
        chord = math.sqrt(max(r_top * r_top + radius * radius - 2.0 * radius * r_top * math.cos(g), 0.0)) + 50e3
        w = lookup_range_bound_m(site, t_max_tab, chord, g, radius) + 1e3
        w_m = min(_DRIFT_QUANTUM_M * math.ceil(w / _DRIFT_QUANTUM_M), w_m)
    return drift_m, shift_m, reach_m, shift_v, w_m


def threat_cones(t_s, r_ecef):
    """Per threat, a cone from the Earth's centre holding its valid samples, as the compiled scan uses it:
    unit axis (n, 3) and cosine of the half-angle (n,) (2: no valid sample; -2: no cone). t_s (n, k),
    r_ecef (n, k, 3)."""
    axis, cos_half = _row_caps(np.ascontiguousarray(t_s, dtype=float), np.ascontiguousarray(r_ecef, dtype=float))
    return axis, np.where((cos_half > 1.0) & (cos_half < 1.5), 1.0, cos_half)


def reach_angle_rad(site_ecef, kin, range_top_m, sphere_radius_m=None) -> float:
    """Geocentric angle (rad) from the site beyond which no threat sample can be engaged with a table of
    ``kin`` whose ``range_top_m`` is given (:func:`bmdsim.core.flyout.table_reach_m` gives it without
    building the table): the compiled scan skips a threat whose samples all lie farther (see
    :func:`_kernel_inputs`), so a caller may skip it -- and the table -- first."""
    radius = R_MEAN_M if sphere_radius_m is None else float(sphere_radius_m)
    site = np.asarray(site_ecef, dtype=float)
    _, _, reach_m, _, _ = _reach_terms(site, float(kin.t_max_s), float(kin.t_max_s), float(range_top_m), radius)
    return min(reach_m / radius + 1e-6, math.pi)


def _kernel_inputs(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin, sphere_radius_m, caps):
    """The grouped arguments thr, site, bnd, tab of :func:`_engage_kernel` (threats, site, bounds, table)."""
    radius = R_MEAN_M if sphere_radius_m is None else float(sphere_radius_m)
    t = np.ascontiguousarray(t_s, dtype=float)
    n, k = t.shape
    site = np.ascontiguousarray(site_ecef, dtype=float)
    tle = np.ascontiguousarray(np.broadcast_to(np.asarray(t_launch_earliest_s, dtype=float), (n,)))
    norm = np.linalg.norm(site)
    ceil1 = float(table.ceiling_m + 1.0)
    _, _, reach_m, shift_v, w_m = _reach_terms(site, float(table.kin.t_max_s), float(kin.t_max_s),
                                               float(table.range_top_m), radius, ceil1)
    cos_min, tau_lb, dh, lb2, da2, dh2 = _bounds(table, radius, reach_m, ceil1, w_m, shift_v)
    s_hat = site / norm if norm > 0.0 else np.zeros(3)
    if not norm > 0.0:
        cos_min = np.full_like(cos_min, -2.0)
    # farthest angle from the site at which any first lookup can succeed
    a_max = math.acos(min(max(float(cos_min.min()), -1.0), 1.0)) if norm > 0.0 else math.inf
    if caps is None:
        caps = _row_caps(t, r_ecef)
    # a row whose samples all point the same way (one sample) can have its cone's cosine round to just
    # above 1, which _min_angle_to_cap reads as "no valid sample" (2.0): clamp those to 1
    cos_rad = np.where((caps[1] > 1.0) & (caps[1] < 1.5), 1.0, caps[1])
    thr = (t, np.ascontiguousarray(r_eci, dtype=float), np.ascontiguousarray(alt_m, dtype=float),
           np.ascontiguousarray(r_ecef, dtype=float), tle, caps[0], cos_rad)
    site_t = (float(site[0]), float(site[1]), float(site[2]), s_hat, OMEGA_EARTH_RAD_PER_S, radius)
    bnd = (cos_min, tau_lb, float(dh), lb2, float(da2), float(dh2), ceil1 + shift_v, a_max)
    return thr, site_t, bnd, _table_arrays(table)


_TABLE_ARRAYS = weakref.WeakKeyDictionary()


def _table_arrays(table) -> tuple:
    """The kernel's view of a table (cached per table): range top, range nodes, the low branch's and
    the top's altitudes, the two time grids flattened, levels per branch, the table's t_max, the depth
    of the continued paths."""
    if table not in _TABLE_ARRAYS:
        n_g, n_a = table.tau_low_s.shape
        _TABLE_ARRAYS[table] = (
            float(table.range_top_m), np.ascontiguousarray(table.range_grid_m, dtype=float),
            np.ascontiguousarray(table.low_alt_m, dtype=float), np.ascontiguousarray(table.top_alt_m, dtype=float),
            np.ascontiguousarray(table.tau_low_s, dtype=float).reshape(-1),
            np.ascontiguousarray(table.tau_high_s, dtype=float).reshape(-1), int(n_a), float(table.kin.t_max_s),
            float(table.depth_m))
    return _TABLE_ARRAYS[table]


def _outputs(n):
    return (np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64),
            np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.full((n, 2, 4), np.nan))


def engages_any(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin, caps=None,
                sphere_radius_m=None) -> bool:
    """Whether one site (FlyoutTable ``table``) can engage at least one of n threats.

    The same feasibility test as :func:`engage_site` (a sample in the altitude band, reachable, launched
    no earlier than ``t_launch_earliest_s``), stopping at the first feasible sample of any threat;
    ``r_ecef`` (n, k, 3) and ``caps`` are the threats' ECEF samples and row cones
    (:func:`bmdsim.core.visibility._threat_frames`), computed once by the caller for many sites.
    """
    thr, site, bnd, tab = _kernel_inputs(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                                         sphere_radius_m, caps)
    n, k = thr[0].shape
    if not (n and k):
        return False
    out = _outputs(n)
    rules = (float(kin.h_min_m), float(kin.h_max_m), float(kin.t_max_s), 0.0, 1)
    _engage_kernel(thr, site, bnd, tab, rules, out, _ANY)
    return bool(out[0].any())


def engageable_threats(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin, caps=None,
                       sphere_radius_m=None) -> np.ndarray:
    """(n,) bool: which of n threats one site (FlyoutTable ``table``) can engage -- the ``engageable``
    of :func:`engage_site`, with each threat's scan stopped at its first feasible sample (no windows,
    shots or reasons). Arguments as :func:`engages_any`."""
    thr, site, bnd, tab = _kernel_inputs(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                                         sphere_radius_m, caps)
    n, k = thr[0].shape
    out = _outputs(n)
    if n and k:
        rules = (float(kin.h_min_m), float(kin.h_max_m), float(kin.t_max_s), 0.0, 1)
        _engage_kernel(thr, site, bnd, tab, rules, out, _EACH)
    return out[0]


def _engage_site_fast(t_s, r_eci, v_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                      kill_assessment_s, max_shots=4, sphere_radius_m=None, caps=None):
    """:func:`engage_site` for a :class:`FlyoutTable`, given the threats' ECEF positions too (the
    range tests use them; the engagement table computes them once for all sites) and optionally
    their rows' cones (:func:`bmdsim.core.visibility._row_caps`)."""
    thr, site_t, bnd, tab = _kernel_inputs(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                                           sphere_radius_m, caps)
    t, r, alt, tle = thr[0], thr[1], thr[2], thr[4]
    site = np.ascontiguousarray(site_ecef, dtype=float)
    n, k = t.shape
    out = _outputs(n)
    has, first, last, shots, reason, at = out
    if n and k:
        rules = (float(kin.h_min_m), float(kin.h_max_m), float(kin.t_max_s), float(kill_assessment_s),
                 int(max_shots))
        _engage_kernel(thr, site_t, bnd, tab, rules, out, _FULL)
    else:
        reason[~np.isfinite(tle)] = R_NO_FC_TRACK
        reason[np.isfinite(tle)] = R_OUT_OF_REACH

    def details(idx, col):
        return _intercept_details(idx, t, r, np.asarray(v_eci, dtype=float), alt, at[:, col, 0], at[:, col, 1],
                                  at[:, col, 2], at[:, col, 3], site, table)

    f = details(first, 0)
    la = details(last, 1)
    return SiteEngagement(
        engageable=has, reason=reason, shots=shots, first_idx=first, last_idx=last,
        first_t_s=f[0], last_t_s=la[0], first_flyout_s=f[1], last_flyout_s=la[1], first_launch_s=f[2],
        last_launch_s=la[2], first_closing_m_s=f[3], last_closing_m_s=la[3], first_crossing_rad=f[4],
        last_crossing_rad=la[4],
    )
