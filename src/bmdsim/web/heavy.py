"""The worker process's jobs: footprint, deterrent matrix, safe envelope, claims ledger.

Each job takes its parameters (validated by the server before it was queued) and a
:class:`bmdsim.web.jobs.Reporter`; it calls the library, reports progress and partial results, writes
the files the CLI writes for the same analysis into ``rep.out_dir`` and returns the result dict (with
``files``: the names written). ``p["catalog"]`` is the request's catalog context (None: the built-ins),
passed to every library call. Nothing here reads a path from a request.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np

NO_CITIES = 10**12  # min_city_population for the preliminary passes: no city evaluated


def warm_up() -> None:
    """Compile or load numba kernels and build the catalog interceptors' fly-out tables."""
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.core.flyout import build_flyout_table
    from bmdsim.core.flyout_path import warm
    from bmdsim.model.architecture import resolve
    from bmdsim.model.catalogs import Catalog
    from bmdsim.model.scenario import builtin_names, expand_variants, load_scenario
    from bmdsim.model.trajectories import solve_one

    arch = None
    for name in builtin_names():
        try:
            arch = resolve(expand_variants(load_scenario(name))[0].scenario.architecture)
        except Exception:  # noqa: BLE001, S112 - a scenario another change broke must not stop the server
            continue
        for s in arch.sites:
            build_flyout_table(s.kin)
            warm(s.kin)
    for icp in Catalog.builtin().interceptors.values():
        kin = icp.kinematics()
        build_flyout_table(kin)
        warm(kin)
    if arch is not None:
        ts = solve_one("Iran-IRBM", (35.7, 51.4), (38.0, 23.7), step_s=5.0)
        run_engagements(arch, ts)


def _classes_json(fp) -> list[list[int]]:
    return fp.classes().astype(int).tolist()


def grid_passes(grid_deg: float, bbox=None) -> list[float]:
    """Coarse-to-fine passes ending at the requested grid: x4, x2, x1 (within the library's 0.05..10 deg),
    leaving out a coarse pass whose cells do not fit in ``bbox`` (lon_min, lon_max, lat_min, lat_max; the
    library refuses a box smaller than one cell)."""
    from bmdsim.analysis.grids import make_grid
    from bmdsim.errors import BmdsimError

    def fits(g: float) -> bool:
        try:
            make_grid(bbox, g)
        except BmdsimError:
            return False
        return True

    coarse = [g for g in (4 * grid_deg, 2 * grid_deg) if g <= 10.0 and grid_deg <= 2.5]
    return [g for g in coarse if bbox is None or fits(g)] + [grid_deg]


