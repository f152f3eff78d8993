"""Named places (sites, bases, patrol points, targets) and parsing of ``LAT,LON`` text."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict, model_validator

from bmdsim.errors import BmdsimError, UnknownNameError


class NamedPlace(BaseModel):
    """A catalog place in WGS84 degrees, sourced or notional."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    category: str
    lat_deg: float
    lon_deg: float
    source: str | None = None
    notional: bool = False
    note: str | None = None
    systems: list[str] = []
    population: int | None = None
    override: bool | None = None  # a user entry replacing a built-in of the same id (bmdsim.model.catalogs)

    @model_validator(mode="after")
    def _check(self):
        if not (-90 <= self.lat_deg <= 90 and -180 <= self.lon_deg <= 180):
            raise ValueError(f"{self.id}: coordinates out of range")
        if not self.source and not (self.notional and self.note):
            raise ValueError(f"{self.id}: needs `source:` or `notional: true` with a `note:`")
        return self


def load_places() -> dict[str, NamedPlace]:
    """Deprecated: the built-in places by id; use a catalog context
    (``bmdsim.model.catalogs.Catalog.builtin().places``, or the ``catalog=`` of the API)."""
    from bmdsim.model.catalogs import deprecated_builtin

    return dict(deprecated_builtin("load_places", "Catalog.places").places)


def get_place(name: str) -> NamedPlace:
    """Deprecated: a built-in place by id or name; use ``Catalog.place``."""
    from bmdsim.model.catalogs import deprecated_builtin

    return deprecated_builtin("get_place", "Catalog.place").place(name)


_NUM = r"[+\-\u2212]?\s*(?:\d+(?:\.\d*)?|\.\d+)"
_COORD = rf"(?P<num{{i}}>{_NUM})\s*(?:°|º|\u02da)?\s*(?P<hem{{i}}>[NSEWnsew])?"
_POINT = re.compile(rf"^\s*{_COORD.format(i=1)}\s*(?P<sep>,|;|\s)\s*{_COORD.format(i=2)}\s*$")
POINT_FORMS = ("LAT,LON in decimal degrees, LAT first: 53.98,35.77 or -33.9,18.4; or with hemisphere letters, "
               "a degree sign or a Unicode minus: 53.98N,35.77E / 45.5°S, 30.5°W / 45.5 N 30.5 W / \u221233.9,18.4")


def looks_like_point(text: str) -> bool:
    """True if ``text`` is meant as coordinates (two parts separated by a comma, or numbers separated by a
    space), not a place id (which never holds a comma)."""
    s = str(text)
    return "," in s or ";" in s or bool(re.search(r"\d\s*°?\s*[NSEWnsew]?\s+[+\-\u2212]?[\d.]", s))


def parse_point(text: str, what: str = "point", catalog=None) -> tuple[float, float, str]:
    """Coordinates or a place id of ``catalog`` (a :class:`bmdsim.model.catalogs.Catalog`; None: the
    built-ins) -> (lat_deg, lon_deg, label).

    Coordinates are LAT then LON in decimal degrees (see :data:`POINT_FORMS`): each number may carry a
    sign (ASCII or Unicode minus) *or* a hemisphere letter (N/S for the first, E/W for the second), and a
    degree sign; the two are separated by a comma (or a space when letters mark them). LON,LAT written with
    letters (``30.5W,45.5N``) is refused with the order to use, not silently swapped.
    """
    s = str(text).strip()
    if looks_like_point(s):
        m = _POINT.match(s)
        if not m:
            raise BmdsimError(f"{what} {_clip(text)}: LAT and LON must be numbers in degrees; accepted: {POINT_FORMS}")
        vals = []
        for i, (pos, neg) in ((1, ("N", "S")), (2, ("E", "W"))):
            num = m.group(f"num{i}").replace("\u2212", "-").replace(" ", "")
            hem = (m.group(f"hem{i}") or "").upper()
            x = float(num)
            if hem:
                if num[0] in "+-":
                    raise BmdsimError(f"{what} {_clip(text)}: give a sign or a hemisphere letter, not both; "
                                      f"accepted: {POINT_FORMS}")
                if hem not in (pos, neg):
                    first, second = ("latitude", "N or S") if i == 1 else ("longitude", "E or W")
                    raise BmdsimError(f"{what} {_clip(text)}: the {first} comes {'first' if i == 1 else 'second'} "
                                      f"and takes {second}, found {hem}; LAT comes before LON, e.g. 45.5N,30.5W")
                x = -x if hem == neg else x
            vals.append(x)
        if m.group("sep").isspace() and not (m.group("hem1") and m.group("hem2")):
            raise BmdsimError(f"{what} {_clip(text)}: separate LAT and LON with a comma; expected {POINT_FORMS}")
        lat, lon = vals
        check_lat_lon(lat, lon, what)
        return lat, lon, f"{lat:.4f},{lon:.4f}"
    from bmdsim.model.catalogs import resolve_catalog

    try:
        p = resolve_catalog(catalog).place(s)
    except UnknownNameError as err:
        raise BmdsimError(f"{what} {_clip(text)} is neither coordinates ({POINT_FORMS}) nor a known place. "
                          f"{err}") from None
    return p.lat_deg, p.lon_deg, p.id


