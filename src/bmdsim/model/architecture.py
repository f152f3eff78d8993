"""A missile-defense architecture: interceptor sites, sensors, data links and command rules.

File form (YAML, safe loader only)::

    name: my-architecture
    description: one line
    sites:
      - {name: deveselu, place: deveselu, interceptor: SM-3-IB, inventory: 24, sensors: [SPY-1]}
      - name: ship-1
        kind: ship
        lat_deg: 34.5
        lon_deg: 28.0
        interceptor: SM-3-IA
        inventory: 8
        sensors: [SPY-1, {name: tpy2-ship-1, type: AN/TPY-2, boresight_az_deg: 90}]
    sensors:                               # sensors of the architecture that no site carries
      - TPY2-KURECIK                       # a catalog placement
      - SBIRS                              # a space-based IR constellation (a type: not placed at a point)
      - {name: tpy2-north, type: AN/TPY-2, lat_deg: 41.0, lon_deg: 36.0, alt_m: 100, boresight_az_deg: 120}
    links:                                 # whose tracks a site may use
      - {sensor: TPY2-KURECIK, sites: all}
      - {sensor: tpy2-ship-1, sites: [deveselu]}
    rules: {decision_time_s: 30, engage_on_remote: true}

Sensors are types that architectures place (:mod:`bmdsim.model.sensors`). A site's ``sensors`` are
radar types placed at the site (its position; altitude ``alt_m``, default 0): a name, when the type's
faces cover every azimuth (``SPY-1``), or ``{type, boresight_az_deg}`` with one boresight per face
placed (a single-face ``AN/TPY-2`` must say where it looks); they are named ``TYPE@SITE`` unless
given a ``name``. The architecture's ``sensors`` are catalog placements, space IR constellations, or
``{name, type, place | lat_deg + lon_deg, alt_m, boresight_az_deg}``.

A site always uses its own sensors. It uses any other placed sensor (another site's included) only
through a listed data link. With ``engage_on_remote: true`` a linked fire-control-quality track may
trigger a launch; otherwise linked tracks only cue the site's own radar (track formation time
multiplied by ``cue_track_factor``). Early-warning radars and space IR never give fire control
unless a link says ``fire_control: true``; they cue.

Names resolve through a catalog context (:mod:`bmdsim.model.catalogs`; ``catalog=None``: the built-ins).
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
from bmdsim.model.catalogs import Catalog, resolve_catalog
from bmdsim.model.dates import iso_date_text
from bmdsim.model.interceptors import VBO_MAX_KMS, VBO_MIN_KMS
from bmdsim.model.names import normalise_name
from bmdsim.model.sensors import IrSpec, RadarSpec, SensorPlacement, SensorType


class SiteSensorSpec(BaseModel):
    """A radar type a site carries: at the site's position, ``alt_m`` above the ellipsoid (m), one
    boresight (deg, clockwise from north) per face placed (none: every face evenly spread, for types
    that then see every azimuth). ``name`` defaults to ``TYPE@SITE``."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1)
    type: str = Field(min_length=1)
    alt_m: float = Field(default=0.0, ge=-500, le=10000)
    boresight_az_deg: float | list[float] | None = None

    @field_validator("boresight_az_deg")
    @classmethod
    def _bores(cls, v):
        for b in [v] if isinstance(v, float | int) else v or []:
            if not -360 <= b <= 360:
                raise ValueError(f"boresight_az_deg must be azimuths in -360..360 degrees, got {b}")
        if isinstance(v, list) and not v:
            raise ValueError("give at least one boresight (one per face placed)")
        return v

    def boresights(self) -> list[float] | None:
        v = self.boresight_az_deg
        return None if v is None else [float(v)] if isinstance(v, float | int) else [float(x) for x in v]


