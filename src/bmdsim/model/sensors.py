"""Sensors: TYPES (what belongs to the equipment) and PLACEMENTS (what belongs to the site).

The data live in ``catalog/sensors.yaml`` (sections ``sensors:``, the types, and ``placements:``) and in
user catalogs (:mod:`bmdsim.model.catalogs`). A radar **type** gives its faces (how many, and each
face's half-width), elevation limit, range law and reference RCS, track-formation time and fire-control
quality; a **placement** gives the place (or lat/lon), the altitude and the boresight of each face
placed there. One type may be placed many times (two TPY-2s, Voronezh radars of one or two faces), by
the catalog (``TPY2-KURECIK``) or by an architecture (:mod:`bmdsim.model.architecture`). A space-based
infrared **type** (``kind: space_ir``) is not placed at a point: it is a constellation with a coverage
(``global`` or a latitude band) and a processing delay.

Both turn into plain SI numbers for :mod:`bmdsim.core.visibility`: :class:`RadarSpec` (one sector per
face) and :class:`IrSpec`.

``fire_control_quality`` says whether a sensor's track alone can support an interceptor launch. In
the baseline, X-band and battle-management radars (TPY-2, SPY-1, GBR-P, Don-2N) are true and
early-warning radars (UEWR, Voronezh, Daryal, Dnepr, Volga) and space IR are false (cueing only). A
data link may switch it for one architecture (``links: [{sensor, sites, fire_control: true}]``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bmdsim.core.earth import geodetic_to_ecef
from bmdsim.core.visibility import covers_circle, radar_sees
from bmdsim.core.visibility import max_range_m as _range_law
from bmdsim.errors import BmdsimError
from bmdsim.model.params import Param, Place

MAX_FACES = 8


@dataclass(frozen=True)
class RadarSpec:
    """Plain-number placed radar for the numeric core (SI: m, rad, s, m^2).

    ``boresight_rad`` and ``half_width_rad`` hold one value per face; the field of regard is the union
    of the faces' sectors (:func:`bmdsim.core.visibility.in_any_face`).
    """

    name: str
    site_ecef: np.ndarray  # (3,) m
    min_elev_rad: float
    boresight_rad: tuple[float, ...]  # (f,) clockwise from north
    half_width_rad: tuple[float, ...]  # (f,)
    range_ref_m: float
    rcs_ref_m2: float
    instrumented_range_m: float  # inf when none
    max_alt_m: float | None
    track_formation_s: float
    fire_control_quality: bool
    type: str = ""  # the sensor type's name

    @property
    def full_circle(self) -> bool:
        """True when the faces together see every azimuth."""
        return covers_circle(self.boresight_rad, self.half_width_rad)

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
            boresight_rad=np.asarray(self.boresight_rad),
            half_width_rad=np.asarray(self.half_width_rad),
            max_alt_m=self.max_alt_m,
        )


@dataclass(frozen=True)
class IrSpec:
    """Plain-number space-based IR constellation: detection altitude (m), processing delay (s) and the
    latitude band it covers (rad; the whole Earth by default)."""

    name: str
    h_ir_m: float
    processing_delay_s: float
    lat_south_rad: float = -math.pi / 2
    lat_north_rad: float = math.pi / 2

    @property
    def global_coverage(self) -> bool:
        return self.lat_south_rad <= -math.pi / 2 and self.lat_north_rad >= math.pi / 2


class LatitudeBand(BaseModel):
    """The coverage of a constellation that does not see the whole Earth: latitudes (deg) it covers."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    lat_south_deg: Param
    lat_north_deg: Param

    @model_validator(mode="after")
    def _check(self):
        s, n = self.lat_south_deg.value, self.lat_north_deg.value
        if not -90.0 <= s < n <= 90.0:
            raise ValueError(f"a latitude band needs -90 <= lat_south_deg < lat_north_deg <= 90; got {s:g}, {n:g}")
        return self


# the parameters each kind of sensor type must give (and only it)
REQUIRED_FIELDS = {
    "radar": ("faces", "half_width_deg", "min_elev_deg", "range_ref_km", "rcs_ref_m2", "track_formation_s"),
    "space_ir": ("h_ir_km", "processing_delay_s"),
}
_RADAR_ONLY = (*REQUIRED_FIELDS["radar"], "instrumented_range_km", "max_alt_km")
_IR_ONLY = (*REQUIRED_FIELDS["space_ir"], "coverage")


