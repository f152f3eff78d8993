"""CZML (Cesium) documents of moving objects: threat tracks now, interceptor fly-outs later.

Written with czml3. Positions are time-tagged ``cartographicDegrees`` ``[t, lon, lat, h_m, ...]``
(WGS84, seconds from the packet's ``epoch``): Earth-fixed, as Cesium's ``FIXED`` frame. Never
``INERTIAL``: Cesium's inertial frame is ICRF, and bmdsim's ECI (axes on ECEF at the threat's launch) is
not — writing ECI there would misplace every point by Earth's rotation since the ICRF epoch.

The first packet is the document (``"id": "document"``) with a clock spanning every track.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bmdsim.errors import BmdsimError
from bmdsim.io import palette
from bmdsim.io.timefmt import iso


@dataclass(frozen=True)
class MovingObject:
    """A time-tagged path: ``t_s`` (k,) seconds from the document epoch, ``lat_deg``, ``lon_deg``,
    ``alt_m`` (k,) WGS84. ``color`` is #RRGGBB (default: the palette's track colour)."""

    id: str
    name: str
    t_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    color: str = palette.LAYER_COLORS["track"]
    description: str = ""


@dataclass(frozen=True)
class FixedPoint:
    """A labelled point on the ground (e.g. a launch point, an impact, a site)."""

    id: str
    name: str
    lat_deg: float
    lon_deg: float
    color: str = palette.LAYER_COLORS["launch"]


def _rgba(color: str, alpha: float = 1.0) -> list[int]:
    r, g, b = palette.hex_to_rgb(color)
    return [r, g, b, int(round(alpha * 255))]


def czml_document(name: str, epoch: dt.datetime, objects: Sequence[MovingObject],
                  points: Sequence[FixedPoint] = ()) -> list[dict]:
    """The CZML packets (a JSON-ready list): document packet first, then one per object and point."""
    from czml3 import Document, Packet
    from czml3.properties import Clock, Color, Label, Path, Point, Position, SolidColorMaterial
    from czml3.types import TimeInterval

    if not objects:
        raise BmdsimError("a CZML document needs at least one moving object")
    t0 = min(float(np.min(o.t_s)) for o in objects)
    t1 = max(float(np.max(o.t_s)) for o in objects)
    start, stop = iso(epoch, t0), iso(epoch, t1)
    packets = [Packet(id="document", name=name, version="1.0",
                      clock=Clock(interval=TimeInterval(start=start, end=stop), currentTime=start, multiplier=10,
                                  range="LOOP_STOP", step="SYSTEM_CLOCK_MULTIPLIER"))]
    for o in objects:
        t = np.asarray(o.t_s, float)
        if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0):
            raise BmdsimError(f"object {o.id!r}: times must be a strictly increasing 1-D array of >= 2 samples")
        coords = np.column_stack([t, np.asarray(o.lon_deg, float), np.asarray(o.lat_deg, float),
                                  np.asarray(o.alt_m, float)])
        flat = [round(float(x), 6) for x in coords.ravel()]
        packets.append(Packet(
            id=o.id, name=o.name, description=o.description or None,
            availability=TimeInterval(start=iso(epoch, t[0]), end=iso(epoch, t[-1])),
            position=Position(epoch=iso(epoch), cartographicDegrees=flat, interpolationAlgorithm="LAGRANGE",
                              interpolationDegree=5),
            point=Point(pixelSize=7, color=Color(rgba=_rgba(o.color))),
            path=Path(width=2, leadTime=0, trailTime=1e6, resolution=5,
                      material={"solidColor": SolidColorMaterial(color=Color(rgba=_rgba(o.color)))}),
            label=Label(text=o.name, font="11pt sans-serif", show=True),
        ))
    for p in points:
        packets.append(Packet(
            id=p.id, name=p.name,
            position=Position(cartographicDegrees=[round(float(p.lon_deg), 6), round(float(p.lat_deg), 6), 0.0]),
            point=Point(pixelSize=9, color=Color(rgba=_rgba(p.color)), outlineColor=Color(rgba=[255, 255, 255, 255]),
                        outlineWidth=1),
            label=Label(text=p.name, font="10pt sans-serif", show=True),
        ))
    doc = Document(packets=packets)
    import json

    return json.loads(doc.model_dump_json(exclude_none=True))
