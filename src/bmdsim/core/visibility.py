"""Sensor geometry: look angles, radar range law, field of regard, space-based IR warning.

Baseline model (DESIGN.md, "Baseline physics" item 6):

* A radar sees a target when its elevation is >= ``min_elev_rad``, its slant range is
  <= ``R_max(sigma) = R_ref (sigma / sigma_ref) ** 0.25`` and its azimuth lies inside the
  field of regard: the union of its faces' sectors ``boresight_f +- half_width_f`` (one face:
  one sector; ``half_width >= pi`` is 360 deg). Faces share the radar's other parameters.
* Space-based IR sees a boosting missile once it is above ``h_IR`` while still thrusting, where
  the constellation covers it (a latitude band, or the whole Earth); warning comes a processing
  delay later.

Elevation is measured from the plane through the site perpendicular to its geodetic normal
(ENU "up"). The ellipsoid is convex and lies below its tangent plane, so for a site on or
above the surface every line of sight with elevation >= 0 clears the Earth: no separate
Earth-blockage test is needed. Refraction is ignored.

Shapes: positions are ``(..., 3)`` ECEF metres; a site broadcasts against targets, so one
site ``(3,)`` against targets ``(n, k, 3)`` gives ``(n, k)`` outputs, and ``m`` sites against
the same targets are ``site[:, None, None, :]`` (``(m, 1, 1, 3)``) giving ``(m, n, k)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from bmdsim.core.earth import (
    A_WGS84_M,
    B_WGS84_M,
    E2_WGS84,
    EP2_WGS84,
    F_WGS84,
    OMEGA_EARTH_RAD_PER_S,
    ecef_to_geodetic,
    eci_to_ecef,
    enu_basis,
)

TWO_PI = 2.0 * np.pi


def look_angles(site_ecef, target_ecef):
    """Elevation, azimuth and slant range of targets seen from a site.

    Parameters
    ----------
    site_ecef : array_like, (..., 3)
        Site position, ECEF metres; broadcast against ``target_ecef`` (see module docstring).
    target_ecef : array_like, (..., 3)
        Target positions, ECEF metres.

    Returns
    -------
    elevation_rad : ndarray, (...,)
        Angle above the site's geodetic horizon plane, in [-pi/2, pi/2].
    azimuth_rad : ndarray, (...,)
        Clockwise from geodetic north, in [0, 2 pi). 0 for a target straight up.
    slant_range_m : ndarray, (...,)
        Straight-line distance, metres.
    """
    site = np.asarray(site_ecef, dtype=float)
    lat, lon, _ = ecef_to_geodetic(site)
    east, north, up = enu_basis(lat, lon)
    dr = np.asarray(target_ecef, dtype=float) - site
    e = (dr * east).sum(-1)
    n = (dr * north).sum(-1)
    u = (dr * up).sum(-1)
    horiz = np.hypot(e, n)
    elevation = np.arctan2(u, horiz)
    azimuth = np.mod(np.arctan2(e, n), TWO_PI)
    azimuth = np.where(azimuth >= TWO_PI, 0.0, azimuth)  # -tiny mod 2pi rounds to 2pi
    return elevation, azimuth, np.sqrt(horiz * horiz + u * u)


def max_range_m(range_ref_m, rcs_m2, rcs_ref_m2):
    """Radar detection range against a target of cross-section ``rcs_m2``.

    ``R_max = R_ref (sigma / sigma_ref) ** (1/4)`` (radar equation at fixed power, aperture,
    dwell and detection threshold). All inputs broadcast; ranges in metres, RCS in m^2.
    """
    rcs = np.asarray(rcs_m2, dtype=float)
    ref = np.asarray(rcs_ref_m2, dtype=float)
    return np.asarray(range_ref_m, dtype=float) * (rcs / ref) ** 0.25


def in_field_of_regard(azimuth_rad, boresight_rad, half_width_rad):
    """True where an azimuth lies within ``boresight +- half_width`` (wrap-around handled).

    Parameters
    ----------
    azimuth_rad, boresight_rad, half_width_rad : array_like
        Radians, broadcast together. ``half_width_rad >= pi`` means full circle.
        Sector edges are included.
    """
    az = np.asarray(azimuth_rad, dtype=float)
    bore = np.asarray(boresight_rad, dtype=float)
    half = np.asarray(half_width_rad, dtype=float)
    off = np.abs(np.mod(az - bore + np.pi, TWO_PI) - np.pi)  # angular distance in [0, pi]
    return (half >= np.pi) | (off <= half + 1e-12)


def in_any_face(azimuth_rad, boresights_rad, half_widths_rad):
    """True where an azimuth lies in at least one face's sector (:func:`in_field_of_regard` of each).

    Parameters
    ----------
    azimuth_rad : array_like, (...,)
        Radians clockwise from north.
    boresights_rad, half_widths_rad : array_like, (f,)
        One per face, radians (a scalar is one face).

    Returns
    -------
    ndarray of bool, (...,)
    """
    az = np.asarray(azimuth_rad, dtype=float)
    bores = np.atleast_1d(np.asarray(boresights_rad, dtype=float))
    halves = np.broadcast_to(np.atleast_1d(np.asarray(half_widths_rad, dtype=float)), bores.shape)
    out = np.zeros(az.shape, dtype=bool)
    for b, h in zip(bores, halves, strict=True):
        out |= in_field_of_regard(az, b, h)
    return out


def merge_sectors(boresights_rad, half_widths_rad) -> list[tuple[float, float]]:
    """The union of face sectors as disjoint sectors ``[(boresight, half_width), ...]`` (radians),
    sorted by their first edge; ``[(0.0, pi)]`` when the faces cover the whole circle.

    Sectors that overlap or touch (within 1e-12 rad, the edge tolerance of
    :func:`in_field_of_regard`) merge; the result contains the same azimuths as the faces.
    """
    bores = np.atleast_1d(np.asarray(boresights_rad, dtype=float))
    halves = np.broadcast_to(np.atleast_1d(np.asarray(half_widths_rad, dtype=float)), bores.shape)
    if bores.size == 0:
        return []
    if np.any(halves >= np.pi):
        return [(0.0, float(np.pi))]
    if bores.size == 1:  # one face: as given
        return [(float(np.mod(bores[0], TWO_PI)), float(halves[0]))]
    starts = np.mod(bores - halves, TWO_PI)
    arcs = sorted([float(a), float(a + 2.0 * h)] for a, h in zip(starts, halves, strict=True))  # end may pass 2 pi
    merged = [arcs[0]]
    for a, b in arcs[1:]:
        if a <= merged[-1][1] + 1e-12:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    while len(merged) > 1 and merged[-1][1] - TWO_PI >= merged[0][0] - 1e-12:  # the last wraps onto the first
        first = merged.pop(0)
        merged[-1][1] = max(merged[-1][1], first[1] + TWO_PI)
    if any(b - a >= TWO_PI - 1e-12 for a, b in merged):
        return [(0.0, float(np.pi))]
    return [(float(np.mod(0.5 * (a + b), TWO_PI)), 0.5 * (b - a)) for a, b in merged]


def covers_circle(boresights_rad, half_widths_rad) -> bool:
    """True when the faces' sectors together cover every azimuth (see :func:`merge_sectors`)."""
    m = merge_sectors(boresights_rad, half_widths_rad)
    return len(m) == 1 and m[0][1] >= np.pi


