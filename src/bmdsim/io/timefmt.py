"""Absolute time at the edges: the epoch that turns "seconds since launch" into UTC instants.

Inside bmdsim time is seconds since the threat's launch. Exports that need absolute time (KML
``when``, CZML, STK ephemerides, CSV) add an epoch: ``--epoch`` on the command line, else the
scenario's ``date`` (its first instant, UTC), else :data:`DEFAULT_EPOCH` — never the current time, so
the same inputs give the same files. The ECEF frame does not depend on the epoch: bmdsim's ECI axes
coincide with ECEF at launch, so Earth-fixed positions are the same whatever the epoch (it only labels
the instants).
"""

from __future__ import annotations

import datetime as dt
import re

from bmdsim.errors import BmdsimError

DEFAULT_EPOCH = "2012-01-01T00:00:00Z"  # stated, fixed: the period of the article the ledger checks
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_epoch(text: str, what: str = "--epoch") -> dt.datetime:
    """An ISO-8601 date or date-time -> aware UTC datetime. A time without offset is taken as UTC.

    Accepts ``2012-05-20``, ``2012-05-20T12:00``, ``2012-05-20T12:00:00Z``, ``...+02:00``; raises a
    one-line BmdsimError otherwise.
    """
    s = str(text).strip()
    if re.fullmatch(r"\d{4}", s):
        s = f"{s}-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", s):
        s = f"{s}-01"
    try:
        t = dt.datetime.fromisoformat(s.replace("z", "Z"))
    except ValueError:
        raise BmdsimError(f"{what} {text!r}: expected an ISO-8601 date or date-time, e.g. 2012-05-20 or "
                          "2012-05-20T12:00:00Z") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    t = t.astimezone(dt.UTC)
    if not 1900 <= t.year <= 2200:  # the exports add up to hours to it; ISO years outside 1000-9999 break readers
        raise BmdsimError(f"{what} {text!r}: the year must lie in 1900..2200")
    return t


def default_epoch(scenario_date: str | None = None) -> dt.datetime:
    """The scenario's date (a year, year-month or full date: its first instant, UTC) or DEFAULT_EPOCH."""
    if scenario_date:
        try:
            return parse_epoch(str(scenario_date), "scenario date")
        except BmdsimError:
            pass
    return parse_epoch(DEFAULT_EPOCH)


def iso(t: dt.datetime, offset_s: float = 0.0, decimals: int = 3) -> str:
    """``t + offset_s`` as ISO-8601 UTC with a ``Z`` and ``decimals`` fractional digits (0..6)."""
    u = t + dt.timedelta(microseconds=round(float(offset_s) * 1e6))
    base = u.strftime("%Y-%m-%dT%H:%M:%S")
    if decimals <= 0:
        return base + "Z"
    frac = f"{u.microsecond:06d}"[:decimals]
    return f"{base}.{frac}Z"


def stk_epoch(t: dt.datetime) -> str:
    """STK's date format, e.g. ``1 Jun 2002 12:00:00.000000000`` (UTCG)."""
    return f"{t.day} {_MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S}.{t.microsecond:06d}000"