class SensorType(BaseModel):
    """A sensor type (``kind`` radar or space_ir): what belongs to the equipment. Angles in degrees,
    ranges in km here.

    Radar: ``faces`` (how many one installation has; a placement places 1..faces of them),
    ``half_width_deg`` (of each face's field of regard), ``min_elev_deg``, ``range_ref_km`` against
    ``rcs_ref_m2``, optional ``instrumented_range_km`` and ``max_alt_km``, ``track_formation_s``.
    Space IR: ``h_ir_km``, ``processing_delay_s`` and ``coverage`` (``global``, the default, or a
    :class:`LatitudeBand`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    aliases: list[str] = []
    full_name: str
    owner: str
    kind: Literal["radar", "space_ir"]
    faces: int | None = Field(default=None, ge=1, le=MAX_FACES)
    half_width_deg: Param | None = None
    min_elev_deg: Param | None = None
    range_ref_km: Param | None = None
    rcs_ref_m2: Param | None = None
    instrumented_range_km: Param | None = None
    max_alt_km: Param | None = None
    track_formation_s: Param | None = None
    h_ir_km: Param | None = None
    processing_delay_s: Param | None = None
    coverage: Literal["global"] | LatitudeBand | None = None
    fire_control_quality: bool
    notes: str = ""
    override: bool | None = None  # a user entry replacing a built-in of the same name (bmdsim.model.catalogs)

    @model_validator(mode="after")
    def _check(self):
        need = REQUIRED_FIELDS[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{self.name}: a {self.kind} sensor type needs {', '.join(missing)}")
        other = _IR_ONLY if self.kind == "radar" else _RADAR_ONLY
        extra = [f for f in other if getattr(self, f) is not None]
        if extra:
            raise ValueError(f"{self.name}: {', '.join(extra)} belong(s) to the other kind of sensor, not to a "
                             f"{self.kind} type")
        for f in ("range_ref_km", "rcs_ref_m2", "instrumented_range_km", "max_alt_km", "h_ir_km"):
            p = getattr(self, f)
            if p is not None and not p.value > 0:
                raise ValueError(f"{self.name}: {f} must be > 0, got {p.value}")
        for f in ("track_formation_s", "processing_delay_s"):
            p = getattr(self, f)
            if p is not None and not p.value >= 0:
                raise ValueError(f"{self.name}: {f} must be >= 0, got {p.value}")
        if self.half_width_deg is not None and not 0 < self.half_width_deg.value <= 180:
            raise ValueError(f"{self.name}: half_width_deg must be in (0, 180], got {self.half_width_deg.value}")
        if self.min_elev_deg is not None and not -5 <= self.min_elev_deg.value < 90:
            raise ValueError(f"{self.name}: min_elev_deg must be in [-5, 90), got {self.min_elev_deg.value}")
        return self

    # ------------------------------------------------------------------ radar
    def evenly_spread_deg(self) -> tuple[float, ...] | None:
        """Boresights (deg) of every face spread evenly from north, when the faces then cover every
        azimuth (the default layout of a placement that gives none); None otherwise."""
        if self.kind != "radar":
            return None
        bores = tuple(360.0 * k / self.faces for k in range(self.faces))
        hw = self.half_width_deg.value
        return bores if covers_circle(np.radians(bores), np.radians([hw] * self.faces)) else None

    def radar_spec(self, *, name: str, lat_deg: float, lon_deg: float, alt_m: float = 0.0,
                   boresights_deg: Sequence[float] | None = None,
                   half_widths_deg: Sequence[float | None] | None = None) -> RadarSpec:
        """This radar type placed at (``lat_deg``, ``lon_deg``, ``alt_m``) with one face per boresight
        (deg, clockwise from north; 1..``faces`` of them). ``boresights_deg`` None: every face evenly
        spread, allowed only when they then see every azimuth. ``half_widths_deg`` (per face, None
        entries: the type's) narrow or widen a face where a site's published sector says so.

        Raises a one-line BmdsimError naming the placement when the faces are missing or too many."""
        if self.kind != "radar":
            raise BmdsimError(f"sensor {self.name!r} is {self.kind}, not a radar: it is not placed at a point")
        if boresights_deg is None:
            boresights_deg = self.evenly_spread_deg()
            if boresights_deg is None:
                span = 2.0 * self.half_width_deg.value * self.faces
                raise BmdsimError(
                    f"{name}: type {self.name} covers {span:g} deg of azimuth with its {self.faces} face(s), not the "
                    f"full circle: give the boresight of each face placed (boresight_az_deg, deg from north)")
        bores = [float(b) for b in boresights_deg]
        if not 1 <= len(bores) <= self.faces:
            raise BmdsimError(f"{name}: {len(bores)} face boresights given; type {self.name} has "
                              f"{'one face' if self.faces == 1 else f'1 to {self.faces} faces'}")
        if not all(math.isfinite(b) and -360.0 <= b <= 360.0 for b in bores):
            raise BmdsimError(f"{name}: face boresights must be azimuths in degrees (-360..360), got {bores}")
        hws = [self.half_width_deg.value if h is None else float(h)
               for h in (half_widths_deg if half_widths_deg is not None else [None] * len(bores))]
        if len(hws) != len(bores):
            raise BmdsimError(f"{name}: {len(hws)} half-widths for {len(bores)} faces")
        return RadarSpec(
            name=name,
            site_ecef=geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), float(alt_m)),
            min_elev_rad=float(np.radians(self.min_elev_deg.value)),
            boresight_rad=tuple(float(np.radians(b)) for b in bores),
            half_width_rad=tuple(float(np.radians(h)) for h in hws),
            range_ref_m=self.range_ref_km.value * 1e3,
            rcs_ref_m2=self.rcs_ref_m2.value,
            instrumented_range_m=(
                self.instrumented_range_km.value * 1e3 if self.instrumented_range_km else float("inf")
            ),
            max_alt_m=self.max_alt_km.value * 1e3 if self.max_alt_km else None,
            track_formation_s=self.track_formation_s.value,
            fire_control_quality=self.fire_control_quality,
            type=self.name,
        )

    # ------------------------------------------------------------------ space IR
    def ir_spec(self, name: str | None = None) -> IrSpec:
        """Plain-number view of a space-based IR constellation."""
        if self.kind != "space_ir":
            raise BmdsimError(f"sensor {self.name!r} is {self.kind}, not space_ir")
        band = self.coverage if isinstance(self.coverage, LatitudeBand) else None
        return IrSpec(name or self.name, self.h_ir_km.value * 1e3, self.processing_delay_s.value,
                      math.radians(band.lat_south_deg.value) if band else -math.pi / 2,
                      math.radians(band.lat_north_deg.value) if band else math.pi / 2)

    def describe_coverage(self) -> str:
        """'global', 'latitudes -60..60 deg', or the faces of a radar ('2 faces x 120 deg')."""
        if self.kind == "space_ir":
            if isinstance(self.coverage, LatitudeBand):
                return f"latitudes {self.coverage.lat_south_deg.value:g}..{self.coverage.lat_north_deg.value:g} deg"
            return "global"
        w = 2 * self.half_width_deg.value
        return f"{self.faces} face{'s' if self.faces > 1 else ''} x {w:g} deg"


class PlacedFace(BaseModel):
    """One face of a placed radar: its boresight (deg, clockwise from north) and, where the site's
    published sector differs from the type's face, its own half-width (deg)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    boresight_az_deg: Param
    half_width_deg: Param | None = None

    @model_validator(mode="after")
    def _check(self):
        b = self.boresight_az_deg.value
        if not -360.0 <= b <= 360.0:
            raise ValueError(f"boresight_az_deg must be an azimuth in -360..360 degrees, got {b:g}")
        if self.half_width_deg is not None and not 0 < self.half_width_deg.value <= 180:
            raise ValueError(f"half_width_deg must be in (0, 180], got {self.half_width_deg.value}")
        return self


class SensorPlacement(BaseModel):
    """A sensor type placed by the catalog: what belongs to the site. ``place``: a sourced point
    (lat_deg, lon_deg, source) or a catalog place id; ``alt_m`` above the ellipsoid (default 0);
    ``faces``: one entry per face placed (None: every face of the type, evenly spread, which only a
    type whose faces cover 360 deg allows). Checked against its type by :mod:`bmdsim.model.catalogs`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    aliases: list[str] = []
    full_name: str = ""
    owner: str = ""
    type: str = Field(min_length=1)
    place: Place | str
    alt_m: Param | None = None
    faces: list[PlacedFace] | None = Field(default=None, min_length=1, max_length=MAX_FACES)
    notes: str = ""
    override: bool | None = None

    def boresights_deg(self) -> tuple[float, ...] | None:
        return None if self.faces is None else tuple(f.boresight_az_deg.value for f in self.faces)

    def half_widths_deg(self) -> tuple[float | None, ...] | None:
        if self.faces is None:
            return None
        return tuple(None if f.half_width_deg is None else f.half_width_deg.value for f in self.faces)
