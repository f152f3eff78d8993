"""Render one threat's engagement table as a figure or a CZML document.

Inputs: an :class:`bmdsim.analysis.engage.EngagementTable` (threat ``i`` against every site) and the
interceptors' re-flown paths to the first and last intercept points (objects with ``site``, ``which``
and ``path``: :func:`bmdsim.analysis.flyouts.engagement_flyouts`). Times in the table are seconds since
the threat's launch; absolute times are ``epoch + t`` (:mod:`bmdsim.io.timefmt`). Positions in CZML are
Earth-fixed ``cartographicDegrees`` (WGS84), never ``INERTIAL`` (bmdsim's inertial frame is not ICRF).
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np

from bmdsim.errors import BmdsimError
from bmdsim.io import palette


def _timelines(table, i: int):
    from bmdsim.io.figures import SiteTimeline

    out = []
    for j, site in enumerate(table.architecture.sites):
        out.append(SiteTimeline(site.name, float(table.first_detection_s[i, j]), float(table.track_s[i, j]),
                                float(table.launch_earliest_s[i, j]), float(table.first["t_s"][i, j]),
                                float(table.last["t_s"][i, j]), bool(table.engageable[i, j]),
                                table.reason_text(i, j), int(table.shots[i, j]), table.track_sensor_name(i, j) or ""))
    return out


def plot(table, flyouts, path, *, i: int = 0, dpi: int | None = None, projection: str = "auto",
         launch_label: str = "launch", aim_label: str = "aimpoint"):
    """Figure of threat ``i``: ground tracks of the threat and the fly-outs on a map, altitude against time,
    and a per-site timeline (:func:`bmdsim.io.figures.plot_engagement`). Format from the suffix of ``path``."""
    from bmdsim.io import figures, layers

    ts = table.threats
    if not ts.ok[i]:
        raise BmdsimError(f"threat {i} was not flown: nothing to draw")
    t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
    arch = table.architecture
    markers = [figures.Marker(s.lat_deg, s.lon_deg, s.name, "site") for s in arch.sites]
    fans = [figures.Fan(f.lat_deg, f.lon_deg, f.boresight_deg, f.half_width_deg, f.range_km, f.name)
            for f in layers.radar_fields(arch)]
    markers += [figures.Marker(f.lat_deg, f.lon_deg, "", "sensor") for f in fans]
    lines = [figures.FlyoutLine(f.site, f.which, f.path.t_s, f.path.lat_deg, f.path.lon_deg, f.path.alt_km)
             for f in flyouts]
    eng = int(table.engageable[i].sum())
    title = (f"{arch.name}: {ts.missile[i]} {launch_label} -> {aim_label} ({float(ts.range_km()[i]):,.0f} km, "
             f"{t[-1] / 60:.1f} min); engaged by {eng} of {len(arch.sites)} sites")
    return figures.plot_engagement(
        path, t, lat, lon, alt, flyouts=lines, timelines=_timelines(table, i), markers=markers, fans=fans,
        launch=(float(ts.launch_lat_deg[i]), float(ts.launch_lon_deg[i]), launch_label),
        aim=(float(ts.aim_lat_deg[i]), float(ts.aim_lon_deg[i]), aim_label), title=title, projection=projection,
        dpi=dpi or figures.DEFAULT_DPI)


def to_czml(table, flyouts, epoch: dt.datetime, *, i: int = 0, name: str | None = None) -> str:
    """A CZML document (JSON list, document packet first): the threat's path, each interceptor's path to its
    first and last intercept (time-tagged, Earth-fixed cartographicDegrees), the sites and the intercept
    points, with the threat launched at ``epoch``."""
    from bmdsim.io.czml import FixedPoint, MovingObject, czml_document

    ts = table.threats
    if not ts.ok[i]:
        raise BmdsimError(f"threat {i} was not flown: nothing to write")
    t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
    arch = table.architecture
    objs = [MovingObject(f"threat-{i}", f"{ts.missile[i]} #{i}", t, lat, lon, alt, palette.LAYER_COLORS["track"],
                         f"{ts.shape.describe()} trajectory, flight time {t[-1]:.0f} s")]
    pts = [FixedPoint(f"site-{s.name}", f"{s.name} ({s.interceptor}, vbo {s.kin.vbo_m_s / 1e3:g} km/s)", s.lat_deg,
                      s.lon_deg, palette.LAYER_COLORS["site"]) for s in arch.sites]
    for f in flyouts:
        p = f.path
        keep = np.concatenate([[True], np.diff(p.t_s) > 1e-6])
        objs.append(MovingObject(f"interceptor-{f.site}-{f.which}", f"{f.site}: interceptor to the {f.which} intercept",
                                 p.t_s[keep], p.lat_deg[keep], p.lon_deg[keep], p.alt_km[keep] * 1e3,
                                 palette.OKABE_ITO["blue"],
                                 f"launched at t = {p.t_s[0]:.1f} s, arrives at t = {p.t_s[-1]:.1f} s "
                                 f"(re-flown path; {p.miss_km:.2f} km from the intercept point)"))
        pts.append(FixedPoint(f"intercept-{f.site}-{f.which}", f"{f.site} {f.which} intercept, t = {p.t_s[-1]:.0f} s",
                              float(p.lat_deg[-1]), float(p.lon_deg[-1]), palette.OKABE_ITO["bluish_green"]))
    if not all(math.isfinite(x) for o in objs for x in (o.t_s[0], o.t_s[-1])):
        raise BmdsimError("non-finite times in the engagement")
    doc = czml_document(name or f"bmdsim engagement: {arch.name} vs {ts.missile[i]}", epoch, objs, pts)
    return json.dumps(doc, indent=1) + "\n"
