#!/usr/bin/env python
"""Benchmark: 10,000 Russian-ICBM launch -> US aimpoint trajectories, against a naive scipy baseline.

Workload (fixed seed): each pair is a random ``icbm_base`` of the places catalog with a uniform
jitter of +-0.3 deg in latitude and longitude, a random aimpoint uniform over the continental-US
box (lat 30..48 N, lon 122..72 W) and a random missile from SS-18, SS-19, SS-25, SS-27, RS-24;
draws beyond the missile's reach toward the aimpoint (rotating Earth) are dropped and redrawn.
All are solved with :func:`bmdsim.model.trajectories.solve_trajectories` (minimum-energy shape,
samples every 10 s) in one call, in one process, on one thread.

Printed figures
* warm-up time (numba compile or cache load, per-missile boost tables), reported apart;
* trajectories/s over the median wall time of the timed calls (3; 1 with --quick), plus, for
  reference only, the rate without samples (step_s=None);
* peak memory: the process's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``)
  after the timed calls, and the tracemalloc peak of the traced heap (numpy buffers included)
  during an untimed repeat of the same call;
* fraction converged (status 0) and the maximum impact error in km, computed here: the ECI
  impact state and time are rotated into ECEF, converted to geodetic with pyproj and measured
  against the aimpoint with :func:`bmdsim.core.geodesy.inverse`.

Naive baseline (written in this file; bmdsim's compiled integrator and its solver are not used):
per trajectory, scipy ``solve_ivp`` (DOP853, rtol 1e-8) from launch, piecewise across the boost
segments (data of :func:`bmdsim.core.boost.boost_schedule`), then the ballistic flight to a
terminal height-0 event; the same equations of motion as :mod:`bmdsim.core.flight` (J2 gravity,
co-rotating air, USSA-1976 density table, vertical rise / pitch-over toward the launch heading /
gravity turn, RV drag through beta). A Newton shooting loop with a forward-difference Jacobian (3
extra integrations per iteration) on (kick, t_cut, psi) drives [east miss, north miss, burnout
gamma minus the minimum-energy gamma of the burnout conic (:func:`bmdsim.core.kepler.
min_energy_gamma_rad`)] to zero until the miss is
below 1 km and the shape residual below 0.01 deg; then one more integration with dense output
gives the 10 s samples. For fairness the shooting starts from a good guess: the great-circle
azimuth, and per missile the median (kick, t_cut) of the batch (a "nominal" program). The
baseline runs on a small subsample; its time per trajectory is extrapolated to the full batch.

Usage: ``PYTHONPATH=src python benchmarks/trajectories.py [--quick] [--strict]``
(``--quick``: 1,000 pairs and 3 baseline pairs; ``--strict``: exit 1 if a target is missed).
"""

from __future__ import annotations

import math
import sys
import time
import tracemalloc

import _common  # noqa: I001 - first: one-thread settings before numba/BLAS load
import numpy as np
from pyproj import Transformer
from scipy.integrate import solve_ivp

from bmdsim.core import atmosphere, earth, geodesy, kepler
from bmdsim.core.boost import boost_schedule
from bmdsim.model.catalogs import Catalog
from bmdsim.model.trajectories import in_reach, solve_trajectories

SEED = 20240611
MISSILES = ("SS-18", "SS-19", "SS-25", "SS-27", "RS-24")
JITTER_DEG = 0.3
US_BOX = (30.0, 48.0, -122.0, -72.0)  # lat min, lat max, lon min, lon max
STEP_S = 10.0

TARGET_RATE = 5000.0  # trajectories/s on one core
TARGET_RATIO = 100.0  # x the naive baseline
TARGET_MISS_KM = 1.0

# baseline settings
BASE_RTOL = 1e-8
BASE_ATOL = 1e-6
BASE_MISS_TOL_M = 1000.0
BASE_SHAPE_TOL_RAD = math.radians(0.01)
BASE_MAX_ITER = 20
BASE_FD_STEP = (1e-4, 0.02, 1e-5)  # kick rad, t_cut s, psi rad
BASE_STEP_LIMIT = (math.radians(5.0), 20.0, math.radians(5.0))

TO_GEO = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


