"""Interceptor fly-out paths of an engagement table, for figures and exports.

The engagement engine keeps times, not paths: for every site that engages a threat, the path to its
first and last intercept point is re-flown from the site at the engagement's launch time with the
fly-out model (:func:`bmdsim.core.flyout_path.flyout_paths`); each path reports how far it ends from
the intercept point (``miss_km``) and when it arrives (``arrival_s``, to compare with the engine's
``flyout_s``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bmdsim.core.flyout_path import FlyoutPath, flyout_paths, point_ecef


@dataclass(frozen=True)
class SiteFlyout:
    """A re-flown path: the site, which intercept (``first`` or ``last``) and the path."""

    site: str
    which: str
    path: FlyoutPath


def engagement_flyouts(table, i: int = 0) -> list[SiteFlyout]:
    """Re-flown paths to the first and last intercept point of every site that engages threat ``i`` of
    ``table`` (:class:`bmdsim.analysis.engage.EngagementTable`), in site order; a point no path reaches
    is left out."""
    reqs, keys = [], []
    for j, site in enumerate(table.architecture.sites):
        for which, d in (("first", table.first), ("last", table.last)):
            if not np.isfinite(d["t_s"][i, j]) or not np.isfinite(d["flyout_s"][i, j]):
                continue
            alt_m = float(d["alt_km"][i, j]) * 1e3
            reqs.append((site.kin, site.site_ecef, float(d["launch_s"][i, j]), float(d["flyout_s"][i, j]),
                         point_ecef(float(d["lat"][i, j]), float(d["lon"][i, j]), alt_m), alt_m))
            keys.append((site.name, which))
    return [SiteFlyout(name, which, path) for (name, which), path in zip(keys, flyout_paths(reqs), strict=True)
            if path is not None]
