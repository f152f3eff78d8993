"""The ``bmdsim`` command line: parses, calls the library, prints. Nothing else.

Every user mistake ends with one line on stderr and exit code 2; no traceback, no partial file (output
is written only once the input is validated, each file atomically, and whatever a failing command did
create is removed: :func:`bmdsim.io.files.all_or_nothing`). Warnings (``bmdsim: warning: ...``) are
printed only when the command succeeds.
Commands live in one module per group (catalog, threat, assess, scenarios, analyses, ledger, serve); they
register on the shared typer app of :mod:`bmdsim.cli.common`.
"""

from __future__ import annotations

import sys

import typer

# isort: off
# importing a command module registers its commands; --help lists the groups in this order
from bmdsim.cli import catalog, threat, assess, scenarios, analyses, ledger, serve  # noqa: F401
# isort: on
from bmdsim.cli import common
from bmdsim.cli.common import WARNINGS, app
from bmdsim.errors import BmdsimError
from bmdsim.io import files

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: one line on stderr and exit 2 for any user mistake."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        argv = ["--help"]
    common.ARGV[:] = argv
    WARNINGS.clear()
    for i, arg in enumerate(argv, 1):  # a shell cannot pass one, but the API can; paths with one crash os.stat
        if "\x00" in arg:
            print(f"bmdsim: error: argument {i} contains a NUL byte; arguments must be plain text", file=sys.stderr)
            return 2
    try:
        with files.all_or_nothing():  # a failing command leaves no file or folder it created behind
            rv = app(args=argv, standalone_mode=False, prog_name="bmdsim")
        if isinstance(rv, int) and not isinstance(rv, bool):
            return rv  # typer.Exit(code) comes back as a return value in non-standalone mode
        for w in WARNINGS:  # only after success: a failing command prints its one error line alone
            print(f"bmdsim: warning: {w}", file=sys.stderr)
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
