"""The explorer: bmdsim serve."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import typer

from bmdsim.cli.common import CatalogOpt, app, console, fail

PANEL = "Explorer"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command(rich_help_panel=PANEL)
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (default loopback: this machine only)"),
    port: int = typer.Option(8000, "--port", help="TCP port (1..65535)"),
    open_browser: bool = typer.Option(False, "--open", help="open the page in the default web browser"),
    out: Path = typer.Option(Path("out") / "explorer", "--out", help="the only folder the server writes to"),
    allow_host: list[str] = typer.Option([], "--allow-host",
                                         help="extra Host name the page may be reached by (repeatable)"),
    no_warm: bool = typer.Option(False, "--no-warm", help="skip warming numba and fly-out tables at start"),
    catalog: CatalogOpt = None,
) -> None:
    """The explorer: a local web page (globe, engagement table, timeline, footprints, claims) and its JSON API."""
    import uvicorn

    from bmdsim.io import files
    from bmdsim.web.app import STATIC_MISSING, Settings, create_app, static_folder

    if not 1 <= port <= 65535:
        fail(f"--port {port}: expected 1..65535")
    files.check_dir_writable(out)
    if not (static_folder() / "index.html").is_file():
        fail(STATIC_MISSING)
    if not is_loopback(host):
        print(f"bmdsim: warning: listening on {host}: any machine that can reach this address can use the "
              "explorer (it has no log-in); the default 127.0.0.1 keeps it to this machine", file=sys.stderr)
    settings = Settings(host=host, port=port, out_dir=out, allowed_hosts=tuple(allow_host), warm=not no_warm,
                        catalog_files=tuple(str(c) for c in catalog or ()))
    web_app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    console.print(f"bmdsim explorer on {url} (Ctrl+C stops it); files go to {out}")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(web_app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False,
                    date_header=False)
    except OSError as err:
        fail(f"cannot listen on {host}:{port}: {err.strerror or err}")