def radar_sees(
    site_ecef,
    target_ecef,
    *,
    min_elev_rad,
    max_range_m,
    boresight_rad=0.0,
    half_width_rad=np.pi,
    max_alt_m=None,
):
    """Boolean mask: the radar at ``site_ecef`` sees the target points.

    Parameters
    ----------
    site_ecef, target_ecef : array_like, (..., 3)
        ECEF metres, broadcast as in :func:`look_angles`.
    min_elev_rad : float or array_like
        Lowest usable elevation, radians.
    max_range_m : float or array_like
        Detection range against this target (see :func:`max_range_m`), metres; broadcasts
        against the output, e.g. ``(n, 1)`` for one RCS per threat.
    boresight_rad, half_width_rad : float or array_like (f,)
        Field of regard, radians (clockwise from north), one sector per face (:func:`in_any_face`);
        ``half_width_rad >= pi`` = 360 deg.
    max_alt_m : float, optional
        Highest target altitude (geodetic, metres) the radar covers; ``None`` = no limit.

    Returns
    -------
    ndarray of bool, (...,)
    """
    elev, az, rng = look_angles(site_ecef, target_ecef)
    seen = (
        (elev >= min_elev_rad) & (rng <= max_range_m) & in_any_face(az, boresight_rad, half_width_rad)
    )
    if max_alt_m is not None:
        seen &= ecef_to_geodetic(target_ecef)[2] <= max_alt_m
    return seen


