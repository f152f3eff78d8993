"""Analyses that write a folder: footprint, deterrent, criteria, stability."""

from __future__ import annotations

from pathlib import Path

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
    VboOpt,
    app,
    busy,
    check_figure_options,
    console,
    dask_options,
    fail,
    finish_folder,
    grid_box,
    progress_bar,
    scenario_arch,
    user_catalog,
    warn,
)

PANEL = "Analyses"


@app.command(rich_help_panel=PANEL)
def footprint(
    scenario: str = typer.Argument(..., help="scenario name or file (architecture and threat missiles)"),
    launch_area: str = typer.Option(..., "--launch-area", help="launch place id or LAT,LON"),
    grid: float = typer.Option(0.25, "--grid", help="grid spacing (deg)"),
    k: int = typer.Option(1, "--k", help="shots required (2 = shoot-look-shoot)"),
    lat: LatOpt = "34:72",
    lon: LonOpt = "-12:45",
    bbox: OldBboxOpt = None,
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
    quiet: QuietOpt = False,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Defended-area footprint: NetCDF (CF), map, GeoJSON, KML, city coverage, report, provenance."""
    from bmdsim.analysis.footprint import footprint as run_fp
    from bmdsim.analysis.footprint import write_footprint
    from bmdsim.analysis.grids import make_grid
    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.io.report import write_report
    from bmdsim.model.limits import check_work
    from bmdsim.model.places import parse_point
    from bmdsim.model.scenario import load_threat_set
    from bmdsim.model.surface import threat_warnings

    check_figure_options(dpi)
    box = grid_box(lat, lon, bbox)
    scn, v, arch, cat = scenario_arch(scenario, vbo_kms, decision_time_s, user_catalog(catalog))
    ts = load_threat_set(v.threats)
    if ts.missiles == "deployed":
        fail(f"scenario {scn.name!r}: footprints need a threat set with a missile list")
    la, lo, label = parse_point(launch_area, "--launch-area", cat)
    warn(threat_warnings(list(ts.missiles), [la] * len(ts.missiles), [lo] * len(ts.missiles),
                         [label] * len(ts.missiles), catalog=cat))
    g = make_grid(box, grid)
    if g.covers != g.asked:
        warn([f"footprint grid: {g.describe()}"])
    coarser = "use a coarser --grid or a smaller --lat/--lon box"
    check_work("footprint", [("grid_cells", g.cells, coarser),
                             ("trajectories", g.cells * len(ts.missiles), coarser)], force)
    out = out or Path("out") / f"footprint-{scn.name}"
    files.check_dir_creatable(out)
    where = dask_options(scheduler, jobs)
    prog, cb = progress_bar(quiet, f"footprint of {scn.name}")
    if prog:
        prog.start()
    try:
        fp = run_fp(arch, list(ts.missiles), (la, lo, label), grid_deg=grid, k=k, bbox=box,
                    step_s=v.options.step_s, refine=not exact, progress=cb, catalog=cat, **where)
    finally:
        if prog:
            prog.stop()
    inputs = {"launch_area": launch_area, "grid_deg": grid, "k_shots": k, "bbox": bbox, "vbo_kms": vbo_kms,
              "decision_time_s": decision_time_s, "exact": exact}
    prov = static_provenance(scenario=v, arch=arch, missiles=fp.missiles, inputs=inputs, catalog=cat)
    paths = [write_scenario(out, v, cat)]
    paths += write_footprint(fp, out, arch.sites, arch=arch, figure_format=figure_format.value, dpi=dpi,
                             projection=projection.value, label_places=place_labels, provenance=prov)
    sm = fp.summary()
    rows = [{"city": c["city"], "country": c["country"], "population": c["population"],
             "defended": c["defended"]} for c in fp.cities if c["threatened"]]
    cmd = (f"bmdsim footprint scenario.yaml --launch-area {launch_area} --grid {grid} --k {k} --lat {lat} --lon {lon}"
           + (f" --vbo-kms {vbo_kms}" if vbo_kms is not None else "")
           + (f" --decision-time-s {decision_time_s}" if decision_time_s is not None else "")
           + (" --exact" if exact else "") + f" --figure-format {figure_format.value} --dpi {dpi}"
           + f" --projection {projection.value}" + (" --place-labels" if place_labels else "")
           + " --out .   (in this folder)")
    paths += write_report(out, f"Defended area: {scn.name} vs {', '.join(fp.missiles)} from {label}", [
        {"heading": "Result", "paragraphs": [
            f"{sm['cells_defended']} of {sm['cells_threatened']} threatened grid cells are defended with at least "
            f"{k} shot(s) ({(sm['share_cells_defended'] or 0):.1%}); {sm['cities_defended']} of "
            f"{sm['cities_threatened']} threatened cities with at least 500,000 inhabitants "
            f"({(sm['share_population_defended'] or 0):.1%} of their population)."],
         "images": [out / f"footprint.{figure_format.value}"]},
        {"heading": "Cities", "rows": rows},
    ], command=cmd, provenance=prov)
    paths = finish_folder(out, paths)
    if not quiet:
        console.print(f"{scn.name}: {sm['cells_defended']}/{sm['cells_threatened']} cells defended, "
                      f"population share {sm['share_population_defended']}")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command(rich_help_panel=PANEL)
def deterrent(
    scenario: str = typer.Argument(..., help="scenario name or file (its architecture)"),
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder (default out/deterrent-NAME)"),
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    quiet: QuietOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Deterrent matrix: Russian ICBM bases and SLBM areas x US targets; CSV, heat map, report."""
    from bmdsim.analysis.deterrent import deterrent_matrix, write_deterrent
    from bmdsim.analysis.stability import DEFAULT_FORCES
    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.io.report import write_report

    check_figure_options(dpi)
    scn, v, arch, cat = scenario_arch(scenario, vbo_kms, decision_time_s, user_catalog(catalog))
    out = out or Path("out") / f"deterrent-{scn.name}"
    files.check_dir_creatable(out)
    where = dask_options(scheduler, jobs)
    prog, cb = progress_bar(quiet, f"deterrent matrix of {scn.name}")
    if prog:
        prog.start()
    try:
        dm = deterrent_matrix(v.architecture, vbo_kms=vbo_kms if vbo_kms is not None else v.options.vbo_kms,
                              decision_time_s=(decision_time_s if decision_time_s is not None
                                               else v.options.decision_time_s), progress=cb, catalog=cat,
                              **where)
    finally:
        if prog:
            prog.stop()
    wh = {f["missile"]: f["warheads_per_launcher"] for f in DEFAULT_FORCES["force"]}
    prov = static_provenance(scenario=v, arch=arch, missiles=sorted(set(dm.threats.missile)),
                             inputs={"vbo_kms": vbo_kms, "decision_time_s": decision_time_s}, catalog=cat)
    paths = [write_scenario(out, v, cat)]
    paths += write_deterrent(dm, out, wh, figure_format=figure_format.value, dpi=dpi, provenance=prov)
    sm = dm.summary(wh)
    paths += write_report(out, f"Deterrent matrix: {scn.name}", [
        {"heading": "Result", "paragraphs": [
            f"{sm['engageable']} of {sm['trajectories']} Russian ICBM/SLBM trajectories toward US targets are "
            f"engageable ({sm['share_engageable']:.1%}); the least vbo that would engage any is "
            + (f"{sm['min_vbo_needed_kms']} km/s." if sm["min_vbo_needed_kms"] is not None
               else f"above {dm.vbo_ladder_kms[-1]:g} km/s (none engaged on the ladder).")],
         "images": [out / f"deterrent.{figure_format.value}"]},
        {"heading": "Engageable trajectories", "rows": [r for r in dm.rows() if r["engageable"]][:200]},
    ], command="bmdsim deterrent scenario.yaml" + (f" --vbo-kms {vbo_kms}" if vbo_kms is not None else "")
       + (f" --decision-time-s {decision_time_s}" if decision_time_s is not None else "")
       + f" --figure-format {figure_format.value} --dpi {dpi} --out .   (in this folder)", provenance=prov)
    paths = finish_folder(out, paths)
    if not quiet:
        need = (f"{sm['min_vbo_needed_kms']} km/s" if sm["min_vbo_needed_kms"] is not None
                else f"none up to {dm.vbo_ladder_kms[-1]:g} km/s")
        console.print(f"{scn.name}: {sm['engageable']}/{sm['trajectories']} deterrent trajectories engageable; "
                      f"least engaging vbo {need}")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command(rich_help_panel=PANEL)
def criteria(
    scenario: str = typer.Argument(None, help="scenario name or file (not needed with --derive)"),
    criteria_file: Path = typer.Option(None, "--criteria", help="criteria YAML file"),
    derive: bool = typer.Option(False, "--derive", help="derive the safe envelope map instead"),
    grid: float = typer.Option(1.0, "--grid", help="grid spacing for --derive (deg)"),
    lat: LatOpt = "30:80",
    lon: LonOpt = "-25:60",
    template: str = typer.Option("SM-3-IIA", "--template", help="interceptor whose other parameters are used"),
    decision_time_s: float = typer.Option(30.0, "--decision-time-s", help="launch at burnout + this (s)"),
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder"),
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    projection: ProjectionOpt = Projection.auto,
    quiet: QuietOpt = False,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Check limits and physics for a deployment, or --derive the safe envelope (highest harmless vbo)."""
    import json

    from bmdsim.io import files
    from bmdsim.io.provenance import static_provenance, write_scenario
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
    from bmdsim.analysis.criteria import check_limits, load_criteria, verdict
    from bmdsim.analysis.deterrent import deterrent_matrix

    if scenario is None or criteria_file is None:
        fail("criteria needs SCENARIO and --criteria FILE (or --derive)")
    crit = load_criteria(criteria_file)
    scn, v, arch, cat = scenario_arch(scenario, None, None, base)
    out = out or Path("out") / f"criteria-{scn.name}"
    files.check_dir_creatable(out)
    limits = check_limits(arch, crit)
    with busy(quiet, f"deterrent trajectories against {scn.name}"):
        dm = deterrent_matrix(v.architecture, vbo_step_kms=1.0, catalog=cat)
    eng = int(dm.engageable.sum())
    total = int(dm.trajectories.ok.sum())
    text = verdict(limits, eng, total)
    prov = static_provenance(scenario=v, arch=arch, inputs={"criteria": criteria_file.name}, catalog=cat)
    result = {"scenario": scn.name, "criteria": crit.name, "limits": limits, "deterrent_engaged": eng,
              "deterrent_trajectories": total, "verdict": text, "provenance": prov}
    files.check_dir_writable(out)  # created now, after the work
    paths = [write_scenario(out, v, cat), files.write_atomic(out / criteria_file.name, criteria_file.read_bytes()),
             files.write_atomic(out / "criteria.json", json.dumps(result, indent=2) + "\n")]
    paths += write_report(out, f"Criteria {crit.name}: {scn.name}", [
        {"heading": "Verdict", "paragraphs": [text]},
        {"heading": "Limits", "rows": [{"limit": x["limit"], "met": x["met"], "detail": "; ".join(x["detail"])}
                                      for x in limits]}],
        command=f"bmdsim criteria scenario.yaml --criteria {criteria_file.name} --out .   (in this folder)",
        provenance=prov)
    paths = finish_folder(out, paths)
    if not quiet:
        for x in limits:
            console.print(f"{'met ' if x['met'] else 'FAIL'}  {x['limit']}  {'; '.join(x['detail'])}")
        console.print(text)


@app.command(rich_help_panel=PANEL)
def stability(
    scenario: str = typer.Argument(..., help="scenario name or file (its architecture)"),
    forces: Path = typer.Option(None, "--forces", help="forces YAML (default: built-in c. 2012 force)"),
    first_strike: bool = typer.Option(False, "--first-strike", help="include a counterforce first strike"),
    out: Path = typer.Option(None, "--out", help="output folder"),
    quiet: QuietOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Exchange calculator: surviving and penetrating warheads, each step shown, with sensitivity."""
    import json

    from bmdsim.analysis.deterrent import deterrent_matrix
    from bmdsim.analysis.stability import FirstStrike, exchange, force_with_defense, load_forces, sensitivity
    from bmdsim.io import files
    from bmdsim.io.report import write_report

    f = load_forces(forces)
    scn, v, arch, cat = scenario_arch(scenario, None, None, user_catalog(catalog))
    out = out or Path("out") / f"stability-{scn.name}"
    files.check_dir_creatable(out)
    with busy(quiet, f"deterrent trajectories against {scn.name}"):
        dm = deterrent_matrix(v.architecture, vbo_step_kms=1.0, catalog=cat)
    f = force_with_defense(dm, f)
    f = f.model_copy(update={"first_strike": f.first_strike or (FirstStrike() if first_strike else None)})
    res = exchange(f)
    sens = sensitivity(f)
    files.check_dir_writable(out)  # created now, after the work
    paths = [files.write_atomic(out / "stability.json", json.dumps(
        {"forces": f.model_dump(), "steps": res.steps, "totals": res.totals, "sensitivity": sens}, indent=2) + "\n")]
    paths += write_report(out, f"Exchange calculator: {scn.name}", [
        {"heading": "Totals", "rows": [{"quantity": k, "value": round(v, 3) if isinstance(v, float) else v}
                                       for k, v in res.totals.items()]},
        {"heading": "Per system", "rows": res.steps},
        {"heading": "Sensitivity (penetrating warheads)", "rows": sens}],
        command=f"bmdsim stability {scenario}" + (" --first-strike" if first_strike else ""))
    if not quiet:
        t = res.totals
        console.print(f"{scn.name}: {t['warheads']:.0f} warheads, {t['surviving']:.0f} surviving, "
                      f"{t['engageable']:.1f} engageable, {t['killed']:.1f} killed, {t['penetrating']:.1f} penetrating")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
