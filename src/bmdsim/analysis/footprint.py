"""Defended-area footprint: which aimpoints on a lat/lon grid are defended against every missile of a
threat set launched from one point.

A cell is *threatened* when at least one missile type reaches it (geodesic distance within the
missile's reach toward it on the rotating Earth, :func:`bmdsim.model.trajectories.reach_km`, and
more than 50 km); it is *defended* when every threatening missile type's trajectory (its standard
shape: minimum-energy but for the depressed Iskander) to the cell centre is engageable with at
least ``k`` shots from one site (shots count shoot-look-shoot opportunities of a single site: k = 2
means shoot-look-shoot). Cells no missile reaches are NaN. Listed cities (GeoNames, population >=
``min_city_population``, de-duplicated and without the attacker's own country: :mod:`bmdsim.model.cities`)
and named places asked for are evaluated at their own coordinates, not at the nearest cell.

The default grid box (:func:`default_box`) is the threatened region: every point within reach of one of
the missiles (reach per direction on the rotating Earth), clipped to :data:`REGION_BOX` when the launch
area lies in it, always with the launch area and a margin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from bmdsim.analysis.engage import run_engagements
from bmdsim.core import geodesy
from bmdsim.errors import BmdsimError
from bmdsim.model.architecture import ResolvedArchitecture
from bmdsim.model.catalogs import Catalog, resolve_catalog
from bmdsim.model.trajectories import reach_km, solve_trajectories

EUROPE_BBOX = (-12.0, 45.0, 34.0, 72.0)  # lon_min, lon_max, lat_min, lat_max
# the area the built-in architectures defend and the Iranian launch areas threaten: Europe, Turkey, the Caucasus,
# the Middle East and Iran (lon_min, lon_max, lat_min, lat_max)
REGION_BOX = (-15.0, 70.0, 25.0, 75.0)
BOX_MARGIN_DEG = 2.0


def default_box(missiles, launch_lat: float, launch_lon: float, catalog: Catalog | None = None
                ) -> tuple[tuple[float, float, float, float], str]:
    """The default grid box (lon_min, lon_max, lat_min, lat_max) and the rule that made it, in words.

    The threatened region: the points at each missile's reach from the launch point, every 5 deg of azimuth
    (:func:`bmdsim.model.trajectories.reach_km`, toward each direction, rotating Earth), boxed; if the launch
    point lies in :data:`REGION_BOX` the box is clipped to it; then widened to hold the launch point with a
    margin of :data:`BOX_MARGIN_DEG` and rounded outward to whole degrees. A region reaching a pole or across
    the antimeridian takes the full longitude range. ``catalog``: where the missiles are looked up (None: the
    built-ins).
    """
    import math

    az = np.arange(0.0, 360.0, 5.0)
    lats, lons = [], []
    for m in missiles:
        nominal = resolve_catalog(catalog).missile(m).nominal_range_km.value
        la, lo = geodesy.direct(np.full(az.size, launch_lat), np.full(az.size, launch_lon), az,
                                np.full(az.size, nominal * 1e3))
        r = reach_km(m, launch_lat, launch_lon, la, lo, catalog=catalog)
        r = np.where(np.isfinite(r), r, nominal)
        la, lo = geodesy.direct(np.full(az.size, launch_lat), np.full(az.size, launch_lon), az, r * 1e3)
        lats += list(la)
        lons += list(launch_lon + ((np.asarray(lo) - launch_lon + 180.0) % 360.0) - 180.0)
    lo0, lo1, la0, la1 = min(lons), max(lons), min(lats), max(lats)
    # a reach beyond a pole: the region (a disk) holds the pole, though its edge (the ring of points above)
    # comes back down on the other side
    for m in missiles:
        for pole, az0 in ((90.0, 0.0), (-90.0, 180.0)):
            d_pole = float(geodesy.inverse(launch_lat, launch_lon, pole, launch_lon)[0])
            la_p, lo_p = geodesy.direct(launch_lat, launch_lon, az0, d_pole * 0.999)
            r = reach_km(m, launch_lat, launch_lon, np.atleast_1d(la_p), np.atleast_1d(lo_p), catalog=catalog)[0]
            if np.isfinite(r) and r * 1e3 >= d_pole:
                la0, la1 = (la0, 90.0) if pole > 0 else (-90.0, la1)
    if lo0 < -180.0 or lo1 > 180.0 or la1 > 89.0 or la0 < -89.0:
        lo0, lo1 = -180.0, 180.0
    rule = ("the threatened region (each missile's reach from the launch point, every 5 deg of azimuth, rotating "
            "Earth)")
    r = REGION_BOX
    if r[0] <= launch_lon <= r[1] and r[2] <= launch_lat <= r[3]:
        lo0, lo1, la0, la1 = max(lo0, r[0]), min(lo1, r[1]), max(la0, r[2]), min(la1, r[3])
        rule += (f" clipped to lat {r[2]:g}..{r[3]:g}, lon {r[0]:g}..{r[1]:g} (Europe, Turkey, the Caucasus, the "
                 "Middle East and Iran)")
    m = BOX_MARGIN_DEG
    lo0, lo1 = min(lo0, launch_lon - m), max(lo1, launch_lon + m)
    la0, la1 = min(la0, launch_lat - m), max(la1, launch_lat + m)
    box = (max(math.floor(lo0), -180.0), min(math.ceil(lo1), 180.0), max(math.floor(la0), -90.0),
           min(math.ceil(la1), 90.0))
    rule += f", holding the launch point with {m:g} deg to spare, rounded out to whole degrees"
    return box, rule


@dataclass
class Footprint:
    """Gridded defended-area result; arrays (ny, nx) over ``lat_deg`` (ny,) x ``lon_deg`` (nx,)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    defended: np.ndarray  # 1 defended, 0 threatened but not defended, NaN not threatened
    min_shots: np.ndarray  # over threatening missiles, the fewest shots of the best site
    n_threatening: np.ndarray
    missiles: list[str]
    shots_by_missile: np.ndarray  # (n_missiles, ny, nx), NaN where out of range
    launch: tuple[float, float, str]
    k: int
    grid_deg: float
    architecture: str
    cities: list[dict] = field(default_factory=list)  # every candidate city; population counts ``counted`` ones
    covers: tuple | None = None  # (lon_min, lon_max, lat_min, lat_max) the cells span (see analysis.grids)

    places: list[dict] = field(default_factory=list)  # named places asked for, with status and shots
    variant: str = ""  # the scenario variant this footprint is of ('' for a scenario without variants)
    city_rule: str = ""  # how the city list was de-duplicated (printed in every output)
    catalog: Catalog | None = None  # the context it was computed with (None: the built-ins)

    @property
    def label(self) -> str:
        """The architecture and, if any, the variant: what titles and layer names say."""
        return f"{self.architecture} (variant {self.variant})" if self.variant else self.architecture

    def summary(self) -> dict:
        thr = np.isfinite(self.defended)
        counted = [c for c in self.cities if c.get("counted", True)]
        pop = sum(c["population"] for c in counted if c["threatened"])
        pop_def = sum(c["population"] for c in counted if c["threatened"] and c["defended"])
        return {
            "architecture": self.architecture, "variant": self.variant or None,
            "launch": {"lat": self.launch[0], "lon": self.launch[1], "label": self.launch[2]},
            "missiles": self.missiles, "k_shots": self.k, "grid_deg": self.grid_deg,
            "grid_covers": None if self.covers is None else {"lat": list(self.covers[2:]),
                                                             "lon": list(self.covers[:2])},
            "cells_threatened": int(thr.sum()), "cells_defended": int(np.nansum(self.defended)),
            "share_cells_defended": round(float(np.nansum(self.defended) / thr.sum()), 4) if thr.any() else None,
            "cities_threatened": sum(c["threatened"] for c in counted),
            "cities_defended": sum(c["threatened"] and c["defended"] for c in counted),
            "cities_not_counted": len(self.cities) - len(counted),
            "population_threatened": int(pop), "population_defended": int(pop_def),
            "share_population_defended": round(pop_def / pop, 4) if pop else None,
            "city_rule": self.city_rule or None,
            "places": [{k: p[k] for k in ("id", "name", "status", "min_shots", "shots")} for p in self.places],
        }

    def classes(self) -> np.ndarray:
        """(ny, nx) int8: 0 out of range (not threatened), 1 threatened not defended, 2 defended."""
        return np.where(np.isfinite(self.defended), 1 + (self.defended == 1), 0).astype(np.int8)

    def to_xarray(self):
        """CF-1.8 dataset (see :mod:`bmdsim.io.netcdf_cf`)."""
        from bmdsim.io.netcdf_cf import cf_grid_dataset

        return cf_grid_dataset(
            self.lat_deg, self.lon_deg,
            {"defended": (("lat", "lon"), self.defended,
                          {"long_name": f"defended with at least {self.k} shot(s): 1 yes, 0 threatened but not "
                                        "defended, NaN out of range of every missile", "units": "1"}),
             "min_shots": (("lat", "lon"), self.min_shots,
                           {"long_name": "fewest best-site shots over the threatening missiles", "units": "1"}),
             "n_threatening": (("lat", "lon"), self.n_threatening.astype(np.int16),
                               {"long_name": "number of missile types that reach the cell", "units": "1"}),
             "shots": (("missile", "lat", "lon"), self.shots_by_missile,
                       {"long_name": "best-site shots per missile type (NaN: out of range)", "units": "1"})},
            flags={"area_class": (self.classes(), [0, 1, 2], ["out_of_range", "threatened_not_defended", "defended"],
                                  "defended-area class of the cell")},
            extra_coords={"missile": np.array(self.missiles, dtype="S")},
            attrs={"title": f"bmdsim defended-area footprint: {self.label} vs launch {self.launch[2]}",
                   "architecture": self.architecture, **({"variant": self.variant} if self.variant else {}),
                   "launch_lat": self.launch[0], "launch_lon": self.launch[1], "launch": self.launch[2],
                   "k_shots": self.k, "grid_deg": self.grid_deg,
                   "source": "bmdsim footprint"},
        )

    def to_netcdf(self, path) -> None:
        from bmdsim.io import files
        from bmdsim.io.netcdf_cf import to_netcdf_bytes

        files.write_atomic(path, to_netcdf_bytes(self.to_xarray()))  # NetCDF-3, no external library

    def cities_csv(self) -> str:
        """Every candidate city: counted in the population share or not, and why not."""
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["city", "country", "lat", "lon", "population", "threatened", "defended", "counted",
                    "not_counted_because", "source"])
        for c in self.cities:
            w.writerow([c["city"], c["country"], c["lat"], c["lon"], c["population"], c["threatened"], c["defended"],
                        c.get("counted", True), c.get("note", ""), c["source"]])
        return buf.getvalue()

    def places_csv(self) -> str:
        """The named places asked for: status, fewest best-site shots, shots per missile (empty: out of range)."""
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["id", "name", "category", "lat", "lon", "status", "min_shots"]
                   + [f"shots_{m}" for m in self.missiles])
        for p in self.places:
            w.writerow([p["id"], p["name"], p["category"], p["lat"], p["lon"], p["status"],
                        "" if p["min_shots"] is None else p["min_shots"]]
                       + ["" if p["shots"][m] is None else p["shots"][m] for m in self.missiles])
        return buf.getvalue()

    def polygons(self, which: str = "defended"):
        """Polygons of the defended cells (``which="defended"``) or of the threatened, not defended ones."""
        from bmdsim.io.geo_formats import grid_to_polygons

        mask = self.defended == 1 if which == "defended" else self.defended == 0
        return grid_to_polygons(self.lat_deg, self.lon_deg, mask, self.grid_deg)

    def view(self, arch=None) -> tuple[float, float, float, float]:
        """Map box (lon_min, lon_max, lat_min, lat_max): the grid plus the launch point and the sites."""
        from bmdsim.io.figures import view_box

        half = 0.5 * self.grid_deg
        box = (float(self.lon_deg[0]) - half, float(self.lon_deg[-1]) + half, float(self.lat_deg[0]) - half,
               float(self.lat_deg[-1]) + half)
        lats = [self.launch[0]] + ([s.lat_deg for s in arch.sites] if arch is not None else [])
        lons = [self.launch[1]] + ([s.lon_deg for s in arch.sites] if arch is not None else [])
        return view_box(lats, lons, margin_deg=1.5, box=box)

    def _gis_layers(self, arch=None, places: bool = True):
        from bmdsim.io import layers, palette
        from bmdsim.io.geo_formats import Area, Line, Pin

        areas = [Area(palette.CLASS_LABELS[palette.DEFENDED], self.polygons("defended"),
                      palette.CLASS_COLORS[palette.DEFENDED], 0.55, {"class": palette.DEFENDED}),
                 Area(palette.CLASS_LABELS[palette.THREATENED], self.polygons("threatened"),
                      palette.CLASS_COLORS[palette.THREATENED], 0.55, {"class": palette.THREATENED})]
        pins = [Pin(f"launch {self.launch[2]}", self.launch[0], self.launch[1], "launch")]
        lines = []
        if arch is not None:
            pins += [Pin(n, la, lo, "site", pr) for n, la, lo, pr in layers.sites(arch)]
            for f in layers.radar_fields(arch):
                pins.append(Pin(f.name, f.lat_deg, f.lon_deg, "sensor", {"range_km_at_reference_rcs": f.range_km}))
                la, lo = f.outline()
                lines.append(Line(f"{f.name} field of regard", la, lo, palette.LAYER_COLORS["sensor"]))
        if places:
            asked = {p["id"] for p in self.places}
            pins += [Pin(p["name"], p["lat"], p["lon"], "place", {
                "id": p["id"], "category": p["category"], "status": p["status"], "min_shots": p["min_shots"],
                "marker-color": palette.CLASS_COLORS[_STATUS_CLASS[p["status"]]]}) for p in self.places]
            pins += [Pin(p.name, p.lat_deg, p.lon_deg, "place", {"id": p.id, "category": p.category})
                     for p in layers.places_in(self.view(arch), catalog=self.catalog) if p.id not in asked]
        return areas, pins, lines

    def to_geojson(self, arch=None, places: bool = True) -> str:
        from bmdsim.io.geo_formats import layers_to_geojson

        areas, pins, lines = self._gis_layers(arch, places)
        return layers_to_geojson(areas, pins, lines, {"name": f"defended area: {self.label}", **self.summary()})

    def to_kml(self, arch=None, places: bool = True) -> str:
        from bmdsim.io.geo_formats import layers_to_kml

        areas, pins, lines = self._gis_layers(arch, places)
        return layers_to_kml(f"defended area: {self.label} vs launch {self.launch[2]}", areas, pins, lines)

    def plot(self, path, sites=(), *, arch=None, dpi: int | None = None, projection: str = "auto",
             label_places: bool = False):
        """Map of the footprint (format from the suffix): classes, sites, radar fields of regard, launch
        point, each missile's nominal range ring and (labelled) capitals; legend outside the map."""
        from bmdsim.io import figures, layers, palette

        C, L = palette.CLASS_COLORS, palette.CLASS_LABELS
        classes = {2.0: (L[palette.DEFENDED], C[palette.DEFENDED]),
                   1.0: (L[palette.THREATENED], C[palette.THREATENED]),
                   0.0: (L[palette.OUT_OF_RANGE], C[palette.OUT_OF_RANGE])}
        grid = figures.ClassGrid(self.lat_deg, self.lon_deg, self.classes().astype(float), classes)
        site_list = arch.sites if arch is not None else sites
        markers = [figures.Marker(self.launch[0], self.launch[1], f"launch {self.launch[2]}", "launch")]
        markers += [figures.Marker(s.lat_deg, s.lon_deg, s.name, "site") for s in site_list]
        fans = []
        if arch is not None:
            fans = [figures.Fan(f.lat_deg, f.lon_deg, f.boresight_deg, f.half_width_deg, f.range_km, f.name)
                    for f in layers.radar_fields(arch)]
            markers += [figures.Marker(f.lat_deg, f.lon_deg, "", "sensor") for f in fans]
        view = self.view(arch)
        asked = {p["id"] for p in self.places}
        markers += [figures.Marker(p.lat_deg, p.lon_deg, p.name.split(" (")[0], "place")
                    for p in layers.places_in(view, catalog=self.catalog) if p.id not in asked]
        markers += [figures.Marker(p["lat"], p["lon"], p["name"].split(" (")[0],
                                   figures.PLACE_CLASS_KINDS[_STATUS_CLASS[p["status"]]]) for p in self.places]
        cat = resolve_catalog(self.catalog)
        rings = [figures.Ring(self.launch[0], self.launch[1], cat.missile(m).nominal_range_km.value,
                              f"{m} {cat.missile(m).nominal_range_km.value:,.0f} km") for m in self.missiles]
        return figures.plot_map(
            path, grid=grid, markers=markers, fans=fans, rings=rings, view=view, projection=projection,
            dpi=dpi or figures.DEFAULT_DPI, label_places=label_places,
            title=f"{self.label}: defended against {', '.join(self.missiles)} from {self.launch[2]} "
                  f"(k = {self.k} shot{'s' if self.k > 1 else ''})",
            notes=[f"grid {self.grid_deg:g} deg; cell = aimpoint"])


