"""Threat assessment from an observed flight test: what a lofted test says about a missile's range.

Governments publish the apogee, ground range and flight time of a test (and sometimes the launch and
splash points). :func:`assess` fits a template missile to them with a staged boost, gravity and drag
(:mod:`bmdsim.core.assess`: a performance factor on the Isp, the loft, and a burn-time factor held
by a prior), and answers, each with a 90 % interval from the observation errors:

* the burnout speed of the observed flight (relative to the Earth's surface) and of the standard one;
* the standard range: minimum-energy, full burn, non-rotating spherical Earth (R = 6,371 km), the
  calibration convention of the catalog (:mod:`bmdsim.core.calibration`), with the payload of the
  test (``standard_payload_kg`` None, "the missile as tested") or a given warhead;
* the reach from a launch point toward given places on the rotating WGS84 Earth
  (:func:`bmdsim.core.trajectory.reach_toward_m`) and the flight time to each place in reach; their
  intervals come from the two missiles with the fitted boost time whose standard ranges end the
  standard range's interval.

Beside the interval: the same standard range with the other generic templates and at the ends of the
test's payload range (sensitivity, not part of the interval), and the naive same-burnout-speed Kepler
conversion (:func:`bmdsim.core.assess.kepler_same_speed_range_m`) that ignores the boost.

The observed flight is flown on the rotating WGS84 Earth (J2, co-rotating atmosphere) from the launch
point toward the splash point when the launch point is given, else on the non-rotating sphere (the
ground range of a 45-minute lofted flight then misses the Earth's rotation: up to ~100 km).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2 as chi2_dist

from bmdsim.core import assess as core
from bmdsim.core import calibration as cal
from bmdsim.core import earth, flight, geodesy
from bmdsim.core import trajectory as traj
from bmdsim.core.boost import RocketSpec
from bmdsim.errors import BmdsimError
from bmdsim.model.missiles import Missile, ReentryVehicle, StandardShape
from bmdsim.model.params import Param
from bmdsim.model.sizing import (
    Measured,
    get_template,
    load_templates,
    missile_class,
    missile_yaml,
    record_comment,
)

DEFAULT_BURN_PRIOR_SIGMA = 0.15  # burn factor's prior sigma when the template's burn times give no low/high
P_VALUE_WARN = 0.01  # below this the template is flagged as not fitting the observations
PROFILE_STEP_S = 20.0


@dataclass(frozen=True)
class PointObs:
    """A published point (degrees) and its 1-sigma position uncertainty (m)."""

    lat_deg: float
    lon_deg: float
    sigma_m: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class Target:
    """A place whose reach is asked for (degrees)."""

    lat_deg: float
    lon_deg: float
    label: str


@dataclass(frozen=True)
class ObservedTest:
    """What was published about a test (SI; every Measured value with its 1-sigma uncertainty).

    ``range_m`` may be None when ``launch`` and ``splash`` are given (their distance is the range);
    ``azimuth_deg`` (clockwise from north) directs a flight given a launch point but no splash point.
    """

    apogee_m: Measured
    flight_time_s: Measured
    range_m: Measured | None = None
    launch: PointObs | None = None
    splash: PointObs | None = None
    azimuth_deg: float | None = None


@dataclass(frozen=True)
class Number:
    """A derived number (SI) and its 90 % interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class ReachRow:
    place: str
    lat_deg: float
    lon_deg: float
    distance_m: float
    reach: Number  # NaN where unbounded (a missile that reaches orbit: everywhere in reach)
    flight_time: Number
    orbital: tuple[bool, bool, bool] = (False, False, False)  # the fitted, low-end and high-end missiles

    def _in(self, reach_m: float, orbital: bool) -> bool | None:
        if orbital:
            return True
        return bool(self.distance_m <= reach_m) if math.isfinite(reach_m) else None

    @property
    def reachable(self) -> bool:
        return bool(self._in(self.reach.value, self.orbital[0]))

    @property
    def reachable_90(self) -> str:
        """'yes' if in reach of the interval's low-end missile too, 'no' if beyond the high-end one's reach,
        else 'uncertain'."""
        lo, hi = self._in(self.reach.low, self.orbital[1]), self._in(self.reach.high, self.orbital[2])
        if lo:
            return "yes"
        if hi is False:
            return "no"
        return "uncertain"


