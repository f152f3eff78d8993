"""The claims ledger: each technical claim of the seed article as a scenario with numbers and a verdict.

Verdicts: ``supported``, ``not supported`` or ``depends`` (with the threshold that decides it).
Every number is computed here at run time by the engine; nothing is typed in. Quotes are verbatim
from the article (``shared/seed``), with their line there; each claim also carries a passage around
its quote (verbatim too, ``[…]`` where the article's text is interrupted by a footnote), one sentence on
what the claim asserts, and computes the fact that decides its verdict.

Every table the report shows comes with the command that regenerates it (``bmdsim deterrent``,
``bmdsim run``, ``bmdsim stability``, ``bmdsim criteria``, ``bmdsim trajectory`` with the options the
ledger used: the ledger calls the same library functions with the same defaults as those commands).
Every threshold is a burnout speed (vbo, relative to the launcher) and the interceptor carries its site's
rotation velocity (:data:`VBO_ASSUMPTION`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from bmdsim.errors import BmdsimError

ARTICLE = "shared/seed/000_eed3257f8ff61164.txt"  # the text the quotes are checked against (tests)

ARTICLE_DESCRIPTION = (
    "The article checked is the second part of a two-part journal article on relations between the Russian "
    "Federation and NATO; the text names neither its authors (\"the authors\") nor the journal (\"the first part "
    "published in №1 of the Journal was devoted to the historical analysis of the Cold War\"). This second part "
    "covers the two decades after the collapse of the USSR (1991-2012): the post-Cold War situation, NATO "
    "enlargement, the missile-defence deal of the NATO-Russia Council's Lisbon summit (November 2010) and the "
    "disputes that followed up to NATO's Chicago summit (May 2012), and nuclear disarmament; its keywords are "
    "Russia, NATO, cooperation, missiles, disarmament, expansion, defense. It mentions the ongoing crisis in "
    "Ukraine, so it was written in 2014 or later. The technical claims checked here come from its section "
    "\"The Missile defence deal\" and its conclusion; many of them report what officials or analysts said "
    "(cited in the article as [Creedon: 2012], [Bridge: 2012], ...), and the ledger checks the physics of what "
    "is said, not who said it.")

VBO_ASSUMPTION = ("every speed threshold is a burnout speed vbo: the interceptor's speed relative to its launcher "
                  "at the end of the burn (the number the literature quotes), reached at every launch elevation; "
                  "the interceptor also carries its site's velocity from the Earth's rotation (up to 0.47 km/s)")

# the ledger's verdicts before issue 10 changed the interceptor model (vbo now the burnout speed at every
# elevation, the site's rotation carried; before: a constant acceleration reaching vbo on a non-rotating
# Earth), from the claims.json of the last run before that change; a verdict that differs is reported
VERDICTS_BEFORE_ISSUE_10 = {
    "C1": "supported", "C2": "not supported", "C3": "depends", "C4": "depends", "C5": "depends",
    "C6": "supported", "C7": "supported", "C8": "supported", "C9": "depends", "C10": "depends", "C11": "depends",
    "C12": "not supported", "C13": "depends", "C14": "supported", "C15": "supported",
}

PHASES = ("epaa-phase-1", "epaa-phase-2", "epaa-phase-3", "epaa-phase-4")


@dataclass
class Claim:
    id: str
    quote: str
    line: int
    title: str
    run: Callable  # (Context) -> dict(verdict, fact, threshold, tables, numbers, assumptions, scenario, figures)
    context: str = ""  # the passage around the quote, verbatim ("[…]" where a footnote interrupts it)
    asserts: str = ""  # one sentence: what the claim asserts, in the terms the ledger checks


@dataclass
class Context:
    """Shared, cached computations (threats solved once; matrices once per architecture), made exactly as
    the commands a table's "Reproduce" line names make them."""

    out_dir: Path
    envelope_grid_deg: float = 4.0
    figures: dict = field(default_factory=dict)
    figure_format: str = "png"
    dpi: int | None = None
    catalog: object = None  # a bmdsim.model.catalogs.Catalog; None: the built-ins

    @property
    def cat(self):
        from bmdsim.model.catalogs import resolve_catalog

        return resolve_catalog(self.catalog)

    @cached_property
    def deterrent_threats(self):
        from bmdsim.analysis.deterrent import deterrent_threats

        return deterrent_threats(catalog=self.catalog)

    def case(self, scenario: str, variant: str | None = None):
        """The scenario with ``variant`` merged in (``base`` by default for a scenario with variants)."""
        from bmdsim.model.scenario import analysis_cases, load_scenario

        scn = load_scenario(scenario, self.catalog)
        which = variant if variant is not None else ("base" if scn.variants and scn.base else None)
        cases = analysis_cases(scn, which)
        if len(cases) != 1:
            raise BmdsimError(f"scenario {scenario!r} has variants; the ledger needs one")
        return cases[0][1]

    def dm(self, scenario: str, vbo_kms: float | None = None, variant: str | None = None):
        """The deterrent matrix as ``bmdsim deterrent SCENARIO [--variant V] [--vbo-kms X]`` computes it."""
        key = (scenario, vbo_kms, variant)
        cache = self.__dict__.setdefault("_dm", {})
        if key not in cache:
            from bmdsim.analysis.deterrent import deterrent_matrix

            v = self.case(scenario, variant)
            cache[key] = deterrent_matrix(v.architecture, vbo_kms=vbo_kms if vbo_kms is not None else v.options.vbo_kms,
                                          decision_time_s=v.options.decision_time_s, threats=self.deterrent_threats,
                                          catalog=self.catalog)
        return cache[key]

    def run(self, scenario: str, vbo_kms: float | None = None, decision_time_s: float | None = None):
        """The scenario run as ``bmdsim run SCENARIO [--vbo-kms X] [--decision-time-s T]`` computes it."""
        key = (scenario, vbo_kms, decision_time_s)
        cache = self.__dict__.setdefault("_runs", {})
        if key not in cache:
            from bmdsim.analysis.run import run_scenario
            from bmdsim.model.scenario import load_scenario

            cache[key] = run_scenario(load_scenario(scenario, self.catalog), vbo_kms=vbo_kms,
                                      decision_time_s=decision_time_s, catalog=self.catalog)
        return cache[key]

    @cached_property
    def envelope(self):
        from bmdsim.analysis.envelope import safe_envelope, write_envelope

        env = safe_envelope(grid_deg=self.envelope_grid_deg, threats=self.envelope_threats, catalog=self.catalog)
        write_envelope(env, self.out_dir / "envelope", figure_format=self.figure_format, dpi=self.dpi)
        self.figures["envelope"] = f"envelope/envelope.{self.figure_format}"
        return env

    @cached_property
    def envelope_threats(self):
        from bmdsim.analysis.envelope import envelope_threats

        return envelope_threats(catalog=self.catalog)

    def envelope_at(self, lat: float, lon: float):
        """The safe envelope of one 0.1-deg cell centred on a point, as ``bmdsim criteria --derive --grid 0.1
        --lat LAT-0.05:LAT+0.05 --lon LON-0.05:LON+0.05`` computes it."""
        from bmdsim.analysis.envelope import safe_envelope

        box = (round(lon - 0.05, 6), round(lon + 0.05, 6), round(lat - 0.05, 6), round(lat + 0.05, 6))
        return safe_envelope(grid_deg=0.1, bbox=box, threats=self.envelope_threats, catalog=self.catalog), box


# ------------------------------------------------------------------------------------------- helpers
def _share(x):
    return None if x is None else round(float(x), 4)


def _pct(x) -> str:
    return "" if x is None else f"{100.0 * float(x):.1f}"


def _kms(x) -> str:
    return "none up to 11" if x is None else f"{x:g}"


def _table(title: str, rows: list[dict], reproduce: str, note: str = "") -> dict:
    return {"title": title, "rows": rows, "reproduce": reproduce, "note": note}


