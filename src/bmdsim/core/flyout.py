"""Interceptor fly-out envelope: least time tau_min(ground range, altitude) to reach a point.

Model (the open-literature baseline kinematic model, DESIGN.md "Baseline physics" item 5)
---------------------------------------------------------------------------------------
* The table is built for a **spherical, non-rotating Earth** of radius ``R_MEAN_M`` with
  **point-mass gravity** ``mu / r^2`` (no J2). The site is on the surface.
* For ``tb_s`` seconds the interceptor accelerates at the constant magnitude ``vbo_m_s / tb_s``
  along a **fixed inertial direction** in the vertical plane of fire, at elevation ``e`` above
  the site's horizontal, ``min_elev_rad <= e <= 90 deg``; gravity acts throughout. After
  ``tb_s`` it coasts in free fall (Kepler; integrated numerically here). Time counts from launch.
* ``vbo_m_s`` is the acceleration-times-burn-time parameter (the ideal velocity gain), **not** the
  burnout speed: gravity loss makes the real burnout speed lower, e.g. for a vertical launch
  about ``vbo - 9.8 m/s^2 * tb`` (2.41 km/s for vbo = 3.0 km/s, tb = 60 s; 6.03 km/s for
  vbo = 7.5 km/s, tb = 150 s). Quote open-literature burnout speeds with this in mind.
* A trajectory ends when it comes back to the ground. A launch whose initial vertical acceleration
  ``a sin(e) - g`` is negative would go underground at once, so the lowest elevation actually
  flown is ``max(min_elev, asin(g / a))`` (11.3 deg for a = 50 m/s^2); if ``a <= g`` nothing flies.
* The kill vehicle can intercept any point of its path; the altitude band ``[h_min_m, h_max_m]``
  is *not* applied inside the table (it covers 0 to the ceiling): use :func:`in_altitude_band`
  or :meth:`FlyoutTable.tau_min_in_band_s`. Points needing more than ``t_max_s`` are unreachable.

Left out: divert (lateral acceleration) limits of the kill vehicle, seeker acquisition range and
field of view, staging (a single constant-acceleration burn stands for all stages), atmospheric
drag on the interceptor, J2, and Earth rotation. Rotation is handled by the caller, who evaluates
target points in ECI relative to the site's inertial position at launch (ground range = great
circle arc from that position, altitude above the sphere). The site's rotation velocity (up to
0.465 km/s at the equator) is **not** added to the interceptor's initial velocity: a known
approximation of the baseline model (it makes eastward shots slightly pessimistic and westward
ones slightly optimistic).

How the table is built
----------------------
A fan of ``n_elev`` trajectories over elevation is integrated together with fixed-step RK4
(vectorized over the fan) to a little beyond ``t_max_s``. Each trajectory's ground range grows
monotonically, so it crosses every vertical line ``ground range = g_j`` once; for each column the
crossings (altitude, time, speed) of consecutive fan members are joined by straight segments and
rasterized onto the altitude nodes, keeping the least time. At a fixed ground range the crossing
altitude rises with elevation to the envelope and then falls (the *low* and the *high* branch).
Points below the lowest flown trajectory are reached only by descending (high-branch) paths, so
tau_min jumps across that trajectory; to interpolate without smearing the jump, the low branch is
tabulated against height above the lowest trajectory and the high branch against altitude, and a
query takes the lesser of the two valid values. Lookups are bilinear; a cell with an unreachable
corner gives NaN (so the reachable region is trimmed by at most one cell at its true boundary).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from bmdsim.core.earth import MU_EARTH_M3_PER_S2, R_MEAN_M

__all__ = [
    "InterceptorKinematics",
    "FlyoutTable",
    "build_flyout_table",
    "in_altitude_band",
    "surface_gravity_m_s2",
]

_HALF_PI = 0.5 * math.pi
_LIFTOFF_MARGIN_RAD = 1.0e-6  # lowest flown elevation sits this far above the lift-off angle


def surface_gravity_m_s2() -> float:
    """Point-mass gravity at the surface of the model sphere, ``mu / R_MEAN_M^2`` (m/s^2)."""
    return MU_EARTH_M3_PER_S2 / (R_MEAN_M * R_MEAN_M)


@dataclass(frozen=True)
class InterceptorKinematics:
    """Kinematic parameters of one interceptor type (SI units).

    Attributes
    ----------
    vbo_m_s : float
        Ideal velocity gain of the burn (m/s), = acceleration * burn time; > 0. The real burnout
        speed is lower by the gravity loss (see the module docstring).
    tb_s : float
        Burn time (s); > 0.
    min_elev_rad : float
        Lowest launch elevation above the site's horizontal (rad); 0 <= min_elev_rad < pi/2.
    h_min_m, h_max_m : float
        Altitude band (m) in which the kill vehicle can intercept; h_min_m < h_max_m.
    t_max_s : float
        Longest fly-out time (s); > 0.
    """

    vbo_m_s: float
    tb_s: float
    min_elev_rad: float
    h_min_m: float
    h_max_m: float
    t_max_s: float

    def __post_init__(self):
        for name in ("vbo_m_s", "tb_s", "min_elev_rad", "h_min_m", "h_max_m", "t_max_s"):
            value = getattr(self, name)
            try:
                x = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{name} = {value!r} is not a number") from None
            if not math.isfinite(x):
                raise ValueError(f"{name} = {value!r} must be a finite number")
            object.__setattr__(self, name, x)
        if self.vbo_m_s <= 0.0:
            raise ValueError(f"vbo_m_s = {self.vbo_m_s!r} is out of range: must be > 0 m/s")
        if self.tb_s <= 0.0:
            raise ValueError(f"tb_s = {self.tb_s!r} is out of range: must be > 0 s")
        if not 0.0 <= self.min_elev_rad < _HALF_PI:
            raise ValueError(
                f"min_elev_rad = {self.min_elev_rad!r} is out of range: must be in [0, pi/2) rad"
            )
        if not self.h_min_m < self.h_max_m:
            raise ValueError(
                f"h_min_m = {self.h_min_m!r} must be < h_max_m = {self.h_max_m!r} (m)"
            )
        if self.t_max_s <= 0.0:
            raise ValueError(f"t_max_s = {self.t_max_s!r} is out of range: must be > 0 s")

    @property
    def accel_m_s2(self) -> float:
        """Thrust acceleration ``vbo_m_s / tb_s`` (m/s^2)."""
        return self.vbo_m_s / self.tb_s

    @property
    def lowest_flown_elev_rad(self) -> float:
        """Lowest elevation that lifts off: ``max(min_elev, asin(g / a))`` (rad); nan if a <= g."""
        ratio = surface_gravity_m_s2() / self.accel_m_s2
        if ratio >= 1.0:
            return math.nan
        return min(max(self.min_elev_rad, math.asin(ratio) + _LIFTOFF_MARGIN_RAD), _HALF_PI)


def in_altitude_band(kin: InterceptorKinematics, alt_m):
    """True where ``kin.h_min_m <= alt_m <= kin.h_max_m``; array of the shape of ``alt_m``."""
    alt = np.asarray(alt_m, dtype=float)
    return (alt >= kin.h_min_m) & (alt <= kin.h_max_m)


@dataclass(frozen=True, eq=False)
class FlyoutTable:
    """Least fly-out time over (ground range, altitude); build with :func:`build_flyout_table`.

    Attributes
    ----------
    kin : InterceptorKinematics
        The parameters it was built for.
    range_step_m, alt_step_m : float
        Node spacing (m) of the ground-range axis (``n_range`` nodes from 0) and of the altitude
        axis (``n_alt`` nodes from 0; for the low branch: height above the lowest trajectory).
    tau_low_s, tau_high_s : ndarray, shape (n_range, n_alt)
        Least time (s) on the low branch (indexed by height above :meth:`lowest_trajectory_alt_m`)
        and on the high branch (indexed by altitude); NaN where not reached. Values may exceed
        ``t_max_s`` slightly (the fan is flown a little longer so that the ``t_max`` boundary
        interpolates cleanly); lookups apply ``t_max_s``.
    speed_low_m_s, speed_high_m_s : ndarray, shape (n_range, n_alt)
        Interceptor speed (m/s) on arrival along the same least-time paths.
    low_alt_m : ndarray, shape (n_range,)
        Altitude (m) of the lowest flown trajectory at each ground-range node (0 beyond its reach).
    ceiling_m : float
        Highest altitude (m) reachable within ``t_max_s``: the apex of the vertical shot, from
        energy conservation after burnout, or its altitude at ``t_max_s`` if the apex comes later.
    max_ground_range_m : float
        Farthest ground range (m, arc on the sphere) reached at any altitude within ``t_max_s``.
    elev_fan_rad : ndarray, shape (n_elev,)
        Launch elevations of the fan (rad).
    """

    kin: InterceptorKinematics
    range_step_m: float
    alt_step_m: float
    tau_low_s: np.ndarray
    tau_high_s: np.ndarray
    speed_low_m_s: np.ndarray
    speed_high_m_s: np.ndarray
    low_alt_m: np.ndarray
    ceiling_m: float
    max_ground_range_m: float
    elev_fan_rad: np.ndarray

    @property
    def range_grid_m(self) -> np.ndarray:
        """Ground-range nodes (m), shape (n_range,)."""
        return self.range_step_m * np.arange(self.tau_low_s.shape[0])

    @property
    def alt_grid_m(self) -> np.ndarray:
        """Altitude nodes (m), shape (n_alt,) (heights above the lowest trajectory for the low branch)."""
        return self.alt_step_m * np.arange(self.tau_low_s.shape[1])

    # --- lookups --------------------------------------------------------------------------
    def lowest_trajectory_alt_m(self, ground_range_m):
        """Altitude (m) of the lowest flown trajectory at ``ground_range_m`` (broadcast shape).

        Points below it are reached only by descending paths (later); 0 beyond its impact; NaN off
        the table.
        """
        g = np.asarray(ground_range_m, dtype=float)
        grid = self.range_grid_m
        out = np.interp(g, grid, self.low_alt_m)
        return np.where((g >= 0.0) & (g <= grid[-1]), out, np.nan)

    def _lookup(self, ground_range_m, alt_m, want_speed):
        g = np.asarray(ground_range_m, dtype=float)
        h = np.asarray(alt_m, dtype=float)
        shape = np.broadcast_shapes(g.shape, h.shape)
        g = np.broadcast_to(g, shape).ravel()
        h = np.broadcast_to(h, shape).ravel()
        n_g, n_a = self.tau_low_s.shape
        fg = g * (1.0 / self.range_step_m)
        off = ~((fg >= 0.0) & (fg <= n_g - 1))  # also catches NaN
        fg[off] = 0.0
        i = np.minimum(fg.astype(np.intp), n_g - 2)
        wg = fg - i
        lo = self.low_alt_m
        h_low = lo[i] + wg * (lo[i + 1] - lo[i])
        inv_dh = 1.0 / self.alt_step_m
        i0 = i * n_a  # flat offset of column i
        tl, kl, wl = _bilinear(self.tau_low_s, i0, wg, (h - h_low) * inv_dh)
        th, kh, wh = _bilinear(self.tau_high_s, i0, wg, h * inv_dh)
        tau = np.fmin(tl, th)
        bad = off | ~(tau <= self.kin.t_max_s)
        tau[bad] = np.nan
        if not want_speed:
            return tau.reshape(shape), None
        sl = _bilinear_at(self.speed_low_m_s, kl, wg, wl)
        sh = _bilinear_at(self.speed_high_m_s, kh, wg, wh)
        speed = np.where(tl == tau, sl, sh)
        speed[bad] = np.nan
        return tau.reshape(shape), speed.reshape(shape)

    def tau_min_s(self, ground_range_m, alt_m):
        """Least fly-out time (s) from launch to the point; NaN where unreachable within t_max.

        Parameters
        ----------
        ground_range_m : array_like
            Great-circle arc (m) on the sphere from the site to the point's sub-point, >= 0.
        alt_m : array_like
            Altitude (m) above the sphere, >= 0. Broadcasts with ``ground_range_m``.

        Returns
        -------
        ndarray of the broadcast shape. NaN off the table, beyond the reachable envelope (the
        last cell at its edge included) and where the least time exceeds ``t_max_s``. The
        altitude band is not applied (see :meth:`tau_min_in_band_s`).
        """
        return self._lookup(ground_range_m, alt_m, False)[0]

    def tau_min_in_band_s(self, ground_range_m, alt_m):
        """As :meth:`tau_min_s`, NaN also where the altitude is outside ``[h_min_m, h_max_m]``."""
        tau = self.tau_min_s(ground_range_m, alt_m)
        return np.where(in_altitude_band(self.kin, alt_m), tau, np.nan)

    def flyout_speed_m_s(self, ground_range_m, alt_m):
        """Interceptor speed (m/s, inertial, non-rotating model) on arrival along the least-time path.

        Same shape and NaN pattern as :meth:`tau_min_s`.
        """
        return self._lookup(ground_range_m, alt_m, True)[1]

    def tau_and_speed(self, ground_range_m, alt_m):
        """``(tau_min_s, flyout_speed_m_s)`` in one lookup."""
        return self._lookup(ground_range_m, alt_m, True)


def _bilinear(grid, i0, wg, fh):
    """Bilinear lookup in ``grid`` (n_g, n_a) at column offset ``i0 = i * n_a`` (flat), weight
    ``wg`` along range and fractional index ``fh`` along the second axis; NaN off the axis or if
    a corner is NaN. Returns ``(values, flat index of the lower-left corner, weight along axis 2)``.
    """
    n_a = grid.shape[1]
    off = ~((fh >= 0.0) & (fh <= n_a - 1))
    fh = np.where(off, 0.0, fh)
    j = np.minimum(fh.astype(np.intp), n_a - 2)
    wh = fh - j
    k = i0 + j
    v = _bilinear_at(grid, k, wg, wh)
    v[off] = np.nan
    return v, k, wh


def _bilinear_at(grid, k, wg, wh):
    n_a = grid.shape[1]
    flat = grid.reshape(-1)
    a00 = flat[k]
    a01 = flat[k + 1]
    a10 = flat[k + n_a]
    a11 = flat[k + (n_a + 1)]
    v0 = a00 + wh * (a01 - a00)
    v1 = a10 + wh * (a11 - a10)
    return v0 + wg * (v1 - v0)


# --- building ------------------------------------------------------------------------------
def _fly_fan(elev, accel, tb, t_breaks, dt):
    """Fixed-step RK4 of the fan in the plane of fire, vectorized over the fan.

    Frame: origin at the Earth's centre, y up through the site (0, R), x downrange. Returns the
    sample times (n_t,) and the states (n_elev, n_t, 4) = (x, y, vx, vy), batch axis first.
    Every time in ``t_breaks`` (burnout, t_max) is a step boundary.
    """
    ce = np.where(elev >= _HALF_PI, 0.0, np.cos(elev))
    se = np.sin(elev)
    n = elev.size
    s = np.zeros((4, n))
    s[1] = R_MEAN_M
    thrust = np.stack([accel * ce, accel * se])  # (2, n)
    zero = np.zeros_like(thrust)
    mu = MU_EARTH_M3_PER_S2

    def deriv(state, push):
        p = state[:2]
        r2 = p[0] * p[0] + p[1] * p[1]
        k = -mu / (r2 * np.sqrt(r2))
        out = np.empty_like(state)
        out[:2] = state[2:]
        np.multiply(p, k, out=out[2:])
        out[2:] += push
        return out

    times = [0.0]
    states = [s.copy()]
    for t0, t1 in zip(t_breaks[:-1], t_breaks[1:], strict=True):
        push = thrust if t1 <= tb * (1.0 + 1e-12) else zero
        n_steps = max(1, math.ceil((t1 - t0) / dt - 1e-9))
        h = (t1 - t0) / n_steps
        for m in range(n_steps):
            k1 = deriv(s, push)
            k2 = deriv(s + (0.5 * h) * k1, push)
            k3 = deriv(s + (0.5 * h) * k2, push)
            k4 = deriv(s + h * k3, push)
            s = s + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)
            times.append(t0 + (m + 1) * h)
            states.append(s)
    return np.asarray(times), np.stack(states).transpose(2, 0, 1)


def _expand(a, b, step, lo_min, hi_max):
    """For intervals [min(a, b), max(a, b)] (m,), the node indices ``n * step`` inside them.

    Returns ``(interval index, node index, weight)`` with ``node * step = a + weight * (b - a)``.
    """
    lo = np.maximum(np.ceil(np.minimum(a, b) / step).astype(np.intp), lo_min)
    hi = np.minimum(np.floor(np.maximum(a, b) / step).astype(np.intp), hi_max)
    cnt = np.maximum(hi - lo + 1, 0)
    seg = np.repeat(np.arange(cnt.size), cnt)
    start = np.cumsum(cnt) - cnt
    node = lo[seg] + (np.arange(seg.size) - start[seg])
    span = (b - a)[seg]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(span != 0.0, (node * step - a[seg]) / span, 0.0)
    return seg, node, np.clip(w, 0.0, 1.0)


def _scatter_min(cell, t, speed, tau_flat, speed_flat):
    """Keep the least time per flat cell; the speed goes with it."""
    np.minimum.at(tau_flat, cell, t)
    hit = t == tau_flat[cell]
    speed_flat[cell[hit]] = speed[hit]


@functools.lru_cache(maxsize=32)
def build_flyout_table(
    kin: InterceptorKinematics,
    n_elev: int = 721,
    dt_s: float = 1.0,
    n_range: int = 401,
    n_alt: int = 401,
) -> FlyoutTable:
    """Integrate the fan of fly-outs and tabulate the least time to each point.

    Parameters
    ----------
    kin : InterceptorKinematics
    n_elev : int
        Fan size: elevations evenly spaced from the lowest flown elevation to 90 deg.
    dt_s : float
        RK4 step (s); burnout and ``t_max`` fall on step boundaries.
    n_range, n_alt : int
        Nodes along ground range (0 to the farthest range flown) and altitude (0 to the top of
        the envelope).

    Returns
    -------
    FlyoutTable
        Cached per argument set (``functools.lru_cache``); its arrays are read-only.
    """
    if n_elev < 3 or n_range < 2 or n_alt < 2 or not dt_s > 0.0:
        raise ValueError(
            f"n_elev = {n_elev}, n_range = {n_range}, n_alt = {n_alt}, dt_s = {dt_s}: "
            "need n_elev >= 3, n_range >= 2, n_alt >= 2, dt_s > 0"
        )
    e_lo = kin.lowest_flown_elev_rad
    if not math.isfinite(e_lo):  # thrust cannot lift it: nothing is reachable but the pad
        return _empty_table(kin, n_range, n_alt)
    t_max = kin.t_max_s
    t_ext = t_max + max(0.05 * t_max, 20.0)  # fly a little longer: clean t_max boundary
    tb = kin.tb_s
    breaks = sorted({0.0, min(tb, t_ext), t_max, t_ext})
    elev = np.linspace(e_lo, _HALF_PI, n_elev)
    times, st = _fly_fan(elev, kin.accel_m_s2, tb, breaks, dt_s)
    n_t = times.size

    x, y, vx, vy = st[..., 0], st[..., 1], st[..., 2], st[..., 3]
    alt = np.hypot(x, y) - R_MEAN_M
    rng = R_MEAN_M * np.unwrap(np.arctan2(x, y), axis=1)
    spd = np.hypot(vx, vy)
    t_all = np.broadcast_to(times, alt.shape).copy()

    # end each trajectory where it comes back to the ground (linear interpolation of the sample)
    below = alt < 0.0
    below[:, 0] = False
    landed = below.any(axis=1)
    n_valid = np.where(landed, below.argmax(axis=1) + 1, n_t)
    rows = np.nonzero(landed)[0]
    m1 = n_valid[rows] - 1
    f = alt[rows, m1 - 1] / (alt[rows, m1 - 1] - alt[rows, m1])
    for arr in (rng, t_all, spd):
        arr[rows, m1] = arr[rows, m1 - 1] + f * (arr[rows, m1] - arr[rows, m1 - 1])
    alt[rows, m1] = 0.0
    live = np.arange(n_t) < n_valid[:, None]
    rng = np.where(live, np.minimum(np.maximum.accumulate(rng, axis=1), math.pi * R_MEAN_M), np.nan)

    in_time = live & (t_all <= t_max)
    max_range = float(np.max(np.where(in_time, rng, 0.0)))
    g_top = float(np.nanmax(rng))
    if not g_top > 0.0:
        return _empty_table(kin, n_range, n_alt)
    dg = g_top / (n_range - 1)
    cols = dg * np.arange(n_range)

    # the vertical shot: ascent to the apex (energy conservation), then descent
    v_alt, v_t, v_spd, v_vy = alt[-1], t_all[-1], spd[-1], vy[-1]
    nv = n_valid[-1]
    v_alt, v_t, v_spd, v_vy = v_alt[:nv], v_t[:nv], v_spd[:nv], v_vy[:nv]
    falling = np.nonzero(v_vy[1:] <= 0.0)[0] + 1
    if falling.size:
        m = falling[0]
        r_b, v_b = v_alt[m - 1] + R_MEAN_M, v_vy[m - 1]
        energy = 0.5 * v_b * v_b - MU_EARTH_M3_PER_S2 / r_b
        h_apex = -MU_EARTH_M3_PER_S2 / energy - R_MEAN_M
        t_apex = v_t[m - 1] + (v_t[m] - v_t[m - 1]) * v_vy[m - 1] / (v_vy[m - 1] - v_vy[m])
        asc = (np.r_[v_alt[:m], h_apex], np.r_[v_t[:m], t_apex], np.r_[v_spd[:m], 0.0])
        desc = (np.r_[h_apex, v_alt[m:]], np.r_[t_apex, v_t[m:]], np.r_[0.0, v_spd[m:]])
    else:
        asc, desc = (v_alt, v_t, v_spd), None
        t_apex = math.inf
    if t_apex <= t_max:
        ceiling = float(h_apex)
    else:
        ceiling = float(np.interp(t_max, asc[1], asc[0]))

    # crossings of every column by every non-vertical member: altitude, time, speed (n_elev-1, n_g)
    n_f = n_elev - 1
    hc = np.full((n_f, n_range), np.nan)
    tc = np.full((n_f, n_range), np.nan)
    sc = np.full((n_f, n_range), np.nan)
    for k in range(n_f):
        nk = n_valid[k]
        gk = rng[k, :nk]
        reach = np.searchsorted(cols, gk[-1], side="right")
        if reach <= 1:
            continue
        q = cols[1:reach]
        hc[k, 1:reach] = np.interp(q, gk, alt[k, :nk])
        tc[k, 1:reach] = np.interp(q, gk, t_all[k, :nk])
        sc[k, 1:reach] = np.interp(q, gk, spd[k, :nk])

    low_alt = np.where(np.isfinite(hc[0]), hc[0], 0.0)
    low_alt[0] = 0.0
    h_top = max(float(np.nanmax(np.r_[hc[np.isfinite(hc)], asc[0]])), 1.0)
    dh = h_top / (n_alt - 1)

    tau_low = np.full(n_range * n_alt, np.inf)
    tau_high = np.full(n_range * n_alt, np.inf)
    speed_low = np.full(n_range * n_alt, np.nan)
    speed_high = np.full(n_range * n_alt, np.nan)

    # low branch: members up to the highest crossing of each column; high branch: from there on
    hm = np.where(np.isfinite(hc), hc, -np.inf)
    kstar = hm.argmax(axis=0)
    kk = np.arange(n_f - 1)[:, None]
    both = np.isfinite(hc[:-1]) & np.isfinite(hc[1:])
    both[:, 0] = False
    branches = (
        (both & (kk + 1 <= kstar), low_alt, tau_low, speed_low),
        (both & (kk >= kstar), np.zeros(n_range), tau_high, speed_high),
    )
    for sel, base, tau_f, spd_f in branches:
        ka, ja = np.nonzero(sel)
        seg, node, w = _expand(hc[ka, ja] - base[ja], hc[ka + 1, ja] - base[ja], dh, 0, n_alt - 1)
        ka, ja = ka[seg], ja[seg]
        t = tc[ka, ja] + w * (tc[ka + 1, ja] - tc[ka, ja])
        sp = sc[ka, ja] + w * (sc[ka + 1, ja] - sc[ka, ja])
        _scatter_min(ja * n_alt + node, t, sp, tau_f, spd_f)

    # ground row: between a member that passes over a column and its neighbour that lands short,
    # one member lands right on the column (its crossing altitude tends to 0 there); interpolate
    # its landing time between the neighbours' landings
    g_land = np.full(n_f, np.nan)
    t_land = np.full(n_f, np.nan)
    s_land = np.full(n_f, np.nan)
    land_rows = rows[rows < n_f]
    m_land = n_valid[land_rows] - 1
    g_land[land_rows] = rng[land_rows, m_land]
    t_land[land_rows] = t_all[land_rows, m_land]
    s_land[land_rows] = spd[land_rows, m_land]
    pair = np.nonzero(np.isfinite(g_land[:-1]) & np.isfinite(g_land[1:]))[0]
    seg, jn, w = _expand(g_land[pair], g_land[pair + 1], dg, 1, n_range - 1)
    ka = pair[seg]
    t = t_land[ka] + w * (t_land[ka + 1] - t_land[ka])
    sp = s_land[ka] + w * (s_land[ka + 1] - s_land[ka])
    to_low = (ka + 1 <= kstar[jn]) & (low_alt[jn] == 0.0)
    to_high = ka >= kstar[jn]
    _scatter_min(jn[to_low] * n_alt, t[to_low], sp[to_low], tau_low, speed_low)
    _scatter_min(jn[to_high] * n_alt, t[to_high], sp[to_high], tau_high, speed_high)

    # column 0: only the vertical shot passes over the site
    nodes = dh * np.arange(n_alt)
    tau_low[:n_alt] = np.interp(nodes, asc[0], asc[1], right=np.nan)
    speed_low[:n_alt] = np.interp(nodes, asc[0], asc[2], right=np.nan)
    if desc is not None and desc[0].size > 1:
        hd, td, sd = (a[::-1] for a in desc)
        tau_high[:n_alt] = np.interp(nodes, hd, td, left=np.nan, right=np.nan)
        speed_high[:n_alt] = np.interp(nodes, hd, sd, left=np.nan, right=np.nan)
    else:
        tau_high[:n_alt] = np.nan

    arrays = []
    for a in (tau_low, tau_high, speed_low, speed_high):
        a = a.reshape(n_range, n_alt)
        a[~np.isfinite(a)] = np.nan
        arrays.append(a)
    arrays.append(low_alt)
    arrays.append(elev)
    for a in arrays:
        a.setflags(write=False)
    return FlyoutTable(
        kin=kin,
        range_step_m=dg,
        alt_step_m=dh,
        tau_low_s=arrays[0],
        tau_high_s=arrays[1],
        speed_low_m_s=arrays[2],
        speed_high_m_s=arrays[3],
        low_alt_m=arrays[4],
        ceiling_m=ceiling,
        max_ground_range_m=max_range,
        elev_fan_rad=arrays[5],
    )


def _empty_table(kin, n_range, n_alt):
    nan = np.full((n_range, n_alt), np.nan)
    nan.setflags(write=False)
    low = np.zeros(n_range)
    low.setflags(write=False)
    fan = np.zeros(0)
    fan.setflags(write=False)
    return FlyoutTable(kin, 1.0, 1.0, nan, nan, nan, nan, low, 0.0, 0.0, fan)
