"""Technical-military criteria: check an architecture against written limits *and* against physics.

A criteria file (YAML) states limits of the kind Moscow asked for in 2011-2012::

    name: example-limits
    max_vbo_kms: 4.5                       # no interceptor faster than this
    forbidden_zones:                       # no interceptor site inside
      - {name: north of 55N, min_lat_deg: 55}
      - {name: Baltic box, polygon: [[54, 10], [54, 30], [60, 30], [60, 10]]}   # [lat, lon] corners
    max_interceptors_per_zone:
      - {zone: {name: Poland and Romania, polygon: [[43, 14], [43, 30], [55, 30], [55, 14]]}, max: 48}
    radar_sectors:                         # a radar's boresight must point inside [from, to] (deg, clockwise)
      - {sensor: TPY2-KURECIK, az_from_deg: 60, az_to_deg: 150}

The output lists each limit as met or not, then the physics verdict: does the deployment engage any
trajectory of the deterrent threat sets? A deployment can meet every limit and still fail the
physics, and the report says so.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bmdsim.model.architecture import ResolvedArchitecture


class Zone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    min_lat_deg: float | None = Field(default=None, ge=-90, le=90)
    max_lat_deg: float | None = Field(default=None, ge=-90, le=90)
    polygon: list[list[float]] | None = None  # [[lat, lon], ...]

    @model_validator(mode="after")
    def _one(self):
        if self.polygon is None and self.min_lat_deg is None and self.max_lat_deg is None:
            raise ValueError(f"zone {self.name!r}: give `polygon` or `min_lat_deg`/`max_lat_deg`")
        if self.polygon is not None and (len(self.polygon) < 3 or any(len(p) != 2 for p in self.polygon)):
            raise ValueError(f"zone {self.name!r}: polygon needs >= 3 [lat, lon] corners")
        return self

    def contains(self, lat: float, lon: float) -> bool:
        if self.min_lat_deg is not None and lat < self.min_lat_deg:
            return False
        if self.max_lat_deg is not None and lat > self.max_lat_deg:
            return False
        if self.polygon is None:
            return True
        # even-odd ray casting in the lat/lon plane
        inside = False
        pts = self.polygon
        for (a_lat, a_lon), (b_lat, b_lon) in zip(pts, pts[1:] + pts[:1], strict=True):
            if (a_lat > lat) != (b_lat > lat):
                x = a_lon + (lat - a_lat) * (b_lon - a_lon) / (b_lat - a_lat)
                if lon < x:
                    inside = not inside
        return inside


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
        az = math.degrees(r.boresight_rad) % 360
        lo, hi = sec.az_from_deg % 360, sec.az_to_deg % 360
        inside = lo <= az <= hi if lo <= hi else (az >= lo or az <= hi)
        out.append({"limit": f"{sec.sensor} boresight in [{sec.az_from_deg}, {sec.az_to_deg}] deg", "met": inside,
                    "detail": [f"boresight {az:.0f} deg"]})
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