def _deterrent_numbers(dm) -> dict:
    s = dm.summary()
    return {"deterrent_trajectories": s["trajectories"], "engageable": s["engageable"],
            "share_engageable": s["share_engageable"], "least_vbo_that_engages_kms": s["min_vbo_needed_kms"],
            "best_site_vbo_kms": max(x.kin.vbo_m_s for x in dm.table.architecture.sites) / 1e3}


def _deterrent_row(name: str, n: dict) -> dict:
    return {"scenario": name, "trajectories flown": n["deterrent_trajectories"], "engageable": n["engageable"],
            "fastest site's burnout speed (km/s)": f"{n['best_site_vbo_kms']:g}",
            "least burnout speed that engages any, all sites (km/s)": _kms(n["least_vbo_that_engages_kms"])}


def _iran_numbers(run) -> dict:
    r = run.summary()["runs"][0]
    return {"iran_threats": r["threats"], "share_engageable": r["share_engageable"],
            "share_two_shots": r["share_two_shots"]}


def _iran_row(name: str, n: dict) -> dict:
    return {"scenario": name, "Iranian threats flown": n["iran_threats"],
            "engageable by a site (%)": _pct(n["share_engageable"]),
            "two shoot-look-shoot shots (%)": _pct(n["share_two_shots"])}


def _det_cmd(names, vbo=None, variant=None) -> str:
    names = [names] if isinstance(names, str) else list(names)
    opt = (f" --vbo-kms {vbo:g}" if vbo is not None else "") + (f" --variant {variant}" if variant else "")
    return "; ".join(f"bmdsim deterrent {n}{opt}" for n in names) + " (summary.json)"


def _run_cmd(names, vbo=None, decision=None, what="summary.json") -> str:
    names = [names] if isinstance(names, str) else list(names)
    opt = (f" --vbo-kms {vbo:g}" if vbo is not None else "") + (f" --decision-time-s {decision:g}"
                                                                  if decision is not None else "")
    return "; ".join(f"bmdsim run {n}{opt}" for n in names) + f" ({what})"


# --------------------------------------------------------------------------------------- claims
def c1(ctx):
    rows = {name: _deterrent_numbers(ctx.dm(name)) for name in ("third-site-2007",) + PHASES[:3]}
    later = sum(rows[n]["engageable"] for n in PHASES[:3])
    gbi_needed = rows["third-site-2007"]["least_vbo_that_engages_kms"]
    phase_need = [r["least_vbo_that_engages_kms"] for n, r in rows.items() if n != "third-site-2007"]
    phase_need = min((x for x in phase_need if x is not None), default=None)
    sens = {v: ctx.dm("third-site-2007", vbo_kms=v).summary()["engageable"] for v in (6.0, 7.5, 9.0)}
    total = rows["epaa-phase-1"]["deterrent_trajectories"]
    fast = max(rows[n]["best_site_vbo_kms"] for n in PHASES[:3])
    fact = (f"Phases I-III engage {later} of the {total} Russian ICBM/SLBM trajectories toward the US at their "
            f"catalog burnout speeds (fastest {fast:g} km/s); the 2007 GBI site engages "
            f"{rows['third-site-2007']['engageable']} at its catalog 6.3 km/s and would need "
            f"{_kms(gbi_needed)} km/s.")
    return {"verdict": "supported" if later == 0 else "not supported", "fact": fact,
            "sensitivity": {"third_site_engageable_at_vbo_kms": sens},
            "scenario": "third-site-2007, epaa-phase-1..3 vs the deterrent threat sets",
            "threshold": (f"Phases I-III would engage Russian trajectories only at a burnout speed of "
                          f"{_kms(phase_need)} km/s or more (every site set to it); the 2007 GBI site from "
                          f"{_kms(gbi_needed)} km/s (MDA 6.3 km/s; Postol about 9 km/s)."),
            "tables": [
                _table("Russian ICBM/SLBM trajectories toward the US engageable, at catalog burnout speeds",
                       [_deterrent_row(n, r) for n, r in rows.items()], _det_cmd(rows)),
                _table("The 2007 third site (GBI at Redzikowo) at other burnout speeds",
                       [{"GBI burnout speed (km/s)": f"{v:g}", "trajectories engageable": e} for v, e in sens.items()],
                       "; ".join(_det_cmd("third-site-2007", v) for v in sens)),
            ],
            "numbers": rows,
            "assumptions": ["catalog interceptor burnout speeds", "sensors and links as in each scenario"]}


def c2(ctx):
    iib = ctx.cat.interceptor("SM-3-IIB").vbo_kms
    dm = ctx.dm("epaa-phase-4")
    need = dm.summary()["min_vbo_needed_kms"]
    hi = ctx.dm("epaa-phase-4", vbo_kms=iib.high).summary()["engageable"]
    n = _deterrent_numbers(dm)
    n.update({"iib_catalog_vbo_kms": iib.value, "iib_plausible_range_kms": [iib.low, iib.high],
              "engageable_at_high_end": hi})
    if n["engageable"] > 0:
        verdict = "supported"
    elif need is not None and need <= iib.high:
        verdict = "depends"
    else:
        verdict = "not supported"
    fact = (f"At the IIB's catalog {iib.value:g} km/s Phase IV engages {n['engageable']} of "
            f"{n['deterrent_trajectories']} Russian trajectories, at the top of its plausible range ({iib.high:g} "
            f"km/s) {hi}; the least burnout speed that engages any is {_kms(need)} km/s, "
            + ("inside" if need is not None and need <= iib.high else "outside") + " that range.")
    return {"verdict": verdict, "fact": fact, "scenario": "epaa-phase-4 vs the deterrent threat sets",
            "threshold": f"SM-3 IIB at Redzikowo/Deveselu engages Russian ICBM/SLBM trajectories only at a burnout "
                         f"speed of {_kms(need)} km/s or more (catalog {iib.value:g}, plausible {iib.low:g}-"
                         f"{iib.high:g} km/s), with cueing as in the scenario",
            "tables": [_table("Phase IV against the Russian ICBM/SLBM trajectories toward the US", [
                {"IIB burnout speed (km/s)": f"{iib.value:g} (catalog)", "trajectories flown":
                 n["deterrent_trajectories"], "engageable": n["engageable"]},
                {"IIB burnout speed (km/s)": f"{iib.high:g} (top of the plausible range)", "trajectories flown":
                 n["deterrent_trajectories"], "engageable": hi},
                {"IIB burnout speed (km/s)": f"{_kms(need)} (least that engages any)", "trajectories flown":
                 n["deterrent_trajectories"], "engageable": "at least 1" if need is not None else "none"}],
                f"{_det_cmd('epaa-phase-4')}; {_det_cmd('epaa-phase-4', iib.high)}")],
            "numbers": n, "assumptions": ["IIB design never fixed: burnout speed notional",
                                          "launch on own or linked fire-control tracks"]}


SHIP_VARIANTS = {"base": "SM-3-IIA", "block-ia": "SM-3-IA", "block-ib": "SM-3-IB", "block-iib": "SM-3-IIB"}
PATROL_POINTS = ("baltic", "north_sea", "norwegian_sea", "barents_sea")


