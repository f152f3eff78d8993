"""Scenario files: architecture + threat set + options, with ``extends``, variants and sweeps.

A scenario is YAML data, read by the project's one safe loader (:mod:`bmdsim.model.yamlsafe`: YAML 1.2
core schema, no object-constructing tags, duplicate keys refused, bounded size, nesting and aliases)::

    name: my-phase-3-variant
    extends: epaa-phase-3            # a built-in scenario (or a file path) to start from
    description: Phase III with a faster interceptor at Redzikowo
    architecture:
      sites:                         # merged by name: change fields, add sites, or `remove: true`
        - {name: redzikowo, interceptor: SM-3-IIB}
    threats: iran-to-europe          # a built-in threat set, or an inline threat-set mapping
    options: {step_s: 5, vbo_kms: null, decision_time_s: null}
    sweep:                           # every combination is run
      options.vbo_kms: {from: 3.0, to: 7.0, step: 0.5}
      architecture.sites.redzikowo.interceptor: [SM-3-IIA, SM-3-IIB]
    variants:                        # named overrides, each merged on top (e.g. the NRC options)
      independent: {architecture: {links: []}}
    base: true                       # the file itself also runs, as the variant `base` (false: it does not)
    catalogs: [my-missiles.yaml]     # user catalog files (paths relative to this file)
    missiles:                        # inline catalog entries, in the built-in catalogs' schema
      - {name: MY-IRBM, ...}         # (also interceptors:, sensors:, placements:, places:)

Catalog entries (``catalogs:`` files and the inline blocks ``missiles:``, ``interceptors:``, ``sensors:``,
``placements:``, ``places:``) extend the catalog context the scenario runs with
(:func:`scenario_catalog`; :mod:`bmdsim.model.catalogs`): the same validation as the built-ins, and a
name already taken needs ``override: true``. Variants and sweeps cannot change them.

Merging (``extends`` and ``variants``): mappings merge key by key; the lists ``sites`` and
``links`` merge by ``name`` / ``sensor`` and the catalog blocks by ``name`` (places by ``id``) (an item
with ``remove: true`` deletes); ``sensors`` lists of an architecture and ``catalogs`` are united (a name
starting with ``-`` removes; a placed sensor replaces the one of its name); any other list is replaced.

Variants: with ``variants:`` the cases are the base case (the file without any variant applied), named
``base``, and each named variant, in that order (variants sorted by name); ``base: false`` says the file
has no base case of its own (e.g. one variant *is* the base), and only the named variants run. A variant
may not be called ``base``. Every analysis runs every case unless one is chosen (:func:`analysis_cases`);
sweeps multiply the cases in ``bmdsim run`` only.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bmdsim.errors import BmdsimError, UnknownNameError
from bmdsim.model import yamlsafe
from bmdsim.model.architecture import Architecture
from bmdsim.model.catalogs import KINDS as CATALOG_KEYS
from bmdsim.model.catalogs import Catalog, CatalogBlock, resolve_catalog
from bmdsim.model.dates import iso_date_text
from bmdsim.model.interceptors import VBO_MAX_KMS, VBO_MIN_KMS, Interceptor
from bmdsim.model.missiles import Missile
from bmdsim.model.names import check_label
from bmdsim.model.places import NamedPlace
from bmdsim.model.sensors import SensorPlacement, SensorType
from bmdsim.model.validation import ValidationErrors, validation_messages

MAX_BYTES = yamlsafe.MAX_BYTES
MAX_EXTENDS = 10
MAX_VARIANTS = 10_000
MAX_THREATS = 200_000
BASE_VARIANT = "base"  # the name of the base case when a scenario has variants


# ----------------------------------------------------------------------------- safe, bounded YAML
def load_yaml(text: str, where: str) -> tuple[Any, dict]:
    """Parse YAML text with the project's one safe loader (:func:`bmdsim.model.yamlsafe.load`);
    returns (data, line map). Raises a one-line BmdsimError naming ``where`` and the line."""
    return yamlsafe.load(text, where, where=where)


# ----------------------------------------------------------------------------- schema
class RangeSpec(BaseModel):
    """An inclusive numeric range for sweeps: from, to, step."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: float = Field(alias="from", allow_inf_nan=False)
    stop: float = Field(alias="to", allow_inf_nan=False)
    step: float = Field(gt=0, allow_inf_nan=False)

    def values(self) -> list[float]:
        n = int(math.floor((self.stop - self.start) / self.step + 1e-9)) + 1
        if n < 1:
            raise ValueError(f"empty range from {self.start} to {self.stop}")
        if n > MAX_VARIANTS:
            raise ValueError(f"range gives {n} values; at most {MAX_VARIANTS}")
        return [round(self.start + i * self.step, 10) for i in range(n)]


