"""PREVIOUS MODEL, kept for benchmarks/engagement.py only (make bench skips _*.py): bmdsim.core.flyout as of
commit 4e82cc8, before vbo became the burnout speed (here vbo / tb is the acceleration at every elevation) and
before the table continued its paths below the ground. Not used by the package or the tests.

Interceptor fly-out envelope: least time tau_min(ground range, altitude) to reach a point.

Model (the open-literature baseline kinematic model, DESIGN.md "Baseline physics" item 5)
---------------------------------------------------------------------------------------
* The table is built for a **spherical, non-rotating Earth** of radius ``R_MEAN_M`` with
  **point-mass gravity** ``mu / r^2`` (no J2). The site is on the surface.
* For ``tb_s`` seconds the interceptor accelerates at the constant magnitude ``vbo_m_s / tb_s``
  along a **fixed inertial direction** in the vertical plane of fire, at elevation ``e`` above
  the site's horizontal, ``min_elev_rad <= e <= 90 deg``; gravity acts throughout. After
  ``tb_s`` it coasts in free fall (Kepler; integrated numerically here). Time counts from launch.
* ``vbo_m_s`` is the acceleration-times-burn-time parameter (the ideal velocity gain), **not** the
  burnout speed: gravity loss makes the real burnout speed lower, roughly by
  ``g * tb * sin(e)``. For a vertical launch: 2.42 km/s for vbo = 3.0 km/s, tb = 60 s; 6.09 km/s
  for vbo = 7.5 km/s, tb = 150 s. Convert open-literature burnout speeds accordingly.
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
A fan of trajectories over elevation (evenly spaced, plus a geometric cluster next to the
vertical) is integrated together with fixed-step RK4, vectorized over the fan, to a little beyond
``t_max_s``. A trajectory's ground range grows monotonically, so it crosses the vertical line over
each range node once. At one range node the crossing altitude rises with elevation to the top of
the envelope there, then falls: the *low* branch (earlier) and the *high* branch (later, reached
by descending or lofted paths). Consecutive members' crossings are joined by segments (near the
top through a parabola) and interpolated onto nodes, keeping the least time.

Each branch is tabulated on its own envelope-conforming grid: per range node, the low branch
from the lowest flown trajectory up to the top of the envelope, the high branch from the ground up
to the top. tau_min jumps across the lowest flown trajectory (below it only descending paths
arrive), and rises like a square root towards the top of the envelope; conforming, graded grids
interpolate both cleanly. A lookup is bilinear in each grid and takes the lesser valid time; a
cell with an unreached corner gives NaN.

Two consequences of the model that are not table artefacts (the brute-force reference in the
tests shows them too): below the lowest flown trajectory tau_min can *decrease* with ground range
(only lofted paths arrive, and farther points need less lofting), and a larger ``vbo`` can make a
point there later or unreachable (a stronger interceptor's lowest path, at ``min_elev``, climbs
more steeply). Above the lowest flown trajectory tau_min grows with ground range and falls with
``vbo``.
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
_CHUNK = 1 << 14  # points per lookup chunk
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
            raise ValueError(f"min_elev_rad = {self.min_elev_rad!r} is out of range: must be in [0, pi/2) rad")
        if not self.h_min_m < self.h_max_m:
            raise ValueError(f"h_min_m = {self.h_min_m!r} must be < h_max_m = {self.h_max_m!r} (m)")
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

    Grids: ground-range node ``j`` at ``range_top_m * (j / (n_range - 1))**2`` (fine near the
    site, where tau grows like the square root of distance). Along altitude each branch has
    ``n_alt`` levels ``phi_i = (1 - cos(pi i / (n_alt - 1))) / 2`` in [0, 1], dense at both ends:
    the low branch's level ``phi`` over range node ``j`` lies at ``low_alt_m[j] + phi *
    (top_alt_m[j] - low_alt_m[j])``, the high branch's at ``phi * top_alt_m[j]``.

    Attributes
    ----------
    kin : InterceptorKinematics
        The parameters it was built for.
    range_top_m : float
        Last ground-range node (m): the farthest range flown (slightly beyond ``t_max_s``).
    tau_low_s, tau_high_s : ndarray, shape (n_range, n_alt)
        Least time (s) on the low and on the high branch; NaN where not reached. Values may
        exceed ``t_max_s`` a little (the fan is flown slightly longer so that the ``t_max``
        boundary interpolates cleanly); lookups apply ``t_max_s``.
    speed_low_m_s, speed_high_m_s : ndarray, shape (n_range, n_alt)
        Interceptor speed (m/s) on arrival along the same least-time paths.
    low_alt_m : ndarray, shape (n_range,)
        Altitude (m) of the lowest flown trajectory over each range node (0 beyond its landing).
    top_alt_m : ndarray, shape (n_range,)
        Top of the flown envelope (m) over each range node; NaN where nothing passes.
    ceiling_m : float
        Highest altitude (m) reachable within ``t_max_s``: the apex of the vertical shot, from
        energy conservation after burnout, or its altitude at ``t_max_s`` if the apex comes later.
    max_ground_range_m : float
        Farthest ground range (m, arc on the sphere) reached at any altitude within ``t_max_s``.
    elev_fan_rad : ndarray, shape (n_fan,)
        Launch elevations of the integrated fan (rad), ascending, ending at pi/2.
    """

    kin: InterceptorKinematics
    range_top_m: float
    tau_low_s: np.ndarray
    tau_high_s: np.ndarray
    speed_low_m_s: np.ndarray
    speed_high_m_s: np.ndarray
    low_alt_m: np.ndarray
    top_alt_m: np.ndarray
    ceiling_m: float
    max_ground_range_m: float
    elev_fan_rad: np.ndarray

    @property
    def range_grid_m(self) -> np.ndarray:
        """Ground-range nodes (m), shape (n_range,)."""
        return _nodes(self.range_top_m, self.tau_low_s.shape[0])

    @property
    def levels(self) -> np.ndarray:
        """Altitude levels ``phi`` in [0, 1] of both branches, shape (n_alt,)."""
        return _nodes(1.0, self.tau_low_s.shape[1], both_ends=True)

    # --- lookups --------------------------------------------------------------------------
    def lowest_trajectory_alt_m(self, ground_range_m):
        """Altitude (m) of the lowest flown trajectory over ``ground_range_m`` (its shape).

        Points below it are reached only by descending paths (later); 0 beyond its landing;
        NaN off the table.
        """
        return self._profile(self.low_alt_m, ground_range_m)

    def envelope_top_alt_m(self, ground_range_m):
        """Highest altitude (m) flown over ``ground_range_m`` within the table (its shape)."""
        return self._profile(self.top_alt_m, ground_range_m)

    def _profile(self, values, ground_range_m):
        g = np.asarray(ground_range_m, dtype=float)
        grid = self.range_grid_m
        return np.where((g >= 0.0) & (g <= grid[-1]), np.interp(g, grid, values), np.nan)

    def _lookup(self, ground_range_m, alt_m, want_speed):
        g = np.asarray(ground_range_m, dtype=float)
        h = np.asarray(alt_m, dtype=float)
        shape = np.broadcast_shapes(g.shape, h.shape)
        g = np.broadcast_to(g, shape).ravel()
        h = np.broadcast_to(h, shape).ravel()
        tau = np.empty(g.size)
        speed = np.empty(g.size) if want_speed else None
        # in chunks: the temporaries stay in cache (about 3x faster on 1e6 points)
        for a in range(0, g.size, _CHUNK):
            b = min(a + _CHUNK, g.size)
            self._lookup_chunk(g[a:b], h[a:b], tau[a:b], None if speed is None else speed[a:b])
        return tau.reshape(shape), None if speed is None else speed.reshape(shape)

    def _lookup_chunk(self, g, h, tau_out, speed_out):
        n_g, n_a = self.tau_low_s.shape
        with np.errstate(invalid="ignore", divide="ignore"):  # NaNs are flagged below
            fg = _node_index(g, self.range_top_m, n_g)
            off = ~(fg <= n_g - 1)  # also NaN (negative range)
            fg[off] = 0.0
            i = np.minimum(fg.astype(np.intp), n_g - 2)
            wg = fg - i
            # the profiles are interpolated linearly in g (the lowest trajectory is nearly
            # straight near the site)
            gi = _nodes(self.range_top_m, n_g)
            g_i = gi[i]
            w_lin = (g - g_i) / (gi[i + 1] - g_i)
            lo, hi = self.low_alt_m, self.top_alt_m
            lo_i, hi_i = lo[i], hi[i]
            h_low = lo_i + w_lin * (lo[i + 1] - lo_i)
            h_top = hi_i + w_lin * (hi[i + 1] - hi_i)
            i0 = i * n_a  # flat offset of column i
            fl = _node_index((h - h_low) / (h_top - h_low), 1.0, n_a, both_ends=True)
            fh = _node_index(h / h_top, 1.0, n_a, both_ends=True)
            tl, kl, wl = _bilinear(self.tau_low_s, i0, wg, fl)
            th, kh, wh = _bilinear(self.tau_high_s, i0, wg, fh)
            tau = np.fmin(tl, th, out=tau_out)
            bad = off | ~(tau <= self.kin.t_max_s)
        tau[bad] = np.nan
        if speed_out is not None:
            sl = _bilinear_at(self.speed_low_m_s, kl, wg, wl)
            sh = _bilinear_at(self.speed_high_m_s, kh, wg, wh)
            np.copyto(speed_out, np.where(tl == tau, sl, sh))
            speed_out[bad] = np.nan

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
        ndarray of the broadcast shape. NaN off the table, outside the reachable envelope and
        where the least time exceeds ``t_max_s``. The altitude band is not applied (see
        :meth:`tau_min_in_band_s`).
        """
        return self._lookup(ground_range_m, alt_m, False)[0]

    def tau_min_in_band_s(self, ground_range_m, alt_m):
        """As :meth:`tau_min_s`, NaN also where the altitude is outside ``[h_min_m, h_max_m]``."""
        tau = self.tau_min_s(ground_range_m, alt_m)
        return np.where(in_altitude_band(self.kin, alt_m), tau, np.nan)

    def flyout_speed_m_s(self, ground_range_m, alt_m):
        """Speed (m/s, inertial, non-rotating model) on arrival along the least-time path.

        Same shape and NaN pattern as :meth:`tau_min_s`.
        """
        return self._lookup(ground_range_m, alt_m, True)[1]

    def tau_and_speed(self, ground_range_m, alt_m):
        """``(tau_min_s, flyout_speed_m_s)`` from one lookup."""
        return self._lookup(ground_range_m, alt_m, True)


def _nodes(top, n, both_ends=False):
    """Graded axis: n node positions from 0 to ``top``: ``top * phi(i / (n - 1))`` with
    ``phi(s) = s^2`` (dense at 0), or with ``both_ends`` ``phi(s) = (1 - cos(pi s)) / 2`` (dense
    at both ends). A function that grows like the square root of the distance from a dense end
    is linear in ``s`` there.
    """
    s = np.arange(n) / (n - 1)
    if not both_ends:
        return top * s * s
    return top * 0.5 * (1.0 - np.cos(np.pi * s))


def _node_index(x, top, n, both_ends=False):
    """Fractional node index of positions ``x`` on the axis of :func:`_nodes`; NaN below 0 and
    (with ``both_ends``) above ``top``."""
    phi = np.asarray(x, dtype=float) * (1.0 / top)
    with np.errstate(invalid="ignore"):
        if not both_ends:
            return np.sqrt(phi) * (n - 1)
        return np.arccos(1.0 - 2.0 * phi) * ((n - 1) / np.pi)


def _bilinear(grid, i0, wg, fh):
    """Bilinear lookup in ``grid`` (n_g, n_a): column offset ``i0 = i * n_a`` (flat), weight
    ``wg`` along the first axis and fractional index ``fh`` along the second. NaN off the second
    axis or if a corner is NaN. Returns ``(values, flat index of corner (i, j), weight along j)``.
    """
    n_a = grid.shape[1]
    off = ~(fh >= 0.0) | ~(fh <= n_a - 1)
    fh[off] = 0.0
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
_CLUSTER_RATIO = 0.9  # neighbours' distances from the vertical differ by 10 %
_CLUSTER_FLOOR_RAD = 1.0e-6


def _fan(e_lo, n_elev):
    """Launch elevations (rad), ascending to pi/2: ``n_elev`` evenly spaced from ``e_lo``, plus
    a geometric cluster towards the vertical. Near the vertical a member's drift off the site's
    vertical line is proportional to ``pi/2 - e``; range nodes close to the site need a relative,
    not an absolute, spacing there."""
    even = np.linspace(e_lo, _HALF_PI, n_elev)
    step = even[1] - even[0]
    d_hi = min(20.0 * step, 0.5 * (_HALF_PI - e_lo))
    if d_hi <= _CLUSTER_FLOOR_RAD:
        return even
    n_c = math.ceil(math.log(d_hi / _CLUSTER_FLOOR_RAD) / -math.log(_CLUSTER_RATIO))
    cluster = _HALF_PI - d_hi * _CLUSTER_RATIO ** np.arange(1, n_c + 1)
    return np.unique(np.r_[even, cluster])


def _fly_fan(elev, accel, tb, t_breaks, dt):
    """Fixed-step RK4 of the fan in the plane of fire, vectorized over the fan.

    Frame: origin at the Earth's centre, y up through the site (0, R), x downrange. Returns the
    sample times (n_t,) and the states (n_fan, n_t, 4) = (x, y, vx, vy), batch axis first.
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


