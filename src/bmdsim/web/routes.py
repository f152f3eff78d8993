"""The JSON API (documented at /openapi.json). Handlers parse, call :mod:`bmdsim.web.service` (quick
requests, in the server process) or queue a job (:mod:`bmdsim.web.jobs`, in the worker), and answer."""

from __future__ import annotations

import inspect
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse

from bmdsim.errors import BmdsimError
from bmdsim.web import service
from bmdsim.web.catalog import Catalog, catalog_for, scenario_names
from bmdsim.web.schemas import (
    ClaimsRequest,
    DeterrentRequest,
    EngageRequest,
    EnvelopeRequest,
    ErrorBody,
    FootprintRequest,
    TrajectoryRequest,
    ValidateRequest,
)
from bmdsim.web.service import ApiError, field

ERRORS = {422: {"model": ErrorBody, "description": "bad input: the one-line message and the field"},
          413: {"model": ErrorBody, "description": "upload or body over the size limit"},
          415: {"model": ErrorBody, "description": "a POST body that is not application/json"},
          403: {"model": ErrorBody, "description": "a cross-origin or cross-site request"},
          400: {"model": ErrorBody, "description": "a Host header that does not name this server"}}


async def checked_json(request: Request) -> None:
    """Every JSON body, before its fields are read: finite numbers, Unicode text, bounded nesting
    (:func:`bmdsim.web.service.check_json`). FastAPI has parsed the body already (and answered 422 if it is
    not JSON); ``request.json()`` returns that parse."""
    if request.method != "POST" or not await request.body():
        return
    try:
        data = await request.json()
    except ValueError:  # not JSON: FastAPI's own validation answers it
        return
    service.check_json(data)


router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(checked_json)])
Cat = Annotated[Catalog, Depends(catalog_for)]

# One event of the stream (OpenAPI 3.2's itemSchema): its kind and its JSON data, with the keys SSE_SCHEMA lists.
EVENT_KEYS = {"queued": ["job", "kind", "ahead"], "started": ["job", "kind"],
              "progress": ["job", "stage", "done", "total", "elapsed_s"],
              "partial": ["job", "pass", "passes", "grid_deg", "bbox", "lat_deg", "lon_deg", "classes", "summary"],
              "result": ["job", "kind", "files"], "error": ["job", "detail", "field"], "cancelled": ["job"]}
JOB_EVENT_SCHEMA = {
    "title": "JobEvent", "type": "object", "required": ["event", "data"],
    "properties": {"event": {"type": "string", "enum": list(EVENT_KEYS)}, "id": {"type": "string"},
                   "data": {"type": "string", "contentMediaType": "application/json"}},
    "oneOf": [{"properties": {"event": {"const": kind}, "data": {
        "contentMediaType": "application/json", "contentSchema": {"type": "object", "required": keys}}}}
        for kind, keys in EVENT_KEYS.items()],
}
SSE_SCHEMA = {
    "description": (
        "A stream of server-sent events (text/event-stream). Each event has `event:` (its kind), `id:` (a "
        "counter) and one `data:` line of JSON:\n\n"
        "* `queued` {job, kind, ahead}: the job waits behind `ahead` others in the worker;\n"
        "* `started` {job, kind}: the worker took it;\n"
        "* `progress` {job, stage, done, total|null, elapsed_s, [pass, passes, grid_deg], [heartbeat]}: at least "
        "every 0.5 s while the job runs (`heartbeat: true` repeats the last step with a new elapsed_s);\n"
        "* `partial` {job, pass, passes, grid_deg, bbox, lat_deg, lon_deg, classes, summary} (footprint only): "
        "a complete footprint at a coarser grid (classes: 0 out of range, 1 threatened not defended, "
        "2 defended; rows south to north);\n"
        "* `result` {job, kind, ..., files: [{name, url}]}: the answer and the files written (GET each url);\n"
        "* `error` {job, detail, field}: the one-line message;\n"
        "* `cancelled` {job}.\n\n"
        "The stream ends after `result`, `error` or `cancelled`. Closing it cancels the job."),
    "content": {"text/event-stream": {"itemSchema": JOB_EVENT_SCHEMA}},
}


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, allow_nan=False, separators=(",", ":")), status_code=status,
                    media_type="application/json")


