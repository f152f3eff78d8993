"""Deterrent matrix: every Russian ICBM base and SLBM patrol point x US target (per deployed missile):
can the architecture engage it, by which sites, with how many shots and what margin.

Margins:

* ``slack_s`` — for an engageable threat, how much later than the earliest allowed launch the best
  site could still launch (latest feasible launch minus earliest launch); a measure of how robust the
  engagement is to slower decisions;
* ``vbo_needed_kms`` — the least interceptor burnout speed vbo (all sites set to it, other parameters
  unchanged; the site's rotation added as everywhere) that makes the threat engageable, on the
  0.05 km/s grid (:func:`least_vbo`); ``vbo_margin_kms`` = the best site's catalog vbo minus that:
  positive = to spare, negative = missing.

The least vbo is searched, not assumed monotone: engagement is *not* monotone in vbo in this model
(a stronger interceptor's lowest path, at the minimum elevation, climbs more steeply and can pass
over a point a weaker one reaches; see :mod:`bmdsim.core.flyout`). :func:`least_vbo` scans a coarse
ladder (``vbo_step_kms``, 0.25 km/s by default) upward to the first rung that engages, then every
0.05 km/s value below it down to the rung before; values are multiples of 0.05 km/s, so the fly-out
tables are shared (cached) across threats and sites. A window of engaging speeds narrower than the
coarse step and below the first engaging rung would be missed: the tests compare the search with a
dense 0.05 km/s scan.

Every "no" says why: per site, the reason it cannot engage (``not_detected``, ``no_fire_control_track``,
``too_late``, ``outside_altitude_band``, ``out_of_reach``: :mod:`bmdsim.analysis.engage`).

Totals: share of trajectories engageable, and interceptors needed (``shots_per_warhead`` per
engageable warhead, warheads per missile from the stability forces file defaults) vs inventory.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bmdsim.analysis.engage import EngagementTable, ThreatGeometry, run_engagements, threat_geometry
from bmdsim.core.engagement import engageable_threats, reach_angle_rad, threat_cones
from bmdsim.core.flyout import build_flyout_table, table_reach_m
from bmdsim.model.architecture import ResolvedArchitecture, resolve
from bmdsim.model.catalogs import Catalog
from bmdsim.model.scenario import Architecture, ThreatList, expand_threats, load_threat_set
from bmdsim.model.trajectories import TrajectorySet, solve_trajectories

DETERRENT_THREAT_SETS = ("russia-icbm-to-us", "russia-slbm-to-us")


@dataclass
class DeterrentMatrix:
    threats: ThreatList
    trajectories: TrajectorySet
    table: EngagementTable
    vbo_needed_kms: np.ndarray  # (n,) NaN if not engageable up to the ladder's top
    vbo_ladder_kms: np.ndarray  # the coarse ladder (the answers lie on the 0.05 km/s grid)

    @property
    def engageable(self) -> np.ndarray:
        return self.table.engageable.any(axis=1) & self.trajectories.ok

    def slack_s(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            s = self.table.last["launch_s"] - self.table.launch_earliest_s
            s = np.where(self.table.engageable, s, -np.inf).max(axis=1)
        return np.where(np.isfinite(s), s, np.nan)

    def vbo_margin_kms(self) -> np.ndarray:
        best = max(s.kin.vbo_m_s for s in self.table.architecture.sites) / 1e3
        return best - self.vbo_needed_kms

    def rows(self) -> list[dict]:
        slack = self.slack_s()
        margin = self.vbo_margin_kms()
        out = []
        sites = self.table.site_names
        for i in range(self.threats.n):
            if not self.trajectories.ok[i]:
                continue
            eng = self.table.engageable[i]
            out.append({
                "launch": self.threats.launch_id[i], "target": self.threats.aim_id[i],
                "missile": self.threats.missile[i], "engageable": bool(eng.any()),
                "sites": ";".join(s for s, e in zip(sites, eng, strict=True) if e),
                "why_not": "" if eng.any() else "; ".join(f"{s}: {self.table.reason_text(i, j)}"
                                                          for j, s in enumerate(sites)),
                "max_shots": int(self.table.shots[i].max(initial=0)),
                "slack_s": None if not np.isfinite(slack[i]) else round(float(slack[i]), 1),
                "vbo_needed_kms": None if not np.isfinite(self.vbo_needed_kms[i]) else float(self.vbo_needed_kms[i]),
                "vbo_margin_kms": None if not np.isfinite(margin[i]) else round(float(margin[i]), 3),
            })
        return out

    def summary(self, warheads_per_missile: dict | None = None, shots_per_warhead: int = 2) -> dict:
        ok = self.trajectories.ok
        eng = self.engageable
        wh = warheads_per_missile or {}
        needed = sum(wh.get(m, 1) * shots_per_warhead for m, e in zip(self.threats.missile, eng, strict=True) if e)
        inventory = sum(s.inventory for s in self.table.architecture.sites)
        return {
            "architecture": self.table.architecture.name, "trajectories": int(ok.sum()),
            "engageable": int(eng.sum()),
            "share_engageable": round(float(eng.sum() / ok.sum()), 4) if ok.any() else None,
            "by_site": {s: int(self.table.engageable[ok, j].sum()) for j, s in enumerate(self.table.site_names)},
            "interceptors_needed_one_salvo_each": int(needed), "shots_per_warhead": shots_per_warhead,
            "inventory": int(inventory),
            "min_vbo_needed_kms": (None if not np.isfinite(self.vbo_needed_kms).any()
                                   else float(np.nanmin(self.vbo_needed_kms))),
            "why_not": self.reason_counts(),
        }

    def reason_counts(self) -> dict:
        """Over the trajectories no site engages: per site, how many fail for each reason."""
        ok = self.trajectories.ok & ~self.engageable
        out = {}
        for j, s in enumerate(self.table.site_names):
            counts: dict[str, int] = {}
            for i in np.nonzero(ok)[0]:
                r = self.table.reason_text(i, j)
                counts[r] = counts.get(r, 0) + 1
            out[s] = dict(sorted(counts.items()))
        return out

    def to_csv(self) -> str:
        rows = self.rows()
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        return buf.getvalue()

    def heat(self):
        """(launch ids, target ids, share of missile types engageable per base x target)."""
        launches = sorted(set(self.threats.launch_id))
        targets = sorted(set(self.threats.aim_id))
        num = np.zeros((len(launches), len(targets)))
        den = np.zeros_like(num)
        eng = self.engageable
        for i in range(self.threats.n):
            if not self.trajectories.ok[i]:
                continue
            a, b = launches.index(self.threats.launch_id[i]), targets.index(self.threats.aim_id[i])
            den[a, b] += 1
            num[a, b] += eng[i]
        with np.errstate(invalid="ignore"):
            return launches, targets, np.where(den > 0, num / den, np.nan)


def deterrent_threats(threat_sets=DETERRENT_THREAT_SETS, step_s: float = 5.0, catalog: Catalog | None = None
                      ) -> tuple[ThreatList, TrajectorySet]:
    """The deterrent threat sets expanded and flown (names in ``catalog``; None: the built-ins)."""
    lists = [expand_threats(load_threat_set(name), catalog=catalog) for name in threat_sets]
    tl = ThreatList(*(sum((getattr(t, f) for t in lists), ()) for f in
                      ("missile", "launch_id", "aim_id", "launch_lat", "launch_lon", "aim_lat", "aim_lon")))
    ts = solve_trajectories(list(tl.missile), tl.launch_lat, tl.launch_lon, tl.aim_lat, tl.aim_lon, step_s=step_s,
                            catalog=catalog)
    return tl, ts



VBO_GRID_KMS = 0.05  # the least-vbo answers lie on this grid (km/s)


def _on_grid(v):
    """vbo (km/s) rounded to the 0.05 km/s grid, as the same float every time (cache keys)."""
    return round(round(float(v) / VBO_GRID_KMS) * VBO_GRID_KMS, 2)


def least_vbo(engaged_at: Callable, n: int, *, coarse_kms: float = 0.25, vbo_max_kms: float = 11.0,
              run: Callable | None = None, progress=None) -> np.ndarray:
    """Per item, the least vbo (km/s) on the 0.05 km/s grid at which it engages; NaN if none up to
    ``vbo_max_kms``.

    ``engaged_at((vbo_kms, idx))`` returns a bool array: whether each item of the index array ``idx``
    engages at ``vbo_kms``. ``run(tasks)`` evaluates a list of such tasks (results in order) -- e.g. on a
    Dask cluster; ``None``: ``engaged_at`` in this process, where the coarse ladder is climbed rung by
    rung with the items still unresolved (on a cluster every rung is sent at once, with every item:
    the same answers).

    The search (see the module docstring): coarse rungs ``k * coarse_kms`` upward; for an item whose
    first engaging rung is c, every grid value in (c - coarse_kms, c) is tried and the least engaging
    one is the answer, else c. Raises ValueError if ``coarse_kms`` is not a multiple of 0.05 km/s or
    ``vbo_max_kms`` is not above it.
    """
    steps = coarse_kms / VBO_GRID_KMS
    if not (abs(steps - round(steps)) < 1e-9 and round(steps) >= 1 and vbo_max_kms >= coarse_kms):
        raise ValueError(f"coarse step {coarse_kms} km/s must be a positive multiple of {VBO_GRID_KMS} km/s, "
                         f"at most vbo_max {vbo_max_kms} km/s")
    ladder = [_on_grid(k * coarse_kms) for k in range(1, int(math.floor(vbo_max_kms / coarse_kms + 1e-9)) + 1)]
    first = np.full(n, np.nan)
    every = np.arange(n)
    done_tasks, n_tasks = 0, len(ladder) + int(round(steps)) - 1
    if run is None:
        for v in ladder:
            left = every[np.isnan(first)]
            if left.size:
                hit = np.asarray(engaged_at((v, left)), dtype=bool)
                first[left[hit]] = v
            done_tasks += 1
            if progress:
                progress(done_tasks, n_tasks)
    else:
        for v, hit in zip(ladder, run([(v, every) for v in ladder]), strict=True):
            hit = np.asarray(hit, dtype=bool)
            first[every[hit & np.isnan(first)]] = v
        done_tasks = len(ladder)
        if progress:
            progress(done_tasks, n_tasks)
    # refine below each first rung, on the grid
    best = first.copy()
    tasks = []
    for k in range(1, int(round(steps))):
        below = {}
        for i in every[np.isfinite(first)]:
            below.setdefault(_on_grid(first[i] - coarse_kms + k * VBO_GRID_KMS), []).append(i)
        tasks += [(v, np.array(idx)) for v, idx in sorted(below.items())]
    results = [engaged_at(t) for t in tasks] if run is None else run(tasks)
    for (v, idx), hit in zip(tasks, results, strict=True):
        hit = np.asarray(hit, dtype=bool)
        best[idx[hit]] = np.fmin(best[idx[hit]], v)
    if progress:
        progress(n_tasks, n_tasks)
    return best


def _rows(ts: TrajectorySet, idx) -> TrajectorySet:
    """The rows ``idx`` of a trajectory set (every per-trajectory array indexed; samples kept whole)."""
    n = ts.n
    return dataclasses.replace(ts, **{f.name: getattr(ts, f.name)[idx] for f in dataclasses.fields(ts)
                                      if isinstance(getattr(ts, f.name), np.ndarray)
                                      and getattr(ts, f.name).shape[:1] == (n,)})


@dataclass
class _Probe:
    """What an engagement of these threats by this architecture does not owe to the burnout speed, computed
    once for a whole vbo search: the threats' geometry and every (threat, site) earliest launch."""

    arch_spec: Architecture
    decision_time_s: float | None
    catalog: Catalog | None
    geo: ThreatGeometry
    launch_earliest_s: np.ndarray  # (n, m)
    ok: np.ndarray  # (n,) solved trajectories
    cap_axis: np.ndarray  # (n, 3) a cone from the Earth's centre holding each threat's samples (ECEF)
    cap_half_rad: np.ndarray  # (n,) its half-angle

    @classmethod
    def of(cls, arch_spec, ts, decision_time_s, launch_earliest_s=None, catalog=None):
        if launch_earliest_s is None:
            arch = resolve(arch_spec, decision_time_s=decision_time_s, catalog=catalog)
            launch_earliest_s = run_engagements(arch, ts).launch_earliest_s
        geo = threat_geometry(ts)
        axis, cos_half = threat_cones(geo.t_s, geo.r_ecef)
        return cls(arch_spec, decision_time_s, catalog, geo, launch_earliest_s, np.asarray(ts.ok, dtype=bool), axis,
                   np.arccos(np.clip(cos_half, -1.0, 1.0)))

    def engaged(self, vbo_kms, rows, site_index):
        """(len(rows),) whether site ``site_index`` engages threat rows ``rows`` with every site's vbo set to
        ``vbo_kms`` -- :func:`run_engagements`'s ``engageable``, each threat's scan stopped at its first
        feasible sample. Threats farther from the site than any lookup of the table can succeed
        (:func:`bmdsim.core.engagement.reach_angle_rad`, from the table's reach without the table) are
        not engaged, and if that is all of them the table is not built."""
        site = _resolved(self.arch_spec, float(vbo_kms), self.decision_time_s, self.catalog).sites[site_index]
        s_hat = site.site_ecef / np.linalg.norm(site.site_ecef)
        a_max = reach_angle_rad(site.site_ecef, site.kin, table_reach_m(site.kin))
        near = np.arccos(np.clip(self.cap_axis[rows] @ s_hat, -1.0, 1.0)) - self.cap_half_rad[rows] - 1e-7 <= a_max
        out = np.zeros(len(rows), dtype=bool)
        if near.any():
            g, r = self.geo, np.asarray(rows)[near]
            out[near] = engageable_threats(g.t_s[r], g.r_eci[r], g.alt_m[r], g.r_ecef[r], site.site_ecef,
                                           self.launch_earliest_s[r, site_index], build_flyout_table(site.kin),
                                           site.kin)
        return out & self.ok[rows]