@dataclass
class Assessment:
    """The result of :func:`assess` (SI inside; :meth:`to_dict` converts to km, km/s, min at the edge)."""

    template: str
    template_missile: Missile
    observation: ObservedTest
    range_obs: Measured
    setup: core.FlightSetup
    planet_name: str
    payload_kg: tuple[float, float]
    payload_fit_kg: float
    standard_payload_kg: float
    launch_mass_kg: float
    burn_prior: tuple[float, float]
    base_spec: RocketSpec  # the template (scaled to the launch mass) before the fitted factors
    fit: core.Fit
    p_value: float
    numbers: dict  # name -> Number (SI)
    performance: Number
    burn: Number
    reach_from: Target | None
    reach: list[ReachRow] = field(default_factory=list)
    kepler_speed_m_s: float = math.nan
    kepler_range_m: float = math.nan
    template_sensitivity: list = field(default_factory=list)  # dicts
    payload_sensitivity: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    orbital: bool = False  # the fitted missile reaches orbit: no standard trajectory, global range

    # ------------------------------------------------------------------ specs
    def spec_observed(self, theta=None) -> RocketSpec:
        th = self.fit.theta if theta is None else theta
        return core.scaled_spec(self.base_spec, th[0], th[2], self.payload_fit_kg)

    def spec_standard(self, theta=None) -> RocketSpec:
        th = self.fit.theta if theta is None else theta
        return core.scaled_spec(self.base_spec, th[0], th[2], self.standard_payload_kg)

    # ------------------------------------------------------------------ outputs
    def to_dict(self) -> dict:
        """JSON-ready summary (km, km/s, min, deg at this edge)."""
        n = self.numbers
        th = self.fit.theta
        obs = self.observation

        def triple(key, num, scale, nd):
            return {key: _r(num.value / scale, nd), f"{key}_low": _r(num.low / scale, nd),
                    f"{key}_high": _r(num.high / scale, nd)}

        out = {"template": self.template,
               "model": (f"template fitted to the observed flight (staged boost, gravity, drag) on {self.planet_name}; "
                         "standard range: minimum-energy, full burn, non-rotating spherical Earth (R 6,371 km)"),
               "interval": "90 % (observation errors propagated through the linearised fit; q evaluated at the "
                           "extreme points of the 90 % ellipsoid along its gradient)"}
        out.update(triple("standard_range_km", n["standard_range"], 1e3, 1))
        out.update(triple("burnout_speed_kms", n["burnout_speed"], 1e3, 4))
        out.update(triple("standard_burnout_speed_kms", n["standard_burnout_speed"], 1e3, 4))
        out.update(triple("standard_apogee_km", n["standard_apogee"], 1e3, 1))
        out.update(triple("standard_flight_time_min", n["standard_flight_time"], 60.0, 2))
        out.update(triple("burnout_alt_km", n["burnout_alt"], 1e3, 1))
        out["kepler_same_speed"] = {
            "burnout_speed_kms": _r(self.kepler_speed_m_s / 1e3, 4),
            "standard_range_km": _r(self.kepler_range_m / 1e3, 1),
            "note": "naive conversion for comparison: the drag-free conic from the surface with the observed apogee "
                    "and range, at the same speed on a minimum-energy conic (no boost, no gravity loss)"}
        out["reach_from"] = None if self.reach_from is None else {
            "place": self.reach_from.label, "lat": _r(self.reach_from.lat_deg, 5),
            "lon": _r(self.reach_from.lon_deg, 5)}
        out["reach"] = [{
            "place": r.place, "lat": _r(r.lat_deg, 5), "lon": _r(r.lon_deg, 5),
            "distance_km": _r(r.distance_m / 1e3, 1),
            "reach_km": _r(r.reach.value / 1e3, 1), "reach_km_low": _r(r.reach.low / 1e3, 1),
            "reach_km_high": _r(r.reach.high / 1e3, 1), "reachable": r.reachable, "reachable_90": r.reachable_90,
            "flight_time_s": _r(r.flight_time.value, 1), "flight_time_s_low": _r(r.flight_time.low, 1),
            "flight_time_s_high": _r(r.flight_time.high, 1)} for r in self.reach]
        res = self.fit.normalised_residuals
        pred = self.fit.predicted
        out["fit"] = {
            "performance_scale": _r(th[0], 5), "performance_scale_low": _r(self.performance.low, 5),
            "performance_scale_high": _r(self.performance.high, 5),
            "loft_deg": _r(math.degrees(th[1]), 4),
            "burn_factor": _r(th[2], 4), "burn_factor_low": _r(self.burn.low, 4),
            "burn_factor_high": _r(self.burn.high, 4),
            "boost_time_s": _r(self.spec_observed().boost_time_s, 1),
            "burn_prior": {"factor": _r(self.burn_prior[0], 4), "sigma": _r(self.burn_prior[1], 4)},
            "launch_azimuth_deg": _r(self.setup.azimuth_deg, 3) if self.observation.launch is not None else None,
            "chi2": _r(self.fit.chi2, 3), "dof": self.fit.dof, "p_value": _r(self.p_value, 4),
            "at_bound": list(self.fit.at_bound),
            "residuals": {
                "apogee_km": {"model": _r(pred[0] / 1e3, 2), "sigmas": _r(res[0], 3)},
                "range_km": {"model": _r(pred[1] / 1e3, 2), "sigmas": _r(res[1], 3)},
                "flight_time_min": {"model": _r(pred[2] / 60.0, 3), "sigmas": _r(res[2], 3)},
                "burn_prior": {"sigmas": _r(res[3], 3) if res.size > 3 else None},
            },
        }
        out["observation"] = {
            "apogee_km": [_r(obs.apogee_m.value / 1e3, 3), _r(obs.apogee_m.sigma / 1e3, 3)],
            "range_km": [_r(self.range_obs.value / 1e3, 3), _r(self.range_obs.sigma / 1e3, 3)],
            "flight_time_min": [_r(obs.flight_time_s.value / 60.0, 4), _r(obs.flight_time_s.sigma / 60.0, 4)],
            "launch": None if obs.launch is None else {"lat": obs.launch.lat_deg, "lon": obs.launch.lon_deg,
                                                       "sigma_km": obs.launch.sigma_m / 1e3},
            "splash": None if obs.splash is None else {"lat": obs.splash.lat_deg, "lon": obs.splash.lon_deg,
                                                       "sigma_km": obs.splash.sigma_m / 1e3},
            "uncertainties": "1 sigma",
        }
        out["payload"] = {"test_kg": [self.payload_kg[0], self.payload_kg[1]], "fit_kg": self.payload_fit_kg,
                          "standard_kg": self.standard_payload_kg,
                          "launch_mass_kg": _r(self.launch_mass_kg, 0)}
        out["sensitivity"] = {"template": self.template_sensitivity, "payload": self.payload_sensitivity,
                              "note": "not part of the 90 % interval: the same fit with another template, and at the "
                                      "ends of the test's payload range"}
        out["warnings"] = list(self.warnings)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1) + "\n"

    def to_text(self) -> str:
        """A short human-readable report."""
        d = self.to_dict()
        f = d["fit"]

        def rng(key, unit, fmt):
            v, lo, hi = d[key], d[f"{key}_low"], d[f"{key}_high"]
            if v is None:
                return "n/a"
            span = f" (90 %: {format(lo, fmt) if lo is not None else '?'}-{format(hi, fmt) if hi is not None else '?'})"
            return f"{format(v, fmt)} {unit}{span}"

        o = d["observation"]
        lines = [
            f"Assessment with template {self.template} on {self.planet_name}",
            f"  observed: apogee {o['apogee_km'][0]:,.0f} km, range {o['range_km'][0]:,.0f} km, flight time "
            f"{o['flight_time_min'][0]:.1f} min",
            f"  fit: performance x{f['performance_scale']:.3f}, loft {f['loft_deg']:.2f} deg, boost "
            f"{f['boost_time_s']:.0f} s (burn x{f['burn_factor']:.3f}); chi2 {f['chi2']:.2f} for {f['dof']} dof "
            f"(p = {_fmt(f['p_value'], '.3f')})",
            f"  burnout speed of the test: {rng('burnout_speed_kms', 'km/s', '.2f')}",
            f"  standard trajectory: burnout {rng('standard_burnout_speed_kms', 'km/s', '.2f')}, "
            f"apogee {rng('standard_apogee_km', 'km', ',.0f')}",
            f"  STANDARD RANGE (minimum-energy, non-rotating Earth, payload {self.standard_payload_kg:,.0f} kg): "
            f"{rng('standard_range_km', 'km', ',.0f')}",
            f"  same-burnout-speed Kepler conversion (no boost): {d['kepler_same_speed']['standard_range_km']:,.0f} km",
        ]
        if self.reach:
            lines.append(f"  reach from {self.reach_from.label} on the rotating Earth:")
            for r in d["reach"]:
                t = f", {r['flight_time_s'] / 60:.1f} min" if r["flight_time_s"] is not None else ""
                lines.append(f"    {r['place']:<16s} {r['distance_km']:>8,.0f} km; reach "
                             f"{_fmt(r['reach_km'], ',.0f')} km"
                             f" (90 %: {_fmt(r['reach_km_low'], ',.0f')}-{_fmt(r['reach_km_high'], ',.0f')}) -> "
                             f"{'in reach' if r['reachable'] else 'out of reach'} ({r['reachable_90']} at 90 %){t}")
        if self.template_sensitivity or self.payload_sensitivity:
            lines.append("  sensitivity (not in the interval):")
            for s in self.template_sensitivity:
                lines.append(f"    template {s['template']:<16s} standard range "
                             f"{_fmt(s['standard_range_km'], ',.0f')} km (chi2 {_fmt(s['chi2'], '.2f')})")
            for s in self.payload_sensitivity:
                lines.append(f"    test payload {s['payload_kg']:>7,.0f} kg    standard range "
                             f"{_fmt(s['standard_range_km'], ',.0f')} km")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ figure
    def plot(self, path, *, dpi: int | None = None, projection: str = "auto"):
        with np.errstate(invalid="ignore", divide="ignore"):
            return self._plot(path, dpi, projection)

    def _plot(self, path, dpi, projection):
        """Map: the observed and the standard trajectory's ground tracks, the standard range rings (central
        and 90 % ends, non-rotating convention) around the reach launch point, the reach on the rotating Earth
        in every direction, launch, splash and places. Format from the suffix (png, svg, pdf)."""
        from bmdsim.io import figures, palette

        origin = self.reach_from or (Target(self.observation.launch.lat_deg, self.observation.launch.lon_deg, "launch")
                                     if self.observation.launch is not None else None)
        if origin is None:
            raise BmdsimError("--figure needs a point on the map: give --launch (and --splash) or --reach-from")
        markers, tracks, rings = [], [], []
        pts_lat, pts_lon = [], []
        if self.observation.launch is not None:
            lo = self.observation.launch
            markers.append(figures.Marker(lo.lat_deg, lo.lon_deg, lo.label or "test launch", "launch"))
            t, r = core.sample_flight(self.spec_observed(), self.fit.theta[1], self.setup, PROFILE_STEP_S)
            if t.size:
                la, lon, _ = earth.ecef_to_geodetic(r)
                tracks.append(figures.Track(np.degrees(la), np.degrees(lon), "observed test (fitted), ground track",
                                            palette.LAYER_COLORS["track"]))
        if self.observation.splash is not None:
            sp = self.observation.splash
            markers.append(figures.Marker(sp.lat_deg, sp.lon_deg, sp.label or "splash", "impact"))
        if self.reach_from is not None and (self.observation.launch is None or
                                            (self.reach_from.lat_deg, self.reach_from.lon_deg) !=
                                            (self.observation.launch.lat_deg, self.observation.launch.lon_deg)):
            markers.append(figures.Marker(self.reach_from.lat_deg, self.reach_from.lon_deg, self.reach_from.label,
                                          "launch"))
        for p in self.reach:
            markers.append(figures.Marker(p.lat_deg, p.lon_deg, p.place, "aim"))
        spec = self.spec_standard()
        n = self.numbers["standard_range"]
        for val, what in ((n.value, "standard range"), (n.low, "90 % low"), (n.high, "90 % high")):
            if math.isfinite(val):
                rings.append(figures.Ring(origin.lat_deg, origin.lon_deg, val / 1e3, f"{what} {val / 1e3:,.0f} km"))
        # what the view must hold: the places and the great circles to them (with the rings across them), or,
        # without places, the whole ring (the world for an ICBM)
        r_max = max((v for v in (n.value, n.low, n.high) if math.isfinite(v)), default=n.value)
        if self.reach:
            for p in self.reach:
                gc = geodesy.line(origin.lat_deg, origin.lon_deg, p.lat_deg, p.lon_deg, 60)
                pts_lat += list(gc[:, 0])
                pts_lon += list(gc[:, 1])
                _, az_p, _ = geodesy.inverse(origin.lat_deg, origin.lon_deg, p.lat_deg, p.lon_deg)
                az_s = float(az_p) + np.arange(-20.0, 20.01, 5.0)
                la, lo_ = geodesy.direct(np.full(az_s.size, origin.lat_deg), np.full(az_s.size, origin.lon_deg),
                                         az_s, np.full(az_s.size, r_max))
                pts_lat += list(la)
                pts_lon += list(lo_)
        elif r_max < 5000e3:
            la, lo_ = geodesy.direct(np.full(36, origin.lat_deg), np.full(36, origin.lon_deg),
                                     np.arange(0.0, 360.0, 10.0), np.full(36, r_max))
            pts_lat += list(la)
            pts_lon += list(lo_)
        # reach on the rotating Earth in every direction (closed curve through the reach impact points)
        az = np.arange(0.0, 360.0, 15.0)
        rch = traj.reach(spec, np.full(az.size, origin.lat_deg), np.full(az.size, origin.lon_deg), az)
        ok = np.isfinite(rch.range_m)
        if ok.sum() >= 3:
            la, lo_ = geodesy.direct(np.full(int(ok.sum()), origin.lat_deg), np.full(int(ok.sum()), origin.lon_deg),
                                     az[ok], rch.range_m[ok])
            tracks.append(figures.Track(np.append(la, la[0]), np.append(lo_, lo_[0]),
                                        "reach on the rotating Earth (full-burn minimum-energy)",
                                        palette.OKABE_ITO["bluish_green"]))
        # the standard trajectory toward the first place (or along the test's azimuth)
        if self.reach:
            az0 = float(traj.plane_azimuth_deg(origin.lat_deg, origin.lon_deg, self.reach[0].lat_deg,
                                               self.reach[0].lon_deg)[0])
        else:
            az0 = self.setup.azimuth_deg if self.observation.launch is not None else 90.0
        one = traj.reach(spec, np.array([origin.lat_deg]), np.array([origin.lon_deg]), np.array([az0]))
        if np.isfinite(one.range_m[0]):
            su = core.FlightSetup(planet=flight.PLANET_WGS84, launch_lat_deg=origin.lat_deg,
                                  launch_lon_deg=origin.lon_deg, azimuth_deg=math.degrees(one.controls[0, 2]))
            t, r = core.sample_flight(spec, one.controls[0, 0], su, PROFILE_STEP_S, t_cut_s=one.controls[0, 1])
            if t.size:
                la, lon, _ = earth.ecef_to_geodetic(r)
                tracks.append(figures.Track(np.degrees(la), np.degrees(lon),
                                            "standard (minimum-energy, full-burn) trajectory, ground track",
                                            palette.OKABE_ITO["blue"]))
        for m in markers:
            pts_lat.append(m.lat_deg)
            pts_lon.append(m.lon_deg)
        if not self.reach and r_max >= 5000e3:
            view = (origin.lon_deg - 180.0, origin.lon_deg + 180.0, -90.0, 90.0)
        else:
            view = figures.view_box([origin.lat_deg, *pts_lat], [origin.lon_deg, *pts_lon], margin_deg=3.0)
            lats = [origin.lat_deg, *pts_lat]
            polar = (max(lats) > 75.0 and min(lats) > -10.0) or (min(lats) < -75.0 and max(lats) < 10.0)
            if projection == "auto" and polar:
                # tracks over a pole (North Korea -> United States): polar stereographic around that pole
                north = max(lats) > 75.0
                lons = np.radians([origin.lon_deg, *(p.lon_deg for p in self.reach)])
                lon_c = math.degrees(math.atan2(np.sin(lons).sum(), np.cos(lons).sum()))  # faces the places
                view = (lon_c - 180.0, lon_c + 180.0, max(min(lats) - 3.0, -90.0), 90.0) if north else \
                    (lon_c - 180.0, lon_c + 180.0, -90.0, min(max(lats) + 3.0, 90.0))
                projection = "polar"
        title = (f"Assessment ({self.template}): standard range {n.value / 1e3:,.0f} km "
                 f"(90 %: {n.low / 1e3:,.0f}-{n.high / 1e3:,.0f} km), non-rotating Earth")
        notes = [f"fit: performance x{self.fit.theta[0]:.3f}, loft {math.degrees(self.fit.theta[1]):.1f} deg, "
                 f"boost {self.spec_observed().boost_time_s:.0f} s; chi2 {self.fit.chi2:.2f} ({self.fit.dof} dof)",
                 f"payload {self.standard_payload_kg:,.0f} kg"]
        return figures.plot_map(path, markers=markers, rings=rings, tracks=tracks, title=title, view=view,
                                projection=projection, dpi=dpi or figures.DEFAULT_DPI, notes=notes)

    # ------------------------------------------------------------------ catalog entry
    def to_missile(self, name: str) -> Missile:
        """The fitted missile as a catalog entry (every number notional, the fit in its notes and tuning)."""
        if not name or not name.strip():
            raise BmdsimError("--save-missile needs a name")
        if self.orbital:
            raise BmdsimError("the fitted missile reaches orbit: it has no nominal (standard) range to write as a "
                              "catalog entry; assess with a heavier --standard-payload-kg")
        tpl = self.template_missile
        th = self.fit.theta
        f_mass = self.mass_factor
        f_d = f_mass ** (1.0 / 3.0)
        src = f"template {self.template}"

        def re(p: Param, factor: float = 1.0, note: str = "", digits: int = 6) -> Param:
            def sc(x):
                return None if x is None else float(f"{x * factor:.{digits}g}")
            v = sc(p.value)
            lo, hi = sc(p.low), sc(p.high)
            old = p.note or p.source or ""
            return Param(value=v, notional=True, note=f"{src}{note}: {old}" if old else f"{src}{note}",
                         low=None if lo is None else min(lo, v), high=None if hi is None else max(hi, v))

        mass_note = f", stage masses x {f_mass:.4f} (launch mass {self.launch_mass_kg:,.0f} kg)" if f_mass != 1 else ""
        burn_note = f", burn time x {th[2]:.4f} (fitted)"
        stages = [s.model_copy(update={
            "propellant_mass_kg": re(s.propellant_mass_kg, f_mass, mass_note),
            "dry_mass_kg": re(s.dry_mass_kg, f_mass, mass_note),
            "burn_time_s": re(s.burn_time_s, th[2], burn_note),
            "isp_s": re(s.isp_s),
            "diameter_m": re(s.diameter_m, f_d, f", diameter x {f_d:.4f}" if f_mass != 1 else ""),
        }) for s in tpl.stages]
        n = self.numbers["standard_range"]
        k0 = tpl.isp_scale.value
        perf = self.performance
        rng = Param(value=round(n.value / 1e3, 1), notional=True,
                    note=(f"standard range assessed by bmdsim assess from a test (apogee "
                          f"{self.observation.apogee_m.value / 1e3:,.0f} km, range "
                          f"{self.range_obs.value / 1e3:,.0f} km, "
                          f"{self.observation.flight_time_s.value / 60:.1f} min), template {self.template}; "
                          f"low/high: 90 % interval"),
                    low=_floor1(n.low / 1e3) if math.isfinite(n.low) else None,
                    high=_ceil1(n.high / 1e3) if math.isfinite(n.high) else None)
        pay = self.standard_payload_kg
        rv_mass = min(tpl.rv.mass_kg.value, pay)
        rv = ReentryVehicle(mass_kg=Param(value=rv_mass, notional=True, note=f"{src}: RV mass, at most the payload",
                                          low=rv_mass * 0.8, high=rv_mass * 1.2),
                            ballistic_coefficient_kg_m2=re(tpl.rv.ballistic_coefficient_kg_m2),
                            rcs_m2=re(tpl.rv.rcs_m2))
        iso = Param(value=round(k0 * th[0], 4), notional=True,
                    note=(f"template {self.template}'s isp_scale {k0:g} x the fitted performance factor {th[0]:.4f} "
                          f"(bmdsim assess; low/high: its 90 % interval)"),
                    low=round(k0 * min(perf.low, th[0]), 4) if math.isfinite(perf.low) else None,
                    high=round(k0 * max(perf.high, th[0]), 4) if math.isfinite(perf.high) else None)
        data = tpl.model_dump(by_alias=True)
        data.update({
            "name": name.strip(), "full_name": f"{name.strip()} (assessed from a test flight by bmdsim assess)",
            "country": "unknown", "class": missile_class(n.value / 1e3), "aliases": [],
            "nominal_range_km": rng, "stages": stages,
            "payload_mass_kg": Param(value=pay, notional=True,
                                     note="payload of the assessment (the test's, or the warhead given)",
                                     low=min(self.payload_kg[0], pay), high=max(self.payload_kg[1], pay)),
            "rv": rv, "booster_rcs_m2": re(tpl.booster_rcs_m2), "drag_cd": re(tpl.drag_cd),
            "vertical_rise_s": re(tpl.vertical_rise_s), "pitchover_s": re(tpl.pitchover_s),
            "isp_scale": iso, "standard_shape": StandardShape(),
            "tuning": self._tuning_line(),
        })
        try:
            return Missile.model_validate(data)
        except ValueError as err:
            raise BmdsimError(f"the fitted missile is not a valid catalog entry: {' '.join(str(err).split())}"
                              ) from None

    @property
    def mass_factor(self) -> float:
        tpl = self.template_missile.rocket_spec()
        return (sum(self.base_spec.propellant_mass_kg) + sum(self.base_spec.dry_mass_kg)) / \
            (sum(tpl.propellant_mass_kg) + sum(tpl.dry_mass_kg))

    def _tuning_line(self) -> str:
        d = self.to_dict()
        f = d["fit"]
        r = f["residuals"]
        o = d["observation"]
        return (f"bmdsim assess: template {self.template} fitted to a test (apogee {o['apogee_km'][0]:,.0f} km, "
                f"range {o['range_km'][0]:,.0f} km, {o['flight_time_min'][0]:.2f} min) on "
                f"{self.planet_name}: performance x{f['performance_scale']:.4f}, loft {f['loft_deg']:.2f} deg, burn x"
                f"{f['burn_factor']:.4f}; residuals (sigmas) apogee {r['apogee_km']['sigmas']:+.2f}, range "
                f"{r['range_km']['sigmas']:+.2f}, time {r['flight_time_min']['sigmas']:+.2f}; chi2 {f['chi2']:.2f} "
                f"({f['dof']} dof); nominal range = standard range {d['standard_range_km']:,.1f} km at payload "
                f"{self.standard_payload_kg:,.0f} kg; other numbers from the template.")

    def to_missile_yaml(self, name: str) -> str:
        """``missiles: [entry]`` (validated by parsing it back), the fit record as a comment above it."""
        d = self.to_dict()
        record = {"tool": "bmdsim assess", "template": self.template, "observation": d["observation"],
                  "payload": d["payload"], "fit": {k: v for k, v in d["fit"].items() if k != "at_bound"},
                  "standard_range_km": [d["standard_range_km"], d["standard_range_km_low"],
                                        d["standard_range_km_high"]],
                  "method": "weighted least squares of (performance, loft, burn) to apogee, range and flight time; "
                            "90 % intervals from the linearised covariance (bmdsim.core.assess)"}
        return missile_yaml(self.to_missile(name), comment=record_comment(record))


