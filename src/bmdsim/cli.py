"""The ``bmdsim`` command line: parses, calls the library, prints. Nothing else.

Every user mistake ends with one line on stderr and exit code 2; no traceback, no partial file.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bmdsim.errors import BmdsimError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                  help="bmdsim: open missile-defense kinematics laboratory (open-literature, notional parameters).")
console = Console() if sys.stdout.isatty() else Console(width=160)


class TrajFormat(StrEnum):
    json = "json"
    csv = "csv"
    kml = "kml"


SCHEDULER_HELP = "run the sweep on Dask: 'local' (a LocalCluster of --jobs workers) or a scheduler address"
JOBS_HELP = "worker processes on this machine (default 2 with --scheduler local; > 1 implies --scheduler local)"

# options several commands share
MissileOpt = Annotated[str, typer.Option("--missile", help="catalog missile name, e.g. SS-27")]
FromOpt = Annotated[str, typer.Option("--from", help="launch point LAT,LON (deg) or place id")]
ToOpt = Annotated[str, typer.Option("--to", help="aimpoint LAT,LON (deg) or place id")]
ApogeeOpt = Annotated[float | None, typer.Option("--apogee-km", help="lofted/depressed threat: apogee height (km)")]
FlightTimeOpt = Annotated[float | None, typer.Option("--flight-time-s", help="lofted/depressed threat: flight time")]
GammaOpt = Annotated[float | None, typer.Option("--gamma-deg", help="threat burnout flight-path angle (deg)")]
OutFileOpt = Annotated[Path | None, typer.Option("--out", help="write to FILE instead of standard output")]
VboOpt = Annotated[float | None, typer.Option("--vbo-kms", help="override every site's interceptor vbo (km/s)")]
DecisionOpt = Annotated[float | None, typer.Option("--decision-time-s", help="override the decision time (s)")]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help=SCHEDULER_HELP)]
JobsOpt = Annotated[int | None, typer.Option("--jobs", help=JOBS_HELP)]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="no progress output")]


def _fail(msg: str) -> None:
    raise BmdsimError(msg)


def _print_table(title: str, columns: tuple[str, ...], rows) -> None:
    """A rich table of catalog entries (long cells fold)."""
    t = Table(title=title)
    for col in columns:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*row)
    console.print(t)


def _cite(p) -> str:
    """A catalog parameter's source, or its notional note."""
    return p.source or f"notional: {p.note}"


@app.command()
def missiles() -> None:
    """Table of catalog missiles with their sources."""
    from bmdsim.model.missiles import load_missiles

    _print_table("Ballistic missiles (notional parameters tuned to nominal range; see catalog notes)",
                 ("name", "class", "country", "stages", "boost s", "nominal range km", "source of range"),
                 ((m.name, m.missile_class, m.country, str(len(m.stages)), f"{m.boost_time_s:.0f}",
                   f"{m.nominal_range_km.value:,.0f}", _cite(m.nominal_range_km)) for m in load_missiles().values()))


@app.command()
def interceptors() -> None:
    """Table of catalog interceptors with their sources."""
    from bmdsim.model.interceptors import load_interceptors

    _print_table("Interceptors (baseline kinematic model)",
                 ("name", "owner", "vbo km/s", "burn s", "alt band km", "vbo source"),
                 ((i.name, i.owner, f"{i.vbo_kms.value:g}", f"{i.tb_s.value:g}",
                   f"{i.h_min_km.value:g}-{i.h_max_km.value:g}", _cite(i.vbo_kms))
                  for i in load_interceptors().values()))


@app.command()
def sensors() -> None:
    """Table of catalog sensors with their sources."""
    from bmdsim.model.sensors import load_sensors

    def row(s):
        rng = f"{s.range_ref_km.value:,.0f} @ {s.rcs_ref_m2.value:g}" if s.range_ref_km is not None else "-"
        lat = f"{s.place.lat_deg:.3f}" if s.place else "mobile"
        lon = f"{s.place.lon_deg:.3f}" if s.place else "-"
        src = (s.place.source if s.place and s.place.source else "") or ""
        return s.name, s.owner, s.kind, lat, lon, rng, "yes" if s.fire_control_quality else "no", src[:80]

    _print_table("Sensors", ("name", "owner", "kind", "lat", "lon", "range km @ RCS m2", "fire control", "source"),
                 (row(s) for s in load_sensors().values()))


