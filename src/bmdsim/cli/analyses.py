"""Analyses that write a folder: footprint, deterrent, criteria, stability."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bmdsim.cli.common import (
    CatalogOpt,
    DecisionOpt,
    DpiOpt,
    FigureFormat,
    FigureFormatOpt,
    ForceOpt,
    JobsOpt,
    LatOpt,
    LonOpt,
    OldBboxOpt,
    Projection,
    ProjectionOpt,
    QuietOpt,
    SchedulerOpt,
    VariantOpt,
    VboOpt,
    app,
    busy,
    check_figure_options,
    console,
    dask_options,
    fail,
    finish_cases,
    finish_folder,
    grid_box,
    print_table,
    progress_bar,
    scenario_cases,
    user_catalog,
    warn,
)

PANEL = "Analyses"


@app.command(rich_help_panel=PANEL)
def footprint(
    scenario: str = typer.Argument(..., help="scenario name or file (architecture and threat missiles)"),
    launch_area: str = typer.Option(..., "--launch-area", help="launch place id or LAT,LON"),
    missile: list[str] = typer.Option(None, "--missile", help="fly only these missiles (repeat, or comma-separated; "
                                      "default: the scenario's threat set)", show_default=False),
    places: str = typer.Option(None, "--places", help="named places to rate and label: capitals, cities (the listed "
                               "cities), a place category or place ids, comma-separated"),
    include_attacker: bool = typer.Option(False, "--include-attacker", help="count the attacker's own cities in "
                                          "the population share"),
    grid: float = typer.Option(0.25, "--grid", help="grid spacing (deg)"),
    k: int = typer.Option(1, "--k", help="shots required (2 = shoot-look-shoot)"),
    lat: Annotated[str | None, typer.Option("--lat", help="grid box latitudes LOW:HIGH (deg; N/S letters accepted; "
                                            "default: the threatened region, see the README)")] = None,
    lon: Annotated[str | None, typer.Option("--lon", help="grid box longitudes LOW:HIGH (deg; E/W letters accepted; "
                                            "default: the threatened region)")] = None,
    bbox: OldBboxOpt = None,
    variant: VariantOpt = None,
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    exact: bool = typer.Option(False, "--exact", help="evaluate every cell (no adaptive refinement)"),
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder (default out/footprint-NAME)"),
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    projection: ProjectionOpt = Projection.auto,
    place_labels: bool = typer.Option(False, "--place-labels", help="label the capitals on the map"),
    catalog: CatalogOpt = None,
    quiet: QuietOpt = False,
    force: ForceOpt = False,
) -> None:
    """Defended-area footprint: NetCDF (CF), map, GeoJSON, KML, city coverage, named places, report, provenance.

    Which capitals does Phase III defend against a Shahab-3 from Tabriz?
    bmdsim footprint epaa-phase-3 --missile Shahab-3 --launch-area tabriz --places capitals
    """
    from bmdsim.analysis.footprint import default_box, resolve_places
    from bmdsim.analysis.grids import make_grid
    from bmdsim.io import files
    from bmdsim.model.cities import candidate_cities
    from bmdsim.model.limits import check_work
    from bmdsim.model.places import parse_point
    from bmdsim.model.scenario import load_threat_set
    from bmdsim.model.surface import threat_warnings

    check_figure_options(dpi)
    if bbox is not None:
        grid_box("34:72", "-12:45", bbox)  # the removed option: its one-line error
    scn, cases = scenario_cases(scenario, variant, vbo_kms, decision_time_s, user_catalog(catalog))
    cat = cases[0].catalog
    if missile:
        names = [cat.missile(m.strip()).name for x in missile for m in x.split(",") if m.strip()]
        if not names:
            fail("--missile: give a missile name, e.g. --missile Shahab-3")
        names = list(dict.fromkeys(names))
    else:
        sets = {id(c): load_threat_set(c.scenario.threats) for c in cases}
        if any(ts.missiles == "deployed" for ts in sets.values()):
            fail(f"scenario {scn.name!r}: its threat set takes each base's deployed missiles; give --missile NAME")
        names = list(dict.fromkeys(m for ts in sets.values() for m in ts.missiles))
    la, lo, label = parse_point(launch_area, "--launch-area", cat)
    warn(threat_warnings(names, [la] * len(names), [lo] * len(names), [label] * len(names), catalog=cat))
    if lat is None and lon is None:
        box, box_rule = default_box(names, la, lo, cat)
    else:
        dbox, _ = default_box(names, la, lo, cat) if (lat is None or lon is None) else (None, "")
        box = grid_box(lat if lat is not None else f"{dbox[2]:g}:{dbox[3]:g}",
                       lon if lon is not None else f"{dbox[0]:g}:{dbox[1]:g}", None)
        box_rule = "as given (--lat/--lon)" + ("; the other bound from the threatened region" if dbox else "")
    g = make_grid(box, grid)
    if g.covers != g.asked:
        warn([f"footprint grid: {g.describe()}"])
    place_list = resolve_places(places, candidate_cities(g.covers) if places and "cities" in places else (), cat)
    coarser = "use a coarser --grid or a smaller --lat/--lon box" + (", or one --variant" if len(cases) > 1 else "")
    check_work("footprint", [("grid_cells", g.cells * len(cases), coarser),
                             ("trajectories", g.cells * len(names) * len(cases), coarser)], force)
    out = out or Path("out") / f"footprint-{scn.name}"
    files.check_dir_creatable(out)
    where = dask_options(scheduler, jobs)
    single = len(cases) == 1
    lat_txt, lon_txt = f"{box[2]:g}:{box[3]:g}", f"{box[0]:g}:{box[1]:g}"
    cmd = (f"bmdsim footprint scenario.yaml --launch-area {launch_area}"
           + "".join(f" --missile {m}" for m in names) + f" --grid {grid} --k {k} --lat={lat_txt} --lon={lon_txt}"
           + (f" --places {places}" if places else "") + (" --include-attacker" if include_attacker else "")
           + (f" --vbo-kms {vbo_kms}" if vbo_kms is not None else "")
           + (f" --decision-time-s {decision_time_s}" if decision_time_s is not None else "")
           + (" --exact" if exact else "") + f" --figure-format {figure_format.value} --dpi {dpi}"
           + f" --projection {projection.value}" + (" --place-labels" if place_labels else "")
           + " --out .   (in this folder)")
    entries = []
    for case in cases:
        entries.append(_footprint_case(
            case, case.folder(out, single), names, (la, lo, label), g, k, place_list, include_attacker, exact, where,
            quiet, {"launch_area": launch_area, "missiles": names, "grid_deg": grid, "k_shots": k,
                    "grid_box": {"lat": [box[2], box[3]], "lon": [box[0], box[1]], "rule": box_rule},
                    "places": places, "include_attacker": include_attacker, "vbo_kms": vbo_kms,
                    "decision_time_s": decision_time_s, "exact": exact, "variant": case.name or None},
            figure_format.value, dpi, projection.value, place_labels, cmd, box_rule))
    finish_cases(out, scn, cases, entries, "footprint")


def _footprint_case(case, out, names, launch, g, k, place_list, include_attacker, exact, where, quiet, inputs,
                    figure_format, dpi, projection, place_labels, cmd, box_rule) -> dict:
    """One case of ``bmdsim footprint``: compute, write the folder, print the result; the index's numbers."""
    from bmdsim.analysis.footprint import footprint as run_fp
    from bmdsim.analysis.footprint import write_footprint
    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.io.report import write_report

    files.check_dir_creatable(out)
    prog, cb = progress_bar(quiet, f"footprint of {case.label}")
    if prog:
        prog.start()
    try:
        fp = run_fp(case.arch, names, launch, grid_deg=g.step_deg, k=k, bbox=g.asked,
                    step_s=case.scenario.options.step_s, refine=not exact, progress=cb, places=place_list,
                    include_attacker=include_attacker, variant=case.name, catalog=case.catalog, **where)
    finally:
        if prog:
            prog.stop()
    prov = static_provenance(scenario=case.scenario, arch=case.arch, missiles=fp.missiles, inputs=inputs,
                             catalog=case.catalog)
    paths = [write_scenario(out, case.scenario, case.catalog)]
    paths += write_footprint(fp, out, case.arch.sites, arch=case.arch, figure_format=figure_format, dpi=dpi,
                             projection=projection, label_places=place_labels, provenance=prov)
    sm = fp.summary()
    counted = [c for c in fp.cities if c["counted"]]
    rows = [{"city": c["city"], "country": c["country"], "population": f"{c['population']:,}",
             "defended": "yes" if c["defended"] else "no"} for c in counted if c["threatened"]]
    left = [{"city": c["city"], "country": c["country"], "population": f"{c['population']:,}",
             "not counted because": c["note"]} for c in fp.cities if not c["counted"]]
    order = {"defended": 0, "threatened": 1, "out of range": 2}
    place_rows = [{"place": p["name"], "id": p["id"], "status": p["status"],
                   "fewest shots": "" if p["min_shots"] is None else p["min_shots"],
                   **{f"shots {m}": ("out of range" if p["shots"][m] is None else p["shots"][m]) for m in fp.missiles}}
                  for p in sorted(fp.places, key=lambda p: order[p["status"]])]
    sections = [{"heading": "Result", "paragraphs": [
        f"{sm['cells_defended']} of {sm['cells_threatened']} threatened grid cells are defended with at least "
        f"{k} shot(s) ({(sm['share_cells_defended'] or 0):.1%}); {sm['cities_defended']} of "
        f"{sm['cities_threatened']} threatened cities counted ({(sm['share_population_defended'] or 0):.1%} of "
        f"their population).", f"Grid box: lat {g.covers[2]:g}..{g.covers[3]:g}, lon {g.covers[0]:g}..{g.covers[1]:g} "
        f"({box_rule}); {g.step_deg:g}-deg cells, each standing for an aimpoint at its centre."],
        "images": [out / f"footprint.{figure_format}"]}]
    if place_rows:
        n_def = sum(p["status"] == "defended" for p in fp.places)
        n_thr = sum(p["status"] != "out of range" for p in fp.places)
        sections.append({"heading": "Named places", "paragraphs": [
            f"{n_def} of {n_thr} named places within reach are defended with at least {k} shot(s); shots are the best "
            "site's shoot-look-shoot opportunities against each missile's trajectory to the place (places.csv)."],
            "rows": place_rows})
    sections.append({"heading": "Cities", "paragraphs": [fp.city_rule], "rows": rows})
    if left:
        sections.append({"heading": "Cities not counted", "paragraphs": [
            "Listed in cities.csv with counted = False; the population share leaves them out for the reason given."],
            "rows": left})
    title = f"Defended area: {case.label} vs {', '.join(fp.missiles)} from {launch[2]}"
    paths += write_report(out, title, sections, command=cmd, provenance=prov)
    paths = finish_folder(out, paths)
    if not quiet:
        if fp.places:
            print_table(f"{case.label}: named places vs {', '.join(fp.missiles)} from {launch[2]} (k = {k})",
                        tuple(place_rows[0]), [tuple(str(v) for v in r.values()) for r in place_rows])
        console.print(f"{case.label}: {sm['cells_defended']}/{sm['cells_threatened']} cells defended, "
                      f"population share {sm['share_population_defended']}")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
    return {"cells defended": sm["cells_defended"], "cells threatened": sm["cells_threatened"],
            "share of cells": sm["share_cells_defended"], "share of population": sm["share_population_defended"],
            **({"places defended": sum(p["status"] == "defended" for p in fp.places)} if fp.places else {})}


