"""Shared pieces of the command line: the typer app, option types several commands use, and the
helpers that turn options into library calls (one-line errors, output, progress, Dask options)."""

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

class TableFormat(StrEnum):
    json = "json"
    csv = "csv"

SCHEDULER_HELP = "run the sweep on Dask: 'local' (a LocalCluster of --jobs workers) or a scheduler address"

JOBS_HELP = "worker processes on this machine (default 2 with --scheduler local; > 1 implies --scheduler local)"

MissileOpt = Annotated[str, typer.Option("--missile", help="catalog missile name, e.g. SS-27")]

FromOpt = Annotated[str, typer.Option("--from", help="launch point LAT,LON (deg) or place id")]

ToOpt = Annotated[str, typer.Option("--to", help="aimpoint LAT,LON (deg) or place id")]

ApogeeOpt = Annotated[float | None, typer.Option("--apogee-km", help="lofted/depressed threat: apogee height (km)")]

FlightTimeOpt = Annotated[float | None, typer.Option("--flight-time-s", help="lofted/depressed threat: flight time")]

GammaOpt = Annotated[float | None, typer.Option("--gamma-deg", help="threat burnout flight-path angle (deg)")]

OutFileOpt = Annotated[Path | None, typer.Option("--out", help="write to FILE instead of standard output")]

VboOpt = Annotated[float | None, typer.Option(
    "--vbo-kms", help="override every site's interceptor burnout speed vbo (km/s; relative to the launcher, "
                      "non-rotating Earth; the site's rotation is added)")]

DecisionOpt = Annotated[float | None, typer.Option("--decision-time-s", help="override the decision time (s)")]

SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help=SCHEDULER_HELP)]

JobsOpt = Annotated[int | None, typer.Option("--jobs", help=JOBS_HELP)]

QuietOpt = Annotated[bool, typer.Option("--quiet", help="no progress output")]

def fail(msg: str) -> None:
    raise BmdsimError(msg)

def print_table(title: str, columns: tuple[str, ...], rows) -> None:
    """A rich table of catalog entries (long cells fold)."""
    t = Table(title=title)
    for col in columns:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*row)
    console.print(t)

def cite(p) -> str:
    """A catalog parameter's source, or its notional note."""
    return p.source or f"notional: {p.note}"

def check_out_and_step(out, step_s) -> None:
    """Fail before any work if the output file cannot be written or the sample step is not positive."""
    from bmdsim.io import files

    if out is not None:
        files.check_writable(out)
    if not step_s > 0:
        fail(f"--step-s must be > 0 seconds, got {step_s}")

def one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s):
    """Parse --from/--to and the shape options, and solve the one trajectory (one-line errors)."""
    from bmdsim.model.places import parse_point
    from bmdsim.model.trajectories import Shape, solve_one

    shape = Shape.from_options(apogee_km, flight_time_s, gamma_deg)
    lat1, lon1, _ = parse_point(launch, "--from")
    lat2, lon2, _ = parse_point(aim, "--to")
    return solve_one(missile, (lat1, lon1), (lat2, lon2), shape, step_s)

def emit(text: str, out) -> None:
    """Write to standard output, or atomically to ``out``."""
    from bmdsim.io import files

    if out is None:
        sys.stdout.write(text)
    else:
        files.write_atomic(out, text)
        console.print(f"wrote {out}", style="dim")

def dask_options(scheduler: str | None, jobs: int | None) -> dict:
    """``scheduler`` / ``jobs`` keyword arguments of the analyses from the CLI options."""
    if jobs is not None and jobs < 1:
        fail(f"--jobs {jobs}: expected a number of worker processes >= 1")
    from bmdsim.analysis.sweep import check_scheduler

    check_scheduler(scheduler)
    if scheduler is None and jobs is not None and jobs > 1:
        scheduler = "local"
    return {"scheduler": scheduler, "jobs": 2 if jobs is None else jobs}

def progress_bar(quiet: bool, label: str):
    """A rich progress callback (or None when quiet)."""
    if quiet:
        return None, None
    from rich.progress import Progress

    prog = Progress(console=Console(stderr=True), transient=True)
    task = prog.add_task(label, total=None)

    def cb(done: int, total: int) -> None:
        prog.update(task, completed=done, total=total)

    return prog, cb

def busy(quiet: bool, text: str):
    """A transient spinner on stderr for runs of more than a moment (none when quiet)."""
    import contextlib

    return contextlib.nullcontext() if quiet else Console(stderr=True).status(text)

def scenario_arch(scenario: str, vbo_kms, decision_time_s):
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import expand_variants, load_scenario

    scn = load_scenario(scenario)
    v = expand_variants(scn)[0].scenario
    o = v.options
    arch = resolve(v.architecture, vbo_kms=vbo_kms if vbo_kms is not None else o.vbo_kms,
                   decision_time_s=decision_time_s if decision_time_s is not None else o.decision_time_s)
    return scn, v, arch