@app.command()
def trajectory(
    missile: MissileOpt,
    launch: FromOpt,
    aim: ToOpt,
    apogee_km: ApogeeOpt = None,
    flight_time_s: FlightTimeOpt = None,
    gamma_deg: GammaOpt = None,
    step_s: float = typer.Option(10.0, "--step-s", help="sample spacing (s)"),
    fmt: TrajFormat = typer.Option(TrajFormat.json, "--format", help="json, csv or kml"),
    out: OutFileOpt = None,
) -> None:
    """Solve one trajectory that hits the aimpoint within 1 km (minimum-energy unless a shape is given)."""
    from bmdsim.io import trajectory_formats

    _check_out_and_step(out, step_s)
    ts = _one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s)
    render = {"json": trajectory_formats.to_json, "csv": trajectory_formats.to_csv,
              "kml": trajectory_formats.to_kml}[fmt.value]
    _emit(render(ts), out)


def _check_out_and_step(out, step_s) -> None:
    """Fail before any work if the output file cannot be written or the sample step is not positive."""
    from bmdsim.io import files

    if out is not None:
        files.check_writable(out)
    if not step_s > 0:
        _fail(f"--step-s must be > 0 seconds, got {step_s}")


def _one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s):
    """Parse --from/--to and the shape options, and solve the one trajectory (one-line errors)."""
    from bmdsim.model.places import parse_point
    from bmdsim.model.trajectories import Shape, solve_one

    shape = Shape.from_options(apogee_km, flight_time_s, gamma_deg)
    lat1, lon1, _ = parse_point(launch, "--from")
    lat2, lon2, _ = parse_point(aim, "--to")
    return solve_one(missile, (lat1, lon1), (lat2, lon2), shape, step_s)


def _emit(text: str, out) -> None:
    """Write to standard output, or atomically to ``out``."""
    from bmdsim.io import files

    if out is None:
        sys.stdout.write(text)
    else:
        files.write_atomic(out, text)
        console.print(f"wrote {out}", style="dim")


class TableFormat(StrEnum):
    json = "json"
    csv = "csv"


@app.command()
def engage(
    architecture: Annotated[Path, typer.Option("--architecture", help="architecture YAML file")],
    missile: MissileOpt,
    launch: FromOpt,
    aim: ToOpt,
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    apogee_km: ApogeeOpt = None,
    flight_time_s: FlightTimeOpt = None,
    gamma_deg: GammaOpt = None,
    step_s: float = typer.Option(5.0, "--step-s", help="threat sample spacing (s): the window resolution"),
    fmt: TableFormat = typer.Option(TableFormat.json, "--format", help="json or csv"),
    out: OutFileOpt = None,
) -> None:
    """Engagement table of one threat against every site of an architecture."""
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.model.architecture import load_architecture, resolve

    _check_out_and_step(out, step_s)
    arch = resolve(load_architecture(architecture), vbo_kms=vbo_kms, decision_time_s=decision_time_s)
    ts = _one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s)
    table = run_engagements(arch, ts)
    _emit(table.to_json() if fmt.value == "json" else table.to_csv(), out)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios and threat sets with one-line descriptions."""
    from bmdsim.model.scenario import builtin_names, load_threat_set, resolve_extends

    t = Table(title="Built-in scenarios (bmdsim show NAME; bmdsim run NAME)")
    for col in ("name", "date", "threats", "description"):
        t.add_column(col, overflow="fold")
    for name in builtin_names():
        data, _, _ = resolve_extends(name)
        thr = data.get("threats")
        t.add_row(name, str(data.get("date", "")), thr if isinstance(thr, str) else "inline",
                  " ".join(str(data.get("description", "")).split()))
    console.print(t)
    t = Table(title="Built-in threat sets")
    for col in ("name", "missiles", "description"):
        t.add_column(col, overflow="fold")
    for name in builtin_names("threatsets"):
        ts = load_threat_set(name)
        ms = ts.missiles if isinstance(ts.missiles, str) else ", ".join(ts.missiles)
        t.add_row(name, ms, " ".join(ts.description.split()))
    console.print(t)


@app.command()
def show(name: str = typer.Argument(..., help="built-in scenario name or scenario file")) -> None:
    """Print the scenario with its `extends` chain resolved (YAML)."""
    import yaml

    from bmdsim.model.scenario import load_scenario

    scn = load_scenario(name)
    sys.stdout.write(yaml.safe_dump(scn.model_dump(mode="json", by_alias=True, exclude_none=True), sort_keys=False,
                                    allow_unicode=True, width=110))


@app.command()
def validate(path: str = typer.Argument(..., help="scenario file (or built-in name)")) -> None:
    """Check a scenario file: every error with its path and line, what was found and what is allowed."""
    from bmdsim.model.scenario import ScenarioError, check_references, resolve_extends, validate_scenario_data

    data, lines, where = resolve_extends(path)
    try:
        scn = validate_scenario_data(data, lines, where)
    except ScenarioError as err:
        for msg in err.messages:
            print(f"bmdsim: error: {msg}", file=sys.stderr)
        raise typer.Exit(2) from None
    check_references(scn, where)
    console.print(f"{where}: valid ({scn.name})")


@app.command()
def run(
    scenario: str = typer.Argument(..., help="built-in scenario name or scenario file"),
    out: Path = typer.Option(None, "--out", help="output folder (default out/NAME)"),
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run a scenario's engagement table(s); writes summary.json, engagements.csv, threats.csv."""
    from bmdsim.analysis.run import run_scenario, write_run
    from bmdsim.io import files
    from bmdsim.model.scenario import load_scenario

    scn = load_scenario(scenario)
    out = out or Path("out") / scn.name
    files.check_dir_writable(out)
    prog, cb = _progress(quiet, scn.name)
    if prog:
        prog.start()
    try:
        result = run_scenario(scn, progress=cb, **_dask(scheduler, jobs))
    finally:
        if prog:
            prog.stop()
    paths = write_run(result, out)
    if not quiet:
        t = Table(title=f"{scn.name}: share of threats engageable")
        for col in ("run", "threats", "by any site", "two shots"):
            t.add_column(col)
        for r in result.summary()["runs"]:
            lab = ", ".join(f"{k}={v}" for k, v in r["label"].items()) or "base"
            t.add_row(lab, str(r["threats"]), f"{r['share_engageable']:.1%}", f"{r['share_two_shots']:.1%}")
        console.print(t)
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command()
def schema(out: Path = typer.Option(None, "--out", help="write the JSON Schema to FILE")) -> None:
    """JSON Schema of scenario files (for editors)."""
    import json

    from bmdsim.io import files
    from bmdsim.model.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        files.write_atomic(files.check_writable(out), text)


