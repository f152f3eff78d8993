"""Render trajectories as JSON, CSV and KML (text; writing is done by :mod:`bmdsim.io.files`)."""

from __future__ import annotations

import csv
import io
import json

import simplekml

from bmdsim.model.trajectories import TrajectorySet


def to_json(ts: TrajectorySet, with_samples: bool = True) -> str:
    """One object for a single trajectory, a list for several."""
    rows = [ts.summary(i, with_samples) for i in range(ts.n) if ts.ok[i]]
    return json.dumps(rows[0] if ts.n == 1 else rows, indent=2) + "\n"


def to_csv(ts: TrajectorySet) -> str:
    """Samples of every trajectory, one row per sample."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["trajectory", "missile", "t_s", "lat_deg", "lon_deg", "alt_km", "x_eci_m", "y_eci_m", "z_eci_m",
                "vx_eci_mps", "vy_eci_mps", "vz_eci_mps"])
    for i in range(ts.n):
        if not ts.ok[i]:
            continue
        t, lat, lon, alt, r, v = ts.samples_geodetic(i)
        for k in range(t.size):
            w.writerow([i, ts.missile[i], f"{t[k]:.3f}", f"{lat[k]:.6f}", f"{lon[k]:.6f}", f"{alt[k] / 1e3:.4f}",
                        *(f"{x:.2f}" for x in r[k]), *(f"{x:.4f}" for x in v[k])])
    return buf.getvalue()


def to_kml(ts: TrajectorySet, name: str = "bmdsim trajectories") -> str:
    """Trajectories as 3-D lines (absolute altitude) with launch and impact pins."""
    kml = simplekml.Kml(name=name)
    for i in range(ts.n):
        if not ts.ok[i]:
            continue
        t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
        label = f"{ts.missile[i]} #{i}"
        ls = kml.newlinestring(name=label, coords=list(zip(lon, lat, alt, strict=True)))
        ls.altitudemode = simplekml.AltitudeMode.absolute
        ls.extrude = 0
        ls.style.linestyle.width = 2
        ls.style.linestyle.color = simplekml.Color.red
        ls.description = f"{ts.shape.describe()} trajectory, flight time {t[-1]:.0f} s"
        kml.newpoint(name=f"{label} launch", coords=[(lon[0], lat[0])])
        kml.newpoint(name=f"{label} impact", coords=[(lon[-1], lat[-1])])
    return kml.kml()