class GridSpec(BaseModel):
    """A lat/lon grid of aimpoints (degrees)."""

    model_config = ConfigDict(extra="forbid")
    lat_from: float = Field(ge=-90, le=90)
    lat_to: float = Field(ge=-90, le=90)
    lon_from: float = Field(ge=-180, le=180)
    lon_to: float = Field(ge=-180, le=180)
    step_deg: float = Field(gt=0.01, le=30)


PointRef = str | list[float]


class ThreatSetSpec(BaseModel):
    """Launch points x aimpoints x missiles. Points are place ids, ``category:NAME``, ``"LAT,LON"``
    or ``[lat, lon]``. ``missiles: deployed`` takes each launch place's deployed systems."""

    model_config = ConfigDict(extra="forbid")
    name: str = "inline"
    description: str = ""
    sources: list[str] = []
    missiles: list[str] | Literal["deployed"]
    launches: list[PointRef] = Field(min_length=1)
    aims: list[PointRef] = []
    aim_grid: GridSpec | None = None
    only_in_range: bool = True
    apogee_km: float | None = None
    flight_time_s: float | None = None
    gamma_deg: float | None = None

    @field_validator("missiles")
    @classmethod
    def _nonempty(cls, v):
        if isinstance(v, list) and not v:
            raise ValueError("give at least one missile, or `deployed`")
        return v


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step_s: float = Field(default=5.0, ge=0.1, le=60)  # bmdsim.model.limits.STEP_MIN_S .. STEP_MAX_S
    vbo_kms: float | None = Field(default=None, ge=VBO_MIN_KMS, le=VBO_MAX_KMS)
    decision_time_s: float | None = Field(default=None, ge=0, le=3600)


