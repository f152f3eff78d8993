"""Technical-military criteria: check an architecture against written limits *and* against physics.

A criteria file (YAML) states limits of the kind Moscow asked for in 2011-2012::

    name: example-limits
    max_vbo_kms: 4.5                       # no interceptor faster than this
    forbidden_zones:                       # no interceptor site inside (zones: bmdsim.analysis.zones)
      - {name: north of 55N, cap: {north_of_deg: 55}}
      - {name: Baltic box, box: {lat_south: 54, lat_north: 60, lon_west: 10, lon_east: 30}}
      - {name: Bering Sea, box: {lat_south: 50, lat_north: 66, lon_west: 162, lon_east: -157}}
      - {name: around Kaliningrad, circle: {lat_deg: 54.71, lon_deg: 20.51, radius_km: 500}}
    max_interceptors_per_zone:
      - {zone: {name: Poland and Romania, polygon: {corners: [[43, 14], [43, 30], [55, 30], [55, 14]]}}, max: 48}
    radar_sectors:                         # a radar's boresights (each face's) must point inside [from, to]
      - {sensor: TPY2-KURECIK, az_from_deg: 60, az_to_deg: 150}

Zones are regions of the Earth with a stated legal meaning (boxes of parallels and meridians across the
antimeridian, polar caps, geodesic circles, great-circle polygons of any size): see
:mod:`bmdsim.analysis.zones`. The flat lat/lon polygons of earlier versions are refused with the new form.

The output lists each limit as met or not, then the physics verdict: does the deployment engage any
trajectory of the deterrent threat sets? A deployment can meet every limit and still fail the
physics, and the report says so.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bmdsim.analysis.zones import Zone
from bmdsim.model.architecture import ResolvedArchitecture

__all__ = ["Criteria", "RadarSector", "Zone", "ZoneCap", "check_limits", "load_criteria", "verdict"]


class ZoneCap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zone: Zone
    max: int = Field(ge=0)


class RadarSector(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sensor: str
    az_from_deg: float = Field(ge=0, le=360)
    az_to_deg: float = Field(ge=0, le=360)


class Criteria(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "criteria"
    description: str = ""
    max_vbo_kms: float | None = Field(default=None, gt=0)
    forbidden_zones: list[Zone] = []
    max_interceptors_per_zone: list[ZoneCap] = []
    radar_sectors: list[RadarSector] = []


def load_criteria(path: str | Path) -> Criteria:
    from bmdsim.model.scenario import load_model_file

    return load_model_file(path, Criteria, "criteria file")


def check_limits(arch: ResolvedArchitecture, crit: Criteria) -> list[dict]:
    """Each written limit: met or not, with the offending sites or sensors."""
    import math

    out = []
    if crit.max_vbo_kms is not None:
        bad = [s.name for s in arch.sites if s.kin.vbo_m_s / 1e3 > crit.max_vbo_kms + 1e-9]
        out.append({"limit": f"vbo <= {crit.max_vbo_kms} km/s", "met": not bad, "detail": bad})
    for z in crit.forbidden_zones:
        bad = [s.name for s in arch.sites if z.contains(s.lat_deg, s.lon_deg)]
        out.append({"limit": f"no site in {z.name}", "met": not bad, "detail": bad})
    for cap in crit.max_interceptors_per_zone:
        n = sum(s.inventory for s in arch.sites if cap.zone.contains(s.lat_deg, s.lon_deg))
        out.append({"limit": f"<= {cap.max} interceptors in {cap.zone.name}", "met": n <= cap.max,
                    "detail": [f"{n} interceptors"]})
    radars = {r.name.split("@")[0]: r for r in arch.radars}
    for sec in crit.radar_sectors:
        r = radars.get(sec.sensor)
        if r is None:
            out.append({"limit": f"{sec.sensor} boresight in [{sec.az_from_deg}, {sec.az_to_deg}] deg",
                        "met": True, "detail": ["radar not deployed"]})
            continue
        lo, hi = sec.az_from_deg % 360, sec.az_to_deg % 360
        azs = [math.degrees(b) % 360 for b in r.boresight_rad]  # every face must point inside
        inside = all(lo <= az <= hi if lo <= hi else (az >= lo or az <= hi) for az in azs)
        out.append({"limit": f"{sec.sensor} boresight in [{sec.az_from_deg}, {sec.az_to_deg}] deg", "met": inside,
                    "detail": [f"boresight {', '.join(f'{az:.0f}' for az in azs)} deg"]})
    return out


def verdict(limits: list[dict], engaged: int, total: int) -> str:
    all_met = all(x["met"] for x in limits)
    if all_met and engaged == 0:
        return f"meets every written limit and engages none of {total} deterrent trajectories"
    if all_met:
        return (f"meets every written limit yet engages {engaged} of {total} deterrent trajectories: "
                "limits of this form do not guarantee that the deterrent is untouched")
    if engaged == 0:
        return f"breaks {sum(not x['met'] for x in limits)} written limit(s) but engages no deterrent trajectory"
    return (f"breaks {sum(not x['met'] for x in limits)} written limit(s) and engages {engaged} of {total} "
            "deterrent trajectories")