def _expand(a, b, top, n, lo_min, both_ends=False):
    """Nodes of a graded axis (:func:`_nodes`) inside the intervals [min(a, b), max(a, b)] (m,).

    Returns ``(interval index, node index, weight)`` with ``node position = a + weight * (b - a)``.
    """
    lo = _node_index(np.clip(np.minimum(a, b), 0.0, top), top, n, both_ends)
    hi = _node_index(np.clip(np.maximum(a, b), 0.0, top), top, n, both_ends)
    lo = np.maximum(np.ceil(lo).astype(np.intp), lo_min)
    hi = np.minimum(np.floor(hi).astype(np.intp), n - 1)
    cnt = np.maximum(hi - lo + 1, 0)
    seg = np.repeat(np.arange(cnt.size), cnt)
    start = np.cumsum(cnt) - cnt
    node = lo[seg] + (np.arange(seg.size) - start[seg])
    pos = _nodes(top, n, both_ends)[node]
    span = (b - a)[seg]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(span != 0.0, (pos - a[seg]) / span, 0.0)
    return seg, node, np.clip(w, 0.0, 1.0)


def _scatter_min(cell, t, speed, tau_flat, speed_flat):
    """Keep the least time per flat cell; the speed goes with it."""
    np.minimum.at(tau_flat, cell, t)
    hit = t == tau_flat[cell]
    speed_flat[cell[hit]] = speed[hit]


