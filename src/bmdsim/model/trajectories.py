"""Trajectories of catalog missiles: input checking, mixed-missile batches, summaries.

Degrees and km at this edge; the numeric core (:mod:`bmdsim.core.trajectory`) works in SI. Missile
names resolve in a catalog context (``catalog=``, a :class:`bmdsim.model.catalogs.Catalog`; None: the
built-ins); a :class:`TrajectorySet` keeps the entries it flew (``missile_entries``), so that what
comes after (engagements, exports, maps) needs no catalog.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bmdsim.core import earth, flight, geodesy
from bmdsim.core import trajectory as core
from bmdsim.errors import BmdsimError, GeometryError, OutOfReachError
from bmdsim.model.catalogs import Catalog, resolve_catalog
from bmdsim.model.missiles import Missile
from bmdsim.model.places import check_lat_lon

MIN_RANGE_KM = 1.0


@dataclass(frozen=True)
class Shape:
    """Trajectory shape: ``standard``, ``min_energy`` or one of apogee (m), flight_time (s), gamma (rad).

    ``standard`` (what :meth:`from_options` gives when no option is set, and what a missing shape
    means everywhere) is each missile's own standard shape from the catalog
    (:class:`bmdsim.model.missiles.StandardShape`): minimum-energy for all but the depressed
    Iskander. :meth:`resolve` turns it into the shape a given missile flies.
    """

    kind: str = "min_energy"
    value: float = 0.0

    @classmethod
    def standard(cls) -> Shape:
        return cls("standard")

    @classmethod
    def from_options(cls, apogee_km=None, flight_time_s=None, gamma_deg=None) -> Shape:
        given = {k: v for k, v in (("apogee_km", apogee_km), ("flight_time_s", flight_time_s),
                                   ("gamma_deg", gamma_deg)) if v is not None}
        if len(given) > 1:
            raise BmdsimError(f"contradictory trajectory shape: give at most one of {', '.join(given)} "
                              "(none means each missile's standard shape)")
        if not given:
            return cls.standard()
        (key, val), = given.items()
        if not math.isfinite(val):
            raise BmdsimError(f"{key} must be a finite number, got {val}")
        if key == "apogee_km":
            if not 10.0 <= val <= 5000.0:
                raise BmdsimError(f"apogee_km {val} out of range; valid 10..5000 km")
            return cls("apogee", val * 1e3)
        if key == "flight_time_s":
            if not 30.0 <= val <= 10000.0:
                raise BmdsimError(f"flight_time_s {val} out of range; valid 30..10000 s")
            return cls("flight_time", float(val))
        if not 1.0 <= val <= 85.0:
            raise BmdsimError(f"gamma_deg {val} out of range; valid 1..85 degrees")
        return cls("gamma", math.radians(val))

    def resolve(self, missile: str | Missile, catalog: Catalog | None = None) -> Shape:
        """The shape ``missile`` (a name in ``catalog``, or an entry) flies: its standard shape if this is
        ``standard``, else this."""
        if self.kind != "standard":
            return self
        m = missile if isinstance(missile, Missile) else resolve_catalog(catalog).missile(missile)
        kind, value = m.standard_shape.core_shape()
        return Shape(kind, value)

    def trajectory_phrase(self) -> str:
        """'a minimum-energy trajectory', 'a trajectory with a 50 km apogee', ... (for messages)."""
        if self.kind == "min_energy":
            return "a minimum-energy trajectory"
        if self.kind == "apogee":
            return f"a trajectory with a {self.value / 1e3:g} km apogee"
        if self.kind == "flight_time":
            return f"a trajectory with a flight time of {self.value:g} s"
        if self.kind == "gamma":
            return f"a trajectory with a burnout flight-path angle of {math.degrees(self.value):g} deg"
        return "its standard trajectory"

    def describe(self) -> str:
        if self.kind == "standard":
            return "standard (each missile's own: minimum-energy unless its catalog entry says otherwise)"
        if self.kind == "min_energy":
            return "minimum-energy"
        if self.kind == "apogee":
            return f"apogee {self.value / 1e3:g} km"
        if self.kind == "flight_time":
            return f"flight time {self.value:g} s"
        return f"burnout flight-path angle {math.degrees(self.value):g} deg"


@dataclass
class TrajectorySet:
    """n solved trajectories, possibly of several missile types; batch axis first."""

    missile: np.ndarray  # (n,) names
    shape: Shape  # the shape every row flies, or ``standard`` when the missiles' standard shapes differ
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    aim_lat_deg: np.ndarray
    aim_lon_deg: np.ndarray
    impact_lat_deg: np.ndarray
    impact_lon_deg: np.ndarray
    miss_m: np.ndarray
    status: np.ndarray
    events_t_s: np.ndarray  # (n, 4) burnout, apogee, re-entry, impact
    events_state: np.ndarray  # (n, 4, 6) ECI
    samples: np.ndarray  # (n, m, 7) t, r_eci, v_eci, NaN-padded
    controls: np.ndarray  # (n, 3) kick rad, t_cut s, azimuth rad
    reach_m: np.ndarray = None  # (n,) reach toward the aimpoint where the solver needed it, else NaN
    min_range_m: np.ndarray = None  # (n,) shortest range of the shape toward the aimpoint where needed, else NaN
    shapes: dict = field(default_factory=dict)  # missile name -> the Shape it flies here
    missile_entries: dict = field(default_factory=dict)  # missile name -> its catalog entry (Missile)

    def entry(self, i: int) -> Missile:
        """The catalog entry of the missile of row i."""
        return self.missile_entries[str(self.missile[i])]

    def shape_of(self, i: int) -> Shape:
        """The shape row i was flown on."""
        return self.shapes.get(str(self.missile[i]), self.shape)

    @property
    def n(self) -> int:
        return self.status.size

    @property
    def ok(self) -> np.ndarray:
        return self.status == core.STATUS_OK

    def range_km(self) -> np.ndarray:
        d, _, _ = geodesy.inverse(self.launch_lat_deg, self.launch_lon_deg,
                                  np.nan_to_num(self.impact_lat_deg), np.nan_to_num(self.impact_lon_deg))
        return np.where(self.ok, d / 1e3, np.nan)

    def event_geodetic(self, which: int):
        """(lat_deg, lon_deg, alt_m), each (n,), of an event (flight.EV_*)."""
        r = self.events_state[:, which, :3]
        t = np.nan_to_num(self.events_t_s[:, which])
        lat, lon, alt = earth.ecef_to_geodetic(earth.eci_to_ecef(r, t))
        return np.degrees(lat), np.degrees(lon), alt

    def samples_geodetic(self, i: int):
        """Samples of row i: t_s (k,), lat_deg, lon_deg, alt_m, r_eci (k,3), v_eci (k,3)."""
        s = self.samples[i]
        s = s[np.isfinite(s[:, 0])]
        t = s[:, 0]
        lat, lon, alt = earth.ecef_to_geodetic(earth.eci_to_ecef(s[:, 1:4], t))
        return t, np.degrees(lat), np.degrees(lon), alt, s[:, 1:4], s[:, 4:7]

    def summary(self, i: int, with_samples: bool = True) -> dict:
        """JSON-ready dict of row i (degrees, km, km/s at this edge; ECI vectors in SI)."""
        ev_t = self.events_t_s[i]
        rb, vb = self.events_state[i, flight.EV_BURNOUT_T, :3], self.events_state[i, flight.EV_BURNOUT_T, 3:]
        gam = math.degrees(math.asin(float(rb @ vb) / (np.linalg.norm(rb) * np.linalg.norm(vb))))
        b_lat, b_lon, b_alt = self.event_geodetic(flight.EV_BURNOUT_T)
        _, _, a_alt = self.event_geodetic(flight.EV_APOGEE_T)
        r_lat, r_lon, _ = self.event_geodetic(flight.EV_REENTRY_T)
        has_reentry = bool(np.isfinite(ev_t[flight.EV_REENTRY_T]))
        out = {
            "missile": str(self.missile[i]),
            "shape": self.shape_of(i).describe(),
            "launch": {"lat": _r(self.launch_lat_deg[i], 5), "lon": _r(self.launch_lon_deg[i], 5)},
            "aim": {"lat": _r(self.aim_lat_deg[i], 5), "lon": _r(self.aim_lon_deg[i], 5)},
            "impact": {"lat": _r(self.impact_lat_deg[i], 5), "lon": _r(self.impact_lon_deg[i], 5),
                       "miss_km": _r(self.miss_m[i] / 1e3, 4)},
            "range_km": _r(self.range_km()[i], 2),
            "flight_time_s": _r(ev_t[flight.EV_IMPACT_T], 3),
            "burnout": {"t_s": _r(ev_t[flight.EV_BURNOUT_T], 2), "lat": _r(b_lat[i], 5), "lon": _r(b_lon[i], 5),
                        "alt_km": _r(b_alt[i] / 1e3, 3), "speed_kms": _r(np.linalg.norm(vb) / 1e3, 5),
                        "gamma_deg": _r(gam, 4), "r_eci_m": [_r(x, 2) for x in rb],
                        "v_eci_mps": [_r(x, 4) for x in vb]},
            "apogee": {"t_s": _r(ev_t[flight.EV_APOGEE_T], 2), "alt_km": _r(a_alt[i] / 1e3, 3)},
            "reentry": {"t_s": _r(ev_t[flight.EV_REENTRY_T], 2) if has_reentry else None,
                        "lat": _r(r_lat[i], 5) if has_reentry else None,
                        "lon": _r(r_lon[i], 5) if has_reentry else None},
            "frame": "ECI axes coincide with ECEF (WGS84) at launch, t = 0; ECI velocities are inertial",
        }
        if with_samples and self.samples.shape[1]:
            t, lat, lon, alt, r, v = self.samples_geodetic(i)
            out["samples"] = [
                {"t_s": _r(t[k], 3), "lat": _r(lat[k], 5), "lon": _r(lon[k], 5), "alt_km": _r(alt[k] / 1e3, 4),
                 "r_eci_m": [_r(x, 2) for x in r[k]], "v_eci_mps": [_r(x, 4) for x in v[k]]}
                for k in range(t.size)
            ]
        return out


def _r(x, nd):
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def solve_trajectories(missiles: str | Sequence[str], launch_lat_deg, launch_lon_deg, aim_lat_deg,
                       aim_lon_deg, shape: Shape | None = None, step_s: float | None = None, *,
                       catalog: Catalog | None = None) -> TrajectorySet:
    """Solve n launch -> aim trajectories; ``missiles`` is one name or n names (mixed types allowed),
    looked up in ``catalog`` (None: the built-ins).

    ``shape`` None (or ``Shape.standard()``): each missile's standard shape. Rows that cannot be
    solved carry a status code (see :data:`bmdsim.core.trajectory.STATUS_TEXT`).
    """
    cat = resolve_catalog(catalog)
    shape = shape or Shape.standard()
    if step_s is not None and not (math.isfinite(step_s) and step_s > 0):
        raise BmdsimError(f"step_s must be > 0 seconds, got {step_s}")
    lat1, lon1, lat2, lon2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in
                              np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg))
    n = lat1.size
    names = np.array([missiles] * n if isinstance(missiles, str) else list(missiles), dtype=object)
    if names.size != n:
        raise BmdsimError(f"{names.size} missile names for {n} launch/aim pairs")
    for a, b, what in ((lat1, lon1, "launch"), (lat2, lon2, "aimpoint")):
        bad = ~((np.abs(a) <= 90) & (np.abs(b) <= 180))
        if bad.any():
            k = int(np.argmax(bad))
            check_lat_lon(float(a[k]), float(b[k]), what)
    entries = {nm: cat.missile(nm) for nm in set(names)}
    names = np.array([entries[nm].name for nm in names], dtype=object)
    entries = {m.name: m for m in entries.values()}
    groups = {nm: np.nonzero(names == nm)[0] for nm in sorted(set(names))}
    shapes = {nm: shape.resolve(entries[nm]) for nm in groups}
    common = set(shapes.values())
    batch_shape = common.pop() if len(common) == 1 else Shape.standard()
    parts = {}
    for nm, idx in groups.items():
        spec = entries[nm].rocket_spec()
        try:
            parts[nm] = core.solve(spec, lat1[idx], lon1[idx], lat2[idx], lon2[idx], shape=shapes[nm].kind,
                                   shape_value=shapes[nm].value, step_s=step_s)
        except BmdsimError:
            raise
        except ValueError as err:  # the core's checks of the entry's numbers (boost program, rise, stages)
            raise BmdsimError(f"missile {nm} cannot be flown: {err}") from None
    m = max((p.samples.shape[1] for p in parts.values()), default=0)
    if len(parts) == 1:  # one missile type: take the solver's arrays as they are (no copy)
        (nm, p), = parts.items()
        return TrajectorySet(
            missile=names, shape=batch_shape, launch_lat_deg=lat1, launch_lon_deg=lon1, aim_lat_deg=lat2,
            aim_lon_deg=lon2, impact_lat_deg=p.impact_lat_deg, impact_lon_deg=p.impact_lon_deg, miss_m=p.miss_m,
            status=p.status, events_t_s=p.events_t_s, events_state=p.events_state, samples=p.samples,
            controls=p.controls, reach_m=p.reach_m, min_range_m=p.min_range_m, shapes=shapes, missile_entries=entries)
    out = TrajectorySet(
        missile=names, shape=batch_shape, launch_lat_deg=lat1, launch_lon_deg=lon1, aim_lat_deg=lat2,
        aim_lon_deg=lon2, impact_lat_deg=np.full(n, np.nan), impact_lon_deg=np.full(n, np.nan),
        miss_m=np.full(n, np.nan), status=np.zeros(n, dtype=np.int64), events_t_s=np.full((n, 4), np.nan),
        events_state=np.full((n, 4, 6), np.nan), samples=np.empty((n, m, 7)), controls=np.full((n, 3), np.nan),
        reach_m=np.full(n, np.nan), min_range_m=np.full(n, np.nan), shapes=shapes, missile_entries=entries,
    )
    for nm, idx in groups.items():
        p = parts[nm]
        for name in ("impact_lat_deg", "impact_lon_deg", "miss_m", "status", "events_t_s", "events_state",
                      "controls", "reach_m", "min_range_m"):
            getattr(out, name)[idx] = getattr(p, name)
        k = p.samples.shape[1]
        out.samples[idx, :k] = p.samples
        out.samples[idx, k:] = np.nan
    return out


def reach_km(missiles: str | Sequence[str], launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg,
             shape: Shape | None = None, *, catalog: Catalog | None = None) -> np.ndarray:
    """Reach (km) of each missile from its launch point toward its aimpoint on the rotating WGS84 Earth.

    The geodesic distance to the impact point of the full-burn trajectory of the shape (each
    missile's standard shape if ``shape`` is None) in the aimpoint's direction
    (:func:`bmdsim.core.trajectory.reach_toward_m`): the solver solves aimpoints nearer than this and
    reports farther ones out of reach. Inputs broadcast to (n,); NaN where the shape cannot be flown
    at full burn in that direction. Names resolve in ``catalog`` (None: the built-ins).
    """
    cat = resolve_catalog(catalog)
    shape = shape or Shape.standard()
    lat1, lon1, lat2, lon2 = (np.atleast_1d(np.asarray(v, dtype=float)).ravel() for v in
                              np.broadcast_arrays(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg))
    n = lat1.size
    names = np.array([missiles] * n if isinstance(missiles, str) else list(missiles), dtype=object)
    if names.size != n:
        raise BmdsimError(f"{names.size} missile names for {n} launch/aim pairs")
    entries = {nm: cat.missile(nm) for nm in set(names)}
    names = np.array([entries[nm].name for nm in names], dtype=object)
    entries = {m.name: m for m in entries.values()}
    out = np.full(n, np.nan)
    for nm in sorted(set(names)):
        idx = np.nonzero(names == nm)[0]
        sh = shape.resolve(entries[nm])
        out[idx] = core.reach_toward_m(entries[nm].rocket_spec(), lat1[idx], lon1[idx], lat2[idx], lon2[idx],
                                       shape=sh.kind, shape_value=sh.value) / 1e3
    return out


def in_reach(missiles: str | Sequence[str], launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg,
             shape: Shape | None = None, min_km: float = MIN_RANGE_KM, *, catalog: Catalog | None = None
             ) -> np.ndarray:
    """(n,) bool: the aimpoint lies between ``min_km`` and the missile's :func:`reach_km` toward it.

    Consistent with the solver: a pair in reach solves, a pair out of reach is reported out of reach
    (tested on random pairs, tests/test_calibration.py).
    """
    d, _, _ = geodesy.inverse(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    d_km = np.atleast_1d(d).ravel() / 1e3
    r_km = reach_km(missiles, launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, shape, catalog=catalog)
    return (d_km > min_km) & (d_km <= r_km)


def solve_one(missile: str, launch: tuple[float, float], aim: tuple[float, float], shape: Shape | None = None,
              step_s: float | None = 10.0, *, catalog: Catalog | None = None) -> TrajectorySet:
    """One trajectory of ``missile`` (a name in ``catalog``; None: the built-ins); raises a one-line
    :class:`BmdsimError` if it cannot be flown."""
    shape = shape or Shape.standard()
    m = resolve_catalog(catalog).missile(missile)
    spec_name = m.name
    check_lat_lon(*launch, "launch")
    check_lat_lon(*aim, "aimpoint")
    d, _, _ = geodesy.inverse(launch[0], launch[1], aim[0], aim[1])
    d_km = float(d) / 1e3
    if d_km < MIN_RANGE_KM:
        raise GeometryError(f"launch point and aimpoint coincide ({d_km:.3f} km apart); they must be "
                            f"at least {MIN_RANGE_KM:g} km apart")
    ts = solve_trajectories(spec_name, launch[0], launch[1], aim[0], aim[1], shape, step_s, catalog=catalog)
    st = int(ts.status[0])
    flown = ts.shape_of(0)
    if st == core.STATUS_OUT_OF_REACH:
        reach = float(ts.reach_m[0]) / 1e3
        fit_kind, _ = m.standard_shape.fit_shape()
        nominal = f"nominal range {m.nominal_range_km.value:,.0f} km on a non-rotating Earth"
        if fit_kind != flown.kind:
            nominal += f", {m.standard_shape.describe_fit()}"
        if math.isfinite(reach):
            there = f"about {reach:,.0f} km on the rotating Earth in this direction; {nominal}"
        else:
            there = f"no full-burn trajectory of this shape lands in this direction; {nominal}"
        raise OutOfReachError(
            f"aimpoint is {d_km:,.0f} km from the launch point, beyond the reach of {spec_name} toward it on "
            f"{flown.trajectory_phrase()} ({there})", reach)
    if st == core.STATUS_TOO_CLOSE:
        shortest = float(ts.min_range_m[0]) / 1e3
        raise GeometryError(
            f"aimpoint is {d_km:,.0f} km from the launch point, closer than {spec_name} can fly on "
            f"{flown.trajectory_phrase()} (its shortest such trajectory in this direction, with thrust cut "
            f"right after the pitch-over, reaches about {shortest:,.0f} km); choose a farther aimpoint or "
            f"another shape")
    if st != core.STATUS_OK:
        raise GeometryError(f"{spec_name} cannot fly {flown.describe()} from {launch} to {aim}: "
                            f"{core.STATUS_TEXT.get(st, 'unknown failure')}")
    return ts
