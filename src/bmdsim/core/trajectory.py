"""Solve batches of launch -> aimpoint ballistic-missile trajectories on the rotating WGS84 Earth.

Controls per trajectory: loft angle ``kick`` (pitch-over tilt from vertical, rad), thrust-cut
time ``t_cut`` (s, <= total burn), launch azimuth ``psi`` (rad). Three equations fix them:
impact east and north miss at the aimpoint = 0, and one *shape* condition:

* ``min_energy`` (default): inertial burnout flight-path angle equals the minimum-energy angle
  for the burnout radius, the impact radius and the central angle between them
  (:func:`bmdsim.core.kepler.min_energy_gamma_rad`): the missile flies the minimum-energy
  conic, shedding surplus energy by thrust termination;
* ``apogee`` (m): apogee height; ``flight_time`` (s): launch to impact; ``gamma`` (rad):
  inertial flight-path angle at burnout. Lofted and depressed trajectories are given this way.

Method (defect correction). A *fast model* maps controls to impact: a per-missile table of
boost end states (tabulated once on a spherical non-rotating Earth, cubic splines in kick
and t_cut), rotated to the launch point and azimuth, plus the Earth's rotation velocity, then a
Kepler conic to the impact radius and the Earth turned under it. Newton's method on the fast
model gives the first controls. Then the compiled integrator (:mod:`bmdsim.core.flight`: J2,
rotation, drag in boost and re-entry) is run, its residual is corrected with the fast model's
Jacobian, and this repeats until the miss is below ``MISS_TOL_M``. Typically 2–4 integrations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.interpolate import RectBivariateSpline

from bmdsim.core import earth, flight, kepler
from bmdsim.core.boost import RocketSpec, boost_schedule

SHAPES = ("min_energy", "apogee", "flight_time", "gamma")
MISS_TOL_M = 200.0
KICK_MIN_RAD = np.radians(0.5)
KICK_MAX_RAD = np.radians(85.0)

STATUS_OK = 0
STATUS_CRASH = 1
STATUS_NO_IMPACT = 2
STATUS_BUDGET = 3
STATUS_OUT_OF_REACH = 4
STATUS_NOT_CONVERGED = 5
STATUS_TEXT = {
    0: "ok", 1: "hit the ground during boost", 2: "no impact (orbital)", 3: "step budget exceeded",
    4: "aimpoint beyond reach for this shape", 5: "solver did not converge",
}

_SHAPE_TOL = {"min_energy": np.radians(0.01), "gamma": np.radians(0.01), "apogee": 500.0,
              "flight_time": 0.5}


# --------------------------------------------------------------------------- fast model tables
@dataclass(frozen=True)
class BoostTable:
    """Boost end states on a spherical, non-rotating Earth vs (kick, t_cut)."""

    kick_rad: np.ndarray  # (K,)
    t_cut_s: np.ndarray  # (T,)
    splines: dict  # name -> RectBivariateSpline over (kick, t_cut)
    t_total_s: float
    t_cut_min_s: float

    def __call__(self, kick, t_cut):
        """Downrange angle (rad), radius (m), speed (m/s), flight-path angle (rad) at burnout."""
        k = np.clip(kick, self.kick_rad[0], self.kick_rad[-1])
        t = np.clip(t_cut, self.t_cut_s[0], self.t_cut_s[-1])
        return tuple(self.splines[name].ev(k, t) for name in ("theta", "r", "v", "gamma"))


def _launch_states(lat_rad, lon_rad, planet):
    """Launch state (n, 6) in ECI at t = 0: surface point and the Earth's rotation velocity."""
    r0 = earth.geodetic_to_ecef(lat_rad, lon_rad, 0.0)
    if planet[3] == 0.0:  # spherical test planet: put the launch point on the sphere
        r0 = r0 / np.linalg.norm(r0, axis=-1, keepdims=True) * planet[2]
    v0 = np.zeros_like(r0)
    v0[..., 0] = -planet[4] * r0[..., 1]
    v0[..., 1] = planet[4] * r0[..., 0]
    return np.concatenate([r0, v0], axis=-1)


