"""WGS84 Earth: constants, frames, gravity.

Frames
------
* ECEF: WGS84 Earth-fixed, x through (0 N, 0 E), z through the north pole.
* ECI: axes coincide with ECEF at t = 0 (the threat's launch); ECEF turns about z
  by ``OMEGA_EARTH_RAD_PER_S * t``. Precession, nutation and polar motion are ignored
  (they move a point by < 1 m over an hour-long flight).
* ENU: local east, north, up at a geodetic latitude/longitude.

Arrays put the batch axis first: positions are ``(..., 3)``. Angles in radians, lengths in
metres, times in seconds, unless a name ends in ``_deg`` / ``_km``.
"""

from __future__ import annotations

import numpy as np

# --- constants -------------------------------------------------------------------------
A_WGS84_M = 6378137.0  # WGS 84 semi-major axis (NIMA TR8350.2)
F_WGS84 = 1.0 / 298.257223563  # WGS 84 flattening
B_WGS84_M = A_WGS84_M * (1.0 - F_WGS84)  # semi-minor axis, 6356752.3142 m
E2_WGS84 = F_WGS84 * (2.0 - F_WGS84)  # first eccentricity squared
EP2_WGS84 = E2_WGS84 / (1.0 - E2_WGS84)  # second eccentricity squared
MU_EARTH_M3_PER_S2 = 3.986004418e14  # WGS 84 GM (incl. atmosphere)
J2_EARTH = 1.08262668e-3  # EGM96 unnormalised C20 = -J2
OMEGA_EARTH_RAD_PER_S = 7.292115e-5  # WGS 84 rotation rate
G0_M_PER_S2 = 9.80665  # standard gravity (for Isp)
R_MEAN_M = 6371008.8  # IUGG mean radius (spherical-Earth closed forms)