_RESOLVED: dict = {}


def _resolved(arch_spec, vbo_kms, decision_time_s, catalog=None):
    """resolve(arch_spec, vbo_kms, decision_time_s, catalog), kept for the last architecture searched."""
    key = (id(arch_spec), id(catalog), vbo_kms, decision_time_s)
    hit = _RESOLVED.get(key)
    if hit is None or hit[0] is not arch_spec or hit[1] is not catalog:
        if len(_RESOLVED) > 512 or any(v[0] is not arch_spec or v[1] is not catalog for v in _RESOLVED.values()):
            _RESOLVED.clear()
        hit = _RESOLVED[key] = (arch_spec, catalog, resolve(arch_spec, vbo_kms=vbo_kms,
                                                            decision_time_s=decision_time_s, catalog=catalog))
    return hit[2]


def _engaged_any_site(probe: _Probe, task):
    """(len(idx),): threat rows ``idx`` engageable by some site with every site's vbo set to ``vbo_kms``."""
    v, idx = task
    idx = np.asarray(idx)
    hit = np.zeros(idx.size, dtype=bool)
    for j in range(probe.launch_earliest_s.shape[1]):
        todo = np.nonzero(~hit)[0]
        if todo.size == 0:
            break
        hit[todo] = probe.engaged(v, idx[todo], j)
    return hit


