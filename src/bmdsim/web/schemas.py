"""Request bodies of the API (pydantic). Units in the names, degrees and km at this edge, as on the CLI.

Points (``from``, ``to``, ``launch_area``) are ``"LAT,LON"`` text, a catalog place id, or ``[lat, lon]``
in degrees. Architectures come from exactly one of ``scenario`` (a built-in name), ``scenario_yaml``
(an uploaded scenario file's text; it may ``extends`` only a built-in and name no files) or
``architecture`` (inline, the architecture file's schema).

Numbers are JSON numbers (``true`` or ``"5"`` are refused, not converted) and finite (``NaN``, ``Infinity``
and literals beyond the float range are refused wherever they appear: :func:`bmdsim.web.service.check_json`).
Their ranges are the library's, checked with its one-line messages (as the CLI's): they are stated in the
descriptions rather than in the schema so that an out-of-range value gets that message.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from bmdsim.model.limits import LIMITS, STEP_MAX_S, STEP_MIN_S

Num = Annotated[float, Strict()]  # a JSON number (an integer is one too)
Int = Annotated[int, Strict()]
Point = Annotated[
    str | Annotated[list[Num], Field(min_length=2, max_length=2)],
    Field(description='"LAT,LON" in degrees, a catalog place id (GET /api/catalog/places), or [lat, lon]',
          examples=["35.7,51.4", "tehran", [35.7, 51.4]]),
]
Name = Annotated[str, Field(min_length=1, max_length=100)]
STEP = f"{STEP_MIN_S:g}..{STEP_MAX_S:g}"
SAMPLES = f"at most {LIMITS['samples_per_trajectory'].value:,.0f} samples per trajectory, as the CLI"


class Shape(BaseModel):
    """Trajectory shape: none of the three means minimum-energy; at most one may be given."""

    apogee_km: Num | None = Field(None, description="lofted/depressed threat: apogee height (km), 10..5000")
    flight_time_s: Num | None = Field(None, description="lofted/depressed threat: flight time (s), 30..10000")
    gamma_deg: Num | None = Field(None, description="burnout flight-path angle (deg), 1..85")


class ArchitectureSource(BaseModel):
    """Exactly one of scenario, scenario_yaml, architecture; vbo_kms / decision_time_s override it."""

    scenario: Name | None = Field(None, description="built-in scenario name (GET /api/scenarios)",
                                  examples=["epaa-phase-3"])
    scenario_yaml: str | None = Field(None, description="text of an uploaded scenario file (at most 256 kB; "
                                                        "`extends` only a built-in scenario; no file names)")
    architecture: dict | None = Field(None, description="inline architecture (the architecture file's schema: "
                                                        "name, sites, sensors, links, rules)")
    vbo_kms: Num | None = Field(None, description="override every site's interceptor burnout speed vbo (km/s; > 0 "
                                                  "and at most the library's bmdsim.model.interceptors.VBO_MAX_KMS)")
    decision_time_s: Num | None = Field(None, description="override the decision time (s), 0..3600 (a scenario's "
                                                          "options.decision_time_s)")


class EngageRequest(Shape, ArchitectureSource):
    """One threat against every site of an architecture (``bmdsim engage``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    missile: Name = Field(description="catalog missile name", examples=["Iran-IRBM"])
    launch: Point = Field(alias="from")
    aim: Point = Field(alias="to")
    step_s: Num = Field(5.0, description=f"threat sample spacing (s), {STEP}: the window resolution "
                                         f"({SAMPLES})")
    format: Literal["json", "csv"] = "json"


class TrajectoryRequest(Shape):
    """One trajectory (``bmdsim trajectory``), in any format the CLI writes."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    missile: Name = Field(description="catalog missile name", examples=["Iran-IRBM"])
    launch: Point = Field(alias="from")
    aim: Point = Field(alias="to")
    step_s: Num = Field(10.0, description=f"sample spacing (s), {STEP} ({SAMPLES})")
    format: Literal["json", "csv", "kml", "geojson", "czml", "e", "png", "svg", "pdf"] = Field(
        "json", description="json (ECI states), csv, kml, geojson, czml, e (STK ephemeris) or a figure")
    epoch: str | None = Field(None, max_length=64,
                              description="absolute launch time, ISO-8601 UTC (for csv, kml, czml, e)")


class BBox(BaseModel):
    """A map box by named bounds (degrees)."""

    model_config = ConfigDict(extra="forbid")
    lon_min: Num = -12.0
    lon_max: Num = 45.0
    lat_min: Num = 34.0
    lat_max: Num = 72.0


class FootprintRequest(ArchitectureSource):
    """Defended-area footprint of a launch area (``bmdsim footprint``)."""

    model_config = ConfigDict(extra="forbid")
    launch_area: Point
    missiles: list[Name] | None = Field(None, description="missile names (default: the scenario's threat set)",
                                        max_length=20)
    grid_deg: Num = Field(0.5, description="grid spacing (deg), 0.05..10 (the explorer computes at most "
                                           "GET /api/meta `max_footprint_cells` cells; the CLI's limits on grid "
                                           "cells and trajectories apply to all passes)")
    k: Int = Field(1, description="shots required (2 = shoot-look-shoot), 1..20")
    bbox: BBox = BBox()
    step_s: Num | None = Field(None, description=f"threat sample spacing (s), {STEP}; default the scenario's")


class DeterrentRequest(ArchitectureSource):
    """Deterrent matrix of an architecture (``bmdsim deterrent``)."""

    model_config = ConfigDict(extra="forbid")


class EnvelopeRequest(BaseModel):
    """Safe envelope (``bmdsim criteria --derive``)."""

    model_config = ConfigDict(extra="forbid")
    grid_deg: Num = Field(4.0, description="grid spacing (deg), 1..10 here (finer grids: use the CLI)")
    template: Name = Field("SM-3-IIA", description="interceptor whose other parameters are used")
    decision_time_s: Num = Field(30.0, description="launch at burnout + this (s), 0..3600")


class ClaimsRequest(BaseModel):
    """Run the claims ledger (``bmdsim claims``)."""

    model_config = ConfigDict(extra="forbid")
    only: list[Name] | None = Field(None, description="claim ids, e.g. [\"C3\", \"C8\"] (default: all)",
                                    max_length=30)
    envelope_grid_deg: Num = Field(4.0, description="safe-envelope grid for C4 (deg), 1..10")


class ValidateRequest(BaseModel):
    """An uploaded scenario file's text."""

    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(description="scenario file text (at most 256 kB)")


class ErrorBody(BaseModel):
    """Every refused request: the one-line message (as the CLI prints after `bmdsim: error:`) and where."""

    detail: str
    field: str
    messages: list[str] | None = None
