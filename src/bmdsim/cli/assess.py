"""Threat assessment from observed flights (``bmdsim assess``) and missiles from published numbers
(``bmdsim catalog fit``)."""

from __future__ import annotations

import math
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bmdsim.cli.common import (
    CatalogOpt,
    DpiOpt,
    FigureOpt,
    OutFileOpt,
    Projection,
    ProjectionOpt,
    app,
    check_figure_options,
    console,
    emit,
    fail,
    user_catalog,
    warn,
)

PANEL = "Threat assessment"

# default 1-sigma uncertainties when a number comes without one (published figures are rounded)
DEFAULT_APOGEE_SHARE = 0.01
DEFAULT_RANGE_SHARE = 0.02
DEFAULT_TIME_SIGMA_MIN = 0.5
DEFAULT_POINT_SIGMA_KM = 10.0
DEFAULT_BOOST_SHARE = 0.1

_PM = re.compile(r"^\s*([^+±]+?)\s*(?:(?:\+-|\+/-|±)\s*(.+?))?\s*$")

catalog_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                          help="Catalog tools: define a missile from what is published.")
app.add_typer(catalog_app, name="catalog", rich_help_panel=PANEL)


class AssessFormat(StrEnum):
    json = "json"
    text = "text"


def parse_measured(text: str | None, option: str, unit_scale: float, default_sigma=None):
    """``"VALUE"`` or ``"VALUE+-SIGMA"`` (also ``±``, ``+/-``) in display units -> Measured (SI), or None.

    ``default_sigma(value)`` gives the 1-sigma uncertainty (display units) when none is written.
    """
    from bmdsim.model.sizing import Measured

    if text is None:
        return None
    m = _PM.match(str(text))
    try:
        if not m:
            raise ValueError
        value = float(m.group(1))
        sigma = float(m.group(2)) if m.group(2) is not None else default_sigma(value)
    except (ValueError, TypeError):
        fail(f"{option} {text!r}: expected a number, optionally with an uncertainty, e.g. 3700 or 3700+-50")
    if not (math.isfinite(value) and math.isfinite(sigma) and sigma > 0):
        fail(f"{option} {text!r}: value and uncertainty must be finite, the uncertainty > 0")
    return Measured(value * unit_scale, sigma * unit_scale)


def parse_point_sigma(text: str | None, option: str, catalog=None):
    """``LAT,LON`` or a place id (of ``catalog``; None: the built-ins), optionally ``+-KM`` -> PointObs
    (uncertainty in m), or None."""
    from bmdsim.analysis.assess import PointObs
    from bmdsim.model.places import parse_point

    if text is None:
        return None
    m = _PM.match(str(text))
    if not m:
        fail(f"{option} {text!r}: expected LAT,LON or a place id, optionally +-KM")
    lat, lon, label = parse_point(m.group(1), option, catalog)
    sigma_km = DEFAULT_POINT_SIGMA_KM
    if m.group(2) is not None:
        try:
            sigma_km = float(m.group(2))
        except ValueError:
            fail(f"{option} {text!r}: the uncertainty after +- must be a number of km")
        if not (math.isfinite(sigma_km) and sigma_km >= 0):
            fail(f"{option} {text!r}: the uncertainty must be >= 0 km")
    return PointObs(lat, lon, sigma_km * 1e3, label)


def parse_floats(text: str, option: str) -> tuple[float, ...]:
    try:
        vals = tuple(float(x) for x in str(text).split(","))
    except ValueError:
        fail(f"{option} {text!r}: expected comma-separated numbers, e.g. 60,60")
    if not vals or not all(math.isfinite(v) for v in vals):
        fail(f"{option} {text!r}: expected finite numbers")
    return vals


