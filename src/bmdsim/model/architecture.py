"""A missile-defense architecture: interceptor sites, sensors, data links and command rules.

File form (YAML, safe loader only)::

    name: my-architecture
    description: one line
    sites:
      - {name: deveselu, place: deveselu, interceptor: SM-3-IB, inventory: 24, sensors: [SPY-1]}
      - {name: ship-1, lat_deg: 34.5, lon_deg: 28.0, interceptor: SM-3-IA, inventory: 8, sensors: [SPY-1]}
    sensors: [TPY2-KURECIK, SBIRS]          # fixed or space sensors of the architecture
    links:                                 # whose tracks a site may use
      - {sensor: TPY2-KURECIK, sites: all}
    rules: {decision_time_s: 30, engage_on_remote: true}

A site always uses its own sensors (``sites[].sensors``, mobile radars placed at the site). It uses a
remote sensor only through a listed data link. With ``engage_on_remote: true`` a linked
fire-control-quality track may trigger a launch; otherwise linked tracks only cue the site's own
radar (track formation time multiplied by ``cue_track_factor``). Early-warning radars and space
IR never give fire control; they cue.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bmdsim.core.earth import geodetic_to_ecef
from bmdsim.core.flyout import InterceptorKinematics
from bmdsim.errors import BmdsimError, UnknownNameError
from bmdsim.model import yamlsafe
from bmdsim.model.dates import iso_date_text
from bmdsim.model.interceptors import get_interceptor
from bmdsim.model.params import Place
from bmdsim.model.places import get_place
from bmdsim.model.sensors import IrSpec, RadarSpec, get_sensor


class SiteSpec(BaseModel):
    """An interceptor site (``kind: land``, the default) or ship station (``kind: ship``).

    ``kind`` is checked against a land mask when a command runs (a warning, not an error: see
    :mod:`bmdsim.model.surface`).
    """

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    kind: Literal["land", "ship"] = "land"
    place: str | None = None
    lat_deg: float | None = Field(default=None, ge=-90, le=90)
    lon_deg: float | None = Field(default=None, ge=-180, le=180)
    interceptor: str
    vbo_kms: float | None = Field(default=None, gt=0, le=12)
    inventory: int = Field(default=1, ge=0, le=100000)
    sensors: list[str] = []

    @model_validator(mode="after")
    def _where(self):
        if (self.place is None) == (self.lat_deg is None or self.lon_deg is None):
            raise ValueError(f"site {self.name!r}: give either `place` (a catalog place id) or `lat_deg` and "
                             "`lon_deg`")
        return self


class LinkSpec(BaseModel):
    """A data link: the tracks of ``sensor`` go to ``sites`` (names, or ``all``).

    ``fire_control`` overrides the sensor's catalog fire-control quality for this link (e.g. a
    fully integrated system that accepts early-warning tracks for launch).
    """

    model_config = ConfigDict(extra="forbid")
    name: str | None = None  # to tell apart several links of one sensor (merging, variants)
    sensor: str
    sites: list[str] | Literal["all"] = "all"
    fire_control: bool | None = None


class Rules(BaseModel):
    """Command rules (seconds)."""

    model_config = ConfigDict(extra="forbid")
    decision_time_s: float = Field(default=30.0, ge=0, le=3600)
    kill_assessment_s: float | None = Field(default=None, ge=0, le=3600)
    engage_on_remote: bool = True
    cue_track_factor: float = Field(default=0.5, gt=0, le=1)
    max_shots: int = Field(default=4, ge=1, le=20)


class Architecture(BaseModel):
    """Sites, sensors, data links, rules."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD, START/END or YYYY-YYYY
    sources: list[str] = []
    sites: list[SiteSpec] = Field(min_length=1)
    sensors: list[str] = []
    links: list[LinkSpec] = []
    rules: Rules = Rules()

    @field_validator("date")
    @classmethod
    def _date(cls, v):
        return None if v is None else iso_date_text(v)