def _engaged_per_site(probe: _Probe, task):
    """(len(idx),): sites ``idx`` engaging threat 0 with every site's vbo set to ``vbo_kms``."""
    v, idx = task
    return np.array([bool(probe.engaged(v, np.array([0]), int(j))[0]) for j in idx], dtype=bool)


def least_vbo_per_site(arch_spec: Architecture, threat: TrajectorySet, *, decision_time_s: float | None = None,
                       coarse_kms: float = 0.25, vbo_max_kms: float = 11.0,
                       catalog: Catalog | None = None) -> np.ndarray:
    """(m,) per site of the architecture, the least vbo (km/s, 0.05 km/s grid) at which that site engages the
    one threat of ``threat`` (its other parameters unchanged); NaN if none up to ``vbo_max_kms``
    (:func:`least_vbo`)."""
    probe = _Probe.of(arch_spec, threat, decision_time_s, catalog=catalog)
    m = probe.launch_earliest_s.shape[1]
    return least_vbo(lambda task: _engaged_per_site(probe, task), m, coarse_kms=coarse_kms, vbo_max_kms=vbo_max_kms)


def deterrent_matrix(arch_spec: Architecture, *, vbo_kms: float | None = None,
                     decision_time_s: float | None = None, threats=None, vbo_step_kms: float = 0.25,
                     vbo_max_kms: float = 11.0, scheduler: str | None = None, jobs: int = 2, client=None,
                     progress=None, catalog: Catalog | None = None) -> DeterrentMatrix:
    """Engage the deterrent threat sets; find each threat's least engaging vbo (:func:`least_vbo`, coarse
    step ``vbo_step_kms``, answers on the 0.05 km/s grid). Names resolve in ``catalog`` (None: the
    built-ins), which goes to the workers with the work.

    With ``scheduler`` / ``client`` (Dask) the ladder's rungs, then the refining values, run as tasks on
    the cluster (:func:`bmdsim.analysis.sweep.map_chunks`); the numbers are identical to this process's.
    """
    from bmdsim.analysis.sweep import cluster_client, map_chunks

    tl, ts = threats if threats is not None else deterrent_threats(catalog=catalog)
    arch: ResolvedArchitecture = resolve(arch_spec, vbo_kms=vbo_kms, decision_time_s=decision_time_s, catalog=catalog)
    table = run_engagements(arch, ts)
    ladder = np.round(np.arange(vbo_step_kms, vbo_max_kms + 1e-9, vbo_step_kms), 6)

    # the search sets every site's vbo, so its answer does not depend on the vbo_kms override: one search
    # per architecture, decision time, threat set and ladder in this process (a vbo sweep reuses it)
    key = (arch_spec.model_dump_json(), decision_time_s, id(ts), id(catalog), float(vbo_step_kms), float(vbo_max_kms))
    hit = _SEARCHED.get(key)
    if hit is not None and hit[0]() is ts:
        return DeterrentMatrix(tl, ts, table, hit[1].copy(), ladder)
    # the earliest launches do not depend on vbo
    probe = _Probe.of(arch_spec, ts, decision_time_s, table.launch_earliest_s, catalog=catalog)
    with cluster_client(scheduler, jobs, client) as c:
        if c is None:
            needed = least_vbo(lambda task: _engaged_any_site(probe, task), tl.n, coarse_kms=vbo_step_kms,
                               vbo_max_kms=vbo_max_kms, progress=progress)
        else:
            def run(tasks):
                return map_chunks(_engaged_any_site, tasks, client=c, shared=probe)

            needed = least_vbo(None, tl.n, coarse_kms=vbo_step_kms, vbo_max_kms=vbo_max_kms, run=run,
                               progress=progress)
    if len(_SEARCHED) > 64:
        _SEARCHED.clear()
    try:
        _SEARCHED[key] = (weakref.ref(ts), needed.copy())
    except TypeError:  # not weak-referenceable: no reuse
        pass
    return DeterrentMatrix(tl, ts, table, needed, ladder)