def _fmt(x, spec: str) -> str:
    return "n/a" if x is None else format(x, spec)


def _r(x, nd):
    if x is None:
        return None
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _floor1(x):
    return math.floor(x * 10.0) / 10.0


def _ceil1(x):
    return math.ceil(x * 10.0) / 10.0


# --------------------------------------------------------------------------------------- helpers
def burn_prior_of(missile: Missile) -> tuple[float, float]:
    """(1, sigma) of the burn factor from the template's burn-time low/high, read as a 90 % range."""
    shares = []
    for s in missile.stages:
        p = s.burn_time_s
        if p.low is not None and p.high is not None and p.value > 0:
            shares.append(0.5 * (p.high - p.low) / p.value)
    if not shares:
        return 1.0, DEFAULT_BURN_PRIOR_SIGMA
    return 1.0, float(np.mean(shares)) / core.Z90


def scale_to_launch_mass(spec: RocketSpec, launch_mass_kg: float) -> RocketSpec:
    """The template with stage masses scaled by one factor so that stages + payload weigh ``launch_mass_kg``;
    diameters by the cube root of that factor (same shape, same density)."""
    stages = sum(spec.propellant_mass_kg) + sum(spec.dry_mass_kg)
    f = (launch_mass_kg - spec.payload_mass_kg) / stages
    if not f > 0:
        raise BmdsimError(f"--launch-mass-kg {launch_mass_kg:,.0f} must exceed the payload "
                          f"{spec.payload_mass_kg:,.0f} kg")
    return replace(spec, propellant_mass_kg=tuple(m * f for m in spec.propellant_mass_kg),
                   dry_mass_kg=tuple(m * f for m in spec.dry_mass_kg),
                   diameter_m=tuple(d * f ** (1.0 / 3.0) for d in spec.diameter_m))