def _dask(scheduler: str | None, jobs: int | None) -> dict:
    """``scheduler`` / ``jobs`` keyword arguments of the analyses from the CLI options."""
    if jobs is not None and jobs < 1:
        _fail(f"--jobs {jobs}: expected a number of worker processes >= 1")
    from bmdsim.analysis.sweep import check_scheduler

    check_scheduler(scheduler)
    if scheduler is None and jobs is not None and jobs > 1:
        scheduler = "local"
    return {"scheduler": scheduler, "jobs": 2 if jobs is None else jobs}


def _progress(quiet: bool, label: str):
    """A rich progress callback (or None when quiet)."""
    if quiet:
        return None, None
    from rich.progress import Progress

    prog = Progress(console=Console(stderr=True), transient=True)
    task = prog.add_task(label, total=None)

    def cb(done: int, total: int) -> None:
        prog.update(task, completed=done, total=total)

    return prog, cb


def _busy(quiet: bool, text: str):
    """A transient spinner on stderr for runs of more than a moment (none when quiet)."""
    import contextlib

    return contextlib.nullcontext() if quiet else Console(stderr=True).status(text)


def _scenario_arch(scenario: str, vbo_kms, decision_time_s):
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import expand_variants, load_scenario

    scn = load_scenario(scenario)
    v = expand_variants(scn)[0].scenario
    o = v.options
    arch = resolve(v.architecture, vbo_kms=vbo_kms if vbo_kms is not None else o.vbo_kms,
                   decision_time_s=decision_time_s if decision_time_s is not None else o.decision_time_s)
    return scn, v, arch