# ------------------------------------------------------------------------------------------------- meta
@router.get("/health", summary="Server state: warm-up done, worker ready")
def health(request: Request) -> dict:
    st = request.app.state
    return {"ok": True, "warm": st.warm_done.is_set(), "worker_ready": st.jobs.ready.is_set()}


@router.get("/meta", summary="Version, limits, palette and reason codes the page uses")
def meta(request: Request) -> dict:
    from bmdsim.core.engagement import REASONS
    from bmdsim.io import palette
    from bmdsim.io.provenance import version

    s = request.app.state.settings
    return {"version": version(), "max_upload_bytes": service.MAX_UPLOAD_BYTES, "max_body_bytes": s.max_body_bytes,
            "max_sites": service.MAX_SITES, "max_upload_cases": service.MAX_UPLOAD_CASES,
            "max_footprint_cells": s.max_footprint_cells,
            "fragment_upload_chars": s.fragment_upload_chars, "vbo_step_kms": 0.05,
            "reasons": [r for r in REASONS if r], "palette": {"classes": palette.CLASS_COLORS,
                                                               "class_labels": palette.CLASS_LABELS,
                                                               "layers": palette.LAYER_COLORS,
                                                               "okabe_ito": palette.OKABE_ITO}}


# ---------------------------------------------------------------------------------------------- catalogs
class CatalogKind(StrEnum):
    missiles = "missiles"
    interceptors = "interceptors"
    sensors = "sensors"
    placements = "placements"
    places = "places"


@router.get("/catalog/{kind}", summary="A catalog table: every entry with its numbers, sources and origin "
                                      "(sensors: the types; placements: the placed types)", responses=ERRORS)
def catalog(kind: CatalogKind, cat: Cat) -> Response:
    rows = []
    for n, m in cat.table(kind.value).items():
        o = cat.origin(kind.value, n)
        rows.append({**m.model_dump(mode="json", by_alias=True, exclude_none=True),
                     "origin": "built-in" if o.builtin else str(o)})
    return _json(rows)


# --------------------------------------------------------------------------------------------- scenarios
@router.get("/scenarios", summary="Built-in scenarios and threat sets (bmdsim scenarios)")
def scenarios(cat: Cat) -> dict:
    return service.scenario_summaries(cat)


@router.post("/scenarios/validate", summary="Check an uploaded scenario file (bmdsim validate)", responses=ERRORS)
def validate(body: ValidateRequest, cat: Cat) -> Response:
    return _json(service.validate_upload(body.yaml, cat))


@router.get("/scenarios/{name}", summary="One built-in scenario, resolved, with its architecture for editing",
            responses={404: {"model": ErrorBody, "description": "no built-in scenario of that name"}, **ERRORS})
def scenario(name: Annotated[str, PathParam(description="built-in scenario name", max_length=100)],
             cat: Cat) -> Response:
    if name not in scenario_names():
        from bmdsim.errors import UnknownNameError

        raise ApiError(str(UnknownNameError("scenario", name, scenario_names())), "name", status=404)
    scn = service.builtin_scenario(name, cat, "name")
    with field("name"):
        return _json(service.scenario_document(scn, cat))


# ------------------------------------------------------------------------------------------ one threat
_MEDIA = {"csv": ("text/csv", "csv"), "kml": ("application/vnd.google-earth.kml+xml", "kml"),
          "geojson": ("application/geo+json", "geojson"), "czml": ("application/json", "czml"),
          "e": ("text/plain", "e"), "png": ("image/png", "png"), "svg": ("image/svg+xml", "svg"),
          "pdf": ("application/pdf", "pdf")}


def _attachment(data, fmt: str, stem: str) -> Response:
    media, ext = _MEDIA[fmt]
    return Response(data, media_type=media, headers={"content-disposition": f'attachment; filename="{stem}.{ext}"'})


def _threat(body, cat: Catalog, command: str, fmt: str | None = None):
    launch = service.point(body.launch, "from", cat)
    aim = service.point(body.aim, "to", cat)
    shp = service.shape(body.apogee_km, body.flight_time_s, body.gamma_deg)
    return launch, aim, shp, service.solve_threat(body.missile, launch, aim, shp, body.step_s, cat, command=command,
                                                  fmt=fmt)


