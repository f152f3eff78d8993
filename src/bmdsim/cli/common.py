"""Shared pieces of the command line: the typer app, option types several commands use, and the
helpers that turn options into library calls (one-line errors, output, progress, Dask options)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
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
    geojson = "geojson"
    czml = "czml"
    e = "e"

class FigureFormat(StrEnum):
    png = "png"
    svg = "svg"
    pdf = "pdf"

class Projection(StrEnum):
    auto = "auto"
    lambert = "lambert"
    azimuthal = "azimuthal"
    polar = "polar"
    platecarree = "platecarree"

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

FigureOpt = Annotated[Path | None, typer.Option("--figure", help="also draw a figure to FILE (.png, .svg or .pdf)")]

FigureFormatOpt = Annotated[FigureFormat, typer.Option("--figure-format", help="format of the folder's figures")]

DpiOpt = Annotated[int, typer.Option("--dpi", help="figure resolution, dots per inch (20..1200)")]

ProjectionOpt = Annotated[Projection, typer.Option(
    "--projection", help="map projection (auto: Lambert conformal for a region, polar stereographic for the "
                         "Arctic and Russia-US tracks, plate carree for the world)")]

EpochOpt = Annotated[str | None, typer.Option(
    "--epoch", help="absolute time of launch, ISO-8601 UTC (default: the scenario's date, else 2012-01-01T00:00:00Z)")]

CatalogOpt = Annotated[list[str] | None, typer.Option(
    "--catalog", help="a user catalog FILE (missiles, interceptors, sensors, placements, places in the built-in "
                      "catalogs' schema) added to the built-ins; repeatable", show_default=False)]

# the argument list of this run (set by bmdsim.cli.main), for provenance.json
ARGV: list[str] = []


def _version_callback(value: bool) -> None:
    if value:
        from bmdsim.io.provenance import version

        console.print(f"bmdsim {version()}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="print bmdsim's version and exit",
                                       callback=_version_callback, is_eager=True)) -> None:
    """bmdsim: open missile-defense kinematics laboratory (open-literature, notional parameters)."""


def check_figure_options(dpi: int, figure=None, out=None) -> None:
    """Fail before any work on a bad --dpi, a --figure whose suffix is not png/svg/pdf or unwritable, or a
    --figure that is the --out file (one would overwrite the other)."""
    from bmdsim.io import figures, files

    figures.check_dpi(dpi)
    if figure is not None:
        figures.figure_format(figure)
        files.check_writable(figure)
        if out is not None and Path(figure).resolve() == Path(out).resolve():
            fail(f"--figure and --out are the same file {str(figure)!r}; give two names")


def note(text: str) -> None:
    """A progress note on stderr (standard output carries the data)."""
    Console(stderr=True).print(text, style="dim")


def finish_folder(out: Path, paths: list) -> list:
    """Write provenance.json (date, git revision, command line, file hashes) last; return all paths."""
    from bmdsim.io.provenance import write_provenance

    return list(paths) + [write_provenance(out, ARGV, paths)]

ForceOpt = Annotated[bool, typer.Option("--force", help="run even beyond the work limits (see bmdsim.model.limits)")]

LatOpt = Annotated[str, typer.Option("--lat", help="grid box latitudes LOW:HIGH (deg; N/S letters accepted)")]

LonOpt = Annotated[str, typer.Option("--lon", help="grid box longitudes LOW:HIGH (deg; E/W letters accepted)")]

OldBboxOpt = Annotated[str | None, typer.Option("--bbox", hidden=True, help="removed: use --lat and --lon")]

def fail(msg: str) -> None:
    raise BmdsimError(msg)

WARNINGS: list[str] = []  # printed by bmdsim.cli.main once the command succeeded (an error stays one line)

def warn(messages) -> None:
    """Queue ``bmdsim: warning:`` lines (land/sea checks and the like) for the end of a successful command."""
    for m in messages:
        if m and m not in WARNINGS:
            WARNINGS.append(m)

def user_catalog(files):
    """The catalog context of this command: the built-ins plus the ``--catalog`` files, in order (one-line
    errors with file and line); override warnings go to the warnings channel."""
    from bmdsim.model.catalogs import with_files

    cat = with_files(files)
    warn(cat.warnings)
    return cat

def warn_architecture(arch) -> None:
    """Warnings for sites on the wrong side of the coast (a resolved architecture)."""
    from bmdsim.model.surface import architecture_warnings

    warn(architecture_warnings(arch))

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

def grid_box(lat: str, lon: str, old_bbox: str | None) -> tuple[float, float, float, float]:
    """(lon_min, lon_max, lat_min, lat_max) from --lat LOW:HIGH and --lon LOW:HIGH; the removed --bbox fails."""
    from bmdsim.model.places import parse_bounds

    if old_bbox is not None:
        fail(f"--bbox {old_bbox!r}: the four-number box (LON,LON,LAT,LAT) is gone because its order could not "
             "be told from the numbers; give named bounds, LAT first: --lat 34:72 --lon -12:45")
    la0, la1 = parse_bounds(lat, "lat", "--lat")
    lo0, lo1 = parse_bounds(lon, "lon", "--lon")
    return lo0, lo1, la0, la1

def check_out_and_step(out, step_s) -> None:
    """Fail before any work if the output file cannot be written or the sample step is outside
    [0.1, 60] s (:func:`bmdsim.model.limits.check_step`)."""
    from bmdsim.io import files
    from bmdsim.model.limits import check_step

    if out is not None:
        files.check_writable(out)
    check_step(step_s)

def one_threat(missile, launch, aim, apogee_km, flight_time_s, gamma_deg, step_s, *, command: str = "this command",
               fmt: str | None = None, force: bool = False, catalog=None):
    """Parse --from/--to and the shape options, check the work limits, and solve the one trajectory
    (one-line errors); names resolve in ``catalog`` (None: the built-ins)."""
    from bmdsim.model import limits
    from bmdsim.model.places import parse_point
    from bmdsim.model.surface import threat_warnings
    from bmdsim.model.trajectories import Shape, solve_one

    shape = Shape.from_options(apogee_km, flight_time_s, gamma_deg)
    lat1, lon1, label = parse_point(launch, "--from", catalog)
    lat2, lon2, _ = parse_point(aim, "--to", catalog)
    n = limits.samples_per_trajectory(missile, step_s, shape, catalog=catalog)
    sizes = [("samples_per_trajectory", n, f"raise --step-s (now {step_s:g} s)")]
    if fmt in limits.BYTES_PER_SAMPLE:
        sizes.append(("output_bytes", n * limits.BYTES_PER_SAMPLE[fmt], f"raise --step-s (now {step_s:g} s)"))
    limits.check_work(command, sizes, force)
    ts = solve_one(missile, (lat1, lon1), (lat2, lon2), shape, step_s, catalog=catalog)
    warn(threat_warnings([missile], [lat1], [lon1], [label], catalog=catalog))
    return ts

def emit(text: str, out) -> None:
    """Write to standard output, or atomically to ``out``."""
    from bmdsim.io import files

    if out is None:
        sys.stdout.write(text if not text or text.endswith("\n") else text + "\n")
    else:
        files.write_atomic(out, text)
        console.print(f"wrote {out}", style="dim")

def dask_options(scheduler: str | None, jobs: int | None) -> dict:
    """``scheduler`` / ``jobs`` keyword arguments of the analyses from the CLI options."""
    from bmdsim.analysis.sweep import MAX_LOCAL_WORKERS, check_scheduler, probe_scheduler

    if jobs is not None and not 1 <= jobs <= MAX_LOCAL_WORKERS:
        fail(f"--jobs {str(jobs)[:20]}: expected 1 to {MAX_LOCAL_WORKERS} worker processes on this machine "
             "(for more, start a cluster and give --scheduler tcp://HOST:8786)")

    check_scheduler(scheduler)
    if scheduler not in (None, "local"):
        probe_scheduler(scheduler)  # before any work: a wrong address fails within seconds
    if scheduler is None and jobs is not None and jobs > 1:
        scheduler = "local"
    return {"scheduler": scheduler, "jobs": 2 if jobs is None else jobs}

def progress_bar(quiet: bool, label: str):
    """A rich progress callback (None when quiet, or when stderr is not a terminal: a log or a pipe gets
    no progress lines, so an error stays the one line on stderr)."""
    if quiet or not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress

    prog = Progress(console=Console(stderr=True), transient=True)
    task = prog.add_task(label, total=None)

    def cb(done: int, total: int) -> None:
        prog.update(task, completed=done, total=total)

    return prog, cb

def busy(quiet: bool, text: str):
    """A transient spinner on stderr for runs of more than a moment (none when quiet or when stderr is not a
    terminal)."""
    import contextlib

    return contextlib.nullcontext() if quiet or not sys.stderr.isatty() else Console(stderr=True).status(text)

VariantOpt = Annotated[str | None, typer.Option(
    "--variant", help="one variant of the scenario (NAME, or base for the file itself) or all; default all: one "
                      "subfolder per variant plus an index (index.html, index.md, index.json)")]


@dataclass(frozen=True)
class Case:
    """One case an analysis runs: the variant name ('' for a scenario without variants), the scenario with
    the variant merged in, its resolved architecture, and the label outputs carry."""

    name: str
    scenario: object
    arch: object
    label: str
    catalog: object = None  # the catalog context it runs with (bmdsim.model.catalogs.Catalog)

    def folder(self, out: Path, single: bool) -> Path:
        """The case's output folder: ``out`` itself for a single case, else ``out/<variant>``."""
        return out if single else out / safe_name(self.name)


