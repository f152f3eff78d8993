"""Compiled batch integrator for powered flight, free flight and re-entry, in ECI.

One call integrates n trajectories (batch axis first). Equations of motion, in the ECI frame
whose axes coincide with ECEF at t = 0:

* gravity: point mass + J2 (:func:`bmdsim.core.earth.gravity_j2`);
* air co-rotates with the Earth; air-relative velocity ``v_rel = v - omega x r``;
* drag: ``-0.5 rho |v_rel| v_rel Cd A / m`` in boost, ``-rho |v_rel| v_rel / (2 beta)`` after it;
* density: USSA-1976 table (:mod:`bmdsim.core.atmosphere`);
* thrust: constant per stage, mass falling linearly; guidance as in :mod:`bmdsim.core.boost`.

Integration is classical RK4 with steps chosen per row: 2 s in the first stage and 4 s in upper
stages (segments end exactly at staging, pitch-over and thrust-cut times), up to 40 s above 150 km,
and in the atmosphere a step that loses at most 6 % of the air speed to drag (0.05 to 2 s).
Events (apogee, re-entry at 100 km, impact at height 0 on the ellipsoid) are refined by
cubic Hermite interpolation between steps. The error budget is checked against scipy DOP853
(rtol 1e-10) in ``tests/test_flight.py``: impact points agree to tens of metres.

Heights inside the loop are measured along the geocentric radial to the ellipsoid (exact at
height 0, within 5 m of the geodetic height below 1000 km).

Status codes per row: 0 ok, 1 hit the ground during boost, 2 no impact within the time limit
(orbital or escaping), 3 exceeded the step budget.

The planet is passed as ``planet = [mu, j2, a, e2, omega]`` so that tests can switch to a
spherical (e2 = 0), J2-free, non-rotating Earth for closed-form checks.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from bmdsim.core import atmosphere
from bmdsim.core.earth import A_WGS84_M, E2_WGS84, J2_EARTH, MU_EARTH_M3_PER_S2, OMEGA_EARTH_RAD_PER_S

PLANET_WGS84 = np.array([MU_EARTH_M3_PER_S2, J2_EARTH, A_WGS84_M, E2_WGS84, OMEGA_EARTH_RAD_PER_S])
# density table owned here so that numba's cache (keyed on this file) sees its step
RHO_TABLE_STEP_M = 50.0
LOG_RHO_TABLE = np.log(atmosphere.density_exact_kg_m3(np.arange(0.0, atmosphere.TOP_OF_ATMOSPHERE_M + 1.0,
                                                                   RHO_TABLE_STEP_M)))

REENTRY_ALT_M = 100e3
DT_EXO_S = 40.0
DT_ATM_MIN_S = 0.05
DT_ATM_MAX_S = 2.0
DRAG_STEP_FRACTION = 0.06  # in the atmosphere: at most ~6 % of the speed lost to drag per step
ATM_TOP_M = 150e3
T_LIMIT_S = 20000.0

# columns of the per-row event array returned by fly_batch
EV_BURNOUT_T, EV_APOGEE_T, EV_REENTRY_T, EV_IMPACT_T = 0, 1, 2, 3
N_EV = 4


@njit(cache=True, inline="always")
def _height(x, y, z, a, e2):
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    b2 = a * a * (1.0 - e2)
    rs = 1.0 / math.sqrt((x * x + y * y) / (r2 * a * a) + z * z / (r2 * b2))
    return r - rs


@njit(cache=True, inline="always")
def _density(h, logrho):
    if h <= 0.0:
        return math.exp(logrho[0])
    idx = h / RHO_TABLE_STEP_M
    i = int(idx)
    if i >= logrho.shape[0] - 1:
        return 0.0
    f = idx - i
    return math.exp(logrho[i] + f * (logrho[i + 1] - logrho[i]))


@njit(cache=True)
def _accel(t, s, out, planet, logrho, mode, guid, thrust, m0, mdot, t0, cda, beta):
    """Acceleration into out[3:6] and velocity into out[0:3] for state s = (r, v).

    mode: 0 vertical rise, 1 pitch-over, 2 gravity turn (all thrusting), 3 ballistic.
    guid: (5,) cos(kick), sin(kick) and the pitch-over heading p (ECI unit vector, fixed at launch).
    In pitch-over the thrust is cos(kick) up + sin(kick) h, h = p made horizontal at the current
    position (h = p at launch): no local east/north is formed, so nothing is singular at the poles.
    """
    mu, j2, a, e2, om = planet[0], planet[1], planet[2], planet[3], planet[4]
    x, y, z = s[0], s[1], s[2]
    vx, vy, vz = s[3], s[4], s[5]
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    k = -mu / (r2 * rn)
    q = 1.5 * j2 * a * a / r2
    zz = 5.0 * z * z / r2
    ax = k * x * (1.0 + q * (1.0 - zz))
    ay = k * y * (1.0 + q * (1.0 - zz))
    az = k * z * (1.0 + q * (3.0 - zz))
    # air-relative velocity and drag
    wx = vx + om * y
    wy = vy - om * x
    wz = vz
    w = math.sqrt(wx * wx + wy * wy + wz * wz)
    h = _height(x, y, z, a, e2)
    rho = _density(h, logrho)
    if mode == 3:
        dk = -0.5 * rho * w / beta
    else:
        m = m0 - mdot * (t - t0)
        dk = -0.5 * rho * w * cda / m
        f = thrust / m
        if mode == 0 or (mode == 2 and w < 1e-9):
            dx, dy, dz = x / rn, y / rn, z / rn
        elif mode == 1:
            ux, uy, uz = x / rn, y / rn, z / rn
            px, py, pz = guid[2], guid[3], guid[4]
            pu = px * ux + py * uy + pz * uz
            hx, hy, hz = px - pu * ux, py - pu * uy, pz - pu * uz
            hn = math.sqrt(hx * hx + hy * hy + hz * hz)
            kc, ks = guid[0], guid[1] / hn
            dx = kc * ux + ks * hx
            dy = kc * uy + ks * hy
            dz = kc * uz + ks * hz
        else:
            dx, dy, dz = wx / w, wy / w, wz / w
        ax += f * dx
        ay += f * dy
        az += f * dz
    out[0] = vx
    out[1] = vy
    out[2] = vz
    out[3] = ax + dk * wx
    out[4] = ay + dk * wy
    out[5] = az + dk * wz


@njit(cache=True)
def _rk4(t, s, dt, planet, logrho, mode, guid, thrust, m0, mdot, t0, cda, beta, k1, k2, k3, k4, tmp,
         k1_ready=False):
    if not k1_ready:
        _accel(t, s, k1, planet, logrho, mode, guid, thrust, m0, mdot, t0, cda, beta)
    for j in range(6):
        tmp[j] = s[j] + 0.5 * dt * k1[j]
    _accel(t + 0.5 * dt, tmp, k2, planet, logrho, mode, guid, thrust, m0, mdot, t0, cda, beta)
    for j in range(6):
        tmp[j] = s[j] + 0.5 * dt * k2[j]
    _accel(t + 0.5 * dt, tmp, k3, planet, logrho, mode, guid, thrust, m0, mdot, t0, cda, beta)
    for j in range(6):
        tmp[j] = s[j] + dt * k3[j]
    _accel(t + dt, tmp, k4, planet, logrho, mode, guid, thrust, m0, mdot, t0, cda, beta)
    for j in range(6):
        s[j] += dt / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])


@njit(cache=True, inline="always")
def _hermite(s0, s1, a0, a1, dt, u, out):
    """Cubic Hermite position and derivative at fraction u of a step; s = (r, v), a = accel."""
    h00 = 2 * u**3 - 3 * u**2 + 1
    h10 = u**3 - 2 * u**2 + u
    h01 = -2 * u**3 + 3 * u**2
    h11 = u**3 - u**2
    for j in range(3):
        out[j] = h00 * s0[j] + h10 * dt * s0[3 + j] + h01 * s1[j] + h11 * dt * s1[3 + j]
        # velocity: Hermite on velocity with accelerations as slopes (more accurate than d/dt of position)
        out[3 + j] = h00 * s0[3 + j] + h10 * dt * a0[j] + h01 * s1[3 + j] + h11 * dt * a1[j]


@njit(cache=True)
def _refine(s0, s1, a0, a1, dt, target, kind, planet, out):
    """Fraction u in [0, 1] of the step where height (kind 0) or radial speed (kind 1) == target.

    Illinois regula falsi on the Hermite interpolant; writes the state there into out.
    """
    a, e2 = planet[2], planet[3]
    lo, hi = 0.0, 1.0

    def f(st):
        if kind == 0:
            return _height(st[0], st[1], st[2], a, e2) - target
        return st[0] * st[3] + st[1] * st[4] + st[2] * st[5]

    flo = f(s0)
    fhi = f(s1)
    side = 0
    u = 0.5
    for _ in range(40):
        if fhi == flo:
            u = 0.5 * (lo + hi)
        else:
            u = (lo * fhi - hi * flo) / (fhi - flo)
        _hermite(s0, s1, a0, a1, dt, u, out)
        fu = f(out)
        if abs(fu) < 1e-3 or hi - lo < 1e-12:
            break
        if (fu > 0) == (fhi > 0):
            hi, fhi = u, fu
            if side == -1:
                flo *= 0.5
            side = -1
        else:
            lo, flo = u, fu
            if side == 1:
                fhi *= 0.5
            side = 1
    return u


@njit(cache=True)
def _nan_tail(samples, row, k):
    for kk in range(k, samples.shape[1]):
        for j in range(7):
            samples[row, kk, j] = np.nan


@njit(cache=True)
def _emit_samples(t_old, dt, s0, s1, a0, a1, step_s, samples, i, nsamp, tmp):
    """Write samples at multiples of step_s in (t_old, t_old + dt] into samples[i]."""
    k = nsamp[0]
    while k < samples.shape[1]:
        ts = k * step_s
        if ts > t_old + dt + 1e-9:
            break
        if ts >= t_old - 1e-9:
            u = (ts - t_old) / dt if dt > 0 else 0.0
            _hermite(s0, s1, a0, a1, dt, u, tmp)
            samples[i, k, 0] = ts
            for j in range(6):
                samples[i, k, 1 + j] = tmp[j]
        k += 1
    nsamp[0] = k


@njit(cache=True)
def fly_batch(
    state0, t0, with_boost, kick, heading, t_cut, beta, sched,
    planet, logrho, step_s, samples, sample_rows, events, ev_states, status, n_written,
):
    """Integrate n trajectories.

    Parameters
    ----------
    state0 : (n, 6) initial ECI position (m) and velocity (m/s).
    t0 : (n,) initial time (s).
    with_boost : bool; if true, fly the boost program (segments) first.
    kick, t_cut : (n,) loft angle from vertical (rad), thrust cut (s).
    heading : (n, 3) pitch-over heading: ECI unit vector, horizontal at the launch point (e.g.
        cos(azimuth) north + sin(azimuth) east there); see :func:`_accel`.
    beta : (n,) ballistic coefficient of the re-entry body, kg/m^2.
    sched : tuple of (K,) arrays, the boost segments (:class:`bmdsim.core.boost.BoostSchedule`
        order): start/end time, guidance mode, thrust (N), mass at start (kg), mass flow (kg/s),
        Cd*A (m^2), number of RK4 steps in a full-length segment.
    planet : (5,) mu, J2, a, e2, omega.
    step_s : sample spacing (s); samples (N, m, 7) receives [t, r, v] rows (NaN-filled by caller) at
        row sample_rows[i] for trajectory i; m = 0 to skip sampling.
    events : (n, 4) out: burnout, apogee, re-entry, impact times (NaN if none).
    ev_states : (n, 4, 6) out: ECI states at those events.
    status : (n,) out: 0 ok, 1 crashed in boost, 2 no impact before T_LIMIT_S, 3 step budget.
    n_written : (n,) out: sample rows written for each trajectory; the rest of its sample row is set
        to NaN here, so the caller need not pre-fill the buffer.
    """
    n = state0.shape[0]
    w = np.empty((10, 6))  # scratch vectors: state, previous state, RK4 stages, accelerations, event
    s, s_old, k1, k2, k3, k4, tmp, a_old, a_new, ev = w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]
    guid = np.zeros(5)
    nsamp = np.zeros(1, dtype=np.int64)
    a_pl, e2_pl, mu, om_pl = planet[2], planet[3], planet[0], planet[4]
    do_samples = samples.shape[1] > 0
    last_srow = -1
    for i in range(n):
        if do_samples and last_srow >= 0:
            n_written[i - 1] = nsamp[0]
            _nan_tail(samples, last_srow, nsamp[0])
        for j in range(6):
            s[j] = state0[i, j]
        t = t0[i]
        status[i] = 0
        for c in range(4):
            events[i, c] = np.nan
        nsamp[0] = 0
        srow = sample_rows[i] if do_samples else 0
        last_srow = srow if do_samples else -1
        _guidance(kick[i], heading[i], guid)
        crashed = False
        if with_boost:
            t = _boost_row(s, t, t_cut[i], guid, sched, planet, logrho, step_s, samples, srow, nsamp,
                           do_samples, s_old, a_old, a_new, k1, k2, k3, k4, tmp)
            crashed = t < 0.0
            t = abs(t)
            events[i, EV_BURNOUT_T] = t
            for j in range(6):
                ev_states[i, EV_BURNOUT_T, j] = s[j]
        if crashed:
            status[i] = 1
            continue
        # ---- ballistic flight ----
        bet = beta[i]
        h = _height(s[0], s[1], s[2], a_pl, e2_pl)
        rn = math.sqrt(s[0] ** 2 + s[1] ** 2 + s[2] ** 2)
        vr = (s[0] * s[3] + s[1] * s[4] + s[2] * s[5]) / rn
        events[i, EV_APOGEE_T] = t
        for j in range(6):
            ev_states[i, EV_APOGEE_T, j] = s[j]
        _accel(t, s, a_new, planet, logrho, 3, guid, 0.0, 1.0, 0.0, 0.0, 0.0, bet)
        nsteps = 0
        while True:
            if h > ATM_TOP_M:
                if vr >= 0.0:
                    dt = DT_EXO_S
                else:
                    dt = min(DT_EXO_S, max(DT_ATM_MIN_S, 0.5 * (h - ATM_TOP_M + 20e3) / (-vr)))
            else:
                # drag-limited step: lose at most DRAG_STEP_FRACTION of the air speed per step
                w2 = (s[3] + om_pl * s[1]) ** 2 + (s[4] - om_pl * s[0]) ** 2 + s[5] ** 2
                a_d = 0.5 * _density(h, logrho) * w2 / bet
                dt = DT_ATM_MAX_S
                if a_d > 0.0:
                    dt = min(DT_ATM_MAX_S, max(DT_ATM_MIN_S, DRAG_STEP_FRACTION * math.sqrt(w2) / a_d))
            for j in range(6):
                s_old[j] = s[j]
                a_old[j] = a_new[j]
                k1[j] = a_new[j]
            t_old = t
            h_old = h
            vr_old = vr
            _rk4(t, s, dt, planet, logrho, 3, guid, 0.0, 1.0, 0.0, 0.0, 0.0, bet,
                 k1, k2, k3, k4, tmp, True)
            t = t_old + dt
            _accel(t, s, a_new, planet, logrho, 3, guid, 0.0, 1.0, 0.0, 0.0, 0.0, bet)
            h = _height(s[0], s[1], s[2], a_pl, e2_pl)
            rn = math.sqrt(s[0] ** 2 + s[1] ** 2 + s[2] ** 2)
            vr = (s[0] * s[3] + s[1] * s[4] + s[2] * s[5]) / rn
            nsteps += 1
            if vr_old > 0.0 and vr <= 0.0:
                u = _refine(s_old, s, a_old[3:], a_new[3:], dt, 0.0, 1, planet, ev)
                events[i, EV_APOGEE_T] = t_old + u * dt
                for j in range(6):
                    ev_states[i, EV_APOGEE_T, j] = ev[j]
            if h_old > REENTRY_ALT_M and h <= REENTRY_ALT_M and vr < 0.0:
                u = _refine(s_old, s, a_old[3:], a_new[3:], dt, REENTRY_ALT_M, 0, planet, ev)
                events[i, EV_REENTRY_T] = t_old + u * dt
                for j in range(6):
                    ev_states[i, EV_REENTRY_T, j] = ev[j]
            if h <= 0.0:
                u = _refine(s_old, s, a_old[3:], a_new[3:], dt, 0.0, 0, planet, ev)
                t_imp = t_old + u * dt
                if do_samples:
                    _accel(t_imp, ev, k1, planet, logrho, 3, guid, 0.0, 1.0, 0.0, 0.0, 0.0, bet)
                    _emit_samples(t_old, u * dt, s_old, ev, a_old[3:], k1[3:], step_s, samples, srow, nsamp, tmp)
                    k = nsamp[0]
                    if k < samples.shape[1] and (k == 0 or samples[srow, k - 1, 0] < t_imp - 1e-9):
                        samples[srow, k, 0] = t_imp
                        for j in range(6):
                            samples[srow, k, 1 + j] = ev[j]
                        nsamp[0] = k + 1
                events[i, EV_IMPACT_T] = t_imp
                for j in range(6):
                    ev_states[i, EV_IMPACT_T, j] = ev[j]
                break
            if do_samples:
                _emit_samples(t_old, dt, s_old, s, a_old[3:], a_new[3:], step_s, samples, srow, nsamp, tmp)
            energy = 0.5 * (s[3] ** 2 + s[4] ** 2 + s[5] ** 2) - mu / rn
            if t > T_LIMIT_S or energy >= 0.0:
                status[i] = 2
                break
            if nsteps > 200000:
                status[i] = 3
                break
    if do_samples and last_srow >= 0:
        n_written[n - 1] = nsamp[0]
        _nan_tail(samples, last_srow, nsamp[0])


@njit(cache=True)
def _guidance(kick, heading, guid):
    """Fill guid (5,) = cos(kick), sin(kick), heading (unit vector) for :func:`_accel`."""
    guid[0] = math.cos(kick)
    guid[1] = math.sin(kick)
    for j in range(3):
        guid[2 + j] = heading[j]


@njit(cache=True)
def _boost_row(s, t, t_cut, guid, sched, planet, logrho, step_s, samples, i, nsamp, do_samples,
               s_old, a_old, a_new, k1, k2, k3, k4, tmp):
    """Fly the boost program of one row in place (state s). Returns burnout time, negated if it crashed."""
    seg_t0, seg_t1, seg_mode, seg_thrust, seg_m0, seg_mdot, seg_cda, seg_n = sched
    a_pl, e2_pl = planet[2], planet[3]
    for kseg in range(seg_t0.shape[0]):
        t_end = min(seg_t1[kseg], t_cut)
        length = t_end - seg_t0[kseg]
        if length <= 0.0:
            continue
        nst = seg_n[kseg]
        dt = length / nst
        md = seg_mode[kseg]
        for _ in range(nst):
            for j in range(6):
                s_old[j] = s[j]
            t_old = t
            _rk4(t, s, dt, planet, logrho, md, guid, seg_thrust[kseg],
                 seg_m0[kseg], seg_mdot[kseg], seg_t0[kseg], seg_cda[kseg], 1.0, k1, k2, k3, k4, tmp)
            t = t_old + dt
            if do_samples:
                for j in range(6):
                    a_old[j] = k1[j]
                _accel(t, s, a_new, planet, logrho, md, guid,
                       seg_thrust[kseg], seg_m0[kseg], seg_mdot[kseg], seg_t0[kseg], seg_cda[kseg], 1.0)
                _emit_samples(t_old, dt, s_old, s, a_old[3:], a_new[3:], step_s, samples, i, nsamp, tmp)
            if _height(s[0], s[1], s[2], a_pl, e2_pl) < -1.0:
                return -t
    return t


@njit(cache=True)
def boost_only_batch(state0, kick, heading, t_cut, sched, planet, logrho, out, status):
    """Fly only the boost of n rows; burnout ECI states into out (n, 6), status 1 if crashed.

    Arguments as in :func:`fly_batch`.
    """
    w = np.empty((9, 6))
    s, s_old, k1, k2, k3, k4, tmp, a_old, a_new = w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]
    guid = np.zeros(5)
    nsamp = np.zeros(1, dtype=np.int64)
    samples = np.empty((1, 0, 7))
    for i in range(state0.shape[0]):
        for j in range(6):
            s[j] = state0[i, j]
        _guidance(kick[i], heading[i], guid)
        t = _boost_row(s, 0.0, t_cut[i], guid, sched, planet, logrho, 1.0, samples, 0, nsamp, False,
                       s_old, a_old, a_new, k1, k2, k3, k4, tmp)
        status[i] = 1 if t < 0.0 else 0
        for j in range(6):
            out[i, j] = s[j]
