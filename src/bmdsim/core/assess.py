"""Fit a staged-missile template to an observed flight, and carry the observation errors to derived numbers.

What governments publish after a test is the apogee (m), the ground range (m) and the flight time
(s), each with an uncertainty. This module fits three parameters of a template missile
(:class:`bmdsim.core.boost.RocketSpec`) to them, with the staged boost, gravity and drag of the
compiled integrator (:mod:`bmdsim.core.flight`):

* ``performance``: one factor on every stage Isp (the template's energy; as ``isp_scale``);
* ``loft_rad``: the loft angle of the pitch-over (the trajectory's shape; as ``kick`` in
  :mod:`bmdsim.core.boost`); full burn, as lofted tests fly;
* ``burn``: one factor on every stage burn time (thrust = Isp g0 propellant / burn time, so a
  longer burn is a weaker thrust). The flight time fixes it only weakly (a longer boost at
  constant apogee and range adds about half its length to the flight time), so it carries a
  Gaussian prior (the template's boost time and its uncertainty).

The fit is weighted least squares (``scipy.optimize.least_squares``, trust-region reflective,
bounds on every parameter) of ``r = [(y(theta) - y_obs) / sigma, (burn - b0) / sigma_burn]`` from
the best point of a coarse grid. Its covariance is the linearised ``(J^T J)^-1`` of the
normalised residuals at the solution (Gauss-Newton; e.g. Press et al., Numerical Recipes, 3rd ed.,
section 15.5). A derived number ``q(theta)`` gets a 90 % interval by evaluating ``q`` at
``theta +- z C g / sqrt(g^T C g)`` (z = 1.645, g the gradient of q): the two points of the 90 %
error ellipsoid where the linearised q is extreme. q itself is evaluated there without
linearisation, so a convex q (the range grows faster than linearly with the burnout speed)
gets an asymmetric interval; six more points on the ellipsoid's axes catch a q that is not monotone
(:func:`interval`).

Flights start on the ground co-rotating with the planet (``planet = [mu, J2, a, e2, omega]``:
the rotating WGS84 Earth when the launch point is known, or the non-rotating sphere of
:data:`bmdsim.core.calibration.SPHERE`). Apogee: geodetic height on an ellipsoid, height above the
sphere on a sphere; ground range: Karney geodesic on WGS84, great-circle arc on the sphere, negative
when the impact lies behind the launch point in the direction of the test (:class:`FlightSetup`). SI
units; batch axis first.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from bmdsim.core import earth, flight, geodesy
from bmdsim.core import trajectory as traj
from bmdsim.core.boost import RocketSpec

PARAMS = ("performance", "loft_rad", "burn")
LOFT_MIN_RAD = math.radians(0.05)  # lofted tests fly within a degree of vertical: below the solver's 0.5 deg floor
BOUNDS_LOW = np.array([0.4, LOFT_MIN_RAD, 0.4])
BOUNDS_HIGH = np.array([3.0, traj.KICK_MAX_RAD, 2.5])
FD_STEPS = np.array([1e-4, 1e-4, 1e-4])  # forward-difference steps (performance, rad, burn)
Z90 = 1.6448536269514722  # two-sided 90 %: the 95th percentile of the standard normal
GRID_PERFORMANCE = np.arange(0.55, 1.801, 0.05)
GRID_LOFT_RAD = np.radians(np.concatenate([[0.1, 0.25], np.arange(0.5, 10.0, 0.5), np.arange(10.0, 60.01, 2.0)]))
AZIMUTH_PASSES = 3  # launch-azimuth corrections that put the fitted impact in the plane of the splash point

OBSERVABLES = ("apogee_m", "range_m", "flight_time_s")


def scaled_spec(spec: RocketSpec, performance: float = 1.0, burn: float = 1.0,
                payload_kg: float | None = None) -> RocketSpec:
    """``spec`` with every stage Isp times ``performance``, every burn time times ``burn`` and, if given,
    the payload replaced (kg). Raises ValueError if a factor is not > 0 or the burn no longer outlasts
    the vertical rise and pitch-over."""
    if not (performance > 0 and burn > 0):
        raise ValueError(f"performance and burn factors must be > 0, got {performance}, {burn}")
    out = dataclasses.replace(
        spec, isp_s=tuple(i * performance for i in spec.isp_s), burn_time_s=tuple(b * burn for b in spec.burn_time_s),
        payload_mass_kg=spec.payload_mass_kg if payload_kg is None else float(payload_kg))
    if not spec.vertical_rise_s + spec.pitchover_s < out.boost_time_s:
        raise ValueError(f"{spec.name}: a burn of {out.boost_time_s:.0f} s ends before the pitch-over")
    return out


@dataclass(frozen=True)
class FlightSetup:
    """Where and how the observed flight is flown: planet [mu, J2, a, e2, omega], launch point
    (geodetic deg), launch azimuth (deg, in the launch frame of :func:`bmdsim.core.trajectory.launch_frame`)
    and the direction the test went (deg, same frame; None: the launch azimuth). The ground range is
    negative for an impact behind the launch point in that direction: near vertical on a rotating Earth
    a flight drifts back west, and a published range means the way the test went."""

    planet: np.ndarray
    launch_lat_deg: float = 0.0
    launch_lon_deg: float = 0.0
    azimuth_deg: float = 90.0
    direction_deg: float | None = None

    @property
    def spherical(self) -> bool:
        return float(self.planet[3]) == 0.0

    def with_azimuth(self, azimuth_deg: float) -> FlightSetup:
        """The same setup launched at another azimuth (the direction of the test is kept)."""
        return dataclasses.replace(self, azimuth_deg=float(azimuth_deg), direction_deg=self.direction)

    @property
    def direction(self) -> float:
        return self.azimuth_deg if self.direction_deg is None else float(self.direction_deg)


@dataclass(frozen=True)
class Observed:
    """Observable quantities of n full-burn flights (each (n,), SI; NaN where ``status`` != 0)."""

    apogee_m: np.ndarray
    range_m: np.ndarray  # negative behind the launch point in the setup's direction
    flight_time_s: np.ndarray
    burnout_speed_m_s: np.ndarray  # relative to the (rotating) planet's surface frame
    burnout_speed_inertial_m_s: np.ndarray
    burnout_alt_m: np.ndarray
    burnout_gamma_rad: np.ndarray  # flight-path angle of the Earth-relative velocity
    impact_lat_deg: np.ndarray
    impact_lon_deg: np.ndarray
    status: np.ndarray

    def vector(self) -> np.ndarray:
        """(n, 3): apogee, range, flight time."""
        return np.stack([self.apogee_m, self.range_m, self.flight_time_s], axis=-1)


def to_planet_fixed(r_eci, t_s, omega_rad_s: float):
    """Inertial positions (n, 3) m at times t_s (n,) s into the frame turning with the planet at ``omega_rad_s``
    (axes coincide at t = 0): ECEF on the rotating Earth, the inertial frame itself on a non-rotating sphere."""
    ang = -omega_rad_s * np.asarray(t_s, dtype=float)
    c, s = np.cos(ang), np.sin(ang)
    r = np.asarray(r_eci, dtype=float)
    return np.stack([c * r[..., 0] - s * r[..., 1], s * r[..., 0] + c * r[..., 1], r[..., 2]], axis=-1)


def fly_observed(spec: RocketSpec, loft_rad, setup: FlightSetup) -> Observed:
    """Full-burn flights of ``spec`` at loft angles ``loft_rad`` (n,) from the setup's launch point and azimuth."""
    loft = np.atleast_1d(np.asarray(loft_rad, dtype=float))
    n = loft.size
    planet = np.asarray(setup.planet, dtype=float)
    lat = np.full(n, math.radians(setup.launch_lat_deg))
    lon = np.full(n, math.radians(setup.launch_lon_deg))
    st0 = traj.launch_state(lat, lon, planet)
    ev, evs, status, _ = traj.integrate(spec, st0, loft, np.full(n, math.radians(setup.azimuth_deg)),
                                        np.full(n, spec.boost_time_s), launch_lon_rad=lon, planet=planet)
    ok = status == traj.STATUS_OK
    omega = float(planet[4])
    t_imp = ev[:, flight.EV_IMPACT_T]
    t_apo = ev[:, flight.EV_APOGEE_T]
    rb, vb = evs[:, flight.EV_BURNOUT_T, :3], evs[:, flight.EV_BURNOUT_T, 3:]
    vrel = vb - np.cross([0.0, 0.0, omega], rb)
    rbn = np.linalg.norm(rb, axis=-1)
    vrel_n = np.linalg.norm(vrel, axis=-1)
    gamma = np.arcsin(np.clip((rb * vrel).sum(-1) / (rbn * vrel_n), -1.0, 1.0))
    r_apo = to_planet_fixed(evs[:, flight.EV_APOGEE_T, :3], np.nan_to_num(t_apo), omega)
    r_imp = to_planet_fixed(evs[:, flight.EV_IMPACT_T, :3], np.nan_to_num(t_imp), omega)
    r0 = st0[:, :3]
    if setup.spherical:
        apo = np.linalg.norm(r_apo, axis=-1) - planet[2]
        arc = np.arctan2(np.linalg.norm(np.cross(r0, r_imp), axis=-1), (r0 * r_imp).sum(-1))
        rng = planet[2] * arc
        b_alt = rbn - planet[2]
        u = r_imp / np.linalg.norm(r_imp, axis=-1, keepdims=True)
        la_i, lo_i = np.degrees(np.arcsin(np.clip(u[:, 2], -1, 1))), np.degrees(np.arctan2(u[:, 1], u[:, 0]))
    else:
        apo = earth.ecef_to_geodetic(r_apo)[2]
        b_alt = earth.ecef_to_geodetic(rb)[2]
        la, lo, _ = earth.ecef_to_geodetic(np.where(ok[:, None], r_imp, r0))
        la_i, lo_i = np.degrees(la), np.degrees(lo)
        rng, _, _ = geodesy.inverse(np.full(n, setup.launch_lat_deg), np.full(n, setup.launch_lon_deg), la_i, lo_i)
    _, north, east = traj.launch_frame(r0, lon)
    d = math.radians(setup.direction)
    ahead = ((r_imp - r0) * (math.cos(d) * north + math.sin(d) * east)).sum(-1) >= 0.0
    rng = np.where(ahead, np.asarray(rng, float), -np.asarray(rng, float))
    bad = np.where(ok, 0.0, np.nan)
    return Observed(apogee_m=apo + bad, range_m=rng + bad, flight_time_s=t_imp + bad,
                    burnout_speed_m_s=vrel_n + bad, burnout_speed_inertial_m_s=np.linalg.norm(vb, axis=-1) + bad,
                    burnout_alt_m=b_alt + bad, burnout_gamma_rad=gamma + bad, impact_lat_deg=la_i + bad,
                    impact_lon_deg=lo_i + bad, status=status)


