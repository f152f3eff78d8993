"""Engagement feasibility of one interceptor site against n sampled threat trajectories.

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
from dataclasses import dataclass

import numpy as np
from numba import njit

from bmdsim.core.earth import OMEGA_EARTH_RAD_PER_S, R_MEAN_M
from bmdsim.core.flyout import FlyoutTable, _nodes
from bmdsim.core.visibility import _ecef_and_height

REASONS = ("", "not_detected", "no_fire_control_track", "too_late", "outside_altitude_band", "out_of_reach")
R_OK, R_NOT_DETECTED, R_NO_FC_TRACK, R_TOO_LATE, R_OUTSIDE_BAND, R_OUT_OF_REACH = range(6)
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
    """
    if not isinstance(table, FlyoutTable):  # any object with the documented lookups: the array version
        return _engage_site_numpy(t_s, r_eci, v_eci, alt_m, site_ecef, t_launch_earliest_s, table, kin,
                                  kill_assessment_s, max_shots, sphere_radius_m)
    t = np.ascontiguousarray(t_s, dtype=float)
    r_ecef, _ = _ecef_and_height(t, r_eci)
    return _engage_site_fast(t, r_eci, v_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                             kill_assessment_s, max_shots, sphere_radius_m)


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
        tl_c = tc.copy()
        for _ in range(3):
            g = _ground_range(_rotz(site, OMEGA_EARTH_RAD_PER_S * tl_c), p, radius)
            tau_c = table.tau_min_s(g, h)
            tl_c = np.where(np.isfinite(tau_c), tc - tau_c, tc)
        tau[ii, jj] = tau_c
        tl[ii, jj] = np.where(np.isfinite(tau_c), tl_c, np.nan)
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
        rows = np.nonzero(idx >= 0)[0]
        out_t = np.full(n, np.nan)
        out_tau = np.full(n, np.nan)
        out_tl = np.full(n, np.nan)
        out_close = np.full(n, np.nan)
        out_cross = np.full(n, np.nan)
        if rows.size:
            j = idx[rows]
            p, vt = r_eci[rows, j], v_eci[rows, j]
            launch = tl[rows, j]
            s_eci = _rotz(site, OMEGA_EARTH_RAD_PER_S * launch)
            chord = p - s_eci
            chord /= np.linalg.norm(chord, axis=-1, keepdims=True)
            vi = table.flyout_speed_m_s(gr[rows, j], alt_m[rows, j])[:, None] * chord
            rel = vt - vi
            out_t[rows] = tt[rows, j]
            out_tau[rows] = tau[rows, j]
            out_tl[rows] = launch
            out_close[rows] = np.linalg.norm(rel, axis=-1)
            cosx = (vt * vi).sum(-1) / (np.linalg.norm(vt, axis=-1) * np.linalg.norm(vi, axis=-1))
            out_cross[rows] = np.arccos(np.clip(cosx, -1.0, 1.0))
        return out_t, out_tau, out_tl, out_close, out_cross

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
def _point(i, j, t_s, r_eci, alt, r_ecef, site, s_hat, cos_thr, ceil1, omega, radius, top, gi, lo, hi, tlow, thigh,
           n_a, t_max_tab, m_tau, m_tl, m_g, stamp):
    """Fly-out time, launch time and ground range of sample (i, j) into m_* [j] (once per row i):
    the array version's candidate test and its three fixed-point iterations on the launch time."""
    if stamp[j] == i:
        return
    stamp[j] = i
    tau = np.nan
    tl = np.nan
    g = np.nan
    tj = t_s[i, j]
    h = alt[i, j]
    if tj == tj and h <= ceil1:
        q0 = r_ecef[i, j, 0]
        q1 = r_ecef[i, j, 1]
        q2 = r_ecef[i, j, 2]
        qn = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2)
        # coarse: farther than the envelope plus the site's drift (as a cosine, with a margin)
        if s_hat[0] * q0 + s_hat[1] * q1 + s_hat[2] * q2 >= cos_thr * qn:
            p0 = r_eci[i, j, 0]
            p1 = r_eci[i, j, 1]
            p2 = r_eci[i, j, 2]
            pn = math.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
            s0, s1, s2 = site[0], site[1], site[2]
            tlc = tj
            for it in range(3):
                ang = omega * tlc
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
                tau = _tau_lookup(g, h, top, gi, lo, hi, tlow, thigh, n_a, t_max_tab)
                if tau != tau:
                    tlc = tj
                    if it == 0:
                        break  # the next iterations would repeat this one
                else:
                    tlc = tj - tau
            if tau == tau:
                tl = tlc
    m_tau[j] = tau
    m_tl[j] = tl
    m_g[j] = g


