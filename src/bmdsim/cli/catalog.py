"""Catalog tables: missiles, interceptors, sensors (types and placements), places; each entry with its
origin (built-in, or the user catalog file and line it came from with ``--catalog``)."""

from __future__ import annotations

import typer

from bmdsim.cli.common import CatalogOpt, app, cite, fail, print_table, user_catalog

PANEL = "Catalogs"


def _origin(cat, kind: str, name: str) -> str:
    o = cat.origin(kind, name)
    return "built-in" if o.builtin else str(o)


@app.command(rich_help_panel=PANEL)
def missiles(catalog: CatalogOpt = None) -> None:
    """Table of catalog missiles with their sources and origin.

    The nominal range is the published "standard trajectory" convention: the range on the missile's
    standard shape (minimum-energy unless the shape column says otherwise) on a non-rotating spherical
    Earth (R 6,371 km), full burn, nominal payload. On the rotating Earth the reach depends on the
    direction (farther eastward, shorter westward); bmdsim computes it per launch/aim pair.
    """
    cat = user_catalog(catalog)

    def shape(m):
        sh = m.standard_shape
        if sh.fit_on != "standard":
            return f"{sh.describe()} (nominal range measured {sh.describe_fit()}: see the catalog note)"
        return sh.describe()

    print_table("Ballistic missiles (notional parameters fitted to the nominal range; see catalog notes). "
                "Nominal range: on the standard shape, non-rotating spherical Earth, full burn, nominal payload; "
                "the reach on the rotating Earth depends on direction",
                 ("name", "class", "country", "stages", "boost s", "nominal range km (non-rotating Earth)",
                  "standard shape", "source of range", "origin"),
                 ((m.name, m.missile_class, m.country, str(len(m.stages)), f"{m.boost_time_s:.0f}",
                   f"{m.nominal_range_km.value:,.0f}", shape(m), cite(m.nominal_range_km),
                   _origin(cat, "missiles", n))
                  for n, m in cat.missiles.items()))


@app.command(rich_help_panel=PANEL)
def interceptors(catalog: CatalogOpt = None) -> None:
    """Table of catalog interceptors with their sources and origin."""
    cat = user_catalog(catalog)
    print_table("Interceptors (baseline kinematic model)",
                 ("name", "owner", "vbo km/s", "burn s", "alt band km", "vbo source", "origin"),
                 ((i.name, i.owner, f"{i.vbo_kms.value:g}", f"{i.tb_s.value:g}",
                   f"{i.h_min_km.value:g}-{i.h_max_km.value:g}", cite(i.vbo_kms), _origin(cat, "interceptors", n))
                  for n, i in cat.interceptors.items()))


@app.command(rich_help_panel=PANEL)
def sensors(catalog: CatalogOpt = None) -> None:
    """Tables of sensor types (what belongs to the equipment) and their catalog placements (what belongs
    to the site), with sources and origin."""
    cat = user_catalog(catalog)

    def type_row(n, s):
        rng = f"{s.range_ref_km.value:,.0f} @ {s.rcs_ref_m2.value:g}" if s.range_ref_km is not None else "-"
        src = cite(s.range_ref_km if s.range_ref_km is not None else s.h_ir_km)
        return (s.name, s.owner, s.kind, s.describe_coverage(), rng, "yes" if s.fire_control_quality else "no",
                src[:80], _origin(cat, "sensors", n))

    print_table("Sensor types (architectures place radar types at sites or points; space IR is a constellation)",
                ("name", "owner", "kind", "faces / coverage", "range km @ RCS m2", "fire control", "source",
                 "origin"), (type_row(n, s) for n, s in cat.sensors.items()))

    def placement_row(n, p):
        lat, lon = cat.place_of(p)
        src = p.place if isinstance(p.place, str) else (p.place.source or f"notional: {p.place.note}")
        bores = ", ".join(f"{b:g}" for b in p.boresights_deg()) if p.faces else "all faces, 360 deg"
        return p.name, p.type, f"{lat:.3f}", f"{lon:.3f}", bores, str(src)[:80], _origin(cat, "placements", n)

    print_table("Sensor placements (name them in an architecture's `sensors`)",
                ("name", "type", "lat", "lon", "face boresights deg", "source of place", "origin"),
                (placement_row(n, p) for n, p in cat.placements.items()))


@app.command(rich_help_panel=PANEL)
def places(category: str = typer.Option(None, "--category", help="only this category, e.g. european_capital"),
           catalog: CatalogOpt = None) -> None:
    """Table of catalog places (sites, bases, patrol areas, capitals): id for --from/--to, source, origin."""
    cat = user_catalog(catalog)
    table = cat.places
    cats = sorted({p.category for p in table.values()})
    if category is not None and category not in cats:
        fail(f"--category {category!r}: unknown; valid: {', '.join(cats)}")
    rows = [p for p in table.values() if category is None or p.category == category]
    print_table(f"Places ({len(rows)}; use the id as --from / --to / --launch-area)",
                ("id", "name", "lat", "lon", "category", "source", "origin"),
                ((p.id, p.name, f"{p.lat_deg:.4f}", f"{p.lon_deg:.4f}", p.category,
                  p.source if p.source else f"notional: {p.note}", _origin(cat, "places", p.id))
                 for p in sorted(rows, key=lambda q: (q.category, q.id))))
