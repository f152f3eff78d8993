"""Staged-rocket powered flight: point mass, thrust, drag, gravity; vectorized over a batch.

Guidance (the baseline of DESIGN.md): vertical rise along the local radial for
``vertical_rise_s``; pitch-over for ``pitchover_s`` with thrust tilted by the loft angle
``kick_rad`` from the vertical towards the launch azimuth; then a zero-lift gravity turn
(thrust along the air-relative velocity). Energy is managed by thrust termination at
``t_cut_s`` (<= total burn time); after it the re-entry vehicle flies alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bmdsim.core.earth import G0_M_PER_S2


@dataclass(frozen=True)
class RocketSpec:
    """Plain numbers for a staged missile (SI). Tuples run first stage to last."""

    name: str
    propellant_mass_kg: tuple[float, ...]
    dry_mass_kg: tuple[float, ...]
    burn_time_s: tuple[float, ...]
    isp_s: tuple[float, ...]
    diameter_m: tuple[float, ...]
    payload_mass_kg: float
    drag_cd: float
    vertical_rise_s: float
    pitchover_s: float
    rv_beta_kg_m2: float

    @property
    def n_stages(self) -> int:
        return len(self.burn_time_s)

    @property
    def boost_time_s(self) -> float:
        return float(sum(self.burn_time_s))

    @property
    def launch_mass_kg(self) -> float:
        return float(sum(self.propellant_mass_kg) + sum(self.dry_mass_kg) + self.payload_mass_kg)

    def ideal_delta_v_m_s(self) -> float:
        """Tsiolkovsky delta-v (m/s), no gravity or drag losses."""
        dv = 0.0
        m = self.launch_mass_kg
        for mp, md, isp in zip(self.propellant_mass_kg, self.dry_mass_kg, self.isp_s, strict=True):
            dv += isp * G0_M_PER_S2 * np.log(m / (m - mp))
            m -= mp + md
        return float(dv)
