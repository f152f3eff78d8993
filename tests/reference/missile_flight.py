"""Reference missile flight on the rotating WGS84 Earth: scipy DOP853, equations written here (tests only).

Independent of :mod:`bmdsim.core.flight` (nothing of bmdsim's gravity, guidance or boost schedule is
used; only the USSA-1976 density function is imported). The model is the one documented there:

* gravity: point mass + J2 (WGS84 / EGM96 constants typed in from NIMA TR8350.2);
* air co-rotating with the Earth; drag ``-0.5 rho |w| w Cd A / m`` in boost (w = v - omega x r),
  ``-rho |w| w / (2 beta)`` after burnout; heights along the geocentric radial to the ellipsoid;
* boost: stages of constant thrust Isp g0 mdot; vertical rise along the geocentric radial;
  pitch-over with the thrust at ``kick`` from the vertical toward the launch heading ``p`` (a unit
  vector fixed in inertial space at launch: cos(psi) north + sin(psi) east of the launch frame, east
  = (-sin lon, cos lon, 0) from the longitude, north = up x east), made horizontal at the current
  position; then a zero-lift gravity turn along the air-relative velocity;
* the flight ends at height 0 on the ellipsoid (terminal event).

Used by tests/test_flight.py (the integrator) and tests/test_calibration.py (reach, the poles).
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import Transformer
from scipy.integrate import solve_ivp

from bmdsim.core.atmosphere import density_exact_kg_m3

MU = 3.986004418e14
J2 = 1.08262668e-3
A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
B = A * (1 - F)
OMEGA = 7.292115e-5
G0 = 9.80665
NO_DRAG_BETA_KG_M2 = 1e30  # RV drag rho v^2 / (2 beta) becomes ~1e-26 m/s^2

TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
TO_GEO = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


def grav(r):
    """Point mass + J2: -grad of U = -mu/r (1 - J2 (a/r)^2 P2(z/r))."""
    x, y, z = r
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    c = 1.5 * J2 * A * A / r2
    s2 = z * z / r2
    k = -MU / (r2 * rn)
    return np.array([k * x * (1 + c * (1 - 5 * s2)), k * y * (1 + c * (1 - 5 * s2)), k * z * (1 + c * (3 - 5 * s2))])


def potential(r):
    rn = np.linalg.norm(r, axis=-1)
    s = r[..., 2] / rn
    return -MU / rn * (1 - J2 * (A / rn) ** 2 * 0.5 * (3 * s * s - 1))


def radial_height(r):
    """Height along the geocentric radial above the WGS84 ellipsoid (the model's height)."""
    x, y, z = r
    r2 = x * x + y * y + z * z
    rs = 1.0 / math.sqrt((x * x + y * y) / (r2 * A * A) + z * z / (r2 * B * B))
    return math.sqrt(r2) - rs


def rho(h):
    return float(density_exact_kg_m3(h))


def air_velocity(r, v):
    return v - OMEGA * np.array([-r[1], r[0], 0.0])


def ballistic_rhs(beta):
    def f(_t, y):
        r, v = y[:3], y[3:]
        w = air_velocity(r, v)
        drag = -0.5 * rho(radial_height(r)) * np.linalg.norm(w) * w / beta
        return np.concatenate([v, grav(r) + drag])

    return f


def impact_event(_t, y):
    return radial_height(y[:3])


impact_event.terminal = True
impact_event.direction = -1


def eci_to_ecef(r, t):
    c, s = np.cos(-OMEGA * t), np.sin(-OMEGA * t)
    return np.array([c * r[0] - s * r[1], s * r[0] + c * r[1], r[2]])


def launch_heading(lat_deg, lon_deg, psi):
    """Launch point (ECEF, m) and the pitch-over heading p for azimuth psi (rad) there."""
    r0 = np.array(TO_ECEF.transform(lon_deg, lat_deg, 0.0))
    up = r0 / np.linalg.norm(r0)
    lon = math.radians(lon_deg)
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    north = np.cross(up, east)
    return r0, math.cos(psi) * north + math.sin(psi) * east


def boost_segments(spec, t_cut):
    """[(t0, t1, mode, thrust N, mass at t0 kg, mdot kg/s, Cd*A m^2)] from the stage list."""
    burn = np.array(spec.burn_time_s)
    ends = np.cumsum(burn)
    starts = ends - burn
    tv, tp = spec.vertical_rise_s, spec.vertical_rise_s + spec.pitchover_s
    bps = sorted({0.0, tv, tp, *ends.tolist()})
    segs = []
    for a, b in zip(bps[:-1], bps[1:], strict=True):
        b = min(b, t_cut)
        if b <= a:
            continue
        k = int(np.nonzero(ends > a)[0][0])  # stage burning in [a, b)
        mdot = spec.propellant_mass_kg[k] / spec.burn_time_s[k]
        mass = (spec.payload_mass_kg + sum(spec.propellant_mass_kg[k:]) + sum(spec.dry_mass_kg[k:])
                - mdot * (a - starts[k]))
        mode = 0 if a < tv else (1 if a < tp else 2)
        segs.append((a, b, mode, spec.isp_s[k] * G0 * mdot, mass, mdot,
                     spec.drag_cd * math.pi / 4 * spec.diameter_m[k] ** 2))
    return segs


def boost_rhs(seg, kick, heading):
    t0, _t1, mode, thrust, m0, mdot, cda = seg

    def f(t, y):
        r, v = y[:3], y[3:]
        m = m0 - mdot * (t - t0)
        up = r / np.linalg.norm(r)
        w = air_velocity(r, v)
        wn = np.linalg.norm(w)
        if mode == 0:  # vertical rise along the geocentric radial
            d = up
        elif mode == 1:  # pitch-over: tilt kick from vertical toward the launch heading, made horizontal
            h = heading - (heading @ up) * up
            d = math.cos(kick) * up + math.sin(kick) * h / np.linalg.norm(h)
        else:  # gravity turn: thrust along the air-relative velocity
            d = w / wn
        drag = -0.5 * rho(radial_height(r)) * wn * w * cda / m
        return np.concatenate([v, grav(r) + thrust / m * d + drag])

    return f


def fly_dop853(spec, lat, lon, kick, t_cut, psi, beta, rtol=1e-10):
    """Launch from the ground co-rotating with the Earth; returns burnout state, impact (t, state), sol list."""
    r0, heading = launch_heading(lat, lon, psi)
    y = np.concatenate([r0, OMEGA * np.array([-r0[1], r0[0], 0.0])])
    sols = []
    for seg in boost_segments(spec, t_cut):
        sol = solve_ivp(boost_rhs(seg, kick, heading), (seg[0], seg[1]), y, method="DOP853", rtol=rtol,
                        atol=1e-6, dense_output=True)
        sols.append(sol)
        y = sol.y[:, -1]
    y_bo = y.copy()
    sol = solve_ivp(ballistic_rhs(beta), (t_cut, t_cut + 2e4), y, method="DOP853", rtol=rtol, atol=1e-6,
                    events=impact_event, dense_output=True)
    sols.append(sol)
    return y_bo, sol.t_events[0][0], sol.y_events[0][0], sols


def impact_geodetic(t_imp, y_imp):
    """(lat_deg, lon_deg) of an ECI impact state at time t_imp."""
    lon, lat, _ = TO_GEO.transform(*eci_to_ecef(y_imp[:3], t_imp))
    return lat, lon


def dense(sols, t):
    out = np.full((t.size, 6), np.nan)
    for s in sols:
        m = (t >= s.t[0]) & (t <= s.t[-1])
        if m.any():
            out[m] = s.sol(t[m]).T
    return out