_STATUS_CLASS = {"defended": "defended", "threatened": "threatened_not_defended", "out of range": "out_of_range"}


def _evaluate(arch, names, launch, pts_lat, pts_lon, step_s, catalog=None):
    """Best-site shots (n_missiles, n_points) for each missile's trajectory to each point (NaN: not a threat).

    A point is threatened by a missile when it lies more than 50 km away and within the missile's
    reach toward it on the rotating Earth (:func:`bmdsim.model.trajectories.reach_km`, standard shape).
    """
    d, _, _ = geodesy.inverse(launch[0], launch[1], pts_lat, pts_lon)
    rows_m, rows_p = [], []
    for mi, m in enumerate(names):
        reach_m = reach_km(m, launch[0], launch[1], pts_lat, pts_lon, catalog=catalog) * 1e3
        idx = np.nonzero((d <= reach_m) & (d > 50e3))[0]
        rows_m.append(np.full(idx.size, mi))
        rows_p.append(idx)
    mi_all = np.concatenate(rows_m)
    p_all = np.concatenate(rows_p)
    shots = np.full((len(names), pts_lat.size), np.nan)
    if p_all.size:
        ts = solve_trajectories([names[i] for i in mi_all], launch[0], launch[1], pts_lat[p_all], pts_lon[p_all],
                                step_s=step_s, catalog=catalog)
        tab = run_engagements(arch, ts)
        best = tab.shots.max(axis=1).astype(float)
        best[~ts.ok] = np.nan  # an unflyable trajectory is not counted as a threat
        shots[mi_all, p_all] = best
    return shots


