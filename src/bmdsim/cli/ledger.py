"""The claims ledger and the demo."""

from __future__ import annotations

from pathlib import Path

import typer

from bmdsim.cli.common import (
    DpiOpt,
    FigureFormat,
    FigureFormatOpt,
    QuietOpt,
    app,
    check_figure_options,
    console,
    finish_folder,
    progress_bar,
)

PANEL = "Claims ledger and demo"


@app.command(rich_help_panel=PANEL)
def claims(
    only: str = typer.Option(None, "--only", help="comma-separated claim ids, e.g. C3,C8"),
    out: Path = typer.Option(Path("out") / "claims", "--out", help="output folder"),
    envelope_grid: float = typer.Option(4.0, "--envelope-grid", help="safe-envelope grid for C4 (deg)"),
    figure_format: FigureFormatOpt = FigureFormat.png,
    dpi: DpiOpt = 150,
    quiet: QuietOpt = False,
) -> None:
    """The claims ledger: every technical claim of the article as a scenario with numbers and a verdict."""
    from bmdsim.analysis.claims import run_claims, write_claims
    from bmdsim.io import files

    check_figure_options(dpi)
    files.check_dir_writable(out)
    ids = [x.strip().upper() for x in only.split(",")] if only else None
    prog, cb = progress_bar(quiet, "claims")
    if prog:
        prog.start()
    try:
        records = run_claims(out, ids, progress=cb, envelope_grid_deg=envelope_grid,
                             figure_format=figure_format.value, dpi=dpi)
    finally:
        if prog:
            prog.stop()
    paths = finish_folder(out, write_claims(records, out))
    for r in records:
        console.print(f"{r['id']:>4}  {r['verdict']:<13}  {r['title']}: {r['threshold']}")
    if not quiet:
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command(rich_help_panel=PANEL)
def demo(out: Path = typer.Option(Path("out"), "--out", help="output folder")) -> None:
    """The main job on built-in defaults: catalog trajectories, then the claims ledger (out/claims/)."""
    from bmdsim.analysis.claims import run_claims, write_claims
    from bmdsim.analysis.demo import run_demo

    run_demo(out, console)
    prog, cb = progress_bar(False, "claims ledger")
    prog.start()
    try:
        records = run_claims(out / "claims", progress=cb)
    finally:
        prog.stop()
    paths = write_claims(records, out / "claims")
    for r in records:
        console.print(f"{r['id']:>4}  {r['verdict']:<13}  {r['title']}")
    console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