def ir_sees(alt_m, t_s, t_burnout_s, h_ir_m):
    """Boolean mask: space-based IR sees a booster (above ``h_ir_m`` and still thrusting).

    Parameters
    ----------
    alt_m : array_like, (n, k)
        Missile altitude, metres.
    t_s : array_like, (k,) or (n, k)
        Sample times since launch, seconds.
    t_burnout_s : array_like, (n,)
        Burnout time of each missile, seconds (burnout sample itself counts as boost).
    h_ir_m : float
        Altitude above which the plume is seen (cloud tops / atmospheric absorption), metres.
    """
    alt = np.asarray(alt_m, dtype=float)
    t = np.asarray(t_s, dtype=float)
    tb = np.asarray(t_burnout_s, dtype=float)[..., None]
    return (alt > h_ir_m) & (t <= tb)


def first_true_time(t_s, mask):
    """Time of the first True in each row of ``mask``; NaN where a row has none.

    Parameters
    ----------
    t_s : array_like, (k,) or (..., k)
        Sample times, seconds, increasing along the last axis.
    mask : array_like of bool, (..., k)

    Returns
    -------
    ndarray, (...,)
        Seconds (no interpolation between samples).
    """
    m = np.asarray(mask, dtype=bool)
    t = np.broadcast_to(np.asarray(t_s, dtype=float), m.shape)
    idx = np.argmax(m, axis=-1)
    first = np.take_along_axis(t, idx[..., None], axis=-1)[..., 0]
    return np.where(m.any(axis=-1), first, np.nan)


def latitude_band_mask(target_ecef, lat_south_rad, lat_north_rad):
    """(...,) bool: the target's geodetic latitude lies in [``lat_south_rad``, ``lat_north_rad``].

    NaN positions (padding) are False. The coverage of a space-based IR constellation that does
    not see the whole Earth (e.g. geostationary satellites only, below about 70 deg of latitude).
    """
    with np.errstate(invalid="ignore"):
        lat = ecef_to_geodetic(np.asarray(target_ecef, dtype=float))[0]
        return (lat >= lat_south_rad) & (lat <= lat_north_rad)


def ir_first_detection_s(t_s, alt_m, t_burnout_s, h_ir_m, delay_s, *, refine=True, covered=None):
    """First space-based IR warning time per missile: crossing of ``h_ir_m`` in boost + delay.

    Parameters
    ----------
    t_s : array_like, (k,) or (n, k)
        Sample times since launch, seconds, increasing (NaN padding allowed at the end of a row).
    alt_m : array_like, (n, k)
        Altitudes, metres.
    t_burnout_s : array_like, (n,)
        Burnout times, seconds.
    h_ir_m : float
        Detection altitude, metres.
    delay_s : float
        Processing and reporting delay, seconds.
    refine : bool
        If True, interpolate the ``h_ir_m`` crossing linearly between the last sample below
        and the first sample above it; otherwise use the first sample above.
    covered : array_like of bool, (n, k), optional
        Where the constellation covers the missile (:func:`latitude_band_mask`); None: everywhere.

    Returns
    -------
    ndarray, (n,)
        Warning time, seconds since launch; NaN if the missile burns out below ``h_ir_m``.
    """
    alt = np.atleast_2d(np.asarray(alt_m, dtype=float))
    t = np.broadcast_to(np.asarray(t_s, dtype=float), alt.shape)
    with np.errstate(invalid="ignore"):
        mask = ir_sees(alt, t, t_burnout_s, h_ir_m) & np.isfinite(t)
    if covered is not None:
        mask &= np.asarray(covered, dtype=bool)
    t_first = first_true_time(t, mask)
    if refine and t.shape[-1] > 1:
        idx = np.argmax(mask, axis=-1)
        prev = np.maximum(idx - 1, 0)
        rows = np.arange(alt.shape[0])
        a0, a1 = alt[rows, prev], alt[rows, idx]
        ok = (idx > 0) & (a0 <= h_ir_m) & (a1 > a0)
        frac = np.where(ok, (h_ir_m - a0) / np.where(ok, a1 - a0, 1.0), 1.0)
        t_cross = t[rows, prev] + frac * (t[rows, idx] - t[rows, prev])
        t_first = np.where(ok, t_cross, t_first)
    return t_first + delay_s