# --------------------------------------------------------------------------- workload
def make_pairs(n: int, rng: np.random.Generator, only_in_reach: bool = True):
    """n (missile, launch lat, lon, aim lat, lon) rows; launch = catalog ICBM base +- jitter.

    With ``only_in_reach``, draws beyond the missile's reach toward the aimpoint (on the rotating
    Earth; about one in nine: the nominal ranges are non-rotating) are dropped and drawing goes on
    until n pairs remain. Returns the rows, the number of bases and the number of draws dropped.
    """
    bases = [p for p in Catalog.builtin().places.values() if p.category == "icbm_base"]
    if not bases:
        raise SystemExit("no places with category icbm_base in the catalog")
    cols = [np.empty(0, dtype=object)] + [np.empty(0)] * 4
    dropped = 0
    while cols[0].size < n:
        m = n - cols[0].size
        k = rng.integers(len(bases), size=m)
        lat1 = np.array([bases[i].lat_deg for i in k]) + rng.uniform(-JITTER_DEG, JITTER_DEG, m)
        lon1 = np.array([bases[i].lon_deg for i in k]) + rng.uniform(-JITTER_DEG, JITTER_DEG, m)
        lat2 = rng.uniform(US_BOX[0], US_BOX[1], m)
        lon2 = rng.uniform(US_BOX[2], US_BOX[3], m)
        names = np.array(MISSILES, dtype=object)[rng.integers(len(MISSILES), size=m)]
        keep = in_reach(list(names), lat1, lon1, lat2, lon2) if only_in_reach else np.ones(m, dtype=bool)
        dropped += int((~keep).sum())
        cols = [np.concatenate([c, v[keep]]) for c, v in zip(cols, (names, lat1, lon1, lat2, lon2), strict=True)]
    return (*cols, len(bases), dropped)


def impact_error_km(events_t_s, events_state, aim_lat, aim_lon):
    """Geodesic distance (km) from the aimpoint to the impact point rebuilt from the ECI impact state."""
    t = events_t_s[:, 3]
    r = events_state[:, 3, :3]
    ang = -earth.OMEGA_EARTH_RAD_PER_S * np.nan_to_num(t)
    c, s = np.cos(ang), np.sin(ang)
    x = c * r[:, 0] - s * r[:, 1]
    y = s * r[:, 0] + c * r[:, 1]
    lon, lat, _ = TO_GEO.transform(x, y, r[:, 2])
    lat, lon = np.asarray(lat), np.asarray(lon)
    ok = np.isfinite(lat) & np.isfinite(lon)
    d, _, _ = geodesy.inverse(np.where(ok, lat, 0.0), np.where(ok, lon, 0.0), aim_lat, aim_lon)
    return np.where(ok, d / 1e3, np.nan)


# --------------------------------------------------------------------------- naive baseline
_MU = earth.MU_EARTH_M3_PER_S2
_J2 = earth.J2_EARTH
_A = earth.A_WGS84_M
_B2 = _A * _A * (1.0 - earth.E2_WGS84)
_OM = earth.OMEGA_EARTH_RAD_PER_S
_LOGRHO = atmosphere._TABLE_LOGRHO.tolist()
_RHO_STEP = atmosphere._TABLE_STEP_M
_RHO0 = math.exp(_LOGRHO[0])


def _grav(x, y, z):
    """Point mass + J2 (same formula as bmdsim.core.earth.gravity_j2; checked at start-up)."""
    r2 = x * x + y * y + z * z
    k = -_MU / (r2 * math.sqrt(r2))
    q = 1.5 * _J2 * _A * _A / r2
    zz = 5.0 * z * z / r2
    return k * x * (1.0 + q * (1.0 - zz)), k * y * (1.0 + q * (1.0 - zz)), k * z * (1.0 + q * (3.0 - zz))


def _height(x, y, z):
    """Height along the geocentric radial above the WGS84 ellipsoid (the model's height)."""
    r2 = x * x + y * y + z * z
    return math.sqrt(r2) - 1.0 / math.sqrt((x * x + y * y) / (r2 * _A * _A) + z * z / (r2 * _B2))


def _rho(h):
    """USSA-1976 density, log-linear in the 50 m table (as bmdsim.core.atmosphere.density_kg_m3)."""
    if h <= 0.0:
        return _RHO0
    u = h / _RHO_STEP
    i = int(u)
    if i >= len(_LOGRHO) - 1:
        return 0.0
    return math.exp(_LOGRHO[i] + (u - i) * (_LOGRHO[i + 1] - _LOGRHO[i]))


