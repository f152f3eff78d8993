"""Sensor catalog: radars and space-based infrared with sourced or notional parameters.

The data live in ``catalog/sensors.yaml``; this module validates them and turns an entry into
plain SI numbers for :mod:`bmdsim.core.visibility` (:class:`RadarSpec`, :class:`IrSpec`).

``fire_control_quality`` says whether a sensor's track alone can support an interceptor launch.
In the baseline, X-band and battle-management radars (TPY-2, SPY-1, EMR, Don-2N) are true and
early-warning radars (UEWR, Voronezh, Daryal, Dnepr, Volga) and space IR are false (cueing
only). A sweep may switch it: ``sensor.model_copy(update={"fire_control_quality": True})``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from bmdsim.core.earth import geodetic_to_ecef
from bmdsim.core.visibility import max_range_m as _range_law
from bmdsim.core.visibility import radar_sees
from bmdsim.errors import BmdsimError
from bmdsim.model.names import catalog_text, find_by_name, parse_catalog
from bmdsim.model.params import Param, Place


@dataclass(frozen=True)
class RadarSpec:
    """Plain-number radar for the numeric core (SI: m, rad, s, m^2)."""

    name: str
    site_ecef: np.ndarray  # (3,) m
    min_elev_rad: float
    boresight_rad: float
    half_width_rad: float
    range_ref_m: float
    rcs_ref_m2: float
    instrumented_range_m: float  # inf when none
    max_alt_m: float | None
    track_formation_s: float
    fire_control_quality: bool

    def max_range_m(self, rcs_m2):
        """Detection range (m) vs RCS (m^2, array_like): R_ref (sigma/sigma_ref)^1/4, capped."""
        return np.minimum(_range_law(self.range_ref_m, rcs_m2, self.rcs_ref_m2), self.instrumented_range_m)

    def sees(self, target_ecef, rcs_m2):
        """Boolean mask (...,) for ECEF target points (..., 3) m of RCS ``rcs_m2`` (broadcasts)."""
        return radar_sees(
            self.site_ecef,
            target_ecef,
            min_elev_rad=self.min_elev_rad,
            max_range_m=self.max_range_m(rcs_m2),
            boresight_rad=self.boresight_rad,
            half_width_rad=self.half_width_rad,
            max_alt_m=self.max_alt_m,
        )


@dataclass(frozen=True)
class IrSpec:
    """Plain-number space-based IR sensor: detection altitude (m) and processing delay (s)."""

    name: str
    h_ir_m: float
    processing_delay_s: float


# the parameters each kind of sensor must give
REQUIRED_FIELDS = {
    "radar": ("boresight_az_deg", "half_width_deg", "min_elev_deg", "range_ref_km", "rcs_ref_m2", "track_formation_s"),
    "space_ir": ("h_ir_km", "processing_delay_s"),
}


class Sensor(BaseModel):
    """A catalog sensor (``kind`` radar or space_ir). Angles in degrees, ranges in km here."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    aliases: list[str] = []
    full_name: str
    owner: str
    kind: Literal["radar", "space_ir"]
    mobile: bool = False
    place: Place | None = None
    alt_m: Param | None = None
    boresight_az_deg: Param | None = None
    half_width_deg: Param | None = None
    min_elev_deg: Param | None = None
    range_ref_km: Param | None = None
    rcs_ref_m2: Param | None = None
    instrumented_range_km: Param | None = None
    max_alt_km: Param | None = None
    track_formation_s: Param | None = None
    h_ir_km: Param | None = None
    processing_delay_s: Param | None = None
    fire_control_quality: bool
    notes: str = ""

    @model_validator(mode="after")
    def _check(self):
        need = REQUIRED_FIELDS[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{self.name}: a {self.kind} sensor needs {', '.join(missing)}")
        if self.kind == "radar" and self.place is None and not self.mobile:
            raise ValueError(f"{self.name}: a fixed radar needs `place` (or `mobile: true`)")
        for f in ("range_ref_km", "rcs_ref_m2", "instrumented_range_km", "max_alt_km", "h_ir_km"):
            p = getattr(self, f)
            if p is not None and not p.value > 0:
                raise ValueError(f"{self.name}: {f} must be > 0, got {p.value}")
        for f in ("track_formation_s", "processing_delay_s"):
            p = getattr(self, f)
            if p is not None and not p.value >= 0:
                raise ValueError(f"{self.name}: {f} must be >= 0, got {p.value}")
        if self.half_width_deg is not None and not 0 < self.half_width_deg.value <= 180:
            raise ValueError(
                f"{self.name}: half_width_deg must be in (0, 180], got {self.half_width_deg.value}"
            )
        if self.min_elev_deg is not None and not -5 <= self.min_elev_deg.value < 90:
            raise ValueError(f"{self.name}: min_elev_deg must be in [-5, 90), got {self.min_elev_deg.value}")
        return self

    def radar_spec(self, place: Place | None = None, alt_m: float | None = None) -> RadarSpec:
        """Plain-number view of a radar; ``place``/``alt_m`` override (required when mobile)."""
        if self.kind != "radar":
            raise BmdsimError(f"sensor {self.name!r} is {self.kind}, not a radar")
        where = place or self.place
        if where is None:
            raise BmdsimError(f"radar {self.name!r} is mobile: give the place of the site carrying it")
        h = alt_m if alt_m is not None else (self.alt_m.value if self.alt_m else 0.0)
        return RadarSpec(
            name=self.name,
            site_ecef=geodetic_to_ecef(np.radians(where.lat_deg), np.radians(where.lon_deg), h),
            min_elev_rad=float(np.radians(self.min_elev_deg.value)),
            boresight_rad=float(np.radians(self.boresight_az_deg.value)),
            half_width_rad=float(np.radians(self.half_width_deg.value)),
            range_ref_m=self.range_ref_km.value * 1e3,
            rcs_ref_m2=self.rcs_ref_m2.value,
            instrumented_range_m=(
                self.instrumented_range_km.value * 1e3 if self.instrumented_range_km else float("inf")
            ),
            max_alt_m=self.max_alt_km.value * 1e3 if self.max_alt_km else None,
            track_formation_s=self.track_formation_s.value,
            fire_control_quality=self.fire_control_quality,
        )

    def ir_spec(self) -> IrSpec:
        """Plain-number view of a space-based IR sensor."""
        if self.kind != "space_ir":
            raise BmdsimError(f"sensor {self.name!r} is {self.kind}, not space_ir")
        return IrSpec(self.name, self.h_ir_km.value * 1e3, self.processing_delay_s.value)


def parse_sensors(text: str) -> dict[str, Sensor]:
    """Validate YAML text holding ``sensors: [...]``; return them by name (names, aliases unique)."""
    return parse_catalog(text, Sensor, "sensors", "sensor")


@lru_cache(maxsize=1)
def load_sensors() -> dict[str, Sensor]:
    """All catalog sensors by name (validated once, cached)."""
    return parse_sensors(catalog_text("sensors.yaml"))


def get_sensor(name: str) -> Sensor:
    """Look a sensor up by name or alias (case-insensitive); error lists the known names."""
    return find_by_name(load_sensors(), name, "sensor")