# --- compiled helpers for the engagement table (private) --------------------------------
# They reproduce the functions above point by point (same formulas, same order of operations),
# but stop at the first detection of each row and skip far points with a cheap range test.


@njit(cache=True, error_model="numpy")
def _frames_kernel(t_s, r_eci, omega, r_ecef, alt, center, cos_rad):
    """ECI (n, k, 3) at times (n, k) -> ECEF (n, k, 3), geodetic height (n, k) and each row's cone
    (see :func:`_row_caps`), in place.

    The rotation is :func:`bmdsim.core.earth.eci_to_ecef` (NaN times count as 0); the height is
    :func:`bmdsim.core.earth.ecef_to_geodetic`'s Bowring iteration written with algebraic sines and
    cosines instead of arctan2 / sin / cos, with two refinements instead of three (the heights agree
    to 1e-8 m on trajectories up to several thousand km of altitude).
    """
    n, k = t_s.shape
    # most rows share their sample times: keep each column's last rotation
    col_t = np.full(k, np.nan)
    col_c = np.empty(k)
    col_s = np.empty(k)
    for i in range(n):
        u0 = 0.0
        u1 = 0.0
        u2 = 0.0
        for j in range(k):
            t = t_s[i, j]
            x0 = r_eci[i, j, 0]
            y0 = r_eci[i, j, 1]
            z = r_eci[i, j, 2]
            if t != t:
                t = 0.0
            if t == col_t[j]:
                c = col_c[j]
                s = col_s[j]
            else:
                ang = -omega * t
                c = math.cos(ang)
                s = math.sin(ang)
                col_t[j] = t
                col_c[j] = c
                col_s[j] = s
            x = c * x0 - s * y0
            y = s * x0 + c * y0
            r_ecef[i, j, 0] = x
            r_ecef[i, j, 1] = y
            r_ecef[i, j, 2] = z
            if t_s[i, j] != t_s[i, j] or x != x or y != y or z != z:  # padding
                alt[i, j] = np.nan
                continue
            p2 = x * x + y * y
            p = math.sqrt(p2)
            num = z * A_WGS84_M
            den = p * B_WGS84_M
            q = math.sqrt(num * num + den * den)
            sb = num / q
            cb = den / q
            sl = 0.0
            cl = 1.0
            for _ in range(2):  # two refinements: the third changes heights by < 1e-8 m here
                nl = z + EP2_WGS84 * B_WGS84_M * sb * sb * sb
                dl = p - E2_WGS84 * A_WGS84_M * cb * cb * cb
                q = math.sqrt(nl * nl + dl * dl)
                sl = nl / q
                cl = dl / q
                nb = (1.0 - F_WGS84) * sl
                q = math.sqrt(nb * nb + cl * cl)
                sb = nb / q
                cb = cl / q
            nn = A_WGS84_M / math.sqrt(1.0 - E2_WGS84 * sl * sl)
            alt[i, j] = p * cl + z * sl - A_WGS84_M * A_WGS84_M / nn
            rn = math.sqrt(p2 + z * z)
            if rn > 0.0:
                u0 += x / rn
                u1 += y / rn
                u2 += z / rn
        _cap_row(t_s, r_ecef, i, u0, u1, u2, center, cos_rad)


