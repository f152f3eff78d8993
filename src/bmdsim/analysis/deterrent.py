"""Deterrent matrix: every Russian ICBM base and SLBM patrol point x US target (per deployed missile):
can the architecture engage it, by which sites, with how many shots and what margin.

Margins:

* ``slack_s`` — for an engageable threat, how much later than the earliest allowed launch the best
  site could still launch (latest feasible launch minus earliest launch); a measure of how robust the
  engagement is to slower decisions;
* ``vbo_needed_kms`` — the least interceptor vbo (all sites set to it, other parameters unchanged)
  that makes the threat engageable, found on a ladder of vbo values (``vbo_step_kms`` resolution);
  ``vbo_margin_kms`` = the best site's catalog vbo minus that: positive = to spare, negative = missing.

Totals: share of trajectories engageable, and interceptors needed (``shots_per_warhead`` per
engageable warhead, warheads per missile from the stability forces file defaults) vs inventory.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import numpy as np

from bmdsim.analysis.engage import EngagementTable, run_engagements
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
    vbo_ladder_kms: np.ndarray

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
        }

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


def _engageable_at(shared, vbo_kms):
    """(n,) engageable by any site with every site's vbo set to ``vbo_kms``."""
    arch_spec, ts, decision_time_s, catalog = shared
    t = run_engagements(resolve(arch_spec, vbo_kms=float(vbo_kms), decision_time_s=decision_time_s,
                                catalog=catalog), ts)
    return t.engageable.any(axis=1) & ts.ok


def deterrent_matrix(arch_spec: Architecture, *, vbo_kms: float | None = None,
                     decision_time_s: float | None = None, threats=None, vbo_step_kms: float = 0.5,
                     vbo_max_kms: float = 11.0, scheduler: str | None = None, jobs: int = 2, client=None,
                     progress=None, catalog: Catalog | None = None) -> DeterrentMatrix:
    """Engage the deterrent threat sets; find each threat's least engaging vbo on a ladder. Names resolve
    in ``catalog`` (None: the built-ins), which goes to the workers with the work.

    In this process the ladder is scanned from the top down and stops at the first vbo engaging
    nothing; with ``scheduler`` / ``client`` (Dask) every ladder vbo is run at once and the same scan
    is applied to the results, so the numbers are identical.
    """
    from bmdsim.analysis.sweep import cluster_client, map_chunks

    tl, ts = threats if threats is not None else deterrent_threats(catalog=catalog)
    arch: ResolvedArchitecture = resolve(arch_spec, vbo_kms=vbo_kms, decision_time_s=decision_time_s, catalog=catalog)
    table = run_engagements(arch, ts)
    ladder = np.round(np.arange(vbo_step_kms, vbo_max_kms + 1e-9, vbo_step_kms), 6)
    shared = (arch_spec, ts, decision_time_s, catalog)
    with cluster_client(scheduler, jobs, client) as c:
        if c is None:
            def engageable():
                for i, v in enumerate(ladder[::-1]):
                    yield _engageable_at(shared, v)
                    if progress:
                        progress(i + 1, ladder.size)
        else:
            def engageable():
                yield from map_chunks(_engageable_at, list(ladder[::-1]), client=c, shared=shared,
                                      progress=progress)
        needed = np.full(tl.n, np.nan)
        # vbo_needed is monotone: engageable at v implies engageable at any v' > v (tested property);
        # scan down from the top and stop when nothing is engageable any more
        for v, e in zip(ladder[::-1], engageable(), strict=True):
            if not e.any():
                break
            needed = np.where(e, v, needed)
    return DeterrentMatrix(tl, ts, table, needed, ladder)


def write_deterrent(dm: DeterrentMatrix, out_dir, warheads_per_missile=None, *, figure_format: str = "png",
                    dpi: int | None = None, provenance: dict | None = None) -> list:
    from bmdsim.io import figures, files

    out = files.check_dir_writable(out_dir)
    summary = {**dm.summary(warheads_per_missile), **({"provenance": provenance} if provenance else {})}
    paths = [files.write_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n"),
             files.write_atomic(out / "deterrent.csv", dm.to_csv())]
    rows, cols, vals = dm.heat()
    fig = out / f"deterrent.{figure_format}"
    figures.plot_heatmap(rows, cols, vals * 100.0, fig,
                         title=f"{dm.table.architecture.name}: share of missile types engageable (%)",
                         cbar_label="% of the base's missile types engageable", fmt="{:.0f}",
                         dpi=dpi or figures.DEFAULT_DPI, vmin=0.0, vmax=100.0)
    paths.append(fig)
    return paths
