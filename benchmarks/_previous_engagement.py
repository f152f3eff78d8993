"""PREVIOUS MODEL, kept for benchmarks/engagement.py only (make bench skips _*.py): bmdsim.core.engagement as of
commit 4e82cc8 -- the interceptor leaves from the site's inertial position at launch but without the site's
velocity; loose kernel arguments. :func:`engage_site_like_now` adapts it to the current engage_site call.

Engagement feasibility of one interceptor site against n sampled threat trajectories.

A threat point P (ECI) at time t is *interceptable* from the site if

* its altitude lies in the kill vehicle's band [h_min, h_max];
* the fly-out envelope reaches it: tau = tau_min(ground range, altitude) <= t_max, where the
  ground range is measured on the fly-out table's sphere from the site's *inertial* position at
  the interceptor's launch time t_L = t - tau (the site turns with the Earth; two fixed-point
  iterations on t_L);
* the launch is allowed: t_L >= t_L,earliest (first usable fire-control track + decision time).

Windows and shots are resolved on the trajectory samples (their spacing is the time resolution).
Shoot-look-shoot: shot j+1 launches no earlier than shot j's intercept time + kill assessment.

Reasons for "not engageable" (codes in :data:`REASONS`): ``not_detected`` and
``no_fire_control_track`` are decided upstream (t_L,earliest is NaN); here ``too_late`` (points are
reachable and in the band, but only before the earliest launch allows), ``outside_altitude_band``
(reachable points exist only outside the band), ``out_of_reach`` (nothing reachable).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np
from _previous_flyout import FlyoutTable, _nodes, previous_table
from numba import njit

from bmdsim.core.earth import OMEGA_EARTH_RAD_PER_S, R_MEAN_M
from bmdsim.core.visibility import _min_angle_to_cap, _row_caps, _threat_frames

REASONS = ("", "not_detected", "no_fire_control_track", "too_late", "outside_altitude_band", "out_of_reach")
R_OK, R_NOT_DETECTED, R_NO_FC_TRACK, R_TOO_LATE, R_OUTSIDE_BAND, R_OUT_OF_REACH = range(6)
_DRIFT_QUANTUM_M = 50e3  # see _kernel_inputs
SITE_SPEED_MAX_M_S = 465.1  # equatorial rotation speed: bounds how far the site moves during a fly-out


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


def _intercept_details(idx, t, r, v, alt, tau_r, tl_r, g_r, site, table):
    """Time, fly-out, launch time, closing speed and crossing angle (each (n,)) at sample ``idx`` (n,)
    of each threat (-1: none -> NaN); tau_r, tl_r, g_r (n,) are fly-out, launch time and ground range there."""
    n = idx.shape[0]
    out = [np.full(n, np.nan) for _ in range(5)]
    rows = np.nonzero(idx >= 0)[0]
    if rows.size:
        j = idx[rows]
        out[0][rows] = t[rows, j]
        out[1][rows] = tau_r[rows]
        out[2][rows] = tl_r[rows]
        out[3][rows], out[4][rows] = _intercept_geometry(site, r[rows, j], v[rows, j], tl_r[rows], g_r[rows],
                                                         alt[rows, j], table)
    return tuple(out)


def _intercept_geometry(site, p, vt, launch, g, alt, table):
    """Closing speed (m/s) and crossing angle (rad) at intercept points (m,): the interceptor flies at
    the fly-out table's arrival speed along the chord from the site's inertial position at launch."""
    s_eci = _rotz(site, OMEGA_EARTH_RAD_PER_S * launch)
    chord = p - s_eci
    chord /= np.linalg.norm(chord, axis=-1, keepdims=True)
    vi = table.flyout_speed_m_s(g, alt)[:, None] * chord
    close = np.linalg.norm(vt - vi, axis=-1)
    cosx = (vt * vi).sum(-1) / (np.linalg.norm(vt, axis=-1) * np.linalg.norm(vi, axis=-1))
    return close, np.arccos(np.clip(cosx, -1.0, 1.0))


def _ground_range(site_eci, p, radius_m):
    sn = np.linalg.norm(site_eci, axis=-1)
    pn = np.linalg.norm(p, axis=-1)
    c = np.clip((site_eci * p).sum(-1) / (sn * pn), -1.0, 1.0)
    return radius_m * np.arccos(c)


def engage_site(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin, kill_assessment_s,
                max_shots=4, sphere_radius_m=None):
    """Feasibility, windows and shots of one site against n threats.

    Parameters
    ----------
    t_s : (n, k) sample times (NaN-padded); r_eci, v_eci : (n, k, 3); alt_m : (n, k) geodetic heights.
    site_ecef : (3,) m.  t_launch_earliest_s : (n,) NaN where no usable track.
    table : fly-out table with ``tau_min_s(ground_range_m, alt_m)``, ``flyout_speed_m_s(...)``,
        ``max_ground_range_m``, ``ceiling_m``.  kin : interceptor kinematics (h_min_m, h_max_m, t_max_s).

    Altitudes are geodetic heights, used as heights above the fly-out table's sphere.

    With a :class:`~bmdsim.core.flyout.FlyoutTable` a compiled scan per threat evaluates a sample's
    fly-out time only where a decision needs it (and skips samples that bounds derived from the
    table rule out); other table objects go through the array version. Both give the same results
    (floating-point values to rounding).
    """
    if not _is_plain_table(table):  # any other object with the documented lookups: the array version
        return _engage_site_numpy(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin,
                                  kill_assessment_s, max_shots, sphere_radius_m)
    t = np.ascontiguousarray(t_s, dtype=float)
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
    """Array version of :func:`_solve`: launch time tl with tl + tau(site(tl), P) = t, else NaN."""

    def tau_at(tl):
        g = _ground_range(_rotz(site, OMEGA_EARTH_RAD_PER_S * tl), p, radius)
        return table.tau_min_s(g, h), g

    tl = tc.copy()
    done = np.zeros(tc.shape, dtype=bool)
    out_tau = np.full(tc.shape, np.nan)
    out_tl = np.full(tc.shape, np.nan)
    out_g = np.full(tc.shape, np.nan)
    alive = np.ones(tc.shape, dtype=bool)
    for _ in range(10):
        tau, _ = tau_at(tl)
        alive &= np.isfinite(tau)
        tl_new = np.where(alive, tc - tau, tl)
        settled = alive & ~done & (np.abs(tl_new - tl) < 1e-3)
        if settled.any():
            tau2, g2 = tau_at(tl_new)
            good = settled & np.isfinite(tau2) & (np.abs(tl_new + tau2 - tc) < 1e-2)
            out_tau[good], out_tl[good], out_g[good] = (tc - tl_new)[good], tl_new[good], g2[good]
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
            tau, _ = tau_at(tk)
            ok = rest & (best < 0) & np.isfinite(tau) & (tk + tau <= tc) & (step > 0)
            best[ok] = k
        lo = a + best * step
        hi = np.minimum(lo + step, tc)
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            tau, _ = tau_at(mid)
            ok = np.isfinite(tau) & (mid + tau <= tc)
            lo = np.where(ok, mid, lo)
            hi = np.where(ok, hi, mid)
        tau, g = tau_at(lo)
        good = rest & (best >= 0) & np.isfinite(tau)
        out_tau[good], out_tl[good], out_g[good] = (tc - lo)[good], lo[good], g[good]
    return out_tau, out_tl, out_g


def _engage_site_numpy(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin, kill_assessment_s,
                       max_shots=4, sphere_radius_m=None):
    """:func:`engage_site` on whole (n, k) arrays with the table's own lookups (any table object)."""
    radius = R_MEAN_M if sphere_radius_m is None else sphere_radius_m  # the fly-out tables' sphere
    n, k = t_s.shape
    site = np.asarray(site_ecef, dtype=float)
    valid = np.isfinite(t_s)
    tt = np.where(valid, t_s, 0.0)
    # coarse filter: anything farther than the envelope plus the site's drift is unreachable
    reach_m = table.max_ground_range_m + SITE_SPEED_MAX_M_S * kin.t_max_s + 50e3
    g0 = _ground_range(_rotz(site, OMEGA_EARTH_RAD_PER_S * tt), r_eci, radius)
    cand = valid & (g0 <= reach_m) & (alt_m <= table.ceiling_m + 1.0)
    ii, jj = np.nonzero(cand)
    tau = np.full((n, k), np.nan)
    tl = np.full((n, k), np.nan)
    gr = np.full((n, k), np.nan)
    if ii.size:
        p = r_eci[ii, jj]
        tc = tt[ii, jj]
        h = alt_m[ii, jj]
        tau_c, tl_c, g = _solve_launch_numpy(tc, p, h, site, table, radius)
        tau[ii, jj] = tau_c
        tl[ii, jj] = tl_c
        gr[ii, jj] = g
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
        return _intercept_details(idx, tt, r_eci, v_eci, alt_m, tau[rows, j], tl[rows, j], gr[rows, j], site,
                                  table)

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
def _tau_lookup(g, h, top, gi, lo, hi, tlow, thigh, n_a, t_max):
    """FlyoutTable.tau_min_s for one point (NaN off the table or beyond t_max)."""
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
    th = _branch(thigh, i0, n_a, wg, h / h_top)
    if tl != tl:
        tau = th
    elif th != th:
        tau = tl
    else:
        tau = min(tl, th)
    if not (tau <= t_max):
        return np.nan
    return tau


