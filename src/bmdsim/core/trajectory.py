"""Solve batches of launch -> aimpoint ballistic-missile trajectories on the rotating WGS84 Earth.

Controls per trajectory: loft angle ``kick`` (pitch-over tilt from vertical, rad), thrust-cut
time ``t_cut`` (s, <= total burn), launch azimuth ``psi`` (rad). Three equations fix them:
impact east and north miss at the aimpoint = 0, and one *shape* condition:

* ``min_energy`` (default): inertial burnout flight-path angle equals the minimum-energy angle
  of the burnout conic: for the burnout radius, the aimpoint's radius and the angle the conic
  travels between them (:func:`bmdsim.core.kepler.min_energy_gamma_rad`): the missile flies the
  minimum-energy conic, shedding surplus energy by thrust termination;
* ``apogee`` (m): apogee height; ``flight_time`` (s): launch to impact; ``gamma`` (rad):
  inertial flight-path angle at burnout. Lofted and depressed trajectories are given this way.

Method (defect correction). A *fast model* maps controls to impact: a per-missile table of
boost end states (tabulated once on a spherical non-rotating Earth, cubic splines in kick
and t_cut), rotated to the launch point and azimuth, plus the Earth's rotation velocity, then a
Kepler conic to the impact radius and the Earth turned under it. Newton's method on the fast
model gives the first controls. Then the compiled integrator (:mod:`bmdsim.core.flight`: J2,
rotation, drag in boost and re-entry) is run, its residual is corrected with the fast model's
Jacobian, and this repeats until the miss is below ``MISS_TOL_M``. Typically 2–4 integrations.

Launch frame (:func:`launch_frame`): geocentric up, east from the longitude, north = up x east;
the launch azimuth ``psi`` is measured there and the pitch-over heading is that direction held
fixed in inertial space, so launches at or metres from a pole are regular (the typed longitude
names the meridian the azimuth is measured from).

Reach (:func:`reach`, :func:`reach_toward_m`): the farthest aimpoint of a shape in a direction on
the rotating Earth, the full-burn trajectory of that shape (or, where full burn cannot fly it, the
farthest one the solver hits). The solver classes a row out of reach by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.interpolate import CubicSpline, RectBivariateSpline

from bmdsim.core import earth, flight, geodesy, kepler
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
STATUS_TOO_CLOSE = 6
STATUS_TEXT = {
    0: "ok", 1: "hit the ground during boost", 2: "no impact (orbital)", 3: "step budget exceeded",
    4: "aimpoint beyond reach for this shape", 5: "solver did not converge",
    6: "aimpoint closer than the shortest trajectory of this shape",
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


def launch_state(lat_rad, lon_rad, planet=flight.PLANET_WGS84):
    """ECI state (n, 6) at t = 0 of points on the ground: position (m) and the Earth's rotation velocity (m/s).

    ``lat_rad``, ``lon_rad``: (n,) geodetic. On a spherical test planet (``planet[3] == 0``) the point
    is put on the sphere of radius ``planet[2]``.
    """
    r0 = earth.geodetic_to_ecef(lat_rad, lon_rad, 0.0)
    if planet[3] == 0.0:
        r0 = r0 / np.linalg.norm(r0, axis=-1, keepdims=True) * planet[2]
    v0 = np.zeros_like(r0)
    v0[..., 0] = -planet[4] * r0[..., 1]
    v0[..., 1] = planet[4] * r0[..., 0]
    return np.concatenate([r0, v0], axis=-1)


def launch_frame(r0, lon_rad):
    """Launch frame: up, north, east unit vectors, each (n, 3), at positions ``r0`` (n, 3) m.

    ``up`` is the geocentric radial; ``east = (-sin lon, cos lon, 0)`` is taken from the longitude, not
    from ``z x up``, so that it stays defined at the poles (where the typed longitude picks the
    meridian along which "north" points, the limit of the frame along that meridian); ``north = up x
    east``. Away from the poles this is the usual geocentric east-north-up frame.
    """
    r0 = np.asarray(r0, dtype=float)
    up = r0 / np.linalg.norm(r0, axis=-1, keepdims=True)
    lon = np.broadcast_to(np.asarray(lon_rad, dtype=float), up.shape[:-1])
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], axis=-1)
    north = np.cross(up, east)
    return up, north, east


def _headings(psi, north, east):
    return np.cos(psi)[:, None] * north + np.sin(psi)[:, None] * east


def integrate(spec: RocketSpec, state0, kick, psi, t_cut, *, launch_lon_rad=None, planet=flight.PLANET_WGS84,
              step_s=0.0, n_samples=0, with_boost=True, beta=None, samples=None, sample_rows=None, n_written=None):
    """Run the compiled integrator on n rows; returns (events (n,4), ev_states (n,4,6), status (n,), samples).

    ``psi`` (n,) is the launch azimuth (rad) in the launch frame of :func:`launch_frame`; its longitude
    is ``launch_lon_rad`` (n,), by default that of the launch position (give it at a pole, where the
    position does not carry one). Samples go to a new (n, n_samples, 7) array, or into rows
    ``sample_rows`` of ``samples`` if given (each such row is rewritten whole: samples, then NaN).
    ``n_written`` (n,) receives the counts.
    """
    state0 = np.ascontiguousarray(state0, dtype=float)
    r0 = state0[:, :3]
    lon = np.arctan2(r0[:, 1], r0[:, 0]) if launch_lon_rad is None else launch_lon_rad
    _, north, east = launch_frame(r0, lon)
    heading = _headings(np.broadcast_to(np.asarray(psi, dtype=float), (state0.shape[0],)), north, east)
    return _fly(spec, state0, kick, heading, t_cut, planet=planet, step_s=step_s, n_samples=n_samples,
                with_boost=with_boost, beta=beta, samples=samples, sample_rows=sample_rows, n_written=n_written)


def _fly(spec, state0, kick, heading, t_cut, *, planet=flight.PLANET_WGS84, step_s=0.0, n_samples=0,
         with_boost=True, beta=None, samples=None, sample_rows=None, n_written=None):
    """:func:`integrate` with the pitch-over heading given as ECI unit vectors (n, 3)."""
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
        np.ascontiguousarray(np.broadcast_to(kick, (n,)), dtype=float), np.ascontiguousarray(heading, dtype=float),
        np.ascontiguousarray(np.broadcast_to(t_cut, (n,)), dtype=float), beta, sch.as_tuple(),
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
    st0 = launch_state(np.zeros(kk.size), np.zeros(kk.size), planet)
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
    """Integrate only the boost, heading east from (0 N, 0 E); the ballistic part is skipped."""
    sch = _schedule(spec)
    n = st0.shape[0]
    out = np.empty((n, 6))
    status = np.empty(n, dtype=np.int64)
    heading = np.zeros((n, 3))
    heading[:, 1] = 1.0  # east at (0 N, 0 E)
    flight.boost_only_batch(np.ascontiguousarray(st0), np.ascontiguousarray(kick), heading,
                            np.ascontiguousarray(t_cut), sch.as_tuple(), planet, flight.LOG_RHO_TABLE, out, status)
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


def _ground_point(lat, lon, planet):
    r = earth.geodetic_to_ecef(lat, lon, 0.0)
    if planet[3] == 0.0:
        r = r / np.linalg.norm(r, axis=-1, keepdims=True) * planet[2]
    return r


def _geometry(lat1, lon1, lat2, lon2, planet) -> _Geometry:
    r0 = launch_state(lat1, lon1, planet)[:, :3]
    up, north, east = launch_frame(r0, lon1)
    aim = _ground_point(lat2, lon2, planet)
    ae, an, _ = earth.enu_basis(lat2, lon2)
    return _Geometry(r0, up, north, east, aim, ae, an, np.linalg.norm(aim, axis=-1), float(planet[4]), planet)


def _subset(geo: _Geometry, idx) -> _Geometry:
    return _Geometry(geo.launch_r[idx], geo.up[idx], geo.north[idx], geo.east[idx], geo.aim_r[idx],
                     geo.aim_e[idx], geo.aim_n[idx], geo.r_imp[idx], geo.omega, geo.planet)


def _plane_azimuth(geo: _Geometry, r_ecef):
    """Azimuth (rad, clockwise from north in the launch frame) of the plane through the Earth's centre,
    the launch point and ``r_ecef`` (n, 3); undefined (any value) for the launch point and its antipode."""
    a_up = r_ecef - (r_ecef * geo.up).sum(-1, keepdims=True) * geo.up
    return np.arctan2((a_up * geo.east).sum(-1), (a_up * geo.north).sum(-1))


def _central_angle(u, w):
    """Angle (rad) between position vectors u and w (..., 3), accurate at all angles."""
    return np.arctan2(np.linalg.norm(np.cross(u, w), axis=-1), (u * w).sum(-1))


def _shape_residual(kind, value, gamma_b, r_b, r_i, phi, apo_alt_m, t_imp):
    if kind == "min_energy":
        return gamma_b - kepler.min_energy_gamma_rad(r_b, r_i, phi)
    if kind == "gamma":
        return gamma_b - value
    if kind == "apogee":
        return apo_alt_m - value
    return t_imp - value  # flight_time


def _gamma(r, v):
    return np.arcsin((r * v).sum(-1) / (np.linalg.norm(r, axis=-1) * np.linalg.norm(v, axis=-1)))


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
    arc = geo.r_imp * _central_angle(iu, au)
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


def _fast_flight(table: BoostTable, geo: _Geometry, x, kind, value):
    """Fast model at controls x (n, 3): impact ECEF (n, 3), impact time (n,) and shape residual (n,).

    The conic descends to the radius ``geo.r_imp``; the shape residual is evaluated on that conic.
    """
    kick, t_cut, psi = x[:, 0], x[:, 1], x[:, 2]
    theta, rb_n, vb_n, gam = table(kick, t_cut)
    rb_n = rb_n - geo.planet[2] + np.linalg.norm(geo.launch_r, axis=-1)  # keep burnout height
    hdir = _headings(psi, geo.north, geo.east)
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
    apo_alt = r_apo - geo.r_imp  # fast-model apogee height over the aimpoint's radius
    shape = _shape_residual(kind, value, _gamma(rb, vb), np.linalg.norm(rb, axis=-1), geo.r_imp, phi, apo_alt,
                            t_imp)
    return r_ecef, t_imp, shape


def _fast_model(table: BoostTable, geo: _Geometry, x, kind, value):
    """Residuals (n, 3) [east m, north m, shape] and impact time of the fast model at controls x (n, 3)."""
    r_ecef, t_imp, shape = _fast_flight(table, geo, x, kind, value)
    me, mn = _miss_components(geo, r_ecef)
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
    """Controls (n, 3) from the non-rotating fast model on the table grid (rotation ignored)."""
    n = geo.launch_r.shape[0]
    phi_target = _central_angle(geo.up, geo.aim_r)
    psi0 = _plane_azimuth(geo, geo.aim_r)
    kk, tt = np.meshgrid(table.kick_rad, table.t_cut_s, indexing="ij")
    m = kk.size
    pl = np.array([geo.planet[0], 0.0, geo.planet[2], 0.0, 0.0])
    theta, rb_n, vb_n, gam = table(kk.ravel(), tt.ravel())
    # burnout state in the plane of fire, from (1, 0, 0) toward +y
    rb = np.stack([rb_n * np.cos(theta), rb_n * np.sin(theta), np.zeros(m)], -1)
    vb = vb_n[:, None] * np.stack([np.cos(theta) * np.sin(gam) - np.sin(theta) * np.cos(gam),
                                   np.sin(theta) * np.sin(gam) + np.cos(theta) * np.cos(gam), np.zeros(m)], -1)
    _, tof, phi_ff, r_apo = kepler.descend_to_radius(rb, vb, np.full(m, pl[2]), mu=pl[0])
    phi_tot = (theta + phi_ff).reshape(kk.shape)
    q = _shape_residual(kind, value, gam, rb_n, pl[2], phi_ff, r_apo - pl[2], tt.ravel() + tof).reshape(kk.shape)
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
    return np.stack([kick0, tcut0, psi0], axis=-1)


def _full_shape(geo: _Geometry, ev, evs, kind, value):
    """Shape residual (n,) of integrated trajectories, same definitions as the fast model.

    minimum energy: on the burnout conic (burnout state -> the radius ``geo.r_imp``); apogee: the
    integrated apogee's height (geodetic on WGS84, above the sphere on a spherical planet); flight
    time: launch to the integrated impact.
    """
    rb = evs[:, flight.EV_BURNOUT_T, :3]
    vb = evs[:, flight.EV_BURNOUT_T, 3:]
    t_imp = ev[:, flight.EV_IMPACT_T]
    gamma_b = _gamma(rb, vb)
    phi = np.full(rb.shape[0], np.nan)
    apo_alt = phi
    if kind == "min_energy":
        _, _, phi, _ = kepler.descend_to_radius(rb, vb, geo.r_imp, mu=geo.planet[0])
    elif kind == "apogee":
        apo = evs[:, flight.EV_APOGEE_T, :3]
        if geo.planet[3] == 0.0:
            apo_alt = np.linalg.norm(apo, axis=-1) - geo.planet[2]
        else:  # geodetic height of the apogee point (invariant under the ECI -> ECEF turn about z)
            apo_alt = earth.ecef_to_geodetic(apo)[2]
    return _shape_residual(kind, value, gamma_b, np.linalg.norm(rb, axis=-1), geo.r_imp, phi, apo_alt, t_imp)


def _impact_ecef(ev, evs, omega):
    t_imp = ev[:, flight.EV_IMPACT_T]
    return _rotate_to_ecef(evs[:, flight.EV_IMPACT_T, :3], np.nan_to_num(t_imp), omega)


def _full_residual(geo: _Geometry, ev, evs, kind, value):
    """Residuals (n, 3) of integrated trajectories, same definitions as the fast model."""
    me, mn = _miss_components(geo, _impact_ecef(ev, evs, geo.omega))
    return np.stack([me, mn, _full_shape(geo, ev, evs, kind, value)], -1)


# --------------------------------------------------------------------------- reach
REACH_CROSS_TOL_M = 20.0  # the full-burn impact lies within this of the plane of the direction
REACH_TABLE_STEP_DEG = 5.0  # azimuth step of a per-launch-point reach table


@dataclass
class Reach:
    """Reach of a missile from launch points along given directions; batch axis first, SI units.

    ``range_m``: geodesic distance (m, WGS84 or the planet's sphere) from the launch point to the impact
    point of the full-burn trajectory of the shape that lands in the plane through the Earth's centre,
    the launch point and the direction (NaN where no trajectory of that shape could be found).
    ``impact_lat_deg``, ``impact_lon_deg``: that impact point; ``controls`` (n, 3) kick rad, t_cut s,
    azimuth rad; ``converged`` (n,) whether the full integration met the tolerances; ``exact`` (n,)
    whether that trajectory is the full-burn one (False where full burn cannot meet the shape in that
    direction and the latest thrust cut that can was searched instead, see :func:`_reach`).
    """

    range_m: np.ndarray
    impact_lat_deg: np.ndarray
    impact_lon_deg: np.ndarray
    controls: np.ndarray
    converged: np.ndarray
    exact: np.ndarray


def _reach_at(spec, table, geo: _Geometry, az, kind, value, t_cut, x0=None, max_passes=15):
    """Controls and impact of the shape's trajectory with thrust cut at ``t_cut`` (n,) that lands in the
    plane of azimuth ``az`` (n,) rad. Returns (x (n, 3), impact ECEF (n, 3), converged (n,))."""
    n = az.shape[0]
    planet = geo.planet
    h_az = _headings(az, geo.north, geo.east)
    nrm = np.cross(geo.up, h_az)  # unit normal of the plane of the direction
    # a provisional "aimpoint" along the direction carries the impact radius for the conic
    ge = _Geometry(geo.launch_r, geo.up, geo.north, geo.east, geo.launch_r.copy(), geo.aim_e, geo.aim_n,
                   np.linalg.norm(geo.launch_r, axis=-1), geo.omega, planet)

    def fast(xk):
        r_ecef, _, shape = _fast_flight(table, ge, xk, kind, value)
        u = r_ecef / np.linalg.norm(r_ecef, axis=-1, keepdims=True)
        return np.stack([ge.r_imp * np.arcsin(np.clip((u * nrm).sum(-1), -1, 1)), shape], -1), r_ecef

    def step(xk, f0, f):
        """Newton step from xk: forward-difference Jacobian of the fast model (f0 = fast(xk)), residual f."""
        jac = np.empty((n, 2, 2))
        for col, (j, h) in enumerate(((0, 1e-5), (2, 1e-6))):
            xp = xk.copy()
            xp[:, j] += h
            jac[:, :, col] = (fast(xp)[0] - f0) / h
        f = np.nan_to_num(f)
        with np.errstate(invalid="ignore", divide="ignore"):
            det = jac[:, 0, 0] * jac[:, 1, 1] - jac[:, 0, 1] * jac[:, 1, 0]
            dk = -(jac[:, 1, 1] * f[:, 0] - jac[:, 0, 1] * f[:, 1]) / det
            dp = -(jac[:, 0, 0] * f[:, 1] - jac[:, 1, 0] * f[:, 0]) / det
        dk = np.clip(np.nan_to_num(dk), -np.radians(5.0), np.radians(5.0))
        dp = np.clip(np.nan_to_num(dp), -np.radians(5.0), np.radians(5.0))
        xn = xk.copy()
        xn[:, 0] = np.clip(xk[:, 0] + dk, table.kick_rad[0], table.kick_rad[-1])
        xn[:, 2] = xk[:, 2] + dp
        return xn

    def set_radius(r_ecef, rows):
        la, lo, _ = earth.ecef_to_geodetic(r_ecef[rows])
        ge.aim_r[rows] = _ground_point(la, lo, planet)
        ge.r_imp[rows] = np.linalg.norm(ge.aim_r[rows], axis=-1)

    if x0 is None:
        x = np.stack([np.full(n, np.radians(20.0)), t_cut, az.astype(float)], -1)
    else:
        x = x0.copy()
        x[:, 1] = t_cut
    tol = _SHAPE_TOL[kind]
    for _ in range(25):  # Newton on the fast model, the impact radius following the impact point
        f, _ = fast(x)
        if np.all((np.abs(f[:, 0]) < 1.0) & (np.abs(f[:, 1]) < 0.1 * tol)):
            break
        x = step(x, f, f)
        _, r_ecef = fast(x)
        set_radius(r_ecef, np.all(np.isfinite(r_ecef), axis=-1))
    st0 = np.concatenate([geo.launch_r, np.cross([0.0, 0.0, planet[4]], geo.launch_r)], axis=-1)
    converged = np.zeros(n, dtype=bool)
    status = np.zeros(n, dtype=np.int64)
    imp = np.full((n, 3), np.nan)
    active = np.arange(n)
    for _ in range(max_passes):  # only the rows not yet converged are flown again
        a = active
        ev, evs, st, _ = _fly(spec, st0[a], x[a, 0], _headings(x[a, 2], geo.north[a], geo.east[a]), x[a, 1],
                              planet=planet)
        status[a] = st
        imp[a] = np.where((st == 0)[:, None], _impact_ecef(ev, evs, geo.omega), np.nan)
        ok = np.all(np.isfinite(imp[a]), axis=-1)
        ge.aim_r[a[ok]] = imp[a[ok]]
        ge.r_imp[a[ok]] = np.linalg.norm(imp[a[ok]], axis=-1)
        u = imp[a] / np.linalg.norm(imp[a], axis=-1, keepdims=True)
        f = np.zeros((n, 2))
        f[a] = np.stack([ge.r_imp[a] * np.arcsin(np.clip((u * nrm[a]).sum(-1), -1, 1)),
                         _full_shape(_subset(ge, a), ev, evs, kind, value)], -1)
        converged[a] = ok & (np.abs(f[a, 0]) < REACH_CROSS_TOL_M) & (np.abs(f[a, 1]) < tol)
        active = a[~converged[a]]
        if active.size == 0:
            break
        f0, _ = fast(x)  # defect correction: the fast model's Jacobian, the full model's residual
        x[active] = step(x, f0, f)[active]
    converged &= (imp * h_az).sum(-1) > 0.0  # the impact lies ahead along the direction, not behind
    return x, imp, converged


REACH_SOLVER_BISECTIONS = 14  # distance halvings where the full-burn trajectory of the shape cannot be found


def _plane_point(geo: _Geometry, az, theta):
    """Ground point (n, 3) ECEF in the plane of azimuth ``az`` (rad) at central angle ``theta`` (rad)."""
    u = np.cos(theta)[:, None] * geo.up + np.sin(theta)[:, None] * _headings(az, geo.north, geo.east)
    if geo.planet[3] == 0.0:
        return geo.planet[2] * u
    b2 = geo.planet[2] ** 2 * (1.0 - geo.planet[3])
    rho = 1.0 / np.sqrt((u[:, 0] ** 2 + u[:, 1] ** 2) / geo.planet[2] ** 2 + u[:, 2] ** 2 / b2)
    return rho[:, None] * u


def _reach(spec, table, geo: _Geometry, az, kind, value) -> Reach:
    """Full-model reach along plane azimuths ``az`` (n,) rad from the launch points of ``geo``.

    The full-burn trajectory of the shape, by defect correction (:func:`_reach_at`). Where it cannot
    be found (near-orbital ICBMs fired east from low latitudes: the flat gravity-turn shots cannot
    reach the minimum-energy angle at full burn, the shape's trajectories then form two branches
    meeting at a latest thrust cut, and the range there is extremely sensitive to it), the reach is
    found with the solver itself: bisection on the central angle of aimpoints in the plane
    (``REACH_SOLVER_BISECTIONS`` halvings, ~1 km), the farthest that :func:`solve` hits. ``exact`` is
    False for those rows.
    """
    n = az.shape[0]
    x, imp, good = _reach_at(spec, table, geo, az, kind, value, np.full(n, table.t_total_s))
    exact = good.copy()
    todo = np.nonzero(~good)[0]
    if todo.size:
        gs = _subset(geo, todo)
        a = az[todo]
        lat0, _, _ = earth.ecef_to_geodetic(gs.launch_r)
        lon0 = np.arctan2(-gs.east[:, 0], gs.east[:, 1])  # the launch frame's longitude (kept at the poles)
        lo = np.zeros(todo.size)
        hi = np.full(todo.size, np.pi - 0.02)  # short of the antipode, where the direction is undefined
        best = np.full((todo.size, 3), np.nan)
        best_x = np.full((todo.size, 3), np.nan)
        for _ in range(REACH_SOLVER_BISECTIONS):
            mid = 0.5 * (lo + hi)
            aim = _plane_point(gs, a, mid)
            la2, lo2, _ = earth.ecef_to_geodetic(aim)
            b = _solve(spec, np.degrees(lat0), np.degrees(lon0), np.degrees(la2), np.degrees(lo2), kind, value,
                       None, geo.planet, 8, classify=False)
            ok = b.status == STATUS_OK
            best[ok] = _impact_ecef(b.events_t_s[ok], b.events_state[ok], geo.omega)
            best_x[ok] = b.controls[ok]
            lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
        found = np.all(np.isfinite(best), axis=-1)
        good[todo[found]] = True
        imp[todo[found]] = best[found]
        x[todo[found]] = best_x[found]
    planet = geo.planet
    la, lo_, _ = earth.ecef_to_geodetic(np.where(good[:, None], imp, geo.launch_r))
    la0, lo0, _ = earth.ecef_to_geodetic(geo.launch_r)
    if planet[3] == 0.0:
        rng = planet[2] * _central_angle(geo.launch_r, imp)
    else:
        rng, _, _ = geodesy.inverse(np.degrees(la0), np.degrees(lo0), np.degrees(la), np.degrees(lo_))
    nan = np.where(good, 0.0, np.nan)
    return Reach(range_m=rng + nan, impact_lat_deg=np.degrees(la) + nan,
                 impact_lon_deg=np.degrees(lo_) + nan, controls=x, converged=good, exact=exact & good)


def reach(spec: RocketSpec, launch_lat_deg, launch_lon_deg, azimuth_deg, *, shape: str = "min_energy",
          shape_value: float = 0.0, planet=flight.PLANET_WGS84) -> Reach:
    """Reach of one missile type from n launch points along n directions, on the full model.

    Parameters
    ----------
    spec : the missile.
    launch_lat_deg, launch_lon_deg : (n,) geodetic degrees.
    azimuth_deg : (n,) direction: the azimuth (deg clockwise from north, in the launch frame of
        :func:`launch_frame`) of the plane through the Earth's centre, the launch point and the
        aimpoints of interest (:func:`plane_azimuth_deg` gives it for an aimpoint).
    shape, shape_value : as in :func:`solve`.
    planet : [mu, J2, a, e2, omega]; default the rotating WGS84 Earth.

    Returns a :class:`Reach`: the full-burn trajectory of the shape (the most a missile that sheds
    surplus energy by thrust termination can do for that shape), flown by the compiled integrator
    (J2, rotation, drag), that lands in the plane; its range is what :func:`solve` can reach in that
    direction (aimpoints nearer are solved, farther ones are out of reach: in 2,240 random pairs of
    all catalog missiles around the reach, one disagreement, 0.1 % beyond it; tests/test_calibration.py
    checks a 0.5 % margin). Costs
    2-4 integrations per row; rows where full burn cannot meet the shape (``exact`` False, see
    :func:`_reach`) cost ~14 solves. Inputs broadcast; nothing raises (NaN range where no trajectory
    of the shape exists in that direction).
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; valid: {', '.join(SHAPES)}")
    lat, lon, az = (np.atleast_1d(np.asarray(v, dtype=float)).ravel().copy() for v in
                    np.broadcast_arrays(launch_lat_deg, launch_lon_deg, azimuth_deg))
    planet = np.asarray(planet, dtype=float)
    geo = _geometry(np.radians(lat), np.radians(lon), np.radians(lat), np.radians(lon), planet)
    return _reach(spec, boost_table(spec), geo, np.radians(az), shape, shape_value)


def plane_azimuth_deg(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, planet=flight.PLANET_WGS84):
    """Azimuth (deg, [-180, 180]) in the launch frame of the plane through the Earth's centre, the launch
    point and the aimpoint: the direction argument of :func:`reach` for that aimpoint. Inputs (n,)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.atleast_1d(np.asarray(v, dtype=float)).ravel()) for v in
                              np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg))
    geo = _geometry(lat1, lon1, lat2, lon2, np.asarray(planet, dtype=float))
    return np.degrees(_plane_azimuth(geo, geo.aim_r))


@lru_cache(maxsize=256)
def _reach_table(spec, lat_deg, lon_deg, shape, shape_value, planet_key):
    az = np.arange(0.0, 360.0, REACH_TABLE_STEP_DEG)
    r = reach(spec, lat_deg, lon_deg, az, shape=shape, shape_value=shape_value, planet=np.array(planet_key))
    if not np.all(np.isfinite(r.range_m)):
        return None
    return CubicSpline(np.append(az, 360.0), np.append(r.range_m, r.range_m[0]), bc_type="periodic")


def reach_toward_m(spec: RocketSpec, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, *,
                   shape: str = "min_energy", shape_value: float = 0.0, planet=flight.PLANET_WGS84):
    """Reach (m) of one missile type from each launch point toward each aimpoint; inputs (n,), output (n,).

    The reach of :func:`reach` in the aimpoint's direction (:func:`plane_azimuth_deg`). Launch points
    shared by more rows than a table has nodes (360 / ``REACH_TABLE_STEP_DEG``) use a periodic
    cubic spline in azimuth through the reach computed every ``REACH_TABLE_STEP_DEG`` degrees
    (cached per launch point). Measured against the direct computation: within 0.001 % for
    minimum-energy shapes (0.02 % checked in tests/test_calibration.py), 0.1 % for the depressed
    Iskander (its reach carries the 500 m apogee tolerance), ~1 % in directions where full burn cannot
    fly the shape and the reach comes from the solver (near-orbital ICBMs fired east from low
    latitudes). NaN where no trajectory of the shape exists in that direction.
    """
    lat1, lon1, lat2, lon2 = (np.atleast_1d(np.asarray(v, dtype=float)).ravel() for v in
                              np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg))
    planet = np.asarray(planet, dtype=float)
    az = plane_azimuth_deg(lat1, lon1, lat2, lon2, planet)
    out = np.full(lat1.size, np.nan)
    keys, inv = np.unique(np.stack([lat1, lon1], -1), axis=0, return_inverse=True)
    inv = inv.ravel()
    n_nodes = int(round(360.0 / REACH_TABLE_STEP_DEG))
    direct = np.zeros(lat1.size, dtype=bool)
    for k, (la, lo) in enumerate(keys):
        rows = np.nonzero(inv == k)[0]
        spline = None
        if rows.size > n_nodes:
            spline = _reach_table(spec, float(la), float(lo), shape, float(shape_value), tuple(planet.tolist()))
        if spline is None:
            direct[rows] = True
        else:
            out[rows] = spline(np.mod(az[rows], 360.0))
    if direct.any():
        out[direct] = reach(spec, lat1[direct], lon1[direct], az[direct], shape=shape, shape_value=shape_value,
                            planet=planet).range_m
    return out


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
    reach_m: np.ndarray  # (n,) reach toward the aimpoint (see :func:`reach`) where it was needed, else NaN
    min_range_m: np.ndarray  # (n,) shortest range of the shape toward the aimpoint where it was needed, else NaN
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

    Rows that cannot be solved carry a non-zero ``status`` and NaN results; nothing raises. A row is
    out of reach (``STATUS_OUT_OF_REACH``) when the aimpoint lies farther than :func:`reach` in its
    direction (that reach is returned in ``reach_m``); aimpoints nearer than the reach are solved.
    A row is too close (``STATUS_TOO_CLOSE``) when the aimpoint lies nearer than the shortest
    trajectory of the shape in its direction (thrust cut 2 s after the pitch-over; ``min_range_m``).
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; valid: {', '.join(SHAPES)}")
    return _solve(spec, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, shape, shape_value, step_s,
                  np.asarray(planet, dtype=float), max_passes, classify=True)


def _solve(spec, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, shape, shape_value, step_s, planet,
           max_passes, *, classify: bool) -> TrajectoryBatch:
    """:func:`solve`; with ``classify`` False, rows are not classed out of reach (no reach is computed:
    unsolved rows keep ``STATUS_NOT_CONVERGED``), as :func:`_reach` needs when it bisects with the solver."""
    lat1, lon1, lat2, lon2 = (np.atleast_1d(np.asarray(v, dtype=float)).copy() for v in
                              np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg))
    n = lat1.size
    table = boost_table(spec)
    geo = _geometry(np.radians(lat1), np.radians(lon1), np.radians(lat2), np.radians(lon2), planet)
    x = _initial_guess(table, geo, shape, shape_value)
    # Newton on the fast model, each row until its fast-model miss is below 1 m
    f = np.zeros((n, 3))
    t_fast = np.full(n, np.nan)
    act = np.arange(n)
    prev = np.full(n, np.inf)
    for _ in range(40):
        ga = _subset(geo, act)
        fa, t_fast[act] = _fast_model(table, ga, x[act], shape, shape_value)
        f[act] = fa
        miss = np.hypot(fa[:, 0], fa[:, 1])
        # a row stops when it hits (1 m), fails, or is stuck at full burn without getting nearer
        stalled = (x[act, 1] >= table.t_total_s - 1e-6) & (miss > 0.99 * prev[act])
        prev[act] = miss
        keep = ~((miss < 1.0) | ~np.all(np.isfinite(fa), axis=-1) | stalled)
        if not keep.any():
            break
        act, ga, fa = act[keep], _subset(ga, keep), fa[keep]
        fa = np.where(np.isfinite(fa), fa, 0.0)
        jac = _jacobian(table, ga, x[act], shape, shape_value, fa)
        x[act] = _newton_step(jac, fa, x[act], table)
    st0 = launch_state(np.radians(lat1), np.radians(lon1), planet)
    status = np.full(n, STATUS_NOT_CONVERGED, dtype=np.int64)
    iters = np.zeros(n, dtype=np.int64)
    events = np.full((n, flight.N_EV), np.nan)
    ev_states = np.full((n, flight.N_EV, 6), np.nan)
    reach_m = np.full(n, np.nan)
    min_range_m = np.full(n, np.nan)
    if planet[3] == 0.0:
        dist = planet[2] * _central_angle(geo.launch_r, geo.aim_r)
    else:
        dist, _, _ = geodesy.inverse(lat1, lon1, lat2, lon2)
    # rows the fast model drives to full burn without hitting: measure the reach toward them on
    # the full model; those beyond it are out of reach and are not flown
    fast_miss = np.hypot(f[:, 0], f[:, 1])
    suspect = np.nonzero((x[:, 1] >= table.t_total_s - 1e-6) & ~(fast_miss < 1e3))[0]
    if suspect.size and classify:
        gs = _subset(geo, suspect)
        reach_m[suspect] = _reach(spec, table, gs, _plane_azimuth(gs, gs.aim_r), shape, shape_value).range_m
        status[suspect[~(dist[suspect] <= reach_m[suspect])]] = STATUS_OUT_OF_REACH
    active = np.nonzero(status == STATUS_NOT_CONVERGED)[0]
    tol_shape = _SHAPE_TOL[shape]
    do_samples = step_s is not None
    m = 0
    if do_samples:
        t_hi = np.nanmax(t_fast[active]) if active.size and np.isfinite(t_fast[active]).any() else 0.0
        m = int(np.ceil((1.05 * t_hi + 60.0) / step_s)) + 2  # rows that overrun are re-flown below
    samples = np.empty((n, m, 7))  # every recorded row is written whole by the integrator
    sampled = np.zeros(n, dtype=bool)
    written = np.zeros(n, dtype=np.int64)

    def heading(rows):
        return _headings(x[rows, 2], geo.north[rows], geo.east[rows])

    for _ in range(max_passes):
        if active.size == 0:
            break
        xa = x[active]
        # the first pass rarely converges (the fast model misses by km): record samples from pass 2 on
        record = do_samples and iters[active[0]] >= 1
        nw = np.zeros(active.size, dtype=np.int64)
        ev, evs, stt, _ = _fly(spec, st0[active], xa[:, 0], heading(active), xa[:, 1], planet=planet,
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
    # rows that did not converge: out of reach if the aimpoint lies beyond the reach in its
    # direction, else a genuine failure to converge
    stuck = np.nonzero((status == STATUS_NOT_CONVERGED) & np.isnan(reach_m))[0]
    if stuck.size and classify:
        gs = _subset(geo, stuck)
        reach_m[stuck] = _reach(spec, table, gs, _plane_azimuth(gs, gs.aim_r), shape, shape_value).range_m
    stuck = np.nonzero(status == STATUS_NOT_CONVERGED)[0]
    if classify:
        status[stuck[~(dist[stuck] <= reach_m[stuck])]] = STATUS_OUT_OF_REACH
        # rows held at the earliest thrust cut: nearer than the shortest trajectory of the shape
        # (thrust cut right after the pitch-over) in their direction?
        near = np.nonzero((status == STATUS_NOT_CONVERGED) & (x[:, 1] <= table.t_cut_min_s + 1e-6))[0]
        if near.size:
            gs = _subset(geo, near)
            xm, imp, ok = _reach_at(spec, table, gs, _plane_azimuth(gs, gs.aim_r), shape, shape_value,
                                    np.full(near.size, table.t_cut_min_s))
            if planet[3] == 0.0:
                shortest = planet[2] * _central_angle(gs.launch_r, imp)
            else:
                la_i, lo_i, _ = earth.ecef_to_geodetic(np.where(ok[:, None], imp, gs.launch_r))
                shortest, _, _ = geodesy.inverse(lat1[near], lon1[near], np.degrees(la_i), np.degrees(lo_i))
            shortest = np.where(ok, shortest, np.nan)
            too_close = dist[near] < shortest
            min_range_m[near] = shortest
            status[near[too_close]] = STATUS_TOO_CLOSE
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
            _fly(spec, st0[trunc], x[trunc, 0], heading(trunc), x[trunc, 1], planet=planet, step_s=step_s,
                 samples=samples, sample_rows=trunc, n_written=nw)
            written[trunc] = nw
            sampled[trunc] = True
        never = ~(ok_rows & sampled)
        samples[never] = np.nan
        written[never] = 0
        k_used = int(written.max(initial=0))
        samples = samples[:, :k_used]
    imp_ecef = _impact_ecef(events, ev_states, float(planet[4]))
    la, lo, _ = earth.ecef_to_geodetic(imp_ecef)
    miss = np.linalg.norm(imp_ecef - geo.aim_r, axis=-1)
    bad = status != STATUS_OK
    return TrajectoryBatch(
        launch_lat_deg=lat1, launch_lon_deg=lon1, aim_lat_deg=lat2, aim_lon_deg=lon2,
        impact_lat_deg=np.where(bad, np.nan, np.degrees(la)), impact_lon_deg=np.where(bad, np.nan, np.degrees(lo)),
        miss_m=np.where(bad, np.nan, miss), status=status, controls=x, events_t_s=events,
        events_state=ev_states, samples=samples, reach_m=reach_m, min_range_m=min_range_m, iterations=iters,
    )