def safe_name(name: str) -> str:
    """A variant name as a folder name: letters, digits, '.', '_' and '-' kept, anything else '_'."""
    import re

    s = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "_"
    return s[:80]


def scenario_cases(scenario: str, variant: str | None, vbo_kms=None, decision_time_s=None, catalog=None):
    """The scenario and the cases to run (every variant, or the one ``--variant`` names), each with its
    architecture resolved (``--vbo-kms`` / ``--decision-time-s`` over the scenario's options) and the catalog
    context it runs with (``catalog``, None: the built-ins; plus the scenario's own catalog entries)."""
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import analysis_cases, load_scenario, scenario_catalog

    scn = load_scenario(scenario, catalog)
    cat = scenario_catalog(scn, catalog)
    warn(cat.warnings)
    if scn.sweep:
        warn([f"scenario {scn.name!r} has a sweep: analyses run each variant at its values before the sweep "
              "(sweeps run with `bmdsim run`)"])
    cases = []
    for name, v in analysis_cases(scn, variant):
        o = v.options
        arch = resolve(v.architecture, vbo_kms=vbo_kms if vbo_kms is not None else o.vbo_kms,
                       decision_time_s=decision_time_s if decision_time_s is not None else o.decision_time_s,
                       catalog=cat)
        warn_architecture(arch)
        cases.append(Case(name, v, arch, f"{scn.name}, variant {name}" if name else scn.name, cat))
    return scn, cases


def finish_cases(out: Path, scn, cases: list[Case], entries: list[dict], command: str) -> list:
    """With several cases: ``index.json``, ``index.md`` and ``index.html`` in ``out`` linking each case's
    folder and report, with the numbers ``entries`` give (one dict per case), and provenance.json."""
    from bmdsim.io.report import write_index

    if len(cases) <= 1:
        return []
    rows = [{"variant": c.name, "folder": safe_name(c.name), **e} for c, e in zip(cases, entries, strict=True)]
    paths = write_index(out, f"{command}: {scn.name}, {len(cases)} variants", rows, scenario=scn.name,
                        description=scn.description)
    return finish_folder(out, paths)


def scenario_arch(scenario: str, vbo_kms, decision_time_s, catalog=None):
    """The scenario, its only case, that case's architecture and catalog context; a one-line error if the
    scenario has variants (callers that run one case only)."""
    scn, cases = scenario_cases(scenario, None, vbo_kms, decision_time_s, catalog)
    if len(cases) != 1:
        fail(f"scenario {scn.name!r} has variants ({', '.join(c.name for c in cases)}); give --variant NAME")
    return scn, cases[0].scenario, cases[0].arch, cases[0].catalog
