"""Ballistic-missile catalog: staged rockets with sourced or notional parameters.

The data live in ``catalog/missiles.yaml``; this module validates them and turns an entry
into the plain numbers the numeric core needs (:class:`bmdsim.core.boost.RocketSpec`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bmdsim.core.boost import RocketSpec
from bmdsim.model.names import catalog_text, find_by_name, parse_catalog
from bmdsim.model.params import Param


class Stage(BaseModel):
    """One rocket stage. Thrust = Isp * g0 * propellant_mass / burn_time (constant)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    propellant_mass_kg: Param
    dry_mass_kg: Param
    burn_time_s: Param
    isp_s: Param
    diameter_m: Param


class ReentryVehicle(BaseModel):
    """The object that re-enters: mass, ballistic coefficient beta = m / (Cd A), radar cross-section."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mass_kg: Param
    ballistic_coefficient_kg_m2: Param
    rcs_m2: Param


class Missile(BaseModel):
    """A catalog missile."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: str
    full_name: str
    country: str
    missile_class: Literal["SRBM", "MRBM", "IRBM", "ICBM", "SLBM"] = Field(alias="class")
    aliases: list[str] = []
    nominal_range_km: Param
    stages: list[Stage] = Field(min_length=1, max_length=4)
    payload_mass_kg: Param
    rv: ReentryVehicle
    booster_rcs_m2: Param
    drag_cd: Param
    vertical_rise_s: Param
    pitchover_s: Param
    isp_scale: Param = Param(value=1.0, notional=True, note="uncalibrated")
    tuning: str

    @property
    def boost_time_s(self) -> float:
        """Sum of the stage burn times (s)."""
        return sum(s.burn_time_s.value for s in self.stages)

    def rocket_spec(self) -> RocketSpec:
        """Plain-number view for the numeric core."""
        return RocketSpec(
            name=self.name,
            propellant_mass_kg=tuple(s.propellant_mass_kg.value for s in self.stages),
            dry_mass_kg=tuple(s.dry_mass_kg.value for s in self.stages),
            burn_time_s=tuple(s.burn_time_s.value for s in self.stages),
            isp_s=tuple(s.isp_s.value * self.isp_scale.value for s in self.stages),
            diameter_m=tuple(s.diameter_m.value for s in self.stages),
            payload_mass_kg=self.payload_mass_kg.value,
            drag_cd=self.drag_cd.value,
            vertical_rise_s=self.vertical_rise_s.value,
            pitchover_s=self.pitchover_s.value,
            rv_beta_kg_m2=self.rv.ballistic_coefficient_kg_m2.value,
        )


@lru_cache(maxsize=1)
def load_missiles() -> dict[str, Missile]:
    """All catalog missiles by name (validated once, cached)."""
    return parse_catalog(catalog_text("missiles.yaml"), Missile, "missiles", "missile")


def get_missile(name: str) -> Missile:
    """Look a missile up by name or alias (case-insensitive); clear error listing the known names."""
    return find_by_name(load_missiles(), name, "missile")