def footprint_job(p: dict, rep) -> dict:
    """Defended-area footprint, computed coarse to fine: each pass is the library's footprint at that
    grid (so every partial result is a true footprint at a coarser grid; the last pass is the answer,
    with the city coverage), then the folder the CLI writes (NetCDF, GeoJSON, KML, map, report)."""
    from bmdsim.analysis.footprint import footprint, write_footprint
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.io.report import write_report
    from bmdsim.model.architecture import resolve

    cat = p.get("catalog")
    arch = resolve(p["arch_spec"], vbo_kms=p["vbo_kms"], decision_time_s=p["decision_time_s"], catalog=cat)
    passes = grid_passes(p["grid_deg"], p["bbox"])
    t0 = time.monotonic()
    fp = None
    for n, g in enumerate(passes, start=1):
        def cb(done, total, n=n, g=g):
            rep.emit("progress", {"job": rep.job_id, "stage": "footprint", "pass": n, "passes": len(passes),
                                  "grid_deg": g, "done": done, "total": total})

        rep.emit("progress", {"job": rep.job_id, "stage": "footprint", "pass": n, "passes": len(passes),
                              "grid_deg": g, "done": 0, "total": None})
        final = n == len(passes)
        fp = footprint(arch, p["missiles"], p["launch"], grid_deg=g, k=p["k"], bbox=p["bbox"], step_s=p["step_s"],
                       min_city_population=500_000 if final else NO_CITIES, progress=cb, catalog=cat)
        rep.emit("partial", {"job": rep.job_id, "pass": n, "passes": len(passes), "grid_deg": g,
                             "compute_s": round(time.monotonic() - t0, 2), "bbox": list(p["bbox"]),
                             "lat_deg": [round(float(x), 4) for x in fp.lat_deg],
                             "lon_deg": [round(float(x), 4) for x in fp.lon_deg],
                             "classes": _classes_json(fp), "summary": fp.summary()})
    rep.emit("progress", {"job": rep.job_id, "stage": "writing files", "pass": len(passes), "passes": len(passes),
                          "done": 0, "total": None})
    out = rep.out_dir
    inputs = {"launch_area": p["launch"][2], "grid_deg": p["grid_deg"], "k_shots": p["k"],
              "bbox": ",".join(f"{x:g}" for x in p["bbox"]), "vbo_kms": p["vbo_kms"],
              "decision_time_s": p["decision_time_s"]}
    scn = p.get("variant")
    prov = static_provenance(scenario=scn, arch=arch, missiles=fp.missiles, inputs=inputs, catalog=cat)
    paths = [write_scenario(out, scn, cat)] if scn is not None else []
    paths += write_footprint(fp, out, arch.sites, arch=arch, provenance=prov)
    sm = fp.summary()
    paths += write_report(out, f"Defended area: {arch.name} vs {', '.join(fp.missiles)} from {p['launch'][2]}", [
        {"heading": "Result", "paragraphs": [
            f"{sm['cells_defended']} of {sm['cells_threatened']} threatened grid cells are defended with at least "
            f"{p['k']} shot(s) ({(sm['share_cells_defended'] or 0):.1%}); {sm['cities_defended']} of "
            f"{sm['cities_threatened']} threatened cities with at least 500,000 inhabitants "
            f"({(sm['share_population_defended'] or 0):.1%} of their population)."],
         "images": [out / "footprint.png"]},
        {"heading": "Cities", "rows": [{"city": c["city"], "country": c["country"], "population": c["population"],
                                        "defended": c["defended"]} for c in fp.cities
                                       if c["threatened"] and c["counted"]]},
    ], command="bmdsim serve (explorer): footprint", provenance=prov)
    return {"kind": "footprint", "grid_deg": p["grid_deg"], "bbox": list(p["bbox"]),
            "lat_deg": [round(float(x), 4) for x in fp.lat_deg], "lon_deg": [round(float(x), 4) for x in fp.lon_deg],
            "classes": _classes_json(fp), "summary": sm, "cities": fp.cities,
            "compute_s": round(time.monotonic() - t0, 2), "files": [x.name for x in paths]}


def _place_coords(ids, catalog=None) -> dict:
    from bmdsim.model.catalogs import resolve_catalog

    places = resolve_catalog(catalog).places
    out = {}
    for i in ids:
        p = places.get(i)
        if p is not None:
            out[i] = {"lat": p.lat_deg, "lon": p.lon_deg, "name": p.name}
    return out