def _boost_rhs(mode, thrust, m0, mdot, t0, cda, kick, heading):
    kc, ks = math.cos(kick), math.sin(kick)
    px, py, pz = heading

    def f(t, s):
        x, y, z, vx, vy, vz = s
        gx, gy, gz = _grav(x, y, z)
        wx, wy, wz = vx + _OM * y, vy - _OM * x, vz
        w = math.sqrt(wx * wx + wy * wy + wz * wz)
        m = m0 - mdot * (t - t0)
        dk = -0.5 * _rho(_height(x, y, z)) * w * cda / m
        a = thrust / m
        rn = math.sqrt(x * x + y * y + z * z)
        if mode == 0 or (mode == 2 and w < 1e-9):  # vertical rise along the geocentric radial
            dx, dy, dz = x / rn, y / rn, z / rn
        elif mode == 1:  # pitch-over: tilt kick from vertical toward the launch heading, made horizontal
            ux, uy, uz = x / rn, y / rn, z / rn
            pu = px * ux + py * uy + pz * uz
            hx, hy, hz = px - pu * ux, py - pu * uy, pz - pu * uz
            hn = math.sqrt(hx * hx + hy * hy + hz * hz)
            dx = kc * ux + ks * hx / hn
            dy = kc * uy + ks * hy / hn
            dz = kc * uz + ks * hz / hn
        else:  # gravity turn: thrust along the air-relative velocity
            dx, dy, dz = wx / w, wy / w, wz / w
        return np.array([vx, vy, vz, gx + a * dx + dk * wx, gy + a * dy + dk * wy, gz + a * dz + dk * wz])

    return f


def _ballistic_rhs(beta):
    def f(_t, s):
        x, y, z, vx, vy, vz = s
        gx, gy, gz = _grav(x, y, z)
        wx, wy, wz = vx + _OM * y, vy - _OM * x, vz
        dk = -0.5 * _rho(_height(x, y, z)) * math.sqrt(wx * wx + wy * wy + wz * wz) / beta
        return np.array([vx, vy, vz, gx + dk * wx, gy + dk * wy, gz + dk * wz])

    return f


def _impact(_t, s):
    return _height(s[0], s[1], s[2])


_impact.terminal = True
_impact.direction = -1