@njit(cache=True, error_model="numpy", inline="always")
def _tau_from(tl, p0, p1, p2, pn, h, s0, s1, s2, omega, radius, top, gi, lo, hi, tlow, thigh, n_a, t_max_tab):
    """(tau_min, ground range) of point P from the site's inertial position at launch time tl."""
    ang = omega * tl
    c = math.cos(ang)
    s = math.sin(ang)
    sx = c * s0 - s * s1
    sy = s * s0 + c * s1
    sn = math.sqrt(sx * sx + sy * sy + s2 * s2)
    cc = (sx * p0 + sy * p1 + s2 * p2) / (sn * pn)
    if cc < -1.0:
        cc = -1.0
    elif cc > 1.0:
        cc = 1.0
    g = radius * math.acos(cc)
    return _tau_lookup(g, h, top, gi, lo, hi, tlow, thigh, n_a, t_max_tab), g


_SOLVE_NODES = 16  # launch-time scan when the fixed point fails


@njit(cache=True, error_model="numpy")
def _solve(tj, p0, p1, p2, h, s0, s1, s2, omega, radius, top, gi, lo, hi, tlow, thigh, n_a, t_max_tab):
    """(tau, launch time, ground range) of a candidate point, or NaNs if no launch reaches it.

    Solves tl + tau(site(tl), P) = tj for the launch time tl in [tj - t_max, tj]: the site turns with
    the Earth, so the fly-out time depends on when the interceptor leaves. tl + tau rises with tl
    (the site moves far slower than an interceptor), so a root is unique on each reachable stretch.
    First a fixed-point iteration from tl = tj; if a lookup fails or it does not settle, a scan of
    the interval keeps the latest node from which the point is reached in time, then bisection.
    """
    pn = math.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
    tl = tj
    for _ in range(10):
        tau, g = _tau_from(tl, p0, p1, p2, pn, h, s0, s1, s2, omega, radius, top, gi, lo, hi, tlow, thigh, n_a,
                           t_max_tab)
        if tau != tau:
            break
        tl_new = tj - tau
        if abs(tl_new - tl) < 1e-3:
            tau2, g2 = _tau_from(tl_new, p0, p1, p2, pn, h, s0, s1, s2, omega, radius, top, gi, lo, hi, tlow,
                                 thigh, n_a, t_max_tab)
            if tau2 == tau2 and abs(tl_new + tau2 - tj) < 1e-2:
                return tj - tl_new, tl_new, g2  # fly-out = time from launch to intercept
            break
        tl = tl_new
    # scan: f(tl) = tl + tau(tl) - tj; feasible launches have finite f <= 0
    a = tj - t_max_tab
    if a < 0.0:
        a = 0.0
    step = (tj - a) / _SOLVE_NODES
    if step <= 0.0:
        return np.nan, np.nan, np.nan
    best = -1
    for k in range(_SOLVE_NODES, -1, -1):  # latest node first
        tk = a + k * step
        tau, g = _tau_from(tk, p0, p1, p2, pn, h, s0, s1, s2, omega, radius, top, gi, lo, hi, tlow, thigh, n_a,
                           t_max_tab)
        if tau == tau and tk + tau <= tj:
            best = k
            break
    if best < 0:
        return np.nan, np.nan, np.nan
    lo_t = a + best * step
    hi_t = min(lo_t + step, tj)
    for _ in range(30):
        mid = 0.5 * (lo_t + hi_t)
        tau, g = _tau_from(mid, p0, p1, p2, pn, h, s0, s1, s2, omega, radius, top, gi, lo, hi, tlow, thigh, n_a,
                           t_max_tab)
        if tau == tau and mid + tau <= tj:
            lo_t = mid
        else:
            hi_t = mid
        if hi_t - lo_t < 1e-3:
            break
    tau, g = _tau_from(lo_t, p0, p1, p2, pn, h, s0, s1, s2, omega, radius, top, gi, lo, hi, tlow, thigh, n_a,
                       t_max_tab)
    if tau != tau:
        return np.nan, np.nan, np.nan
    return tj - lo_t, lo_t, g  # >= tau_min by < 1 ms: the interceptor arrives exactly at tj


