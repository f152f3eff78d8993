"""Dates written in files (a scenario's or architecture's ``date:``): ISO 8601 calendar dates.

Files are read with the YAML 1.2 core schema (:mod:`bmdsim.model.yamlsafe`), so a date stays the text
it was written as; this module decides whether that text is a date. Accepted: ``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD`` (a real calendar day: ``2012-02-30`` is refused), an ISO 8601 interval of two of them
``A/B``, and a span of years ``YYYY-YYYY``; in an interval or span the end may not precede the start.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_ONE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEARS = re.compile(r"^(\d{4})-(\d{4})$")


def _parse_one(text: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a YYYY, YYYY-MM or YYYY-MM-DD text; ValueError if it is not one."""
    m = _ONE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if y < 1:
        raise ValueError(f"{text!r}: year 0000 does not exist")
    if mo is None:
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if not 1 <= int(mo) <= 12:
        raise ValueError(f"{text!r}: month {mo} does not exist (01..12)")
    if d is None:
        return dt.date(y, int(mo), 1), dt.date(y, int(mo), calendar.monthrange(y, int(mo))[1])
    try:
        day = dt.date(y, int(mo), int(d))
    except ValueError:
        raise ValueError(f"{text!r}: {y}-{mo} has no day {d}") from None
    return day, day


def iso_date_text(text: str) -> str:
    """``text`` unchanged if it is an accepted date (module docstring); else ValueError saying why."""
    s = str(text).strip()
    if s != text:
        raise ValueError(f"{text!r}: no spaces around the date")
    m = _YEARS.match(s)
    parts = [m.group(1), m.group(2)] if m else s.split("/") if "/" in s else [s]
    if len(parts) > 2:
        raise ValueError(f"{text!r}: an interval has two ends, START/END")
    spans = [_parse_one(p) for p in parts]
    if len(spans) == 2 and spans[1][1] < spans[0][0]:
        raise ValueError(f"{text!r}: the end precedes the start")
    return s