class Baseline:
    """One launch -> aim problem, solved by shooting with scipy solve_ivp."""

    def __init__(self, missile, lat1, lon1, lat2, lon2):
        spec = Catalog.builtin().missile(missile).rocket_spec()
        self.spec = spec
        self.sch = boost_schedule(spec)
        self.beta = spec.rv_beta_kg_m2
        r0 = earth.geodetic_to_ecef(math.radians(lat1), math.radians(lon1), 0.0)
        self.s0 = np.concatenate([r0, [-_OM * r0[1], _OM * r0[0], 0.0]])
        # launch frame: geocentric up, east from the longitude, north = up x east
        up = r0 / np.linalg.norm(r0)
        self.east = np.array([-math.sin(math.radians(lon1)), math.cos(math.radians(lon1)), 0.0])
        self.north = np.cross(up, self.east)
        self.aim = earth.geodetic_to_ecef(math.radians(lat2), math.radians(lon2), 0.0)
        self.aim_e, self.aim_n, _ = earth.enu_basis(math.radians(lat2), math.radians(lon2))
        self.n_integrations = 0

    def fly(self, x, dense=False):
        """Integrate launch -> impact for controls x = (kick, t_cut, psi); returns a dict."""
        kick, t_cut, psi = x
        self.n_integrations += 1
        s = self.s0
        sols = []
        sch = self.sch
        for k in range(sch.t0_s.size):
            t0, t1 = float(sch.t0_s[k]), min(float(sch.t1_s[k]), t_cut)
            if t1 <= t0:
                continue
            rhs = _boost_rhs(int(sch.mode[k]), float(sch.thrust_n[k]), float(sch.m0_kg[k]),
                             float(sch.mdot_kg_s[k]), t0, float(sch.cda_m2[k]), kick,
                             math.cos(psi) * self.north + math.sin(psi) * self.east)
            sol = solve_ivp(rhs, (t0, t1), s, method="DOP853", rtol=BASE_RTOL, atol=BASE_ATOL,
                            dense_output=dense)
            sols.append(sol)
            s = sol.y[:, -1]
        s_bo = s.copy()
        sol = solve_ivp(_ballistic_rhs(self.beta), (t_cut, t_cut + 2e4), s, method="DOP853", rtol=BASE_RTOL,
                        atol=BASE_ATOL, events=_impact, dense_output=dense)
        sols.append(sol)
        if sol.t_events[0].size == 0:
            return None
        return {"burnout": s_bo, "t_imp": float(sol.t_events[0][0]), "imp": sol.y_events[0][0], "sols": sols}

    def residual(self, out):
        rb, vb, ri, t = out["burnout"][:3], out["burnout"][3:], out["imp"][:3], out["t_imp"]
        c, s = math.cos(-_OM * t), math.sin(-_OM * t)
        r_ecef = np.array([c * ri[0] - s * ri[1], s * ri[0] + c * ri[1], ri[2]])
        d = r_ecef - self.aim
        rbn, r_aim = np.linalg.norm(rb), np.linalg.norm(self.aim)
        gam = math.asin(float(rb @ vb) / (rbn * np.linalg.norm(vb)))
        # minimum energy on the burnout conic down to the aimpoint's radius (bmdsim's definition)
        _, _, phi, _ = kepler.descend_to_radius(rb, vb, r_aim)
        shape = gam - float(kepler.min_energy_gamma_rad(rbn, r_aim, phi))
        return np.array([float(d @ self.aim_e), float(d @ self.aim_n), shape])

    def solve(self, x0):
        """Newton with a forward-difference Jacobian; returns (x, converged, final dense run)."""
        x = np.array(x0, dtype=float)
        t_tot = self.spec.boost_time_s
        lo = np.array([math.radians(0.5), self.spec.vertical_rise_s + self.spec.pitchover_s + 2.0, -np.inf])
        hi = np.array([math.radians(85.0), t_tot, np.inf])
        converged = False
        for _ in range(BASE_MAX_ITER):
            out = self.fly(x)
            if out is None:
                break
            f = self.residual(out)
            if math.hypot(f[0], f[1]) < BASE_MISS_TOL_M and abs(f[2]) < BASE_SHAPE_TOL_RAD:
                converged = True
                break
            jac = np.empty((3, 3))
            for j in range(3):
                h = BASE_FD_STEP[j] if x[j] + BASE_FD_STEP[j] <= hi[j] else -BASE_FD_STEP[j]
                xp = x.copy()
                xp[j] += h
                op = self.fly(xp)
                if op is None:
                    return x, False, None
                jac[:, j] = (self.residual(op) - f) / h
            dx = -np.linalg.solve(jac, f)
            dx /= max(1.0, float(np.max(np.abs(dx) / BASE_STEP_LIMIT)))
            x = np.clip(x + dx, lo, hi)
        final = self.fly(x, dense=True) if converged else None
        return x, converged, final


def baseline_samples(final, step_s):
    """States every step_s from launch to impact, from the dense outputs of the final run."""
    t = np.arange(0.0, final["t_imp"], step_s)
    out = np.full((t.size, 7), np.nan)
    out[:, 0] = t
    for sol in final["sols"]:
        m = (t >= sol.t[0]) & (t <= sol.t[-1])
        if m.any():
            out[m, 1:] = sol.sol(t[m]).T
    return np.vstack([out, np.concatenate([[final["t_imp"]], final["imp"]])])


def check_baseline_physics():
    """The scalar gravity and density of the baseline equal bmdsim's vectorised ones."""
    r = np.array([3.1e6, -4.2e6, 4.4e6])
    np.testing.assert_allclose(_grav(*r), earth.gravity_j2(r), rtol=1e-13)
    for h in (0.0, 1234.5, 45e3, 99e3, 400e3):
        np.testing.assert_allclose(_rho(h), float(atmosphere.density_kg_m3(h)), rtol=1e-12)