def _check_measured(name: str, m: Measured, lo: float, hi: float, scale: float, unit: str) -> None:
    if not (math.isfinite(m.value) and lo <= m.value <= hi):
        raise BmdsimError(f"{name} {m.value / scale:g}: expected {lo / scale:g}..{hi / scale:g} {unit}")
    if not (math.isfinite(m.sigma) and m.sigma > 0):
        raise BmdsimError(f"{name}: the uncertainty must be > 0 {unit}, got {m.sigma / scale:g}")


def check_observation(obs: ObservedTest) -> None:
    """One-line errors for observations outside what a ballistic test can be."""
    _check_measured("--apogee-km", obs.apogee_m, 20e3, 10000e3, 1e3, "km")
    _check_measured("--flight-time-min", obs.flight_time_s, 60.0, 10800.0, 60.0, "min")
    if obs.range_m is not None:
        _check_measured("--range-km", obs.range_m, 10e3, 16000e3, 1e3, "km")
    if obs.range_m is None and (obs.launch is None or obs.splash is None):
        raise BmdsimError("give --range-km, or both --launch and --splash (their distance is the range)")
    if obs.splash is not None and obs.launch is None:
        raise BmdsimError("--splash needs --launch (the range and direction run from one to the other)")
    if obs.azimuth_deg is not None and not (math.isfinite(obs.azimuth_deg) and -360.0 <= obs.azimuth_deg <= 360.0):
        raise BmdsimError(f"--azimuth-deg {obs.azimuth_deg}: expected -360..360 degrees")
    for what, p in (("--launch", obs.launch), ("--splash", obs.splash)):
        if p is not None and not (math.isfinite(p.sigma_m) and p.sigma_m >= 0):
            raise BmdsimError(f"{what}: the position uncertainty must be >= 0 km")


