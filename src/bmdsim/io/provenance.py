"""Provenance of an output folder: what produced it, from what, with which numbers.

Two parts, kept apart so that every file but one is byte-identical for the same inputs:

* the *static* part (:func:`static_provenance`) goes into ``summary.json`` and the report: bmdsim's
  version, the scenario (copied into the folder as ``scenario.yaml``, with ``extends`` resolved and the
  threat set inlined, so that ``bmdsim <command> scenario.yaml`` in that folder reproduces the run), the
  architecture table (sites, interceptors, vbo, burn time, sensors, links, rules), every parameter value
  used with its source or its notional flag, and the catalogs loaded (file names and SHA-256: the
  built-in files, every user catalog file and every scenario's inline catalog block, from the catalog
  context of the run, :mod:`bmdsim.model.catalogs`); the user's catalog entries are inlined into
  ``scenario.yaml``;
* the *volatile* part — date (``SOURCE_DATE_EPOCH`` when set, as reproducible builds define it:
  https://reproducible-builds.org/specs/source-date-epoch/), git revision (if bmdsim runs from a git
  checkout), command line, Python and host — goes into ``provenance.json`` only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
from importlib import resources
from pathlib import Path

CATALOG_FILES = ("missiles.yaml", "interceptors.yaml", "sensors.yaml", "places.yaml")  # the built-ins


def version() -> str:
    """bmdsim's installed version (``importlib.metadata``), or the package's own string."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _v

    try:
        return _v("bmdsim")
    except PackageNotFoundError:  # running from a source tree without installing
        from bmdsim import __version__

        return __version__


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def catalogs(threat_sets=(), catalog=None) -> list[dict]:
    """Catalogs read: every file and inline block of the catalog context ``catalog`` (None: the
    built-ins) and the named built-in threat sets; name (a user file's name without its folder, so that
    the block stays the same wherever the file lies), kind (``built-in``, ``file``, ``inline``) and
    SHA-256."""
    from bmdsim.model.catalogs import resolve_catalog

    root = resources.files("bmdsim.model.catalog")
    out = [{"name": f.name if f.kind != "file" else Path(f.name).name, "kind": f.kind, "sha256": f.sha256}
           for f in resolve_catalog(catalog).files]
    for ts in threat_sets:
        if isinstance(ts, str):
            f = root.joinpath("threatsets").joinpath(f"{ts}.yaml")
            if f.is_file():
                out.append({"name": f"threatsets/{ts}.yaml", "kind": "built-in", "sha256": _sha256(f.read_bytes())})
    return out


def _cite(p) -> str:
    return p.source if p.source else f"notional: {p.note}"


def _param_rows(prefix: str, obj) -> list[dict]:
    from bmdsim.model.params import Param

    rows = []
    for name in type(obj).model_fields:
        p = getattr(obj, name)
        if isinstance(p, Param):
            rows.append({"parameter": f"{prefix}.{name}", "value": p.value, "low": p.low, "high": p.high,
                         "notional": bool(p.notional), "source": _cite(p)})
    return rows


def architecture_table(arch) -> dict:
    """Sites, sensors, links and rules of a resolved architecture, in report units (deg, km, km/s, s)."""
    import math

    from bmdsim.core import earth

    sites = []
    for s in arch.sites:
        sites.append({"site": s.name, "lat_deg": round(s.lat_deg, 4), "lon_deg": round(s.lon_deg, 4),
                      "interceptor": s.interceptor, "vbo_kms": round(s.kin.vbo_m_s / 1e3, 4),
                      "tb_s": _tb(s.kin), "inventory": s.inventory,
                      "own_sensors": ", ".join(r.name for r in s.own_radars),
                      "linked_sensors": ", ".join([r.name for r in s.linked_radars] + [i.name for i in s.linked_ir])})
    sensors = []
    for r in arch.radars:
        lat, lon, _ = earth.ecef_to_geodetic(r.site_ecef)
        bores = [round(math.degrees(b), 2) for b in r.boresight_rad]  # one per face
        halves = [round(math.degrees(h), 2) for h in r.half_width_rad]
        sensors.append({"sensor": r.name, "type": r.type, "kind": "radar",
                        "lat_deg": round(math.degrees(float(lat)), 4), "lon_deg": round(math.degrees(float(lon)), 4),
                        "boresight_deg": bores[0] if len(bores) == 1 else bores,
                        "half_width_deg": halves[0] if len(halves) == 1 else halves,
                        "range_km_at_ref_rcs": round(r.range_ref_m / 1e3, 1), "ref_rcs_m2": r.rcs_ref_m2,
                        "track_formation_s": r.track_formation_s, "fire_control": r.fire_control_quality})
    for i in arch.ir:
        sensors.append({"sensor": i.name, "kind": "space_ir", "h_ir_km": i.h_ir_m / 1e3,
                        "processing_delay_s": i.processing_delay_s})
    rules = {"decision_time_s": arch.decision_time_s, "engage_on_remote": arch.engage_on_remote,
             "cue_track_factor": arch.cue_track_factor, "max_shots": arch.max_shots}
    return {"name": arch.name, "sites": sites, "sensors": sensors, "rules": rules}