def _content(*types: str) -> dict:
    return {200: {"description": "the answer", "content": {t: {} for t in types}}}


@router.post("/trajectory", summary="One trajectory (bmdsim trajectory): JSON as the CLI prints, or a file",
             responses=_content("application/json", "text/csv", "application/vnd.google-earth.kml+xml",
                                "application/geo+json", "text/plain", "image/png", "image/svg+xml",
                                "application/pdf"), response_class=Response)
def trajectory(body: TrajectoryRequest, request: Request, cat: Cat) -> Response:
    from bmdsim.io import trajectory_formats as tf
    from bmdsim.io.timefmt import DEFAULT_EPOCH, parse_epoch

    with field("epoch"):
        ep = parse_epoch(body.epoch if body.epoch is not None else DEFAULT_EPOCH, "epoch")
    launch, aim, _, ts = _threat(body, cat, "trajectory", body.format)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"trajectory-{ts.missile[0]}")
    fmt = body.format
    if fmt == "json":
        return Response(tf.to_json(ts), media_type="application/json")
    if fmt in ("png", "svg", "pdf"):
        folder = request.app.state.settings.out_dir / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{request.app.state.next_id()}.{fmt}"
        try:
            with field("format"):
                tf.plot(ts, path, launch_label=launch[2], aim_label=aim[2])
            data = path.read_bytes()
        finally:
            path.unlink(missing_ok=True)
        return _attachment(data, fmt, stem)
    text = {"csv": lambda: tf.to_csv(ts, ep), "kml": lambda: tf.to_kml(ts, epoch=ep),
            "geojson": lambda: tf.to_geojson(ts), "czml": lambda: tf.to_czml(ts, ep),
            "e": lambda: tf.to_stk_e(ts, ep)}[fmt]()
    return _attachment(text, fmt, stem)


@router.post("/engage", summary="Engagement table of one threat against every site (bmdsim engage --format json)",
             responses=_content("application/json", "text/csv"), response_class=Response)
def engage(body: EngageRequest, cat: Cat,
           view: Annotated[bool, Query(description="add `view`: samples, fly-out paths, fields of regard")] = False
           ) -> Response:
    src = service.architecture_source(cat, body.scenario, body.scenario_yaml, body.architecture)
    arch = service.resolve_arch(src, body.vbo_kms, body.decision_time_s)
    _, _, _, ts = _threat(body, src.catalog, "engage")
    if body.format == "csv":
        from bmdsim.analysis.engage import run_engagements

        return _attachment(run_engagements(arch, ts).to_csv(), "csv", "engagements")
    return _json(service.engage(arch, ts, view))