POINTS_PER_CHUNK = 1024  # aimpoints per batch: fixed, so that every scheduler solves the same batches


def _evaluate_chunk(shared, pts):
    arch, names, launch, step_s, catalog = shared
    return _evaluate(arch, names, launch, pts[0], pts[1], step_s, catalog)


def _evaluator(arch, names, launch, step_s, client=None, progress=None, catalog=None):
    """A function (lat (m,), lon (m,)) -> best-site shots (n_missiles, m), evaluated in batches of
    :data:`POINTS_PER_CHUNK` points, in this process or on ``client``'s workers (the solver's
    iterations run per batch, so fixed batches give identical numbers on any scheduler)."""
    from bmdsim.analysis.sweep import map_chunks

    def evaluate(lat, lon):
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        cuts = range(0, lat.size, POINTS_PER_CHUNK)
        chunks = [(lat[c:c + POINTS_PER_CHUNK], lon[c:c + POINTS_PER_CHUNK]) for c in cuts]
        if not chunks:
            return np.full((len(names), 0), np.nan)
        parts = map_chunks(_evaluate_chunk, chunks, client=client, progress=progress,
                           shared=(arch, names, launch, step_s, catalog))
        return np.concatenate(parts, axis=1)

    return evaluate


def _classify(shots, k):
    n_thr = np.isfinite(shots).sum(axis=0)
    with np.errstate(invalid="ignore"):
        min_shots = np.where(n_thr > 0, np.nanmin(np.where(np.isfinite(shots), shots, np.inf), axis=0), np.nan)
    defended = np.where(n_thr > 0, (min_shots >= k).astype(float), np.nan)
    return n_thr, min_shots, defended