@app.command()
def footprint(
    scenario: str = typer.Argument(..., help="scenario name or file (architecture and threat missiles)"),
    launch_area: str = typer.Option(..., "--launch-area", help="launch place id or LAT,LON"),
    grid: float = typer.Option(0.25, "--grid", help="grid spacing (deg)"),
    k: int = typer.Option(1, "--k", help="shots required (2 = shoot-look-shoot)"),
    bbox: str = typer.Option("-12,45,34,72", "--bbox", help="LON_MIN,LON_MAX,LAT_MIN,LAT_MAX (deg)"),
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    exact: bool = typer.Option(False, "--exact", help="evaluate every cell (no adaptive refinement)"),
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder (default out/footprint-NAME)"),
    quiet: QuietOpt = False,
) -> None:
    """Defended-area footprint: NetCDF, PNG map, GeoJSON, KML, city coverage, report."""
    from bmdsim.analysis.footprint import footprint as run_fp
    from bmdsim.analysis.footprint import write_footprint
    from bmdsim.io import files
    from bmdsim.io.report import write_report
    from bmdsim.model.places import parse_point
    from bmdsim.model.scenario import load_threat_set

    try:
        box = tuple(float(x) for x in bbox.split(","))
        assert len(box) == 4
    except (ValueError, AssertionError):
        _fail(f"--bbox {bbox!r}: expected LON_MIN,LON_MAX,LAT_MIN,LAT_MAX in degrees")
    scn, v, arch = _scenario_arch(scenario, vbo_kms, decision_time_s)
    ts = load_threat_set(v.threats)
    if ts.missiles == "deployed":
        _fail(f"scenario {scn.name!r}: footprints need a threat set with a missile list")
    lat, lon, label = parse_point(launch_area, "--launch-area")
    out = out or Path("out") / f"footprint-{scn.name}"
    files.check_dir_writable(out)
    where = _dask(scheduler, jobs)
    prog, cb = _progress(quiet, f"footprint of {scn.name}")
    if prog:
        prog.start()
    try:
        fp = run_fp(arch, list(ts.missiles), (lat, lon, label), grid_deg=grid, k=k, bbox=box,
                    step_s=v.options.step_s, refine=not exact, progress=cb, **where)
    finally:
        if prog:
            prog.stop()
    paths = write_footprint(fp, out, arch.sites)
    sm = fp.summary()
    rows = [{"city": c["city"], "country": c["country"], "population": c["population"],
             "defended": c["defended"]} for c in fp.cities if c["threatened"]]
    cmd = f"bmdsim footprint {scenario} --launch-area {launch_area} --grid {grid} --k {k} --bbox {bbox}"
    paths += write_report(out, f"Defended area: {scn.name} vs {', '.join(fp.missiles)} from {label}", [
        {"heading": "Result", "paragraphs": [
            f"{sm['cells_defended']} of {sm['cells_threatened']} threatened grid cells are defended with at least "
            f"{k} shot(s) ({(sm['share_cells_defended'] or 0):.1%}); {sm['cities_defended']} of "
            f"{sm['cities_threatened']} threatened cities with at least 500,000 inhabitants "
            f"({(sm['share_population_defended'] or 0):.1%} of their population)."],
         "images": [out / "footprint.png"]},
        {"heading": "Cities", "rows": rows},
    ], command=cmd)
    if not quiet:
        console.print(f"{scn.name}: {sm['cells_defended']}/{sm['cells_threatened']} cells defended, "
                      f"population share {sm['share_population_defended']}")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command()