@app.command(rich_help_panel=PANEL)
def assess(
    apogee_km: Annotated[str, typer.Option("--apogee-km", help="observed apogee, km: VALUE or VALUE+-SIGMA "
                                                               "(default 1 sigma: 1 %)")],
    flight_time_min: Annotated[str, typer.Option("--flight-time-min", help="observed flight time, min: VALUE or "
                                                                           "VALUE+-SIGMA (default 1 sigma: 0.5 min)")],
    template: Annotated[str, typer.Option("--template", help="generic-1-stage, generic-2-stage, generic-3-stage or a "
                                                             "catalog missile")],
    range_km: Annotated[str | None, typer.Option("--range-km", help="observed ground range, km: VALUE or "
                                                                    "VALUE+-SIGMA (default 1 sigma: 2 %); optional "
                                                                    "with --launch and --splash")] = None,
    launch: Annotated[str | None, typer.Option("--launch", help="test launch point LAT,LON or place id, optionally "
                                                                "+-KM (default 10 km): the flight is then modelled on "
                                                                "the rotating Earth")] = None,
    splash: Annotated[str | None, typer.Option("--splash", help="splash-down point LAT,LON, optionally +-KM")] = None,
    azimuth_deg: Annotated[float | None, typer.Option(
        "--azimuth-deg", help="launch azimuth (deg from north) when --launch is given without --splash")] = None,
    payload_kg: Annotated[str | None, typer.Option("--payload-kg", help="payload of the test, kg: VALUE or LOW,HIGH "
                                                                        "(tests often fly light; default: the "
                                                                        "template's)")] = None,
    standard_payload_kg: Annotated[float | None, typer.Option(
        "--standard-payload-kg", help="payload for the standard range and reach (default: the test's)")] = None,
    boost_time_s: Annotated[str | None, typer.Option("--boost-time-s", help="known boost time, s: VALUE or "
                                                                            "VALUE+-SIGMA (default 1 sigma 10 %); "
                                                                            "default: the template's")] = None,
    launch_mass_kg: Annotated[float | None, typer.Option("--launch-mass-kg", help="scale the template to this launch "
                                                                                  "mass")] = None,
    reach_from: Annotated[str | None, typer.Option("--reach-from", help="launch point of the reach, LAT,LON or place "
                                                                        "id (default: --launch)")] = None,
    place: Annotated[list[str] | None, typer.Option("--place", help="place to report the reach to, LAT,LON or place "
                                                                    "id (repeatable)")] = None,
    no_sensitivity: Annotated[bool, typer.Option("--no-sensitivity", help="skip the other templates and payload "
                                                                          "ends (faster)")] = False,
    fmt: Annotated[AssessFormat, typer.Option("--format", help="json or text")] = AssessFormat.json,
    out: OutFileOpt = None,
    figure: FigureOpt = None,
    dpi: DpiOpt = 150,
    projection: ProjectionOpt = Projection.auto,
    save_missile: Annotated[str | None, typer.Option("--save-missile", help="write the fitted missile as a catalog "
                                                                            "entry named NAME")] = None,
    missile_file: Annotated[Path | None, typer.Option("--missile-file", help="file for --save-missile (default "
                                                                             "NAME.yaml)")] = None,
    catalog: CatalogOpt = None,
) -> None:
    """Assess a missile from a test: apogee, range and flight time (with uncertainties) -> burnout speeds, the
    standard range (minimum-energy, non-rotating Earth), the reach toward places, each with a 90 % interval.

    The template (a performance factor, the loft and the burn time) is fitted with a staged boost, gravity and
    drag; the other templates and the ends of the payload range are shown beside, and the naive
    same-burnout-speed Kepler conversion for comparison. Uncertainties are 1 sigma.
    """
    from bmdsim.analysis.assess import ObservedTest, Target
    from bmdsim.analysis.assess import assess as run_assess
    from bmdsim.io import files
    from bmdsim.model.places import parse_point

    if out is not None:
        files.check_writable(out)
    check_figure_options(dpi, figure)
    cat = user_catalog(catalog)
    target_file = None
    if save_missile is not None:
        if not save_missile.strip():
            fail("--save-missile needs a NAME")
        target_file = missile_file or Path(re.sub(r"[^A-Za-z0-9_.-]+", "_", save_missile.strip()) + ".yaml")
        files.check_writable(target_file)
        _warn_taken(cat, save_missile.strip())
    elif missile_file is not None:
        fail("--missile-file needs --save-missile NAME")
    obs = ObservedTest(
        apogee_m=parse_measured(apogee_km, "--apogee-km", 1e3, lambda v: DEFAULT_APOGEE_SHARE * abs(v)),
        flight_time_s=parse_measured(flight_time_min, "--flight-time-min", 60.0, lambda v: DEFAULT_TIME_SIGMA_MIN),
        range_m=parse_measured(range_km, "--range-km", 1e3, lambda v: DEFAULT_RANGE_SHARE * abs(v)),
        launch=parse_point_sigma(launch, "--launch", cat), splash=parse_point_sigma(splash, "--splash", cat),
        azimuth_deg=azimuth_deg)
    payload = None
    if payload_kg is not None:
        vals = parse_floats(payload_kg, "--payload-kg")
        if len(vals) not in (1, 2):
            fail(f"--payload-kg {payload_kg!r}: expected VALUE or LOW,HIGH")
        payload = (vals[0], vals[-1])
    boost = parse_measured(boost_time_s, "--boost-time-s", 1.0, lambda v: DEFAULT_BOOST_SHARE * abs(v))
    origin = None
    if reach_from is not None:
        lat, lon, label = parse_point(reach_from, "--reach-from", cat)
        origin = Target(lat, lon, label)
    places = []
    for p in place or []:
        lat, lon, label = parse_point(p, "--place", cat)
        places.append(Target(lat, lon, label))
    if figure is not None and obs.launch is None and origin is None:
        fail("--figure needs a point on the map: give --launch (and --splash) or --reach-from")
    with console.status("fitting the template to the test ...") if console.is_terminal else _null():
        res = run_assess(obs, template, payload_kg=payload, standard_payload_kg=standard_payload_kg, boost_time=boost,
                         launch_mass_kg=launch_mass_kg, reach_from=origin, places=places,
                         sensitivity=not no_sensitivity, catalog=cat)
    warn(res.warnings)  # also in the report; on stderr so that a poor fit is not missed
    text = res.to_json() if fmt == AssessFormat.json else res.to_text()
    missile_text = res.to_missile_yaml(save_missile) if save_missile is not None else None
    if figure is not None:
        res.plot(figure, dpi=dpi, projection=projection.value)
        _note(f"wrote {figure}")
    if missile_text is not None:
        files.write_atomic(target_file, missile_text)
        _note(f"wrote {target_file}")
    emit(text, out)