@app.command(rich_help_panel=PANEL)
def deterrent(
    scenario: str = typer.Argument(..., help="scenario name or file (its architecture)"),
    variant: VariantOpt = None,
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder (default out/deterrent-NAME)"),
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    catalog: CatalogOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Deterrent matrix: Russian ICBM bases and SLBM areas x US targets; CSV (why not, least burnout speed), heat
    map, report."""
    from bmdsim.io import files

    check_figure_options(dpi)
    scn, cases = scenario_cases(scenario, variant, vbo_kms, decision_time_s, user_catalog(catalog))
    out = out or Path("out") / f"deterrent-{scn.name}"
    files.check_dir_creatable(out)
    where = dask_options(scheduler, jobs)
    single = len(cases) == 1
    cmd = ("bmdsim deterrent scenario.yaml" + (f" --vbo-kms {vbo_kms}" if vbo_kms is not None else "")
           + (f" --decision-time-s {decision_time_s}" if decision_time_s is not None else "")
           + f" --figure-format {figure_format.value} --dpi {dpi} --out .   (in this folder)")
    entries = [_deterrent_case(c, c.folder(out, single), vbo_kms, decision_time_s, where, quiet, figure_format.value,
                               dpi, cmd) for c in cases]
    finish_cases(out, scn, cases, entries, "deterrent")


VBO_MEANING = ("vbo is the interceptor's burnout speed (the speed the literature quotes), relative to its launcher; "
               "the interceptor also carries its site's velocity from the Earth's rotation")


def _deterrent_case(case, out, vbo_kms, decision_time_s, where, quiet, figure_format, dpi, cmd) -> dict:
    from bmdsim.analysis.deterrent import deterrent_matrix, write_deterrent
    from bmdsim.analysis.stability import DEFAULT_FORCES
    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.io.report import write_report

    files.check_dir_creatable(out)
    v = case.scenario
    prog, cb = progress_bar(quiet, f"deterrent matrix of {case.label}")
    if prog:
        prog.start()
    try:
        dm = deterrent_matrix(v.architecture, vbo_kms=vbo_kms if vbo_kms is not None else v.options.vbo_kms,
                              decision_time_s=(decision_time_s if decision_time_s is not None
                                               else v.options.decision_time_s), progress=cb,
                              catalog=case.catalog, **where)
    finally:
        if prog:
            prog.stop()
    wh = {f["missile"]: f["warheads_per_launcher"] for f in DEFAULT_FORCES["force"]}
    prov = static_provenance(scenario=v, arch=case.arch, missiles=sorted(set(dm.threats.missile)),
                             inputs={"vbo_kms": vbo_kms, "decision_time_s": decision_time_s,
                                     "variant": case.name or None}, catalog=case.catalog)
    paths = [write_scenario(out, v, case.catalog)]
    paths += write_deterrent(dm, out, wh, figure_format=figure_format, dpi=dpi, provenance=prov, label=case.label,
                             variant=case.name)
    sm = dm.summary(wh)
    rows = dm.rows()
    no = sorted((r for r in rows if not r["engageable"]),
                key=lambda r: (r["vbo_needed_kms"] is None, r["vbo_needed_kms"] or 0.0, r["launch"], r["target"]))
    why = [{"site": site, **{k: n for k, n in counts.items()}} for site, counts in sm["why_not"].items()]
    reasons = sorted({k for w in why for k in w if k != "site"})
    why = [{"site": w["site"], **{k: w.get(k, 0) for k in reasons}} for w in why]
    sections = [
        {"heading": "Result", "paragraphs": [
            f"{sm['engageable']} of {sm['trajectories']} Russian ICBM/SLBM trajectories toward US targets are "
            f"engageable ({sm['share_engageable']:.1%}); the least burnout speed vbo that would engage any, every "
            "site set to it, is "
            + (f"{sm['min_vbo_needed_kms']} km/s." if sm["min_vbo_needed_kms"] is not None
               else f"above {dm.vbo_ladder_kms[-1]:g} km/s (none engaged up to there)."),
            VBO_MEANING + "."],
         "images": [out / f"deterrent.{figure_format}"]},
        {"heading": "Why not: per site, the trajectories it cannot engage, by reason", "paragraphs": [
            "Reasons: not_detected (no sensor sees it), no_fire_control_track (seen, but no usable fire-control "
            "track), too_late (no intercept after the earliest launch), outside_altitude_band, out_of_reach (the "
            "interceptor cannot reach any point of the trajectory in time)."], "rows": why},
        {"heading": "Engageable trajectories", "rows": [r for r in rows if r["engageable"]][:200]},
        {"heading": "Not engageable: why, and the least burnout speed that would engage", "paragraphs": [
            "Sorted by that speed (vbo_needed_kms, every site set to it); the first 200 here, all of them in "
            "deterrent.csv (column why_not)."],
         "rows": [{k: r[k] for k in ("launch", "target", "missile", "why_not", "vbo_needed_kms")} for r in no][:200]},
    ]
    paths += write_report(out, f"Deterrent matrix: {case.label}", sections, command=cmd, provenance=prov)
    paths = finish_folder(out, paths)
    if not quiet:
        need = (f"{sm['min_vbo_needed_kms']} km/s" if sm["min_vbo_needed_kms"] is not None
                else f"none up to {dm.vbo_ladder_kms[-1]:g} km/s")
        console.print(f"{case.label}: {sm['engageable']}/{sm['trajectories']} deterrent trajectories engageable; "
                      f"least engaging burnout speed {need}")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
    return {"engageable": sm["engageable"], "trajectories": sm["trajectories"], "share": sm["share_engageable"],
            "least vbo that engages (km/s)": sm["min_vbo_needed_kms"]}


@app.command(rich_help_panel=PANEL)
def criteria(
    scenario: str = typer.Argument(None, help="scenario name or file (not needed with --derive)"),
    criteria_file: Path = typer.Option(None, "--criteria", help="criteria YAML file"),
    derive: bool = typer.Option(False, "--derive", help="derive the safe envelope map instead"),
    grid: float = typer.Option(1.0, "--grid", help="grid spacing for --derive (deg)"),
    lat: LatOpt = "30:80",
    lon: LonOpt = "-25:60",
    template: str = typer.Option("SM-3-IIA", "--template", help="interceptor whose other parameters are used"),
    variant: VariantOpt = None,
    decision_time_s: float = typer.Option(30.0, "--decision-time-s", help="launch at burnout + this (s)"),
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder"),
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    projection: ProjectionOpt = Projection.auto,
    catalog: CatalogOpt = None,
    quiet: QuietOpt = False,
    force: ForceOpt = False,
) -> None:
    """Check limits and physics for a deployment, or --derive the safe envelope (highest harmless vbo)."""

    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance
    from bmdsim.io.report import write_report

    check_figure_options(dpi)
    base = user_catalog(catalog)
    if derive:
        from bmdsim.analysis.envelope import envelope_sizes, safe_envelope, write_envelope
        from bmdsim.analysis.grids import make_grid
        from bmdsim.model.limits import check_work

        box = grid_box(lat, lon, None)
        g = make_grid(box, grid)
        if g.covers != g.asked:
            warn([f"safe-envelope grid: {g.describe()}"])
        check_work("criteria --derive", envelope_sizes(g, catalog=base), force)
        out = out or Path("out") / "safe-envelope"
        files.check_dir_creatable(out)
        prog, cb = progress_bar(quiet, "safe envelope")
        if prog:
            prog.start()
        try:
            env = safe_envelope(grid_deg=grid, bbox=box, template=template, decision_time_s=decision_time_s,
                                progress=cb, catalog=base, **dask_options(scheduler, jobs))
        finally:
            if prog:
                prog.stop()
        prov = static_provenance(inputs={"grid_deg": grid, "template": template, "decision_time_s": decision_time_s},
                                 catalog=base)
        paths = write_envelope(env, out, figure_format=figure_format.value, dpi=dpi, projection=projection.value,
                               provenance=prov)
        sm = env.summary()
        paths += write_report(out, "Safe envelope: the highest harmless interceptor vbo", [
            {"heading": "Result", "paragraphs": [
                f"Over {sm['cells']} cells, the lowest vbo that still engages no Russian ICBM or SLBM trajectory "
                f"toward the US is {sm['min_safe_vbo_kms']} km/s (median {sm['median_safe_vbo_kms']} km/s); "
                f"{sm['cells_safe_at_top']} cells are safe at every tested vbo. Assumption: launch "
                f"{decision_time_s:g} s after burnout (perfect early warning and fire-control tracking)."],
             "images": [out / f"envelope.{figure_format.value}"]}],
            command=f"bmdsim criteria --derive --grid {grid} --template {template} --decision-time-s {decision_time_s} "
                    f"--figure-format {figure_format.value} --dpi {dpi} --projection {projection.value} --out .",
            provenance=prov)
        paths = finish_folder(out, paths)
        if not quiet:
            console.print(f"safe envelope: min {sm['min_safe_vbo_kms']} km/s, median {sm['median_safe_vbo_kms']} km/s")
            console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
        return
    from bmdsim.analysis.criteria import load_criteria

    if scenario is None or criteria_file is None:
        fail("criteria needs SCENARIO and --criteria FILE (or --derive)")
    crit = load_criteria(criteria_file)
    scn, cases = scenario_cases(scenario, variant, None, None, base)
    out = out or Path("out") / f"criteria-{scn.name}"
    files.check_dir_creatable(out)
    single = len(cases) == 1
    entries = [_criteria_case(c, c.folder(out, single), crit, criteria_file, quiet) for c in cases]
    finish_cases(out, scn, cases, entries, "criteria")


def _criteria_case(case, out, crit, criteria_file, quiet) -> dict:
    import json

    from bmdsim.analysis.criteria import check_limits, verdict
    from bmdsim.analysis.deterrent import deterrent_matrix
    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.io.report import write_report

    files.check_dir_creatable(out)
    v, arch = case.scenario, case.arch
    limits = check_limits(arch, crit)
    with busy(quiet, f"deterrent trajectories against {case.label}"):
        dm = deterrent_matrix(v.architecture, vbo_step_kms=1.0, catalog=case.catalog)
    eng = int(dm.engageable.sum())
    total = int(dm.trajectories.ok.sum())
    text = verdict(limits, eng, total)
    prov = static_provenance(scenario=v, arch=arch, inputs={"criteria": criteria_file.name,
                                                            "variant": case.name or None},
                             catalog=case.catalog)
    result = {"scenario": v.name, "variant": case.name or None, "criteria": crit.name, "limits": limits,
              "deterrent_engaged": eng, "deterrent_trajectories": total, "verdict": text, "provenance": prov}
    files.check_dir_writable(out)  # created now, after the work
    paths = [write_scenario(out, v, case.catalog),
             files.write_atomic(out / criteria_file.name, criteria_file.read_bytes()),
             files.write_atomic(out / "criteria.json", json.dumps(result, indent=2) + "\n")]
    paths += write_report(out, f"Criteria {crit.name}: {case.label}", [
        {"heading": "Verdict", "paragraphs": [text]},
        {"heading": "Limits", "rows": [{"limit": x["limit"], "met": x["met"], "detail": "; ".join(x["detail"])}
                                      for x in limits]}],
        command=f"bmdsim criteria scenario.yaml --criteria {criteria_file.name} --out .   (in this folder)",
        provenance=prov)
    paths = finish_folder(out, paths)
    if not quiet:
        for x in limits:
            console.print(f"{'met ' if x['met'] else 'FAIL'}  {x['limit']}  {'; '.join(x['detail'])}")
        console.print(f"{case.label}: {text}")
    return {"limits met": sum(x["met"] for x in limits), "limits": len(limits), "deterrent engaged": eng,
            "deterrent trajectories": total, "verdict": text}


@app.command(rich_help_panel=PANEL)
def stability(
    scenario: str = typer.Argument(..., help="scenario name or file (its architecture)"),
    forces: Path = typer.Option(None, "--forces", help="forces YAML (default: built-in c. 2012 force)"),
    first_strike: bool = typer.Option(False, "--first-strike", help="include a counterforce first strike"),
    variant: VariantOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder"),
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    catalog: CatalogOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Exchange calculator: surviving and penetrating warheads, each step shown, with sensitivity."""
    from bmdsim.analysis.stability import load_forces
    from bmdsim.io import files

    check_figure_options(dpi)
    f = load_forces(forces)
    scn, cases = scenario_cases(scenario, variant, None, None, user_catalog(catalog))
    out = out or Path("out") / f"stability-{scn.name}"
    files.check_dir_creatable(out)
    single = len(cases) == 1
    cmd = ("bmdsim stability scenario.yaml" + (f" --forces {forces.name}" if forces is not None else "")
           + (" --first-strike" if first_strike else "")
           + f" --figure-format {figure_format.value} --dpi {dpi} --out .   (in this folder)")
    entries = [_stability_case(c, c.folder(out, single), f, forces, first_strike, quiet, cmd, figure_format.value, dpi)
               for c in cases]
    finish_cases(out, scn, cases, entries, "stability")


def _stability_case(case, out, f, forces_file, first_strike, quiet, cmd, figure_format, dpi) -> dict:
    import json

    from bmdsim.analysis.deterrent import deterrent_matrix
    from bmdsim.analysis.stability import FirstStrike, exchange, force_with_defense, plot_exchange, sensitivity
    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.io.report import write_report

    files.check_dir_creatable(out)
    v = case.scenario
    with busy(quiet, f"deterrent trajectories against {case.label}"):
        dm = deterrent_matrix(v.architecture, vbo_step_kms=1.0, catalog=case.catalog)
    f = force_with_defense(dm, f)
    f = f.model_copy(update={"first_strike": f.first_strike or (FirstStrike() if first_strike else None)})
    res = exchange(f)
    sens = sensitivity(f)
    prov = static_provenance(scenario=v, arch=case.arch, missiles=sorted(set(dm.threats.missile)),
                             inputs={"forces": forces_file.name if forces_file is not None else "built-in c. 2012",
                                     "first_strike": first_strike, "variant": case.name or None},
                             catalog=case.catalog)
    files.check_dir_writable(out)  # created now, after the work
    paths = [write_scenario(out, v, case.catalog)]
    if forces_file is not None:
        paths.append(files.write_atomic(out / forces_file.name, forces_file.read_bytes()))
    paths.append(files.write_atomic(out / "stability.json", json.dumps(
        {"scenario": v.name, "variant": case.name or None, "forces": f.model_dump(), "steps": res.steps,
         "totals": res.totals, "sensitivity": sens, "provenance": prov}, indent=2) + "\n"))
    fig = out / f"exchange.{figure_format}"
    plot_exchange(res, fig, title=f"{case.label}: share of warheads (%)", dpi=dpi)
    paths.append(fig)
    paths += write_report(out, f"Exchange calculator: {case.label}", [
        {"heading": "Totals", "images": [fig],
         "rows": [{"quantity": k, "value": round(x, 3) if isinstance(x, float) else x} for k, x in res.totals.items()]},
        {"heading": "Per system", "rows": res.steps},
        {"heading": "Sensitivity (penetrating warheads)", "rows": sens}], command=cmd, provenance=prov)
    paths = finish_folder(out, paths)
    t = res.totals
    if not quiet:
        console.print(f"{case.label}: {t['warheads']:.0f} warheads, {t['surviving']:.0f} surviving, "
                      f"{t['engageable']:.1f} engageable, {t['killed']:.1f} killed, {t['penetrating']:.1f} penetrating")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
    return {"warheads": round(t["warheads"], 1), "surviving": round(t["surviving"], 1),
            "engageable": round(t["engageable"], 1), "killed": round(t["killed"], 1),
            "penetrating": round(t["penetrating"], 1)}