def deterrent(
    scenario: str = typer.Argument(..., help="scenario name or file (its architecture)"),
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder (default out/deterrent-NAME)"),
    quiet: QuietOpt = False,
) -> None:
    """Deterrent matrix: Russian ICBM bases and SLBM areas x US targets; CSV, heat map, report."""
    from bmdsim.analysis.deterrent import deterrent_matrix, write_deterrent
    from bmdsim.analysis.stability import DEFAULT_FORCES
    from bmdsim.io import files
    from bmdsim.io.report import write_report

    scn, v, _ = _scenario_arch(scenario, vbo_kms, decision_time_s)
    out = out or Path("out") / f"deterrent-{scn.name}"
    files.check_dir_writable(out)
    where = _dask(scheduler, jobs)
    prog, cb = _progress(quiet, f"deterrent matrix of {scn.name}")
    if prog:
        prog.start()
    try:
        dm = deterrent_matrix(v.architecture, vbo_kms=vbo_kms if vbo_kms is not None else v.options.vbo_kms,
                              decision_time_s=(decision_time_s if decision_time_s is not None
                                               else v.options.decision_time_s), progress=cb, **where)
    finally:
        if prog:
            prog.stop()
    wh = {f["missile"]: f["warheads_per_launcher"] for f in DEFAULT_FORCES["force"]}
    paths = write_deterrent(dm, out, wh)
    sm = dm.summary(wh)
    paths += write_report(out, f"Deterrent matrix: {scn.name}", [
        {"heading": "Result", "paragraphs": [
            f"{sm['engageable']} of {sm['trajectories']} Russian ICBM/SLBM trajectories toward US targets are "
            f"engageable ({sm['share_engageable']:.1%}); the least vbo that would engage any is "
            + (f"{sm['min_vbo_needed_kms']} km/s." if sm["min_vbo_needed_kms"] is not None
               else f"above {dm.vbo_ladder_kms[-1]:g} km/s (none engaged on the ladder).")],
         "images": [out / "deterrent.png"]},
        {"heading": "Engageable trajectories", "rows": [r for r in dm.rows() if r["engageable"]][:200]},
    ], command=f"bmdsim deterrent {scenario}")
    if not quiet:
        need = (f"{sm['min_vbo_needed_kms']} km/s" if sm["min_vbo_needed_kms"] is not None
                else f"none up to {dm.vbo_ladder_kms[-1]:g} km/s")
        console.print(f"{scn.name}: {sm['engageable']}/{sm['trajectories']} deterrent trajectories engageable; "
                      f"least engaging vbo {need}")
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command()
def criteria(
    scenario: str = typer.Argument(None, help="scenario name or file (not needed with --derive)"),
    criteria_file: Path = typer.Option(None, "--criteria", help="criteria YAML file"),
    derive: bool = typer.Option(False, "--derive", help="derive the safe envelope map instead"),
    grid: float = typer.Option(1.0, "--grid", help="grid spacing for --derive (deg)"),
    template: str = typer.Option("SM-3-IIA", "--template", help="interceptor whose other parameters are used"),
    decision_time_s: float = typer.Option(30.0, "--decision-time-s", help="launch at burnout + this (s)"),
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    out: Path = typer.Option(None, "--out", help="output folder"),
    quiet: QuietOpt = False,
) -> None:
    """Check limits and physics for a deployment, or --derive the safe envelope (highest harmless vbo)."""
    import json

    from bmdsim.io import files
    from bmdsim.io.report import write_report

    if derive:
        from bmdsim.analysis.envelope import safe_envelope, write_envelope

        out = out or Path("out") / "safe-envelope"
        files.check_dir_writable(out)
        prog, cb = _progress(quiet, "safe envelope")
        if prog:
            prog.start()
        try:
            env = safe_envelope(grid_deg=grid, template=template, decision_time_s=decision_time_s,
                                progress=cb, **_dask(scheduler, jobs))
        finally:
            if prog:
                prog.stop()
        paths = write_envelope(env, out)
        sm = env.summary()
        paths += write_report(out, "Safe envelope: the highest harmless interceptor vbo", [
            {"heading": "Result", "paragraphs": [
                f"Over {sm['cells']} cells, the lowest vbo that still engages no Russian ICBM or SLBM trajectory "
                f"toward the US is {sm['min_safe_vbo_kms']} km/s (median {sm['median_safe_vbo_kms']} km/s); "
                f"{sm['cells_safe_at_top']} cells are safe at every tested vbo. Assumption: launch "
                f"{decision_time_s:g} s after burnout (perfect early warning and fire-control tracking)."],
             "images": [out / "envelope.png"]}], command=f"bmdsim criteria --derive --grid {grid}")
        if not quiet:
            console.print(f"safe envelope: min {sm['min_safe_vbo_kms']} km/s, median {sm['median_safe_vbo_kms']} km/s")
            console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
        return
    from bmdsim.analysis.criteria import check_limits, load_criteria, verdict
    from bmdsim.analysis.deterrent import deterrent_matrix

    if scenario is None or criteria_file is None:
        _fail("criteria needs SCENARIO and --criteria FILE (or --derive)")
    crit = load_criteria(criteria_file)
    scn, v, arch = _scenario_arch(scenario, None, None)
    out = out or Path("out") / f"criteria-{scn.name}"
    files.check_dir_writable(out)
    limits = check_limits(arch, crit)
    with _busy(quiet, f"deterrent trajectories against {scn.name}"):
        dm = deterrent_matrix(v.architecture, vbo_step_kms=1.0)
    eng = int(dm.engageable.sum())
    total = int(dm.trajectories.ok.sum())
    text = verdict(limits, eng, total)
    result = {"scenario": scn.name, "criteria": crit.name, "limits": limits, "deterrent_engaged": eng,
              "deterrent_trajectories": total, "verdict": text}
    paths = [files.write_atomic(out / "criteria.json", json.dumps(result, indent=2) + "\n")]
    paths += write_report(out, f"Criteria {crit.name}: {scn.name}", [
        {"heading": "Verdict", "paragraphs": [text]},
        {"heading": "Limits", "rows": [{"limit": x["limit"], "met": x["met"], "detail": "; ".join(x["detail"])}
                                      for x in limits]}],
        command=f"bmdsim criteria {scenario} --criteria {criteria_file}")
    if not quiet:
        for x in limits:
            console.print(f"{'met ' if x['met'] else 'FAIL'}  {x['limit']}  {'; '.join(x['detail'])}")
        console.print(text)


