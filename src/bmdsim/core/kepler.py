"""Two-body closed forms: ballistic range equation, minimum-energy trajectories, conic propagation.

All functions are vectorized over leading axes (batch axis first). SI units.
"""

from __future__ import annotations

import numpy as np

from bmdsim.core.earth import MU_EARTH_M3_PER_S2


def min_energy_gamma_rad(r1_m, r2_m, phi_rad):
    """Flight-path angle (rad) of the minimum-speed conic from radius r1 to r2 across angle phi.

    Minimises v1^2 = mu (1 - cos phi) / (r1 cos g ((r1/r2) cos g - cos(g + phi))) over g, giving
    tan 2g = sin phi / (r1/r2 - cos phi). For r1 = r2 this is the textbook g = pi/4 - phi/4.
    """
    k = np.asarray(r1_m, dtype=float) / np.asarray(r2_m, dtype=float)
    phi = np.asarray(phi_rad, dtype=float)
    return 0.5 * np.arctan2(np.sin(phi), k - np.cos(phi))


def speed_for_range_m_s(r1_m, r2_m, phi_rad, gamma_rad, mu=MU_EARTH_M3_PER_S2):
    """Burnout speed (m/s) that carries a conic from radius r1 at flight-path angle gamma to r2 at angle phi."""
    r1 = np.asarray(r1_m, dtype=float)
    g = np.asarray(gamma_rad, dtype=float)
    phi = np.asarray(phi_rad, dtype=float)
    den = r1 * np.cos(g) * ((r1 / r2_m) * np.cos(g) - np.cos(g + phi))
    return np.sqrt(mu * (1.0 - np.cos(phi)) / den)


def min_energy_speed_m_s(r_m, phi_rad, mu=MU_EARTH_M3_PER_S2):
    """Minimum burnout speed (m/s) for ground angle phi between equal radii r:
    v^2 = 2 mu sin(phi/2) / (r (1 + sin(phi/2)))."""
    s = np.sin(0.5 * np.asarray(phi_rad, dtype=float))
    return np.sqrt(2.0 * mu * s / (np.asarray(r_m, dtype=float) * (1.0 + s)))


def conic_elements(r_m, v_m_s, mu=MU_EARTH_M3_PER_S2):
    """Angular momentum unit vector, eccentricity vector, semi-latus rectum and true anomaly.

    r, v: (..., 3). Returns (h_hat (...,3), e_vec (...,3), p_m (...), nu_rad (...)).
    """
    r = np.asarray(r_m, dtype=float)
    v = np.asarray(v_m_s, dtype=float)
    hv = np.cross(r, v)
    h = np.linalg.norm(hv, axis=-1)
    rn = np.linalg.norm(r, axis=-1)
    e_vec = np.cross(v, hv) / mu - r / rn[..., None]
    p = h * h / mu
    vr = (r * v).sum(-1) / rn
    nu = np.arctan2(vr * h / mu, p / rn - 1.0)
    return hv / h[..., None], e_vec, p, nu


def _mean_anomaly(e, nu):
    ecc_anom = np.arctan2(np.sqrt(1.0 - e * e) * np.sin(nu), e + np.cos(nu))
    return ecc_anom - e * np.sin(ecc_anom)


def descend_to_radius(r_m, v_m_s, r_target_m, mu=MU_EARTH_M3_PER_S2):
    """Propagate a bound conic from (r, v) to the next descending crossing of radius r_target.

    Returns (r_hit (..., 3), time_of_flight_s (...), phi_rad (...) angle travelled,
    apoapsis radius (...), the current radius if already descending). NaN where the conic never
    reaches r_target or is unbound.
    """
    hhat, e_vec, p, nu1 = conic_elements(r_m, v_m_s, mu)
    e = np.linalg.norm(e_vec, axis=-1)
    c2 = p / r_target_m - 1.0
    with np.errstate(invalid="ignore"):
        s2 = -np.sqrt(e * e - c2 * c2)
    nu2 = np.arctan2(s2, c2)
    dnu = np.mod(nu2 - nu1, 2.0 * np.pi)
    pvec = e_vec / e[..., None]
    qvec = np.cross(hhat, pvec)
    rt = np.asarray(r_target_m, dtype=float)[..., None]
    r_hit = rt * (np.cos(nu2)[..., None] * pvec + np.sin(nu2)[..., None] * qvec)
    a = p / (1.0 - e * e)
    n = np.sqrt(mu / np.abs(a) ** 3)
    dm = np.mod(_mean_anomaly(e, nu2) - _mean_anomaly(e, nu1), 2.0 * np.pi)
    tof = dm / n
    rn = np.linalg.norm(np.asarray(r_m, dtype=float), axis=-1)
    r_apo = np.where(nu1 < 0.0, rn, a * (1.0 + e))  # nu1 in (-pi, 0): already descending
    bad = (e >= 1.0) | ~np.isfinite(s2)
    r_hit = np.where(bad[..., None], np.nan, r_hit)
    return r_hit, np.where(bad, np.nan, tof), np.where(bad, np.nan, dnu), np.where(bad, np.nan, r_apo)


def ballistic_time_of_flight_s(r_m, v_m_s, gamma_rad, mu=MU_EARTH_M3_PER_S2):
    """Time of flight (s) from radius r back down to radius r, launched at speed v and angle gamma.

    Closed form via the eccentric anomaly of the symmetric arc (Bate, Mueller & White 6-2).
    """
    r = np.asarray(r_m, dtype=float)
    v = np.asarray(v_m_s, dtype=float)
    g = np.asarray(gamma_rad, dtype=float)
    q = r * v * v / mu
    a = r / (2.0 - q)
    h = r * v * np.cos(g)
    p = h * h / mu
    e = np.sqrt(1.0 - p / a)
    nu1 = np.arctan2(q * np.sin(g) * np.cos(g), q * np.cos(g) ** 2 - 1.0)
    nu2 = 2.0 * np.pi - nu1
    m1 = _mean_anomaly(e, nu1)
    m2 = _mean_anomaly(e, nu2)
    return np.mod(m2 - m1, 2.0 * np.pi) / np.sqrt(mu / a**3)
