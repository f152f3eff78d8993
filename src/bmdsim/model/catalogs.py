"""The catalog context: every catalog entry one run sees (missiles, interceptors, sensor types, sensor
placements, places, and the generic templates of ``bmdsim assess``), each with its origin.

A :class:`Catalog` is passed through the API (``catalog=`` of the trajectory solver, architecture
resolution, threat expansion and every analysis; ``None`` means the built-ins) instead of global
loaders, so that a run can see a user's entries, a Dask worker gets the same entries as the process
that sent it work (the context pickles), and a server keeps one per request::

    cat = Catalog.builtin()                      # the built-in catalogs: cached, never modified
    mine = cat.extend("my.yaml", "ships.yaml")   # a NEW context: built-ins plus the user's entries
    mine.missile("my-irbm")                      # look-up by name or alias (case- and separator-blind)
    mine.origin("missiles", "MY-IRBM")           # Origin('my.yaml', line=3)

**User catalogs** hold entries in the built-in catalogs' schema under the keys :data:`KINDS`
(``missiles``, ``interceptors``, ``sensors`` (types), ``placements`` (placed sensor types), ``places``),
with the same validation (every number sourced or ``notional: true`` with a note). They come from files
(``--catalog FILE`` on every command; ``catalogs: [FILE]`` in a scenario, relative to it) or from a
scenario's inline blocks (:func:`bmdsim.model.scenario.scenario_catalog`). An entry whose name or an
alias is already taken (by a built-in, or by an earlier user entry) is an error unless it says
``override: true``: it then replaces that entry and :attr:`Catalog.warnings` says so. Sensor types and
placements share one namespace (an architecture names either). Errors are one line each, with the file
and line (:class:`~bmdsim.model.validation.ValidationErrors`, every one listed by ``bmdsim validate``).

:attr:`Catalog.files` lists every file and inline block loaded with its SHA-256, for provenance
(:mod:`bmdsim.io.provenance`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, ValidationError

from bmdsim.errors import BmdsimError, UnknownNameError
from bmdsim.model.interceptors import Interceptor
from bmdsim.model.missiles import Missile
from bmdsim.model.names import normalise_name
from bmdsim.model.places import NamedPlace
from bmdsim.model.sensors import RadarSpec, SensorPlacement, SensorType

KINDS = ("missiles", "interceptors", "sensors", "placements", "places")
WHAT = {"missiles": "missile", "interceptors": "interceptor", "sensors": "sensor type",
        "placements": "sensor placement", "places": "place"}
BUILTIN_FILES = {"missiles.yaml": ("missiles",), "interceptors.yaml": ("interceptors",),
                 "sensors.yaml": ("sensors", "placements"), "places.yaml": ("places",)}
TEMPLATE_FILE = "templates.yaml"


class CatalogFile(BaseModel):
    """A catalog file or inline block: any of the keys of :data:`KINDS`, each a list of entries."""

    model_config = ConfigDict(extra="forbid")
    missiles: list[Missile] = []
    interceptors: list[Interceptor] = []
    sensors: list[SensorType] = []
    placements: list[SensorPlacement] = []
    places: list[NamedPlace] = []


@dataclass(frozen=True)
class Origin:
    """Where an entry came from: ``source`` (``built-in missiles.yaml``, a file path, or ``scenario NAME
    (inline)``) and the 1-based line of the entry when known."""

    source: str
    line: int | None = None
    builtin: bool = False

    def __str__(self) -> str:
        return f"{self.source}: line {self.line}" if self.line else self.source


@dataclass(frozen=True)
class LoadedFile:
    """A file or inline block a context loaded: its name (the path as given, ``missiles.yaml`` for a
    built-in, ``scenario NAME (inline)``), SHA-256 (of the file's bytes; of an inline block's entries as
    canonical JSON) and kind (``built-in``, ``file`` or ``inline``)."""

    name: str
    sha256: str
    kind: str


Locate = Callable[[tuple], tuple[str, int | None]]  # key path -> (file, line)


@dataclass(frozen=True)
class CatalogBlock:
    """Entries to add to a context: ``data`` maps keys of :data:`KINDS` to lists of entries (mappings as
    read, or validated models); ``where`` names the source in messages and origins; ``locate`` gives the
    file and line of a key path (for messages); ``sha256`` and ``kind`` go into :attr:`Catalog.files`
    (the SHA-256 of the canonical JSON of the entries when None)."""

    where: str
    data: Mapping
    locate: Locate | None = None
    sha256: str | None = None
    kind: str = "inline"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_json(entry) -> object:
    return entry.model_dump(mode="json", by_alias=True, exclude_none=True) if isinstance(entry, BaseModel) else entry


def block_sha256(data: Mapping | CatalogFile) -> str:
    """SHA-256 of catalog entries as canonical JSON (sorted keys, no spaces): the hash of an inline block."""
    get = (lambda k: getattr(data, k)) if isinstance(data, CatalogFile) else data.get
    doc = {k: [_entry_json(e) for e in get(k) or []] for k in KINDS if get(k)}
    return _sha256(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())


def _place_key(text: str) -> str:
    return str(text).strip().lower().replace(" ", "_").replace("-", "_")


def _keys(kind: str, entry) -> set[str]:
    """The keys that must be unique: an entry's normalised name and aliases (places: its id; a place's
    name is a secondary look-up key, not unique: two radars may stand at one named place)."""
    if kind == "places":
        return {_place_key(entry.id)}
    return {normalise_name(x) for x in (entry.name, *entry.aliases)}


def _name(kind: str, entry) -> str:
    return entry.id if kind == "places" else entry.name


def _space(kind: str) -> tuple[str, ...]:
    """The kinds sharing a namespace with ``kind``."""
    return ("sensors", "placements") if kind in ("sensors", "placements") else (kind,)


class Catalog:
    """A catalog context (see the module docstring). Immutable: :meth:`extend` returns a new one.

    Look-ups raise :class:`~bmdsim.errors.UnknownNameError` (a one-line BmdsimError with the nearest
    known name). Mappings (:attr:`missiles` ...) are read-only views keyed by canonical name (places by
    id), in file order.
    """

    def __init__(self, entries: dict[str, dict], origins: dict[tuple[str, str], Origin], templates: dict,
                 files: tuple[LoadedFile, ...], warnings: tuple[str, ...] = ()):
        self._entries = entries
        self._origins = origins
        self._templates = templates
        self.files = files
        self.warnings = warnings
        self._index = self._build_index()

    # ------------------------------------------------------------------ construction
    @classmethod
    def builtin(cls) -> Catalog:
        """The built-in catalogs (``bmdsim/model/catalog/*.yaml``), validated once per process."""
        return _builtin()

    def extend(self, *sources: str | Path | CatalogBlock) -> Catalog:
        """A new context: this one plus the entries of ``sources`` (catalog file paths, or
        :class:`CatalogBlock` s), applied in order. Raises :class:`ValidationErrors` listing every
        problem (schema, duplicate names, a name taken without ``override: true``, a placement whose
        type or place is unknown), each with its file and line."""
        from bmdsim.model.validation import ValidationErrors

        if not sources:
            return self
        blocks = [s if isinstance(s, CatalogBlock) else read_catalog_file(s) for s in sources]
        entries = {k: dict(v) for k, v in self._entries.items()}
        origins = dict(self._origins)
        errors: list[str] = []
        warnings = list(self.warnings)
        files = list(self.files)
        for block in blocks:
            parsed = _validate_block(block)
            _merge(parsed, block, entries, origins, errors, warnings)
            files.append(LoadedFile(block.where, block.sha256 or block_sha256(parsed), block.kind))
        new = Catalog(entries, origins, self._templates, tuple(files), tuple(warnings))
        errors += new._cross_errors()
        if errors:
            raise ValidationErrors(errors)
        return new

    # ------------------------------------------------------------------ tables
    @property
    def missiles(self) -> Mapping[str, Missile]:
        return MappingProxyType(self._entries["missiles"])

    @property
    def interceptors(self) -> Mapping[str, Interceptor]:
        return MappingProxyType(self._entries["interceptors"])

    @property
    def sensors(self) -> Mapping[str, SensorType]:
        """Sensor types by name."""
        return MappingProxyType(self._entries["sensors"])

    @property
    def placements(self) -> Mapping[str, SensorPlacement]:
        """Placed sensor types by name."""
        return MappingProxyType(self._entries["placements"])

    @property
    def places(self) -> Mapping[str, NamedPlace]:
        return MappingProxyType(self._entries["places"])

    @property
    def templates(self) -> Mapping[str, Missile]:
        """The generic templates of ``bmdsim assess`` (built-in ``templates.yaml``)."""
        return MappingProxyType(self._templates)

    def table(self, kind: str) -> Mapping:
        """The entries of one of :data:`KINDS`."""
        return MappingProxyType(self._entries[kind])

    # ------------------------------------------------------------------ look-ups
    def _find(self, kind: str, name) -> str | None:
        key = _place_key(name) if kind == "places" else normalise_name(name)
        return self._index[kind].get(key)

    def _get(self, kind: str, name):
        hit = self._find(kind, name)
        if hit is None:
            raise UnknownNameError(WHAT[kind], name, self._entries[kind].keys())
        return self._entries[kind][hit]

    def missile(self, name: str) -> Missile:
        """A missile by name or alias (case-, space- and separator-blind)."""
        return self._get("missiles", name)

    def interceptor(self, name: str) -> Interceptor:
        return self._get("interceptors", name)

    def sensor_type(self, name: str) -> SensorType:
        return self._get("sensors", name)

    def placement(self, name: str) -> SensorPlacement:
        return self._get("placements", name)

    def sensor(self, name: str) -> SensorType | SensorPlacement:
        """A sensor type or a placement by name or alias (one namespace); the error lists both."""
        for kind in ("placements", "sensors"):
            hit = self._find(kind, name)
            if hit is not None:
                return self._entries[kind][hit]
        raise UnknownNameError("sensor", name, [*self._entries["placements"], *self._entries["sensors"]])

    def place(self, name: str) -> NamedPlace:
        """A place by id or name, case-insensitive (spaces and hyphens as underscores)."""
        return self._get("places", name)

    def template(self, name: str) -> Missile:
        """A generic template (``generic-2-stage`` ...) or a missile of this context, by name or alias;
        the error lists both kinds."""
        key = normalise_name(name)
        for t in self._templates.values():
            if key in {normalise_name(x) for x in (t.name, *t.aliases)}:
                return t
        hit = self._find("missiles", name)
        if hit is not None:
            return self._entries["missiles"][hit]
        raise UnknownNameError("template (generic template or catalog missile)", name,
                               [*self._templates, *self._entries["missiles"]])

    def find_template(self, name: str) -> Missile | None:
        """A generic template by name, or None (catalog missiles are not looked at)."""
        key = normalise_name(name)
        return next((t for t in self._templates.values() if key in {normalise_name(x) for x in (t.name, *t.aliases)}),
                    None)

    def origin(self, kind: str, name: str) -> Origin:
        """Where entry ``name`` (its canonical name; places: id) of ``kind`` came from."""
        return self._origins[(kind, name)]

    def is_user(self, kind: str, name: str) -> bool:
        return not self._origins[(kind, name)].builtin

    # ------------------------------------------------------------------ placed radars
    def place_of(self, placement: SensorPlacement) -> tuple[float, float]:
        """(lat_deg, lon_deg) of a placement (its own point, or its catalog place)."""
        if isinstance(placement.place, str):
            p = self.place(placement.place)
            return p.lat_deg, p.lon_deg
        return placement.place.lat_deg, placement.place.lon_deg

    def radar_spec(self, placement: str | SensorPlacement, name: str | None = None) -> RadarSpec:
        """The plain-number radar of a catalog placement (its type placed at its place and faces)."""
        pl = self.placement(placement) if isinstance(placement, str) else placement
        lat, lon = self.place_of(pl)
        return self.sensor_type(pl.type).radar_spec(
            name=name or pl.name, lat_deg=lat, lon_deg=lon, alt_m=pl.alt_m.value if pl.alt_m else 0.0,
            boresights_deg=pl.boresights_deg(), half_widths_deg=pl.half_widths_deg())

    # ------------------------------------------------------------------ identity, user entries
    @property
    def is_builtin(self) -> bool:
        return all(f.kind == "built-in" for f in self.files)

    @functools.cached_property
    def key(self) -> str:
        """A short identity for caches: ``built-in``, or a hash of every file and block loaded."""
        if self.is_builtin:
            return "built-in"
        return _sha256("\n".join(f"{f.kind} {f.sha256}" for f in self.files).encode())[:16]

    def user_entries(self) -> dict[str, list[dict]]:
        """Every entry that is not a built-in, as plain data by key of :data:`KINDS` (an entry that
        replaced a built-in keeps its ``override: true``): what a scenario file must inline to
        reproduce a run with this context."""
        out: dict[str, list[dict]] = {}
        for kind in KINDS:
            rows = [_entry_json(e) for n, e in self._entries[kind].items() if not self._origins[(kind, n)].builtin]
            if rows:
                out[kind] = rows
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, Catalog) and self.key == other.key and self.files == other.files

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        user = [f.name for f in self.files if f.kind != "built-in"]
        return f"Catalog(built-in{' + ' + ', '.join(user) if user else ''})"

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("key", None)  # a cached_property: recomputed
        return state

    # ------------------------------------------------------------------ internals
    def _build_index(self) -> dict[str, dict[str, str]]:
        index: dict[str, dict[str, str]] = {}
        for kind in KINDS:
            idx: dict[str, str] = {}
            for n, e in self._entries[kind].items():
                for k in sorted(_keys(kind, e)):
                    idx.setdefault(k, n)
            if kind == "places":  # then names, where no id takes the key (the first place of a name wins)
                for n, e in self._entries[kind].items():
                    idx.setdefault(_place_key(e.name), n)
            index[kind] = idx
        return index

    def _cross_errors(self) -> list[str]:
        """Placements whose type is not a radar type of this context, whose place id is unknown, or whose
        faces do not fit their type."""
        out = []
        for n, pl in self._entries["placements"].items():
            org = self._origins[("placements", n)]
            at = f"{org}: placement {n!r}"
            hit = self._find("sensors", pl.type)
            if hit is None:
                known = [k for k, t in self._entries["sensors"].items() if t.kind == "radar"]
                out.append(f"{at}: {UnknownNameError('radar type', pl.type, known)}")
                continue
            st = self._entries["sensors"][hit]
            if st.kind != "radar":
                out.append(f"{at}: type {st.name!r} is {st.kind}: a constellation is not placed at a point; name "
                           "it in an architecture's `sensors` instead")
                continue
            if isinstance(pl.place, str) and self._find("places", pl.place) is None:
                out.append(f"{at}: {UnknownNameError('place', pl.place, self._entries['places'].keys())}")
                continue
            try:
                self.radar_spec(pl)
            except BmdsimError as err:
                out.append(f"{org}: {err}")
        return out


# ---------------------------------------------------------------------------------------------- reading
def read_catalog_file(path: str | Path) -> CatalogBlock:
    """A user catalog file as a :class:`CatalogBlock` (read with the safe loader; not yet validated).

    Raises a one-line BmdsimError naming the file (and line) if it cannot be read or is not a mapping
    of catalog keys."""
    from bmdsim.model import yamlsafe

    p = Path(path)
    text = yamlsafe.read_text(p, "catalog file")
    data, lines = yamlsafe.load(text, "catalog file", where=str(p))
    if not isinstance(data, dict) or not data:
        found = type(data).__name__ if data is not None else "an empty file"
        raise BmdsimError(f"{p}: a catalog file is a mapping with one or more of the keys {', '.join(KINDS)}; "
                          f"found {found}")

    def locate(loc: tuple) -> tuple[str, int | None]:
        return str(p), yamlsafe.line_of(lines, loc)

    return CatalogBlock(str(p), data, locate, _sha256(text.encode("utf-8")), "file")


def _validate_block(block: CatalogBlock) -> CatalogFile:
    """The block's entries validated (models pass through); ValidationErrors with file and line."""
    from bmdsim.model.validation import ValidationErrors, validation_messages

    if isinstance(block.data, CatalogFile):
        return block.data
    try:
        return CatalogFile.model_validate(dict(block.data))  # validated models pass as they are
    except ValidationError as err:
        locate = block.locate

        def where(loc):
            file, line = locate(loc) if locate else (block.where, None)
            return file, line, ".".join(map(str, loc))

        raise ValidationErrors(validation_messages(err, CatalogFile, block.where, {}, where)) from None


def _at(block: CatalogBlock, loc: tuple) -> str:
    file, line = block.locate(loc) if block.locate else (block.where, None)
    path = ".".join(map(str, loc))
    return f"{file}: line {line}: {path}" if line else f"{file}: {path}"


def _merge(parsed: CatalogFile, block: CatalogBlock, entries: dict, origins: dict, errors: list,
           warnings: list) -> None:
    """Add a validated block's entries (see :meth:`Catalog.extend`)."""
    for kind in KINDS:
        for i, entry in enumerate(getattr(parsed, kind)):
            name = _name(kind, entry)
            keys = _keys(kind, entry)
            loc = (kind, i, "id" if kind == "places" else "name")
            file, line = block.locate(loc) if block.locate else (block.where, None)
            taken = [(k2, n2) for k2 in _space(kind) for n2, e2 in entries[k2].items() if keys & _keys(k2, e2)]
            if taken:
                olds = [(k2, n2, origins[(k2, n2)]) for k2, n2 in taken]
                same = [o for o in olds if o[2].source == block.where and not o[2].builtin]
                if same:
                    k2, n2, o = same[0]
                    errors.append(f"{_at(block, loc)}: {WHAT[kind]} {name!r} is defined twice in {block.where} "
                                  f"(also {WHAT[k2]} {n2!r}{f' at line {o.line}' if o.line else ''}); names and "
                                  "aliases must be unique")
                    continue
                if not entry.override:
                    k2, n2, o = olds[0]
                    what = "the built-in" if o.builtin else "the"
                    errors.append(f"{_at(block, loc)}: {WHAT[kind]} {name!r} clashes with {what} {WHAT[k2]} "
                                  f"{n2!r} ({o}); rename it, or add `override: true` to replace that entry")
                    continue
                for k2, n2, o in olds:
                    del entries[k2][n2]
                    del origins[(k2, n2)]
                    warnings.append(f"{_at(block, loc)}: {WHAT[kind]} {name!r} replaces {WHAT[k2]} {n2!r} of {o} "
                                    "(override: true)")
            elif entry.override:
                warnings.append(f"{_at(block, loc)}: {WHAT[kind]} {name!r} says `override: true` but replaces "
                                "nothing (no entry of that name); it is added")
            entries[kind][name] = entry
            origins[(kind, name)] = Origin(file, line)


# ---------------------------------------------------------------------------------------------- built-ins
def _builtin_text(filename: str) -> bytes:
    return resources.files("bmdsim.model.catalog").joinpath(filename).read_bytes()


@functools.cache
def _builtin() -> Catalog:
    from bmdsim.model import yamlsafe
    from bmdsim.model.validation import ValidationErrors, validation_messages

    entries: dict[str, dict] = {k: {} for k in KINDS}
    origins: dict[tuple[str, str], Origin] = {}
    files = []
    errors: list[str] = []
    for filename, kinds in BUILTIN_FILES.items():
        raw = _builtin_text(filename)
        where = f"built-in {filename}"
        data, lines = yamlsafe.load(raw.decode("utf-8"), "catalog", where=where)
        if not isinstance(data, dict) or set(data) != set(kinds):
            raise BmdsimError(f"{where}: expected the keys {', '.join(kinds)}")
        try:
            parsed = CatalogFile.model_validate(data)
        except ValidationError as err:
            raise ValidationErrors(validation_messages(err, CatalogFile, where, lines)) from None
        block = CatalogBlock(where, data, lambda loc, w=where, ln=lines: (w, yamlsafe.line_of(ln, loc)),
                             _sha256(raw), "built-in")
        warnings: list[str] = []
        _merge(parsed, block, entries, origins, errors, warnings)
        files.append(LoadedFile(filename, block.sha256, "built-in"))
    origins = {k: Origin(o.source, o.line, builtin=True) for k, o in origins.items()}
    templates = _templates()
    cat = Catalog(entries, origins, templates, tuple(files))
    errors += cat._cross_errors()
    if errors:
        raise ValidationErrors(errors)
    return cat


def _templates() -> dict[str, Missile]:
    from bmdsim.model.names import parse_catalog

    return parse_catalog(_builtin_text(TEMPLATE_FILE).decode("utf-8"), Missile, "missiles", "template",
                         where=f"built-in {TEMPLATE_FILE}")


def deprecated_builtin(old: str, new: str) -> Catalog:
    """The built-ins, for the deprecated global loaders (``get_missile`` ...): warns once per call site."""
    import warnings

    warnings.warn(f"{old}() reads only the built-in catalogs and is deprecated; use {new} of a catalog context "
                  "(bmdsim.model.catalogs.Catalog) or the catalog= argument of the API", DeprecationWarning,
                  stacklevel=3)
    return _builtin()


def builtin() -> Catalog:
    """The built-in catalog context (same as :meth:`Catalog.builtin`)."""
    return _builtin()


def resolve_catalog(catalog: Catalog | None) -> Catalog:
    """``catalog``, or the built-ins when None (the convention of every ``catalog=`` argument)."""
    return _builtin() if catalog is None else catalog


def with_files(paths: Iterable[str | Path] | None, base: Catalog | None = None) -> Catalog:
    """``base`` (default the built-ins) extended by catalog files (``--catalog FILE ...``), each file once
    (a file given twice is read once). Raises BmdsimError for an empty path."""
    base = resolve_catalog(base)
    seen, unique = set(), []
    for p in paths or []:
        if not str(p).strip():
            raise BmdsimError("--catalog: empty file name; give a catalog YAML file")
        key = Path(p).resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return base.extend(*unique) if unique else base
