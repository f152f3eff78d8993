"""The catalog a request sees: the server's catalog context, and the seam that extends it per request.

The server holds one base context (:class:`bmdsim.model.catalogs.Catalog`): the built-ins, plus the
files of ``bmdsim serve --catalog FILE``, validated when the server starts. :func:`catalog_for` (a
FastAPI dependency) gives it to every route. A request that uploads a scenario gets a context of its own,
the base extended by the upload's inline blocks (``missiles:``, ``interceptors:``, ``sensors:``,
``placements:``, ``places:``): :func:`upload_catalog`. Uploads may not name files, so an upload's
``catalogs:`` is refused before anything is read (:func:`bmdsim.web.service.uploaded_scenario`). The
context of a request travels with its work: into the library calls of :mod:`bmdsim.web.service` and,
pickled with a job's parameters, into the worker process (:mod:`bmdsim.web.heavy`).
"""

from __future__ import annotations

from fastapi import Request

from bmdsim.model.catalogs import Catalog, resolve_catalog

__all__ = ["Catalog", "catalog_for", "scenario_names", "server_catalog", "threat_set_names", "upload_catalog"]


def server_catalog(files=()) -> Catalog:
    """The server's base context: the built-ins extended by ``files`` (``bmdsim serve --catalog``)."""
    from bmdsim.model.catalogs import with_files

    return with_files(files)


def catalog_for(request: Request) -> Catalog:
    """FastAPI dependency: the server's base catalog context (the built-ins when none was set)."""
    return getattr(request.app.state, "catalog", None) or resolve_catalog(None)


def upload_catalog(scn, base: Catalog) -> Catalog:
    """The context of a request that uploaded scenario ``scn``: ``base`` extended by the upload's inline
    catalog blocks (``base`` itself when it has none). Raises ValidationErrors (one line each)."""
    from bmdsim.model.scenario import scenario_catalog

    if scn.catalogs:  # refused earlier (bmdsim.web.service.uploaded_scenario); never read a file an upload names
        from bmdsim.errors import BmdsimError

        raise BmdsimError("an uploaded scenario may not name catalog files (`catalogs:`); give its entries inline")
    return scenario_catalog(scn, base, where="uploaded scenario")


def scenario_names() -> list[str]:
    """The built-in scenarios (the only ones a request may name)."""
    from bmdsim.model.scenario import builtin_names

    return builtin_names("scenarios")


def threat_set_names() -> list[str]:
    from bmdsim.model.scenario import builtin_names

    return builtin_names("threatsets")