def c3(ctx):
    from bmdsim.core import geodesy

    per, engaged = {}, []
    for var, block in SHIP_VARIANTS.items():
        dm = ctx.dm("ships-forward", variant=var)
        ok = dm.trajectories.ok
        per[block] = {s: int(dm.table.engageable[ok, j].sum()) for j, s in enumerate(dm.table.site_names)}
        for i in np.nonzero(ok)[0]:
            for j, site in enumerate(dm.table.architecture.sites):
                if dm.table.engageable[i, j]:
                    d, _, _ = geodesy.inverse(dm.threats.launch_lat[i], dm.threats.launch_lon[i], site.lat_deg,
                                              site.lon_deg)
                    engaged.append({"SM-3 block": block, "ship": site.name, "launch": dm.threats.launch_id[i],
                                    "missile": dm.threats.missile[i], "target": dm.threats.aim_id[i],
                                    "launch to ship (km)": round(float(d) / 1e3)})
    # with a fire-control track at burnout + 30 s: the highest harmless burnout speed at each patrol point
    safe, boxes = {}, {}
    for pid in PATROL_POINTS:
        p = ctx.cat.place(pid)
        env, box = ctx.envelope_at(p.lat_deg, p.lon_deg)
        safe[pid] = env.summary()["min_safe_vbo_kms"]
        boxes[pid] = box
    if engaged:
        launches = sorted({e["launch"] for e in engaged})
        ships = sorted({e["ship"] for e in engaged})
        kinds = sorted({e["missile"] for e in engaged})
        dist = [e["launch to ship (km)"] for e in engaged]
        span = f"about {min(dist):,} km" if max(dist) - min(dist) <= 10 else f"{min(dist):,}-{max(dist):,} km"
        fact = (f"The only engageable trajectories are {', '.join(kinds)} launched from {', '.join(launches)}, "
                f"{span} from the {' and '.join(ships)} ship(s) that engage them "
                f"({len(engaged)} ship-trajectory pairs over the four SM-3 blocks); every other ship and trajectory "
                "is out of reach or too late.")
    else:
        fact = "No forward ship engages any Russian trajectory with any SM-3 block."
    finite = [v for v in safe.values() if v is not None]
    lowest = min(finite) if finite else None
    fig = _c3_figure(ctx, engaged)
    return {"verdict": "depends" if engaged or finite else "not supported", "fact": fact, "figures": [fig],
            "scenario": "ships-forward (the base case with SM-3 IIA, and variants block-ia, block-ib, block-iib) vs "
                        "the deterrent threat sets",
            "threshold": ("With their own SPY-1 radars and early-warning cueing the forward ships engage only the "
                          "trajectories listed; with a fire-control track 30 s after the threat's burnout, a ship at "
                          f"a patrol point engages nothing up to a burnout speed of {_kms(lowest)} km/s (the most "
                          "exposed point) and something above it."),
            "tables": [
                _table("Trajectories each forward ship engages, by SM-3 block (ships' own radars, cued)",
                       [{"SM-3 block": b, **{f"{s} (trajectories)": n for s, n in v.items()}} for b, v in per.items()],
                       _det_cmd("ships-forward") + ", one folder per variant: base = SM-3 IIA, block-ia, block-ib, "
                       "block-iib; by_site"),
                _table("The engageable ship-trajectory pairs", engaged,
                       _det_cmd("ships-forward") + " then deterrent.csv of each variant, rows with engageable = True"),
                _table("Highest harmless burnout speed at each patrol point, with a fire-control track at burnout + "
                       "30 s (SM-3 IIA's other parameters)",
                       [{"patrol point": pid, "highest burnout speed engaging nothing (km/s)": _kms(v)}
                        for pid, v in safe.items()],
                       "; ".join(f"bmdsim criteria --derive --grid 0.1 --lat={b[2]:g}:{b[3]:g} --lon={b[0]:g}:{b[1]:g}"
                                 for b in boxes.values()) + " (summary.json: min_safe_vbo_kms)"),
            ],
            "numbers": {"engageable_by_ship_and_variant": per, "engaged": engaged,
                        "highest_harmless_vbo_with_perfect_tracking_kms": safe},
            "assumptions": ["patrol points are estimates", "SLBM launch areas are notional points"]}


def _c3_figure(ctx, engaged) -> str:
    """Map: the forward ships, their radars' fields of regard, the SLBM launch areas and the ground tracks of
    the trajectories a ship engages (with any SM-3 block)."""
    from bmdsim.io import figures, files, layers
    from bmdsim.model.architecture import resolve

    arch = resolve(ctx.case("ships-forward").architecture, catalog=ctx.catalog)
    dm = ctx.dm("ships-forward")
    tracks, seen = [], set()
    for e in engaged:
        key = (e["launch"], e["missile"], e["target"])
        i = next(k for k in range(dm.threats.n) if (dm.threats.launch_id[k], dm.threats.missile[k],
                                                     dm.threats.aim_id[k]) == key)
        if key in seen or not dm.trajectories.ok[i]:
            continue
        seen.add(key)
        t, lat, lon, _, _, _ = dm.trajectories.samples_geodetic(i)
        tracks.append(figures.Track(lat, lon, "ground track of an engaged trajectory"))
    markers = [figures.Marker(s.lat_deg, s.lon_deg, s.name, "site") for s in arch.sites]
    for pid in ("barents", "white_sea"):
        p = ctx.cat.place(pid)
        markers.append(figures.Marker(p.lat_deg, p.lon_deg, f"{pid} (SLBM launch area)", "launch"))
    fans = [figures.Fan(f.lat_deg, f.lon_deg, f.boresight_deg, f.half_width_deg, f.range_km, f.name)
            for f in layers.radar_fields(arch) if f.range_km < 3000]
    name = f"c3-forward-ships.{ctx.figure_format}"
    files.check_dir_writable(ctx.out_dir)
    figures.plot_map(ctx.out_dir / name, markers=markers, fans=fans, tracks=tracks, view=(-30.0, 60.0, 50.0, 88.0),
                     projection="polar",
                     title="C3: forward ships and the Russian trajectories they can engage (any SM-3 block)",
                     dpi=ctx.dpi or figures.DEFAULT_DPI)
    return name


def _c13_figure(ctx, launches: dict, targets: list) -> str:
    """Map: Iskander's reach (nominal range) from each launch area and the EPAA sites."""
    from bmdsim.io import figures, files

    rng = ctx.cat.missile("Iskander").nominal_range_km.value
    markers, rings = [], []
    for lname, lid in launches.items():
        p = ctx.cat.place(lid)
        markers.append(figures.Marker(p.lat_deg, p.lon_deg, lname, "launch"))
        rings.append(figures.Ring(p.lat_deg, p.lon_deg, rng, f"Iskander nominal range {rng:,.0f} km"))
    markers += [figures.Marker(ctx.cat.place(t).lat_deg, ctx.cat.place(t).lon_deg, t, "site") for t in targets]
    name = f"c13-iskander.{ctx.figure_format}"
    files.check_dir_writable(ctx.out_dir)
    figures.plot_map(ctx.out_dir / name, markers=markers, rings=rings, title="C13: Iskander's reach and the EPAA sites",
                     dpi=ctx.dpi or figures.DEFAULT_DPI)
    return name


CRITERIA_EXAMPLE = {"name": "numbers-and-areas", "max_vbo_kms": 5.5,
                    "forbidden_zones": [{"name": "north of 56N", "cap": {"north_of_deg": 56.0}}]}


