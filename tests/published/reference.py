"""Independent reference numbers for the published cases (no bmdsim imports).

Each constant or formula states its source. These are definitions and published formulas, not
bmdsim output.
"""

from __future__ import annotations

import math

NAUTICAL_MILE_M = 1852.0  # international nautical mile (International Hydrographic Conference, 1929)
STATUTE_MILE_M = 1609.344  # international statute mile (international yard and pound agreement, 1959)

# Federal Standard 1037C, "radar line-of-sight (LOS) equation" (NTIA/ITS, 1996;
# https://www.its.bldrdoc.gov/fs-1037/dir-029/_4333.htm): RHR_k = 4.12 (sqrt(h) + sqrt(a)) km
# with h (antenna height) and a (target altitude) in metres, from an effective Earth radius of
# 4/3 times the actual radius; second-order terms neglected. 4.12 = sqrt(2 * (4/3) * 6371 km)
# in km per sqrt(m); the same geometry with an effective-radius factor k gives sqrt(2 k R).
FS1037C_EARTH_RADIUS_M = 6.371e6
FS1037C_K_EFFECTIVE = 4.0 / 3.0


def fs1037c_radar_horizon_km(antenna_height_m: float, target_alt_m: float, k: float = FS1037C_K_EFFECTIVE) -> float:
    """Radar horizon range (km) by the FS-1037C line-of-sight equation, effective radius k * R.

    With k = 4/3 this is the published 4.12 (sqrt(h) + sqrt(a)) km; with k = 1 it is the
    refraction-free (straight-line) form of the same equation.
    """
    c = math.sqrt(2.0 * k * FS1037C_EARTH_RADIUS_M) / 1e3  # km per sqrt(m)
    return c * (math.sqrt(antenna_height_m) + math.sqrt(target_alt_m))