def deterrent_job(p: dict, rep) -> dict:
    """The deterrent matrix (Russian ICBM bases and SLBM areas x US targets) as a heat map, with the CSV,
    figure and report the CLI writes."""
    from bmdsim.analysis.deterrent import deterrent_matrix, write_deterrent
    from bmdsim.analysis.stability import DEFAULT_FORCES
    from bmdsim.io.report import write_report
    from bmdsim.model.architecture import resolve

    def cb(done, total):
        rep.emit("progress", {"job": rep.job_id, "stage": "vbo ladder", "done": done, "total": total})

    rep.emit("progress", {"job": rep.job_id, "stage": "deterrent trajectories", "done": 0, "total": None})
    cat = p.get("catalog")
    dm = deterrent_matrix(p["arch_spec"], vbo_kms=p["vbo_kms"], decision_time_s=p["decision_time_s"], progress=cb,
                          catalog=cat)
    arch = resolve(p["arch_spec"], vbo_kms=p["vbo_kms"], decision_time_s=p["decision_time_s"], catalog=cat)
    wh = {f["missile"]: f["warheads_per_launcher"] for f in DEFAULT_FORCES["force"]}
    paths = write_deterrent(dm, rep.out_dir, wh)
    sm = dm.summary(wh)
    paths += write_report(rep.out_dir, f"Deterrent matrix: {arch.name}", [
        {"heading": "Result", "paragraphs": [
            f"{sm['engageable']} of {sm['trajectories']} Russian ICBM/SLBM trajectories toward US targets are "
            f"engageable ({sm['share_engageable']:.1%})."], "images": [rep.out_dir / "deterrent.png"]},
        {"heading": "Engageable trajectories", "rows": [r for r in dm.rows() if r["engageable"]][:200]},
    ], command="bmdsim serve (explorer): deterrent matrix")
    launches, targets, share = dm.heat()
    cells = {}
    for i in range(dm.threats.n):
        if dm.trajectories.ok[i]:
            cells.setdefault(f"{dm.threats.launch_id[i]}|{dm.threats.aim_id[i]}", []).append(
                {"missile": dm.threats.missile[i], "engageable": bool(dm.engageable[i])})
    return {"kind": "deterrent", "architecture": arch.name, "launches": launches, "targets": targets,
            "share": [[None if not math.isfinite(v) else round(float(v), 4) for v in row] for row in share],
            "cells": cells, "places": _place_coords(list(launches) + list(targets), cat),
            "launch_coords": {lid: [la, lo] for lid, la, lo in zip(dm.threats.launch_id, dm.threats.launch_lat,
                                                                    dm.threats.launch_lon, strict=True)},
            "target_coords": {aid: [la, lo] for aid, la, lo in zip(dm.threats.aim_id, dm.threats.aim_lat,
                                                                   dm.threats.aim_lon, strict=True)},
            "summary": sm, "files": [x.name for x in paths]}


def envelope_job(p: dict, rep) -> dict:
    """The safe envelope (highest harmless vbo per site position) with the files the CLI writes."""
    from bmdsim.analysis.envelope import safe_envelope, write_envelope

    def cb(done, total):
        rep.emit("progress", {"job": rep.job_id, "stage": "safe envelope", "done": done, "total": total})

    rep.emit("progress", {"job": rep.job_id, "stage": "deterrent trajectories", "done": 0, "total": None})
    env = safe_envelope(grid_deg=p["grid_deg"], template=p["template"], decision_time_s=p["decision_time_s"],
                        progress=cb, catalog=p.get("catalog"))
    paths = write_envelope(env, rep.out_dir)
    v = env.safe_vbo_kms
    return {"kind": "envelope", "grid_deg": p["grid_deg"], "lat_deg": [round(float(x), 4) for x in env.lat_deg],
            "lon_deg": [round(float(x), 4) for x in env.lon_deg],
            "safe_vbo_kms": [[None if not np.isfinite(x) else float(x) for x in row] for row in v],
            "ladder_kms": [float(env.ladder_kms[0]), float(env.ladder_kms[-1])], "summary": env.summary(),
            "files": [x.name for x in paths]}


def claims_job(p: dict, rep) -> dict:
    """The claims ledger (or the claims in ``only``) with its report."""
    from bmdsim.analysis.claims import run_claims, write_claims

    def cb(done, total):
        rep.emit("progress", {"job": rep.job_id, "stage": "claims", "done": done, "total": total})

    rep.emit("progress", {"job": rep.job_id, "stage": "claims", "done": 0, "total": None})
    records = run_claims(rep.out_dir, p["only"], progress=cb, envelope_grid_deg=p["envelope_grid_deg"],
                         catalog=p.get("catalog"))
    paths = write_claims(records, rep.out_dir)
    return {"kind": "claims", "records": json.loads(json.dumps(records, default=_plain)),
            "files": [x.name for x in paths]}


def _plain(x):
    if isinstance(x, np.integer | np.bool_):
        return x.item()
    if isinstance(x, np.floating):
        return None if not np.isfinite(x) else float(x)
    return str(x)


JOBS = {"footprint": footprint_job, "deterrent": deterrent_job, "envelope": envelope_job, "claims": claims_job}
