"""The catalog a request sees: one seam where a per-request catalog will plug in.

Today every request sees the built-in catalogs (the library's global loaders). Issue 13 replaces those
loaders by a catalog context passed through the API (built-ins plus a user's entries); then
:func:`catalog_for` builds that context from the request (an uploaded scenario's inline blocks, a
session) and every route, which already takes its catalog from this dependency, passes it on. Nothing
else in :mod:`bmdsim.web` imports the catalog loaders.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request


@dataclass(frozen=True)
class Catalog:
    """The catalogs of one request: missiles, interceptors, sensors, places, scenarios, threat sets."""

    label: str = "built-in"

    # --- look-ups (raise BmdsimError with the known names) -------------------------------------------
    def missile(self, name: str):
        from bmdsim.model.missiles import get_missile

        return get_missile(name)

    def interceptor(self, name: str):
        from bmdsim.model.interceptors import get_interceptor

        return get_interceptor(name)

    # --- whole tables (name -> pydantic model) ------------------------------------------------------
    def missiles(self) -> dict:
        from bmdsim.model.missiles import load_missiles

        return load_missiles()

    def interceptors(self) -> dict:
        from bmdsim.model.interceptors import load_interceptors

        return load_interceptors()

    def sensors(self) -> dict:
        from bmdsim.model.sensors import load_sensors

        return load_sensors()

    def places(self) -> dict:
        from bmdsim.model.places import load_places

        return load_places()

    def scenario_names(self) -> list[str]:
        from bmdsim.model.scenario import builtin_names

        return builtin_names("scenarios")

    def threat_set_names(self) -> list[str]:
        from bmdsim.model.scenario import builtin_names

        return builtin_names("threatsets")


BUILTIN = Catalog()


def catalog_for(request: Request) -> Catalog:
    """FastAPI dependency: the catalog of this request (the built-ins today; see the module docstring)."""
    return BUILTIN
