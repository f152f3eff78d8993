"""Run a scenario: every variant x sweep point -> engagement table and a summary."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import numpy as np

from bmdsim.analysis.engage import EngagementTable, run_engagements
from bmdsim.model.architecture import resolve
from bmdsim.model.catalogs import Catalog
from bmdsim.model.scenario import (
    Scenario,
    ThreatList,
    expand_threats,
    expand_variants,
    load_threat_set,
    scenario_catalog,
)
from bmdsim.model.trajectories import Shape, TrajectorySet, solve_trajectories


@dataclass
class ScenarioRun:
    scenario: Scenario
    threats: ThreatList
    trajectories: TrajectorySet
    labels: list[dict]
    tables: list[EngagementTable]
    catalog: Catalog | None = None  # the context it ran with (None: the built-ins)

    def summary(self) -> dict:
        ok = self.trajectories.ok
        runs = []
        for label, tab in zip(self.labels, self.tables, strict=True):
            eng = tab.engageable[ok]
            per_site = {
                name: {"engageable": int(eng[:, j].sum()), "share": _share(eng[:, j].sum(), eng.shape[0]),
                       "max_shots": int(tab.shots[ok][:, j].max(initial=0))}
                for j, name in enumerate(tab.site_names)
            }
            any_site = eng.any(axis=1)
            two_shots = (tab.shots[ok] >= 2).any(axis=1)
            runs.append({"label": label, "threats": int(ok.sum()),
                         "engageable_by_any_site": int(any_site.sum()),
                         "share_engageable": _share(any_site.sum(), ok.sum()),
                         "share_two_shots": _share(two_shots.sum(), ok.sum()),
                         "sites": per_site})
        return {"scenario": self.scenario.name, "description": self.scenario.description,
                "threats_requested": self.threats.n, "threats_flown": int(ok.sum()),
                "threats_not_flown": int((~ok).sum()), "runs": runs}

    def engagements_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        keys = sorted({k for lab in self.labels for k in lab})
        w.writerow(keys + ["threat_id", "missile", "launch", "aim", "site", "interceptor", "vbo_kms", "engageable",
                           "reason", "track_sensor", "launch_earliest_s", "first_intercept_s", "first_alt_km",
                           "last_intercept_s", "shots"])
        ids = np.nonzero(self.trajectories.ok)[0]
        for label, tab in zip(self.labels, self.tables, strict=True):
            for i in ids:
                for j, site in enumerate(tab.architecture.sites):
                    w.writerow([label.get(k, "") for k in keys] + [
                        int(i), self.threats.missile[i], self.threats.launch_id[i], self.threats.aim_id[i], site.name,
                        site.interceptor, round(site.kin.vbo_m_s / 1e3, 3), bool(tab.engageable[i, j]),
                        tab.reason_text(i, j), tab.track_sensor_name(i, j) or "", _f(tab.launch_earliest_s[i, j]),
                        _f(tab.first["t_s"][i, j]), _f(tab.first["alt_km"][i, j]), _f(tab.last["t_s"][i, j]),
                        int(tab.shots[i, j])])
        return buf.getvalue()

    def threats_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["threat_id", "missile", "launch", "aim", "launch_lat", "launch_lon", "aim_lat", "aim_lon",
                    "status", "range_km", "flight_time_s", "apogee_km"])
        rng = self.trajectories.range_km()
        _, _, apo = self.trajectories.event_geodetic(1)
        for i in range(self.threats.n):
            w.writerow([i, self.threats.missile[i], self.threats.launch_id[i], self.threats.aim_id[i],
                        self.threats.launch_lat[i], self.threats.launch_lon[i], self.threats.aim_lat[i],
                        self.threats.aim_lon[i], int(self.trajectories.status[i]), _f(rng[i]),
                        _f(self.trajectories.events_t_s[i, 3]), _f(apo[i] / 1e3)])
        return buf.getvalue()


def _share(a, b) -> float | None:
    return round(float(a) / float(b), 4) if b else None


def _f(x, nd=3):
    x = float(x)
    return "" if not np.isfinite(x) else round(x, nd)


def work_sizes(scn: Scenario, variant: str | None = None,
               catalog: Catalog | None = None) -> list[tuple[str, float, str]]:
    """The size of running ``scn`` in the units of :mod:`bmdsim.model.limits`, estimated before any
    trajectory is flown: trajectories, samples held at once, engagement pairs over every variant and
    sweep point, and the bytes of engagements.csv. ``catalog``: as :func:`run_scenario`."""
    from collections import Counter

    from bmdsim.model.limits import BYTES_PER_ENGAGEMENT_ROW, samples_per_trajectory

    cat = scenario_catalog(scn, catalog)
    ts_spec = load_threat_set(scn.threats)
    tl = expand_threats(ts_spec, check_only=False, catalog=cat)
    shape = Shape.from_options(ts_spec.apogee_km, ts_spec.flight_time_s, ts_spec.gamma_deg)
    step = scn.options.step_s
    samples = sum(k * samples_per_trajectory(m, step, shape, catalog=cat) for m, k in Counter(tl.missile).items())
    variants = expand_variants(scn, variant)
    pairs = sum(tl.n * len(v.scenario.architecture.sites) for v in variants)
    fewer = "use fewer variants or sweep points, or a smaller threat set"
    return [("trajectories", tl.n, "use a smaller threat set"),
            ("samples", samples, f"raise options.step_s (now {step:g} s) or use a smaller threat set"),
            ("engagement_pairs", pairs, fewer),
            ("output_bytes", pairs * BYTES_PER_ENGAGEMENT_ROW, fewer)]


def solve_threats(scn: Scenario, catalog: Catalog | None = None) -> tuple[ThreatList, TrajectorySet]:
    """The scenario's threats, expanded and flown (``catalog``: the context, already holding the
    scenario's own entries; None: :func:`~bmdsim.model.scenario.scenario_catalog` of the built-ins)."""
    cat = scenario_catalog(scn) if catalog is None else catalog
    ts_spec = load_threat_set(scn.threats)
    tl = expand_threats(ts_spec, catalog=cat)
    shape = Shape.from_options(ts_spec.apogee_km, ts_spec.flight_time_s, ts_spec.gamma_deg)
    traj = solve_trajectories(list(tl.missile), tl.launch_lat, tl.launch_lon, tl.aim_lat, tl.aim_lon, shape,
                              step_s=scn.options.step_s, catalog=cat) if tl.n else None
    return tl, traj


