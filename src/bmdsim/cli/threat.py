"""One threat at a time: trajectory, engage; one interceptor: flyout."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from bmdsim.cli.common import (
    ApogeeOpt,
    CatalogOpt,
    DecisionOpt,
    DpiOpt,
    EpochOpt,
    FigureOpt,
    FlightTimeOpt,
    ForceOpt,
    FromOpt,
    GammaOpt,
    MissileOpt,
    OutFileOpt,
    Projection,
    ProjectionOpt,
    TableFormat,
    ToOpt,
    TrajFormat,
    VboOpt,
    app,
    check_figure_options,
    check_out_and_step,
    emit,
    fail,
    note,
    one_threat,
    user_catalog,
    warn,
    warn_architecture,
)

PANEL = "One threat"


class EngageFormat(StrEnum):
    json = "json"
    csv = "csv"
    czml = "czml"


@app.command(rich_help_panel=PANEL)
def trajectory(
    missile: MissileOpt,
    launch: FromOpt,
    aim: ToOpt,
    apogee_km: ApogeeOpt = None,
    flight_time_s: FlightTimeOpt = None,
    gamma_deg: GammaOpt = None,
    step_s: float = typer.Option(10.0, "--step-s", help="sample spacing (s)"),
    fmt: TrajFormat = typer.Option(TrajFormat.json, "--format", help=(
        "json (ECI states), csv (ECEF + geodetic, UTC), kml (gx:Track), geojson, czml (Cesium) or e (STK "
        "ephemeris, Earth-fixed)")),
    out: OutFileOpt = None,
    epoch: EpochOpt = None,
    figure: FigureOpt = None,
    dpi: DpiOpt = 150,
    projection: ProjectionOpt = Projection.auto,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Solve one trajectory that hits the aimpoint within 0.2 km (the missile's standard shape: minimum-energy,
    or depressed for Iskander, unless a shape is given)."""
    from bmdsim.io import trajectory_formats as tf
    from bmdsim.io.timefmt import DEFAULT_EPOCH, parse_epoch
    from bmdsim.model.places import parse_point

    check_out_and_step(out, step_s)
    check_figure_options(dpi, figure, out)
    ep = parse_epoch(epoch if epoch is not None else DEFAULT_EPOCH)
    cat = user_catalog(catalog)
    ts = one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s, command="trajectory",
                    fmt=fmt.value, force=force, catalog=cat)
    render = {"json": lambda: tf.to_json(ts), "csv": lambda: tf.to_csv(ts, ep), "kml": lambda: tf.to_kml(ts, epoch=ep),
              "geojson": lambda: tf.to_geojson(ts), "czml": lambda: tf.to_czml(ts, ep),
              "e": lambda: tf.to_stk_e(ts, ep)}[fmt.value]
    text = render()
    if figure is not None:
        tf.plot(ts, figure, dpi=dpi, projection=projection.value,
                launch_label=parse_point(launch, "--from", cat)[2], aim_label=parse_point(aim, "--to", cat)[2])
        note(f"wrote {figure}")
    emit(text, out)