_SEARCHED: dict = {}


def write_deterrent(dm: DeterrentMatrix, out_dir, warheads_per_missile=None, *, figure_format: str = "png",
                    dpi: int | None = None, provenance: dict | None = None, label: str = "", variant: str = "") -> list:
    """summary.json (with ``variant`` and ``provenance``), deterrent.csv (a row per flown trajectory: engageable,
    by which sites, shots, slack, why not per site, least burnout speed that would engage) and the heat map
    ``deterrent.<figure_format>`` titled with ``label`` (default: the architecture's name)."""
    from bmdsim.io import figures, files

    out = files.check_dir_writable(out_dir)
    summary = {**dm.summary(warheads_per_missile), "variant": variant or None,
               **({"provenance": provenance} if provenance else {})}
    paths = [files.write_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n"),
             files.write_atomic(out / "deterrent.csv", dm.to_csv())]
    rows, cols, vals = dm.heat()
    fig = out / f"deterrent.{figure_format}"
    figures.plot_heatmap(rows, cols, vals * 100.0, fig,
                         title=f"{label or dm.table.architecture.name}: share of missile types engageable (%)",
                         cbar_label="% of the base's missile types engageable", fmt="{:.0f}",
                         dpi=dpi or figures.DEFAULT_DPI, vmin=0.0, vmax=100.0)
    paths.append(fig)
    return paths