def _run_variant(shared, args):
    traj, cat = shared
    v, over = args
    o = v.scenario.options
    vbo = over.get("vbo_kms") if over.get("vbo_kms") is not None else o.vbo_kms
    dec = over.get("decision_time_s") if over.get("decision_time_s") is not None else o.decision_time_s
    arch = resolve(v.scenario.architecture, vbo_kms=vbo, decision_time_s=dec, catalog=cat)
    return run_engagements(arch, traj)


def run_scenario(scn: Scenario, progress=None, scheduler: str | None = None, jobs: int = 2,
                 variant: str | None = None, vbo_kms: float | None = None,
                 decision_time_s: float | None = None, catalog: Catalog | None = None) -> ScenarioRun:
    """Solve the threats once, then run every variant (the base case too, as ``base``, unless the scenario
    says ``base: false``; or only ``variant``) x sweep point (on Dask with ``scheduler``). ``vbo_kms`` /
    ``decision_time_s`` override every case's options (every site's burnout speed, the decision time).

    Names resolve in ``catalog`` (None: the built-ins) extended by the scenario's own catalog entries
    (:func:`~bmdsim.model.scenario.scenario_catalog`); the context goes to the workers with the work."""
    from bmdsim.analysis.sweep import map_chunks
    from bmdsim.errors import BmdsimError

    cat = scenario_catalog(scn, catalog)
    tl, traj = solve_threats(scn, cat)
    if traj is None:
        raise BmdsimError(f"scenario {scn.name!r}: the threat set has no launch/aim pair within range")
    variants = expand_variants(scn, variant)
    # validate every variant's names before any work is shipped out
    for v in variants:
        resolve(v.scenario.architecture, catalog=cat)
    over = {"vbo_kms": vbo_kms, "decision_time_s": decision_time_s}
    tables = map_chunks(_run_variant, [(v, over) for v in variants], scheduler=scheduler, jobs=jobs,
                        progress=progress, shared=(traj, cat))
    return ScenarioRun(scn, tl, traj, [v.label for v in variants], tables, cat)


def write_run(run: ScenarioRun, out_dir, provenance: dict | None = None, *, figure_format: str = "png",
              dpi: int | None = None) -> list:
    """summary.json, engagements.csv, threats.csv and ``engageable.<figure_format>``: a heat map of the share of
    threats each site (and any site) engages, one row per variant and sweep point."""
    from bmdsim.io import figures, files

    out = files.check_dir_writable(out_dir)
    sm = run.summary()
    summary = {**sm, **({"provenance": provenance} if provenance else {})}
    paths = [files.write_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n"),
             files.write_atomic(out / "engagements.csv", run.engagements_csv()),
             files.write_atomic(out / "threats.csv", run.threats_csv())]
    sites = list(dict.fromkeys(s for r in sm["runs"] for s in r["sites"]))
    rows = [", ".join(f"{k}={v}" for k, v in r["label"].items()) or run.scenario.name for r in sm["runs"]]
    vals = np.array([[100.0 * (r["sites"][s]["share"] or 0.0) if s in r["sites"] else np.nan for s in sites]
                     + [100.0 * (r["share_engageable"] or 0.0)] for r in sm["runs"]])
    fig = out / f"engageable.{figure_format}"
    figures.plot_heatmap(rows, sites + ["any site"], vals, fig, dpi=dpi or figures.DEFAULT_DPI, vmin=0.0, vmax=100.0,
                         title=f"{run.scenario.name}: share of the {sm['threats_flown']} threats engageable (%)",
                         cbar_label="% of threats engageable", fmt="{:.0f}",
                         blank_label="site not in this variant")
    paths.append(fig)
    return paths
