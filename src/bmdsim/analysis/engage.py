"""Engagement table: every threat x every site of an architecture — when seen, when the site may
fire, where and when it can intercept, how many shoot-look-shoot opportunities, and why not.

Timeline per threat x site (DESIGN.md items 6-8):

1. each radar detects the threat at the first sample it sees it (elevation, range vs RCS — booster
   RCS during boost, RV RCS after — and field of regard, the union of its faces); space IR warns
   once the booster climbs above h_IR where the constellation covers it, plus its processing delay;
2. a radar's fire-control track exists ``track_formation_s`` after detection, shortened by the
   architecture's ``cue_track_factor`` when a linked sensor (radar or IR) saw the threat first;
3. the site may use its own fire-control radars, and — with ``engage_on_remote`` — linked
   fire-control-quality radars; early-warning radars and IR only cue;
4. earliest launch = first usable track + decision time; then :func:`bmdsim.core.engagement.engage_site`.
   The sensor whose track is the first usable one is kept (``track_sensor``): the one the earliest launch
   comes from.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field

import numpy as np

from bmdsim.core import earth, visibility
from bmdsim.core.engagement import R_NO_FC_TRACK, R_NOT_DETECTED, REASONS, engage_site
from bmdsim.core.flyout import build_flyout_table
from bmdsim.model.architecture import ResolvedArchitecture
from bmdsim.model.trajectories import TrajectorySet


@dataclass
class ThreatGeometry:
    """Samples of n threats in the frames the engagement needs; all (n, k[, 3])."""

    t_s: np.ndarray
    r_eci: np.ndarray
    v_eci: np.ndarray
    r_ecef: np.ndarray
    alt_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    rcs_m2: np.ndarray
    t_burnout_s: np.ndarray  # (n,)


def threat_geometry(ts: TrajectorySet) -> ThreatGeometry:
    s = ts.samples
    t = s[:, :, 0]
    r_eci, v_eci = s[:, :, 1:4], s[:, :, 4:7]
    tt = np.nan_to_num(t)
    r_ecef = earth.eci_to_ecef(r_eci, tt)
    lat, lon, alt = earth.ecef_to_geodetic(r_ecef)
    t_bo = ts.events_t_s[:, 0]
    booster, rv = _rcs_per_threat(ts)
    with np.errstate(invalid="ignore"):
        rcs = np.where(t <= t_bo[:, None], booster[:, None], rv[:, None])
    return ThreatGeometry(t, r_eci, v_eci, r_ecef, alt, np.degrees(lat), np.degrees(lon), rcs, t_bo)


def _rcs_per_threat(ts: TrajectorySet):
    """Booster and RV radar cross-sections (m^2), each (n,), from the catalog entries the threats flew."""
    names, inv = np.unique(np.asarray(ts.missile, dtype=object).astype(str), return_inverse=True)
    booster = np.array([ts.missile_entries[m].booster_rcs_m2.value for m in names], dtype=float)
    rv = np.array([ts.missile_entries[m].rv.rcs_m2.value for m in names], dtype=float)
    inv = inv.reshape(-1)
    return booster[inv], rv[inv]


@dataclass
class EngagementTable:
    """Results for n threats x m sites; arrays (n, m) unless noted. Times in s since threat launch."""

    threats: TrajectorySet
    architecture: ResolvedArchitecture
    engageable: np.ndarray
    reason: np.ndarray
    shots: np.ndarray
    first_detection_s: np.ndarray
    track_s: np.ndarray
    launch_earliest_s: np.ndarray
    first: dict  # name -> (n, m): t_s, lat, lon, alt_km, flyout_s, launch_s, closing_speed_kms, crossing_deg
    last: dict
    sensor_detection_s: dict = field(default_factory=dict)  # sensor -> (n,)
    # (n, m) the least burnout speed (km/s, 0.05 grid) at which each site engages each threat, when
    # searched (bmdsim.analysis.deterrent.least_vbo_per_site; ``engage --solve-vbo``); NaN: none found
    least_vbo_kms: np.ndarray | None = None
    # (n, m) the sensor whose fire-control track gave the earliest launch ('' where no usable track)
    track_sensor: np.ndarray | None = None

    @property
    def site_names(self) -> list[str]:
        return [s.name for s in self.architecture.sites]

    def track_sensor_name(self, i: int, j: int) -> str | None:
        """The sensor whose track gave site j's earliest launch at threat i (None: no usable track)."""
        if self.track_sensor is None:
            return None
        return str(self.track_sensor[i, j]) or None

    def reason_text(self, i: int, j: int) -> str:
        return REASONS[int(self.reason[i, j])] if not self.engageable[i, j] else ""

    def records(self) -> list[dict]:
        out = []
        for i in range(self.engageable.shape[0]):
            for j, site in enumerate(self.architecture.sites):
                rec = {
                    "threat_id": i, "missile": str(self.threats.missile[i]), "site": site.name,
                    "site_lat": round(site.lat_deg, 5), "site_lon": round(site.lon_deg, 5),
                    "interceptor": site.interceptor, "vbo_kms": round(site.kin.vbo_m_s / 1e3, 4),
                    "tb_s": site.kin.tb_s, "engageable": bool(self.engageable[i, j]),
                    "reason": self.reason_text(i, j) or None,
                    "first_detection_s": _r(self.first_detection_s[i, j], 2),
                    "track_s": _r(self.track_s[i, j], 2),
                    "track_sensor": self.track_sensor_name(i, j),
                    "launch_earliest_s": _r(self.launch_earliest_s[i, j], 2),
                    "first_intercept": self._point(self.first, i, j),
                    "last_intercept": self._point(self.last, i, j),
                    "shots": int(self.shots[i, j]),
                }
                if self.least_vbo_kms is not None:
                    rec["least_vbo_kms"] = _r(self.least_vbo_kms[i, j], 2)
                out.append(rec)
        return out

    @staticmethod
    def _point(d, i, j):
        if not np.isfinite(d["t_s"][i, j]):
            return None
        return {k: _r(v[i, j], 4 if k in ("alt_km", "closing_speed_kms") else 5 if k in ("lat", "lon") else 2)
                for k, v in d.items()}

    def to_json(self) -> str:
        threats = [dict(self.threats.summary(i, with_samples=False), threat_id=i) for i in range(self.threats.n)]
        return json.dumps({"architecture": self.architecture.name, "threats": threats,
                           "engagements": self.records()}, indent=2) + "\n"

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        cols = ["threat_id", "missile", "site", "site_lat", "site_lon", "interceptor", "vbo_kms", "tb_s", "engageable",
                "reason", "first_detection_s", "track_s", "track_sensor", "launch_earliest_s"]
        pts = ["t_s", "lat", "lon", "alt_km", "flyout_s", "launch_s", "closing_speed_kms", "crossing_deg"]
        extra = ["least_vbo_kms"] if self.least_vbo_kms is not None else []
        w.writerow(cols + [f"first_{p}" for p in pts] + [f"last_{p}" for p in pts] + ["shots"] + extra)
        for rec in self.records():
            row = [rec[c] for c in cols]
            for key in ("first_intercept", "last_intercept"):
                p = rec[key] or {}
                row += [p.get(k) for k in pts]
            w.writerow(["" if v is None else v for v in row + [rec["shots"]] + [rec[k] for k in extra]])
        return buf.getvalue()


