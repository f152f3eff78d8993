"""Scenario files: list, show, validate, run, schema."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from bmdsim.cli.common import (
    JobsOpt,
    QuietOpt,
    SchedulerOpt,
    app,
    console,
    dask_options,
    finish_folder,
    progress_bar,
)

PANEL = "Scenarios"


@app.command(rich_help_panel=PANEL)
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


@app.command(rich_help_panel=PANEL)
def show(name: str = typer.Argument(..., help="built-in scenario name or scenario file")) -> None:
    """Print the scenario with its `extends` chain resolved (YAML)."""
    import yaml

    from bmdsim.model.scenario import load_scenario

    scn = load_scenario(name)
    sys.stdout.write(yaml.safe_dump(scn.model_dump(mode="json", by_alias=True, exclude_none=True), sort_keys=False,
                                    allow_unicode=True, width=110))


@app.command(rich_help_panel=PANEL)
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


@app.command(rich_help_panel=PANEL)
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
    prog, cb = progress_bar(quiet, scn.name)
    if prog:
        prog.start()
    try:
        result = run_scenario(scn, progress=cb, **dask_options(scheduler, jobs))
    finally:
        if prog:
            prog.stop()
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import expand_variants

    base = expand_variants(scn)[0].scenario
    o = base.options
    prov = static_provenance(scenario=scn, arch=resolve(base.architecture, vbo_kms=o.vbo_kms,
                                                        decision_time_s=o.decision_time_s),
                             missiles=sorted(set(result.threats.missile)))
    prov["reproduce"] = "bmdsim run scenario.yaml --out .   (in this folder)"
    paths = [write_scenario(out, scn)] + write_run(result, out, provenance=prov)
    paths = finish_folder(out, paths)
    if not quiet:
        t = Table(title=f"{scn.name}: share of threats engageable")
        for col in ("run", "threats", "by any site", "two shots"):
            t.add_column(col)
        for r in result.summary()["runs"]:
            lab = ", ".join(f"{k}={v}" for k, v in r["label"].items()) or "base"
            t.add_row(lab, str(r["threats"]), f"{r['share_engageable']:.1%}", f"{r['share_two_shots']:.1%}")
        console.print(t)
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command(rich_help_panel=PANEL)
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
