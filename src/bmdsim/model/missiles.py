"""Ballistic-missile catalog: staged rockets with sourced or notional parameters.

The data live in ``catalog/missiles.yaml``; this module validates them and turns an entry
into the plain numbers the numeric core needs (:class:`bmdsim.core.boost.RocketSpec`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bmdsim.core.boost import RocketSpec
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


class StandardShape(BaseModel):
    """The trajectory shape a missile flies by default, and the shape its nominal range is measured on.

    ``kind``: ``minimum-energy`` (the default for every missile whose entry says nothing; the
    published "standard trajectory" convention) or ``depressed`` to an apogee of ``apogee_km`` (km,
    geodetic on the rotating Earth, above the sphere for the nominal range).
    ``fit_on``: the shape on which the model's range is made to equal ``nominal_range_km`` by the
    Isp fit: ``standard`` (this shape; the default) or ``minimum-energy`` (for a missile whose
    published range is flown in a way the model cannot fly, e.g. with aerodynamic lift: its energy is
    then fitted as that of a ballistic missile of the same minimum-energy range, and the model's
    range on the standard shape is shorter; ``note`` says why).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["minimum-energy", "depressed"] = "minimum-energy"
    apogee_km: Param | None = None
    fit_on: Literal["standard", "minimum-energy"] = "standard"
    note: str | None = None

    @model_validator(mode="after")
    def _check(self):
        if (self.kind == "depressed") != (self.apogee_km is not None):
            raise ValueError("a `depressed` standard shape needs `apogee_km` (and only it takes one)")
        if self.apogee_km is not None and not self.apogee_km.value > 0:
            raise ValueError(f"apogee_km must be > 0, got {self.apogee_km.value}")
        if self.fit_on != "standard" and not self.note:
            raise ValueError("fitting on another shape than the standard one needs a `note:` saying why")
        return self

    def core_shape(self) -> tuple[str, float]:
        """(kind, value) for :func:`bmdsim.core.trajectory.solve`: SI value (m for an apogee)."""
        if self.kind == "depressed":
            return "apogee", self.apogee_km.value * 1e3
        return "min_energy", 0.0

    def fit_shape(self) -> tuple[str, float]:
        """(kind, value) of the shape the nominal range is measured on (see ``fit_on``)."""
        return ("min_energy", 0.0) if self.fit_on == "minimum-energy" else self.core_shape()

    def describe(self) -> str:
        if self.kind == "depressed":
            return f"depressed, apogee {self.apogee_km.value:g} km"
        return "minimum-energy"

    def describe_fit(self) -> str:
        return "minimum-energy" if self.fit_on == "minimum-energy" else self.describe()


class Missile(BaseModel):
    """A catalog missile.

    ``nominal_range_km`` is the range on the missile's standard shape (``standard_shape``: minimum-
    energy unless the entry says otherwise; see its ``fit_on``) on a non-rotating spherical Earth
    (R = 6,371 km, point-mass gravity), full burn, nominal payload, boost and re-entry drag in a
    non-rotating atmosphere: the convention of published "standard trajectory" ranges. ``isp_scale``
    is fitted to it (:mod:`bmdsim.model.calibration`).
    """

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
    standard_shape: StandardShape = StandardShape()
    tuning: str
    override: bool | None = None  # a user entry replacing a built-in of the same name (bmdsim.model.catalogs)

    @property
    def boost_time_s(self) -> float:
        """Sum of the stage burn times (s)."""
        return sum(s.burn_time_s.value for s in self.stages)

    def rocket_spec(self, isp_scale: float | None = None) -> RocketSpec:
        """Plain-number view for the numeric core; stage Isps times ``isp_scale`` (default the catalog's)."""
        k = self.isp_scale.value if isp_scale is None else float(isp_scale)
        return RocketSpec(
            name=self.name,
            propellant_mass_kg=tuple(s.propellant_mass_kg.value for s in self.stages),
            dry_mass_kg=tuple(s.dry_mass_kg.value for s in self.stages),
            burn_time_s=tuple(s.burn_time_s.value for s in self.stages),
            isp_s=tuple(s.isp_s.value * k for s in self.stages),
            diameter_m=tuple(s.diameter_m.value for s in self.stages),
            payload_mass_kg=self.payload_mass_kg.value,
            drag_cd=self.drag_cd.value,
            vertical_rise_s=self.vertical_rise_s.value,
            pitchover_s=self.pitchover_s.value,
            rv_beta_kg_m2=self.rv.ballistic_coefficient_kg_m2.value,
        )


def load_missiles() -> dict[str, Missile]:
    """Deprecated: the built-in missiles by name; use a catalog context
    (``bmdsim.model.catalogs.Catalog.builtin().missiles``, or the ``catalog=`` of the API)."""
    from bmdsim.model.catalogs import deprecated_builtin

    return dict(deprecated_builtin("load_missiles", "Catalog.missiles").missiles)


def get_missile(name: str) -> Missile:
    """Deprecated: a built-in missile by name or alias; use ``Catalog.missile`` of a catalog context."""
    from bmdsim.model.catalogs import deprecated_builtin

    return deprecated_builtin("get_missile", "Catalog.missile").missile(name)