@njit(cache=True, error_model="numpy", inline="always")
def _cap_row(t_s, target, i, c0, c1, c2, center, cos_rad):
    """Row i's cone from the sum (c0, c1, c2) of its valid samples' unit vectors."""
    k = t_s.shape[1]
    cn = math.sqrt(c0 * c0 + c1 * c1 + c2 * c2)
    if not cn > 0.0:
        center[i, 0] = 0.0
        center[i, 1] = 0.0
        center[i, 2] = 0.0
        # no valid sample: an empty cone; valid samples summing to nothing: no cone
        valid = False
        for j in range(k):
            q0 = target[i, j, 0]
            q1 = target[i, j, 1]
            q2 = target[i, j, 2]
            if t_s[i, j] == t_s[i, j] and q0 * q0 + q1 * q1 + q2 * q2 > 0.0:
                valid = True
        cos_rad[i] = -2.0 if valid else 2.0
        return
    c0 /= cn
    c1 /= cn
    c2 /= cn
    m = 2.0
    for j in range(k):
        q0 = target[i, j, 0]
        q1 = target[i, j, 1]
        q2 = target[i, j, 2]
        qn = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2)
        if t_s[i, j] == t_s[i, j] and qn > 0.0:  # (NaN positions fail too)
            d = (c0 * q0 + c1 * q1 + c2 * q2) / qn
            if d < m:
                m = d
    center[i, 0] = c0
    center[i, 1] = c1
    center[i, 2] = c2
    cos_rad[i] = m


def _threat_frames(t_s, r_eci):
    """(r_ecef (n, k, 3), geodetic height (n, k), row cones (:func:`_row_caps`)) of ECI samples at
    times t_s (NaN padding allowed)."""
    t = np.ascontiguousarray(t_s, dtype=float)
    r = np.asarray(r_eci, dtype=float)
    n = t.shape[0]
    r_ecef = np.empty(t.shape + (3,))
    alt = np.empty(t.shape)
    center = np.zeros((n, 3))
    cos_rad = np.empty(n)
    _frames_kernel(t, r, OMEGA_EARTH_RAD_PER_S, r_ecef, alt, center, cos_rad)
    # Points on the ground (the impact sample) are reachable or not by the sign of their height's
    # rounding error (the fly-out table ends at height 0): there, take exactly the numbers of
    # eci_to_ecef and ecef_to_geodetic, as bmdsim.analysis.engage.threat_geometry does.
    low = np.nonzero(np.abs(alt) < 1.0)
    if low[0].size:
        q = eci_to_ecef(r[low], np.nan_to_num(t[low]))
        r_ecef[low] = q
        alt[low] = ecef_to_geodetic(q)[2]
    return r_ecef, alt, (center, cos_rad)


@njit(cache=True, error_model="numpy")
def _row_caps_kernel(t_s, target, center, cos_rad):
    n, k = t_s.shape
    for i in range(n):
        c0 = 0.0
        c1 = 0.0
        c2 = 0.0
        for j in range(k):
            q0 = target[i, j, 0]
            q1 = target[i, j, 1]
            q2 = target[i, j, 2]
            qn = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2)
            if t_s[i, j] == t_s[i, j] and qn > 0.0:  # (NaN positions fail too)
                c0 += q0 / qn
                c1 += q1 / qn
                c2 += q2 / qn
        _cap_row(t_s, target, i, c0, c1, c2, center, cos_rad)


def _row_caps(t_s, target_ecef):
    """Per row, a cone from the Earth's centre that holds every valid sample (NaN time or position
    excluded): unit axis (n, 3) and the cosine of its half-angle (n,) (2: no valid sample; -2:
    no cone). A site far outside a row's cone can skip the row."""
    n = t_s.shape[0]
    center = np.zeros((n, 3))
    cos_rad = np.empty(n)
    _row_caps_kernel(t_s, target_ecef, center, cos_rad)
    return center, cos_rad


@njit(cache=True, error_model="numpy", inline="always")
def _min_angle_to_cap(s_hat, center, cos_rad, i):
    """Least angle (rad) between the unit vector s_hat and any direction inside row i's cone
    (inf for an empty cone, -1 where there is none), less 1e-7 rad for rounding."""
    cr = cos_rad[i]
    if cr > 1.0:
        return np.inf
    if cr < -1.0:
        return -1.0
    d = s_hat[0] * center[i, 0] + s_hat[1] * center[i, 1] + s_hat[2] * center[i, 2]
    return math.acos(min(max(d, -1.0), 1.0)) - math.acos(cr) - 1e-7