def c4(ctx):
    import yaml

    from bmdsim.analysis.criteria import Criteria, check_limits, verdict
    from bmdsim.io import files
    from bmdsim.model.architecture import resolve

    env = ctx.envelope
    sm = env.summary()
    crit = Criteria.model_validate(CRITERIA_EXAMPLE)
    files.write_atomic(files.check_dir_writable(ctx.out_dir) / "numbers-and-areas.yaml",
                       yaml.safe_dump(CRITERIA_EXAMPLE, sort_keys=False))
    out, rows = {}, []
    for scen in ("epaa-phase-3", "epaa-phase-4"):
        v = ctx.case(scen)
        lim = check_limits(resolve(v.architecture, catalog=ctx.catalog), crit)
        dm = ctx.dm(scen, vbo_kms=None)
        text = verdict(lim, dm.summary()["engageable"], dm.summary()["trajectories"])
        out[scen] = {"limits_met": all(x["met"] for x in lim), "verdict": text}
        rows.append({"scenario": scen, "written limits met": "yes" if out[scen]["limits_met"] else "no",
                     "verdict": text})
    g = env.lat_deg[1] - env.lat_deg[0]
    fact = (f"Anywhere on the {g:g}-deg grid over Europe and its seas, a site is harmless to the Russian deterrent up "
            f"to {sm['min_safe_vbo_kms']} km/s (the worst cell; median cell {sm['median_safe_vbo_kms']} km/s) if it "
            "gets a fire-control track 30 s after the threat's burnout: a cap on burnout speed below that, with the "
            "areas, is a limit that physics can check.")
    return {"verdict": "depends", "fact": fact,
            "scenario": "safe envelope (criteria --derive) + an example limit set",
            "threshold": (f"A technical limit suffices only if it caps burnout speed below the safe envelope where "
                          f"sites may stand: anywhere on the grid a site is harmless up to {sm['min_safe_vbo_kms']} "
                          f"km/s (worst cell), median {sm['median_safe_vbo_kms']} km/s, assuming launch 30 s after "
                          "burnout."),
            "tables": [
                _table("Safe envelope: highest burnout speed engaging no Russian trajectory, over the grid", [
                    {"grid (deg)": f"{g:g}", "cells": sm["cells"],
                     "worst cell (km/s)": _kms(sm["min_safe_vbo_kms"]),
                     "median cell (km/s)": _kms(sm["median_safe_vbo_kms"]),
                     "cells safe at every tested speed": sm["cells_safe_at_top"]}],
                    f"bmdsim criteria --derive --grid {g:g} (summary.json)"),
                _table("An example limit set (burnout speed at most 5.5 km/s, no site north of 56 N) against two "
                       "phases", rows,
                       "bmdsim criteria epaa-phase-3 --criteria numbers-and-areas.yaml; bmdsim criteria epaa-phase-4 "
                       "--criteria numbers-and-areas.yaml (the criteria file is in this folder)"),
            ],
            "numbers": {"envelope": sm, "example_limits": out},
            "assumptions": ["perfect early tracking (most conservative)", f"grid {g:g} deg"],
            "figures": [f"envelope/envelope.{ctx.figure_format}"]}


def _ru_nato(run):
    tab = run.tables[0]
    ok = run.trajectories.ok
    names = tab.site_names
    ru = [j for j, n in enumerate(names) if n.startswith("ru-")]
    nato = [j for j, n in enumerate(names) if not n.startswith("ru-")]
    return tab.engageable[ok][:, ru].any(axis=1), tab.engageable[ok][:, nato].any(axis=1), int(ok.sum())


def c5(ctx):
    by_ru, by_nato, n_thr = _ru_nato(ctx.run("sectoral-medvedev"))
    n = {"iran_threats": n_thr, "engageable_by_russian_sites": int(by_ru.sum()),
         "engageable_by_nato_sites": int(by_nato.sum()), "only_russian": int((by_ru & ~by_nato).sum()),
         "neither": int((~by_ru & ~by_nato).sum())}
    sens = {}
    for v in (3.0, 6.0):
        r2, _, _ = _ru_nato(ctx.run("sectoral-medvedev", vbo_kms=v))
        sens[v] = int(r2.sum())
    fact = (f"The Russian sites (notional 4.5 km/s interceptors) engage {n['engageable_by_russian_sites']} of the "
            f"{n_thr} Iranian threats to European capitals, and {n['only_russian']} that no NATO site engages.")
    return {"verdict": "depends", "fact": fact, "sensitivity": {"russian_sites_engage_at_vbo_kms": sens},
            "scenario": "sectoral-medvedev vs iran-to-europe",
            "threshold": (f"A Russian-territory defense with a notional burnout speed of 4.5 km/s engages "
                          f"{n['engageable_by_russian_sites']} of {n_thr} Iranian threats to European capitals "
                          f"({sens[3.0]} at 3 km/s, {sens[6.0]} at 6 km/s); it covers Europe only where trajectories "
                          "pass within the Russian sites' reach."),
            "tables": [
                _table("Iranian threats to European capitals, by who can engage them", [
                    {"Iranian threats flown": n_thr, "by a Russian site": n["engageable_by_russian_sites"],
                     "by a NATO site": n["engageable_by_nato_sites"], "only by a Russian site": n["only_russian"],
                     "by neither": n["neither"]}],
                    _run_cmd("sectoral-medvedev", what="engagements.csv: threats with engageable = True at a site "
                                                       "ru-* / at another site")),
                _table("Threats a Russian site engages at other burnout speeds (every site set to it)",
                       [{"burnout speed (km/s)": f"{v:g}", "engaged by a Russian site": e} for v, e in sens.items()],
                       "; ".join(_run_cmd("sectoral-medvedev", v, what="engagements.csv") for v in sens)),
            ],
            "numbers": n, "assumptions": ["Russian interceptor and site locations notional"]}


def c6(ctx):
    from bmdsim.analysis.stability import exchange, force_with_defense

    iran = _iran_numbers(ctx.run("epaa-phase-3"))
    dm = ctx.dm("epaa-phase-3")
    rus = _deterrent_numbers(dm)
    t = exchange(force_with_defense(dm)).totals
    verdict = "supported" if (iran["share_engageable"] or 0) > 0.5 and rus["engageable"] == 0 else "depends"
    sens = {d: _iran_numbers(ctx.run("epaa-phase-3", decision_time_s=d))["share_engageable"] for d in (60.0, 120.0)}
    fact = (f"Phase III engages {_pct(iran['share_engageable'])} % of the Iranian threats to European capitals and "
            f"{rus['engageable']} of the {rus['deterrent_trajectories']} Russian trajectories toward the US; "
            f"{_pct(t['share_penetrating'])} % of Russian warheads penetrate in the exchange.")
    return {"verdict": verdict, "fact": fact, "sensitivity": {"iran_share_with_decision_s": sens},
            "scenario": "epaa-phase-3 vs iran-to-europe and vs the deterrent threat sets",
            "threshold": "holds while no site reaches the burnout speed at which Russian trajectories become "
                         f"engageable ({_kms(rus['least_vbo_that_engages_kms'])} km/s for these sites)",
            "tables": [
                _table("Against Iran", [_iran_row("epaa-phase-3", iran)], _run_cmd("epaa-phase-3")),
                _table("Against Russia", [_deterrent_row("epaa-phase-3", rus)
                                          | {"warheads penetrating (%)": _pct(t["share_penetrating"])}],
                       _det_cmd("epaa-phase-3") + "; bmdsim stability epaa-phase-3 (stability.json: totals)"),
                _table("Iranian threats engageable with a slower decision",
                       [{"decision time (s)": f"{d:g}", "engageable (%)": _pct(x)} for d, x in sens.items()],
                       "; ".join(_run_cmd("epaa-phase-3", decision=d) for d in sens)),
            ],
            "numbers": {"iran": iran, "russia": rus, "penetrating_share": _share(t["share_penetrating"])},
            "assumptions": ["no decoys needed to defeat the defense in this count"]}


def c7(ctx):
    rows = {n: _deterrent_numbers(ctx.dm(n)) for n in PHASES}
    early = all(rows[n]["engageable"] == 0 for n in PHASES[:3])
    verdict = "supported" if early and rows["epaa-phase-4"]["engageable"] == 0 else ("depends" if early else
                                                                                    "not supported")
    sens, sens_rows = {}, []
    for n in rows:
        hi = max(ctx.cat.interceptor(s.interceptor).vbo_kms.high or 0 for s in ctx.dm(n).table.architecture.sites)
        e = ctx.dm(n, vbo_kms=hi).summary()["engageable"]
        sens[f"{n}_engageable_at_{hi}_kms"] = e
        sens_rows.append({"scenario": n, "burnout speed, all sites (km/s)": f"{hi:g}", "engageable": e})
    total = sum(r["engageable"] for r in rows.values())
    fact = (f"At catalog burnout speeds the four phases engage {total} Russian ICBM/SLBM trajectories toward the US "
            f"(of {rows['epaa-phase-1']['deterrent_trajectories']}); at the top of each phase's plausible speeds, "
            + ", ".join(f"{r['scenario']} {r['engageable']}" for r in sens_rows) + ".")
    return {"verdict": verdict, "fact": fact, "sensitivity": sens,
            "scenario": "epaa-phase-1..4 vs the deterrent threat sets",
            "threshold": "true for every phase at catalog burnout speeds; the least burnout speed that would engage is "
                         "in the table",
            "tables": [_table("Russian trajectories engageable, at catalog burnout speeds",
                              [_deterrent_row(n, r) for n, r in rows.items()], _det_cmd(PHASES)),
                       _table("At the top of the plausible burnout speed of the phase's fastest interceptor", sens_rows,
                              "; ".join(_det_cmd(r["scenario"], float(r["burnout speed, all sites (km/s)"]))
                                        for r in sens_rows))],
            "numbers": rows, "assumptions": ["catalog interceptor burnout speeds and sites"]}


