"""One threat at a time: trajectory, engage; one interceptor: flyout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bmdsim.cli.common import (
    ApogeeOpt,
    DecisionOpt,
    FlightTimeOpt,
    FromOpt,
    GammaOpt,
    MissileOpt,
    OutFileOpt,
    TableFormat,
    ToOpt,
    TrajFormat,
    VboOpt,
    app,
    check_out_and_step,
    emit,
    fail,
    one_threat,
)

PANEL = "One threat"


@app.command(rich_help_panel=PANEL)
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

    check_out_and_step(out, step_s)
    ts = one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s)
    render = {"json": trajectory_formats.to_json, "csv": trajectory_formats.to_csv,
              "kml": trajectory_formats.to_kml}[fmt.value]
    emit(render(ts), out)


@app.command(rich_help_panel=PANEL)
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
    solve_vbo: bool = typer.Option(False, "--solve-vbo", help="also report, per site, the least burnout speed "
                                   "(0.05 km/s grid) at which that site engages the threat"),
    fmt: TableFormat = typer.Option(TableFormat.json, "--format", help="json or csv"),
    out: OutFileOpt = None,
) -> None:
    """Engagement table of one threat against every site of an architecture."""
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.model.architecture import load_architecture, resolve

    check_out_and_step(out, step_s)
    if solve_vbo and vbo_kms is not None:
        fail("--solve-vbo searches the burnout speed itself; leave out --vbo-kms")
    spec = load_architecture(architecture)
    arch = resolve(spec, vbo_kms=vbo_kms, decision_time_s=decision_time_s)
    ts = one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s)
    table = run_engagements(arch, ts)
    if solve_vbo:
        from bmdsim.analysis.deterrent import least_vbo_per_site

        table.least_vbo_kms = least_vbo_per_site(spec, ts, decision_time_s=decision_time_s)[None, :]
    emit(table.to_json() if fmt.value == "json" else table.to_csv(), out)


@app.command(rich_help_panel=PANEL)
def flyout(
    interceptor: Annotated[str, typer.Option("--interceptor", help="catalog interceptor name, e.g. SM-3-IIA")],
    vbo_kms: float | None = typer.Option(None, "--vbo-kms", help="burnout speed (km/s; relative to the launcher, "
                                         "non-rotating Earth, at every elevation) instead of the catalog's"),
    tb_s: float | None = typer.Option(None, "--tb-s", help="burn time (s) instead of the catalog's"),
    site: str | None = typer.Option(None, "--site", help="site LAT,LON (deg) or place id: tau_min per fire azimuth "
                                    "(N, E, S, W) on the rotating Earth"),
    fmt: TableFormat = typer.Option(TableFormat.json, "--format", help="json (everything) or csv (the tau_min grid)"),
    figure: Path | None = typer.Option(None, "--figure", help="draw the fly-out fan and tau_min contours to FILE "
                                       "(.png, .svg or .pdf)"),
    dpi: int = typer.Option(150, "--dpi", help="figure resolution (dots per inch)"),
    out: OutFileOpt = None,
) -> None:
    """Fly-out envelope of one interceptor: burnout speed per elevation, ceiling, reach, tau_min on a grid."""
    from bmdsim.analysis.flyout import flyout_report
    from bmdsim.model.places import parse_point

    check_out_and_step(out, 1.0)
    if figure is not None:
        from bmdsim.io import files
        from bmdsim.io.flyout_plot import figure_format

        figure_format(figure)
        files.check_writable(figure)
        if not 20 <= dpi <= 1200:
            fail(f"--dpi {dpi}: expected an integer from 20 to 1200")
    where = None if site is None else parse_point(site, "--site")
    report = flyout_report(interceptor, vbo_kms=vbo_kms, tb_s=tb_s, site=where)
    if figure is not None:
        from bmdsim.io.flyout_plot import plot_flyout

        plot_flyout(report, figure, dpi)
    emit(report.to_json() if fmt.value == "json" else report.to_csv(), out)
