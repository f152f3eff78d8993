"""Interceptor fly-out envelope: least time tau_min(ground range, altitude) to reach a point.

Model (the open-literature baseline kinematic model, DESIGN.md "Baseline physics" item 5)
---------------------------------------------------------------------------------------
* The table is built for a **spherical, non-rotating Earth** of radius ``R_MEAN_M`` with
  **point-mass gravity** ``mu / r^2`` (no J2). The launcher is at rest on the surface.
* ``vbo_m_s`` is the **burnout speed** (the number the literature quotes: SM-3 IIA 4.5, GBI
  6.3 km/s, ...): the speed relative to the launcher at the end of the burn, on this non-rotating
  Earth. Every launch elevation reaches exactly ``vbo_m_s`` at burnout: for ``tb_s`` seconds the
  interceptor accelerates at a constant magnitude ``a(e)`` along a **fixed inertial direction** in
  the vertical plane of fire, at elevation ``e`` above the site's horizontal, ``min_elev_rad <= e <=
  90 deg``, and ``a(e)`` is solved per elevation so that the burnout speed is ``vbo_m_s``
  (:meth:`InterceptorKinematics.thrust_accel_m_s2`; about ``(vbo + g tb sin e) / tb``, the
  flat-Earth closed form ``g sin e + sqrt((vbo / tb)^2 - g^2 cos^2 e)`` is the start of a secant
  iteration on the sphere's burn). ``tb_s`` is the burn time. Gravity acts throughout; after
  ``tb_s`` the interceptor coasts in free fall (Kepler; integrated numerically here). Time counts
  from launch.
* On the rotating Earth the interceptor also carries its site's velocity ``omega x r`` (up to
  0.465 km/s at the equator): its inertial velocity at burnout is about the non-rotating one plus
  ``omega x r``. This table is the non-rotating envelope; :mod:`bmdsim.core.engagement` accounts
  for the site's velocity when it uses the table.
* A trajectory ends when it comes back to the ground. A launch whose initial vertical acceleration
  ``a(e) sin(e) - g`` is negative would go underground at once, so the lowest elevation actually
  flown is ``max(min_elev, e_lift)`` with ``a(e_lift) sin(e_lift) = g``
  (:attr:`InterceptorKinematics.liftoff_elev_rad`, about ``atan(g tb / vbo)``: 8.7 deg for
  vbo = 4.5 km/s, tb = 70 s; 34.5 deg for vbo = 1 km/s, tb = 70 s). The vertical shot always
  lifts off (``a(90 deg) = vbo / tb + g`` to first order).
* The kill vehicle can intercept any point of its path; the altitude band ``[h_min_m, h_max_m]``
  is *not* applied inside the table (it covers 0 to the ceiling): use :func:`in_altitude_band`
  or :meth:`FlyoutTable.tau_min_in_band_s`. Points needing more than ``t_max_s`` are unreachable.

Left out: divert (lateral acceleration) limits of the kill vehicle, seeker acquisition range and
field of view, staging (a single constant-acceleration burn stands for all stages), atmospheric
drag on the interceptor, J2, and Earth rotation (handled by the caller, see above): target points
are given relative to the site's inertial position at launch (ground range = great-circle arc from
that position, altitude above the sphere).

How the table is built
----------------------
A fan of trajectories over elevation (evenly spaced, plus a geometric cluster next to the
vertical), each member with its own thrust acceleration ``a(e)``, is integrated together with
fixed-step RK4, vectorized over the fan, to a little beyond ``t_max_s`` (the secant for ``a(e)``
integrates the burn with the same steps, so each member's burnout speed is ``vbo`` to 1e-12).
A trajectory's ground range grows monotonically, so it crosses the vertical line over each range
node once. At one range node the crossing altitude rises with elevation to the top of
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
from types import SimpleNamespace

import numpy as np
from numba import njit

from bmdsim.core.earth import MU_EARTH_M3_PER_S2, R_MEAN_M

__all__ = [
    "InterceptorKinematics",
    "FlyoutTable",
    "build_flyout_table",
    "in_altitude_band",
    "surface_gravity_m_s2",
    "continued_depth_m",
    "FanPaths",
    "fly_fan_paths",
    "SITE_SPEED_MAX_M_S",
    "SHIFT_RADIUS_MIN_M",
]

_HALF_PI = 0.5 * math.pi
_CHUNK = 1 << 14  # points per lookup chunk
_LIFTOFF_MARGIN_RAD = 1.0e-6  # lowest flown elevation sits this far above the lift-off angle


def surface_gravity_m_s2() -> float:
    """Point-mass gravity at the surface of the model sphere, ``mu / R_MEAN_M^2`` (m/s^2)."""
    return MU_EARTH_M3_PER_S2 / (R_MEAN_M * R_MEAN_M)


SITE_SPEED_MAX_M_S = 465.1  # the equatorial rotation speed, omega * 6,378 km
SHIFT_RADIUS_MIN_M = 6.3e6  # below any middle-of-path radius the engagement's shift uses (sites >= 6,356 km)


def continued_depth_m(t_max_s: float, max_angle_rad: float = math.pi / 2, cap_m: float = math.inf) -> float:
    """How far below the ground (m) the fly-out table continues its trajectories: the deepest that the
    engagement's shifted target ``P' = P - Phi_rv(tau) v_s`` of a point ``P`` at or above the ground can
    lie, for fly-outs up to ``t_max_s`` and points within ``max_angle_rad`` (geocentric) of the site
    (:mod:`bmdsim.core.engagement`); at most ``cap_m`` and half the Earth's radius.

    With ``Phi_rv v = b v + (a - b) (u . v) u`` (``a = sinh(sqrt(2) n tau) / (sqrt(2) n) >= tau``,
    ``|b| = |sin(n tau) / n| <= tau``, ``u`` the middle-of-path direction, halfway between the site's
    and the point's, at angle ``theta / 2`` from each, and ``v`` the site's horizontal velocity,
    ``|v| <= 465.1 m/s``): ``|P'| - |P| >= -P_hat . Phi_rv v``, ``|P_hat . v| <= |v| sin(theta)``,
    ``|u . v| <= |v| sin(theta / 2)``, ``P_hat . u = cos(theta / 2)``, so the depth is at most
    ``|v| sin(theta) (a + 3 tau) / 2``, ``a`` taken with the largest ``n`` (radius 6,300 km). A point
    whose shifted target lies deeper than the table reaches is out of reach (only for fly-outs much
    longer than any catalog interceptor's, where ``cap_m`` binds).
    """
    n = math.sqrt(MU_EARTH_M3_PER_S2 / SHIFT_RADIUS_MIN_M**3)
    t = max(float(t_max_s), 0.0)
    a = math.sinh(math.sqrt(2.0) * n * t) / (math.sqrt(2.0) * n)
    sin_t = math.sin(min(max(float(max_angle_rad), 0.0), math.pi / 2))
    return min(SITE_SPEED_MAX_M_S * sin_t * 0.5 * (a + 3.0 * t), cap_m, 0.5 * R_MEAN_M)


@dataclass(frozen=True)
class InterceptorKinematics:
    """Kinematic parameters of one interceptor type (SI units).

    Attributes
    ----------
    vbo_m_s : float
        Burnout speed (m/s) relative to the launcher on a non-rotating Earth, reached at every
        launch elevation (the thrust acceleration is set per elevation, see
        :meth:`thrust_accel_m_s2`); > 0. On the rotating Earth the inertial velocity is that plus
        the site's ``omega x r``.
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

    def thrust_accel_m_s2(self, elev_rad, dt_s: float = 1.0):
        """Constant thrust acceleration (m/s^2) that brings a launch at elevation ``elev_rad`` to
        burnout speed ``vbo_m_s`` after ``tb_s`` (non-rotating sphere, launcher at rest, point-mass
        gravity; the burn integrated with RK4 steps of ``dt_s``, as the fly-out table does).

        Parameters
        ----------
        elev_rad : array_like
            Launch elevations (rad) in [0, pi/2]; any shape. Below :attr:`lowest_flown_elev_rad` the
            value is defined but such a launch does not lift off.

        Returns
        -------
        ndarray of the shape of ``elev_rad``; about ``(vbo + g tb sin e) / tb`` (the burnout speed is
        matched to 1e-12 relative).

        Raises
        ------
        ValueError
            If an elevation is outside [0, pi/2] or not a number.
        """
        e = np.asarray(elev_rad, dtype=float)
        if not np.all((e >= 0.0) & (e <= _HALF_PI)):
            raise ValueError(f"elev_rad must lie in [0, pi/2] rad, got {elev_rad!r}")
        flat = e.reshape(-1)
        uniq, inv = np.unique(flat, return_inverse=True)
        return _solve_accel(uniq, self.vbo_m_s, self.tb_s, float(dt_s))[inv].reshape(e.shape)

    @property
    def liftoff_elev_rad(self) -> float:
        """Lowest elevation (rad) at which the burnout-speed thrust lifts the interceptor off the pad:
        there ``a(e) sin e = g`` (initial vertical acceleration zero); about ``atan(g tb / vbo)``."""
        return _liftoff_elev_cached(self.vbo_m_s, self.tb_s, 1.0)

    @property
    def lowest_flown_elev_rad(self) -> float:
        """Lowest elevation flown (rad): ``max(min_elev, lift-off elevation)`` (see the module docstring)."""
        return min(max(self.min_elev_rad, self.liftoff_elev_rad + _LIFTOFF_MARGIN_RAD), _HALF_PI)


@functools.lru_cache(maxsize=1024)
def _liftoff_elev_cached(vbo_m_s, tb_s, dt_s):
    return _liftoff_elev(vbo_m_s, tb_s, dt_s)


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
    (top_alt_m[j] - low_alt_m[j])``, the high branch's at ``-depth_m + phi * (top_alt_m[j] +
    depth_m)``.

    Below the ground: every trajectory is continued past its landing, through the ground, down to
    ``depth_m`` below it (the equations of motion do not care). Those *continued* paths are not
    flights -- :meth:`tau_min_s` and the other public lookups return NaN below altitude 0 -- but the
    engagement looks them up with ``continued=True``: on the rotating Earth the site's velocity
    carries the interceptor's path, and the table's path to the shifted target P' may run below the
    ground where the real one, displaced by the site's velocity, runs above it (see
    :func:`continued_depth_m`).

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
        Altitude (m) of the lowest flown trajectory over each range node (continued below the
        ground beyond its landing; ``-depth_m`` beyond its continuation's end).
    top_alt_m : ndarray, shape (n_range,)
        Top of the flown envelope (m) over each range node; NaN where nothing passes.
    ceiling_m : float
        Highest altitude (m) reachable within ``t_max_s``: the apex of the vertical shot, from
        energy conservation after burnout, or its altitude at ``t_max_s`` if the apex comes later.
    max_ground_range_m : float
        Farthest ground range (m, arc on the sphere) reached at any altitude >= 0 within ``t_max_s``.
    depth_m : float
        How far below the ground the trajectories are continued (m): :func:`continued_depth_m`.
    elev_fan_rad : ndarray, shape (n_fan,)
        Launch elevations of the integrated fan (rad), ascending, ending at pi/2.
    accel_fan_m_s2 : ndarray, shape (n_fan,)
        Thrust acceleration of each fan member (m/s^2): the one that gives burnout speed ``vbo``.
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
    depth_m: float
    elev_fan_rad: np.ndarray
    accel_fan_m_s2: np.ndarray

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
        return np.maximum(self._profile(self.low_alt_m, ground_range_m), 0.0)

    def envelope_top_alt_m(self, ground_range_m):
        """Highest altitude (m) flown over ``ground_range_m`` within the table (its shape)."""
        return self._profile(self.top_alt_m, ground_range_m)

    def _profile(self, values, ground_range_m):
        g = np.asarray(ground_range_m, dtype=float)
        grid = self.range_grid_m
        return np.where((g >= 0.0) & (g <= grid[-1]), np.interp(g, grid, values), np.nan)

    def _lookup(self, ground_range_m, alt_m, want_speed, continued=False):
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
        if not continued:  # below the ground: continued paths, not flights
            under = ~(h >= 0.0)
            tau[under] = np.nan
            if speed is not None:
                speed[under] = np.nan
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
            fh = _node_index((h + self.depth_m) / (h_top + self.depth_m), 1.0, n_a, both_ends=True)
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

    def tau_min_s(self, ground_range_m, alt_m, continued=False):
        """Least fly-out time (s) from launch to the point; NaN where unreachable within t_max.

        Parameters
        ----------
        ground_range_m : array_like
            Great-circle arc (m) on the sphere from the site to the point's sub-point, >= 0.
        alt_m : array_like
            Altitude (m) above the sphere, >= 0 (with ``continued``: >= ``-depth_m``). Broadcasts
            with ``ground_range_m``.
        continued : bool
            Also below the ground, along the continued paths (see the class docstring).

        Returns
        -------
        ndarray of the broadcast shape. NaN off the table, outside the reachable envelope, below
        the ground (unless ``continued``) and where the least time exceeds ``t_max_s``. The
        altitude band is not applied (see :meth:`tau_min_in_band_s`).
        """
        return self._lookup(ground_range_m, alt_m, False, continued)[0]

    def tau_min_in_band_s(self, ground_range_m, alt_m):
        """As :meth:`tau_min_s`, NaN also where the altitude is outside ``[h_min_m, h_max_m]``."""
        tau = self.tau_min_s(ground_range_m, alt_m)
        return np.where(in_altitude_band(self.kin, alt_m), tau, np.nan)

    def flyout_speed_m_s(self, ground_range_m, alt_m, continued=False):
        """Speed (m/s, inertial, non-rotating model) on arrival along the least-time path.

        Same shape and NaN pattern as :meth:`tau_min_s`.
        """
        return self._lookup(ground_range_m, alt_m, True, continued)[1]

    def tau_and_speed(self, ground_range_m, alt_m, continued=False):
        """``(tau_min_s, flyout_speed_m_s)`` from one lookup."""
        return self._lookup(ground_range_m, alt_m, True, continued)


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


def _n_steps(t0, t1, dt):
    """Number of equal RK4 steps of at most ``dt`` (to rounding) over [t0, t1]."""
    return max(1, math.ceil((t1 - t0) / dt - 1e-9))


def _thrust(elev, accel):
    """Thrust acceleration (2, n) along the fixed inertial directions of elevation ``elev`` (n,)."""
    ce = np.where(elev >= _HALF_PI, 0.0, np.cos(elev))
    return np.stack([accel * ce, accel * np.sin(elev)])


def _pad_state(n):
    s = np.zeros((4, n))
    s[1] = R_MEAN_M
    return s


@njit(cache=True, error_model="numpy")
def _rk4_plane(s0, push, seg_t0, seg_h, seg_n, seg_thrust, out):
    """Fixed-step RK4 of planar launches (compiled; one member at a time): point-mass gravity plus the
    thrust acceleration ``push`` (2, n) on the segments flagged ``seg_thrust``. Segment ``i`` starts at
    ``seg_t0[i]`` and takes ``seg_n[i]`` steps of ``seg_h[i]``. ``s0`` (4, n) = (x, y, vx, vy) at the
    start; ``out`` (n, 1 + sum(seg_n), 4) receives every state, the first one included."""
    mu = MU_EARTH_M3_PER_S2
    n = s0.shape[1]
    for i in range(n):
        x, y, vx, vy = s0[0, i], s0[1, i], s0[2, i], s0[3, i]
        out[i, 0, 0] = x
        out[i, 0, 1] = y
        out[i, 0, 2] = vx
        out[i, 0, 3] = vy
        m = 0
        for g in range(seg_n.shape[0]):
            ax = push[0, i] if seg_thrust[g] else 0.0
            ay = push[1, i] if seg_thrust[g] else 0.0
            h = seg_h[g]
            for _ in range(seg_n[g]):
                r2 = x * x + y * y
                k = -mu / (r2 * math.sqrt(r2))
                k1x, k1y, k1u, k1w = vx, vy, k * x + ax, k * y + ay
                x2 = x + 0.5 * h * k1x
                y2 = y + 0.5 * h * k1y
                r2 = x2 * x2 + y2 * y2
                k = -mu / (r2 * math.sqrt(r2))
                k2x, k2y = vx + 0.5 * h * k1u, vy + 0.5 * h * k1w
                k2u, k2w = k * x2 + ax, k * y2 + ay
                x3 = x + 0.5 * h * k2x
                y3 = y + 0.5 * h * k2y
                r2 = x3 * x3 + y3 * y3
                k = -mu / (r2 * math.sqrt(r2))
                k3x, k3y = vx + 0.5 * h * k2u, vy + 0.5 * h * k2w
                k3u, k3w = k * x3 + ax, k * y3 + ay
                x4 = x + h * k3x
                y4 = y + h * k3y
                r2 = x4 * x4 + y4 * y4
                k = -mu / (r2 * math.sqrt(r2))
                k4x, k4y = vx + h * k3u, vy + h * k3w
                k4u, k4w = k * x4 + ax, k * y4 + ay
                x = x + (h / 6.0) * (k1x + 2.0 * (k2x + k3x) + k4x)
                y = y + (h / 6.0) * (k1y + 2.0 * (k2y + k3y) + k4y)
                vx = vx + (h / 6.0) * (k1u + 2.0 * (k2u + k3u) + k4u)
                vy = vy + (h / 6.0) * (k1w + 2.0 * (k2w + k3w) + k4w)
                m += 1
                out[i, m, 0] = x
                out[i, m, 1] = y
                out[i, m, 2] = vx
                out[i, m, 3] = vy


def _segments(t_breaks, tb, dt):
    """(start, step, number of steps, thrust on) per segment between consecutive ``t_breaks``, and the
    sample times: equal RK4 steps of at most ``dt``; every break is a step boundary."""
    t0s, hs, ns, on, times = [], [], [], [], [0.0]
    for t0, t1 in zip(t_breaks[:-1], t_breaks[1:], strict=True):
        n_steps = _n_steps(t0, t1, dt)
        h = (t1 - t0) / n_steps
        t0s.append(t0)
        hs.append(h)
        ns.append(n_steps)
        on.append(t1 <= tb * (1.0 + 1e-12))
        times += [t0 + (m + 1) * h for m in range(n_steps)]
    return (np.array(t0s), np.array(hs), np.array(ns, dtype=np.int64), np.array(on, dtype=np.bool_),
            np.asarray(times))


def _integrate(elev, accel, tb, t_breaks, dt):
    """Sample times (m,) and states (n, m, 4) of launches from rest on the pad (:func:`_rk4_plane`)."""
    t0s, hs, ns, on, times = _segments(t_breaks, tb, dt)
    out = np.empty((elev.size, times.size, 4))
    _rk4_plane(_pad_state(elev.size), np.ascontiguousarray(_thrust(elev, np.asarray(accel, dtype=float))), t0s, hs,
               ns, on, out)
    return times, out


def _burnout_state(elev, accel, tb, dt):
    """States (4, n) at burnout of launches at rest from the pad, integrated exactly as :func:`_fly_fan`
    integrates the burn (the same steps, the same arithmetic)."""
    _, out = _integrate(elev, accel, tb, [0.0, tb], dt)
    return np.ascontiguousarray(out[:, -1, :].T)


_ACCEL_RTOL = 1.0e-12  # burnout speed matched to vbo to this relative tolerance
_ACCEL_ITER = 30


def _solve_accel(elev, vbo, tb, dt):
    """Thrust acceleration (n,) per elevation (n,) giving burnout speed ``vbo`` (secant, vectorised).

    Start: the flat-Earth, uniform-gravity closed form ``g sin e + sqrt(A^2 - g^2 cos^2 e)``,
    ``A = vbo / tb`` (there ``|v(tb)| = tb |a u - g z|``); the sphere differs by < 1 %.
    """
    g = surface_gravity_m_s2()
    big_a = vbo / tb
    se, ce = np.sin(elev), np.where(elev >= _HALF_PI, 0.0, np.cos(elev))
    # at or above the lift-off thrust g / sin e (below it the path would run underground, where a
    # falling body also gains speed: a second, spurious root); speed grows with the thrust there
    with np.errstate(divide="ignore"):
        a_lift = np.where(se > 0.0, g / se, np.inf)
    a0 = g * se + np.sqrt(np.maximum(big_a * big_a - (g * ce) ** 2, 0.0))
    # elevations that lift off with burnout speed vbo: the speed at the lift-off thrust is below vbo
    lifts = np.isfinite(a_lift)
    lifts[lifts] = _speed(_burnout_state(elev[lifts], a_lift[lifts], tb, dt)) <= vbo
    a0 = np.where(lifts & (a0 < a_lift), a_lift * (1.0 + 1e-9), a0)
    v0 = _speed(_burnout_state(elev, a0, tb, dt))
    a1 = a0 + (vbo - v0) / tb  # d|v|/da is about tb
    a1 = np.where(lifts & (a1 < a_lift), 0.5 * (a0 + a_lift), a1)
    for _ in range(_ACCEL_ITER):
        v1 = _speed(_burnout_state(elev, a1, tb, dt))
        err = v1 - vbo
        if np.all(np.abs(err) <= _ACCEL_RTOL * vbo):
            return a1
        dv = v1 - v0
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(dv != 0.0, err * (a1 - a0) / dv, err / tb)
        a0, v0 = a1, v1
        a1 = a1 - step
        a1 = np.where(lifts & (a1 < a_lift), 0.5 * (a0 + a_lift), a1)  # stay on the flying side
    raise ArithmeticError(f"thrust acceleration for vbo = {vbo} m/s, tb = {tb} s did not converge")


def _speed(state):
    return np.hypot(state[2], state[3])


def _liftoff_elev(vbo, tb, dt):
    """Elevation (rad) at which the thrust that gives burnout speed ``vbo`` is exactly ``g / sin e``
    (vertical acceleration zero at lift-off): ``speed(e, g / sin e) = vbo``, decreasing in ``e``.
    Flat-Earth start ``atan(g tb / vbo)``, then secant on the sphere's burn."""
    g = surface_gravity_m_s2()

    def f(e):
        e = np.atleast_1d(np.clip(e, 1e-9, _HALF_PI))
        return float(_speed(_burnout_state(e, g / np.sin(e), tb, dt))[0]) - vbo

    e0 = math.atan(g * tb / vbo)
    e1 = e0 * (1.0 + 1e-3) + 1e-6
    f0, f1 = f(e0), f(e1)
    for _ in range(_ACCEL_ITER):
        if abs(f1) <= _ACCEL_RTOL * vbo or f1 == f0:
            break
        e0, f0, e1 = e1, f1, min(max(e1 - f1 * (e1 - e0) / (f1 - f0), 1e-9), _HALF_PI)
        f1 = f(e1)
    return e1


def _fly_fan(elev, accel, tb, t_breaks, dt):
    """Fixed-step RK4 of the fan in the plane of fire (compiled, :func:`_rk4_plane`).

    Frame: origin at the Earth's centre, y up through the site (0, R), x downrange. ``accel`` (n,)
    is each member's thrust acceleration (m/s^2) for ``tb`` seconds. Returns the sample times
    (n_t,) and the states (n_fan, n_t, 4) = (x, y, vx, vy), batch axis first. Every time in
    ``t_breaks`` (burnout, t_max) is a step boundary.
    """
    return _integrate(elev, accel, tb, t_breaks, dt)


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


@dataclass(frozen=True)
class FanPaths:
    """Trajectories of a fan of launch elevations, as the table flies them (non-rotating Earth).

    Attributes
    ----------
    elev_rad, accel_m_s2 : ndarray, shape (n,)
        Launch elevations (rad) and their thrust accelerations (m/s^2, burnout speed vbo).
    t_s : ndarray, shape (m,)
        Sample times (s) from launch; burnout ``tb_s`` and ``t_max_s`` are samples.
    ground_range_m, alt_m, speed_m_s : ndarray, shape (n, m)
        Ground range (arc on the ``R_MEAN_M`` sphere), altitude and speed; NaN after the path comes
        back to the ground.
    burnout_index : int
        Index of ``tb_s`` in ``t_s`` (the burnout state), or -1 if tb > t_max.
    """

    elev_rad: np.ndarray
    accel_m_s2: np.ndarray
    t_s: np.ndarray
    ground_range_m: np.ndarray
    alt_m: np.ndarray
    speed_m_s: np.ndarray
    burnout_index: int


def fly_fan_paths(kin: InterceptorKinematics, elev_rad, dt_s: float = 1.0) -> FanPaths:
    """Fly launches at the elevations ``elev_rad`` (1-D, rad, each >= the lift-off elevation) to
    ``kin.t_max_s`` with the table's integrator (RK4 steps of ``dt_s``, thrust per elevation giving burnout
    speed vbo); for reports and figures. Raises ValueError for elevations outside [0, pi/2]."""
    e = np.atleast_1d(np.asarray(elev_rad, dtype=float))
    if e.ndim != 1 or not np.all((e >= 0.0) & (e <= _HALF_PI)):
        raise ValueError(f"elev_rad must be 1-D with values in [0, pi/2] rad, got {elev_rad!r}")
    accel = _solve_accel(e, kin.vbo_m_s, kin.tb_s, float(dt_s))
    breaks = sorted({0.0, min(kin.tb_s, kin.t_max_s), kin.t_max_s})
    times, st = _fly_fan(e, accel, kin.tb_s, breaks, float(dt_s))
    x, y, vx, vy = st[..., 0], st[..., 1], st[..., 2], st[..., 3]
    alt = np.hypot(x, y) - R_MEAN_M
    rng = R_MEAN_M * np.unwrap(np.arctan2(x, y), axis=1)
    spd = np.hypot(vx, vy)
    under = alt < 0.0
    under[:, 0] = False
    gone = np.cumsum(under, axis=1) > 0
    for a in (alt, rng, spd):
        a[gone] = np.nan
    k = np.nonzero(np.isclose(times, kin.tb_s, rtol=0.0, atol=1e-9))[0]
    return FanPaths(e, accel, times, rng, alt, spd, int(k[0]) if k.size else -1)


def _fan_flight(kin, n_elev, dt_s):
    """The fan of a table flown and cut: every member ended where it comes back to the ground (for the
    reach above it) and, continued below the ground, at ``-depth``. Returns a namespace of the arrays
    :func:`build_flyout_table` works on, with ``g_top`` (the farthest ground range flown, continued
    paths included, to a little beyond t_max) and ``max_range`` (the farthest above the ground within
    t_max)."""
    e_lo = min(max(kin.min_elev_rad, _liftoff_elev_cached(kin.vbo_m_s, kin.tb_s, float(dt_s)) + _LIFTOFF_MARGIN_RAD),
               _HALF_PI)
    t_max = kin.t_max_s
    t_ext = t_max + max(0.05 * t_max, 20.0)  # fly a little longer: clean t_max boundary
    tb = kin.tb_s
    breaks = sorted({0.0, min(tb, t_ext), t_max, t_ext})
    elev = _fan(e_lo, n_elev)
    accel = _solve_accel(elev, kin.vbo_m_s, tb, float(dt_s))  # burnout speed vbo at every elevation
    times, st = _fly_fan(elev, accel, tb, breaks, dt_s)
    n_t = times.size

    x, y, vx, vy = st[..., 0], st[..., 1], st[..., 2], st[..., 3]
    alt = np.hypot(x, y) - R_MEAN_M
    rng = R_MEAN_M * np.unwrap(np.arctan2(x, y), axis=1)
    spd = np.hypot(vx, vy)
    t_all = np.broadcast_to(times, alt.shape).copy()

    # end each trajectory where it comes back to the ground (linear interpolation of the sample)
    # the ground: where each trajectory first comes back to altitude 0 (linear interpolation of the
    # sample); it bounds the reach above the ground (max_ground_range_m)
    under = alt < 0.0
    under[:, 0] = False
    hit = np.nonzero(under.any(axis=1))[0]
    m_g = under[hit].argmax(axis=1)
    f = alt[hit, m_g - 1] / (alt[hit, m_g - 1] - alt[hit, m_g])
    t_land = t_all[hit, m_g - 1] + f * (t_all[hit, m_g] - t_all[hit, m_g - 1])
    r_land = rng[hit, m_g - 1] + f * (rng[hit, m_g] - rng[hit, m_g - 1])
    s_land0 = spd[hit, m_g - 1] + f * (spd[hit, m_g] - spd[hit, m_g - 1])
    ground_at = [np.full(elev.size, np.nan) for _ in range(3)]  # range, time, speed of each landing
    for arr, v in zip(ground_at, (r_land, t_land, s_land0), strict=True):
        arr[hit] = v
    above = np.ones(alt.shape, dtype=bool)
    above[hit] = np.arange(n_t) < m_g[:, None]

    # each trajectory is continued below the ground down to -depth (see continued_depth_m), where it
    # ends (linear interpolation of the sample); the angle bound: the farthest range above the ground
    # plus what the site's velocity can add (465 m/s over t_max); the cap: half the highest altitude
    h_up = float(np.max(np.where(above & (times <= t_max), alt, 0.0)))
    g_up = float(np.max(np.where(above & (times <= t_max), np.maximum.accumulate(rng, axis=1), 0.0)))
    depth = continued_depth_m(t_max, (g_up + SITE_SPEED_MAX_M_S * t_max) / R_MEAN_M, 0.5 * h_up)
    below = alt < -depth
    below[:, 0] = False
    landed = below.any(axis=1)
    n_valid = np.where(landed, below.argmax(axis=1) + 1, n_t)
    rows = np.nonzero(landed)[0]
    m1 = n_valid[rows] - 1
    f = (alt[rows, m1 - 1] + depth) / (alt[rows, m1 - 1] - alt[rows, m1])
    for arr in (rng, t_all, spd):
        arr[rows, m1] = arr[rows, m1 - 1] + f * (arr[rows, m1] - arr[rows, m1 - 1])
    alt[rows, m1] = -depth
    live = np.arange(n_t) < n_valid[:, None]
    rng = np.where(live, np.minimum(np.maximum.accumulate(rng, axis=1), math.pi * R_MEAN_M), np.nan)

    in_time = live & (t_all <= t_max)
    max_range = float(np.max(np.where(in_time & above, rng, 0.0)))
    if hit.size and np.any(t_land <= t_max):
        max_range = max(max_range, float(np.max(r_land[t_land <= t_max])))
    g_top = float(np.nanmax(rng))
    return SimpleNamespace(elev=elev, accel=accel, times=times, n_t=n_t, alt=alt, rng=rng, spd=spd, t_all=t_all,
                           vy=vy, ground_at=ground_at, depth=depth, landed=landed, n_valid=n_valid, rows=rows,
                           max_range=max_range, g_top=g_top, t_max=t_max, tb=tb)


@functools.lru_cache(maxsize=4096)
def table_reach_m(kin: InterceptorKinematics, n_elev: int = 541, dt_s: float = 1.0) -> float:
    """The ``range_top_m`` of ``build_flyout_table(kin, n_elev, dt_s)`` -- the farthest ground range of its
    paths (continued below the ground) -- without the tabulation (the fan flown, then one compiled scan;
    cached): lookups beyond it fail, so a caller can skip building a table that cannot reach."""
    e_lo = min(max(kin.min_elev_rad, _liftoff_elev_cached(kin.vbo_m_s, kin.tb_s, float(dt_s)) + _LIFTOFF_MARGIN_RAD),
               _HALF_PI)
    t_max = kin.t_max_s
    t_ext = t_max + max(0.05 * t_max, 20.0)
    elev = _fan(e_lo, n_elev)
    accel = _solve_accel(elev, kin.vbo_m_s, kin.tb_s, float(dt_s))
    times, st = _fly_fan(elev, accel, kin.tb_s, sorted({0.0, min(kin.tb_s, t_ext), t_max, t_ext}), dt_s)
    up = np.zeros(2)
    _reach_above(st, times, t_max, up)
    depth = continued_depth_m(t_max, (up[1] + SITE_SPEED_MAX_M_S * t_max) / R_MEAN_M, 0.5 * up[0])
    return _reach_continued(st, depth)


@njit(cache=True, error_model="numpy")
def _reach_above(st, times, t_max, out):
    """out[0], out[1]: the highest altitude and the farthest ground range of the fan ``st`` (n, m, 4) above
    the ground within t_max (samples before each member's first return below altitude 0), as
    :func:`_fan_flight` finds them."""
    n, m = st.shape[0], st.shape[1]
    h_up = 0.0
    g_up = 0.0
    for i in range(n):
        prev = 0.0
        g_run = 0.0
        for j in range(m):
            x, y = st[i, j, 0], st[i, j, 1]
            alt = math.sqrt(x * x + y * y) - R_MEAN_M
            a = math.atan2(x, y)
            if j > 0:  # unwrap
                while a - prev > math.pi:
                    a -= 2.0 * math.pi
                while a - prev < -math.pi:
                    a += 2.0 * math.pi
            prev = a
            g = R_MEAN_M * a
            if g > g_run:
                g_run = g
            if j > 0 and alt < 0.0:
                break
            if times[j] <= t_max:
                if alt > h_up:
                    h_up = alt
                if g_run > g_up:
                    g_up = g_run
    out[0] = h_up
    out[1] = g_up


@njit(cache=True, error_model="numpy")
def _reach_continued(st, depth):
    """The farthest ground range of the fan's paths continued below the ground to ``-depth`` (where each
    ends, linearly interpolated), capped at half the circumference: :func:`_fan_flight`'s ``g_top``."""
    n, m = st.shape[0], st.shape[1]
    top = 0.0
    for i in range(n):
        prev = 0.0
        g_run = 0.0
        g_prev = 0.0
        alt_prev = 0.0
        for j in range(m):
            x, y = st[i, j, 0], st[i, j, 1]
            alt = math.sqrt(x * x + y * y) - R_MEAN_M
            a = math.atan2(x, y)
            if j > 0:
                while a - prev > math.pi:
                    a -= 2.0 * math.pi
                while a - prev < -math.pi:
                    a += 2.0 * math.pi
            prev = a
            g = R_MEAN_M * a
            if j > 0 and alt < -depth:
                f = (alt_prev + depth) / (alt_prev - alt)
                g = g_prev + f * (g - g_prev)
                if g > g_run:
                    g_run = g
                break
            if g > g_run:
                g_run = g
            g_prev = g
            alt_prev = alt
        if g_run > math.pi * R_MEAN_M:
            g_run = math.pi * R_MEAN_M
        if g_run > top:
            top = g_run
    return top


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
    f = _fan_flight(kin, n_elev, dt_s)
    elev, accel, times, alt, rng, spd, t_all, vy = f.elev, f.accel, f.times, f.alt, f.rng, f.spd, f.t_all, f.vy
    ground_at, depth, landed, n_valid, rows = f.ground_at, f.depth, f.landed, f.n_valid, f.rows
    max_range, g_top, t_max = f.max_range, f.g_top, f.t_max
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

    low_alt = np.where(np.isfinite(hc[0]), hc[0], -depth)
    low_alt[0] = 0.0
    top_alt = hc[kstar, jr]  # NaN where nothing passes
    segments = []

    def add(j, end_a, end_b, h_peak, branch, pair=None):
        """A segment at range nodes j; ``pair``: the lower index of the two members it lies between."""
        pair = np.full(j.size, -1) if pair is None else pair
        segments.append((j, *end_a, *end_b, h_peak, np.full(j.size, branch), pair))

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
        add(j, member(k, j), member(k + 1, j), np.full(j.size, np.nan), branch, k)

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
    for sel, branch in (((ka + 1 <= kstar[jn]) & (low_alt[jn] == -depth), 0), (ka >= kstar[jn], 1)):
        j = jn[sel]
        ground = (np.full(j.size, -depth), t_g[sel], s_g[sel])
        add(j, ground, member(over[sel], j), np.full(j.size, np.nan), branch, ka[sel])

    # Near the vertical the top of the envelope over a range node is set by the time flown, not by a
    # highest crossing: it is the curve of the members' end points at t_ext (the member ending right
    # over the node is there at that altitude). Where that curve lies higher, take it: the crossing
    # of the last member to get there falls short of it by a saw-tooth, and columns whose tops
    # differ map the same level to different altitudes (interpolation error across a range cell).
    run = np.nonzero(landed[::-1])[0]  # members still flying at t_ext, from the vertical down
    n_run = elev.size if run.size == 0 else int(run[0])
    if n_run >= 2:
        x_end = rng[::-1, -1][:n_run]
        h_end = alt[::-1, -1][:n_run]
        grows = np.nonzero(np.diff(x_end) <= 0.0)[0]  # keep the stretch where the end point moves out
        n_mono = n_run if grows.size == 0 else int(grows[0]) + 1
        if n_mono >= 2:
            x_end, h_end = x_end[:n_mono], h_end[:n_mono]
            s_end = spd[::-1, -1][:n_mono]
            j = np.nonzero(cols <= x_end[-1])[0]
            end_top = np.interp(cols[j], x_end, h_end)
            higher = ~(top_alt[j] >= end_top)
            j, end_top = j[higher], end_top[higher]
            top_alt[j] = end_top
            # the low branch closes up to that end point: from the highest crossing to it
            j0 = j > 0
            j, end_top = j[j0], end_top[j0]
            k = kstar[j]
            ok = np.isfinite(hc[k, j])
            j, k, end_top = j[ok], k[ok], end_top[ok]
            add(j, member(k, j), (end_top, np.full(j.size, times[-1]), np.interp(cols[j], x_end, s_end)),
                np.full(j.size, np.nan), 0)

    # --- onto the levels of each branch -----------------------------------------------------
    # Along a segment, time and speed are interpolated linearly in a variable v(altitude):
    # * next to the top of the envelope v = sqrt(top altitude - altitude): there altitude is
    #   quadratic and time linear in elevation;
    # * elsewhere v = psi(altitude), the time the vertical shot takes to climb there: close to
    #   the vertical the members climb like the vertical shot (time = psi + nearly a constant);
    #   farther out psi is a smooth monotonic change of variable over short segments.
    # * below the ground (continued paths) v = -psi(-altitude), and a segment between two members
    #   that crosses the ground is cut there, at the time the member landing right over the node
    #   lands (interpolated between the two members' landings, as they bracket the node): a segment
    #   from deep below to high above would interpolate poorly just where the tables need it most.
    levels = _nodes(1.0, n_alt, both_ends=True)
    j, ha, ta, sa, hb, tb_, sb, h_peak, branch, pair = (
        np.concatenate(c) for c in zip(*segments, strict=True))
    g0, t0, s0 = ground_at
    with np.errstate(invalid="ignore", divide="ignore"):
        pc = np.clip(pair, 0, max(n_f - 2, 0))
        ga, gb = g0[pc], g0[np.minimum(pc + 1, n_f - 1)]
        x = cols[j]
        cut = (pair >= 0) & (np.sign(ha) * np.sign(hb) < 0) & (np.minimum(ga, gb) <= x) & (x <= np.maximum(ga, gb))
        wc = np.where(cut, (x - ga) / (gb - ga), 0.0)
        t_cut = t0[pc] + wc * (t0[np.minimum(pc + 1, n_f - 1)] - t0[pc])
        s_cut = s0[pc] + wc * (s0[np.minimum(pc + 1, n_f - 1)] - s0[pc])
    if cut.any():
        c = np.nonzero(cut)[0]
        zero = np.zeros(c.size)
        first = (j[c], ha[c], ta[c], sa[c], zero, t_cut[c], s_cut[c], h_peak[c], branch[c], pair[c])
        second = (j[c], zero, t_cut[c], s_cut[c], hb[c], tb_[c], sb[c], h_peak[c], branch[c], pair[c])
        keep = ~cut
        j, ha, ta, sa, hb, tb_, sb, h_peak, branch, pair = (
            np.concatenate([v[keep], f, g]) for v, f, g in zip(
                (j, ha, ta, sa, hb, tb_, sb, h_peak, branch, pair), first, second, strict=True))

    def psi(h):
        return np.where(h >= 0.0, np.interp(h, asc[0], asc[1]), -np.interp(-h, asc[0], asc[1]))

    def var(h, h_pk):
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(h_pk), psi(h), np.sqrt(np.maximum(h_pk - h, 0.0)))

    tau_low = np.full(n_range * n_alt, np.inf)
    tau_high = np.full(n_range * n_alt, np.inf)
    speed_low = np.full(n_range * n_alt, np.nan)
    speed_high = np.full(n_range * n_alt, np.nan)
    for b, base, tau_f, spd_f in (
        (0, low_alt, tau_low, speed_low),
        (1, np.full(n_range, -depth), tau_high, speed_high),
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
        h_lev = -depth + levels * (top_alt[0] + depth)
        tau_high[:n_alt] = np.interp(h_lev, hd, td, left=np.nan)
        speed_high[:n_alt] = np.interp(h_lev, hd, sd, left=np.nan)
    else:
        tau_high[:n_alt] = np.nan

    grids = []
    for a in (tau_low, tau_high, speed_low, speed_high):
        a = a.reshape(n_range, n_alt)
        a[~np.isfinite(a)] = np.nan
        grids.append(a)
    for a in (*grids, low_alt, top_alt, elev, accel):
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
        depth_m=depth,
        elev_fan_rad=elev,
        accel_fan_m_s2=accel,
    )


def _empty_table(kin, n_range, n_alt):
    nan = np.full((n_range, n_alt), np.nan)
    low = np.zeros(n_range)
    top = np.full(n_range, np.nan)
    fan = np.zeros(0)
    for a in (nan, low, top, fan):
        a.setflags(write=False)
    return FlyoutTable(kin, 1.0, nan, nan, nan, nan, low, top, 0.0, 0.0, 0.0, fan, fan)