def c8(ctx):
    sweep = {v: ctx.dm("epaa-phase-3", vbo_kms=v).summary()["engageable"] for v in (3.0, 4.0, 5.0, 6.0, 7.0, 8.0)}
    fwd = ctx.dm("ships-forward").summary()["engageable"]
    now = ctx.dm("epaa-phase-3").summary()["engageable"]
    first = ctx.dm("epaa-phase-3").summary()["min_vbo_needed_kms"]
    fact = (f"The deployed Phase III sites engage {now} Russian trajectories at their catalog speeds and start to "
            f"from a burnout speed of {_kms(first)} km/s; SM-3 IIA ships at forward patrol points engage {fwd}.")
    return {"verdict": "supported" if now == 0 and first is not None else "depends", "fact": fact,
            "scenario": "epaa-phase-3 with the burnout speed swept; ships-forward (locations)",
            "threshold": f"the deployed sites start to engage Russian trajectories at a burnout speed of {_kms(first)} "
                         f"km/s; forward ships engage {fwd} already at SM-3 IIA speed",
            "tables": [_table("Phase III sites at faster burnout speeds (every site set to it)",
                              [{"burnout speed (km/s)": f"{v:g}", "Russian trajectories engageable": e}
                               for v, e in sweep.items()],
                              "; ".join(_det_cmd("epaa-phase-3", v) for v in sweep)),
                       _table("New locations", [{"scenario": "epaa-phase-3 (catalog)", "engageable": now},
                                                {"scenario": "ships-forward (SM-3 IIA)", "engageable": fwd}],
                              f"{_det_cmd('epaa-phase-3')}; {_det_cmd('ships-forward', variant='base')}")],
            "numbers": {"engageable_vs_vbo_kms": sweep, "phase3_at_catalog": now, "ships_forward": fwd},
            "assumptions": ["sensors and sites as in the scenarios"]}


def _per_missile(run) -> dict:
    tab = run.tables[0]
    ok = run.trajectories.ok
    out = {}
    for m in sorted(set(run.threats.missile)):
        sel = ok & (np.array(run.threats.missile) == m)
        out[m] = _share(tab.engageable[sel].any(axis=1).mean()) if sel.any() else None
    return out


def c9(ctx):
    by_phase = {n: _per_missile(ctx.run(n)) for n in PHASES}
    missiles = sorted({m for v in by_phase.values() for m in v})
    first = {m: next((n for n, v in by_phase.items() if (v.get(m) or 0) >= 0.9), "no phase") for m in missiles}
    slow = {n: _iran_numbers(ctx.run(n, decision_time_s=120.0))["share_engageable"] for n in by_phase}
    fact = ("Each Iranian missile type's trajectories to European capitals are at least 90 % engageable from: "
            + ", ".join(f"{m} {n}" for m, n in first.items()) + ".")
    return {"verdict": "depends", "fact": fact, "sensitivity": {"share_engageable_with_120_s_decision": slow},
            "scenario": "epaa-phase-1..4 vs iran-to-europe, by missile type",
            "threshold": "first phase engaging >= 90 % of each missile type's trajectories to European capitals: "
                         + ", ".join(f"{m}: {n}" for m, n in first.items())
                         + "; an Iranian ICBM aimed at the US is outside these threat sets",
            "tables": [_table("Share of each missile type's threats engageable (%), by phase",
                              [{"scenario": n, **{f"{m} (%)": _pct(v.get(m)) for m in missiles}}
                               for n, v in by_phase.items()],
                              _run_cmd(PHASES, what="engagements.csv: per missile, threats engageable at a site")),
                       _table("All Iranian threats engageable with a 120 s decision time",
                              [{"scenario": n, "engageable (%)": _pct(x)} for n, x in slow.items()],
                              _run_cmd(PHASES, decision=120.0))],
            "numbers": by_phase, "assumptions": ["threat types from the catalog; launch areas notional"]}


def c10(ctx):
    base = ctx.run("epaa-phase-3")
    jdf = ctx.run("joint-data-fusion")
    tb, tj = base.tables[0], jdf.tables[0]
    ok = base.trajectories.ok
    with np.errstate(invalid="ignore"):
        d_launch = np.nanmean(tb.launch_earliest_s[ok] - tj.launch_earliest_s[ok])
    n = {"phase3": _iran_numbers(base), "joint_data_fusion": _iran_numbers(jdf),
         "mean_earlier_launch_s": None if not np.isfinite(d_launch) else round(float(d_launch), 1),
         "deterrent_engageable_phase3": ctx.dm("epaa-phase-3").summary()["engageable"],
         "deterrent_engageable_joint": ctx.dm("joint-data-fusion").summary()["engageable"]}
    better = (n["joint_data_fusion"]["share_two_shots"] or 0) > (n["phase3"]["share_two_shots"] or 0) or \
        (n["mean_earlier_launch_s"] or 0) > 0
    same_exposure = n["deterrent_engageable_joint"] == n["deterrent_engageable_phase3"]
    sens = {name: _iran_numbers(ctx.run(name, decision_time_s=120.0)) for name in ("epaa-phase-3", "joint-data-fusion")}
    fact = (f"With Russian radar data the sites launch {n['mean_earlier_launch_s']} s earlier on average and two "
            f"shots are possible against {_pct(n['joint_data_fusion']['share_two_shots'])} % of Iranian threats "
            f"(NATO alone {_pct(n['phase3']['share_two_shots'])} %); Russian trajectories engageable: "
            f"{n['deterrent_engageable_joint']} with joint data, {n['deterrent_engageable_phase3']} without.")
    return {"verdict": "supported" if better and same_exposure else "depends", "fact": fact,
            "sensitivity": {"with_120_s_decision": sens},
            "scenario": "joint-data-fusion vs epaa-phase-3",
            "threshold": "Russian early-warning data cue NATO radars (earlier tracks) without giving fire control; "
                         "they change the exposure of the Russian force only if they change the deterrent counts",
            "tables": [_table("Against Iran", [_iran_row("epaa-phase-3", n["phase3"]),
                                               _iran_row("joint-data-fusion", n["joint_data_fusion"])],
                              _run_cmd(("epaa-phase-3", "joint-data-fusion"))),
                       _table("Earlier launch and Russian exposure", [{
                           "mean earlier launch with joint data (s)": n["mean_earlier_launch_s"],
                           "Russian trajectories engageable, epaa-phase-3": n["deterrent_engageable_phase3"],
                           "Russian trajectories engageable, joint-data-fusion": n["deterrent_engageable_joint"]}],
                              _run_cmd(("epaa-phase-3", "joint-data-fusion"), what="engagements.csv: "
                                       "launch_earliest_s") + "; " + _det_cmd(("epaa-phase-3", "joint-data-fusion"))),
                       _table("With a 120 s decision time", [_iran_row(k, v) for k, v in sens.items()],
                              _run_cmd(("epaa-phase-3", "joint-data-fusion"), decision=120.0))],
            "numbers": n, "assumptions": ["Russian radars' tracks are cue-quality"]}


