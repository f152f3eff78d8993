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

from dataclasses import dataclass

import numpy as np

from bmdsim.core.earth import OMEGA_EARTH_RAD_PER_S, R_MEAN_M

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