class PlacedSensorSpec(SiteSensorSpec):
    """A radar type the architecture places at a point (no site carries it): ``name`` (for links), and
    ``place`` (a catalog place id) or ``lat_deg`` and ``lon_deg``."""

    name: str = Field(min_length=1)
    place: str | None = None
    lat_deg: float | None = Field(default=None, ge=-90, le=90)
    lon_deg: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _where(self):
        if (self.place is None) == (self.lat_deg is None or self.lon_deg is None):
            raise ValueError(f"sensor {self.name!r}: give either `place` (a catalog place id) or `lat_deg` and "
                             "`lon_deg`")
        return self


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
    vbo_kms: float | None = Field(default=None, ge=VBO_MIN_KMS, le=VBO_MAX_KMS)
    inventory: int = Field(default=1, ge=0, le=100000)
    sensors: list[str | SiteSensorSpec] = []

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
    sensors: list[str | PlacedSensorSpec] = []
    links: list[LinkSpec] = []
    rules: Rules = Rules()

    @field_validator("date")
    @classmethod
    def _date(cls, v):
        return None if v is None else iso_date_text(v)

    @field_validator("sites")
    @classmethod
    def _unique_sites(cls, v):
        names = [s.name for s in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate site names {', '.join(dup)}: each site needs its own name (links and "
                             "variants refer to sites by name)")
        return v


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


def resolve(arch: Architecture, *, vbo_kms: float | None = None, decision_time_s: float | None = None,
            catalog: Catalog | None = None) -> ResolvedArchitecture:
    """Look every name up in ``catalog`` (None: the built-ins) and turn the architecture into plain
    numbers. ``vbo_kms`` overrides all sites. Raises a one-line BmdsimError for an unknown name, a
    sensor that cannot be placed where it is listed, two sensors of one name, or a link from a
    sensor the architecture does not have."""
    cat = resolve_catalog(catalog)
    if vbo_kms is not None and not (math.isfinite(vbo_kms) and VBO_MIN_KMS <= vbo_kms <= VBO_MAX_KMS):
        raise BmdsimError(f"vbo_kms {vbo_kms} is out of range; valid {VBO_MIN_KMS:g} <= vbo_kms <= "
                          f"{VBO_MAX_KMS:g} km/s (the burnout speed)")
    if decision_time_s is not None and not (math.isfinite(decision_time_s) and 0 <= decision_time_s <= 3600):
        raise BmdsimError(f"decision_time_s {decision_time_s} is out of range; valid 0 <= decision_time_s <= 3600 s")
    names = [s.name for s in arch.sites]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise BmdsimError(f"architecture {arch.name!r}: duplicate site names {', '.join(dup)}")
    radars: dict[str, RadarSpec] = {}  # every placed radar of the architecture by name
    ir: dict[str, IrSpec] = {}
    keys: dict[str, str] = {}  # normalised name or alias -> sensor name, for links
    carrier: dict[str, str] = {}  # radar name -> the site carrying it

    def add(spec, aliases=()) -> None:
        for k in {normalise_name(x) for x in (spec.name, *aliases)}:
            if k in keys and keys[k] != spec.name:
                raise BmdsimError(f"architecture {arch.name!r}: two sensors answer to the name {spec.name!r} "
                                  f"({keys[k]!r} and {spec.name!r}); give them different names")
            keys[k] = spec.name
        if spec.name in radars or spec.name in ir:
            raise BmdsimError(f"architecture {arch.name!r}: sensor {spec.name!r} is listed twice")
        (ir if isinstance(spec, IrSpec) else radars)[spec.name] = spec

    for item in arch.sensors:
        spec, aliases = _architecture_sensor(item, cat)
        add(spec, aliases)
    where: dict[str, tuple[float, float]] = {}
    own: dict[str, list[RadarSpec]] = {}
    for s in arch.sites:
        if s.place is not None:
            p = cat.place(s.place)
            where[s.name] = (p.lat_deg, p.lon_deg)
        else:
            where[s.name] = (float(s.lat_deg), float(s.lon_deg))
        own[s.name] = []
        for item in s.sensors:
            spec = _site_sensor(item, s.name, *where[s.name], cat)
            add(spec)
            carrier[spec.name] = s.name
            own[s.name].append(spec)
    # links: site name -> {sensor name: fire-control override or None}
    linked: dict[str, dict[str, bool | None]] = {n: {} for n in names}
    for ln in arch.links:
        sname = keys.get(normalise_name(ln.sensor))
        if sname is None:
            cat.sensor(ln.sensor)  # an unknown name: the catalog's error, with the nearest names
            raise BmdsimError(f"link from {ln.sensor!r}: the sensor is not in the architecture (its `sensors` or a "
                              f"site's: {', '.join([*radars, *ir]) or 'none'})")
        targets = names if ln.sites == "all" else ln.sites
        for t in targets:
            if t not in linked:
                raise UnknownNameError("site", t, names)
            if carrier.get(sname) != t:  # a site's own radar is its own already
                linked[t][sname] = ln.fire_control
    sites = []
    for s in arch.sites:
        lat, lon = where[s.name]
        icp = cat.interceptor(s.interceptor)
        kin = icp.kinematics(vbo_kms if vbo_kms is not None else s.vbo_kms)
        ka = (arch.rules.kill_assessment_s if arch.rules.kill_assessment_s is not None
              else icp.kill_assessment_s.value)
        sites.append(ResolvedSite(
            name=s.name, lat_deg=lat, lon_deg=lon,
            site_ecef=geodetic_to_ecef(math.radians(lat), math.radians(lon), 0.0),
            interceptor=icp.name, kin=kin, kill_assessment_s=ka, inventory=s.inventory, own_radars=tuple(own[s.name]),
            linked_radars=tuple(
                radars[n] if fc is None else dataclasses.replace(radars[n], fire_control_quality=fc)
                for n, fc in sorted(linked[s.name].items()) if n in radars),
            linked_ir=tuple(ir[n] for n in sorted(linked[s.name]) if n in ir),
            kind=s.kind,
        ))
    return ResolvedArchitecture(
        name=arch.name, sites=tuple(sites), radars=tuple(radars.values()), ir=tuple(ir.values()),
        decision_time_s=arch.rules.decision_time_s if decision_time_s is None else decision_time_s,
        engage_on_remote=arch.rules.engage_on_remote, cue_track_factor=arch.rules.cue_track_factor,
        max_shots=arch.rules.max_shots,
    )


def _radar_type(cat: Catalog, name: str, what: str) -> SensorType:
    st = cat.sensor(name)
    if isinstance(st, SensorPlacement):
        there = cat.place_of(st)
        raise BmdsimError(f"{what}: {st.name!r} is a {st.type} already placed (at {there[0]:g},{there[1]:g}); "
                          f"list it in the architecture's `sensors` and link it, or place its type: "
                          f"{{type: {st.type}, boresight_az_deg: ...}}")
    if st.kind != "radar":
        raise BmdsimError(f"{what}: {st.name!r} is {st.kind}, not a radar: a constellation is not placed at a point; "
                          "name it in the architecture's `sensors`")
    return st


def _architecture_sensor(item, cat: Catalog):
    """(RadarSpec or IrSpec, look-up aliases) of an item of an architecture's ``sensors``."""
    if isinstance(item, PlacedSensorSpec):
        st = _radar_type(cat, item.type, f"sensor {item.name!r}")
        if item.place is not None:
            p = cat.place(item.place)
            lat, lon = p.lat_deg, p.lon_deg
        else:
            lat, lon = float(item.lat_deg), float(item.lon_deg)
        return st.radar_spec(name=item.name, lat_deg=lat, lon_deg=lon, alt_m=item.alt_m,
                             boresights_deg=item.boresights()), ()
    hit = cat.sensor(item)
    if isinstance(hit, SensorPlacement):
        return cat.radar_spec(hit), tuple(hit.aliases)
    if hit.kind == "space_ir":
        return hit.ir_spec(), tuple(hit.aliases)
    raise BmdsimError(f"sensor {hit.name!r} is a radar type, not placed anywhere: list it under a site's `sensors` "
                      f"(it stands at the site), or place it here: {{name, type: {hit.name}, lat_deg, lon_deg, "
                      "boresight_az_deg}")


def _site_sensor(item, site: str, lat: float, lon: float, cat: Catalog) -> RadarSpec:
    """The RadarSpec of an item of a site's ``sensors`` (placed at the site)."""
    spec = item if isinstance(item, SiteSensorSpec) else None
    st = _radar_type(cat, spec.type if spec else item, f"site {site!r}")
    name = spec.name if spec is not None and spec.name else f"{st.name}@{site}"
    try:
        return st.radar_spec(name=name, lat_deg=lat, lon_deg=lon, alt_m=spec.alt_m if spec else 0.0,
                             boresights_deg=spec.boresights() if spec else None)
    except BmdsimError as err:
        if spec is None or spec.boresights() is None:
            raise BmdsimError(f"site {site!r}: {err}; write {{type: {st.name}, boresight_az_deg: 120}} "
                              "(the azimuth it faces)") from None
        raise BmdsimError(f"site {site!r}: {err}") from None


def sensor_names(data, catalog: Catalog | None = None) -> list[str]:
    """The names an architecture's links may use, from its data as read: catalog names listed under
    ``sensors``, the ``name`` of each sensor it places, and each site sensor's name (``TYPE@SITE``
    when unnamed, with the type's catalog name when ``catalog`` knows it)."""
    cat = resolve_catalog(catalog)
    if isinstance(data, BaseModel):
        data = data.model_dump()

    def type_name(t) -> str:
        try:
            return cat.sensor(str(t)).name
        except BmdsimError:
            return str(t)

    out = []
    for item in data.get("sensors") or [] if isinstance(data.get("sensors"), list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append(item["name"])
    for site in data.get("sites") or [] if isinstance(data.get("sites"), list) else []:
        if not isinstance(site, dict) or not isinstance(site.get("sensors"), list):
            continue
        for item in site["sensors"]:
            if isinstance(item, str):
                out.append(f"{type_name(item)}@{site.get('name')}")
            elif isinstance(item, dict):
                given = item.get("name")
                out.append(given if isinstance(given, str) else f"{type_name(item.get('type'))}@{site.get('name')}")
    return out


def name_errors(data, at, prefix: tuple = (), catalog: Catalog | None = None) -> list[str]:
    """One message per unknown name in architecture data (interceptors, places, sensors and their types,
    linked sensors and sites), each prefixed by ``at(path)`` (the file and line of that key; ``prefix`` is
    where the architecture sits in its file) and suggesting the nearest known name (``catalog``: the
    context names resolve in; None: the built-ins).

    ``data`` is the mapping as read (or an :class:`Architecture`); entries of the wrong type are left
    to the schema's messages, so that ``validate`` can list names and schema errors together."""
    cat = resolve_catalog(catalog)
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

    def items(key, holder=None):
        v = (data if holder is None else holder).get(key)
        return list(enumerate(v)) if isinstance(v, list) else []

    def check_sensor(loc: tuple, item) -> None:
        if isinstance(item, str):
            check(loc, cat.sensor, item)
        elif isinstance(item, dict):
            check((*loc, "type"), cat.sensor, item.get("type"))
            check((*loc, "place"), cat.place, item.get("place"))

    site_names = [s.get("name") for _, s in items("sites") if isinstance(s, dict)]
    for i, site in items("sites"):
        if not isinstance(site, dict):
            continue
        check(("sites", i, "interceptor"), cat.interceptor, site.get("interceptor"))
        check(("sites", i, "place"), cat.place, site.get("place"))
        for j, sen in items("sensors", site):
            check_sensor(("sites", i, "sensors", j), sen)
    for j, sen in items("sensors"):
        check_sensor(("sensors", j), sen)
    local = {normalise_name(n) for n in sensor_names(data, cat)}
    for j, ln in items("links"):
        if not isinstance(ln, dict):
            continue
        if isinstance(ln.get("sensor"), str) and normalise_name(ln["sensor"]) not in local:
            check(("links", j, "sensor"), cat.sensor, ln["sensor"])
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
