"""The explorer's ASGI application: the page, its assets and the JSON API behind one guard.

:func:`create_app` builds it from :class:`Settings`. Static assets are served from an index built when
the app starts (relative URL -> file under the package's ``static`` folder): a request's path is only a
key in that dictionary, never joined to a folder.
"""

from __future__ import annotations

import itertools
import json
import logging
import mimetypes
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bmdsim.errors import BmdsimError
from bmdsim.web.security import LOOPBACK_NAMES, RequestGuard
from bmdsim.web.service import ApiError, one_line

log = logging.getLogger("bmdsim.web")

STATIC_MISSING = ("the explorer's page is not built: run `make web` in the source tree (npm ci and the build "
                  "write src/bmdsim/web/static/)")


@dataclass
class Settings:
    """Server settings. ``out_dir``: the only folder the server writes to (job folders, figures)."""

    host: str = "127.0.0.1"
    port: int = 8000
    out_dir: Path = Path("out") / "explorer"
    allowed_hosts: tuple[str, ...] = ()
    max_body_bytes: int = 512_000
    max_footprint_cells: int = 60_000
    fragment_upload_chars: int = 16_000  # an uploaded scenario rides in the URL fragment up to this (compressed)
    warm: bool = True  # warm numba and fly-out tables at start (server and worker)
    worker: bool = True
    static_dir: Path | None = None  # default: the package's static folder
    catalog_files: tuple[str, ...] = ()  # user catalogs every request sees (bmdsim serve --catalog)

    def hosts(self) -> set[str]:
        h = set(LOOPBACK_NAMES) | {x.lower() for x in self.allowed_hosts}
        if self.host not in ("0.0.0.0", "::", ""):
            h.add(self.host.lower() if ":" not in self.host else f"[{self.host.lower()}]")
        return h


def static_folder() -> Path:
    return Path(str(resources.files("bmdsim.web").joinpath("static")))


@dataclass
class StaticIndex:
    """Relative URL path -> (file, media type), built once by walking the static folder."""

    root: Path
    files: dict = field(default_factory=dict)

    @classmethod
    def build(cls, root: Path) -> StaticIndex:
        idx = cls(root)
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file() and not p.name.startswith("."):
                    rel = p.relative_to(root).as_posix()
                    media = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
                    if p.suffix in (".js", ".mjs"):
                        media = "text/javascript"
                    idx.files[rel] = (p, media)
        return idx

    @property
    def built(self) -> bool:
        return "index.html" in self.files


MAX_FIELD_CHARS = 200  # a field path in a refusal is cut to this (it may echo a key that was sent)


def _error(detail: str, fld: str, status: int = 422, messages=None) -> Response:
    """The refusal every route answers: ``{detail, field[, messages]}``. Plain ASCII JSON (``\\uXXXX``
    escapes), so that any text a request echoes, even a lone surrogate, encodes."""
    body = {"detail": one_line(detail), "field": one_line(fld, MAX_FIELD_CHARS) or "body"}
    if messages:
        body["messages"] = [one_line(m) for m in messages]
    return Response(json.dumps(body, ensure_ascii=True, allow_nan=False), status_code=status,
                    media_type="application/json")


def _validation_message(err: RequestValidationError) -> tuple[str, str]:
    errs = err.errors()
    e = errs[0] if errs else {"loc": ("body",), "msg": "invalid request"}
    if e.get("type") == "json_invalid":  # FastAPI's loc is ("body", character offset)
        why = (e.get("ctx") or {}).get("error", "")
        at = e["loc"][-1] if e.get("loc") and isinstance(e["loc"][-1], int) else None
        return (f"the request body is not valid JSON: {why or 'parse error'}"
                + (f" at character {at}" if at is not None else ""), "body")
    loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path")]
    where = ".".join(loc) or "body"
    found = e.get("input")
    found_txt = f"; found {found!r}"[:120] if isinstance(found, str | int | float | bool) else ""
    more = f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""
    return f"{where}: {e.get('msg', 'invalid')}{found_txt}{more}", where