class Scenario(BaseModel):
    """A resolved scenario (after ``extends``): architecture, threats, options, sweeps, variants."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD, START/END or YYYY-YYYY (bmdsim.model.dates)
    date_note: str | None = None  # a remark on the date ("planned", "approximate")

    @field_validator("date")
    @classmethod
    def _date_text(cls, v):
        return None if v is None else iso_date_text(v)

    sources: list[str] = []
    architecture: Architecture
    threats: str | ThreatSetSpec
    options: Options = Options()
    sweep: dict[str, list[Any] | RangeSpec] = {}
    variants: dict[str, dict] = {}
    # the scenario's own catalog entries (bmdsim.model.catalogs): files, then inline blocks
    catalogs: list[str] = []
    missiles: list[Missile] = []
    interceptors: list[Interceptor] = []
    sensors: list[SensorType] = []
    placements: list[SensorPlacement] = []
    places: list[NamedPlace] = []
    base: bool = True  # with variants: whether the file itself runs too, as the variant ``base``

    @field_validator("name")
    @classmethod
    def _name(cls, v):
        return check_label(v, "scenario name")

    @field_validator("variants")
    @classmethod
    def _no_base_variant(cls, v):
        for name in v:
            check_label(name, "variant name")
            if name.strip().lower() == "all":
                raise ValueError("a variant may not be named 'all': --variant all runs every case")
        if BASE_VARIANT in v:
            raise ValueError(f"a variant may not be named {BASE_VARIANT!r}: the base case runs under that name "
                             "(rename the variant, or set `base: false` and give the base case as a variant)")
        return v


# ----------------------------------------------------------------------------- merging
_KEYED_LISTS = {("architecture", "sites"): "name", ("architecture", "links"): "sensor",
                **{(k,): "id" if k == "places" else "name" for k in CATALOG_KEYS}}
_UNION_LISTS = {("architecture", "sensors"), ("catalogs",)}


def _item_key(item: dict, ident: str):
    """Identity of a keyed-list item: its ``name`` if it has one (links may), else ``ident`` (places: their
    ``id``, names of places are not unique)."""
    if ident == "id":
        return item.get("id")
    return item.get("name") or item.get(ident)


def _union_name(x):
    return x if isinstance(x, str) else x.get("name") if isinstance(x, dict) else None


def merge(base: Any, over: Any, path: tuple = ()) -> Any:
    """Deep-merge ``over`` onto ``base`` (see the module docstring). Inputs are not modified.

    ``path`` is the position from the scenario root: only ``architecture.sites`` and
    ``architecture.links`` merge by key and only ``architecture.sensors`` is united.
    """
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base[k], v, (*path, k)) if k in base else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(over, list) and path in _KEYED_LISTS:
        ident = _KEYED_LISTS[path]
        out = [copy.deepcopy(x) for x in base]
        for item in over:
            if not isinstance(item, dict) or ident not in item:
                raise BmdsimError(f"items of `{'.'.join(path)}` need a `{ident}` to be merged; found {item!r}")
            key = _item_key(item, ident)
            idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and _item_key(x, ident) == key), None)
            if item.get("remove") is True:
                if idx is None:
                    raise BmdsimError(f"cannot remove {path[-1]} {key!r}: not in the base")
                out.pop(idx)
            elif idx is None:
                out.append(copy.deepcopy(item))
            else:
                out[idx] = merge(out[idx], item, (*path, "*"))
        return out
    if isinstance(base, list) and isinstance(over, list) and path in _UNION_LISTS:
        out = list(base)
        for s in over:
            if isinstance(s, str) and s.startswith("-"):
                out = [x for x in out if _union_name(x) != s[1:]]
            elif isinstance(s, dict) and _union_name(s) is not None:  # a placed sensor replaces its namesake
                out = [x for x in out if _union_name(x) != _union_name(s)] + [copy.deepcopy(s)]
            elif s not in out:
                out.append(s)
        return out
    return copy.deepcopy(over)


# ----------------------------------------------------------------------------- built-ins
def _catalog_dir(kind: str):
    return resources.files("bmdsim.model.catalog").joinpath(kind)


def builtin_names(kind: str = "scenarios") -> list[str]:
    return sorted(p.name[:-5] for p in _catalog_dir(kind).iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=256)
def _builtin_raw(kind: str, name: str) -> tuple[Any, dict]:
    if name not in builtin_names(kind):
        raise UnknownNameError("scenario" if kind == "scenarios" else "threat set", name, builtin_names(kind))
    text = _catalog_dir(kind).joinpath(f"{name}.yaml").read_text()
    return load_yaml(text, f"built-in {kind[:-1]} {name}")


def read_text_bounded(path: Path, what: str = "file") -> str:
    """Read a regular UTF-8 text file of at most MAX_BYTES, with one-line errors."""
    return yamlsafe.read_text(path, what)


def load_model_file(path, model, what: str):
    """Read a small YAML data file with the safe loader and validate it with a pydantic ``model``.

    Errors come back as one-line BmdsimErrors with the file, line, path and message (the first
    problem, and how many more there are).
    """
    p = Path(path)
    data, lines = yamlsafe.load(p, what)
    if not isinstance(data, dict):
        raise BmdsimError(f"{p}: expected a mapping of keys ({', '.join(model.model_fields)}); "
                          f"found {type(data).__name__ if data is not None else 'an empty file'}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(validation_messages(err, model, str(p), lines)) from None


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except (OSError, ValueError):  # a name too long for a path, or with a NUL
        return False


def _raw_scenario(ref: str) -> tuple[dict, dict, str]:
    """(data, line map, where) for a built-in name or a file path."""
    p = Path(ref)
    if ref.endswith((".yaml", ".yml")) or _exists(p):
        data, lines = yamlsafe.load(p, "scenario file", where=ref)
        where = ref
    else:
        data, lines = _builtin_raw("scenarios", ref)
        data = copy.deepcopy(data)
        where = f"built-in scenario {ref}"
    if not isinstance(data, dict):
        raise BmdsimError(f"{where}: expected a mapping with keys name, architecture, threats, options, sweep")
    return data, lines, where


class _Locator:
    """Maps an error path in the merged scenario to the file and line that wrote it."""

    def __init__(self, merged: dict, levels: list[tuple[Any, dict, str]]):
        self.merged = merged
        self.levels = levels  # (raw data, line map, where), child first

    def _translate(self, loc, raw):
        """Path in ``raw`` for merged path ``loc`` (keyed-list indices mapped through names), and a label."""
        cur_m, cur_r, out, label, names = self.merged, raw, [], [], []
        for comp in loc:
            if isinstance(cur_m, list) and isinstance(comp, int) and tuple(names) in _KEYED_LISTS:
                if comp >= len(cur_m) or not isinstance(cur_m[comp], dict):
                    return out, label, False
                key = _item_key(cur_m[comp], _KEYED_LISTS[tuple(names)])
                j = None
                if isinstance(cur_r, list):
                    j = next((i for i, x in enumerate(cur_r) if isinstance(x, dict)
                              and _item_key(x, _KEYED_LISTS[tuple(names)]) == key), None)
                if j is None:
                    return out, label, False
                out.append(j)
                label.append(str(j))
                cur_m, cur_r = cur_m[comp], cur_r[j]
                names.append("*")
                continue
            label.append(str(comp))
            names.append(comp)
            nxt_m = cur_m.get(comp) if isinstance(cur_m, dict) else (
                cur_m[comp] if isinstance(cur_m, list) and isinstance(comp, int) and comp < len(cur_m) else None)
            if isinstance(cur_r, dict) and comp in cur_r:
                out.append(comp)
                cur_r = cur_r[comp]
            elif isinstance(cur_r, list) and isinstance(comp, int) and comp < len(cur_r):
                out.append(comp)
                cur_r = cur_r[comp]
            else:
                return out, label, False
            cur_m = nxt_m
        return out, label, True

    def find(self, loc) -> tuple[str, int | None, str]:
        best = (self.levels[0][2], None, ".".join(str(x) for x in loc), -1)
        for raw, lines, where in self.levels:
            path, label, complete = self._translate(loc, raw)
            full_label = ".".join(label + [str(x) for x in loc[len(label):]]) if not complete else ".".join(label)
            for n in range(len(path), 0, -1):
                if tuple(path[:n]) in lines:
                    if complete and n == len(path):
                        return where, lines[tuple(path[:n])], full_label
                    if n > best[3]:
                        best = (where, lines[tuple(path[:n])], full_label, n)
                    break
        return best[:3]


def resolve_extends(ref: str, _depth: int = 0, _seen: tuple = (), _base_dir: Path | None = None
                    ) -> tuple[dict, _Locator, str]:
    """Load a scenario and apply its ``extends`` chain. Returns (merged data, locator, where).

    A relative ``extends`` path is taken relative to the folder of the file that names it.
    """
    if _base_dir is not None and ref.endswith((".yaml", ".yml")) and not Path(ref).is_absolute():
        ref = str(_base_dir / ref)
    data, lines, where = _raw_scenario(ref)
    if where == ref and isinstance(data.get("catalogs"), list):  # files named relative to this file
        data["catalogs"] = [str(Path(ref).parent / c) if isinstance(c, str) and c and not Path(c).is_absolute()
                            and not c.startswith("-") else c for c in data["catalogs"]]
    raw = copy.deepcopy(data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, _Locator(data, [(raw, lines, where)]), where
    if not isinstance(parent, str) or len(parent) > 500:
        raise BmdsimError(f"{where}: `extends` must be a scenario name or file path; found {_short(parent)}")
    if parent in _seen or _depth >= MAX_EXTENDS:
        raise BmdsimError(f"{where}: `extends` chain loops or is deeper than {MAX_EXTENDS} ({' -> '.join(_seen)})")
    base_dir = Path(ref).parent if where == ref else None
    base, base_loc, _ = resolve_extends(parent, _depth + 1, (*_seen, ref), base_dir)
    try:
        merged = merge(base, data)
    except BmdsimError as err:
        raise BmdsimError(f"{where}: {err}") from None
    merged["name"] = data.get("name", ref)
    return merged, _Locator(merged, [(raw, lines, where), *base_loc.levels]), where


def _short(x, n: int = 80) -> str:
    r = repr(x)
    return r if len(r) <= n else r[: n - 3] + "..."


def _error_line(err: ValidationError, lines, where: str) -> list[str]:
    locate = lines.find if isinstance(lines, _Locator) else None
    return validation_messages(err, Scenario, where, {} if locate else lines, locate)


def validate_scenario_data(data: dict, lines, where: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_error_line(err, lines, where)) from None


class ScenarioError(ValidationErrors):
    """Validation errors of a file: ``messages`` holds one line each (file, line, path, found, allowed)."""


def load_scenario(ref: str, catalog: Catalog | None = None) -> Scenario:
    """A built-in scenario name or a YAML file path -> validated :class:`Scenario`; names resolve in
    ``catalog`` (None: the built-ins) plus the scenario's own catalog entries (:func:`scenario_catalog`).

    Raises :class:`ScenarioError` (the first problem and how many more) for schema errors, bad catalog
    entries and unknown names alike."""
    data, lines, where = resolve_extends(ref)
    scn = validate_scenario_data(data, lines, where)
    check_references(scn, where, lines, catalog)
    return scn


def _block_locate(where: str, lines):
    """``loc -> (file, line)`` of a key path of the scenario (a :class:`_Locator` or a line map)."""
    def locate(loc: tuple) -> tuple[str, int | None]:
        if isinstance(lines, _Locator):
            file, line, _ = lines.find(loc)
            return file, line
        return where, yamlsafe.line_of(lines or {}, loc)
    return locate


def scenario_catalog(scn: Scenario, catalog: Catalog | None = None, *, where: str | None = None,
                     lines=None) -> Catalog:
    """The catalog context ``scn`` runs with: ``catalog`` (None: the built-ins) extended by the files of
    ``scn.catalogs`` and then by its inline blocks (``missiles:`` ...). ``catalog`` itself when the
    scenario brings no entries. ``where``/``lines`` (see :func:`resolve_extends`) put the scenario's file
    and lines into messages and origins.

    Raises :class:`~bmdsim.model.validation.ValidationErrors` (one line per problem, with file and line)."""
    base = resolve_catalog(catalog)
    inline = {k: getattr(scn, k) for k in CATALOG_KEYS if getattr(scn, k)}
    if not scn.catalogs and not inline:
        return base
    label = where or f"scenario {scn.name}"
    locate = _block_locate(label, lines) if lines is not None else None
    at = _at(label, lines)
    from bmdsim.model.catalogs import read_catalog_file

    sources: list = []
    for i, path in enumerate(scn.catalogs):
        try:
            sources.append(read_catalog_file(path))
        except ValidationErrors:
            raise
        except BmdsimError as err:
            raise ScenarioError([f"{at(('catalogs', i))}: {err}"]) from None
    if inline:
        sources.append(CatalogBlock(f"{label} (inline)", inline, locate))
    return base.extend(*sources)


def load_threat_set(ref: str | ThreatSetSpec) -> ThreatSetSpec:
    if isinstance(ref, ThreatSetSpec):
        return ref
    data, lines = _builtin_raw("threatsets", ref)
    try:
        return ThreatSetSpec.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(validation_messages(err, ThreatSetSpec, f"built-in threat set {ref}", lines)) from None


def check_references(scn: Scenario, where: str, lines=None, catalog: Catalog | None = None) -> None:
    """The scenario's catalog entries are valid and every name in it exists (sites, sensors,
    interceptors, places, missiles, sweep paths) in ``catalog`` plus those entries.

    Raises :class:`ScenarioError` listing every problem with its file and line (``lines``: the
    :class:`_Locator` of :func:`resolve_extends`, or a line map)."""
    errors = reference_errors(scn, where, lines, catalog)
    if errors:
        raise ScenarioError(errors)


def _at(where: str, lines):
    """A function path -> 'FILE: line N: PATH' for messages."""
    def at(loc: tuple) -> str:
        if isinstance(lines, _Locator):
            file, line, path = lines.find(loc)
        else:
            file, line, path = where, yamlsafe.line_of(lines or {}, loc), ".".join(map(str, loc))
        return f"{file}: line {line}: {path}" if line else f"{file}: {path}"
    return at


def _data_catalog(data: dict, base: Catalog, where: str, lines) -> Catalog:
    """The context of scenario data as read: ``base`` plus its catalog entries when they are valid (their
    problems are reported apart), else ``base``."""
    try:
        blocks = {k: data.get(k) for k in (*CATALOG_KEYS, "catalogs") if data.get(k)}
        if not blocks:
            return base
        scn = Scenario.model_construct(name=str(data.get("name", "scenario")),
                                       catalogs=list(blocks.pop("catalogs", []) or []))
        from bmdsim.model.catalogs import CatalogFile

        parsed = CatalogFile.model_validate(blocks)
        for k in CATALOG_KEYS:
            object.__setattr__(scn, k, getattr(parsed, k))
        return scenario_catalog(scn, base, where=where, lines=lines)
    except (BmdsimError, ValidationError, TypeError, ValueError):
        return base


def name_errors(data, where: str, lines=None, catalog: Catalog | None = None) -> list[str]:
    """One message per unknown name in scenario data as read (architecture and inline threat set), with
    its file and line and the nearest known name (in ``catalog`` plus the scenario's own valid catalog
    entries); values of the wrong type are left to the schema."""
    from bmdsim.model.architecture import name_errors as arch_name_errors

    if not isinstance(data, dict):
        return []
    cat = _data_catalog(data, resolve_catalog(catalog), where, lines)
    at = _at(where, lines)
    out = arch_name_errors(data.get("architecture"), at, ("architecture",), catalog=cat)

    def check(loc: tuple, fn, name) -> None:
        try:
            fn(name)
        except BmdsimError as err:
            out.append(f"{at(loc)}: {err}")

    thr = data.get("threats")
    if isinstance(thr, str):
        check(("threats",), load_threat_set, thr)
    elif isinstance(thr, dict):
        if isinstance(thr.get("missiles"), list):
            for j, m in enumerate(thr["missiles"]):
                if isinstance(m, str):
                    check(("threats", "missiles", j), cat.missile, m)
        for key in ("launches", "aims"):
            for j, ref in enumerate(thr.get(key) if isinstance(thr.get(key), list) else []):
                if isinstance(ref, str):
                    check(("threats", key, j), lambda r, key=key: _points([r], f"threats.{key}", cat), ref)
    return out


def reference_errors(scn: Scenario, where: str, lines=None, catalog: Catalog | None = None) -> list[str]:
    """The problems of the scenario's catalog entries (file and line of each), else one message per
    unknown name (the nearest known name suggested), then for the first variant or sweep point that
    fails once merged."""
    from bmdsim.model.architecture import resolve

    try:
        cat = scenario_catalog(scn, catalog, where=where, lines=lines)
    except ValidationErrors as err:
        return list(err.messages)
    except BmdsimError as err:
        return [str(err)]
    out = name_errors(scn.model_dump(by_alias=True, exclude=set(CATALOG_KEYS) | {"catalogs"}), where, lines, cat)
    if out:
        return out
    try:  # what only shows once merged: each variant and sweep point, and the expanded threat set
        for variant in expand_variants(scn):
            resolve(variant.scenario.architecture, catalog=cat)
        expand_threats(load_threat_set(scn.threats), check_only=True, catalog=cat)
    except BmdsimError as err:
        loc = ("variants",) if scn.variants else ("sweep",) if scn.sweep else ("architecture",)
        out.append(f"{_at(where, lines)(loc)}: {err}")
    return out


# ----------------------------------------------------------------------------- variants & sweeps
@dataclass(frozen=True)
class Variant:
    label: dict  # parameter -> value (variant name under "variant")
    scenario: Scenario


def _set_path(data: dict, path: str, value) -> None:
    """Set a dotted path; list items keyed by name (sites) or sensor (links)."""
    parts = path.split(".")
    cur: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(cur, dict):
            if last:
                cur[part] = value
                return
            if part not in cur:
                if part in ("options", "rules"):
                    cur[part] = {}
                else:
                    raise BmdsimError(f"sweep path {path!r}: no {part!r} here; valid: {', '.join(map(str, cur))}")
            cur = cur[part]
        elif isinstance(cur, list):
            keyname = _KEYED_LISTS.get(tuple(parts[i - 2:i])) if i >= 2 else None
            match = [x for x in cur if isinstance(x, dict) and keyname and x.get(keyname) == part]
            if not match:
                names = [str(x.get(keyname)) for x in cur if isinstance(x, dict)] if keyname else []
                raise BmdsimError(f"sweep path {path!r}: no item {part!r}; valid: {', '.join(names) or '(none)'}")
            if last:
                raise BmdsimError(f"sweep path {path!r} must end at a field, not at a whole item")
            cur = match[0]
        else:
            raise BmdsimError(f"sweep path {path!r}: {'.'.join(parts[:i])} is not a mapping")



def _check_catalog_fixed(scn: Scenario) -> None:
    """Variants and sweeps may not change the scenario's catalog entries (BmdsimError naming them)."""
    fixed = (*CATALOG_KEYS, "catalogs")
    for vname, override in sorted(scn.variants.items()):
        bad = sorted(k for k in override if k in fixed) if isinstance(override, dict) else []
        if bad:
            raise BmdsimError(f"variant {vname!r} changes {', '.join(bad)}: catalog entries are the scenario's, the "
                              "same for every variant (give them at the top level of the scenario)")
    for path in scn.sweep:
        if path.split(".")[0] in fixed:
            raise BmdsimError(f"sweep {path!r}: catalog entries cannot be swept (each run of a scenario sees the "
                              "same catalog); sweep options or architecture fields")


