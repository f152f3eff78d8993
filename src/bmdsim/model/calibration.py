"""Catalog missiles against their nominal ranges: standard ranges and the fitted ``isp_scale``.

The numeric part is :mod:`bmdsim.core.calibration`; this module applies it to catalog entries
(:class:`bmdsim.model.missiles.Missile`): each missile's nominal range is its range on its
standard shape (minimum-energy unless its entry says otherwise; see ``StandardShape.fit_on``) on a
non-rotating spherical Earth, full burn, nominal payload, and ``isp_scale`` (one factor on every
stage Isp) is the value that makes the model's range on that shape equal it. A later
``bmdsim catalog fit`` exposes :func:`fit_missile`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bmdsim.core import calibration as core
from bmdsim.model.missiles import Missile

# when the nominal range has no low/high, isp_scale's range is that of a nominal range +- this share
RANGE_SHARE_WITHOUT_BOUNDS = 0.05


@dataclass(frozen=True)
class MissileFit:
    """Fitted ``isp_scale`` of one missile and the standard trajectory it gives (SI inside ``standard``)."""

    name: str
    shape: str  # the shape the nominal range is measured on, described
    nominal_range_km: float
    isp_scale: float
    isp_scale_low: float  # the factor giving range_low_km
    isp_scale_high: float  # the factor giving range_high_km
    range_low_km: float
    range_high_km: float
    range_basis: str  # where range_low_km / range_high_km come from
    standard: core.StandardTrajectory  # at isp_scale


def standard_trajectory(missile: Missile, isp_scale: float | None = None, *,
                        fit: bool = True) -> core.StandardTrajectory:
    """The missile's full-burn trajectory on the non-rotating sphere (catalog isp_scale unless given):
    on the shape its nominal range is measured on (``fit``, see ``StandardShape.fit_on``), or on its
    standard (default flight) shape (``fit=False``). The two differ only for a missile whose entry
    fits on another shape (the Iskander)."""
    sh = missile.standard_shape
    kind, value = sh.fit_shape() if fit else sh.core_shape()
    return core.standard_trajectory(missile.rocket_spec(isp_scale), kind, value)


def standard_range_km(missile: Missile, isp_scale: float | None = None, *, fit: bool = True) -> float:
    """Range (km) of :func:`standard_trajectory`: with ``fit``, the model's counterpart of ``nominal_range_km``."""
    return standard_trajectory(missile, isp_scale, fit=fit).range_m / 1e3


def fit_isp_scale(missile: Missile, range_km: float) -> float:
    """The ``isp_scale`` for which the missile's range on its fit shape is ``range_km``."""
    kind, value = missile.standard_shape.fit_shape()
    return core.fit_isp_scale(missile.rocket_spec(isp_scale=1.0), range_km * 1e3, kind, value)


def fit_missile(missile: Missile) -> MissileFit:
    """Fit ``isp_scale`` to the nominal range, and its low/high to the nominal range's low/high.

    When the nominal range gives no low/high, those of the fit are the factors for the nominal range
    +- :data:`RANGE_SHARE_WITHOUT_BOUNDS`.
    """
    nom = missile.nominal_range_km
    if nom.low is not None and nom.high is not None:
        r_lo, r_hi, basis = nom.low, nom.high, "the nominal range's own low/high"
    else:
        share = RANGE_SHARE_WITHOUT_BOUNDS
        r_lo, r_hi = nom.value * (1 - share), nom.value * (1 + share)
        basis = f"nominal range +-{share:.0%} (it gives no low/high)"
    k = fit_isp_scale(missile, nom.value)
    k_lo = k if r_lo == nom.value else fit_isp_scale(missile, r_lo)
    k_hi = k if r_hi == nom.value else fit_isp_scale(missile, r_hi)
    return MissileFit(name=missile.name, shape=missile.standard_shape.describe_fit(), nominal_range_km=nom.value,
                      isp_scale=k, isp_scale_low=k_lo, isp_scale_high=k_hi, range_low_km=r_lo, range_high_km=r_hi,
                      range_basis=basis, standard=standard_trajectory(missile, k))