def flight_model(template: RocketSpec, setup: FlightSetup, payload_kg: float | None = None):
    """The observation model y(theta) of :func:`fit`: theta (n, 3) -> (y (n, 3) apogee m, range m, time s).

    Rows whose spec is invalid or whose flight fails come back NaN.
    """
    def model(theta):
        theta = np.atleast_2d(theta)
        out = np.full((theta.shape[0], 3), np.nan)
        # one integrator call per distinct (performance, burn): the loft angles of a row group share a spec
        keys = {}
        for i, (p, _, b) in enumerate(theta):
            keys.setdefault((float(p), float(b)), []).append(i)
        for (p, b), rows in keys.items():
            try:
                spec = scaled_spec(template, p, b, payload_kg)
            except ValueError:
                continue
            out[rows] = fly_observed(spec, theta[rows, 1], setup).vector()
        return out

    return model


@dataclass(frozen=True)
class Fit:
    """Result of :func:`fit` (SI; ``theta`` in the order of :data:`PARAMS`)."""

    theta: np.ndarray  # (3,)
    cov: np.ndarray  # (3, 3) linearised covariance of theta
    predicted: np.ndarray  # (k,) y(theta)
    normalised_residuals: np.ndarray  # (k,) (y - y_obs) / sigma, then the prior terms
    chi2: float
    dof: int  # observations + prior terms - parameters
    at_bound: tuple[str, ...]  # parameters that ended on a bound
    evaluations: int

    @property
    def sigma(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


def fit(model: Callable[[np.ndarray], np.ndarray], y_obs, sigma, *, burn_prior: tuple[float, float] = (1.0, 0.15),
        grid_performance=GRID_PERFORMANCE, grid_loft_rad=GRID_LOFT_RAD, x0=None) -> Fit:
    """Weighted least-squares fit of theta = (performance, loft_rad, burn) to observations.

    ``model``: theta (n, 3) -> predictions (n, k) (NaN for failed rows); ``y_obs``, ``sigma``: (k,)
    (sigma > 0; an observation with sigma = inf is ignored); ``burn_prior``: (mean, sigma) of the burn
    factor (sigma = inf: no prior). The start is ``x0`` if given, else the best point of the grid
    ``grid_performance`` x ``grid_loft_rad`` at the prior's burn factor. Raises ValueError if no grid
    point flies.
    """
    y_obs = np.asarray(y_obs, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    if y_obs.shape != sigma.shape or not np.all(sigma > 0):
        raise ValueError("y_obs and sigma must have the same shape and sigma must be > 0")
    use = np.isfinite(sigma)
    b_mean, b_sig = burn_prior
    has_prior = math.isfinite(b_sig)
    count = [0]

    def resid_batch(thetas):
        count[0] += thetas.shape[0]
        y = model(thetas)
        r = (y[:, use] - y_obs[use]) / sigma[use]
        if has_prior:
            r = np.concatenate([r, ((thetas[:, 2] - b_mean) / b_sig)[:, None]], axis=-1)
        return r

    if x0 is None:
        pp, ll = np.meshgrid(grid_performance, grid_loft_rad, indexing="ij")
        grid = np.stack([pp.ravel(), ll.ravel(), np.full(pp.size, b_mean)], axis=-1)
        grid = np.clip(grid, BOUNDS_LOW, BOUNDS_HIGH)
        rg = resid_batch(grid)
        cost = np.where(np.all(np.isfinite(rg), axis=-1), (rg ** 2).sum(-1), np.inf)
        if not np.isfinite(cost).any():
            raise ValueError("no trial flight of the template flies (check the template and the payload)")
        x0 = grid[int(np.argmin(cost))]
    x0 = np.clip(np.asarray(x0, dtype=float), BOUNDS_LOW, BOUNDS_HIGH)
    # a failed flight is a large residual (never NaN, which least_squares cannot handle)
    big = 1e3

    def fun(x):
        r = resid_batch(x[None, :])[0]
        return np.where(np.isfinite(r), r, big)

    def jac(x):
        h = FD_STEPS * np.where(x + FD_STEPS > BOUNDS_HIGH, -1.0, 1.0)
        pts = np.vstack([x[None, :], x[None, :] + np.diag(h)])
        r = resid_batch(pts)
        r = np.where(np.isfinite(r), r, big)
        return ((r[1:] - r[0]) / h[:, None]).T

    sol = least_squares(fun, x0, jac=jac, bounds=(BOUNDS_LOW, BOUNDS_HIGH), x_scale=np.array([0.01, 0.01, 0.01]),
                        xtol=1e-10, ftol=1e-12, gtol=1e-10, max_nfev=200)
    theta = sol.x
    J = jac(theta)
    try:
        cov = np.linalg.inv(J.T @ J)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(J.T @ J)
    r = fun(theta)
    pred = model(theta[None, :])[0]
    tol = 1e-6 * (BOUNDS_HIGH - BOUNDS_LOW)
    at_bound = tuple(PARAMS[i] for i in range(3)
                     if theta[i] - BOUNDS_LOW[i] < tol[i] or BOUNDS_HIGH[i] - theta[i] < tol[i])
    return Fit(theta=theta, cov=cov, predicted=pred, normalised_residuals=r, chi2=float(r @ r),
               dof=int(r.size - 3), at_bound=at_bound, evaluations=count[0])


def aim_azimuth(template: RocketSpec, setup: FlightSetup, splash_lat_deg: float, splash_lon_deg: float,
                theta, payload_kg: float | None = None) -> FlightSetup:
    """The setup with its launch azimuth corrected so that the flight at ``theta`` lands in the plane
    through the Earth's centre, the launch point and the splash point (on a rotating Earth the
    impact drifts sideways by tens of km on a lofted flight). :data:`AZIMUTH_PASSES` fixed-point passes."""
    az0 = float(traj.plane_azimuth_deg(setup.launch_lat_deg, setup.launch_lon_deg, splash_lat_deg,
                                       splash_lon_deg, setup.planet)[0])
    az = az0
    spec = scaled_spec(template, theta[0], theta[2], payload_kg)
    for _ in range(AZIMUTH_PASSES):
        ob = fly_observed(spec, theta[1], setup.with_azimuth(az))
        if ob.status[0] != 0:
            break
        hit = float(traj.plane_azimuth_deg(setup.launch_lat_deg, setup.launch_lon_deg, ob.impact_lat_deg[0],
                                           ob.impact_lon_deg[0], setup.planet)[0])
        az += ((az0 - hit + 180.0) % 360.0) - 180.0
    return setup.with_azimuth(az)


@dataclass(frozen=True)
class Interval:
    """A derived number and its 90 % interval (NaN bounds where q cannot be evaluated at all, e.g. every
    trial flight goes into orbit). ``theta_low`` / ``theta_high``: the parameters at the two ends of the
    linearised extreme direction (evaluate other numbers there to get "the same two missiles")."""

    value: float
    low: float
    high: float
    sigma_lin: float  # linearised standard deviation sqrt(g^T C g)
    theta_low: np.ndarray | None = None
    theta_high: np.ndarray | None = None


def _sqrt_cov(cov):
    """A matrix square root L (L L^T = cov): Cholesky, or the symmetric eigen-root if cov is not positive definite."""
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(0.5 * (cov + cov.T))
        return v * np.sqrt(np.clip(w, 0.0, None))


def interval(q: Callable[[np.ndarray], np.ndarray], theta, cov, *, steps=FD_STEPS, z: float = Z90) -> list[Interval]:
    """90 % intervals of the m derived numbers ``q(theta) -> (m,)`` given theta's covariance ``cov`` (3, 3).

    For each number: its gradient g (forward differences, ``steps``) gives the two points
    ``theta +- z C g / sqrt(g^T C g)`` where the linearised q is extreme on the 90 % ellipsoid; q is evaluated
    there, and at the six axis points ``theta +- z L e_j`` (L L^T = C, shared by all numbers) which catch a q
    that is not monotone along that direction (e.g. a burnout speed that grows with the loft either side of
    vertical). The interval is the smallest and largest of these values and q(theta). Points are clipped to
    the parameter bounds; where q is NaN at one of the two extreme points, that end is NaN (open: e.g. a
    standard range whose missile reaches orbit there); other NaN points are skipped.
    """
    theta = np.asarray(theta, dtype=float)
    q0 = np.atleast_1d(np.asarray(q(theta), dtype=float))
    m = q0.size
    h = steps * np.where(theta + steps > BOUNDS_HIGH, -1.0, 1.0)
    grads = np.empty((m, 3))
    for j in range(3):
        tp = theta.copy()
        tp[j] += h[j]
        grads[:, j] = (np.atleast_1d(np.asarray(q(tp), dtype=float)) - q0) / h[j]
    L = _sqrt_cov(cov)
    axis_vals = [np.atleast_1d(np.asarray(q(np.clip(theta + sgn * z * L[:, j], BOUNDS_LOW, BOUNDS_HIGH)), dtype=float))
                 for j in range(3) for sgn in (-1.0, 1.0)]
    out = []
    for i in range(m):
        g = grads[i]
        var = float(g @ cov @ g)
        if not (np.isfinite(q0[i]) and np.all(np.isfinite(g)) and var > 0):
            out.append(Interval(float(q0[i]), math.nan, math.nan, math.nan))
            continue
        s = math.sqrt(var)
        d = z * (cov @ g) / s
        t_lo, t_hi = np.clip(theta - d, BOUNDS_LOW, BOUNDS_HIGH), np.clip(theta + d, BOUNDS_LOW, BOUNDS_HIGH)
        lo = float(np.atleast_1d(q(t_lo))[i])
        hi = float(np.atleast_1d(q(t_hi))[i])
        if np.isfinite(lo) and np.isfinite(hi) and lo > hi:
            lo, hi, t_lo, t_hi = hi, lo, t_hi, t_lo
        vals = np.array([q0[i], lo, hi] + [a[i] for a in axis_vals])
        ok = np.isfinite(vals)
        v_lo, v_hi = float(np.min(vals[ok])), float(np.max(vals[ok]))
        # an end where q cannot be evaluated stays open (NaN): e.g. the standard range of a missile that can
        # reach orbit there; the linearised bound is no substitute for a quantity that ceases to exist
        if not np.isfinite(lo):
            v_lo = math.nan
        if not np.isfinite(hi):
            v_hi = math.nan
        out.append(Interval(float(q0[i]), v_lo, v_hi, s, t_lo, t_hi))
    return out


def kepler_flight_time_s(apogee_m: float, range_m: float, radius_m: float = earth.R_MEAN_M,
                         mu: float = earth.MU_EARTH_M3_PER_S2) -> float:
    """Flight time (s) of the drag-free conic from and to the surface of a non-rotating sphere with that
    apogee (m above the surface) and ground range (m): the conic of :func:`kepler_same_speed_range_m`
    (apogee at true anomaly pi, the surface points at pi -+ a, a = range / (2 R)), timed with Kepler's
    equation (Bate, Mueller & White 1971, section 4.2): t = 2 (pi - M(pi - a)) / n, M = E - e sin E,
    tan(E/2) = sqrt((1 - e)/(1 + e)) tan(nu/2), n = sqrt(mu / a_sm^3). A powered flight takes longer (the
    boost climbs slowly): published tests fly 1.05-1.15 times this, SRBMs up to about 1.5 times."""
    ra = radius_m + apogee_m
    half = 0.5 * range_m / radius_m
    k = ra / radius_m - 1.0
    e = k / (1.0 - math.cos(half) + k)
    p = ra * (1.0 - e)
    a_sm = p / (1.0 - e * e)
    n = math.sqrt(mu / a_sm ** 3)
    nu0 = math.pi - half
    e_anom = 2.0 * math.atan(math.sqrt((1.0 - e) / (1.0 + e)) * math.tan(0.5 * nu0))
    return 2.0 * (math.pi - (e_anom - e * math.sin(e_anom))) / n


def kepler_same_speed_range_m(apogee_m: float, range_m: float, radius_m: float = earth.R_MEAN_M,
                              mu: float = earth.MU_EARTH_M3_PER_S2) -> tuple[float, float]:
    """The naive conversion, for comparison: (burnout speed m/s, minimum-energy range m) of a drag-free
    conic from and to the surface of a non-rotating sphere with that apogee and range, carried at the
    same speed onto a minimum-energy conic. No boost: it ignores the gravity a lofted boost loses.

    The lofted conic: apogee r_a = R + apogee at true anomaly pi, the launch and impact points at
    radius R at true anomalies pi -+ a, a = range / (2 R): 1/R = (1 - e cos a) / p and 1/r_a = (1 - e) / p,
    so e = k / (1 - cos a + k) with k = r_a / R - 1; h^2 = mu p; the apogee speed v_a = h / r_a and the
    surface speed from energy, v^2 = v_a^2 + 2 mu (1/R - 1/r_a). Minimum-energy range of speed v from R
    (Bate, Mueller & White 1971, section 6.2, with gamma = pi/4 - phi/4): sin(phi/2) = nu / (2 - nu),
    nu = v^2 R / mu.
    """
    ra = radius_m + apogee_m
    a = 0.5 * range_m / radius_m
    k = ra / radius_m - 1.0  # = (1/R - 1/r_a) / (1/r_a) = e (1 - cos a) / (1 - e)
    e = k / (1.0 - math.cos(a) + k)
    h2 = mu * ra * (1.0 - e)
    va2 = h2 / ra ** 2
    v2 = va2 + 2.0 * mu * (1.0 / radius_m - 1.0 / ra)
    nu = v2 * radius_m / mu
    if nu >= 1.0:
        return math.sqrt(v2), math.inf
    return math.sqrt(v2), 2.0 * radius_m * math.asin(nu / (2.0 - nu))


def sample_flight(spec: RocketSpec, loft_rad: float, setup: FlightSetup, step_s: float = 20.0,
                  t_cut_s: float | None = None):
    """Samples of one flight for figures: (t_s (k,), r_ecef (k, 3) m, Earth-fixed), every ``step_s`` s
    from launch to impact; ``t_cut_s`` (default full burn) ends the thrust early."""
    planet = np.asarray(setup.planet, dtype=float)
    lat = np.array([math.radians(setup.launch_lat_deg)])
    lon = np.array([math.radians(setup.launch_lon_deg)])
    st0 = traj.launch_state(lat, lon, planet)
    t_cut = spec.boost_time_s if t_cut_s is None else float(t_cut_s)
    _, _, status, samples = traj.integrate(spec, st0, np.array([float(loft_rad)]),
                                           np.array([math.radians(setup.azimuth_deg)]), np.array([t_cut]),
                                           launch_lon_rad=lon, planet=planet, step_s=step_s,
                                           n_samples=int(flight.T_LIMIT_S / step_s) + 2)
    s = samples[0]
    s = s[np.isfinite(s[:, 0])]
    if status[0] != 0 or s.shape[0] < 2:
        return np.zeros(0), np.zeros((0, 3))
    return s[:, 0], to_planet_fixed(s[:, 1:4], s[:, 0], float(planet[4]))