@njit(cache=True, error_model="numpy")
def _engage_kernel(t_s, r_eci, alt, r_ecef, site, s_hat, cos_thr, ceil1, tle, omega, radius, h_min, h_max, t_max,
                   top, gi, lo, hi, tlow, thigh, n_a, t_max_tab, ka, max_shots,
                   has, first, last, shots, reason, at_tau, at_tl, at_g):
    n, k = t_s.shape
    m_tau = np.empty(k)
    m_tl = np.empty(k)
    m_g = np.empty(k)
    stamp = np.full(k, -1, dtype=np.int64)
    for i in range(n):
        th = tle[i]
        no_track = not (th > -np.inf and th < np.inf)
        reason[i] = R_NO_FC_TRACK if no_track else R_OK
        if th != th or th == np.inf:  # NaN or +inf: no launch is timely
            continue
        # feasible sample: in the band, reachable, launch time >= th (so sample time >= th too)
        f = -1
        for j in range(k):
            tj = t_s[i, j]
            h = alt[i, j]
            if not (tj >= th and h >= h_min and h <= h_max):
                continue
            _point(i, j, t_s, r_eci, alt, r_ecef, site, s_hat, cos_thr, ceil1, omega, radius, top, gi, lo, hi,
                   tlow, thigh, n_a, t_max_tab, m_tau, m_tl, m_g, stamp)
            if m_tau[j] <= t_max and m_tl[j] >= th:
                f = j
                break
        if f >= 0:
            lj = f
            for j in range(k - 1, f, -1):
                tj = t_s[i, j]
                h = alt[i, j]
                if not (tj >= th and h >= h_min and h <= h_max):
                    continue
                _point(i, j, t_s, r_eci, alt, r_ecef, site, s_hat, cos_thr, ceil1, omega, radius, top, gi, lo, hi,
                       tlow, thigh, n_a, t_max_tab, m_tau, m_tl, m_g, stamp)
                if m_tau[j] <= t_max and m_tl[j] >= th:
                    lj = j
                    break
            has[i] = True
            first[i] = f
            last[i] = lj
            at_tau[i, 0] = m_tau[f]
            at_tl[i, 0] = m_tl[f]
            at_g[i, 0] = m_g[f]
            at_tau[i, 1] = m_tau[lj]
            at_tl[i, 1] = m_tl[lj]
            at_g[i, 1] = m_g[lj]
            # shoot-look-shoot: shot s + 1 is the first feasible sample whose launch time is at least
            # shot s's sample time + kill assessment; every shot is a feasible sample, so <= last
            nshot = 1 if max_shots >= 1 else 0
            prev = f
            while nshot < max_shots:
                thr = t_s[i, prev] + ka
                nxt = -1
                for j in range(prev + 1, lj + 1):
                    tj = t_s[i, j]
                    h = alt[i, j]
                    if not (tj >= thr and h >= h_min and h <= h_max):
                        continue
                    _point(i, j, t_s, r_eci, alt, r_ecef, site, s_hat, cos_thr, ceil1, omega, radius, top, gi, lo,
                           hi, tlow, thigh, n_a, t_max_tab, m_tau, m_tl, m_g, stamp)
                    if m_tau[j] <= t_max and m_tl[j] >= thr:
                        nxt = j
                        break
                if nxt < 0:
                    break
                nshot += 1
                prev = nxt
            shots[i] = nshot
            continue
        if no_track:
            continue
        # why not: reachable in the band but too late, reachable only outside the band, or never
        rb = False
        for j in range(k):
            h = alt[i, j]
            if not (h >= h_min and h <= h_max):
                continue
            _point(i, j, t_s, r_eci, alt, r_ecef, site, s_hat, cos_thr, ceil1, omega, radius, top, gi, lo, hi,
                   tlow, thigh, n_a, t_max_tab, m_tau, m_tl, m_g, stamp)
            if m_tau[j] <= t_max:
                rb = True
                break
        if rb:
            reason[i] = R_TOO_LATE
            continue
        reason[i] = R_OUT_OF_REACH
        for j in range(k):
            h = alt[i, j]
            if h >= h_min and h <= h_max:
                continue  # seen above
            _point(i, j, t_s, r_eci, alt, r_ecef, site, s_hat, cos_thr, ceil1, omega, radius, top, gi, lo, hi,
                   tlow, thigh, n_a, t_max_tab, m_tau, m_tl, m_g, stamp)
            if m_tau[j] <= t_max:
                reason[i] = R_OUTSIDE_BAND
                break