def c11(ctx):
    run = ctx.run("nrc-options")
    out = {}
    for lab, tab in zip(run.labels, run.tables, strict=True):
        ok = run.trajectories.ok
        with np.errstate(invalid="ignore"):
            earliest = float(np.nanmean(np.where(np.isfinite(tab.launch_earliest_s[ok]),
                                                 tab.launch_earliest_s[ok], np.nan)))
        out[lab.get("variant", "base")] = {"share_engageable": _share(tab.engageable[ok].any(axis=1).mean()),
                                           "share_two_shots": _share((tab.shots[ok] >= 2).any(axis=1).mean()),
                                           "mean_earliest_launch_s": round(earliest, 1)}
    best = max(out, key=lambda k: (out[k]["share_two_shots"] or 0, -(out[k]["mean_earliest_launch_s"] or 0)))
    fact = (f"Every option engages {', '.join(sorted({_pct(v['share_engageable']) for v in out.values()}))} % of "
            f"the Iranian threats; the most two-shot opportunities and earliest launches come with {best} "
            f"({_pct(out[best]['share_two_shots'])} % two shots).")
    return {"verdict": "depends", "fact": fact, "scenario": "nrc-options (five variants) vs iran-to-europe",
            "threshold": "kinematically each side can fire on its own tracks; fire-control integration adds shots "
                         "and earlier launches as shown",
            "tables": [_table("The five options against the Iranian threats", [
                {"option": k, "engageable (%)": _pct(v["share_engageable"]),
                 "two shots (%)": _pct(v["share_two_shots"]), "mean earliest launch (s after the threat's launch)":
                 v["mean_earliest_launch_s"]} for k, v in out.items()],
                _run_cmd("nrc-options", what="summary.json runs; engagements.csv: launch_earliest_s"))],
            "numbers": out, "assumptions": ["option encodings are this project's (see the scenario file)"]}


def c12(ctx):
    rows = {n: {"iran_share_engageable": _iran_numbers(ctx.run(n))["share_engageable"],
                "russian_engageable": ctx.dm(n).summary()["engageable"]} for n in PHASES}
    against_iran = all((r["iran_share_engageable"] or 0) > 0 and r["russian_engageable"] == 0 for r in rows.values())
    sens = {n: ctx.dm(n, vbo_kms=6.0).summary()["engageable"] for n in rows}
    fact = ("Every phase engages Iranian threats to European capitals ("
            + ", ".join(f"{n} {_pct(r['iran_share_engageable'])} %" for n, r in rows.items())
            + ") and Russian trajectories toward the US: "
            + ", ".join(f"{n} {r['russian_engageable']}" for n, r in rows.items()) + ".")
    return {"verdict": "not supported" if against_iran else "depends", "fact": fact,
            "sensitivity": {"russian_engageable_at_6_kms": sens},
            "scenario": "epaa-phase-1..4: Iran coverage vs exposure of Russian trajectories",
            "threshold": "the geometry and burnout speeds cover Iranian threats to Europe and no Russian ICBM/SLBM "
                         "trajectory",
            "tables": [_table("Iran coverage and Russian exposure, by phase", [
                {"scenario": n, "Iranian threats engageable (%)": _pct(r["iran_share_engageable"]),
                 "Russian trajectories engageable": r["russian_engageable"],
                 "Russian trajectories engageable at 6 km/s": sens[n]} for n, r in rows.items()],
                _run_cmd(PHASES) + "; " + _det_cmd(PHASES) + "; " + _det_cmd(PHASES, 6.0))],
            "numbers": rows, "assumptions": ["catalog burnout speeds"]}


def c13(ctx):
    from bmdsim.core import geodesy
    from bmdsim.model.trajectories import solve_trajectories

    launches = {"Kaliningrad (Pionersky)": "pionersky", "southern Russia (Armavir area)": "armavir"}
    targets = ["redzikowo", "deveselu", "kurecik", "brdy_emr_2007", "ramstein"]
    rows = []
    for lname, lid in launches.items():
        lp = ctx.cat.place(lid)
        for t in targets:
            tp = ctx.cat.place(t)
            d, _, _ = geodesy.inverse(lp.lat_deg, lp.lon_deg, tp.lat_deg, tp.lon_deg)
            ts = solve_trajectories("Iskander", lp.lat_deg, lp.lon_deg, tp.lat_deg, tp.lon_deg, step_s=None,
                                    catalog=ctx.catalog)
            ok = bool(ts.ok[0])
            rows.append({"from": lname, "target": t, "distance_km": round(float(d) / 1e3),
                         "in_reach": ok, "flight_time_s": round(float(ts.events_t_s[0, 3]), 0) if ok else None})
    reach = [r for r in rows if r["in_reach"]]
    fig = _c13_figure(ctx, launches, targets)
    fact = ("Iskander reaches " + (", ".join(f"{r['target']} from {r['from']} ({r['flight_time_s']:.0f} s)"
                                              for r in reach) or "no EPAA site")
            + "; the other sites are beyond its reach from these launch areas.")
    return {"verdict": "depends", "fact": fact, "figures": [fig],
            "scenario": "Iskander (500 km) from Kaliningrad and southern Russia vs EPAA sites",
            "threshold": "in reach (flight time): " + (", ".join(
                f"{r['target']} from {r['from']} ({r['flight_time_s']:.0f} s)" for r in reach) or "none"),
            "tables": [_table("Iskander against the EPAA sites", [
                {"from": r["from"], "target": r["target"], "distance (km)": r["distance_km"],
                 "in reach": "yes" if r["in_reach"] else "no",
                 "flight time (s)": "" if r["flight_time_s"] is None else f"{r['flight_time_s']:.0f}"} for r in rows],
                "; ".join(f"bmdsim trajectory --missile Iskander --from {launches[r['from']]} --to {r['target']}"
                          for r in rows) + " (flight_time_s; beyond reach: a one-line error)")],
            "numbers": rows, "assumptions": ["Iskander kinematics notional (see catalog)"]}


def c14(ctx):
    from bmdsim.analysis.stability import exchange, force_with_defense, sensitivity

    out, sens = {}, {}
    for n, var in (("epaa-phase-4", None), ("ships-forward", "base")):
        f = force_with_defense(ctx.dm(n, variant=var))
        t = exchange(f).totals
        out[n] = {"warheads": t["warheads"], "killed": round(t["killed"], 1),
                  "share_penetrating": _share(t["share_penetrating"])}
        sens[n] = min(r["penetrating"] for r in sensitivity(f))
    verdict = "supported" if all((v["share_penetrating"] or 0) >= 0.95 for v in out.values()) else "depends"
    fact = ("Of the Russian warheads, " + ", ".join(f"{_pct(v['share_penetrating'])} % penetrate with {n}"
                                                   for n, v in out.items())
            + "; over the sensitivity grid (Pk, decoys, inventory) the fewest penetrating is "
            + ", ".join(f"{x:,.0f} ({n})" for n, x in sens.items()) + ".")
    return {"verdict": verdict, "fact": fact,
            "sensitivity": {"fewest_penetrating_over_pk_decoys_inventory_grid": sens},
            "scenario": "exchange calculator with epaa-phase-4 and ships-forward",
            "threshold": "at least 95 % of Russian warheads penetrate in every deployment considered",
            "tables": [_table("Exchange (no first strike)", [
                {"scenario": n, "warheads": f"{v['warheads']:,.0f}", "killed": v["killed"],
                 "penetrating (%)": _pct(v["share_penetrating"]),
                 "fewest penetrating over the sensitivity grid": f"{sens[n]:,.0f}"} for n, v in out.items()],
                "bmdsim stability epaa-phase-4; bmdsim stability ships-forward --variant base (stability.json: totals, "
                "sensitivity)")],
            "numbers": out, "assumptions": ["no first strike; Pk 0.7; two shots per object; no decoys"]}