# ------------------------------------------------------------------------------ resolved
@dataclass(frozen=True)
class ResolvedSite:
    """A site in plain numbers for the engagement engine."""

    name: str
    lat_deg: float
    lon_deg: float
    site_ecef: np.ndarray  # (3,) m
    interceptor: str
    kin: InterceptorKinematics
    kill_assessment_s: float
    inventory: int
    own_radars: tuple[RadarSpec, ...]
    linked_radars: tuple[RadarSpec, ...]
    linked_ir: tuple[IrSpec, ...]
    kind: str = "land"  # land or ship (SiteSpec.kind)


@dataclass(frozen=True)
class ResolvedArchitecture:
    name: str
    sites: tuple[ResolvedSite, ...]
    radars: tuple[RadarSpec, ...]  # every radar once (own radars carry the site name)
    ir: tuple[IrSpec, ...]
    decision_time_s: float
    engage_on_remote: bool
    cue_track_factor: float
    max_shots: int


def resolve(arch: Architecture, *, vbo_kms: float | None = None, decision_time_s: float | None = None
            ) -> ResolvedArchitecture:
    """Look every name up and turn the architecture into plain numbers. ``vbo_kms`` overrides all sites."""
    if vbo_kms is not None and not (math.isfinite(vbo_kms) and vbo_kms > 0):
        raise BmdsimError(f"vbo_kms must be > 0 km/s, got {vbo_kms}")
    if decision_time_s is not None and not decision_time_s >= 0:
        raise BmdsimError(f"decision_time_s must be >= 0 s, got {decision_time_s}")
    names = [s.name for s in arch.sites]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise BmdsimError(f"architecture {arch.name!r}: duplicate site names {', '.join(dup)}")
    fixed_radars: dict[str, RadarSpec] = {}
    ir: dict[str, IrSpec] = {}
    for sname in arch.sensors:
        sen = get_sensor(sname)
        if sen.kind == "space_ir":
            ir[sen.name] = sen.ir_spec()
        elif sen.mobile or sen.place is None:
            raise BmdsimError(f"sensor {sen.name!r} is mobile: list it under a site's `sensors`, not at top level")
        else:
            fixed_radars[sen.name] = sen.radar_spec()
    # links: site name -> {sensor name: fire-control override or None}
    linked: dict[str, dict[str, bool | None]] = {n: {} for n in names}
    for ln in arch.links:
        sen = get_sensor(ln.sensor)
        if sen.name not in fixed_radars and sen.name not in ir:
            raise BmdsimError(f"link from {ln.sensor!r}: the sensor is not in the architecture's `sensors` list "
                              f"({', '.join(list(fixed_radars) + list(ir)) or 'empty'})")
        targets = names if ln.sites == "all" else ln.sites
        for t in targets:
            if t not in linked:
                raise UnknownNameError("site", t, names)
            linked[t][sen.name] = ln.fire_control
    sites = []
    all_radars = list(fixed_radars.values())
    for s in arch.sites:
        if s.place is not None:
            p = get_place(s.place)
            lat, lon = p.lat_deg, p.lon_deg
        else:
            lat, lon = float(s.lat_deg), float(s.lon_deg)
        icp = get_interceptor(s.interceptor)
        kin = icp.kinematics(vbo_kms if vbo_kms is not None else s.vbo_kms)
        ka = (arch.rules.kill_assessment_s if arch.rules.kill_assessment_s is not None
              else icp.kill_assessment_s.value)
        own = []
        for sname in s.sensors:
            sen = get_sensor(sname)
            if sen.kind != "radar":
                raise BmdsimError(f"site {s.name!r}: own sensor {sen.name!r} is not a radar")
            place = Place(lat_deg=lat, lon_deg=lon, notional=True, note=f"carried by site {s.name}")
            spec = sen.radar_spec(place=place, alt_m=0.0 if sen.mobile else None)
            spec = RadarSpec(**{**spec.__dict__, "name": f"{sen.name}@{s.name}"})
            own.append(spec)
        all_radars.extend(own)
        sites.append(ResolvedSite(
            name=s.name, lat_deg=lat, lon_deg=lon,
            site_ecef=geodetic_to_ecef(math.radians(lat), math.radians(lon), 0.0),
            interceptor=icp.name, kin=kin, kill_assessment_s=ka, inventory=s.inventory, own_radars=tuple(own),
            linked_radars=tuple(
                fixed_radars[n] if fc is None else dataclasses.replace(fixed_radars[n], fire_control_quality=fc)
                for n, fc in sorted(linked[s.name].items()) if n in fixed_radars),
            linked_ir=tuple(ir[n] for n in sorted(linked[s.name]) if n in ir),
            kind=s.kind,
        ))
    return ResolvedArchitecture(
        name=arch.name, sites=tuple(sites), radars=tuple(all_radars), ir=tuple(ir.values()),
        decision_time_s=arch.rules.decision_time_s if decision_time_s is None else decision_time_s,
        engage_on_remote=arch.rules.engage_on_remote, cue_track_factor=arch.rules.cue_track_factor,
        max_shots=arch.rules.max_shots,
    )


