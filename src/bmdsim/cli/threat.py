"""One threat at a time: trajectory, engage."""

from __future__ import annotations

from typing import Annotated

import typer

from bmdsim.cli.common import (
    ApogeeOpt,
    DecisionOpt,
    FlightTimeOpt,
    ForceOpt,
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
    one_threat,
    warn_architecture,
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
    force: ForceOpt = False,
) -> None:
    """Solve one trajectory that hits the aimpoint within 1 km (minimum-energy unless a shape is given)."""
    from bmdsim.io import trajectory_formats

    check_out_and_step(out, step_s)
    ts = one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s, command="trajectory",
                    fmt=fmt.value, force=force)
    render = {"json": trajectory_formats.to_json, "csv": trajectory_formats.to_csv,
              "kml": trajectory_formats.to_kml}[fmt.value]
    emit(render(ts), out)


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
    fmt: TableFormat = typer.Option(TableFormat.json, "--format", help="json or csv"),
    out: OutFileOpt = None,
    force: ForceOpt = False,
) -> None:
    """Engagement table of one threat against every site of an architecture."""
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.model.architecture import resolve
    from bmdsim.model.archref import load_architecture_ref

    ref = load_architecture_ref(architecture)
    o = ref.options
    if o is not None:  # a scenario's options are the defaults
        vbo_kms = o.vbo_kms if vbo_kms is None else vbo_kms
        decision_time_s = o.decision_time_s if decision_time_s is None else decision_time_s
        step_s = o.step_s if step_s is None else step_s
    step_s = 5.0 if step_s is None else step_s
    check_out_and_step(out, step_s)
    arch = resolve(ref.architecture, vbo_kms=vbo_kms, decision_time_s=decision_time_s)
    warn_architecture(arch)
    ts = one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s, command="engage", force=force)
    table = run_engagements(arch, ts)
    emit(table.to_json() if fmt.value == "json" else table.to_csv(), out)
