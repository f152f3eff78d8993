"""Sensor and interceptor catalogs: loading, provenance, lookup errors, cross-check with facts.yaml."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from bmdsim.errors import BmdsimError, UnknownNameError
from bmdsim.model.catalogs import Catalog
from bmdsim.model.interceptors import Interceptor, parse_interceptors
from bmdsim.model.params import Param
from bmdsim.model.sensors import SensorPlacement, SensorType

CAT = Catalog.builtin()

_FACTS_CANDIDATES = [
    Path(__file__).resolve().parents[2] / "shared/reference/facts.yaml",
    Path("/work/shared/reference/facts.yaml"),
]

# catalog sensor -> facts.yaml site id (None: not listed there)
SENSOR_FACTS_ID = {
    "TPY2-KURECIK": "kurecik",
    "FYLINGDALES": "fylingdales",
    "THULE": "thule_radar",
    "EMR-BRDY": "brdy_emr_2007",
    "ARMAVIR": "armavir",
    "PIONERSKY": "pionersky",
    "LEKHTUSI": "lekhtusi",
    "GABALA": "gabala",
    "DON-2N": "don2n",
    "OLENEGORSK": "olenegorsk",
    "PECHORA": "pechora",
    "BARANOVICHI": "baranovichi",
    "MISHELEVKA-DNEPR": "mishelevka_dnepr",
    "MISHELEVKA-VORONEZH": "mishelevka_voronezh",
}
# catalog interceptor -> facts.yaml interceptors key
INTERCEPTOR_FACTS_KEY = {
    "SM-3-IA": "sm3_block_ia",
    "SM-3-IB": "sm3_block_ib",
    "SM-3-IIA": "sm3_block_iia",
    "SM-3-IIB": "sm3_block_iib",
    "GBI-2": "gbi_2stage_poland",
    "GBI-3": "gbi_3stage",
    "THAAD": "thaad",
    "S-400-48N6": "s400_48n6",
    "A-135-53T6": "a135_53t6",
}
FIELD_FACTS = {
    "vbo_kms": "burnout_velocity_km_s",
    "tb_s": "burn_time_s",
    "h_min_km": "min_intercept_alt_km",
    "h_max_km": "max_intercept_alt_km",
    "max_range_km": "max_range_km",
}


@pytest.fixture(scope="module")
def facts():
    for p in _FACTS_CANDIDATES:
        if p.is_file():
            return yaml.safe_load(p.read_text(encoding="utf-8"))
    pytest.skip(f"facts.yaml not found (tried {', '.join(map(str, _FACTS_CANDIDATES))})")


@pytest.fixture(scope="module")
def fact_sites(facts):
    sites = {}
    for v in facts.values():
        if isinstance(v, list):
            sites.update({d["id"]: d for d in v if isinstance(d, dict) and {"id", "lat", "lon"} <= d.keys()})
    return sites


def test_catalogs_load_and_have_expected_entries():
    interceptors = CAT.interceptors
    # every reference radar site is placed; the types are the equipment behind them (and SPY-1, SBIRS)
    assert set(SENSOR_FACTS_ID) == set(CAT.placements)
    assert {p.type for p in CAT.placements.values()} | {"SPY-1", "SBIRS"} == set(CAT.sensors)
    # every reference interceptor is in the catalog; the only extra is the notional Russian one
    assert set(INTERCEPTOR_FACTS_KEY) | {"RU-EXO-NOTIONAL"} == set(interceptors)
    assert interceptors["RU-EXO-NOTIONAL"].vbo_kms.notional
    for name in CAT.placements:
        spec = CAT.radar_spec(name)
        assert spec.max_range_m(spec.rcs_ref_m2) == pytest.approx(min(spec.range_ref_m, spec.instrumented_range_m))
    for s in CAT.sensors.values():
        if s.kind == "radar":
            spec = s.radar_spec(name="t", lat_deg=44.08, lon_deg=24.4, boresights_deg=[90.0])
            assert spec.max_range_m(spec.rcs_ref_m2) == pytest.approx(
                min(spec.range_ref_m, spec.instrumented_range_m)
            )
        else:
            assert 10e3 <= s.ir_spec().h_ir_m <= 15e3 and s.ir_spec().global_coverage
    for i in interceptors.values():
        k = i.kinematics()
        assert 0 < k.vbo_m_s < 1e4 and 0 <= k.h_min_m < k.h_max_m and k.t_max_s > k.tb_s


def test_fire_control_quality_baseline():
    fc = {n for n, s in CAT.sensors.items() if s.fire_control_quality}
    assert fc == {"AN/TPY-2", "SPY-1", "GBR-P", "5N20"}
    assert {n for n in CAT.placements if CAT.radar_spec(n).fire_control_quality} == {"TPY2-KURECIK", "EMR-BRDY",
                                                                                     "DON-2N"}


def test_sensor_coordinates_and_sectors_match_facts(fact_sites):
    """Each placement stands where the reference puts it, and the union of its faces is the reference's
    coverage sector (one sector, or the full circle)."""
    from bmdsim.core.visibility import merge_sectors

    for name, s in CAT.placements.items():
        fid = SENSOR_FACTS_ID[name]  # KeyError = a new placement missing from the map
        f = fact_sites[fid]
        lat, lon = CAT.place_of(s)
        assert abs(lat - f["lat"]) <= 0.2, name
        dlon = (lon - f["lon"] + 180.0) % 360.0 - 180.0
        assert abs(dlon) <= 0.2, name
        spec = CAT.radar_spec(name)
        sectors = merge_sectors(spec.boresight_rad, spec.half_width_rad)
        cov = f.get("coverage_az_deg")
        if cov:
            span = 360.0 if cov[1] - cov[0] == 360 else (cov[1] - cov[0]) % 360.0
            assert len(sectors) == 1, name
            bore, half = np.degrees(sectors[0])
            assert half == pytest.approx(span / 2), name
            if span < 360.0:
                assert bore == pytest.approx((cov[0] + span / 2) % 360.0), name
        st = CAT.sensor_type(s.type)
        if f.get("max_range_km"):
            quoted = {
                st.range_ref_km.value,
                st.instrumented_range_km.value if st.instrumented_range_km else None,
            }
            assert f["max_range_km"] in quoted, name


def test_interceptor_values_and_provenance_match_facts(facts):
    for name, i in Catalog.builtin().interceptors.items():
        if name not in INTERCEPTOR_FACTS_KEY:  # notional entries not in the reference
            assert all(getattr(i, f).notional for f in FIELD_FACTS if getattr(i, f) is not None), name
            continue
        fi = facts["interceptors"][INTERCEPTOR_FACTS_KEY[name]]
        for field, key in FIELD_FACTS.items():
            p, f = getattr(i, field), fi.get(key)
            if f is None:
                continue
            assert p is not None, (name, field)
            if "mda_claim" in f:  # GBI-2 dispute: value = MDA, high = Postol
                assert (p.value, p.high) == (f["mda_claim"], f["postol_claim"])
            else:
                assert p.value == f["value"], (name, field)
                if "range" in f:
                    assert (p.low, p.high) == tuple(f["range"]), (name, field)
            if f["status"] == "estimate":
                assert p.notional and p.note, (name, field)
            else:
                assert p.source, (name, field)


def test_unknown_names_list_known():
    with pytest.raises(UnknownNameError, match="Known: .*SBIRS") as err:
        CAT.sensor("Kurecick")
    assert err.value.known == sorted([*CAT.placements, *CAT.sensors])
    with pytest.raises(UnknownNameError, match="Known: .*GBI-2.*THAAD") as err:
        Catalog.builtin().interceptor("SM-4")
    assert err.value.known == sorted(Catalog.builtin().interceptors)
    assert CAT.sensor("kurecik").name == "TPY2-KURECIK"
    assert CAT.sensor("tpy 2").name == "AN/TPY-2"  # the type
    assert Catalog.builtin().interceptor("sm3 iia").name == "SM-3-IIA"


def test_kinematics_override_and_errors():
    gbi2 = Catalog.builtin().interceptor("GBI-2")
    assert gbi2.kinematics().vbo_m_s == 6300.0
    assert gbi2.kinematics(vbo_kms=9.0).vbo_m_s == 9000.0
    for bad in (0.0, -1.0, float("nan"), "fast"):
        with pytest.raises(BmdsimError, match="vbo_kms must be"):
            gbi2.kinematics(vbo_kms=bad)
    # a type whose faces cover every azimuth needs no boresight; a single-face one does
    spy = CAT.sensor_type("SPY-1").radar_spec(name="s", lat_deg=44.08, lon_deg=24.4)
    assert spy.full_circle and len(spy.boresight_rad) == 4
    with pytest.raises(BmdsimError, match=r"covers 120 deg .*give the boresight"):
        CAT.sensor_type("AN/TPY-2").radar_spec(name="t", lat_deg=44.08, lon_deg=24.4)
    with pytest.raises(BmdsimError, match=r"1 to 4 faces"):
        CAT.sensor_type("SPY-1").radar_spec(name="s", lat_deg=0, lon_deg=0, boresights_deg=[0] * 5)
    with pytest.raises(BmdsimError, match="not a radar"):
        CAT.sensor_type("SBIRS").radar_spec(name="x", lat_deg=0, lon_deg=0)


def _entry(**over):
    d = yaml.safe_load(
        """
        name: X
        full_name: test
        owner: US
        vbo_kms: {value: 3.0, notional: true, note: t}
        tb_s: {value: 60, source: s}
        min_elev_deg: {value: 20, notional: true, note: t}
        h_min_km: {value: 80, notional: true, note: t}
        h_max_km: {value: 500, notional: true, note: t}
        t_max_s: {value: 400, notional: true, note: t}
        kill_assessment_s: {value: 20, notional: true, note: t}
        """
    )
    d.update(over)
    return d


def test_broken_entries_are_rejected():
    Interceptor.model_validate(_entry())  # the template itself is valid
    with pytest.raises(ValidationError, match="source"):
        Interceptor.model_validate(_entry(tb_s={"value": 60}))  # no provenance
    with pytest.raises(ValidationError, match="note"):
        Param.model_validate({"value": 1.0, "notional": True})
    with pytest.raises(ValidationError, match=r"h_min_km \(600.0\) must be < h_max_km \(500.0\)"):
        Interceptor.model_validate(_entry(h_min_km={"value": 600, "notional": True, "note": "t"}))
    with pytest.raises(ValidationError, match=r"tb_s must be > 0, got -1.0"):
        Interceptor.model_validate(_entry(tb_s={"value": -1, "source": "s"}))
    with pytest.raises(ValidationError, match="extra"):
        Interceptor.model_validate(_entry(speed=3))
    with pytest.raises(ValueError, match="duplicate"):
        parse_interceptors(yaml.safe_dump({"interceptors": [_entry(), _entry()]}))
    radar = {
        "name": "R",
        "full_name": "r",
        "owner": "US",
        "kind": "radar",
        "fire_control_quality": False,
        "faces": 2,
        **{f: {"value": 1.0, "source": "s"} for f in ("half_width_deg", "min_elev_deg", "range_ref_km",
                                                        "rcs_ref_m2", "track_formation_s")},
    }
    assert SensorType.model_validate(radar).faces == 2  # the template itself is valid
    with pytest.raises(ValidationError, match="needs faces"):
        SensorType.model_validate({k: v for k, v in radar.items() if k != "faces"})
    with pytest.raises(ValidationError, match="needs h_ir_km, processing_delay_s"):
        SensorType.model_validate({**radar, "kind": "space_ir"})
    with pytest.raises(ValidationError, match="belong"):
        SensorType.model_validate({**radar, "h_ir_km": {"value": 12, "source": "s"}})
    with pytest.raises(ValidationError, match="half_width_deg must be in"):
        SensorType.model_validate({**radar, "half_width_deg": {"value": 200, "source": "s"}})
    with pytest.raises(ValidationError, match="place"):
        SensorPlacement.model_validate({"name": "P", "type": "R"})


def test_catalog_radar_geometry_smoke():
    """Kurecik TPY-2 sees a 0.01 m^2 object 600 km east at 300 km altitude, not one to the west."""
    from bmdsim.core.earth import geodetic_to_ecef
    from bmdsim.core.geodesy import direct

    spec = CAT.radar_spec("TPY2-KURECIK")
    lat, lon = direct(38.3494, 37.7936, np.array([90.0, 270.0]), 600e3)
    tgt = geodetic_to_ecef(np.radians(lat), np.radians(lon), 300e3)
    assert spec.sees(tgt, 0.01).tolist() == [True, False]
    assert not spec.sees(tgt, 1e-6).any()  # 900 km * 0.1 = 90 km range vs 1e-6 m^2