@app.command(rich_help_panel=PANEL)
def engage(
    architecture: Annotated[str, typer.Option(
        "--architecture", help="built-in scenario name, architecture file or scenario file (options as defaults)")],
    missile: MissileOpt,
    launch: FromOpt,
    aim: ToOpt,
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    apogee_km: ApogeeOpt = None,
    flight_time_s: FlightTimeOpt = None,
    gamma_deg: GammaOpt = None,
    step_s: float = typer.Option(None, "--step-s", help="threat sample spacing (s): the window resolution "
                                 "(default: the scenario's, else 5)", show_default=False),
    solve_vbo: bool = typer.Option(False, "--solve-vbo", help="also report, per site, the least burnout speed "
                                   "(0.05 km/s grid) at which that site engages the threat"),
    fmt: EngageFormat = typer.Option(EngageFormat.json, "--format", help=(
        "json or csv (the table; each engagement names the sensor whose track gave the earliest launch), or czml "
        "(Cesium: the threat, the interceptors' re-flown paths, sites and intercept points, Earth-fixed)")),
    out: OutFileOpt = None,
    epoch: EpochOpt = None,
    figure: FigureOpt = None,
    dpi: DpiOpt = 150,
    projection: ProjectionOpt = Projection.auto,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Engagement table of one threat against every site of an architecture (--figure: tracks, fly-outs and a
    per-site timeline)."""
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.analysis.flyouts import engagement_flyouts
    from bmdsim.io import engagement_formats as ef
    from bmdsim.io.timefmt import DEFAULT_EPOCH, parse_epoch
    from bmdsim.model.architecture import resolve
    from bmdsim.model.archref import load_architecture_ref
    from bmdsim.model.places import parse_point

    ref = load_architecture_ref(architecture, catalog=user_catalog(catalog))
    cat = ref.catalog
    warn(cat.warnings)
    o = ref.options
    if o is not None:  # a scenario's options are the defaults
        vbo_kms = o.vbo_kms if vbo_kms is None else vbo_kms
        decision_time_s = o.decision_time_s if decision_time_s is None else decision_time_s
        step_s = o.step_s if step_s is None else step_s
    step_s = 5.0 if step_s is None else step_s
    check_out_and_step(out, step_s)

    check_figure_options(dpi, figure, out)
    if solve_vbo and vbo_kms is not None:
        fail("--solve-vbo searches the burnout speed itself; leave out --vbo-kms")
    ep = parse_epoch(epoch if epoch is not None else DEFAULT_EPOCH)
    spec = ref.architecture
    arch = resolve(spec, vbo_kms=vbo_kms, decision_time_s=decision_time_s, catalog=cat)
    warn_architecture(arch)
    ts = one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s, command="engage", force=force,
                    catalog=cat)
    table = run_engagements(arch, ts)
    if solve_vbo:
        from bmdsim.analysis.deterrent import least_vbo_per_site

        table.least_vbo_kms = least_vbo_per_site(spec, ts, decision_time_s=decision_time_s, catalog=cat)[None, :]
    paths = engagement_flyouts(table) if (figure is not None or fmt.value == "czml") else []
    if fmt.value == "czml":
        text = ef.to_czml(table, paths, ep)
    else:
        text = table.to_json() if fmt.value == "json" else table.to_csv()
    if figure is not None:
        ef.plot(table, paths, figure, dpi=dpi, projection=projection.value,
                launch_label=parse_point(launch, "--from", cat)[2], aim_label=parse_point(aim, "--to", cat)[2])
        note(f"wrote {figure}")
    emit(text, out)


@app.command(rich_help_panel=PANEL)
def flyout(
    interceptor: Annotated[str, typer.Option("--interceptor", help="catalog interceptor name, e.g. SM-3-IIA")],
    vbo_kms: float | None = typer.Option(None, "--vbo-kms", help="burnout speed (km/s; relative to the launcher, "
                                         "non-rotating Earth, at every elevation) instead of the catalog's"),
    tb_s: float | None = typer.Option(None, "--tb-s", help="burn time (s) instead of the catalog's"),
    site: str | None = typer.Option(None, "--site", help="site LAT,LON (deg) or place id: tau_min per fire azimuth "
                                    "(N, E, S, W) on the rotating Earth"),
    fmt: TableFormat = typer.Option(TableFormat.json, "--format", help="json (everything) or csv (the tau_min grid)"),
    figure: FigureOpt = None,
    dpi: DpiOpt = 150,
    out: OutFileOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Fly-out envelope of one interceptor: burnout speed per elevation, ceiling, reach, tau_min on a grid."""
    from bmdsim.analysis.flyout import flyout_report
    from bmdsim.model.places import parse_point

    check_out_and_step(out, 1.0)
    check_figure_options(dpi, figure, out)
    cat = user_catalog(catalog)
    where = None if site is None else parse_point(site, "--site", cat)
    report = flyout_report(interceptor, vbo_kms=vbo_kms, tb_s=tb_s, site=where, catalog=cat)
    if figure is not None:
        from bmdsim.io.flyout_plot import plot_flyout

        plot_flyout(report, figure, dpi)
    emit(report.to_json() if fmt.value == "json" else report.to_csv(), out)
