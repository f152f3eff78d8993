"""Define a missile from what is published: size notional stage data that reproduce a few numbers.

An analyst usually has the number of stages, the launch mass or the payload, the burn times (or the
boost time), the propellant type and a nominal range, and perhaps the apogee, range and flight time of
a test. :func:`size_missile` turns them into a catalog entry (:class:`bmdsim.model.missiles.Missile`,
every number ``notional: true`` with a note saying where it comes from) in four steps, the rule the
built-in entries were sized by hand with (the ``tuning`` lines of ``catalog/missiles.yaml``):

1. typical values for the propellant (:data:`PROPELLANTS`: effective Isp per stage, dry-mass
   fractions dry / (dry + propellant) per stage);
2. the mass split between the stages that maximises the ideal (Tsiolkovsky) delta-v for the launch
   mass and payload (:func:`optimal_staging`: the Lagrange-multiplier solution, e.g. H. D. Curtis,
   Orbital Mechanics for Engineering Students, 3rd ed., section 11.6), with the dry fractions scaled
   by one factor until that delta-v equals the minimum-energy burnout speed for the nominal range
   (spherical Earth, R = 6,371 km; :func:`bmdsim.core.kepler.min_energy_speed_m_s`) plus a typical
   gravity + drag loss (:func:`loss_allowance_m_s`). When only one of launch mass and payload is
   given, the other is solved for with the typical dry fractions instead;
3. diameter from the launch mass (:func:`body_diameter_m`), drag coefficient, vertical rise and
   pitch-over by class;
4. ``isp_scale`` fitted with the full model so that the standard range (minimum-energy, non-rotating
   sphere, full burn, nominal payload; :mod:`bmdsim.model.calibration`) equals the nominal range;
   or, when a test flight is given, ``isp_scale`` and the test's loft fitted by weighted least squares
   to the nominal range and the test's apogee, range and flight time together
   (:func:`bmdsim.core.assess.fit`), the residuals recorded.

The generic templates of ``bmdsim assess`` (``catalog/templates.yaml``) are entries sized this way
(``tools/make_templates.py``); :func:`get_template` looks up a template or a catalog missile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import yaml
from scipy.optimize import brentq

from bmdsim.core import assess as core_assess
from bmdsim.core import calibration as core_cal
from bmdsim.core import kepler
from bmdsim.core.earth import G0_M_PER_S2, R_MEAN_M
from bmdsim.errors import BmdsimError
from bmdsim.model.calibration import fit_missile
from bmdsim.model.missiles import Missile
from bmdsim.model.names import parse_catalog
from bmdsim.model.params import Param

MAX_STAGES = 4
ROUND_MASS_KG = 10.0  # stage masses are written to the nearest 10 kg
RANGE_SHARE_DEFAULT = 0.05  # the nominal range's uncertainty (1 sigma) when none is given: 5 %
BULK_DENSITY_KG_M3 = 800.0  # launch mass / body volume, typical of ballistic missiles (see body_diameter_m)
LENGTH_TO_DIAMETER = 11.5
DRY_SCALE_BOUNDS = (0.25, 4.0)  # how far the typical dry fractions may be scaled
Z = core_assess.Z90  # low/high of a Param given with a 1-sigma uncertainty: +-1.645 sigma (90 %)

# Typical values (notional). Effective (trajectory-average) Isp by stage position, and dry-mass
# fractions dry / (dry + propellant) of the first, second, ... stage, as used for the built-in entries
# (catalog/missiles.yaml: solid stages 0.073-0.104 (SS-25, SS-27), storable-liquid 0.042-0.060 for
# ICBMs (SS-18, SS-19)); the sizing scales the fractions by one factor (see the module docstring).
PROPELLANTS = {
    "solid": {"isp_s": (265.0, 280.0, 285.0, 285.0), "dry_fraction": (0.080, 0.090, 0.110, 0.120),
              "isp_note": "typical effective Isp of a solid {pos} stage; not public",
              "isp_share": 0.05},
    "liquid": {"isp_s": (290.0, 310.0, 315.0, 315.0), "dry_fraction": (0.060, 0.070, 0.090, 0.100),
               "isp_note": "typical effective Isp of a storable-liquid {pos} stage; not public",
               "isp_share": 0.05},
}
PROPELLANT_ALIASES = {"solid": "solid", "liquid": "liquid", "storable-liquid": "liquid", "storable_liquid": "liquid",
                      "storable liquid": "liquid"}

# Gravity + drag loss allowance (km/s) by nominal range (km): the values the built-in entries were
# sized with (their `tuning` lines: SRBM ~0.4, MRBM ~0.72-0.8, IRBM ~0.9, ICBM/SLBM 1.15-1.2),
# interpolated linearly in between.
LOSS_TABLE_KM = np.array([0.0, 500.0, 1300.0, 2000.0, 3700.0, 8000.0, 12000.0])
LOSS_TABLE_KMS = np.array([0.30, 0.40, 0.72, 0.80, 0.90, 1.15, 1.20])

# by class: (vertical rise s, pitch-over s, RV ballistic coefficient kg/m^2, RV RCS m^2, booster RCS m^2)
CLASS_DEFAULTS = {
    "SRBM": (4.0, 8.0, 4600.0, 0.1, 0.5),
    "MRBM": (8.0, 8.0, 6100.0, 0.1, 2.0),
    "IRBM": (8.0, 8.0, 6100.0, 0.1, 2.0),
    "ICBM": (10.0, 10.0, 12200.0, 0.05, 4.0),
    "SLBM": (10.0, 10.0, 12200.0, 0.05, 4.0),
}

# The Isp factor a fit may need before the inputs are called inconsistent: the built-in catalog's factors
# lie in 0.9-1.25 (Iskander's 1.23 is the largest: a point-mass model of a quasi-ballistic SRBM); beyond
# 0.7-1.3 the given masses, burn times and range do not describe one missile of typical propellants.
ISP_SCALE_PLAUSIBLE = (0.7, 1.3)


def missile_class(range_km: float) -> str:
    """US DoD range classes: SRBM < 1,000 km <= MRBM < 3,000 <= IRBM < 5,500 <= ICBM."""
    if range_km < 1000.0:
        return "SRBM"
    if range_km < 3000.0:
        return "MRBM"
    if range_km < 5500.0:
        return "IRBM"
    return "ICBM"


def loss_allowance_m_s(range_km: float) -> float:
    """Typical gravity + drag loss (m/s) of a missile of that nominal range (:data:`LOSS_TABLE_KM`)."""
    return float(np.interp(range_km, LOSS_TABLE_KM, LOSS_TABLE_KMS)) * 1e3


def min_energy_burnout_speed_m_s(range_km: float) -> float:
    """Minimum-energy burnout speed (m/s) for a range on the non-rotating sphere, burnout at the surface."""
    return float(kepler.min_energy_speed_m_s(R_MEAN_M, range_km * 1e3 / R_MEAN_M))


def body_diameter_m(launch_mass_kg: float) -> float:
    """Body diameter (m) of a missile of that launch mass: mass / (rho pi d^2 / 4 * L/D d) with bulk density
    800 kg/m^3 and L/D 11.5, the averages of SS-18, SS-19, SS-27, Minuteman III, Scud-B and Shahab-3
    (732-903 kg/m^3, L/D 10.8-12.8 from their commonly quoted masses and dimensions; notional)."""
    return (launch_mass_kg / (BULK_DENSITY_KG_M3 * math.pi / 4.0 * LENGTH_TO_DIAMETER)) ** (1.0 / 3.0)


# --------------------------------------------------------------------------------------- staging
@dataclass(frozen=True)
class Staging:
    """A stage mass split (kg, first stage first) and its ideal delta-v (m/s)."""

    propellant_kg: tuple[float, ...]
    dry_kg: tuple[float, ...]
    delta_v_m_s: float


def ideal_delta_v_m_s(propellant_kg, dry_kg, isp_s, payload_kg: float) -> float:
    """Tsiolkovsky delta-v (m/s) of the stack: sum of Isp g0 ln(m0 / (m0 - m_prop)) over the stages."""
    m = float(payload_kg + sum(propellant_kg) + sum(dry_kg))
    dv = 0.0
    for mp, md, isp in zip(propellant_kg, dry_kg, isp_s, strict=True):
        dv += isp * G0_M_PER_S2 * math.log(m / (m - mp))
        m -= mp + md
    return dv


def optimal_staging(launch_mass_kg: float, payload_kg: float, isp_s: Sequence[float],
                    dry_fraction: Sequence[float]) -> Staging:
    """The split of ``launch_mass_kg - payload_kg`` between stages that maximises the ideal delta-v.

    Stage i has exhaust speed c_i = Isp_i g0 and dry fraction e_i = dry / (dry + propellant). The
    optimum (Lagrange multiplier eta; Curtis, Orbital Mechanics for Engineering Students, 3rd ed.,
    eqs. 11.74-11.77) has stage mass ratios n_i = (c_i eta - 1) / (c_i e_i eta) and step ratios
    m0_i / m0_(i+1) = n_i (1 - e_i) / (1 - n_i e_i) whose product is the launch mass over the payload;
    eta is found by Brent's method. Raises ValueError if no split reaches that mass ratio (launch
    mass not above the payload, or fractions outside (0, 1)).
    """
    c = np.asarray(isp_s, dtype=float) * G0_M_PER_S2
    e = np.asarray(dry_fraction, dtype=float)
    if not (launch_mass_kg > payload_kg > 0):
        raise ValueError(f"launch mass ({launch_mass_kg:g} kg) must exceed the payload ({payload_kg:g} kg) > 0")
    if not np.all((e > 0) & (e < 1)) or not np.all(c > 0) or c.size != e.size:
        raise ValueError("dry fractions must lie in (0, 1) and Isp be > 0, one per stage")
    target = math.log(launch_mass_kg / payload_kg)

    def ratios(eta):
        n = (c * eta - 1.0) / (c * e * eta)
        return n, n * (1.0 - e) / (1.0 - n * e)

    def f(eta):
        n, lam = ratios(eta)
        if np.any(n <= 1.0) or np.any(n * e >= 1.0):
            return -np.inf if np.any(n <= 1.0) else np.inf
        return float(np.sum(np.log(lam))) - target

    # n_i > 1 needs eta > 1 / (c_i (1 - e_i)); n_i e_i < 1 holds for every finite eta
    lo = float(np.max(1.0 / (c * (1.0 - e)))) * (1.0 + 1e-12)
    if f(lo) >= 0.0:
        raise ValueError("the launch-to-payload mass ratio is too small for every stage to have mass: use fewer "
                         "stages")
    hi = lo * 2.0
    while f(hi) < 0.0:
        hi *= 2.0
        if hi > lo * 1e12:
            raise ValueError("no stage split reaches that launch-to-payload mass ratio")
    eta = brentq(f, lo, hi, xtol=1e-16 * hi, rtol=1e-14)
    n, lam = ratios(eta)
    m0 = payload_kg * np.cumprod(lam[::-1])[::-1]  # stack mass at each stage's ignition
    m_next = np.append(m0[1:], payload_kg)
    stage = m0 - m_next
    prop = tuple(float(x) for x in (1.0 - e) * stage)
    dry = tuple(float(x) for x in e * stage)
    return Staging(prop, dry, float(np.sum(c * np.log(n))))


# --------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Measured:
    """A published number (SI) and its standard uncertainty (1 sigma, same unit)."""

    value: float
    sigma: float


@dataclass(frozen=True)
class PublishedTest:
    """A published test flight: apogee (m), ground range (m), flight time (s), each with 1 sigma; the
    payload it flew (kg; None: the nominal payload)."""

    apogee_m: Measured
    range_m: Measured
    flight_time_s: Measured
    payload_kg: float | None = None


@dataclass(frozen=True)
class SizingInputs:
    """What the analyst has (SI inside; see :func:`size_missile`)."""

    name: str
    stages: int
    range_m: float
    burn_times_s: tuple[float, ...]  # one per stage, or one total to be split
    propellant: str = "solid"
    launch_mass_kg: float | None = None
    payload_kg: float | None = None
    range_sigma_m: float | None = None  # the nominal range's 1-sigma uncertainty (default 5 %)
    diameter_m: float | None = None
    missile_class: str | None = None
    country: str = "unknown"
    full_name: str | None = None
    test: PublishedTest | None = None


STAGE_POSITIONS = ("first", "second", "third", "fourth")
# how a total boost time is split when only the total is given (shares by stage position)
BURN_SHARES = {1: (1.0,), 2: (0.5, 0.5), 3: (0.36, 0.34, 0.30), 4: (0.3, 0.27, 0.23, 0.2)}


def check_inputs(inp: SizingInputs) -> SizingInputs:
    """Validate; raises a one-line :class:`BmdsimError` naming what is wrong and what is valid."""
    if not inp.name or not inp.name.strip():
        raise BmdsimError("--name must not be empty")
    if not 1 <= inp.stages <= MAX_STAGES:
        raise BmdsimError(f"--stages {inp.stages}: expected 1..{MAX_STAGES}")
    if inp.propellant not in PROPELLANTS:
        raise BmdsimError(f"--propellant {inp.propellant!r}: expected one of {', '.join(PROPELLANTS)}")
    if not (math.isfinite(inp.range_m) and 50e3 <= inp.range_m <= 16000e3):
        raise BmdsimError(f"--range-km {inp.range_m / 1e3:g}: expected 50..16,000 km (a ballistic range)")
    if len(inp.burn_times_s) not in (1, inp.stages):
        raise BmdsimError(f"--burn-times-s has {len(inp.burn_times_s)} values for {inp.stages} stages: give one "
                          f"per stage, or one total boost time")
    if not all(math.isfinite(b) and 5.0 <= b <= 600.0 for b in inp.burn_times_s):
        raise BmdsimError(f"--burn-times-s {','.join(f'{b:g}' for b in inp.burn_times_s)}: each must be 5..600 s")
    if inp.launch_mass_kg is None and inp.payload_kg is None:
        raise BmdsimError("give --launch-mass-kg or --payload-kg (or both)")
    # ballistic missiles from a 100 kg sounding rocket to a 1,000 t super-heavy ICBM; payload 10 kg to 50 t;
    # bodies 0.1 to 10 m across (outside these the sizing's typical fractions mean nothing)
    for nm, v, lo, hi in (("--launch-mass-kg", inp.launch_mass_kg, 100.0, 1.0e6),
                          ("--payload-kg", inp.payload_kg, 10.0, 5.0e4), ("--diameter-m", inp.diameter_m, 0.1, 10.0)):
        if v is not None and not (math.isfinite(v) and lo <= v <= hi):
            raise BmdsimError(f"{nm} {v:.6g}: expected {lo:g} to {hi:,.0f}")
    if (inp.launch_mass_kg is not None and inp.payload_kg is not None
            and not inp.payload_kg < 0.5 * inp.launch_mass_kg):
        raise BmdsimError(f"--payload-kg {inp.payload_kg:g} must be well below the launch mass "
                          f"{inp.launch_mass_kg:g} kg (less than half)")
    if inp.range_sigma_m is not None and not (math.isfinite(inp.range_sigma_m) and inp.range_sigma_m > 0):
        raise BmdsimError(f"the nominal range's uncertainty must be > 0, got {inp.range_sigma_m / 1e3:g} km")
    if inp.missile_class is not None and inp.missile_class not in CLASS_DEFAULTS:
        raise BmdsimError(f"--class {inp.missile_class!r}: expected one of {', '.join(CLASS_DEFAULTS)}")
    if inp.test is not None:
        t = inp.test
        for nm, mv, lo, hi in (("--test-apogee-km", t.apogee_m, 20e3, 10000e3),
                               ("--test-range-km", t.range_m, 10e3, 16000e3),
                               ("--test-flight-time-min", t.flight_time_s, 60.0, 10800.0)):
            scale = 60.0 if nm.endswith("min") else 1e3
            if not (math.isfinite(mv.value) and lo <= mv.value <= hi):
                raise BmdsimError(f"{nm} {mv.value / scale:g}: expected {lo / scale:g}..{hi / scale:g}")
            if not (math.isfinite(mv.sigma) and mv.sigma > 0):
                raise BmdsimError(f"{nm}: the uncertainty must be > 0, got {mv.sigma / scale:g}")
        if t.payload_kg is not None and not (math.isfinite(t.payload_kg) and t.payload_kg > 0):
            raise BmdsimError(f"--test-payload-kg {t.payload_kg}: must be a positive number")
    return inp


# --------------------------------------------------------------------------------------- sizing
@dataclass
class SizingResult:
    """The sized missile, and the record of the fit (inputs, method, residuals; JSON-ready, date-free)."""

    missile: Missile
    record: dict = field(default_factory=dict)

    def to_yaml(self) -> str:
        """The entry as a catalog file ``missiles: [entry]`` (validated by parsing it back), with the fit
        record as a comment block above it. Deterministic."""
        return missile_yaml(self.missile, comment=record_comment(self.record))


def _p(value: float, note: str, share: float | None = None, low: float | None = None, high: float | None = None,
       digits: int | None = None) -> Param:
    """A notional Param; low/high from a relative ``share`` unless given."""
    def rnd(x):
        return float(round(x, digits)) if digits is not None else float(f"{x:.6g}")
    v = rnd(value)
    if share is not None:
        low, high = rnd(value * (1 - share)), rnd(value * (1 + share))
    if low is not None:
        low = min(rnd(low), v)
    if high is not None:
        high = max(rnd(high), v)
    return Param(value=v, notional=True, note=note, low=low, high=high)


def _round_mass(x: float) -> float:
    return float(max(ROUND_MASS_KG, round(x / ROUND_MASS_KG) * ROUND_MASS_KG))


def size_stages(inp: SizingInputs) -> tuple[Staging, float, float, float, dict]:
    """Steps 1-2 of the module docstring: (staging, launch mass kg, payload kg, dry-fraction scale, notes)."""
    prop = PROPELLANTS[inp.propellant]
    n = inp.stages
    isp = prop["isp_s"][:n]
    e0 = np.array(prop["dry_fraction"][:n])
    target = min_energy_burnout_speed_m_s(inp.range_m / 1e3) + loss_allowance_m_s(inp.range_m / 1e3)
    notes = {"delta_v_target_m_s": target,
             "min_energy_burnout_speed_m_s": min_energy_burnout_speed_m_s(inp.range_m / 1e3),
             "loss_allowance_m_s": loss_allowance_m_s(inp.range_m / 1e3)}
    m0, mpl = inp.launch_mass_kg, inp.payload_kg

    def dv(m0_, mpl_, scale):
        try:
            return optimal_staging(m0_, mpl_, isp, np.clip(e0 * scale, 1e-4, 0.9)).delta_v_m_s
        except ValueError:  # a mass ratio too small for n stages: far below any ballistic range's need
            return 0.0

    if m0 is not None and mpl is not None:
        lo, hi = DRY_SCALE_BOUNDS
        f_lo, f_hi = dv(m0, mpl, lo) - target, dv(m0, mpl, hi) - target
        if f_lo < 0:
            best = dv(m0, mpl, lo)
            why = (f"ideal delta-v {best / 1e3:.2f} km/s < {target / 1e3:.2f} km/s needed" if best > 0 else
                   f"its launch-to-payload mass ratio {m0 / mpl:.2f} is too small for {n} stages")
            raise BmdsimError(
                f"a {m0:,.0f} kg {n}-stage {inp.propellant} missile cannot carry {mpl:,.0f} kg to "
                f"{inp.range_m / 1e3:,.0f} km even with dry-mass fractions {lo:g} x typical ({why}); give a larger "
                f"launch mass, a smaller payload, more stages or a shorter range")
        if f_hi > 0:
            raise BmdsimError(
                f"a {m0:,.0f} kg {n}-stage {inp.propellant} missile carrying {mpl:,.0f} kg reaches "
                f"{inp.range_m / 1e3:,.0f} km even with dry-mass fractions {hi:g} x typical (ideal delta-v "
                f"{dv(m0, mpl, hi) / 1e3:.2f} km/s > {target / 1e3:.2f} km/s needed): the numbers do not describe "
                f"one missile; check the launch mass, payload and range")
        scale = float(brentq(lambda s: dv(m0, mpl, s) - target, lo, hi, xtol=1e-10))
    elif m0 is not None:
        scale = 1.0
        if dv(m0, 1e-6 * m0, 1.0) < target:
            raise BmdsimError(f"a {m0:,.0f} kg {n}-stage {inp.propellant} missile with typical dry fractions cannot "
                              f"reach {inp.range_m / 1e3:,.0f} km with any payload; give --payload-kg too, or more "
                              f"stages")
        mpl = float(brentq(lambda p: dv(m0, p, 1.0) - target, 1e-6 * m0, 0.5 * m0, xtol=1e-6))
    else:
        scale = 1.0
        asymptote = sum(i * G0_M_PER_S2 * math.log(1.0 / e) for i, e in zip(isp, e0, strict=True))
        if asymptote <= target * 1.02:
            raise BmdsimError(f"no {n}-stage {inp.propellant} missile with typical dry fractions reaches "
                              f"{inp.range_m / 1e3:,.0f} km (ideal delta-v at most {asymptote / 1e3:.2f} km/s < "
                              f"{target / 1e3:.2f} km/s); give more stages or --launch-mass-kg too")
        hi = mpl * 10.0
        while dv(hi, mpl, 1.0) < target:
            hi *= 2.0
            if hi > mpl * 1e5:
                raise BmdsimError(f"no {n}-stage {inp.propellant} missile reaches {inp.range_m / 1e3:,.0f} km "
                                  f"with a {mpl:,.0f} kg payload; give more stages")
        m0 = float(brentq(lambda m: dv(m, mpl, 1.0) - target, mpl * 1.01, hi, xtol=1e-6))
    st = optimal_staging(m0, mpl, isp, np.clip(e0 * scale, 1e-4, 0.9))
    prop_kg = [_round_mass(x) for x in st.propellant_kg]
    dry_kg = tuple(_round_mass(x) for x in st.dry_kg)
    mpl_r = float(mpl) if inp.payload_kg is not None else _round_mass(mpl)
    if inp.launch_mass_kg is not None:  # the first stage's propellant takes the rounding: launch mass as given
        prop_kg[0] += inp.launch_mass_kg - (sum(prop_kg) + sum(dry_kg) + mpl_r)
    prop_kg = tuple(float(x) for x in prop_kg)
    st = Staging(prop_kg, dry_kg, ideal_delta_v_m_s(prop_kg, dry_kg, isp, mpl_r))
    return st, float(sum(prop_kg) + sum(dry_kg) + mpl_r), mpl_r, scale, notes


def _burn_times(inp: SizingInputs) -> tuple[float, ...]:
    if len(inp.burn_times_s) == inp.stages:
        return tuple(float(b) for b in inp.burn_times_s)
    total = float(inp.burn_times_s[0])
    return tuple(round(total * s, 1) for s in BURN_SHARES[inp.stages])


def build_missile(inp: SizingInputs, staging: Staging, launch_mass_kg: float, payload_kg: float, dry_scale: float,
                  isp_scale: float = 1.0, isp_scale_low: float | None = None, isp_scale_high: float | None = None,
                  isp_scale_note: str = "uncalibrated", tuning: str = "", range_note: str | None = None) -> Missile:
    """The catalog entry (every number notional, with a note) from sized stages."""
    prop = PROPELLANTS[inp.propellant]
    n = inp.stages
    cls = inp.missile_class or missile_class(inp.range_m / 1e3)
    rise, pitch, beta, rv_rcs, boost_rcs = CLASS_DEFAULTS[cls]
    d = inp.diameter_m or body_diameter_m(launch_mass_kg)
    d_note = ("given to bmdsim catalog fit" if inp.diameter_m else
              f"from the launch mass {launch_mass_kg:,.0f} kg (bulk density 800 kg/m^3, length/diameter 11.5; "
              f"bmdsim.model.sizing.body_diameter_m); upper stages the same")
    burns = _burn_times(inp)
    burn_note = ("given to bmdsim catalog fit" if len(inp.burn_times_s) == n else
                 f"share of the given boost time {inp.burn_times_s[0]:g} s (bmdsim.model.sizing.BURN_SHARES)")
    given = "given to bmdsim catalog fit"
    mass_src = (f"launch mass {launch_mass_kg:,.0f} kg {'(given)' if inp.launch_mass_kg else '(sized)'}, payload "
                f"{payload_kg:,.0f} kg {'(given)' if inp.payload_kg else '(sized)'}")
    stages = []
    for i in range(n):
        e_i = staging.dry_kg[i] / (staging.dry_kg[i] + staging.propellant_kg[i])
        stages.append({
            "propellant_mass_kg": _p(staging.propellant_kg[i], f"optimal stage split for maximum ideal delta-v "
                                     f"({mass_src}); bmdsim catalog fit", share=0.1, digits=0),
            "dry_mass_kg": _p(staging.dry_kg[i], f"dry fraction {e_i:.3f} of the stage: typical {inp.propellant} "
                              f"fraction x {dry_scale:.3f} (bmdsim catalog fit)", share=0.3, digits=0),
            "burn_time_s": _p(burns[i], burn_note, share=0.15, digits=1),
            "isp_s": _p(prop["isp_s"][i], prop["isp_note"].format(pos=STAGE_POSITIONS[i]), share=prop["isp_share"],
                        digits=1),
            "diameter_m": _p(d, d_note, share=0.1, digits=2),
        })
    payload_note = (given if inp.payload_kg else
                    f"sized: the payload a {launch_mass_kg:,.0f} kg missile with typical dry fractions carries to the "
                    f"nominal range (bmdsim catalog fit)")
    range_sigma = inp.range_sigma_m if inp.range_sigma_m is not None else RANGE_SHARE_DEFAULT * inp.range_m
    rng = _p(inp.range_m / 1e3, range_note or f"{given} (standard range: minimum-energy, non-rotating sphere, "
             f"full burn, nominal payload); low/high = +-1.645 sigma", low=(inp.range_m - Z * range_sigma) / 1e3,
             high=(inp.range_m + Z * range_sigma) / 1e3, digits=1)
    data = {
        "name": inp.name, "full_name": inp.full_name or f"{inp.name} (sized by bmdsim catalog fit)",
        "country": inp.country, "class": cls, "aliases": [],
        "nominal_range_km": rng,
        "stages": stages,
        "payload_mass_kg": _p(payload_kg, payload_note, share=0.2, digits=0),
        "rv": {
            "mass_kg": _p(payload_kg, "single RV = the whole payload (bmdsim catalog fit)", share=0.2, digits=0),
            "ballistic_coefficient_kg_m2": _p(beta, f"typical {cls} RV (facts.yaml EST, N/m^2 divided by g0)",
                                              share=0.33, digits=0),
            "rcs_m2": _p(rv_rcs, f"typical nose-on RCS of a {cls} RV (EST)", low=rv_rcs / 5, high=rv_rcs * 3),
        },
        "booster_rcs_m2": _p(boost_rcs, "EST broadside-averaged RCS of the burning booster body", low=boost_rcs / 2,
                             high=boost_rcs * 2),
        "drag_cd": _p(0.3, "trajectory-average axial drag coefficient on the first-stage frontal area", low=0.2,
                      high=0.5),
        "vertical_rise_s": _p(rise, f"typical {cls} vertical rise before pitch-over (EST)", low=rise * 0.6,
                              high=rise * 1.5),
        "pitchover_s": _p(pitch, f"typical {cls} pitch-over duration (EST)", low=5.0, high=15.0),
        "isp_scale": Param(value=round(isp_scale, 4), notional=True, note=isp_scale_note,
                           low=None if isp_scale_low is None else min(round(isp_scale_low, 4), round(isp_scale, 4)),
                           high=None if isp_scale_high is None else max(round(isp_scale_high, 4), round(isp_scale, 4))),
        "tuning": tuning or "sized by bmdsim catalog fit",
    }
    try:
        return Missile.model_validate(data)
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        raise BmdsimError(f"the sized entry is not a valid catalog missile: {' '.join(str(err).split())}") from None


def size_missile(inp: SizingInputs) -> SizingResult:
    """Size notional stage data from published numbers (see the module docstring); raises BmdsimError.

    Returns the entry and a record of the fit: the inputs (SI and display units), the method, the
    fitted factors, and the residuals of every fitted number (model - given, and in sigmas).
    """
    inp = check_inputs(inp)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # failed trial flights are NaN by design
        try:
            return _size_missile(inp)
        except (ZeroDivisionError, OverflowError, FloatingPointError) as err:
            raise BmdsimError(f"the numbers given cannot make a missile ({type(err).__name__}: {err}); check the "
                              "launch mass, payload, diameter, burn times and range") from None


def _size_missile(inp: SizingInputs) -> SizingResult:
    staging, m0, mpl, dry_scale, notes = size_stages(inp)
    trial = build_missile(inp, staging, m0, mpl, dry_scale)
    spec1 = trial.rocket_spec(1.0)
    range_sigma = inp.range_sigma_m if inp.range_sigma_m is not None else RANGE_SHARE_DEFAULT * inp.range_m
    record = {
        "tool": "bmdsim catalog fit",
        "inputs": _inputs_record(inp),
        "method": ("typical " + inp.propellant + " Isp and dry fractions; stage split for maximum ideal delta-v; dry "
                   "fractions scaled until ideal delta-v = min-energy burnout speed + loss allowance "
                   "(bmdsim.model.sizing); isp_scale fitted on the full model"),
        "sizing": {"launch_mass_kg": m0, "payload_kg": mpl, "dry_fraction_scale": round(dry_scale, 4),
                   "ideal_delta_v_m_s": round(staging.delta_v_m_s, 1),
                   **{k: round(v, 1) for k, v in notes.items()}},
    }
    if inp.test is None:
        try:
            mf = fit_missile(trial)
        except ValueError as err:
            raise BmdsimError(f"the numbers given cannot make a missile of that range: {err}; check the launch mass, "
                              "payload, burn times and range") from None
        k, k_lo, k_hi = mf.isp_scale, mf.isp_scale_low, mf.isp_scale_high
        std = core_cal.standard_trajectory(core_assess.scaled_spec(spec1, k))
        record["fit"] = {"isp_scale": round(k, 6), "fitted_to": "nominal range (exactly)",
                         "residuals": {"standard_range_km": round(std.range_m / 1e3 - inp.range_m / 1e3, 3)}}
        note = ("calibration factor on every stage Isp: the standard range (minimum-energy, non-rotating sphere, full "
                "burn, nominal payload) equals nominal_range_km; low/high give its low/high; bmdsim catalog fit")
    else:
        k, k_lo, k_hi, fit_rec = _fit_with_test(inp, spec1, range_sigma)
        record["fit"] = fit_rec
        note = ("performance factor on every stage Isp fitted by weighted least squares to the nominal range and the "
                "test flight together (residuals in the comment above the entry); low/high: its 90 % interval; "
                "bmdsim catalog fit")
    if not ISP_SCALE_PLAUSIBLE[0] <= k <= ISP_SCALE_PLAUSIBLE[1]:
        raise BmdsimError(
            f"the numbers given are inconsistent for a {inp.propellant}-propellant missile: matching them needs every "
            f"stage's Isp scaled by {k:.2f} (plausible {ISP_SCALE_PLAUSIBLE[0]:g}-{ISP_SCALE_PLAUSIBLE[1]:g}; the "
            f"sized stages give an ideal delta-v of {staging.delta_v_m_s:,.0f} m/s); check the launch mass, payload, "
            "burn times and range")
    tuning = _tuning_line(inp, m0, mpl, dry_scale, notes, record)
    missile = build_missile(inp, staging, m0, mpl, dry_scale, k, k_lo, k_hi, note, tuning)
    # what the entry as written (rounded isp_scale) gives
    std = core_cal.standard_trajectory(missile.rocket_spec())
    record["entry"] = {"standard_range_km": round(std.range_m / 1e3, 2),
                       "standard_burnout_speed_kms": round(std.burnout_speed_m_s / 1e3, 4),
                       "standard_apogee_km": round(std.apogee_alt_m / 1e3, 1),
                       "standard_flight_time_min": round(std.flight_time_s / 60.0, 2)}
    return SizingResult(missile=missile, record=record)


def _fit_with_test(inp: SizingInputs, spec1, range_sigma):
    """isp_scale (performance) and the test's loft by weighted least squares on [test apogee, range, time,
    standard range]; the burn factor held by a tight prior (the burn times are given)."""
    t = inp.test
    setup = core_assess.FlightSetup(planet=core_cal.SPHERE)
    flight = core_assess.flight_model(spec1, setup, t.payload_kg)
    cache: dict = {}

    def std_range(p, b):
        key = (float(p), float(b))
        if key not in cache:
            try:
                cache[key] = core_cal.standard_range_m(core_assess.scaled_spec(spec1, p, b))
            except ValueError:
                cache[key] = math.nan
        return cache[key]

    def model(theta):
        theta = np.atleast_2d(theta)
        y = flight(theta)
        s = np.array([std_range(p, b) for p, _, b in theta])
        return np.concatenate([y, s[:, None]], axis=-1)

    y_obs = np.array([t.apogee_m.value, t.range_m.value, t.flight_time_s.value, inp.range_m])
    sig = np.array([t.apogee_m.sigma, t.range_m.sigma, t.flight_time_s.sigma, range_sigma])
    try:
        f = core_assess.fit(model, y_obs, sig, burn_prior=(1.0, BURN_PRIOR_GIVEN))
    except ValueError as err:
        raise BmdsimError(f"the test flight cannot be fitted: {err}") from None
    iv = core_assess.interval(lambda th: np.array([th[0]]), f.theta, f.cov)[0]
    names = ("test_apogee_km", "test_range_km", "test_flight_time_min", "standard_range_km")
    units = (1e3, 1e3, 60.0, 1e3)
    rec = {
        "fitted_to": "nominal range and the test flight (weighted least squares; bmdsim.core.assess.fit)",
        "test_model": "full burn, non-rotating sphere (R 6,371 km), loft fitted",
        "isp_scale": round(float(f.theta[0]), 6), "isp_scale_90": [round(iv.low, 6), round(iv.high, 6)],
        "test_loft_deg": round(math.degrees(f.theta[1]), 4), "burn_factor": round(float(f.theta[2]), 5),
        "chi2": round(f.chi2, 3), "dof": f.dof,
        "residuals": {nm: {"model_minus_given": round(float(f.predicted[i] - y_obs[i]) / u, 3),
                           "sigmas": round(float(f.normalised_residuals[i]), 3)}
                      for i, (nm, u) in enumerate(zip(names, units, strict=True))},
    }
    if f.at_bound:
        rec["at_bound"] = list(f.at_bound)
    if abs(f.theta[2] - 1.0) > 1e-9:
        # the burn factor is tight but free: fold it into the entry's burn times? keep them as given and say so
        rec["note"] = "burn times kept as given (the burn factor's tight prior holds it near 1)"
    return float(f.theta[0]), iv.low, iv.high, rec


BURN_PRIOR_GIVEN = 1e-3  # sigma of the burn factor when burn times are given: held (effectively fixed)


def _inputs_record(inp: SizingInputs) -> dict:
    d = {"name": inp.name, "stages": inp.stages, "propellant": inp.propellant,
         "range_km": inp.range_m / 1e3, "burn_times_s": list(inp.burn_times_s)}
    if inp.range_sigma_m is not None:
        d["range_sigma_km"] = inp.range_sigma_m / 1e3
    for k, v in (("launch_mass_kg", inp.launch_mass_kg), ("payload_kg", inp.payload_kg),
                 ("diameter_m", inp.diameter_m), ("class", inp.missile_class)):
        if v is not None:
            d[k] = v
    if inp.test is not None:
        t = inp.test
        d["test"] = {"apogee_km": [t.apogee_m.value / 1e3, t.apogee_m.sigma / 1e3],
                     "range_km": [t.range_m.value / 1e3, t.range_m.sigma / 1e3],
                     "flight_time_min": [t.flight_time_s.value / 60.0, t.flight_time_s.sigma / 60.0]}
        if t.payload_kg is not None:
            d["test"]["payload_kg"] = t.payload_kg
    return d


def _tuning_line(inp, m0, mpl, dry_scale, notes, record) -> str:
    fitrec = record["fit"]
    res = "; ".join(f"{k} {(v['model_minus_given'] if isinstance(v, dict) else v) + 0.0:+g}"
                    for k, v in fitrec["residuals"].items())
    held = ("launch mass and payload held" if inp.launch_mass_kg and inp.payload_kg else
            "payload sized for the launch mass" if inp.launch_mass_kg else "launch mass sized for the payload")
    return (f"bmdsim catalog fit: {inp.stages}-stage {inp.propellant}, {held} ({m0:,.0f} kg, {mpl:,.0f} kg); typical "
            f"dry fractions x {dry_scale:.3f}, stage split for maximum ideal delta-v = min-energy burnout speed for "
            f"{inp.range_m / 1e3:,.0f} km ({notes['min_energy_burnout_speed_m_s'] / 1e3:.2f} km/s) + "
            f"{notes['loss_allowance_m_s'] / 1e3:.2f} km/s losses; isp_scale fitted to {fitrec['fitted_to']}; "
            f"residuals (model - given): {res}; Cd, RCS, rise and pitch-over are generic class values.")


# --------------------------------------------------------------------------------------- YAML
def _clean(obj):
    """Plain data for YAML: drop None and False-valued `notional`, floats that are whole become ints."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items() if v is not None and not (k == "notional" and v is False)}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and obj.is_integer() and abs(obj) < 1e15:
        return int(obj)
    return obj


