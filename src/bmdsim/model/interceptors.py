"""Interceptor catalog for the baseline kinematic model (DESIGN.md "Baseline physics" item 5).

The data live in ``catalog/interceptors.yaml``; this module validates them and turns an entry
into plain SI numbers (:class:`InterceptorKinematics`) for the fly-out code.

``vbo_kms`` is the burnout speed (the literature's number): the speed relative to the launcher at
the end of the ``tb_s`` burn on a non-rotating Earth, reached at every launch elevation (the thrust
is set per elevation). On the rotating Earth the interceptor's inertial velocity is that plus its
site's ``omega x r``.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, model_validator

from bmdsim.core.flyout import InterceptorKinematics
from bmdsim.errors import BmdsimError
from bmdsim.model.names import parse_catalog
from bmdsim.model.params import Param

# The highest burnout speed any entry takes (catalog, --vbo-kms, architecture files, the API): above the
# escape speed from the surface (11.2 km/s) with a margin; the fly-out tables stay valid up to it.
VBO_MAX_KMS = 15.0
# The lowest: the least-vbo searches step by 0.05 km/s; far below it the per-elevation thrust that gives the
# burnout speed stops converging (the interceptor barely leaves the pad).
VBO_MIN_KMS = 0.05


class Interceptor(BaseModel):
    """A catalog interceptor. Speeds in km/s, altitudes in km, angles in degrees here."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    aliases: list[str] = []
    full_name: str
    owner: str
    status: str = "fielded"
    status_source: str | None = None
    vbo_kms: Param
    tb_s: Param
    min_elev_deg: Param
    h_min_km: Param
    h_max_km: Param
    t_max_s: Param
    max_range_km: Param | None = None
    kill_assessment_s: Param
    notes: str = ""
    override: bool | None = None  # a user entry replacing a built-in of the same name (bmdsim.model.catalogs)

    @model_validator(mode="after")
    def _check(self):
        for f in ("vbo_kms", "tb_s", "h_max_km", "t_max_s"):
            v = getattr(self, f).value
            if not v > 0:
                raise ValueError(f"{self.name}: {f} must be > 0, got {v}")
        for f in ("h_min_km", "kill_assessment_s"):
            v = getattr(self, f).value
            if not v >= 0:
                raise ValueError(f"{self.name}: {f} must be >= 0, got {v}")
        if self.max_range_km is not None and not self.max_range_km.value > 0:
            raise ValueError(f"{self.name}: max_range_km must be > 0, got {self.max_range_km.value}")
        if not 0 <= self.min_elev_deg.value < 90:
            raise ValueError(f"{self.name}: min_elev_deg must be in [0, 90), got {self.min_elev_deg.value}")
        if not self.h_min_km.value < self.h_max_km.value:
            raise ValueError(
                f"{self.name}: h_min_km ({self.h_min_km.value}) must be < h_max_km ({self.h_max_km.value})"
            )
        return self

    def kinematics(self, vbo_kms: float | None = None) -> InterceptorKinematics:
        """Plain SI numbers; ``vbo_kms`` overrides the catalog burnout speed (km/s, > 0).

        Raises BmdsimError (one line) if ``vbo_kms`` is not a finite number > 0."""
        v = self.vbo_kms.value if vbo_kms is None else vbo_kms
        try:
            ok = float(v) > 0 and math.isfinite(float(v))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise BmdsimError(f"vbo_kms must be a finite number > 0 km/s, got {v!r} for {self.name}")
        return InterceptorKinematics(
            vbo_m_s=float(v) * 1e3,
            tb_s=self.tb_s.value,
            min_elev_rad=math.radians(self.min_elev_deg.value),
            h_min_m=self.h_min_km.value * 1e3,
            h_max_m=self.h_max_km.value * 1e3,
            t_max_s=self.t_max_s.value,
        )


def parse_interceptors(text: str) -> dict[str, Interceptor]:
    """Validate YAML text holding ``interceptors: [...]``; return them by name (names, aliases unique)."""
    return parse_catalog(text, Interceptor, "interceptors", "interceptor")


def load_interceptors() -> dict[str, Interceptor]:
    """Deprecated: the built-in interceptors by name; use a catalog context
    (``bmdsim.model.catalogs.Catalog.builtin().interceptors``, or the ``catalog=`` of the API)."""
    from bmdsim.model.catalogs import deprecated_builtin

    return dict(deprecated_builtin("load_interceptors", "Catalog.interceptors").interceptors)


def get_interceptor(name: str) -> Interceptor:
    """Deprecated: a built-in interceptor by name or alias; use ``Catalog.interceptor``."""
    from bmdsim.model.catalogs import deprecated_builtin

    return deprecated_builtin("get_interceptor", "Catalog.interceptor").interceptor(name)
