"""The safe envelope: for an interceptor site at each point of a grid over Europe and its seas, the
highest burnout velocity (vbo) at which that site engages *no* Russian ICBM or SLBM trajectory toward
the United States.

Stated assumptions (change them with the arguments):

* sensors: the site may launch ``decision_time_s`` after the threat's burnout — as if space-based IR
  and a forward fire-control radar network gave it a track at burnout (the most favourable case for
  the defense, hence the most conservative envelope for the deterrent);
* interceptor: the other parameters of ``template`` (burn time, minimum elevation, altitude band,
  maximum fly-out time) with vbo swept from ``vbo_min_kms`` to ``vbo_max_kms`` in ``vbo_step_kms``;
* the deterrent: the built-in threat sets russia-icbm-to-us and russia-slbm-to-us, minimum-energy.

Each cell is bisected on the vbo ladder (0.25 km/s rungs), which assumes that a site engaging some deterrent
trajectory at one burnout speed engages some at every higher one. A single threat point is not engaged
monotonically in vbo (see :mod:`bmdsim.core.flyout`; the deterrent's least-vbo search does not assume it),
but over the 164 deterrent trajectories the assumption holds where it was checked: tests/test_analyses.py
scans every rung below the bisected answer at sampled cells and finds nothing engaged. A cell
whose value equals the ladder top engages nothing even at the top ("safe at any tested vbo"); a value
below the bottom is NaN ("engages something even at the lowest vbo").
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass

import numpy as np

from bmdsim.core.earth import geodetic_to_ecef
from bmdsim.core.engagement import engages_any, table_bounds
from bmdsim.core.flyout import build_flyout_table
from bmdsim.core.visibility import _threat_frames
from bmdsim.errors import BmdsimError
from bmdsim.model.catalogs import Catalog, resolve_catalog

CHUNKS_PER_WORKER = 2  # Dask tasks per worker: fewer round trips, still some balancing
ENVELOPE_BBOX = (-25.0, 60.0, 30.0, 80.0)  # Europe, its seas, the Norwegian and Barents Seas


@dataclass
class EnvelopeThreats:
    """Threat samples shared by every cell (arrays as in the engagement engine)."""

    t_s: np.ndarray
    r_eci: np.ndarray
    v_eci: np.ndarray
    alt_m: np.ndarray
    t_launch_earliest_s: np.ndarray
    r_ecef: np.ndarray | None = None  # (n, k, 3) and the rows' cones: computed once, used by every cell
    caps: tuple | None = None

    def __post_init__(self):
        if self.r_ecef is None:
            self.r_ecef, _, self.caps = _threat_frames(self.t_s, self.r_eci)


@dataclass
class SafeEnvelope:
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    safe_vbo_kms: np.ndarray  # (ny, nx): highest ladder vbo engaging nothing; NaN if even the lowest engages
    ladder_kms: np.ndarray
    template: str
    decision_time_s: float
    n_threats: int
    covers: tuple | None = None  # (lon_min, lon_max, lat_min, lat_max) the cells span (see analysis.grids)
    template_vbo_kms: float | None = None  # the template interceptor's catalog vbo

    def summary(self) -> dict:
        v = self.safe_vbo_kms
        top = self.ladder_kms[-1]
        cov = None if self.covers is None else {"lat": list(self.covers[2:]), "lon": list(self.covers[:2])}
        return {"template_interceptor": self.template, "decision_time_s": self.decision_time_s, "grid_covers": cov,
                "threats": self.n_threats, "vbo_ladder_kms": [float(self.ladder_kms[0]), float(top),
                                                               float(self.ladder_kms[1] - self.ladder_kms[0])],
                "cells": int(v.size), "cells_safe_at_top": int(np.sum(v >= top)),
                "cells_unsafe_at_bottom": int(np.sum(~np.isfinite(v))),
                "min_safe_vbo_kms": None if not np.isfinite(v).any() else float(np.nanmin(v)),
                "median_safe_vbo_kms": None if not np.isfinite(v).any() else float(np.nanmedian(v))}

    def to_xarray(self):
        """CF-1.8 dataset (see :mod:`bmdsim.io.netcdf_cf`)."""
        from bmdsim.io.netcdf_cf import cf_grid_dataset

        return cf_grid_dataset(self.lat_deg, self.lon_deg, {"safe_vbo_kms": (
            ("lat", "lon"), self.safe_vbo_kms,
            {"long_name": "highest interceptor burnout speed (vbo) at which a site here engages no Russian ICBM/SLBM "
                          "trajectory toward the US (NaN: engages something even at the lowest tested vbo)",
             "units": "km s-1"})},
            attrs={"title": "bmdsim safe envelope", "template": self.template,
                   "decision_time_s": self.decision_time_s, "source": "bmdsim criteria --derive"})

    def rows(self):
        for i, la in enumerate(self.lat_deg):
            for j, lo in enumerate(self.lon_deg):
                v = self.safe_vbo_kms[i, j]
                yield {"lat": round(float(la), 4), "lon": round(float(lo), 4),
                       "safe_vbo_kms": None if not np.isfinite(v) else float(v)}


def envelope_threats(step_s: float = 10.0, decision_time_s: float = 30.0, catalog: Catalog | None = None
                     ) -> EnvelopeThreats:
    """The deterrent threats' samples, launch allowed ``decision_time_s`` after burnout (names in
    ``catalog``; None: the built-ins)."""
    from bmdsim.analysis.deterrent import deterrent_threats
    from bmdsim.analysis.engage import threat_geometry

    _, ts = deterrent_threats(step_s=step_s, catalog=catalog)
    ok = ts.ok
    g = threat_geometry(ts)
    tle = ts.events_t_s[:, 0] + decision_time_s
    return EnvelopeThreats(g.t_s[ok], g.r_eci[ok], g.v_eci[ok], g.alt_m[ok], tle[ok])


def _any_engaged(th: EnvelopeThreats, site_ecef, kin) -> bool:
    return engages_any(th.t_s, th.r_eci, th.alt_m, th.r_ecef, site_ecef, th.t_launch_earliest_s,
                       build_flyout_table(kin), kin, caps=th.caps)


@functools.lru_cache(maxsize=256)
def _rung(template_kin, vbo_kms: float):
    """The interceptor kinematics of one ladder vbo (km/s), made once per process."""
    return dataclasses.replace(template_kin, vbo_m_s=vbo_kms * 1e3)


def safe_vbo_cell(args, hint: int | None = None) -> float:
    """Highest ladder vbo engaging nothing at one cell (NaN if even the lowest engages).

    Assumes engaging anything is monotone in vbo (see the module docstring), so the answer is the last "safe"
    ladder index. Without a hint:
    bisection (~log2(len) evaluations). With ``hint`` (a neighbouring cell's index): a galloping search
    outward from it, usually 2 evaluations.
    """
    th, lat, lon, template_kin, ladder = args
    site = geodetic_to_ecef(np.radians(lat), np.radians(lon), 0.0)
    cache: dict[int, bool] = {}

    def engages(i):
        if i not in cache:
            cache[i] = _any_engaged(th, site, _rung(template_kin, float(ladder[i])))
        return cache[i]

    top = len(ladder) - 1
    if hint is not None and 0 <= hint <= top:
        # find a bracket lo (safe) < hi (engages) around the hint by galloping
        if engages(hint):
            hi, step = hint, 1
            lo = hint - step
            while lo >= 0 and engages(lo):
                hi, step = lo, step * 2
                lo = hint - step
            if lo < 0:
                if engages(0):
                    return float("nan")
                lo = 0
        else:
            lo, step = hint, 1
            hi = hint + step
            while hi <= top and not engages(hi):
                lo, step = hi, step * 2
                hi = hint + step
            if hi > top:
                if not engages(top):
                    return float(ladder[top])
                hi = top
    else:
        lo, hi = 0, top
        if not engages(hi):
            return float(ladder[hi])
        if engages(lo):
            return float("nan")
    while hi - lo > 1:  # invariant: ladder[lo] safe, ladder[hi] engages
        mid = (lo + hi) // 2
        if engages(mid):
            hi = mid
        else:
            lo = mid
    return float(ladder[lo])


def prebuild_tables(template: str = "SM-3-IIA", vbo_min_kms: float = 1.0, vbo_max_kms: float = 11.0,
                    vbo_step_kms: float = 0.25, catalog: Catalog | None = None) -> int:
    """Build (and cache in this process) the fly-out tables of the whole vbo ladder and their
    site-independent scan bounds; returns their number."""
    kin = resolve_catalog(catalog).interceptor(template).kinematics()
    ladder = np.round(np.arange(vbo_min_kms, vbo_max_kms + 1e-9, vbo_step_kms), 6)
    for v in ladder:
        table_bounds(build_flyout_table(dataclasses.replace(kin, vbo_m_s=float(v) * 1e3)))
    return len(ladder)


def _chunk(th, args) -> np.ndarray:
    """Safe vbo (km/s) of the cells of some grid rows, (n_rows, n_lon). Within a row each search starts
    from the previous cell's value; every row starts afresh, so a row's numbers do not depend on
    which rows share its chunk (any chunking, any scheduler: the same map). Returns an array (cheap
    to send back from a Dask worker, unlike a list of floats)."""
    lats, lons, kin, ladder = args
    out = np.empty((len(lats), len(lons)))
    for r, la in enumerate(lats):
        hint = None
        for c, lo in enumerate(lons):
            v = safe_vbo_cell((th, float(la), float(lo), kin, ladder), hint)
            out[r, c] = v
            hint = None if not np.isfinite(v) else int(np.argmin(np.abs(ladder - v)))
    return out


def _row_chunks(n_rows: int, n_workers: int | None) -> list[list[int]]:
    """Row indices per task. Rows are taken in an interleaved order (0, 8, 16, ..., 1, 9, ...), so that
    every task mixes northern and southern rows (cells that engage something cost more evaluations).
    In this process: 8 equal tasks. On ``n_workers`` workers: guided sizes — first one task of about
    1/(2 n) of the rows per worker, then halving — so that the last tasks, which decide when the
    sweep ends, are small."""
    order = [i for s in range(8) for i in range(s, n_rows, 8)]
    if n_workers is None:
        return [sorted(order[k::8]) for k in range(min(8, n_rows))]
    chunks, left = [], n_rows
    while left > 0:
        size = max(1, left // (2 * n_workers))
        for _ in range(n_workers):
            if left <= 0:
                break
            take = min(size, left)
            start = n_rows - left
            chunks.append(sorted(order[start:start + take]))
            left -= take
    return chunks


def _n_workers(client, jobs: int) -> int:
    try:
        return max(len(client.scheduler_info()["workers"]), 1)
    except Exception:  # noqa: BLE001 - any client-side failure: fall back to the request
        return max(jobs, 1)


def envelope_sizes(grid, vbo_min_kms: float = 1.0, vbo_max_kms: float = 11.0, vbo_step_kms: float = 0.25,
                   catalog: Catalog | None = None) -> list[tuple[str, float, str]]:
    """The size of a safe-envelope sweep on ``grid`` (:class:`bmdsim.analysis.grids.Grid`) in the units of
    :mod:`bmdsim.model.limits`: cells, and cells x deterrent threats x ladder rungs (an upper bound: the
    bisection visits about log2 of the rungs)."""
    from bmdsim.analysis.deterrent import DETERRENT_THREAT_SETS
    from bmdsim.model.scenario import expand_threats, load_threat_set

    n_threats = sum(expand_threats(load_threat_set(name), catalog=catalog).n for name in DETERRENT_THREAT_SETS)
    rungs = int(round((vbo_max_kms - vbo_min_kms) / vbo_step_kms)) + 1
    coarser = "use a coarser --grid or a smaller --lat/--lon box"
    return [("grid_cells", grid.cells, coarser), ("cell_threat_rungs", grid.cells * n_threats * rungs, coarser)]


def safe_envelope(*, grid_deg: float = 1.0, bbox=ENVELOPE_BBOX, template: str = "SM-3-IIA",
                  decision_time_s: float = 30.0, vbo_min_kms: float = 1.0, vbo_max_kms: float = 11.0,
                  vbo_step_kms: float = 0.25, step_s: float = 10.0, scheduler: str | None = None, jobs: int = 2,
                  progress=None, threats: EnvelopeThreats | None = None, client=None,
                  catalog: Catalog | None = None) -> SafeEnvelope:
    """The safe envelope on a grid (see the module docstring); ``bbox`` = (lon_min, lon_max, lat_min,
    lat_max) in degrees. ``scheduler`` / ``jobs`` / ``client``: run the rows on Dask (see
    :func:`bmdsim.analysis.sweep.map_chunks`); the map is identical to a single-process run.
    ``catalog``: where the template interceptor and the deterrent missiles are looked up (None: the
    built-ins)."""
    from bmdsim.analysis.grids import make_grid
    from bmdsim.analysis.sweep import cluster_client, map_chunks

    if not 0.1 <= grid_deg <= 10:
        raise BmdsimError(f"grid {grid_deg} deg out of range; valid 0.1..10 degrees")
    if not 0 < vbo_min_kms < vbo_max_kms <= 15 or not 0 < vbo_step_kms <= 2:
        raise BmdsimError("vbo ladder must satisfy 0 < vbo_min < vbo_max <= 15 km/s and 0 < step <= 2 km/s")
    g = make_grid(bbox, grid_deg)  # cells cover the whole box
    lats, lons = g.lat_deg, g.lon_deg
    ladder = np.round(np.arange(vbo_min_kms, vbo_max_kms + 1e-9, vbo_step_kms), 6)
    icp = resolve_catalog(catalog).interceptor(template)
    kin = icp.kinematics()
    th = threats or envelope_threats(step_s, decision_time_s, catalog)
    with cluster_client(scheduler, jobs, client) as c:
        # chunks of whole rows, strided so that every chunk mixes northern and southern rows (balanced
        # work: cells that engage something need more evaluations); a few chunks per worker
        row_sets = _row_chunks(lats.size, None if c is None else _n_workers(c, jobs))
        chunks = [(lats[rows], lons, kin, ladder) for rows in row_sets]
        parts = map_chunks(_chunk, chunks, progress=progress, client=c, shared=th)
    vals = np.empty((lats.size, lons.size))
    for rows, part in zip(row_sets, parts, strict=True):
        vals[rows] = part
    return SafeEnvelope(lats, lons, vals, ladder, icp.name, decision_time_s, int(th.t_s.shape[0]), g.covers,
                        icp.vbo_kms.value)


def write_envelope(env: SafeEnvelope, out_dir, *, figure_format: str = "png", dpi: int | None = None,
                   projection: str = "auto", provenance: dict | None = None) -> list:
    import csv
    import io

    from bmdsim.io import figures, files, palette
    from bmdsim.io.geo_formats import grid_to_polygons, to_geojson
    from bmdsim.io.netcdf_cf import to_netcdf_bytes

    out = files.check_dir_writable(out_dir)
    summary = {**env.summary(), **({"provenance": provenance} if provenance else {})}
    paths = [files.write_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")]
    files.write_atomic(out / "envelope.nc", to_netcdf_bytes(env.to_xarray()))
    paths.append(out / "envelope.nc")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["lat", "lon", "safe_vbo_kms"], lineterminator="\n")
    w.writeheader()
    w.writerows(env.rows())
    paths.append(files.write_atomic(out / "envelope.csv", buf.getvalue()))
    # GeoJSON: the region where even the catalog template's vbo is safe
    grid = float(env.lat_deg[1] - env.lat_deg[0]) if env.lat_deg.size > 1 else 1.0
    vt = env.template_vbo_kms if env.template_vbo_kms is not None else (
        resolve_catalog(None).interceptor(env.template).vbo_kms.value)
    polys = grid_to_polygons(env.lat_deg, env.lon_deg, np.nan_to_num(env.safe_vbo_kms, nan=-1) >= vt, grid)
    paths.append(files.write_atomic(out / "envelope.geojson", to_geojson(
        polys, {"name": f"cells where {env.template} at {vt} km/s engages no deterrent trajectory", **env.summary(),
                "fill": palette.CLASS_COLORS[palette.DEFENDED], "fill-opacity": 0.5})))
    fig = out / f"envelope.{figure_format}"
    figures.plot_map(
        fig, grid=figures.FieldGrid(env.lat_deg, env.lon_deg, env.safe_vbo_kms, "highest harmless vbo (km/s)",
                                    float(env.ladder_kms[0]), float(env.ladder_kms[-1]),
                                    nan_label=f"engages something even at {env.ladder_kms[0]:g} km/s"),
        title=f"Safe envelope: highest vbo (km/s) engaging no Russian ICBM/SLBM trajectory ({env.template} "
              f"template, launch at burnout + {env.decision_time_s:g} s)",
        projection=projection, dpi=dpi or figures.DEFAULT_DPI,
        notes=[f"top of the scale ({env.ladder_kms[-1]:g} km/s): safe at every tested vbo"])
    paths.append(fig)
    return paths