def missile_yaml(missile: Missile, comment: str = "") -> str:
    """``missiles: [entry]`` in the built-in catalog's schema and style (flow-style numbers), preceded by
    ``comment`` lines; parsed back with the same model before it is returned (raises BmdsimError if not valid)."""
    entry = _clean(missile.model_dump(mode="json", by_alias=True, exclude_none=True))
    if missile.standard_shape == type(missile.standard_shape)():
        entry.pop("standard_shape", None)
    body = yaml.safe_dump({"missiles": [entry]}, sort_keys=False, default_flow_style=None, width=4096,
                          allow_unicode=True)
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    text = head + body
    try:
        parse_catalog(text, Missile, "missiles", "missile")
    except ValueError as err:
        raise BmdsimError(f"the written entry does not parse back as a catalog missile: {' '.join(str(err).split())}"
                          ) from None
    return text


def record_comment(record: dict) -> str:
    """The fit record as YAML text (for the comment block above an entry)."""
    return "Fit record (deterministic: no date):\n" + yaml.safe_dump(_clean(_round_floats(record)), sort_keys=False,
                                                                     default_flow_style=None, width=110)


def _round_floats(obj, digits: int = 6):
    if isinstance(obj, dict):
        return {k: _round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_round_floats(v, digits) for v in obj]
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    return obj


# --------------------------------------------------------------------------------------- templates
TEMPLATE_FILE = "templates.yaml"


def load_templates(catalog=None) -> dict[str, Missile]:
    """The generic templates of ``bmdsim assess`` (``catalog/templates.yaml``), by name (``catalog``: a
    :class:`bmdsim.model.catalogs.Catalog`, None: the built-ins; templates are built-in either way)."""
    from bmdsim.model.catalogs import resolve_catalog

    return dict(resolve_catalog(catalog).templates)


def template_names(catalog=None) -> list[str]:
    return list(load_templates(catalog))


def get_template(name: str, catalog=None) -> Missile:
    """A generic template (``generic-1-stage`` ...) or a missile of ``catalog`` (None: the built-ins), by
    name or alias; a one-line UnknownNameError lists both kinds."""
    from bmdsim.model.catalogs import resolve_catalog

    return resolve_catalog(catalog).template(name)


def find_template(name: str, catalog=None) -> Missile | None:
    """A generic template by name, or None (missiles are not looked at)."""
    from bmdsim.model.catalogs import resolve_catalog

    return resolve_catalog(catalog).find_template(name)