def warm_up() -> None:
    """Server-side warm-up: numba kernels and the built-in scenarios' fly-out tables."""
    from bmdsim.web.heavy import warm_up as warm

    warm()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The explorer app. Starts the worker process and the warm-up when the server starts (lifespan)."""
    from bmdsim.io.provenance import version
    from bmdsim.web.catalog import server_catalog
    from bmdsim.web.jobs import JobManager
    from bmdsim.web.routes import router

    settings = settings or Settings()
    catalog = server_catalog(settings.catalog_files)  # one-line errors before the server starts
    settings.out_dir = Path(settings.out_dir)
    static = StaticIndex.build(Path(settings.static_dir) if settings.static_dir else static_folder())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        settings.out_dir.mkdir(parents=True, exist_ok=True)
        if settings.worker:
            app.state.jobs.start()
        if settings.warm:
            def run():
                try:
                    warm_up()
                except Exception:  # noqa: BLE001 - the server works without it, only slower at first
                    log.exception("warm-up failed")
                finally:
                    app.state.warm_done.set()

            threading.Thread(target=run, name="bmdsim-warm-up", daemon=True).start()
        else:
            app.state.warm_done.set()
        try:
            yield
        finally:
            app.state.jobs.stop()

    app = FastAPI(title="bmdsim explorer API", version=version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description=(
                      "The JSON API of `bmdsim serve`: catalogs, scenarios, one trajectory and its engagement "
                      "(quick, answered in the server process), and footprints, the deterrent matrix, the safe "
                      "envelope and the claims ledger (heavy: run in a worker process, streamed as server-sent "
                      "events). Every refused request answers {detail, field}: the one-line message the CLI "
                      "prints after `bmdsim: error:` and the request field it concerns. Units: degrees, km, "
                      "km/s and s at this edge, as on the CLI."))
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.static = static
    app.state.jobs = JobManager(settings.out_dir, warm=settings.warm)
    app.state.warm_done = threading.Event()
    counter = itertools.count(1)
    lock = threading.Lock()

    def next_id() -> int:
        with lock:
            return next(counter)

    app.state.next_id = next_id

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, err: ApiError):
        return _error(err.detail, err.field, err.status, err.messages)

    @app.exception_handler(BmdsimError)
    async def _bmdsim_error(request: Request, err: BmdsimError):
        return _error(str(err), "body")

    @app.exception_handler(Exception)
    async def _internal(request: Request, err: Exception):  # a bug: still the documented shape, and logged
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=err)
        return _error(f"internal error: {type(err).__name__}: {err}", "server", 500)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, err: RequestValidationError):
        msg, where = _validation_message(err)
        return _error(msg, where)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException):
        if err.status_code == 400 and "parsing the body" in str(err.detail):  # FastAPI's answer to broken JSON
            return _error("the request body is not valid JSON (UTF-8 text)", "body", 422)
        resp = _error(str(err.detail), "path" if err.status_code in (404, 405) else "request", err.status_code)
        for k, v in (err.headers or {}).items():
            resp.headers[k] = v
        if err.status_code == 405:  # Allow: every method of every route at this path (GET and POST /api/claims)
            from starlette.routing import Match

            methods = set()
            for route in app.router.routes:
                if getattr(route, "methods", None) and route.matches(request.scope)[0] != Match.NONE:
                    methods |= set(route.methods)
            resp.headers["allow"] = ", ".join(sorted(methods))
        return resp

    app.include_router(router)

    def _static_response(rel: str) -> Response:
        hit = static.files.get(rel)
        if hit is None:
            return _error(f"no such file {rel[:80]!r}", "path", 404)
        path, media = hit
        cache = "public, max-age=86400" if rel.startswith("cesium/") else "no-cache"
        return FileResponse(path, media_type=media, headers={"cache-control": cache})

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        if not static.built:
            return Response(f"<!doctype html><title>bmdsim explorer</title><p>{STATIC_MISSING}</p>",
                            media_type="text/html", status_code=503)
        return _static_response("index.html")

    @app.get("/static/{rel:path}", include_in_schema=False)
    def static_file(rel: str) -> Response:
        return _static_response(rel)

    json_posts = {r.path for r in router.routes if "POST" in (getattr(r, "methods", None) or ())}
    app.add_middleware(RequestGuard, allowed_hosts=settings.hosts(), max_body_bytes=settings.max_body_bytes,
                       json_posts=json_posts)
    return app