def _r(x, nd):
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _nanmin(*arrays, n):
    if not arrays:
        return np.full(n, np.nan)
    stack = np.stack(arrays)
    with np.errstate(invalid="ignore"):
        out = np.where(np.isfinite(stack), stack, np.inf).min(axis=0)
    return np.where(np.isfinite(out), out, np.nan)


def _nanargmin_names(arrays, names, n):
    """Per element, the name of the array holding the least finite value ('' if none); the first on ties."""
    if not arrays:
        return np.full(n, "", dtype=object)
    stack = np.stack(arrays)
    with np.errstate(invalid="ignore"):
        filled = np.where(np.isfinite(stack), stack, np.inf)
    k = filled.argmin(axis=0)
    out = np.asarray(names, dtype=object)[k]
    out[~np.isfinite(filled.min(axis=0))] = ""
    return out


def run_engagements(arch: ResolvedArchitecture, threats: TrajectorySet) -> EngagementTable:
    """Engagement table of every threat against every site. Threats need samples (``step_s``)."""
    if threats.samples.shape[1] == 0:
        raise ValueError("threat trajectories need samples (solve them with step_s)")
    # threat geometry, once for all sensors and sites: ECEF positions and geodetic heights
    smp = threats.samples
    t_s = np.ascontiguousarray(smp[:, :, 0])
    r_eci = smp[:, :, 1:4]
    v_eci = smp[:, :, 4:7]
    r_ecef, alt_m, caps = visibility._threat_frames(t_s, r_eci)  # caps: a cone holding each threat's samples
    t_bo = np.ascontiguousarray(threats.events_t_s[:, 0], dtype=float)
    rcs_booster, rcs_rv = _rcs_per_threat(threats)
    n, m = threats.n, len(arch.sites)
    # sensor timelines: a radar sees the booster's RCS up to burnout (included), the RV's after
    det: dict[str, np.ndarray] = {}
    for radar in arch.radars:
        det[radar.name] = visibility._radar_first_detection_s(radar, t_s, r_ecef, alt_m, rcs_booster, rcs_rv, t_bo,
                                                               caps)
    warn: dict[str, np.ndarray] = {}
    for ir in arch.ir:
        covered = None if ir.global_coverage else visibility.latitude_band_mask(r_ecef, ir.lat_south_rad,
                                                                                   ir.lat_north_rad)
        warn[ir.name] = visibility.ir_first_detection_s(t_s, alt_m, t_bo, ir.h_ir_m, ir.processing_delay_s,
                                                        covered=covered)
    shape = (n, m)
    out = {k: np.full(shape, np.nan) for k in ("first_detection_s", "track_s", "launch_earliest_s")}
    engageable = np.zeros(shape, dtype=bool)
    reason = np.zeros(shape, dtype=np.int64)
    shots = np.zeros(shape, dtype=np.int64)
    track_sensor = np.full(shape, "", dtype=object)
    keys = ("t_s", "lat", "lon", "alt_km", "flyout_s", "launch_s", "closing_speed_kms", "crossing_deg")
    first = {k: np.full(shape, np.nan) for k in keys}
    last = {k: np.full(shape, np.nan) for k in keys}
    for j, site in enumerate(arch.sites):
        own_det = [det[r.name] for r in site.own_radars]
        linked_det = [det[r.name] for r in site.linked_radars]
        ir_warn = [warn[i.name] for i in site.linked_ir]
        cue = _nanmin(*linked_det, *ir_warn, n=n)
        tracks, track_names = [], []
        for r in site.own_radars:
            d = det[r.name]
            with np.errstate(invalid="ignore"):
                factor = np.where(cue <= d, arch.cue_track_factor, 1.0)
            if r.fire_control_quality:
                tracks.append(d + r.track_formation_s * factor)
                track_names.append(r.name)
        if arch.engage_on_remote:
            remote = [r for r in site.linked_radars if r.fire_control_quality]
            tracks += [det[r.name] + r.track_formation_s for r in remote]
            track_names += [r.name for r in remote]
        track = _nanmin(*tracks, n=n)
        track_sensor[:, j] = _nanargmin_names(tracks, track_names, n)
        first_det = _nanmin(*own_det, *linked_det, *ir_warn, n=n)
        tle = track + arch.decision_time_s
        res = engage_site(t_s, r_eci, v_eci, alt_m, site.site_ecef, tle, build_flyout_table(site.kin), site.kin,
                          site.kill_assessment_s, arch.max_shots, r_ecef=r_ecef, caps=caps)
        rsn = res.reason.copy()
        rsn[~np.isfinite(first_det)] = R_NOT_DETECTED
        rsn[np.isfinite(first_det) & ~np.isfinite(track)] = R_NO_FC_TRACK
        engageable[:, j] = res.engageable
        reason[:, j] = np.where(res.engageable, 0, rsn)
        shots[:, j] = res.shots
        out["first_detection_s"][:, j] = first_det
        out["track_s"][:, j] = track
        out["launch_earliest_s"][:, j] = tle
        for d, idx, tt, fl, la, cl, cr in (
            (first, res.first_idx, res.first_t_s, res.first_flyout_s, res.first_launch_s, res.first_closing_m_s,
             res.first_crossing_rad),
            (last, res.last_idx, res.last_t_s, res.last_flyout_s, res.last_launch_s, res.last_closing_m_s,
             res.last_crossing_rad),
        ):
            rows = np.nonzero(idx >= 0)[0]
            if rows.size:
                lat, lon, _ = earth.ecef_to_geodetic(r_ecef[rows, idx[rows]])
                d["lat"][rows, j] = np.degrees(lat)
                d["lon"][rows, j] = np.degrees(lon)
                d["alt_km"][rows, j] = alt_m[rows, idx[rows]] / 1e3
            d["t_s"][:, j] = tt
            d["flyout_s"][:, j] = fl
            d["launch_s"][:, j] = la
            d["closing_speed_kms"][:, j] = cl / 1e3
            d["crossing_deg"][:, j] = np.degrees(cr)
    return EngagementTable(threats=threats, architecture=arch, engageable=engageable, reason=reason, shots=shots,
                           first=first, last=last, sensor_detection_s={**det, **warn}, track_sensor=track_sensor,
                           **out)