def _warn_taken(cat, name: str) -> None:
    """Warn when a missile written under ``name`` would clash with an entry of the catalog context."""
    from bmdsim.errors import UnknownNameError

    try:
        taken = cat.missile(name)
    except UnknownNameError:
        return
    warn([f"missile name {name!r} is already taken by {taken.name!r} ({cat.origin('missiles', taken.name)}): "
          "loading the written file with --catalog needs another name, or `override: true` in the entry"])


def _note(text: str) -> None:
    """A progress note on stderr (standard output carries the data)."""
    from rich.console import Console

    Console(stderr=True).print(text, style="dim")


def _null():
    import contextlib

    return contextlib.nullcontext()


class Propellant(StrEnum):
    solid = "solid"
    liquid = "liquid"


@catalog_app.command("fit")
def catalog_fit(
    name: Annotated[str, typer.Option("--name", help="name of the new missile")],
    stages: Annotated[int, typer.Option("--stages", help="number of stages (1-4)")],
    range_km: Annotated[str, typer.Option("--range-km", help="nominal range, km (minimum-energy, non-rotating "
                                                             "Earth): VALUE or VALUE+-SIGMA (default 1 sigma 5 %)")],
    burn_times_s: Annotated[str, typer.Option("--burn-times-s", help="burn time of each stage, s (e.g. 60,60), or one "
                                                                     "total boost time")],
    propellant: Annotated[Propellant, typer.Option("--propellant", help="solid or liquid (storable)")] =
    Propellant.solid,
    launch_mass_kg: Annotated[float | None, typer.Option("--launch-mass-kg", help="launch mass, kg")] = None,
    payload_kg: Annotated[float | None, typer.Option("--payload-kg", help="payload (everything above the last "
                                                                          "stage), kg")] = None,
    diameter_m: Annotated[float | None, typer.Option("--diameter-m", help="body diameter, m (default: from the "
                                                                          "launch mass)")] = None,
    missile_class: Annotated[str | None, typer.Option("--class", help="SRBM, MRBM, IRBM, ICBM or SLBM (default: "
                                                                      "from the range)")] = None,
    country: Annotated[str, typer.Option("--country", help="country (free text)")] = "unknown",
    full_name: Annotated[str | None, typer.Option("--full-name", help="full name (free text)")] = None,
    test_apogee_km: Annotated[str | None, typer.Option("--test-apogee-km", help="a test's apogee, km: VALUE or "
                                                                            "VALUE+-SIGMA (default 1 %)")] = None,
    test_range_km: Annotated[str | None, typer.Option("--test-range-km", help="the test's ground range, km (default "
                                                                          "1 sigma 2 %)")] = None,
    test_flight_time_min: Annotated[str | None, typer.Option("--test-flight-time-min", help="the test's flight time, "
                                                                                       "min (default 1 sigma "
                                                                                       "0.5 min)")] = None,
    test_payload_kg: Annotated[float | None, typer.Option("--test-payload-kg", help="payload of the test (default "
                                                                                    "the nominal)")] = None,
    out: OutFileOpt = None,
    catalog: CatalogOpt = None,
) -> None:
    """Size notional stage data (propellant and dry mass per stage, Isp, diameter, drag) that reproduce the few
    published numbers of a missile, and write it as a catalog entry (`missiles: [entry]`, every number notional,
    the fit recorded in comments and the `tuning` line).

    Stage split for maximum ideal delta-v with typical dry fractions scaled to the range's delta-v, then the Isp
    factor fitted to the nominal range on the full model, or to the nominal range and a test flight together.
    """
    from bmdsim.io import files
    from bmdsim.model.sizing import PublishedTest, SizingInputs, size_missile

    if out is not None:
        files.check_writable(out)
    _warn_taken(user_catalog(catalog), name)
    rng = parse_measured(range_km, "--range-km", 1e3, lambda v: 0.05 * abs(v))
    test_opts = (test_apogee_km, test_range_km, test_flight_time_min)
    test = None
    if any(t is not None for t in test_opts):
        if not all(t is not None for t in test_opts):
            fail("a test flight needs all three of --test-apogee-km, --test-range-km and --test-flight-time-min")
        test = PublishedTest(
            apogee_m=parse_measured(test_apogee_km, "--test-apogee-km", 1e3, lambda v: DEFAULT_APOGEE_SHARE * abs(v)),
            range_m=parse_measured(test_range_km, "--test-range-km", 1e3, lambda v: DEFAULT_RANGE_SHARE * abs(v)),
            flight_time_s=parse_measured(test_flight_time_min, "--test-flight-time-min", 60.0,
                                         lambda v: DEFAULT_TIME_SIGMA_MIN),
            payload_kg=test_payload_kg)
    elif test_payload_kg is not None:
        fail("--test-payload-kg needs a test flight (--test-apogee-km, --test-range-km, --test-flight-time-min)")
    inp = SizingInputs(name=name, stages=stages, range_m=rng.value, range_sigma_m=rng.sigma,
                       burn_times_s=parse_floats(burn_times_s, "--burn-times-s"), propellant=propellant.value,
                       launch_mass_kg=launch_mass_kg, payload_kg=payload_kg, diameter_m=diameter_m,
                       missile_class=missile_class, country=country, full_name=full_name, test=test)
    with console.status("sizing ...") if console.is_terminal else _null():
        res = size_missile(inp)
    emit(res.to_yaml(), out)