def integrate(spec: RocketSpec, state0, kick, psi, t_cut, *, planet=flight.PLANET_WGS84, step_s=0.0,
              n_samples=0, with_boost=True, beta=None, samples=None, sample_rows=None, n_written=None):
    """Run the compiled integrator on n rows; returns (events (n,4), ev_states (n,4,6), status (n,), samples).

    Samples go to a new (n, n_samples, 7) array, or into rows ``sample_rows`` of ``samples`` if given
    (each such row is rewritten whole: samples, then NaN). ``n_written`` (n,) receives the counts.
    """
    sch = _schedule(spec)
    n = state0.shape[0]
    events = np.empty((n, flight.N_EV))
    ev_states = np.full((n, flight.N_EV, 6), np.nan)
    status = np.empty(n, dtype=np.int64)
    if samples is None:
        samples = np.full((n, n_samples, 7), np.nan)
        sample_rows = np.arange(n)
    beta = np.full(n, spec.rv_beta_kg_m2) if beta is None else np.asarray(beta, float)
    flight.fly_batch(
        np.ascontiguousarray(state0, dtype=float), np.zeros(n), with_boost,
        np.ascontiguousarray(kick, dtype=float), np.ascontiguousarray(psi, dtype=float),
        np.ascontiguousarray(t_cut, dtype=float), beta,
        sch.t0_s, sch.t1_s, sch.mode, sch.thrust_n, sch.m0_kg, sch.mdot_kg_s, sch.cda_m2, sch.n_steps,
        np.asarray(planet, dtype=float), flight.LOG_RHO_TABLE, float(step_s), samples,
        np.ascontiguousarray(sample_rows, dtype=np.int64), events, ev_states, status,
        np.zeros(n, dtype=np.int64) if n_written is None else n_written,
    )
    return events, ev_states, status, samples


@lru_cache(maxsize=64)
def _schedule(spec: RocketSpec):
    return boost_schedule(spec)


@lru_cache(maxsize=64)
def boost_table(spec: RocketSpec) -> BoostTable:
    """Tabulate burnout states once per missile (about 3 000 integrations, ~0.3 s)."""
    t_total = spec.boost_time_s
    t_min = spec.vertical_rise_s + spec.pitchover_s + 2.0
    kicks = np.linspace(KICK_MIN_RAD, KICK_MAX_RAD, 113)
    n_t = max(30, int(np.ceil((t_total - t_min) / 4.0)))
    tcuts = np.linspace(t_min, t_total, n_t)
    kk, tt = np.meshgrid(kicks, tcuts, indexing="ij")
    planet = np.array([earth.MU_EARTH_M3_PER_S2, 0.0, earth.A_WGS84_M, 0.0, 0.0])
    st0 = _launch_states(np.zeros(kk.size), np.zeros(kk.size), planet)
    # only the boost is needed: cut the flight right after burnout by a huge beta and no samples
    ev, evs, status, _ = _boost_only(spec, st0, kk.ravel(), tt.ravel(), planet)
    rb, vb = evs[:, 0, :3], evs[:, 0, 3:]
    rn = np.linalg.norm(rb, axis=-1)
    vn = np.linalg.norm(vb, axis=-1)
    theta = np.arccos(np.clip(rb[:, 0] / rn, -1.0, 1.0))
    gamma = np.arcsin((rb * vb).sum(-1) / (rn * vn))
    # keep the loft angles for which no thrust-cut time crashes into the ground during boost
    crash_rows = np.any((status == STATUS_CRASH).reshape(kk.shape), axis=1)
    n_ok = int(np.argmax(crash_rows)) if crash_rows.any() else kicks.size
    if n_ok < 8:
        raise ValueError(f"{spec.name}: boost program crashes for almost every loft angle; check the catalog entry")
    kicks = kicks[:n_ok]
    theta, rn, vn, gamma = (a.reshape(kk.shape)[:n_ok].ravel() for a in (theta, rn, vn, gamma))
    kk = kk[:n_ok]
    splines = {
        name: RectBivariateSpline(kicks, tcuts, arr.reshape(kk.shape), kx=3, ky=3)
        for name, arr in (("theta", theta), ("r", rn), ("v", vn), ("gamma", gamma))
    }
    return BoostTable(kicks, tcuts, splines, t_total, t_min)