# A ballistic missile's flight time over the drag-free conic with the observed apogee and range
# (core.kepler_flight_time_s): published tests fly 1.05-1.15 times it, depressed SRBMs up to about 1.5 times
# (the boost climbs slowly, the atmosphere slows them). Observations outside this band (each end widened by
# 3 sigma of the observed time) describe no ballistic flight.
FLIGHT_TIME_RATIO = (0.7, 2.0)


def _check_consistent(obs: ObservedTest, rng: Measured) -> None:
    """A one-line error if the observed apogee, range and flight time cannot belong to one ballistic flight."""
    t_kep = core.kepler_flight_time_s(obs.apogee_m.value, rng.value)
    t, sig = obs.flight_time_s.value, 3.0 * obs.flight_time_s.sigma
    lo, hi = FLIGHT_TIME_RATIO
    if t + sig < lo * t_kep or t - sig > hi * t_kep:
        raise BmdsimError(
            f"the observations are not one ballistic flight: an apogee of {obs.apogee_m.value / 1e3:,.0f} km and a "
            f"range of {rng.value / 1e3:,.0f} km take about {t_kep / 60:.1f} min drag-free (a powered flight "
            f"{lo:g}-{hi:g} times that), not {t / 60:.1f} min; check the units (km, min) and the numbers")


