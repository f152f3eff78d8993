"""Render trajectories as JSON, CSV, KML, GeoJSON, CZML, STK ephemeris (.e) and figures.

Frames: bmdsim integrates in an ECI frame whose axes coincide with ECEF (WGS84) at the threat's launch.
Every export here except JSON (which keeps the ECI state and says so) is Earth-fixed: positions
``r_ecef = R(-ωt) r_eci`` and velocities ``v_ecef = R(-ωt)(v_eci - ω × r_eci)`` (ω = 7.292115e-5 rad/s,
WGS84), through :func:`bmdsim.core.earth.eci_to_ecef`. Absolute times are ``epoch + t`` (see
:mod:`bmdsim.io.timefmt`); the Earth-fixed positions do not depend on the epoch.

Writing files is done by :mod:`bmdsim.io.files`; these functions return text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import numpy as np

from bmdsim.core import earth
from bmdsim.errors import BmdsimError
from bmdsim.io import palette
from bmdsim.io.geo_formats import kml_ids_in_order
from bmdsim.io.timefmt import DEFAULT_EPOCH, iso, parse_epoch, stk_epoch
from bmdsim.model.trajectories import TrajectorySet

EVENT_NAMES = ("burnout", "apogee", "re-entry", "impact")  # order of TrajectorySet.events_t_s columns


def _epoch(epoch: dt.datetime | None) -> dt.datetime:
    return epoch if epoch is not None else parse_epoch(DEFAULT_EPOCH)


def ecef_states(ts: TrajectorySet, i: int):
    """Earth-fixed samples of row i: t_s (k,), r_ecef (k, 3) m, v_ecef (k, 3) m/s, lat_deg, lon_deg, alt_m."""
    t, lat, lon, alt, r_eci, v_eci = ts.samples_geodetic(i)
    r_ecef, v_ecef = earth.eci_to_ecef(r_eci, t, v_eci)
    return t, r_ecef, v_ecef, lat, lon, alt


def staging_times_s(ts: TrajectorySet, i: int) -> list[float]:
    """Times (s) of the stage separations of row i that happen before burnout, then burnout itself:
    the instants where the acceleration jumps (thrust changes), i.e. the ephemeris segment boundaries."""
    t_bo = float(ts.events_t_s[i, 0])
    out = []
    if np.isfinite(t_bo):
        cum = np.cumsum([s.burn_time_s.value for s in ts.entry(i).stages])
        out = [float(c) for c in cum[:-1] if c < t_bo - 1e-6]
        out.append(t_bo)
    return out


def _hermite(t, r, v, tq):
    """Cubic Hermite interpolation of position and velocity (k,3) sampled at t (k,) to the time tq."""
    j = int(np.clip(np.searchsorted(t, tq) - 1, 0, t.size - 2))
    h = t[j + 1] - t[j]
    s = (tq - t[j]) / h
    h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
    rq = h00 * r[j] + h10 * h * v[j] + h01 * r[j + 1] + h11 * h * v[j + 1]
    d00, d10, d01, d11 = 6 * s**2 - 6 * s, 3 * s**2 - 4 * s + 1, -6 * s**2 + 6 * s, 3 * s**2 - 2 * s
    vq = (d00 * r[j] + d01 * r[j + 1]) / h + d10 * v[j] + d11 * v[j + 1]
    return rq, vq


def _with_boundaries(ts: TrajectorySet, i: int):
    """ECI samples of row i with a state at every staging time inserted (burnout: the solver's own event
    state; earlier separations: cubic Hermite between the neighbouring samples)."""
    s = ts.samples[i]
    s = s[np.isfinite(s[:, 0])]
    t, r, v = s[:, 0], s[:, 1:4], s[:, 4:7]
    bounds = staging_times_s(ts, i)
    t_bo = float(ts.events_t_s[i, 0])
    for tb in bounds:
        if np.any(np.abs(t - tb) < 1e-6) or not (t[0] < tb < t[-1]):
            continue
        if tb == t_bo:
            rq, vq = ts.events_state[i, 0, :3], ts.events_state[i, 0, 3:]
        else:
            rq, vq = _hermite(t, r, v, tb)
        k = int(np.searchsorted(t, tb))
        t, r, v = np.insert(t, k, tb), np.insert(r, k, rq, axis=0), np.insert(v, k, vq, axis=0)
    return t, r, v, bounds


# ------------------------------------------------------------------------------------------ JSON, CSV
def to_json(ts: TrajectorySet, with_samples: bool = True) -> str:
    """One object for a single trajectory, a list for several (ECI state vectors, see ``frame``)."""
    rows = [ts.summary(i, with_samples) for i in range(ts.n) if ts.ok[i]]
    return json.dumps(rows[0] if ts.n == 1 else rows, indent=2) + "\n"


def to_csv(ts: TrajectorySet, epoch: dt.datetime | None = None) -> str:
    """Samples of every trajectory, one row per sample: time since launch and UTC, geodetic position,
    Earth-fixed (ECEF, WGS84) position and velocity."""
    ep = _epoch(epoch)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["trajectory", "missile", "t_s", "time_utc", "lat_deg", "lon_deg", "alt_m", "x_ecef_m", "y_ecef_m",
                "z_ecef_m", "vx_ecef_mps", "vy_ecef_mps", "vz_ecef_mps"])
    for i in range(ts.n):
        if not ts.ok[i]:
            continue
        t, r, v, lat, lon, alt = ecef_states(ts, i)
        for k in range(t.size):
            w.writerow([i, ts.missile[i], f"{t[k]:.3f}", iso(ep, t[k]), f"{lat[k]:.6f}", f"{lon[k]:.6f}",
                        f"{alt[k]:.1f}", *(f"{x:.2f}" for x in r[k]), *(f"{x:.4f}" for x in v[k])])
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- KML
@kml_ids_in_order
def to_kml(ts: TrajectorySet, name: str = "bmdsim trajectories", epoch: dt.datetime | None = None) -> str:
    """Trajectories as ``gx:Track`` (one ``when`` per ``gx:coord``, absolute altitude in metres) that
    Google Earth animates with its time slider, plus time-stamped launch and impact pins."""
    import simplekml

    ep = _epoch(epoch)
    kml = simplekml.Kml(name=name)
    track_color = palette.kml_color(palette.LAYER_COLORS["track"])
    for i in range(ts.n):
        if not ts.ok[i]:
            continue
        t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
        label = f"{ts.missile[i]} #{i}"
        trk = kml.newgxtrack(name=label, altitudemode=simplekml.AltitudeMode.absolute)
        trk.newwhen([iso(ep, x) for x in t])
        trk.newgxcoord([(round(float(a), 6), round(float(b), 6), round(float(c), 1)) for a, b, c in
                        zip(lon, lat, alt, strict=True)])
        trk.style.linestyle.color = track_color
        trk.style.linestyle.width = 3
        trk.style.iconstyle.color = track_color
        trk.description = (f"{ts.shape.describe()} trajectory, flight time {t[-1]:.0f} s; times are epoch "
                           f"{iso(ep, 0.0)} + seconds since launch")
        for pname, k, col in (("launch", 0, palette.LAYER_COLORS["launch"]),
                              ("impact", -1, palette.LAYER_COLORS["aim"])):
            pt = kml.newpoint(name=f"{label} {pname}", coords=[(round(float(lon[k]), 6), round(float(lat[k]), 6))])
            pt.timestamp.when = iso(ep, t[k])
            pt.style.iconstyle.color = palette.kml_color(col)
    return kml.kml()


# ------------------------------------------------------------------------------------------ GeoJSON
def split_antimeridian(lat_deg, lon_deg) -> list[list[list[float]]]:
    """Split a polyline at +-180 deg longitude (RFC 7946 section 3.1.9): a list of parts, each a list
    of ``[lon, lat]`` with lon in [-180, 180]; each crossing ends one part at one side of the date
    line and starts the next at the other, at the latitude interpolated linearly in longitude."""
    lat = np.asarray(lat_deg, float)
    lon = ((np.asarray(lon_deg, float) + 180.0) % 360.0) - 180.0
    parts: list[list[list[float]]] = [[[float(lon[0]), float(lat[0])]]]
    for k in range(1, lat.size):
        d = lon[k] - lon[k - 1]
        if abs(d) > 180.0:  # the shorter way round crosses the date line
            east = d < 0  # going east across +180 (lon jumps from ~+180 to ~-180)
            lon_b = lon[k] + 360.0 if east else lon[k] - 360.0
            edge = 180.0 if east else -180.0
            f = (edge - lon[k - 1]) / (lon_b - lon[k - 1])
            lat_x = float(lat[k - 1] + f * (lat[k] - lat[k - 1]))
            parts[-1].append([edge, lat_x])
            parts.append([[-edge, lat_x]])
        parts[-1].append([float(lon[k]), float(lat[k])])
    return [[[round(x, 6), round(y, 6)] for x, y in p] for p in parts if len(p) >= 2]


def to_geojson(ts: TrajectorySet) -> str:
    """Ground tracks as (Multi)LineString features split at the date line, and launch / impact points,
    with simplestyle-spec properties (``stroke``, ``stroke-width``, ``marker-color``)."""
    feats = []
    for i in range(ts.n):
        if not ts.ok[i]:
            continue
        t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
        parts = split_antimeridian(lat, lon)
        geom = ({"type": "LineString", "coordinates": parts[0]} if len(parts) == 1 else
                {"type": "MultiLineString", "coordinates": parts})
        label = f"{ts.missile[i]} #{i}"
        feats.append({"type": "Feature", "properties": {
            "name": label, "kind": "ground track", "missile": str(ts.missile[i]),
            "flight_time_s": round(float(t[-1]), 3),
            "apogee_km": round(float(np.max(alt)) / 1e3, 3), "stroke": palette.LAYER_COLORS["track"],
            "stroke-width": 2, "stroke-opacity": 1.0}, "geometry": geom})
        for pname, k, col in (("launch", 0, palette.LAYER_COLORS["launch"]),
                              ("impact", -1, palette.LAYER_COLORS["aim"])):
            feats.append({"type": "Feature", "properties": {"name": f"{label} {pname}", "kind": pname,
                                                            "marker-color": col, "marker-symbol": "circle"},
                          "geometry": {"type": "Point", "coordinates": [round(float(((lon[k] + 180) % 360) - 180), 6),
                                                                        round(float(lat[k]), 6)]}})
    return json.dumps({"type": "FeatureCollection", "features": feats}, allow_nan=False) + "\n"


# --------------------------------------------------------------------------------------------- CZML
def to_czml(ts: TrajectorySet, epoch: dt.datetime | None = None, name: str = "bmdsim trajectories") -> str:
    """A CZML document (JSON list, document packet first) with one moving object per trajectory and its
    launch and impact points; positions time-tagged cartographicDegrees (Earth-fixed)."""
    from bmdsim.io.czml import FixedPoint, MovingObject, czml_document

    ep = _epoch(epoch)
    objs, pts = [], []
    for i in range(ts.n):
        if not ts.ok[i]:
            continue
        t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
        label = f"{ts.missile[i]} #{i}"
        objs.append(MovingObject(f"trajectory-{i}", label, t, lat, lon, alt,
                                 description=f"{ts.shape.describe()} trajectory, flight time {t[-1]:.0f} s"))
        pts.append(FixedPoint(f"trajectory-{i}-launch", f"{label} launch", float(lat[0]), float(lon[0]),
                              palette.LAYER_COLORS["launch"]))
        pts.append(FixedPoint(f"trajectory-{i}-impact", f"{label} impact", float(lat[-1]), float(lon[-1]),
                              palette.LAYER_COLORS["aim"]))
    if not objs:
        raise BmdsimError("no solved trajectory to write")
    return json.dumps(czml_document(name, ep, objs, pts), indent=1) + "\n"


# ----------------------------------------------------------------------------------- STK ephemeris
def to_stk_e(ts: TrajectorySet, epoch: dt.datetime | None = None, i: int | None = None) -> str:
    """An STK ephemeris file (``.e``, text) of one trajectory: ``CoordinateSystem Fixed`` (Earth-fixed,
    WGS84), ``EphemerisTimePosVel`` rows ``t x y z vx vy vz`` (s from ``ScenarioEpoch``, m, m/s) and
    ``SegmentBoundaryTimes`` at staging (the boundary state appears at the end of one segment and the
    start of the next, so STK does not interpolate across the thrust change).

    Format: Ansys/AGI, "Ephemeris File Format (*.e)", STK help (importfiles-02).
    """
    ok = np.flatnonzero(ts.ok)
    if i is None:
        if ok.size != 1:
            raise BmdsimError(f"an STK ephemeris holds one trajectory; this set has {ok.size} solved ones")
        i = int(ok[0])
    if not ts.ok[i]:
        raise BmdsimError(f"trajectory {i} was not solved")
    ep = _epoch(epoch)
    t, r_eci, v_eci, bounds = _with_boundaries(ts, i)
    r, v = earth.eci_to_ecef(r_eci, t, v_eci)
    bset = [b for b in bounds if t[0] < b < t[-1]]
    rows = []
    for k in range(t.size):
        line = " ".join([f"{t[k]:.6f}"] + [f"{x:.4f}" for x in r[k]] + [f"{x:.6f}" for x in v[k]])
        rows.append(line)
        if any(abs(t[k] - b) < 1e-9 for b in bset):
            rows.append(line)  # boundary point repeated: end of one segment, start of the next
    head = [
        "stk.v.11.0",
        f"# bmdsim trajectory: {ts.missile[i]}, {ts.shape.describe()}; Earth-fixed WGS84 (ECEF) states",
        "BEGIN Ephemeris",
        f"NumberOfEphemerisPoints {len(rows)}",
        f"ScenarioEpoch {stk_epoch(ep)}",
        "InterpolationMethod Lagrange",
        "InterpolationOrder 5",
        "CentralBody Earth",
        "CoordinateSystem Fixed",
        "DistanceUnit Meters",
    ]
    if bset:
        head += ["BEGIN SegmentBoundaryTimes"] + [f"    {b:.6f}" for b in bset] + ["END SegmentBoundaryTimes"]
    head.append("EphemerisTimePosVel")
    return "\n".join(head + rows + ["END Ephemeris"]) + "\n"


# -------------------------------------------------------------------------------------------- figure
def plot(ts: TrajectorySet, path, *, i: int = 0, dpi: int | None = None, projection: str = "auto",
         launch_label: str = "launch", aim_label: str = "aimpoint"):
    """Figure of row i: ground track on a map and altitude against time with burnout, apogee, re-entry
    and impact marked. Format from the suffix of ``path`` (png, svg, pdf)."""
    from bmdsim.io import figures

    if not ts.ok[i]:
        raise BmdsimError(f"trajectory {i} was not solved")
    t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
    events = {}
    for k, nm in enumerate(EVENT_NAMES):
        la, lo, h = ts.event_geodetic(k)
        events[nm] = (float(ts.events_t_s[i, k]), float(la[i]), float(lo[i]), float(h[i]))
    title = (f"{ts.missile[i]}: {ts.shape.describe()} trajectory, {float(ts.range_km()[i]):,.0f} km, "
             f"flight time {t[-1] / 60:.1f} min")
    return figures.plot_trajectory(path, t, lat, lon, alt, events=events,
                                   launch=(float(ts.launch_lat_deg[i]), float(ts.launch_lon_deg[i]), launch_label),
                                   aim=(float(ts.aim_lat_deg[i]), float(ts.aim_lon_deg[i]), aim_label), title=title,
                                   projection=projection, dpi=dpi or figures.DEFAULT_DPI)