def _named_cases(scn: Scenario) -> list[tuple[str, dict]]:
    """(variant name, override) of every case: ``base`` first unless ``base: false``, then the variants
    by name; ``[("", {})]`` for a scenario without variants."""
    if not scn.variants:
        return [("", {})]
    return ([(BASE_VARIANT, {})] if scn.base else []) + sorted(scn.variants.items())


def variant_names(scn: Scenario) -> list[str]:
    """Names of the cases an analysis runs (``base`` first unless ``base: false``); [] without variants."""
    return [n for n, _ in _named_cases(scn) if n]


def analysis_cases(scn: Scenario, which: str | None = None) -> list[tuple[str, Scenario]]:
    """The cases an analysis (footprint, deterrent, criteria, stability) runs: ``(variant name,
    scenario)`` with the variant merged in and no sweep or variants left; ``[("", scn)]`` for a
    scenario without variants. ``which``: None or ``"all"`` for every case, else one variant name.

    Raises BmdsimError for an unknown variant name (listing the valid ones) or a variant that does not
    validate once merged.
    """
    _check_catalog_fixed(scn)
    names = variant_names(scn)
    if which not in (None, "all"):
        if which not in names:
            import difflib

            close = [n for n in names if n.lower() == str(which).lower()] or difflib.get_close_matches(
                str(which), names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise BmdsimError(f"--variant {which!r}: {hint}scenario {scn.name!r} has "
                              + (f"the variants {', '.join(names)} (or give all)" if names
                                 else "no variants (leave --variant out)"))
    base = scn.model_dump(by_alias=True, exclude={"sweep", "variants"})
    out = []
    for name, override in _named_cases(scn):
        if which not in (None, "all") and name != which:
            continue
        data = merge(base, override) if override else copy.deepcopy(base)
        try:
            out.append((name, Scenario.model_validate(data)))
        except ValidationError as err:
            e = err.errors()[0]
            loc = ".".join(str(x) for x in e["loc"])
            raise BmdsimError(f"variant {name!r}: {loc}: {e['msg']}") from None
    return out


def expand_variants(scn: Scenario, which: str | None = None) -> list[Variant]:
    """Cases x sweep product, each a validated Scenario without sweeps or variants. With variants the
    label holds ``variant`` (``base`` for the base case, first, unless ``base: false``). ``which``: one
    variant name only (None or ``"all"``: every one; an unknown name is a BmdsimError)."""
    _check_catalog_fixed(scn)
    base = scn.model_dump(by_alias=True, exclude={"sweep", "variants"})
    named = _named_cases(scn)
    if which not in (None, "all"):
        analysis_cases(scn, which)  # checks the name
        named = [(n, o) for n, o in named if n == which]
    axes = []
    for path, spec in scn.sweep.items():
        try:
            vals = spec.values() if isinstance(spec, RangeSpec) else list(spec)
        except (ValueError, OverflowError) as err:
            raise BmdsimError(f"sweep {path!r}: {err}") from None
        if not vals:
            raise BmdsimError(f"sweep {path!r}: empty list of values")
        axes.append((path, vals))
    n = len(named) * math.prod(len(v) for _, v in axes)
    if n > MAX_VARIANTS:
        raise BmdsimError(f"the sweep expands to {n} runs; at most {MAX_VARIANTS}")
    out = []
    for vname, override in named:
        vdata = merge(base, override) if override else copy.deepcopy(base)
        for combo in itertools.product(*(v for _, v in axes)):
            d = copy.deepcopy(vdata)
            label = {"variant": vname} if vname else {}
            for (path, _), val in zip(axes, combo, strict=True):
                _set_path(d, path, val)
                label[path] = val
            try:
                out.append(Variant(label, Scenario.model_validate(d)))
            except ValidationError as err:
                e = err.errors()[0]
                loc = ".".join(str(x) for x in e["loc"])
                raise BmdsimError(f"variant {label}: {loc}: {e['msg']}") from None
    return out


# ----------------------------------------------------------------------------- threats
@dataclass(frozen=True)
class ThreatList:
    """Expanded threats: parallel lists (n,)."""

    missile: tuple[str, ...]
    launch_id: tuple[str, ...]
    aim_id: tuple[str, ...]
    launch_lat: tuple[float, ...]
    launch_lon: tuple[float, ...]
    aim_lat: tuple[float, ...]
    aim_lon: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.missile)