def name_errors(data, at, prefix: tuple = ()) -> list[str]:
    """One message per unknown name in architecture data (interceptors, places, sensors, linked sites),
    each prefixed by ``at(path)`` (the file and line of that key; ``prefix`` is where the architecture
    sits in its file) and suggesting the nearest known name.

    ``data`` is the mapping as read (or an :class:`Architecture`); entries of the wrong type are left
    to the schema's messages, so that ``validate`` can list names and schema errors together."""
    if isinstance(data, BaseModel):
        data = data.model_dump()
    out: list[str] = []
    if not isinstance(data, dict):
        return out

    def check(loc: tuple, fn, name) -> None:
        if not isinstance(name, str):
            return
        try:
            fn(name)
        except BmdsimError as err:
            out.append(f"{at((*prefix, *loc))}: {err}")

    def items(key):
        v = data.get(key)
        return list(enumerate(v)) if isinstance(v, list) else []

    site_names = [s.get("name") for _, s in items("sites") if isinstance(s, dict)]
    for i, site in items("sites"):
        if not isinstance(site, dict):
            continue
        check(("sites", i, "interceptor"), get_interceptor, site.get("interceptor"))
        check(("sites", i, "place"), get_place, site.get("place"))
        for j, sen in enumerate(site.get("sensors") or [] if isinstance(site.get("sensors"), list) else []):
            check(("sites", i, "sensors", j), get_sensor, sen)
    for j, sen in items("sensors"):
        check(("sensors", j), get_sensor, sen)
    for j, ln in items("links"):
        if not isinstance(ln, dict):
            continue
        check(("links", j, "sensor"), get_sensor, ln.get("sensor"))
        if isinstance(ln.get("sites"), list):
            for k, t in enumerate(ln["sites"]):
                if isinstance(t, str) and t not in site_names:
                    known = [n for n in site_names if isinstance(n, str)]
                    out.append(f"{at((*prefix, 'links', j, 'sites', k))}: {UnknownNameError('site', t, known)}")
    return out


def parse_architecture(data, where: str = "architecture", lines: dict | None = None) -> Architecture:
    """Validate a mapping (already loaded with the safe YAML loader); ``lines`` (a line map) puts line
    numbers in the messages. Raises a one-line BmdsimError: the first problem and how many more."""
    from bmdsim.model.validation import ValidationErrors, validation_messages

    if not isinstance(data, dict):
        raise BmdsimError(f"{where}: expected a mapping with keys name, sites, sensors, links, rules")
    try:
        return Architecture.model_validate(data)
    except ValidationError as err:
        raise ValidationErrors(validation_messages(err, Architecture, where, lines or {})) from None


def load_architecture(path: str | Path) -> Architecture:
    """Read and validate an architecture YAML file (:mod:`bmdsim.model.yamlsafe`: data only, bounded)."""
    p = Path(path)
    data, lines = yamlsafe.load(p, "architecture file")
    return parse_architecture(data, str(p), lines)
