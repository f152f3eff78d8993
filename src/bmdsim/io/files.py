"""Safe file output: check the destination first, write atomically (temporary file, then rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bmdsim.errors import BmdsimError


def check_writable(path: str | Path) -> Path:
    """Raise a one-line error unless ``path`` can be created or replaced. Returns it as a Path."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.exists() and p.is_dir():
        raise BmdsimError(f"output path {str(p)!r} is a directory; give a file name")
    if not parent.exists():
        raise BmdsimError(f"cannot write {str(p)!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise BmdsimError(f"cannot write {str(p)!r}: folder {str(parent)!r} is not writable")
    return p


def check_dir_writable(path: str | Path) -> Path:
    """Create folder ``path`` if needed; raise a one-line error if that is impossible."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BmdsimError(f"cannot create output folder {str(p)!r}: {err.strerror}") from None
    if not os.access(p, os.W_OK):
        raise BmdsimError(f"output folder {str(p)!r} is not writable")
    return p


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write text or bytes to ``path`` atomically: a crash leaves either the old file or the new one."""
    p = check_writable(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent if str(p.parent) else ".")
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(data)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p
