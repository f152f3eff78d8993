"""The fly-out envelope of one interceptor, as a reader can check it (``bmdsim flyout``).

What it reports (SI inside, km / km/s / degrees in the output):

* the parameters: burnout speed ``vbo`` (relative to the launcher, non-rotating Earth, reached at
  every launch elevation), burn time ``tb``, minimum elevation (``min_elev_deg``, the catalog's),
  lift-off elevation (``liftoff_elev_deg``: below it the thrust that gives burnout speed vbo cannot
  lift the interceptor off the pad), lowest flown elevation (``lowest_flown_elev_deg``: the larger of
  the two, plus a small margin),
  altitude band ``[h_min, h_max]`` (the catalog's), longest fly-out ``t_max``;
* the fan: per launch elevation (the lowest flown, then every 5 degrees to 90), the thrust
  acceleration and the burnout state (speed, altitude, ground range), flown with the fly-out table's
  own integrator (:func:`bmdsim.core.flyout.fly_fan_paths`);
* ``ceiling_km`` (highest point flown within t_max), ``max_ground_range_km`` (farthest ground range
  at any altitude within t_max), on a non-rotating Earth;
* tau_min on a grid: ground ranges of 0, 20, 40, 60, 80 and 95 % of the maximum ground range and
  altitudes of 0, 25, 50, 75 and 95 % of the ceiling, each rounded to 10 km. Without a site: the
  non-rotating table (any azimuth). With a site: per fire azimuth (N, E, S, W) from that site on the
  rotating Earth (the interceptor carries the site's velocity; the points are Earth-fixed, reached at
  the intercept time; :func:`bmdsim.core.engagement.least_flyout_s`). The altitude band is not
  applied to the grid (it says where the interceptor can be, the band where it may kill).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from dataclasses import dataclass

import numpy as np

from bmdsim.core.earth import R_MEAN_M, geodetic_to_ecef
from bmdsim.core.engagement import least_flyout_s
from bmdsim.core.flyout import FanPaths, FlyoutTable, InterceptorKinematics, build_flyout_table, fly_fan_paths
from bmdsim.errors import BmdsimError
from bmdsim.model.catalogs import Catalog, resolve_catalog
from bmdsim.model.interceptors import VBO_MAX_KMS, VBO_MIN_KMS

RANGE_FRACTIONS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.95)
ALT_FRACTIONS = (0.0, 0.25, 0.5, 0.75, 0.95)
AZIMUTHS_DEG = {"N": 0.0, "E": 90.0, "S": 180.0, "W": 270.0}
FAN_STEP_DEG = 5.0
TB_MAX_S = 1000.0
TB_MIN_S = 1.0  # a shorter burn is an impulse: the per-elevation thrust would exceed 1,000 g
VBO_MEANING = ("burnout speed relative to the launcher on a non-rotating Earth, reached at every launch "
               "elevation; on the rotating Earth the site's velocity (omega x r) is added")


@dataclass
class FlyoutReport:
    """The envelope of one interceptor (see the module docstring); arrays in SI."""

    name: str
    kin: InterceptorKinematics
    table: FlyoutTable
    fan: FanPaths
    grid_range_m: np.ndarray  # (nr,)
    grid_alt_m: np.ndarray  # (na,)
    tau_s: dict  # azimuth label ("any" without a site) -> (nr, na) s, NaN where not reached
    site: tuple | None  # (lat_deg, lon_deg, label) or None

    def to_dict(self) -> dict:
        k, t = self.kin, self.table
        fan = []
        b = self.fan.burnout_index
        for i, e in enumerate(self.fan.elev_rad):
            fan.append({
                "elevation_deg": round(math.degrees(float(e)), 3),
                "thrust_accel_m_s2": round(float(self.fan.accel_m_s2[i]), 3),
                "burnout_speed_kms": _r(self.fan.speed_m_s[i, b] / 1e3 if b >= 0 else math.nan, 4),
                "burnout_alt_km": _r(self.fan.alt_m[i, b] / 1e3 if b >= 0 else math.nan, 2),
                "burnout_range_km": _r(self.fan.ground_range_m[i, b] / 1e3 if b >= 0 else math.nan, 2),
            })
        grid = []
        for az, tau in self.tau_s.items():
            for a, g in enumerate(self.grid_range_m):
                for c, h in enumerate(self.grid_alt_m):
                    grid.append({"azimuth": az, "ground_range_km": round(float(g) / 1e3, 1),
                                 "alt_km": round(float(h) / 1e3, 1),
                                 "tau_min_s": _r(tau[a, c], 2)})
        return {
            "interceptor": self.name,
            "vbo_kms": round(k.vbo_m_s / 1e3, 4),
            "vbo_meaning": VBO_MEANING,
            "tb_s": k.tb_s,
            "min_elev_deg": round(math.degrees(k.min_elev_rad), 3),
            "liftoff_elev_deg": round(math.degrees(k.liftoff_elev_rad), 3),
            "lowest_flown_elev_deg": round(math.degrees(k.lowest_flown_elev_rad), 3),
            "t_max_s": k.t_max_s,
            "h_min_km": round(k.h_min_m / 1e3, 3),
            "h_max_km": round(k.h_max_m / 1e3, 3),
            "ceiling_km": round(t.ceiling_m / 1e3, 2),
            "max_ground_range_km": round(t.max_ground_range_m / 1e3, 2),
            "fan": fan,
            "site": None if self.site is None else {"lat_deg": self.site[0], "lon_deg": self.site[1],
                                                     "label": self.site[2]},
            "grid": {"ground_range_km": [round(float(g) / 1e3, 1) for g in self.grid_range_m],
                     "alt_km": [round(float(h) / 1e3, 1) for h in self.grid_alt_m],
                     "azimuths": list(self.tau_s),
                     "definition": "ground ranges 0, 20, 40, 60, 80, 95 % of max_ground_range_km, altitudes "
                                   "0, 25, 50, 75, 95 % of ceiling_km, rounded to 10 km; with a site, per fire "
                                   "azimuth on the rotating Earth, else the non-rotating table"},
            "tau_min": grid,
        }

    def tau_grid_s(self, ground_range_m, alt_m, azimuth: str | None = None) -> np.ndarray:
        """tau_min (s) over the mesh ground_range_m (nr,) x alt_m (na,): the non-rotating table, or with
        ``azimuth`` (a key of :data:`AZIMUTHS_DEG`) firing that way from the report's site on the
        rotating Earth. NaN where not reached within t_max."""
        g = np.asarray(ground_range_m, dtype=float)
        h = np.asarray(alt_m, dtype=float)
        if azimuth is None:
            return self.table.tau_min_s(g[:, None], h[None, :])
        if self.site is None:
            raise BmdsimError("a fire azimuth needs a site")
        return _rotating_grid(self.table, self.kin, self.site, AZIMUTHS_DEG[azimuth], g, h)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_csv(self) -> str:
        """The tau_min grid: azimuth, ground_range_km, alt_km, tau_min_s (empty: not reached)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["azimuth", "ground_range_km", "alt_km", "tau_min_s"])
        for row in self.to_dict()["tau_min"]:
            w.writerow([row["azimuth"], row["ground_range_km"], row["alt_km"],
                        "" if row["tau_min_s"] is None else row["tau_min_s"]])
        return buf.getvalue()