@njit(cache=True, error_model="numpy")
def _radar_first_kernel(t_s, target, alt, rmax_a, rmax_b, t_switch, site, east, north, up, min_elev, bores, halves,
                        full, use_max_alt, max_alt, center, cos_rad, out):
    n, k = t_s.shape
    nf = bores.shape[0]
    s0, s1, s2 = site[0], site[1], site[2]
    sn = math.sqrt(s0 * s0 + s1 * s1 + s2 * s2)
    s_hat = np.zeros(3)
    if sn > 0.0:
        s_hat[0] = s0 / sn
        s_hat[1] = s1 / sn
        s_hat[2] = s2 / sn
    for i in range(n):
        ra = rmax_a[i]
        rb = rmax_b[i]
        ts = t_switch[i]
        # cheap test: squared straight-line distance against the larger range, with a margin
        big = max(ra, rb) * (1.0 + 1e-9)
        big2 = big * big
        if sn > 0.0:
            # the whole row: a point at angle a >= a_min from the site is at least |site| sin(a_min) away
            a_min = _min_angle_to_cap(s_hat, center, cos_rad, i)
            if a_min > 0.0 and (sn if a_min >= 0.5 * np.pi else sn * math.sin(a_min)) > big + 1.0:
                continue
        for j in range(k):
            t = t_s[i, j]
            if t != t:
                continue
            d0 = target[i, j, 0] - s0
            d1 = target[i, j, 1] - s1
            d2 = target[i, j, 2] - s2
            if d0 * d0 + d1 * d1 + d2 * d2 > big2:
                continue
            e = d0 * east[0] + d1 * east[1] + d2 * east[2]
            nn = d0 * north[0] + d1 * north[1] + d2 * north[2]
            u = d0 * up[0] + d1 * up[1] + d2 * up[2]
            horiz = math.hypot(e, nn)
            if not (math.atan2(u, horiz) >= min_elev):
                continue
            rmax = ra if t <= ts else rb
            if not (math.sqrt(horiz * horiz + u * u) <= rmax):
                continue
            if not full:
                az = math.atan2(e, nn) % TWO_PI
                if az >= TWO_PI:
                    az = 0.0
                inside = False
                for f in range(nf):  # any face
                    off = abs((az - bores[f] + np.pi) % TWO_PI - np.pi)
                    if off <= halves[f] + 1e-12:
                        inside = True
                        break
                if not inside:
                    continue
            if use_max_alt and not (alt[i, j] <= max_alt):
                continue
            out[i] = t
            break


def _radar_first_detection_s(radar, t_s, target_ecef, alt_m, rcs_a_m2, rcs_b_m2, t_switch_s, caps=None):
    """First time (n,) a radar (:class:`bmdsim.model.sensors.RadarSpec`: one sector per face in
    ``boresight_rad`` / ``half_width_rad``) sees each row; NaN if never.

    Equals ``first_true_time(t_s, radar.sees(target_ecef, rcs) & isfinite(t_s))`` where the target's
    RCS is ``rcs_a_m2`` (n,) while ``t_s <= t_switch_s`` (n,) and ``rcs_b_m2`` after; ``alt_m`` is
    the targets' geodetic height (for the radar's altitude limit); ``caps``: :func:`_row_caps` of
    the targets if already computed.
    """
    if caps is None:
        caps = _row_caps(t_s, target_ecef)
    site = np.asarray(radar.site_ecef, dtype=float)
    lat, lon, _ = ecef_to_geodetic(site)
    east, north, up = (np.ascontiguousarray(v, dtype=float) for v in enu_basis(lat, lon))
    n = t_s.shape[0]
    out = np.full(n, np.nan)
    ra = np.ascontiguousarray(np.broadcast_to(radar.max_range_m(rcs_a_m2), (n,)), dtype=float)
    rb = np.ascontiguousarray(np.broadcast_to(radar.max_range_m(rcs_b_m2), (n,)), dtype=float)
    use_max_alt = radar.max_alt_m is not None
    max_alt = float(radar.max_alt_m) if use_max_alt else np.inf
    bores = np.atleast_1d(np.asarray(radar.boresight_rad, dtype=float))  # one per face, tested as given
    halves = np.ascontiguousarray(np.broadcast_to(np.atleast_1d(np.asarray(radar.half_width_rad, dtype=float)),
                                                  bores.shape))
    full = covers_circle(bores, halves)  # faces that cover every azimuth: no azimuth test
    _radar_first_kernel(t_s, target_ecef, alt_m, ra, rb, np.ascontiguousarray(t_switch_s, dtype=float), site, east,
                        north, up, float(radar.min_elev_rad), bores, halves, full, use_max_alt, max_alt, caps[0],
                        caps[1], out)
    return out