def _points(refs: list, what: str, catalog: Catalog | None = None) -> list[tuple[str, float, float, Any]]:
    from bmdsim.model.places import check_lat_lon, looks_like_point, parse_point

    cat = resolve_catalog(catalog)
    out = []
    for ref in refs:
        if isinstance(ref, list):
            if len(ref) != 2:
                raise BmdsimError(f"{what}: a point is [lat, lon]; found {ref!r}")
            lat, lon = float(ref[0]), float(ref[1])
            check_lat_lon(lat, lon, what)
            out.append((f"{lat:.3f},{lon:.3f}", lat, lon, None))
        elif isinstance(ref, str) and ref.startswith("category:"):
            category = ref.split(":", 1)[1]
            places = [p for p in cat.places.values() if p.category == category]
            if not places:
                cats = sorted({p.category for p in cat.places.values()})
                raise BmdsimError(f"{what}: no places in category {category!r}; categories: {', '.join(cats)}")
            out += [(p.id, p.lat_deg, p.lon_deg, p) for p in places]
        else:
            lat, lon, label = parse_point(str(ref), what, cat)
            place = None if looks_like_point(str(ref)) else cat.place(str(ref))
            out.append((label, lat, lon, place))
    return out


def _deployed(place, catalog: Catalog | None = None) -> list[str]:
    if place is None or not place.systems:
        raise BmdsimError(f"`missiles: deployed` needs launch places with deployed systems; "
                          f"{getattr(place, 'id', 'a coordinate')} has none")
    names = {m.name for m in resolve_catalog(catalog).missiles.values()}
    out = []
    for sys_txt in place.systems:
        tok = sys_txt.split()[0]
        if tok in names and tok not in out:
            out.append(tok)
    return out