def _tb(kin):
    for name in ("tb_s", "burn_time_s"):
        if hasattr(kin, name):
            return float(getattr(kin, name))
    return None


def parameters(arch=None, missiles=(), catalog=None) -> list[dict]:
    """Each catalog parameter the run used (interceptors and sensors of ``arch`` — the types, and the
    catalog placements with their faces — and ``missiles``) with its value, range and source or notional
    flag, from the catalog context ``catalog`` (None: the built-ins); a site whose vbo differs from its
    catalog value (an override) gets its own row marked as such."""
    from bmdsim.model.catalogs import resolve_catalog
    from bmdsim.model.names import normalise_name

    ctx = resolve_catalog(catalog)
    rows: list[dict] = []
    if arch is not None:
        for name in sorted({s.interceptor for s in arch.sites}):
            rows += _param_rows(name, ctx.interceptor(name))
        for s in arch.sites:
            cat = ctx.interceptor(s.interceptor).vbo_kms.value
            used = s.kin.vbo_m_s / 1e3
            if abs(used - cat) > 1e-9:
                rows.append({"parameter": f"{s.name}.vbo_kms", "value": round(used, 6), "low": None, "high": None,
                             "notional": True, "source": f"override of the catalog value {cat:g} km/s (this run)"})
        types = sorted({r.type for r in arch.radars if r.type} | {i.name for i in arch.ir})
        for name in types:
            rows += _param_rows(name, ctx.sensor_type(name))
        placed = {normalise_name(n) for n in ctx.placements}
        for r in arch.radars:  # catalog placements: their altitude and faces (architecture-placed: in the scenario)
            if normalise_name(r.name) in placed:
                pl = ctx.placement(r.name)
                rows += _param_rows(pl.name, pl)
                for k, face in enumerate(pl.faces or []):
                    rows += _param_rows(f"{pl.name}.faces.{k}", face)
    for m in sorted(set(missiles)):
        rows += _param_rows(m, ctx.missile(m))
    return rows


def scenario_document(scn, catalog=None) -> dict:
    """The resolved scenario as plain data with its threat set inlined and every user catalog entry of
    the run inlined as blocks (``missiles:`` ...; ``catalog``: the run's context, None: the built-ins plus
    the scenario's own entries), so that the file alone reproduces the run (loadable by
    ``load_scenario``)."""
    from bmdsim.model.catalogs import KINDS
    from bmdsim.model.scenario import load_threat_set, scenario_catalog

    cat = scenario_catalog(scn) if catalog is None else catalog
    data = scn.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"catalogs", *KINDS})
    data.pop("extends", None)
    if data.get("base") is True:  # the default
        data.pop("base")
    if isinstance(scn.threats, str):
        data["threats"] = load_threat_set(scn.threats).model_dump(mode="json", by_alias=True, exclude_none=True)
    data.update(cat.user_entries())
    return data


def write_scenario(out_dir, scn, catalog=None) -> Path:
    """Copy the resolved scenario into ``out_dir/scenario.yaml`` (a writer: creates the folder, once the
    command's work is done); ``catalog``: as :func:`scenario_document`."""
    import yaml

    from bmdsim.io import files

    text = yaml.safe_dump(scenario_document(scn, catalog), sort_keys=False, allow_unicode=True, width=110)
    return files.write_atomic(files.check_dir_writable(out_dir) / "scenario.yaml", text)