def footprint(arch: ResolvedArchitecture, missiles: list[str], launch: tuple[float, float, str], *,
              grid_deg: float = 0.25, k: int = 1, bbox=EUROPE_BBOX, step_s: float = 5.0,
              min_city_population: int = 500_000, refine: bool = True, scheduler: str | None = None,
              jobs: int = 2, client=None, progress=None, places=(), include_attacker: bool = False,
              variant: str = "", catalog: Catalog | None = None) -> Footprint:
    """Compute the footprint (see the module docstring). ``bbox`` = (lon_min, lon_max, lat_min, lat_max).

    ``places``: named places to evaluate (objects with ``id``, ``name``, ``category``, ``lat_deg``,
    ``lon_deg``, e.g. catalog places): each gets a status (defended / threatened / out of range), its
    fewest best-site shots and the shots per missile. Cities of the missiles' own countries are not
    counted unless ``include_attacker``. ``variant`` labels the result.

    With ``refine`` (default) the grid is first evaluated 4x coarser; only coarse cells whose result
    (defended / threatened, and per-missile threat) differs from a neighbour's, or that contain a
    site or the launch point, are evaluated at full resolution; the others pass their value to their
    sub-cells. ``refine=False`` evaluates every cell.

    ``scheduler`` / ``jobs`` / ``client``: run the batches of aimpoints on Dask (see
    :func:`bmdsim.analysis.sweep.map_chunks`); the numbers are identical to a single-process run.
    ``progress(done, total)`` is called per batch. ``catalog``: the context the missiles are looked up
    in (None: the built-ins); it goes to the workers with the batches.
    """
    from bmdsim.analysis.grids import make_grid
    from bmdsim.analysis.sweep import cluster_client

    if not 0.05 <= grid_deg <= 10:
        raise BmdsimError(f"grid {grid_deg} deg out of range; valid 0.05..10 degrees")
    if k < 1:
        raise BmdsimError(f"k must be >= 1 shots, got {k}")
    from bmdsim.model import cities as citymod

    g = make_grid(bbox, grid_deg)
    cat = resolve_catalog(catalog)
    names = [cat.missile(m).name for m in missiles]
    attackers = sorted({citymod.country_code(cat.missile(m).country) for m in names})
    cities = citymod.candidate_cities(g.covers, min_city_population, attackers, include_attacker)
    rule = citymod.rule_text(min_city_population, attackers, include_attacker)
    with cluster_client(scheduler, jobs, client) as c:
        fp = _footprint(arch, names, launch, g, k, cities, list(places), refine,
                        _evaluator(arch, names, launch, step_s, c, progress, catalog))
    fp.variant = variant
    fp.city_rule = rule
    fp.catalog = catalog
    return fp