# --- geodetic <-> ECEF ------------------------------------------------------------------
def geodetic_to_ecef(lat_rad, lon_rad, alt_m=0.0):
    """Geodetic latitude, longitude (rad) and height above the ellipsoid (m) -> ECEF (..., 3) m."""
    lat = np.asarray(lat_rad, dtype=float)
    lon = np.asarray(lon_rad, dtype=float)
    h = np.asarray(alt_m, dtype=float)
    s, c = np.sin(lat), np.cos(lat)
    n = A_WGS84_M / np.sqrt(1.0 - E2_WGS84 * s * s)
    x = (n + h) * c * np.cos(lon)
    y = (n + h) * c * np.sin(lon)
    z = (n * (1.0 - E2_WGS84) + h) * s
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(r_ecef):
    """ECEF (..., 3) m -> (lat_rad, lon_rad, alt_m), each (...,).

    Bowring's method with three refinements: better than 1 mm from the centre of the
    Earth out to lunar distance (checked against the closed-form inverse in tests).
    """
    r = np.asarray(r_ecef, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    # initial parametric latitude
    beta = np.arctan2(z * A_WGS84_M, p * B_WGS84_M)
    for _ in range(3):
        sb, cb = np.sin(beta), np.cos(beta)
        lat = np.arctan2(z + EP2_WGS84 * B_WGS84_M * sb**3, p - E2_WGS84 * A_WGS84_M * cb**3)
        beta = np.arctan2((1.0 - F_WGS84) * np.sin(lat), np.cos(lat))
    s, c = np.sin(lat), np.cos(lat)
    n = A_WGS84_M / np.sqrt(1.0 - E2_WGS84 * s * s)
    # height: robust form valid at all latitudes
    alt = p * c + z * s - A_WGS84_M * A_WGS84_M / n
    return lat, lon, alt


def ellipsoid_radius_m(lat_rad):
    """Geocentric distance (m) of the ellipsoid surface point at geodetic latitude ``lat_rad``."""
    return np.linalg.norm(geodetic_to_ecef(lat_rad, 0.0, 0.0), axis=-1)


# --- ECEF <-> ECI -----------------------------------------------------------------------
def rot_z(angle_rad):
    """Rotation matrices (..., 3, 3) turning vectors by +angle about z."""
    a = np.asarray(angle_rad, dtype=float)
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def ecef_to_eci(r_ecef, t_s, v_ecef=None):
    """Rotate ECEF positions (..., 3) at times t (...,) s into ECI; optionally velocities.

    ``v_eci = R (v_ecef + omega x r_ecef)``. Returns ``r_eci`` or ``(r_eci, v_eci)``.
    """
    r = np.asarray(r_ecef, dtype=float)
    rot = rot_z(OMEGA_EARTH_RAD_PER_S * np.asarray(t_s, dtype=float))
    r_eci = np.einsum("...ij,...j->...i", rot, r)
    if v_ecef is None:
        return r_eci
    v = np.asarray(v_ecef, dtype=float) + np.cross([0.0, 0.0, OMEGA_EARTH_RAD_PER_S], r)
    return r_eci, np.einsum("...ij,...j->...i", rot, v)


def eci_to_ecef(r_eci, t_s, v_eci=None):
    """Inverse of :func:`ecef_to_eci`. Returns ``r_ecef`` or ``(r_ecef, v_ecef)``."""
    rot = rot_z(-OMEGA_EARTH_RAD_PER_S * np.asarray(t_s, dtype=float))
    r_ecef = np.einsum("...ij,...j->...i", rot, np.asarray(r_eci, dtype=float))
    if v_eci is None:
        return r_ecef
    v = np.einsum("...ij,...j->...i", rot, np.asarray(v_eci, dtype=float))
    return r_ecef, v - np.cross([0.0, 0.0, OMEGA_EARTH_RAD_PER_S], r_ecef)


def earth_rotation_velocity(r):
    """omega x r (..., 3) m/s: the velocity of air and ground co-rotating at position r."""
    r = np.asarray(r, dtype=float)
    out = np.empty_like(r)
    out[..., 0] = -OMEGA_EARTH_RAD_PER_S * r[..., 1]
    out[..., 1] = OMEGA_EARTH_RAD_PER_S * r[..., 0]
    out[..., 2] = 0.0
    return out


# --- local frames -----------------------------------------------------------------------
def enu_basis(lat_rad, lon_rad):
    """Unit vectors east, north, up (each (..., 3)) in ECEF at geodetic lat/lon (rad)."""
    lat = np.asarray(lat_rad, dtype=float)
    lon = np.asarray(lon_rad, dtype=float)
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    z = np.zeros_like(lat * lon)
    east = np.stack(np.broadcast_arrays(-so, co, z), -1)
    north = np.stack(np.broadcast_arrays(-sl * co, -sl * so, cl), -1)
    up = np.stack(np.broadcast_arrays(cl * co, cl * so, sl), -1)
    return east, north, up


def ecef_to_enu(dr_ecef, lat_rad, lon_rad):
    """Components (..., 3) east, north, up of an ECEF vector at geodetic lat/lon."""
    e, n, u = enu_basis(lat_rad, lon_rad)
    dr = np.asarray(dr_ecef, dtype=float)
    return np.stack([(dr * e).sum(-1), (dr * n).sum(-1), (dr * u).sum(-1)], -1)


# --- gravity ----------------------------------------------------------------------------
def gravity_j2(r):
    """Point-mass + J2 gravitational acceleration (..., 3) m/s^2 at position r (..., 3) m.

    Valid in ECI and ECEF alike (J2 is symmetric about z). Centrifugal and Coriolis terms
    are *not* included: integrate in ECI.
    """
    r = np.asarray(r, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    k = -MU_EARTH_M3_PER_S2 / (r2 * rn)
    q = 1.5 * J2_EARTH * (A_WGS84_M * A_WGS84_M) / r2
    zz = 5.0 * z * z / r2
    out = np.empty_like(r)
    out[..., 0] = k * x * (1.0 + q * (1.0 - zz))
    out[..., 1] = k * y * (1.0 + q * (1.0 - zz))
    out[..., 2] = k * z * (1.0 + q * (3.0 - zz))
    return out


def gravity_potential_j2(r):
    """Gravitational potential (...,) J/kg (negative) matching :func:`gravity_j2`."""
    r = np.asarray(r, dtype=float)
    rn = np.linalg.norm(r, axis=-1)
    sphi = r[..., 2] / rn
    return -MU_EARTH_M3_PER_S2 / rn * (
        1.0 - J2_EARTH * (A_WGS84_M / rn) ** 2 * 0.5 * (3.0 * sphi * sphi - 1.0)
    )


def altitude_m(r_ecef_or_eci):
    """Geodetic height (m) of positions (..., 3); the frame does not matter for height."""
    return ecef_to_geodetic(r_ecef_or_eci)[2]