def _boost_only(spec, st0, kick, t_cut, planet):
    """Integrate only the boost (psi = 90 deg, east); the ballistic part is skipped."""
    from bmdsim.core.flight import boost_only_batch

    sch = _schedule(spec)
    n = st0.shape[0]
    out = np.empty((n, 6))
    status = np.empty(n, dtype=np.int64)
    boost_only_batch(np.ascontiguousarray(st0), np.ascontiguousarray(kick), np.full(n, np.pi / 2),
                     np.ascontiguousarray(t_cut), sch.t0_s, sch.t1_s, sch.mode, sch.thrust_n, sch.m0_kg,
                     sch.mdot_kg_s, sch.cda_m2, sch.n_steps, planet, flight.LOG_RHO_TABLE, out, status)
    ev = np.full((n, flight.N_EV), np.nan)
    ev[:, 0] = t_cut
    evs = np.full((n, flight.N_EV, 6), np.nan)
    evs[:, 0] = out
    return ev, evs, status, None


# --------------------------------------------------------------------------- problem geometry
@dataclass
class _Geometry:
    """Per-row fixed quantities of a launch -> aim problem (n rows)."""

    launch_r: np.ndarray  # (n, 3) ECEF = ECI at t = 0
    up: np.ndarray
    north: np.ndarray
    east: np.ndarray
    aim_r: np.ndarray  # (n, 3) ECEF
    aim_e: np.ndarray
    aim_n: np.ndarray
    r_imp: np.ndarray  # (n,) geocentric radius of the aimpoint
    omega: float
    planet: np.ndarray = field(repr=False)


def _geometry(lat1, lon1, lat2, lon2, planet) -> _Geometry:
    st = _launch_states(lat1, lon1, planet)
    r0 = st[:, :3]
    up = r0 / np.linalg.norm(r0, axis=-1, keepdims=True)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east, axis=-1, keepdims=True)
    north = np.cross(up, east)
    aim = earth.geodetic_to_ecef(lat2, lon2, 0.0)
    if planet[3] == 0.0:
        aim = aim / np.linalg.norm(aim, axis=-1, keepdims=True) * planet[2]
    ae, an, _ = earth.enu_basis(lat2, lon2)
    return _Geometry(r0, up, north, east, aim, ae, an, np.linalg.norm(aim, axis=-1), float(planet[4]), planet)


def _shape_residual(kind, value, gamma_b, r_b, r_i, phi, apo_alt_m, t_imp):
    if kind == "min_energy":
        return gamma_b - kepler.min_energy_gamma_rad(r_b, r_i, phi)
    if kind == "gamma":
        return gamma_b - value
    if kind == "apogee":
        return apo_alt_m - value
    return t_imp - value  # flight_time


