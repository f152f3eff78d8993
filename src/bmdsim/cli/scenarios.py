"""Scenario files: list, show, validate, run, schema."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from bmdsim.cli.common import (
    CatalogOpt,
    DecisionOpt,
    DpiOpt,
    FigureFormat,
    FigureFormatOpt,
    ForceOpt,
    JobsOpt,
    QuietOpt,
    SchedulerOpt,
    VariantOpt,
    VboOpt,
    app,
    check_figure_options,
    console,
    dask_options,
    finish_folder,
    progress_bar,
    user_catalog,
    warn,
    warn_architecture,
)

PANEL = "Scenarios"


@app.command(rich_help_panel=PANEL)
def scenarios(catalog: CatalogOpt = None) -> None:
    """List the built-in scenarios and threat sets with one-line descriptions."""
    user_catalog(catalog)  # checked like every command's (the list itself is the built-in scenarios)
    from bmdsim.model.scenario import builtin_names, load_threat_set, resolve_extends

    t = Table(title="Built-in scenarios (bmdsim show NAME; bmdsim run NAME)")
    for col in ("name", "date", "threats", "description"):
        t.add_column(col, overflow="fold")
    for name in builtin_names():
        data, _, _ = resolve_extends(name)
        thr = data.get("threats")
        date = " ".join(str(x) for x in (data.get("date", ""), data.get("date_note", "")) if x)
        t.add_row(name, date, thr if isinstance(thr, str) else "inline",
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
def show(name: str = typer.Argument(..., help="built-in scenario name or scenario file"),
         catalog: CatalogOpt = None) -> None:
    """Print the scenario with its `extends` chain resolved (YAML)."""
    import yaml

    from bmdsim.model.scenario import load_scenario

    scn = load_scenario(name, user_catalog(catalog))
    doc = scn.model_dump(mode="json", by_alias=True, exclude_none=True)
    for key in ("catalogs", "missiles", "interceptors", "sensors", "placements", "places"):  # empty: not shown
        if not doc.get(key):
            doc.pop(key, None)
    sys.stdout.write(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110))


class FileKind(StrEnum):
    auto = "auto"
    scenario = "scenario"
    architecture = "architecture"
    criteria = "criteria"
    forces = "forces"
    catalog = "catalog"


@app.command(rich_help_panel=PANEL)
def validate(
    path: str = typer.Argument(..., help="scenario, architecture, criteria, forces or catalog file (or built-in "
                                         "scenario)"),
    kind: FileKind = typer.Option(FileKind.auto, "--kind", help="the kind of file (auto: from its keys)"),
    catalog: CatalogOpt = None,
) -> None:
    """Check a file: every error at once, each with its line, what was found and what is allowed."""
    from bmdsim.analysis.validate import validate_file
    from bmdsim.model.validation import ValidationErrors

    try:
        what = validate_file(path, kind.value, user_catalog(catalog))
    except ValidationErrors as err:
        for msg in err.messages:
            print(f"bmdsim: error: {msg}", file=sys.stderr)
        raise typer.Exit(2) from None
    console.print(f"{path}: valid ({what})")


@app.command(rich_help_panel=PANEL)
def run(
    scenario: str = typer.Argument(..., help="built-in scenario name or scenario file"),
    out: Path = typer.Option(None, "--out", help="output folder (default out/NAME)"),
    variant: VariantOpt = None,
    vbo_kms: VboOpt = None,
    decision_time_s: DecisionOpt = None,
    scheduler: SchedulerOpt = None,
    jobs: JobsOpt = None,
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    quiet: QuietOpt = False,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Run a scenario's engagement table(s), one per variant (the base case too) and sweep point; writes
    summary.json, engagements.csv, threats.csv."""
    from bmdsim.analysis.run import run_scenario, work_sizes, write_run
    from bmdsim.io import files
    from bmdsim.model.limits import check_work
    from bmdsim.model.scenario import load_scenario, scenario_catalog

    check_figure_options(dpi)
    base = user_catalog(catalog)
    scn = load_scenario(scenario, base)
    cat = scenario_catalog(scn, base)
    warn(cat.warnings)
    check_work(f"run {scn.name}", work_sizes(scn, variant, base), force)
    _surface_warnings(scn, cat)
    out = out or Path("out") / scn.name
    files.check_dir_creatable(out)
    prog, cb = progress_bar(quiet, scn.name)
    if prog:
        prog.start()
    try:
        result = run_scenario(scn, progress=cb, variant=variant, vbo_kms=vbo_kms, decision_time_s=decision_time_s,
                              catalog=base, **dask_options(scheduler, jobs))
    finally:
        if prog:
            prog.stop()
    from bmdsim.io.provenance import static_provenance, write_scenario
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import expand_variants

    first = expand_variants(scn, variant)[0].scenario
    o = first.options
    prov = static_provenance(
        scenario=scn, arch=resolve(first.architecture, vbo_kms=vbo_kms if vbo_kms is not None else o.vbo_kms,
                                   decision_time_s=decision_time_s if decision_time_s is not None
                                   else o.decision_time_s, catalog=cat),
        missiles=sorted(set(result.threats.missile)),
        inputs={"variant": variant, "vbo_kms": vbo_kms, "decision_time_s": decision_time_s}, catalog=cat)
    prov["reproduce"] = ("bmdsim run scenario.yaml" + (f" --variant {variant}" if variant else "")
                         + (f" --vbo-kms {vbo_kms}" if vbo_kms is not None else "")
                         + (f" --decision-time-s {decision_time_s}" if decision_time_s is not None else "")
                         + f" --figure-format {figure_format.value} --dpi {dpi} --out .   (in this folder)")
    paths = [write_scenario(out, scn, cat)] + write_run(result, out, provenance=prov, figure_format=figure_format.value,
                                                        dpi=dpi)
    paths = finish_folder(out, paths)
    if not quiet:
        t = Table(title=f"{scn.name}: share of threats engageable")
        for col in ("run", "threats", "by any site", "two shots"):
            t.add_column(col)
        for r in result.summary()["runs"]:
            lab = ", ".join(f"{k}={v}" for k, v in r["label"].items()) or scn.name
            t.add_row(lab, str(r["threats"]), f"{r['share_engageable']:.1%}", f"{r['share_two_shots']:.1%}")
        console.print(t)
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


def _surface_warnings(scn, cat) -> None:
    """Queue land/sea warnings for every variant's sites and every threat launch point."""
    from bmdsim.model.architecture import resolve
    from bmdsim.model.scenario import expand_threats, expand_variants, load_threat_set
    from bmdsim.model.surface import threat_warnings

    for v in expand_variants(scn):
        warn_architecture(resolve(v.scenario.architecture, catalog=cat))
    tl = expand_threats(load_threat_set(scn.threats), catalog=cat)
    warn(threat_warnings(tl.missile, tl.launch_lat, tl.launch_lon, tl.launch_id, catalog=cat))


@app.command(rich_help_panel=PANEL)
def schema(out: Path = typer.Option(None, "--out", help="write the JSON Schema to FILE"),
           catalog: CatalogOpt = None) -> None:
    """JSON Schema of scenario files (for editors)."""
    user_catalog(catalog)  # checked like every command's (the schema does not depend on it)
    import json

    from bmdsim.io import files
    from bmdsim.model.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        files.write_atomic(files.check_writable(out), text)