@app.command()
def stability(
    scenario: str = typer.Argument(..., help="scenario name or file (its architecture)"),
    forces: Path = typer.Option(None, "--forces", help="forces YAML (default: built-in c. 2012 force)"),
    first_strike: bool = typer.Option(False, "--first-strike", help="include a counterforce first strike"),
    out: Path = typer.Option(None, "--out", help="output folder"),
    quiet: QuietOpt = False,
) -> None:
    """Exchange calculator: surviving and penetrating warheads, each step shown, with sensitivity."""
    import json

    from bmdsim.analysis.deterrent import deterrent_matrix
    from bmdsim.analysis.stability import FirstStrike, exchange, force_with_defense, load_forces, sensitivity
    from bmdsim.io import files
    from bmdsim.io.report import write_report

    f = load_forces(forces)
    scn, v, arch = _scenario_arch(scenario, None, None)
    out = out or Path("out") / f"stability-{scn.name}"
    files.check_dir_writable(out)
    with _busy(quiet, f"deterrent trajectories against {scn.name}"):
        dm = deterrent_matrix(v.architecture, vbo_step_kms=1.0)
    f = force_with_defense(dm, f)
    f = f.model_copy(update={"first_strike": f.first_strike or (FirstStrike() if first_strike else None)})
    res = exchange(f)
    sens = sensitivity(f)
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


@app.command()
def claims(
    only: str = typer.Option(None, "--only", help="comma-separated claim ids, e.g. C3,C8"),
    out: Path = typer.Option(Path("out") / "claims", "--out", help="output folder"),
    envelope_grid: float = typer.Option(4.0, "--envelope-grid", help="safe-envelope grid for C4 (deg)"),
    quiet: QuietOpt = False,
) -> None:
    """The claims ledger: every technical claim of the article as a scenario with numbers and a verdict."""
    from bmdsim.analysis.claims import run_claims, write_claims
    from bmdsim.io import files

    files.check_dir_writable(out)
    ids = [x.strip().upper() for x in only.split(",")] if only else None
    prog, cb = _progress(quiet, "claims")
    if prog:
        prog.start()
    try:
        records = run_claims(out, ids, progress=cb, envelope_grid_deg=envelope_grid)
    finally:
        if prog:
            prog.stop()
    paths = write_claims(records, out)
    for r in records:
        console.print(f"{r['id']:>4}  {r['verdict']:<13}  {r['title']}: {r['threshold']}")
    if not quiet:
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command()
def demo(out: Path = typer.Option(Path("out"), "--out", help="output folder")) -> None:
    """The main job on built-in defaults: catalog trajectories, then the claims ledger (out/claims/)."""
    from bmdsim.analysis.claims import run_claims, write_claims
    from bmdsim.analysis.demo import run_demo

    run_demo(out, console)
    prog, cb = _progress(False, "claims ledger")
    prog.start()
    try:
        records = run_claims(out / "claims", progress=cb)
    finally:
        prog.stop()
    paths = write_claims(records, out / "claims")
    for r in records:
        console.print(f"{r['id']:>4}  {r['verdict']:<13}  {r['title']}")
    console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


def main(argv: list[str] | None = None) -> int:
    """Entry point: one line on stderr and exit 2 for any user mistake."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        argv = ["--help"]
    try:
        rv = app(args=argv, standalone_mode=False, prog_name="bmdsim")
        if isinstance(rv, int) and not isinstance(rv, bool):
            return rv  # typer.Exit(code) comes back as a return value in non-standalone mode
    except BmdsimError as err:
        print(f"bmdsim: error: {err}", file=sys.stderr)
        return 2
    except typer.Exit as err:
        return err.exit_code
    except typer.Abort:
        print("bmdsim: aborted", file=sys.stderr)
        return 130
    except Exception as err:  # the CLI parser's usage errors (exit code 2)
        fmt = getattr(err, "format_message", None)
        if fmt is None or getattr(err, "exit_code", None) != 2:
            raise
        print(f"bmdsim: error: {' '.join(fmt().split())} (see bmdsim --help)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