def _r(x, nd):
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _round10km(x_m):
    return 10e3 * np.round(np.asarray(x_m, dtype=float) / 10e3)


def flyout_report(name: str, *, vbo_kms: float | None = None, tb_s: float | None = None,
                  site: tuple[float, float, str] | None = None, catalog: Catalog | None = None) -> FlyoutReport:
    """The envelope of catalog interceptor ``name`` (overrides: burnout speed ``vbo_kms``, burn time
    ``tb_s``); with ``site`` = (lat_deg, lon_deg, label), tau_min per fire azimuth from that site on the
    rotating Earth. Raises BmdsimError (one line) for an unknown interceptor or values out of range
    (0 < vbo <= 15 km/s, 0 < tb <= 1,000 s). ``catalog``: where ``name`` is looked up (None: the built-ins)."""
    icp = resolve_catalog(catalog).interceptor(name)
    for label, v, low, top, unit in (("vbo_kms", vbo_kms, VBO_MIN_KMS, VBO_MAX_KMS, "km/s"),
                                     ("tb_s", tb_s, 0.0, TB_MAX_S, "s")):
        if v is not None and not (math.isfinite(v) and low <= v <= top and v > 0.0):
            raise BmdsimError(f"{label} {v} is out of range; valid {low:g} {'<=' if low else '<'} {label} <= {top:g} "
                              f"{unit}")
    kin = icp.kinematics(vbo_kms)
    if tb_s is not None:
        if not TB_MIN_S <= tb_s < kin.t_max_s:
            raise BmdsimError(f"tb_s {tb_s:g} s is out of range for {icp.name}: the burn must last at least "
                              f"{TB_MIN_S:g} s and end before the longest fly-out t_max = {kin.t_max_s:g} s")
        kin = dataclasses.replace(kin, tb_s=float(tb_s))
    table = build_flyout_table(kin)
    e_lo = kin.lowest_flown_elev_rad
    steps = np.arange(math.ceil(math.degrees(e_lo) / FAN_STEP_DEG + 1e-9) * FAN_STEP_DEG, 90.0 + 1e-9, FAN_STEP_DEG)
    elev = np.unique(np.r_[e_lo, np.radians(steps)])
    fan = fly_fan_paths(kin, elev)
    g = _round10km(np.array(RANGE_FRACTIONS) * table.max_ground_range_m)
    h = _round10km(np.array(ALT_FRACTIONS) * table.ceiling_m)
    if site is None:
        taus = {"any": table.tau_min_s(g[:, None], h[None, :])}
    else:
        taus = {label: _rotating_grid(table, kin, site, az, g, h) for label, az in AZIMUTHS_DEG.items()}
    return FlyoutReport(icp.name, kin, table, fan, g, h, taus, site)


def _rotating_grid(table, kin, site, azimuth_deg, g, h):
    """tau_min (s) over the mesh g x h of Earth-fixed points at ground range g (on the model's sphere,
    from the site's direction) and initial azimuth ``azimuth_deg``, altitude h, from the site on the
    rotating Earth (:func:`bmdsim.core.engagement.least_flyout_s`)."""
    lat, lon = math.radians(site[0]), math.radians(site[1])
    s = geodetic_to_ecef(lat, lon, 0.0)
    up = s / np.linalg.norm(s)  # ranges and azimuths about the site's direction (the model's sphere)
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    north = np.cross(up, east)
    gg, hh = np.meshgrid(g, h, indexing="ij")
    az = math.radians(azimuth_deg)
    d = gg.ravel() / R_MEAN_M
    dirs = np.cos(d)[:, None] * up + np.sin(d)[:, None] * (math.cos(az) * north + math.sin(az) * east)
    p = (R_MEAN_M + hh.ravel())[:, None] * dirs
    return least_flyout_s(s, p, hh.ravel(), table, kin).reshape(gg.shape)