def c15(ctx):
    names = ("epaa-phase-3", "joint-data-fusion", "sectoral-medvedev")
    nums = {n: _iran_numbers(ctx.run(n)) for n in names}
    base, jdf, sec = (nums[n] for n in names)
    better = (jdf["share_two_shots"] or 0) > (base["share_two_shots"] or 0) or \
        (sec["share_two_shots"] or 0) > (base["share_two_shots"] or 0)
    sens = {n: _iran_numbers(ctx.run(n, decision_time_s=120.0))["share_two_shots"] for n in names}
    fact = ("Two shoot-look-shoot shots are possible against " + ", ".join(
        f"{_pct(v['share_two_shots'])} % ({n})" for n, v in nums.items()) + " of the Iranian threats; coverage is "
        + ", ".join(f"{_pct(v['share_engageable'])} %" for v in nums.values()) + ".")
    return {"verdict": "supported" if better else "depends", "fact": fact,
            "sensitivity": {"share_two_shots_with_120_s_decision": sens},
            "scenario": "joint-data-fusion and sectoral-medvedev vs epaa-phase-3 (NATO alone)",
            "threshold": "better means more threats with two shoot-look-shoot opportunities (coverage is already "
                         "complete with Phase III)",
            "tables": [_table("Against the Iranian threats to European capitals",
                              [_iran_row(n, v) for n, v in nums.items()], _run_cmd(names)),
                       _table("Two shots (%) with a 120 s decision time",
                              [{"scenario": n, "two shots (%)": _pct(x)} for n, x in sens.items()],
                              _run_cmd(names, decision=120.0))],
            "numbers": {"nato_alone": base, "joint_data_fusion": jdf, "sectoral": sec},
            "assumptions": ["Russian interceptor notional in the sectoral case"]}


CLAIMS = [
    Claim("C1", "the initial stages of the new approach no longer foresaw capability to target Russian ICBMs", 463,
          "EPAA Phases I-III vs the 2007 third site", c1,
          context="Obama's decision to curtail missile defense systems in Central Europe had a positive effect on the "
                  "U.S.-Russian relationship as the initial stages of the new approach no longer foresaw capability to "
                  "target Russian ICBMs in addition to potential Iranian ones; this dual capability was the main "
                  "reason Russia had cited in opposing the missile defense plans of the previous administration.",
          asserts="The first three phases of the 2009 European Phased Adaptive Approach cannot engage Russian ICBMs, "
                  "unlike the 2007 plan for interceptors in Poland."),
    Claim("C2", "SM-3 Block IIB interceptors that are intended to intercept Iranian strategic missiles, but could, in "
                "theory, also intercept Russian ICBMs", 552, "Phase IV and Russian ICBMs", c2,
          context="While Obama's decision has somewhat alleviated the tension that had dominated the U.S.-Russian "
                  "discourse during the George W. Bush administration, Russian concerns now centre around Phase IV of "
                  "the current program, set to begin in 2018, which will feature SM-3 Block IIB interceptors that are "
                  "intended to intercept Iranian strategic missiles, but could, in theory, also intercept Russian "
                  "ICBMs.",
          asserts="Phase IV's SM-3 Block IIB, meant for Iranian long-range missiles, could also engage Russian ICBMs."),
    Claim("C3", "moving ships equipped with interceptors in the Baltic Sea and to the north of Russian territory i.e., "
                "on the path of Russian missiles launched toward the United States", 558, "Forward ships", c3,
          context="The prospect of the United States moving ships equipped with interceptors in the Baltic Sea and to "
                  "the north of Russian territory i.e., on the path of Russian missiles launched toward the United "
                  "States appears particularly troubling to Moscow, especially since such deployment would take little "
                  "time to implement.",
          asserts="Interceptor ships in the Baltic and the seas north of Russia would stand under the paths of Russian "
                  "missiles flying to the United States, and so could engage them."),
    Claim("C4", "Moscow wants to establish legally binding limits on the future system: although Moscow has not "
                "precisely defined the parameters of such limits, these clearly include the number and the deployment "
                "areas of interceptors and some have also indicated the desirability of limits on the technical "
                "features of interceptors", 570, "Legally binding limits and the safe envelope", c4,
          context="To prevent such a development, Moscow wants to establish legally binding limits on the future "
                  "system: although Moscow has not precisely defined the parameters of such limits, these clearly "
                  "include the number and the deployment areas of interceptors and some have also indicated the "
                  "desirability of limits on the technical features of interceptors",
          asserts="Written limits on the number, the deployment areas and the technical features (speed) of "
                  "interceptors could keep the system from threatening Russia's deterrent."),
    Claim("C5", "Medvedev proposed a \"sectoral\" approach to the defense of Europe", 487, "Sectoral defense", c5,
          context="Medvedev proposed a \"sectoral\" approach to the defense of Europe. According to his proposal "
                  "Russia would be responsible for the defense of Europe from missile launches from […] the South-East "
                  "effectively, from Iran so that NATO would not need to create a missile defense in the Eastern and "
                  "South-Eastern sector i.e., one that could be theoretically used against Russia.",
          asserts="Interceptors on Russian territory could defend Europe against missiles launched from Iran."),
    Claim("C6", "effective enough against a nuclear novice like Iran but will be useless against a sophisticated "
                "nuclear force like Russia’s", 689, "Effective vs Iran, useless vs Russia", c6,
          context="NATO says the defense, while facing daunting technical challenges, will be effective enough against "
                  "a nuclear novice like Iran but will be useless against a sophisticated nuclear force like Russia’s.",
          asserts="The NATO system engages Iranian missiles aimed at Europe and cannot blunt Russia's strategic "
                  "force."),
    Claim("C7", "“not positioned or designed to intercept” Russian longrange missiles", 695, "MDA's statement", c7,
          context="U.S. Missile Defense Agency officials claim the system is “not positioned or designed to intercept” "
                  "Russian longrange missiles [Creedon: 2012].",
          asserts="No phase of the EPAA, where it stands and with its interceptors' speeds, can engage Russian "
                  "long-range missiles flying to the United States."),
    Claim("C8", "the hardware being deployed in the next six years is not the problem. However, Russia says its "
                "Ministry of Defense simulations show that modernized sensors and faster interceptor missiles in "
                "greater numbers and locations are worrying", 703, "Faster interceptors and new locations", c8,
          context="Moscow accepts that the hardware being deployed in the next six years is not the problem. However, "
                  "Russia says its Ministry of Defense simulations show that modernized sensors and faster interceptor "
                  "missiles in greater numbers and locations are worrying.",
          asserts="Today's hardware does not threaten Russia, but faster interceptors or new locations would."),
    Claim("C9", "Joint NATO-Russia and U.S.-Russia intelligence assessments of the missile threat have already been "
                "successfully completed and should convince Russia that NATO’s plans are appropriate for the "
                "anticipated threat", 749, "Appropriate to the anticipated threat", c9,
          context="Yet there are many opportunities for cooperation, and progress has already been made. Joint "
                  "NATO-Russia and U.S.-Russia intelligence assessments of the missile threat have already been "
                  "successfully completed and should convince Russia that NATO’s plans are appropriate for the "
                  "anticipated threat.",
          asserts="The phases of the plan match the Iranian missile threat as it was expected to grow."),
    Claim("C10", "Washington now proposes joint early warning and response planning centers", 785,
          "Joint early warning", c10,
          context="Both sides agree that either side could pull the trigger, but there is no consensus yet on whether "
                  "or how the two systems could be fully integrated. Washington now proposes joint early warning and "
                  "response planning centers – an idea originally suggested by Moscow in 2007.",
          asserts="Sharing early-warning data with Russia would improve the defence of Europe without exposing "
                  "Russia's deterrent."),
    Claim("C11", "the group has begun analyzing five concrete options for joint operations. Both sides agree that "
                 "either side could pull the trigger", 775, "The five NRC options", c11,
          context="Using computer simulations, the group has begun analyzing five concrete options for joint "
                  "operations. Both sides agree that either side could pull the trigger, but there is no consensus yet "
                  "on whether or how the two systems could be fully integrated.",
          asserts="In each of the five options for joint operations each side can still fire on its own, and the "
                  "options differ in how well they defend."),
    Claim("C12", "The European missile defense system is certainly designed not to defend from a mythical threat on "
                 "the part of Iran and North Korea, but from what Western politicians believe could be a possible "
                 "attack by Russian ballistic missiles", 637, "Designed against Russia?", c12,
          context="The European missile defense system is certainly designed not to defend from a mythical threat on "
                  "the part of Iran and North Korea, but from what Western politicians believe could be a possible "
                  "attack by Russian ballistic missiles, according to him any NATO military plans classify the Russian "
                  "nuclear missile potential as posing a threat to the alliance, which envisions certain measures to "
                  "neutralize [Bridge: 2012].",
          asserts="The system's geometry and speeds suit Russian ballistic missiles rather than Iranian ones (a "
                  "Russian view the article reports)."),
    Claim("C13", "Russia’s plans to deploy tactical missile systems near the NATO borders are absolutely justified. "
                 "The same thing concerns the creation of other forces and systems capable of destroying or disabling "
                 "missile systems on the territories of neighboring states", 611, "Iskander vs EPAA sites", c13,
          context="In light of these developments Russia’s plans to deploy tactical missile systems near the NATO "
                  "borders are absolutely justified. The same thing concerns the creation of other forces and systems "
                  "capable of destroying or disabling missile systems on the territories of neighboring states.",
          asserts="Tactical missiles (Iskander) near NATO's borders could strike the missile-defence sites in "
                  "neighbouring states."),
    Claim("C14", "It is very difficult to see the U.S. plan for missile defenses in Europe over the next decade posing "
                 "any serious threat to Russian strategic missiles", 1464, "The conclusion", c14,
          context="While it is reasonable for the Russians to be concerned that missile defenses could affect the "
                  "offense-defense relationship that is a concern for the future. It is very difficult to see the U.S. "
                  "plan for missile defenses in Europe over the next decade posing any serious threat to Russian "
                  "strategic missiles.",
          asserts="Over the next decade the US missile defences in Europe could stop only a negligible share of "
                  "Russia's strategic warheads."),
    Claim("C15", "provide for a better defense of Europe than just a NATO system alone", 1480,
          "Cooperation defends Europe better", c15,
          context="A cooperative missile defense arrangement would be a significant achievement. It would remove one "
                  "of the thornier issues from the U.S.-Russia and NATO-Russia agendas; provide for a better defense "
                  "of Europe than just a NATO system alone; and give the Russian military greater transparency about "
                  "U.S. and NATO missile defense capabilities.",
          asserts="A NATO-Russia arrangement (shared data or Russian interceptors) defends Europe better than NATO "
                  "alone."),
]