def _range_observation(obs: ObservedTest) -> Measured:
    if obs.launch is not None and obs.splash is not None:
        d, _, _ = geodesy.inverse(obs.launch.lat_deg, obs.launch.lon_deg, obs.splash.lat_deg, obs.splash.lon_deg)
        d = float(d)
        sig = math.hypot(obs.launch.sigma_m, obs.splash.sigma_m)
        if d < 10e3:
            raise BmdsimError(f"--launch and --splash are {d / 1e3:.1f} km apart; a test's points must be at least "
                              f"10 km apart")
        if obs.range_m is None:
            if sig <= 0:
                raise BmdsimError("with the range taken from --launch and --splash, give their uncertainty "
                                  "(e.g. --splash 40.9,138.3+-20)")
            return Measured(d, sig)
        comb = math.hypot(obs.range_m.sigma, sig)
        if abs(obs.range_m.value - d) > 3.0 * comb:
            raise BmdsimError(f"--range-km {obs.range_m.value / 1e3:,.0f} disagrees with the --launch/--splash points "
                              f"({d / 1e3:,.0f} km apart) by more than 3 sigma ({3 * comb / 1e3:,.0f} km)")
    return obs.range_m


# --------------------------------------------------------------------------------------- the assessment
def _one_fit(base: RocketSpec, obs: ObservedTest, rng: Measured, payload: float, burn_prior, setup):
    """Fit (and, with a splash point, correct the launch azimuth and refit). Returns (fit, setup)."""
    y = np.array([obs.apogee_m.value, rng.value, obs.flight_time_s.value])
    sig = np.array([obs.apogee_m.sigma, rng.sigma, obs.flight_time_s.sigma])
    try:
        f = core.fit(core.flight_model(base, setup, payload), y, sig, burn_prior=burn_prior)
        if obs.splash is not None:
            setup = core.aim_azimuth(base, setup, obs.splash.lat_deg, obs.splash.lon_deg, f.theta, payload)
            f = core.fit(core.flight_model(base, setup, payload), y, sig, burn_prior=burn_prior, x0=f.theta)
    except ValueError as err:
        raise BmdsimError(f"the template cannot fly the observed test: {err}") from None
    return f, setup


def _standard_numbers(assessment_base, payload_std):
    """q(theta) for the main numbers: [burnout speed, standard burnout speed, standard range, standard apogee,
    standard flight time, burnout altitude]."""
    base, setup, payload_fit = assessment_base

    def q(theta):
        out = np.full(6, np.nan)
        try:
            so = core.scaled_spec(base, theta[0], theta[2], payload_fit)
            ss = core.scaled_spec(base, theta[0], theta[2], payload_std)
        except ValueError:
            return out
        try:
            ob = core.fly_observed(so, theta[1], setup)
            st = cal.standard_trajectory(ss)
        except ValueError:
            return out
        out[:] = [ob.burnout_speed_m_s[0], st.burnout_speed_m_s, st.range_m, st.apogee_alt_m, st.flight_time_s,
                  ob.burnout_alt_m[0]]
        return out

    return q


def _reach_numbers(base, payload_std, origin: Target, places: Sequence[Target], dist_m):
    lat1 = np.full(len(places), origin.lat_deg)
    lon1 = np.full(len(places), origin.lon_deg)
    lat2 = np.array([p.lat_deg for p in places])
    lon2 = np.array([p.lon_deg for p in places])

    def q(theta):
        out = np.full(2 * len(places), np.nan)
        try:
            ss = core.scaled_spec(base, theta[0], theta[2], payload_std)
        except ValueError:
            return out
        try:
            r = traj.reach_toward_m(ss, lat1, lon1, lat2, lon2)
        except ValueError:  # a boost program that cannot fly (too weak a thrust at this burn factor)
            return out
        out[:len(places)] = r
        inside = np.nonzero(dist_m <= r)[0]
        if inside.size:
            b = traj.solve(ss, lat1[inside], lon1[inside], lat2[inside], lon2[inside])
            t = np.where(b.status == traj.STATUS_OK, b.events_t_s[:, flight.EV_IMPACT_T], np.nan)
            out[len(places) + inside] = t
        return out

    return q