# --------------------------------------------------------------------------- main
def main(argv=None) -> int:
    args = _common.bench_args(__doc__.splitlines()[0], "pairs", 10, argv)
    n, n_base = args.n, args.baseline

    print("bmdsim benchmark: ICBM launch -> aimpoint trajectories (minimum-energy, samples every 10 s)")
    print(f"  {_common.environment()}")
    rng = np.random.default_rng(SEED)
    t0 = time.perf_counter()
    names, lat1, lon1, lat2, lon2, n_bases, dropped = make_pairs(n, rng)
    t_draw = time.perf_counter() - t0
    d_km = geodesy.inverse(lat1, lon1, lat2, lon2)[0] / 1e3
    mix = ", ".join(f"{m} {int(np.sum(names == m))}" for m in MISSILES)
    print(f"  workload: {n:,} pairs, seed {SEED}; {n_bases} icbm_base sites +-{JITTER_DEG} deg; aimpoints "
          f"lat {US_BOX[0]:g}..{US_BOX[1]:g}, lon {US_BOX[2]:g}..{US_BOX[3]:g}; "
          f"ground range {d_km.min():,.0f}..{d_km.max():,.0f} km")
    print(f"  drawn within each missile's reach toward the aimpoint: {dropped:,} draws beyond it dropped "
          f"({t_draw:.1f} s, including numba compile/cache load, untimed)")
    print(f"  missiles: {mix}")

    # ---- warm-up: numba compile / cache load and the per-missile boost tables
    wrng = np.random.default_rng(SEED + 1)
    wn, wl1, wo1, wl2, wo2, _, _ = make_pairs(5 * len(MISSILES), wrng, only_in_reach=False)
    wn = np.array(MISSILES * 5, dtype=object)
    t0 = time.perf_counter()
    solve_trajectories(wn, wl1, wo1, wl2, wo2, step_s=STEP_S)
    t_warm = time.perf_counter() - t0
    print(f"\nwarm-up ({wn.size} pairs, all 5 missiles; numba and the boost tables were loaded while drawing the "
          f"workload): {t_warm:.2f} s")

    # ---- timed runs (the median wall time counts)
    rss0 = _common.peak_rss_mib()
    walls = []
    for _ in range(args.repeat):
        ts = None
        t0 = time.perf_counter()
        ts = solve_trajectories(names, lat1, lon1, lat2, lon2, step_s=STEP_S)
        walls.append(time.perf_counter() - t0)
    rss1 = _common.peak_rss_mib()
    wall = float(np.median(walls))
    rate = n / wall
    ok = ts.status == 0
    err_km = impact_error_km(ts.events_t_s, ts.events_state, lat2, lon2)
    err_ok = err_km[ok]
    max_err = float(np.max(err_ok)) if err_ok.size else math.nan
    # cross-check against the solver's own impact point
    d_own, _, _ = geodesy.inverse(np.nan_to_num(ts.impact_lat_deg), np.nan_to_num(ts.impact_lon_deg), lat2, lon2)
    max_own = float(np.max(d_own[ok])) / 1e3 if ok.any() else math.nan
    n_samp = np.isfinite(ts.samples[..., 0]).sum(axis=1)
    t0 = time.perf_counter()
    solve_trajectories(names, lat1, lon1, lat2, lon2, step_s=None)
    wall_nosamp = time.perf_counter() - t0

    print(f"\nbmdsim solve_trajectories, {n:,} pairs in one call:")
    print(f"  wall time          {wall:.3f} s median of {len(walls)} calls "
          f"({', '.join(f'{w:.3f}' for w in walls)} s)")
    print(f"  throughput         {rate:,.0f} trajectories/s (single process, one thread; best call "
          f"{n / min(walls):,.0f}/s)")
    print(f"  peak memory        {rss1:,.0f} MiB peak RSS after the timed calls (resource.getrusage ru_maxrss; "
          f"{rss0:,.0f} MiB before it)")
    tracemalloc.start()
    solve_trajectories(names, lat1, lon1, lat2, lon2, step_s=STEP_S)
    _, tm_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"                     {tm_peak / 2**20:,.0f} MiB tracemalloc peak during an untimed repeat "
          f"(Python heap + numpy buffers; samples array {ts.samples.nbytes / 2**20:,.0f} MiB)")
    codes, counts = np.unique(ts.status[~ok], return_counts=True)
    others = ", ".join(f"status {c}: {k}" for c, k in zip(codes.tolist(), counts.tolist(), strict=True))
    print(f"  converged          {ok.mean():.4%} ({int(ok.sum()):,}/{n:,} status 0)"
          + (f"; {others}" if others else ""))
    print(f"  impact error       max {max_err:.4f} km, median {np.median(err_ok):.4f} km (independent: ECI impact "
          f"state -> ECEF -> pyproj geodetic -> geodesy.inverse to the aimpoint; solver's own max "
          f"{max_own:.4f} km)")
    print(f"  samples            {int(n_samp.min())}..{int(n_samp.max())} per trajectory; flight time "
          f"{np.nanmin(ts.events_t_s[:, 3]):.0f}..{np.nanmax(ts.events_t_s[:, 3]):.0f} s")

    print(f"  for reference      {n / wall_nosamp:,.0f} trajectories/s without samples (step_s=None, one call, "
          f"{wall_nosamp:.3f} s; not a target figure)")

    # ---- naive baseline on a subsample
    check_baseline_physics()
    guess = {}
    for m in MISSILES:
        sel = (names == m) & ok
        guess[m] = np.median(ts.controls[sel, :2], axis=0) if sel.any() else None
    brng = np.random.default_rng(SEED + 2)
    idx = brng.choice(n, size=min(n_base, n), replace=False)
    print(f"\nnaive baseline (scipy solve_ivp DOP853 rtol {BASE_RTOL:g}, Newton + forward-difference Jacobian, "
          f"stop at miss < {BASE_MISS_TOL_M / 1e3:g} km and shape < 0.01 deg), {idx.size} pairs:")
    times, base_err, dt_imp, dctl = [], [], [], []
    n_conv = 0
    for i in idx:
        m = names[i]
        _, az, _ = geodesy.inverse(lat1[i], lon1[i], lat2[i], lon2[i])
        g = guess[m] if guess[m] is not None else (math.radians(30.0), 0.95 * Catalog.builtin().missile(m).boost_time_s)
        x0 = (g[0], g[1], math.radians(float(az)))
        t0 = time.perf_counter()
        prob = Baseline(m, lat1[i], lon1[i], lat2[i], lon2[i])
        x, conv, final = prob.solve(x0)
        smp = baseline_samples(final, STEP_S) if conv else None
        dt = time.perf_counter() - t0
        times.append(dt)
        line = f"  {m:6s} {d_km[i]:7,.0f} km: {dt:6.2f} s, {prob.n_integrations:3d} integrations, "
        if conv:
            n_conv += 1
            ev_t = np.full((1, 4), np.nan)
            ev_s = np.full((1, 4, 6), np.nan)
            ev_t[0, 3], ev_s[0, 3] = final["t_imp"], final["imp"]
            e = float(impact_error_km(ev_t, ev_s, lat2[i:i + 1], lon2[i:i + 1])[0])
            base_err.append(e)
            line += f"miss {e:.3f} km, {smp.shape[0]} samples"
            if ok[i]:
                dt_imp.append(abs(final["t_imp"] - ts.events_t_s[i, 3]))
                dc = np.abs(x - ts.controls[i])
                dctl.append((math.degrees(dc[0]), dc[1], math.degrees(dc[2])))
                line += (f"; vs bmdsim: d(flight time) {dt_imp[-1]:.2f} s, d(kick) {dctl[-1][0]:.4f} deg, "
                         f"d(t_cut) {dctl[-1][1]:.3f} s, d(psi) {dctl[-1][2]:.4f} deg")
        else:
            line += "NOT converged"
        print(line)
    t_base = float(np.mean(times))
    rate_base = 1.0 / t_base
    ratio = rate / rate_base
    print(f"  mean {t_base:.2f} s per trajectory -> {rate_base:.3f} trajectories/s; "
          f"extrapolated to {n:,} pairs: {t_base * n / 3600:,.1f} h ({n_conv}/{idx.size} converged"
          + (f", max miss {max(base_err):.3f} km" if base_err else "") + ")")

    print("\nsummary")
    print(f"  bmdsim   {rate:12,.0f} trajectories/s   ({wall:.2f} s for {n:,}, median of {len(walls)}; "
          f"warm-up {t_warm:.2f} s apart)")
    print(f"  baseline {rate_base:12,.3f} trajectories/s   (extrapolated from {idx.size} pairs)")
    print(f"  ratio bmdsim/baseline: {ratio:,.0f}x")
    checks = [
        (f">= {TARGET_RATE:,.0f} trajectories/s on one core", rate >= TARGET_RATE, f"{rate:,.0f}/s"),
        (f">= {TARGET_RATIO:g}x the naive baseline", ratio >= TARGET_RATIO, f"{ratio:,.0f}x"),
        (f"impact error <= {TARGET_MISS_KM:g} km for all pairs", bool(ok.all()) and max_err <= TARGET_MISS_KM,
         f"{ok.mean():.2%} converged, max {max_err:.3f} km"),
    ]
    print("targets:")
    for text, met, val in checks:
        print(f"  [{'MET' if met else 'MISSED'}] {text}: {val}")
    return 1 if args.strict and not all(c[1] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