def run_claims(out_dir, only: list[str] | None = None, progress=None, envelope_grid_deg: float = 4.0,
               figure_format: str = "png", dpi: int | None = None, catalog=None) -> list[dict]:
    """Run the ledger (or the claims in ``only``); returns one record per claim. ``figure_format`` /
    ``dpi``: the figures' format (png, svg, pdf) and resolution. ``catalog``: the catalog context (a
    :class:`bmdsim.model.catalogs.Catalog`; None, the default, is the built-ins: the ledger's verdicts
    are about the built-in catalog unless told otherwise)."""
    ids = [c.id for c in CLAIMS]
    if only:
        bad = [x for x in only if x not in ids]
        if bad:
            raise BmdsimError(f"unknown claim id(s) {', '.join(bad)}; valid: {', '.join(ids)}")
    ctx = Context(Path(out_dir), envelope_grid_deg=envelope_grid_deg, figure_format=figure_format, dpi=dpi,
                  catalog=catalog)
    records = []
    todo = [c for c in CLAIMS if not only or c.id in only]
    for k, c in enumerate(todo):
        res = c.run(ctx)
        before = VERDICTS_BEFORE_ISSUE_10.get(c.id)
        records.append({"id": c.id, "title": c.title, "quote": c.quote, "context": c.context,
                        "asserts": c.asserts, "place": f"line {c.line} of the article's text",
                        "scenario": res["scenario"], "verdict": res["verdict"], "fact": res["fact"],
                        "threshold": res["threshold"], "tables": res["tables"], "numbers": res["numbers"],
                        "assumptions": res["assumptions"], "figures": res.get("figures", []),
                        "sensitivity": res.get("sensitivity", {}), "verdict_before_issue_10": before,
                        "reproduce": f"bmdsim claims --only {c.id}"})
        if progress:
            progress(k + 1, len(todo))
    return records


def _cell(v):
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    return "" if v is None else v


def write_claims(records: list[dict], out_dir) -> list[Path]:
    """claims.json (every record, machine-readable) and report.html / report.md (a brief: the article, then per
    claim the passage, what it asserts, the verdict and the fact deciding it, tables with units, each with the
    command that regenerates it, figures, assumptions; verdicts changed by issue 10 said plainly)."""
    from bmdsim.io import files
    from bmdsim.io.report import write_report

    out = files.check_dir_writable(out_dir)
    paths = [files.write_atomic(out / "claims.json", json.dumps(records, indent=2, default=_json) + "\n")]
    changed = [r for r in records if r.get("verdict_before_issue_10") not in (None, r["verdict"])]
    intro = [ARTICLE_DESCRIPTION,
             "Each technical claim is quoted verbatim with the passage around it and turned into scenarios run by "
             "bmdsim's engine. Verdicts: supported, not supported, or depends (with the threshold that decides). "
             "Every number below was computed when this report was written, and every table comes with the command "
             "that regenerates it (built-in scenarios: bmdsim scenarios; bmdsim show NAME).",
             "Speeds: " + VBO_ASSUMPTION + "."]
    if changed:
        intro.append("Verdicts changed by issue 10's interceptor model (burnout speed at every elevation, the site's "
                     "rotation carried): " + "; ".join(
                         f"{r['id']} ({r['title']}) was {r['verdict_before_issue_10']}, is now {r['verdict']}"
                         for r in changed) + ".")
    elif any(r.get("verdict_before_issue_10") for r in records):
        intro.append("No verdict changed with issue 10's interceptor model (burnout speed at every elevation, the "
                     "site's rotation carried).")
    sections = [{"heading": "What this is", "paragraphs": intro,
                 "rows": [{"id": r["id"], "claim": r["title"], "verdict": r["verdict"],
                           "before issue 10": r.get("verdict_before_issue_10") or ""} for r in records]}]
    for r in records:
        paras = [f"“{r['context'] or r['quote']}” ({r['place']})",
                 f"What it asserts: {r['asserts']}" if r.get("asserts") else "",
                 f"Verdict: {r['verdict']}. Deciding fact: {r['fact']}",
                 f"Threshold: {r['threshold']}"]
        before = r.get("verdict_before_issue_10")
        if before and before != r["verdict"]:
            paras.append(f"Changed: this verdict was “{before}” before issue 10's interceptor model (burnout speed at "
                         f"every elevation, the site's rotation carried); it is “{r['verdict']}” now.")
        paras += [f"Scenarios: {r['scenario']}.", "Assumptions: " + "; ".join(r["assumptions"]) + "."]
        sections.append({"heading": f"{r['id']}: {r['title']} — {r['verdict']}",
                         "paragraphs": [p for p in paras if p],
                         "images": [out / f for f in r["figures"] if (out / f).exists()]})
        for t in r["tables"]:
            sections.append({"heading": t["title"], "level": 3, "paragraphs": [t["note"]] if t["note"] else [],
                             "rows": [{k: _cell(v) for k, v in row.items()} for row in t["rows"]],
                             "command": t["reproduce"]})
    paths += write_report(out, "bmdsim claims ledger: NATO-Russia missile defense, 2010-2012", sections,
                          command="bmdsim claims")
    return paths


def _json(x):
    if isinstance(x, np.integer | np.bool_):
        return x.item()
    if isinstance(x, np.floating):
        return None if not np.isfinite(x) else float(x)
    return str(x)