def _miss_components(geo: _Geometry, r_imp_ecef):
    """East and north components (m) of the miss, as an arc on the sphere through the aimpoint.

    Equal to the straight-line miss for small misses, and growing monotonically up to the
    antipode (a chord would shrink again past 90 degrees and mislead Newton's method).
    """
    au = geo.aim_r / geo.r_imp[:, None]
    iu = r_imp_ecef / np.linalg.norm(r_imp_ecef, axis=-1, keepdims=True)
    d = iu - au
    de, dn = (d * geo.aim_e).sum(-1), (d * geo.aim_n).sum(-1)
    horiz = np.hypot(de, dn)
    arc = geo.r_imp * np.arctan2(np.linalg.norm(np.cross(iu, au), axis=-1), (iu * au).sum(-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(horiz > 0, arc / horiz, geo.r_imp)
    return de * scale, dn * scale


def _rotate_to_ecef(r_eci, t, omega):
    ang = -omega * t
    c, s = np.cos(ang), np.sin(ang)
    out = np.empty_like(r_eci)
    out[:, 0] = c * r_eci[:, 0] - s * r_eci[:, 1]
    out[:, 1] = s * r_eci[:, 0] + c * r_eci[:, 1]
    out[:, 2] = r_eci[:, 2]
    return out


def _fast_model(table: BoostTable, geo: _Geometry, x, kind, value):
    """Residuals (n, 3) [east m, north m, shape] and impact ECEF of the fast model at controls x (n, 3)."""
    kick, t_cut, psi = x[:, 0], x[:, 1], x[:, 2]
    theta, rb_n, vb_n, gam = table(kick, t_cut)
    rb_n = rb_n - geo.planet[2] + np.linalg.norm(geo.launch_r, axis=-1)  # keep burnout height
    hdir = np.cos(psi)[:, None] * geo.north + np.sin(psi)[:, None] * geo.east
    d = np.cos(theta)[:, None] * geo.up + np.sin(theta)[:, None] * hdir
    tang = -np.sin(theta)[:, None] * geo.up + np.cos(theta)[:, None] * hdir
    w = np.zeros_like(geo.launch_r)
    w[:, 0] = -geo.omega * geo.launch_r[:, 1]
    w[:, 1] = geo.omega * geo.launch_r[:, 0]
    rb = rb_n[:, None] * d + w * t_cut[:, None]
    vb = vb_n[:, None] * (np.sin(gam)[:, None] * d + np.cos(gam)[:, None] * tang) + w
    r_hit, tof, phi, r_apo = kepler.descend_to_radius(rb, vb, geo.r_imp, mu=geo.planet[0])
    t_imp = t_cut + tof
    r_ecef = _rotate_to_ecef(r_hit, t_imp, geo.omega)
    me, mn = _miss_components(geo, r_ecef)
    rbn = np.linalg.norm(rb, axis=-1)
    gamma_b = np.arcsin((rb * vb).sum(-1) / (rbn * np.linalg.norm(vb, axis=-1)))
    apo_alt = r_apo - geo.r_imp  # fast-model apogee height over the aimpoint's radius
    shape = _shape_residual(kind, value, gamma_b, rbn, geo.r_imp, phi, apo_alt, t_imp)
    return np.stack([me, mn, shape], axis=-1), t_imp


def _jacobian(table, geo, x, kind, value, f0):
    """Forward differences of the fast model; backward where a control sits on its upper bound."""
    steps = np.array([1e-5, 1e-3, 1e-6])
    upper = np.array([table.kick_rad[-1], table.t_total_s, np.inf])
    jac = np.empty((x.shape[0], 3, 3))
    for j in range(3):
        h = np.where(x[:, j] + steps[j] > upper[j], -steps[j], steps[j])
        xp = x.copy()
        xp[:, j] += h
        fp, _ = _fast_model(table, geo, xp, kind, value)
        jac[:, :, j] = (fp - f0) / h[:, None]
    return jac


def _directional_max_range(table, geo, kind, value, psi):
    """Fast-model range (m, arc at the aimpoint radius) at full burn along azimuth psi (n,) with the shape met."""
    n = psi.shape[0]
    x = np.stack([np.full(n, np.radians(20.0)), np.full(n, table.t_total_s), psi], axis=-1)
    for _ in range(30):
        f, _ = _fast_model(table, geo, x, kind, value)
        xp = x.copy()
        xp[:, 0] += 1e-5
        fp, _ = _fast_model(table, geo, xp, kind, value)
        d = (fp[:, 2] - f[:, 2]) / 1e-5
        with np.errstate(invalid="ignore", divide="ignore"):
            dk = np.clip(-f[:, 2] / d, -np.radians(5), np.radians(5))
        x[:, 0] = np.clip(x[:, 0] + np.nan_to_num(dk), table.kick_rad[0], table.kick_rad[-1])
    # range of the resulting impact from the launch point
    theta, rb_n, vb_n, gam = table(x[:, 0], x[:, 1])
    f, _ = _fast_model(table, geo, x, kind, value)
    me, mn = f[:, 0], f[:, 1]
    # arc launch -> aim minus the along-track shortfall (the miss points back toward the launch point)
    arc_aim = geo.r_imp * np.arccos(np.clip((geo.up * geo.aim_r).sum(-1) / geo.r_imp, -1, 1))
    return arc_aim - np.hypot(me, mn)


def _newton_step(jac, f, x, table):
    with np.errstate(invalid="ignore", divide="ignore"):
        try:
            dx = -np.linalg.solve(jac, f[..., None])[..., 0]
        except np.linalg.LinAlgError:
            dx = -np.einsum("nij,nj->ni", np.linalg.pinv(jac), f)
    dx = np.where(np.isfinite(dx), dx, 0.0)
    # trust region: at most 5 deg of kick, 20 s of burn, 5 deg of azimuth per step
    lim = np.array([np.radians(5.0), 20.0, np.radians(5.0)])
    scale = np.max(np.abs(dx) / lim, axis=-1, keepdims=True)
    dx = dx / np.maximum(scale, 1.0)
    xn = x + dx
    xn[:, 0] = np.clip(xn[:, 0], table.kick_rad[0], table.kick_rad[-1])
    xn[:, 1] = np.clip(xn[:, 1], table.t_cut_min_s, table.t_total_s)
    return xn


def _initial_guess(table: BoostTable, geo: _Geometry, kind, value):
    """Controls from the non-rotating fast model on the table grid, then rotation ignored."""
    n = geo.launch_r.shape[0]
    cosphi = np.clip((geo.up * geo.aim_r).sum(-1) / geo.r_imp, -1.0, 1.0)
    phi_target = np.arccos(cosphi)
    a_up = geo.aim_r - (geo.aim_r * geo.up).sum(-1, keepdims=True) * geo.up
    psi0 = np.arctan2((a_up * geo.east).sum(-1), (a_up * geo.north).sum(-1))
    # one representative row of geometry on the equator for the grid evaluation
    kk, tt = np.meshgrid(table.kick_rad, table.t_cut_s, indexing="ij")
    m = kk.size
    pl = np.array([geo.planet[0], 0.0, geo.planet[2], 0.0, 0.0])
    g1 = _geometry(np.zeros(m), np.zeros(m), np.zeros(m), np.full(m, 0.5), pl)
    xg = np.stack([kk.ravel(), tt.ravel(), np.full(m, np.pi / 2)], axis=-1)
    theta, rb_n, vb_n, gam = table(xg[:, 0], xg[:, 1])
    rb = np.stack([rb_n * np.cos(theta), rb_n * np.sin(theta), np.zeros(m)], -1)
    vb = vb_n[:, None] * np.stack([np.sin(gam + theta) * 0 + np.cos(theta) * np.sin(gam)
                                   - np.sin(theta) * np.cos(gam),
                                   np.sin(theta) * np.sin(gam) + np.cos(theta) * np.cos(gam),
                                   np.zeros(m)], -1)
    _, tof, phi_ff, r_apo = kepler.descend_to_radius(rb, vb, np.full(m, g1.planet[2]), mu=pl[0])
    phi_tot = (theta + phi_ff).reshape(kk.shape)
    rbn = rb_n
    q = _shape_residual(kind, value, gam, rbn, pl[2], phi_ff, r_apo - pl[2], tt.ravel() + tof)
    q = q.reshape(kk.shape)
    # along each t_cut column, the first kick (from lofted to flat) where q changes sign
    kick0 = np.full(n, np.radians(20.0))
    tcut0 = np.full(n, table.t_total_s)
    ks, ph = [], []
    for j in range(kk.shape[1]):
        col = q[:, j]
        ok = np.isfinite(col)
        sgn = np.sign(col[ok])
        idx = np.nonzero(sgn[:-1] != sgn[1:])[0]
        if idx.size == 0:
            ks.append(np.nan)
            ph.append(np.nan)
            continue
        i0 = idx[0]
        kv, qv, pv = table.kick_rad[ok], col[ok], phi_tot[ok, j]
        f = qv[i0] / (qv[i0] - qv[i0 + 1])
        ks.append(kv[i0] + f * (kv[i0 + 1] - kv[i0]))
        ph.append(pv[i0] + f * (pv[i0 + 1] - pv[i0]))
    ks, ph = np.array(ks), np.array(ph)
    good = np.isfinite(ph)
    if good.sum() >= 2:
        tg, kg, pg = table.t_cut_s[good], ks[good], np.maximum.accumulate(ph[good])
        tcut0 = np.interp(phi_target, pg, tg)
        kick0 = np.interp(phi_target, pg, kg)
        max_phi = pg[-1]
    else:
        max_phi = np.nan
    x0 = np.stack([kick0, tcut0, psi0], axis=-1)
    return x0, max_phi


# --------------------------------------------------------------------------- results
@dataclass
class TrajectoryBatch:
    """Solved trajectories; batch axis first. SI units; positions ECI unless named _ecef."""

    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    aim_lat_deg: np.ndarray
    aim_lon_deg: np.ndarray
    impact_lat_deg: np.ndarray
    impact_lon_deg: np.ndarray
    miss_m: np.ndarray
    status: np.ndarray
    controls: np.ndarray  # (n, 3) kick rad, t_cut s, azimuth rad
    events_t_s: np.ndarray  # (n, 4) burnout, apogee, re-entry (100 km), impact
    events_state: np.ndarray  # (n, 4, 6) ECI
    samples: np.ndarray  # (n, m, 7) t, r_eci, v_eci; NaN-padded
    max_range_m: float  # on a spherical non-rotating Earth, for this shape
    iterations: np.ndarray  # (n,) full integrations used

    @property
    def n(self) -> int:
        return self.status.shape[0]


def solve(spec: RocketSpec, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, *,
          shape: str = "min_energy", shape_value: float = 0.0, step_s: float | None = None,
          planet=flight.PLANET_WGS84, max_passes: int = 8) -> TrajectoryBatch:
    """Solve n launch -> aim trajectories for one missile type.

    Parameters
    ----------
    spec : the missile.
    launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg : (n,) geodetic degrees.
    shape : one of :data:`SHAPES`; shape_value in SI (m for apogee, s, rad for gamma).
    step_s : sample spacing in seconds for ``samples`` (None: no samples).
    planet : [mu, J2, a, e2, omega]; default WGS84 (spherical test planets have e2 = 0).

    Rows that cannot be solved carry a non-zero ``status`` and NaN results; nothing raises.
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; valid: {', '.join(SHAPES)}")
    lat1, lon1, lat2, lon2 = (np.atleast_1d(np.asarray(v, dtype=float)).copy() for v in
                              np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg))
    n = lat1.size
    planet = np.asarray(planet, dtype=float)
    table = boost_table(spec)
    geo = _geometry(np.radians(lat1), np.radians(lon1), np.radians(lat2), np.radians(lon2), planet)
    x, max_phi = _initial_guess(table, geo, shape, shape_value)
    # Newton on the fast model
    f = np.zeros((n, 3))
    t_fast = np.full(n, np.nan)
    for _ in range(40):
        f, t_fast = _fast_model(table, geo, x, shape, shape_value)
        bad = ~np.all(np.isfinite(f), axis=-1)
        if np.all((np.hypot(f[:, 0], f[:, 1]) < 1.0) | bad):
            break
        f = np.where(np.isfinite(f), f, 0.0)
        jac = _jacobian(table, geo, x, shape, shape_value, f)
        x = _newton_step(jac, f, x, table)
    st0 = _launch_states(np.radians(lat1), np.radians(lon1), planet)
    status = np.full(n, STATUS_NOT_CONVERGED, dtype=np.int64)
    iters = np.zeros(n, dtype=np.int64)
    events = np.full((n, flight.N_EV), np.nan)
    ev_states = np.full((n, flight.N_EV, 6), np.nan)
    # rows the fast model cannot bring within 50 km even at full burn are out of reach
    fast_miss = np.hypot(f[:, 0], f[:, 1])
    hopeless = (x[:, 1] >= table.t_total_s - 1e-6) & ~(fast_miss < 50e3)
    status[hopeless] = STATUS_OUT_OF_REACH
    active = np.nonzero(~hopeless)[0]
    tol_shape = _SHAPE_TOL[shape]
    do_samples = step_s is not None
    m = 0
    if do_samples:
        t_hi = np.nanmax(t_fast[active]) if active.size and np.isfinite(t_fast[active]).any() else 0.0
        m = int(np.ceil((1.05 * t_hi + 60.0) / step_s)) + 2  # rows that overrun are re-flown below
    samples = np.empty((n, m, 7))  # every recorded row is written whole by the integrator
    sampled = np.zeros(n, dtype=bool)
    written = np.zeros(n, dtype=np.int64)
    for _ in range(max_passes):
        if active.size == 0:
            break
        xa = x[active]
        # the first pass rarely converges (the fast model misses by km): record samples from pass 2 on
        record = do_samples and iters[active[0]] >= 1
        nw = np.zeros(active.size, dtype=np.int64)
        ev, evs, stt, _ = integrate(spec, st0[active], xa[:, 0], xa[:, 2], xa[:, 1], planet=planet,
                                    step_s=step_s or 0.0, samples=samples if record else None,
                                    sample_rows=active if record else None, n_written=nw)
        if record:
            written[active] = nw
        sampled[active] = record
        iters[active] += 1
        ga = _subset(geo, active)
        f = _full_residual(ga, ev, evs, shape, shape_value)
        miss = np.hypot(f[:, 0], f[:, 1])
        done = (stt == 0) & (miss < MISS_TOL_M) & (np.abs(f[:, 2]) < tol_shape)
        failed = stt != 0
        events[active] = ev
        ev_states[active] = evs
        status[active[done]] = STATUS_OK
        status[active[failed]] = stt[failed]
        cont = ~(done | failed)
        if not np.any(cont):
            active = active[:0]
            break
        ac = active[cont]
        fc = f[cont]
        f0, _ = _fast_model(table, _subset(geo, ac), x[ac], shape, shape_value)
        jac = _jacobian(table, _subset(geo, ac), x[ac], shape, shape_value, f0)
        x[ac] = _newton_step(jac, fc, x[ac], table)
        active = ac
    # rows that did not converge: out of reach if the aimpoint lies beyond the full-burn range of
    # this shape along its azimuth (fast model), else a genuine failure to converge
    stuck = np.nonzero(status == STATUS_NOT_CONVERGED)[0]
    if stuck.size:
        gs = _subset(geo, stuck)
        arc_aim = gs.r_imp * np.arccos(np.clip((gs.up * gs.aim_r).sum(-1) / gs.r_imp, -1, 1))
        a_up = gs.aim_r - (gs.aim_r * gs.up).sum(-1, keepdims=True) * gs.up
        psi_aim = np.arctan2((a_up * gs.east).sum(-1), (a_up * gs.north).sum(-1))
        dmax = _directional_max_range(table, gs, shape, shape_value, psi_aim)
        beyond = ~(arc_aim <= dmax * 1.01) | (x[stuck, 1] >= table.t_total_s - 1e-6)
        status[stuck[beyond]] = STATUS_OUT_OF_REACH
    if do_samples:
        ok_rows = status == STATUS_OK
        redo_mask = ok_rows & ~sampled
        if m:
            last_t = samples[np.arange(n), np.maximum(written - 1, 0), 0]
            redo_mask |= ok_rows & sampled & ((written == 0) | (last_t < events[:, flight.EV_IMPACT_T] - 1e-6))
        trunc = np.nonzero(redo_mask)[0]
        if trunc.size:  # converged before sampling, or buffer too short: fly them again
            m2 = int(np.ceil(np.nanmax(events[trunc, flight.EV_IMPACT_T]) / step_s)) + 2
            if m2 > m:
                big = np.empty((n, m2, 7))
                big[:, :m] = samples
                big[:, m:] = np.nan
                samples, m = big, m2
            nw = np.zeros(trunc.size, dtype=np.int64)
            integrate(spec, st0[trunc], x[trunc, 0], x[trunc, 2], x[trunc, 1], planet=planet, step_s=step_s,
                      samples=samples, sample_rows=trunc, n_written=nw)
            written[trunc] = nw
            sampled[trunc] = True
        never = ~(ok_rows & sampled)
        samples[never] = np.nan
        written[never] = 0
        k_used = int(written.max(initial=0))
        samples = samples[:, :k_used]
    imp_t = events[:, flight.EV_IMPACT_T]
    imp_ecef = _rotate_to_ecef(ev_states[:, flight.EV_IMPACT_T, :3], np.nan_to_num(imp_t), float(planet[4]))
    la, lo, _ = earth.ecef_to_geodetic(imp_ecef)
    miss = np.linalg.norm(imp_ecef - geo.aim_r, axis=-1)
    bad = status != STATUS_OK
    return TrajectoryBatch(
        launch_lat_deg=lat1, launch_lon_deg=lon1, aim_lat_deg=lat2, aim_lon_deg=lon2,
        impact_lat_deg=np.where(bad, np.nan, np.degrees(la)), impact_lon_deg=np.where(bad, np.nan, np.degrees(lo)),
        miss_m=np.where(bad, np.nan, miss), status=status, controls=x, events_t_s=events,
        events_state=ev_states, samples=samples, max_range_m=float(max_phi * earth.R_MEAN_M),
        iterations=iters,
    )


def _subset(geo: _Geometry, idx) -> _Geometry:
    return _Geometry(geo.launch_r[idx], geo.up[idx], geo.north[idx], geo.east[idx], geo.aim_r[idx],
                     geo.aim_e[idx], geo.aim_n[idx], geo.r_imp[idx], geo.omega, geo.planet)


def _full_residual(geo: _Geometry, ev, evs, kind, value):
    """Residuals (n, 3) of integrated trajectories, same definitions as the fast model."""
    rb = evs[:, flight.EV_BURNOUT_T, :3]
    vb = evs[:, flight.EV_BURNOUT_T, 3:]
    ri = evs[:, flight.EV_IMPACT_T, :3]
    t_imp = ev[:, flight.EV_IMPACT_T]
    r_ecef = _rotate_to_ecef(ri, np.nan_to_num(t_imp), geo.omega)
    me, mn = _miss_components(geo, r_ecef)
    rbn = np.linalg.norm(rb, axis=-1)
    rin = np.linalg.norm(ri, axis=-1)
    gamma_b = np.arcsin((rb * vb).sum(-1) / (rbn * np.linalg.norm(vb, axis=-1)))
    phi = np.arccos(np.clip((rb * ri).sum(-1) / (rbn * rin), -1.0, 1.0))
    apo = evs[:, flight.EV_APOGEE_T, :3]
    apo_alt = np.linalg.norm(apo, axis=-1) - rin
    if kind == "apogee":  # geodetic height of the apogee point
        apo_alt = earth.ecef_to_geodetic(apo)[2]
    return np.stack([me, mn, _shape_residual(kind, value, gamma_b, rbn, rin, phi, apo_alt, t_imp)], -1)
