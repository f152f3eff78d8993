"""The claims ledger and the demo."""

from __future__ import annotations

from pathlib import Path

import typer

from bmdsim.cli.common import (
    CatalogOpt,
    DpiOpt,
    FigureFormat,
    FigureFormatOpt,
    ForceOpt,
    QuietOpt,
    app,
    check_figure_options,
    console,
    fail,
    finish_folder,
    progress_bar,
    user_catalog,
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
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """The claims ledger: every technical claim of the article as a scenario with numbers and a verdict.

    The ledger judges the built-in catalogs; with --catalog it uses them with the user's entries (an
    entry with `override: true` replaces a built-in one, e.g. a faster SM-3 IIB), and says so."""
    from bmdsim.analysis.claims import run_claims, write_claims
    from bmdsim.analysis.envelope import ENVELOPE_BBOX, envelope_sizes
    from bmdsim.analysis.grids import make_grid
    from bmdsim.io import files
    from bmdsim.model.limits import check_work

    check_figure_options(dpi)
    cat = user_catalog(catalog)
    files.check_dir_creatable(out)
    if not 0.1 <= envelope_grid <= 10:
        fail(f"--envelope-grid {envelope_grid}: valid 0.1..10 degrees")
    sizes = [(u, n, how.replace("--grid", "--envelope-grid").replace(" or a smaller --lat/--lon box", ""))
             for u, n, how in envelope_sizes(make_grid(ENVELOPE_BBOX, envelope_grid), catalog=cat)]
    check_work("claims", sizes, force)
    ids = [x.strip().upper() for x in only.split(",") if x.strip()] if only is not None else None
    if ids == []:
        fail(f"--only {only!r}: give claim ids, e.g. --only C3,C8 (or leave --only out for every claim)")
    prog, cb = progress_bar(quiet, "claims")
    if prog:
        prog.start()
    try:
        records = run_claims(out, ids, progress=cb, envelope_grid_deg=envelope_grid,
                             figure_format=figure_format.value, dpi=dpi, catalog=None if cat.is_builtin else cat)
    finally:
        if prog:
            prog.stop()
    paths = finish_folder(out, write_claims(records, out))
    for r in records:
        console.print(f"{r['id']:>4}  {r['verdict']:<13}  {r['title']}: {r['threshold']}")
    if not quiet:
        console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")


@app.command(rich_help_panel=PANEL)
def demo(out: Path = typer.Option(Path("out"), "--out", help="output folder"),
         catalog: CatalogOpt = None) -> None:
    """The main job on built-in defaults: catalog trajectories, then the claims ledger (out/claims/).
    With --catalog, the user's entries are added (overrides replace built-ins)."""
    from bmdsim.analysis.claims import run_claims, write_claims
    from bmdsim.analysis.demo import run_demo

    cat = user_catalog(catalog)
    cat = None if cat.is_builtin else cat
    run_demo(out, console, catalog=cat)
    prog, cb = progress_bar(False, "claims ledger")
    if prog:
        prog.start()
    try:
        records = run_claims(out / "claims", progress=cb, catalog=cat)
    finally:
        if prog:
            prog.stop()
    paths = write_claims(records, out / "claims")
    for r in records:
        console.print(f"{r['id']:>4}  {r['verdict']:<13}  {r['title']}")
    console.print("wrote " + ", ".join(str(p) for p in paths), style="dim")
