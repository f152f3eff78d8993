"""Catalog tables: missiles, interceptors, sensors, places."""

from __future__ import annotations

import typer

from bmdsim.cli.common import app, cite, fail, print_table

PANEL = "Catalogs"


@app.command(rich_help_panel=PANEL)
def missiles() -> None:
    """Table of catalog missiles with their sources.

    The nominal range is the published "standard trajectory" convention: the range on the missile's
    standard shape (minimum-energy unless the shape column says otherwise) on a non-rotating spherical
    Earth (R 6,371 km), full burn, nominal payload. On the rotating Earth the reach depends on the
    direction (farther eastward, shorter westward); bmdsim computes it per launch/aim pair.
    """
    from bmdsim.model.missiles import load_missiles

    def shape(m):
        sh = m.standard_shape
        if sh.fit_on != "standard":
            return f"{sh.describe()} (nominal range measured {sh.describe_fit()}: see the catalog note)"
        return sh.describe()

    print_table("Ballistic missiles (notional parameters fitted to the nominal range; see catalog notes). "
                "Nominal range: on the standard shape, non-rotating spherical Earth, full burn, nominal payload; "
                "the reach on the rotating Earth depends on direction",
                 ("name", "class", "country", "stages", "boost s", "nominal range km (non-rotating Earth)",
                  "standard shape", "source of range"),
                 ((m.name, m.missile_class, m.country, str(len(m.stages)), f"{m.boost_time_s:.0f}",
                   f"{m.nominal_range_km.value:,.0f}", shape(m), cite(m.nominal_range_km))
                  for m in load_missiles().values()))


@app.command(rich_help_panel=PANEL)
def interceptors() -> None:
    """Table of catalog interceptors with their sources."""
    from bmdsim.model.interceptors import load_interceptors

    print_table("Interceptors (baseline kinematic model)",
                 ("name", "owner", "vbo km/s", "burn s", "alt band km", "vbo source"),
                 ((i.name, i.owner, f"{i.vbo_kms.value:g}", f"{i.tb_s.value:g}",
                   f"{i.h_min_km.value:g}-{i.h_max_km.value:g}", cite(i.vbo_kms))
                  for i in load_interceptors().values()))


@app.command(rich_help_panel=PANEL)
def sensors() -> None:
    """Table of catalog sensors with their sources."""
    from bmdsim.model.sensors import load_sensors

    def row(s):
        rng = f"{s.range_ref_km.value:,.0f} @ {s.rcs_ref_m2.value:g}" if s.range_ref_km is not None else "-"
        lat = f"{s.place.lat_deg:.3f}" if s.place else "mobile"
        lon = f"{s.place.lon_deg:.3f}" if s.place else "-"
        src = (s.place.source if s.place and s.place.source else "") or ""
        return s.name, s.owner, s.kind, lat, lon, rng, "yes" if s.fire_control_quality else "no", src[:80]

    print_table("Sensors", ("name", "owner", "kind", "lat", "lon", "range km @ RCS m2", "fire control", "source"),
                 (row(s) for s in load_sensors().values()))


@app.command(rich_help_panel=PANEL)
def places(category: str = typer.Option(None, "--category", help="only this category, e.g. european_capital")
           ) -> None:
    """Table of catalog places (sites, bases, patrol areas, capitals): id for --from/--to, and source."""
    from bmdsim.model.places import load_places

    cat = load_places()
    cats = sorted({p.category for p in cat.values()})
    if category is not None and category not in cats:
        fail(f"--category {category!r}: unknown; valid: {', '.join(cats)}")
    rows = [p for p in cat.values() if category is None or p.category == category]
    print_table(f"Places ({len(rows)}; use the id as --from / --to / --launch-area)",
                ("id", "name", "lat", "lon", "category", "source"),
                ((p.id, p.name, f"{p.lat_deg:.4f}", f"{p.lon_deg:.4f}", p.category,
                  p.source if p.source else f"notional: {p.note}") for p in sorted(rows, key=lambda q: (q.category,
                                                                                                        q.id))))