def static_provenance(*, scenario=None, arch=None, missiles=(), inputs: dict | None = None, catalog=None) -> dict:
    """The deterministic provenance block for summary.json and reports (no date, no host, no path);
    ``catalog``: the catalog context of the run (None: the built-ins)."""
    threat_sets = [scenario.threats] if scenario is not None else []
    return {
        "bmdsim_version": version(),
        "scenario": None if scenario is None else {"name": scenario.name, "file": "scenario.yaml",
                                                   "date": scenario.date},
        "inputs": inputs or {},
        "architecture": None if arch is None else architecture_table(arch),
        "parameters": parameters(arch, missiles, catalog),
        "catalogs": catalogs(threat_sets, catalog),
    }


def _git_revision() -> str | None:
    src = Path(__file__).resolve().parent
    try:
        r = subprocess.run(["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                           check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode != 0:
        return None
    rev = r.stdout.strip()
    try:
        d = subprocess.run(["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=5, check=False)
        if d.returncode == 0 and d.stdout.strip():
            rev += "-dirty"
    except (OSError, subprocess.SubprocessError):
        pass
    return rev


def run_date() -> str:
    """UTC date-time of the run: ``SOURCE_DATE_EPOCH`` (seconds since 1970) when set, else now."""
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    if sde:
        try:
            return dt.datetime.fromtimestamp(int(sde), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ValueError, OverflowError, OSError):
            pass
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_provenance(out_dir, argv: list[str] | None = None, files_written=()) -> Path:
    """``provenance.json``: the volatile facts of this run (date, git revision, command line, Python,
    host) and the SHA-256 of every file written, so the folder can be checked later."""
    from bmdsim.io import files

    out = Path(out_dir)
    argv = list(sys.argv[1:] if argv is None else argv)
    listing = []
    for p in sorted({Path(x) for x in files_written}, key=lambda q: q.name):
        if p.is_file() and p.name != "provenance.json":
            listing.append({"file": p.name, "sha256": _sha256(p.read_bytes())})
    doc = {"bmdsim_version": version(), "date_utc": run_date(),
           "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"), "git_revision": _git_revision(),
           "command_line": "bmdsim " + " ".join(shlex.quote(a) for a in argv), "python": platform.python_version(),
           "host": platform.node(), "files": listing}
    return files.write_atomic(out / "provenance.json", json.dumps(doc, indent=2) + "\n")


def report_sections(prov: dict) -> list[dict]:
    """Report sections (for :func:`bmdsim.io.report.write_report`) listing the static provenance."""
    secs = []
    lines = [f"bmdsim {prov['bmdsim_version']}."]
    if prov.get("scenario"):
        s = prov["scenario"]
        lines.append(f"Scenario {s['name']} ({s.get('date') or 'undated'}), copied into this folder as "
                     f"{s['file']} (extends resolved, threat set inlined).")
    if prov.get("inputs"):
        lines.append("Inputs: " + "; ".join(f"{k} = {v}" for k, v in prov["inputs"].items()) + ".")
    lines.append("Date, git revision and command line of this run: provenance.json.")
    secs.append({"heading": "Provenance", "paragraphs": lines,
                 "rows": [{"catalog file": c["name"], "kind": c.get("kind", ""), "sha256": c["sha256"]}
                          for c in prov.get("catalogs", [])]})
    a = prov.get("architecture")
    if a:
        r = a["rules"]
        secs.append({"heading": f"Architecture: {a['name']}", "paragraphs": [
            f"Rules: decision time {r['decision_time_s']:g} s; engage on remote tracks: "
            f"{'yes' if r['engage_on_remote'] else 'no'}; cue track factor {r['cue_track_factor']:g}; at most "
            f"{r['max_shots']} shots per site."], "rows": a["sites"]})
        if a["sensors"]:
            secs.append({"heading": "Sensors", "rows": a["sensors"]})
    if prov.get("parameters"):
        secs.append({"heading": "Parameters used (value, plausible range, source or notional)",
                     "rows": [{"parameter": p["parameter"], "value": p["value"],
                               "range": "" if p["low"] is None else f"{p['low']:g}-{p['high']:g}",
                               "notional": "yes" if p["notional"] else "", "source": p["source"]}
                              for p in prov["parameters"]]})
    return secs