def expand_threats(ts: ThreatSetSpec, check_only: bool = False, catalog: Catalog | None = None) -> ThreatList:
    """Launches x aims x missiles; with ``only_in_range``, only the pairs within the missile's reach.
    Names (missiles, places) resolve in ``catalog`` (None: the built-ins).

    The reach is computed per pair, toward the aimpoint, on the rotating Earth and on the threat
    set's trajectory shape (each missile's standard shape if none is given):
    :func:`bmdsim.model.trajectories.in_reach`. It differs from the nominal range (a non-rotating
    convention): westward pairs inside it may be out of reach, eastward ones beyond it in reach.
    """
    from bmdsim.model.trajectories import Shape, in_reach

    cat = resolve_catalog(catalog)
    launches = _points(ts.launches, "threats.launches", cat)
    aims = _points(ts.aims, "threats.aims", cat)
    if ts.aim_grid is not None:
        g = ts.aim_grid
        try:
            lats = RangeSpec.model_validate({"from": g.lat_from, "to": g.lat_to, "step": g.step_deg}).values()
            lons = RangeSpec.model_validate({"from": g.lon_from, "to": g.lon_to, "step": g.step_deg}).values()
        except ValueError as err:
            raise BmdsimError(f"threats.aim_grid: {err}; give lat_from <= lat_to and lon_from <= lon_to") from None
        if len(lats) * len(lons) > MAX_THREATS:
            raise BmdsimError(f"threats.aim_grid has {len(lats) * len(lons)} points; at most {MAX_THREATS}")
        aims += [(f"{la:.3f},{lo:.3f}", la, lo, None) for la in lats for lo in lons]
    if not aims:
        raise BmdsimError("threats: give `aims` or an `aim_grid`")
    rows = []
    for lid, la1, lo1, place in launches:
        missiles = _deployed(place, cat) if ts.missiles == "deployed" else ts.missiles
        for mname in missiles:
            m = cat.missile(mname)
            for aid, la2, lo2, _ in aims:
                rows.append((m.name, lid, aid, la1, lo1, la2, lo2))
                if len(rows) > MAX_THREATS:
                    raise BmdsimError(f"threat set expands to more than {MAX_THREATS} threats")
    if check_only or not rows:
        rows = rows[:0] if check_only else rows
    if rows and ts.only_in_range:
        arr = list(zip(*rows, strict=True))
        shape = Shape.from_options(ts.apogee_km, ts.flight_time_s, ts.gamma_deg)
        keep = in_reach(list(arr[0]), arr[3], arr[4], arr[5], arr[6], shape, catalog=cat)
        rows = [r for r, k in zip(rows, keep, strict=True) if k]
    cols = list(zip(*rows, strict=True)) if rows else [()] * 7
    return ThreatList(*(tuple(c) for c in cols))


class _ScenarioFile(Scenario):
    """Scenario as written in a file: ``extends`` allowed, and parts may be partial when extending."""

    extends: str | None = None


def _drop_required(node):
    if isinstance(node, dict):
        node.pop("required", None)
        for v in node.values():
            _drop_required(v)
    elif isinstance(node, list):
        for v in node:
            _drop_required(v)


def scenario_json_schema() -> dict:
    """JSON Schema of a scenario file, for editors.

    Any key may be omitted because a file with ``extends`` gives only what changes; ``bmdsim
    validate`` checks completeness after the ``extends`` chain is resolved.
    """
    sch = _ScenarioFile.model_json_schema(by_alias=True)
    _drop_required(sch)
    sch["title"] = "bmdsim scenario"
    sch["description"] = ("A bmdsim scenario file: architecture + threats + options (+ sweep, variants). "
                          "With `extends`, only the keys that change need to be given.")
    return sch
