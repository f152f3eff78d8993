"""Named places (sites, bases, patrol points, targets) and parsing of ``LAT,LON`` text."""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

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

    @model_validator(mode="after")
    def _check(self):
        if not (-90 <= self.lat_deg <= 90 and -180 <= self.lon_deg <= 180):
            raise ValueError(f"{self.id}: coordinates out of range")
        if not self.source and not (self.notional and self.note):
            raise ValueError(f"{self.id}: needs `source:` or `notional: true` with a `note:`")
        return self


class _PlacesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    places: list[NamedPlace]


@lru_cache(maxsize=1)
def load_places() -> dict[str, NamedPlace]:
    """The built-in places (``catalog/places.yaml``, read with the safe loader) by id."""
    from pydantic import ValidationError

    from bmdsim.model import yamlsafe
    from bmdsim.model.validation import ValidationErrors, validation_messages

    where = "built-in catalog places.yaml"
    text = resources.files("bmdsim.model.catalog").joinpath("places.yaml").read_text(encoding="utf-8")
    data, lines = yamlsafe.load(text, "places catalog", where=where)
    try:
        places = _PlacesFile.model_validate(data).places
    except ValidationError as err:
        raise ValidationErrors(validation_messages(err, _PlacesFile, where, lines)) from None
    return {p.id: p for p in places}


def get_place(name: str) -> NamedPlace:
    """A place by id or name, case-insensitive."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    cat = load_places()
    for p in cat.values():
        if key in (p.id, p.name.lower().replace(" ", "_").replace("-", "_")):
            return p
    raise UnknownNameError("place", name, cat.keys())


def parse_point(text: str, what: str = "point") -> tuple[float, float, str]:
    """``"LAT,LON"`` in degrees or a catalog place id -> (lat_deg, lon_deg, label)."""
    s = str(text).strip()
    if "," in s:
        parts = [p.strip() for p in s.split(",")]
        if len(parts) != 2:
            raise BmdsimError(f"{what} {text!r}: expected LAT,LON in degrees, e.g. 53.98,35.77")
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            raise BmdsimError(f"{what} {text!r}: LAT and LON must be numbers in degrees, e.g. 53.98,35.77") from None
        check_lat_lon(lat, lon, what)
        return lat, lon, f"{lat:.4f},{lon:.4f}"
    try:
        p = get_place(s)
    except UnknownNameError as err:
        raise BmdsimError(f"{what} {text!r} is neither LAT,LON nor a known place. {err}") from None
    return p.lat_deg, p.lon_deg, p.id


def check_lat_lon(lat: float, lon: float, what: str = "point") -> None:
    """Raise a one-line error unless -90 <= lat <= 90 and -180 <= lon <= 180 (finite)."""
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise BmdsimError(f"{what}: latitude {lat} out of range; valid -90..90 degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise BmdsimError(f"{what}: longitude {lon} out of range; valid -180..180 degrees")
