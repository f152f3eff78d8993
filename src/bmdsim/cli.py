"""The ``bmdsim`` command line: parses, calls the library, prints. Nothing else.

Every user mistake ends with one line on stderr and exit code 2; no traceback, no partial file.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

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


def _fail(msg: str) -> None:
    raise BmdsimError(msg)


@app.command()
def missiles() -> None:
    """Table of catalog missiles with their sources."""
    from bmdsim.model.missiles import load_missiles

    t = Table(title="Ballistic missiles (notional parameters tuned to nominal range; see catalog notes)")
    for col in ("name", "class", "country", "stages", "boost s", "nominal range km", "source of range"):
        t.add_column(col, overflow="fold")
    for m in load_missiles().values():
        r = m.nominal_range_km
        t.add_row(m.name, m.missile_class, m.country, str(len(m.stages)), f"{m.boost_time_s:.0f}",
                  f"{r.value:,.0f}", r.source or f"notional: {r.note}")
    console.print(t)


@app.command()
def interceptors() -> None:
    """Table of catalog interceptors with their sources."""
    from bmdsim.model.interceptors import load_interceptors

    t = Table(title="Interceptors (baseline kinematic model)")
    for col in ("name", "owner", "vbo km/s", "burn s", "alt band km", "vbo source"):
        t.add_column(col, overflow="fold")
    for i in load_interceptors().values():
        v = i.vbo_kms
        t.add_row(i.name, i.owner, f"{v.value:g}", f"{i.tb_s.value:g}",
                  f"{i.h_min_km.value:g}-{i.h_max_km.value:g}", v.source or f"notional: {v.note}")
    console.print(t)


@app.command()
def sensors() -> None:
    """Table of catalog sensors with their sources."""
    from bmdsim.model.sensors import load_sensors

    t = Table(title="Sensors")
    for col in ("name", "owner", "kind", "lat", "lon", "range km @ RCS m2", "fire control", "source"):
        t.add_column(col, overflow="fold")
    for s in load_sensors().values():
        rng = (f"{s.range_ref_km.value:,.0f} @ {s.rcs_ref_m2.value:g}" if s.range_ref_km is not None else "-")
        lat = f"{s.place.lat_deg:.3f}" if s.place else "mobile"
        lon = f"{s.place.lon_deg:.3f}" if s.place else "-"
        src = (s.place.source if s.place and s.place.source else "") or ""
        t.add_row(s.name, s.owner, s.kind, lat, lon, rng, "yes" if s.fire_control_quality else "no", src[:80])
    console.print(t)


@app.command()
def trajectory(
    missile: str = typer.Option(..., "--missile", help="catalog missile name, e.g. SS-27"),
    launch: str = typer.Option(..., "--from", help="launch point LAT,LON (deg) or place id"),
    aim: str = typer.Option(..., "--to", help="aimpoint LAT,LON (deg) or place id"),
    apogee_km: float = typer.Option(None, "--apogee-km", help="lofted/depressed: apogee height (km)"),
    flight_time_s: float = typer.Option(None, "--flight-time-s", help="lofted/depressed: flight time (s)"),
    gamma_deg: float = typer.Option(None, "--gamma-deg", help="burnout flight-path angle (deg)"),
    step_s: float = typer.Option(10.0, "--step-s", help="sample spacing (s)"),
    fmt: TrajFormat = typer.Option(TrajFormat.json, "--format", help="json, csv or kml"),
    out: Path = typer.Option(None, "--out", help="write to FILE instead of standard output"),
) -> None:
    """Solve one trajectory that hits the aimpoint within 1 km (minimum-energy unless a shape is given)."""
    from bmdsim.io import files, trajectory_formats
    from bmdsim.model.places import parse_point
    from bmdsim.model.trajectories import Shape, solve_one

    if out is not None:
        files.check_writable(out)
    if not step_s > 0:
        _fail(f"--step-s must be > 0 seconds, got {step_s}")
    shape = Shape.from_options(apogee_km, flight_time_s, gamma_deg)
    lat1, lon1, _ = parse_point(launch, "--from")
    lat2, lon2, _ = parse_point(aim, "--to")
    ts = solve_one(missile, (lat1, lon1), (lat2, lon2), shape, step_s)
    render = {"json": trajectory_formats.to_json, "csv": trajectory_formats.to_csv,
              "kml": trajectory_formats.to_kml}[fmt.value]
    text = render(ts)
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
    architecture: Path = typer.Option(..., "--architecture", help="architecture YAML file"),
    missile: str = typer.Option(..., "--missile", help="catalog missile name"),
    launch: str = typer.Option(..., "--from", help="launch point LAT,LON (deg) or place id"),
    aim: str = typer.Option(..., "--to", help="aimpoint LAT,LON (deg) or place id"),
    vbo_kms: float = typer.Option(None, "--vbo-kms", help="override every site's interceptor vbo (km/s)"),
    decision_time_s: float = typer.Option(None, "--decision-time-s", help="override the decision time (s)"),
    apogee_km: float = typer.Option(None, "--apogee-km", help="lofted/depressed threat: apogee (km)"),
    flight_time_s: float = typer.Option(None, "--flight-time-s", help="lofted/depressed threat: flight time (s)"),
    gamma_deg: float = typer.Option(None, "--gamma-deg", help="threat burnout flight-path angle (deg)"),
    step_s: float = typer.Option(5.0, "--step-s", help="threat sample spacing (s): the window resolution"),
    fmt: TableFormat = typer.Option(TableFormat.json, "--format", help="json or csv"),
    out: Path = typer.Option(None, "--out", help="write to FILE instead of standard output"),
) -> None:
    """Engagement table of one threat against every site of an architecture."""
    from bmdsim.analysis.engage import run_engagements
    from bmdsim.io import files
    from bmdsim.model.architecture import load_architecture, resolve
    from bmdsim.model.places import parse_point
    from bmdsim.model.trajectories import Shape, solve_one

    if out is not None:
        files.check_writable(out)
    if not step_s > 0:
        _fail(f"--step-s must be > 0 seconds, got {step_s}")
    arch = resolve(load_architecture(architecture), vbo_kms=vbo_kms, decision_time_s=decision_time_s)
    shape = Shape.from_options(apogee_km, flight_time_s, gamma_deg)
    lat1, lon1, _ = parse_point(launch, "--from")
    lat2, lon2, _ = parse_point(aim, "--to")
    ts = solve_one(missile, (lat1, lon1), (lat2, lon2), shape, step_s)
    table = run_engagements(arch, ts)
    text = table.to_json() if fmt.value == "json" else table.to_csv()
    if out is None:
        sys.stdout.write(text)
    else:
        files.write_atomic(out, text)
        console.print(f"wrote {out}", style="dim")


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
    quiet: bool = typer.Option(False, "--quiet", help="no progress output"),
) -> None:
    """Run a scenario's engagement table(s); writes summary.json, engagements.csv, threats.csv."""
    from bmdsim.analysis.run import run_scenario, write_run
    from bmdsim.io import files
    from bmdsim.model.scenario import load_scenario

    scn = load_scenario(scenario)
    out = out or Path("out") / scn.name
    files.check_dir_writable(out)
    result = run_scenario(scn)
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


@app.command()
def demo(out: Path = typer.Option(Path("out"), "--out", help="output folder")) -> None:
    """Run the main job on built-in defaults and write results under OUT."""
    from bmdsim.analysis.demo import run_demo

    run_demo(out, console)


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
