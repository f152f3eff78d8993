"""Request bodies of the API (pydantic). Units in the names, degrees and km at this edge, as on the CLI.

Points (``from``, ``to``, ``launch_area``) are ``"LAT,LON"`` text, a catalog place id, or ``[lat, lon]``
in degrees. Architectures come from exactly one of ``scenario`` (a built-in name), ``scenario_yaml``
(an uploaded scenario file's text; it may ``extends`` only a built-in and name no files) or
``architecture`` (inline, the architecture file's schema).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Point = Annotated[
    str | Annotated[list[float], Field(min_length=2, max_length=2)],
    Field(description='"LAT,LON" in degrees, a catalog place id (GET /api/catalog/places), or [lat, lon]',
          examples=["35.7,51.4", "tehran", [35.7, 51.4]]),
]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class Shape(BaseModel):
    """Trajectory shape: none of the three means minimum-energy; at most one may be given."""

    apogee_km: float | None = Field(None, description="lofted/depressed threat: apogee height (km), 10..5000")
    flight_time_s: float | None = Field(None, description="lofted/depressed threat: flight time (s), 30..10000")
    gamma_deg: float | None = Field(None, description="burnout flight-path angle (deg), 1..85")


class ArchitectureSource(BaseModel):
    """Exactly one of scenario, scenario_yaml, architecture; vbo_kms / decision_time_s override it."""

    scenario: Name | None = Field(None, description="built-in scenario name (GET /api/scenarios)",
                                  examples=["epaa-phase-3"])
    scenario_yaml: str | None = Field(None, description="text of an uploaded scenario file (at most 256 kB; "
                                                        "`extends` only a built-in scenario; no file names)")
    architecture: dict | None = Field(None, description="inline architecture (the architecture file's schema: "
                                                        "name, sites, sensors, links, rules)")
    vbo_kms: float | None = Field(None, description="override every site's interceptor vbo (km/s)")
    decision_time_s: float | None = Field(None, description="override the decision time (s)")


class EngageRequest(Shape, ArchitectureSource):
    """One threat against every site of an architecture (``bmdsim engage``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    missile: Name = Field(description="catalog missile name", examples=["Iran-IRBM"])
    launch: Point = Field(alias="from")
    aim: Point = Field(alias="to")
    step_s: float = Field(5.0, description="threat sample spacing (s): the window resolution")
    format: Literal["json", "csv"] = "json"


class TrajectoryRequest(Shape):
    """One trajectory (``bmdsim trajectory``), in any format the CLI writes."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    missile: Name = Field(description="catalog missile name", examples=["Iran-IRBM"])
    launch: Point = Field(alias="from")
    aim: Point = Field(alias="to")
    step_s: float = Field(10.0, description="sample spacing (s)")
    format: Literal["json", "csv", "kml", "geojson", "czml", "e", "png", "svg", "pdf"] = Field(
        "json", description="json (ECI states), csv, kml, geojson, czml, e (STK ephemeris) or a figure")
    epoch: str | None = Field(None, description="absolute launch time, ISO-8601 UTC (for csv, kml, czml, e)")


class BBox(BaseModel):
    """A map box by named bounds (degrees)."""

    model_config = ConfigDict(extra="forbid")
    lon_min: float = -12.0
    lon_max: float = 45.0
    lat_min: float = 34.0
    lat_max: float = 72.0


class FootprintRequest(ArchitectureSource):
    """Defended-area footprint of a launch area (``bmdsim footprint``)."""

    model_config = ConfigDict(extra="forbid")
    launch_area: Point
    missiles: list[Name] | None = Field(None, description="missile names (default: the scenario's threat set)",
                                        max_length=20)
    grid_deg: float = Field(0.5, description="grid spacing (deg), 0.05..10")
    k: int = Field(1, description="shots required (2 = shoot-look-shoot)")
    bbox: BBox = BBox()
    step_s: float | None = Field(None, description="threat sample spacing (s); default the scenario's")


class DeterrentRequest(ArchitectureSource):
    """Deterrent matrix of an architecture (``bmdsim deterrent``)."""

    model_config = ConfigDict(extra="forbid")


class EnvelopeRequest(BaseModel):
    """Safe envelope (``bmdsim criteria --derive``)."""

    model_config = ConfigDict(extra="forbid")
    grid_deg: float = Field(4.0, description="grid spacing (deg), 1..10 here (finer grids: use the CLI)")
    template: Name = Field("SM-3-IIA", description="interceptor whose other parameters are used")
    decision_time_s: float = Field(30.0, description="launch at burnout + this (s)")


class ClaimsRequest(BaseModel):
    """Run the claims ledger (``bmdsim claims``)."""

    model_config = ConfigDict(extra="forbid")
    only: list[Name] | None = Field(None, description="claim ids, e.g. [\"C3\", \"C8\"] (default: all)",
                                    max_length=30)
    envelope_grid_deg: float = Field(4.0, description="safe-envelope grid for C4 (deg), 1..10")


class ValidateRequest(BaseModel):
    """An uploaded scenario file's text."""

    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(description="scenario file text (at most 256 kB)")


class ErrorBody(BaseModel):
    """Every refused request: the one-line message (as the CLI prints after `bmdsim: error:`) and where."""

    detail: str
    field: str
    messages: list[str] | None = None