# ------------------------------------------------------------------------------------------------ jobs
def _job_stream(request: Request, kind: str, params) -> StreamingResponse:
    mgr = request.app.state.jobs
    job = mgr.submit(kind, params)
    from bmdsim.web.jobs import stream

    return StreamingResponse(stream(mgr, job), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no", "x-job": str(job.id)})


@router.post("/footprint", summary="Defended-area footprint of a launch area (bmdsim footprint), streamed",
             responses={200: SSE_SCHEMA, **ERRORS}, response_class=StreamingResponse)
def footprint(body: FootprintRequest, request: Request, cat: Cat):
    from bmdsim.analysis.grids import make_grid
    from bmdsim.model.scenario import expand_threats, load_threat_set
    from bmdsim.web.heavy import grid_passes

    src = service.architecture_source(cat, body.scenario, body.scenario_yaml, body.architecture)
    service.resolve_arch(src, body.vbo_kms, body.decision_time_s)  # every name checked before queueing
    launch = service.point(body.launch_area, "launch_area", src.catalog)
    missiles = body.missiles
    if missiles is None:
        if src.scenario is None:
            raise ApiError("give `missiles` (names) with an inline architecture", "missiles")
        with field("scenario"):
            tset = load_threat_set(service.first_variant(src.scenario).threats)
            missiles = sorted(set(expand_threats(tset, catalog=src.catalog).missile)) if (
                tset.missiles == "deployed") else list(tset.missiles)
    if not missiles:
        raise ApiError("give at least one missile", "missiles")
    with field("missiles"):
        missiles = list(dict.fromkeys(src.catalog.missile(m).name for m in missiles))  # as the CLI: once each
    b = body.bbox
    box = (b.lon_min, b.lon_max, b.lat_min, b.lat_max)
    with field("grid_deg"):
        if not 0.05 <= body.grid_deg <= 10:
            raise BmdsimError(f"grid {body.grid_deg} deg out of range; valid 0.05..10 degrees")
    with field("bbox"):
        grid = make_grid(box, body.grid_deg)  # the library's box rules (as --lat/--lon)
    with field("grid_deg"):
        passes = [make_grid(box, g) for g in grid_passes(body.grid_deg, box)]  # coarse to fine: all are computed
        cells = sum(g.cells for g in passes)
        limit = request.app.state.settings.max_footprint_cells
        if grid.cells > limit:
            raise BmdsimError(f"grid {body.grid_deg} deg over this box gives {grid.cells:,} cells; the explorer "
                              f"computes at most {limit:,} (use `bmdsim footprint` for finer grids)")
    coarser = "use a coarser grid_deg or a smaller bbox, or fewer missiles"
    service.check_work("footprint", [("grid_cells", cells, coarser), ("trajectories", cells * len(missiles), coarser)],
                       "grid_deg")
    with field("k"):
        if not 1 <= body.k <= 20:
            raise BmdsimError(f"k must be 1..20 shots, got {body.k}")
    step = service.check_step(body.step_s if body.step_s is not None else (
        src.options.step_s if src.options is not None else 5.0))
    variant = service.first_variant(src.scenario) if src.scenario is not None else None
    params = {"arch_spec": src.spec, "vbo_kms": body.vbo_kms if body.vbo_kms is not None else
              (src.options.vbo_kms if src.options else None),
              "decision_time_s": body.decision_time_s if body.decision_time_s is not None else
              (src.options.decision_time_s if src.options else None),
              "missiles": missiles, "launch": launch, "grid_deg": float(body.grid_deg), "k": int(body.k),
              "bbox": box, "step_s": float(step), "variant": variant,
              "catalog": _ship(src.catalog)}
    return _job_stream(request, "footprint", params)


def _ship(cat: Catalog):
    """The context a job takes to the worker: None for the built-ins (the worker has them), else the context
    (it pickles)."""
    return None if cat is None or cat.is_builtin else cat


@router.post("/deterrent", summary="Deterrent matrix of an architecture (bmdsim deterrent), streamed",
             responses={200: SSE_SCHEMA, **ERRORS}, response_class=StreamingResponse)
def deterrent(body: DeterrentRequest, request: Request, cat: Cat):
    src = service.architecture_source(cat, body.scenario, body.scenario_yaml, body.architecture)
    service.resolve_arch(src, body.vbo_kms, body.decision_time_s)
    o = src.options
    params = {"arch_spec": src.spec,
              "vbo_kms": body.vbo_kms if body.vbo_kms is not None else (o.vbo_kms if o else None),
              "decision_time_s": body.decision_time_s if body.decision_time_s is not None else
              (o.decision_time_s if o else None), "catalog": _ship(src.catalog)}
    return _job_stream(request, "deterrent", params)


@router.post("/envelope", summary="Safe envelope: the highest harmless vbo per site position, streamed",
             responses={200: SSE_SCHEMA, **ERRORS}, response_class=StreamingResponse)
def envelope(body: EnvelopeRequest, request: Request, cat: Cat):
    with field("grid_deg"):
        if not 1.0 <= body.grid_deg <= 10:
            raise BmdsimError(f"grid {body.grid_deg} deg out of range here; valid 1..10 degrees "
                              "(finer grids: bmdsim criteria --derive)")
    with field("template"):
        tpl = cat.interceptor(body.template).name
    service.check_decision_time(body.decision_time_s)
    service.check_work("envelope", _envelope_sizes(body.grid_deg, cat, "grid_deg"), "grid_deg", "criteria --derive")
    return _job_stream(request, "envelope", {"grid_deg": float(body.grid_deg), "template": tpl,
                                             "decision_time_s": float(body.decision_time_s), "catalog": _ship(cat)})


def _envelope_sizes(grid_deg: float, cat: Catalog, name: str) -> list[tuple[str, float, str]]:
    """The safe envelope's size on its box, as ``bmdsim criteria --derive`` and ``bmdsim claims`` count it."""
    from bmdsim.analysis.envelope import ENVELOPE_BBOX, envelope_sizes
    from bmdsim.analysis.grids import make_grid

    with field(name):
        sizes = envelope_sizes(make_grid(ENVELOPE_BBOX, grid_deg), catalog=cat)
    return [(u, n, f"use a coarser {name}") for u, n, _ in sizes]


def _claim_scenarios(func, names: list[str]) -> list[str]:
    """Built-in scenarios a claim's code names (string literals in its source), in order of first mention."""
    try:
        src = inspect.getsource(func)
    except (OSError, TypeError):
        return []
    found = re.findall(r"[\"']([a-z0-9][a-z0-9-]*)[\"']", src)
    out = []
    for n in found:
        if n in names and n not in out:
            out.append(n)
    return out


@router.get("/claims", summary="The claims ledger: each claim, its quote and the scenarios it runs")
def claims(request: Request, cat: Cat) -> dict:
    from bmdsim.analysis.claims import ARTICLE_DESCRIPTION, CLAIMS

    names = scenario_names()
    return {"article": ARTICLE_DESCRIPTION, "claims": [
        {"id": c.id, "title": c.title, "quote": c.quote, "place": f"line {c.line} of the article's text",
         "scenarios": _claim_scenarios(c.run, names), "reproduce": f"bmdsim claims --only {c.id}"} for c in CLAIMS]}


@router.post("/claims", summary="Run the claims ledger (bmdsim claims), streamed",
             responses={200: SSE_SCHEMA, **ERRORS}, response_class=StreamingResponse)
def run_claims(body: ClaimsRequest, request: Request, cat: Cat):
    from bmdsim.analysis.claims import CLAIMS

    ids = [c.id for c in CLAIMS]
    only = [x.strip().upper() for x in body.only] if body.only else None
    with field("only"):
        bad = [x for x in (only or []) if x not in ids]
        if bad:
            raise BmdsimError(f"unknown claim id(s) {', '.join(bad)}; valid: {', '.join(ids)}")
    with field("envelope_grid_deg"):
        if not 1.0 <= body.envelope_grid_deg <= 10:
            raise BmdsimError(f"envelope grid {body.envelope_grid_deg} deg out of range here; valid 1..10 degrees")
    service.check_work("claims", _envelope_sizes(body.envelope_grid_deg, cat, "envelope_grid_deg"), "envelope_grid_deg")
    return _job_stream(request, "claims", {"only": only, "envelope_grid_deg": float(body.envelope_grid_deg),
                                           "catalog": _ship(cat)})


@router.get("/jobs/{job_id}/files/{name}", summary="A file a job wrote (names from its `result` event)",
            responses={404: {"model": ErrorBody}, **_content(
                "application/json", "text/csv", "text/html", "text/markdown", "image/png", "image/svg+xml",
                "application/pdf", "application/x-netcdf", "application/vnd.google-earth.kml+xml",
                "application/geo+json", "application/yaml", "application/octet-stream")}, response_class=Response)
def job_file(job_id: int, name: str, request: Request):
    job = request.app.state.jobs.get(job_id)
    path: Path | None = job.files.get(name) if job is not None else None  # a dictionary look-up, never a path
    if path is None:
        return JSONResponse({"detail": f"no file {name[:80]!r} for job {job_id}", "field": "name"}, status_code=404)
    return FileResponse(path, filename=path.name)


# ------------------------------------------------------------------------------------------------- maps
class MapKind(StrEnum):
    coast = "coast"
    borders = "borders"


class MapResolution(StrEnum):
    c = "c"
    l = "l"  # noqa: E741


@router.get("/map/{kind}", summary="Coastlines or borders (the data of the PNG maps) as GeoJSON",
            responses=_content("application/geo+json"), response_class=Response)
def map_lines(kind: MapKind, resolution: MapResolution = MapResolution.l) -> Response:
    return Response(service.boundaries_geojson(kind.value, resolution.value), media_type="application/geo+json",
                    headers={"cache-control": "public, max-age=86400"})