def _clip(text, n: int = 60) -> str:
    r = repr(str(text))
    return r if len(r) <= n else r[: n - 4] + "...'"


def check_lat_lon(lat: float, lon: float, what: str = "point") -> None:
    """Raise a one-line error unless -90 <= lat <= 90 and -180 <= lon <= 180 (finite)."""
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise BmdsimError(f"{what}: latitude {lat} out of range; valid -90..90 degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise BmdsimError(f"{what}: longitude {lon} out of range; valid -180..180 degrees")


_BOUND = re.compile(r"^\s*(?P<num>[+\-\u2212]?\s*(?:\d+(?:\.\d*)?|\.\d+))\s*(?:°|º|\u02da)?\s*(?P<hem>[NSEWnsew])?\s*$")


def parse_bounds(text: str, axis: str, option: str) -> tuple[float, float]:
    """``"LO:HI"`` (degrees) for ``axis`` ``"lat"`` or ``"lon"`` -> (lo, hi), lo < hi.

    Each bound is a decimal number with an optional sign (or Unicode minus), degree sign, or hemisphere
    letter (N/S for latitudes, E/W for longitudes): ``34:72``, ``12W:45E``, ``−12:45``. Raises a one-line
    BmdsimError naming ``option`` and the accepted form.
    """
    pos, neg, lim = ("N", "S", 90.0) if axis == "lat" else ("E", "W", 180.0)
    example = "34:72 (or 34N:72N)" if axis == "lat" else "-12:45 (or 12W:45E)"
    parts = str(text).split(":")
    if len(parts) != 2:
        raise BmdsimError(f"{option} {_clip(text)}: expected LOW:HIGH in degrees, e.g. {option} {example}")
    vals = []
    for part in parts:
        m = _BOUND.match(part)
        if not m:
            raise BmdsimError(f"{option} {_clip(text)}: {part.strip()!r} is not a number of degrees; e.g. "
                              f"{option} {example}")
        num = m.group("num").replace("\u2212", "-").replace(" ", "")
        hem = (m.group("hem") or "").upper()
        x = float(num)
        if hem:
            if hem not in (pos, neg):
                name = "latitude" if axis == "lat" else "longitude"
                raise BmdsimError(f"{option} {_clip(text)}: {hem} is not a {name} hemisphere ({pos} or {neg}); "
                                  f"e.g. {option} {example}")
            if num[0] in "+-":
                raise BmdsimError(f"{option} {_clip(text)}: give a sign or a hemisphere letter, not both")
            x = -x if hem == neg else x
        vals.append(x)
    lo, hi = vals
    if not (-lim <= lo <= lim and -lim <= hi <= lim):
        raise BmdsimError(f"{option} {_clip(text)}: bounds must lie in -{lim:g}..{lim:g} degrees")
    if not lo < hi:
        raise BmdsimError(f"{option} {_clip(text)}: the low bound must be below the high one (LOW:HIGH)")
    return lo, hi