def assess(obs: ObservedTest, template: str, *, payload_kg: tuple[float, float] | None = None,
           standard_payload_kg: float | None = None, boost_time: Measured | None = None,
           launch_mass_kg: float | None = None, reach_from: Target | None = None, places: Sequence[Target] = (),
           sensitivity: bool = True, catalog=None) -> Assessment:
    """Assess a missile from an observed test (see the module docstring). Raises BmdsimError (one line).

    ``payload_kg``: (low, high) of the payload the test flew (kg; default the template's); the fit uses the
    middle and the ends are shown as sensitivity. ``standard_payload_kg``: the payload of the standard range
    and the reach (default: the test's, "the missile as tested"). ``boost_time``: a known boost time (s, with
    1 sigma) instead of the template's. ``launch_mass_kg``: scale the template's stage masses to it.
    ``reach_from``: launch point of the reach (default the test's launch point); ``places``: where to.
    ``catalog``: a :class:`bmdsim.model.catalogs.Catalog` whose missiles may serve as templates (None: the
    built-ins).
    """
    check_observation(obs)
    with np.errstate(invalid="ignore", divide="ignore"):  # failed trial flights are NaN by design
        return _assess(obs, template, payload_kg, standard_payload_kg, boost_time, launch_mass_kg, reach_from, places,
                       sensitivity, catalog)


def _assess(obs, template, payload_kg, standard_payload_kg, boost_time, launch_mass_kg, reach_from, places,
            sensitivity, catalog=None) -> Assessment:
    tpl = get_template(template, catalog)
    base = tpl.rocket_spec()
    if launch_mass_kg is not None:
        if not (math.isfinite(launch_mass_kg) and launch_mass_kg > 0):
            raise BmdsimError(f"--launch-mass-kg {launch_mass_kg}: must be a positive number")
        base = scale_to_launch_mass(base, launch_mass_kg)
    if payload_kg is None:
        payload_kg = (base.payload_mass_kg, base.payload_mass_kg)
    lo_p, hi_p = (float(x) for x in payload_kg)
    if not (math.isfinite(lo_p) and math.isfinite(hi_p) and 0 < lo_p <= hi_p):
        raise BmdsimError(f"--payload-kg {lo_p:g},{hi_p:g}: expected LOW,HIGH with 0 < LOW <= HIGH (or one value)")
    stages_kg = sum(base.propellant_mass_kg) + sum(base.dry_mass_kg)
    if hi_p > 0.5 * stages_kg:
        raise BmdsimError(f"--payload-kg {hi_p:,.0f} is too heavy for the template {tpl.name} ({stages_kg:,.0f} kg of "
                          f"stages); give --launch-mass-kg or another template")
    p_fit = 0.5 * (lo_p + hi_p)
    p_std = p_fit if standard_payload_kg is None else float(standard_payload_kg)
    if not (math.isfinite(p_std) and 0 < p_std <= 0.5 * stages_kg):
        raise BmdsimError(f"--standard-payload-kg {p_std:g}: expected 0 < payload <= {0.5 * stages_kg:,.0f} kg")
    if boost_time is not None:
        _check_measured("--boost-time-s", boost_time, 10.0, 900.0, 1.0, "s")
        burn_prior = (boost_time.value / base.boost_time_s, boost_time.sigma / base.boost_time_s)
        lo_b, hi_b = core.BOUNDS_LOW[2] * base.boost_time_s, core.BOUNDS_HIGH[2] * base.boost_time_s
        if not lo_b <= boost_time.value <= hi_b:
            raise BmdsimError(f"--boost-time-s {boost_time.value:g}: the template {tpl.name} "
                              f"({base.boost_time_s:.0f} s) can be stretched to {lo_b:.0f}..{hi_b:.0f} s; choose a "
                              f"template closer to it")
    else:
        burn_prior = burn_prior_of(tpl)
    rng = _range_observation(obs)
    _check_consistent(obs, rng)
    if obs.launch is not None:
        planet, planet_name = flight.PLANET_WGS84, "the rotating WGS84 Earth (J2, co-rotating atmosphere)"
        if obs.splash is not None:
            az = float(traj.plane_azimuth_deg(obs.launch.lat_deg, obs.launch.lon_deg, obs.splash.lat_deg,
                                              obs.splash.lon_deg)[0])
        else:
            az = 90.0 if obs.azimuth_deg is None else float(obs.azimuth_deg)
        setup = core.FlightSetup(planet=planet, launch_lat_deg=obs.launch.lat_deg, launch_lon_deg=obs.launch.lon_deg,
                                 azimuth_deg=az)
    else:
        planet_name = "a non-rotating spherical Earth (R 6,371 km; no launch point given)"
        setup = core.FlightSetup(planet=cal.SPHERE)
    fit, setup = _one_fit(base, obs, rng, p_fit, burn_prior, setup)
    warnings = []
    p_value = float(chi2_dist.sf(fit.chi2, fit.dof)) if fit.dof > 0 else math.nan
    if fit.at_bound:
        warnings.append(f"the fit ended on a bound of {', '.join(fit.at_bound)}: the template cannot reproduce the "
                        f"observations; try another template")
    if math.isfinite(p_value) and p_value < P_VALUE_WARN:
        warnings.append(f"the template fits the observations poorly (chi2 {fit.chi2:.1f} for {fit.dof} dof, p = "
                        f"{p_value:.2g}); compare the other templates in the sensitivity")
    q = _standard_numbers((base, setup, p_fit), p_std)
    ivs = core.interval(q, fit.theta, fit.cov)
    names = ("burnout_speed", "standard_burnout_speed", "standard_range", "standard_apogee", "standard_flight_time",
             "burnout_alt")
    numbers = {nm: Number(iv.value, iv.low, iv.high) for nm, iv in zip(names, ivs, strict=True)}
    orbital_fit = False
    if not math.isfinite(numbers["standard_range"].value):
        if not reaches_orbit(core.scaled_spec(base, fit.theta[0], fit.theta[2], p_std)):
            raise BmdsimError("the fitted missile has no standard (minimum-energy) trajectory; check the observations "
                              "and the template")
        orbital_fit = True
        warnings.append("the fitted missile reaches orbit with this payload: it has no minimum-energy trajectory and "
                        "its range is global (the standard range is reported as null)")
    sig = fit.sigma
    perf = Number(fit.theta[0], fit.theta[0] - core.Z90 * sig[0], fit.theta[0] + core.Z90 * sig[0])
    burn = Number(fit.theta[2], fit.theta[2] - core.Z90 * sig[2], fit.theta[2] + core.Z90 * sig[2])
    v_k, r_k = core.kepler_same_speed_range_m(obs.apogee_m.value, rng.value)
    out = Assessment(template=tpl.name, template_missile=tpl, observation=obs, range_obs=rng, setup=setup,
                     planet_name=planet_name, payload_kg=(lo_p, hi_p), payload_fit_kg=p_fit, standard_payload_kg=p_std,
                     launch_mass_kg=base.launch_mass_kg - base.payload_mass_kg + p_fit, burn_prior=burn_prior,
                     base_spec=base, fit=fit, p_value=p_value, numbers=numbers, performance=perf, burn=burn,
                     reach_from=None, kepler_speed_m_s=v_k, kepler_range_m=r_k, warnings=warnings,
                     orbital=orbital_fit)
    origin = reach_from
    if origin is None and obs.launch is not None:
        origin = Target(obs.launch.lat_deg, obs.launch.lon_deg, obs.launch.label or "test launch point")
    if places:
        if origin is None:
            raise BmdsimError("--place needs a launch point for the reach: give --launch or --reach-from")
        out.reach_from = origin
        lat2 = np.array([p.lat_deg for p in places])
        lon2 = np.array([p.lon_deg for p in places])
        dist, _, _ = geodesy.inverse(np.full(len(places), origin.lat_deg), np.full(len(places), origin.lon_deg),
                                     lat2, lon2)
        dist = np.atleast_1d(dist)
        if np.any(dist < 1e3):
            k = int(np.argmin(dist))
            raise BmdsimError(f"--place {places[k].label} coincides with the reach launch point")
        # the reach and flight times of three missiles: the fitted one, and the two with the fitted boost time
        # whose standard ranges are the ends of the standard range's interval (the interval's own end points may
        # have too weak a thrust for the solver's boost table)
        rq = _reach_numbers(base, p_std, origin, places, dist)
        r_iv = numbers["standard_range"]
        ends = [None, None] if orbital_fit else \
            [_performance_for_range(base, p_std, fit.theta, x) for x in (r_iv.low, r_iv.high)]
        nanrow = np.full(2 * len(places), np.nan)
        thetas = [fit.theta, *ends]
        vals = np.array([rq(t) if t is not None else nanrow for t in thetas])
        orb = [orbital_fit, *(False for _ in ends)]
        r_iv = numbers["standard_range"]
        if orbital_fit or not math.isfinite(r_iv.high):  # the high-end missile reaches orbit
            orb[2] = True
        m = len(places)

        def num(col, ordered):
            v = vals[:, col]
            if ordered:  # reach: low from the low-end missile, high from the high-end one
                return Number(float(v[0]), float(v[1]), float(v[2]))
            ok = np.isfinite(v)
            return Number(float(v[0]), float(np.min(v[ok])) if ok.any() else math.nan,
                          float(np.max(v[ok])) if ok.any() else math.nan)

        out.reach = [ReachRow(p.label, p.lat_deg, p.lon_deg, float(dist[i]), num(i, True), num(m + i, False),
                              tuple(orb)) for i, p in enumerate(places)]
    elif reach_from is not None:
        out.reach_from = reach_from
    if sensitivity:
        out.template_sensitivity = _template_sensitivity(tpl.name, obs, rng, (lo_p, hi_p), standard_payload_kg,
                                                         launch_mass_kg, setup)
        if hi_p > lo_p:
            for p in (lo_p, hi_p):
                ps = p if standard_payload_kg is None else p_std
                f2, su = _one_fit(base, obs, rng, p, burn_prior, setup)
                st = cal.standard_trajectory(core.scaled_spec(base, f2.theta[0], f2.theta[2], ps))
                out.payload_sensitivity.append({"payload_kg": p, "standard_payload_kg": ps,
                                                "standard_range_km": _r(st.range_m / 1e3, 1),
                                                "standard_burnout_speed_kms": _r(st.burnout_speed_m_s / 1e3, 4),
                                                "chi2": _r(f2.chi2, 3)})
    return out