def _footprint(arch, names, launch, g, k, cities, places, refine, evaluate) -> Footprint:
    """The footprint on grid ``g`` (:class:`bmdsim.analysis.grids.Grid`): cells cover the box asked for."""
    grid_deg = g.step_deg
    lon0, _, lat0, _ = g.covers
    lats, lons = g.lat_deg, g.lon_deg
    nlat, nlon = lats.size, lons.size
    shots = np.full((len(names), nlat, nlon), np.nan)
    f = 4
    if refine and nlat >= 2 * f and nlon >= 2 * f:
        cl, co = -(-nlat // f), -(-nlon // f)
        clat = lat0 + f * grid_deg * (np.arange(cl) + 0.5)
        clon = lon0 + f * grid_deg * (np.arange(co) + 0.5)
        cglat, cglon = np.meshgrid(clat, clon, indexing="ij")
        cs = evaluate(cglat.ravel(), cglon.ravel()).reshape(len(names), cl, co)
        _, _, cdef = _classify(cs.reshape(len(names), -1), k)
        key = np.concatenate([np.nan_to_num(cdef, nan=-1.0)[None], np.isfinite(cs).reshape(len(names), -1)]
                             ).reshape(-1, cl, co)
        # coarse cells that differ from any 8-neighbour
        pad = np.pad(key, ((0, 0), (1, 1), (1, 1)), mode="edge")
        edge = np.zeros((cl, co), dtype=bool)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                edge |= np.any(pad[:, 1 + di:1 + di + cl, 1 + dj:1 + dj + co] != key, axis=0)
        # and cells holding a site or the launch point (sharp features there)
        for la, lo in [(launch[0], launch[1])] + [(s.lat_deg, s.lon_deg) for s in arch.sites]:
            i, j = int((la - lat0) // (f * grid_deg)), int((lo - lon0) // (f * grid_deg))
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    if 0 <= i + di < cl and 0 <= j + dj < co:
                        edge[i + di, j + dj] = True
        fine_i, fine_j = np.meshgrid(np.arange(nlat), np.arange(nlon), indexing="ij")
        parent = edge[fine_i // f, fine_j // f]
        shots[:] = cs[:, fine_i // f, fine_j // f]
        fi, fj = np.nonzero(parent)
        if fi.size:
            shots[:, fi, fj] = evaluate(lats[fi], lons[fj])
    else:
        glat, glon = np.meshgrid(lats, lons, indexing="ij")
        shots[:] = evaluate(glat.ravel(), glon.ravel()).reshape(shots.shape)
    n_thr, min_shots, defended = _classify(shots.reshape(len(names), -1), k)
    # cities and named places, at their own coordinates, in one batch
    pts = [(c["lat"], c["lon"]) for c in cities] + [(p.lat_deg, p.lon_deg) for p in places]
    place_rows = []
    if pts:
        ps = evaluate([p[0] for p in pts], [p[1] for p in pts])
        p_thr, p_min, p_def = _classify(ps, k)
        for ci, c in enumerate(cities):
            c["threatened"] = bool(p_thr[ci] > 0)
            c["defended"] = bool(p_def[ci] == 1)
        for pi, p in enumerate(places):
            q = len(cities) + pi
            status = "out of range" if p_thr[q] == 0 else "defended" if p_def[q] == 1 else "threatened"
            place_rows.append({
                "id": p.id, "name": p.name, "category": p.category, "lat": float(p.lat_deg), "lon": float(p.lon_deg),
                "status": status, "min_shots": None if p_thr[q] == 0 else int(p_min[q]),
                "shots": {m: (None if not np.isfinite(ps[mi, q]) else int(ps[mi, q])) for mi, m in enumerate(names)}})
    shape = (nlat, nlon)
    return Footprint(lat_deg=lats, lon_deg=lons, defended=defended.reshape(shape),
                     min_shots=min_shots.reshape(shape), n_threatening=n_thr.reshape(shape),
                     missiles=names, shots_by_missile=shots, launch=launch, k=k, grid_deg=grid_deg,
                     architecture=arch.name, cities=cities, covers=g.covers, places=place_rows)


def write_footprint(fp: Footprint, out_dir, sites=(), *, arch=None, figure_format: str = "png",
                    dpi: int | None = None, projection: str = "auto", label_places: bool = False,
                    provenance: dict | None = None) -> list:
    """summary.json, footprint.nc (CF-1.8), footprint.geojson, footprint.kml, cities.csv (every candidate
    city, with ``counted`` and the reason when not), places.csv (the named places asked for) and the map
    (``footprint.<figure_format>``). ``provenance`` (static part, see :mod:`bmdsim.io.provenance`) is
    added to summary.json."""
    from bmdsim.io import files

    out = files.check_dir_writable(out_dir)
    paths = []
    summary = {**fp.summary(), **({"provenance": provenance} if provenance else {})}
    paths.append(files.write_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n"))
    fp.to_netcdf(out / "footprint.nc")
    paths.append(out / "footprint.nc")
    paths.append(files.write_atomic(out / "footprint.geojson", fp.to_geojson(arch)))
    paths.append(files.write_atomic(out / "footprint.kml", fp.to_kml(arch)))
    paths.append(files.write_atomic(out / "cities.csv", fp.cities_csv()))
    if fp.places:
        paths.append(files.write_atomic(out / "places.csv", fp.places_csv()))
    fig = out / f"footprint.{figure_format}"
    fp.plot(fig, sites, arch=arch, dpi=dpi, projection=projection, label_places=label_places)
    paths.append(fig)
    return paths


@dataclass(frozen=True)
class PlaceRef:
    """A named point to evaluate: a catalog place or a listed city (degrees)."""

    id: str
    name: str
    category: str
    lat_deg: float
    lon_deg: float


PLACE_GROUPS = ("capitals", "cities")


def resolve_places(spec: str | None, cities=(), catalog: Catalog | None = None) -> list[PlaceRef]:
    """Named places from ``--places``: comma-separated ``capitals`` (the catalog's capitals), ``cities``
    (the counted listed cities, ``cities``: candidate city dicts from :mod:`bmdsim.model.cities`), a
    catalog place category (e.g. ``european_capital``, ``us_target``) or place ids; in the order given,
    each place once (looked up in ``catalog``; None: the built-ins). Raises BmdsimError (one line, the valid
    choices) for an unknown word."""
    from bmdsim.io.layers import CAPITAL_CATEGORIES

    if spec is None:
        return []
    words = [w.strip() for w in str(spec).split(",") if w.strip()]
    if not words:
        raise BmdsimError("--places: give capitals, cities, a place category or place ids (comma-separated)")
    cat = resolve_catalog(catalog)
    known = cat.places
    categories = sorted({p.category for p in known.values()})
    out: list[PlaceRef] = []

    def add(p: PlaceRef) -> None:
        if all(q.id != p.id for q in out):
            out.append(p)

    for w in words:
        if w in ("capitals", *categories):
            cats = CAPITAL_CATEGORIES if w == "capitals" else (w,)
            for p in sorted((p for p in known.values() if p.category in cats), key=lambda p: p.name):
                add(PlaceRef(p.id, p.name, p.category, p.lat_deg, p.lon_deg))
        elif w == "cities":
            for c in cities:
                if c.get("counted", True):
                    add(PlaceRef(f"geonames:{c['geonameid']}", f"{c['city']} ({c['country']})", "city", c["lat"],
                                 c["lon"]))
        else:
            try:
                p = cat.place(w)
            except BmdsimError as err:
                raise BmdsimError(f"--places {w!r}: not capitals, cities, a category ({', '.join(categories)}) or a "
                                  f"place id ({err})") from None
            add(PlaceRef(p.id, p.name, p.category, p.lat_deg, p.lon_deg))
    return out