_FIRST, _LAST, _SHOTS, _IN_BAND, _OUT_OF_BAND, _DONE = range(6)
_N_ALT_BINS = 2048
_N_BINS_2D = (256, 256)  # range x altitude bins of the 2-D lower bound


@njit(cache=True, error_model="numpy")
def _table_bounds(gi, lo, hi, levels, tlow, thigh, n_a, t_max_tab, dh, nb, g_max, tau_lb, dg2, dh2, lb2):
    """Per altitude bin b ([b dh, (b + 1) dh]): the largest ground range g_max[b] at which a lookup
    can give a time <= t_max_tab, and a lower bound tau_lb[b] on any time a lookup gives there.

    lb2[gb, hb] is a lower bound on the time of any lookup with g in range bin gb (width dg2) and h
    in altitude bin hb (width dh2).

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
                    a0 = levels[j] * hi[i]
                    a1 = levels[j] * hi[i + 1]
                    b0 = levels[j + 1] * hi[i]
                    b1 = levels[j + 1] * hi[i + 1]
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


@njit(cache=True)
def _window_min(lb2, w):
    """Least value over range bins gb - w .. gb + w, per altitude bin."""
    nbg, nbh = lb2.shape
    out = np.empty_like(lb2)
    for u in range(nbg):
        a = max(u - w, 0)
        b = min(u + w, nbg - 1)
        for v in range(nbh):
            m = np.inf
            for x in range(a, b + 1):
                if lb2[x, v] < m:
                    m = lb2[x, v]
            out[u, v] = m
    return out


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
        _table_bounds(_nodes(table.range_top_m, n_g), np.ascontiguousarray(table.low_alt_m, dtype=float),
                      np.ascontiguousarray(table.top_alt_m, dtype=float), _nodes(1.0, n_a, both_ends=True),
                      np.ascontiguousarray(table.tau_low_s, dtype=float).reshape(-1),
                      np.ascontiguousarray(table.tau_high_s, dtype=float).reshape(-1), n_a,
                      float(table.kin.t_max_s), dh, nb, g_max, tau_lb, dg2, dh2, lb2)
        per[key] = (g_max, tau_lb, dh, lb2, dg2, dh2)
    return per[key]


def _bounds(table, radius, reach_m, h_top, drift_m):
    """Per table (cached): ``(cos_min, tau_lb, dh, lb2, dg2, dh2)``.

    Per altitude bin of width dh: cos_min, the least cosine of the angle between the site (at the
    sample time) and a point some launch time can reach (capped by reach_m, the coarse test), and
    tau_lb, a lower bound on any fly-out time there. lb2 (range bins dg2 x altitude bins dh2): a
    lower bound on the fly-out time of a point whose ground range from the site at the sample time
    is in the range bin (the launch-time iterations move the site by at most drift_m).
    """
    key = (float(radius), float(reach_m), float(h_top), float(drift_m))
    per = _BOUNDS.setdefault(table, {})
    if key not in per:
        g_max, tau_lb, dh, lb2, dg2, dh2 = table_bounds(table, h_top)
        lb2 = _window_min(lb2, int(math.ceil(drift_m / dg2)) + 1) - 1e-6  # - 1 us for rounding
        g = np.minimum(g_max + drift_m + 1.0, reach_m)  # the site moves by <= drift_m; + 1 m for rounding
        with np.errstate(invalid="ignore"):
            cos_min = np.where(g >= 0.0, np.cos(np.minimum(g / radius, math.pi)) - 1e-9, 2.0)
        cos_min[g / radius >= math.pi] = -2.0
        per[key] = (cos_min, tau_lb - 1e-6, dh, lb2, dg2 / radius, dh2)  # range bins as angles
    return per[key]


@njit(cache=True, error_model="numpy", nogil=True)
def _engage_kernel(t_s, r_eci, alt, r_ecef, site, s_hat, cos_min, tau_lb, dh, lb2, da2, dh2, ceil1, center, cos_rad,
                   a_max, tle, omega, radius, h_min, h_max, t_max, top, gi, lo, hi, tlow, thigh, n_a, t_max_tab, ka,
                   max_shots, has, first, last, shots, reason, at_tau, at_tl, at_g, stop_at_first):
    """The per-threat scan (see :func:`_engage_site_fast`). With ``stop_at_first`` it returns as soon as
    one threat has a feasible sample (only ``has`` and ``first`` of that threat are set, and reasons
    of the threats scanned before it): the "does this site engage anything?" question."""
    n, k = t_s.shape
    nb = cos_min.shape[0]
    nbg, nbh = lb2.shape
    m_tau = np.empty(k)
    m_tl = np.empty(k)
    m_g = np.empty(k)
    stamp = np.full(k, -1, dtype=np.int64)
    s0, s1, s2 = site[0], site[1], site[2]
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
        thr = th
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
                if timed and not (tj - tau_lb[b] >= thr):
                    continue
                if stamp[j] != i:  # evaluate the point once per row
                    q0 = r_ecef[i, j, 0]
                    q1 = r_ecef[i, j, 1]
                    q2 = r_ecef[i, j, 2]
                    cq = (sh0 * q0 + sh1 * q1 + sh2 * q2) / math.sqrt(q0 * q0 + q1 * q1 + q2 * q2)
                    if timed and h <= ceil1 and cq >= cos_min[b]:
                        # the same with the ground range at the sample time (as an angle) too
                        x = math.acos(min(max(cq, -1.0), 1.0)) / da2
                        u = nbg - 1 if x >= nbg - 1 else (int(x) if x > 0.0 else 0)
                        x = h / dh2
                        v = nbh - 1 if x >= nbh - 1 else (int(x) if x > 0.0 else 0)
                        if not (tj - lb2[u, v] >= thr):
                            continue
                    stamp[j] = i
                    tau = np.nan
                    tl = np.nan
                    g = np.nan
                    # candidates: not above the ceiling, within reach of the site at some launch time
                    if h <= ceil1 and cq >= cos_min[b]:
                        tau, tl, g = _solve(tj, r_eci[i, j, 0], r_eci[i, j, 1], r_eci[i, j, 2], h, s0, s1, s2, omega,
                                            radius, top, gi, lo, hi, tlow, thigh, n_a, t_max_tab)
                    m_tau[j] = tau
                    m_tl[j] = tl
                    m_g[j] = g
                if not (m_tau[j] <= t_max):
                    continue
                if timed and not (m_tl[j] >= thr):
                    continue
                found = j
                break
            if phase == _FIRST:
                if found >= 0 and stop_at_first:
                    has[i] = True
                    first[i] = found
                    return
                if found >= 0:
                    f = found
                    phase = _LAST
                    j0, j1, dj = k - 1, f, -1
                elif no_track or stop_at_first:
                    phase = _DONE
                else:
                    phase = _IN_BAND
                    j0, j1, dj = 0, k, 1
            elif phase == _LAST:
                lj = found if found >= 0 else f
                nshot = 1 if max_shots >= 1 else 0
                phase = _SHOTS if nshot < max_shots else _DONE
                thr = t_s[i, f] + ka
                j0, j1, dj = f + 1, lj + 1, 1
            elif phase == _SHOTS:
                if found < 0:
                    phase = _DONE
                else:
                    nshot += 1
                    thr = t_s[i, found] + ka
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
            at_tau[i, 0] = m_tau[f]
            at_tl[i, 0] = m_tl[f]
            at_g[i, 0] = m_g[f]
            at_tau[i, 1] = m_tau[lj]
            at_tl[i, 1] = m_tl[lj]
            at_g[i, 1] = m_g[lj]


def _kernel_inputs(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin, sphere_radius_m, caps):
    """The arguments of :func:`_engage_kernel` up to ``ka`` (threats, site, bounds, table arrays)."""
    radius = R_MEAN_M if sphere_radius_m is None else float(sphere_radius_m)
    t = np.ascontiguousarray(t_s, dtype=float)
    n, k = t.shape
    site = np.ascontiguousarray(site_ecef, dtype=float)
    tle = np.ascontiguousarray(np.broadcast_to(np.asarray(t_launch_earliest_s, dtype=float), (n,)))
    reach_m = table.max_ground_range_m + SITE_SPEED_MAX_M_S * kin.t_max_s + 50e3
    ceil1 = float(table.ceiling_m + 1.0)
    norm = np.linalg.norm(site)
    # while the launch time is iterated the site turns by at most omega (t_max) about the z axis; the
    # bound is rounded up to whole 50 km so that sites at nearby latitudes share the cached bounds
    drift_m = radius * OMEGA_EARTH_RAD_PER_S * max(table.kin.t_max_s, 0.0) * (
        math.hypot(site[0], site[1]) / norm if norm > 0.0 else 1.0) + 1e3
    drift_m = _DRIFT_QUANTUM_M * math.ceil(drift_m / _DRIFT_QUANTUM_M)
    cos_min, tau_lb, dh, lb2, da2, dh2 = _bounds(table, radius, reach_m, ceil1, drift_m)
    s_hat = site / norm if norm > 0.0 else np.zeros(3)
    if not norm > 0.0:
        cos_min = np.full_like(cos_min, -2.0)
    # farthest angle from the site at which any first lookup can succeed
    a_max = math.acos(min(max(float(cos_min.min()), -1.0), 1.0)) if norm > 0.0 else math.inf
    if caps is None:
        caps = _row_caps(t, r_ecef)
    return (t, np.asarray(r_eci, dtype=float), np.asarray(alt_m, dtype=float), r_ecef, site, s_hat, cos_min, tau_lb,
            float(dh), lb2, float(da2), float(dh2), ceil1, caps[0], caps[1], a_max, tle, OMEGA_EARTH_RAD_PER_S,
            radius, float(kin.h_min_m), float(kin.h_max_m), float(kin.t_max_s), *_table_arrays(table))


_TABLE_ARRAYS = weakref.WeakKeyDictionary()


def _table_arrays(table) -> tuple:
    """The kernel's view of a table (cached per table): range top, range nodes, the low branch's and
    the top's altitudes, the two time grids flattened, levels per branch, the table's t_max."""
    if table not in _TABLE_ARRAYS:
        n_g, n_a = table.tau_low_s.shape
        _TABLE_ARRAYS[table] = (
            float(table.range_top_m), _nodes(table.range_top_m, n_g),
            np.ascontiguousarray(table.low_alt_m, dtype=float), np.ascontiguousarray(table.top_alt_m, dtype=float),
            np.ascontiguousarray(table.tau_low_s, dtype=float).reshape(-1),
            np.ascontiguousarray(table.tau_high_s, dtype=float).reshape(-1), n_a, float(table.kin.t_max_s))
    return _TABLE_ARRAYS[table]


def engages_any(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin, caps=None,
                sphere_radius_m=None) -> bool:
    """Whether one site (FlyoutTable ``table``) can engage at least one of n threats.

    The same feasibility test as :func:`engage_site` (a sample in the altitude band, reachable, launched
    no earlier than ``t_launch_earliest_s``), stopping at the first feasible sample of any threat;
    ``r_ecef`` (n, k, 3) and ``caps`` are the threats' ECEF samples and row cones
    (:func:`bmdsim.core.visibility._threat_frames`), computed once by the caller for many sites.
    """
    args = _kernel_inputs(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin, sphere_radius_m,
                          caps)
    n, k = args[0].shape
    if not (n and k):
        return False
    has = np.zeros(n, dtype=bool)
    first = np.full(n, -1, dtype=np.int64)
    scratch_i = np.zeros(n, dtype=np.int64)
    scratch_f = np.empty((n, 2))
    _engage_kernel(*args, 0.0, 1, has, first, scratch_i.copy(), scratch_i.copy(), scratch_i, scratch_f,
                   scratch_f.copy(), scratch_f.copy(), True)
    return bool(has.any())


def _engage_site_fast(t_s, r_eci, v_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                      kill_assessment_s, max_shots=4, sphere_radius_m=None, caps=None):
    """:func:`engage_site` for a :class:`FlyoutTable`, given the threats' ECEF positions too (the
    range tests use them; the engagement table computes them once for all sites) and optionally
    their rows' cones (:func:`bmdsim.core.visibility._row_caps`)."""
    args = _kernel_inputs(t_s, r_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin, sphere_radius_m,
                          caps)
    t, r, alt, site = args[0], args[1], args[2], args[4]
    tle = args[16]
    n, k = t.shape
    has = np.zeros(n, dtype=bool)
    first = np.full(n, -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    shots = np.zeros(n, dtype=np.int64)
    reason = np.zeros(n, dtype=np.int64)
    at_tau, at_tl, at_g = (np.full((n, 2), np.nan) for _ in range(3))
    if n and k:
        _engage_kernel(*args, float(kill_assessment_s), int(max_shots), has, first, last, shots, reason, at_tau, at_tl,
                       at_g, False)
    else:
        reason[~np.isfinite(tle)] = R_NO_FC_TRACK
        reason[np.isfinite(tle)] = R_OUT_OF_REACH

    def details(idx, col):
        return _intercept_details(idx, t, r, np.asarray(v_eci, dtype=float), alt, at_tau[:, col], at_tl[:, col],
                                  at_g[:, col], site, table)

    f = details(first, 0)
    la = details(last, 1)
    return SiteEngagement(
        engageable=has, reason=reason, shots=shots, first_idx=first, last_idx=last,
        first_t_s=f[0], last_t_s=la[0], first_flyout_s=f[1], last_flyout_s=la[1], first_launch_s=f[2],
        last_launch_s=la[2], first_closing_m_s=f[3], last_closing_m_s=la[3], first_crossing_rad=f[4],
        last_crossing_rad=la[4],
    )


def engage_site_like_now(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin, kill_assessment_s,
                         max_shots=4, sphere_radius_m=None, r_ecef=None, caps=None):
    """The previous engagement with the current :func:`bmdsim.core.engagement.engage_site` signature; ``table``
    is ignored for the previous model's own (built from ``kin``, cached)."""
    t = np.ascontiguousarray(t_s, dtype=float)
    if r_ecef is None:
        r_ecef, _, caps = _threat_frames(t, r_eci)
    return _engage_site_fast(t, r_eci, v_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, previous_table(kin), kin,
                             kill_assessment_s, max_shots, sphere_radius_m, caps)