def reaches_orbit(spec: RocketSpec) -> bool:
    """Whether some full-burn flight of ``spec`` on the non-rotating sphere does not come down (loft angles of the
    standard-trajectory scan, :data:`bmdsim.core.calibration.KICK_SCAN_RAD`)."""
    ob = core.fly_observed(spec, cal.KICK_SCAN_RAD, core.FlightSetup(planet=cal.SPHERE))
    return bool(np.any(ob.status == traj.STATUS_NO_IMPACT))


def _performance_for_range(base: RocketSpec, payload: float, theta, range_m: float):
    """theta with the performance factor that gives standard range ``range_m`` at theta's burn factor (None if
    there is none in the bounds)."""
    if not math.isfinite(range_m):
        return None

    def f(k):
        try:
            r = cal.standard_range_m(core.scaled_spec(base, k, theta[2], payload))
        except ValueError:
            return math.nan
        return r - range_m

    f0 = f(theta[0])
    if not np.isfinite(f0):
        return None
    for step in (0.01, 0.03, 0.1):  # bracket on the side where the range lies
        k1 = theta[0] * (1.0 + step if f0 < 0.0 else 1.0 - step)
        f1 = f(k1)
        if np.isfinite(f1) and (f1 > 0.0) != (f0 > 0.0):
            k = brentq(f, min(theta[0], k1), max(theta[0], k1), xtol=1e-7)
            return np.array([k, theta[1], theta[2]])
    return None


def _template_sensitivity(chosen: str, obs, rng, payload, standard_payload, launch_mass, setup) -> list[dict]:
    rows = []
    for name, tpl in load_templates().items():  # the generic templates (built-in in every context)
        if name == chosen:
            continue
        base = tpl.rocket_spec()
        if launch_mass is not None:
            base = scale_to_launch_mass(base, launch_mass)
        p_fit = 0.5 * (payload[0] + payload[1])
        p_std = p_fit if standard_payload is None else standard_payload
        stages_kg = sum(base.propellant_mass_kg) + sum(base.dry_mass_kg)
        if max(payload[1], p_std) > 0.5 * stages_kg:
            rows.append({"template": name, "standard_range_km": None, "chi2": None, "note": "payload too heavy"})
            continue
        try:
            f, _ = _one_fit(base, obs, rng, p_fit, burn_prior_of(tpl), setup)
        except BmdsimError as err:
            rows.append({"template": name, "standard_range_km": None, "chi2": None, "note": str(err)})
            continue
        st = cal.standard_trajectory(core.scaled_spec(base, f.theta[0], f.theta[2], p_std))
        rows.append({"template": name, "standard_range_km": _r(st.range_m / 1e3, 1),
                     "standard_burnout_speed_kms": _r(st.burnout_speed_m_s / 1e3, 4), "chi2": _r(f.chi2, 3),
                     "boost_time_s": _r(base.boost_time_s * f.theta[2], 1)})
    return rows