def _engage_site_fast(t_s, r_eci, v_eci, alt_m, r_ecef, site_ecef, t_launch_earliest_s, table, kin,
                      kill_assessment_s, max_shots=4, sphere_radius_m=None):
    """:func:`engage_site` for a :class:`FlyoutTable`, given the threats' ECEF positions too (the
    coarse range test uses them; the engagement table computes them once for all sites)."""
    radius = R_MEAN_M if sphere_radius_m is None else float(sphere_radius_m)
    t = np.ascontiguousarray(t_s, dtype=float)
    n, k = t.shape
    r = np.asarray(r_eci, dtype=float)
    alt = np.asarray(alt_m, dtype=float)
    site = np.ascontiguousarray(site_ecef, dtype=float)
    tle = np.ascontiguousarray(np.broadcast_to(np.asarray(t_launch_earliest_s, dtype=float), (n,)))
    reach_m = table.max_ground_range_m + SITE_SPEED_MAX_M_S * kin.t_max_s + 50e3
    ang = reach_m / radius
    # the array version's ground-range test, as a cosine with a margin (a few cm): a superset of its
    # candidates; the extra points are far beyond the envelope, where the lookup gives NaN anyway
    cos_thr = math.cos(ang) - 1e-9 if ang < math.pi else -2.0
    s_hat = site / np.linalg.norm(site) if np.any(site) else np.zeros(3)
    if not np.any(site):
        cos_thr = -2.0
    n_g, n_a = table.tau_low_s.shape
    gi = _nodes(table.range_top_m, n_g)
    has = np.zeros(n, dtype=bool)
    first = np.full(n, -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    shots = np.zeros(n, dtype=np.int64)
    reason = np.zeros(n, dtype=np.int64)
    at_tau, at_tl, at_g = (np.full((n, 2), np.nan) for _ in range(3))
    if n and k:
        _engage_kernel(t, r, alt, r_ecef, site, s_hat, float(cos_thr), float(table.ceiling_m + 1.0), tle,
                       OMEGA_EARTH_RAD_PER_S, radius, float(kin.h_min_m), float(kin.h_max_m), float(kin.t_max_s),
                       float(table.range_top_m), gi, np.ascontiguousarray(table.low_alt_m, dtype=float),
                       np.ascontiguousarray(table.top_alt_m, dtype=float),
                       np.ascontiguousarray(table.tau_low_s, dtype=float).reshape(-1),
                       np.ascontiguousarray(table.tau_high_s, dtype=float).reshape(-1), n_a,
                       float(table.kin.t_max_s), float(kill_assessment_s), int(max_shots),
                       has, first, last, shots, reason, at_tau, at_tl, at_g)
    else:
        reason[~np.isfinite(tle)] = R_NO_FC_TRACK
        reason[np.isfinite(tle)] = R_OUT_OF_REACH

    def details(idx, col):
        rows = np.nonzero(idx >= 0)[0]
        out_t = np.full(n, np.nan)
        out_tau = np.full(n, np.nan)
        out_tl = np.full(n, np.nan)
        out_close = np.full(n, np.nan)
        out_cross = np.full(n, np.nan)
        if rows.size:
            j = idx[rows]
            p, vt = r[rows, j], np.asarray(v_eci, dtype=float)[rows, j]
            launch = at_tl[rows, col]
            s_eci = _rotz(site, OMEGA_EARTH_RAD_PER_S * launch)
            chord = p - s_eci
            chord /= np.linalg.norm(chord, axis=-1, keepdims=True)
            vi = table.flyout_speed_m_s(at_g[rows, col], alt[rows, j])[:, None] * chord
            rel = vt - vi
            out_t[rows] = t[rows, j]
            out_tau[rows] = at_tau[rows, col]
            out_tl[rows] = launch
            out_close[rows] = np.linalg.norm(rel, axis=-1)
            cosx = (vt * vi).sum(-1) / (np.linalg.norm(vt, axis=-1) * np.linalg.norm(vi, axis=-1))
            out_cross[rows] = np.arccos(np.clip(cosx, -1.0, 1.0))
        return out_t, out_tau, out_tl, out_close, out_cross

    f = details(first, 0)
    la = details(last, 1)
    return SiteEngagement(
        engageable=has, reason=reason, shots=shots, first_idx=first, last_idx=last,
        first_t_s=f[0], last_t_s=la[0], first_flyout_s=f[1], last_flyout_s=la[1], first_launch_s=f[2],
        last_launch_s=la[2], first_closing_m_s=f[3], last_closing_m_s=la[3], first_crossing_rad=f[4],
        last_crossing_rad=la[4],
    )
