"""Staged-rocket powered flight: point mass, thrust, drag, gravity; vectorized over a batch.

Guidance (the baseline of DESIGN.md): vertical rise along the local radial for
``vertical_rise_s``; pitch-over for ``pitchover_s`` with thrust tilted by the loft angle
``kick_rad`` from the vertical towards the launch heading (the launch azimuth at the launch
point, held fixed in inertial space and kept horizontal: well defined at the poles too); then a
zero-lift gravity turn (thrust along the air-relative velocity). Energy is managed by thrust termination at
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


@dataclass(frozen=True)
class BoostSchedule:
    """Boost segments for the compiled integrator; each array has shape (K,)."""

    t0_s: np.ndarray
    t1_s: np.ndarray
    mode: np.ndarray  # 0 vertical rise, 1 pitch-over, 2 gravity turn
    thrust_n: np.ndarray
    m0_kg: np.ndarray  # mass at segment start (full program)
    mdot_kg_s: np.ndarray
    cda_m2: np.ndarray  # drag coefficient x reference area of the stack
    n_steps: np.ndarray

    def as_tuple(self) -> tuple:
        """The arrays in field order: the grouped argument of the compiled kernels."""
        return (self.t0_s, self.t1_s, self.mode, self.thrust_n, self.m0_kg, self.mdot_kg_s, self.cda_m2,
                self.n_steps)


def boost_schedule(spec: RocketSpec, dt_s: float = 2.0, dt_upper_s: float = 4.0) -> BoostSchedule:
    """Split the full boost program into segments that end at every guidance and staging event.

    RK4 steps are ``dt_s`` in the first stage (dense air, fast-changing drag) and ``dt_upper_s``
    in the upper stages (thin air, smooth thrust); checked against DOP853 in tests/test_flight.py.
    """
    ends = np.cumsum(spec.burn_time_s)
    starts = ends - np.asarray(spec.burn_time_s)
    t_pitch0 = spec.vertical_rise_s
    t_pitch1 = spec.vertical_rise_s + spec.pitchover_s
    if not 0 < t_pitch0 < t_pitch1 < ends[-1]:
        raise ValueError(
            f"{spec.name}: vertical rise ({spec.vertical_rise_s} s) + pitch-over ({spec.pitchover_s} s) "
            f"must end before burnout ({ends[-1]} s)"
        )
    bps = np.unique(np.concatenate([[0.0, t_pitch0, t_pitch1], ends]))
    rows = []
    for a, b in zip(bps[:-1], bps[1:], strict=True):
        k = int(np.searchsorted(ends, a, side="right"))  # stage burning in [a, b)
        mdot = spec.propellant_mass_kg[k] / spec.burn_time_s[k]
        thrust = spec.isp_s[k] * G0_M_PER_S2 * mdot
        m_stage0 = (
            spec.payload_mass_kg
            + sum(spec.propellant_mass_kg[k:])
            + sum(spec.dry_mass_kg[k:])
        )
        m0 = m_stage0 - mdot * (a - starts[k])
        area = np.pi * 0.25 * spec.diameter_m[k] ** 2
        mode = 0 if b <= t_pitch0 else (1 if b <= t_pitch1 else 2)
        step = dt_s if k == 0 else dt_upper_s
        n = max(1, int(np.ceil((b - a) / step - 1e-9)))
        rows.append((a, b, mode, thrust, m0, mdot, spec.drag_cd * area, n))
    cols = list(zip(*rows, strict=True))
    return BoostSchedule(
        t0_s=np.array(cols[0]), t1_s=np.array(cols[1]), mode=np.array(cols[2], dtype=np.int64),
        thrust_n=np.array(cols[3]), m0_kg=np.array(cols[4]), mdot_kg_s=np.array(cols[5]),
        cda_m2=np.array(cols[6]), n_steps=np.array(cols[7], dtype=np.int64),
    )
