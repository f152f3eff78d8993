"""Air density from the surface to 1000 km: U.S. Standard Atmosphere 1976.

Below 86 km the seven hydrostatic layers of USSA-1976 are evaluated exactly (geopotential
height, molecular-scale temperature, constant molar mass). From 86 to 1000 km density is
interpolated log-linearly in the USSA-1976 tabulated values (Table 1 of NOAA-S/T 76-1562);
above 1000 km it is zero. For speed the profile is pre-tabulated every 50 m and evaluated
by linear interpolation of log-density (relative error < 1e-4 below 86 km).
"""

from __future__ import annotations

import numpy as np

_R_STAR = 8.31432  # J/(mol K), USSA-1976 gas constant
_M0 = 0.0289644  # kg/mol, sea-level mean molar mass
_G0 = 9.80665  # m/s^2
_R0_M = 6356766.0  # m, effective Earth radius for geopotential height
_H_BASE_M = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0, 84852.0])
_LAPSE_K_PER_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
_T0_K = 288.15
_P0_PA = 101325.0

# USSA-1976 Table 1, geometric altitude (km) -> density (kg/m^3), above 86 km.
_UPPER_KM = np.array(
    [86, 90, 95, 100, 110, 120, 130, 140, 150, 160, 180, 200, 250, 300, 400, 500, 600, 700, 800,
     900, 1000], dtype=float)
_UPPER_RHO = np.array(
    [6.958e-6, 3.416e-6, 1.393e-6, 5.604e-7, 9.708e-8, 2.222e-8, 8.152e-9, 3.831e-9, 2.076e-9,
     1.233e-9, 5.194e-10, 2.541e-10, 6.073e-11, 1.916e-11, 2.803e-12, 5.215e-13, 1.137e-13,
     3.070e-14, 1.136e-14, 5.759e-15, 3.561e-15])

TOP_OF_ATMOSPHERE_M = 1.0e6


def _layer_bases():
    t = [_T0_K]
    p = [_P0_PA]
    for i, lapse in enumerate(_LAPSE_K_PER_M[:-1]):
        dh = _H_BASE_M[i + 1] - _H_BASE_M[i]
        t1 = t[i] + lapse * dh
        if lapse == 0.0:
            p1 = p[i] * np.exp(-_G0 * _M0 * dh / (_R_STAR * t[i]))
        else:
            p1 = p[i] * (t[i] / t1) ** (_G0 * _M0 / (_R_STAR * lapse))
        t.append(t1)
        p.append(p1)
    return np.array(t), np.array(p)


_T_BASE_K, _P_BASE_PA = _layer_bases()


def density_exact_kg_m3(alt_m):
    """USSA-1976 density (kg/m^3) at geometric altitude ``alt_m`` (any shape), no table.

    Negative altitudes are clamped to 0 (the model's floor); above 1000 km returns 0.
    """
    z = np.clip(np.asarray(alt_m, dtype=float), 0.0, None)
    h = _R0_M * z / (_R0_M + z)  # geopotential height
    i = np.clip(np.searchsorted(_H_BASE_M, h, side="right") - 1, 0, len(_LAPSE_K_PER_M) - 1)
    lapse = _LAPSE_K_PER_M[i]
    dh = h - _H_BASE_M[i]
    tb, pb = _T_BASE_K[i], _P_BASE_PA[i]
    t = tb + lapse * dh
    with np.errstate(divide="ignore", invalid="ignore"):
        p_grad = pb * (tb / t) ** (_G0 * _M0 / (_R_STAR * np.where(lapse == 0.0, 1.0, lapse)))
        p_iso = pb * np.exp(-_G0 * _M0 * dh / (_R_STAR * tb))
    p = np.where(lapse == 0.0, p_iso, p_grad)
    rho_low = p * _M0 / (_R_STAR * t)
    rho_up = np.exp(np.interp(z / 1000.0, _UPPER_KM, np.log(_UPPER_RHO)))
    rho = np.where(z < 86000.0, rho_low, rho_up)
    return np.where(z > TOP_OF_ATMOSPHERE_M, 0.0, rho)


_TABLE_STEP_M = 50.0
_TABLE_ALT_M = np.arange(0.0, TOP_OF_ATMOSPHERE_M + _TABLE_STEP_M, _TABLE_STEP_M)
_TABLE_LOGRHO = np.log(density_exact_kg_m3(_TABLE_ALT_M))


def density_kg_m3(alt_m):
    """Fast USSA-1976 density (kg/m^3) at geometric altitude (m), any shape.

    Log-linear interpolation in a 50 m table; 0 above 1000 km, sea-level value below 0.
    """
    z = np.asarray(alt_m, dtype=float)
    idx = z * (1.0 / _TABLE_STEP_M)
    rho = np.exp(np.interp(idx, np.arange(_TABLE_LOGRHO.size), _TABLE_LOGRHO))
    return np.where(z > TOP_OF_ATMOSPHERE_M, 0.0, rho)
