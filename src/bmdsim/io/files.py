"""Safe file output: check the destination first, write nothing until the command has validated its
input, then write each file atomically (a temporary file in the same folder, then a rename) with the
permissions the process umask gives (0644 under umask 022), as ``open()`` would.

:func:`check_writable` and :func:`check_dir_creatable` only look (nothing is created);
:func:`check_dir_writable` creates the folder and is meant for the writers, once the work is done.
:func:`all_or_nothing` removes what a group of writes created if one of them fails, so a folder is
never left half-written by a failing command.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from bmdsim.errors import BmdsimError

_CREATED: list[list[Path]] = []  # open all_or_nothing blocks: paths each has created


def umask() -> int:
    """The process umask, read without changing it (Linux ``/proc``; elsewhere set and restored)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def _nearest_existing(p: Path) -> Path:
    q = p
    while not q.exists():
        if q.parent == q:
            break
        q = q.parent
    return q


def _checked(path) -> Path:
    try:
        p = Path(path)
        p.exists()
    except (OSError, ValueError, TypeError) as err:
        raise BmdsimError(f"output path {str(path)[:80]!r} is not usable: {err}") from None
    return p


def check_writable(path: str | Path) -> Path:
    """Raise a one-line error unless ``path`` can be created or replaced (its folder exists and is
    writable). Creates nothing. Returns it as a Path."""
    p = _checked(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.exists() and p.is_dir():
        raise BmdsimError(f"output path {str(p)!r} is a directory; give a file name")
    if p.exists() and not p.is_file():
        raise BmdsimError(f"output path {str(p)!r} is not a regular file")
    if not parent.exists():
        raise BmdsimError(f"cannot write {str(p)!r}: folder {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise BmdsimError(f"cannot write {str(p)!r}: {str(parent)!r} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BmdsimError(f"cannot write {str(p)!r}: folder {str(parent)!r} is not writable")
    _probe(parent, f"cannot write {str(p)!r}")
    return p


def _probe(folder: Path, what: str) -> None:
    """Create and remove a temporary file in ``folder``: permissions alone do not tell (a read-only or
    special file system such as /proc, a full disk). A one-line error if that fails."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".bmdsim-probe.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        raise BmdsimError(f"{what}: folder {str(folder)!r} does not take new files ({err.strerror or err})") from None


def check_dir_creatable(path: str | Path) -> Path:
    """Raise a one-line error unless folder ``path`` exists and is writable, or could be created (its
    nearest existing ancestor is a writable folder). Creates nothing."""
    p = _checked(path)
    if p.exists():
        if not p.is_dir():
            raise BmdsimError(f"output folder {str(p)!r} exists and is not a folder")
        if not os.access(p, os.W_OK | os.X_OK):
            raise BmdsimError(f"output folder {str(p)!r} is not writable")
        _probe(p, f"cannot write into {str(p)!r}")
        return p
    base = _nearest_existing(p.absolute())
    if not base.is_dir():
        raise BmdsimError(f"cannot create output folder {str(p)!r}: {str(base)!r} is a file")
    if not os.access(base, os.W_OK | os.X_OK):
        raise BmdsimError(f"cannot create output folder {str(p)!r}: {str(base)!r} is not writable")
    try:  # permissions alone do not tell (e.g. /proc): make and remove a folder there
        os.rmdir(tempfile.mkdtemp(prefix=".bmdsim-probe.", dir=base))
    except OSError as err:
        raise BmdsimError(f"cannot create output folder {str(p)!r}: {str(base)!r} does not take new folders "
                          f"({err.strerror or err})") from None
    return p


def check_dir_writable(path: str | Path) -> Path:
    """Create folder ``path`` if needed (for writers, after validation); one-line error if impossible."""
    p = check_dir_creatable(path)
    created = []
    q = p.absolute()
    while not q.exists():
        created.append(q)
        q = q.parent
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BmdsimError(f"cannot create output folder {str(p)!r}: {err.strerror}") from None
    if _CREATED:
        _CREATED[-1].extend(reversed(created))
    return p


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path`` atomically: a crash leaves either the old file or the new
    one. The file gets mode ``0666 & ~umask`` (like ``open()``), not the 0600 of a temporary file."""
    p = check_writable(path)
    existed = p.exists()
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent if str(p.parent) else ".")
    except OSError as err:
        raise BmdsimError(f"cannot write {str(p)!r}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            os.fchmod(fh.fileno(), 0o666 & ~umask())
        os.replace(tmp, p)
    except BaseException as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise BmdsimError(f"cannot write {str(p)!r}: {err.strerror or err}") from None
        raise
    if _CREATED and not existed:
        _CREATED[-1].append(p)
    return p


@contextlib.contextmanager
def all_or_nothing():
    """Within the block, files and folders that writes create are removed again if the block raises
    (files replaced in place cannot be restored; each is still either wholly old or wholly new)."""
    _CREATED.append([])
    ok = False
    try:
        yield
        ok = True
    finally:
        made = _CREATED.pop()
        if not ok:
            for q in reversed(made):
                with contextlib.suppress(OSError):
                    q.rmdir() if q.is_dir() else q.unlink()
        elif _CREATED:
            _CREATED[-1].extend(made)