def previous_table(kin) -> FlyoutTable:
    """The previous model's table for any kinematics object with the fields of InterceptorKinematics."""
    return build_flyout_table(InterceptorKinematics(kin.vbo_m_s, kin.tb_s, kin.min_elev_rad, kin.h_min_m, kin.h_max_m,
                                                    kin.t_max_s))


@functools.lru_cache(maxsize=128)  # ~5 MB each; a whole vbo ladder (57 tables for 1..15 km/s by 0.25)
def build_flyout_table(
    kin: InterceptorKinematics,
    n_elev: int = 541,
    dt_s: float = 1.0,
    n_range: int = 401,
    n_alt: int = 401,
) -> FlyoutTable:
    """Integrate the fan of fly-outs and tabulate the least time to each point.

    Parameters
    ----------
    kin : InterceptorKinematics
    n_elev : int
        Evenly spaced fan members from the lowest flown elevation to 90 deg (about 100 more are
        added near 90 deg).
    dt_s : float
        RK4 step (s); burnout and ``t_max`` fall on step boundaries.
    n_range, n_alt : int
        Nodes of the graded ground-range axis (0 to the farthest range flown) and altitude levels
        per branch.

    Returns
    -------
    FlyoutTable
        Cached per argument set (``functools.lru_cache``); its arrays are read-only.
    """
    if n_elev < 3 or n_range < 3 or n_alt < 3 or not dt_s > 0.0:
        raise ValueError(
            f"n_elev = {n_elev}, n_range = {n_range}, n_alt = {n_alt}, dt_s = {dt_s}: "
            "need n_elev >= 3, n_range >= 3, n_alt >= 3, dt_s > 0"
        )
    e_lo = kin.lowest_flown_elev_rad
    if not math.isfinite(e_lo):  # the thrust cannot lift it: nothing is reachable but the pad
        return _empty_table(kin, n_range, n_alt)
    t_max = kin.t_max_s
    t_ext = t_max + max(0.05 * t_max, 20.0)  # fly a little longer: clean t_max boundary
    tb = kin.tb_s
    breaks = sorted({0.0, min(tb, t_ext), t_max, t_ext})
    elev = _fan(e_lo, n_elev)
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
    cols = _nodes(g_top, n_range)

    # the vertical shot (last member): ascent to the apex (energy conservation), then descent
    nv = n_valid[-1]
    v_alt, v_t, v_spd, v_vy = alt[-1, :nv], t_all[-1, :nv], spd[-1, :nv], vy[-1, :nv]
    falling = np.nonzero(v_vy[1:] <= 0.0)[0] + 1
    t_apex = math.inf
    desc = None
    if falling.size:
        m = falling[0]
        r_b, v_b = v_alt[m - 1] + R_MEAN_M, v_vy[m - 1]
        energy = 0.5 * v_b * v_b - MU_EARTH_M3_PER_S2 / r_b  # conserved after burnout
        h_apex = -MU_EARTH_M3_PER_S2 / energy - R_MEAN_M
        t_apex = v_t[m - 1] + (v_t[m] - v_t[m - 1]) * v_vy[m - 1] / (v_vy[m - 1] - v_vy[m])
        asc = (np.r_[v_alt[:m], h_apex], np.r_[v_t[:m], t_apex], np.r_[v_spd[:m], 0.0])
        desc = (np.r_[h_apex, v_alt[m:]], np.r_[t_apex, v_t[m:]], np.r_[0.0, v_spd[m:]])
    else:
        asc = (v_alt, v_t, v_spd)
    if t_apex <= t_max:
        ceiling = float(h_apex)
    else:
        ceiling = float(np.interp(t_max, asc[1], asc[0]))

    # crossings of every range node by every non-vertical member: altitude, time, speed
    n_f = elev.size - 1
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

    # --- segments between neighbouring members, per range node ------------------------------
    # At range node j the crossing altitude rises with elevation up to member kstar (near the
    # top of the envelope there), then falls: low branch = segments up to kstar, high branch =
    # segments beyond. A segment: (node j, altitude, time, speed at both ends, the top's
    # altitude if it ends there else NaN, branch 0 low / 1 high).
    kstar = np.where(np.isfinite(hc), hc, -np.inf).argmax(axis=0)
    jr = np.arange(n_range)

    def member(k, j):
        return hc[k, j], tc[k, j], sc[k, j]

    low_alt = np.where(np.isfinite(hc[0]), hc[0], 0.0)
    low_alt[0] = 0.0
    top_alt = hc[kstar, jr]  # NaN where nothing passes
    segments = []

    def add(j, end_a, end_b, h_peak, branch):
        segments.append((j, *end_a, *end_b, h_peak, np.full(j.size, branch)))

    # the top between kstar and its neighbours: altitude as a parabola in crossing time through
    # three members (near the vertical the members climb like the vertical shot, whose altitude
    # is close to a parabola in time near the apex; farther out crossing time is nearly linear in
    # elevation, so this is the usual parabola in elevation). Members kstar - 1, kstar, kstar + 1,
    # or, where one of them does not pass within the flown time, the two on the other side.
    def fit(off):
        ks = [np.clip(kstar + d, 0, n_f - 1) for d in off]
        (hm, tm, sm), (h0, t0, s0), (hp, tp, sp) = (member(k, jr) for k in ks)
        with np.errstate(invalid="ignore", divide="ignore"):
            d1 = (h0 - hm) / (t0 - tm)
            cc = ((hp - h0) / (tp - t0) - d1) / (tp - tm)
            t_pk = 0.5 * (tm + t0) - d1 / (2.0 * cc)
            span = tp - tm
            ok = (kstar + off[0] >= 0) & (kstar + off[2] <= n_f - 1) & (tm < t0) & (t0 < tp)
            ok &= (cc < 0.0) & (t_pk >= tm - 0.5 * span) & (t_pk <= tp + 0.5 * span)
            h_pk = hm + d1 * (t_pk - tm) + cc * (t_pk - tm) * (t_pk - t0)
            s_pk = (  # Lagrange through the three speeds
                sm * (t_pk - t0) * (t_pk - tp) / ((tm - t0) * (tm - tp))
                + s0 * (t_pk - tm) * (t_pk - tp) / ((t0 - tm) * (t0 - tp))
                + sp * (t_pk - tm) * (t_pk - t0) / ((tp - tm) * (tp - t0))
            )
        return ok, h_pk, t_pk, s_pk

    has_top = np.zeros(n_range, bool)
    peak = [np.full(n_range, np.nan) for _ in range(3)]
    for off in ((-1, 0, 1), (-2, -1, 0), (0, 1, 2)):
        ok, *vals = fit(off)
        new = ok & ~has_top & (jr > 0)
        for p_arr, v in zip(peak, vals, strict=True):
            p_arr[new] = v[new]
        has_top |= new
    jt, kt = jr[has_top], kstar[has_top]
    h_top, t_top, s_top = (p[has_top] for p in peak)
    top_alt[jt] = np.maximum(h_top, top_alt[jt])
    peak = (h_top, t_top, s_top)
    after = t_top >= tc[kt, jt]  # the top lies after member kstar

    def exists(k, j):
        return (k >= 0) & (k <= n_f - 1) & np.isfinite(hc[np.clip(k, 0, n_f - 1), j])

    for sel, low_pairs, high_pairs in (
        (after, [(-1, 0), (0, None)], [(None, 1)]),
        (~after, [(-1, None)], [(None, 0), (0, 1)]),
    ):
        for pairs, branch in ((low_pairs, 0), (high_pairs, 1)):
            for a, b in pairs:
                m = sel.copy()
                for e in (a, b):
                    if e is not None:
                        m &= exists(kt + e, jt)
                j, k = jt[m], kt[m]
                ends = [tuple(p[m] for p in peak) if e is None else member(k + e, j) for e in (a, b)]
                add(j, ends[0], ends[1], h_top[m], branch)

    # ordinary segments, except those the top replaced
    pairs = np.isfinite(hc[:-1]) & np.isfinite(hc[1:])
    pairs[:, 0] = False
    km1 = kt >= 1
    pairs[kt[km1] - 1, jt[km1]] = False
    kp1 = kt <= n_f - 2
    pairs[kt[kp1], jt[kp1]] = False
    ka, ja = np.nonzero(pairs)
    for sel, branch in ((ka < kstar[ja], 0), (ka >= kstar[ja], 1)):
        k, j = ka[sel], ja[sel]
        add(j, member(k, j), member(k + 1, j), np.full(j.size, np.nan), branch)

    # where a member passes over a range node and its neighbour lands short, the member between
    # them that lands right there closes the gap down to the ground (crossing altitude -> 0):
    # its landing time is interpolated between the neighbours' landings
    g_land = np.full(n_f, np.nan)
    t_land = np.full(n_f, np.nan)
    s_land = np.full(n_f, np.nan)
    land_rows = rows[rows < n_f]
    m_land = n_valid[land_rows] - 1
    g_land[land_rows] = rng[land_rows, m_land]
    t_land[land_rows] = t_all[land_rows, m_land]
    s_land[land_rows] = spd[land_rows, m_land]
    pair = np.nonzero(np.isfinite(g_land[:-1]) & np.isfinite(g_land[1:]))[0]
    ix, jn, w = _expand(g_land[pair], g_land[pair + 1], g_top, n_range, 1)
    ka = pair[ix]
    over = np.where(g_land[ka] >= g_land[ka + 1], ka, ka + 1)  # the one that passes over
    ok = np.isfinite(hc[over, jn])
    ka, jn, w, over = ka[ok], jn[ok], w[ok], over[ok]
    t_g = t_land[ka] + w * (t_land[ka + 1] - t_land[ka])
    s_g = s_land[ka] + w * (s_land[ka + 1] - s_land[ka])
    for sel, branch in (((ka + 1 <= kstar[jn]) & (low_alt[jn] == 0.0), 0), (ka >= kstar[jn], 1)):
        j = jn[sel]
        ground = (np.zeros(j.size), t_g[sel], s_g[sel])
        add(j, ground, member(over[sel], j), np.full(j.size, np.nan), branch)

    # --- onto the levels of each branch -----------------------------------------------------
    # Along a segment, time and speed are interpolated linearly in a variable v(altitude):
    # * next to the top of the envelope v = sqrt(top altitude - altitude): there altitude is
    #   quadratic and time linear in elevation;
    # * elsewhere v = psi(altitude), the time the vertical shot takes to climb there: close to
    #   the vertical the members climb like the vertical shot (time = psi + nearly a constant);
    #   farther out psi is a smooth monotonic change of variable over short segments.
    levels = _nodes(1.0, n_alt, both_ends=True)
    j, ha, ta, sa, hb, tb_, sb, h_peak, branch = (np.concatenate(c) for c in zip(*segments, strict=True))

    def var(h, h_pk):
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(h_pk), np.interp(h, asc[0], asc[1]), np.sqrt(np.maximum(h_pk - h, 0.0)))

    tau_low = np.full(n_range * n_alt, np.inf)
    tau_high = np.full(n_range * n_alt, np.inf)
    speed_low = np.full(n_range * n_alt, np.nan)
    speed_high = np.full(n_range * n_alt, np.nan)
    for b, base, tau_f, spd_f in (
        (0, low_alt, tau_low, speed_low),
        (1, np.zeros(n_range), tau_high, speed_high),
    ):
        span = top_alt - base
        sel = (branch == b) & (span[j] > 0.0)
        jb, hab, hbb, hpb = j[sel], ha[sel], hb[sel], h_peak[sel]
        ix, node, w = _expand((hab - base[jb]) / span[jb], (hbb - base[jb]) / span[jb], 1.0, n_alt, 0, True)
        jb, hab, hbb, hpb = jb[ix], hab[ix], hbb[ix], hpb[ix]
        va, vb = var(hab, hpb), var(hbb, hpb)
        with np.errstate(divide="ignore", invalid="ignore"):
            w_v = (var(base[jb] + levels[node] * span[jb], hpb) - va) / (vb - va)
        w = np.where(vb != va, np.clip(w_v, 0.0, 1.0), w)
        t0, t1, s0, s1 = (x[sel][ix] for x in (ta, tb_, sa, sb))
        _scatter_min(jb * n_alt + node, t0 + w * (t1 - t0), s0 + w * (s1 - s0), tau_f, spd_f)

    # range node 0: only the vertical shot passes over the site
    top_alt[0] = asc[0][-1]
    h_lev = levels * top_alt[0]
    tau_low[:n_alt] = np.interp(h_lev, asc[0], asc[1])
    speed_low[:n_alt] = np.interp(h_lev, asc[0], asc[2])
    if desc is not None and desc[0].size > 1:
        hd, td, sd = (a[::-1] for a in desc)
        tau_high[:n_alt] = np.interp(h_lev, hd, td, left=np.nan)
        speed_high[:n_alt] = np.interp(h_lev, hd, sd, left=np.nan)
    else:
        tau_high[:n_alt] = np.nan

    grids = []
    for a in (tau_low, tau_high, speed_low, speed_high):
        a = a.reshape(n_range, n_alt)
        a[~np.isfinite(a)] = np.nan
        grids.append(a)
    for a in (*grids, low_alt, top_alt, elev):
        a.setflags(write=False)
    return FlyoutTable(
        kin=kin,
        range_top_m=g_top,
        tau_low_s=grids[0],
        tau_high_s=grids[1],
        speed_low_m_s=grids[2],
        speed_high_m_s=grids[3],
        low_alt_m=low_alt,
        top_alt_m=top_alt,
        ceiling_m=ceiling,
        max_ground_range_m=max_range,
        elev_fan_rad=elev,
    )


def _empty_table(kin, n_range, n_alt):
    nan = np.full((n_range, n_alt), np.nan)
    low = np.zeros(n_range)
    top = np.full(n_range, np.nan)
    fan = np.zeros(0)
    for a in (nan, low, top, fan):
        a.setflags(write=False)
    return FlyoutTable(kin, 1.0, nan, nan, nan, nan, low, top, 0.0, 0.0, fan)
